"""A faithful fake of the Zalo Bot API, for end-to-end tests without network access.

A Starlette application served by uvicorn on ``127.0.0.1`` (random free port) inside the test's event loop::

    async with FakeZalo() as zalo:
        client = ZaloClient(zalo.token, base_url=zalo.base_url)
        zalo.send_text("1001", "/viec")
        sent = await zalo.wait_for_messages("1001", 1)

What it does like Zalo (as documented by Zalo and seen in its SDKs):

* ``{base}/bot<TOKEN>/<method>``, JSON (or query-string) parameters; answers ``{"ok": true, "result": …}`` or
  ``{"ok": false, "error_code": N, "description": "…"}`` with HTTP status N. A wrong token is 401.
* Ids are strings; dates are milliseconds. Updates are ``{"event_name", "message": {"from": {"id",
  "display_name", "is_bot"}, "chat": {"id", "chat_type": "PRIVATE"}, "message_id", "date", …}}`` with ``text``
  (message.text.received), ``photo_url`` + ``caption`` (message.image.received; the image is served by this
  fake at /photos/…), ``sticker`` + ``url`` (message.sticker.received), or nothing more
  (message.unsupported.received: e.g. a file, which bots cannot download).
* getUpdates long-polls (``timeout`` in seconds, sent as a string) and returns ONE update per call, with no offset;
  no update within the timeout is error 408. While a webhook is set, getUpdates is refused (409).
* setWebhook needs ``url`` and a ``secret_token`` of 8–256 characters. Each update is then POSTed to the URL with
  the header ``X-Bot-Api-Secret-Token``, wrapped as ``{"ok": true, "result": update}`` or flat
  (``webhook_wrapped``), and delivered again after a non-2xx answer (``redeliveries`` more times).
* sendMessage: ``text`` of 1–2,000 characters; sendPhoto: ``photo`` is a URL the fake really downloads (it must
  answer 200 with an image type), optional ``caption``; sendChatAction: ``typing`` or ``upload_photo``. The bot
  can write only to users who wrote to it (else 400 "Chat not found"), never to one who blocked it (403).

Not modelled: groups, voice messages, Zalo's HTTPS requirement for webhook URLs (127.0.0.1 over HTTP is
accepted), the exact wording of every error description (Zalo documents few; ours are stable and plain).
Failures can be injected (``fail_next``) and a rate limit set (429 with ``parameters.retry_after``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

TEXT_LIMIT = 2000
SECRET_MIN, SECRET_MAX = 8, 256
SEND_METHODS = frozenset({"sendMessage", "sendPhoto"})
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})


class ZaloAPIError(Exception):
    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class Delivery:
    """One webhook POST the fake made: which update, which attempt, and the status the bot answered."""

    message_id: str
    attempt: int
    status: int


class _QuietServer(uvicorn.Server):
    """uvicorn that leaves the process' signal handlers alone (we run inside pytest)."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]
        yield

    def install_signal_handlers(self) -> None:
        return None


async def serve(app: Any) -> tuple[_QuietServer, asyncio.Task[None], int]:
    """Serves a Starlette app on 127.0.0.1 on a free port, inside this event loop."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, log_level="warning", access_log=False,
                            lifespan="off", http="h11", ws="none", timeout_graceful_shutdown=2, server_header=False)
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(), name="uvicorn")
    while not server.started:
        if task.done():
            raise RuntimeError("uvicorn failed to start") from task.exception()
        await asyncio.sleep(0.005)
    return server, task, server.servers[0].sockets[0].getsockname()[1]


async def stop(server: _QuietServer, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(task, 5)


class FakeZalo:
    """Fake Zalo Bot API server (an async context manager).

    State for assertions: ``requests`` ((method, params) of every call), ``errors`` ((method, code, description)
    of every error answered), ``chat_actions``, ``deliveries`` (webhook POSTs), ``webhook`` (url and secret or
    None). Messages the bot sent: ``messages_to(chat_id)``, each ``{"message_id", "chat_id", "date", "text"}``
    or ``{…, "photo", "caption", "photo_bytes"}``.
    """

    def __init__(
        self,
        *,
        token: str = "3712345678901234567:ZaloFakeTokenSecret_0123456789abcdef",
        bot_name: str = "Đôn Đốc",
        webhook_wrapped: bool = True,
        redeliveries: int = 2,
        redelivery_delay: float = 0.05,
        rate_limit_per_second: float | None = None,
    ) -> None:
        self.token = token
        self.bot = {"id": token.split(":", 1)[0], "account_name": "bot.dondoc", "account_type": "BASIC",
                    "can_join_groups": False, "display_name": bot_name}
        self.webhook_wrapped = webhook_wrapped
        self.redeliveries = redeliveries
        self.redelivery_delay = redelivery_delay
        self.rate_limit_per_second = rate_limit_per_second

        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[tuple[str, int, str]] = []
        self.chat_actions: list[tuple[str, str]] = []
        self.deliveries: list[Delivery] = []
        self.webhook: dict[str, Any] | None = None

        self._users: dict[str, str] = {}
        self._blocked: set[str] = set()
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._photos: dict[str, tuple[bytes, str]] = {}
        self._queue: deque[dict[str, Any]] = deque()
        self._failures: dict[str, deque[ZaloAPIError]] = {}
        self._sends: deque[float] = deque()
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._changed = asyncio.Event()
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None
        self._server: _QuietServer | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self.port: int | None = None
        self._app = Starlette(routes=[
            Route("/bot{token}/{method}", self._handle_api, methods=["GET", "POST"]),
            Route("/photos/{name}", self._handle_photo, methods=["GET"]),
        ])

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeZalo:
        self._http = httpx.AsyncClient(timeout=10)
        self._server, self._serve_task, self.port = await serve(self._app)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing = True
        self._notify()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None and self._serve_task is not None:
            await stop(self._server, self._serve_task)
        if self._http is not None:
            await self._http.aclose()

    @property
    def origin(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeZalo is not running; use `async with FakeZalo() as zalo:`")
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """For `ZaloClient(base_url=…)` / ZALO_API_BASE_URL: the token and method are appended."""
        return f"{self.origin}/bot"

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ users

    def user(self, user_id: str | int, display_name: str = "Người dùng") -> str:
        user = str(user_id)
        self._users.setdefault(user, display_name)
        return user

    def block(self, user_id: str | int) -> None:
        self._blocked.add(str(user_id))

    def _message(self, user_id: str | int, event_name: str, body: dict[str, Any]) -> dict[str, Any]:
        user = self.user(user_id)
        self._blocked.discard(user)  # writing to the bot again unblocks it
        message = {
            "from": {"id": user, "display_name": self._users[user], "is_bot": False},
            "chat": {"id": user, "chat_type": "PRIVATE"},
            "message_id": uuid.uuid4().hex[:20],
            "date": int(time.time() * 1000),
            **body,
        }
        update = {"event_name": event_name, "message": message}
        self.push(update)
        return update

    def push(self, update: dict[str, Any]) -> None:
        """Queues an update for getUpdates, or delivers it to the webhook when one is set."""
        self._last_activity = time.monotonic()
        if self.webhook is not None:
            task = asyncio.create_task(self._deliver(update), name="zalo-webhook-delivery")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self._queue.append(update)
        self._notify()

    def host(self, content: bytes, media_type: str = "image/png") -> str:
        """Serves `content` at a new URL of this fake (a stand-in for the bot's own web server in tests)."""
        name = f"{uuid.uuid4().hex}.png"
        self._photos[name] = (content, media_type)
        return f"{self.origin}/photos/{name}"

    def send_text(self, user_id: str | int, text: str) -> dict[str, Any]:
        return self._message(user_id, "message.text.received", {"text": text})

    def send_image(self, user_id: str | int, content: bytes, *, caption: str | None = None,
                   media_type: str = "image/jpeg") -> dict[str, Any]:
        name = f"{uuid.uuid4().hex}.jpg"
        self._photos[name] = (content, media_type)
        body: dict[str, Any] = {"photo_url": f"{self.origin}/photos/{name}", "message_type": "CHAT_PHOTO"}
        if caption is not None:
            body["caption"] = caption
        return self._message(user_id, "message.image.received", body)

    def send_sticker(self, user_id: str | int) -> dict[str, Any]:
        return self._message(user_id, "message.sticker.received", {
            "sticker": "bfe458bf64fa8da4d4eb", "url": "https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=1",
            "message_type": "CHAT_STICKER"})

    def send_file(self, user_id: str | int) -> dict[str, Any]:
        """A document: Zalo hands bots only an "unsupported" event for it, with no download link."""
        return self._message(user_id, "message.unsupported.received", {})

    # ------------------------------------------------------------------ assertions

    def messages_to(self, chat_id: str | int) -> list[dict[str, Any]]:
        return copy.deepcopy(self._messages.get(str(chat_id), []))

    async def wait_for(self, predicate: Any, timeout: float, describe: Any) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(describe())
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.02))

    async def wait_for_messages(self, chat_id: str | int, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Waits until the bot sent at least `count` messages to the chat (since the start); returns them all."""
        chat = str(chat_id)

        def describe() -> str:
            got = [m.get("text", m.get("caption")) for m in self.messages_to(chat)]
            return f"expected >= {count} message(s) to {chat} in {timeout}s, got {got!r}; errors {self.errors[-5:]!r}"

        await self.wait_for(lambda: len(self._messages.get(chat, [])) >= count, timeout, describe)
        return self.messages_to(chat)

    async def wait_for_idle(self, timeout: float = 5.0, *, settle: float = 0.15) -> None:
        """Waits until every queued update was taken, no webhook delivery or API call is in flight, and nothing
        happened for `settle` seconds."""

        def idle() -> bool:
            return (not self._queue and not self._tasks and not self._inflight
                    and time.monotonic() - self._last_activity >= settle)

        await self.wait_for(idle, timeout, lambda: f"not idle: queue {len(self._queue)}, in flight {self._inflight}")

    # ------------------------------------------------------------------ failures

    def fail_next(self, method: str, *, error_code: int, description: str, retry_after: int | None = None,
                  times: int = 1) -> None:
        """Answers the next `times` calls of `method` with this error (HTTP status = error_code)."""
        queue = self._failures.setdefault(method.lower(), deque())
        for _ in range(times):
            queue.append(ZaloAPIError(error_code, description, retry_after=retry_after))

    # ------------------------------------------------------------------ webhook delivery

    async def _deliver(self, update: dict[str, Any], *, secret: str | None = None) -> None:
        assert self._http is not None and self.webhook is not None
        hook = self.webhook
        body = {"ok": True, "result": update} if self.webhook_wrapped else update
        for attempt in range(1, self.redeliveries + 2):
            try:
                response = await self._http.post(
                    hook["url"], json=body, headers={"X-Bot-Api-Secret-Token": secret or hook["secret_token"]})
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            self.deliveries.append(Delivery(update["message"]["message_id"], attempt, status))
            self._last_activity = time.monotonic()
            self._notify()
            if 200 <= status < 300:
                return
            await asyncio.sleep(self.redelivery_delay * attempt)

    async def post_to_webhook(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """POSTs one update to the webhook now (e.g. a redelivery, or with a wrong `secret`); returns the status."""
        assert self._http is not None and self.webhook is not None
        body = {"ok": True, "result": update} if self.webhook_wrapped else update
        token = self.webhook["secret_token"] if secret is None else secret
        headers = {"X-Bot-Api-Secret-Token": token} if token else {}
        response = await self._http.post(self.webhook["url"], json=body, headers=headers)
        return response.status_code

    # ------------------------------------------------------------------ HTTP

    @staticmethod
    def _json(payload: dict[str, Any], status: int = 200) -> Response:
        return Response(json.dumps(payload, ensure_ascii=False), status_code=status, media_type="application/json")

    def _error(self, method: str, error: ZaloAPIError) -> Response:
        self.errors.append((method, error.error_code, error.description))
        return self._json(error.payload(), error.error_code)

    async def _handle_photo(self, request: Request) -> Response:
        found = self._photos.get(request.path_params["name"])
        if found is None:
            return Response(b"not found", status_code=404)
        return Response(found[0], media_type=found[1])

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            raw = await request.body()
            if raw.strip():
                try:
                    data = json.loads(raw)
                except ValueError:
                    raise ZaloAPIError(400, "Invalid JSON body") from None
                if not isinstance(data, dict):
                    raise ZaloAPIError(400, "Invalid JSON body")
                params.update(data)
        return params

    async def _handle_api(self, request: Request) -> Response:
        method = request.path_params["method"]
        if request.path_params["token"] != self.token:
            return self._error(method, ZaloAPIError(401, "Unauthorized"))
        handler = getattr(self, f"_m_{method}", None)
        polling = method == "getUpdates"
        if not polling:
            self._inflight += 1
        try:
            try:
                params = await self._params(request)
                self.requests.append((method, params))
                self._notify()
                failures = self._failures.get(method.lower())
                if failures:
                    raise failures.popleft()
                if handler is None:
                    raise ZaloAPIError(404, "Not Found")
                self._check_rate(method)
                result = await handler(params)
            except ZaloAPIError as error:
                return self._error(method, error)
            return self._json({"ok": True, "result": result})
        finally:
            if not polling:
                self._inflight -= 1
            self._last_activity = time.monotonic()
            self._notify()

    def _check_rate(self, method: str) -> None:
        if self.rate_limit_per_second is None or method not in SEND_METHODS:
            return
        now = time.monotonic()
        while self._sends and self._sends[0] <= now - 1.0:
            self._sends.popleft()
        if len(self._sends) >= self.rate_limit_per_second:
            retry = max(1, math.ceil(self._sends[0] + 1.0 - now))
            raise ZaloAPIError(429, "Too many requests", retry_after=retry)
        self._sends.append(now)

    def _chat(self, params: dict[str, Any]) -> str:
        chat = str(params.get("chat_id") or "")
        if not chat:
            raise ZaloAPIError(400, "chat_id is required")
        if chat not in self._users:
            raise ZaloAPIError(400, "Chat not found")
        if chat in self._blocked:
            raise ZaloAPIError(403, "User has blocked the bot")
        return chat

    def _sent(self, chat: str, body: dict[str, Any]) -> dict[str, Any]:
        message = {"message_id": uuid.uuid4().hex[:20], "chat_id": chat, "date": int(time.time() * 1000), **body}
        self._messages.setdefault(chat, []).append(message)
        return {"message_id": message["message_id"], "date": message["date"]}

    # ------------------------------------------------------------------ methods

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return dict(self.bot)

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ZaloAPIError(409, "Webhook is set; delete it to use getUpdates")
        try:
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError):
            raise ZaloAPIError(400, "timeout must be a number of seconds") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._queue and not self._closing and loop.time() < deadline:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(0.05, max(0.0, deadline - loop.time())))
        if not self._queue:
            raise ZaloAPIError(408, "Request timeout")
        return self._queue.popleft()

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("https://", "http://127.0.0.1")):
            raise ZaloAPIError(400, "url must be an HTTPS URL")
        if not isinstance(secret, str) or not SECRET_MIN <= len(secret) <= SECRET_MAX:
            raise ZaloAPIError(400, "secret_token must be 8 to 256 characters")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": int(time.time() * 1000)}
        for update in list(self._queue):  # what was waiting for getUpdates now goes to the webhook
            self._queue.popleft()
            self.push(update)
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        hook = self.webhook or {"url": "", "updated_at": 0}
        return {"url": hook["url"], "updated_at": hook["updated_at"]}

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ZaloAPIError(400, "text is required")
        if len(text) > TEXT_LIMIT:
            raise ZaloAPIError(400, f"text must not exceed {TEXT_LIMIT} characters")
        return self._sent(chat, {"text": text})

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        url, caption = params.get("photo"), params.get("caption") or ""
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ZaloAPIError(400, "photo must be a URL")
        if len(caption) > TEXT_LIMIT:
            raise ZaloAPIError(400, f"caption must not exceed {TEXT_LIMIT} characters")
        assert self._http is not None
        try:
            response = await self._http.get(url)
        except httpx.HTTPError:
            raise ZaloAPIError(400, "Photo URL is not accessible") from None
        if response.status_code != 200 or not response.headers.get("content-type", "").startswith("image/"):
            raise ZaloAPIError(400, "Photo URL is not accessible")
        return self._sent(chat, {"photo": url, "caption": caption, "photo_bytes": response.content})

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise ZaloAPIError(400, "Invalid action")
        self.chat_actions.append((chat, str(action)))
        return True
