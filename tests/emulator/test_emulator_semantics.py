# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CNAME semantics: token lifetime and limits, ownership, bindings, domain rules, addressing, request bodies."""

import copy
import types

import pytest

from emu_helpers import OssClient, bind, cname_body, control, listed, raw_request
from ossemu.config import load_config
from ossemu.core import EmulatorCore
from ossemu.errors import OssError

DEFAULT = load_config()


def body_only(body):
    """A request with a body and no query parameters, for calling Operations directly."""
    return types.SimpleNamespace(body=body, query_value=lambda _name: None)


def small_config(**overrides):
    config = copy.deepcopy(DEFAULT)
    config.update(overrides)
    return config


# --- tokens -----------------------------------------------------------------------------------------------------
def test_create_returns_the_same_token_while_valid_and_a_new_one_after_expiry(frozen_emulator, clock):
    client = OssClient(frozen_emulator.endpoint)
    first = client.create_token("demo-bucket", "tok.example.com", signing_time=clock.now).xml()
    assert first.findtext("ExpireTime") == "Sun, 20 Apr 2025 15:39:12 GMT"  # 72 hours after the frozen "now"
    frozen_emulator.advance_clock(71 * 3600)
    again = client.create_token("demo-bucket", "tok.example.com", signing_time=clock.now).xml()
    assert again.findtext("Token") == first.findtext("Token")
    frozen_emulator.advance_clock(3600)
    assert client.get_token("demo-bucket", "tok.example.com", signing_time=clock.now).code == "CnameTokenNotFound"
    renewed = client.create_token("demo-bucket", "tok.example.com", signing_time=clock.now).xml()
    assert renewed.findtext("Token") != first.findtext("Token")
    assert renewed.findtext("ExpireTime") == "Wed, 23 Apr 2025 15:39:12 GMT"


def test_control_clock_expires_tokens(emulator, client):
    client.create_token("demo-bucket", "late.example.com")
    status, answer = control(emulator.endpoint, "POST", "clock", {"advance": 72 * 3600})
    assert status == 200 and answer["offset_seconds"] == 72 * 3600
    response = client.get_token("demo-bucket", "late.example.com")
    assert (response.status, response.code, response.error["EC"]) == (404, "CnameTokenNotFound", "0018-00000301")
    assert (response.error["Bucket"], response.error["Cname"]) == ("demo-bucket", "late.example.com")


def test_get_token_requires_the_cname_parameter(client):
    response = client.send("GET", "demo-bucket", "comp=token&cname=")
    assert (response.status, response.code) == (400, "InvalidArgument")


def test_too_many_tokens(make_emulator):
    emulator = make_emulator(config=small_config(token_limit=3), ownership="token")
    client = OssClient(emulator.endpoint)
    for index in range(3):
        assert client.create_token("demo-bucket", "d%d.example.com" % index).status == 200
    response = client.create_token("demo-bucket", "d3.example.com")
    assert (response.status, response.code) == (400, "TooManyCnameToken")
    assert response.error["Message"] == "You have attempted to create more cname token than allowed."
    assert client.create_token("other-bucket", "d3.example.com").status == 200  # the limit is per bucket
    assert client.create_token("demo-bucket", "d0.example.com").status == 200  # an existing valid token is still returned


def test_default_token_limit_is_1000():
    """Cheap check of the documented default: drive the operation directly, without HTTP or signatures."""
    core = EmulatorCore()
    bucket = core.state.buckets["demo-bucket"]
    for index in range(1000):
        core.operations.create_cname_token(bucket, body_only(cname_body("t%d.example.com" % index)))
    with pytest.raises(OssError) as caught:
        core.operations.create_cname_token(bucket, body_only(cname_body("one-more.example.com")))
    assert caught.value.code == "TooManyCnameToken"


def test_no_need_to_create_a_token_once_bound(emulator, client):
    bind(client, emulator, "bound.example.com")
    response = client.create_token("demo-bucket", "bound.example.com")
    assert (response.status, response.code) == (403, "NoNeedCreateCnameToken")
    assert client.get_token("demo-bucket", "bound.example.com").code == "CnameTokenNotFound"  # consumed by the bind
    assert client.create_token("other-bucket", "bound.example.com").status == 200


# --- ownership --------------------------------------------------------------------------------------------------
def test_dns_mode_needs_the_txt_record(dns_emulator):
    client = OssClient(dns_emulator.endpoint)
    refused = client.put_cname("demo-bucket", "own.example.com")
    assert (refused.status, refused.code, refused.error["EC"]) == (403, "NeedVerifyDomainOwnership", "0018-00000115")
    assert refused.error["Message"] == "Please verify domain ownership by CreateCnameToken and try again."
    token = client.create_token("demo-bucket", "own.example.com").xml().findtext("Token")
    assert client.put_cname("demo-bucket", "own.example.com").code == "NeedVerifyDomainOwnership"  # token alone is not enough
    dns_emulator.publish_txt("_dnsauth.own.example.com", "some-other-value")
    assert client.put_cname("demo-bucket", "own.example.com").code == "NeedVerifyDomainOwnership"
    dns_emulator.publish_txt("_dnsauth.OWN.example.com", token)  # several values per name; names are case-insensitive
    assert client.put_cname("demo-bucket", "own.example.com").status == 200


def test_dns_record_must_hold_a_valid_token(dns_emulator):
    client = OssClient(dns_emulator.endpoint)
    token = client.create_token("demo-bucket", "stale.example.com").xml().findtext("Token")
    dns_emulator.publish_txt("_dnsauth.stale.example.com", token)
    dns_emulator.advance_clock(72 * 3600 + 1)
    assert client.put_cname("demo-bucket", "stale.example.com").code == "NeedVerifyDomainOwnership"


def test_token_mode_accepts_any_valid_token(emulator, client):
    assert client.put_cname("demo-bucket", "tm.example.com").code == "NeedVerifyDomainOwnership"
    client.create_token("demo-bucket", "tm.example.com")
    assert client.put_cname("demo-bucket", "tm.example.com").status == 200


def test_token_of_another_bucket_does_not_count(emulator, client):
    client.create_token("other-bucket", "cross.example.com")
    assert client.put_cname("demo-bucket", "cross.example.com").code == "NeedVerifyDomainOwnership"


def test_rebinding_the_same_bucket_skips_the_ownership_check(dns_emulator):
    client = OssClient(dns_emulator.endpoint)
    bind(client, dns_emulator, "again.example.com")
    dns_emulator.remove_txt("_dnsauth.again.example.com")
    assert client.put_cname("demo-bucket", "again.example.com").status == 200
    assert client.put_cname("demo-bucket", "again.example.com", CertId="12345678-cn-hangzhou").status == 200


def test_ownership_mode_switches_at_run_time(dns_emulator):
    client = OssClient(dns_emulator.endpoint)
    client.create_token("demo-bucket", "switch.example.com")
    assert client.put_cname("demo-bucket", "switch.example.com").code == "NeedVerifyDomainOwnership"
    assert control(dns_emulator.endpoint, "POST", "ownership", {"mode": "token"})[0] == 200
    assert client.put_cname("demo-bucket", "switch.example.com").status == 200
    assert control(dns_emulator.endpoint, "POST", "ownership", {"mode": "maybe"})[0] == 400


# --- bindings ---------------------------------------------------------------------------------------------------
def test_domain_bound_to_another_bucket(emulator, client):
    bind(client, emulator, "taken.example.com")
    client.create_token("other-bucket", "taken.example.com")
    response = client.put_cname("other-bucket", "taken.example.com")
    assert (response.status, response.code, response.error["CnameType"]) == (409, "CnameAlreadyExists", "CNAME_OSS")
    assert response.error["Cname"] == "taken.example.com"


def test_domain_bound_under_another_account_is_denied(make_emulator):
    config = small_config(buckets=DEFAULT["buckets"] + [{"name": "foreign-bucket", "region": "cn-hangzhou", "owner": "6543210987654321"}])
    emulator = make_emulator(config=config, ownership="token")
    foreign = OssClient(emulator.endpoint, key=("LTAI5tEmulatorKey0002", "EmulatorSecret0002xxxxxxxxxxxxxx"))
    bind(foreign, emulator, "theirs.example.com", bucket="foreign-bucket")
    client = OssClient(emulator.endpoint)
    client.create_token("demo-bucket", "theirs.example.com")
    assert client.put_cname("demo-bucket", "theirs.example.com").code == "CnameDenied"


def test_at_most_n_domains_per_bucket(make_emulator):
    emulator = make_emulator(config=small_config(cname_limit=2), ownership="token")
    client = OssClient(emulator.endpoint)
    bind(client, emulator, "one.example.com")
    bind(client, emulator, "two.example.com")
    response = bind(client, emulator, "three.example.com")
    assert (response.status, response.code) == (400, "TooManyCname")
    assert client.put_cname("demo-bucket", "two.example.com").status == 200  # re-putting a bound domain is fine


def test_default_domain_limit_is_100():
    core = EmulatorCore(ownership="token")
    bucket = core.state.buckets["demo-bucket"]
    for index in range(101):
        request = body_only(cname_body("c%d.example.com" % index))
        core.operations.create_cname_token(bucket, request)
        if index < 100:
            core.operations.put_cname(bucket, request)
    with pytest.raises(OssError) as caught:
        core.operations.put_cname(bucket, request)
    assert caught.value.code == "TooManyCname"


def test_delete_unbound_answers_404_by_default(client):
    response = client.delete_cname("demo-bucket", "never-bound.example.com")
    assert (response.status, response.code) == (404, "NoSuchCname")


def test_delete_unbound_can_answer_200(make_emulator):
    emulator = make_emulator(config=small_config(delete_unbound="200"))
    response = OssClient(emulator.endpoint).delete_cname("demo-bucket", "never-bound.example.com")
    assert (response.status, response.body) == (200, b"")


def test_delete_unbinds(emulator, client):
    bind(client, emulator, "gone.example.com", CertId="12345678-cn-hangzhou")
    assert client.delete_cname("demo-bucket", "GONE.example.com").status == 200
    assert listed(client) == {}
    assert client.create_token("demo-bucket", "gone.example.com").status == 200  # a new token may be created again


def test_empty_list_has_no_cname_elements(client):
    root = client.list_cname("demo-bucket").xml()
    assert [child.tag for child in root] == ["Bucket", "Owner"]


def test_list_shows_every_binding_with_its_fields(emulator, client):
    bind(client, emulator, "b.example.com")
    bind(client, emulator, "a.example.com")
    entries = listed(client)
    assert list(entries) == ["a.example.com", "b.example.com"]
    assert entries["a.example.com"]["IsPurgeCdnCache"] == "false"
    assert entries["a.example.com"]["Status"] == "Enabled"
    assert entries["a.example.com"]["LastModified"].endswith("Z")


def test_put_without_change_keeps_last_modified(emulator, client):
    bind(client, emulator, "still.example.com")
    before = listed(client)["still.example.com"]["LastModified"]
    emulator.advance_clock(60)
    client.put_cname("demo-bucket", "still.example.com")
    assert listed(client)["still.example.com"]["LastModified"] == before


# --- domains ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "domain",
    ["not a domain", "example", "*.example.com", "a..example.com", "-bad.example.com", "b\u00fccher.example", "10.0.0.1", "abc", "a" * 64 + ".example.com"],
)
def test_invalid_domains(client, domain):
    response = client.create_token("demo-bucket", domain)
    assert (response.status, response.code) == (400, "InvalidArgument")


def test_short_hostname_has_its_ec(client):
    assert client.create_token("demo-bucket", "a.b").error["EC"] == "0017-00000249"


def test_reserved_domain(client):
    response = client.create_token("demo-bucket", "demo-bucket.oss-cn-hangzhou.aliyuncs.com")
    assert (response.status, response.code, response.error["EC"]) == (403, "CnameIsForbidden", "0018-00000401")


def test_domains_compare_lower_case(emulator, client):
    token = client.create_token("demo-bucket", "MiXeD.Example.COM").xml()
    assert token.findtext("Cname") == "mixed.example.com"
    assert client.get_token("demo-bucket", "mixed.EXAMPLE.com").xml().findtext("Token") == token.findtext("Token")
    assert client.put_cname("demo-bucket", "Mixed.Example.Com").status == 200
    assert list(listed(client)) == ["mixed.example.com"]


# --- bodies, routing, addressing --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        b"<not-xml",
        b"<Wrong><Cname><Domain>x.example.com</Domain></Cname></Wrong>",
        b"<BucketCnameConfiguration><Cname/></BucketCnameConfiguration>",
        b"<BucketCnameConfiguration><Cname><Domain> </Domain></Cname></BucketCnameConfiguration>",
    ],
)
def test_malformed_bodies(client, body):
    for query in ("cname&comp=token", "cname&comp=add", "cname&comp=delete"):
        response = client.send("POST", "demo-bucket", query, body)
        assert (response.status, response.code) == (400, "MalformedXML"), query


def test_empty_body_is_malformed(client):
    response = client.send("POST", "demo-bucket", "cname&comp=add", b"")
    assert response.code == "MalformedXML"


def test_entity_expansion_in_a_request_body_is_refused(client):
    body = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x.example.com">]>'
        b"<BucketCnameConfiguration><Cname><Domain>&e;</Domain></Cname></BucketCnameConfiguration>"
    )
    assert client.send("POST", "demo-bucket", "cname&comp=token", body).code == "MalformedXML"


def test_virtual_hosted_requests(emulator):
    client = OssClient(emulator.endpoint)
    host = "demo-bucket.oss-cn-hangzhou.aliyuncs.com"
    assert client.create_token("demo-bucket", "vh.example.com", host=host).status == 200
    assert client.send("GET", "demo-bucket", "cname", host=host).xml().findtext("Bucket") == "demo-bucket"
    assert emulator.requests[-1]["addressing"] == "virtual" and emulator.requests[-1]["bucket"] == "demo-bucket"
    assert client.send("GET", "demo-bucket", "cname", host="demo-bucket.localhost:8080").status == 200


def test_unknown_operations_are_not_implemented(client, emulator):
    assert client.send("GET", "demo-bucket", "acl").status == 501
    assert client.send("PUT", "demo-bucket", "cname&comp=add", b"").status == 501
    response = raw_request(emulator.endpoint, "PUT", "/")  # GET / is ListBuckets
    assert (response.status, response.code) == (501, "NotImplemented")
    assert emulator.requests[-1]["operation"] == "Unknown"


def test_every_answer_has_request_id_and_date(client):
    for response in (client.list_cname("demo-bucket"), client.list_cname("no-such-bucket"), client.put_cname("demo-bucket", "x.example.com")):
        assert len(response.headers["x-oss-request-id"]) == 24
        assert response.headers["date"].endswith(" GMT")
        assert response.headers["server"] == "AliyunOSS"


def test_empty_success_bodies(emulator, client):
    response = bind(client, emulator, "empty.example.com")
    assert (response.status, response.body, response.headers["content-length"]) == (200, b"", "0")
