# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The quick-start demo: the example playbook against the local emulator (OSS and Alibaba Cloud DNS), each phase run twice.

Run with `make demo`. Starts the emulator on a free loopback port (ownership checked through its DNS records),
generates a certificate for the demo domain, runs examples/custom_domain.yml (the role alicloud.oss.custom_domain)
phase by phase (onboard, rotate, offboard), each twice, prints what changed and how many requests and writes each
run sent to OSS and to DNS, checks the DNS records after each phase, and stops the emulator. After onboarding it also runs
examples/certificate_report.yml twice: with the default warn_days (30) it passes and its report lists the demo
domain with days to expiry; with warn_days beyond the certificate's 90 days it fails naming the domain.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "emulator"))
sys.path.insert(0, str(ROOT / "tests"))
_PROCESS = importlib.import_module("ossemu.process")  # the emulator's launcher (standard library only)
run_playbook = importlib.import_module("support.playbook").run_playbook  # the runner the bench and the tests share
EmulatorProcess, EmulatorError = _PROCESS.EmulatorProcess, _PROCESS.EmulatorError
DEMO_DIR = ROOT / ".tmp" / "demo"
DOMAIN = "static.example.com"
PHASES = ("onboard", "rotate", "offboard")
# The records each phase leaves in the emulator's Alibaba Cloud DNS (name, type): onboarding publishes the ownership
# TXT record and the CNAME record; offboarding removes both.
RECORDS_AFTER = {
    "onboard": {(f"_dnsauth.{DOMAIN}", "TXT"), (DOMAIN, "CNAME")},
    "rotate": {(f"_dnsauth.{DOMAIN}", "TXT"), (DOMAIN, "CNAME")},
    "offboard": set(),
}
DNS_WRITE_ACTIONS = ("AddDomainRecord", "UpdateDomainRecord", "DeleteDomainRecord", "DeleteSubDomainRecords")
# The emulator's built-in demo account (tests/emulator/default-config.json); not a real credential.
DEMO_ACCESS_KEY_ID = "LTAI5tEmulatorKey0001"
DEMO_ACCESS_KEY_SECRET = "EmulatorSecret0001xxxxxxxxxxxxxx"


def make_certificate(directory: Path) -> tuple:
    """A self-signed certificate and key for the demo domain (the emulator accepts any parseable pair)."""
    from support.certs import make_certificate as new_certificate  # needs cryptography

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    made = new_certificate(DOMAIN, not_before=now - datetime.timedelta(days=1), not_after=now + datetime.timedelta(days=90))
    cert_path, key_path = directory / f"{DOMAIN}.crt", directory / f"{DOMAIN}.key"
    cert_path.write_text(made.cert_pem)
    key_path.write_text(made.key_pem)
    key_path.chmod(0o600)
    return cert_path, key_path


def start_emulator(state_file: Path):
    """The emulator as a child process on a free port, its state in state_file (and its port next to it)."""
    port_file = state_file.with_suffix(".port")
    port_file.unlink(missing_ok=True)
    emulator = EmulatorProcess(["--state-file", state_file, "--port-file", port_file], control_timeout=10)
    try:
        emulator.start()
    except EmulatorError as error:
        raise SystemExit(str(error)) from None
    print(emulator.banner)
    return emulator


def playbook_env(collections_path: str) -> dict:
    return dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=collections_path,
        ALICLOUD_ACCESS_KEY_ID=DEMO_ACCESS_KEY_ID,
        ALICLOUD_ACCESS_KEY_SECRET=DEMO_ACCESS_KEY_SECRET,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
    )


def run_phase(emulator: EmulatorProcess, phase: str, collections_path: str, playbook: str, cert: Path, key: Path) -> dict:
    emulator.control("DELETE", "requests")
    run = run_playbook(
        playbook,
        env=playbook_env(collections_path),
        extra_vars={
            "phase": phase,
            "oss_endpoint": emulator.endpoint,
            "oss_dns_endpoint": emulator.endpoint,
            "certificate_file": cert,
            "private_key_file": key,
        },
    )
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    recap = run.recap() or {}
    requests_log = emulator.control("GET", "requests") or []
    records = {(record["name"], record["type"]) for record in emulator.control("GET", "dns/records") or []}
    return {
        "phase": phase,
        "rc": run.returncode,
        "ok": recap.get("ok"),
        "changed": recap.get("changed"),
        "failed": recap.get("failed"),
        "requests": len(requests_log),
        "writes": sum(1 for entry in requests_log if is_write(entry)),
        "dns": sum(1 for entry in requests_log if entry.get("service") == "alidns"),
        "records_ok": records == RECORDS_AFTER[phase],
    }


def is_write(entry: dict) -> bool:
    """A request that changes something: an OSS POST/PUT/DELETE, or a DNS Add/Update/Delete action (all sent as GET)."""
    if entry.get("service") == "alidns":
        return entry.get("action") in DNS_WRITE_ACTIONS
    return entry.get("method") in ("POST", "PUT", "DELETE")


def run_report(emulator: EmulatorProcess, collections_path: str, playbook: str, warn_days: int) -> bool:
    """The certificate report over every bucket; passes unless a certificate ends within warn_days."""
    emulator.control("DELETE", "requests")
    report_dir = DEMO_DIR / f"report-{warn_days}"
    run = run_playbook(
        playbook,
        env=playbook_env(collections_path),
        extra_vars={"oss_endpoint": emulator.endpoint, "report_dir": report_dir, "warn_days": warn_days},
    )
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    requests_log = emulator.control("GET", "requests") or []
    rows_file = report_dir / "certificates.json"
    rows = json.loads(rows_file.read_text()) if rows_file.exists() else []
    listed = [row for row in rows if row["domain"] == DOMAIN and isinstance(row["days_left"], int)]
    expect_warning = warn_days > 89  # the demo certificate is valid 90 days from yesterday
    warned = run.returncode != 0 and f"{DOMAIN} (" in run.stdout
    good = bool(listed) and (report_dir / "certificates.md").exists() and (warned if expect_warning else run.returncode == 0)
    print(
        f"report warn_days={warn_days}: rc {run.returncode}, {len(rows)} row(s), {len(requests_log)} requests "
        f"({sum(entry['operation'] == 'ListBuckets' for entry in requests_log)} ListBuckets): {'ok' if good else 'UNEXPECTED'}"
    )
    return good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--collections-path",
        default=str(ROOT / ".tmp" / "collections"),
        help="where ansible_collections/alicloud/oss is found (default: the repository itself)",
    )
    parser.add_argument(
        "--report-playbook",
        default=str(ROOT / "examples" / "certificate_report.yml"),
        help="the certificate report playbook (default: the repository's; the artifact session passes the installed copy's)",
    )
    parser.add_argument(
        "--playbook",
        default=str(ROOT / "examples" / "custom_domain.yml"),
        help="the playbook to run (default: examples/custom_domain.yml of the repository; the artifact stage of "
        "nox session artifact passes the installed collection's copy)",
    )
    args = parser.parse_args()
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    state_file = DEMO_DIR / "emulator-state.json"
    state_file.unlink(missing_ok=True)
    cert, key = make_certificate(DEMO_DIR / "certs")
    results = []
    reports_good = True
    with start_emulator(state_file) as emulator:
        for phase in PHASES:
            for run in (1, 2):
                print(f"\n===== phase {phase}, run {run} =====", flush=True)
                results.append(dict(run_phase(emulator, phase, args.collections_path, args.playbook, cert, key), run=run))
            if phase == "onboard":
                print("\n===== certificate report, warn_days 30 and 120 =====", flush=True)
                # Both run, whatever the first gives.
                verdicts = [run_report(emulator, args.collections_path, args.report_playbook, days) for days in (30, 120)]
                reports_good = all(verdicts)
    return report(results) or (0 if reports_good else 1)


def report(results: list) -> int:
    print("\nDemo summary (against the local emulator: OSS and Alibaba Cloud DNS)")
    print(f"{'phase':<10} {'run':>3} {'changed':>8} {'failed':>7} {'requests':>9} {'of DNS':>7} {'writes':>7}  verdict")
    problems = 0
    for row in results:
        expected_change = row["run"] == 1
        good = row["rc"] == 0 and row["failed"] == 0 and ((row["changed"] or 0) > 0) == expected_change and row["records_ok"]
        if row["run"] == 2:
            good = good and row["writes"] == 0
        problems += not good
        verdict = "ok" if good else "UNEXPECTED"
        print(
            f"{row['phase']:<10} {row['run']:>3} {row['changed']!s:>8} {row['failed']!s:>7} {row['requests']:>9} {row['dns']:>7} {row['writes']:>7}  {verdict}"
        )
    if problems:
        print(f"{problems} run(s) did not behave as expected.")
    else:
        print("The DNS records were written and removed by the role; every second run reports changed=0 and sends no write request.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
