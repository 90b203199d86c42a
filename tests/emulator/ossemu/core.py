# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator without HTTP: configuration, state, authentication, operations, faults and the log, wired together."""

import base64
import dataclasses
import datetime
import hashlib
import hmac
import sys
import traceback

from . import request as req
from .auth import Credential, CredentialStore, Verifier
from .config import Settings, load_config
from .dns import DnsService
from .errors import OssError, error_document, invalid_argument
from .faults import FaultQueue
from .objects import ObjectAnswer, ObjectOperations, is_anonymous_read
from .operations import Operations
from .requestlog import RequestLog
from .state import State
from .sts import MetadataService, StsService
from .timefmt import Clock, parse_iso8601


@dataclasses.dataclass
class Answer:
    status: int
    content_type: str = None
    body: bytes = b""
    code: str = None
    ec: str = None


class EmulatorCore:
    def __init__(self, config=None, clock=None, ownership=None, latency_ms=0, request_log=None, state_file=None, dns_propagation_seconds=None):
        self.config = load_config(config)
        self.clock = Clock(clock)
        self.settings = Settings(self.config, ownership, dns_propagation_seconds)
        self.state = State(self.config, state_file)
        self.credentials = CredentialStore(self.config)
        # Replaceable hook: access_key_id -> Credential or None (the STS AssumeRole support plugs in here).
        self.credential_lookup = self.credentials.lookup
        self.verifier = Verifier(self._lookup_credential, self.clock, self.settings.max_skew_seconds)
        # STS and the ECS metadata service hand out temporary credentials that the OSS side then accepts.
        self.sts = StsService(self)
        self.metadata = MetadataService(self, self.sts)
        self.dns = DnsService(self)
        self.operations = Operations(self.state, self.clock, self.settings)
        self.faults = FaultQueue()
        self.log = RequestLog(request_log)
        self.latency_ms = latency_ms
        self._dispatch = {
            req.CREATE_TOKEN: self.operations.create_cname_token,
            req.GET_TOKEN: self.operations.get_cname_token,
            req.PUT_CNAME: self.operations.put_cname,
            req.LIST_CNAME: self.operations.list_cname,
            req.DELETE_CNAME: self.operations.delete_cname,
        }
        self.objects = ObjectOperations(self.state, self.clock)
        self._dispatch.update(self.objects.dispatch())

    def _lookup_credential(self, access_key_id):
        # Resolved at call time so that assigning a new credential_lookup takes effect immediately.
        return self.credential_lookup(access_key_id)

    def answer(self, request, request_id, host_id):
        """Run one OSS request through bucket lookup, authentication and the operation; never raises OssError."""
        try:
            body = self._run(request)
        except OssError as error:
            return Answer(error.status, "application/xml", error_document(error, request_id, host_id), error.code, error.ec)
        except Exception:
            # An emulator bug: answer like OSS does for internal errors, and leave the traceback for whoever runs it.
            traceback.print_exc(file=sys.stderr)
            error = OssError(500, "InternalError", "We encountered an internal error. Please try again.")
            return Answer(500, "application/xml", error_document(error, request_id, host_id), error.code)
        if isinstance(body, ObjectAnswer):
            return body
        return Answer(200, "application/xml" if body else None, body)

    def _run(self, request):
        if request.operation == req.UNKNOWN:
            raise OssError(
                501, "NotImplemented", "The emulator implements only ListBuckets, CreateCnameToken, GetCnameToken, PutCname, ListCname and DeleteCname."
            )
        if request.operation == req.LIST_BUCKETS:
            return self._list_buckets(request)
        bucket = self.state.buckets.get(request.bucket)
        if bucket is None:
            raise OssError(404, "NoSuchBucket", "The specified bucket does not exist.", extra=[("BucketName", request.bucket)])
        if is_anonymous_read(request):
            with self.state.lock:
                return self.objects.read_anonymously(bucket, request)
        credential = self.verifier.verify(request, bucket.region)
        if credential.owner != bucket.owner:
            raise OssError(403, "AccessDenied", "The bucket you access does not belong to you.", extra=[("Bucket", bucket.name)])
        _check_digests(request)
        with self.state.lock:
            return self._dispatch[request.operation](bucket, request)

    def _list_buckets(self, request):
        """ListBuckets lists every region's buckets. Through an oss-<region> host the V4 scope must name that region; through
        any other host (127.0.0.1) there is no region to compare with, so any region signs."""
        credential = self.verifier.verify(request, req.region_of_host(request.host))
        _check_digests(request)
        with self.state.lock:
            return self.operations.list_buckets(credential.owner, request)

    # --- run-time administration (control endpoint and in-process API) --------------------------------------
    def add_credential(self, access_key_id, access_key_secret, owner, security_token=None, expiration=None):
        if isinstance(expiration, str):
            expiration = parse_iso8601(expiration)
        elif isinstance(expiration, datetime.datetime):
            expiration = expiration.astimezone(datetime.timezone.utc)
        self.credentials.add(Credential(access_key_id, access_key_secret, str(owner), security_token, expiration))

    def publish_txt(self, name, value):
        with self.state.lock:
            changed = self.state.publish_txt(name, value, self.clock.service())
            self.state.save()
        return changed

    def remove_txt(self, name, value=None):
        with self.state.lock:
            self.state.remove_txt(name, value)
            self.state.save()

    def snapshot(self):
        with self.state.lock:
            self.state.purge_expired_tokens(self.clock.service())
            snapshot = self.state.snapshot()
        snapshot.update(
            ownership=self.settings.ownership,
            clock_offset_seconds=self.clock.offset,
            latency_ms=self.latency_ms,
            dns_propagation_seconds=self.settings.dns_propagation_seconds,
        )
        return snapshot

    def reset(self):
        """Back to the config: bindings, tokens, DNS records, uploads, faults, metadata settings, clock offset and
        propagation delay; the log stays."""
        with self.state.lock:
            self.state.reset()
            self.state.save()
        self.faults.clear()
        self.metadata.reset()
        self.clock.offset = 0.0
        self.settings.ownership = self.settings.configured_ownership
        self.settings.dns_propagation_seconds = self.settings.configured_dns_propagation_seconds


def _check_digests(request):
    """Content-MD5 and a non-UNSIGNED x-oss-content-sha256 must describe the body that arrived."""
    md5 = request.headers.get("content-md5")
    if md5 and not hmac.compare_digest(md5.encode("utf-8"), base64.b64encode(hashlib.md5(request.body).digest())):
        raise OssError(400, "InvalidDigest", "The Content-MD5 you specified is not valid.")
    sha256 = request.headers.get("x-oss-content-sha256")
    if sha256 and sha256 != "UNSIGNED-PAYLOAD" and sha256.lower() != hashlib.sha256(request.body).hexdigest():
        raise invalid_argument("The x-oss-content-sha256 you specified does not match the request body.")
