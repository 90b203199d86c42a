# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helpers: hand-built OSS requests signed by the official SDK's signer classes, certificates, control calls.

Signing with `alibabacloud_oss_v2.signer` keeps the tests independent of both the emulator's verifier and
the collection's own signer.
"""

import base64
import dataclasses
import datetime
import hashlib
import http.client
import json
import ssl
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import defusedxml.ElementTree as SafeET
from alibabacloud_oss_v2.signer import SignerV1, SignerV4
from alibabacloud_oss_v2.types import Credentials, HttpRequest, SigningContext

UTC = datetime.timezone.utc
OWNER = "1234567890123456"
MAIN_KEY = ("LTAI5tEmulatorKey0001", "EmulatorSecret0001xxxxxxxxxxxxxx")
OTHER_KEY = ("LTAI5tEmulatorKey0002", "EmulatorSecret0002xxxxxxxxxxxxxx")
STS_KEY = ("STS.EmulatorStsKey0001", "EmulatorStsSecret0001xxxxxxxxxxx", "EmulatorSecurityToken0001")
CERT_1 = "12345678-cn-hangzhou"
CERT_2 = "23456789-cn-hangzhou"


class FakeClock:
    """An injectable clock: returns `now` until told otherwise."""

    def __init__(self, now=None):
        self.now = now or datetime.datetime(2025, 4, 17, 15, 39, 12, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += datetime.timedelta(seconds=seconds)


@dataclasses.dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def error(self):
        """The children of an <Error> document as a dict (empty when the body is not one)."""
        try:
            root = SafeET.fromstring(self.body)
        except Exception:
            return {}
        return {child.tag: child.text for child in root} if root.tag == "Error" else {}

    @property
    def code(self):
        return self.error.get("Code")

    def xml(self):
        return SafeET.fromstring(self.body)


def cname_body(domain, **certificate):
    """`<BucketCnameConfiguration>` built with ElementTree; keyword arguments fill CertificateConfiguration."""
    root = ET.Element("BucketCnameConfiguration")
    cname = ET.SubElement(root, "Cname")
    ET.SubElement(cname, "Domain").text = domain
    if certificate:
        config = ET.SubElement(cname, "CertificateConfiguration")
        for name, value in certificate.items():
            ET.SubElement(config, name).text = value
    return ET.tostring(root)


class OssClient:
    """Sends one signed request per call; every signing input can be overridden to provoke a failure."""

    def __init__(self, endpoint, key=MAIN_KEY, version="v4", region="cn-hangzhou", security_token=None, ssl_context=None):
        self.endpoint = endpoint
        self.access_key_id, self.secret = key[0], key[1]
        self.version = version
        self.region = region
        self.security_token = security_token
        self.ssl_context = ssl_context

    def send(
        self,
        method,
        bucket,
        query,
        body=None,
        signing_time=None,
        sign_region=None,
        secret=None,
        host=None,
        extra_headers=None,
        content_headers=True,
        unsigned_headers=None,
        mutate_authorization=None,
        additional_headers=None,
    ):
        headers = dict(extra_headers or {})
        if body is not None and content_headers:
            headers["Content-Type"] = "application/xml"
            headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode("ascii")
        path = "/" if host or bucket is None else "/%s/" % bucket
        url = "%s%s?%s" % (self.endpoint, path, query) if query else self.endpoint + path
        request = HttpRequest(method, url, headers=headers, body=body)
        self._sign(request, bucket, signing_time, sign_region, secret, additional_headers)
        wire_headers = dict(request.headers)
        wire_headers.update(unsigned_headers or {})
        if mutate_authorization:
            wire_headers["Authorization"] = mutate_authorization(wire_headers["Authorization"])
        if host:
            wire_headers["Host"] = host
        return raw_request(self.endpoint, method, path + ("?" + query if query else ""), body, wire_headers, self.ssl_context)

    def _sign(self, request, bucket, signing_time, sign_region, secret, additional_headers):
        token = self.security_token
        if token and self.version == "v1":
            # The SDK's V1 signer sends the token in an unsigned `security-token` header (reference 10.1); sign the right one.
            request.headers["x-oss-security-token"] = token
            token = None
        context = SigningContext(
            product="oss",
            region=sign_region or self.region,
            bucket=bucket,
            request=request,
            credentials=Credentials(self.access_key_id, secret or self.secret, token),
            signing_time=signing_time or datetime.datetime.now(UTC),
            additional_headers=set(additional_headers or ()),
        )
        context.sub_resource = ["cname", "comp"]
        (SignerV4() if self.version == "v4" else SignerV1()).sign(context)

    # --- the service and the five operations ------------------------------------------------------------------
    def list_buckets(self, query="", **kwargs):
        """ListBuckets: GET / with no bucket."""
        return self.send("GET", None, query, **kwargs)

    def create_token(self, bucket, domain, **kwargs):
        return self.send("POST", bucket, "cname&comp=token", cname_body(domain), **kwargs)

    def get_token(self, bucket, domain, **kwargs):
        return self.send("GET", bucket, "comp=token&cname=%s" % domain, **kwargs)

    def put_cname(self, bucket, domain, body=None, **certificate):
        return self.send("POST", bucket, "cname&comp=add", body or cname_body(domain, **certificate))

    def list_cname(self, bucket, **kwargs):
        return self.send("GET", bucket, "cname", **kwargs)

    def delete_cname(self, bucket, domain, **kwargs):
        return self.send("POST", bucket, "cname&comp=delete", cname_body(domain), **kwargs)


def raw_request(endpoint, method, path, body=None, headers=None, ssl_context=None):
    parts = urlsplit(endpoint)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=10, context=ssl_context)
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, {name.lower(): value for name, value in response.getheaders()}, response.read())
    finally:
        connection.close()


def control(endpoint, method, name, payload=None, query=""):
    """Call /_emulator/<name>; returns (status, decoded JSON)."""
    body = json.dumps(payload).encode("utf-8") if payload is not None else None
    response = raw_request(
        endpoint, method, "/_emulator/%s%s" % (name, "?" + query if query else ""), body, {"Content-Type": "application/json"} if body else {}
    )
    return response.status, json.loads(response.body)


def bind(client, emulator, domain, bucket="demo-bucket", **certificate):
    """Create a token, make ownership pass in either mode, bind; return the PutCname response."""
    token = client.create_token(bucket, domain).xml().findtext("Token")
    emulator.publish_txt("_dnsauth." + domain, token)
    return client.put_cname(bucket, domain, **certificate)


def listed(client, bucket="demo-bucket"):
    """ListCname as {domain: {field: text, 'Certificate': {...} or None}}."""
    root = client.list_cname(bucket).xml()
    result = {}
    for cname in root.findall("Cname"):
        entry = {child.tag: child.text for child in cname if child.tag != "Certificate"}
        certificate = cname.find("Certificate")
        entry["Certificate"] = {child.tag: child.text for child in certificate} if certificate is not None else None
        result[entry["Domain"]] = entry
    return result


def make_certificate(common_name="www.example.com", not_before=None, days=90, issuer=None, ip_address=None):
    """A fresh EC certificate, self-signed or signed by `issuer` = (cert, key).

    Returns (cert_pem, key_pem, leaf DER, certificate object, private key object).
    """
    from support.certs import TestCertificate, make_certificate as new_certificate  # pylint: disable=import-outside-toplevel

    made = new_certificate(
        common_name,
        not_before=not_before or datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        days=days,
        issuer=TestCertificate(*issuer) if issuer else None,
        ip_address=ip_address,
    )
    return made.cert_pem, made.key_pem, made.der, made.certificate, made.key


def sha1_fingerprint(der):
    digest = hashlib.sha1(der).hexdigest().upper()
    return ":".join(digest[index : index + 2] for index in range(0, 40, 2))


def trusting_context(cert_pem):
    """An HTTPS client context that trusts exactly `cert_pem`."""
    return ssl.create_default_context(cadata=cert_pem)
