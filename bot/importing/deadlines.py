"""A plan's deadline phrase ("Tiến độ" / "Thời gian") read into a start, a due date and a recurrence.

Plans write phrases, not dates: "Trong tháng 6/2022", "Từ 8/2022 đến 4/2023", "Quý III/2023", "Thường xuyên",
"Theo quy định". :func:`read_deadline` turns one phrase into a :class:`DeadlineReading` and always keeps the
phrase itself. Everything here is pure: the only outside fact is the plan's year, passed in.

How a phrase is read (diacritics optional, any case, extra spaces and punctuation ignored, "năm" optional:
"tháng 6 năm 2022" = "tháng 6/2022"):

* Periods give a start and a due date: a month ("Trong tháng 6/2022": 1/6–30/6), a range of months or days
  ("Từ 6/2022 đến 12/2022", "Tháng 11-12/2024", "tháng 11, 12/2024", "Từ ngày 01/3/2024 đến ngày 30/4/2024":
  first day of the first to last day of the last), a year ("Trong năm 2023", "Năm 2023", "Cả năm 2023"), years
  ("Giai đoạn 2021-2025"), a quarter ("Quý III/2023", "quý 4 năm 2024") and a half-year ("6 tháng đầu năm").
* A hard date ("20/5/2024", "trước ngày 20/10/2023", "chậm nhất (là) ngày 20/10/2023", "hoàn thành trước
  20/10", "đến 30/6/2024") is the due date; start None.
  RULE: "trước ngày X" means due X itself (inclusive), exactly like "chậm nhất ngày X". Offices read
  "trước ngày 20/10" as "by 20/10", and a unit that reports on 20/10 is not counted late.
  "trước" followed by anything but a day ("trước tháng 6") is not understood.
* "Từ X" without an end ("Từ tháng 6/2023", "từ ngày 15/6/2023") starts at the first day of X, has no due
  date and runs on: recurrence "continuous".
* "Thường xuyên", "Liên tục", "Hằng ngày" are "continuous". "Hằng/hàng tuần|tháng|quý|năm", "định kỳ
  (hàng) …", "mỗi …", "hàng 6 tháng", "6 tháng một lần" are weekly / monthly / quarterly / semiannual / annual.
* "Theo quy định", "Khi có yêu cầu", "Đột xuất", "Theo yêu cầu", "Theo kế hoạch" alone: understood, but no
  date (``no_date``); the chief must set one.

Years: a day, month, quarter or half-year written without a year takes the year the phrase itself names
(when it names exactly one: "Trong năm 2023 (báo cáo trước 15/12)" → 15/12/2023), else ``plan_year``. In a
range the first end takes the year of the last ("Từ 20/5 đến 30/6/2024"), one year earlier if it would
otherwise come after the end ("từ tháng 11 đến tháng 2/2025" starts 1/11/2024). No year at all and no
``plan_year`` → not understood.

Combinations:

* A hard date beside a period wins as the due date; the period still gives the start ("Trong năm 2023
  (báo cáo trước 15/12)" → 1/1/2023–15/12/2023, recurrence "none").
* "Continuous" or a recurrence beside a period takes that period as its bounds: "Thường xuyên, trong năm
  2023" → continuous 1/1–31/12/2023; "Quý III/2023 và thường xuyên" → continuous 1/7–30/9/2023 (the quarter
  is the part with a date the office can check; the chief may extend the task afterwards).
* A recurrence without any date in the phrase is bounded by the plan year: start 1/1/plan_year, due
  31/12/plan_year (both None when the plan year is unknown). "Continuous" alone has no dates.
* Several recurrences ("Định kỳ hàng quý, 6 tháng, năm hoặc đột xuất", a reporting regime): the most frequent
  wins (quarterly here: the half-year and year reports fall on quarter ends). A recurrence beats
  "continuous" (it says when to check). "Hàng tháng từ tháng 6/2023" is monthly from 1/6/2023, no due date.
* No-date words beside anything dated or recurring are ignored ("Đột xuất" adds ad hoc reports only).
* Two periods, two hard dates, a period with an open start, a due date before the start, an impossible
  date ("31/6/2024", "Quý V", "tháng 13") or any word not accounted for → not understood: never guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bot.understanding.dates import end_of_month
from bot.understanding.normalize import MASK, fold, prepare

__all__ = ["RECURRENCES", "DeadlineReading", "read_deadline"]

#: Recurrence values, most frequent first (the order used when a phrase names several).
RECURRENCES = ("weekly", "monthly", "quarterly", "semiannual", "annual")
NONE = "none"
CONTINUOUS = "continuous"


@dataclass(frozen=True)
class DeadlineReading:
    start: date | None
    due: date | None
    recurrence: str  # "none"|"weekly"|"monthly"|"quarterly"|"semiannual"|"annual"|"continuous"
    understood: bool  # False → the chief must set a date (flag "deadline_not_understood")
    no_date: bool  # True for "Theo quy định", "Khi có yêu cầu", "Đột xuất" (flag "no_deadline")
    text: str  # the original phrase, always kept


class _NotUnderstood(Exception):
    """The phrase (or a part of it) has no reading we can trust."""


# --------------------------------------------------------------------------------------------------
# Lexing: the folded phrase cut into atoms, most specific patterns first; each match is masked out.

_YEAR_SUFFIX = r"(?:\s*(?:/|nam|-)\s*(?P<y>\d{4}))?"
_UNIT = r"(?:(?:6|sau)\s*thang|tuan|thang|quy|nam)"
_UNIT_IN_LIST = rf"(?:hang\s*)?{_UNIT}(?!\s*/?\s*\d)"

_LEX_RULES: list[tuple[str, str]] = [
    ("years", r"\b(?:nam\s*)?(?P<y1>\d{4})\s*(?:-|den|toi)\s*(?:nam\s*)?(?P<y2>\d{4})\b"),
    (
        "months",
        (
            r"\bthang\s*(?P<m1>\d{1,2})\s*(?:-|,|va)\s*(?:thang\s*)?(?P<m2>\d{1,2})"
            r"(?:\s*(?:/|nam)\s*(?P<y>\d{4}))?(?![\d/])"
        ),
    ),
    ("half", r"\b(?:(?:6|sau)\s*thang|nua)\s*(?P<h>dau|cuoi)\s*nam(?:\s*/?\s*(?P<y>\d{4}))?\b"),
    ("cont", r"\b(?:thuong\s*xuyen|lien\s*tuc|(?:hang|moi)\s*ngay)\b"),
    (
        "recur",
        rf"\b(?:dinh\s*ky\s*(?:hang\s*)?|hang\s*|moi\s*){_UNIT}\b(?:\s*(?:,|va|hoac)\s*{_UNIT_IN_LIST})*",
    ),
    ("recur", rf"\b{_UNIT}\s*(?:mot|1)\s*lan\b"),
    (
        "nodate",
        r"\b(?:theo\s*quy\s*dinh|khi\s*co\s*yeu\s*cau|dot\s*xuat|theo\s*yeu\s*cau|theo\s*ke\s*hoach)\b",
    ),
    ("quarter", rf"\bquy\s*(?P<q>[ivx]+|\d{{1,2}}|mot|hai|ba|bon|tu)\b{_YEAR_SUFFIX}"),
    (
        "date",
        r"\b(?:ngay\s*)?(?P<d>\d{1,2})\s*thang\s*(?P<m>\d{1,2})(?:\s*(?:nam|/)\s*(?P<y>\d{4}))?(?![\d/])",
    ),
    (
        "date",
        (
            r"(?:\bngay\s*)?(?<![\d/.])(?P<d>\d{1,2})\s*(?P<sep>[/.])\s*(?P<m>\d{1,2})"
            r"(?:\s*(?P=sep)\s*(?P<y>\d{4}|\d{2}))?(?!\d)(?!\s*[/.]\s*\d)"
        ),
    ),
    ("date", r"(?:\bngay\s*)?(?<![\d\-])(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})(?!\d)"),
    ("month", rf"\bthang\s*(?P<m>\d{{1,2}})(?!\d){_YEAR_SUFFIX}(?![\d/])"),
    ("month", r"(?<![\d/.])(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})(?![\d/])"),
    ("year", r"\b(?:nam\s*)?(?P<y>\d{4})\b"),
    ("year", r"\b(?:trong|ca|suot)\s*nam\b"),  # "Trong năm": the plan's year
    ("before", r"\b(?:truoc|cham\s*nhat|muon\s*nhat|khong\s*qua|han\s*chot|han)(?:\s*la)?\b"),
    ("until", r"\b(?:den(?:\s*het)?|toi|het)\b"),
    ("from", r"\b(?:ke\s*|bat\s*dau\s*)?tu\b(?!\s*nay\b)"),
    ("dash", r"-"),
]
_LEXER = [(kind, re.compile(pattern)) for kind, pattern in _LEX_RULES]

#: Words that may stand around the atoms without changing the reading.
_FILLER = re.compile(
    r"\b(?:va|hoac|trong|ca|suot|giai\s*doan|hoan\s*thanh|bao\s*cao|thuc\s*hien|trien\s*khai"
    r"|thoi\s*gian|tien\s*do|tu\s*nay)\b"
)


@dataclass(frozen=True)
class _Atom:
    kind: str
    fields: dict[str, str | None] = field(default_factory=dict)
    word: str = ""

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", fold(prepare(text))).strip()


def _lex(phrase: str) -> list[_Atom]:
    """The atoms of ``phrase`` (already normalised), left to right; raises if a word is left unread."""
    found: list[tuple[int, _Atom]] = []

    def take(kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            found.append((match.start(), _Atom(kind, match.groupdict(), match.group())))
            return MASK * len(match.group())

        return replace

    for kind, pattern in _LEXER:
        phrase = pattern.sub(take(kind), phrase)
    rest = re.sub(r"[\W_]+", "", _FILLER.sub(" ", phrase))
    if rest:
        raise _NotUnderstood(rest)
    return [atom for _, atom in sorted(found, key=lambda pair: pair[0])]


# --------------------------------------------------------------------------------------------------
# Atoms to dates

_TIME = {"date", "month", "months", "quarter", "half", "year", "years"}
_SPANS = {"months", "years"}  # already a range: "Từ tháng 11-12/2024" is that range, not an open start
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4}


def _to_year(raw: str | None) -> int | None:
    if raw is None:
        return None
    year = int(raw) + (2000 if len(raw) == 2 else 0)
    if not 1900 <= year <= 2100:
        raise _NotUnderstood(raw)
    return year


def _own_year(atom: _Atom) -> int | None:
    """The year an atom names itself (the last one for a span of years)."""
    return _to_year(atom.get("y2") or atom.get("y"))


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as error:
        raise _NotUnderstood(f"{day}/{month}/{year}") from error


def _month_span(year: int, first: int, last: int) -> tuple[date, date]:
    return _day(year, first, 1), end_of_month(_day(year, last, 1))


def _quarter(raw: str) -> int:
    number = int(raw) if raw.isdigit() else _QUARTERS.get(raw, 0)
    if not 1 <= number <= 4:
        raise _NotUnderstood(f"quý {raw}")
    return number


def _bounds(atom: _Atom, default_year: int | None) -> tuple[date, date]:
    """First and last day an atom covers; its own year, else ``default_year``."""
    if atom.kind == "years":
        first, last = _to_year(atom.get("y1")), _to_year(atom.get("y2"))
        if first is None or last is None or first > last:
            raise _NotUnderstood(atom.word)
        return date(first, 1, 1), date(last, 12, 31)
    year = _own_year(atom) or default_year
    if year is None:
        raise _NotUnderstood(f"{atom.word}: no year")
    return _YEARLY_BOUNDS[atom.kind](atom, year)


def _date_bounds(atom: _Atom, year: int) -> tuple[date, date]:
    day = _day(year, int(atom.get("m") or 0), int(atom.get("d") or 0))
    return day, day


def _months_bounds(atom: _Atom, year: int) -> tuple[date, date]:
    first, last = int(atom.get("m1") or 0), int(atom.get("m2") or 0)
    if first > last:  # "tháng 11-2/2025": November of the year before
        return _month_span(year - 1, first, first)[0], _month_span(year, last, last)[1]
    return _month_span(year, first, last)


def _quarter_bounds(atom: _Atom, year: int) -> tuple[date, date]:
    quarter = _quarter(atom.get("q") or "")
    return _month_span(year, quarter * 3 - 2, quarter * 3)


def _half_bounds(atom: _Atom, year: int) -> tuple[date, date]:
    return _month_span(year, 1, 6) if atom.get("h") == "dau" else _month_span(year, 7, 12)


_YEARLY_BOUNDS: dict[str, Callable[[_Atom, int], tuple[date, date]]] = {
    "date": _date_bounds,
    "month": lambda atom, year: _month_span(year, int(atom.get("m") or 0), int(atom.get("m") or 0)),
    "months": _months_bounds,
    "quarter": _quarter_bounds,
    "half": _half_bounds,
    "year": lambda atom, year: (date(year, 1, 1), date(year, 12, 31)),
}


def _range(first: _Atom, last: _Atom, default_year: int | None) -> tuple[date, date]:
    """From the first day of ``first`` to the last day of ``last``; ``first`` borrows ``last``'s year."""
    end = _bounds(last, default_year)[1]
    start_year = _own_year(last) or default_year
    start = _bounds(first, start_year)[0]
    if start > end and _own_year(first) is None and first.kind != "years" and start_year is not None:
        start = _bounds(first, start_year - 1)[0]
    if start > end:
        raise _NotUnderstood(f"{first.word} > {last.word}")
    return start, end


def _default_year(atoms: list[_Atom], plan_year: int | None) -> int | None:
    """The one year the phrase names, else the plan's year."""
    named = {_to_year(atom.get(key)) for atom in atoms for key in ("y", "y1", "y2") if atom.get(key)}
    return named.pop() if len(named) == 1 else plan_year


# --------------------------------------------------------------------------------------------------
# Atoms to a reading


@dataclass
class _Parts:
    windows: list[tuple[date, date]] = field(default_factory=list)
    hards: list[date] = field(default_factory=list)
    opens: list[date] = field(default_factory=list)
    recurs: list[str] = field(default_factory=list)
    continuous: bool = False
    no_date: bool = False


def _kind_at(atoms: list[_Atom], index: int) -> str:
    return atoms[index].kind if index < len(atoms) else ""


def _time_step(atoms: list[_Atom], index: int, year: int | None, parts: _Parts) -> int:
    """[Từ] X [đến|- Y]: a range, an open start, a hard date or a period. Returns the next index."""
    opened = atoms[index].kind == "from"
    at = index + 1 if opened else index
    if _kind_at(atoms, at) not in _TIME:
        raise _NotUnderstood("'từ' without a time")
    first = atoms[at]
    if _kind_at(atoms, at + 1) in ("until", "dash") and _kind_at(atoms, at + 2) in _TIME:
        parts.windows.append(_range(first, atoms[at + 2], year))
        return at + 3
    if opened and first.kind not in _SPANS:
        parts.opens.append(_bounds(first, year)[0])
    elif first.kind == "date":
        parts.hards.append(_bounds(first, year)[1])
    else:
        parts.windows.append(_bounds(first, year))
    return at + 1


def _due_step(atoms: list[_Atom], index: int, year: int | None, parts: _Parts) -> int:
    """A due date (inclusive): "trước/chậm nhất <day>" or "đến (hết) <time>"."""
    target = _kind_at(atoms, index + 1)
    if target not in _TIME or (atoms[index].kind == "before" and target != "date"):
        raise _NotUnderstood(f"{atoms[index].word} without a day")
    parts.hards.append(_bounds(atoms[index + 1], year)[1])
    return index + 2


_UNIT_RECURRENCE = {"tuan": "weekly", "thang": "monthly", "quy": "quarterly", "nam": "annual"}


def _recurrences(word: str) -> list[str]:
    units = re.findall(_UNIT, word)
    return ["semiannual" if unit[0] in "6s" else _UNIT_RECURRENCE[unit] for unit in units]


def _parse(atoms: list[_Atom], year: int | None) -> _Parts:
    parts = _Parts()
    index = 0
    while index < len(atoms):
        atom = atoms[index]
        if atom.kind in _TIME or atom.kind == "from":
            index = _time_step(atoms, index, year, parts)
            continue
        if atom.kind in ("before", "until"):
            index = _due_step(atoms, index, year, parts)
            continue
        if atom.kind == "cont":
            parts.continuous = True
        elif atom.kind == "recur":
            parts.recurs.extend(_recurrences(atom.word))
        elif atom.kind == "nodate":
            parts.no_date = True
        index += 1  # a dash between nothing to join is punctuation
    return parts


def _recurrence(parts: _Parts) -> str:
    if parts.recurs:
        return min(parts.recurs, key=RECURRENCES.index)
    if parts.continuous or (parts.opens and not parts.hards):
        return CONTINUOUS
    return NONE


def _reading(parts: _Parts, plan_year: int | None, text: str) -> DeadlineReading:
    if len(parts.windows) > 1 or len(parts.hards) > 1 or len(parts.opens) > 1:
        raise _NotUnderstood("more than one date")
    if parts.windows and parts.opens:
        raise _NotUnderstood("a period and an open start")
    window = parts.windows[0] if parts.windows else None
    start = window[0] if window else (parts.opens[0] if parts.opens else None)
    due = parts.hards[0] if parts.hards else (window[1] if window else None)
    if start is not None and due is not None and start > due:
        raise _NotUnderstood("due before start")
    recurrence = _recurrence(parts)
    if start is None and due is None and recurrence == NONE:
        if parts.no_date:
            return DeadlineReading(None, None, NONE, True, True, text)
        raise _NotUnderstood("nothing to read")
    if start is None and due is None and recurrence in RECURRENCES and plan_year is not None:
        start, due = date(plan_year, 1, 1), date(plan_year, 12, 31)
    return DeadlineReading(start, due, recurrence, True, False, text)


def read_deadline(text: str, *, plan_year: int | None) -> DeadlineReading:
    """Read a plan's deadline phrase; see the module docstring for the rules.

    >>> read_deadline("Trong tháng 6/2022", plan_year=None).due
    datetime.date(2022, 6, 30)
    >>> read_deadline("Theo quy định", plan_year=2023).no_date
    True
    """
    original = text if isinstance(text, str) else ""
    try:
        atoms = _lex(_normalized(original))
        parts = _parse(atoms, _default_year(atoms, plan_year))
        return _reading(parts, plan_year, original)
    except _NotUnderstood:
        return DeadlineReading(None, None, NONE, False, False, original)
