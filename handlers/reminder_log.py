"""/nhatky [unit]: the đôn đốc log in chat — the latest reminders and escalations, delivered or not, answered or not.

The chief of office and leadership see every unit (or one they name); a unit head sees their own unit.
"""

from __future__ import annotations

from bot import admin
from bot.errors import NotAllowed
from bot.messaging import Outgoing, Response, bold, plain
from bot.services import access
from handlers.context import Context
from storage.reminder_log import log_entries
from storage.units import get_unit

SHOWN = 12


async def log_command(ctx: Context, args: str) -> Response:
    t = ctx.t
    member = ctx.registered()
    scope = access.summary_scope(member)
    unit_id = scope
    if args.strip():
        try:
            unit = await admin.resolve_unit(ctx.session, args.strip())
        except admin.AdminError:
            return Response([Outgoing(t._("I do not know a unit called \"{name}\". Send /nhatky to see all units.",
                                          name=plain(args.strip())))])
        if scope is not None and unit.id != scope:
            raise NotAllowed("summary")
        unit_id = unit.id
    entries = await log_entries(ctx.session, unit_id=unit_id, limit=SHOWN)
    title = t._("Follow-up log")
    if unit_id is not None:
        unit = await get_unit(ctx.session, unit_id=unit_id)
        title = t._("Follow-up log: {unit}", unit=plain(unit.short_name or unit.name) if unit else "?")
    if not entries:
        return Response([Outgoing(bold(title) + "\n\n" + t._("No reminders have been sent yet."))])
    kinds = {
        "before": t._("coming up"), "due": t._("due today"), "overdue": t._("overdue"),
        "escalation": t._("escalation"), "period": t._("periodic update"), "snooze": t._("snoozed reminder"),
    }
    lines = []
    for entry in entries:
        when = t.date(entry.day)
        what = ", ".join(kinds.get(kind, kind) for kind in entry.kinds)
        tasks = ", ".join(f"#{task}" for task in entry.tasks)
        delivered = t._("delivered") if entry.delivered else t._("not delivered")
        replied = t._("answered") if entry.replied else t._("no answer yet")
        lines.append(f"• {when} · {plain(entry.unit)} · {plain(entry.member)}\n   {what} {tasks} · {delivered} · {replied}")
    return Response([Outgoing(bold(title) + "\n\n" + "\n".join(lines))])
