# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's measurements of one module run: the AnsiballZ payloads Ansible built, run in fresh processes."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from common import MAIN_KEY, MODULES, PROBES, WORK, Ansible, BenchError, Emulator, median, ratio
from imports import parse_importtime
from playbooks import converged_tasks


# --- 5. one module run: start-up, memory -------------------------------------------------------------------------------
def build_payloads(ansible: Ansible) -> dict:
    """The AnsiballZ payload of each module's converged task and of ping, as Ansible built them (ANSIBLE_KEEP_REMOTE_FILES)."""
    remote = WORK / "remote-tmp"
    shutil.rmtree(remote, ignore_errors=True)
    ansible.run("payloads", [converged_tasks("payload", name) for name in ("ping",) + MODULES], ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=str(remote))
    payloads = {}
    for name in ("ping",) + MODULES:
        found = sorted(remote.glob(f"ansible-tmp-*/AnsiballZ_{name}.py"))
        if len(found) != 1:
            raise BenchError(f"expected one AnsiballZ_{name}.py under {remote}, found {len(found)}")
        payloads[name] = found[0]
    return payloads


def measure_payloads(emulator: Emulator, payloads: dict, runs: int, costs: dict) -> dict:
    """Peak RSS and wall time of each payload run in a fresh process (latency 0: start-up only), and its import time.
    The emulator's own time on the request (duration_ms in its log) is reported apart: it is the server, not the module."""
    env = dict(os.environ, ALICLOUD_ACCESS_KEY_ID=MAIN_KEY[0], ALICLOUD_ACCESS_KEY_SECRET=MAIN_KEY[1])
    emulator.set_latency(0)
    samples = {name: [] for name in payloads}
    imports = {name: [] for name in payloads}
    try:
        for _run in range(runs):
            for name, path in payloads.items():
                emulator.control("DELETE", "requests")
                done = subprocess.run([sys.executable, str(PROBES / "payload_rss.py"), str(path)], capture_output=True, text=True, env=env, check=False)
                probe = json.loads(done.stdout)
                answer = json.loads(probe["stdout"] or "{}")
                if probe["rc"] != 0 or answer.get("failed") or answer.get("changed"):
                    raise BenchError(f"payload {name} did not run converged: {probe['stdout'][-1500:]} {probe['stderr'][-1500:]}")
                server_s = sum(entry["duration_ms"] or 0 for entry in emulator.requests()) / 1000
                samples[name].append((probe["maxrss_kib"], probe["seconds"], server_s))
                traced = subprocess.run([sys.executable, "-X", "importtime", str(path)], capture_output=True, text=True, env=env, check=False)
                imports[name].append(parse_importtime(traced.stderr))
    finally:
        emulator.set_latency(emulator.latency_ms)
    ping_rss = median([value[0] for value in samples["ping"]])
    ping_s = median([value[1] for value in samples["ping"]])
    result = {}
    for name, values in samples.items():
        rss, seconds, server_s = (median([value[index] for value in values]) for index in range(3))
        shipped = payload_files(payloads[name])
        result[name] = {
            "payload_kib": round(payloads[name].stat().st_size / 1024, 1),
            "collection_files": shipped,
            "compile_us": sum(costs.get(file, {}).get("compile_us", 0) for file in shipped),
            "peak_rss_kib": int(rss),
            "rss_ratio_to_ping": ratio(rss, ping_rss),
            "run_s": round(seconds, 4),
            "run_ratio_to_ping": ratio(seconds, ping_s),
            "emulator_s": round(server_s, 4),
            "import_us": import_profile(imports[name]),
        }
    ping_names = {entry[3] for run in imports["ping"] for entry in run}
    for name in MODULES:
        result[name]["imports_beyond_ping"] = imports_beyond(imports[name], ping_names)
    return result


def import_profile(runs: list) -> dict:
    """Median total import time of a payload run and of its parts (the collection's own files: self time, which is
    mostly compiling them from the zip, where there is no bytecode cache)."""
    totals = [sum(entry[2] for entry in run if entry[0] == 0) for run in runs]
    ours = [sum(entry[1] for entry in run if entry[3].startswith("ansible_collections.alicloud.oss")) for run in runs]
    basic = [sum(entry[2] for entry in run if entry[3] == "ansible.module_utils.basic") for run in runs]
    return {"total": int(median(totals)), "collection_files_self": int(median(ours)), "ansible.module_utils.basic": int(median(basic))}


def imports_beyond(runs: list, ping_names: set) -> list:
    """The outermost imports a module run makes that a ping run does not, with their median cumulative microseconds (largest first)."""
    per_name = {}
    for run in runs:
        skip_depth = None
        for index in range(len(run) - 1, -1, -1):  # reversed: a parent comes after its children in -X importtime output
            depth, _self, cumulative, name = run[index]
            if skip_depth is not None and depth > skip_depth:
                continue
            skip_depth = None
            if name in ping_names or name.split(".")[0] == "ansible_collections":
                continue
            per_name.setdefault(name, []).append(cumulative)
            skip_depth = depth
    rows = [(name, int(median(values))) for name, values in per_name.items()]
    return [{"import": name, "cumulative_us": value} for name, value in sorted(rows, key=lambda row: -row[1])[:15]]


def payload_files(path: Path) -> list:
    """The collection files inside an AnsiballZ payload (its zip is base64 in the zip_data argument)."""
    match = re.search(r"zip_data='([A-Za-z0-9+/=]+)'", path.read_text(encoding="utf-8"))
    if not match:
        return []
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(match.group(1)))) as archive:
        names = archive.namelist()
    prefix = "ansible_collections/alicloud/oss/"
    return sorted(name[len(prefix) :] for name in names if name.startswith(prefix) and name.endswith(".py") and "/" in name[len(prefix) :])
