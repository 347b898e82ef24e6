"""The Telegram webhook endpoint (Starlette), for the web server to mount at /webhook/telegram.

A delivery is checked against the secret we gave setWebhook (`X-Telegram-Bot-Api-Secret-Token`, compared in
constant time: wrong or missing → 403, nothing read further). The update is claimed by its update_id in the
database (storage.updates), so a redelivery, or the same update delivered to two processes at once, is handled
once; then it is handled within the request, and answered 200 only once its changes are committed (the claim is
marked done in that same commit). When the handling failed (nothing was recorded) the claim is released and the
answer is 500; while another process holds the claim the answer is 503: either way Telegram delivers the update
again. A process killed mid-handling leaves a claim that is not done, taken over by the redelivery once stale.
An update that cannot succeed however often it is delivered (not a message or button press, or one whose fields
have the wrong types) is answered 200 and ignored; a body that is not JSON or names no update_id, 400.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import Bot, Update
from telegram.ext import Application

from bot.adapters.telegram_channel import CHANNEL, TelegramChannel
from bot.adapters.webhook_secret import secret_matches
from storage import updates as processed
from storage.db import DATABASE_ERRORS, Sessions, transaction

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024
PATH = "/webhook/telegram"
# What the bot handles; Telegram then neither delivers nor keeps other kinds of updates.
ALLOWED_UPDATES = ("message", "callback_query")


def _answer(status: int, description: str | None = None) -> Response:
    body: dict[str, object] = {"ok": status == 200}
    if description is not None:
        body["description"] = description
    return JSONResponse(body, status_code=status)


def telegram_webhook(
    channel: TelegramChannel, application: Application, sessions: Sessions, secret: str,  # type: ignore[type-arg]
    *, lease: timedelta = processed.CLAIM_LEASE,
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint function for /webhook/telegram; `application` must be initialised and started (not polling).
    A claim older than `lease` (its process died mid-handling) is taken over by a redelivery."""
    if not secret:
        raise ValueError("the Telegram webhook secret is empty")
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
        if not secret_matches(request, header=SECRET_HEADER, expected=expected, platform="Telegram"):
            return _answer(403, "forbidden")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _answer(413, "body too large")
        try:
            data = json.loads(body)
        except ValueError:
            return _answer(400, "not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return _answer(400, "not an update")
        if not _well_typed(data):
            log.warning("Telegram update %s is not a message or button press we can read; ignored", data["update_id"])
            return _answer(200)  # delivering it again would not help
        try:
            update = Update.de_json(data, application.bot)
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("Telegram update %s could not be read; ignored", data["update_id"], exc_info=True)
            return _answer(200)  # delivering it again would not help
        key = str(update.update_id)
        try:
            async with transaction(sessions) as session:
                claim = await processed.claim_update(session, channel=CHANNEL, update_id=key, lease=lease)
        except DATABASE_ERRORS:
            log.exception("could not record Telegram update %s as received; Telegram will deliver it again", key)
            return _answer(500, "not recorded, please retry")
        if claim == "done":
            log.info("Telegram update %s already handled; skipped", key)
            return _answer(200)
        if claim == "busy":  # another process has it; by the redelivery it is done, or its claim is stale
            log.info("Telegram update %s is being handled by another process", key)
            return _answer(503, "being handled, please retry later")
        error = await channel.process_delivered(application, update)
        if error is not None:
            await _release(sessions, key)
            return _answer(500, "not recorded, please retry")
        return _answer(200)

    return webhook


# python-telegram-bot builds objects without checking the fields' types, and fails later, anywhere, on a wrong one.
# So the fields the bot reads are checked here first; anything else in an update is left to the library.
_LATEST_DATE = 32_503_680_000  # year 3000: a date beyond cannot be a real message's (nor always a datetime)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _optional(value: object, kind: type) -> bool:
    return value is None or isinstance(value, kind)


def _user_ok(user: object) -> bool:
    return (isinstance(user, dict) and _is_int(user.get("id")) and isinstance(user.get("first_name"), str)
            and isinstance(user.get("is_bot"), bool)
            and all(_optional(user.get(key), str) for key in ("last_name", "username", "language_code")))


def _file_ok(file: object) -> bool:
    return (isinstance(file, dict) and isinstance(file.get("file_id"), str)
            and isinstance(file.get("file_unique_id"), str)
            and (file.get("file_size") is None or _is_int(file.get("file_size")))
            and all(_optional(file.get(key), str) for key in ("file_name", "mime_type")))


def _entities_ok(entities: object) -> bool:
    return entities is None or (isinstance(entities, list) and all(
        isinstance(entity, dict) and isinstance(entity.get("type"), str) and _is_int(entity.get("offset"))
        and _is_int(entity.get("length")) for entity in entities))


def _message_ok(message: object, *, nested: bool = False) -> bool:
    if not isinstance(message, dict):
        return False
    chat, date, photo = message.get("chat"), message.get("date"), message.get("photo")
    return (_is_int(message.get("message_id")) and _is_int(date) and 0 <= date < _LATEST_DATE  # type: ignore[operator]
            and isinstance(chat, dict) and _is_int(chat.get("id")) and isinstance(chat.get("type"), str)
            and (message.get("from") is None or _user_ok(message.get("from")))
            and _optional(message.get("text"), str) and _optional(message.get("caption"), str)
            and _entities_ok(message.get("entities")) and _entities_ok(message.get("caption_entities"))
            and (message.get("document") is None or _file_ok(message.get("document")))
            and (photo is None or (isinstance(photo, list) and all(_file_ok(size) for size in photo)))
            and (nested or message.get("reply_to_message") is None  # Telegram nests replies one level only
                 or _message_ok(message.get("reply_to_message"), nested=True)))


def _well_typed(data: dict[str, object]) -> bool:
    """Whether the update is a message or a button press whose fields the bot reads have the right types (other
    kinds are not handled: Telegram sends only ALLOWED_UPDATES)."""
    if "message" in data:
        return _message_ok(data["message"])
    if "callback_query" in data:
        query = data["callback_query"]
        return (isinstance(query, dict) and isinstance(query.get("id"), str) and _user_ok(query.get("from"))
                and isinstance(query.get("chat_instance"), str) and _optional(query.get("data"), str)
                and (query.get("message") is None or _message_ok(query.get("message"))))
    return False


async def _release(sessions: Sessions, key: str) -> None:
    try:
        async with transaction(sessions) as session:
            await processed.release_update(session, channel=CHANNEL, update_id=key)
    except DATABASE_ERRORS:
        log.exception("could not release Telegram update %s; its redelivery will be skipped", key)


async def register_telegram_webhook(bot: Bot, *, url: str, secret: str) -> None:
    """Points Telegram at our endpoint; updates waiting for getUpdates are delivered there (none dropped)."""
    await bot.set_webhook(url=url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES),
                          drop_pending_updates=False)
