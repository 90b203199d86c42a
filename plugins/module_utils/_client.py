# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The HTTP client: signs, sends, retries and turns every answer into a result or a typed error."""

from __future__ import annotations

import base64
import hashlib
import platform
import random
import re
import time
import traceback
from datetime import datetime, timezone
from typing import NamedTuple

from ansible_collections.alicloud.oss.plugins.module_utils._errors import (
    OssResponseError,
    OssServiceError,
    OssTransportError,
)
from ansible_collections.alicloud.oss.plugins.module_utils._signer import encode_query, sign_v1, sign_v4
from ansible_collections.alicloud.oss.plugins.module_utils._xml import error_fields, parse_document

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
THROTTLING_CODES = frozenset(("Throttling", "TooManyRequests", "RequestThrottled", "SlowDown", "QpsLimitExceeded"))
BACKOFF_BASE = 1.0
BACKOFF_CAP = 20.0


class OssResponse(NamedTuple):
    status: int
    headers: dict
    body: bytes
    request_id: str | None
    attempts: int


def user_agent() -> str:
    parts = [f"alicloud.oss/{COLLECTION_VERSION}", f"python/{platform.python_version()}"]
    if requests is not None:
        parts.append(f"requests/{requests.__version__}")
    return " ".join(parts)


def backoff_delay(attempt: int, jitter=random.random) -> float:
    """Exponential backoff with full jitter: the first retry waits under 1 s, no wait exceeds 20 s."""
    return jitter() * min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))


class OssClient:
    """Signs and sends bucket-level requests over one requests.Session (connections are reused)."""

    def __init__(self, endpoint, credentials, signature_version: str = "v4", timeout: float = 30.0, retries: int = 4,
                 validate_certs: bool = True, session=None, sleep=time.sleep, clock=None, jitter=random.random, pool_size: int = 10):
        self.endpoint = endpoint
        self.credentials = credentials
        self.signature_version = signature_version
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.validate_certs = validate_certs
        self._sleep = sleep
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._jitter = jitter
        self.session = session or _new_session(pool_size)
        self.request_count = 0

    def close(self):
        self.session.close()

    def request(self, operation: str, method: str, bucket: str, query: list, body: bytes | None = None) -> OssResponse:
        """Send one operation, retrying what is worth retrying. Returns a 2xx answer or raises an OssError."""
        attempts = 1 + self.retries
        for attempt in range(attempts):
            try:
                answer = self._send(method, bucket, query, body, attempt + 1)
            except OssTransportError as exc:
                if not exc.retryable or attempt + 1 == attempts:
                    raise OssTransportError(f"{operation}: {exc}{_after(attempt + 1)}", attempt + 1, exc.retryable) from None
                self._sleep(backoff_delay(attempt, self._jitter))
                continue
            if 200 <= answer.status < 300:
                return answer
            error = _error_from(answer)
            if not _retryable(error) or attempt + 1 == attempts:
                error.attempts = attempt + 1
                error.operation = operation
                self._explain(error)
                raise error
            self._sleep(backoff_delay(attempt, self._jitter))
        raise OssTransportError(f"{operation}: no attempt was made", 0)  # only reachable with a negative retry count

    def _send(self, method, bucket, query, body, attempt) -> OssResponse:
        headers = {}
        if body is not None:
            headers["Content-Type"] = "application/xml"
            headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode("ascii")
        signed = self._sign(method, bucket, query, headers)
        url = self.endpoint.bucket_url(bucket, encode_query(query))
        self.request_count += 1
        try:
            response = self.session.request(method, url, headers=signed.headers, data=body, timeout=(self.timeout, self.timeout),
                                            verify=self.validate_certs, allow_redirects=False, auth=_keep_our_authorization)
            content = response.content
        except requests.exceptions.SSLError as exc:
            raise OssTransportError(_tls_message(self.endpoint, exc), retryable=False) from None
        except requests.exceptions.Timeout:
            raise OssTransportError(f"no answer from {self.endpoint.netloc} within the timeout of {self.timeout:g} s") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            if _is_name_resolution_failure(exc):
                # A host name that does not resolve will not resolve a second later either.
                raise OssTransportError(f"the host name of {self.endpoint.netloc} could not be resolved; check endpoint and region",
                                        retryable=False) from None
            raise OssTransportError(f"the connection to {self.endpoint.netloc} failed ({_reason(exc)})") from None
        headers = {name.lower(): value for name, value in response.headers.items()}
        return OssResponse(response.status_code, headers, content, headers.get("x-oss-request-id"), attempt)

    def _explain(self, error):
        creds = self.credentials
        if getattr(error, "code", None) == "InvalidAccessKeyId" and creds.access_key_id.startswith("STS.") and not creds.security_token:
            error.context_hint = ("The AccessKey ID is a temporary STS key, and no security_token was sent with it: "
                                  "pass the security token that was issued together with the key pair.")

    def _sign(self, method, bucket, query, headers):
        creds = self.credentials
        now = self._clock()
        if self.signature_version == "v1":
            return sign_v1(method, bucket, None, query, headers, creds.access_key_id, creds.access_key_secret, now,
                           security_token=creds.security_token)
        return sign_v4(method, bucket, None, query, headers, creds.access_key_id, creds.access_key_secret, self.endpoint.region, now,
                       security_token=creds.security_token)


def _keep_our_authorization(prepared):
    """Passed as auth= so that requests never replaces the OSS signature with credentials from ~/.netrc."""
    return prepared


def _new_session(pool_size):
    if requests is None:
        raise OssTransportError("The Python library requests is required.")
    session = requests.Session()
    # Retries are ours (they re-sign each attempt); urllib3's own would resend a stale signature.
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent()
    return session


def _error_from(answer: OssResponse):
    """An OssServiceError for an <Error> document, an OssResponseError for anything else."""
    content_type = answer.headers.get("content-type", "")
    try:
        root = parse_document(answer.body, answer.status, answer.request_id) if answer.body else None
    except OssResponseError as exc:
        kind = f"{content_type.split(';')[0]}; " if content_type else ""
        rid = f"; request id {answer.request_id}" if answer.request_id else ""
        return OssResponseError(f"OSS answered HTTP {answer.status} with a body that is not an OSS error document ({kind}{exc.reason}){rid}.",
                                answer.status, answer.request_id)
    fields = error_fields(root) if root is not None else None
    if fields is None:
        rid = f"; request id {answer.request_id}" if answer.request_id else ""
        return OssResponseError(f"OSS answered HTTP {answer.status} without an error document{rid}.", answer.status, answer.request_id)
    return OssServiceError(answer.status, fields["code"], fields["message"], fields["request_id"] or answer.request_id,
                           fields["host_id"], fields["ec"], fields["extra"])


def _retryable(error) -> bool:
    if isinstance(error, OssServiceError) and error.code in THROTTLING_CODES:
        return True
    return error.status in RETRYABLE_STATUS


def _after(attempts: int) -> str:
    return f" (after {attempts} attempts)" if attempts > 1 else ""


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


def _tls_message(endpoint, exc) -> str:
    if "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return (f"the TLS certificate of {endpoint.netloc} could not be verified. Trust its CA by setting REQUESTS_CA_BUNDLE "
                "to a CA bundle that contains it, or (for a test endpoint only) set validate_certs: false")
    return f"the TLS handshake with {endpoint.netloc} failed ({_reason(exc)})"
