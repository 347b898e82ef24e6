"""Tasks of the prose sections: each entry, with the field block that follows it.

A block ("Đơn vị chủ trì: …", "Đơn vị phối hợp thực hiện: …", "Đơn vị giám sát: …", "Đơn vị thực hiện: …",
"Thời gian: …") applies to every entry of the same item since the previous block: KH 435 item II.3 has its
own text and three bullets, then one block for all four. "Đơn vị thực hiện" alone: the first unit leads,
the others coordinate. Where nothing names a unit the follow-up office leads (flag "no_lead"); where nothing
gives a time the plan's year bounds it ("Trong năm 2023", flag "no_deadline").
"""

from __future__ import annotations

from bot.importing.draft import DraftTask
from bot.importing.extract.headers import COORDINATE, DEADLINE, EXECUTORS, LEAD, RESULT, SUPERVISE
from bot.importing.extract.outline import Entry, FieldBlock
from bot.importing.extract.units import split_units, without

Positioned = tuple[tuple[int, int], DraftTask]


def apply_units(
    task: DraftTask,
    lead_text: str | None,
    executors_text: str | None,
    coordinate_text: str | None = None,
    supervise_text: str | None = None,
) -> None:
    """Fill lead / coordinate / supervise from the texts a row or a block gives (names as written)."""
    lead = split_units(lead_text) if lead_text else []
    executors = split_units(executors_text) if executors_text else []
    coordinate = split_units(coordinate_text) if coordinate_text else []
    if lead or executors:
        task.lead = lead or executors[:1]
    extra = without(executors, task.lead)
    task.coordinate = without(coordinate + [name for name in extra if name not in coordinate], task.lead)
    if supervise_text:
        task.supervise = split_units(supervise_text)


def finish(task: DraftTask, follow_up: str | None, year: int | None) -> DraftTask:
    """Fall back to the follow-up office and the plan's year, flagging it."""
    if not task.lead:
        task.lead = [follow_up] if follow_up else []
        task.flags.append("no_lead")
    if not task.deadline_text:
        task.deadline_text = f"Trong năm {year}" if year else None
        task.flags.append("no_deadline")
    return task


def _apply_block(task: DraftTask, fields: dict[str, str]) -> None:
    if fields.get(LEAD) or fields.get(EXECUTORS):
        apply_units(
            task, fields.get(LEAD), fields.get(EXECUTORS), fields.get(COORDINATE), fields.get(SUPERVISE)
        )
    else:
        task.coordinate = split_units(fields[COORDINATE]) if fields.get(COORDINATE) else task.coordinate
        task.supervise = split_units(fields[SUPERVISE]) if fields.get(SUPERVISE) else task.supervise
    task.deadline_text = fields.get(DEADLINE) or task.deadline_text
    task.expected_result = fields.get(RESULT) or task.expected_result


def prose_tasks(nodes: list[Entry | FieldBlock], follow_up: str | None, year: int | None) -> list[Positioned]:
    """One task per entry of the task sections, in document order."""
    tasks: list[Positioned] = []
    pending: dict[str, list[DraftTask]] = {}
    for order, node in enumerate(nodes):
        if node.section_kind != "tasks":
            continue
        if isinstance(node, FieldBlock):
            for task in pending.pop(node.scope, []):
                _apply_block(task, node.fields)
            continue
        task = DraftTask(
            code=node.code,
            title=node.title,
            lead=list(node.heading_units),
            area=node.area,
            component=node.component,
            source=node.source,
        )
        pending.setdefault(node.scope, []).append(task)
        tasks.append(((node.position, order), task))
    for _, task in tasks:
        finish(task, follow_up, year)
    return tasks
