# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the ECS metadata service client: hardened mode, the plain fallback, role discovery and failures."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssCredentialError
from ansible_collections.alicloud.oss.plugins.module_utils._metadata import MetadataClient
from ansible_collections.alicloud.oss.plugins.module_utils._sts import TemporaryCredentials
from ansible_collections.alicloud.oss.tests.unit.credential_fakes import (
    CREDS_PATH,
    METADATA_SESSION_TOKEN,
    TEMP_SECRET,
    TEMP_TOKEN,
    TOKEN_ANSWER,
    assert_no_secret,
    harness,
    metadata_ok,
)


# ---------------------------------------------------------------------------------------------
# ECS metadata service
# ---------------------------------------------------------------------------------------------


def test_hardened_mode_first():
    h = harness([TOKEN_ANSWER, metadata_ok()])
    creds = MetadataClient("http://100.100.100.200", h.transport).role_credentials("my-role", "ecs", "ecs_role_name")
    assert creds == TemporaryCredentials("STS.NTecs", TEMP_SECRET, TEMP_TOKEN, "2025-04-17T21:39:12Z")
    put, get = h.sent
    assert (put.request.method, put.request.url) == ("PUT", "http://100.100.100.200/latest/api/token")
    assert put.request.headers["X-aliyun-ecs-metadata-token-ttl-seconds"] == "300"
    assert (get.request.method, get.request.url) == ("GET", "http://100.100.100.200" + CREDS_PATH + "my-role")
    assert get.request.headers["X-aliyun-ecs-metadata-token"] == METADATA_SESSION_TOKEN
    # Link-local: connecting is capped, and no proxy from the environment is used.
    assert put.timeout == (5.0, 30.0)
    assert all(sent.proxies.get("http") is None for sent in h.sent)


@pytest.mark.parametrize("status", [403, 404, 405])
def test_plain_get_when_the_token_api_is_missing_or_refused(status):
    h = harness([(status, b"", {}), metadata_ok()])
    creds = MetadataClient("http://100.100.100.200", h.transport).role_credentials("my-role", "ecs", None)
    assert creds.access_key_id == "STS.NTecs"
    assert "X-aliyun-ecs-metadata-token" not in h.sent[1].request.headers


def test_plain_get_forbidden_by_imdsv1_disabled():
    h = harness([(404, b"", {})])
    with pytest.raises(OssCredentialError, match="refused a session token \\(HTTP 404\\) and ALIBABA_CLOUD_IMDSV1_DISABLED forbids"):
        MetadataClient("http://100.100.100.200", h.transport, allow_plain=False).role_credentials("my-role", "ecs", None)


def test_unreachable_metadata_service_is_not_retried():
    h = harness([requests.exceptions.ConnectTimeout("connect timed out")] * 3)
    with pytest.raises(OssCredentialError) as info:
        MetadataClient("http://100.100.100.200", h.transport).role_credentials("my-role", "ECS instance role 'my-role' from x", None)
    assert str(info.value) == (
        "ECS instance role 'my-role' from x: the ECS metadata service at http://100.100.100.200 could not be used "
        "(this source works only on an ECS instance): no answer from 100.100.100.200 within the timeout of 30 s."
    )
    assert (len(h.sent), h.sleeps) == (1, [])


def test_role_discovery_with_an_empty_name():
    h = harness([TOKEN_ANSWER, (200, b"found-role\n", {}), metadata_ok()])
    MetadataClient("http://127.0.0.1:8080/", h.transport).role_credentials("", "ecs", None)
    assert [sent.path for sent in h.sent] == ["/latest/api/token", CREDS_PATH, CREDS_PATH + "found-role"]
    assert all(sent.request.headers.get("X-aliyun-ecs-metadata-token") == METADATA_SESSION_TOKEN for sent in h.sent[1:])


@pytest.mark.parametrize(
    "answers, expected",
    [
        ([TOKEN_ANSWER, (200, b"\n", {})], "ecs: no RAM role is attached to this ECS instance"),
        ([TOKEN_ANSWER, (404, b"<html>404</html>", {})], "ecs: the metadata service at http://100.100.100.200 answered HTTP 404."),
    ],
)
def test_role_discovery_failures(answers, expected):
    h = harness(answers)
    with pytest.raises(OssCredentialError, match=expected):
        MetadataClient("http://100.100.100.200", h.transport).role_credentials("", "ecs", None)


@pytest.mark.parametrize(
    "answer, expected",
    [
        ((404, b"<html>404 - Not Found</html>", {}), "has no credentials for the role 'my-role' (HTTP 404); check that this RAM role is attached"),
        ((401, b"", {}), "answered HTTP 401"),
        (
            (200, json.dumps({"Code": "Failed", "AccessKeyId": "x", "AccessKeySecret": TEMP_SECRET, "SecurityToken": TEMP_TOKEN}).encode(), {}),
            "answered without usable credentials (Code Failed)",
        ),
        ((200, b"<html>captive portal</html>", {}), "answered without usable credentials (Code missing)"),
    ],
)
def test_metadata_credential_failures(answer, expected):
    h = harness([TOKEN_ANSWER, answer])
    with pytest.raises(OssCredentialError) as info:
        MetadataClient("http://100.100.100.200", h.transport).role_credentials("my-role", "ecs", "profile")
    assert expected in str(info.value)
    assert info.value.option == "profile"
    assert_no_secret(str(info.value))


def test_role_names_are_quoted_into_the_path():
    h = harness([TOKEN_ANSWER, metadata_ok()])
    MetadataClient("http://100.100.100.200", h.transport).role_credentials("../../x y", "ecs", None)
    assert h.sent[1].path == CREDS_PATH + "..%2F..%2Fx%20y"


def test_token_request_errors():
    h = harness([(500, b"", {})] * 3)
    with pytest.raises(OssCredentialError, match="answered HTTP 500 to the session token request"):
        MetadataClient("http://100.100.100.200", h.transport).role_credentials("r", "ecs", None)
    assert len(h.sent) == 3


def test_proxies_from_the_environment_are_not_used_for_metadata(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("ALL_PROXY", "http://proxy.invalid:3128")
    h = harness([TOKEN_ANSWER, metadata_ok()])
    MetadataClient("http://100.100.100.200", h.transport).role_credentials("r", "ecs", None)
    assert [sent.proxies for sent in h.sent] == [{}, {}]
