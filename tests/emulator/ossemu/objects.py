# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Objects: PutObject, GetObject, HeadObject, DeleteObject and GetObjectAcl, and anonymous reads of public objects,
including plain HTTP GETs whose Host is a custom domain bound to the bucket (what an ACME HTTP-01 validation sends).

Small objects only (the HTTP front end reads at most 1 MiB of body). Content-MD5 is checked for every request before
an operation runs (core._check_digests): a value that is not the body's MD5 is 400 InvalidDigest, as OSS answers.
"""

import base64
import dataclasses
import hashlib
import xml.etree.ElementTree as ET
from urllib.parse import unquote

from .errors import OssError, invalid_argument, to_xml_bytes
from .request import host_without_port
from .timefmt import iso8601_ms, parse_iso8601, rfc1123

PUT_OBJECT = "PutObject"
GET_OBJECT = "GetObject"
HEAD_OBJECT = "HeadObject"
DELETE_OBJECT = "DeleteObject"
GET_OBJECT_ACL = "GetObjectAcl"
ACLS = ("default", "private", "public-read", "public-read-write")
PUBLIC_READ = ("public-read", "public-read-write")
MAX_KEY_BYTES = 1023
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_CRC64_REFLECTED_POLY = 0xC96C5795D7870F42  # CRC-64/XZ (ECMA-182), the checksum OSS reports in x-oss-hash-crc64ecma


def _crc64_table():
    table = []
    for byte in range(256):
        crc = byte
        for _bit in range(8):
            crc = (crc >> 1) ^ _CRC64_REFLECTED_POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC64_TABLE = _crc64_table()


def crc64ecma(data):
    crc = 0xFFFFFFFFFFFFFFFF
    for byte in data:
        crc = _CRC64_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


@dataclasses.dataclass
class StoredObject:
    body: bytes
    content_type: str
    acl: str
    last_modified: object  # aware datetime

    @property
    def etag(self):
        # A one-request upload's ETag is the upper-case hex MD5 of its content.
        return hashlib.md5(self.body).hexdigest().upper()

    @property
    def content_md5(self):
        return base64.b64encode(hashlib.md5(self.body).digest()).decode("ascii")

    def headers(self):
        return {
            "ETag": '"%s"' % self.etag,
            "Content-MD5": self.content_md5,
            "x-oss-hash-crc64ecma": str(crc64ecma(self.body)),
            "Last-Modified": rfc1123(self.last_modified),
            "x-oss-object-type": "Normal",
            "x-oss-storage-class": "Standard",
        }

    def public_view(self):
        return {
            "size": len(self.body),
            "etag": self.etag,
            "content_md5": self.content_md5,
            "content_type": self.content_type,
            "acl": self.acl,
            "last_modified": iso8601_ms(self.last_modified),
            # Kept so that a state file restores the objects; the emulator's objects are test data, never secrets.
            "content_base64": base64.b64encode(self.body).decode("ascii"),
        }


class ObjectStore:
    """(bucket, key) -> StoredObject; guarded by the State's lock like everything else in it."""

    def __init__(self):
        self.objects = {}

    def clear(self):
        self.objects.clear()

    def snapshot(self):
        view = {}
        for (bucket, key), stored in sorted(self.objects.items()):
            view.setdefault(bucket, {})[key] = stored.public_view()
        return view

    def load(self, document, bucket_names):
        for bucket, objects in document.items():
            if bucket not in bucket_names:
                continue
            for key, item in objects.items():
                body = base64.b64decode(item["content_base64"])
                self.objects[(bucket, key)] = StoredObject(body, item["content_type"], item["acl"], parse_iso8601(item["last_modified"]))


@dataclasses.dataclass
class ObjectAnswer:
    """What core.answer sends as it is: an object's own status, content type and headers."""

    status: int
    content_type: str = None
    body: bytes = b""
    code: str = None
    ec: str = None
    headers: dict = None


def route(request):
    """The object operation of a request that addresses a key, or None."""
    if not request.bucket or not request.key:
        return None
    if request.has_query("acl"):
        return GET_OBJECT_ACL if request.method == "GET" else None
    return {"PUT": PUT_OBJECT, "GET": GET_OBJECT, "HEAD": HEAD_OBJECT, "DELETE": DELETE_OBJECT}.get(request.method)


def bound_bucket(state, host):
    """The bucket a custom domain is bound to (ListCname shows it), or None: OSS serves that bucket on the domain."""
    hostname = host_without_port(host).lower().rstrip(".")
    for bucket in state.buckets.values():
        if hostname in bucket.bindings:
            return bucket.name
    return None


def cname_addressing(state, host, path):
    """(bucket, key, "cname") for a request to a bound custom domain, else None."""
    bucket = bound_bucket(state, host)
    if bucket is None:
        return None
    return bucket, unquote(path).lstrip("/"), "cname"


def is_anonymous_read(request):
    return route(request) in (GET_OBJECT, HEAD_OBJECT) and not request.headers.get("authorization")


class ObjectOperations:
    def __init__(self, state, clock):
        self.state = state
        self.clock = clock

    def dispatch(self):
        return {
            PUT_OBJECT: self.put_object,
            GET_OBJECT: self.get_object,
            HEAD_OBJECT: self.get_object,
            DELETE_OBJECT: self.delete_object,
            GET_OBJECT_ACL: self.get_object_acl,
        }

    def put_object(self, bucket, request):
        key = _check_key(request.key)
        acl = request.headers.get("x-oss-object-acl", "default")
        if acl not in ACLS:
            raise invalid_argument("no such object access control exists", extra=[("ArgumentName", "x-oss-object-acl"), ("ArgumentValue", acl)])
        content_type = request.headers.get("content-type") or DEFAULT_CONTENT_TYPE
        stored = StoredObject(request.body or b"", content_type, acl, self.clock.service())
        self.state.objects.objects[(bucket.name, key)] = stored
        self.state.save()
        headers = stored.headers()
        return ObjectAnswer(200, headers={name: headers[name] for name in ("ETag", "Content-MD5", "x-oss-hash-crc64ecma")})

    def get_object(self, bucket, request):
        stored = self._find(bucket, request.key)
        return ObjectAnswer(200, stored.content_type, stored.body, headers=stored.headers())

    def delete_object(self, bucket, request):
        _check_key(request.key)
        # OSS answers 204 whether or not the object was there.
        if self.state.objects.objects.pop((bucket.name, request.key), None) is not None:
            self.state.save()
        return ObjectAnswer(204)

    def get_object_acl(self, bucket, request):
        stored = self._find(bucket, request.key)
        root = ET.Element("AccessControlPolicy")
        owner = ET.SubElement(root, "Owner")
        ET.SubElement(owner, "ID").text = bucket.owner
        ET.SubElement(owner, "DisplayName").text = bucket.owner
        ET.SubElement(ET.SubElement(root, "AccessControlList"), "Grant").text = stored.acl
        return ObjectAnswer(200, "application/xml", to_xml_bytes(root))

    def read_anonymously(self, bucket, request):
        """A read without a signature: served when the object is public (the bucket's own ACL is private here)."""
        stored = self._find(bucket, request.key)
        if stored.acl not in PUBLIC_READ:
            raise OssError(403, "AccessDenied", "You have no right to access this object because of bucket acl.", ec="0003-00000001")
        return self.get_object(bucket, request)

    def _find(self, bucket, key):
        stored = self.state.objects.objects.get((bucket.name, _check_key(key)))
        if stored is None:
            raise OssError(404, "NoSuchKey", "The specified key does not exist.", ec="0026-00000001", extra=[("Key", key)])
        return stored


def _check_key(key):
    if not key or key.startswith(("/", "\\")):
        raise OssError(400, "InvalidObjectName", "The specified object is not valid.", extra=[("ObjectName", key or "")])
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise OssError(400, "InvalidObjectName", "The Length of Object name must be less than 1024.", extra=[("ObjectName", key)])
    return key
