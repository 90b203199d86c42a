# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the one HTTP transport: the retry rules, the backoff, failures in words, service URLs."""

from __future__ import annotations

import random

import pytest
import requests

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError, OssTransportError
from ansible_collections.alicloud.oss.plugins.module_utils._http import (
    BACKOFF_CAP,
    CredentialTransport,
    HttpTransport,
    Request,
    backoff_delay,
    service_url,
)
from ansible_collections.alicloud.oss.tests.unit.fake_http import FakeAdapter


# ---------------------------------------------------------------------------------------------
# Backoff
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("attempt, expected", [(0, 1.0), (1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0), (5, 20.0), (6, 20.0), (30, 20.0)])
def test_backoff_with_full_jitter_grows_and_is_capped(attempt, expected):
    assert backoff_delay(attempt, jitter=lambda: 1.0) == expected
    assert backoff_delay(attempt, jitter=lambda: 0.0) == 0.0
    assert backoff_delay(attempt, jitter=lambda: 0.5) == expected / 2


def test_backoff_with_random_jitter_stays_in_bounds():
    rng = random.Random(1234)
    for _round in range(200):
        waits = [backoff_delay(attempt, jitter=rng.random) for attempt in range(10)]
        assert 0 <= waits[0] < 1
        assert all(0 <= wait <= BACKOFF_CAP for wait in waits)
        assert all(wait <= min(BACKOFF_CAP, 2**attempt) for attempt, wait in enumerate(waits))


def test_default_jitter_is_random_and_bounded():
    waits = [backoff_delay(0) for _round in range(50)]
    assert all(0 <= wait < 1 for wait in waits)
    assert len(set(waits)) > 1


# Helpers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        ("sts.aliyuncs.com", "https://sts.aliyuncs.com/"),
        ("https://sts.cn-hangzhou.aliyuncs.com", "https://sts.cn-hangzhou.aliyuncs.com/"),
        ("http://127.0.0.1:9000/", "http://127.0.0.1:9000/"),
        ("http://127.0.0.1:9000/sts", "http://127.0.0.1:9000/sts/"),
    ],
)
def test_service_url(endpoint, expected):
    assert service_url(endpoint, "sts_endpoint") == expected


@pytest.mark.parametrize("endpoint", ["ftp://sts.aliyuncs.com", "https://", "https://sts.aliyuncs.com/?a=b", ""])
def test_service_url_refuses(endpoint):
    with pytest.raises(OssConfigError) as info:
        service_url(endpoint, "sts_endpoint")
    assert info.value.option == "sts_endpoint"


@pytest.mark.parametrize("endpoint", ["https://user:Pa55word@sts.aliyuncs.com", "http://:Pa55word@127.0.0.1:9000", "https://Pa55word@sts.aliyuncs.com"])
def test_service_url_refuses_userinfo_without_quoting_it(endpoint):
    with pytest.raises(OssConfigError) as info:
        service_url(endpoint, "sts_endpoint")
    assert str(info.value) == "sts_endpoint holds a user name or password; this service takes neither in the URL: give scheme://host[:port]."


def test_service_url_refuses_inner_white_space():
    with pytest.raises(OssConfigError) as info:
        service_url("http://127.0.0 .1:9000", "ecs_metadata_endpoint")
    assert str(info.value).startswith("ecs_metadata_endpoint 'http://127.0.0 .1:9000' contains white space")


def test_a_transport_made_here_closes_its_session():
    transport = CredentialTransport()
    session = transport.session
    assert transport.session is session
    transport.close()


# ---------------------------------------------------------------------------------------------
# The retry rules, once for every client
# ---------------------------------------------------------------------------------------------


def _transport(answers, cls=HttpTransport, retries=2, **kwargs):
    session = requests.Session()
    adapter = FakeAdapter(answers)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    sleeps = []
    transport = cls(timeout=10.0, retries=retries, session=session, sleep=sleeps.append, jitter=lambda: 1.0, **kwargs)
    return transport, adapter, sleeps


def _prepare(counter=None):
    def prepare():
        if counter is not None:
            counter.append(len(counter) + 1)
        return Request("GET", "https://service.example.com/path?q=1", {"X-Attempt": str(len(counter or []))})

    return prepare


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_status_is_retried_until_an_answer_is_final(status):
    transport, adapter, sleeps = _transport([(status, b"", {}), (status, b"", {}), (200, b"ok", {})])
    answer = transport.send(_prepare())
    assert (answer.status, answer.body, answer.attempts) == (200, b"ok", 3)
    assert sleeps == [1.0, 2.0]
    assert transport.request_count == len(adapter.calls) == 3


@pytest.mark.parametrize("status", [200, 204, 301, 400, 403, 404, 409, 501])
def test_other_status_is_final_at_once(status):
    transport, adapter, sleeps = _transport([(status, b"", {})])
    assert transport.send(_prepare()).status == status
    assert (len(adapter.calls), sleeps) == (1, [])


def test_the_last_retryable_answer_is_returned():
    transport, adapter, sleeps = _transport([(503, b"busy", {})] * 3)
    answer = transport.send(_prepare())
    assert (answer.status, answer.attempts, len(adapter.calls), sleeps) == (503, 3, 3, [1.0, 2.0])


def test_retry_if_adds_answers_worth_another_attempt():
    transport, adapter, _sleeps = _transport([(400, b"Throttling", {}), (400, b"Other", {})])
    answer = transport.send(_prepare(), retry_if=lambda a: a.body == b"Throttling")
    assert (answer.body, len(adapter.calls)) == (b"Other", 2)


def test_every_attempt_is_prepared_afresh():
    counter = []
    transport, adapter, _sleeps = _transport([(500, b"", {}), (200, b"", {})])
    transport.send(_prepare(counter))
    assert counter == [1, 2]
    assert [call.headers["X-Attempt"] for call in adapter.calls] == ["1", "2"]
    assert all(call.headers["User-Agent"].startswith("alicloud.oss/") for call in adapter.calls)
    assert all(call.timeout == (10.0, 10.0) for call in adapter.calls)


def test_no_retries():
    transport, adapter, sleeps = _transport([(500, b"", {})], retries=0)
    assert transport.send(_prepare()).status == 500
    assert (len(adapter.calls), sleeps) == (1, [])


def test_a_negative_retry_count_means_one_attempt():
    transport, adapter, _sleeps = _transport([(500, b"", {})], retries=-3)
    assert transport.send(_prepare()).status == 500
    assert len(adapter.calls) == 1


@pytest.mark.parametrize(
    "failure, message, retryable, attempts",
    [
        (
            requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"),
            "the connection to service.example.com failed (Remote end closed connection without response)",
            True,
            3,
        ),
        (requests.exceptions.ReadTimeout("read timed out"), "no answer from service.example.com within the timeout of 10 s", True, 3),
        (
            requests.exceptions.ConnectionError("Failed to resolve 'x' ([Errno -2] Name or service not known)"),
            "the host name of service.example.com could not be resolved; check endpoint and region",
            False,
            1,
        ),
        (
            requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
            "the TLS certificate of service.example.com could not be verified.",
            False,
            1,
        ),
        (
            requests.exceptions.SSLError("[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure"),
            "the TLS handshake with service.example.com failed ([SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure)",
            False,
            1,
        ),
        (
            requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number"),
            "service.example.com does not speak TLS on that port (it answered the TLS handshake with something else): for a server that "
            "speaks plain HTTP (a local emulator), write http:// in endpoint",
            False,
            1,
        ),
        (requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(3 bytes read)"), "the connection to service.example.com failed", True, 3),
    ],
)
def test_failures_in_words_and_whether_they_are_retried(failure, message, retryable, attempts):
    transport, adapter, sleeps = _transport([failure] * 3)
    with pytest.raises(OssTransportError) as info:
        transport.send(_prepare())
    assert str(info.value).startswith(message)
    assert (info.value.retryable, info.value.attempts, len(adapter.calls), len(sleeps)) == (retryable, attempts, attempts, attempts - 1)


def test_a_failure_then_an_answer():
    transport, adapter, sleeps = _transport([requests.exceptions.ConnectionError("[Errno 111] Connection refused"), (200, b"", {})])
    assert transport.send(_prepare()).attempts == 2
    assert (len(adapter.calls), sleeps) == (2, [1.0])


def test_a_probe_is_not_retried_and_a_link_local_service_gets_no_proxy():
    transport, adapter, sleeps = _transport([requests.exceptions.ConnectTimeout("connect timed out")] * 3)
    with pytest.raises(OssTransportError):
        transport.send(_prepare(), link_local=True, probe=True)
    (call,) = adapter.calls
    assert call.timeout == (5.0, 10.0)
    assert call.proxies.get("http") is None
    assert sleeps == []


def test_what_is_not_a_network_failure_propagates_from_the_oss_transport():
    transport, _adapter, _sleeps = _transport([requests.exceptions.InvalidHeader("bad header")])
    with pytest.raises(requests.exceptions.InvalidHeader):
        transport.send(_prepare())


def test_the_credential_transport_words_failures_as_credential_errors_without_urls_or_secrets():
    failure = requests.exceptions.InvalidHeader("bad header in https://service.example.com/?Token=s3cr3t-token and s3cr3t-token")
    transport, adapter, _sleeps = _transport([failure] * 3, cls=CredentialTransport)
    with pytest.raises(Exception) as info:
        transport.fetch("source X", _prepare(), secrets=("s3cr3t-token",))
    assert str(info.value) == "source X: the connection to service.example.com failed (bad header in (url) and (secret)) (after 3 attempts)."
    assert len(adapter.calls) == 3
