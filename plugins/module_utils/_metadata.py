# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The ECS metadata service client: the RAM role credentials of an ECS instance."""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssCredentialError
from ansible_collections.alicloud.oss.plugins.module_utils._http import CredentialTransport, Request, json_object, service_url
from ansible_collections.alicloud.oss.plugins.module_utils._redact import server_text
from ansible_collections.alicloud.oss.plugins.module_utils._sts import TemporaryCredentials, temporary_credentials

DEFAULT_METADATA_ENDPOINT = "http://100.100.100.200"
METADATA_TOKEN_PATH = "/latest/api/token"
METADATA_CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"
METADATA_TOKEN_TTL_HEADER = "X-aliyun-ecs-metadata-token-ttl-seconds"
METADATA_TOKEN_HEADER = "X-aliyun-ecs-metadata-token"
# The token is used at once for one or two GETs; a short life limits what a leaked one is worth.
METADATA_TOKEN_TTL_SECONDS = 300
# Answers to the token PUT that mean "this instance has no hardened mode": fall back to the plain GET.
METADATA_NO_TOKEN_STATUS = frozenset((403, 404, 405))


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
            raise OssCredentialError(
                f"{what}: the metadata service at {self.url} has no credentials for the role '{role_name}' (HTTP 404); "
                "check that this RAM role is attached to the instance.",
                option,
            )
        self._check_status(answer, what, option)
        document = json_object(answer.body) or {}
        creds = temporary_credentials(document)
        if document.get("Code") != "Success" or creds is None:
            raise OssCredentialError(
                f"{what}: the metadata service answered without usable credentials (Code {server_text(document.get('Code') or 'missing', self._secrets)}).",
                option,
            )
        return creds

    def _session_token(self, what, option):
        def prepare():
            return Request("PUT", self.url + METADATA_TOKEN_PATH, {METADATA_TOKEN_TTL_HEADER: str(METADATA_TOKEN_TTL_SECONDS)})

        answer = self.transport.fetch(self._unreachable(what), prepare, link_local=True, probe=True)
        if answer.status == 200 and answer.body.strip():
            token = answer.body.decode("utf-8", "replace").strip()
            self._secrets.append(token)
            return token
        if answer.status in METADATA_NO_TOKEN_STATUS and self.allow_plain:
            return None
        if answer.status in METADATA_NO_TOKEN_STATUS:
            raise OssCredentialError(
                f"{what}: the metadata service refused a session token (HTTP {answer.status}) and ALIBABA_CLOUD_IMDSV1_DISABLED forbids the plain request.",
                option,
            )
        raise OssCredentialError(f"{what}: the metadata service answered HTTP {answer.status} to the session token request.", option)

    def _discover(self, headers, what, option) -> str:
        answer = self._get(METADATA_CREDENTIALS_PATH, headers, what)
        self._check_status(answer, what, option)
        names = [line.strip() for line in answer.body.decode("utf-8", "replace").splitlines() if line.strip()]
        if not names:
            raise OssCredentialError(f"{what}: no RAM role is attached to this ECS instance (the metadata service lists none).", option)
        return names[0]

    def _get(self, path, headers, what):
        return self.transport.fetch(self._unreachable(what), lambda: Request("GET", self.url + path, headers), secrets=self._secrets, link_local=True)

    def _unreachable(self, what) -> str:
        return f"{what}: the ECS metadata service at {self.url} could not be used (this source works only on an ECS instance)"

    def _check_status(self, answer, what, option):
        if answer.status != 200:
            raise OssCredentialError(f"{what}: the metadata service at {self.url} answered HTTP {answer.status}.", option)
