"""/tonghop: one plan's summary for the chief of office, leadership and admins (unit heads: their unit), and the
drill-down buttons under it (a unit, a dimension, the overdue list, the blocked list, pending extensions).

Read-only: nothing here changes anything, so leadership may press every button.
"""

from __future__ import annotations

from collections import Counter

from bot import callbacks
from bot.errors import NotAllowed
from bot.i18n import Translator
from bot.messaging import Button, Outgoing, Response, bold, plain
from bot.services import access
from bot.services.plan_status import AssignmentRow, AssignmentState, Category, LateRule
from bot.services.summary import (
    AreaRow,
    PlanSummary,
    UnitInfo,
    UnitRow,
    area_keys,
    blocked_rows,
    lead_rows,
    overdue_rows,
    summarise_plan,
    tasks_by_id,
    unit_infos,
)
from handlers.context import Context
from handlers.render import short
from storage import calendar as calendar_store
from storage import plans
from storage.models import Plan, Task

UNITS_IN_SUMMARY = 15  # the rest are one tap away ("All units"), so the summary stays about one phone screen
LIST_LIMIT = 60  # lines in a drill-down list; the rest are counted
ORDER = (Category.DONE_ON_TIME, Category.DONE_LATE, Category.OPEN_ON_TIME, Category.OPEN_OVERDUE,
         Category.PERIOD_REPORTED, Category.PERIOD_PENDING, Category.NO_DEADLINE)


def category_labels(t: Translator) -> dict[Category, str]:
    """The official category names, in the order reports list them."""
    return {
        Category.DONE_ON_TIME: t._("Done on time"),
        Category.DONE_LATE: t._("Done late"),
        Category.OPEN_ON_TIME: t._("In progress, on time"),
        Category.OPEN_OVERDUE: t._("In progress, overdue"),
        Category.PERIOD_REPORTED: t._("Reported this period"),
        Category.PERIOD_PENDING: t._("Not reported this period"),
        Category.NO_DEADLINE: t._("No fixed deadline"),
    }


def percent(t: Translator, part: int, whole: int) -> str:
    return t._("{percent}%", percent=t.number(round(100 * part / whole) if whole else 0))


def rate(t: Translator, value: float | None) -> str:
    return "—" if value is None else t._("{percent}%", percent=t.number(round(100 * value)))


def category_lines(t: Translator, counts: Counter[Category], total: int) -> list[str]:
    """'• Đã hoàn thành đúng hạn: 3 (25%)' for the four official categories, and the others when present."""
    lines = []
    for category, label in category_labels(t).items():
        count = counts.get(category, 0)
        if count or category in ORDER[:4] or (category in ORDER[4:6] and (counts[ORDER[4]] or counts[ORDER[5]])):
            lines.append(f"• {label}: {t.number(count)} ({percent(t, count, total)})")
    return lines


def rule_line(t: Translator, rule: LateRule) -> str:
    if rule == LateRule.ORIGINAL:
        return t._("Late is counted against the plan's original due dates.")
    return t._("Late is counted against approved extension dates (the plan's date is shown too).")


def unit_line(t: Translator, row: UnitRow, zone) -> str:  # type: ignore[no-untyped-def]
    last = t.date(row.last_reply.astimezone(zone).date()) if row.last_reply else "—"
    return t.ngettext(
        "{unit}: {n} task · on time {rate} · {overdue} overdue · last reply {last}",
        "{unit}: {n} tasks · on time {rate} · {overdue} overdue · last reply {last}",
        row.total, unit=plain(row.name), rate=rate(t, row.on_time_rate), overdue=t.number(row.overdue), last=last,
    )


def area_name(t: Translator, name: str | None) -> str:
    return plain(name) if name else t._("(no dimension)")


def silent_lines(t: Translator, summary: PlanSummary, limit: int | None = None) -> list[str]:
    if not summary.silent:
        return []
    lines = [bold(t.ngettext("Silent for more than {n} working day", "Silent for more than {n} working days",
                             summary.silent_after))]
    for silent in summary.silent[:limit]:
        name = plain(silent.unit.short_name or silent.unit.name)
        if silent.last_reply is None:
            lines.append(t.ngettext("{unit}: no reply yet ({n} working day)", "{unit}: no reply yet ({n} working days)",
                                    silent.working_days, unit=name))
        else:
            lines.append(t.ngettext("{unit}: last reply {date} ({n} working day ago)",
                                    "{unit}: last reply {date} ({n} working days ago)", silent.working_days,
                                    unit=name, date=t.date(silent.last_reply)))
    hidden = len(summary.silent) - len(lines) + 1
    if hidden > 0:
        lines.append(t.ngettext("…and {n} more unit: tap “All units”.", "…and {n} more units: tap “All units”.", hidden))
    return lines


def render_summary(t: Translator, summary: PlanSummary, *, zone, units_shown: int = UNITS_IN_SUMMARY) -> str:  # type: ignore[no-untyped-def]
    lines = [
        bold(t._("Summary of plan {number}", number=plain(summary.plan.number))),
        plain(summary.plan.title),
        t._("As of {date}: {n} tasks", date=t.date(summary.today), n=t.number(summary.total)),
        rule_line(t, summary.rule),
        "",
        *category_lines(t, summary.counts, summary.total),
        t._("On-time rate: {rate}", rate=rate(t, summary.on_time_rate)),
        "",
        bold(t._("By lead unit")),
    ]
    lines += [unit_line(t, row, zone) for row in summary.units[:units_shown]]
    hidden = len(summary.units) - units_shown
    if hidden > 0:
        lines.append(t.ngettext("…and {n} more unit: tap “All units”.", "…and {n} more units: tap “All units”.", hidden))
    if len(summary.areas) > 1 or (summary.areas and summary.areas[0].name):
        lines += ["", bold(t._("By dimension"))]
        for area in summary.areas:
            lines.append(t.ngettext("{area}: {n} task · {done} done · {overdue} overdue",
                                    "{area}: {n} tasks · {done} done · {overdue} overdue", area.total,
                                    area=area_name(t, area.name), done=t.number(area.done),
                                    overdue=t.number(area.overdue)))
    silent = silent_lines(t, summary, units_shown)
    if silent:
        lines += ["", *silent]
    return "\n".join(lines)


def summary_buttons(t: Translator, summary: PlanSummary) -> list[list[Button]]:
    plan_id = summary.plan.id or 0
    rows = [
        [Button(t._("⏰ Overdue ({n})", n=t.number(summary.overdue)), callbacks.encode("summary_overdue", plan_id)),
         Button(t._("⚠️ Blocked ({n})", n=t.number(summary.blocked)), callbacks.encode("summary_blocked", plan_id))],
        [Button(t._("🏢 All units"), callbacks.encode("summary_units", plan_id)),
         Button(t._("🗂 Dimensions"), callbacks.encode("summary_areas", plan_id))],
    ]
    if summary.pending_extensions:
        rows.append([Button(t._("📅 Extension requests ({n})", n=t.number(summary.pending_extensions)),
                            callbacks.encode("summary_extensions", plan_id))])
    return rows


async def _plan(ctx: Context, number: str) -> Plan | None:
    return await (plans.find_plan(ctx.session, number=number) if number else plans.current_plan(ctx.session))


def _no_plan(ctx: Context, number: str) -> Response:
    t = ctx.t
    text = t._("No plan numbered {number}.", number=plain(number)) if number else t._("No plan has been added yet.")
    return Response([Outgoing(text)])


async def summarise(ctx: Context, plan: Plan, *, unit_id: int | None) -> PlanSummary:
    """The plan's summary as this event's member may see it, by the office's rules (late rule, silence)."""
    settings = ctx.deps.settings
    from scheduler.calendar import WorkingCalendar

    cal = WorkingCalendar(await calendar_store.overrides(ctx.session))
    return await summarise_plan(ctx.session, plan=plan, today=ctx.today, zone=settings.zone, unit_id=unit_id,
                                rule=LateRule(settings.late_rule), calendar=cal,
                                silent_after=settings.silent_after_working_days)


async def summary_command(ctx: Context, args: str) -> Response:
    scope = access.summary_scope(ctx.registered())
    number = args.strip()
    plan = await _plan(ctx, number)
    if plan is None:
        return _no_plan(ctx, number)
    summary = await summarise(ctx, plan, unit_id=scope)
    text = render_summary(ctx.t, summary, zone=ctx.deps.settings.zone)
    return Response([Outgoing(text, buttons=summary_buttons(ctx.t, summary))])


# ---------------------------------------------------------------------------------------------- drill-downs


def state_line(t: Translator, row: AssignmentRow | AssignmentState, task: Task, today, unit: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """'#12 · title' and under it the unit, the due date (with the plan's own when extended), days late, status."""
    parts = [plain(unit)] if unit else []
    due = row.judged_due or row.due
    late = row.days_late(today)
    if due is not None and late > 0 and row.category == Category.DONE_LATE:
        parts.append(t.ngettext("Due {date} · done {n} day late", "Due {date} · done {n} days late", late,
                                date=t.date(due)))
    elif due is not None and late > 0:
        parts.append(t.ngettext("Due {date} · {n} day overdue", "Due {date} · {n} days overdue", late, date=t.date(due)))
    elif due is not None:
        parts.append(t._("Due {date}", date=t.date(due)))
    elif task.deadline_text:
        parts.append(plain(task.deadline_text))
    if row.approved_due and row.original_due and row.approved_due != row.original_due:
        parts.append(t._("(extended from {date})", date=t.date(row.original_due)) if due == row.approved_due
                     else t._("extension approved to {date}", date=t.date(row.approved_due)))
    if row.blocked and row.note:
        parts.append(t._("blocked: {reason}", reason=short(row.note, 80)))
    elif row.status == "in_progress" and row.percent is not None:
        parts.append(t._("{percent}%", percent=t.number(row.percent)))
    return f"{bold(f'#{task.id} · {short(task.title, 70)}')}\n   " + " · ".join(parts)


def listing(t: Translator, title: str, lines: list[str], total: int) -> str:
    text = "\n".join([bold(title), *lines])
    if total > len(lines):
        text += "\n" + t.ngettext("…and {n} more.", "…and {n} more.", total - len(lines))
    return text


def _unit_name(names: dict[int, UnitInfo], unit_id: int) -> str:
    unit = names.get(unit_id)
    return (unit.short_name or unit.name) if unit else f"#{unit_id}"


def _rule(ctx: Context) -> LateRule:
    return LateRule(ctx.deps.settings.late_rule)


async def overdue_text(ctx: Context, plan: Plan, unit_id: int | None) -> str:
    t = ctx.t
    overdue = await overdue_rows(ctx.session, plan=plan, today=ctx.today, zone=ctx.deps.settings.zone,
                                 rule=_rule(ctx), unit_id=unit_id)
    if not overdue:
        return t._("No overdue tasks in plan {number}.", number=plain(plan.number))
    shown = overdue[:LIST_LIMIT]
    tasks = await tasks_by_id(ctx.session, [row.task_id for row in shown])
    names = await unit_infos(ctx.session)
    lines = [state_line(t, row, tasks[row.task_id], ctx.today, _unit_name(names, row.unit_id)) for row in shown]
    title = t._("Overdue tasks ({n})", n=t.number(len(overdue))) + " · " + plain(plan.number)
    return listing(t, title, lines, len(overdue))


async def blocked_text(ctx: Context, plan: Plan, unit_id: int | None) -> str:
    t = ctx.t
    blocked = await blocked_rows(ctx.session, plan=plan, today=ctx.today, zone=ctx.deps.settings.zone,
                                 rule=_rule(ctx), unit_id=unit_id)
    if not blocked:
        return t._("No task is reported blocked in plan {number}.", number=plain(plan.number))
    names = await unit_infos(ctx.session)
    shown = blocked[:LIST_LIMIT]
    tasks = await tasks_by_id(ctx.session, [row.task_id for row in shown])
    lines = []
    for row in shown:
        task = tasks[row.task_id]
        when = t.date(row.reported_on) if row.reported_on else ""
        reason = plain(row.note) if row.note else t._("no reason given")
        heading = bold(f"#{task.id} · {short(task.title, 70)}")
        lines.append(f"{heading}\n   " + t._("{unit} ({date}): {reason}", unit=plain(_unit_name(names, row.unit_id)),
                                             date=when, reason=short(reason, 200)))
    return listing(t, t._("Blocked tasks ({n})", n=t.number(len(blocked))), lines, len(blocked))


def units_text(t: Translator, summary: PlanSummary, zone) -> str:  # type: ignore[no-untyped-def]
    lines = [bold(t._("By lead unit")) + " · " + plain(summary.plan.number)]
    lines += [unit_line(t, row, zone) for row in summary.units]
    silent = silent_lines(t, summary)
    if silent:
        lines += ["", *silent]
    return "\n".join(lines)


def unit_buttons(summary: PlanSummary, rows: list[UnitRow]) -> list[list[Button]]:
    buttons = [Button(short(row.name, 24), callbacks.encode("summary_unit", summary.plan.id or 0, row.unit.id or 0))
               for row in rows]
    return [buttons[i:i + 3] for i in range(0, len(buttons), 3)]


async def area_text(ctx: Context, summary: PlanSummary, key: str | None, unit_id: int | None) -> str:
    t = ctx.t
    lead = await lead_rows(ctx.session, plan=summary.plan, today=ctx.today, zone=ctx.deps.settings.zone,
                           rule=summary.rule, unit_id=unit_id)
    area = next((row for row in summary.areas if row.name == key), AreaRow(key))
    lines = [bold(area_name(t, key)) + " · " + plain(summary.plan.number),
             *category_lines(t, area.counts, area.total)]
    rows = [r for r in lead if r.area == key]
    labels = category_labels(t)
    sections = [(c, [r for r in rows if r.category == c]) for c in
                (Category.OPEN_OVERDUE, Category.PERIOD_PENDING, Category.OPEN_ON_TIME, Category.DONE_LATE)]
    tasks = await tasks_by_id(ctx.session, [r.task_id for _, chosen in sections for r in chosen[:LIST_LIMIT]])
    for category, chosen in sections:
        if chosen:
            lines += ["", bold(f"{labels[category]} ({t.number(len(chosen))})")]
            lines += [state_line(t, r, tasks[r.task_id], summary.today, _unit_name(summary.unit_names, r.unit_id))
                      for r in chosen[:LIST_LIMIT]]
            if len(chosen) > LIST_LIMIT:
                lines.append(t.ngettext("…and {n} more.", "…and {n} more.", len(chosen) - LIST_LIMIT))
    return "\n".join(lines)


async def press(ctx: Context, verb: str, args: tuple[int, ...]) -> Response:
    """A drill-down button under a summary or the digest; checked again here (the data may be forged)."""
    from handlers import extensions, units_view

    scope = access.summary_scope(ctx.registered())
    t = ctx.t
    if verb == "summary_extensions":
        return await extensions.list_command(ctx, "")
    plan = await plans.get_plan(ctx.session, plan_id=args[0])
    if plan is None:
        return Response(notice=t._("This button is no longer valid."))
    if verb == "summary_unit":
        return await units_view.show_unit(ctx, plan, args[1])
    if verb == "summary_overdue":
        return Response([Outgoing(await overdue_text(ctx, plan, scope))])
    if verb == "summary_blocked":
        return Response([Outgoing(await blocked_text(ctx, plan, scope))])
    summary = await summarise(ctx, plan, unit_id=scope)
    zone = ctx.deps.settings.zone
    if verb == "summary_plan":
        return Response([Outgoing(render_summary(t, summary, zone=zone), buttons=summary_buttons(t, summary))])
    if verb == "summary_units":
        return Response([Outgoing(units_text(t, summary, zone), buttons=unit_buttons(summary, summary.units[:30]))])
    keys = await area_keys(ctx.session, plan_id=plan.id or 0)
    present = {row.name for row in summary.areas}
    if verb == "summary_areas":
        buttons = [[Button(short(area_name(t, key), 40), callbacks.encode("summary_area", plan.id or 0, i))]
                   for i, key in enumerate(keys) if key in present][:20]
        title = bold(t._("By dimension")) + " · " + plain(plan.number)
        if not keys:
            return Response([Outgoing(t._("No tasks in plan {number}.", number=plain(plan.number)))])
        return Response([Outgoing(title, buttons=buttons)])
    if verb == "summary_area":
        if len(args) < 2 or args[1] >= len(keys):
            return Response(notice=t._("This button is no longer valid."))
        return Response([Outgoing(await area_text(ctx, summary, keys[args[1]], scope))])
    raise NotAllowed("summary")
