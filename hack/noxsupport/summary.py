"""Print one line per nox session (result, duration) from nox's --report JSON, then `N passed, N failed[, N skipped]`.

Usage: python hack/noxsupport/summary.py REPORT.json [WALL_SECONDS]. Exit status 1 when a session failed or the report
is missing. WALL_SECONDS, the wall-clock time of the whole run, is printed beside the sum of the session durations.
"""

from __future__ import annotations

import json
import sys

PASSED = ("success",)
SKIPPED = ("skipped",)


def summarize(report: dict, wall_seconds: float | None = None) -> tuple[list[str], int]:
    """The summary lines and the number of failed sessions (failed, aborted, or anything but success and skipped)."""
    sessions = report.get("sessions", [])
    width = max([len(s["name"]) for s in sessions] + [7])
    lines = ["%-*s  %-8s  %8s  %s" % (width, "session", "result", "duration", "reason")]
    passed = failed = skipped = 0
    total = 0.0
    for session in sessions:
        result = session.get("result", "unknown")
        duration = float(session.get("duration") or 0.0)
        total += duration
        if result in PASSED:
            passed += 1
        elif result in SKIPPED:
            skipped += 1
        else:
            failed += 1
        lines.append("%-*s  %-8s  %7.1fs  %s" % (width, session["name"], result, duration, session.get("reason") or ""))
    lines = [line.rstrip() for line in lines]
    if wall_seconds is None:
        lines.append("sessions took %.1fs in all (some ran in parallel, so the wall-clock time is shorter)" % total)
    else:
        lines.append("wall-clock %.0fs (%.1f min); the sessions took %.1fs in all, some in parallel" % (wall_seconds, wall_seconds / 60, total))
    final = "%d passed, %d failed" % (passed, failed)
    if skipped:
        final += ", %d skipped" % skipped
    lines.append(final)
    return lines, failed


def main(argv: list[str]) -> int:
    """Print the summary of the report named in argv."""
    if len(argv) not in (1, 2):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    wall_seconds = float(argv[1]) if len(argv) == 2 else None
    try:
        with open(argv[0], encoding="utf-8") as handle:
            report = json.load(handle)
    except (OSError, ValueError) as error:
        print("no nox report (%s): nox did not finish\n0 passed, 1 failed" % error)
        return 1
    lines, failed = summarize(report, wall_seconds)
    print("\n".join(lines))
    return 1 if failed or not report.get("sessions") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
