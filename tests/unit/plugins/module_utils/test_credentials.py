# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for credential resolution: options, then environment, then an aliyun CLI profile; never mixed."""

from __future__ import annotations

import json
import os

import pytest

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
STS_PROFILE = {"name": "sts", "mode": "StsToken", "access_key_id": "STS.file", "access_key_secret": FILE_SECRET, "sts_token": FILE_TOKEN,
               "region_id": "cn-shanghai"}


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

@pytest.mark.parametrize("given, missing, option", [
    ({"access_key_id": "LTAIopt"}, "access_key_secret", "access_key_secret"),
    ({"access_key_id": "LTAIopt", "security_token": "tok"}, "access_key_secret", "access_key_secret"),
    ({"access_key_secret": OPT_SECRET}, "access_key_id", "access_key_id"),
])
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


@pytest.mark.parametrize("environ, set_var, missing_var", [
    ({"OSS_ACCESS_KEY_ID": "LTAIenv"}, "OSS_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET"),
    ({"ALICLOUD_SECRET_KEY": ENV_SECRET}, "ALICLOUD_SECRET_KEY", "ALICLOUD_ACCESS_KEY_ID"),
    ({"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "OSS_SESSION_TOKEN": ENV_TOKEN}, "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET"),
])
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
    assert ENV_ACCESS_KEY_SECRET == ("ALICLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                                     "OSS_ACCESS_KEY_SECRET")
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


@pytest.mark.parametrize("data, mode", [
    ({"mode": "AK"}, "AK"),
    ({"mode": " StsToken ", "access_key_id": "x"}, "StsToken"),
    ({"access_key_id": "a", "access_key_secret": "b"}, "AK"),
    ({"access_key_id": "a", "access_key_secret": "b", "sts_token": "t"}, "StsToken"),
    ({"access_key_id": "a", "access_key_secret": "b", "ram_role_arn": "acs:ram::1:role/r"}, "RamRoleArn"),
    ({"ram_role_name": ""}, "EcsRamRole"),
    ({"ram_role_name": "my-ecs-role"}, "EcsRamRole"),
    ({}, "(none)"),
    ({"mode": ""}, "(none)"),
])
def test_profile_mode_detection(data, mode):
    assert profile_mode(data) == mode


@pytest.mark.parametrize("profile, token", [
    ({"name": "default", "mode": "ak", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET}, None),
    ({"name": "default", "mode": "ststoken", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET, "sts_token": FILE_TOKEN},
     FILE_TOKEN),
    ({"name": "default", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET}, None),
    ({"name": "default", "access_key_id": "LTAIfile", "access_key_secret": FILE_SECRET, "sts_token": FILE_TOKEN}, FILE_TOKEN),
], ids=["ak-lowercase", "ststoken-lowercase", "auto-ak", "auto-sts"])
def test_profile_modes_supported(tmp_path, profile, token):
    path = _write_config(tmp_path / "c.json", [profile])
    creds = resolve_credentials(_params(credentials_file=path), {})
    assert (creds.access_key_id, creds.access_key_secret, creds.security_token) == ("LTAIfile", FILE_SECRET, token)


@pytest.mark.parametrize("profile, expected", [
    ({"mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": FILE_SECRET, "ram_role_arn": "acs:ram::1:role/r"},
     "has mode RamRoleArn, which this collection does not support; use a profile of mode AK or StsToken"),
    ({"mode": "EcsRamRole", "ram_role_name": "r"}, "has mode EcsRamRole, which this collection does not support"),
    ({"ram_role_name": "r"}, "has mode EcsRamRole, which this collection does not support"),
    ({"mode": "OIDC"}, "has mode OIDC, which this collection does not support"),
    ({"region_id": "cn-hangzhou"}, "has mode (none), which this collection does not support"),
    ({"mode": "StsToken", "access_key_id": "a", "access_key_secret": FILE_SECRET}, "has mode StsToken but no sts_token"),
    ({"mode": "AK", "access_key_id": "a"}, "lacks access_key_id or access_key_secret"),
    ({"mode": "AK", "access_key_secret": FILE_SECRET}, "lacks access_key_id or access_key_secret"),
    ({"mode": "StsToken", "access_key_secret": FILE_SECRET, "sts_token": FILE_TOKEN}, "lacks access_key_id or access_key_secret"),
])
def test_profile_problems(tmp_path, profile, expected):
    path = _write_config(tmp_path / "c.json", [dict(profile, name="p")], current="p")
    with pytest.raises(OssCredentialError) as info:
        resolve_credentials(_params(credentials_file=path), {})
    message = str(info.value)
    assert message.startswith(f"profile 'p' in {path} ")
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


@pytest.mark.parametrize("content, expected", [
    ('{"current": "default", "profiles": [{"name": "default", "access_key_secret": "' + FILE_SECRET, "is not valid JSON ("),
    ("", "is not valid JSON ("),
    (b"\xff\xfe{}", "is not valid JSON ("),
    ("[]", "does not hold a JSON object"),
    ('"text"', "does not hold a JSON object"),
], ids=["truncated", "empty", "not-utf8", "list", "string"])
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
    for creds in (resolve_credentials(_params(access_key_id="a", access_key_secret=OPT_SECRET, security_token=ENV_TOKEN), {}),
                  resolve_credentials(_params(), dict(ENV_KEYS)),
                  resolve_credentials(_params(credentials_file=config_file, profile="sts"), {})):
        _assert_no_secret(repr(creds))
        _assert_no_secret(str(creds))
        _assert_no_secret(f"{creds!r} {creds}")
