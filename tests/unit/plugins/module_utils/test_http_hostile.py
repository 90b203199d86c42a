# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport against hostile servers on the loopback interface (tests/support/hostile.py): each attempt ends
within its timeout, with an answer of bounded size."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssTransportError
from ansible_collections.alicloud.oss.plugins.module_utils._http import MAX_ANSWER_BYTES, CredentialTransport, HttpTransport, Request
from ansible_collections.alicloud.oss.tests.support.hostile import (
    HostileServer,
    drip_body,
    drip_headers,
    drip_tls_handshake,
    gzip_answer,
    gzip_of_zeros,
    huge_announced,
    huge_stream,
    plain_ok,
    small_gzip,
)
from ansible_collections.alicloud.oss.tests.unit.fake_http import FakeAdapter

TIMEOUT = 0.5
GZIP_BOMB = gzip_of_zeros(64 * 1024 * 1024)
gzip_bomb = gzip_answer(GZIP_BOMB)
huge_unannounced = huge_stream(20 * 1024 * 1024)


def _send(server, scheme="http", cls=HttpTransport, retries=0):
    transport = cls(timeout=TIMEOUT, retries=retries, sleep=lambda seconds: None)

    def prepare():
        return Request("GET", f"{scheme}://127.0.0.1:{server.port}/bucket/?cname", {})

    started = time.monotonic()
    try:
        if cls is CredentialTransport:
            return transport.fetch("source X", prepare), time.monotonic() - started
        return transport.send(prepare), time.monotonic() - started
    finally:
        transport.close()


def _timers() -> list:
    return [thread for thread in threading.enumerate() if isinstance(thread, threading.Timer)]


@pytest.mark.parametrize("answer, stage", [(drip_headers, "its headers"), (drip_body, "its body")], ids=["headers", "body"])
def test_a_dripping_server_is_cut_off_at_the_timeout(answer, stage):
    with HostileServer(answer) as server:
        started = time.monotonic()
        with pytest.raises(OssTransportError) as info:
            _send(server)
        took = time.monotonic() - started
    message = str(info.value)
    assert message.startswith(f"no complete answer from 127.0.0.1:{server.port} within the timeout of 0.5 s (it was still sending {stage}")
    assert info.value.retryable is True
    assert took < 2
    assert _timers() == [], "the watchdog's timer thread outlived the attempt"


def test_a_server_dripping_its_tls_handshake_is_cut_off_at_the_timeout():
    with HostileServer(drip_tls_handshake) as server:
        started = time.monotonic()
        with pytest.raises(OssTransportError) as info:
            _send(server, scheme="https")
        took = time.monotonic() - started
    assert str(info.value) == f"no complete answer from 127.0.0.1:{server.port} within the timeout of 0.5 s (it was still sending its TLS handshake)"
    assert took < 2
    assert _timers() == []


@pytest.mark.parametrize("answer", [drip_headers, drip_body], ids=["headers", "body"])
def test_each_attempt_has_its_own_deadline(answer):
    with HostileServer(answer) as server:
        started = time.monotonic()
        with pytest.raises(OssTransportError) as info:
            _send(server, retries=1)
        took = time.monotonic() - started
    assert (info.value.attempts, server.connections) == (2, 2)
    assert 2 * TIMEOUT <= took < 3


@pytest.mark.parametrize(
    "answer, detail",
    [
        (huge_announced, f"it announced {200 * 1024 * 1024} bytes"),
        (huge_unannounced, f"more than {MAX_ANSWER_BYTES} bytes were sent"),
        (gzip_bomb, f"its {len(GZIP_BOMB)} bytes of gzip inflate to more than that"),
    ],
    ids=["content-length", "no-content-length", "gzip-bomb"],
)
def test_an_answer_larger_than_the_cap_is_refused(answer, detail):
    with HostileServer(answer) as server:
        with pytest.raises(OssTransportError) as info:
            _send(server, retries=2)
    message = str(info.value)
    assert message == (
        f"the answer of 127.0.0.1:{server.port} is larger than 8 MiB ({detail}), far more than any answer of this service, "
        "and was refused: check that the endpoint is the service's address"
    )
    assert (info.value.retryable, info.value.attempts, server.connections) == (False, 1, 1)


def test_a_small_compressed_answer_is_inflated():
    with HostileServer(small_gzip) as server:
        answer, _took = _send(server)
    assert (answer.status, answer.body) == (200, b"<ListCnameResult/>")


def test_a_plain_http_server_behind_https_is_said_in_words():
    with HostileServer(plain_ok) as server:
        with pytest.raises(OssTransportError) as info:
            _send(server, scheme="https")
    message = str(info.value)
    assert message == (
        f"127.0.0.1:{server.port} does not speak TLS on that port (it answered the TLS handshake with something else): for a server that speaks "
        "plain HTTP (a local emulator), write http:// in endpoint; otherwise give the port of its HTTPS service"
    )
    assert info.value.retryable is False


def test_the_credential_services_get_the_same_limits_in_their_own_words():
    with HostileServer(drip_body) as server:
        with pytest.raises(Exception) as info:
            _send(server, cls=CredentialTransport)
    assert str(info.value).startswith(f"source X: no complete answer from 127.0.0.1:{server.port} within the timeout of 0.5 s")
    with HostileServer(plain_ok) as server:
        with pytest.raises(Exception) as info:
            _send(server, scheme="https", cls=CredentialTransport)
    assert str(info.value) == (
        f"source X: 127.0.0.1:{server.port} does not speak TLS on that port (it answered the TLS handshake with something else): "
        "for a server that speaks plain HTTP, write http:// in its URL."
    )


def test_an_answer_is_asked_for_uncompressed_and_read_as_a_stream():
    session = requests.Session()
    adapter = FakeAdapter([(200, b"ok", {})])
    session.mount("https://", adapter)
    transport = HttpTransport(timeout=5, retries=0, session=session)
    assert transport.send(lambda: Request("GET", "https://service.example.com/", {})).body == b"ok"
    assert adapter.calls[0].headers["Accept-Encoding"] == "identity"


def test_the_session_made_here_asks_for_identity_encoding():
    transport = HttpTransport()
    try:
        assert transport.session.headers["Accept-Encoding"] == "identity"
    finally:
        transport.close()


def test_the_fleet_views_connection_pools_keep_the_deadline():
    # cname_info's fleet view mounts pools for several hosts on the shared session; they must still be watched.
    from ansible_collections.alicloud.oss.plugins.module_utils._fleet import share_connections  # pylint: disable=import-outside-toplevel

    transport = HttpTransport(timeout=TIMEOUT, retries=0, sleep=lambda seconds: None)
    share_connections(transport, 8)
    with HostileServer(drip_body) as server:
        started = time.monotonic()
        with pytest.raises(OssTransportError) as info:
            transport.send(lambda: Request("GET", f"http://127.0.0.1:{server.port}/bucket/?cname", {}))
        took = time.monotonic() - started
    transport.close()
    assert str(info.value).startswith(f"no complete answer from 127.0.0.1:{server.port} within the timeout of 0.5 s (it was still sending its body")
    assert took < 2
    assert transport.session.get_adapter("https://oss-eu-central-1.aliyuncs.com/").poolmanager.connection_pool_kw["maxsize"] == 8
