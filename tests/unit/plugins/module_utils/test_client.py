# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the HTTP client: what is sent, what is retried, and how answers become results or typed errors.

Most tests drive a real requests.Session through a fake transport adapter (conftest.make_client). The
loopback tests at the end use real sockets on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import http.server
import random
import ssl
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from ansible_collections.alicloud.oss.plugins.module_utils._client import OssClient
from ansible_collections.alicloud.oss.plugins.module_utils._http import user_agent
from ansible_collections.alicloud.oss.plugins.module_utils._credentials import Credentials
from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import resolve_endpoint
from ansible_collections.alicloud.oss.plugins.module_utils._errors import (
    OssResponseError,
    OssServiceError,
    OssTransportError,
)
from ansible_collections.alicloud.oss.plugins.module_utils._xml import parse_document
from ansible_collections.alicloud.oss.tests.support.certs import make_certificate

NOW = datetime.datetime(2025, 4, 17, 15, 39, 12, tzinfo=datetime.timezone.utc)
KEY_ID = "LTAI5tClientTestKey"
SECRET = "ClientTestSecret-must-never-leak-7c1a"
TOKEN = "STS.ClientTestSecurityToken-0042"
CREDS = Credentials(KEY_ID, SECRET, None, "task options")
STS_CREDS = Credentials(KEY_ID, SECRET, TOKEN, "environment")
BODY = b"<BucketCnameConfiguration><Cname><Domain>example.com</Domain></Cname></BucketCnameConfiguration>"
PUT_QUERY = [("cname", None), ("comp", "add")]


def _error_doc(code, message="Something went wrong.", request_id="5C3D9175B6FC201293AD4890", ec=None, **extra):
    parts = [
        f"<Code>{code}</Code>",
        f"<Message>{message}</Message>",
        f"<RequestId>{request_id}</RequestId>",
        "<HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>",
    ]
    if ec:
        parts.append(f"<EC>{ec}</EC>")
    parts.extend(f"<{tag}>{value}</{tag}>" for tag, value in extra.items())
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  ' + "\n  ".join(parts) + "\n</Error>\n").encode()


def _error(status, code, request_id="rid-1", **kwargs):
    return (status, _error_doc(code, request_id=request_id, **kwargs), {"x-oss-request-id": request_id, "Content-Type": "application/xml"})


def _ok(body=b"", request_id="rid-ok"):
    return (200, body, {"x-oss-request-id": request_id, "Content-Length": str(len(body))})


def _put(harness):
    return harness.client.request("PutCname", "POST", "examplebucket", PUT_QUERY, BODY)


def _all_sent_text(calls):
    """Every header name and value, URL and body the transport saw, as one string."""
    chunks = []
    for call in calls:
        chunks.append(call.url)
        chunks.extend(f"{name}: {value}" for name, value in call.headers.items())
        body = call.body or b""
        chunks.append(body.decode("utf-8", "replace") if isinstance(body, bytes) else body)
    return "\n".join(chunks)


# ---------------------------------------------------------------------------------------------
# What is sent
# ---------------------------------------------------------------------------------------------


def test_post_sends_one_signed_request(make_client):
    harness = make_client([_ok(request_id="rid-put")], credentials=CREDS, clock=lambda: NOW, timeout=7.5)
    answer = _put(harness)
    assert (answer.status, answer.body, answer.request_id, answer.attempts) == (200, b"", "rid-put", 1)
    assert len(harness.calls) == 1
    call = harness.calls[0]
    assert call.method == "POST"
    assert call.url == "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/?cname=&comp=add"
    assert call.body == BODY
    headers = call.headers
    assert headers["Authorization"].startswith(f"OSS4-HMAC-SHA256 Credential={KEY_ID}/20250417/cn-hangzhou/oss/aliyun_v4_request,")
    assert headers["x-oss-date"] == "20250417T153912Z"
    assert headers["x-oss-content-sha256"] == "UNSIGNED-PAYLOAD"
    assert headers["Content-Type"] == "application/xml"
    assert headers["Content-MD5"] == base64.b64encode(hashlib.md5(BODY).digest()).decode()
    assert headers["User-Agent"].startswith("alicloud.oss/1.0.0")
    assert "x-oss-security-token" not in headers
    assert call.timeout == (7.5, 7.5)
    assert harness.client.request_count == 1
    assert harness.sleeps == []


def test_get_sends_no_body_and_no_content_headers(make_client):
    harness = make_client([_ok(b"<ListCnameResult/>")])
    harness.client.request("ListCname", "GET", "examplebucket", [("cname", None)])
    call = harness.calls[0]
    assert call.method == "GET"
    assert call.url == "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/?cname="
    assert call.body is None
    assert "Content-Type" not in call.headers
    assert "Content-MD5" not in call.headers


def test_query_values_are_percent_encoded_in_the_url(make_client):
    harness = make_client([_ok(b"<CnameToken/>")])
    harness.client.request("GetCnameToken", "GET", "examplebucket", [("comp", "token"), ("cname", "a b/c+d.example.com")])
    assert urlsplit(harness.calls[0].url).query == "comp=token&cname=a%20b%2Fc%2Bd.example.com"


def test_path_style_url_for_ip_endpoint(make_client):
    harness = make_client([_ok()], endpoint="http://127.0.0.1:9000")
    _put(harness)
    assert harness.calls[0].url == "http://127.0.0.1:9000/examplebucket/?cname=&comp=add"


def test_user_agent_names_collection_python_and_requests():
    agent = user_agent()
    assert agent.startswith("alicloud.oss/1.0.0 python/")
    assert f"requests/{requests.__version__}" in agent


@pytest.mark.parametrize("validate_certs", [True, False])
def test_verify_is_passed_through(make_client, validate_certs):
    harness = make_client([_ok()], validate_certs=validate_certs)
    _put(harness)
    assert harness.calls[0].verify is validate_certs


def test_security_token_is_sent_as_x_oss_security_token(make_client):
    harness = make_client([_ok()], credentials=STS_CREDS)
    _put(harness)
    headers = harness.calls[0].headers
    assert headers["x-oss-security-token"] == TOKEN
    assert "security-token" not in {name.lower() for name in headers} - {"x-oss-security-token"}


def test_v1_signature_mode(make_client):
    harness = make_client([_ok()], credentials=STS_CREDS, signature_version="v1", clock=lambda: NOW)
    _put(harness)
    headers = harness.calls[0].headers
    assert headers["Authorization"].startswith(f"OSS {KEY_ID}:")
    assert headers["Date"] == "Thu, 17 Apr 2025 15:39:12 GMT"
    assert headers["x-oss-security-token"] == TOKEN


def test_each_attempt_is_signed_afresh(make_client):
    times = iter([NOW, NOW + datetime.timedelta(seconds=3)])
    harness = make_client([_error(503, "ServiceUnavailable"), _ok()], clock=lambda: next(times))
    _put(harness)
    assert [call.headers["x-oss-date"] for call in harness.calls] == ["20250417T153912Z", "20250417T153915Z"]
    assert harness.calls[0].headers["Authorization"] != harness.calls[1].headers["Authorization"]


def test_netrc_never_replaces_the_signature(make_client, clean_environment):
    (clean_environment / ".netrc").write_text("machine examplebucket.oss-cn-hangzhou.aliyuncs.com login u password p\n")
    harness = make_client([_ok()])
    _put(harness)
    assert harness.calls[0].headers["Authorization"].startswith("OSS4-HMAC-SHA256 ")


def test_redirects_are_not_followed(make_client):
    harness = make_client([(307, b"", {"Location": "https://elsewhere.example.com/", "x-oss-request-id": "rid-307"})])
    with pytest.raises(OssResponseError) as info:
        _put(harness)
    assert len(harness.calls) == 1
    assert info.value.status == 307


@pytest.mark.parametrize("signature_version", ["v4", "v1"])
@pytest.mark.parametrize("credentials", [CREDS, STS_CREDS], ids=["keys", "sts"])
def test_secret_is_never_sent(make_client, signature_version, credentials):
    harness = make_client(
        [_error(500, "InternalError"), _error(403, "SignatureDoesNotMatch", StringToSign="POST\n...")],
        credentials=credentials,
        signature_version=signature_version,
        retries=1,
    )
    with pytest.raises(OssServiceError) as info:
        _put(harness)
    assert len(harness.calls) == 2
    assert SECRET not in _all_sent_text(harness.calls)
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)
    assert SECRET not in repr(harness.client.credentials)
    assert SECRET not in str(harness.client.credentials)


def test_credentials_repr_hides_secret_and_token():
    text = repr(STS_CREDS)
    assert KEY_ID in text
    assert SECRET not in text
    assert TOKEN not in text
    assert STS_CREDS.secrets == (SECRET, TOKEN)
    assert CREDS.secrets == (SECRET,)


# ---------------------------------------------------------------------------------------------
# Retries
# ---------------------------------------------------------------------------------------------

RETRYABLE = [
    pytest.param(requests.exceptions.ConnectionError("Connection reset by peer"), OssTransportError, id="connection-error"),
    pytest.param(requests.exceptions.ConnectTimeout("connect timed out"), OssTransportError, id="connect-timeout"),
    pytest.param(requests.exceptions.ReadTimeout("read timed out"), OssTransportError, id="read-timeout"),
    pytest.param(requests.exceptions.ChunkedEncodingError("IncompleteRead"), OssTransportError, id="chunked-encoding"),
    pytest.param(_error(500, "InternalError"), OssServiceError, id="500"),
    pytest.param((502, b"<html><body><h1>502 Bad Gateway</h1><hr></body></html>", {"Content-Type": "text/html"}), OssResponseError, id="502-html"),
    pytest.param(_error(503, "ServiceUnavailable"), OssServiceError, id="503"),
    pytest.param((504, b"", {}), OssResponseError, id="504-empty"),
    pytest.param(_error(429, "TooManyRequests"), OssServiceError, id="429"),
    pytest.param((429, b"", {}), OssResponseError, id="429-empty"),
    pytest.param(_error(503, "SlowDown"), OssServiceError, id="503-SlowDown"),
    pytest.param(_error(403, "QpsLimitExceeded"), OssServiceError, id="403-QpsLimitExceeded"),
    pytest.param(_error(400, "Throttling"), OssServiceError, id="400-Throttling"),
]


@pytest.mark.parametrize("failure, error_type", RETRYABLE)
@pytest.mark.parametrize("retries", [0, 1, 4])
def test_retryable_failures_use_exactly_one_plus_retries_attempts(make_client, failure, error_type, retries):
    harness = make_client([failure] * (retries + 1), retries=retries, jitter=lambda: 1.0)
    with pytest.raises(error_type) as info:
        _put(harness)
    assert len(harness.calls) == retries + 1
    assert harness.client.request_count == retries + 1
    assert info.value.attempts == retries + 1
    assert harness.sleeps == [float(2**n) for n in range(retries)]


@pytest.mark.parametrize("failure, error_type", RETRYABLE)
def test_retryable_failure_then_success(make_client, failure, error_type):
    del error_type
    harness = make_client([failure, failure, _ok(b"done", request_id="rid-3")], retries=4)
    answer = _put(harness)
    assert (answer.status, answer.body, answer.attempts, answer.request_id) == (200, b"done", 3, "rid-3")
    assert len(harness.calls) == 3
    assert len(harness.sleeps) == 2


NOT_RETRYABLE = [
    pytest.param(_error(400, "InvalidArgument"), OssServiceError, id="400"),
    pytest.param(_error(400, "MalformedXML"), OssServiceError, id="400-MalformedXML"),
    pytest.param(_error(403, "AccessDenied"), OssServiceError, id="403"),
    pytest.param(_error(403, "RequestTimeTooSkewed"), OssServiceError, id="403-RequestTimeTooSkewed"),
    pytest.param(_error(403, "SignatureDoesNotMatch"), OssServiceError, id="403-SignatureDoesNotMatch"),
    pytest.param(_error(404, "NoSuchBucket"), OssServiceError, id="404"),
    pytest.param(_error(409, "CnameAlreadyExists", CnameType="CNAME_OSS"), OssServiceError, id="409"),
    pytest.param((403, b"<html><body>blocked by WAF</body></html>", {"Content-Type": "text/html"}), OssResponseError, id="403-html"),
    pytest.param((501, b"", {}), OssResponseError, id="501"),
    pytest.param(requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), OssTransportError, id="ssl-verify"),
    pytest.param(requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number"), OssTransportError, id="ssl-other"),
]


@pytest.mark.parametrize("failure, error_type", NOT_RETRYABLE)
def test_not_retryable_failures_are_tried_once(make_client, failure, error_type):
    harness = make_client([failure], retries=4)
    with pytest.raises(error_type) as info:
        _put(harness)
    assert len(harness.calls) == 1
    assert harness.sleeps == []
    assert info.value.attempts == 1


def test_final_service_error_carries_attempts_last_request_id_and_operation(make_client):
    answers = [_error(503, "ServiceUnavailable", request_id=f"rid-{n}") for n in range(1, 4)]
    harness = make_client(answers, retries=2)
    with pytest.raises(OssServiceError) as info:
        _put(harness)
    error = info.value
    assert (error.attempts, error.request_id, error.operation) == (3, "rid-3", "PutCname")
    assert (error.status, error.code) == (503, "ServiceUnavailable")


def test_final_response_error_carries_attempts_last_request_id_and_operation(make_client):
    answers = [(502, b"<html>bad gateway", {"x-oss-request-id": f"rid-{n}", "Content-Type": "text/html"}) for n in range(1, 4)]
    harness = make_client(answers, retries=2)
    with pytest.raises(OssResponseError) as info:
        _put(harness)
    error = info.value
    assert (error.attempts, error.request_id, error.operation, error.status) == (3, "rid-3", "PutCname", 502)
    assert "rid-3" in str(error)


def test_final_transport_error_names_operation_and_attempts(make_client):
    harness = make_client([requests.exceptions.ConnectionError("Connection refused")] * 3, retries=2)
    with pytest.raises(OssTransportError) as info:
        _put(harness)
    message = str(info.value)
    assert message.startswith("PutCname: the connection to oss-cn-hangzhou.aliyuncs.com failed")
    assert "Connection refused" in message
    assert message.endswith("(after 3 attempts)")
    assert info.value.attempts == 3
    assert info.value.retryable is True


def test_single_attempt_transport_error_does_not_mention_attempts(make_client):
    harness = make_client([requests.exceptions.ConnectionError("Connection refused")], retries=0)
    with pytest.raises(OssTransportError) as info:
        _put(harness)
    assert "attempts" not in str(info.value)


def test_negative_retries_mean_one_attempt(make_client):
    harness = make_client([_error(500, "InternalError")], retries=-3)
    with pytest.raises(OssServiceError):
        _put(harness)
    assert len(harness.calls) == 1


def test_timeout_message_names_the_timeout(make_client):
    harness = make_client([requests.exceptions.ReadTimeout("read timed out")], retries=0, timeout=2.5)
    with pytest.raises(OssTransportError) as info:
        _put(harness)
    assert "within the timeout of 2.5 s" in str(info.value)
    assert harness.calls[0].timeout == (2.5, 2.5)


# ---------------------------------------------------------------------------------------------
# Backoff
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "jitter, expected",
    [
        (lambda: 1.0, [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]),
        (lambda: 0.0, [0.0] * 7),
    ],
)
def test_client_sleeps_follow_the_backoff(make_client, jitter, expected):
    harness = make_client([_error(500, "InternalError")] * 8, retries=7, jitter=jitter)
    with pytest.raises(OssServiceError):
        _put(harness)
    assert harness.sleeps == expected


def test_client_sleeps_with_random_jitter(make_client):
    rng = random.Random(99)
    harness = make_client([_error(500, "InternalError")] * 8, retries=7, jitter=rng.random)
    with pytest.raises(OssServiceError):
        _put(harness)
    assert len(harness.sleeps) == 7
    assert harness.sleeps[0] < 1
    assert max(harness.sleeps) <= 20
    assert all(wait <= min(20, 2**n) for n, wait in enumerate(harness.sleeps))


def test_default_sleep_is_time_sleep():
    client = OssClient(resolve_endpoint("cn-hangzhou"), CREDS)
    try:
        assert client.transport.sleep is time.sleep
        assert client.retries == 4
        assert client.timeout == 30.0
    finally:
        client.close()


# ---------------------------------------------------------------------------------------------
# OSS error documents
# ---------------------------------------------------------------------------------------------

DOC_404 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>CnameTokenNotFound</Code>
  <Message>Cname token not found.</Message>
  <RequestId>6215FE05DA0E27393F005F0E</RequestId>
  <HostId>127.0.0.1</HostId>
  <Bucket>mybucket</Bucket>
  <Cname>example.com</Cname>
  <EC>0018-00000301</EC>
</Error>
"""


def test_reference_error_document_is_parsed(make_client):
    harness = make_client([(404, DOC_404, {"x-oss-request-id": "6215FE05DA0E27393F005F0E"})])
    with pytest.raises(OssServiceError) as info:
        harness.client.request("GetCnameToken", "GET", "mybucket", [("comp", "token"), ("cname", "example.com")])
    error = info.value
    assert (error.status, error.code, error.message, error.request_id, error.host_id, error.ec) == (
        404,
        "CnameTokenNotFound",
        "Cname token not found.",
        "6215FE05DA0E27393F005F0E",
        "127.0.0.1",
        "0018-00000301",
    )
    assert error.extra == {"Bucket": "mybucket", "Cname": "example.com"}
    assert error.operation == "GetCnameToken"
    assert error.to_dict() == {
        "code": "CnameTokenNotFound",
        "message": "Cname token not found.",
        "request_id": "6215FE05DA0E27393F005F0E",
        "host_id": "127.0.0.1",
        "ec": "0018-00000301",
        "status": 404,
        "extra": {"Bucket": "mybucket", "Cname": "example.com"},
    }


def test_cname_type_extra_is_kept(make_client):
    harness = make_client([_error(409, "CnameAlreadyExists", ec="0018-00000213", CnameType="CNAME_OSS", Cname="example.com")])
    with pytest.raises(OssServiceError) as info:
        _put(harness)
    assert info.value.extra == {"CnameType": "CNAME_OSS", "Cname": "example.com"}
    assert info.value.ec == "0018-00000213"


def test_signature_mismatch_extras_are_kept(make_client):
    harness = make_client(
        [_error(403, "SignatureDoesNotMatch", StringToSign="OSS4-HMAC-SHA256\n20250417T153912Z", OSSAccessKeyId=KEY_ID, SignatureProvided="abc")]
    )
    with pytest.raises(OssServiceError) as info:
        _put(harness)
    assert info.value.extra["StringToSign"] == "OSS4-HMAC-SHA256\n20250417T153912Z"
    assert info.value.extra["OSSAccessKeyId"] == KEY_ID
    assert info.value.extra["SignatureProvided"] == "abc"


def test_request_id_header_used_when_document_lacks_one(make_client):
    body = b"<Error><Code>AccessDenied</Code><Message>denied</Message></Error>"
    harness = make_client([(403, body, {"x-oss-request-id": "from-header"})])
    with pytest.raises(OssServiceError) as info:
        _put(harness)
    assert info.value.request_id == "from-header"
    assert info.value.host_id is None
    assert info.value.ec is None
    assert info.value.extra == {}
    assert "extra" not in info.value.to_dict()


# ---------------------------------------------------------------------------------------------
# Answers that are not OSS error documents
# ---------------------------------------------------------------------------------------------

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
HTML5_502 = b"<!DOCTYPE html>\n<html><head><title>Bad gateway</title></head><body><p>upstream error</p></body></html>\n"

NON_XML = [
    pytest.param(502, NGINX_502, "text/html", "not an OSS error document (text/html; ", id="nginx-502"),
    pytest.param(502, HTML5_502, "text/html; charset=utf-8", "not an OSS error document (text/html; ", id="html5-doctype-502"),
    pytest.param(500, b"\x00\xff\xfegarbage<<<", "application/octet-stream", "not an OSS error document", id="garbage-500"),
    pytest.param(
        500,
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Mess',
        "application/xml",
        "it is not well-formed XML: unclosed token",
        id="truncated-xml-500",
    ),
    pytest.param(503, b"", "", "without an error document", id="empty-503"),
    pytest.param(500, b"<html><body>Internal error</body></html>", "text/html", "without an error document", id="xhtml-500"),
    pytest.param(500, b"<Error><Message>no code</Message></Error>", "application/xml", "without an error document", id="error-without-code"),
    pytest.param(400, b"Bad Request", "text/plain", "not an OSS error document (text/plain; ", id="plain-400"),
]


@pytest.mark.parametrize("status, body, content_type, expected", NON_XML)
def test_non_xml_answers_become_response_errors(make_client, status, body, content_type, expected):
    headers = {"x-oss-request-id": "68F1A2B3C4D5E6F708192A3B"}
    if content_type:
        headers["Content-Type"] = content_type
    harness = make_client([(status, body, headers)], retries=0)
    with pytest.raises(OssResponseError) as info:
        _put(harness)
    error = info.value
    message = str(error)
    assert error.status == status
    assert error.request_id == "68F1A2B3C4D5E6F708192A3B"
    assert f"HTTP {status}" in message
    assert "68F1A2B3C4D5E6F708192A3B" in message
    assert expected in message
    assert "\n" not in message
    assert "Traceback" not in message
    # No error document: the error dict holds what the HTTP layer knows.
    assert error.to_dict() == {"code": None, "message": message, "request_id": "68F1A2B3C4D5E6F708192A3B", "host_id": None, "ec": None, "status": status}


def test_non_xml_answer_without_request_id_header(make_client):
    harness = make_client([(502, NGINX_502, {"Content-Type": "text/html"})], retries=0)
    with pytest.raises(OssResponseError) as info:
        _put(harness)
    assert info.value.request_id is None
    assert "request id" not in str(info.value)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Error><Code>&lol9;</Code><Message>&lol9;</Message></Error>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Error [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Error><Code>&xxe;</Code><Message>m</Message></Error>
"""

INTERNAL_SUBSET_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE ListCnameResult [<!ENTITY b "targetbucket">]>
<ListCnameResult><Bucket>&b;</Bucket></ListCnameResult>
"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, INTERNAL_SUBSET_ONLY], ids=["billion-laughs", "external-entity", "entity"])
def test_entity_documents_are_refused_quickly_by_the_parser(body):
    started = time.perf_counter()
    with pytest.raises(OssResponseError) as info:
        parse_document(body, 200, "rid-bomb")
    assert time.perf_counter() - started < 0.5
    message = str(info.value)
    assert "DTD or XML entities" in message
    assert "rid-bomb" in message
    assert "lollol" not in message
    assert "root:" not in message
    assert len(message) < 300


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entity_documents_in_error_answers_are_refused(make_client, body):
    harness = make_client([(400, body, {"x-oss-request-id": "rid-bomb", "Content-Type": "application/xml"})])
    started = time.perf_counter()
    with pytest.raises(OssResponseError) as info:
        _put(harness)
    assert time.perf_counter() - started < 0.5
    assert "DTD or XML entities" in str(info.value)
    assert info.value.status == 400
    assert len(harness.calls) == 1


def test_parse_document_accepts_plain_documents_and_strips_nothing_needed():
    root = parse_document(b'<?xml version="1.0" encoding="UTF-8"?>\n<CnameToken><Token>abc</Token></CnameToken>')
    assert root.tag == "CnameToken"
    assert root.find("Token").text == "abc"


# ---------------------------------------------------------------------------------------------
# TLS
# ---------------------------------------------------------------------------------------------


def test_certificate_verification_failure_is_not_retried_and_explains_what_to_do(make_client):
    failure = requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='x', port=443): Max retries exceeded (Caused by "
        "SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
        "verify failed: self-signed certificate in certificate chain (_ssl.c:1006)')))"
    )
    harness = make_client([failure], retries=4)
    with pytest.raises(OssTransportError) as info:
        _put(harness)
    message = str(info.value)
    assert "REQUESTS_CA_BUNDLE" in message
    assert "validate_certs" in message
    assert "oss-cn-hangzhou.aliyuncs.com" in message
    assert info.value.retryable is False
    assert info.value.attempts == 1
    assert harness.sleeps == []


def test_other_tls_failure_is_not_retried(make_client):
    # WRONG_VERSION_NUMBER (a plain-HTTP server) now has a message of its own, below; this is another TLS failure.
    harness = make_client([requests.exceptions.SSLError("[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure (_ssl.c:1006)")], retries=4)
    with pytest.raises(OssTransportError) as info:
        _put(harness)
    assert "TLS handshake" in str(info.value)
    assert "SSLV3_ALERT_HANDSHAKE_FAILURE" in str(info.value)
    assert len(harness.calls) == 1


def test_a_plain_http_server_behind_https_is_said_in_words(make_client):
    harness = make_client([requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")], retries=4)
    with pytest.raises(OssTransportError) as info:
        _put(harness)
    message = str(info.value)
    assert "oss-cn-hangzhou.aliyuncs.com does not speak TLS on that port" in message
    assert "write http:// in endpoint" in message
    assert "WRONG_VERSION_NUMBER" not in message and "HTTPSConnectionPool" not in message
    assert (info.value.retryable, len(harness.calls)) == (False, 1)


# ---------------------------------------------------------------------------------------------
# Real sockets on the loopback interface
# ---------------------------------------------------------------------------------------------


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 with a given handler; counts requests."""

    def __init__(self, handler_class, tls_context=None):
        self.hits = 0
        self.release = threading.Event()
        owner = self

        class Handler(handler_class):  # pylint: disable=too-few-public-methods
            server_owner = owner

            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls_context is not None:
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class _CloseWithoutAnswer(http.server.BaseHTTPRequestHandler):
    server_owner = None

    def do_GET(self):  # pylint: disable=invalid-name
        self.server_owner.hits += 1
        self.close_connection = True  # answer nothing: the client sees the connection closed mid-request


class _TruncatedBody(http.server.BaseHTTPRequestHandler):
    server_owner = None
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # pylint: disable=invalid-name
        self.server_owner.hits += 1
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"<ListCnameResult>")
        self.wfile.flush()
        self.close_connection = True


class _SlowAnswer(http.server.BaseHTTPRequestHandler):
    server_owner = None

    def do_GET(self):  # pylint: disable=invalid-name
        self.server_owner.hits += 1
        self.server_owner.release.wait(5)  # far longer than the client's timeout; released when the test ends
        self.close_connection = True


class _EmptyOk(http.server.BaseHTTPRequestHandler):
    server_owner = None

    def do_GET(self):  # pylint: disable=invalid-name
        self.server_owner.hits += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.send_header("x-oss-request-id", "loopback-rid")
        self.end_headers()


def _loopback_client(port, scheme="http", sleeps=None, **kwargs):
    sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    endpoint = resolve_endpoint("cn-hangzhou", f"{scheme}://127.0.0.1:{port}")
    return OssClient(endpoint, CREDS, sleep=sleep, jitter=lambda: 0.0, **kwargs)


@pytest.mark.parametrize("handler", [_CloseWithoutAnswer, _TruncatedBody], ids=["closed-before-answer", "closed-mid-body"])
def test_loopback_connection_closed_is_a_retried_transport_error(handler):
    sleeps = []
    with _Server(handler) as server:
        client = _loopback_client(server.port, sleeps=sleeps, retries=2, timeout=5)
        try:
            with pytest.raises(OssTransportError) as info:
                client.request("ListCname", "GET", "examplebucket", [("cname", None)])
        finally:
            client.close()
    message = str(info.value)
    assert server.hits == 3
    assert info.value.attempts == 3
    assert len(sleeps) == 2
    assert message.startswith("ListCname: the connection to 127.0.0.1:")
    assert message.endswith("(after 3 attempts)")
    assert "Traceback" not in message


def test_loopback_timeout_names_the_timeout():
    sleeps = []
    with _Server(_SlowAnswer) as server:
        client = _loopback_client(server.port, sleeps=sleeps, retries=1, timeout=0.2)
        started = time.perf_counter()
        try:
            with pytest.raises(OssTransportError) as info:
                client.request("ListCname", "GET", "examplebucket", [("cname", None)])
        finally:
            client.close()
        elapsed = time.perf_counter() - started
    message = str(info.value)
    assert "within the timeout of 0.2 s" in message
    assert f"127.0.0.1:{server.port}" in message
    assert info.value.attempts == 2
    assert server.hits == 2
    assert elapsed < 3


def test_loopback_success_reuses_the_session():
    with _Server(_EmptyOk) as server:
        client = _loopback_client(server.port, retries=0, timeout=5)
        try:
            first = client.request("ListCname", "GET", "examplebucket", [("cname", None)])
            second = client.request("ListCname", "GET", "examplebucket", [("cname", None)])
        finally:
            client.close()
    assert (first.status, first.request_id, second.status) == (200, "loopback-rid", 200)
    assert server.hits == 2


@pytest.fixture(scope="module")
def self_signed_tls(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and a server-side TLS context holding it."""
    tls = make_certificate("127.0.0.1", ip_address="127.0.0.1", days=3, ca=True)
    directory = tmp_path_factory.mktemp("tls")
    cert_file = directory / "cert.pem"
    key_file = directory / "key.pem"
    cert_file.write_text(tls.cert_pem, encoding="ascii")
    key_file.write_text(tls.key_pem, encoding="ascii")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert_file), str(key_file))
    return context, str(cert_file)


def test_loopback_tls_untrusted_certificate_is_not_retried(self_signed_tls):
    context, _cert_file = self_signed_tls
    sleeps = []
    with _Server(_EmptyOk, tls_context=context) as server:
        client = _loopback_client(server.port, scheme="https", sleeps=sleeps, retries=3, timeout=5)
        try:
            with pytest.raises(OssTransportError) as info:
                client.request("ListCname", "GET", "examplebucket", [("cname", None)])
        finally:
            client.close()
    message = str(info.value)
    assert "REQUESTS_CA_BUNDLE" in message
    assert "validate_certs" in message
    assert info.value.attempts == 1
    assert sleeps == []
    assert server.hits == 0


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_loopback_tls_validate_certs_false_and_ca_bundle_both_work(self_signed_tls, monkeypatch):
    context, cert_file = self_signed_tls
    with _Server(_EmptyOk, tls_context=context) as server:
        client = _loopback_client(server.port, scheme="https", retries=0, timeout=5, validate_certs=False)
        try:
            assert client.request("ListCname", "GET", "examplebucket", [("cname", None)]).status == 200
        finally:
            client.close()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert_file)
        client = _loopback_client(server.port, scheme="https", retries=0, timeout=5, validate_certs=True)
        try:
            assert client.request("ListCname", "GET", "examplebucket", [("cname", None)]).status == 200
        finally:
            client.close()
    assert server.hits == 2
