"""CPU time and SQL statements of the conversation logic alone for one status reply (no HTTP, no Telegram).

    python -m bench.handle_cpu [--replies 500] [--rounds 5] [--officers 50] [--concurrency 32]
                               [--database sqlite|postgresql]

Each reply is what the Telegram adapter does for a status text, minus the Bot API: `handlers.router.handle`,
then `bot.app.remember_sent` for the confirmation (which task it is about). The office and the replies are
bench/throughput.py's (officers across three units; "#3 đang làm 40%", "#2 xong", "vướng: … #4", and
"vướng: …" as a reply to the bot's last confirmation). Two modes:

* one at a time: each reply is handled after the previous one is done (no batching is possible);
* concurrent: the officers' chats run at once, at most `--concurrency` replies in flight (as
  PerChatOrderedProcessor's 32), each chat strictly in order, like the Telegram adapter under load.

SQL statements per reply are deterministic for the one-at-a-time mode (COMMIT, BEGIN and SAVEPOINT not
counted). CPU ms per reply is noisy on a shared machine: compare medians of runs made together.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.throughput import HEADING, Officer, Reply, compose, fresh_database, seed
from bot.app import open_deps, remember_sent
from bot.deps import Deps
from bot.messaging import Incoming
from handlers.router import handle
from tests.conftest import make_settings

CHANNEL = "telegram"
_message_ids = count(1_000_000)


class Chat:
    """One officer's chat: their next reply, answering the bot's last confirmation now and then."""

    def __init__(self, officer: Officer) -> None:
        self.officer = officer
        self.last: tuple[int, str] | None = None

    async def reply_once(self, deps: Deps) -> None:
        reply: Reply = compose(self.officer, self.last)
        chat = str(reply.chat)
        incoming = Incoming(
            channel=CHANNEL, chat_id=chat, sender_id=chat, sender_name="bench", received_at=datetime.now(UTC),
            text=reply.text, reply_to_message_id=str(reply.reply_to) if reply.reply_to else None,
        )
        response = await handle(deps, incoming)
        for message in response.messages:
            message_id = next(_message_ids)
            if message.task_id is not None:
                await remember_sent(deps, CHANNEL, chat, str(message_id), message.task_id)
            self.last = (message_id, message.text.replace("\x02", "").replace("\x03", ""))
        about = HEADING.match(self.last[1]) if self.last else None
        assert about is not None and int(about.group(1)) == reply.task, (reply, self.last)


async def one_at_a_time(deps: Deps, chats: list[Chat], replies: int) -> None:
    for i in range(replies):
        await chats[i % len(chats)].reply_once(deps)


async def concurrently(deps: Deps, chats: list[Chat], replies: int, concurrency: int) -> None:
    slots = asyncio.Semaphore(concurrency)
    per_chat = [replies // len(chats) + (1 if i < replies % len(chats) else 0) for i in range(len(chats))]

    async def run(chat: Chat, n: int) -> None:
        for _ in range(n):
            async with slots:
                await chat.reply_once(deps)

    await asyncio.gather(*(run(chat, n) for chat, n in zip(chats, per_chat, strict=True)))


@contextlib.contextmanager
def counting_statements(deps: Deps) -> Iterator[list[int]]:
    counter = [0]

    def count_one(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")):
            counter[0] += 1

    engine = deps.sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", count_one)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count_one)


async def measure(options: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as tmp:
        workdir = Path(tmp)
        async with fresh_database(options.database, workdir) as url, open_deps(make_settings(url, workdir)) as deps:
            chats = [Chat(officer) for officer in await seed(deps, options.officers)]
            await one_at_a_time(deps, chats, 2 * len(chats))  # warm-up: caches, compiled statements, replies
            with counting_statements(deps) as counter:
                await one_at_a_time(deps, chats, options.replies)
            sequential_statements = counter[0] / options.replies
            with counting_statements(deps) as counter:
                await concurrently(deps, chats, options.replies, options.concurrency)
            concurrent_statements = counter[0] / options.replies
            results: dict[str, list[float]] = {"one at a time": [], "concurrent": []}
            for _ in range(options.rounds):
                for mode in results:
                    started = time.process_time()
                    if mode == "one at a time":
                        await one_at_a_time(deps, chats, options.replies)
                    else:
                        await concurrently(deps, chats, options.replies, options.concurrency)
                    results[mode].append((time.process_time() - started) / options.replies * 1000)
    return {"statements": {"one at a time": sequential_statements, "concurrent": concurrent_statements},
            "cpu_ms": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    result = asyncio.run(measure(parser.parse_args()))
    for mode, samples in result["cpu_ms"].items():
        print(f"{mode:>13}: {result['statements'][mode]:.2f} SQL statements per status reply; "
              f"CPU ms per reply median {statistics.median(samples):.2f} "
              f"(rounds: {', '.join(f'{s:.2f}' for s in samples)})")


if __name__ == "__main__":
    main()
