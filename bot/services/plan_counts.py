"""Counting a plan's assignments by category in one SQL statement, for summaries over very large offices.

The rules are those of `plan_status.categorise`, written once more in SQL so the database does the counting;
tests/test_summary.py checks both give the same counts on every boundary case, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.plan_status import (
    SETTLED,
    SEVERITY,
    AssignmentRow,
    Category,
    LateRule,
    assignment_rows,
    period_start,
    task_category,
)
from storage.models import Recurrence


@dataclass(frozen=True)
class GroupCount:
    """Assignments of one unit and role in one category (and blocked or not), counted in the database."""

    unit_id: int
    role: str
    category: Category
    blocked: bool
    count: int
    recent: int  # whose latest report was sent at or after `since`
    judged_since: int  # whose judged due date is on or after `since_day`
    last_report: datetime | None  # the latest of their latest reports


@dataclass(frozen=True)
class PlanCounts:
    """What a summary needs of a whole plan, without a row per assignment."""

    groups: list[GroupCount]
    tasks: list[tuple[str | None, Category, int]]  # (area, the task's category over its lead units, tasks)
    open_units: set[int]  # units that still owe something (a coordinating unit owes nothing once the lead is done)


_RANK = {category: rank for rank, category in enumerate(SEVERITY)}


def counts_from_rows(rows: list[AssignmentRow], *, since: datetime | None = None,
                     since_day: date | None = None) -> PlanCounts:
    """`PlanCounts` from rows already read (the reference the database's counts are tested against)."""
    groups: dict[tuple[int, str, Category, bool], list[Any]] = {}
    per_task: dict[int, tuple[str | None, list[Category]]] = {}
    lead_done = {r.task_id for r in rows if r.role == "lead" and r.category in SETTLED}
    open_units = set()
    for r in rows:
        key = (r.unit_id, r.role, r.category, r.blocked)
        group = groups.setdefault(key, [0, 0, 0, None])
        group[0] += 1
        if since is not None and r.reported_at is not None and r.reported_at >= since:
            group[1] += 1
        if since_day is not None and r.judged_due is not None and r.judged_due >= since_day:
            group[2] += 1
        if r.reported_at is not None and (group[3] is None or r.reported_at > group[3]):
            group[3] = r.reported_at
        if r.category not in SETTLED and (r.role == "lead" or r.task_id not in lead_done):
            open_units.add(r.unit_id)
        if r.role == "lead":
            per_task.setdefault(r.task_id, (r.area, []))[1].append(r.category)
    tasks: dict[tuple[str | None, Category], int] = {}
    for area, categories in per_task.values():
        key2 = (area, task_category(categories))
        tasks[key2] = tasks.get(key2, 0) + 1
    return PlanCounts([GroupCount(*key, *values) for key, values in groups.items()],
                      [(area, category, n) for (area, category), n in tasks.items()], open_units)


def _utc(value: datetime | str | None) -> datetime | None:
    """A UTC time column's value as an aware datetime (SQLite gives naive UTC text; asyncpg an aware datetime)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def fixed_offset(zone: ZoneInfo, today: date) -> timedelta | None:
    """The zone's UTC offset when it has not changed in the last and next year (no daylight saving): then an office
    date is a fixed shift of a UTC time, which SQLite can compute; None otherwise."""
    offsets = {zone.utcoffset(datetime(today.year + dy, month, 1)) for dy in (-1, 0, 1) for month in (1, 4, 7, 10)}
    return offsets.pop() if len(offsets) == 1 else None


async def plan_counts(
    session: AsyncSession, *, plan_id: int, today: date, zone: ZoneInfo, roles: tuple[str, ...] | None = None,
    unit_id: int | None = None, rule: LateRule = LateRule.APPROVED, since: datetime | None = None,
    since_day: date | None = None,
) -> PlanCounts:
    """The plan's counts computed by the database in one statement: the rules of `categorise`, written in SQL.
    Falls back to `counts_from_rows` where SQL cannot tell the office date (SQLite with a daylight-saving zone)."""
    connection = await session.connection()
    dialect = connection.dialect.name
    offset = fixed_offset(zone, today)
    if dialect not in ("sqlite", "postgresql") or (dialect == "sqlite" and offset is None):
        rows = await assignment_rows(session, plan_id=plan_id, today=today, zone=zone, roles=roles, unit_id=unit_id,
                                     rule=rule)
        return counts_from_rows(rows, since=since, since_day=since_day)
    statement, params = _counts_sql(dialect, plan_id=plan_id, today=today, zone=zone, offset=offset, roles=roles,
                                    unit_id=unit_id, rule=rule, since=since, since_day=since_day)
    result = await connection.execute(text(statement), params)
    try:  # the driver's rows: SQLAlchemy's Row objects would cost a third of the whole summary on a big plan
        raw = result.cursor.fetchall()
    finally:
        result.close()
    groups, tasks, open_units = [], [], set()
    for kind, unit, role, rank, blocked, area, count, recent, judged_since, last in raw:
        if kind == "u":
            groups.append(GroupCount(unit, role, SEVERITY[rank], bool(blocked), count, int(recent or 0),
                                     int(judged_since or 0), _utc(last)))
        elif kind == "t":
            tasks.append((area, SEVERITY[rank], count))
        else:
            open_units.add(unit)
    return PlanCounts(groups, tasks, open_units)


def _counts_sql(dialect: str, *, plan_id: int, today: date, zone: ZoneInfo, offset: timedelta | None,
                roles: tuple[str, ...] | None, unit_id: int | None, rule: LateRule, since: datetime | None,
                since_day: date | None) -> tuple[str, dict[str, Any]]:
    sqlite = dialect == "sqlite"

    def day(name: str) -> str:
        return f":{name}" if sqlite else f"CAST(:{name} AS DATE)"

    if sqlite:
        assert offset is not None
        local = f"date(tu.latest_at, '{int(offset.total_seconds()) // 60:+d} minutes')"
    else:
        local = "(tu.latest_at AT TIME ZONE :zone)::date"
    judged = "coalesce(er.approved_due, er.requested_due, t.due)" if rule == LateRule.APPROVED else "t.due"
    starts = {value: period_start(value, today) for value in Recurrence if value != Recurrence.NONE}
    period_start_sql = "CASE t.recurrence " + " ".join(
        f"WHEN '{value}' THEN {day('p_' + value)}" for value in starts) + " END"
    rank = {category: _RANK[category] for category in Category}
    filters = ""
    params: dict[str, Any] = {"plan": plan_id, "today": today, "zone": zone.key,
                              **{f"p_{value}": start for value, start in starts.items()}}
    if roles is not None:
        filters += " AND tu.role IN (" + ", ".join(f":role{i}" for i in range(len(roles))) + ")"
        params.update({f"role{i}": role for i, role in enumerate(roles)})
    if unit_id is not None:
        filters += " AND tu.unit_id = :unit"
        params["unit"] = unit_id
    recent = "0"
    if since is not None:
        recent = "CASE WHEN a.created_at >= " + (":since" if sqlite else "CAST(:since AS TIMESTAMPTZ)") + " THEN 1 ELSE 0 END"
        params["since"] = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else since
    fresh = "0"
    if since_day is not None:
        fresh = f"CASE WHEN a.judged >= {day('since_day')} THEN 1 ELSE 0 END"
        params["since_day"] = since_day
    if sqlite:
        params = {k: v.isoformat() if type(v) is date else v for k, v in params.items()}
        del params["zone"]
    settled = ", ".join(str(rank[c]) for c in SETTLED)
    # Each assignment's latest report is on its own row (tu.latest_*, kept by the database); only the latest
    # approved extension is looked up.
    if sqlite:  # SQLite: one index lookup per assignment is fastest
        latest_joins = """
            LEFT JOIN extension_request er ON er.id = (
                SELECT max(e.id) FROM extension_request e
                WHERE e.task_id = tu.task_id AND e.unit_id = tu.unit_id AND e.state = 'approved')"""
    else:  # PostgreSQL: hashing the plan's approved extensions once is faster than 100,000 lookups
        latest_joins = """
            LEFT JOIN (SELECT e.task_id, e.unit_id, max(e.id) AS id FROM extension_request e
                       WHERE e.state = 'approved' AND e.task_id IN (SELECT id FROM task WHERE plan_id = :plan)
                       GROUP BY e.task_id, e.unit_id) g ON g.task_id = tu.task_id AND g.unit_id = tu.unit_id
            LEFT JOIN extension_request er ON er.id = g.id"""
    statement = f"""
        WITH a AS MATERIALIZED (
            SELECT tu.task_id AS task_id, tu.unit_id AS unit_id, tu.role AS role, t.area AS area,
                   CASE WHEN tu.latest_status = 'blocked' THEN 1 ELSE 0 END AS blocked, tu.latest_at AS created_at,
                   {judged} AS judged,
                   CASE
                       WHEN t.recurrence <> 'none' THEN
                           CASE WHEN tu.latest_report_id IS NOT NULL AND {local} >= {period_start_sql}
                                THEN {rank[Category.PERIOD_REPORTED]} ELSE {rank[Category.PERIOD_PENDING]} END
                       WHEN tu.latest_status = 'done' THEN
                           CASE WHEN {judged} IS NULL OR {local} <= {judged}
                                THEN {rank[Category.DONE_ON_TIME]} ELSE {rank[Category.DONE_LATE]} END
                       WHEN {judged} IS NULL THEN {rank[Category.NO_DEADLINE]}
                       WHEN {judged} < {day('today')} THEN {rank[Category.OPEN_OVERDUE]}
                       ELSE {rank[Category.OPEN_ON_TIME]}
                   END AS rank
            FROM task_unit tu
            JOIN task t ON t.id = tu.task_id{latest_joins}
            WHERE t.plan_id = :plan AND t.removed_at IS NULL{filters}
        )
        SELECT 'u', a.unit_id, a.role, a.rank, a.blocked, NULL, count(*), sum({recent}), sum({fresh}),
               max(a.created_at)
        FROM a GROUP BY a.unit_id, a.role, a.rank, a.blocked
        UNION ALL
        SELECT 't', NULL, NULL, m.rank, NULL, m.area, count(*), NULL, NULL, NULL
        FROM (SELECT a.task_id, min(a.area) AS area, min(a.rank) AS rank FROM a WHERE a.role = 'lead'
              GROUP BY a.task_id) m
        GROUP BY m.area, m.rank
        UNION ALL
        SELECT 'o', a.unit_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM a WHERE a.rank NOT IN ({settled}) AND (a.role = 'lead' OR a.task_id NOT IN (
            SELECT l.task_id FROM a l WHERE l.role = 'lead' AND l.rank IN ({settled})))
        GROUP BY a.unit_id
    """
    return statement, params
