# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's shared pieces: constants, the emulator with an injected latency, playbooks run with the timing callback."""

from __future__ import annotations

import importlib
import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "emulator"))
sys.path.insert(0, str(ROOT / "tests"))
_PROCESS = importlib.import_module("ossemu.process")  # the emulator's launcher (standard library only)
EmulatorProcess, EmulatorError = _PROCESS.EmulatorProcess, _PROCESS.EmulatorError
run_playbook = importlib.import_module("support.playbook").run_playbook  # the runner the demo and the tests share
PROBES = HERE / "probes"  # small programs the measurements run in fresh interpreters
CALLBACKS = HERE / "callback_plugins"  # bench_timer: per-task wall time
LIBRARY = HERE / "library"  # requests_floor: what any module using requests costs, for the ping ratio
WORK = ROOT / ".tmp" / "bench"
COLLECTIONS = ROOT / ".tmp" / "collections"
BUCKET = "demo-bucket"
REGION = "cn-hangzhou"
OWNER = "1234567890123456"
CERT_1, CERT_2 = "12345678-cn-hangzhou", "23456789-cn-hangzhou"
# The emulator's built-in account (tests/emulator/default-config.json); not a real credential.
MAIN_KEY = ("LTAI5tEmulatorKey0001", "EmulatorSecret0001xxxxxxxxxxxxxx")
MODULES = ("cname", "cname_certificate", "cname_info", "cname_token")
OSS2_PIN = "oss2==2.19.1"
MU_PREFIX = "ansible_collections.alicloud.oss.plugins.module_utils."
# Libraries measured on top of ansible.module_utils.basic alone (the HTTP stack choice); every other library that plugins/
# imports is found by reading the sources and measured on top of ansible.module_utils.basic + requests.
AUDIT_BASIC_ONLY = ("requests", "http.client", "urllib.request")


class BenchError(Exception):
    """A measurement could not be made."""


def median(values):
    return statistics.median(values) if values else None


def timing_summary(samples: list, requests: dict) -> dict:
    """Medians of (task seconds, playbook seconds) samples of one scenario, with the requests it sent."""
    return {
        "task_s": round(median([value[0] for value in samples]), 3),
        "playbook_s": round(median([value[1] for value in samples]), 3),
        "samples": len(samples),
        "requests": requests,
    }


def ratio(value, base):
    return round(value / base, 2) if value is not None and base else None


def say(text=""):
    print(text, flush=True)


# --- the emulator ----------------------------------------------------------------------------------------------------
class Emulator(EmulatorProcess):
    """tests/emulator/serve.py as a child process on a free loopback port, with an injected latency."""

    def __init__(self, latency_ms: float):
        super().__init__(["--latency-ms", latency_ms, "--ownership", "token"])
        self.latency_ms = latency_ms

    def start(self):
        try:
            return super().start()
        except EmulatorError as error:
            raise BenchError(str(error)) from None

    def fresh(self):
        """No bindings, tokens or uploads; ownership proven by any valid token (no DNS step); an empty request log."""
        self.control("POST", "reset")
        self.control("POST", "ownership", {"mode": "token"})
        self.control("DELETE", "requests")

    def set_latency(self, milliseconds: float):
        self.control("POST", "latency", {"ms": milliseconds})

    def requests(self) -> list:
        return self.control("GET", "requests") or []

    def bindings(self) -> dict:
        return self.control("GET", "state")["buckets"].get(BUCKET, {})

    def add_key(self, access_key_id: str, secret: str):
        self.control("POST", "credentials", {"access_key_id": access_key_id, "access_key_secret": secret, "owner": OWNER})


def sdk_client(endpoint: str):
    """The official SDK, for set-up only (creating many tokens fast, outside anything timed)."""
    import alibabacloud_oss_v2 as oss  # pylint: disable=import-outside-toplevel

    config = oss.config.load_default()
    config.credentials_provider = oss.credentials.StaticCredentialsProvider(*MAIN_KEY)
    config.region = REGION
    config.endpoint = endpoint
    return oss, oss.Client(config)


def create_tokens(emulator: Emulator, domains) -> None:
    """A valid token per domain, at zero latency (the emulator's token mode then accepts the bind)."""
    emulator.set_latency(0)
    try:
        oss, client = sdk_client(emulator.endpoint)
        for domain in domains:
            cname = oss.BucketCnameConfiguration(cname=oss.Cname(domain=domain))
            client.create_cname_token(oss.CreateCnameTokenRequest(bucket=BUCKET, bucket_cname_configuration=cname))
    finally:
        emulator.set_latency(emulator.latency_ms)


# --- ansible-playbook ------------------------------------------------------------------------------------------------
class Ansible:
    """Writes playbooks (JSON is YAML) and runs them with the timing callback."""

    def __init__(self, emulator: Emulator):
        self.emulator = emulator
        self.base_env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
            ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
            ANSIBLE_LIBRARY=str(LIBRARY),
            ANSIBLE_CALLBACKS_ENABLED="bench_timer",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            ALICLOUD_ACCESS_KEY_ID=MAIN_KEY[0],
            ALICLOUD_ACCESS_KEY_SECRET=MAIN_KEY[1],
        )
        for name in ("ANSIBLE_CONFIG", "ANSIBLE_KEEP_REMOTE_FILES", "ANSIBLE_STRATEGY", "ANSIBLE_PIPELINING"):
            self.base_env.pop(name, None)

    def play(self, tasks: list) -> list:
        return [
            {
                "name": "bench",
                "hosts": "localhost",
                "connection": "local",
                "gather_facts": False,
                "module_defaults": {"group/alicloud.oss.oss": {"region": REGION, "endpoint": self.emulator.endpoint}},
                "tasks": tasks,
            }
        ]

    def run(self, name: str, tasks: list, **env) -> list:
        """Run the tasks as one playbook; the timing rows, one per task. Fails when a task failed or its host was unreachable."""
        playbook, timings = WORK / f"{name}.yml", WORK / f"{name}.timings.json"
        playbook.write_text(json.dumps(self.play(tasks), indent=1), encoding="utf-8")
        timings.unlink(missing_ok=True)
        completed = run_playbook(playbook, env=dict(self.base_env, BENCH_TIMER_OUT=str(timings), **env), cwd=WORK, timeout=None)
        (WORK / f"{name}.log").write_text(completed.stdout + completed.stderr, encoding="utf-8")
        if completed.returncode != 0 or not timings.exists():
            raise BenchError(
                f"ansible-playbook {playbook} failed (rc {completed.returncode}); see {WORK / f'{name}.log'}:\n"
                f"{completed.stdout[-3000:]}{completed.stderr[-2000:]}"
            )
        rows = json.loads(timings.read_text(encoding="utf-8"))
        # A role's rows include skipped tasks (nothing due) and includes, which report no status: neither is an error.
        bad = [row for row in rows if row["status"] in ("failed", "unreachable")]
        if bad:
            raise BenchError(f"{name}: tasks did not succeed: {bad}")
        return rows


def task(name: str, module: str, args: dict, **keywords) -> dict:
    fqcn = "ansible.builtin.ping" if module == "ping" else f"alicloud.oss.{module}"
    return dict({"name": name, fqcn: args}, **keywords)
