"""Runs the real reminder service against the fake Bot API on a simulated clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.adapters.telegram_sender import TelegramSender
from bot.deps import Deps
from scheduler.clock import SimulatedClock
from scheduler.limiter import SendLimiter
from scheduler.service import Counters, ReminderService
from tests.conftest import at
from tests.fakes.telegram_api import FakeTelegram


@dataclass
class ReminderRig:
    service: ReminderService
    clock: SimulatedClock
    telegram: FakeTelegram

    async def run_at(self, moment: str) -> Counters:
        """Sets the clock to an office-local time ("2023-06-26 08:00") and runs one tick."""
        self.clock.set(at(moment))
        return await self.service.tick()

    async def run_days(self, first: date, last: date, *, hour: str = "08:00") -> None:
        day = first
        while day <= last:
            await self.run_at(f"{day.isoformat()} {hour}")
            day += timedelta(days=1)

    def texts_to(self, chat_id: int) -> list[str]:
        """The texts the bot sent to a chat (photos and documents are left out)."""
        return [message["text"] for message in self.telegram.messages_to(chat_id)
                if message.get("from", {}).get("is_bot") and "text" in message]

    def reminders_to(self, chat_id: int) -> list[str]:
        """Only the reminder messages ("Nhắc việc ngày …"), not pushes such as the digest or notices."""
        return [text for text in self.texts_to(chat_id) if text.startswith(("Nhắc việc ngày", "Reminder, "))]


@asynccontextmanager
async def reminder_rig(deps: Deps, *, start: datetime, telegram: FakeTelegram | None = None,
                       per_second: float = 1000.0) -> AsyncIterator[ReminderRig]:
    """The reminder service on `deps` (its clock when simulated, so the bot and the reminders share the time),
    sending to `telegram` (already running) or to a fake started here.

    `per_second` is high by default: the simulated clock does not move while the limiter sleeps."""
    async with AsyncExitStack() as stack:
        fake = telegram if telegram is not None else await stack.enter_async_context(FakeTelegram())
        bot = await stack.enter_async_context(fake.make_bot())
        clock = deps.clock if isinstance(deps.clock, SimulatedClock) else SimulatedClock(start)
        clock.set(start)
        limiter = SendLimiter(per_second, per_chat_interval=0.0, group_interval=0.0)
        service = ReminderService(deps.sessions, deps.settings, clock, {"telegram": TelegramSender(bot)},
                                  limiter=limiter)
        yield ReminderRig(service, clock, fake)
