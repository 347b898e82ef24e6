"""Pure date arithmetic about due dates (time is always a parameter)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def office_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar day an instant falls on in the office's zone."""
    return instant.astimezone(zone).date()


def days_left(due: date | None, today: date) -> int | None:
    """Calendar days until `due` (negative when overdue); None without a due date."""
    return None if due is None else (due - today).days


def urgency_key(due: date | None, task_id: int) -> tuple[int, date, int]:
    """Sort key: dated tasks first, soonest (most overdue) first, then by id; undated tasks last."""
    return (1, date.max, task_id) if due is None else (0, due, task_id)
