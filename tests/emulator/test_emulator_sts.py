# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""STS (AssumeRole with the RPC signature, AssumeRoleWithOIDC) and the ECS metadata service: what they hand out works on OSS until it expires."""

import datetime
import json
import uuid
from urllib.parse import quote, urlencode

import pytest

from emu_helpers import MAIN_KEY, OTHER_KEY, STS_KEY, UTC, OssClient, control, raw_request
from ossemu.config import ConfigError, load_config
from ossemu.sts import rpc_encode, rpc_sign, rpc_string_to_sign

OWNER = "1234567890123456"
ADMIN_ROLE = "acs:ram::1234567890123456:role/oss-cname-admin"
PARTNER_ROLE = "acs:ram::1234567890123456:role/oss-cname-partner"
PROVIDER = "acs:ram::1234567890123456:oidc-provider/emulator-cluster"
OIDC_TOKEN = load_config()["oidc_providers"][0]["token"]

# The worked example of the RPC signature documentation ("Signature mechanism" of the RPC-style APIs).
DOC_PARAMS = {
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "Format": "XML",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z",
    "Version": "2014-05-26",
}
DOC_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
    "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
)
DOC_SIGNATURE = "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def _now():
    return datetime.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def assume_role_params(key=MAIN_KEY, role=ADMIN_ROLE, token=None, **extra):
    params = {
        "Action": "AssumeRole",
        "Version": "2015-04-01",
        "Format": "JSON",
        "AccessKeyId": key[0],
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": str(uuid.uuid4()),
        "Timestamp": _now(),
        "RoleArn": role,
        "RoleSessionName": "emulator-test",
        "DurationSeconds": "3600",
    }
    if token:
        params["SecurityToken"] = token
    params.update(extra)
    return {name: value for name, value in params.items() if value is not None}


def sts_call(endpoint, params, secret=None, method="GET", path="/", signature=None):
    """Sign params (unless signature is given) and send them as the query; returns (status, JSON)."""
    params = dict(params)
    if secret is not None or signature is not None:
        params["Signature"] = signature or rpc_sign(method, params, secret)
    query = "&".join("%s=%s" % (rpc_encode(name), rpc_encode(value)) for name, value in params.items())
    response = raw_request(endpoint, method, "%s?%s" % (path, query))
    return response.status, json.loads(response.body)


def assume(endpoint, key=MAIN_KEY, role=ADMIN_ROLE, token=None, **extra):
    return sts_call(endpoint, assume_role_params(key, role, token, **extra), key[1])


def oidc_call(endpoint, token=OIDC_TOKEN, provider=PROVIDER, role=ADMIN_ROLE, **extra):
    form = {"RoleArn": role, "OIDCProviderArn": provider, "OIDCToken": token, "RoleSessionName": "oidc-test"}
    form.update(extra)
    query = urlencode({"Action": "AssumeRoleWithOIDC", "Version": "2015-04-01", "Format": "JSON", "Timestamp": _now()})
    response = raw_request(endpoint, "POST", "/?" + query, urlencode(form).encode("ascii"), {"Content-Type": "application/x-www-form-urlencoded"})
    return response.status, json.loads(response.body)


def oss_with(endpoint, credentials):
    key = (credentials["AccessKeyId"], credentials["AccessKeySecret"])
    return OssClient(endpoint, key=key, security_token=credentials["SecurityToken"])


# --- the signature ----------------------------------------------------------------------------------------------


def test_rpc_signature_reproduces_the_documented_example():
    assert rpc_string_to_sign("GET", DOC_PARAMS) == DOC_STRING_TO_SIGN
    assert rpc_sign("GET", DOC_PARAMS, "testsecret") == DOC_SIGNATURE
    assert rpc_sign("GET", dict(DOC_PARAMS, Signature="ignored"), "testsecret") == DOC_SIGNATURE


@pytest.mark.parametrize(
    "text, encoded",
    [
        ("a b", "a%20b"),
        ("a*b", "a%2Ab"),
        ("a~b", "a~b"),
        ("a+b", "a%2Bb"),
        ("/", "%2F"),
        ("é", "%C3%A9"),
        ("-_.", "-_."),
    ],
)
def test_rpc_encoding(text, encoded):
    assert rpc_encode(text) == encoded


# --- AssumeRole ---------------------------------------------------------------------------------------------------


def test_assume_role_hands_out_credentials_that_oss_accepts(emulator):
    status, document = assume(emulator.endpoint)
    assert status == 200, document
    credentials = document["Credentials"]
    assert credentials["AccessKeyId"].startswith("STS.")
    assert document["AssumedRoleUser"]["Arn"] == ADMIN_ROLE + "/emulator-test"
    assert document["RequestId"]
    expiration = datetime.datetime.strptime(credentials["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert 3590 <= (expiration - datetime.datetime.now(UTC)).total_seconds() <= 3610
    assert oss_with(emulator.endpoint, credentials).list_cname("demo-bucket").status == 200
    assert emulator.sts_issued[-1] == {
        "access_key_id": credentials["AccessKeyId"],
        "how": "AssumeRole",
        "role_arn": ADMIN_ROLE,
        "session": "emulator-test",
        "expiration": credentials["Expiration"],
    }


def test_oss_refuses_them_once_expired(emulator):
    credentials = assume(emulator.endpoint, DurationSeconds="900")[1]["Credentials"]
    client = oss_with(emulator.endpoint, credentials)
    emulator.advance_clock(899)
    assert client.list_cname("demo-bucket").status == 200
    emulator.advance_clock(1)
    response = client.list_cname("demo-bucket")
    assert (response.status, response.code) == (403, "SecurityTokenExpired")


def test_oss_wants_the_token_with_the_temporary_keys(emulator):
    credentials = assume(emulator.endpoint)[1]["Credentials"]
    response = OssClient(emulator.endpoint, key=(credentials["AccessKeyId"], credentials["AccessKeySecret"])).list_cname("demo-bucket")
    assert (response.status, response.code) == (403, "InvalidAccessKeyId")
    response = oss_with(emulator.endpoint, dict(credentials, SecurityToken="forged")).list_cname("demo-bucket")
    assert (response.status, response.code) == (403, "InvalidSecurityToken")


def test_post_and_the_sts_path_are_served_too(emulator):
    params = assume_role_params()
    status, document = sts_call(emulator.endpoint, params, MAIN_KEY[1], method="POST", path="/sts/")
    assert status == 200, document


def test_signature_mismatch_quotes_the_server_string_to_sign(emulator):
    params = assume_role_params()
    status, document = sts_call(emulator.endpoint, params, "wrong-secret")
    assert (status, document["Code"]) == (400, "SignatureDoesNotMatch")
    assert document["Message"].endswith("server string to sign is:" + rpc_string_to_sign("GET", params))
    # Signed as POST, sent as GET: the method is part of the string to sign.
    status, document = sts_call(emulator.endpoint, params, signature=rpc_sign("POST", params, MAIN_KEY[1]))
    assert document["Code"] == "SignatureDoesNotMatch"


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"AccessKeyId": "LTAI5tNobody"}, 404, "InvalidAccessKeyId.NotFound"),
        ({"Timestamp": "2016-02-23T12:46:24Z"}, 400, "InvalidTimeStamp.Expired"),
        ({"Timestamp": "23 Feb 2016"}, 400, "InvalidTimeStamp.Format"),
        ({"SignatureMethod": "HMAC-SHA256"}, 400, "InvalidSignatureMethod"),
        ({"SignatureVersion": "2.0"}, 400, "InvalidSignatureVersion"),
        ({"SignatureNonce": None}, 400, "MissingSignatureNonce"),
        ({"Version": "2014-05-26"}, 400, "InvalidVersion"),
        ({"Action": "GetCallerIdentity"}, 404, "InvalidAction.NotFound"),
        ({"RoleArn": "acs:ram::1234567890123456:role/nobody"}, 404, "EntityNotExist.Role"),
        ({"RoleArn": None}, 400, "MissingRoleArn"),
        ({"RoleSessionName": "a b"}, 400, "InvalidParameter.RoleSessionName"),
        ({"RoleSessionName": None}, 400, "MissingRoleSessionName"),
        ({"DurationSeconds": "899"}, 400, "InvalidParameter.DurationSeconds"),
        ({"DurationSeconds": "3601"}, 400, "InvalidParameter.DurationSeconds"),
        ({"Policy": '{"Version": "1",'}, 400, "InvalidParameter.PolicyGrammar"),
        ({"SecurityToken": "EmulatorSecurityToken0001"}, 400, "InvalidSecurityToken.MismatchWithAccessKey"),
    ],
)
def test_assume_role_refusals(emulator, change, status, code):
    params = assume_role_params()
    params.update(change)
    params = {name: value for name, value in params.items() if value is not None}
    answer_status, document = sts_call(emulator.endpoint, params, MAIN_KEY[1])
    assert (answer_status, document["Code"]) == (status, code), document
    assert document["RequestId"] and document["Message"]


def test_a_nonce_is_good_once(emulator):
    params = assume_role_params()
    assert sts_call(emulator.endpoint, params, MAIN_KEY[1])[0] == 200
    status, document = sts_call(emulator.endpoint, params, MAIN_KEY[1])
    assert (status, document["Code"]) == (400, "SignatureNonceUsed")


def test_policy_and_longer_sessions(emulator):
    policy = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:ListCname", "Resource": "*"}]})
    status, document = assume(emulator.endpoint, OTHER_KEY, PARTNER_ROLE, Policy=policy, ExternalId="emulator-external-id", DurationSeconds="43200")
    assert status == 200, document
    assert oss_with(emulator.endpoint, document["Credentials"]).list_cname("demo-bucket").status == 200


def test_cross_account_roles_need_trust_and_the_external_id(emulator):
    status, document = assume(emulator.endpoint, OTHER_KEY, ADMIN_ROLE)
    assert (status, document["Code"]) == (403, "NoPermission")
    status, document = assume(emulator.endpoint, OTHER_KEY, PARTNER_ROLE)
    assert (status, document["Code"]) == (403, "NoPermission")
    assert "ExternalId" in document["Message"]
    status, document = assume(emulator.endpoint, OTHER_KEY, PARTNER_ROLE, ExternalId="guess")
    assert (status, document["Code"]) == (403, "NoPermission")


def test_role_chaining_signs_with_temporary_credentials_and_their_token(emulator):
    first = assume(emulator.endpoint)[1]["Credentials"]
    key = (first["AccessKeyId"], first["AccessKeySecret"])
    status, document = assume(emulator.endpoint, key, PARTNER_ROLE, token=first["SecurityToken"], ExternalId="emulator-external-id")
    assert status == 200, document
    status, document = assume(emulator.endpoint, key)
    assert (status, document["Code"]) == (400, "InvalidSecurityToken.MismatchWithAccessKey")
    status, document = assume(emulator.endpoint, STS_KEY[:2], token=STS_KEY[2])
    assert status == 200, document
    emulator.advance_clock(3600)
    status, document = assume(emulator.endpoint, key, token=first["SecurityToken"])
    assert (status, document["Code"]) == (400, "InvalidSecurityToken.Expired")


def test_roles_added_at_run_time(emulator):
    role = "acs:ram::6543210987654321:role/other-admin"
    assert assume(emulator.endpoint, OTHER_KEY, role)[1]["Code"] == "EntityNotExist.Role"
    emulator.add_role(role, "6543210987654321", max_session_duration=7200)
    status, document = assume(emulator.endpoint, OTHER_KEY, role, DurationSeconds="7200")
    assert status == 200, document
    # The role belongs to the other account: its credentials are refused on a bucket of the first one.
    assert oss_with(emulator.endpoint, document["Credentials"]).list_cname("demo-bucket").code == "AccessDenied"


# --- AssumeRoleWithOIDC -------------------------------------------------------------------------------------------


def test_oidc_hands_out_credentials_without_a_signature(emulator):
    status, document = oidc_call(emulator.endpoint)
    assert status == 200, document
    assert document["OIDCTokenInfo"]["Subject"]
    assert oss_with(emulator.endpoint, document["Credentials"]).list_cname("demo-bucket").status == 200
    assert emulator.sts_issued[-1]["how"] == "AssumeRoleWithOIDC"


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"token": "not-the-token"}, 400, "AuthenticationFail.OIDCToken.Invalid"),
        ({"provider": "acs:ram::1234567890123456:oidc-provider/other"}, 404, "EntityNotExist.OIDCProvider"),
        ({"role": "acs:ram::1234567890123456:role/nobody"}, 404, "EntityNotExist.Role"),
        ({"token": ""}, 400, "MissingOIDCToken"),
        ({"DurationSeconds": "7200"}, 400, "InvalidParameter.DurationSeconds"),
    ],
)
def test_oidc_refusals(emulator, change, status, code):
    answer_status, document = oidc_call(emulator.endpoint, **change)
    assert (answer_status, document["Code"]) == (status, code)


def test_oidc_providers_added_at_run_time(emulator):
    provider = "acs:ram::1234567890123456:oidc-provider/added"
    emulator.add_oidc_provider(provider, OWNER, "added-token")
    assert oidc_call(emulator.endpoint, token="added-token", provider=provider)[0] == 200


# --- ECS metadata -------------------------------------------------------------------------------------------------


def metadata(endpoint, path, method="GET", token=None, ttl=None):
    headers = {}
    if token is not None:
        headers["X-aliyun-ecs-metadata-token"] = token
    if ttl is not None:
        headers["X-aliyun-ecs-metadata-token-ttl-seconds"] = str(ttl)
    return raw_request(endpoint, method, path, None, headers)


CREDENTIALS_PATH = "/latest/meta-data/ram/security-credentials/"


def test_metadata_plain_mode(emulator):
    listing = metadata(emulator.endpoint, CREDENTIALS_PATH)
    assert (listing.status, listing.body) == (200, b"oss-cname-admin")
    answer = metadata(emulator.endpoint, CREDENTIALS_PATH + "oss-cname-admin")
    assert answer.status == 200
    document = json.loads(answer.body)
    assert document["Code"] == "Success"
    assert set(document) == {"AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "LastUpdated", "Code"}
    assert oss_with(emulator.endpoint, document).list_cname("demo-bucket").status == 200
    emulator.advance_clock(6 * 3600)
    assert oss_with(emulator.endpoint, document).list_cname("demo-bucket").code == "SecurityTokenExpired"


def test_metadata_hardened_mode(emulator):
    emulator.metadata.hardened = True
    assert metadata(emulator.endpoint, CREDENTIALS_PATH + "oss-cname-admin").status == 401
    assert metadata(emulator.endpoint, CREDENTIALS_PATH).status == 401
    token = metadata(emulator.endpoint, "/latest/api/token", "PUT", ttl=60).body.decode("ascii")
    answer = metadata(emulator.endpoint, CREDENTIALS_PATH + "oss-cname-admin", token=token)
    assert answer.status == 200
    assert oss_with(emulator.endpoint, json.loads(answer.body)).list_cname("demo-bucket").status == 200
    assert metadata(emulator.endpoint, CREDENTIALS_PATH + "oss-cname-admin", token="forged").status == 401
    emulator.advance_clock(60)
    assert metadata(emulator.endpoint, CREDENTIALS_PATH + "oss-cname-admin", token=token).status == 401
    assert emulator.metadata.settings()["counts"] == {"token": 1, "with_token": 3, "without_token": 2}


def test_a_token_is_checked_even_when_not_required(emulator):
    assert metadata(emulator.endpoint, CREDENTIALS_PATH + "oss-cname-admin", token="forged").status == 401


@pytest.mark.parametrize("ttl", [None, 0, 21601, "abc"])
def test_metadata_token_ttl_is_checked(emulator, ttl):
    assert metadata(emulator.endpoint, "/latest/api/token", "PUT", ttl=ttl).status == 400


def test_metadata_token_needs_put(emulator):
    assert metadata(emulator.endpoint, "/latest/api/token", "GET", ttl=60).status == 405


def test_metadata_without_the_token_api(emulator):
    emulator.metadata.token_api = False
    assert metadata(emulator.endpoint, "/latest/api/token", "PUT", ttl=60).status == 404
    assert metadata(emulator.endpoint, CREDENTIALS_PATH + "oss-cname-admin").status == 200


def test_metadata_unknown_paths_and_roles(emulator):
    assert metadata(emulator.endpoint, CREDENTIALS_PATH + "other-role").status == 404
    assert metadata(emulator.endpoint, "/latest/meta-data/instance-id").status == 404
    emulator.metadata.role = None
    assert metadata(emulator.endpoint, CREDENTIALS_PATH).status == 404
    assert metadata(emulator.endpoint, CREDENTIALS_PATH + "oss-cname-admin").status == 404


# --- control endpoint, config, isolation from OSS -----------------------------------------------------------------


def test_control_endpoint(emulator):
    status, state = control(emulator.endpoint, "POST", "metadata", {"hardened": True, "token_api": True, "role": "oss-cname-partner"})
    assert status == 200
    assert (state["hardened"], state["role"]) == (True, "oss-cname-partner")
    assert metadata(emulator.endpoint, CREDENTIALS_PATH).status == 401
    assert control(emulator.endpoint, "POST", "metadata", {"hardened": "yes"})[0] == 400
    assert control(emulator.endpoint, "POST", "metadata", {"role": "nobody"})[0] == 400
    assert control(emulator.endpoint, "GET", "metadata")[1]["hardened"] is True
    key_id = assume(emulator.endpoint)[1]["Credentials"]["AccessKeyId"]
    issued = control(emulator.endpoint, "GET", "sts")[1]["issued"]
    assert [entry["access_key_id"] for entry in issued] == [key_id]
    assert "AccessKeySecret" not in json.dumps(issued)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"roles": [{"arn": "acs:ram::1:user/x", "owner": "1"}]}, "arn must read"),
        ({"roles": [{"arn": "acs:ram::1:role/x"}]}, "lacks owner"),
        ({"roles": [{"arn": "acs:ram::1:role/x", "owner": "1", "max_session_duration": 60}]}, "max_session_duration"),
        ({"oidc_providers": [{"arn": "a", "owner": "1"}]}, "lacks token"),
        ({"ecs_instance_role": "nobody"}, "ecs_instance_role"),
        ({"metadata_hardened": "yes"}, "metadata_hardened"),
    ],
)
def test_config_is_checked(change, message):
    with pytest.raises(ConfigError, match=message):
        load_config(dict(load_config(), **change))


def test_oss_requests_are_not_taken_for_sts(emulator):
    """An OSS request never carries Action; without it, GET / is the OSS side's ListBuckets (here unsigned, so refused)."""
    response = raw_request(emulator.endpoint, "GET", "/?" + quote("Version") + "=1")
    assert (response.status, response.code) == (403, "AccessDenied")
    assert emulator.requests and emulator.requests[-1]["operation"] == "ListBuckets"
    assert all(entry["path"] != "/latest/api/token" for entry in emulator.requests)


def test_reset_restores_the_metadata_settings(emulator):
    emulator.metadata.hardened = True
    emulator.metadata.token_api = False
    emulator.metadata.role = None
    control(emulator.endpoint, "POST", "reset", {})
    assert emulator.metadata.settings() == {
        "hardened": False,
        "token_api": True,
        "role": "oss-cname-admin",
        "counts": {"token": 0, "with_token": 0, "without_token": 0},
    }
