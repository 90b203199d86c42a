# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the OSS request signer (V1 and V4).

The 41 known-answer vectors come from tests/unit/fixtures/signing-vectors.json (see the reference
pack's signing-vectors.md). The pinned Authorization values in the edge-case tests were
cross-checked against alibabacloud-oss-v2 1.4.1's own signers when they were written.
"""

import copy
import datetime
import json
import pathlib
from urllib.parse import parse_qsl, urlsplit

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._signer import (
    V1_SUBRESOURCES,
    SignedRequest,
    encode_query,
    sign_v1,
    sign_v4,
)

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "signing-vectors.json"
DOC = json.loads(FIXTURE.read_text(encoding="utf-8"))
VECTORS = DOC["vectors"]

AK = "LTAI5tExampleAccessKeyId"
SK = "ExampleAccessKeySecret0123456789"
TOKEN = "ExampleSecurityToken"
REGION = "cn-hangzhou"
BUCKET = "examplebucket"
NOW = datetime.datetime(2025, 4, 17, 15, 39, 12, tzinfo=datetime.timezone.utc)
X_OSS_DATE = "20250417T153912Z"
HTTP_DATE = "Thu, 17 Apr 2025 15:39:12 GMT"
SCOPE = "20250417/cn-hangzhou/oss/aliyun_v4_request"


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _v4(query=(), headers=None, key=None, bucket=BUCKET, method="GET", **kwargs):
    return sign_v4(method, bucket, key, list(query), headers or {}, AK, SK, REGION, NOW, **kwargs)


def _v1(query=(), headers=None, key=None, bucket=BUCKET, method="GET", **kwargs):
    return sign_v1(method, bucket, key, list(query), headers or {}, AK, SK, NOW, **kwargs)


def _lower(headers):
    return {name.lower(): value for name, value in headers.items()}


def _canonical_lines(result):
    """The canonical request split into its six parts (headers block kept whole)."""
    method, uri, query, rest = result.canonical_request.split("\n", 3)
    headers_block, additional, payload = rest.rsplit("\n", 2)
    return method, uri, query, headers_block, additional, payload


def _auth_parts(authorization):
    """Algorithm plus the set of key=value parts, insensitive to ', ' vs ',' and to part order."""
    algorithm, _space, rest = authorization.partition(" ")
    return algorithm, {part.strip() for part in rest.split(",")}


def _sign_vector(vector):
    inputs = vector["inputs"]
    now = datetime.datetime.fromtimestamp(inputs["time"]["unix"], tz=datetime.timezone.utc)
    query = [tuple(pair) for pair in inputs["query"]]
    common = (inputs["method"], inputs["bucket"], inputs["key"], query, inputs["headers"], inputs["access_key_id"], inputs["access_key_secret"])
    if vector["version"] == "v4":
        return sign_v4(
            *common, inputs["region"], now, security_token=inputs["security_token"], product=inputs["product"], additional_headers=inputs["additional_headers"]
        )
    return sign_v1(*common, now, security_token=inputs["security_token"])


def _is_oss2_v4(vector):
    return vector["version"] == "v4" and vector["source"].startswith("oss2")


def _vector_id(vector):
    return vector["name"]


# ---------------------------------------------------------------------------------------------
# The known-answer vectors
# ---------------------------------------------------------------------------------------------


def test_fixture_holds_all_vectors():
    assert DOC["count"] == 41
    assert len(VECTORS) == 41
    assert len({vector["name"] for vector in VECTORS}) == 41


def test_fixture_sub_resources_are_known():
    assert set(DOC["v1_subresources_used"]) <= V1_SUBRESOURCES


@pytest.mark.parametrize("vector", VECTORS, ids=_vector_id)
def test_vector_signer_added_headers(vector):
    result = _sign_vector(vector)
    got = _lower(result.headers)
    expected_added = _lower(vector["expected"]["signer_added_headers"])
    if vector["version"] == "v4":
        # Date is unsigned in V4 and optional (signing-vectors.md); this signer adds nothing beyond
        # x-oss-date, x-oss-content-sha256 and, with STS, x-oss-security-token.
        expected_added.pop("date", None)
        assert "date" not in got
    for name, value in expected_added.items():
        assert got[name] == value
    inputs = _lower(vector["inputs"]["headers"])
    assert set(got) == set(inputs) | set(expected_added) | {"authorization"}
    for name, value in inputs.items():
        assert got[name] == value


@pytest.mark.parametrize("vector", VECTORS, ids=_vector_id)
def test_vector_canonical_request(vector):
    assert _sign_vector(vector).canonical_request == vector["expected"].get("canonical_request")


@pytest.mark.parametrize("vector", VECTORS, ids=_vector_id)
def test_vector_string_to_sign(vector):
    assert _sign_vector(vector).string_to_sign == vector["expected"]["string_to_sign"]


@pytest.mark.parametrize("vector", VECTORS, ids=_vector_id)
def test_vector_authorization(vector):
    result = _sign_vector(vector)
    expected = vector["expected"]["authorization"]
    assert result.headers["Authorization"] == result.authorization
    if _is_oss2_v4(vector):
        # oss2 joins with ', ' (and puts AdditionalHeaders last); we emit the v2/doc layout.
        assert _auth_parts(result.authorization) == _auth_parts(expected)
        assert ", " not in result.authorization
    else:
        assert result.authorization == expected


@pytest.mark.parametrize("vector", [v for v in VECTORS if "wire" in v], ids=_vector_id)
def test_vector_wire_query_matches_encode_query(vector):
    assert encode_query([tuple(pair) for pair in vector["inputs"]["query"]]) == urlsplit(vector["wire"]["url"]).query


# ---------------------------------------------------------------------------------------------
# V4 specifics
# ---------------------------------------------------------------------------------------------


def test_v4_adds_exactly_its_three_headers():
    result = _v4([("cname", None)], security_token=TOKEN)
    assert result.headers == {
        "x-oss-date": X_OSS_DATE,
        "x-oss-content-sha256": "UNSIGNED-PAYLOAD",
        "x-oss-security-token": TOKEN,
        "Authorization": result.authorization,
    }


def test_v4_authorization_layout():
    result = _v4([("cname", None)], headers={"Host": "h"}, additional_headers=["host"])
    assert result.authorization.startswith("OSS4-HMAC-SHA256 Credential=%s/%s,AdditionalHeaders=host,Signature=" % (AK, SCOPE))
    signature = result.authorization.rsplit("Signature=", 1)[1]
    assert len(signature) == 64 and signature == signature.lower()
    assert result.string_to_sign.split("\n")[:3] == ["OSS4-HMAC-SHA256", X_OSS_DATE, SCOPE]


def test_v4_encodes_special_characters_in_query_values():
    result = _v4([("cname", "a/b+c d=e&f"), ("comp", "token")])
    assert _canonical_lines(result)[2] == "cname=a%2Fb%2Bc%20d%3De%26f&comp=token"
    assert result.authorization == (
        "OSS4-HMAC-SHA256 Credential=%s/%s,Signature=891fd56ba6e11219d8b84c208b4dacf808b06ab8d7ff15a38041f33244d4d1df" % (AK, SCOPE)
    )


def test_v4_encodes_utf8_key_and_query():
    result = _v4([("acl", None), ("prefix", "日本/x")], headers={"Content-Type": "text/plain"}, key="dir/ünï cödé+x y.txt", method="PUT")
    uri, query, headers_block = _canonical_lines(result)[1:4]
    assert uri == "/examplebucket/dir/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9%2Bx%20y.txt"
    assert query == "acl&prefix=%E6%97%A5%E6%9C%AC%2Fx"
    assert headers_block.startswith("content-type:text/plain\n")
    assert result.authorization == (
        "OSS4-HMAC-SHA256 Credential=%s/%s,Signature=27cbf0605e7f27a4db54875e726a5f4a9122691b5b5a8092cd65bb40f9a030b4" % (AK, SCOPE)
    )


def test_v4_sorts_query_by_encoded_name_and_keeps_unreserved():
    result = _v4([("~z", "a~b*c"), ("b", "1"), ("+a", None), ("A", "")])
    assert _canonical_lines(result)[2] == "%2Ba&A&b=1&~z=a~b%2Ac"


def test_v4_signs_all_query_parameters():
    only_cname = _v4([("cname", None)])
    with_extra = _v4([("cname", None), ("max-keys", "100"), ("marker", "m")])
    assert _canonical_lines(with_extra)[2] == "cname&marker=m&max-keys=100"
    assert with_extra.authorization != only_cname.authorization


@pytest.mark.parametrize(
    "bucket, key, uri",
    [
        (None, None, "/"),
        (BUCKET, None, "/examplebucket/"),
        (BUCKET, "", "/examplebucket/"),
        (BUCKET, "a/b/c.txt", "/examplebucket/a/b/c.txt"),
    ],
)
def test_v4_canonical_uri(bucket, key, uri):
    assert _canonical_lines(_v4(bucket=bucket, key=key))[1] == uri


def test_v4_empty_additional_headers_give_two_blank_lines():
    result = _v4([("cname", None)])
    assert result.canonical_request.endswith("x-oss-date:%s\n\n\nUNSIGNED-PAYLOAD" % X_OSS_DATE)


def test_v4_additional_headers_sorted_fully_and_filtered():
    headers = {"abd": "1", "ABC": "2", "Aaa": "3", "empty": "", "x-oss-meta-a": "4", "Content-Type": "text/plain"}
    result = _v4(headers=headers, additional_headers=["abd", "Aaa", "ABC", "empty", "missing", "x-oss-meta-a", "content-type", "abc"])
    headers_block, additional = _canonical_lines(result)[3:5]
    assert additional == "aaa;abc;abd"
    assert ",AdditionalHeaders=aaa;abc;abd,Signature=" in result.authorization
    assert headers_block.split("\n") == [
        "aaa:3",
        "abc:2",
        "abd:1",
        "content-type:text/plain",
        "x-oss-content-sha256:UNSIGNED-PAYLOAD",
        "x-oss-date:%s" % X_OSS_DATE,
        "x-oss-meta-a:4",
        "",
    ]


def test_v4_unlisted_headers_are_not_signed():
    plain = _v4([("cname", None)])
    noisy = _v4([("cname", None)], headers={"User-Agent": "x", "Accept-Encoding": "gzip", "Host": "h"})
    assert noisy.canonical_request == plain.canonical_request
    assert noisy.authorization == plain.authorization


def test_v4_replaces_caller_date_and_authorization():
    result = _v4(headers={"X-Oss-Date": "19990101T000000Z", "authorization": "stale"})
    assert result.headers == {
        "x-oss-date": X_OSS_DATE,
        "x-oss-content-sha256": "UNSIGNED-PAYLOAD",
        "Authorization": result.authorization,
    }


def test_v4_keeps_caller_payload_hash():
    digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    result = _v4(headers={"X-OSS-Content-SHA256": digest})
    assert result.headers["X-OSS-Content-SHA256"] == digest
    assert "x-oss-content-sha256" not in result.headers
    assert _canonical_lines(result)[5] == digest


def test_v4_product_and_region_enter_scope():
    result = sign_v4("GET", BUCKET, None, [], {}, AK, SK, "cb-123", NOW, product="oss-cloudbox")
    assert "/20250417/cb-123/oss-cloudbox/aliyun_v4_request," in result.authorization


def test_v4_non_utc_datetime_is_converted():
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    local = sign_v4("GET", BUCKET, None, [("cname", None)], {}, AK, SK, REGION, NOW.astimezone(shanghai))
    assert local == _v4([("cname", None)])


def test_v4_method_is_upper_cased():
    assert _v4([("cname", None)], method="get") == _v4([("cname", None)], method="GET")


# ---------------------------------------------------------------------------------------------
# V1 specifics
# ---------------------------------------------------------------------------------------------


def test_v1_adds_date_only():
    result = _v1([("cname", None)])
    assert result.headers == {"Date": HTTP_DATE, "Authorization": result.authorization}
    assert result.canonical_request is None
    assert result.authorization.startswith("OSS %s:" % AK)


def test_v1_date_is_rfc1123_with_padded_day():
    now = datetime.datetime(2005, 11, 7, 8, 9, 5, tzinfo=datetime.timezone.utc)
    result = sign_v1("GET", BUCKET, None, [], {}, AK, SK, now)
    assert result.headers["Date"] == "Mon, 07 Nov 2005 08:09:05 GMT"


def test_v1_uses_raw_values_of_subresources():
    result = _v1([("cname", "a/b+c d=e&f"), ("comp", "token")])
    assert result.string_to_sign == "GET\n\n\n%s\n/examplebucket/?cname=a/b+c d=e&f&comp=token" % HTTP_DATE
    assert result.authorization == "OSS %s:dkah2BwUQS9f5o0KNIk+nN82HXk=" % AK


def test_v1_utf8_key_and_values_are_raw():
    result = _v1([("acl", None), ("prefix", "日本/x")], headers={"Content-Type": "text/plain"}, key="dir/ünï cödé+x y.txt", method="PUT")
    assert result.string_to_sign == "PUT\n\ntext/plain\n%s\n/examplebucket/dir/ünï cödé+x y.txt?acl" % HTTP_DATE
    assert result.authorization == "OSS %s:jb0Vn43bUpnWHViCyvxXa94yu5U=" % AK


def test_v1_several_subresources_sorted_by_name():
    result = _v1([("resourceGroup", None), ("comp", "add"), ("cname", None), ("acl", "")])
    assert result.string_to_sign.endswith("\n/examplebucket/?acl&cname&comp=add&resourceGroup")


def test_v1_non_subresource_parameters_are_not_signed():
    only_cname = _v1([("cname", None)])
    with_extra = _v1([("max-keys", "100"), ("cname", None), ("marker", "m")])
    assert with_extra.string_to_sign.endswith("\n/examplebucket/?cname")
    assert with_extra.authorization == only_cname.authorization


@pytest.mark.parametrize(
    "bucket, key, resource",
    [
        (None, None, "/"),
        (BUCKET, None, "/examplebucket/"),
        (BUCKET, "a/b+c.txt", "/examplebucket/a/b+c.txt"),
    ],
)
def test_v1_canonical_resource(bucket, key, resource):
    assert _v1(bucket=bucket, key=key).string_to_sign.endswith("\n" + resource)


def test_v1_x_oss_date_takes_dates_place():
    result = _v1(headers={"X-OSS-Date": "Wed, 28 Dec 2022 10:27:41 GMT"})
    assert result.headers["Date"] == HTTP_DATE
    assert result.string_to_sign == ("GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n/examplebucket/")


def test_v1_replaces_caller_date_and_authorization():
    result = _v1(headers={"date": "Mon, 01 Jan 1999 00:00:00 GMT", "AUTHORIZATION": "stale"})
    assert result.headers == {"Date": HTTP_DATE, "Authorization": result.authorization}


def test_v1_oss_headers_lower_cased_and_sorted():
    result = _v1(headers={"X-OSS-Meta-B": "2", "x-oss-meta-a": "1", "User-Agent": "x"})
    assert result.string_to_sign == "GET\n\n\n%s\nx-oss-meta-a:1\nx-oss-meta-b:2\n/examplebucket/" % HTTP_DATE


# ---------------------------------------------------------------------------------------------
# Behaviour shared by both versions
# ---------------------------------------------------------------------------------------------

SIGNERS = [pytest.param(_v1, id="v1"), pytest.param(_v4, id="v4")]


@pytest.mark.parametrize("sign", SIGNERS)
def test_empty_string_and_none_sign_the_same(sign):
    assert sign([("cname", ""), ("comp", "add")]) == sign([("cname", None), ("comp", "add")])


@pytest.mark.parametrize("sign", SIGNERS)
def test_sts_token_is_added_and_signed(sign):
    plain = sign([("cname", None)])
    sts = sign([("cname", None)], security_token=TOKEN)
    assert sts.headers["x-oss-security-token"] == TOKEN
    assert "x-oss-security-token:%s\n" % TOKEN in (sts.canonical_request or sts.string_to_sign)
    assert sts.authorization != plain.authorization


@pytest.mark.parametrize("sign", SIGNERS)
def test_sts_token_replaces_caller_copy(sign):
    result = sign([("cname", None)], headers={"X-Oss-Security-Token": "old"}, security_token=TOKEN)
    assert "X-Oss-Security-Token" not in result.headers
    assert result == sign([("cname", None)], security_token=TOKEN)


@pytest.mark.parametrize("sign", SIGNERS)
def test_empty_token_means_no_token(sign):
    assert sign([("cname", None)], security_token="") == sign([("cname", None)])


@pytest.mark.parametrize("sign", SIGNERS)
def test_header_names_are_case_insensitive_and_keep_their_case(sign):
    mixed = {"CONTENT-TYPE": "application/xml", "Content-Md5": "1B2M2Y8AsgTpgAmY7PhCfg==", "X-Oss-Meta-A": "b"}
    lower = {name.lower(): value for name, value in mixed.items()}
    signed_mixed = sign([("cname", None)], headers=mixed, method="POST")
    signed_lower = sign([("cname", None)], headers=lower, method="POST")
    assert signed_mixed.authorization == signed_lower.authorization
    assert signed_mixed.string_to_sign == signed_lower.string_to_sign
    for name, value in mixed.items():
        assert signed_mixed.headers[name] == value


@pytest.mark.parametrize("sign", SIGNERS)
def test_content_headers_signed_only_when_sent(sign):
    content = {"Content-Type": "application/xml", "Content-MD5": "9Dv1Mlxy/KHbVbtcyQVfkQ=="}
    bare = sign([("cname", None), ("comp", "add")], method="POST")
    with_content = sign([("cname", None), ("comp", "add")], headers=content, method="POST")
    assert with_content.authorization != bare.authorization
    if sign is _v4:
        assert "content-type" not in bare.canonical_request
        assert "content-md5:9Dv1Mlxy/KHbVbtcyQVfkQ==\ncontent-type:application/xml\n" in with_content.canonical_request
    else:
        assert bare.string_to_sign.startswith("POST\n\n\n%s\n" % HTTP_DATE)
        assert with_content.string_to_sign.startswith("POST\n9Dv1Mlxy/KHbVbtcyQVfkQ==\napplication/xml\n%s\n" % HTTP_DATE)


@pytest.mark.parametrize("sign", SIGNERS)
def test_input_headers_not_mutated(sign):
    headers = {"Content-Type": "application/xml", "x-oss-date": "x", "Date": "y", "Authorization": "z"}
    before = copy.deepcopy(headers)
    query = [("cname", None), ("comp", "add")]
    query_before = copy.deepcopy(query)
    result = sign(query, headers=headers, security_token=TOKEN)
    assert headers == before
    assert query == query_before
    assert result.headers is not headers


@pytest.mark.parametrize("sign", SIGNERS)
def test_result_is_a_signed_request(sign):
    result = sign([("cname", None)])
    assert isinstance(result, SignedRequest)
    assert result._fields == ("headers", "canonical_request", "string_to_sign", "authorization")


def _all_text(result):
    return repr(result) + repr(sorted(result.headers.items()))


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_secret_never_appears_in_output(version):
    secret = "VerySecretValue-0123456789abcdef"
    common = ("POST", BUCKET, None, [("cname", None), ("comp", "add")], {"Content-Type": "application/xml"}, AK, secret)
    if version == "v4":
        result = sign_v4(*common, REGION, NOW, security_token=TOKEN)
    else:
        result = sign_v1(*common, NOW, security_token=TOKEN)
    text = _all_text(result)
    assert secret not in text
    assert secret.lower() not in text.lower()
    assert "aliyun_v4" + secret not in text


@pytest.mark.parametrize("sign", [sign_v1, sign_v4])
def test_secret_not_in_error_messages(sign):
    secret = "VerySecretValue-0123456789abcdef"
    naive = datetime.datetime(2025, 4, 17, 15, 39, 12)
    extra = (REGION,) if sign is sign_v4 else ()
    with pytest.raises(ValueError) as excinfo:
        sign("GET", BUCKET, None, [], {}, AK, secret, *extra, naive)
    assert secret not in str(excinfo.value)
    bad_secret = "Secret\udc80Tail"
    with pytest.raises(ValueError) as excinfo:
        sign("GET", BUCKET, None, [], {}, AK, bad_secret, *extra, NOW)
    assert "Secret" not in str(excinfo.value).replace("access_key_secret", "")
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__


# ---------------------------------------------------------------------------------------------
# Impossible input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", [None, ""])
def test_v4_without_region_raises(region):
    with pytest.raises(ValueError, match="region"):
        sign_v4("GET", BUCKET, None, [], {}, AK, SK, region, NOW)


def test_v4_endpoint_style_region_raises():
    with pytest.raises(ValueError, match="bare region id"):
        sign_v4("GET", BUCKET, None, [], {}, AK, SK, "oss-cn-hangzhou", NOW)


@pytest.mark.parametrize("sign", [sign_v1, sign_v4])
@pytest.mark.parametrize("now", [datetime.datetime(2025, 4, 17, 15, 39, 12), "2025-04-17T15:39:12Z", 1744904352])
def test_naive_or_non_datetime_raises(sign, now):
    extra = (REGION,) if sign is sign_v4 else ()
    with pytest.raises(ValueError, match="timezone-aware"):
        sign("GET", BUCKET, None, [], {}, AK, SK, *extra, now)


@pytest.mark.parametrize("sign", SIGNERS)
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"bucket": None, "key": "object"}, "needs a bucket"),
        ({"headers": {"Content-Type": "a", "content-type": "b"}}, "more than once"),
        ({"headers": {"x-oss-meta-a": "line\r\nInjected: 1"}}, "line break"),
        ({"headers": {"x-oss-meta-a": " padded "}}, "whitespace"),
        ({"headers": {"x-oss-meta-a": 1}}, "must be a string"),
        ({"query": [("cname",)]}, "pairs"),
        ({"query": ["cname"]}, "pairs"),
        ({"query": [("max-keys", 100)]}, "string or None"),
        ({"query": [("", "x")]}, "non-empty"),
        ({"query": [("prefix", "bad\udc80")]}, "UTF-8"),
        ({"headers": {"x-oss-meta-a": "bad\udc80"}}, "UTF-8"),
        ({"key": "bad\udc80"}, "UTF-8"),
        ({"security_token": "bad\udc80"}, "UTF-8"),
        ({"security_token": 5}, "security_token"),
        ({"headers": ["Content-Type"]}, "dict"),
        ({"query": "cname&comp=add"}, "pairs"),
        ({"method": ""}, "method"),
    ],
)
def test_impossible_input_raises(sign, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sign(**kwargs)


@pytest.mark.parametrize("sign", [sign_v1, sign_v4])
@pytest.mark.parametrize("ak, sk", [("", SK), (None, SK), (AK, ""), (AK, None)])
def test_missing_credentials_raise(sign, ak, sk):
    extra = (REGION,) if sign is sign_v4 else ()
    with pytest.raises(ValueError, match="access_key"):
        sign("GET", BUCKET, None, [], {}, ak, sk, *extra, NOW)


def test_v4_additional_headers_must_be_a_list():
    with pytest.raises(ValueError, match="additional_headers"):
        _v4(headers={"Host": "h"}, additional_headers="host")


# ---------------------------------------------------------------------------------------------
# encode_query
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ([], ""),
        ([("cname", None)], "cname="),
        ([("cname", "")], "cname="),
        ([("cname", None), ("comp", "add")], "cname=&comp=add"),
        ([("comp", "token"), ("cname", "example.com")], "comp=token&cname=example.com"),
        ([("v", "a/b+c d=e&f")], "v=a%2Fb%2Bc%20d%3De%26f"),
        ([("v", "日本")], "v=%E6%97%A5%E6%9C%AC"),
        ([("a b", "~-_.*")], "a%20b=~-_.%2A"),
    ],
)
def test_encode_query(query, expected):
    assert encode_query(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        [("cname", None), ("comp", "add")],
        [("cname", "a/b+c d=e&f"), ("comp", "token"), ("cname", "")],
        [("prefix", "日本/ünï"), ("k&=", "%41"), ("+x", "|y")],
    ],
)
def test_encode_query_round_trips(query):
    parsed = parse_qsl(encode_query(query), keep_blank_values=True, strict_parsing=True)
    assert parsed == [(name, value or "") for name, value in query]
