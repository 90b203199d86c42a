# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small in-memory Alibaba Cloud DNS for the module tests: zones and records, the five operations the module uses.

It checks every request's RPC signature with the independent signer of credential_fakes (not the collection's), and
answers with the service's JSON documents and error codes, so that everything above the HTTP session is the code
that ships.
"""

from __future__ import annotations

import json
import threading
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from ansible_collections.alicloud.oss.tests.unit.credential_fakes import independent_signature
from ansible_collections.alicloud.oss.tests.unit.fake_http import canned_response

WRITES = ("AddDomainRecord", "UpdateDomainRecord", "DeleteDomainRecord")
MAX_PAGE_SIZE = 100


class DnsSent(NamedTuple):
    method: str
    url: str
    params: dict

    @property
    def action(self) -> str:
        return self.params.get("Action", "")

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


class _Refusal(Exception):
    def __init__(self, status, code, message):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message


class FakeDns:
    """Zones, records and keys in memory; every request recorded."""

    def __init__(self, keys: dict):
        self.keys = dict(keys)  # access key id -> secret
        self.tokens = {}  # access key id -> security token it needs
        self.zones = []
        self.records = {}  # record id -> fields as the service lists them
        self.failures = []  # [action, status, code, message, times]
        self.sent = []
        self.nonces = set()
        self.sessions = []
        self.lock = threading.Lock()
        self._next_id = 1000
        self._request_number = 0

    # ---- set-up and inspection

    def add(self, zone, rr, record_type, value, ttl=600, line="default", priority=None):
        """A record as if made in the console; returns its id."""
        self._next_id += 1
        record_id = str(self._next_id)
        fields = {"DomainName": zone, "RecordId": record_id, "RR": rr, "Type": record_type, "Value": value, "TTL": ttl, "Line": line}
        fields.update({"Status": "ENABLE", "Locked": False, "Weight": 1})
        if priority is not None:
            fields["Priority"] = priority
        self.records[record_id] = fields
        return record_id

    def fail(self, action, code, status=400, message="Refused by the test.", times=None):
        self.failures.append([action, status, code, message, times])

    def actions(self):
        return [sent.action for sent in self.sent]

    def writes(self):
        return [sent for sent in self.sent if sent.action in WRITES]

    def values(self, zone, rr, record_type):
        return sorted(fields["Value"] for fields in self.records.values() if (fields["DomainName"], fields["RR"], fields["Type"]) == (zone, rr, record_type))

    def record_set(self, zone, rr, record_type):
        return [fields for fields in self._sorted() if (fields["DomainName"], fields["RR"], fields["Type"]) == (zone, rr, record_type)]

    # ---- the transport

    def new_session(self, pool_size=10):
        session = DnsSession(self)
        self.sessions.append(session)
        return session

    def handle(self, method, url, headers, data):
        params = dict(_pair(item) for item in urlsplit(url).query.split("&") if item)
        sent = DnsSent(method, url, params)
        with self.lock:
            self.sent.append(sent)
            self._request_number += 1
            request_id = "D5A1%020X" % self._request_number
            try:
                document = self._answer(sent)
            except _Refusal as exc:
                body = {"RequestId": request_id, "HostId": "alidns.aliyuncs.com", "Code": exc.code, "Message": exc.message}
                return _response(exc.status, body, request_id)
            return _response(200, dict(document, RequestId=request_id), request_id)

    def _answer(self, sent):
        self._check_signature(sent)
        params = sent.params
        for failure in self.failures:
            if failure[0] == params["Action"] and failure[4] != 0:
                failure[4] = None if failure[4] is None else failure[4] - 1
                raise _Refusal(failure[1], failure[2], failure[3])
        handler = getattr(self, "_op_" + params["Action"], None)
        if handler is None:
            raise _Refusal(400, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
        return handler(params)

    def _check_signature(self, sent):
        params = sent.params
        key_id = params.get("AccessKeyId")
        if key_id not in self.keys:
            raise _Refusal(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if self.tokens.get(key_id) != params.get("SecurityToken"):
            raise _Refusal(400, "InvalidSecurityToken.MismatchWithAccessKey", "The security token does not match the access key.")
        if independent_signature(sent.method, params, self.keys[key_id]) != params.get("Signature"):
            from ansible_collections.alicloud.oss.plugins.module_utils._rpc import rpc_string_to_sign

            # The service's own words, which echo the whole string to sign (security token included).
            echoed = rpc_string_to_sign(sent.method, {name: value for name, value in params.items() if name != "Signature"})
            raise _Refusal(400, "SignatureDoesNotMatch", f"Specified signature is not matched with our calculation. server string to sign is:{echoed}")
        if params.get("SignatureNonce") in self.nonces:
            raise _Refusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self.nonces.add(params.get("SignatureNonce"))
        if params.get("Format", "").upper() != "JSON" or params.get("Version") != "2015-01-09":
            raise _Refusal(400, "InvalidParameter", "Format must be JSON and Version 2015-01-09 in these tests.")

    # ---- operations

    def _op_DescribeDomains(self, params):
        page, names = self._page(params, sorted(self.zones))
        return {"TotalCount": len(self.zones), **page, "Domains": {"Domain": [{"DomainName": name, "DomainId": "id-" + name} for name in names]}}

    def _op_DescribeSubDomainRecords(self, params):
        name = params.get("SubDomain", "").lower()
        zone = params.get("DomainName") or ".".join(name.split(".")[-2:])
        if zone not in self.zones:
            raise _Refusal(400, "InvalidDomainName.NoExist", "The specified domain name does not exist. Refresh the page and try again.")
        if name != zone and not name.endswith("." + zone):
            return {"TotalCount": 0, "PageNumber": 1, "PageSize": 20, "DomainRecords": {"Record": []}}
        rr = "@" if name == zone else name[: -len(zone) - 1]
        wanted_type = params.get("Type", "").upper()
        found = [fields for fields in self._sorted() if fields["DomainName"] == zone and fields["RR"] == rr and wanted_type in ("", fields["Type"])]
        page, records = self._page(params, found)
        return {"TotalCount": len(found), **page, "DomainRecords": {"Record": records}}

    def _op_AddDomainRecord(self, params):
        zone = params.get("DomainName", "")
        if zone not in self.zones:
            raise _Refusal(400, "InvalidDomainName.NoExist", "The specified domain name does not exist. Refresh the page and try again.")
        fields = self._fields(params)
        self._refuse_duplicate(zone, fields, None)
        record_id = self.add(zone, fields["RR"], fields["Type"], fields["Value"], fields["TTL"], priority=fields.get("Priority"))
        return {"RecordId": record_id}

    def _op_UpdateDomainRecord(self, params):
        current = self._existing(params)
        fields = self._fields(params)
        if all(current.get(name) == value for name, value in fields.items()):
            raise _Refusal(400, "DomainRecordDuplicate", "The DNS record already exists.")
        self._refuse_duplicate(current["DomainName"], fields, current["RecordId"])
        current.update(fields)
        return {"RecordId": current["RecordId"]}

    def _op_DeleteDomainRecord(self, params):
        current = self._existing(params)
        del self.records[current["RecordId"]]
        return {"RecordId": current["RecordId"]}

    # ---- helpers

    def _existing(self, params):
        current = self.records.get(params.get("RecordId", ""))
        if current is None:
            raise _Refusal(400, "DomainRecordNotBelongToUser", "The DNS record does not belong to you.")
        return current

    @staticmethod
    def _fields(params):
        # Every field is rewritten, as the service does: a TTL left out becomes 600.
        fields = {"RR": params.get("RR", ""), "Type": params.get("Type", "").upper(), "Value": params.get("Value", ""), "TTL": int(params.get("TTL", "600"))}
        if "Priority" in params:
            fields["Priority"] = int(params["Priority"])
        return fields

    def _refuse_duplicate(self, zone, fields, own_id):
        for other in self.records.values():
            same = (other["DomainName"], other["RR"], other["Type"], other["Line"], other["Value"]) == (
                zone,
                fields["RR"],
                fields["Type"],
                "default",
                fields["Value"],
            )
            if same and other["RecordId"] != own_id:
                raise _Refusal(400, "DomainRecordDuplicate", "The DNS record already exists.")

    def _sorted(self):
        return sorted(self.records.values(), key=lambda fields: int(fields["RecordId"]))

    @staticmethod
    def _page(params, items):
        number = int(params.get("PageNumber", "1"))
        size = min(int(params.get("PageSize", "20")), MAX_PAGE_SIZE)
        return {"PageNumber": number, "PageSize": size}, items[(number - 1) * size : number * size]


class DnsSession:
    """What the transport uses of requests.Session."""

    def __init__(self, dns):
        self.dns = dns
        self.headers = {}
        self.closed = False

    def request(self, method, url, headers=None, data=None, **_kwargs):
        return self.dns.handle(method, url, headers, data)

    def mount(self, prefix, adapter):
        pass

    def close(self):
        self.closed = True


def _pair(item):
    name, _sep, value = item.partition("=")
    return unquote(name), unquote(value)


def _response(status, document, request_id):
    body = json.dumps(document).encode("utf-8")
    headers = {"Content-Type": "application/json;charset=utf-8", "x-acs-request-id": request_id, "Content-Length": str(len(body))}
    return canned_response(None, status, body, headers)
