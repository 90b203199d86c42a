# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet view: 200 buckets in three regions, one domain each, read by one all_buckets task against a loop of
200 single-bucket cname_info tasks, on an emulator of its own (its config lists the 200 buckets)."""

from __future__ import annotations

import json
import time

from common import MAIN_KEY, OWNER, WORK, Ansible, BenchError, Emulator, median, ratio, task, timing_summary

FLEET_SIZE = 200
REGIONS = ("cn-hangzhou", "ap-southeast-1", "eu-central-1")
FLEET = [(f"fleet-{number:03d}", REGIONS[number % len(REGIONS)]) for number in range(FLEET_SIZE)]


class FleetEmulator(Emulator):
    """The benchmark's emulator, with the 200 buckets in its config instead of the default ones."""

    def __init__(self, latency_ms: float):
        config = WORK / "fleet-config.json"
        config.write_text(json.dumps(fleet_config()), encoding="utf-8")
        super().__init__(latency_ms)
        self.command += ["--config", str(config)]


def fleet_config() -> dict:
    return {
        "accounts": [{"access_key_id": MAIN_KEY[0], "access_key_secret": MAIN_KEY[1], "owner": OWNER}],
        "buckets": [{"name": name, "region": region, "owner": OWNER} for name, region in FLEET],
        "ownership": "token",
    }


def bind_one_domain_each(emulator: Emulator) -> None:
    """One domain per bucket, through the official SDK at zero latency (set-up, outside anything timed)."""
    import alibabacloud_oss_v2 as oss  # pylint: disable=import-outside-toplevel

    emulator.set_latency(0)
    try:
        clients = {}
        for region in REGIONS:
            config = oss.config.load_default()
            config.credentials_provider = oss.credentials.StaticCredentialsProvider(*MAIN_KEY)
            config.region = region
            config.endpoint = emulator.endpoint
            clients[region] = oss.Client(config)
        for name, region in FLEET:
            cname = oss.BucketCnameConfiguration(cname=oss.Cname(domain=f"{name}.example.com"))
            clients[region].create_cname_token(oss.CreateCnameTokenRequest(bucket=name, bucket_cname_configuration=cname))
            clients[region].put_cname(oss.PutCnameRequest(bucket=name, bucket_cname_configuration=cname))
    finally:
        emulator.set_latency(emulator.latency_ms)


def measure_fleet(latency_ms: float, repetitions: int) -> dict:
    """Task time and requests of each scenario; the loop runs once (the slow side), the one task `repetitions` times."""
    WORK.mkdir(parents=True, exist_ok=True)
    with FleetEmulator(latency_ms) as emulator:
        bind_one_domain_each(emulator)
        ansible = Ansible(emulator)
        scenarios = {
            "loop of 200 single-bucket tasks": task(
                "fleet", "cname_info", {"bucket": "{{ item.0 }}", "region": "{{ item.1 }}"}, loop=[list(pair) for pair in FLEET]
            ),
            "one task, all_buckets, concurrency 8": task("fleet", "cname_info", {"all_buckets": True, "concurrency": 8}),
        }
        samples = {name: [] for name in scenarios}
        requests = {}
        order = ["one task, all_buckets, concurrency 8"] * repetitions
        order.insert(len(order) // 2, "loop of 200 single-bucket tasks")
        for name in order:
            emulator.control("DELETE", "requests")
            started = time.perf_counter()
            rows = ansible.run("fleet", [scenarios[name]])
            samples[name].append((rows[0]["seconds"], time.perf_counter() - started))
            log = emulator.requests()
            requests[name] = {operation: sum(entry["operation"] == operation for entry in log) for operation in ("ListBuckets", "ListCname")}
            requests[name]["total"] = len(log)
            if requests[name]["ListCname"] != FLEET_SIZE or any((entry["status"] or 0) >= 300 for entry in log):
                raise BenchError(f"fleet: '{name}' sent {requests[name]} with statuses {sorted({entry['status'] for entry in log})}")
    loop = median([task_s for task_s, _playbook_s in samples["loop of 200 single-bucket tasks"]])
    return {
        name: dict(timing_summary(values, requests[name]), **{"speed-up_vs_loop": ratio(loop, median([value[0] for value in values]))})
        for name, values in samples.items()
    }
