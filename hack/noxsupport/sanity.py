"""ansible-test sanity: the offline get-pip stand-in, and reading the results so that no test is skipped silently."""

from __future__ import annotations

import glob
import os
import re
import xml.etree.ElementTree as ET  # only parses ansible-test's own junit output
from pathlib import Path

STAND_IN_MARKER = "alicloud.oss offline get-pip stand-in"
# The skip reason of a sanity test that has no file to look at: not a problem.
NOT_APPLICABLE = "No tests applicable."
# A program a sanity test needs -> the test (ansible-test reports a missing one as a plain "No tests applicable.").
PROGRAMS = {"shellcheck": "shellcheck", "pwsh": "pslint"}
FINDING = re.compile(r"^ERROR: ([^\s:]+:\d+:\d+: .*)$")


def install_get_pip_stand_in(cache_dir: Path, pip_versions: list[str], stand_in: Path) -> list[str]:
    """Put the stand-in at cache_dir/get_pip_<X_Y>.py for each pip version ansible-test bootstraps; returns notes.

    A file there that is not the stand-in (a real get-pip.py someone saved) is left alone.
    """
    notes = []
    cache_dir.mkdir(parents=True, exist_ok=True)
    text = stand_in.read_text(encoding="utf-8")
    for version in pip_versions:
        path = cache_dir / ("get_pip_%s.py" % version.replace(".", "_"))
        if path.exists():
            current = path.read_text(encoding="utf-8", errors="replace")
            if STAND_IN_MARKER not in current:
                notes.append("kept the existing %s (not the stand-in)" % path)
                continue
            if current == text:
                continue
        path.write_text(text, encoding="utf-8")
        notes.append("installed the get-pip stand-in for pip %s at %s" % (version, path))
    return notes


def ignore_entries(repo: Path) -> list[str]:
    """The entries of tests/sanity/ignore-*.txt (the collection keeps none)."""
    entries = []
    for path in sorted(glob.glob(os.path.join(repo, "tests", "sanity", "ignore-*.txt"))):
        with open(path, encoding="utf-8") as handle:
            entries += ["%s: %s" % (os.path.basename(path), line.strip()) for line in handle if line.strip() and not line.lstrip().startswith("#")]
    return entries


def listed_tests(output: str) -> list[str]:
    """The test names of `ansible-test sanity --list-tests`."""
    return [line.strip() for line in output.splitlines() if re.fullmatch(r"[a-z0-9][a-z0-9.-]*", line.strip())]


def read_junit(junit_dir: Path) -> dict[str, tuple[str, str]]:
    """Each sanity result name -> (passed|failed|skipped, skip message), from ansible-test's junit files."""
    results = {}
    for path in sorted(glob.glob(os.path.join(junit_dir, "ansible-test-sanity-*.xml"))):
        for case in ET.parse(path).getroot().iter("testcase"):
            skipped = case.find("skipped")
            if skipped is not None:
                results[case.get("name", "")] = ("skipped", (skipped.get("message") or skipped.text or "").strip())
            elif case.find("failure") is not None or case.find("error") is not None:
                results[case.get("name", "")] = ("failed", "")
            else:
                results[case.get("name", "")] = ("passed", "")
    return results


def assess(results: dict[str, tuple[str, str]], expected: list[str], output: str) -> tuple[list[str], list[str]]:
    """(problems, notes): a test skipped for a reason other than having no file, a listed test without a result,
    a warning about something skipped or missing, no results at all."""
    problems, notes = [], []
    passed = sorted(name for name, (status, _why) in results.items() if status == "passed")
    failed = sorted(name for name, (status, _why) in results.items() if status == "failed")
    not_applicable = sorted(name for name, (status, why) in results.items() if status == "skipped" and why == NOT_APPLICABLE)
    skipped = ["%s (%s)" % (name, why) for name, (status, why) in sorted(results.items()) if status == "skipped" and why != NOT_APPLICABLE]
    warnings = list(
        dict.fromkeys(line for line in output.splitlines() if line.startswith("WARNING: ") and re.search(r"Skipping|not found|missing|unsupported", line))
    )
    for program in re.findall(r'^WARNING: Required program "([^"]+)" not found', "\n".join(warnings), re.M):
        test = PROGRAMS.get(program)
        for name in [n for n in not_applicable if test and n.split("-python-")[0] == test]:
            not_applicable.remove(name)
            skipped.append('%s (required program "%s" not found)' % (name, program))
    seen = {name.split("-python-")[0] for name in results}
    missing = [test for test in expected if test not in seen]
    notes.append(
        "%d results: %d passed, %d failed, %d not applicable, %d skipped" % (len(results), len(passed), len(failed), len(not_applicable), len(skipped))
    )
    notes.append("passed: " + (", ".join(passed) or "-"))
    if not_applicable:
        notes.append("not applicable (no files to check): " + ", ".join(not_applicable))
    if not results:
        problems.append("no sanity results (junit) found")
    if failed:
        problems.append("sanity tests failed: " + ", ".join(failed))
    if skipped:
        problems.append("sanity tests skipped: " + "; ".join(skipped))
    if missing:
        problems.append("sanity tests without a result: " + ", ".join(missing))
    if warnings:
        problems.append("ansible-test warned about skipped or missing pieces: " + " | ".join(warnings))
    notes += [m.group(1) for m in map(FINDING.match, output.splitlines()) if m]
    return problems, notes
