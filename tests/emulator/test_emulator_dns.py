# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's Alibaba Cloud DNS API (alidns 2015-01-09), driven by a small stdlib client written here.

No official alidns SDK is in tests/emulator/requirements.txt, so the client below signs from the reference's
prose (docs/../alidns-api.md section 3), independently of both the emulator's signer and the collection's.
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import time
import uuid
from urllib.parse import quote

import pytest
from emu_helpers import MAIN_KEY, OTHER_KEY, STS_KEY, OssClient, control, raw_request
from ossemu.cli import build_parser
from ossemu.config import load_config
from ossemu.sts import rpc_string_to_sign

UTC = datetime.timezone.utc
WORKED_PARAMS = {
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
WORKED_SECRET = "exampleSecretKey0123456789"
WORKED_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DLTAIexampleKeyId0001%26Action%3DAddDomainRecord%26DomainName%3Dexample.com%26Format%3DJSON"
    "%26RR%3D_dnsauth.static%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
    "%26SignatureVersion%3D1.0%26TTL%3D600%26Timestamp%3D2025-01-15T08%253A30%253A00Z%26Type%3DTXT"
    "%26Value%3Dtok%2520en%252A~%252F%26Version%3D2015-01-09"
)


# --- an independent client -----------------------------------------------------------------------------------
def encode(text):
    return quote(text, safe="-_.~")  # quote leaves only unreserved characters and writes upper-case hex


def string_to_sign(method, params):
    canonical = "&".join("%s=%s" % (encode(name), encode(params[name])) for name in sorted(params, key=encode))
    return "%s&%%2F&%s" % (method, encode(canonical))


def signature(method, params, secret):
    digest = hmac.new((secret + "&").encode("utf-8"), string_to_sign(method, params).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signed(action, key=MAIN_KEY, method="GET", token=None, timestamp=None, nonce=None, **params):
    params = dict({"Format": "JSON"}, **params)
    params.update(Action=action, Version="2015-01-09", AccessKeyId=key[0], SignatureMethod="HMAC-SHA1")
    params.update(SignatureVersion="1.0", SignatureNonce=nonce or str(uuid.uuid4()))
    params["Timestamp"] = timestamp or datetime.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if token:
        params["SecurityToken"] = token
    params = {name: str(value) for name, value in params.items()}
    params["Signature"] = signature(method, params, key[1])
    return params


class Answer:
    def __init__(self, response):
        self.status = response.status
        self.headers = response.headers
        self.json = json.loads(response.body)

    @property
    def code(self):
        return self.json.get("Code")


def send(endpoint, params, method="GET", form=()):
    """GET with every parameter in the query; POST with the names in `form` in the body and the rest in the query."""
    query = "&".join("%s=%s" % (encode(name), encode(value)) for name, value in params.items() if name not in form)
    if method == "GET":
        return Answer(raw_request(endpoint, "GET", "/?" + query))
    body = "&".join("%s=%s" % (encode(name), encode(params[name])) for name in form).encode("ascii")
    return Answer(raw_request(endpoint, "POST", "/?" + query, body, {"Content-Type": "application/x-www-form-urlencoded"}))


def call(emulator, action, key=MAIN_KEY, **params):
    return send(emulator.endpoint, signed(action, key, **params))


def add(emulator, rr, record_type, value, zone="example.com", key=MAIN_KEY, **extra):
    return call(emulator, "AddDomainRecord", key, DomainName=zone, RR=rr, Type=record_type, Value=value, **extra)


def records(answer):
    return [(item["RR"], item["Type"], item["Value"]) for item in answer.json["DomainRecords"]["Record"]]


def sub_domain(emulator, name, **params):
    return call(emulator, "DescribeSubDomainRecords", SubDomain=name, **params)


# --- signature -------------------------------------------------------------------------------------------------
def test_worked_example_of_the_reference():
    assert string_to_sign("GET", WORKED_PARAMS) == WORKED_STRING_TO_SIGN
    assert rpc_string_to_sign("GET", WORKED_PARAMS) == WORKED_STRING_TO_SIGN  # the emulator's own signer agrees
    assert signature("GET", WORKED_PARAMS, WORKED_SECRET) == "LkXhC6Wn1EUngt7TSkicQG8U9BA="
    assert signature("POST", WORKED_PARAMS, WORKED_SECRET) == "ps4MNCAzZM6rUo0Fy0JoAuTP5Kc="


def test_worked_example_is_accepted_with_its_key(make_emulator):
    emulator = make_emulator(clock=lambda: datetime.datetime(2025, 1, 15, 8, 31, tzinfo=UTC))
    emulator.add_account("LTAIexampleKeyId0001", WORKED_SECRET, "1234567890123456")
    params = dict(WORKED_PARAMS, Signature="LkXhC6Wn1EUngt7TSkicQG8U9BA=")
    answer = send(emulator.endpoint, params)
    assert answer.status == 200 and answer.json["RecordId"].isdigit()
    assert emulator.dns_records()[-1]["value"] == "tok en*~/"


def test_get_and_post_with_a_form_body_sign_alike(emulator):
    params = signed("AddDomainRecord", method="POST", DomainName="example.com", RR="post", Type="TXT", Value="a b&c=d 中")
    answer = send(emulator.endpoint, params, "POST", form=("RR", "Value", "Type"))
    assert answer.status == 200, answer.json
    assert records(sub_domain(emulator, "post.example.com")) == [("post", "TXT", "a b&c=d 中")]
    get_params = signed("AddDomainRecord", DomainName="example.com", RR="get", Type="TXT", Value="v")
    assert send(emulator.endpoint, get_params, "POST").code == "SignatureDoesNotMatch"  # signed for GET, sent as POST


def test_a_wrong_secret_quotes_the_string_to_sign(emulator):
    params = signed("DescribeDomains", key=(MAIN_KEY[0], "not-the-secret"))
    answer = send(emulator.endpoint, params)
    assert (answer.status, answer.code) == (400, "SignatureDoesNotMatch")
    unsigned = {name: value for name, value in params.items() if name != "Signature"}
    assert answer.json["Message"].endswith("server string to sign is:" + string_to_sign("GET", unsigned))
    assert set(answer.json) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert answer.headers["x-acs-request-id"] == answer.json["RequestId"]


def test_unknown_key_skew_and_nonce(emulator):
    unknown = call(emulator, "DescribeDomains", key=("LTAInobody", "x"))
    assert (unknown.status, unknown.code) == (404, "InvalidAccessKeyId.NotFound")
    old = (datetime.datetime.now(UTC) - datetime.timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call(emulator, "DescribeDomains", timestamp=old).code == "InvalidTimeStamp.Expired"
    assert call(emulator, "DescribeDomains", nonce="fixed-nonce").status == 200
    answer = call(emulator, "DescribeDomains", nonce="fixed-nonce")
    assert (answer.status, answer.code) == (400, "SignatureNonceUsed")


def test_sts_credentials_need_their_token(emulator):
    key = STS_KEY[:2]
    assert call(emulator, "DescribeDomains", key=key, token=STS_KEY[2]).status == 200
    assert call(emulator, "DescribeDomains", key=key).code == "InvalidSecurityToken.MismatchWithAccessKey"
    assert call(emulator, "DescribeDomains", key=key, token="wrong").code == "InvalidSecurityToken.MismatchWithAccessKey"
    assert call(emulator, "DescribeDomains", token="unexpected").code == "InvalidSecurityToken.MismatchWithAccessKey"
    emulator.add_sts("STS.Expiring", "expiring-secret", "expiring-token", "1234567890123456", "2000-01-01T00:00:00Z")
    assert call(emulator, "DescribeDomains", key=("STS.Expiring", "expiring-secret"), token="expiring-token").code == "InvalidSecurityToken.Expired"


def test_format_must_be_json_and_actions_must_exist(emulator):
    assert call(emulator, "DescribeDomains", Format="XML").code == "InvalidParameter"
    answer = call(emulator, "NoSuchAction")
    assert (answer.status, answer.code) == (404, "InvalidAction.NotFound")


# --- zones -----------------------------------------------------------------------------------------------------
def test_describe_domains_lists_the_callers_zones_with_paging(emulator):
    answer = call(emulator, "DescribeDomains")
    names = [domain["DomainName"] for domain in answer.json["Domains"]["Domain"]]
    assert names == ["cdn.example.org", "example.com", "example.org"] and answer.json["TotalCount"] == 3
    page = call(emulator, "DescribeDomains", PageNumber=2, PageSize=2).json
    assert (page["PageNumber"], page["PageSize"], page["TotalCount"], len(page["Domains"]["Domain"])) == (2, 2, 3, 1)
    assert call(emulator, "DescribeDomains", PageSize=500).json["PageSize"] == 100
    assert call(emulator, "DescribeDomains", PageSize="x").code == "InvalidParameter"
    other = call(emulator, "DescribeDomains", key=OTHER_KEY).json["Domains"]["Domain"]
    assert [domain["DomainName"] for domain in other] == ["example.net"]


def test_describe_domains_keyword(emulator):
    like = call(emulator, "DescribeDomains", KeyWord="example.org").json["Domains"]["Domain"]
    assert [domain["DomainName"] for domain in like] == ["cdn.example.org", "example.org"]
    exact = call(emulator, "DescribeDomains", KeyWord="example.org", SearchMode="EXACT").json["Domains"]["Domain"]
    assert [domain["DomainName"] for domain in exact] == ["example.org"]


def test_unknown_and_foreign_zones(emulator):
    answer = add(emulator, "www", "A", "192.0.2.1", zone="nowhere.test")
    assert (answer.status, answer.code) == (400, "InvalidDomainName.NoExist")
    assert add(emulator, "www", "A", "192.0.2.1", zone="example.net").code == "IncorrectDomainUser"
    assert add(emulator, "www", "A", "192.0.2.1", zone="example.net", key=OTHER_KEY).status == 200
    assert sub_domain(emulator, "www.example.net").code == "IncorrectDomainUser"


# --- records ---------------------------------------------------------------------------------------------------
def test_add_describe_update_delete(emulator):
    first = add(emulator, "_dnsauth.static", "TXT", "one")
    second = add(emulator, "_dnsauth.static", "TXT", "two", TTL=3600)
    assert first.status == second.status == 200 and first.json["RecordId"].isdigit()
    listed = sub_domain(emulator, "_dnsauth.static.example.com", DomainName="example.com", Type="txt").json
    assert [(item["Value"], item["TTL"]) for item in listed["DomainRecords"]["Record"]] == [("one", 600), ("two", 3600)]  # oldest first
    item = listed["DomainRecords"]["Record"][0]
    assert (item["Status"], item["Line"], item["Locked"], item["DomainName"], item["RecordId"]) == (
        "ENABLE",
        "default",
        False,
        "example.com",
        first.json["RecordId"],
    )
    updated = call(emulator, "UpdateDomainRecord", RecordId=first.json["RecordId"], RR="_dnsauth.static", Type="TXT", Value="uno", TTL=600)
    assert updated.json["RecordId"] == first.json["RecordId"]
    assert call(emulator, "DescribeDomainRecordInfo", RecordId=first.json["RecordId"]).json["Value"] == "uno"
    assert call(emulator, "DeleteDomainRecord", RecordId=second.json["RecordId"]).json["RecordId"] == second.json["RecordId"]
    assert records(sub_domain(emulator, "_dnsauth.static.example.com")) == [("_dnsauth.static", "TXT", "uno")]


def test_mx_needs_a_priority_and_update_rewrites_ttl(emulator):
    assert add(emulator, "@", "MX", "mail.example.com").code == "MissingParameter"
    assert add(emulator, "@", "MX", "mail.example.com", Priority=99).code == "InvalidParameter"
    record_id = add(emulator, "@", "MX", "Mail.Example.com.", Priority=10, TTL=1200).json["RecordId"]
    item = sub_domain(emulator, "example.com").json["DomainRecords"]["Record"][0]
    assert (item["RR"], item["Value"], item["Priority"], item["TTL"]) == ("@", "mail.example.com", 10, 1200)
    call(emulator, "UpdateDomainRecord", RecordId=record_id, RR="@", Type="MX", Value="mail.example.com", Priority=10)
    assert call(emulator, "DescribeDomainRecordInfo", RecordId=record_id).json["TTL"] == 600  # an omitted TTL is reset


def test_describe_domain_records_filters_and_pages_newest_first(emulator):
    for number in range(5):
        add(emulator, "host%d" % number, "A", "192.0.2.%d" % number)
    add(emulator, "alias", "CNAME", "host0.example.com")
    answer = call(emulator, "DescribeDomainRecords", DomainName="example.com", PageSize=2).json
    assert answer["TotalCount"] == 6 and [item["RR"] for item in answer["DomainRecords"]["Record"]] == ["alias", "host4"]
    assert records(call(emulator, "DescribeDomainRecords", DomainName="example.com", TypeKeyWord="CNAME")) == [("alias", "CNAME", "host0.example.com")]
    assert [rr for rr, _t, _v in records(call(emulator, "DescribeDomainRecords", DomainName="example.com", RRKeyWord="host1"))] == ["host1"]
    assert len(records(call(emulator, "DescribeDomainRecords", DomainName="example.com", ValueKeyWord="192.0.2."))) == 5
    assert call(emulator, "DescribeDomainRecords").code == "MissingParameter"


def test_sub_domain_paging(emulator):
    for number in range(5):
        add(emulator, "many", "TXT", "value-%d" % number)
    second = sub_domain(emulator, "many.example.com", PageNumber=2, PageSize=2).json
    assert second["TotalCount"] == 5 and [item["Value"] for item in second["DomainRecords"]["Record"]] == ["value-2", "value-3"]
    assert sub_domain(emulator, "many.example.com", PageNumber=4, PageSize=2).json["DomainRecords"]["Record"] == []
    assert sub_domain(emulator, "many.example.com", PageSize=1000).json["PageSize"] == 100


def test_last_two_labels_rule(emulator):
    assert add(emulator, "x", "TXT", "in-cdn", zone="cdn.example.org").status == 200
    assert sub_domain(emulator, "x.cdn.example.org").json["TotalCount"] == 0  # looked up in example.org, RR x.cdn
    assert records(sub_domain(emulator, "x.cdn.example.org", DomainName="cdn.example.org")) == [("x", "TXT", "in-cdn")]
    add(emulator, "@", "TXT", "apex", zone="cdn.example.org")
    assert records(sub_domain(emulator, "cdn.example.org", DomainName="cdn.example.org")) == [("@", "TXT", "apex")]
    assert sub_domain(emulator, "elsewhere.test", DomainName="example.com").json["TotalCount"] == 0
    assert sub_domain(emulator, "x.nowhere.test").code == "InvalidDomainName.NoExist"


def test_duplicates(emulator):
    record_id = add(emulator, "www", "A", "192.0.2.1").json["RecordId"]
    answer = add(emulator, "WWW", "A", "192.0.2.1")
    assert (answer.status, answer.code) == (400, "DomainRecordDuplicate")
    unchanged = call(emulator, "UpdateDomainRecord", RecordId=record_id, RR="www", Type="A", Value="192.0.2.1", TTL=600)
    assert unchanged.code == "DomainRecordDuplicate"
    other_id = add(emulator, "www", "A", "192.0.2.2").json["RecordId"]
    assert call(emulator, "UpdateDomainRecord", RecordId=other_id, RR="www", Type="A", Value="192.0.2.1").code == "DomainRecordDuplicate"


def test_cname_conflicts(emulator):
    add(emulator, "www", "A", "192.0.2.1")
    answer = add(emulator, "www", "CNAME", "target.example.net")
    assert (answer.status, answer.code) == (400, "DomainRecordConflict")
    assert add(emulator, "static", "CNAME", "demo-bucket.oss-cn-hangzhou.aliyuncs.com").status == 200
    assert add(emulator, "static", "TXT", "x").code == "DomainRecordConflict"
    assert add(emulator, "static", "CNAME", "second.example.net").status == 200  # several CNAME values are allowed
    assert add(emulator, "_dnsauth.static", "TXT", "token").status == 200  # another RR
    assert add(emulator, "@", "CNAME", "apex.example.net").status == 200
    assert add(emulator, "@", "MX", "mail.example.com", Priority=5).status == 200  # the apex exception
    assert add(emulator, "@", "TXT", "v=spf1 -all").status == 200
    assert add(emulator, "@", "A", "192.0.2.9").code == "DomainRecordConflict"


def test_records_of_others_and_unknown_ids(emulator):
    foreign = add(emulator, "www", "A", "192.0.2.1", zone="example.net", key=OTHER_KEY).json["RecordId"]
    for record_id in (foreign, "999"):
        answer = call(emulator, "DeleteDomainRecord", RecordId=record_id)
        assert (answer.status, answer.code) == (400, "DomainRecordNotBelongToUser")
        assert call(emulator, "UpdateDomainRecord", RecordId=record_id, RR="www", Type="A", Value="192.0.2.3").code == "DomainRecordNotBelongToUser"


def test_parameter_checks(emulator):
    assert call(emulator, "AddDomainRecord", DomainName="example.com", RR="www", Type="A").code == "MissingParameter"
    assert call(emulator, "DeleteDomainRecord").code == "MissingParameter"
    assert sub_domain(emulator, "").code == "MissingParameter"
    assert add(emulator, "www", "BOGUS", "x").code == "InvalidParameter"
    assert add(emulator, "bad rr", "A", "192.0.2.1").code == "InvalidRR.Format"
    assert add(emulator, "www", "A", "not-an-ip").code == "InvalidRecordValue"
    assert add(emulator, "www", "A", "192.0.2.1", TTL=0).code == "InvalidTTL"
    answer = add(emulator, "www", "A", "192.0.2.1", TTL=60)
    assert (answer.status, answer.code) == (400, "QuotaExceeded.TTL")


def test_dns_min_ttl_is_a_config_knob(make_emulator):
    emulator = make_emulator(config=dict(load_config(), dns_min_ttl=1))
    assert add(emulator, "www", "A", "192.0.2.1", TTL=60).status == 200


def test_delete_sub_domain_records(emulator):
    add(emulator, "set", "TXT", "a")
    add(emulator, "set", "TXT", "b")
    add(emulator, "set", "MX", "mx.example.com", Priority=1)
    answer = call(emulator, "DeleteSubDomainRecords", DomainName="example.com", RR="set", Type="TXT")
    assert answer.json["TotalCount"] == "2"
    assert records(sub_domain(emulator, "set.example.com")) == [("set", "MX", "mx.example.com")]


# --- config, state, control -------------------------------------------------------------------------------------
def test_initial_records_from_the_config_come_back_on_reset(make_emulator, tmp_path):
    config = dict(load_config(), dns_records=[{"zone": "example.com", "rr": "www", "type": "A", "value": "192.0.2.7"}])
    emulator = make_emulator(config=config, state_file=str(tmp_path / "state.json"))
    add(emulator, "new", "TXT", "x")
    assert [item["rr"] for item in emulator.dns_records()] == ["www", "new"]
    again = make_emulator(config=config, state_file=str(tmp_path / "state.json"))
    assert [item["rr"] for item in again.dns_records()] == ["www", "new"]
    again.reset()
    initial = again.dns_records()
    assert [(item["rr"], item["ttl"], item["record_id"]) for item in initial] == [("www", 600, emulator.dns_records()[0]["record_id"])]
    assert add(again, "newer", "TXT", "y").json["RecordId"] not in {item["record_id"] for item in emulator.dns_records()}


def test_config_checks_dns_entries():
    with pytest.raises(ValueError, match="not in dns_zones"):
        load_config(dict(load_config(), dns_records=[{"zone": "nowhere.test", "rr": "a", "type": "A", "value": "192.0.2.1"}]))
    with pytest.raises(ValueError, match="dns_min_ttl"):
        load_config(dict(load_config(), dns_min_ttl=0))


def test_control_records_and_api_records_are_one_store(emulator):
    assert control(emulator.endpoint, "POST", "dns", {"name": "_dnsauth.ctl.example.com", "value": "via-control"})[1]["changed"] is True
    emulator.publish_txt("_dnsauth.static.example.invalid", "external")
    assert records(sub_domain(emulator, "_dnsauth.ctl.example.com")) == [("_dnsauth.ctl", "TXT", "via-control")]
    add(emulator, "_dnsauth.api", "TXT", "via-api")
    assert control(emulator.endpoint, "GET", "dns")[1] == {
        "_dnsauth.api.example.com": ["via-api"],
        "_dnsauth.ctl.example.com": ["via-control"],
        "_dnsauth.static.example.invalid": ["external"],
    }
    external = control(emulator.endpoint, "GET", "dns/records", query="name=_dnsauth.static.example.invalid")[1]
    assert [(item["zone"], item["type"], item["value"]) for item in external] == [(None, "TXT", "external")]
    assert len(control(emulator.endpoint, "GET", "dns/records", query="zone=example.com")[1]) == 2
    control(emulator.endpoint, "DELETE", "dns", query="name=_dnsauth.api.example.com")
    assert sub_domain(emulator, "_dnsauth.api.example.com").json["TotalCount"] == 0


# --- ownership ------------------------------------------------------------------------------------------------
def _token(client, domain):
    return client.create_token("demo-bucket", domain).xml().findtext("Token")


def test_ownership_through_a_record_written_with_the_api(dns_emulator):
    client = OssClient(dns_emulator.endpoint)
    token = _token(client, "static.example.com")
    add(dns_emulator, "_dnsauth.static", "TXT", "wrong")
    assert client.put_cname("demo-bucket", "static.example.com").code == "NeedVerifyDomainOwnership"
    add(dns_emulator, "_dnsauth.static", "TXT", token)
    assert client.put_cname("demo-bucket", "static.example.com").status == 200


def test_propagation_delay_on_the_service_clock(make_emulator):
    emulator = make_emulator(ownership="dns", dns_propagation_seconds=60)
    client = OssClient(emulator.endpoint)
    token = _token(client, "static.example.com")
    record_id = add(emulator, "_dnsauth.static", "TXT", "stale").json["RecordId"]
    emulator.advance_clock(120)
    call(emulator, "UpdateDomainRecord", RecordId=record_id, RR="_dnsauth.static", Type="TXT", Value=token)
    assert client.put_cname("demo-bucket", "static.example.com").code == "NeedVerifyDomainOwnership"  # changed: propagates anew
    emulator.advance_clock(59)
    assert client.put_cname("demo-bucket", "static.example.com").code == "NeedVerifyDomainOwnership"
    emulator.advance_clock(2)
    assert client.put_cname("demo-bucket", "static.example.com").status == 200


def test_real_time_passing_counts_for_propagation(make_emulator):
    emulator = make_emulator(ownership="dns", dns_propagation_seconds=0.4)
    client = OssClient(emulator.endpoint)
    emulator.publish_txt("_dnsauth.wait.example.com", _token(client, "wait.example.com"))
    assert client.put_cname("demo-bucket", "wait.example.com").code == "NeedVerifyDomainOwnership"
    time.sleep(0.5)
    assert client.put_cname("demo-bucket", "wait.example.com").status == 200


def test_propagation_through_control_cli_and_config(make_emulator):
    emulator = make_emulator(config=dict(load_config(), dns_propagation_seconds=30))
    assert control(emulator.endpoint, "GET", "dns/propagation")[1] == {"ok": True, "seconds": 30}
    assert control(emulator.endpoint, "POST", "dns/propagation", {"seconds": 5})[1]["seconds"] == 5
    assert emulator.dns_propagation_seconds == 5 and emulator.state()["dns_propagation_seconds"] == 5
    assert control(emulator.endpoint, "POST", "dns/propagation", {"seconds": -1})[0] == 400
    control(emulator.endpoint, "POST", "reset")
    assert emulator.dns_propagation_seconds == 30
    assert build_parser().parse_args(["--dns-propagation-seconds", "12.5"]).dns_propagation_seconds == 12.5


# --- request log and faults -----------------------------------------------------------------------------------
def test_request_log_entries_for_dns(emulator):
    add(emulator, "logged", "TXT", "v")
    call(emulator, "DescribeDomains", key=STS_KEY[:2], token=STS_KEY[2])
    call(emulator, "DescribeDomains", key=("LTAInobody", "x"))
    added, described, refused = emulator.requests
    assert (added["service"], added["operation"], added["action"], added["method"], added["status"]) == (
        "alidns",
        "AddDomainRecord",
        "AddDomainRecord",
        "GET",
        200,
    )
    assert (added["domain"], added["access_key_id"], added["params"]["RR"], added["params"]["Value"]) == ("example.com", MAIN_KEY[0], "logged", "v")
    assert "Signature" not in added["params"] and "SecurityToken" not in described["params"] and described["access_key_id"] == STS_KEY[0]
    assert (refused["status"], refused["code"]) == (404, "InvalidAccessKeyId.NotFound")
    assert added["query"] is None and added["bucket"] is None
    assert STS_KEY[2] not in json.dumps(emulator.requests) and MAIN_KEY[1] not in json.dumps(emulator.requests)


def test_throttling_fault_on_one_action(emulator):
    emulator.add_fault("status", operation="AddDomainRecord", status=429, code="Throttling.User")
    assert call(emulator, "DescribeDomains").status == 200
    answer = add(emulator, "www", "A", "192.0.2.1")
    assert (answer.status, answer.code) == (429, "Throttling.User") and set(answer.json) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert answer.headers["x-acs-request-id"] == answer.json["RequestId"]
    assert emulator.dns_records() == []  # a status fault answers instead of the operation
    assert add(emulator, "www", "A", "192.0.2.1").status == 200
    assert [entry["fault"] for entry in emulator.requests] == [None, "status", None]


def test_server_errors_for_any_dns_action_and_oss_faults_stay_on_oss(emulator):
    emulator.add_fault("status")  # no service, no operation: OSS only, as before the DNS API existed
    assert call(emulator, "DescribeDomains").status == 200
    emulator.clear_faults()
    status, _body = control(emulator.endpoint, "POST", "faults", {"kind": "status", "service": "alidns", "count": 2})
    assert status == 200
    codes = [(answer.status, answer.code) for answer in (call(emulator, "DescribeDomains"), sub_domain(emulator, "a.example.com"))]
    assert codes == [(503, "ServiceUnavailable"), (503, "ServiceUnavailable")]
    emulator.add_fault("status", service="alidns", status=500)
    assert call(emulator, "DescribeDomains").code == "InternalError"
    assert control(emulator.endpoint, "POST", "faults", {"kind": "status", "operation": "NoSuchAction"})[0] == 400


def test_drop_after_apply_on_dns(emulator):
    emulator.add_fault("drop_after_apply", operation="AddDomainRecord")
    with pytest.raises(http.client.RemoteDisconnected):
        add(emulator, "dropped", "TXT", "x")
    assert [item["rr"] for item in emulator.dns_records()] == ["dropped"]


def test_a_state_file_from_before_the_record_store_still_loads(make_emulator, tmp_path):
    path = tmp_path / "old-state.json"
    path.write_text(json.dumps({"version": 1, "dns": {"_dnsauth.old.example.com": ["kept"], "_dnsauth.x.invalid": ["external"]}}))
    emulator = make_emulator(state_file=str(path))
    assert records(sub_domain(emulator, "_dnsauth.old.example.com")) == [("_dnsauth.old", "TXT", "kept")]
    assert emulator.state()["dns"] == {"_dnsauth.old.example.com": ["kept"], "_dnsauth.x.invalid": ["external"]}
    zones = call(emulator, "DescribeDomains", KeyWord="example.com", SearchMode="EXACT").json["Domains"]["Domain"]
    fresh = make_emulator()
    again = call(fresh, "DescribeDomains", KeyWord="example.com", SearchMode="EXACT").json["Domains"]["Domain"]
    assert zones[0]["RecordCount"] == 1 and again[0]["RecordCount"] == 0
    assert zones[0]["DomainId"] == again[0]["DomainId"]  # stable across emulators
