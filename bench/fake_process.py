"""The benchmark's fake Bot API server in a process of its own, driven from the benchmark's process.

Telegram's servers do not run on the bot's CPU. With the fake in the bots' process, its work (parsing each
request, checking each HTML message, answering each getUpdates) and the state it keeps (every request and
message) were charged to whichever bot was running: more to the one that sends HTML with buttons. In its
own process the fake runs on the other core, and each bot pays only for itself.

`RemoteFake` offers what bench/throughput.py uses of `TimedFakeTelegram`: the URLs, `user`, `send_text`,
`answers` (each sendMessage's arrival time, message id and text, per chat), `answer_count`, `error_list`,
`wait_answers` and `wait_for_idle`. Times are `time.perf_counter()`, a system-wide monotonic clock on Linux,
so the two processes' readings compare.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections import defaultdict
from multiprocessing.connection import Connection
from typing import Any

START_TIMEOUT_SECONDS = 30.0


class RemoteFake:
    """A `TimedFakeTelegram` running in a child process (an async context manager)."""

    def __init__(self) -> None:
        self.answers: dict[int, list[tuple[float, int, str]]] = defaultdict(list)
        self.answer_count = 0
        self.token = self.base_url = self.base_file_url = ""
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._calls: dict[int, asyncio.Future[Any]] = {}
        self._next_call = 0
        self._goal: int | None = None
        self._reached = asyncio.Event()

    async def __aenter__(self) -> RemoteFake:
        context = multiprocessing.get_context("spawn")  # a clean interpreter: nothing of this process's loop
        ours, theirs = context.Pipe()
        self._process = context.Process(target=_child, args=(theirs,), name="fake-telegram", daemon=True)
        self._process.start()
        theirs.close()
        self._conn = ours
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[tuple[str, str, str]] = loop.create_future()
        self._calls[-1] = ready
        loop.add_reader(ours.fileno(), self._receive)
        self.token, self.base_url, self.base_file_url = await asyncio.wait_for(ready, START_TIMEOUT_SECONDS)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._conn is not None:
            asyncio.get_running_loop().remove_reader(self._conn.fileno())
            with contextlib.suppress(OSError):
                self._conn.send(("stop",))
        if self._process is not None:
            await asyncio.to_thread(self._process.join, 10)
            if self._process.is_alive():
                self._process.kill()
        if self._conn is not None:
            self._conn.close()

    def _receive(self) -> None:
        assert self._conn is not None
        while self._conn.poll():
            message = self._conn.recv()
            if message[0] == "answer":
                _, chat, at, message_id, text = message
                self.answers[chat].append((at, message_id, text))
                self.answer_count += 1
                if self._goal is not None and self.answer_count >= self._goal:
                    self._reached.set()
            elif message[0] == "result":
                _, call, value = message
                future = self._calls.pop(call, None)
                if future is not None and not future.done():
                    future.set_result(value)

    async def _call(self, method: str, *args: Any) -> Any:
        assert self._conn is not None
        self._next_call += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._calls[self._next_call] = future
        self._conn.send(("call", self._next_call, method, args))
        return await future

    def user(self, user_id: int, **fields: Any) -> None:
        assert self._conn is not None
        self._conn.send(("do", "user", (user_id,), fields))

    def send_text(self, user_id: int, text: str, *, reply_to_message_id: int | None = None) -> None:
        assert self._conn is not None
        self._conn.send(("do", "send_text", (user_id, text), {"reply_to_message_id": reply_to_message_id}))

    async def error_list(self) -> list[Any]:
        return list(await self._call("errors"))

    async def wait_for_idle(self, timeout: float, settle: float) -> None:
        problem = await self._call("wait_for_idle", timeout, settle)
        if problem:
            raise AssertionError(problem)

    async def wait_answers(self, total: int, timeout: float) -> str | None:
        """Until `total` sendMessage calls have arrived since the start; else what went missing."""
        self._goal = total
        self._reached = asyncio.Event()
        try:
            if self.answer_count < total:
                await asyncio.wait_for(self._reached.wait(), timeout)
        except TimeoutError:
            return f"only {self.answer_count} of {total} answers after {timeout:.0f} s"
        finally:
            self._goal = None
        return None


def _child(conn: Connection) -> None:
    """The child process: the timed fake, answering the parent's requests and reporting each answer."""
    asyncio.run(_serve(conn))


async def _serve(conn: Connection) -> None:
    from bench.throughput import TimedFakeTelegram  # imported here: the child is a fresh interpreter

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    async with TimedFakeTelegram(on_answer=lambda *answer: conn.send(("answer", *answer))) as tg:

        async def call(number: int, method: str, args: tuple[Any, ...]) -> None:
            if method == "errors":
                value: Any = list(tg.errors)
            else:  # wait_for_idle
                try:
                    await tg.wait_for_idle(timeout=args[0], settle=args[1])
                    value = None
                except AssertionError as busy:
                    value = str(busy)
            conn.send(("result", number, value))

        def receive() -> None:
            while conn.poll():
                try:
                    message = conn.recv()
                except EOFError:  # the parent is gone
                    stopped.set()
                    return
                if message[0] == "do":
                    _, name, args, kwargs = message
                    getattr(tg, name)(*args, **kwargs)
                elif message[0] == "call":
                    _, number, method, args = message
                    loop.create_task(call(number, method, args))
                elif message[0] == "stop":
                    stopped.set()

        loop.add_reader(conn.fileno(), receive)
        conn.send(("result", -1, (tg.token, tg.base_url, tg.base_file_url)))
        await stopped.wait()
        loop.remove_reader(conn.fileno())
