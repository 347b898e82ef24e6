"""/donvi <name>: one unit's tasks on the current plan, by category, with days late; and /quahan for those who see
every unit (the overdue tasks across units). Officers keep their own /quahan (handlers/tasks.py)."""

from __future__ import annotations

from collections import Counter

from bot import callbacks
from bot.errors import NotAllowed
from bot.messaging import Button, Outgoing, Response, bold, plain
from bot.services import access
from bot.services.plan_status import Category, LateRule
from bot.services.summary import tasks_by_id, unit_rows
from handlers.context import Context
from handlers.render import role_label, short
from handlers.summary import (
    LIST_LIMIT,
    _no_plan,
    _plan,
    category_labels,
    category_lines,
    overdue_text,
    state_line,
)
from storage import plans, units
from storage.models import Plan, Role

CHOICES = 10  # buttons offered when a name matches several units
SECTIONS = (Category.OPEN_OVERDUE, Category.PERIOD_PENDING, Category.OPEN_ON_TIME, Category.NO_DEADLINE,
            Category.DONE_LATE, Category.PERIOD_REPORTED, Category.DONE_ON_TIME)


async def unit_command(ctx: Context, args: str) -> Response:
    """/donvi TCPC — loosely matched (short name, alias, part of the name); several matches offer a choice."""
    member = ctx.registered()
    scope = access.summary_scope(member)
    t = ctx.t
    name = args.strip()
    plan = await plans.current_plan(ctx.session)
    if plan is None:
        return _no_plan(ctx, "")
    if not name:
        if scope is not None:  # a unit head: their own unit
            return await show_unit(ctx, plan, scope)
        return Response([Outgoing(t._("Usage: /donvi TCPC (a unit's name or short name)"))])
    found = await units.find_units(ctx.session, text=name)
    if name.isdigit() and not found:
        unit = await units.get_unit(ctx.session, unit_id=int(name))
        found = [unit] if unit else []
    if scope is not None:
        found = [unit for unit in found if unit.id == scope] or found
    if not found:
        return Response([Outgoing(t._("No unit matches “{name}”.", name=plain(name)))])
    if len(found) == 1:
        return await show_unit(ctx, plan, found[0].id or 0)
    buttons = [[Button(short(unit.short_name or unit.name, 40), callbacks.encode("summary_unit", plan.id or 0, unit.id or 0))]
               for unit in found[:CHOICES]]
    text = t._("Several units match “{name}”. Which one?", name=plain(name))
    if len(found) > CHOICES:
        text += "\n" + t.ngettext("…and {n} more.", "…and {n} more.", len(found) - CHOICES)
    return Response([Outgoing(text, buttons=buttons)])


async def show_unit(ctx: Context, plan: Plan, unit_id: int) -> Response:
    """One unit's assignments on `plan`, grouped by category, most pressing first."""
    scope = access.summary_scope(ctx.registered())
    if scope is not None and scope != unit_id:
        raise NotAllowed("summary")
    t = ctx.t
    unit = await units.get_unit(ctx.session, unit_id=unit_id)
    if unit is None:
        return Response(notice=t._("This button is no longer valid."))
    settings = ctx.deps.settings
    rows = await unit_rows(ctx.session, plan=plan, unit_id=unit_id, today=ctx.today, zone=settings.zone,
                           rule=LateRule(settings.late_rule))
    title = bold(t._("{unit} · plan {number}", unit=plain(unit.name), number=plain(plan.number)))
    if not rows:
        return Response([Outgoing(title + "\n" + t._("This unit has no tasks in this plan."))])
    lead = [r for r in rows if r.role == "lead"]
    counts = Counter(r.category for r in lead)
    lines = [title, t._("As of {date}: {n} tasks", date=t.date(ctx.today), n=t.number(len(lead))),
             *category_lines(t, counts, len(lead))]
    labels = category_labels(t)
    sections = [(c, [r for r in rows if r.category == c]) for c in SECTIONS]
    tasks = await tasks_by_id(ctx.session, [r.task_id for _, chosen in sections for r in chosen[:LIST_LIMIT]])
    for category, chosen in sections:
        if not chosen:
            continue
        lines += ["", bold(f"{labels[category]} ({t.number(len(chosen))})")]
        for row in chosen[:LIST_LIMIT]:
            line = state_line(t, row, tasks[row.task_id], ctx.today)
            if row.role != "lead":
                line += f" · {role_label(t, row.role)}"
            lines.append(line)
        if len(chosen) > LIST_LIMIT:
            lines.append(t.ngettext("…and {n} more.", "…and {n} more.", len(chosen) - LIST_LIMIT))
    return Response([Outgoing("\n".join(lines))])


async def overdue_command(ctx: Context, args: str) -> Response:
    """/quahan: the chief, leadership and admins see every unit's overdue tasks; others their own unit's."""
    from handlers import tasks

    member = ctx.registered()
    if not access.sees_everything(member) or member.role == Role.OFFICER:
        return await tasks.list_overdue(ctx, args)
    number = args.strip()
    plan = await _plan(ctx, number)
    if plan is None:
        return _no_plan(ctx, number)
    return Response([Outgoing(await overdue_text(ctx, plan, None))])


__all__ = ["overdue_command", "show_unit", "state_line", "unit_command"]
