"""Fault injection: random and malformed updates through the real webhook endpoints (issue 7).

Each channel's endpoint is mounted in a Starlette app as `dondoc run --webhook` mounts it and called in process
through httpx's ASGI transport; replies go out through the real adapters (python-telegram-bot's Application, the
Zalo client) to the fake Bot APIs (tests/fakes), on a seeded SQLite database. Hypothesis draws one update per
example: well-formed messages from the seeded members (and a stranger) with odd Unicode (RTL marks, zero-width
characters, emoji sequences, combining marks, control characters) up to 100,000 characters, commands with junk
arguments, button presses with forged or over-long callback data, documents with huge declared sizes and odd
names and types, Zalo photos, stickers and unknown event names; and malformed ones: fields missing or of the
wrong type, unknown update kinds, out-of-range dates, bodies that are not JSON objects.

What is asserted, per update:
* nothing escapes the endpoint (the ASGI transport re-raises an app exception) and nothing is logged at ERROR
  (the channels' error hooks log there), except the one expected case of a malformed update naming a chat the
  Bot API does not know: its reply cannot be delivered and that is logged;
* the answer is never 5xx: a 5xx makes the platform deliver the update again, which only helps when a later
  attempt can succeed (database down, another process holding the claim; tests/test_telegram_webhook.py). A
  malformed update never can, so it is answered 200 when it is JSON naming an update (Telegram: anything with an
  integer update_id; Zalo: any JSON object), which also stops any redelivery, or 400 when the body is not
  JSON or not an object (Zalo, Telegram) or has no integer update_id (Telegram), or 413 over 1 MB;
* a well-formed update is handled exactly once (one call of the conversation) and its sender gets a reply:
  at least one message for a message (a long reply is split), exactly one answered callback query (the toast)
  for a button press on Telegram; on Zalo, at least one message whatever the event.

The CI variant draws FUZZ_EXAMPLES updates per channel (400 by default: derandomized, no example database, about
15 s for both). The long variant, 10,000 per channel (random each run; a failure prints the blob to reproduce it
with @reproduce_failure; a few minutes)::

    DONDOC_FUZZ_EXAMPLES=10000 .venv/bin/pytest tests/test_fuzz_updates.py

Product bugs this found (fixed, with the fixed-case tests at the end): a Telegram update whose fields have wrong
types (a user id that is a list, a chat id that is text, …) was taken by python-telegram-bot and failed later
with a 500, redelivered for nothing (now answered 200 and ignored: bot/adapters/telegram_webhook.py); a Zalo
message whose `date` is out of datetime's range or near its end failed the handling with a 500 (now the time
the update arrived is used: bot/adapters/zalo_render.py).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.routing import Route

from bot import callbacks
from bot.adapters.telegram_channel import TelegramChannel
from bot.adapters.telegram_webhook import PATH as TELEGRAM_PATH
from bot.adapters.telegram_webhook import SECRET_HEADER as TELEGRAM_SECRET_HEADER
from bot.adapters.telegram_webhook import telegram_webhook
from bot.adapters.zalo_runtime import running_zalo
from bot.adapters.zalo_webhook import SECRET_HEADER as ZALO_SECRET_HEADER
from bot.app import open_deps, remember_sent, running_telegram
from bot.deps import Deps
from bot.messaging import Incoming, OutgoingFile, Photo, Response
from handlers.router import _BY_NAME, handle
from tests.conftest import make_settings
from tests.factories import STRANGER_ID, USER_IDS, Office, seed_office
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

FUZZ_EXAMPLES = int(os.environ.get("DONDOC_FUZZ_EXAMPLES", "400"))
LONG = FUZZ_EXAMPLES > 1000
TELEGRAM_SECRET = "fuzz-telegram-secret-0123"
ZALO_SECRET = "fuzz-zalo-secret-0123"
SENDERS = [*USER_IDS.values(), STRANGER_ID]
MAX_TEXT = 100_000

FUZZ = settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=not LONG, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example, HealthCheck.filter_too_much],
)
# pytest-timeout's 60 s is per test; the long variant needs longer.
TIMEOUT = pytest.mark.timeout(max(120, FUZZ_EXAMPLES // 10))

# ------------------------------------------------------------------------------------------------ strategies

ODD = [
    "\u202eتم\u202c", "שלום עולם", "\u200b\u200c\u200d\ufeff", "👨‍👩‍👧‍👦🇻🇳🏳️‍🌈", "a\u0301\u0302\u0303\u0323" * 5,
    "\x00\x01\x07\x1b[31m", "\r\n\t", "&nbsp;<b>x</b><a href='javascript:1'>", "%s {id} {0} %(x)s",
    "Đã xong 100%", "xong", "dang lam 50%", "vướng: thiếu kinh phí", "xin gia hạn đến 31/02", "nhắc lại mai",
    "#0 xong", "#99999999999999999999 xong", "NV-1 đang làm -5%", "12: dang lam 999%", "1", "2", "9", "99", " 3 ",
    "/", "//", "/ viec", "/viec@other_bot", "\u3000", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ﷺ", "\U000e0041", "\uffff", "\U0010ffff",
]
odd_text = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200),
    st.sampled_from(ODD),
    st.lists(st.sampled_from(ODD), min_size=1, max_size=6).map(" ".join),
)


def _repeat(piece: str, times: int) -> str:
    return ((piece or "x") * times)[:MAX_TEXT]


huge_text = st.builds(_repeat, st.sampled_from([*ODD, "a", "ạ", "😀"]), st.integers(1_000, MAX_TEXT))
command_text = st.builds(lambda name, args: f"/{name} {args}".rstrip(), st.sampled_from(sorted(_BY_NAME)), odd_text)
any_text = st.one_of(odd_text, odd_text, command_text, huge_text)
forged_callback = st.one_of(
    st.text(max_size=64),  # what Telegram allows (in bytes; these are characters, so some go beyond)
    st.text(min_size=65, max_size=300),
    st.builds(lambda verb, args: ":".join([verb, *args]), st.sampled_from(sorted(callbacks.VERBS)),
              st.lists(st.one_of(st.integers(-10, 10**12).map(str), st.sampled_from(["d", "i", "b", "n", "", "x"])),
                       max_size=6)),
)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
_json_shallow = st.one_of(json_scalar, st.lists(json_scalar, max_size=3),
                         st.dictionaries(st.text(max_size=8), json_scalar, max_size=3))
json_value = st.one_of(_json_shallow, st.lists(_json_shallow, max_size=3),
                       st.dictionaries(st.text(max_size=8), _json_shallow, max_size=3))
odd_date = st.one_of(json_scalar, st.sampled_from([0, -1, 10**11, 10**13, 10**19, 2**63, -(2**63), 1e308]))


@st.composite
def _mutated(draw: st.DrawFn, base: dict[str, Any], paths: list[tuple[str, ...]]) -> dict[str, Any]:
    """`base` with one to three fields deleted or replaced by garbage."""
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        holder: Any = data
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if not isinstance(holder, dict):
            continue
        if draw(st.booleans()):
            holder.pop(path[-1], None)
        else:
            holder[path[-1]] = draw(odd_date if path[-1] == "date" else json_value)
    return data


# ------------------------------------------------------------------------------------------------ harness


@dataclass
class Calls:
    """The conversation, counted: what each update id was handled as."""

    handled: dict[str | None, list[Response]] = field(default_factory=dict)

    def wrap(self, deps: Deps) -> Callable[[Incoming], Awaitable[Response]]:
        async def counted(incoming: Incoming) -> Response:
            response = await handle(deps, incoming)
            self.handled.setdefault(incoming.update_id, []).append(response)
            return response

        return counted


def _errors(caplog: pytest.LogCaptureFixture, *, allow_undelivered: bool) -> list[str]:
    found = []
    for record in caplog.records:
        if record.levelno < logging.ERROR:
            continue
        if allow_undelivered and "not delivered" in record.getMessage():
            continue
        found.append(f"{record.name}: {record.getMessage()} {record.exc_info!r}")
    caplog.clear()
    return found


@dataclass
class TelegramBot:
    fake: FakeTelegram
    deps: Deps
    office: Office
    calls: Calls
    client: httpx.AsyncClient
    bot_message: dict[int, int]  # a message of the bot in each user's chat, for buttons to be on
    ids: Any = field(default_factory=lambda: itertools.count(700_000_001))

    async def post(self, body: bytes) -> int:
        response = await self.client.post(TELEGRAM_PATH, content=body, headers={
            TELEGRAM_SECRET_HEADER: TELEGRAM_SECRET, "Content-Type": "application/json"})
        return response.status_code


@asynccontextmanager
async def telegram_bot(tmp_path: Path) -> AsyncIterator[TelegramBot]:
    async with AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeTelegram())
        settings_ = make_settings(
            f"sqlite:///{tmp_path / 'fuzz-telegram.sqlite3'}", tmp_path, telegram_token=fake.token,
            telegram_api_base_url=fake.base_url, telegram_file_base_url=fake.base_file_url, reminders_enabled=False)
        deps = await stack.enter_async_context(open_deps(settings_))
        office = await seed_office(deps, now=datetime.now(UTC), channel="telegram")
        calls = Calls()
        channel = TelegramChannel(handle=calls.wrap(deps), remember=partial(remember_sent, deps, "telegram"),
                                  default_locale=deps.settings.default_locale)
        application = await stack.enter_async_context(running_telegram(deps, channel=channel, poll=False))
        app = Starlette(routes=[Route(TELEGRAM_PATH, telegram_webhook(channel, application, deps.sessions,
                                                                       TELEGRAM_SECRET), methods=["POST"])])
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test"))
        bot = TelegramBot(fake, deps, office, calls, client, {})
        for user in SENDERS:
            fake.user(user, first_name="Người dùng")
            assert await bot.post(json.dumps(fake.send_text(user, "/help")).encode()) == 200
            bot.bot_message[user] = fake.messages_to(user)[-1]["message_id"]
        yield bot


@dataclass(frozen=True)
class TelegramCase:
    """One update to deliver: built against the fake (so it knows the message, file or callback query) when
    `well_formed`, else a raw body."""

    kind: str
    user: int = 0
    text: str | None = None
    data: str | None = None
    document: tuple[bytes, str, str, int, str | None] | None = None
    raw: Any = None

    @property
    def well_formed(self) -> bool:
        return self.kind in ("text", "button", "document")


def _telegram_base(user: int) -> dict[str, Any]:
    return {"message": {"message_id": 1, "date": int(datetime.now(UTC).timestamp()),
                        "from": {"id": user, "is_bot": False, "first_name": "X", "language_code": "vi"},
                        "chat": {"id": user, "type": "private", "first_name": "X"}, "text": "xong"}}


TELEGRAM_PATHS = [("message",), ("message", "message_id"), ("message", "date"), ("message", "from"),
                  ("message", "from", "id"), ("message", "from", "is_bot"), ("message", "from", "first_name"),
                  ("message", "from", "language_code"), ("message", "chat"), ("message", "chat", "id"),
                  ("message", "chat", "type"), ("message", "text"), ("message", "entities"),
                  ("message", "reply_to_message"), ("message", "document"), ("message", "photo"),
                  ("message", "caption")]
UNKNOWN_KINDS = ["edited_message", "channel_post", "my_chat_member", "chat_member", "inline_query", "poll",
                 "message_reaction", "business_message", "chat_join_request", "shipping_query", "x-unknown"]

telegram_cases = st.one_of(
    st.builds(TelegramCase, kind=st.just("text"), user=st.sampled_from(SENDERS), text=any_text),
    st.builds(TelegramCase, kind=st.just("button"), user=st.sampled_from(SENDERS), data=forged_callback),
    st.builds(TelegramCase, kind=st.just("document"), user=st.sampled_from(SENDERS), document=st.tuples(
        st.binary(max_size=64), odd_text.filter(bool), st.one_of(st.sampled_from(
            ["application/pdf", "image/png", "application/x-msdownload", "text/plain", "application/zip",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]), odd_text.filter(bool)),
        st.one_of(st.integers(0, 2**62), st.sampled_from([0, 1, 20 * 2**20, 20 * 2**20 + 1, 2**31, 2**53])),
        st.one_of(st.none(), odd_text, st.just("#1"), st.just("#2 xong")))),
    st.builds(TelegramCase, kind=st.just("mutated"), raw=st.sampled_from(SENDERS).flatmap(
        lambda user: _mutated(_telegram_base(user), TELEGRAM_PATHS))),
    st.builds(TelegramCase, kind=st.just("unknown"), raw=st.builds(
        lambda kind, value: {kind: value}, st.one_of(st.sampled_from(UNKNOWN_KINDS), st.text(max_size=12)),
        json_value)),
    st.builds(TelegramCase, kind=st.just("callback"), raw=st.builds(
        lambda user, query: {"callback_query": query}, st.sampled_from(SENDERS), st.fixed_dictionaries(
            {}, optional={"id": json_value, "from": st.just({"id": USER_IDS["lan"], "is_bot": False,
                                                             "first_name": "Lan"}) | json_value,
                          "message": json_value, "chat_instance": json_value, "data": forged_callback | json_value}))),
    st.builds(TelegramCase, kind=st.just("body"), raw=st.one_of(
        json_value, st.binary(max_size=40), st.builds(lambda uid: {"update_id": uid}, json_value))),
)


async def _deliver_telegram(bot: TelegramBot, case: TelegramCase) -> tuple[int, dict[str, Any] | None]:
    fake = bot.fake
    if case.kind == "text":
        update = fake.send_text(case.user, case.text or "")
    elif case.kind == "button":
        update = fake.press_button(case.user, bot.bot_message[case.user], case.data or "")
    elif case.kind == "document":
        assert case.document is not None
        content, name, mime, size, caption = case.document
        update = fake.send_document(case.user, content, file_name=name, mime_type=mime, file_size=size,
                                    caption=caption)
    elif case.kind == "body":
        body = case.raw if isinstance(case.raw, bytes) else json.dumps(case.raw).encode()
        return await bot.post(body), None
    else:
        update = {"update_id": next(bot.ids), **case.raw}
        return await bot.post(json.dumps(update, ensure_ascii=False).encode()), None
    return await bot.post(json.dumps(update, ensure_ascii=False).encode()), update


@pytest.fixture
async def telegram(tmp_path: Path) -> AsyncIterator[TelegramBot]:
    async with telegram_bot(tmp_path) as bot:
        yield bot


@TIMEOUT
@FUZZ
@given(case=telegram_cases)
async def test_telegram_webhook_survives_random_and_malformed_updates(
    telegram: TelegramBot, caplog: pytest.LogCaptureFixture, case: TelegramCase
) -> None:
    caplog.set_level(logging.WARNING)
    caplog.clear()
    fake = telegram.fake
    user = case.user
    messages_before = len(fake.messages_to(user)) if case.well_formed else 0
    answers_before = len(fake.callback_answers)
    status, update = await _deliver_telegram(telegram, case)
    assert status in (200, 400, 413), (status, case.kind)
    assert _errors(caplog, allow_undelivered=not case.well_formed) == []
    if update is None:
        return
    assert status == 200
    handled = telegram.calls.handled.get(str(update["update_id"]), [])
    assert len(handled) == 1, f"handled {len(handled)} times"
    if case.kind == "button":
        answered = [a for a in fake.callback_answers[answers_before:]
                    if a["callback_query_id"] == update["callback_query"]["id"]]
        assert len(answered) == 1
    else:
        assert len(fake.messages_to(user)) > messages_before, handled[0]


# ------------------------------------------------------------------------------------------------ Zalo


@dataclass
class ZaloBot:
    fake: FakeZalo
    deps: Deps
    calls: Calls
    client: httpx.AsyncClient
    ids: Any = field(default_factory=lambda: itertools.count(1))

    async def post(self, body: bytes) -> int:
        response = await self.client.post("/webhook/zalo", content=body, headers={
            ZALO_SECRET_HEADER: ZALO_SECRET, "Content-Type": "application/json"})
        return response.status_code


@asynccontextmanager
async def zalo_bot(tmp_path: Path) -> AsyncIterator[ZaloBot]:
    async with AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeZalo(webhook_wrapped=True))
        settings_ = make_settings(
            f"sqlite:///{tmp_path / 'fuzz-zalo.sqlite3'}", tmp_path, zalo_token=fake.token,
            zalo_api_base_url=fake.base_url, zalo_webhook_secret=ZALO_SECRET, reminders_enabled=False)
        deps = await stack.enter_async_context(open_deps(settings_))
        await seed_office(deps, now=datetime.now(UTC), channel="zalo")
        calls = Calls()

        async def publish_photo(photo: Photo) -> str:
            return fake.host(photo.content)

        async def link_file(chat_id: str, file: OutgoingFile) -> str:
            return f"https://dondoc.example/d/{chat_id}/{len(file.content)}"

        runtime = await stack.enter_async_context(running_zalo(
            deps, calls.wrap(deps), remember=partial(remember_sent, deps, "zalo"), publish_photo=publish_photo,
            link_file=link_file, poll=False))
        app = Starlette(routes=[Route("/webhook/zalo", runtime.webhook(), methods=["POST"])])
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dondoc.test"))
        for user in SENDERS:
            fake.user(user)
        yield ZaloBot(fake, deps, calls, client)


@dataclass(frozen=True)
class ZaloCase:
    kind: str
    user: int = 0
    event: str = ""
    body: dict[str, Any] = field(default_factory=dict)
    photo: bytes | None = None
    raw: Any = None

    @property
    def well_formed(self) -> bool:
        return self.kind == "message"


ZALO_EVENTS = ["message.text.received", "message.image.received", "message.sticker.received",
               "message.unsupported.received", "message.voice.received", "message.location.received",
               "message.link.received", "user.follow", "message..received", "message.text.received.extra"]
zalo_cases = st.one_of(
    st.builds(ZaloCase, kind=st.just("message"), user=st.sampled_from(SENDERS),
              event=st.sampled_from(ZALO_EVENTS[:1]), body=st.builds(lambda text: {"text": text}, any_text)),
    st.builds(ZaloCase, kind=st.just("message"), user=st.sampled_from(SENDERS),
              event=st.one_of(st.sampled_from(ZALO_EVENTS), st.text(min_size=1, max_size=30)),
              body=st.fixed_dictionaries({}, optional={"text": odd_text, "caption": odd_text,
                                                       "sticker": st.text(max_size=20)}),
              photo=st.none() | st.binary(max_size=256)),
    st.builds(ZaloCase, kind=st.just("mutated"), user=st.sampled_from(SENDERS), raw=st.sampled_from(SENDERS).flatmap(
        lambda user: _mutated({"event_name": "message.text.received", "message": {
            "from": {"id": str(user), "display_name": "X", "is_bot": False},
            "chat": {"id": str(user), "chat_type": "PRIVATE"}, "message_id": "m", "date": 1700000000000,
            "text": "xong"}}, [("event_name",), ("message",), ("message", "from"), ("message", "from", "id"),
                               ("message", "from", "is_bot"), ("message", "from", "display_name"),
                               ("message", "chat"), ("message", "chat", "id"), ("message", "message_id"),
                               ("message", "date"), ("message", "text"), ("message", "photo_url"),
                               ("message", "caption")]))),
    st.builds(ZaloCase, kind=st.just("body"), raw=st.one_of(json_value, st.binary(max_size=40))),
)


async def _deliver_zalo(bot: ZaloBot, case: ZaloCase) -> tuple[int, str | None]:
    if case.kind == "body":
        body = case.raw if isinstance(case.raw, bytes) else json.dumps(case.raw).encode()
        return await bot.post(body), None
    number = next(bot.ids)
    if case.kind == "mutated":
        update = json.loads(json.dumps(case.raw))
        mutated = update.get("message")
        if isinstance(mutated, dict) and mutated.get("message_id") == "m":
            mutated["message_id"] = f"fuzz{number}"  # a fresh id, or it would be skipped as a redelivery
        wrapped = {"ok": True, "result": update} if number % 2 else update
        return await bot.post(json.dumps(wrapped, ensure_ascii=False).encode()), None
    user = str(case.user)
    message: dict[str, Any] = {"from": {"id": user, "display_name": "Người dùng", "is_bot": False},
                               "chat": {"id": user, "chat_type": "PRIVATE"}, "message_id": f"fuzz{number}",
                               "date": int(datetime.now(UTC).timestamp() * 1000), **case.body}
    if case.photo is not None:
        message["photo_url"] = bot.fake.host(case.photo, "image/jpeg")
    update = {"event_name": case.event, "message": message}
    wrapped = {"ok": True, "result": update} if number % 2 else update
    return await bot.post(json.dumps(wrapped, ensure_ascii=False).encode()), f"{case.event}:fuzz{number}"


@pytest.fixture
async def zalo(tmp_path: Path) -> AsyncIterator[ZaloBot]:
    async with zalo_bot(tmp_path) as bot:
        yield bot


@TIMEOUT
@FUZZ
@given(case=zalo_cases)
async def test_zalo_webhook_survives_random_and_malformed_updates(
    zalo: ZaloBot, caplog: pytest.LogCaptureFixture, case: ZaloCase
) -> None:
    caplog.set_level(logging.WARNING)
    caplog.clear()
    before = len(zalo.fake.messages_to(case.user)) if case.well_formed else 0
    status, key = await _deliver_zalo(zalo, case)
    assert status in (200, 400, 413), (status, case.kind)
    assert _errors(caplog, allow_undelivered=not case.well_formed) == []
    if key is None:
        return
    assert status == 200
    handled = zalo.calls.handled.get(key, [])
    assert len(handled) == 1, f"handled {len(handled)} times"
    assert len(zalo.fake.messages_to(case.user)) > before, handled[0]


# ------------------------------------------------------------------------------------------------ fixed cases


async def test_a_body_over_one_megabyte_is_refused_with_a_4xx_not_retried(
    telegram: TelegramBot, zalo: ZaloBot
) -> None:
    """413 (a 4xx): no Bot API update is that large, and delivering it again would not make it smaller."""
    huge = json.dumps({"update_id": 1, "message": {"text": "x" * (1024 * 1024)}}).encode()
    assert await telegram.post(huge) == 413
    assert await zalo.post(huge) == 413


def _telegram_message(**changes: Any) -> dict[str, Any]:
    message = _telegram_base(USER_IDS["lan"])["message"]
    for path, value in changes.items():
        holder = message
        *parents, last = path.split("__")
        for key in parents:
            holder = holder[key]
        holder[last] = value
    return {"message": message}


BUTTON_WITH_NUMBER_DATA = {"callback_query": {
    "id": "1", "chat_instance": "1", "data": 5, "from": {"id": USER_IDS["lan"], "is_bot": False, "first_name": "L"},
    "message": _telegram_base(USER_IDS["lan"])["message"]}}


@pytest.mark.parametrize("update", [
    _telegram_message(from__id=[]),  # python-telegram-bot took it, then failed hashing the user id (500)
    _telegram_message(date=10**13),  # beyond datetime's range
    _telegram_message(date=253_402_300_000),  # 31/12/9999: cannot be shown in the office's zone
    _telegram_message(chat__id="abc"),
    _telegram_message(text=12),
    _telegram_message(from__first_name=None),
    BUTTON_WITH_NUMBER_DATA,
    {"edited_message": _telegram_base(USER_IDS["lan"])["message"]},  # a kind setWebhook did not ask for
], ids=["user-id-list", "date-too-big", "date-year-9999", "chat-id-text", "text-number", "no-first-name",
        "button-data-number", "edited-message"])
async def test_a_malformed_telegram_update_is_answered_200_and_ignored(
    telegram: TelegramBot, caplog: pytest.LogCaptureFixture, update: dict[str, Any]
) -> None:
    update_id = next(telegram.ids)
    assert await telegram.post(json.dumps({"update_id": update_id, **update}).encode()) == 200
    assert str(update_id) not in telegram.calls.handled
    assert _errors(caplog, allow_undelivered=False) == []


@pytest.mark.parametrize("date", [253_402_300_800_000, 253_402_275_600_000, 10**19, 1e308, -5, "soon", True])
async def test_a_zalo_message_with_an_impossible_date_is_answered_as_sent_now(
    zalo: ZaloBot, caplog: pytest.LogCaptureFixture, date: object
) -> None:
    """Zalo's `date` (milliseconds) out of datetime's range, or at its very end, failed the handling with a 500,
    again at every redelivery; it is now taken as the time the update arrived."""
    lan = USER_IDS["lan"]
    before = len(zalo.fake.messages_to(lan))
    update = {"event_name": "message.text.received", "message": {
        "from": {"id": str(lan), "display_name": "Lan", "is_bot": False}, "chat": {"id": str(lan)},
        "message_id": f"date-{date}", "date": date, "text": "/viec"}}
    assert await zalo.post(json.dumps(update).encode()) == 200
    assert len(zalo.calls.handled[f"message.text.received:date-{date}"]) == 1
    assert len(zalo.fake.messages_to(lan)) > before
    assert _errors(caplog, allow_undelivered=False) == []
