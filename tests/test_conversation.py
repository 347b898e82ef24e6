"""The conversation logic without any channel: (who says, bot says) tables and what each leaves in the database."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.deps import Deps
from bot.i18n import Translator
from bot.messaging import Incoming, Response
from handlers.router import handle
from storage import statuses
from storage.db import transaction
from tests.conftest import at
from tests.factories import STRANGER_ID, USER_IDS, Office, seed_office

NOW = at("2023-06-20 09:00")  # a Tuesday: vp_june due in 10 days, nothing overdue yet


async def say(deps: Deps, who: str, text: str | None = None, *, action: str | None = None,
              when: datetime = NOW, reply_to: str | None = None) -> Response:
    user = str(USER_IDS.get(who, STRANGER_ID))
    return await handle(deps, Incoming(channel="test", chat_id=user, sender_id=user, sender_name=who,
                                       received_at=when, text=text, action=action, reply_to_message_id=reply_to))


def shown(response: Response) -> str:
    return "\n".join([response.notice or "", *(m.text for m in response.messages)])


@pytest.fixture
async def office(sqlite_deps: Deps) -> Office:
    return await seed_office(sqlite_deps, now=NOW)


async def history(deps: Deps, task_id: int) -> list[tuple[str, int | None, str | None]]:
    async with deps.sessions() as session:
        rows = await statuses.status_history(session, task_id=task_id)
    return [(row.status, row.percent, row.note) for row in reversed(rows)]


CONVERSATIONS = [
    # (who, says, the reply contains)
    ("lan", "/viec", "Nhiệm vụ chưa hoàn thành (2)"),
    ("lan", "/viec", "Hạn 30/06/2023 · còn 10 ngày"),
    ("lan", "/quahan", "Không có nhiệm vụ quá hạn"),
    ("lan", "/help", "/viec"),
    ("lan", "/khongco", "Không có lệnh này"),
    ("lan", "cảm ơn", "chưa được ghi nhận là báo cáo"),
    ("lan", "/nv abc", "Cách dùng: /nv 12"),
    ("lan", "/nv 999", "Không có nhiệm vụ #999"),
    ("lan", "/lang fr", "Cách dùng: /lang vi hoặc /lang en"),
    ("lan", "/tonghop", "chức năng tổng hợp dành cho"),
    ("chief", "/tonghop", "Tổng hợp kế hoạch 435/KH-SVHTT"),
    ("chief", "/tonghop 999/KH", "Không có kế hoạch số 999/KH"),
    ("leader", "/tonghop", "Đang thực hiện trong hạn: 3 (75%)"),
    ("minh", "/viec", "Phối hợp"),
    (None, "/viec", "đề nghị Văn phòng Sở cấp mã mời"),
    (None, "xong", "/start MÃ"),
]


@pytest.mark.parametrize(("who", "says", "expected"), CONVERSATIONS)
async def test_replies(sqlite_deps: Deps, office: Office, who: str | None, says: str, expected: str) -> None:
    assert expected in shown(await say(sqlite_deps, who or "stranger", says))


async def test_a_stranger_never_sees_task_data(sqlite_deps: Deps, office: Office) -> None:
    task = office.tasks["vp_june"]
    for text, action in (("/nv 1", None), ("/tonghop", None), (f"#{task.id} xong", None), (None, f"t:{task.id}")):
        reply = shown(await say(sqlite_deps, "stranger", text, action=action))
        assert "công khai thông tin" not in reply and "/start" in reply
    assert await history(sqlite_deps, task.id) == []


async def test_status_by_text_with_and_without_diacritics(sqlite_deps: Deps, office: Office) -> None:
    task = office.tasks["vp_june"]
    await say(sqlite_deps, "lan", f"NV{task.id} dang lam 30%")
    await say(sqlite_deps, "lan", f"#{task.id} vướng: thiếu kinh phí")
    reply = await say(sqlite_deps, "lan", f"{task.id}: da hoan thanh")
    assert "Đã ghi nhận: Đã hoàn thành" in shown(reply)
    assert reply.messages[0].task_id == task.id
    assert await history(sqlite_deps, task.id) == [("in_progress", 30, None), ("blocked", None, "thiếu kinh phí"), ("done", 100, None)]


async def test_ambiguous_reply_asks_which_task_then_records_the_choice(sqlite_deps: Deps, office: Office) -> None:
    reply = await say(sqlite_deps, "lan", "đang làm 50%, dự kiến xong 28/6")
    assert "nhiệm vụ nào" in shown(reply)
    choices = [button for row in reply.messages[0].buttons for button in row]
    assert [b.label.split()[0] for b in choices] == [f"#{office.tasks['vp_june'].id}", f"#{office.tasks['vp_year'].id}"]
    assert await history(sqlite_deps, office.tasks["vp_june"].id) == []
    await say(sqlite_deps, "lan", action=choices[1].action)
    assert await history(sqlite_deps, office.tasks["vp_year"].id) == [("in_progress", 50, None)]
    async with sqlite_deps.sessions() as session:
        (report,) = await statuses.status_history(session, task_id=office.tasks["vp_year"].id)
    assert report.expected_on is not None and report.expected_on.isoformat() == "2023-06-28"
    assert report.original_text == "đang làm 50%, dự kiến xong 28/6" and report.channel == "test"


async def test_a_single_open_task_needs_no_reference(sqlite_deps: Deps, office: Office) -> None:
    await say(sqlite_deps, "minh", "xong")  # TCPC has one task as lead and one as coordinator: still ambiguous
    assert await history(sqlite_deps, office.tasks["tcpc_oct"].id) == []
    await say(sqlite_deps, "hung", "xong")  # TTra has exactly one task
    assert await history(sqlite_deps, office.tasks["ttra_cont"].id) == [("done", 100, None)]


async def test_status_buttons_and_blocked_reason(sqlite_deps: Deps, office: Office) -> None:
    task_id = office.tasks["vp_june"].id
    opened = await say(sqlite_deps, "lan", action=f"t:{task_id}")
    labels = [b.label for row in opened.messages[0].buttons for b in row]
    assert labels[:4] == ["✅ Hoàn thành", "⏳ Đang thực hiện", "⚠️ Vướng mắc", "📎 Gửi minh chứng"]
    asked = await say(sqlite_deps, "lan", action=f"s:{task_id}:b")
    assert "vướng mắc gì" in shown(asked)
    await say(sqlite_deps, "lan", "chờ ý kiến của Sở Tài chính")
    assert await history(sqlite_deps, task_id) == [("blocked", None, "chờ ý kiến của Sở Tài chính")]


async def test_other_units_tasks_are_refused_by_text_and_by_forged_button(sqlite_deps: Deps, office: Office) -> None:
    task_id = office.tasks["vp_year"].id
    assert "không có quyền" in shown(await say(sqlite_deps, "minh", f"#{task_id} xong"))
    assert "không có quyền" in shown(await say(sqlite_deps, "minh", action=f"s:{task_id}:d"))
    assert "không có quyền" in shown(await say(sqlite_deps, "leader", action=f"s:{task_id}:d"))
    assert "không còn hiệu lực" in shown(await say(sqlite_deps, "minh", action="s:abc:d"))
    assert await history(sqlite_deps, task_id) == []


async def test_extension_requests_are_recorded_not_applied(sqlite_deps: Deps, office: Office) -> None:
    task = office.tasks["vp_june"]
    reply = await say(sqlite_deps, "lan", f"#{task.id} xin gia hạn đến 15/7 vì chờ kinh phí")
    assert "Đã gửi đề nghị gia hạn" in shown(reply) and "30/06/2023" in shown(reply)
    async with sqlite_deps.sessions() as session:
        (request,) = await statuses.extension_requests(session, task_id=task.id)
        assert (request.requested_due.isoformat(), request.state) == ("2023-07-15", "pending")
        assert request.reason == "chờ kinh phí"
        from storage.plans import get_task

        assert (await get_task(session, task_id=task.id)).due.isoformat() == "2023-06-30"  # type: ignore[union-attr]


async def test_reply_to_a_task_message_refers_to_that_task(sqlite_deps: Deps, office: Office) -> None:
    from storage.conversations import remember_sent

    task_id = office.tasks["vp_year"].id
    async with transaction(sqlite_deps.sessions) as session:
        await remember_sent(session, channel="test", chat_id=str(USER_IDS["lan"]), message_id="77", task_id=task_id)
    await say(sqlite_deps, "lan", "xong", reply_to="77")
    assert await history(sqlite_deps, task_id) == [("done", 100, None)]


async def test_overdue_and_english(sqlite_deps: Deps, office: Office) -> None:
    later = at("2023-07-03 09:00")
    overdue = shown(await say(sqlite_deps, "lan", "/quahan", when=later))
    assert "quá hạn 3 ngày" in overdue and f"#{office.tasks['vp_june'].id}" in overdue
    assert "Đã chuyển sang" not in shown(await say(sqlite_deps, "lan", "/lang en"))
    english = shown(await say(sqlite_deps, "lan", "/viec", when=later))
    assert "Open tasks (2)" in english and "Due 30 Jun 2023 · 3 days overdue" in english


async def test_summary_counts_categories(sqlite_deps: Deps, office: Office) -> None:
    await say(sqlite_deps, "lan", f"#{office.tasks['vp_june'].id} xong", when=at("2023-07-02 10:00"))  # late
    await say(sqlite_deps, "minh", f"#{office.tasks['tcpc_oct'].id} xong", when=at("2023-07-02 10:00"))  # on time
    summary = shown(await say(sqlite_deps, "chief", "/tonghop", when=at("2024-01-05 09:00")))
    vi = Translator("vi")
    for line in ("Đã hoàn thành đúng hạn: 1 (25%)", "Đã hoàn thành quá hạn: 1 (25%)",
                 "Đang thực hiện quá hạn: 1 (25%)", vi._("Not reported this period") + ": 1 (25%)"):
        assert line in summary, summary
    # VP: vp_june done 2 days late, vp_year open past 31/12/2023: on time 0 of 2.
    assert vi.ngettext("{unit}: {n} task · on time {rate} · {overdue} overdue · last reply {last}",
                       "{unit}: {n} tasks · on time {rate} · {overdue} overdue · last reply {last}", 2,
                       unit="VP", rate="0%", overdue="1", last="02/07/2023") in summary
