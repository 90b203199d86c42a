# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential services: STS (AssumeRole, AssumeRoleWithOIDC) and the ECS instance metadata service.

The RPC signature check is written from the prose of the STS AssumeRole API documentation and of the RPC signature
documentation, not from the collection's code, so that a bug in one cannot hide behind the same bug in the other:
GET or POST, then '&', then the percent-encoded '/', then '&', then the percent-encoded canonical query (all
parameters but Signature, sorted by name, each name and value percent-encoded by RFC 3986 with only
A-Z a-z 0-9 - _ . ~ left as they are); HMAC-SHA1 keyed with the AccessKey secret followed by '&'; Base64.

Temporary credentials issued here are registered with the OSS side's credential store, with their expiry on
the emulator's service clock: OSS accepts them until then and answers SecurityTokenExpired afterwards.
"""

import base64
import datetime
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
import uuid
from urllib.parse import parse_qsl

from .rpcauth import RpcAuthenticator
from .timefmt import UTC

STS_VERSION = "2015-04-01"
STS_PATHS = ("/", "/sts", "/sts/")
METADATA_TOKEN_PATH = "/latest/api/token"
METADATA_CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"
METADATA_TOKEN_TTL_HEADER = "x-aliyun-ecs-metadata-token-ttl-seconds"
METADATA_TOKEN_HEADER = "x-aliyun-ecs-metadata-token"
METADATA_TOKEN_MAX_TTL = 21600
METADATA_CREDENTIAL_SECONDS = 6 * 3600  # ECS hands out role credentials valid for hours and rotates them before expiry
MAX_SKEW_SECONDS = 15 * 60
MIN_DURATION = 900
SESSION_NAME = re.compile(r"^[A-Za-z0-9.@_-]{2,64}$")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-_.~")
_ALNUM = string.ascii_letters + string.digits


class StsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def rpc_encode(text):
    """Percent-encode UTF-8 bytes, keeping only the RFC 3986 unreserved characters (so ' ' is %20 and '*' is %2A)."""
    return "".join(chr(byte) if chr(byte) in _UNRESERVED else "%%%02X" % byte for byte in text.encode("utf-8"))


def rpc_string_to_sign(method, params):
    canonical = "&".join("%s=%s" % (rpc_encode(name), rpc_encode(params[name])) for name in sorted(params) if name != "Signature")
    return "%s&%s&%s" % (method, rpc_encode("/"), rpc_encode(canonical))


def rpc_sign(method, params, secret):
    digest = hmac.new((secret + "&").encode("utf-8"), rpc_string_to_sign(method, params).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def is_sts_request(method, path, query_pairs, body):
    """STS answers at / (and /sts/) of any host: any request there that names an Action."""
    if path not in STS_PATHS:
        return False
    return any(name == "Action" for name, _value in query_pairs) or (method == "POST" and b"Action=" in (body or b""))


def _iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _random(length, alphabet=_ALNUM):
    return "".join(secrets.choice(alphabet) for _position in range(length))


class StsService:
    """AssumeRole (RPC signature checked) and AssumeRoleWithOIDC (the OIDC token checked), against the configured roles."""

    def __init__(self, core):
        self.core = core
        self.roles = {role["arn"]: role for role in core.config["roles"]}
        self.providers = {provider["arn"]: provider for provider in core.config["oidc_providers"]}
        self._lock = threading.Lock()
        self._auth = RpcAuthenticator(core, StsError, lambda: MAX_SKEW_SECONDS, rpc_sign, rpc_string_to_sign)
        self.issued = []  # one entry per credential set handed out, without its secrets

    # --- HTTP ---------------------------------------------------------------------------------------------------
    def answer(self, method, query_pairs, headers, body, host):
        """(status, JSON bytes) for one STS request; errors are STS's JSON error document."""
        request_id = str(uuid.uuid4()).upper()
        try:
            params = self._params(method, query_pairs, headers, body)
            document = self._dispatch(method, params)
            status = 200
        except StsError as error:
            status = error.status
            document = {
                "Code": error.code,
                "Message": error.message,
                "HostId": host or "sts.aliyuncs.com",
                "Recommend": "https://api.aliyun.com/troubleshoot?q=%s&product=Sts" % error.code,
            }
        document["RequestId"] = request_id
        return status, json.dumps(document).encode("utf-8")

    def _params(self, method, query_pairs, headers, body):
        pairs = [(name, value or "") for name, value in query_pairs]
        if method == "POST" and body:
            if "application/x-www-form-urlencoded" not in headers.get("content-type", ""):
                raise StsError(400, "InvalidParameter.ContentType", "A POST body must be application/x-www-form-urlencoded.")
            pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        params = {}
        for name, value in pairs:
            if name in params:
                raise StsError(400, "InvalidParameter", "The parameter %s is given more than once." % name)
            params[name] = value
        return params

    def _dispatch(self, method, params):
        if params.get("Version") != STS_VERSION:
            raise StsError(400, "InvalidVersion", "Specified parameter Version is not valid.")
        action = params.get("Action")
        if action == "AssumeRole":
            return self._assume_role(method, params)
        if action == "AssumeRoleWithOIDC":
            return self._assume_role_with_oidc(params)
        raise StsError(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")

    # --- AssumeRole ---------------------------------------------------------------------------------------------
    def _assume_role(self, method, params):
        caller = self._auth.authenticate(method, params)
        role = self._role(params.get("RoleArn"))
        if caller.owner != role["owner"] and caller.owner not in role.get("trusted_accounts", []):
            raise StsError(403, "NoPermission", "You are not authorized to do this action. You should be authorized by RAM.")
        if role.get("external_id") and params.get("ExternalId") != role["external_id"]:
            raise StsError(403, "NoPermission", "You are not authorized to do this action: the ExternalId does not match the trust policy.")
        return self._issue("AssumeRole", role, params)

    # --- AssumeRoleWithOIDC -------------------------------------------------------------------------------------
    def _assume_role_with_oidc(self, params):
        for name in ("OIDCProviderArn", "OIDCToken", "RoleArn"):
            if not params.get(name):
                raise StsError(400, "Missing%s" % name, "%s is mandatory for this action." % name)
        provider = self.providers.get(params["OIDCProviderArn"])
        if provider is None:
            raise StsError(404, "EntityNotExist.OIDCProvider", "The specified OIDC provider does not exist.")
        if not hmac.compare_digest(params["OIDCToken"].encode("utf-8"), provider["token"].encode("utf-8")):
            raise StsError(400, "AuthenticationFail.OIDCToken.Invalid", "The OIDC token is invalid or expired.")
        role = self._role(params["RoleArn"])
        if role["owner"] != provider["owner"]:
            raise StsError(403, "NoPermission", "You are not authorized to do this action: the role does not trust this OIDC provider.")
        document = self._issue("AssumeRoleWithOIDC", role, params)
        document["OIDCTokenInfo"] = {
            "Subject": provider.get("subject", "system:serviceaccount:default:ansible"),
            "Issuer": provider.get("issuer", "https://oidc.emulator.invalid"),
            "ClientIds": "sts.aliyuncs.com",
        }
        return document

    # --- shared -------------------------------------------------------------------------------------------------
    def _role(self, arn):
        if not arn:
            raise StsError(400, "MissingRoleArn", "RoleArn is mandatory for this action.")
        role = self.roles.get(arn)
        if role is None:
            raise StsError(404, "EntityNotExist.Role", "The role not exists: %s." % arn)
        return role

    def _issue(self, action, role, params):
        session = params.get("RoleSessionName")
        if not session:
            raise StsError(400, "MissingRoleSessionName", "RoleSessionName is mandatory for this action.")
        if not SESSION_NAME.match(session):
            raise StsError(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.")
        duration = self._duration(params.get("DurationSeconds"), role)
        if params.get("Policy"):
            try:
                json.loads(params["Policy"])
            except ValueError:
                raise StsError(400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.")
        credentials = self.grant(role, duration, action, session)
        role_id = "3%s" % hashlib.sha1(role["arn"].encode("utf-8")).hexdigest()[:17]
        return {"AssumedRoleUser": {"Arn": "%s/%s" % (role["arn"], session), "AssumedRoleId": "%s:%s" % (role_id, session)}, "Credentials": credentials}

    def _duration(self, value, role):
        maximum = role.get("max_session_duration", 3600)
        try:
            duration = int(value) if value else 3600
        except ValueError:
            raise StsError(400, "InvalidParameter.DurationSeconds", "The parameter DurationSeconds is not a number.")
        if not MIN_DURATION <= duration <= maximum:
            raise StsError(400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is %d/%d seconds." % (MIN_DURATION, maximum))
        return duration

    def grant(self, role, seconds, how, session=None):
        """Issue temporary credentials for role, valid `seconds` on the service clock, and make OSS accept them."""
        expiration = self.core.clock.service() + datetime.timedelta(seconds=seconds)
        expiration = expiration.replace(microsecond=0)
        key_id = "STS.NT" + _random(24)
        secret = _random(40)
        token = "CAIS" + base64.b64encode(secrets.token_bytes(120)).decode("ascii")
        self.core.add_credential(key_id, secret, role["owner"], token, expiration)
        with self._lock:
            self.issued.append({"access_key_id": key_id, "how": how, "role_arn": role["arn"], "session": session, "expiration": _iso(expiration)})
        return {"AccessKeyId": key_id, "AccessKeySecret": secret, "SecurityToken": token, "Expiration": _iso(expiration)}

    def role_by_name(self, name):
        return next((role for arn, role in self.roles.items() if arn.rsplit(":role/", 1)[-1] == name), None)


class MetadataService:
    """The ECS instance metadata paths for RAM role credentials, with the hardened mode's session tokens."""

    def __init__(self, core, sts):
        self.core = core
        self.sts = sts
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        """Back to the configured settings, no session tokens, counts at zero."""
        config = self.core.config
        self.role = config["ecs_instance_role"]  # the role name attached to the emulated instance, or None
        self.hardened = bool(config["metadata_hardened"])  # True: every GET needs a session token
        self.token_api = True  # False: an older instance without the token API (the PUT answers 404)
        with self._lock:
            self._tokens = {}
            self.counts = {"token": 0, "with_token": 0, "without_token": 0}

    def answer(self, method, path, headers):
        """(status, content type, body) for one request under /latest/."""
        if path == METADATA_TOKEN_PATH:
            return self._token(method, headers)
        if not path.startswith(METADATA_CREDENTIALS_PATH) or method != "GET":
            return _not_found()
        refused = self._check_token(headers.get(METADATA_TOKEN_HEADER))
        if refused:
            return refused
        name = path[len(METADATA_CREDENTIALS_PATH) :]
        if not name:
            return (200, "text/plain", self.role.encode("utf-8")) if self.role else _not_found()
        if name != self.role or self.sts.role_by_name(name) is None:
            return _not_found()
        credentials = self.sts.grant(self.sts.role_by_name(name), METADATA_CREDENTIAL_SECONDS, "EcsMetadata", name)
        document = dict(credentials, Code="Success", LastUpdated=_iso(self.core.clock.service()))
        return 200, "text/plain", json.dumps(document, indent=2).encode("utf-8")

    def _token(self, method, headers):
        if not self.token_api:
            return _not_found()
        if method != "PUT":
            return 405, "text/plain", b"405 - Method Not Allowed"
        try:
            ttl = int(headers.get(METADATA_TOKEN_TTL_HEADER, ""))
        except ValueError:
            ttl = 0
        if not 1 <= ttl <= METADATA_TOKEN_MAX_TTL:
            return 400, "text/plain", b"400 - Bad Request: X-aliyun-ecs-metadata-token-ttl-seconds must be 1 to 21600"
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = self.core.clock.service() + datetime.timedelta(seconds=ttl)
            self.counts["token"] += 1
        return 200, "text/plain", token.encode("ascii")

    def _check_token(self, token):
        with self._lock:
            if token is None:
                self.counts["without_token"] += 1
                return (401, "text/plain", b"401 - Unauthorized") if self.hardened else None
            self.counts["with_token"] += 1
            expiry = self._tokens.get(token)
        if expiry is None or self.core.clock.service() >= expiry:
            return 401, "text/plain", b"401 - Unauthorized"
        return None

    def settings(self):
        return {"hardened": self.hardened, "token_api": self.token_api, "role": self.role, "counts": dict(self.counts)}


def _not_found():
    return 404, "text/html", b"<html><body><h1>404 - Not Found</h1></body></html>"
