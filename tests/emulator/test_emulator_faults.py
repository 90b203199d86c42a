# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection and latency: every fault kind, operation filters, counts, and their trace in the request log."""

import http.client
import time
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET
import pytest

from emu_helpers import OssClient, bind, control, listed


def add_fault(emulator, **spec):
    status, answer = control(emulator.endpoint, "POST", "faults", spec)
    assert status == 200, answer
    return answer["fault"]


def test_status_fault_answers_an_error_document_n_times(emulator, client):
    add_fault(emulator, kind="status", count=2, status=503)
    for _attempt in range(2):
        response = client.list_cname("demo-bucket")
        assert (response.status, response.code) == (503, "ServiceUnavailable")
        assert response.error["RequestId"] == response.headers["x-oss-request-id"]
    assert client.list_cname("demo-bucket").status == 200
    assert [(entry["fault"], entry["status"], entry["code"]) for entry in emulator.requests] == [
        ("status", 503, "ServiceUnavailable"),
        ("status", 503, "ServiceUnavailable"),
        (None, 200, None),
    ]


def test_throttling_fault(emulator, client):
    add_fault(emulator, kind="status", status=503, code="Throttling")
    response = client.list_cname("demo-bucket")
    assert (response.status, response.code) == (503, "Throttling")


def test_status_fault_does_not_apply_the_operation(emulator, client):
    client.create_token("demo-bucket", "f.example.com")
    add_fault(emulator, kind="status", operation="PutCname", status=500)
    assert client.put_cname("demo-bucket", "f.example.com").code == "InternalError"
    assert listed(client) == {}


def test_operation_filter(emulator, client):
    add_fault(emulator, kind="status", operation="PutCname", count=1)
    assert client.list_cname("demo-bucket").status == 200
    assert client.create_token("demo-bucket", "filter.example.com").status == 200
    assert client.put_cname("demo-bucket", "filter.example.com").status == 503
    assert client.put_cname("demo-bucket", "filter.example.com").status == 200


def test_drop_closes_without_answer_or_effect(emulator, client):
    client.create_token("demo-bucket", "drop.example.com")
    add_fault(emulator, kind="drop", operation="PutCname")
    with pytest.raises(http.client.RemoteDisconnected):
        client.put_cname("demo-bucket", "drop.example.com")
    assert listed(client) == {}
    entry = [entry for entry in emulator.requests if entry["operation"] == "PutCname"][0]
    assert (entry["fault"], entry["status"], entry["domain"]) == ("drop", None, "drop.example.com")


def test_drop_after_apply_changes_state_but_gives_no_answer(emulator, client):
    client.create_token("demo-bucket", "applied.example.com")
    add_fault(emulator, kind="drop_after_apply", operation="PutCname")
    with pytest.raises(http.client.RemoteDisconnected):
        client.put_cname("demo-bucket", "applied.example.com")
    assert "applied.example.com" in listed(client)
    assert emulator.requests[1]["fault"] == "drop_after_apply"


def test_html_fault(emulator, client):
    add_fault(emulator, kind="html")
    response = client.list_cname("demo-bucket")
    assert (response.status, response.headers["content-type"]) == (502, "text/html")
    assert response.body.startswith(b"<html>")
    assert emulator.requests[-1]["fault"] == "html"


@pytest.mark.parametrize("status", [500, 200])
def test_garbage_fault(emulator, client, status):
    add_fault(emulator, kind="garbage", status=status)
    response = client.list_cname("demo-bucket")
    assert response.status == status
    with pytest.raises(ET.ParseError):
        SafeET.fromstring(response.body)


def test_truncated_fault(emulator, client):
    add_fault(emulator, kind="truncated")
    response = client.get_token("demo-bucket", "cut.example.com")
    assert response.status == 200 and response.body.startswith(b"<?xml")
    with pytest.raises(ET.ParseError):
        SafeET.fromstring(response.body)


def test_truncated_fault_after_applying_cuts_the_real_answer(emulator, client):
    bind(client, emulator, "real.example.com")
    full = client.list_cname("demo-bucket").body
    add_fault(emulator, kind="truncated", apply=True)
    cut = client.list_cname("demo-bucket").body
    assert full.startswith(cut) and len(cut) == len(full) // 2


def test_bomb_fault_is_an_entity_expansion_document(emulator, client):
    add_fault(emulator, kind="bomb", operation="ListCname")
    response = client.list_cname("demo-bucket")
    assert response.status == 200 and b"<!ENTITY lol9" in response.body
    with pytest.raises(defusedxml.EntitiesForbidden):
        SafeET.fromstring(response.body)


def test_delay_fault(emulator, client):
    add_fault(emulator, kind="delay", delay_ms=200)
    started = time.monotonic()
    assert client.list_cname("demo-bucket").status == 200
    assert time.monotonic() - started >= 0.2
    entry = emulator.requests[-1]
    assert entry["duration_ms"] >= 200 and entry["fault"] == "delay"  # answered normally, just late, and logged as delayed
    assert client.list_cname("demo-bucket").status == 200


def test_latency_applies_to_every_oss_request(emulator, client):
    assert control(emulator.endpoint, "POST", "latency", {"ms": 100}) == (200, {"ok": True, "ms": 100})
    started = time.monotonic()
    client.list_cname("demo-bucket")
    assert time.monotonic() - started >= 0.1
    control(emulator.endpoint, "POST", "latency", {"ms": 0})
    started = time.monotonic()
    client.list_cname("demo-bucket")
    assert time.monotonic() - started < 0.1


def test_latency_from_the_constructor(make_emulator):
    emulator = make_emulator(latency_ms=50)
    started = time.monotonic()
    OssClient(emulator.endpoint).list_cname("demo-bucket")
    assert time.monotonic() - started >= 0.05


def test_faults_can_be_listed_and_cleared(emulator, client):
    add_fault(emulator, kind="status", count=5)
    assert control(emulator.endpoint, "GET", "faults")[1][0]["count"] == 5
    assert control(emulator.endpoint, "DELETE", "faults")[0] == 200
    assert client.list_cname("demo-bucket").status == 200


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "explode"},
        {"kind": "status", "count": 0},
        {"kind": "status", "operation": "GetObject"},
        {"kind": "delay", "delay_ms": -1},
        {"kind": "status", "status": 42},
        {"kind": "drop", "surprise": 1},
    ],
)
def test_invalid_fault_specs_are_refused(emulator, spec):
    status, answer = control(emulator.endpoint, "POST", "faults", spec)
    assert status == 400 and not answer["ok"]


def test_in_process_fault_api(emulator, client):
    emulator.add_fault("status", count=1, status=503, code="Throttling")
    assert client.list_cname("demo-bucket").code == "Throttling"
    emulator.add_fault("html", count=3)
    emulator.clear_faults()
    assert client.list_cname("demo-bucket").status == 200
