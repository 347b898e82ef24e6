"""Preview, save and re-import on a real database: unit names matched loosely, unknown ones proposed, flags raised,
and a revised plan changes only what changed (statuses and evidence of unchanged tasks kept)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from bot.deps import Deps
from bot.importing.draft import ALL_UNITS, DraftPlan, DraftTask
from bot.importing.fixes import apply_fixes, record_fixes, remembered_fixes
from bot.importing.preview import build_preview
from bot.importing.save import MissingPlanNumber, compare, known_units, save_preview
from bot.importing.units import KnownUnit, match_unit
from storage import plans, statuses, units
from storage.db import transaction
from storage.keys import name_key
from tests.factories import seed_office

NOW = datetime(2023, 6, 20, 2, 0, tzinfo=UTC)


def _unit(unit_id: int, name: str, *aliases: str) -> KnownUnit:
    return KnownUnit(unit_id, name, frozenset(name_key(x) for x in (name, *aliases)))


UNITS = [_unit(1, "Văn phòng Sở", "VP"), _unit(2, "Phòng Tổ chức - Pháp chế", "TCPC"),
         _unit(3, "Phòng Kế hoạch - Tài chính", "KHTC"), _unit(4, "Thanh tra Sở", "TTra"),
         _unit(5, "Trung tâm Thông tin triển lãm")]


@pytest.mark.parametrize(
    ("written", "expected"),
    [("Phòng Tổ chức - Pháp chế", 2), ("Phòng Tổ chức Pháp chế", 2), ("phong to chuc phap che", 2), ("P. TCPC", 2),
     ("Phòng TCPC", 2), ("TCPC", 2), ("VP Sở", 1), ("Văn phòng", 1), ("VĂN PHÒNG SỞ", 1), ("Phòng KHTC", 3),
     ("Kế hoạch Tài chính", 3), ("Thanh tra", 4), ("Trung tâm TTTL", 5), ("Thông tin triển lãm", 5),
     ("Phòng Quản lý Thể thao", None), ("Sở Tài chính", None), ("Phòng", None), ("", None)],
)
def test_unit_names_match_loosely_but_never_guess(written: str, expected: int | None) -> None:
    found = match_unit(written, UNITS)
    assert (found.id if found else None) == expected


def _plan(*tasks: DraftTask, number: str | None = "99/KH-TEST") -> DraftPlan:
    return DraftPlan(number=number, title="Kế hoạch thử", issued_on=date(2023, 6, 14), issuer="Sở VHTT", tasks=list(tasks))


def test_preview_flags_rows_and_proposes_unknown_units() -> None:
    preview = build_preview(_plan(
        DraftTask(code="1", title="Có đủ thông tin", lead=["P. TCPC"], coordinate=[ALL_UNITS],
                  deadline_text="Trong tháng 6/2023"),
        DraftTask(code="2", title="Đơn vị lạ", lead=["Phòng Quản lý Thể thao"], deadline_text="Quý III/2023"),
        DraftTask(code="3", title="Không có chủ trì", deadline_text="Thường xuyên"),
        DraftTask(code="4", title="Hạn khó hiểu", lead=["VP"], deadline_text="khi nào xong thì báo"),
        DraftTask(code="5", title="Theo quy định", lead=["phòng quản lý thể thao"], deadline_text="Theo quy định"),
    ), UNITS)
    rows = preview.to_json()["tasks"]
    assert rows[0]["lead"] == "Phòng Tổ chức - Pháp chế" and rows[0]["due"] == "2023-06-30" and rows[0]["flags"] == []
    assert rows[0]["roles"]["Văn phòng Sở"] == "coordinate" and rows[0]["roles"]["Phòng Tổ chức - Pháp chế"] == "lead"
    assert rows[0]["roles"]["Phòng Quản lý Thể thao"] == "coordinate"  # "every unit" includes the proposed one
    assert rows[1]["flags"] == ["unknown_unit"] and rows[1]["start"] == "2023-07-01"
    assert rows[2]["flags"] == ["no_lead"] and rows[2]["recurrence"] == "continuous"
    assert rows[3]["flags"] == ["deadline_not_understood"] and rows[3]["due"] is None
    assert rows[4]["flags"] == ["unknown_unit", "no_deadline"]
    assert preview.new_units == ["Phòng Quản lý Thể thao"]  # two spellings, one proposal


async def test_save_then_reimport_changes_only_what_changed(deps: Deps) -> None:
    office = await seed_office(deps, now=NOW)
    draft = _plan(
        DraftTask(code="A", title="Rà soát thủ tục hành chính", lead=["VP"], coordinate=["TCPC"], deadline_text="Quý III/2023"),
        DraftTask(code="B", title="Kiểm tra công vụ", lead=["Thanh tra Sở"], deadline_text="trước ngày 20/10/2023"),
        DraftTask(code="C", title="Tập huấn", lead=["Phòng Văn hóa mới"], deadline_text="Tháng 8/2023"),
    )
    async with transaction(deps.sessions) as session:
        preview = build_preview(draft, await known_units(session))
        diff = await save_preview(session, preview, actor="test", now=NOW)
    assert diff.new_plan and diff.added == ["A", "B", "C"]
    async with deps.sessions() as session:
        plan = await plans.find_plan(session, number="99/KH-TEST")
        saved = {task.code: task for task in await plans.tasks_of_plan(session, plan_id=plan.id)}
    assert (saved["B"].due, saved["B"].deadline_text) == (date(2023, 10, 20), "trước ngày 20/10/2023")
    hung = office.people["hung"]
    async with transaction(deps.sessions) as session:
        await statuses.add_status(session, task_id=saved["B"].id, unit_id=hung.unit_id, member_id=hung.id,
                                  status="in_progress", percent=40, channel="test", at=NOW)

    async with transaction(deps.sessions) as session:  # the same document again: nothing to do
        again = await compare(session, build_preview(copy.deepcopy(draft), await known_units(session)))
    assert again.nothing_to_do and again.unchanged == 3

    revised = copy.deepcopy(draft)
    revised.tasks[0].deadline_text = "Quý IV/2023"
    revised.tasks[2:] = [DraftTask(code="D", title="Báo cáo sơ kết", lead=[ALL_UNITS], deadline_text="trước ngày 15/12/2023")]
    async with transaction(deps.sessions) as session:
        diff = await save_preview(session, build_preview(revised, await known_units(session)), actor="test", now=NOW)
    assert (diff.added, diff.changed, diff.removed, diff.unchanged) == (["D"], [("A", ["start", "due", "deadline_text"])], ["C"], 1)
    async with deps.sessions() as session:
        current = {task.code: task for task, _ in await plans.assignments(session, plan_id=plan.id)}
        history = await statuses.status_history(session, task_id=saved["B"].id)
        d_units = await plans.task_units(session, task_id=current["D"].id)
    assert set(current) == {"A", "B", "D"}  # C is archived, not deleted
    assert current["B"].id == saved["B"].id and [(r.status, r.percent) for r in history] == [("in_progress", 40)]
    assert len(d_units) == 4 and {link.role for link in d_units} == {"lead"}  # 3 seeded units + the one C created


async def test_a_plan_without_a_number_is_refused(deps: Deps) -> None:
    async with deps.sessions() as session:
        with pytest.raises(MissingPlanNumber):
            await compare(session, build_preview(_plan(number=None), await known_units(session)))


TTHC_GROUP = "Các phòng, đơn vị có TTHC"


def test_a_group_of_units_is_flagged_for_the_chief_never_proposed_as_a_unit() -> None:
    """"Các phòng, đơn vị có TTHC" is several units the plan does not name: flagged, kept aside until the chief
    chooses its units, never a new unit and never part of "every unit"; "Các phòng, ban, đơn vị thuộc Sở" is still
    every unit."""
    preview = build_preview(_plan(
        DraftTask(code="1", title="Rà soát TTHC", lead=[TTHC_GROUP], coordinate=["Các phòng, ban, đơn vị thuộc Sở"],
                  deadline_text="Quý III/2023"),
        DraftTask(code="2", title="Niêm yết TTHC", lead=["VP"], coordinate=["Các đơn vị liên quan", "Phòng Mới"],
                  deadline_text="Quý III/2023"),
    ), UNITS)
    first, second = preview.tasks
    assert preview.new_units == ["Phòng Mới"] and preview.open_groups == [TTHC_GROUP, "Các đơn vị liên quan"]
    assert first.flags == ["unit_group"] and first.lead is None  # the group leads: not also flagged no_lead
    assert set(first.roles) == {unit.name for unit in UNITS} | {"Phòng Mới"}  # every unit (the proposed one too)
    assert set(first.roles.values()) == {"coordinate"}
    assert second.flags == ["unit_group", "unknown_unit"] and TTHC_GROUP not in second.roles
    rows = preview.to_json()
    assert rows["unit_groups"] == [TTHC_GROUP, "Các đơn vị liên quan"] and rows["new_units"] == ["Phòng Mới"]
    assert rows["tasks"][0]["unit_groups"] == [{"name": TTHC_GROUP, "role": "lead", "units": []}]
    assert rows["tasks"][1]["unit_groups"] == [{"name": "Các đơn vị liên quan", "role": "coordinate", "units": []}]

    # The chief chooses VP and TCPC for the lead group of row 1: both lead (VP was coordinating: the stronger role
    # wins), the flag goes; an empty choice leaves row 2's group open; unknown unit ids are ignored.
    assert apply_fixes(preview, {"1": {"groups": {TTHC_GROUP: [1, 2, 999]}},
                                 "2": {"groups": {"Các đơn vị liên quan": []}}}) == ["1"]
    assert first.flags == [] and first.roles["Văn phòng Sở"] == first.roles["Phòng Tổ chức - Pháp chế"] == "lead"
    assert first.groups[0].units == ["Văn phòng Sở", "Phòng Tổ chức - Pháp chế"] and first.lead == "Văn phòng Sở"
    assert second.flags == ["unit_group", "unknown_unit"] and preview.open_groups == ["Các đơn vị liên quan"]


def test_spellings_and_acronyms_of_one_new_unit_are_one_proposal_named_the_long_way() -> None:
    preview = build_preview(_plan(
        DraftTask(code="1", title="A", lead=["QLTT"], deadline_text="Quý III/2023"),
        DraftTask(code="2", title="B", lead=["Phòng Quản lý Thể thao"], coordinate=["Sở Giáo dục"],
                  deadline_text="Quý III/2023"),
        DraftTask(code="3", title="C", lead=["Sở Giáo dục và Đào tạo"], coordinate=["Phòng Quản lý Văn hóa"],
                  deadline_text="Quý III/2023"),
    ), UNITS)
    assert preview.new_units == ["Phòng Quản lý Thể thao", "Sở Giáo dục và Đào tạo", "Phòng Quản lý Văn hóa"]
    assert [task.lead for task in preview.tasks] == ["Phòng Quản lý Thể thao", "Phòng Quản lý Thể thao",
                                                     "Sở Giáo dục và Đào tạo"]


async def test_chosen_units_of_a_group_are_saved_remembered_and_nothing_is_created_for_the_group(deps: Deps) -> None:
    await seed_office(deps, now=NOW)
    draft = _plan(DraftTask(code="1", title="Rà soát TTHC", lead=[TTHC_GROUP], deadline_text="Quý III/2023"))
    async with transaction(deps.sessions) as session:
        known = await known_units(session)
        ids = {unit.name: unit.id for unit in known}
        fixes = {"1": {"groups": {TTHC_GROUP: [ids["Văn phòng Sở"]]}}}
        preview = build_preview(draft, known)
        apply_fixes(preview, fixes)
        await save_preview(session, preview, actor="test", now=NOW)
        await record_fixes(session, preview, fixes, actor="test", member_id=None)
    async with transaction(deps.sessions) as session:
        names = [unit.name for unit in await units.list_units(session)]
        plan = await plans.find_plan(session, number="99/KH-TEST")
        [task] = await plans.tasks_of_plan(session, plan_id=plan.id)
        roles = {link.unit_id: link.role for link in await plans.task_units(session, task_id=task.id)}
        again = build_preview(copy.deepcopy(draft), await known_units(session))
        remembered = await remembered_fixes(session, again)
        apply_fixes(again, remembered)
        diff = await compare(session, again)
    assert TTHC_GROUP not in names and len(names) == len(known)
    assert roles == {ids["Văn phòng Sở"]: "lead"}
    assert remembered == {"1": {"groups": {TTHC_GROUP: [ids["Văn phòng Sở"]]}}}
    assert again.tasks[0].flags == [] and diff.nothing_to_do

    # A later import clears the choice: it is not re-applied afterwards.
    async with transaction(deps.sessions) as session:
        cleared = {"1": {"groups": {TTHC_GROUP: []}}}
        preview = build_preview(copy.deepcopy(draft), await known_units(session))
        apply_fixes(preview, cleared)
        await save_preview(session, preview, actor="test", now=NOW)
        await record_fixes(session, preview, cleared, actor="test", member_id=None)
    async with deps.sessions() as session:
        third = build_preview(copy.deepcopy(draft), await known_units(session))
        assert await remembered_fixes(session, third) == {}
        assert third.tasks[0].flags == ["unit_group"] and (await compare(session, third)).nothing_to_do
