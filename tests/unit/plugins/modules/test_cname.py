# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""cname: which PutCname/DeleteCname requests are sent, given what is bound, and what the module returns."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils import _binding, _http
from ansible_collections.alicloud.oss.plugins.modules import cname
from ansible_collections.alicloud.oss.plugins.modules.cname import plan

A, B, C, D = "a.example.com", "b.example.com", "c.example.com", "d.example.com"
TARGET = "my-bucket.oss-cn-hangzhou.aliyuncs.com"


def body(domain):
    return f"<BucketCnameConfiguration><Cname><Domain>{domain}</Domain></Cname></BucketCnameConfiguration>".encode()


# Every test runs on the virtual clock of conftest's fake_time: a verification wait only moves it.
pytestmark = pytest.mark.usefixtures("fake_time")


# ---------------------------------------------------------------------------------------------
# plan()
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bound, wanted, state, purge, expected",
    [
        (set(), [A], "present", False, ([A], [])),
        ({A}, [A], "present", False, ([], [])),
        ({A, B}, [A], "present", False, ([], [])),
        ({A, B}, [A], "present", True, ([], [B])),
        ({C, A}, [B, A], "present", True, ([B], [C])),
        ({D, C}, [B, A], "present", True, ([A, B], [C, D])),
        ({A, B}, [], "present", True, ([], [A, B])),
        ({A, B}, [], "present", False, ([], [])),
        ({A}, [A], "absent", False, ([], [A])),
        ({A, B}, [B, A, C], "absent", False, ([], [A, B])),
        (set(), [A], "absent", False, ([], [])),
        ({A, B}, [A], "absent", True, ([], [A])),
        ({A, B}, [A, A], "present", False, ([], [])),
    ],
)
def test_plan(bound, wanted, state, purge, expected):
    assert plan(bound, wanted, state, purge) == expected


def test_plan_results_are_sorted_lists():
    to_add, to_remove = plan({"z.example.com", "y.example.com"}, [D, B, C], "present", True)
    assert to_add == [B, C, D]
    assert to_remove == ["y.example.com", "z.example.com"]


# ---------------------------------------------------------------------------------------------
# One domain
# ---------------------------------------------------------------------------------------------


def test_bound_domain_is_unchanged_after_one_read(run_module, fake_oss):
    fake_oss.bind(A)
    run = run_module(cname, domain=A, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname"]
    listing = fake_oss.sent[0]
    assert listing.method == "GET"
    assert listing.query == (("cname", ""),)
    assert run["changed"] is False
    assert run["domains"] == [A]
    assert run["added"] == []
    assert run["removed"] == []
    assert run["cname_target"] == TARGET
    assert run["diff"] == {"before": {"domains": [A]}, "after": {"domains": [A]}}


def test_missing_domain_is_bound(run_module, fake_oss):
    fake_oss.bind(C)
    run = run_module(cname, domain=B, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname", "PutCname"]
    put = fake_oss.sent[1]
    assert put.method == "POST"
    assert put.query == (("cname", ""), ("comp", "add"))
    assert put.body == body(B)
    assert fake_oss.domains() == [B, C]
    assert run["changed"] is True
    assert run["domains"] == [B, C]
    assert run["added"] == [B]
    assert run["removed"] == []
    assert run["diff"] == {"before": {"domains": [C]}, "after": {"domains": [B, C]}}


def test_bind_into_an_empty_bucket_listed_as_404(run_module, fake_oss):
    fake_oss.empty_list_404 = True
    run = run_module(cname, domain=A)

    assert fake_oss.operations() == ["ListCname", "PutCname"]
    assert run["changed"] is True
    assert run["domains"] == [A]


def test_absent_unbinds(run_module, fake_oss):
    fake_oss.bind(A)
    fake_oss.bind(B)
    run = run_module(cname, domain=A, state="absent", _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname", "DeleteCname"]
    delete = fake_oss.sent[1]
    assert delete.method == "POST"
    assert delete.query == (("cname", ""), ("comp", "delete"))
    assert delete.body == body(A)
    assert fake_oss.domains() == [B]
    assert run["changed"] is True
    assert run["domains"] == [B]
    assert run["added"] == []
    assert run["removed"] == [A]
    assert run["diff"] == {"before": {"domains": [A, B]}, "after": {"domains": [B]}}


def test_absent_of_an_unbound_domain_is_unchanged(run_module, fake_oss):
    fake_oss.bind(B)
    run = run_module(cname, domain=A, state="absent")

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["domains"] == [B]
    assert run["removed"] == []


def test_delete_answered_with_404_no_such_cname_is_success(run_module, fake_oss):
    fake_oss.bind(A)
    fake_oss.fail("DeleteCname", A, code="NoSuchCname", status=404, message="The specified cname does not exist.", ec="0018-00000300")
    run = run_module(cname, domain=A, state="absent")

    assert fake_oss.operations() == ["ListCname", "DeleteCname"]
    assert run.get("failed") is None
    assert run["domains"] == []
    # OSS said the domain was not bound: this run removed nothing.
    assert run["removed"] == []
    assert run["changed"] is False


@pytest.mark.parametrize("given", ["A.Example.COM", "a.example.com.", "A.EXAMPLE.COM."])
def test_domains_compare_case_insensitively_without_trailing_dot(run_module, fake_oss, given):
    fake_oss.bind(A)
    present = run_module(cname, domain=given)
    assert present["changed"] is False
    assert fake_oss.operations() == ["ListCname"]

    absent = run_module(cname, domain=given, state="absent")
    assert absent["removed"] == [A]
    assert fake_oss.of("DeleteCname")[0].body == body(A)


def test_listing_in_upper_case_compares_equal(run_module, fake_oss):
    fake_oss.bind("A.Example.Com.")
    run = run_module(cname, domain=A)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["domains"] == [A]


def test_check_mode_sends_no_write_and_predicts(run_module, fake_oss):
    fake_oss.bind(C)
    fake_oss.bind(D)
    run = run_module(cname, domains=[B, A, C], purge=True, _ansible_check_mode=True, _ansible_diff=True)

    assert fake_oss.operations() == ["ListCname"]
    assert fake_oss.domains() == [C, D]
    assert run["changed"] is True
    assert run["domains"] == [A, B, C]
    assert run["added"] == [A, B]
    assert run["removed"] == [D]
    assert run["diff"] == {"before": {"domains": [C, D]}, "after": {"domains": [A, B, C]}}


def test_check_mode_absent_predicts(run_module, fake_oss):
    fake_oss.bind(A)
    run = run_module(cname, domain=A, state="absent", _ansible_check_mode=True)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is True
    assert run["removed"] == [A]
    assert run["domains"] == []


# ---------------------------------------------------------------------------------------------
# Several domains, purge
# ---------------------------------------------------------------------------------------------


def test_domains_with_purge_binds_missing_and_unbinds_unlisted(run_module, fake_oss):
    fake_oss.bind(A)
    fake_oss.bind(C)
    fake_oss.bind(D)
    run = run_module(cname, domains=[B, A], purge=True, concurrency=1)

    assert fake_oss.operations() == ["ListCname", "PutCname", "DeleteCname", "DeleteCname"]
    assert [sent.body for sent in fake_oss.sent[1:]] == [body(B), body(C), body(D)]
    assert fake_oss.domains() == [A, B]
    assert run["changed"] is True
    assert run["domains"] == [A, B]
    assert run["added"] == [B]
    assert run["removed"] == [C, D]


def test_domains_without_purge_keep_unlisted(run_module, fake_oss):
    fake_oss.bind(C)
    run = run_module(cname, domains=[A, B])

    assert sorted(sent.domain for sent in fake_oss.of("PutCname")) == [A, B]
    assert fake_oss.of("DeleteCname") == []
    assert run["domains"] == [A, B, C]
    assert run["added"] == [A, B]
    assert run["removed"] == []


@pytest.mark.parametrize("state", ["present", "absent"])
def test_purge_with_domain_is_refused_before_any_request(run_module, fake_oss, state):
    fake_oss.bind(C)
    fake_oss.bind(D)
    run = run_module(cname, domain=A, purge=True, state=state)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"] == (
        "purge needs domains, the complete list to keep; with domain it would do nothing. To keep only a.example.com, "
        "set domains: ['a.example.com'] with purge: true; otherwise drop purge."
    )
    assert fake_oss.domains() == [C, D]


def test_purge_with_state_absent_only_removes_listed(run_module, fake_oss):
    fake_oss.bind(A)
    fake_oss.bind(B)
    run = run_module(cname, domains=[A], state="absent", purge=True)

    assert fake_oss.operations() == ["ListCname", "DeleteCname"]
    assert run["domains"] == [B]


def test_duplicate_domains_count_once(run_module, fake_oss):
    run = run_module(cname, domains=[A, "A.example.com.", "a.EXAMPLE.com"])

    assert fake_oss.operations() == ["ListCname", "PutCname"]
    assert run["added"] == [A]


def test_converged_domains_send_one_read(run_module, fake_oss):
    for domain in (A, B, C):
        fake_oss.bind(domain)
    run = run_module(cname, domains=[C, "B.example.com.", A], purge=True)

    assert fake_oss.operations() == ["ListCname"]
    assert run["changed"] is False
    assert run["domains"] == [A, B, C]


def test_empty_domains_with_purge_unbinds_everything(run_module, fake_oss):
    fake_oss.bind(A)
    fake_oss.bind(B)
    run = run_module(cname, domains=[], purge=True)

    assert fake_oss.operations() == ["ListCname", "DeleteCname", "DeleteCname"]
    assert run["removed"] == [A, B]
    assert run["domains"] == []


def test_absent_with_domains_removes_only_bound_ones(run_module, fake_oss):
    fake_oss.bind(A)
    fake_oss.bind(C)
    run = run_module(cname, domains=[C, B, A], state="absent")

    assert sorted(sent.domain for sent in fake_oss.of("DeleteCname")) == [A, C]
    assert run["removed"] == [A, C]
    assert run["domains"] == []


def test_bound_certificate_is_never_touched(run_module, fake_oss):
    certificate = fake_oss.certificate("493000001-cn-hangzhou")
    fake_oss.bind(A, certificate=dict(certificate))
    fake_oss.bind(C, certificate=fake_oss.certificate("493000002-cn-hangzhou"))
    run = run_module(cname, domains=[A, B], purge=True)

    assert sorted(fake_oss.operations()) == ["DeleteCname", "ListCname", "PutCname"]
    assert fake_oss.of("PutCname")[0].body == body(B)
    for sent in fake_oss.sent:
        assert b"CertificateConfiguration" not in (sent.body or b"")
    assert fake_oss.bound_certificate(A) == certificate
    assert run["domains"] == [A, B]


def test_concurrency_one_sends_in_order_one_at_a_time(run_module, fake_oss):
    fake_oss.bind(D)
    run_module(cname, domains=[C, A, B], purge=True, concurrency=1)

    assert [(sent.operation, sent.domain) for sent in fake_oss.sent[1:]] == [("PutCname", A), ("PutCname", B), ("PutCname", C), ("DeleteCname", D)]
    assert fake_oss.max_in_flight == 1


def test_concurrency_sends_requests_at_the_same_time(run_module, fake_oss):
    fake_oss.barrier = threading.Barrier(2, timeout=5)
    run = run_module(cname, domains=[A, B, C, D], concurrency=4)

    assert fake_oss.max_in_flight >= 2
    assert run["added"] == [A, B, C, D]
    assert fake_oss.domains() == [A, B, C, D]


@pytest.mark.parametrize("concurrency, pool_size", [(4, 10), (10, 10), (12, 12)])
def test_concurrency_beyond_ten_connections_gets_a_pool_as_large(run_module, fake_oss, concurrency, pool_size):
    domains = [f"d{number:02d}.example.com" for number in range(12)]
    run = run_module(cname, domains=domains, concurrency=concurrency)

    assert run["added"] == sorted(domains)
    assert [session.pool_size for session in fake_oss.sessions] == [pool_size]


# ---------------------------------------------------------------------------------------------
# Ownership verification
# ---------------------------------------------------------------------------------------------


def test_ownership_error_names_the_txt_record_and_token(run_module, fake_oss, fake_time):
    token = fake_oss.token(A, "be1d49d863dea9ffeff3df7d6455d9c2")
    fake_oss.unverified.add(A)
    run = run_module(cname, domain=A)

    assert fake_oss.operations() == ["ListCname", "PutCname", "GetCnameToken"]
    assert fake_time.sleeps == []
    assert run["failed"] is True
    assert "_dnsauth." + A in run["msg"]
    assert token in run["msg"]
    assert "verification_timeout" in run["msg"]
    assert "\n" not in run["msg"]
    assert run["error"]["code"] == "NeedVerifyDomainOwnership"
    assert run["error"]["status"] == 403
    assert run["error"]["ec"] == "0018-00000115"
    assert fake_oss.domains() == []


def test_ownership_error_without_a_token_says_to_create_one(run_module, fake_oss):
    fake_oss.unverified.add(A)
    run = run_module(cname, domain=A)

    assert run["failed"] is True
    assert "_dnsauth." + A in run["msg"]
    assert "alicloud.oss.cname_token" in run["msg"]


def test_ownership_error_is_retried_until_it_succeeds(run_module, fake_oss, fake_time):
    fake_oss.fail(
        "PutCname",
        A,
        code="NeedVerifyDomainOwnership",
        message="Please verify domain ownership by CreateCnameToken and try again.",
        ec="0018-00000115",
        times=3,
    )
    run = run_module(cname, domain=A, verification_timeout=600)

    assert fake_oss.operations() == ["ListCname"] + ["PutCname"] * 4
    assert len(fake_time.sleeps) == 3
    assert all(0 < seconds <= 21 for seconds in fake_time.sleeps)
    assert run.get("failed") is None
    assert run["changed"] is True
    assert run["added"] == [A]
    assert fake_oss.domains() == [A]


def test_ownership_retries_stop_when_the_time_is_up(run_module, fake_oss, fake_time):
    fake_oss.unverified.add(A)
    start = fake_time.now
    run = run_module(cname, domain=A, verification_timeout=30)

    puts = fake_oss.of("PutCname")
    assert len(puts) >= 2
    assert len(puts) == len(fake_time.sleeps) + 1
    assert fake_time.now - start <= 30
    assert run["failed"] is True
    assert run["error"]["code"] == "NeedVerifyDomainOwnership"
    assert "_dnsauth." + A in run["msg"]


def test_verification_reports_attempts_and_time_waited(run_module, fake_oss, fake_time):
    fake_oss.fail("PutCname", A, code="NeedVerifyDomainOwnership", message="Verify.", ec="0018-00000115", times=2)
    run = run_module(cname, domains=[A, B], verification_timeout=600, concurrency=1)

    assert run["changed"] is True
    assert run["verification"] == {A: {"attempts": 3, "waited_seconds": round(sum(fake_time.sleeps), 1)}, B: {"attempts": 1, "waited_seconds": 0.0}}
    assert run["verification"][A]["waited_seconds"] > 2


def test_verification_is_returned_when_the_wait_runs_out(run_module, fake_oss, fake_time):
    fake_oss.unverified.add(A)
    run = run_module(cname, domain=A, verification_timeout=30)

    assert run["failed"] is True
    assert run["verification"] == {A: {"attempts": len(fake_oss.of("PutCname")), "waited_seconds": 30.0}}


@pytest.mark.parametrize(
    "bound, args",
    [
        ([A], {"domain": A}),  # converged
        ([A], {"domain": A, "state": "absent"}),  # an unbind
        ([], {"domain": A, "_ansible_check_mode": True}),
    ],
)
def test_verification_is_empty_when_nothing_was_bound(run_module, fake_oss, bound, args):
    for domain in bound:
        fake_oss.bind(domain)
    run = run_module(cname, **args)

    assert run["verification"] == {}


def test_first_ownership_retry_waits_about_two_seconds(run_module, fake_oss, fake_time):
    fake_oss.fail("PutCname", A, code="NeedVerifyDomainOwnership", message="Verify.", ec="0018-00000115", times=1)
    run_module(cname, domain=A, verification_timeout=600)

    assert len(fake_time.sleeps) == 1
    assert 1.0 <= fake_time.sleeps[0] <= 3.0


def test_ownership_retries_never_wait_more_than_twenty_seconds(run_module, fake_oss, fake_time, monkeypatch):
    monkeypatch.setattr(_binding, "backoff_delay", lambda attempt: _http.backoff_delay(attempt, jitter=lambda: 1.0))
    fake_oss.unverified.add(A)
    run = run_module(cname, domain=A, verification_timeout=600)

    assert run["failed"] is True
    assert len(fake_time.sleeps) > 5
    assert max(fake_time.sleeps) <= 20


def test_other_errors_are_not_retried(run_module, fake_oss, fake_time):
    fake_oss.fail("PutCname", A, code="CnameAlreadyExists", status=409, message="The cname already exists.", ec="0018-00000101")
    run = run_module(cname, domain=A, verification_timeout=600)

    assert fake_oss.operations() == ["ListCname", "PutCname"]
    assert fake_time.sleeps == []
    assert run["failed"] is True


# ---------------------------------------------------------------------------------------------
# Errors that say what to do
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, status, advice",
    [
        ("CnameAlreadyExists", 409, "unbind it there first"),
        ("NoSuchCnameInRecord", 404, "ICP filing"),
        ("AccessDenied", 403, "oss:PutCname"),
        ("CnameIsForbidden", 403, "cannot be bound"),
    ],
)
def test_bind_errors_say_what_to_do(run_module, fake_oss, code, status, advice):
    fake_oss.fail("PutCname", A, code=code, status=status, message="Refused.", ec="0018-00000999")
    run = run_module(cname, domain=A)

    assert fake_oss.operations() == ["ListCname", "PutCname"]
    assert run["failed"] is True
    assert advice in run["msg"]
    assert "oss:ListCname" not in run["msg"]  # an AccessDenied names only the action of the request that failed
    assert run["msg"].lower().count("unbind it there first") <= 1
    assert A in run["msg"]
    assert "\n" not in run["msg"]
    assert run["error"] == {
        "code": code,
        "message": "Refused.",
        "request_id": run["error"]["request_id"],
        "host_id": "my-bucket.oss-cn-hangzhou.aliyuncs.com",
        "ec": "0018-00000999",
        "status": status,
    }
    assert run["error"]["request_id"]


def test_error_document_with_extra_fields(run_module, fake_oss):
    fake_oss.fail(
        "PutCname",
        A,
        code="CnameAlreadyExists",
        status=409,
        message="The cname already exists.",
        ec="0018-00000101",
        Bucket="my-bucket",
        Cname=A,
        CnameType="CNAME_OSS",
    )
    run = run_module(cname, domain=A)

    assert run["failed"] is True
    assert {"code", "message", "request_id", "host_id", "ec", "status"} <= set(run["error"])
    assert run["error"]["code"] == "CnameAlreadyExists"
    assert run["error"]["ec"] == "0018-00000101"
    assert "unbind it there first" in run["msg"]


def test_unbind_error_says_what_to_do(run_module, fake_oss):
    fake_oss.bind(A)
    fake_oss.fail("DeleteCname", A)
    run = run_module(cname, domain=A, state="absent")

    assert run["failed"] is True
    assert "Unbinding " + A in run["msg"]
    assert "oss:DeleteCname" in run["msg"]
    assert run["error"]["code"] == "AccessDenied"
    assert fake_oss.domains() == [A]


def test_list_error_fails_before_any_write(run_module, fake_oss):
    fake_oss.fail("ListCname")
    run = run_module(cname, domain=A)

    assert fake_oss.operations() == ["ListCname"]
    assert run["failed"] is True
    assert run["error"]["code"] == "AccessDenied"
    assert "oss:ListCname" in run["msg"]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_partial_failure_lists_what_succeeded_and_what_failed(run_module, fake_oss, concurrency):
    fake_oss.bind("e.example.com")
    fake_oss.fail("PutCname", D, code="CnameAlreadyExists", status=409, message="The cname already exists.")
    fake_oss.fail("PutCname", B, code="NoSuchCnameInRecord", status=404, message="No ICP record.")
    run = run_module(cname, domains=[D, C, B, A], purge=True, concurrency=concurrency)

    assert sorted(sent.domain for sent in fake_oss.of("PutCname")) == [A, B, C, D]
    assert fake_oss.domains() == [A, C]
    assert run["failed"] is True
    assert run["changed"] is True
    assert run["added"] == [A, C]
    assert run["removed"] == ["e.example.com"]
    msg = run["msg"]
    assert "\n" not in msg
    assert msg.startswith("2 of 5 changes on bucket my-bucket failed.")
    assert "Bound: a.example.com, c.example.com." in msg
    assert "Unbound: e.example.com." in msg
    assert "Failed: b.example.com, d.example.com." in msg
    assert msg.index("Binding b.example.com to bucket my-bucket failed") < msg.index("Binding d.example.com to bucket my-bucket failed")
    assert run["domains"] == [A, C]
    assert run["error"]["code"] == "NoSuchCnameInRecord"
    assert "ICP filing" in msg
    assert "unbind it there first" in msg
    assert run["failed_domains"] == [B, D]
    assert run["errors"][B]["code"] == "NoSuchCnameInRecord"
    assert run["errors"][D]["code"] == "CnameAlreadyExists"


def test_partial_failure_of_an_unbind(run_module, fake_oss):
    fake_oss.bind(C)
    fake_oss.fail("DeleteCname", C)
    run = run_module(cname, domains=[A], purge=True, concurrency=1)

    assert fake_oss.domains() == [A, C]
    assert run["failed"] is True
    assert run["added"] == [A]
    assert run["removed"] == []
    assert "Bound: a.example.com. Unbound: none." in run["msg"]
    assert "Unbinding c.example.com from bucket my-bucket failed" in run["msg"]


def test_ownership_failure_among_several_domains_names_the_txt_record(run_module, fake_oss):
    fake_oss.unverified.add(B)
    token = fake_oss.token(B)
    run = run_module(cname, domains=[A, B], concurrency=1)

    assert run["failed"] is True
    assert run["added"] == [A]
    assert "_dnsauth." + B in run["msg"]
    assert token in run["msg"]


# ---------------------------------------------------------------------------------------------
# Input errors: refused before any request
# ---------------------------------------------------------------------------------------------


def test_domain_and_domains_together_are_refused(run_module, fake_oss):
    run = run_module(cname, domain=A, domains=[B])

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "domain" in run["msg"]
    assert "domains" in run["msg"]


def test_neither_domain_nor_domains_is_refused(run_module, fake_oss):
    run = run_module(cname)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "domain" in run["msg"]


def test_bad_entry_in_domains_is_named_by_position(run_module, fake_oss):
    run = run_module(cname, domains=[A, "bad..example.com", C])

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "domains[1]" in run["msg"]
    assert "bad..example.com" in run["msg"]


def test_bad_single_domain_is_named(run_module, fake_oss):
    run = run_module(cname, domain="*.example.com", state="absent")

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith("domain ")
    assert "wildcard" in run["msg"]


@pytest.mark.parametrize(
    "value, shown",
    [
        # What Ansible hands the module when a YAML list is given to the str option domain.
        ([A, B], "['a.example.com', 'b.example.com']"),
        ([A], "['a.example.com']"),
        ("a.example.com,b.example.com", "a.example.com,b.example.com"),
    ],
)
def test_a_list_given_to_domain_points_at_domains(run_module, fake_oss, value, shown):
    run = run_module(cname, domain=value)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"] == f"domain takes a single domain, and '{shown}' is a list: use domains for a list."


@pytest.mark.parametrize(
    "endpoint, message",
    [
        ("http://127.0.0 .1:9000", "endpoint 'http://127.0.0 .1:9000' contains a space; a URL holds none: give scheme://host[:port]."),
        ("http//127.0.0.1:9000", "endpoint 'http//127.0.0.1:9000' looks like a malformed scheme: write scheme://host[:port], here 'http://127.0.0.1:9000'."),
        (
            "http://:Pa55word@127.0.0.1:9",
            "endpoint 'http://***@127.0.0.1:9' holds a user name or password; OSS takes neither in the URL: "
            "give scheme://host[:port] and the credentials in access_key_id and access_key_secret.",
        ),
    ],
)
def test_bad_endpoint_is_refused_before_any_request(run_module, fake_oss, endpoint, message):
    run = run_module(cname, domain=A, endpoint=endpoint)

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"] == message
    # Not even Ansible's echo of the options (invocation) may show the password.
    assert "Pa55word" not in run.stdout


@pytest.mark.parametrize("option, value", [("concurrency", 0), ("concurrency", -2), ("verification_timeout", -1)])
def test_bad_numbers_are_refused(run_module, fake_oss, option, value):
    run = run_module(cname, domain=A, **{option: value})

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert run["msg"].startswith(option)


def test_bad_state_is_refused(run_module, fake_oss):
    run = run_module(cname, domain=A, state="gone")

    assert fake_oss.sent == []
    assert run["failed"] is True
    assert "state" in run["msg"]
