#!/usr/bin/python
# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cname_certificate
short_description: Attach, rotate or detach the TLS certificate of a custom domain on an OSS bucket
version_added: 1.0.0
description:
  - Makes the certificate of a custom domain bound to an OSS bucket the one given, or removes it.
  - The certificate is either a certificate service (CAS) id (O(cert_id)) or a PEM certificate and private key
    (O(certificate) or O(certificate_path), with O(private_key) or O(private_key_path)), which OSS stores in the certificate service.
  - A PEM certificate is checked on every run, converged runs included, before any request is sent, and refused with a one-line
    message naming the option when the private key does not belong to it, when it is outside its validity period,
    when it does not cover O(domain) (see O(validate_certificate)), or when it expires in fewer than O(min_days_valid) days.
    A chain out of order and fewer than 30 days left are warnings.
  - Idempotent by identity, not by upload. A PEM certificate is compared by the SHA-1 fingerprint of its leaf with the
    fingerprint OSS reports, so the certificate bound now is never uploaded again.
  - Rotation is safe by default. The id of the certificate bound now is sent as C(PreviousCertId), so OSS refuses the change
    if someone else replaced the certificate since the module read it. Set O(force=true) to overwrite unconditionally.
  - A domain not bound yet is bound together with its certificate; ownership must be verified first, as for M(alicloud.oss.cname)
    (see O(verification_timeout)).
author:
  - alicloud.oss contributors (@alicloud-oss)
options:
  bucket:
    description:
      - Name of the bucket.
    type: str
    required: true
  domain:
    description:
      - The custom domain. Case and a trailing dot are ignored.
      - A wildcard domain (V(*.spaces.example.com)) is accepted only for an Agentic Bucket (full name
        C(<prefix>-<account id>-<region>-ab-apsr)) and refused for any other bucket before any request is sent. Its certificate
        must name the same wildcard, see O(validate_certificate).
    type: str
    required: true
  state:
    description:
      - V(present) makes the given certificate the bound one; V(absent) removes the bound certificate (the domain stays bound).
    type: str
    choices: [present, absent]
    default: present
  cert_id:
    description:
      - Certificate service id, C(<number>-<certificate service region>), for example V(12345678-cn-hangzhou).
      - The region suffix is the certificate service's region (V(cn-hangzhou) on the China site, V(ap-southeast-1) on the
        international site), not the bucket's.
      - Mutually exclusive with O(certificate) and O(certificate_path). One of the three is required with O(state=present).
      - It cannot be checked before it is sent. After a change, the certificate OSS reports as bound gets a warning when it is
        outside its validity period or has fewer than 30 days left.
    type: str
  certificate:
    description:
      - The certificate in PEM format, leaf first, optionally followed by its chain (each certificate followed by its issuer).
      - Requires O(private_key) or O(private_key_path). Mutually exclusive with O(certificate_path).
      - A file path given here is refused; use O(certificate_path).
    type: str
  certificate_path:
    description:
      - Path of a PEM file holding the certificate, leaf first, optionally followed by its chain.
      - Read on the host where the module runs, usually the controller (a task on V(localhost) or delegated to it).
      - Requires O(private_key) or O(private_key_path). Mutually exclusive with O(certificate).
    type: path
  private_key:
    description:
      - The unencrypted PEM private key (RSA, EC or Ed25519) of the certificate. Never returned or shown.
      - Mutually exclusive with O(private_key_path), which keeps the key out of playbook variables.
      - A file path given here is refused; use O(private_key_path).
    type: str
  private_key_path:
    description:
      - Path of a file holding the unencrypted PEM private key of the certificate, read on the host where the module runs.
      - The key read is masked in output like O(private_key). Mutually exclusive with O(private_key).
    type: path
  validate_certificate:
    description:
      - Check that a PEM certificate is inside its validity period and covers O(domain).
      - A name covers the domain when it is equal to it, ignoring case, or is a wildcard whose C(*) stands for exactly one label
        (V(*.example.com) covers V(www.example.com), not V(example.com) nor V(a.b.example.com)). The names are the certificate's
        subjectAltName DNS names; the common name counts only when the certificate has no subjectAltName.
      - A wildcard O(domain) such as V(*.example.com) is covered only by the same wildcard name; a certificate for
        V(www.example.com) or for V(example.com) alone does not serve every name under the wildcard.
      - V(false) skips these two checks, for example to stage a certificate before its start date. The check that the private
        key belongs to the certificate always runs.
    type: bool
    default: true
  min_days_valid:
    description:
      - Refuse a PEM certificate that expires in fewer than this many days. V(0) refuses only what has expired
        (with O(validate_certificate=true)).
      - Applies even with O(validate_certificate=false). Does not apply to O(cert_id).
    type: int
    default: 0
  previous_cert_id:
    description:
      - The certificate id expected to be bound now, sent as C(PreviousCertId); OSS refuses the change when it does not match.
      - Defaults to the id bound now, read by the module, which guards against concurrent changes.
        A value given here is always sent, even with O(force=true).
    type: str
  force:
    description:
      - Overwrite the bound certificate without the C(PreviousCertId) check.
    type: bool
    default: false
  verification_timeout:
    description:
      - When O(domain) is not bound yet and OSS refuses to bind it because ownership is not verified yet (for example while the
        TXT record propagates), keep retrying for up to this many seconds, as M(alicloud.oss.cname) does.
        V(0) fails at once with instructions.
      - Retries back off exponentially, starting at about 2 seconds and never waiting more than 20 seconds.
      - A certificate change on a domain bound already is not retried.
    type: int
    default: 0
requirements:
  - cryptography (for O(certificate), O(certificate_path), O(private_key) and O(private_key_path); not needed with O(cert_id))
extends_documentation_fragment:
  - alicloud.oss.credentials
  - alicloud.oss.oss
  - alicloud.oss.attributes
attributes:
  check_mode:
    support: full
    details: Only the read request is sent; RV(certificate) is the predicted certificate, with unknown fields V(null).
  diff_mode:
    support: full
    details: The diff shows the certificate id and fingerprint, never key material.
  idempotent:
    support: full
seealso:
  - module: alicloud.oss.cname
  - module: alicloud.oss.cname_info
"""

EXAMPLES = r"""
- name: Attach a certificate from the certificate service
  alicloud.oss.cname_certificate:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
    cert_id: 12345678-cn-hangzhou

- name: Upload and attach a renewed certificate (for example after an ACME run); the certificate bound now is not uploaded again
  alicloud.oss.cname_certificate:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
    certificate_path: /etc/ssl/static.example.com/fullchain.pem
    private_key_path: /etc/ssl/static.example.com/privkey.pem
    min_days_valid: 7
  delegate_to: localhost

- name: Attach a certificate given as text (the key from a vault variable)
  alicloud.oss.cname_certificate:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
    certificate: "{{ static_certificate_pem }}"
    private_key: "{{ vault_static_private_key_pem }}"

- name: Bind a domain whose TXT record was just published, together with its certificate
  alicloud.oss.cname_certificate:
    bucket: my-bucket
    domain: new.example.com
    region: cn-hangzhou
    certificate_path: /etc/ssl/new.example.com/fullchain.pem
    private_key_path: /etc/ssl/new.example.com/privkey.pem
    verification_timeout: 300

- name: Detach the certificate, keeping the domain bound
  alicloud.oss.cname_certificate:
    bucket: my-bucket
    domain: static.example.com
    region: cn-hangzhou
    state: absent
"""

RETURN = r"""
certificate:
  description:
    - The certificate bound after the run, read back from OSS after a change; V(null) when none is bound.
    - In check mode, the predicted certificate, with fields the module cannot know set to V(null).
  returned: always
  type: dict
  contains:
    type:
      description: C(CAS) for the certificate service, C(Upload) for legacy uploads.
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
      description: SHA-1 fingerprint of the leaf certificate, as OSS reports it.
      type: str
      sample: "DE:01:CF:EC:7C:A7:98:CB:D8:6E:FB:1D:97:EB:A9:64:1D:4E:5A:3B"
    creation_date:
      description: When the certificate was bound, as OSS writes it.
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
      description: End of validity in ISO 8601, UTC; V(null) if OSS's date could not be read.
      type: str
      sample: "2048-05-04T10:14:51Z"
    days_to_expiry:
      description: Whole days until the end of validity; V(null) if OSS's date could not be read.
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
