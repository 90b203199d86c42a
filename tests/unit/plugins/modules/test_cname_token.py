# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""cname_token: what is sent, given which token OSS holds and whether the domain is bound, and what the module returns.

The module reads the bucket's bindings (ListCname) first: OSS consumes the token when it binds the domain, so a bound
domain (the state every later run of a playbook finds) is settled by that one read. Only for a domain that is not bound
does it read the token (GetCnameToken), and only when none is valid does it create one (CreateCnameToken).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

from ansible_collections.alicloud.oss.plugins.modules import cname_token

DOMAIN = "static.example.com"
TARGET = "my-bucket.oss-cn-hangzhou.aliyuncs.com"
CREATE_BODY = b"<BucketCnameConfiguration><Cname><Domain>static.example.com</Domain></Cname></BucketCnameConfiguration>"


def _parse_iso(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def test_valid_token_is_returned_unchanged_after_two_reads(run_module, fake_oss):
    value = fake_oss.token(DOMAIN, "be1d49d863dea9ffeff3df7d6455d9c2", expires_in=3600)
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    listing = fake_oss.sent[0]
    assert listing.method == "GET"
    assert listing.path == "/my-bucket/"
    assert listing.query == (("cname", ""),)
    assert listing.body is None
    sent = fake_oss.sent[1]
    assert sent.method == "GET"
    assert sent.path == "/my-bucket/"
    assert sent.query == (("comp", "token"), ("cname", DOMAIN))
    assert sent.body is None

    assert run["changed"] is False
    assert run["verified"] is False
    token = run["token"]
    assert set(token) == {"bucket", "domain", "wildcard", "token", "expire_time", "expire_time_iso", "expires_in"}
    assert token["bucket"] == "my-bucket"
    assert token["domain"] == DOMAIN
    assert token["token"] == value
    assert token["expire_time"].endswith(" GMT")
    assert isinstance(token["expires_in"], int)
    assert 3500 < token["expires_in"] <= 3600
    expected_expiry = fake_oss.tokens[("my-bucket", DOMAIN)][1]
    assert _parse_iso(token["expire_time_iso"]) == expected_expiry
    assert run["txt_record"] == {"name": "_dnsauth." + DOMAIN, "type": "TXT", "value": value}
    assert run["cname_target"] == TARGET


def test_missing_token_is_created(run_module, fake_oss):
    fake_oss.bind("other.example.com")
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken", "CreateCnameToken"]
    assert fake_oss.sent[0].method == "GET"
    assert fake_oss.sent[0].query == (("cname", ""),)
    assert fake_oss.sent[1].method == "GET"
    assert fake_oss.sent[1].query == (("comp", "token"), ("cname", DOMAIN))
    create = fake_oss.sent[2]
    assert create.method == "POST"
    assert create.query == (("cname", ""), ("comp", "token"))
    assert create.body == CREATE_BODY
    assert create.headers["Content-Type"] == "application/xml"

    created = fake_oss.tokens[("my-bucket", DOMAIN)][0]
    assert run["changed"] is True
    assert run["verified"] is False
    assert run["token"]["token"] == created
    assert run["token"]["expires_in"] > 71 * 3600
    assert run["txt_record"] == {"name": "_dnsauth." + DOMAIN, "type": "TXT", "value": created}
    assert run["cname_target"] == TARGET


def test_second_run_after_create_is_unchanged(run_module, fake_oss):
    first = run_module(cname_token, domain=DOMAIN)
    fake_oss.sent.clear()
    second = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    assert second["changed"] is False
    assert second["verified"] is False
    assert second["token"]["token"] == first["token"]["token"]


def test_check_mode_sends_only_reads(run_module, fake_oss):
    run = run_module(cname_token, domain=DOMAIN, _ansible_check_mode=True)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    assert fake_oss.tokens == {}
    assert run["changed"] is True
    assert run["token"] is None
    assert run["txt_record"] == {"name": "_dnsauth." + DOMAIN, "type": "TXT", "value": None}
    assert run["verified"] is False
    assert run["cname_target"] == TARGET


def test_check_mode_diff_announces_a_new_token(run_module, fake_oss):
    run = run_module(cname_token, domain=DOMAIN, _ansible_check_mode=True, _ansible_diff=True)

    assert run["diff"]["before"] == {"domain": DOMAIN, "token": None}
    assert run["diff"]["after"]["domain"] == DOMAIN
    assert run["diff"]["after"]["token"] is not None


def test_check_mode_with_a_valid_token_is_unchanged(run_module, fake_oss):
    value = fake_oss.token(DOMAIN)
    run = run_module(cname_token, domain=DOMAIN, _ansible_check_mode=True)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    assert run["changed"] is False
    assert run["verified"] is False
    assert run["token"]["token"] == value


def test_bound_domain_without_a_token_is_verified_and_unchanged_after_one_read(run_module, fake_oss):
    fake_oss.bind(DOMAIN)
    run = run_module(cname_token, domain=DOMAIN, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname"]
    assert fake_oss.sent[0].query == (("cname", ""),)
    assert run["changed"] is False
    assert run["verified"] is True
    assert run["token"] is None
    assert run["txt_record"] == {"name": "_dnsauth." + DOMAIN, "type": "TXT", "value": None}
    assert run["diff"]["before"] == run["diff"]["after"] == {"domain": DOMAIN, "token": None}


def test_bound_domain_in_check_mode_is_predicted_unchanged(run_module, fake_oss):
    fake_oss.bind("Static.Example.com.")
    run = run_module(cname_token, domain=DOMAIN, _ansible_check_mode=True)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["verified"] is True
    assert run["token"] is None


def test_bound_domain_with_a_valid_token_is_verified_without_reading_the_token(run_module, fake_oss):
    # The listing decides: a bound domain needs no token, so a token OSS may still hold is not read or returned.
    fake_oss.bind(DOMAIN)
    fake_oss.token(DOMAIN)
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["verified"] is True
    assert run["token"] is None
    assert run["txt_record"] == {"name": "_dnsauth." + DOMAIN, "type": "TXT", "value": None}


def test_bound_domain_needs_neither_token_permission(run_module, fake_oss):
    # Neither token request is sent for a bound domain, so refusing them changes nothing.
    fake_oss.bind(DOMAIN)
    fake_oss.fail("GetCnameToken")
    fake_oss.fail("CreateCnameToken")
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname"]
    assert run.get("failed") is None
    assert run["changed"] is False
    assert run["verified"] is True


def test_bound_domain_with_an_expired_token_is_verified(run_module, fake_oss):
    fake_oss.bind(DOMAIN)
    fake_oss.token(DOMAIN, expires_in=-60)
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["verified"] is True
    assert run["token"] is None


def test_empty_bucket_listed_as_404_still_creates(run_module, fake_oss):
    fake_oss.empty_list_404 = True
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken", "CreateCnameToken"]
    assert run["changed"] is True
    assert run["verified"] is False
    assert run["token"]["token"] == fake_oss.tokens[("my-bucket", DOMAIN)][0]


def test_no_need_to_create_means_verified_and_unchanged(run_module, fake_oss):
    fake_oss.no_token_needed.add(DOMAIN)
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken", "CreateCnameToken"]
    assert run.get("failed") is None
    assert run["changed"] is False
    assert run["verified"] is True
    assert run["token"] is None
    assert run["txt_record"] == {"name": "_dnsauth." + DOMAIN, "type": "TXT", "value": None}


def test_domain_is_normalised_everywhere(run_module, fake_oss):
    value = fake_oss.token(DOMAIN)
    run = run_module(cname_token, domain="STATIC.Example.COM.")

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    assert fake_oss.sent[1].params["cname"] == DOMAIN
    assert run["changed"] is False
    assert run["token"]["token"] == value
    assert run["txt_record"]["name"] == "_dnsauth." + DOMAIN


def test_domain_is_normalised_in_the_create_body(run_module, fake_oss):
    run_module(cname_token, domain="Static.EXAMPLE.com.")

    assert fake_oss.of("CreateCnameToken")[0].body == CREATE_BODY


def test_expired_token_returned_by_get_is_replaced(run_module, fake_oss):
    fake_oss.token(DOMAIN, "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld00", expires_in=-60)
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken", "CreateCnameToken"]
    new = fake_oss.tokens[("my-bucket", DOMAIN)][0]
    assert new != "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld00"
    assert run["changed"] is True
    assert run["token"]["token"] == new
    assert run["token"]["expires_in"] > 0
    assert run["txt_record"]["value"] == new


def test_expired_token_in_check_mode_predicts_a_new_one(run_module, fake_oss):
    fake_oss.token(DOMAIN, "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld00", expires_in=-60)
    run = run_module(cname_token, domain=DOMAIN, _ansible_check_mode=True)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    assert fake_oss.tokens[("my-bucket", DOMAIN)][0] == "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld00"
    assert run["changed"] is True
    assert run["verified"] is False
    assert run["token"] is None
    assert run["txt_record"]["value"] is None


def test_diff_of_a_created_token(run_module, fake_oss):
    run = run_module(cname_token, domain=DOMAIN, _ansible_diff=True)

    created = fake_oss.tokens[("my-bucket", DOMAIN)][0]
    assert run["diff"]["before"] == {"domain": DOMAIN, "token": None}
    assert run["diff"]["after"] == {"domain": DOMAIN, "token": created}


def test_diff_of_an_unchanged_token_is_empty(run_module, fake_oss):
    value = fake_oss.token(DOMAIN)
    run = run_module(cname_token, domain=DOMAIN, _ansible_diff=True)

    assert run["diff"]["before"] == run["diff"]["after"] == {"domain": DOMAIN, "token": value}


def test_other_oss_error_on_read_fails_with_the_error_document(run_module, fake_oss):
    fake_oss.fail("GetCnameToken", code="AccessDenied", status=403, message="You have no right to access this object.", ec="0003-00000001")
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    assert run["failed"] is True
    assert not run.get("changed")
    error = run["error"]
    assert set(error) == {"code", "message", "request_id", "host_id", "ec", "status"}
    assert error["code"] == "AccessDenied"
    assert error["message"] == "You have no right to access this object."
    assert error["status"] == 403
    assert error["ec"] == "0003-00000001"
    assert error["host_id"] == "my-bucket.oss-cn-hangzhou.aliyuncs.com"
    assert error["request_id"].startswith("67F1")
    assert "\n" not in run["msg"]
    assert "AccessDenied" in run["msg"]
    assert "oss:GetCnameToken" in run["msg"]
    assert error["request_id"] in run["msg"]


def test_list_error_fails_before_any_other_request(run_module, fake_oss):
    fake_oss.fail("ListCname")
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname"]
    assert run["failed"] is True
    assert not run.get("changed")
    assert run["error"]["code"] == "AccessDenied"
    assert "oss:ListCname" in run["msg"]


def test_error_on_create_fails_after_the_reads(run_module, fake_oss):
    fake_oss.fail(
        "CreateCnameToken", code="TooManyCnameToken", status=400, message="You have attempted to create more cname token than allowed.", ec="0018-00000303"
    )
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken", "CreateCnameToken"]
    assert run["failed"] is True
    assert run["error"]["code"] == "TooManyCnameToken"
    assert run["error"]["status"] == 400
    assert "72 hours" in run["msg"]
    assert "\n" not in run["msg"]


@pytest.mark.parametrize(
    "domain, words",
    [
        ("*.example.com", "wildcard"),
        ("example", "two labels"),
        ("bad_label.example.com", "bad_label"),
        ("", "empty"),
        ("b\u00fccher.example.com", "xn--bcher-kva.example.com"),
        ("www.example.com/path", "www.example.com/path"),
    ],
)
def test_bad_domain_is_refused_before_any_request(run_module, fake_oss, domain, words):
    run = run_module(cname_token, domain=domain)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "domain" in run["msg"]
    assert words in run["msg"]


def test_bad_bucket_is_refused_before_any_request(run_module, fake_oss):
    run = run_module(cname_token, domain=DOMAIN, bucket="my-bucket.oss-cn-hangzhou.aliyuncs.com")

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "bucket" in run["msg"]
    assert "'my-bucket'" in run["msg"]


def test_missing_domain_is_refused_by_the_argument_spec(run_module, fake_oss):
    run = run_module(cname_token)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "domain" in run["msg"]


def test_surrounding_white_space_is_ignored(run_module, fake_oss):
    run = run_module(cname_token, domain="  static.example.com  ")

    assert fake_oss.operations() == ["ListCname", "GetCnameToken", "CreateCnameToken"]
    assert fake_oss.sent[1].params["cname"] == DOMAIN
    assert fake_oss.sent[2].domain == DOMAIN
    assert run["txt_record"]["name"] == "_dnsauth." + DOMAIN


def test_v1_signature_without_a_region_has_no_cname_target(run_module, fake_oss):
    value = fake_oss.token(DOMAIN)
    run = run_module(cname_token, domain=DOMAIN, region=None, signature_version="v1")

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    assert all(sent.headers["Authorization"].startswith("OSS ") for sent in fake_oss.sent)
    assert run["token"]["token"] == value
    assert run["cname_target"] is None


def test_v4_is_the_default_signature(run_module, fake_oss):
    fake_oss.token(DOMAIN)
    run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    assert all(sent.headers["Authorization"].startswith("OSS4-HMAC-SHA256 Credential=LTAI5tModuleTestKeyId/") for sent in fake_oss.sent)


def test_answer_that_is_not_an_error_document_fails_without_an_error_code(run_module, fake_oss):
    fake_oss.fail("GetCnameToken", status=403, raw_body=b"<html><body>Forbidden by proxy</body></html>")
    run = run_module(cname_token, domain=DOMAIN)

    assert fake_oss.operations() == ["ListCname", "GetCnameToken"]
    assert run["failed"] is True
    assert run["error"]["code"] is None and run["error"]["status"] == 403
    assert "HTTP 403" in run["msg"]
    assert "\n" not in run["msg"]


def test_connection_failure_fails_with_one_line(run_module, fake_oss):
    fake_oss.transport_error = requests.exceptions.ConnectionError("Connection refused")
    run = run_module(cname_token, domain=DOMAIN, retries=0)

    assert fake_oss.operations() == ["ListCname"]
    assert run["failed"] is True
    assert run["msg"].startswith("Could not reach OSS")
    assert "127.0.0.1:9" in run["msg"]
    assert "\n" not in run["msg"]
