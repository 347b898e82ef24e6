"""A reminder process for the delivery tests: the real ReminderService, ticking until nothing is pending.

The tests kill such processes with SIGKILL at random points, start new ones, and run several at once, against a
database they seeded and the fake Bot API they run. Each process's clock is the office morning the test chose,
moving at the speed of real time from the Unix instant ``--epoch``, so every process (and every restart) agrees
on "now", and the lease of a dead process runs out.

Two ways to start one:

* ``python -m tests.reminder_child --database … --base-url … …``: one process;
* ``python -m tests.reminder_child --fork-server``: a process that imports everything once and then, for each
  line ``{"spawn": [arguments…]}`` on its stdin, forks a reminder process (a real, separate process, with its
  own database connections and HTTP client, started in milliseconds instead of the second the imports take),
  and reports how each one ended.

Protocol on stdout, one JSON object per line: ``{"ready": pid}`` once the database and the bot are open,
``{"done": pid, "counters": {…}}`` when nothing is left pending; the fork server adds ``{"server": pid}`` when
it is ready, ``{"spawned": pid}`` and ``{"exit": pid, "code": n}`` (``-9`` after SIGKILL).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import select
import sys
import tempfile
import time
import traceback
from datetime import datetime, timedelta
from pathlib import Path

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.adapters.telegram_sender import TelegramSender
from bot.app import open_deps
from bot.config import Settings
from scheduler.limiter import SendLimiter
from scheduler.service import Counters, ReminderService
from storage import outbox

IDLE_POLL_SECONDS = 0.05  # between ticks while rows are leased by a dead process or waiting for a retry


class RunningClock:
    """The office time `start` at the Unix instant `epoch`, moving with real time."""

    def __init__(self, start: datetime, epoch: float) -> None:
        self._start = start
        self._epoch = epoch

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.time() - self._epoch)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.reminder_child")
    parser.add_argument("--database", required=True)
    parser.add_argument("--base-url", required=True, help="the fake's Bot API base URL (PTB appends the token)")
    parser.add_argument("--token", required=True)
    parser.add_argument("--start", required=True, type=datetime.fromisoformat, help="aware office time")
    parser.add_argument("--epoch", required=True, type=float, help="the Unix time at which the clock shows --start")
    parser.add_argument("--lease", type=float, default=2.0, help="outbox_lease_seconds")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--rate", type=float, default=1000.0, help="the limiter's messages per second")
    parser.add_argument("--shared-limiter", action="store_true",
                        help="the service's default limiter, shared through the database at --rate")
    parser.add_argument("--read-timeout", type=float, default=5.0)
    parser.add_argument("--not-before", type=float, default=0.0, help="Unix time of the first tick")
    return parser.parse_args(argv)


def _say(payload: dict[str, object]) -> None:
    # One write(2) per line: atomic on a pipe, and no lock a fork could inherit held.
    os.write(1, (json.dumps(payload) + "\n").encode())


async def run(args: argparse.Namespace) -> Counters:
    """Opens the database and the bot, then ticks until no outbox row is pending."""
    evidence = Path(tempfile.gettempdir()) / f"dondoc-child-{os.getpid()}"
    settings = Settings(database_url=args.database, evidence_dir=evidence, telegram_token=None,  # type: ignore[call-arg]
                        outbox_lease_seconds=args.lease, _env_file=None,
                        **({"send_rate_per_second": args.rate} if args.shared_limiter else {}))
    request = HTTPXRequest(connection_pool_size=max(8, args.concurrency * 2), read_timeout=args.read_timeout,
                           write_timeout=args.read_timeout, connect_timeout=args.read_timeout)
    base_file_url = args.base_url.removesuffix("/bot") + "/file/bot"
    async with open_deps(settings, migrate=False) as deps, \
            Bot(args.token, base_url=args.base_url, base_file_url=base_file_url, request=request) as bot:
        service = ReminderService(
            deps.sessions, settings, RunningClock(args.start, args.epoch), {"telegram": TelegramSender(bot)},
            limiter=None if args.shared_limiter else SendLimiter(args.rate), batch=args.batch,
            concurrency=args.concurrency,
        )
        _say({"ready": os.getpid()})
        await asyncio.sleep(max(0.0, args.not_before - time.time()))
        total = Counters()
        while True:
            total.add(await service.tick())
            async with deps.sessions() as session:
                if await outbox.pending_count(session) == 0:
                    return total
            await asyncio.sleep(IDLE_POLL_SECONDS)


def reminder_process(argv: list[str]) -> None:
    counters = asyncio.run(run(_arguments(argv)))
    _say({"done": os.getpid(), "counters": dataclasses.asdict(counters)})


def fork_server() -> None:
    """Forks a reminder process per spawn request; reports each one's end. Single-threaded, so forking is safe."""
    _say({"server": os.getpid()})
    running: set[int] = set()
    stdin = sys.stdin.fileno()
    buffer = b""
    open_input = True
    while open_input or running:
        if open_input and select.select([stdin], [], [], IDLE_POLL_SECONDS)[0]:
            chunk = os.read(stdin, 65536)
            open_input = bool(chunk)
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                pid = os.fork()
                if pid == 0:  # the reminder process
                    code = 0
                    try:
                        reminder_process(json.loads(line)["spawn"])
                    except BaseException:  # it reports how it failed and exits; it must never return here
                        traceback.print_exc()
                        code = 1
                    finally:
                        sys.stderr.flush()
                        os._exit(code)
                running.add(pid)
                _say({"spawned": pid})
        elif not open_input:
            time.sleep(IDLE_POLL_SECONDS)
        for pid in list(running):
            ended, status = os.waitpid(pid, os.WNOHANG)
            if ended:
                running.discard(pid)
                _say({"exit": pid, "code": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    if sys.argv[1:] == ["--fork-server"]:
        fork_server()
    else:
        reminder_process(sys.argv[1:])
