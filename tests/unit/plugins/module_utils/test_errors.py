# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the typed errors: hints, the error dict and the one-line description."""

from __future__ import annotations

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._errors import (
    CERTIFICATE_RAM_ACTIONS,
    OssConfigError,
    OssCredentialError,
    OssError,
    OssResponseError,
    OssServiceError,
    OssTransportError,
)


def _service(code="AccessDenied", message="You have no right to access this object.", ec=None, status=403, **kwargs):
    return OssServiceError(status, code, message, request_id="5C3D9175B6FC201293AD4890", host_id="b.oss-cn-hangzhou.aliyuncs.com", ec=ec, **kwargs)


@pytest.mark.parametrize("cls", [OssConfigError, OssCredentialError, OssTransportError, OssResponseError, OssServiceError])
def test_every_error_is_an_oss_error(cls):
    assert issubclass(cls, OssError)


def test_credential_error_is_a_config_error():
    error = OssCredentialError("no credentials", "access_key_id")
    assert isinstance(error, OssConfigError)
    assert error.option == "access_key_id"
    assert error.to_dict() is None


def test_defaults():
    assert OssConfigError("x").option is None
    transport = OssTransportError("x")
    assert (transport.attempts, transport.retryable) == (1, True)
    response = OssResponseError("x")
    assert (response.status, response.request_id, response.attempts, response.operation) == (None, None, 1, None)
    assert response.to_dict() == {"code": None, "message": "x", "request_id": None, "host_id": None, "ec": None, "status": None}
    service = OssServiceError(500, "InternalError", "boom")
    assert (service.request_id, service.host_id, service.ec, service.extra, service.attempts, service.operation) == (None, None, None, {}, 1, None)
    assert str(service) == "InternalError: boom"


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("SignatureDoesNotMatch", "access_key_secret belongs to access_key_id"),
        ("InvalidAccessKeyId", "check access_key_id"),
        ("SecurityTokenExpired", "STS security token has expired"),
        ("InvalidSecurityToken", "pass security_token"),
        ("RequestTimeTooSkewed", "more than 15 minutes"),
        ("AccessDenied", "oss:PutCname"),
        ("AccessDenied", "yundun-cert:CreateSSLCertificate"),
        ("NoSuchBucket", "bucket's region"),
        ("NonStandardHostForbidden", "not to the custom domain"),
        ("NoSuchCnameInRecord", "ICP filing"),
        ("CnameAlreadyExists", "unbind it there first"),
        ("CnameDenied", "in use elsewhere"),
        ("CnameIsForbidden", "*.aliyuncs.com"),
        ("CnameIsRisk", "high-risk"),
        ("CertificateInvalidCasId", "12345678-cn-hangzhou"),
        ("TooManyCnameToken", "1000"),
    ],
)
def test_hints_by_code(code, fragment):
    assert fragment in _service(code=code).hint


@pytest.mark.parametrize(
    "ec, fragment",
    [
        ("0018-00000209", "previous_cert_id does not match"),
        ("0018-00000210", "private key was sent without its certificate"),
        ("0017-00000249", "longer than 3 characters"),
    ],
)
def test_hints_by_ec_take_precedence(ec, fragment):
    assert fragment in _service(code="InvalidArgument", ec=ec).hint
    assert fragment in _service(code="AccessDenied", ec=ec).hint


@pytest.mark.parametrize("code, ec", [("InternalError", None), ("InvalidArgument", "0018-00000301"), ("Whatever", "")])
def test_no_hint(code, ec):
    assert _service(code=code, ec=ec).hint is None


@pytest.mark.parametrize("operation", ["CreateCnameToken", "GetCnameToken", "PutCname", "ListCname", "DeleteCname"])
def test_access_denied_names_only_the_action_the_request_needed(operation):
    error = _service()
    error.operation = operation
    assert error.hint == f"The credentials lack permission for this request: grant the RAM action oss:{operation} on the bucket."


def test_access_denied_on_a_certificate_bind_names_the_certificate_actions_too():
    error = _service()
    error.operation = "PutCname"
    error.extra_ram_actions = CERTIFICATE_RAM_ACTIONS
    assert error.hint == (
        "The credentials lack permission for this request: grant the RAM actions oss:PutCname, "
        "yundun-cert:DescribeSSLCertificatePrivateKey, yundun-cert:DescribeSSLCertificatePublicKeyDetail and "
        "yundun-cert:CreateSSLCertificate (the oss: one on the bucket)."
    )


def test_cname_already_exists_says_to_unbind_once():
    # The emulator's message, modelled on the documentation, already gives the advice.
    error = _service(
        code="CnameAlreadyExists", status=409, message="The CNAME is already mapped to another bucket. Unbind it there first.", extra={"CnameType": "CNAME_OSS"}
    )
    error.operation = "PutCname"
    assert error.describe().lower().count("unbind it there first") == 1
    assert error.hint == "The domain is bound to another bucket of this account."


@pytest.mark.parametrize(
    "cname_type, hint",
    [
        ("CNAME_OSS", "The domain is bound to another bucket of this account: unbind it there first."),
        ("CNAME_IMG", "The domain is used by the legacy image processing service: unbind it there first."),
        (None, "The domain is bound to another bucket of this account, or used by legacy image processing: unbind it there first."),
    ],
)
def test_cname_already_exists_says_where_the_domain_is_used(cname_type, hint):
    extra = {"CnameType": cname_type} if cname_type else {}
    assert _service(code="CnameAlreadyExists", status=409, message="The cname already exists.", extra=extra).hint == hint


def test_unknown_ec_falls_back_to_the_code_hint():
    assert "ICP filing" in _service(code="NoSuchCnameInRecord", ec="0099-00000000").hint


def test_to_dict_shape():
    error = _service(
        code="CnameAlreadyExists", message="The cname already exists.", ec="0018-00000213", status=409, extra={"CnameType": "CNAME_OSS"}, attempts=2
    )
    assert error.to_dict() == {
        "code": "CnameAlreadyExists",
        "message": "The cname already exists.",
        "request_id": "5C3D9175B6FC201293AD4890",
        "host_id": "b.oss-cn-hangzhou.aliyuncs.com",
        "ec": "0018-00000213",
        "status": 409,
        "extra": {"CnameType": "CNAME_OSS"},
    }


def test_to_dict_without_extra_has_exactly_six_keys():
    assert set(_service().to_dict()) == {"code", "message", "request_id", "host_id", "ec", "status"}


def test_extra_is_copied():
    extra = {"Bucket": "b"}
    error = _service(extra=extra)
    extra["Bucket"] = "changed"
    assert error.extra == {"Bucket": "b"}
    error.to_dict()["extra"]["Bucket"] = "changed again"
    assert error.extra == {"Bucket": "b"}


def test_describe_full():
    error = _service(code="InvalidArgument", message="The previous cert id is wrong.", ec="0018-00000209", status=400)
    assert error.describe() == (
        "InvalidArgument (HTTP 400): The previous cert id is wrong. previous_cert_id does not match the certificate bound now: re-read the "
        "binding (cname_info) or set force: true to overwrite unconditionally. EC 0018-00000209. Request id 5C3D9175B6FC201293AD4890."
    )


def test_describe_minimal():
    error = OssServiceError(500, "InternalError", "We encountered an internal error")
    assert error.describe() == "InternalError (HTTP 500): We encountered an internal error."


@pytest.mark.parametrize(
    "code, message, ec",
    [
        ("AccessDenied", "You have no right to access this object because of bucket acl.", None),
        ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.", None),
        ("CnameAlreadyExists", "The cname already exists.", "0018-00000213"),
        ("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", None),
    ],
)
def test_describe_is_one_line_and_ends_with_a_period(code, message, ec):
    text = _service(code=code, message=message, ec=ec).describe()
    assert "\n" not in text
    assert text.endswith(".")
    assert ".." not in text
    assert text.startswith(f"{code} (HTTP 403): ")
    assert "5C3D9175B6FC201293AD4890" in text
