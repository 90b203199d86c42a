# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's mutable world: bindings, tokens, the DNS table, uploaded certificates; optional JSON persistence.

Nothing secret is ever stored: certificates keep only what ListCname shows, never PEM or private keys.
"""

import dataclasses
import json
import os
import tempfile
import threading

from .objects import ObjectStore
from .timefmt import iso8601_ms, parse_iso8601

STATE_FILE_VERSION = 1


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
        self.dns = {}  # lower-case record name -> list of TXT values
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
    def publish_txt(self, name, value):
        values = self.dns.setdefault(name.lower().rstrip("."), [])
        if value not in values:
            values.append(value)

    def remove_txt(self, name, value=None):
        name = name.lower().rstrip(".")
        if value is None:
            self.dns.pop(name, None)
            return
        values = [item for item in self.dns.get(name, []) if item != value]
        if values:
            self.dns[name] = values
        else:
            self.dns.pop(name, None)

    def txt_values(self, name):
        return list(self.dns.get(name.lower(), []))

    # --- whole-state operations ---------------------------------------------------------------------------
    def reset(self):
        for bucket in self.buckets.values():
            bucket.bindings.clear()
        self.tokens.clear()
        self.dns.clear()
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
            "dns": {name: list(values) for name, values in sorted(self.dns.items())},
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
        for name, values in document.get("dns", {}).items():
            self.dns[name] = list(values)
        self.objects.load(document.get("objects", {}), self.buckets)

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
