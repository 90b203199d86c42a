# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unauthenticated control endpoint under /_emulator/: DNS records, faults, clock, log, state. JSON in and out."""

import json

from .config import OWNERSHIP_MODES
from .faults import FaultError, fault_from_spec

PREFIX = "/_emulator/"


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def handle_control(core, method, path, query_pairs, body):
    """Return (status, JSON-serialisable answer) for one control request."""
    route = ROUTES.get((method, path[len(PREFIX) :].rstrip("/")))
    if route is None:
        return 404, {"ok": False, "error": "no control route %s %s" % (method, path)}
    try:
        payload = _json_body(body) if method == "POST" else {}
        return 200, route(core, payload, dict((name, value or "") for name, value in query_pairs))
    except ControlError as error:
        return error.status, {"ok": False, "error": str(error)}
    except FaultError as error:
        return 400, {"ok": False, "error": str(error)}


def _json_body(body):
    if not body:
        return {}
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise ControlError(400, "body is not JSON: %s" % error)
    if not isinstance(payload, dict):
        raise ControlError(400, "body must be a JSON object")
    return payload


def _field(payload, name, kinds):
    value = payload.get(name)
    if not isinstance(value, kinds) or isinstance(value, bool):
        raise ControlError(400, "%s is required (%s)" % (name, " or ".join(kind.__name__ for kind in kinds)))
    return value


def _health(core, payload, query):
    return {"ok": True}


def _publish_dns(core, payload, query):
    record_type = str(payload.get("type", "TXT")).upper()
    if record_type != "TXT":
        raise ControlError(400, "only TXT records are emulated")
    name, value = _field(payload, "name", (str,)), _field(payload, "value", (str,))
    # 'changed' lets a playbook use this endpoint the way it would use an idempotent DNS module.
    return {"ok": True, "changed": core.publish_txt(name, value)}


def _remove_dns(core, payload, query):
    if not query.get("name"):
        raise ControlError(400, "name query parameter is required")
    core.remove_txt(query["name"], query.get("value") or None)
    return {"ok": True}


def _list_dns(core, payload, query):
    return core.snapshot()["dns"]


def _list_dns_records(core, payload, query):
    """Every record (zone records and external ones), oldest first; ?name= or ?zone= narrow the list."""
    records = core.snapshot()["dns_records"]
    for key in ("name", "zone"):
        if query.get(key):
            records = [record for record in records if record[key] == query[key].lower().rstrip(".")]
    return records


def _dns_propagation(core, payload, query):
    seconds = _field(payload, "seconds", (int, float))
    if seconds < 0:
        raise ControlError(400, "seconds must not be negative")
    core.settings.dns_propagation_seconds = seconds
    return _dns_propagation_state(core, payload, query)


def _dns_propagation_state(core, payload, query):
    return {"ok": True, "seconds": core.settings.dns_propagation_seconds}


def _requests(core, payload, query):
    return core.log.entries()


def _clear_requests(core, payload, query):
    core.log.clear()
    return {"ok": True}


def _add_fault(core, payload, query):
    fault = fault_from_spec(payload)
    core.faults.add(fault)
    return {"ok": True, "fault": fault.as_dict()}


def _list_faults(core, payload, query):
    return core.faults.pending()


def _clear_faults(core, payload, query):
    core.faults.clear()
    return {"ok": True}


def _latency(core, payload, query):
    milliseconds = _field(payload, "ms", (int, float))
    if milliseconds < 0:
        raise ControlError(400, "ms must not be negative")
    core.latency_ms = milliseconds
    return {"ok": True, "ms": milliseconds}


def _clock(core, payload, query):
    if "offset" in payload:
        core.clock.offset = float(_field(payload, "offset", (int, float)))
    else:
        core.clock.offset += float(_field(payload, "advance", (int, float)))
    return _clock_state(core, payload, query)


def _clock_state(core, payload, query):
    return {"ok": True, "offset_seconds": core.clock.offset, "service_time": core.clock.service().isoformat(), "wall_time": core.clock.wall().isoformat()}


def _ownership(core, payload, query):
    mode = payload.get("mode")
    if mode not in OWNERSHIP_MODES:
        raise ControlError(400, "mode must be one of %s" % ", ".join(OWNERSHIP_MODES))
    core.settings.ownership = mode
    return {"ok": True, "mode": mode}


def _credentials(core, payload, query):
    core.add_credential(
        _field(payload, "access_key_id", (str,)),
        _field(payload, "access_key_secret", (str,)),
        str(_field(payload, "owner", (str, int))),
        payload.get("security_token"),
        payload.get("expiration"),
    )
    return {"ok": True}


def _metadata(core, payload, query):
    metadata = core.metadata
    for name in ("hardened", "token_api"):
        if name in payload:
            if not isinstance(payload[name], bool):
                raise ControlError(400, "%s must be true or false" % name)
            setattr(metadata, name, payload[name])
    if "role" in payload:
        role = payload["role"]
        if role is not None and (not isinstance(role, str) or core.sts.role_by_name(role) is None):
            raise ControlError(400, "role must be null or the name of a configured role")
        metadata.role = role
    return dict(metadata.settings(), ok=True)


def _metadata_state(core, payload, query):
    return dict(core.metadata.settings(), ok=True)


def _sts(core, payload, query):
    return {"ok": True, "issued": list(core.sts.issued)}


def _state(core, payload, query):
    return core.snapshot()


def _reset(core, payload, query):
    core.reset()
    return {"ok": True}


ROUTES = {
    ("GET", "health"): _health,
    ("POST", "dns"): _publish_dns,
    ("DELETE", "dns"): _remove_dns,
    ("GET", "dns"): _list_dns,
    ("GET", "dns/records"): _list_dns_records,
    ("POST", "dns/propagation"): _dns_propagation,
    ("GET", "dns/propagation"): _dns_propagation_state,
    ("GET", "requests"): _requests,
    ("DELETE", "requests"): _clear_requests,
    ("POST", "faults"): _add_fault,
    ("GET", "faults"): _list_faults,
    ("DELETE", "faults"): _clear_faults,
    ("POST", "latency"): _latency,
    ("POST", "clock"): _clock,
    ("GET", "clock"): _clock_state,
    ("POST", "ownership"): _ownership,
    ("POST", "credentials"): _credentials,
    ("POST", "metadata"): _metadata,
    ("GET", "metadata"): _metadata_state,
    ("GET", "sts"): _sts,
    ("GET", "state"): _state,
    ("POST", "reset"): _reset,
}
