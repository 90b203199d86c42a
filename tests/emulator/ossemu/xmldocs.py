# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request bodies (parsed with defusedxml) and response documents (built with ElementTree) of the CNAME API."""

import dataclasses
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .errors import malformed_xml, to_xml_bytes
from .timefmt import iso8601_ms, rfc1123

_BOOLEANS = {"true": True, "True": True, "false": False, "False": False}
# The PutCname elements an Agentic Bucket refuses with 400 MalformedXML (2026 PutCname documentation).
AGENTIC_REJECTED = ("AccessPointName", "AccessPointNameForObjectProcess", "PurgeConfiguration", "ClientCaConfiguration")
WILDCARD_PREFIX = "*."


def wire_domain(key):
    """A binding or token key (*.example.com for a wildcard) as OSS writes it: the base domain."""
    return key[len(WILDCARD_PREFIX) :] if key.startswith(WILDCARD_PREFIX) else key


@dataclasses.dataclass
class CertificateRequest:
    """PutCname's CertificateConfiguration; None for elements that were absent."""

    cert_id: str = None
    certificate: str = None
    private_key: str = None
    previous_cert_id: str = None
    force: bool = None
    delete_certificate: bool = None


@dataclasses.dataclass
class CnameRequest:
    domain: str
    certificate: CertificateRequest = None
    is_wildcard: bool = None  # None when IsWildCard was absent
    rejected: tuple = ()  # the AGENTIC_REJECTED elements present


def parse_cname_body(body):
    """Parse `<BucketCnameConfiguration><Cname><Domain>...`; anything else is MalformedXML."""
    if not body:
        raise malformed_xml("The request body is empty.")
    try:
        root = SafeET.fromstring(body)
    except (ET.ParseError, DefusedXmlException, ValueError):
        raise malformed_xml()
    cname = root.find("Cname") if root.tag == "BucketCnameConfiguration" else None
    domain = cname.findtext("Domain") if cname is not None else None
    if not domain or not domain.strip():
        raise malformed_xml("BucketCnameConfiguration/Cname/Domain is required.")
    config = cname.find("CertificateConfiguration")
    rejected = tuple(name for name in AGENTIC_REJECTED if cname.find(name) is not None)
    return CnameRequest(domain.strip(), _parse_certificate(config) if config is not None else None, _boolean(cname, "IsWildCard"), rejected)


def peek_domain(body):
    """Best-effort Domain of a body for the request log, a wildcard as *.<domain>; never raises."""
    try:
        cname = parse_cname_body(body)
    except Exception:
        return None
    return (WILDCARD_PREFIX if cname.is_wildcard else "") + cname.domain.lower()


def _parse_certificate(element):
    def text(name):
        value = element.findtext(name)
        return value.strip() if value is not None and value.strip() else None

    return CertificateRequest(
        cert_id=text("CertId"),
        certificate=text("Certificate"),
        private_key=text("PrivateKey"),
        previous_cert_id=text("PreviousCertId"),
        force=_boolean(element, "Force"),
        delete_certificate=_boolean(element, "DeleteCertificate"),
    )


def _boolean(element, name):
    """`true`/`True`/`false`/`False` only; `1` or anything else is MalformedXML, as reported for OSS."""
    child = element.find(name)
    if child is None:
        return None
    value = (child.text or "").strip()
    if value not in _BOOLEANS:
        raise malformed_xml("%s must be true or false." % name)
    return _BOOLEANS[value]


def cname_token_document(token):
    root = ET.Element("CnameToken")
    ET.SubElement(root, "Bucket").text = token.bucket
    ET.SubElement(root, "Cname").text = wire_domain(token.domain)
    ET.SubElement(root, "Token").text = token.token
    ET.SubElement(root, "ExpireTime").text = rfc1123(token.expires)
    return to_xml_bytes(root)


def list_cname_document(bucket):
    root = ET.Element("ListCnameResult")
    ET.SubElement(root, "Bucket").text = bucket.name
    ET.SubElement(root, "Owner").text = bucket.owner
    for key, binding in sorted(bucket.bindings.items()):
        entry = ET.SubElement(root, "Cname")
        ET.SubElement(entry, "Domain").text = wire_domain(key)
        ET.SubElement(entry, "LastModified").text = iso8601_ms(binding.last_modified)
        ET.SubElement(entry, "Status").text = binding.status
        ET.SubElement(entry, "IsPurgeCdnCache").text = "false"
        if key != wire_domain(key):
            # Only wildcard entries carry IsWildCard; exact ones stay as older SDKs know them (ListCname, 2026).
            ET.SubElement(entry, "IsWildCard").text = "true"
        if binding.certificate is not None:
            _certificate_element(entry, binding.certificate)
    return to_xml_bytes(root)


def list_buckets_document(owner, page, prefix, marker, max_keys, truncated):
    """ListAllMyBucketsResult as the ListBuckets documentation describes it: Prefix, Marker, MaxKeys, IsTruncated and
    NextMarker only when the page is truncated (the ossutil documentation says so); Location (oss-<region>) and Region."""
    root = ET.Element("ListAllMyBucketsResult")
    if truncated:
        ET.SubElement(root, "Prefix").text = prefix
        ET.SubElement(root, "Marker").text = marker
        ET.SubElement(root, "MaxKeys").text = str(max_keys)
        ET.SubElement(root, "IsTruncated").text = "true"
        ET.SubElement(root, "NextMarker").text = page[-1].name
    owner_element = ET.SubElement(root, "Owner")
    ET.SubElement(owner_element, "ID").text = owner
    ET.SubElement(owner_element, "DisplayName").text = owner
    buckets = ET.SubElement(root, "Buckets")
    for bucket in page:
        element = ET.SubElement(buckets, "Bucket")
        for name, value in (
            ("CreationDate", "2024-01-01T00:00:00.000Z"),
            ("ExtranetEndpoint", "oss-%s.aliyuncs.com" % bucket.region),
            ("IntranetEndpoint", "oss-%s-internal.aliyuncs.com" % bucket.region),
            ("Location", "oss-%s" % bucket.region),
            ("Name", bucket.name),
            ("Region", bucket.region),
            ("StorageClass", "Standard"),
        ):
            ET.SubElement(element, name).text = value
    return to_xml_bytes(root)


def _certificate_element(parent, bound):
    """Only the seven public fields: ListCname never returns PEM or keys."""
    record = bound.record
    element = ET.SubElement(parent, "Certificate")
    for name, value in (
        ("Type", record.type),
        ("CertId", record.cert_id),
        ("Status", record.status),
        ("CreationDate", bound.creation_date),
        ("Fingerprint", record.fingerprint),
        ("ValidStartDate", record.valid_start_date),
        ("ValidEndDate", record.valid_end_date),
    ):
        ET.SubElement(element, name).text = value
