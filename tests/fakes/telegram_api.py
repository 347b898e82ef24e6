"""A faithful fake of the Telegram Bot API, for end-to-end tests without network access.

The fake is a small Starlette application served by uvicorn on ``127.0.0.1`` (random free
port) as a task inside the *test's own* event loop. Point python-telegram-bot at it with::

    async with FakeTelegram() as tg:
        app = (
            ApplicationBuilder()
            .token(tg.token)
            .base_url(tg.base_url)
            .base_file_url(tg.base_file_url)
            .build()
        )
        ...
        tg.send_text(42, "/start")
        msgs = await tg.wait_for_messages(42, 1)

It keeps state like the real server: incrementing ``update_id``, one message_id counter per
chat shared by user and bot messages, unix-second dates, pending updates that are confirmed
(dropped) by ``getUpdates(offset=...)``, files with ``file_id``/``file_unique_id`` and a
download endpoint at ``/file/bot<token>/<file_path>``.

Errors are answered exactly like Telegram does: HTTP status == ``error_code`` and a body
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}``, with the
descriptions the real Bot API uses (as far as they are known; see the docstrings).

Requests may arrive as ``application/json``, ``application/x-www-form-urlencoded`` (what PTB
uses when nothing is uploaded), ``multipart/form-data`` (PTB uploads; JSON-valued fields such
as ``reply_markup`` then arrive as JSON strings) or as a GET query string. Method names are
case-insensitive, like Telegram's.

Fidelity notes (what the real server does, and the fake too):

* HTML parse_mode is a port of tdlib's ``parse_html`` (error texts and UTF-8 byte offsets
  included), followed by tdlib's ``fix_formatted_text``: control characters become spaces,
  ``\r`` is dropped, leading/trailing spaces and newlines are trimmed, whitespace-only entities
  are dropped, and an empty result is "message text is empty". A bare ``&`` or an unknown
  named entity (``&nbsp;``) is NOT an error: Telegram keeps it literally.
* Lengths (4096 text / 1024 caption) are counted in UTF-16 code units after all of the above.
* Like Telegram, ``bot_command`` and ``url`` entities are detected automatically in user and bot
  texts (mentions, hashtags, e-mails, phone numbers are not).
* editMessageText/editMessageCaption without ``reply_markup`` remove the inline keyboard;
  "message is not modified" compares text, entities and keyboard.
* Only one getUpdates may be pending: a newer one answers the older with 409 "terminated by
  other getUpdates request".
* Uploaded photos must be real images (PNG/JPEG/GIF/BMP/WebP), else IMAGE_PROCESS_FAILED.

* Rate limits, when configured (``TELEGRAM_LIMITS`` holds Telegram's), are sliding windows: 429
  "Too Many Requests: retry after N" with ``parameters.retry_after``.

Limitations: private chats, plus group chats the bot only posts to (``group()``; no members,
no user messages there); no channels/inline mode/payments; MarkdownV2 and
Markdown are accepted but not parsed; callback queries never expire by time; no 50 MB upload limit.

Webhooks: while one is set (setWebhook), getUpdates answers 409 and every update is POSTed to its URL
(JSON, with the ``X-Telegram-Bot-Api-Secret-Token`` header when a secret_token was given), one chat's
updates one after another, and POSTed again after a non-2xx answer or a connection failure (after
``webhook_retry_delay`` × attempt seconds, ``webhook_attempts`` times in all, then dropped, as Telegram
"gives up after a reasonable amount of attempts"); getWebhookInfo reports the pending count and the last
error like Telegram ("Wrong response from the webhook: 500 Internal Server Error"). Every POST is
recorded in ``webhook_deliveries``; ``post_to_webhook`` delivers one update N times, or at once to
several URLs. Unlike Telegram, ``http://127.0.0.1`` URLs are accepted (no TLS in tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import json
import math
import mimetypes
import random
import re
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.telegram_entities import (  # noqa: F401  (parse_html, utf16_len re-exported)
    _SPACE,
    HTMLParseError,
    _auto_entities,
    _check_link,
    _EmptyText,
    _fix_formatted_text,
    _merge_auto_entities,
    _sort_entities,
    parse_html,
    utf16_len,
)

__all__ = [
    "TELEGRAM_LIMITS",
    "FakeTelegram",
    "HTMLParseError",
    "TelegramAPIError",
    "UploadedFile",
    "WebhookDelivery",
    "parse_html",
    "utf16_len",
]

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
GET_UPDATES_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# The limits Telegram documents for one bot (Bots FAQ, "My bot is hitting limits, how do I avoid this?"):
# ``FakeTelegram(**TELEGRAM_LIMITS)`` enforces them and answers 429 with ``retry_after`` like Telegram.
TELEGRAM_LIMITS: dict[str, float] = {
    "rate_limit_per_second": 30,  # messages per second over all chats
    "rate_limit_per_chat_per_second": 1,  # messages per second in one chat
    "rate_limit_per_group_per_minute": 20,  # messages per minute in one group chat
}
# What nginx in front of the Bot API answers when the server behind it fails (HTML, not JSON).
_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    b"</center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
)
RANDOM_FAILURE_KINDS = ("429", "500", "502", "timeout")

# Update types delivered when allowed_updates is empty / never given (Bot API docs).
_DEFAULT_ALLOWED = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
        "business_message", "edited_business_message", "deleted_business_messages",
        "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
        "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member",
        "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)

_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)

_INLINE_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)

# Form/multipart fields whose value is always a plain string (never JSON-decoded).
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "url", "action", "language_code",
        "secret_token", "file_id", "inline_message_id", "business_connection_id", "description",
        "short_description", "name", "emoji", "message_effect_id", "ip_address", "document",
        "photo", "thumbnail", "title", "query", "switch_pm_text", "certificate",
    }
)
# Fields that carry JSON-serialized objects/arrays (decoded even when a JSON body sent a string).
_JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope",
        "reply_parameters", "link_preview_options", "media", "menu_button", "rights",
        "suggested_post_parameters",
    }
)



# --------------------------------------------------------------------------------------------
# errors & small helpers
# --------------------------------------------------------------------------------------------


class TelegramAPIError(Exception):
    """An error answer of the fake server (becomes ``{"ok": false, ...}``)."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(description: str) -> TelegramAPIError:
    return TelegramAPIError(400, "Bad Request: " + description)



@dataclasses.dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request (as recorded in ``FakeTelegram.requests``)."""

    filename: str
    content_type: str | None
    content: bytes = dataclasses.field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)


@dataclasses.dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "document" | "photo"
    content: bytes
    size: int
    ext: str
    obj: dict[str, Any]  # the Document / PhotoSize object
    group: list[dict[str, Any]] | None = None  # all PhotoSize objects of the same photo
    file_path: str | None = None


@dataclasses.dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to a webhook: which update, which attempt (1 = first), where, and the answer's status
    (0 when the connection failed)."""

    update_id: int
    attempt: int
    url: str
    status: int


_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclasses.dataclass(eq=False)
class _Poller:
    seq: int
    event: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    superseded: bool = False


# --------------------------------------------------------------------------------------------
# HTML parse_mode (a port of tdlib's parse_html, which is what the Bot API server runs)
# --------------------------------------------------------------------------------------------

def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG/GIF/JPEG/BMP/WebP image, (0, 0) if an image of unknown size,
    None if ``data`` is not an image at all."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
            w, h = struct.unpack(">II", data[16:24])
            return w, h
        if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
            w, h = struct.unpack("<HH", data[6:10])
            return w, h
        if data.startswith(b"BM") and len(data) >= 26:
            w, h = struct.unpack("<ii", data[18:26])
            return abs(w), abs(h)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return 0, 0
        if data.startswith(b"\xff\xd8\xff"):
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                    i += 1 if marker == 0xFF else 2
                    continue
                seg_len = struct.unpack(">H", data[i + 2 : i + 4])[0]
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                    return w, h
                i += 2 + seg_len
            return 0, 0
    except struct.error:
        return None
    return None


def _photo_dimensions(width: int, height: int) -> list[tuple[int, int]]:
    """The PhotoSize variants Telegram generates (90/320/800/1280/2560 px on the long side)."""
    if width <= 0 or height <= 0:
        width, height = 1280, 960
    longest = max(width, height)
    sizes = []
    for target in (90, 320, 800, 1280, 2560):
        if target < longest:
            scale = target / longest
            sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
        else:
            sizes.append((width, height))
            break
    return sizes


# --------------------------------------------------------------------------------------------
# request parsing
# --------------------------------------------------------------------------------------------


def _unescape_disposition(value: str) -> str:
    # httpx escapes '"' as %22, '\' as '\\' and control characters as %XX.
    value = re.sub(r"%([0-1][0-9A-Fa-f]|22)", lambda m: chr(int(m.group(1), 16)), value)
    return value.replace("\\\\", "\\")


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        raise _bad("can't parse multipart/form-data request: no boundary")
    delimiter = b"--" + m.group(1).encode("latin-1")
    out: dict[str, Any] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        if part.startswith(b"\r\n"):
            part = part[2:]
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        if content.endswith(b"\r\n"):
            content = content[:-2]
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, val = line.partition(":")
            headers[key.strip().lower()] = val.strip()
        disposition = headers.get("content-disposition", "")
        params = {
            k.lower(): _unescape_disposition(v)
            for k, v in re.findall(r'([\w*]+)="((?:[^"\\]|\\.)*)"', disposition)
        }
        for k, v in re.findall(r"([\w]+)\*=(?:UTF-8|utf-8)''([^;\s]+)", disposition):
            params[k.lower()] = unquote(v)
        name = params.get("name")
        if name is None:
            continue
        if "filename" in params:
            out[name] = UploadedFile(params["filename"], headers.get("content-type"), content)
        else:
            out[name] = content.decode("utf-8", "replace")
    return out


def _coerce_form_value(name: str, value: Any) -> Any:
    """Form values are strings; give them the type Telegram would parse them as."""
    if not isinstance(value, str) or name in _STRING_FIELDS:
        return value
    if name in ("chat_id", "from_chat_id"):
        return int(value) if re.fullmatch(r"-?\d+", value.strip()) else value
    stripped = value.strip()
    if stripped and stripped[0] in '{["-0123456789tfn':
        try:
            decoded = json.loads(stripped)
        except ValueError:
            return value
        if decoded is None or isinstance(decoded, str) or (
            isinstance(decoded, float) and not math.isfinite(decoded)
        ):
            return value
        return decoded
    return value


class _Params(dict):
    """Request parameters with Telegram-like typed accessors."""

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise _bad(f'field "{name}" must be a valid Number')

    def float(self, name: str, default: float | None = None) -> float | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f'field "{name}" must be a valid Number') from None

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        return value if isinstance(value, str) else str(value)

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return value != 0
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def json(self, name: str, what: str | None = None) -> Any:
        value = self.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _bad(f"can't parse {what or name} JSON object") from None
        return value


# --------------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------------


class _QuietServer(uvicorn.Server):
    """uvicorn server that leaves the process' signal handlers alone (we run inside pytest)."""

    @contextlib.contextmanager
    def capture_signals(self):  # uvicorn >= 0.29
        yield

    def install_signal_handlers(self) -> None:  # older uvicorn
        return None


Handler = Callable[[_Params, Request], Awaitable[Any]]


class FakeTelegram:
    """Fake Telegram Bot API server (an async context manager).

    Public state for assertions:

    * ``requests``: every Bot API call as ``(method, params)`` — method in its canonical
      camelCase spelling, params decoded to JSON types (ints, bools, dicts); uploads appear as
      :class:`UploadedFile`.
    * ``callback_answers``: ``answerCallbackQuery`` calls as dicts with ``callback_query_id``,
      ``text``, ``show_alert``, ``url``, ``cache_time``.
    * ``commands``: the command list of the most recent setMyCommands/deleteMyCommands call;
      ``commands_by_scope`` maps ``(scope_key, language_code)`` to lists (scope_key is
      ``"default"`` or the scope object as sorted-keys JSON).
    * ``chat_actions``: ``(chat_id, action)`` from sendChatAction.
    * ``deleted``: ``(chat_id, message_id)`` deleted with deleteMessage.
    * ``errors``: ``(method, error_code, description)`` of every error answer sent.
    * ``injected``: ``(method, kind)`` of every failure ``fail_randomly`` injected.

    Hook: ``on_accepted(method, params, result)``, a plain callable run inside the server after a call
    succeeded (the message exists) and before its answer is written back, e.g. to kill the bot's process at
    that exact point, or to timestamp accepted messages.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_username: str = "dondoc_test_bot",
        bot_first_name: str = "Đôn Đốc",
        max_file_download_bytes: int = 20 * 1024 * 1024,
        rate_limit_per_chat_per_second: float | None = None,
        rate_limit_per_second: float | None = None,
        rate_limit_per_group_per_minute: float | None = None,
        first_update_id: int = 100_000_001,
        webhook_retry_delay: float = 0.05,
        webhook_attempts: int = 5,
    ) -> None:
        self.token = token
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_attempts = webhook_attempts
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._delivering: set[int] = set()
        self._webhook_tasks: set[asyncio.Task] = set()
        self._webhook_chats: dict[object, asyncio.Lock] = {}
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_http: httpx.AsyncClient | None = None
        self.bot_username = bot_username
        self.max_file_download_bytes = max_file_download_bytes
        self.rate_limit_per_chat_per_second = rate_limit_per_chat_per_second
        self.rate_limit_per_second = rate_limit_per_second
        self.rate_limit_per_group_per_minute = rate_limit_per_group_per_minute
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 123456
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }

        self.requests: list[tuple[str, dict]] = []
        self.callback_answers: list[dict] = []
        self.commands_by_scope: dict[tuple[str, str], list[dict]] = {}
        self._last_commands_key: tuple[str, str] | None = None
        self.chat_actions: list[tuple[int, str]] = []
        self.deleted: list[tuple[int, int]] = []
        self.errors: list[tuple[str, int, str]] = []
        self.bot_properties: dict[str, Any] = {}

        self._users: dict[int, dict] = {}
        self._chats: dict[int, dict] = {}
        self._blocked: dict[int, str] = {}
        self._msg_counter: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._bot_messages: dict[int, list[int]] = {}
        self._reply_keyboards: dict[int, dict | None] = {}
        self._callback_queries: dict[str, dict] = {}
        self._cq_counter = 0
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = 0

        self._next_update_id = first_update_id
        self._pending: list[dict] = []
        self._allowed_updates: list[str] | None = None
        self._webhook: dict[str, Any] | None = None
        self._pollers: set[_Poller] = set()
        self._poll_seq = 0
        self._last_injected_id = 0
        self._delivered_upto = 0
        self._last_delivery_seq = 0
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._changed = asyncio.Event()

        self._failures: dict[str, deque] = {}
        self._chat_sends: dict[int, deque] = {}
        self._group_sends: dict[int, deque] = {}
        self._global_sends: deque = deque()
        self._random_failures: dict[str, Any] | None = None
        self.injected: list[tuple[str, str]] = []
        self.on_accepted: Callable[[str, dict, Any], None] | None = None

        self._closing = False
        self._server: _QuietServer | None = None
        self._serve_task: asyncio.Task | None = None
        self.port: int | None = None

        self._methods: dict[str, tuple[str, Handler]] = {}
        for attr in dir(self):
            if attr.startswith("_m_"):
                name = attr[3:]
                self._methods[name.lower()] = (name, getattr(self, attr))
        self._app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle_api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._handle_file, methods=["GET"]),
                Route("/{path:path}", self._handle_not_found, methods=["GET", "POST", "PUT", "DELETE"]),
            ]
        )

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeTelegram:
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=2,
            server_header=False,
        )
        self._server = _QuietServer(config)
        self._serve_task = asyncio.create_task(self._server.serve(), name="FakeTelegram-uvicorn")
        while not self._server.started:
            if self._serve_task.done():
                exc = self._serve_task.exception()
                raise RuntimeError("FakeTelegram: uvicorn failed to start") from exc
            await asyncio.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the server: every held getUpdates is answered ``[]`` at once, idle keep-alive
        connections are closed, in-flight requests may finish (at most 2 s), then the listening
        socket is closed. Takes a few milliseconds (uvicorn's own shutdown sleeps >= 0.2 s)."""
        self._closing = True
        self._wake_pollers()
        for delivery in list(self._webhook_tasks):
            delivery.cancel()
        if self._webhook_tasks:
            await asyncio.gather(*self._webhook_tasks, return_exceptions=True)
        if self._webhook_http is not None:
            await self._webhook_http.aclose()
            self._webhook_http = None
        server, task = self._server, self._serve_task
        self._server = None
        self._serve_task = None
        if server is None or task is None:
            return
        # uvicorn's serve() is idling in its main loop here; stop it and shut down ourselves.
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        for listener in getattr(server, "servers", []):
            listener.close()
        state = server.server_state
        for connection in list(state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        while (state.connections or state.tasks) and loop.time() < deadline:
            await asyncio.sleep(0.005)
        for pending in list(state.tasks):
            pending.cancel()
        for connection in list(state.connections):
            with contextlib.suppress(Exception):
                connection.transport.close()
        for listener in getattr(server, "servers", []):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(listener.wait_closed(), 1.0)

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``; PTB appends the token."""
        self._require_started()
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``; PTB appends the token."""
        self._require_started()
        return f"http://127.0.0.1:{self.port}/file/bot"

    def _require_started(self) -> None:
        if self.port is None:
            raise RuntimeError("FakeTelegram is not running; use `async with FakeTelegram() as tg:`")

    def make_bot(self, **kwargs: Any):
        """A ``telegram.Bot`` pointed at this fake (call ``initialize()``/use ``async with``)."""
        from telegram import Bot

        return Bot(self.token, base_url=self.base_url, base_file_url=self.base_file_url, **kwargs)

    def application_builder(self):
        """``ApplicationBuilder()`` preconfigured with token, base_url and base_file_url."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder().token(self.token).base_url(self.base_url).base_file_url(self.base_file_url)
        )

    # ------------------------------------------------------------------ notifications

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _wake_pollers(self) -> None:
        for poller in list(self._pollers):
            poller.event.set()
        self._notify()

    async def _wait_until(
        self, predicate: Callable[[], bool], timeout: float, describe: Callable[[], str]
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(describe())
            event = self._changed
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.02))

    # ------------------------------------------------------------------ users & injection

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
    ) -> dict:
        """Register (or re-register) a user; its private chat has ``id == user_id``.

        A registered user counts as having started the bot, so the bot may message them.
        """
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        chat: dict[str, Any] = {"id": user_id, "first_name": first_name}
        if last_name is not None:
            chat["last_name"] = last_name
        if username is not None:
            chat["username"] = username
        chat["type"] = "private"
        self._chats[user_id] = chat
        return copy.deepcopy(user)

    def group(self, chat_id: int, *, title: str = "Nhóm", kind: str = "group") -> dict:
        """Register a group (or ``kind="supergroup"``) chat the bot is a member of; ``chat_id`` is negative
        like Telegram's. The bot may post there (sendMessage …); no user messages are simulated in groups."""
        if chat_id >= 0 or kind not in ("group", "supergroup"):
            raise ValueError("a group chat needs a negative id and kind 'group' or 'supergroup'")
        self._chats[chat_id] = {"id": chat_id, "title": title, "type": kind}
        return copy.deepcopy(self._chats[chat_id])

    def _ensure_user(self, user_id: int) -> dict:
        if user_id not in self._users:
            self.user(user_id)
        return self._users[user_id]

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to their chat → 403 "Forbidden: bot was blocked by the user"."""
        self._ensure_user(user_id)
        self._blocked[user_id] = BLOCKED

    def deactivate(self, user_id: int) -> None:
        """The user deletes their account: sends → 403 "Forbidden: user is deactivated"."""
        self._ensure_user(user_id)
        self._blocked[user_id] = "Forbidden: user is deactivated"

    def unblock(self, user_id: int) -> None:
        self._blocked.pop(user_id, None)

    def _new_message_id(self, chat_id: int) -> int:
        self._msg_counter[chat_id] = self._msg_counter.get(chat_id, 0) + 1
        return self._msg_counter[chat_id]

    def _queue_update(self, payload: dict) -> dict:
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._last_injected_id = update["update_id"]
        self._pending.append(update)
        if self._webhook is not None:
            self._start_delivery(update)
        self._wake_pollers()
        return copy.deepcopy(update)

    def send_update(self, payload: dict) -> dict:
        """Queue an arbitrary update body (e.g. ``{"my_chat_member": {...}}``); update_id is added."""
        return self._queue_update(copy.deepcopy(payload))

    def _reply_snapshot(self, chat_id: int, reply_to_message_id: int | None) -> dict | None:
        if reply_to_message_id is None:
            return None
        target = self._messages.get((chat_id, reply_to_message_id))
        if target is None:
            raise ValueError(f"no message {reply_to_message_id} in chat {chat_id}")
        snap = copy.deepcopy(target)
        snap.pop("reply_to_message", None)
        return snap

    def _user_message(self, user_id: int, reply_to_message_id: int | None, body: dict) -> dict:
        user = self._ensure_user(user_id)
        reply = self._reply_snapshot(user_id, reply_to_message_id)
        message_id = self._new_message_id(user_id)
        msg: dict[str, Any] = {
            "message_id": message_id,
            "from": copy.deepcopy(user),
            "chat": copy.deepcopy(self._chats[user_id]),
            "date": int(time.time()),
        }
        if reply is not None:
            msg["reply_to_message"] = reply
        msg.update(body)
        self._messages[(user_id, message_id)] = msg
        return self._queue_update({"message": copy.deepcopy(msg)})

    def send_text(self, user_id: int, text: str, *, reply_to_message_id: int | None = None) -> dict:
        """The user sends ``text`` in their private chat; commands get ``bot_command`` entities
        (and http(s) links ``url`` entities) like Telegram adds them. Returns the Update dict."""
        body: dict[str, Any] = {"text": text}
        entities = _auto_entities(text)
        if entities:
            body["entities"] = entities
        return self._user_message(user_id, reply_to_message_id, body)

    def press_button(self, user_id: int, message_id: int, data: str) -> dict:
        """The user presses an inline button of bot message ``message_id`` in their chat.
        ``data`` is sent as-is (it may be forged: any string). Returns the Update dict."""
        user = self._ensure_user(user_id)
        msg = self._messages.get((user_id, message_id))
        if msg is None:
            raise ValueError(f"no message {message_id} in chat {user_id}")
        self._cq_counter += 1
        query_id = str(self.bot_id * 1_000_000_000 + self._cq_counter)
        self._callback_queries[query_id] = {
            "answered": False,
            "user_id": user_id,
            "message_id": message_id,
            "data": data,
        }
        query = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "message": copy.deepcopy(msg),
            "chat_instance": str((user_id * 2654435761 + self.bot_id) % (2**62)),
            "data": data,
        }
        return self._queue_update({"callback_query": query})

    def _new_file_ids(self, kind: str) -> tuple[str, str, int]:
        self._file_counter += 1
        n = self._file_counter
        prefix = {"document": "BQACAgUAAxkBAAI", "photo": "AgACAgUAAxkBAAI"}[kind]
        return f"{prefix}{n:08d}{self.bot_id:x}AAQ", f"AgAD{n:06d}", n

    def _store_document(
        self, content: bytes, file_name: str | None, mime_type: str | None, file_size: int | None
    ) -> dict:
        file_id, unique_id, _ = self._new_file_ids("document")
        doc: dict[str, Any] = {}
        if file_name:
            doc["file_name"] = file_name
        if mime_type:
            doc["mime_type"] = mime_type
        size = len(content) if file_size is None else file_size
        doc.update({"file_id": file_id, "file_unique_id": unique_id, "file_size": size})
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        self._files[file_id] = _StoredFile(file_id, unique_id, "document", content, size, ext, doc)
        return copy.deepcopy(doc)

    def _store_photo(self, content: bytes) -> list[dict]:
        dims = _image_size(content) or (0, 0)
        sizes: list[dict] = []
        records = []
        for width, height in _photo_dimensions(*dims):
            file_id, unique_id, _ = self._new_file_ids("photo")
            obj = {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "file_size": len(content),
                "width": width,
                "height": height,
            }
            sizes.append(obj)
            records.append(_StoredFile(file_id, unique_id, "photo", content, len(content), ".jpg", obj))
        for rec in records:
            rec.group = sizes
            self._files[rec.file_id] = rec
        return copy.deepcopy(sizes)

    def send_document(
        self,
        user_id: int,
        content: bytes,
        *,
        file_name: str,
        mime_type: str,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        file_size: int | None = None,
    ) -> dict:
        """The user sends a file. ``file_size`` overrides the declared size (e.g. claim 25 MB
        without the bytes; getFile then answers "file is too big"). Returns the Update dict."""
        self._ensure_user(user_id)
        body: dict[str, Any] = {"document": self._store_document(content, file_name, mime_type, file_size)}
        if caption is not None:
            body["caption"] = caption
            entities = _auto_entities(caption)
            if entities:
                body["caption_entities"] = entities
        return self._user_message(user_id, reply_to_message_id, body)

    def send_photo(
        self,
        user_id: int,
        content: bytes,
        *,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict:
        """The user sends a photo; like Telegram the message has several PhotoSize entries
        (smallest first; all carry ``content``). Returns the Update dict."""
        self._ensure_user(user_id)
        body: dict[str, Any] = {"photo": self._store_photo(content)}
        if caption is not None:
            body["caption"] = caption
            entities = _auto_entities(caption)
            if entities:
                body["caption_entities"] = entities
        return self._user_message(user_id, reply_to_message_id, body)

    # ------------------------------------------------------------------ observing

    def messages_to(self, chat_id: int) -> list[dict]:
        """Messages the bot sent to ``chat_id`` (sendMessage/sendDocument/sendPhoto), in order,
        as their current state (after edits; deleted ones are still listed, see ``deleted``)."""
        return [copy.deepcopy(self._messages[(chat_id, mid)]) for mid in self._bot_messages.get(chat_id, [])]

    def message(self, chat_id: int, message_id: int) -> dict:
        """Current state of any message (user's or bot's) in a chat."""
        return copy.deepcopy(self._messages[(chat_id, message_id)])

    def reply_keyboard(self, chat_id: int) -> dict | None:
        """The last non-inline reply_markup (ReplyKeyboardMarkup/ReplyKeyboardRemove/ForceReply)
        the bot sent to the chat; Telegram does not echo those in the Message object."""
        return copy.deepcopy(self._reply_keyboards.get(chat_id))

    @staticmethod
    def buttons(message: dict) -> list[list[dict]]:
        """Inline keyboard rows of a message dict ([] if none)."""
        return copy.deepcopy((message.get("reply_markup") or {}).get("inline_keyboard", []))

    @property
    def commands(self) -> list[dict]:
        """Command list of the most recent setMyCommands/deleteMyCommands call ([] if none)."""
        if self._last_commands_key is None:
            return []
        return copy.deepcopy(self.commands_by_scope.get(self._last_commands_key, []))

    def commands_for(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        return copy.deepcopy(self.commands_by_scope.get((self._scope_key(scope), language_code or ""), []))

    @property
    def webhook(self) -> dict | None:
        """The webhook set (``url``, ``secret_token``, ``max_connections``), or None while updates are polled."""
        return copy.deepcopy(self._webhook)

    def pending_updates(self) -> list[dict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._pending)

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 5.0) -> list[dict]:
        """Wait until the bot has sent at least ``count`` messages to ``chat_id`` (counting from
        the start of the test) and return all of them (``messages_to``).

        Raises AssertionError listing what was received (and recent errors) on timeout."""

        def describe() -> str:
            got = [m.get("text", m.get("caption", "<media>")) for m in self.messages_to(chat_id)]
            return (
                f"expected >= {count} bot message(s) to chat {chat_id} within {timeout}s, got "
                f"{len(got)}: {got!r}; recent API errors: {self.errors[-5:]!r}"
            )

        await self._wait_until(lambda: len(self._bot_messages.get(chat_id, [])) >= count, timeout, describe)
        return self.messages_to(chat_id)

    def _is_idle(self, settle: float) -> bool:
        if self._last_injected_id > self._delivered_upto or self._webhook_tasks:
            return False
        if self._webhook is None and self._last_injected_id and self._poll_seq <= self._last_delivery_seq:
            return False
        if self._inflight:
            return False
        return time.monotonic() - self._last_activity >= settle

    async def wait_for_idle(self, timeout: float = 5.0, *, settle: float = 0.1) -> None:
        """Wait until the bot has caught up. Exact guarantee, all at one moment:

        1. every update injected so far has been returned by some getUpdates response;
        2. after the response that delivered them, another getUpdates request has arrived
           (PTB's Updater sends it with ``offset`` confirming the batch);
        3. no other Bot API request is in flight, and none has arrived or finished during
           the last ``settle`` seconds.

        Note that PTB's Updater calls getUpdates again as soon as it has *queued* a batch, not
        when the handlers finished; (3) is what covers handlers that are still running, as
        long as they make a Bot API call at least every ``settle`` seconds. For an exact
        condition prefer ``wait_for_messages``. Raises AssertionError on timeout."""

        def describe() -> str:
            return (
                f"bot not idle after {timeout}s: last injected update {self._last_injected_id}, "
                f"delivered up to {self._delivered_upto}, getUpdates calls {self._poll_seq} "
                f"(last delivery by call {self._last_delivery_seq}), in-flight requests "
                f"{self._inflight}, pending {len(self._pending)}"
            )

        await self._wait_until(lambda: self._is_idle(settle), timeout, describe)

    # ------------------------------------------------------------------ error injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (case-insensitive) with this error,
        e.g. ``fail_next("sendMessage", error_code=429, description="Too Many Requests: retry
        after 5", retry_after=5)``; the HTTP status equals ``error_code`` like Telegram's."""
        key = method.lower()
        queue = self._failures.setdefault(key, deque())
        for _ in range(times):
            queue.append(TelegramAPIError(error_code, description, retry_after=retry_after))

    def fail_randomly(
        self,
        *,
        methods: set[str] | frozenset[str] = frozenset({"sendMessage"}),
        ratio: float,
        kinds: tuple[str, ...] = RANDOM_FAILURE_KINDS,
        seed: int = 0,
        retry_after: int = 1,
        hold_seconds: float = 30.0,
    ) -> None:
        """From now on, fail each call of ``methods`` with probability ``ratio`` (seeded, reproducible), with
        one of ``kinds`` picked at random; ``ratio=0`` stops it. None of them delivers the message:

        * ``"429"``: ``{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after N",
          "parameters": {"retry_after": N}}`` with ``N = retry_after``;
        * ``"500"``: ``{"ok": false, "error_code": 500, "description": "Internal Server Error"}``;
        * ``"502"``: nginx's HTML "502 Bad Gateway" page (no JSON);
        * ``"timeout"``: the request is held unanswered until the client gives up (its read timeout) or
          ``hold_seconds`` pass (then nginx's 504), and is never processed.

        Each injected failure is recorded in ``injected`` as ``(method, kind)``."""
        unknown = set(kinds) - set(RANDOM_FAILURE_KINDS)
        if unknown or not kinds:
            raise ValueError(f"unknown failure kinds {sorted(unknown)}; use some of {RANDOM_FAILURE_KINDS}")
        if ratio <= 0:
            self._random_failures = None
            return
        self._random_failures = {
            "methods": {m.lower() for m in methods},
            "ratio": ratio,
            "kinds": tuple(kinds),
            "rng": random.Random(seed),
            "retry_after": retry_after,
            "hold_seconds": hold_seconds,
        }

    def _random_failure(self, method: str) -> str | None:
        config = self._random_failures
        if config is None or method.lower() not in config["methods"]:
            return None
        rng: random.Random = config["rng"]
        if rng.random() >= config["ratio"]:
            return None
        kind: str = rng.choice(config["kinds"])
        self.injected.append((method, kind))
        return kind

    async def _injected_failure(self, method: str, kind: str, request: Request) -> Response:
        config = self._random_failures or {"retry_after": 1, "hold_seconds": 30.0}
        if kind == "429":
            retry = int(config["retry_after"])
            return self._error_response(
                method, TelegramAPIError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
            )
        if kind == "500":
            return self._error_response(method, TelegramAPIError(500, "Internal Server Error"))
        if kind == "502":
            self.errors.append((method, 502, "Bad Gateway"))
            return Response(_BAD_GATEWAY_HTML, status_code=502, media_type="text/html")
        # "timeout": hold the request without processing it until the client goes away.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wait_disconnect(request), config["hold_seconds"])
        self.errors.append((method, 504, "Gateway Time-out"))
        return Response(b"<html><head><title>504 Gateway Time-out</title></head></html>", status_code=504,
                        media_type="text/html")

    # ------------------------------------------------------------------ HTTP layer

    @staticmethod
    def _json_response(payload: dict, status: int = 200) -> Response:
        return Response(
            json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            status_code=status,
            media_type="application/json",
        )

    def _error_response(self, method: str, err: TelegramAPIError) -> Response:
        self.errors.append((method, err.error_code, err.description))
        return self._json_response(err.payload(), err.error_code)

    def _check_token(self, token: str) -> TelegramAPIError | None:
        if token == self.token:
            return None
        if re.fullmatch(r"\d+:[\w-]+", token):
            return TelegramAPIError(401, "Unauthorized")
        return TelegramAPIError(404, "Not Found")

    async def _read_params(self, request: Request) -> _Params:
        params: dict[str, Any] = {k: _coerce_form_value(k, v) for k, v in request.query_params.items()}
        if request.method == "POST":
            content_type = request.headers.get("content-type", "")
            kind = content_type.split(";", 1)[0].strip().lower()
            body = await request.body()
            if kind == "application/json":
                try:
                    data = json.loads(body.decode("utf-8")) if body.strip() else {}
                except ValueError:
                    raise _bad("can't parse JSON encoded request") from None
                if not isinstance(data, dict):
                    raise _bad("can't parse JSON encoded request")
                params.update(data)
            elif kind == "application/x-www-form-urlencoded":
                for k, v in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                    params[k] = _coerce_form_value(k, v)
            elif kind == "multipart/form-data":
                for k, v in _parse_multipart(body, content_type).items():
                    params[k] = _coerce_form_value(k, v)
        return _Params(params)

    async def _handle_not_found(self, request: Request) -> Response:
        return self._json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    async def _handle_file(self, request: Request) -> Response:
        err = self._check_token(request.path_params["token"])
        if err is not None:
            return self._error_response("file", err)
        stored = self._files_by_path.get(request.path_params["file_path"])
        if stored is None:
            return self._error_response("file", TelegramAPIError(404, "Not Found"))
        media_type = stored.obj.get("mime_type") or "application/octet-stream"
        if stored.kind == "photo":
            media_type = "image/jpeg"
        return Response(stored.content, media_type=media_type)

    async def _handle_api(self, request: Request) -> Response:
        raw_method = request.path_params["method"]
        err = self._check_token(request.path_params["token"])
        if err is not None:
            return self._error_response(raw_method, err)
        name, handler = self._methods.get(raw_method.lower(), (raw_method, None))
        is_poll = name == "getUpdates"
        if not is_poll:
            self._inflight += 1
            self._last_activity = time.monotonic()
        try:
            try:
                params = await self._read_params(request)
            except TelegramAPIError as exc:
                self.requests.append((name, {}))
                return self._error_response(name, exc)
            self.requests.append((name, dict(params)))
            self._notify()
            try:
                failures = self._failures.get(name.lower())
                if failures:
                    raise failures.popleft()
                if handler is None:
                    raise TelegramAPIError(404, "Not Found")
                injected = self._random_failure(name)
                if injected is not None:
                    return await self._injected_failure(name, injected, request)
                self._check_rate_limit(name, params)
                result = await handler(params, request)
            except TelegramAPIError as exc:
                return self._error_response(name, exc)
            if isinstance(result, Response):
                return result
            self._record_rate(name, params)
            if self.on_accepted is not None:
                self.on_accepted(name, dict(params), result)
            if isinstance(result, tuple):  # (result, description)
                return self._json_response({"ok": True, "result": result[0], "description": result[1]})
            return self._json_response({"ok": True, "result": result})
        finally:
            if not is_poll:
                self._inflight -= 1
                self._last_activity = time.monotonic()
            self._notify()

    # ------------------------------------------------------------------ rate limiting

    _RATE_LIMITED = frozenset(
        {
            "sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup",
            "editMessageCaption", "copyMessage", "forwardMessage",
        }
    )

    @staticmethod
    def _window(dq: deque, now: float) -> deque:
        while dq and dq[0] <= now - 1.0:
            dq.popleft()
        return dq

    @staticmethod
    def _too_many(dq: deque, now: float, span: float = 1.0) -> TelegramAPIError:
        retry = max(1, math.ceil(dq[0] + span - now))
        return TelegramAPIError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)

    def _is_group(self, chat_id: Any) -> bool:
        return isinstance(chat_id, int) and self._chats.get(chat_id, {}).get("type") in ("group", "supergroup")

    def _check_rate_limit(self, method: str, params: _Params) -> None:
        if method not in self._RATE_LIMITED:
            return
        now = time.monotonic()
        if self.rate_limit_per_second is not None:
            dq = self._window(self._global_sends, now)
            if len(dq) >= self.rate_limit_per_second:
                raise self._too_many(dq, now)
        chat_id = params.get("chat_id")
        if self.rate_limit_per_chat_per_second is not None and isinstance(chat_id, int):
            dq = self._window(self._chat_sends.setdefault(chat_id, deque()), now)
            if len(dq) >= self.rate_limit_per_chat_per_second:
                raise self._too_many(dq, now)
        if self.rate_limit_per_group_per_minute is not None and self._is_group(chat_id):
            dq = self._group_sends.setdefault(chat_id, deque())
            while dq and dq[0] <= now - 60.0:
                dq.popleft()
            if len(dq) >= self.rate_limit_per_group_per_minute:
                raise self._too_many(dq, now, 60.0)

    def _record_rate(self, method: str, params: _Params) -> None:
        if method not in self._RATE_LIMITED:
            return
        now = time.monotonic()
        self._global_sends.append(now)
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int):
            self._chat_sends.setdefault(chat_id, deque()).append(now)
            if self._is_group(chat_id):
                self._group_sends.setdefault(chat_id, deque()).append(now)

    # ------------------------------------------------------------------ shared validation

    def _chat_id(self, p: _Params, *, name: str = "chat_id", for_send: bool = True) -> int:
        value = p.get(name)
        if value is None or value == "":
            raise _bad(f"{name} is empty")
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
                value = int(value)
            else:
                raise _bad("chat not found")
        if value not in self._chats:
            raise _bad("chat not found")
        if for_send and value in self._blocked:
            raise TelegramAPIError(403, self._blocked[value])
        return value

    def _format(
        self,
        p: _Params,
        text_field: str,
        entities_field: str,
        *,
        max_len: int,
        too_long: str,
        empty_error: str | None,
    ) -> tuple[str, list[dict]]:
        """Parse text/caption + parse_mode/entities like the Bot API server.

        Order: entity parsing (HTML) → fix_formatted_text (cleanup/trim) → auto-detected
        bot_command/url entities → length check in UTF-16 code units.
        ``empty_error`` is the error for an empty result (None: empty allowed, for captions)."""
        text = p.str(text_field, "") or ""
        entities_raw = p.json(entities_field, "entities")
        parse_mode = (p.str("parse_mode") or "").strip()
        if entities_raw is not None:
            if not isinstance(entities_raw, list) or not all(
                isinstance(e, dict)
                and isinstance(e.get("type"), str)
                and isinstance(e.get("offset"), int)
                and isinstance(e.get("length"), int)
                for e in entities_raw
            ):
                raise _bad("can't parse entities JSON object")
            total = utf16_len(text)
            entities = []
            for ent in entities_raw:
                if ent["offset"] < 0 or ent["length"] < 0:
                    raise _bad("can't parse entities JSON object")
                if ent["length"] > 0 and ent["offset"] < total:
                    entities.append({**ent, "length": min(ent["length"], total - ent["offset"])})
            entities = _sort_entities(entities)
        elif parse_mode.lower() == "html":
            try:
                text, entities = parse_html(text, users=self._users)
            except HTMLParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif parse_mode == "" or parse_mode.lower() in ("markdown", "markdownv2"):
            # Markdown/MarkdownV2 are accepted but NOT parsed (the project uses HTML).
            entities = []
        else:
            raise _bad("unsupported parse_mode")
        try:
            text, entities = _fix_formatted_text(text, entities, allow_empty=empty_error is None)
        except _EmptyText:
            raise _bad(empty_error or "message text is empty") from None
        entities = _merge_auto_entities(entities, _auto_entities(text))
        if utf16_len(text) > max_len:
            raise _bad(too_long)
        return text, entities

    def _inline_markup(self, raw: Any) -> dict | None:
        """Validate reply_markup; returns the inline keyboard to store on the message (or None)."""
        if raw is None:
            return None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise _bad("can't parse reply keyboard markup JSON object") from None
        if not isinstance(raw, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in raw:
            if "keyboard" in raw:
                rows = raw["keyboard"]
                if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                    raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
            return None
        rows = raw["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        clean_rows = []
        for row in rows:
            clean_row = []
            for button in row:
                if not isinstance(button, dict):
                    raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
                if not isinstance(button.get("text"), str):
                    raise _bad("can't parse inline keyboard button: Field \"text\" must be of type String")
                if not any(k in button for k in _INLINE_BUTTON_ACTIONS):
                    raise _bad(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str):
                        raise _bad(
                            "can't parse inline keyboard button: "
                            'Field "callback_data" must be of type String'
                        )
                    if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button:
                    url = button["url"]
                    if not isinstance(url, str) or not url or _check_link(url) is None:
                        raise _bad("BUTTON_URL_INVALID")
                clean_row.append(dict(button))
            clean_rows.append(clean_row)
        return {"inline_keyboard": clean_rows}

    def _non_inline_markup(self, chat_id: int, raw: Any) -> None:
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                raw = json.loads(raw)
        if isinstance(raw, dict) and "inline_keyboard" not in raw:
            self._reply_keyboards[chat_id] = raw

    def _reply_to(self, p: _Params, chat_id: int) -> dict | None:
        reply_params = p.json("reply_parameters")
        message_id: int | None
        allow_missing = p.bool("allow_sending_without_reply")
        if isinstance(reply_params, dict):
            message_id = reply_params.get("message_id")
            allow_missing = bool(reply_params.get("allow_sending_without_reply", allow_missing))
        else:
            message_id = p.int("reply_to_message_id")
        if message_id is None:
            return None
        target = self._messages.get((chat_id, int(message_id)))
        if target is None or (chat_id, int(message_id)) in self.deleted:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        snap = copy.deepcopy(target)
        snap.pop("reply_to_message", None)
        return snap

    def _new_bot_message(self, chat_id: int, reply: dict | None, body: dict, markup: dict | None) -> dict:
        message_id = self._new_message_id(chat_id)
        msg: dict[str, Any] = {
            "message_id": message_id,
            "from": copy.deepcopy(self.bot_user),
            "chat": copy.deepcopy(self._chats[chat_id]),
            "date": int(time.time()),
        }
        if reply is not None:
            msg["reply_to_message"] = reply
        msg.update(body)
        if markup is not None:
            msg["reply_markup"] = markup
        self._messages[(chat_id, message_id)] = msg
        self._bot_messages.setdefault(chat_id, []).append(message_id)
        self._notify()
        return copy.deepcopy(msg)

    def _resolve_upload(
        self, p: _Params, field: str, kind: str
    ) -> tuple[UploadedFile | None, _StoredFile | None]:
        value = p.get(field)
        if value is None or value == "":
            raise _bad(f"there is no {field} in the request")
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value[len("attach://") :])
            if not isinstance(value, UploadedFile):
                raise _bad(f"there is no {field} in the request")
        if isinstance(value, UploadedFile):
            if not value.content:
                raise _bad("file must be non-empty")
            return value, None
        value = str(value)
        if re.match(r"^https?://", value, re.IGNORECASE):
            raise _bad("failed to get HTTP URL content")
        stored = self._files.get(value)
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise _bad(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
        return None, stored

    def _caption_body(self, p: _Params) -> dict:
        caption, entities = self._format(
            p,
            "caption",
            "caption_entities",
            max_len=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            empty_error=None,
        )
        body: dict[str, Any] = {}
        if caption:
            body["caption"] = caption
            if entities:
                body["caption_entities"] = entities
        return body

    def _editable(self, p: _Params) -> tuple[int, int, dict]:
        if p.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        chat_id = self._chat_id(p, for_send=False)
        message_id = p.int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        msg = self._messages.get((chat_id, message_id))
        if msg is None or (chat_id, message_id) in self.deleted:
            raise _bad("message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_id:
            raise _bad("message can't be edited")
        return chat_id, message_id, msg

    # ------------------------------------------------------------------ Bot API methods
    # Each _m_<methodName> receives (params, request) and returns the JSON result
    # (or (result, description)), or raises TelegramAPIError.

    async def _m_getMe(self, p: _Params, request: Request) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_logOut(self, p: _Params, request: Request) -> Any:
        return True

    async def _m_close(self, p: _Params, request: Request) -> Any:
        return True

    async def _wait_disconnect(self, request: Request) -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return

    async def _m_getUpdates(self, p: _Params, request: Request) -> Any:
        if self._webhook is not None:
            raise TelegramAPIError(409, WEBHOOK_CONFLICT)
        offset = p.int("offset", 0) or 0
        limit = min(max(p.int("limit", 100) or 100, 1), 100)
        timeout = max(p.float("timeout", 0) or 0.0, 0.0)
        allowed = p.json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]

        self._poll_seq += 1
        poller = _Poller(self._poll_seq)
        for other in list(self._pollers):
            other.superseded = True
            other.event.set()

        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._pollers.add(poller)
        disconnect = asyncio.create_task(self._wait_disconnect(request))
        try:
            while True:
                if poller.superseded:
                    # A client that cancelled its long poll (PTB does on stop) and re-polled may
                    # not have been noticed as gone yet: give its disconnect a moment to arrive.
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(asyncio.shield(disconnect), 0.02)
                    if disconnect.done():
                        return Response(status_code=499)
                    raise TelegramAPIError(409, GET_UPDATES_CONFLICT)
                if self._webhook is not None:
                    raise TelegramAPIError(409, WEBHOOK_CONFLICT)
                batch = self._available(limit)
                if batch:
                    self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
                    self._last_delivery_seq = poller.seq
                    return copy.deepcopy(batch)
                remaining = deadline - loop.time()
                if remaining <= 0 or self._closing:
                    return []
                poller.event.clear()
                waiter = asyncio.create_task(poller.event.wait())
                try:
                    await asyncio.wait(
                        {waiter, disconnect}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    waiter.cancel()
                if disconnect.done():
                    # The client went away (e.g. PTB cancelled the long poll on stop): nothing is
                    # delivered; the answer below is never read.
                    return Response(status_code=499)
        finally:
            self._pollers.discard(poller)
            disconnect.cancel()

    def _available(self, limit: int) -> list[dict]:
        allowed = set(self._allowed_updates) if self._allowed_updates else _DEFAULT_ALLOWED
        kept = []
        for update in self._pending:
            kind = next(k for k in update if k != "update_id")
            if kind in allowed:
                kept.append(update)
        self._pending = kept
        return kept[:limit]

    async def _m_setWebhook(self, p: _Params, request: Request) -> Any:
        url = p.str("url", "") or ""
        if not url:
            return await self._m_deleteWebhook(p, request)
        if not url.lower().startswith(("https://", "http://127.0.0.1:")):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token")
        if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret):
            raise _bad("secret token contains unallowed characters")
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        allowed = p.json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        self._webhook = {
            "url": url,
            "max_connections": p.int("max_connections", 40),
            "secret_token": secret,
        }
        self._webhook_error = None
        for update in list(self._pending):  # what waited for getUpdates now goes to the webhook
            self._start_delivery(update)
        self._wake_pollers()
        return True, "Webhook was set"

    async def _m_deleteWebhook(self, p: _Params, request: Request) -> Any:
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        if self._webhook is None:
            return True, "Webhook is already deleted"
        self._webhook = None
        return True, "Webhook was deleted"

    async def _m_getWebhookInfo(self, p: _Params, request: Request) -> Any:
        info: dict[str, Any] = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook:
            info["max_connections"] = self._webhook["max_connections"]
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        if self._webhook and self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    # ------------------------------------------------------------------ webhook delivery

    def _start_delivery(self, update: dict) -> None:
        if update["update_id"] in self._delivering:
            return
        self._delivering.add(update["update_id"])
        task = asyncio.create_task(self._deliver(update), name=f"FakeTelegram-webhook-{update['update_id']}")
        self._webhook_tasks.add(task)
        task.add_done_callback(self._delivery_done)

    def _delivery_done(self, task: asyncio.Task) -> None:
        self._webhook_tasks.discard(task)
        self._last_activity = time.monotonic()
        self._notify()

    @staticmethod
    def _update_chat(update: dict) -> object:
        body = next(value for key, value in update.items() if key != "update_id")
        message = body.get("message", body) if isinstance(body, dict) else {}
        return (message.get("chat") or {}).get("id") if isinstance(message, dict) else None

    def _drop_pending(self, update_id: int) -> None:
        self._pending = [u for u in self._pending if u["update_id"] != update_id]
        self._delivered_upto = max(self._delivered_upto, update_id)

    async def _deliver(self, update: dict) -> None:
        """Telegram's delivery of one update: in its chat's turn, again after a failure, until a 2xx answer."""
        update_id = update["update_id"]
        lock = self._webhook_chats.setdefault(self._update_chat(update), asyncio.Lock())
        try:
            async with lock:
                for attempt in range(1, self.webhook_attempts + 1):
                    hook = self._webhook
                    if hook is None or self._closing or not any(u["update_id"] == update_id for u in self._pending):
                        return  # the webhook was deleted (left for getUpdates) or the update dropped
                    kind = next(k for k in update if k != "update_id")
                    if kind not in (set(self._allowed_updates or ()) or _DEFAULT_ALLOWED):
                        self._drop_pending(update_id)
                        return
                    status, problem = await self._post_update(hook["url"], hook["secret_token"], update)
                    self.webhook_deliveries.append(WebhookDelivery(update_id, attempt, hook["url"], status))
                    self._last_activity = time.monotonic()
                    self._notify()
                    if 200 <= status < 300:
                        self._drop_pending(update_id)
                        return
                    self._webhook_error = (int(time.time()), problem)
                    if attempt < self.webhook_attempts:
                        await asyncio.sleep(self.webhook_retry_delay * attempt)
                self._drop_pending(update_id)  # Telegram gives up
        finally:
            self._delivering.discard(update_id)

    async def _post_update(self, url: str, secret: str | None, update: dict) -> tuple[int, str]:
        """(status, Telegram's last_error_message for a failure) of one POST; status 0: no connection."""
        if self._webhook_http is None:
            self._webhook_http = httpx.AsyncClient(timeout=30.0)
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        try:
            response = await self._webhook_http.post(url, json=update, headers=headers)
        except httpx.ConnectError:
            return 0, "Connection refused"
        except httpx.TimeoutException:
            return 0, "Read timeout expired"
        except httpx.HTTPError as error:
            return 0, f"Failed to connect: {type(error).__name__}"
        try:
            phrase = HTTPStatus(response.status_code).phrase
        except ValueError:
            phrase = ""
        return response.status_code, f"Wrong response from the webhook: {response.status_code} {phrase}".rstrip()

    async def post_to_webhook(
        self,
        update: dict,
        *,
        times: int = 1,
        urls: list[str] | None = None,
        concurrently: bool = False,
        secret: str | None = None,
    ) -> list[int]:
        """Test hook: POSTs ``update`` (an Update dict, e.g. one ``send_text`` returned) ``times`` times to each
        of ``urls`` (default: the webhook's URL), one after another or all at once, with the webhook's secret (or
        ``secret``; ``""`` sends no header). Returns the statuses; recorded in ``webhook_deliveries`` too.
        The update is not queued: use it for redeliveries of an update already delivered, or forged ones."""
        hook = self._webhook or {}
        targets = urls or [hook["url"]]
        token = hook.get("secret_token") if secret is None else secret
        calls = [(url, attempt) for attempt in range(1, times + 1) for url in targets]

        async def one(url: str, attempt: int) -> int:
            status, _ = await self._post_update(url, token, update)
            self.webhook_deliveries.append(WebhookDelivery(update["update_id"], attempt, url, status))
            self._notify()
            return status

        if concurrently:
            return list(await asyncio.gather(*(one(url, attempt) for url, attempt in calls)))
        return [await one(url, attempt) for url, attempt in calls]

    async def _m_sendMessage(self, p: _Params, request: Request) -> Any:
        chat_id = self._chat_id(p)
        if "text" not in p:
            raise _bad("message text is empty")
        text, entities = self._format(
            p,
            "text",
            "entities",
            max_len=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
            empty_error="message text is empty",
        )
        if not text:
            raise _bad("message text is empty")
        markup = self._inline_markup(p.get("reply_markup"))
        reply = self._reply_to(p, chat_id)
        body: dict[str, Any] = {"text": text}
        if entities:
            body["entities"] = entities
        if p.bool("protect_content"):
            body["has_protected_content"] = True
        self._non_inline_markup(chat_id, p.get("reply_markup"))
        return self._new_bot_message(chat_id, reply, body, markup)

    async def _m_sendDocument(self, p: _Params, request: Request) -> Any:
        chat_id = self._chat_id(p)
        upload, stored = self._resolve_upload(p, "document", "document")
        body = self._caption_body(p)
        markup = self._inline_markup(p.get("reply_markup"))
        reply = self._reply_to(p, chat_id)
        if upload is not None:
            mime = (
                upload.content_type
                or mimetypes.guess_type(upload.filename)[0]
                or "application/octet-stream"
            )
            doc = self._store_document(upload.content, upload.filename, mime, None)
        else:
            assert stored is not None
            doc = copy.deepcopy(stored.obj)
        self._non_inline_markup(chat_id, p.get("reply_markup"))
        return self._new_bot_message(chat_id, reply, {"document": doc, **body}, markup)

    async def _m_sendPhoto(self, p: _Params, request: Request) -> Any:
        chat_id = self._chat_id(p)
        upload, stored = self._resolve_upload(p, "photo", "photo")
        body = self._caption_body(p)
        markup = self._inline_markup(p.get("reply_markup"))
        reply = self._reply_to(p, chat_id)
        if upload is not None:
            if _image_size(upload.content) is None:
                raise _bad("IMAGE_PROCESS_FAILED")
            photo = self._store_photo(upload.content)
        else:
            assert stored is not None and stored.group is not None
            photo = copy.deepcopy(stored.group)
        self._non_inline_markup(chat_id, p.get("reply_markup"))
        return self._new_bot_message(chat_id, reply, {"photo": photo, **body}, markup)

    async def _m_editMessageText(self, p: _Params, request: Request) -> Any:
        chat_id, message_id, msg = self._editable(p)
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        if "text" not in p:
            raise _bad("message text is empty")
        text, entities = self._format(
            p,
            "text",
            "entities",
            max_len=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
            empty_error="message text is empty",
        )
        if not text:
            raise _bad("message text is empty")
        markup = self._inline_markup(p.get("reply_markup"))
        if text == msg["text"] and entities == msg.get("entities", []) and markup == msg.get("reply_markup"):
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        msg["text"] = text
        if entities:
            msg["entities"] = entities
        else:
            msg.pop("entities", None)
        if markup is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(time.time())
        self._notify()
        return copy.deepcopy(msg)

    async def _m_editMessageCaption(self, p: _Params, request: Request) -> Any:
        chat_id, message_id, msg = self._editable(p)
        if "text" in msg:
            raise _bad("there is no caption in the message to edit")
        body = self._caption_body(p)
        markup = self._inline_markup(p.get("reply_markup"))
        if (
            body.get("caption") == msg.get("caption")
            and body.get("caption_entities", []) == msg.get("caption_entities", [])
            and markup == msg.get("reply_markup")
        ):
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        msg.pop("caption", None)
        msg.pop("caption_entities", None)
        msg.update(body)
        if markup is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(time.time())
        self._notify()
        return copy.deepcopy(msg)

    async def _m_editMessageReplyMarkup(self, p: _Params, request: Request) -> Any:
        chat_id, message_id, msg = self._editable(p)
        markup = self._inline_markup(p.get("reply_markup"))
        if markup == msg.get("reply_markup"):
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        if markup is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(time.time())
        self._notify()
        return copy.deepcopy(msg)

    async def _m_deleteMessage(self, p: _Params, request: Request) -> Any:
        chat_id = self._chat_id(p, for_send=False)
        message_id = p.int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        if (chat_id, message_id) not in self._messages or (chat_id, message_id) in self.deleted:
            raise _bad("message to delete not found")
        self.deleted.append((chat_id, message_id))
        return True

    async def _m_answerCallbackQuery(self, p: _Params, request: Request) -> Any:
        query_id = p.str("callback_query_id")
        if not query_id:
            raise _bad("callback_query_id is empty")
        query = self._callback_queries.get(query_id)
        if query is None or query["answered"]:
            raise _bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        query["answered"] = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": p.str("text"),
                "show_alert": p.bool("show_alert"),
                "url": p.str("url"),
                "cache_time": p.int("cache_time"),
            }
        )
        return True

    async def _m_sendChatAction(self, p: _Params, request: Request) -> Any:
        chat_id = self._chat_id(p)
        action = p.str("action")
        if not action:
            raise _bad("action is empty")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat_id, action))
        return True

    async def _m_getFile(self, p: _Params, request: Request) -> Any:
        file_id = p.str("file_id")
        if not file_id:
            raise _bad("file_id is empty")
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        if stored.size > self.max_file_download_bytes:
            raise _bad("file is too big")
        if stored.file_path is None:
            folder = "photos" if stored.kind == "photo" else "documents"
            stored.file_path = f"{folder}/file_{len(self._files_by_path)}{stored.ext}"
            self._files_by_path[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _m_getChat(self, p: _Params, request: Request) -> Any:
        chat_id = self._chat_id(p, for_send=False)
        chat = copy.deepcopy(self._chats[chat_id])
        chat.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": True,
                    "limited_gifts": True,
                    "unique_gifts": True,
                    "premium_subscription": True,
                    "gifts_from_channels": True,
                },
            }
        )
        return chat

    # commands ------------------------------------------------------------------

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not scope or (isinstance(scope, dict) and scope.get("type") == "default" and len(scope) == 1):
            return "default"
        return json.dumps(scope, sort_keys=True, ensure_ascii=False)

    def _commands_key(self, p: _Params) -> tuple[str, str]:
        scope = p.json("scope", "BotCommandScope")
        if scope is not None and (not isinstance(scope, dict) or "type" not in scope):
            raise _bad("can't parse BotCommandScope JSON object")
        return self._scope_key(scope), p.str("language_code", "") or ""

    async def _m_setMyCommands(self, p: _Params, request: Request) -> Any:
        commands = p.json("commands", "commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        clean = []
        for cmd in commands:
            if not isinstance(cmd, dict):
                raise _bad("can't parse BotCommand JSON object")
            command = cmd.get("command")
            description = cmd.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command.lstrip("/")):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": command.lstrip("/"), "description": description})
        key = self._commands_key(p)
        self.commands_by_scope[key] = clean
        self._last_commands_key = key
        return True

    async def _m_getMyCommands(self, p: _Params, request: Request) -> Any:
        return copy.deepcopy(self.commands_by_scope.get(self._commands_key(p), []))

    async def _m_deleteMyCommands(self, p: _Params, request: Request) -> Any:
        key = self._commands_key(p)
        self.commands_by_scope.pop(key, None)
        self._last_commands_key = key
        return True

    # bot profile (stored, so a bot's post_init can set them) -------------------

    async def _m_setMyDescription(self, p: _Params, request: Request) -> Any:
        key = ("description", p.str("language_code", "") or "")
        self.bot_properties[key] = p.str("description", "") or ""
        return True

    async def _m_getMyDescription(self, p: _Params, request: Request) -> Any:
        return {"description": self.bot_properties.get(("description", p.str("language_code", "") or ""), "")}

    async def _m_setMyShortDescription(self, p: _Params, request: Request) -> Any:
        value = p.str("short_description", "") or ""
        self.bot_properties[("short_description", p.str("language_code", "") or "")] = value
        return True

    async def _m_getMyShortDescription(self, p: _Params, request: Request) -> Any:
        key = ("short_description", p.str("language_code", "") or "")
        return {"short_description": self.bot_properties.get(key, "")}

    async def _m_setMyName(self, p: _Params, request: Request) -> Any:
        self.bot_properties[("name", p.str("language_code", "") or "")] = p.str("name", "") or ""
        return True

    async def _m_getMyName(self, p: _Params, request: Request) -> Any:
        key = ("name", p.str("language_code", "") or "")
        return {"name": self.bot_properties.get(key, self.bot_user["first_name"])}

    async def _m_setChatMenuButton(self, p: _Params, request: Request) -> Any:
        self.bot_properties[("menu_button", p.int("chat_id"))] = p.json("menu_button") or {"type": "default"}
        return True

    async def _m_getChatMenuButton(self, p: _Params, request: Request) -> Any:
        return self.bot_properties.get(("menu_button", p.int("chat_id")), {"type": "commands"})
