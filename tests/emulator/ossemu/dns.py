# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alibaba Cloud DNS (alidns OpenAPI 2015-01-09, RPC style) on the emulator's server: zones and records.

The signature check reuses the emulator's own RPC signer of sts.py, written from the documentation's prose,
never the collection's signer. Answers are JSON; the emulator refuses any other `Format` (our choice: the
service would answer XML). Where the service is undocumented the choices of the reference's section 7 apply.
"""

import hashlib
import ipaddress
import json
import re
import sys
import traceback
from urllib.parse import parse_qsl

from .config import DNS_RECORD_TYPES
from .rpcauth import RpcAuthenticator
from .state import full_name
from .sts import rpc_sign, rpc_string_to_sign

DNS_VERSION = "2015-01-09"
SERVICE = "alidns"
DNS_PATHS = ("/",)
# Never logged: the signature and the STS token are credentials in all but name.
SECRET_PARAMETERS = ("Signature", "SecurityToken")
MAX_TTL = 86400
# Types that may share the apex with a CNAME (the documented `@` exception).
APEX_CNAME_COMPANIONS = ("MX", "TXT", "NS")
_RR = re.compile(r"^(@|\*|(\*\.)?[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*)$")


class DnsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def missing(name):
    return DnsError(400, "MissingParameter", "The input parameter %s that is mandatory for processing this request is not supplied." % name)


def invalid(name):
    return DnsError(400, "InvalidParameter", "The specified parameter %s is not valid." % name)


def gather_params(method, query_pairs, body):
    """Query and form body together as (name, value) pairs, in arrival order."""
    pairs = [(name, value or "") for name, value in query_pairs]
    if method == "POST" and body:
        pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return pairs


def is_dns_request(method, path, query_pairs, body):
    """An RPC call on / naming Version 2015-01-09 and an Action (STS, also on /, names Version 2015-04-01)."""
    if path not in DNS_PATHS or method not in ("GET", "POST"):
        return False
    params = dict(gather_params(method, query_pairs, body))
    return params.get("Version") == DNS_VERSION and bool(params.get("Action"))


class DnsCall:
    """One parsed DNS request: its parameters, or the error that parsing them raised."""

    def __init__(self, method, query_pairs, headers, body):
        self.method = method
        self.params = {}
        self.error = None
        try:
            self.params = _unique_params(method, query_pairs, headers, body)
        except DnsError as error:
            self.error = error
            self.params = dict(gather_params(method, query_pairs, body))  # still good enough for the log

    @property
    def action(self):
        return self.params.get("Action")

    def loggable_params(self):
        return {name: value for name, value in sorted(self.params.items()) if name not in SECRET_PARAMETERS}


def _unique_params(method, query_pairs, headers, body):
    if method == "POST" and body and "application/x-www-form-urlencoded" not in headers.get("content-type", ""):
        raise DnsError(400, "InvalidParameter.ContentType", "A POST body must be application/x-www-form-urlencoded.")
    params = {}
    for name, value in gather_params(method, query_pairs, body):
        if name in params:
            raise DnsError(400, "InvalidParameter", "The parameter %s is given more than once." % name)
        params[name] = value
    return params


def error_document(error, request_id, host):
    return {
        "RequestId": request_id,
        "HostId": host or "alidns.aliyuncs.com",
        "Code": error.code,
        "Message": error.message,
        "Recommend": "https://api.aliyun.com/troubleshoot?q=%s&product=Alidns" % error.code,
    }


class DnsService:
    """Authentication, then one of the record operations, against State's zones and records."""

    def __init__(self, core):
        self.core = core
        self._auth = RpcAuthenticator(core, DnsError, lambda: core.settings.max_skew_seconds, rpc_sign, rpc_string_to_sign)
        self._actions = {
            "DescribeDomains": self._describe_domains,
            "DescribeSubDomainRecords": self._describe_sub_domain_records,
            "DescribeDomainRecords": self._describe_domain_records,
            "DescribeDomainRecordInfo": self._describe_domain_record_info,
            "AddDomainRecord": self._add_domain_record,
            "UpdateDomainRecord": self._update_domain_record,
            "DeleteDomainRecord": self._delete_domain_record,
            "DeleteSubDomainRecords": self._delete_sub_domain_records,
        }

    @property
    def state(self):
        return self.core.state

    # --- HTTP ---------------------------------------------------------------------------------------------------
    def answer(self, call, request_id, host):
        """(status, JSON bytes, error code or None) for one parsed call."""
        try:
            if call.error is not None:
                raise call.error
            document = self._run(call)
            status, code = 200, None
        except DnsError as error:
            document = error_document(error, request_id, host)
            status, code = error.status, error.code
        except Exception:
            # An emulator bug: answer as the service does for internal errors, and leave the traceback for whoever runs it.
            traceback.print_exc(file=sys.stderr)
            error = DnsError(500, "InternalError", "The request processing has failed due to some unknown error.")
            document, status, code = error_document(error, request_id, host), 500, error.code
        document["RequestId"] = request_id
        return status, json.dumps(document).encode("utf-8"), code

    def _run(self, call):
        params = call.params
        operation = self._actions.get(params.get("Action"))
        if operation is None:
            raise DnsError(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
        if (params.get("Format") or "").upper() != "JSON":
            raise DnsError(400, "InvalidParameter", "The emulator answers JSON only: send Format=JSON.")
        owner = self._auth.authenticate(call.method, params).owner
        with self.state.lock:
            document = operation(owner, params)
            self.state.save()
        return document

    # --- zones --------------------------------------------------------------------------------------------------
    def _zone(self, owner, raw):
        if not raw:
            raise missing("DomainName")
        name = raw.lower().rstrip(".")
        zone_owner = self.state.dns_zones.get(name)
        if zone_owner is None:
            raise DnsError(400, "InvalidDomainName.NoExist", "The specified domain name does not exist. Refresh the page and try again.")
        if zone_owner != owner:
            raise DnsError(400, "IncorrectDomainUser", "The domain name does not belong to you.")
        return name

    def _describe_domains(self, owner, params):
        keyword = (params.get("KeyWord") or "").lower()
        mode = (params.get("SearchMode") or "LIKE").upper()
        if mode not in ("LIKE", "EXACT"):
            raise invalid("SearchMode")
        names = sorted(name for name, zone_owner in self.state.dns_zones.items() if zone_owner == owner)
        if keyword:
            names = [name for name in names if (name == keyword if mode == "EXACT" else keyword in name)]
        return _page(params, 100, [self._domain_view(name) for name in names], "Domains", "Domain")

    def _domain_view(self, name):
        return {
            "DomainName": name,
            "DomainId": _stable_id(name),
            "PunyCode": name,
            "RecordCount": sum(1 for record in self.state.dns_records if record.zone == name),
            "VersionCode": "mianfei",
            "VersionName": "Alibaba Cloud DNS",
            "AliDomain": False,
            "GroupId": "",
            "GroupName": "",
        }

    # --- reading records ----------------------------------------------------------------------------------------
    def _describe_sub_domain_records(self, owner, params):
        sub_domain = (params.get("SubDomain") or "").lower().rstrip(".")
        if not sub_domain:
            raise missing("SubDomain")
        # Documented trap: without DomainName the zone is the last two labels, even when a longer zone exists.
        zone = self._zone(owner, params.get("DomainName") or ".".join(sub_domain.split(".")[-2:]))
        records = [record for record in self._zone_records(zone) if record.name == sub_domain]
        records = _filter_type_line(records, params)
        return _page(params, 100, [_record_view(record) for record in records], "DomainRecords", "Record")

    def _describe_domain_records(self, owner, params):
        zone = self._zone(owner, params.get("DomainName"))
        exact = (params.get("SearchMode") or "").upper() == "EXACT"
        records = _filter_type_line(self._zone_records(zone), params)
        for name, field in (("RRKeyWord", "rr"), ("TypeKeyWord", "type"), ("ValueKeyWord", "value")):
            if params.get(name):
                records = [record for record in records if _keyword_matches(params[name], getattr(record, field), exact)]
        if params.get("Status"):
            records = [record for record in records if record.status == params["Status"].upper()]
        # The documentation lists this operation newest first (DescribeSubDomainRecords: oldest first).
        views = [_record_view(record) for record in reversed(records)]
        return _page(params, 500, views, "DomainRecords", "Record")

    def _describe_domain_record_info(self, owner, params):
        return _record_view(self._owned_record(owner, params))

    def _zone_records(self, zone):
        return [record for record in self.state.dns_records if record.zone == zone]

    def _owned_record(self, owner, params):
        if not params.get("RecordId"):
            raise missing("RecordId")
        record = self.state.find_dns_record(params["RecordId"])
        if record is None or record.zone is None or self.state.dns_zones.get(record.zone) != owner:
            raise DnsError(400, "DomainRecordNotBelongToUser", "The DNS record does not exist or does not belong to you.")
        return record

    # --- writing records ----------------------------------------------------------------------------------------
    def _add_domain_record(self, owner, params):
        zone = self._zone(owner, params.get("DomainName"))
        fields = self._record_fields(params)
        self._check_fits(zone, fields, ignore=None)
        rr, record_type, value, ttl, priority, line = fields
        record = self.state.add_dns_record(zone, rr, record_type, value, ttl, self.core.clock.service(), priority)
        record.line = line
        return {"RecordId": record.record_id}

    def _update_domain_record(self, owner, params):
        record = self._owned_record(owner, params)
        fields = self._record_fields(params)
        if fields == (record.rr, record.type, record.value, record.ttl, record.priority, record.line):
            raise DnsError(400, "DomainRecordDuplicate", "The DNS record already exists.")
        self._check_fits(record.zone, fields, ignore=record)
        record.rr, record.type, record.value, record.ttl, record.priority, record.line = fields
        record.name = full_name(record.rr, record.zone)
        record.changed = self.core.clock.service()
        return {"RecordId": record.record_id}

    def _delete_domain_record(self, owner, params):
        record = self._owned_record(owner, params)
        self.state.delete_dns_records([record])
        return {"RecordId": record.record_id}

    def _delete_sub_domain_records(self, owner, params):
        zone = self._zone(owner, params.get("DomainName"))
        rr = (params.get("RR") or "").lower()
        if not rr:
            raise missing("RR")
        record_type = (params.get("Type") or "").upper()
        doomed = [record for record in self._zone_records(zone) if record.rr == rr and record_type in ("", record.type)]
        self.state.delete_dns_records(doomed)
        return {"RR": rr, "TotalCount": str(len(doomed))}

    def _record_fields(self, params):
        """(rr, type, value, ttl, priority, line) from Add/UpdateDomainRecord's parameters, checked."""
        for name in ("RR", "Type", "Value"):
            if not params.get(name):
                raise missing(name)
        rr = params["RR"].lower().rstrip(".")
        if not _RR.match(rr):
            raise DnsError(400, "InvalidRR.Format", "The format of the host record (RR) is invalid.")
        record_type = params["Type"].upper()
        if record_type not in DNS_RECORD_TYPES:
            raise invalid("Type")
        value = _checked_value(record_type, params["Value"])
        priority = _priority(record_type, params.get("Priority"))
        return rr, record_type, value, self._ttl(params.get("TTL")), priority, params.get("Line") or "default"

    def _ttl(self, raw):
        if raw in (None, ""):
            return 600
        if not raw.isdigit() or int(raw) == 0 or int(raw) > MAX_TTL:
            raise DnsError(400, "InvalidTTL", "The TTL value is invalid.")
        if int(raw) < self.core.settings.dns_min_ttl:
            raise DnsError(400, "QuotaExceeded.TTL", "The TTL is below the minimum of %d seconds of your DNS edition." % self.core.settings.dns_min_ttl)
        return int(raw)

    def _check_fits(self, zone, fields, ignore):
        rr, record_type, value, _ttl, _priority, line = fields
        neighbours = [record for record in self._zone_records(zone) if record is not ignore and record.rr == rr and record.line == line]
        if any(record.type == record_type and record.value == value for record in neighbours):
            raise DnsError(400, "DomainRecordDuplicate", "The DNS record already exists.")
        if any(_conflicts(rr, record_type, record.type) for record in neighbours):
            raise DnsError(400, "DomainRecordConflict", "The DNS record conflicts with an existing record (CNAME and other types on one host).")


def _conflicts(rr, new_type, old_type):
    if "CNAME" not in (new_type, old_type) or new_type == old_type:
        return False
    other = old_type if new_type == "CNAME" else new_type
    return not (rr == "@" and other in APEX_CNAME_COMPANIONS)


def _checked_value(record_type, value):
    if record_type in ("A", "AAAA"):
        version = 4 if record_type == "A" else 6
        try:
            if ipaddress.ip_address(value).version != version:
                raise ValueError(value)
        except ValueError:
            raise DnsError(400, "InvalidRecordValue", "The record value is not a valid IPv%d address." % version)
    if record_type in ("CNAME", "MX", "NS"):
        return value.lower().rstrip(".")
    return value


def _priority(record_type, raw):
    if record_type != "MX":
        return None
    if not raw:
        raise missing("Priority")
    if not raw.isdigit() or not 1 <= int(raw) <= 50:
        raise invalid("Priority")
    return int(raw)


def _filter_type_line(records, params):
    if params.get("Type"):
        records = [record for record in records if record.type == params["Type"].upper()]
    if params.get("Line"):
        records = [record for record in records if record.line == params["Line"]]
    return records


def _keyword_matches(keyword, field, exact):
    return field.lower() == keyword.lower() if exact else keyword.lower() in field.lower()


def _page(params, maximum, items, outer, inner):
    number = _positive(params, "PageNumber", 1)
    size = min(_positive(params, "PageSize", 20), maximum)  # above the maximum: clamped (our choice)
    start = (number - 1) * size
    return {"TotalCount": len(items), "PageNumber": number, "PageSize": size, outer: {inner: items[start : start + size]}}


def _positive(params, name, default):
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise invalid(name)
    return int(raw)


def _record_view(record):
    view = {
        "RecordId": record.record_id,
        "DomainName": record.zone,
        "RR": record.rr,
        "Type": record.type,
        "Value": record.value,
        "TTL": record.ttl,
        "Line": record.line,
        "Status": record.status,
        "Locked": False,
        "Weight": 1,
        "CreateTimestamp": int(record.created.timestamp() * 1000),
        "UpdateTimestamp": int(record.changed.timestamp() * 1000),
    }
    if record.priority is not None:
        view["Priority"] = record.priority
    return view


def _stable_id(name):
    """A zone's DomainId: the service's are opaque strings; a digest keeps ours stable across runs."""
    return "%032x" % int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:32], 16)
