# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end, without the renewal role: Pebble issues a certificate through DNS-01 (TXT in the emulator's DNS) and one
through HTTP-01 (the challenge written with alicloud.oss.object into the bucket the domain is bound to)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography import x509
from support.playbook import run_playbook

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = Path(__file__).resolve().parent / "issue_certificates.yml"
DNS_DOMAIN = "acme-dns.example.com"
HTTP_DOMAIN = "acme-http.example.com"
BUCKET = "demo-bucket"
# The emulator's built-in account (tests/emulator/default-config.json): not a real credential.
ACCESS_KEY_ID = "LTAI5tEmulatorKey0001"
ACCESS_KEY_SECRET = "EmulatorSecret0001xxxxxxxxxxxxxx"


def playbook_env(pebble, crypto_collections, home: Path) -> dict:
    home.mkdir(parents=True, exist_ok=True)
    collections = ROOT / ".tmp" / "collections"  # ansible_collections/alicloud/oss -> this tree (noxfile links it)
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (collections, crypto_collections),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        # Pebble's listener certificate comes from the test CA: trusted this way, certificate checks stay on.
        "SSL_CERT_FILE": str(pebble.ca_bundle),
    }


def test_pebble_issues_through_dns01_and_http01(emulator, pebble, crypto_collections, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    extra = {
        "acme_directory": pebble.directory_url,
        "work_dir": str(work),
        "oss_endpoint": emulator.endpoint,
        "control_url": emulator.control_url,
        "oss_access_key_id": ACCESS_KEY_ID,
        "oss_access_key_secret": ACCESS_KEY_SECRET,
        "bucket": BUCKET,
        "dns_domain": DNS_DOMAIN,
        "http_domain": HTTP_DOMAIN,
    }
    run = run_playbook(PLAYBOOK, env=playbook_env(pebble, crypto_collections, tmp_path / "home"), options=["-e", json.dumps(extra)], timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]

    root = x509.load_pem_x509_certificate(pebble.roots().encode())
    intermediate = x509.load_pem_x509_certificate(pebble.intermediates().encode())
    assert intermediate.issuer == root.subject
    for domain in (DNS_DOMAIN, HTTP_DOMAIN):
        leaf = x509.load_pem_x509_certificates((work / ("%s.pem" % domain)).read_bytes())[0]
        assert leaf.issuer == intermediate.subject, domain
        assert leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName) == [domain]
    assert pebble.order_count() == 2

    requests = emulator.control("GET", "requests")
    served = [entry for entry in requests if entry["addressing"] == "cname" and entry["domain"] == HTTP_DOMAIN]
    assert served and all(entry["operation"] == "GetObject" and entry["status"] == 200 for entry in served), served
    assert [entry["key"] for entry in requests if entry["operation"] == "PutObject"] == [served[0]["key"]]
    state = emulator.control("GET", "state")
    assert state["dns"] == {} and state["objects"] == {}, "a challenge record or object was left behind"
