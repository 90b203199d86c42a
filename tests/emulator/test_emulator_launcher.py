# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ossemu.process.EmulatorProcess, the launcher the demo, the benchmark, noxfile.py and the reliability suite share."""

import re
import subprocess
import sys

import pytest

from ossemu.process import SERVE, EmulatorError, EmulatorProcess


def test_starts_parses_the_endpoint_answers_control_and_stops_twice(tmp_path):
    log_path = tmp_path / "emulator.log"
    emulator = EmulatorProcess(["--request-log", tmp_path / "requests.jsonl"], stderr=subprocess.STDOUT, log_path=log_path)
    assert emulator.command[:4] == [sys.executable, SERVE, "--port", "0"]
    with emulator:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emulator.endpoint)
        assert emulator.control_url == emulator.endpoint + "/_emulator"
        assert emulator.banner == "OSS emulator listening on %s" % emulator.endpoint
        assert emulator.control("GET", "health") == {"ok": True}
        emulator.control("POST", "latency", {"ms": 0})
        assert emulator.control("GET", "requests") == []
        with pytest.raises(EmulatorError, match=r"control GET no-such-route None: HTTP 404"):
            emulator.control("GET", "no-such-route")
    assert emulator.process.returncode is not None
    emulator.stop()
    emulator.stop()
    assert emulator.banner in log_path.read_text(encoding="utf-8")


def test_stop_before_start_and_a_second_start_are_harmless_or_refused():
    emulator = EmulatorProcess()
    emulator.stop()
    emulator.start()
    try:
        with pytest.raises(EmulatorError, match="already started"):
            emulator.start()
    finally:
        emulator.stop()
    assert emulator.process.poll() is not None


def test_a_bad_option_is_a_clear_startup_error():
    emulator = EmulatorProcess(["--no-such-option"], stderr=subprocess.STDOUT, startup_timeout=20)
    with pytest.raises(EmulatorError) as caught:
        emulator.start()
    message = str(caught.value)
    assert "did not start" in message and "exited with status 2" in message
    assert "unrecognized arguments: --no-such-option" in message
    assert emulator.endpoint is None and emulator.process.poll() == 2
    emulator.stop()


def test_an_entry_point_that_prints_no_endpoint_times_out_with_its_output(tmp_path):
    script = tmp_path / "silent.py"
    script.write_text('import sys, time\nprint("starting", flush=True)\ntime.sleep(30)\n', encoding="utf-8")
    emulator = EmulatorProcess(script=[script], startup_timeout=0.5)
    with pytest.raises(EmulatorError, match=r"printed no endpoint within 0\.5s.*'starting\\n'"):
        emulator.start()
    assert emulator.process.poll() is not None
