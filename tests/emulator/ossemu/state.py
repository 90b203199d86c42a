# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's mutable world: bindings, tokens, DNS records, uploaded certificates; optional JSON persistence.

Nothing secret is ever stored: certificates keep only what ListCname shows, never PEM or private keys.
"""

import dataclasses
import datetime
import json
import os
import tempfile
import threading

from .objects import ObjectStore
from .timefmt import iso8601_ms, parse_iso8601

STATE_FILE_VERSION = 1
# Record ids are strings of digits like the service's; they keep growing across resets so that an old id never
# names a new record.
FIRST_RECORD_ID = 10**17
# Records from the config or from a state file written before the record store existed have always been there.
LONG_AGO = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)


@dataclasses.dataclass
class CertRecord:
    """A CAS certificate as ListCname describes it (pre-registered in the config or created by a PEM upload)."""

    cert_id: str
    owner: str
    fingerprint: str
    valid_start_date: str
    valid_end_date: str
    type: str = "CAS"
    status: str = "Enabled"

    def public_view(self):
        return {
            "cert_id": self.cert_id,
            "fingerprint": self.fingerprint,
            "type": self.type,
            "status": self.status,
            "valid_start_date": self.valid_start_date,
            "valid_end_date": self.valid_end_date,
        }


@dataclasses.dataclass
class BoundCertificate:
    """A certificate attached to one binding; `creation_date` is when it was bound (RFC 1123 string)."""

    record: CertRecord
    creation_date: str

    def public_view(self):
        view = self.record.public_view()
        view["creation_date"] = self.creation_date
        return view


@dataclasses.dataclass
class Binding:
    domain: str
    last_modified: object  # aware datetime
    status: str = "Enabled"
    certificate: object = None  # BoundCertificate or None

    def public_view(self):
        return {
            "status": self.status,
            "last_modified": iso8601_ms(self.last_modified),
            "certificate": self.certificate.public_view() if self.certificate else None,
        }


@dataclasses.dataclass
class Bucket:
    name: str
    region: str
    owner: str
    bindings: dict = dataclasses.field(default_factory=dict)  # domain -> Binding


@dataclasses.dataclass
class Token:
    bucket: str
    domain: str
    token: str
    expires: object  # aware datetime


@dataclasses.dataclass
class DnsRecord:
    """One DNS record. `zone` is None for a record outside every configured zone (published through the control
    endpoint: "external DNS", seen by the ownership check only). `changed` (service clock) starts propagation."""

    record_id: str
    name: str
    zone: object
    rr: str
    type: str
    value: str
    ttl: int
    changed: object
    created: object
    priority: object = None
    line: str = "default"
    status: str = "ENABLE"

    def view(self):
        view = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        view.update(changed=iso8601_ms(self.changed), created=iso8601_ms(self.created))
        return view


def record_from_view(view):
    values = dict(view, changed=parse_iso8601(view["changed"]), created=parse_iso8601(view["created"]))
    return DnsRecord(**values)


def full_name(rr, zone):
    return zone if rr == "@" else "%s.%s" % (rr, zone)


class State:
    """All mutable data, guarded by `lock`. Callers hold the lock for a whole operation and call `save()` after changes."""

    def __init__(self, config, state_file=None):
        self.lock = threading.RLock()
        self.state_file = state_file
        self.buckets = {}
        self.registered_certs = {}
        for item in config["buckets"]:
            self.buckets[item["name"]] = Bucket(item["name"], item["region"], str(item["owner"]))
        for item in config["certificates"]:
            record = CertRecord(
                item["cert_id"],
                str(item["owner"]),
                item["fingerprint"],
                item["valid_start_date"],
                item["valid_end_date"],
                item.get("type", "CAS"),
                item.get("status", "Enabled"),
            )
            self.registered_certs[record.cert_id] = record
        self.tokens = {}  # (bucket, domain) -> Token
        self.dns_zones = {zone["name"]: zone["owner"] for zone in config["dns_zones"]}  # name -> owner
        self._initial_dns = list(config["dns_records"])
        self._next_record_id = FIRST_RECORD_ID + len(self._initial_dns)
        self.dns_records = self._seed_dns()  # oldest first
        self.uploaded_certs = {}  # cert_id -> CertRecord
        self.objects = ObjectStore()
        if state_file and os.path.exists(state_file):
            self._load(state_file)

    # --- certificates -------------------------------------------------------------------------------------
    def find_cert(self, cert_id):
        return self.registered_certs.get(cert_id) or self.uploaded_certs.get(cert_id)

    def all_cert_ids(self):
        return set(self.registered_certs) | set(self.uploaded_certs)

    # --- tokens -------------------------------------------------------------------------------------------
    def purge_expired_tokens(self, now):
        for key in [key for key, token in self.tokens.items() if token.expires <= now]:
            del self.tokens[key]

    def bucket_token_count(self, bucket):
        return sum(1 for token in self.tokens.values() if token.bucket == bucket)

    # --- DNS ----------------------------------------------------------------------------------------------
    def _seed_dns(self):
        records = []
        for number, item in enumerate(self._initial_dns):
            name = full_name(item["rr"], item["zone"])
            record_id = str(FIRST_RECORD_ID + number)
            records.append(
                DnsRecord(record_id, name, item["zone"], item["rr"], item["type"], item["value"], item["ttl"], LONG_AGO, LONG_AGO, item.get("priority"))
            )
        return records

    def zone_of(self, name):
        """The longest configured zone that `name` is or ends in, or None."""
        zones = [zone for zone in self.dns_zones if name == zone or name.endswith("." + zone)]
        return max(zones, key=len) if zones else None

    def add_dns_record(self, zone, rr, record_type, value, ttl, now, priority=None, name=None):
        record_id = str(self._next_record_id)
        self._next_record_id += 1
        record = DnsRecord(record_id, name or full_name(rr, zone), zone, rr, record_type, value, ttl, now, now, priority)
        self.dns_records.append(record)
        return record

    def find_dns_record(self, record_id):
        return next((record for record in self.dns_records if record.record_id == record_id), None)

    def delete_dns_records(self, doomed):
        doomed_ids = {record.record_id for record in doomed}
        self.dns_records = [record for record in self.dns_records if record.record_id not in doomed_ids]

    def publish_txt(self, name, value, now):
        """A TXT record at `name` (inside its zone when one is configured), unless that value is already there."""
        name = name.lower().rstrip(".")
        if value in self.txt_values(name):
            return False
        zone = self.zone_of(name)
        rr = None if zone is None else ("@" if name == zone else name[: -len(zone) - 1])
        self.add_dns_record(zone, rr, "TXT", value, 600, now, name=name)
        return True

    def remove_txt(self, name, value=None):
        name = name.lower().rstrip(".")
        doomed = [record for record in self._txt_records(name) if value is None or record.value == value]
        self.delete_dns_records(doomed)

    def txt_values(self, name, settled_by=None):
        """TXT values at `name`; with `settled_by`, only those unchanged since then (propagated)."""
        records = self._txt_records(name.lower())
        return [record.value for record in records if settled_by is None or record.changed <= settled_by]

    def _txt_records(self, name):
        return [record for record in self.dns_records if record.type == "TXT" and record.name == name]

    def txt_table(self):
        """name -> TXT values: the shape GET /_emulator/dns has always answered."""
        table = {}
        for record in self.dns_records:
            if record.type == "TXT":
                table.setdefault(record.name, []).append(record.value)
        return dict(sorted(table.items()))

    # --- whole-state operations ---------------------------------------------------------------------------
    def reset(self):
        for bucket in self.buckets.values():
            bucket.bindings.clear()
        self.tokens.clear()
        self.dns_records = self._seed_dns()
        self.uploaded_certs.clear()
        self.objects.clear()

    def snapshot(self):
        """The JSON shape of GET /_emulator/state: buckets -> domains -> binding, plus tokens, DNS and uploads."""
        return {
            "buckets": {
                name: {domain: binding.public_view() for domain, binding in sorted(bucket.bindings.items())} for name, bucket in sorted(self.buckets.items())
            },
            "tokens": [
                {"bucket": token.bucket, "domain": token.domain, "token": token.token, "expire_time": iso8601_ms(token.expires)}
                for token in self.tokens.values()
            ],
            "dns": self.txt_table(),
            "dns_records": [record.view() for record in self.dns_records],
            "dns_next_record_id": self._next_record_id,
            "uploaded_certificates": [dict(record.public_view(), owner=record.owner) for record in self.uploaded_certs.values()],
            "objects": self.objects.snapshot(),
        }

    def save(self):
        """Write the state file atomically (temporary file in the same directory, then rename)."""
        if not self.state_file:
            return
        document = dict(self.snapshot(), version=STATE_FILE_VERSION)
        directory = os.path.dirname(os.path.abspath(self.state_file))
        handle, temp_path = tempfile.mkstemp(prefix=".ossemu-state-", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(document, stream, indent=2, sort_keys=True)
            os.replace(temp_path, self.state_file)
        except BaseException:
            os.unlink(temp_path)
            raise

    def _load(self, path):
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        for item in document.get("uploaded_certificates", []):
            record = CertRecord(
                item["cert_id"],
                item["owner"],
                item["fingerprint"],
                item["valid_start_date"],
                item["valid_end_date"],
                item.get("type", "CAS"),
                item.get("status", "Enabled"),
            )
            self.uploaded_certs[record.cert_id] = record
        for bucket_name, domains in document.get("buckets", {}).items():
            bucket = self.buckets.get(bucket_name)
            if bucket is None:
                continue  # the bucket left the config since the file was written
            for domain, view in domains.items():
                bucket.bindings[domain] = self._binding_from_view(domain, view)
        for item in document.get("tokens", []):
            token = Token(item["bucket"], item["domain"], item["token"], parse_iso8601(item["expire_time"]))
            self.tokens[(token.bucket, token.domain)] = token
        self._load_dns(document)
        self.objects.load(document.get("objects", {}), self.buckets)

    def _load_dns(self, document):
        if "dns_records" not in document:
            # A state file from before the record store: its TXT table only.
            for name, values in document.get("dns", {}).items():
                for value in values:
                    self.publish_txt(name, value, LONG_AGO)
            return
        self.dns_records = [record_from_view(view) for view in document["dns_records"]]
        self._next_record_id = max(self._next_record_id, document.get("dns_next_record_id", 0))

    def _binding_from_view(self, domain, view):
        certificate = None
        cert_view = view.get("certificate")
        if cert_view:
            record = self.find_cert(cert_view["cert_id"]) or CertRecord(
                cert_view["cert_id"],
                "",
                cert_view["fingerprint"],
                cert_view["valid_start_date"],
                cert_view["valid_end_date"],
                cert_view.get("type", "CAS"),
                cert_view.get("status", "Enabled"),
            )
            certificate = BoundCertificate(record, cert_view["creation_date"])
        return Binding(domain, parse_iso8601(view["last_modified"]), view.get("status", "Enabled"), certificate)
