# Copyright: Contributors to the alicloud.oss collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Date formats used on the OSS wire, independent of the process locale."""

import datetime
import email.utils

UTC = datetime.timezone.utc
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def utcnow():
    return datetime.datetime.now(UTC)


def as_utc(moment):
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the emulator clock must return timezone-aware UTC datetimes")
    return moment.astimezone(UTC)


def rfc1123(moment):
    """`Wed, 23 Feb 2022 21:16:37 GMT` (Date header, ExpireTime, CreationDate)."""
    return email.utils.format_datetime(as_utc(moment).replace(microsecond=0), usegmt=True)


def rfc1123_unpadded(moment):
    """`Mon, 4 May 2048 10:14:51 GMT`: the API doc's form of certificate validity dates (day not zero-padded)."""
    moment = as_utc(moment)
    return "%s, %d %s %04d %s GMT" % (_DAYS[moment.weekday()], moment.day, _MONTHS[moment.month - 1], moment.year, moment.strftime("%H:%M:%S"))


def iso8601_ms(moment):
    """`2021-09-15T02:35:07.000Z` (Cname LastModified)."""
    moment = as_utc(moment)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def parse_rfc1123(text):
    """Parse a `Date` header; None when it is not a valid RFC 1123 date."""
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_v4_date(text):
    """Parse an `x-oss-date` value (`20250417T153912Z`); None when malformed."""
    try:
        return datetime.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def parse_iso8601(text):
    """Parse `2099-01-01T00:00:00Z` style timestamps from the config and the state file."""
    parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class Clock:
    """Two readings of time.

    `wall()` is what clients sign with: the injected clock (or real time). It drives the skew check and the
    `Date` response header. `service()` adds `offset` seconds: it ages CNAME tokens and STS credentials, so a
    test can jump 73 hours ahead while clients keep signing with real time and are not refused as skewed.
    """

    def __init__(self, base=None):
        self._base = base or utcnow
        self.offset = 0.0

    def wall(self):
        return as_utc(self._base())

    def service(self):
        return self.wall() + datetime.timedelta(seconds=self.offset)
