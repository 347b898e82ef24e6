"""Extension requests for the chief: /giahan lists the pending ones; buttons approve, reject or set another date.

The chief is also pushed each new request (scheduler/compose.py renders it with `request_message`), and the
requesting officer is told the decision the same way.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot import callbacks
from bot.errors import NotAllowed
from bot.i18n import Translator
from bot.messaging import Button, Outgoing, Response, bold, plain
from bot.services import extensions as decisions
from bot.understanding.dates import find_date, parse_date
from handlers import pending
from handlers.context import Context
from handlers.render import short
from storage import extensions
from storage.models import ExtensionRequest, Member, Role, Task, Unit

WAITING_FOR_DATE = "extension_date"
SEE_ALL = frozenset({Role.CHIEF, Role.ADMIN, Role.LEADERSHIP})


def _unit_name(unit: Unit | None) -> str:
    return plain(unit.short_name or unit.name) if unit else "?"


def request_text(t: Translator, request: ExtensionRequest, task: Task, unit: Unit | None,
                 requester: Member | None) -> str:
    lines = [
        bold(t._("Extension request #{id}", id=request.id)),
        t._("{unit} asks to extend #{task} · {title}", unit=_unit_name(unit), task=task.id, title=short(task.title, 80)),
        t._("Due date in the plan: {date}", date=t.date(task.due)) if task.due else t._("No fixed deadline"),
        t._("Requested: {date}", date=t.date(request.requested_due)) if request.requested_due
        else t._("Requested: no date given"),
    ]
    if request.reason:
        lines.append(t._("Reason: {reason}", reason=plain(request.reason)))
    if requester is not None:
        lines.append(t._("From {name}", name=plain(requester.full_name)))
    return "\n".join(lines)


def request_buttons(t: Translator, request: ExtensionRequest) -> list[list[Button]]:
    first = []
    if request.requested_due:
        first.append(Button(t._("✅ Approve to {date}", date=t.date(request.requested_due)),
                            callbacks.encode("extension_approve", request.id or 0)))
    first.append(Button(t._("❌ Reject"), callbacks.encode("extension_reject", request.id or 0)))
    return [first, [Button(t._("📅 Approve with another date"), callbacks.encode("extension_other_date", request.id or 0))]]


async def request_message(session, t: Translator, request: ExtensionRequest, *, with_buttons: bool) -> Outgoing:  # type: ignore[no-untyped-def]
    task = await session.get(Task, request.task_id)
    unit = await session.get(Unit, request.unit_id)
    requester = await session.get(Member, request.member_id) if request.member_id else None
    text = request_text(t, request, task, unit, requester)
    return Outgoing(text, buttons=request_buttons(t, request) if with_buttons else (), task_id=request.task_id)


def decision_text(t: Translator, request: ExtensionRequest, task: Task) -> str:
    if request.state == "approved" and request.approved_due:
        return t._("Extension for #{task} approved: new due date {new} (in the plan: {old}).", task=task.id,
                   new=t.date(request.approved_due), old=t.date(task.due) if task.due else "—")
    return t._("Extension for #{task} not approved: the due date stays {old}.", task=task.id,
               old=t.date(task.due) if task.due else "—")


async def list_command(ctx: Context, args: str) -> Response:
    member = ctx.registered()
    t = ctx.t
    if member.role not in SEE_ALL and member.role != Role.UNIT_HEAD:
        raise NotAllowed("extension")
    requests = await extensions.pending_requests(ctx.session)
    if member.role == Role.UNIT_HEAD:
        requests = [r for r in requests if r.unit_id == member.unit_id]
    if not requests:
        return Response([Outgoing(t._("No extension requests are waiting for a decision."))])
    buttons = decisions.may_decide(member)
    messages = [Outgoing(bold(t._("Extension requests waiting ({n})", n=t.number(len(requests)))))]
    for request in requests[:10]:
        messages.append(await request_message(ctx.session, t, request, with_buttons=buttons))
    return Response(messages)


async def press(ctx: Context, verb: str, request_id: int) -> Response:
    t = ctx.t
    if verb == "extension_other_date":
        if not decisions.may_decide(ctx.registered()):
            raise NotAllowed("extension")
        await pending.save(ctx, WAITING_FOR_DATE, request=request_id)
        return Response([Outgoing(t._("Type the new due date for request #{id}, e.g. 15/11/2023.", id=request_id))])
    decision = await decisions.decide(ctx.session, member=ctx.registered(), request_id=request_id,
                                      approve=verb == "extension_approve", new_due=None,
                                      at=ctx.incoming.received_at, channel=ctx.channel)
    return Response([Outgoing(decision_text(t, decision.request, decision.task), replace=True)],
                    notice=t._("Decision recorded."))


async def receive_date(ctx: Context) -> Response | None:
    """The date the chief typed after "Approve with another date"; None when the chat is not waiting for one."""
    state = await pending.load(ctx)
    if state is None or state.get("kind") != WAITING_FOR_DATE or not ctx.incoming.text:
        return None
    t = ctx.t
    found = parse_date(ctx.incoming.text, today=ctx.today) or find_date(ctx.incoming.text, today=ctx.today)
    new_due: date | None = found[0] if isinstance(found, tuple) else found
    if new_due is None:
        return Response([Outgoing(t._("I could not read a date in that. Please type it like 15/11/2023."))])
    decision = await decisions.decide(ctx.session, member=ctx.registered(), request_id=int(state["request"]),
                                      approve=True, new_due=new_due, at=ctx.incoming.received_at,
                                      channel=ctx.channel)
    await pending.clear(ctx)
    return Response([Outgoing(decision_text(t, decision.request, decision.task))])


async def pending_for_chiefs(session) -> list[tuple[int, ExtensionRequest]]:  # type: ignore[no-untyped-def]
    """(chief member id, request) for every pending request: the outbox announces each one once per chief."""
    chiefs = (await session.exec(select(Member.id).where(Member.role == Role.CHIEF,
                                                         Member.active.is_(True)))).scalars().all()  # type: ignore[attr-defined]
    return [(chief, request) for request in await extensions.pending_requests(session) for chief in chiefs]
