"""`dondoc webhook set|delete|info [--channel telegram|zalo|all]`: the webhook registrations of the channels."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import Settings


def _channels(args: argparse.Namespace, settings: Settings) -> list[str] | None:
    from bot.webhooks import configured_channels

    configured = configured_channels(settings)
    if args.channel == "all":
        if not configured:
            print("error: neither TELEGRAM_TOKEN nor ZALO_TOKEN is set", file=sys.stderr)
            return None
        return configured
    if args.channel not in configured:
        print(f"error: {args.channel.upper()}_TOKEN is not set", file=sys.stderr)
        return None
    return [args.channel]


def _redacted(error: Exception, settings: Settings) -> str:
    text = str(error) or type(error).__name__
    for secret in (settings.telegram_token, settings.zalo_token, settings.telegram_webhook_secret,
                   settings.zalo_webhook_secret):
        if secret is not None and secret.get_secret_value():
            text = text.replace(secret.get_secret_value(), "***")
    return text


async def _each(args: argparse.Namespace, settings: Settings, action: str) -> int:
    from telegram.error import TelegramError

    from bot.adapters.zalo_client import ZaloError
    from bot.webhooks import WebhookSettingsError, delete_webhook, set_webhook, webhook_info

    channels = _channels(args, settings)
    if channels is None:
        return 2
    status = 0
    for channel in channels:
        try:
            if action == "set":
                print(f"{channel}: webhook set to {await set_webhook(settings, channel)}")
            elif action == "delete":
                await delete_webhook(settings, channel)
                print(f"{channel}: webhook deleted (updates are polled again)")
            else:
                print("\n".join((await webhook_info(settings, channel)).lines()))
        except WebhookSettingsError as error:
            print(f"error: {channel}: {error}", file=sys.stderr)
            status = 2
        except (TelegramError, ZaloError) as error:
            print(f"error: {channel}: {_redacted(error, settings)}", file=sys.stderr)
            status = 1
    return status


async def cmd_webhook_set(args: argparse.Namespace, settings: Settings) -> int:
    return await _each(args, settings, "set")


async def cmd_webhook_delete(args: argparse.Namespace, settings: Settings) -> int:
    return await _each(args, settings, "delete")


async def cmd_webhook_info(args: argparse.Namespace, settings: Settings) -> int:
    return await _each(args, settings, "info")


def add_webhook_command(sub: Any) -> None:
    """Adds `dondoc webhook …` to the top-level subparsers."""
    webhook = sub.add_parser("webhook", help="webhook registrations of Telegram and Zalo").add_subparsers(
        dest="webhook_command", required=True)
    for name, runner, text in (
        ("set", cmd_webhook_set, "register PUBLIC_BASE_URL/webhook/<channel> with the channel's secret"),
        ("delete", cmd_webhook_delete, "remove the webhook (updates are then polled: `dondoc run` without --webhook)"),
        ("info", cmd_webhook_info, "the webhook's URL, pending update count and last error, per channel"),
    ):
        parser = webhook.add_parser(name, help=text)
        parser.set_defaults(runner=runner)
        parser.add_argument("--channel", choices=["telegram", "zalo", "all"], default="all",
                            help="which channel (default: every channel whose token is set)")
