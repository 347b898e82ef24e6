"""How the report documents write periods, dates, percentages and one assignment's result."""

from __future__ import annotations

import re
from datetime import date

from bot.reports import text_vi
from bot.reports.periods import ReportPeriod
from bot.services.plan_status import AssignmentState
from storage.models import Status


def period_text(period: ReportPeriod) -> str:
    """"quý III năm 2023", "6 tháng đầu năm 2023", "tháng 5 năm 2023", "năm 2023"."""
    return text_vi.PERIOD[period.kind].format(roman=text_vi.ROMAN.get(period.number, ""), year=period.year,
                                              half=text_vi.HALF.get(period.number, ""), number=period.number)


def day_text(value: date) -> str:
    """dd/mm/yyyy, as dates are written in the body of administrative documents."""
    return value.strftime("%d/%m/%Y")


def date_parts(value: date) -> tuple[str, str, str]:
    """Day, month, year for the place-and-date line: days below 10 and months 1 and 2 take a leading zero."""
    return f"{value.day:02d}", f"{value.month:02d}" if value.month < 3 else str(value.month), str(value.year)


def percent_text(part: int, whole: int) -> str:
    """One decimal, Vietnamese comma: 33,3."""
    return f"{(100 * part / whole) if whole else 0:.1f}".replace(".", ",")


def percent_of(state: AssignmentState) -> int | None:
    """The reported percentage; a task reported done without one is 100%."""
    if state.percent is None and state.status == Status.DONE:
        return 100
    return state.percent


def status_text(state: AssignmentState) -> str:
    return text_vi.STATUS.get(state.status, text_vi.NOT_REPORTED) if state.status else text_vi.NOT_REPORTED  # type: ignore[call-overload]


def symbol_of(plan_number: str) -> str:
    """The issuer's abbreviation in a plan number: "435/KH-SVHTT" -> "SVHTT"."""
    match = re.search(r"/\s*[A-ZĐ]+\s*-\s*(.+)$", plan_number)
    return match.group(1).strip() if match else text_vi.BLANK
