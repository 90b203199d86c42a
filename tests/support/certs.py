# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one factory of throw-away X.509 certificates for the tests, the demo and the benchmark (needs cryptography)."""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import typing as t

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID


@dataclasses.dataclass
class TestCertificate:
    """A generated certificate and its private key, as objects and as PEM."""

    __test__ = False  # not a pytest test class

    certificate: x509.Certificate
    key: t.Any

    @property
    def cert_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def key_pem(self) -> str:
        """Unencrypted PKCS#8."""
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode("ascii")

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def fingerprint(self) -> str:
        """SHA-1, upper-case hex pairs separated by colons (AA:BB:...), as OSS shows it."""
        return ":".join("%02X" % byte for byte in self.certificate.fingerprint(hashes.SHA1()))


def name_of(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def new_key(key_type: str = "ec", rsa_bits: int = 0) -> t.Any:
    """A new private key: "ec" (P-256), "rsa" (of rsa_bits, default 2048) or "ed25519"; rsa_bits alone means RSA."""
    if key_type == "rsa" or rsa_bits:
        return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits or 2048)
    if key_type == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key type {key_type!r}")


def make_certificate(
    common_name: str,
    *,
    key: t.Any = None,
    key_type: str = "ec",
    rsa_bits: int = 0,
    issuer: TestCertificate | None = None,
    issuer_name: str | x509.Name | None = None,
    signing_key: t.Any = None,
    not_before: datetime.datetime | None = None,
    days: float = 90,
    not_after: datetime.datetime | None = None,
    valid_days: tuple[float, float] | None = None,
    ip_address: str | None = None,
    names: t.Sequence[str] | None = None,
    san: bool = True,
    ca: bool | None = None,
    strict: bool = False,
) -> TestCertificate:
    """A certificate for `common_name`.

    key: the subject's private key (default: new_key(key_type, rsa_bits)). issuer: the certificate that signs
    (default: self-signed); issuer_name and signing_key name and sign otherwise. not_before: default one day ago;
    not_after: default not_before + days; valid_days=(start, end) instead: from now + start days to now + end days.
    san: a subjectAltName with the IP address, or else the DNS names `names` (default [common_name]; empty: no
    subjectAltName). ca: add a critical BasicConstraints extension (None: none). Ed25519 signs without a hash, the
    others with SHA-256. strict: add what strict X.509 verification (Python 3.13's default context) asks for:
    subject and authority key identifiers, and a CA's key usage.
    """
    if key is None:
        key = new_key(key_type, rsa_bits)
    if valid_days is not None:
        now = datetime.datetime.now(datetime.timezone.utc)
        not_before, not_after = now + datetime.timedelta(days=valid_days[0]), now + datetime.timedelta(days=valid_days[1])
    start = not_before or datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    end = not_after or start + datetime.timedelta(days=days)
    subject = name_of(common_name)
    if issuer is not None:
        issued_by, signer = issuer.certificate.subject, issuer.key
    else:
        issued_by, signer = (name_of(issuer_name) if isinstance(issuer_name, str) else issuer_name or subject), key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issued_by)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
    )
    if san:
        if ip_address:
            alt_names: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address(ip_address))]
        else:
            alt_names = [x509.DNSName(name) for name in ([common_name] if names is None else names)]
        if alt_names:
            builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    if strict:
        builder = _strict_extensions(builder, key, issuer, ca)
    signer = signing_key or signer
    return TestCertificate(builder.sign(signer, None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()), key)


def _strict_extensions(builder: x509.CertificateBuilder, key: t.Any, issuer: TestCertificate | None, ca: bool | None) -> x509.CertificateBuilder:
    issuer_key = issuer.key.public_key() if issuer is not None else key.public_key()
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key), critical=False)
    if ca:
        usage = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement"), False)
        builder = builder.add_extension(x509.KeyUsage(**usage, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
    return builder
