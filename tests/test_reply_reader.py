"""The reply reader: how short phone replies are understood (table-driven)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from bot.understanding import INTENTS, STATUSES, Understanding, fold, read_reply

WED = date(2023, 5, 17)  # a Wednesday in the middle of a month
SAT = date(2023, 5, 20)  # a Saturday: "cuối tuần", "thứ 6" move to next week
YEAR_END = date(2023, 12, 29)  # a Friday two days before the new year
LEAP = date(2024, 1, 31)  # adding a month lands on 29 February
DEC = date(2023, 12, 20)


def status(
    st: str,
    *,
    task: int | None = None,
    percent: int | None = None,
    when: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    return {"intent": "status", "task": task, "status": st, "percent": percent, "date": when, "note": note}


def extension(when: str | None = None, *, task: int | None = None, note: str | None = None) -> dict[str, Any]:
    return {"intent": "extension", "task": task, "status": None, "percent": None, "date": when, "note": note}


def other(intent: str, *, task: int | None = None) -> dict[str, Any]:
    return {"intent": intent, "task": task, "status": None, "percent": None, "date": None, "note": None}


DONE, IN_PROGRESS, BLOCKED, NOT_STARTED = "done", "in_progress", "blocked", "not_started"

ROWS: list[tuple[str, date, dict[str, Any]]] = [
    # ---- done, every usual way of saying it
    ("xong", WED, status(DONE)),
    ("Xong rồi ạ", WED, status(DONE)),
    ("đã xong", WED, status(DONE)),
    ("da xong", WED, status(DONE)),
    ("ĐÃ HOÀN THÀNH", WED, status(DONE)),
    ("hoàn thành rồi", WED, status(DONE)),
    ("HT", WED, status(DONE)),
    ("ht ạ", WED, status(DONE)),
    ("100%", WED, status(DONE, percent=100)),
    ("done", WED, status(DONE)),
    ("Finished!", WED, status(DONE)),
    ("completed", WED, status(DONE)),
    ("đã thực hiện xong", WED, status(DONE)),
    ("báo cáo đã hoàn thành", WED, status(DONE)),
    ("Dạ em xong rồi ạ 👍", WED, status(DONE)),
    ("xong 100% rồi nhé", WED, status(DONE, percent=100)),
    ("vừa xong", WED, status(DONE)),
    ("ok xong", WED, status(DONE)),
    ("xonggg", WED, status(DONE)),
    ("Xog", WED, status(DONE)),
    ("xong r", WED, status(DONE)),
    ("xong xuôi rồi", WED, status(DONE)),
    ("hoan thanh 100 %", WED, status(DONE, percent=100)),
    ("2023 đã xong", WED, status(DONE, note="2023")),  # a year is no task number
    ("xong, tài liệu kiểm chứng gửi kèm", WED, status(DONE, note="tài liệu kiểm chứng gửi kèm")),
    ("đã hoàn thành, đang chờ phê duyệt", WED, status(DONE, note="đang chờ phê duyệt")),
    ("Đã hoàn thành, đã gửi báo cáo qua email ạ", WED, status(DONE, note="đã gửi báo cáo qua email")),
    ("đã xong 15/5", WED, status(DONE, note="15/5")),
    ("đã xong, còn thiếu minh chứng sẽ gửi sau", WED, status(DONE, note="còn thiếu minh chứng sẽ gửi sau")),
    # ---- task references in each form
    ("#12 xong", WED, status(DONE, task=12)),
    ("# 12 xong", WED, status(DONE, task=12)),
    ("NV12 đã hoàn thành", WED, status(DONE, task=12)),
    ("nv 7 da xong", WED, status(DONE, task=7)),
    ("NV-3: Đã xong ✅", WED, status(DONE, task=3)),
    ("nv số 9 đã xong, đã gửi báo cáo qua email", WED, status(DONE, task=9, note="đã gửi báo cáo qua email")),
    ("nhiệm vụ 15 hoàn thành 100%", WED, status(DONE, task=15, percent=100)),
    ("nhiem vu so 15 xong", WED, status(DONE, task=15)),
    ("task 4 done", WED, status(DONE, task=4)),
    ("Task #4 finished", WED, status(DONE, task=4)),
    ("12: xong", WED, status(DONE, task=12)),
    ("12. Đã hoàn thành", WED, status(DONE, task=12)),
    ("5 - xong", WED, status(DONE, task=5)),
    ("12 xong", WED, status(DONE, task=12)),
    ("việc 3 đã xong", WED, status(DONE, task=3)),
    ("xong nv12", WED, status(DONE, task=12)),
    ("Em báo cáo: NV12 đã hoàn thành ạ. Cảm ơn anh", WED, status(DONE, task=12)),
    (
        "Kính gửi anh, NV 12 phòng em đã hoàn thành, đã gửi kèm minh chứng ạ",
        WED,
        status(DONE, task=12, note="đã gửi kèm minh chứng"),
    ),
    ("/xong 12", WED, status(DONE, task=12)),
    ("@DonDocBot #8 xong", WED, status(DONE, task=8)),
    # ---- in progress
    ("đang làm", WED, status(IN_PROGRESS)),
    ("dang lam 30%", WED, status(IN_PROGRESS, percent=30)),
    ("Đang thực hiện 50%", WED, status(IN_PROGRESS, percent=50)),
    ("đang triển khai", WED, status(IN_PROGRESS)),
    ("Đã triển khai thực hiện", WED, status(IN_PROGRESS)),
    ("đang tổng hợp số liệu", WED, status(IN_PROGRESS, note="tổng hợp số liệu")),
    ("Đơn vị đang tổng hợp số liệu", WED, status(IN_PROGRESS, note="tổng hợp số liệu")),
    ("Anh Nam đang soạn thảo tờ trình", WED, status(IN_PROGRESS, note="Anh Nam đang soạn thảo tờ trình")),
    ("#3 60% chờ duyệt", WED, status(IN_PROGRESS, task=3, percent=60, note="chờ duyệt")),
    ("NV12: 80%", WED, status(IN_PROGRESS, task=12, percent=80)),
    ("dang lam, ko co kho khan gi", WED, status(IN_PROGRESS)),
    ("đang làm ạ. Không có vướng mắc", WED, status(IN_PROGRESS)),
    ("được 70%", WED, status(IN_PROGRESS, percent=70)),
    ("50%", WED, status(IN_PROGRESS, percent=50)),
    ("75 %", WED, status(IN_PROGRESS, percent=75)),
    ("60 phần trăm", WED, status(IN_PROGRESS, percent=60)),
    ("tiến độ 40%", WED, status(IN_PROGRESS, percent=40)),
    ("xong 50%", WED, status(IN_PROGRESS, percent=50)),
    ("hoàn thành 50%", WED, status(IN_PROGRESS, percent=50)),
    ("Đã hoàn thành 80% khối lượng", WED, status(IN_PROGRESS, percent=80)),
    ("chưa xong", WED, status(IN_PROGRESS)),
    ("chưa hoàn thành", WED, status(IN_PROGRESS)),
    ("chua ht", WED, status(IN_PROGRESS)),
    ("chưa hoàn thành 100%", WED, status(IN_PROGRESS)),
    ("not done yet", WED, status(IN_PROGRESS)),
    ("sắp xong rồi", WED, status(IN_PROGRESS)),
    ("xong 1 phần", WED, status(IN_PROGRESS)),
    ("in progress 40%", WED, status(IN_PROGRESS, percent=40)),
    ("working on it", WED, status(IN_PROGRESS)),
    ("Working on it, ETA friday", WED, status(IN_PROGRESS, when="2023-05-19")),
    ("dg lam 40%", WED, status(IN_PROGRESS, percent=40)),
    ("đc 70% rồi ạ", WED, status(IN_PROGRESS, percent=70)),
    ("ĐANG LÀM 50%!!!", WED, status(IN_PROGRESS, percent=50)),
    ("  đang   làm    60 %  ", WED, status(IN_PROGRESS, percent=60)),
    ("đang làm, không vướng gì", WED, status(IN_PROGRESS)),
    ("không cần gia hạn, đang làm 80%", WED, status(IN_PROGRESS, percent=80)),
    ("đang làm, chờ ý kiến lãnh đạo", WED, status(IN_PROGRESS, note="chờ ý kiến lãnh đạo")),
    ("đang chờ ý kiến lãnh đạo", WED, status(IN_PROGRESS, note="chờ ý kiến lãnh đạo")),
    ("đang làm, chờ chị Mai ký", WED, status(IN_PROGRESS, note="chờ chị Mai ký")),
    ("thiếu kinh phí, đang làm 30%", WED, status(IN_PROGRESS, percent=30, note="thiếu kinh phí")),
    # ---- in progress with an expected date
    ("dự kiến xong 30/5", WED, status(IN_PROGRESS, when="2023-05-30")),
    ("du kien xong 30/5", WED, status(IN_PROGRESS, when="2023-05-30")),
    ("dự kiến hoàn thành thứ 6 tuần này", WED, status(IN_PROGRESS, when="2023-05-19")),
    ("#12 đang làm 30%, dự kiến xong 30/5", WED, status(IN_PROGRESS, task=12, percent=30, when="2023-05-30")),
    ("12 - dang lam 50%, du kien 1/6", WED, status(IN_PROGRESS, task=12, percent=50, when="2023-06-01")),
    (
        "Dạ NV 5 em đang triển khai, dự kiến xong trước 30/6 ạ",
        WED,
        status(IN_PROGRESS, task=5, when="2023-06-30"),
    ),
    ("dang thuc hien, du kien xong ngay 5/6", WED, status(IN_PROGRESS, when="2023-06-05")),
    ("dự kiến 25/5", WED, status(IN_PROGRESS, when="2023-05-25")),
    ("dự kiến trong tháng 6 xong", WED, status(IN_PROGRESS, when="2023-06-30")),
    ("ok anh, em sẽ hoàn thành trước thứ 6", WED, status(IN_PROGRESS, when="2023-05-19")),
    (
        "Phòng TCPC đang thực hiện 70%, dự kiến xong tuần sau",
        WED,
        status(IN_PROGRESS, percent=70, when="2023-05-22", note="Phòng TCPC"),
    ),
    ("đạt 80%, dự kiến 25/5 xong", WED, status(IN_PROGRESS, percent=80, when="2023-05-25")),
    ("tien do 40%, du kien thu 2 tuan sau xong", WED, status(IN_PROGRESS, percent=40, when="2023-05-22")),
    ("mai xong", WED, status(IN_PROGRESS, when="2023-05-18")),
    ("chiều nay xong", WED, status(IN_PROGRESS, when="2023-05-17")),
    ("sẽ xong vào thứ 6", WED, status(IN_PROGRESS, when="2023-05-19")),
    ("xong trước cuối tuần", WED, status(IN_PROGRESS, when="2023-05-19")),
    ("hoàn thành trước 30/5", WED, status(IN_PROGRESS, when="2023-05-30")),
    ("gần xong, dự kiến mai", WED, status(IN_PROGRESS, when="2023-05-18")),
    ("đang làm thêm 3 ngày nữa xong", WED, status(IN_PROGRESS, when="2023-05-20")),
    ("đang làm, dự kiến ngày kia xong", WED, status(IN_PROGRESS, when="2023-05-19")),
    ("đang làm, mốt xong", WED, status(IN_PROGRESS, when="2023-05-19")),
    (
        "đã gửi dự thảo 15/5, dự kiến xong 30/5",
        WED,
        status(IN_PROGRESS, when="2023-05-30", note="đã gửi dự thảo 15/5"),
    ),
    ("dự kiến xong 30/4", WED, status(IN_PROGRESS, note="30/4")),  # a past date is no expected date
    ("xong cuối tuần", SAT, status(IN_PROGRESS, when="2023-05-26")),
    ("dự kiến xong 5/1", YEAR_END, status(IN_PROGRESS, when="2024-01-05")),
    ("đang làm, xong thứ 2 tuần sau", YEAR_END, status(IN_PROGRESS, when="2024-01-01")),
    ("dự kiến xong cuối tháng sau", LEAP, status(IN_PROGRESS, when="2024-02-29")),
    # ---- blocked, with the reason in the user's words
    ("vướng: thiếu kinh phí", WED, status(BLOCKED, note="thiếu kinh phí")),
    ("vuong: thieu kinh phi", WED, status(BLOCKED, note="thieu kinh phi")),
    ("Vướng mắc ở khâu thẩm định", WED, status(BLOCKED, note="khâu thẩm định")),
    ("khó khăn: chưa có hướng dẫn của Bộ", WED, status(BLOCKED, note="chưa có hướng dẫn của Bộ")),
    ("gặp khó khăn do thiếu nhân lực", WED, status(BLOCKED, note="thiếu nhân lực")),
    (
        "Gặp khó khăn: Sở Tài chính chưa cấp kinh phí",
        WED,
        status(BLOCKED, note="Sở Tài chính chưa cấp kinh phí"),
    ),
    ("chưa làm được vì mưa bão", WED, status(BLOCKED, note="mưa bão")),
    ("chua lam duoc vi chua co kinh phi", WED, status(BLOCKED, note="chua co kinh phi")),
    ("em chưa làm được ạ", WED, status(BLOCKED)),
    ("Chua lam dc vi thieu nguoi", WED, status(BLOCKED, note="thieu nguoi")),
    ("chưa ký được vì lãnh đạo đi công tác", WED, status(BLOCKED, note="lãnh đạo đi công tác")),
    ("vướng", WED, status(BLOCKED)),
    (
        "Báo cáo tiến độ: đạt 60%, dự kiến hoàn thành 15/6. Khó khăn: thiếu kinh phí",
        WED,
        status(BLOCKED, percent=60, note="thiếu kinh phí"),
    ),
    ("bị vướng thủ tục đấu thầu", WED, status(BLOCKED, note="thủ tục đấu thầu")),
    ("blocked: no budget", WED, status(BLOCKED, note="no budget")),
    ("stuck waiting for legal review", WED, status(BLOCKED, note="waiting for legal review")),
    ("#7 vướng: chờ ý kiến Sở Tài chính", WED, status(BLOCKED, task=7, note="chờ ý kiến Sở Tài chính")),
    ("đang làm 50% nhưng vướng kinh phí", WED, status(BLOCKED, percent=50, note="kinh phí")),
    ("vướng kinh phí, đang làm 50%", WED, status(BLOCKED, percent=50, note="kinh phí")),
    ("thiếu kinh phí nên bị vướng", WED, status(BLOCKED, note="thiếu kinh phí")),
    ("vướng mắc ạ", WED, status(BLOCKED)),
    ("Vướng!!! thiếu kinh phí 😢", WED, status(BLOCKED, note="thiếu kinh phí")),
    ("không thể hoàn thành đúng hạn do thiếu người", WED, status(BLOCKED, note="thiếu người")),
    ("gặp khó khăn do chưa hoàn thành thủ tục", WED, status(BLOCKED, note="chưa hoàn thành thủ tục")),
    ("tạm dừng do chờ chủ trương", WED, status(BLOCKED, note="chờ chủ trương")),
    ("thiếu kinh phí", WED, status(BLOCKED, note="thiếu kinh phí")),
    (
        "NV 4 gặp khó khăn vì phần mềm lỗi, chưa nhập được dữ liệu",
        WED,
        status(BLOCKED, task=4, note="phần mềm lỗi, chưa nhập được dữ liệu"),
    ),
    # ---- not started
    ("chưa làm", WED, status(NOT_STARTED)),
    ("chưa thực hiện", WED, status(NOT_STARTED)),
    ("chua trien khai", WED, status(NOT_STARTED)),
    ("not started", WED, status(NOT_STARTED)),
    ("not yet started", WED, status(NOT_STARTED)),
    ("0%", WED, status(NOT_STARTED, percent=0)),
    (
        "NV3 chưa triển khai, dự kiến tuần sau bắt đầu",
        WED,
        status(NOT_STARTED, task=3, note="dự kiến tuần sau bắt đầu"),
    ),
    # ---- extension requests
    ("xin gia hạn đến 15/6", WED, extension("2023-06-15")),
    ("xin gia han den 15/6/2024", WED, extension("2024-06-15")),
    ("gia hạn đến 15.6", WED, extension("2023-06-15")),
    ("gia hạn thêm 1 tuần", WED, extension("2023-05-24")),
    ("xin gia han them 2 tuan", WED, extension("2023-05-31")),
    ("gia hạn 10 ngày", WED, extension("2023-05-27")),
    ("xin lùi đến cuối tháng", WED, extension("2023-05-31")),
    ("xin dời sang tuần sau", WED, extension("2023-05-22")),
    ("đề nghị gia hạn đến thứ 2 tuần sau vì chờ ý kiến", WED, extension("2023-05-22", note="chờ ý kiến")),
    ("Xin gia hạn thêm 10 ngày do chờ số liệu", WED, extension("2023-05-27", note="chờ số liệu")),
    ("xin gia hạn sang tháng sau vì chờ kinh phí", WED, extension("2023-06-01", note="chờ kinh phí")),
    ("đề nghị lùi thời hạn đến ngày 30 tháng 6", WED, extension("2023-06-30")),
    (
        "chưa thực hiện được do thiếu người, xin gia hạn đến 30/6",
        WED,
        extension("2023-06-30", note="thiếu người"),
    ),
    ("#12 xin gia hạn", WED, extension(task=12)),
    ("em xin gia hạn thêm ạ", WED, extension()),
    ("xin cho em gia hạn đến hết tháng 6", WED, extension("2023-06-30")),
    (
        "NV 12 xin gia hạn đến 30/6/2023 vì Sở Tài chính chưa cấp kinh phí",
        WED,
        extension("2023-06-30", task=12, note="Sở Tài chính chưa cấp kinh phí"),
    ),
    ("NV-2 xin thêm 1 tuần", WED, extension("2023-05-24", task=2)),
    ("extend to 15/6", WED, extension("2023-06-15")),
    ("please extend 1 week because data is late", WED, extension("2023-05-24", note="data is late")),
    ("need more time, 2 more weeks", WED, extension("2023-05-31")),
    ("xin gia hạn đến 10/1", DEC, extension("2024-01-10")),
    ("xin gia hạn đến cuối tháng sau", YEAR_END, extension("2024-01-31")),
    ("xin gia hạn thêm 1 tuần", YEAR_END, extension("2024-01-05")),
    ("xin gia hạn thêm 1 tháng", LEAP, extension("2024-02-29")),
    ("xin gia hạn đến thứ 6", SAT, extension("2023-05-26")),
    # ---- asking the bot for lists and help
    ("/viec", WED, other("list")),
    ("/viec@DonDocBot", WED, other("list")),
    ("việc", WED, other("list")),
    ("viec cua toi", WED, other("list")),
    ("Danh sách việc", WED, other("list")),
    ("ds", WED, other("list")),
    ("my tasks", WED, other("list")),
    ("list", WED, other("list")),
    ("cho em xin danh sách việc", WED, other("list")),
    ("danh sách việc chưa xong", WED, other("list")),
    ("/quahan", WED, other("overdue")),
    ("quá hạn", WED, other("overdue")),
    ("qua han", WED, other("overdue")),
    ("việc trễ hạn", WED, other("overdue")),
    ("overdue", WED, other("overdue")),
    ("có việc nào quá hạn không?", WED, other("overdue")),
    ("/help", WED, other("help")),
    ("/huongdan", WED, other("help")),
    ("giúp", WED, other("help")),
    ("hướng dẫn", WED, other("help")),
    ("help", WED, other("help")),
    ("?", WED, other("help")),
    ("trợ giúp", WED, other("help")),
    ("làm sao để báo cáo?", WED, other("help")),
    # ---- not a status: nothing may be invented
    ("cảm ơn", WED, other("unknown")),
    ("cam on a", WED, other("unknown")),
    ("ok", WED, other("unknown")),
    ("ok ạ", WED, other("unknown")),
    ("vâng", WED, other("unknown")),
    ("dạ", WED, other("unknown")),
    ("👍", WED, other("unknown")),
    ("ừ", WED, other("unknown")),
    ("thanks", WED, other("unknown")),
    ("hello", WED, other("unknown")),
    ("alo", WED, other("unknown")),
    ("", WED, other("unknown")),
    ("   ", WED, other("unknown")),
    ("hôm nay trời đẹp quá", WED, other("unknown")),
    ("mai họp lúc 8h nhé", WED, other("unknown")),
    ("đã nhận được, cảm ơn anh", WED, other("unknown")),
    ("không vướng gì", WED, other("unknown")),
    ("ko có khó khăn gì ạ", WED, other("unknown")),
    ("có vướng mắc gì không?", WED, other("unknown")),  # the chief asking, nobody reporting
    ("không xin gia hạn", WED, other("unknown")),
    ("xong chưa?", WED, other("unknown")),
    ("chưa", WED, other("unknown")),
    ("#12", WED, other("unknown", task=12)),
    ("NV12 ???", WED, other("unknown", task=12)),
]


@pytest.mark.parametrize(("text", "today", "expected"), ROWS, ids=[f"{t!r}@{d}" for t, d, _ in ROWS])
def test_reply_is_read(text: str, today: date, expected: dict[str, Any]) -> None:
    assert read_reply(text, today=today).to_json_dict() == expected


def test_table_covers_every_intent_and_status() -> None:
    intents = {row[2]["intent"] for row in ROWS}
    statuses = {row[2]["status"] for row in ROWS} - {None}
    assert intents == set(INTENTS)
    assert statuses == set(STATUSES)
    assert len(ROWS) >= 100


# ---- what is NOT a task reference


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("50%", None),
        ("30/5 xong", None),
        ("30-5 xong", None),
        ("30.5 xong", None),
        ("3 ngày nữa xong", None),
        ("12.5% xong", None),
        ("nv 12 xong 30/5", 12),
        ("12 - 30/5 xong", 12),
        ("xong #12 30%", 12),
        ("12", 12),
    ],
)
def test_numbers_that_are_no_task_reference(text: str, task: int | None) -> None:
    assert read_reply(text, today=WED).task == task


# ---- the Understanding value


def test_understanding_is_frozen_and_serialises_every_field() -> None:
    u = Understanding(
        "status", task=3, status="in_progress", percent=40, date=date(2023, 6, 1), note="chờ ký"
    )
    assert u.to_json_dict() == {
        "intent": "status",
        "task": 3,
        "status": "in_progress",
        "percent": 40,
        "date": "2023-06-01",
        "note": "chờ ký",
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        u.percent = 50  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"intent": "maybe"},
        {"intent": "status", "status": "half"},
        {"intent": "status", "status": "in_progress", "percent": 101},
        {"intent": "extension", "status": "done"},
    ],
)
def test_understanding_refuses_impossible_values(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Understanding(**kwargs)


def test_reader_is_deterministic_and_uses_only_the_given_today() -> None:
    first = read_reply("xin gia hạn thêm 1 tuần", today=date(2020, 2, 25))
    assert first == read_reply("xin gia hạn thêm 1 tuần", today=date(2020, 2, 25))
    assert first.date == date(2020, 3, 3)


def test_note_keeps_the_users_diacritics_and_case() -> None:
    u = read_reply("VƯỚNG: Thiếu Kinh Phí", today=WED)
    assert (u.status, u.note) == ("blocked", "Thiếu Kinh Phí")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đã hoàn thành", "da hoan thanh"),
        ("VƯỚNG MẮC", "vuong mac"),
        ("đang làm 50%", "dang lam 50%"),
        ("Thứ Bảy – CN", "thu bay - cn"),
        ("👍 ok", "👍 ok"),
    ],
)
def test_fold_strips_marks_one_char_per_char(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert len(fold(text)) == len(text)
