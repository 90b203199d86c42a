# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Typed errors raised by the OSS client layer.

Every failure a module can meet is one of these, so that a single place
(``OssModule.run``) turns them into ``fail_json``. None of them ever carries a
secret: messages are built from option names, codes and server answers only.
"""

from __future__ import annotations

# What to do next, by OSS error code. Shown after the server's own message.
_HINTS = {
    "SignatureDoesNotMatch": (
        "The request signature did not match: check that access_key_secret belongs to access_key_id, "
        "that region is the bucket's region, and that nothing rewrites requests between here and OSS."
    ),
    "InvalidAccessKeyId": "The AccessKey ID is unknown to OSS or disabled: check access_key_id and where it was read from.",
    "SecurityTokenExpired": "The STS security token has expired: obtain fresh temporary credentials.",
    "InvalidSecurityToken": "The STS security token is invalid or missing: pass security_token together with the temporary key pair.",
    "RequestTimeTooSkewed": (
        "The clock of the host running the module differs from OSS's by more than 15 minutes: synchronise it (for example with chrony or systemd-timesyncd)."
    ),
    # Only for an AccessDenied whose operation is unknown; see _access_denied_hint.
    "AccessDenied": (
        "The credentials lack permission. Grant the RAM actions oss:CreateCnameToken, oss:GetCnameToken, oss:PutCname, "
        "oss:ListCname and oss:DeleteCname on the bucket (and yundun-cert:DescribeSSLCertificatePrivateKey, "
        "yundun-cert:DescribeSSLCertificatePublicKeyDetail and yundun-cert:CreateSSLCertificate to bind certificates)."
    ),
    "NoSuchBucket": "Check the bucket name and that region (or endpoint) is the bucket's region.",
    "NonStandardHostForbidden": "Send requests to the OSS endpoint of the bucket's region, not to the custom domain.",
    "NoSuchCnameInRecord": (
        "Buckets in mainland China regions need an ICP filing for the domain before it can be bound: complete the filing, or use a bucket outside the mainland."
    ),
    "CnameDenied": "The domain is in use elsewhere and cannot be bound to this bucket.",
    "CnameIsForbidden": "OSS reserves this domain (for example *.aliyuncs.com); it cannot be bound.",
    "CnameIsRisk": "OSS considers this domain high-risk and refuses it.",
    "CertificateInvalidCasId": (
        "The certificate id is unknown or belongs to another account. A certificate service id reads <number>-<cas region>, "
        "for example 12345678-cn-hangzhou (the certificate service region, not the bucket's)."
    ),
    "TooManyCnameToken": "The bucket holds the maximum of 1000 CNAME tokens; wait for old tokens to expire (72 hours).",
}

# The RAM actions a certificate bind needs on top of oss:PutCname: OSS reads the certificate service entry, or creates one from a PEM.
CERTIFICATE_RAM_ACTIONS = (
    "yundun-cert:DescribeSSLCertificatePrivateKey",
    "yundun-cert:DescribeSSLCertificatePublicKeyDetail",
    "yundun-cert:CreateSSLCertificate",
)
# What the CnameType of a CnameAlreadyExists error says the domain is used by.
_CNAME_TYPES = {
    "CNAME_OSS": "bound to another bucket of this account",
    "CNAME_IMG": "used by the legacy image processing service",
}

# Hints keyed by the fine-grained EC number, for errors whose code name is generic.
_EC_HINTS = {
    "0018-00000209": (
        "previous_cert_id does not match the certificate bound now: re-read the binding (cname_info) or set force: true to overwrite unconditionally."
    ),
    "0018-00000210": "A private key was sent without its certificate.",
    "0017-00000249": "The domain must be longer than 3 characters.",
}


class OssError(Exception):
    """Base class of every error raised by the client layer."""

    # Errors about a server's answer set this and the fields below; the others have no ``error`` return value.
    answered = False
    code = None
    request_id = None
    host_id = None
    ec = None
    status = None
    extra = None

    @property
    def error_message(self) -> str:
        """The message of the ``error`` return value: the server's own words when it sent any."""
        return str(self)

    def to_dict(self) -> dict | None:
        """The ``error`` return value; None for an error that is not about a server's answer."""
        if not self.answered:
            return None
        error = {"code": self.code, "message": self.error_message, "request_id": self.request_id, "host_id": self.host_id, "ec": self.ec, "status": self.status}
        if self.extra:
            error["extra"] = dict(self.extra)
        return error


class OssConfigError(OssError):
    """Bad or missing input, found before any request is sent."""

    def __init__(self, message: str, option: str | None = None):
        super().__init__(message)
        self.option = option


class OssCredentialError(OssConfigError):
    """No usable credentials, or a credential source that cannot be read."""


class OssTransportError(OssError):
    """No HTTP answer: connection refused or reset, timeout, TLS failure."""

    def __init__(self, message: str, attempts: int = 1, retryable: bool = True):
        super().__init__(message)
        self.attempts = attempts
        self.retryable = retryable


class OssResponseError(OssError):
    """An answer that is not a usable OSS document (HTML from a proxy, garbage, truncated XML).

    Its ``error`` return value holds only what the HTTP layer knows: no code, host id or EC.
    """

    answered = True

    def __init__(self, message: str, status: int | None = None, request_id: str | None = None, attempts: int = 1):
        super().__init__(message)
        self.operation = None
        self.reason = message
        self.status = status
        self.request_id = request_id
        self.attempts = attempts


class OssServiceError(OssError):
    """OSS answered with an ``<Error>`` document."""

    answered = True

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: str | None = None,
        host_id: str | None = None,
        ec: str | None = None,
        extra: dict | None = None,
        attempts: int = 1,
    ):
        super().__init__(f"{code}: {message}")
        self.operation = None
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.host_id = host_id
        self.ec = ec
        self.extra = dict(extra or {})
        self.attempts = attempts

    # Set by the client when it knows better than the code alone (e.g. an STS key sent without its token).
    context_hint = None
    # RAM actions the failed request needed besides its operation's own (set for a PutCname that binds a certificate).
    extra_ram_actions = ()

    @property
    def hint(self) -> str | None:
        return self.context_hint or _EC_HINTS.get(self.ec or "") or self._code_hint()

    def _code_hint(self) -> str | None:
        if self.code == "AccessDenied" and self.operation:
            return _access_denied_hint(self.operation, self.extra_ram_actions)
        if self.code == "CnameAlreadyExists":
            return _already_exists_hint(self.message, self.extra.get("CnameType"))
        return _HINTS.get(self.code)

    @property
    def error_message(self) -> str:
        return self.message

    def describe(self) -> str:
        """One line: code, status, server message, hint and request id."""
        text = f"{self.code} (HTTP {self.status}): {self.message.rstrip('.')}."
        if self.hint:
            text += f" {self.hint}"
        if self.ec:
            text += f" EC {self.ec}."
        if self.request_id:
            text += f" Request id {self.request_id}."
        return text


# Operations whose RAM action has another name; every other operation's action is oss:<operation>.
_RAM_ACTION_OF = {"HeadObject": "GetObject"}
_OBJECT_OPERATIONS = ("HeadObject", "GetObject", "PutObject", "DeleteObject", "GetObjectAcl")


def _access_denied_hint(operation: str, extra_actions) -> str:
    """Name only what the failed request needed; the README's RAM policy lists every action the modules use."""
    actions = [f"oss:{_RAM_ACTION_OF.get(operation, operation)}"] + list(extra_actions)
    if len(actions) == 1:
        where = "the object" if operation in _OBJECT_OPERATIONS else "the bucket"
        needed = f"the RAM action {actions[0]} on {where}"
    else:
        needed = f"the RAM actions {', '.join(actions[:-1])} and {actions[-1]} (the oss: one on the bucket)"
    return f"The credentials lack permission for this request: grant {needed}."


def _already_exists_hint(message: str, cname_type: str | None) -> str:
    """Where the domain is in use, and to unbind it there, unless OSS's own message already says so."""
    where = _CNAME_TYPES.get(cname_type or "", "bound to another bucket of this account, or used by legacy image processing")
    if "unbind" in (message or "").lower():
        return f"The domain is {where}."
    return f"The domain is {where}: unbind it there first."
