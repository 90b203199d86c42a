# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Agentic Buckets: exact and wildcard entries side by side, the explicit kind, IsWildCard, tokens per kind."""

import xml.etree.ElementTree as ET

import alibabacloud_oss_v2 as oss
import pytest

from emu_helpers import CERT_1, OssClient, cname_body, listed
from test_emulator_sdk import sdk_client

AGENTIC = "agents-1234567890123456-cn-hangzhou-ab-apsr"
BASE = "spaces.example.com"
REJECTED = ("AccessPointName", "AccessPointNameForObjectProcess", "PurgeConfiguration", "ClientCaConfiguration")


def kinded_body(domain, wildcard=None, extra=None):
    """A BucketCnameConfiguration with IsWildCard (None: left out) and, optionally, one more child of Cname."""
    root = ET.fromstring(cname_body(domain))
    cname = root.find("Cname")
    if wildcard is not None:
        ET.SubElement(cname, "IsWildCard").text = "true" if wildcard else "false"
    if extra == "PurgeConfiguration":
        ET.SubElement(ET.SubElement(cname, extra), "IsPurgeCdnCache").text = "false"
    elif extra:
        ET.SubElement(cname, extra).text = "x"
    return ET.tostring(root)


def kind_query(operation, wildcard):
    query = {"create": "cname&comp=token", "get": "comp=token&cname=" + BASE, "delete": "cname&comp=delete"}[operation]
    return query if wildcard is None else "%s&wildcard=%s" % (query, wildcard)


def create(client, wildcard, bucket=AGENTIC):
    return client.send("POST", bucket, kind_query("create", wildcard), cname_body(BASE))


def get(client, wildcard, bucket=AGENTIC):
    return client.send("GET", bucket, kind_query("get", wildcard))


def put(client, wildcard, bucket=AGENTIC, **certificate):
    body = kinded_body(BASE, None if wildcard is None else wildcard in ("true", True))
    if certificate:
        root = ET.fromstring(body)
        config = ET.SubElement(root.find("Cname"), "CertificateConfiguration")
        for name, value in certificate.items():
            ET.SubElement(config, name).text = value
        body = ET.tostring(root)
    return client.send("POST", bucket, "cname&comp=add", body)


def delete(client, wildcard, bucket=AGENTIC):
    return client.send("POST", bucket, kind_query("delete", wildcard), cname_body(BASE))


def test_tokens_per_kind_carry_the_base_domain(client):
    wild = create(client, "true").xml()
    exact = create(client, "false").xml()

    assert wild.findtext("Cname") == exact.findtext("Cname") == BASE
    assert wild.findtext("Token") != exact.findtext("Token")
    assert get(client, "true").xml().findtext("Token") == wild.findtext("Token")
    assert get(client, "false").xml().findtext("Token") == exact.findtext("Token")


def test_exact_and_wildcard_entries_side_by_side(client):
    create(client, "true")
    create(client, "false")
    assert put(client, "true").status == 200
    assert put(client, "false").status == 200

    root = client.list_cname(AGENTIC).xml()
    entries = [(cname.findtext("Domain"), cname.findtext("IsWildCard")) for cname in root.findall("Cname")]
    # Only the wildcard entry carries IsWildCard, and its Domain has no *.
    assert sorted(entries, key=str) == sorted([(BASE, "true"), (BASE, None)], key=str)


def test_delete_removes_only_the_kind_it_names(client):
    for kind in ("true", "false"):
        create(client, kind)
        put(client, kind)

    assert delete(client, "true").status == 200
    assert [cname.findtext("IsWildCard") for cname in client.list_cname(AGENTIC).xml().findall("Cname")] == [None]
    assert delete(client, "true").code == "NoSuchCname"


def test_a_bound_kind_needs_no_token_the_other_kind_does(client):
    create(client, "true")
    put(client, "true")

    assert create(client, "true").code == "NoNeedCreateCnameToken"
    assert create(client, "false").status == 200


@pytest.mark.parametrize("operation", [create, get, delete])
def test_agentic_bucket_wants_the_wildcard_parameter(client, operation):
    response = operation(client, None)

    assert (response.status, response.code) == (400, "InvalidArgument")
    assert "wildcard parameter is required for an Agentic Bucket" in response.error["Message"]


def test_agentic_bucket_wants_is_wildcard_in_put_cname(client):
    create(client, "false")
    response = put(client, None)

    assert (response.status, response.code) == (400, "InvalidArgument")
    assert "IsWildCard is required" in response.error["Message"]


@pytest.mark.parametrize("element", REJECTED)
def test_agentic_bucket_rejects_the_documented_elements_as_malformed_xml(client, element):
    create(client, "false")
    response = client.send("POST", AGENTIC, "cname&comp=add", kinded_body(BASE, False, element))

    assert (response.status, response.code) == (400, "MalformedXML")
    assert element in response.error["Message"]


def test_a_standard_bucket_keeps_those_elements_and_refuses_wildcards(client):
    create(client, None, bucket="demo-bucket")
    assert client.send("POST", "demo-bucket", "cname&comp=add", kinded_body(BASE, None, "PurgeConfiguration")).status == 200
    for response in (create(client, "true", bucket="demo-bucket"), put(client, True, bucket="demo-bucket")):
        assert (response.status, response.code) == (400, "InvalidArgument")
        assert "only on Agentic Buckets" in response.error["Message"]


def test_a_standard_bucket_takes_an_explicit_false(client):
    # Our choice: whether the live service accepts wildcard=false on a standard bucket is not known; the collection never sends it.
    assert create(client, "false", bucket="demo-bucket").status == 200


def test_a_wildcard_certificate_binds_to_the_wildcard_entry(client):
    create(client, "true")
    assert put(client, "true", CertId=CERT_1, Force="true").status == 200

    entry = listed(client, AGENTIC)[BASE]
    assert entry["IsWildCard"] == "true"
    assert entry["Certificate"]["CertId"] == CERT_1


def test_wildcard_ownership_is_checked_under_the_base_domain(dns_emulator):
    client = OssClient(dns_emulator.endpoint)
    token = create(client, "true").xml().findtext("Token")
    dns_emulator.publish_txt("_dnsauth.*." + BASE, token)
    assert put(client, "true").code == "NeedVerifyDomainOwnership"

    dns_emulator.publish_txt("_dnsauth." + BASE, token)
    assert put(client, "true").status == 200


def test_the_request_log_names_a_wildcard_with_its_star(client, emulator):
    create(client, "true")
    put(client, "true")

    assert emulator.requests[-1]["domain"] == "*." + BASE


# --- the official SDK (alibabacloud-oss-v2 1.4.1) -------------------------------------------------------------------
# It models `wildcard` on GetCnameToken and IsWildCard in PutCname and ListCname, but not the `wildcard` parameter of
# CreateCnameToken and DeleteCname: those two are sent here by the test's own client.


def test_sdk_wildcard_calls_it_models(emulator, client):
    sdk = sdk_client(emulator.endpoint, "v4")
    created = create(client, "true").xml().findtext("Token")

    token = sdk.get_cname_token(oss.GetCnameTokenRequest(bucket=AGENTIC, cname=BASE, wildcard=True)).cname_token
    assert (token.cname, token.token) == (BASE, created)
    configuration = oss.BucketCnameConfiguration(cname=oss.Cname(domain=BASE, is_wild_card=True))
    assert sdk.put_cname(oss.PutCnameRequest(bucket=AGENTIC, bucket_cname_configuration=configuration)).status_code == 200

    (info,) = sdk.list_cname(oss.ListCnameRequest(bucket=AGENTIC)).cnames
    assert (info.domain, info.is_wild_card) == (BASE, True)
    assert delete(client, "true").status == 200


def test_sdk_create_without_the_kind_is_refused_on_an_agentic_bucket(emulator):
    sdk = sdk_client(emulator.endpoint, "v4")
    configuration = oss.BucketCnameConfiguration(cname=oss.Cname(domain=BASE))
    with pytest.raises(oss.exceptions.OperationError) as caught:
        sdk.create_cname_token(oss.CreateCnameTokenRequest(bucket=AGENTIC, bucket_cname_configuration=configuration))

    assert caught.value.unwrap().code == "InvalidArgument"
