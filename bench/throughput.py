"""Status-reply throughput and latency, end to end, against a bare python-telegram-bot echo bot.

    python -m bench.throughput [--replies N] [--officers K] [--rate R] [--duration S]
                               [--rounds M] [--database sqlite|postgresql] [--fake in-process|process]
                               [--check]

Both bots run in this one process and event loop, each polling its own fake Bot API server
(tests/fakes/telegram_api.FakeTelegram on 127.0.0.1, artificial rate limits off), in this process by
default, or with --fake process in a process of their own (bench/fake_process.py), so that the fake's
work is not charged to the bots:

* "echo": a bare PTB Application built with the same ApplicationBuilder settings as ours
  (same read timeout, same PerChatOrderedProcessor update processor) and one MessageHandler that
  sends the text back (plain text, no database, no setMyCommands at start);
* "dondoc": the real `bot.app.running_telegram(deps)` on a fresh database (a SQLite file, or a new
  PostgreSQL database on 127.0.0.1:5432 dropped afterwards) seeded with `tests.factories.seed_office`
  plus officers across its three units, who send realistic status replies ("#3 đang làm 40%",
  "#2 xong", "vướng: thiếu kinh phí #4", and "vướng: …" as a Telegram reply to a bot message).

Phase 1 (saturation): N replies spread round-robin over K officers are injected at once; replies/s
is N / (last bot reply received by the fake - first injection). Runs alternate echo, dondoc, echo,
dondoc, … and the medians are compared (ratio dondoc/echo; target >= 0.70). Each run also gives the
process's CPU time per reply, which other load on the machine disturbs less than the rates.

Phase 2 (latency at a fixed rate): replies are injected at R/s (default 50) for S seconds,
round-robin over the officers; the latency of one reply is the time from its injection to the
fake receiving the bot's sendMessage for it (matched by chat and order: both bots process one chat
strictly in order). p50/p95/p99/max are reported for both bots (target: dondoc p99 < 100 ms).

Correctness is checked on every run: each injected reply got exactly one answer, in order, with the
expected text (the echo: the same text; dondoc: the confirmation headed "#<task> ·" of the task
the reply was about), no Bot API errors, and one new `status_report` row per reply. Violations are
listed, the runs they happened in are marked "!", and the exit status is 2 (whatever --check says).
With --check the exit status is 1 when a target is missed. Defaults take about 1.5 minutes.

The last line printed is one JSON object with every figure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.fake_process import RemoteFake
from bot import admin
from bot.adapters.chat_order import PerChatOrderedProcessor
from bot.app import open_deps, running_application, running_telegram
from bot.config import Settings
from bot.deps import Deps
from bot.logs import configure_logging
from storage import members
from storage.db import transaction
from storage.models import Role, StatusReport
from tests.databases import fresh_postgres_database
from tests.factories import USER_IDS, seed_office
from tests.fakes.telegram_api import FakeTelegram

log = logging.getLogger("bench.throughput")

TARGET_RATIO = 0.70
TARGET_P99_MS = 100.0
TARGET_RATE = 50.0
KEEP_ALIVE_SECONDS = 600
CHANNEL = "telegram"
FIRST_EXTRA_OFFICER_ID = 20_001

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Thị", "Văn", "Đức", "Minh", "Thu", "Quốc", "Hồng", "Thanh")
GIVEN = ("Lan", "Hùng", "Mai", "Tuấn", "Hà", "Dũng", "Hương", "Nam", "Linh", "Sơn", "Trang", "Phúc")
REASONS = (
    "thiếu kinh phí",
    "chờ ý kiến chỉ đạo của lãnh đạo Sở",
    "chưa nhận được số liệu của các phòng",
    "đang chờ đơn vị phối hợp góp ý",
)
HEADING = re.compile(r"^#(\d+) ·")


# --------------------------------------------------------------------------------------------
# the fake server, timed


class TimedFakeTelegram(FakeTelegram):
    """FakeTelegram that timestamps every sendMessage it receives, per chat, in arrival order."""

    def __init__(self, *, on_answer: Callable[[int, float, int, str], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # chat id: (arrival time, message_id, text) of every sendMessage, in arrival order
        self.answers: dict[int, list[tuple[float, int, str]]] = defaultdict(list)
        self._on_answer = on_answer  # bench/fake_process.py reports each answer to the benchmark's process
        self.answer_count = 0
        self._goal: int | None = None
        self._reached = asyncio.Event()

    async def __aenter__(self) -> TimedFakeTelegram:
        await super().__aenter__()
        # uvicorn closes connections idle for 5 s, racing the client reusing them (an echo answer was
        # once lost to the ReadError). The real Bot API keeps them longer than httpx's own 5 s expiry.
        assert self._server is not None
        self._server.config.timeout_keep_alive = KEEP_ALIVE_SECONDS
        return self

    # Overrides the fake's private handler: the only place that sees each answer as it arrives.
    async def _m_sendMessage(self, p: Any, request: Any) -> Any:
        message = await super()._m_sendMessage(p, request)
        answer = (time.perf_counter(), message["message_id"], message.get("text", ""))
        self.answers[message["chat"]["id"]].append(answer)
        self.answer_count += 1
        if self._on_answer is not None:
            self._on_answer(message["chat"]["id"], *answer)
        if self._goal is not None and self.answer_count >= self._goal:
            self._reached.set()
        return message

    async def error_list(self) -> list[Any]:
        return list(self.errors)

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


Fake = TimedFakeTelegram | RemoteFake  # in this process, or in its own (bench/fake_process.py)


def fake_server(where: str) -> Fake:
    return RemoteFake() if where == "process" else TimedFakeTelegram()


# --------------------------------------------------------------------------------------------
# the office and its replies


@dataclass
class Officer:
    user_id: int
    unit: str
    tasks: list[int]
    sent: int = 0


@dataclass
class Reply:
    """One injected status reply and the task the bot must confirm for it."""

    chat: int
    text: str
    task: int
    reply_to: int | None = None
    injected_at: float = 0.0


def _name(i: int) -> tuple[str, str]:
    return FAMILY[i % len(FAMILY)], f"{MIDDLE[i % len(MIDDLE)]} {GIVEN[(i * 7) % len(GIVEN)]}"


async def seed(deps: Deps, officers: int) -> list[Officer]:
    """seed_office (linked on the telegram channel) plus officers up to `officers` across VP, TCPC, TTra."""
    office = await seed_office(deps, now=datetime.now(UTC), channel=CHANNEL)
    ids = {key: task.id for key, task in office.tasks.items()}
    assert all(ids.values())
    unit_tasks = {  # what each unit's officers may report on (they act on their unit's assignment)
        "VP": [ids["vp_june"], ids["vp_year"]],
        "TCPC": [ids["tcpc_oct"], ids["vp_june"]],
        "TTra": [ids["ttra_cont"]],
    }
    roster = [
        Officer(USER_IDS["lan"], "VP", unit_tasks["VP"]),
        Officer(USER_IDS["minh"], "TCPC", unit_tasks["TCPC"]),
        Officer(USER_IDS["hung"], "TTra", unit_tasks["TTra"]),
    ][:officers]
    units = ("VP", "TCPC", "TTra")
    async with transaction(deps.sessions) as session:
        for i in range(officers - len(roster)):
            unit = units[i % len(units)]
            family, given = _name(i)
            member = await admin.add_member(
                session, full_name=f"{family} {given}", role=Role.OFFICER, unit=unit, locale=None
            )
            assert member.id is not None
            user_id = FIRST_EXTRA_OFFICER_ID + i
            await members.link_account(
                session, member_id=member.id, channel=CHANNEL, external_id=str(user_id), chat_id=str(user_id)
            )
            roster.append(Officer(user_id, unit, unit_tasks[unit]))
    return roster


def compose(officer: Officer, last_answer: tuple[int, str] | None) -> Reply:
    """The officer's next status reply: progress, done, blocked with #id, or blocked answering the bot."""
    n = officer.sent
    officer.sent += 1
    task = officer.tasks[(n // 4) % len(officer.tasks)]
    reason = REASONS[n % len(REASONS)]
    kind = n % 4
    if kind == 3 and last_answer is not None:
        message_id, answer_text = last_answer
        about = HEADING.match(answer_text)
        if about is not None:  # "vướng: …" answering the bot's confirmation: the task comes from the reply
            return Reply(officer.user_id, f"vướng: {reason}", int(about.group(1)), reply_to=message_id)
    if kind == 0:
        return Reply(officer.user_id, f"#{task} đang làm {10 + (n * 7) % 90}%", task)
    if kind == 1:
        return Reply(officer.user_id, f"#{task} xong", task)
    if kind == 2:
        return Reply(officer.user_id, f"vướng: {reason} #{task}", task)
    return Reply(officer.user_id, f"#{task} dự kiến xong 30/12", task)


# --------------------------------------------------------------------------------------------
# the two bots


class Target:
    """One bot under test, polling its own fake server."""

    def __init__(self, name: str, tg: Fake, officers: list[Officer], deps: Deps | None) -> None:
        self.name = name
        self.tg = tg
        self.officers = [Officer(o.user_id, o.unit, list(o.tasks)) for o in officers]  # own reply sequence
        self.deps = deps
        self._next = 0

    def expected(self, reply: Reply, answer: str) -> bool:
        if self.deps is None:  # the echo bot
            return answer == reply.text
        about = HEADING.match(answer)
        return about is not None and int(about.group(1)) == reply.task

    async def statuses(self) -> int | None:
        if self.deps is None:
            return None
        async with self.deps.sessions() as session:
            return int((await session.exec(select(func.count()).select_from(StatusReport))).one())

    def next_reply(self) -> Reply:
        officer = self.officers[self._next % len(self.officers)]
        self._next += 1
        answers = self.tg.answers.get(officer.user_id)
        last = (answers[-1][1], answers[-1][2]) if answers else None
        return compose(officer, last)

    def inject(self, reply: Reply) -> None:
        reply.injected_at = time.perf_counter()
        self.tg.send_text(reply.chat, reply.text, reply_to_message_id=reply.reply_to)


def _echo_builder(tg: Fake, poll_timeout: int) -> ApplicationBuilder:  # type: ignore[type-arg]
    """The same builder settings as bot.app.build_telegram + TelegramChannel.build (minus post_init)."""
    return (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .get_updates_read_timeout(poll_timeout + 10)
        .concurrent_updates(PerChatOrderedProcessor())
    )


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    try:
        await context.bot.send_message(message.chat_id, message.text)
    except NetworkError:  # e.g. a keep-alive connection the server closed just then; dondoc retries these too
        await context.bot.send_message(message.chat_id, message.text)


@contextlib.asynccontextmanager
async def running_echo(tg: Fake, poll_timeout: int) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The bare echo Application, run exactly as bot.app runs ours."""
    application = _echo_builder(tg, poll_timeout).build()
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, _echo))
    async with running_application(application, poll_timeout=poll_timeout) as running:
        yield running


# --------------------------------------------------------------------------------------------
# one measured run


@dataclass
class Run:
    target: str
    replies: int
    seconds: float
    latencies: list[float] = field(repr=False)
    problems: list[str] = field(default_factory=list)
    injection_seconds: float = 0.0
    max_injection_lag: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time (all threads) from the first injection to the last answer

    @property
    def cpu_ms_per_reply(self) -> float:
        return self.cpu_seconds / self.replies * 1000

    @property
    def rate(self) -> float:
        return self.replies / self.seconds if self.seconds > 0 else math.inf


async def _verify(
    target: Target, plan: list[Reply], base: dict[int, int], errors_before: int, statuses_before: int | None
) -> tuple[list[float], float, list[str]]:
    """Latencies (s) of the correctly answered chats, the time of the last answer, and every mistake found."""
    tg = target.tg
    problems: list[str] = []
    try:
        await tg.wait_for_idle(timeout=30, settle=0.25)  # a second answer to some reply would show up here
    except AssertionError as busy:
        problems.append(str(busy))
    by_chat: dict[int, list[Reply]] = defaultdict(list)
    for reply in plan:
        by_chat[reply.chat].append(reply)
    latencies: list[float] = []
    last = 0.0
    for chat, answers in tg.answers.items():
        new = answers[base.get(chat, 0) :]
        sent = by_chat.get(chat, [])
        if new:
            last = max(last, new[-1][0])
        if len(new) != len(sent):
            problems.append(f"chat {chat}: {len(sent)} replies injected, {len(new)} answers")
        for reply, (_, _, answer) in zip(sent, new, strict=False):
            if not target.expected(reply, answer):
                problems.append(f"chat {chat}: {reply.text!r} (task #{reply.task}) answered {answer[:90]!r}")
        if len(new) == len(sent):  # answers match replies one to one, in order
            latencies.extend(at - reply.injected_at for reply, (at, _, _) in zip(sent, new, strict=True))
    errors = await tg.error_list()
    if len(errors) > errors_before:
        problems.append(f"Bot API errors: {errors[errors_before:][:5]!r}")
    if statuses_before is not None:
        stored = (await target.statuses() or 0) - statuses_before
        if stored != len(plan):
            problems.append(f"{len(plan)} status replies but {stored} new status_report rows")
    return latencies, last, problems


async def _snapshot(target: Target) -> tuple[dict[int, int], int]:
    return {chat: len(answers) for chat, answers in target.tg.answers.items()}, len(await target.tg.error_list())


async def saturation_run(target: Target, n: int) -> Run:
    """N replies injected at once; replies/s from the first injection to the last answer."""
    plan = [target.next_reply() for _ in range(n)]
    base, errors_before = await _snapshot(target)
    statuses_before = await target.statuses()
    goal = target.tg.answer_count + n
    cpu_start = time.process_time()
    start = time.perf_counter()
    for reply in plan:
        target.inject(reply)
    injected = time.perf_counter() - start
    late = await target.tg.wait_answers(goal, timeout=30.0 + n / 10)
    cpu = time.process_time() - cpu_start
    latencies, last, problems = await _verify(target, plan, base, errors_before, statuses_before)
    problems[:0] = [late] if late else []
    return Run(target.name, n, last - start, latencies, problems, injection_seconds=injected, cpu_seconds=cpu)


async def paced_run(target: Target, rate: float, seconds: float) -> Run:
    """Replies injected at `rate`/s, round-robin over the officers, for `seconds`."""
    n = max(1, round(rate * seconds))
    base, errors_before = await _snapshot(target)
    statuses_before = await target.statuses()
    goal = target.tg.answer_count + n
    plan: list[Reply] = []
    lag = 0.0
    start = time.perf_counter()
    for i in range(n):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        reply = target.next_reply()  # composed now, so "vướng: …" can answer the latest confirmation
        target.inject(reply)
        lag = max(lag, reply.injected_at - due)
        plan.append(reply)
    injected = plan[-1].injected_at - start
    late = await target.tg.wait_answers(goal, timeout=30.0 + n / 10)
    latencies, last, problems = await _verify(target, plan, base, errors_before, statuses_before)
    problems[:0] = [late] if late else []
    return Run(
        target.name, n, last - start, latencies, problems, injection_seconds=injected, max_injection_lag=lag
    )


# --------------------------------------------------------------------------------------------
# the whole benchmark


@dataclass
class Options:
    replies: int = 250
    officers: int = 50
    rate: float = TARGET_RATE
    duration: float = 12.0
    rounds: int = 5
    database: str = "sqlite"
    poll_timeout: int = 10
    check: bool = False
    fake: str = "in-process"  # where the fake Bot API servers run: "in-process" (the bots') or "process" (their own)


@contextlib.asynccontextmanager
async def fresh_database(kind: str, workdir: Path) -> AsyncIterator[str]:
    """A new database as in tests/conftest.py: a SQLite file, or a PostgreSQL one dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    async with fresh_postgres_database("dondoc_bench") as url:
        yield url


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _latency_summary(run: Run) -> dict[str, Any]:
    ms = [value * 1000 for value in run.latencies] or [math.nan]
    return {
        "n": len(run.latencies),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
        "injected_per_s": round((run.replies - 1) / run.injection_seconds, 2)
        if run.injection_seconds > 0
        else None,
        "max_injection_lag_ms": round(run.max_injection_lag * 1000, 2),
        "answered_per_s": round(run.rate, 2),
    }


def machine() -> dict[str, Any]:
    cpu = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
    }


async def run_benchmark(options: Options, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Runs both phases and returns every figure. Wrong, extra or missing answers do not stop it: they are
    listed under "problems" (and make "correct" false), and the runs they happened in are flagged."""
    if (
        options.officers < 1
        or options.replies < 1
        or options.rounds < 1
        or options.rate <= 0
        or options.duration <= 0
    ):
        raise ValueError("--officers, --replies, --rounds, --rate and --duration must be positive")
    problems: list[str] = []

    def note(phase: str, run: Run) -> Run:
        problems.extend(f"{phase}, {run.target}: {problem}" for problem in run.problems[:5])
        if len(run.problems) > 5:
            problems.append(f"{phase}, {run.target}: … {len(run.problems) - 5} more")
        return run

    with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as tmp:
        workdir = Path(tmp)
        async with (
            fresh_database(options.database, workdir) as url,
            fake_server(options.fake) as echo_tg,
            fake_server(options.fake) as bot_tg,
        ):
            settings = Settings(  # like tests/conftest.make_settings, pointed at the fake
                database_url=url,
                evidence_dir=workdir / "evidence",
                telegram_token=bot_tg.token,
                telegram_api_base_url=bot_tg.base_url,
                telegram_file_base_url=bot_tg.base_file_url,
                telegram_poll_timeout=options.poll_timeout,
                _env_file=None,  # type: ignore[call-arg]
            )
            async with open_deps(settings) as deps:
                roster = await seed(deps, options.officers)
                for tg in (echo_tg, bot_tg):
                    for i, officer in enumerate(roster):
                        family, given = _name(i)
                        tg.user(officer.user_id, first_name=given, last_name=family, language_code="vi")
                async with running_echo(echo_tg, options.poll_timeout), running_telegram(deps):
                    echo = Target("echo", echo_tg, roster, None)
                    dondoc = Target("dondoc", bot_tg, roster, deps)
                    pair = (echo, dondoc)

                    async def prime(target: Target) -> None:
                        """One reply per officer at 100/s, unmeasured, just before a measured run.
                        httpx drops connections idle for 5 s (as while the other bot ran); a burst on an
                        empty pool opens ~32 at once, and httpcore then scans them all for every request
                        (echo: ~200 -> ~100 replies/s). A gentle primer leaves a few warm connections."""
                        note("primer", await paced_run(target, 100.0, len(roster) / 100.0))

                    for target in pair:  # warm-up: connections, caches, one confirmation per chat to reply to
                        note("warm-up", await saturation_run(target, len(roster)))
                        note("warm-up", await saturation_run(target, min(options.replies, 2 * len(roster))))
                    progress("warm-up done")
                    saturation: dict[str, list[Run]] = {"echo": [], "dondoc": []}
                    for round_ in range(options.rounds):
                        for target in pair:
                            await prime(target)
                            run = note(
                                f"phase 1 round {round_ + 1}", await saturation_run(target, options.replies)
                            )
                            saturation[target.name].append(run)
                            progress(
                                f"phase 1 round {round_ + 1}: {target.name} {run.rate:.1f} replies/s"
                                + (f" ({len(run.problems)} PROBLEMS)" if run.problems else "")
                            )
                    paced: dict[str, Run] = {}
                    for target in pair:
                        await prime(target)
                        run = note("phase 2", await paced_run(target, options.rate, options.duration))
                        paced[target.name] = run
                        progress(
                            f"phase 2: {target.name} p99 {_latency_summary(run)['p99_ms']} ms"
                            + (f" ({len(run.problems)} PROBLEMS)" if run.problems else "")
                        )
                    statuses = await dondoc.statuses()
    echo_rates = [run.rate for run in saturation["echo"]]
    bot_rates = [run.rate for run in saturation["dondoc"]]
    ratio = statistics.median(bot_rates) / statistics.median(echo_rates)
    echo_cpu = [run.cpu_ms_per_reply for run in saturation["echo"]]
    bot_cpu = [run.cpu_ms_per_reply for run in saturation["dondoc"]]
    latency = {name: _latency_summary(run) for name, run in paced.items()}
    ratio_met = ratio >= TARGET_RATIO
    p99_met = latency["dondoc"]["p99_ms"] < TARGET_P99_MS and options.rate >= TARGET_RATE
    correct = not problems
    return {
        "bench": "throughput",
        "database": options.database,
        "options": asdict(options),
        "machine": machine(),
        "saturation": {
            "replies": options.replies,
            "echo_replies_per_s": [round(r, 1) for r in echo_rates],
            "dondoc_replies_per_s": [round(r, 1) for r in bot_rates],
            "echo_median": round(statistics.median(echo_rates), 1),
            "dondoc_median": round(statistics.median(bot_rates), 1),
            "ratio": round(ratio, 3),
            "ratio_per_round": [round(b / e, 3) for b, e in zip(bot_rates, echo_rates, strict=True)],
            # CPU time of the bots' process per reply (the fake servers' too unless --fake process): less
            # sensitive than the rates to other load on the machine. cpu_ratio = median(echo) / median(dondoc),
            # the rate ratio the bot would reach if its CPU were the only limit.
            "echo_cpu_ms_per_reply": [round(c, 2) for c in echo_cpu],
            "dondoc_cpu_ms_per_reply": [round(c, 2) for c in bot_cpu],
            "echo_cpu_median": round(statistics.median(echo_cpu), 2),
            "dondoc_cpu_median": round(statistics.median(bot_cpu), 2),
            "cpu_ratio": round(statistics.median(echo_cpu) / statistics.median(bot_cpu), 3),
            "runs_with_problems": {
                name: [i + 1 for i, run in enumerate(runs) if run.problems]
                for name, runs in saturation.items()
            },
        },
        "latency": {"rate_per_s": options.rate, "seconds": options.duration, **latency},
        "status_reports_stored": statuses,
        "targets": {
            "ratio_min": TARGET_RATIO,
            "ratio_met": ratio_met,
            "p99_max_ms": TARGET_P99_MS,
            "p99_at_rate_per_s": TARGET_RATE,
            "p99_met": p99_met,
            "met": ratio_met and p99_met and correct,
        },
        "correct": correct,
        "problems": problems,
    }


def render(result: dict[str, Any]) -> str:
    s, lat, tgt, m = result["saturation"], result["latency"], result["targets"], result["machine"]
    o = result["options"]
    ok = {True: "met", False: "MISSED"}
    flagged = s["runs_with_problems"]

    def cell(value: float, name: str, index: int) -> str:
        return f"{value:>7.1f}{'!' if index + 1 in flagged[name] else ' '}"

    runs = len(s["echo_replies_per_s"])
    cpu_what = "bots' process (fake servers not included)" if o["fake"] == "process" else "whole process (fake servers included)"
    latency_what = "latency from injection to the fake receiving the answer (ms)"
    lines = [
        (
            f"Đôn Đốc status-reply benchmark — {result['database']}, {o['officers']} officers; "
            f"{m['nproc']} CPUs ({m['cpu']}), Python {m['python']}"
        ),
        f"Phase 1: {s['replies']} replies injected at once, replies/s (first injection -> last answer)",
        f"  {'':<20}" + "".join(f"{'run ' + str(i + 1):>8} " for i in range(runs)) + f"{'median':>8}",
        f"  {'echo (bare PTB)':<20}"
        + "".join(cell(r, "echo", i) + " " for i, r in enumerate(s["echo_replies_per_s"]))
        + f"{s['echo_median']:>8.1f}",
        f"  {'dondoc':<20}"
        + "".join(cell(r, "dondoc", i) + " " for i, r in enumerate(s["dondoc_replies_per_s"]))
        + f"{s['dondoc_median']:>8.1f}",
        f"  {'ratio dondoc/echo':<20}"
        + "".join(f"{r:>8.2f} " for r in s["ratio_per_round"])
        + f"{s['ratio']:>8.2f}   target >= {tgt['ratio_min']:.2f}: {ok[tgt['ratio_met']]}",
        f"  CPU ms per reply, {cpu_what} (echo/dondoc = {s['cpu_ratio']:.2f})",
        f"  {'echo (bare PTB)':<20}"
        + "".join(f"{c:>8.2f} " for c in s["echo_cpu_ms_per_reply"]) + f"{s['echo_cpu_median']:>8.2f}",
        f"  {'dondoc':<20}"
        + "".join(f"{c:>8.2f} " for c in s["dondoc_cpu_ms_per_reply"]) + f"{s['dondoc_cpu_median']:>8.2f}",
        f"Phase 2: {lat['rate_per_s']:g} replies/s for {lat['seconds']:g} s, {latency_what}",
        f"  {'':<20}{'n':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}{'injected/s':>12}{'answered/s':>12}",
    ]
    for name, label in (("echo", "echo (bare PTB)"), ("dondoc", "dondoc")):
        x = lat[name]
        figures = (x["p50_ms"], x["p95_ms"], x["p99_ms"], x["max_ms"], x["injected_per_s"] or 0)
        line = f"  {label:<20}{x['n']:>6}" + "".join(f"{v:>9.1f}" for v in figures[:4])
        line += f"{figures[4]:>12.1f}{x['answered_per_s']:>12.1f}"
        if name == "dondoc":
            line += f"   target p99 < {tgt['p99_max_ms']:g} ms: {ok[tgt['p99_met']]}"
        lines.append(line)
    if lat["rate_per_s"] < tgt["p99_at_rate_per_s"]:
        lines.append(
            f"  (the p99 target is defined at {tgt['p99_at_rate_per_s']:g} replies/s; this run used "
            f"{lat['rate_per_s']:g}, so it cannot meet it)"
        )
    if result["correct"]:
        lines.append(
            f"Every reply got exactly one correct answer; {result['status_reports_stored']} "
            f"status_report rows stored. Targets {'met' if tgt['met'] else 'MISSED'}."
        )
    else:
        lines.append("WRONG OR MISSING ANSWERS (runs marked ! above; their figures are suspect):")
        lines.extend(f"  - {problem}" for problem in result["problems"][:20])
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--replies", type=int, default=Options.replies, help="phase 1: replies injected at once per run"
    )
    parser.add_argument(
        "--officers", type=int, default=Options.officers, help="officers (chats) sending replies"
    )
    parser.add_argument("--rate", type=float, default=Options.rate, help="phase 2: replies per second")
    parser.add_argument("--duration", type=float, default=Options.duration, help="phase 2: seconds per bot")
    parser.add_argument(
        "--rounds", type=int, default=Options.rounds, help="phase 1: alternating echo/dondoc rounds"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default=Options.database)
    parser.add_argument(
        "--poll-timeout", type=int, default=Options.poll_timeout, help="getUpdates long-poll seconds"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--fake", choices=("process", "in-process"), default=Options.fake,
        help="run the fake Bot API servers in the bots' process (default) or in a process of their own",
    )
    return Options(**vars(parser.parse_args(argv)))


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status: 0 done (targets met or not), 1 a target missed and --check, 2 wrong or missing answers."""
    options = parse_args(argv)
    # Log as `dondoc run` does (INFO, httpx quieted, token redacted), minus PTB's start/stop notices.
    configure_logging("INFO", secrets=[FakeTelegram.__init__.__kwdefaults__["token"]])
    logging.getLogger("telegram").setLevel(logging.WARNING)

    def progress(message: str) -> None:
        print(f"... {message}", file=sys.stderr, flush=True)

    result = asyncio.run(run_benchmark(options, progress))
    print(render(result))
    print(json.dumps(result, ensure_ascii=False))
    if not result["correct"]:
        print(
            "BENCHMARK FAILED: some replies got a wrong, missing or extra answer (see above)", file=sys.stderr
        )
        return 2
    if options.check and not result["targets"]["met"]:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
