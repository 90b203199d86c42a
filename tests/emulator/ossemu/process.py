# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator as a child process (serve.py), for the demo, the benchmark, the test harness and the reliability suite.

Standard library only, and it imports none of the server modules: hack/ scripts import it with tests/emulator on
sys.path, whatever the interpreter has installed.

    with EmulatorProcess(['--latency-ms', '30']) as emulator:
        emulator.control('DELETE', 'requests')

The child's stdout is always read, by a thread, until it closes: the first line that names the endpoint
(``OSS emulator listening on http(s)://127.0.0.1:<port>``) gives ``endpoint``; every line is kept (the last
``keep_lines``) and, with ``log_path``, written to that file; so the child never blocks on a full pipe.
"""

import collections
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

SERVE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "serve.py")
LISTENING = re.compile(r"OSS emulator listening on (https?://\S+)")


class EmulatorError(RuntimeError):
    """The emulator did not start, or a control request failed."""


class EmulatorProcess:
    """serve.py (or another entry point that takes its options) as a child process on a free loopback port.

    args: extra serve.py options (``--port 0`` comes first unless args name a ``--port``).
    python: the interpreter (default: this one). script: serve.py, or a list of an entry point and its own leading
    arguments (tests/reliability/skewed_emulator.py <seconds>). env, cwd: for the child. stderr: as for subprocess
    (default: inherited; subprocess.STDOUT to keep it with stdout). log_path: a file that gets every output line.
    new_session: start the child in a session of its own and signal its whole process group on stop.
    ssl_context: for the control requests to an HTTPS emulator (default: no verification; it is a local test server).
    """

    def __init__(
        self,
        args=(),
        python=None,
        script=None,
        env=None,
        cwd=None,
        startup_timeout=30.0,
        control_timeout=30.0,
        stop_timeout=10.0,
        stderr=None,
        log_path=None,
        new_session=False,
        ssl_context=None,
        keep_lines=1000,
    ):
        script = SERVE if script is None else script
        scripts = [script] if isinstance(script, (str, os.PathLike)) else list(script)
        args = [str(arg) for arg in args]
        port = [] if any(arg == "--port" or arg.startswith("--port=") for arg in args) else ["--port", "0"]
        self.command = [str(python or sys.executable)] + [str(part) for part in scripts] + port + args
        self.env = env
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.control_timeout = control_timeout
        self.stop_timeout = stop_timeout
        self.stderr = stderr
        self.log_path = log_path
        self.new_session = new_session
        self.ssl_context = ssl_context
        self.process = None
        self.endpoint = None
        self.banner = None
        self.lines = collections.deque(maxlen=keep_lines)
        self._ready = threading.Event()
        self._reader = None

    @property
    def control_url(self):
        return None if self.endpoint is None else self.endpoint + "/_emulator"

    @property
    def output(self):
        """What the child printed so far (the last keep_lines lines)."""
        return "".join(self.lines)

    def __enter__(self):
        return self.start() if self.process is None else self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        """Start the child, wait for its endpoint line and a healthy control endpoint; self. Raises EmulatorError."""
        if self.process is not None:
            raise EmulatorError("the emulator was already started")
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.stderr, env=self.env, cwd=self.cwd, start_new_session=self.new_session
        )
        self._reader = threading.Thread(target=self._read, name="emulator-output", daemon=True)
        self._reader.start()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _read(self):
        log = open(self.log_path, "w", encoding="utf-8") if self.log_path else None  # pylint: disable=consider-using-with
        try:
            for raw in self.process.stdout:
                line = raw.decode("utf-8", errors="replace")
                self.lines.append(line)
                if log:
                    log.write(line)
                    log.flush()
                match = LISTENING.search(line)
                if match and self.endpoint is None:
                    self.banner = line.strip()
                    self.endpoint = match.group(1)
                    self._ready.set()
        finally:
            self.process.stdout.close()
            if log:
                log.close()
            self._ready.set()

    def _wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        self._ready.wait(self.startup_timeout)
        if self.endpoint is None:
            status = self.process.poll()
            if self._ready.is_set():  # its output ended: it is exiting, or has
                try:
                    status = self.process.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    pass
            if status is not None:
                state = "exited with status %s" % status
            elif self._ready.is_set():
                state = "closed its output without printing its endpoint"
            else:
                state = "printed no endpoint within %gs" % self.startup_timeout
            raise EmulatorError("the emulator did not start (%s: %s); it printed: %r" % (state, " ".join(self.command), self.output))
        while True:
            try:
                self.control("GET", "health", timeout=2)
                return
            except (EmulatorError, OSError) as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise EmulatorError("the emulator at %s is not healthy (%s); it printed: %r" % (self.endpoint, error, self.output)) from None
            time.sleep(0.05)

    def control(self, method, path, body=None, timeout=None):
        """Call the control endpoint (path below /_emulator/, e.g. 'requests'); the answer's JSON (None when empty)."""
        if self.endpoint is None:
            raise EmulatorError("the emulator is not running")
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(
            "%s/%s" % (self.control_url, path.lstrip("/")), data=data, method=method, headers={"Content-Type": "application/json"} if data is not None else {}
        )
        context = self.ssl_context
        if context is None and self.endpoint.startswith("https:"):
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.control_timeout, context=context) as answer:
                payload = answer.read()
        except urllib.error.HTTPError as error:
            raise EmulatorError("control %s %s %s: HTTP %s %r" % (method, path, body, error.code, error.read())) from None
        return json.loads(payload) if payload else None

    def stop(self):
        """Terminate the child and wait for it (kill after stop_timeout); safe to call more than once."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                process.wait(timeout=self.stop_timeout)
        if self._reader is not None:
            self._reader.join(timeout=self.stop_timeout)

    def _signal(self, number):
        try:
            if self.new_session:
                os.killpg(self.process.pid, number)
            else:
                self.process.send_signal(number)
        except ProcessLookupError:
            pass
