"""The Zalo channel: updates (long polling or webhook) into the neutral conversation, responses back as text.

Zalo has no buttons, no message edits and no documents. Buttons become numbered choices remembered per chat
in the database (`conversation.choices`), so a bare "1" next is the first button's press; photos the bot
sends go out as URLs (`publish_photo`), files as download links (`link_file`). One chat's updates are handled
one at a time, in arrival order; different chats run concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.zalo_client import ZaloClient, ZaloError
from bot.adapters.zalo_render import (
    CHANNEL,
    ZALO_TEXT_LIMIT,
    Fetch,
    ZaloUpdate,
    choice_action,
    choice_block,
    choice_number,
    compose,
    parse_update,
    plain_text,
    split_text,
    to_incoming,
    unwrap,
)
from bot.i18n import Translator
from bot.messaging import AttachmentTooBig, Incoming, OutgoingFile, Photo, Response
from bot.metrics import METRICS
from storage import choices as stored_choices
from storage import updates as processed
from storage.batching import Write
from storage.db import DATABASE_ERRORS, Sessions, transaction
from storage.types import utcnow

log = logging.getLogger(__name__)

Handle = Callable[[Incoming], Awaitable[Response]]
Remember = Callable[[str, str, int], Awaitable[None]]  # chat id, message id, task id
PublishPhoto = Callable[[Photo], Awaitable[str]]  # → an HTTPS URL Zalo can fetch the image from
LinkFile = Callable[[str, OutgoingFile], Awaitable[str]]  # (chat id, file) → a download URL for that chat
POLL_ERROR_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)


class ChatLocks:
    """One lock per chat, forgotten when idle: a chat's updates run in order, chats run concurrently."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._users[chat_id] = self._users.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[chat_id] -= 1
            if self._users[chat_id] == 0:
                del self._users[chat_id]
                del self._locks[chat_id]


def photo_fetcher(http: httpx.AsyncClient, max_bytes: int) -> Callable[[str], Fetch]:
    """Downloads a photo a user sent, refusing it as soon as it passes `max_bytes` (streamed, never buffered
    whole). The URL is Zalo's CDN address of the image, which holds no token."""

    def for_url(url: str) -> Fetch:
        async def fetch() -> bytes:
            async with http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise ZaloError("photo", f"download failed with HTTP {response.status_code}")
                declared = response.headers.get("content-length")
                if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                    raise AttachmentTooBig()
                received = bytearray()
                async for chunk in response.aiter_bytes():
                    received += chunk
                    if len(received) > max_bytes:
                        raise AttachmentTooBig()
            return bytes(received)

        return fetch

    return for_url


@dataclass(frozen=True)
class _Part:
    text: str
    task_id: int | None
    photo: Photo | None = None


class ZaloDelivery:
    """Renders a `Response` as Zalo messages, remembers its numbered choices, and sends it.

    Shared by the conversation (`ZaloChannel`) and the scheduler (`bot.adapters.zalo_sender`). `remember`
    records which task a sent message is about (None: the caller records it, as the scheduler does)."""

    def __init__(
        self,
        client: ZaloClient,
        sessions: Sessions,
        *,
        default_locale: str,
        publish_photo: PublishPhoto | None = None,
        link_file: LinkFile | None = None,
        remember: Remember | None = None,
    ) -> None:
        self.client = client
        self._sessions = sessions
        self._default_locale = default_locale
        self._publish_photo = publish_photo
        self._link_file = link_file
        self._remember = remember

    async def translator(self, chat_id: str) -> Translator:
        """The chat's member's language (the office default for strangers)."""
        async with self._sessions() as session:
            locale = await stored_choices.chat_locale(session, channel=CHANNEL, chat_id=chat_id)
        return Translator(locale or self._default_locale)

    async def deliver(self, chat_id: str, response: Response) -> str:
        """Sends everything `response` shows; returns the id of the last message sent ("" if none)."""
        parts, actions = await self._render(chat_id, response)
        if response.messages:  # a new screen replaces the numbers of the one before (a toast alone keeps them)
            await self._store_choices(chat_id, actions)
        sent_id = ""
        for part in parts:
            if part.photo is not None:
                assert self._publish_photo is not None
                url = await self._publish_photo(part.photo)
                caption = split_text(plain_text(part.photo.caption), ZALO_TEXT_LIMIT)
                sent = await self.client.send_photo(chat_id, url, caption[0] if caption else "")
            else:
                sent = await self.client.send_message(chat_id, part.text)
            sent_id = str(sent.get("message_id") or sent_id)
            if part.task_id is not None and self._remember is not None and sent_id:
                await self._remember_safely(chat_id, sent_id, part.task_id)
        return sent_id

    async def _render(self, chat_id: str, response: Response) -> tuple[list[_Part], list[str]]:
        parts: list[_Part] = []
        actions: list[str] = []
        t = await self.translator(chat_id) if any(m.buttons for m in response.messages) else None
        if response.notice and not response.messages:
            # Telegram's toast beside the messages it confirms ("Recorded.") would be a second message here,
            # saying what the next one says; alone (e.g. "This button is no longer valid.") it is the answer.
            parts += [_Part(chunk, None) for chunk in split_text(plain_text(response.notice))]
        for message in response.messages:
            if message.photo is not None and self._publish_photo is not None:
                parts.append(_Part("", message.task_id, photo=message.photo))
            elif message.photo is not None:  # no web server to serve the image from: its caption, as text
                parts += [_Part(chunk, message.task_id) for chunk in split_text(plain_text(message.photo.caption))]
            links = await self._links(chat_id, message.files)
            block = ""
            if message.buttons and t is not None:
                block, shown = choice_block(message.buttons, first=len(actions) + 1, t=t)
                actions += shown
            text = compose(message.text, extras=["\n".join(links), block])
            parts += [_Part(chunk, message.task_id) for chunk in split_text(text)]
        return parts, actions

    async def _links(self, chat_id: str, files: Sequence[OutgoingFile]) -> list[str]:
        if files and self._link_file is None:
            log.warning("%d file(s) for Zalo chat %s not sent: no download links without the web server",
                        len(files), chat_id)
            return []
        assert self._link_file is not None or not files
        return [f"📎 {plain_text(f.name)}: {await self._link_file(chat_id, f)}" for f in files]  # type: ignore[misc]

    async def _store_choices(self, chat_id: str, actions: Sequence[str]) -> None:
        encoded = stored_choices.encode_choices(actions)
        params = {"channel": CHANNEL, "chat_id": chat_id, "choices": encoded, "updated_at": utcnow()}
        await self._sessions.writer.commit([Write(stored_choices.SET_CHOICES, params)])

    async def _remember_safely(self, chat_id: str, message_id: str, task_id: int) -> None:
        """Only helps later replies find their task: a failure is logged, the user's update was saved."""
        try:
            await self._remember(chat_id, message_id, task_id)  # type: ignore[misc]
        except SQLAlchemyError:
            log.exception("could not record that Zalo message %s in chat %s is about task %s",
                          message_id, chat_id, task_id)


def _now() -> datetime:
    return datetime.now(UTC)


class HandlingFailed(Exception):
    """The conversation logic failed on an update: nothing was recorded (the webhook answers 5xx)."""


class HandledElsewhere(Exception):
    """Another process claimed this update and has not finished it: the webhook asks Zalo to deliver it again
    later (by then it is done, or its claim is stale because that process died)."""


class ZaloChannel:
    """Turns Zalo updates into `Incoming`, runs the conversation, and delivers its response."""

    def __init__(
        self,
        *,
        handle: Handle,
        delivery: ZaloDelivery,
        sessions: Sessions,
        fetch_photo: Callable[[str], Fetch],
        clock: Callable[[], datetime] = _now,
        claim_lease: timedelta = processed.CLAIM_LEASE,
    ) -> None:
        self._handle = handle
        self.delivery = delivery
        self._sessions = sessions
        self._fetch_photo = fetch_photo
        self._clock = clock
        self._claim_lease = claim_lease
        self._locks = ChatLocks()

    async def process(self, raw: dict[str, Any], *, dedup: bool) -> None:
        """Handles one update (flat or wrapped) and sends the reply. With `dedup`, an update whose message id was
        handled before is skipped. Raises `HandlingFailed` when nothing was recorded; a reply that cannot be
        delivered is only logged (the update itself was recorded)."""
        body = unwrap(raw)
        update = parse_update(body, now=self._clock()) if body is not None else None
        if update is None or update.is_bot:
            log.info("Zalo update ignored (not a user's message): %s", (body or {}).get("event_name"))
            return
        async with self._locks.hold(update.chat_id):
            key = f"{update.event_name}:{update.message_id}" if update.message_id else ""
            try:
                claim = await self._claim(key) if dedup and key else None
            except DATABASE_ERRORS as error:  # the database is down: Zalo delivers it again
                log.warning("could not record Zalo update %s as received: %r", key, error)
                raise HandlingFailed(str(error)) from error
            if claim == "done":
                log.info("Zalo update %s from chat %s already handled; skipped", key, update.chat_id)
                return
            if claim == "busy":
                log.info("Zalo update %s from chat %s is being handled by another process", key, update.chat_id)
                raise HandledElsewhere(key)
            try:
                incoming = await self._incoming(update)
                response = await self._handle(replace(incoming, claimed=claim == "new"))
            except Exception as error:
                log.exception("error while handling Zalo update %s from chat %s", key, update.chat_id)
                if dedup and key:
                    await self._release(key)
                raise HandlingFailed(str(error)) from error
            try:
                await self.delivery.deliver(update.chat_id, response)
                METRICS.replies.labels(CHANNEL).inc()
            except ZaloError:
                log.exception("reply to Zalo chat %s not delivered (the update itself was recorded)", update.chat_id)

    async def _incoming(self, update: ZaloUpdate) -> Incoming:
        action = None
        if choice_number(update.text) is not None:
            async with self._sessions() as session:
                choices = await stored_choices.get_choices(session, channel=CHANNEL, chat_id=update.chat_id)
            action = choice_action(update.text, choices)
        return to_incoming(update, action=action, fetch_photo=self._fetch_photo)

    async def tell_failure(self, raw: dict[str, Any]) -> None:
        """After `HandlingFailed` in polling mode (no redelivery): tell the user to send it again."""
        body = unwrap(raw)
        update = parse_update(body, now=self._clock()) if body is not None else None
        if update is None:
            return
        t = await self.delivery.translator(update.chat_id)
        text = t._("Sorry, something went wrong on our side and your message was not recorded. Please send it again in a moment.")
        try:
            await self.delivery.client.send_message(update.chat_id, text)
        except ZaloError:  # the failure itself is already logged
            log.warning("could not tell Zalo chat %s about the error", update.chat_id, exc_info=True)

    async def _claim(self, key: str) -> processed.Claim:
        async with transaction(self._sessions) as session:
            return await processed.claim_update(session, channel=CHANNEL, update_id=key, lease=self._claim_lease)

    async def _release(self, key: str) -> None:
        try:
            async with transaction(self._sessions) as session:
                await processed.release_update(session, channel=CHANNEL, update_id=key)
        except DATABASE_ERRORS:
            log.exception("could not release Zalo update %s; its redelivery waits until the claim is stale", key)


class ZaloPoller:
    """Long polling: one getUpdates at a time (Zalo returns one update per call), each update handled in a task
    of its own so that a slow reply never holds up other chats."""

    def __init__(self, channel: ZaloChannel, client: ZaloClient, *, timeout: int, dedup: bool = True,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._channel = channel
        self._client = client
        self._timeout = timeout
        self._dedup = dedup
        self._sleep = sleep
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Polls until cancelled. API and network failures are logged and retried with a growing pause."""
        failures = 0
        while True:
            try:
                raw = await self._client.get_update(timeout=self._timeout)
            except ZaloError as error:
                wait = POLL_ERROR_BACKOFF[min(failures, len(POLL_ERROR_BACKOFF) - 1)]
                failures += 1
                log.warning("Zalo getUpdates failed (%s); polling again in %.0fs", error, wait)
                await self._sleep(wait)
                continue
            failures = 0
            if raw is not None:
                task = asyncio.create_task(self._one(raw), name="zalo-update")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                await asyncio.sleep(0)  # let the task take its chat's lock now, before a later update of that chat

    async def _one(self, raw: dict[str, Any]) -> None:
        try:
            await self._channel.process(raw, dedup=self._dedup)
        except HandlingFailed:
            await self._channel.tell_failure(raw)
        except HandledElsewhere:  # a claim by a process that stopped less than a lease ago; it did not finish
            log.warning("a Zalo update claimed by another process arrived again by polling; not handled")
        except Exception:  # a task's failure must not vanish silently; the loop goes on
            log.exception("unexpected error around a Zalo update")

    async def drain(self, timeout: float = 10.0) -> None:
        """Waits for updates being handled (at most `timeout` seconds), then cancels the rest."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
