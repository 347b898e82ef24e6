"""A plan's deadline phrases (Tiến độ / Thời gian) read into start, due and recurrence (table-driven)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.importing.deadlines import DeadlineReading, read_deadline

D = date
NONE, CONT = "none", "continuous"

# (phrase, plan_year, start, due, recurrence, understood, no_date)
Row = tuple[str, int | None, date | None, date | None, str, bool, bool]


def ok(text: str, start: date | None, due: date | None, rec: str = NONE, *, plan: int | None = 2023) -> Row:
    return (text, plan, start, due, rec, True, False)


def no_date(text: str, *, plan: int | None = 2023) -> Row:
    return (text, plan, None, None, NONE, True, True)


def unread(text: str, *, plan: int | None = 2023) -> Row:
    return (text, plan, None, None, NONE, False, False)


JUN22 = (D(2022, 6, 1), D(2022, 6, 30))
Y23 = (D(2023, 1, 1), D(2023, 12, 31))
Y24 = (D(2024, 1, 1), D(2024, 12, 31))
Q3_23 = (D(2023, 7, 1), D(2023, 9, 30))
OCT20 = D(2023, 10, 20)

CASES: list[Row] = [
    # -- a month (seed plan 164/KH-UBND verbatim first)
    ok("Trong tháng 6/2022", *JUN22, plan=2022),
    ok("Trong tháng 7/2022", D(2022, 7, 1), D(2022, 7, 31), plan=2022),
    ok("Trong tháng 10/2022", D(2022, 10, 1), D(2022, 10, 31), plan=2022),
    ok("trong thang 6/2022", *JUN22, plan=None),
    ok("TRONG THÁNG 6/2022", *JUN22, plan=None),
    ok("  Trong   tháng  6 / 2022 . ", *JUN22, plan=None),
    ok("tháng 6 năm 2022", *JUN22, plan=None),
    ok("thang 6 nam 2022", *JUN22, plan=None),
    ok("Tháng 3/2024", D(2024, 3, 1), D(2024, 3, 31)),
    ok("Tháng 2/2024", D(2024, 2, 1), D(2024, 2, 29)),  # leap year
    ok("Trong tháng 6", D(2023, 6, 1), D(2023, 6, 30)),  # no year: the plan's
    ok("Hoàn thành trong tháng 9/2023", D(2023, 9, 1), D(2023, 9, 30)),
    # -- ranges of months and days
    ok("Từ 6/2022 đến 12/2022", D(2022, 6, 1), D(2022, 12, 31), plan=2022),
    ok("Từ 6/2022 đến 11/2022", D(2022, 6, 1), D(2022, 11, 30), plan=2022),
    ok("Từ 8/2022 đến 4/2023", D(2022, 8, 1), D(2023, 4, 30), plan=2022),
    ok("Từ tháng 8/2022 đến tháng 4/2023", D(2022, 8, 1), D(2023, 4, 30), plan=None),
    ok("tu thang 8/2022 den thang 4/2023", D(2022, 8, 1), D(2023, 4, 30), plan=None),
    ok("TỪ 6/2022 ĐẾN 12/2022", D(2022, 6, 1), D(2022, 12, 31), plan=None),
    ok("Từ ngày 01/3/2024 đến ngày 30/4/2024", D(2024, 3, 1), D(2024, 4, 30)),
    ok("tu ngay 01/3/2024 den ngay 30/4/2024", D(2024, 3, 1), D(2024, 4, 30)),
    ok("01/3/2024 - 30/4/2024", D(2024, 3, 1), D(2024, 4, 30)),
    ok("Từ 20/5 đến 30/6/2024", D(2024, 5, 20), D(2024, 6, 30)),  # the start borrows the end's year
    ok("Từ 20/11 đến 15/1/2025", D(2024, 11, 20), D(2025, 1, 15)),  # ... one year earlier if needed
    ok("Từ tháng 6 đến tháng 9", D(2023, 6, 1), D(2023, 9, 30)),
    ok("Từ tháng 6/2023 đến hết năm 2023", D(2023, 6, 1), D(2023, 12, 31)),
    ok("Tháng 11-12/2024", D(2024, 11, 1), D(2024, 12, 31)),
    ok("tháng 11, 12/2024", D(2024, 11, 1), D(2024, 12, 31)),
    ok("Tháng 11 – 12 năm 2024", D(2024, 11, 1), D(2024, 12, 31)),  # en dash
    ok("tháng 11 và 12/2024", D(2024, 11, 1), D(2024, 12, 31)),
    # -- a year, several years
    ok("Trong năm 2023", *Y23, plan=None),
    ok("Thời gian: Trong năm 2023", *Y23, plan=None),  # a seed line verbatim
    ok("trong nam 2023", *Y23, plan=2022),  # the phrase's year beats the plan's
    ok("Năm 2023", *Y23, plan=None),
    ok("Cả năm 2023", *Y23, plan=None),
    ok("ca nam 2024", *Y24, plan=None),
    ok("Trong năm", *Y24, plan=2024),
    ok("Giai đoạn 2021-2025", D(2021, 1, 1), D(2025, 12, 31)),
    ok("2021 - 2025", D(2021, 1, 1), D(2025, 12, 31)),
    ok("giai doan 2021 – 2025", D(2021, 1, 1), D(2025, 12, 31)),
    # -- quarters and half-years
    ok("Quý III/2023", *Q3_23, plan=None),
    ok("quy iii/2023", *Q3_23, plan=None),
    ok("QUÝ III NĂM 2023", *Q3_23, plan=None),
    ok("quý 4 năm 2024", D(2024, 10, 1), D(2024, 12, 31)),
    ok("Quý I", D(2023, 1, 1), D(2023, 3, 31)),
    ok("Quý II", D(2025, 4, 1), D(2025, 6, 30), plan=2025),
    ok("quý 2/2024", D(2024, 4, 1), D(2024, 6, 30)),
    ok("Quý IV/2024", D(2024, 10, 1), D(2024, 12, 31)),
    ok("6 tháng đầu năm 2023", D(2023, 1, 1), D(2023, 6, 30), plan=None),
    ok("6 thang dau nam", D(2024, 1, 1), D(2024, 6, 30), plan=2024),
    ok("6 tháng cuối năm", D(2023, 7, 1), D(2023, 12, 31)),
    ok("6 tháng cuối năm 2024", D(2024, 7, 1), D(2024, 12, 31)),
    # -- hard dates: "trước ngày X" is due X itself (inclusive), like "chậm nhất ngày X"
    ok("trước ngày 20/10/2023", None, OCT20, plan=None),
    ok("Trước ngày 20/10/2023.", None, OCT20, plan=2022),
    ok("truoc ngay 20/10/2023", None, OCT20, plan=None),
    ok("chậm nhất ngày 20/10/2023", None, OCT20, plan=None),
    ok("Chậm nhất là ngày 20/10/2023", None, OCT20, plan=None),
    ok("cham nhat la ngay 20/10/2023", None, OCT20, plan=None),
    ok("hoàn thành trước 20/10", None, OCT20),
    ok("HOÀN THÀNH TRƯỚC 20/10", None, D(2024, 10, 20), plan=2024),
    ok("20/5/2024", None, D(2024, 5, 20), plan=None),
    ok("ngày 20/5/2024", None, D(2024, 5, 20), plan=None),
    ok("20-5-2024", None, D(2024, 5, 20), plan=None),
    ok("20/5/24", None, D(2024, 5, 20), plan=None),
    ok("ngày 20 tháng 10 năm 2023", None, OCT20, plan=None),
    ok("trước 30/6", None, D(2023, 6, 30)),
    ok("Đến 30/6/2024", None, D(2024, 6, 30)),
    ok("Từ nay đến 30/6/2024", None, D(2024, 6, 30)),
    ok("trước ngày 29/2/2024", None, D(2024, 2, 29)),
    # -- open starts: run on
    ok("Từ tháng 6/2023", D(2023, 6, 1), None, CONT, plan=None),
    ok("Thời gian: Từ tháng 6/2023", D(2023, 6, 1), None, CONT, plan=None),  # seed line verbatim
    ok("tu thang 6/2023", D(2023, 6, 1), None, CONT, plan=None),
    ok("Từ 6/2023", D(2023, 6, 1), None, CONT, plan=None),
    ok("từ ngày 15/6/2023", D(2023, 6, 15), None, CONT, plan=None),
    ok("Kể từ tháng 9", D(2023, 9, 1), None, CONT),
    # -- continuous
    ok("Thường xuyên", None, None, CONT),
    ok("thuong xuyen", None, None, CONT),
    ok("THƯỜNG XUYÊN", None, None, CONT, plan=None),
    ok("Liên tục", None, None, CONT),
    ok("Hằng ngày", None, None, CONT),
    ok("hang ngay", None, None, CONT),
    # -- recurring: bounded by the plan's year when it is known
    ok("Hàng tháng", *Y23, "monthly"),
    ok("hằng tháng", *Y23, "monthly"),
    ok("định kỳ hàng tháng", *Y23, "monthly"),
    ok("Hàng tháng", None, None, "monthly", plan=None),
    ok("hàng quý", *Y24, "quarterly", plan=2024),
    ok("Hằng quý", *Y23, "quarterly"),
    ok("định kỳ quý", *Y23, "quarterly"),
    ok("dinh ky hang quy", *Y23, "quarterly"),
    ok("định kỳ 6 tháng", *Y23, "semiannual"),
    ok("6 tháng một lần", *Y23, "semiannual"),
    ok("hàng 6 tháng", *Y23, "semiannual"),
    ok("hằng năm", *Y23, "annual"),
    ok("Hàng năm", None, None, "annual", plan=None),
    ok("định kỳ hàng năm", *Y23, "annual"),
    ok("hằng tuần", *Y23, "weekly"),
    ok("HANG TUAN", *Y23, "weekly"),
    # a reporting regime (seed plan, Lạng Sơn): the most frequent period wins, "đột xuất" adds ad hoc reports
    ok("Định kỳ hàng quý, 6 tháng, năm hoặc đột xuất", *Y23, "quarterly"),
    # -- combinations
    ok("Thường xuyên, trong năm 2023", *Y23, CONT, plan=None),
    ok("thuong xuyen trong nam 2023", *Y23, CONT, plan=2022),
    ok("Quý III/2023 và thường xuyên", *Q3_23, CONT, plan=None),  # the quarter bounds the continuous task
    ok("Trong năm 2023 (báo cáo trước 15/12)", D(2023, 1, 1), D(2023, 12, 15), plan=None),  # hard date wins
    ok("Hàng quý trong năm 2024", *Y24, "quarterly"),
    ok("Hàng tháng từ tháng 6/2023", D(2023, 6, 1), None, "monthly"),
    ok("Thường xuyên; báo cáo hằng quý", *Y23, "quarterly"),  # a recurrence says when to check
    ok("Theo kế hoạch, trong tháng 6/2023", D(2023, 6, 1), D(2023, 6, 30)),
    ok("Thường xuyên, theo quy định", None, None, CONT),
    # -- no date: understood, flagged for the chief
    no_date("Theo quy định"),
    no_date("theo quy dinh"),
    no_date("THEO QUY ĐỊNH", plan=None),
    no_date("Khi có yêu cầu"),
    no_date("khi co yeu cau"),
    no_date("Đột xuất"),
    no_date("dot xuat"),
    no_date("Theo yêu cầu"),
    no_date("Theo kế hoạch"),
    no_date("Đột xuất, khi có yêu cầu"),
    # -- not understood: never guess
    unread(""),
    unread("   "),
    unread(" - "),
    unread("31/6/2024"),
    unread("Trước ngày 31/6/2024"),
    unread("Quý V"),
    unread("Quý V/2024"),
    unread("Tháng 13/2024"),
    unread("29/2/2023"),
    unread("Trong tháng 6", plan=None),  # no year anywhere
    unread("Quý I", plan=None),
    unread("trước 30/6", plan=None),
    unread("Chủ động"),  # seed plan 435, a result leaked into the deadline column
    unread("100% ý kiến, câu hỏi được phản hồi"),
    unread("Báo cáo Sở về kết quả thực hiện kế hoạch về Văn phòng Sở trước ngày 20/10/2023."),
    unread("Sau khi có quyết định"),
    unread("Trước tháng 6/2024"),  # "before June": the last day of May or of June? the chief decides
    unread("Tháng 6/2023 và tháng 12/2023"),  # two periods
    unread("trước 15/6 và 15/12"),  # two due dates
    unread("Từ 30/6/2024 đến 1/6/2024"),  # ends before it starts
    unread("Từ"),
    unread("Định kỳ"),
    unread("Năm 1800"),
    unread("Giai đoạn 2025-2021"),
]


def _ids() -> list[str]:
    return [f"{i:03d}-{row[0][:40]}" for i, row in enumerate(CASES)]


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 80
    assert len({(row[0], row[1]) for row in CASES}) == len(CASES)  # no duplicated row


@pytest.mark.parametrize(
    ("text", "plan_year", "start", "due", "recurrence", "understood", "no_date_"), CASES, ids=_ids()
)
def test_deadline_phrase(
    text: str,
    plan_year: int | None,
    start: date | None,
    due: date | None,
    recurrence: str,
    understood: bool,
    no_date_: bool,
) -> None:
    assert read_deadline(text, plan_year=plan_year) == DeadlineReading(
        start=start, due=due, recurrence=recurrence, understood=understood, no_date=no_date_, text=text
    )


@pytest.mark.parametrize("day", ["20/10/2023", "1/1/2024", "30/6"])
def test_truoc_ngay_is_inclusive_like_cham_nhat(day: str) -> None:
    before = read_deadline(f"trước ngày {day}", plan_year=2023)
    latest = read_deadline(f"chậm nhất ngày {day}", plan_year=2023)
    assert before.understood and before.due == latest.due == read_deadline(day, plan_year=2023).due


def test_original_text_is_kept_verbatim() -> None:
    phrase = "  Quý III/2023 và  thường xuyên\n"
    assert read_deadline(phrase, plan_year=None).text == phrase
    assert read_deadline("xyz", plan_year=None).text == "xyz"


def test_none_is_not_understood() -> None:
    reading = read_deadline(None, plan_year=2023)  # type: ignore[arg-type]
    assert reading == DeadlineReading(None, None, NONE, False, False, "")
