# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP front end (standard library ThreadingHTTPServer) and the in-process `Emulator` API used by pytest."""

import base64
import json
import secrets
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import request as req
from .control import PREFIX as CONTROL_PREFIX, handle_control
from .core import Answer, EmulatorCore
from .dns import SERVICE as DNS_SERVICE, DnsCall, DnsError, error_document as dns_error_document, is_dns_request
from .faults import broken_answer, broken_dns_answer, fault_from_spec
from .objects import cname_addressing, route as object_route
from .sts import is_sts_request
from .timefmt import iso8601_ms, rfc1123
from .xmldocs import parse_cname_body, peek_domain

MAX_BODY_BYTES = 1024 * 1024


class BadRequestBody(Exception):
    pass


class OssHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like OSS; every answer carries Content-Length
    server_version = "AliyunOSS"
    timeout = 60  # idle keep-alive connections give their thread back eventually
    disable_nagle_algorithm = True  # headers and body go out in two writes; Nagle would hold the second for ~40 ms

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    def log_message(self, format, *args):
        """Silence the default stderr access log: the JSON request log is the record."""

    @property
    def core(self):
        return self.server.core

    def _handle(self):
        started = time.monotonic()
        url = urlsplit(self.path)
        try:
            body = self._read_body()
        except BadRequestBody as error:
            self.close_connection = True
            self._send_json(400, {"ok": False, "error": str(error)})
            return
        if url.path.startswith(CONTROL_PREFIX):
            status, payload = handle_control(self.core, self.command, url.path, req.parse_query(url.query), body)
            self._send_json(status, payload)
            return
        query_pairs = req.parse_query(url.query)
        if is_dns_request(self.command, url.path, query_pairs, body):
            self._handle_dns(url, query_pairs, body, started)
            return
        if self._handle_credential_services(url, body):
            return
        self._handle_oss(url, body, started)

    # --- STS and the ECS metadata service (not OSS requests: no faults, no request log) -------------------------
    def _handle_credential_services(self, url, body):
        core = self.core
        if url.path.startswith("/latest/"):
            status, content_type, answer = core.metadata.answer(self.command, url.path, req.header_dict(self.headers.items()))
            self._send(status, content_type, answer)
            return True
        query_pairs = req.parse_query(url.query)
        if not is_sts_request(self.command, url.path, query_pairs, body):
            return False
        host = req.host_without_port(self.headers.get("Host", ""))
        status, answer = core.sts.answer(self.command, query_pairs, req.header_dict(self.headers.items()), body, host)
        self._send(status, "application/json;charset=utf-8", answer)
        return True

    # --- OSS requests -----------------------------------------------------------------------------------------
    def _handle_oss(self, url, body, started):
        core = self.core
        request = self._build_request(url, body)
        request_id = "%08X%s" % (int(time.time()), secrets.token_hex(8).upper())
        host_id = req.host_without_port(request.host) or "localhost"
        entry = _log_entry(request, request_id, core.clock.wall())
        fault = core.faults.take(request.operation)
        self._pause(fault)
        answer = core.answer(request, request_id, host_id) if fault is None or fault.apply else None
        if fault is not None and fault.kind != "delay":
            answer = broken_answer(fault, request.operation, answer.body if answer else None, request_id, host_id)
        self._finish(entry, fault, answer, started, request_id, "x-oss-request-id")

    # --- Alibaba Cloud DNS requests ---------------------------------------------------------------------------
    def _handle_dns(self, url, query_pairs, body, started):
        core = self.core
        call = DnsCall(self.command, query_pairs, req.header_dict(self.headers.items()), body)
        request_id = str(uuid.uuid4()).upper()
        host = req.host_without_port(self.headers.get("Host", "")) or "alidns.aliyuncs.com"
        entry = _dns_log_entry(call, url.path, request_id, core.clock.wall())
        fault = core.faults.take(call.action, DNS_SERVICE)
        self._pause(fault)
        answer = None
        if fault is None or fault.apply:
            status, document, code = core.dns.answer(call, request_id, host)
            answer = Answer(status, "application/json;charset=utf-8", document, code)
        if fault is not None and fault.kind != "delay":

            def error_body(code, message):
                return json.dumps(dns_error_document(DnsError(fault.status, code, message), request_id, host)).encode("utf-8")

            answer = broken_dns_answer(fault, answer.body if answer else None, error_body)
        self._finish(entry, fault, answer, started, request_id, "x-acs-request-id")

    # --- shared by the logged services ------------------------------------------------------------------------
    def _pause(self, fault):
        if self.core.latency_ms:
            time.sleep(self.core.latency_ms / 1000.0)
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay_ms / 1000.0)

    def _finish(self, entry, fault, answer, started, request_id, id_header):
        if fault is not None:
            entry["fault"] = fault.kind
        dropped = getattr(answer, "drop", False)
        if not dropped:
            entry.update(status=answer.status, code=answer.code)
        # Logged before answering, so a client that has its answer always finds the entry in the log.
        entry["duration_ms"] = round((time.monotonic() - started) * 1000.0, 3)
        self.core.log.append(entry)
        if dropped:
            self.close_connection = True  # no status line at all: the client sees the connection close
        else:
            self._send(answer.status, answer.content_type, answer.body, request_id, getattr(answer, "ec", None), getattr(answer, "headers", None), id_header)

    def _build_request(self, url, body):
        host = self.headers.get("Host", "")
        # A custom domain bound to a bucket addresses that bucket, as OSS does once the domain's CNAME points at it.
        bucket, key, addressing = cname_addressing(self.core.state, host, url.path) or req.resolve_addressing(host, url.path, self.core.state.buckets)
        request = req.OssRequest(
            self.command, url.path, url.query, req.parse_query(url.query), req.header_dict(self.headers.items()), host, body, bucket, key, addressing
        )
        request.operation = object_route(request) or req.route(request)
        return request

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise BadRequestBody("invalid Content-Length")
        if length < 0 or length > MAX_BODY_BYTES:
            raise BadRequestBody("request body larger than %d bytes" % MAX_BODY_BYTES)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self):
        chunks = []
        total = 0
        while True:
            try:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
            except ValueError:
                raise BadRequestBody("invalid chunk size")
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise BadRequestBody("request body larger than %d bytes" % MAX_BODY_BYTES)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    # --- writing answers --------------------------------------------------------------------------------------
    def _send(self, status, content_type, body, request_id=None, ec=None, headers=None, id_header="x-oss-request-id"):
        self.send_response_only(status)
        self.send_header("Server", self.server_version)
        self.send_header("Date", rfc1123(self.core.clock.wall()))
        if request_id:
            self.send_header(id_header, request_id)
        if ec:
            self.send_header("x-oss-ec", ec)
        if self.command == "HEAD" and status >= 400 and body:
            # A HEAD answer carries no body: OSS sends the error document base64-encoded in this header instead.
            self.send_header("x-oss-err", base64.b64encode(body).decode("ascii"))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _send_json(self, status, payload):
        self._send(status, "application/json", json.dumps(payload, sort_keys=True).encode("utf-8"))


def _log_entry(request, request_id, now):
    domain = None
    if request.addressing == "cname":
        domain = req.host_without_port(request.host).lower()
    elif request.operation == req.GET_TOKEN:
        domain = (request.query_value("cname") or "").lower() or None
    elif request.body:
        domain = peek_domain(request.body)
    return {
        "time": iso8601_ms(now),
        "request_id": request_id,
        "service": "oss",
        "operation": request.operation,
        "method": request.method,
        "path": request.path,
        "query": request.raw_query,
        "bucket": request.bucket,
        "key": request.key or None,
        "domain": domain,
        "status": None,
        "code": None,
        "duration_ms": None,
        "access_key_id": _access_key_id(request),
        "signature_version": _signature_version(request),
        "addressing": request.addressing,
        "fault": None,
        "cert_action": _cert_action(request.body) if request.operation == req.PUT_CNAME else None,
        "cert_fields": _cert_fields(request.body) if request.operation == req.PUT_CNAME else None,
    }


def _dns_log_entry(call, path, request_id, now):
    """`operation` and `action` are both the DNS Action, so one count covers OSS and DNS; `params` never holds
    the Signature or the SecurityToken."""
    params = call.params
    return {
        "time": iso8601_ms(now),
        "request_id": request_id,
        "service": DNS_SERVICE,
        "operation": call.action,
        "action": call.action,
        "method": call.method,
        "path": path,
        "domain": (params.get("DomainName") or params.get("SubDomain") or "").lower().rstrip(".") or None,
        "access_key_id": params.get("AccessKeyId") or None,
        "signature_version": "rpc" if params.get("Signature") else None,
        "params": call.loggable_params(),
    }


def _signature_version(request):
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("OSS4-HMAC-SHA256 "):
        return "v4"
    return "v1" if authorization.startswith("OSS ") else None


def _access_key_id(request):
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("OSS4-HMAC-SHA256 "):
        credential = authorization.split("Credential=", 1)[-1] if "Credential=" in authorization else ""
        return credential.split("/", 1)[0] or None
    if authorization.startswith("OSS "):
        return authorization[4:].split(":", 1)[0].strip() or None
    return None


def _cert_action(body):
    """What a PutCname asks for with the certificate: none, cert_id, upload or delete (best effort, for the log)."""
    try:
        certificate = parse_cname_body(body).certificate
    except Exception:
        return "none"
    if certificate is None:
        return "none"
    if certificate.delete_certificate:
        return "delete"
    if certificate.certificate or certificate.private_key:
        return "upload"
    return "cert_id" if certificate.cert_id else "none"


def _cert_fields(body):
    """The CertificateConfiguration elements a PutCname carried, by name only (never values), so tests can check Force and PreviousCertId."""
    try:
        certificate = parse_cname_body(body).certificate
    except Exception:
        return []
    if certificate is None:
        return []
    names = (
        ("cert_id", "CertId"),
        ("certificate", "Certificate"),
        ("private_key", "PrivateKey"),
        ("previous_cert_id", "PreviousCertId"),
        ("force", "Force"),
        ("delete_certificate", "DeleteCertificate"),
    )
    return [tag for attribute, tag in names if getattr(certificate, attribute) not in (None, "")]


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, core):
        self.core = core
        super().__init__(address, OssHandler)

    def handle_error(self, request, client_address):
        """Clients that vanish mid-request or fail the TLS handshake are routine here, not tracebacks."""


class Emulator:
    """The OSS emulator in a background thread.

    with Emulator(config=..., clock=..., ownership='token') as emu:
        client = make_client(emu.endpoint)
        emu.clock_offset += 73 * 3600
    """

    def __init__(
        self,
        config=None,
        clock=None,
        ownership=None,
        latency_ms=0,
        request_log=None,
        state_file=None,
        host="127.0.0.1",
        port=0,
        tls_cert=None,
        tls_key=None,
        dns_propagation_seconds=None,
    ):
        self.core = EmulatorCore(config, clock, ownership, latency_ms, request_log, state_file, dns_propagation_seconds)
        self.host = host
        self.requested_port = port
        self.tls = (tls_cert, tls_key) if tls_cert else None
        self.endpoint = None
        self._server = None
        self._thread = None

    # --- life cycle -------------------------------------------------------------------------------------------
    def start(self):
        self._server = EmulatorHTTPServer((self.host, self.requested_port), self.core)
        scheme = "http"
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            # Handshakes happen in the per-connection thread, so one stuck client cannot block accept().
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
            scheme = "https"
        self.endpoint = "%s://%s:%d" % (scheme, self.host, self._server.server_address[1])
        # A short poll interval keeps stop() (and so every test teardown) fast.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="oss-emulator", daemon=True)
        self._thread.start()
        return self.endpoint

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
        self.core.log.close()

    def __enter__(self):
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1] if self._server else None

    # --- time, latency, ownership -----------------------------------------------------------------------------
    @property
    def clock_offset(self):
        """Seconds added to the service clock (token and STS expiry); clients keep signing with real time."""
        return self.core.clock.offset

    @clock_offset.setter
    def clock_offset(self, seconds):
        self.core.clock.offset = float(seconds)

    def advance_clock(self, seconds):
        self.core.clock.offset += seconds

    @property
    def latency_ms(self):
        return self.core.latency_ms

    @latency_ms.setter
    def latency_ms(self, milliseconds):
        self.core.latency_ms = milliseconds

    @property
    def ownership(self):
        return self.core.settings.ownership

    @ownership.setter
    def ownership(self, mode):
        if mode not in ("dns", "token"):
            raise ValueError("ownership must be dns or token")
        self.core.settings.ownership = mode

    # --- credentials ------------------------------------------------------------------------------------------
    @property
    def credential_lookup(self):
        """access_key_id -> auth.Credential or None; assign a function to plug in another credential source."""
        return self.core.credential_lookup

    @credential_lookup.setter
    def credential_lookup(self, lookup):
        self.core.credential_lookup = lookup

    def add_account(self, access_key_id, access_key_secret, owner):
        self.core.add_credential(access_key_id, access_key_secret, owner)

    def add_sts(self, access_key_id, access_key_secret, security_token, owner, expiration):
        """`expiration`: an aware datetime or an ISO 8601 string such as 2099-01-01T00:00:00Z."""
        self.core.add_credential(access_key_id, access_key_secret, owner, security_token, expiration)

    # --- STS and the ECS metadata service ----------------------------------------------------------------------
    def add_role(self, arn, owner, max_session_duration=3600, trusted_accounts=(), external_id=None):
        """A RAM role that AssumeRole (and the metadata service, by the role's name) hands credentials out for."""
        role = {
            "arn": arn,
            "owner": str(owner),
            "max_session_duration": max_session_duration,
            "trusted_accounts": [str(account) for account in trusted_accounts],
        }
        if external_id:
            role["external_id"] = external_id
        self.core.sts.roles[arn] = role

    def add_oidc_provider(self, arn, owner, token):
        """An OIDC provider whose (one, fixed) token AssumeRoleWithOIDC accepts for roles of the same owner."""
        self.core.sts.providers[arn] = {"arn": arn, "owner": str(owner), "token": token}

    @property
    def sts_issued(self):
        """Every credential set STS or the metadata service handed out: key id, how, role, session, expiration (no secrets)."""
        return list(self.core.sts.issued)

    @property
    def metadata(self):
        """The metadata service: set .hardened (GETs need a session token), .token_api (False: the token PUT answers 404), .role."""
        return self.core.metadata

    # --- DNS, faults, log, state ------------------------------------------------------------------------------
    def publish_txt(self, name, value):
        self.core.publish_txt(name, value)

    def remove_txt(self, name, value=None):
        self.core.remove_txt(name, value)

    def dns_records(self):
        """Every DNS record, oldest first, as GET /_emulator/dns/records lists them."""
        return self.core.snapshot()["dns_records"]

    @property
    def dns_propagation_seconds(self):
        """How long a TXT record must stay unchanged (service clock) before the ownership check sees it."""
        return self.core.settings.dns_propagation_seconds

    @dns_propagation_seconds.setter
    def dns_propagation_seconds(self, seconds):
        if seconds < 0:
            raise ValueError("dns_propagation_seconds must not be negative")
        self.core.settings.dns_propagation_seconds = seconds

    def add_fault(self, kind, count=1, **options):
        fault = fault_from_spec(dict(options, kind=kind, count=count))
        self.core.faults.add(fault)
        return fault

    def clear_faults(self):
        self.core.faults.clear()

    @property
    def requests(self):
        """A copy of the request log entries (OSS and DNS requests, oldest first; `service` tells them apart)."""
        return self.core.log.entries()

    def clear_requests(self):
        self.core.log.clear()

    def state(self):
        return self.core.snapshot()

    def reset(self):
        self.core.reset()
