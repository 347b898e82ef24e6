"""The weekly digest as its recipient sees it (a chart with a short caption, then a short text with buttons), and
/baocaotuan on|off, by which the chief, leadership and admins choose whether they get it."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import callbacks
from bot.i18n import Translator
from bot.messaging import Button, Outgoing, Photo, Response, bold, plain
from bot.services.plan_status import Category, LateRule
from bot.services.summary import PlanSummary, summarise_plan
from handlers.context import Context
from handlers.summary import category_labels, category_lines, rate
from scheduler.calendar import WorkingCalendar
from scheduler.digest import Changes, changes_since, wants_digest
from scheduler.digest_chart import Bar, render_chart
from storage import calendar as calendar_store
from storage import plans
from storage.audit import record_change
from storage.models import Role

TOP_LATE_UNITS = 3
MAY_RECEIVE = frozenset({Role.CHIEF, Role.LEADERSHIP, Role.ADMIN})


async def digest_command(ctx: Context, args: str) -> Response:
    """/baocaotuan [on|off]: the member's own choice; it changes nothing about the plan."""
    member = ctx.registered()
    t = ctx.t
    if member.role not in MAY_RECEIVE:
        return Response([Outgoing(t._("Sorry, the weekly digest is for the chief of office, leadership and administrators."))])
    choice = args.strip().lower()
    if choice in ("on", "bat", "bật", "có", "co"):
        wanted = True
    elif choice in ("off", "tat", "tắt", "không", "khong"):
        wanted = False
    else:
        state = t._("You receive the weekly digest.") if wants_digest(member) else t._(
            "You do not receive the weekly digest.")
        return Response([Outgoing(state + "\n" + t._("Send /baocaotuan on or /baocaotuan off to change this."))])
    member.weekly_digest = wanted
    ctx.session.add(member)
    await record_change(ctx.session, actor=f"{ctx.channel}:member:{member.id}", member_id=member.id,
                        action="member.weekly_digest", entity="member", entity_id=member.id, detail={"on": wanted})
    return Response([Outgoing(t._("Done: you will receive the weekly digest.") if wanted
                              else t._("Done: you will no longer receive the weekly digest."))])


def chart_bars(summary: PlanSummary) -> list[Bar]:
    """The units with most overdue (then most tasks) first."""
    rows = sorted(summary.units, key=lambda row: (-row.overdue, -row.total, row.name))
    return [Bar(row.name, {category.value: count for category, count in row.counts.items()}) for row in rows]


def caption_text(t: Translator, summary: PlanSummary) -> str:
    lines = [
        bold(t._("Weekly digest · plan {number}", number=plain(summary.plan.number))),
        t._("As of {date}: {n} tasks", date=t.date(summary.today), n=t.number(summary.total)),
        *category_lines(t, summary.counts, summary.total),
        t._("On-time rate: {rate}", rate=rate(t, summary.on_time_rate)),
    ]
    return "\n".join(lines)


def digest_text(t: Translator, summary: PlanSummary, changes: Changes, zone: ZoneInfo) -> str:
    since = t.date(changes.since.astimezone(zone).date())
    lines = [
        bold(t._("Since {date}", date=since)),
        t._("✅ Completed: {n}", n=t.number(changes.completed)),
        t._("⏰ Newly overdue: {n}", n=t.number(changes.newly_overdue)),
        t._("⚠️ New blockers: {n}", n=t.number(changes.new_blockers)),
        t._("📎 Evidence files received: {n}", n=t.number(changes.evidence)),
        t._("📅 Extension requests: {n} ({waiting} waiting for you)", n=t.number(changes.extension_requests),
            waiting=t.number(summary.pending_extensions)),
    ]
    late = [row for row in summary.units if row.overdue][:TOP_LATE_UNITS]
    if late:
        lines += ["", bold(t._("Most overdue units"))]
        lines += [t.ngettext("{unit}: {n} overdue · on time {rate}", "{unit}: {n} overdue · on time {rate}",
                             row.overdue, unit=plain(row.name), rate=rate(t, row.on_time_rate)) for row in late]
    if summary.silent:
        names = ", ".join(plain(s.unit.short_name or s.unit.name) for s in summary.silent[:8])
        more = len(summary.silent) - 8
        if more > 0:
            names += " " + t.ngettext("(+{n} more)", "(+{n} more)", more)
        lines += ["", t.ngettext("Silent for more than {n} working day: {units}",
                                 "Silent for more than {n} working days: {units}", summary.silent_after, units=names)]
    return "\n".join(lines)


def digest_buttons(t: Translator, summary: PlanSummary) -> list[list[Button]]:
    plan_id = summary.plan.id or 0
    return [
        [Button(t._("📊 Full summary"), callbacks.encode("summary_plan", plan_id)),
         Button(t._("⏰ Overdue ({n})", n=t.number(summary.overdue)), callbacks.encode("summary_overdue", plan_id))],
        [Button(t._("⚠️ Blocked ({n})", n=t.number(summary.blocked)), callbacks.encode("summary_blocked", plan_id)),
         Button(t._("📅 Extension requests ({n})", n=t.number(summary.pending_extensions)),
                callbacks.encode("summary_extensions", plan_id))],
    ]


async def build_digest(session: AsyncSession, t: Translator, *, plan_id: int, today: date, since: datetime,
                       zone: ZoneInfo, rule: LateRule, silent_after: int) -> Outgoing | None:
    """The digest for one recipient: None when the plan is gone."""
    plan = await plans.get_plan(session, plan_id=plan_id)
    if plan is None:
        return None
    cal = WorkingCalendar(await calendar_store.overrides(session))
    summary = await summarise_plan(session, plan=plan, today=today, zone=zone, rule=rule, calendar=cal,
                                   silent_after=silent_after, since=since)
    changes = await changes_since(session, summary, since=since)
    labels = category_labels(t)
    legend = {category.value: labels[category] for category in Category}
    title = t._("Tasks per lead unit · {date}", date=t.date(today))
    png = await asyncio.to_thread(render_chart, title, chart_bars(summary), legend)
    return Outgoing(digest_text(t, summary, changes, zone), buttons=digest_buttons(t, summary),
                    photo=Photo(png, caption=caption_text(t, summary), file_name=f"tonghop-{today.isoformat()}.png"))


async def digest_message(session: AsyncSession, t: Translator, notice: dict[str, Any]) -> Outgoing | None:
    """The outbox notice `{"kind": "digest", …}` (scheduler/digest.py) rendered at sending time."""
    return await build_digest(
        session, t, plan_id=int(notice["plan_id"]), today=date.fromisoformat(notice["today"]),
        since=datetime.fromisoformat(notice["since"]), zone=ZoneInfo(notice.get("zone", "Asia/Ho_Chi_Minh")),
        rule=LateRule(notice.get("rule", LateRule.APPROVED)), silent_after=int(notice.get("silent_after", 10)),
    )
