"""Hand fixes to a previewed import: the chief sets a flagged row's lead unit or due date, or chooses the units a
group of units means ("Các phòng, đơn vị có TTHC"), before saving.

A fix never edits the document's text: the preview is built as usual, then the row's `PreviewTask` is adjusted
(its lead in `roles`, its `reading`'s due date, a group's units added to `roles` with the group's role) and the
flag the fix answers is removed.

Fixes that were saved are recorded in the audit log together with what the document said in that row (its lead
names as written, its deadline phrase, the group's name). Importing the same document again re-applies them, so it
changes nothing; a revision that rewrites that row's lead, deadline or group is taken as written (the fix no longer
applies).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.importing.deadlines import DeadlineReading
from bot.importing.draft import ALL_UNITS
from bot.importing.preview import (
    DEADLINE_NOT_UNDERSTOOD,
    NO_DEADLINE,
    NO_LEAD,
    UNIT_GROUP,
    UNKNOWN_UNIT,
    ImportPreview,
    PreviewTask,
)
from bot.importing.units import core_key
from storage import plans
from storage.audit import record_change
from storage.models import AuditEntry, UnitRole

FIX_ACTION = "plan.import_fix"

# A row's fixes as kept in the chat's pending state and in the audit log:
# {"lead": unit id, "due": "YYYY-MM-DD", "groups": {group name as written: [unit id, …]}}.
Fixes = Mapping[str, Mapping[str, Any]]
_RANK = {UnitRole.LEAD: 0, UnitRole.COORDINATE: 1, UnitRole.SUPERVISE: 2}


def _drop(task: PreviewTask, *flags: str) -> None:
    task.flags = [flag for flag in task.flags if flag not in flags]


def unknown_units(preview: ImportPreview, task: PreviewTask) -> list[str]:
    """The names this row writes that match no known unit (and so are proposed as new units), still in the row."""
    written = [name for names in (task.draft.lead, task.draft.coordinate, task.draft.supervise)
               for name in names if name != ALL_UNITS]
    keys = {core_key(name) for name in written}
    return [name for name in preview.new_units if core_key(name) in keys and name in task.roles]


def set_lead(preview: ImportPreview, task: PreviewTask, unit_name: str) -> None:
    """`unit_name` (a known unit) becomes the row's only lead; the leads the document named are dropped, the other
    units keep their roles."""
    roles: dict[str, str] = {unit_name: UnitRole.LEAD}
    roles.update((name, role) for name, role in task.roles.items() if name != unit_name and role != UnitRole.LEAD)
    task.roles = roles
    _drop(task, NO_LEAD)
    if not unknown_units(preview, task):
        _drop(task, UNKNOWN_UNIT)


def set_group_units(task: PreviewTask, group_name: str, unit_names: list[str]) -> None:
    """The group `group_name` of the row means these known units: each takes the group's role (a unit the row
    already names keeps the stronger of its two roles). An empty choice leaves the group open."""
    group = next((group for group in task.groups if group.name == group_name), None)
    if group is None:
        return
    group.units = list(dict.fromkeys(unit_names))
    for name in group.units:
        current = task.roles.get(name)
        if current is None or _RANK.get(group.role, 9) < _RANK.get(current, 9):
            task.roles[name] = group.role
    if not any(group.open for group in task.groups):
        _drop(task, UNIT_GROUP)
    if task.lead is not None:
        _drop(task, NO_LEAD)


def set_due(task: PreviewTask, due: date) -> None:
    """The row is due on `due`; the document's phrase is kept as written, a start after `due` is dropped."""
    reading = task.reading
    task.reading = DeadlineReading(
        start=reading.start if reading.start is not None and reading.start <= due else None,
        due=due,
        recurrence=reading.recurrence if reading.understood else "none",
        understood=True,
        no_date=False,
        text=reading.text,
    )
    _drop(task, DEADLINE_NOT_UNDERSTOOD, NO_DEADLINE)


def apply_fixes(preview: ImportPreview, fixes: Fixes) -> list[str]:
    """Applies each row's fixes (rows by code); returns the codes fixed. A fix naming a unit that no longer exists,
    or a row the document no longer has, is skipped."""
    names = {unit_id: name for name, unit_id in preview.unit_ids.items()}
    by_code = {task.draft.code: task for task in preview.tasks}
    applied: list[str] = []
    for code, fix in fixes.items():
        task = by_code.get(code)
        if task is None:
            continue
        chosen = _group_choices(fix.get("groups"), names)
        for group_name, unit_names in chosen.items():
            set_group_units(task, group_name, unit_names)
        lead = names.get(fix.get("lead")) if isinstance(fix.get("lead"), int) else None
        if lead is not None:
            set_lead(preview, task, lead)
        due = _as_date(fix.get("due"))
        if due is not None:
            set_due(task, due)
        if lead is not None or due is not None or any(chosen.values()):
            applied.append(code)
    used = {name for task in preview.tasks for name in task.roles}
    preview.new_units = [name for name in preview.new_units if name in used]
    return applied


def _group_choices(value: object, names: Mapping[int, str]) -> dict[str, list[str]]:
    """{group name: [known unit names]} from a fix's "groups" (ids of units that no longer exist are left out)."""
    if not isinstance(value, Mapping):
        return {}
    return {
        str(group): [names[unit_id] for unit_id in ids if isinstance(unit_id, int) and unit_id in names]
        for group, ids in value.items()
        if isinstance(ids, list)
    }


def _as_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


async def remembered_fixes(session: AsyncSession, preview: ImportPreview) -> dict[str, dict[str, Any]]:
    """The fixes saved at earlier imports of this plan that still apply: the row says what it said then."""
    if not preview.plan.number:
        return {}
    plan = await plans.find_plan(session, number=preview.plan.number)
    if plan is None or plan.id is None:
        return {}
    rows = await session.exec(
        select(AuditEntry)
        .where(AuditEntry.action == FIX_ACTION, AuditEntry.entity == "plan", AuditEntry.entity_id == plan.id)
        .order_by(col(AuditEntry.id))
    )
    by_code = {task.draft.code: task for task in preview.tasks}
    fixes: dict[str, dict[str, Any]] = {}
    for entry in rows.all():
        detail = json.loads(entry.detail or "{}")
        task = by_code.get(detail.get("code"))
        if task is None:
            continue
        fix = fixes.setdefault(task.draft.code, {})
        if "lead" in detail and detail.get("lead_was") == task.draft.lead:
            fix["lead"] = detail["lead"]
        if "due" in detail and detail.get("due_was") == task.draft.deadline_text:
            fix["due"] = detail["due"]
        written = {group.name for group in task.groups}
        for group_name, ids in (detail.get("groups") or {}).items():
            if group_name in written:  # a later choice replaces an earlier one, an empty one clears it
                fix.setdefault("groups", {})[group_name] = ids
    for fix in fixes.values():
        chosen = {name: ids for name, ids in fix.pop("groups", {}).items() if ids}
        if chosen:
            fix["groups"] = chosen
    return {code: fix for code, fix in fixes.items() if fix}


async def record_fixes(
    session: AsyncSession, preview: ImportPreview, fixes: Fixes, *, actor: str, member_id: int | None
) -> None:
    """Audits the fixes just saved with what the document said, so a later import of the same rows keeps them.
    Call after `save_preview` (the plan exists)."""
    assert preview.plan.number is not None
    plan = await plans.find_plan(session, number=preview.plan.number)
    assert plan is not None and plan.id is not None
    by_code = {task.draft.code: task for task in preview.tasks}
    for code, fix in fixes.items():
        task = by_code.get(code)
        if task is None:
            continue
        detail: dict[str, Any] = {"plan": preview.plan.number, "code": code}
        if isinstance(fix.get("lead"), int) and fix["lead"] in preview.unit_ids.values():
            detail.update(lead=fix["lead"], lead_was=list(task.draft.lead))
        if _as_date(fix.get("due")) is not None:
            detail.update(due=fix["due"], due_was=task.draft.deadline_text)
        known = set(preview.unit_ids.values())
        groups = {name: [unit_id for unit_id in ids if unit_id in known]
                  for name, ids in (fix.get("groups") or {}).items() if isinstance(ids, list)}
        if groups:  # an emptied choice too: it clears the one an earlier import remembered
            detail["groups"] = groups
        if len(detail) > 2:
            await record_change(session, actor=actor, member_id=member_id, action=FIX_ACTION, entity="plan",
                                entity_id=plan.id, detail=detail)
