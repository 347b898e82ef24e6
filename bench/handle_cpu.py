"""CPU time of the conversation logic alone for one status reply (no HTTP, no Telegram), on SQLite.

    python -m bench.handle_cpu [--replies 200] [--rounds 5]

The hot-path figures that bench/throughput.py's end-to-end numbers depend on: CPU time (noisy on a shared
machine: compare medians of several runs) and SQL statements per reply (deterministic).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.app import open_deps
from bot.messaging import Incoming
from handlers.router import handle
from tests.conftest import at, make_settings
from tests.factories import USER_IDS, seed_office


async def measure(replies: int, rounds: int) -> tuple[list[float], float]:
    workdir = Path(tempfile.mkdtemp(prefix="dondoc-bench-"))
    async with open_deps(make_settings(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)) as deps:
        office = await seed_office(deps, now=at("2023-06-20 09:00"), channel="telegram")
        task_id = office.tasks["vp_june"].id
        user = str(USER_IDS["lan"])

        def reply(i: int) -> Incoming:
            return Incoming(channel="telegram", chat_id=user, sender_id=user, sender_name="bench",
                            received_at=at("2023-06-20 09:00"), text=f"#{task_id} đang làm {i % 100}%")

        for i in range(50):  # warm-up: caches, compiled statements
            await handle(deps, reply(i))
        statements = 0

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        engine = deps.sessions.kw["bind"].sync_engine
        event.listen(engine, "before_cursor_execute", count)
        for i in range(replies):
            await handle(deps, reply(i))
        event.remove(engine, "before_cursor_execute", count)
        per_reply_ms = []
        for _ in range(rounds):
            started = time.process_time()
            for i in range(replies):
                await handle(deps, reply(i))
            per_reply_ms.append((time.process_time() - started) / replies * 1000)
        return per_reply_ms, statements / replies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    samples, statements = asyncio.run(measure(args.replies, args.rounds))
    print(f"SQL statements per status reply: {statements:.1f} (COMMIT not counted)")
    print(f"CPU ms per status reply: median {statistics.median(samples):.2f} "
          f"(rounds: {', '.join(f'{s:.2f}' for s in samples)})")


if __name__ == "__main__":
    main()
