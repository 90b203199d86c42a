# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""alidns_record: which requests reach Alibaba Cloud DNS for each state of a record set, and what the module returns.

The module's main() runs for real against an in-memory DNS (tests/unit/fake_alidns.py) that checks every signature
independently; only the HTTP session is replaced.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils import _http
from ansible_collections.alicloud.oss.plugins.modules import alidns_record
from ansible_collections.alicloud.oss.tests.unit.compat import module_answer, patch_module_args
from ansible_collections.alicloud.oss.tests.unit.fake_alidns import FakeDns

KEY_ID = "LTAI5tDnsModuleKey"
SECRET = "DnsModuleSecret-must-not-leak-3e4f"
STS_KEY_ID = "STS.DnsModuleTempKey"
STS_SECRET = "DnsModuleTempSecret-must-not-leak-5a6b"
STS_TOKEN = "DnsModuleToken/must+not=leak-7c8d"
TARGET = "my-bucket.oss-cn-hangzhou.aliyuncs.com"
TXT_NAME = "_dnsauth.static.example.com"
BASE_ARGS = {"access_key_id": KEY_ID, "access_key_secret": SECRET, "dns_endpoint": "http://127.0.0.1:9"}


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDns({KEY_ID: SECRET, STS_KEY_ID: STS_SECRET})
    fake.tokens[STS_KEY_ID] = STS_TOKEN
    fake.zones = ["example.com", "example.org", "cdn.example.org"]
    monkeypatch.setattr(_http, "new_session", fake.new_session)
    # Retries wait no real time here.
    monkeypatch.setattr(_http, "backoff_delay", lambda attempt, jitter=None: 0)
    return fake


@pytest.fixture
def run(dns, capsys):
    """run(check_mode=False, diff=False, **args) -> the module's result dict (BASE_ARGS supply keys and endpoint)."""

    def run_module(check_mode=False, **args):
        full = dict(BASE_ARGS, **args)
        if check_mode:
            full["_ansible_check_mode"] = True
        capsys.readouterr()
        with patch_module_args(full):
            with pytest.raises(SystemExit) as info:
                alidns_record.main()
        result, stdout, _registered = module_answer(capsys.readouterr().out)
        assert bool(result.get("failed")) == bool(info.value.code), stdout
        for secret in (SECRET, STS_SECRET, STS_TOKEN):
            assert secret not in stdout
            assert _encoded(secret) not in stdout and _encoded(_encoded(secret)) not in stdout
        assert all(session.closed for session in dns.sessions), "the module left its HTTP session open"
        return result

    return run_module


def _encoded(text):
    from ansible_collections.alicloud.oss.plugins.module_utils._rpc import percent_encode

    return percent_encode(text)


def txt(**args):
    return dict({"record": TXT_NAME, "type": "TXT", "value": "token-1", "zone": "example.com"}, **args)


def records_of(result):
    return [(record["value"], record["ttl"]) for record in result["records"]]


# ---------------------------------------------------------------------------------------------
# Converged: one read
# ---------------------------------------------------------------------------------------------


def test_converged_with_zone_sends_one_request(run, dns):
    record_id = dns.add("example.com", "_dnsauth.static", "TXT", "token-1")
    result = run(**txt())
    assert result["changed"] is False
    assert dns.actions() == ["DescribeSubDomainRecords"]
    params = dns.sent[0].params
    assert (params["SubDomain"], params["DomainName"], params["Type"], params["PageNumber"], params["PageSize"]) == (TXT_NAME, "example.com", "TXT", "1", "100")
    assert dns.sent[0].method == "GET"
    assert (result["zone"], result["rr"]) == ("example.com", "_dnsauth.static")
    assert result["records"] == [{"record_id": record_id, "value": "token-1", "ttl": 600, "status": "ENABLE"}]
    assert result["diff"]["before"] == result["diff"]["after"] == {"values": ["token-1"], "ttls": [600]}


def test_converged_without_zone_sends_two_requests_and_picks_the_longest_zone(run, dns):
    dns.add("cdn.example.org", "www", "A", "192.0.2.10")
    result = run(record="WWW.cdn.Example.org.", type="A", value="192.0.2.10")
    assert result["changed"] is False
    assert dns.actions() == ["DescribeDomains", "DescribeSubDomainRecords"]
    assert (dns.sent[0].params["PageNumber"], dns.sent[0].params["PageSize"]) == ("1", "100")
    params = dns.sent[1].params
    assert (params["SubDomain"], params["DomainName"]) == ("www.cdn.example.org", "cdn.example.org")
    assert (result["zone"], result["rr"]) == ("cdn.example.org", "www")


def test_the_apex_is_rr_at(run, dns):
    dns.add("example.com", "@", "TXT", "v=spf1 -all")
    result = run(record="example.com", type="TXT", value="v=spf1 -all")
    assert (result["changed"], result["zone"], result["rr"]) == (False, "example.com", "@")


def test_converged_over_several_pages_reads_them_all_and_writes_nothing(run, dns):
    for number in range(150):
        dns.add("example.com", "many", "TXT", f"value-{number:03d}")
    result = run(record="many.example.com", type="TXT", value="value-149", zone="example.com", overwrite=False)
    assert result["changed"] is False
    assert [sent.params["PageNumber"] for sent in dns.sent] == ["1", "2"]
    assert len(result["records"]) == 150


def test_the_endpoint_comes_from_the_environment_when_not_given(run, dns, monkeypatch):
    monkeypatch.setenv("ALICLOUD_DNS_ENDPOINT", "http://127.0.0.1:8053")
    monkeypatch.delitem(BASE_ARGS, "dns_endpoint")
    assert "failed" not in run(**txt())
    assert dns.sent[0].host == "127.0.0.1:8053"


# ---------------------------------------------------------------------------------------------
# Writes: only those that differ
# ---------------------------------------------------------------------------------------------


def test_an_absent_record_is_added(run, dns):
    result = run(**txt(ttl=300))
    assert result["changed"] is True
    assert dns.actions() == ["DescribeSubDomainRecords", "AddDomainRecord"]
    add = dns.sent[1].params
    assert {name: add[name] for name in ("DomainName", "RR", "Type", "Value", "TTL")} == {
        "DomainName": "example.com",
        "RR": "_dnsauth.static",
        "Type": "TXT",
        "Value": "token-1",
        "TTL": "300",
    }
    assert "Priority" not in add
    (record,) = result["records"]
    assert record == {"record_id": dns.record_set("example.com", "_dnsauth.static", "TXT")[0]["RecordId"], "value": "token-1", "ttl": 300, "status": "ENABLE"}
    assert result["diff"] == {"before": {"values": [], "ttls": []}, "after": {"values": ["token-1"], "ttls": [300]}}
    # The second run finds it.
    dns.sent.clear()
    assert run(**txt(ttl=300))["changed"] is False
    assert dns.actions() == ["DescribeSubDomainRecords"]


def test_overwrite_keeps_the_record_holding_the_value_and_deletes_the_others(run, dns):
    first = dns.add("example.com", "_dnsauth.static", "TXT", "old-a")
    kept = dns.add("example.com", "_dnsauth.static", "TXT", "token-1")
    third = dns.add("example.com", "_dnsauth.static", "TXT", "old-b")
    result = run(**txt())
    assert result["changed"] is True
    assert [(sent.action, sent.params["RecordId"]) for sent in dns.writes()] == [("DeleteDomainRecord", first), ("DeleteDomainRecord", third)]
    assert dns.values("example.com", "_dnsauth.static", "TXT") == ["token-1"]
    assert [record["record_id"] for record in result["records"]] == [kept]
    assert result["diff"]["before"]["values"] == ["old-a", "old-b", "token-1"]
    assert result["diff"]["after"]["values"] == ["token-1"]


def test_overwrite_updates_the_first_record_and_deletes_the_rest(run, dns):
    first = dns.add("example.com", "_dnsauth.static", "TXT", "old-a", ttl=900)
    second = dns.add("example.com", "_dnsauth.static", "TXT", "old-b")
    result = run(**txt())
    writes = dns.writes()
    assert [(sent.action, sent.params["RecordId"]) for sent in writes] == [("UpdateDomainRecord", first), ("DeleteDomainRecord", second)]
    update = writes[0].params
    assert {name: update[name] for name in ("RR", "Type", "Value", "TTL")} == {"RR": "_dnsauth.static", "Type": "TXT", "Value": "token-1", "TTL": "600"}
    assert result["records"] == [{"record_id": first, "value": "token-1", "ttl": 600, "status": "ENABLE"}]
    assert dns.record_set("example.com", "_dnsauth.static", "TXT")[0]["TTL"] == 600


def test_a_ttl_difference_is_one_update_with_the_same_value(run, dns):
    record_id = dns.add("example.com", "_dnsauth.static", "TXT", "token-1", ttl=3600)
    result = run(**txt(ttl=600))
    (update,) = dns.writes()
    assert (update.action, update.params["RecordId"], update.params["Value"], update.params["TTL"]) == ("UpdateDomainRecord", record_id, "token-1", "600")
    assert result["diff"] == {"before": {"values": ["token-1"], "ttls": [3600]}, "after": {"values": ["token-1"], "ttls": [600]}}


def test_overwrite_false_adds_beside_the_existing_values(run, dns):
    existing = dns.add("example.com", "_dnsauth.static", "TXT", "other")
    result = run(**txt(overwrite=False))
    assert [sent.action for sent in dns.writes()] == ["AddDomainRecord"]
    assert dns.values("example.com", "_dnsauth.static", "TXT") == ["other", "token-1"]
    assert [record["value"] for record in result["records"]] == ["other", "token-1"]
    assert result["records"][0]["record_id"] == existing
    dns.sent.clear()
    assert run(**txt(overwrite=False))["changed"] is False
    assert dns.writes() == []


def test_overwrite_false_fixes_only_the_ttl_of_its_own_value(run, dns):
    dns.add("example.com", "_dnsauth.static", "TXT", "other", ttl=60)
    own = dns.add("example.com", "_dnsauth.static", "TXT", "token-1", ttl=60)
    result = run(**txt(overwrite=False, ttl=120))
    assert [(sent.action, sent.params["RecordId"], sent.params["TTL"]) for sent in dns.writes()] == [("UpdateDomainRecord", own, "120")]
    assert records_of(result) == [("other", 60), ("token-1", 120)]


def test_absent_with_a_value_removes_only_that_value(run, dns):
    dns.add("example.com", "@", "TXT", "keep-me")
    doomed = dns.add("example.com", "@", "TXT", "v=spf1 -all")
    result = run(record="example.com", type="TXT", value="v=spf1 -all", state="absent", zone="example.com")
    assert [(sent.action, sent.params["RecordId"]) for sent in dns.writes()] == [("DeleteDomainRecord", doomed)]
    assert dns.values("example.com", "@", "TXT") == ["keep-me"]
    assert [record["value"] for record in result["records"]] == ["keep-me"]
    dns.sent.clear()
    assert run(record="example.com", type="TXT", value="v=spf1 -all", state="absent", zone="example.com")["changed"] is False
    assert dns.actions() == ["DescribeSubDomainRecords"]


def test_absent_without_a_value_removes_the_whole_set_and_nothing_else(run, dns):
    dns.add("example.com", "_dnsauth.static", "TXT", "a")
    dns.add("example.com", "_dnsauth.static", "TXT", "b")
    dns.add("example.com", "static", "CNAME", TARGET)
    result = run(record=TXT_NAME, type="TXT", state="absent")
    assert dns.actions() == ["DescribeDomains", "DescribeSubDomainRecords", "DeleteDomainRecord", "DeleteDomainRecord"]
    assert (result["changed"], result["records"]) == (True, [])
    assert dns.values("example.com", "_dnsauth.static", "TXT") == []
    assert dns.values("example.com", "static", "CNAME") == [TARGET]


def test_records_on_other_lines_are_left_alone(run, dns):
    dns.add("example.com", "www", "A", "192.0.2.1", line="telecom")
    result = run(record="www.example.com", type="A", value="192.0.2.2", zone="example.com")
    assert [sent.action for sent in dns.writes()] == ["AddDomainRecord"]
    assert dns.values("example.com", "www", "A") == ["192.0.2.1", "192.0.2.2"]
    assert [record["value"] for record in result["records"]] == ["192.0.2.2"]


# ---------------------------------------------------------------------------------------------
# Comparing values
# ---------------------------------------------------------------------------------------------


def test_cname_values_compare_without_case_and_trailing_dot(run, dns):
    dns.add("example.com", "static", "CNAME", "My-Bucket.OSS-cn-hangzhou.aliyuncs.com.")
    result = run(record="static.example.com", type="CNAME", value=TARGET + ".", zone="example.com")
    assert (result["changed"], dns.writes()) == (False, [])


def test_a_cname_value_is_sent_lower_case_without_trailing_dot(run, dns):
    run(record="static.example.com", type="CNAME", value="My-Bucket.OSS-cn-hangzhou.aliyuncs.com.", zone="example.com")
    assert dns.writes()[0].params["Value"] == TARGET


def test_txt_values_compare_exactly_and_quotes_are_warned_about(run, dns):
    dns.add("example.com", "_dnsauth.static", "TXT", "token-1")
    result = run(**txt(value='"token-1"'))
    assert result["changed"] is True
    assert dns.writes()[0].params["Value"] == '"token-1"'
    # ansible-core 2.19 and later return each warning as a dict with its text in event.msg.
    warnings = [item["event"]["msg"] if isinstance(item, dict) else item for item in result["warnings"]]
    assert any("double quotes" in warning for warning in warnings), warnings


def test_ipv6_values_compare_as_addresses(run, dns):
    dns.add("example.com", "www", "AAAA", "2001:DB8:0:0::1")
    result = run(record="www.example.com", type="AAAA", value="2001:db8::1", zone="example.com")
    assert (result["changed"], dns.writes()) == (False, [])


def test_mx_priority_is_sent_and_a_different_priority_is_updated(run, dns):
    record_id = dns.add("example.com", "@", "MX", "mx1.example.com", priority=10)
    result = run(record="example.com", type="MX", value="MX1.example.com", priority=20, zone="example.com")
    (update,) = dns.writes()
    assert (update.action, update.params["RecordId"], update.params["Priority"], update.params["Value"]) == (
        "UpdateDomainRecord",
        record_id,
        "20",
        "mx1.example.com",
    )
    assert result["records"] == [{"record_id": record_id, "value": "mx1.example.com", "ttl": 600, "status": "ENABLE", "priority": 20}]
    assert result["diff"]["after"] == {"values": ["mx1.example.com"], "ttls": [600], "priorities": [20]}


# ---------------------------------------------------------------------------------------------
# Check mode
# ---------------------------------------------------------------------------------------------


def test_check_mode_sends_no_write_and_predicts_the_set(run, dns):
    first = dns.add("example.com", "_dnsauth.static", "TXT", "old-a")
    dns.add("example.com", "_dnsauth.static", "TXT", "old-b")
    result = run(check_mode=True, **txt(ttl=300))
    assert result["changed"] is True
    assert dns.actions() == ["DescribeSubDomainRecords"]
    assert result["records"] == [{"record_id": first, "value": "token-1", "ttl": 300, "status": "ENABLE"}]
    assert result["diff"] == {"before": {"values": ["old-a", "old-b"], "ttls": [600, 600]}, "after": {"values": ["token-1"], "ttls": [300]}}
    assert dns.values("example.com", "_dnsauth.static", "TXT") == ["old-a", "old-b"]


def test_check_mode_predicts_an_added_record_without_an_id(run, dns):
    result = run(check_mode=True, **txt())
    assert result["changed"] is True
    assert dns.writes() == []
    assert result["records"] == [{"record_id": None, "value": "token-1", "ttl": 600, "status": "ENABLE"}]


def test_check_mode_of_absent_predicts_an_empty_set(run, dns):
    dns.add("example.com", "_dnsauth.static", "TXT", "token-1")
    result = run(check_mode=True, **txt(state="absent", value=None))
    assert (result["changed"], result["records"], dns.writes()) == (True, [], [])


# ---------------------------------------------------------------------------------------------
# Bad input: a clear message before any request
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(record="bad..example.com"), "record 'bad..example.com' is not a DNS name: it has an empty label"),
        (dict(record=""), "record '' is not a DNS name: it is empty."),
        (dict(record="localhost"), "record 'localhost' is not a DNS name: give the full name, such as www.example.com."),
        (dict(record="a b.example.com"), "the label 'a b' may hold only letters, digits, underscores and inner hyphens"),
        (dict(record="-a.example.com"), "the label '-a' may hold only"),
        (dict(record=("a" * 60 + ".") * 4 + "example.com"), "at most 253 are allowed"),
        (dict(record="bücher.example.com"), "internationalised names must be given in their ASCII (punycode) form"),
        (dict(value=None), "value is required with state=present."),
        (dict(value=""), "value must not be empty."),
        (dict(ttl=0), "ttl must be 1 to 86400 seconds, not 0."),
        (dict(ttl=86401), "ttl must be 1 to 86400 seconds, not 86401."),
        (dict(zone="example.org"), "zone 'example.org' does not hold record '_dnsauth.static.example.com'"),
        (dict(zone="xample.com", record="www.example.com"), "zone 'xample.com' does not hold record 'www.example.com'"),
        (dict(priority=10), "priority applies to MX records only, not to type TXT."),
        (dict(type="A", value="300.1.1.1"), "value '300.1.1.1' is not an IPv4 address, which type A needs."),
        (dict(type="A", value="2001:db8::1"), "is not an IPv4 address"),
        (dict(type="AAAA", value="192.0.2.1"), "value '192.0.2.1' is not an IPv6 address, which type AAAA needs."),
        (dict(type="CNAME", value="not a host"), "value 'not a host' is not a DNS name"),
        (dict(type="MX", value="mx.example.com"), "priority is required for an MX record with state=present"),
        (dict(type="MX", value="mx.example.com", priority=51), "priority must be 1 to 50, not 51."),
        (dict(timeout=0), "timeout must be a positive number of seconds"),
        (dict(dns_endpoint="ftp://alidns.aliyuncs.com"), "dns_endpoint 'ftp://alidns.aliyuncs.com' is not an http or https URL"),
    ],
)
def test_bad_input_fails_clearly_before_any_request(run, dns, args, message):
    result = run(**txt(**args))
    assert result["failed"] is True
    assert message in result["msg"]
    assert "\n" not in result["msg"]
    assert "error" not in result
    assert dns.sent == []


def test_a_password_in_dns_endpoint_is_refused_and_never_echoed(run, dns):
    result = run(**txt(dns_endpoint="https://user:hunter2pass@alidns.aliyuncs.com"))
    assert "dns_endpoint holds a user name or password" in result["msg"]
    assert "hunter2pass" not in json.dumps(result)
    assert dns.sent == []


def test_no_credentials_fails_naming_the_service_and_the_places_looked_at(run, dns, monkeypatch):
    monkeypatch.delitem(BASE_ARGS, "access_key_id")
    monkeypatch.delitem(BASE_ARGS, "access_key_secret")
    result = run(**txt())
    assert result["msg"].startswith("No Alibaba Cloud DNS credentials found. Looked at: task options")
    assert dns.sent == []


def test_the_oss_options_are_not_the_modules(run, dns):
    result = run(**txt(region="cn-hangzhou"))
    assert result["failed"] is True
    assert "Unsupported parameters" in result["msg"] and "region" in result["msg"]
    assert dns.sent == []


# ---------------------------------------------------------------------------------------------
# Service errors
# ---------------------------------------------------------------------------------------------


def test_a_wrong_secret_is_one_request_and_fails_with_the_code_never_the_secret_or_token(run, dns):
    result = run(**txt(access_key_id=STS_KEY_ID, access_key_secret="WrongSecret-0000", security_token=STS_TOKEN))
    assert result["failed"] is True
    assert dns.actions() == ["DescribeSubDomainRecords"]
    error = result["error"]
    assert (error["code"], error["status"], error["host_id"]) == ("SignatureDoesNotMatch", 400, "alidns.aliyuncs.com")
    assert error["request_id"].startswith("D5A1")
    assert error["message"] == "Specified signature is not matched with our calculation."
    assert result["msg"].startswith(
        "Reading the TXT records of _dnsauth.static.example.com in zone example.com failed. "
        "Alibaba Cloud DNS refused DescribeSubDomainRecords: SignatureDoesNotMatch (HTTP 400): "
    )
    assert "Check that access_key_secret belongs to access_key_id" in result["msg"]
    assert f"Request id {error['request_id']}." in result["msg"]
    assert "\n" not in result["msg"]
    assert "string to sign" not in json.dumps(result)


def test_temporary_credentials_sign_with_their_token(run, dns):
    dns.add("example.com", "_dnsauth.static", "TXT", "token-1")
    result = run(**txt(access_key_id=STS_KEY_ID, access_key_secret=STS_SECRET, security_token=STS_TOKEN))
    assert result["changed"] is False
    assert dns.sent[0].params["SecurityToken"] == STS_TOKEN


def test_throttling_is_retried_with_a_new_nonce(run, dns):
    dns.fail("AddDomainRecord", "Throttling.User", status=400, message="Request was denied due to user flow control.", times=1)
    result = run(**txt())
    assert result["changed"] is True
    adds = [sent for sent in dns.sent if sent.action == "AddDomainRecord"]
    assert len(adds) == 2
    assert adds[0].params["SignatureNonce"] != adds[1].params["SignatureNonce"]
    assert dns.values("example.com", "_dnsauth.static", "TXT") == ["token-1"]


def test_an_unknown_zone_fails_with_the_services_code(run, dns):
    result = run(**txt(record="_dnsauth.static.example.net", zone="example.net"))
    assert result["error"]["code"] == "InvalidDomainName.NoExist"
    assert "check zone, or leave it out to have it found" in result["msg"]
    assert len(dns.sent) == 1


def test_no_zone_of_the_account_holds_the_record(run, dns):
    result = run(record="www.example.net", type="A", value="192.0.2.1")
    assert result["failed"] is True
    assert result["msg"] == (
        "No zone of the Alibaba Cloud DNS account holds www.example.net; its 3 domain(s): cdn.example.org, example.com, example.org. "
        "Set zone, or add the domain to the account."
    )
    assert dns.actions() == ["DescribeDomains"]


def test_a_failure_after_a_write_reports_the_change(run, dns):
    dns.add("example.com", "_dnsauth.static", "TXT", "old-a")
    dns.add("example.com", "_dnsauth.static", "TXT", "old-b")
    dns.fail("DeleteDomainRecord", "DomainRecordLocked", message="The DNS record is locked.")
    result = run(**txt())
    assert (result["failed"], result["changed"], result["zone"], result["rr"]) == (True, True, "example.com", "_dnsauth.static")
    assert result["error"]["code"] == "DomainRecordLocked"
    assert result["msg"].endswith("1 of 2 changes were made before.")
    assert [sent.action for sent in dns.writes()] == ["UpdateDomainRecord", "DeleteDomainRecord"]


def test_a_cname_conflict_is_explained(run, dns):
    dns.fail("AddDomainRecord", "DomainRecordConflict", message="The DNS record conflicts with other records.")
    result = run(record="static.example.com", type="CNAME", value=TARGET, zone="example.com")
    assert result["error"]["code"] == "DomainRecordConflict"
    assert "A CNAME record cannot share its name with records of other types" in result["msg"]
    assert "changed" not in result or result["changed"] is False
