# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request authentication: V1 (`OSS ak:sig`) and V4 (`OSS4-HMAC-SHA256`) header signatures and STS tokens.

Written from the prose of the OSS API documentation of the signatures, deliberately not from the collection's signer, so
that a signer bug cannot hide behind an identical emulator bug. Signatures are recomputed from the request
exactly as received: the raw query string, the received headers, the path.
"""

import base64
import dataclasses
import hashlib
import hmac
import threading
from urllib.parse import quote

from .errors import OssError, invalid_argument
from .timefmt import iso8601_ms, parse_iso8601, parse_rfc1123, parse_v4_date

V4_ALGORITHM = "OSS4-HMAC-SHA256"
V4_TERMINATOR = "aliyun_v4_request"
V4_PRODUCT = "oss"

# V1 signs only these query parameters ("sub-resources"); all others are left out of the StringToSign.
V1_SUBRESOURCES = frozenset(
    [
        "acl",
        "append",
        "bucketInfo",
        "callback",
        "callback-var",
        "cloudboxes",
        "cname",
        "comp",
        "continuation-token",
        "cors",
        "delete",
        "encryption",
        "inventory",
        "inventoryId",
        "lifecycle",
        "live",
        "location",
        "logging",
        "objectMeta",
        "partNumber",
        "policy",
        "position",
        "qos",
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
        "stat",
        "status",
        "symlink",
        "tagging",
        "uploadId",
        "uploads",
        "versionId",
        "versioning",
        "versions",
        "website",
        "worm",
        "wormExtend",
        "wormId",
        "x-oss-process",
    ]
)

SIGNATURE_MISMATCH_MESSAGE = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
EC_SIGNATURE_V1 = "0002-00000040"
EC_SKEW = "0002-00000504"
EC_BAD_TIME = "0002-00000505"
EC_BAD_CREDENTIAL = "0002-00000213"
EC_NOT_STS_KEY = "0002-00000002"
EC_STS_EXPIRED = "0002-00000007"


@dataclasses.dataclass
class Credential:
    """One key pair. STS pairs carry `security_token` and an aware `expiration`."""

    access_key_id: str
    access_key_secret: str
    owner: str
    security_token: str = None
    expiration: object = None

    def __repr__(self):
        return "Credential(%r, owner=%r, sts=%r)" % (self.access_key_id, self.owner, self.security_token is not None)


class CredentialStore:
    """The default `credential_lookup`: accounts and STS pairs from the config plus any added at run time."""

    def __init__(self, config):
        self._lock = threading.Lock()
        self._by_key = {}
        for item in config["accounts"]:
            self.add(Credential(item["access_key_id"], item["access_key_secret"], str(item["owner"])))
        for item in config["sts"]:
            self.add(
                Credential(item["access_key_id"], item["access_key_secret"], str(item["owner"]), item["security_token"], parse_iso8601(item["expiration"]))
            )

    def add(self, credential):
        with self._lock:
            self._by_key[credential.access_key_id] = credential

    def lookup(self, access_key_id):
        with self._lock:
            return self._by_key.get(access_key_id)


@dataclasses.dataclass
class AuthorizationHeader:
    version: str  # 'v1' or 'v4'
    access_key_id: str
    signature: str
    scope: list = dataclasses.field(default_factory=list)  # V4: date, region, product, terminator
    additional_headers: list = dataclasses.field(default_factory=list)


def describe_authorization(value):
    """(signature_version, access_key_id) for the request log, without raising on malformed headers."""
    try:
        parsed = parse_authorization(value)
    except OssError:
        return None, None
    return parsed.version, parsed.access_key_id


def parse_authorization(value):
    if value.startswith(V4_ALGORITHM + " "):
        return _parse_v4_authorization(value[len(V4_ALGORITHM) + 1 :])
    if value.startswith("OSS "):
        access_key_id, separator, signature = value[4:].strip().partition(":")
        if not separator or not access_key_id or not signature:
            raise invalid_argument('Authorization header is invalid: expected "OSS <AccessKeyId>:<Signature>".')
        return AuthorizationHeader("v1", access_key_id, signature)
    raise invalid_argument("Authorization header is invalid: unsupported signature scheme.")


def _parse_v4_authorization(fields_text):
    """Accept both layouts that ship: `,` or `, ` separators, Signature before or after AdditionalHeaders."""
    fields = {}
    for part in fields_text.split(","):
        name, separator, value = part.strip().partition("=")
        if part.strip() and not separator:
            raise invalid_argument("Authorization header is invalid: malformed field %r." % part.strip())
        if separator:
            fields[name.strip()] = value.strip()
    scope = fields.get("Credential", "").split("/")
    if len(scope) != 5 or not scope[0] or scope[4] != V4_TERMINATOR or not fields.get("Signature"):
        raise invalid_argument(
            "Invalid Credential in Authorization header: expected <AccessKeyId>/<SignDate>/<Region>/oss/aliyun_v4_request and a Signature.",
            ec=EC_BAD_CREDENTIAL,
        )
    additional = [name.strip().lower() for name in fields.get("AdditionalHeaders", "").split(";") if name.strip()]
    return AuthorizationHeader("v4", scope[0], fields["Signature"], scope[1:], additional)


class Verifier:
    """Checks one request against a credential source and the emulator clock."""

    def __init__(self, credential_lookup, clock, max_skew_seconds):
        self.credential_lookup = credential_lookup
        self.clock = clock
        self.max_skew_seconds = max_skew_seconds

    def verify(self, request, bucket_region):
        """Return the Credential that signed `request`, or raise the OssError OSS would answer.

        bucket_region: the region the V4 scope must name; None accepts any (ListBuckets through a host naming none)."""
        header = request.headers.get("authorization")
        if not header:
            raise OssError(403, "AccessDenied", "AccessDenied: anonymous access is not allowed for this operation.")
        parsed = parse_authorization(header)
        credential = self._credential_for(parsed.access_key_id, request)
        if parsed.version == "v4":
            self._verify_v4(request, parsed, credential, bucket_region)
        else:
            self._verify_v1(request, parsed, credential)
        return credential

    def _credential_for(self, access_key_id, request):
        credential = self.credential_lookup(access_key_id)
        token = request.headers.get("x-oss-security-token")
        if credential is None or (credential.security_token is not None and not token):
            raise _invalid_access_key(access_key_id, EC_NOT_STS_KEY if token else None)
        if credential.security_token is None:
            if token:
                # OSS treats any request carrying a token as STS, and this key is not an STS key.
                raise _invalid_access_key(access_key_id, EC_NOT_STS_KEY)
            return credential
        if not hmac.compare_digest(token.encode("utf-8"), credential.security_token.encode("utf-8")):
            raise OssError(403, "InvalidSecurityToken", "The security token you provided is invalid.", extra=[("OSSAccessKeyId", access_key_id)])
        if credential.expiration is not None and self.clock.service() >= credential.expiration:
            raise OssError(
                403, "SecurityTokenExpired", "The security token you provided has expired.", ec=EC_STS_EXPIRED, extra=[("OSSAccessKeyId", access_key_id)]
            )
        return credential

    def _check_time(self, request_time, raw_value):
        if request_time is None:
            raise OssError(403, "AccessDenied", "The request time %r is not a valid date." % raw_value, ec=EC_BAD_TIME)
        server_time = self.clock.wall()
        if abs((server_time - request_time).total_seconds()) > self.max_skew_seconds:
            raise OssError(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
                ec=EC_SKEW,
                extra=[
                    ("RequestTime", iso8601_ms(request_time)),
                    ("ServerTime", iso8601_ms(server_time)),
                    ("MaxAllowedSkewMilliseconds", str(self.max_skew_seconds * 1000)),
                ],
            )

    # --- V1 -----------------------------------------------------------------------------------------------
    def _verify_v1(self, request, parsed, credential):
        date_value = request.headers.get("x-oss-date") or request.headers.get("date")
        if not date_value:
            raise OssError(403, "AccessDenied", "Authentication requires a valid Date or x-oss-date header.")
        self._check_time(parse_rfc1123(date_value), date_value)
        string_to_sign = v1_string_to_sign(request, date_value)
        expected = base64.b64encode(hmac.new(credential.access_key_secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()).decode(
            "ascii"
        )
        if not hmac.compare_digest(expected.encode("ascii"), parsed.signature.encode("utf-8")):
            raise _signature_mismatch(parsed, string_to_sign, EC_SIGNATURE_V1)

    # --- V4 -----------------------------------------------------------------------------------------------
    def _verify_v4(self, request, parsed, credential, bucket_region):
        date_value = request.headers.get("x-oss-date")
        if not date_value:
            raise OssError(403, "AccessDenied", "V4 authentication requires an x-oss-date header.")
        self._check_time(parse_v4_date(date_value), date_value)
        sign_date, region, product, _terminator = parsed.scope
        if sign_date != date_value[:8]:
            raise invalid_argument("Invalid signing date in Authorization header: %s does not match x-oss-date." % sign_date)
        if product != V4_PRODUCT:
            raise invalid_argument("Invalid signing product in Authorization header: %s." % product)
        if bucket_region is not None and region != bucket_region:
            raise invalid_argument("Invalid signing region in Authorization header: %s, expected %s." % (region, bucket_region))
        if not request.headers.get("x-oss-content-sha256"):
            raise invalid_argument("Missing required header for this request: x-oss-content-sha256.")
        canonical_request = v4_canonical_request(request, parsed.additional_headers)
        string_to_sign = "\n".join([V4_ALGORITHM, date_value, "/".join(parsed.scope), hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()])
        expected = hmac.new(
            v4_signing_key(credential.access_key_secret, sign_date, region, product), string_to_sign.encode("utf-8"), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected.encode("ascii"), parsed.signature.encode("utf-8")):
            raise _signature_mismatch(parsed, string_to_sign, None, canonical_request)


def v1_string_to_sign(request, date_value):
    oss_headers = sorted((name, value) for name, value in request.headers.items() if name.startswith("x-oss-"))
    canonical_headers = "".join("%s:%s\n" % pair for pair in oss_headers)
    resource = "/%s/%s" % (request.bucket, request.key) if request.bucket else "/"
    subresources = sorted((name, value or "") for name, value in request.query_pairs if name in V1_SUBRESOURCES)
    if subresources:
        resource += "?" + "&".join("%s=%s" % (name, value) if value else name for name, value in subresources)
    return "\n".join(
        [request.method, request.headers.get("content-md5", ""), request.headers.get("content-type", ""), date_value, canonical_headers + resource]
    )


def _uri_encode(text, keep_slash=False):
    return quote(text, safe="-_.~/" if keep_slash else "-_.~")


def v4_canonical_request(request, additional_headers):
    uri = _uri_encode("/%s/%s" % (request.bucket, request.key) if request.bucket else "/", keep_slash=True)
    encoded_query = sorted((_uri_encode(name), _uri_encode(value) if value else "") for name, value in request.query_pairs)
    query = "&".join("%s=%s" % (name, value) if value else name for name, value in encoded_query)
    signed = {
        name: value
        for name, value in request.headers.items()
        if name.startswith("x-oss-") or name in ("content-type", "content-md5") or name in additional_headers
    }
    headers = "".join("%s:%s\n" % (name, signed[name]) for name in sorted(signed))
    return "\n".join([request.method, uri, query, headers, ";".join(additional_headers), request.headers.get("x-oss-content-sha256", "")])


def v4_signing_key(secret, sign_date, region, product):
    key = ("aliyun_v4" + secret).encode("utf-8")
    for message in (sign_date, region, product, V4_TERMINATOR):
        key = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
    return key


def _invalid_access_key(access_key_id, ec):
    return OssError(
        403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.", ec=ec, extra=[("OSSAccessKeyId", access_key_id)]
    )


def _signature_mismatch(parsed, string_to_sign, ec, canonical_request=None):
    """SignatureDoesNotMatch carries StringToSign (and, for V4, the CanonicalRequest); neither contains a secret."""
    extra = [
        ("OSSAccessKeyId", parsed.access_key_id),
        ("SignatureProvided", parsed.signature),
        ("StringToSign", string_to_sign),
        ("StringToSignBytes", " ".join("%02X" % byte for byte in string_to_sign.encode("utf-8"))),
    ]
    if canonical_request is not None:
        extra.append(("CanonicalRequest", canonical_request))
    return OssError(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH_MESSAGE, ec=ec, extra=extra)
