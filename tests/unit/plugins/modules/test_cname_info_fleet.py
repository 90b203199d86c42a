# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""cname_info over many buckets: ListBuckets paging, region routing, partial failure, the expiry list, bad input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.alicloud.oss.plugins.modules import cname_info

from ansible_collections.alicloud.oss.tests.unit.plugins.modules.conftest import OWNER, rfc1123

ENTRY_KEYS = {"bucket", "region", "owner", "cname_target", "cnames", "error"}


def fleet_args(**args):
    """Task arguments without the single bucket of BASE_ARGS."""
    return dict({"bucket": None}, **args)


def certificate_ending_in(fake_oss, cert_id, days):
    """A bound certificate that ends `days` days (plus an hour, so the whole-day count is stable) from now."""
    certificate = fake_oss.certificate(cert_id)
    certificate["ValidEndDate"] = rfc1123(datetime.now(timezone.utc) + timedelta(days=days, hours=1))
    return certificate


@pytest.fixture
def three_regions(fake_oss):
    fake_oss.add_buckets("hz-one", "hz-two", region="cn-hangzhou")
    fake_oss.add_buckets("sg-one", region="ap-southeast-1")
    fake_oss.add_buckets("de-one", region="eu-central-1")
    fake_oss.bind("www.example.com", bucket="hz-one")
    fake_oss.bind("static.example.com", certificate=fake_oss.certificate("11111111-cn-hangzhou"), bucket="sg-one")
    return fake_oss


def test_all_buckets_lists_then_reads_each_bucket_once(run_module, three_regions):
    run = run_module(cname_info, **fleet_args(all_buckets=True))

    assert three_regions.operations() == ["ListBuckets"] + ["ListCname"] * 4
    listing = three_regions.sent[0]
    assert listing.method == "GET" and listing.path == "/"
    assert listing.params == {"max-keys": "1000"}
    assert run["changed"] is False
    assert run.get("failed") is None
    assert [entry["bucket"] for entry in run["buckets"]] == ["de-one", "hz-one", "hz-two", "sg-one"]
    assert all(set(entry) == ENTRY_KEYS for entry in run["buckets"])
    by_name = {entry["bucket"]: entry for entry in run["buckets"]}
    assert by_name["sg-one"]["region"] == "ap-southeast-1"
    assert by_name["sg-one"]["owner"] == OWNER
    assert by_name["sg-one"]["cname_target"] == "sg-one.oss-ap-southeast-1.aliyuncs.com"
    assert [cname["domain"] for cname in by_name["sg-one"]["cnames"]] == ["static.example.com"]
    assert by_name["sg-one"]["cnames"][0]["certificate"]["cert_id"] == "11111111-cn-hangzhou"
    assert by_name["hz-two"]["cnames"] == [] and by_name["hz-two"]["error"] is None
    assert "bucket" not in run and "cnames" not in run and "expiring" not in run


def test_each_bucket_is_read_in_its_own_region_through_the_given_endpoint(run_module, three_regions):
    run_module(cname_info, **fleet_args(all_buckets=True))

    signed = {sent.bucket: sent.signing_region for sent in three_regions.of("ListCname")}
    assert signed == {"de-one": "eu-central-1", "hz-one": "cn-hangzhou", "hz-two": "cn-hangzhou", "sg-one": "ap-southeast-1"}
    assert {sent.host for sent in three_regions.sent} == {"127.0.0.1"}
    assert three_regions.sent[0].signing_region == "cn-hangzhou"  # ListBuckets: the task's region


def test_without_endpoint_each_bucket_goes_to_its_regions_endpoint(run_module, three_regions):
    run_module(cname_info, **fleet_args(all_buckets=True, endpoint=None))

    assert three_regions.sent[0].url == "https://oss-cn-hangzhou.aliyuncs.com/?max-keys=1000"
    hosts = {sent.bucket: (sent.host, sent.signing_region) for sent in three_regions.of("ListCname")}
    assert hosts == {
        "de-one": ("de-one.oss-eu-central-1.aliyuncs.com", "eu-central-1"),
        "hz-one": ("hz-one.oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou"),
        "hz-two": ("hz-two.oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou"),
        "sg-one": ("sg-one.oss-ap-southeast-1.aliyuncs.com", "ap-southeast-1"),
    }


def test_every_page_is_read_with_the_marker_and_the_prefix(run_module, fake_oss):
    fake_oss.add_buckets(*[f"web-{number:02d}" for number in range(5)], "other-bucket")
    fake_oss.list_page_size = 2
    run = run_module(cname_info, **fleet_args(all_buckets=True, bucket_prefix="web-"))

    pages = fake_oss.of("ListBuckets")
    assert [sent.params for sent in pages] == [
        {"max-keys": "1000", "prefix": "web-"},
        {"max-keys": "1000", "marker": "web-01", "prefix": "web-"},
        {"max-keys": "1000", "marker": "web-03", "prefix": "web-"},
    ]
    assert len(fake_oss.of("ListCname")) == 5
    assert [entry["bucket"] for entry in run["buckets"]] == [f"web-{number:02d}" for number in range(5)]


def test_region_falls_back_to_location_and_a_bucket_without_either_is_an_error(run_module, fake_oss):
    fake_oss.account_buckets = [("old-bucket", None, "oss-cn-beijing"), ("odd-bucket", None, None), ("new-bucket", "cn-shanghai", None)]
    run = run_module(cname_info, **fleet_args(all_buckets=True))

    by_name = {entry["bucket"]: entry for entry in run["buckets"]}
    assert by_name["old-bucket"]["region"] == "cn-beijing"
    assert by_name["new-bucket"]["region"] == "cn-shanghai"
    assert by_name["odd-bucket"]["region"] is None and by_name["odd-bucket"]["cname_target"] is None
    assert "odd-bucket" in by_name["odd-bucket"]["error"]["msg"]
    assert sorted(sent.bucket for sent in fake_oss.of("ListCname")) == ["new-bucket", "old-bucket"]
    assert run["failed"] is True
    assert "odd-bucket" in run["msg"]


def test_a_listed_name_that_is_no_bucket_name_is_never_sent(run_module, fake_oss):
    fake_oss.account_buckets = [("evil.example.com/", "cn-hangzhou", None), ("good-bucket", "cn-hangzhou", None)]
    run = run_module(cname_info, **fleet_args(all_buckets=True))

    assert [sent.bucket for sent in fake_oss.of("ListCname")] == ["good-bucket"]
    by_name = {entry["bucket"]: entry for entry in run["buckets"]}
    assert "is not a valid bucket name" in by_name["evil.example.com/"]["error"]["msg"]
    assert by_name["good-bucket"]["error"] is None
    assert run["failed"] is True


def test_buckets_reads_the_named_buckets_in_the_tasks_region(run_module, fake_oss):
    fake_oss.bind("www.example.com", bucket="alpha")
    run = run_module(cname_info, **fleet_args(buckets=["beta", "alpha", "alpha"], region="eu-central-1"))

    assert fake_oss.operations() == ["ListCname", "ListCname"]
    assert {sent.signing_region for sent in fake_oss.sent} == {"eu-central-1"}
    assert [entry["bucket"] for entry in run["buckets"]] == ["alpha", "beta"]
    assert run["buckets"][0]["region"] == "eu-central-1"
    assert run["buckets"][0]["cname_target"] == "alpha.oss-eu-central-1.aliyuncs.com"
    assert [cname["domain"] for cname in run["buckets"][0]["cnames"]] == ["www.example.com"]


def test_one_failed_bucket_fails_the_task_and_keeps_the_others(run_module, three_regions):
    three_regions.fail("ListCname", only_bucket="hz-two", code="AccessDenied", status=403)
    run = run_module(cname_info, **fleet_args(all_buckets=True, retries=0))

    assert run["failed"] is True
    assert run["changed"] is False
    assert "\n" not in run["msg"]
    assert "1 of 4 buckets: hz-two." in run["msg"]
    assert "oss:ListCname" in run["msg"]
    by_name = {entry["bucket"]: entry for entry in run["buckets"]}
    error = by_name["hz-two"]["error"]
    assert error["code"] == "AccessDenied" and error["status"] == 403 and error["request_id"]
    assert error["msg"].startswith("OSS refused ListCname")
    assert by_name["hz-two"]["cnames"] == []
    assert [cname["domain"] for cname in by_name["sg-one"]["cnames"]] == ["static.example.com"]
    assert all(by_name[name]["error"] is None for name in ("de-one", "hz-one", "sg-one"))


def test_a_failed_listing_fails_the_task_without_reading_buckets(run_module, three_regions):
    three_regions.fail("ListBuckets", code="AccessDenied", status=403)
    run = run_module(cname_info, **fleet_args(all_buckets=True))

    assert three_regions.operations() == ["ListBuckets"]
    assert run["failed"] is True
    assert "oss:ListBuckets" in run["msg"]
    assert run["error"]["code"] == "AccessDenied"


def test_expiring_lists_certificates_soonest_first_with_the_expired(run_module, fake_oss):
    fake_oss.add_buckets("one-bucket", "two-bucket")
    fake_oss.bind("late.example.com", certificate=certificate_ending_in(fake_oss, "1-cn-hangzhou", 20), bucket="one-bucket")
    fake_oss.bind("gone.example.com", certificate=certificate_ending_in(fake_oss, "2-cn-hangzhou", -3), bucket="two-bucket")
    fake_oss.bind("soon.example.com", certificate=certificate_ending_in(fake_oss, "3-cn-hangzhou", 5), bucket="two-bucket")
    fake_oss.bind("safe.example.com", certificate=certificate_ending_in(fake_oss, "4-cn-hangzhou", 30), bucket="one-bucket")
    fake_oss.bind("plain.example.com", bucket="one-bucket")
    run = run_module(cname_info, **fleet_args(all_buckets=True, expiring_within_days=30))

    assert [(item["domain"], item["days_to_expiry"]) for item in run["expiring"]] == [
        ("gone.example.com", -3),
        ("soon.example.com", 5),
        ("late.example.com", 20),
    ]
    assert set(run["expiring"][0]) == {"bucket", "domain", "wildcard", "cert_id", "valid_end_date_iso", "days_to_expiry"}
    assert run["expiring"][0]["bucket"] == "two-bucket" and run["expiring"][0]["cert_id"] == "2-cn-hangzhou"
    assert run["expiring"][0]["valid_end_date_iso"].endswith("Z")


def test_expiring_zero_lists_only_the_expired(run_module, fake_oss):
    fake_oss.add_buckets("one-bucket")
    fake_oss.bind("gone.example.com", certificate=certificate_ending_in(fake_oss, "2-cn-hangzhou", -1), bucket="one-bucket")
    fake_oss.bind("soon.example.com", certificate=certificate_ending_in(fake_oss, "3-cn-hangzhou", 0), bucket="one-bucket")
    run = run_module(cname_info, **fleet_args(all_buckets=True, expiring_within_days=0))

    assert [item["domain"] for item in run["expiring"]] == ["gone.example.com"]


def test_domain_filter_finds_the_bucket_that_serves_it(run_module, three_regions):
    run = run_module(cname_info, **fleet_args(all_buckets=True, domain="Static.Example.com."))

    assert [entry["bucket"] for entry in run["buckets"] if entry["cnames"]] == ["sg-one"]


def test_reads_overlap_up_to_concurrency_through_one_sized_pool(run_module, fake_oss):
    import threading

    fake_oss.add_buckets(*[f"bucket-{number:02d}" for number in range(6)])
    gate = threading.Barrier(3, timeout=5)
    original = fake_oss._op_ListCname

    def slow_list(bucket, sent):
        fake_oss.lock.release()  # let the other reads in while this one waits at the gate
        try:
            gate.wait()
        finally:
            fake_oss.lock.acquire()
        return original(bucket, sent)

    fake_oss._op_ListCname = slow_list
    run = run_module(cname_info, **fleet_args(all_buckets=True, concurrency=3))

    assert run.get("failed") is None
    assert fake_oss.max_in_flight == 3
    assert len(fake_oss.sessions) == 1
    adapter = fake_oss.sessions[0].mounted["https://"]
    assert adapter is fake_oss.sessions[0].mounted["http://"]
    assert adapter._pool_connections == 3 and adapter._pool_maxsize == 3  # pylint: disable=protected-access


def test_check_mode_reads_the_same(run_module, three_regions):
    normal = run_module(cname_info, **fleet_args(all_buckets=True))
    checked = run_module(cname_info, **fleet_args(all_buckets=True, _ansible_check_mode=True))

    assert checked["buckets"] == normal["buckets"]
    assert checked["changed"] is False
    assert three_regions.writes() == []


@pytest.mark.parametrize(
    "args, words",
    [
        (dict(bucket=None), ["exactly one of bucket, buckets and all_buckets", "none was given"]),
        (dict(all_buckets=True), ["not bucket and all_buckets together"]),
        (dict(bucket=None, buckets=["a-bucket"], all_buckets=True), ["not buckets and all_buckets together"]),
        (dict(bucket=None, all_buckets=True, concurrency=0), ["concurrency must be 1 or more, not 0"]),
        (dict(bucket=None, all_buckets=True, expiring_within_days=-1), ["expiring_within_days must be 0 or more, not -1"]),
        (dict(bucket=None, buckets=[]), ["buckets is empty"]),
        (dict(bucket=None, buckets=["good-bucket", "Bad_Bucket"]), ["buckets 'Bad_Bucket' is not a valid bucket name"]),
        (dict(bucket_prefix="web-"), ["bucket_prefix", "all_buckets"]),
        (dict(bucket=None, all_buckets=True, domain="a.example.com", include_token=True), ["include_token", "with bucket"]),
        (dict(bucket=None, all_buckets=True, region=None, endpoint=None), ["Set region"]),
    ],
)
def test_bad_input_is_refused_before_any_request(run_module, fake_oss, args, words, monkeypatch):
    for name in ("ALICLOUD_REGION", "ALICLOUD_REGION_ID", "ALIBABA_CLOUD_REGION_ID", "OSS_REGION", "OSS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    run = run_module(cname_info, credentials_file="/nonexistent", **args)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "\n" not in run["msg"]
    for word in words:
        assert word in run["msg"]


def test_single_bucket_can_list_expiring_certificates(run_module, fake_oss):
    fake_oss.bind("soon.example.com", certificate=certificate_ending_in(fake_oss, "3-cn-hangzhou", 5))
    run = run_module(cname_info, expiring_within_days=10)

    assert fake_oss.operations() == ["ListCname"]
    assert [item["domain"] for item in run["expiring"]] == ["soon.example.com"]
    assert run["bucket"] == "my-bucket" and "buckets" not in run
