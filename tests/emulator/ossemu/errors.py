# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OSS error documents: an exception carrying everything the `<Error>` body needs."""

import xml.etree.ElementTree as ET

MALFORMED_XML_MESSAGE = "The XML you provided was not well-formed or did not validate against our published schema."


class OssError(Exception):
    """An OSS error answer. `extra` holds the additional child elements (Bucket, Cname, StringToSign, ...) in order."""

    def __init__(self, status, code, message, ec=None, extra=None):
        super().__init__("%s %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.ec = ec
        self.extra = list(extra or [])


def malformed_xml(detail=None):
    message = MALFORMED_XML_MESSAGE if not detail else "%s %s" % (MALFORMED_XML_MESSAGE, detail)
    return OssError(400, "MalformedXML", message)


def invalid_argument(message, ec=None, extra=None):
    return OssError(400, "InvalidArgument", message, ec=ec, extra=extra)


def error_document(error, request_id, host_id):
    """Serialise an OssError the way OSS does: Code, Message, RequestId, HostId, extras, EC, RecommendDoc."""
    root = ET.Element("Error")
    ET.SubElement(root, "Code").text = error.code
    ET.SubElement(root, "Message").text = error.message
    ET.SubElement(root, "RequestId").text = request_id
    ET.SubElement(root, "HostId").text = host_id
    for name, value in error.extra:
        ET.SubElement(root, name).text = value
    if error.ec:
        ET.SubElement(root, "EC").text = error.ec
        ET.SubElement(root, "RecommendDoc").text = "https://api.aliyun.com/troubleshoot?q=%s" % error.ec
    return to_xml_bytes(root)


def to_xml_bytes(root):
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
