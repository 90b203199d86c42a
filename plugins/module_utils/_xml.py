# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Request bodies built with ElementTree; answers parsed with defusedxml only."""

from __future__ import annotations

import traceback
import xml.etree.ElementTree as ET

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssResponseError

try:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError as _DefusedParseError
    from defusedxml.ElementTree import fromstring as _defused_fromstring
except ImportError:
    DEFUSEDXML_IMPORT_ERROR = traceback.format_exc()

    class DefusedXmlException(ValueError):  # type: ignore[no-redef]
        """Stand-in so that except clauses stay valid when defusedxml is missing."""

    _defused_fromstring = None
    _DefusedParseError = ET.ParseError
else:
    DEFUSEDXML_IMPORT_ERROR = None

# Order of CertificateConfiguration children; OSS accepts any order, a fixed one keeps bodies comparable in tests.
_CERT_FIELDS = (
    ("cert_id", "CertId"),
    ("certificate", "Certificate"),
    ("private_key", "PrivateKey"),
    ("previous_cert_id", "PreviousCertId"),
    ("force", "Force"),
    ("delete_certificate", "DeleteCertificate"),
)


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def cname_configuration(domain: str, certificate: dict | None = None, wildcard: bool | None = None) -> bytes:
    """The BucketCnameConfiguration body; only fields that carry a value are written.

    wildcard None leaves IsWildCard out (a standard bucket); an Agentic Bucket needs it stated, true or false. Nothing
    here can write the elements an Agentic Bucket rejects (AccessPointName, AccessPointNameForObjectProcess,
    PurgeConfiguration, ClientCaConfiguration)."""
    root = ET.Element("BucketCnameConfiguration")
    cname = ET.SubElement(root, "Cname")
    ET.SubElement(cname, "Domain").text = domain
    if wildcard is not None:
        ET.SubElement(cname, "IsWildCard").text = _text(wildcard)
    if certificate and certificate.get("delete_certificate") and certificate.get("force") is not None:
        # OSS answers MalformedXML to this pair whatever Force says; refuse it here rather than send it.
        raise ValueError("DeleteCertificate is never sent together with Force")
    fields = [(tag, certificate.get(key)) for key, tag in _CERT_FIELDS] if certificate else []
    fields = [(tag, value) for tag, value in fields if value is not None and value != ""]
    if fields:
        config = ET.SubElement(cname, "CertificateConfiguration")
        for tag, value in fields:
            ET.SubElement(config, tag).text = _text(value)
    return ET.tostring(root, encoding="utf-8")


def parse_document(body: bytes, status: int | None = None, request_id: str | None = None):
    """Parse an answer. Entity declarations and DTDs are refused before anything is expanded."""
    if _defused_fromstring is None:
        raise OssResponseError("The Python library defusedxml is required to read OSS answers.", status, request_id)
    try:
        return _defused_fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        reason = "it declares a DTD or XML entities, which OSS never sends; nothing was expanded"
    # defusedxml 0.7.0 parses with a copy of ElementTree of its own, whose ParseError is another class than ET's.
    except (ET.ParseError, _DefusedParseError, ValueError, TypeError) as exc:
        reason = f"it is not well-formed XML: {_short(exc)}"
    error = OssResponseError(f"OSS answer{_status_text(status)} was refused: {reason}{_request_id_text(request_id)}.", status, request_id)
    error.reason = reason
    raise error


def _status_text(status):
    return f" (HTTP {status})" if status else ""


def _request_id_text(request_id):
    return f"; request id {request_id}" if request_id else ""


def _short(exc) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def child_text(element, tag: str):
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip()


def error_fields(root) -> dict | None:
    """The fields of an <Error> document, or None when the document is something else."""
    if root.tag != "Error" or child_text(root, "Code") is None:
        return None
    fields = {child.tag: (child.text or "").strip() for child in root}
    return {
        "code": fields.pop("Code"),
        "message": fields.pop("Message", ""),
        "request_id": fields.pop("RequestId", None),
        "host_id": fields.pop("HostId", None),
        "ec": fields.pop("EC", None),
        "extra": fields,
    }
