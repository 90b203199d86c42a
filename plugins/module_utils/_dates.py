# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# PRIVATE: this module_utils file is internal to alicloud.oss; it is not a public API.

"""Lenient date parsing: OSS writes dates in several formats and a date that does not parse must never fail a run."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

_WEEKDAY_PREFIX = re.compile(r"^[A-Za-z]+,\s*")
_FORMATS = (
    "%d %b %Y %H:%M:%S GMT",  # RFC 1123 without the weekday (non-standard weekdays such as 'Tues' are dropped first)
    "%b %d %H:%M:%S %Y GMT",  # OpenSSL style, as ossutil prints certificate validity
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%SZ",
)


def parse_oss_date(value) -> datetime | None:
    """An aware UTC datetime, or None when the text is empty or in no known format."""
    if not value or not isinstance(value, str):
        return None
    text = " ".join(value.split())
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None:
        parsed = _strptime_any(_WEEKDAY_PREFIX.sub("", text))
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        # Dates at the edge of what datetime holds (year 9999 with a negative offset) cannot be converted.
        return None


def _strptime_any(text: str) -> datetime | None:
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def iso_or_none(value) -> str | None:
    parsed = parse_oss_date(value)
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ") if parsed else None


def seconds_until(value, now: datetime) -> int | None:
    parsed = parse_oss_date(value)
    return int((parsed - now).total_seconds()) if parsed else None


def days_until(value, now: datetime) -> int | None:
    seconds = seconds_until(value, now)
    return seconds // 86400 if seconds is not None else None
