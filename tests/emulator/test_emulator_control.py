# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control endpoint, the request log (memory and JSON lines), state persistence and reset."""

import json

from emu_helpers import MAIN_KEY, OssClient, bind, control, listed, make_certificate, raw_request
from ossemu import Emulator


def test_health(emulator):
    assert control(emulator.endpoint, "GET", "health") == (200, {"ok": True})


def test_control_requests_are_not_logged(emulator, client):
    control(emulator.endpoint, "GET", "health")
    client.list_cname("demo-bucket")
    control(emulator.endpoint, "GET", "state")
    status, entries = control(emulator.endpoint, "GET", "requests")
    assert status == 200 and [entry["operation"] for entry in entries] == ["ListCname"]


def test_request_log_entries(emulator, client):
    client.create_token("demo-bucket", "log.example.com")
    client.get_token("demo-bucket", "log.example.com")
    client.list_cname("no-such-bucket")
    created, fetched, missing = emulator.requests
    assert set(created) == {
        "time",
        "request_id",
        "service",
        "operation",
        "action",
        "method",
        "path",
        "query",
        "bucket",
        "key",
        "domain",
        "status",
        "code",
        "duration_ms",
        "access_key_id",
        "signature_version",
        "addressing",
        "fault",
        "cert_action",
        "cert_fields",
        "params",
    }
    assert (created["operation"], created["method"], created["query"], created["domain"]) == ("CreateCnameToken", "POST", "cname&comp=token", "log.example.com")
    assert (fetched["operation"], fetched["domain"], fetched["status"], fetched["access_key_id"]) == ("GetCnameToken", "log.example.com", 200, MAIN_KEY[0])
    assert (missing["status"], missing["code"], missing["bucket"]) == (404, "NoSuchBucket", "no-such-bucket")
    assert created["time"].endswith("Z") and created["duration_ms"] >= 0 and created["cert_action"] is None
    assert (created["service"], created["action"], created["params"]) == ("oss", None, None)


def test_request_log_can_be_cleared(emulator, client):
    client.list_cname("demo-bucket")
    assert control(emulator.endpoint, "DELETE", "requests")[0] == 200
    assert emulator.requests == []
    client.list_cname("demo-bucket")
    emulator.clear_requests()
    assert control(emulator.endpoint, "GET", "requests")[1] == []


def test_request_log_file_has_one_json_line_per_request_and_no_secrets(make_emulator, tmp_path):
    log_path = tmp_path / "requests.jsonl"
    emulator = make_emulator(ownership="token", request_log=str(log_path))
    client = OssClient(emulator.endpoint)
    cert_pem, key_pem, _der, _cert, _key = make_certificate("file.example.com")
    bind(client, emulator, "file.example.com", Certificate=cert_pem, PrivateKey=key_pem)
    client.list_cname("demo-bucket", secret="wrong")
    lines = log_path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["operation"] for line in lines] == ["CreateCnameToken", "PutCname", "ListCname"]
    assert json.loads(lines[-1])["code"] == "SignatureDoesNotMatch"
    text = log_path.read_text(encoding="utf-8")
    for secret in (MAIN_KEY[1], "BEGIN", "PRIVATE"):
        assert secret not in text


def test_dns_records_can_be_published_listed_and_removed(emulator):
    endpoint = emulator.endpoint
    assert control(endpoint, "POST", "dns", {"name": "_dnsauth.a.example.com", "type": "TXT", "value": "one"})[0] == 200
    assert control(endpoint, "POST", "dns", {"name": "_dnsauth.a.example.com", "value": "two"})[0] == 200
    assert control(endpoint, "GET", "dns")[1] == {"_dnsauth.a.example.com": ["one", "two"]}
    assert control(endpoint, "DELETE", "dns", query="name=_dnsauth.a.example.com&value=one")[0] == 200
    assert control(endpoint, "GET", "dns")[1] == {"_dnsauth.a.example.com": ["two"]}
    assert control(endpoint, "DELETE", "dns", query="name=_dnsauth.a.example.com")[0] == 200
    assert control(endpoint, "GET", "dns")[1] == {}
    assert control(endpoint, "POST", "dns", {"name": "x", "type": "CNAME", "value": "y"})[0] == 400
    assert control(endpoint, "POST", "dns", {"name": "x"})[0] == 400
    assert control(endpoint, "DELETE", "dns")[0] == 400


def test_state_shape(emulator, client):
    bind(client, emulator, "shape.example.com", CertId="12345678-cn-hangzhou")
    client.create_token("demo-bucket", "pending.example.com")
    status, state = control(emulator.endpoint, "GET", "state")
    assert status == 200
    binding = state["buckets"]["demo-bucket"]["shape.example.com"]
    assert binding["status"] == "Enabled" and binding["last_modified"].endswith("Z")
    assert binding["certificate"]["cert_id"] == "12345678-cn-hangzhou"
    assert set(binding["certificate"]) == {"cert_id", "fingerprint", "type", "status", "creation_date", "valid_start_date", "valid_end_date"}
    assert state["buckets"]["other-bucket"] == {}
    assert [(token["bucket"], token["domain"]) for token in state["tokens"]] == [("demo-bucket", "pending.example.com")]
    assert state["ownership"] == "token"


def test_reset_forgets_everything_but_the_config(emulator, client):
    bind(client, emulator, "reset.example.com")
    client.create_token("demo-bucket", "tok.example.com")
    emulator.add_fault("status", count=10)
    emulator.clock_offset = 100
    assert control(emulator.endpoint, "POST", "reset")[0] == 200
    state = emulator.state()
    assert state["buckets"]["demo-bucket"] == {} and state["tokens"] == [] and state["dns"] == {}
    assert state["clock_offset_seconds"] == 0
    assert client.list_cname("demo-bucket").status == 200  # faults are gone, accounts remain


def test_credentials_can_be_added_through_the_control_endpoint(emulator):
    payload = {
        "access_key_id": "STS.Added",
        "access_key_secret": "added",
        "owner": "1234567890123456",
        "security_token": "tok",
        "expiration": "2099-01-01T00:00:00Z",
    }
    assert control(emulator.endpoint, "POST", "credentials", payload)[0] == 200
    assert OssClient(emulator.endpoint, key=("STS.Added", "added"), security_token="tok").list_cname("demo-bucket").status == 200


def test_clock_endpoint(emulator):
    status, answer = control(emulator.endpoint, "POST", "clock", {"advance": 30})
    assert status == 200 and answer["offset_seconds"] == 30
    assert control(emulator.endpoint, "POST", "clock", {"offset": 5})[1]["offset_seconds"] == 5
    assert emulator.clock_offset == 5
    assert control(emulator.endpoint, "POST", "clock", {"advance": "soon"})[0] == 400


def test_control_errors(emulator):
    assert control(emulator.endpoint, "GET", "nothing-here")[0] == 404
    response = raw_request(emulator.endpoint, "POST", "/_emulator/latency", b"{not json", {"Content-Type": "application/json"})
    assert response.status == 400 and not json.loads(response.body)["ok"]
    assert control(emulator.endpoint, "POST", "latency", {"ms": -1})[0] == 400


def test_state_file_round_trip(tmp_path):
    state_file = str(tmp_path / "state.json")
    cert_pem, key_pem, _der, _cert, _key = make_certificate("persist.example.com")
    with Emulator(ownership="token", state_file=state_file) as first:
        client = OssClient(first.endpoint)
        bind(client, first, "persist.example.com", Certificate=cert_pem, PrivateKey=key_pem)
        bind(client, first, "plain.example.com")
        token = client.create_token("other-bucket", "later.example.com").xml().findtext("Token")
        before = listed(client)
    saved = (tmp_path / "state.json").read_text(encoding="utf-8")
    assert "BEGIN" not in saved and "PRIVATE" not in saved
    assert not [path.name for path in tmp_path.iterdir() if path.name != "state.json"]  # no temporary files left behind
    with Emulator(ownership="token", state_file=state_file) as second:
        client = OssClient(second.endpoint)
        assert listed(client) == before
        assert client.get_token("other-bucket", "later.example.com").xml().findtext("Token") == token
        cert_id = before["persist.example.com"]["Certificate"]["CertId"]
        assert bind(client, second, "reuse.example.com", CertId=cert_id).status == 200  # the uploaded id survived
        assert client.create_token("demo-bucket", "persist.example.com").code == "NoNeedCreateCnameToken"


def test_an_emulator_bug_answers_internal_error(emulator, client, capsys):
    def broken(bucket, request):
        raise RuntimeError("simulated emulator bug")

    emulator.core._dispatch["ListCname"] = broken  # pylint: disable=protected-access
    response = client.list_cname("demo-bucket")
    assert (response.status, response.code) == (500, "InternalError")
    assert emulator.requests[-1]["code"] == "InternalError"
    assert "simulated emulator bug" in capsys.readouterr().err
