"""Benchmark: /tonghop and the weekly digest on a big office, against one hand-written SQL aggregate.

    python -m bench.summary [--database sqlite|postgresql] [--units 2000] [--assignments 100000]
                            [--updates 1000000] [--runs 5] [--check]

A fresh database (SQLite file, or a new PostgreSQL database on DONDOC_TEST_POSTGRES_URL's server, dropped
afterwards) gets `--units` units with one officer each, one plan whose tasks have one lead and one coordinating
unit (`--assignments` (task, unit) rows), `--updates` status reports spread over them, approved and pending
extensions and evidence rows. Then a child process (so its peak memory is its own) measures, alternating, `--runs`
times each:

* **tonghop**: the chief sends `/tonghop` through `handlers.router.handle` (routing, `plan_status.assignment_rows`,
  the summary, rendering the text), on a fresh session each time, after one unmeasured warm-up;
* **sql** (a stricter reference, fewer figures): one hand-written SQL query of the lead assignments per unit and
  category (with the latest report, the approved extension date and the office-zone date of the report),
  fetched in full, in three forms (latest report by grouping the history, looked up per assignment, or read
  from the assignment's own row where the database keeps it); the fastest median is reported;
* **same-figures SQL** (the target's baseline): the one statement that produces every count /tonghop shows,
  `plan_counts.plan_counts`'s (lead and coordinating assignments per unit, role, category and blocked flag with
  their last report, tasks per dimension and category over their lead units, the units still owing a reply),
  run raw;
* **digest**: `handlers.digest.build_digest` for the chief (the summary, the changes since a week ago, the chart
  PNG), once per run.

The counts of the SQL query are checked against the summary's (per unit and in total): a mismatch exits 2.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from bot.config import Settings
from storage.db import Sessions, transaction
from storage.models import (
    Evidence,
    ExtensionRequest,
    Member,
    Plan,
    Role,
    StatusReport,
    Task,
    TaskUnit,
    Unit,
)

TODAY = date(2023, 9, 15)
NOW = datetime(2023, 9, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
CHUNK = 10_000
AREAS = ("Tham gia của người dân ở cấp cơ sở", "Công khai, minh bạch", "Trách nhiệm giải trình với người dân",
         "Kiểm soát tham nhũng trong khu vực công", "Thủ tục hành chính công", "Cung ứng dịch vụ công",
         "Quản trị môi trường", "Quản trị điện tử")
STATUSES = ("done",) * 4 + ("in_progress",) * 4 + ("blocked", "not_started")
CHIEF_CHAT = "900000001"


def _settings(url: str, workdir: Path) -> Settings:
    return Settings(database_url=url, evidence_dir=workdir / "evidence", telegram_token=None,
                    _env_file=None)  # type: ignore[call-arg]


async def _bulk(sessions: Sessions, model: Any, rows: list[dict[str, Any]]) -> None:
    async with transaction(sessions) as session:
        connection = await session.connection()
        for start in range(0, len(rows), CHUNK):
            await connection.execute(insert(model.__table__), rows[start:start + CHUNK])


async def _fix_sequences(sessions: Sessions) -> None:
    async with transaction(sessions) as session:
        connection = await session.connection()
        if connection.dialect.name != "postgresql":
            return
        for table in ("unit", "member", "plan", "task"):
            await connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))"))


async def seed(sessions: Sessions, *, units: int, assignments: int, updates: int, seed: int = 5) -> dict[str, int]:
    """The synthetic office; status reports are generated and inserted in chunks so memory stays flat."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 2, 1, 0, tzinfo=UTC)
    span = int((datetime.combine(TODAY, datetime.min.time(), UTC) - start).total_seconds())
    await _bulk(sessions, Unit, [{"id": u, "name": f"Đơn vị số {u:04d}", "short_name": f"DV{u:04d}",
                                  "created_at": start} for u in range(1, units + 1)])
    await _bulk(sessions, Member, [{"id": 1, "full_name": "Vũ Đức Thắng", "role": Role.CHIEF, "unit_id": 1,
                                    "active": True, "created_at": start}] + [
        {"id": u + 1, "full_name": f"Cán bộ {u}", "role": Role.OFFICER, "unit_id": u, "active": True,
         "created_at": start} for u in range(1, units + 1)])
    async with transaction(sessions) as session:
        await session.exec(insert(Plan.__table__).values(  # type: ignore[attr-defined]
            id=1, number="999/KH-BENCH", title="Kế hoạch đo hiệu năng", issued_on=date(2023, 1, 2), year=2023,
            created_at=start))
    tasks = assignments // 2
    task_rows, link_rows = [], []
    for i in range(1, tasks + 1):
        recurring = i % 10 == 0
        due = None if recurring else date(2023, 1, 15) + timedelta(days=rng.randrange(350))
        task_rows.append({"id": i, "plan_id": 1, "code": f"T.{i}", "title": f"Nhiệm vụ số {i}", "area": AREAS[i % 8],
                          "due": due, "recurrence": ("monthly" if i % 20 == 0 else "continuous") if recurring else "none",
                          "created_at": start})
        lead = 1 + (i * 7919) % units
        other = 1 + (lead + 1 + i % (units - 1)) % units
        if other == lead:
            other = 1 + lead % units
        link_rows += [{"task_id": i, "unit_id": lead, "role": "lead"}, {"task_id": i, "unit_id": other, "role": "coordinate"}]
    await _bulk(sessions, Task, task_rows)
    await _bulk(sessions, TaskUnit, link_rows)
    per_pair, extra = divmod(updates, len(link_rows))
    written = 0
    batch: list[dict[str, Any]] = []
    for index, link in enumerate(link_rows):
        count = per_pair + (1 if index < extra else 0)
        moments = sorted(rng.randrange(span) for _ in range(count))
        for n, second in enumerate(moments):
            status = rng.choice(STATUSES) if n == count - 1 else "in_progress"
            batch.append({"task_id": link["task_id"], "unit_id": link["unit_id"], "member_id": link["unit_id"] + 1,
                          "status": status, "percent": None if status != "in_progress" else rng.randrange(10, 95),
                          "note": "thiếu kinh phí" if status == "blocked" else None, "channel": "telegram",
                          "created_at": start + timedelta(seconds=second)})
        if len(batch) >= 100_000:
            await _bulk(sessions, StatusReport, batch)
            written += len(batch)
            batch = []
    await _bulk(sessions, StatusReport, batch)
    written += len(batch)
    dated = [row for row in task_rows if row["due"] is not None]
    extension_rows = []
    for row in rng.sample(dated, min(3_500, len(dated))):
        lead = next(link["unit_id"] for link in link_rows[2 * (row["id"] - 1):2 * row["id"]] if link["role"] == "lead")
        approved = len(extension_rows) < 3_000
        extension_rows.append({"task_id": row["id"], "unit_id": lead, "member_id": lead + 1, "channel": "telegram",
                               "requested_due": row["due"] + timedelta(days=20), "reason": "chờ kinh phí",
                               "state": "approved" if approved else "pending",
                               "approved_due": row["due"] + timedelta(days=20) if approved else None,
                               "created_at": start + timedelta(seconds=rng.randrange(span)),
                               "decided_at": start + timedelta(seconds=span) if approved else None})
    await _bulk(sessions, ExtensionRequest, extension_rows)
    evidence_rows = [{"task_id": link["task_id"], "unit_id": link["unit_id"], "member_id": link["unit_id"] + 1,
                      "file_name": "minh-chung.pdf", "mime_type": "application/pdf", "size": 1000,
                      "sha256": f"{i:064x}", "channel": "telegram",
                      "created_at": start + timedelta(seconds=rng.randrange(span))}
                     for i, link in enumerate(rng.sample(link_rows, min(20_000, len(link_rows))))]
    await _bulk(sessions, Evidence, evidence_rows)
    async with transaction(sessions) as session:
        await session.exec(text("INSERT INTO channel_account (member_id, channel, external_id, chat_id, linked_at) "
                                "VALUES (1, 'bench', :id, :id, :at)").bindparams(id=CHIEF_CHAT, at=start.replace(tzinfo=None)
                                                                                   if "sqlite" in str(session.get_bind().url) else start))
    await _fix_sequences(sessions)
    return {"units": units, "tasks": tasks, "assignments": len(link_rows), "status_reports": written,
            "extensions": len(extension_rows), "evidence": len(evidence_rows)}


# ------------------------------------------------------------------------------------------ the hand-written SQL


def aggregate_sql(dialect: str, form: str = "grouped") -> str:
    """Lead assignments per unit and official category, in one statement (periods: monthly/continuous only).

    `grouped` finds each assignment's latest report by grouping the whole history; `correlated` looks it up per
    assignment through the (task, unit, id) index; `kept` reads it from the assignment's own row (task_unit's
    latest_* columns, kept by the database since migration 0007), as /tonghop does. The fastest is the
    baseline."""
    report = {"id": "sr.id", "status": "sr.status", "at": "sr.created_at"}
    if form == "kept":
        report = {"id": "tu.latest_report_id", "status": "tu.latest_status", "at": "tu.latest_at"}
    local = (f"date({report['at']}, '+7 hours')" if dialect == "sqlite"
             else f"({report['at']} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date")
    judged = "coalesce(er.approved_due, er.requested_due, t.due)"
    if form == "kept":
        head = ""
        joins = """
        LEFT JOIN extension_request er ON er.id = (SELECT max(e.id) FROM extension_request e
                                                   WHERE e.task_id = tu.task_id AND e.unit_id = tu.unit_id
                                                   AND e.state = 'approved')"""
    elif form == "grouped":
        head = """
        WITH latest AS (
            SELECT task_id, unit_id, max(id) AS id FROM status_report GROUP BY task_id, unit_id
        ), granted AS (
            SELECT task_id, unit_id, max(id) AS id FROM extension_request WHERE state = 'approved'
            GROUP BY task_id, unit_id
        )"""
        joins = """
        LEFT JOIN latest l ON l.task_id = t.id AND l.unit_id = tu.unit_id
        LEFT JOIN status_report sr ON sr.id = l.id
        LEFT JOIN granted g ON g.task_id = t.id AND g.unit_id = tu.unit_id
        LEFT JOIN extension_request er ON er.id = g.id"""
    else:
        head = ""
        joins = """
        LEFT JOIN status_report sr ON sr.id = (SELECT max(s.id) FROM status_report s
                                               WHERE s.task_id = tu.task_id AND s.unit_id = tu.unit_id)
        LEFT JOIN extension_request er ON er.id = (SELECT max(e.id) FROM extension_request e
                                                   WHERE e.task_id = tu.task_id AND e.unit_id = tu.unit_id
                                                   AND e.state = 'approved')"""
    return f"""{head}
        SELECT tu.unit_id,
            CASE
                WHEN t.recurrence <> 'none' THEN
                    CASE WHEN {report['id']} IS NOT NULL AND {local} >= :period_start THEN 'period_reported'
                         ELSE 'period_pending' END
                WHEN {report['status']} = 'done' THEN
                    CASE WHEN {judged} IS NULL OR {local} <= {judged} THEN 'done_on_time' ELSE 'done_late' END
                WHEN {judged} IS NULL THEN 'no_deadline'
                WHEN {judged} < :today THEN 'open_overdue'
                ELSE 'open_on_time'
            END AS category,
            count(*)
        FROM task t
        JOIN task_unit tu ON tu.task_id = t.id AND tu.role = 'lead'{joins}
        WHERE t.plan_id = :plan AND t.removed_at IS NULL
        GROUP BY tu.unit_id, category
    """


# ------------------------------------------------------------------------------------------ measuring (child)


async def measure(url: str, workdir: Path, runs: int) -> dict[str, Any]:
    from bot.app import open_deps
    from bot.i18n import Translator
    from bot.messaging import Incoming
    from bot.services.plan_status import LateRule
    from handlers.digest import build_digest
    from handlers.router import handle

    settings = _settings(url, workdir)
    zone = settings.zone
    result: dict[str, Any] = {"tonghop_s": [], "sql_s": [], "sql_correlated_s": [], "sql_kept_s": [],
                              "sql_same_s": [], "digest_s": []}
    async with AsyncExitStack() as stack:
        deps = await stack.enter_async_context(open_deps(settings))
        dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        statements = {"sql_s": text(aggregate_sql(dialect)),
                      "sql_correlated_s": text(aggregate_sql(dialect, "correlated")),
                      "sql_kept_s": text(aggregate_sql(dialect, "kept"))}
        from bot.services.plan_counts import _counts_sql, fixed_offset
        from bot.services.plan_status import REPORTING_ROLES

        same_sql, same_params = _counts_sql(dialect, plan_id=1, today=TODAY, zone=zone,
                                            offset=fixed_offset(zone, TODAY), roles=REPORTING_ROLES, unit_id=None,
                                            rule=LateRule.APPROVED, since=None, since_day=None)
        params = {"plan": 1, "today": TODAY, "period_start": TODAY.replace(day=1)}
        if dialect == "sqlite":
            params = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        incoming = Incoming(channel="bench", chat_id=CHIEF_CHAT, sender_id=CHIEF_CHAT, sender_name="chief",
                            received_at=NOW.astimezone(UTC), text="/tonghop")
        sql_counts: Counter[tuple[int, str]] = Counter()
        await handle(deps, incoming)  # warm-up, not measured: imports, the holiday calendar, the first connection
        summary_text = ""
        for _ in range(runs):
            begin = time.perf_counter()
            response = await handle(deps, incoming)
            result["tonghop_s"].append(time.perf_counter() - begin)
            summary_text = response.messages[0].text
            begin = time.perf_counter()
            async with deps.sessions() as session:
                (await session.exec(text(same_sql), params=same_params)).all()  # type: ignore[call-overload]
            result["sql_same_s"].append(time.perf_counter() - begin)
            for key, statement in statements.items():
                begin = time.perf_counter()
                async with deps.sessions() as session:
                    rows = (await session.exec(statement, params=params)).all()  # type: ignore[call-overload]
                result[key].append(time.perf_counter() - begin)
                counts = Counter({(unit_id, category): count for unit_id, category, count in rows})
                assert not sql_counts or counts == sql_counts, "the SQL forms disagree"
                sql_counts = counts
            begin = time.perf_counter()
            async with deps.sessions() as session:
                digest = await build_digest(session, Translator("vi"), plan_id=1, today=TODAY,
                                            since=NOW - timedelta(days=7), zone=zone, rule=LateRule.APPROVED,
                                            silent_after=10)
            result["digest_s"].append(time.perf_counter() - begin)
            assert digest is not None and digest.photo is not None
            result["png_bytes"] = len(digest.photo.content)
        # The same counts: the summary service's per-unit rows against the SQL's.
        from bot.services.summary import summarise_plan
        from storage import plans

        async with deps.sessions() as session:
            plan = await plans.get_plan(session, plan_id=1)
            assert plan is not None
            summary = await summarise_plan(session, plan=plan, today=TODAY, zone=zone, rule=LateRule.APPROVED)
        ours = Counter({(row.unit.id, str(category.value)): count for row in summary.units
                        for category, count in row.counts.items() if count})
        totals_sql: Counter[str] = Counter()
        for (_, category), count in sql_counts.items():
            totals_sql[category] += count
        result["counts_equal"] = ours == sql_counts and totals_sql == Counter(
            {str(k.value): v for k, v in summary.counts.items()})
        result["totals"] = dict(sorted(totals_sql.items()))
        result["summary_chars"] = len(summary_text)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


# ------------------------------------------------------------------------------------------ the run (parent)


async def run(options: argparse.Namespace) -> dict[str, Any]:
    from bot.app import open_deps

    workdir = Path(tempfile.mkdtemp(prefix="dondoc-summary-"))
    async with AsyncExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        if options.database == "postgresql":
            from tests.databases import fresh_postgres_database

            url = await stack.enter_async_context(fresh_postgres_database("bench_summary"))
        else:
            url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        begin = time.perf_counter()
        async with open_deps(_settings(url, workdir)) as deps:
            office = await seed(deps.sessions, units=options.units, assignments=options.assignments,
                                updates=options.updates)
            if options.database == "postgresql":  # fresh statistics, as autovacuum would leave them (committed)
                async with transaction(deps.sessions) as session:
                    await session.exec(text("ANALYZE"))  # type: ignore[call-overload]
        seeded = time.perf_counter() - begin
        child = subprocess.run(
            [sys.executable, "-m", "bench.summary", "--measure", url, "--workdir", str(workdir),
             "--runs", str(options.runs)],
            capture_output=True, text=True, check=False, env=os.environ.copy())
        if child.returncode != 0:
            raise SystemExit(f"measuring failed:\n{child.stderr[-4000:]}")
        measured = json.loads(child.stdout.strip().splitlines()[-1])
    tonghop, grouped, correlated, kept, same, digest = (
        statistics.median(measured[k])
        for k in ("tonghop_s", "sql_s", "sql_correlated_s", "sql_kept_s", "sql_same_s", "digest_s"))
    sql = min(grouped, correlated, kept)
    return {
        "database": options.database, "office": office, "seed_s": round(seeded, 1), "runs": options.runs,
        "tonghop_median_s": round(tonghop, 3), "sql_median_s": round(sql, 3), "ratio": round(tonghop / sql, 2),
        "sql_grouped_median_s": round(grouped, 3), "sql_correlated_median_s": round(correlated, 3),
        "sql_kept_median_s": round(kept, 3), "sql_kept_s": [round(x, 3) for x in measured["sql_kept_s"]],
        "sql_same_median_s": round(same, 3), "ratio_same": round(tonghop / same, 2),
        "sql_same_s": [round(x, 3) for x in measured["sql_same_s"]],
        "sql_correlated_s": [round(x, 3) for x in measured["sql_correlated_s"]],
        "digest_median_s": round(digest, 3), "peak_rss_mb": round(measured["peak_rss_mb"], 1),
        "tonghop_s": [round(x, 3) for x in measured["tonghop_s"]], "sql_s": [round(x, 3) for x in measured["sql_s"]],
        "digest_s": [round(x, 3) for x in measured["digest_s"]], "counts_equal": measured["counts_equal"],
        "totals": measured["totals"], "png_bytes": measured["png_bytes"],
        "targets": {"ratio_same_le_1_5": tonghop / same <= 1.5,
                    "digest_lt_5s": digest < 5,
                    "peak_lt_300mb": measured["peak_rss_mb"] < 300},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }


def render(result: dict[str, Any]) -> str:
    office = result["office"]
    lines = [
        f"{result['database']}: {office['units']:,} units, {office['assignments']:,} assignments, "
        f"{office['status_reports']:,} status reports (seeded in {result['seed_s']} s)",
        f"  /tonghop   median {result['tonghop_median_s']:.3f} s  runs {result['tonghop_s']}",
        f"  SQL        median {result['sql_grouped_median_s']:.3f} s grouped (runs {result['sql_s']}), "
        f"{result['sql_correlated_median_s']:.3f} s correlated (runs {result['sql_correlated_s']}), "
        f"{result['sql_kept_median_s']:.3f} s kept latest (runs {result['sql_kept_s']})",
        f"  ratio      {result['ratio']:.2f} to the fastest lead-only SQL (fewer figures: a reference)",
        f"  same-figures SQL median {result['sql_same_median_s']:.3f} s  runs {result['sql_same_s']}; "
        f"ratio {result['ratio_same']:.2f} (target ≤ 1.5: the statement producing every count /tonghop shows)",
        f"  digest     median {result['digest_median_s']:.3f} s  runs {result['digest_s']} (target < 5 s)",
        f"  peak RSS   {result['peak_rss_mb']:.0f} MB of the measuring process (target < 300 MB)",
        f"  counts equal: {result['counts_equal']}  {result['totals']}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.summary", description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.measure:
        print(json.dumps(asyncio.run(measure(options.measure, Path(options.workdir), options.runs))))
        return 0
    if options.units < 2 or options.assignments < 2 or options.updates < options.assignments or options.runs < 1:
        parser.error("need at least 2 units and 2 assignments, one update per assignment, one run")
    result = asyncio.run(run(options))
    print(render(result))
    print(json.dumps(result, ensure_ascii=False))
    if not result["counts_equal"]:
        return 2
    return 1 if options.check and not all(result["targets"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
