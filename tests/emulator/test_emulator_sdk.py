# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-check: the official SDK (alibabacloud-oss-v2), unchanged, drives all five operations against the emulator."""

import datetime

import alibabacloud_oss_v2 as oss
import pytest

from emu_helpers import CERT_1, CERT_2, MAIN_KEY, OWNER, STS_KEY, control, make_certificate, sha1_fingerprint


def sdk_client(endpoint, version, key=MAIN_KEY, security_token=None, region="cn-hangzhou"):
    config = oss.config.load_default()
    config.credentials_provider = oss.credentials.StaticCredentialsProvider(key[0], key[1], security_token)
    config.region = region
    config.endpoint = endpoint  # an IP endpoint: the SDK switches to path-style addressing by itself
    config.signature_version = version
    config.retryer = oss.retry.NopRetryer()
    return oss.Client(config)


def cname_config(domain, **certificate):
    configuration = oss.CertificateConfiguration(**certificate) if certificate else None
    return oss.BucketCnameConfiguration(cname=oss.Cname(domain=domain, certificate_configuration=configuration))


def create_token(client, domain, bucket="demo-bucket"):
    return client.create_cname_token(oss.CreateCnameTokenRequest(bucket=bucket, bucket_cname_configuration=cname_config(domain)))


def put_cname(client, domain, bucket="demo-bucket", **certificate):
    return client.put_cname(oss.PutCnameRequest(bucket=bucket, bucket_cname_configuration=cname_config(domain, **certificate)))


def list_by_domain(client, bucket="demo-bucket"):
    result = client.list_cname(oss.ListCnameRequest(bucket=bucket))
    return result, {info.domain: info for info in result.cnames or []}


def parse_rfc1123(text):
    return datetime.datetime.strptime(text, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_sdk_drives_all_five_operations(emulator, version):
    client = sdk_client(emulator.endpoint, version)
    domain = "static.example.com"

    created = create_token(client, domain)
    token = created.cname_token
    assert created.status_code == 200 and len(created.request_id) == 24
    assert (token.bucket, token.cname, len(token.token)) == ("demo-bucket", domain, 32)
    lifetime = parse_rfc1123(token.expire_time) - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(hours=71, minutes=59) < lifetime <= datetime.timedelta(hours=72)

    fetched = client.get_cname_token(oss.GetCnameTokenRequest(bucket="demo-bucket", cname=domain)).cname_token
    assert (fetched.token, fetched.expire_time, fetched.cname, fetched.bucket) == (token.token, token.expire_time, domain, "demo-bucket")

    assert put_cname(client, domain).status_code == 200
    result, cnames = list_by_domain(client)
    assert (result.bucket, result.owner) == ("demo-bucket", OWNER)
    info = cnames[domain]
    assert info.status == "Enabled" and info.certificate is None
    assert datetime.datetime.strptime(info.last_modified, "%Y-%m-%dT%H:%M:%S.%fZ")

    assert put_cname(client, domain, cert_id=CERT_1, force=True).status_code == 200
    certificate = list_by_domain(client)[1][domain].certificate
    assert (certificate.cert_id, certificate.type, certificate.status) == (CERT_1, "CAS", "Enabled")
    assert len(certificate.fingerprint.split(":")) == 20
    assert parse_rfc1123(certificate.creation_date)
    assert certificate.valid_start_date and certificate.valid_end_date

    assert put_cname(client, domain, cert_id=CERT_2, previous_cert_id=CERT_1).status_code == 200
    assert list_by_domain(client)[1][domain].certificate.cert_id == CERT_2

    assert put_cname(client, domain, delete_certificate=True).status_code == 200
    assert list_by_domain(client)[1][domain].certificate is None

    deleted = client.delete_cname(oss.DeleteCnameRequest(bucket="demo-bucket", bucket_cname_configuration=cname_config(domain)))
    assert deleted.status_code == 200
    assert list_by_domain(client)[0].cnames is None

    assert {entry["signature_version"] for entry in emulator.requests} == {version}
    assert [entry["operation"] for entry in emulator.requests][:3] == ["CreateCnameToken", "GetCnameToken", "PutCname"]


@pytest.mark.parametrize("version", ["v4", "v1"])
def test_sdk_uploads_a_pem_certificate(emulator, version):
    client = sdk_client(emulator.endpoint, version)
    cert_pem, key_pem, der, certificate, _key = make_certificate("img.example.com")
    create_token(client, "img.example.com")
    assert put_cname(client, "img.example.com", certificate=cert_pem, private_key=key_pem).status_code == 200

    listed = list_by_domain(client)[1]["img.example.com"].certificate
    assert listed.fingerprint == sha1_fingerprint(der)
    assert parse_rfc1123(listed.valid_start_date.replace(" 2 Jan", " 02 Jan")) == certificate.not_valid_before_utc
    assert listed.cert_id.endswith("-cn-hangzhou") and len(listed.cert_id.split("-")[0]) == 8
    assert emulator.requests[1]["cert_action"] == "upload"


def test_sdk_sees_oss_errors_with_their_codes(emulator):
    client = sdk_client(emulator.endpoint, "v4")
    with pytest.raises(oss.exceptions.OperationError) as caught:
        client.get_cname_token(oss.GetCnameTokenRequest(bucket="demo-bucket", cname="never.example.com"))
    error = caught.value.unwrap()
    assert (error.status_code, error.code, error.ec) == (404, "CnameTokenNotFound", "0018-00000301")
    assert error.request_id == emulator.requests[-1]["request_id"]


def test_sdk_with_sts_credentials(emulator):
    client = sdk_client(emulator.endpoint, "v4", key=STS_KEY[:2], security_token=STS_KEY[2])
    create_token(client, "sts.example.com")
    put_cname(client, "sts.example.com")
    assert "sts.example.com" in list_by_domain(client)[1]
    assert {entry["access_key_id"] for entry in emulator.requests} == {STS_KEY[0]}


def test_sdk_wrong_secret_is_signature_mismatch(emulator):
    client = sdk_client(emulator.endpoint, "v4", key=(MAIN_KEY[0], "not-the-secret"))
    with pytest.raises(oss.exceptions.OperationError) as caught:
        client.list_cname(oss.ListCnameRequest(bucket="demo-bucket"))
    assert caught.value.unwrap().code == "SignatureDoesNotMatch"


def test_sdk_dns_ownership_flow(dns_emulator):
    """The demo's path: token, TXT record through the control endpoint, then the bind succeeds."""
    client = sdk_client(dns_emulator.endpoint, "v4")
    token = create_token(client, "dns.example.com").cname_token.token
    with pytest.raises(oss.exceptions.OperationError) as caught:
        put_cname(client, "dns.example.com")
    assert caught.value.unwrap().code == "NeedVerifyDomainOwnership"
    status, _answer = control(dns_emulator.endpoint, "POST", "dns", {"name": "_dnsauth.dns.example.com", "type": "TXT", "value": token})
    assert status == 200
    assert put_cname(client, "dns.example.com").status_code == 200


def test_sdk_region_must_match_the_bucket(emulator):
    with pytest.raises(oss.exceptions.OperationError) as caught:
        sdk_client(emulator.endpoint, "v4").list_cname(oss.ListCnameRequest(bucket="sg-bucket"))
    assert caught.value.unwrap().code == "InvalidArgument"
    result = sdk_client(emulator.endpoint, "v4", region="ap-southeast-1").list_cname(oss.ListCnameRequest(bucket="sg-bucket"))
    assert result.bucket == "sg-bucket"
