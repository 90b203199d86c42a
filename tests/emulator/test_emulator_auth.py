# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication: V1 and V4 signatures, STS tokens, clock skew, bucket ownership; every refusal OSS gives."""

import datetime
import json
import os
from urllib.parse import quote

import pytest

from emu_helpers import MAIN_KEY, OTHER_KEY, STS_KEY, UTC, OssClient, raw_request
from ossemu.auth import v1_string_to_sign, v4_canonical_request
from ossemu.request import OssRequest, parse_query

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "signing-vectors.json")
AUTH_CODES = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "RequestTimeTooSkewed",
    "InvalidArgument",
    "InvalidSecurityToken",
    "SecurityTokenExpired",
}


def load_vectors():
    with open(VECTORS, encoding="utf-8") as handle:
        return json.load(handle)["vectors"]


def vector_request(vector):
    """The request a vector describes, as the emulator would parse it off the wire."""
    inputs = vector["inputs"]
    encoded = "&".join(quote(name, safe="") + ("" if value is None else "=" + quote(value, safe="")) for name, value in inputs["query"])
    headers = {name.lower(): value for name, value in inputs["headers"].items()}
    headers.update({name.lower(): value for name, value in vector["expected"]["signer_added_headers"].items()})
    if vector["version"] == "v4":
        headers.pop("date", None)
    return OssRequest(inputs["method"], "/", encoded, parse_query(encoded), headers, "localhost", b"", inputs["bucket"], inputs["key"] or "")


@pytest.mark.parametrize("vector", load_vectors(), ids=lambda vector: vector["name"])
def test_canonicalisation_matches_the_sdk_vectors(vector):
    """All 41 known-answer vectors: the emulator rebuilds the same canonical request / StringToSign as the SDKs."""
    request = vector_request(vector)
    expected = vector["expected"]
    if vector["version"] == "v4":
        additional = (
            expected["authorization"].split("AdditionalHeaders=")[1].split(",")[0].split(";") if "AdditionalHeaders=" in expected["authorization"] else []
        )
        assert v4_canonical_request(request, additional) == expected["canonical_request"]
    else:
        date = request.headers.get("x-oss-date") or request.headers["date"]
        assert v1_string_to_sign(request, date) == expected["string_to_sign"]


@pytest.mark.parametrize("vector", [vector for vector in load_vectors() if "wire" in vector], ids=lambda vector: vector["name"])
def test_wire_requests_of_both_sdks_are_accepted(make_emulator, vector):
    """Replay the exact bytes oss2 and alibabacloud-oss-v2 sent (both V4 layouts, `cname=`, STS) at the vector's time."""
    inputs = vector["inputs"]
    moment = datetime.datetime.fromtimestamp(inputs["time"]["unix"], UTC)
    config = {
        "accounts": [{"access_key_id": inputs["access_key_id"], "access_key_secret": inputs["access_key_secret"], "owner": "1"}],
        "buckets": [{"name": "examplebucket", "region": "cn-hangzhou", "owner": "1"}],
    }
    if inputs["security_token"]:
        config["sts"] = [dict(config.pop("accounts")[0], security_token=inputs["security_token"], expiration="2099-01-01T00:00:00Z")]
    emulator = make_emulator(config=config, clock=lambda: moment)
    url = vector["wire"]["url"].split("aliyuncs.com", 1)[1]
    headers = dict(vector["wire"]["headers"], Host="examplebucket.oss-cn-hangzhou.aliyuncs.com")
    body = inputs["body"].encode("utf-8") if inputs["body"] else None
    response = raw_request(emulator.endpoint, inputs["method"], url, body, headers)
    assert response.code not in AUTH_CODES, response.body.decode()
    assert emulator.requests[-1]["addressing"] == "virtual"


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_unknown_access_key(emulator, version):
    response = OssClient(emulator.endpoint, key=("LTAI5tNobodyKnowsMe", "x" * 30), version=version).list_cname("demo-bucket")
    assert (response.status, response.code) == (403, "InvalidAccessKeyId")
    assert response.error["OSSAccessKeyId"] == "LTAI5tNobodyKnowsMe"


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_bad_signature_echoes_the_string_to_sign(emulator, version):
    response = OssClient(emulator.endpoint, version=version).list_cname("demo-bucket", secret="wrong-secret")
    error = response.error
    assert (response.status, error["Code"]) == (403, "SignatureDoesNotMatch")
    assert error["OSSAccessKeyId"] == MAIN_KEY[0] and error["SignatureProvided"]
    assert error["StringToSign"].endswith("/demo-bucket/?cname") if version == "v1" else error["StringToSign"].startswith("OSS4-HMAC-SHA256\n")
    assert bytes.fromhex(error["StringToSignBytes"].replace(" ", "")).decode("utf-8") == error["StringToSign"]
    assert MAIN_KEY[1] not in response.body.decode("utf-8")
    assert response.headers["x-oss-request-id"] == error["RequestId"]


def test_tampered_request_is_refused(client):
    """Changing a signed header after signing is caught."""
    response = client.create_token("demo-bucket", "a.example.com", unsigned_headers={"x-oss-meta-extra": "added-after-signing"})
    assert response.code == "SignatureDoesNotMatch"


def test_v4_region_must_be_the_buckets(emulator):
    client = OssClient(emulator.endpoint)
    response = client.list_cname("sg-bucket")
    assert (response.status, response.code) == (400, "InvalidArgument")
    assert "Invalid signing region" in response.error["Message"]
    assert client.list_cname("sg-bucket", sign_region="ap-southeast-1").status == 200
    assert client.list_cname("demo-bucket", sign_region="ap-southeast-1").code == "InvalidArgument"


def test_v4_both_authorization_layouts_are_accepted(client):
    def oss2_layout(header):
        # `", "` separators and Signature before AdditionalHeaders, as oss2 sends it.
        prefix, fields = header.split(" ", 1)
        parts = dict(part.split("=", 1) for part in fields.split(","))
        return "%s Credential=%s, Signature=%s" % (prefix, parts["Credential"], parts["Signature"])

    assert client.list_cname("demo-bucket", mutate_authorization=oss2_layout).status == 200
    assert client.list_cname("demo-bucket", mutate_authorization=lambda header: header.replace(",", ", ")).status == 200


def test_v4_additional_headers_are_verified(client):
    signed = {"extra_headers": {"x-custom": "value"}, "additional_headers": ["x-custom"]}
    assert client.send("GET", "demo-bucket", "cname", **signed).status == 200
    assert emulator_authorization(client, **signed).count("AdditionalHeaders=x-custom") == 1
    assert client.send("GET", "demo-bucket", "cname", unsigned_headers={"x-custom": "changed"}, **signed).code == "SignatureDoesNotMatch"


def emulator_authorization(client, **signed):
    captured = []
    client.send("GET", "demo-bucket", "cname", mutate_authorization=lambda header: captured.append(header) or header, **signed)
    return captured[0]


def test_bare_and_empty_sub_resources_are_equal(client):
    assert client.send("GET", "demo-bucket", "cname=").status == 200
    assert client.send("GET", "demo-bucket", "cname").status == 200
    assert (
        client.send(
            "POST", "demo-bucket", "cname=&comp=token", b"<BucketCnameConfiguration><Cname><Domain>e.example.com</Domain></Cname></BucketCnameConfiguration>"
        ).status
        == 200
    )


def test_v1_signs_only_sub_resources(v1_client):
    """An extra non-sub-resource parameter changes nothing for V1 but is part of the V4 signature."""
    assert v1_client.send("GET", "demo-bucket", "cname&unrelated=1").status == 200


def test_v1_uses_x_oss_date_in_place_of_date(frozen_emulator, clock):
    client = OssClient(frozen_emulator.endpoint, version="v1")
    date = clock.now.strftime("%a, %d %b %Y %H:%M:%S GMT")
    response = client.list_cname("demo-bucket", signing_time=clock.now, extra_headers={"x-oss-date": date})
    assert response.status == 200


@pytest.mark.parametrize("version", ["v4", "v1"])
@pytest.mark.parametrize("offset_minutes", [-16, 16])
def test_request_time_too_skewed(frozen_emulator, clock, version, offset_minutes):
    client = OssClient(frozen_emulator.endpoint, version=version)
    response = client.list_cname("demo-bucket", signing_time=clock.now + datetime.timedelta(minutes=offset_minutes))
    assert (response.status, response.code) == (403, "RequestTimeTooSkewed")
    assert response.error["ServerTime"] == "2025-04-17T15:39:12.000Z"
    assert response.error["RequestTime"] and response.error["EC"] == "0002-00000504"
    assert response.headers["date"] == "Thu, 17 Apr 2025 15:39:12 GMT"
    assert client.list_cname("demo-bucket", signing_time=clock.now + datetime.timedelta(minutes=offset_minutes // 2)).status == 200


def test_advancing_the_service_clock_does_not_skew_clients(frozen_emulator, clock):
    frozen_emulator.clock_offset = 73 * 3600
    assert OssClient(frozen_emulator.endpoint).list_cname("demo-bucket", signing_time=clock.now).status == 200


def test_v4_scope_date_must_match_x_oss_date(client):
    response = client.list_cname("demo-bucket", mutate_authorization=_replace_scope_date)
    assert (response.status, response.code) == (400, "InvalidArgument")
    assert "signing date" in response.error["Message"]


def _replace_scope_date(header):
    credential_start = header.index("Credential=") + len("Credential=")
    parts = header[credential_start:].split("/")
    parts[1] = "19990101"
    return header[:credential_start] + "/".join(parts)


def test_v4_product_must_be_oss(client):
    response = client.list_cname("demo-bucket", mutate_authorization=lambda header: header.replace("/oss/aliyun_v4_request", "/s3/aliyun_v4_request"))
    assert response.code == "InvalidArgument" and "product" in response.error["Message"]


def test_v4_needs_content_sha256(client):
    response = client.list_cname("demo-bucket", unsigned_headers={"x-oss-content-sha256": ""})
    assert (response.status, response.code) == (400, "InvalidArgument")
    assert "x-oss-content-sha256" in response.error["Message"]


def test_malformed_authorization_headers(client):
    assert client.list_cname("demo-bucket", mutate_authorization=lambda header: "OSS4-HMAC-SHA256 Signature=abc").code == "InvalidArgument"
    assert client.list_cname("demo-bucket", mutate_authorization=lambda header: "Bearer abc").code == "InvalidArgument"
    assert client.list_cname("demo-bucket", mutate_authorization=lambda header: "OSS nocolon").code == "InvalidArgument"


def test_missing_authorization_is_access_denied(emulator):
    response = raw_request(emulator.endpoint, "GET", "/demo-bucket/?cname")
    assert (response.status, response.code) == (403, "AccessDenied")
    assert response.headers["content-type"] == "application/xml"


def test_unknown_bucket_is_no_such_bucket(client):
    response = client.list_cname("no-such-bucket")
    assert (response.status, response.code) == (404, "NoSuchBucket")
    assert response.error["BucketName"] == "no-such-bucket"


def test_other_accounts_bucket_is_access_denied(emulator):
    response = OssClient(emulator.endpoint, key=OTHER_KEY).list_cname("demo-bucket")
    assert (response.status, response.code) == (403, "AccessDenied")


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_sts_credentials_work_with_their_token(emulator, version):
    client = OssClient(emulator.endpoint, key=STS_KEY, version=version, security_token=STS_KEY[2])
    assert client.list_cname("demo-bucket").status == 200


def test_sts_key_without_token_is_unknown(emulator):
    response = OssClient(emulator.endpoint, key=STS_KEY).list_cname("demo-bucket")
    assert (response.status, response.code) == (403, "InvalidAccessKeyId")


def test_sts_key_with_wrong_token(emulator):
    response = OssClient(emulator.endpoint, key=STS_KEY, security_token="forged").list_cname("demo-bucket")
    assert (response.status, response.code) == (403, "InvalidSecurityToken")


def test_long_term_key_with_a_token_is_refused(emulator):
    response = OssClient(emulator.endpoint, security_token="stray").list_cname("demo-bucket")
    assert (response.code, response.error["EC"]) == ("InvalidAccessKeyId", "0002-00000002")


def test_sts_token_expires_with_the_clock(frozen_emulator, clock):
    frozen_emulator.add_sts("STS.ShortLived", "short-secret", "short-token", "1234567890123456", clock.now + datetime.timedelta(hours=1))
    client = OssClient(frozen_emulator.endpoint, key=("STS.ShortLived", "short-secret"), security_token="short-token")
    assert client.list_cname("demo-bucket", signing_time=clock.now).status == 200
    frozen_emulator.advance_clock(3601)
    response = client.list_cname("demo-bucket", signing_time=clock.now)
    assert (response.status, response.code) == (403, "SecurityTokenExpired")
    assert "expired" in response.error["Message"]


def test_accounts_can_be_added_at_run_time(emulator):
    emulator.add_account("LTAI5tAddedLater", "added-secret", "1234567890123456")
    assert OssClient(emulator.endpoint, key=("LTAI5tAddedLater", "added-secret")).list_cname("demo-bucket").status == 200


def test_credential_lookup_is_pluggable(emulator):
    from ossemu import Credential

    emulator.credential_lookup = lambda access_key_id: Credential(access_key_id, "plugged", "1234567890123456") if access_key_id.startswith("PLUG.") else None
    assert OssClient(emulator.endpoint, key=("PLUG.anything", "plugged")).list_cname("demo-bucket").status == 200
    assert OssClient(emulator.endpoint).list_cname("demo-bucket").code == "InvalidAccessKeyId"


def test_content_md5_must_match_the_body(client):
    response = client.send(
        "POST",
        "demo-bucket",
        "cname&comp=token",
        b"<BucketCnameConfiguration/>",
        extra_headers={"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="},
        content_headers=False,
    )
    assert (response.status, response.code) == (400, "InvalidDigest")


def test_requests_without_content_headers_work(client):
    """oss2 sends neither Content-Type nor Content-MD5 (reference 2.2)."""
    body = b"<BucketCnameConfiguration><Cname><Domain>plain.example.com</Domain></Cname></BucketCnameConfiguration>"
    assert client.send("POST", "demo-bucket", "cname&comp=token", body, content_headers=False).status == 200
