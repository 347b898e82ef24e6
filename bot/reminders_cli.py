"""`dondoc reminders …` and `dondoc calendar …`: preview, log, policy, members' reminder times, office days off."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, time
from typing import Any

from bot.config import Settings


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a time (HH:MM): {text!r}") from error


def _days(text: str) -> str:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or not all(part.isdigit() and 0 < int(part) <= 60 for part in parts):
        raise argparse.ArgumentTypeError(f"not a list of working days like 7,3,1: {text!r}")
    return ",".join(str(n) for n in sorted({int(part) for part in parts}, reverse=True))


async def _session_work(settings: Settings, work: Any) -> int:
    from bot import admin
    from bot.app import open_deps
    from storage.db import transaction

    async with open_deps(settings) as deps, transaction(deps.sessions) as session:
        try:
            return int(await work(session) or 0)
        except admin.AdminError as error:
            await session.rollback()
            print(f"error: {error}", file=sys.stderr)
            return 2


async def _plan_id(session: Any, number: str | None) -> int | None:
    from bot import admin
    from storage import plans

    if number is None:
        return None
    plan = await plans.find_plan(session, number=number)
    if plan is None:
        raise admin.AdminError(f"no plan numbered {number!r}")
    return plan.id


async def cmd_preview(args: argparse.Namespace, settings: Settings) -> int:
    from scheduler.preview import preview

    if args.end < args.start:
        print("error: --to is before --from", file=sys.stderr)
        return 2

    async def work(session: Any) -> int:
        rows = await preview(session, settings, args.start, args.end, plan_id=await _plan_id(session, args.plan))
        if args.json:
            print(json.dumps([row.to_json() for row in rows], ensure_ascii=False))
            return 0
        for row in rows:
            who = row.member or "!! nobody registered in this unit: this reminder would reach no one"
            tasks = ", ".join(f"#{task}" for task in row.tasks)
            when = row.at.strftime("%H:%M") if row.at else "--:--"
            print(f"{row.day.isoformat()} {when}  {row.kind:10s}  {row.unit or '-':10s}  {who}: {tasks}")
        nobody = sorted({row.unit or "-" for row in rows if row.member is None})
        if nobody:
            print(f"\nUnits with no registered member (reminders reach no one): {', '.join(nobody)}")
        if not rows:
            print("Nothing would be sent in this period.")
        return 0

    return await _session_work(settings, work)


async def cmd_log(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin import resolve_unit
    from storage.reminder_log import log_entries

    async def work(session: Any) -> int:
        unit_id = (await resolve_unit(session, args.unit)).id if args.unit else None
        entries = await log_entries(session, unit_id=unit_id, since=args.start, until=args.end, limit=args.limit)
        if args.json:
            print(json.dumps([{
                "date": e.day.isoformat(), "sent_at": e.sent_at.isoformat() if e.sent_at else None,
                "member": e.member, "role": e.member_role, "unit": e.unit, "channel": e.channel,
                "tasks": list(e.tasks), "kinds": list(e.kinds), "delivered": e.delivered, "error": e.error,
                "replied": e.replied,
            } for e in entries], ensure_ascii=False))
            return 0
        for e in entries:
            state = "delivered" if e.delivered else f"NOT delivered ({e.error or '?'})"
            replied = "replied" if e.replied else "no reply yet"
            tasks = ", ".join(f"#{task}" for task in e.tasks)
            print(f"{e.day.isoformat()}  {e.unit:10s}  {e.member} ({e.member_role}) via {e.channel or '-'}: "
                  f"{'/'.join(e.kinds)} {tasks} · {state} · {replied}")
        if not entries:
            print("No reminders logged.")
        return 0

    return await _session_work(settings, work)


_POLICY_FIELDS = {
    "before": "before_days", "overdue_every": "overdue_every", "escalate_head": "escalate_head_after",
    "escalate_chief": "escalate_chief_after", "coordinate_days": "coordinate_lead_days",
    "reporting_day": "reporting_day", "period_before": "period_before_days", "due_day": "on_due_day",
}


async def cmd_policy(args: argparse.Namespace, settings: Settings) -> int:
    from bot import admin
    from storage import audit, reminders

    async def work(session: Any) -> int:
        policy = await reminders.get_policy(session, await _plan_id(session, args.plan))
        changes = {column: getattr(args, option) for option, column in _POLICY_FIELDS.items()
                   if getattr(args, option) is not None}
        if changes.get("reporting_day") is not None and not 1 <= changes["reporting_day"] <= 31:
            raise admin.AdminError("--reporting-day must be between 1 and 31")
        for column, value in changes.items():
            setattr(policy, column, value)
        if changes:
            await audit.record_change(session, actor="cli", action="reminder_policy.set", entity="reminder_policy",
                                      entity_id=policy.id, detail={k: str(v) for k, v in changes.items()})
        scope = f"plan {args.plan}" if args.plan else "office default"
        print(f"Reminder policy ({scope}): before due {policy.before_days} working days; on the due day: "
              f"{'yes' if policy.on_due_day else 'no'}; overdue every {policy.overdue_every} working days; "
              f"unit head after {policy.escalate_head_after}, chief after {policy.escalate_chief_after} overdue "
              f"working days; coordinating units {policy.coordinate_lead_days} working days earlier; periodic "
              f"updates due on day {policy.reporting_day}, asked {policy.period_before_days} working days before")
        return 0

    return await _session_work(settings, work)


async def cmd_member_time(args: argparse.Namespace, settings: Settings) -> int:
    from bot import admin
    from scheduler.snooze import in_quiet_hours
    from storage import audit, members

    async def work(session: Any) -> int:
        member = await members.get_member(session, member_id=args.member)
        if member is None:
            raise admin.AdminError(f"no member with id {args.member}")
        if args.at is not None and in_quiet_hours(args.at, settings.quiet_hours_start, settings.quiet_hours_end):
            raise admin.AdminError(
                f"{args.at.strftime('%H:%M')} is in quiet hours ({settings.quiet_hours_start.strftime('%H:%M')}–"
                f"{settings.quiet_hours_end.strftime('%H:%M')}); choose a working-hours time")
        member.reminder_time = args.at
        await audit.record_change(session, actor="cli", action="member.reminder_time", entity="member",
                                  entity_id=member.id, detail={"at": args.at.isoformat() if args.at else None})
        shown = args.at.strftime("%H:%M") if args.at else f"default ({settings.reminder_time.strftime('%H:%M')})"
        print(f"member {member.id} ({member.full_name}): reminders at {shown}")
        return 0

    return await _session_work(settings, work)


async def cmd_calendar_show(args: argparse.Namespace, settings: Settings) -> int:
    from scheduler.calendar import WorkingCalendar
    from storage import calendar as calendar_store

    async def work(session: Any) -> int:
        overrides = await calendar_store.list_overrides(session, year=args.year)
        calendar = WorkingCalendar(await calendar_store.overrides(session))
        day, end = date(args.year, 1, 1), date(args.year, 12, 31)
        print(f"Days off in {args.year} (weekdays), and make-up working days:")
        from datetime import timedelta

        while day <= end:
            override = calendar.override(day)
            name = calendar.holiday_name(day)
            if override is True or (day.weekday() >= 5 and calendar.is_working(day)):
                note = next((o.note for o in overrides if o.day == day), None) or name or "make-up working day"
                print(f"  {day.isoformat()} {day.strftime('%a')}  WORKING  {note}")
            elif day.weekday() < 5 and not calendar.is_working(day):
                note = next((o.note for o in overrides if o.day == day), None) or name or "office day off"
                print(f"  {day.isoformat()} {day.strftime('%a')}  off      {note}"
                      + ("  (office override)" if override is False else ""))
            day += timedelta(days=1)
        return 0

    return await _session_work(settings, work)


async def cmd_calendar_set(args: argparse.Namespace, settings: Settings) -> int:
    from storage import audit
    from storage import calendar as calendar_store

    async def work(session: Any) -> int:
        if args.calendar_command == "clear":
            removed = await calendar_store.remove_override(session, args.day)
            print(f"{args.day.isoformat()}: " + ("back to the public calendar" if removed else "had no override"))
            action = "calendar.clear"
        else:
            working = args.calendar_command == "work"
            await calendar_store.set_override(session, args.day, working=working, note=args.note)
            print(f"{args.day.isoformat()}: " + ("working day" if working else "day off") + " for the office")
            action = f"calendar.{args.calendar_command}"
        await audit.record_change(session, actor="cli", action=action, entity="calendar_override", entity_id=None,
                                  detail={"day": args.day.isoformat()})
        return 0

    return await _session_work(settings, work)


def add_reminder_commands(sub: Any) -> None:
    reminders = sub.add_parser("reminders", help="reminders: preview, log, policy, times").add_subparsers(
        dest="reminders_command", required=True)
    p = reminders.add_parser("preview", help="what would be sent, day by day, if nobody answered")
    p.add_argument("--from", dest="start", type=_date, required=True)
    p.add_argument("--to", dest="end", type=_date, required=True)
    p.add_argument("--plan", help="plan number (default: every plan)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(runner=cmd_preview)
    p = reminders.add_parser("log", help="the đôn đốc log: reminders and escalations sent, delivered, answered")
    p.add_argument("--unit", help="only reminders about this unit's tasks")
    p.add_argument("--from", dest="start", type=_date)
    p.add_argument("--to", dest="end", type=_date)
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    p.set_defaults(runner=cmd_log)
    p = reminders.add_parser("policy", help="show or set the reminder policy (office default or one plan)")
    p.add_argument("--plan", help="plan number (default: the office-wide default)")
    p.add_argument("--before", type=_days, help="working days before the due date, e.g. 7,3,1")
    p.add_argument("--due-day", type=lambda text: text.lower() in ("yes", "true", "1"), help="yes|no")
    p.add_argument("--overdue-every", type=int, help="working days between overdue reminders")
    p.add_argument("--escalate-head", type=int, help="overdue working days before the unit head is told")
    p.add_argument("--escalate-chief", type=int, help="overdue working days before the chief is told")
    p.add_argument("--coordinate-days", type=int, help="coordinating units' deadline, working days before the lead's")
    p.add_argument("--reporting-day", type=int, help="day of the month periodic updates are due")
    p.add_argument("--period-before", type=int, help="working days before that day the update is asked for")
    p.set_defaults(runner=cmd_policy)
    p = reminders.add_parser("time", help="a member's reminder time (office-local), or --default")
    p.add_argument("member", type=int, help="member id")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("at", nargs="?", type=_time, help="HH:MM")
    group.add_argument("--default", dest="at", action="store_const", const=None)
    p.set_defaults(runner=cmd_member_time)

    calendar = sub.add_parser("calendar", help="the office's working calendar").add_subparsers(
        dest="calendar_command", required=True)
    p = calendar.add_parser("show", help="days off and make-up working days of a year")
    p.add_argument("--year", type=int, default=date.today().year)
    p.set_defaults(runner=cmd_calendar_show)
    for name, help_text in (("off", "make a day an office day off"), ("work", "make a day a working day"),
                            ("clear", "remove the office's override of a day")):
        p = calendar.add_parser(name, help=help_text)
        p.add_argument("day", type=_date)
        if name != "clear":
            p.add_argument("--note")
        p.set_defaults(runner=cmd_calendar_set)
