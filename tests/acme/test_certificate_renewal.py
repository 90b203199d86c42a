# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificate_renewal role end to end: ansible-playbook against Pebble and the emulator, whose state file gives
the buckets their bound domains and certificates (expired, ending soon, not due) without any PEM upload.

Checked through cname_info (the playbook writes what it read after the role): which certificates changed, that the
new ones are Pebble's (the files the role kept, matched by fingerprint), that no challenge is left; through Pebble's
log: how many ACME orders; through the emulator's request log: that a converged run writes nothing."""

from __future__ import annotations

import datetime
import email.utils
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from ossemu.dnsserver import DnsResponder
from support.certs import new_key
from support.hostile import HostileServer
from support.pebble import Pebble
from support.playbook import run_playbook
from test_acme_pebble import ACCESS_KEY_ID, ACCESS_KEY_SECRET, playbook_env

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = Path(__file__).resolve().parent / "renew_certificates.yml"
ACCOUNT_KEY = new_key().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode("ascii")
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
OSS_WRITES = {"PUT", "POST", "DELETE"}
DNS_WRITES = {"AddDomainRecord", "UpdateDomainRecord", "DeleteDomainRecord", "DeleteSubDomainRecords"}
AGENTIC_BUCKET = "agents-1234567890123456-cn-hangzhou-ab-apsr"


def bound(cert_id: str, days_left: float) -> dict:
    """A binding with a certificate ending `days_left` days from now, as the emulator's state file holds it."""
    end = NOW + datetime.timedelta(days=days_left)
    return {
        "status": "Enabled",
        "last_modified": "2026-01-01T00:00:00.000Z",
        "certificate": {
            "cert_id": cert_id,
            "fingerprint": "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:%02X" % (hash(cert_id) % 256),
            "type": "CAS",
            "status": "Enabled",
            "valid_start_date": email.utils.format_datetime(end - datetime.timedelta(days=90), usegmt=True),
            "valid_end_date": email.utils.format_datetime(end, usegmt=True),
            "creation_date": "Thu, 01 Jan 2026 00:00:00 GMT",
        },
    }


# Three buckets, four domains; sg-bucket is in another region, so the renewal there must be signed for it.
FLEET = {
    "version": 1,
    "buckets": {
        "demo-bucket": {"expired.example.com": bound("1000001-cn-hangzhou", -2)},
        "sg-bucket": {"soon.example.org": bound("1000002-cn-hangzhou", 10)},
        "other-bucket": {"fresh.example.com": bound("1000003-cn-hangzhou", 200), "web.example.com": bound("1000004-cn-hangzhou", 5)},
    },
}
# A domain whose zone is not in the account beside one that renews, and a wildcard of the Agentic Bucket.
ZONELESS = {
    "version": 1,
    "buckets": {
        "demo-bucket": {"ok.example.com": bound("2000001-cn-hangzhou", -1)},
        "other-bucket": {"lost.example.info": bound("2000002-cn-hangzhou", 3)},
        AGENTIC_BUCKET: {"*.spaces.example.com": bound("2000003-cn-hangzhou", 7)},
    },
}
ONE_DUE = {"version": 1, "buckets": {"demo-bucket": {"bad.example.com": bound("3000001-cn-hangzhou", -1)}}}


class Renewal:
    """Runs renew_certificates.yml with the role's variables and reads back what it wrote."""

    def __init__(self, emulator, env: dict, directory: str, workdir: Path):
        self.emulator = emulator
        self.env = env
        self.workdir = workdir
        self.base = {
            "oss_endpoint": emulator.endpoint,
            "oss_access_key_id": ACCESS_KEY_ID,
            "oss_access_key_secret": ACCESS_KEY_SECRET,
            "certificate_renewal_acme_directory": directory,
            "certificate_renewal_dir": str(workdir / "certificates"),
            "certificate_renewal_acme_email": "renewals@example.com",
            "certificate_renewal_terms_agreed": True,
            # The emulator's DNS serves a record at once; real DNS gets the role's default wait.
            "certificate_renewal_dns_wait_seconds": 0,
        }
        self.runs = 0

    def run(self, *options: str, **variables):
        self.runs += 1
        result_file = self.workdir / ("result-%d.json" % self.runs)
        extra = dict(self.base, result_file=str(result_file), **variables)
        run = run_playbook(PLAYBOOK, env=self.env, options=["-e", json.dumps(extra), *options], timeout=300)
        (self.workdir / ("run-%d.log" % self.runs)).write_text(run.stdout + run.stderr)
        written = json.loads(result_file.read_text()) if result_file.exists() else {}
        return run, written.get("result"), written.get("fleet")

    def certificate_file(self, domain: str) -> x509.Certificate:
        stem = domain.replace("*", "_wildcard")
        return x509.load_pem_x509_certificates((self.workdir / "certificates" / (stem + ".crt")).read_bytes())[0]


def bound_now(fleet: list) -> dict:
    """{domain: certificate} of every bound domain, from cname_info's buckets."""
    return {cname["domain"]: cname["certificate"] for bucket in fleet for cname in bucket["cnames"]}


def fingerprint(certificate: x509.Certificate) -> str:
    return ":".join("%02X" % byte for byte in certificate.fingerprint(hashes.SHA1()))


def assert_issued_by_pebble(renewal: Renewal, pebble, domain: str, served: dict):
    intermediate = x509.load_pem_x509_certificate(pebble.intermediates().encode())
    leaf = renewal.certificate_file(domain)
    assert leaf.issuer == intermediate.subject, domain
    assert served["fingerprint"] == fingerprint(leaf), domain
    assert served["valid_end_date_iso"] == leaf.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"), domain
    assert served["days_to_expiry"] > 1000, domain  # Pebble's certificates last five years


def writes(requests: list) -> list:
    return [entry for entry in requests if entry.get("method") in OSS_WRITES or entry.get("action") in DNS_WRITES]


def no_challenge_left(emulator):
    state = emulator.control("GET", "state")
    assert state["objects"] == {} and state["dns"] == {}, "a challenge object or record was left behind"


@pytest.fixture
def renewal(emulator, pebble, crypto_collections, tmp_path):
    return Renewal(emulator, playbook_env(pebble, crypto_collections, tmp_path / "home"), pebble.directory_url, tmp_path)


@pytest.mark.parametrize("emulator", [FLEET], indirect=True)
def test_renewal_of_a_fleet(emulator, pebble, renewal):
    http_domain = [{"bucket": "other-bucket", "domain": "web.example.com"}]
    run, result, fleet = renewal.run(certificate_renewal_challenge="http-01", certificate_renewal_domains=http_domain)
    assert run.returncode == 0, run.stdout[-4000:]
    served = bound_now(fleet)
    assert_issued_by_pebble(renewal, pebble, "web.example.com", served["web.example.com"])
    assert [(entry["domain"], entry["due"], entry["renewed"], entry["error"]) for entry in result] == [("web.example.com", True, True, None)]
    assert result[0]["previous_cert_id"] == "1000004-cn-hangzhou" and result[0]["cert_id"] == served["web.example.com"]["cert_id"]
    assert any(entry["addressing"] == "cname" and entry["domain"] == "web.example.com" for entry in emulator.control("GET", "requests"))
    no_challenge_left(emulator)
    assert pebble.order_count() == 1

    run, result, fleet = renewal.run()
    assert run.returncode == 0, run.stdout[-4000:]
    served = bound_now(fleet)
    for domain in ("expired.example.com", "soon.example.org"):
        assert_issued_by_pebble(renewal, pebble, domain, served[domain])
    assert served["fresh.example.com"]["cert_id"] == "1000003-cn-hangzhou"
    outcome = {entry["domain"]: (entry["due"], entry["renewed"], entry["error"]) for entry in result}
    assert outcome == {
        "expired.example.com": (True, True, None),
        "soon.example.org": (True, True, None),
        "fresh.example.com": (False, False, None),
        "web.example.com": (False, False, None),
    }
    no_challenge_left(emulator)
    assert pebble.order_count() == 3
    for key in (renewal.workdir / "certificates").glob("*.key"):
        assert key.stat().st_mode & 0o777 == 0o600, key
    assert "PRIVATE KEY" not in run.stdout + run.stderr

    # Converged: one fleet read, no ACME request, no write.
    emulator.control("DELETE", "requests")
    run, result, _fleet = renewal.run(read_fleet_after=False)
    assert run.returncode == 0, run.stdout[-4000:]
    assert run.recap()["changed"] == 0
    assert pebble.order_count() == 3
    requests = emulator.control("GET", "requests")
    assert {entry["operation"] for entry in requests} == {"ListBuckets", "ListCname"}
    assert [entry["operation"] for entry in requests].count("ListBuckets") == 1
    assert not any(entry["due"] for entry in result)

    # Check mode with every certificate due: the due domains are listed, no order, nothing written.
    emulator.control("DELETE", "requests")
    state = emulator.control("GET", "state")
    run, result, _fleet = renewal.run("--check", certificate_renewal_within_days=100000)
    assert run.returncode == 0, run.stdout[-4000:]
    assert pebble.order_count() == 3
    assert writes(emulator.control("GET", "requests")) == []
    assert emulator.control("GET", "state")["buckets"] == state["buckets"]
    assert all(entry["due"] and not entry["renewed"] for entry in result)
    for domain in served:
        assert domain in run.stdout


@pytest.mark.parametrize("emulator", [ZONELESS], indirect=True)
def test_a_failing_domain_does_not_stop_the_others(emulator, pebble, renewal):
    run, result, fleet = renewal.run()
    assert run.returncode != 0
    served = bound_now(fleet)
    for domain in ("ok.example.com", "*.spaces.example.com"):
        assert_issued_by_pebble(renewal, pebble, domain, served[domain])
    failed = [entry for entry in result if entry["error"]]
    assert [(entry["domain"], entry["renewed"], entry["cert_id"]) for entry in failed] == [("lost.example.info", False, "2000002-cn-hangzhou")]
    assert "Certificate renewal failed for 1 domain(s): lost.example.info (bucket other-bucket)" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    no_challenge_left(emulator)
    # A failed renewal never replaces the key kept beside the certificate OSS still serves.
    assert not (renewal.workdir / "certificates" / "lost.example.info.key").exists()
    assert key_matches(renewal.workdir / "certificates" / "ok.example.com.key", renewal.workdir / "certificates" / "ok.example.com.crt")


@pytest.mark.parametrize("emulator", [ZONELESS], indirect=True)
def test_a_reused_authorization_needs_no_challenge(emulator, pebble_binaries, crypto_collections, tmp_path):
    """A CA that still holds a valid authorization (Let's Encrypt keeps them for days) answers the order with no
    challenge: the role finishes the order without one. A failed renewal leaves the key beside the bound certificate."""
    port = int(emulator.endpoint.rsplit(":", 1)[1])
    with Pebble(pebble_binaries.pebble, tmp_path / "pebble", dns_port=emulator.dns_port, http_port=port, authz_reuse=100) as pebble:
        renewal = Renewal(emulator, playbook_env(pebble, crypto_collections, tmp_path / "home"), pebble.directory_url, tmp_path)
        ok = [{"bucket": "demo-bucket", "domain": "ok.example.com"}]
        for _run in range(2):
            emulator.control("DELETE", "requests")
            run, result, fleet = renewal.run(certificate_renewal_domains=ok, certificate_renewal_within_days=100000)
            assert run.returncode == 0, run.stdout[-4000:]
            assert result[0]["renewed"] is True
            assert_issued_by_pebble(renewal, pebble, "ok.example.com", bound_now(fleet)["ok.example.com"])
        # The second order reused the first one's authorization: no challenge record was written.
        assert not [entry for entry in emulator.control("GET", "requests") if entry.get("action") == "AddDomainRecord"]
    certificates = renewal.workdir / "certificates"
    assert key_matches(certificates / "ok.example.com.key", certificates / "ok.example.com.crt")
    assert not list(certificates.glob("*.next.*")), "the .next files of a renewal that went through are removed"


def key_matches(key_path: Path, cert_path: Path) -> bool:
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    leaf = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
    return key.public_key().public_numbers() == leaf.public_key().public_numbers()


@pytest.mark.parametrize("emulator", [ONE_DUE], indirect=True)
def test_community_crypto_missing(emulator, renewal, tmp_path):
    renewal.env["ANSIBLE_COLLECTIONS_PATH"] = renewal.env["ANSIBLE_COLLECTIONS_PATH"].split(":")[0]
    run, result, _fleet = renewal.run(read_fleet_after=False)
    assert run.returncode != 0
    assert "needs the collection community.crypto 2.10.0 or later: ansible-galaxy collection install 'community.crypto>=2.10.0'" in run.stdout
    assert emulator.control("GET", "requests") == []


# --- reliability: each failure names the domain, says why, shows no traceback, and leaves no challenge behind -----


@pytest.mark.parametrize("emulator", [ONE_DUE], indirect=True)
def test_failed_validation_is_reported(emulator, pebble_binaries, crypto_collections, tmp_path):
    """Pebble asks a DNS server that does not hold the emulator's records: the TXT record is published where the
    domain's DNS is not, as when the zone in the account is not the one delegated."""
    with DnsResponder(lambda name: []) as elsewhere:
        port = int(emulator.endpoint.rsplit(":", 1)[1])
        with Pebble(pebble_binaries.pebble, tmp_path / "pebble", dns_port=elsewhere.port, http_port=port) as pebble:
            renewal = Renewal(emulator, playbook_env(pebble, crypto_collections, tmp_path / "home"), pebble.directory_url, tmp_path)
            # The account key as content this time, and verbose output: it must not show the key.
            run, result, fleet = renewal.run("-vv", certificate_renewal_acme_account_key_content=ACCOUNT_KEY)
    assert run.returncode != 0
    assert "Certificate renewal failed for 1 domain(s): bad.example.com (bucket demo-bucket): Finish the order: " in run.stdout
    assert "_acme-challenge.bad.example.com" in elsewhere.txt_queries
    assert [(entry["domain"], entry["renewed"], entry["cert_id"]) for entry in result] == [("bad.example.com", False, "3000001-cn-hangzhou")]
    assert bound_now(fleet)["bad.example.com"]["cert_id"] == "3000001-cn-hangzhou"
    assert "Traceback" not in run.stdout + run.stderr
    assert "PRIVATE KEY" not in run.stdout + run.stderr
    assert not [line for line in ACCOUNT_KEY.splitlines()[1:-1] if line in run.stdout + run.stderr]
    no_challenge_left(emulator)


def answer_500(server, connection):
    connection.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.mark.parametrize("emulator", [ONE_DUE], indirect=True)
def test_acme_server_down_is_reported(emulator, crypto_collections, tmp_path):
    """A directory that answers 500. (Connection refused is the same failure, after community.crypto's 20 retries,
    about 200 s: too long for this suite.)"""
    env = playbook_env(SimpleNamespace(ca_bundle=tmp_path / "unused.pem"), crypto_collections, tmp_path / "home")
    with HostileServer(answer_500) as down:
        renewal = Renewal(emulator, env, "http://127.0.0.1:%d/dir" % down.port, tmp_path)
        run, result, _fleet = renewal.run()
    assert run.returncode != 0
    expected = "Certificate renewal failed for 1 domain(s): bad.example.com (bucket demo-bucket): the ACME account could not be created or found: "
    assert expected in run.stdout, run.stdout[-3000:]
    assert [(entry["domain"], entry["due"], entry["renewed"]) for entry in result] == [("bad.example.com", True, False)]
    assert "Traceback" not in run.stdout + run.stderr
    assert writes(emulator.control("GET", "requests")) == []


@pytest.mark.parametrize("emulator", [ONE_DUE], indirect=True)
def test_a_set_up_failure_is_reported_in_the_result(emulator, crypto_collections, tmp_path):
    """An account key path in a directory that does not exist: the role still reports every due domain, with why."""
    env = playbook_env(SimpleNamespace(ca_bundle=tmp_path / "unused.pem"), crypto_collections, tmp_path / "home")
    renewal = Renewal(emulator, env, "http://127.0.0.1:9/dir", tmp_path)
    run, result, _fleet = renewal.run(certificate_renewal_acme_account_key_path=str(tmp_path / "missing" / "account.key"))
    assert run.returncode != 0
    expected = (
        "Certificate renewal failed for 1 domain(s): bad.example.com (bucket demo-bucket): the set-up before any order failed (Create the ACME account key): "
    )
    assert expected in run.stdout, run.stdout[-3000:]
    assert [(entry["domain"], entry["due"], entry["renewed"]) for entry in result] == [("bad.example.com", True, False)]
    assert "Traceback" not in run.stdout + run.stderr
    assert writes(emulator.control("GET", "requests")) == []
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("emulator", [ZONELESS], indirect=True)
def test_http01_refuses_a_wildcard_before_any_request(emulator, crypto_collections, tmp_path):
    env = playbook_env(SimpleNamespace(ca_bundle=tmp_path / "unused.pem"), crypto_collections, tmp_path / "home")
    renewal = Renewal(emulator, env, "http://127.0.0.1:9/dir", tmp_path)
    run, _result, _fleet = renewal.run(
        read_fleet_after=False,
        certificate_renewal_challenge="http-01",
        certificate_renewal_domains=[{"bucket": AGENTIC_BUCKET, "domain": "*.spaces.example.com"}],
    )
    assert run.returncode != 0
    assert "*.spaces.example.com: a wildcard domain can only be validated through dns-01" in run.stdout
    assert emulator.control("GET", "requests") == []


@pytest.mark.parametrize("emulator", [ONE_DUE], indirect=True)
def test_example_playbook(emulator, pebble, crypto_collections, tmp_path):
    """examples/renew_certificates.yml as documented: credentials from the environment, a report of the run that renewed,
    and a second run that changes nothing."""
    env = dict(playbook_env(pebble, crypto_collections, tmp_path / "home"), ALICLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID, ALICLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET)
    extra = {
        "acme_email": "renewals@example.com",
        "acme_directory": pebble.directory_url,
        "certificates_dir": str(tmp_path / "certificates"),
        "oss_endpoint": emulator.endpoint,
        "oss_dns_endpoint": emulator.endpoint,
        "certificate_renewal_dns_wait_seconds": 0,
    }
    for expected_changes in (True, False):
        run = run_playbook(ROOT / "examples" / "renew_certificates.yml", env=env, options=["-e", json.dumps(extra)], timeout=300)
        assert run.returncode == 0, run.stdout[-4000:]
        assert (run.recap()["changed"] > 0) is expected_changes
    report = json.loads((tmp_path / "certificates" / "last-renewal.json").read_text())
    assert [(entry["domain"], entry["due"], entry["renewed"]) for entry in report] == [("bad.example.com", True, True)]
    assert pebble.order_count() == 1
