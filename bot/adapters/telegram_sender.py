"""Sends scheduler messages through the Telegram Bot API (python-telegram-bot's `Bot`).

Only quick retries happen here (a dropped connection, a 5xx): a 429 goes straight back to the outbox with
Telegram's `retry_after`, so a message never waits for long while its outbox lease runs out.
"""

from __future__ import annotations

import asyncio
import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.adapters.telegram_render import split_for_telegram, to_html
from bot.messaging import Outgoing, Photo
from bot.metrics import METRICS
from scheduler.sending import TemporaryFailure, Unreachable

_GONE = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")
QUICK_RETRIES = (0.5, 1.0, 2.0)
TELEGRAM_CAPTION_LIMIT = 1024  # UTF-16 code units, like the text limit


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.label, callback_data=button.action) for button in row] for row in message.buttons]
    )


def _retry_after(error: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (PTB 22 is moving this from int to timedelta; accept both quietly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    channel = "telegram"

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: str, message: Outgoing) -> str:
        sent_id = ""
        if message.photo is not None:  # the photo first, with its caption; the buttons go under the text after it
            caption = split_for_telegram(message.photo.caption, TELEGRAM_CAPTION_LIMIT)[0]
            sent_id = await self._send_one(int(chat_id), to_html(caption), None if message.text else _markup(message),
                                           photo=message.photo)
            if not message.text:
                return sent_id
        chunks = split_for_telegram(message.text)
        for index, chunk in enumerate(chunks):
            markup = _markup(message) if index == len(chunks) - 1 else None
            sent_id = await self._send_one(int(chat_id), to_html(chunk), markup)
        return sent_id

    async def _send_one(self, chat_id: int, html: str, markup: InlineKeyboardMarkup | None,
                        photo: Photo | None = None) -> str:
        for attempt in range(len(QUICK_RETRIES) + 1):
            try:
                if photo is not None:
                    sent = await self._bot.send_photo(chat_id, InputFile(photo.content, filename=photo.file_name),
                                                      caption=html or None, parse_mode=ParseMode.HTML,
                                                      reply_markup=markup)
                else:
                    sent = await self._bot.send_message(chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup)
                return str(sent.message_id)
            except Forbidden as error:
                raise Unreachable(error.message) from error
            except RetryAfter as error:
                METRICS.rate_limited.labels(self.channel).inc()
                raise TemporaryFailure(error.message, retry_after=_retry_after(error)) from error
            except BadRequest as error:
                if any(reason in error.message.lower() for reason in _GONE):
                    raise Unreachable(error.message) from error
                raise
            except NetworkError as error:  # 5xx, timeouts, dropped connections
                if attempt == len(QUICK_RETRIES):
                    raise TemporaryFailure(str(error)) from error
                await asyncio.sleep(QUICK_RETRIES[attempt])
        raise AssertionError("unreachable")
