# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials with surrounding white space are stripped with a warning; inner control or non-Latin-1 characters are refused.

Every source (task options, the environment, a profile) and every credential (key id, secret, token); the warnings
and messages name the option, variable or profile field, never the value.
"""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.alicloud.oss.plugins.module_utils._credentials import Credentials, resolve_credentials
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssCredentialError
from ansible_collections.alicloud.oss.plugins.module_utils._module import OssModule
from ansible_collections.alicloud.oss.tests.unit.compat import module_answer, patch_module_args

KEY_ID = "LTAI5tCleaningKey01"
SECRET = "CleaningSecret-9999-zzzz"
TOKEN = "CleaningToken-8888-yyyy"
STRIP_WARNING = "had white space or a line break around it, which was removed (copying a secret, or $(cat file), often adds one)."


def _params(**kwargs):
    params = {"access_key_id": None, "access_key_secret": None, "security_token": None, "profile": None, "credentials_file": "/nonexistent/config.json"}
    params.update(kwargs)
    return params


def _profile_params(tmp_path, **fields):
    profile = {"name": "default", "mode": "StsToken", "access_key_id": KEY_ID, "access_key_secret": SECRET, "sts_token": TOKEN}
    profile.update(fields)
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"current": "default", "profiles": [profile]}), encoding="utf-8")
    return _params(credentials_file=str(path))


def _resolve(params, environ=None):
    warnings = []
    creds = resolve_credentials(params, environ or {}, warn=warnings.append)
    return creds, warnings


def _sources(tmp_path):
    """(name, where the messages say it comes from, params and environ with `value` in its place) for each credential of each source."""
    options = {"access_key_id": KEY_ID, "access_key_secret": SECRET, "security_token": TOKEN}
    environ = {"ALICLOUD_ACCESS_KEY_ID": KEY_ID, "ALICLOUD_ACCESS_KEY_SECRET": SECRET, "ALICLOUD_SECURITY_TOKEN": TOKEN}
    cases = []
    for option in options:
        cases.append((f"option {option}", lambda value, option=option: (_params(**dict(options, **{option: value})), {})))
    for variable in environ:
        cases.append((f"environment variable {variable}", lambda value, variable=variable: (_params(), dict(environ, **{variable: value}))))
    for field in ("access_key_id", "access_key_secret", "sts_token"):
        cases.append(
            (
                f"{field} of profile 'default' in {tmp_path / 'config.json'}",
                lambda value, field=field: (_profile_params(tmp_path, **{field: value}), {}),
            )
        )
    return cases


ORIGINALS = (KEY_ID, SECRET, TOKEN) * 3


@pytest.mark.parametrize("index", range(9))
@pytest.mark.parametrize("around", ["\n", " ", "\r\n", "\t ", "  \n\n"], ids=["newline", "blank", "crlf", "tab", "blanks-lines"])
def test_surrounding_white_space_is_stripped_with_a_warning_naming_the_source(tmp_path, index, around):
    where, build = _sources(tmp_path)[index]
    original = ORIGINALS[index]
    creds, warnings = _resolve(*build(around + original + around))
    assert (creds.access_key_id, creds.access_key_secret, creds.security_token) == (KEY_ID, SECRET, TOKEN)
    assert warnings == [f"{where} {STRIP_WARNING}"]
    assert original not in warnings[0]


@pytest.mark.parametrize("index", range(9))
@pytest.mark.parametrize(
    "inner, words",
    [
        ("\n", "holds a control character (a line break, tab or the like) inside it"),
        ("\x00", "holds a control character (a line break, tab or the like) inside it"),
        ("\x7f", "holds a control character (a line break, tab or the like) inside it"),
        ("\u2028", "holds a character outside Latin-1, which no credential holds and an HTTP header cannot carry"),
        ("\u20ac", "holds a character outside Latin-1, which no credential holds and an HTTP header cannot carry"),
    ],
    ids=["newline", "nul", "del", "line-separator", "euro"],
)
def test_inner_control_or_non_latin1_characters_are_refused_naming_the_source(tmp_path, index, inner, words):
    where, build = _sources(tmp_path)[index]
    original = ORIGINALS[index]
    with pytest.raises(OssCredentialError) as info:
        _resolve(*build(original[:6] + inner + original[6:]))
    message = str(info.value)
    assert message == f"{where} {words}: check that it was copied whole and alone."
    assert original[:6] not in message and original[6:] not in message


def test_clean_credentials_give_no_warning(tmp_path):
    for where, build in _sources(tmp_path):
        creds, warnings = _resolve(*build(ORIGINALS[len(where) % 3]))
        assert isinstance(creds, Credentials) and warnings == [], where


def test_latin1_is_not_refused():
    # A secret is any text the key pair was issued with; Latin-1 travels in a header, so only what cannot is refused.
    creds, warnings = _resolve(_params(access_key_id=KEY_ID, access_key_secret="Sécret-0001"))
    assert (creds.access_key_secret, warnings) == ("Sécret-0001", [])


def test_white_space_only_counts_as_not_set():
    with pytest.raises(OssCredentialError) as info:
        _resolve(_params(access_key_id=KEY_ID, access_key_secret=" \n"))
    assert "access_key_secret is not" in str(info.value)


def test_the_module_warns_and_never_shows_the_value(capsys, monkeypatch):
    ansible_warnings._global_warnings.clear()  # pylint: disable=protected-access  # process-wide: earlier runs' too
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY_ID", KEY_ID + "\n")
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY_SECRET", SECRET + "\n")
    monkeypatch.setenv("ALICLOUD_SECURITY_TOKEN", "  " + TOKEN)
    monkeypatch.setenv("ALICLOUD_SHARED_CREDENTIALS_FILE", "/nonexistent/config.json")
    args = {"bucket": "examplebucket", "region": "cn-hangzhou"}
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module = OssModule({"bucket": {"type": "str", "required": True}})
            module.run(lambda oss: {"changed": False, "source": oss.client.credentials.source})
    result, out, _registered = module_answer(capsys.readouterr().out)
    assert result["source"] == "environment"
    # ansible-core 2.19 returns each warning as a WarningSummary document, 2.17 as a string.
    assert [item["event"]["msg"] if isinstance(item, dict) else item for item in result["warnings"]] == [
        f"environment variable ALICLOUD_ACCESS_KEY_ID {STRIP_WARNING}",
        f"environment variable ALICLOUD_ACCESS_KEY_SECRET {STRIP_WARNING}",
        f"environment variable ALICLOUD_SECURITY_TOKEN {STRIP_WARNING}",
    ]
    assert SECRET not in out and TOKEN not in out


def test_the_module_refuses_in_one_line_naming_the_option(capsys):
    args = {"bucket": "examplebucket", "region": "cn-hangzhou", "access_key_id": KEY_ID, "access_key_secret": SECRET, "security_token": "ab\u20accd"}
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            OssModule({"bucket": {"type": "str", "required": True}}).run(lambda oss: {"changed": False, "c": str(oss.client)})
    result = json.loads(capsys.readouterr().out)
    assert info.value.code == 1
    assert result["msg"] == (
        "option security_token holds a character outside Latin-1, which no credential holds and an HTTP header cannot carry: "
        "check that it was copied whole and alone."
    )
