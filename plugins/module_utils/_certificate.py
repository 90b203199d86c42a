# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Checks of a PEM certificate and its private key, run before anything is sent to OSS.

OSS finds a wrong key, an expired certificate or a certificate for another name late or never, and the domain
then serves a browser error. These checks refuse such input up front, on every run.

`cryptography` is imported inside the functions that need it: a run with a certificate service id, and every
other module, never loads it. Messages name the option and the certificate's public facts, never key material.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime, timezone

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.alicloud.oss.plugins.module_utils._dates import parse_oss_date
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError
from ansible_collections.alicloud.oss.plugins.module_utils._module import ModuleFailure

# Fewer days left than this gets a warning, whatever min_days_valid says.
WARN_DAYS = 30
# No certificate or key file is anywhere near this size; the cap keeps a wrong path (a log, a device) from being read whole.
MAX_PEM_FILE_BYTES = 1024 * 1024
_SECONDS_PER_DAY = 86400


class CertificateChecks:
    """What the task asks of the certificate: the domain it must cover and how strictly its dates are held."""

    def __init__(self, domain: str, validate: bool = True, min_days_valid: int = 0, now: datetime | None = None):
        self.domain = domain
        self.validate = validate
        self.min_days_valid = min_days_valid
        self.now = now or datetime.now(timezone.utc)


def _crypto():
    """The cryptography modules the checks use, or a failure saying how to install it."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise ModuleFailure(missing_required_lib("cryptography"), exception=traceback.format_exc()) from None
    return x509, serialization


# ---- reading the inputs -----------------------------------------------------------------------------------------


def read_pem_file(path: str, option: str) -> str:
    """The text of a PEM file on the host where the module runs; failures name the option and the path."""
    where = f"{option} '{path}'"
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_PEM_FILE_BYTES + 1)
    except FileNotFoundError:
        raise OssConfigError(f"{where} does not exist on the host where the module runs.", option) from None
    except IsADirectoryError:
        raise OssConfigError(f"{where} is a directory; give the path of the PEM file.", option) from None
    except PermissionError:
        raise OssConfigError(f"{where} cannot be read: permission denied for the user the module runs as.", option) from None
    except OSError as exc:
        raise OssConfigError(f"{where} cannot be read: {exc.strerror or type(exc).__name__}.", option) from None
    if len(data) > MAX_PEM_FILE_BYTES:
        raise OssConfigError(f"{where} is larger than 1 MiB; that is not a PEM certificate or key file.", option)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise OssConfigError(f"{where} is not a PEM text file (a binary DER file? convert it to PEM with openssl).", option) from None


def refuse_path_as_content(value, option: str, quote: bool = True):
    """Refuse a file path given where PEM text belongs: the module would otherwise report 'no PEM block'."""
    if not isinstance(value, str) or "-----BEGIN" in value:
        return
    text = value.strip()
    if not text or "\n" in text:
        return
    if text.startswith(("/", "~")) or _is_file(text):
        shown = f" '{text}'" if quote else ""
        raise OssConfigError(f"{option}{shown} is a file path, not PEM text: set {option}_path to read the file on the host where the module runs.", option)


def _is_file(text: str) -> bool:
    try:
        return os.path.isfile(os.path.expanduser(text))
    except (ValueError, OSError):
        return False


# ---- the checks -------------------------------------------------------------------------------------------------


def check_pem_pair(pem, private_key: str, checks: CertificateChecks, cert_option: str = "certificate", key_option: str = "private_key") -> list:
    """Refuse a certificate that would not serve the domain; return warnings (one line each) for what is only suspect.

    pem is a _pem.PemCertificate (leaf first), private_key the cleaned PEM key text.
    """
    x509, serialization = _crypto()
    certificates = [_load_certificate(x509, der, index, cert_option) for index, der in enumerate(pem.ders)]
    key = _load_private_key(serialization, private_key, key_option)
    _check_key_matches(serialization, certificates, key, cert_option, key_option)
    leaf = certificates[0]
    start, end = not_valid_before(leaf), not_valid_after(leaf)
    if checks.validate:
        _check_validity_period(start, end, checks.now, cert_option)
        _check_names(x509, leaf, checks.domain, cert_option)
    days_left = _days_between(checks.now, end)
    if checks.min_days_valid and days_left < checks.min_days_valid:
        raise OssConfigError(
            f"{cert_option} expires on {iso(end)}, in {_count_days(days_left)}, fewer than min_days_valid "
            f"({checks.min_days_valid}): renew it, or lower min_days_valid.",
            cert_option,
        )
    return _chain_warnings(certificates, cert_option) + expiry_warnings(start, end, checks.now, cert_option)


def _load_certificate(x509, der: bytes, index: int, option: str):
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        raise OssConfigError(f"{option}: certificate {index + 1} of the PEM text is not an X.509 certificate that can be read.", option) from None


def _load_private_key(serialization, text: str, option: str):
    try:
        return serialization.load_pem_private_key(text.encode("ascii"), password=None)
    except Exception as exc:  # pylint: disable=broad-except
        # ValueError, TypeError or UnsupportedAlgorithm; their text may describe the key's bytes, so only the type is shown.
        raise OssConfigError(
            f"{option} is not a private key that can be read ({type(exc).__name__}); give the unencrypted PEM key (RSA, EC or Ed25519).", option
        ) from None


def _check_key_matches(serialization, certificates: list, key, cert_option: str, key_option: str):
    wanted = _public_key_der(serialization, key.public_key())
    keys = [_public_key_der(serialization, certificate.public_key()) for certificate in certificates]
    if keys[0] == wanted:
        return
    if wanted in keys:
        position = keys.index(wanted) + 1
        raise OssConfigError(
            f"{cert_option} starts with a certificate ({subject(certificates[0])}) that {key_option} does not belong to; "
            f"the key belongs to certificate {position} ({subject(certificates[position - 1])}): "
            "put the leaf certificate first, then its chain.",
            cert_option,
        )
    raise OssConfigError(
        f"{key_option} does not belong to the certificate in {cert_option} ({subject(certificates[0])}): their public "
        "keys differ. Give the private key that was generated with this certificate.",
        key_option,
    )


def _public_key_der(serialization, public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _check_validity_period(start: datetime, end: datetime, now: datetime, option: str):
    period = f"valid from {iso(start)} to {iso(end)}"
    if now < start:
        raise OssConfigError(
            f"{option} is not valid yet ({period}): attach it from {iso(start)} on, or set validate_certificate: false to stage it now.", option
        )
    if now > end:
        raise OssConfigError(f"{option} expired on {iso(end)} ({period}): renew it and give the new certificate.", option)


def _check_names(x509, leaf, domain: str, option: str):
    names, source = dns_names(x509, leaf)
    if any(name_covers(name, domain) for name in names):
        return
    listed = ", ".join(names) if names else "no DNS name"
    raise OssConfigError(
        f"{option} does not cover {domain}: it is for {listed} ({source}). Give a certificate whose subjectAltName names {domain}{_wildcard_hint(domain)}.",
        option,
    )


def _wildcard_hint(domain: str) -> str:
    if domain.startswith("*."):
        return " (a wildcard domain needs that very wildcard name: no exact name serves every host under it)"
    parent = domain.split(".", 1)[1]
    return f" or *.{parent}" if "." in parent else ""


def dns_names(x509, certificate) -> tuple:
    """The DNS names the certificate is for, and where they come from: the subjectAltName, or the common name without one."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        common_names = [attribute.value for attribute in certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
        return [_ascii_name(name) for name in common_names if isinstance(name, str)], "common name; the certificate has no subjectAltName"
    return [_ascii_name(name) for name in extension.value.get_values_for_type(x509.DNSName)], "subjectAltName"


def _ascii_name(name: str) -> str:
    """Lower case, no trailing dot, internationalised labels in their punycode form (how the domain option is held)."""
    name = name.strip().rstrip(".").lower()
    if name.isascii():
        return name
    try:
        return ".".join(label if label == "*" or label.isascii() else label.encode("idna").decode("ascii") for label in name.split("."))
    except UnicodeError:
        return name


def name_covers(name: str, domain: str) -> bool:
    """Whether a certificate name covers the domain: exactly, or as a wildcard standing for exactly one leftmost label.

    A wildcard domain (*.example.com, bound on an Agentic Bucket) is covered only by the equal wildcard name."""
    if name == domain:
        return True
    if not name.startswith("*.") or domain.startswith("*."):
        return False
    label, _dot, rest = domain.partition(".")
    return bool(label) and rest == name[2:]


def _chain_warnings(certificates: list, option: str) -> list:
    warnings = []
    for position, (child, parent) in enumerate(zip(certificates, certificates[1:]), 1):
        if not _issued_by(child, parent):
            warnings.append(
                f"{option}: certificate {position} ({subject(child)}) is not issued by certificate {position + 1} "
                f"({subject(parent)}); give the chain in order (leaf first, each certificate followed by its issuer), "
                "or clients may not trust the domain."
            )
    return warnings


def _issued_by(child, parent) -> bool:
    if child.issuer != parent.subject:
        return False
    verify = getattr(child, "verify_directly_issued_by", None)  # cryptography >= 40; older ones are held to the names
    if verify is None:
        return True
    try:
        verify(parent)
    except Exception:  # pylint: disable=broad-except
        # InvalidSignature, or a key type the check does not know (TypeError): either way not provably the issuer.
        return False
    return True


def expiry_warnings(start: datetime | None, end: datetime | None, now: datetime, what: str) -> list:
    """Warnings for a certificate outside its validity period or with fewer than WARN_DAYS days left."""
    if end is None:
        return []
    if start is not None and now < start:
        return [f"{what} is not valid yet: valid from {iso(start)} to {iso(end)}."]
    if now > end:
        ago = _days_between(end, now)
        return [f"{what} expired on {iso(end)}, {_count_days(ago) + ' ago' if ago else 'less than a day ago'}: renew it."]
    days_left = _days_between(now, end)
    if days_left < WARN_DAYS:
        return [f"{what} expires on {iso(end)}, in {_count_days(days_left) if days_left else 'less than a day'}: renew it soon."]
    return []


def bound_certificate_warnings(certificate: dict | None, domain: str, now: datetime | None = None) -> list:
    """Checks 2 and 6 on the certificate OSS reports as bound (a certificate service id cannot be checked before it is sent)."""
    if not certificate:
        return []
    what = f"The certificate bound to {domain} ({certificate.get('cert_id') or 'no id'})"
    return expiry_warnings(
        parse_oss_date(certificate.get("valid_start_date")), parse_oss_date(certificate.get("valid_end_date")), now or datetime.now(timezone.utc), what
    )


# ---- small helpers ----------------------------------------------------------------------------------------------


def not_valid_before(certificate) -> datetime:
    # The *_utc attributes exist from cryptography 42; older versions return naive datetimes in UTC.
    value = getattr(certificate, "not_valid_before_utc", None)
    return value if value is not None else certificate.not_valid_before.replace(tzinfo=timezone.utc)


def not_valid_after(certificate) -> datetime:
    value = getattr(certificate, "not_valid_after_utc", None)
    return value if value is not None else certificate.not_valid_after.replace(tzinfo=timezone.utc)


def _days_between(earlier: datetime, later: datetime) -> int:
    """Whole days from earlier to later (negative when later is not later), rounded down as days_to_expiry is."""
    return int((later - earlier).total_seconds() // _SECONDS_PER_DAY)


def _count_days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def subject(certificate) -> str:
    return certificate.subject.rfc4514_string() or "an empty subject"
