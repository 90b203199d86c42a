# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The module bases: shared options, dependency checks, client construction and the one place errors become fail_json.

AlicloudModule serves a module of any service (credential options only); OssModule adds the OSS connection options.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    # ansible-core 2.22 and later: the controller masks, in what it shows, the secrets a module registers here; a
    # value added to no_log_values after the options were checked is no longer removed from the module's answer.
    from ansible.module_utils.secrets import register_secret
except ImportError:  # ansible-core 2.21 and older remove no_log_values from the answer themselves
    register_secret = None

from ansible_collections.alicloud.oss.plugins.module_utils._argspec import CREDENTIALS_ARGUMENT_SPEC, OSS_ARGUMENT_SPEC
from ansible_collections.alicloud.oss.plugins.module_utils._client import OssClient
from ansible_collections.alicloud.oss.plugins.module_utils._credentials import load_profile, resolve_credentials
from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import cname_target, endpoint_userinfo, resolve_endpoint
from ansible_collections.alicloud.oss.plugins.module_utils._errors import (
    OssConfigError,
    OssError,
    OssResponseError,
    OssServiceError,
    OssTransportError,
)
from ansible_collections.alicloud.oss.plugins.module_utils._http import REQUESTS_IMPORT_ERROR
from ansible_collections.alicloud.oss.plugins.module_utils._validation import validate_bucket, validate_retries, validate_timeout
from ansible_collections.alicloud.oss.plugins.module_utils._xml import DEFUSEDXML_IMPORT_ERROR

# Every OSS module takes the credentials and the OSS connection options; a module for another service takes only
# CREDENTIALS_ARGUMENT_SPEC.
COMMON_ARGUMENT_SPEC = {**CREDENTIALS_ARGUMENT_SPEC, **OSS_ARGUMENT_SPEC}


class ModuleFailure(Exception):
    """Raised by a module's logic to fail with its own message; `error` and `result` go into the failure as they are."""

    def __init__(self, msg: str, error: dict | None = None, **result):
        super().__init__(msg)
        self.msg = msg
        self.error = error
        self.result = result


class AlicloudModule:
    """AnsibleModule plus what every alicloud.oss module shares, whatever service it calls: the credential options,
    check mode, and the one place errors become fail_json. A subclass adds its service's options and builds its
    client in _build_client()."""

    shared_argument_spec = CREDENTIALS_ARGUMENT_SPEC
    required_libraries = ("requests",)
    # What the credentials are for, as messages name it.
    service = "Alibaba Cloud"

    def __init__(self, argument_spec: dict, **kwargs):
        spec = dict(self.shared_argument_spec)
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self._client = None
        # Before the first possible fail_json: a failure's invocation echoes the options.
        self._mask_option_secrets()
        self._check_libraries()

    def _mask_option_secrets(self):
        """Hide what an option holds that Ansible cannot know is secret (a password in a URL)."""

    def hide(self, secret: str):
        """Keep secret out of everything the module answers, and have the controller mask it wherever it shows it."""
        if not secret or not secret.strip():
            return  # ansible-core would mask an empty value everywhere: between every two characters of the answer
        self.module.no_log_values.add(secret)
        if register_secret is not None:
            register_secret(secret)

    @property
    def check_mode(self) -> bool:
        return self.module.check_mode

    def _check_libraries(self):
        # Looked up when called, not when the class is made: the import errors are module globals.
        import_errors = {"requests": REQUESTS_IMPORT_ERROR, "defusedxml": DEFUSEDXML_IMPORT_ERROR}
        for name in self.required_libraries:
            error = import_errors[name]
            if error:
                self.module.fail_json(msg=missing_required_lib(name), exception=error)

    @property
    def client(self):
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def _build_client(self):
        raise NotImplementedError

    def resolve_credentials(self):
        """The credentials of the first source that has any; their secrets are masked in everything the module returns."""
        credentials = resolve_credentials(self.params, warn=self.warn, service=self.service)
        # Secrets read from the environment or a file are not task options, so Ansible would not mask them on its own.
        for secret in credentials.secrets:
            self.hide(secret)
        return credentials

    def warn(self, message: str):
        self.module.warn(message)

    def run(self, handler):
        """Call handler(self) -> result dict and exit; every error ends here as one fail_json."""
        try:
            result = handler(self)
        except ModuleFailure as exc:
            self._fail(exc.msg, exc.error, **exc.result)
        except OssError as exc:
            self._fail(describe_error(exc), exc.to_dict())
        except Exception as exc:  # pylint: disable=broad-except
            # A bug of ours: say so plainly; the traceback is kept for -vvv, not printed in the message.
            self._fail(f"Unexpected error in alicloud.oss ({type(exc).__name__}: {exc}); please report it.", None, exception=traceback.format_exc())
        finally:
            if self._client is not None:
                self._client.close()
        self.module.exit_json(**self._without_secrets(result))

    def _fail(self, msg, error, **result):
        if error is not None:
            result["error"] = error
        self.module.fail_json(**self._without_secrets(dict(result, msg=" ".join(str(msg).split()))))

    def _without_secrets(self, result: dict) -> dict:
        # ansible-core 2.21 and older do this in exit_json and fail_json; 2.22 and later leave it to the controller,
        # which masks what it displays but keeps the secret in a registered variable. Done here, on every version,
        # for the invocation too (core adds it after this and keeps ours only when it would add one).
        result = dict(result)
        result.setdefault("invocation", {"module_args": self.params})
        # An empty value would match everywhere: str.replace("", MASK) puts the mask between every two characters.
        secrets = sorted({str(value) for value in self.module.no_log_values if str(value).strip()}, key=len, reverse=True)
        return without_secrets(result, secrets)


class OssModule(AlicloudModule):
    """An OSS module: the credentials plus the OSS connection options, and an OssClient."""

    shared_argument_spec = COMMON_ARGUMENT_SPEC
    required_libraries = ("requests", "defusedxml")
    service = "OSS"

    def __init__(self, argument_spec: dict, **kwargs):
        self._endpoint = None
        # Connections kept per host; a module that sends requests from several threads raises it before using client.
        self.pool_size = 10
        super().__init__(argument_spec, **kwargs)

    def _mask_option_secrets(self):
        # resolve_endpoint refuses a user or password in endpoint; Ansible would still echo them in the result's invocation.
        userinfo = endpoint_userinfo(self.params["endpoint"])
        if userinfo:
            self.hide(userinfo)

    def bucket(self) -> str:
        return validate_bucket(self.params["bucket"])

    @property
    def endpoint(self):
        if self._endpoint is None:
            self._endpoint = self._resolve_endpoint()
        return self._endpoint

    def _resolve_endpoint(self):
        params = self.params
        region = params["region"]
        # The order: region (or its environment variables), the region an OSS endpoint host names, the profile's region_id.
        if not region and not (params["endpoint"] and resolve_endpoint(None, params["endpoint"]).region):
            profile = load_profile(params)
            region = profile.data.get("region_id") if profile else None
        endpoint = resolve_endpoint(region, params["endpoint"], params["addressing_style"])
        if params["signature_version"] == "v4" and not endpoint.region:
            raise OssConfigError(
                f"signature_version v4 needs a region, and none was given or found in the endpoint '{params['endpoint']}': "
                "set region (for example cn-hangzhou).",
                "region",
            )
        return endpoint

    def cname_target(self, bucket: str) -> str | None:
        region = self.endpoint.region
        return cname_target(bucket, region) if region else None

    def _build_client(self) -> OssClient:
        params = self.params
        validate_timeout(params["timeout"])
        validate_retries(params["retries"])
        endpoint = self.endpoint
        credentials = self.resolve_credentials()
        return OssClient(
            endpoint,
            credentials,
            signature_version=params["signature_version"],
            timeout=params["timeout"],
            retries=params["retries"],
            validate_certs=params["validate_certs"],
            pool_size=self.pool_size,
        )


# What ansible-core's remove_values() writes (it is deprecated from 2.22 on, with a warning on every call).
NO_LOG_PLACEHOLDER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
MASK = "********"


def without_secrets(value, secrets: list):
    """value with every secret (longest first) removed: a string equal to one becomes NO_LOG_PLACEHOLDER, one that
    contains one has it replaced by MASK; containers are walked (keys are kept); booleans and None are kept."""
    if not secrets or value is None or isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return {key: without_secrets(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [without_secrets(item, secrets) for item in value]  # JSON makes a list of each anyway
    if isinstance(value, (int, float)):
        return NO_LOG_PLACEHOLDER if str(value) in secrets else value
    if isinstance(value, str):
        if value in secrets:
            return NO_LOG_PLACEHOLDER
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    return value


def describe_error(exc: OssError) -> str:
    """One line for any OssError: what was being done, what OSS said, what to do."""
    if isinstance(exc, OssServiceError):
        attempts = f" after {exc.attempts} attempts" if exc.attempts > 1 else ""
        return f"OSS refused {exc.operation or 'the request'}{attempts}: {exc.describe()}"
    if isinstance(exc, OssResponseError):
        attempts = f" after {exc.attempts} attempts" if exc.attempts > 1 else ""
        operation = f" to {exc.operation}" if exc.operation else ""
        return f"Unusable OSS answer{operation}{attempts}: {exc}"
    if isinstance(exc, OssTransportError):
        return f"Could not reach OSS: {exc}."
    return str(exc)
