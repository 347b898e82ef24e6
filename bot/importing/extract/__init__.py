"""Giving meaning to a document's blocks: the plan, its tasks, their units and deadline phrases.

    plan = extract_plan(document)   # raises UnreadableDocument("no_tasks") when nothing task-like is found
                                    # ("no_header" for a spreadsheet whose header row was not found)

Only transcription happens here: unit names stay as written (lists split, "Các phòng, ban, đơn vị thuộc Sở"
→ ALL_UNITS), deadline phrases stay phrases. Modules: `metadata` (number, date, issuer, title), `headers`
(column meaning), `cells` + `tables` (task tables), `lines` + `outline` + `prose` (numbered prose),
`reporting` (follow-up office, reporting regime), `units` (unit lists), `vocab` (domain words).
"""

from __future__ import annotations

from bot.importing.blocks import SHEET_STYLE, Document, Table
from bot.importing.draft import DraftPlan, DraftTask, UnreadableDocument
from bot.importing.extract.lines import read_lines
from bot.importing.extract.metadata import read_metadata
from bot.importing.extract.outline import read_outline
from bot.importing.extract.prose import prose_tasks
from bot.importing.extract.reporting import follow_up_office, reporting_tasks
from bot.importing.extract.tables import table_tasks

__all__ = ["extract_plan"]


def _unique_codes(tasks: list[DraftTask]) -> None:
    """Codes are unique within a plan: a repeated code gets "-2", "-3"… in reading order."""
    seen: dict[str, int] = {}
    for task in tasks:
        count = seen.get(task.code, 0) + 1
        seen[task.code] = count
        if count > 1:
            task.code = f"{task.code}-{count}"


def _only_sheets(document: Document) -> bool:
    """A spreadsheet (.xlsx, .csv): tables and sheet names only. Without tasks, its header row was not found."""
    return any(isinstance(block, Table) for block in document.blocks) and all(
        isinstance(block, Table) or block.style == SHEET_STYLE for block in document.blocks
    )


def extract_plan(document: Document) -> DraftPlan:
    """The plan `document` describes, with every task it assigns, in reading order."""
    meta = read_metadata(document)
    nodes = read_outline(read_lines(document))
    follow_up = follow_up_office(nodes, meta.issuer)
    found = prose_tasks(nodes, follow_up, meta.year) + reporting_tasks(nodes, follow_up)
    found += table_tasks(document, follow_up, meta.year)
    tasks = [task for _, task in sorted(found, key=lambda pair: pair[0])]
    if not tasks:
        raise UnreadableDocument("no_header" if _only_sheets(document) else "no_tasks", document.name)
    _unique_codes(tasks)
    return DraftPlan(
        number=meta.number,
        title=meta.title,
        issued_on=meta.issued_on,
        issuer=meta.issuer,
        place=meta.place,
        follow_up_office=follow_up,
        tasks=tasks,
        stated_year=meta.year,
    )
