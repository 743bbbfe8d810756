"""Reply deadlines for data-subject requests, counted in the company's local calendar.

The policy promises a reply "binnen 30 dagen"; GDPR Art. 12(3) allows one month, extendable by two more.
Periods follow Regulation (EEC, Euratom) No 1182/71: the day of receipt does not count, a month ends on the
same date in the next month (or on that month's last day when the date does not exist), and a period ends
with the last hour of its last day. Art. 3(4), which moves an end on a weekend or holiday to the next working
day, is deliberately not applied: it could only make the deadline later, and we promise the earlier one.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_END_OF_DAY = time(23, 59, 59)
MAX_EXTENSION_MONTHS = 2


def _aware(moment: datetime) -> datetime:
    """Naive datetimes are UTC by the house convention (the register stores UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _local_date(moment: datetime, tz: ZoneInfo) -> date:
    return _aware(moment).astimezone(tz).date()


def add_months(day: date, months: int) -> date:
    """Same date ``months`` later, or the month's last day when that date does not exist (31 Jan → 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of ``day`` in ``tz``: 23:59:59 local, or the second before a DST jump that skips it.

    ``fold=1`` picks the later of a repeated 23:59:59 and, inside a gap, the earlier instant (PEP 495); the
    UTC round trip then names that instant in the local time that really existed.
    """
    return datetime.combine(day, _END_OF_DAY, tzinfo=tz).replace(fold=1).astimezone(UTC).astimezone(tz)


def _one_month(received: datetime, tz: ZoneInfo) -> date:
    return add_months(_local_date(received, tz), 1)


def due_at(received: datetime, tz: ZoneInfo, days: int = 30) -> datetime:
    """End of the earlier of receipt + ``days`` and receipt + one month: policy and Art. 12(3) both hold."""
    received_day = _local_date(received, tz)
    return end_of_day(min(received_day + timedelta(days=days), _one_month(received, tz)), tz)


def extended_due_at(received: datetime, tz: ZoneInfo, months: int) -> datetime:
    """Art. 12(3) extension: ``months`` (1 or 2) further months from the end of the one-month period."""
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"an extension is 1 to {MAX_EXTENSION_MONTHS} months, not {months}")
    return end_of_day(add_months(_one_month(received, tz), months), tz)


def can_extend(now: datetime, received: datetime, tz: ZoneInfo) -> bool:
    """Art. 12(3) requires telling the person within the first period, so only until that period ends."""
    return _aware(now) <= due_at(received, tz)


def days_left(due: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Calendar days from today to the due day in ``tz``: 0 on the last day, negative once overdue."""
    return (_local_date(due, tz) - _local_date(now, tz)).days
