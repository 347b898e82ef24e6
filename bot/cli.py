"""`dondoc`: the command line for admins, the console channel, and running the bot."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot import admin
from bot.backup import add_backup_commands
from bot.config import Settings
from bot.import_cli import add_import_command
from bot.logs import configure_logging
from bot.reminders_cli import add_reminder_commands
from bot.report_cli import add_report_command
from bot.webhook_cli import add_webhook_command
from storage.models import Recurrence, Role

Runner = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


def _now() -> datetime:
    return datetime.now(UTC)


async def _with_session(settings: Settings, work: Callable[[Any], Coroutine[Any, Any, None]]) -> int:
    from bot.app import open_deps
    from storage.db import transaction

    async with open_deps(settings) as deps, transaction(deps.sessions) as session:
        try:
            await work(session)
        except admin.AdminError as error:
            await session.rollback()
            print(f"error: {error}", file=sys.stderr)
            return 2
    return 0


# --- db ---------------------------------------------------------------------------------------------------------
async def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import create_engine
    from storage.migrate import current_revision, upgrade

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        print(f"database at revision {await current_revision(engine)}")
    finally:
        await engine.dispose()
    return 0


# --- units, members, invites --------------------------------------------------------------------------------------
async def cmd_unit_add(args: argparse.Namespace, settings: Settings) -> int:
    async def work(session: Any) -> None:
        unit = await admin.add_unit(session, name=args.name, short_name=args.short, aliases=args.alias)
        print(f"unit {unit.id}: {unit.name}" + (f" ({unit.short_name})" if unit.short_name else ""))

    return await _with_session(settings, work)


async def cmd_unit_list(args: argparse.Namespace, settings: Settings) -> int:
    from storage import units

    async def work(session: Any) -> None:
        for unit in await units.list_units(session):
            aliases = await units.aliases_of(session, unit_id=unit.id)
            print(f"{unit.id}\t{unit.short_name or '-'}\t{unit.name}\t[{'; '.join(aliases)}]")

    return await _with_session(settings, work)


async def cmd_unit_alias(args: argparse.Namespace, settings: Settings) -> int:
    from storage import units

    async def work(session: Any) -> None:
        unit = await admin.resolve_unit(session, args.unit)
        try:
            added = await units.add_alias(session, unit_id=unit.id, alias=args.alias)
        except ValueError as error:
            raise admin.AdminError(str(error)) from error
        print(f"{args.alias!r} {'now names' if added else 'already names'} {unit.name}")

    return await _with_session(settings, work)


async def cmd_member_add(args: argparse.Namespace, settings: Settings) -> int:
    async def work(session: Any) -> None:
        member = await admin.add_member(session, full_name=args.name, role=args.role, unit=args.unit, locale=args.locale)
        print(f"member {member.id}: {member.full_name} ({member.role})")

    return await _with_session(settings, work)


async def cmd_member_list(args: argparse.Namespace, settings: Settings) -> int:
    from storage import members, units

    async def work(session: Any) -> None:
        for member in await members.list_members(session):
            unit = await units.get_unit(session, unit_id=member.unit_id) if member.unit_id else None
            channels = ",".join(a.channel for a in await members.accounts_of(session, member_id=member.id)) or "-"
            print(f"{member.id}\t{member.role}\t{unit.short_name or unit.name if unit else '-'}\t{member.full_name}\t{channels}")

    return await _with_session(settings, work)


async def cmd_member_digest(args: argparse.Namespace, settings: Settings) -> int:
    """The weekly digest on or off for one member (the chief gets it unless off; leadership when on)."""
    from storage import members
    from storage.audit import record_change

    async def work(session: Any) -> None:
        member = await members.get_member(session, member_id=args.member)
        if member is None:
            raise admin.AdminError(f"no member with id {args.member}")
        if member.role not in (Role.CHIEF, Role.LEADERSHIP, Role.ADMIN):
            raise admin.AdminError("the weekly digest is for the chief of office, leadership and administrators")
        member.weekly_digest = args.state == "on"
        session.add(member)
        await record_change(session, actor=admin.ACTOR, member_id=None, action="member.weekly_digest",
                            entity="member", entity_id=member.id, detail={"on": member.weekly_digest})
        print(f"member {member.id}: weekly digest {args.state}")

    return await _with_session(settings, work)


async def cmd_invite_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(session: Any) -> None:
        invite = await admin.add_invite(
            session, role=args.role, unit=args.unit, days=args.days or settings.invite_ttl_days, now=_now(),
            member_id=args.member,
        )
        expires = invite.expires_at.astimezone(settings.zone).strftime("%d/%m/%Y %H:%M")
        print(f"invite code: {invite.code} (role {invite.role}, expires {expires})")
        print(f"in Telegram, send: /start {invite.code}")
        if settings.telegram_bot_username:
            print(f"or open: https://t.me/{settings.telegram_bot_username}?start={invite.code}")

    return await _with_session(settings, work)


async def cmd_invite_list(args: argparse.Namespace, settings: Settings) -> int:
    from storage import members

    async def work(session: Any) -> None:
        now = _now()
        for invite in await members.list_invites(session):
            state = "used" if invite.used_at else ("expired" if invite.expires_at <= now else "valid")
            print(f"{invite.code}\t{invite.role}\tunit={invite.unit_id or '-'}\t{state}")

    return await _with_session(settings, work)


# --- plans and tasks ----------------------------------------------------------------------------------------------
async def cmd_plan_add(args: argparse.Namespace, settings: Settings) -> int:
    async def work(session: Any) -> None:
        plan = await admin.add_plan(session, number=args.number, title=args.title, issued_on=args.issued_on,
                                    issuer=args.issuer, year=args.year)
        print(f"plan {plan.id}: {plan.number}")

    return await _with_session(settings, work)


async def cmd_plan_list(args: argparse.Namespace, settings: Settings) -> int:
    from storage import plans

    async def work(session: Any) -> None:
        for plan in await plans.list_plans(session):
            print(f"{plan.id}\t{plan.number}\t{await plans.count_tasks(session, plan_id=plan.id)} tasks\t{plan.title}")

    return await _with_session(settings, work)


async def cmd_task_add(args: argparse.Namespace, settings: Settings) -> int:
    async def work(session: Any) -> None:
        task = await admin.add_task(
            session, plan_number=args.plan, code=args.code, title=args.title, lead=args.lead,
            coordinate=args.coordinate, supervise=args.supervise, expected_result=args.result, area=args.area,
            component=args.component, start=args.start, due=args.due, recurrence=args.recurrence,
            deadline_text=args.deadline_text,
        )
        print(f"task #{task.id}: {task.code} {task.title[:60]}")

    return await _with_session(settings, work)


async def cmd_task_list(args: argparse.Namespace, settings: Settings) -> int:
    from storage import plans

    async def work(session: Any) -> None:
        plan = await plans.find_plan(session, number=args.plan) if args.plan else None
        unit = await admin.resolve_unit(session, args.unit) if args.unit else None
        seen: set[int] = set()
        for task, _link in await plans.assignments(session, plan_id=plan.id if plan else None,
                                                   unit_id=unit.id if unit else None):
            if task.id in seen:
                continue
            seen.add(task.id)
            print(f"#{task.id}\t{task.code}\t{task.due or '-'}\t{task.deadline_text or '-'}\t{task.title[:70]}")

    return await _with_session(settings, work)


# --- understand, shell, run ---------------------------------------------------------------------------------------
async def cmd_understand(args: argparse.Namespace, settings: Settings) -> int:
    from bot.understanding import read_reply

    today = args.today or datetime.now(settings.zone).date()
    reading = read_reply(args.text, today=today).to_json_dict()
    if args.json:
        print(json.dumps(reading, ensure_ascii=False))
    else:
        for key, value in reading.items():
            print(f"{key}: {value if value is not None else '-'}")
    return 0


async def cmd_shell(args: argparse.Namespace, settings: Settings) -> int:
    from bot.shell import run_shell

    if args.demo:
        workdir = Path(tempfile.mkdtemp(prefix="dondoc-demo-"))
        settings = settings.model_copy(update={
            "database_url": f"sqlite:///{workdir / 'demo.sqlite3'}", "evidence_dir": workdir / "evidence",
        })
    return await run_shell(settings, speaker=args.as_member, demo=args.demo)


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import run_bot
    from bot.webhooks import WebhookSettingsError

    if args.webhook:
        settings = settings.model_copy(update={"webhook_mode": True})
    if settings.telegram_token is None and settings.zalo_token is None and not settings.webhook_mode:
        print("Neither TELEGRAM_TOKEN nor ZALO_TOKEN is set: starting the console channel with demo data instead.\n"
              "(Set TELEGRAM_TOKEN and/or ZALO_TOKEN in .env to run the bot on Telegram and/or Zalo.)", file=sys.stderr)
        args.demo, args.as_member = True, None
        return await cmd_shell(args, settings)
    try:
        await run_bot(settings)
    except WebhookSettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dondoc", description="Đôn Đốc: follow up the tasks of an office's plans.")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, runner: Runner, parent: Any = sub, **kwargs: Any) -> argparse.ArgumentParser:
        child: argparse.ArgumentParser = parent.add_parser(name, **kwargs)
        child.set_defaults(runner=runner)
        return child

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    command("upgrade", cmd_db_upgrade, db, help="apply migrations (also done at every start)")

    unit = sub.add_parser("unit", help="units").add_subparsers(dest="unit_command", required=True)
    p = command("add", cmd_unit_add, unit, help="create a unit")
    p.add_argument("name")
    p.add_argument("--short", help="short name, e.g. TCPC")
    p.add_argument("--alias", action="append", default=[], help="another spelling (repeatable)")
    command("list", cmd_unit_list, unit, help="list units and aliases")
    p = command("alias", cmd_unit_alias, unit, help="add a spelling to a unit")
    p.add_argument("unit")
    p.add_argument("alias")

    member = sub.add_parser("member", help="members").add_subparsers(dest="member_command", required=True)
    p = command("add", cmd_member_add, member, help="create a member")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=[role.value for role in Role])
    p.add_argument("--unit")
    p.add_argument("--locale", choices=["vi", "en"])
    command("list", cmd_member_list, member, help="list members")
    p = command("digest", cmd_member_digest, member, help="weekly digest on or off for a member")
    p.add_argument("member", type=int)
    p.add_argument("state", choices=["on", "off"])

    invite = sub.add_parser("invite", help="invite codes").add_subparsers(dest="invite_command", required=True)
    p = command("create", cmd_invite_create, invite, help="issue a one-time invite code")
    p.add_argument("--role", required=True, choices=[role.value for role in Role])
    p.add_argument("--unit")
    p.add_argument("--days", type=int, help="days the code stays valid (default INVITE_TTL_DAYS)")
    p.add_argument("--member", type=int, help="link the code to an existing member id")
    command("list", cmd_invite_list, invite, help="list invite codes")

    plan = sub.add_parser("plan", help="plans").add_subparsers(dest="plan_command", required=True)
    p = command("add", cmd_plan_add, plan, help="add a plan by hand")
    p.add_argument("--number", required=True, help="e.g. 435/KH-SVHTT")
    p.add_argument("--title", required=True)
    p.add_argument("--issued-on", type=_date)
    p.add_argument("--issuer")
    p.add_argument("--year", type=int)
    command("list", cmd_plan_list, plan, help="list plans")

    task = sub.add_parser("task", help="tasks").add_subparsers(dest="task_command", required=True)
    p = command("add", cmd_task_add, task, help="add a task to a plan by hand")
    p.add_argument("--plan", required=True, help="plan number")
    p.add_argument("--code", required=True, help="the task's number in the plan, e.g. II.1")
    p.add_argument("--title", required=True, help="the task content")
    p.add_argument("--lead", action="append", default=[], help="lead unit (repeatable; * = every unit)")
    p.add_argument("--coordinate", action="append", default=[], help="coordinating unit (repeatable)")
    p.add_argument("--supervise", action="append", default=[], help="supervising unit (repeatable)")
    p.add_argument("--result", help="expected result")
    p.add_argument("--area", help="PAPI dimension or reform area")
    p.add_argument("--component", help="component (nội dung thành phần)")
    p.add_argument("--start", type=_date)
    p.add_argument("--due", type=_date)
    p.add_argument("--recurrence", default="none", choices=[value.value for value in Recurrence])
    p.add_argument("--deadline-text", help="the plan's own deadline phrase")
    p = command("list", cmd_task_list, task, help="list tasks")
    p.add_argument("--plan")
    p.add_argument("--unit")

    p = command("understand", cmd_understand, help="show how a reply text is read")
    p.add_argument("text")
    p.add_argument("--today", type=_date, help="date relative words are read against (default: today)")
    p.add_argument("--json", action="store_true")

    p = command("shell", cmd_shell, help="talk to the bot in this terminal")
    p.add_argument("--as", dest="as_member", help="member id or name to speak as")
    p.add_argument("--demo", action="store_true", help="use a throwaway database with the KH 435 demo plan")

    p = command("run", cmd_run, help="run the bot (Telegram and/or Zalo when their tokens are set, else the demo console)")
    p.add_argument("--webhook", action="store_true", default=None,
                   help="receive updates by webhook at PUBLIC_BASE_URL (as WEBHOOK_MODE=true) instead of polling")
    add_webhook_command(sub)
    add_import_command(sub)
    add_reminder_commands(sub)
    add_report_command(sub)
    add_backup_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    secrets = [secret.get_secret_value() for secret in (settings.telegram_token, settings.zalo_token,
                                                         settings.zalo_webhook_secret, settings.link_secret,
                                                         settings.telegram_webhook_secret) if secret]
    configure_logging(settings.log_level if args.runner is cmd_run else "WARNING", secrets=secrets,
                      log_format=settings.log_format)
    return asyncio.run(args.runner(args, settings))


if __name__ == "__main__":
    raise SystemExit(main())
