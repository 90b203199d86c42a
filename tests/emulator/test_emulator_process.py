# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator as a program (serve.py): start-up line, readiness time, options, SIGTERM; and HTTPS serving."""

import datetime
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time

import pytest

from emu_helpers import OssClient, control, make_certificate, trusting_context
from ossemu import Emulator

SERVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve.py")
LINE = re.compile(r"^OSS emulator listening on (https?)://127\.0\.0\.1:(\d+)$")


def first_line(process, timeout):
    """Read the first stdout line without blocking past `timeout` seconds."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout):
        raise AssertionError("no output from serve.py within %ss" % timeout)
    return process.stdout.readline().decode("utf-8").rstrip("\n")


@pytest.fixture
def serve(tmp_path):
    """Start serve.py with extra arguments; the process is always stopped afterwards."""
    processes = []

    def start(*arguments):
        process = subprocess.Popen([sys.executable, SERVE, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(tmp_path))
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        process.stdout.close()
        process.stderr.close()


def test_cli_starts_answers_within_a_second_and_stops_on_sigterm(serve, tmp_path):
    port_file = tmp_path / "port"
    started = time.monotonic()
    process = serve("--port", "0", "--port-file", str(port_file))
    match = LINE.match(first_line(process, 1.0))
    assert match and match.group(1) == "http"
    endpoint = "http://127.0.0.1:%s" % match.group(2)
    assert control(endpoint, "GET", "health") == (200, {"ok": True})
    assert time.monotonic() - started < 1.0
    assert port_file.read_text(encoding="utf-8").strip() == match.group(2)
    assert OssClient(endpoint).list_cname("demo-bucket").status == 200  # default config
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    assert process.stdout.read() == b""  # exactly one line


def test_cli_sigint_also_stops(serve):
    process = serve()
    assert LINE.match(first_line(process, 1.0))
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=5) == 0


def test_cli_options(serve, tmp_path):
    log = tmp_path / "requests.jsonl"
    state = tmp_path / "state.json"
    fault = json.dumps({"kind": "status", "count": 1, "status": 503})
    process = serve("--ownership", "token", "--request-log", str(log), "--state-file", str(state), "--latency-ms", "1", "--fault", fault)
    endpoint = "http://127.0.0.1:%s" % LINE.match(first_line(process, 1.0)).group(2)
    client = OssClient(endpoint)
    assert client.list_cname("demo-bucket").status == 503
    client.create_token("demo-bucket", "cli.example.com")
    assert client.put_cname("demo-bucket", "cli.example.com").status == 200  # token mode: no TXT record needed
    assert control(endpoint, "GET", "state")[1]["latency_ms"] == 1
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    assert [json.loads(line)["fault"] for line in log.read_text(encoding="utf-8").splitlines()] == ["status", None, None]
    assert "cli.example.com" in json.loads(state.read_text(encoding="utf-8"))["buckets"]["demo-bucket"]


def test_cli_refuses_a_bad_config(serve, tmp_path):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"ownership": "telepathy"}), encoding="utf-8")
    process = serve("--config", str(config))
    assert process.wait(timeout=5) == 2
    assert b"ownership" in process.stderr.read()


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    yesterday = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    cert_pem, key_pem, _der, _cert, _key = make_certificate("127.0.0.1", not_before=yesterday, days=7, ip_address="127.0.0.1")
    (directory / "cert.pem").write_text(cert_pem, encoding="ascii")
    (directory / "key.pem").write_text(key_pem, encoding="ascii")
    return str(directory / "cert.pem"), str(directory / "key.pem"), cert_pem


def test_tls_serving_in_process(tls_files):
    cert_file, key_file, cert_pem = tls_files
    with Emulator(tls_cert=cert_file, tls_key=key_file, ownership="token") as emulator:
        assert emulator.endpoint.startswith("https://127.0.0.1:")
        client = OssClient(emulator.endpoint, ssl_context=trusting_context(cert_pem))
        assert client.create_token("demo-bucket", "tls.example.com").status == 200
        assert client.list_cname("demo-bucket").status == 200


def test_tls_serving_from_the_cli(serve, tls_files):
    cert_file, key_file, cert_pem = tls_files
    process = serve("--tls-cert", cert_file, "--tls-key", key_file)
    match = LINE.match(first_line(process, 1.0))
    assert match.group(1) == "https"
    client = OssClient("https://127.0.0.1:%s" % match.group(2), ssl_context=trusting_context(cert_pem))
    assert client.list_cname("demo-bucket").status == 200


def test_tls_needs_both_files(serve, tls_files):
    process = serve("--tls-cert", tls_files[0])
    assert process.wait(timeout=5) == 2
