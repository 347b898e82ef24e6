"""What the chief reads while importing a plan: the preview, the rows to review, the choices for one row, the
result, and why a document could not be read. Pure rendering: every function takes the translator and data the
flow (`handlers/importing.py`) has already gathered, and returns text or a message with its buttons.

Buttons carry the pending import's `token` (see `handlers/importing.py`); `row` indexes the preview's tasks and
`group` a row's groups of units.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import callbacks
from bot.i18n import Translator
from bot.importing.fixes import unknown_units
from bot.importing.preview import (
    DEADLINE_NOT_UNDERSTOOD,
    NO_DEADLINE,
    NO_LEAD,
    UNIT_GROUP,
    UNKNOWN_UNIT,
    ImportPreview,
)
from bot.importing.save import PlanDiff
from bot.messaging import Button, Outgoing, bold, plain
from handlers.render import role_label, short

SHOWN = 10  # flagged rows, new units, groups and codes of each diff list shown in the preview
TOP_UNITS = 5
ROWS_PER_PAGE = 8
UNITS_PER_PAGE = 10
MAX_TEXT = 4000  # Telegram's limit is 4096 characters; the preview stays one message so its buttons can edit it


@dataclass(frozen=True)
class UnitChoice:
    """A known unit offered as a button."""

    id: int
    label: str  # the short name where the unit has one


# ----------------------------------------------------------------------------------------------- messages


def how_to_import(t: Translator) -> str:
    return "\n".join([
        bold(t._("Import a plan")),
        t._("Send the plan's document here (.docx, .xlsx, .csv, .txt, .md or .pdf), without a caption."),
        t._("If the document does not show the plan's number, add it as the caption, e.g. 435/KH-SVHTT."),
        t._("You will see a preview first: the tasks, the units, the rows to review. "
            "Nothing is saved until you press 💾 Save."),
        t._("Importing a revised version of a plan already loaded shows what is added, changed and removed."),
    ])


def not_allowed(t: Translator) -> str:
    return t._("Sorry, only the chief of office or an administrator can import plans.")


def stale(t: Translator) -> str:
    return t._("This import is no longer open. Send the plan document again.")


def unreadable_reason(t: Translator, reason: str) -> str:
    """Why a document cannot be imported (`UnreadableDocument.reason`), as the end of a sentence."""
    reasons = {
        "empty": t._("the document is empty."),
        "no_tasks": t._("no task table or task list was found in it."),
        "no_header": t._("no header row of a task table (TT, Nhiệm vụ, Chủ trì, Thời gian…) was found in it."),
        "corrupt": t._("the file is damaged or not the format its name says."),
        "too_big": t._("the file is too large."),
        "encrypted": t._("the file is password-protected; please send an unprotected copy."),
        "scanned": t._("it is a scanned document with no text; please send a Word or text version."),
        "format": t._("this type of file is not supported (use .docx, .xlsx, .csv, .txt, .md or .pdf)."),
    }
    return reasons.get(reason, t._("the document could not be read."))


def unreadable(t: Translator, name: str, reason: str, *, evidence_hint: bool = True) -> str:
    """The whole reply to a document that cannot be imported: what is wrong, and that nothing was saved."""
    lines = [
        t._("Cannot import {name} as a plan: {reason}", name=plain(name), reason=unreadable_reason(t, reason)),
        t._("Nothing was saved."),
    ]
    if evidence_hint:
        lines.append(t._("If this file is evidence for a task, send it again with the task number as its caption, "
                         "e.g. #12."))
    return "\n".join(lines)


def no_plan_number(t: Translator, name: str) -> str:
    return t._(
        "The document {name} does not show the plan's number. Send it again with the number as its caption, "
        "e.g. 435/KH-SVHTT.", name=plain(name),
    )


# ----------------------------------------------------------------------------------------------- the preview


def problems(t: Translator, preview: ImportPreview, index: int) -> str:
    """What to review in one row, in a few words."""
    task = preview.tasks[index]
    phrase = short(task.draft.deadline_text or "", 40)
    said: list[str] = []
    for flag in task.flags:
        if flag == NO_LEAD:
            said.append(t._("no lead unit"))
        elif flag == DEADLINE_NOT_UNDERSTOOD:
            said.append(t._("deadline not understood: “{phrase}”", phrase=phrase))
        elif flag == NO_DEADLINE and task.reading.due is not None and phrase:
            said.append(t._("no deadline given, taken as “{phrase}”", phrase=phrase))
        elif flag == NO_DEADLINE:
            said.append(t._("no firm due date: “{phrase}”", phrase=phrase) if phrase else t._("no due date"))
        elif flag == UNKNOWN_UNIT:
            names = [f"“{short(name, 40)}”" for name in unknown_units(preview, task)]
            shown = ", ".join(names[:2]) + (", …" if len(names) > 2 else "")
            said.append(t._("unit not known: {names}", names=shown) if shown else t._("unit not known"))
        elif flag == UNIT_GROUP:
            names = [f"“{short(group.name, 40)}”" for group in task.groups if group.open]
            if names:
                said.append(t._("units to choose for {groups}", groups=", ".join(names[:2])))
        else:
            said.append(t._("to check"))
    return "; ".join(dict.fromkeys(said))


def _codes(codes: list[str]) -> str:
    shown = ", ".join(plain(code) for code in codes[:SHOWN])
    return shown + (", …" if len(codes) > SHOWN else "")


def diff_lines(t: Translator, diff: PlanDiff) -> list[str]:
    if diff.new_plan:
        return [t.ngettext("New plan: {n} task will be added.", "New plan: {n} tasks will be added.", len(diff.added))]
    if diff.nothing_to_do:
        return [t.ngettext(
            "Nothing changed: this plan is already loaded as it is ({n} task).",
            "Nothing changed: this plan is already loaded as it is ({n} tasks).", diff.unchanged,
        )]
    lines = [t._(
        "Revision of a plan already loaded: {added} added, {changed} changed, {removed} removed, {unchanged} unchanged "
        "(their statuses and evidence are kept).",
        added=t.number(len(diff.added)), changed=t.number(len(diff.changed)), removed=t.number(len(diff.removed)),
        unchanged=t.number(diff.unchanged),
    )]
    if diff.added:
        lines.append(t._("Added: {codes}", codes=_codes(diff.added)))
    if diff.changed:
        lines.append(t._("Changed: {codes}", codes=_codes([code for code, _ in diff.changed])))
    if diff.removed:
        lines.append(t._("Removed: {codes}", codes=_codes(diff.removed)))
    return lines


def _fit(text: str) -> str:
    """The preview is summarised to stay well within one message; this is only a last resort."""
    return text if len(text) <= MAX_TEXT else plain(text)[: MAX_TEXT - 1] + "…"


def _listed(t: Translator, title: str, items: list[str], prefix: str) -> list[str]:
    lines = [bold(title)] + [f"{prefix} {short(item, 60)}" for item in items[:SHOWN]]
    if len(items) > SHOWN:
        more = len(items) - SHOWN
        lines.append(t.ngettext("… and {n} more unit", "… and {n} more units", more))
    return lines


def preview_message(
    t: Translator, preview: ImportPreview, diff: PlanDiff, *, token: int, kept: int, note: str | None = None,
    replace: bool = False,
) -> Outgoing:
    """The preview: the plan, its tasks per lead unit, new units, groups to choose, rows to review, what saving
    changes, and the buttons 💾 Save / ✖ Cancel / ✏️ Fix."""
    plan = preview.plan
    sections: list[list[str]] = []
    if note:
        sections.append([note])
    head = [bold(t._("Plan {number}", number=plan.number or "")), plain(short(plan.title or "", 200))]
    if plan.issued_on and plan.issuer:
        head.append(t._("Issued {date} by {issuer}", date=t.date(plan.issued_on), issuer=plain(short(plan.issuer, 80))))
    elif plan.issued_on:
        head.append(t._("Issued {date}", date=t.date(plan.issued_on)))
    head.append(t.ngettext("{n} task", "{n} tasks", len(preview.tasks)))
    sections.append([line for line in head if line])
    per_unit = list(preview.tasks_per_unit().items())
    if per_unit:
        lines = [bold(t._("Tasks led per unit"))]
        lines += [f"• {short(name, 60)}: {t.number(count)}" for name, count in per_unit[:TOP_UNITS]]
        if len(per_unit) > TOP_UNITS:
            more = len(per_unit) - TOP_UNITS
            lines.append(t.ngettext("… and {n} more unit", "… and {n} more units", more))
        sections.append(lines)
    if preview.new_units:
        title = t._("New units to be created ({n})", n=t.number(len(preview.new_units)))
        sections.append(_listed(t, title, preview.new_units, "+"))
    groups = preview.open_groups
    if groups:
        title = t._("Groups of units to choose ({n}), not created as units", n=t.number(len(groups)))
        sections.append(_listed(t, title, groups, "•"))
    flagged = [index for index, task in enumerate(preview.tasks) if task.flags]
    if flagged:
        lines = [bold(t._("Rows to review ({n})", n=t.number(len(flagged))))]
        for index in flagged[:SHOWN]:
            task = preview.tasks[index]
            lines.append(f"• {plain(task.draft.code)} · {short(task.draft.title, 50)} — {problems(t, preview, index)}")
        if len(flagged) > SHOWN:
            more = len(flagged) - SHOWN
            lines.append(t.ngettext("… and {n} more row", "… and {n} more rows", more))
        sections.append(lines)
    if kept:
        sections.append([t.ngettext(
            "{n} row keeps the lead unit or due date set by hand at an earlier import.",
            "{n} rows keep the lead unit or due date set by hand at an earlier import.", kept,
        )])
    sections.append(diff_lines(t, diff))
    buttons: list[list[Button]] = []
    if diff.nothing_to_do:
        sections.append([t._("There is nothing to save. Fix a row, or cancel.") if flagged else t._("There is nothing to save.")])
        buttons.append([Button(t._("✖ Cancel"), callbacks.encode("import_cancel", token))])
    else:
        sections.append([t._("Nothing is saved until you press 💾 Save.")])
        buttons.append([
            Button(t._("💾 Save"), callbacks.encode("import_save", token)),
            Button(t._("✖ Cancel"), callbacks.encode("import_cancel", token)),
        ])
    if flagged:
        buttons.append([Button(t._("✏️ Fix rows to review ({n})", n=t.number(len(flagged))),
                               callbacks.encode("import_fix", token))])
    text = "\n\n".join("\n".join(lines) for lines in sections)
    return Outgoing(_fit(text), buttons=buttons, replace=replace)


def saved(t: Translator, preview: ImportPreview, diff: PlanDiff) -> Outgoing:
    lines = [
        bold(t._("Plan {number} saved.", number=preview.plan.number or "")),
        t.ngettext("{n} task in the plan.", "{n} tasks in the plan.", len(preview.tasks)),
        t._("{added} added, {changed} changed, {removed} removed.", added=t.number(len(diff.added)),
            changed=t.number(len(diff.changed)), removed=t.number(len(diff.removed))),
    ]
    if preview.new_units:
        lines.append(t.ngettext("{n} new unit created.", "{n} new units created.", len(preview.new_units)))
    lines.append(t._("Send /tonghop for the plan's summary."))
    return Outgoing("\n".join(lines), replace=True)


def nothing_to_save(t: Translator, number: str) -> Outgoing:
    return Outgoing(t._("Nothing to save: plan {number} is already loaded as it is.", number=plain(number)),
                    replace=True)


def cancelled(t: Translator) -> Outgoing:
    return Outgoing(t._("Import cancelled. Nothing was saved."), replace=True)


# ----------------------------------------------------------------------------------------------- fixing rows


def _nav(t: Translator, page: int, pages: int, verb: str, *args: int) -> list[Button]:
    nav: list[Button] = []
    if page > 1:
        nav.append(Button(t._("◀ Previous"), callbacks.encode(verb, *args, page - 1)))
    if page < pages:
        nav.append(Button(t._("Next ▶"), callbacks.encode(verb, *args, page + 1)))
    return nav


def _page_of(items: Sequence[object], page: int, size: int) -> tuple[int, int]:
    """(page clamped to the pages there are, number of pages)."""
    pages = max((len(items) + size - 1) // size, 1)
    return min(max(page, 1), pages), pages


def fix_list(t: Translator, preview: ImportPreview, *, token: int, page: int) -> Outgoing:
    """The rows to review, a page at a time, each a button."""
    tasks = preview.tasks
    flagged = [index for index, task in enumerate(tasks) if task.flags]
    back = [Button(t._("◀ Back to the preview"), callbacks.encode("import_back", token))]
    if not flagged:
        return Outgoing(t._("No rows left to review."), buttons=[back], replace=True)
    page, pages = _page_of(flagged, page, ROWS_PER_PAGE)
    shown = flagged[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE]
    text = t._("Rows to review ({n}). Tap one to set its lead unit or its due date.", n=t.number(len(flagged)))
    if pages > 1:
        text += "  " + t._("page {page}/{pages}", page=t.number(page), pages=t.number(pages))
    text += "\n\n" + "\n".join(
        f"• {plain(tasks[index].draft.code)} · {short(tasks[index].draft.title, 50)} — {problems(t, preview, index)}"
        for index in shown
    )
    buttons = [
        [Button(f"{short(tasks[index].draft.code, 12)} · {short(tasks[index].draft.title, 30)}",
                callbacks.encode("import_row", token, index))]
        for index in shown
    ]
    nav = _nav(t, page, pages, "import_fix", token)
    if nav:
        buttons.append(nav)
    buttons.append(back)
    return Outgoing(text, buttons=buttons, replace=True)


def row_options(t: Translator, preview: ImportPreview, *, token: int, row: int) -> Outgoing:
    """One row: its lead, deadline, groups of units and problems, with what can be fixed."""
    task = preview.tasks[row]
    reading = task.reading
    if reading.due is not None:
        deadline = t.date(reading.due)
        if task.draft.deadline_text:
            deadline += f" ({short(task.draft.deadline_text, 60)})"
    else:
        deadline = short(task.draft.deadline_text or "", 60) or t._("none")
    lines = [bold(task.draft.code), plain(short(task.draft.title, 300)),
             t._("Lead: {unit}", unit=plain(task.lead) if task.lead else t._("none")),
             t._("Deadline: {deadline}", deadline=deadline)]
    for group in task.groups:
        chosen = ", ".join(plain(name) for name in group.units) if group.units else t._("not chosen yet")
        lines.append(t._("Group “{group}” ({role}): {units}", group=plain(short(group.name, 60)),
                         role=role_label(t, group.role), units=chosen))
    if task.flags:
        lines.append(t._("To review: {problems}", problems=problems(t, preview, row)))
    buttons = [[Button(t._("👥 Choose the units for “{group}”", group=short(group.name, 28)),
                       callbacks.encode("import_group", token, row, index))]
               for index, group in enumerate(task.groups)]
    buttons += [
        [Button(t._("🏢 Choose the lead unit"), callbacks.encode("import_units", token, row))],
        [Button(t._("📅 Enter the due date"), callbacks.encode("import_due", token, row))],
        [Button(t._("◀ Back to the rows"), callbacks.encode("import_fix", token)),
         Button(t._("◀ Back to the preview"), callbacks.encode("import_back", token))],
    ]
    return Outgoing("\n".join(lines), buttons=buttons, replace=True)


def _unit_buttons(choices: list[UnitChoice], page: int, make: Callable[[UnitChoice], Button]) -> list[list[Button]]:
    shown = choices[(page - 1) * UNITS_PER_PAGE : page * UNITS_PER_PAGE]
    labels = [make(choice) for choice in shown]
    return [labels[index : index + 2] for index in range(0, len(labels), 2)]


def lead_choices(t: Translator, preview: ImportPreview, choices: list[UnitChoice], *, token: int, row: int,
                 page: int) -> Outgoing:
    """Known units to make the row's only lead, a page at a time."""
    task = preview.tasks[row]
    page, pages = _page_of(choices, page, UNITS_PER_PAGE)
    text = t._("Choose the lead unit for {code}:", code=plain(task.draft.code)) + "\n" + plain(short(task.draft.title, 120))
    if pages > 1:
        text += "\n" + t._("page {page}/{pages}", page=t.number(page), pages=t.number(pages))
    buttons = _unit_buttons(choices, page, lambda choice: Button(
        short(choice.label, 30), callbacks.encode("import_lead", token, row, choice.id)))
    nav = _nav(t, page, pages, "import_units", token, row)
    if nav:
        buttons.append(nav)
    buttons.append([Button(t._("◀ Back"), callbacks.encode("import_row", token, row))])
    return Outgoing(text, buttons=buttons, replace=True)


def group_choices(t: Translator, preview: ImportPreview, choices: list[UnitChoice], chosen: set[int], *, token: int,
                  row: int, group: int, page: int) -> Outgoing:
    """Known units to select for a group of units ("Các phòng, đơn vị có TTHC"), ✅ on those selected."""
    task = preview.tasks[row]
    unit_group = task.groups[group]
    page, pages = _page_of(choices, page, UNITS_PER_PAGE)
    text = t._("Which units does “{group}” mean in {code}? They take the role {role}. Tap a unit to select or "
               "clear it, then ✔ Done.", group=plain(short(unit_group.name, 80)), code=plain(task.draft.code),
               role=role_label(t, unit_group.role))
    text += "\n" + plain(short(task.draft.title, 120))
    if pages > 1:
        text += "\n" + t._("page {page}/{pages}", page=t.number(page), pages=t.number(pages))
    buttons = _unit_buttons(choices, page, lambda choice: Button(
        ("✅ " if choice.id in chosen else "") + short(choice.label, 28),
        callbacks.encode("import_pick", token, row, group, choice.id, page)))
    nav = _nav(t, page, pages, "import_group", token, row, group)
    if nav:
        buttons.append(nav)
    buttons.append([Button(t._("✔ Done"), callbacks.encode("import_back", token)),
                    Button(t._("◀ Back"), callbacks.encode("import_row", token, row))])
    return Outgoing(text, buttons=buttons, replace=True)


def due_prompt(t: Translator, code: str, *, token: int, row: int) -> Outgoing:
    text = t._("Send the due date for {code}, e.g. 30/9/2023 or “Quý III/2023”.", code=plain(code))
    back = [[Button(t._("◀ Back"), callbacks.encode("import_row", token, row))]]
    return Outgoing(text, buttons=back, replace=True)


def due_not_read(t: Translator, code: str) -> Outgoing:
    return Outgoing(t._(
        "I could not read a date from that. Send the due date for {code}, e.g. 30/9/2023, "
        "or tap a button of the preview to leave it as it is.", code=plain(code),
    ))
