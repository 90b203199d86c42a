# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the STS client: AssumeRole, AssumeRoleWithOIDC, and the scrubbing of what STS says."""

from __future__ import annotations

import json
import os
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import requests

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssCredentialError
from ansible_collections.alicloud.oss.plugins.module_utils._http import CredentialTransport
from ansible_collections.alicloud.oss.plugins.module_utils._redact import redact
from ansible_collections.alicloud.oss.plugins.module_utils._rpc import percent_encode, rpc_string_to_sign
from ansible_collections.alicloud.oss.plugins.module_utils._sts import RoleRequest, StsClient, StsError, TemporaryCredentials
from ansible_collections.alicloud.oss.tests.unit.credential_fakes import (
    KEYS,
    OIDC_TOKEN,
    ROLE,
    ROLE_ARN,
    SOURCE_SECRET,
    SOURCE_TOKEN,
    STS_KEYS,
    TEMP_SECRET,
    TEMP_TOKEN,
    Source,
    assert_no_secret,
    harness,
    independent_signature,
    sts_error,
    sts_ok,
)


# ---------------------------------------------------------------------------------------------
# AssumeRole
# ---------------------------------------------------------------------------------------------


def test_assume_role_request_and_result():
    h = harness([sts_ok()])
    creds = StsClient("https://sts.aliyuncs.com", h.transport).assume_role(KEYS, ROLE, "test", "assume_role")
    assert creds == TemporaryCredentials("STS.NTtemporary", TEMP_SECRET, TEMP_TOKEN, "2025-04-17T16:39:12Z")
    (sent,) = h.sent
    assert sent.request.method == "GET"
    assert sent.request.url.startswith("https://sts.aliyuncs.com/?")
    assert sent.request.body is None
    assert sent.timeout == (30.0, 30.0)
    query = sent.query
    assert query == {
        "Action": "AssumeRole",
        "Format": "JSON",
        "Version": "2015-04-01",
        "AccessKeyId": "LTAI5tSourceKey",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": "nonce-1",
        "Timestamp": "2025-04-17T15:39:12Z",
        "RoleArn": ROLE_ARN,
        "RoleSessionName": "ansible-alicloud-oss",
        "DurationSeconds": "3600",
        "Signature": query["Signature"],
    }
    assert query["Signature"] == independent_signature("GET", query, SOURCE_SECRET)
    assert "Authorization" not in sent.request.headers
    assert sent.request.headers["User-Agent"].startswith("alicloud.oss/")


def test_assume_role_optional_parameters_and_sts_source():
    policy = '{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:ListCname", "Resource": "*"}]}'
    role = RoleRequest(ROLE_ARN, "my.session", 900, policy, "ext-id 42")
    h = harness([sts_ok()])
    StsClient("http://127.0.0.1:9000/sts", h.transport).assume_role(STS_KEYS, role, "test", None)
    (sent,) = h.sent
    assert sent.request.url.startswith("http://127.0.0.1:9000/sts/?")
    query = sent.query
    assert (query["Policy"], query["ExternalId"], query["SecurityToken"], query["DurationSeconds"]) == (policy, "ext-id 42", SOURCE_TOKEN, "900")
    assert query["Signature"] == independent_signature("GET", query, SOURCE_SECRET)
    # On the wire: RFC 3986 encoding (spaces as %20, never +).
    raw_query = urlsplit(sent.request.url).query
    assert "ExternalId=ext-id%2042" in raw_query
    assert "+" not in raw_query.replace("%2B", "")


def test_sts_refusal_names_code_status_message_and_request_id():
    h = harness([sts_error(404, "EntityNotExist.Role", "The role not exists: " + ROLE_ARN + ".")])
    with pytest.raises(StsError) as info:
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role(KEYS, ROLE, "assume_role: AssumeRole of X", "assume_role")
    message = str(info.value)
    assert message.startswith("assume_role: AssumeRole of X: STS refused it: EntityNotExist.Role (HTTP 404): The role not exists: ")
    assert "Check the role ARN" in message
    assert message.endswith("Request id rid-err.")
    assert info.value.option == "assume_role"
    assert info.value.to_dict() == {
        "code": "EntityNotExist.Role",
        "message": "The role not exists: " + ROLE_ARN + ".",
        "request_id": "rid-err",
        "host_id": "sts.aliyuncs.com",
        "ec": None,
        "status": 404,
    }
    assert isinstance(info.value, OssCredentialError)
    assert len(h.sent) == 1


def test_signature_mismatch_message_never_shows_the_string_to_sign_or_the_token():
    echoed = rpc_string_to_sign("GET", {"AccessKeyId": "STS.SourceKey", "SecurityToken": SOURCE_TOKEN})
    h = harness([sts_error(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:" + echoed)])
    with pytest.raises(StsError) as info:
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role(STS_KEYS, ROLE, "test", None)
    message = str(info.value)
    assert "SignatureDoesNotMatch (HTTP 400): Specified signature is not matched with our calculation." in message
    assert "string to sign" not in message
    assert_no_secret(message)
    assert_no_secret(json.dumps(info.value.to_dict()))


def test_secrets_echoed_anywhere_in_a_server_message_are_removed():
    h = harness([sts_error(400, "InvalidParameter", f"bad token {SOURCE_TOKEN} and {percent_encode(SOURCE_SECRET)}")])
    with pytest.raises(StsError) as info:
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role(STS_KEYS, ROLE, "test", None)
    assert "(secret)" in str(info.value)
    assert_no_secret(str(info.value))


@pytest.mark.parametrize(
    "answer, expected",
    [
        ((502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"}), "STS answered HTTP 502 with a body that is not an STS error document (text/html)"),
        ((403, b"", {}), "STS answered HTTP 403 with a body that is not an STS error document (no content type)"),
        ((400, b'["list"]', {"Content-Type": "application/json"}), "HTTP 400 with a body that is not an STS error document"),
        ((200, {"RequestId": "rid-x"}, {}), "STS answered HTTP 200 without usable Credentials. Request id rid-x."),
        ((200, {"Credentials": {"AccessKeyId": "STS.x", "AccessKeySecret": "", "SecurityToken": "t"}}, {}), "without usable Credentials"),
        ((200, b"not json", {}), "without usable Credentials"),
    ],
)
def test_unusable_sts_answers(answer, expected):
    h = harness([answer], retries=0)
    with pytest.raises(StsError) as info:
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role(KEYS, ROLE, "src", None)
    assert str(info.value).startswith("src: ")
    assert expected in str(info.value)


def test_server_errors_and_throttling_are_retried_with_a_fresh_nonce():
    h = harness([(503, b"busy", {}), sts_error(400, "Throttling.User", "Request was denied due to user flow control."), sts_ok()])
    creds = StsClient("https://sts.aliyuncs.com", h.transport).assume_role(KEYS, ROLE, "test", None)
    assert creds.access_key_id == "STS.NTtemporary"
    assert [sent.query["SignatureNonce"] for sent in h.sent] == ["nonce-1", "nonce-2", "nonce-3"]
    assert all(sent.query["Signature"] == independent_signature("GET", sent.query, SOURCE_SECRET) for sent in h.sent)
    assert h.sleeps == [0.5, 1.0]


def test_client_errors_are_not_retried():
    h = harness([sts_error(403, "NoPermission", "You are not authorized to do this action.")])
    with pytest.raises(StsError) as info:
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role(KEYS, ROLE, "test", None)
    assert "trust policy" in str(info.value)
    assert (len(h.sent), h.sleeps) == (1, [])


def test_retries_give_up_with_the_last_answer():
    h = harness([(503, b"", {})] * 3, retries=2)
    with pytest.raises(StsError, match=r"STS answered HTTP 503"):
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role(KEYS, ROLE, "test", None)
    assert len(h.sent) == 3


def test_connection_failures_are_retried_and_reported_without_the_url():
    url_text = f"https://sts.aliyuncs.com/?SecurityToken={percent_encode(SOURCE_TOKEN)}"
    failure = requests.exceptions.ConnectionError(
        f"HTTPSConnectionPool(host='sts.aliyuncs.com', port=443): Max retries exceeded with "
        f"url: /?SecurityToken={percent_encode(SOURCE_TOKEN)} (Caused by {url_text})"
    )
    h = harness([failure, failure, failure], retries=2)
    with pytest.raises(OssCredentialError) as info:
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role(STS_KEYS, ROLE, "src", None)
    message = str(info.value)
    assert message.startswith("src: the connection to sts.aliyuncs.com failed (")
    assert message.endswith("(after 3 attempts).")
    assert_no_secret(message)
    assert len(h.sent) == 3


@pytest.mark.parametrize(
    "failure, expected, attempts",
    [
        (
            requests.exceptions.ConnectionError("Failed to resolve 'sts.invalid' ([Errno -2] Name or service not known)"),
            "the host name of sts.aliyuncs.com could not be resolved.",
            1,
        ),
        (requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "the TLS handshake with sts.aliyuncs.com failed", 1),
        (requests.exceptions.ReadTimeout("read timed out"), "no answer from sts.aliyuncs.com within the timeout of 30 s (after 3 attempts).", 3),
    ],
)
def test_transport_failures(failure, expected, attempts):
    h = harness([failure] * 3, retries=2)
    with pytest.raises(OssCredentialError) as info:
        StsClient("sts.aliyuncs.com", h.transport).assume_role(KEYS, ROLE, "src", None)
    assert expected in str(info.value)
    assert len(h.sent) == attempts


# ---------------------------------------------------------------------------------------------
# AssumeRoleWithOIDC
# ---------------------------------------------------------------------------------------------


def test_oidc_request_carries_the_token_in_the_body_and_is_not_signed():
    h = harness([sts_ok()])
    role = RoleRequest(ROLE_ARN, "pod-session", 1800, '{"Version": "1"}')
    client = StsClient("https://sts.cn-hangzhou.aliyuncs.com", h.transport)
    creds = client.assume_role_with_oidc("acs:ram::1:oidc-provider/p", OIDC_TOKEN, role, "oidc", None)
    assert creds.security_token == TEMP_TOKEN
    (sent,) = h.sent
    assert sent.request.method == "POST"
    assert sent.query == {"Action": "AssumeRoleWithOIDC", "Format": "JSON", "Version": "2015-04-01", "Timestamp": "2025-04-17T15:39:12Z"}
    assert sent.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = dict(parse_qsl(sent.request.body.decode()))
    assert form == {
        "RoleArn": ROLE_ARN,
        "OIDCProviderArn": "acs:ram::1:oidc-provider/p",
        "OIDCToken": OIDC_TOKEN,
        "RoleSessionName": "pod-session",
        "DurationSeconds": "1800",
        "Policy": '{"Version": "1"}',
    }
    assert OIDC_TOKEN not in unquote(sent.request.url)


def test_oidc_refusal_never_shows_the_token():
    h = harness([sts_error(400, "AuthenticationFail.OIDCToken.Invalid", f"The OIDC token {OIDC_TOKEN} is expired.")])
    with pytest.raises(StsError) as info:
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role_with_oidc("arn:p", OIDC_TOKEN, ROLE, "env OIDC", None)
    assert str(info.value).startswith("env OIDC: STS refused it: AuthenticationFail.OIDCToken.Invalid (HTTP 400)")
    assert_no_secret(str(info.value))


def test_redact_covers_encoded_forms():
    text = f"{SOURCE_TOKEN} {percent_encode(SOURCE_TOKEN)} {percent_encode(percent_encode(SOURCE_TOKEN))}"
    assert redact(text, [SOURCE_TOKEN, None, ""]) == "(secret) (secret) (secret)"


def test_temporary_credentials_repr_hides_secrets():
    creds = TemporaryCredentials("STS.x", TEMP_SECRET, TEMP_TOKEN, "2025-01-01T00:00:00Z")
    assert_no_secret(repr(creds))
    assert_no_secret(str(creds))


# ---------------------------------------------------------------------------------------------
# Against the emulator's independent verifier
# ---------------------------------------------------------------------------------------------

EMULATOR_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "emulator")


@pytest.fixture
def emulator():
    sys.path.insert(0, os.path.abspath(EMULATOR_DIR))
    try:
        ossemu = pytest.importorskip("ossemu")
        with ossemu.Emulator() as emu:
            yield emu
    finally:
        sys.path.remove(os.path.abspath(EMULATOR_DIR))


def test_the_emulator_accepts_our_signature_for_every_kind_of_value(emulator):
    transport = CredentialTransport(timeout=5, retries=0)
    client = StsClient(emulator.endpoint, transport)
    key = Source("LTAI5tEmulatorKey0001", "EmulatorSecret0001xxxxxxxxxxxxxx")
    policy = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:*"], "Resource": ["acs:oss:*:*:demo-bucket/*"]}]})
    first = client.assume_role(key, RoleRequest(ROLE_ARN, "a.b@c-d_e", 900, policy), "test", None)
    # Role chaining: the temporary credentials and their token sign the next call.
    partner = RoleRequest("acs:ram::1234567890123456:role/oss-cname-partner", "chained", 3600, None, "emulator-external-id")
    second = client.assume_role(Source(*first[:3]), partner, "test", None)
    assert second.access_key_id.startswith("STS.")
    transport.close()
