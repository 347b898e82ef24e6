"""The preview the chief checks before anything is saved: each task with its deadline read, its unit names
matched to known units (or proposed as new ones), and flags for rows that need a human look."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.importing.deadlines import DeadlineReading, read_deadline
from bot.importing.draft import ALL_UNITS, DraftPlan, DraftTask
from bot.importing.units import KnownUnit, core_key, match_unit
from storage.models import UnitRole

NO_LEAD = "no_lead"
DEADLINE_NOT_UNDERSTOOD = "deadline_not_understood"
NO_DEADLINE = "no_deadline"
UNKNOWN_UNIT = "unknown_unit"
ROLE_ORDER = (UnitRole.LEAD, UnitRole.COORDINATE, UnitRole.SUPERVISE)


@dataclass
class PreviewTask:
    draft: DraftTask
    reading: DeadlineReading
    roles: dict[str, str]  # unit name (existing, or proposed) -> role; the first role listed wins
    flags: list[str] = field(default_factory=list)

    @property
    def lead(self) -> str | None:
        return next((name for name, role in self.roles.items() if role == UnitRole.LEAD), None)


@dataclass
class ImportPreview:
    plan: DraftPlan
    tasks: list[PreviewTask]
    new_units: list[str]  # names proposed as new units, as the document first writes them
    unit_ids: dict[str, int]  # existing unit name -> id

    @property
    def flagged(self) -> list[PreviewTask]:
        return [task for task in self.tasks if task.flags]

    def tasks_per_unit(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for task in self.tasks:
            for name, role in task.roles.items():
                if role == UnitRole.LEAD:
                    counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def to_json(self) -> dict[str, Any]:
        """The shape `dondoc import --dry-run --json` prints."""
        plan = self.plan
        return {
            "plan": {
                "number": plan.number,
                "title": plan.title,
                "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
                "issuer": plan.issuer,
                "year": plan.year,
            },
            "tasks": [
                {
                    "code": task.draft.code,
                    "title": task.draft.title,
                    "lead": task.lead,
                    "units": list(task.roles),
                    "roles": dict(task.roles),
                    "start": task.reading.start.isoformat() if task.reading.start else None,
                    "due": task.reading.due.isoformat() if task.reading.due else None,
                    "recurrence": task.reading.recurrence,
                    "deadline_text": task.draft.deadline_text,
                    "expected_result": task.draft.expected_result,
                    "area": task.draft.area,
                    "component": task.draft.component,
                    "flags": list(task.flags),
                }
                for task in self.tasks
            ],
            "new_units": list(self.new_units),
        }


class _Resolver:
    """Resolves written names once each, grouping different spellings of one new unit together."""

    def __init__(self, units: list[KnownUnit]) -> None:
        self.units = units
        self.new_units: dict[str, str] = {}  # core key -> name as first written
        self.unit_ids = {unit.name: unit.id for unit in units}

    def resolve(self, written: str) -> tuple[str, bool]:
        """(canonical name, known?)"""
        found = match_unit(written, self.units)
        if found is not None:
            return found.name, True
        key = core_key(written)
        return self.new_units.setdefault(key, written.strip()), False

    def everyone(self) -> list[str]:
        return [unit.name for unit in self.units] + list(self.new_units.values())


def build_preview(plan: DraftPlan, units: list[KnownUnit]) -> ImportPreview:
    resolver = _Resolver(units)
    staged: list[tuple[DraftTask, DeadlineReading, list[tuple[str, str]], list[str]]] = []
    for draft in plan.tasks:
        flags = list(draft.flags)
        named: list[tuple[str, str]] = []
        for role, written_names in zip(ROLE_ORDER, (draft.lead, draft.coordinate, draft.supervise), strict=True):
            for written in written_names:
                if written == ALL_UNITS:
                    named.append((ALL_UNITS, role))
                    continue
                name, known = resolver.resolve(written)
                if not known and UNKNOWN_UNIT not in flags:
                    flags.append(UNKNOWN_UNIT)
                named.append((name, role))
        reading = read_deadline(draft.deadline_text or "", plan_year=plan.year)
        if not reading.understood and DEADLINE_NOT_UNDERSTOOD not in flags:
            flags.append(DEADLINE_NOT_UNDERSTOOD)
        elif reading.no_date and NO_DEADLINE not in flags:
            flags.append(NO_DEADLINE)
        staged.append((draft, reading, named, flags))
    everyone = resolver.everyone()  # only complete once every name was resolved
    tasks = []
    for draft, reading, named, flags in staged:
        roles: dict[str, str] = {}
        for name, role in named:
            for target in everyone if name == ALL_UNITS else [name]:
                roles.setdefault(target, role)
        if not any(role == UnitRole.LEAD for role in roles.values()) and NO_LEAD not in flags:
            flags.append(NO_LEAD)
        tasks.append(PreviewTask(draft=draft, reading=reading, roles=roles, flags=flags))
    return ImportPreview(plan=plan, tasks=tasks, new_units=list(resolver.new_units.values()), unit_ids=resolver.unit_ids)
