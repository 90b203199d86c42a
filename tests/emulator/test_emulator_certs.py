# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PutCname certificate handling: CAS ids, PEM uploads, PreviousCertId/Force, DeleteCertificate, booleans."""

import copy
import datetime

import pytest

from emu_helpers import CERT_1, CERT_2, OssClient, bind, control, listed, make_certificate, sha1_fingerprint
from ossemu.config import load_config

DOMAIN = "tls.example.com"


@pytest.fixture(scope="module")
def pem():
    """One certificate + key pair, plus a second unrelated key, generated once for the module."""
    cert_pem, key_pem, der, certificate, _key = make_certificate(DOMAIN, not_before=datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc))
    _other_cert, other_key_pem, _der, _cert, _other_key = make_certificate("other.example.com")
    return {"cert": cert_pem, "key": key_pem, "der": der, "object": certificate, "other_key": other_key_pem}


@pytest.fixture
def bound(emulator, client):
    """DOMAIN bound to demo-bucket, with CERT_1 attached."""
    assert bind(client, emulator, DOMAIN, CertId=CERT_1, Force="true").status == 200
    return client


def certificate_of(client, domain=DOMAIN):
    return listed(client)[domain]["Certificate"]


def test_first_bind_needs_no_force(emulator, client):
    assert bind(client, emulator, DOMAIN, CertId=CERT_1).status == 200
    shown = certificate_of(client)
    assert (shown["CertId"], shown["Type"], shown["Status"]) == (CERT_1, "CAS", "Enabled")
    assert shown["Fingerprint"] == load_config()["certificates"][0]["fingerprint"]
    assert shown["ValidStartDate"] == "Wed, 1 Jan 2025 00:00:00 GMT"
    assert sorted(shown) == ["CertId", "CreationDate", "Fingerprint", "Status", "Type", "ValidEndDate", "ValidStartDate"]


def test_unknown_cas_id(emulator, client):
    response = bind(client, emulator, DOMAIN, CertId="99999999-cn-hangzhou", Force="true")
    assert (response.status, response.code, response.error["EC"]) == (400, "CertificateInvalidCasId", "0018-00000204")
    assert DOMAIN not in listed(client)  # nothing was bound


def test_cas_id_of_another_owner(make_emulator):
    config = copy.deepcopy(load_config())
    config["certificates"].append(
        {
            "cert_id": "34567890-cn-hangzhou",
            "owner": "6543210987654321",
            "fingerprint": "AA:" * 19 + "AA",
            "valid_start_date": "Wed, 1 Jan 2025 00:00:00 GMT",
            "valid_end_date": "Thu, 1 Jan 2026 00:00:00 GMT",
        }
    )
    emulator = make_emulator(config=config, ownership="token")
    response = bind(OssClient(emulator.endpoint), emulator, DOMAIN, CertId="34567890-cn-hangzhou")
    assert response.code == "CertificateInvalidCasId"


def test_replace_with_matching_previous_cert_id(bound):
    assert bound.put_cname("demo-bucket", DOMAIN, CertId=CERT_2, PreviousCertId=CERT_1).status == 200
    assert certificate_of(bound)["CertId"] == CERT_2


def test_previous_cert_id_mismatch(bound):
    response = bound.put_cname("demo-bucket", DOMAIN, CertId=CERT_2, PreviousCertId=CERT_2)
    assert (response.status, response.code, response.error["EC"]) == (400, "InvalidArgument", "0018-00000209")
    assert certificate_of(bound)["CertId"] == CERT_1


def test_previous_cert_id_mismatch_is_overridden_by_force(bound):
    assert bound.put_cname("demo-bucket", DOMAIN, CertId=CERT_2, PreviousCertId="1-cn-hangzhou", Force="true").status == 200


def test_replacing_a_bound_certificate_without_previous_id_needs_force(bound):
    response = bound.put_cname("demo-bucket", DOMAIN, CertId=CERT_2)
    assert (response.status, response.error["EC"]) == (400, "0018-00000209")
    assert bound.put_cname("demo-bucket", DOMAIN, CertId=CERT_2, Force="false").error["EC"] == "0018-00000209"
    assert bound.put_cname("demo-bucket", DOMAIN, CertId=CERT_2, Force="True").status == 200


def test_previous_cert_id_when_nothing_is_bound(emulator, client):
    assert bind(client, emulator, DOMAIN, CertId=CERT_1, PreviousCertId=CERT_2).error["EC"] == "0018-00000209"


def test_force_with_delete_certificate_is_malformed(bound):
    for force in ("true", "false"):
        response = bound.put_cname("demo-bucket", DOMAIN, DeleteCertificate="true", Force=force)
        assert (response.status, response.code) == (400, "MalformedXML")
    assert certificate_of(bound)["CertId"] == CERT_1


def test_delete_certificate_alone_unbinds(bound):
    assert bound.put_cname("demo-bucket", DOMAIN, DeleteCertificate="True").status == 200
    assert certificate_of(bound) is None
    assert bound.put_cname("demo-bucket", DOMAIN, DeleteCertificate="true").status == 200  # no-op when none is bound
    assert DOMAIN in listed(bound)


def test_delete_certificate_false_changes_nothing(bound):
    assert bound.put_cname("demo-bucket", DOMAIN, DeleteCertificate="False").status == 200
    assert certificate_of(bound)["CertId"] == CERT_1


@pytest.mark.parametrize("value", ["1", "0", "yes", "TRUE", ""])
def test_booleans_other_than_true_false_are_malformed(bound, value):
    response = bound.put_cname("demo-bucket", DOMAIN, CertId=CERT_2, Force=value)
    assert (response.status, response.code) == (400, "MalformedXML")


def test_pem_upload_creates_a_cas_certificate(emulator, client, pem):
    assert bind(client, emulator, DOMAIN, Certificate=pem["cert"], PrivateKey=pem["key"]).status == 200
    shown = certificate_of(client)
    assert shown["Fingerprint"] == sha1_fingerprint(pem["der"])
    assert shown["ValidStartDate"] == "Thu, 2 Jan 2025 03:04:05 GMT"
    assert shown["ValidEndDate"] == "Wed, 2 Apr 2025 03:04:05 GMT"  # 90 days later
    assert (shown["Type"], shown["Status"]) == ("CAS", "Enabled")
    number, region = shown["CertId"].split("-", 1)
    assert len(number) == 8 and number.isdigit() and region == "cn-hangzhou"
    assert b"BEGIN" not in client.list_cname("demo-bucket").body
    assert [entry["cert_action"] for entry in emulator.requests if entry["operation"] == "PutCname"] == ["upload"]


def test_uploaded_certificate_can_be_referenced_by_its_id(emulator, client, pem):
    bind(client, emulator, DOMAIN, Certificate=pem["cert"], PrivateKey=pem["key"])
    cert_id = certificate_of(client)["CertId"]
    assert bind(client, emulator, "second.example.com", CertId=cert_id).status == 200
    assert certificate_of(client, "second.example.com")["Fingerprint"] == sha1_fingerprint(pem["der"])


def test_each_upload_gets_a_new_id(bound, pem):
    bound.put_cname("demo-bucket", DOMAIN, Certificate=pem["cert"], PrivateKey=pem["key"], Force="true")
    first = certificate_of(bound)["CertId"]
    bound.put_cname("demo-bucket", DOMAIN, Certificate=pem["cert"], PrivateKey=pem["key"], PreviousCertId=first)
    assert certificate_of(bound)["CertId"] not in (first, CERT_1)


def test_chain_upload_fingerprints_the_leaf(emulator, client):
    ca_pem, _ca_key_pem, _ca_der, ca_cert, ca_key = make_certificate("Emulator Test CA")
    leaf_pem, leaf_key_pem, leaf_der, _leaf, _key = make_certificate(DOMAIN, issuer=(ca_cert, ca_key))
    assert bind(client, emulator, DOMAIN, Certificate=leaf_pem + ca_pem, PrivateKey=leaf_key_pem).status == 200
    assert certificate_of(client)["Fingerprint"] == sha1_fingerprint(leaf_der)


def test_key_that_does_not_match(emulator, client, pem):
    response = bind(client, emulator, DOMAIN, Certificate=pem["cert"], PrivateKey=pem["other_key"])
    assert (response.status, response.code) == (400, "InvalidArgument")
    assert "does not match" in response.error["Message"]
    assert control(emulator.endpoint, "GET", "state")[1]["uploaded_certificates"] == []


@pytest.mark.parametrize("field", ["Certificate", "PrivateKey"])
def test_unparseable_pem(emulator, client, pem, field):
    parts = {"Certificate": pem["cert"], "PrivateKey": pem["key"]}
    label = "CERTIFICATE" if field == "Certificate" else "PRIVATE KEY"
    parts[field] = "-----BEGIN %s-----\nbm90IGEgcGVt\n-----END %s-----" % (label, label)
    response = bind(client, emulator, DOMAIN, **parts)
    assert (response.status, response.code) == (400, "InvalidArgument")
    assert ("certificate" if field == "Certificate" else "private key") in response.error["Message"]


def test_private_key_without_certificate(emulator, client, pem):
    response = bind(client, emulator, DOMAIN, PrivateKey=pem["key"])
    assert (response.status, response.code, response.error["EC"]) == (400, "InvalidArgument", "0018-00000210")


def test_certificate_without_private_key(emulator, client, pem):
    assert bind(client, emulator, DOMAIN, Certificate=pem["cert"]).code == "InvalidArgument"


def test_cert_id_and_pem_together_are_refused(emulator, client, pem):
    assert bind(client, emulator, DOMAIN, CertId=CERT_1, Certificate=pem["cert"], PrivateKey=pem["key"]).code == "InvalidArgument"


def test_unbound_domain_with_certificate_still_needs_ownership(dns_emulator):
    client = OssClient(dns_emulator.endpoint)
    response = client.put_cname("demo-bucket", DOMAIN, CertId=CERT_1, Force="true")
    assert response.code == "NeedVerifyDomainOwnership"
    assert bind(client, dns_emulator, DOMAIN, CertId=CERT_1, Force="true").status == 200
    assert certificate_of(client)["CertId"] == CERT_1


def test_certificate_elements_order_does_not_matter(emulator, client):
    body = (
        "<BucketCnameConfiguration><Cname><Domain>%s</Domain><CertificateConfiguration><Force>true</Force>"
        "<CertId>%s</CertId></CertificateConfiguration></Cname></BucketCnameConfiguration>" % (DOMAIN, CERT_1)
    ).encode("ascii")
    client.create_token("demo-bucket", DOMAIN)
    assert client.put_cname("demo-bucket", DOMAIN, body=body).status == 200
    assert emulator.requests[-1]["cert_action"] == "cert_id"


def test_state_never_holds_pem_or_keys(emulator, client, pem):
    bind(client, emulator, DOMAIN, Certificate=pem["cert"], PrivateKey=pem["key"])
    _status, state = control(emulator.endpoint, "GET", "state")
    text = str(state)
    assert "BEGIN" not in text and "PRIVATE" not in text
    assert state["buckets"]["demo-bucket"][DOMAIN]["certificate"]["fingerprint"] == sha1_fingerprint(pem["der"])
