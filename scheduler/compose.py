"""Turns one claimed outbox message into the text and buttons its member sees, from the state at sending time.

Items whose task is done (for that unit) or removed, or that the member snoozed, are dropped here, so a status
sent a minute before the reminder is honoured. Sections, most pressing first: overdue, due today, coming up,
period reports, and (for unit heads and the chief) the late units escalated to them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import callbacks
from bot.i18n import Translator
from bot.messaging import Button, Outgoing, bold
from handlers.render import short
from scheduler.periods import period_of
from scheduler.planner import Kind
from storage.models import (
    ExtensionRequest,
    Member,
    OutboxMessage,
    ReminderItem,
    Snooze,
    Status,
    StatusReport,
    Task,
    TaskUnit,
    Unit,
    UnitRole,
)

MAX_TASKS_LISTED = 15  # more would not fit one phone screen; the rest are one /viec away
SNOOZE_OPTIONS = (0, 1, 2)  # 2 hours, tomorrow, Monday (see scheduler.snooze)


@dataclass(frozen=True)
class Composed:
    outgoing: Outgoing | None  # None: nothing left to say
    dropped: list[int]  # item ids no longer worth saying
    locale: str


async def compose(session: AsyncSession, message: OutboxMessage, *, today: date, now: datetime,
                  default_locale: str, reporting_day: int = 20) -> Composed:
    member = await session.get(Member, message.member_id)
    locale = (member.locale if member else None) or default_locale
    t = Translator(locale)
    if message.notice:
        return Composed(await _notice(session, t, json.loads(message.notice)), [], locale)
    items = list((await session.exec(
        select(ReminderItem).where(ReminderItem.outbox_id == message.id).order_by(ReminderItem.id)
    )).scalars())
    task_ids = {item.task_id for item in items}
    tasks = {task.id: task for task in (await session.exec(select(Task).where(Task.id.in_(task_ids)))).scalars()}  # type: ignore[union-attr]
    statuses = await _latest_statuses(session, task_ids)
    snoozed = {
        task_id for (task_id,) in (await session.exec(
            select(Snooze.task_id).where(Snooze.member_id == message.member_id, Snooze.until > now,
                                         Snooze.task_id.in_(task_ids))  # type: ignore[attr-defined]
        )).all()
    }
    keep: list[ReminderItem] = []
    dropped: list[int] = []
    for item in items:
        task = tasks.get(item.task_id)
        report = statuses.get((item.task_id, item.unit_id))
        done = report is not None and report.status == Status.DONE and item.kind != Kind.PERIOD
        reported_now = item.kind == Kind.PERIOD and report is not None and _in_current_period(
            report, task, today, reporting_day)
        if task is None or task.removed_at is not None or done or reported_now or (
            item.task_id in snoozed and item.kind not in (Kind.ESCALATION, Kind.SNOOZE)
        ):
            dropped.append(item.id)  # type: ignore[arg-type]
        else:
            keep.append(item)
    if not keep:
        return Composed(None, dropped, locale)
    waiting, coordinating = await _coordinators_not_reported(
        session, [i.task_id for i in keep if i.kind != Kind.ESCALATION])
    named = {item.unit_id for item in keep} | {unit_id for ids in waiting.values() for unit_id in ids}
    units = {unit.id: unit for unit in (await session.exec(select(Unit).where(Unit.id.in_(named)))).scalars()}  # type: ignore[union-attr]
    text = _text(t, keep, tasks, units, waiting, coordinating, today)
    return Composed(Outgoing(text, buttons=_buttons(t, keep, message.id or 0),
                             task_id=keep[0].task_id if len({i.task_id for i in keep}) == 1 else None),
                    dropped, locale)


async def _latest_statuses(session: AsyncSession, task_ids: set[int]) -> dict[tuple[int, int], StatusReport]:
    """The current status of each (task, unit) of these tasks, in one query (through task_unit's latest report)."""
    query = (select(StatusReport).join(TaskUnit, TaskUnit.latest_report_id == StatusReport.id)
             .where(TaskUnit.task_id.in_(task_ids)))  # type: ignore[attr-defined]
    rows = (await session.exec(query)).scalars()
    return {(row.task_id, row.unit_id): row for row in rows}


def _in_current_period(report: StatusReport, task: Task | None, today: date, reporting_day: int) -> bool:
    if task is None:
        return False
    period = period_of(task.recurrence, today, reporting_day)
    return period is not None and report.created_at.date() >= period.start


async def _coordinators_not_reported(
    session: AsyncSession, task_ids: list[int]
) -> tuple[dict[int, list[int]], dict[int, set[int]]]:
    """For each task, its coordinating units that have sent no report at all yet, and all its coordinating units."""
    if not task_ids:
        return {}, {}
    rows = (await session.exec(
        select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.latest_report_id).where(
            TaskUnit.task_id.in_(task_ids), TaskUnit.role == UnitRole.COORDINATE)  # type: ignore[attr-defined]
    )).all()
    waiting: dict[int, list[int]] = defaultdict(list)
    coordinating: dict[int, set[int]] = defaultdict(set)
    for task_id, unit_id, latest_report in rows:
        coordinating[task_id].add(unit_id)
        if latest_report is None:
            waiting[task_id].append(unit_id)
    return waiting, coordinating


def _unit_name(units: dict[int, Unit], unit_id: int) -> str:
    unit = units.get(unit_id)
    return (unit.short_name or unit.name) if unit else f"#{unit_id}"


def _text(t: Translator, items: list[ReminderItem], tasks: dict[int, Task], units: dict[int, Unit],
          waiting: dict[int, list[int]], coordinating: dict[int, set[int]], today: date) -> str:
    sections: dict[str, list[str]] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    for item in items:
        task = tasks[item.task_id]
        section = "late" if item.kind == Kind.OVERDUE or (
            item.kind == Kind.SNOOZE and item.due and item.due < today) else item.kind
        if item.kind == Kind.SNOOZE and item.due and item.due >= today:
            section = Kind.DUE if item.due == today else Kind.BEFORE
        if (item.task_id, section) in seen:
            continue
        seen.add((item.task_id, section))
        due = item.due or task.due
        heading = bold(f"#{task.id} · {short(task.title, 80)}")
        if section == Kind.ESCALATION:
            days = (today - due).days if due else 0
            line = t.ngettext("{unit}: due {date}, {n} day overdue", "{unit}: due {date}, {n} days overdue", days,
                              unit=_unit_name(units, item.unit_id), date=t.date(due) if due else "")
        elif section == Kind.PERIOD:
            line = _period_label(t, task, today, item.due)
        elif section == "late":
            days = (today - due).days if due else 0
            line = t.ngettext("Was due {date}: {n} day overdue", "Was due {date}: {n} days overdue", days,
                              date=t.date(due) if due else "")
        elif section == Kind.DUE:
            line = t._("Due today ({date})", date=t.date(due)) if due else ""
        else:
            days = (due - today).days if due else 0
            line = t.ngettext("Due {date}: {n} day left", "Due {date}: {n} days left", days,
                              date=t.date(due) if due else "")
        if due and task.due and due != task.due:
            line += " " + t._("(extended from {date})", date=t.date(task.due))
        missing = waiting.get(item.task_id) if section != Kind.ESCALATION else None
        if missing and item.unit_id in missing or item.unit_id in coordinating.get(item.task_id, ()):
            missing = None  # a coordinating unit is not told about the others
        if missing:
            line += "\n   " + t._("Coordinating units not reported yet: {units}",
                                  units=", ".join(_unit_name(units, unit_id) for unit_id in missing))
        sections[section].append(f"{heading}\n   {line}")
    titles = {
        "late": t._("Overdue"),
        Kind.DUE: t._("Due today"),
        Kind.BEFORE: t._("Coming up"),
        Kind.PERIOD: t._("Periodic updates"),
        Kind.ESCALATION: t._("Late units (escalated to you)"),
    }
    parts = [bold(t._("Reminder, {date}", date=t.date(today)))]
    listed = 0
    hidden = 0
    for key in ("late", Kind.DUE, Kind.BEFORE, Kind.PERIOD, Kind.ESCALATION):
        lines = sections.get(key)
        if not lines:
            continue
        room = max(0, MAX_TASKS_LISTED - listed)
        hidden += max(0, len(lines) - room)
        if room:
            parts.append(bold(titles[key]) + "\n" + "\n".join(lines[:room]))
            listed += min(room, len(lines))
    if hidden:
        parts.append(t.ngettext("…and {n} more. Send /viec to see them all.",
                                "…and {n} more. Send /viec to see them all.", hidden))
    actionable = [item.task_id for item in items if item.kind != Kind.ESCALATION]
    if actionable:
        parts.append(t._("Reply in a few words, e.g. \"#{id} xong\", \"#{id} đang làm 50%\", \"#{id} vướng: …\".",
                         id=actionable[0]))
    return "\n\n".join(parts)


def _period_label(t: Translator, task: Task, today: date, deadline: date | None) -> str:
    period = period_of(task.recurrence, today, deadline.day if deadline else 20)
    if period is None:
        return ""
    if period.kind == "month":
        what = t._("Progress update for {month}/{year}", month=period.number, year=period.year)
    elif period.kind == "quarter":
        what = t._("Report for quarter {quarter}/{year}", quarter=("I", "II", "III", "IV")[period.number - 1],
                   year=period.year)
    elif period.kind == "half":
        what = (t._("Report for the first half of {year}", year=period.year) if period.number == 1
                else t._("Report for the second half of {year}", year=period.year))
    elif period.kind == "year":
        what = t._("Report for the year {year}", year=period.year)
    else:
        what = t._("Weekly update, week {week}", week=period.number)
    return t._("{what}: due {date}", what=what, date=t.date(deadline)) if deadline else what


def _buttons(t: Translator, items: list[ReminderItem], outbox_id: int) -> list[list[Button]]:
    rows: list[list[Button]] = []
    task_ids: list[int] = []
    for item in items:
        if item.task_id not in task_ids:
            task_ids.append(item.task_id)
    actionable = [i for i in task_ids if any(x.task_id == i and x.kind != Kind.ESCALATION for x in items)]
    for task_id in task_ids[:MAX_TASKS_LISTED]:
        if task_id in actionable:
            rows.append([
                Button(t._("✅ #{id} Done", id=task_id), callbacks.encode("set_status", task_id, status="done")),
                Button(t._("⏳ #{id} In progress", id=task_id),
                       callbacks.encode("set_status", task_id, status="in_progress")),
                Button(t._("⚠️ #{id} Blocked", id=task_id), callbacks.encode("set_status", task_id, status="blocked")),
            ])
        else:
            rows.append([Button(t._("Open #{id}", id=task_id), callbacks.encode("open_task", task_id))])
    if actionable:
        rows.append([
            Button(t._("Remind me in 2 hours"), callbacks.encode("snooze", outbox_id, 0)),
            Button(t._("Tomorrow"), callbacks.encode("snooze", outbox_id, 1)),
            Button(t._("Monday"), callbacks.encode("snooze", outbox_id, 2)),
        ])
    return rows


async def _notice(session: AsyncSession, t: Translator, notice: dict) -> Outgoing | None:  # type: ignore[type-arg]
    """A message about something other than due tasks; None when it no longer needs saying."""
    from handlers import extensions  # the chat renders extension requests; the push reuses it

    kind = notice.get("kind")
    if kind == "digest":
        from handlers.digest import digest_message  # the weekly digest (scheduler/digest.py plans it)

        return await digest_message(session, t, notice)
    if kind == "unreachable":
        member = await session.get(Member, int(notice["member_id"]))
        unit = await session.get(Unit, member.unit_id) if member and member.unit_id else None
        return Outgoing(t._(
            "{name} ({unit}) has blocked the bot or left Telegram, so their reminders cannot be delivered. "
            "Please contact them directly.",
            name=member.full_name if member else "?", unit=(unit.short_name or unit.name) if unit else "—",
        ))
    if kind in ("extension_request", "extension_decided"):
        request = await session.get(ExtensionRequest, int(notice["request_id"]))
        task = await session.get(Task, request.task_id) if request is not None else None
        if request is None or task is None:
            return None
        if kind == "extension_decided":
            return Outgoing(extensions.decision_text(t, request, task), task_id=task.id)
        if request.state != "pending":
            return None  # decided before the push went out
        return await extensions.request_message(session, t, request, with_buttons=True)
    return None
