"""Bot API calls that must get through: retried after 429 `retry_after`, and with backoff after 5xx and timeouts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.metrics import METRICS

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.5
LONGEST_WAIT_SECONDS = 60.0


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def with_retries(call: Callable[[], Awaitable[T]], *, what: str) -> T:
    """Runs `call`, retrying what Telegram says is temporary; BadRequest and Forbidden are final and raised."""
    for attempt in range(1, ATTEMPTS):
        try:
            return await call()
        except RetryAfter as error:
            wait = min(_seconds(error.retry_after), LONGEST_WAIT_SECONDS)
            reason = "429"
            METRICS.rate_limited.labels("telegram").inc()
        except (BadRequest, Forbidden):
            raise
        except NetworkError as error:  # 5xx, timeouts, dropped connections
            wait = FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1)
            reason = type(error).__name__
        log.warning("%s failed (%s), retry %d/%d in %.1fs", what, reason, attempt, ATTEMPTS - 1, wait)
        await asyncio.sleep(wait)
    return await call()  # the last attempt: what it raises is final
