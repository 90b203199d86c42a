# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the credential services: the STS RPC signature, AssumeRole, AssumeRoleWithOIDC and the ECS metadata service."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import requests

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssCredentialError
from ansible_collections.alicloud.oss.tests.unit.fake_http import FakeAdapter
from ansible_collections.alicloud.oss.plugins.module_utils._sts import (
    CredentialTransport,
    MetadataClient,
    RoleRequest,
    StsClient,
    StsError,
    TemporaryCredentials,
    canonical_query,
    percent_encode,
    redact,
    rpc_signature,
    rpc_string_to_sign,
    service_url,
)

NOW = datetime.datetime(2025, 4, 17, 15, 39, 12, tzinfo=datetime.timezone.utc)
ROLE_ARN = "acs:ram::1234567890123456:role/oss-cname-admin"
SOURCE_SECRET = "SourceSecret-aaaa-1111"
SOURCE_TOKEN = "SourceToken/with+chars=-bbbb-2222"
OIDC_TOKEN = "eyJhbGciOi.OidcToken-cccc-3333"
TEMP_SECRET = "TempSecret-dddd-4444"
TEMP_TOKEN = "TempToken-eeee-5555"
METADATA_SESSION_TOKEN = "MetadataSessionToken-ffff-6666"
SECRETS = (SOURCE_SECRET, SOURCE_TOKEN, OIDC_TOKEN, TEMP_SECRET, TEMP_TOKEN, METADATA_SESSION_TOKEN)


class Source(NamedTuple):
    access_key_id: str
    access_key_secret: str
    security_token: str | None = None


KEYS = Source("LTAI5tSourceKey", SOURCE_SECRET)
STS_KEYS = Source("STS.SourceKey", SOURCE_SECRET, SOURCE_TOKEN)
ROLE = RoleRequest(ROLE_ARN, "ansible-alicloud-oss", 3600)


# ---------------------------------------------------------------------------------------------
# Fake HTTP
# ---------------------------------------------------------------------------------------------

class Harness(NamedTuple):
    transport: CredentialTransport
    adapter: FakeAdapter
    sleeps: list

    @property
    def sent(self):
        return self.adapter.calls


def harness(answers, retries=2, timeout=30.0):
    session = requests.Session()
    adapter = FakeAdapter(answers)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    sleeps = []
    nonces = iter(f"nonce-{number}" for number in range(1, 100))
    transport = CredentialTransport(timeout=timeout, retries=retries, session=session, sleep=sleeps.append, jitter=lambda: 0.5,
                                    clock=lambda: NOW, nonce=lambda: next(nonces))
    return Harness(transport, adapter, sleeps)


def sts_ok(key_id="STS.NTtemporary", expiration="2025-04-17T16:39:12Z"):
    return (200, {"RequestId": "rid-ok", "AssumedRoleUser": {"Arn": ROLE_ARN + "/s", "AssumedRoleId": "3:s"},
                  "Credentials": {"AccessKeyId": key_id, "AccessKeySecret": TEMP_SECRET, "SecurityToken": TEMP_TOKEN,
                                  "Expiration": expiration}}, {"Content-Type": "application/json"})


def sts_error(status, code, message, request_id="rid-err"):
    return (status, {"RequestId": request_id, "HostId": "sts.aliyuncs.com", "Code": code, "Message": message,
                     "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code}, {"Content-Type": "application/json"})


def assert_no_secret(text):
    for secret in SECRETS:
        for form in (secret, percent_encode(secret), percent_encode(percent_encode(secret))):
            assert form not in text


def independent_signature(method, params, secret):
    """The RPC signature computed here from the documentation's prose, without the module's helpers."""
    def encode(text):
        return "".join(chr(b) if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "-_.~") else f"%{b:02X}" for b in text.encode())

    canonical = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()) if k != "Signature")
    string_to_sign = f"{method}&%2F&{encode(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


# ---------------------------------------------------------------------------------------------
# The RPC signature
# ---------------------------------------------------------------------------------------------

# The worked example of the RPC signature documentation (AccessKeySecret testsecret, DescribeRegions).
DOC_PARAMS = {"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z",
              "Version": "2014-05-26"}


def test_signature_reproduces_the_documented_example():
    assert rpc_string_to_sign("GET", DOC_PARAMS) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")
    assert rpc_signature("GET", DOC_PARAMS, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


@pytest.mark.parametrize("text, expected", [
    ("a b", "a%20b"), ("a*b", "a%2Ab"), ("a~b", "a~b"), ("a+b", "a%2Bb"), ("a/b", "a%2Fb"), ("a=b&c", "a%3Db%26c"),
    ("-_.", "-_."), ("é", "%C3%A9"), ("{\"k\": 1}", "%7B%22k%22%3A%201%7D"), (3600, "3600"),
])
def test_percent_encoding(text, expected):
    assert percent_encode(text) == expected


def test_canonical_query_sorts_by_name():
    assert canonical_query({"b": "2", "a": "x y", "B": "3"}) == "B=3&a=x%20y&b=2"


@pytest.mark.parametrize("params", [
    {"Action": "AssumeRole", "Policy": '{"Statement": [{"Action": "oss:*", "Resource": "*"}]}', "RoleSessionName": "a.b@c-d_e"},
    {"Action": "AssumeRole", "Name": "ünïcödé ~*'()!"},
])
def test_signature_matches_an_independent_computation(params):
    assert rpc_signature("GET", params, "s3cr3t") == independent_signature("GET", params, "s3cr3t")
    assert rpc_signature("POST", params, "s3cr3t") != rpc_signature("GET", params, "s3cr3t")


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
    assert query == {"Action": "AssumeRole", "Format": "JSON", "Version": "2015-04-01", "AccessKeyId": "LTAI5tSourceKey",
                     "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": "nonce-1",
                     "Timestamp": "2025-04-17T15:39:12Z", "RoleArn": ROLE_ARN, "RoleSessionName": "ansible-alicloud-oss",
                     "DurationSeconds": "3600", "Signature": query["Signature"]}
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
    assert info.value.to_dict() == {"code": "EntityNotExist.Role", "message": "The role not exists: " + ROLE_ARN + ".",
                                    "request_id": "rid-err", "host_id": "sts.aliyuncs.com", "ec": None, "status": 404}
    assert isinstance(info.value, OssCredentialError)
    assert len(h.sent) == 1


def test_signature_mismatch_message_never_shows_the_string_to_sign_or_the_token():
    echoed = rpc_string_to_sign("GET", {"AccessKeyId": "STS.SourceKey", "SecurityToken": SOURCE_TOKEN})
    h = harness([sts_error(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:"
                           + echoed)])
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


@pytest.mark.parametrize("answer, expected", [
    ((502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"}), "STS answered HTTP 502 with a body that is not an STS error "
                                                                        "document (text/html)"),
    ((403, b"", {}), "STS answered HTTP 403 with a body that is not an STS error document (no content type)"),
    ((400, b'["list"]', {"Content-Type": "application/json"}), "HTTP 400 with a body that is not an STS error document"),
    ((200, {"RequestId": "rid-x"}, {}), "STS answered HTTP 200 without usable Credentials. Request id rid-x."),
    ((200, {"Credentials": {"AccessKeyId": "STS.x", "AccessKeySecret": "", "SecurityToken": "t"}}, {}), "without usable Credentials"),
    ((200, b"not json", {}), "without usable Credentials"),
])
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
    failure = requests.exceptions.ConnectionError(f"HTTPSConnectionPool(host='sts.aliyuncs.com', port=443): Max retries exceeded with "
                                                  f"url: /?SecurityToken={percent_encode(SOURCE_TOKEN)} (Caused by {url_text})")
    h = harness([failure, failure, failure], retries=2)
    with pytest.raises(OssCredentialError) as info:
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role(STS_KEYS, ROLE, "src", None)
    message = str(info.value)
    assert message.startswith("src: the connection to sts.aliyuncs.com failed (")
    assert message.endswith("(after 3 attempts).")
    assert_no_secret(message)
    assert len(h.sent) == 3


@pytest.mark.parametrize("failure, expected, attempts", [
    (requests.exceptions.ConnectionError("Failed to resolve 'sts.invalid' ([Errno -2] Name or service not known)"),
     "the host name of sts.aliyuncs.com could not be resolved.", 1),
    (requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
     "the TLS handshake with sts.aliyuncs.com failed", 1),
    (requests.exceptions.ReadTimeout("read timed out"), "no answer from sts.aliyuncs.com within the timeout of 30 s (after 3 attempts).", 3),
])
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
    assert form == {"RoleArn": ROLE_ARN, "OIDCProviderArn": "acs:ram::1:oidc-provider/p", "OIDCToken": OIDC_TOKEN,
                    "RoleSessionName": "pod-session", "DurationSeconds": "1800", "Policy": '{"Version": "1"}'}
    assert OIDC_TOKEN not in unquote(sent.request.url)


def test_oidc_refusal_never_shows_the_token():
    h = harness([sts_error(400, "AuthenticationFail.OIDCToken.Invalid", f"The OIDC token {OIDC_TOKEN} is expired.")])
    with pytest.raises(StsError) as info:
        StsClient("https://sts.aliyuncs.com", h.transport).assume_role_with_oidc("arn:p", OIDC_TOKEN, ROLE, "env OIDC", None)
    assert str(info.value).startswith("env OIDC: STS refused it: AuthenticationFail.OIDCToken.Invalid (HTTP 400)")
    assert_no_secret(str(info.value))


# ---------------------------------------------------------------------------------------------
# ECS metadata service
# ---------------------------------------------------------------------------------------------

def metadata_ok(key_id="STS.NTecs"):
    return (200, json.dumps({"AccessKeyId": key_id, "AccessKeySecret": TEMP_SECRET, "SecurityToken": TEMP_TOKEN,
                             "Expiration": "2025-04-17T21:39:12Z", "LastUpdated": "2025-04-17T15:39:12Z", "Code": "Success"}).encode(), {})


TOKEN_ANSWER = (200, METADATA_SESSION_TOKEN.encode(), {})
CREDS_PATH = "/latest/meta-data/ram/security-credentials/"


def test_hardened_mode_first():
    h = harness([TOKEN_ANSWER, metadata_ok()])
    creds = MetadataClient("http://100.100.100.200", h.transport).role_credentials("my-role", "ecs", "ecs_role_name")
    assert creds == TemporaryCredentials("STS.NTecs", TEMP_SECRET, TEMP_TOKEN, "2025-04-17T21:39:12Z")
    put, get = h.sent
    assert (put.request.method, put.request.url) == ("PUT", "http://100.100.100.200/latest/api/token")
    assert put.request.headers["X-aliyun-ecs-metadata-token-ttl-seconds"] == "300"
    assert (get.request.method, get.request.url) == ("GET", "http://100.100.100.200" + CREDS_PATH + "my-role")
    assert get.request.headers["X-aliyun-ecs-metadata-token"] == METADATA_SESSION_TOKEN
    # Link-local: connecting is capped, and no proxy from the environment is used.
    assert put.timeout == (5.0, 30.0)
    assert all(sent.proxies.get("http") is None for sent in h.sent)


@pytest.mark.parametrize("status", [403, 404, 405])
def test_plain_get_when_the_token_api_is_missing_or_refused(status):
    h = harness([(status, b"", {}), metadata_ok()])
    creds = MetadataClient("http://100.100.100.200", h.transport).role_credentials("my-role", "ecs", None)
    assert creds.access_key_id == "STS.NTecs"
    assert "X-aliyun-ecs-metadata-token" not in h.sent[1].request.headers


def test_plain_get_forbidden_by_imdsv1_disabled():
    h = harness([(404, b"", {})])
    with pytest.raises(OssCredentialError, match="refused a session token \\(HTTP 404\\) and ALIBABA_CLOUD_IMDSV1_DISABLED forbids"):
        MetadataClient("http://100.100.100.200", h.transport, allow_plain=False).role_credentials("my-role", "ecs", None)


def test_unreachable_metadata_service_is_not_retried():
    h = harness([requests.exceptions.ConnectTimeout("connect timed out")] * 3)
    with pytest.raises(OssCredentialError) as info:
        MetadataClient("http://100.100.100.200", h.transport).role_credentials("my-role", "ECS instance role 'my-role' from x", None)
    assert str(info.value) == ("ECS instance role 'my-role' from x: the ECS metadata service at http://100.100.100.200 could not be used "
                               "(this source works only on an ECS instance): no answer from 100.100.100.200 within the timeout of 30 s.")
    assert (len(h.sent), h.sleeps) == (1, [])


def test_role_discovery_with_an_empty_name():
    h = harness([TOKEN_ANSWER, (200, b"found-role\n", {}), metadata_ok()])
    MetadataClient("http://127.0.0.1:8080/", h.transport).role_credentials("", "ecs", None)
    assert [sent.path for sent in h.sent] == ["/latest/api/token", CREDS_PATH, CREDS_PATH + "found-role"]
    assert all(sent.request.headers.get("X-aliyun-ecs-metadata-token") == METADATA_SESSION_TOKEN for sent in h.sent[1:])


@pytest.mark.parametrize("answers, expected", [
    ([TOKEN_ANSWER, (200, b"\n", {})], "ecs: no RAM role is attached to this ECS instance"),
    ([TOKEN_ANSWER, (404, b"<html>404</html>", {})], "ecs: the metadata service at http://100.100.100.200 answered HTTP 404."),
])
def test_role_discovery_failures(answers, expected):
    h = harness(answers)
    with pytest.raises(OssCredentialError, match=expected):
        MetadataClient("http://100.100.100.200", h.transport).role_credentials("", "ecs", None)


@pytest.mark.parametrize("answer, expected", [
    ((404, b"<html>404 - Not Found</html>", {}), "has no credentials for the role 'my-role' (HTTP 404); check that this RAM role is attached"),
    ((401, b"", {}), "answered HTTP 401"),
    ((200, json.dumps({"Code": "Failed", "AccessKeyId": "x", "AccessKeySecret": TEMP_SECRET, "SecurityToken": TEMP_TOKEN}).encode(), {}),
     "answered without usable credentials (Code Failed)"),
    ((200, b"<html>captive portal</html>", {}), "answered without usable credentials (Code missing)"),
])
def test_metadata_credential_failures(answer, expected):
    h = harness([TOKEN_ANSWER, answer])
    with pytest.raises(OssCredentialError) as info:
        MetadataClient("http://100.100.100.200", h.transport).role_credentials("my-role", "ecs", "profile")
    assert expected in str(info.value)
    assert info.value.option == "profile"
    assert_no_secret(str(info.value))


def test_role_names_are_quoted_into_the_path():
    h = harness([TOKEN_ANSWER, metadata_ok()])
    MetadataClient("http://100.100.100.200", h.transport).role_credentials("../../x y", "ecs", None)
    assert h.sent[1].path == CREDS_PATH + "..%2F..%2Fx%20y"


def test_token_request_errors():
    h = harness([(500, b"", {})] * 3)
    with pytest.raises(OssCredentialError, match="answered HTTP 500 to the session token request"):
        MetadataClient("http://100.100.100.200", h.transport).role_credentials("r", "ecs", None)
    assert len(h.sent) == 3


def test_proxies_from_the_environment_are_not_used_for_metadata(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("ALL_PROXY", "http://proxy.invalid:3128")
    h = harness([TOKEN_ANSWER, metadata_ok()])
    MetadataClient("http://100.100.100.200", h.transport).role_credentials("r", "ecs", None)
    assert [sent.proxies for sent in h.sent] == [{}, {}]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint, expected", [
    ("sts.aliyuncs.com", "https://sts.aliyuncs.com/"),
    ("https://sts.cn-hangzhou.aliyuncs.com", "https://sts.cn-hangzhou.aliyuncs.com/"),
    ("http://127.0.0.1:9000/", "http://127.0.0.1:9000/"),
    ("http://127.0.0.1:9000/sts", "http://127.0.0.1:9000/sts/"),
])
def test_service_url(endpoint, expected):
    assert service_url(endpoint, "sts_endpoint") == expected


@pytest.mark.parametrize("endpoint", ["ftp://sts.aliyuncs.com", "https://", "https://sts.aliyuncs.com/?a=b", ""])
def test_service_url_refuses(endpoint):
    with pytest.raises(OssConfigError) as info:
        service_url(endpoint, "sts_endpoint")
    assert info.value.option == "sts_endpoint"


def test_redact_covers_encoded_forms():
    text = f"{SOURCE_TOKEN} {percent_encode(SOURCE_TOKEN)} {percent_encode(percent_encode(SOURCE_TOKEN))}"
    assert redact(text, [SOURCE_TOKEN, None, ""]) == "(secret) (secret) (secret)"


def test_temporary_credentials_repr_hides_secrets():
    creds = TemporaryCredentials("STS.x", TEMP_SECRET, TEMP_TOKEN, "2025-01-01T00:00:00Z")
    assert_no_secret(repr(creds))
    assert_no_secret(str(creds))


def test_a_transport_made_here_closes_its_session():
    transport = CredentialTransport()
    session = transport.session
    assert transport.session is session
    transport.close()


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
