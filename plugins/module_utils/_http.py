# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The one HTTP transport: sessions, timeouts, the retry loop and what a failed attempt means, in words.

Every client (OSS, STS, the ECS metadata service) sends through HttpTransport.send. A client hands it a
prepare() callable that builds the Request afresh for each attempt (a new signature, nonce and timestamp), and
says which answers besides RETRYABLE_STATUS are worth another attempt; the transport sends, waits between
attempts, and either returns the last Answer or raises OssTransportError when no answer came.
"""

from __future__ import annotations

import json
import platform
import random
import re
import time
import traceback
from typing import NamedTuple
from urllib.parse import urlsplit

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssCredentialError, OssTransportError

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    requests = None
    HTTPAdapter = None
else:
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = "1.0.0"
RETRYABLE_STATUS = frozenset((429, 500, 502, 503, 504))
BACKOFF_BASE = 1.0
BACKOFF_CAP = 20.0
# A link-local service (the ECS metadata service) answers in milliseconds on ECS, and off ECS its address does not
# answer at all: connecting is capped at a few seconds whatever the timeout.
LINK_LOCAL_CONNECT_TIMEOUT = 5.0
# A link-local service is unreachable through a proxy from the environment, which must not see its token either.
_NO_PROXY = {"http": None, "https": None, "all": None}


class Request(NamedTuple):
    method: str
    url: str
    headers: dict
    body: bytes | None = None
    # The host named in failure messages; by default the URL's (an OSS client names the endpoint, not bucket.endpoint).
    host: str | None = None


class Answer(NamedTuple):
    status: int
    headers: dict  # names in lower case
    body: bytes
    attempts: int = 1


def user_agent() -> str:
    parts = [f"alicloud.oss/{COLLECTION_VERSION}", f"python/{platform.python_version()}"]
    if requests is not None:
        parts.append(f"requests/{requests.__version__}")
    return " ".join(parts)


def backoff_delay(attempt: int, jitter=random.random) -> float:
    """Exponential backoff with full jitter: the first retry waits under 1 s, no wait exceeds 20 s."""
    return jitter() * min(BACKOFF_CAP, BACKOFF_BASE * (2**attempt))


def attempts_note(attempts: int) -> str:
    return f" (after {attempts} attempts)" if attempts > 1 else ""


def new_session(pool_size: int):
    if requests is None:
        raise OssTransportError("The Python library requests is required.")
    session = requests.Session()
    # Retries are ours (they re-sign each attempt); urllib3's own would resend a stale signature.
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent()
    return session


def keep_our_authorization(prepared):
    """Passed as auth= so that requests never replaces a signature with credentials from ~/.netrc."""
    return prepared


def json_object(body: bytes) -> dict | None:
    """The JSON object of an answer (RPC APIs, the metadata service), or None for anything else."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def service_url(endpoint: str, option: str, default_scheme: str = "https", example: str = "https://sts.aliyuncs.com") -> str:
    """scheme://host[:port]/path/ from an endpoint given with or without a scheme."""
    text = str(endpoint or "").strip()
    if "://" not in text:
        text = f"{default_scheme}://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise OssConfigError(f"{option} '{endpoint}' is not an http or https URL such as {example}.", option)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


class HttpTransport:
    """One requests.Session (created on first use, connections reused), a timeout on every request, one retry policy.

    The class attributes say how failures read; they are the OSS client's wording, CredentialTransport has its own.
    """

    # CERTIFICATE_VERIFY_FAILED gets a message that says how to trust the CA.
    explain_certificates = True
    unresolved_hint = "; check endpoint and region"
    # Reasons keep the URL; set for services whose URLs carry a secret (then `secrets` are removed as well).
    hide_urls = False
    # A RequestException that is not a network failure (an invalid header, say) is a bug of ours and is left to propagate.
    only_network_failures = True

    def __init__(
        self, timeout: float = 30.0, retries: int = 4, validate_certs: bool = True, session=None, sleep=time.sleep, jitter=random.random, pool_size: int = 2
    ):
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.validate_certs = validate_certs
        self.sleep = sleep
        self.jitter = jitter
        self.pool_size = pool_size
        self._session = session
        self.request_count = 0

    @property
    def session(self):
        # Created on first use, so that a run that sends nothing (static credentials, a check that fails) needs none.
        if self._session is None:
            self._session = new_session(self.pool_size)
        return self._session

    def close(self):
        if self._session is not None:
            self._session.close()

    def send(self, prepare, retry_if=None, secrets=(), link_local=False, probe=False) -> Answer:
        """Send prepare() -> Request until an answer is final; returns it, or raises OssTransportError when none came.

        retry_if(answer): answers worth another attempt besides RETRYABLE_STATUS (throttling codes in a 4xx body).
        secrets: removed from failure reasons (with hide_urls). link_local: no proxy, connecting capped.
        probe: the first request to a link-local service; its failures are not retried, since waiting will not put
        the host on ECS.
        """
        attempt = 0
        while True:
            attempt += 1
            last = attempt > self.retries
            request = prepare()
            try:
                answer = self._send_once(request, link_local, attempt)
            except requests.exceptions.RequestException as exc:
                failure = self.failure(exc, request, secrets)
                if failure is None:
                    raise
                failure.attempts = attempt
                if last or probe or not failure.retryable:
                    raise failure from None
            else:
                if last or not (answer.status in RETRYABLE_STATUS or (retry_if is not None and retry_if(answer))):
                    return answer
            self.sleep(backoff_delay(attempt - 1, self.jitter))

    def _send_once(self, request: Request, link_local: bool, attempt: int) -> Answer:
        headers = dict(request.headers)
        headers.setdefault("User-Agent", user_agent())
        extra = {"proxies": _NO_PROXY} if link_local else {}
        connect = min(self.timeout, LINK_LOCAL_CONNECT_TIMEOUT) if link_local else self.timeout
        self.request_count += 1
        response = self.session.request(
            request.method,
            request.url,
            headers=headers,
            data=request.body,
            timeout=(connect, self.timeout),
            verify=self.validate_certs,
            allow_redirects=False,
            auth=keep_our_authorization,
            **extra,
        )
        content = response.content
        return Answer(response.status_code, {name.lower(): value for name, value in response.headers.items()}, content, attempt)

    def failure(self, exc, request: Request, secrets=()) -> OssTransportError | None:
        """What went wrong, in words, and whether another attempt may help; None for what is not a network failure."""
        host = request.host or urlsplit(request.url).netloc
        if isinstance(exc, requests.exceptions.SSLError):
            if self.explain_certificates and "CERTIFICATE_VERIFY_FAILED" in str(exc):
                return OssTransportError(
                    f"the TLS certificate of {host} could not be verified. Trust its CA by setting REQUESTS_CA_BUNDLE "
                    "to a CA bundle that contains it, or (for a test endpoint only) set validate_certs: false",
                    retryable=False,
                )
            return OssTransportError(f"the TLS handshake with {host} failed ({self._reason(exc, secrets)})", retryable=False)
        if isinstance(exc, requests.exceptions.Timeout):
            return OssTransportError(f"no answer from {host} within the timeout of {self.timeout:g} s")
        network = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
        if self.only_network_failures and not isinstance(exc, network):
            return None
        if _is_name_resolution_failure(exc):
            # A host name that does not resolve will not resolve a second later either.
            return OssTransportError(f"the host name of {host} could not be resolved{self.unresolved_hint}", retryable=False)
        return OssTransportError(f"the connection to {host} failed ({self._reason(exc, secrets)})")

    def _reason(self, exc, secrets) -> str:
        if not self.hide_urls:
            return _reason(exc)
        from ansible_collections.alicloud.oss.plugins.module_utils._redact import without_urls

        return without_urls(_reason(exc), secrets)


class CredentialTransport(HttpTransport):
    """The transport of the credential services (STS, ECS metadata): failures are credential errors named after the attempt.

    Their URLs can carry the source security token, so reasons never quote a URL; clock and nonce are injectable
    for the RPC signature.
    """

    explain_certificates = False
    unresolved_hint = ""
    hide_urls = True
    # A user-given sts_endpoint can fail in ways the OSS endpoint (checked by _endpoint) cannot: say so in words.
    only_network_failures = False

    def __init__(
        self, timeout: float = 30.0, retries: int = 4, validate_certs: bool = True, session=None, sleep=time.sleep, jitter=random.random, clock=None, nonce=None
    ):
        super().__init__(timeout, retries, validate_certs, session, sleep, jitter)
        self.clock = clock or _utc_now
        self.nonce = nonce or _uuid4

    def fetch(self, what: str, prepare, **kwargs) -> Answer:
        """send(), with a failure raised as an OssCredentialError that begins with `what`."""
        try:
            return self.send(prepare, **kwargs)
        except OssTransportError as exc:
            raise OssCredentialError(f"{what}: {exc}{attempts_note(exc.attempts)}.", None) from None


def _utc_now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def _uuid4() -> str:
    import uuid

    return str(uuid.uuid4())


_ERRNO = re.compile(r"\[Errno -?\d+\] [^'\")\]]+")
_QUOTED_CAUSE = re.compile(r"(?:RemoteDisconnected|IncompleteRead|ConnectionResetError|ProtocolError)\(['\"]?([^'\")]+)")


def _reason(exc) -> str:
    """The innermost cause, without the URL (which is already named) or object reprs."""
    text = str(exc)
    match = _ERRNO.search(text) or _QUOTED_CAUSE.search(text)
    if match:
        return (match.group(1) if match.groups() else match.group(0)).strip().rstrip(".:,")
    return text.strip()[:200] or type(exc).__name__


def _is_name_resolution_failure(exc) -> bool:
    text = str(exc)
    return "NameResolutionError" in text or "Name or service not known" in text or "[Errno -2]" in text or "[Errno -3]" in text
