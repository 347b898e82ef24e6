"""Report periods as the office writes them: "2023-Q3", "2023-H1", "2023-05", "2023". Parsed strictly."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_PERIOD = re.compile(r"(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|H(?P<half>[12])|(?P<month>0[1-9]|1[0-2])))?")
MIN_YEAR, MAX_YEAR = 2000, 2100


class BadPeriod(ValueError):
    """The text is not a period in one of the four accepted forms."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class ReportPeriod:
    key: str  # "2023-Q3"
    kind: str  # "quarter" | "half" | "month" | "year"
    number: int  # the quarter, half or month; the year for "year"
    year: int
    start: date
    end: date


def looks_like_period(text: str) -> bool:
    """Whether a chat argument is meant as a period (four digits first, no slash), right or wrong."""
    return re.match(r"\d{4}(?:$|-)", text) is not None and "/" not in text


def parse_period(text: str) -> ReportPeriod:
    """The period a key names; `BadPeriod` for anything else (2023-Q5, 2023-13, 23-Q3, Q3/2023…)."""
    match = _PERIOD.fullmatch(text.strip().upper())
    if match is None:
        raise BadPeriod(text)
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadPeriod(text)
    if match["quarter"]:
        number = int(match["quarter"])
        first, last, kind, key = 3 * number - 2, 3 * number, "quarter", f"{year}-Q{number}"
    elif match["half"]:
        number = int(match["half"])
        first, last, kind, key = 6 * number - 5, 6 * number, "half", f"{year}-H{number}"
    elif match["month"]:
        number = int(match["month"])
        first, last, kind, key = number, number, "month", f"{year}-{number:02d}"
    else:
        number, first, last, kind, key = year, 1, 12, "year", str(year)
    return ReportPeriod(key=key, kind=kind, number=number, year=year, start=date(year, first, 1),
                        end=date(year, last, calendar.monthrange(year, last)[1]))


def period_containing(day: date, kind: str = "quarter") -> ReportPeriod:
    """The period of `kind` that `day` falls in (the chat's default: this quarter)."""
    if kind == "quarter":
        return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if kind == "half":
        return parse_period(f"{day.year}-H{(day.month - 1) // 6 + 1}")
    if kind == "month":
        return parse_period(f"{day.year}-{day.month:02d}")
    return parse_period(str(day.year))
