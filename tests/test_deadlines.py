"""Deadlines in the Amsterdam calendar: month ends, year ends, DST changes, and which rule wins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mailbot.deadlines import add_months, can_extend, days_left, due_at, end_of_day, extended_due_at

AMS = ZoneInfo("Europe/Amsterdam")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def assert_end_of(due: datetime, day: date, offset_hours: int) -> None:
    """The due moment is 23:59:59 Amsterdam time on ``day`` with the offset that applies on that day."""
    assert due.tzinfo is AMS
    assert (due.date(), due.hour, due.minute, due.second) == (day, 23, 59, 59)
    assert due.utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    ("received", "expected", "offset"),
    [
        # 31 Jan: one month ends on February's last day (28, or 29 in leap year 2028), before day 30.
        (utc(2027, 1, 31, 10), date(2027, 2, 28), 1),
        (utc(2028, 1, 31, 10), date(2028, 2, 29), 1),
        # 29 Feb (leap): one month is 29 Mar, a day before 30 days (30 Mar); summer time began on 26 Mar.
        (utc(2028, 2, 29, 10), date(2028, 3, 29), 2),
        # Over the year end: 30 days (29/30 Jan) come before the month (30/31 Jan).
        (utc(2026, 12, 30, 10), date(2027, 1, 29), 1),
        (utc(2026, 12, 31, 10), date(2027, 1, 30), 1),
    ],
)
def test_month_ends_and_year_end(received: datetime, expected: date, offset: int) -> None:
    assert_end_of(due_at(received, AMS), expected, offset)


def test_thirty_days_win_in_a_long_month() -> None:
    received = utc(2027, 3, 15, 9)
    assert received.date() + timedelta(days=30) < add_months(received.date(), 1)
    assert_end_of(due_at(received, AMS), date(2027, 4, 14), 2)


def test_month_wins_over_february() -> None:
    received = utc(2027, 2, 1, 9)
    assert add_months(received.date(), 1) < received.date() + timedelta(days=30)
    assert_end_of(due_at(received, AMS), date(2027, 3, 1), 1)


def test_shorter_response_days() -> None:
    assert_end_of(due_at(utc(2027, 3, 15, 9), AMS, days=10), date(2027, 3, 25), 1)


def test_late_evening_utc_is_already_the_next_day_in_amsterdam() -> None:
    # 23:30 UTC on 14 Jan is 00:30 on 15 Jan in Amsterdam: the receipt day is the 15th.
    assert_end_of(due_at(utc(2027, 1, 14, 23, 30), AMS), date(2027, 2, 14), 1)
    assert_end_of(due_at(utc(2027, 1, 14, 22, 30), AMS), date(2027, 2, 13), 1)


def test_receipt_during_dst_start_night() -> None:
    # 28 Mar 2027 01:00 UTC clocks jump from 02:00 CET to 03:00 CEST; 01:30 UTC is 03:30 CEST on the 28th.
    due = due_at(utc(2027, 3, 28, 1, 30), AMS)
    assert_end_of(due, date(2027, 4, 27), 2)
    assert due.astimezone(UTC) == utc(2027, 4, 27, 21, 59, 59)


def test_receipt_during_dst_end_night() -> None:
    # 25 Oct 2026 01:00 UTC clocks go back from 03:00 CEST to 02:00 CET; 01:30 UTC is 02:30 CET on the 25th.
    due = due_at(utc(2026, 10, 25, 1, 30), AMS)
    assert_end_of(due, date(2026, 11, 24), 1)
    assert due.astimezone(UTC) == utc(2026, 11, 24, 22, 59, 59)


def test_period_spanning_dst_change_ends_in_summer_time() -> None:
    assert_end_of(due_at(utc(2027, 3, 10, 12), AMS), date(2027, 4, 9), 2)


def test_due_day_is_the_dst_end_day() -> None:
    # 31 Oct 2027 is the last Sunday of October: the day has 25 hours, its end is in CET.
    assert_end_of(due_at(utc(2027, 10, 1, 12), AMS), date(2027, 10, 31), 1)


def test_naive_means_utc_and_any_zone_is_accepted() -> None:
    aware = utc(2027, 1, 14, 23, 30)
    assert due_at(aware.replace(tzinfo=None), AMS) == due_at(aware, AMS)
    assert due_at(aware.astimezone(ZoneInfo("America/New_York")), AMS) == due_at(aware, AMS)


def test_end_of_day_when_the_last_hour_is_skipped() -> None:
    # Dhaka jumped from 23:00 (+06) to 00:00 (+07) on 19 June 2009: that day ended at 17:00 UTC.
    dhaka = ZoneInfo("Asia/Dhaka")
    end = end_of_day(date(2009, 6, 19), dhaka)
    assert end.astimezone(UTC) == utc(2009, 6, 19, 16, 59, 59)
    assert end.date() == date(2009, 6, 19)


@pytest.mark.parametrize(
    ("received", "months", "expected", "offset"),
    [
        # From the one-month end (28 Feb), two further months: 28 Apr (not 30 Apr).
        (utc(2027, 1, 31, 10), 2, date(2027, 4, 28), 2),
        (utc(2027, 1, 31, 10), 1, date(2027, 3, 28), 2),
        # 30 Nov → one month 30 Dec → two more months end on the last day of February.
        (utc(2026, 11, 30, 10), 2, date(2027, 2, 28), 1),
        (utc(2026, 12, 31, 10), 1, date(2027, 2, 28), 1),
        # The receipt day is the local day: 23:30 UTC on 31 Dec is New Year's Day in Amsterdam.
        (utc(2026, 12, 31, 23, 30), 2, date(2027, 4, 1), 2),
    ],
)
def test_extended_due_at(received: datetime, months: int, expected: date, offset: int) -> None:
    assert_end_of(extended_due_at(received, AMS, months), expected, offset)


@pytest.mark.parametrize("months", [0, 3, -1])
def test_extension_is_one_or_two_months(months: int) -> None:
    with pytest.raises(ValueError, match="1 to 2 months"):
        extended_due_at(utc(2027, 1, 31), AMS, months)


def test_can_extend_only_while_the_first_period_runs() -> None:
    received = utc(2027, 1, 15, 9)  # due 14 Feb 23:59:59 CET = 22:59:59 UTC
    assert can_extend(utc(2027, 1, 20), received, AMS)
    assert can_extend(utc(2027, 2, 14, 22, 59, 59), received, AMS)
    assert not can_extend(utc(2027, 2, 14, 23, 0, 0), received, AMS)
    assert can_extend(datetime(2027, 2, 14, 22, 0), received, AMS)  # naive = UTC


def test_days_left_counts_calendar_days_in_the_zone() -> None:
    due = due_at(utc(2027, 1, 15, 9), AMS)  # 14 Feb
    assert days_left(due, utc(2027, 2, 4, 12), AMS) == 10
    assert days_left(due, utc(2027, 2, 14, 8), AMS) == 0
    # 13 Feb 23:30 UTC is already 14 Feb in Amsterdam.
    assert days_left(due, utc(2027, 2, 13, 23, 30), AMS) == 0
    assert days_left(due, utc(2027, 2, 13, 22, 30), AMS) == 1
    assert days_left(due, utc(2027, 2, 15, 0, 30), AMS) == -1
    assert days_left(due, utc(2027, 2, 24, 12), AMS) == -10
    assert days_left(due, datetime(2027, 2, 14, 23, 30), AMS) == -1  # naive = UTC, 00:30 on the 15th locally
