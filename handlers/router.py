"""Routes one inbound event to its handler inside one database transaction, and maps domain errors to replies.

This is the whole conversation logic as the adapters see it: `handle(deps, incoming) -> Response`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import callbacks
from bot.deps import Deps
from bot.errors import DomainError, EvidenceRejected, InviteProblem, NotAllowed, NotRegistered, TaskNotFound
from bot.i18n import Translator
from bot.messaging import Incoming, Outgoing, Response
from bot.services.deadlines import office_date
from handlers import evidence, importing, lang, start, status, summary, tasks
from handlers.choices import choose_task
from handlers.context import Context
from storage.db import transaction
from storage.members import find_member_by_account

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
    Command(("quahan", "overdue"), tasks.list_overdue),
    Command(("nv", "task"), tasks.task_command),
    Command(("minhchung", "evidence"), evidence.evidence_command),
    Command(("tonghop", "summary"), summary.summary_command),
    Command(("lang", "ngonngu"), lang.set_language),
    Command(("nhapkh", "import"), importing.import_command),
)
_BY_NAME = {name: command for command in COMMANDS for name in command.names}


def split_command(text: str) -> tuple[str, str] | None:
    """('viec', 'args') for '/viec args' or '/viec@dondoc_bot args'; None for other text."""
    if not text.startswith("/"):
        return None
    head, _, args = text[1:].partition(" ")
    return head.split("@", 1)[0].lower(), args


async def handle(deps: Deps, incoming: Incoming) -> Response:
    """Everything the bot does for one event, committed once. Domain errors roll back and become polite replies."""
    async with transaction(deps.sessions) as session:
        member = await find_member_by_account(session, channel=incoming.channel, external_id=incoming.sender_id)
        hint = incoming.language_hint if incoming.language_hint in ("vi", "en") else None
        locale = (member.locale if member else None) or (hint if member is None else None) or deps.settings.default_locale
        today = office_date(incoming.received_at, deps.settings.zone)
        ctx = Context(deps=deps, session=session, incoming=incoming, member=member, t=Translator(locale), today=today)
        try:
            return await _dispatch(ctx)
        except DomainError as error:
            await session.rollback()
            log.info("refused %s from %s:%s: %r", type(error).__name__, incoming.channel, incoming.sender_id, error)
            return _explain(ctx, error)


async def _dispatch(ctx: Context) -> Response:
    incoming = ctx.incoming
    command = split_command(incoming.text.strip()) if incoming.text and incoming.attachment is None else None
    if command is not None:
        found = _BY_NAME.get(command[0])
        if found is not None and (found.public or ctx.member is not None):
            return await found.handler(ctx, command[1])
    if ctx.member is None:
        raise NotRegistered()
    if incoming.action is not None:
        return await _press(ctx, incoming.action)
    if incoming.attachment is not None:
        if await importing.is_plan_document(ctx):  # a chief's plan document that names no task
            return await importing.receive_plan(ctx)
        return await evidence.receive_file(ctx)
    if command is not None:
        return Response([Outgoing(ctx.t._("Unknown command. Send /help to see what I can do."))])
    awaited = await importing.receive_text(ctx)  # the due date of an import row the chief is fixing
    if awaited is not None:
        return awaited
    return await status.handle_text(ctx, incoming.text or "")


async def _press(ctx: Context, data: str) -> Response:
    pressed = callbacks.decode(data)
    if pressed is None:
        log.warning("unknown callback data from %s:%s", ctx.channel, ctx.incoming.sender_id)
        return Response(notice=ctx.t._("This button is no longer valid."))
    if pressed.verb in callbacks.IMPORT_VERBS:
        return await importing.press(ctx, pressed)
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
    elif isinstance(error, NotAllowed):
        text = t._("Sorry, you do not have access to this task. You can act only on your unit's tasks.")
    elif isinstance(error, TaskNotFound):
        text = t._("There is no task #{id}. Send /viec to see your tasks.", id=error.task_id)
    elif isinstance(error, InviteProblem):
        text = {
            "unknown": t._("This invite code is not valid. Please check it, or ask the office for a new one."),
            "expired": t._("This invite code has expired. Please ask the office for a new one."),
            "used": t._("This invite code has already been used. Please ask the office for a new one."),
            "already_member": t._("You are already registered. Send /viec to see your tasks."),
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
