"""The Zalo channel assembled from settings: one HTTP client shared by the API client and photo downloads,
the delivery, the channel and, in polling mode, the poller. `bot.app.run_bot` enters `running_zalo`; the web
server mounts `ZaloRuntime.webhook()` at /webhook/zalo for webhook mode (then `poll=False`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx

from bot.adapters.zalo_channel import (
    Handle,
    LinkFile,
    PublishPhoto,
    Remember,
    ZaloChannel,
    ZaloDelivery,
    ZaloPoller,
    photo_fetcher,
)
from bot.adapters.zalo_client import ZaloClient, ZaloError
from bot.deps import Deps

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

log = logging.getLogger(__name__)
HTTP_TIMEOUT_SECONDS = 15.0
DRAIN_SECONDS = 10.0


@dataclass(frozen=True)
class ZaloRuntime:
    client: ZaloClient
    delivery: ZaloDelivery
    channel: ZaloChannel
    secret: str | None

    def webhook(self) -> Callable[[Request], Awaitable[Response]]:
        """The Starlette endpoint for /webhook/zalo (needs ZALO_WEBHOOK_SECRET)."""
        from bot.adapters.zalo_webhook import zalo_webhook  # Starlette is needed only when serving webhooks

        if self.secret is None:
            raise RuntimeError("ZALO_WEBHOOK_SECRET is not set")
        return zalo_webhook(self.channel, self.secret)


@contextlib.asynccontextmanager
async def running_zalo(
    deps: Deps,
    handle: Handle,
    *,
    remember: Remember | None = None,
    publish_photo: PublishPhoto | None = None,
    link_file: LinkFile | None = None,
    poll: bool = True,
) -> AsyncIterator[ZaloRuntime]:
    """The Zalo channel, long-polling when `poll` (any webhook is deleted first, as getUpdates needs);
    handlers in flight are given DRAIN_SECONDS on exit, then the HTTP client is closed."""
    settings = deps.settings
    assert settings.zalo_token is not None
    async with httpx.AsyncClient(timeout=httpx.Timeout(HTTP_TIMEOUT_SECONDS, connect=10.0)) as http:
        client = ZaloClient(settings.zalo_token.get_secret_value(), base_url=settings.zalo_api_base_url, http=http)
        try:
            delivery = ZaloDelivery(client, deps.sessions, default_locale=settings.default_locale,
                                    publish_photo=publish_photo, link_file=link_file, remember=remember)
            channel = ZaloChannel(handle=handle, delivery=delivery, sessions=deps.sessions,
                                  fetch_photo=photo_fetcher(http, settings.evidence_max_bytes),
                                  claim_lease=timedelta(seconds=settings.update_claim_lease_seconds))
            secret = settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else None
            runtime = ZaloRuntime(client=client, delivery=delivery, channel=channel, secret=secret)
            if not poll:
                yield runtime
                return
            me = await client.get_me()
            await client.delete_webhook()
            log.info("Zalo channel polling as %s (%s)", me.get("account_name") or me.get("display_name"), me.get("id"))
            poller = ZaloPoller(channel, client, timeout=settings.zalo_poll_timeout)
            polling = asyncio.create_task(poller.run(), name="zalo-polling")
            try:
                yield runtime
            finally:
                polling.cancel()
                with contextlib.suppress(asyncio.CancelledError, ZaloError):
                    await polling
                await poller.drain(DRAIN_SECONDS)
        finally:
            await client.aclose()
