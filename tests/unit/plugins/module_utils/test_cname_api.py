# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the five CNAME operations, each against canned OSS answers through the real client."""

from __future__ import annotations

import datetime
import time
from urllib.parse import urlsplit

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._cname_api import (
    create_cname_token,
    delete_cname,
    get_cname_token,
    list_cname,
    put_cname,
)
from ansible_collections.alicloud.oss.plugins.module_utils._errors import CERTIFICATE_RAM_ACTIONS, OssConfigError, OssResponseError, OssServiceError
from ansible_collections.alicloud.oss.plugins.module_utils._xml import cname_configuration

NOW = datetime.datetime(2022, 2, 20, 21, 16, 37, tzinfo=datetime.timezone.utc)
BUCKET = "examplebucket"
HOST = "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/"

# The CnameToken sample of the reference, stray ';' after </Cname> included.
TOKEN_DOC = b"""<?xml version="1.0" encoding="UTF-8"?>
<CnameToken>
  <Bucket>examplebucket</Bucket>
  <Cname>Example.COM</Cname>;
  <Token>be1d49d863dea9ffeff3df7d6455****</Token>
  <ExpireTime>Wed, 23 Feb 2022 21:16:37 GMT</ExpireTime>
</CnameToken>
"""

LIST_DOC = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListCnameResult>
  <Bucket>targetbucket</Bucket>
  <Owner>testowner</Owner>
  <Cname>
    <Domain>example.org</Domain>
    <LastModified>2021-09-15T02:34:58.000Z</LastModified>
    <Status>Enabled</Status>
    <IsPurgeCdnCache>false</IsPurgeCdnCache>
  </Cname>;
  <Cname>
    <Domain>Example.COM.</Domain>
    <LastModified>2021-09-15T02:35:07.000Z</LastModified>
    <Status>Enabled</Status>
    <IsPurgeCdnCache>true</IsPurgeCdnCache>
    <Certificate>
      <Type>CAS</Type>
      <CertId>493****-cn-hangzhou</CertId>
      <Status>Enabled</Status>
      <CreationDate>Wed, 15 Sep 2021 02:35:06 GMT</CreationDate>
      <Fingerprint>DE:01:CF:EC:7C:A7:98:CB:D8:6E:FB:1D:97:EB:A9:64:1D:4E:**:**</Fingerprint>
      <ValidStartDate>Wed, 12 Apr 2023 10:14:51 GMT</ValidStartDate>
      <ValidEndDate>Mon, 4 May 2048 10:14:51 GMT</ValidEndDate>
    </Certificate>
  </Cname>
  <Cname>
    <Domain>cdn.example.net</Domain>
    <LastModified>2023-02-10T00:00:00.000Z</LastModified>
    <Status>Disabled</Status>
    <Certificate>
      <Type>Upload</Type>
      <CertId>927****-cn-hangzhou</CertId>
      <Status>Enabled</Status>
      <CreationDate>Fri, 10 Feb 2023 00:00:00 GMT</CreationDate>
      <Fingerprint>AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD</Fingerprint>
      <ValidStartDate>Feb 10 00:00:00 2023 GMT</ValidStartDate>
      <ValidEndDate>Feb 10 00:00:00 2024 GMT</ValidEndDate>
    </Certificate>
    <IsWildCard>false</IsWildCard>
    <SomethingNew>ignored</SomethingNew>
  </Cname>
</ListCnameResult>
"""


def _ok(body=b"", request_id="rid-ok"):
    return (200, body, {"x-oss-request-id": request_id, "Content-Type": "application/xml"})


def _error(status, code, message="m", request_id="rid-err"):
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
        f"<RequestId>{request_id}</RequestId><HostId>{BUCKET}.oss-cn-hangzhou.aliyuncs.com</HostId></Error>"
    ).encode()
    return (status, body, {"x-oss-request-id": request_id, "Content-Type": "application/xml"})


def _query(call):
    return urlsplit(call.url).query


# ---------------------------------------------------------------------------------------------
# GetCnameToken / CreateCnameToken
# ---------------------------------------------------------------------------------------------

EXPECTED_TOKEN = {
    "bucket": "examplebucket",
    "domain": "example.com",
    "wildcard": False,
    "token": "be1d49d863dea9ffeff3df7d6455****",
    "expire_time": "Wed, 23 Feb 2022 21:16:37 GMT",
    "expire_time_iso": "2022-02-23T21:16:37Z",
    "expires_in": 3 * 86400,
}


def test_get_cname_token(make_client):
    harness = make_client([_ok(TOKEN_DOC)])
    assert get_cname_token(harness.client, BUCKET, "example.com", now=NOW) == EXPECTED_TOKEN
    call = harness.calls[0]
    assert call.method == "GET"
    assert call.url == HOST + "?comp=token&cname=example.com"
    assert call.body is None


def test_get_cname_token_expires_in_is_negative_once_expired(make_client):
    harness = make_client([_ok(TOKEN_DOC)])
    later = NOW + datetime.timedelta(days=4)
    assert get_cname_token(harness.client, BUCKET, "example.com", now=later)["expires_in"] == -86400


def test_get_cname_token_unparsable_expire_time_gives_none(make_client):
    body = TOKEN_DOC.replace(b"Wed, 23 Feb 2022 21:16:37 GMT", b"sometime soon")
    harness = make_client([_ok(body)])
    token = get_cname_token(harness.client, BUCKET, "example.com", now=NOW)
    assert (token["expire_time"], token["expire_time_iso"], token["expires_in"]) == ("sometime soon", None, None)


def test_get_cname_token_not_found_is_none(make_client):
    harness = make_client([_error(404, "CnameTokenNotFound", "Cname token not found.")])
    assert get_cname_token(harness.client, BUCKET, "example.com", now=NOW) is None
    assert len(harness.calls) == 1


@pytest.mark.parametrize("status, code", [(403, "AccessDenied"), (400, "InvalidArgument"), (404, "NoSuchBucket")])
def test_get_cname_token_other_errors_propagate(make_client, status, code):
    harness = make_client([_error(status, code)])
    with pytest.raises(OssServiceError) as info:
        get_cname_token(harness.client, BUCKET, "example.com", now=NOW)
    assert (info.value.code, info.value.operation) == (code, "GetCnameToken")


def test_create_cname_token(make_client):
    harness = make_client([_ok(TOKEN_DOC)])
    assert create_cname_token(harness.client, BUCKET, "example.com", now=NOW) == EXPECTED_TOKEN
    call = harness.calls[0]
    assert call.method == "POST"
    assert call.url == HOST + "?cname=&comp=token"
    assert call.body == b"<BucketCnameConfiguration><Cname><Domain>example.com</Domain></Cname></BucketCnameConfiguration>"


def test_create_cname_token_no_need_propagates(make_client):
    harness = make_client([_error(403, "NoNeedCreateCnameToken")])
    with pytest.raises(OssServiceError) as info:
        create_cname_token(harness.client, BUCKET, "example.com", now=NOW)
    assert info.value.code == "NoNeedCreateCnameToken"
    assert info.value.operation == "CreateCnameToken"


def test_token_defaults_now_to_the_current_time(make_client):
    far = TOKEN_DOC.replace(b"Wed, 23 Feb 2022", b"Sat, 01 Jan 2250")
    harness = make_client([_ok(far)])
    token = get_cname_token(harness.client, BUCKET, "example.com")
    assert token["expires_in"] > 100 * 365 * 86400


# ---------------------------------------------------------------------------------------------
# ListCname
# ---------------------------------------------------------------------------------------------


def test_list_cname_parses_the_reference_sample(make_client):
    harness = make_client([_ok(LIST_DOC)])
    result = list_cname(harness.client, BUCKET, now=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
    call = harness.calls[0]
    assert (call.method, call.url, call.body) == ("GET", HOST + "?cname=", None)
    assert result["bucket"] == "targetbucket"
    assert result["owner"] == "testowner"
    assert [entry["domain"] for entry in result["cnames"]] == ["cdn.example.net", "example.com", "example.org"]
    net, com, org = result["cnames"]
    assert com == {
        "domain": "example.com",
        "status": "Enabled",
        "last_modified": "2021-09-15T02:35:07.000Z",
        "is_purge_cdn_cache": True,
        "wildcard": False,
        "is_wildcard": False,
        "certificate": {
            "type": "CAS",
            "cert_id": "493****-cn-hangzhou",
            "status": "Enabled",
            "fingerprint": "DE:01:CF:EC:7C:A7:98:CB:D8:6E:FB:1D:97:EB:A9:64:1D:4E:**:**",
            "creation_date": "Wed, 15 Sep 2021 02:35:06 GMT",
            "valid_start_date": "Wed, 12 Apr 2023 10:14:51 GMT",
            "valid_end_date": "Mon, 4 May 2048 10:14:51 GMT",
            "valid_end_date_iso": "2048-05-04T10:14:51Z",
            "days_to_expiry": (
                datetime.datetime(2048, 5, 4, 10, 14, 51, tzinfo=datetime.timezone.utc) - datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
            ).days,
        },
    }
    assert org == {
        "domain": "example.org",
        "status": "Enabled",
        "last_modified": "2021-09-15T02:34:58.000Z",
        "is_purge_cdn_cache": False,
        "wildcard": False,
        "is_wildcard": False,
        "certificate": None,
    }
    assert net["status"] == "Disabled"
    assert net["certificate"]["type"] == "Upload"
    assert net["certificate"]["valid_start_date"] == "Feb 10 00:00:00 2023 GMT"
    assert net["certificate"]["valid_end_date_iso"] == "2024-02-10T00:00:00Z"
    assert net["certificate"]["days_to_expiry"] == 40
    assert net["is_purge_cdn_cache"] is None
    assert "SomethingNew" not in str(net)


def test_list_cname_expired_certificate_has_negative_days(make_client):
    harness = make_client([_ok(LIST_DOC)])
    result = list_cname(harness.client, BUCKET, now=datetime.datetime(2024, 2, 12, tzinfo=datetime.timezone.utc))
    assert result["cnames"][0]["certificate"]["days_to_expiry"] == -2


def test_list_cname_unparsable_validity_dates_do_not_fail(make_client):
    body = LIST_DOC.replace(b"Mon, 4 May 2048 10:14:51 GMT", b"not a date")
    harness = make_client([_ok(body)])
    certificate = list_cname(harness.client, BUCKET, now=NOW)["cnames"][1]["certificate"]
    assert (certificate["valid_end_date"], certificate["valid_end_date_iso"], certificate["days_to_expiry"]) == ("not a date", None, None)


def test_list_cname_wildcard_entry(make_client):
    body = b"<ListCnameResult><Bucket>b1</Bucket><Cname><Domain>example.com</Domain><IsWildCard>true</IsWildCard></Cname></ListCnameResult>"
    harness = make_client([_ok(body)])
    entry = list_cname(harness.client, BUCKET, now=NOW)["cnames"][0]
    assert (entry["domain"], entry["wildcard"], entry["is_wildcard"]) == ("*.example.com", True, True)


def test_list_cname_exact_and_wildcard_of_one_base_domain(make_client):
    body = (
        b"<ListCnameResult><Bucket>b1</Bucket>"
        b"<Cname><Domain>Spaces.Example.com</Domain><IsWildCard>true</IsWildCard></Cname>"
        b"<Cname><Domain>spaces.example.com</Domain></Cname>"
        b"<Cname><Domain>a.example.com</Domain><IsWildCard>false</IsWildCard></Cname>"
        b"</ListCnameResult>"
    )
    harness = make_client([_ok(body)])
    cnames = list_cname(harness.client, BUCKET, now=NOW)["cnames"]
    assert [(entry["domain"], entry["wildcard"]) for entry in cnames] == [
        ("*.spaces.example.com", True),
        ("a.example.com", False),
        ("spaces.example.com", False),
    ]


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="UTF-8"?>\n<ListCnameResult>\n  <Bucket>examplebucket</Bucket>\n  <Owner>o</Owner>\n</ListCnameResult>',
        b"<ListCnameResult/>",
    ],
    ids=["no-cname-elements", "empty-root"],
)
def test_list_cname_empty_result(make_client, body):
    harness = make_client([_ok(body)])
    result = list_cname(harness.client, BUCKET, now=NOW)
    assert result["cnames"] == []
    assert result["bucket"] == "examplebucket"


def test_list_cname_no_such_cname_is_an_empty_list(make_client):
    harness = make_client([_error(404, "NoSuchCname")])
    assert list_cname(harness.client, BUCKET, now=NOW) == {"bucket": BUCKET, "owner": None, "cnames": []}


@pytest.mark.parametrize("status, code", [(403, "AccessDenied"), (404, "NoSuchBucket")])
def test_list_cname_other_errors_propagate(make_client, status, code):
    harness = make_client([_error(status, code)])
    with pytest.raises(OssServiceError) as info:
        list_cname(harness.client, BUCKET, now=NOW)
    assert (info.value.code, info.value.operation) == (code, "ListCname")


def test_list_cname_entity_bomb_is_refused(make_client):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        b"<ListCnameResult><Cname><Domain>&d;&d;&d;&d;</Domain></Cname></ListCnameResult>"
    )
    harness = make_client([_ok(bomb, request_id="rid-bomb")])
    started = time.perf_counter()
    with pytest.raises(OssResponseError) as info:
        list_cname(harness.client, BUCKET, now=NOW)
    assert time.perf_counter() - started < 0.5
    assert "DTD or XML entities" in str(info.value)
    assert "rid-bomb" in str(info.value)


# ---------------------------------------------------------------------------------------------
# Answers of the wrong shape
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, body, expected_root",
    [
        (lambda client: get_cname_token(client, BUCKET, "example.com", now=NOW), b"<ListCnameResult/>", "CnameToken"),
        (lambda client: create_cname_token(client, BUCKET, "example.com", now=NOW), b"<Error2/>", "CnameToken"),
        (lambda client: list_cname(client, BUCKET, now=NOW), b"<CnameToken/>", "ListCnameResult"),
    ],
    ids=["get-token", "create-token", "list"],
)
def test_wrong_root_element_is_a_response_error(make_client, call, body, expected_root):
    harness = make_client([_ok(body, request_id="rid-shape")])
    with pytest.raises(OssResponseError) as info:
        call(harness.client)
    message = str(info.value)
    assert f"<{expected_root}> was expected" in message
    assert "rid-shape" in message
    assert info.value.status == 200
    assert info.value.request_id == "rid-shape"


@pytest.mark.parametrize("body", [b"", b"<html><body>hi", b"not xml"], ids=["empty", "truncated-html", "text"])
def test_unparsable_success_answer_is_a_response_error(make_client, body):
    harness = make_client([_ok(body, request_id="rid-junk")])
    with pytest.raises(OssResponseError) as info:
        list_cname(harness.client, BUCKET, now=NOW)
    assert "rid-junk" in str(info.value)
    assert "HTTP 200" in str(info.value)


# ---------------------------------------------------------------------------------------------
# PutCname
# ---------------------------------------------------------------------------------------------


def _body(inner):
    return f"<BucketCnameConfiguration><Cname><Domain>example.com</Domain>{inner}</Cname></BucketCnameConfiguration>".encode()


PEM = "-----BEGIN CERTIFICATE-----\nMIIB&<>\"'\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"

PUT_BODIES = [
    pytest.param(None, _body(""), id="plain-bind"),
    pytest.param({}, _body(""), id="empty-certificate-dict"),
    pytest.param(
        {"cert_id": "493****-cn-hangzhou", "force": True},
        _body("<CertificateConfiguration><CertId>493****-cn-hangzhou</CertId><Force>true</Force></CertificateConfiguration>"),
        id="cert-id-force",
    ),
    pytest.param(
        {"cert_id": "493****-cn-hangzhou", "previous_cert_id": "111-cn-hangzhou", "force": None, "certificate": ""},
        _body("<CertificateConfiguration><CertId>493****-cn-hangzhou</CertId><PreviousCertId>111-cn-hangzhou</PreviousCertId></CertificateConfiguration>"),
        id="cert-id-previous",
    ),
    pytest.param(
        {"delete_certificate": True},
        _body("<CertificateConfiguration><DeleteCertificate>true</DeleteCertificate></CertificateConfiguration>"),
        id="delete-certificate",
    ),
    pytest.param(
        {"certificate": PEM, "private_key": KEY, "force": True},
        _body(
            "<CertificateConfiguration><Certificate>-----BEGIN CERTIFICATE-----\nMIIB&amp;&lt;&gt;\"'\n-----END CERTIFICATE-----\n"
            "</Certificate><PrivateKey>-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n</PrivateKey>"
            "<Force>true</Force></CertificateConfiguration>"
        ),
        id="pem-upload",
    ),
    pytest.param(
        {"cert_id": "1-cn-hangzhou", "force": False},
        _body("<CertificateConfiguration><CertId>1-cn-hangzhou</CertId><Force>false</Force></CertificateConfiguration>"),
        id="explicit-false-is-written",
    ),
]


@pytest.mark.parametrize("certificate, expected", PUT_BODIES)
def test_put_cname_body_exact_bytes(make_client, certificate, expected):
    harness = make_client([_ok(request_id="rid-put")])
    answer = put_cname(harness.client, BUCKET, "example.com", certificate)
    assert answer.status == 200
    assert answer.request_id == "rid-put"
    call = harness.calls[0]
    assert call.method == "POST"
    assert call.url == HOST + "?cname=&comp=add"
    assert call.body == expected


def test_put_cname_domain_is_escaped():
    # Domains are validated before they get here; the body builder must still never produce broken XML.
    assert cname_configuration("a&b<c") == b"<BucketCnameConfiguration><Cname><Domain>a&amp;b&lt;c</Domain></Cname></BucketCnameConfiguration>"


@pytest.mark.parametrize("status, code", [(409, "CnameAlreadyExists"), (403, "NeedVerifyDomainOwnership"), (400, "CertificateInvalidCasId")])
def test_put_cname_errors_propagate(make_client, status, code):
    harness = make_client([_error(status, code)])
    with pytest.raises(OssServiceError) as info:
        put_cname(harness.client, BUCKET, "example.com", {"cert_id": "1-cn-hangzhou", "force": True})
    assert (info.value.code, info.value.operation, info.value.status) == (code, "PutCname", status)
    assert len(harness.calls) == 1


@pytest.mark.parametrize(
    "certificate, extra_actions",
    [
        (None, ()),
        ({"cert_id": "1-cn-hangzhou", "force": True}, CERTIFICATE_RAM_ACTIONS),
        ({"certificate": "PEM", "private_key": "KEY", "force": True}, CERTIFICATE_RAM_ACTIONS),
        ({"delete_certificate": True}, ()),
    ],
)
def test_put_cname_access_denied_names_the_actions_of_that_request(make_client, certificate, extra_actions):
    harness = make_client([_error(403, "AccessDenied")])
    with pytest.raises(OssServiceError) as info:
        put_cname(harness.client, BUCKET, "example.com", certificate)
    assert info.value.extra_ram_actions == extra_actions
    assert "oss:PutCname" in info.value.hint
    assert ("yundun-cert:CreateSSLCertificate" in info.value.hint) is bool(extra_actions)
    assert "oss:ListCname" not in info.value.hint


# ---------------------------------------------------------------------------------------------
# DeleteCname
# ---------------------------------------------------------------------------------------------


def test_delete_cname_200_is_true(make_client):
    harness = make_client([_ok()])
    assert delete_cname(harness.client, BUCKET, "example.com") is True
    call = harness.calls[0]
    assert (call.method, call.url) == ("POST", HOST + "?cname=&comp=delete")
    assert call.body == _body("")


def test_delete_cname_no_such_cname_is_false(make_client):
    harness = make_client([_error(404, "NoSuchCname")])
    assert delete_cname(harness.client, BUCKET, "example.com") is False


@pytest.mark.parametrize("status, code", [(403, "AccessDenied"), (404, "NoSuchBucket")])
def test_delete_cname_other_errors_propagate(make_client, status, code):
    harness = make_client([_error(status, code)])
    with pytest.raises(OssServiceError) as info:
        delete_cname(harness.client, BUCKET, "example.com")
    assert (info.value.code, info.value.operation) == (code, "DeleteCname")


def test_operations_retry_through_the_client(make_client):
    harness = make_client([_error(503, "ServiceUnavailable"), _ok(LIST_DOC)], retries=1)
    assert len(list_cname(harness.client, BUCKET, now=NOW)["cnames"]) == 3
    assert len(harness.calls) == 2
    assert [_query(call) for call in harness.calls] == ["cname=", "cname="]


# --- wildcard domains and Agentic Buckets ---------------------------------------------------------------------------

AGENTIC = "agents-1234567890123456-cn-hangzhou-ab-apsr"
AGENTIC_TOKEN_DOC = (
    b"<CnameToken><Bucket>agents-1234567890123456-cn-hangzhou-ab-apsr</Bucket><Cname>spaces.example.com</Cname>"
    b"<Token>0123456789abcdef0123456789abcdef</Token><ExpireTime>Wed, 23 Feb 2022 21:16:37 GMT</ExpireTime></CnameToken>"
)
# The PutCname elements an Agentic Bucket answers with 400 MalformedXML.
AGENTIC_REJECTED = (b"AccessPointName", b"AccessPointNameForObjectProcess", b"PurgeConfiguration", b"IsPurgeCdnCache", b"ClientCaConfiguration")


def _pairs(prepared) -> list:
    return [tuple(pair.split("=", 1)) if "=" in pair else (pair, None) for pair in urlsplit(prepared.url).query.split("&")]


@pytest.mark.parametrize(
    "domain, wire, kind",
    [("*.spaces.example.com", "spaces.example.com", "true"), ("spaces.example.com", "spaces.example.com", "false")],
)
def test_agentic_token_calls_state_the_kind(make_client, domain, wire, kind):
    harness = make_client([_ok(AGENTIC_TOKEN_DOC), _ok(AGENTIC_TOKEN_DOC)])
    created = create_cname_token(harness.client, AGENTIC, domain, now=NOW)
    read = get_cname_token(harness.client, AGENTIC, domain, now=NOW)
    create, get = harness.calls
    assert _pairs(create) == [("cname", ""), ("comp", "token"), ("wildcard", kind)]
    assert create.body == cname_configuration(wire)
    assert _pairs(get) == [("comp", "token"), ("cname", wire), ("wildcard", kind)]
    for token in (created, read):
        assert (token["domain"], token["wildcard"]) == (domain, kind == "true")


@pytest.mark.parametrize(
    "domain, wire, kind",
    [("*.spaces.example.com", b"spaces.example.com", b"true"), ("spaces.example.com", b"spaces.example.com", b"false")],
)
def test_agentic_put_states_is_wildcard_and_nothing_the_bucket_rejects(make_client, domain, wire, kind):
    harness = make_client([_ok(), _ok()])
    put_cname(harness.client, AGENTIC, domain)
    put_cname(harness.client, AGENTIC, domain, {"cert_id": "493-cn-hangzhou", "force": True})
    plain, with_certificate = harness.calls
    assert (
        plain.body
        == b"<BucketCnameConfiguration><Cname><Domain>" + wire + b"</Domain><IsWildCard>" + kind + b"</IsWildCard></Cname></BucketCnameConfiguration>"
    )
    assert b"<IsWildCard>" + kind + b"</IsWildCard><CertificateConfiguration><CertId>493-cn-hangzhou</CertId>" in with_certificate.body
    for request in (plain, with_certificate):
        assert _pairs(request) == [("cname", ""), ("comp", "add")]
        assert not any(element in request.body for element in AGENTIC_REJECTED)


@pytest.mark.parametrize("domain, kind", [("*.spaces.example.com", "true"), ("spaces.example.com", "false")])
def test_agentic_delete_states_the_kind(make_client, domain, kind):
    harness = make_client([_ok()])
    assert delete_cname(harness.client, AGENTIC, domain) is True
    (request,) = harness.calls
    assert _pairs(request) == [("cname", ""), ("comp", "delete"), ("wildcard", kind)]
    assert request.body == cname_configuration("spaces.example.com")


def test_standard_bucket_is_sent_no_kind(make_client):
    harness = make_client([_ok(TOKEN_DOC), _ok(TOKEN_DOC), _ok(), _ok()])
    create_cname_token(harness.client, BUCKET, "example.com", now=NOW)
    get_cname_token(harness.client, BUCKET, "example.com", now=NOW)
    put_cname(harness.client, BUCKET, "example.com")
    delete_cname(harness.client, BUCKET, "example.com")
    for request in harness.calls:
        assert "wildcard" not in request.url
        assert b"IsWildCard" not in request.body if request.body else True


@pytest.mark.parametrize("call", [create_cname_token, get_cname_token, put_cname, delete_cname])
def test_wildcard_on_a_standard_bucket_sends_nothing(make_client, call):
    harness = make_client([])
    with pytest.raises(OssConfigError, match="only to Agentic Buckets"):
        call(harness.client, BUCKET, "*.example.com")
    assert harness.calls == []


@pytest.mark.parametrize("call", [create_cname_token, get_cname_token, delete_cname])
def test_v1_refuses_the_wildcard_parameter_it_cannot_sign(make_client, call):
    harness = make_client([])
    harness.client.signature_version = "v1"
    with pytest.raises(OssConfigError, match="signature_version v1 leaves unsigned"):
        call(harness.client, AGENTIC, "*.spaces.example.com")
    assert harness.calls == []


def test_v1_still_binds_on_an_agentic_bucket_the_body_being_signed(make_client):
    # PutCname states the kind in the body, which V1 covers through Content-MD5.
    harness = make_client([_ok()])
    harness.client.signature_version = "v1"
    put_cname(harness.client, AGENTIC, "*.spaces.example.com")
    (request,) = harness.calls
    assert request.headers["Authorization"].startswith("OSS ")
    assert b"<IsWildCard>true</IsWildCard>" in request.body
