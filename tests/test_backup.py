"""`dondoc backup` / `dondoc restore` (issue 7, operations): an online, consistent SQLite copy taken while status
reports keep being written; restores that bring the rows back; refusals that change nothing; and a PostgreSQL
round trip through pg_dump / pg_restore."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import open_deps
from bot.backup import backup_sqlite, cmd_backup, cmd_restore
from bot.deps import Deps
from storage import statuses
from storage.db import transaction
from storage.migrate import head_revision
from storage.models import Status
from tests.conftest import REQUIRE_POSTGRES, _probe_postgres, make_settings
from tests.databases import fresh_postgres_database
from tests.factories import seed_office

NOW = datetime(2023, 6, 20, 2, 0, tzinfo=UTC)
PADDING = "x" * 1500  # makes the database a few MB, so the copy takes long enough for writes to land during it


def _sqlite_file(deps: Deps) -> Path:
    return Path(deps.sessions.kw["bind"].url.database)


async def _report(deps: Deps, task_id: int, unit_id: int, number: int) -> None:
    async with transaction(deps.sessions) as session:
        await statuses.add_status(session, task_id=task_id, unit_id=unit_id, member_id=None, status=Status.IN_PROGRESS,
                                  channel="test", at=NOW + timedelta(seconds=number),
                                  original_text=f"report {number}", note=PADDING)


def _reports_in(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        assert [row[0] for row in connection.execute("PRAGMA integrity_check")] == ["ok"]
        return [row[0] for row in connection.execute("SELECT original_text FROM status_report ORDER BY id")]
    finally:
        connection.close()


async def _count_reports(deps: Deps) -> int:
    async with deps.sessions() as session:
        return int((await session.exec(text("SELECT count(*) FROM status_report"))).scalar())  # type: ignore[call-overload]


async def test_sqlite_backup_while_status_reports_are_written_then_restore(
    sqlite_deps: Deps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = await seed_office(sqlite_deps, now=NOW)
    lan = office.people["lan"]
    task_id, unit_id = office.tasks["vp_june"].id, lan.unit_id
    assert task_id is not None and unit_id is not None
    for number in range(1500):  # history before the backup
        await _report(sqlite_deps, task_id, unit_id, number)
    committed = 1500
    stop = asyncio.Event()

    async def keep_reporting() -> None:
        nonlocal committed
        while not stop.is_set():
            await _report(sqlite_deps, task_id, unit_id, committed)
            committed += 1  # only once its transaction has committed

    writer = asyncio.create_task(keep_reporting())
    while committed < 1520:
        await asyncio.sleep(0.001)
    out = tmp_path / "backup.sqlite3"
    before = committed
    described = await asyncio.to_thread(backup_sqlite, _sqlite_file(sqlite_deps), out)
    during = committed - before
    while committed < before + during + 5:  # the bot kept writing: the backup blocked nobody
        await asyncio.sleep(0.001)
    stop.set()
    await writer

    copied = _reports_in(out)
    assert len(copied) >= before, "every report committed before the backup started is in the copy"
    assert copied == [f"report {n}" for n in range(len(copied))], "the copy is one instant: no gap, no torn row"
    assert described.revision == head_revision()
    assert not out.with_name(out.name + ".partial").exists()

    # Restore into a fresh location (a new installation): the rows come back, migrated and usable.
    restored_url = f"sqlite:///{tmp_path / 'elsewhere' / 'dondoc.sqlite3'}"
    settings = make_settings(restored_url, tmp_path)
    assert await cmd_restore(argparse.Namespace(file=str(out), yes=True), settings) == 0
    assert "restored" in capsys.readouterr().out
    async with open_deps(settings) as restored:
        assert await _count_reports(restored) == len(copied)
        async with restored.sessions() as session:
            names = (await session.exec(text("SELECT full_name FROM member ORDER BY id"))).scalars().all()  # type: ignore[call-overload]
        assert "Nguyễn Thị Lan" in names


async def test_restore_over_an_existing_database_keeps_the_old_one_aside(
    sqlite_deps: Deps, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = await seed_office(sqlite_deps, now=NOW)
    task_id, unit_id = office.tasks["vp_june"].id, office.people["lan"].unit_id
    assert task_id is not None and unit_id is not None
    await _report(sqlite_deps, task_id, unit_id, 0)
    out = tmp_path / "one-report.sqlite3"
    settings = sqlite_deps.settings
    assert await cmd_backup(argparse.Namespace(out=str(out), with_evidence=False), settings) == 0
    assert "evidence files are not in the database" in capsys.readouterr().out
    await _report(sqlite_deps, task_id, unit_id, 1)  # written after the backup: gone after the restore
    await sqlite_deps.sessions.kw["bind"].dispose()  # the bot is stopped

    assert await cmd_restore(argparse.Namespace(file=str(out), yes=True), settings) == 0
    database = _sqlite_file(sqlite_deps)
    assert _reports_in(database) == ["report 0"]
    kept = list(database.parent.glob(database.name + ".before-restore-*"))
    assert len(kept) == 1 and _reports_in(kept[0]) == ["report 0", "report 1"]


def _refused(path: Path, settings: object, capsys: pytest.CaptureFixture[str]) -> str:
    code = asyncio.run(cmd_restore(argparse.Namespace(file=str(path), yes=True), settings))  # type: ignore[arg-type]
    assert code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("kind", ["not sqlite", "another sqlite database", "newer revision", "missing"])
def test_restoring_a_file_that_is_not_a_dondoc_backup_is_refused_and_changes_nothing(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "live" / "dondoc.sqlite3"
    settings = make_settings(f"sqlite:///{target}", tmp_path)

    async def make_live() -> None:
        async with open_deps(settings):
            pass

    asyncio.run(make_live())
    live_before = target.read_bytes()
    files_before = sorted(p.name for p in target.parent.iterdir())

    bad = tmp_path / "bad.sqlite3"
    expected = {
        "not sqlite": "not an SQLite database",
        "another sqlite database": "not a Đôn Đốc database",
        "newer revision": "made by a newer version",
        "missing": "does not exist",
    }[kind]
    if kind == "not sqlite":
        bad.write_bytes(b"%PDF-1.7 definitely not a database\n" * 100)
    elif kind == "another sqlite database":
        connection = sqlite3.connect(bad)
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.commit()
        connection.close()
    elif kind == "newer revision":
        shutil.copy(target, bad)
        connection = sqlite3.connect(bad)
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        connection.commit()
        connection.close()
    bad_before = bad.read_bytes() if bad.exists() else None

    error = _refused(bad, settings, capsys)
    assert expected in error
    assert target.read_bytes() == live_before
    assert sorted(p.name for p in target.parent.iterdir()) == files_before
    assert (bad.read_bytes() if bad.exists() else None) == bad_before


def test_restore_is_refused_while_another_connection_has_the_database_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "live.sqlite3"
    settings = make_settings(f"sqlite:///{target}", tmp_path)
    backup = tmp_path / "backup.sqlite3"

    async def prepare() -> None:
        async with open_deps(settings):
            pass
        assert await cmd_backup(argparse.Namespace(out=str(backup), with_evidence=False), settings) == 0

    asyncio.run(prepare())
    capsys.readouterr()
    # Another "process": fcntl locks are per process, so the bot is played by a child process.
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL');"
        "c.execute('SELECT count(*) FROM member').fetchall(); print('open', flush=True); sys.stdin.read()"
    ), str(target)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert "stop the bot" in _refused(backup, settings, capsys)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    assert asyncio.run(cmd_restore(argparse.Namespace(file=str(backup), yes=True), settings)) == 0


async def test_backup_with_evidence_writes_a_tar_beside_the_copy(sqlite_deps: Deps, tmp_path: Path) -> None:
    import tarfile

    evidence = sqlite_deps.settings.evidence_dir
    (evidence / "ab").mkdir(parents=True, exist_ok=True)
    (evidence / "ab" / "abcdef.pdf").write_bytes(b"%PDF-1.4 evidence")
    out = tmp_path / "with-evidence.sqlite3"
    assert await cmd_backup(argparse.Namespace(out=str(out), with_evidence=True), sqlite_deps.settings) == 0
    with tarfile.open(out.with_name(out.name + ".evidence.tar")) as archive:
        names = archive.getnames()
    assert f"{evidence.name}/ab/abcdef.pdf" in names


# ------------------------------------------------------------------------------------------------ PostgreSQL


async def _postgres_ready() -> None:
    problem = await _probe_postgres()
    if problem is None and (shutil.which("pg_dump") is None or shutil.which("pg_restore") is None):
        problem = "pg_dump / pg_restore not on PATH (install postgresql-client)"
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem + " (DONDOC_REQUIRE_POSTGRES=1)")
        pytest.skip(problem)


@pytest.mark.postgres
async def test_postgres_backup_and_restore_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await _postgres_ready()
    dump = tmp_path / "dondoc.dump"
    async with fresh_postgres_database() as source_url:
        source = make_settings(source_url, tmp_path)
        async with open_deps(source) as deps:
            office = await seed_office(deps, now=NOW)
            task_id, unit_id = office.tasks["vp_june"].id, office.people["lan"].unit_id
            assert task_id is not None and unit_id is not None
            for number in range(20):
                await _report(deps, task_id, unit_id, number)
            assert await cmd_backup(argparse.Namespace(out=str(dump), with_evidence=False), source) == 0
        printed = capsys.readouterr()
        assert "pg_dump" in printed.out and dump.stat().st_size > 0
    async with fresh_postgres_database() as target_url:
        target = make_settings(target_url, tmp_path)
        assert await cmd_restore(argparse.Namespace(file=str(dump), yes=True), target) == 0
        async with open_deps(target) as restored:
            assert await _count_reports(restored) == 20
            async with restored.sessions() as session:
                revision = (await session.exec(text("SELECT version_num FROM alembic_version"))).scalar()  # type: ignore[call-overload]
            assert revision == head_revision()
        # A second restore over the now-filled database (--clean) gives the same rows, not twice as many.
        assert await cmd_restore(argparse.Namespace(file=str(dump), yes=True), target) == 0
        async with open_deps(target) as restored:
            assert await _count_reports(restored) == 20


@pytest.mark.postgres
async def test_postgres_restore_refuses_a_file_that_is_not_a_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _postgres_ready()
    bad = tmp_path / "not-a-dump"
    bad.write_text("hello")
    async with fresh_postgres_database() as url:
        assert await cmd_restore(argparse.Namespace(file=str(bad), yes=True), make_settings(url, tmp_path)) == 2
    assert "not a pg_dump custom-format archive" in capsys.readouterr().err
