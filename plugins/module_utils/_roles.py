# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The credential sources that ask a service for temporary credentials: AssumeRole, AssumeRoleWithOIDC, the ECS role.

AssumeRole wraps any other source (its credentials sign the call), so role chaining is one wrapper around another.
Imported by _credentials only when such a source is configured.
"""

from __future__ import annotations

import json
import os
import re

from ansible_collections.alicloud.oss.plugins.module_utils._credentials import (
    ENV_EXTERNAL_ID,
    ENV_ROLE_ARN,
    ENV_ROLE_SESSION_NAME,
    Credentials,
    Known,
    Profile,
    Source,
    profile_keys,
)
from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import normalize_region
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssCredentialError
from ansible_collections.alicloud.oss.plugins.module_utils._sts import RoleRequest

DEFAULT_SESSION_NAME = "ansible-alicloud-oss"
DEFAULT_DURATION_SECONDS = 3600
MIN_DURATION_SECONDS = 900
MAX_DURATION_SECONDS = 43200
_SESSION_NAME = re.compile(r"^[A-Za-z0-9.@_-]{2,64}$")


def _temporary(temporary, source: str, spent=()) -> Credentials:
    return Credentials(temporary.access_key_id, temporary.access_key_secret, temporary.security_token, source, temporary.expiration, tuple(spent))


class AssumeRole(Source):
    """The assume_role option: AssumeRole of `role`, signed with whatever `signer` (any source) yields."""

    option = "assume_role"

    def __init__(self, signer: Source, role: RoleRequest, sts_region=None):
        self.signer = signer
        self.role = role
        self.sts_region = sts_region
        self.name = f"assume_role {role.role_arn}"

    def obtain(self, context):
        signer = self.signer.obtain(context)
        if not isinstance(signer, Credentials):
            return signer
        temporary = context.sts(self.sts_region).assume_role(signer, self.role, self.attempt(signer), self.option)
        # The signing credentials are spent, not used for OSS: still masked.
        return _temporary(temporary, self.label(signer), signer.secrets)

    def attempt(self, signer: Credentials) -> str:
        """What the call is, at the start of its error messages."""
        return f"assume_role: AssumeRole of {self.role.role_arn} signed with the credentials from {signer.source}"

    def label(self, signer: Credentials) -> str:
        """The source of the result."""
        return f"assume_role {self.role.role_arn} (signed with {signer.source})"


class EnvironmentRole(AssumeRole):
    """ALIBABA_CLOUD_ROLE_ARN: the role the environment's keys assume."""

    option = None

    def __init__(self, signer: Source, role_arn: str, environ):
        role = role_request(role_arn, environ.get(ENV_ROLE_SESSION_NAME), external_id=environ.get(ENV_EXTERNAL_ID), where=f"environment ({ENV_ROLE_ARN})")
        super().__init__(signer, role)

    def attempt(self, signer):
        return f"environment: AssumeRole of {self.role.role_arn} ({ENV_ROLE_ARN}) signed with the environment keys"

    def label(self, signer):
        return f"environment ({ENV_ROLE_ARN} {self.role.role_arn})"


class ProfileRamRole(AssumeRole):
    """A profile of mode RamRoleArn: the role its own keys assume."""

    option = "profile"

    def __init__(self, profile: Profile):
        data, where = profile.data, profile.where
        signer = Known(profile_keys(profile))
        role_arn = _profile_field(profile, "ram_role_arn", "RamRoleArn")
        role = role_request(
            role_arn, data.get("ram_session_name"), _profile_duration(profile), external_id=data.get("external_id"), where=where, option="profile"
        )
        super().__init__(signer, role, _profile_sts_region(profile))
        self.where = where

    def attempt(self, signer):
        return f"{self.where}: AssumeRole of {self.role.role_arn} (mode RamRoleArn) signed with the profile's keys"

    def label(self, signer):
        return f"{self.where} (RamRoleArn {self.role.role_arn})"


class OidcRole(Source):
    """AssumeRoleWithOIDC with the token of a file (read fresh each run: the cluster rotates it)."""

    def __init__(self, where: str, role: RoleRequest, provider_arn: str, token_file: str, option=None, sts_region=None):
        self.where = where
        self.role = role
        self.provider_arn = provider_arn
        self.token_file = token_file
        self.option = option
        self.sts_region = sts_region
        self.name = f"{where} (OIDC role {role.role_arn})"

    def obtain(self, context):
        token = read_oidc_token(self.token_file, self.where, self.option)
        what = f"{self.where}: AssumeRoleWithOIDC of {self.role.role_arn}"
        temporary = context.sts(self.sts_region).assume_role_with_oidc(self.provider_arn, token, self.role, what, self.option)
        return _temporary(temporary, self.name, (token,))


class EcsRole(Source):
    """The credentials of the ECS instance's RAM role; an empty role name asks the instance which role it has."""

    def __init__(self, role_name: str, where: str, option=None):
        self.role_name = role_name
        self.option = option
        label = f"ECS instance role '{role_name}'" if role_name else "ECS instance role (name asked from the instance)"
        self.name = f"{label} from {where}"

    def obtain(self, context):
        temporary = context.metadata().role_credentials(self.role_name, self.name, self.option)
        return _temporary(temporary, self.name)


def profile_role(kind: str, profile: Profile) -> Source:
    """The source of a profile of mode RamRoleArn, EcsRamRole or OIDC (kind: the mode in lower case)."""
    if kind == "ramrolearn":
        return ProfileRamRole(profile)
    if kind == "ecsramrole":
        return EcsRole(str(profile.data.get("ram_role_name") or ""), f"{profile.where} (mode EcsRamRole)", "profile")
    provider_arn = _profile_field(profile, "oidc_provider_arn", "OIDC")
    token_file = _profile_field(profile, "oidc_token_file", "OIDC")
    role_arn = _profile_field(profile, "ram_role_arn", "OIDC")
    role = role_request(role_arn, profile.data.get("ram_session_name"), _profile_duration(profile), where=profile.where, option="profile")
    return OidcRole(profile.where, role, provider_arn, token_file, "profile", _profile_sts_region(profile))


def role_from_option(value) -> RoleRequest | None:
    """The assume_role option as a checked RoleRequest, or None when it is not set."""
    if not value:
        return None
    policy = value.get("policy")
    if isinstance(policy, (dict, list)):
        policy = json.dumps(policy)
    return role_request(
        value.get("role_arn"),
        value.get("session_name"),
        value.get("duration_seconds"),
        policy,
        value.get("external_id"),
        where="assume_role",
        option="assume_role",
    )


def role_request(role_arn, session_name=None, duration=None, policy=None, external_id=None, *, where: str, option=None) -> RoleRequest:
    """Check what the caller can get wrong before STS is asked; STS still has the last word (e.g. the role's own maximum).

    where: the source, at the start of each message; option: the option a failure points at.
    """
    if not role_arn or not str(role_arn).startswith("acs:ram::"):
        raise OssCredentialError(f"{where}: the role ARN '{role_arn or ''}' is not of the form acs:ram::<account id>:role/<role name>.", option)
    session_name = session_name or DEFAULT_SESSION_NAME
    if not _SESSION_NAME.match(session_name):
        raise OssCredentialError(f"{where}: the role session name '{session_name}' must be 2 to 64 letters, digits or . @ - _.", option)
    duration = DEFAULT_DURATION_SECONDS if duration is None else duration
    if not MIN_DURATION_SECONDS <= duration <= MAX_DURATION_SECONDS:
        raise OssCredentialError(f"{where}: the session duration must be {MIN_DURATION_SECONDS} to {MAX_DURATION_SECONDS} seconds, not {duration}.", option)
    if policy:
        try:
            json.loads(policy)
        except ValueError:
            raise OssCredentialError(f"{where}: the policy is not valid JSON.", option) from None
    return RoleRequest(str(role_arn), session_name, int(duration), policy or None, external_id or None)


# A service account token is a JWT of a few thousand characters; a larger file is not one (and /dev/zero would never end).
MAX_OIDC_TOKEN_CHARS = 64 * 1024


def read_oidc_token(path: str, where: str, option) -> str:
    """The OIDC token, read fresh each run (the cluster rotates the file)."""
    path = os.path.expanduser(path)
    try:
        with open(path, encoding="utf-8") as handle:
            raw = handle.read(MAX_OIDC_TOKEN_CHARS + 1)
    except OSError as exc:
        raise OssCredentialError(f"{where}: the OIDC token file {path} cannot be read: {exc.strerror}.", option) from None
    except UnicodeDecodeError:
        raise OssCredentialError(f"{where}: the OIDC token file {path} is not UTF-8 text.", option) from None
    # Measured before stripping, so that blank lines cannot push a token past the cap and have it read cut short.
    if len(raw) > MAX_OIDC_TOKEN_CHARS:
        raise OssCredentialError(f"{where}: the OIDC token file {path} holds more than 65536 characters: it does not hold a token.", option)
    token = raw.strip()
    if not token:
        raise OssCredentialError(f"{where}: the OIDC token file {path} is empty.", option)
    return token


def _profile_field(profile: Profile, name: str, mode: str) -> str:
    value = profile.data.get(name)
    if not value or not isinstance(value, str):
        raise OssCredentialError(f"{profile.where} has mode {mode} but no {name}.", "profile")
    return value


def _profile_duration(profile: Profile) -> int:
    value = profile.data.get("expired_seconds")
    if value in (None, "", 0):
        return DEFAULT_DURATION_SECONDS
    try:
        return int(value)
    except (TypeError, ValueError):
        raise OssCredentialError(f"{profile.where} has an expired_seconds that is not a number of seconds.", "profile") from None


def _profile_sts_region(profile: Profile):
    region = profile.data.get("sts_region")
    if not region:
        return None
    try:
        return normalize_region(region, "profile")
    except OssConfigError:
        raise OssCredentialError(f"{profile.where} has an sts_region '{region}' that is not a region id such as cn-hangzhou.", "profile") from None
