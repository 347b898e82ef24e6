"""Webhook mode: which settings it needs, and registering, removing and describing the webhooks of Telegram and
Zalo (for `dondoc run --webhook` and `dondoc webhook set|delete|info`). Tokens and secrets are never printed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from telegram import Bot

    from bot.adapters.zalo_client import ZaloClient

CHANNELS = ("telegram", "zalo")


class WebhookSettingsError(ValueError):
    """Webhook mode was asked for without the settings it needs (the message says which)."""


def configured_channels(settings: Settings) -> list[str]:
    """The channels whose token is set, in a stable order."""
    tokens = {"telegram": settings.telegram_token, "zalo": settings.zalo_token}
    return [name for name in CHANNELS if tokens[name] is not None]


def webhook_url(settings: Settings, channel: str) -> str:
    """Where a platform delivers the channel's updates: PUBLIC_BASE_URL/webhook/<channel>."""
    assert settings.public_base_url is not None
    return f"{settings.public_base_url}/webhook/{channel}"


def check_webhook_settings(settings: Settings, channels: Sequence[str]) -> None:
    """Raises WebhookSettingsError naming every missing setting the webhooks of `channels` need."""
    missing = []
    if settings.public_base_url is None:
        missing.append("PUBLIC_BASE_URL (the address Telegram and Zalo deliver updates to)")
    if "telegram" in channels and settings.telegram_webhook_secret is None:
        missing.append("TELEGRAM_WEBHOOK_SECRET (1 to 256 characters of A-Z a-z 0-9 _ -)")
    if "zalo" in channels and settings.zalo_webhook_secret is None:
        missing.append("ZALO_WEBHOOK_SECRET (8 to 256 characters)")
    if not channels:
        missing.append("TELEGRAM_TOKEN or ZALO_TOKEN (no channel to receive webhooks for)")
    if missing:
        raise WebhookSettingsError("webhook mode needs " + "; ".join(missing))


@dataclass(frozen=True)
class WebhookInfo:
    """What a platform says about a channel's webhook; None where it does not say."""

    channel: str
    url: str  # "" when none is set (the channel is polled)
    pending_updates: int | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None

    def lines(self) -> list[str]:
        """Human-readable lines for `dondoc webhook info`."""
        lines = [f"{self.channel}: {self.url or '(no webhook: updates are polled)'}"]
        if self.pending_updates is not None:
            lines.append(f"  pending updates: {self.pending_updates}")
        if self.last_error:
            when = f" (at {self.last_error_at:%Y-%m-%d %H:%M:%S} UTC)" if self.last_error_at else ""
            lines.append(f"  last error: {self.last_error}{when}")
        else:
            lines.append("  last error: none reported")
        return lines


async def set_webhook(settings: Settings, channel: str) -> str:
    """Registers the channel's webhook at PUBLIC_BASE_URL with its secret; returns the URL."""
    check_webhook_settings(settings, [channel])
    url = webhook_url(settings, channel)
    if channel == "telegram":
        from bot.adapters.telegram_webhook import register_telegram_webhook

        assert settings.telegram_webhook_secret is not None
        async with _telegram_bot(settings) as bot:
            await register_telegram_webhook(bot, url=url, secret=settings.telegram_webhook_secret.get_secret_value())
    else:
        from bot.adapters.zalo_webhook import register_webhook

        assert settings.zalo_webhook_secret is not None
        async with _zalo_client(settings) as client:
            await register_webhook(client, url=url, secret=settings.zalo_webhook_secret.get_secret_value())
    return url


async def delete_webhook(settings: Settings, channel: str) -> None:
    """Removes the channel's webhook (updates then wait for polling); pending updates are kept."""
    if channel == "telegram":
        async with _telegram_bot(settings) as bot:
            await bot.delete_webhook(drop_pending_updates=False)
    else:
        async with _zalo_client(settings) as client:
            await client.delete_webhook()


async def webhook_info(settings: Settings, channel: str) -> WebhookInfo:
    """The platform's view of the channel's webhook (Telegram getWebhookInfo; Zalo getWebhookInfo, which reports
    only the URL)."""
    if channel == "telegram":
        async with _telegram_bot(settings) as bot:
            info = await bot.get_webhook_info()
        return WebhookInfo(channel, info.url or "", info.pending_update_count, info.last_error_message,
                           info.last_error_date.astimezone(UTC) if info.last_error_date else None)
    async with _zalo_client(settings) as client:
        result = await client.get_webhook_info()
    return WebhookInfo(channel, str(result.get("url") or ""))


@asynccontextmanager
async def _telegram_bot(settings: Settings) -> AsyncIterator[Bot]:
    """A bare `telegram.Bot` for one CLI call, initialised and shut down."""
    from telegram import Bot

    assert settings.telegram_token is not None
    async with Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_api_base_url,
                   base_file_url=settings.telegram_file_base_url) as bot:
        yield bot


@asynccontextmanager
async def _zalo_client(settings: Settings) -> AsyncIterator[ZaloClient]:
    """A ZaloClient for one CLI call, closed afterwards."""
    from bot.adapters.zalo_client import ZaloClient

    assert settings.zalo_token is not None
    client = ZaloClient(settings.zalo_token.get_secret_value(), base_url=settings.zalo_api_base_url)
    try:
        yield client
    finally:
        await client.aclose()
