# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the ACME tests: Pebble (skipped with one line when it is not installed; a failure under CI=true),
community.crypto from the cache that the nox session fills, and the OSS emulator with its DNS responder."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT / "tests", ROOT / "tests" / "emulator"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from ossemu.process import EmulatorProcess  # noqa: E402
from support import community_crypto  # noqa: E402
from support.pebble import INSTALL_HINT, Pebble, find_pebble  # noqa: E402


def _missing(message: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pebble_binaries():
    found = find_pebble()
    if found is None:
        _missing(INSTALL_HINT)
    return found


@pytest.fixture(scope="session")
def crypto_collections():
    found = community_crypto.cached(ROOT)
    if found is None:
        _missing("community.crypto is not in .cache/community-crypto: `make session S=acme` fetches it (once, from the package index).")
    return found


@pytest.fixture
def emulator(request, tmp_path):
    """The emulator as a child process, answering DNS on a port of its own; token mode for the ownership check.

    Parametrized indirectly with a state document (the shape of its --state-file), it starts with those bindings."""
    dns_port_file = tmp_path / "dns-port"
    args = ["--dns-port", "0", "--dns-port-file", dns_port_file, "--ownership", "token", "--request-log", tmp_path / "requests.jsonl"]
    state = getattr(request, "param", None)
    if state is not None:
        state_file = tmp_path / "emulator-state.json"
        state_file.write_text(json.dumps(state))
        args += ["--state-file", state_file]
    process = EmulatorProcess(args, cwd=ROOT, log_path=tmp_path / "emulator.log", new_session=True)
    with process:
        process.dns_port = int(dns_port_file.read_text())
        yield process


@pytest.fixture
def pebble(pebble_binaries, emulator, tmp_path):
    port = int(emulator.endpoint.rsplit(":", 1)[1])
    with Pebble(pebble_binaries.pebble, tmp_path / "pebble", dns_port=emulator.dns_port, http_port=port) as server:
        yield server
