"""The office's working calendar: weekends, Vietnam's public holidays (lunar Tết included), make-up days, overrides."""

from __future__ import annotations

from datetime import date

import pytest

from scheduler.calendar import WorkingCalendar
from scheduler.periods import period_of


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        (date(2023, 1, 2), False, "New Year observed on Monday"),
        (date(2023, 1, 20), False, "Tết 2023 starts on 29 of the lunar year"),
        (date(2023, 1, 26), False, "last day of Tết 2023"),
        (date(2023, 1, 27), True, "first working day after Tết 2023"),
        (date(2024, 2, 8), False, "Tết 2024 follows the lunar calendar, not 2023's dates"),
        (date(2023, 4, 28), True, "the Friday before Giỗ Tổ (29/4/2023, a Saturday)"),
        (date(2023, 5, 2), False, "Giỗ Tổ observed"),
        (date(2023, 5, 3), False, "30/4 observed"),
        (date(2023, 9, 1), False, "National Day holiday"),
        (date(2023, 9, 4), False, "2/9 observed on Monday"),
        (date(2023, 9, 5), True, "back to work"),
        (date(2024, 5, 4), True, "a make-up working Saturday decided by the government"),
        (date(2023, 6, 17), False, "an ordinary Saturday"),
        (date(2023, 6, 19), True, "an ordinary Monday"),
    ],
)
def test_public_calendar(day: date, working: bool, why: str) -> None:
    assert WorkingCalendar().is_working(day) is working, why


def test_office_overrides_win_over_the_public_calendar() -> None:
    calendar = WorkingCalendar({date(2023, 6, 19): False, date(2023, 6, 17): True})
    assert calendar.is_working(date(2023, 6, 19)) is False
    assert calendar.is_working(date(2023, 6, 17)) is True
    assert calendar.add_working_days(date(2023, 6, 16), 1) == date(2023, 6, 17)


def test_counting_working_days_skips_weekends_and_holidays() -> None:
    calendar = WorkingCalendar()
    # Seven working days before Friday 30/6/2023 is Wednesday 21/6.
    assert calendar.add_working_days(date(2023, 6, 30), -7) == date(2023, 6, 21)
    # Around 2/9/2023: Thursday 31/8, then Tuesday 5/9 (1, 2 and 4/9 are off).
    assert calendar.add_working_days(date(2023, 8, 31), 1) == date(2023, 9, 5)
    assert calendar.working_days_after(date(2023, 8, 31), date(2023, 9, 6)) == 2
    # One working day before a Sunday is the Friday, which is also the due-day anchor of a Sunday.
    assert calendar.add_working_days(date(2023, 12, 31), -1) == date(2023, 12, 29)
    assert calendar.on_or_before(date(2023, 12, 31)) == date(2023, 12, 29)
    assert calendar.working_days(date(2023, 1, 19), date(2023, 1, 30)) == [
        date(2023, 1, 19), date(2023, 1, 27), date(2023, 1, 30)]


@pytest.mark.parametrize(
    ("recurrence", "day", "key", "deadline"),
    [
        ("continuous", date(2023, 5, 3), "2023-05", date(2023, 5, 20)),
        ("monthly", date(2023, 2, 27), "2023-02", date(2023, 2, 20)),
        ("quarterly", date(2023, 8, 1), "2023-Q3", date(2023, 9, 20)),
        ("semiannual", date(2023, 3, 1), "2023-H1", date(2023, 6, 20)),
        ("annual", date(2023, 3, 1), "2023", date(2023, 12, 20)),
        ("weekly", date(2023, 6, 7), "2023-W23", date(2023, 6, 9)),
    ],
)
def test_reporting_periods(recurrence: str, day: date, key: str, deadline: date) -> None:
    period = period_of(recurrence, day, 20)
    assert period is not None
    assert (period.key, period.deadline) == (key, deadline)
    assert period.start <= day <= period.end


def test_one_off_tasks_have_no_reporting_period() -> None:
    assert period_of("none", date(2023, 5, 3), 20) is None
