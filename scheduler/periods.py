"""Reporting periods of continuous and recurring tasks: which period a day is in, and when its update is due."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from storage.models import Recurrence


@dataclass(frozen=True)
class Period:
    """`key` is stable and sortable ("2023-05", "2023-Q2", "2023-H1", "2023", "2023-W23")."""

    kind: str  # "week" | "month" | "quarter" | "half" | "year"
    key: str
    start: date
    end: date
    deadline: date  # when the period's update is due (may fall on a day off; the planner moves it earlier)
    number: int  # week, month, quarter or half number; the year for "year"
    year: int


_MONTHS_PER = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_KIND_OF: dict[str, str] = {
    Recurrence.CONTINUOUS: "month",
    Recurrence.MONTHLY: "month",
    Recurrence.QUARTERLY: "quarter",
    Recurrence.SEMIANNUAL: "half",
    Recurrence.ANNUAL: "year",
    Recurrence.WEEKLY: "week",
}


def _deadline_in(year: int, month: int, reporting_day: int) -> date:
    return date(year, month, min(reporting_day, calendar.monthrange(year, month)[1]))


def period_of(recurrence: str, day: date, reporting_day: int) -> Period | None:
    """The reporting period `day` falls in for a task of this recurrence; None for one-off tasks."""
    kind = _KIND_OF.get(recurrence)  # type: ignore[call-overload]
    if kind is None:
        return None
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        iso_year, week, _ = day.isocalendar()
        return Period("week", f"{iso_year}-W{week:02d}", monday, monday + timedelta(days=6),
                      monday + timedelta(days=4), week, iso_year)
    months = _MONTHS_PER[kind]
    index = (day.month - 1) // months
    first_month = index * months + 1
    last_month = first_month + months - 1
    start = date(day.year, first_month, 1)
    end = date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    key = {"month": f"{day.year}-{day.month:02d}", "quarter": f"{day.year}-Q{index + 1}",
           "half": f"{day.year}-H{index + 1}", "year": f"{day.year}"}[kind]
    number = {"month": day.month, "quarter": index + 1, "half": index + 1, "year": day.year}[kind]
    return Period(kind, key, start, end, _deadline_in(day.year, last_month, reporting_day), number, day.year)
