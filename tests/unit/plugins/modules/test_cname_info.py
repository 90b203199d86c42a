# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""cname_info: what is read and what is returned; it never writes."""

from __future__ import annotations

import pytest

from ansible_collections.alicloud.oss.plugins.modules import cname_info

A, B, C = "a.example.com", "b.example.com", "c.example.com"
CERT_ID = "493000001-cn-hangzhou"


@pytest.fixture
def bound(fake_oss):
    fake_oss.bind(C)
    fake_oss.bind(A, certificate=fake_oss.certificate(CERT_ID))
    fake_oss.bind(B, status="Disabled")
    return fake_oss


def test_lists_every_domain_sorted_with_one_request(run_module, bound):
    run = run_module(cname_info)

    assert bound.operations() == ["ListCname"]
    sent = bound.sent[0]
    assert sent.method == "GET"
    assert sent.query == (("cname", ""),)
    assert run["changed"] is False
    assert run["bucket"] == "my-bucket"
    assert run["owner"] == "1234567890123456"
    assert "token" not in run
    assert [entry["domain"] for entry in run["cnames"]] == [A, B, C]
    first = run["cnames"][0]
    assert set(first) == {"domain", "wildcard", "status", "last_modified", "is_purge_cdn_cache", "is_wildcard", "certificate"}
    assert first["status"] == "Enabled"
    assert first["last_modified"] == "2021-09-15T02:35:07.000Z"
    assert first["is_purge_cdn_cache"] is False
    assert first["is_wildcard"] is False
    certificate = first["certificate"]
    assert certificate["cert_id"] == CERT_ID
    assert certificate["type"] == "CAS"
    assert certificate["fingerprint"] == bound.certificate(CERT_ID)["Fingerprint"]
    assert certificate["creation_date"] == "Wed, 15 Sep 2021 02:35:06 GMT"
    assert certificate["valid_start_date"] == "Wed, 12 Apr 2023 10:14:51 GMT"
    assert certificate["valid_end_date_iso"] == "2048-05-04T10:14:51Z"
    assert isinstance(certificate["days_to_expiry"], int)
    assert run["cnames"][1]["status"] == "Disabled"
    assert run["cnames"][1]["certificate"] is None


def test_empty_bucket_lists_nothing(run_module, fake_oss):
    run = run_module(cname_info)

    assert fake_oss.operations() == ["ListCname"]
    assert run["cnames"] == []
    assert run["owner"] == "1234567890123456"


def test_404_no_such_cname_is_an_empty_list(run_module, fake_oss):
    fake_oss.empty_list_404 = True
    run = run_module(cname_info)

    assert fake_oss.operations() == ["ListCname"]
    assert run.get("failed") is None
    assert run["cnames"] == []
    assert run["bucket"] == "my-bucket"
    assert run["owner"] is None


@pytest.mark.parametrize("given", [B, "B.Example.COM", "b.example.com."])
def test_domain_filter_is_normalised(run_module, bound, given):
    run = run_module(cname_info, domain=given)

    assert bound.operations() == ["ListCname"]
    assert [entry["domain"] for entry in run["cnames"]] == [B]


def test_filter_on_an_unbound_domain_gives_an_empty_list(run_module, bound):
    run = run_module(cname_info, domain="d.example.com")

    assert run["cnames"] == []
    assert run["changed"] is False


def test_include_token_reads_the_token(run_module, bound):
    value = bound.token(A, "be1d49d863dea9ffeff3df7d6455d9c2", expires_in=7200)
    run = run_module(cname_info, domain="A.example.com.", include_token=True)

    assert bound.operations() == ["ListCname", "GetCnameToken"]
    assert bound.sent[1].query == (("comp", "token"), ("cname", A))
    assert [entry["domain"] for entry in run["cnames"]] == [A]
    token = run["token"]
    assert token["token"] == value
    assert token["domain"] == A
    assert token["bucket"] == "my-bucket"
    assert isinstance(token["expires_in"], int) and 7000 < token["expires_in"] <= 7200
    assert token["expire_time_iso"].endswith("Z")
    assert run["changed"] is False


def test_include_token_without_a_token_gives_null(run_module, bound):
    run = run_module(cname_info, domain=A, include_token=True)

    assert bound.operations() == ["ListCname", "GetCnameToken"]
    assert run.get("failed") is None
    assert "token" in run
    assert run["token"] is None
    assert bound.tokens == {}


def test_include_token_without_domain_is_refused(run_module, fake_oss):
    run = run_module(cname_info, include_token=True)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "include_token" in run["msg"]
    assert "domain" in run["msg"]


def test_bad_domain_filter_is_refused(run_module, fake_oss):
    run = run_module(cname_info, domain="*.*.example.com")

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith("domain ")


def test_check_mode_works_the_same(run_module, bound):
    bound.token(A)
    normal = run_module(cname_info, domain=A, include_token=True)
    checked = run_module(cname_info, domain=A, include_token=True, _ansible_check_mode=True)

    assert bound.operations() == ["ListCname", "GetCnameToken"] * 2
    for key in ("changed", "bucket", "owner", "cnames"):
        assert checked[key] == normal[key]
    assert checked["token"]["token"] == normal["token"]["token"]


def test_list_error_fails_with_the_error_document(run_module, fake_oss):
    fake_oss.fail("ListCname", code="NoSuchBucket", status=404, message="The specified bucket does not exist.", ec="0015-00000101")
    run = run_module(cname_info)

    assert fake_oss.operations() == ["ListCname"]
    assert run["failed"] is True
    assert run["error"]["code"] == "NoSuchBucket"
    assert run["error"]["status"] == 404
    assert "region" in run["msg"]
    assert "\n" not in run["msg"]


def test_token_error_fails(run_module, bound):
    bound.fail("GetCnameToken")
    run = run_module(cname_info, domain=A, include_token=True)

    assert run["failed"] is True
    assert run["error"]["code"] == "AccessDenied"
    assert "oss:GetCnameToken" in run["msg"]


def test_never_writes(run_module, bound):
    run_module(cname_info)
    run_module(cname_info, domain=A, include_token=True)

    assert bound.writes() == []
