# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Property tests: every answer parser and every input check ends in a result or the collection's typed error.

Whatever OSS (or a proxy in front of it) answers, and whatever a playbook passes, the code under test returns a
value or raises an OssError subclass: never another exception, which a module would turn into "Unexpected error".
Examples are bounded and derandomized, so the file runs in seconds and the same way every time.
"""

from __future__ import annotations

import base64
import datetime
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ansible_collections.alicloud.oss.plugins.module_utils import _cname_api, _pem, _validation
from ansible_collections.alicloud.oss.plugins.module_utils._client import OssResponse, _error_from
from ansible_collections.alicloud.oss.plugins.module_utils._dates import days_until, iso_or_none, parse_oss_date, seconds_until
from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import Endpoint, normalize_region, resolve_endpoint
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssError, OssServiceError
from ansible_collections.alicloud.oss.plugins.module_utils._xml import parse_document

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime.datetime(2025, 4, 17, 15, 39, 12, tzinfo=datetime.timezone.utc)

# --- strategies ---------------------------------------------------------------------------------------------------

WEEKDAYS = ("Mon", "Tue", "Tues", "Wed", "Thu", "Fri", "Sat", "Sun", "Xyz")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo")
ZONES = ("GMT", "UTC", "Z", "+0000", "+0800", "-0100", "-1200", "+1400", "", "EST", "+9999")


@st.composite
def date_texts(draw, max_year: int = 9998):
    """Dates in the shapes OSS writes (RFC 1123, OpenSSL style, ISO 8601), with numbers in and out of range."""
    year = draw(st.integers(0, max_year) | st.integers(max_year + 1, 99999))
    day, hour, minute, second = (draw(st.integers(0, 40)), draw(st.integers(0, 30)), draw(st.integers(0, 70)), draw(st.integers(0, 70)))
    month, weekday, zone = draw(st.sampled_from(MONTHS)), draw(st.sampled_from(WEEKDAYS)), draw(st.sampled_from(ZONES))
    shapes = (
        f"{weekday}, {day} {month} {year} {hour:02d}:{minute:02d}:{second:02d} {zone}",
        f"{weekday}, {day:02d} {month} {year:04d} {hour:02d}:{minute:02d}:{second:02d} {zone}",
        f"{month} {day} {hour:02d}:{minute:02d}:{second:02d} {year} {zone}",
        f"{year:04d}-{day:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{draw(st.integers(0, 9999))}Z",
        f"{year:04d}-{day:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z",
    )
    return draw(st.sampled_from(shapes))


# Text that XML can carry (no control characters); the parsers also get arbitrary bytes through BODIES.
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
# Year 9999 with a negative offset is left to test_parse_oss_date_at_the_end_of_time (a known bug).
DATES = date_texts() | SAFE_TEXT

TAGS = (
    "Error",
    "Code",
    "Message",
    "RequestId",
    "HostId",
    "EC",
    "ListCnameResult",
    "Bucket",
    "Owner",
    "Cname",
    "Domain",
    "Status",
    "LastModified",
    "IsPurgeCdnCache",
    "IsWildCard",
    "Certificate",
    "Type",
    "CertId",
    "Fingerprint",
    "CreationDate",
    "ValidStartDate",
    "ValidEndDate",
    "CnameToken",
    "Token",
    "ExpireTime",
    "CnameType",
    "x",
    "ns:Weird",
)
TEXTS = st.one_of(DATES, st.sampled_from(("true", "false", "TRUE", "", " ", "NoSuchCname", "CnameTokenNotFound")))
REQUEST_IDS = st.none() | st.from_regex(r"\A[0-9A-Za-z-]{0,32}\Z")


def _element(children):
    return st.builds(
        lambda tag, body: f"<{tag}>{body}</{tag}>", st.sampled_from(TAGS), st.one_of(TEXTS.map(escape), st.lists(children, max_size=4).map("".join))
    )


ELEMENTS = st.recursive(TEXTS.map(escape), _element, max_leaves=25)
PROLOGS = st.sampled_from(
    (
        "",
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="latin-1"?>',
        '<!DOCTYPE Error [<!ENTITY a "aaaa">]>',
        '<!DOCTYPE x SYSTEM "http://127.0.0.1/x.dtd">',
        '<?xml version="1.0"?><!DOCTYPE ListCnameResult [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    )
)


@st.composite
def documents(draw):
    """Mostly well-formed documents with the tags OSS uses; sometimes cut short, prefixed with junk, or with a DTD."""
    root = draw(st.sampled_from(("Error", "ListCnameResult", "CnameToken", "html", "Other")))
    body = "".join(draw(st.lists(ELEMENTS, max_size=6)))
    text = f"{draw(PROLOGS)}<{root}>{body}</{root}>"
    if draw(st.booleans()) and draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=8)) + data
    return data


BODIES = documents() | st.binary(max_size=200) | st.just(b"")

# --- answer parsers ---------------------------------------------------------------------------------------------


@PROPERTY
@given(BODIES, st.none() | st.integers(100, 599), REQUEST_IDS)
def test_parse_document_returns_an_element_or_a_response_error(body, status, request_id):
    try:
        root = parse_document(body, status, request_id)
    except OssError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(root.tag, str)


@PROPERTY
@given(st.integers(100, 599), BODIES, st.none() | st.text(max_size=40), st.none() | st.text(max_size=30))
def test_error_from_always_builds_a_typed_error(status, body, content_type, request_id):
    headers = {"content-type": content_type} if content_type is not None else {}
    error = _error_from(OssResponse(status, headers, body, request_id, 1))
    assert isinstance(error, OssError)
    assert isinstance(str(error), str)
    if isinstance(error, OssServiceError):
        assert error.describe()
        assert isinstance(error.to_dict(), dict)


class FakeClient:
    """Answers every request with the same response, or raises the same error."""

    def __init__(self, response=None, error=None):
        self.response = response
        self.error = error

    def request(self, operation, method, bucket, query, body=None):
        if self.error is not None:
            raise self.error
        return self.response


def _call_every_operation(client):
    for call in (
        lambda: _cname_api.list_cname(client, "demo-bucket", now=NOW),
        lambda: _cname_api.get_cname_token(client, "demo-bucket", "www.example.com", now=NOW),
        lambda: _cname_api.create_cname_token(client, "demo-bucket", "www.example.com", now=NOW),
        lambda: _cname_api.delete_cname(client, "demo-bucket", "www.example.com"),
        lambda: _cname_api.put_cname(client, "demo-bucket", "www.example.com"),
    ):
        try:
            call()
        except OssError:
            pass


@PROPERTY
@given(BODIES, st.integers(200, 299), st.none() | st.text(max_size=30))
def test_cname_api_parses_any_answer_into_data_or_a_typed_error(body, status, request_id):
    _call_every_operation(FakeClient(OssResponse(status, {}, body, request_id, 1)))


@PROPERTY
@given(
    st.lists(st.tuples(st.sampled_from(("Domain", "Status", "LastModified", "IsPurgeCdnCache", "IsWildCard")), TEXTS), max_size=5),
    st.lists(st.tuples(st.sampled_from(("Type", "CertId", "Status", "Fingerprint", "CreationDate", "ValidStartDate", "ValidEndDate")), TEXTS), max_size=7),
    st.booleans(),
)
def test_list_cname_reads_any_well_formed_listing(fields, certificate_fields, with_certificate):
    """Well-formed listings whatever their values: the result is data, with dates that parse or are None."""
    inner = "".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in fields)
    if with_certificate:
        inner += "<Certificate>" + "".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in certificate_fields) + "</Certificate>"
    body = f"<ListCnameResult><Bucket>demo-bucket</Bucket><Owner>1</Owner><Cname>{inner}</Cname></ListCnameResult>".encode("utf-8")
    listing = _cname_api.list_cname(FakeClient(OssResponse(200, {}, body, "rid", 1)), "demo-bucket", now=NOW)
    assert len(listing["cnames"]) == 1
    certificate = listing["cnames"][0]["certificate"]
    if certificate is not None:
        assert certificate["days_to_expiry"] is None or isinstance(certificate["days_to_expiry"], int)


@PROPERTY
@given(st.text(max_size=30), st.text(max_size=60), st.integers(300, 599))
def test_cname_api_passes_service_errors_on_typed(code, message, status):
    _call_every_operation(FakeClient(error=OssServiceError(status, code, message, "rid")))


@PROPERTY
@given(DATES | st.text(max_size=40) | st.none() | st.integers() | st.binary(max_size=10))
def test_parse_oss_date_returns_an_aware_utc_datetime_or_none(value):
    parsed = parse_oss_date(value)
    assert parsed is None or parsed.utcoffset() == datetime.timedelta(0)
    iso = iso_or_none(value)
    assert iso is None or iso.endswith("Z")
    assert seconds_until(value, NOW) is None or isinstance(seconds_until(value, NOW), int)
    assert days_until(value, NOW) is None or isinstance(days_until(value, NOW), int)


def test_parse_oss_date_at_the_end_of_time():
    # Found by the property test above: astimezone() overflowed and escaped as an unexpected error.
    parsed = parse_oss_date("Fri, 31 Dec 9999 23:59:59 -0100")
    assert parsed is None or parsed.year == 9999


# --- input checks -----------------------------------------------------------------------------------------------

ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.binary(max_size=10),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
LABELS = st.from_regex(r"\A[a-zA-Z0-9*_ü-]{0,70}\Z")
DOMAIN_LIKE = st.lists(LABELS, min_size=1, max_size=6).map(".".join).map(lambda name: name + ("." if len(name) % 3 == 0 else ""))
BUCKET_HOSTS = st.builds("{}.oss-{}.aliyuncs.com".format, st.text(max_size=8), st.text(max_size=8))
BUCKET_LIKE = st.from_regex(r"\A[a-zA-Z0-9_.-]{0,70}\Z") | BUCKET_HOSTS


@PROPERTY
@given(BUCKET_LIKE | st.text(max_size=80) | ANY_VALUE)
def test_validate_bucket(value):
    try:
        name = _validation.validate_bucket(value)
    except OssConfigError as exc:
        assert exc.option == "bucket"
    else:
        assert name == value and 3 <= len(name) <= 63 and name[0] != "-" and name[-1] != "-"


@PROPERTY
@given(DOMAIN_LIKE | st.text(max_size=80) | ANY_VALUE)
@example("ü" * 70 + ".example.com")
@example("a" * 64 + ".example.com")
@example("..")
def test_normalize_domain(value):
    try:
        domain = _validation.normalize_domain(value)
    except OssConfigError as exc:
        assert exc.option == "domain"
    else:
        assert domain.isascii() and domain == domain.lower() and not domain.endswith(".") and len(domain) <= 253
        assert all(0 < len(label) <= 63 for label in domain.split("."))


@PROPERTY
@given(st.lists(DOMAIN_LIKE | ANY_VALUE, max_size=4) | ANY_VALUE)
def test_normalize_domains(value):
    try:
        domains = _validation.normalize_domains(value)
    except OssConfigError as exc:
        assert exc.option.startswith("domains")
    else:
        assert len(domains) == len(set(domains))


@PROPERTY
@given(st.from_regex(r"\A[0-9]{0,10}(-[a-z0-9]{0,12}){0,3}\Z") | st.text(max_size=30) | ANY_VALUE)
def test_validate_cert_id(value):
    try:
        assert _validation.validate_cert_id(value)
    except OssConfigError as exc:
        assert exc.option == "cert_id"


PEM_LABELS = st.sampled_from(
    ("CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PUBLIC KEY", "CERTIFICATE REQUEST", "X")
)
PEM_BODIES = st.one_of(
    st.binary(max_size=120).map(lambda data: base64.encodebytes(data).decode("ascii")),
    st.binary(min_size=15, max_size=120).map(lambda data: base64.encodebytes(b"\x30" + data).decode("ascii")),
    st.text(max_size=60),
)


@st.composite
def pem_texts(draw):
    blocks = []
    for _block in range(draw(st.integers(0, 3))):
        label = draw(PEM_LABELS)
        headers = draw(st.sampled_from(("", "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n")))
        blocks.append(f"-----BEGIN {label}-----\n{headers}{draw(PEM_BODIES)}-----END {label}-----\n")
    return draw(st.text(max_size=10)) + "".join(blocks) + draw(st.text(max_size=10))


@PROPERTY
@given(pem_texts() | ANY_VALUE)
def test_parse_certificate_pem(value):
    try:
        pem = _pem.parse_certificate_pem(value)
    except OssConfigError as exc:
        assert exc.option == "certificate"
    else:
        assert pem.count >= 1 and len(pem.fingerprint) == 59


@PROPERTY
@given(pem_texts() | ANY_VALUE)
def test_check_private_key_pem(value):
    try:
        key = _pem.check_private_key_pem(value)
    except OssConfigError as exc:
        assert exc.option == "private_key"
        # The message must never quote the key it refuses.
        assert not isinstance(value, str) or len(value) < 40 or value not in str(exc)
    else:
        assert key.startswith("-----BEGIN ") and key.endswith("-----\n")


@PROPERTY
@given(st.text(max_size=80) | ANY_VALUE)
def test_normalize_fingerprint(value):
    assert set(_validation.normalize_fingerprint(value)) <= set("0123456789ABCDEF")


REGION_LIKE = st.from_regex(r"\A(oss-)?[a-z]{0,4}(-[a-z0-9]{0,8}){0,3}(-internal)?\Z")


@PROPERTY
@given(REGION_LIKE | st.text(max_size=30) | ANY_VALUE)
def test_normalize_region(value):
    try:
        region = normalize_region(value)
    except OssConfigError as exc:
        assert exc.option == "region"
    else:
        assert region is None or (region == region.lower() and not region.startswith("oss-"))


HOSTS = st.one_of(
    st.sampled_from(
        (
            "127.0.0.1",
            "[::1]",
            "[::1",
            "::1",
            "localhost",
            "oss.localhost",
            "oss-cn-hangzhou.aliyuncs.com",
            "oss-cn-hangzhou-internal.aliyuncs.com",
            "cn-hangzhou.oss.aliyuncs.com",
            "oss-accelerate.aliyuncs.com",
            "bücher.example",
            "",
            "user:pass@host",
            "host:",
            "[v1.x]",
            "%zz",
        )
    ),
    st.from_regex(r"\A[a-z0-9.\-\[\]:]{0,30}\Z"),
    st.text(max_size=20),
)
ENDPOINTS = st.builds(
    lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
    st.sampled_from(("", "http://", "https://", "ftp://", "HTTPS://", "://", "http:/")),
    HOSTS,
    st.sampled_from(("", ":80", ":0", ":65536", ":-1", ":abc", ":")) | st.integers(0, 99999).map(":{}".format),
    st.sampled_from(("", "/", "/path", "?q=1", "#frag")),
)


@PROPERTY
@given(
    st.none() | REGION_LIKE | st.text(max_size=20), st.none() | ENDPOINTS | st.text(max_size=40) | st.integers(), st.sampled_from(("auto", "virtual", "path"))
)
def test_resolve_endpoint(region, endpoint, addressing_style):
    try:
        resolved = resolve_endpoint(region, endpoint, addressing_style)
    except OssConfigError as exc:
        assert exc.option in ("region", "endpoint")
    else:
        assert isinstance(resolved, Endpoint) and resolved.scheme in ("http", "https") and resolved.host
        assert resolved.bucket_url("demo-bucket", "cname").startswith(resolved.scheme + "://")
        assert resolved.region is None or resolved.region == normalize_region(resolved.region)
