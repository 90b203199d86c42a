# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reliability and security rows, each proven through a real ansible-playbook run against the emulator.

A scenario is one reset of an emulator, its set-up through the control endpoint (faults, clock, credentials)
and one generated playbook; the rows of a scenario check their own task's result, the emulator's request log
and its state. Sections: fault (network and server faults), auth, tls, input (refused before any request) and
secret (nothing secret in any output, result, diff or file).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime
import json
import re
from pathlib import Path

import pytest

from harness import (  # pylint: disable=import-error
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    BUCKET,
    OWNER,
    REGION,
    SKEW_SECONDS,
    Case,
    Task,
    make_certificate,
    peak_rss_interpreter,
    peak_rss_mib,
    run_playbook,
)
from support.hostile import HostileServer, drip_body, drip_headers, gzip_answer, gzip_of_zeros, huge_stream  # pylint: disable=import-error

OMIT = object()
TOKEN_TTL_HOURS = 72

# Distinctive values, registered with the emulator through /_emulator/credentials, so a leak cannot hide.
STS_KEY_ID = "STS.ReliabilityKeyId0001"
STS_SECRET = "Rel1abilitySecretDoNotPrint0001Zq"
STS_TOKEN = "Rel1abilityTokenDoNotPrint0001CAISzXqWv"
WRONG_SECRET = "Rel1abilityWrongSecretDoNotPrint0002"
ROTATED_SERVER_SECRET = "ServerSideRotatedSecretNotANeedle01"
SECRET_DOMAIN = "secrets.example.com"


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    emulator: str
    function: object


SCENARIOS: dict = {}


def scenario(name: str, emulator: str = "http"):
    def register(function):
        SCENARIOS[name] = Scenario(name, emulator, function)
        return function

    return register


def oss_args(emu, **overrides) -> dict:
    """Common options for the emulator's account and bucket; OMIT drops an option."""
    args = {"bucket": BUCKET, "endpoint": emu.endpoint, "region": REGION, "access_key_id": ACCESS_KEY_ID, "access_key_secret": ACCESS_KEY_SECRET}
    args.update(overrides)
    return {name: value for name, value in args.items() if value is not OMIT}


def one_line(text, limit: int = 150) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(result: dict) -> str:
    if result.get("failed"):
        return f"failed: {one_line(result.get('msg'))}"
    return f"ok, changed={str(result.get('changed')).lower()}"


def traceback_problems(run, *results) -> list:
    problems = []
    if "Traceback" in run.output:
        problems.append("a traceback in the output")
    if "An exception occurred during task execution" in run.output:
        problems.append("an exception reported by Ansible")
    for result in results:
        # ansible-core 2.19 adds exception="(traceback unavailable)" to every failed result; a real one holds a traceback.
        if result.get("exception") and result["exception"] != "(traceback unavailable)":
            problems.append("a traceback in the result")
        for key in ("module_stderr", "module_stdout"):
            if result.get(key):
                problems.append(f"'{key}' in the result")
    return problems


def entries(run, operation: str | None = None, bucket: str | None = None, domain: str | None = None) -> list:
    return [
        entry
        for entry in run.log
        if (operation is None or entry["operation"] == operation)
        and (bucket is None or _path_bucket(entry) == bucket)
        and (domain is None or entry["domain"] == domain)
    ]


def _path_bucket(entry) -> str:
    return (entry.get("path") or "/").split("/")[1]


def attempts_text(log_entries) -> str:
    """HTTP statuses of the attempts, or the fault kind for an attempt that got no answer."""
    return ", ".join(str(entry["status"]) if entry["status"] else str(entry["fault"]) for entry in log_entries)


def excerpt(message: str, phrase: str, width: int = 120) -> str:
    """The sentence of a long message that holds `phrase`, so that the table shows what the row is about."""
    message = " ".join(str(message).split())
    at = message.find(phrase)
    if at < 0 or len(message) <= width:
        return one_line(message, width)
    sentence = message.rfind(". ", 0, at)
    start = sentence + 2 if sentence >= 0 and at - sentence < width else max(0, at - width // 4)
    return ("..." if start else "") + message[start : start + width] + ("..." if start + width < len(message) else "")


# ================================================================================================================
# 1. Faults
# ================================================================================================================


@scenario("5xx-then-success")
def _5xx_then_success(emu, directory):
    emu.fault("status", status=500, operation="ListCname")
    emu.fault("status", status=503, operation="ListCname")
    return run_playbook(directory, emu, [Task("info", "cname_info", oss_args(emu))])


def check_5xx_then_success(run, row):
    result = run.result("info")
    attempts = entries(run, "ListCname")
    row.outcome = f"{describe(result)}; ListCname attempts in the log: {len(attempts)} ({attempts_text(attempts)})"
    assert not result.get("failed"), result.get("msg")
    assert [entry["status"] for entry in attempts] == [500, 503, 200]
    assert result["cnames"] == []


DROP_DOMAIN = "drop.example.com"


def _write_path_tasks(emu):
    return [
        Task("token", "cname_token", oss_args(emu, domain=DROP_DOMAIN)),
        Task("token_again", "cname_token", oss_args(emu, domain=DROP_DOMAIN)),
        Task("bind", "cname", oss_args(emu, domain=DROP_DOMAIN)),
        Task("bind_again", "cname", oss_args(emu, domain=DROP_DOMAIN)),
        Task("unbind", "cname", oss_args(emu, domain=DROP_DOMAIN, state="absent")),
        Task("unbind_again", "cname", oss_args(emu, domain=DROP_DOMAIN, state="absent")),
    ]


@scenario("drop-before-apply")
def _drop_before_apply(emu, directory):
    emu.control("POST", "ownership", {"mode": "token"})
    for operation in ("CreateCnameToken", "PutCname", "DeleteCname"):
        emu.fault("drop", operation=operation, apply=False)
    return run_playbook(directory, emu, _write_path_tasks(emu))


@scenario("drop-after-apply")
def _drop_after_apply(emu, directory):
    emu.control("POST", "ownership", {"mode": "token"})
    for operation in ("CreateCnameToken", "PutCname", "DeleteCname"):
        emu.fault("drop_after_apply", operation=operation)
    return run_playbook(directory, emu, _write_path_tasks(emu))


def write_check(operation: str, first: str, second: str, fault: str):
    """A write whose connection was dropped (before or after the server applied it) converges on retry, changed once."""

    def check(run, row):
        results = run.result(first), run.result(second)
        attempts = entries(run, operation)
        bound = DROP_DOMAIN in run.state["buckets"][BUCKET]
        listed = run.result("bind_again").get("domains")
        state = f"listed after the bind: {listed}" if operation != "DeleteCname" else f"bound at the end: {bound}"
        row.outcome = (
            f"first run {describe(results[0])}; second run {describe(results[1])}; {operation} attempts: {len(attempts)} ({attempts_text(attempts)}); {state}"
        )
        assert not any(result.get("failed") for result in results), [result.get("msg") for result in results]
        assert results[0]["changed"] is True and results[1]["changed"] is False
        if operation != "DeleteCname":
            assert run.result("bind_again")["domains"] == [DROP_DOMAIN], "OSS's listing after the bind"
        # The retry of an unbind that was applied finds nothing to unbind: OSS answers 404 NoSuchCname (older) or 200 (newer).
        retry_ok = (200, 404) if operation == "DeleteCname" and fault == "drop_after_apply" else (200,)
        assert [entry["fault"] for entry in attempts] == [fault, None] and attempts[1]["status"] in retry_ok
        if operation == "CreateCnameToken":
            assert results[0]["token"]["token"] == results[1]["token"]["token"]
        if operation == "PutCname":
            assert results[0]["added"] == [DROP_DOMAIN] and results[1]["added"] == []
        if operation == "DeleteCname":
            assert results[0]["removed"] == [DROP_DOMAIN] and results[1]["removed"] == []
            assert not bound

    return check


@scenario("timeout-every-attempt")
def _timeout_every_attempt(emu, directory):
    emu.fault("delay", delay_ms=2000, operation="ListCname", count=2)
    return run_playbook(directory, emu, [Task("info", "cname_info", oss_args(emu, timeout=0.5, retries=1), timed=True)], settle=2)


def check_timeout_every_attempt(run, row):
    result = run.result("info")
    attempts = entries(run, "ListCname")
    took = float(run.durations["info"])
    row.outcome = f"{describe(result)}; attempts: {len(attempts)}; task took {took:.1f} s"
    assert result.get("failed")
    assert "timeout" in result["msg"] and "0.5 s" in result["msg"], result["msg"]
    assert "2 attempts" in result["msg"], result["msg"]
    assert len(attempts) == 2
    assert took < 5, "the task waited far longer than 2 x timeout plus one backoff"
    assert not traceback_problems(run, result)


@scenario("timeout-first-attempt")
def _timeout_first_attempt(emu, directory):
    emu.fault("delay", delay_ms=2000, operation="ListCname", count=1)
    return run_playbook(directory, emu, [Task("info", "cname_info", oss_args(emu, timeout=0.5, retries=1))], settle=2)


def check_timeout_first_attempt(run, row):
    result = run.result("info")
    attempts = entries(run, "ListCname")
    row.outcome = f"{describe(result)}; ListCname attempts: {len(attempts)}"
    assert not result.get("failed"), result.get("msg")
    assert len(attempts) == 2


@scenario("persistent-503")
def _persistent_503(emu, directory):
    emu.fault("status", status=503, operation="ListCname", count=10)
    run = run_playbook(directory, emu, [Task("info", "cname_info", oss_args(emu, retries=2))])
    run.results["_pending_faults"] = emu.control("GET", "faults")
    return run


def check_persistent_503(run, row):
    result = run.result("info")
    attempts = entries(run, "ListCname")
    pending = run.results["_pending_faults"]
    last_id = attempts[-1]["request_id"] if attempts else None
    row.outcome = (
        f"{describe(result)}; attempts in the log: {len(attempts)}; faults left: {pending[0]['count'] if pending else 0}; "
        f"last request id {last_id} in the message: {bool(last_id and last_id in result.get('msg', ''))}"
    )
    assert result.get("failed")
    assert len(attempts) == 3 and pending[0]["count"] == 7
    assert last_id in result["msg"], "the message must carry the request id of the last attempt"
    assert attempts[0]["request_id"] not in result["msg"]
    assert "ServiceUnavailable" in result["msg"] and "3 attempts" in result["msg"]
    assert result["error"]["request_id"] == last_id


@scenario("fleet-one-bucket-fails")
def _fleet_one_bucket_fails(emu, directory):
    # One at a time, so that the one 503 meets the first bucket by name (the Agentic Bucket agents-...) and no other.
    emu.fault("status", status=503, operation="ListCname")
    fleet = oss_args(emu, bucket=OMIT, all_buckets=True, concurrency=1, retries=0)
    return run_playbook(directory, emu, [Task("fleet", "cname_info", fleet)])


def check_fleet_one_bucket_fails(run, row):
    result = run.result("fleet")
    buckets = result.get("buckets") or []
    failed = [entry["bucket"] for entry in buckets if entry["error"]]
    read = [entry["bucket"] for entry in buckets if not entry["error"]]
    sent = [entry["operation"] for entry in run.log]
    row.outcome = f"{describe(result)}; failed: {failed}; read: {read}; requests: {len(sent)}"
    assert result.get("failed") and result.get("changed") is False
    assert (
        "\n" not in result["msg"] and "1 of 5 buckets: agents-1234567890123456-cn-hangzhou-ab-apsr." in result["msg"] and "ServiceUnavailable" in result["msg"]
    )
    assert failed == ["agents-1234567890123456-cn-hangzhou-ab-apsr"] and read == ["demo-bucket", "eu-bucket", "other-bucket", "sg-bucket"]
    assert [entry for entry in buckets if entry["bucket"] == "agents-1234567890123456-cn-hangzhou-ab-apsr"][0]["error"]["status"] == 503
    assert sent == ["ListBuckets"] + ["ListCname"] * 5
    assert not traceback_problems(run, result)


BODY_FAULTS = (
    ("html", "HTML page from a proxy (HTTP 502)", ("HTTP 502", "not an OSS error document")),
    ("garbage", "binary garbage (HTTP 500)", ("HTTP 500", "not an OSS error document")),
    ("truncated", "truncated XML document (HTTP 200)", ("HTTP 200", "well-formed")),
    ("bomb", "XML entity-expansion bomb (HTTP 200)", ("HTTP 200", "DTD or XML entities")),
)


@scenario("bad-bodies")
def _bad_bodies(emu, directory):
    for kind, _subject, _phrases in BODY_FAULTS:
        emu.fault(kind, operation="ListCname")
    tasks = [Task(kind, "cname_info", oss_args(emu, retries=0), timed=True) for kind, _subject, _phrases in BODY_FAULTS]
    return run_playbook(directory, emu, tasks)


def body_check(index: int, kind: str, phrases: tuple):
    def check(run, row):
        result = run.result(kind)
        attempts = entries(run, "ListCname")
        entry = attempts[index] if len(attempts) > index else {}
        took = float(run.durations[kind])
        problems = traceback_problems(run, result)
        row.outcome = f"{describe(result)}; {took:.2f} s; " + ("; ".join(problems) if problems else "no traceback")
        assert len(attempts) == len(BODY_FAULTS) and entry.get("fault") == kind, attempts_text(attempts)
        assert result.get("failed")
        for phrase in phrases:
            assert phrase in result["msg"], result["msg"]
        assert entry["request_id"] in result["msg"], "the message must carry the request id"
        assert not problems
        assert "\n" not in result["msg"]
        assert "lollol" not in json.dumps(result), "the entities were expanded"
        assert took < 5

    return check


TOKEN_DOMAIN = "expiring.example.com"


@scenario("token-expires-between-runs")
def _token_expires(emu, directory):
    advance = {"url": f"{emu.endpoint}/_emulator/clock", "method": "POST", "body_format": "json", "body": {"advance": 73 * 3600}}
    tasks = [
        Task("first", "cname_token", oss_args(emu, domain=TOKEN_DOMAIN)),
        Task("advance_73h", "ansible.builtin.uri", advance),
        Task("second", "cname_token", oss_args(emu, domain=TOKEN_DOMAIN)),
    ]
    return run_playbook(directory, emu, tasks)


def check_token_expires(run, row):
    first, second = run.result("first"), run.result("second")
    tokens = [token["token"] for token in run.state["tokens"] if token["domain"] == TOKEN_DOMAIN]
    row.outcome = (
        f"first {describe(first)}; after 73 h {describe(second)}; new token differs: "
        f"{bool(first.get('token') and second.get('token') and first['token']['token'] != second['token']['token'])}; "
        f"tokens held by the emulator: {len(tokens)}"
    )
    assert first.get("changed") is True and second.get("changed") is True
    assert first["token"]["token"] != second["token"]["token"]
    assert tokens == [second["token"]["token"]]
    assert second["txt_record"]["value"] == second["token"]["token"]


# ================================================================================================================
# 2. Authentication
# ================================================================================================================

EXPIRING_STS = {
    "access_key_id": "STS.ReliabilityExpiring01",
    "access_key_secret": "ReliabilityExpiringSecret0001xxx",
    "security_token": "ReliabilityExpiringToken0001",
    "owner": OWNER,
}
STS_OPTIONS = ("access_key_id", "access_key_secret", "security_token")
DEFAULT_STS = {
    "access_key_id": "STS.EmulatorStsKey0001",
    "access_key_secret": "EmulatorStsSecret0001xxxxxxxxxxx",
    "security_token": "EmulatorSecurityToken0001",
}


@scenario("authentication")
def _authentication(emu, directory):
    expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    emu.control("POST", "credentials", dict(EXPIRING_STS, expiration=expiration.strftime("%Y-%m-%dT%H:%M:%SZ")))
    # Two hours later, as the emulator's service sees it: the STS credential registered above has expired.
    emu.control("POST", "clock", {"advance": 2 * 3600})
    sts = {name: DEFAULT_STS[name] for name in ("access_key_id", "access_key_secret")}
    tasks = [
        Task("wrong_secret", "cname_info", oss_args(emu, access_key_secret=WRONG_SECRET)),
        Task("unknown_key", "cname_info", oss_args(emu, access_key_id="LTAI5tNoSuchKeyReliability")),
        Task("sts_token_missing", "cname_info", oss_args(emu, **sts)),
        Task("sts_token_wrong", "cname_info", oss_args(emu, **sts, security_token="NotTheTokenOfThisKey", bucket="other-bucket")),
        Task("sts_token_expired", "cname_info", oss_args(emu, **{name: EXPIRING_STS[name] for name in STS_OPTIONS})),
    ]
    return run_playbook(directory, emu, tasks)


def auth_check(key: str, access_key_id: str, phrases: tuple, absent: tuple = (), bucket: str = BUCKET):
    def check(run, row):
        result = run.result(key)
        attempts = [entry for entry in run.log if entry["access_key_id"] == access_key_id and _path_bucket(entry) == bucket]
        said = f"failed: {excerpt(result.get('msg', ''), phrases[-1])}" if result.get("failed") else describe(result)
        row.outcome = f"{said}; attempts: {len(attempts)}"
        assert result.get("failed")
        for phrase in phrases:
            assert phrase in result["msg"], f"{phrase!r} not in: {result['msg']}"
        for secret in absent:
            assert secret not in run.output and secret not in json.dumps(result)
        assert len(attempts) == 1, "authentication failures are not retried"
        assert not traceback_problems(run, result)

    return check


DNS_RECORD = "_dnsauth.reliability.example.com"


def dns_args(emu, **overrides) -> dict:
    """alidns_record's options against the emulator's Alibaba Cloud DNS (the OSS account's key)."""
    args = {"dns_endpoint": emu.endpoint, "access_key_id": ACCESS_KEY_ID, "access_key_secret": ACCESS_KEY_SECRET, "record": DNS_RECORD, "type": "TXT"}
    args.update(overrides)
    return args


@scenario("dns-faults")
def _dns_faults(emu, directory):
    emu.fault("status", status=429, operation="AddDomainRecord")
    emu.fault("status", status=503, operation="UpdateDomainRecord")
    tasks = [
        Task("throttled", "alidns_record", dns_args(emu, value="first", zone="example.com")),
        Task("unavailable", "alidns_record", dns_args(emu, value="second", zone="example.com")),
        Task("wrong_secret", "alidns_record", dns_args(emu, value="third", zone="example.com", access_key_secret=WRONG_SECRET)),
        Task("no_such_zone", "alidns_record", dns_args(emu, record="_dnsauth.www.example.invalid", value="third", zone="example.invalid")),
        Task("in_no_zone", "alidns_record", dns_args(emu, record="_dnsauth.www.example.invalid", value="third")),
    ]
    return run_playbook(directory, emu, tasks)


@scenario("dns-drop-after-apply")
def _dns_drop_after_apply(emu, directory):
    for action in ("AddDomainRecord", "UpdateDomainRecord", "DeleteDomainRecord"):
        emu.fault("drop_after_apply", operation=action)
    record = dict(zone="example.com", record="_dnsauth.dropped.example.com")
    tasks = [
        Task("add", "alidns_record", dns_args(emu, value="first", **record)),
        Task("add_again", "alidns_record", dns_args(emu, value="first", **record)),
        Task("update", "alidns_record", dns_args(emu, value="second", **record)),
        Task("update_again", "alidns_record", dns_args(emu, value="second", **record)),
        Task("delete", "alidns_record", dns_args(emu, state="absent", **record)),
        Task("delete_again", "alidns_record", dns_args(emu, state="absent", **record)),
    ]
    return run_playbook(directory, emu, tasks)


def dns_dropped_write_check(first: str, second: str, action: str):
    """A DNS write whose answer was lost is resent; the service's "already done" answer counts as success, changed once."""

    def check(run, row):
        results = run.result(first), run.result(second)
        attempts = entries(run, action)
        row.outcome = f"first run {describe(results[0])}; second run {describe(results[1])}; {action} attempts: {attempts_text(attempts)}"
        assert not any(result.get("failed") for result in results), [result.get("msg") for result in results]
        assert results[0]["changed"] is True and results[1]["changed"] is False
        assert [entry["fault"] for entry in attempts] == ["drop_after_apply", None]
        if action == "AddDomainRecord":
            assert results[0]["records"][0]["record_id"] == results[1]["records"][0]["record_id"], "the added record's id is read back"

    return check


def dns_retry_check(key: str, action: str, statuses: list):
    def check(run, row):
        result = run.result(key)
        attempts = entries(run, action)
        row.outcome = f"{describe(result)}; {action} attempts: {len(attempts)} ({attempts_text(attempts)})"
        assert not result.get("failed"), result.get("msg")
        assert result["changed"] is True
        assert [entry["status"] for entry in attempts] == statuses
        assert attempts[0]["params"]["SignatureNonce"] != attempts[1]["params"]["SignatureNonce"], "each attempt is signed anew"

    return check


def check_dns_wrong_secret(run, row):
    result = run.result("wrong_secret")
    attempts = [entry for entry in entries(run, "DescribeSubDomainRecords") if entry["params"].get("SubDomain") == DNS_RECORD and entry["status"] != 200]
    row.outcome = f"failed: {excerpt(result.get('msg', ''), 'SignatureDoesNotMatch')}; attempts: {len(attempts)}"
    assert result.get("failed")
    assert "SignatureDoesNotMatch" in result["msg"] and result["error"]["code"] == "SignatureDoesNotMatch"
    assert WRONG_SECRET not in run.output and WRONG_SECRET not in json.dumps(result)
    assert len(attempts) == 1, "a wrong secret is not retried"
    assert not traceback_problems(run, result)


def dns_zone_check(key: str, phrases: tuple):
    def check(run, row):
        result = run.result(key)
        row.outcome = f"failed: {excerpt(result.get('msg', ''), phrases[0])}" if result.get("failed") else describe(result)
        assert result.get("failed")
        assert len(result["msg"].splitlines()) == 1
        for phrase in phrases:
            assert phrase in result["msg"], f"{phrase!r} not in: {result['msg']}"
        writes = [entry for entry in run.log if entry.get("action") in ("AddDomainRecord", "UpdateDomainRecord", "DeleteDomainRecord")]
        assert not [entry for entry in writes if entry["params"].get("Value") == "third"], "nothing written for a missing zone"
        assert not traceback_problems(run, result)

    return check


@scenario("clock-skew", emulator="skewed")
def _clock_skew(emu, directory):
    return run_playbook(directory, emu, [Task("info", "cname_info", oss_args(emu))])


def check_clock_skew(run, row):
    result = run.result("info")
    said = f"failed: {excerpt(result.get('msg', ''), 'clock')}" if result.get("failed") else describe(result)
    row.outcome = f"{said}; attempts: {len(run.log)}"
    assert result.get("failed")
    assert "RequestTimeTooSkewed" in result["msg"] and "clock" in result["msg"] and "15 minutes" in result["msg"], result["msg"]
    assert len(run.log) == 1, "a skewed clock is not retried"


# ================================================================================================================
# 3. TLS
# ================================================================================================================


@scenario("tls", emulator="https")
def _tls(emu, directory):
    ca_file = str(Path(emu.extra_args[emu.extra_args.index("--tls-cert") + 1]))
    tasks = [
        Task("default", "cname_info", oss_args(emu, bucket="demo-bucket")),
        Task("validate_certs_false", "cname_info", oss_args(emu, bucket="other-bucket", validate_certs=False)),
        Task("ca_bundle", "cname_info", oss_args(emu, bucket="sg-bucket", region="ap-southeast-1"), environment={"REQUESTS_CA_BUNDLE": ca_file}),
    ]
    return run_playbook(directory, emu, tasks)


def check_tls_default(run, row):
    result = run.result("default")
    sent = entries(run, bucket="demo-bucket")
    said = f"failed: {excerpt(result.get('msg', ''), 'REQUESTS_CA_BUNDLE')}" if result.get("failed") else describe(result)
    row.outcome = f"{said}; requests that reached OSS: {len(sent)}"
    assert result.get("failed")
    assert "REQUESTS_CA_BUNDLE" in result["msg"] and "validate_certs" in result["msg"], result["msg"]
    assert "attempts" not in result["msg"], "a certificate that does not verify is not retried"
    assert not sent
    assert not traceback_problems(run, result)


def tls_accepted_check(key: str, bucket: str):
    def check(run, row):
        result = run.result(key)
        sent = entries(run, "ListCname", bucket=bucket)
        row.outcome = f"{describe(result)}; ListCname over HTTPS answered: {[entry['status'] for entry in sent]}"
        assert not result.get("failed"), result.get("msg")
        assert [entry["status"] for entry in sent] == [200]

    return check


# ================================================================================================================
# 4. Bad input, refused before any request
# ================================================================================================================


@dataclasses.dataclass(frozen=True)
class BadInput:
    key: str
    subject: str
    module: str
    args: object  # dict, or a function of the PEM material returning a dict
    options: tuple
    phrase: str | None = None
    known_bug: str | None = None
    hidden: str | None = None  # a secret the input carries, which must not appear anywhere in the result

    def build(self, emu, pem) -> dict:
        args = self.args(pem) if callable(self.args) else self.args
        # '{emu}' and '{port}' in a value stand for the emulator's host:port and port: a request sent there would be logged.
        host_port = emu.endpoint.split("://", 1)[1]
        port = host_port.rsplit(":", 1)[1]
        args = {name: value.replace("{emu}", host_port).replace("{port}", port) if isinstance(value, str) else value for name, value in args.items()}
        return oss_args(emu, **args)

    @property
    def bucket(self) -> str:
        args = self.args if isinstance(self.args, dict) else {}
        return args.get("bucket", f"in-{self.key.replace('_', '-')}")


def _pem_material() -> dict:
    cert, key = make_certificate("input.example.com")
    lines = cert.strip().splitlines()
    other_cert, other_key = make_certificate("other.example.org")
    expired_cert, expired_key = make_certificate("input.example.com", days=(-90, -2))
    future_cert, future_key = make_certificate("input.example.com", days=(5, 90))
    return {
        "cert": cert,
        "key": key,
        "cert_missing_line": "\n".join(lines[:3] + lines[4:]) + "\n",
        "other_cert": other_cert,
        "other_key": other_key,
        "other_then_cert": other_cert + cert,
        "expired_cert": expired_cert,
        "expired_key": expired_key,
        "future_cert": future_cert,
        "future_key": future_key,
    }


def _cert_args(key: str, **overrides):
    def build(pem):
        args = {"bucket": f"in-{key.replace('_', '-')}", "domain": "input.example.com"}
        args.update({name: (pem[value] if value in pem else value) for name, value in overrides.items()})
        return args

    return build


def _domain(key: str, domain) -> dict:
    return {"bucket": f"in-{key.replace('_', '-')}", "domain": domain}


LONG_DOMAIN = ".".join(["a" * 50] * 5) + ".com"
BAD_INPUTS = (
    BadInput("timeout_overflow", "timeout: 1e300", "cname_info", {"bucket": "in-timeout-overflow", "timeout": 1e300}, ("timeout",), "at most 3600"),
    BadInput("retries_huge", "retries: 1000", "cname_info", {"bucket": "in-retries-huge", "retries": 1000}, ("retries",), "at most 10"),
    BadInput("bucket_upper", "bucket with upper case: Demo-Bucket", "cname_info", {"bucket": "Demo-Bucket"}, ("bucket",), "upper-case"),
    BadInput("bucket_underscore", "bucket with an underscore: demo_bucket", "cname_info", {"bucket": "demo_bucket"}, ("bucket",)),
    BadInput("bucket_short", "bucket too short: 'ab'", "cname_info", {"bucket": "ab"}, ("bucket",), "3 to 63"),
    BadInput("bucket_long", "bucket too long: 64 characters", "cname_token", {"bucket": "b" * 64, "domain": "www.example.com"}, ("bucket",), "3 to 63"),
    BadInput("bucket_leading_hyphen", "bucket with a leading hyphen", "cname", {"bucket": "-demo-bucket", "domain": "www.example.com"}, ("bucket",)),
    BadInput("bucket_trailing_hyphen", "bucket with a trailing hyphen", "cname_info", {"bucket": "demo-bucket-"}, ("bucket",)),
    BadInput("domain_empty", "domain empty: ''", "cname", _domain("domain_empty", ""), ("domain",)),
    BadInput("domain_spaces", "domain with spaces: 'www example.com'", "cname", _domain("domain_spaces", "www example.com"), ("domain",), "white space"),
    BadInput("domain_label_64", "domain with a 64-character label", "cname", _domain("domain_label_64", "a" * 64 + ".example.com"), ("domain",), "63"),
    BadInput("domain_254", f"domain of {len(LONG_DOMAIN)} characters", "cname_token", _domain("domain_254", LONG_DOMAIN), ("domain",), "253"),
    BadInput(
        "domain_non_ascii",
        "non-ASCII domain: bücher.example.com",
        "cname",
        _domain("domain_non_ascii", "bücher.example.com"),
        ("domain",),
        "xn--bcher-kva.example.com",
    ),
    BadInput("domain_wildcard", "wildcard domain: *.example.com", "cname", _domain("domain_wildcard", "*.example.com"), ("domain",), "wildcard"),
    BadInput(
        "domains_bad_entry",
        "domains list with a bad second entry",
        "cname",
        {"bucket": "in-domains-bad-entry", "domains": ["ok.example.com", "bad_label.example.com"]},
        ("domains[1]",),
    ),
    BadInput(
        "domain_and_domains",
        "domain and domains together",
        "cname",
        {"bucket": "in-domain-and-domains", "domain": "a.example.com", "domains": ["b.example.com"]},
        ("domain", "domains"),
        "mutually exclusive",
    ),
    BadInput(
        "cert_id_and_certificate",
        "cert_id together with certificate",
        "cname_certificate",
        _cert_args("cert_id_and_certificate", cert_id="12345678-cn-hangzhou", certificate="cert", private_key="key"),
        ("cert_id", "certificate"),
        "mutually exclusive",
    ),
    BadInput(
        "certificate_without_key",
        "certificate without private_key",
        "cname_certificate",
        _cert_args("certificate_without_key", certificate="cert"),
        ("certificate", "private_key"),
    ),
    BadInput(
        "pem_not_base64",
        "certificate PEM whose body is not base64",
        "cname_certificate",
        _cert_args("pem_not_base64", certificate="-----BEGIN CERTIFICATE-----\nnot*base64*at*all\n-----END CERTIFICATE-----\n", private_key="key"),
        ("certificate",),
    ),
    BadInput(
        "pem_missing_line",
        "certificate PEM with a line cut out (truncated DER)",
        "cname_certificate",
        _cert_args("pem_missing_line", certificate="cert_missing_line", private_key="key"),
        ("certificate",),
    ),
    BadInput(
        "pem_no_block",
        "certificate that is not PEM at all",
        "cname_certificate",
        _cert_args("pem_no_block", certificate="just some text", private_key="key"),
        ("certificate",),
    ),
    BadInput(
        "key_not_pem",
        "private_key that is not a PEM key",
        "cname_certificate",
        _cert_args("key_not_pem", certificate="cert", private_key="not a key"),
        ("private_key",),
    ),
    BadInput(
        "cert_id_malformed",
        "cert_id without its region: 12345678",
        "cname_certificate",
        _cert_args("cert_id_malformed", cert_id="12345678"),
        ("cert_id",),
        "12345678-cn-hangzhou",
    ),
    BadInput(
        "cert_key_mismatch",
        "private_key of another certificate",
        "cname_certificate",
        _cert_args("cert_key_mismatch", certificate="cert", private_key="other_key"),
        ("private_key", "certificate"),
        "does not belong to the certificate",
    ),
    BadInput(
        "cert_leaf_not_first",
        "chain certificate before the leaf",
        "cname_certificate",
        _cert_args("cert_leaf_not_first", certificate="other_then_cert", private_key="key"),
        ("certificate",),
        "put the leaf certificate first",
    ),
    BadInput(
        "cert_expired",
        "expired certificate",
        "cname_certificate",
        _cert_args("cert_expired", certificate="expired_cert", private_key="expired_key"),
        ("certificate",),
        "expired on",
    ),
    BadInput(
        "cert_not_yet_valid",
        "certificate valid from five days on",
        "cname_certificate",
        _cert_args("cert_not_yet_valid", certificate="future_cert", private_key="future_key"),
        ("certificate", "validate_certificate"),
        "not valid yet",
    ),
    BadInput(
        "cert_wrong_name",
        "certificate for other.example.org",
        "cname_certificate",
        _cert_args("cert_wrong_name", certificate="other_cert", private_key="other_key"),
        ("certificate",),
        "does not cover input.example.com: it is for other.example.org",
    ),
    BadInput(
        "cert_min_days_valid",
        "certificate with 29 days left, min_days_valid: 60",
        "cname_certificate",
        _cert_args("cert_min_days_valid", certificate="cert", private_key="key", min_days_valid=60),
        ("certificate", "min_days_valid"),
        "in 29 days",
    ),
    BadInput(
        "cert_path_as_text",
        "a file path given as certificate",
        "cname_certificate",
        _cert_args("cert_path_as_text", certificate="/etc/ssl/input.example.com/fullchain.pem", private_key="key"),
        ("certificate", "certificate_path"),
        "is a file path",
    ),
    BadInput(
        "cert_path_missing",
        "certificate_path naming no file",
        "cname_certificate",
        _cert_args("cert_path_missing", certificate_path="/nonexistent/input.example.com/fullchain.pem", private_key="key"),
        ("certificate_path",),
        "does not exist",
    ),
    BadInput(
        "endpoint_ftp", "endpoint with scheme ftp://", "cname_info", {"bucket": "in-endpoint-ftp", "endpoint": "ftp://127.0.0.1:21"}, ("endpoint",), "ftp"
    ),
    BadInput(
        "endpoint_space",
        "endpoint with a space in its host",
        "cname_info",
        {"bucket": "in-endpoint-space", "endpoint": "http://127.0.0 .1:{port}"},
        ("endpoint",),
        "contains a space",
    ),
    BadInput(
        "endpoint_password_only",
        "endpoint with a password and no user: http://:password@host",
        "cname_info",
        {"bucket": "in-endpoint-password-only", "endpoint": "http://:Pa55word-in-endpoint@{emu}"},
        ("endpoint",),
        "holds a user name or password",
        hidden="Pa55word-in-endpoint",
    ),
    BadInput(
        "endpoint_missing_colon",
        "endpoint missing the scheme's colon: http//host:port",
        "cname_info",
        {"bucket": "in-endpoint-missing-colon", "endpoint": "http//{emu}"},
        ("endpoint",),
        "looks like a malformed scheme",
    ),
    BadInput(
        "domain_list",
        "a YAML list given to domain",
        "cname",
        {"bucket": "in-domain-list", "domain": ["a.example.com", "b.example.com"]},
        ("domain", "domains"),
        "is a list",
    ),
    BadInput(
        "purge_with_domain",
        "purge: true with domain",
        "cname",
        {"bucket": "in-purge-with-domain", "domain": "a.example.com", "purge": True},
        ("purge", "domains"),
    ),
    BadInput(
        "v4_without_region",
        "signature_version v4 and an IP endpoint, no region",
        "cname_info",
        {"bucket": "in-v4-without-region", "region": OMIT, "signature_version": "v4"},
        ("region",),
        "v4",
    ),
    BadInput("timeout_zero", "timeout: 0", "cname_info", {"bucket": "in-timeout-zero", "timeout": 0}, ("timeout",)),
    BadInput("retries_negative", "retries: -1", "cname_info", {"bucket": "in-retries-negative", "retries": -1}, ("retries",)),
)


@scenario("bad-input")
def _bad_input(emu, directory):
    pem = _pem_material()
    tasks = [Task(case.key, case.module, case.build(emu, pem)) for case in BAD_INPUTS]
    return run_playbook(directory, emu, tasks)


def input_check(case: BadInput):
    def check(run, row):
        result = run.result(case.key)
        sent = [entry for entry in run.log if _path_bucket(entry) == case.bucket]
        row.outcome = f"{describe(result)}; requests sent: {len(sent)}"
        assert result.get("failed")
        assert not sent, f"{len(sent)} request(s) sent: {attempts_text(sent)}"
        for option in case.options:
            assert re.search(rf"(?<![\w\[]){re.escape(option)}(?![\w])", result["msg"]), f"option {option} not named: {result['msg']}"
        if case.phrase:
            assert case.phrase in result["msg"], result["msg"]
        if case.hidden:
            assert case.hidden not in json.dumps(result), "the secret of the input appears in the result"
        assert not traceback_problems(run, result)

    return check


def check_no_request_at_all(run, row):
    """No request at all, apart from those of the rows already marked as known bugs (each shown in its own row)."""
    known = {case.bucket for case in BAD_INPUTS if case.known_bug}
    stray = [entry for entry in run.log if _path_bucket(entry) not in known]
    refused = sum(bool(result.get("failed")) for result in run.results.values())
    row.outcome = f"{len(run.results)} tasks, {refused} refused; requests logged: {len(run.log)}, {len(run.log) - len(stray)} of them by the known-bug row(s)"
    assert refused == len(BAD_INPUTS)
    assert stray == []


# ================================================================================================================
# 5. Secrets
# ================================================================================================================

_SECRET_MATERIAL = {}


def secret_material() -> dict:
    """An RSA certificate and key for SECRET_DOMAIN; the needles are the key, every line of its base64 body, the secret and token."""
    if not _SECRET_MATERIAL:
        cert, key = make_certificate(SECRET_DOMAIN, rsa_bits=2048)
        body = [line for line in key.strip().splitlines() if not line.startswith("-----")]
        needles = {
            "access_key_secret": STS_SECRET,
            "security_token": STS_TOKEN,
            "wrong access_key_secret": WRONG_SECRET,
            "private_key (PEM)": key.strip(),
            "private_key (base64 body)": "".join(body),
        }
        needles.update({f"private_key line {number}": line for number, line in enumerate(body, 1) if len(line) >= 16})
        _SECRET_MATERIAL.update(cert=cert, key=key, needles=needles)
    return _SECRET_MATERIAL


def _secret_tasks(emu, mode: str) -> list:
    material = secret_material()
    if mode == "options":
        creds = {"access_key_id": STS_KEY_ID, "access_key_secret": STS_SECRET, "security_token": STS_TOKEN}
        private_key = material["key"]
    else:
        creds = {"access_key_id": OMIT, "access_key_secret": OMIT}
        private_key = "{{ lookup('ansible.builtin.env', 'RELIABILITY_PRIVATE_KEY') }}"
    base = dict(creds, domain=SECRET_DOMAIN)
    rotate = {
        "url": f"{emu.endpoint}/_emulator/credentials",
        "method": "POST",
        "body_format": "json",
        "body": {"access_key_id": STS_KEY_ID, "access_key_secret": ROTATED_SERVER_SECRET, "owner": OWNER, "security_token": STS_TOKEN},
    }
    tasks = [
        Task("cname_token", "cname_token", oss_args(emu, **base)),
        Task("cname", "cname", oss_args(emu, **base)),
        Task("cname_certificate", "cname_certificate", oss_args(emu, **base, certificate=material["cert"], private_key=private_key)),
        Task("cname_certificate_again", "cname_certificate", oss_args(emu, **base, certificate=material["cert"], private_key=private_key)),
        Task("cname_info", "cname_info", oss_args(emu, **base, include_token=True)),
    ]
    upload = dict(base, certificate=material["cert"], private_key=private_key, force=True)
    if mode == "options":
        # A wrong secret: OSS answers SignatureDoesNotMatch with a CanonicalRequest that holds the security token.
        upload["access_key_secret"] = WRONG_SECRET
    else:
        # The server's secret for the key changes, so the environment's secret no longer signs right: same error document.
        # no_log: this task of the suite's own carries the token in its body; -vvvv would print it.
        tasks.append(Task("rotate_server_secret", "ansible.builtin.uri", rotate, no_log=True))
    tasks.append(Task("failure", "cname_certificate", oss_args(emu, **upload)))
    return tasks


def _secret_run(emu, directory, mode: str):
    material = secret_material()
    emu.control("POST", "ownership", {"mode": "token"})
    emu.control(
        "POST",
        "credentials",
        {"access_key_id": STS_KEY_ID, "access_key_secret": STS_SECRET, "owner": OWNER, "security_token": STS_TOKEN, "expiration": "2099-01-01T00:00:00Z"},
    )
    env = {"ANSIBLE_LOG_PATH": str(directory / "out" / "ansible.log")}
    if mode == "environment":
        env.update(
            ALICLOUD_ACCESS_KEY_ID=STS_KEY_ID, ALICLOUD_ACCESS_KEY_SECRET=STS_SECRET, ALICLOUD_SECURITY_TOKEN=STS_TOKEN, RELIABILITY_PRIVATE_KEY=material["key"]
        )
    return run_playbook(directory, emu, _secret_tasks(emu, mode), env=env, verbosity=4, diff=True)


@scenario("secrets-options")
def _secrets_options(emu, directory):
    return _secret_run(emu, directory, "options")


@scenario("secrets-environment")
def _secrets_environment(emu, directory):
    return _secret_run(emu, directory, "environment")


def find_needles(text: str, needles: dict, skip=()) -> list:
    return [name for name, needle in needles.items() if name not in skip and needle in text]


def secret_task_check(key: str, expect_changed: bool | None):
    def check(run, row):
        needles = secret_material()["needles"]
        result = run.result(key)
        places = {"the result": json.dumps(result), "the diff": json.dumps(result.get("diff")), "the task's -vvvv output": run.task_output(key)}
        leaks = [f"{name} in {place}" for place, text in places.items() for name in find_needles(text, needles)]
        shown = run.task_output(key)
        row.outcome = f"{describe(result)}; {len(shown.splitlines())} output lines scanned; " + (
            "LEAKS: " + ", ".join(leaks) if leaks else f"none of {len(needles)} secret values found"
        )
        assert shown, "the task's output was not found"
        if key == "failure":
            assert result.get("failed") and "SignatureDoesNotMatch" in result["msg"], result.get("msg")
        else:
            assert not result.get("failed"), result.get("msg")
            if expect_changed is not None:
                assert result["changed"] is expect_changed
        assert not leaks

    return check


def check_secret_files(run, row):
    """The whole output and every file the run wrote (Ansible's log, the results, temporary files), not the inputs."""
    needles = secret_material()["needles"]
    inputs = {run.directory / "playbook.yml"}
    files = [path for path in sorted(run.directory.rglob("*")) if path.is_file() and path not in inputs]
    leaks = [f"{name} in stdout/stderr" for name in find_needles(run.output, needles)]
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        leaks += [f"{name} in {path.relative_to(run.directory)}" for name in find_needles(text, needles)]
    log = run.directory / "out" / "ansible.log"
    row.outcome = (
        f"{len(run.output.splitlines())} output lines and {len(files)} files scanned "
        f"({', '.join(str(path.relative_to(run.directory)) for path in files[:4])}...); " + ("LEAKS: " + ", ".join(leaks) if leaks else "no secret found")
    )
    assert log.exists() and log.stat().st_size > 1000, "ANSIBLE_LOG_PATH was not written"
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output or "********" in run.output, "no masked value seen: was -vvvv on?"
    assert not leaks


# ================================================================================================================
# 6. Hostile servers and credential forms, with the module's peak memory
# ================================================================================================================

HOSTILE_TIMEOUT = 3
# The module's own start (Ansible's, Python's, the imports) on a busy machine, on top of the timeout.
START_SLACK = 4
# A module at rest is some tens of MiB; an answer is read up to 8 MiB. Before the limits, a 200 MiB answer took 436 MB.
MAX_PEAK_RSS_MIB = 150


@dataclasses.dataclass(frozen=True)
class Hostile:
    key: str
    subject: str
    answer: object  # a HostileServer answer, or None for the emulator spoken to over https://
    phrase: str


HOSTILE = (
    Hostile("drip_headers", "headers dripped one byte a second (timeout 3, retries 0)", drip_headers, "(it was still sending its headers)"),
    Hostile("drip_body", "body dripped one byte a second (timeout 3, retries 0)", drip_body, "(it was still sending its body"),
    Hostile("huge_body", "a 200 MiB ListCname answer, no Content-Length", huge_stream(200 * 1024 * 1024), "is larger than 8 MiB"),
    Hostile("gzip_bomb", "a gzip answer that inflates to 512 MiB", None, "inflate to more than that"),
    Hostile("plain_http", "https:// to a server that speaks plain HTTP", None, "does not speak TLS on that port"),
)

REFUSED_FORMS = ("option_inner_newline", "token_non_latin1")
CREDENTIAL_FORMS = (
    # key, subject, the words of the warning or refusal the row looks for
    ("option_padded", "access_key_id and access_key_secret options with a blank and a line break", "option access_key_secret had white space"),
    ("environment_padded", "environment keys ending in a line break ($(cat file))", "environment variable ALICLOUD_ACCESS_KEY_SECRET had white space"),
    ("profile_padded", "profile file keys with surrounding blanks and a line break", "access_key_secret of profile 'default'"),
    ("option_inner_newline", "access_key_secret with a line break inside", "option access_key_secret holds a control character"),
    ("token_non_latin1", "security_token with a character outside Latin-1", "option security_token holds a character outside Latin-1"),
)


def _credential_bucket(key: str) -> str:
    """The emulator's bucket for the forms that must work; a bucket of its own (absent) for those refused before sending."""
    return f"cred-{key.replace('_', '-')}" if key in REFUSED_FORMS else BUCKET


def _credential_task(emu, directory, key: str) -> Task:
    bucket = _credential_bucket(key)
    environment = {"RELIABILITY_TASK": key}
    args = oss_args(emu, bucket=bucket)
    if key == "option_padded":
        args.update(access_key_id=f" {ACCESS_KEY_ID}", access_key_secret=f"{ACCESS_KEY_SECRET}\n")
    elif key == "environment_padded":
        args.update(access_key_id=OMIT, access_key_secret=OMIT)
        environment.update(ALICLOUD_ACCESS_KEY_ID=f"{ACCESS_KEY_ID}\n", ALICLOUD_ACCESS_KEY_SECRET=f"{ACCESS_KEY_SECRET}\n")
    elif key == "profile_padded":
        path = directory / "aliyun-config.json"
        profile = {"name": "default", "mode": "AK", "access_key_id": f" {ACCESS_KEY_ID} ", "access_key_secret": f"\n{ACCESS_KEY_SECRET}\r\n"}
        path.write_text(json.dumps({"current": "default", "profiles": [profile]}), encoding="utf-8")
        args.update(access_key_id=OMIT, access_key_secret=OMIT, credentials_file=str(path))
    elif key == "option_inner_newline":
        args.update(access_key_secret=ACCESS_KEY_SECRET[:8] + "\n" + ACCESS_KEY_SECRET[8:])
    else:
        args.update(security_token="Token\u20acReliability")
    return Task(key, "cname_info", {name: value for name, value in args.items() if value is not OMIT}, environment=environment, timed=True)


@scenario("hostile")
def _hostile(emu, directory):
    interpreter = peak_rss_interpreter(directory)
    emulator_host = emu.endpoint.split("://", 1)[1]
    answers = {case.key: case.answer for case in HOSTILE if case.answer is not None}
    answers["gzip_bomb"] = gzip_answer(gzip_of_zeros(512 * 1024 * 1024))
    with contextlib.ExitStack() as stack:
        servers = {key: stack.enter_context(HostileServer(answer, drip_interval=1.0)) for key, answer in answers.items()}
        tasks = []
        for case in HOSTILE:
            endpoint = f"https://{emulator_host}" if case.key == "plain_http" else f"http://127.0.0.1:{servers[case.key].port}"
            args = oss_args(emu, endpoint=endpoint, timeout=HOSTILE_TIMEOUT, retries=0)
            tasks.append(Task(case.key, "cname_info", args, environment={"RELIABILITY_TASK": case.key}, timed=True))
        tasks += [_credential_task(emu, directory, key) for key, _subject, _words in CREDENTIAL_FORMS]
        for task in tasks:
            task.vars = {"ansible_python_interpreter": str(interpreter)}
        return run_playbook(directory, emu, tasks)


def _memory(run, key: str) -> float:
    peak = peak_rss_mib(run.directory, key)
    assert peak is not None, "the module's peak RSS was not recorded"
    return peak


def hostile_check(case: Hostile):
    def check(run, row):
        result = run.result(case.key)
        took = float(run.durations[case.key])
        peak = _memory(run, case.key)
        said = f"failed: {excerpt(result.get('msg', ''), case.phrase)}" if result.get("failed") else describe(result)
        row.outcome = f"{said}; task took {took:.1f} s; module peak RSS {peak:.0f} MiB"
        assert result.get("failed")
        assert case.phrase in result["msg"], result["msg"]
        assert "\n" not in result["msg"] and "Unexpected error" not in result["msg"]
        assert took < HOSTILE_TIMEOUT + START_SLACK, "the attempt outlived its timeout"
        assert peak < MAX_PEAK_RSS_MIB
        assert not traceback_problems(run, result)

    return check


def credential_check(key: str, words: str):
    def check(run, row):
        result = run.result(key)
        sent = [entry for entry in run.log if _path_bucket(entry) == _credential_bucket(key)]
        # Ansible prints warnings on stderr, apart from the task's output; the words name the source of one form only.
        shown = " ".join((run.task_output(key) + run.stderr).split())
        peak = _memory(run, key)
        refused = key in REFUSED_FORMS
        said = f"failed: {excerpt(result.get('msg', ''), words)}" if result.get("failed") else f"{describe(result)}; warned: {words in shown}"
        if refused:
            row.outcome = f"{said}; requests sent: {len(sent)}; module peak RSS {peak:.0f} MiB"
            assert result.get("failed") and words in result["msg"], result.get("msg")
            assert "\n" not in result["msg"] and not sent
        else:
            # The three forms that work share the emulator's bucket: one ListCname each, all answered.
            row.outcome = f"{said}; ListCname of the three working forms: {attempts_text(sent)}; module peak RSS {peak:.0f} MiB"
            assert not result.get("failed"), result.get("msg")
            assert words in shown, "the warning naming the source was not shown"
            assert [entry["status"] for entry in sent] == [200] * (len(CREDENTIAL_FORMS) - len(REFUSED_FORMS))
        assert ACCESS_KEY_SECRET not in json.dumps(result) and ACCESS_KEY_SECRET[8:] not in shown
        assert not traceback_problems(run, result)

    return check


# ================================================================================================================
# The rows
# ================================================================================================================

# Rows that show a bug of the modules (not of this suite): reported, and kept visible in the table. Keyed by test id.
KNOWN_BUGS: dict = {}


def _rows():
    rows = [
        ("fault", "5xx-then-success", "HTTP 500 then 503 on ListCname, then a good answer", "converges: ok, 3 attempts in the log", check_5xx_then_success),
    ]
    for fault, subject in (("drop", "connection dropped before the server applied it"), ("drop_after_apply", "connection dropped after the server applied it")):
        name = "drop-before-apply" if fault == "drop" else "drop-after-apply"
        for operation, first, second in (
            ("CreateCnameToken", "token", "token_again"),
            ("PutCname", "bind", "bind_again"),
            ("DeleteCname", "unbind", "unbind_again"),
        ):
            rows.append(
                ("fault", name, f"{operation}: {subject}", "retried; changed once (rerun unchanged); state right", write_check(operation, first, second, fault))
            )
    rows += [
        (
            "fault",
            "timeout-every-attempt",
            "answers 2 s late on every attempt (timeout 0.5, retries 1)",
            "2 attempts, then a failure naming the timeout",
            check_timeout_every_attempt,
        ),
        ("fault", "timeout-first-attempt", "answer 2 s late on the first attempt only (timeout 0.5)", "retried, then ok", check_timeout_first_attempt),
        (
            "fault",
            "persistent-503",
            "HTTP 503 on every attempt (retries 2)",
            "fails after exactly 3 attempts; message has the last request id",
            check_persistent_503,
        ),
    ]
    rows.append(
        (
            "fault",
            "fleet-one-bucket-fails",
            "cname_info all_buckets over 5 buckets, ListCname of one answers 503 (retries 0)",
            "fails naming that bucket only; the other 3 buckets' domains returned",
            check_fleet_one_bucket_fails,
        )
    )
    for index, (kind, subject, phrases) in enumerate(BODY_FAULTS):
        rows.append(("fault", "bad-bodies", subject, "clear one-line failure with the request id, no traceback, < 5 s", body_check(index, kind, phrases)))
    rows += [
        (
            "fault",
            "token-expires-between-runs",
            "cname_token, then 73 h pass, then cname_token again",
            "the second run creates a new token (changed, different)",
            check_token_expires,
        ),
        (
            "auth",
            "authentication",
            "wrong access_key_secret",
            "fails: signature did not match, says what to check; not retried",
            auth_check("wrong_secret", ACCESS_KEY_ID, ("SignatureDoesNotMatch", "signature did not match", "access_key_secret"), absent=(WRONG_SECRET,)),
        ),
        (
            "auth",
            "authentication",
            "unknown access_key_id",
            "fails: InvalidAccessKeyId, names access_key_id",
            auth_check("unknown_key", "LTAI5tNoSuchKeyReliability", ("InvalidAccessKeyId", "access_key_id")),
        ),
        ("auth", "clock-skew", f"the host's clock {SKEW_SECONDS // 60} minutes behind OSS", "fails: the clock is skewed; not retried", check_clock_skew),
        (
            "fault",
            "dns-faults",
            "alidns_record: DNS throttles the write once (429)",
            "retried with a new nonce; ok, changed",
            dns_retry_check("throttled", "AddDomainRecord", [429, 200]),
        ),
        (
            "fault",
            "dns-faults",
            "alidns_record: DNS answers 503 to the update once",
            "retried; ok, changed",
            dns_retry_check("unavailable", "UpdateDomainRecord", [503, 200]),
        ),
        (
            "fault",
            "dns-drop-after-apply",
            "alidns_record: answer to AddDomainRecord lost after it was applied",
            "ok, changed once",
            dns_dropped_write_check("add", "add_again", "AddDomainRecord"),
        ),
        (
            "fault",
            "dns-drop-after-apply",
            "alidns_record: answer to UpdateDomainRecord lost after it was applied",
            "ok, changed once",
            dns_dropped_write_check("update", "update_again", "UpdateDomainRecord"),
        ),
        (
            "fault",
            "dns-drop-after-apply",
            "alidns_record: answer to DeleteDomainRecord lost after it was applied",
            "ok, changed once",
            dns_dropped_write_check("delete", "delete_again", "DeleteDomainRecord"),
        ),
        ("auth", "dns-faults", "alidns_record: wrong access_key_secret", "fails: SignatureDoesNotMatch; not retried; secret not shown", check_dns_wrong_secret),
        (
            "input",
            "dns-faults",
            "alidns_record: zone that does not exist",
            "fails: the API's InvalidDomainName.NoExist; nothing written",
            dns_zone_check("no_such_zone", ("InvalidDomainName.NoExist", "example.invalid")),
        ),
        (
            "input",
            "dns-faults",
            "alidns_record: record in no zone of the account",
            "fails: names the record and the zones looked at; nothing written",
            dns_zone_check("in_no_zone", ("www.example.invalid", "example.com")),
        ),
        (
            "auth",
            "authentication",
            "STS key without its security_token",
            "fails: names the missing security_token",
            auth_check("sts_token_missing", DEFAULT_STS["access_key_id"], ("InvalidAccessKeyId", "security_token")),
        ),
        (
            "auth",
            "authentication",
            "STS key with a wrong security_token",
            "fails: InvalidSecurityToken, names security_token",
            auth_check("sts_token_wrong", DEFAULT_STS["access_key_id"], ("InvalidSecurityToken", "security_token"), bucket="other-bucket"),
        ),
        (
            "auth",
            "authentication",
            "STS credential expired (service clock 2 h later)",
            "fails: SecurityTokenExpired, says to renew",
            auth_check("sts_token_expired", EXPIRING_STS["access_key_id"], ("SecurityTokenExpired", "expired")),
        ),
        ("tls", "tls", "HTTPS, self-signed certificate, default settings", "refused: says REQUESTS_CA_BUNDLE or validate_certs", check_tls_default),
        ("tls", "tls", "HTTPS, self-signed, validate_certs: false", "accepted", tls_accepted_check("validate_certs_false", "other-bucket")),
        ("tls", "tls", "HTTPS, certificate in REQUESTS_CA_BUNDLE", "accepted", tls_accepted_check("ca_bundle", "sg-bucket")),
    ]
    for case in HOSTILE:
        section = "tls" if case.key == "plain_http" else "fault"
        rows.append((section, "hostile", case.subject, "one-line failure within the timeout, module memory bounded", hostile_check(case)))
    for key, subject, words in CREDENTIAL_FORMS:
        expected = "refused before any request, naming the option" if key in REFUSED_FORMS else "stripped with a warning naming the source; ok"
        rows.append(("auth", "hostile", subject, expected, credential_check(key, words)))
    for case in BAD_INPUTS:
        rows.append(
            (
                "input",
                "bad-input",
                f"{case.module}: {case.subject}",
                f"refused before any request, naming {', '.join(case.options)}",
                input_check(case),
                case.known_bug,
            )
        )
    rows.append(
        (
            "input (all)",
            "bad-input",
            f"all {len(BAD_INPUTS)} bad inputs above, one playbook",
            "emulator request log empty (but for known-bug rows)",
            check_no_request_at_all,
        )
    )
    for mode in ("options", "environment"):
        name = f"secrets-{mode}"
        for key, changed in (
            ("cname_token", True),
            ("cname", True),
            ("cname_certificate", True),
            ("cname_certificate_again", False),
            ("cname_info", False),
            ("failure", None),
        ):
            subject = f"{mode}: {key} at -vvvv --diff" if key != "failure" else f"{mode}: SignatureDoesNotMatch echoing the STS token"
            rows.append(("secret", name, subject, "no secret in result, diff or output", secret_task_check(key, changed)))
        rows.append(("secret", name, f"{mode}: whole run", "no secret in stdout, stderr, ANSIBLE_LOG_PATH or any file written", check_secret_files))
    params = []
    for index, (section, scenario_name, subject, expected, check, *bug) in enumerate(rows):
        case = Case(index, section, subject, expected, scenario_name, check)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{scenario_name} {subject}".lower()).strip("-")[:80]
        reason = (bug[0] if bug else None) or KNOWN_BUGS.get(slug)
        marks = [pytest.mark.xdist_group(scenario_name)] + ([pytest.mark.xfail(strict=True, reason=reason)] if reason else [])
        params.append(pytest.param(case, id=slug, marks=marks))
    return params


@pytest.mark.parametrize("case", _rows())
def test_row(case, row, scenario_runs):
    run = scenario_runs(SCENARIOS[case.scenario])
    case.check(run, row)


def test_private_key_needles_are_real():
    """The secret checks look for the key line by line; make sure there are lines to look for."""
    needles = secret_material()["needles"]
    assert sum(name.startswith("private_key line") for name in needles) >= 20
    assert base64.b64decode(needles["private_key (base64 body)"])[:1] == b"\x30"
