"""Shared fixtures: a real database (SQLite always; PostgreSQL when reachable), deps, and the office clock."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.app import open_deps
from bot.config import Settings
from bot.deps import Deps
from tests.databases import POSTGRES_ADMIN_URL, fresh_postgres_database

REQUIRE_POSTGRES = os.environ.get("DONDOC_REQUIRE_POSTGRES") == "1"
_postgres_problem: list[str] = []


async def _probe_postgres() -> str | None:
    try:
        connection = await asyncio.wait_for(asyncpg.connect(POSTGRES_ADMIN_URL), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error!r}"
    await connection.close()
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    problem = await _probe_postgres()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem + " (DONDOC_REQUIRE_POSTGRES=1)")
        pytest.skip(problem)
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database, for tests that only make sense there (several processes at once); skipped with
    the reason when no server is reachable (failed under DONDOC_REQUIRE_POSTGRES=1)."""
    problem = await _probe_postgres()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem + " (DONDOC_REQUIRE_POSTGRES=1)")
        pytest.skip(problem)
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def make_settings(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "evidence_dir": tmp_path / "evidence",
        "telegram_token": None,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def deps(database_url: str, tmp_path: Path) -> AsyncIterator[Deps]:
    """Migrated database (SQLite and PostgreSQL variants) with an evidence directory."""
    async with open_deps(make_settings(database_url, tmp_path)) as value:
        yield value


@pytest.fixture
async def sqlite_deps(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Deps]:
    async with open_deps(make_settings(sqlite_url, tmp_path)) as value:
        yield value


def at(text: str) -> datetime:
    """An instant given in the office's zone: at("2023-06-20 09:00")."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean working directory for the `dondoc` CLI: its own SQLite file, no developer .env, no token."""
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    monkeypatch.delenv("DEFAULT_LOCALE", raising=False)
    return tmp_path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`dondoc ARGV` in this process: (exit status, stdout, stderr)."""
    from bot.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
