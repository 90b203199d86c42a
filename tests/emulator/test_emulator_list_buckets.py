# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ListBuckets (GET / on the service endpoint): the owner's buckets of every region, by name, in pages."""

import alibabacloud_oss_v2 as oss
import pytest

from emu_helpers import OTHER_KEY, OWNER, OssClient
from test_emulator_sdk import sdk_client

AGENTIC = "agents-1234567890123456-cn-hangzhou-ab-apsr"
DEFAULT_BUCKETS = [
    (AGENTIC, "cn-hangzhou"),
    ("demo-bucket", "cn-hangzhou"),
    ("eu-bucket", "eu-central-1"),
    ("other-bucket", "cn-hangzhou"),
    ("sg-bucket", "ap-southeast-1"),
]


def names_and_regions(root):
    return [(bucket.findtext("Name"), bucket.findtext("Region")) for bucket in root.findall("Buckets/Bucket")]


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_lists_every_region_with_location_region_and_owner(emulator, version):
    response = OssClient(emulator.endpoint, version=version).list_buckets()

    assert response.status == 200
    root = response.xml()
    assert root.tag == "ListAllMyBucketsResult"
    assert names_and_regions(root) == DEFAULT_BUCKETS
    assert root.findtext("Owner/ID") == OWNER
    first = root.find("Buckets/Bucket")
    assert first.findtext("Location") == "oss-cn-hangzhou"
    assert first.findtext("ExtranetEndpoint") == "oss-cn-hangzhou.aliyuncs.com"
    # Not truncated: the paging elements are absent.
    assert root.find("IsTruncated") is None and root.find("NextMarker") is None
    assert emulator.requests[-1]["operation"] == "ListBuckets"
    assert emulator.requests[-1]["bucket"] is None


def test_pages_with_marker_and_max_keys_and_filters_by_prefix(emulator):
    client = OssClient(emulator.endpoint)

    first = client.list_buckets("max-keys=2").xml()
    assert names_and_regions(first) == DEFAULT_BUCKETS[:2]
    assert (first.findtext("IsTruncated"), first.findtext("NextMarker"), first.findtext("MaxKeys")) == ("true", "demo-bucket", "2")
    second = client.list_buckets("marker=demo-bucket&max-keys=2").xml()
    assert names_and_regions(second) == DEFAULT_BUCKETS[2:4]
    assert (second.findtext("IsTruncated"), second.findtext("NextMarker")) == ("true", "other-bucket")
    third = client.list_buckets("marker=other-bucket&max-keys=2").xml()
    assert names_and_regions(third) == DEFAULT_BUCKETS[4:]
    assert third.find("IsTruncated") is None
    prefixed = client.list_buckets("prefix=s").xml()
    assert names_and_regions(prefixed) == [("sg-bucket", "ap-southeast-1")]


@pytest.mark.parametrize("value", ["0", "1001", "ten"])
def test_max_keys_out_of_range_is_invalid_argument(emulator, value):
    response = OssClient(emulator.endpoint).list_buckets("max-keys=" + value)

    assert (response.status, response.code) == (400, "InvalidArgument")


def test_another_account_sees_none_of_these_buckets(emulator):
    root = OssClient(emulator.endpoint, key=OTHER_KEY).list_buckets().xml()

    assert root.findall("Buckets/Bucket") == []


def test_any_region_signs_through_an_ip_but_an_oss_host_wants_its_own(emulator):
    client = OssClient(emulator.endpoint)

    assert client.list_buckets(sign_region="eu-central-1").status == 200
    assert client.list_buckets(host="oss-ap-southeast-1.aliyuncs.com", sign_region="ap-southeast-1").status == 200
    wrong = client.list_buckets(host="oss-ap-southeast-1.aliyuncs.com", sign_region="cn-hangzhou")
    assert (wrong.status, wrong.code) == (400, "InvalidArgument")
    assert "signing region" in wrong.error["Message"]


def test_bucket_requests_answer_through_any_regions_oss_host(emulator):
    client = OssClient(emulator.endpoint)

    response = client.list_cname("eu-bucket", host="eu-bucket.oss-eu-central-1.aliyuncs.com", sign_region="eu-central-1")
    assert response.status == 200
    assert emulator.requests[-1]["addressing"] == "virtual"


def test_unsigned_listing_is_refused(emulator):
    response = OssClient(emulator.endpoint).list_buckets(mutate_authorization=lambda _value: "")

    assert (response.status, response.code) == (403, "AccessDenied")


def test_sdk_paginator_lists_every_bucket_in_pages(emulator):
    client = sdk_client(emulator.endpoint, "v4", region="eu-central-1")
    paginator = client.list_buckets_paginator(limit=3)
    pages = list(paginator.iter_page(oss.ListBucketsRequest()))

    assert [len(page.buckets) for page in pages] == [3, 2]
    buckets = [bucket for page in pages for bucket in page.buckets]
    assert [(bucket.name, bucket.region, bucket.location) for bucket in buckets] == [(name, region, "oss-" + region) for name, region in DEFAULT_BUCKETS]
    assert pages[0].owner.id == OWNER
    assert [entry["query"] for entry in emulator.requests] == ["max-keys=3", "marker=eu-bucket&max-keys=3"]
