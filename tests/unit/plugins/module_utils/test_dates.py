# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the lenient date parser: every format OSS is known to write, and never an exception."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.alicloud.oss.plugins.module_utils._dates import days_until, iso_or_none, parse_oss_date, seconds_until

UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Wed, 23 Feb 2022 21:16:37 GMT", datetime.datetime(2022, 2, 23, 21, 16, 37, tzinfo=UTC)),
        ("Mon, 4 May 2048 10:14:51 GMT", datetime.datetime(2048, 5, 4, 10, 14, 51, tzinfo=UTC)),
        ("Tues, 12 Apr 2023 10:14:51 GMT", datetime.datetime(2023, 4, 12, 10, 14, 51, tzinfo=UTC)),
        ("Thur, 13 Apr 2023 10:14:51 GMT", datetime.datetime(2023, 4, 13, 10, 14, 51, tzinfo=UTC)),
        ("15 Sep 2021 02:35:06 GMT", datetime.datetime(2021, 9, 15, 2, 35, 6, tzinfo=UTC)),
        ("Wed, 15 Sep 2021 10:35:06 +0800", datetime.datetime(2021, 9, 15, 2, 35, 6, tzinfo=UTC)),
        ("Feb 10 00:00:00 2023 GMT", datetime.datetime(2023, 2, 10, tzinfo=UTC)),
        ("Feb  1 08:09:10 2023 GMT", datetime.datetime(2023, 2, 1, 8, 9, 10, tzinfo=UTC)),
        ("Dec 31 23:59:59 2049 GMT", datetime.datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("2021-09-15T02:35:07.000Z", datetime.datetime(2021, 9, 15, 2, 35, 7, tzinfo=UTC)),
        ("2021-09-15T02:35:07.123Z", datetime.datetime(2021, 9, 15, 2, 35, 7, 123000, tzinfo=UTC)),
        ("2025-04-17T16:39:12Z", datetime.datetime(2025, 4, 17, 16, 39, 12, tzinfo=UTC)),
        ("  Wed, 23 Feb 2022\n21:16:37 GMT ", datetime.datetime(2022, 2, 23, 21, 16, 37, tzinfo=UTC)),
    ],
)
def test_known_formats(text, expected):
    parsed = parse_oss_date(text)
    assert parsed == expected
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "garbage",
        "2021-13-45T00:00:00Z",
        "Feb 30 00:00:00 2023 GMT",
        "yesterday",
        "Wed, 32 Feb 2022 21:16:37 GMT",
        1700000000,
        b"Wed, 23 Feb 2022 21:16:37 GMT",
        ["x"],
    ],
)
def test_unparsable_values_give_none(value):
    assert parse_oss_date(value) is None
    assert iso_or_none(value) is None
    assert seconds_until(value, datetime.datetime(2022, 1, 1, tzinfo=UTC)) is None
    assert days_until(value, datetime.datetime(2022, 1, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    "text, iso",
    [
        ("Wed, 23 Feb 2022 21:16:37 GMT", "2022-02-23T21:16:37Z"),
        ("Feb 10 00:00:00 2023 GMT", "2023-02-10T00:00:00Z"),
        ("2021-09-15T02:35:07.999Z", "2021-09-15T02:35:07Z"),
        ("Wed, 15 Sep 2021 10:35:06 +0800", "2021-09-15T02:35:06Z"),
    ],
)
def test_iso_or_none(text, iso):
    assert iso_or_none(text) == iso


NOW = datetime.datetime(2022, 2, 20, 21, 16, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, seconds, days",
    [
        ("Wed, 23 Feb 2022 21:16:37 GMT", 3 * 86400, 3),
        ("Wed, 23 Feb 2022 21:16:36 GMT", 3 * 86400 - 1, 2),
        ("Sun, 20 Feb 2022 21:16:37 GMT", 0, 0),
        ("Sun, 20 Feb 2022 21:16:36 GMT", -1, -1),
        ("Fri, 18 Feb 2022 21:16:37 GMT", -2 * 86400, -2),
    ],
)
def test_seconds_and_days_until(text, seconds, days):
    assert seconds_until(text, NOW) == seconds
    assert days_until(text, NOW) == days


def test_now_in_another_timezone_is_the_same_instant():
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    assert seconds_until("Wed, 23 Feb 2022 21:16:37 GMT", NOW.astimezone(shanghai)) == 3 * 86400
