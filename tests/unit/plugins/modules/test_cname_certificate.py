# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""cname_certificate: which CertificateConfiguration is sent, given what is bound, and what the module returns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.alicloud.oss.plugins.modules import cname_certificate
from ansible_collections.alicloud.oss.plugins.modules.cname_certificate import Desired, certificate_request

DOMAIN = "static.example.com"
OLD_ID = "493000001-cn-hangzhou"
NEW_ID = "493000002-cn-hangzhou"
CERT_KEYS = {"type", "cert_id", "status", "fingerprint", "creation_date", "valid_start_date", "valid_end_date",
             "valid_end_date_iso", "days_to_expiry"}


class Pem(SimpleNamespace):
    """A generated certificate: .cert (PEM), .key (PEM), .fingerprint (AA:BB:...), .key_lines (the key's base64 lines)."""


def _make_pem(common_name, issuer_key=None, issuer_name=None) -> Pem:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer_name or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
            .sign(issuer_key or key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    return Pem(cert=cert.public_bytes(serialization.Encoding.PEM).decode(), key=key_pem, private_key=key, name=name,
               fingerprint=":".join(f"{byte:02X}" for byte in cert.fingerprint(hashes.SHA1())),
               key_lines=[line for line in key_pem.splitlines() if line and not line.startswith("-----")])


@pytest.fixture(scope="module")
def pems():
    first = _make_pem(DOMAIN)
    second = _make_pem(DOMAIN)
    intermediate = _make_pem("Test Intermediate CA")
    leaf = _make_pem(DOMAIN, issuer_key=intermediate.private_key, issuer_name=intermediate.name)
    return SimpleNamespace(first=first, second=second, intermediate=intermediate, leaf=leaf)


def body(domain, **config):
    """The PutCname body the module must send, children in the module's documented order."""
    order = ("CertId", "Certificate", "PrivateKey", "PreviousCertId", "Force", "DeleteCertificate")
    children = "".join(f"<{tag}>{config[tag]}</{tag}>" for tag in order if tag in config)
    return (f"<BucketCnameConfiguration><Cname><Domain>{domain}</Domain><CertificateConfiguration>{children}"
            "</CertificateConfiguration></Cname></BucketCnameConfiguration>").encode()


def _strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def assert_no_key(run, pem):
    """Neither the key as a whole nor any line of it appears in the module's output."""
    texts = [run.stdout] + list(_strings(run.result))
    for text in texts:
        assert pem.key not in text
        for line in pem.key_lines:
            assert line not in text


# ---------------------------------------------------------------------------------------------
# certificate_request() and Desired.matches()
# ---------------------------------------------------------------------------------------------

BOUND = {"cert_id": OLD_ID, "fingerprint": "AA:BB"}


@pytest.mark.parametrize("desired, bound, previous, force, expected", [
    (Desired(cert_id=NEW_ID), None, None, False, {"cert_id": NEW_ID, "force": True}),
    (Desired(cert_id=NEW_ID), BOUND, None, False, {"cert_id": NEW_ID, "previous_cert_id": OLD_ID}),
    (Desired(cert_id=NEW_ID), BOUND, None, True, {"cert_id": NEW_ID, "force": True}),
    (Desired(cert_id=NEW_ID), BOUND, "7-cn-hangzhou", False, {"cert_id": NEW_ID, "previous_cert_id": "7-cn-hangzhou"}),
    (Desired(cert_id=NEW_ID), BOUND, "7-cn-hangzhou", True, {"cert_id": NEW_ID, "previous_cert_id": "7-cn-hangzhou", "force": True}),
    (Desired(cert_id=NEW_ID), None, "7-cn-hangzhou", False, {"cert_id": NEW_ID, "previous_cert_id": "7-cn-hangzhou", "force": True}),
    (Desired(pem=SimpleNamespace(text="CERT", fingerprint="CC"), private_key="KEY"), BOUND, None, False,
     {"certificate": "CERT", "private_key": "KEY", "previous_cert_id": OLD_ID}),
    (Desired(pem=SimpleNamespace(text="CERT", fingerprint="CC"), private_key="KEY"), None, None, False,
     {"certificate": "CERT", "private_key": "KEY", "force": True}),
    (None, BOUND, None, False, {"delete_certificate": True}),
    (None, BOUND, None, True, {"delete_certificate": True}),
    (None, BOUND, "7-cn-hangzhou", True, {"delete_certificate": True}),
])
def test_certificate_request(desired, bound, previous, force, expected):
    assert certificate_request(desired, bound, previous, force) == expected


@pytest.mark.parametrize("desired, bound, expected", [
    (Desired(cert_id=OLD_ID), {"cert_id": OLD_ID}, True),
    (Desired(cert_id=OLD_ID), {"cert_id": OLD_ID.upper()}, True),
    (Desired(cert_id=OLD_ID.upper()), {"cert_id": OLD_ID}, True),
    (Desired(cert_id=OLD_ID), {"cert_id": NEW_ID}, False),
    (Desired(cert_id=OLD_ID), {"cert_id": None, "fingerprint": "AA"}, False),
    (Desired(cert_id=OLD_ID), None, False),
    (Desired(pem=SimpleNamespace(fingerprint="DE:01:CF:EC")), {"fingerprint": "DE:01:CF:EC"}, True),
    (Desired(pem=SimpleNamespace(fingerprint="DE:01:CF:EC")), {"fingerprint": "de01cfec"}, True),
    (Desired(pem=SimpleNamespace(fingerprint="DE:01:CF:EC")), {"fingerprint": "de:01:cf:ec"}, True),
    (Desired(pem=SimpleNamespace(fingerprint="DE:01:CF:EC")), {"fingerprint": "DE:01:CF:ED"}, False),
    (Desired(pem=SimpleNamespace(fingerprint="DE:01:CF:EC")), {"cert_id": OLD_ID, "fingerprint": None}, False),
    (Desired(pem=SimpleNamespace(fingerprint="DE:01:CF:EC")), None, False),
])
def test_desired_matches(desired, bound, expected):
    assert desired.matches(bound) is expected


# ---------------------------------------------------------------------------------------------
# By certificate service id
# ---------------------------------------------------------------------------------------------

def test_same_cert_id_is_unchanged_after_one_read(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=OLD_ID, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    certificate = run["certificate"]
    assert set(certificate) == CERT_KEYS
    assert certificate["cert_id"] == OLD_ID
    assert certificate["type"] == "CAS"
    assert certificate["status"] == "Enabled"
    assert certificate["valid_end_date"] == "Mon, 4 May 2048 10:14:51 GMT"
    assert certificate["valid_end_date_iso"] == "2048-05-04T10:14:51Z"
    assert isinstance(certificate["days_to_expiry"], int) and certificate["days_to_expiry"] > 365
    identity = {"cert_id": OLD_ID, "fingerprint": certificate["fingerprint"]}
    assert run["diff"] == {"before": identity, "after": identity}


def test_bound_cert_id_in_another_case_is_unchanged(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID.upper()))
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=OLD_ID)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False


def test_other_cert_id_replaces_with_previous_cert_id_and_reads_back(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain="Static.Example.com.", cert_id=NEW_ID, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname", "PutCname", "ListCname"]
    put = fake_oss.sent[1]
    assert put.method == "POST"
    assert put.query == (("cname", ""), ("comp", "add"))
    assert put.body == body(DOMAIN, CertId=NEW_ID, PreviousCertId=OLD_ID)
    assert put.cert_config == {"CertId": NEW_ID, "PreviousCertId": OLD_ID}
    assert fake_oss.bound_certificate(DOMAIN)["CertId"] == NEW_ID
    assert run["changed"] is True
    assert run["certificate"]["cert_id"] == NEW_ID
    assert run["certificate"]["fingerprint"] == fake_oss.bound_certificate(DOMAIN)["Fingerprint"]
    assert run["certificate"]["valid_end_date_iso"] == "2048-05-04T10:14:51Z"
    assert run["diff"] == {
        "before": {"cert_id": OLD_ID, "fingerprint": fake_oss.certificate(OLD_ID)["Fingerprint"]},
        "after": {"cert_id": NEW_ID, "fingerprint": fake_oss.certificate(NEW_ID)["Fingerprint"]},
    }


def test_returned_certificate_is_the_one_read_back(run_module, fake_oss, monkeypatch):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    original = fake_oss._op_PutCname

    def put_and_let_oss_fill_in(bucket, sent):
        answer = original(bucket, sent)
        fake_oss.bound_certificate(DOMAIN)["Status"] = "Disabled"
        return answer

    monkeypatch.setattr(fake_oss, "_op_PutCname", put_and_let_oss_fill_in)
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID)

    assert run["certificate"]["status"] == "Disabled"
    assert run["certificate"]["creation_date"] == "Wed, 15 Sep 2021 02:35:06 GMT"


def test_first_certificate_is_forced_without_previous_cert_id(run_module, fake_oss):
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname", "PutCname", "ListCname"]
    assert fake_oss.sent[1].body == body(DOMAIN, CertId=NEW_ID, Force="true")
    assert run["changed"] is True
    assert run["certificate"]["cert_id"] == NEW_ID
    assert run["diff"]["before"] == {"cert_id": None, "fingerprint": None}
    assert run["diff"]["after"]["cert_id"] == NEW_ID


def test_force_sends_force_and_no_previous_cert_id(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, force=True)

    assert fake_oss.sent[1].cert_config == {"CertId": NEW_ID, "Force": "true"}
    assert run["certificate"]["cert_id"] == NEW_ID


def test_force_on_a_matching_certificate_sends_nothing(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=OLD_ID, force=True)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False


@pytest.mark.parametrize("force, expected", [
    (False, {"CertId": NEW_ID, "PreviousCertId": OLD_ID}),
    (True, {"CertId": NEW_ID, "PreviousCertId": OLD_ID, "Force": "true"}),
])
def test_previous_cert_id_given_is_always_sent(run_module, fake_oss, force, expected):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, previous_cert_id=OLD_ID, force=force)

    assert fake_oss.sent[1].cert_config == expected
    assert run["changed"] is True


def test_previous_cert_id_given_when_nothing_is_bound(run_module, fake_oss):
    fake_oss.bind(DOMAIN)
    run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, previous_cert_id=OLD_ID)

    assert fake_oss.sent[1].cert_config == {"CertId": NEW_ID, "PreviousCertId": OLD_ID, "Force": "true"}


def test_stale_previous_cert_id_fails_saying_what_to_do(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, previous_cert_id="493999999-cn-hangzhou")

    assert fake_oss.operations() == ["ListCname", "PutCname"]
    assert run["failed"] is True
    assert run["error"]["ec"] == "0018-00000209"
    assert "force: true" in run["msg"]
    assert fake_oss.bound_certificate(DOMAIN)["CertId"] == OLD_ID


def test_unknown_cert_id_fails_with_the_oss_error(run_module, fake_oss):
    fake_oss.bind(DOMAIN)
    fake_oss.fail("PutCname", DOMAIN, code="CertificateInvalidCasId", status=400,
                  message="The CAS ID is invalid: not exist or not belong to the owner of the bucket.", ec="0018-00000204")
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID)

    assert run["failed"] is True
    assert run["msg"].startswith(f"Attaching the certificate of {DOMAIN} on bucket my-bucket failed.")
    assert "<number>-<cas region>" in run["msg"]
    assert "\n" not in run["msg"]
    assert set(run["error"]) == {"code", "message", "request_id", "host_id", "ec", "status"}
    assert run["error"]["code"] == "CertificateInvalidCasId"
    assert run["error"]["status"] == 400


def test_unbound_domain_is_bound_with_its_certificate_in_one_request(run_module, fake_oss):
    fake_oss.bind("other.example.com")
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID)

    assert fake_oss.operations() == ["ListCname", "PutCname", "ListCname"]
    assert fake_oss.sent[1].body == body(DOMAIN, CertId=NEW_ID, Force="true")
    assert fake_oss.domains() == ["other.example.com", DOMAIN]
    assert fake_oss.bound_certificate(DOMAIN)["CertId"] == NEW_ID
    assert run["changed"] is True
    assert run["certificate"]["cert_id"] == NEW_ID


def test_unbound_unverified_domain_fails_naming_the_txt_record(run_module, fake_oss):
    token = fake_oss.token(DOMAIN)
    fake_oss.unverified.add(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID)

    assert fake_oss.operations() == ["ListCname", "PutCname", "GetCnameToken"]
    assert run["failed"] is True
    assert run["msg"].startswith(f"Binding {DOMAIN} with its certificate to bucket my-bucket failed")
    assert f"_dnsauth.{DOMAIN}" in run["msg"]
    assert token in run["msg"]
    assert run["error"]["code"] == "NeedVerifyDomainOwnership"
    assert fake_oss.domains() == []


def test_ownership_error_on_a_certificate_update_names_the_txt_record(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    fake_oss.fail("PutCname", DOMAIN, code="NeedVerifyDomainOwnership", message="Please verify domain ownership.", ec="0018-00000115")
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID)

    assert run["failed"] is True
    assert f"_dnsauth.{DOMAIN}" in run["msg"]
    assert "alicloud.oss.cname_token" in run["msg"]
    assert run["error"]["code"] == "NeedVerifyDomainOwnership"


# ---------------------------------------------------------------------------------------------
# By PEM certificate and key
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["as-is", "lower", "bare"])
def test_pem_with_the_bound_fingerprint_is_not_uploaded(run_module, fake_oss, pems, form):
    fingerprint = {"as-is": pems.first.fingerprint, "lower": pems.first.fingerprint.lower(),
                   "bare": pems.first.fingerprint.replace(":", "")}[form]
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID, fingerprint=fingerprint))
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["certificate"]["cert_id"] == OLD_ID
    assert_no_key(run, pems.first)


def test_pem_with_a_chain_is_compared_by_its_leaf(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID, fingerprint=pems.leaf.fingerprint))
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.leaf.cert + pems.intermediate.cert,
                     private_key=pems.leaf.key)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False


def test_other_pem_is_uploaded_with_its_key(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID, fingerprint=pems.first.fingerprint))
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.second.cert, private_key=pems.second.key, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname", "PutCname", "ListCname"]
    config = fake_oss.sent[1].cert_config
    assert config == {"Certificate": pems.second.cert, "PrivateKey": pems.second.key, "PreviousCertId": OLD_ID}
    assert fake_oss.bound_certificate(DOMAIN)["Fingerprint"] == pems.second.fingerprint
    assert run["changed"] is True
    assert run["certificate"]["fingerprint"] == pems.second.fingerprint
    new_id = fake_oss.bound_certificate(DOMAIN)["CertId"]
    assert run["certificate"]["cert_id"] == new_id
    assert run["diff"] == {"before": {"cert_id": OLD_ID, "fingerprint": pems.first.fingerprint},
                           "after": {"cert_id": new_id, "fingerprint": pems.second.fingerprint}}
    assert_no_key(run, pems.second)


def test_uploaded_pem_is_not_uploaded_again(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN)
    first = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key)
    assert first["changed"] is True
    assert fake_oss.sent[1].cert_config["Force"] == "true"
    fake_oss.sent.clear()

    second = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key)
    assert fake_oss.operations() == ["ListCname"]
    assert second["changed"] is False
    assert len(fake_oss.uploads) == 1


def test_chain_is_sent_leaf_first(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN)
    run_module(cname_certificate, domain=DOMAIN, certificate=pems.leaf.cert + "\n" + pems.intermediate.cert, private_key=pems.leaf.key)

    sent = fake_oss.sent[1].cert_config["Certificate"]
    assert sent == pems.leaf.cert + pems.intermediate.cert
    assert fake_oss.bound_certificate(DOMAIN)["Fingerprint"] == pems.leaf.fingerprint


def test_private_key_never_appears_on_failure(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    fake_oss.fail("PutCname", DOMAIN, code="InvalidArgument", status=400, message="The certificate and private key do not match.",
                  ec="0018-00000210")
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key, _ansible_diff=True)

    assert run["failed"] is True
    assert run["error"]["code"] == "InvalidArgument"
    assert_no_key(run, pems.first)


def test_private_key_never_appears_in_check_mode(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key,
                     _ansible_check_mode=True, _ansible_diff=True)

    assert run["changed"] is True
    assert_no_key(run, pems.first)


def test_private_key_never_appears_when_it_is_refused(run_module, fake_oss, pems):
    two_keys = pems.first.key + pems.second.key
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=two_keys)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith("private_key must hold exactly one")
    assert_no_key(run, pems.first)
    assert_no_key(run, pems.second)


def test_encrypted_private_key_is_refused_without_showing_it(run_module, fake_oss, pems):
    encrypted = pems.first.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.BestAvailableEncryption(b"passphrase")).decode()
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=encrypted)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith("private_key is encrypted")
    for line in encrypted.splitlines()[1:-1]:
        assert line not in run.stdout


def test_private_key_in_the_certificate_option_is_not_shown(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert + pems.first.key, private_key=pems.first.key)

    assert fake_oss.sent[1].cert_config["Certificate"] == pems.first.cert
    assert_no_key(run, pems.first)


# ---------------------------------------------------------------------------------------------
# state=absent
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("force", [False, True])
def test_absent_detaches_with_delete_certificate_only(run_module, fake_oss, force):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, state="absent", force=force, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname", "PutCname", "ListCname"]
    assert fake_oss.sent[1].body == body(DOMAIN, DeleteCertificate="true")
    assert fake_oss.domains() == [DOMAIN]
    assert fake_oss.bound_certificate(DOMAIN) is None
    assert run["changed"] is True
    assert run["certificate"] is None
    assert run["diff"] == {"before": {"cert_id": OLD_ID, "fingerprint": fake_oss.certificate(OLD_ID)["Fingerprint"]},
                           "after": {"cert_id": None, "fingerprint": None}}


@pytest.mark.parametrize("bound", [True, False])
def test_absent_without_a_certificate_is_unchanged(run_module, fake_oss, bound):
    if bound:
        fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, state="absent")

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["certificate"] is None


def test_absent_failure_says_detaching(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    fake_oss.fail("PutCname", DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, state="absent")

    assert run["failed"] is True
    assert run["msg"].startswith(f"Detaching the certificate of {DOMAIN}")
    assert "oss:PutCname" in run["msg"]


# ---------------------------------------------------------------------------------------------
# Check mode
# ---------------------------------------------------------------------------------------------

def test_check_mode_predicts_a_cert_id(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, _ansible_check_mode=True, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname"]
    assert fake_oss.bound_certificate(DOMAIN)["CertId"] == OLD_ID
    assert run["changed"] is True
    assert run["certificate"] == dict(dict.fromkeys(CERT_KEYS), cert_id=NEW_ID)
    assert run["diff"]["after"] == {"cert_id": NEW_ID, "fingerprint": None}


def test_check_mode_predicts_a_fingerprint(run_module, fake_oss, pems):
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key,
                     _ansible_check_mode=True, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname"]
    assert fake_oss.domains() == []
    assert run["changed"] is True
    assert run["certificate"] == dict(dict.fromkeys(CERT_KEYS), fingerprint=pems.first.fingerprint)
    assert run["diff"] == {"before": {"cert_id": None, "fingerprint": None},
                           "after": {"cert_id": None, "fingerprint": pems.first.fingerprint}}


def test_check_mode_absent(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, state="absent", _ansible_check_mode=True)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is True
    assert run["certificate"] is None
    assert fake_oss.bound_certificate(DOMAIN)["CertId"] == OLD_ID


def test_check_mode_unchanged(run_module, fake_oss):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=OLD_ID, _ansible_check_mode=True)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["certificate"]["cert_id"] == OLD_ID


# ---------------------------------------------------------------------------------------------
# Input errors: refused before any request
# ---------------------------------------------------------------------------------------------

def test_cert_id_with_certificate_is_refused(run_module, fake_oss, pems):
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, certificate=pems.first.cert, private_key=pems.first.key)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "cert_id" in run["msg"] and "certificate" in run["msg"]
    assert_no_key(run, pems.first)


def test_certificate_without_private_key_is_refused(run_module, fake_oss, pems):
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "private_key" in run["msg"]


def test_private_key_without_certificate_is_refused(run_module, fake_oss, pems):
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, private_key=pems.first.key)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "certificate" in run["msg"]
    assert_no_key(run, pems.first)


@pytest.mark.parametrize("text", [
    "not a certificate",
    "-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQsIHRoaXMgaXMgbm90IERFUg==\n-----END CERTIFICATE-----\n",
])
def test_unparseable_certificate_is_refused(run_module, fake_oss, pems, text):
    run = run_module(cname_certificate, domain=DOMAIN, certificate=text, private_key=pems.first.key)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith("certificate ")
    assert_no_key(run, pems.first)


def test_key_given_as_certificate_is_refused_without_showing_it(run_module, fake_oss, pems):
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.key, private_key=pems.first.key)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith("certificate ")
    assert_no_key(run, pems.first)


@pytest.mark.parametrize("option, value", [
    ("cert_id", "493000002"),
    ("cert_id", "cas-493000002"),
    ("cert_id", "493000002-cas.aliyuncs.com"),
    ("previous_cert_id", "previous"),
])
def test_bad_cert_id_is_refused(run_module, fake_oss, option, value):
    args = {"cert_id": NEW_ID, option: value}
    run = run_module(cname_certificate, domain=DOMAIN, **args)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith(f"{option} '{value}' is not a certificate service id")


def test_bare_number_cert_id_gets_an_example(run_module, fake_oss):
    run = run_module(cname_certificate, domain=DOMAIN, cert_id="493000002")

    assert "'493000002-cn-hangzhou'" in run["msg"]


@pytest.mark.parametrize("option", ["cert_id", "previous_cert_id"])
def test_absent_with_a_certificate_option_is_refused(run_module, fake_oss, option):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    run = run_module(cname_certificate, domain=DOMAIN, state="absent", **{option: NEW_ID})

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert option in run["msg"]
    assert "state=absent" in run["msg"]


def test_absent_with_a_pem_is_refused_without_showing_the_key(run_module, fake_oss, pems):
    run = run_module(cname_certificate, domain=DOMAIN, state="absent", certificate=pems.first.cert, private_key=pems.first.key)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "state=absent" in run["msg"]
    assert_no_key(run, pems.first)


def test_present_without_a_certificate_is_refused(run_module, fake_oss):
    run = run_module(cname_certificate, domain=DOMAIN)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "cert_id" in run["msg"] and "certificate" in run["msg"]


def test_bad_domain_is_refused(run_module, fake_oss):
    run = run_module(cname_certificate, domain="static..example.com", cert_id=NEW_ID)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith("domain ")
