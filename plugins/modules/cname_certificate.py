#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cname_certificate
short_description: Attach, rotate or detach the TLS certificate of a custom domain on an OSS bucket
version_added: 1.0.0
description:
  - Attaches a certificate to a bucket's custom domain, or detaches it. Own options O(bucket), O(domain), O(state),
    O(cert_id), O(certificate), O(certificate_path), O(private_key), O(private_key_path), O(previous_cert_id),
    O(force), O(min_days_valid), O(validate_certificate), O(verification_timeout); the rest are shared.
  - A PEM certificate is checked first, and not uploaded again if bound.
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description: Name of the bucket.
    type: str
    required: true
  domain:
    description: The custom domain; a wildcard only on Agentic Buckets.
    type: str
    required: true
  state:
    description: V(absent) detaches the certificate; the domain stays bound.
    type: str
    choices: [present, absent]
    default: present
  cert_id:
    description: Certificate service id, such as V(12345678-cn-hangzhou).
    type: str
  certificate:
    description: PEM certificate, leaf first, then its chain.
    type: str
  certificate_path:
    description: File holding O(certificate), on the module's host.
    type: path
  private_key:
    description: Its unencrypted PEM private key; never returned.
    type: str
  private_key_path:
    description: File holding O(private_key), on the module's host.
    type: path
  validate_certificate:
    description: Check the PEM certificate's dates and names.
    type: bool
    default: true
  min_days_valid:
    description: Refuse a PEM certificate with fewer days left.
    type: int
    default: 0
  previous_cert_id:
    description: C(PreviousCertId) sent; by default the bound id.
    type: str
  force:
    description: Replace without the C(PreviousCertId) check.
    type: bool
    default: false
  verification_timeout:
    description: Seconds to retry binding an unbound domain.
    type: int
    default: 0
requirements:
  - cryptography (PEM forms only)
extends_documentation_fragment:
  - alicloud.oss.credentials
  - alicloud.oss.oss
  - alicloud.oss.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Attach a certificate from the certificate service
  alicloud.oss.cname_certificate:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
    cert_id: 12345678-cn-hangzhou

- name: Attach the files of an ACME run; fail if the renewal did not happen
  alicloud.oss.cname_certificate:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
    certificate_path: /etc/ssl/static.example.com/fullchain.pem
    private_key_path: /etc/ssl/static.example.com/privkey.pem
    min_days_valid: 7
"""

RETURN = r"""
certificate:
  description: Certificate bound after the run, or V(null).
  returned: always
  type: dict
  contains:
    type:
      description: C(CAS), or C(Upload) for legacy uploads.
      type: str
      sample: CAS
    cert_id:
      description: Certificate service id.
      type: str
      sample: 12345678-cn-hangzhou
    status:
      description: C(Enabled) or C(Disabled).
      type: str
      sample: Enabled
    fingerprint:
      description: SHA-1 fingerprint of the leaf.
      type: str
      sample: "DE:01:CF:EC:7C:A7:98:CB:D8:6E:FB:1D:97:EB:A9:64:1D:4E:5A:3B"
    creation_date:
      description: When it was bound, as OSS writes it.
      type: str
      sample: Wed, 15 Sep 2021 02:35:06 GMT
    valid_start_date:
      description: Start of validity, as OSS writes it.
      type: str
      sample: Wed, 12 Apr 2023 10:14:51 GMT
    valid_end_date:
      description: End of validity, as OSS writes it.
      type: str
      sample: Mon, 4 May 2048 10:14:51 GMT
    valid_end_date_iso:
      description: ISO 8601 end of validity or V(null).
      type: str
      sample: "2048-05-04T10:14:51Z"
    days_to_expiry:
      description: Whole days left, or V(null).
      type: int
      sample: 8200
"""

from ansible_collections.alicloud.oss.plugins.module_utils._binding import bind_failure, find_cname, put_until_verified
from ansible_collections.alicloud.oss.plugins.module_utils._certificate import (
    CertificateChecks,
    bound_certificate_warnings,
    check_pem_pair,
    read_pem_file,
    refuse_path_as_content,
)
from ansible_collections.alicloud.oss.plugins.module_utils._cname_api import list_cname
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssError
from ansible_collections.alicloud.oss.plugins.module_utils._module import ModuleFailure, OssModule, describe_error
from ansible_collections.alicloud.oss.plugins.module_utils._pem import check_private_key_pem, parse_certificate_pem
from ansible_collections.alicloud.oss.plugins.module_utils._validation import normalize_domain, normalize_fingerprint, validate_cert_id

# The options that say which certificate to attach; with state=absent none of them applies.
_CERTIFICATE_OPTIONS = ("cert_id", "certificate", "certificate_path", "private_key", "private_key_path", "previous_cert_id")


class Desired:
    """The certificate the task asks for: a certificate service id, or a PEM pair identified by its leaf fingerprint."""

    def __init__(self, cert_id=None, pem=None, private_key=None):
        self.cert_id = cert_id
        self.pem = pem
        self.private_key = private_key

    @property
    def fingerprint(self):
        return self.pem.fingerprint if self.pem else None

    def matches(self, bound: dict | None) -> bool:
        if not bound:
            return False
        if self.cert_id:
            return (bound.get("cert_id") or "").lower() == self.cert_id.lower()
        return normalize_fingerprint(bound.get("fingerprint")) == normalize_fingerprint(self.fingerprint)

    def fields(self) -> dict:
        if self.cert_id:
            return {"cert_id": self.cert_id}
        return {"certificate": self.pem.text, "private_key": self.private_key}


def certificate_request(desired: Desired | None, bound: dict | None, previous_cert_id: str | None, force: bool) -> dict:
    """The CertificateConfiguration to send. desired None means detach."""
    if desired is None:
        # Never with Force: OSS answers MalformedXML to DeleteCertificate together with Force.
        return {"delete_certificate": True}
    fields = desired.fields()
    if previous_cert_id:
        fields["previous_cert_id"] = previous_cert_id
    elif bound and bound.get("cert_id") and not force:
        fields["previous_cert_id"] = bound["cert_id"]
    # OSS needs Force when no PreviousCertId is sent; a bound certificate without an id (a legacy upload) offers nothing to lock on.
    if force or not bound or "previous_cert_id" not in fields:
        fields["force"] = True
    return fields


def _desired(oss: OssModule, domain: str) -> Desired | None:
    """The certificate asked for, every PEM check done: nothing is sent for input that would be refused."""
    params = oss.params
    if params["state"] == "absent":
        given = [name for name in _CERTIFICATE_OPTIONS if params[name]]
        if given:
            raise OssConfigError(f"{', '.join(given)} only apply to state=present; state=absent detaches whatever certificate is bound.", given[0])
        return None
    key_option = _given("private_key", params)
    if params["cert_id"]:
        if key_option:
            raise OssConfigError(
                f"{key_option} needs a PEM certificate (certificate or certificate_path); with cert_id the certificate service holds the key.", key_option
            )
        return Desired(cert_id=validate_cert_id(params["cert_id"]))
    cert_option = _given("certificate", params)
    if not key_option:
        raise OssConfigError(f"{cert_option} needs its private key: set private_key or private_key_path.", "private_key")
    return _checked_pem(oss, domain, cert_option, key_option)


def _checked_pem(oss: OssModule, domain: str, cert_option: str, key_option: str) -> Desired:
    """Read and check the PEM certificate and key; raise for what would be refused, warn for what is only suspect."""
    params = oss.params
    pem = parse_certificate_pem(_pem_text(oss, cert_option), cert_option)
    private_key = check_private_key_pem(_pem_text(oss, key_option), key_option)
    # The cleaned key is what is sent; Ansible masks only the exact text given. Stripped, it also matches where a
    # parser dropped the final newline.
    oss.hide(private_key.strip())
    checks = CertificateChecks(domain, validate=params["validate_certificate"], min_days_valid=params["min_days_valid"])
    for warning in check_pem_pair(pem, private_key, checks, cert_option, key_option):
        oss.warn(warning)
    return Desired(pem=pem, private_key=private_key)


def _given(form: str, params) -> str | None:
    """Which of the two forms of an input the task used: the inline option or its _path twin."""
    for option in (form, f"{form}_path"):
        if params[option]:
            return option
    return None


def _pem_text(oss: OssModule, option: str) -> str:
    value = oss.params[option]
    if option.endswith("_path"):
        text = read_pem_file(value, option)
        if option == "private_key_path":
            # Read from a file, the key is no task option: without this Ansible would not mask it.
            oss.hide(text.strip())
        return text
    refuse_path_as_content(value, option, quote=option != "private_key")
    return value


def _check_numbers(params):
    for option in ("min_days_valid", "verification_timeout"):
        if params[option] < 0:
            raise OssConfigError(f"{option} must be 0 or more, not {params[option]}.", option)


def ensure_certificate(oss: OssModule) -> dict:
    params = oss.params
    _check_numbers(params)
    bucket = oss.bucket()
    domain = normalize_domain(params["domain"], bucket=bucket)
    desired = _desired(oss, domain)
    previous = validate_cert_id(params["previous_cert_id"], "previous_cert_id") if params["previous_cert_id"] else None
    entry = find_cname(list_cname(oss.client, bucket), domain)
    bound = entry["certificate"] if entry else None
    if (desired is None and bound is None) or (desired is not None and desired.matches(bound)):
        return _result(False, bound, bound)
    if oss.check_mode:
        return _result(True, bound, _predicted(desired))
    after = _apply(oss, bucket, domain, certificate_request(desired, bound, previous, params["force"]), entry is None)
    if desired is not None and desired.cert_id:
        for warning in bound_certificate_warnings(after, domain):
            oss.warn(warning)
    return _result(True, bound, after)


def _apply(oss, bucket, domain, request, binds_domain):
    if binds_domain:
        doing = f"Binding {domain} with its certificate to bucket {bucket}"
    else:
        doing = f"{'Detaching' if 'delete_certificate' in request else 'Attaching'} the certificate of {domain} on bucket {bucket}"
    timeout = oss.params["verification_timeout"] if binds_domain else 0
    try:
        put_until_verified(oss.client, bucket, domain, timeout, request)
    except OssError as exc:
        raise bind_failure(oss.client, bucket, domain, exc, doing, timeout) from None
    try:
        entry = find_cname(list_cname(oss.client, bucket), domain)
    except OssError as exc:
        raise ModuleFailure(f"{doing} succeeded, but reading the binding back failed: {describe_error(exc)}", exc.to_dict(), changed=True) from None
    return entry["certificate"] if entry else None


def _predicted(desired: Desired | None) -> dict | None:
    if desired is None:
        return None
    keys = ("type", "cert_id", "status", "fingerprint", "creation_date", "valid_start_date", "valid_end_date", "valid_end_date_iso", "days_to_expiry")
    predicted = dict.fromkeys(keys)
    predicted.update(cert_id=desired.cert_id, fingerprint=desired.fingerprint)
    return predicted


def _identity(certificate):
    if not certificate:
        return {"cert_id": None, "fingerprint": None}
    return {"cert_id": certificate.get("cert_id"), "fingerprint": certificate.get("fingerprint")}


def _result(changed, before, after):
    return {"changed": changed, "certificate": after, "diff": {"before": _identity(before), "after": _identity(after)}}


def main():
    oss = OssModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            domain=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            cert_id=dict(type="str"),
            certificate=dict(type="str"),
            certificate_path=dict(type="path"),
            private_key=dict(type="str", no_log=True),
            private_key_path=dict(type="path", no_log=False),
            validate_certificate=dict(type="bool", default=True),
            min_days_valid=dict(type="int", default=0),
            previous_cert_id=dict(type="str"),
            force=dict(type="bool", default=False),
            verification_timeout=dict(type="int", default=0),
        ),
        mutually_exclusive=[("cert_id", "certificate", "certificate_path"), ("private_key", "private_key_path")],
        required_if=[("state", "present", ("cert_id", "certificate", "certificate_path"), True)],
    )
    oss.run(ensure_certificate)


if __name__ == "__main__":
    main()
