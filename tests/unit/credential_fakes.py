# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fakes for the credential-service tests (STS, ECS metadata): canned answers, the secrets to look for, an independent signer."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
from typing import NamedTuple

import requests

from ansible_collections.alicloud.oss.plugins.module_utils._http import CredentialTransport
from ansible_collections.alicloud.oss.plugins.module_utils._rpc import percent_encode
from ansible_collections.alicloud.oss.plugins.module_utils._sts import RoleRequest
from ansible_collections.alicloud.oss.tests.unit.fake_http import FakeAdapter

NOW = datetime.datetime(2025, 4, 17, 15, 39, 12, tzinfo=datetime.timezone.utc)
ROLE_ARN = "acs:ram::1234567890123456:role/oss-cname-admin"
SOURCE_SECRET = "SourceSecret-aaaa-1111"
SOURCE_TOKEN = "SourceToken/with+chars=-bbbb-2222"
OIDC_TOKEN = "eyJhbGciOi.OidcToken-cccc-3333"
TEMP_SECRET = "TempSecret-dddd-4444"
TEMP_TOKEN = "TempToken-eeee-5555"
METADATA_SESSION_TOKEN = "MetadataSessionToken-ffff-6666"
SECRETS = (SOURCE_SECRET, SOURCE_TOKEN, OIDC_TOKEN, TEMP_SECRET, TEMP_TOKEN, METADATA_SESSION_TOKEN)


class Source(NamedTuple):
    access_key_id: str
    access_key_secret: str
    security_token: str | None = None


KEYS = Source("LTAI5tSourceKey", SOURCE_SECRET)
STS_KEYS = Source("STS.SourceKey", SOURCE_SECRET, SOURCE_TOKEN)
ROLE = RoleRequest(ROLE_ARN, "ansible-alicloud-oss", 3600)


# ---------------------------------------------------------------------------------------------
# Fake HTTP
# ---------------------------------------------------------------------------------------------


class Harness(NamedTuple):
    transport: CredentialTransport
    adapter: FakeAdapter
    sleeps: list

    @property
    def sent(self):
        return self.adapter.calls


def harness(answers, retries=2, timeout=30.0):
    session = requests.Session()
    adapter = FakeAdapter(answers)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    sleeps = []
    nonces = iter(f"nonce-{number}" for number in range(1, 100))
    transport = CredentialTransport(
        timeout=timeout, retries=retries, session=session, sleep=sleeps.append, jitter=lambda: 0.5, clock=lambda: NOW, nonce=lambda: next(nonces)
    )
    return Harness(transport, adapter, sleeps)


def sts_ok(key_id="STS.NTtemporary", expiration="2025-04-17T16:39:12Z"):
    return (
        200,
        {
            "RequestId": "rid-ok",
            "AssumedRoleUser": {"Arn": ROLE_ARN + "/s", "AssumedRoleId": "3:s"},
            "Credentials": {"AccessKeyId": key_id, "AccessKeySecret": TEMP_SECRET, "SecurityToken": TEMP_TOKEN, "Expiration": expiration},
        },
        {"Content-Type": "application/json"},
    )


def sts_error(status, code, message, request_id="rid-err"):
    return (
        status,
        {"RequestId": request_id, "HostId": "sts.aliyuncs.com", "Code": code, "Message": message, "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code},
        {"Content-Type": "application/json"},
    )


def assert_no_secret(text):
    for secret in SECRETS:
        for form in (secret, percent_encode(secret), percent_encode(percent_encode(secret))):
            assert form not in text


def independent_signature(method, params, secret):
    """The RPC signature computed here from the documentation's prose, without the module's helpers."""

    def encode(text):
        return "".join(chr(b) if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "-_.~") else f"%{b:02X}" for b in text.encode())

    canonical = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()) if k != "Signature")
    string_to_sign = f"{method}&%2F&{encode(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


def metadata_ok(key_id="STS.NTecs"):
    return (
        200,
        json.dumps(
            {
                "AccessKeyId": key_id,
                "AccessKeySecret": TEMP_SECRET,
                "SecurityToken": TEMP_TOKEN,
                "Expiration": "2025-04-17T21:39:12Z",
                "LastUpdated": "2025-04-17T15:39:12Z",
                "Code": "Success",
            }
        ).encode(),
        {},
    )


TOKEN_ANSWER = (200, METADATA_SESSION_TOKEN.encode(), {})
CREDS_PATH = "/latest/meta-data/ram/security-credentials/"
