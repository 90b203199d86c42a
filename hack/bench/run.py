# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The performance benchmark: `make bench` (nox session bench). Its targets and figures: docs/performance.md.

Starts the OSS emulator with an injected latency (default 30 ms per request), runs real `ansible-playbook`
against it and measures, in one run:

* HTTP requests per task of every module, converged and changing, counted from the emulator's request log
  (each task signs with its own access key, so the log says which task sent what), next to the minimum the module's
  design needs and the target of docs/performance.md (they differ only where the design is over the target on purpose);
* wall time per converged task as a ratio to `ansible.builtin.ping` (alternating rounds in one playbook, medians,
  timed by the callback callback_plugins/bench_timer.py: from one task's start to the next one's, like profile_tasks);
* 20 converged `cname_info` tasks against 20 `ansible.builtin.ping` tasks and 20 of library/requests_floor.py (what any
  module that uses requests costs), alternating, side by side, at the bench's latency and at 0 ms (median of three runs);
* binding 100 domains: one `cname` task with `domains` (concurrency 1 and 8) against a 100-item loop of `domain` tasks;
* the fleet view: 200 buckets in three regions, one domain each, one `cname_info` task with `all_buckets` (concurrency 8)
  against a 200-item loop of single-bucket `cname_info` tasks, with the ListBuckets and ListCname requests each sent;
* the `certificate_renewal` role over those 200 buckets with nothing due (one fleet read, no ACME request, no write)
  beside one `all_buckets` `cname_info` task;
* import time of the collection's module_utils against the official SDKs (`oss2` in a throwaway venv, `alibabacloud_oss_v2`);
* start-up and peak memory of one module run against `ansible.builtin.ping`, from the AnsiballZ payloads Ansible
  built (ANSIBLE_KEEP_REMOTE_FILES), each run in a fresh process (ru_maxrss of the child);
* the marginal import cost of the libraries the module_utils import, once `ansible.module_utils.basic` and `requests`
  (which every run needs) are loaded.

The files: common.py (emulator, playbook runs), playbooks.py (requests, task times, 100 domains), fleet.py (200 buckets), renewal.py (the
renewal role over them), payloads.py (one module run), imports.py (import and compile times), probes/ (programs run in fresh
interpreters), run.py (this report).
It prints tables and writes JSON (default .tmp/bench/results.json). It never asserts on time; it exits non-zero only
when a measurement could not be made (a task failed, a scenario did not reach the state it should).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import COLLECTIONS, ROOT, WORK, Ansible, BenchError, Emulator, say  # noqa: E402
from imports import compile_costs, measure_audit, measure_imports  # noqa: E402
from fleet import FLEET_SIZE, measure_fleet  # noqa: E402
from renewal import measure_renewal  # noqa: E402
from payloads import build_payloads, measure_payloads  # noqa: E402
from playbooks import converged_state, measure_bulk, measure_ping_ratio, measure_requests, measure_task_times  # noqa: E402


# --- report ------------------------------------------------------------------------------------------------------------
def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version  # pylint: disable=import-outside-toplevel

        ansible_core = version("ansible-core")
    except Exception:  # pylint: disable=broad-exception-caught
        ansible_core = "unknown"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "ansible_core": ansible_core,
        "platform": platform.platform(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def table(headers: list, rows: list) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    say("  ".join(str(cell).ljust(width) for cell, width in zip(headers, widths)).rstrip())
    say("  ".join("-" * width for width in widths))
    for row in rows:
        say("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


def targets(results: dict) -> list:
    """The targets of docs/performance.md and whether this run meets them."""
    rows = []
    requests = results["requests"]
    converged = [row for row in requests if row["kind"] == "converged" and row["target"] == 1]
    over = [f"{row['module']} ({row['scenario']}): {row['requests']}{_by_design(row)}" for row in converged if row["requests"] > 1]
    rows.append(("converged: exactly 1 request per task", not over, "; ".join(over) or "all 1"))
    changing = [row for row in requests if row["kind"] == "changing"]
    over = [f"{row['module']} ({row['scenario']}): {row['requests']} > {row['target']}{_by_design(row)}" for row in changing if row["requests"] > row["target"]]
    rows.append(("changing: no request beyond the minimum", not over, "; ".join(over) or "all at the minimum"))
    times = results["task_times"]
    slow = [f"{name} {values['ratio_to_ping']}x" for name, values in times.items() if name != "ping" and values["ratio_to_ping"] > 1.5]
    rows.append(
        (
            "converged task wall time <= 1.5 x ping",
            not slow,
            "; ".join(slow) or ", ".join(f"{name} {values['ratio_to_ping']}x" for name, values in times.items() if name != "ping"),
        )
    )
    side_by_side = {f"{results['latency_ms']:g} ms": results["ping_ratio"]["median_ratio"], "0 ms": results["ping_ratio_no_latency"]["median_ratio"]}
    rows.append(
        (
            "20 converged cname_info tasks against 20 ping tasks, side by side: <= 1.30 x ping",
            all(ratio <= 1.30 for ratio in side_by_side.values()),
            ", ".join(f"{ratio}x at {latency} per request" for latency, ratio in side_by_side.items())
            + f" (requests_floor, a module that only imports requests and sends one GET: {results['ping_ratio']['floor_ratio']}x and "
            f"{results['ping_ratio_no_latency']['floor_ratio']}x)",
        )
    )
    bulk = results["bulk"]["one task, domains, concurrency 8"]["speed-up_vs_loop"]
    rows.append((f"100 domains at {results['latency_ms']:g} ms: concurrency 8 >= 20 x faster than the loop", bulk >= 20, f"{bulk}x"))
    renewal = results["renewal"]["certificate_renewal, nothing due"]["requests"]
    rows.append(
        (
            f"certificate_renewal, {FLEET_SIZE} buckets, nothing due: 1 fleet read task, no ACME request, 1 ListBuckets page per 1000 + 1 ListCname per bucket",
            True,  # measure_renewal fails the bench otherwise
            f"{renewal['fleet_read_tasks']} fleet read task, {renewal['ListBuckets']} ListBuckets + {renewal['ListCname']} ListCname",
        )
    )
    return [{"target": target, "met": met, "measured": measured} for target, met, measured in rows]


def _by_design(row: dict) -> str:
    """Over the target of docs/performance.md: by design when the module sends no more than its design needs, else a regression."""
    return " (over by design)" if row["requests"] <= row["minimum"] else f" (OVER the design's minimum of {row['minimum']})"


def _verdict(row: dict) -> str:
    if not row["meets"]:
        return "OVER"
    return "ok" if row["meets_target"] else "over target, by design"


def report(results: dict) -> None:
    info = results["machine"]
    say(
        f"\nMachine: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, ansible-core {info['ansible_core']}; "
        f"load average {info['load_average_at_start']} at start, {info['load_average_at_end']} at end; "
        f"emulator latency {results['latency_ms']:g} ms per request"
    )
    say("\nHTTP requests per task (emulator request log)")
    table(
        ["module", "scenario", "kind", "requests", "minimum", "target", "", "sent"],
        [(r["module"], r["scenario"], r["kind"], r["requests"], r["minimum"], r["target"], _verdict(r), " ".join(r["sent"])) for r in results["requests"]],
    )
    say(
        f"\nConverged wall time per task (median of {results['task_times']['ping']['samples']} alternating rounds; includes one "
        f"{results['latency_ms']:g} ms round trip for the modules)"
    )
    table(
        ["task", "median s", "min s", "max s", "ratio to ping", "ms over ping"],
        [(name, v["median_s"], v["min_s"], v["max_s"], v["ratio_to_ping"], v["over_ping_ms"]) for name, v in results["task_times"].items()],
    )
    for key, latency in (("ping_ratio", results["latency_ms"]), ("ping_ratio_no_latency", 0)):
        pr = results[key]
        say(
            f"\n{pr['pairs']} converged cname_info tasks against {pr['pairs']} ansible.builtin.ping tasks, alternating in one playbook, "
            f"{latency:g} ms per OSS request (medians per run; the ratio is the median of the {len(pr['runs'])} runs)"
        )
        table(
            ["run", "ping s", "requests_floor s", "cname_info s", "requests_floor / ping", "cname_info / ping"],
            [(number + 1, run["ping_s"], run["floor_s"], run["cname_info_s"], run["floor_ratio"], run["ratio"]) for number, run in enumerate(pr["runs"])]
            + [("median", pr["ping_s"], pr["floor_s"], pr["cname_info_s"], pr["floor_ratio"], pr["median_ratio"])],
        )
    say("\nBinding 100 domains (task time; the playbook's own start-up excluded)")
    table(
        ["scenario", "task s", "playbook s", "requests", "speed-up vs loop"],
        [(name, v["task_s"], v["playbook_s"], v["requests"], v["speed-up_vs_loop"]) for name, v in results["bulk"].items()],
    )
    say(f"\nThe fleet view: {FLEET_SIZE} buckets in three regions, one domain each (task time; the playbook's own start-up excluded)")
    table(
        ["scenario", "task s", "playbook s", "ListBuckets", "ListCname", "requests", "speed-up vs loop"],
        [
            (name, v["task_s"], v["playbook_s"], v["requests"]["ListBuckets"], v["requests"]["ListCname"], v["requests"]["total"], v["speed-up_vs_loop"])
            for name, v in results["fleet"].items()
        ],
    )
    say(f"\nThe certificate_renewal role, {FLEET_SIZE} buckets with nothing due (task s: the role's tasks summed; playbook s: the whole run)")
    table(
        ["scenario", "task s", "playbook s", "fleet read tasks", "ListBuckets", "ListCname", "requests"],
        [
            (
                name,
                v["task_s"],
                v["playbook_s"],
                v["requests"]["fleet_read_tasks"],
                v["requests"]["ListBuckets"],
                v["requests"]["ListCname"],
                v["requests"]["total"],
            )
            for name, v in results["renewal"].items()
        ],
    )
    say("\nImport time (-X importtime, cumulative, fresh interpreter; bytecode cached except where it says sources)")
    table(
        ["import", "median ms", "min ms"],
        [(name, round(us / 1000, 1), round(results["imports"]["min_us"][name] / 1000, 1)) for name, us in results["imports"]["us"].items()],
    )
    for note in results["imports"]["notes"]:
        say(f"  note: {note}")
    say("\nThe module_utils' own load time, every library they import loaded first (perf_counter, median)")
    table(["variant", "ms"], [(name, round(us / 1000, 1)) for name, us in results["imports"]["own_us"].items()])
    say("\nOne module run from its AnsiballZ payload (fresh process each; latency 0; median)")
    table(
        [
            "module",
            "payload KiB",
            "peak RSS MiB",
            "vs ping",
            "run s",
            "vs ping",
            "emulator s",
            "imports ms",
            "our files (self)",
            "a.m_u.basic ms",
            "compile our files ms",
        ],
        [
            (
                name,
                v["payload_kib"],
                round(v["peak_rss_kib"] / 1024, 1),
                v["rss_ratio_to_ping"],
                v["run_s"],
                v["run_ratio_to_ping"],
                v["emulator_s"],
                round(v["import_us"]["total"] / 1000, 1),
                round(v["import_us"]["collection_files_self"] / 1000, 1),
                round(v["import_us"]["ansible.module_utils.basic"] / 1000, 1),
                round(v["compile_us"] / 1000, 1),
            )
            for name, v in results["payloads"].items()
        ],
    )
    say(
        "\nThe collection's files: AnsiballZ ships sources, so a run compiles every file it imports (compile: in-process minimum of 15;"
        " load from zip: fresh process, what it imports loaded first, median)"
    )
    per_file = results["imports"]["own_us_per_file"]
    table(
        ["file", "lines", "compile ms", "load from zip ms", "shipped with"],
        [
            (
                path,
                v["lines"],
                round(v["compile_us"] / 1000, 2),
                round(per_file[path] / 1000, 2) if path in per_file else "-",
                " ".join(name for name, payload in results["payloads"].items() if path in payload["collection_files"]),
            )
            for path, v in results["compile"].items()
            if "doc_fragments" not in path
        ],
    )
    say("\nImports a cname run makes that a ping run does not (outermost, cumulative, median; charged to the first importer)")
    table(["import", "ms"], [(row["import"], round(row["cumulative_us"] / 1000, 1)) for row in results["payloads"]["cname"]["imports_beyond_ping"]])
    say("\nMarginal import cost of each library plugins/ imports (what not importing it, or importing it later, would save)")
    table(
        ["import", "imported", "on top of", "ms", "already loaded"],
        [
            (r["import"], r["imported"], r["on_top_of"], round(r["us"] / 1000, 2), "yes" if r["already_loaded"] else f"no (+{r['new_modules']} modules)")
            for r in results["audit"]
        ],
    )
    say("\nTargets (docs/performance.md)")
    table(["target", "met", "measured"], [(r["target"], "yes" if r["met"] else "NO", r["measured"]) for r in results["targets"]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=30.0, help="latency the emulator adds to every OSS request (default 30)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and repetitions (the 100-task loop still runs once)")
    parser.add_argument("--output", default=str(WORK / "results.json"), help="where to write the JSON (default .tmp/bench/results.json)")
    parser.add_argument("--no-install", action="store_true", help="do not create the throwaway oss2 venv under .tmp/bench")
    args = parser.parse_args()
    rounds, bulk_reps, runs = (3, 1, 3) if args.quick else (6, 2, 5)
    WORK.mkdir(parents=True, exist_ok=True)
    link = COLLECTIONS / "ansible_collections" / "alicloud" / "oss"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT)
    started = time.perf_counter()
    results = {"machine": machine(), "latency_ms": args.latency_ms, "quick": args.quick}
    try:
        with Emulator(args.latency_ms) as emulator:
            ansible = Ansible(emulator)
            say(f"Emulator on {emulator.endpoint}, {args.latency_ms:g} ms per request. Requests per task ...")
            results["requests"] = measure_requests(emulator, ansible)
            say(f"Converged wall time per task ({rounds} rounds) ...")
            converged_state(emulator, ansible)
            results["task_times"] = measure_task_times(emulator, ansible, rounds)
            say("cname_info against ping: 20 of each, alternating, three runs ...")
            results["ping_ratio"] = measure_ping_ratio(ansible)
            say("cname_info against ping again, the emulator answering at once (the module's start-up alone) ...")
            emulator.set_latency(0)
            try:
                results["ping_ratio_no_latency"] = measure_ping_ratio(ansible)
            finally:
                emulator.set_latency(args.latency_ms)
            say("Payloads: peak memory and start-up ...")
            results["compile"] = compile_costs()
            results["payloads"] = measure_payloads(emulator, build_payloads(ansible), runs, results["compile"])
            say(f"100 domains ({bulk_reps} repetition(s) of each scenario) ...")
            results["bulk"] = measure_bulk(emulator, ansible, bulk_reps)
        say(f"The fleet view: {FLEET_SIZE} buckets, all_buckets against a loop of single-bucket tasks ...")
        results["fleet"] = measure_fleet(args.latency_ms, bulk_reps)
        say(f"certificate_renewal over the {FLEET_SIZE} buckets, nothing due, beside one cname_info task ...")
        results["renewal"] = measure_renewal(args.latency_ms, bulk_reps)
        say("Import times ...")
        results["imports"] = measure_imports(runs, not args.no_install)
        results["audit"] = measure_audit(runs)
    except BenchError as exc:
        say(f"bench: {exc}")
        return 1
    results["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    results["targets"] = targets(results)
    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    report(results)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    say(f"\nWrote {output} (bench took {results['bench_seconds']} s). Times are printed, never asserted.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
