# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures and hooks of the reliability suite: emulators per session, scenario runs, and the table printed at the end.

Every row is one pytest test. A row names a fault or an input, the outcome a user should see, and the outcome
seen; pytest_terminal_summary prints the table and the counts once the run is over.
"""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from harness import HERE, ROWS, SECTIONS, SKEW_SECONDS, Emulator, Row, link_collection, make_certificate, table_lines


# Rows as reported: filled from the test reports, so that the table also works when pytest-xdist runs the rows in workers.
TABLE: dict = {}


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): rows of one scenario share one playbook run; keep them in one worker")


@pytest.fixture
def row(request) -> Row:
    case = request.node.callspec.params["case"]
    entry = Row(case.index, case.section, case.subject, case.expected)
    ROWS[request.node.nodeid] = entry
    return entry


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    entry = ROWS.get(item.nodeid)
    if entry is None or (report.when != "call" and not report.failed):
        return
    if report.when == "call" and hasattr(report, "wasxfail"):
        entry.known_bug = report.wasxfail
        entry.result = "XFAIL" if report.skipped else "FAIL: XPASS(strict)"
    elif report.failed:
        entry.result = "FAIL" if report.when == "call" else f"ERROR ({report.when})"
    elif report.when == "call":
        entry.result = "pass"
    report.user_properties.append(("reliability_row", dataclasses.asdict(entry)))


def pytest_runtest_logreport(report):
    for name, value in report.user_properties:
        if name == "reliability_row":
            TABLE[report.nodeid] = Row(**value)


def pytest_terminal_summary(terminalreporter):
    """The table of rows, the bugs behind the expected failures, and the counts."""
    if not TABLE:
        return
    rows = sorted(TABLE.values(), key=lambda entry: entry.index)
    write = terminalreporter.write_line
    terminalreporter.write_sep("=", "reliability: fault or input, expected outcome, outcome, result")
    widths = (3, 11, 36, 38, 64, 10)
    for line in table_lines(("#", "section", "fault or input", "expected outcome", "outcome", "result"), widths):
        write(line)
    write("  ".join("-" * width for width in widths))
    bugs = []
    for number, entry in enumerate(rows, 1):
        result = entry.result
        if entry.known_bug:
            bugs.append(f"[{len(bugs) + 1}] row {number}: {entry.known_bug}")
            result = f"{result} [{len(bugs)}]"
        for line in table_lines((str(number), entry.section, entry.subject, entry.expected, entry.outcome, result), widths):
            write(line)
    if bugs:
        write("")
        write("Expected failures (xfail strict), each a bug of the collection reported, not of this suite:")
        for bug in bugs:
            for index, line in enumerate(textwrap.wrap(bug, 170)):
                write(("    " if index else "") + line)
    counts = dict.fromkeys((name for name in dict.fromkeys(SECTIONS.values()) if name), 0)
    for entry in rows:
        if entry.result == "pass" and SECTIONS[entry.section]:
            counts[SECTIONS[entry.section]] += 1
    known = sum(entry.result == "XFAIL" for entry in rows)
    failed = sum(entry.result not in ("pass", "XFAIL") for entry in rows)
    write("")
    write(
        ", ".join(f"{name}: {number}" for name, number in counts.items()) + f"; known bugs (xfail): {known}; rows not as expected: {failed}; rows: {len(rows)}"
    )


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("reliability")
    link_collection(directory / "collections")
    return directory


@pytest.fixture(scope="session")
def emulator(workdir):
    emu = Emulator(workdir / "emulator", "http").start()
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def tls_material(workdir) -> dict:
    """A self-signed certificate for 127.0.0.1 (its own CA) and its key, as files."""
    directory = workdir / "tls"
    directory.mkdir()
    cert_pem, key_pem = make_certificate("127.0.0.1", ip_address="127.0.0.1", ca=True)
    (directory / "cert.pem").write_text(cert_pem)
    (directory / "key.pem").write_text(key_pem)
    return {"cert": directory / "cert.pem", "key": directory / "key.pem"}


@pytest.fixture(scope="session")
def tls_emulator(workdir, tls_material):
    emu = Emulator(workdir / "tls-emulator", "https", ["--tls-cert", str(tls_material["cert"]), "--tls-key", str(tls_material["key"])]).start()
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def skewed_emulator(workdir):
    emu = Emulator(workdir / "skewed-emulator", "skewed", launcher=[str(HERE / "skewed_emulator.py"), str(SKEW_SECONDS)]).start()
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def emulators(request):
    """Emulators by name, each started on first use."""
    names = {"http": "emulator", "https": "tls_emulator", "skewed": "skewed_emulator"}
    return lambda name: request.getfixturevalue(names[name])


@pytest.fixture(scope="session")
def scenario_runs(workdir, emulators):
    """Run each scenario (reset the emulator, set it up, run its playbook) once; the rows of a scenario share its run."""
    cache = {}

    def get(scenario):
        if scenario.name not in cache:
            emu = emulators(scenario.emulator)
            emu.reset()
            try:
                cache[scenario.name] = scenario.function(emu, workdir / "runs" / scenario.name)
            except Exception as error:  # pylint: disable=broad-except
                cache[scenario.name] = error
        if isinstance(cache[scenario.name], Exception):
            raise cache[scenario.name]
        return cache[scenario.name]

    return get
