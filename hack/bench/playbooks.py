# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's playbook measurements: requests per task, converged wall time against ping, 100 domains."""

from __future__ import annotations

import time

from common import BUCKET, CERT_1, CERT_2, MODULES, Ansible, BenchError, Emulator, create_tokens, median, ratio, task

# --- 1. requests per task --------------------------------------------------------------------------------------------
# (module, what, kind, args, expected changed, minimum, note on the minimum, the performance target (docs/performance.md))
# The minimum is what the module's design needs; the target is the figure docs/performance.md sets (one read per converged task, one read
# plus one write per changed domain, a read-back after a certificate change). They differ only for cname_token, which
# reads the bucket's bindings first so that a bound domain (what every later run of a playbook finds) costs one read;
# a domain that is not bound then costs that read on top: over the target by design.
DOMAIN = "rc.example.com"
MULTI = [f"rc{number}.example.com" for number in range(1, 6)]
REQUEST_SCENARIOS = (
    (
        "cname_token",
        "create a token (none valid, domain not bound)",
        "changing",
        {"domain": DOMAIN},
        True,
        3,
        "ListCname + GetCnameToken + CreateCnameToken (bindings first, by design)",
        2,
    ),
    ("cname_token", "token valid, domain not bound", "converged", {"domain": DOMAIN}, False, 2, "ListCname + GetCnameToken (bindings first, by design)", 1),
    ("cname", "bind one domain", "changing", {"domain": DOMAIN}, True, 2, "ListCname + PutCname", 2),
    ("cname", "domain bound", "converged", {"domain": DOMAIN}, False, 1, "ListCname", 1),
    ("cname_token", "domain already bound (its token consumed)", "converged", {"domain": DOMAIN}, False, 1, "ListCname", 1),
    ("cname_certificate", "attach a CAS certificate", "changing", {"domain": DOMAIN, "cert_id": CERT_1}, True, 3, "ListCname + PutCname + read-back", 3),
    ("cname_certificate", "certificate bound", "converged", {"domain": DOMAIN, "cert_id": CERT_1}, False, 1, "ListCname", 1),
    ("cname_certificate", "change a certificate", "changing", {"domain": DOMAIN, "cert_id": CERT_2}, True, 3, "ListCname + PutCname + read-back", 3),
    ("cname_info", "list the bucket's domains", "converged", {}, False, 1, "ListCname", 1),
    (
        "cname_info",
        "one domain with include_token",
        "converged",
        {"domain": DOMAIN, "include_token": True},
        False,
        2,
        "ListCname + GetCnameToken (two documents)",
        2,
    ),
    (
        "cname",
        f"bind {len(MULTI)} domains in one task (domains)",
        "changing",
        {"domains": MULTI},
        True,
        1 + len(MULTI),
        "ListCname + one PutCname per domain",
        1 + len(MULTI),
    ),
    ("cname", f"{len(MULTI)} domains bound (domains)", "converged", {"domains": MULTI}, False, 1, "ListCname", 1),
    ("cname", "unbind one domain", "changing", {"domain": DOMAIN, "state": "absent"}, True, 2, "ListCname + DeleteCname", 2),
    ("cname", "domain not bound (state=absent)", "converged", {"domain": DOMAIN, "state": "absent"}, False, 1, "ListCname", 1),
)


def measure_requests(emulator: Emulator, ansible: Ansible) -> list:
    """Each task signs with its own key, so the request log attributes every request to its task."""
    emulator.fresh()
    create_tokens(emulator, MULTI)
    emulator.control("DELETE", "requests")
    tasks = []
    for index, (module, what, _kind, args, _changed, _minimum, _note, _target) in enumerate(REQUEST_SCENARIOS):
        key = (f"LTAI5tBenchKey{index:04d}", f"BenchSecret{index:04d}xxxxxxxxxxxxxxxxxxx")
        emulator.add_key(*key)
        tasks.append(task(f"requests {index}: {module} {what}", module, dict(args, bucket=BUCKET, access_key_id=key[0], access_key_secret=key[1])))
    rows = ansible.run("requests", tasks)
    log = emulator.requests()
    results = []
    for index, ((module, what, kind, _args, changed, minimum, note, target), row) in enumerate(zip(REQUEST_SCENARIOS, rows)):
        sent = [
            entry["operation"] + ("" if (entry["status"] or 0) < 300 else f"({entry['status']})")
            for entry in log
            if entry["access_key_id"] == f"LTAI5tBenchKey{index:04d}"
        ]
        if row["changed"] != changed:
            raise BenchError(f"requests: task '{row['task']}' reported changed={row['changed']}, expected {changed}")
        results.append(
            {
                "module": module,
                "scenario": what,
                "kind": kind,
                "requests": len(sent),
                "minimum": minimum,
                "meets": len(sent) <= minimum,
                "sent": sent,
                "minimum_is": note,
                "target": target,
                "meets_target": len(sent) <= target,
                "over_target_by_design": minimum > target,
            }
        )
    return results


# --- 2. converged wall time per task against ping ----------------------------------------------------------------------
def converged_tasks(label: str, module: str) -> dict:
    args = {
        "ping": {},
        "cname": {"bucket": BUCKET, "domain": DOMAIN},
        "cname_info": {"bucket": BUCKET},
        "cname_token": {"bucket": BUCKET, "domain": DOMAIN},
        "cname_certificate": {"bucket": BUCKET, "domain": DOMAIN, "cert_id": CERT_1},
    }[module]
    return task(f"{label} {module}", module, args)


def converged_state(emulator: Emulator, ansible: Ansible):
    """DOMAIN bound with CERT_1 (its token consumed by the bind): every module's converged case is one ListCname."""
    emulator.fresh()
    create_tokens(emulator, [DOMAIN])
    ansible.run(
        "setup",
        [
            task("bind", "cname", {"bucket": BUCKET, "domain": DOMAIN}),
            task("certificate", "cname_certificate", {"bucket": BUCKET, "domain": DOMAIN, "cert_id": CERT_1}),
        ],
    )


def measure_task_times(emulator: Emulator, ansible: Ansible, rounds: int) -> dict:
    """One playbook: a warm-up round, then `rounds` rounds of every module and ping, the order rotated each round."""
    names = ("ping",) + MODULES
    tasks = [converged_tasks("warm-up", name) for name in names]
    for number in range(rounds):
        shift = number % len(names)
        tasks += [converged_tasks(f"round {number}", name) for name in names[shift:] + names[:shift]]
    emulator.control("DELETE", "requests")
    rows = ansible.run("task-times", tasks)
    writes = [entry for entry in emulator.requests() if entry["operation"] not in ("ListCname", "GetCnameToken")]
    changed = [row["task"] for row in rows if row["changed"]]
    if writes or changed:
        raise BenchError(f"task-times: the converged tasks were not converged (changed {changed}, writes {writes})")
    samples = {name: [row["seconds"] for row in rows if row["task"].startswith("round ") and row["task"].endswith(f" {name}")] for name in names}
    ping = median(samples["ping"])
    return {
        name: {
            "median_s": round(median(values), 4),
            "min_s": round(min(values), 4),
            "max_s": round(max(values), 4),
            "samples": len(values),
            "ratio_to_ping": ratio(median(values), ping),
            "over_ping_ms": round((median(values) - ping) * 1000, 1),
        }
        for name, values in samples.items()
    }


# --- 3. 100 domains ----------------------------------------------------------------------------------------------------
BULK = [f"bulk{number:03d}.example.com" for number in range(100)]


def measure_bulk(emulator: Emulator, ansible: Ansible, repetitions: int) -> dict:
    """The loop runs once (it is the slow side, and its time hardly varies); the one-task scenarios `repetitions` times."""
    scenarios = {
        "loop of 100 domain tasks": task("bulk", "cname", {"bucket": BUCKET, "domain": "{{ item }}"}, loop=BULK),
        "one task, domains, concurrency 1": task("bulk", "cname", {"bucket": BUCKET, "domains": BULK, "concurrency": 1}),
        "one task, domains, concurrency 8": task("bulk", "cname", {"bucket": BUCKET, "domains": BULK, "concurrency": 8}),
    }
    samples = {name: [] for name in scenarios}
    requests = {}
    one_task = [name for name in scenarios if not name.startswith("loop")]
    order = [name for repetition in range(repetitions) for name in (one_task if repetition % 2 == 0 else one_task[::-1])]
    order.insert(len(order) // 2, "loop of 100 domain tasks")
    for name in order:
        emulator.fresh()
        create_tokens(emulator, BULK)
        emulator.control("DELETE", "requests")
        started = time.perf_counter()
        rows = ansible.run("bulk", [scenarios[name]])
        playbook_seconds = time.perf_counter() - started
        bound = emulator.bindings()
        if sorted(bound) != BULK or not rows[0]["changed"]:
            raise BenchError(f"bulk: '{name}' left {len(bound)} of {len(BULK)} domains bound")
        samples[name].append((rows[0]["seconds"], playbook_seconds))
        requests[name] = len(emulator.requests())
    loop = median([task_s for task_s, _playbook_s in samples["loop of 100 domain tasks"]])
    result = {}
    for name, values in samples.items():
        task_s, playbook_s = median([value[0] for value in values]), median([value[1] for value in values])
        result[name] = {
            "task_s": round(task_s, 3),
            "playbook_s": round(playbook_s, 3),
            "samples": len(values),
            "requests": requests[name],
            "speed-up_vs_loop": ratio(loop, task_s),
        }
    return result


# --- 2b. cname_info against ping, side by side ---------------------------------------------------------------------------
PAIRS = 20


def measure_ping_ratio(ansible: Ansible, runs: int = 3) -> dict:
    """20 converged cname_info tasks, 20 ansible.builtin.ping tasks and 20 requests_floor tasks (AnsibleModule, import
    requests, one GET to the emulator: what any module using requests costs), in rounds whose order alternates, in one
    playbook run `runs` times. Each run gives the median of each; the figures are the medians of the runs'."""
    names = ("ping", "requests_floor", "cname_info")
    floor = {"name": "", "requests_floor": {"url": ansible.emulator.endpoint + "/"}}

    def one(label: str, name: str) -> dict:
        if name == "requests_floor":
            return dict(floor, name=f"{label} {name}")
        return converged_tasks(label, name)

    tasks = [one("warm-up", name) for name in names]
    for number in range(PAIRS):
        tasks += [one(f"pair {number}", name) for name in (names if number % 2 == 0 else names[::-1])]
    per_run = []
    for _run in range(runs):
        rows = ansible.run("ping-ratio", tasks)
        samples = {name: [row["seconds"] for row in rows if row["task"].startswith("pair ") and row["task"].endswith(f" {name}")] for name in names}
        if any(len(values) != PAIRS for values in samples.values()) or any(row["changed"] for row in rows):
            raise BenchError(f"ping-ratio: expected {PAIRS} unchanged tasks of each, got {rows}")
        ping, least, info = (median(samples[name]) for name in names)
        per_run.append(
            {
                "ping_s": round(ping, 4),
                "cname_info_s": round(info, 4),
                "floor_s": round(least, 4),
                "ratio": ratio(info, ping),
                "floor_ratio": ratio(least, ping),
            }
        )
    return {
        "pairs": PAIRS,
        "runs": per_run,
        **{key: round(median([run[key] for run in per_run]), 4) for key in ("ping_s", "cname_info_s", "floor_s")},
        "median_ratio": median([run["ratio"] for run in per_run]),
        "floor_ratio": median([run["floor_ratio"] for run in per_run]),
    }
