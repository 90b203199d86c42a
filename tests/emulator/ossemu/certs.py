# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checking PEM uploads (PutCname Certificate + PrivateKey) and describing them the way ListCname does.

`cryptography` is imported lazily so that starting the emulator stays fast.
"""

import dataclasses
import hashlib

from .errors import invalid_argument
from .timefmt import rfc1123_unpadded

# EC for "private key sent without the public certificate" (PutCname with a certificate).
EC_KEY_WITHOUT_CERT = "0018-00000210"


@dataclasses.dataclass
class UploadedCertificate:
    fingerprint: str
    valid_start_date: str
    valid_end_date: str


def fingerprint(der_bytes):
    """SHA-1 of the DER bytes as 20 colon-separated upper-case hex pairs (as ListCname reports a fingerprint)."""
    digest = hashlib.sha1(der_bytes).hexdigest().upper()
    return ":".join(digest[index : index + 2] for index in range(0, len(digest), 2))


def check_upload(certificate_pem, private_key_pem):
    """Parse the leaf certificate and the key, make sure they belong together; raise OssError otherwise."""
    if private_key_pem and not certificate_pem:
        raise invalid_argument("The certificate is missing: a private key was provided without its public certificate.", ec=EC_KEY_WITHOUT_CERT)
    if certificate_pem and not private_key_pem:
        raise invalid_argument("The private key is missing: a certificate upload needs both Certificate and PrivateKey.")
    leaf = _load_leaf(certificate_pem)
    key = _load_private_key(private_key_pem)
    if _public_der(leaf.public_key()) != _public_der(key.public_key()):
        raise invalid_argument("The private key does not match the certificate.")
    from cryptography.hazmat.primitives.serialization import Encoding

    return UploadedCertificate(
        fingerprint(leaf.public_bytes(Encoding.DER)), rfc1123_unpadded(leaf.not_valid_before_utc), rfc1123_unpadded(leaf.not_valid_after_utc)
    )


def _load_leaf(certificate_pem):
    from cryptography import x509

    try:
        chain = x509.load_pem_x509_certificates(certificate_pem.strip().encode("utf-8"))
    except ValueError:
        chain = []
    if not chain:
        raise invalid_argument("The certificate is not a valid PEM-encoded X.509 certificate.")
    return chain[0]


def _load_private_key(private_key_pem):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        return load_pem_private_key(private_key_pem.strip().encode("utf-8"), password=None)
    except (ValueError, TypeError):
        # TypeError: the key is encrypted; OSS cannot use a key it cannot read either.
        raise invalid_argument("The private key is not a valid unencrypted PEM-encoded private key.")
    except Exception as error:  # cryptography raises UnsupportedAlgorithm for exotic keys
        raise invalid_argument("The private key is not supported: %s" % type(error).__name__)


def _public_der(public_key):
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
