# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The Alibaba Cloud DNS client (alidns, API 2015-01-09): RPC calls signed like the STS ones, JSON answers, typed errors.

Requests go through the one HttpTransport; each attempt is signed afresh (new nonce and timestamp). Every message
built here is scrubbed of the credentials' secrets (see _redact): a SignatureDoesNotMatch answer echoes the string
to sign, and that holds the security token.
"""

from __future__ import annotations

import random
import time
from typing import NamedTuple

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssError, OssTransportError
from ansible_collections.alicloud.oss.plugins.module_utils._http import HttpTransport, attempts_note, json_object, service_url
from ansible_collections.alicloud.oss.plugins.module_utils._redact import server_text
from ansible_collections.alicloud.oss.plugins.module_utils._rpc import common_params, signed_get

ALIDNS_VERSION = "2015-01-09"
DEFAULT_DNS_ENDPOINT = "https://alidns.aliyuncs.com"
PAGE_SIZE = 100
# 100 000 domains or records of one name: far beyond any account; a server that pages forever is stopped here.
MAX_PAGES = 1000
# Besides HTTP 429 and 5xx, which the transport retries whatever the code.
RETRY_CODES = frozenset(("Throttling", "Throttling.User", "Throttling.Api", "InternalError", "ServiceUnavailable", "LastOperationNotFinished"))
# How many of the account's domains a "no zone holds the record" message names.
MAX_NAMED_DOMAINS = 20


class DnsRecord(NamedTuple):
    record_id: str | None
    rr: str
    type: str
    value: str
    ttl: int
    status: str | None
    line: str
    priority: int | None = None

    def as_result(self) -> dict:
        result = {"record_id": self.record_id, "value": self.value, "ttl": self.ttl, "status": self.status}
        if self.type == "MX":
            result["priority"] = self.priority
        return result


class AlidnsError(OssError):
    """Alibaba Cloud DNS refused a request, or answered something unusable; carries what it said (never a secret)."""

    answered = True

    def __init__(self, action: str, status: int | None, code=None, message=None, request_id=None, host_id=None, attempts: int = 1, said=None):
        self.action = action
        self.status = status
        self.code = code
        self.server_message = message
        self.request_id = request_id
        self.host_id = host_id
        self.attempts = attempts
        # For an answer without an error document: what was wrong with it, in words.
        self.said = said
        super().__init__(self.describe())

    @property
    def error_message(self) -> str:
        return self.server_message or self.said or ""

    @property
    def hint(self) -> str:
        if self.code in ("Forbidden.RAM", "Forbidden", "NoPermission"):
            return f"Grant the RAM action alidns:{self.action} to these credentials."
        return _HINTS.get(self.code or "", "")

    def describe(self) -> str:
        """One line: the action, the code and status, the service's words, a hint and the request id."""
        attempts = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        if self.code:
            text = f"Alibaba Cloud DNS refused {self.action}{attempts}: {self.code} (HTTP {self.status}): {(self.server_message or '').rstrip('.')}."
        else:
            text = f"Unusable Alibaba Cloud DNS answer to {self.action}{attempts}: {self.said}."
        for part in (self.hint, f"Request id {self.request_id}." if self.request_id else ""):
            if part:
                text += f" {part}"
        return text


class AlidnsUnreachable(OssError):
    """No answer from Alibaba Cloud DNS at all (connection refused, timeout, TLS failure); it has no ``error`` value."""

    def __init__(self, message: str, attempts: int):
        super().__init__(message)
        self.attempts = attempts


_HINTS = {
    "SignatureDoesNotMatch": "Check that access_key_secret belongs to access_key_id, and that nothing rewrites requests on the way.",
    "IncompleteSignature": "Check that access_key_secret belongs to access_key_id.",
    "InvalidAccessKeyId.NotFound": "The AccessKey ID is unknown: check access_key_id and where it was read from.",
    "InvalidAccessKeyId.Inactive": "The AccessKey is disabled: enable it in the RAM console or use another one.",
    "InvalidSecurityToken.Expired": "The STS security token has expired: obtain fresh temporary credentials.",
    "InvalidSecurityToken.MismatchWithAccessKey": "The security token was not issued with this AccessKey ID: pass the token of the same key pair.",
    "InvalidTimeStamp.Expired": "The clock of the host running the module is far off: synchronise it (for example with chrony).",
    "InvalidDomainName.NoExist": "The zone is not a domain of this Alibaba Cloud DNS account: check zone, or leave it out to have it found.",
    "IncorrectDomainUser": "The zone belongs to another account, or is not a domain of this one: check zone and the credentials.",
    "DomainRecordConflict": "A CNAME record cannot share its name with records of other types (A, AAAA, MX, TXT...): remove those first.",
    "DomainRecordLocked": "The record is locked in Alibaba Cloud DNS: unlock it in the console first.",
    "QuotaExceeded.TTL": "The TTL is below the minimum of the DNS edition (600 s on the Free and Personal editions): raise ttl.",
}


class DnsTransport(HttpTransport):
    """The one transport, worded for dns_endpoint; its URLs carry the security token, so failures never quote one."""

    unresolved_hint = "; check dns_endpoint"
    plain_http_hint = ": for a server that speaks plain HTTP (a local emulator), write http:// in dns_endpoint; otherwise give the port of its HTTPS service"
    hide_urls = True


class AlidnsClient:
    """The five calls a record set needs, each signed for every attempt with the given credentials."""

    def __init__(
        self,
        endpoint: str,
        credentials,
        timeout: float = 30.0,
        retries: int = 4,
        validate_certs: bool = True,
        session=None,
        sleep=time.sleep,
        jitter=random.random,
        clock=None,
        nonce=None,
    ):
        self.url = dns_url(endpoint)
        self.credentials = credentials
        self.transport = DnsTransport(timeout, retries, validate_certs, session, sleep, jitter, pool_size=1)
        self._clock = clock or _utc_now
        self._nonce = nonce or _uuid4
        self._secrets = tuple(getattr(credentials, "secrets", ())) + (credentials.access_key_secret, credentials.security_token)

    @property
    def request_count(self) -> int:
        return self.transport.request_count

    def close(self):
        self.transport.close()

    def call(self, action: str, **params) -> dict:
        """One action; returns its JSON answer, or raises AlidnsError / AlidnsUnreachable. Empty parameters are not sent."""

        def prepare():
            fields = dict(common_params(action, ALIDNS_VERSION, self._clock()), **params)
            return signed_get(self.url, fields, self.credentials, self._nonce())

        try:
            answer = self.transport.send(prepare, retry_if=_retryable, secrets=self._secrets)
        except OssTransportError as exc:
            raise AlidnsUnreachable(f"Could not reach Alibaba Cloud DNS for {action}: {exc}{attempts_note(exc.attempts)}.", exc.attempts) from None
        document = json_object(answer.body)
        if answer.status != 200:
            raise _refusal(action, answer, document, self._secrets)
        if document is None:
            raise AlidnsError(action, answer.status, attempts=answer.attempts, said=f"HTTP 200 with a body that is not a JSON object ({_content_type(answer)})")
        return document

    def domains(self) -> list:
        """Every domain of the account (DescribeDomains, all pages), lower case; an IDN also in its ASCII form."""
        names = []
        for domain in self._pages("DescribeDomains", "Domains", "Domain"):
            for field in ("DomainName", "PunyCode"):
                name = normalize_name(domain.get(field))
                if name and name not in names:
                    names.append(name)
        return names

    def records(self, zone: str, name: str, record_type: str) -> list:
        """The records of one name and type in zone (DescribeSubDomainRecords, all pages), in the service's order.

        DomainName is always sent: without it the service takes the last two labels of the name as the zone, which
        is wrong for a zone such as cdn.example.org."""
        found = self._pages("DescribeSubDomainRecords", "DomainRecords", "Record", SubDomain=name, DomainName=zone, Type=record_type)
        records = [_record(fields, record_type) for fields in found]
        # Filtered here too: a server that ignores Type must not have this module rewrite another type's records.
        return [record for record in records if record.type == record_type]

    def add_record(self, zone: str, rr: str, record_type: str, value: str, ttl: int, priority: int | None = None) -> str | None:
        document = self.call("AddDomainRecord", DomainName=zone, RR=rr, Type=record_type, Value=value, TTL=str(ttl), Priority=_text(priority))
        return _text(document.get("RecordId"))

    def update_record(self, record_id: str, rr: str, record_type: str, value: str, ttl: int, priority: int | None = None):
        # TTL always: the service rewrites every field of the record, and an omitted TTL would become 600.
        self.call("UpdateDomainRecord", RecordId=record_id, RR=rr, Type=record_type, Value=value, TTL=str(ttl), Priority=_text(priority))

    def delete_record(self, record_id: str):
        self.call("DeleteDomainRecord", RecordId=record_id)

    def _pages(self, action: str, container: str, item: str, **params) -> list:
        items = []
        for page in range(1, MAX_PAGES + 1):
            document = self.call(action, PageNumber=str(page), PageSize=str(PAGE_SIZE), **params)
            found = _page_items(action, document, container, item)
            items.extend(found)
            if not found or len(items) >= _total(document):
                return items
        raise AlidnsError(action, 200, said=f"the service kept announcing more entries after {MAX_PAGES} pages of {PAGE_SIZE}")


def dns_url(endpoint: str) -> str:
    return service_url(endpoint or DEFAULT_DNS_ENDPOINT, "dns_endpoint", example=DEFAULT_DNS_ENDPOINT)


def normalize_name(value) -> str:
    """A DNS name as the service and this module compare them: lower case, without the trailing dot."""
    return str(value or "").strip().lower().rstrip(".")


def zone_of(record: str, zones) -> str | None:
    """The longest zone that record is or lies under, on a label boundary (xexample.com is not under example.com)."""
    holding = [zone for zone in zones if record == zone or record.endswith("." + zone)]
    return max(holding, key=len) if holding else None


def relative_name(record: str, zone: str) -> str:
    """The RR of record in zone: '@' for the zone's apex."""
    return "@" if record == zone else record[: -len(zone) - 1]


def no_zone_message(record: str, zones) -> str:
    if not zones:
        return f"No zone holds {record}: the Alibaba Cloud DNS account of these credentials has no domain. Add the domain, or check the credentials."
    named = ", ".join(sorted(zones)[:MAX_NAMED_DOMAINS])
    more = f" and {len(zones) - MAX_NAMED_DOMAINS} more" if len(zones) > MAX_NAMED_DOMAINS else ""
    return f"No zone of the Alibaba Cloud DNS account holds {record}; its {len(zones)} domain(s): {named}{more}. Set zone, or add the domain to the account."


def _retryable(answer) -> bool:
    code = str((json_object(answer.body) or {}).get("Code") or "")
    return code in RETRY_CODES or code.startswith("Throttling.")


def _refusal(action, answer, document, secrets) -> AlidnsError:
    request_id = answer.headers.get("x-acs-request-id")
    if document is None or not document.get("Code"):
        said = f"HTTP {answer.status} with a body that is not an error document ({_content_type(answer)})"
        return AlidnsError(action, answer.status, request_id=_text((document or {}).get("RequestId")) or request_id, attempts=answer.attempts, said=said)
    return AlidnsError(
        action,
        answer.status,
        server_text(document.get("Code"), secrets),
        server_text(document.get("Message"), secrets),
        _text(document.get("RequestId")) or request_id,
        _text(document.get("HostId")),
        answer.attempts,
    )


def _content_type(answer) -> str:
    return answer.headers.get("content-type", "").split(";")[0] or "no content type"


def _page_items(action, document, container, item) -> list:
    holder = document.get(container)
    found = holder.get(item) if isinstance(holder, dict) else None
    if found is None and _total(document) == 0:
        return []
    if not isinstance(found, list) or not all(isinstance(entry, dict) for entry in found):
        raise AlidnsError(action, 200, request_id=_text(document.get("RequestId")), said=f"HTTP 200 without a list {container}.{item}")
    return found


def _total(document) -> int:
    try:
        return int(document.get("TotalCount"))
    except (TypeError, ValueError):
        return 0


def _record(fields: dict, record_type: str) -> DnsRecord:
    return DnsRecord(
        _text(fields.get("RecordId")),
        str(fields.get("RR") or ""),
        str(fields.get("Type") or record_type).upper(),
        str(fields.get("Value") or ""),
        _int(fields.get("TTL")),
        _text(fields.get("Status")),
        str(fields.get("Line") or "default"),
        _int(fields.get("Priority")) if fields.get("Priority") is not None else None,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value) -> str | None:
    return None if value is None else str(value)


def _utc_now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def _uuid4() -> str:
    import uuid

    return str(uuid.uuid4())
