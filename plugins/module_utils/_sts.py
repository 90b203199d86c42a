# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The two services that hand out temporary credentials: STS (AssumeRole, AssumeRoleWithOIDC) and the ECS metadata service.

STS is an RPC-style API with a signature of its own (HMAC-SHA1 over the sorted, encoded query), unrelated to the
OSS signatures in _signer. Every message built here is scrubbed of the secrets involved, because servers and
HTTP libraries echo request URLs and strings to sign, and those carry the source security token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import time
import uuid
from datetime import datetime, timezone
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from ansible_collections.alicloud.oss.plugins.module_utils._client import (
    RETRYABLE_STATUS,
    _is_name_resolution_failure,
    _keep_our_authorization,
    _new_session,
    _reason,
    backoff_delay,
    requests,
    user_agent,
)
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssCredentialError

STS_VERSION = "2015-04-01"
DEFAULT_STS_ENDPOINT = "https://sts.aliyuncs.com"
DEFAULT_METADATA_ENDPOINT = "http://100.100.100.200"
METADATA_TOKEN_PATH = "/latest/api/token"
METADATA_CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"
METADATA_TOKEN_TTL_HEADER = "X-aliyun-ecs-metadata-token-ttl-seconds"
METADATA_TOKEN_HEADER = "X-aliyun-ecs-metadata-token"
# The token is used at once for one or two GETs; a short life limits what a leaked one is worth.
METADATA_TOKEN_TTL_SECONDS = 300
# Answers to the token PUT that mean "this instance has no hardened mode": fall back to the plain GET.
METADATA_NO_TOKEN_STATUS = frozenset((403, 404, 405))
# The metadata service is link-local: a proxy from the environment could not reach it and must not see its token.
_NO_PROXY = {"http": None, "https": None, "all": None}
METADATA_CONNECT_TIMEOUT = 5.0
_STS_RETRY_CODES = ("Throttling", "ServiceUnavailable", "InternalError")
_URL_IN_TEXT = re.compile(r"(url: |https?://)\S+")
_MAX_SERVER_MESSAGE = 300


class TemporaryCredentials(NamedTuple):
    access_key_id: str
    access_key_secret: str
    security_token: str
    expiration: str | None

    def __repr__(self) -> str:
        return f"TemporaryCredentials(access_key_id={self.access_key_id!r}, expiration={self.expiration!r})"


class RoleRequest(NamedTuple):
    """What to ask STS for; None fields are not sent."""

    role_arn: str
    session_name: str
    duration_seconds: int = 3600
    policy: str | None = None
    external_id: str | None = None


class Answer(NamedTuple):
    status: int
    headers: dict
    body: bytes


class StsError(OssCredentialError):
    """STS refused a request or answered something unusable; carries what STS said (never a secret)."""

    def __init__(self, message: str, option: str | None, status: int | None = None, code: str | None = None,
                 server_message: str | None = None, request_id: str | None = None, host_id: str | None = None):
        super().__init__(message, option)
        self.status = status
        self.code = code
        self.server_message = server_message
        self.request_id = request_id
        self.host_id = host_id

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.server_message or str(self), "request_id": self.request_id, "host_id": self.host_id,
                "ec": None, "status": self.status}


# --- the RPC signature ------------------------------------------------------------------------------------------

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


def iso_timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- scrubbing --------------------------------------------------------------------------------------------------

def redact(text: str, secrets) -> str:
    """Remove every secret from text, also in the encoded forms a URL or a string to sign holds."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        once = percent_encode(secret)
        for form in (secret, once, percent_encode(once), quote(secret, safe="")):
            text = text.replace(form, "(secret)")
    return text


def _server_text(text, secrets) -> str:
    """A server message, safe to show: STS's SignatureDoesNotMatch quotes its string to sign, which holds the source token."""
    text = " ".join(str(text or "").split())
    text = re.split(r"(?i)\s*server string to sign is:?", text)[0]
    text = redact(text, secrets)
    return text if len(text) <= _MAX_SERVER_MESSAGE else text[:_MAX_SERVER_MESSAGE] + "..."


def _transport_reason(exc, secrets) -> str:
    # requests names the URL (query included) in its messages, and the query can hold the source security token.
    return redact(_URL_IN_TEXT.sub("(url)", _reason(exc)), secrets)


# --- HTTP -------------------------------------------------------------------------------------------------------

class CredentialTransport:
    """HTTP for the credential services: one Session, a timeout on every request, the OSS client's retry policy."""

    def __init__(self, timeout: float = 30.0, retries: int = 4, validate_certs: bool = True, session=None, sleep=time.sleep,
                 jitter=random.random, clock=None, nonce=None):
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.validate_certs = validate_certs
        self._session = session
        self.sleep = sleep
        self.jitter = jitter
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.nonce = nonce or (lambda: str(uuid.uuid4()))

    @property
    def session(self):
        # Created on first use, so that static credentials never need requests.
        if self._session is None:
            self._session = _new_session(2)
        return self._session

    def close(self):
        if self._session is not None:
            self._session.close()

    def send(self, what: str, prepare, secrets=(), retry_if=None, link_local=False, probe=False) -> Answer:
        """Send prepare() -> (method, url, headers, body); it is called again for each attempt (fresh nonce and timestamp).

        link_local: the ECS metadata service; no proxy, and connecting is capped at a few seconds (it answers in
        milliseconds on ECS, and off ECS its address does not answer at all). probe: the first request to such a
        service, whose connection failures are not retried, since waiting will not put the host on ECS.
        """
        attempts = 1 + self.retries
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            request = prepare()
            try:
                answer = self._send_once(request, link_local)
            except requests.exceptions.RequestException as exc:
                message, retryable = self._failure(exc, request[1], secrets)
                if not retryable or last or probe:
                    raise OssCredentialError(f"{what}: {message}{_after(attempt + 1)}.", None) from None
                self.sleep(backoff_delay(attempt, self.jitter))
                continue
            if last or not (answer.status in RETRYABLE_STATUS or (retry_if and retry_if(answer))):
                return answer
            self.sleep(backoff_delay(attempt, self.jitter))
        raise OssCredentialError(f"{what}: no attempt was made.", None)  # only with a negative retry count

    def _send_once(self, request, link_local) -> Answer:
        method, url, headers, body = request
        headers = dict(headers, **{"User-Agent": user_agent()})
        extra = {"proxies": _NO_PROXY} if link_local else {}
        connect = min(self.timeout, METADATA_CONNECT_TIMEOUT) if link_local else self.timeout
        response = self.session.request(method, url, headers=headers, data=body, timeout=(connect, self.timeout), verify=self.validate_certs,
                                        allow_redirects=False, auth=_keep_our_authorization, **extra)
        return Answer(response.status_code, {name.lower(): value for name, value in response.headers.items()}, response.content)

    def _failure(self, exc, url, secrets):
        netloc = urlsplit(url).netloc
        if isinstance(exc, requests.exceptions.SSLError):
            return f"the TLS handshake with {netloc} failed ({_transport_reason(exc, secrets)})", False
        if isinstance(exc, requests.exceptions.Timeout):
            return f"no answer from {netloc} within the timeout of {self.timeout:g} s", True
        if _is_name_resolution_failure(exc):
            return f"the host name of {netloc} could not be resolved", False
        return f"the connection to {netloc} failed ({_transport_reason(exc, secrets)})", True


def _after(attempts: int) -> str:
    return f" (after {attempts} attempts)" if attempts > 1 else ""


def service_url(endpoint: str, option: str, default_scheme: str = "https") -> str:
    """scheme://host[:port]/path/ from an endpoint given with or without a scheme."""
    text = str(endpoint or "").strip()
    if "://" not in text:
        text = f"{default_scheme}://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise OssConfigError(f"{option} '{endpoint}' is not an http or https URL such as {DEFAULT_STS_ENDPOINT}.", option)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


# --- STS --------------------------------------------------------------------------------------------------------

class StsClient:
    """AssumeRole (signed with the source credentials) and AssumeRoleWithOIDC (carries the OIDC token, not signed)."""

    def __init__(self, endpoint: str, transport: CredentialTransport, option: str = "sts_endpoint"):
        self.url = service_url(endpoint, option)
        self.transport = transport

    def assume_role(self, source, role: RoleRequest, what: str, option: str | None) -> TemporaryCredentials:
        """source: anything with access_key_id, access_key_secret and security_token."""
        secrets = (source.access_key_secret, source.security_token)

        def prepare():
            params = self._common("AssumeRole")
            params.update(AccessKeyId=source.access_key_id, SignatureMethod="HMAC-SHA1", SignatureVersion="1.0",
                          SignatureNonce=self.transport.nonce())
            params.update(_role_params(role))
            params["ExternalId"] = role.external_id
            params["SecurityToken"] = source.security_token
            params = {name: value for name, value in params.items() if value not in (None, "")}
            params["Signature"] = rpc_signature("GET", params, source.access_key_secret)
            return "GET", f"{self.url}?{canonical_query(params)}", {}, None

        answer = self.transport.send(what, prepare, secrets, retry_if=_sts_throttled)
        return _sts_credentials(answer, what, option, secrets)

    def assume_role_with_oidc(self, provider_arn: str, oidc_token: str, role: RoleRequest, what: str, option: str | None) -> TemporaryCredentials:
        secrets = (oidc_token,)

        def prepare():
            # The token goes in a form body, not the URL, so that no access log or proxy records it.
            form = dict(_role_params(role), OIDCProviderArn=provider_arn, OIDCToken=oidc_token)
            form = {name: value for name, value in form.items() if value not in (None, "")}
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            return "POST", f"{self.url}?{canonical_query(self._common('AssumeRoleWithOIDC'))}", headers, canonical_query(form).encode("ascii")

        answer = self.transport.send(what, prepare, secrets, retry_if=_sts_throttled)
        return _sts_credentials(answer, what, option, secrets)

    def _common(self, action: str) -> dict:
        return {"Action": action, "Format": "JSON", "Version": STS_VERSION, "Timestamp": iso_timestamp(self.transport.clock())}


def _role_params(role: RoleRequest) -> dict:
    return {"RoleArn": role.role_arn, "RoleSessionName": role.session_name, "DurationSeconds": str(role.duration_seconds),
            "Policy": role.policy}


def _json(body: bytes):
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _sts_throttled(answer: Answer) -> bool:
    code = str((_json(answer.body) or {}).get("Code") or "")
    return code.startswith(_STS_RETRY_CODES)


def _sts_credentials(answer: Answer, what: str, option, secrets) -> TemporaryCredentials:
    document = _json(answer.body)
    if answer.status != 200:
        raise _sts_refusal(answer, document, what, option, secrets)
    fields = (document or {}).get("Credentials")
    creds = _temporary(fields)
    if creds is None:
        request_id = (document or {}).get("RequestId")
        raise StsError(f"{what}: STS answered HTTP 200 without usable Credentials.{_rid(request_id)}", option, 200, request_id=request_id)
    return creds


def _sts_refusal(answer, document, what, option, secrets) -> StsError:
    if document is None or not document.get("Code"):
        kind = answer.headers.get("content-type", "").split(";")[0] or "no content type"
        return StsError(f"{what}: STS answered HTTP {answer.status} with a body that is not an STS error document ({kind}).", option,
                        answer.status)
    code, request_id = str(document["Code"]), document.get("RequestId")
    message = _server_text(document.get("Message"), secrets)
    hint = _STS_HINTS.get(code, "")
    return StsError(f"{what}: STS refused it: {code} (HTTP {answer.status}): {message.rstrip('.')}.{hint}{_rid(request_id)}", option,
                    answer.status, code, message, request_id, document.get("HostId"))


_STS_HINTS = {
    "SignatureDoesNotMatch": " Check that the source AccessKey secret belongs to its AccessKey ID.",
    "NoPermission": " The source identity may not assume this role: check the role's trust policy and that the caller has "
                    "AliyunSTSAssumeRoleAccess (STS refuses callers signing with the account's own AccessKey).",
    "EntityNotExist.Role": " Check the role ARN (acs:ram::<account id>:role/<role name>).",
    "InvalidParameter.DurationSeconds": " Lower duration_seconds to at most the role's maximum session duration.",
}


def _rid(request_id) -> str:
    return f" Request id {request_id}." if request_id else ""


def _temporary(fields) -> TemporaryCredentials | None:
    if not isinstance(fields, dict):
        return None
    values = [fields.get(name) for name in ("AccessKeyId", "AccessKeySecret", "SecurityToken")]
    if not all(isinstance(value, str) and value for value in values):
        return None
    expiration = fields.get("Expiration")
    return TemporaryCredentials(values[0], values[1], values[2], expiration if isinstance(expiration, str) else None)


# --- ECS metadata -----------------------------------------------------------------------------------------------

class MetadataClient:
    """The RAM role credentials of an ECS instance: hardened mode first (session token), then the plain GET."""

    def __init__(self, endpoint: str, transport: CredentialTransport, allow_plain: bool = True, option: str = "ecs_metadata_endpoint"):
        self.url = service_url(endpoint, option, default_scheme="http").rstrip("/")
        self.transport = transport
        self.allow_plain = allow_plain
        self._secrets = []

    def role_credentials(self, role_name: str, what: str, option: str | None) -> TemporaryCredentials:
        """Credentials of role_name; an empty name asks the service which role the instance has."""
        token = self._session_token(what, option)
        headers = {METADATA_TOKEN_HEADER: token} if token else {}
        if not role_name:
            role_name = self._discover(headers, what, option)
            what = f"{what} (role '{role_name}' found on the instance)"
        answer = self._get(METADATA_CREDENTIALS_PATH + quote(role_name, safe=""), headers, what)
        if answer.status == 404:
            raise OssCredentialError(f"{what}: the metadata service at {self.url} has no credentials for the role '{role_name}' (HTTP 404); "
                                     "check that this RAM role is attached to the instance.", option)
        self._check_status(answer, what, option)
        document = _json(answer.body) or {}
        creds = _temporary(document)
        if document.get("Code") != "Success" or creds is None:
            raise OssCredentialError(f"{what}: the metadata service answered without usable credentials (Code "
                                     f"{_server_text(document.get('Code') or 'missing', self._secrets)}).", option)
        return creds

    def _session_token(self, what, option):
        def prepare():
            return "PUT", self.url + METADATA_TOKEN_PATH, {METADATA_TOKEN_TTL_HEADER: str(METADATA_TOKEN_TTL_SECONDS)}, None

        answer = self.transport.send(self._unreachable(what), prepare, link_local=True, probe=True)
        if answer.status == 200 and answer.body.strip():
            token = answer.body.decode("utf-8", "replace").strip()
            self._secrets.append(token)
            return token
        if answer.status in METADATA_NO_TOKEN_STATUS and self.allow_plain:
            return None
        if answer.status in METADATA_NO_TOKEN_STATUS:
            raise OssCredentialError(f"{what}: the metadata service refused a session token (HTTP {answer.status}) and "
                                     "ALIBABA_CLOUD_IMDSV1_DISABLED forbids the plain request.", option)
        raise OssCredentialError(f"{what}: the metadata service answered HTTP {answer.status} to the session token request.", option)

    def _discover(self, headers, what, option) -> str:
        answer = self._get(METADATA_CREDENTIALS_PATH, headers, what)
        self._check_status(answer, what, option)
        names = [line.strip() for line in answer.body.decode("utf-8", "replace").splitlines() if line.strip()]
        if not names:
            raise OssCredentialError(f"{what}: no RAM role is attached to this ECS instance (the metadata service lists none).", option)
        return names[0]

    def _get(self, path, headers, what) -> Answer:
        return self.transport.send(self._unreachable(what), lambda: ("GET", self.url + path, headers, None), self._secrets,
                                   link_local=True)

    def _unreachable(self, what) -> str:
        return f"{what}: the ECS metadata service at {self.url} could not be used (this source works only on an ECS instance)"

    def _check_status(self, answer, what, option):
        if answer.status != 200:
            raise OssCredentialError(f"{what}: the metadata service at {self.url} answered HTTP {answer.status}.", option)
