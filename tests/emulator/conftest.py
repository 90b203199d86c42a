# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the emulator's own tests: tests/emulator on sys.path, emulators with injectable clocks, clients."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for path in (HERE, os.path.dirname(HERE)):  # tests/emulator, and tests/ for support.certs
    if path not in sys.path:
        sys.path.insert(0, path)

from emu_helpers import FakeClock, OssClient  # noqa: E402  pylint: disable=wrong-import-position
from ossemu import Emulator  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def make_emulator():
    """Factory: make_emulator(**Emulator kwargs) starts an emulator and stops it after the test."""
    started = []

    def factory(**kwargs):
        emulator = Emulator(**kwargs)
        emulator.start()
        started.append(emulator)
        return emulator

    yield factory
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(make_emulator):
    """Default config, real clock (the SDK signs with real time), ownership by any valid token."""
    return make_emulator(ownership="token")


@pytest.fixture
def dns_emulator(make_emulator):
    return make_emulator(ownership="dns")


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def frozen_emulator(make_emulator, clock):
    """An emulator whose wall clock is the FakeClock `clock` (sign with signing_time=clock.now)."""
    return make_emulator(ownership="token", clock=clock)


@pytest.fixture
def client(emulator):
    return OssClient(emulator.endpoint)


@pytest.fixture
def v1_client(emulator):
    return OssClient(emulator.endpoint, version="v1")
