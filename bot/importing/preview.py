"""The preview the chief checks before anything is saved: each task with its deadline read, its unit names
matched to known units (or proposed as new ones), and flags for rows that need a human look.

A group of units the plan does not name ("Các phòng, đơn vị có TTHC") is neither a unit to create nor every
unit: the row keeps it as an open `UnitGroup`, flagged `unit_group`, until the chief chooses its units."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.importing.deadlines import DeadlineReading, read_deadline
from bot.importing.draft import ALL_UNITS, DraftPlan, DraftTask
from bot.importing.extract.units import is_all_units, is_unit_group
from bot.importing.units import KnownUnit, core_key, match_unit
from storage.keys import name_key
from storage.models import UnitRole

NO_LEAD = "no_lead"
DEADLINE_NOT_UNDERSTOOD = "deadline_not_understood"
NO_DEADLINE = "no_deadline"
UNKNOWN_UNIT = "unknown_unit"
UNIT_GROUP = "unit_group"
ROLE_ORDER = (UnitRole.LEAD, UnitRole.COORDINATE, UnitRole.SUPERVISE)


@dataclass
class UnitGroup:
    """A group of units a row names as written, with the role it has there and the units the chief chose."""

    name: str
    role: str
    units: list[str] = field(default_factory=list)  # known unit names; empty while not chosen

    @property
    def open(self) -> bool:
        return not self.units


@dataclass
class PreviewTask:
    draft: DraftTask
    reading: DeadlineReading
    roles: dict[str, str]  # unit name (existing, or proposed) -> role; the first role listed wins
    flags: list[str] = field(default_factory=list)
    groups: list[UnitGroup] = field(default_factory=list)  # in the row's order; indexes are stable

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

    @property
    def open_groups(self) -> list[str]:
        """The groups of units still to choose, each once, as first written."""
        names = [group.name for task in self.tasks for group in task.groups if group.open]
        return list(dict.fromkeys(names))

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
                    "unit_groups": [
                        {"name": group.name, "role": group.role, "units": list(group.units)} for group in task.groups
                    ],
                }
                for task in self.tasks
            ],
            "new_units": list(self.new_units),
            "unit_groups": self.open_groups,
        }


class _Resolver:
    """Resolves written names once each, grouping different spellings of one new unit into one proposal: the same
    name written another way, or an acronym of it ("TCPC" and "Phòng Tổ chức - Pháp chế": proposed the long way,
    wherever each first appears)."""

    def __init__(self, units: list[KnownUnit], written: list[str]) -> None:
        self.units = units
        self.unit_ids = {unit.name: unit.id for unit in units}
        self._proposals: list[KnownUnit] = []  # proposed units as units, to match the other spellings against
        unknown = [name for name in dict.fromkeys(name.strip() for name in written) if not self._known(name)]
        # the longest names first, so that an acronym or a shortened name finds the name it stands for
        self._proposed = {name: "" for name in unknown}
        for name in sorted(unknown, key=lambda name: -len(core_key(name).split())):
            self._proposed[name] = self._propose(name)
        self.new_units = list(dict.fromkeys(self._proposed.values()))  # in reading order

    def _known(self, written: str) -> KnownUnit | None:
        return match_unit(written, self.units)

    def _propose(self, name: str) -> str:
        found = match_unit(name, self._proposals)
        if found is not None:
            return found.name
        self._proposals.append(KnownUnit(id=-len(self._proposals) - 1, name=name, keys=frozenset({name_key(name)})))
        return name

    def resolve(self, written: str) -> tuple[str, bool]:
        """(canonical name, known?)"""
        found = self._known(written)
        if found is not None:
            return found.name, True
        return self._proposed[written.strip()], False

    def everyone(self) -> list[str]:
        return [unit.name for unit in self.units] + self.new_units


def _written_units(plan: DraftPlan) -> list[str]:
    """Every single unit name the plan writes, in reading order (not "every unit", not groups of units)."""
    return [name for draft in plan.tasks for names in (draft.lead, draft.coordinate, draft.supervise)
            for name in names if not _everyone(name) and not is_unit_group(name)]


def _everyone(written: str) -> bool:
    return written == ALL_UNITS or is_all_units(written)


def build_preview(plan: DraftPlan, units: list[KnownUnit]) -> ImportPreview:
    resolver = _Resolver(units, _written_units(plan))
    staged: list[tuple[DraftTask, DeadlineReading, list[tuple[str, str]], list[str], list[UnitGroup]]] = []
    for draft in plan.tasks:
        flags = list(draft.flags)
        named: list[tuple[str, str]] = []
        groups: list[UnitGroup] = []
        for role, written_names in zip(ROLE_ORDER, (draft.lead, draft.coordinate, draft.supervise), strict=True):
            for written in written_names:
                if _everyone(written):
                    named.append((ALL_UNITS, role))
                    continue
                if is_unit_group(written):
                    if all(group.name != written.strip() for group in groups):
                        groups.append(UnitGroup(name=written.strip(), role=role))
                    if UNIT_GROUP not in flags:
                        flags.append(UNIT_GROUP)
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
        staged.append((draft, reading, named, flags, groups))
    everyone = resolver.everyone()  # only complete once every name was resolved
    tasks = []
    for draft, reading, named, flags, groups in staged:
        roles: dict[str, str] = {}
        for name, role in named:
            for target in everyone if name == ALL_UNITS else [name]:
                roles.setdefault(target, role)
        lead_group = any(group.role == UnitRole.LEAD for group in groups)  # flagged unit_group already
        if not lead_group and not any(role == UnitRole.LEAD for role in roles.values()) and NO_LEAD not in flags:
            flags.append(NO_LEAD)
        tasks.append(PreviewTask(draft=draft, reading=reading, roles=roles, flags=flags, groups=groups))
    return ImportPreview(plan=plan, tasks=tasks, new_units=resolver.new_units, unit_ids=resolver.unit_ids)
