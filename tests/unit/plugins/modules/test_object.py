# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""object: what is sent for each state of the object, and what the module returns.

A converged object costs one HeadObject (plus GetObjectAcl only when the task sets acl); a write is one PutObject of
the whole content; check mode sends only the reads; the content is never in the result or the diff.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._client import OssClient
from ansible_collections.alicloud.oss.plugins.module_utils._credentials import Credentials
from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import resolve_endpoint
from ansible_collections.alicloud.oss.plugins.module_utils._signer import sign_v4
from ansible_collections.alicloud.oss.plugins.modules import object as object_module
from ansible_collections.alicloud.oss.tests.unit.fake_http import canned_response
from ansible_collections.alicloud.oss.tests.unit.plugins.modules.conftest import FakeOss, Sent, _Error

KEY = ".well-known/acme-challenge/tok_EN-1"
CONTENT = "tok_EN-1.q3Jx-thumbprint-of-the-account-key"


def md5_b64(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()


class ObjectSent(Sent):
    """FakeOss matches failures by the domain of an XML body; an object's body is not XML and names no domain."""

    __slots__ = ()

    @property
    def domain(self):
        return None


class ObjectOss(FakeOss):
    """The FakeOss of conftest plus objects: (bucket, key) -> {body, content_type, acl}."""

    def __init__(self):
        super().__init__()
        self.objects = {}
        self._headers = {}
        self.multipart = set()  # keys whose ETag is that of a multipart upload (no Content-MD5)

    def put(self, key, body: bytes, content_type="text/plain", acl="default", bucket="my-bucket"):
        self.objects[(bucket, key)] = {"body": body, "content_type": content_type, "acl": acl}

    def handle(self, method, url, headers, data):
        parts = urlsplit(url)
        _bucket, _sep, key = parts.path.lstrip("/").partition("/")
        if not key:
            return super().handle(method, url, headers, data)
        query = tuple((item.partition("=")[0], "") for item in parts.query.split("&") if item)
        operation = {"PUT": "PutObject", "HEAD": "HeadObject", "GET": "GetObjectAcl" if query else "GetObject", "DELETE": "DeleteObject"}[method]
        sent = ObjectSent(method, url, parts.path, query, dict(headers or {}), bytes(data) if data is not None else None, operation)
        with self.lock:
            self.sent.append(sent)
            self._headers = {}
            response = self._answer(sent)
        status = response.status_code
        if method == "HEAD" and status >= 400:
            # As OSS: no body on a HEAD answer, the error document base64-encoded in x-oss-err.
            document = response.raw.read()
            headers = dict(response.headers, **{"x-oss-err": base64.b64encode(document).decode(), "Content-Length": "0"})
            return canned_response(None, status, b"", headers)
        if status == 200 and operation == "DeleteObject":
            response.status_code = 204
        if status == 200:
            response.headers.update(self._headers)
        return response

    def _key(self, sent):
        return unquote(sent.path.lstrip("/").partition("/")[2])

    def _stored(self, bucket, sent):
        stored = self.objects.get((bucket, self._key(sent)))
        if stored is None:
            raise _Error(404, "NoSuchKey", "The specified key does not exist.")
        return stored

    def _op_PutObject(self, bucket, sent):
        self.put(self._key(sent), sent.body, sent.headers.get("Content-Type"), sent.headers.get("x-oss-object-acl", "default"), bucket)
        self._headers = {"ETag": '"%s"' % hashlib.md5(sent.body).hexdigest().upper()}
        return b""

    def _op_HeadObject(self, bucket, sent):
        stored = self._stored(bucket, sent)
        body = stored["body"]
        if self._key(sent) in self.multipart:
            self._headers = {"ETag": '"%s-2"' % hashlib.md5(body).hexdigest().upper()}
        else:
            self._headers = {"ETag": '"%s"' % hashlib.md5(body).hexdigest().upper(), "Content-MD5": md5_b64(body)}
        self._headers.update({"Content-Type": stored["content_type"], "Content-Length": str(len(body)), "x-oss-object-type": "Normal"})
        return b""

    def _op_GetObjectAcl(self, bucket, sent):
        stored = self._stored(bucket, sent)
        return (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy><Owner><ID>1</ID><DisplayName>1</DisplayName></Owner>'
            b"<AccessControlList><Grant>%s</Grant></AccessControlList></AccessControlPolicy>" % stored["acl"].encode()
        )

    def _op_DeleteObject(self, bucket, sent):
        self.objects.pop((bucket, self._key(sent)), None)
        return b""


@pytest.fixture
def fake_oss(monkeypatch):
    from ansible_collections.alicloud.oss.plugins.module_utils import _http

    oss = ObjectOss()
    monkeypatch.setattr(_http, "new_session", oss.new_session)
    return oss


def _without_invocation(run) -> str:
    return json.dumps({name: value for name, value in run.result.items() if name != "invocation"})


# --- present ---------------------------------------------------------------------------------------------------------


def test_a_new_object_is_one_head_then_one_put_of_the_whole_content(run_module, fake_oss):
    run = run_module(object_module, key=KEY, content=CONTENT, content_type="text/plain")

    assert fake_oss.operations() == ["HeadObject", "PutObject"]
    put = fake_oss.sent[1]
    assert put.path == "/my-bucket/.well-known/acme-challenge/tok_EN-1"
    assert put.body == CONTENT.encode()
    assert put.headers["Content-Type"] == "text/plain"
    assert put.headers["Content-MD5"] == md5_b64(CONTENT.encode())
    assert "x-oss-object-acl" not in put.headers
    assert put.headers["Authorization"].startswith("OSS4-HMAC-SHA256 ")
    assert run["changed"] is True
    assert (run["bucket"], run["key"], run["exists"], run["size"], run["content_type"]) == ("my-bucket", KEY, True, len(CONTENT), "text/plain")
    assert run["md5"] == md5_b64(CONTENT.encode())
    assert run["etag"] == hashlib.md5(CONTENT.encode()).hexdigest().upper()
    assert run["acl"] == "default"
    assert run["diff"] == {
        "before": {"exists": False},
        "after": {"exists": True, "size": len(CONTENT), "md5": run["md5"], "content_type": "text/plain", "acl": "default"},
    }


def test_a_converged_object_costs_one_head_and_no_write(run_module, fake_oss):
    fake_oss.put(KEY, CONTENT.encode(), "text/plain")
    run = run_module(object_module, key=KEY, content=CONTENT, content_type="text/plain")

    assert fake_oss.operations() == ["HeadObject"]
    assert fake_oss.sent[0].method == "HEAD" and fake_oss.sent[0].body is None
    assert run["changed"] is False
    assert run["md5"] == md5_b64(CONTENT.encode()) and run["size"] == len(CONTENT)
    assert run["acl"] is None  # acl unset: not read
    assert run["diff"]["before"] == run["diff"]["after"]


@pytest.mark.parametrize(
    "stored, content_type",
    [
        pytest.param(b"other content", "text/plain", id="other-content"),
        pytest.param(CONTENT.encode(), "application/octet-stream", id="other-type"),
        pytest.param(CONTENT.encode() + b"\n", "text/plain", id="one-more-byte"),
    ],
)
def test_other_content_or_type_is_written_again(run_module, fake_oss, stored, content_type):
    fake_oss.put(KEY, stored, content_type, acl="public-read")
    run = run_module(object_module, key=KEY, content=CONTENT, content_type="text/plain")

    # Without acl the object keeps its own: read once, sent with the write.
    assert fake_oss.operations() == ["HeadObject", "GetObjectAcl", "PutObject"]
    assert fake_oss.sent[2].headers["x-oss-object-acl"] == "public-read"
    assert run["changed"] is True and run["acl"] == "public-read"
    assert fake_oss.objects[("my-bucket", KEY)]["body"] == CONTENT.encode()
    assert run["diff"]["before"]["md5"] == md5_b64(stored)
    assert run["diff"]["before"]["acl"] == run["diff"]["after"]["acl"] == "public-read"


def test_an_object_with_the_default_acl_is_written_again_without_one(run_module, fake_oss):
    fake_oss.put(KEY, b"other content", "text/plain", acl="default")
    run = run_module(object_module, key=KEY, content=CONTENT, content_type="text/plain")
    assert fake_oss.operations() == ["HeadObject", "GetObjectAcl", "PutObject"]
    assert "x-oss-object-acl" not in fake_oss.sent[2].headers and run["acl"] == "default"


@pytest.mark.parametrize(
    "options, named", [({"content": "x"}, "content"), ({"acl": "private"}, "acl"), ({"content": "x", "acl": "public-read"}, "content and acl")]
)
def test_content_options_with_state_absent_are_refused_before_any_request(run_module, fake_oss, options, named):
    fake_oss.put(KEY, b"keep me")
    run = run_module(object_module, key=KEY, state="absent", **options)
    assert run["failed"] is True and run["msg"].startswith(named + " describe the object to keep")
    assert fake_oss.operations() == [] and fake_oss.objects[("my-bucket", KEY)]["body"] == b"keep me"


def test_an_empty_content_type_is_refused_before_any_request(run_module, fake_oss):
    run = run_module(object_module, key=KEY, content=CONTENT, content_type=" ")
    assert run["failed"] is True and "content_type" in run["msg"] and fake_oss.operations() == []


def test_a_multipart_object_without_md5_is_written_again(run_module, fake_oss):
    fake_oss.put(KEY, CONTENT.encode(), "text/plain")
    fake_oss.multipart.add(KEY)
    run = run_module(object_module, key=KEY, content=CONTENT, content_type="text/plain")
    assert fake_oss.operations() == ["HeadObject", "GetObjectAcl", "PutObject"] and run["changed"] is True


def test_acl_set_and_matching_costs_head_and_get_acl(run_module, fake_oss):
    fake_oss.put(KEY, CONTENT.encode(), "text/plain", acl="public-read")
    run = run_module(object_module, key=KEY, content=CONTENT, content_type="text/plain", acl="public-read")

    assert fake_oss.operations() == ["HeadObject", "GetObjectAcl"]
    assert fake_oss.sent[1].query == (("acl", ""),)
    assert run["changed"] is False and run["acl"] == "public-read"


def test_another_acl_rewrites_the_object_with_the_acl(run_module, fake_oss):
    fake_oss.put(KEY, CONTENT.encode(), "text/plain", acl="default")
    run = run_module(object_module, key=KEY, content=CONTENT, content_type="text/plain", acl="public-read")

    assert fake_oss.operations() == ["HeadObject", "GetObjectAcl", "PutObject"]
    assert fake_oss.sent[2].headers["x-oss-object-acl"] == "public-read"
    assert run["changed"] is True and run["acl"] == "public-read"
    assert run["diff"]["before"]["acl"] == "default" and run["diff"]["after"]["acl"] == "public-read"


def test_acl_of_a_new_object_is_sent_without_reading_it(run_module, fake_oss):
    run_module(object_module, key=KEY, content=CONTENT, acl="private")
    assert fake_oss.operations() == ["HeadObject", "PutObject"]
    assert fake_oss.sent[1].headers["x-oss-object-acl"] == "private"
    assert fake_oss.sent[1].headers["Content-Type"] == "application/octet-stream"


def test_src_sends_the_file_bytes(run_module, fake_oss, tmp_path):
    data = bytes(range(256)) * 3
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    run = run_module(object_module, key="blobs/blob.bin", src=str(path))

    assert fake_oss.sent[1].body == data
    assert run["md5"] == md5_b64(data) and run["size"] == len(data)
    fake_oss.sent.clear()
    assert run_module(object_module, key="blobs/blob.bin", src=str(path))["changed"] is False
    assert fake_oss.operations() == ["HeadObject"]


def test_content_is_sent_as_utf8(run_module, fake_oss):
    run_module(object_module, key="t.txt", content="héllo ✓")
    assert fake_oss.sent[1].body == "héllo ✓".encode()


# --- check mode and diff ---------------------------------------------------------------------------------------------


def test_check_mode_sends_only_the_read(run_module, fake_oss):
    run = run_module(object_module, key=KEY, content=CONTENT, acl="public-read", _ansible_check_mode=True, _ansible_diff=True)

    assert fake_oss.operations() == ["HeadObject"]
    assert fake_oss.objects == {}
    assert run["changed"] is True and run["etag"] is None and run["md5"] == md5_b64(CONTENT.encode())


def test_the_content_is_never_in_the_result_or_the_diff(run_module, fake_oss):
    fake_oss.put(KEY, b"the old secret body", "text/plain")
    run = run_module(object_module, key=KEY, content=CONTENT, content_type="text/plain", _ansible_diff=True)

    text = _without_invocation(run)
    assert CONTENT not in text and "the old secret body" not in text
    assert set(run["diff"]["before"]) == {"exists", "size", "md5", "content_type", "acl"}


# --- absent ----------------------------------------------------------------------------------------------------------


def test_absent_deletes_an_existing_object(run_module, fake_oss):
    fake_oss.put(KEY, b"x")
    run = run_module(object_module, key=KEY, state="absent")

    assert fake_oss.operations() == ["HeadObject", "DeleteObject"]
    assert fake_oss.sent[1].method == "DELETE" and fake_oss.objects == {}
    assert run["changed"] is True and run["exists"] is False
    assert run["diff"] == {"before": {"exists": True, "size": 1, "md5": md5_b64(b"x"), "content_type": "text/plain"}, "after": {"exists": False}}


def test_absent_of_a_missing_object_is_one_head(run_module, fake_oss):
    run = run_module(object_module, key=KEY, state="absent")
    assert fake_oss.operations() == ["HeadObject"]
    assert run["changed"] is False and run["exists"] is False


def test_absent_in_check_mode_deletes_nothing(run_module, fake_oss):
    fake_oss.put(KEY, b"x")
    run = run_module(object_module, key=KEY, state="absent", _ansible_check_mode=True)
    assert fake_oss.operations() == ["HeadObject"]
    assert run["changed"] is True and (("my-bucket", KEY) in fake_oss.objects)


# --- errors ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        pytest.param({"key": "/abs", "content": "x"}, "starts with '/'", id="leading-slash"),
        pytest.param({"key": "\\win", "content": "x"}, "starts with", id="leading-backslash"),
        pytest.param({"key": "a/../b", "content": "x"}, "'..'", id="dot-dot"),
        pytest.param({"key": "a/./b", "content": "x"}, "'.'", id="dot"),
        pytest.param({"key": "", "content": "x"}, "non-empty", id="empty"),
        pytest.param({"key": "k" * 1024, "content": "x"}, "1024 bytes", id="too-long"),
        pytest.param({"key": "a\nb", "content": "x"}, "control character", id="newline"),
        pytest.param({"key": "k", "content": "x", "src": "/etc/hostname"}, "mutually exclusive", id="both"),
        pytest.param({"key": "k"}, "content, src", id="neither"),
        pytest.param({"key": "k", "src": "/nonexistent/file"}, "cannot be read", id="missing-src"),
        pytest.param({"key": "k", "content": "x", "bucket": "Bad_Bucket"}, "bucket", id="bad-bucket"),
    ],
)
def test_bad_input_fails_clearly_before_any_request(run_module, fake_oss, args, words):
    run = run_module(object_module, **args)
    assert run["failed"] is True
    assert words in run["msg"], run["msg"]
    assert fake_oss.sent == []


def test_a_refused_head_fails_without_a_write(run_module, fake_oss):
    fake_oss.fail("HeadObject", code="AccessDenied", status=403)
    run = run_module(object_module, key=KEY, content=CONTENT)
    assert run["failed"] is True and fake_oss.operations() == ["HeadObject"]
    assert "HeadObject" in run["msg"] and "AccessDenied" in run["msg"]
    assert "grant the RAM action oss:GetObject on the object" in run["msg"]


def test_a_refused_put_names_the_code(run_module, fake_oss):
    fake_oss.fail("PutObject", code="AccessDenied", status=403, message="You have no right to access this object.")
    run = run_module(object_module, key=KEY, content=CONTENT)
    assert run["failed"] is True and "PutObject" in run["msg"] and "AccessDenied" in run["msg"]


# --- keys on the wire ------------------------------------------------------------------------------------------------


class _Capture:
    def __init__(self):
        self.urls = []

    def request(self, method, url, **_kwargs):
        self.urls.append(url)
        return canned_response(None, 200, b"", {"ETag": '"00"'})

    def mount(self, *_args):
        pass

    def close(self):
        pass


@pytest.mark.parametrize("path_style", [True, False])
@pytest.mark.parametrize("key", ["dir/with space/é ü 文件.txt", "a+b=c&d?e#f%g;h", "~tilde_-.x"])
def test_the_url_path_is_the_v4_canonical_uri(key, path_style):
    """OSS recomputes the canonical URI from the path it receives: the two must be the same encoding of the key."""
    endpoint = resolve_endpoint("cn-hangzhou", "http://127.0.0.1:9" if path_style else None)
    capture = _Capture()
    credentials = Credentials("LTAI5tModuleTestKeyId", "secret-value", None, "test")
    client = OssClient(endpoint, credentials, session=capture, retries=0)
    client.request("PutObject", "PUT", "my-bucket", [], body=b"x", key=key, headers={"Content-Type": "text/plain"})
    sent_path = urlsplit(capture.urls[0]).path
    signed = sign_v4("PUT", "my-bucket", key, [], {}, "id", "secret", "cn-hangzhou", datetime.now(timezone.utc))
    canonical_uri = signed.canonical_request.split("\n")[1]
    assert (sent_path if path_style else "/my-bucket" + sent_path) == canonical_uri
    assert unquote(sent_path).endswith(key)
