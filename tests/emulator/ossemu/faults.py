# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection: a queue of faults, each answering the next N matching OSS or DNS requests in a broken way.

A fault matches OSS requests unless it names the service `alidns` or a DNS action as its operation, so the fault
specs written before the DNS API existed keep hitting OSS only.
"""

import dataclasses
import json
import os
import threading

from .errors import OssError, error_document

KINDS = ("status", "drop", "drop_after_apply", "html", "garbage", "truncated", "bomb", "delay")
OPERATIONS = ("CreateCnameToken", "GetCnameToken", "PutCname", "ListCname", "DeleteCname", "Unknown")
DNS_OPERATIONS = (
    "DescribeDomains",
    "DescribeSubDomainRecords",
    "DescribeDomainRecords",
    "DescribeDomainRecordInfo",
    "AddDomainRecord",
    "UpdateDomainRecord",
    "DeleteDomainRecord",
    "DeleteSubDomainRecords",
)
SERVICES = ("oss", "alidns")
# Kinds that run the real operation before (mis)answering; the others answer instead of it.
APPLIED_BY_DEFAULT = ("drop_after_apply", "delay")
DEFAULT_STATUS = {"status": 503, "html": 502, "garbage": 500, "truncated": 200, "bomb": 200}
DEFAULT_CODES = {500: "InternalError", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout"}
DNS_DEFAULT_CODES = {429: "Throttling.User", 500: "InternalError", 503: "ServiceUnavailable"}
MESSAGES = {
    "Throttling": "Please reduce your request rate.",
    "ServiceUnavailable": "Please reduce your request rate.",
    "InternalError": "We encountered an internal error. Please try again.",
    "Throttling.User": "Request was denied due to user flow control.",
}
ROOT_ELEMENTS = {"CreateCnameToken": "CnameToken", "GetCnameToken": "CnameToken", "ListCname": "ListCnameResult"}
MAX_DELAY_MS = 60000


class FaultError(ValueError):
    pass


@dataclasses.dataclass
class Fault:
    kind: str
    count: int = 1
    operation: str = None
    status: int = None
    code: str = None
    delay_ms: int = 0
    apply: bool = None
    service: str = None

    def matches(self, service, operation):
        return self.service == service and self.operation in (None, operation)

    def as_dict(self):
        return dataclasses.asdict(self)


def fault_from_spec(spec):
    """Build a Fault from the control endpoint's JSON (or the CLI's --fault), rejecting nonsense early."""
    if not isinstance(spec, dict):
        raise FaultError("a fault must be a JSON object")
    unknown = set(spec) - {field.name for field in dataclasses.fields(Fault)}
    if unknown:
        raise FaultError("unknown fault field(s): %s" % ", ".join(sorted(unknown)))
    fault = Fault(**spec)
    _check(fault.kind in KINDS, "kind must be one of %s" % ", ".join(KINDS))
    _check(isinstance(fault.count, int) and fault.count >= 1, "count must be a positive integer")
    if fault.service is None:
        fault.service = "alidns" if fault.operation in DNS_OPERATIONS else "oss"
    _check(fault.service in SERVICES, "service must be one of %s" % ", ".join(SERVICES))
    operations = OPERATIONS if fault.service == "oss" else DNS_OPERATIONS
    _check(fault.operation is None or fault.operation in operations, "operation must be one of %s" % ", ".join(operations))
    _check(isinstance(fault.delay_ms, int) and 0 <= fault.delay_ms <= MAX_DELAY_MS, "delay_ms must be 0..%d" % MAX_DELAY_MS)
    if fault.status is None:
        fault.status = DEFAULT_STATUS.get(fault.kind)
    _check(fault.status is None or (isinstance(fault.status, int) and 100 <= fault.status <= 599), "status must be an HTTP status")
    if fault.apply is None:
        fault.apply = fault.kind in APPLIED_BY_DEFAULT
    _check(isinstance(fault.apply, bool), "apply must be true or false")
    if fault.kind == "status" and not fault.code:
        fault.code = (DEFAULT_CODES if fault.service == "oss" else DNS_DEFAULT_CODES).get(fault.status, "ServiceUnavailable")
    return fault


def _check(condition, message):
    if not condition:
        raise FaultError(message)


class FaultQueue:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)

    def clear(self):
        with self._lock:
            self._faults.clear()

    def pending(self):
        with self._lock:
            return [fault.as_dict() for fault in self._faults]

    def take(self, operation, service="oss"):
        """Consume one use of the first fault matching `service` and `operation`; return a copy of it, or None."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(service, operation):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return dataclasses.replace(fault, count=1)
        return None


@dataclasses.dataclass
class BrokenAnswer:
    """What to send instead of the real answer: status, content type and body bytes; `drop` closes silently."""

    status: int = 0
    content_type: str = None
    body: bytes = b""
    code: str = None
    drop: bool = False


def broken_answer(fault, operation, real_body, request_id, host_id):
    """The answer for a body-level fault; `real_body` is the operation's own answer when it was applied."""
    if fault.kind in ("drop", "drop_after_apply"):
        return BrokenAnswer(drop=True)
    if fault.kind == "status":
        message = MESSAGES.get(fault.code, "Injected fault.")
        return BrokenAnswer(fault.status, "application/xml", error_document(OssError(fault.status, fault.code, message), request_id, host_id), fault.code)
    if fault.kind == "html":
        return BrokenAnswer(fault.status, "text/html", _html_page(fault.status))
    if fault.kind == "garbage":
        # A leading NUL guarantees no XML parser mistakes this for a document.
        return BrokenAnswer(fault.status, "application/xml", b"\x00\xff" + os.urandom(62))
    if fault.kind == "truncated":
        document = real_body or _sample_document(operation, host_id)
        return BrokenAnswer(fault.status, "application/xml", document[: max(1, len(document) // 2)])
    if fault.kind == "bomb":
        return BrokenAnswer(fault.status, "application/xml", _entity_bomb(ROOT_ELEMENTS.get(operation, "Error")))
    raise FaultError("fault kind %s has no broken answer" % fault.kind)


def broken_dns_answer(fault, real_body, error_body):
    """The DNS API's version of broken_answer: JSON where OSS has XML. `error_body(code, message)` makes its error."""
    if fault.kind in ("drop", "drop_after_apply"):
        return BrokenAnswer(drop=True)
    if fault.kind == "status":
        return BrokenAnswer(fault.status, "application/json;charset=utf-8", error_body(fault.code, MESSAGES.get(fault.code, "Injected fault.")), fault.code)
    if fault.kind == "html":
        return BrokenAnswer(fault.status, "text/html", _html_page(fault.status))
    if fault.kind == "garbage":
        return BrokenAnswer(fault.status, "application/json;charset=utf-8", b"\x00\xff" + os.urandom(62))
    if fault.kind == "truncated":
        document = real_body or json.dumps({"RequestId": "TRUNCATED", "TotalCount": 0}).encode("utf-8")
        return BrokenAnswer(fault.status, "application/json;charset=utf-8", document[: max(1, len(document) // 2)])
    if fault.kind == "bomb":
        # JSON's bomb: nesting deep enough to exhaust a recursive parser.
        return BrokenAnswer(fault.status, "application/json;charset=utf-8", b"[" * 100000 + b"]" * 100000)
    raise FaultError("fault kind %s has no broken answer" % fault.kind)


def _html_page(status):
    title = "%d %s" % (status, "Bad Gateway" if status == 502 else "Error")
    return (
        "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n"
        "<hr><center>emulated proxy</center>\r\n</body>\r\n</html>\r\n" % (title, title)
    ).encode("ascii")


def _sample_document(operation, host_id):
    root = ROOT_ELEMENTS.get(operation, "Error")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<%s>\n  <Bucket>%s</Bucket>\n  <Cname>example.com</Cname>\n</%s>\n' % (root, host_id.split(".")[0], root)
    ).encode("utf-8")


def _entity_bomb(root):
    """The classic "billion laughs": nested entities that expand to gigabytes in a naive parser."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<!DOCTYPE %s [" % root, '  <!ENTITY lol0 "lol">']
    lines += ['  <!ENTITY lol%d "%s">' % (level, ("&lol%d;" % (level - 1)) * 10) for level in range(1, 10)]
    lines += ["]>", "<%s><Bucket>&lol9;</Bucket></%s>" % (root, root)]
    return "\n".join(lines).encode("utf-8")
