# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for endpoint, addressing style and region handling."""

from __future__ import annotations

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import (
    Endpoint,
    cname_target,
    normalize_region,
    region_from_host,
    resolve_endpoint,
)
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError


@pytest.mark.parametrize(
    "value, expected",
    [
        ("cn-hangzhou", "cn-hangzhou"),
        ("oss-cn-hangzhou", "cn-hangzhou"),
        ("oss-cn-hangzhou-internal", "cn-hangzhou"),
        ("cn-hangzhou-internal", "cn-hangzhou"),
        (" CN-Hangzhou ", "cn-hangzhou"),
        ("OSS-AP-SOUTHEAST-1", "ap-southeast-1"),
        ("us-west-1", "us-west-1"),
        ("cn-hangzhou-finance-1", "cn-hangzhou-finance-1"),
        (None, None),
        ("", None),
    ],
)
def test_normalize_region(value, expected):
    assert normalize_region(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "hangzhou",
        "cn_hangzhou",
        "oss-cn-hangzhou.aliyuncs.com",
        "https://oss-cn-hangzhou.aliyuncs.com",
        "cn-",
        "c-hangzhou",
        "oss-",
        "-internal",
        "cn hangzhou",
        "   ",
    ],
)
def test_bad_regions(value):
    with pytest.raises(OssConfigError) as info:
        normalize_region(value)
    assert str(info.value) == f"region '{value}' is not a region id such as 'cn-hangzhou'."
    assert info.value.option == "region"


@pytest.mark.parametrize(
    "host, expected",
    [
        ("oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou"),
        ("OSS-CN-HANGZHOU.ALIYUNCS.COM", "cn-hangzhou"),
        ("oss-cn-hangzhou-internal.aliyuncs.com", "cn-hangzhou"),
        ("oss-ap-southeast-1.aliyuncs.com", "ap-southeast-1"),
        ("oss-ap-southeast-1-internal.aliyuncs.com", "ap-southeast-1"),
        ("cn-hangzhou.oss.aliyuncs.com", "cn-hangzhou"),
        ("oss-accelerate.aliyuncs.com", None),
        ("oss-accelerate-overseas.aliyuncs.com", None),
        ("examplebucket.oss-cn-hangzhou.aliyuncs.com", None),
        ("oss.example.com", None),
        ("127.0.0.1", None),
        ("localhost", None),
    ],
)
def test_region_from_host(host, expected):
    assert region_from_host(host) == expected


def test_default_endpoint_from_region():
    endpoint = resolve_endpoint("oss-cn-shanghai")
    assert (endpoint.scheme, endpoint.host, endpoint.port, endpoint.region, endpoint.path_style) == (
        "https",
        "oss-cn-shanghai.aliyuncs.com",
        None,
        "cn-shanghai",
        False,
    )
    assert endpoint.url == "https://oss-cn-shanghai.aliyuncs.com"


@pytest.mark.parametrize(
    "endpoint, region, url",
    [
        ("oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou", "https://oss-cn-hangzhou.aliyuncs.com"),
        ("https://oss-cn-hangzhou-internal.aliyuncs.com", "cn-hangzhou", "https://oss-cn-hangzhou-internal.aliyuncs.com"),
        ("https://cn-beijing.oss.aliyuncs.com/", "cn-beijing", "https://cn-beijing.oss.aliyuncs.com"),
        ("https://oss-accelerate.aliyuncs.com", None, "https://oss-accelerate.aliyuncs.com"),
        ("  HTTPS://OSS-US-WEST-1.ALIYUNCS.COM  ", "us-west-1", "https://oss-us-west-1.aliyuncs.com"),
        ("http://oss.example.com:8080", None, "http://oss.example.com:8080"),
    ],
)
def test_region_derived_from_endpoint(endpoint, region, url):
    resolved = resolve_endpoint(None, endpoint)
    assert resolved.region == region
    assert resolved.url == url


@pytest.mark.parametrize(
    "region, endpoint",
    [
        ("cn-shanghai", "https://oss-cn-hangzhou.aliyuncs.com"),
        ("oss-cn-shanghai", "https://oss-accelerate.aliyuncs.com"),
        ("cn-shanghai", "http://127.0.0.1:9000"),
    ],
)
def test_endpoint_addresses_and_region_signs(region, endpoint):
    resolved = resolve_endpoint(region, endpoint)
    assert resolved.region == "cn-shanghai"
    assert resolved.url == endpoint


def test_neither_region_nor_endpoint_names_every_source():
    with pytest.raises(OssConfigError) as info:
        resolve_endpoint(None, None)
    message = str(info.value)
    for name in ("region", "endpoint", "ALICLOUD_REGION", "ALICLOUD_REGION_ID", "ALIBABA_CLOUD_REGION_ID", "OSS_REGION", "OSS_ENDPOINT", "profile"):
        assert name in message
    assert info.value.option == "region"


@pytest.mark.parametrize(
    "endpoint, host, port, path_style",
    [
        ("http://127.0.0.1:9000", "127.0.0.1", 9000, True),
        ("10.0.0.5", "10.0.0.5", None, True),
        ("http://[::1]:9000", "::1", 9000, True),
        ("[2001:db8::1]", "2001:db8::1", None, True),
        ("http://localhost:9000", "localhost", 9000, True),
        ("http://LOCALHOST", "localhost", None, True),
        ("http://oss.localhost:9000", "oss.localhost", 9000, True),
        ("https://oss-cn-hangzhou.aliyuncs.com", "oss-cn-hangzhou.aliyuncs.com", None, False),
        ("https://oss.example.com", "oss.example.com", None, False),
        ("https://localhost.example.com", "localhost.example.com", None, False),
        ("https://mylocalhost", "mylocalhost", None, False),
    ],
)
def test_auto_addressing(endpoint, host, port, path_style):
    resolved = resolve_endpoint("cn-hangzhou", endpoint)
    assert (resolved.host, resolved.port, resolved.path_style) == (host, port, path_style)


@pytest.mark.parametrize(
    "style, endpoint, path_style",
    [
        ("path", "https://oss-cn-hangzhou.aliyuncs.com", True),
        ("path", None, True),
        ("virtual", "http://127.0.0.1:9000", False),
        ("virtual", "http://localhost:9000", False),
        ("auto", None, False),
    ],
)
def test_forced_addressing(style, endpoint, path_style):
    assert resolve_endpoint("cn-hangzhou", endpoint, style).path_style is path_style


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        ("ftp://oss-cn-hangzhou.aliyuncs.com", "uses the unsupported scheme 'ftp'"),
        ("s3://bucket", "uses the unsupported scheme 's3'"),
        ("https://oss-cn-hangzhou.aliyuncs.com/examplebucket", "must be a scheme and host (and port) only"),
        ("https://oss-cn-hangzhou.aliyuncs.com/?cname", "must be a scheme and host (and port) only"),
        ("https://oss-cn-hangzhou.aliyuncs.com#frag", "must be a scheme and host (and port) only"),
        ("https://", "has no host name"),
        ("https://:9000", "has no host name"),
        ("https://oss-cn-hangzhou.aliyuncs.com:99999", "is not a valid URL"),
        ("https://oss-cn-hangzhou.aliyuncs.com:port", "is not a valid URL"),
    ],
)
def test_bad_endpoints_name_the_option(endpoint, expected):
    with pytest.raises(OssConfigError) as info:
        resolve_endpoint("cn-hangzhou", endpoint)
    assert str(info.value).startswith(f"endpoint '{endpoint}' ")
    assert expected in str(info.value)
    assert info.value.option == "endpoint"


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        ("http://a b.example.com:9000", "endpoint 'http://a b.example.com:9000' contains a space; a URL holds none: give scheme://host[:port]."),
        ("http://127.0.0.1 :9000", "endpoint 'http://127.0.0.1 :9000' contains a space"),
        # urlsplit would drop the tab without a word and send the request to another host.
        ("http://oss-cn-hangzhou.aliyun\tcs.com", "contains a tab, line break or other control character; a URL holds none."),
        (
            "https://oss_emu!.example.com",
            "endpoint 'https://oss_emu!.example.com' has the character '!' in its host; a host name holds only letters, digits, hyphens and dots",
        ),
        ("https://bücket.example.com", "has the character 'ü' in its host"),
        ("http//127.0.0.1:9000", "endpoint 'http//127.0.0.1:9000' looks like a malformed scheme: write scheme://host[:port], here 'http://127.0.0.1:9000'."),
        ("https:/oss-cn-hangzhou.aliyuncs.com", "looks like a malformed scheme: write scheme://host[:port], here 'https://oss-cn-hangzhou.aliyuncs.com'."),
        ("HTTPS:oss-cn-hangzhou.aliyuncs.com", "here 'https://oss-cn-hangzhou.aliyuncs.com'."),
    ],
)
def test_endpoints_urlsplit_would_misread_are_refused(endpoint, expected):
    with pytest.raises(OssConfigError) as info:
        resolve_endpoint("cn-hangzhou", endpoint)
    assert expected in str(info.value)
    assert info.value.option == "endpoint"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://user:Pa55word@oss-cn-hangzhou.aliyuncs.com",
        # An empty user name: urlsplit reports no user at all, so this one used to pass with the password dropped.
        "http://:Pa55word@127.0.0.1:9000",
        "http://user:Pa55@word@127.0.0.1:9000",
        "http://Pa55word@127.0.0.1:9000",
        "http//user:Pa55word@127.0.0.1:9000",
    ],
)
def test_endpoint_with_a_user_or_password_is_refused_without_echoing_it(endpoint):
    with pytest.raises(OssConfigError) as info:
        resolve_endpoint("cn-hangzhou", endpoint)
    message = str(info.value)
    assert "Pa55" not in message
    assert "***@" in message
    assert info.value.option == "endpoint"
    if not endpoint.startswith("http//"):
        assert (
            "holds a user name or password; OSS takes neither in the URL: give scheme://host[:port] and the credentials in "
            "access_key_id and access_key_secret." in message
        )


@pytest.mark.parametrize(
    "endpoint",
    ["http://oss_emulator:9000", "https://oss-cn-hangzhou.aliyuncs.com/", "http://[::1]:9000", "httpbin.example.com", "https-proxy.example.com:8443"],
)
def test_hosts_with_legal_characters_pass(endpoint):
    assert resolve_endpoint("cn-hangzhou", endpoint).host


def test_bad_region_is_refused_even_with_an_endpoint():
    with pytest.raises(OssConfigError) as info:
        resolve_endpoint("hangzhou", "https://oss-cn-hangzhou.aliyuncs.com")
    assert info.value.option == "region"


@pytest.mark.parametrize(
    "endpoint, bucket, query, url",
    [
        (
            Endpoint("https", "oss-cn-hangzhou.aliyuncs.com", None, "cn-hangzhou", False),
            "examplebucket",
            "cname=&comp=add",
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/?cname=&comp=add",
        ),
        (
            Endpoint("https", "oss-cn-hangzhou.aliyuncs.com", None, "cn-hangzhou", False),
            "examplebucket",
            "",
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/",
        ),
        (
            Endpoint("https", "oss-cn-hangzhou.aliyuncs.com", None, "cn-hangzhou", True),
            "examplebucket",
            "cname=",
            "https://oss-cn-hangzhou.aliyuncs.com/examplebucket/?cname=",
        ),
        (
            Endpoint("http", "127.0.0.1", 9000, "cn-hangzhou", True),
            "examplebucket",
            "cname=&comp=delete",
            "http://127.0.0.1:9000/examplebucket/?cname=&comp=delete",
        ),
        (Endpoint("http", "::1", 9000, None, True), "examplebucket", "cname=", "http://[::1]:9000/examplebucket/?cname="),
        (Endpoint("http", "oss.example.com", 8080, None, False), "examplebucket", "cname=", "http://examplebucket.oss.example.com:8080/?cname="),
    ],
)
def test_bucket_url(endpoint, bucket, query, url):
    assert endpoint.bucket_url(bucket, query) == url


def test_netloc_brackets_ipv6():
    assert resolve_endpoint("cn-hangzhou", "[::1]:9000").netloc == "[::1]:9000"
    assert resolve_endpoint("cn-hangzhou", "[::1]").url == "https://[::1]"


@pytest.mark.parametrize(
    "bucket, region, expected",
    [
        ("examplebucket", "cn-hangzhou", "examplebucket.oss-cn-hangzhou.aliyuncs.com"),
        ("my-bucket", "ap-southeast-1", "my-bucket.oss-ap-southeast-1.aliyuncs.com"),
    ],
)
def test_cname_target(bucket, region, expected):
    assert cname_target(bucket, region) == expected


def test_cname_target_is_the_public_host_whatever_the_endpoint():
    endpoint = resolve_endpoint(None, "https://oss-cn-hangzhou-internal.aliyuncs.com")
    assert cname_target("examplebucket", endpoint.region) == "examplebucket.oss-cn-hangzhou.aliyuncs.com"
    endpoint = resolve_endpoint("cn-hangzhou", "http://127.0.0.1:9000")
    assert cname_target("examplebucket", endpoint.region) == "examplebucket.oss-cn-hangzhou.aliyuncs.com"
