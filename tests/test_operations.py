"""Counters at GET /metrics and structured (JSON) logs (issue 7, operations), driven through the real handlers."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.adapters.console import ConsoleChannel
from bot.app import conversation
from bot.deps import Deps
from bot.logs import configure_logging
from bot.messaging import Attachment, Incoming, Outgoing
from bot.web.app import build_web_app
from handlers.router import handle
from scheduler.clock import SimulatedClock
from scheduler.sending import TemporaryFailure, Unreachable
from scheduler.service import ReminderService
from storage import outbox
from storage.db import transaction
from tests.factories import USER_IDS, seed_office

NOW = datetime(2023, 6, 20, 2, 0, tzinfo=UTC)
TOKEN = "123456:AAFakeTokenThatMustNeverBeLogged_xyz"


async def scrape(deps: Deps) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """GET /metrics through the real web app, parsed as Prometheus text."""
    transport = httpx.ASGITransport(app=build_web_app(deps))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def delta(after: dict, before: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


class FakeSender:
    """Answers each send with the next outcome: a message id, or an exception to raise."""

    channel = "console"

    def __init__(self, outcomes: list[object]) -> None:
        self.outcomes = outcomes

    async def send(self, chat_id: str, message: Outgoing) -> str:
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)


async def test_updates_replies_status_reports_and_reminders_are_counted_at_metrics(sqlite_deps: Deps) -> None:
    office = await seed_office(sqlite_deps, now=NOW, channel="console")
    before = await scrape(sqlite_deps)

    lan = ConsoleChannel(handle=conversation(sqlite_deps), sender_id=str(USER_IDS["lan"]), sender_name="Lan",
                         out=io.StringIO(), clock=lambda: NOW)
    await lan.say("/viec")
    await lan.say(f"#{office.tasks['vp_june'].id} đang làm 50%")
    await lan.say(f"#{office.tasks['vp_year'].id} xong")
    stranger = ConsoleChannel(handle=conversation(sqlite_deps), sender_id="424242", sender_name="Ai đó",
                              out=io.StringIO(), clock=lambda: NOW)
    await stranger.say("xong")

    # Three reminder-outbox messages to the chief: one sent, one to a blocked chat, one hitting a rate limit.
    chief = office.people["chief"]
    assert chief.id is not None
    async with transaction(sqlite_deps.sessions) as session:
        ids = await outbox.enqueue(session, [
            outbox.Planned(key=f"test:{n}", member_id=chief.id, day=date(2023, 6, 20), send_after=NOW,
                           notice={"kind": "unreachable", "member_id": office.people["hung"].id})
            for n in range(3)
        ])
    assert len(ids) == 3
    sender = FakeSender(["m1", Unreachable("bot was blocked"), TemporaryFailure("429", retry_after=0.01)])
    service = ReminderService(sqlite_deps.sessions, sqlite_deps.settings, SimulatedClock(NOW), {"console": sender})
    for outbox_id in ids:
        await service.deliver_one(outbox_id, today=date(2023, 6, 20))

    after = await scrape(sqlite_deps)
    assert delta(after, before, "dondoc_updates_total", channel="console") == 4
    assert delta(after, before, "dondoc_replies_total", channel="console") == 4
    assert delta(after, before, "dondoc_status_reports_total", channel="console") == 2
    assert delta(after, before, "dondoc_update_handling_seconds_count", channel="console") == 4
    assert delta(after, before, "dondoc_reminders_sent_total", channel="console") == 1
    assert delta(after, before, "dondoc_reminders_failed_total", channel="console", reason="unreachable") == 1
    assert delta(after, before, "dondoc_reminders_failed_total", channel="console", reason="temporary") == 1


@contextmanager
def bot_logging(**options: object) -> Iterator[io.StringIO]:
    """The bot's own logging set-up (`configure_logging`), its one handler writing into a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", secrets=[TOKEN], **options)  # type: ignore[arg-type]
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    with bot_logging(log_format="json") as buffer:
        yield buffer


async def test_json_logs_carry_the_update_and_member_and_never_the_token(
    sqlite_deps: Deps, json_logs: io.StringIO
) -> None:
    office = await seed_office(sqlite_deps, now=NOW)
    json_logs.seek(0)
    json_logs.truncate()
    lan = office.people["lan"]
    user = str(USER_IDS["lan"])
    secret_text = "đang làm 50% mật khẩu-bí-mật"
    await handle(sqlite_deps, Incoming(channel="test", chat_id=user, sender_id=user, sender_name="Lan",
                                       received_at=NOW, text=f"#{office.tasks['vp_june'].id} {secret_text}",
                                       update_id="777001"))

    async def failing_fetch() -> bytes:
        raise RuntimeError(f"GET https://api.telegram.org/file/bot{TOKEN}/documents/file_1.pdf failed")

    adapter_log = logging.getLogger("bot.adapters.telegram_channel")
    try:  # an adapter's error handler logs what escapes the conversation, as the Telegram channel does
        await handle(sqlite_deps, Incoming(
            channel="test", chat_id=user, sender_id=user, sender_name="Lan", received_at=NOW, update_id="777002",
            attachment=Attachment("document", "bao-cao.pdf", "application/pdf", 10, failing_fetch)))
    except RuntimeError:
        adapter_log.exception("error while handling an update")

    err = json_logs.getvalue()
    assert TOKEN not in err and TOKEN.split(":")[1] not in err
    assert secret_text not in err
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys()
    handled = [line for line in lines if line.get("update_id") == "777001" and "handled" in line["message"]]
    assert handled and handled[0]["member_id"] == lan.id and handled[0]["channel"] == "test"
    assert handled[0]["level"] == "INFO" and handled[0]["logger"] == "handlers.router"
    failed = [line for line in lines if line["message"] == "error while handling an update"]
    assert len(failed) == 1
    assert failed[0]["update_id"] == "777002" and failed[0]["member_id"] == lan.id
    assert "***" in failed[0]["exc"] and "RuntimeError" in failed[0]["exc"]


def test_text_logs_end_with_the_update_ids() -> None:
    import asyncio

    from bot.logs import bind_update

    with bot_logging() as buffer:
        async def one_update() -> None:
            bind_update(channel="zalo", update_id="message.text.received:abc", member_id=7)
            logging.getLogger("test").info("sent with %s", TOKEN)

        asyncio.run(one_update())  # its own task: the ids end with it
        logging.getLogger("test").info("outside any update")
    first, second = buffer.getvalue().splitlines()
    assert first.endswith("sent with *** [channel=zalo update_id=message.text.received:abc member_id=7]")
    assert second.endswith("outside any update")
