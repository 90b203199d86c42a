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

Each source is a small class whose obtain(context) returns Credentials, or a text saying where it looked and why it
found none; a source that is configured but unusable raises OssCredentialError. The sources that call STS or the
ECS metadata service live in _roles, imported only when one of them is configured, so that static keys cost no
import of the role, RPC and HTTP-service code.
"""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssCredentialError

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
SUPPORTED_MODES = "AK, StsToken, RamRoleArn, EcsRamRole or OIDC"
CREDENTIAL_OPTIONS = ("access_key_id", "access_key_secret", "security_token")
PROFILE_CREDENTIAL_FIELDS = ("access_key_id", "access_key_secret", "sts_token")


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
    # What cleaning its credential fields changed, in words (never a value): warned about when the profile supplies them.
    warnings: tuple = ()

    @property
    def where(self) -> str:
        return f"profile '{self.name}' in {self.path}"


class Context:
    """What the sources of one resolution share: the task's params, the environment, and one HTTP transport.

    The transport (and the STS and metadata clients on it) is made on first use, so that static credentials never
    need it; a transport made here is closed by close().
    """

    def __init__(self, params: dict, environ, transport=None, warn=None):
        self.params = params
        self.environ = environ
        # Called with a text for each credential whose surrounding white space was removed.
        self.warn = warn or (lambda text: None)
        # The assume_role option, checked; when set, it takes the place of the environment's ALIBABA_CLOUD_ROLE_ARN.
        self.assume_role = None
        self._transport = transport
        self._own_transport = transport is None

    @property
    def transport(self):
        if self._transport is None:
            from ansible_collections.alicloud.oss.plugins.module_utils._http import CredentialTransport

            retries = self.params.get("retries")
            self._transport = CredentialTransport(
                timeout=self.params.get("timeout") or 30.0,
                retries=4 if retries is None else retries,
                validate_certs=self.params.get("validate_certs") is not False,
            )
        return self._transport

    def sts(self, sts_region=None):
        """sts_endpoint (option or environment) wins over a profile's sts_region, which wins over the global endpoint."""
        from ansible_collections.alicloud.oss.plugins.module_utils._sts import DEFAULT_STS_ENDPOINT, StsClient

        endpoint = self.params.get("sts_endpoint") or self.environ.get(ENV_STS_ENDPOINT)
        if not endpoint:
            endpoint = f"https://sts.{sts_region}.aliyuncs.com" if sts_region else DEFAULT_STS_ENDPOINT
        return StsClient(endpoint, self.transport)

    def metadata(self):
        from ansible_collections.alicloud.oss.plugins.module_utils._metadata import DEFAULT_METADATA_ENDPOINT, MetadataClient

        endpoint = self.params.get("ecs_metadata_endpoint") or self.environ.get(ENV_METADATA_ENDPOINT) or DEFAULT_METADATA_ENDPOINT
        plain_disabled = str(self.environ.get(ENV_IMDSV1_DISABLED) or "").strip().lower() in ("1", "true", "yes")
        return MetadataClient(endpoint, self.transport, allow_plain=not plain_disabled)

    def close(self):
        if self._own_transport and self._transport is not None:
            self._transport.close()


class Source:
    """One place credentials can come from; `name` is how messages and the result's source call it."""

    name = ""

    def obtain(self, context: Context):
        """Credentials, or a text naming where this source looked and why it found none; raises when it is set but unusable."""
        raise NotImplementedError


class Known(Source):
    """Credentials already read, for a wrapper to use (the keys that sign the environment's or a profile's role)."""

    def __init__(self, credentials: Credentials):
        self.credentials = credentials
        self.name = credentials.source

    def obtain(self, context):
        return self.credentials


class TaskOptions(Source):
    name = "task options"

    def obtain(self, context):
        key_id, secret, token = (clean_credential(context.params.get(name), f"option {name}", context.warn, name) for name in CREDENTIAL_OPTIONS)
        if not (key_id or secret or token):
            return "task options access_key_id/access_key_secret (not set)"
        if not (key_id or secret):
            raise OssCredentialError(
                "security_token is set in the task options but access_key_id and access_key_secret are not: a task "
                "that sets security_token must also set the key pair (credentials are never mixed across sources).",
                "access_key_id",
            )
        return _complete(key_id, secret, token, self.name, "access_key_id", "access_key_secret")


class Environment(Source):
    """The environment's keys; with ALIBABA_CLOUD_ROLE_ARN (and no assume_role option), the role they assume."""

    name = "environment"

    def obtain(self, context):
        environ = context.environ
        key_id, key_var = _first_env(environ, ENV_ACCESS_KEY_ID, context.warn)
        secret, secret_var = _first_env(environ, ENV_ACCESS_KEY_SECRET, context.warn)
        token, _token_var = _first_env(environ, ENV_SECURITY_TOKEN, context.warn)
        if not (key_id or secret):
            return "environment variables " + ", ".join(ENV_ACCESS_KEY_ID + ENV_ACCESS_KEY_SECRET) + " (not set)"
        keys = _complete(key_id, secret, token, self.name, key_var or ENV_ACCESS_KEY_ID[0], secret_var or ENV_ACCESS_KEY_SECRET[0])
        role_arn = environ.get(ENV_ROLE_ARN)
        # The assume_role option takes the place of the environment's role: one AssumeRole call, signed with these keys.
        if not role_arn or context.assume_role:
            return keys
        from ansible_collections.alicloud.oss.plugins.module_utils._roles import EnvironmentRole

        return EnvironmentRole(Known(keys), role_arn, environ).obtain(context)


class ProfileFile(Source):
    """The selected profile of the aliyun CLI config file, in whichever of its modes."""

    name = "profile"

    def obtain(self, context):
        profile = load_profile(context.params)
        if profile is None:
            path = os.path.expanduser(context.params.get("credentials_file") or DEFAULT_CREDENTIALS_FILE)
            if os.path.exists(path):
                return f"credentials file {path} (it has no profile '{_read_config(path).get('current') or 'default'}')"
            return f"credentials file {path} (not found)"
        for warning in profile.warnings:
            context.warn(warning)
        return profile_source(profile).obtain(context)


class ProfileKeys(Source):
    """A profile of mode AK, or StsToken (token_required)."""

    def __init__(self, profile: Profile, token_required: bool = False):
        self.profile = profile
        self.token_required = token_required
        self.name = profile.where

    def obtain(self, context):
        data = self.profile.data
        token = data.get("sts_token") if self.token_required else None
        if self.token_required and not token:
            raise OssCredentialError(f"{self.name} has mode StsToken but no sts_token.", "profile")
        return profile_keys(self.profile, token)


class OidcEnvironment(Source):
    """ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN + ALIBABA_CLOUD_OIDC_TOKEN_FILE: AssumeRoleWithOIDC."""

    name = "environment (OIDC role)"
    variables = (ENV_ROLE_ARN, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE)

    def obtain(self, context):
        environ = context.environ
        role_arn, provider_arn, token_file = (environ.get(name) for name in self.variables)
        if not (provider_arn or token_file):
            return "OIDC role environment variables " + ", ".join(self.variables) + " (not set)"
        missing = [name for name in self.variables if not environ.get(name)]
        if missing:
            given = [name for name in self.variables if environ.get(name)]
            raise OssCredentialError(
                f"The OIDC role source in the environment is incomplete: {', '.join(given)} "
                f"{'is' if len(given) == 1 else 'are'} set but {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not; it needs all of {', '.join(self.variables)}.",
                None,
            )
        from ansible_collections.alicloud.oss.plugins.module_utils._roles import OidcRole, role_request

        role = role_request(role_arn, session_name=environ.get(ENV_ROLE_SESSION_NAME), where=self.name)
        return OidcRole(self.name, role, provider_arn, token_file).obtain(context)


class EcsInstanceRole(Source):
    """The ECS instance's RAM role, named by the ecs_role_name option or the environment; never probed without a name."""

    name = "ECS instance role"

    def obtain(self, context):
        role_name = context.params.get("ecs_role_name")
        # An empty option is a choice too: ask the instance which role it has.
        where, option = "task option ecs_role_name", "ecs_role_name"
        if role_name is None:
            role_name, variable = _first_env(context.environ, ENV_ECS_ROLE_NAME)
            where, option = f"environment variable {variable}", None
            if not role_name:
                return (
                    "ECS instance role: option ecs_role_name, environment variables "
                    + ", ".join(ENV_ECS_ROLE_NAME)
                    + " (not set; the metadata service is asked only when a role name is configured)"
                )
        from ansible_collections.alicloud.oss.plugins.module_utils._roles import EcsRole

        return EcsRole(role_name, where, option).obtain(context)


class FirstFound(Source):
    """The first of `sources` that has credentials; when none has, the places looked at, in order."""

    def __init__(self, sources):
        self.sources = sources

    def obtain(self, context):
        looked = []
        for source in self.sources:
            found = source.obtain(context)
            if isinstance(found, Credentials):
                return found
            looked.append(found)
        return "; ".join(looked)


# The documented order.
SOURCES = (TaskOptions(), Environment(), ProfileFile(), OidcEnvironment(), EcsInstanceRole())


def resolve_credentials(params: dict, environ=None, transport=None, warn=None, service: str = "OSS") -> Credentials:
    """Return the credentials of the first source that has any, or raise naming every place looked at.

    transport: the HTTP layer for STS and the metadata service (tests inject one); by default one is built from
    the timeout, retries and validate_certs options, and closed before returning. warn(text): told about each
    credential whose surrounding white space was removed. service: what the credentials are for, in the message
    when none are found.
    """
    context = Context(params, os.environ if environ is None else environ, transport, warn)
    try:
        source = FirstFound(SOURCES)
        if params.get("assume_role"):
            from ansible_collections.alicloud.oss.plugins.module_utils._roles import AssumeRole, role_from_option

            # Checked before any source is read, so that bad input fails before any request is sent.
            context.assume_role = role_from_option(params["assume_role"])
            source = AssumeRole(source, context.assume_role)
        found = source.obtain(context)
    finally:
        context.close()
    if isinstance(found, Credentials):
        return found
    if context.assume_role:
        raise OssCredentialError(
            f"No credentials found to sign the AssumeRole call of assume_role (role {context.assume_role.role_arn}). Looked at: {found}.", "assume_role"
        )
    raise OssCredentialError(f"No {service} credentials found. Looked at: {found}.", "access_key_id")


def profile_source(profile: Profile) -> Source:
    """The source a profile's mode stands for."""
    mode = profile_mode(profile.data)
    kind = mode.lower()
    if kind in ("ak", "ststoken"):
        return ProfileKeys(profile, token_required=kind == "ststoken")
    if kind in ("ramrolearn", "ecsramrole", "oidc"):
        from ansible_collections.alicloud.oss.plugins.module_utils._roles import profile_role

        return profile_role(kind, profile)
    raise OssCredentialError(f"{profile.where} has mode {mode}, which this collection does not support; use a profile of mode {SUPPORTED_MODES}.", "profile")


def profile_keys(profile: Profile, token=None) -> Credentials:
    key_id, secret = profile.data.get("access_key_id"), profile.data.get("access_key_secret")
    if not key_id or not secret:
        raise OssCredentialError(f"{profile.where} lacks access_key_id or access_key_secret.", "profile")
    return Credentials(key_id, secret, token, profile.where)


def _first_env(environ, names, warn=None):
    """The first of the variables `names` that is set, cleaned when warn is given (credentials); with its name."""
    for name in names:
        if environ.get(name):
            value = environ[name] if warn is None else clean_credential(environ[name], f"environment variable {name}", warn)
            return value, name
    return None, None


def clean_credential(value, where: str, warn, option=None):
    """A key id, secret or token without surrounding white space (warned about); refused with an inner control or
    non-Latin-1 character, which no credential holds and an HTTP header cannot carry. Messages name `where`, never
    the value."""
    if not isinstance(value, str):
        return value
    cleaned = value.strip()
    if cleaned != value:
        warn(f"{where} had white space or a line break around it, which was removed (copying a secret, or $(cat file), often adds one).")
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in cleaned):
        raise OssCredentialError(
            f"{where} holds a control character (a line break, tab or the like) inside it: check that it was copied whole and alone.", option
        )
    if any(ord(ch) > 255 for ch in cleaned):
        raise OssCredentialError(
            f"{where} holds a character outside Latin-1, which no credential holds and an HTTP header cannot carry: check that it was copied whole and alone.",
            option,
        )
    return cleaned


def _complete(key_id, secret, token, source, key_name, secret_name):
    if not key_id:
        raise OssCredentialError(
            f"{secret_name} is set in the {source} but {key_name} is not: a source must supply both (credentials are never mixed across sources).",
            "access_key_id",
        )
    if not secret:
        raise OssCredentialError(
            f"{key_name} is set in the {source} but {secret_name} is not: a source must supply both (credentials are never mixed across sources).",
            "access_key_secret",
        )
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
            return _cleaned_profile(Profile(name, path, entry))
    if wanted:
        raise OssCredentialError(f"profile '{name}' is not in the credentials file {path}.", "profile")
    return None


def _cleaned_profile(profile: Profile) -> Profile:
    """The profile with its key id, secret and STS token cleaned by clean_credential, and what that changed."""
    warnings = []
    data = dict(profile.data)
    for field in PROFILE_CREDENTIAL_FIELDS:
        data[field] = clean_credential(data.get(field), f"{field} of {profile.where}", warnings.append, "profile")
    return profile._replace(data={name: value for name, value in data.items() if value is not None}, warnings=tuple(warnings))


# An aliyun CLI configuration holds a few profiles; a larger file (or a device such as /dev/zero) is not one, and
# reading it whole would only cost memory before failing.
MAX_CONFIG_CHARS = 1024 * 1024


def _read_config(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(MAX_CONFIG_CHARS + 1)
        if len(text) > MAX_CONFIG_CHARS:
            raise OssCredentialError(
                f"The credentials file {path} holds more than 1048576 characters: it is not an aliyun CLI configuration.", "credentials_file"
            )
        config = json.loads(text)
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
