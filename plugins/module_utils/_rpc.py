# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The RPC-style signature of Alibaba Cloud's query APIs (STS today): HMAC-SHA1 over the sorted, encoded query.

It is unrelated to the OSS signatures in _signer. A client builds common_params() plus its own, and signed_get()
adds the key id, the nonce, the security token and the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timezone
from urllib.parse import quote

from ansible_collections.alicloud.oss.plugins.module_utils._http import Request

SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"


def percent_encode(text) -> str:
    """RFC 3986 encoding as the RPC signature wants it: only A-Z a-z 0-9 - _ . ~ stay as they are (space is %20, * is %2A)."""
    return quote(str(text), safe="-_.~")


def canonical_query(params: dict) -> str:
    return "&".join(f"{percent_encode(name)}={percent_encode(params[name])}" for name in sorted(params))


def rpc_string_to_sign(method: str, params: dict) -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def rpc_signature(method: str, params: dict, access_key_secret: str) -> str:
    """Base64(HMAC-SHA1(secret + '&', string to sign)); `params` must not hold Signature itself."""
    digest = hmac.new(f"{access_key_secret}&".encode("utf-8"), rpc_string_to_sign(method, params).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_params(method: str, params: dict, credentials, nonce: str) -> dict:
    """params plus the signature fields, signed with credentials (anything with access_key_id, access_key_secret, security_token).

    Empty values are left out: the APIs treat an empty parameter as a given one, and the signature must cover exactly
    what is sent.
    """
    params = dict(
        params,
        AccessKeyId=credentials.access_key_id,
        SignatureMethod=SIGNATURE_METHOD,
        SignatureVersion=SIGNATURE_VERSION,
        SignatureNonce=nonce,
        SecurityToken=credentials.security_token,
    )
    params = {name: value for name, value in params.items() if value not in (None, "")}
    params["Signature"] = rpc_signature(method, params, credentials.access_key_secret)
    return params


def iso_timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def common_params(action: str, version: str, moment: datetime) -> dict:
    """The parameters every RPC call carries; answers in JSON."""
    return {"Action": action, "Format": "JSON", "Version": version, "Timestamp": iso_timestamp(moment)}


def signed_get(url: str, params: dict, credentials, nonce: str) -> Request:
    """A GET of an RPC API with params signed in its query (the transport's prepare() returns it for each attempt)."""
    return Request("GET", f"{url}?{canonical_query(signed_params('GET', params, credentials, nonce))}", {})
