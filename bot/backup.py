"""`dondoc backup --out FILE` and `dondoc restore FILE`: the database, copied while the bot runs, and put back.

SQLite: the copy is made with SQLite's online backup API in one step, so it is the database as it was at one
instant (a read transaction; in WAL mode the bot keeps writing meanwhile), checked (`PRAGMA integrity_check`)
and renamed into place only when complete. Restoring checks the file first (it opens, is intact, is a Đôn Đốc
database whose migration revision this code knows), keeps the old database beside it
(`NAME.before-restore-…`), swaps the file in atomically and migrates it up. It refuses while another process has
the database open: stop the bot first.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, online) and
`pg_restore --clean --if-exists --single-transaction`; the password goes to them in PGPASSWORD, never on a
command line or in what is printed.

Evidence files live in EVIDENCE_DIR, not in the database: `--with-evidence` writes FILE.evidence.tar after the
database copy (evidence files are written before the rows naming them, so every file the copy names is in it).

Messages here are for the operator at the terminal, in English (like the rest of the admin CLI).
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from bot.config import Settings

# A WAL-mode SQLite connection holds a shared POSIX lock on this byte of the "-shm" file while it is open (the
# "dead man switch" of SQLite's unix VFS), so an exclusive lock on it succeeds only when nobody has it open.
_SQLITE_SHM_DMS_BYTE = 128
_COUNTED = ("member", "task", "status_report", "evidence")


class BackupProblem(Exception):
    """Why a backup or restore was not done; the message is printed as is (exit status 2)."""


@dataclass(frozen=True)
class Described:
    revision: str
    rows: Mapping[str, int]

    def summary(self) -> str:
        counts = ", ".join(f"{count} {table}" for table, count in self.rows.items())
        return f"revision {self.revision}" + (f" ({counts})" if counts else "")


def _known_revisions() -> tuple[list[str], str]:
    """Every migration revision of this code, oldest first, and the head."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    ordered = [revision.revision for revision in script.walk_revisions()][::-1]
    head = script.get_current_head()
    assert head is not None
    return ordered, head


def check_revision(revision: str) -> None:
    """Refuses a database made by a newer Đôn Đốc (a revision this code does not have)."""
    known, head = _known_revisions()
    if revision not in known:
        raise BackupProblem(f"the backup is at migration revision {revision!r}, which this version of Đôn Đốc does "
                            f"not know (its newest is {head!r}): it was made by a newer version. Install that "
                            f"version (or a newer one) to restore it.")


def sqlite_path(settings: Settings) -> Path | None:
    """The database file for a sqlite:/// URL; None for PostgreSQL."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupProblem("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


# --------------------------------------------------------------------------------------------------- SQLite


def _describe_sqlite(connection: sqlite3.Connection, *, check: bool) -> Described:
    try:
        if check:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise BackupProblem("the database file is damaged (integrity check: " + "; ".join(result[:3]) + ")")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupProblem(f"not an SQLite database ({error})") from None
    if "alembic_version" not in tables:
        raise BackupProblem("not a Đôn Đốc database (it has no alembic_version table)")
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    if row is None:
        raise BackupProblem("not a Đôn Đốc database (its alembic_version table is empty)")
    rows = {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in _COUNTED if table in tables}
    return Described(str(row[0]), rows)


def describe_sqlite_file(path: Path) -> Described:
    """Opens `path` read-only and checks it is an intact Đôn Đốc database."""
    if not path.is_file():
        raise BackupProblem(f"{path} does not exist or is not a file")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupProblem(f"{path} cannot be opened as an SQLite database ({error})") from None
    try:
        return _describe_sqlite(connection, check=True)
    finally:
        connection.close()


def sqlite_in_use(path: Path) -> bool:
    """True when another process has the (WAL-mode) database open. Not knowable for other journal modes, whose
    connections hold no lock while idle: then False."""
    shm = path.with_name(path.name + "-shm")
    try:
        descriptor = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SQLITE_SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, _SQLITE_SHM_DMS_BYTE)
        return False
    finally:
        os.close(descriptor)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy_sqlite(source: sqlite3.Connection, target: Path) -> None:
    """The whole of `source` into a new file `target`, in one step (one read transaction: a consistent copy),
    as a self-contained file (rollback journal, not WAL)."""
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: everything at once, under one read lock
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.commit()
    finally:
        copy.close()
    _fsync(target)


def backup_sqlite(database: Path, out: Path) -> Described:
    """An online, consistent copy of `database` at `out` (written beside it, then renamed into place)."""
    if not database.is_file():
        raise BackupProblem(f"there is no database at {database}")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(database, timeout=30)
    try:
        _copy_sqlite(source, partial)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupProblem(f"the backup failed: {error}") from None
    finally:
        source.close()
    try:
        connection = sqlite3.connect(partial)
        try:
            described = _describe_sqlite(connection, check=True)
        finally:
            connection.close()
    except BackupProblem:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out)
    return described


def restore_sqlite(backup: Path, database: Path, *, now: datetime) -> tuple[Described, Path | None]:
    """Replaces `database` with `backup` (checked first), keeping the old file as NAME.before-restore-STAMP.
    Returns what was restored and where the old database was kept (None if there was none)."""
    described = describe_sqlite_file(backup)
    check_revision(described.revision)
    if sqlite_in_use(database):
        raise BackupProblem(f"another process has {database} open: stop the bot (every `dondoc run`) first")
    database.parent.mkdir(parents=True, exist_ok=True)
    incoming = database.with_name(database.name + ".restoring")
    incoming.unlink(missing_ok=True)
    source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _copy_sqlite(source, incoming)
    finally:
        source.close()
    kept = None
    if database.exists():
        # The old database's WAL must not outlive it: once the file is replaced, SQLite would replay it into
        # the restored one. A checkpoint writes it into the old file, which closing the connection removes.
        old = sqlite3.connect(database)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            old.close()
        kept = database.with_name(f"{database.name}.before-restore-{now:%Y%m%d-%H%M%S}")
        shutil.copy2(database, kept)
    for leftover in (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        leftover.unlink(missing_ok=True)
    os.replace(incoming, database)
    return described, kept


# ----------------------------------------------------------------------------------------------- PostgreSQL


def _pg_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying the password."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupProblem(
            f"{name} is not on PATH. Install the PostgreSQL client tools of your server's major version "
            f"(Debian/Ubuntu: apt install postgresql-client), or run it by hand:\n"
            f"  PGPASSWORD=… pg_dump --format=custom --file=dondoc.dump 'postgresql://USER@HOST:PORT/DB'\n"
            f"  PGPASSWORD=… pg_restore --clean --if-exists --single-transaction --no-owner "
            f"--dbname='postgresql://USER@HOST:PORT/DB' dondoc.dump\n"
            f"then `dondoc db upgrade`.")
    return found


def _run(command: list[str], env: Mapping[str, str], secret: str | None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        if secret:
            message = message.replace(secret, "***")
        raise BackupProblem(f"{Path(command[0]).name} failed (exit {result.returncode}): {message}")
    return result


def backup_postgres(url: URL, out: Path) -> None:
    """`pg_dump --format=custom` of the database at `url` into `out` (through a partial file)."""
    tool = _pg_tool("pg_dump")
    target, env = _pg_target(url)
    partial = out.with_name(out.name + ".partial")
    try:
        _run([tool, "--format=custom", "--no-password", f"--file={partial}", f"--dbname={target}"], env,
             url.password and str(url.password))
    except BackupProblem:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out)


_COPY_REVISION = re.compile(r"^COPY [\w.\"]*alembic_version \(version_num\) FROM stdin;\n(?P<rev>[^\n\\]+)\n", re.MULTILINE)


def postgres_dump_revision(dump: Path) -> str:
    """The migration revision stored in a custom-format dump (read without any database)."""
    tool = _pg_tool("pg_restore")
    if not dump.is_file():
        raise BackupProblem(f"{dump} does not exist or is not a file")
    listing = subprocess.run([tool, "--list", str(dump)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise BackupProblem(f"{dump} is not a pg_dump custom-format archive ({listing.stderr.strip()})")
    if not re.search(r"TABLE DATA \S+ alembic_version ", listing.stdout):
        raise BackupProblem(f"{dump} is not a Đôn Đốc database dump (it has no alembic_version table)")
    data = subprocess.run([tool, "--data-only", "--table=alembic_version", "--file=-", str(dump)],
                          capture_output=True, text=True, check=False)
    found = _COPY_REVISION.search(data.stdout)
    if data.returncode != 0 or found is None:
        raise BackupProblem(f"{dump} is not a Đôn Đốc database dump (no migration revision in it)")
    return found["rev"].strip()


async def _postgres_other_sessions(url: URL) -> int:
    import asyncpg

    connection = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database=url.database)
    try:
        return int(await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"))
    finally:
        await connection.close()


def restore_postgres(url: URL, dump: Path) -> str:
    """`pg_restore --clean --if-exists --single-transaction` of `dump` into the database at `url`."""
    revision = postgres_dump_revision(dump)
    check_revision(revision)
    if asyncio.run(_postgres_other_sessions(url)):
        raise BackupProblem(f"other sessions are connected to database {url.database!r}: stop the bot "
                            "(every `dondoc run`) first")
    target, env = _pg_target(url)
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-password",
          f"--dbname={target}", str(dump)], env, url.password and str(url.password))
    return revision


# ------------------------------------------------------------------------------------------------- evidence


def tar_evidence(evidence_dir: Path, out: Path) -> int:
    """EVIDENCE_DIR as an uncompressed tar (its files are PDFs, images and office files, compressed already);
    returns the number of files."""
    partial = out.with_name(out.name + ".partial")
    count = 0
    with tarfile.open(partial, "w") as archive:
        archive.add(evidence_dir, arcname=evidence_dir.name, recursive=False)
        for path in sorted(evidence_dir.rglob("*")):
            if path.name.endswith((".partial", ".tmp")):
                continue
            archive.add(path, arcname=str(Path(evidence_dir.name) / path.relative_to(evidence_dir)), recursive=False)
            count += path.is_file()
    os.replace(partial, out)
    return count


def evidence_tar_path(out: Path) -> Path:
    return out.with_name(out.name + ".evidence.tar")


# ------------------------------------------------------------------------------------------------------ CLI


async def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"error: the folder {out.parent} does not exist", file=sys.stderr)
        return 2
    evidence_dir = Path(settings.evidence_dir)
    try:
        database = sqlite_path(settings)
        if database is not None:
            described = await asyncio.to_thread(backup_sqlite, database, out)
            print(f"backup of {database} written to {out}: {described.summary()}")
        else:
            url = make_url(settings.database_url)
            await asyncio.to_thread(backup_postgres, url, out)
            print(f"pg_dump of database {url.database!r} on {url.host or 'localhost'} written to {out} "
                  f"(custom format; restore with `dondoc restore {out}`)")
        if args.with_evidence:
            if not evidence_dir.is_dir():
                print(f"no evidence folder at {evidence_dir}: nothing to add")
            else:
                tar = evidence_tar_path(out)
                count = await asyncio.to_thread(tar_evidence, evidence_dir, tar)
                print(f"{count} evidence files from {evidence_dir} written to {tar}")
        else:
            print(f"note: evidence files are not in the database. Copy EVIDENCE_DIR ({evidence_dir}) too, after "
                  f"this backup, e.g. `tar -cf {out.name}.evidence.tar -C {evidence_dir.parent} {evidence_dir.name}`,"
                  f" or use --with-evidence.")
    except (BackupProblem, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _confirmed(args: argparse.Namespace, question: str) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        print(f"{question} Not confirmed: add --yes to restore without a question.", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


async def _migrate(settings: Settings) -> str | None:
    from storage.db import create_engine
    from storage.migrate import current_revision, upgrade

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        return await current_revision(engine)
    finally:
        await engine.dispose()


async def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    backup = Path(args.file)
    try:
        database = sqlite_path(settings)
        if database is not None:
            described = await asyncio.to_thread(describe_sqlite_file, backup)
            check_revision(described.revision)
            if not _confirmed(args, f"Replace the database at {database} with {backup} ({described.summary()})?"):
                return 1
            restored, kept = await asyncio.to_thread(restore_sqlite, backup, database, now=datetime.now(UTC))
            print(f"restored {backup} into {database}: {restored.summary()}")
            if kept is not None:
                print(f"the previous database was kept as {kept}")
        else:
            url = make_url(settings.database_url)
            revision = await asyncio.to_thread(postgres_dump_revision, backup)
            check_revision(revision)
            if not _confirmed(args, f"Replace the contents of database {url.database!r} on {url.host or 'localhost'} "
                                    f"with {backup} (revision {revision})?"):
                return 1
            await asyncio.to_thread(restore_postgres, url, backup)
            print(f"restored {backup} into database {url.database!r}")
    except (BackupProblem, OSError, sqlite3.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"database at revision {await _migrate(settings)}")
    tar = evidence_tar_path(backup)
    hint = f"`tar -xf {tar} -C {Path(settings.evidence_dir).parent}`" if tar.exists() else "copy it back"
    print(f"note: evidence files are not in the database: if EVIDENCE_DIR ({settings.evidence_dir}) was lost, "
          f"{hint}.")
    return 0


def add_backup_commands(sub: Any) -> None:
    """`dondoc backup` and `dondoc restore`, on the CLI's sub-command parser."""
    backup = sub.add_parser("backup", help="copy the database while the bot runs (SQLite backup API / pg_dump)")
    backup.add_argument("--out", required=True, help="the backup file to write")
    backup.add_argument("--with-evidence", action="store_true",
                        help="also write OUT.evidence.tar with the evidence files (EVIDENCE_DIR)")
    backup.set_defaults(runner=cmd_backup)
    restore = sub.add_parser("restore", help="replace the database with a backup (stop the bot first)")
    restore.add_argument("file", help="a file written by `dondoc backup`")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(runner=cmd_restore)
