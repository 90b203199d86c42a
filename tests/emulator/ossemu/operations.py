# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The five CNAME operations and their rules (reference sections 3 to 8).

Every method runs with the state lock held by the caller, returns the response body (bytes, empty for
PutCname and DeleteCname) and raises OssError for the documented failures.
"""

import datetime
import re
import secrets

from . import certs
from .errors import OssError, invalid_argument, malformed_xml
from .state import Binding, BoundCertificate, CertRecord, Token
from .timefmt import rfc1123
from .xmldocs import WILDCARD_PREFIX, cname_token_document, list_buckets_document, list_cname_document, parse_cname_body, wire_domain

EC_TOKEN_NOT_FOUND = "0018-00000301"
EC_NEED_OWNERSHIP = "0018-00000115"
EC_INVALID_CAS_ID = "0018-00000204"
# The troubleshooting page names this EC but not its code; InvalidArgument/400 is our choice (reference 5.3).
EC_PREVIOUS_CERT_MISMATCH = "0018-00000209"
EC_RESERVED_DOMAIN = "0018-00000401"
EC_SHORT_HOSTNAME = "0017-00000249"
RESERVED_SUFFIXES = ("aliyuncs.com",)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
# An Agentic Bucket's documented full name: <prefix>-<account id>-<region>-ab-apsr.
_AGENTIC_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]+[a-z0-9]-\d+-[a-z]+(?:-[a-z0-9]+)+-ab-apsr\Z")


def check_domain(raw):
    """Lower-case and validate a custom domain: ASCII labels, at least two, no wildcard, not an IP, not reserved."""
    domain = raw.strip().lower()
    if len(domain) <= 3:
        raise invalid_argument("The hostname must be longer than 3 characters.", ec=EC_SHORT_HOSTNAME, extra=[("Cname", raw)])
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise invalid_argument("The CNAME %s is not a valid domain name." % raw, extra=[("Cname", raw)])
    if any(domain == suffix or domain.endswith("." + suffix) for suffix in RESERVED_SUFFIXES):
        raise OssError(403, "CnameIsForbidden", "The domain name is reserved by OSS and cannot be mapped.", ec=EC_RESERVED_DOMAIN, extra=[("Cname", domain)])
    return domain


def is_agentic(bucket):
    return bool(_AGENTIC_BUCKET.match(bucket.name))


def _binding_key(domain, wildcard):
    """Bindings and tokens are keyed by the domain as users write it, so an exact and a wildcard entry of one base
    domain live side by side."""
    return WILDCARD_PREFIX + domain if wildcard else domain


def _allowed_kind(bucket, wildcard):
    if wildcard and not is_agentic(bucket):
        # The documents say standard buckets have no wildcard CNAMEs but not how OSS refuses one: code and message are ours.
        raise invalid_argument("Wildcard CNAMEs are supported only on Agentic Buckets.", extra=[("Bucket", bucket.name)])
    return wildcard


def query_kind(bucket, request):
    """The kind stated by the `wildcard` query parameter (CreateCnameToken, GetCnameToken, DeleteCname).

    A standard bucket defaults to exact and here also takes an explicit false; whether the live service takes it is not known."""
    raw = request.query_value("wildcard")
    if not raw:
        if is_agentic(bucket):
            # Documented as required on an Agentic Bucket; the live answer to its absence has not been seen yet: ours.
            raise invalid_argument("The wildcard parameter is required for an Agentic Bucket: set it to true or false.", extra=[("ArgumentName", "wildcard")])
        return False
    if raw not in ("true", "false"):
        raise invalid_argument("wildcard must be true or false, not %r." % raw, extra=[("ArgumentName", "wildcard"), ("ArgumentValue", raw)])
    return _allowed_kind(bucket, raw == "true")


def body_kind(bucket, cname):
    """The kind stated by PutCname's IsWildCard, with the Agentic Bucket's rules on the body."""
    if is_agentic(bucket):
        if cname.rejected:
            raise malformed_xml("%s is not supported on an Agentic Bucket." % ", ".join(cname.rejected))
        if cname.is_wildcard is None:
            # Documented as required on an Agentic Bucket; the live answer to its absence has not been seen yet: ours.
            raise invalid_argument("IsWildCard is required for an Agentic Bucket: set it to true or false.", extra=[("ArgumentName", "IsWildCard")])
    return _allowed_kind(bucket, bool(cname.is_wildcard))


def _max_keys(raw):
    if raw is None or raw == "":
        return 100
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise invalid_argument("max-keys must be an integer from 1 to 1000, not %r." % raw, extra=[("ArgumentName", "max-keys"), ("ArgumentValue", raw)])
    return int(raw)


class Operations:
    def __init__(self, state, clock, settings):
        self.state = state
        self.clock = clock
        self.settings = settings

    # --- tokens -------------------------------------------------------------------------------------------
    def create_cname_token(self, bucket, request):
        domain = _binding_key(check_domain(parse_cname_body(request.body).domain), query_kind(bucket, request))
        now = self._now()
        if domain in bucket.bindings:
            raise OssError(
                403,
                "NoNeedCreateCnameToken",
                "The CNAME token is in effect. You do not need to create a new CNAME token.",
                extra=[("Bucket", bucket.name), ("Cname", domain)],
            )
        token = self.state.tokens.get((bucket.name, domain))
        if token is None:
            if self.state.bucket_token_count(bucket.name) >= self.settings.token_limit:
                raise OssError(400, "TooManyCnameToken", "You have attempted to create more cname token than allowed.", extra=[("Bucket", bucket.name)])
            token = Token(bucket.name, domain, secrets.token_hex(16), now + datetime.timedelta(seconds=self.settings.token_ttl_seconds))
            self.state.tokens[(bucket.name, domain)] = token
            self.state.save()
        return cname_token_document(token)

    def get_cname_token(self, bucket, request):
        raw = request.query_value("cname")
        if not raw:
            raise invalid_argument("The cname parameter is missing from the request.")
        domain = _binding_key(check_domain(raw), query_kind(bucket, request))
        self._now()
        token = self.state.tokens.get((bucket.name, domain))
        if token is None:
            raise OssError(404, "CnameTokenNotFound", "Cname token not found.", ec=EC_TOKEN_NOT_FOUND, extra=[("Bucket", bucket.name), ("Cname", domain)])
        return cname_token_document(token)

    # --- bindings -----------------------------------------------------------------------------------------
    def list_cname(self, bucket, request):
        return list_cname_document(bucket)

    # --- the service ----------------------------------------------------------------------------------------
    def list_buckets(self, owner, request):
        """The owner's buckets in every region, by name, after `marker`, starting with `prefix`, `max-keys` (1 to 1000, default 100) a page."""
        prefix = request.query_value("prefix") or ""
        marker = request.query_value("marker") or ""
        max_keys = _max_keys(request.query_value("max-keys"))
        names = sorted(name for name, bucket in self.state.buckets.items() if bucket.owner == owner and name.startswith(prefix) and name > marker)
        page = [self.state.buckets[name] for name in names[:max_keys]]
        return list_buckets_document(owner, page, prefix, marker, max_keys, len(names) > max_keys)

    def delete_cname(self, bucket, request):
        domain = _binding_key(check_domain(parse_cname_body(request.body).domain), query_kind(bucket, request))
        if bucket.bindings.pop(domain, None) is not None:
            self.state.save()
        elif self.settings.delete_unbound == "404":
            # The 2025 doc answers 404 NoSuchCname; the 2026 doc answers 200 (config key delete_unbound).
            raise OssError(404, "NoSuchCname", "The specified CNAME does not exist.", extra=[("Bucket", bucket.name), ("Cname", domain)])
        return b""

    def put_cname(self, bucket, request):
        cname = parse_cname_body(request.body)
        domain = _binding_key(check_domain(cname.domain), body_kind(bucket, cname))
        now = self._now()
        self._check_not_bound_elsewhere(bucket, domain)
        binding = bucket.bindings.get(domain)
        if binding is None:
            if len(bucket.bindings) >= self.settings.cname_limit:
                # OSS documents the limit of 100 domains per bucket but not its error; the code mirrors TooManyCnameToken.
                raise OssError(400, "TooManyCname", "You have attempted to add more cname than allowed.", extra=[("Bucket", bucket.name)])
            self._check_ownership(bucket, domain)
        kind, payload = self._certificate_change(bucket, cname.certificate, binding)
        if binding is None:
            binding = bucket.bindings[domain] = Binding(domain, now)
            # A successful bind consumes the token (GetCnameToken then answers 404, reference 4.3).
            self.state.tokens.pop((bucket.name, domain), None)
        elif kind != "none":
            binding.last_modified = now
        self._apply_certificate_change(bucket, binding, kind, payload, now)
        self.state.save()
        return b""

    # --- helpers ------------------------------------------------------------------------------------------
    def _now(self):
        now = self.clock.service()
        self.state.purge_expired_tokens(now)
        return now

    def _check_not_bound_elsewhere(self, bucket, domain):
        for other in self.state.buckets.values():
            if other.name == bucket.name or domain not in other.bindings:
                continue
            if other.owner == bucket.owner:
                raise OssError(
                    409,
                    "CnameAlreadyExists",
                    "The CNAME is already mapped to another bucket. Unbind it there first.",
                    extra=[("Bucket", bucket.name), ("Cname", domain), ("CnameType", "CNAME_OSS")],
                )
            # Bound under another account: the reference infers CnameDenied for that case.
            raise OssError(403, "CnameDenied", "The domain name is in use.", extra=[("Bucket", bucket.name), ("Cname", domain)])

    def _check_ownership(self, bucket, domain):
        """`token` mode: any valid token counts. `dns` mode: a TXT `_dnsauth.<domain>` must hold it, unchanged for
        the propagation delay on the service clock (so real time passing counts too).

        A wildcard's token is looked for under _dnsauth.<base domain>: no document names its record, so that is our guess."""
        token = self.state.tokens.get((bucket.name, domain))
        if token is not None and (self.settings.ownership == "token" or token.token in self._propagated_txt("_dnsauth." + wire_domain(domain))):
            return
        raise OssError(
            403,
            "NeedVerifyDomainOwnership",
            "Please verify domain ownership by CreateCnameToken and try again.",
            ec=EC_NEED_OWNERSHIP,
            extra=[("Bucket", bucket.name), ("Cname", domain)],
        )

    def _propagated_txt(self, name):
        settled_by = self.clock.service() - datetime.timedelta(seconds=self.settings.dns_propagation_seconds)
        return self.state.txt_values(name, settled_by)

    def _certificate_change(self, bucket, request, binding):
        """Validate CertificateConfiguration; return ('none'|'delete'|'bind'|'upload', CertRecord or upload info)."""
        if request is None:
            return "none", None
        if request.delete_certificate is not None and request.force is not None:
            raise malformed_xml("Force and DeleteCertificate cannot be specified together.")
        supplies_certificate = bool(request.cert_id or request.certificate or request.private_key)
        if request.delete_certificate:
            if supplies_certificate:
                raise invalid_argument("DeleteCertificate cannot be combined with CertId, Certificate or PrivateKey.")
            _check_previous_cert(request, binding, replacing=False)
            return "delete", None
        if not supplies_certificate:
            return "none", None
        if request.cert_id and (request.certificate or request.private_key):
            raise invalid_argument("Specify either CertId or Certificate with PrivateKey, not both.")
        if request.cert_id:
            record = self.state.find_cert(request.cert_id)
            if record is None or record.owner != bucket.owner:
                raise invalid_cas_id(request.cert_id)
            change = ("bind", record)
        else:
            change = ("upload", certs.check_upload(request.certificate, request.private_key))
        _check_previous_cert(request, binding, replacing=True)
        return change

    def _apply_certificate_change(self, bucket, binding, kind, payload, now):
        if kind == "delete":
            binding.certificate = None
        elif kind == "bind":
            binding.certificate = BoundCertificate(payload, rfc1123(now))
        elif kind == "upload":
            record = CertRecord(self._new_cert_id(), bucket.owner, payload.fingerprint, payload.valid_start_date, payload.valid_end_date)
            self.state.uploaded_certs[record.cert_id] = record
            binding.certificate = BoundCertificate(record, rfc1123(now))

    def _new_cert_id(self):
        taken = self.state.all_cert_ids()
        while True:
            cert_id = "%08d-%s" % (10000000 + secrets.randbelow(90000000), self.settings.cas_region)
            if cert_id not in taken:
                return cert_id


def invalid_cas_id(cert_id):
    return OssError(
        400,
        "CertificateInvalidCasId",
        "The CAS ID is invalid: not exist or not belong to the owner of the bucket.",
        ec=EC_INVALID_CAS_ID,
        extra=[("CertId", cert_id)],
    )


def _check_previous_cert(request, binding, replacing):
    """Optimistic lock: PreviousCertId must name the bound certificate unless Force is true.

    Without PreviousCertId, replacing a bound certificate needs Force (the doc's rule); a first bind does not.
    """
    if request.force:
        return
    bound = binding.certificate.record.cert_id if binding is not None and binding.certificate is not None else None
    if request.previous_cert_id is not None and request.previous_cert_id != bound:
        raise invalid_argument(
            "PreviousCertId %s does not match the current certificate %s. Fix it or set Force to true." % (request.previous_cert_id, bound or "(none)"),
            ec=EC_PREVIOUS_CERT_MISMATCH,
        )
    if request.previous_cert_id is None and bound is not None and replacing:
        raise invalid_argument("A certificate is already bound: specify PreviousCertId or set Force to true.", ec=EC_PREVIOUS_CERT_MISMATCH)
