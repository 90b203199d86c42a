# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Scrubbing of the texts the credential services send back, which can echo a secret of the request.

Servers and HTTP libraries echo request URLs and strings to sign, and those carry the source security token.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.alicloud.oss.plugins.module_utils._rpc import percent_encode

_URL_IN_TEXT = re.compile(r"(url: |https?://)\S+")
_MAX_SERVER_MESSAGE = 300


def redact(text: str, secrets) -> str:
    """Remove every secret from text, also in the encoded forms a URL or a string to sign holds."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        once = percent_encode(secret)
        for form in (secret, once, percent_encode(once), quote(secret, safe="")):
            text = text.replace(form, "(secret)")
    return text


def server_text(text, secrets) -> str:
    """A server message, safe to show: STS's SignatureDoesNotMatch quotes its string to sign, which holds the source token."""
    text = " ".join(str(text or "").split())
    text = re.split(r"(?i)\s*server string to sign is:?", text)[0]
    text = redact(text, secrets)
    return text if len(text) <= _MAX_SERVER_MESSAGE else text[:_MAX_SERVER_MESSAGE] + "..."


def without_urls(text: str, secrets) -> str:
    # requests names the URL (query included) in its messages, and the query can hold the source security token.
    return redact(_URL_IN_TEXT.sub("(url)", text), secrets)
