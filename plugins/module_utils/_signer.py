# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Header signing for Alibaba Cloud OSS requests: V4 (OSS4-HMAC-SHA256) and V1 (OSS, HMAC-SHA1).

Pure functions of their inputs: the caller passes the clock reading (``now``) and gets back the
headers to send plus the intermediate strings, which are what the server echoes in a
SignatureDoesNotMatch error and so are what one compares when debugging.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from typing import NamedTuple
from urllib.parse import quote

# Query parameters that V1 signs (every other parameter is left out of the CanonicalizedResource).
# The union of the lists in oss2 2.19.1 and the v2 SDKs (Python, Go, Swift), plus the x-oss-ac-*
# access-control parameters, which the Go and Swift v2 SDKs sign by prefix. Only cname and comp
# matter for the CNAME operations. A parameter outside this set is unsigned in V1; use V4, which
# signs every parameter, when sending one (e.g. the 2026 `wildcard` parameter).
V1_SUBRESOURCES = frozenset(
    [
        "acl",
        "append",
        "asyncFetch",
        "bucketInfo",
        "callback",
        "callback-var",
        "cleanRestoredObject",
        "cloudboxes",
        "cname",
        "comp",
        "continuation-token",
        "cors",
        "delete",
        "encryption",
        "endTime",
        "group",
        "inventory",
        "inventoryId",
        "lifecycle",
        "link",
        "live",
        "location",
        "logging",
        "metaQuery",
        "objectInfo",
        "objectMeta",
        "partNumber",
        "policy",
        "position",
        "qos",
        "qosInfo",
        "referer",
        "regionList",
        "replication",
        "replicationLocation",
        "replicationProgress",
        "requestPayment",
        "resourceGroup",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "response-content-language",
        "response-content-type",
        "response-expires",
        "restore",
        "security-token",
        "sequential",
        "startTime",
        "stat",
        "status",
        "symlink",
        "tagging",
        "transferAcceleration",
        "uploadId",
        "uploads",
        "versionId",
        "versioning",
        "versions",
        "vod",
        "website",
        "worm",
        "wormExtend",
        "wormId",
        "x-oss-ac-forward-allow",
        "x-oss-ac-source-ip",
        "x-oss-ac-subnet-mask",
        "x-oss-ac-vpc-id",
        "x-oss-process",
        "x-oss-request-payer",
        "x-oss-traffic-limit",
    ]
)

V4_ALGORITHM = "OSS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_V4_TERMINATOR = "aliyun_v4_request"
# Signed by default in V4 besides every x-oss-* header; never listed in AdditionalHeaders.
_V4_DEFAULT_SIGNED = frozenset(["content-type", "content-md5"])

# Headers the signer owns: any caller copy (in any letter case) is replaced, never duplicated.
_DATE = "Date"
_AUTHORIZATION = "Authorization"
_OSS_DATE = "x-oss-date"
_OSS_CONTENT_SHA256 = "x-oss-content-sha256"
_OSS_SECURITY_TOKEN = "x-oss-security-token"

# RFC 1123 by hand: strftime's %a/%b follow the process locale, HTTP dates must be English.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class SignedRequest(NamedTuple):
    """Result of signing: the headers to send and the strings the signature was computed over."""

    headers: dict
    canonical_request: str | None
    string_to_sign: str
    authorization: str


# ---------------------------------------------------------------------------------------------
# Input checks. Messages name the offending argument or header, never a value: values may be
# credentials or tokens.
# ---------------------------------------------------------------------------------------------


def _require_text(value, what):
    if not isinstance(value, str) or not value:
        raise ValueError("%s must be a non-empty string" % what)
    return value


def _require_utf8(text, what):
    # Fail here, naming only the place: a UnicodeEncodeError raised while signing would carry the
    # whole string to sign, security token included, in its .object attribute.
    try:
        text.encode("utf-8")
    except UnicodeError:
        raise ValueError("%s cannot be encoded as UTF-8" % what) from None


def _require_secret(access_key_secret):
    # Encode here so that a bad secret fails with a message that cannot carry it: a
    # UnicodeEncodeError would hold the whole secret in its .object attribute.
    if not isinstance(access_key_secret, str) or not access_key_secret:
        raise ValueError("access_key_secret must be a non-empty string")
    try:
        return access_key_secret.encode("utf-8")
    except UnicodeError:
        raise ValueError("access_key_secret is not valid text (it cannot be encoded as UTF-8)") from None


def _utc(now):
    # A naive datetime would be silently read as local time and give a skewed, rejected request.
    if not isinstance(now, datetime.datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime (for example datetime.now(timezone.utc))")
    return now.astimezone(datetime.timezone.utc)


def _check_method(method):
    # requests upper-cases the verb before sending, so the signature must use the upper-case form.
    return _require_text(method, "method").upper()


def _check_path(bucket, key):
    if bucket is not None:
        _require_text(bucket, "bucket")
    if key is not None and not isinstance(key, str):
        raise ValueError("key must be a string or None")
    _require_utf8((bucket or "") + (key or ""), "bucket or key")
    if key and bucket is None:
        raise ValueError("an object key needs a bucket")


def _check_query(query):
    """Return the query as a list of (name, value) with value None for "" and None alike."""
    if isinstance(query, (str, bytes, dict)):
        raise ValueError("query must be a list of (name, value) pairs, in sending order")
    pairs = []
    for item in query or ():
        if isinstance(item, (str, bytes)):
            raise ValueError("query must be a list of (name, value) pairs, in sending order")
        try:
            name, value = item
        except (TypeError, ValueError):
            raise ValueError("query must be a list of (name, value) pairs, in sending order") from None
        _require_text(name, "a query parameter name")
        _require_utf8(name, "a query parameter name")
        if value is not None and not isinstance(value, str):
            raise ValueError("the value of query parameter %r must be a string or None" % name)
        _require_utf8(value or "", "the value of query parameter %r" % name)
        pairs.append((name, value or None))
    return pairs


def _check_headers(headers):
    """Map lower-cased name -> (name as given, value); reject what cannot be signed unambiguously."""
    if headers is not None and not hasattr(headers, "items"):
        raise ValueError("headers must be a dict of header name -> value")
    index = {}
    for name, value in (headers or {}).items():
        _require_text(name, "a header name")
        if any(char in name for char in "\r\n:") or name != name.strip():
            raise ValueError("header name %r is not a valid HTTP header name" % name)
        if not isinstance(value, str):
            raise ValueError("the value of header %r must be a string" % name)
        if "\r" in value or "\n" in value:
            raise ValueError("the value of header %r contains a line break" % name)
        _require_utf8(name + value, "header %r" % name)
        lower = name.lower()
        if lower in index:
            raise ValueError("header %r is given more than once (names are case-insensitive)" % name)
        index[lower] = (name, value)
    return index


def _check_signed_values(index, signed_names):
    # SDKs sign values untrimmed while the docs say trim: without surrounding blanks both agree.
    for lower in signed_names:
        name, value = index[lower]
        if value != value.strip():
            raise ValueError("signed header %r has leading or trailing whitespace" % name)


def _check_common(method, bucket, key, query, headers, access_key_id, access_key_secret, now, security_token):
    """Checks shared by V1 and V4; returns (method, query pairs, header index, secret bytes, UTC now)."""
    method = _check_method(method)
    _check_path(bucket, key)
    pairs = _check_query(query)
    index = _check_headers(headers)
    _require_text(access_key_id, "access_key_id")
    secret = _require_secret(access_key_secret)
    if security_token is not None and not isinstance(security_token, str):
        raise ValueError("security_token must be a string or None")
    _require_utf8(access_key_id + (security_token or ""), "access_key_id or security_token")
    return method, pairs, index, secret, _utc(now)


def _output_headers(index, owned, added):
    """Caller's headers (minus any the signer owns), then the signer's, in that order."""
    out = {name: value for lower, (name, value) in index.items() if lower not in owned}
    out.update(added)
    return out


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


def _pct(text, safe=""):
    # quote() keeps exactly the RFC 3986 unreserved set (A-Z a-z 0-9 - _ . ~) plus `safe`,
    # encodes UTF-8 bytes and uses upper-case hex, which is what both V4 and the wire need.
    return quote(text, safe=safe)


def encode_query(query) -> str:
    """The query string exactly as sent: every pair as name=value, in the given order.

    Value-less parameters go out as ``name=`` (what the shipping SDKs put on the wire); the
    signers sign them as the bare name, which the server treats as the same thing.
    """
    return "&".join("%s=%s" % (_pct(name), _pct(value or "")) for name, value in _check_query(query))


def _rfc1123(now):
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (_WEEKDAYS[now.weekday()], now.day, _MONTHS[now.month - 1], now.year, now.hour, now.minute, now.second)


def _hmac(key, message, digest):
    return hmac.new(key, message.encode("utf-8"), digest).digest()


# ---------------------------------------------------------------------------------------------
# V4
# ---------------------------------------------------------------------------------------------


def _v4_canonical_uri(bucket, key):
    if bucket is None:
        return "/"
    return _pct("/%s/%s" % (bucket, key or ""), safe="/")


def _v4_canonical_query(pairs):
    # Every parameter is signed; sorting is on the encoded form, as the server sorts it.
    encoded = sorted((_pct(name), _pct(value or "")) for name, value in pairs)
    return "&".join(name + "=" + value if value else name for name, value in encoded)


def _v4_additional(index, additional_headers):
    """Lower-cased, de-duplicated, fully sorted; dropped when default-signed, absent or empty."""
    if isinstance(additional_headers, str):
        raise ValueError("additional_headers must be a list of header names, not a string")
    names = set()
    for name in additional_headers or ():
        lower = _require_text(name, "an additional header name").lower()
        if lower.startswith("x-oss-") or lower in _V4_DEFAULT_SIGNED:
            continue
        if lower in index and index[lower][1]:
            names.add(lower)
    return sorted(names)


def _v4_signed_names(index, additional):
    names = {lower for lower in index if lower.startswith("x-oss-") or lower in _V4_DEFAULT_SIGNED}
    return sorted(names.union(additional))


def _v4_region_and_product(region, product):
    if not isinstance(region, str) or not region:
        raise ValueError("V4 signing needs the region: pass the bare region id, e.g. cn-hangzhou")
    _require_text(product, "product")
    if region.startswith("oss-"):
        raise ValueError("region must be the bare region id (cn-hangzhou), not the endpoint prefix (oss-cn-hangzhou)")
    for value, what in ((region, "region"), (product, "product")):
        if "/" in value or value != value.strip():
            raise ValueError("%s must not contain '/' or surrounding whitespace" % what)


def _v4_signing_key(secret, day, region, product):
    # Scoped to one day, region and product, as the server derives it; the intermediate keys
    # stay local so that only the final signature ever leaves this module.
    key = _hmac(b"aliyun_v4" + secret, day, hashlib.sha256)
    for part in (region, product, _V4_TERMINATOR):
        key = _hmac(key, part, hashlib.sha256)
    return key


def _v4_authorization(access_key_id, scope, additional, signature):
    parts = ["Credential=%s/%s" % (access_key_id, scope)]
    if additional:
        parts.append("AdditionalHeaders=" + ";".join(additional))
    parts.append("Signature=" + signature)
    # The v2 SDK / documentation layout: ',' without a space, Signature last.
    return V4_ALGORITHM + " " + ",".join(parts)


def _v4_added_headers(index, stamp, security_token):
    added = {_OSS_DATE: stamp}
    # A caller-supplied payload hash (any letter case) is kept: it is what gets sent and signed.
    if _OSS_CONTENT_SHA256 not in index:
        added[_OSS_CONTENT_SHA256] = UNSIGNED_PAYLOAD
    if security_token:
        added[_OSS_SECURITY_TOKEN] = security_token
    return added


def _v4_canonical_request(method, bucket, key, pairs, index, additional_headers):
    """Return (canonical request, the filtered AdditionalHeaders names)."""
    additional = _v4_additional(index, additional_headers)
    signed_names = _v4_signed_names(index, additional)
    _check_signed_values(index, signed_names)
    canonical_headers = "".join("%s:%s\n" % (lower, index[lower][1]) for lower in signed_names)
    hashed_payload = _require_text(index[_OSS_CONTENT_SHA256][1], "header x-oss-content-sha256")
    canonical_request = "\n".join(
        [
            method,
            _v4_canonical_uri(bucket, key),
            _v4_canonical_query(pairs),
            canonical_headers,
            ";".join(additional),
            hashed_payload,
        ]
    )
    return canonical_request, additional


def sign_v4(
    method, bucket, key, query, headers, access_key_id, access_key_secret, region, now, security_token=None, product="oss", additional_headers=()
) -> SignedRequest:
    """Sign a request with OSS4-HMAC-SHA256 (header form, unsigned payload unless the caller set a hash)."""
    method, pairs, index, secret, now = _check_common(method, bucket, key, query, headers, access_key_id, access_key_secret, now, security_token)
    _v4_region_and_product(region, product)

    stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    owned = {_OSS_DATE, _AUTHORIZATION.lower()} | ({_OSS_SECURITY_TOKEN} if security_token else set())
    sent = _output_headers(index, owned, _v4_added_headers(index, stamp, security_token))
    # Re-index after the merge: the signer's own headers are signed too.
    canonical_request, additional = _v4_canonical_request(method, bucket, key, pairs, _check_headers(sent), additional_headers)

    scope = "/".join([day, region, product, _V4_TERMINATOR])
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    string_to_sign = "\n".join([V4_ALGORITHM, stamp, scope, digest])
    signing_key = _v4_signing_key(secret, day, region, product)
    signature = hmac.new(signing_key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    authorization = _v4_authorization(access_key_id, scope, additional, signature)
    sent[_AUTHORIZATION] = authorization
    return SignedRequest(sent, canonical_request, string_to_sign, authorization)


# ---------------------------------------------------------------------------------------------
# V1
# ---------------------------------------------------------------------------------------------


def _v1_canonical_resource(bucket, key, pairs):
    if bucket is None:
        resource = "/"
    else:
        resource = "/%s/%s" % (bucket, key or "")
    # Raw (decoded) values, sorted by name; the empty/absent value is signed as the bare name.
    subresources = sorted((name, value or "") for name, value in pairs if name in V1_SUBRESOURCES)
    if not subresources:
        return resource
    return resource + "?" + "&".join(name + "=" + value if value else name for name, value in subresources)


def _v1_oss_headers(index):
    names = sorted(lower for lower in index if lower.startswith("x-oss-"))
    _check_signed_values(index, names)
    return "".join("%s:%s\n" % (lower, index[lower][1]) for lower in names)


def _v1_string_to_sign(method, index, resource):
    def value(lower):
        return index[lower][1] if lower in index else ""

    _check_signed_values(index, [lower for lower in ("content-md5", "content-type") if lower in index])
    # In V1 an x-oss-date header (RFC 1123 there) takes the Date line's place.
    date = value(_OSS_DATE) or value(_DATE.lower())
    return "\n".join([method, value("content-md5"), value("content-type"), date]) + "\n" + _v1_oss_headers(index) + resource


def sign_v1(method, bucket, key, query, headers, access_key_id, access_key_secret, now, security_token=None) -> SignedRequest:
    """Sign a request with the legacy OSS V1 scheme (HMAC-SHA1)."""
    method, pairs, index, secret, now = _check_common(method, bucket, key, query, headers, access_key_id, access_key_secret, now, security_token)

    added = {_DATE: _rfc1123(now)}
    if security_token:
        added[_OSS_SECURITY_TOKEN] = security_token
    owned = {_DATE.lower(), _AUTHORIZATION.lower()} | ({_OSS_SECURITY_TOKEN} if security_token else set())
    sent = _output_headers(index, owned, added)

    # Re-index after the merge: the token header is an x-oss-* header and is signed.
    string_to_sign = _v1_string_to_sign(method, _check_headers(sent), _v1_canonical_resource(bucket, key, pairs))
    signature = base64.b64encode(_hmac(secret, string_to_sign, hashlib.sha1)).decode("ascii")

    authorization = "OSS %s:%s" % (access_key_id, signature)
    sent[_AUTHORIZATION] = authorization
    return SignedRequest(sent, None, string_to_sign, authorization)
