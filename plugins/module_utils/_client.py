# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""The HTTP client: signs, sends, retries and turns every answer into a result or a typed error."""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import random
import time
from datetime import datetime, timezone
from typing import NamedTuple

from ansible_collections.alicloud.oss.plugins.module_utils._errors import (
    OssResponseError,
    OssServiceError,
    OssTransportError,
)
from ansible_collections.alicloud.oss.plugins.module_utils._http import RETRYABLE_STATUS, HttpTransport, Request, attempts_note
from ansible_collections.alicloud.oss.plugins.module_utils._signer import encode_query, sign_v1, sign_v4
from ansible_collections.alicloud.oss.plugins.module_utils._xml import error_fields, parse_document

THROTTLING_CODES = frozenset(("Throttling", "TooManyRequests", "RequestThrottled", "SlowDown", "QpsLimitExceeded"))


class OssResponse(NamedTuple):
    status: int
    headers: dict
    body: bytes
    request_id: str | None
    attempts: int


class OssClient:
    """Signs and sends bucket-level requests through one HttpTransport (one requests.Session, connections reused)."""

    def __init__(
        self,
        endpoint,
        credentials,
        signature_version: str = "v4",
        timeout: float = 30.0,
        retries: int = 4,
        validate_certs: bool = True,
        session=None,
        sleep=time.sleep,
        clock=None,
        jitter=random.random,
        pool_size: int = 10,
    ):
        self.endpoint = endpoint
        self.credentials = credentials
        self.signature_version = signature_version
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self.transport = HttpTransport(timeout, retries, validate_certs, session, sleep, jitter, pool_size)

    @property
    def session(self):
        return self.transport.session

    @property
    def timeout(self) -> float:
        return self.transport.timeout

    @property
    def retries(self) -> int:
        return self.transport.retries

    @property
    def validate_certs(self) -> bool:
        return self.transport.validate_certs

    @property
    def request_count(self) -> int:
        return self.transport.request_count

    def close(self):
        self.transport.close()

    def with_endpoint(self, endpoint) -> OssClient:
        """A client for another endpoint or region that shares this one's credentials, clock and connections.

        Only the original client is closed: the copies share its transport."""
        other = copy.copy(self)
        other.endpoint = endpoint
        return other

    def request(
        self, operation: str, method: str, bucket: str, query: list, body: bytes | None = None, key: str | None = None, headers: dict | None = None
    ) -> OssResponse:
        """Send one operation, retrying what is worth retrying. Returns a 2xx answer or raises an OssError.

        key addresses an object of the bucket; headers are sent and signed as given (a Content-Type there replaces the
        application/xml that a body otherwise goes out with)."""
        try:
            answer = self.transport.send(lambda: self._prepare(method, bucket, query, body, key, headers), retry_if=_throttled)
        except OssTransportError as exc:
            raise OssTransportError(f"{operation}: {exc}{attempts_note(exc.attempts)}", exc.attempts, exc.retryable) from None
        response = _response(answer)
        if 200 <= answer.status < 300:
            return response
        error = _error_from(response)
        error.attempts = answer.attempts
        error.operation = operation
        self._explain(error)
        raise error

    def _prepare(self, method, bucket, query, body, key=None, extra_headers=None) -> Request:
        """The request of one attempt, signed afresh (the signature holds the time)."""
        headers = {}
        if body is not None:
            headers["Content-Type"] = "application/xml"
            headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode("ascii")
        for name, value in (extra_headers or {}).items():
            headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
            headers[name] = value
        signed = self._sign(method, bucket, query, headers, key)
        query_string = encode_query(query)
        # bucket None: a service-level request (ListBuckets), sent to the endpoint itself.
        url = self.endpoint.service_url(query_string) if bucket is None else self.endpoint.bucket_url(bucket, query_string, key or "")
        return Request(method, url, signed.headers, body, self.endpoint.netloc)

    def _explain(self, error):
        creds = self.credentials
        if getattr(error, "code", None) == "InvalidAccessKeyId" and creds.access_key_id.startswith("STS.") and not creds.security_token:
            error.context_hint = (
                "The AccessKey ID is a temporary STS key, and no security_token was sent with it: "
                "pass the security token that was issued together with the key pair."
            )

    def _sign(self, method, bucket, query, headers, key=None):
        creds = self.credentials
        now = self._clock()
        if self.signature_version == "v1":
            return sign_v1(method, bucket, key, query, headers, creds.access_key_id, creds.access_key_secret, now, security_token=creds.security_token)
        return sign_v4(
            method, bucket, key, query, headers, creds.access_key_id, creds.access_key_secret, self.endpoint.region, now, security_token=creds.security_token
        )


def _throttled(answer) -> bool:
    """A refusal whose code asks to slow down, whatever its status (OSS sends some as 4xx)."""
    if 200 <= answer.status < 300 or answer.status in RETRYABLE_STATUS:
        return False
    error = _error_from(_response(answer))
    return isinstance(error, OssServiceError) and error.code in THROTTLING_CODES


def _response(answer) -> OssResponse:
    return OssResponse(answer.status, answer.headers, answer.body, answer.headers.get("x-oss-request-id"), answer.attempts)


def _error_body(answer: OssResponse) -> bytes:
    """The error document; a HEAD answer has no body, so OSS sends the document base64-encoded in x-oss-err."""
    if answer.body or not answer.headers.get("x-oss-err"):
        return answer.body
    try:
        return base64.b64decode(answer.headers["x-oss-err"], validate=True)
    except (binascii.Error, ValueError):
        return b""


def _error_from(answer: OssResponse):
    """An OssServiceError for an <Error> document, an OssResponseError for anything else."""
    content_type = answer.headers.get("content-type", "")
    body = _error_body(answer)
    try:
        root = parse_document(body, answer.status, answer.request_id) if body else None
    except OssResponseError as exc:
        kind = f"{content_type.split(';')[0]}; " if content_type else ""
        rid = f"; request id {answer.request_id}" if answer.request_id else ""
        return OssResponseError(
            f"OSS answered HTTP {answer.status} with a body that is not an OSS error document ({kind}{exc.reason}){rid}.", answer.status, answer.request_id
        )
    fields = error_fields(root) if root is not None else None
    if fields is None:
        rid = f"; request id {answer.request_id}" if answer.request_id else ""
        return OssResponseError(f"OSS answered HTTP {answer.status} without an error document{rid}.", answer.status, answer.request_id)
    return OssServiceError(
        answer.status, fields["code"], fields["message"], fields["request_id"] or answer.request_id, fields["host_id"], fields["ec"], fields["extra"]
    )
