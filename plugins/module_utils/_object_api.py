# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The object operations the object module needs (HeadObject, PutObject, DeleteObject) over an OssClient."""

from __future__ import annotations

import base64
import binascii
import hashlib

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssResponseError, OssServiceError
from ansible_collections.alicloud.oss.plugins.module_utils._xml import child_text, parse_document

MAX_KEY_BYTES = 1023


def validate_key(key) -> str:
    """OSS's naming rules, plus the dot segments that an HTTP library would collapse before the request is sent."""
    if not isinstance(key, str) or not key:
        raise OssConfigError("key must be a non-empty object name.", "key")
    if key.startswith(("/", "\\")):
        raise OssConfigError(f"key '{key}' starts with '{key[0]}', which OSS does not allow in an object name.", "key")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise OssConfigError("key is not valid UTF-8 text.", "key") from None
    if size > MAX_KEY_BYTES:
        raise OssConfigError(f"key is {size} bytes long in UTF-8; OSS allows at most {MAX_KEY_BYTES}.", "key")
    if any(segment in (".", "..") for segment in key.split("/")):
        raise OssConfigError(f"key '{key}' has a '.' or '..' path segment, which URLs cannot carry unchanged.", "key")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in key):
        raise OssConfigError("key contains a control character.", "key")
    return key


def content_md5(body: bytes) -> str:
    """The base64 MD5 that OSS keeps as Content-MD5 for an object uploaded in one PutObject."""
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")


def head_object(client, bucket: str, key: str) -> dict | None:
    """The object's metadata, or None when it does not exist (a HEAD answer has no body, so 404 alone says so)."""
    try:
        response = client.request("HeadObject", "HEAD", bucket, [], key=key)
    except OssServiceError as exc:
        if exc.code == "NoSuchKey":
            return None
        raise
    except OssResponseError as exc:
        # A 404 without the x-oss-err header that names the code: a missing bucket fails the PutObject that follows.
        if exc.status == 404:
            return None
        raise
    headers = response.headers
    etag = (headers.get("etag") or "").strip('"') or None
    return {
        "etag": etag,
        "md5": _md5_of(headers, etag),
        "size": _int_or_none(headers.get("content-length")),
        "content_type": headers.get("content-type"),
        "last_modified": headers.get("last-modified"),
        "object_type": headers.get("x-oss-object-type"),
    }


def put_object(client, bucket: str, key: str, body: bytes, content_type: str, acl: str | None) -> str | None:
    """Upload body as the whole object; returns the ETag OSS gives it."""
    headers = {"Content-Type": content_type}
    if acl is not None:
        headers["x-oss-object-acl"] = acl
    response = client.request("PutObject", "PUT", bucket, [], body=body, key=key, headers=headers)
    return (response.headers.get("etag") or "").strip('"') or None


def delete_object(client, bucket: str, key: str) -> None:
    """OSS answers 204 whether or not the object existed."""
    client.request("DeleteObject", "DELETE", bucket, [], key=key)


def get_object_acl(client, bucket: str, key: str) -> str | None:
    """The object's own ACL (private, public-read, public-read-write or default)."""
    response = client.request("GetObjectAcl", "GET", bucket, [("acl", None)], key=key)
    root = parse_document(response.body, response.status, response.request_id)
    grant = root.find("AccessControlList")
    return child_text(grant, "Grant") if grant is not None else None


def _md5_of(headers, etag) -> str | None:
    """Content-MD5 when OSS sends it; else the ETag, which is the upper-case hex MD5 for a one-request upload."""
    md5 = headers.get("content-md5")
    if md5:
        return md5
    if etag and len(etag) == 32:
        try:
            return base64.b64encode(binascii.unhexlify(etag)).decode("ascii")
        except (binascii.Error, ValueError):
            return None
    return None


def _int_or_none(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
