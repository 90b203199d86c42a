# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for credential resolution: every source, the order between them, and failures that name the source and no secret."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from ansible_collections.alicloud.oss.plugins.module_utils._credentials import (
    ENV_ACCESS_KEY_ID,
    ENV_ACCESS_KEY_SECRET,
    ENV_SECURITY_TOKEN,
    Credentials,
    load_profile,
    profile_mode,
    resolve_credentials,
)
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssCredentialError
from ansible_collections.alicloud.oss.plugins.module_utils._module import COMMON_ARGUMENT_SPEC, OssModule
from ansible_collections.alicloud.oss.plugins.module_utils import _http
from ansible_collections.alicloud.oss.plugins.module_utils._http import CredentialTransport
from ansible_collections.alicloud.oss.tests.unit.compat import module_answer, patch_module_args
from ansible_collections.alicloud.oss.tests.unit.fake_http import canned_response

OPT_SECRET = "OptionSecret-0000-aaaa"
ENV_SECRET = "EnvSecret-1111-bbbb"
FILE_SECRET = "FileSecret-2222-cccc"
FILE_TOKEN = "FileStsToken-3333-dddd"
ENV_TOKEN = "EnvStsToken-4444-eeee"
ALL_SECRETS = (OPT_SECRET, ENV_SECRET, FILE_SECRET, FILE_TOKEN, ENV_TOKEN)


def _params(**kwargs):
    params = {"access_key_id": None, "access_key_secret": None, "security_token": None, "profile": None, "credentials_file": None}
    params.update(kwargs)
    return params


def _write_config(path, profiles, current="default"):
    path.write_text(json.dumps({"current": current, "profiles": profiles, "meta_path": ""}), encoding="utf-8")
    return str(path)


AK_PROFILE = {"name": "default", "mode": "AK", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET, "region_id": "cn-hangzhou"}
STS_PROFILE = {
    "name": "sts",
    "mode": "StsToken",
    "access_key_id": "STS.file",
    "access_key_secret": FILE_SECRET,
    "sts_token": FILE_TOKEN,
    "region_id": "cn-shanghai",
}


@pytest.fixture
def config_file(tmp_path):
    return _write_config(tmp_path / "config.json", [AK_PROFILE, STS_PROFILE])


def _assert_no_secret(text):
    for secret in ALL_SECRETS:
        assert secret not in text


# ---------------------------------------------------------------------------------------------
# Precedence
# ---------------------------------------------------------------------------------------------

ENV_KEYS = {"ALICLOUD_ACCESS_KEY_ID": "LTAIenv", "ALICLOUD_ACCESS_KEY_SECRET": ENV_SECRET}


def test_options_win_over_environment_and_profile(config_file):
    params = _params(access_key_id="LTAIopt", access_key_secret=OPT_SECRET, credentials_file=config_file)
    environ = dict(ENV_KEYS, ALICLOUD_SECURITY_TOKEN=ENV_TOKEN)
    creds = resolve_credentials(params, environ)
    assert creds == Credentials("LTAIopt", OPT_SECRET, None, "task options")


def test_options_with_token(config_file):
    params = _params(access_key_id="STS.opt", access_key_secret=OPT_SECRET, security_token="OptToken", credentials_file=config_file)
    assert resolve_credentials(params, ENV_KEYS) == Credentials("STS.opt", OPT_SECRET, "OptToken", "task options")


def test_environment_wins_over_profile(config_file):
    creds = resolve_credentials(_params(credentials_file=config_file, profile="sts"), dict(ENV_KEYS))
    assert creds == Credentials("LTAIenv", ENV_SECRET, None, "environment")


def test_profile_when_nothing_else(config_file):
    creds = resolve_credentials(_params(credentials_file=config_file), {})
    assert creds == Credentials("LTAIfile", FILE_SECRET, None, f"profile 'default' in {config_file}")


def test_default_credentials_file_is_under_home(clean_environment):
    (clean_environment / ".aliyun").mkdir()
    path = _write_config(clean_environment / ".aliyun" / "config.json", [AK_PROFILE])
    creds = resolve_credentials(_params(), {})
    assert creds.access_key_id == "LTAIfile"
    assert creds.source == f"profile 'default' in {path}"


def test_credentials_file_tilde_is_expanded(clean_environment):
    _write_config(clean_environment / "creds.json", [AK_PROFILE])
    assert resolve_credentials(_params(credentials_file="~/creds.json"), {}).access_key_id == "LTAIfile"


# ---------------------------------------------------------------------------------------------
# Sources are never mixed
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, missing, option",
    [
        ({"access_key_id": "LTAIopt"}, "access_key_secret", "access_key_secret"),
        ({"access_key_id": "LTAIopt", "security_token": "tok"}, "access_key_secret", "access_key_secret"),
        ({"access_key_secret": OPT_SECRET}, "access_key_id", "access_key_id"),
    ],
)
def test_partial_options_fail_naming_both_and_never_mix(config_file, given, missing, option):
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file=config_file, **given), dict(ENV_KEYS))
    message = str(info.value)
    assert "access_key_id" in message
    assert "access_key_secret" in message
    assert f"but {missing} is not" in message
    assert "task options" in message
    assert "never mixed across sources" in message
    assert info.value.option == option
    _assert_no_secret(message)


def test_token_alone_in_options_fails_without_claiming_a_secret_was_given(config_file):
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(security_token="OptToken", credentials_file=config_file), dict(ENV_KEYS))
    message = str(info.value)
    assert "security_token" in message
    assert "access_key_id" in message
    assert "access_key_secret" in message
    assert "access_key_secret is set" not in message
    assert "never mixed across sources" in message
    assert "OptToken" not in message


@pytest.mark.parametrize(
    "environ, set_var, missing_var",
    [
        ({"OSS_ACCESS_KEY_ID": "LTAIenv"}, "OSS_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET"),
        ({"ALICLOUD_SECRET_KEY": ENV_SECRET}, "ALICLOUD_SECRET_KEY", "ALICLOUD_ACCESS_KEY_ID"),
        ({"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "OSS_SESSION_TOKEN": ENV_TOKEN}, "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET"),
    ],
)
def test_partial_environment_fails_naming_the_variables(config_file, environ, set_var, missing_var):
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file=config_file), environ)
    message = str(info.value)
    assert f"{set_var} is set in the environment but {missing_var} is not" in message
    assert "never mixed across sources" in message
    _assert_no_secret(message)


def test_environment_token_is_used_only_with_environment_keys(config_file):
    environ = dict(ENV_KEYS, ALIBABA_CLOUD_SECURITY_TOKEN=ENV_TOKEN)
    assert resolve_credentials(_params(), environ).security_token == ENV_TOKEN
    options = _params(access_key_id="LTAIopt", access_key_secret=OPT_SECRET)
    assert resolve_credentials(options, environ).security_token is None
    profile_only = resolve_credentials(_params(credentials_file=config_file), {"ALICLOUD_SECURITY_TOKEN": ENV_TOKEN})
    assert profile_only.security_token is None
    assert profile_only.source.startswith("profile 'default'")
    sts_profile = resolve_credentials(_params(credentials_file=config_file, profile="sts"), {"OSS_SESSION_TOKEN": ENV_TOKEN})
    assert sts_profile.security_token == FILE_TOKEN


# ---------------------------------------------------------------------------------------------
# Environment variable lists: first set wins
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("names", [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN], ids=["id", "secret", "token"])
def test_environment_first_set_wins(names):
    base = {ENV_ACCESS_KEY_ID[-1]: "id-last", ENV_ACCESS_KEY_SECRET[-1]: "secret-last"}
    field = {ENV_ACCESS_KEY_ID: "access_key_id", ENV_ACCESS_KEY_SECRET: "access_key_secret", ENV_SECURITY_TOKEN: "security_token"}[names]
    for position, name in enumerate(names):
        environ = dict(base)
        for later in names[position:]:
            environ[later] = f"value-of-{later}"
        for earlier in names[:position]:
            environ[earlier] = ""  # empty counts as unset
        assert getattr(resolve_credentials(_params(), environ), field) == f"value-of-{name}"


def test_environment_variable_lists_are_the_documented_ones():
    assert ENV_ACCESS_KEY_ID == ("ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_ID", "OSS_ACCESS_KEY_ID")
    assert ENV_ACCESS_KEY_SECRET == ("ALICLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "OSS_ACCESS_KEY_SECRET")
    assert ENV_SECURITY_TOKEN == ("ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN", "OSS_SESSION_TOKEN")


def test_environment_id_and_secret_may_come_from_different_variable_names():
    creds = resolve_credentials(_params(), {"OSS_ACCESS_KEY_ID": "LTAIoss", "ALICLOUD_SECRET_KEY": ENV_SECRET})
    assert creds == Credentials("LTAIoss", ENV_SECRET, None, "environment")


def test_process_environment_is_the_default(monkeypatch):
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", "LTAIproc")
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", ENV_SECRET)
    assert resolve_credentials(_params()).access_key_id == "LTAIproc"
    assert os.environ["OSS_ACCESS_KEY_ID"] == "LTAIproc"


# ---------------------------------------------------------------------------------------------
# Profile file
# ---------------------------------------------------------------------------------------------


def test_current_profile_is_used_without_a_profile_option(tmp_path):
    path = _write_config(tmp_path / "c.json", [AK_PROFILE, STS_PROFILE], current="sts")
    creds = resolve_credentials(_params(credentials_file=path), {})
    assert creds == Credentials("STS.file", FILE_SECRET, FILE_TOKEN, f"profile 'sts' in {path}")


def test_named_profile_wins_over_current(config_file):
    assert resolve_credentials(_params(credentials_file=config_file, profile="sts"), {}).security_token == FILE_TOKEN


def test_default_profile_when_current_is_missing(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"profiles": [AK_PROFILE]}), encoding="utf-8")
    assert resolve_credentials(_params(credentials_file=str(path)), {}).access_key_id == "LTAIfile"


@pytest.mark.parametrize(
    "data, mode",
    [
        ({"mode": "AK"}, "AK"),
        ({"mode": " StsToken ", "access_key_id": "x"}, "StsToken"),
        ({"access_key_id": "a", "access_key_secret": "b"}, "AK"),
        ({"access_key_id": "a", "access_key_secret": "b", "sts_token": "t"}, "StsToken"),
        ({"access_key_id": "a", "access_key_secret": "b", "ram_role_arn": "acs:ram::1:role/r"}, "RamRoleArn"),
        ({"ram_role_name": ""}, "EcsRamRole"),
        ({"ram_role_name": "my-ecs-role"}, "EcsRamRole"),
        ({}, "(none)"),
        ({"mode": ""}, "(none)"),
    ],
)
def test_profile_mode_detection(data, mode):
    assert profile_mode(data) == mode


@pytest.mark.parametrize(
    "profile, token",
    [
        ({"name": "default", "mode": "ak", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET}, None),
        ({"name": "default", "mode": "ststoken", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET, "sts_token": FILE_TOKEN}, FILE_TOKEN),
        ({"name": "default", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET}, None),
        ({"name": "default", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET, "sts_token": FILE_TOKEN}, FILE_TOKEN),
    ],
    ids=["ak-lowercase", "ststoken-lowercase", "auto-ak", "auto-sts"],
)
def test_profile_modes_supported(tmp_path, profile, token):
    path = _write_config(tmp_path / "c.json", [profile])
    creds = resolve_credentials(_params(credentials_file=path), {})
    assert (creds.access_key_id, creds.access_key_secret, creds.security_token) == ("LTAIfile", FILE_SECRET, token)


@pytest.mark.parametrize(
    "profile, expected",
    [
        (
            {"mode": "ChainableRamRoleArn", "source_profile": "x"},
            "has mode ChainableRamRoleArn, which this collection does not support; use a profile of mode AK, StsToken, RamRoleArn, EcsRamRole or OIDC",
        ),
        ({"mode": "External", "process_command": "x"}, "has mode External, which this collection does not support"),
        ({"region_id": "cn-hangzhou"}, "has mode (none), which this collection does not support"),
        ({"mode": "StsToken", "access_key_id": "a", "access_key_secret": FILE_SECRET}, "has mode StsToken but no sts_token"),
        ({"mode": "AK", "access_key_id": "a"}, "lacks access_key_id or access_key_secret"),
        ({"mode": "AK", "access_key_secret": FILE_SECRET}, "lacks access_key_id or access_key_secret"),
        ({"mode": "StsToken", "access_key_secret": FILE_SECRET, "sts_token": FILE_TOKEN}, "lacks access_key_id or access_key_secret"),
        ({"mode": "RamRoleArn", "access_key_id": "a", "ram_role_arn": "acs:ram::1:role/r"}, "lacks access_key_id or access_key_secret"),
        ({"mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": FILE_SECRET}, "has mode RamRoleArn but no ram_role_arn"),
        (
            {"mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": FILE_SECRET, "ram_role_arn": "acs:ram::1:role/r", "expired_seconds": "an hour"},
            "has an expired_seconds that is not a number of seconds",
        ),
        (
            {"mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": FILE_SECRET, "ram_role_arn": "acs:ram::1:role/r", "expired_seconds": 60},
            ": the session duration must be 900 to 43200 seconds, not 60",
        ),
        (
            {
                "mode": "RamRoleArn",
                "access_key_id": "a",
                "access_key_secret": FILE_SECRET,
                "ram_role_arn": "acs:ram::1:role/r",
                "sts_region": "evil.example.com/",
            },
            "has an sts_region 'evil.example.com/' that is not a region id",
        ),
        (
            {"mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": FILE_SECRET, "ram_role_arn": "arn:aws:iam::1:role/r"},
            ": the role ARN 'arn:aws:iam::1:role/r' is not of the form acs:ram::<account id>:role/<role name>",
        ),
        ({"mode": "OIDC"}, "has mode OIDC but no oidc_provider_arn"),
        ({"mode": "OIDC", "oidc_provider_arn": "acs:ram::1:oidc-provider/p"}, "has mode OIDC but no oidc_token_file"),
        ({"mode": "OIDC", "oidc_provider_arn": "acs:ram::1:oidc-provider/p", "oidc_token_file": "/nonexistent/token"}, "has mode OIDC but no ram_role_arn"),
        (
            {"mode": "OIDC", "oidc_provider_arn": "acs:ram::1:oidc-provider/p", "oidc_token_file": "/nonexistent/token", "ram_role_arn": "acs:ram::1:role/r"},
            ": the OIDC token file /nonexistent/token cannot be read: No such file or directory.",
        ),
    ],
)
def test_profile_problems(tmp_path, profile, expected):
    path = _write_config(tmp_path / "c.json", [dict(profile, name="p")], current="p")
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file=path), {})
    message = str(info.value)
    assert message.startswith(f"profile 'p' in {path}")
    assert expected in message
    assert info.value.option == "profile"
    _assert_no_secret(message)


def test_missing_named_profile(config_file):
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file=config_file, profile="nope"), {})
    assert str(info.value) == f"profile 'nope' is not in the credentials file {config_file}."
    assert info.value.option == "profile"


def test_named_profile_without_a_file(tmp_path):
    path = str(tmp_path / "absent.json")
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file=path, profile="prod"), {})
    assert str(info.value) == f"profile 'prod' was asked for but the credentials file {path} does not exist."


def test_named_profile_is_not_consulted_when_options_are_complete(tmp_path):
    params = _params(access_key_id="LTAIopt", access_key_secret=OPT_SECRET, credentials_file=str(tmp_path / "absent.json"), profile="prod")
    assert resolve_credentials(params, {}).source == "task options"


@pytest.mark.parametrize(
    "content, expected",
    [
        ('{"current": "default", "profiles": [{"name": "default", "access_key_secret": "' + FILE_SECRET, "is not valid JSON ("),
        ("", "is not valid JSON ("),
        (b"\xff\xfe{}", "is not valid JSON ("),
        ("[]", "does not hold a JSON object"),
        ('"text"', "does not hold a JSON object"),
        ('{"profiles": []}' + " " * (1024 * 1024), "holds more than 1048576 characters: it is not an aliyun CLI configuration."),
    ],
    ids=["truncated", "empty", "not-utf8", "list", "string", "too-large"],
)
def test_invalid_credentials_file(tmp_path, content, expected):
    path = tmp_path / "c.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file=str(path)), {})
    message = str(info.value)
    assert message.startswith(f"The credentials file {path} ")
    assert expected in message
    assert info.value.option == "credentials_file"
    _assert_no_secret(message)


def test_unreadable_credentials_file(tmp_path):
    directory = tmp_path / "is-a-directory"
    directory.mkdir()
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file=str(directory)), {})
    assert str(info.value) == f"The credentials file {directory} cannot be read: Is a directory."
    assert info.value.option == "credentials_file"


def test_entries_that_are_not_objects_are_skipped(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"current": "default", "profiles": ["default", None, AK_PROFILE]}), encoding="utf-8")
    assert resolve_credentials(_params(credentials_file=str(path)), {}).access_key_id == "LTAIfile"


def test_load_profile(config_file, tmp_path):
    profile = load_profile(_params(credentials_file=config_file, profile="sts"))
    assert (profile.name, profile.path, profile.data["region_id"]) == ("sts", config_file, "cn-shanghai")
    assert load_profile(_params(credentials_file=str(tmp_path / "absent.json"))) is None


# ---------------------------------------------------------------------------------------------
# Nothing anywhere
# ---------------------------------------------------------------------------------------------


def test_nothing_anywhere_names_every_place_looked_at(clean_environment):
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file="~/.aliyun/config.json"), {})
    message = str(info.value)
    assert message.startswith("No OSS credentials found. Looked at: ")
    assert "task options access_key_id/access_key_secret" in message
    for name in ENV_ACCESS_KEY_ID + ENV_ACCESS_KEY_SECRET:
        assert name in message
    assert os.path.join(str(clean_environment), ".aliyun", "config.json") in message
    assert info.value.option == "access_key_id"
    assert isinstance(info.value, OssConfigError)


def test_file_without_the_current_profile_is_not_reported_as_missing(tmp_path):
    path = _write_config(tmp_path / "c.json", [dict(AK_PROFILE, name="other")], current="default")
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file=path), {})
    message = str(info.value)
    assert f"credentials file {path} (it has no profile 'default')" in message
    assert "(not found)" not in message


def test_empty_values_count_as_unset(config_file):
    params = _params(access_key_id="", access_key_secret="", security_token="", credentials_file=config_file)
    environ = {"ALICLOUD_ACCESS_KEY_ID": "", "ALICLOUD_ACCESS_KEY_SECRET": ""}
    assert resolve_credentials(params, environ).source.startswith("profile 'default'")


def test_repr_of_every_source_hides_secrets(config_file):
    for creds in (
        resolve_credentials(_params(access_key_id="a", access_key_secret=OPT_SECRET, security_token=ENV_TOKEN), {}),
        resolve_credentials(_params(), dict(ENV_KEYS)),
        resolve_credentials(_params(credentials_file=config_file, profile="sts"), {}),
    ):
        _assert_no_secret(repr(creds))
        _assert_no_secret(str(creds))
        _assert_no_secret(f"{creds!r} {creds}")


# =============================================================================================
# Temporary credentials: STS (AssumeRole, AssumeRoleWithOIDC) and the ECS metadata service
# =============================================================================================

FIXED_NOW = datetime.datetime(2025, 4, 17, 15, 39, 12, tzinfo=datetime.timezone.utc)
ROLE_ARN = "acs:ram::1234567890123456:role/oss-admin"
OTHER_ROLE_ARN = "acs:ram::1234567890123456:role/other"
PROVIDER_ARN = "acs:ram::1234567890123456:oidc-provider/cluster"
OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.OidcToken-7777-hhhh"
KNOWN_KEYS = {"LTAIopt": OPT_SECRET, "LTAIenv": ENV_SECRET, "LTAIfile": FILE_SECRET, "STS.file": FILE_SECRET}
ALL_TEMP = []  # every secret and token the fake cloud handed out, for the leak checks


def _rpc_encode(text):
    return "".join(chr(b) if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "-_.~") else f"%{b:02X}" for b in str(text).encode())


def _rpc_signature(method, params, secret):
    canonical = "&".join(f"{_rpc_encode(k)}={_rpc_encode(v)}" for k, v in sorted(params.items()) if k != "Signature")
    digest = hmac.new(f"{secret}&".encode(), f"{method}&%2F&{_rpc_encode(canonical)}".encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _call(request):
    url = urlsplit(request.url)
    params = dict(parse_qsl(url.query, keep_blank_values=True))
    if request.body:
        params.update(parse_qsl(request.body.decode() if isinstance(request.body, bytes) else request.body))
    return request.method, url.netloc, url.path, params


class FakeCloud(BaseAdapter):
    """STS and the ECS metadata service behind one fake transport.

    AssumeRole checks the signature (computed here, independently) against the keys it knows and those it issued;
    issued key ids say who asked: STS.<n>-AssumeRole-<signing key id>-<role name>, STS.<n>-OIDC-<role name>,
    STS.<n>-ECS-<role name>.
    """

    def __init__(self):
        super().__init__()
        self.sent = []
        self.keys = dict(KNOWN_KEYS)
        self.tokens = {"STS.file": FILE_TOKEN}
        self.instance_role = "ecs-role"
        self.refusals = []  # (status, code, message) answers for the next STS calls

    @property
    def calls(self):
        """(method, host, path, params) of every request, params from the query and any form body."""
        return [_call(request) for request in self.sent]

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):  # pylint: disable=too-many-arguments
        self.sent.append(request)
        method, _host, path, params = _call(request)
        if path.startswith("/latest/"):
            return self._answer(request, *self._metadata(method, path))
        if self.refusals:
            status, code, message = self.refusals.pop(0)
            return self._answer(request, status, json.dumps({"Code": code, "Message": message, "RequestId": "rid-fake"}).encode())
        if params.get("Action") == "AssumeRoleWithOIDC":
            if params.get("OIDCToken") != OIDC_TOKEN:
                return self._answer(request, 400, b'{"Code": "AuthenticationFail.OIDCToken.Invalid", "Message": "bad token"}')
            return self._answer(request, 200, self._issue("OIDC", params["RoleArn"]))
        return self._answer(request, *self._assume_role(method, params))

    def _assume_role(self, method, params):
        key_id = params["AccessKeyId"]
        secret = self.keys.get(key_id)
        if secret is None or params.get("SecurityToken") != self.tokens.get(key_id):
            return 404, b'{"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}'
        if params["Signature"] != _rpc_signature(method, params, secret):
            return 400, b'{"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation."}'
        return 200, self._issue(f"AssumeRole-{key_id}", params["RoleArn"])

    def _issue(self, how, role_arn):
        key_id = f"STS.{len(self.keys)}-{how}-{role_arn.rsplit('/', 1)[-1]}"
        secret, token = f"TempSecret-{len(self.keys)}-x9", f"TempToken-{len(self.keys)}-y8"
        self.keys[key_id] = secret
        self.tokens[key_id] = token
        ALL_TEMP.extend((secret, token))
        return json.dumps(
            {
                "RequestId": "rid",
                "Credentials": {"AccessKeyId": key_id, "AccessKeySecret": secret, "SecurityToken": token, "Expiration": "2025-04-17T16:39:12Z"},
            }
        ).encode()

    def _metadata(self, method, path):
        if path == "/latest/api/token":
            return 200, b"metadata-session-token"
        name = path[len("/latest/meta-data/ram/security-credentials/") :]
        if not name:
            return 200, self.instance_role.encode()
        if name != self.instance_role:
            return 404, b"404 - Not Found"
        document = json.loads(self._issue("ECS", "role/" + name))["Credentials"]
        return 200, json.dumps(dict(document, Code="Success")).encode()

    @staticmethod
    def _answer(request, status, body):
        return canned_response(request, status, body, {"Content-Type": "application/json"})

    def close(self):
        pass


@pytest.fixture
def cloud():
    return FakeCloud()


def _transport(cloud):
    session = requests.Session()
    session.mount("http://", cloud)
    session.mount("https://", cloud)
    nonces = iter(range(1, 1000))
    return CredentialTransport(timeout=5, retries=0, session=session, sleep=lambda _s: None, clock=lambda: FIXED_NOW, nonce=lambda: f"nonce-{next(nonces)}")


def _resolve(cloud, params, environ):
    return resolve_credentials(params, environ, _transport(cloud))


def _assert_nothing_leaks(text):
    _assert_no_secret(text)
    for secret in ALL_TEMP + [OIDC_TOKEN]:
        assert secret not in text


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "oidc-token"
    path.write_text(OIDC_TOKEN + "\n", encoding="utf-8")
    return str(path)


def _oidc_env(token_file):
    return {"ALIBABA_CLOUD_ROLE_ARN": ROLE_ARN, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": PROVIDER_ARN, "ALIBABA_CLOUD_OIDC_TOKEN_FILE": token_file}


# ---------------------------------------------------------------------------------------------
# assume_role (task option)
# ---------------------------------------------------------------------------------------------


def test_assume_role_with_task_keys(cloud):
    params = _params(access_key_id="LTAIopt", access_key_secret=OPT_SECRET, assume_role={"role_arn": ROLE_ARN})
    creds = _resolve(cloud, params, {})
    assert creds.access_key_id.endswith("-AssumeRole-LTAIopt-oss-admin")
    assert creds.source == f"assume_role {ROLE_ARN} (signed with task options)"
    assert creds.expiration == "2025-04-17T16:39:12Z"
    assert OPT_SECRET in creds.secrets and creds.access_key_secret in creds.secrets and creds.security_token in creds.secrets
    ((method, host, path, query),) = cloud.calls
    assert (method, host, path) == ("GET", "sts.aliyuncs.com", "/")
    assert (query["RoleSessionName"], query["DurationSeconds"]) == ("ansible-alicloud-oss", "3600")
    assert "Policy" not in query and "ExternalId" not in query and "SecurityToken" not in query


def test_assume_role_options_are_sent(cloud):
    policy = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:ListCname", "Resource": "*"}]}
    role = {"role_arn": ROLE_ARN, "session_name": "deploy@ci", "duration_seconds": 43200, "policy": policy, "external_id": "ext-1"}
    _resolve(cloud, _params(access_key_id="LTAIopt", access_key_secret=OPT_SECRET, assume_role=role), {})
    query = cloud.calls[0][3]
    assert (query["RoleSessionName"], query["DurationSeconds"], query["ExternalId"]) == ("deploy@ci", "43200", "ext-1")
    assert json.loads(query["Policy"]) == policy


@pytest.mark.parametrize(
    "environ, profile, signer",
    [
        (dict(ENV_KEYS), None, "LTAIenv"),
        ({}, "default", "LTAIfile"),
        ({}, "sts", "STS.file"),
    ],
    ids=["environment", "profile-ak", "profile-ststoken"],
)
def test_assume_role_signs_with_whatever_source_is_found(cloud, config_file, environ, profile, signer):
    params = _params(credentials_file=config_file, profile=profile, assume_role={"role_arn": ROLE_ARN})
    creds = _resolve(cloud, params, environ)
    assert creds.access_key_id.endswith(f"-AssumeRole-{signer}-oss-admin")
    query = cloud.calls[0][3]
    assert query.get("SecurityToken") == (FILE_TOKEN if signer == "STS.file" else None)


def test_assume_role_chains_on_a_ram_role_arn_profile(cloud, tmp_path):
    path = _write_config(
        tmp_path / "c.json",
        [{"name": "default", "mode": "RamRoleArn", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET, "ram_role_arn": OTHER_ROLE_ARN}],
    )
    creds = _resolve(cloud, _params(credentials_file=path, assume_role={"role_arn": ROLE_ARN}), {})
    first, second = cloud.calls
    assert first[3]["AccessKeyId"] == "LTAIfile" and first[3]["RoleArn"] == OTHER_ROLE_ARN
    assert second[3]["AccessKeyId"].endswith("-AssumeRole-LTAIfile-other") and second[3]["RoleArn"] == ROLE_ARN
    assert second[3]["SecurityToken"].startswith("TempToken-")
    assert creds.access_key_id.endswith("-oss-admin")
    assert FILE_SECRET in creds.secrets and second[3]["SecurityToken"] in creds.secrets


def test_assume_role_chains_on_the_ecs_role(cloud):
    creds = _resolve(cloud, _params(ecs_role_name="ecs-role", assume_role={"role_arn": ROLE_ARN}), {})
    assert [call[2] for call in cloud.calls] == ["/latest/api/token", "/latest/meta-data/ram/security-credentials/ecs-role", "/"]
    assert creds.access_key_id.endswith("-ECS-ecs-role-oss-admin")


def test_assume_role_without_any_source(cloud):
    with pytest.raises(OssCredentialError) as info:
        _resolve(cloud, _params(assume_role={"role_arn": ROLE_ARN}), {})
    message = str(info.value)
    assert message.startswith(f"No credentials found to sign the AssumeRole call of assume_role (role {ROLE_ARN}). Looked at: ")
    assert info.value.option == "assume_role"
    assert cloud.calls == []


@pytest.mark.parametrize(
    "role, expected",
    [
        ({"role_arn": "oss-admin"}, "assume_role: the role ARN 'oss-admin' is not of the form acs:ram::<account id>:role/<role name>."),
        ({"role_arn": None}, "assume_role: the role ARN '' is not of the form"),
        ({"role_arn": ROLE_ARN, "duration_seconds": 899}, "assume_role: the session duration must be 900 to 43200 seconds, not 899."),
        ({"role_arn": ROLE_ARN, "duration_seconds": 43201}, "not 43201"),
        ({"role_arn": ROLE_ARN, "session_name": "has space"}, "the role session name 'has space' must be 2 to 64 letters, digits or . @ - _."),
        ({"role_arn": ROLE_ARN, "session_name": "x" * 65}, "must be 2 to 64"),
        ({"role_arn": ROLE_ARN, "policy": '{"Version": '}, "assume_role: the policy is not valid JSON."),
    ],
)
def test_assume_role_input_is_checked_before_any_request(cloud, role, expected):
    params = _params(access_key_id="LTAIopt", access_key_secret=OPT_SECRET, ecs_role_name="ecs-role", assume_role=role)
    with pytest.raises(OssCredentialError) as info:
        _resolve(cloud, params, {})
    assert expected in str(info.value)
    assert info.value.option == "assume_role"
    assert cloud.calls == []


def test_assume_role_refused_names_the_source_and_keeps_secrets_out(cloud):
    cloud.refusals.append((403, "NoPermission", f"You are not authorized (secret {ENV_SECRET})."))
    with pytest.raises(OssCredentialError) as info:
        _resolve(cloud, _params(assume_role={"role_arn": ROLE_ARN}), dict(ENV_KEYS))
    message = str(info.value)
    assert message.startswith(f"assume_role: AssumeRole of {ROLE_ARN} signed with the credentials from environment: STS refused it: NoPermission (HTTP 403): ")
    assert "Request id rid-fake." in message
    assert info.value.to_dict()["code"] == "NoPermission"
    _assert_nothing_leaks(message)


def test_wrong_source_secret_is_a_signature_mismatch(cloud):
    with pytest.raises(OssCredentialError, match="SignatureDoesNotMatch \\(HTTP 400\\)"):
        _resolve(cloud, _params(access_key_id="LTAIopt", access_key_secret="not-the-secret", assume_role={"role_arn": ROLE_ARN}), {})


# ---------------------------------------------------------------------------------------------
# Environment: keys + ALIBABA_CLOUD_ROLE_ARN
# ---------------------------------------------------------------------------------------------


def test_environment_role_arn_assumes_the_role_with_the_environment_keys(cloud):
    environ = dict(ENV_KEYS, ALIBABA_CLOUD_ROLE_ARN=ROLE_ARN, ALIBABA_CLOUD_ROLE_SESSION_NAME="env-session", ALIBABA_CLOUD_EXTERNAL_ID="env-ext")
    creds = _resolve(cloud, _params(), environ)
    assert creds.access_key_id.endswith("-AssumeRole-LTAIenv-oss-admin")
    assert creds.source == f"environment (ALIBABA_CLOUD_ROLE_ARN {ROLE_ARN})"
    query = cloud.calls[0][3]
    assert (query["RoleSessionName"], query["ExternalId"]) == ("env-session", "env-ext")
    assert ENV_SECRET in creds.secrets


def test_assume_role_option_takes_the_place_of_the_environment_role(cloud):
    environ = dict(ENV_KEYS, ALIBABA_CLOUD_ROLE_ARN=OTHER_ROLE_ARN)
    creds = _resolve(cloud, _params(assume_role={"role_arn": ROLE_ARN}), environ)
    ((_method, _host, _path, query),) = cloud.calls
    assert (query["AccessKeyId"], query["RoleArn"]) == ("LTAIenv", ROLE_ARN)
    assert creds.access_key_id.endswith("-AssumeRole-LTAIenv-oss-admin")


def test_task_keys_ignore_the_environment_role(cloud):
    creds = _resolve(cloud, _params(access_key_id="LTAIopt", access_key_secret=OPT_SECRET), dict(ENV_KEYS, ALIBABA_CLOUD_ROLE_ARN=ROLE_ARN))
    assert creds.source == "task options"
    assert cloud.calls == []


def test_environment_role_with_a_bad_session_name(cloud):
    with pytest.raises(OssCredentialError, match="environment \\(ALIBABA_CLOUD_ROLE_ARN\\): the role session name 'a b'"):
        _resolve(cloud, _params(), dict(ENV_KEYS, ALIBABA_CLOUD_ROLE_ARN=ROLE_ARN, ALIBABA_CLOUD_ROLE_SESSION_NAME="a b"))


# ---------------------------------------------------------------------------------------------
# Profile modes RamRoleArn, EcsRamRole, OIDC
# ---------------------------------------------------------------------------------------------

RAM_ROLE_PROFILE = {
    "name": "role",
    "mode": "RamRoleArn",
    "access_key_id": "LTAIfile",
    "access_key_secret": FILE_SECRET,
    "ram_role_arn": ROLE_ARN,
    "ram_session_name": "file-session",
    "expired_seconds": 1800,
    "external_id": "file-ext",
    "region_id": "cn-hangzhou",
}


def test_ram_role_arn_profile(cloud, tmp_path):
    path = _write_config(tmp_path / "c.json", [RAM_ROLE_PROFILE], current="role")
    creds = _resolve(cloud, _params(credentials_file=path), {})
    assert creds.access_key_id.endswith("-AssumeRole-LTAIfile-oss-admin")
    assert creds.source == f"profile 'role' in {path} (RamRoleArn {ROLE_ARN})"
    ((_method, host, _path, query),) = cloud.calls
    assert host == "sts.aliyuncs.com"
    assert (query["RoleSessionName"], query["DurationSeconds"], query["ExternalId"]) == ("file-session", "1800", "file-ext")
    assert FILE_SECRET in creds.secrets


def test_ram_role_arn_profile_defaults(cloud, tmp_path):
    profile = {"name": "default", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET, "ram_role_arn": ROLE_ARN}
    _resolve(cloud, _params(credentials_file=_write_config(tmp_path / "c.json", [profile])), {})
    query = cloud.calls[0][3]
    assert (query["RoleSessionName"], query["DurationSeconds"]) == ("ansible-alicloud-oss", "3600")


@pytest.mark.parametrize(
    "option, environ, host",
    [
        (None, {}, "sts.cn-shanghai.aliyuncs.com"),
        ("http://127.0.0.1:9999", {}, "127.0.0.1:9999"),
        (None, {"ALIBABA_CLOUD_STS_ENDPOINT": "sts-vpc.cn-shanghai.aliyuncs.com"}, "sts-vpc.cn-shanghai.aliyuncs.com"),
    ],
    ids=["sts_region", "option", "environment"],
)
def test_sts_endpoint_choice(cloud, tmp_path, option, environ, host):
    path = _write_config(tmp_path / "c.json", [dict(RAM_ROLE_PROFILE, sts_region="cn-shanghai")], current="role")
    _resolve(cloud, _params(credentials_file=path, sts_endpoint=option), environ)
    assert cloud.calls[0][1] == host


@pytest.mark.parametrize(
    "role_name, paths",
    [
        ("ecs-role", ["/latest/api/token", "/latest/meta-data/ram/security-credentials/ecs-role"]),
        ("", ["/latest/api/token", "/latest/meta-data/ram/security-credentials/", "/latest/meta-data/ram/security-credentials/ecs-role"]),
    ],
)
def test_ecs_ram_role_profile(cloud, tmp_path, role_name, paths):
    path = _write_config(tmp_path / "c.json", [{"name": "default", "mode": "EcsRamRole", "ram_role_name": role_name}])
    creds = _resolve(cloud, _params(credentials_file=path), {})
    assert [call[2] for call in cloud.calls] == paths
    assert {call[1] for call in cloud.calls} == {"100.100.100.200"}
    assert creds.access_key_id.endswith("-ECS-ecs-role")
    assert creds.source.startswith("ECS instance role") and f"profile 'default' in {path} (mode EcsRamRole)" in creds.source


def test_oidc_profile(cloud, tmp_path, token_file):
    profile = {
        "name": "default",
        "mode": "OIDC",
        "oidc_provider_arn": PROVIDER_ARN,
        "oidc_token_file": token_file,
        "ram_role_arn": ROLE_ARN,
        "ram_session_name": "pod",
        "sts_region": "cn-beijing",
    }
    path = _write_config(tmp_path / "c.json", [profile])
    creds = _resolve(cloud, _params(credentials_file=path), {})
    ((method, host, _path, params),) = cloud.calls
    assert (method, host) == ("POST", "sts.cn-beijing.aliyuncs.com")
    sent = (params["OIDCProviderArn"], params["OIDCToken"], params["RoleArn"], params["RoleSessionName"])
    assert sent == (PROVIDER_ARN, OIDC_TOKEN, ROLE_ARN, "pod")
    assert "Signature" not in params and "AccessKeyId" not in params
    assert creds.source == f"profile 'default' in {path} (OIDC role {ROLE_ARN})"
    assert OIDC_TOKEN in creds.secrets


def test_profile_mode_detection_knows_oidc():
    assert profile_mode({"oidc_provider_arn": "x", "oidc_token_file": "y"}) == "OIDC"


# ---------------------------------------------------------------------------------------------
# OIDC from the environment
# ---------------------------------------------------------------------------------------------


def test_oidc_environment(cloud, token_file):
    creds = _resolve(cloud, _params(), dict(_oidc_env(token_file), ALIBABA_CLOUD_ROLE_SESSION_NAME="k8s-pod"))
    ((method, _host, _path, params),) = cloud.calls
    assert method == "POST"
    assert (params["OIDCToken"], params["RoleSessionName"]) == (OIDC_TOKEN, "k8s-pod")
    assert creds.source == f"environment (OIDC role) (OIDC role {ROLE_ARN})"
    assert creds.access_key_id.endswith("-OIDC-oss-admin")


@pytest.mark.parametrize("missing", ["ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE"])
def test_incomplete_oidc_environment(cloud, token_file, missing):
    environ = _oidc_env(token_file)
    del environ[missing]
    with pytest.raises(OssCredentialError) as info:
        _resolve(cloud, _params(), environ)
    message = str(info.value)
    assert message.startswith("The OIDC role source in the environment is incomplete: ")
    assert f"but {missing} is not" in message
    assert cloud.calls == []


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "cannot be read: No such file or directory."),
        ("  \n", "is empty."),
        (b"\xff\xfe", "is not UTF-8 text."),
        ("x" * (64 * 1024 + 1), "holds more than 65536 characters: it does not hold a token."),
        ("\n" * 100 + "x" * (64 * 1024 - 50), "holds more than 65536 characters: it does not hold a token."),
    ],
    ids=["missing", "blank", "not-utf8", "too-large", "too-large-after-blank-lines"],
)
def test_oidc_token_file_problems(cloud, tmp_path, content, expected):
    path = tmp_path / "token"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(OssCredentialError) as info:
        _resolve(cloud, _params(), _oidc_env(str(path)))
    assert str(info.value) == f"environment (OIDC role): the OIDC token file {path} {expected}"
    assert cloud.calls == []


def test_oidc_refused_names_the_source_without_the_token(cloud, tmp_path):
    path = tmp_path / "token"
    path.write_text("an-old-token", encoding="utf-8")
    with pytest.raises(OssCredentialError) as info:
        _resolve(cloud, _params(), _oidc_env(str(path)))
    assert str(info.value).startswith(
        f"environment (OIDC role): AssumeRoleWithOIDC of {ROLE_ARN}: STS refused it: AuthenticationFail.OIDCToken.Invalid (HTTP 400)"
    )
    assert "an-old-token" not in str(info.value)


# ---------------------------------------------------------------------------------------------
# ECS instance role
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, environ, where",
    [
        ({"ecs_role_name": "ecs-role"}, {}, "task option ecs_role_name"),
        ({}, {"ALIBABA_CLOUD_ECS_METADATA": "ecs-role"}, "environment variable ALIBABA_CLOUD_ECS_METADATA"),
        ({}, {"ALICLOUD_ECS_ROLE_NAME": "ecs-role"}, "environment variable ALICLOUD_ECS_ROLE_NAME"),
        ({"ecs_role_name": "ecs-role"}, {"ALIBABA_CLOUD_ECS_METADATA": "other"}, "task option ecs_role_name"),
    ],
)
def test_ecs_role_name_sources(cloud, params, environ, where):
    creds = _resolve(cloud, _params(**params), environ)
    assert creds.source == f"ECS instance role 'ecs-role' from {where}"
    assert creds.access_key_id.endswith("-ECS-ecs-role")
    assert creds.expiration == "2025-04-17T16:39:12Z"


def test_empty_ecs_role_name_asks_the_instance(cloud):
    creds = _resolve(cloud, _params(ecs_role_name=""), {})
    assert creds.source == "ECS instance role (name asked from the instance) from task option ecs_role_name"
    assert len(cloud.calls) == 3


def test_metadata_endpoint_option_and_environment(cloud):
    _resolve(cloud, _params(ecs_role_name="ecs-role", ecs_metadata_endpoint="http://127.0.0.1:8181"), {})
    _resolve(cloud, _params(ecs_role_name="ecs-role"), {"ALIBABA_CLOUD_ECS_METADATA_ENDPOINT": "127.0.0.2:8282"})
    assert [call[1] for call in cloud.calls] == ["127.0.0.1:8181"] * 2 + ["127.0.0.2:8282"] * 2


def test_imdsv1_disabled_forbids_the_fallback(cloud, monkeypatch):
    original = cloud._metadata  # pylint: disable=protected-access
    monkeypatch.setattr(cloud, "_metadata", lambda method, path: (404, b"") if path == "/latest/api/token" else original(method, path))
    assert _resolve(cloud, _params(ecs_role_name="ecs-role"), {}).access_key_id.endswith("-ECS-ecs-role")
    with pytest.raises(OssCredentialError, match="ALIBABA_CLOUD_IMDSV1_DISABLED forbids the plain request"):
        _resolve(cloud, _params(ecs_role_name="ecs-role"), {"ALIBABA_CLOUD_IMDSV1_DISABLED": "true"})


def test_role_not_attached(cloud):
    with pytest.raises(OssCredentialError) as info:
        _resolve(cloud, _params(ecs_role_name="wrong-role"), {})
    assert str(info.value) == (
        "ECS instance role 'wrong-role' from task option ecs_role_name: the metadata service at http://100.100.100.200 "
        "has no credentials for the role 'wrong-role' (HTTP 404); check that this RAM role is attached to the instance."
    )
    assert info.value.option == "ecs_role_name"


def test_metadata_is_never_probed_without_a_role_name(cloud):
    with pytest.raises(OssCredentialError) as info:
        _resolve(cloud, _params(), {})
    assert cloud.calls == []
    message = str(info.value)
    assert (
        "ECS instance role: option ecs_role_name, environment variables ALIBABA_CLOUD_ECS_METADATA, ALICLOUD_ECS_ROLE_NAME "
        "(not set; the metadata service is asked only when a role name is configured)"
    ) in message
    assert ("OIDC role environment variables ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE (not set)") in message


# ---------------------------------------------------------------------------------------------
# Precedence across all the sources
# ---------------------------------------------------------------------------------------------


def _everything(tmp_path, token_file):
    path = _write_config(tmp_path / "all.json", [dict(AK_PROFILE, name="default")])
    params = _params(access_key_id="LTAIopt", access_key_secret=OPT_SECRET, credentials_file=path, ecs_role_name="ecs-role")
    environ = dict(ENV_KEYS, ALIBABA_CLOUD_OIDC_PROVIDER_ARN=PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE=token_file, ALIBABA_CLOUD_ROLE_ARN=ROLE_ARN)
    return params, environ


def test_precedence_of_every_source(cloud, tmp_path, token_file):
    params, environ = _everything(tmp_path, token_file)
    assert _resolve(cloud, params, environ).source == "task options"
    params.update(access_key_id=None, access_key_secret=None)
    assert _resolve(cloud, params, environ).source == f"environment (ALIBABA_CLOUD_ROLE_ARN {ROLE_ARN})"
    for name in ENV_KEYS:
        del environ[name]
    assert _resolve(cloud, params, environ).source.startswith("profile 'default'")
    params["credentials_file"] = str(tmp_path / "absent.json")
    assert _resolve(cloud, params, environ).source == f"environment (OIDC role) (OIDC role {ROLE_ARN})"
    environ.clear()
    assert _resolve(cloud, params, environ).source == "ECS instance role 'ecs-role' from task option ecs_role_name"
    # Only the sources that answered were asked: STS twice (environment role, OIDC), the metadata service once.
    assert [call[2] for call in cloud.calls] == ["/", "/", "/latest/api/token", "/latest/meta-data/ram/security-credentials/ecs-role"]


def test_ecs_role_name_does_not_beat_environment_keys(cloud):
    creds = _resolve(cloud, _params(ecs_role_name="ecs-role"), dict(ENV_KEYS))
    assert creds.source == "environment"
    assert cloud.calls == []


def test_secrets_of_every_temporary_source_are_all_registered(cloud, tmp_path, token_file):
    creds = _resolve(cloud, _params(assume_role={"role_arn": ROLE_ARN}), _oidc_env(token_file))
    first = cloud.calls[0][3]
    assert first["OIDCToken"] == OIDC_TOKEN
    assert set(creds.secrets) >= {OIDC_TOKEN, creds.access_key_secret, creds.security_token, cloud.calls[1][3]["SecurityToken"]}
    assert creds.source == f"assume_role {ROLE_ARN} (signed with environment (OIDC role) (OIDC role {ROLE_ARN}))"
    _assert_nothing_leaks(repr(creds))


def test_the_default_transport_follows_the_options(monkeypatch):
    made = []

    class Recorder(CredentialTransport):
        def __init__(self, **kwargs):
            made.append(kwargs)
            super().__init__(**kwargs)

    monkeypatch.setattr(_http, "CredentialTransport", Recorder)
    resolve_credentials(_params(access_key_id="LTAIopt", access_key_secret=OPT_SECRET), {})
    assert made == []  # static credentials never need HTTP
    with pytest.raises(OssCredentialError):
        resolve_credentials(dict(_params(ecs_role_name="r", timeout=0.001, retries=0, validate_certs=False), ecs_metadata_endpoint="http://127.0.0.1:9"), {})
    assert made == [{"timeout": 0.001, "retries": 0, "validate_certs": False}]


# ---------------------------------------------------------------------------------------------
# Through the module base: every secret obtained is masked
# ---------------------------------------------------------------------------------------------


def test_module_registers_temporary_and_spent_secrets(cloud, monkeypatch, capsys):
    monkeypatch.setattr(_http, "CredentialTransport", lambda **kwargs: _transport(cloud))
    args = {"bucket": "examplebucket", "region": "cn-hangzhou", "assume_role": {"role_arn": ROLE_ARN}, "ecs_role_name": "ecs-role"}
    seen = {}

    def handler(module):
        client = module.client
        seen.update(credentials=client.credentials, no_log=set(module.module.no_log_values))
        return {"changed": False, "msg": f"{client.credentials.access_key_secret} {client.credentials.security_token}"}

    with patch_module_args(args):
        with pytest.raises(SystemExit):
            OssModule({"bucket": {"type": "str", "required": True}}).run(handler)
    result, out, _registered = module_answer(capsys.readouterr().out)
    creds = seen["credentials"]
    assert creds.access_key_id.endswith("-ECS-ecs-role-oss-admin")
    assert set(creds.secrets) <= seen["no_log"]
    assert len(creds.secrets) == 4  # the temporary pair, and the ECS role's pair that signed AssumeRole
    _assert_nothing_leaks(out)
    assert result["changed"] is False


def test_module_argument_spec_has_the_credential_source_options(capsys):
    seen = {}

    def handler(module):
        seen.update(module.params)
        return {"changed": False}

    args = {"bucket": "b", "access_key_id": "LTAIopt", "access_key_secret": OPT_SECRET, "assume_role": {"role_arn": ROLE_ARN}}
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            OssModule({"bucket": {"type": "str", "required": True}}).run(handler)
    assert seen["assume_role"] == {"role_arn": ROLE_ARN, "session_name": "ansible-alicloud-oss", "duration_seconds": 3600, "policy": None, "external_id": None}
    assert (seen["ecs_role_name"], seen["sts_endpoint"], seen["ecs_metadata_endpoint"]) == (None, None, "http://100.100.100.200")
    spec = COMMON_ARGUMENT_SPEC
    assert spec["assume_role"]["options"]["role_arn"]["required"] is True
    assert spec["assume_role"]["options"]["policy"]["type"] == "json"
