"""The secret header a platform sends with each webhook delivery (Telegram and Zalo alike), checked in constant
time; a wrong or missing one is logged with the caller's address, never with what it sent."""

from __future__ import annotations

import hmac
import logging

from starlette.requests import Request

log = logging.getLogger(__name__)


def secret_matches(request: Request, *, header: str, expected: bytes, platform: str) -> bool:
    given = request.headers.get(header, "").encode()
    if hmac.compare_digest(given, expected):
        return True
    log.warning("%s webhook call with a wrong or missing secret from %s", platform,
                request.client.host if request.client else "?")
    return False
