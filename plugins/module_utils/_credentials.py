# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Credential resolution: one source supplies the whole credential set, in a fixed order.

1. task options access_key_id/access_key_secret/security_token;
2. environment keys (with ALIBABA_CLOUD_ROLE_ARN: AssumeRole signed with them);
3. the selected profile of the aliyun CLI config file: AK, StsToken, RamRoleArn, EcsRamRole, OIDC;
4. the OIDC role from the environment (AssumeRoleWithOIDC);
5. the ECS instance role, only when a role name is configured (the metadata service is never probed blindly).

Each source supplies the whole set (key id, secret and security token) or nothing: fields are never mixed across
sources, so a stale token in the environment cannot pair with keys from a task. With the assume_role option, the
credentials found this way are not used for OSS: they sign an AssumeRole call, and its temporary credentials are.
"""

from __future__ import annotations

import json
import os
import re
from typing import NamedTuple

from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import normalize_region
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssCredentialError
from ansible_collections.alicloud.oss.plugins.module_utils._sts import (
    DEFAULT_METADATA_ENDPOINT,
    DEFAULT_STS_ENDPOINT,
    CredentialTransport,
    MetadataClient,
    RoleRequest,
    StsClient,
)

ENV_ACCESS_KEY_ID = ("ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_ID", "OSS_ACCESS_KEY_ID")
ENV_ACCESS_KEY_SECRET = ("ALICLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "OSS_ACCESS_KEY_SECRET")
ENV_SECURITY_TOKEN = ("ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN", "OSS_SESSION_TOKEN")
ENV_ROLE_ARN = "ALIBABA_CLOUD_ROLE_ARN"
ENV_ROLE_SESSION_NAME = "ALIBABA_CLOUD_ROLE_SESSION_NAME"
ENV_EXTERNAL_ID = "ALIBABA_CLOUD_EXTERNAL_ID"
ENV_OIDC_PROVIDER_ARN = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
ENV_OIDC_TOKEN_FILE = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
ENV_ECS_ROLE_NAME = ("ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME")
ENV_STS_ENDPOINT = "ALIBABA_CLOUD_STS_ENDPOINT"
ENV_METADATA_ENDPOINT = "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT"
ENV_IMDSV1_DISABLED = "ALIBABA_CLOUD_IMDSV1_DISABLED"
DEFAULT_CREDENTIALS_FILE = "~/.aliyun/config.json"
DEFAULT_SESSION_NAME = "ansible-alicloud-oss"
DEFAULT_DURATION_SECONDS = 3600
MIN_DURATION_SECONDS = 900
MAX_DURATION_SECONDS = 43200
SUPPORTED_MODES = "AK, StsToken, RamRoleArn, EcsRamRole or OIDC"
_SESSION_NAME = re.compile(r"^[A-Za-z0-9.@_-]{2,64}$")


class Credentials(NamedTuple):
    access_key_id: str
    access_key_secret: str
    security_token: str | None
    source: str
    expiration: str | None = None
    # Secrets spent on the way (the keys that signed an AssumeRole call, an OIDC token): not used for OSS, still masked.
    spent_secrets: tuple = ()

    def __repr__(self) -> str:
        # Keep secrets out of tracebacks and debug output.
        return f"Credentials(access_key_id={self.access_key_id!r}, source={self.source!r})"

    @property
    def secrets(self) -> tuple:
        return tuple(value for value in (self.access_key_secret, self.security_token) + tuple(self.spent_secrets) if value)


class Profile(NamedTuple):
    name: str
    path: str
    data: dict


def resolve_credentials(params: dict, environ=None, transport: CredentialTransport | None = None) -> Credentials:
    """Return the credentials of the first source that has any, or raise naming every place looked at.

    transport: the HTTP layer for STS and the metadata service (tests inject one); by default one is built from
    the timeout, retries and validate_certs options, and closed before returning.
    """
    resolver = _Resolver(params, os.environ if environ is None else environ, transport)
    try:
        return resolver.resolve()
    finally:
        resolver.close()


class _Resolver:
    def __init__(self, params, environ, transport):
        self.params = params
        self.environ = environ
        self.looked = []
        self._transport = transport
        self._own_transport = transport is None
        # Checked before any source is read, so that bad input fails before any request is sent.
        self.assume_role = role_from_option(params.get("assume_role"))

    def resolve(self) -> Credentials:
        for source in (self._from_options, self._from_environment, self._from_profile, self._from_oidc_environment, self._from_ecs_role):
            credentials = source()
            if credentials:
                return self._apply_assume_role(credentials)
        if self.assume_role:
            raise OssCredentialError(f"No credentials found to sign the AssumeRole call of assume_role (role {self.assume_role.role_arn}). "
                                     "Looked at: " + "; ".join(self.looked) + ".", "assume_role")
        raise OssCredentialError("No OSS credentials found. Looked at: " + "; ".join(self.looked) + ".", "access_key_id")

    def close(self):
        if self._own_transport and self._transport is not None:
            self._transport.close()

    # --- HTTP services ------------------------------------------------------------------------------------------
    @property
    def transport(self) -> CredentialTransport:
        if self._transport is None:
            params = self.params
            retries = params.get("retries")
            self._transport = CredentialTransport(timeout=params.get("timeout") or 30.0, retries=4 if retries is None else retries,
                                                  validate_certs=params.get("validate_certs") is not False)
        return self._transport

    def _sts(self, sts_region=None) -> StsClient:
        """sts_endpoint (option or environment) wins over a profile's sts_region, which wins over the global endpoint."""
        endpoint = self.params.get("sts_endpoint") or self.environ.get(ENV_STS_ENDPOINT)
        if not endpoint:
            endpoint = f"https://sts.{sts_region}.aliyuncs.com" if sts_region else DEFAULT_STS_ENDPOINT
        return StsClient(endpoint, self.transport)

    def _metadata(self) -> MetadataClient:
        endpoint = self.params.get("ecs_metadata_endpoint") or self.environ.get(ENV_METADATA_ENDPOINT) or DEFAULT_METADATA_ENDPOINT
        plain_disabled = str(self.environ.get(ENV_IMDSV1_DISABLED) or "").strip().lower() in ("1", "true", "yes")
        return MetadataClient(endpoint, self.transport, allow_plain=not plain_disabled)

    # --- derived credentials ------------------------------------------------------------------------------------
    def _assume(self, source: Credentials, role: RoleRequest, what: str, label: str, option, sts_region=None) -> Credentials:
        """AssumeRole signed with source; what names the attempt in errors, label the result's source."""
        temporary = self._sts(sts_region).assume_role(source, role, what, option)
        return Credentials(temporary.access_key_id, temporary.access_key_secret, temporary.security_token, label, temporary.expiration,
                           source.secrets + tuple(source.spent_secrets))

    def _apply_assume_role(self, credentials: Credentials) -> Credentials:
        role = self.assume_role
        if not role:
            return credentials
        what = f"assume_role: AssumeRole of {role.role_arn} signed with the credentials from {credentials.source}"
        return self._assume(credentials, role, what, f"assume_role {role.role_arn} (signed with {credentials.source})", "assume_role")

    def _oidc(self, role: RoleRequest, provider_arn: str, token_file: str, where: str, option, sts_region=None) -> Credentials:
        token = read_oidc_token(token_file, where, option)
        what = f"{where}: AssumeRoleWithOIDC of {role.role_arn}"
        temporary = self._sts(sts_region).assume_role_with_oidc(provider_arn, token, role, what, option)
        return Credentials(temporary.access_key_id, temporary.access_key_secret, temporary.security_token,
                           f"{where} (OIDC role {role.role_arn})", temporary.expiration, (token,))

    def _ecs_role(self, role_name: str, where: str, option) -> Credentials:
        label = f"ECS instance role '{role_name}'" if role_name else "ECS instance role (name asked from the instance)"
        temporary = self._metadata().role_credentials(role_name, f"{label} from {where}", option)
        return Credentials(temporary.access_key_id, temporary.access_key_secret, temporary.security_token, f"{label} from {where}",
                           temporary.expiration)

    # --- the sources, in order ----------------------------------------------------------------------------------
    def _from_options(self):
        params = self.params
        key_id, secret, token = (params.get(name) for name in ("access_key_id", "access_key_secret", "security_token"))
        self.looked.append("task options access_key_id/access_key_secret (not set)")
        if not (key_id or secret or token):
            return None
        if not (key_id or secret):
            raise OssCredentialError("security_token is set in the task options but access_key_id and access_key_secret are not: a task "
                                     "that sets security_token must also set the key pair (credentials are never mixed across sources).",
                                     "access_key_id")
        return _complete(key_id, secret, token, "task options", "access_key_id", "access_key_secret")

    def _from_environment(self):
        environ = self.environ
        key_id, key_var = _first_env(environ, ENV_ACCESS_KEY_ID)
        secret, secret_var = _first_env(environ, ENV_ACCESS_KEY_SECRET)
        token, _token_var = _first_env(environ, ENV_SECURITY_TOKEN)
        self.looked.append("environment variables " + ", ".join(ENV_ACCESS_KEY_ID + ENV_ACCESS_KEY_SECRET) + " (not set)")
        if not (key_id or secret):
            return None
        keys = _complete(key_id, secret, token, "environment", key_var or ENV_ACCESS_KEY_ID[0], secret_var or ENV_ACCESS_KEY_SECRET[0])
        role_arn = environ.get(ENV_ROLE_ARN)
        # The assume_role option takes the place of the environment's role: one AssumeRole call, signed with these keys.
        if not role_arn or self.assume_role:
            return keys
        role = role_request(role_arn, environ.get(ENV_ROLE_SESSION_NAME), None, None, environ.get(ENV_EXTERNAL_ID),
                            f"environment ({ENV_ROLE_ARN})", None)
        what = f"environment: AssumeRole of {role_arn} ({ENV_ROLE_ARN}) signed with the environment keys"
        return self._assume(keys, role, what, f"environment ({ENV_ROLE_ARN} {role_arn})", None)

    def _from_profile(self):
        profile = load_profile(self.params)
        if profile is None:
            path = os.path.expanduser(self.params.get("credentials_file") or DEFAULT_CREDENTIALS_FILE)
            if os.path.exists(path):
                self.looked.append(f"credentials file {path} (it has no profile '{_read_config(path).get('current') or 'default'}')")
            else:
                self.looked.append(f"credentials file {path} (not found)")
            return None
        self.looked.append(f"profile '{profile.name}' in {profile.path}")
        return self._profile_credentials(profile)

    def _from_oidc_environment(self):
        environ = self.environ
        names = (ENV_ROLE_ARN, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE)
        role_arn, provider_arn, token_file = (environ.get(name) for name in names)
        if not (provider_arn or token_file):
            self.looked.append("OIDC role environment variables " + ", ".join(names) + " (not set)")
            return None
        missing = [name for name in names if not environ.get(name)]
        if missing:
            given = [name for name in names if environ.get(name)]
            raise OssCredentialError(f"The OIDC role source in the environment is incomplete: {', '.join(given)} "
                                     f"{'is' if len(given) == 1 else 'are'} set but {', '.join(missing)} "
                                     f"{'is' if len(missing) == 1 else 'are'} not; it needs all of {', '.join(names)}.", None)
        role = role_request(role_arn, environ.get(ENV_ROLE_SESSION_NAME), None, None, None, "environment (OIDC role)", None)
        return self._oidc(role, provider_arn, token_file, "environment (OIDC role)", None)

    def _from_ecs_role(self):
        role_name = self.params.get("ecs_role_name")
        if role_name is not None:
            # An empty option is a choice too: ask the instance which role it has.
            return self._ecs_role(role_name, "task option ecs_role_name", "ecs_role_name")
        role_name, variable = _first_env(self.environ, ENV_ECS_ROLE_NAME)
        if role_name:
            return self._ecs_role(role_name, f"environment variable {variable}", None)
        self.looked.append("ECS instance role: option ecs_role_name, environment variables " + ", ".join(ENV_ECS_ROLE_NAME)
                           + " (not set; the metadata service is asked only when a role name is configured)")
        return None

    # --- profile modes ------------------------------------------------------------------------------------------
    def _profile_credentials(self, profile: Profile) -> Credentials:
        mode = profile_mode(profile.data)
        where = f"profile '{profile.name}' in {profile.path}"
        handler = {"ak": _profile_ak, "ststoken": _profile_sts_token, "ramrolearn": self._profile_ram_role_arn,
                   "ecsramrole": self._profile_ecs_ram_role, "oidc": self._profile_oidc}.get(mode.lower())
        if handler is None:
            raise OssCredentialError(f"{where} has mode {mode}, which this collection does not support; use a profile of mode "
                                     f"{SUPPORTED_MODES}.", "profile")
        return handler(profile.data, where)

    def _profile_ram_role_arn(self, data, where):
        keys = _profile_keys(data, None, where)
        role_arn = _profile_field(data, "ram_role_arn", "RamRoleArn", where)
        role = role_request(role_arn, data.get("ram_session_name"), _profile_duration(data, where), None, data.get("external_id"),
                            where, "profile")
        what = f"{where}: AssumeRole of {role_arn} (mode RamRoleArn) signed with the profile's keys"
        return self._assume(keys, role, what, f"{where} (RamRoleArn {role_arn})", "profile", _profile_sts_region(data, where))

    def _profile_ecs_ram_role(self, data, where):
        return self._ecs_role(str(data.get("ram_role_name") or ""), f"{where} (mode EcsRamRole)", "profile")

    def _profile_oidc(self, data, where):
        provider_arn = _profile_field(data, "oidc_provider_arn", "OIDC", where)
        token_file = _profile_field(data, "oidc_token_file", "OIDC", where)
        role_arn = _profile_field(data, "ram_role_arn", "OIDC", where)
        role = role_request(role_arn, data.get("ram_session_name"), _profile_duration(data, where), None, None, where, "profile")
        return self._oidc(role, provider_arn, token_file, where, "profile", _profile_sts_region(data, where))


def role_from_option(value) -> RoleRequest | None:
    """The assume_role option as a checked RoleRequest, or None when it is not set."""
    if not value:
        return None
    policy = value.get("policy")
    if isinstance(policy, (dict, list)):
        policy = json.dumps(policy)
    return role_request(value.get("role_arn"), value.get("session_name"), value.get("duration_seconds"), policy,
                        value.get("external_id"), "assume_role", "assume_role")


def role_request(role_arn, session_name, duration, policy, external_id, where, option) -> RoleRequest:
    """Check what the caller can get wrong before STS is asked; STS still has the last word (e.g. the role's own maximum)."""
    if not role_arn or not str(role_arn).startswith("acs:ram::"):
        raise OssCredentialError(f"{where}: the role ARN '{role_arn or ''}' is not of the form acs:ram::<account id>:role/<role name>.", option)
    session_name = session_name or DEFAULT_SESSION_NAME
    if not _SESSION_NAME.match(session_name):
        raise OssCredentialError(f"{where}: the role session name '{session_name}' must be 2 to 64 letters, digits or . @ - _.", option)
    duration = DEFAULT_DURATION_SECONDS if duration is None else duration
    if not MIN_DURATION_SECONDS <= duration <= MAX_DURATION_SECONDS:
        raise OssCredentialError(
            f"{where}: the session duration must be {MIN_DURATION_SECONDS} to {MAX_DURATION_SECONDS} seconds, not {duration}.", option)
    if policy:
        try:
            json.loads(policy)
        except ValueError:
            raise OssCredentialError(f"{where}: the policy is not valid JSON.", option) from None
    return RoleRequest(str(role_arn), session_name, int(duration), policy or None, external_id or None)


def read_oidc_token(path: str, where: str, option) -> str:
    """The OIDC token, read fresh each run (the cluster rotates the file)."""
    path = os.path.expanduser(path)
    try:
        with open(path, encoding="utf-8") as handle:
            token = handle.read().strip()
    except OSError as exc:
        raise OssCredentialError(f"{where}: the OIDC token file {path} cannot be read: {exc.strerror}.", option) from None
    except UnicodeDecodeError:
        raise OssCredentialError(f"{where}: the OIDC token file {path} is not UTF-8 text.", option) from None
    if not token:
        raise OssCredentialError(f"{where}: the OIDC token file {path} is empty.", option)
    return token


def _first_env(environ, names):
    for name in names:
        if environ.get(name):
            return environ[name], name
    return None, None


def _complete(key_id, secret, token, source, key_name, secret_name):
    if not key_id:
        raise OssCredentialError(f"{secret_name} is set in the {source} but {key_name} is not: a source must supply both "
                                 "(credentials are never mixed across sources).", "access_key_id")
    if not secret:
        raise OssCredentialError(f"{key_name} is set in the {source} but {secret_name} is not: a source must supply both "
                                 "(credentials are never mixed across sources).", "access_key_secret")
    return Credentials(key_id, secret, token or None, source)


def load_profile(params: dict) -> Profile | None:
    """The selected profile of the aliyun CLI config file, or None when there is no file and none was asked for."""
    path = os.path.expanduser(params.get("credentials_file") or DEFAULT_CREDENTIALS_FILE)
    wanted = params.get("profile")
    if not os.path.exists(path):
        if wanted:
            raise OssCredentialError(f"profile '{wanted}' was asked for but the credentials file {path} does not exist.", "profile")
        return None
    config = _read_config(path)
    name = wanted or config.get("current") or "default"
    for entry in config.get("profiles") or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            return Profile(name, path, entry)
    if wanted:
        raise OssCredentialError(f"profile '{name}' is not in the credentials file {path}.", "profile")
    return None


def _read_config(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    except OSError as exc:
        raise OssCredentialError(f"The credentials file {path} cannot be read: {exc.strerror}.", "credentials_file") from None
    except ValueError as exc:
        # The parser's message quotes no content, only the position, so it is safe to show.
        raise OssCredentialError(f"The credentials file {path} is not valid JSON ({exc}).", "credentials_file") from None
    if not isinstance(config, dict):
        raise OssCredentialError(f"The credentials file {path} does not hold a JSON object.", "credentials_file")
    return config


def profile_mode(data: dict) -> str:
    """The profile's mode; the aliyun CLI infers it when the file leaves it empty."""
    mode = str(data.get("mode") or "").strip()
    if mode:
        return mode
    if data.get("access_key_id") and data.get("sts_token"):
        return "StsToken"
    if data.get("access_key_id") and data.get("ram_role_arn"):
        return "RamRoleArn"
    if data.get("access_key_id"):
        return "AK"
    if "ram_role_name" in data:
        return "EcsRamRole"
    if data.get("oidc_provider_arn"):
        return "OIDC"
    return "(none)"


def _profile_ak(data, where):
    return _profile_keys(data, None, where)


def _profile_sts_token(data, where):
    token = data.get("sts_token")
    if not token:
        raise OssCredentialError(f"{where} has mode StsToken but no sts_token.", "profile")
    return _profile_keys(data, token, where)


def _profile_keys(data, token, where):
    key_id, secret = data.get("access_key_id"), data.get("access_key_secret")
    if not key_id or not secret:
        raise OssCredentialError(f"{where} lacks access_key_id or access_key_secret.", "profile")
    return Credentials(key_id, secret, token, where)


def _profile_field(data, name, mode, where) -> str:
    value = data.get(name)
    if not value or not isinstance(value, str):
        raise OssCredentialError(f"{where} has mode {mode} but no {name}.", "profile")
    return value


def _profile_duration(data, where) -> int:
    value = data.get("expired_seconds")
    if value in (None, "", 0):
        return DEFAULT_DURATION_SECONDS
    try:
        return int(value)
    except (TypeError, ValueError):
        raise OssCredentialError(f"{where} has an expired_seconds that is not a number of seconds.", "profile") from None


def _profile_sts_region(data, where):
    region = data.get("sts_region")
    if not region:
        return None
    try:
        return normalize_region(region, "profile")
    except OssConfigError:
        raise OssCredentialError(f"{where} has an sts_region '{region}' that is not a region id such as cn-hangzhou.", "profile") from None
