# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the shared input checks: bucket names, domains, certificate ids and PEM text."""

from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError
from ansible_collections.alicloud.oss.plugins.module_utils._pem import check_private_key_pem, parse_certificate_pem
from ansible_collections.alicloud.oss.plugins.module_utils._validation import (
    base_domain,
    check_kind_signature,
    is_agentic_bucket,
    normalize_domain,
    normalize_domains,
    normalize_fingerprint,
    validate_bucket,
    validate_cert_id,
)
from ansible_collections.alicloud.oss.tests.support.certs import make_certificate

# ---------------------------------------------------------------------------------------------
# Bucket names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["abc", "examplebucket", "my-bucket-01", "0ab", "a" * 63, "1-2", "a-b-c"])
def test_valid_bucket_names(name):
    assert validate_bucket(name) == name


@pytest.mark.parametrize(
    "name, expected",
    [
        ("MyBucket", "upper-case letters are not allowed"),
        ("my_bucket", "only lower-case letters, digits and hyphens are allowed"),
        ("my.bucket", "only lower-case letters, digits and hyphens are allowed"),
        ("my bucket", "only lower-case letters, digits and hyphens are allowed"),
        ("ab", "it must be 3 to 63 characters long, not 2"),
        ("a" * 64, "it must be 3 to 63 characters long, not 64"),
        ("-bucket", "it must start and end with a letter or a digit"),
        ("bucket-", "it must start and end with a letter or a digit"),
        ("---", "it must start and end with a letter or a digit"),
    ],
)
def test_invalid_bucket_names(name, expected):
    with pytest.raises(OssConfigError) as info:
        validate_bucket(name)
    assert str(info.value) == f"bucket '{name}' is not a valid bucket name: {expected}."
    assert info.value.option == "bucket"


@pytest.mark.parametrize("value", [None, "", 123, ["abc"]])
def test_bucket_must_be_a_non_empty_string(value):
    with pytest.raises(OssConfigError, match="must be a non-empty bucket name"):
        validate_bucket(value)


@pytest.mark.parametrize(
    "host, bucket",
    [
        ("examplebucket.oss-cn-hangzhou.aliyuncs.com", "examplebucket"),
        ("ExampleBucket.OSS-cn-hangzhou.aliyuncs.com", "examplebucket"),
        ("my-bucket.oss-cn-hangzhou-internal.aliyuncs.com", "my-bucket"),
        ("abc.oss-ap-southeast-1.aliyuncs.com.", "abc"),
    ],
)
def test_bucket_host_name_suggests_the_bucket_name(host, bucket):
    with pytest.raises(OssConfigError) as info:
        validate_bucket(host, option="name")
    assert str(info.value) == f"name '{host}' looks like the bucket's host name: use the bucket name '{bucket}'."
    assert info.value.option == "name"


def test_host_name_with_a_too_short_bucket_label_is_still_refused():
    # 'xx' is no valid bucket name, so there is nothing correct to suggest; the value is refused all the same.
    with pytest.raises(OssConfigError) as info:
        validate_bucket("xx.oss-cn-hangzhou.aliyuncs.com")
    assert "is not a valid bucket name" in str(info.value)


# ---------------------------------------------------------------------------------------------
# Domains
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("example.com", "example.com"),
        ("WWW.Example.COM", "www.example.com"),
        ("example.com.", "example.com"),
        ("  static.example.com \n", "static.example.com"),
        ("\tImg.Example.Com.  ", "img.example.com"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("a-b.c-d.example", "a-b.c-d.example"),
        ("123.example.com", "123.example.com"),
        ("ab.c", "ab.c"),
        ("a" * 63 + ".com", "a" * 63 + ".com"),
        (".".join(["a" * 63] * 3 + ["b" * 61]), ".".join(["a" * 63] * 3 + ["b" * 61])),
    ],
)
def test_domain_normalisation(value, expected):
    assert normalize_domain(value) == expected


LONG_LABEL = "l" * 64

BAD_DOMAINS = [
    ("", "must not be empty"),
    ("   ", "must not be empty"),
    ("exa mple.com", "it contains white space"),
    ("example.com\tx", "it contains white space"),
    ("bücher.example", "internationalised names must be given in their ASCII (punycode) form: 'xn--bcher-kva.example'"),
    ("例子.测试", "internationalised names must be given in their ASCII (punycode) form: 'xn--fsqu00a.xn--0zwm56d'"),
    ("a.*.example.com", "a wildcard is written *. followed by the base domain"),
    ("*example.com", "a wildcard is written *. followed by the base domain"),
    ("*.*.example.com", "a wildcard is written *. followed by the base domain"),
    ("*.com", "it must be longer than 3 characters"),
    ("*.localhost", "it needs at least two labels"),
    (f"{LONG_LABEL}.com", f"the label '{'l' * 20}...' is 64 characters long; at most 63 are allowed"),
    (".".join(["a" * 63] * 4), "it is 255 characters long; at most 253 are allowed"),
    ("a..example.com", "it has an empty label (two dots in a row, or a leading dot)"),
    (".example.com", "it has an empty label (two dots in a row, or a leading dot)"),
    ("example.com..", "it has an empty label (two dots in a row, or a leading dot)"),
    ("ex_ample.com", "the label 'ex_ample' may hold only letters, digits and inner hyphens"),
    ("-example.com", "the label '-example' may hold only letters, digits and inner hyphens"),
    ("example-.com", "the label 'example-' may hold only letters, digits and inner hyphens"),
    ("example.com/path", "the label 'com/path' may hold only letters, digits and inner hyphens"),
    ("http://example.com", "the label 'http://example' may hold only letters, digits and inner hyphens"),
    ("example.com:443", "the label 'com:443' may hold only letters, digits and inner hyphens"),
    ("a.b", "it must be longer than 3 characters"),
    ("abc", "it must be longer than 3 characters"),
    ("localhost", "it needs at least two labels, such as www.example.com"),
    ("example.", "it needs at least two labels, such as www.example.com"),
]


@pytest.mark.parametrize("value, expected", BAD_DOMAINS)
def test_domain_refusals(value, expected):
    with pytest.raises(OssConfigError) as info:
        normalize_domain(value)
    assert expected in str(info.value)
    assert str(info.value).startswith("domain ")
    assert info.value.option == "domain"


def test_domain_refusal_quotes_the_value_and_the_option():
    with pytest.raises(OssConfigError) as info:
        normalize_domain("ex_ample.com", option="cname")
    assert str(info.value) == ("cname 'ex_ample.com' is not a domain OSS can bind: the label 'ex_ample' may hold only letters, digits and inner hyphens.")


@pytest.mark.parametrize("value", ["['a.example.com', 'b.example.com']", "['a.example.com']", "a.example.com, b.example.com"])
def test_a_list_rendered_as_text_says_so(value):
    # A module with a single domain option says to loop; cname passes its own advice (use domains).
    with pytest.raises(OssConfigError) as info:
        normalize_domain(value)
    assert str(info.value) == f"domain takes a single domain, and '{value}' is a list: run the task once per domain, for example with loop."
    with pytest.raises(OssConfigError) as info:
        normalize_domain(value, for_several="use domains for a list")
    assert str(info.value).endswith("is a list: use domains for a list.")


@pytest.mark.parametrize("value", [None, 42, ["example.com"]])
def test_domain_must_be_a_string(value):
    with pytest.raises(OssConfigError, match="must be a string"):
        normalize_domain(value)


def test_normalize_domains_deduplicates_after_normalising_and_keeps_order():
    assert normalize_domains(["b.example.com", "A.example.com", "B.Example.com.", " a.example.com "]) == ["b.example.com", "a.example.com"]
    assert normalize_domains([]) == []


@pytest.mark.parametrize(
    "values, position",
    [
        (["ok.example.com", "also.example.com", "bad_domain.com"], "domains[2]"),
        (["*.*.example.com"], "domains[0]"),
        (["ok.example.com", "OK.example.com", ""], "domains[2]"),
    ],
)
def test_normalize_domains_names_the_position(values, position):
    with pytest.raises(OssConfigError) as info:
        normalize_domains(values)
    assert str(info.value).startswith(position + " ")
    assert info.value.option == position


def test_normalize_domains_custom_option_name():
    with pytest.raises(OssConfigError) as info:
        normalize_domains(["example.com", "bad domain.com"], option="aliases")
    assert str(info.value).startswith("aliases[1] 'bad domain.com'")


@pytest.mark.parametrize("values", ["example.com", None, ("example.com",)])
def test_normalize_domains_needs_a_list(values):
    with pytest.raises(OssConfigError, match="domains must be a list of domains"):
        normalize_domains(values)


# ---------------------------------------------------------------------------------------------
# Certificate service ids
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12345678-cn-hangzhou", "12345678-cn-hangzhou"),
        (" 927-ap-southeast-1 ", "927-ap-southeast-1"),
        ("1-eu-central-1", "1-eu-central-1"),
    ],
)
def test_valid_cert_ids(value, expected):
    assert validate_cert_id(value) == expected


@pytest.mark.parametrize(
    "value, hint",
    [
        ("12345678", " (for example '12345678-cn-hangzhou')"),
        ("19580016-cas.aliyuncs.com", ""),
        ("12345678-CN-HANGZHOU", ""),
        ("cn-hangzhou-12345678", ""),
        ("12345678-", ""),
        ("", ""),
        (None, ""),
        (12345678, ""),
    ],
)
def test_invalid_cert_ids(value, hint):
    with pytest.raises(OssConfigError) as info:
        validate_cert_id(value)
    assert str(info.value) == f"cert_id '{value}' is not a certificate service id: expected <number>-<certificate service region>{hint}."
    assert info.value.option == "cert_id"


# ---------------------------------------------------------------------------------------------
# PEM certificates and keys (generated with cryptography)
# ---------------------------------------------------------------------------------------------


class _Pki:  # pylint: disable=too-few-public-methods
    def __init__(self):
        start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
        ca = make_certificate("Unit Test CA", not_before=start, days=90, san=False, ca=True)
        leaf = make_certificate("www.example.com", issuer=ca, not_before=start, days=90, san=False, ca=False)
        self.ca = ca.certificate
        self.key = leaf.key
        self.leaf = leaf.certificate
        self.leaf_pem = leaf.cert_pem
        self.ca_pem = ca.cert_pem
        self.key_pem = self.key_text(serialization.PrivateFormat.PKCS8)

    def key_text(self, private_format, password=None):
        encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        return self.key.private_bytes(serialization.Encoding.PEM, private_format, encryption).decode()

    def key_body(self):
        """The base64 body of the unencrypted PKCS#8 key, the part that must never show up in a message."""
        return "".join(self.key_pem.strip().splitlines()[1:-1])


@pytest.fixture(scope="module")
def pki():
    return _Pki()


def _colon_hex(digest):
    text = digest.hex().upper()
    return ":".join(text[i : i + 2] for i in range(0, len(text), 2))


def test_single_certificate(pki):
    parsed = parse_certificate_pem(pki.leaf_pem)
    der = pki.leaf.public_bytes(serialization.Encoding.DER)
    assert parsed.count == 1
    assert parsed.leaf_der == der
    assert parsed.fingerprint == _colon_hex(pki.leaf.fingerprint(hashes.SHA1()))
    assert parsed.fingerprint == _colon_hex(hashlib.sha1(der).digest())
    assert len(parsed.fingerprint.split(":")) == 20
    assert parsed.text == pki.leaf_pem


def test_chain_leaf_first(pki):
    bundle = "Leaf certificate for www.example.com\r\n" + pki.leaf_pem.replace("\n", "\r\n") + "\n\n" + pki.ca_pem + "trailing words\n"
    parsed = parse_certificate_pem(bundle)
    assert parsed.count == 2
    assert parsed.leaf_der == pki.leaf.public_bytes(serialization.Encoding.DER)
    assert parsed.fingerprint == _colon_hex(pki.leaf.fingerprint(hashes.SHA1()))
    assert parsed.text.count("-----BEGIN CERTIFICATE-----") == 2
    assert parsed.text.index(pki.leaf_pem.splitlines()[1]) < parsed.text.index(pki.ca_pem.splitlines()[1])
    assert "trailing words" not in parsed.text
    assert "Leaf certificate for" not in parsed.text
    assert x509.load_pem_x509_certificate(parsed.text.encode()) == pki.leaf  # the first certificate of the text


def test_certificate_bundle_with_the_key_keeps_only_certificates(pki):
    parsed = parse_certificate_pem(pki.leaf_pem + pki.key_pem)
    assert parsed.count == 1
    assert "PRIVATE KEY" not in parsed.text
    assert pki.key_body() not in parsed.text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "must be PEM text holding at least one certificate"),
        ("   \n", "must be PEM text holding at least one certificate"),
        (None, "must be PEM text holding at least one certificate"),
        ("garbage that is not PEM at all", "holds no '-----BEGIN CERTIFICATE-----' block"),
        ("-----BEGIN CERTIFICATE-----\nMIIB\n", "holds no '-----BEGIN CERTIFICATE-----' block"),
        ("-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n", "has a PEM block whose content is not valid base64"),
        ("-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n", "does not decode to a complete DER structure"),
        (
            "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(b"hello world, this is no DER").decode() + "\n-----END CERTIFICATE-----\n",
            "does not decode to a complete DER structure",
        ),
    ],
)
def test_bad_certificates(text, expected):
    with pytest.raises(OssConfigError) as info:
        parse_certificate_pem(text)
    assert expected in str(info.value)
    assert str(info.value).startswith("certificate ")
    assert info.value.option == "certificate"


def test_key_given_as_certificate_is_refused_without_quoting_it(pki):
    with pytest.raises(OssConfigError) as info:
        parse_certificate_pem(pki.key_pem, option="certificate")
    assert "holds no '-----BEGIN CERTIFICATE-----' block" in str(info.value)
    assert pki.key_body()[:40] not in str(info.value)
    assert "PRIVATE" not in str(info.value)


@pytest.mark.parametrize(
    "private_format, label",
    [
        (serialization.PrivateFormat.PKCS8, "PRIVATE KEY"),
        (serialization.PrivateFormat.TraditionalOpenSSL, "EC PRIVATE KEY"),
    ],
)
def test_valid_private_keys(pki, private_format, label):
    text = pki.key_text(private_format)
    cleaned = check_private_key_pem("\n\n" + text + "\n")
    assert cleaned.startswith(f"-----BEGIN {label}-----\n")
    assert cleaned.endswith(f"-----END {label}-----\n")
    assert serialization.load_pem_private_key(cleaned.encode(), password=None).private_numbers() == pki.key.private_numbers()


def test_key_next_to_its_certificate_is_accepted(pki):
    cleaned = check_private_key_pem(pki.leaf_pem + pki.key_pem)
    assert cleaned == pki.key_pem


def _bad_key_cases(pki):
    body = pki.key_body()
    return {
        "empty": ("", "must be the PEM text of the certificate's private key"),
        "pkcs8-encrypted": (pki.key_text(serialization.PrivateFormat.PKCS8, b"pass"), "is encrypted"),
        "traditional-encrypted": (pki.key_text(serialization.PrivateFormat.TraditionalOpenSSL, b"pass"), "is encrypted"),
        "no-block": (body, "must hold exactly one '-----BEGIN PRIVATE KEY-----' block"),
        "certificate-only": (pki.leaf_pem, "must hold exactly one '-----BEGIN PRIVATE KEY-----' block"),
        "two-keys": (pki.key_pem + pki.key_pem, "must hold exactly one '-----BEGIN PRIVATE KEY-----' block"),
        "bad-base64-chars": (f"-----BEGIN PRIVATE KEY-----\n{body[:30]}!!{body[30:]}\n-----END PRIVATE KEY-----\n", "is not valid base64"),
        "bad-base64-padding": (f"-----BEGIN PRIVATE KEY-----\n{body[:-3]}\n-----END PRIVATE KEY-----\n", "is not valid base64"),
        "unsupported-label": (f"-----BEGIN DSA PRIVATE KEY-----\n{body}\n-----END DSA PRIVATE KEY-----\n", "must hold exactly one"),
    }


BAD_KEY_CASES = [
    "empty",
    "pkcs8-encrypted",
    "traditional-encrypted",
    "no-block",
    "certificate-only",
    "two-keys",
    "bad-base64-chars",
    "bad-base64-padding",
    "unsupported-label",
]


@pytest.mark.parametrize("case", BAD_KEY_CASES)
def test_bad_private_keys_never_quote_the_key(pki, case):
    text, expected = _bad_key_cases(pki)[case]
    with pytest.raises(OssConfigError) as info:
        check_private_key_pem(text)
    message = str(info.value)
    assert expected in message
    assert info.value.option == "private_key"
    body = pki.key_body()
    for start in range(0, len(body) - 16, 16):
        assert body[start : start + 16] not in message
    assert "BEGIN" not in message.replace("'-----BEGIN PRIVATE KEY-----'", "")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("de:01:cf:ec", "DE01CFEC"),
        ("DE01CFEC", "DE01CFEC"),
        (" De-01 Cf:EC ", "DE01CFEC"),
        (None, ""),
        ("", ""),
    ],
)
def test_normalize_fingerprint(value, expected):
    assert normalize_fingerprint(value) == expected


def test_fingerprint_matches_what_oss_lists(pki):
    parsed = parse_certificate_pem(pki.leaf_pem)
    listed = _colon_hex(pki.leaf.fingerprint(hashes.SHA1())).lower()
    assert normalize_fingerprint(parsed.fingerprint) == normalize_fingerprint(listed)


AGENTIC = "my-agentic-1234567890123456-cn-hangzhou-ab-apsr"


@pytest.mark.parametrize(
    "name, agentic",
    [
        (AGENTIC, True),
        ("abc-1-us-east-1-ab-apsr", True),
        ("spaces-1234567890123456-ap-northeast-1-ab-apsr", True),
        ("my-bucket", False),
        ("my-space-1234567890123456-cn-hangzhou-bs-apsr", False),  # a Bucket Space cannot be mapped to a CNAME
        ("ab-1234567890123456-cn-hangzhou-ab-apsr", False),  # the prefix has at least 3 characters
        ("my-agentic-uid-cn-hangzhou-ab-apsr", False),
        ("my-agentic-1234567890123456-ab-apsr", False),
        ("my-agentic-1234567890123456-cn-hangzhou-ab-apsr-x", False),
        ("", False),
    ],
)
def test_agentic_bucket_names(name, agentic):
    assert is_agentic_bucket(name) is agentic


def test_wildcard_domain_keeps_its_star():
    assert normalize_domain("*.Spaces.Example.COM.", bucket=AGENTIC) == "*.spaces.example.com"
    assert base_domain("*.spaces.example.com") == "spaces.example.com"
    assert base_domain("spaces.example.com") == "spaces.example.com"


def test_wildcard_on_a_standard_bucket_names_the_rule():
    with pytest.raises(OssConfigError) as caught:
        normalize_domain("*.example.com", bucket="my-bucket")
    assert str(caught.value) == (
        "domain '*.example.com' cannot be bound to bucket my-bucket: OSS binds wildcard domains (*.example.com) only to "
        "Agentic Buckets, whose names end in -<account id>-<region>-ab-apsr."
    )


def test_exact_and_wildcard_of_one_base_domain_are_two_entries():
    assert normalize_domains(["*.example.com", "example.com", "*.EXAMPLE.com"], bucket=AGENTIC) == ["*.example.com", "example.com"]


def test_wildcard_in_a_list_names_its_position():
    with pytest.raises(OssConfigError, match=r"domains\[1\] '\*\.example\.com' cannot be bound to bucket my-bucket"):
        normalize_domains(["example.com", "*.example.com"], bucket="my-bucket")


def test_v1_is_refused_on_an_agentic_bucket_only():
    check_kind_signature("my-bucket", "v1")
    check_kind_signature(AGENTIC, "v4")
    with pytest.raises(OssConfigError, match="signature_version v1 leaves unsigned"):
        check_kind_signature(AGENTIC, "v1")
