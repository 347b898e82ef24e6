"""/tonghop, /donvi, /quahan and the weekly digest on a plan with a known mix of statuses: every figure shown equals
the figure this test computes on its own from the raw rows (plain SQL), on both late rules, and who may see what.

The seeded mix (today is Monday 10/07/2023, office zone Asia/Ho_Chi_Minh, UTC+7) sits on the category boundaries:
done at 23:30 on the due day, done at 00:30 the day after (still the due day in UTC), an approved extension with
the task done between the two dates, an extension still running, blocked with reasons (lead and coordinating),
due today, a task with two lead units of which one is done, continuous reported this period, monthly reported
only last period, and a pending extension request.
"""

from __future__ import annotations

import re
import struct
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text, update

from bot import admin
from bot.app import open_deps
from bot.deps import Deps
from bot.messaging import Incoming, Response
from bot.i18n import Translator
from bot.services.plan_status import LateRule
from handlers.digest import build_digest
from handlers.router import handle
from storage import members
from storage.db import transaction
from storage.models import Evidence, ExtensionRequest, Member, Role, StatusReport
from tests.conftest import at, make_settings
from tests.factories import PLAN, USER_IDS, Office, seed_office

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2023, 7, 10)
NOW = at("2023-07-10 09:00")
SINCE = at("2023-07-03 08:00")  # the previous digest
HEAD_ID = 1006  # a TCPC unit head


@dataclass
class Seeded:
    office: Office
    tasks: dict[str, int]
    units: dict[str, int]
    plan_id: int


async def _seed(deps: Deps) -> Seeded:
    office = await seed_office(deps, now=NOW)
    ids = {key: task.id for key, task in office.tasks.items()}
    async with transaction(deps.sessions) as session:
        specs = {
            "due_day": dict(code="A.1", title="Xong đúng ngày hết hạn", lead=["TCPC"], due=date(2023, 7, 5),
                            area="Công khai, minh bạch"),
            "day_after": dict(code="A.2", title="Xong sau hạn một ngày", lead=["VP"], due=date(2023, 7, 5),
                              area="Công khai, minh bạch"),
            "ext_done": dict(code="A.3", title="Gia hạn rồi hoàn thành", lead=["TTra"], due=date(2023, 7, 3),
                             area="Kiểm soát tham nhũng trong khu vực công"),
            "ext_open": dict(code="A.4", title="Gia hạn còn hạn", lead=["TCPC"], due=date(2023, 7, 3),
                             area="Kiểm soát tham nhũng trong khu vực công"),
            "blocked": dict(code="A.5", title="Vướng kinh phí", lead=["VP"], due=date(2023, 7, 7),
                            area="Quản trị điện tử"),
            "due_today": dict(code="A.6", title="Hạn hôm nay", lead=["TTra"], due=TODAY, area="Quản trị điện tử"),
            "monthly": dict(code="A.7", title="Báo cáo hằng tháng", lead=["TCPC"], recurrence="monthly",
                            deadline_text="Hằng tháng", area="Quản trị điện tử"),
            "two_leads": dict(code="A.8", title="Hai đơn vị chủ trì", lead=["VP", "TTra"], due=date(2023, 7, 6),
                              area="Công khai, minh bạch"),
        }
        for key, spec in specs.items():
            ids[key] = (await admin.add_task(session, plan_number=PLAN, **spec)).id  # type: ignore[arg-type]
        head = await admin.add_member(session, full_name="Lê Văn Trưởng", role=Role.UNIT_HEAD, unit="TCPC", locale=None)
        await members.link_account(session, member_id=head.id, channel="test", external_id=str(HEAD_ID),  # type: ignore[arg-type]
                                   chat_id=str(HEAD_ID))
    unit = {name: office.people[person].unit_id for name, person in (("VP", "lan"), ("TCPC", "minh"), ("TTra", "hung"))}

    def report(task: str, unit_name: str, status: str, when: str, note: str | None = None, percent: int | None = None):  # type: ignore[no-untyped-def]
        return StatusReport(task_id=ids[task], unit_id=unit[unit_name], status=status, note=note, percent=percent,
                            channel="test", created_at=at(when))

    async with transaction(deps.sessions) as session:
        session.add_all([
            report("due_day", "TCPC", "in_progress", "2023-07-01 10:00", percent=50),
            report("due_day", "TCPC", "done", "2023-07-05 23:30"),  # 16:30 UTC on the due day
            report("day_after", "VP", "done", "2023-07-06 00:30"),  # still 5 July in UTC, 6 July in the office
            report("ext_done", "TTra", "done", "2023-07-06 10:00"),  # after the plan's 3/7, before the approved 7/7
            report("blocked", "VP", "blocked", "2023-07-04 10:00", note="thiếu kinh phí"),
            report("vp_june", "TCPC", "blocked", "2023-07-08 10:00", note="chờ ý kiến Sở Tài chính"),  # coordinating
            report("due_today", "TTra", "in_progress", "2023-07-09 10:00", percent=50),
            report("monthly", "TCPC", "in_progress", "2023-06-25 10:00", percent=40),  # last month's period only
            report("ttra_cont", "TTra", "in_progress", "2023-07-01 10:00"),  # this month's period
            report("two_leads", "VP", "done", "2023-07-05 10:00"),
            report("tcpc_oct", "TCPC", "in_progress", "2023-06-01 10:00", percent=10),
        ])
        session.add_all([
            ExtensionRequest(task_id=ids["ext_done"], unit_id=unit["TTra"], requested_due=date(2023, 7, 7),
                             channel="test", state="approved", approved_due=date(2023, 7, 7),
                             created_at=at("2023-07-02 10:00"), decided_at=at("2023-07-02 11:00")),
            ExtensionRequest(task_id=ids["ext_open"], unit_id=unit["TCPC"], requested_due=date(2023, 7, 20),
                             channel="test", state="approved", approved_due=date(2023, 7, 20),
                             created_at=at("2023-07-04 10:00"), decided_at=at("2023-07-04 11:00")),
            ExtensionRequest(task_id=ids["vp_year"], unit_id=unit["VP"], requested_due=date(2024, 1, 15),
                             channel="test", created_at=at("2023-07-07 10:00")),
            Evidence(task_id=ids["due_day"], unit_id=unit["TCPC"], file_name="qd.pdf", mime_type="application/pdf",
                     size=10, sha256="a" * 64, channel="test", created_at=at("2023-07-05 23:00")),
            Evidence(task_id=ids["tcpc_oct"], unit_id=unit["TCPC"], file_name="old.pdf", mime_type="application/pdf",
                     size=10, sha256="b" * 64, channel="test", created_at=at("2023-06-05 09:00")),
        ])
        await session.exec(update(Member).where(Member.role.in_((Role.CHIEF, Role.LEADERSHIP))).values(locale="en"))  # type: ignore[attr-defined]
    async with deps.sessions() as session:
        plan_id = (await session.exec(text("SELECT id FROM plan"))).scalar_one()
    return Seeded(office, ids, unit, plan_id)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the independent computation, from raw rows


def _local(value: object) -> date:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(ZONE).date()


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


@dataclass
class Expected:
    tasks: Counter[str]
    units: dict[str, Counter[str]]
    areas: dict[str, Counter[str]]
    overdue: list[tuple[int, str, int]]  # (task, unit, days late)
    blocked: list[tuple[int, str, str]]
    pending_extensions: int
    last_reply: dict[str, date]
    changes: dict[str, int]


async def expected(deps: Deps, today: date, *, original: bool = False, unit: str | None = None) -> Expected:
    """The figures from the raw rows, with the rules as the office states them (not the bot's code)."""
    async with deps.sessions() as session:
        rows = lambda sql: session.exec(text(sql))  # noqa: E731
        assignments = (await rows(
            "SELECT t.id, t.due, t.recurrence, t.area, u.short_name, tu.role, tu.unit_id FROM task t "
            "JOIN task_unit tu ON tu.task_id = t.id JOIN unit u ON u.id = tu.unit_id WHERE t.removed_at IS NULL")).all()
        reports = (await rows("SELECT id, task_id, unit_id, status, note, created_at FROM status_report")).all()
        extensions = (await rows("SELECT id, task_id, unit_id, state, approved_due, created_at FROM extension_request")).all()
        evidence = (await rows("SELECT created_at FROM evidence")).all()
    latest: dict[tuple[int, int], tuple] = {}
    for row in sorted(reports, key=lambda r: r[0]):
        latest[(row[1], row[2])] = row
    approved: dict[tuple[int, int], date] = {}
    for row in sorted(extensions, key=lambda r: r[0]):
        if row[3] == "approved":
            approved[(row[1], row[2])] = _day(row[4])  # type: ignore[assignment]
    per_task: dict[int, list[str]] = defaultdict(list)
    area_of: dict[int, str] = {}
    units: dict[str, Counter[str]] = defaultdict(Counter)
    overdue, blocked, last_reply = [], [], {}
    completed = newly_overdue = new_blockers = 0
    worst = ["open_overdue", "period_pending", "open_on_time", "no_deadline", "done_late", "period_reported",
             "done_on_time"]
    month_start = today.replace(day=1)
    since_day = _local(SINCE)
    lead_done: set[int] = set()
    for task_id, due, recurrence, area, name, role, unit_id in assignments:
        if unit is not None and name != unit:
            continue
        report = latest.get((task_id, unit_id))
        reported = _local(report[5]) if report else None
        if report and (name not in last_reply or _local(report[5]) > last_reply[name]) and role != "supervise":
            last_reply[name] = reported  # type: ignore[assignment]
        plan_due = _day(due)
        judged = plan_due if original or (task_id, unit_id) not in approved else approved[(task_id, unit_id)]
        if recurrence != "none":
            category = "period_reported" if reported and reported >= month_start else "period_pending"
        elif report and report[3] == "done":
            category = "done_on_time" if judged is None or reported <= judged else "done_late"  # type: ignore[operator]
        elif judged is None:
            category = "no_deadline"
        else:
            category = "open_overdue" if judged < today else "open_on_time"
        if report and report[3] == "blocked" and category not in ("done_on_time", "done_late", "period_reported"):
            blocked.append((task_id, name, report[4]))
            if _as_utc(report[5]) >= SINCE:
                new_blockers += 1
        if role != "lead":
            continue
        units[name][category] += 1
        per_task[task_id].append(category)
        area_of[task_id] = area or "(no dimension)"
        if category == "open_overdue":
            overdue.append((task_id, name, (today - judged).days))  # type: ignore[operator]
            if judged >= since_day:  # type: ignore[operator]
                newly_overdue += 1
        if category in ("done_on_time", "done_late"):
            lead_done.add(task_id)
            if _as_utc(report[5]) >= SINCE:  # type: ignore[index]
                completed += 1
    tasks = Counter(min(categories, key=worst.index) for categories in per_task.values())
    areas: dict[str, Counter[str]] = defaultdict(Counter)
    for task_id, categories in per_task.items():
        areas[area_of[task_id]][min(categories, key=worst.index)] += 1
    pending = sum(1 for row in extensions if row[3] == "pending" and (unit is None or any(
        a[0] == row[1] and a[6] == row[2] and a[4] == unit for a in assignments)))
    changes = {
        "completed": completed, "newly_overdue": newly_overdue, "new_blockers": new_blockers,
        "evidence": sum(1 for (created,) in evidence if _as_utc(created) >= SINCE),
        "extension_requests": sum(1 for row in extensions if _as_utc(row[5]) >= SINCE),
    }
    return Expected(tasks, units, areas, sorted(overdue, key=lambda o: (-o[2], o[0])), blocked, pending, last_reply,
                    changes)


def _as_utc(value: object) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


LABELS = {"done_on_time": "Done on time", "done_late": "Done late", "open_on_time": "In progress, on time",
          "open_overdue": "In progress, overdue", "period_reported": "Reported this period",
          "period_pending": "Not reported this period"}


def pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole) if whole else 0}%"


def category_lines(counts: Counter[str]) -> list[str]:
    total = sum(counts.values())
    return [f"• {label}: {counts[key]} ({pct(counts[key], total)})" for key, label in LABELS.items()]


def on_time(counts: Counter[str]) -> str:
    judged = counts["done_on_time"] + counts["done_late"] + counts["open_overdue"]
    return pct(counts["done_on_time"], judged) if judged else "—"


# ------------------------------------------------------------------------------------------------ helpers


async def say(deps: Deps, user: int, words: str | None = None, *, action: str | None = None) -> Response:
    return await handle(deps, Incoming(channel="test", chat_id=str(user), sender_id=str(user), sender_name="x",
                                       received_at=NOW, text=words, action=action))


def shown(response: Response) -> str:
    return "\n".join([response.notice or "", *(m.text.replace("\x02", "").replace("\x03", "") for m in response.messages)])


def buttons(response: Response) -> dict[str, str]:
    return {b.label: b.action for m in response.messages for row in m.buttons for b in row}


@pytest.fixture
async def seeded(deps: Deps) -> Seeded:
    return await _seed(deps)


# ------------------------------------------------------------------------------------------------ the tests


async def test_the_boundaries_are_categorised_as_the_office_rules_say(deps: Deps, seeded: Seeded) -> None:
    """The independent computation itself on the boundary rows (so a mistake in it cannot hide one in the bot)."""
    mine = await expected(deps, TODAY)
    assert mine.tasks == Counter({"open_overdue": 3, "open_on_time": 4, "done_on_time": 2, "done_late": 1,
                                  "period_reported": 1, "period_pending": 1})
    assert mine.units["TCPC"] == Counter({"done_on_time": 1, "open_on_time": 2, "period_pending": 1})
    assert mine.units["VP"] == Counter({"done_late": 1, "open_overdue": 2, "open_on_time": 1, "done_on_time": 1})
    strict = await expected(deps, TODAY, original=True)
    assert strict.tasks["done_late"] == 2 and strict.tasks["open_overdue"] == 4  # ext_done late, ext_open overdue


@pytest.mark.parametrize("rule", ["approved", "original"])
async def test_every_figure_of_the_summary_equals_the_raw_rows(database_url: str, tmp_path: Path, rule: str) -> None:
    async with open_deps(make_settings(database_url, tmp_path, late_rule=rule)) as deps:
        seeded = await _seed(deps)
        mine = await expected(deps, TODAY, original=rule == "original")
        reply = await say(deps, USER_IDS["chief"], "/tonghop")
        text = shown(reply)
        total = sum(mine.tasks.values())
        assert f"As of 10 Jul 2023: {total} tasks" in text
        for line in category_lines(mine.tasks):
            assert line in text, (line, text)
        assert f"On-time rate: {on_time(mine.tasks)}" in text
        for name, counts in mine.units.items():
            n = sum(counts.values())
            last = mine.last_reply.get(name)
            row = (f"{name}: {n} task{'s' if n != 1 else ''} · on time {on_time(counts)} · {counts['open_overdue']} overdue"
                   f" · last reply {last.strftime('%-d %b %Y') if last else '—'}")
            assert row in text, (row, text)
        for area, counts in mine.areas.items():
            n = sum(counts.values())
            done = counts["done_on_time"] + counts["done_late"]
            assert f"{area}: {n} task{'s' if n != 1 else ''} · {done} done · {counts['open_overdue']} overdue" in text
        labels = buttons(reply)
        assert f"⏰ Overdue ({len(mine.overdue)})" in labels and f"⚠️ Blocked ({len(mine.blocked)})" in labels
        assert f"📅 Extension requests ({mine.pending_extensions})" in labels

        overdue = shown(await say(deps, USER_IDS["chief"], action=labels[f"⏰ Overdue ({len(mine.overdue)})"]))
        found = [(int(task), unit, int(days)) for task, unit, days in re.findall(
            r"#(\d+) · [^\n]*\n   (\w+) · Due [^·]+ · (\d+) days? overdue", overdue)]
        assert found == mine.overdue, overdue
        blocked = shown(await say(deps, USER_IDS["chief"], action=labels[f"⚠️ Blocked ({len(mine.blocked)})"]))
        for task_id, unit, reason in mine.blocked:
            assert re.search(rf"#{task_id} · [^\n]*\n   {unit} \([^)]*\): {reason}", blocked), blocked
        # /quahan for the chief: the same list across units.
        assert shown(await say(deps, USER_IDS["chief"], "/quahan")).count(" overdue") == len(mine.overdue)
        if rule == "approved":  # the extension's date is judged, the plan's date is shown
            unit_view = shown(await say(deps, USER_IDS["chief"], "/donvi tcpc"))
            assert f"#{seeded.tasks['ext_open']} · Gia hạn còn hạn\n   Due 20 Jul 2023 · (extended from 3 Jul 2023)" \
                in unit_view, unit_view


async def test_unit_view_matches_loosely_offers_a_choice_and_shows_days_late(deps: Deps, seeded: Seeded) -> None:
    chief = USER_IDS["chief"]
    view = shown(await say(deps, chief, "/donvi phong to chuc phap che"))
    assert "Phòng Tổ chức - Pháp chế · plan 435/KH-SVHTT" in view
    assert f"#{seeded.tasks['vp_june']} · " in view and "Coordinating" in view  # its coordinating task too
    vp = shown(await say(deps, chief, "/donvi VP"))
    assert re.search(rf"#{seeded.tasks['blocked']} · Vướng kinh phí\n   Due 7 Jul 2023 · 3 days overdue · blocked: thiếu kinh phí", vp), vp
    assert re.search(rf"#{seeded.tasks['day_after']} · [^\n]*\n   Due 5 Jul 2023 · done 1 day late", vp), vp
    assert "Phòng Tổ chức - Pháp chế · plan" in shown(await say(deps, chief, "/donvi TCPC"))
    async with transaction(deps.sessions) as session:
        await admin.add_unit(session, name="Phòng Tổ chức cán bộ", short_name="TCCB", aliases=[])
    choice = await say(deps, chief, "/donvi to chuc")
    assert "Several units match “to chuc”. Which one?" in shown(choice)
    options = buttons(choice)
    assert set(options) == {"TCPC", "TCCB"}
    picked = shown(await say(deps, chief, action=options["TCPC"]))
    assert "Phòng Tổ chức - Pháp chế · plan" in picked
    assert "No unit matches “xyz”." in shown(await say(deps, chief, "/donvi xyz"))


async def test_a_unit_head_sees_only_their_unit(deps: Deps, seeded: Seeded) -> None:
    mine = await expected(deps, TODAY, unit="TCPC")
    reply = await say(deps, HEAD_ID, "/tonghop")
    text = shown(reply)
    total = sum(mine.tasks.values())
    assert f"Đến ngày 10/07/2023: {total} nhiệm vụ" in text
    assert f"• Đã hoàn thành đúng hạn: {mine.tasks['done_on_time']} ({pct(mine.tasks['done_on_time'], total)})" in text
    assert "TCPC" in text and "VP:" not in text and "TTra:" not in text
    plan = seeded.plan_id
    for forged in (f"su:{plan}:{seeded.units['VP']}", f"su:{plan}:{seeded.units['TTra']}"):
        assert "tổng hợp dành cho" in shown(await say(deps, HEAD_ID, action=forged))
    assert "tổng hợp dành cho" in shown(await say(deps, HEAD_ID, "/donvi VP"))
    overdue = shown(await say(deps, HEAD_ID, action=f"so:{plan}"))
    assert f"#{seeded.tasks['blocked']}" not in overdue and f"#{seeded.tasks['vp_june']}" not in overdue
    own = shown(await say(deps, HEAD_ID, "/donvi"))
    assert "Phòng Tổ chức - Pháp chế · " in own


async def test_an_officer_gets_no_summary_of_other_units(deps: Deps, seeded: Seeded) -> None:
    lan = USER_IDS["lan"]
    refused = "Xin lỗi, chức năng tổng hợp dành cho Chánh Văn phòng, lãnh đạo Sở và trưởng đơn vị."
    plan = seeded.plan_id
    for words, action in (("/tonghop", None), ("/donvi TCPC", None), ("/donvi VP", None), (None, f"so:{plan}"),
                          (None, f"su:{plan}:{seeded.units['TCPC']}"), (None, f"sl:{plan}"), (None, f"sp:{plan}")):
        assert shown(await say(deps, lan, words, action=action)).strip() == refused, (words, action)
    own = shown(await say(deps, lan, "/quahan"))  # their own unit's overdue tasks, as before
    assert f"#{seeded.tasks['blocked']}" in own and f"#{seeded.tasks['ext_open']}" not in own


async def test_leadership_reads_everything_and_changes_nothing(deps: Deps, seeded: Seeded) -> None:
    leader = USER_IDS["leader"]
    async with deps.sessions() as session:
        before = [(await session.exec(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                  for table in ("status_report", "extension_request", "evidence", "task")]
        pending_id = (await session.exec(text("SELECT id FROM extension_request WHERE state = 'pending'"))).scalar_one()
    reply = await say(deps, leader, "/tonghop")
    assert "In progress, overdue" in shown(reply)
    for action in buttons(reply).values():  # every drill-down opens for leadership
        assert "Sorry" not in shown(await say(deps, leader, action=action))
    listed = await say(deps, leader, action=f"sx:{seeded.plan_id}")
    assert all(not m.buttons for m in listed.messages)  # no decision buttons for leadership
    for forged in (f"xa:{pending_id}", f"xr:{pending_id}", f"s:{seeded.tasks['vp_year']}:d"):
        assert "Sorry" in shown(await say(deps, leader, action=forged))
    assert "Sorry" in shown(await say(deps, leader, f"#{seeded.tasks['vp_year']} xong"))
    async with deps.sessions() as session:
        after = [(await session.exec(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                 for table in ("status_report", "extension_request", "evidence", "task")]
        state = (await session.exec(text(f"SELECT state FROM extension_request WHERE id = {pending_id}"))).scalar_one()
    assert after == before and state == "pending"


async def test_every_figure_of_the_digest_equals_the_raw_rows(deps: Deps, seeded: Seeded) -> None:
    mine = await expected(deps, TODAY)
    async with deps.sessions() as session:
        digest = await build_digest(session, Translator("en"), plan_id=seeded.plan_id, today=TODAY, since=SINCE,
                                    zone=ZONE, rule=LateRule.APPROVED, silent_after=10)
    assert digest is not None and digest.photo is not None
    caption = digest.photo.caption.replace("\x02", "").replace("\x03", "")
    assert caption.startswith("Weekly digest · plan 435/KH-SVHTT\nAs of 10 Jul 2023: ")
    for line in category_lines(mine.tasks):
        assert line in caption, (line, caption)
    assert len(caption.encode("utf-16-le")) // 2 <= 1024
    body = digest.text.replace("\x02", "").replace("\x03", "")
    changes = mine.changes
    assert changes == {"completed": 4, "newly_overdue": 2, "new_blockers": 2, "evidence": 1, "extension_requests": 2}
    for line in ("Since 3 Jul 2023", f"✅ Completed: {changes['completed']}",
                 f"⏰ Newly overdue: {changes['newly_overdue']}", f"⚠️ New blockers: {changes['new_blockers']}",
                 f"📎 Evidence files received: {changes['evidence']}",
                 f"📅 Extension requests: {changes['extension_requests']} ({mine.pending_extensions} waiting for you)"):
        assert line in body, (line, body)
    worst = sorted(((sum(1 for o in mine.overdue if o[1] == u), u) for u in mine.units), key=lambda x: (-x[0], x[1]))
    late_lines = [f"{u}: {n} overdue · on time {on_time(mine.units[u])}" for n, u in worst if n][:3]
    assert "Most overdue units\n" + "\n".join(late_lines) in body, body
    assert len(body.splitlines()) <= 14  # one phone screen under the chart
    labels = {b.label for row in digest.buttons for b in row}
    assert {"📊 Full summary", f"⏰ Overdue ({len(mine.overdue)})", f"⚠️ Blocked ({len(mine.blocked)})"} <= labels
    png = digest.photo.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert 800 <= width <= 1280 and height >= 300


async def test_silent_units_are_listed_after_n_working_days(deps: Deps, seeded: Seeded) -> None:
    # Latest replies: VP 6/7, TCPC 8/7 (a Saturday), TTra 9/7 (a Sunday). On Friday 21/7, VP has been silent 11
    # working days (listed), TCPC and TTra 10 (not yet).
    later = at("2023-07-21 09:00")
    reply = await handle(deps, Incoming(channel="test", chat_id=str(USER_IDS["chief"]),
                                        sender_id=str(USER_IDS["chief"]), sender_name="x", received_at=later,
                                        text="/tonghop"))
    text = shown(reply)
    assert text.endswith("Silent for more than 10 working days\nVP: last reply 6 Jul 2023 (11 working days ago)"), text


async def test_plan_states_gives_every_assignment_with_its_objects(deps: Deps, seeded: Seeded) -> None:
    """The shared row-level API (the report export reads it): same rows and categories as the summary's."""
    from bot.services.plan_status import Category, assignment_rows, plan_states

    async with deps.sessions() as session:
        states = await plan_states(session, plan_id=seeded.plan_id, today=TODAY, zone=ZONE)
        rows = await assignment_rows(session, plan_id=seeded.plan_id, today=TODAY, zone=ZONE)
        tcpc = await plan_states(session, plan_id=seeded.plan_id, today=TODAY, zone=ZONE, unit_id=seeded.units["TCPC"])
        strict = await plan_states(session, plan_id=seeded.plan_id, today=TODAY, zone=ZONE, rule=LateRule.ORIGINAL,
                                   roles=("lead",))
    assert [(s.task.id, s.unit.id, s.role, s.category) for s in states] == [
        (r.task_id, r.unit_id, r.role, r.category) for r in rows]
    assert len(states) == 14  # twelve tasks, a second lead unit on one, and vp_june's coordinating unit
    by = {(s.task.id, s.unit.short_name): s for s in states}
    done = by[(seeded.tasks["ext_done"], "TTra")]
    assert (done.original_due, done.approved_due, done.due, done.category) == (
        date(2023, 7, 3), date(2023, 7, 7), date(2023, 7, 7), Category.DONE_ON_TIME)
    assert by[(seeded.tasks["due_day"], "TCPC")].evidence_count == 1
    assert by[(seeded.tasks["due_day"], "TCPC")].reported_at == at("2023-07-05 23:30")
    coordinating = by[(seeded.tasks["vp_june"], "TCPC")]
    assert (coordinating.role, coordinating.blocked, coordinating.note) == ("coordinate", True, "chờ ý kiến Sở Tài chính")
    assert by[(seeded.tasks["vp_june"], "VP")].days_late(TODAY) == 10
    assert {s.unit.short_name for s in tcpc} == {"TCPC"} and len(tcpc) == 5
    late = {s.task.id: s.category for s in strict}
    assert late[seeded.tasks["ext_done"]] == Category.DONE_LATE and late[seeded.tasks["ext_open"]] == Category.OPEN_OVERDUE


@pytest.mark.parametrize("rule", [LateRule.APPROVED, LateRule.ORIGINAL])
async def test_the_databases_counts_follow_the_same_rules_as_the_rows(deps: Deps, seeded: Seeded, rule: LateRule) -> None:
    """/tonghop counts in SQL (`plan_counts`); the rules there must be exactly `categorise`'s, on the boundaries."""
    from bot.services.plan_counts import counts_from_rows, fixed_offset, plan_counts
    from bot.services.plan_status import assignment_rows

    def canonical(counts):  # type: ignore[no-untyped-def]
        return (sorted((g.unit_id, g.role, g.category, g.blocked, g.count, g.recent, g.judged_since, g.last_report)
                       for g in counts.groups),
                sorted(counts.tasks, key=str), counts.open_units)

    for options in ({}, {"unit_id": seeded.units["TCPC"]}, {"roles": ("lead",)}):
        async with deps.sessions() as session:
            sql = await plan_counts(session, plan_id=seeded.plan_id, today=TODAY, zone=ZONE, rule=rule, since=SINCE,
                                    since_day=SINCE.astimezone(ZONE).date(), **options)  # type: ignore[arg-type]
            rows = await assignment_rows(session, plan_id=seeded.plan_id, today=TODAY, zone=ZONE, rule=rule,
                                         **options)  # type: ignore[arg-type]
        assert canonical(sql) == canonical(counts_from_rows(rows, since=SINCE, since_day=SINCE.astimezone(ZONE).date()))
    assert fixed_offset(ZONE, TODAY) == timedelta(hours=7)
    assert fixed_offset(ZoneInfo("Europe/Paris"), TODAY) is None  # daylight saving: SQLite falls back to the rows
