# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Objects in the emulator: the official SDK (an independent signer) puts, reads and deletes them; anonymous reads and
plain GETs through a bound custom domain (what an ACME HTTP-01 validation sends) see only public objects."""

import base64
import hashlib
import json

import alibabacloud_oss_v2 as oss
import pytest

from emu_helpers import OssClient, bind, raw_request
from ossemu import Emulator

KEYS = ["plain.txt", ".well-known/acme-challenge/tok-EN_1", "dir/with space/é ü 文件.txt", "a+b=c&d?e#f%g"]


def sdk_client(endpoint, version):
    config = oss.config.load_default()
    config.credentials_provider = oss.credentials.StaticCredentialsProvider("LTAI5tEmulatorKey0001", "EmulatorSecret0001xxxxxxxxxxxxxx")
    config.region = "cn-hangzhou"
    config.endpoint = endpoint
    config.signature_version = version
    config.retryer = oss.retry.NopRetryer()
    return oss.Client(config)


def service_error(call):
    with pytest.raises(oss.exceptions.OperationError) as caught:
        call()
    return caught.value.unwrap()


@pytest.mark.parametrize("version", ["v4", "v1"])
@pytest.mark.parametrize("key", KEYS)
def test_sdk_round_trip_with_awkward_keys(emulator, version, key):
    client = sdk_client(emulator.endpoint, version)
    body = ("body of %s" % key).encode("utf-8")
    put = client.put_object(oss.PutObjectRequest(bucket="demo-bucket", key=key, body=body, content_type="text/plain", acl="public-read"))
    assert put.etag.strip('"') == hashlib.md5(body).hexdigest().upper()
    head = client.head_object(oss.HeadObjectRequest(bucket="demo-bucket", key=key))
    assert (head.content_length, head.content_type, head.content_md5) == (len(body), "text/plain", base64.b64encode(hashlib.md5(body).digest()).decode())
    assert client.get_object(oss.GetObjectRequest(bucket="demo-bucket", key=key)).body.read() == body
    assert client.get_object_acl(oss.GetObjectAclRequest(bucket="demo-bucket", key=key)).acl == "public-read"
    assert emulator.state()["objects"]["demo-bucket"][key]["size"] == len(body)
    client.delete_object(oss.DeleteObjectRequest(bucket="demo-bucket", key=key))
    error = service_error(lambda: client.get_object(oss.GetObjectRequest(bucket="demo-bucket", key=key)))
    assert (error.status_code, error.code) == (404, "NoSuchKey")


def test_delete_of_a_missing_object_is_204(emulator):
    response = sdk_client(emulator.endpoint, "v4").delete_object(oss.DeleteObjectRequest(bucket="demo-bucket", key="never-there"))
    assert response.status_code == 204


def test_missing_bucket_and_foreign_bucket(emulator):
    client = sdk_client(emulator.endpoint, "v4")
    error = service_error(lambda: client.put_object(oss.PutObjectRequest(bucket="no-such-bucket", key="k", body=b"x")))
    assert (error.status_code, error.code) == (404, "NoSuchBucket")


def test_a_wrong_content_md5_is_invalid_digest_and_stores_nothing(emulator):
    client = sdk_client(emulator.endpoint, "v4")
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    error = service_error(lambda: client.put_object(oss.PutObjectRequest(bucket="demo-bucket", key="k", body=b"body", content_md5=wrong)))
    assert (error.status_code, error.code) == (400, "InvalidDigest")
    assert emulator.state()["objects"] == {}


def test_an_unknown_acl_is_invalid_argument(emulator):
    client = sdk_client(emulator.endpoint, "v4")
    error = service_error(lambda: client.put_object(oss.PutObjectRequest(bucket="demo-bucket", key="k", body=b"x", acl="everyone")))
    assert (error.status_code, error.code) == (400, "InvalidArgument")


def put(emulator, key, body, acl=None):
    request = oss.PutObjectRequest(bucket="demo-bucket", key=key, body=body, content_type="text/plain", acl=acl)
    sdk_client(emulator.endpoint, "v4").put_object(request)


def plain_get(emulator, host, path):
    return raw_request(emulator.endpoint, "GET", path, headers={"Host": host})


def test_a_bound_domain_serves_public_objects_to_plain_gets(emulator):
    client = OssClient(emulator.endpoint)
    bind(client, emulator, "www.example.com")
    put(emulator, ".well-known/acme-challenge/abc", b"abc.thumbprint", acl="public-read")
    put(emulator, "secret.txt", b"private body")
    emulator.clear_requests()
    served = plain_get(emulator, "www.example.com:5002", "/.well-known/acme-challenge/abc")
    assert (served.status, served.body, served.headers["content-type"]) == (200, b"abc.thumbprint", "text/plain")
    denied = plain_get(emulator, "WWW.example.com", "/secret.txt")
    assert (denied.status, denied.code) == (403, "AccessDenied")
    assert b"private body" not in denied.body
    missing = plain_get(emulator, "www.example.com", "/.well-known/acme-challenge/other")
    assert (missing.status, missing.code) == (404, "NoSuchKey")
    logged = [(e["operation"], e["addressing"], e["bucket"], e["key"], e["domain"], e["status"]) for e in emulator.requests]
    assert logged == [
        ("GetObject", "cname", "demo-bucket", ".well-known/acme-challenge/abc", "www.example.com", 200),
        ("GetObject", "cname", "demo-bucket", "secret.txt", "www.example.com", 403),
        ("GetObject", "cname", "demo-bucket", ".well-known/acme-challenge/other", "www.example.com", 404),
    ]


def test_an_unbound_domain_is_not_served(emulator):
    put(emulator, "page.html", b"hello", acl="public-read")
    response = plain_get(emulator, "unbound.example.com", "/page.html")
    assert response.status != 200


def test_anonymous_writes_are_refused(emulator):
    response = raw_request(emulator.endpoint, "PUT", "/demo-bucket/k", body=b"x")
    assert (response.status, response.code) == (403, "AccessDenied")


def test_objects_survive_in_the_state_file_and_reset_clears_them(tmp_path):
    state_file = str(tmp_path / "state.json")
    with Emulator(state_file=state_file) as first:
        put(first, "kept/ü.txt", b"kept", acl="public-read")
    with Emulator(state_file=state_file) as second:
        assert sdk_client(second.endpoint, "v4").get_object(oss.GetObjectRequest(bucket="demo-bucket", key="kept/ü.txt")).body.read() == b"kept"
        second.reset()
        assert second.state()["objects"] == {}
    assert json.loads(open(state_file, encoding="utf-8").read())["objects"] == {}


def test_a_head_error_carries_its_document_in_x_oss_err(emulator):
    put(emulator, "private.txt", b"x")
    response = raw_request(emulator.endpoint, "HEAD", "/demo-bucket/private.txt")
    assert (response.status, response.body) == (403, b"")
    assert b"<Code>AccessDenied</Code>" in base64.b64decode(response.headers["x-oss-err"])
    missing = raw_request(emulator.endpoint, "HEAD", "/demo-bucket/missing.txt")
    assert missing.status == 404 and b"<Code>NoSuchKey</Code>" in base64.b64decode(missing.headers["x-oss-err"])
