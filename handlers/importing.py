"""Importing a plan from a document sent in chat: a preview, fixes to the rows flagged for review, then 💾 Save.

The chief of office (or an admin) sends the plan's document without naming a task. It is read in a thread, kept
in the file store by content, and previewed; the chat's pending state holds only the file's hash and name, the
fixes made so far (and the plan number a caption gave), and the preview is rebuilt from the stored file at each
step. Nothing is written to the plan tables before 💾 Save; ✖ Cancel forgets the import.

Buttons carry a token taken from the file's hash: a button of an earlier import, of another chat's import or
a forged one finds no matching pending import and is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot import callbacks
from bot.callbacks import Callback
from bot.errors import EvidenceRejected
from bot.importing.deadlines import read_deadline
from bot.importing.draft import DraftPlan, UnreadableDocument
from bot.importing.fixes import apply_fixes, record_fixes, remembered_fixes, unknown_units
from bot.importing.pipeline import read_plan
from bot.importing.preview import (
    DEADLINE_NOT_UNDERSTOOD,
    NO_DEADLINE,
    NO_LEAD,
    UNKNOWN_UNIT,
    ImportPreview,
    build_preview,
)
from bot.importing.save import MissingPlanNumber, PlanDiff, compare, known_units, save_preview
from bot.messaging import AttachmentTooBig, Button, Outgoing, Response, bold, plain
from bot.services.evidence_store import sanitise_file_name
from bot.understanding import read_reply
from bot.understanding.dates import find_date, parse_date
from handlers import pending
from handlers.context import Context
from handlers.render import short
from handlers.status import referenced_task
from storage import units
from storage.models import Member, Role

IMPORTABLE = frozenset({".docx", ".xlsx", ".csv", ".txt", ".md", ".pdf"})
MAY_IMPORT = frozenset({Role.CHIEF, Role.ADMIN})
KIND = "import"
SHOWN = 10  # flagged rows, new units and codes of each diff list shown in the preview
TOP_UNITS = 5
ROWS_PER_PAGE = 8
UNITS_PER_PAGE = 10
MAX_TEXT = 4000  # Telegram's limit is 4096 characters; the preview stays one message so its buttons can edit it
_PLAN_NUMBER = re.compile(r"\d{1,6}\s*/\s*[A-ZĐ][\w.-]*")



def may_import(member: Member | None) -> bool:
    return member is not None and member.role in MAY_IMPORT


async def is_plan_document(ctx: Context) -> bool:
    """A document from the chief or an admin, of an importable format, that names no task: no "#12" caption, not a
    reply to a message about a task, not right after "📎 Send evidence". Everything else is evidence."""
    attachment = ctx.incoming.attachment
    if attachment is None or attachment.kind != "document" or not may_import(ctx.member):
        return False
    if Path(attachment.file_name or "").suffix.lower() not in IMPORTABLE:
        return False
    caption_task = read_reply(ctx.incoming.text, today=ctx.today).task if ctx.incoming.text else None
    named = await referenced_task(ctx, caption_task, await pending.load(ctx), kinds=("evidence",))
    return named is None


async def import_command(ctx: Context, args: str) -> Response:
    t = ctx.t
    if not may_import(ctx.member):
        return Response([Outgoing(_not_allowed(ctx))])
    text = "\n".join([
        bold(t._("Import a plan")),
        t._("Send the plan's document here (.docx, .xlsx, .csv, .txt, .md or .pdf), without a caption."),
        t._("If the document does not show the plan's number, add it as the caption, e.g. 435/KH-SVHTT."),
        t._("You will see a preview first: the tasks, the units, the rows to review. "
            "Nothing is saved until you press 💾 Save."),
        t._("Importing a revised version of a plan already loaded shows what is added, changed and removed."),
    ])
    return Response([Outgoing(text)])


# ----------------------------------------------------------------------------------------------- receiving


async def receive_plan(ctx: Context) -> Response:
    """Reads the document and shows its preview; nothing is saved but the file and the chat's pending import."""
    attachment = ctx.incoming.attachment
    assert attachment is not None and ctx.member is not None
    name = sanitise_file_name(attachment.file_name, fallback="plan.docx")
    limit = ctx.deps.settings.evidence_max_bytes
    if attachment.size is not None and attachment.size > limit:
        return _unreadable(ctx, name, "too_big")
    try:
        content = await attachment.fetch()
    except AttachmentTooBig:
        return _unreadable(ctx, name, "too_big")
    if not content:
        return _unreadable(ctx, name, "empty")
    if len(content) > limit:
        return _unreadable(ctx, name, "too_big")
    number = _caption_number(ctx.incoming.text)
    sha = hashlib.sha256(content).hexdigest()
    try:
        draft = await _draft(ctx, sha, name, number, content=content)
    except UnreadableDocument as error:
        return _unreadable(ctx, name, error.reason)
    if not draft.number:
        return Response([Outgoing(ctx.t._(
            "The document {name} does not show the plan's number. Send it again with the number as its caption, "
            "e.g. 435/KH-SVHTT.", name=plain(name),
        ))])
    try:
        await ctx.deps.evidence.save(content)
    except OSError as error:
        raise EvidenceRejected("storage") from error
    state: dict[str, Any] = {"member": ctx.member.id, "sha256": sha, "name": name, "overrides": {}}
    if number:
        state["number"] = number
    await _save_state(ctx, state)
    built = await _build(ctx, state)
    return Response([await _preview_message(ctx, state, built)])


def _caption_number(caption: str | None) -> str | None:
    found = _PLAN_NUMBER.search(caption or "")
    return re.sub(r"\s+", "", found.group(0)) if found else None


def _unreadable(ctx: Context, name: str, reason: str) -> Response:
    t = ctx.t
    reasons = {
        "empty": t._("the document is empty."),
        "no_tasks": t._("no task table or task list was found in it."),
        "corrupt": t._("the file is damaged or not the format its name says."),
        "too_big": t._("the file is too large."),
        "encrypted": t._("the file is password-protected; please send an unprotected copy."),
        "scanned": t._("it is a scanned document with no text; please send a Word or text version."),
        "format": t._("this type of file is not supported (use .docx, .xlsx, .csv, .txt, .md or .pdf)."),
    }
    said = reasons.get(reason, t._("the document could not be read."))
    lines = [
        t._("Cannot import {name} as a plan: {reason}", name=plain(name), reason=said),
        t._("Nothing was saved."),
        t._("If this file is evidence for a task, send it again with the task number as its caption, e.g. #12."),
    ]
    return Response([Outgoing("\n".join(lines))])


# ----------------------------------------------------------------------------------------------- the preview


@dataclass
class _Built:
    preview: ImportPreview
    kept: int  # rows fixed by hand at an earlier import whose fix still applies


async def _draft(ctx: Context, sha: str, name: str, number: str | None, *, content: bytes | None = None) -> DraftPlan:
    key = (sha, Path(name).suffix.lower(), number)
    draft = ctx.deps.drafts.get(key)
    if draft is None:
        if content is None:
            content = await asyncio.to_thread(ctx.deps.evidence.path_for(sha).read_bytes)
        draft = ctx.deps.drafts.put(key, await asyncio.to_thread(read_plan, content, name, plan_number=number))
    return draft


async def _build(ctx: Context, state: dict[str, Any]) -> _Built:
    """The preview of the stored file with the fixes applied: those saved at earlier imports that still apply,
    then this import's own."""
    draft = await _draft(ctx, state["sha256"], state["name"], state.get("number"))
    preview = build_preview(draft, await known_units(ctx.session))
    remembered = await remembered_fixes(ctx.session, preview)
    overrides: dict[str, dict[str, Any]] = state["overrides"]
    fixes = {code: {**remembered.get(code, {}), **overrides.get(code, {})} for code in [*remembered, *overrides]}
    apply_fixes(preview, fixes)
    return _Built(preview=preview, kept=len(set(remembered) - set(overrides)))


def _problems(ctx: Context, preview: ImportPreview, index: int) -> str:
    t = ctx.t
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
        else:
            said.append(t._("to check"))
    return "; ".join(dict.fromkeys(said))


def _codes(codes: list[str]) -> str:
    shown = ", ".join(plain(code) for code in codes[:SHOWN])
    return shown + (", …" if len(codes) > SHOWN else "")


def _diff_lines(ctx: Context, diff: PlanDiff) -> list[str]:
    t = ctx.t
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


async def _preview_message(ctx: Context, state: dict[str, Any], built: _Built, *, note: str | None = None,
                           replace: bool = False) -> Outgoing:
    t = ctx.t
    preview = built.preview
    plan = preview.plan
    diff = await compare(ctx.session, preview)
    token = _token(state)
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
        lines = [bold(t._("New units to be created ({n})", n=t.number(len(preview.new_units))))]
        lines += [f"+ {short(name, 60)}" for name in preview.new_units[:SHOWN]]
        if len(preview.new_units) > SHOWN:
            more = len(preview.new_units) - SHOWN
            lines.append(t.ngettext("… and {n} more unit", "… and {n} more units", more))
        sections.append(lines)
    flagged = [index for index, task in enumerate(preview.tasks) if task.flags]
    if flagged:
        lines = [bold(t._("Rows to review ({n})", n=t.number(len(flagged))))]
        for index in flagged[:SHOWN]:
            task = preview.tasks[index]
            lines.append(f"• {plain(task.draft.code)} · {short(task.draft.title, 50)} — {_problems(ctx, preview, index)}")
        if len(flagged) > SHOWN:
            more = len(flagged) - SHOWN
            lines.append(t.ngettext("… and {n} more row", "… and {n} more rows", more))
        sections.append(lines)
    if built.kept:
        sections.append([t.ngettext(
            "{n} row keeps the lead unit or due date set by hand at an earlier import.",
            "{n} rows keep the lead unit or due date set by hand at an earlier import.", built.kept,
        )])
    sections.append(_diff_lines(ctx, diff))
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


# ----------------------------------------------------------------------------------------------- state


def _token(state: dict[str, Any]) -> int:
    return int(str(state["sha256"])[:8], 16)


async def _save_state(ctx: Context, state: dict[str, Any]) -> None:
    await pending.save(ctx, KIND, **{key: value for key, value in state.items() if key not in ("kind", "at")})


async def _open_import(ctx: Context, token: int | None) -> dict[str, Any] | None:
    """The chat's pending import if it is the sender's (and, for a button, the one the button was made for)."""
    state = await pending.load(ctx)
    if state is None or state.get("kind") != KIND or ctx.member is None or state.get("member") != ctx.member.id:
        return None
    if not isinstance(state.get("sha256"), str) or not isinstance(state.get("overrides"), dict):
        return None
    if token is not None and _token(state) != token:
        return None
    return state


def _not_allowed(ctx: Context) -> str:
    return ctx.t._("Sorry, only the chief of office or an administrator can import plans.")


def _stale(ctx: Context) -> str:
    return ctx.t._("This import is no longer open. Send the plan document again.")


# ----------------------------------------------------------------------------------------------- buttons


async def press(ctx: Context, pressed: Callback) -> Response:
    """Every import button. Refused politely unless the sender may import and the import is theirs and open."""
    if not may_import(ctx.member):
        return Response(notice=_not_allowed(ctx))
    state = await _open_import(ctx, pressed.args[0])
    if state is None:
        return Response(notice=_stale(ctx))
    try:
        built = await _build(ctx, state)
    except (OSError, UnreadableDocument, MissingPlanNumber):
        await pending.clear(ctx)
        return Response(notice=_stale(ctx))
    if state.get("due_for") and pressed.verb != "import_due":
        state["due_for"] = None  # any other button leaves the "send the date" step
        await _save_state(ctx, state)
    verb, args = pressed.verb, pressed.args[1:]
    if verb == "import_cancel":
        await pending.clear(ctx)
        return Response([Outgoing(ctx.t._("Import cancelled. Nothing was saved."), replace=True)])
    if verb == "import_save":
        return await _save(ctx, state, built)
    if verb == "import_back":
        return Response([await _preview_message(ctx, state, built, replace=True)])
    if verb == "import_fix":
        return _fix_list(ctx, state, built, page=args[0] if args else 1)
    row = args[0]
    if not 0 <= row < len(built.preview.tasks):
        return Response(notice=_stale(ctx))
    if verb == "import_row":
        return _row_options(ctx, state, built, row)
    if verb == "import_units":
        return await _unit_choices(ctx, state, built, row, page=args[1] if len(args) > 1 else 1)
    if verb == "import_lead":
        return await _set_lead(ctx, state, built, row, unit_id=args[1])
    if verb == "import_due":
        return await _ask_due(ctx, state, built, row)
    return Response(notice=_stale(ctx))


async def _save(ctx: Context, state: dict[str, Any], built: _Built) -> Response:
    t = ctx.t
    member = ctx.registered()
    preview = built.preview
    if (await compare(ctx.session, preview)).nothing_to_do:
        await pending.clear(ctx)
        return Response([Outgoing(t._("Nothing to save: plan {number} is already loaded as it is.",
                                      number=plain(preview.plan.number or "")), replace=True)])
    actor = f"{ctx.channel}:member:{member.id}"
    diff = await save_preview(ctx.session, preview, actor=actor, now=ctx.incoming.received_at)
    await record_fixes(ctx.session, preview, state["overrides"], actor=actor, member_id=member.id)
    await pending.clear(ctx)
    lines = [
        bold(t._("Plan {number} saved.", number=preview.plan.number or "")),
        t.ngettext("{n} task in the plan.", "{n} tasks in the plan.", len(preview.tasks)),
        t._("{added} added, {changed} changed, {removed} removed.", added=t.number(len(diff.added)),
            changed=t.number(len(diff.changed)), removed=t.number(len(diff.removed))),
    ]
    if preview.new_units:
        lines.append(t.ngettext("{n} new unit created.", "{n} new units created.", len(preview.new_units)))
    lines.append(t._("Send /tonghop for the plan's summary."))
    return Response([Outgoing("\n".join(lines), replace=True)], notice=t._("Saved."))


def _nav(ctx: Context, page: int, pages: int, verb: str, *args: int) -> list[Button]:
    nav: list[Button] = []
    if page > 1:
        nav.append(Button(ctx.t._("◀ Previous"), callbacks.encode(verb, *args, page - 1)))
    if page < pages:
        nav.append(Button(ctx.t._("Next ▶"), callbacks.encode(verb, *args, page + 1)))
    return nav


def _fix_list(ctx: Context, state: dict[str, Any], built: _Built, *, page: int) -> Response:
    t = ctx.t
    token = _token(state)
    tasks = built.preview.tasks
    flagged = [index for index, task in enumerate(tasks) if task.flags]
    back = [Button(t._("◀ Back to the preview"), callbacks.encode("import_back", token))]
    if not flagged:
        return Response([Outgoing(t._("No rows left to review."), buttons=[back], replace=True)])
    pages = (len(flagged) + ROWS_PER_PAGE - 1) // ROWS_PER_PAGE
    page = min(max(page, 1), pages)
    shown = flagged[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE]
    text = t._("Rows to review ({n}). Tap one to set its lead unit or its due date.", n=t.number(len(flagged)))
    if pages > 1:
        text += "  " + t._("page {page}/{pages}", page=t.number(page), pages=t.number(pages))
    text += "\n\n" + "\n".join(
        f"• {plain(tasks[index].draft.code)} · {short(tasks[index].draft.title, 50)} — {_problems(ctx, built.preview, index)}"
        for index in shown
    )
    buttons = [
        [Button(f"{short(tasks[index].draft.code, 12)} · {short(tasks[index].draft.title, 30)}",
                callbacks.encode("import_row", token, index))]
        for index in shown
    ]
    nav = _nav(ctx, page, pages, "import_fix", token)
    if nav:
        buttons.append(nav)
    buttons.append(back)
    return Response([Outgoing(text, buttons=buttons, replace=True)])


def _row_options(ctx: Context, state: dict[str, Any], built: _Built, row: int, *, replace: bool = True) -> Response:
    t = ctx.t
    token = _token(state)
    task = built.preview.tasks[row]
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
    if task.flags:
        lines.append(t._("To review: {problems}", problems=_problems(ctx, built.preview, row)))
    buttons = [
        [Button(t._("🏢 Choose the lead unit"), callbacks.encode("import_units", token, row))],
        [Button(t._("📅 Enter the due date"), callbacks.encode("import_due", token, row))],
        [Button(t._("◀ Back to the rows"), callbacks.encode("import_fix", token)),
         Button(t._("◀ Back to the preview"), callbacks.encode("import_back", token))],
    ]
    return Response([Outgoing("\n".join(lines), buttons=buttons, replace=replace)])


async def _unit_choices(ctx: Context, state: dict[str, Any], built: _Built, row: int, *, page: int) -> Response:
    t = ctx.t
    token = _token(state)
    known = set(built.preview.unit_ids.values())
    choices = [unit for unit in await units.list_units(ctx.session) if unit.id in known]
    task = built.preview.tasks[row]
    if not choices:
        return _row_options(ctx, state, built, row)
    pages = (len(choices) + UNITS_PER_PAGE - 1) // UNITS_PER_PAGE
    page = min(max(page, 1), pages)
    shown = choices[(page - 1) * UNITS_PER_PAGE : page * UNITS_PER_PAGE]
    text = t._("Choose the lead unit for {code}:", code=plain(task.draft.code)) + "\n" + plain(short(task.draft.title, 120))
    if pages > 1:
        text += "\n" + t._("page {page}/{pages}", page=t.number(page), pages=t.number(pages))
    labels = [Button(short(unit.short_name or unit.name, 30), callbacks.encode("import_lead", token, row, unit.id or 0))
              for unit in shown]
    buttons = [labels[index : index + 2] for index in range(0, len(labels), 2)]
    nav = _nav(ctx, page, pages, "import_units", token, row)
    if nav:
        buttons.append(nav)
    buttons.append([Button(t._("◀ Back"), callbacks.encode("import_row", token, row))])
    return Response([Outgoing(text, buttons=buttons, replace=True)])


async def _set_lead(ctx: Context, state: dict[str, Any], built: _Built, row: int, *, unit_id: int) -> Response:
    names = {value: name for name, value in built.preview.unit_ids.items()}
    if unit_id not in names:
        return Response(notice=_stale(ctx))
    code = built.preview.tasks[row].draft.code
    state["overrides"].setdefault(code, {})["lead"] = unit_id
    await _save_state(ctx, state)
    rebuilt = await _build(ctx, state)
    note = ctx.t._("Lead unit of {code} set to {unit}.", code=plain(code), unit=plain(names[unit_id]))
    return Response([await _preview_message(ctx, state, rebuilt, note=note, replace=True)], notice=note)


async def _ask_due(ctx: Context, state: dict[str, Any], built: _Built, row: int) -> Response:
    t = ctx.t
    code = built.preview.tasks[row].draft.code
    state["due_for"] = code
    await _save_state(ctx, state)
    text = t._("Send the due date for {code}, e.g. 30/9/2023 or “Quý III/2023”.", code=plain(code))
    back = [[Button(t._("◀ Back"), callbacks.encode("import_row", _token(state), row))]]
    return Response([Outgoing(text, buttons=back, replace=True)])


# ----------------------------------------------------------------------------------------------- the due date


def read_due(text: str, *, plan_year: int | None, today: date) -> date | None:
    """A due date typed by the chief: a deadline phrase as plans write them (years default to the plan's), else a
    date as replies write them."""
    reading = read_deadline(text, plan_year=plan_year)
    if reading.understood and reading.due is not None:
        return reading.due
    found = parse_date(text, today=today) or find_date(text, today=today)
    if isinstance(found, tuple):
        return found[0]
    return found


async def receive_text(ctx: Context) -> Response | None:
    """The due date of the row being fixed, when the chat is waiting for one; None for any other text."""
    if not may_import(ctx.member) or not ctx.incoming.text:
        return None
    state = await _open_import(ctx, None)
    if state is None or not state.get("due_for"):
        return None
    t = ctx.t
    try:
        built = await _build(ctx, state)
    except (OSError, UnreadableDocument, MissingPlanNumber):
        await pending.clear(ctx)
        return Response([Outgoing(_stale(ctx))])
    code = str(state["due_for"])
    if code not in {task.draft.code for task in built.preview.tasks}:
        state["due_for"] = None
        await _save_state(ctx, state)
        return None
    due = read_due(ctx.incoming.text, plan_year=built.preview.plan.year, today=ctx.today)
    if due is None:
        return Response([Outgoing(t._(
            "I could not read a date from that. Send the due date for {code}, e.g. 30/9/2023, "
            "or tap a button of the preview to leave it as it is.", code=plain(code),
        ))])
    state["overrides"].setdefault(code, {})["due"] = due.isoformat()
    state["due_for"] = None
    await _save_state(ctx, state)
    rebuilt = await _build(ctx, state)
    note = t._("Due date of {code} set to {date}.", code=plain(code), date=t.date(due))
    return Response([await _preview_message(ctx, state, rebuilt, note=note)])
