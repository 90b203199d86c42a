# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the RPC signature (STS today, Alibaba Cloud DNS next): the documented known answer and an independent computation."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._credentials import Credentials
from ansible_collections.alicloud.oss.plugins.module_utils._rpc import (
    canonical_query,
    common_params,
    percent_encode,
    rpc_signature,
    rpc_string_to_sign,
    signed_get,
)
from ansible_collections.alicloud.oss.tests.unit.credential_fakes import NOW, independent_signature

# ---------------------------------------------------------------------------------------------
# The RPC signature
# ---------------------------------------------------------------------------------------------

# The worked example of the RPC signature documentation (AccessKeySecret testsecret, DescribeRegions).
DOC_PARAMS = {
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "Format": "XML",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z",
    "Version": "2014-05-26",
}


def test_signature_reproduces_the_documented_example():
    assert rpc_string_to_sign("GET", DOC_PARAMS) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    )
    assert rpc_signature("GET", DOC_PARAMS, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a b", "a%20b"),
        ("a*b", "a%2Ab"),
        ("a~b", "a~b"),
        ("a+b", "a%2Bb"),
        ("a/b", "a%2Fb"),
        ("a=b&c", "a%3Db%26c"),
        ("-_.", "-_."),
        ("é", "%C3%A9"),
        ('{"k": 1}', "%7B%22k%22%3A%201%7D"),
        (3600, "3600"),
    ],
)
def test_percent_encoding(text, expected):
    assert percent_encode(text) == expected


def test_canonical_query_sorts_by_name():
    assert canonical_query({"b": "2", "a": "x y", "B": "3"}) == "B=3&a=x%20y&b=2"


@pytest.mark.parametrize(
    "params",
    [
        {"Action": "AssumeRole", "Policy": '{"Statement": [{"Action": "oss:*", "Resource": "*"}]}', "RoleSessionName": "a.b@c-d_e"},
        {"Action": "AssumeRole", "Name": "ünïcödé ~*'()!"},
    ],
)
def test_signature_matches_an_independent_computation(params):
    assert rpc_signature("GET", params, "s3cr3t") == independent_signature("GET", params, "s3cr3t")
    assert rpc_signature("POST", params, "s3cr3t") != rpc_signature("GET", params, "s3cr3t")


def test_a_signed_get_for_any_rpc_api():
    # What a client of another RPC API (Alibaba Cloud DNS, say) builds for each attempt.
    credentials = Credentials("LTAI5tKey", "s3cr3t", "sts-token", "test")
    params = dict(common_params("DescribeSubDomainRecords", "2015-01-09", NOW), SubDomain="_dnsauth.example.com", Empty="")
    request = signed_get("https://alidns.aliyuncs.com/", params, credentials, "nonce-1")
    assert (request.method, request.body) == ("GET", None)
    query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    assert query == {
        "Action": "DescribeSubDomainRecords",
        "Format": "JSON",
        "Version": "2015-01-09",
        "Timestamp": "2025-04-17T15:39:12Z",
        "SubDomain": "_dnsauth.example.com",
        "AccessKeyId": "LTAI5tKey",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": "nonce-1",
        "SecurityToken": "sts-token",
        "Signature": query["Signature"],
    }
    assert query["Signature"] == independent_signature("GET", query, "s3cr3t")
