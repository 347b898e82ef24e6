"""Saving a previewed import: a new plan, or a revision of one already loaded, compared task by task (by code)
so that unchanged tasks keep their ids, statuses and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.importing.preview import ImportPreview, PreviewTask
from bot.importing.units import KnownUnit
from storage import plans, units
from storage.audit import record_change
from storage.keys import name_key
from storage.models import Plan, Task, UnitAlias


class MissingPlanNumber(Exception):
    """The document names no plan number and none was given."""


@dataclass
class PlanDiff:
    new_plan: bool
    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)  # (code, changed field names)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def nothing_to_do(self) -> bool:
        return not (self.new_plan or self.added or self.changed or self.removed)


async def known_units(session: AsyncSession) -> list[KnownUnit]:
    keys: dict[int, set[str]] = {}
    for alias in (await session.exec(select(UnitAlias))).all():
        keys.setdefault(alias.unit_id, set()).add(alias.key)
    return [
        KnownUnit(id=unit.id or 0, name=unit.name, keys=frozenset(keys.get(unit.id or 0, set()) | {name_key(unit.name)}))
        for unit in await units.list_units(session)
    ]


def _fields(task: PreviewTask) -> dict[str, object]:
    draft, reading = task.draft, task.reading
    return {
        "title": draft.title, "expected_result": draft.expected_result, "area": draft.area,
        "component": draft.component, "start": reading.start, "due": reading.due,
        "recurrence": reading.recurrence, "deadline_text": draft.deadline_text,
    }


async def _existing(session: AsyncSession, number: str) -> tuple[Plan | None, dict[str, Task]]:
    plan = await plans.find_plan(session, number=number)
    if plan is None or plan.id is None:
        return None, {}
    return plan, {task.code: task for task in await plans.tasks_of_plan(session, plan_id=plan.id)}


async def _unit_roles(session: AsyncSession, task_id: int, names: dict[int, str]) -> dict[str, str]:
    return {names.get(link.unit_id, str(link.unit_id)): link.role for link in await plans.task_units(session, task_id=task_id)}


async def compare(session: AsyncSession, preview: ImportPreview) -> PlanDiff:
    """What saving the preview would add, change and remove; nothing is written."""
    if not preview.plan.number:
        raise MissingPlanNumber()
    plan, existing = await _existing(session, preview.plan.number)
    diff = PlanDiff(new_plan=plan is None)
    names = {unit.id: unit.name for unit in await units.list_units(session) if unit.id is not None}
    seen: set[str] = set()
    for task in preview.tasks:
        code = task.draft.code
        seen.add(code)
        old = existing.get(code)
        if old is None or old.removed_at is not None:
            diff.added.append(code)
            continue
        changed = [name for name, value in _fields(task).items() if getattr(old, name) != value]
        if await _unit_roles(session, old.id or 0, names) != task.roles:
            changed.append("units")
        if changed:
            diff.changed.append((code, changed))
        else:
            diff.unchanged += 1
    diff.removed = [code for code, task in existing.items() if code not in seen and task.removed_at is None]
    return diff


async def save_preview(session: AsyncSession, preview: ImportPreview, *, actor: str, now: datetime) -> PlanDiff:
    """Applies the preview (creating the proposed units) and returns what changed. The caller commits."""
    diff = await compare(session, preview)
    draft = preview.plan
    assert draft.number is not None
    unit_ids = dict(preview.unit_ids)
    for name in preview.new_units:
        unit = await units.create_unit(session, name=name)
        assert unit.id is not None
        unit_ids[name] = unit.id
        await record_change(session, actor=actor, action="unit.created", entity="unit", entity_id=unit.id,
                            detail={"name": name, "by": "import"})
    plan, existing = await _existing(session, draft.number)
    if plan is None:
        plan = await plans.create_plan(session, number=draft.number, title=draft.title or draft.number,
                                       issued_on=draft.issued_on, issuer=draft.issuer, year=draft.year)
    assert plan.id is not None
    touched = set(diff.added) | {code for code, _ in diff.changed}
    for task in preview.tasks:
        if task.draft.code not in touched:
            continue
        assignment = {unit_ids[name]: role for name, role in task.roles.items()}
        old = existing.get(task.draft.code)
        if old is None:
            new = await plans.create_task(session, plan_id=plan.id, code=task.draft.code, units=assignment.items(),
                                          **_fields(task))  # type: ignore[arg-type]
            task_id = new.id
        else:
            for name, value in _fields(task).items():
                setattr(old, name, value)
            old.removed_at = None
            session.add(old)
            await plans.set_task_units(session, task_id=old.id or 0, units=assignment)
            task_id = old.id
        await record_change(session, actor=actor, action="task.imported", entity="task", entity_id=task_id,
                            detail={"plan": draft.number, "code": task.draft.code})
    for code in diff.removed:
        gone = existing[code]
        gone.removed_at = now
        session.add(gone)
        await record_change(session, actor=actor, action="task.removed", entity="task", entity_id=gone.id,
                            detail={"plan": draft.number, "code": code})
    await session.flush()
    return diff
