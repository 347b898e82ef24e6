"""The Zalo webhook endpoint (Starlette), for the web server to mount at /webhook/zalo.

A delivery is checked against the secret we gave setWebhook (`X-Bot-Api-Secret-Token`, compared in constant
time: wrong or missing → 403, nothing read further), handled, and answered 200 only once its changes are
committed; a failure to record it answers 500, so Zalo delivers it again. Deliveries are deduplicated by
message id in the database (storage.updates), so a redelivery of a handled update is recorded once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.adapters.webhook_secret import secret_matches
from bot.adapters.zalo_channel import HandledElsewhere, HandlingFailed, ZaloChannel
from bot.adapters.zalo_client import ZaloClient

SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024
MIN_SECRET, MAX_SECRET = 8, 256


def zalo_webhook(channel: ZaloChannel, secret: str) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint function: `Route("/webhook/zalo", zalo_webhook(channel, secret), methods=["POST"])`."""
    if not MIN_SECRET <= len(secret) <= MAX_SECRET:
        raise ValueError("the Zalo webhook secret must be 8 to 256 characters long")
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
        if not secret_matches(request, header=SECRET_HEADER, expected=expected, platform="Zalo"):
            return JSONResponse({"ok": False, "description": "forbidden"}, status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"ok": False, "description": "body too large"}, status_code=413)
        try:
            payload = json.loads(body)
        except ValueError:
            return JSONResponse({"ok": False, "description": "not JSON"}, status_code=400)
        if not isinstance(payload, dict):
            return JSONResponse({"ok": False, "description": "not an update"}, status_code=400)
        try:
            await channel.process(payload, dedup=True)
        except HandlingFailed:
            return JSONResponse({"ok": False, "description": "not recorded, please retry"}, status_code=500)
        except HandledElsewhere:
            return JSONResponse({"ok": False, "description": "being handled, please retry later"}, status_code=503)
        return JSONResponse({"ok": True, "message": "Success"})

    return webhook


async def register_webhook(client: ZaloClient, *, url: str, secret: str) -> None:
    """Points Zalo at our endpoint (Zalo wants an HTTPS URL); getUpdates stops working while it is set."""
    await client.set_webhook(url, secret)
