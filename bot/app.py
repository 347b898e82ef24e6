"""The composition root: builds settings-driven resources once, hands them down, and closes them in reverse."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from functools import partial

from telegram.ext import Application, ApplicationBuilder

from bot.adapters.telegram_channel import TelegramChannel
from bot.adapters.telegram_sender import TelegramSender
from bot.adapters.telegram_webhook import register_telegram_webhook, telegram_webhook
from bot.adapters.zalo_runtime import running_zalo
from bot.adapters.zalo_sender import ZaloSender
from bot.adapters.zalo_webhook import register_webhook
from bot.config import Settings
from bot.deps import Deps
from bot.i18n import check_catalogs
from bot.messaging import Incoming, OutgoingFile, Response
from bot.services.evidence_store import EvidenceStore
from bot.services.links import links_from_settings
from bot.web.app import Endpoint, build_web_app
from bot.web.server import RunningWeb, running_web
from bot.webhooks import check_webhook_settings, configured_channels, webhook_url
from handlers.router import handle
from scheduler.clock import Clock, SystemClock
from scheduler.runner import running_reminders
from scheduler.sending import Sender
from scheduler.service import ReminderService
from storage import conversations, members
from storage.db import create_engine, session_factory
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@asynccontextmanager
async def open_deps(settings: Settings, *, migrate: bool = True, clock: Clock | None = None) -> AsyncIterator[Deps]:
    """Engine (migrated to the newest schema), sessions and the evidence store; disposed on exit."""
    check_catalogs()
    engine = create_engine(settings.database_url)
    try:
        if migrate:
            await upgrade(engine)
        sessions, evidence, clock = session_factory(engine), EvidenceStore(settings.evidence_dir), clock or SystemClock()
        links = links_from_settings(settings, sessions=sessions, evidence=evidence, clock=clock)
        yield Deps(settings=settings, sessions=sessions, evidence=evidence, clock=clock, links=links)
    finally:
        await engine.dispose()


def conversation(deps: Deps) -> Callable[[Incoming], Awaitable[Response]]:
    """The channel-neutral entry point, bound to its dependencies."""

    async def run(incoming: Incoming) -> Response:
        return await handle(deps, incoming)

    return run


async def remember_sent(deps: Deps, channel: str, chat_id: str, message_id: str, task_id: int) -> None:
    """Stores which task a sent message is about, committed with other events' rows (storage.batching) before
    it returns: a reply to the message that arrives next finds it."""
    row = conversations.remembering_sent(
        channel=channel, chat_id=chat_id, message_id=message_id, task_id=task_id, cache=deps.sessions.cache
    )
    await deps.sessions.writer.commit([row])


def settle_heap() -> None:
    """Once the bot has started (once per process): everything built so far lives as long as the process, so the
    cyclic garbage collector stops scanning it. A full collection over it took about 100 ms on the event loop,
    stalling every reply in flight (it made the p99 latency of bench/throughput.py)."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def telegram_channel(deps: Deps) -> TelegramChannel:
    return TelegramChannel(
        handle=conversation(deps),
        remember=partial(remember_sent, deps, "telegram"),
        default_locale=deps.settings.default_locale,
        on_started=settle_heap,
    )


def build_telegram(deps: Deps, channel: TelegramChannel | None = None) -> Application:  # type: ignore[type-arg]
    settings = deps.settings
    assert settings.telegram_token is not None
    channel = channel or telegram_channel(deps)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .get_updates_read_timeout(settings.telegram_poll_timeout + 10)
    )
    return channel.build(builder)


@asynccontextmanager
async def running_telegram(
    deps: Deps, *, channel: TelegramChannel | None = None, poll: bool = True
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Our Telegram Application, started and polling (unless not `poll`: webhook mode); stopped and shut down on
    exit."""
    async with running_application(build_telegram(deps, channel), poll_timeout=deps.settings.telegram_poll_timeout,
                                   poll=poll) as app:
        yield app


@asynccontextmanager
async def running_application(
    application: Application, *, poll_timeout: int, poll: bool = True  # type: ignore[type-arg]
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Any PTB Application, started and long-polling (without `poll`, started only: a webhook feeds it); its
    lifecycle hooks run as run_polling would run them."""
    await application.initialize()
    try:
        # PTB runs these hooks only from run_polling/run_webhook; we drive the lifecycle ourselves.
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        if poll:
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=poll_timeout, drop_pending_updates=False)
        yield application
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


@asynccontextmanager
async def running_web_server(
    deps: Deps, *, webhooks: Mapping[str, Endpoint] | None = None
) -> AsyncIterator[RunningWeb | None]:
    """The web server for upload/download links, chart URLs, webhooks and health checks, in this process and event
    loop, when PUBLIC_BASE_URL says where users reach it (no separate flag: without that address links are useless)
    or a channel needs webhooks; None when neither."""
    if deps.settings.public_base_url is None and not webhooks:
        yield None
        return
    app = build_web_app(deps, webhooks=webhooks or {})
    async with running_web(app, host=deps.settings.web_host, port=deps.settings.web_port) as server:
        yield server


async def run_bot(settings: Settings) -> None:
    """`dondoc run`: every configured channel until SIGINT/SIGTERM. In webhook mode (WEBHOOK_MODE) Telegram and
    Zalo deliver to the web server; WebhookSettingsError, before anything starts, when a setting it needs is missing."""
    if settings.webhook_mode:
        check_webhook_settings(settings, configured_channels(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with open_deps(settings) as deps, AsyncExitStack() as running:
        senders: dict[str, Sender] = {}
        webhooks: dict[str, Endpoint] = {}
        if settings.telegram_token is not None:
            channel = telegram_channel(deps)
            application = await running.enter_async_context(
                running_telegram(deps, channel=channel, poll=not settings.webhook_mode))
            log.info("Telegram channel running as @%s", application.bot.username)
            senders["telegram"] = TelegramSender(application.bot)
            if settings.webhook_mode:
                assert settings.telegram_webhook_secret is not None
                webhooks["telegram"] = telegram_webhook(
                    channel, application, deps.sessions, settings.telegram_webhook_secret.get_secret_value(),
                    lease=timedelta(seconds=settings.update_claim_lease_seconds))
        zalo_webhook = settings.zalo_webhook_secret is not None and settings.public_base_url is not None
        if settings.zalo_token is not None:
            zalo = await running.enter_async_context(running_zalo(
                deps, conversation(deps), remember=partial(remember_sent, deps, "zalo"),
                publish_photo=deps.links.photo_url if deps.links else None,
                link_file=partial(download_link_for_chat, deps, "zalo") if deps.links else None,
                poll=not zalo_webhook))
            senders["zalo"] = ZaloSender(zalo.delivery)
            if zalo_webhook:
                webhooks["zalo"] = zalo.webhook()
        await running.enter_async_context(running_web_server(deps, webhooks=webhooks))
        if "telegram" in webhooks:  # only once our endpoint answers: Telegram delivers what waits at once
            assert settings.telegram_webhook_secret is not None
            await register_telegram_webhook(application.bot, url=webhook_url(settings, "telegram"),
                                            secret=settings.telegram_webhook_secret.get_secret_value())
            log.info("Telegram channel receiving webhooks at %s", webhook_url(settings, "telegram"))
        if "zalo" in webhooks:  # only once our endpoint answers: Zalo may deliver at once
            assert settings.public_base_url is not None and settings.zalo_webhook_secret is not None
            await register_webhook(zalo.client, url=f"{settings.public_base_url}/webhook/zalo",
                                   secret=settings.zalo_webhook_secret.get_secret_value())
            log.info("Zalo channel receiving webhooks at %s/webhook/zalo", settings.public_base_url)
        if not settings.reminders_enabled:
            await stop.wait()
            return
        service = ReminderService(deps.sessions, settings, deps.clock, senders)
        async with running_reminders(service, every_seconds=settings.reminder_tick_seconds):
            await stop.wait()


async def download_link_for_chat(deps: Deps, channel: str, chat_id: str, file: OutgoingFile) -> str:
    """A file for a chat whose channel cannot carry documents: a download link bound to the chat's member."""
    assert deps.links is not None
    async with deps.sessions() as session:
        member = await members.find_member_by_chat(session, channel=channel, chat_id=chat_id)
    if member is None or member.id is None:
        raise LookupError(f"no member talks in {channel} chat {chat_id}")
    return await deps.links.download_url(member_id=member.id, file=file)
