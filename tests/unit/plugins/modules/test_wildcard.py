# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Wildcard domains on Agentic Buckets through every module: what goes on the wire, what comes back, and the refusals."""

from __future__ import annotations

import pytest

from ansible_collections.alicloud.oss.plugins.modules import cname, cname_certificate, cname_info, cname_token
from ansible_collections.alicloud.oss.tests.support.certs import make_certificate

AGENTIC = "agents-1234567890123456-cn-hangzhou-ab-apsr"
WILD = "*.spaces.example.com"
BASE = "spaces.example.com"
CERT_ID = "493000001-cn-hangzhou"

pytestmark = pytest.mark.usefixtures("fake_time")


def kinds(fake_oss) -> list:
    return [(sent.operation, sent.kind) for sent in fake_oss.sent]


# ---- cname_token --------------------------------------------------------------------------------------------------


def test_token_for_a_wildcard_names_the_base_domain_record(run_module, fake_oss):
    first = run_module(cname_token, bucket=AGENTIC, domain="*.Spaces.Example.com.")
    second = run_module(cname_token, bucket=AGENTIC, domain=WILD)

    assert first["changed"] is True and second["changed"] is False
    assert first["token"]["domain"] == WILD and first["token"]["wildcard"] is True
    assert first["txt_record"] == {"name": f"_dnsauth.{BASE}", "type": "TXT", "value": first["token"]["token"]}
    assert second["token"]["token"] == first["token"]["token"]
    assert kinds(fake_oss) == [
        ("ListCname", None),
        ("GetCnameToken", "true"),
        ("CreateCnameToken", "true"),
        ("ListCname", None),
        ("GetCnameToken", "true"),
    ]
    assert fake_oss.of("GetCnameToken")[0].params["cname"] == BASE


def test_exact_and_wildcard_of_one_base_domain_have_tokens_of_their_own(run_module, fake_oss):
    wild = run_module(cname_token, bucket=AGENTIC, domain=WILD)
    exact = run_module(cname_token, bucket=AGENTIC, domain=BASE)

    assert exact["changed"] is True
    assert exact["token"]["token"] != wild["token"]["token"]
    assert exact["token"]["wildcard"] is False
    assert exact["txt_record"]["name"] == wild["txt_record"]["name"] == f"_dnsauth.{BASE}"
    assert ("CreateCnameToken", "false") in kinds(fake_oss)


def test_bound_wildcard_is_verified_with_one_read(run_module, fake_oss):
    fake_oss.bind(WILD, bucket=AGENTIC)
    run = run_module(cname_token, bucket=AGENTIC, domain=WILD)

    assert run["verified"] is True and run["changed"] is False
    assert fake_oss.operations() == ["ListCname"]


def test_exact_domain_is_not_verified_by_its_bound_wildcard(run_module, fake_oss):
    fake_oss.bind(WILD, bucket=AGENTIC)
    run = run_module(cname_token, bucket=AGENTIC, domain=BASE, _ansible_check_mode=True)

    assert run["verified"] is False and run["changed"] is True


@pytest.mark.parametrize("module", [cname_token, cname, cname_certificate])
def test_wildcard_on_a_standard_bucket_is_refused_before_any_request(run_module, fake_oss, module):
    args = {"cert_id": CERT_ID} if module is cname_certificate else {}
    run = run_module(module, domain=WILD, **args)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"] == (
        f"domain '{WILD}' cannot be bound to bucket my-bucket: OSS binds wildcard domains (*.example.com) only to Agentic "
        "Buckets, whose names end in -<account id>-<region>-ab-apsr."
    )


@pytest.mark.parametrize("module", [cname_token, cname])
def test_v1_is_refused_on_an_agentic_bucket_before_any_request(run_module, fake_oss, module):
    run = run_module(module, bucket=AGENTIC, domain=BASE, signature_version="v1")

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "signature_version v4" in run["msg"]


# ---- cname ----------------------------------------------------------------------------------------------------------


def test_bind_states_the_kind_of_every_domain_and_converges(run_module, fake_oss):
    first = run_module(cname, bucket=AGENTIC, domains=[WILD, BASE])
    second = run_module(cname, bucket=AGENTIC, domains=[BASE, WILD])

    assert first["changed"] is True and first["added"] == [WILD, BASE]
    assert first["domains"] == second["domains"] == [WILD, BASE]
    assert second["changed"] is False
    assert sorted(kind for operation, kind in kinds(fake_oss) if operation == "PutCname") == ["false", "true"]
    assert fake_oss.operations()[3:] == ["ListCname"]
    assert fake_oss.domains(AGENTIC) == [WILD, BASE]


def test_purge_tells_the_wildcard_from_its_exact_domain(run_module, fake_oss):
    fake_oss.bind(WILD, bucket=AGENTIC)
    fake_oss.bind(BASE, bucket=AGENTIC)
    first = run_module(cname, bucket=AGENTIC, domains=[WILD], purge=True)
    second = run_module(cname, bucket=AGENTIC, domains=[WILD], purge=True)

    assert first["removed"] == [BASE] and first["domains"] == [WILD]
    (delete,) = fake_oss.of("DeleteCname")
    assert delete.params["wildcard"] == "false"
    assert delete.xml.findtext("Cname/Domain") == BASE
    assert second["changed"] is False and len(fake_oss.writes()) == 1


def test_unbind_of_a_wildcard_sends_wildcard_true_and_converges(run_module, fake_oss):
    fake_oss.bind(WILD, bucket=AGENTIC)
    fake_oss.bind(BASE, bucket=AGENTIC)
    first = run_module(cname, bucket=AGENTIC, domain=WILD, state="absent")
    second = run_module(cname, bucket=AGENTIC, domain=WILD, state="absent")

    assert first["removed"] == [WILD] and first["domains"] == [BASE]
    assert fake_oss.of("DeleteCname")[0].params["wildcard"] == "true"
    assert second["changed"] is False and len(fake_oss.writes()) == 1


def test_standard_bucket_requests_are_unchanged(run_module, fake_oss):
    run_module(cname, domains=["a.example.com"])
    run_module(cname, domains=[], purge=True)

    for sent in fake_oss.sent:
        assert "wildcard" not in sent.params
        assert sent.body is None or b"IsWildCard" not in sent.body


# ---- cname_certificate ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wildcard_pem():
    return make_certificate(WILD, valid_days=(-1, 90))


def test_wildcard_certificate_binds_and_converges(run_module, fake_oss, wildcard_pem):
    fake_oss.bind(WILD, bucket=AGENTIC)
    args = dict(bucket=AGENTIC, domain=WILD, certificate=wildcard_pem.cert_pem, private_key=wildcard_pem.key_pem)
    first = run_module(cname_certificate, **args)
    second = run_module(cname_certificate, **args)

    assert first["changed"] is True and second["changed"] is False
    put = fake_oss.of("PutCname")[0]
    assert (put.xml.findtext("Cname/Domain"), put.kind) == (BASE, "true")
    assert fake_oss.bound_certificate(WILD, bucket=AGENTIC)["Fingerprint"] == wildcard_pem.fingerprint
    assert len(fake_oss.writes()) == 1


@pytest.mark.parametrize("names", [[BASE], [f"www.{BASE}"], ["*.example.com"]])
def test_certificate_that_does_not_name_the_wildcard_is_refused(run_module, fake_oss, names):
    pem = make_certificate(names[0], valid_days=(-1, 90), names=names)
    run = run_module(cname_certificate, bucket=AGENTIC, domain=WILD, certificate=pem.cert_pem, private_key=pem.key_pem)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith(f"certificate does not cover {WILD}: it is for {names[0]} (subjectAltName).")
    assert "a wildcard domain needs that very wildcard name" in run["msg"]


def test_wildcard_certificate_serves_a_host_under_it(run_module, fake_oss, wildcard_pem):
    run = run_module(cname_certificate, domain=f"a.{BASE}", certificate=wildcard_pem.cert_pem, private_key=wildcard_pem.key_pem)

    assert run["changed"] is True


# ---- cname_info -----------------------------------------------------------------------------------------------------


def test_info_lists_the_wildcard_beside_its_exact_domain(run_module, fake_oss):
    fake_oss.bind(WILD, bucket=AGENTIC, certificate=fake_oss.certificate(CERT_ID))
    fake_oss.bind(BASE, bucket=AGENTIC)
    run = run_module(cname_info, bucket=AGENTIC)

    assert [(entry["domain"], entry["wildcard"], entry["is_wildcard"]) for entry in run["cnames"]] == [(WILD, True, True), (BASE, False, False)]


def test_info_filter_and_token_of_a_wildcard(run_module, fake_oss):
    fake_oss.bind(BASE, bucket=AGENTIC)
    fake_oss.token(WILD, bucket=AGENTIC)
    run = run_module(cname_info, bucket=AGENTIC, domain=WILD, include_token=True)

    assert run["cnames"] == []
    assert run["token"]["domain"] == WILD and run["token"]["wildcard"] is True
    assert kinds(fake_oss) == [("ListCname", None), ("GetCnameToken", "true")]


def test_info_token_of_a_wildcard_on_a_standard_bucket_is_refused_before_any_request(run_module, fake_oss):
    run = run_module(cname_info, domain=WILD, include_token=True)

    assert fake_oss.sent == []
    assert "only to Agentic Buckets" in run["msg"]


def test_fleet_view_marks_wildcards_and_their_expiry(run_module, fake_oss):
    fake_oss.add_buckets(AGENTIC, "my-bucket")
    soon = dict(fake_oss.certificate(CERT_ID), ValidEndDate="Mon, 1 Jan 2001 00:00:00 GMT")
    fake_oss.bind(WILD, bucket=AGENTIC, certificate=soon)
    fake_oss.bind("a.example.com", bucket="my-bucket")
    run = run_module(cname_info, bucket=None, all_buckets=True, expiring_within_days=30)

    by_bucket = {entry["bucket"]: entry["cnames"] for entry in run["buckets"]}
    assert [(entry["domain"], entry["wildcard"]) for entry in by_bucket[AGENTIC]] == [(WILD, True)]
    assert [(entry["domain"], entry["wildcard"]) for entry in by_bucket["my-bucket"]] == [("a.example.com", False)]
    assert [(item["domain"], item["wildcard"]) for item in run["expiring"]] == [(WILD, True)]
