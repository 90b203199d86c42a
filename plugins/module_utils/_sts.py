# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The STS client: AssumeRole (RPC-signed with the source credentials) and AssumeRoleWithOIDC (carries the OIDC token).

Every message built here is scrubbed of the secrets involved (see _redact): STS echoes strings to sign, and
those carry the source security token.
"""

from __future__ import annotations

from typing import NamedTuple

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssCredentialError
from ansible_collections.alicloud.oss.plugins.module_utils._http import CredentialTransport, Request, json_object, service_url
from ansible_collections.alicloud.oss.plugins.module_utils._redact import server_text
from ansible_collections.alicloud.oss.plugins.module_utils._rpc import canonical_query, common_params, signed_get

STS_VERSION = "2015-04-01"
DEFAULT_STS_ENDPOINT = "https://sts.aliyuncs.com"
_STS_RETRY_CODES = ("Throttling", "ServiceUnavailable", "InternalError")


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


class StsError(OssCredentialError):
    """STS refused a request or answered something unusable; carries what STS said (never a secret)."""

    answered = True

    def __init__(
        self,
        message: str,
        option: str | None,
        status: int | None = None,
        code: str | None = None,
        server_message: str | None = None,
        request_id: str | None = None,
        host_id: str | None = None,
    ):
        super().__init__(message, option)
        self.status = status
        self.code = code
        self.server_message = server_message
        self.request_id = request_id
        self.host_id = host_id

    @property
    def error_message(self) -> str:
        return self.server_message or str(self)


class StsClient:
    """AssumeRole (signed with the source credentials) and AssumeRoleWithOIDC (carries the OIDC token, not signed)."""

    def __init__(self, endpoint: str, transport: CredentialTransport, option: str = "sts_endpoint"):
        self.url = service_url(endpoint, option)
        self.transport = transport

    def assume_role(self, source, role: RoleRequest, what: str, option: str | None) -> TemporaryCredentials:
        """source: anything with access_key_id, access_key_secret and security_token; what begins every message."""
        secrets = (source.access_key_secret, source.security_token)

        def prepare():
            params = dict(self._common("AssumeRole"), ExternalId=role.external_id, **_role_params(role))
            return signed_get(self.url, params, source, self.transport.nonce())

        return self._credentials(prepare, what, option, secrets)

    def assume_role_with_oidc(self, provider_arn: str, oidc_token: str, role: RoleRequest, what: str, option: str | None) -> TemporaryCredentials:
        def prepare():
            # The token goes in a form body, not the URL, so that no access log or proxy records it.
            form = dict(_role_params(role), OIDCProviderArn=provider_arn, OIDCToken=oidc_token)
            form = {name: value for name, value in form.items() if value not in (None, "")}
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            return Request("POST", f"{self.url}?{canonical_query(self._common('AssumeRoleWithOIDC'))}", headers, canonical_query(form).encode("ascii"))

        return self._credentials(prepare, what, option, (oidc_token,))

    def _common(self, action: str) -> dict:
        return common_params(action, STS_VERSION, self.transport.clock())

    def _credentials(self, prepare, what, option, secrets) -> TemporaryCredentials:
        answer = self.transport.fetch(what, prepare, secrets=secrets, retry_if=_sts_throttled)
        document = json_object(answer.body)
        if answer.status != 200:
            raise _sts_refusal(answer, document, what, option, secrets)
        creds = temporary_credentials((document or {}).get("Credentials"))
        if creds is None:
            request_id = (document or {}).get("RequestId")
            raise StsError(f"{what}: STS answered HTTP 200 without usable Credentials.{_rid(request_id)}", option, 200, request_id=request_id)
        return creds


def _role_params(role: RoleRequest) -> dict:
    return {"RoleArn": role.role_arn, "RoleSessionName": role.session_name, "DurationSeconds": str(role.duration_seconds), "Policy": role.policy}


def _sts_throttled(answer) -> bool:
    code = str((json_object(answer.body) or {}).get("Code") or "")
    return code.startswith(_STS_RETRY_CODES)


def _sts_refusal(answer, document, what, option, secrets) -> StsError:
    if document is None or not document.get("Code"):
        kind = answer.headers.get("content-type", "").split(";")[0] or "no content type"
        return StsError(f"{what}: STS answered HTTP {answer.status} with a body that is not an STS error document ({kind}).", option, answer.status)
    code, request_id = str(document["Code"]), document.get("RequestId")
    message = server_text(document.get("Message"), secrets)
    hint = _STS_HINTS.get(code, "")
    return StsError(
        f"{what}: STS refused it: {code} (HTTP {answer.status}): {message.rstrip('.')}.{hint}{_rid(request_id)}",
        option,
        answer.status,
        code,
        message,
        request_id,
        document.get("HostId"),
    )


_STS_HINTS = {
    "SignatureDoesNotMatch": " Check that the source AccessKey secret belongs to its AccessKey ID.",
    "NoPermission": " The source identity may not assume this role: check the role's trust policy and that the caller has "
    "AliyunSTSAssumeRoleAccess (STS refuses callers signing with the account's own AccessKey).",
    "EntityNotExist.Role": " Check the role ARN (acs:ram::<account id>:role/<role name>).",
    "InvalidParameter.DurationSeconds": " Lower duration_seconds to at most the role's maximum session duration.",
}


def _rid(request_id) -> str:
    return f" Request id {request_id}." if request_id else ""


def temporary_credentials(fields) -> TemporaryCredentials | None:
    """The temporary credentials of an STS or metadata answer's fields, or None when one is missing."""
    if not isinstance(fields, dict):
        return None
    values = [fields.get(name) for name in ("AccessKeyId", "AccessKeySecret", "SecurityToken")]
    if not all(isinstance(value, str) and value for value in values):
        return None
    expiration = fields.get("Expiration")
    return TemporaryCredentials(values[0], values[1], values[2], expiration if isinstance(expiration, str) else None)
