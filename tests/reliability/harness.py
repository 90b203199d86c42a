# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The reliability suite's harness: emulator child processes, generated playbooks run with the venv's ansible-playbook, rows."""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SERVE = ROOT / "tests" / "emulator" / "serve.py"
sys.path.insert(0, str(ROOT / "tests" / "emulator"))
sys.path.insert(0, str(ROOT / "tests"))
_PROCESS = importlib.import_module("ossemu.process")  # the emulator's launcher (standard library only)
_PLAYBOOK = importlib.import_module("support.playbook")  # the ansible-playbook runner the demo and the bench share
EmulatorProcess, EmulatorError = _PROCESS.EmulatorProcess, _PROCESS.EmulatorError
# Where ansible-playbook finds ansible_collections/alicloud/oss: a link to this tree, made per session by link_collection.
COLLECTIONS: dict = {"path": None}
# The venv the suite runs in (the nox session's) holds ansible-core: its ansible-playbook and its python for the modules.
PYTHON = sys.executable

# The emulator's built-in account and its bucket (tests/emulator/default-config.json); not real credentials.
ACCESS_KEY_ID = "LTAI5tEmulatorKey0001"
ACCESS_KEY_SECRET = "EmulatorSecret0001xxxxxxxxxxxxxx"
OWNER = "1234567890123456"
BUCKET = "demo-bucket"
REGION = "cn-hangzhou"

SECTIONS = {
    "fault": "faults survived",
    "auth": "faults survived",
    "tls": "faults survived",
    "input": "inputs refused",
    "input (all)": None,
    "secret": "secrets checks",
}


# --- rows and the table ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    index: int
    section: str
    subject: str
    expected: str
    outcome: str = "(not checked: the test stopped before observing the outcome)"
    result: str = "?"
    known_bug: str = ""


ROWS: dict = {}


@dataclasses.dataclass(frozen=True)
class Case:
    """One row: what is done to the module (fault or input), what a user should see, and how it is checked."""

    index: int
    section: str
    subject: str
    expected: str
    scenario: str
    check: object

    def __str__(self):
        return self.subject


def table_lines(cells, widths):
    wrapped = [textwrap.wrap(str(cell), width) or [""] for cell, width in zip(cells, widths)]
    height = max(len(lines) for lines in wrapped)
    for index in range(height):
        yield "  ".join((lines[index] if index < len(lines) else "").ljust(width) for lines, width in zip(wrapped, widths)).rstrip()


# --- the emulator -----------------------------------------------------------------------------------------------


class Emulator(EmulatorProcess):
    """tests/emulator/serve.py (or a launcher that takes its options) as a child process, driven through its control endpoint.

    Its output goes to <workdir>/<name>.out, OSS requests to <name>-requests.jsonl, state to <name>-state.json.
    """

    def __init__(self, workdir: Path, name: str, extra_args=(), launcher=None):
        self.workdir = workdir
        self.name = name
        self.extra_args = list(extra_args)
        self.request_log = workdir / f"{name}-requests.jsonl"
        args = ["--request-log", self.request_log, "--state-file", workdir / f"{name}-state.json", *self.extra_args]
        super().__init__(args, python=PYTHON, script=launcher or SERVE, cwd=workdir, stderr=subprocess.STDOUT, log_path=workdir / f"{name}.out")

    def start(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            return super().start()
        except EmulatorError as error:
            raise RuntimeError(f"emulator {self.name}: {error}") from None

    def reset(self):
        """Forget bindings, tokens, faults, clock offset and the request log: a clean slate for the next row."""
        self.control("POST", "reset")
        self.control("DELETE", "faults")
        self.control("DELETE", "requests")
        self.control("POST", "latency", {"ms": 0})

    def fault(self, kind: str, **spec):
        return self.control("POST", "faults", dict(spec, kind=kind))

    def requests(self) -> list:
        return self.control("GET", "requests")

    def settled_requests(self, count: int, timeout: float = 10.0) -> list:
        """The log once it holds `count` entries: a delayed answer is logged only when the emulator sends it."""
        deadline = time.monotonic() + timeout
        entries = self.requests()
        while len(entries) < count and time.monotonic() < deadline:
            time.sleep(0.1)
            entries = self.requests()
        return entries

    def state(self) -> dict:
        return self.control("GET", "state")


def link_collection(base: Path) -> Path:
    """base/ansible_collections/alicloud/oss -> this tree, so the runs test this checkout whatever .tmp holds."""
    link = base / "ansible_collections" / "alicloud" / "oss"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(ROOT, target_is_directory=True)
    COLLECTIONS["path"] = base
    return base


SKEW_SECONDS = 20 * 60


def make_certificate(common_name: str, ip_address: str | None = None, ca: bool = False, rsa_bits: int = 0, days: tuple = (-1, 30)) -> tuple:
    """(certificate PEM, unencrypted PKCS#8 key PEM); an RSA key when rsa_bits is set, else P-256; valid days[0] to days[1] from now."""
    from support.certs import make_certificate as new_certificate  # pylint: disable=import-outside-toplevel

    made = new_certificate(common_name, rsa_bits=rsa_bits, ip_address=ip_address, ca=ca, valid_days=days)
    return made.cert_pem, made.key_pem


# --- module memory ------------------------------------------------------------------------------------------------

PEAK_RSS_LOG = "peak-rss.jsonl"


def peak_rss_interpreter(directory: Path) -> Path:
    """An interpreter for the modules: runs PYTHON on the same arguments and stdin, then appends the module process's
    peak RSS (KiB) and its task (RELIABILITY_TASK in the task's environment) to directory/peak-rss.jsonl.

    A task's vars must name it (ansible_python_interpreter): the implicit localhost's own setting wins over
    ANSIBLE_PYTHON_INTERPRETER."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "python-peak-rss"
    log = directory / PEAK_RSS_LOG
    script.write_text(
        f"#!{PYTHON}\n"
        "import json, os, resource, subprocess, sys\n"
        f"done = subprocess.run([{PYTHON!r}, *sys.argv[1:]], check=False)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        f"with open({str(log)!r}, 'a', encoding='utf-8') as handle:\n"
        "    handle.write(json.dumps({'task': os.environ.get('RELIABILITY_TASK'), 'peak_kib': peak}) + '\\n')\n"
        "sys.exit(done.returncode)\n"
    )
    script.chmod(0o755)
    return script


def peak_rss_mib(directory: Path, task: str) -> float | None:
    """The peak RSS of the module process of `task`, in MiB, as peak_rss_interpreter recorded it."""
    log = directory / PEAK_RSS_LOG
    if not log.exists():
        return None
    peaks = [json.loads(line)["peak_kib"] for line in log.read_text(encoding="utf-8").splitlines() if json.loads(line)["task"] == task]
    return max(peaks) / 1024 if peaks else None


# --- ansible-playbook ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Task:
    """One task of a generated playbook; `key` is its name and the variable its result is registered in."""

    key: str
    module: str
    args: dict
    environment: dict | None = None
    timed: bool = False
    no_log: bool = False
    vars: dict | None = None

    @property
    def fqcn(self) -> str:
        return self.module if "." in self.module else f"alicloud.oss.{self.module}"


@dataclasses.dataclass
class Run:
    """What one ansible-playbook run left behind."""

    directory: Path
    returncode: int
    stdout: str
    stderr: str
    duration: float
    results: dict
    durations: dict
    log: list
    state: dict
    emulator: Emulator

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def result(self, key: str) -> dict:
        if key not in self.results:
            raise AssertionError(f"no result for task {key}; ansible-playbook exited {self.returncode}:\n{self.output[-3000:]}")
        return self.results[key]

    def task_output(self, key: str) -> str:
        """The default callback's output of one task: from its banner to the next banner."""
        marker = f"TASK [{key}]"
        start = self.stdout.find(marker)
        if start < 0:
            return ""
        end = self.stdout.find("\nTASK [", start + len(marker))
        recap = self.stdout.find("\nPLAY RECAP", start + len(marker))
        ends = [position for position in (end, recap) if position >= 0]
        return self.stdout[start : min(ends) if ends else len(self.stdout)]


def playbook_env(home: Path, extra: dict | None = None) -> dict:
    """A clean environment: no credentials, regions, proxies or CA bundles from the machine running the tests."""
    env = {name: value for name, value in os.environ.items() if name in ("PATH", "TMPDIR", "SYSTEMROOT") or name.startswith(("LC_", "LANG"))}
    env.update(
        HOME=str(home),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS["path"]),
        ANSIBLE_PYTHON_INTERPRETER=PYTHON,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_PIPELINING="1",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_LOCAL_TEMP=str(home / ".ansible" / "tmp"),
        ANSIBLE_REMOTE_TEMP=str(home / ".ansible" / "remote-tmp"),
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
    )
    env.update(extra or {})
    return env


RECORD_TASK = "record the results"


def _playbook(tasks: list) -> list:
    """The tasks, each registered and ignore_errors; then a debug task that prints every result as one JSON string.

    debug runs on the controller, so recording costs no module run (a copy task would cost one per playbook).
    """
    steps = []
    for task in tasks:
        if task.timed:
            steps.append({"name": f"start {task.key}", "ansible.builtin.set_fact": {f"t0_{task.key}": "{{ now(utc=true).timestamp() }}"}})
        step = {"name": task.key, task.fqcn: task.args, "register": task.key, "ignore_errors": True}
        if task.environment:
            step["environment"] = task.environment
        if task.no_log:
            step["no_log"] = True
        if task.vars:
            step["vars"] = task.vars
        steps.append(step)
        if task.timed:
            steps.append({"name": f"end {task.key}", "ansible.builtin.set_fact": {f"t1_{task.key}": "{{ now(utc=true).timestamp() }}"}})
    timed = [task.key for task in tasks if task.timed]
    record = "{{ {'results': {%s}, 'durations': {%s}} | to_json }}" % (
        ", ".join(f"'{task.key}': {task.key}" for task in tasks),
        ", ".join(f"'{key}': (t1_{key} | float) - (t0_{key} | float)" for key in timed),
    )
    steps.append({"name": RECORD_TASK, "ansible.builtin.debug": {"msg": record}})
    return [{"name": "reliability", "hosts": "localhost", "gather_facts": False, "tasks": steps}]


def run_playbook(directory: Path, emulator: Emulator, tasks: list, env: dict | None = None, verbosity: int = 0, diff: bool = False, settle: int = 0) -> Run:
    """Run a generated playbook with the venv's ansible-playbook; `settle` waits for that many log entries."""
    directory.mkdir(parents=True, exist_ok=True)
    home = directory / "home"
    home.mkdir(exist_ok=True)
    output_dir = directory / "out"
    output_dir.mkdir(exist_ok=True)
    playbook = directory / "playbook.yml"
    playbook.write_text(yaml.safe_dump(_playbook(tasks), sort_keys=False, width=1000))
    options = ["-" + "v" * verbosity] if verbosity else []
    if diff:
        options.append("--diff")
    done = _PLAYBOOK.run_playbook(playbook, env=playbook_env(home, env), options=options, cwd=directory, timeout=600)
    duration = done.duration
    (output_dir / "stdout.txt").write_text(done.stdout)
    (output_dir / "stderr.txt").write_text(done.stderr)
    recorded = _recorded(done.stdout)
    log = emulator.settled_requests(settle) if settle else emulator.requests()
    return Run(directory, done.returncode, done.stdout, done.stderr, duration, recorded["results"], recorded["durations"], log, emulator.state(), emulator)


def _recorded(stdout: str) -> dict:
    """The JSON the record task printed: `ok: [localhost] => {"msg": "<JSON>"}` in the default callback's output."""
    section = stdout.find(f"TASK [{RECORD_TASK}]")
    start = stdout.find("ok: [localhost] => ", section) if section >= 0 else -1
    if start < 0:
        return {"results": {}, "durations": {}}
    printed, _end = json.JSONDecoder().raw_decode(stdout, stdout.index("{", start))
    return json.loads(printed["msg"])
