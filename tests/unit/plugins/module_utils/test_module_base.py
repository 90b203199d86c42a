# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the module base: a tiny module built on OssModule, run the way Ansible runs a module."""

from __future__ import annotations

import json
import uuid

import pytest
from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.alicloud.oss.plugins.module_utils import _module
from ansible_collections.alicloud.oss.plugins.module_utils._cname_api import list_cname, put_cname
from ansible_collections.alicloud.oss.plugins.module_utils._errors import (
    OssResponseError,
    OssServiceError,
    OssTransportError,
)
from ansible_collections.alicloud.oss.plugins.module_utils._module import (
    COMMON_ARGUMENT_SPEC,
    ModuleFailure,
    OssModule,
    describe_error,
)
from ansible_collections.alicloud.oss.tests.unit.compat import module_answer, patch_module_args
from ansible_collections.alicloud.oss.tests.unit.fake_http import canned_response

KEY_ID = "LTAI5tModuleTestKey"
OPT_SECRET = "ModuleOptionSecret-5555-ffff"
ENV_SECRET = "ModuleEnvSecret-6666-gggg"
ENV_TOKEN = "ModuleEnvToken-7777-hhhh"
BASE_ARGS = {"bucket": "examplebucket", "region": "cn-hangzhou", "access_key_id": KEY_ID, "access_key_secret": OPT_SECRET}


class _Adapter:
    """A minimal transport adapter for requests: one canned answer per call."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = []

    def send(self, request, **kwargs):
        self.calls.append((request, kwargs))
        status, body, headers = self.answers.pop(0)
        return canned_response(request, status, body, headers)

    def close(self):
        pass


def _run(args, handler, capsys, spec=None):
    """Run a module whose main() is OssModule(spec).run(handler); return (exit code, result dict)."""
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            module = OssModule(spec if spec is not None else {"bucket": {"type": "str", "required": True}})
            module.run(handler)
    result, out, _registered = module_answer(capsys.readouterr().out)
    return info.value.code, result, out


def _mount(module, answers):
    adapter = _Adapter(answers)
    module.client.session.mount("https://", adapter)
    module.client.session.mount("http://", adapter)
    return adapter


def _error_answer(status, code, message, request_id="rid-module", **extra):
    parts = "".join(f"<{tag}>{value}</{tag}>" for tag, value in extra.items())
    body = (
        f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId>"
        f"<HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>{parts}</Error>"
    ).encode()
    return (status, body, {"x-oss-request-id": request_id, "Content-Type": "application/xml"})


# ---------------------------------------------------------------------------------------------
# Success and argument handling
# ---------------------------------------------------------------------------------------------


def test_success_exits_with_the_handler_result(capsys):
    def handler(module):
        _mount(module, [(200, b"<ListCnameResult><Cname><Domain>example.com</Domain></Cname></ListCnameResult>", {})])
        listing = list_cname(module.client, module.bucket())
        return {"changed": False, "domains": [entry["domain"] for entry in listing["cnames"]], "cname_target": module.cname_target(module.bucket())}

    code, result, _out = _run(dict(BASE_ARGS), handler, capsys)
    assert code == 0
    assert result["changed"] is False
    assert result["domains"] == ["example.com"]
    assert result["cname_target"] == "examplebucket.oss-cn-hangzhou.aliyuncs.com"
    assert "failed" not in result


def test_common_options_and_defaults(capsys):
    seen = {}

    def handler(module):
        seen.update(module.params)
        seen["check_mode"] = module.check_mode
        return {"changed": False}

    code, _result, _out = _run(dict(BASE_ARGS, _ansible_check_mode=True), handler, capsys)
    assert code == 0
    assert seen["addressing_style"] == "auto"
    assert seen["signature_version"] == "v4"
    assert seen["validate_certs"] is True
    assert seen["timeout"] == 30.0
    assert seen["retries"] == 4
    assert seen["check_mode"] is True
    assert set(COMMON_ARGUMENT_SPEC) <= set(seen)


def test_aliases(capsys):
    seen = {}

    def handler(module):
        seen.update(module.params)
        return {"changed": False}

    args = {"bucket": "examplebucket", "region": "cn-hangzhou", "alicloud_access_key": KEY_ID, "secret_key": OPT_SECRET}
    _run(args, handler, capsys)
    assert (seen["access_key_id"], seen["access_key_secret"]) == (KEY_ID, OPT_SECRET)


def test_unknown_option_fails(capsys):
    code, result, _out = _run(dict(BASE_ARGS, bogus_option=1), lambda module: {"changed": False}, capsys)
    assert code == 1
    assert result["failed"] is True
    assert "bogus_option" in result["msg"]


@pytest.mark.parametrize("name, value", [("addressing_style", "sideways"), ("signature_version", "v2")])
def test_choices_are_enforced(capsys, name, value):
    code, result, _out = _run(dict(BASE_ARGS, **{name: value}), lambda module: {"changed": False}, capsys)
    assert code == 1
    assert name in result["msg"]


def test_v4_without_any_region_fails_naming_region(capsys):
    args = {"bucket": "examplebucket", "access_key_id": KEY_ID, "access_key_secret": OPT_SECRET}
    code, result, _out = _run(args, lambda module: {"changed": False, "region": module.client.endpoint.region}, capsys)
    assert code == 1
    assert result["failed"] is True
    assert "Set region (for example cn-hangzhou) or endpoint" in result["msg"]
    assert "error" not in result


def test_v4_with_an_endpoint_that_names_no_region_fails_naming_region(capsys):
    args = dict(BASE_ARGS, endpoint="http://127.0.0.1:9000")
    del args["region"]
    code, result, _out = _run(args, lambda module: {"changed": False, "region": module.client.endpoint.region}, capsys)
    assert code == 1
    assert "signature_version v4 needs a region" in result["msg"]
    assert "set region" in result["msg"]


def test_v1_with_an_endpoint_needs_no_region(capsys):
    args = dict(BASE_ARGS, endpoint="http://127.0.0.1:9000", signature_version="v1")
    del args["region"]
    code, result, _out = _run(args, lambda module: {"changed": False, "url": module.client.endpoint.url}, capsys)
    assert code == 0
    assert result["url"] == "http://127.0.0.1:9000"


def test_region_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_REGION_ID", "oss-cn-shanghai")
    args = dict(BASE_ARGS)
    del args["region"]
    code, result, _out = _run(args, lambda module: {"changed": False, "target": module.cname_target("examplebucket")}, capsys)
    assert code == 0
    assert result["target"] == "examplebucket.oss-cn-shanghai.aliyuncs.com"


def test_region_from_the_profile(capsys, tmp_path):
    path = tmp_path / "config.json"
    profile = {"name": "p", "mode": "AK", "access_key_id": "LTAIfile", "access_key_secret": "FileSecret", "region_id": "cn-beijing"}
    path.write_text(json.dumps({"current": "p", "profiles": [profile]}))
    args = {"bucket": "examplebucket", "credentials_file": str(path)}

    def handler(module):
        return {"changed": False, "region": module.client.endpoint.region, "source": module.client.credentials.source}

    code, result, _out = _run(args, handler, capsys)
    assert code == 0
    assert result["region"] == "cn-beijing"
    assert result["source"] == f"profile 'p' in {path}"


@pytest.mark.parametrize(
    "endpoint, region",
    [
        ("http://127.0.0.1:9000", "cn-beijing"),
        ("https://oss-proxy.example.com", "cn-beijing"),
        ("https://oss-cn-shanghai.aliyuncs.com", "cn-shanghai"),  # the endpoint's host names a region: it wins
    ],
    ids=["ip-address", "custom-host", "oss-host"],
)
def test_region_from_the_profile_with_an_endpoint_that_names_none(capsys, tmp_path, endpoint, region):
    path = tmp_path / "config.json"
    profile = {"name": "p", "mode": "AK", "access_key_id": "LTAIfile", "access_key_secret": "FileSecret", "region_id": "cn-beijing"}
    path.write_text(json.dumps({"current": "p", "profiles": [profile]}))
    args = {"bucket": "examplebucket", "credentials_file": str(path), "endpoint": endpoint}
    code, result, _out = _run(args, lambda module: {"changed": False, "region": module.client.endpoint.region}, capsys)
    assert (code, result["region"]) == (0, region)


def test_an_endpoint_without_region_and_no_profile_still_asks_for_region(capsys, tmp_path):
    args = {"bucket": "examplebucket", "credentials_file": str(tmp_path / "none.json"), "endpoint": "http://127.0.0.1:9000"}
    args.update(access_key_id="LTAIx", access_key_secret="S")
    code, result, _out = _run(args, lambda module: {"changed": False, "region": module.client.endpoint.region}, capsys)
    assert code == 1
    assert result["msg"].startswith("signature_version v4 needs a region, and none was given or found in the endpoint 'http://127.0.0.1:9000'")


def test_credentials_file_from_the_environment(capsys, tmp_path, monkeypatch):
    path = tmp_path / "elsewhere.json"
    path.write_text(json.dumps({"profiles": [{"name": "default", "access_key_id": "LTAIenvfile", "access_key_secret": "S"}]}))
    monkeypatch.setenv("ALICLOUD_SHARED_CREDENTIALS_FILE", str(path))
    args = {"bucket": "examplebucket", "region": "cn-hangzhou"}
    code, result, _out = _run(args, lambda module: {"changed": False, "key": module.client.credentials.access_key_id}, capsys)
    assert code == 0
    assert result["key"] == "LTAIenvfile"


@pytest.mark.parametrize("timeout", [0, -1, 0.0])
def test_timeout_must_be_positive(capsys, timeout):
    code, result, _out = _run(dict(BASE_ARGS, timeout=timeout), lambda module: {"changed": False, "c": str(module.client)}, capsys)
    assert code == 1
    assert result["msg"].startswith("timeout must be a positive number of seconds")


def test_retries_must_not_be_negative(capsys):
    code, result, _out = _run(dict(BASE_ARGS, retries=-1), lambda module: {"changed": False, "c": str(module.client)}, capsys)
    assert code == 1
    assert result["msg"] == "retries must be 0 or more, not -1."


@pytest.mark.parametrize(
    "timeout, shown", [(1e300, "1e+300"), (3600.5, "3600.5"), (float("inf"), "inf"), (float("nan"), "nan")], ids=["1e300", "over-an-hour", "inf", "nan"]
)
def test_timeout_is_at_most_an_hour(capsys, timeout, shown):
    code, result, _out = _run(dict(BASE_ARGS, timeout=timeout), lambda module: {"changed": False, "c": str(module.client)}, capsys)
    assert code == 1
    assert result["msg"] == f"timeout must be a positive number of seconds, at most 3600 (one hour), not {shown}."


def test_retries_are_at_most_ten(capsys):
    code, result, _out = _run(dict(BASE_ARGS, retries=10**30), lambda module: {"changed": False, "c": str(module.client)}, capsys)
    assert code == 1
    assert result["msg"] == f"retries must be at most 10, not {10**30}: each retry waits longer, up to 20 s."


@pytest.mark.parametrize("timeout, retries", [(3600, 10), (0.001, 0)])
def test_the_bounds_themselves_are_accepted(capsys, timeout, retries):
    code, result, _out = _run(dict(BASE_ARGS, timeout=timeout, retries=retries), lambda module: {"changed": False, "r": module.client.retries}, capsys)
    assert (code, result["r"]) == (0, retries)


def test_client_gets_the_options(capsys):
    seen = {}

    def handler(module):
        client = module.client
        seen.update(
            timeout=client.timeout, retries=client.retries, verify=client.validate_certs, version=client.signature_version, same=client is module.client
        )
        return {"changed": False}

    _run(dict(BASE_ARGS, timeout=2.5, retries=1, validate_certs=False, signature_version="v1"), handler, capsys)
    assert seen == {"timeout": 2.5, "retries": 1, "verify": False, "version": "v1", "same": True}


def test_bad_bucket_fails_before_any_request(capsys):
    def handler(module):
        adapter = _mount(module, [])
        module.bucket()
        return {"changed": False, "calls": len(adapter.calls)}

    code, result, _out = _run(dict(BASE_ARGS, bucket="examplebucket.oss-cn-hangzhou.aliyuncs.com"), handler, capsys)
    assert code == 1
    assert result["msg"] == ("bucket 'examplebucket.oss-cn-hangzhou.aliyuncs.com' looks like the bucket's host name: use the bucket name 'examplebucket'.")


# ---------------------------------------------------------------------------------------------
# Failures
# ---------------------------------------------------------------------------------------------


def test_service_error_becomes_one_line_failure_with_error_dict(capsys):
    def handler(module):
        _mount(
            module, [_error_answer(409, "CnameAlreadyExists", "The cname already exists.\n  It is bound elsewhere.", EC="0018-00000213", CnameType="CNAME_OSS")]
        )
        put_cname(module.client, module.bucket(), "example.com")
        return {"changed": True}

    code, result, _out = _run(dict(BASE_ARGS), handler, capsys)
    assert code == 1
    assert result["failed"] is True
    assert "\n" not in result["msg"]
    assert "  " not in result["msg"]
    assert result["msg"].startswith("OSS refused PutCname: CnameAlreadyExists (HTTP 409): The cname already exists. It is bound elsewhere.")
    assert "unbind it there first" in result["msg"]
    assert "rid-module" in result["msg"]
    error = dict(result["error"])
    assert error.pop("extra") == {"CnameType": "CNAME_OSS"}
    assert error == {
        "code": "CnameAlreadyExists",
        "message": "The cname already exists.\n  It is bound elsewhere.",
        "request_id": "rid-module",
        "host_id": "examplebucket.oss-cn-hangzhou.aliyuncs.com",
        "ec": "0018-00000213",
        "status": 409,
    }


def test_service_error_raised_directly(capsys):
    def handler(module):
        raise OssServiceError(403, "AccessDenied", "You have no right.", "rid-x", "host-x", "0003-00000001")

    code, result, _out = _run(dict(BASE_ARGS), handler, capsys)
    assert code == 1
    assert result["error"] == {
        "code": "AccessDenied",
        "message": "You have no right.",
        "request_id": "rid-x",
        "host_id": "host-x",
        "ec": "0003-00000001",
        "status": 403,
    }
    assert result["msg"].startswith("OSS refused the request: AccessDenied (HTTP 403): You have no right.")
    assert "The credentials lack permission." in result["msg"]


def test_retried_service_error_says_how_many_attempts(capsys):
    def handler(module):
        _mount(module, [_error_answer(503, "ServiceUnavailable", "Please retry.", request_id=f"rid-{n}") for n in range(3)])
        module.client.transport.sleep = lambda seconds: None
        list_cname(module.client, "examplebucket")
        return {"changed": False}

    code, result, _out = _run(dict(BASE_ARGS, retries=2), handler, capsys)
    assert code == 1
    assert result["msg"].startswith("OSS refused ListCname after 3 attempts: ServiceUnavailable (HTTP 503)")
    assert result["error"]["request_id"] == "rid-2"


def test_response_error_is_one_line(capsys):
    def handler(module):
        _mount(module, [(403, b"<html>\n<body>\nAccess blocked by firewall\n", {"x-oss-request-id": "rid-html", "Content-Type": "text/html"})])
        list_cname(module.client, "examplebucket")
        return {"changed": False}

    code, result, _out = _run(dict(BASE_ARGS), handler, capsys)
    assert code == 1
    assert result["msg"].startswith("Unusable OSS answer to ListCname: OSS answered HTTP 403 with a body that is not an OSS error document (text/html; ")
    assert result["error"]["status"] == 403 and result["error"]["code"] is None
    assert "rid-html" in result["msg"]
    assert "\n" not in result["msg"]


def test_module_failure_passes_its_error_and_result(capsys):
    def handler(module):
        raise ModuleFailure("Domain not verified yet.", error={"code": "NeedVerifyDomainOwnership"}, txt_record="_dnsauth.example.com")

    code, result, _out = _run(dict(BASE_ARGS), handler, capsys)
    assert code == 1
    assert result["msg"] == "Domain not verified yet."
    assert result["error"] == {"code": "NeedVerifyDomainOwnership"}
    assert result["txt_record"] == "_dnsauth.example.com"


def test_unexpected_exception_has_no_traceback_in_msg(capsys):
    def handler(module):
        raise KeyError("missing\nthing")

    code, result, _out = _run(dict(BASE_ARGS), handler, capsys)
    assert code == 1
    assert result["failed"] is True
    assert result["msg"].startswith("Unexpected error in alicloud.oss (KeyError: ")
    assert result["msg"].endswith("please report it.")
    assert "Traceback" not in result["msg"]
    assert "\n" not in result["msg"]
    assert "error" not in result


def test_secret_from_the_environment_is_masked_in_the_output(capsys, monkeypatch):
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY_SECRET", ENV_SECRET)
    monkeypatch.setenv("ALICLOUD_SECURITY_TOKEN", ENV_TOKEN)

    def handler(module):
        assert module.client.credentials.source == "environment"
        raise RuntimeError(f"something printed the secret {ENV_SECRET} and the token {ENV_TOKEN}")

    code, result, out = _run({"bucket": "examplebucket", "region": "cn-hangzhou"}, handler, capsys)
    assert code == 1
    assert ENV_SECRET not in out
    assert ENV_TOKEN not in out
    assert "********" in result["msg"]


def test_secret_from_the_environment_is_masked_in_a_success_result(capsys, monkeypatch):
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", ENV_SECRET)

    def handler(module):
        return {"changed": False, "oops": f"x{ENV_SECRET}y", "client": repr(module.client.credentials)}

    code, _result, out = _run({"bucket": "examplebucket", "region": "cn-hangzhou"}, handler, capsys)
    assert code == 0
    assert ENV_SECRET not in out


def test_secrets_read_by_the_module_are_registered_with_the_controller(capsys, monkeypatch):
    """From ansible-core 2.22 on, the controller masks only the secrets a module registers; older ones have no such list.

    The registry lives as long as the process and reports a secret only the first time: these secrets are new."""
    pytest.importorskip("ansible.module_utils.secrets", reason="ansible-core 2.21 and older: no secret registry")
    secret, token = f"RegisteredSecret-{uuid.uuid4().hex}", f"RegisteredToken-{uuid.uuid4().hex}"
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY_SECRET", secret)
    monkeypatch.setenv("ALICLOUD_SECURITY_TOKEN", token)
    with patch_module_args({"bucket": "examplebucket", "region": "cn-hangzhou"}):
        with pytest.raises(SystemExit):
            OssModule({"bucket": {"type": "str", "required": True}}).run(
                lambda module: {"changed": False, "c": f"{module.client.credentials.access_key_secret}"}
            )
    result, out, registered = module_answer(capsys.readouterr().out)
    assert {secret, token} <= set(registered)
    assert secret not in out and token not in out
    assert "deprecations" not in result


def test_the_invocation_holds_no_secret(capsys):
    """With the invocation injected (ANSIBLE_INJECT_INVOCATION), the echoed options hold no secret on any ansible-core."""
    password = f"EndpointPa55-{uuid.uuid4().hex}"
    args = dict(BASE_ARGS, endpoint=f"https://user:{password}@oss-cn-hangzhou.aliyuncs.com")
    if "inject_invocation" in PASS_VARS:  # ansible-core 2.19 and later; older ones always return the invocation
        args["_ansible_inject_invocation"] = True
    code, result, out = _run(args, lambda module: {"changed": False, "c": str(module.client)}, capsys)
    assert code == 1 and "holds a user name or password" in result["msg"]
    assert password not in out and OPT_SECRET not in out
    assert result["invocation"]["module_args"]["access_key_secret"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("s3cret", "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"),
        ("a s3cret b", "a ******** b"),
        ("a long-s3cret", "a ********"),
        ({"k": ["x s3cret", True, None, 3]}, {"k": ["x ********", True, None, 3]}),
        (("s3cret",), ["VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"]),
        (12345, "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"),
        (False, False),
    ],
    ids=["equal", "inside", "longest-first", "nested", "tuple", "number", "bool"],
)
def test_without_secrets(value, expected):
    assert _module.without_secrets(value, ["long-s3cret", "s3cret", "12345"]) == expected


def test_hiding_an_empty_value_masks_nothing(capsys):
    def handler(module):
        module.hide("")
        module.hide("  ")
        return {"changed": False, "text": "plain"}

    _code, result, _out = _run(dict(BASE_ARGS), handler, capsys)
    assert result["text"] == "plain"


def test_secret_option_is_masked(capsys):
    def handler(module):
        raise ModuleFailure(f"echo {module.params['access_key_secret']}")

    _code, _result, out = _run(dict(BASE_ARGS), handler, capsys)
    assert OPT_SECRET not in out


def test_missing_credentials_message(capsys):
    args = {"bucket": "examplebucket", "region": "cn-hangzhou"}
    code, result, _out = _run(args, lambda module: {"changed": False, "c": str(module.client)}, capsys)
    assert code == 1
    assert result["msg"].startswith("No OSS credentials found. Looked at: ")


@pytest.mark.parametrize("constant, library", [("REQUESTS_IMPORT_ERROR", "requests"), ("DEFUSEDXML_IMPORT_ERROR", "defusedxml")])
def test_missing_library_uses_missing_required_lib(capsys, monkeypatch, constant, library):
    monkeypatch.setattr(_module, constant, "Traceback (most recent call last):\nImportError: No module named " + library)
    called = []
    code, result, _out = _run(dict(BASE_ARGS), lambda module: called.append(1) or {"changed": False}, capsys)
    assert code == 1
    assert called == []
    assert f"Failed to import the required Python library ({library})" in result["msg"]


def test_client_is_closed_after_the_handler(capsys):
    closed = []

    def handler(module):
        module.client.session.close = lambda: closed.append(True)
        raise ModuleFailure("stop")

    _run(dict(BASE_ARGS), handler, capsys)
    assert closed == [True]


# ---------------------------------------------------------------------------------------------
# describe_error
# ---------------------------------------------------------------------------------------------


def test_describe_error_kinds():
    transport = OssTransportError("ListCname: no answer from oss-cn-hangzhou.aliyuncs.com within the timeout of 30 s (after 5 attempts)", 5)
    assert describe_error(transport).startswith("Could not reach OSS: ListCname: no answer from oss-cn-hangzhou.aliyuncs.com")
    response = OssResponseError("OSS answered HTTP 502 without an error document.", 502, "rid", attempts=3)
    response.operation = "PutCname"
    text = describe_error(response)
    assert text.startswith("Unusable OSS answer to PutCname after 3 attempts: OSS answered HTTP 502 without an error document.")
    assert "after 3 attempts" in text
    service = OssServiceError(404, "NoSuchBucket", "The specified bucket does not exist.", "rid")
    assert describe_error(service) == "OSS refused the request: " + service.describe()
    service.operation, service.attempts = "ListCname", 2
    assert describe_error(service) == "OSS refused ListCname after 2 attempts: " + service.describe()
