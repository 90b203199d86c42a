# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificate_renewal role over the fleet's 200 buckets with nothing due, beside one all_buckets cname_info task.

Each bucket has one domain whose certificate ends in 200 days, given to the emulator as its state file (no upload).
The ACME directory is a closed loopback port: an ACME request would fail the run, and the role's rows are checked
for any ACME task besides. Requests are counted from the emulator's log."""

from __future__ import annotations

import datetime
import email.utils
import json
import math
import time

from common import COLLECTIONS, ROOT, WORK, Ansible, BenchError, task, timing_summary
from fleet import FLEET, FLEET_SIZE, FleetEmulator
from support import community_crypto

LIST_BUCKETS_PAGE = 1000
FLEET_READ_TASK = "Read the domains and certificates of the buckets"
ACME_TASKS = ("Create or update the ACME account", "Order the certificate", "Finish the order")


class RenewalEmulator(FleetEmulator):
    """The fleet's emulator, started from a state file that binds one domain with a certificate to each bucket."""

    def __init__(self, latency_ms: float):
        super().__init__(latency_ms)
        state = WORK / "renewal-state.json"
        state.write_text(json.dumps(fleet_state()), encoding="utf-8")
        self.command += ["--state-file", str(state)]


def fleet_state() -> dict:
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=200)
    certificate = {
        "type": "CAS",
        "status": "Enabled",
        "fingerprint": "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
        "valid_start_date": email.utils.format_datetime(end - datetime.timedelta(days=90), usegmt=True),
        "valid_end_date": email.utils.format_datetime(end, usegmt=True),
        "creation_date": "Thu, 01 Jan 2026 00:00:00 GMT",
    }
    return {
        "version": 1,
        "buckets": {
            name: {
                f"{name}.example.com": {
                    "status": "Enabled",
                    "last_modified": "2026-01-01T00:00:00.000Z",
                    "certificate": dict(certificate, cert_id=f"{number + 1}-cn-hangzhou"),
                }
            }
            for number, (name, _region) in enumerate(FLEET)
        },
    }


def renewal_task() -> dict:
    return {
        "name": "renewal",
        "ansible.builtin.include_role": {"name": "alicloud.oss.certificate_renewal"},
        "vars": {"certificate_renewal_acme_directory": "https://127.0.0.1:9/dir", "certificate_renewal_dir": str(WORK / "renewal-certificates")},
    }


def measure_renewal(latency_ms: float, repetitions: int) -> dict:
    """Task time (the sum of the role's rows), playbook time and requests of the role and of one cname_info task."""
    WORK.mkdir(parents=True, exist_ok=True)
    crypto = community_crypto.cached(ROOT)
    if crypto is None:
        raise BenchError("community.crypto is not in .cache/community-crypto: `make bench` fetches it")
    env = {"ANSIBLE_COLLECTIONS_PATH": f"{COLLECTIONS}:{crypto}"}
    scenarios = {
        "one cname_info task, all_buckets": [task("fleet", "cname_info", {"all_buckets": True})],
        "certificate_renewal, nothing due": [renewal_task()],
    }
    samples = {name: [] for name in scenarios}
    requests = {}
    with RenewalEmulator(latency_ms) as emulator:
        ansible = Ansible(emulator)
        for _repetition in range(repetitions):
            for name, tasks in scenarios.items():
                emulator.control("DELETE", "requests")
                started = time.perf_counter()
                rows = ansible.run("renewal", tasks, **env)
                samples[name].append((sum(row["seconds"] for row in rows), time.perf_counter() - started))
                requests[name] = _check(name, rows, emulator.requests())
    return {name: timing_summary(values, requests[name]) for name, values in samples.items()}


def _check(name: str, rows: list, log: list) -> dict:
    """The request counts; a run that sent anything but the fleet read, or ran an ACME task, is a bench failure."""
    counts = {operation: sum(entry["operation"] == operation for entry in log) for operation in ("ListBuckets", "ListCname")}
    counts["total"] = len(log)
    counts["fleet_read_tasks"] = sum(row["task"].endswith(FLEET_READ_TASK) or row["task"] == "fleet" for row in rows)
    acme = [row["task"] for row in rows if row["task"].endswith(ACME_TASKS) and row["status"] != "skipped"]
    pages = math.ceil(FLEET_SIZE / LIST_BUCKETS_PAGE)
    if (
        acme
        or counts["fleet_read_tasks"] != 1
        or counts["ListBuckets"] > pages
        or counts["ListCname"] != FLEET_SIZE
        or counts["total"] != counts["ListBuckets"] + FLEET_SIZE
    ):
        raise BenchError(f"renewal: '{name}' ran ACME tasks {acme} or sent {counts}")
    return counts
