# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module's main() for real against a small in-memory OSS that answers with OSS's own XML documents.

The fake replaces the HTTP session the client builds (``_http.new_session``), so everything above the
transport (signing, retries, XML parsing, error mapping, AnsibleModule) is the code that ships.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils import _binding, _http
from ansible_collections.alicloud.oss.tests.unit.compat import module_answer, patch_module_args
from ansible_collections.alicloud.oss.tests.unit.fake_http import canned_response

BUCKET = "my-bucket"
OWNER = "1234567890123456"
ACCESS_KEY_ID = "LTAI5tModuleTestKeyId"
ACCESS_KEY_SECRET = "ModuleTestSecret-must-not-leak-7c1d"
BASE_ARGS = {
    "access_key_id": ACCESS_KEY_ID,
    "access_key_secret": ACCESS_KEY_SECRET,
    "region": "cn-hangzhou",
    "endpoint": "http://127.0.0.1:9",
    "bucket": BUCKET,
}
WRITE_OPERATIONS = ("CreateCnameToken", "PutCname", "DeleteCname")


def rfc1123(when: datetime) -> str:
    return format_datetime(when.astimezone(timezone.utc), usegmt=True)


def _now():
    return datetime.now(timezone.utc)


class Sent(NamedTuple):
    """One request as the fake OSS received it."""

    method: str
    url: str
    path: str
    query: tuple  # ((name, value), ...) in wire order; a bare sub-resource has value ""
    headers: dict
    body: bytes | None
    operation: str

    @property
    def params(self) -> dict:
        return dict(self.query)

    @property
    def xml(self):
        return ET.fromstring(self.body) if self.body else None

    @property
    def domain(self) -> str | None:
        """The domain the request is about, as users write it: the cname query value (GetCnameToken) or the body's
        Domain, with *. in front when the request states a wildcard."""
        base = self.xml.findtext("Cname/Domain") if self.body else self.params.get("cname")
        if not base:
            return None
        return "*." + base if self.kind == "true" else base

    @property
    def kind(self) -> str | None:
        """The kind the request states (the wildcard parameter, or PutCname's IsWildCard), None when it states none."""
        if self.operation == "PutCname":
            return self.xml.findtext("Cname/IsWildCard") if self.body else None
        return self.params.get("wildcard")

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname

    @property
    def bucket(self) -> str:
        """The bucket addressed: the first label of a virtual-hosted OSS host, else the first path segment."""
        host = self.host
        if host.endswith(".aliyuncs.com") and not host.startswith("oss-"):
            return host.split(".", 1)[0]
        return self.path.strip("/").split("/", 1)[0]

    @property
    def signing_region(self) -> str | None:
        """The region of a V4 signature's scope (Credential=<key>/<date>/<region>/oss/aliyun_v4_request)."""
        authorization = self.headers.get("Authorization", "")
        if "Credential=" not in authorization:
            return None
        return authorization.split("Credential=", 1)[1].split(",", 1)[0].split("/")[2]

    @property
    def cert_config(self) -> dict | None:
        """CertificateConfiguration children as {tag: text}, or None when the body has none."""
        root = self.xml
        config = root.find("Cname/CertificateConfiguration") if root is not None else None
        if config is None:
            return None
        return {child.tag: child.text for child in config}


class Failure:
    """An error the fake answers instead of doing the operation, `times` times (None: always)."""

    def __init__(self, operation, domain, status, code, message, ec, times, extra, raw_body=None, bucket=None):
        self.bucket = bucket
        self.operation = operation
        self.domain = domain
        self.status = status
        self.code = code
        self.message = message
        self.ec = ec
        self.times = times
        self.extra = extra
        self.raw_body = raw_body

    def matches(self, operation, domain, bucket=None):
        wanted_domain = self.domain is None or self.domain == domain
        wanted_bucket = self.bucket is None or self.bucket == bucket
        return self.operation == operation and wanted_domain and wanted_bucket and self.times != 0


class FakeOss:
    """Bucket bindings, certificates and CNAME tokens in memory; every request recorded."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = []
        self.bindings = {}  # (bucket, domain) -> {"last_modified", "status", "certificate"}
        self.tokens = {}  # (bucket, domain) -> (token, expire datetime)
        self.failures = []
        self.unverified = set()  # domains whose first bind OSS refuses with NeedVerifyDomainOwnership
        self.no_token_needed = set()  # domains for which CreateCnameToken answers NoNeedCreateCnameToken
        self.empty_list_404 = False  # an empty listing as 404 NoSuchCname (older OSS) instead of an empty document
        self.delete_missing_404 = False  # DeleteCname of an unbound domain as 404 NoSuchCname (older OSS)
        self.uploads = {}  # cert_id -> fingerprint of PEM uploads
        self.barrier = None  # set to a threading.Barrier to prove requests overlap
        self.transport_error = None  # an exception the session raises instead of answering
        self.in_flight = 0
        self.max_in_flight = 0
        self.sessions = []
        self._request_number = 0
        self.account_buckets = []  # (name, Region element or None, Location element or None) that ListBuckets lists
        self.list_page_size = 1000  # buckets per ListBuckets page at most (below max-keys, to test paging cheaply)

    def add_buckets(self, *names, region="cn-hangzhou"):
        """Buckets ListBuckets lists, in `region` (Region cn-hangzhou, Location oss-cn-hangzhou)."""
        for name in names:
            self.account_buckets.append((name, region, f"oss-{region}"))

    # ---- set-up helpers

    def bind(self, domain, certificate=None, bucket=BUCKET, status="Enabled"):
        self.bindings[(bucket, domain)] = {"last_modified": "2021-09-15T02:35:07.000Z", "status": status, "certificate": certificate}

    def token(self, domain, value=None, expires_in=72 * 3600, bucket=BUCKET):
        value = value or secrets.token_hex(16)
        self.tokens[(bucket, domain)] = (value, (_now() + timedelta(seconds=expires_in)).replace(microsecond=0))
        return value

    def fail(
        self,
        operation,
        domain=None,
        code="AccessDenied",
        status=403,
        message="You have no right to access this object.",
        ec="0003-00000001",
        times=None,
        raw_body=None,
        only_bucket=None,
        **extra,
    ):
        """Answer `operation` (for `domain` and `only_bucket`, or any) with an OSS error document, or with raw_body when given."""
        self.failures.append(Failure(operation, domain, status, code, message, ec, times, extra, raw_body, only_bucket))

    @staticmethod
    def certificate(cert_id="493000001-cn-hangzhou", fingerprint=None, cert_type="CAS"):
        """A bound certificate as ListCname reports it."""
        if fingerprint is None:
            fingerprint = _colon_hex(hashlib.sha1(cert_id.encode()).hexdigest())
        return {
            "Type": cert_type,
            "CertId": cert_id,
            "Status": "Enabled",
            "CreationDate": "Wed, 15 Sep 2021 02:35:06 GMT",
            "Fingerprint": fingerprint,
            "ValidStartDate": "Wed, 12 Apr 2023 10:14:51 GMT",
            "ValidEndDate": "Mon, 4 May 2048 10:14:51 GMT",
        }

    # ---- inspection helpers

    def domains(self, bucket=BUCKET):
        return sorted(domain for (name, domain) in self.bindings if name == bucket)

    def bound_certificate(self, domain, bucket=BUCKET):
        return self.bindings[(bucket, domain)]["certificate"]

    def operations(self):
        return [sent.operation for sent in self.sent]

    def writes(self):
        return [sent for sent in self.sent if sent.operation in WRITE_OPERATIONS]

    def of(self, operation):
        return [sent for sent in self.sent if sent.operation == operation]

    # ---- the transport

    def new_session(self, pool_size=10):
        session = FakeSession(self)
        session.pool_size = pool_size  # connections urllib3 would keep per host
        self.sessions.append(session)
        return session

    def handle(self, method, url, headers, data):
        parts = urlsplit(url)
        query = tuple(_pair(item) for item in parts.query.split("&") if item)
        operation = _operation(method, dict(query))
        body = bytes(data) if data is not None else None
        sent = Sent(method, url, parts.path, query, dict(headers or {}), body, operation)
        with self.lock:
            self.sent.append(sent)
            if self.transport_error is not None:
                raise self.transport_error
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.barrier is not None and operation in WRITE_OPERATIONS:
                self.barrier.wait()
            with self.lock:
                return self._answer(sent)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _answer(self, sent):
        self._request_number += 1
        request_id = "67F1%020X" % self._request_number
        bucket = sent.bucket
        try:
            if not sent.headers.get("Authorization", "").startswith(("OSS4-HMAC-SHA256 ", "OSS ")):
                raise _Error(403, "AccessDenied", "The request is not signed.")
            if sent.body is not None:
                md5 = base64.b64encode(hashlib.md5(sent.body).digest()).decode()
                if sent.headers.get("Content-MD5") not in (None, md5):
                    raise _Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
            for failure in self.failures:
                if failure.matches(sent.operation, sent.domain, bucket):
                    if failure.times is not None:
                        failure.times -= 1
                    if failure.raw_body is not None:
                        return _response(failure.status, failure.raw_body, request_id, "text/html")
                    raise _Error(failure.status, failure.code, failure.message, failure.ec, failure.extra)
            _check_kind(sent, bucket)
            handler = getattr(self, "_op_" + sent.operation, None)
            if handler is None:
                raise _Error(400, "InvalidArgument", f"Unknown request {sent.method} {sent.url}.")
            body = handler(bucket, sent)
            return _response(200, body, request_id)
        except _Error as exc:
            return _response(exc.status, exc.document(request_id, bucket), request_id)

    # ---- operations

    def _op_ListBuckets(self, bucket, sent):
        params = sent.params
        prefix, marker = params.get("prefix", ""), params.get("marker", "")
        names = sorted(entry for entry in self.account_buckets if entry[0].startswith(prefix) and entry[0] > marker)
        page = names[: min(int(params.get("max-keys", "100")), self.list_page_size)]
        root = ET.Element("ListAllMyBucketsResult")
        if len(page) < len(names):
            ET.SubElement(root, "IsTruncated").text = "true"
            ET.SubElement(root, "NextMarker").text = page[-1][0]
        owner = ET.SubElement(root, "Owner")
        ET.SubElement(owner, "ID").text = OWNER
        ET.SubElement(owner, "DisplayName").text = OWNER
        buckets = ET.SubElement(root, "Buckets")
        for name, region, location in page:
            element = ET.SubElement(buckets, "Bucket")
            ET.SubElement(element, "Name").text = name
            ET.SubElement(element, "CreationDate").text = "2024-01-01T00:00:00.000Z"
            if location:
                ET.SubElement(element, "Location").text = location
            if region:
                ET.SubElement(element, "Region").text = region
        return _document(root)

    def _op_ListCname(self, bucket, sent):
        entries = [(domain, binding) for (name, domain), binding in sorted(self.bindings.items()) if name == bucket]
        if not entries and self.empty_list_404:
            raise _Error(404, "NoSuchCname", "The specified cname does not exist.", "0018-00000300")
        root = ET.Element("ListCnameResult")
        ET.SubElement(root, "Bucket").text = bucket
        ET.SubElement(root, "Owner").text = OWNER
        for domain, binding in entries:
            cname = ET.SubElement(root, "Cname")
            ET.SubElement(cname, "Domain").text = domain.removeprefix("*.")
            ET.SubElement(cname, "LastModified").text = binding["last_modified"]
            ET.SubElement(cname, "Status").text = binding["status"]
            ET.SubElement(cname, "IsPurgeCdnCache").text = "false"
            if domain.startswith("*."):
                ET.SubElement(cname, "IsWildCard").text = "true"
            if binding["certificate"]:
                cert = ET.SubElement(cname, "Certificate")
                for tag, text in binding["certificate"].items():
                    ET.SubElement(cert, tag).text = text
        return _document(root)

    def _op_GetCnameToken(self, bucket, sent):
        domain = sent.domain or ""
        if not domain:
            raise _Error(400, "InvalidArgument", "The cname parameter is required.")
        if (bucket, domain) not in self.tokens:
            raise _Error(404, "CnameTokenNotFound", "Cname token not found.", "0018-00000301")
        return self._token_document(bucket, domain)

    def _op_CreateCnameToken(self, bucket, sent):
        domain = sent.domain
        if domain in self.no_token_needed:
            raise _Error(403, "NoNeedCreateCnameToken", "The CNAME token is in effect. You do not need to create a new CNAME token", "0018-00000302")
        current = self.tokens.get((bucket, domain))
        if current is None or current[1] <= _now():
            self.token(domain, bucket=bucket)
        return self._token_document(bucket, domain)

    def _token_document(self, bucket, domain):
        value, expires = self.tokens[(bucket, domain)]
        root = ET.Element("CnameToken")
        ET.SubElement(root, "Bucket").text = bucket
        ET.SubElement(root, "Cname").text = domain.removeprefix("*.")
        ET.SubElement(root, "Token").text = value
        ET.SubElement(root, "ExpireTime").text = rfc1123(expires)
        return _document(root)

    def _op_PutCname(self, bucket, sent):
        domain = sent.domain
        if not domain:
            raise _Error(400, "MalformedXML", "The XML you provided was not well-formed.")
        binding = self.bindings.get((bucket, domain))
        if binding is None and domain in self.unverified:
            raise _Error(403, "NeedVerifyDomainOwnership", "Please verify domain ownership by CreateCnameToken and try again.", "0018-00000115")
        certificate = self._certificate_change(binding, sent.cert_config)
        if binding is None:
            self.bind(domain, bucket=bucket)
            binding = self.bindings[(bucket, domain)]
        if certificate is not None:
            binding["certificate"] = certificate or None
        return b""

    def _certificate_change(self, binding, config):
        """None: leave the certificate alone; {}: remove it; else the new certificate."""
        if config is None:
            return None
        force = config.get("Force") == "true"
        if config.get("DeleteCertificate") is not None and config.get("Force") is not None:
            raise _Error(400, "MalformedXML", "Force and DeleteCertificate cannot be specified together.")
        bound = binding["certificate"]["CertId"] if binding and binding["certificate"] else None
        previous = config.get("PreviousCertId")
        if not force and previous is not None and previous != bound:
            raise _Error(400, "InvalidArgument", "PreviousCertId does not match the current certificate.", "0018-00000209")
        if config.get("DeleteCertificate") == "true":
            return {}
        if config.get("CertId"):
            if config.get("Certificate") or config.get("PrivateKey"):
                raise _Error(400, "InvalidArgument", "Specify either CertId or Certificate with PrivateKey, not both.")
            new = self.certificate(config["CertId"], self.uploads.get(config["CertId"]))
        elif config.get("Certificate") and config.get("PrivateKey"):
            cert_id = "%d-cn-hangzhou" % (20000000 + len(self.uploads))
            self.uploads[cert_id] = _pem_fingerprint(config["Certificate"])
            new = self.certificate(cert_id, self.uploads[cert_id])
        else:
            raise _Error(400, "InvalidArgument", "A private key was sent without its certificate.", "0018-00000210")
        if not force and previous is None and bound is not None:
            raise _Error(400, "InvalidArgument", "A certificate is already bound: specify PreviousCertId or set Force.", "0018-00000209")
        return new

    def _op_DeleteCname(self, bucket, sent):
        domain = sent.domain
        if (bucket, domain) not in self.bindings:
            if self.delete_missing_404:
                raise _Error(404, "NoSuchCname", "The specified cname does not exist.", "0018-00000300")
            return b""
        del self.bindings[(bucket, domain)]
        return b""


KINDED_OPERATIONS = ("CreateCnameToken", "GetCnameToken", "PutCname", "DeleteCname")


def _check_kind(sent, bucket):
    """An Agentic Bucket needs every kinded request to state its kind; a standard bucket has no wildcards."""
    if sent.operation not in KINDED_OPERATIONS:
        return
    if bucket.endswith("-ab-apsr") and sent.kind not in ("true", "false"):
        raise _Error(400, "InvalidArgument", "The kind (wildcard or IsWildCard) must be stated for an Agentic Bucket.")
    if not bucket.endswith("-ab-apsr") and sent.kind is not None:
        raise _Error(400, "InvalidArgument", "This fake takes no kind for a standard bucket: the collection never sends one there.")


class FakeSession:
    """What OssClient uses of requests.Session."""

    def __init__(self, oss):
        self.oss = oss
        self.headers = {}
        self.closed = False
        self.mounted = {}  # prefix -> adapter, as requests.Session.mount keeps them

    def request(self, method, url, headers=None, data=None, **_kwargs):
        return self.oss.handle(method, url, headers, data)

    def mount(self, prefix, adapter):
        self.mounted[prefix] = adapter

    def close(self):
        self.closed = True


class _Error(Exception):
    def __init__(self, status, code, message, ec=None, extra=None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.ec = ec
        self.extra = extra or {}

    def document(self, request_id, bucket):
        root = ET.Element("Error")
        ET.SubElement(root, "Code").text = self.code
        ET.SubElement(root, "Message").text = self.message
        ET.SubElement(root, "RequestId").text = request_id
        ET.SubElement(root, "HostId").text = f"{bucket}.oss-cn-hangzhou.aliyuncs.com"
        for tag, text in self.extra.items():
            ET.SubElement(root, tag).text = text
        if self.ec:
            ET.SubElement(root, "EC").text = self.ec
        return _document(root)


def _document(root) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _response(status, body, request_id, content_type="application/xml"):
    headers = {"x-oss-request-id": request_id, "Server": "AliyunOSS"}
    if body:
        headers["Content-Type"] = content_type
    headers["Content-Length"] = str(len(body))
    return canned_response(None, status, body, headers)


def _pair(item):
    name, _sep, value = item.partition("=")
    return unquote(name), unquote(value)


def _operation(method, params):
    if method == "GET" and "cname" not in params and "comp" not in params:
        return "ListBuckets"
    if method == "GET" and params.get("comp") == "token":
        return "GetCnameToken"
    if method == "GET" and "cname" in params and "comp" not in params:
        return "ListCname"
    if method == "POST" and "cname" in params:
        return {"token": "CreateCnameToken", "add": "PutCname", "delete": "DeleteCname"}.get(params.get("comp"), "Unknown")
    return "Unknown"


def _colon_hex(hexdigest):
    text = hexdigest.upper()
    return ":".join(text[i : i + 2] for i in range(0, len(text), 2))


def _pem_fingerprint(pem: str) -> str:
    """SHA-1 of the first certificate's DER, computed independently of the module (with cryptography)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    return _colon_hex(x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA1()).hex())


class Run:
    """A module run: its JSON result, the raw stdout and the exit code."""

    def __init__(self, result: dict, stdout: str, rc: int):
        self.result = result
        self.stdout = stdout
        self.rc = rc

    def __getitem__(self, key):
        return self.result[key]

    def __contains__(self, key):
        return key in self.result

    def get(self, key, default=None):
        return self.result.get(key, default)


@pytest.fixture
def fake_oss(monkeypatch):
    oss = FakeOss()
    monkeypatch.setattr(_http, "new_session", oss.new_session)
    return oss


@pytest.fixture
def run_module(fake_oss, capsys):
    """run_module(module, **args) -> Run; BASE_ARGS supply credentials, region, endpoint and bucket."""

    def run(module, **args) -> Run:
        full = dict(BASE_ARGS)
        full.update(args)
        capsys.readouterr()
        with patch_module_args(full):
            with pytest.raises(SystemExit) as exit_info:
                module.main()
        result, stdout, _registered = module_answer(capsys.readouterr().out)
        rc = exit_info.value.code or 0
        assert bool(result.get("failed")) == (rc != 0), stdout
        assert ACCESS_KEY_SECRET not in stdout
        assert all(session.closed for session in fake_oss.sessions), "the module left its HTTP session open"
        return Run(result, stdout, rc)

    return run


class FakeTime:
    """Stands in for the time module of _binding, where binds wait for ownership: sleeping only moves a virtual clock."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch):
    clock = FakeTime()
    monkeypatch.setattr(_binding, "time", clock)
    return clock
