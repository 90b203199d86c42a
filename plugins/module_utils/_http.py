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
import socket
import threading
import time
import traceback
import zlib
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
# No answer of OSS, STS or the metadata service is legitimately larger than a few hundred KiB; a larger one is read
# no further, so that a hostile or misconfigured server cannot fill the module's memory.
MAX_ANSWER_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
# An answer is asked for uncompressed; one compressed all the same is inflated by us, within MAX_ANSWER_BYTES.
_INFLATE_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": 32 + zlib.MAX_WBITS}
# OpenSSL's words when the server's first bytes are not TLS at all (a plain HTTP server on that port, say).
_NOT_TLS = ("WRONG_VERSION_NUMBER", "wrong version number", "record layer failure", "unknown protocol", "packet length too long")


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
    mount_adapter(session, host_pools=1, pool_size=pool_size)
    session.headers["User-Agent"] = user_agent()
    session.headers["Accept-Encoding"] = "identity"
    return session


def mount_adapter(session, host_pools: int, pool_size: int):
    """Mount the adapter every request of the collection goes through: the attempt's deadline watchdog, no retries.

    Retries are ours (they re-sign each attempt); urllib3's own would resend a stale signature. host_pools is how many
    hosts keep a connection pool at once (several for the fleet view, whose workers reach several regions).
    """
    adapter = _watched_adapter_class()(pool_connections=host_pools, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


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
    # Checked first, and the value never quoted: what stands before '@' may be a password.
    if "@" in parts.netloc:
        raise OssConfigError(f"{option} holds a user name or password; this service takes neither in the URL: give scheme://host[:port].", option)
    if any(character.isspace() or ord(character) < 32 for character in text):
        raise OssConfigError(f"{option} '{text}' contains white space or a control character; a URL holds none.", option)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise OssConfigError(f"{option} '{endpoint}' is not an http or https URL such as {example}.", option)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


class _Stopped(Exception):
    """An attempt the transport ended itself (past its deadline, an answer too large); `reason` has {host} to fill in."""

    def __init__(self, reason: str, retryable: bool):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


# The watchdog of the attempt under way in this thread, for the connections to register their socket with.
_CURRENT = threading.local()


class _Watchdog:
    """Shuts down the socket of an attempt when the attempt's deadline passes, which wakes a read blocked on it.

    requests' timeout bounds each read, so a server that sends a byte a second never trips it; this bounds connect,
    headers and body together. One timer thread per attempt, cancelled and joined when the attempt ends.
    """

    def __init__(self, seconds: float):
        self._lock = threading.Lock()
        self._sockets = []
        self._ended = False
        self.fired = False
        # True once a socket was shut down: only then did the watchdog cause the failure that follows (a connect
        # timeout at the same moment is the connect timeout's).
        self.cut = False
        self.stage = "its headers"
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self):
        _CURRENT.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *_exc):
        _CURRENT.watchdog = None
        with self._lock:
            self._ended = True
        self._timer.cancel()
        self._timer.join()

    def watch(self, sock, stage: str):
        """Shut `sock` down at the deadline; `stage` (what the server is doing then) names a failure it causes."""
        with self._lock:
            self.stage = stage
            if self.fired:
                self.cut = True
                _shut(sock)
            elif not self._ended:
                self._sockets.append(sock)

    def _fire(self):
        with self._lock:
            if self._ended:
                return
            self.fired = True
            for sock in self._sockets:
                self.cut = True
                _shut(sock)


def _shut(sock):
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter drops the TLS object another thread is reading with.
    raw = getattr(sock, "socket", sock)  # urllib3's SSLTransport (TLS in TLS) wraps the socket
    try:
        socket.socket.shutdown(raw, socket.SHUT_RDWR)
    except (OSError, TypeError):
        pass


_WATCHED = {}


def _watched_adapter_class():
    """An HTTPAdapter whose connections register their socket with the attempt's watchdog before reading an answer."""
    if "adapter" not in _WATCHED:
        from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

        pools = {"http": _watched_pool(HTTPConnectionPool, "its headers"), "https": _watched_pool(HTTPSConnectionPool, "its TLS handshake")}

        class WatchedAdapter(HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                super().init_poolmanager(*args, **kwargs)
                self.poolmanager.pool_classes_by_scheme = pools

            def proxy_manager_for(self, *args, **kwargs):
                manager = super().proxy_manager_for(*args, **kwargs)
                manager.pool_classes_by_scheme = pools
                return manager

        _WATCHED["adapter"] = WatchedAdapter
    return _WATCHED["adapter"]


def _watched_pool(pool_class, first_stage: str):
    class WatchedConnection(pool_class.ConnectionCls):
        def _new_conn(self, *args, **kwargs):
            # The plain socket, before any TLS handshake on it: a server that drips its handshake is cut off too.
            sock = super()._new_conn(*args, **kwargs)
            _watch(sock, first_stage)
            return sock

        def getresponse(self, *args, **kwargs):
            # Also for a connection reused from the pool, which _new_conn did not see in this attempt.
            _watch(self.sock, "its headers")
            return super().getresponse(*args, **kwargs)

    return type(f"Watched{pool_class.__name__}", (pool_class,), {"ConnectionCls": WatchedConnection})


def _watch(sock, stage: str):
    watchdog = getattr(_CURRENT, "watchdog", None)
    if watchdog is not None and sock is not None:
        watchdog.watch(sock, stage)


def _read_body(response, deadline: float, watchdog: _Watchdog, method: str = "GET") -> bytes:
    """The answer's body read in chunks, refused past MAX_ANSWER_BYTES or the deadline, shorter than announced, inflated
    within the same cap. (A HEAD answer, a 204 and a 304 announce a length they do not send.)"""
    length = str(response.headers.get("Content-Length") or "").strip()
    if length.isdigit() and int(length) > MAX_ANSWER_BYTES:
        raise _too_large(f"it announced {int(length)} bytes")
    body = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise _past_deadline(f"its body, {len(body)} bytes so far")
        try:
            chunk = response.raw.read(CHUNK_BYTES, decode_content=False)
        except Exception as exc:  # pylint: disable=broad-except
            if watchdog.cut or time.monotonic() > deadline:
                raise _past_deadline(f"its body, {len(body)} bytes so far") from None
            failure = _as_request_exception(exc)
            if failure is None:
                raise
            raise failure from None
        if not chunk:
            break
        body += chunk
        if len(body) > MAX_ANSWER_BYTES:
            raise _too_large(f"more than {MAX_ANSWER_BYTES} bytes were sent")
    if watchdog.cut:
        # The socket was shut down under a read: what came is cut short, even where it looks like an end.
        raise _past_deadline(f"its body, {len(body)} bytes so far")
    if length.isdigit() and len(body) < int(length) and method != "HEAD" and response.status_code not in (204, 304):
        # urllib3 2 raises this itself; urllib3 1.26 (what requests 2.25 takes) hands over a short body as complete.
        raise requests.exceptions.ChunkedEncodingError(f"Connection broken: IncompleteRead({len(body)} bytes read, {int(length) - len(body)} more expected)")
    return _inflated(bytes(body), response.headers.get("Content-Encoding"))


def _inflated(body: bytes, encoding) -> bytes:
    coding = str(encoding or "").strip().lower()
    if coding in ("", "identity"):
        return body
    if coding not in _INFLATE_WBITS:
        raise _Stopped(f"{{host}} answered in the encoding {coding}, which was not asked for (identity was)", retryable=False)
    inflater = zlib.decompressobj(_INFLATE_WBITS[coding])
    try:
        plain = inflater.decompress(body, MAX_ANSWER_BYTES + 1)
    except zlib.error:
        raise _Stopped(f"the {coding} answer of {{host}} could not be decompressed", retryable=False) from None
    if len(plain) > MAX_ANSWER_BYTES or inflater.unconsumed_tail:
        raise _too_large(f"its {len(body)} bytes of {coding} inflate to more than that")
    return plain


def _too_large(detail: str) -> _Stopped:
    limit = MAX_ANSWER_BYTES // (1024 * 1024)
    return _Stopped(
        f"the answer of {{host}} is larger than {limit} MiB ({detail}), far more than any answer of this service, and was refused: "
        "check that the endpoint is the service's address",
        retryable=False,
    )


def _past_deadline(stage: str) -> _Stopped:
    # {timeout} is filled in by the transport: the text names the option's value.
    return _Stopped(f"no complete answer from {{host}} within the timeout of {{timeout}} s (it was still sending {stage})", retryable=True)


def _as_request_exception(exc):
    """What requests would have raised for a failure of urllib3 while reading a body (we read it ourselves); None
    for anything else, which is a bug and propagates."""
    from http.client import HTTPException

    from urllib3.exceptions import HTTPError, ReadTimeoutError, SSLError

    if isinstance(exc, ReadTimeoutError):
        return requests.exceptions.ReadTimeout(exc)
    if isinstance(exc, SSLError):
        return requests.exceptions.SSLError(exc)
    if isinstance(exc, (HTTPError, HTTPException, OSError)):
        return requests.exceptions.ChunkedEncodingError(exc)
    return None


class HttpTransport:
    """One requests.Session (created on first use, connections reused), a timeout on every request, one retry policy.

    The class attributes say how failures read; they are the OSS client's wording, CredentialTransport has its own.
    """

    # CERTIFICATE_VERIFY_FAILED gets a message that says how to trust the CA.
    explain_certificates = True
    unresolved_hint = "; check endpoint and region"
    plain_http_hint = ": for a server that speaks plain HTTP (a local emulator), write http:// in endpoint; otherwise give the port of its HTTPS service"
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
        # cname and the fleet view send from several threads; += on an attribute is not atomic.
        self._count_lock = threading.Lock()

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
            except (requests.exceptions.RequestException, _Stopped) as exc:
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
        """One attempt: connect, headers and body all within the timeout, the body within MAX_ANSWER_BYTES."""
        headers = dict(request.headers)
        headers.setdefault("User-Agent", user_agent())
        headers.setdefault("Accept-Encoding", "identity")
        extra = {"proxies": _NO_PROXY} if link_local else {}
        connect = min(self.timeout, LINK_LOCAL_CONNECT_TIMEOUT) if link_local else self.timeout
        with self._count_lock:
            self.request_count += 1
        deadline = time.monotonic() + self.timeout
        with _Watchdog(self.timeout) as watchdog:
            try:
                response = self.session.request(
                    request.method,
                    request.url,
                    headers=headers,
                    data=request.body,
                    timeout=(connect, self.timeout),
                    verify=self.validate_certs,
                    allow_redirects=False,
                    auth=keep_our_authorization,
                    stream=True,
                    **extra,
                )
            except requests.exceptions.RequestException:
                if watchdog.cut:
                    raise _past_deadline(watchdog.stage) from None
                raise
            try:
                content = _read_body(response, deadline, watchdog, request.method)
            except BaseException:
                response.close()
                raise
        return Answer(response.status_code, {name.lower(): value for name, value in response.headers.items()}, content, attempt)

    def failure(self, exc, request: Request, secrets=()) -> OssTransportError | None:
        """What went wrong, in words, and whether another attempt may help; None for what is not a network failure."""
        host = request.host or urlsplit(request.url).netloc
        if isinstance(exc, _Stopped):
            return OssTransportError(exc.reason.replace("{host}", host).replace("{timeout}", f"{self.timeout:g}"), retryable=exc.retryable)
        if isinstance(exc, requests.exceptions.SSLError):
            if any(words in str(exc) for words in _NOT_TLS):
                said = f"{host} does not speak TLS on that port (it answered the TLS handshake with something else)"
                return OssTransportError(said + self.plain_http_hint, retryable=False)
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
    plain_http_hint = ": for a server that speaks plain HTTP, write http:// in its URL"
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
