# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the Alibaba Cloud DNS client: signing, paging, zone choice, errors, retries and redaction."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
import requests

from ansible_collections.alicloud.oss.plugins.module_utils._alidns import (
    AlidnsClient,
    AlidnsError,
    AlidnsUnreachable,
    DnsRecord,
    no_zone_message,
    relative_name,
    zone_of,
)
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError
from ansible_collections.alicloud.oss.plugins.module_utils._rpc import rpc_signature, rpc_string_to_sign
from ansible_collections.alicloud.oss.tests.unit.fake_http import FakeAdapter

# The worked example of the protocol reference (docs of Alibaba Cloud's RPC signature, checked there against two SDKs).
EXAMPLE_SECRET = "exampleSecretKey0123456789"
EXAMPLE_PARAMS = {
    "Action": "AddDomainRecord",
    "DomainName": "example.com",
    "RR": "_dnsauth.static",
    "Type": "TXT",
    "Value": "tok en*~/",
    "TTL": "600",
    "Format": "JSON",
    "Version": "2015-01-09",
    "AccessKeyId": "LTAIexampleKeyId0001",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureVersion": "1.0",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "Timestamp": "2025-01-15T08:30:00Z",
}
EXAMPLE_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DLTAIexampleKeyId0001%26Action%3DAddDomainRecord%26DomainName%3Dexample.com%26Format%3DJSON"
    "%26RR%3D_dnsauth.static%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
    "%26SignatureVersion%3D1.0%26TTL%3D600%26Timestamp%3D2025-01-15T08%253A30%253A00Z%26Type%3DTXT"
    "%26Value%3Dtok%2520en%252A~%252F%26Version%3D2015-01-09"
)
EXAMPLE_SIGNATURE_GET = "LkXhC6Wn1EUngt7TSkicQG8U9BA="
EXAMPLE_SIGNATURE_POST = "ps4MNCAzZM6rUo0Fy0JoAuTP5Kc="
EXAMPLE_MOMENT = datetime.datetime(2025, 1, 15, 8, 30, tzinfo=datetime.timezone.utc)

SECRET = "DnsUnitSecret-must-not-leak-9a8b"
TOKEN = "DnsUnitToken/with+chars=-7c6d"


class Keys(NamedTuple):
    access_key_id: str
    access_key_secret: str
    security_token: str | None = None


KEYS = Keys("LTAI5tDnsUnitKey", SECRET)
STS_KEYS = Keys("STS.DnsUnitKey", SECRET, TOKEN)


class Harness(NamedTuple):
    client: AlidnsClient
    adapter: FakeAdapter
    sleeps: list

    @property
    def sent(self):
        return self.adapter.calls


def harness(answers, credentials=KEYS, retries=2, endpoint="https://alidns.aliyuncs.com", moment=EXAMPLE_MOMENT, nonces=None):
    session = requests.Session()
    adapter = FakeAdapter(answers)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    sleeps = []
    ticks = iter(range(1000))
    nonce_values = iter(nonces or [f"nonce-{number}" for number in range(1, 1000)])
    client = AlidnsClient(
        endpoint,
        credentials,
        retries=retries,
        session=session,
        sleep=sleeps.append,
        jitter=lambda: 0.5,
        # Each attempt one second later, so that a retry's new Timestamp shows.
        clock=lambda: moment + datetime.timedelta(seconds=next(ticks)),
        nonce=lambda: next(nonce_values),
    )
    return Harness(client, adapter, sleeps)


def ok(document):
    return (200, dict({"RequestId": "rid-ok"}, **document), {"Content-Type": "application/json"})


def refusal(status, code, message, request_id="rid-err"):
    document = {"RequestId": request_id, "HostId": "alidns.aliyuncs.com", "Code": code, "Message": message, "Recommend": "https://api.aliyun.com/troubleshoot"}
    return (status, document, {"Content-Type": "application/json", "x-acs-request-id": request_id})


def domains_page(names, total, page=1):
    return ok(
        {"TotalCount": total, "PageNumber": page, "PageSize": 100, "Domains": {"Domain": [{"DomainName": name, "DomainId": "d" + name} for name in names]}}
    )


def records_page(records, total=None):
    return ok({"TotalCount": len(records) if total is None else total, "PageNumber": 1, "PageSize": 100, "DomainRecords": {"Record": records}})


def record_fields(record_id, value, rr="_dnsauth.static", record_type="TXT", ttl=600, line="default", **extra):
    return dict({"RecordId": record_id, "RR": rr, "Type": record_type, "Value": value, "TTL": ttl, "Line": line, "Status": "ENABLE", "Locked": False}, **extra)


# ---------------------------------------------------------------------------------------------
# An independent derivation of the signature, from the reference's prose: byte by byte, no urllib.
# ---------------------------------------------------------------------------------------------

_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def _encode(text: str) -> str:
    return "".join(chr(byte) if byte in _UNRESERVED else "%%%02X" % byte for byte in text.encode("utf-8"))


def derived_string_to_sign(method: str, params: dict) -> str:
    pairs = sorted((_encode(name), _encode(value)) for name, value in params.items() if name != "Signature")
    return method + "&" + _encode("/") + "&" + _encode("&".join(f"{name}={value}" for name, value in pairs))


def derived_signature(method: str, params: dict, secret: str) -> str:
    mac = hmac.new((secret + "&").encode("utf-8"), derived_string_to_sign(method, params).encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------------------------


def test_the_references_worked_example_signs_as_pinned():
    assert rpc_string_to_sign("GET", EXAMPLE_PARAMS) == EXAMPLE_STRING_TO_SIGN
    assert rpc_signature("GET", EXAMPLE_PARAMS, EXAMPLE_SECRET) == EXAMPLE_SIGNATURE_GET
    assert rpc_signature("POST", EXAMPLE_PARAMS, EXAMPLE_SECRET) == EXAMPLE_SIGNATURE_POST
    assert derived_signature("GET", EXAMPLE_PARAMS, EXAMPLE_SECRET) == EXAMPLE_SIGNATURE_GET


def test_the_client_sends_the_worked_example_exactly():
    h = harness([ok({"RecordId": "1001"})], Keys("LTAIexampleKeyId0001", EXAMPLE_SECRET), nonces=["3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"])
    assert h.client.add_record("example.com", "_dnsauth.static", "TXT", "tok en*~/", 600) == "1001"
    (sent,) = h.sent
    assert sent.method == "GET"
    assert urlsplit(sent.url).path == "/"
    assert sent.body is None
    assert sent.query == dict(EXAMPLE_PARAMS, Signature=EXAMPLE_SIGNATURE_GET)
    # On the wire: RFC 3986 encoding, the signature's + / = encoded too.
    raw = urlsplit(sent.url).query
    assert "Value=tok%20en%2A~%2F" in raw
    assert "Signature=LkXhC6Wn1EUngt7TSkicQG8U9BA%3D" in raw


def test_a_security_token_is_signed_like_any_parameter():
    h = harness([ok({"RecordId": "1002"})], STS_KEYS, nonces=["nonce-sts"])
    h.client.add_record("example.com", "www", "CNAME", "my-bucket.oss-cn-hangzhou.aliyuncs.com", 600)
    query = h.sent[0].query
    assert query["SecurityToken"] == TOKEN
    assert query["Signature"] == derived_signature("GET", query, SECRET)
    # Pinned from the derivation above, so that a change of the client's parameters or encoding shows as a diff.
    assert query["Signature"] == "M78D9POFUOoA6m6ICkoHMOWrDQI="


def test_a_non_ascii_value_is_encoded_as_utf_8_before_signing():
    h = harness([ok({"RecordId": "1003"})], KEYS, nonces=["nonce-utf8"])
    h.client.add_record("example.com", "_note", "TXT", "中文 café", 600)
    (sent,) = h.sent
    assert "Value=%E4%B8%AD%E6%96%87%20caf%C3%A9" in urlsplit(sent.url).query
    assert sent.query["Signature"] == derived_signature("GET", sent.query, SECRET)
    assert sent.query["Signature"] == "/T4muOknC+JGyBbpZNKDSnNCyqU="


def test_update_always_sends_the_ttl_and_delete_only_the_id():
    h = harness([ok({"RecordId": "7"}), ok({"RecordId": "7"})])
    h.client.update_record("7", "@", "MX", "mx.example.com", 600, priority=10)
    h.client.delete_record("7")
    update, delete = (sent.query for sent in h.sent)
    assert {name: update[name] for name in ("Action", "RecordId", "RR", "Type", "Value", "TTL", "Priority")} == {
        "Action": "UpdateDomainRecord",
        "RecordId": "7",
        "RR": "@",
        "Type": "MX",
        "Value": "mx.example.com",
        "TTL": "600",
        "Priority": "10",
    }
    assert (
        set(delete)
        - {"Action", "RecordId", "Format", "Version", "Timestamp", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Signature"}
        == set()
    )
    assert delete["Action"] == "DeleteDomainRecord"


def test_the_endpoint_may_be_plain_http_with_a_port_and_is_checked():
    h = harness([ok({"RecordId": "1"})], endpoint="http://127.0.0.1:8053")
    h.client.delete_record("1")
    assert h.sent[0].url.startswith("http://127.0.0.1:8053/?")
    assert "Priority" not in h.sent[0].query
    with pytest.raises(OssConfigError, match="dns_endpoint holds a user name or password"):
        AlidnsClient("https://user:pw@alidns.aliyuncs.com", KEYS)
    with pytest.raises(OssConfigError, match="dns_endpoint 'ftp://x' is not an http or https URL"):
        AlidnsClient("ftp://x", KEYS)


# ---------------------------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------------------------


def test_domains_reads_every_page_of_100():
    names = [f"zone{number:03d}.example" for number in range(250)]
    h = harness([domains_page(names[:100], 250), domains_page(names[100:200], 250, 2), domains_page(names[200:], 250, 3)])
    assert h.client.domains() == names
    assert [(sent.query["Action"], sent.query["PageNumber"], sent.query["PageSize"]) for sent in h.sent] == [
        ("DescribeDomains", "1", "100"),
        ("DescribeDomains", "2", "100"),
        ("DescribeDomains", "3", "100"),
    ]


def test_paging_stops_at_an_empty_page_and_without_a_total():
    h = harness([domains_page(["a.example"], 5), domains_page([], 5, 2)])
    assert h.client.domains() == ["a.example"]
    h = harness([ok({"Domains": {"Domain": [{"DomainName": "b.example"}]}})])
    assert h.client.domains() == ["b.example"]
    assert len(h.sent) == 1


def test_domains_are_lower_case_without_trailing_dot_and_an_idn_has_its_ascii_form():
    h = harness([ok({"TotalCount": 2, "Domains": {"Domain": [{"DomainName": "Example.ORG."}, {"DomainName": "中文.com", "PunyCode": "xn--fiq228c.com"}]}})])
    assert h.client.domains() == ["example.org", "中文.com", "xn--fiq228c.com"]


def test_records_sends_sub_domain_zone_and_type_and_reads_every_page():
    first = [record_fields(str(number), f"v{number}") for number in range(100)]
    h = harness([records_page(first, 101), records_page([record_fields("100", "v100")], 101)])
    records = h.client.records("cdn.example.org", "_dnsauth.static.cdn.example.org", "TXT")
    assert [record.record_id for record in records] == [str(number) for number in range(101)]
    assert records[0] == DnsRecord("0", "_dnsauth.static", "TXT", "v0", 600, "ENABLE", "default", None)
    for page, sent in enumerate(h.sent, 1):
        query = sent.query
        assert (query["Action"], query["SubDomain"], query["DomainName"], query["Type"]) == (
            "DescribeSubDomainRecords",
            "_dnsauth.static.cdn.example.org",
            "cdn.example.org",
            "TXT",
        )
        assert (query["PageNumber"], query["PageSize"]) == (str(page), "100")


def test_records_of_another_type_are_dropped_even_when_the_server_ignores_type():
    h = harness([records_page([record_fields("1", "1.2.3.4", record_type="A"), record_fields("2", "t", record_type="txt")])])
    assert [record.record_id for record in h.client.records("example.com", "example.com", "TXT")] == ["2"]


def test_an_answer_without_the_list_is_unusable():
    h = harness([ok({"TotalCount": 3, "DomainRecords": {"Record": "nope"}})])
    with pytest.raises(AlidnsError) as info:
        h.client.records("example.com", "www.example.com", "A")
    assert "Unusable Alibaba Cloud DNS answer to DescribeSubDomainRecords: HTTP 200 without a list DomainRecords.Record" in str(info.value)
    assert info.value.to_dict()["request_id"] == "rid-ok"


# ---------------------------------------------------------------------------------------------
# Zone choice
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "record, zone",
    [
        ("www.cdn.example.org", "cdn.example.org"),
        ("_dnsauth.static.cdn.example.org", "cdn.example.org"),
        ("cdn.example.org", "cdn.example.org"),
        ("www.example.org", "example.org"),
        ("example.org", "example.org"),
        ("xcdn.example.org", "example.org"),
        ("xexample.org", None),
        ("example.com", None),
        ("org", None),
    ],
)
def test_the_longest_zone_on_a_label_boundary_wins(record, zone):
    assert zone_of(record, ["example.org", "cdn.example.org", "other.net"]) == zone
    assert zone_of(record, ["cdn.example.org", "other.net", "example.org"]) == zone


def test_relative_names():
    assert relative_name("example.org", "example.org") == "@"
    assert relative_name("_dnsauth.static.example.org", "example.org") == "_dnsauth.static"
    assert relative_name("www.cdn.example.org", "cdn.example.org") == "www"


def test_found_zones_compare_without_case_and_trailing_dot():
    h = harness([domains_page(["Example.ORG.", "CDN.example.org"], 2)])
    assert zone_of("www.cdn.example.org", h.client.domains()) == "cdn.example.org"


def test_no_zone_names_the_domains_looked_at_and_caps_the_list():
    message = no_zone_message("www.example.com", ["b.example", "a.example"])
    assert message == (
        "No zone of the Alibaba Cloud DNS account holds www.example.com; its 2 domain(s): a.example, b.example. Set zone, or add the domain to the account."
    )
    many = [f"z{number:02d}.example" for number in range(25)]
    message = no_zone_message("www.example.com", many)
    assert "z19.example and 5 more." in message
    assert "z20.example" not in message
    assert "has no domain" in no_zone_message("www.example.com", [])


# ---------------------------------------------------------------------------------------------
# Errors, retries and redaction
# ---------------------------------------------------------------------------------------------


def test_a_refusal_carries_code_message_request_id_host_id_and_status():
    h = harness([refusal(400, "InvalidDomainName.NoExist", "The specified domain name does not exist.")])
    with pytest.raises(AlidnsError) as info:
        h.client.records("example.com", "www.example.com", "A")
    error = info.value
    assert str(error) == (
        "Alibaba Cloud DNS refused DescribeSubDomainRecords: InvalidDomainName.NoExist (HTTP 400): The specified domain name does not exist. "
        "The zone is not a domain of this Alibaba Cloud DNS account: check zone, or leave it out to have it found. Request id rid-err."
    )
    assert error.to_dict() == {
        "code": "InvalidDomainName.NoExist",
        "message": "The specified domain name does not exist.",
        "request_id": "rid-err",
        "host_id": "alidns.aliyuncs.com",
        "ec": None,
        "status": 400,
    }
    assert len(h.sent) == 1


def test_a_permission_refusal_names_the_ram_action():
    h = harness([refusal(403, "Forbidden.RAM", "User not authorized to operate on the specified resource.")])
    with pytest.raises(AlidnsError, match="Grant the RAM action alidns:DeleteDomainRecord to these credentials"):
        h.client.delete_record("5")


@pytest.mark.parametrize(
    "answer, said",
    [
        ((502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"}), "HTTP 502 with a body that is not an error document (text/html)"),
        ((403, b"", {"x-acs-request-id": "rid-h"}), "HTTP 403 with a body that is not an error document (no content type)"),
        ((200, b"<xml/>", {"Content-Type": "text/xml"}), "HTTP 200 with a body that is not a JSON object (text/xml)"),
    ],
)
def test_unusable_answers(answer, said):
    h = harness([answer], retries=0)
    with pytest.raises(AlidnsError) as info:
        h.client.delete_record("5")
    assert str(info.value).startswith(f"Unusable Alibaba Cloud DNS answer to DeleteDomainRecord: {said}.")
    assert info.value.to_dict()["code"] is None
    assert info.value.to_dict()["status"] == answer[0]


@pytest.mark.parametrize(
    "status, code",
    [
        (400, "Throttling.User"),
        (429, "Throttling.User"),
        (400, "Throttling"),
        (400, "LastOperationNotFinished"),
        (500, "InternalError"),
        (503, "ServiceUnavailable"),
        (502, None),
    ],
)
def test_throttling_busy_and_server_errors_are_retried_each_with_a_new_nonce_and_timestamp(status, code):
    first = refusal(status, code, "busy") if code else (status, b"", {})
    h = harness([first, refusal(status, code or "InternalError", "still busy"), ok({"RecordId": "9"})])
    assert h.client.add_record("example.com", "www", "A", "192.0.2.1", 600) == "9"
    queries = [sent.query for sent in h.sent]
    assert [query["SignatureNonce"] for query in queries] == ["nonce-1", "nonce-2", "nonce-3"]
    assert [query["Timestamp"] for query in queries] == ["2025-01-15T08:30:00Z", "2025-01-15T08:30:01Z", "2025-01-15T08:30:02Z"]
    assert all(query["Signature"] == derived_signature("GET", query, SECRET) for query in queries)
    assert h.sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    "status, code",
    [
        (400, "SignatureDoesNotMatch"),
        (404, "InvalidAccessKeyId.NotFound"),
        (400, "InvalidAccessKeyId.Inactive"),
        (400, "InvalidSecurityToken.Expired"),
        (400, "InvalidTimeStamp.Expired"),
        (400, "SignatureNonceUsed"),
        (400, "InvalidDomainName.NoExist"),
        (400, "IncorrectDomainUser"),
        (400, "DomainRecordDuplicate"),
        (400, "DomainRecordConflict"),
        (400, "DomainRecordLocked"),
        (400, "QuotaExceeded.TTL"),
    ],
)
def test_refusals_that_waiting_cannot_fix_are_not_retried(status, code):
    h = harness([refusal(status, code, "no")])
    with pytest.raises(AlidnsError) as info:
        h.client.add_record("example.com", "www", "A", "192.0.2.1", 600)
    assert (len(h.sent), h.sleeps, info.value.code, info.value.status) == (1, [], code, status)


def test_retries_give_up_with_the_last_answer_and_say_how_many_attempts():
    h = harness([refusal(400, "Throttling.User", "Request was denied due to user flow control.")] * 3, retries=2)
    with pytest.raises(AlidnsError) as info:
        h.client.delete_record("5")
    assert str(info.value).startswith("Alibaba Cloud DNS refused DeleteDomainRecord after 3 attempts: Throttling.User (HTTP 400)")
    assert len(h.sent) == 3


def test_a_signature_mismatch_never_shows_the_string_to_sign_the_secret_or_the_token():
    echoed = rpc_string_to_sign("GET", {"AccessKeyId": STS_KEYS.access_key_id, "SecurityToken": TOKEN, "Note": SECRET})
    message = f"Specified signature is not matched with our calculation. server string to sign is:{echoed}"
    h = harness([refusal(400, "SignatureDoesNotMatch", message)], STS_KEYS)
    with pytest.raises(AlidnsError) as info:
        h.client.domains()
    shown = str(info.value) + json.dumps(info.value.to_dict())
    assert "SignatureDoesNotMatch (HTTP 400): Specified signature is not matched with our calculation." in shown
    assert "string to sign" not in shown
    assert_no_secret(shown)


def test_secrets_echoed_elsewhere_in_a_message_are_removed():
    h = harness([refusal(400, "InvalidParameter", f"bad token {TOKEN} and {SECRET}")], STS_KEYS)
    with pytest.raises(AlidnsError) as info:
        h.client.domains()
    assert "(secret)" in str(info.value)
    assert_no_secret(str(info.value) + json.dumps(info.value.to_dict()))


def test_a_connection_failure_is_retried_and_reported_without_the_url_or_token():
    url = f"https://alidns.aliyuncs.com/?SecurityToken={_encode(TOKEN)}"
    failure = requests.exceptions.ConnectionError(f"HTTPSConnectionPool(host='alidns.aliyuncs.com', port=443): Max retries exceeded with url: {url}")
    h = harness([failure] * 3, STS_KEYS, retries=2)
    with pytest.raises(AlidnsUnreachable) as info:
        h.client.domains()
    message = str(info.value)
    assert message.startswith("Could not reach Alibaba Cloud DNS for DescribeDomains: the connection to alidns.aliyuncs.com failed (")
    assert message.endswith("(after 3 attempts).")
    assert info.value.to_dict() is None
    assert_no_secret(message)
    assert len(h.sent) == 3


def test_an_unresolvable_host_names_dns_endpoint_and_is_not_retried():
    failure = requests.exceptions.ConnectionError("Failed to resolve 'alidns.invalid' ([Errno -2] Name or service not known)")
    h = harness([failure], endpoint="https://alidns.invalid")
    with pytest.raises(AlidnsUnreachable, match=r"could not be resolved; check dns_endpoint\.$"):
        h.client.domains()
    assert len(h.sent) == 1


def assert_no_secret(text):
    for secret in (SECRET, TOKEN):
        for form in (secret, _encode(secret), _encode(_encode(secret))):
            assert form not in text
