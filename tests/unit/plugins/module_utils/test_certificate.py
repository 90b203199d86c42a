# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""_certificate: the helpers behind cname_certificate's checks (the module tests cover the checks end to end)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._certificate import (
    bound_certificate_warnings,
    expiry_warnings,
    name_covers,
    read_pem_file,
    refuse_path_as_content,
)
from ansible_collections.alicloud.oss.plugins.module_utils._errors import OssConfigError

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "name, domain, covered",
    [
        ("www.example.com", "www.example.com", True),
        ("*.example.com", "www.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.example.com", ".example.com", False),
        ("*.www.example.com", "www.example.com", False),
        ("w*.example.com", "www.example.com", False),
        ("*", "com", False),
        # A wildcard domain of an Agentic Bucket: only the same wildcard name serves every host under it.
        ("*.example.com", "*.example.com", True),
        ("example.com", "*.example.com", False),
        ("www.example.com", "*.example.com", False),
        ("*.com", "*.example.com", False),
        ("*.a.example.com", "*.example.com", False),
    ],
)
def test_name_covers(name, domain, covered):
    assert name_covers(name, domain) is covered


@pytest.mark.parametrize(
    "start_days, end_days, expected",
    [
        (-10, 100, []),
        (-10, 30, []),
        (-10, 29.5, ["X expires on 2026-07-01T00:00:00Z, in 29 days: renew it soon."]),
        (-10, -0.5, ["X expired on 2026-06-01T00:00:00Z, less than a day ago: renew it."]),
        (-10, -1.5, ["X expired on 2026-05-31T00:00:00Z, 1 day ago: renew it."]),
        (-10, 0.5, ["X expires on 2026-06-02T00:00:00Z, in less than a day: renew it soon."]),
        (1, 100, ["X is not valid yet: valid from 2026-06-02T12:00:00Z to 2026-09-09T12:00:00Z."]),
    ],
)
def test_expiry_warnings(start_days, end_days, expected):
    assert expiry_warnings(NOW + timedelta(days=start_days), NOW + timedelta(days=end_days), NOW, "X") == expected


@pytest.mark.parametrize(
    "certificate", [None, {}, {"cert_id": "1-cn-hangzhou", "valid_end_date": "not a date"}, {"cert_id": "1-cn-hangzhou", "valid_end_date": None}]
)
def test_bound_certificate_without_a_readable_end_date_gets_no_warning(certificate):
    assert bound_certificate_warnings(certificate, "www.example.com", NOW) == []


def test_bound_certificate_with_an_unreadable_start_date_is_held_to_its_end_date():
    certificate = {"cert_id": "1-cn-hangzhou", "valid_start_date": "garbage", "valid_end_date": "Wed, 10 Jun 2026 12:00:00 GMT"}
    assert bound_certificate_warnings(certificate, "www.example.com", NOW) == [
        "The certificate bound to www.example.com (1-cn-hangzhou) expires on 2026-06-10T12:00:00Z, in 9 days: renew it soon."
    ]


def test_read_pem_file_refuses_a_huge_file(tmp_path):
    big = tmp_path / "big.pem"
    big.write_bytes(b"A" * (1024 * 1024 + 1))
    with pytest.raises(OssConfigError, match=r"^certificate_path '.*big.pem' is larger than 1 MiB"):
        read_pem_file(str(big), "certificate_path")


@pytest.mark.parametrize("value", ["-----BEGIN CERTIFICATE-----\n...", "", "two\nlines", "relative-name-that-does-not-exist.pem", None])
def test_refuse_path_as_content_leaves_other_text_to_the_pem_checks(value):
    refuse_path_as_content(value, "certificate")


def test_refuse_path_as_content_never_quotes_a_key_option():
    with pytest.raises(OssConfigError) as error:
        refuse_path_as_content("/secret/place/key.pem", "private_key", quote=False)
    assert "/secret/place" not in str(error.value)
    assert error.value.option == "private_key"
