"""Dates as officers write them in a short reply: "30/5", "thứ 6 tuần sau", "cuối tháng", "thêm 1 tuần".

Everything here is pure: ``today`` is always passed in, never read from the clock. Text may be given as
typed (with or without diacritics) or already folded; spans index into the given text.

Rules where the phrase alone is ambiguous (weeks start on Monday; the working week ends on Friday):

* "30/5" (no year) is in ``today``'s year, unless that date is more than :data:`PAST_WINDOW_DAYS` days in
  the past, then it is in the next year (on 20/12 "5/1" means next January; on 17/5 "30/4" stays 30/4).
  A two-digit year "30/5/24" is 2024. An impossible date ("31/6") is not a date.
* "ngày 30" (day only) is the next 30th on or after today; if that month has no such day, not a date.
* "thứ 6", "t6", "friday" alone: the next such day on or after today. With "tuần này"/"này"/"this" it is that
  day of this week (even if already past); with "tuần sau"/"tuần tới"/"next" the one of next week;
  with "tuần trước"/"last" the one of last week. "Chủ nhật"/"CN" is the Sunday closing the week.
* "cuối tuần" (this week's end) is the Friday of this week; said on a Saturday or Sunday, next Friday.
  "cuối tuần sau"/"cuối tuần tới" is the Friday of next week; "đầu tuần (sau)" the Monday of next week;
  "tuần sau"/"tuần tới" alone the Monday of next week; "trong tuần (này)"/"tuần này" the Friday of this
  week, "trong tuần sau" the Friday of next week.
* "cuối tháng"/"trong tháng (này)" the last day of this month; "cuối tháng sau"/"trong tháng sau" the last
  day of next month; "đầu tháng sau"/"tháng sau" alone the first of next month; "giữa tháng" the 15th
  (next month's if today is past the 15th). "cuối năm" is 31/12, "cuối quý" the quarter's last day.
  "hết" reads as "cuối" ("hết tuần", "hết tháng", "hết năm").
* "tháng 6" (also "cuối/hết/trong tháng 6", "tháng 6/2024") is the last day of June; "đầu tháng 6" the
  1st, "giữa tháng 6" the 15th; without a year, the year is chosen as for "30/5".
* "thêm N ngày/tuần/tháng", "sau N ngày", "N ngày nữa", "trong N tuần" count from today; months keep
  the day of month, clamped to the month's end; "N ngày làm việc" skips Saturdays and Sundays
  (public holidays are the caller's business). "nửa tháng" is 15 days.
* "mai mốt" (some day) is vague and yields nothing.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from .normalize import fold, typed_as

__all__ = [
    "PAST_WINDOW_DAYS",
    "DateMatch",
    "add_months",
    "end_of_month",
    "find_date",
    "find_dates",
    "parse_date",
    "resolve_day_month",
    "week_start",
]

#: A day/month without a year that lies further back than this is taken to be in the next year.
PAST_WINDOW_DAYS = 183


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date expression found in a text: the date it means and where it is (``text[start:end]``)."""

    date: date
    start: int
    end: int

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


# --------------------------------------------------------------------------------------------------
# Calendar arithmetic


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def end_of_month(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` months, the day of month clamped to the target month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _add_working_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_day_month(day: int, month: int, year: int | None = None, *, today: date) -> date | None:
    """The date meant by ``day``/``month`` (and maybe ``year``), or None if there is no such date.

    Without a year: this year, or next year when this year's date is more than
    :data:`PAST_WINDOW_DAYS` days ago (or does not exist this year, like 29/2).
    """
    if year is not None:
        if year < 100:
            year += 2000
        return _safe_date(year, month, day)
    candidate = _safe_date(today.year, month, day)
    if candidate is not None and (today - candidate).days <= PAST_WINDOW_DAYS:
        return candidate
    if not 1 <= month <= 12:
        return None
    return _safe_date(today.year + 1, month, day)


# --------------------------------------------------------------------------------------------------
# Patterns (on folded text)

_WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_WEEKDAY_ACCENTED = {
    "hai": ("hai",),
    "ba": ("ba",),
    "tu": ("tư",),
    "nam": ("năm",),
    "sau": ("sáu",),
    "bay": ("bảy", "bẩy"),
}
_ENGLISH_WEEKDAYS = {name: i for i, name in enumerate(calendar.day_name)}
_ENGLISH_WEEKDAYS = {k.lower(): v for k, v in _ENGLISH_WEEKDAYS.items()}
_ENGLISH_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}

_NUMBER_WORDS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "an": 1,
}
_NUMBER_ACCENTED = {
    "mot": ("một",),
    "hai": ("hai",),
    "ba": ("ba",),
    "bon": ("bốn",),
    "nam": ("năm",),
    "sau": ("sáu",),
    "bay": ("bảy", "bẩy"),
    "tam": ("tám",),
    "chin": ("chín",),
    "muoi": ("mười",),
}

_WD = (
    r"(?:thu\s*(?P<n>[2-7])|thu\s+(?P<w>hai|ba|tu|nam|sau|bay)|(?P<cn>chu\s*nhat|cn)|t(?P<t>[2-7])"
    r"|(?P<en>monday|tuesday|wednesday|thursday|friday|saturday|sunday))"
)
_WD_PREFIX = r"(?:(?:thu\s*(?:[2-7]|hai|ba|tu|nam|sau|bay)|chu\s*nhat|cn|t[2-7])\s*,?\s*)?"

_NUMERIC = re.compile(
    rf"(?<![\w/.\-]){_WD_PREFIX}(?:(?:ngay|mung|mong|ng)\s*)?"
    r"(?P<d>\d{1,2})(?:\s*/\s*|[.\-])(?P<m>\d{1,2})(?:(?:\s*/\s*|[.\-])(?P<y>\d{4}|\d{2}))?"
    r"(?![\w%]|[/.\-]\d|\s*%|\s*(?:ngay|tuan|thang|days?|weeks?|months?|phan)\b)"
)
_TEXTUAL = re.compile(
    r"(?<!\w)(?P<pre>(?:ngay|mung|mong)\s*)?(?P<d>\d{1,2})\s*thang\s*(?P<m>\d{1,2})"
    r"(?:\s*(?:nam|/)\s*(?P<y>\d{4}))?(?![\w/])"
)
_DAY_ONLY = re.compile(r"\b(?:ngay|mung|mong)\s*(?P<d>\d{1,2})(?![\d/.\-]|\s*thang|\s*(?:ngay|tuan)\b)")
_ENGLISH_DM = re.compile(
    r"\b(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>" + "|".join(_ENGLISH_MONTHS) + r")"
    r"|(?P<m2>" + "|".join(_ENGLISH_MONTHS) + r")\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?)"
    r"(?:,?\s*(?P<y>\d{4}))?\b"
)
_WEEKDAY = re.compile(
    rf"\b(?:(?P<pre>this|next|last|coming)\s+)?(?P<wd>{_WD})\b"
    r"(?:\s*(?P<mod>tuan\s*(?:nay|sau|toi|truoc)|nay|toi|truoc|this\s+week|next\s+week|last\s+week)\b)?"
)
_TODAY = re.compile(
    r"\b(?:(?:ngay\s*)?hom\s*nay|trong\s*ngay(?:\s*hom\s*nay)?|(?:sang|chieu|toi|trua)\s*nay|today|tonight"
    r"|(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?day|eod)\b"
)
_TOMORROW = re.compile(r"\b(?:(?P<pre>ngay|sang|chieu|toi|trua)\s*)?(?P<mai>mai)\b|\btomorrow\b")
_DAY_AFTER = re.compile(r"\b(?:ngay\s*kia|(?:ngay\s*)?(?P<mot>mot)|(?:the\s+)?day\s+after\s+tomorrow)\b")
_VAGUE = re.compile(r"\bmai\s*mot\b|\bsome\s*day\b")
_NUM = r"(?P<num>\d{1,3}|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|one|two|three|four|five|six|seven|eight|nine|ten|nua)"
_UNIT = r"(?P<unit>ngay|hom|tuan|thang|days?|weeks?|months?|wks?)"
_WORKING = r"(?P<work>\s*(?:lam\s*viec|working|business))?"
_AMOUNT_PREFIXED = re.compile(
    rf"(?:\b(?:them|sau|trong(?:\s*vong)?|lui|khoang|in|within|another|extra|additional|for)\s*|\+\s*)"
    rf"(?:khoang\s*)?{_NUM}\s*{_UNIT}\b{_WORKING}(?:\s*(?:nua|toi|more|extra|later))?\b"
)
_AMOUNT_SUFFIXED = re.compile(rf"\b{_NUM}\s*{_UNIT}\b{_WORKING}\s*(?:nua|more|extra|later|from\s+now)\b")
_AMOUNT_MORE = re.compile(rf"\b{_NUM}\s+(?:more|extra|additional)\s+{_UNIT}\b{_WORKING}")
_AMOUNT_BARE = re.compile(rf"\b{_NUM}\s*{_UNIT}\b{_WORKING}")
_AMOUNT_ONE = re.compile(r"\b(?:another|one\s+more|an?\s+extra|an?)\s+(?P<unit>day|week|month)\b")

# Week / month / year phrases, most specific first; each maps to a function of today.


def _friday_this_week(today: date) -> date:
    friday = week_start(today) + timedelta(days=4)
    return friday if friday >= today else friday + timedelta(days=7)


def _mid_month(today: date) -> date:
    return today.replace(day=15) if today.day <= 15 else add_months(today.replace(day=15), 1)


def _end_of_quarter(today: date) -> date:
    month = ((today.month - 1) // 3 + 1) * 3
    return end_of_month(date(today.year, month, 1))


_NEXT = r"(?:sau|toi|ke\s*tiep)"
_PHRASES: list[tuple[re.Pattern[str], Callable[[date], date]]] = [
    (
        re.compile(rf"\b(?:cuoi|het)\s*tuan\s*{_NEXT}\b|\b(?:by\s+)?(?:the\s+)?end\s+of\s+next\s+week\b"),
        lambda t: week_start(t) + timedelta(days=11),
    ),
    (
        re.compile(
            r"\b(?:cuoi|het)\s*tuan(?:\s*nay)?\b|\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week\b|\beow\b"
        ),
        _friday_this_week,
    ),
    (
        re.compile(rf"\bdau\s*tuan(?:\s*{_NEXT})?\b|\bearly\s+next\s+week\b"),
        lambda t: week_start(t) + timedelta(days=7),
    ),
    (
        re.compile(rf"\btrong\s*tuan\s*{_NEXT}\b|\bwithin\s+next\s+week\b"),
        lambda t: week_start(t) + timedelta(days=11),
    ),
    (re.compile(r"\btrong\s*tuan(?:\s*nay)?\b|\btuan\s*nay\b|\bthis\s+week\b"), _friday_this_week),
    (re.compile(rf"\btuan\s*{_NEXT}\b|\bnext\s+week\b"), lambda t: week_start(t) + timedelta(days=7)),
    (
        re.compile(rf"\b(?:cuoi|het)\s*thang\s*{_NEXT}\b|\b(?:by\s+)?(?:the\s+)?end\s+of\s+next\s+month\b"),
        lambda t: end_of_month(add_months(t.replace(day=1), 1)),
    ),
    (
        re.compile(
            r"\b(?:cuoi|het)\s*thang(?:\s*nay)?\b|\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month\b|\beom\b"
        ),
        end_of_month,
    ),
    (
        re.compile(rf"\bdau\s*thang(?:\s*{_NEXT})?\b|\bearly\s+next\s+month\b"),
        lambda t: add_months(t.replace(day=1), 1),
    ),
    (re.compile(rf"\bgiua\s*thang\s*{_NEXT}\b"), lambda t: add_months(t.replace(day=15), 1)),
    (re.compile(r"\bgiua\s*thang(?:\s*nay)?\b|\bmid[\s\-]*month\b"), _mid_month),
    (
        re.compile(rf"\btrong\s*thang\s*{_NEXT}\b|\bwithin\s+next\s+month\b"),
        lambda t: end_of_month(add_months(t.replace(day=1), 1)),
    ),
    (re.compile(r"\btrong\s*thang(?:\s*nay)?\b|\bthang\s*nay\b|\bthis\s+month\b"), end_of_month),
    (re.compile(rf"\bthang\s*{_NEXT}\b|\bnext\s+month\b"), lambda t: add_months(t.replace(day=1), 1)),
    (re.compile(r"\bcuoi\s*quy(?:\s*nay)?\b|\bend\s+of\s+(?:the\s+|this\s+)?quarter\b"), _end_of_quarter),
    (
        re.compile(
            r"\b(?:cuoi|het)\s*nam(?:\s*nay)?\b|\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year\b"
        ),
        lambda t: date(t.year, 12, 31),
    ),
]

_MONTH_N = re.compile(
    r"\b(?:(?P<pre>dau|giua|cuoi|het|trong)\s*)?thang\s*(?P<m>\d{1,2})(?:\s*(?:/|nam)\s*(?P<y>\d{4}))?"
    r"(?![\d/.\-]|\s*(?:ngay|tuan|thang)\b)"
)


def _month_date(pre: str | None, month: int, year: str | None, today: date) -> date | None:
    """A named month: "đầu tháng 6" → 1/6, "giữa tháng 6" → 15/6, "(cuối|hết|trong) tháng 6" → 30/6."""
    if not 1 <= month <= 12:
        return None

    def in_year(y: int) -> date:
        first = date(y, month, 1)
        return first if pre == "dau" else first.replace(day=15) if pre == "giua" else end_of_month(first)

    if year is not None:
        return in_year(int(year))
    value = in_year(today.year)
    return value if (today - value).days <= PAST_WINDOW_DAYS else in_year(today.year + 1)


# Words before "mai" that make it a name or part of another word ("chị Mai", "thương mại", "hoa mai").
_NOT_TOMORROW_BEFORE = {
    "chi",
    "c",
    "co",
    "em",
    "e",
    "ba",
    "anh",
    "a",
    "ong",
    "thuong",
    "khuyen",
    "hoa",
    "ban",
    "ms",
    "mrs",
    "mr",
    "dao",
    "cay",
    "phan",
    "mua",
}
# Words after a plain "mot" that make it "một" (one), not "mốt" (the day after tomorrow).
_ONE_AFTER = re.compile(
    r"\s*(?:ngay|tuan|thang|nam|phan|chut|it|nua|so|vai|lan|ti|cai|buoi|van|bao|ban|nguoi|don|\d)"
)
# Words before "X tháng Y" showing that "X tháng" is an amount ("thêm 2 tháng"), not a date.
_AMOUNT_BEFORE = {"them", "sau", "trong", "vong", "khoang", "lui", "han", "mat", "can", "duoc"}


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    value: date | None  # None: a vague phrase that hides the words it covers


def _previous_word(folded: str, start: int) -> str:
    match = re.search(r"(\w+)\W*$", folded[:start])
    return match.group(1) if match else ""


def _weekday_index(match: re.Match[str], text: str) -> int | None:
    """Monday=0 … Sunday=6 for a :data:`_WEEKDAY` match, or None when the words are something else."""
    if match.group("n"):
        if not typed_as(text[match.start("wd") : match.start("wd") + 3], "thứ"):
            return None
        return int(match.group("n")) - 2
    if match.group("w"):
        word = match.group("w")
        if not typed_as(text[match.start("wd") : match.start("wd") + 3], "thứ"):
            return None
        if not typed_as(text[match.start("w") : match.end("w")], *_WEEKDAY_ACCENTED[word]):
            return None
        return _WEEKDAY_WORDS[word]
    if match.group("cn"):
        return 6
    if match.group("t"):
        return int(match.group("t")) - 2
    return _ENGLISH_WEEKDAYS[match.group("en")]


def _number(word: str, original: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in _NUMBER_ACCENTED and not typed_as(original, *_NUMBER_ACCENTED[word]):
        return None
    return _NUMBER_WORDS.get(word)


def _amount_date(match: re.Match[str], text: str, today: date) -> date | None:
    unit = match.group("unit")
    num_word = match.groupdict().get("num")
    if num_word is None:
        count: int | None = 1
    elif num_word == "nua":  # "nửa tháng": half a month
        return today + timedelta(days=15) if unit == "thang" else None
    else:
        count = _number(num_word, text[match.start("num") : match.end("num")])
    if count is None or count > 400:
        return None
    if unit.startswith(("ngay", "hom", "day")):
        if match.groupdict().get("work"):
            return _add_working_days(today, count)
        return today + timedelta(days=count)
    if unit.startswith(("tuan", "week", "wk")):
        return today + timedelta(weeks=count)
    return add_months(today, count)


def _candidates(text: str, today: date, allow_bare_amounts: bool) -> list[_Candidate]:
    folded = fold(text)
    found: list[_Candidate] = []

    def add(match: re.Match[str], value: date | None) -> None:
        found.append(_Candidate(match.start(), match.end(), value))

    for m in _VAGUE.finditer(folded):
        add(m, None)
    for m in _NUMERIC.finditer(folded):
        value = resolve_day_month(
            int(m.group("d")), int(m.group("m")), int(m.group("y")) if m.group("y") else None, today=today
        )
        if value is not None:
            add(m, value)
    for m in _TEXTUAL.finditer(folded):
        if not m.group("pre") and _previous_word(folded, m.start()) in _AMOUNT_BEFORE:
            continue
        value = resolve_day_month(
            int(m.group("d")), int(m.group("m")), int(m.group("y")) if m.group("y") else None, today=today
        )
        if value is not None:
            add(m, value)
    for m in _DAY_ONLY.finditer(folded):
        day = int(m.group("d"))
        value = _safe_date(today.year, today.month, day)
        if value is None or value < today:
            nxt = add_months(today.replace(day=1), 1)
            value = _safe_date(nxt.year, nxt.month, day)
        if value is not None:
            add(m, value)
    for m in _ENGLISH_DM.finditer(folded):
        if not text[m.start() : m.end()].isascii():
            continue
        day = int(m.group("d1") or m.group("d2"))
        month = _ENGLISH_MONTHS[m.group("m1") or m.group("m2")]
        value = resolve_day_month(day, month, int(m.group("y")) if m.group("y") else None, today=today)
        if value is not None:
            add(m, value)
    for m in _WEEKDAY.finditer(folded):
        index = _weekday_index(m, text)
        if index is None:
            continue
        monday = week_start(today)
        pre, mod = m.group("pre") or "", re.sub(r"\s+", " ", m.group("mod") or "")
        if mod in {"tuan sau", "tuan toi", "next week"} or pre == "next":
            value = monday + timedelta(days=7 + index)
        elif mod in {"tuan truoc", "truoc", "last week"} or pre == "last":
            value = monday + timedelta(days=index - 7)
        elif mod in {"tuan nay", "nay", "this week"} or pre == "this":
            value = monday + timedelta(days=index)
        else:  # bare, "tới", "coming": the next such day on or after today
            value = today + timedelta(days=(index - today.weekday()) % 7)
        add(m, value)
    for m in _TODAY.finditer(folded):
        add(m, today)
    for m in _TOMORROW.finditer(folded):
        if m.group("mai"):
            word = text[m.start("mai") : m.end("mai")]
            if not typed_as(word, "mai"):
                continue
            if not m.group("pre"):
                if _previous_word(folded, m.start()) in _NOT_TOMORROW_BEFORE:
                    continue
                if word[0].isupper() and re.search(r"\w\W*$", text[: m.start()]):
                    continue  # a capitalised "Mai" inside a sentence is a name
        add(m, today + timedelta(days=1))
    for m in _DAY_AFTER.finditer(folded):
        if m.group("mot"):
            word = text[m.start("mot") : m.end("mot")]
            if not typed_as(word, "mốt"):
                continue
            if word.lower() == "mot" and (
                _ONE_AFTER.match(folded, m.end())
                or _previous_word(folded, m.start("mot")) in {"them", "duoc", "xong"}
            ):
                continue
        add(m, today + timedelta(days=2))
    for pattern, compute in _PHRASES:
        for m in pattern.finditer(folded):
            add(m, compute(today))
    for m in _MONTH_N.finditer(folded):
        value = _month_date(m.group("pre"), int(m.group("m")), m.group("y"), today)
        if value is not None:
            add(m, value)
    amount_patterns = [_AMOUNT_PREFIXED, _AMOUNT_SUFFIXED, _AMOUNT_MORE, _AMOUNT_ONE]
    if allow_bare_amounts:
        amount_patterns.append(_AMOUNT_BARE)
    for pattern in amount_patterns:
        for m in pattern.finditer(folded):
            if pattern is _AMOUNT_ONE and not text[m.start() : m.end()].isascii():
                continue
            value = _amount_date(m, text, today)
            if value is not None:
                add(m, value)
    return found


def find_dates(text: str, *, today: date, allow_bare_amounts: bool = False) -> list[DateMatch]:
    """Every date expression in ``text``, left to right, none overlapping (the longest wins).

    ``allow_bare_amounts`` also reads "10 ngày"/"2 tuần" without "thêm"/"nữa" as "that long from today"
    (right after "gia hạn" it means that; elsewhere "đã làm 3 ngày" does not).
    """
    chosen: list[_Candidate] = []
    for cand in sorted(
        _candidates(text, today, allow_bare_amounts), key=lambda c: (c.start - c.end, c.start)
    ):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    chosen.sort(key=lambda c: c.start)
    return [DateMatch(c.value, c.start, c.end) for c in chosen if c.value is not None]


def find_date(
    text: str, *, today: date, allow_bare_amounts: bool = False
) -> tuple[date, tuple[int, int]] | None:
    """The first date expression in ``text`` as ``(date, (start, end))``, or None."""
    matches = find_dates(text, today=today, allow_bare_amounts=allow_bare_amounts)
    return (matches[0].date, matches[0].span) if matches else None


def parse_date(text: str, *, today: date) -> date | None:
    """The date meant by ``text`` when the whole text (but punctuation/"ngày"/"đến") is one expression."""
    found = find_date(text, today=today, allow_bare_amounts=True)
    if found is None:
        return None
    value, (start, end) = found
    rest = fold(text[:start] + " " + text[end:])
    if re.sub(r"[\W_]+|\b(?:ngay|den|toi|truoc|vao|luc|by|on|until|before)\b", "", rest):
        return None
    return value
