"""Routes one inbound event to its handler, commits what it wrote once, and maps domain errors to replies.

This is the whole conversation logic as the adapters see it: `handle(deps, incoming) -> Response`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import callbacks
from bot.deps import Deps
from bot.errors import DomainError, EvidenceRejected, InviteProblem, NotAllowed, NotRegistered, TaskNotFound
from bot.i18n import Translator
from bot.logs import bind_update
from bot.messaging import Incoming, Outgoing, Response
from bot.metrics import METRICS
from bot.services.deadlines import office_date
from bot.services.extensions import ExtensionProblem
from handlers import (
    channels,
    digest,
    evidence,
    extensions,
    importing,
    lang,
    reminder_log,
    report,
    snooze,
    start,
    status,
    summary,
    tasks,
    units_view,
)
from handlers.choices import choose_task
from handlers.context import Context
from handlers.pending import PENDING_TTL
from storage import updates
from storage.batching import NeedsTransaction, has_orm_changes, start_deferring
from storage.db import transaction
from storage.members import find_sender

log = logging.getLogger(__name__)

CommandHandler = Callable[[Context, str], Awaitable[Response]]


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]
    handler: CommandHandler
    public: bool = False


COMMANDS: tuple[Command, ...] = (
    Command(("start",), start.start, public=True),
    Command(("help", "huongdan", "giup"), start.help_command, public=True),
    Command(("viec", "tasks"), tasks.list_tasks),
    Command(("quahan", "overdue"), units_view.overdue_command),
    Command(("nv", "task"), tasks.task_command),
    Command(("minhchung", "evidence"), evidence.evidence_command),
    Command(("tonghop", "summary"), summary.summary_command),
    Command(("baocao", "report"), report.report_command),
    Command(("donvi", "unit"), units_view.unit_command),
    Command(("baocaotuan", "digest"), digest.digest_command),
    Command(("lang", "ngonngu"), lang.set_language),
    Command(("nhapkh", "import"), importing.import_command),
    Command(("nhatky", "log"), reminder_log.log_command),
    Command(("giahan", "extensions"), extensions.list_command),
    Command(("lienket", "link"), channels.link_command),
    Command(("kenh", "channel"), channels.channel_command),
)
_BY_NAME = {name: command for command in COMMANDS for name in command.names}


def split_command(text: str) -> tuple[str, str] | None:
    """('viec', 'args') for '/viec args' or '/viec@dondoc_bot args'; None for other text."""
    if not text.startswith("/"):
        return None
    head, _, args = text[1:].partition(" ")
    return head.split("@", 1)[0].lower(), args


async def handle(deps: Deps, incoming: Incoming) -> Response:
    """Everything the bot does for one event (see `_handle`), counted and timed; every line logged while the
    calling task goes on (delivering the reply too) carries the event's channel, update id and member id."""
    bind_update(channel=incoming.channel, update_id=incoming.update_id, member_id=None)
    METRICS.updates.labels(incoming.channel).inc()
    started = time.perf_counter()
    try:
        return await _handle(deps, incoming)
    finally:
        elapsed = time.perf_counter() - started
        METRICS.handling_seconds.labels(incoming.channel).observe(elapsed)
        log.info("%s handled in %.1f ms", _kind(incoming), elapsed * 1000)


def _kind(incoming: Incoming) -> str:
    """What the event was, without its text: a command's name, "text", "button", "file" or "unsupported"."""
    if incoming.unsupported is not None:
        return "unsupported"
    if incoming.attachment is not None:
        return "file"
    if incoming.action is not None:
        return "button"
    command = split_command(incoming.text.strip()) if incoming.text else None
    if command is not None and command[0] in _BY_NAME:
        return f"/{_BY_NAME[command[0]].names[0]}"
    return "text"


async def _handle(deps: Deps, incoming: Incoming) -> Response:
    """Everything the bot does for one event, committed once. Domain errors roll back and become polite replies.

    Most events (status replies, task buttons, lists) only read and then add rows: they run on a read-only
    session and their rows are committed together with other events' by the session factory's `BatchWriter`
    (see storage.batching), before this returns. An event that turns out to write through the ORM is run
    again from the start as one ordinary transaction; files are never fetched twice, because messages with a
    file, and plan-import buttons (which change the in-memory drafts), always run the ordinary way.
    """
    if _may_batch(incoming):
        try:
            return await _handle_batched(deps, incoming)
        except NeedsTransaction:
            log.debug("event from %s:%s writes through the ORM; running it as a transaction",
                      incoming.channel, incoming.sender_id)
            deps.sessions.cache.forget_shared()  # the attempt may have changed a cached member or task object
    async with transaction(deps.sessions) as session:
        ctx = await _context(deps, incoming, session)
        try:
            response = await _dispatch(ctx)
        except DomainError as error:
            await session.rollback()
            response = _refused(ctx, error)
        if incoming.claimed and incoming.update_id is not None:  # done in the same commit as what it recorded
            await updates.mark_done(session, channel=incoming.channel, update_id=incoming.update_id)
        return response


async def _handle_batched(deps: Deps, incoming: Incoming) -> Response:
    async with deps.sessions() as session:
        writes = start_deferring(session)
        ctx = await _context(deps, incoming, session)
        try:
            response = await _dispatch(ctx)
        except DomainError as error:
            writes.clear()  # nothing of a refused event is kept
            response = _refused(ctx, error)
        else:
            if has_orm_changes(session):
                raise NeedsTransaction("ORM objects changed")
    if incoming.claimed and incoming.update_id is not None:  # done in the same commit as what it recorded
        writes.append(updates.done_write(channel=incoming.channel, update_id=incoming.update_id))
    await deps.sessions.writer.commit(writes)  # the read session is closed: its connection is back in the pool
    return response


def _may_batch(incoming: Incoming) -> bool:
    if incoming.attachment is not None:
        return False
    if incoming.action is not None:
        pressed = callbacks.decode(incoming.action)
        return pressed is None or pressed.verb not in callbacks.IMPORT_VERBS
    return True


async def _context(deps: Deps, incoming: Incoming, session: AsyncSession) -> Context:
    sender = await find_sender(
        session, channel=incoming.channel, external_id=incoming.sender_id, chat_id=incoming.chat_id,
        reply_to_message_id=incoming.reply_to_message_id,
    )
    member = sender.member if sender else None
    bind_update(member_id=member.id if member else None)
    hint = incoming.language_hint if incoming.language_hint in ("vi", "en") else None
    locale = (member.locale if member else None) or (hint if member is None else None) or deps.settings.default_locale
    today = office_date(incoming.received_at, deps.settings.zone)
    ctx = Context(deps=deps, session=session, incoming=incoming, member=member, t=Translator(locale), today=today)
    if sender is not None:  # read with the member, in the same query
        ctx.pending = _fresh(sender.pending, incoming)
        ctx.replied_task = sender.replied_task
    return ctx


def _refused(ctx: Context, error: DomainError) -> Response:
    incoming = ctx.incoming
    log.info("refused %s from %s:%s: %r", type(error).__name__, incoming.channel, incoming.sender_id, error)
    return _explain(ctx, error)


def _fresh(pending: dict[str, Any] | None, incoming: Incoming) -> dict[str, Any] | None:
    """The pending state unless it is older than PENDING_TTL (the rule of handlers.pending.load)."""
    if pending is None:
        return None
    at = datetime.fromisoformat(pending.get("at", "1970-01-01T00:00:00+00:00"))
    return None if incoming.received_at - at > PENDING_TTL else pending


async def _dispatch(ctx: Context) -> Response:
    if ctx.member is not None and ctx.member.unreachable_at is not None:
        ctx.member.unreachable_at = None  # they wrote, so the channel works again: reminders resume
    incoming = ctx.incoming
    command = split_command(incoming.text.strip()) if incoming.text and incoming.attachment is None else None
    if command is not None:
        found = _BY_NAME.get(command[0])
        if found is not None and (found.public or ctx.member is not None):
            return await found.handler(ctx, command[1])
    if ctx.member is None:
        raise NotRegistered()
    if incoming.unsupported is not None:
        return await evidence.unsupported(ctx, incoming.unsupported)
    if incoming.action is not None:
        return await _press(ctx, incoming.action)
    if incoming.attachment is not None:
        if await importing.is_plan_document(ctx):  # a chief's plan document that names no task
            return await importing.receive_plan(ctx)
        return await evidence.receive_file(ctx)
    if command is not None:
        return Response([Outgoing(ctx.t._("Unknown command. Send /help to see what I can do."))])
    awaited = await importing.receive_text(ctx)  # the due date of an import row the chief is fixing
    if awaited is None:
        awaited = await extensions.receive_date(ctx)  # the date the chief gives an extension
    if awaited is not None:
        return awaited
    later = snooze.read_snooze(incoming.text or "")  # "nhắc lại mai"
    if later is not None:
        return await snooze.snooze_text(ctx, *later)
    return await status.handle_text(ctx, incoming.text or "")


async def _press(ctx: Context, data: str) -> Response:
    pressed = callbacks.decode(data)
    if pressed is None:
        log.warning("unknown callback data from %s:%s", ctx.channel, ctx.incoming.sender_id)
        return Response(notice=ctx.t._("This button is no longer valid."))
    if pressed.verb in callbacks.IMPORT_VERBS:
        return await importing.press(ctx, pressed)
    if pressed.verb in callbacks.EXTENSION_VERBS:
        return await extensions.press(ctx, pressed.verb, pressed.args[0])
    if pressed.verb in callbacks.SUMMARY_VERBS:
        return await summary.press(ctx, pressed.verb, pressed.args)
    if pressed.verb == "snooze":
        return await snooze.snooze_button(ctx, *pressed.args)
    if pressed.verb == "set_channel":
        return await channels.press(ctx, pressed.args[0])
    if pressed.verb == "page":
        page, overdue = (pressed.args + (1, 0))[:2]
        return await tasks.list_tasks(ctx, page=page, overdue_only=bool(overdue), replace=True)
    task_id = pressed.args[0]
    if pressed.verb == "open_task":
        return await tasks.show_task(ctx, task_id)
    if pressed.verb == "set_status" and pressed.status is not None:
        return await status.status_button(ctx, task_id, pressed.status)
    if pressed.verb == "send_evidence":
        return await evidence.ask_for_file(ctx, task_id)
    if pressed.verb in ("list_evidence", "history"):
        return await evidence.list_evidence(ctx, task_id)
    return await choose_task(ctx, task_id)


def _explain(ctx: Context, error: DomainError) -> Response:
    t = ctx.t
    if isinstance(error, NotRegistered):
        return start.how_to_join(ctx)
    if isinstance(error, NotAllowed) and error.what == "summary":
        text = t._("Sorry, summaries are for the chief of office, leadership and unit heads.")
    elif isinstance(error, NotAllowed) and error.what == "extension":
        text = t._("Sorry, only the chief of office decides extension requests.")
    elif isinstance(error, NotAllowed):
        text = t._("Sorry, you do not have access to this task. You can act only on your unit's tasks.")
    elif isinstance(error, ExtensionProblem):
        text = {
            "unknown": t._("This extension request no longer exists."),
            "decided": t._("This extension request has already been decided."),
            "no_date": t._("The request gives no date. Please use \"Approve with another date\"."),
            "date_not_later": t._("The new due date must be later than the plan's due date."),
        }[error.reason]
    elif isinstance(error, TaskNotFound):
        text = t._("There is no task #{id}. Send /viec to see your tasks.", id=error.task_id)
    elif isinstance(error, InviteProblem):
        text = {
            "unknown": t._("This invite code is not valid. Please check it, or ask the office for a new one."),
            "expired": t._("This invite code has expired. Please ask the office for a new one."),
            "used": t._("This invite code has already been used. Please ask the office for a new one."),
            "already_member": t._("You are already registered. Send /viec to see your tasks."),
            "linked_elsewhere": t._("This account is already registered to another member, so the code cannot "
                                    "link it. Nothing was changed; please contact the office."),
        }[error.reason]
    elif isinstance(error, EvidenceRejected):
        mb = t.number(ctx.deps.settings.evidence_max_bytes // (1024 * 1024))
        text = {
            "too_big": t._("This file is too large: the limit is {mb} MB. Please send a smaller file or a compressed one.", mb=mb),
            "type": t._("This type of file is not accepted. Please send PDF, Word, Excel, PowerPoint, an image or ZIP."),
            "empty": t._("The file is empty. Please send it again."),
            "storage": t._("The file could not be saved right now. Your message was not recorded; please send it again later."),
        }[error.reason]
    else:
        text = t._("Sorry, that could not be done.")
    if ctx.incoming.action is not None:
        return Response(notice=text)
    return Response([Outgoing(text)])
