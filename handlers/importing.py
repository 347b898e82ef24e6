"""Importing a plan from a document sent in chat: a preview, fixes to the rows flagged for review, then 💾 Save.

The chief of office (or an admin) sends the plan's document without naming a task. It is read in a thread, kept
in the file store by content, and previewed; the chat's pending state holds only the file's hash and name, the
fixes made so far (and the plan number a caption gave), and the preview is rebuilt from the stored file at each
step. Nothing is written to the plan tables before 💾 Save; ✖ Cancel forgets the import.

Buttons carry a token taken from the file's hash: a button of an earlier import, of another chat's import or
a forged one finds no matching pending import and is refused. What the chief reads is rendered by
`handlers/import_render.py`; this module is the flow: state, storage, and which step comes next.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.callbacks import Callback
from bot.errors import EvidenceRejected
from bot.importing.deadlines import read_deadline
from bot.importing.draft import DraftPlan, UnreadableDocument
from bot.importing.fixes import apply_fixes, record_fixes, remembered_fixes
from bot.importing.pipeline import read_plan
from bot.importing.preview import ImportPreview, build_preview
from bot.importing.save import MissingPlanNumber, compare, known_units, save_preview
from bot.messaging import AttachmentTooBig, Outgoing, Response, plain
from bot.services.evidence_store import sanitise_file_name
from bot.understanding import read_reply
from bot.understanding.dates import find_date, parse_date
from handlers import import_render as render
from handlers import pending
from handlers.context import Context
from handlers.status import referenced_task
from storage import units
from storage.models import Member, Role

IMPORTABLE = frozenset({".docx", ".xlsx", ".csv", ".txt", ".md", ".pdf"})
MAY_IMPORT = frozenset({Role.CHIEF, Role.ADMIN})
KIND = "import"
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
    if not may_import(ctx.member):
        return Response([Outgoing(render.not_allowed(ctx.t))])
    return Response([Outgoing(render.how_to_import(ctx.t))])


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
        return Response([Outgoing(render.no_plan_number(ctx.t, name))])
    try:
        await ctx.deps.evidence.save(content)
    except OSError as error:
        raise EvidenceRejected("storage") from error
    state: dict[str, Any] = {"member": ctx.member.id, "sha256": sha, "name": name, "overrides": {}}
    if number:
        state["number"] = number
    await _save_state(ctx, state)
    return Response([await _preview(ctx, state, await _build(ctx, state))])


def _caption_number(caption: str | None) -> str | None:
    found = _PLAN_NUMBER.search(caption or "")
    return re.sub(r"\s+", "", found.group(0)) if found else None


def _unreadable(ctx: Context, name: str, reason: str) -> Response:
    return Response([Outgoing(render.unreadable(ctx.t, name, reason))])


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


def _merged(remembered: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A row's fixes: those remembered from earlier imports, overridden field by field by this import's own
    (a group's choice by group)."""
    fix = {**remembered, **overrides}
    if "groups" in remembered or "groups" in overrides:
        fix["groups"] = {**remembered.get("groups", {}), **overrides.get("groups", {})}
    return fix


async def _build(ctx: Context, state: dict[str, Any]) -> _Built:
    """The preview of the stored file with the fixes applied: those saved at earlier imports that still apply,
    then this import's own."""
    draft = await _draft(ctx, state["sha256"], state["name"], state.get("number"))
    preview = build_preview(draft, await known_units(ctx.session))
    remembered = await remembered_fixes(ctx.session, preview)
    overrides: dict[str, dict[str, Any]] = state["overrides"]
    fixes = {code: _merged(remembered.get(code, {}), overrides.get(code, {})) for code in [*remembered, *overrides]}
    apply_fixes(preview, fixes)
    return _Built(preview=preview, kept=len(set(remembered) - set(overrides)))


async def _preview(ctx: Context, state: dict[str, Any], built: _Built, *, note: str | None = None,
                   replace: bool = False) -> Outgoing:
    diff = await compare(ctx.session, built.preview)
    return render.preview_message(ctx.t, built.preview, diff, token=_token(state), kept=built.kept, note=note,
                                  replace=replace)


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


# ----------------------------------------------------------------------------------------------- buttons


async def press(ctx: Context, pressed: Callback) -> Response:
    """Every import button. Refused politely unless the sender may import and the import is theirs and open."""
    t = ctx.t
    if not may_import(ctx.member):
        return Response(notice=render.not_allowed(t))
    state = await _open_import(ctx, pressed.args[0])
    if state is None:
        return Response(notice=render.stale(t))
    try:
        built = await _build(ctx, state)
    except (OSError, UnreadableDocument, MissingPlanNumber):
        await pending.clear(ctx)
        return Response(notice=render.stale(t))
    if state.get("due_for") and pressed.verb != "import_due":
        state["due_for"] = None  # any other button leaves the "send the date" step
        await _save_state(ctx, state)
    verb, args, token, preview = pressed.verb, pressed.args[1:], _token(state), built.preview
    if verb == "import_cancel":
        await pending.clear(ctx)
        return Response([render.cancelled(t)])
    if verb == "import_save":
        return await _save(ctx, state, built)
    if verb == "import_back":
        return Response([await _preview(ctx, state, built, replace=True)])
    if verb == "import_fix":
        return Response([render.fix_list(t, preview, token=token, page=args[0] if args else 1)])
    row = args[0]
    if not 0 <= row < len(preview.tasks):
        return Response(notice=render.stale(t))
    if verb == "import_row":
        return Response([render.row_options(t, preview, token=token, row=row)])
    if verb == "import_units":
        choices = await _unit_choices(ctx, preview)
        if not choices:
            return Response([render.row_options(t, preview, token=token, row=row)])
        page = args[1] if len(args) > 1 else 1
        return Response([render.lead_choices(t, preview, choices, token=token, row=row, page=page)])
    if verb == "import_lead":
        return await _set_lead(ctx, state, built, row, unit_id=args[1])
    if verb == "import_due":
        return await _ask_due(ctx, state, built, row)
    if verb in ("import_group", "import_pick"):
        if not 0 <= args[1] < len(preview.tasks[row].groups):
            return Response(notice=render.stale(t))
        if verb == "import_pick":
            return await _toggle_group_unit(ctx, state, built, row, args[1], unit_id=args[2], page=args[3])
        return await _group_choices(ctx, state, built, row, args[1], page=args[2] if len(args) > 2 else 1)
    return Response(notice=render.stale(t))


async def _unit_choices(ctx: Context, preview: ImportPreview) -> list[render.UnitChoice]:
    """The known units (those the preview can assign), in the office's order."""
    known = set(preview.unit_ids.values())
    return [render.UnitChoice(id=unit.id, label=unit.short_name or unit.name)
            for unit in await units.list_units(ctx.session) if unit.id is not None and unit.id in known]


async def _save(ctx: Context, state: dict[str, Any], built: _Built) -> Response:
    member = ctx.registered()
    preview = built.preview
    if (await compare(ctx.session, preview)).nothing_to_do:
        await pending.clear(ctx)
        return Response([render.nothing_to_save(ctx.t, preview.plan.number or "")])
    actor = f"{ctx.channel}:member:{member.id}"
    diff = await save_preview(ctx.session, preview, actor=actor, now=ctx.incoming.received_at)
    await record_fixes(ctx.session, preview, state["overrides"], actor=actor, member_id=member.id)
    await pending.clear(ctx)
    return Response([render.saved(ctx.t, preview, diff)], notice=ctx.t._("Saved."))


async def _set_lead(ctx: Context, state: dict[str, Any], built: _Built, row: int, *, unit_id: int) -> Response:
    names = {value: name for name, value in built.preview.unit_ids.items()}
    if unit_id not in names:
        return Response(notice=render.stale(ctx.t))
    code = built.preview.tasks[row].draft.code
    state["overrides"].setdefault(code, {})["lead"] = unit_id
    await _save_state(ctx, state)
    rebuilt = await _build(ctx, state)
    note = ctx.t._("Lead unit of {code} set to {unit}.", code=plain(code), unit=plain(names[unit_id]))
    return Response([await _preview(ctx, state, rebuilt, note=note, replace=True)], notice=note)


def _chosen(state: dict[str, Any], code: str, group_name: str) -> list[int]:
    ids = state["overrides"].get(code, {}).get("groups", {}).get(group_name, [])
    return [unit_id for unit_id in ids if isinstance(unit_id, int)] if isinstance(ids, list) else []


async def _group_choices(ctx: Context, state: dict[str, Any], built: _Built, row: int, group: int, *,
                         page: int) -> Response:
    """The known units to select for a group of units, those chosen so far (here or at an earlier import) ✅."""
    preview = built.preview
    choices = await _unit_choices(ctx, preview)
    if not choices:
        return Response([render.row_options(ctx.t, preview, token=_token(state), row=row)])
    unit_group = preview.tasks[row].groups[group]
    chosen = {preview.unit_ids[name] for name in unit_group.units if name in preview.unit_ids}
    return Response([render.group_choices(ctx.t, preview, choices, chosen, token=_token(state), row=row,
                                          group=group, page=page)])


async def _toggle_group_unit(ctx: Context, state: dict[str, Any], built: _Built, row: int, group: int, *,
                             unit_id: int, page: int) -> Response:
    """Selects or clears one unit of a group; the choice counts at once (✔ Done only goes back to the preview)."""
    preview = built.preview
    if unit_id not in set(preview.unit_ids.values()):
        return Response(notice=render.stale(ctx.t))
    task = preview.tasks[row]
    unit_group = task.groups[group]
    current = [preview.unit_ids[name] for name in unit_group.units if name in preview.unit_ids]
    chosen = [other for other in current if other != unit_id] if unit_id in current else [*current, unit_id]
    fix = state["overrides"].setdefault(task.draft.code, {})
    fix.setdefault("groups", {})[unit_group.name] = chosen
    await _save_state(ctx, state)
    rebuilt = await _build(ctx, state)
    return await _group_choices(ctx, state, rebuilt, row, group, page=page)


async def _ask_due(ctx: Context, state: dict[str, Any], built: _Built, row: int) -> Response:
    code = built.preview.tasks[row].draft.code
    state["due_for"] = code
    await _save_state(ctx, state)
    return Response([render.due_prompt(ctx.t, code, token=_token(state), row=row)])


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
        return Response([Outgoing(render.stale(t))])
    code = str(state["due_for"])
    if code not in {task.draft.code for task in built.preview.tasks}:
        state["due_for"] = None
        await _save_state(ctx, state)
        return None
    due = read_due(ctx.incoming.text, plan_year=built.preview.plan.year, today=ctx.today)
    if due is None:
        return Response([render.due_not_read(t, code)])
    state["overrides"].setdefault(code, {})["due"] = due.isoformat()
    state["due_for"] = None
    await _save_state(ctx, state)
    rebuilt = await _build(ctx, state)
    note = t._("Due date of {code} set to {date}.", code=plain(code), date=t.date(due))
    return Response([await _preview(ctx, state, rebuilt, note=note)])
