#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: alidns_record
short_description: Manage one record set in Alibaba Cloud DNS
version_added: 1.0.0
description:
  - Makes one record set (name, type) hold O(value), or removes it. Own options O(record), O(type), O(value),
    O(ttl), O(priority), O(state), O(zone), O(overwrite), O(dns_endpoint); the rest are shared.
  - Sends only the writes that differ; default resolution line only.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  record:
    description: Full name, such as V(_dnsauth.static.example.com).
    type: str
    required: true
  type:
    description: The record type.
    type: str
    required: true
    choices: [TXT, CNAME, A, AAAA, MX]
  value:
    description: The value; for TXT, the bare text without quotes.
    type: str
  ttl:
    description: Time to live in seconds, 1 to 86400.
    type: int
    default: 600
  priority:
    description: MX priority, 1 to 50; only for V(MX), where required.
    type: int
  state:
    description: V(absent) removes O(value), or the whole set without it.
    type: str
    choices: [present, absent]
    default: present
  zone:
    description: Zone of O(record); found in the account when unset.
    type: str
  overwrite:
    description: Makes the set exactly O(value), or with V(false) adds it.
    type: bool
    default: true
  dns_endpoint:
    description: DNS endpoint; or E(ALICLOUD_DNS_ENDPOINT).
    type: str
    default: https://alidns.aliyuncs.com
extends_documentation_fragment:
  - alicloud.oss.credentials
  - alicloud.oss.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
  action_group:
    description: Takes defaults from C(group/alicloud.oss.alidns) in C(module_defaults).
    support: full
    membership:
      - alicloud.oss.alidns
"""

EXAMPLES = r"""
- name: Publish the ownership token of static.example.com
  alicloud.oss.alidns_record:
    record: "{{ ownership.txt_record.name }}"
    type: TXT
    value: "{{ ownership.txt_record.value }}"
  when: ownership.txt_record.value is not none

- name: Remove one value of a TXT set, keeping the others
  alicloud.oss.alidns_record:
    record: example.com
    type: TXT
    value: v=spf1 -all
    state: absent
"""

RETURN = r"""
zone:
  description: The zone that holds the record, as given or found.
  returned: success
  type: str
  sample: example.com
rr:
  description: The name relative to RV(zone); V(@) for the apex.
  returned: success
  type: str
  sample: _dnsauth.static
records:
  description: The set after the run (predicted in check mode).
  returned: success
  type: list
  elements: dict
  contains:
    record_id:
      description: The record's id; V(null) if only predicted.
      type: str
      sample: "9999985"
    value:
      description: The value as the service holds it.
      type: str
      sample: be1d49d863dea9ffeff3df7d6455d9c2
    ttl:
      description: Time to live in seconds.
      type: int
      sample: 600
    status:
      description: V(ENABLE) or V(DISABLE).
      type: str
      sample: ENABLE
    priority:
      description: The MX priority.
      returned: for type V(MX)
      type: int
      sample: 10
error:
  description: What Alibaba Cloud DNS answered when it refused a request.
  returned: failure, when the service answered
  type: dict
  contains:
    code:
      description: The error code, or V(null).
      type: str
      sample: SignatureDoesNotMatch
    message:
      description: The service's message.
      type: str
      sample: Specified signature is not matched with our calculation.
    request_id:
      description: The request id, for support.
      type: str
      sample: 29A5E5C6-5D0D-4E4A-9E52-1E0AD2CD7C7B
    host_id:
      description: The host that answered.
      type: str
      sample: alidns.aliyuncs.com
    status:
      description: The HTTP status.
      type: int
      sample: 400
    ec:
      description: Always V(null) here.
      type: str
      sample: null
"""

import ipaddress
from typing import NamedTuple

from ansible.module_utils.basic import env_fallback

from ansible_collections.alicloud.oss.plugins.module_utils._alidns import (
    DEFAULT_DNS_ENDPOINT,
    AlidnsClient,
    AlidnsError,
    DnsRecord,
    dns_url,
    no_zone_message,
    normalize_name,
    relative_name,
    zone_of,
)
from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import endpoint_userinfo
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssError
from ansible_collections.alicloud.oss.plugins.module_utils._module import AlicloudModule, ModuleFailure, describe_error
from ansible_collections.alicloud.oss.plugins.module_utils._validation import label_problem, validate_retries, validate_timeout

RECORD_TYPES = ["TXT", "CNAME", "A", "AAAA", "MX"]
MAX_TTL = 86400
MAX_PRIORITY = 50

ARGUMENT_SPEC = dict(
    record=dict(type="str", required=True),
    type=dict(type="str", required=True, choices=RECORD_TYPES),
    value=dict(type="str"),
    ttl=dict(type="int", default=600),
    priority=dict(type="int"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    zone=dict(type="str"),
    overwrite=dict(type="bool", default=True),
    dns_endpoint=dict(type="str", default=DEFAULT_DNS_ENDPOINT, fallback=(env_fallback, ["ALICLOUD_DNS_ENDPOINT"])),
)


class AlidnsModule(AlicloudModule):
    """A module of Alibaba Cloud DNS: the credential options, dns_endpoint, and an AlidnsClient."""

    service = "Alibaba Cloud DNS"

    def _mask_option_secrets(self):
        # dns_url refuses a user or password in dns_endpoint; Ansible would still echo them in the result's invocation.
        userinfo = endpoint_userinfo(self.params["dns_endpoint"])
        if userinfo:
            self.hide(userinfo)

    def _build_client(self) -> AlidnsClient:
        params = self.params
        validate_timeout(params["timeout"])
        validate_retries(params["retries"])
        url = dns_url(params["dns_endpoint"])
        return AlidnsClient(url, self.resolve_credentials(), timeout=params["timeout"], retries=params["retries"], validate_certs=params["validate_certs"])


class Wanted(NamedTuple):
    record: str
    type: str
    value: str | None
    ttl: int
    priority: int | None
    state: str
    zone: str | None
    overwrite: bool


class Change(NamedTuple):
    action: str  # add, update or delete
    record: DnsRecord  # as it will be (add, update) or as it was (delete)


# ---- input


def wanted_from(params: dict, warn) -> Wanted:
    """The checked and normalised options; raises OssConfigError before any request."""
    record_type = params["type"]
    record = dns_name(params["record"], "record", wildcard=True)
    zone = dns_name(params["zone"], "zone") if params["zone"] is not None else None
    if zone is not None and zone_of(record, [zone]) is None:
        raise OssConfigError(f"zone '{zone}' does not hold record '{record}': the record must be the zone or end with '.{zone}'.", "zone")
    value = params["value"]
    if value is not None:
        value = checked_value(record_type, value, warn)
    elif params["state"] == "present":
        raise OssConfigError("value is required with state=present.", "value")
    return Wanted(record, record_type, value, checked_ttl(params["ttl"]), checked_priority(params, record_type), params["state"], zone, params["overwrite"])


def dns_name(value, option: str, wildcard: bool = False) -> str:
    """A full DNS name in lower case without its trailing dot, or OssConfigError naming the rule it breaks."""
    text = str(value).strip().lower()
    name = text[:-1] if text.endswith(".") else text
    problem = _name_problem(name, wildcard)
    if problem:
        raise OssConfigError(f"{option} '{value}' is not a DNS name: {problem}.", option)
    return name


def _name_problem(name: str, wildcard: bool) -> str | None:
    if not name:
        return "it is empty"
    if not name.isascii():
        return "internationalised names must be given in their ASCII (punycode) form"
    if len(name) > 253:
        return f"it is {len(name)} characters long; at most 253 are allowed"
    labels = name.split(".")
    if len(labels) < 2:
        return "give the full name, such as www.example.com"
    for position, label in enumerate(labels):
        if wildcard and position == 0 and label == "*":
            continue
        problem = label_problem(label, record=True)
        if problem:
            return problem
    return None


def checked_value(record_type: str, value: str, warn) -> str:
    """The value as it is sent: addresses in their canonical form, host names in lower case without trailing dot."""
    if record_type in ("A", "AAAA"):
        return _address(record_type, value)
    if record_type in ("CNAME", "MX"):
        return dns_name(value, "value")
    if not value:
        raise OssConfigError("value must not be empty.", "value")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        warn("value is wrapped in double quotes, which become part of the TXT record in Alibaba Cloud DNS; give the bare text to publish it without them.")
    return value


def _address(record_type: str, value: str) -> str:
    family, wanted = (ipaddress.IPv4Address, "an IPv4 address") if record_type == "A" else (ipaddress.IPv6Address, "an IPv6 address")
    try:
        return str(family(value.strip()))
    except ValueError:
        raise OssConfigError(f"value '{value}' is not {wanted}, which type {record_type} needs.", "value") from None


def checked_ttl(ttl: int) -> int:
    if not 1 <= ttl <= MAX_TTL:
        raise OssConfigError(f"ttl must be 1 to {MAX_TTL} seconds, not {ttl}.", "ttl")
    return ttl


def checked_priority(params: dict, record_type: str) -> int | None:
    priority = params["priority"]
    if record_type != "MX":
        if priority is not None:
            raise OssConfigError(f"priority applies to MX records only, not to type {record_type}.", "priority")
        return None
    if priority is None and params["state"] == "present":
        raise OssConfigError("priority is required for an MX record with state=present (1 to 50, smaller is preferred).", "priority")
    if priority is not None and not 1 <= priority <= MAX_PRIORITY:
        raise OssConfigError(f"priority must be 1 to {MAX_PRIORITY}, not {priority}.", "priority")
    return priority


# ---- comparing


def value_key(record_type: str, value: str) -> str:
    """What two values of a type are compared by: TXT exactly, host names without case and trailing dot, addresses as addresses."""
    if record_type in ("CNAME", "MX"):
        return normalize_name(value)
    if record_type in ("A", "AAAA"):
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            return value.strip().lower()
    return value


def plan(existing: list, wanted: Wanted, rr: str) -> list:
    """The fewest writes that turn the existing set into the wanted one, in the order they are sent."""
    key = value_key(wanted.type, wanted.value) if wanted.value is not None else None
    holding = [record for record in existing if value_key(record.type, record.value) == key]
    if wanted.state == "absent":
        return [Change("delete", record) for record in (existing if key is None else holding)]
    others = [record for record in existing if record not in holding] if wanted.overwrite else []
    if holding:
        kept, extra = holding[0], holding[1:] if wanted.overwrite else []
        changes = [Change("update", _as_wanted(kept, wanted, rr))] if _differs(kept, wanted) else []
        return changes + [Change("delete", record) for record in others + extra]
    if others:
        # The first record takes the value, so the name never resolves to nothing in between.
        return [Change("update", _as_wanted(others[0], wanted, rr))] + [Change("delete", record) for record in others[1:]]
    return [Change("add", _as_wanted(None, wanted, rr))]


def _differs(record: DnsRecord, wanted: Wanted) -> bool:
    return record.ttl != wanted.ttl or (wanted.type == "MX" and record.priority != wanted.priority)


def _as_wanted(record: DnsRecord | None, wanted: Wanted, rr: str) -> DnsRecord:
    if record is None:
        return DnsRecord(None, rr, wanted.type, wanted.value, wanted.ttl, "ENABLE", "default", wanted.priority)
    return record._replace(rr=rr, value=wanted.value, ttl=wanted.ttl, priority=wanted.priority)


def after(existing: list, changes: list) -> list:
    """The set once the changes are made: updated records in place, deleted ones gone, added ones last."""
    updated = {change.record.record_id: change.record for change in changes if change.action == "update"}
    deleted = {change.record.record_id for change in changes if change.action == "delete"}
    records = [updated.get(record.record_id, record) for record in existing if record.record_id not in deleted]
    return records + [change.record for change in changes if change.action == "add"]


def diff_view(records: list, record_type: str) -> dict:
    """Values sorted; ttls (and priorities for MX) in the same order, so that a TTL change shows too."""
    ordered = sorted(records, key=lambda record: (record.value, record.ttl or 0))
    view = {"values": [record.value for record in ordered], "ttls": [record.ttl for record in ordered]}
    if record_type == "MX":
        view["priorities"] = [record.priority for record in ordered]
    return view


# ---- the run


def ensure_record(dns: AlidnsModule) -> dict:
    wanted = wanted_from(dns.params, dns.warn)
    zone = wanted.zone or find_zone(dns.client, wanted.record)
    rr = relative_name(wanted.record, zone)
    existing = read_records(dns.client, zone, wanted)
    changes = plan(existing, wanted, rr)
    if not dns.check_mode:
        changes = write(dns.client, zone, wanted.record, changes, {"zone": zone, "rr": rr})
    final = after(existing, changes)
    return {
        "changed": bool(changes),
        "zone": zone,
        "rr": rr,
        "records": [record.as_result() for record in final],
        "diff": {"before": diff_view(existing, wanted.type), "after": diff_view(final, wanted.type)},
    }


def read_records(client: AlidnsClient, zone: str, wanted: Wanted) -> list:
    """The record set on the default line; a refusal names the record and zone, which the service's words do not."""
    try:
        return [record for record in client.records(zone, wanted.record, wanted.type) if record.line == "default"]
    except OssError as exc:
        raise ModuleFailure(f"Reading the {wanted.type} records of {wanted.record} in zone {zone} failed. {describe_error(exc)}", exc.to_dict()) from None


def find_zone(client: AlidnsClient, record: str) -> str:
    zones = client.domains()
    zone = zone_of(record, zones)
    if zone is None:
        raise ModuleFailure(no_zone_message(record, zones))
    return zone


def write(client: AlidnsClient, zone: str, name: str, changes: list, context: dict) -> list:
    """Send the changes; returns them with the ids of added records. A failure after a write reports changed=true."""
    done = []
    try:
        for change in changes:
            done.append(_send_once(client, zone, name, change))
    except OssError as exc:
        if not done:
            raise
        raise ModuleFailure(f"{describe_error(exc)} {len(done)} of {len(changes)} changes were made before.", exc.to_dict(), changed=True, **context) from None
    return done


# What the service answers to a write it has already applied. The transport resends a write whose answer was lost
# (a dropped connection); the resent one then meets its own first attempt.
_ALREADY_DONE = {"add": "DomainRecordDuplicate", "update": "DomainRecordDuplicate", "delete": "DomainRecordNotBelongToUser"}


def _send_once(client: AlidnsClient, zone: str, name: str, change: Change) -> Change:
    """_send, taking "already done" on a resent write as the write's own success."""
    try:
        return _send(client, zone, change)
    except AlidnsError as exc:
        if exc.attempts < 2 or exc.code != _ALREADY_DONE[change.action]:
            raise
    if change.action != "add":
        return change
    # The lost answer carried the new record's id: read the set again to learn it.
    wanted_key = value_key(change.record.type, change.record.value)
    for record in client.records(zone, name, change.record.type):
        if record.line == "default" and value_key(record.type, record.value) == wanted_key:
            return Change("add", change.record._replace(record_id=record.record_id))
    return change


def _send(client: AlidnsClient, zone: str, change: Change) -> Change:
    record = change.record
    if change.action == "delete":
        client.delete_record(record.record_id)
    elif change.action == "update":
        client.update_record(record.record_id, record.rr, record.type, record.value, record.ttl, record.priority)
    else:
        record_id = client.add_record(zone, record.rr, record.type, record.value, record.ttl, record.priority)
        return Change("add", record._replace(record_id=record_id))
    return change


def main():
    dns = AlidnsModule(argument_spec=ARGUMENT_SPEC)
    dns.run(ensure_record)


if __name__ == "__main__":
    main()
