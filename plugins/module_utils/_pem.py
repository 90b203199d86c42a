# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Checks of PEM certificates and keys given to cname_certificate, before any request is sent.

Apart from _validation so that only the module that takes PEM text imports (and, from the AnsiballZ zip, compiles) it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----", re.DOTALL)
_KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")


class PemCertificate:
    """The parts of a PEM bundle the modules need: the cleaned text, the DER of each certificate (leaf first), the leaf's fingerprint."""

    def __init__(self, text: str, ders: list):
        self.text = text
        self.ders = ders

    @property
    def leaf_der(self) -> bytes:
        return self.ders[0]

    @property
    def count(self) -> int:
        return len(self.ders)

    @property
    def fingerprint(self) -> str:
        """SHA-1 of the leaf certificate's DER, as OSS shows it: AA:BB:..."""
        digest = hashlib.sha1(self.leaf_der).hexdigest().upper()
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def parse_certificate_pem(text, option: str = "certificate") -> PemCertificate:
    """Read a PEM bundle (leaf first). Raises when no CERTIFICATE block decodes to DER."""
    if not isinstance(text, str) or not text.strip():
        raise OssConfigError(f"{option} must be PEM text holding at least one certificate.", option)
    ders = [_decode_block(body, option) for label, body in _PEM_BLOCK.findall(text) if label == "CERTIFICATE"]
    if not ders:
        raise OssConfigError(f"{option} holds no '-----BEGIN CERTIFICATE-----' block; give the PEM text of the certificate, leaf first.", option)
    blocks = [m.group(0) for m in _PEM_BLOCK.finditer(text) if m.group(1) == "CERTIFICATE"]
    return PemCertificate("\n".join(blocks) + "\n", ders)


def check_private_key_pem(text, option: str = "private_key") -> str:
    """Check the private key is an unencrypted PEM key. The message never quotes the key."""
    if not isinstance(text, str) or not text.strip():
        raise OssConfigError(f"{option} must be the PEM text of the certificate's private key.", option)
    blocks = _PEM_BLOCK.findall(text)
    # PKCS#8 encryption changes the label; the traditional OpenSSL format keeps it and adds a Proc-Type header.
    if any(label == "ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED" in body for label, body in blocks):
        raise OssConfigError(f"{option} is encrypted; OSS needs the unencrypted PEM key.", option)
    keys = [(label, body) for label, body in blocks if label in _KEY_LABELS]
    if len(keys) != 1:
        raise OssConfigError(f"{option} must hold exactly one '-----BEGIN PRIVATE KEY-----' block (PKCS#8, RSA or EC).", option)
    label, body = keys[0]
    _decode_block(body, option)
    return f"-----BEGIN {label}-----\n{body.strip()}\n-----END {label}-----\n"


def _decode_block(body: str, option: str) -> bytes:
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise OssConfigError(f"{option} has a PEM block whose content is not valid base64.", option) from None
    # Every certificate and key is one ASN.1 SEQUENCE filling the block; anything else is not what the user meant
    # to paste (a cut-off or spliced PEM still decodes as base64, so the length is what gives it away).
    if len(der) < 16 or der[0] != 0x30 or _der_length(der) != len(der):
        raise OssConfigError(f"{option} has a PEM block that does not decode to a complete DER structure (is part of it missing?).", option)
    return der


def _der_length(der: bytes) -> int:
    """Total length (header included) that the outer DER element declares."""
    first = der[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(der) < 2 + count:
        return -1
    return 2 + count + int.from_bytes(der[2 : 2 + count], "big")
