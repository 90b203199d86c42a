# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared fixtures for the unit tests: a clean environment and an OssClient wired to a fake transport."""

from __future__ import annotations

import datetime
import os
from typing import NamedTuple

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._client import OssClient
from ansible_collections.alicloud.oss.plugins.module_utils._credentials import Credentials
from ansible_collections.alicloud.oss.plugins.module_utils._endpoint import resolve_endpoint
from ansible_collections.alicloud.oss.tests.unit.fake_http import FakeAdapter

# Variables that would change what the code under test reads, on a developer's machine or in CI.
_SCRUBBED_PREFIXES = ("ALICLOUD_", "ALIBABA_CLOUD_", "ALIBABACLOUD_", "OSS_")
_SCRUBBED_NAMES = (
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "NETRC",
)

FIXED_NOW = datetime.datetime(2025, 4, 17, 15, 39, 12, tzinfo=datetime.timezone.utc)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No credential, region, proxy or CA variables from the outside, and a HOME without ~/.aliyun."""
    for name in list(os.environ):
        if name.startswith(_SCRUBBED_PREFIXES) or name in _SCRUBBED_NAMES:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


class Harness(NamedTuple):
    client: OssClient
    adapter: FakeAdapter
    sleeps: list

    @property
    def calls(self):
        return self.adapter.calls


TEST_CREDENTIALS = Credentials("LTAI5tUnitTestKeyId", "UnitTestSecret-d0-not-leak-9f8e7d", None, "task options")


@pytest.fixture
def make_client():
    """make_client(answers, **OssClient kwargs) -> Harness; the client keeps its own Session (User-Agent included)."""

    def factory(answers, region="cn-hangzhou", endpoint=None, addressing_style="auto", credentials=TEST_CREDENTIALS, **kwargs):
        sleeps = []
        kwargs.setdefault("sleep", sleeps.append)
        kwargs.setdefault("clock", lambda: FIXED_NOW)
        kwargs.setdefault("jitter", lambda: 0.5)
        client = OssClient(resolve_endpoint(region, endpoint, addressing_style), credentials, **kwargs)
        adapter = FakeAdapter(answers)
        client.session.mount("https://", adapter)
        client.session.mount("http://", adapter)
        return Harness(client, adapter, sleeps)

    return factory
