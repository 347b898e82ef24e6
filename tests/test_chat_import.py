"""End to end: importing a plan from a document sent in chat (the real Application against the fake Bot API).

The chief sends the plan's .docx, sees a preview (number, tasks, units, rows to review, what a re-import changes),
fixes flagged rows with buttons (lead unit) and a text (due date), then saves or cancels. Officers' documents stay
evidence. The harness follows tests/test_telegram_e2e.py.

The office seeded by tests/factories.py already holds plan 435/KH-SVHTT with 4 hand-entered tasks, so the sample
document is previewed as a revision of it (19 tasks added, 2 changed, 2 removed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.callbacks import decode
from bot.deps import Deps
from bot.importing.draft import DraftPlan, DraftTask
from bot.importing.fixes import FIX_ACTION, apply_fixes
from bot.importing.preview import DEADLINE_NOT_UNDERSTOOD, NO_LEAD, UNKNOWN_UNIT, build_preview
from bot.importing.units import KnownUnit
from handlers.importing import read_due
from storage import plans, units
from storage.models import AuditEntry, Conversation, Evidence, Plan, Task, Unit, UnitRole
from tests.factories import PLAN, USER_IDS
from tests.fakes.telegram_api import FakeTelegram
from tests.import_files import MB, not_plans
from tests.telegram_harness import Harness, running_bot

LAN, CHIEF = USER_IDS["lan"], USER_IDS["chief"]
SAMPLE = Path("/work/shared/samples/kh-435-svhtt-hanoi-2023.docx")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason=f"sample plan {SAMPLE} not available")

# What the chief is told (the Vietnamese catalog, as read on the phone).
NOT_OPEN = "Lượt nhập này không còn hiệu lực. Đề nghị gửi lại tệp kế hoạch."
CHIEF_ONLY = "Xin lỗi, chỉ Chánh Văn phòng hoặc quản trị viên được nhập kế hoạch."


# ----------------------------------------------------------------------------------------------- harness


async def send_plan(bot: Harness, user: int = CHIEF, **options: object) -> dict:
    options = {"file_name": SAMPLE.name, "mime_type": DOCX, **options}
    [preview] = await bot.document(user, SAMPLE.read_bytes(), **options)
    return preview


async def tap(bot: Harness, user: int, message: dict, label: str) -> dict:
    """Presses the button labelled `label` on `message`, which the bot edits in place; returns it edited."""
    _, new = await bot.press(user, message["message_id"], button(message, label))
    assert new == [], [m.get("text") for m in new]
    return bot.fake.message(user, message["message_id"])


@pytest.fixture
async def bot(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(sqlite_url, tmp_path) as harness:
        yield harness


# ----------------------------------------------------------------------------------------------- helpers


def labels(message: dict) -> list[str]:
    return [item["text"] for row in FakeTelegram.buttons(message) for item in row]


def callback_data(message: dict) -> list[str]:
    return [item["callback_data"] for row in FakeTelegram.buttons(message) for item in row]


def button(message: dict, label: str) -> str:
    for row in FakeTelegram.buttons(message):
        for item in row:
            if label in item["text"]:
                return item["callback_data"]
    raise AssertionError(f"no button {label!r} in {labels(message)}")


async def live_tasks(deps: Deps) -> dict[str, int]:
    """The plan's tasks that are not removed, code -> id."""
    async with deps.sessions() as session:
        plan = await plans.find_plan(session, number=PLAN)
        assert plan is not None and plan.id is not None
        return {task.code: task.id or 0 for task in await plans.tasks_of_plan(session, plan_id=plan.id)
                if task.removed_at is None}


async def snapshot(deps: Deps) -> dict[str, object]:
    """Everything an import could write: the plan's tasks, the units, the audit log, evidence rows."""
    async with deps.sessions() as session:
        unit_names = sorted(unit.name for unit in await units.list_units(session))
        audit_rows = (await session.exec(select(func.count()).select_from(AuditEntry))).one()  # type: ignore[call-overload]
        evidence_rows = (await session.exec(select(func.count()).select_from(Evidence))).one()  # type: ignore[call-overload]
    return {"tasks": await live_tasks(deps), "units": unit_names, "audit": audit_rows, "evidence": evidence_rows}


async def pending_of(deps: Deps, chat: int) -> dict | None:
    async with deps.sessions() as session:
        row = (await session.exec(select(Conversation).where(Conversation.chat_id == str(chat)))).first()
        return json.loads(row.pending) if row and row.pending else None


async def audit(deps: Deps, action: str) -> list[AuditEntry]:
    async with deps.sessions() as session:
        rows = await session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id)))
        return list(rows.all())


async def unit_id(deps: Deps, short_name: str) -> int:
    async with deps.sessions() as session:
        return next(unit.id or 0 for unit in await units.list_units(session) if unit.short_name == short_name)


async def roles_of(deps: Deps, task_id: int) -> dict[int, str]:
    async with deps.sessions() as session:
        return {link.unit_id: link.role for link in await plans.task_units(session, task_id=task_id)}


# ----------------------------------------------------------------------------------------------- tests


async def test_the_chief_previews_fixes_rows_saves_and_a_second_import_changes_nothing(bot: Harness) -> None:
    deps, chief = bot.deps, CHIEF
    before = await snapshot(deps)

    # The preview: number, title, tasks, units, flagged rows, and what saving would change; nothing saved yet.
    preview = await send_plan(bot)
    text = preview["text"]
    assert "Kế hoạch 435/KH-SVHTT" in text and "Chỉ số Hiệu quả quản trị và hành chính công (PAPI)" in text
    assert "Ban hành ngày 14/06/2023, Sở Văn hóa và Thể thao Hà Nội" in text
    assert "21 nhiệm vụ" in text
    assert "Số nhiệm vụ chủ trì theo đơn vị\n• Văn phòng Sở: 15\n• Thanh tra Sở: 10" in text
    assert "Đơn vị mới sẽ được tạo (3)\n+ Phòng QLVH\n+ KHTC\n+ Trung tâm Thông tin triển lãm\n" in text
    assert "+ Các phòng" not in text  # a group of units is never proposed as a unit
    assert "Dòng cần xem lại (11)" in text
    [ii2] = [line for line in text.split("\n") if line.startswith("• II.2 · Bám sát nội dung")]
    assert "“Các phòng, đơn vị có TTHC”" in ii2 and "đơn vị chưa có trong danh sách: “KHTC”" in ii2
    assert "• PL1.1.a · " in text and "chưa có hạn cụ thể: “Theo quy định”" in text
    assert "không ghi thời hạn, tạm hiểu là “Trong năm 2023”" in text  # PL1.4.c
    assert "… và 1 dòng khác" in text  # the first 10 flagged rows, then a count
    assert "Bản sửa đổi của kế hoạch đã có: thêm 19, sửa 2, bỏ 2, giữ nguyên 0" in text
    assert "Bỏ: PL.1.1, PL.2.2" in text
    assert len(text) < 4096
    assert labels(preview) == ["💾 Lưu", "✖ Huỷ", "✏️ Sửa dòng cần xem (11)"]
    assert await snapshot(deps) == before
    state = await pending_of(deps, chief)
    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert state is not None and state["kind"] == "import" and state["sha256"] == digest
    assert state["name"] == SAMPLE.name and state["overrides"] == {}
    assert deps.evidence.path_for(digest).read_bytes() == SAMPLE.read_bytes()
    for data in (data for row in FakeTelegram.buttons(preview) for data in (b["callback_data"] for b in row)):
        assert decode(data) is not None and len(data.encode()) <= 64

    # Fix II.2's lead with buttons: the rows to review → the row → choose the lead unit → TCPC.
    rows = await tap(bot, chief, preview, "Sửa dòng cần xem")
    assert "Dòng cần xem lại (11). Chọn một dòng" in rows["text"] and "trang 1/2" in rows["text"]
    row = await tap(bot, chief, rows, "II.2 · ")
    assert "Chủ trì: không có" in row["text"] and "“Các phòng, đơn vị có TTHC”" in row["text"]
    assert [decode(data).verb for data in callback_data(row)][:3] == ["import_group", "import_units", "import_due"]
    assert labels(row)[1:3] == ["🏢 Chọn đơn vị chủ trì", "📅 Nhập hạn"]
    choices = await tap(bot, chief, row, "Chọn đơn vị chủ trì")
    assert "Chọn đơn vị chủ trì cho II.2:" in choices["text"]
    assert {"VP", "TCPC", "TTra"} <= set(labels(choices))
    fixed = await tap(bot, chief, choices, "TCPC")
    assert fixed["text"].startswith("Đã đặt đơn vị chủ trì của II.2: Phòng Tổ chức - Pháp chế.")
    assert "đơn vị chưa có trong danh sách: “KHTC”" in fixed["text"]  # the lead is fixed; KHTC (supervising) is not
    assert "Phòng Tổ chức - Pháp chế: 8" in fixed["text"]
    tcpc = await unit_id(deps, "TCPC")
    assert (await pending_of(deps, chief) or {})["overrides"] == {"II.2": {"lead": tcpc}}

    # Set PL1.1.a's due date by text; a text that is not a date is refused and the bot keeps waiting.
    rows = await tap(bot, chief, fixed, "Sửa dòng cần xem")
    row = await tap(bot, chief, rows, "PL1.1.a · ")
    asked = await tap(bot, chief, row, "Nhập hạn")
    assert "Gửi thời hạn cho PL1.1.a" in asked["text"]
    wrong = await bot.reply(chief, "sớm nhất có thể")
    assert "Chưa đọc được ngày" in wrong["text"]
    dated = await bot.reply(chief, "30/9/2023")
    assert dated["text"].startswith("Đã đặt thời hạn của PL1.1.a: 30/09/2023.")
    assert "Dòng cần xem lại (10)" in dated["text"] and "• PL1.1.a · " not in dated["text"]
    assert await snapshot(deps) == before

    # 💾 Lưu: the plan, its tasks, the new units and both fixes are saved; the preview becomes the result.
    answer, _ = await bot.press(chief, dated["message_id"], button(dated, "Lưu"))
    assert answer.get("text") == "Đã lưu."
    saved = bot.fake.message(chief, dated["message_id"])
    assert "Đã lưu kế hoạch 435/KH-SVHTT." in saved["text"] and "Kế hoạch có 21 nhiệm vụ." in saved["text"]
    assert "Thêm 19, sửa 2, bỏ 2." in saved["text"] and labels(saved) == []
    tasks = await live_tasks(deps)
    assert len(tasks) == 21 and "II.2" in tasks and "PL.1.1" not in tasks
    roles = await roles_of(deps, tasks["II.2"])
    assert [unit for unit, role in roles.items() if role == UnitRole.LEAD] == [tcpc]
    async with deps.sessions() as session:
        task = await plans.get_task(session, task_id=tasks["PL1.1.a"])
        assert task is not None and task.due == date(2023, 9, 30) and task.deadline_text == "Theo quy định"
        names = {unit.name for unit in await units.list_units(session)}
    assert {"KHTC", "Phòng QLVH", "Trung tâm Thông tin triển lãm"} <= names
    assert len(await audit(deps, "task.imported")) == 21
    assert len(await audit(deps, FIX_ACTION)) == 2
    assert await pending_of(deps, chief) is None

    # The same file again: nothing changed (the fixes made by hand are kept), so there is nothing to save.
    after = await snapshot(deps)
    again = await send_plan(bot)
    assert "Không có gì thay đổi: kế hoạch này đã được nạp đúng như vậy (21 nhiệm vụ)." in again["text"]
    assert "2 dòng giữ đơn vị chủ trì hoặc thời hạn đã sửa tay ở lần nhập trước." in again["text"]
    assert "💾 Lưu" not in labels(again) and "✖ Huỷ" in labels(again)
    closed = await tap(bot, chief, again, "Huỷ")
    assert closed["text"] == "Đã huỷ nhập kế hoạch. Không có gì được lưu."
    assert await snapshot(deps) == after


async def test_cancel_saves_nothing_and_old_buttons_are_refused(bot: Harness) -> None:
    deps = bot.deps
    before = await snapshot(deps)
    preview = await send_plan(bot)
    save = button(preview, "Lưu")
    cancelled = await tap(bot, CHIEF, preview, "Huỷ")
    assert cancelled["text"] == "Đã huỷ nhập kế hoạch. Không có gì được lưu."
    assert labels(cancelled) == []
    assert await pending_of(deps, CHIEF) is None
    answer, new = await bot.press(CHIEF, preview["message_id"], save)
    assert answer.get("text") == NOT_OPEN and new == []
    assert await snapshot(deps) == before


async def test_an_officers_plan_document_is_evidence_and_a_chiefs_with_a_task_number_too(bot: Harness) -> None:
    deps = bot.deps
    before = await snapshot(deps)
    [asked] = await bot.document(LAN, SAMPLE.read_bytes(), file_name=SAMPLE.name, mime_type=DOCX)
    assert f"Đã nhận tệp {SAMPLE.name}. Tệp này là minh chứng cho nhiệm vụ nào?" in asked["text"]
    assert "435/KH-SVHTT" not in asked["text"]
    assert (await pending_of(deps, LAN) or {}).get("kind") == "choose_file"
    assert await snapshot(deps) == before

    # The chief naming a task in the caption sends evidence, not a plan.
    june = bot.office.tasks["vp_june"].id
    [saved] = await bot.document(CHIEF, SAMPLE.read_bytes(), file_name=SAMPLE.name, mime_type=DOCX, caption=f"#{june}")
    assert f"Đã lưu minh chứng cho #{june}: {SAMPLE.name}" in saved["text"]
    assert (await snapshot(deps))["tasks"] == before["tasks"]

    # An officer asking how to import is told it is for the chief.
    assert (await bot.reply(LAN, "/nhapkh"))["text"] == CHIEF_ONLY
    how = await bot.reply(CHIEF, "/nhapkh")
    assert how["text"].startswith("Nhập kế hoạch\n") and "435/KH-SVHTT" in how["text"]


async def test_a_corrupt_document_is_explained_and_nothing_is_saved(bot: Harness) -> None:
    deps = bot.deps
    before = await snapshot(deps)
    [reply] = await bot.document(CHIEF, b"PK\x03\x04 not really a zip" * 20, file_name="ke-hoach.docx", mime_type=DOCX)
    assert reply["text"].startswith(
        "Không nhập được kế hoạch từ ke-hoach.docx: tệp bị hỏng hoặc không đúng định dạng như tên tệp.\n"
        "Chưa có gì được lưu."
    )
    assert labels(reply) == []
    assert await pending_of(deps, CHIEF) is None
    assert await snapshot(deps) == before
    root = deps.settings.evidence_dir
    assert not root.exists() or not any(path.is_file() for path in root.rglob("*"))


async def test_forged_import_buttons_are_refused(bot: Harness) -> None:
    deps = bot.deps
    preview = await send_plan(bot)
    save, token = button(preview, "Lưu"), button(preview, "Lưu").split(":")[1]
    before = await snapshot(deps)

    # An officer replaying the chief's "Lưu" on a message of her own chat: refused, nothing saved.
    listing = await bot.reply(LAN, "/viec")
    answer, new = await bot.press(LAN, listing["message_id"], save)
    assert answer.get("text") == CHIEF_ONLY and new == []
    answer, _ = await bot.press(LAN, listing["message_id"], f"il:{token}:0:1")
    assert answer.get("text") == CHIEF_ONLY

    # The chief's own chat, with a token of no pending import, a row or unit out of range, or malformed data.
    forged_buttons = (f"is:{int(token) ^ 1}", f"ir:{token}:999", f"il:{token}:0:99999", "is:x", "iu:1:2:3:4",
                      f"ig:{token}:0:5", f"it:{token}:2:0:99999:1", f"it:{token}:2:9:1:1")
    for forged in forged_buttons:
        answer, new = await bot.press(CHIEF, preview["message_id"], forged)
        assert answer.get("text") in (NOT_OPEN, "Nút này không còn hiệu lực."), (forged, answer)
        assert new == []
    assert await snapshot(deps) == before
    assert (await pending_of(deps, CHIEF) or {}).get("kind") == "import"  # the chief's import is still open


def test_fixes_adjust_the_built_preview_and_clear_the_flags_they_answer() -> None:
    """Pure: a lead fix replaces the document's leads (the other roles stay), a due fix sets the reading's due date;
    each removes its flag, and a proposed unit no row names any more is not created."""
    known = [KnownUnit(1, "Văn phòng Sở", frozenset({"van phong so", "vp"})),
             KnownUnit(2, "Thanh tra Sở", frozenset({"thanh tra so", "ttra"}))]
    plan = DraftPlan(number="9/KH-X", issued_on=date(2023, 6, 1), tasks=[
        DraftTask(code="1", title="Đơn vị lạ", lead=["Phòng Lạ"], coordinate=["Thanh tra Sở"],
                  deadline_text="khi nào xong"),
        DraftTask(code="2", title="Không chủ trì", deadline_text="Quý III/2023", flags=["no_lead"]),
    ])
    preview = build_preview(plan, known)
    assert preview.tasks[0].flags == [UNKNOWN_UNIT, DEADLINE_NOT_UNDERSTOOD] and preview.new_units == ["Phòng Lạ"]
    assert preview.tasks[1].flags == [NO_LEAD]
    assert apply_fixes(preview, {"1": {"lead": 1, "due": "2023-09-30"}, "2": {"lead": 2}, "9": {"lead": 1}}) == ["1", "2"]
    first, second = preview.tasks
    assert first.roles == {"Văn phòng Sở": "lead", "Thanh tra Sở": "coordinate"} and first.flags == []
    assert (first.reading.due, first.reading.understood, first.reading.text) == (date(2023, 9, 30), True, "khi nào xong")
    assert second.lead == "Thanh tra Sở" and second.flags == [] and second.reading.start == date(2023, 7, 1)
    assert preview.new_units == []
    assert read_due("Quý III", plan_year=2023, today=date(2025, 1, 1)) == date(2023, 9, 30)
    assert read_due("30/9/2023", plan_year=2023, today=date(2025, 1, 1)) == date(2023, 9, 30)
    assert read_due("hạn là ngày 15/10/2023 nhé", plan_year=2023, today=date(2025, 1, 1)) == date(2023, 10, 15)
    assert read_due("sớm nhất có thể", plan_year=2023, today=date(2025, 1, 1)) is None


async def test_the_chief_chooses_the_units_a_group_means_and_no_unit_is_created_for_it(bot: Harness) -> None:
    """In English: II.2's lead is "Các phòng, đơn vị có TTHC". The chief picks VP and TCPC for it (a second tap
    clears a unit, ✅ marks those chosen), saves; both lead II.2, no unit is named after the group, and the same
    file again changes nothing (the choice is remembered)."""
    deps, chief = bot.deps, CHIEF
    await bot.reply(chief, "/lang en")
    preview = await send_plan(bot)
    assert "Groups of units to choose (2), not created as units\n• Các phòng, đơn vị có TTHC\n" in preview["text"]
    assert "New units to be created (3)" in preview["text"] and "+ Các phòng" not in preview["text"]
    [ii2] = [line for line in preview["text"].split("\n") if line.startswith("• II.2 · ")]
    assert "units to choose for “Các phòng, đơn vị có TTHC”" in ii2 and "no lead unit" not in ii2

    rows = await tap(bot, chief, preview, "Fix rows to review")
    row = await tap(bot, chief, rows, "II.2 · ")
    assert "Lead: none" in row["text"] and "Group “Các phòng, đơn vị có TTHC” (Lead): not chosen yet" in row["text"]
    picker = await tap(bot, chief, row, "Choose the units for “Các phòng, đơn vị có TTHC”")
    assert picker["text"].startswith("Which units does “Các phòng, đơn vị có TTHC” mean in II.2? They take the role Lead.")
    assert labels(picker) == ["TCPC", "TTra", "VP", "✔ Done", "◀ Back"]
    picker = await tap(bot, chief, picker, "VP")
    picker = await tap(bot, chief, picker, "TTra")
    picker = await tap(bot, chief, picker, "TCPC")
    picker = await tap(bot, chief, picker, "TTra")  # changed her mind
    assert labels(picker) == ["✅ TCPC", "TTra", "✅ VP", "✔ Done", "◀ Back"]
    vp, tcpc = await unit_id(deps, "VP"), await unit_id(deps, "TCPC")
    assert (await pending_of(deps, chief) or {})["overrides"] == {"II.2": {"groups": {"Các phòng, đơn vị có TTHC": [vp, tcpc]}}}
    done = await tap(bot, chief, picker, "Done")
    [ii2] = [line for line in done["text"].split("\n") if line.startswith("• II.2 · ")]
    assert "Các phòng, đơn vị có TTHC" not in ii2 and "unit not known: “KHTC”" in ii2
    assert "Groups of units to choose (1), not created as units\n• Các phòng, ban, đơn vị có thủ tục hành chính" in done["text"]

    answer, _ = await bot.press(chief, done["message_id"], button(done, "Save"))
    assert answer.get("text") == "Saved."
    tasks = await live_tasks(deps)
    roles = await roles_of(deps, tasks["II.2"])
    assert sorted(unit for unit, role in roles.items() if role == UnitRole.LEAD) == sorted([vp, tcpc])
    async with deps.sessions() as session:
        names = {unit.name for unit in await units.list_units(session)}
    assert not any(name.startswith("Các ") for name in names)
    [fix] = await audit(deps, FIX_ACTION)
    assert json.loads(fix.detail or "{}")["groups"] == {"Các phòng, đơn vị có TTHC": [vp, tcpc]}

    again = await send_plan(bot)
    assert "Nothing changed: this plan is already loaded as it is (21 tasks)." in again["text"]
    assert "1 row keeps the lead unit or due date set by hand at an earlier import." in again["text"]


# What the chief reads when a file cannot be imported, after "Cannot import NAME as a plan: ".
WHY = {
    "en": {
        "empty": "the document is empty.",
        "no_tasks": "no task table or task list was found in it.",
        "corrupt": "the file is damaged or not the format its name says.",
        "no_header": "no header row of a task table (TT, Nhiệm vụ, Chủ trì, Thời gian…) was found in it.",
        "too_big": "the file is too large.",
        "encrypted": "the file is password-protected; please send an unprotected copy.",
        "scanned": "it is a scanned document with no text; please send a Word or text version.",
    },
    "vi": {  # "no_header" is new: its translation is checked once the catalog has it (tests/test_i18n.py)
        "empty": "văn bản trống.",
        "no_tasks": "không tìm thấy bảng hoặc danh sách nhiệm vụ trong văn bản.",
        "corrupt": "tệp bị hỏng hoặc không đúng định dạng như tên tệp.",
        "too_big": "tệp quá lớn.",
        "encrypted": "tệp có mật khẩu bảo vệ; đề nghị gửi bản không đặt mật khẩu.",
        "scanned": "đây là bản scan, không có chữ; đề nghị gửi bản Word hoặc bản có chữ.",
    },
}
HEAD = {"en": ("Cannot import {name} as a plan: ", "Nothing was saved."),
        "vi": ("Không nhập được kế hoạch từ {name}: ", "Chưa có gì được lưu.")}


async def row_counts(deps: Deps) -> tuple[int, int, int]:
    async with deps.sessions() as session:
        return tuple([(await session.exec(select(func.count()).select_from(model))).one()  # type: ignore[call-overload]
                      for model in (Plan, Task, Unit)])


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_files_that_are_not_plans_are_explained_and_nothing_is_saved(bot: Harness, language: str) -> None:
    """An empty .docx, a .docx with no tasks, a broken one, an .xlsx without a header row, password-protected
    .docx and .xlsx, a scanned .pdf and a 30 MB file: each is answered with what is wrong and that nothing was
    saved, in the chief's language; no plan, task, unit, audit row, pending import or stored file appears."""
    deps = bot.deps
    if language == "en":
        await bot.reply(CHIEF, "/lang en")
    before, counts = await snapshot(deps), await row_counts(deps)
    cases = [(name, content, {"mime_type": mime}, reason) for name, content, mime, reason in not_plans()]
    cases.append(("ke-hoach-lon.docx", b"PK\x03\x04", {"mime_type": DOCX, "file_size": 30 * MB}, "too_big"))
    opening, nothing_saved = HEAD[language]
    for name, content, options, reason in cases:
        [reply] = await bot.document(CHIEF, content, file_name=name, **options)
        text = reply["text"]
        lines = text.split("\n")
        assert lines[0].startswith(opening.format(name=name)), (name, text)
        if reason in WHY[language]:
            assert lines[0] == opening.format(name=name) + WHY[language][reason], (name, text)
        assert lines[1] == nothing_saved and "Traceback" not in text, (name, text)
        assert labels(reply) == [], name
        assert await pending_of(deps, CHIEF) is None, name
    assert await snapshot(deps) == before and await row_counts(deps) == counts
    root = deps.settings.evidence_dir
    assert not root.exists() or not any(path.is_file() for path in root.rglob("*"))
