# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""cname_certificate: which CertificateConfiguration is sent, given what is bound, and what the module returns."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from ansible.module_utils.common import warnings as ansible_warnings
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ansible_collections.alicloud.oss.plugins.module_utils._certificate import not_valid_after, not_valid_before
from ansible_collections.alicloud.oss.plugins.modules import cname_certificate
from ansible_collections.alicloud.oss.plugins.modules.cname_certificate import Desired, certificate_request
from ansible_collections.alicloud.oss.tests.support.certs import make_certificate

DOMAIN = "static.example.com"
OLD_ID = "493000001-cn-hangzhou"
NEW_ID = "493000002-cn-hangzhou"
CERT_KEYS = {"type", "cert_id", "status", "fingerprint", "creation_date", "valid_start_date", "valid_end_date", "valid_end_date_iso", "days_to_expiry"}


class Pem(SimpleNamespace):
    """A generated certificate: .cert (PEM), .key (PEM), .fingerprint (AA:BB:...), .key_lines (the key's base64 lines),
    .not_before and .not_after (aware UTC datetimes)."""


def _make_pem(common_name, issuer=None, key_type="ec", days=(-1, 90), names=None) -> Pem:
    """issuer: the Pem that signs (default: self-signed); days: validity (start, end) in days from now; names: the
    subjectAltName DNS names (default [common_name], () for none)."""
    made = make_certificate(common_name, key_type=key_type, issuer=issuer.made if issuer else None, valid_days=days, names=names)
    cert_pem, key_pem = made.cert_pem, made.key_pem
    # An EC key's PKCS#8 form ends with the public key, so a line of it can also be a line of the certificate: that one is public.
    return Pem(
        cert=cert_pem,
        key=key_pem,
        private_key=made.key,
        made=made,
        fingerprint=made.fingerprint,
        key_lines=[line for line in key_pem.splitlines() if line and not line.startswith("-----") and line not in cert_pem],
        not_before=not_valid_before(made.certificate),
        not_after=not_valid_after(made.certificate),
    )


@pytest.fixture(scope="module")
def pems():
    first = _make_pem(DOMAIN)
    second = _make_pem(DOMAIN)
    intermediate = _make_pem("Test Intermediate CA")
    leaf = _make_pem(DOMAIN, issuer=intermediate)
    return SimpleNamespace(first=first, second=second, intermediate=intermediate, leaf=leaf)


def body(domain, **config):
    """The PutCname body the module must send, children in the module's documented order."""
    order = ("CertId", "Certificate", "PrivateKey", "PreviousCertId", "Force", "DeleteCertificate")
    children = "".join(f"<{tag}>{config[tag]}</{tag}>" for tag in order if tag in config)
    return (
        f"<BucketCnameConfiguration><Cname><Domain>{domain}</Domain><CertificateConfiguration>{children}"
        "</CertificateConfiguration></Cname></BucketCnameConfiguration>"
    ).encode()


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


@pytest.mark.parametrize(
    "desired, bound, previous, force, expected",
    [
        (Desired(cert_id=NEW_ID), None, None, False, {"cert_id": NEW_ID, "force": True}),
        (Desired(cert_id=NEW_ID), BOUND, None, False, {"cert_id": NEW_ID, "previous_cert_id": OLD_ID}),
        (Desired(cert_id=NEW_ID), BOUND, None, True, {"cert_id": NEW_ID, "force": True}),
        (Desired(cert_id=NEW_ID), BOUND, "7-cn-hangzhou", False, {"cert_id": NEW_ID, "previous_cert_id": "7-cn-hangzhou"}),
        (Desired(cert_id=NEW_ID), BOUND, "7-cn-hangzhou", True, {"cert_id": NEW_ID, "previous_cert_id": "7-cn-hangzhou", "force": True}),
        (Desired(cert_id=NEW_ID), None, "7-cn-hangzhou", False, {"cert_id": NEW_ID, "previous_cert_id": "7-cn-hangzhou", "force": True}),
        (
            Desired(pem=SimpleNamespace(text="CERT", fingerprint="CC"), private_key="KEY"),
            BOUND,
            None,
            False,
            {"certificate": "CERT", "private_key": "KEY", "previous_cert_id": OLD_ID},
        ),
        (
            Desired(pem=SimpleNamespace(text="CERT", fingerprint="CC"), private_key="KEY"),
            None,
            None,
            False,
            {"certificate": "CERT", "private_key": "KEY", "force": True},
        ),
        (None, BOUND, None, False, {"delete_certificate": True}),
        (None, BOUND, None, True, {"delete_certificate": True}),
        (None, BOUND, "7-cn-hangzhou", True, {"delete_certificate": True}),
    ],
)
def test_certificate_request(desired, bound, previous, force, expected):
    assert certificate_request(desired, bound, previous, force) == expected


@pytest.mark.parametrize(
    "desired, bound, expected",
    [
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
    ],
)
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


@pytest.mark.parametrize(
    "force, expected",
    [
        (False, {"CertId": NEW_ID, "PreviousCertId": OLD_ID}),
        (True, {"CertId": NEW_ID, "PreviousCertId": OLD_ID, "Force": "true"}),
    ],
)
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
    fake_oss.fail(
        "PutCname",
        DOMAIN,
        code="CertificateInvalidCasId",
        status=400,
        message="The CAS ID is invalid: not exist or not belong to the owner of the bucket.",
        ec="0018-00000204",
    )
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
    fingerprint = {"as-is": pems.first.fingerprint, "lower": pems.first.fingerprint.lower(), "bare": pems.first.fingerprint.replace(":", "")}[form]
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID, fingerprint=fingerprint))
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["certificate"]["cert_id"] == OLD_ID
    assert_no_key(run, pems.first)


def test_pem_with_a_chain_is_compared_by_its_leaf(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID, fingerprint=pems.leaf.fingerprint))
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.leaf.cert + pems.intermediate.cert, private_key=pems.leaf.key)

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
    assert run["diff"] == {
        "before": {"cert_id": OLD_ID, "fingerprint": pems.first.fingerprint},
        "after": {"cert_id": new_id, "fingerprint": pems.second.fingerprint},
    }
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
    fake_oss.fail("PutCname", DOMAIN, code="InvalidArgument", status=400, message="The certificate and private key do not match.", ec="0018-00000210")
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key, _ansible_diff=True)

    assert run["failed"] is True
    assert run["error"]["code"] == "InvalidArgument"
    assert_no_key(run, pems.first)


def test_private_key_never_appears_in_check_mode(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key, _ansible_check_mode=True, _ansible_diff=True)

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
    encrypted = pems.first.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"passphrase")
    ).decode()
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
    assert run["diff"] == {
        "before": {"cert_id": OLD_ID, "fingerprint": fake_oss.certificate(OLD_ID)["Fingerprint"]},
        "after": {"cert_id": None, "fingerprint": None},
    }


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
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key, _ansible_check_mode=True, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname"]
    assert fake_oss.domains() == []
    assert run["changed"] is True
    assert run["certificate"] == dict(dict.fromkeys(CERT_KEYS), fingerprint=pems.first.fingerprint)
    assert run["diff"] == {"before": {"cert_id": None, "fingerprint": None}, "after": {"cert_id": None, "fingerprint": pems.first.fingerprint}}


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


@pytest.mark.parametrize(
    "text",
    [
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQsIHRoaXMgaXMgbm90IERFUg==\n-----END CERTIFICATE-----\n",
    ],
)
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


@pytest.mark.parametrize(
    "option, value",
    [
        ("cert_id", "493000002"),
        ("cert_id", "cas-493000002"),
        ("cert_id", "493000002-cas.aliyuncs.com"),
        ("previous_cert_id", "previous"),
    ],
)
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


# ---------------------------------------------------------------------------------------------
# Certificate checks: refused before any request, every run
# ---------------------------------------------------------------------------------------------


def iso(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def clear_warnings():
    """AnsibleModule keeps warnings in a process-wide collection, so a run would also show those of earlier runs."""
    ansible_warnings._global_warnings.clear()  # pylint: disable=protected-access


@pytest.fixture(autouse=True)
def only_this_runs_warnings():
    clear_warnings()


def warnings(run) -> list:
    """The warnings' texts: ansible-core 2.19 returns each as a WarningSummary document, 2.17 as a string."""
    return [item["event"]["msg"] if isinstance(item, dict) else item for item in run.get("warnings", [])]


@pytest.fixture(scope="module")
def bad():
    """Certificates that must be refused (or warned about) for DOMAIN."""
    return SimpleNamespace(
        expired=_make_pem(DOMAIN, days=(-100, -2)),
        not_yet_valid=_make_pem(DOMAIN, days=(5, 100)),
        other_name=_make_pem("other.example.org"),
        expiring=_make_pem(DOMAIN, days=(-60, 20)),
    )


def refused_before_any_request(run, fake_oss, start):
    assert run["failed"] is True, run.stdout
    assert run["msg"].startswith(start), run["msg"]
    assert "\n" not in run["msg"]
    assert fake_oss.sent == []
    assert run.get("changed") in (None, False)


@pytest.mark.parametrize("bound", [False, True], ids=["nothing-bound", "same-fingerprint-bound"])
def test_key_of_another_certificate_is_refused(run_module, fake_oss, pems, bound):
    if bound:
        fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID, fingerprint=pems.first.fingerprint))
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.second.key)

    refused_before_any_request(run, fake_oss, "private_key does not belong to the certificate in certificate (CN=static.example.com)")
    assert "public keys differ" in run["msg"]
    assert_no_key(run, pems.second)


@pytest.mark.parametrize("cert_type, key_type", [("rsa", "ec"), ("ec", "ed25519"), ("ed25519", "rsa"), ("rsa", "rsa"), ("ed25519", "ed25519")])
def test_key_of_another_type_or_pair_is_refused(run_module, fake_oss, cert_type, key_type):
    certificate, stranger = _make_pem(DOMAIN, key_type=cert_type), _make_pem(DOMAIN, key_type=key_type)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=certificate.cert, private_key=stranger.key)

    refused_before_any_request(run, fake_oss, "private_key does not belong to the certificate")
    assert_no_key(run, stranger)


@pytest.mark.parametrize("key_type", ["rsa", "ec", "ed25519"])
def test_matching_key_of_each_type_is_attached(run_module, fake_oss, key_type):
    pem = _make_pem(DOMAIN, key_type=key_type)
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pem.cert, private_key=pem.key)

    assert run.get("failed") is None, run["msg"] if "msg" in run else run.stdout
    assert run["changed"] is True
    assert fake_oss.bound_certificate(DOMAIN)["Fingerprint"] == pem.fingerprint
    assert warnings(run) == []
    assert_no_key(run, pem)


def test_chain_before_its_leaf_is_refused_saying_put_the_leaf_first(run_module, fake_oss, pems):
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.intermediate.cert + pems.leaf.cert, private_key=pems.leaf.key)

    refused_before_any_request(run, fake_oss, "certificate starts with a certificate (CN=Test Intermediate CA)")
    assert "the key belongs to certificate 2 (CN=static.example.com)" in run["msg"]
    assert run["msg"].endswith("put the leaf certificate first, then its chain.")


@pytest.mark.parametrize("bound", [False, True], ids=["nothing-bound", "same-fingerprint-bound"])
def test_expired_certificate_is_refused_with_both_dates(run_module, fake_oss, bad, bound):
    if bound:
        fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID, fingerprint=bad.expired.fingerprint))
    run = run_module(cname_certificate, domain=DOMAIN, certificate=bad.expired.cert, private_key=bad.expired.key)

    start, end = iso(bad.expired.not_before), iso(bad.expired.not_after)
    refused_before_any_request(run, fake_oss, f"certificate expired on {end} (valid from {start} to {end}): renew it")


def test_not_yet_valid_certificate_is_refused_with_both_dates(run_module, fake_oss, bad):
    run = run_module(cname_certificate, domain=DOMAIN, certificate=bad.not_yet_valid.cert, private_key=bad.not_yet_valid.key)

    start, end = iso(bad.not_yet_valid.not_before), iso(bad.not_yet_valid.not_after)
    refused_before_any_request(run, fake_oss, f"certificate is not valid yet (valid from {start} to {end})")
    assert "validate_certificate: false" in run["msg"]


def test_not_yet_valid_certificate_can_be_staged_without_validation(run_module, fake_oss, bad):
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=bad.not_yet_valid.cert, private_key=bad.not_yet_valid.key, validate_certificate=False)

    assert run["changed"] is True
    assert fake_oss.bound_certificate(DOMAIN)["Fingerprint"] == bad.not_yet_valid.fingerprint
    assert warnings(run) == [f"certificate is not valid yet: valid from {iso(bad.not_yet_valid.not_before)} to {iso(bad.not_yet_valid.not_after)}."]


@pytest.mark.parametrize("bound", [False, True], ids=["nothing-bound", "same-fingerprint-bound"])
def test_certificate_for_another_name_is_refused_listing_its_names(run_module, fake_oss, bad, bound):
    if bound:
        fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID, fingerprint=bad.other_name.fingerprint))
    run = run_module(cname_certificate, domain=DOMAIN, certificate=bad.other_name.cert, private_key=bad.other_name.key)

    refused_before_any_request(run, fake_oss, f"certificate does not cover {DOMAIN}: it is for other.example.org (subjectAltName).")
    assert f"subjectAltName names {DOMAIN} or *.example.com" in run["msg"]


def test_name_check_can_be_skipped_but_not_the_key_check(run_module, fake_oss, bad, pems):
    fake_oss.bind(DOMAIN)
    skipped = run_module(cname_certificate, domain=DOMAIN, certificate=bad.other_name.cert, private_key=bad.other_name.key, validate_certificate=False)
    assert skipped["changed"] is True
    fake_oss.sent.clear()

    mismatch = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.second.key, validate_certificate=False)
    refused_before_any_request(mismatch, fake_oss, "private_key does not belong to the certificate")


@pytest.mark.parametrize(
    "domain, names, covered",
    [
        ("www.example.com", ["*.example.com"], True),
        ("WWW.Example.COM", ["*.example.com"], True),
        ("www.example.com", ["*.EXAMPLE.com"], True),
        ("www.example.com", ["WWW.EXAMPLE.COM."], True),
        ("example.com", ["*.example.com"], False),
        ("a.b.example.com", ["*.example.com"], False),
        ("www.example.com", ["*.com"], False),
        ("www.example.com", ["w*.example.com"], False),
        ("www.example.com", ["example.com", "mail.example.com"], False),
        ("xn--bcher-kva.example.com", ["xn--bcher-kva.example.com"], True),
        ("www.xn--bcher-kva.example.com", ["*.xn--bcher-kva.example.com"], True),
        ("xn--bcher-kva.example.com", ["*.example.com"], True),
        ("xn--bcher-kva.example.com", ["bucher.example.com"], False),
    ],
)
def test_name_matching(run_module, fake_oss, domain, names, covered):
    pem = _make_pem(names[0].rstrip(".") if "*" not in names[0] else "cn.example.net", names=names)
    fake_oss.bind(domain.lower())
    run = run_module(cname_certificate, domain=domain, certificate=pem.cert, private_key=pem.key)

    if covered:
        assert run.get("failed") is None, run["msg"]
        assert run["changed"] is True
    else:
        refused_before_any_request(
            run, fake_oss, f"certificate does not cover {domain.lower()}: it is for {', '.join(name.lower().rstrip('.') for name in names)} (subjectAltName)"
        )


def test_common_name_counts_only_without_subject_alt_name(run_module, fake_oss):
    fake_oss.bind(DOMAIN)
    cn_only = _make_pem(DOMAIN, names=())
    ok = run_module(cname_certificate, domain=DOMAIN, certificate=cn_only.cert, private_key=cn_only.key)
    assert ok["changed"] is True
    fake_oss.sent.clear()

    cn_and_san = _make_pem(DOMAIN, names=["other.example.com"])
    run = run_module(cname_certificate, domain=DOMAIN, certificate=cn_and_san.cert, private_key=cn_and_san.key)
    refused_before_any_request(run, fake_oss, f"certificate does not cover {DOMAIN}: it is for other.example.com (subjectAltName)")


def test_common_name_without_subject_alt_name_is_named_as_such(run_module, fake_oss):
    pem = _make_pem("other.example.com", names=())
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pem.cert, private_key=pem.key)

    refused_before_any_request(
        run, fake_oss, f"certificate does not cover {DOMAIN}: it is for other.example.com (common name; the certificate has no subjectAltName)"
    )


@pytest.mark.parametrize("validate", [True, False])
def test_min_days_valid_refuses_with_the_end_date_and_days_left(run_module, fake_oss, pems, validate):
    run = run_module(
        cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key, min_days_valid=100, validate_certificate=validate
    )

    refused_before_any_request(run, fake_oss, f"certificate expires on {iso(pems.first.not_after)}, in 89 days, fewer than min_days_valid (100)")


def test_min_days_valid_met_attaches(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key, min_days_valid=89)

    assert run["changed"] is True


def test_fewer_than_30_days_left_is_a_warning_every_run(run_module, fake_oss, bad):
    fake_oss.bind(DOMAIN)
    first = run_module(cname_certificate, domain=DOMAIN, certificate=bad.expiring.cert, private_key=bad.expiring.key)
    clear_warnings()
    again = run_module(cname_certificate, domain=DOMAIN, certificate=bad.expiring.cert, private_key=bad.expiring.key)

    warning = f"certificate expires on {iso(bad.expiring.not_after)}, in 19 days: renew it soon."
    assert first["changed"] is True and warnings(first) == [warning]
    assert again["changed"] is False and warnings(again) == [warning]


def test_chain_out_of_order_is_a_warning_not_a_failure(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.leaf.cert + pems.second.cert + pems.intermediate.cert, private_key=pems.leaf.key)

    assert run["changed"] is True
    assert warnings(run) == [
        "certificate: certificate 1 (CN=static.example.com) is not issued by certificate 2 (CN=static.example.com); give the chain "
        "in order (leaf first, each certificate followed by its issuer), or clients may not trust the domain.",
        "certificate: certificate 2 (CN=static.example.com) is not issued by certificate 3 (CN=Test Intermediate CA); give the chain "
        "in order (leaf first, each certificate followed by its issuer), or clients may not trust the domain.",
    ]


def test_chain_in_order_gives_no_warning(run_module, fake_oss, pems):
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.leaf.cert + pems.intermediate.cert, private_key=pems.leaf.key)

    assert run["changed"] is True
    assert warnings(run) == []


@pytest.mark.skipif(
    not hasattr(x509.Certificate, "verify_directly_issued_by"), reason="cryptography older than 40 checks a chain by its names only (documented)"
)
def test_chain_with_the_issuer_name_but_another_key_is_a_warning(run_module, fake_oss, pems):
    impostor = _make_pem("Test Intermediate CA")
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.leaf.cert + impostor.cert, private_key=pems.leaf.key)

    assert len(warnings(run)) == 1
    assert "is not issued by certificate 2 (CN=Test Intermediate CA)" in warnings(run)[0]


def test_checks_run_in_check_mode_too(run_module, fake_oss, bad):
    run = run_module(cname_certificate, domain=DOMAIN, certificate=bad.expired.cert, private_key=bad.expired.key, _ansible_check_mode=True)

    refused_before_any_request(run, fake_oss, "certificate expired on")


@pytest.mark.parametrize("option", ["min_days_valid", "verification_timeout"])
def test_negative_numbers_are_refused(run_module, fake_oss, option):
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, **{option: -1})

    refused_before_any_request(run, fake_oss, f"{option} must be 0 or more, not -1.")


# ---------------------------------------------------------------------------------------------
# certificate_path and private_key_path
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def pem_files(tmp_path, pems):
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    cert.write_text(pems.leaf.cert + pems.intermediate.cert)
    key.write_text(pems.leaf.key)
    return SimpleNamespace(cert=str(cert), key=str(key), directory=tmp_path)


@pytest.mark.parametrize("cert_form, key_form", [("path", "path"), ("path", "text"), ("text", "path")])
def test_either_certificate_form_pairs_with_either_key_form(run_module, fake_oss, pems, pem_files, cert_form, key_form):
    args = {"certificate_path": pem_files.cert} if cert_form == "path" else {"certificate": pems.leaf.cert + pems.intermediate.cert}
    args.update({"private_key_path": pem_files.key} if key_form == "path" else {"private_key": pems.leaf.key})
    fake_oss.bind(DOMAIN)
    first = run_module(cname_certificate, domain=DOMAIN, _ansible_diff=True, **args)

    assert first["changed"] is True
    assert fake_oss.sent[1].cert_config["Certificate"] == pems.leaf.cert + pems.intermediate.cert
    assert fake_oss.sent[1].cert_config["PrivateKey"] == pems.leaf.key
    assert fake_oss.bound_certificate(DOMAIN)["Fingerprint"] == pems.leaf.fingerprint
    assert_no_key(first, pems.leaf)
    fake_oss.sent.clear()

    again = run_module(cname_certificate, domain=DOMAIN, **args)
    assert again["changed"] is False
    assert fake_oss.operations() == ["ListCname"]


def test_key_read_from_a_file_is_masked(run_module, fake_oss, pems, pem_files):
    fake_oss.bind(DOMAIN)
    # An answer that echoes the key (OSS does not; the point is the masking of a key that is no task option).
    fake_oss.fail("PutCname", DOMAIN, code="InvalidArgument", status=400, message="Echo: " + pems.leaf.key)
    run = run_module(cname_certificate, domain=DOMAIN, certificate_path=pem_files.cert, private_key_path=pem_files.key)

    assert run["failed"] is True
    assert fake_oss.of("PutCname")[0].cert_config["PrivateKey"] == pems.leaf.key
    assert run["error"]["message"] == "Echo: ********"


def test_paths_are_expanded(run_module, fake_oss, pems, pem_files, monkeypatch):
    monkeypatch.setenv("HOME", str(pem_files.directory))
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, certificate_path="~/fullchain.pem", private_key_path="~/privkey.pem")

    assert run["changed"] is True


@pytest.mark.parametrize("option", ["certificate_path", "private_key_path"])
def test_missing_file_is_named(run_module, fake_oss, pem_files, option):
    args = {"certificate_path": pem_files.cert, "private_key_path": pem_files.key}
    args[option] = str(pem_files.directory / "missing.pem")
    run = run_module(cname_certificate, domain=DOMAIN, **args)

    refused_before_any_request(run, fake_oss, f"{option} '{args[option]}' does not exist on the host where the module runs.")


def test_directory_is_named(run_module, fake_oss, pem_files):
    run = run_module(cname_certificate, domain=DOMAIN, certificate_path=str(pem_files.directory), private_key_path=pem_files.key)

    refused_before_any_request(run, fake_oss, f"certificate_path '{pem_files.directory}' is a directory")


def test_unreadable_file_is_named(run_module, fake_oss, pem_files, monkeypatch):
    real_open = open

    def deny(path, *args, **kwargs):
        if str(path) == pem_files.key:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    run = run_module(cname_certificate, domain=DOMAIN, certificate_path=pem_files.cert, private_key_path=pem_files.key)

    refused_before_any_request(run, fake_oss, f"private_key_path '{pem_files.key}' cannot be read: permission denied")


def test_binary_file_is_refused(run_module, fake_oss, pems, pem_files):
    der = x509.load_pem_x509_certificate(pems.leaf.cert.encode()).public_bytes(serialization.Encoding.DER)
    (pem_files.directory / "leaf.der").write_bytes(b"\xff" + der)
    run = run_module(cname_certificate, domain=DOMAIN, certificate_path=str(pem_files.directory / "leaf.der"), private_key_path=pem_files.key)

    refused_before_any_request(run, fake_oss, "certificate_path ")
    assert "is not a PEM text file" in run["msg"]


def test_file_without_a_certificate_names_the_path_option(run_module, fake_oss, pem_files):
    run = run_module(cname_certificate, domain=DOMAIN, certificate_path=pem_files.key, private_key_path=pem_files.key)

    refused_before_any_request(run, fake_oss, "certificate_path holds no '-----BEGIN CERTIFICATE-----' block")


def test_checks_name_the_path_options(run_module, fake_oss, pems, pem_files):
    (pem_files.directory / "other.key").write_text(pems.second.key)
    run = run_module(cname_certificate, domain=DOMAIN, certificate_path=pem_files.cert, private_key_path=str(pem_files.directory / "other.key"))

    refused_before_any_request(run, fake_oss, "private_key_path does not belong to the certificate in certificate_path")
    assert_no_key(run, pems.second)


@pytest.mark.parametrize("value", ["/etc/ssl/static.example.com/fullchain.pem", "~/certs/fullchain.pem", " /tmp/cert.pem\n"])
def test_path_given_as_certificate_text_points_at_certificate_path(run_module, fake_oss, pems, value):
    run = run_module(cname_certificate, domain=DOMAIN, certificate=value, private_key=pems.first.key)

    refused_before_any_request(run, fake_oss, f"certificate '{value.strip()}' is a file path, not PEM text: set certificate_path")


def test_existing_relative_file_given_as_text_points_at_the_path_option(run_module, fake_oss, pems, pem_files, monkeypatch):
    monkeypatch.chdir(pem_files.directory)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key="privkey.pem")

    refused_before_any_request(run, fake_oss, "private_key is a file path, not PEM text: set private_key_path")


@pytest.mark.parametrize(
    "args",
    [
        {"certificate": "CERT", "certificate_path": "/tmp/cert.pem", "private_key": "KEY"},
        {"certificate": "CERT", "private_key": "KEY", "private_key_path": "/tmp/key.pem"},
        {"cert_id": NEW_ID, "certificate_path": "/tmp/cert.pem", "private_key": "KEY"},
    ],
)
def test_both_forms_of_an_input_are_refused(run_module, fake_oss, args):
    run = run_module(cname_certificate, domain=DOMAIN, **args)

    refused_before_any_request(run, fake_oss, "parameters are mutually exclusive")


@pytest.mark.parametrize(
    "args, start",
    [
        ({"certificate_path": "/tmp/cert.pem"}, "certificate_path needs its private key: set private_key or private_key_path."),
        ({"cert_id": NEW_ID, "private_key_path": "/tmp/key.pem"}, "private_key_path needs a PEM certificate"),
        ({"private_key_path": "/tmp/key.pem"}, "state is present but any of the following are missing: cert_id, certificate, certificate_path"),
    ],
)
def test_a_key_and_a_pem_certificate_come_together(run_module, fake_oss, args, start):
    run = run_module(cname_certificate, domain=DOMAIN, **args)

    refused_before_any_request(run, fake_oss, start)


@pytest.mark.parametrize("option", ["certificate_path", "private_key_path"])
def test_path_options_do_not_apply_to_absent(run_module, fake_oss, option):
    run = run_module(cname_certificate, domain=DOMAIN, state="absent", **{option: "/tmp/x.pem"})

    refused_before_any_request(run, fake_oss, f"{option} only apply to state=present")


# ---------------------------------------------------------------------------------------------
# cryptography: needed by the PEM forms only
# ---------------------------------------------------------------------------------------------


def test_pem_forms_without_cryptography_say_to_install_it(run_module, fake_oss, pems, monkeypatch):
    monkeypatch.setitem(sys.modules, "cryptography", None)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key)

    refused_before_any_request(run, fake_oss, "Failed to import the required Python library (cryptography)")
    assert_no_key(run, pems.first)


def test_cert_id_form_never_needs_cryptography(run_module, fake_oss, monkeypatch):
    monkeypatch.setitem(sys.modules, "cryptography", None)
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID)

    assert run["changed"] is True


def test_importing_the_module_does_not_load_cryptography():
    code = "import sys; from ansible_collections.alicloud.oss.plugins.modules import cname_certificate; print('cryptography' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=dict(os.environ))
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------
# cert_id: checked after the change, from what OSS reports
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "end_days, expected",
    [
        (10, "expires on {end}, in 9 days: renew it soon."),
        (-3, "expired on {end}, 3 days ago: renew it."),
        (400, None),
    ],
)
def test_cert_id_bound_is_held_to_its_dates_after_a_change(run_module, fake_oss, monkeypatch, end_days, expected):
    end = (datetime.now(timezone.utc) + timedelta(days=end_days, hours=-1)).replace(microsecond=0)
    original = fake_oss.certificate

    def dated(cert_id="493000001-cn-hangzhou", fingerprint=None, cert_type="CAS"):
        certificate = original(cert_id, fingerprint, cert_type)
        certificate["ValidEndDate"] = end.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return certificate

    monkeypatch.setattr(fake_oss, "certificate", dated)
    fake_oss.bind(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID)

    assert run["changed"] is True
    if expected is None:
        assert warnings(run) == []
    else:
        assert warnings(run) == [f"The certificate bound to {DOMAIN} ({NEW_ID}) " + expected.format(end=iso(end))]


def test_cert_id_converged_run_is_not_warned_again(run_module, fake_oss):
    certificate = fake_oss.certificate(OLD_ID)
    certificate["ValidEndDate"] = "Mon, 4 May 2020 10:14:51 GMT"
    fake_oss.bind(DOMAIN, certificate=certificate)
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=OLD_ID)

    assert run["changed"] is False
    assert warnings(run) == []


# ---------------------------------------------------------------------------------------------
# verification_timeout
# ---------------------------------------------------------------------------------------------


def test_unverified_domain_is_retried_until_it_binds(run_module, fake_oss, fake_time, pems):
    fake_oss.fail("PutCname", DOMAIN, code="NeedVerifyDomainOwnership", message="Please verify domain ownership.", ec="0018-00000115", times=2)
    run = run_module(cname_certificate, domain=DOMAIN, certificate=pems.first.cert, private_key=pems.first.key, verification_timeout=600)

    assert fake_oss.operations() == ["ListCname", "PutCname", "PutCname", "PutCname", "ListCname"]
    assert len(fake_time.sleeps) == 2
    assert all(0 < seconds <= 21 for seconds in fake_time.sleeps)
    assert run["changed"] is True
    assert fake_oss.bound_certificate(DOMAIN)["Fingerprint"] == pems.first.fingerprint


def test_unverified_domain_retries_stop_when_the_time_is_up(run_module, fake_oss, fake_time):
    fake_oss.unverified.add(DOMAIN)
    start = fake_time.now
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, verification_timeout=30)

    puts = fake_oss.of("PutCname")
    assert len(puts) >= 2 and len(puts) == len(fake_time.sleeps) + 1
    assert fake_time.now - start <= 30
    assert run["failed"] is True
    assert "OSS still refused after retrying for 30 s (verification_timeout)" in run["msg"]
    assert fake_oss.domains() == []


def test_without_verification_timeout_the_message_names_the_option(run_module, fake_oss, fake_time):
    fake_oss.unverified.add(DOMAIN)
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID)

    assert fake_time.sleeps == []
    assert "set verification_timeout to keep retrying" in run["msg"]


def test_certificate_update_is_not_retried(run_module, fake_oss, fake_time):
    fake_oss.bind(DOMAIN, certificate=fake_oss.certificate(OLD_ID))
    fake_oss.fail("PutCname", DOMAIN, code="NeedVerifyDomainOwnership", message="Please verify domain ownership.", ec="0018-00000115")
    run = run_module(cname_certificate, domain=DOMAIN, cert_id=NEW_ID, verification_timeout=600)

    assert fake_oss.of("PutCname") and len(fake_oss.of("PutCname")) == 1
    assert fake_time.sleeps == []
    assert run["failed"] is True
