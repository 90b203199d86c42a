# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Credential resolution: task options, then environment variables, then an aliyun CLI profile.

Each source supplies the whole set (key id, secret and security token) or nothing: fields are never
mixed across sources, so a stale token in the environment cannot pair with keys from a task.
"""

from __future__ import annotations

import json
import os
from typing import NamedTuple

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssCredentialError

ENV_ACCESS_KEY_ID = ("ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_ID", "OSS_ACCESS_KEY_ID")
ENV_ACCESS_KEY_SECRET = ("ALICLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "OSS_ACCESS_KEY_SECRET")
ENV_SECURITY_TOKEN = ("ALICLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_SECURITY_TOKEN", "OSS_SESSION_TOKEN")
DEFAULT_CREDENTIALS_FILE = "~/.aliyun/config.json"


class Credentials(NamedTuple):
    access_key_id: str
    access_key_secret: str
    security_token: str | None
    source: str

    def __repr__(self) -> str:
        # Keep secrets out of tracebacks and debug output.
        return f"Credentials(access_key_id={self.access_key_id!r}, source={self.source!r})"

    @property
    def secrets(self) -> tuple:
        return tuple(value for value in (self.access_key_secret, self.security_token) if value)


class Profile(NamedTuple):
    name: str
    path: str
    data: dict


def resolve_credentials(params: dict, environ=None) -> Credentials:
    """Return the first complete credential set, or raise naming every place looked at."""
    environ = os.environ if environ is None else environ
    looked = []
    for source in (_from_options, _from_environment, _from_profile):
        credentials = source(params, environ, looked)
        if credentials:
            return credentials
    raise OssCredentialError("No OSS credentials found. Looked at: " + "; ".join(looked) + ".", "access_key_id")


def _from_options(params, environ, looked):
    key_id, secret, token = (params.get(name) for name in ("access_key_id", "access_key_secret", "security_token"))
    looked.append("task options access_key_id/access_key_secret (not set)")
    if not (key_id or secret or token):
        return None
    if not (key_id or secret):
        raise OssCredentialError("security_token is set in the task options but access_key_id and access_key_secret are not: a task that "
                                 "sets security_token must also set the key pair (credentials are never mixed across sources).", "access_key_id")
    return _complete(key_id, secret, token, "task options", "access_key_id", "access_key_secret")


def _from_environment(params, environ, looked):
    key_id, key_var = _first_env(environ, ENV_ACCESS_KEY_ID)
    secret, secret_var = _first_env(environ, ENV_ACCESS_KEY_SECRET)
    token, _token_var = _first_env(environ, ENV_SECURITY_TOKEN)
    looked.append("environment variables " + ", ".join(ENV_ACCESS_KEY_ID + ENV_ACCESS_KEY_SECRET) + " (not set)")
    if not (key_id or secret):
        return None
    return _complete(key_id, secret, token, "environment", key_var or ENV_ACCESS_KEY_ID[0], secret_var or ENV_ACCESS_KEY_SECRET[0])


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


def _from_profile(params, environ, looked):
    profile = load_profile(params)
    if profile is None:
        path = os.path.expanduser(params.get("credentials_file") or DEFAULT_CREDENTIALS_FILE)
        if os.path.exists(path):
            looked.append(f"credentials file {path} (it has no profile '{_read_config(path).get('current') or 'default'}')")
        else:
            looked.append(f"credentials file {path} (not found)")
        return None
    looked.append(f"profile '{profile.name}' in {profile.path}")
    return credentials_from_profile(profile)


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
    return "(none)"


def credentials_from_profile(profile: Profile) -> Credentials:
    mode = profile_mode(profile.data)
    where = f"profile '{profile.name}' in {profile.path}"
    if mode.lower() == "ak":
        return _profile_keys(profile.data, None, where)
    if mode.lower() == "ststoken":
        token = profile.data.get("sts_token")
        if not token:
            raise OssCredentialError(f"{where} has mode StsToken but no sts_token.", "profile")
        return _profile_keys(profile.data, token, where)
    raise OssCredentialError(f"{where} has mode {mode}, which this collection does not support; use a profile of mode AK or StsToken.",
                             "profile")


def _profile_keys(data, token, where):
    key_id, secret = data.get("access_key_id"), data.get("access_key_secret")
    if not key_id or not secret:
        raise OssCredentialError(f"{where} lacks access_key_id or access_key_secret.", "profile")
    return Credentials(key_id, secret, token, where)
