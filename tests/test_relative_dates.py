"""Dates as officers write them: absolute, relative, weekdays, week/month phrases (table-driven)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.understanding import find_date, find_dates, parse_date
from bot.understanding.dates import PAST_WINDOW_DAYS, add_months, end_of_month, resolve_day_month, week_start

WED = date(2023, 5, 17)  # Wednesday
SAT = date(2023, 5, 20)  # Saturday
SUN = date(2023, 5, 21)  # Sunday
MON = date(2023, 5, 15)  # Monday
NYE = date(2023, 12, 31)  # Sunday, last day of the year
XMAS = date(2023, 12, 28)  # Thursday, the last full week of the year
JAN31 = date(2024, 1, 31)  # leap year: one month later is 29 Feb
FEB_END = date(2023, 2, 27)  # Monday, non-leap February

D = date

CASES: list[tuple[str, date, date | None]] = [
    # -- day/month, with or without year, every separator
    ("30/5", WED, D(2023, 5, 30)),
    ("30/5/2024", WED, D(2024, 5, 30)),
    ("30-5-2024", WED, D(2024, 5, 30)),
    ("30.5", WED, D(2023, 5, 30)),
    ("30 / 5", WED, D(2023, 5, 30)),
    ("30/5/24", WED, D(2024, 5, 30)),
    ("ngày 30/5", WED, D(2023, 5, 30)),
    ("ngày 30 tháng 5", WED, D(2023, 5, 30)),
    ("ngay 30 thang 5 nam 2024", WED, D(2024, 5, 30)),
    ("mùng 2 tháng 9", WED, D(2023, 9, 2)),
    ("thứ sáu ngày 26/5", WED, D(2023, 5, 26)),
    ("30/4", WED, D(2023, 4, 30)),  # 17 days ago: still this year
    ("1/11", WED, D(2023, 11, 1)),
    # -- year rollover: a day/month more than half a year back is next year
    ("5/1", D(2023, 12, 20), D(2024, 1, 5)),
    ("10/1", NYE, D(2024, 1, 10)),
    ("30/12", D(2024, 1, 5), D(2024, 12, 30)),  # the end of the year just begun
    ("15/6", D(2023, 12, 20), D(2024, 6, 15)),  # 188 days back: next year
    ("20/6", D(2023, 12, 20), D(2023, 6, 20)),  # exactly PAST_WINDOW_DAYS (183) back: kept
    ("29/2", WED, D(2024, 2, 29)),  # no 29/2 in 2023: the next one
    # -- impossible dates are no dates
    ("31/6", WED, None),
    ("32/1", WED, None),
    ("12/13", WED, None),
    ("29/2/2023", WED, None),
    # -- day only
    ("ngày 30", WED, D(2023, 5, 30)),
    ("ngày 5", WED, D(2023, 6, 5)),
    ("ngày 17", WED, D(2023, 5, 17)),
    ("ngày 3", D(2023, 12, 20), D(2024, 1, 3)),
    # -- today / tomorrow / the day after
    ("hôm nay", WED, WED),
    ("today", WED, WED),
    ("chiều nay", WED, WED),
    ("mai", WED, D(2023, 5, 18)),
    ("ngày mai", WED, D(2023, 5, 18)),
    ("sáng mai", WED, D(2023, 5, 18)),
    ("tomorrow", NYE, D(2024, 1, 1)),
    ("ngày kia", WED, D(2023, 5, 19)),
    ("mốt", WED, D(2023, 5, 19)),
    ("ngày mốt", D(2023, 12, 30), D(2024, 1, 1)),
    ("mai mốt", WED, None),  # "some day": vague
    # -- weekdays: bare = next such day on/after today
    ("thứ 2", WED, D(2023, 5, 22)),
    ("thứ 4", WED, WED),
    ("thứ 6", WED, D(2023, 5, 19)),
    ("thứ hai", WED, D(2023, 5, 22)),
    ("thứ ba", WED, D(2023, 5, 23)),
    ("thứ tư", WED, WED),
    ("thứ năm", WED, D(2023, 5, 18)),
    ("thứ sáu", WED, D(2023, 5, 19)),
    ("thứ bảy", WED, D(2023, 5, 20)),
    ("thu bay", WED, D(2023, 5, 20)),
    ("chủ nhật", WED, D(2023, 5, 21)),
    ("t2", WED, D(2023, 5, 22)),
    ("T7", WED, D(2023, 5, 20)),
    ("CN", WED, D(2023, 5, 21)),
    ("friday", WED, D(2023, 5, 19)),
    ("thứ 6", SAT, D(2023, 5, 26)),
    ("thứ 2", NYE, D(2024, 1, 1)),
    # -- weekdays of this / next / last week
    ("thứ 6 tuần này", WED, D(2023, 5, 19)),
    ("thứ 3 tuần này", WED, D(2023, 5, 16)),  # already past, still this week's
    ("thứ 6 này", WED, D(2023, 5, 19)),
    ("thứ 6 tuần sau", WED, D(2023, 5, 26)),
    ("thứ 2 tuần tới", WED, D(2023, 5, 22)),
    ("thứ năm tuần sau", WED, D(2023, 5, 25)),
    ("t5 tuần sau", WED, D(2023, 5, 25)),
    ("chủ nhật tuần sau", WED, D(2023, 5, 28)),
    ("thứ 2 tuần trước", WED, D(2023, 5, 8)),
    ("next friday", WED, D(2023, 5, 26)),
    ("thứ 2 tuần sau", XMAS, D(2024, 1, 1)),
    ("thứ 6 tuần sau", NYE, D(2024, 1, 5)),  # Sunday closes the week: next week starts tomorrow
    # -- week phrases (weeks start on Monday; the working week ends on Friday)
    ("cuối tuần", WED, D(2023, 5, 19)),
    ("cuối tuần này", MON, D(2023, 5, 19)),
    ("cuối tuần", SAT, D(2023, 5, 26)),
    ("cuối tuần", SUN, D(2023, 5, 26)),
    ("cuối tuần sau", WED, D(2023, 5, 26)),
    ("cuối tuần tới", XMAS, D(2024, 1, 5)),
    ("đầu tuần sau", WED, D(2023, 5, 22)),
    ("tuần sau", WED, D(2023, 5, 22)),
    ("tuần tới", XMAS, D(2024, 1, 1)),
    ("trong tuần", WED, D(2023, 5, 19)),
    ("trong tuần sau", WED, D(2023, 5, 26)),
    ("end of week", WED, D(2023, 5, 19)),
    ("next week", WED, D(2023, 5, 22)),
    # -- month / quarter / year phrases
    ("cuối tháng", WED, D(2023, 5, 31)),
    ("cuối tháng", FEB_END, D(2023, 2, 28)),
    ("cuối tháng", D(2024, 2, 3), D(2024, 2, 29)),
    ("cuối tháng sau", WED, D(2023, 6, 30)),
    ("cuối tháng sau", D(2023, 12, 5), D(2024, 1, 31)),
    ("cuối tháng tới", JAN31, D(2024, 2, 29)),
    ("đầu tháng sau", WED, D(2023, 6, 1)),
    ("tháng sau", D(2023, 12, 5), D(2024, 1, 1)),
    ("trong tháng", WED, D(2023, 5, 31)),
    ("giữa tháng", D(2023, 5, 3), D(2023, 5, 15)),
    ("giữa tháng", WED, D(2023, 6, 15)),
    ("cuối quý", WED, D(2023, 6, 30)),
    ("cuối quý", D(2023, 11, 2), D(2023, 12, 31)),
    ("cuối năm", WED, D(2023, 12, 31)),
    ("end of month", WED, D(2023, 5, 31)),
    ("hết tháng", WED, D(2023, 5, 31)),
    ("hết tuần", WED, D(2023, 5, 19)),
    # -- a named month: its last day ("đầu" the 1st, "giữa" the 15th)
    ("tháng 6", WED, D(2023, 6, 30)),
    ("hết tháng 6", WED, D(2023, 6, 30)),
    ("trong tháng 2", WED, D(2023, 2, 28)),  # 78 days back: within the window, kept
    ("tháng 2", D(2023, 12, 20), D(2024, 2, 29)),  # February 2023 is long gone: next year
    ("tháng 4", WED, D(2023, 4, 30)),
    ("đầu tháng 7", WED, D(2023, 7, 1)),
    ("giữa tháng 6", WED, D(2023, 6, 15)),
    ("tháng 6/2024", WED, D(2024, 6, 30)),
    ("cuối tháng 2", D(2023, 12, 1), D(2024, 2, 29)),
    ("tháng 13", WED, None),
    # -- amounts from today
    ("thêm 3 ngày", WED, D(2023, 5, 20)),
    ("thêm 10 ngày", D(2023, 12, 25), D(2024, 1, 4)),
    ("thêm 2 tuần", WED, D(2023, 5, 31)),
    ("thêm 1 tuần", XMAS, D(2024, 1, 4)),
    ("thêm 1 tháng", WED, D(2023, 6, 17)),
    ("thêm 1 tháng", JAN31, D(2024, 2, 29)),
    ("thêm 1 tháng", D(2023, 1, 31), D(2023, 2, 28)),
    ("thêm 2 tháng", D(2023, 11, 30), D(2024, 1, 30)),
    ("them mot tuan", WED, D(2023, 5, 24)),
    ("thêm hai tuần", WED, D(2023, 5, 31)),
    ("thêm một tháng", WED, D(2023, 6, 17)),
    ("10 ngày nữa", WED, D(2023, 5, 27)),
    ("sau 2 tuần", WED, D(2023, 5, 31)),
    ("trong vòng 5 ngày", WED, D(2023, 5, 22)),
    ("nửa tháng", WED, D(2023, 6, 1)),
    ("thêm 5 ngày làm việc", WED, D(2023, 5, 24)),  # Saturday and Sunday skipped
    ("thêm 3 ngày làm việc", D(2023, 12, 29), D(2024, 1, 3)),
    ("in 3 days", WED, D(2023, 5, 20)),
    ("another week", WED, D(2023, 5, 24)),
    ("2 more weeks", WED, D(2023, 5, 31)),
    ("15 june", WED, D(2023, 6, 15)),
    ("june 15, 2024", WED, D(2024, 6, 15)),
]


@pytest.mark.parametrize(("text", "today", "expected"), CASES, ids=[f"{t!r}@{d}" for t, d, _ in CASES])
def test_date_phrase(text: str, today: date, expected: date | None) -> None:
    assert parse_date(text, today=today) == expected


@pytest.mark.parametrize(
    ("text", "expected", "span_text"),
    [
        ("đang làm, dự kiến xong 30/5 ạ", D(2023, 5, 30), "30/5"),
        ("Dự kiến hoàn thành THỨ 6 TUẦN NÀY", D(2023, 5, 19), "THỨ 6 TUẦN NÀY"),
        ("gia hạn thêm 1 tuần vì chờ ý kiến", D(2023, 5, 24), "thêm 1 tuần"),
        ("xin lùi đến cuối tháng sau nhé", D(2023, 6, 30), "cuối tháng sau"),
        ("hẹn ngày 30 tháng 6 năm 2023 xong", D(2023, 6, 30), "ngày 30 tháng 6 năm 2023"),
    ],
)
def test_find_date_gives_the_span_in_the_original_text(text: str, expected: date, span_text: str) -> None:
    found = find_date(text, today=WED)
    assert found is not None
    value, (start, end) = found
    assert value == expected
    assert text[start:end] == span_text


@pytest.mark.parametrize(
    "text",
    [
        "đang làm 50%",
        "12.5%",
        "thêm một chút",  # "một" is one, not "mốt"
        "chờ chị Mai ký",  # a name, not tomorrow
        "vướng ở khâu thương mại",  # "mại" is no "mai"
        "xin 2-3 ngày",  # a range of days, not 2 March
        "thứ tự ưu tiên",  # "thứ tự" is order, not Wednesday
        "đã làm 3 ngày",  # an amount without "thêm"/"nữa" is no date
        "version 2.0.1",
        "",
    ],
)
def test_no_date_is_invented(text: str) -> None:
    assert find_date(text, today=WED) is None


def test_several_dates_left_to_right_without_overlap() -> None:
    found = find_dates("gửi dự thảo 15/5, xong thứ 6 tuần sau, chậm nhất 30/5", today=WED)
    assert [m.date for m in found] == [D(2023, 5, 15), D(2023, 5, 26), D(2023, 5, 30)]


def test_bare_amounts_only_when_asked() -> None:
    assert find_date("gia hạn 10 ngày", today=WED) is None
    assert find_date("gia hạn 10 ngày", today=WED, allow_bare_amounts=True) == (D(2023, 5, 27), (8, 15))


@pytest.mark.parametrize(
    ("day", "month", "year", "today", "expected"),
    [
        (30, 5, None, WED, D(2023, 5, 30)),
        (1, 1, None, WED, D(2023, 1, 1)),  # 136 days back: kept
        (15, 11, None, D(2024, 5, 20), D(2024, 11, 15)),
        (1, 11, None, D(2024, 5, 20), D(2024, 11, 1)),
        (10, 11, None, D(2023, 5, 20), D(2023, 11, 10)),
        (1, 6, None, D(2023, 12, 20), D(2024, 6, 1)),  # 202 days back: next year
        (31, 12, 23, WED, D(2023, 12, 31)),
        (29, 2, 2024, WED, D(2024, 2, 29)),
        (29, 2, 2023, WED, None),
        (0, 5, None, WED, None),
        (5, 0, None, WED, None),
    ],
)
def test_resolve_day_month(
    day: int, month: int, year: int | None, today: date, expected: date | None
) -> None:
    assert resolve_day_month(day, month, year, today=today) == expected


def test_past_window_is_half_a_year() -> None:
    assert PAST_WINDOW_DAYS == 183


def test_calendar_helpers() -> None:
    assert week_start(WED) == MON
    assert week_start(NYE) == D(2023, 12, 25)
    assert end_of_month(D(2024, 2, 10)) == D(2024, 2, 29)
    assert add_months(D(2023, 12, 31), 2) == D(2024, 2, 29)
    assert add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 15), 12) == D(2024, 1, 15)
