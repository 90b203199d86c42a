# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for each credential source class on its own; test_credentials covers the order between them through resolve_credentials."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._credentials import (
    Context,
    Credentials,
    EcsInstanceRole,
    Environment,
    FirstFound,
    Known,
    OidcEnvironment,
    ProfileFile,
    ProfileKeys,
    Profile,
    TaskOptions,
    profile_source,
)
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssCredentialError
from ansible_collections.alicloud.oss.plugins.module_utils._roles import AssumeRole, EcsRole, OidcRole, role_request
from ansible_collections.alicloud.oss.tests.unit.credential_fakes import (
    CREDS_PATH,
    OIDC_TOKEN,
    ROLE_ARN,
    SOURCE_SECRET,
    TOKEN_ANSWER,
    harness,
    independent_signature,
    metadata_ok,
    sts_ok,
)

SIGNER = Credentials("LTAI5tSourceKey", SOURCE_SECRET, None, "task options")


def _context(params=None, environ=None, answers=()):
    h = harness(list(answers), retries=0)
    return Context(dict(params or {}), dict(environ or {}), h.transport), h


# ---------------------------------------------------------------------------------------------
# Static sources: no request, no role code
# ---------------------------------------------------------------------------------------------


def test_task_options():
    context, h = _context({"access_key_id": "LTAIopt", "access_key_secret": "s", "security_token": "t"})
    assert TaskOptions().obtain(context) == Credentials("LTAIopt", "s", "t", "task options")
    assert h.sent == []


def test_task_options_not_set_says_so():
    assert TaskOptions().obtain(_context()[0]) == "task options access_key_id/access_key_secret (not set)"


@pytest.mark.parametrize("params, option", [({"security_token": "t"}, "access_key_id"), ({"access_key_id": "x"}, "access_key_secret")])
def test_task_options_incomplete(params, option):
    with pytest.raises(OssCredentialError) as info:
        TaskOptions().obtain(_context(params)[0])
    assert info.value.option == option


def test_environment_keys():
    context, _h = _context(environ={"OSS_ACCESS_KEY_ID": "LTAIenv", "OSS_ACCESS_KEY_SECRET": "s", "OSS_SESSION_TOKEN": "t"})
    assert Environment().obtain(context) == Credentials("LTAIenv", "s", "t", "environment")


def test_environment_not_set_names_the_variables():
    text = Environment().obtain(_context()[0])
    assert text.startswith("environment variables ALICLOUD_ACCESS_KEY_ID, ") and text.endswith(" (not set)")


def test_environment_role_is_assumed_with_the_environment_keys():
    environ = {"OSS_ACCESS_KEY_ID": "LTAIenv", "OSS_ACCESS_KEY_SECRET": SOURCE_SECRET, "ALIBABA_CLOUD_ROLE_ARN": ROLE_ARN}
    context, h = _context(environ=environ, answers=[sts_ok()])
    creds = Environment().obtain(context)
    assert creds.source == f"environment (ALIBABA_CLOUD_ROLE_ARN {ROLE_ARN})"
    assert h.sent[0].query["AccessKeyId"] == "LTAIenv"
    assert SOURCE_SECRET in creds.secrets


def test_environment_role_gives_way_to_the_assume_role_option():
    environ = {"OSS_ACCESS_KEY_ID": "LTAIenv", "OSS_ACCESS_KEY_SECRET": "s", "ALIBABA_CLOUD_ROLE_ARN": ROLE_ARN}
    context, h = _context(environ=environ)
    context.assume_role = role_request(ROLE_ARN, where="assume_role")
    assert Environment().obtain(context).source == "environment"
    assert h.sent == []


def test_profile_file_absent(tmp_path):
    path = tmp_path / "none.json"
    assert ProfileFile().obtain(_context({"credentials_file": str(path)})[0]) == f"credentials file {path} (not found)"


def test_profile_file_without_the_current_profile(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"current": "x", "profiles": []}), encoding="utf-8")
    assert ProfileFile().obtain(_context({"credentials_file": str(path)})[0]) == f"credentials file {path} (it has no profile 'x')"


def test_profile_keys_modes():
    profile = Profile("p", "/f", {"access_key_id": "LTAIfile", "access_key_secret": "s", "sts_token": "t"})
    assert ProfileKeys(profile).obtain(None) == Credentials("LTAIfile", "s", None, "profile 'p' in /f")
    assert ProfileKeys(profile, token_required=True).obtain(None).security_token == "t"
    with pytest.raises(OssCredentialError, match="profile 'p' in /f has mode StsToken but no sts_token."):
        ProfileKeys(Profile("p", "/f", {"access_key_id": "a", "access_key_secret": "s"}), token_required=True).obtain(None)


@pytest.mark.parametrize(
    "data, kind",
    [
        ({"mode": "AK"}, ProfileKeys),
        ({"mode": "ststoken"}, ProfileKeys),
        ({"mode": "EcsRamRole", "ram_role_name": "r"}, EcsRole),
        ({"mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": "s", "ram_role_arn": ROLE_ARN}, AssumeRole),
        ({"mode": "OIDC", "oidc_provider_arn": "p", "oidc_token_file": "f", "ram_role_arn": ROLE_ARN}, OidcRole),
    ],
)
def test_profile_source_by_mode(data, kind):
    assert isinstance(profile_source(Profile("p", "/f", data)), kind)


def test_profile_source_refuses_other_modes():
    with pytest.raises(OssCredentialError, match="has mode ChainableRamRoleArn, which this collection does not support"):
        profile_source(Profile("p", "/f", {"mode": "ChainableRamRoleArn"}))


def test_static_credentials_import_no_role_code():
    # In a fresh interpreter: what a module run with static keys imports.
    script = (
        "import sys\n"
        "from ansible_collections.alicloud.oss.plugins.module_utils._credentials import resolve_credentials\n"
        "resolve_credentials({'access_key_id': 'a', 'access_key_secret': 's'}, {})\n"
        "print(sorted(name.rsplit('.', 1)[-1] for name in sys.modules if '.module_utils._' in name))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    loaded = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['_credentials', '_errors']"


# ---------------------------------------------------------------------------------------------
# Sources that ask a service
# ---------------------------------------------------------------------------------------------


def test_oidc_environment_not_set():
    assert OidcEnvironment().obtain(_context()[0]).startswith("OIDC role environment variables ALIBABA_CLOUD_ROLE_ARN, ")


def test_oidc_environment(tmp_path):
    token = tmp_path / "token"
    token.write_text(OIDC_TOKEN, encoding="utf-8")
    environ = {"ALIBABA_CLOUD_ROLE_ARN": ROLE_ARN, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "arn:p", "ALIBABA_CLOUD_OIDC_TOKEN_FILE": str(token)}
    context, h = _context(environ=environ, answers=[sts_ok()])
    creds = OidcEnvironment().obtain(context)
    assert creds.source == f"environment (OIDC role) (OIDC role {ROLE_ARN})"
    assert creds.spent_secrets == (OIDC_TOKEN,)
    assert h.sent[0].method == "POST"


def test_ecs_instance_role_is_never_asked_without_a_name():
    context, h = _context()
    assert EcsInstanceRole().obtain(context).startswith("ECS instance role: option ecs_role_name, environment variables ")
    assert h.sent == []


def test_ecs_instance_role_from_the_environment():
    context, h = _context(environ={"ALICLOUD_ECS_ROLE_NAME": "r"}, answers=[TOKEN_ANSWER, metadata_ok()])
    creds = EcsInstanceRole().obtain(context)
    assert creds.source == "ECS instance role 'r' from environment variable ALICLOUD_ECS_ROLE_NAME"
    assert [sent.path for sent in h.sent] == ["/latest/api/token", CREDS_PATH + "r"]


def test_assume_role_wraps_any_source():
    context, h = _context(answers=[sts_ok()])
    creds = AssumeRole(Known(SIGNER), role_request(ROLE_ARN, where="assume_role")).obtain(context)
    assert creds.source == f"assume_role {ROLE_ARN} (signed with task options)"
    assert h.sent[0].query["Signature"] == independent_signature("GET", h.sent[0].query, SOURCE_SECRET)
    assert SOURCE_SECRET in creds.secrets


def test_assume_role_passes_on_a_source_that_found_nothing():
    context, h = _context()
    assert AssumeRole(TaskOptions(), role_request(ROLE_ARN, where="assume_role")).obtain(context).endswith("(not set)")
    assert h.sent == []


def test_role_chaining_is_one_wrapper_around_another():
    context, h = _context(answers=[sts_ok("STS.first"), sts_ok("STS.second")])
    inner = AssumeRole(Known(SIGNER), role_request(ROLE_ARN, where="assume_role"))
    creds = AssumeRole(inner, role_request(ROLE_ARN + "2", where="assume_role")).obtain(context)
    assert creds.access_key_id == "STS.second"
    assert [sent.query["AccessKeyId"] for sent in h.sent] == ["LTAI5tSourceKey", "STS.first"]


def test_first_found_stops_at_the_first_and_otherwise_names_every_place():
    context, _h = _context({"access_key_id": "a", "access_key_secret": "s"})
    assert FirstFound((Environment(), TaskOptions())).obtain(context).source == "task options"
    text = FirstFound((Environment(), OidcEnvironment())).obtain(_context()[0])
    assert text.count("(not set)") == 2 and "; OIDC role environment variables" in text


def test_context_closes_only_a_transport_it_made():
    context, h = _context()
    closed = []
    h.transport.close = lambda: closed.append(1)
    context.close()
    assert closed == []
    own = Context({"timeout": 3, "retries": 1, "validate_certs": False}, {})
    transport = own.transport
    assert (transport.timeout, transport.retries, transport.validate_certs) == (3, 1, False)
    own.close()
