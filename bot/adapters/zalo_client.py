"""A small client for the Zalo Bot API (`{base}<TOKEN>/<method>`, JSON in, `{ok, result | error_code,
description}` out) over one `httpx.AsyncClient`.

Temporary failures (429, 5xx, dropped connections, timeouts) are retried with backoff; every other error is
raised as `ZaloApiError` at once. The token is part of every URL, so it is kept out of everything we produce:
exception texts, our reprs, and httpx's own "HTTP Request: POST <url>" log line (a filter on the `httpx`
logger redacts it even when that logger is set to INFO).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from bot.logs import RedactSecrets
from bot.metrics import METRICS

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com/bot"
ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.5
LONGEST_WAIT_SECONDS = 30.0
POLL_TIMEOUT_CODE = 408  # getUpdates: no update arrived within the long-polling timeout
_HTTPX_LOGGERS = ("httpx", "httpcore")


class ZaloError(Exception):
    """Any failure of a Zalo Bot API call. The message never contains the token."""

    def __init__(self, method: str, message: str) -> None:
        super().__init__(f"{method}: {message}")
        self.method = method


class ZaloApiError(ZaloError):
    """The API answered `ok: false` (or an HTTP error without a JSON body)."""

    def __init__(self, method: str, error_code: int, description: str, *, retry_after: float | None = None) -> None:
        super().__init__(method, f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    @property
    def temporary(self) -> bool:
        return self.error_code == 429 or self.error_code >= 500


class ZaloTransportError(ZaloError):
    """The API could not be reached or did not answer in time."""


def _retry_after(payload: Mapping[str, Any], headers: httpx.Headers) -> float | None:
    parameters = payload.get("parameters")
    value = parameters.get("retry_after") if isinstance(parameters, Mapping) else None
    value = value if value is not None else payload.get("retry_after", headers.get("retry-after"))
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class ZaloClient:
    """Calls the Bot API. `http` is shared with the caller when given (the caller closes it), else owned."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        http: httpx.AsyncClient | None = None,
        timeout: float = 15.0,
        attempts: int = ATTEMPTS,
        first_backoff: float = FIRST_BACKOFF_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not token:
            raise ValueError("the Zalo bot token is empty")
        self._token = token
        self._base = base_url
        self._owned = http is None
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=10.0))
        self._attempts = max(1, attempts)
        self._first_backoff = first_backoff
        self._sleep = sleep
        self._redact = RedactSecrets([token])
        for name in _HTTPX_LOGGERS:
            logging.getLogger(name).addFilter(self._redact)

    def __repr__(self) -> str:
        return f"ZaloClient(base_url={self._base!r}, token=***)"

    def redact(self, text: str) -> str:
        return text.replace(self._token, "***")

    async def aclose(self) -> None:
        for name in _HTTPX_LOGGERS:
            logging.getLogger(name).removeFilter(self._redact)
        if self._owned:
            await self.http.aclose()

    async def call(
        self, method: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None,
        retry: bool = True,
    ) -> Any:
        """The `result` of `method`. Retries temporary failures (when `retry`), then raises the last one."""
        attempts = self._attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return await self._call_once(method, params, timeout)
            except ZaloApiError as error:
                if not error.temporary or attempt == attempts:
                    raise
                wait = min(error.retry_after or self._backoff(attempt), LONGEST_WAIT_SECONDS)
                reason = str(error.error_code)
            except ZaloTransportError as error:
                if attempt == attempts:
                    raise
                wait, reason = self._backoff(attempt), str(error)
            log.warning("Zalo %s failed (%s), retry %d/%d in %.1fs", method, reason, attempt, attempts - 1, wait)
            await self._sleep(wait)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        return float(self._first_backoff * 2 ** (attempt - 1))

    async def _call_once(self, method: str, params: Mapping[str, Any] | None, timeout: float | None) -> Any:
        url = f"{self._base}{self._token}/{method}"
        try:
            response = await self.http.post(
                url, json=dict(params or {}), timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout
            )
        except httpx.TransportError as error:
            # httpx's own message may quote the URL: keep only its kind, and drop the chained exception.
            raise ZaloTransportError(method, type(error).__name__) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):  # a proxy's HTML error page, or garbage
            raise ZaloApiError(method, response.status_code, self.redact(response.reason_phrase or "no JSON body"))
        if payload.get("ok") is True:
            return payload.get("result")
        code = payload.get("error_code")
        return_code = code if isinstance(code, int) else response.status_code
        if return_code == 429:
            METRICS.rate_limited.labels("zalo").inc()
        description = self.redact(str(payload.get("description") or response.reason_phrase or "error"))
        raise ZaloApiError(method, return_code, description, retry_after=_retry_after(payload, response.headers))

    # ------------------------------------------------------------------ methods

    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_update(self, *, timeout: int) -> dict[str, Any] | None:
        """One update, or None when none came within `timeout` seconds (long polling: Zalo answers 408)."""
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)}, timeout=timeout + 10, retry=False)
        except ZaloApiError as error:
            if error.error_code == POLL_TIMEOUT_CODE:
                return None
            raise
        return result if isinstance(result, dict) and result else None

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return result if isinstance(result, dict) else {}

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> dict[str, Any]:
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        result = await self.call("sendPhoto", params)
        return result if isinstance(result, dict) else {}

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action}, retry=False)

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self.call("getWebhookInfo")
        return result if isinstance(result, dict) else {}
