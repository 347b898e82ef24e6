"""When a snoozed reminder comes back: in 2 hours, tomorrow, or on Monday, always inside working hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.calendar import WorkingCalendar

IN_TWO_HOURS, TOMORROW, MONDAY = 0, 1, 2
OPTIONS = (IN_TWO_HOURS, TOMORROW, MONDAY)


def in_quiet_hours(moment: time, start: time, end: time) -> bool:
    """Quiet hours wrap midnight when start > end (21:00–07:00)."""
    if start > end:
        return moment >= start or moment < end
    return start <= moment < end


def sending_time(at: time, start: time, end: time) -> time:
    """A member's reminder time moved out of quiet hours (to the end of them)."""
    return end if in_quiet_hours(at, start, end) else at


def snooze_until(
    option: int, now: datetime, *, zone: ZoneInfo, calendar: WorkingCalendar, reminder_time: time,
    quiet: tuple[time, time],
) -> datetime:
    local = now.astimezone(zone)
    morning = sending_time(reminder_time, *quiet)

    def at_morning(day: date) -> datetime:
        return datetime.combine(calendar.on_or_after(day), morning, zone)

    if option == IN_TWO_HOURS:
        later = local + timedelta(hours=2)
        if calendar.is_working(later.date()) and not in_quiet_hours(later.time(), *quiet) and later.date() == local.date():
            return later
        return at_morning(local.date() + timedelta(days=1))
    if option == TOMORROW:
        return at_morning(local.date() + timedelta(days=1))
    if option == MONDAY:
        days_ahead = (7 - local.weekday()) % 7 or 7
        return at_morning(local.date() + timedelta(days=days_ahead))
    raise ValueError(f"unknown snooze option {option}")
