# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One incoming OSS request as the emulator sees it: addressing, query, headers, body and the operation."""

import dataclasses
import re
from urllib.parse import unquote

CREATE_TOKEN = "CreateCnameToken"
GET_TOKEN = "GetCnameToken"
PUT_CNAME = "PutCname"
LIST_CNAME = "ListCname"
DELETE_CNAME = "DeleteCname"
LIST_BUCKETS = "ListBuckets"
UNKNOWN = "Unknown"


@dataclasses.dataclass
class OssRequest:
    method: str
    path: str
    raw_query: str
    query_pairs: list  # [(name, value or None)], decoded, in sending order
    headers: dict  # lower-case name -> value (repeated headers joined with ',')
    host: str
    body: bytes
    bucket: str = None
    key: str = ""
    addressing: str = "path"
    operation: str = UNKNOWN

    def query_value(self, name):
        """The first non-empty value of `name` (some docs send `cname` twice: bare and with a value)."""
        values = [value for key, value in self.query_pairs if key == name]
        return next((value for value in values if value), "" if values else None)

    def has_query(self, name):
        return any(key == name for key, _value in self.query_pairs)


def parse_query(raw_query):
    """Decode `a&b=&c=d` into [(a, None), (b, ''), (c, d)]: bare and `name=` forms stay distinguishable but sign alike."""
    pairs = []
    for piece in raw_query.split("&"):
        if not piece:
            continue
        name, separator, value = piece.partition("=")
        pairs.append((unquote(name), unquote(value) if separator else None))
    return pairs


def header_dict(items):
    headers = {}
    for name, value in items:
        name = name.lower()
        headers[name] = "%s,%s" % (headers[name], value) if name in headers else value
    return headers


def host_without_port(host):
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def resolve_addressing(host, path, bucket_names):
    """(bucket, key, addressing). Virtual-hosted when the Host's first label is a configured bucket, else path-style."""
    hostname = host_without_port(host).lower()
    first_label = hostname.split(".", 1)[0]
    decoded = unquote(path)
    if "." in hostname and first_label in bucket_names:
        return first_label, decoded.lstrip("/"), "virtual"
    bucket, _separator, key = decoded.lstrip("/").partition("/")
    return bucket or None, key, "path"


_OSS_HOST = re.compile(r"^oss-(?P<region>[a-z0-9-]+?)(-internal)?\.aliyuncs\.com$")


def region_of_host(host):
    """The region an OSS service host names (oss-<region>[-internal].aliyuncs.com), or None for any other host."""
    match = _OSS_HOST.match(host_without_port(host).lower())
    return match.group("region") if match else None


def route(request):
    """Operation name from method + sub-resources (reference sections 3 to 6; ListBuckets is GET / with no bucket)."""
    if request.method == "GET" and not request.bucket and not request.key and not request.has_query("cname") and not request.has_query("comp"):
        return LIST_BUCKETS
    if not request.bucket or request.key or not request.has_query("cname"):
        return UNKNOWN
    comp = request.query_value("comp")
    if request.method == "POST":
        return {"token": CREATE_TOKEN, "add": PUT_CNAME, "delete": DELETE_CNAME}.get(comp, UNKNOWN)
    if request.method == "GET":
        if comp == "token":
            return GET_TOKEN
        if comp is None:
            return LIST_CNAME
    return UNKNOWN
