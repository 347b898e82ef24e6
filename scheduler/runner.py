"""APScheduler drives the reminder tick in each process; the database decides what is due (see service.py)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.service import ReminderService

log = logging.getLogger(__name__)


@asynccontextmanager
async def running_reminders(service: ReminderService, *, every_seconds: float) -> AsyncIterator[AsyncIOScheduler]:
    """Ticks now and then every `every_seconds`; a slow tick is never run twice at once, missed ones coalesce."""

    async def tick() -> None:
        try:
            counters = await service.tick()
        except Exception:  # the next tick tries again; nothing is lost, the outbox keeps what was planned
            log.exception("reminder tick failed")
            return
        if counters.planned or counters.sent or counters.failed:
            log.info("reminders: %s", counters)

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(tick, IntervalTrigger(seconds=every_seconds), id="reminders", max_instances=1, coalesce=True,
                      next_run_time=datetime.now(UTC))
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
