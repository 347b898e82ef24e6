"""The office's working calendar: Monday to Friday, minus Vietnam's public holidays, plus the office's overrides.

Public holidays (Tết by the lunar calendar, Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9, and the days the government moves
around them, including make-up working Saturdays) come from the `holidays` package. The office's own overrides
(an extra day off, a make-up working Saturday) win over it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache

import holidays

_ONE_DAY = timedelta(days=1)


class WorkingCalendar:
    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._public = holidays.country_holidays("VN")
        self._overrides = dict(overrides or {})
        # Memoised per instance: planning asks the same few hundred dates again for every task.
        self.is_working = lru_cache(maxsize=4096)(self._is_working)  # type: ignore[method-assign]
        self.add_working_days = lru_cache(maxsize=65536)(self._add_working_days)  # type: ignore[method-assign]

    def _is_working(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override
        return bool(self._public.is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name (English, from `holidays`), if `day` is one."""
        return self._public.get(day)

    def override(self, day: date) -> bool | None:
        return self._overrides.get(day)

    def on_or_before(self, day: date) -> date:
        """`day` itself if it is a working day, else the last working day before it."""
        while not self.is_working(day):
            day -= _ONE_DAY
        return day

    def on_or_after(self, day: date) -> date:
        while not self.is_working(day):
            day += _ONE_DAY
        return day

    def _add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (before it when negative). `day` itself need not be
        a working day: 1 working day before a Sunday is the Friday."""
        step = _ONE_DAY if count > 0 else -_ONE_DAY
        remaining = abs(count)
        if remaining == 0:
            return self.on_or_before(day)
        while remaining:
            day += step
            if self.is_working(day):
                remaining -= 1
        return day

    def working_days_after(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]: 1 on the first working day after `start`."""
        if end <= start:
            return 0
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self.is_working(day):
                count += 1
            day += _ONE_DAY
        return count

    def working_days(self, start: date, end: date) -> list[date]:
        """Every working day in [start, end]."""
        days = []
        day = start
        while day <= end:
            if self.is_working(day):
                days.append(day)
            day += _ONE_DAY
        return days
