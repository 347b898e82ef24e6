"""The reminder run: plan today's messages into the outbox, then deliver what is due. Safe in any number of
processes at once (see storage/outbox.py); APScheduler only calls `tick` periodically."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, cast, exists, literal, select, update

from bot.config import Settings
from bot.messaging import Outgoing
from bot.metrics import METRICS
from bot.services.linking import reminder_channel
from scheduler import compose
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock
from scheduler.digest import plan_digests
from scheduler.limiter import Limiter, SendLimiter, SharedSendLimiter, bot_key
from scheduler.planner import Item, Kind, People, plan_day, reminding_horizon
from scheduler.sending import Sender, TemporaryFailure, Unreachable
from scheduler.snooze import in_quiet_hours, sending_time
from storage import calendar as calendar_store
from storage import conversations, outbox, reminders
from storage import extensions as extension_store
from storage.db import Sessions, transaction
from storage.models import ChannelAccount, Member, OutboxState, ReminderItem, Role, Snooze

log = logging.getLogger(__name__)
RETRY_BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30))
LEASE_MARGIN = timedelta(seconds=5)  # at most; a quarter of the lease when it is short


@dataclass(frozen=True)
class _Prepared:
    outbox_id: int
    member_id: int
    attempts: int
    lease_until: datetime | None
    channel: str
    chat_id: str
    outgoing: Outgoing


@dataclass
class Counters:
    planned: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    retried: int = 0
    expired: int = 0

    def add(self, other: Counters) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ReminderService:
    sessions: Sessions
    settings: Settings
    clock: Clock
    senders: Mapping[str, Sender]
    limiter: Limiter | None = None  # for every channel when given; else each bot token's SharedSendLimiter
    batch: int = 200
    concurrency: int = 8  # messages prepared at once; sending is always one at a time
    # Planning reads every open task, so a process does it once a day plus every `replan_every` (for members who
    # joined and tasks imported since); the outbox's unique keys make a repeat harmless.
    replan_every: timedelta = timedelta(hours=1)
    _planned_at: datetime | None = field(default=None, init=False)
    _limiters: dict[str, Limiter] = field(default_factory=dict, init=False)

    def limiter_for(self, channel: str) -> Limiter:
        """The send-rate limiter of the bot sending on `channel`, unless one was given: on PostgreSQL, where any
        number of processes may send for the same token, shared through the database; on SQLite (one process, the
        embedded default) kept in this process, which costs no transaction per send."""
        if self.limiter is not None:
            return self.limiter
        if channel not in self._limiters:
            if self.sessions.kw["bind"].dialect.name == "sqlite":
                self._limiters[channel] = SendLimiter(self.settings.send_rate_per_second)
            else:
                token = {"telegram": self.settings.telegram_token, "zalo": self.settings.zalo_token}.get(channel)
                self._limiters[channel] = SharedSendLimiter(
                    self.sessions, key=bot_key(channel, token.get_secret_value() if token else None),
                    per_second=self.settings.send_rate_per_second)
        return self._limiters[channel]

    @property
    def quiet(self) -> tuple[time, time]:
        return self.settings.quiet_hours_start, self.settings.quiet_hours_end

    async def calendar(self) -> WorkingCalendar:
        async with self.sessions() as session:
            return WorkingCalendar(await calendar_store.overrides(session))

    # ------------------------------------------------------------------ planning

    async def plan(self, *, force: bool = False) -> Counters:
        """Today's daily runs (once per process per day, idempotent across processes) and due snoozes."""
        now = self.clock.now()
        zone = self.settings.zone
        today = now.astimezone(zone).date()
        counters = Counters()
        async with transaction(self.sessions) as session:
            counters.expired = await outbox.expire_before(session, today)
        cal = await self.calendar()
        if not cal.is_working(today):
            return counters
        planned: list[outbox.Planned] = []
        async with self.sessions() as session:
            last = self._planned_at
            due = last is None or last.astimezone(zone).date() != today or now - last >= self.replan_every
            if force or due:
                # The day's first run is "daily"; later runs only carry what is new since (new tasks, new members).
                slot = "daily" if last is None or last.astimezone(zone).date() != today else f"p{now:%H%M%S}"
                planned += await self._daily(session, today, cal, slot)
                self._planned_at = now
            planned += await self._snoozes_due(session, now, today)
            planned += await self._extension_notices(session, now, today)
            planned += await plan_digests(session, settings=self.settings, now=now, today=today, cal=cal)
        if planned:
            async with transaction(self.sessions) as session:
                counters.planned = len(await outbox.enqueue(session, planned))
        return counters

    async def _daily(self, session, today: date, cal: WorkingCalendar, slot: str) -> list[outbox.Planned]:  # type: ignore[no-untyped-def]
        zone = self.settings.zone
        default_rules, rules_of = await reminders.load_rules(session)
        remindable = reminders.Remindable(today, due_until=reminding_horizon(today, cal, default_rules, rules_of))
        assignments = await reminders.load_assignments(session, zone, remindable=remindable)
        people = People.of(await reminders.load_people(session, self.settings.reminder_time))
        history = await reminders.load_history(session, reminders.history_window(today), planning_from=today)
        start_of_day = datetime.combine(today, time(0), zone)
        # A snooze that is running at any time today holds today's reminders; its own firing says the state.
        snoozed = await reminders.snoozed_pairs(session, start_of_day)
        runs = plan_day(today, assignments, people, rules_of, cal, history, snoozed=snoozed, default_rules=default_rules)
        return [
            outbox.Planned(
                key=f"{run.member_id}:{today.isoformat()}:{slot}",
                member_id=run.member_id,
                day=today,
                send_after=datetime.combine(today, sending_time(run.at or self.settings.reminder_time, *self.quiet), zone),
                items=run.items,
            )
            for run in runs
            if run.member_id is not None
        ]

    async def _snoozes_due(self, session, now: datetime, today: date) -> list[outbox.Planned]:  # type: ignore[no-untyped-def]
        rows = (await session.exec(
            select(Snooze, Member.unit_id)
            .join(Member, Member.id == Snooze.member_id)
            .where(Snooze.until <= now, Snooze.until > now - timedelta(days=7), Member.unit_id.is_not(None),  # type: ignore[union-attr]
                   ~exists().where(ReminderItem.member_id == Snooze.member_id, ReminderItem.kind == Kind.SNOOZE,
                                   ReminderItem.period == literal("snooze:") + cast(Snooze.id, String)))
        )).all()
        if not rows:
            return []
        dues = {(a.task_id, a.unit_id): a for a in await reminders.load_assignments(session, self.settings.zone)}
        planned = []
        for snooze, unit_id in rows:
            assignment = dues.get((snooze.task_id, unit_id))
            if assignment is None or assignment.done:
                continue
            item = Item(snooze.member_id, snooze.task_id, unit_id, Kind.SNOOZE, f"snooze:{snooze.id}", assignment.due)
            planned.append(outbox.Planned(
                key=f"{snooze.member_id}:{today.isoformat()}:z{snooze.id}", member_id=snooze.member_id, day=today,
                send_after=snooze.until, items=[item],
            ))
        return planned

    async def _extension_notices(self, session, now: datetime, today: date) -> list[outbox.Planned]:  # type: ignore[no-untyped-def]
        """Each pending extension request to each chief of office, and each decision to whoever asked: once."""
        from handlers.extensions import pending_for_chiefs  # the message itself is rendered by the handler

        planned = [
            outbox.Planned(key=f"{chief}:ext:{request.id}", member_id=chief, day=today, send_after=now,
                           notice={"kind": "extension_request", "request_id": request.id})
            for chief, request in await pending_for_chiefs(session)
        ]
        for request in await extension_store.decided_since(session, now - timedelta(days=7)):
            if request.member_id is not None:
                planned.append(outbox.Planned(
                    key=f"{request.member_id}:extd:{request.id}", member_id=request.member_id, day=today,
                    send_after=now, notice={"kind": "extension_decided", "request_id": request.id}))
        return planned

    # ------------------------------------------------------------------ delivery

    async def deliver(self) -> Counters:
        """Sends every message due now, in claimed batches, until none is left. Nothing in quiet hours or on days off."""
        total = Counters()
        now = self.clock.now()
        local = now.astimezone(self.settings.zone)
        if in_quiet_hours(local.time(), *self.quiet) or not (await self.calendar()).is_working(local.date()):
            return total
        lease = timedelta(seconds=self.settings.outbox_lease_seconds)
        while True:
            async with transaction(self.sessions) as session:
                ids = await outbox.claim(session, now=self.clock.now(), limit=self.batch, lease=lease)
            if not ids:
                return total
            total.add(await self._deliver_batch(ids, local.date()))

    async def _deliver_batch(self, ids: list[int], today: date) -> Counters:
        """Messages are prepared (read and composed) `concurrency` at a time, but sent strictly one at a time, each
        send committed before the next one starts. So a crash leaves at most one message that the platform accepted
        and the outbox did not record: the only message that can ever be sent twice."""
        counters = Counters()
        ready: asyncio.Queue[_Prepared | None] = asyncio.Queue(maxsize=max(2, self.concurrency * 2))
        gate = asyncio.Semaphore(self.concurrency)

        async def prepare(outbox_id: int) -> None:
            async with gate:
                prepared = await self._prepare(outbox_id, today, counters)
            if prepared is not None:
                await ready.put(prepared)

        async def produce() -> None:
            try:
                await asyncio.gather(*(prepare(outbox_id) for outbox_id in ids))
            finally:
                await ready.put(None)

        producer = asyncio.create_task(produce())
        try:
            while (prepared := await ready.get()) is not None:
                await self._send(prepared, counters, today)
        finally:
            if not producer.done():
                producer.cancel()
            await asyncio.gather(producer, return_exceptions=True)
        return counters

    async def deliver_one(self, outbox_id: int, *, today: date) -> Counters:
        counters = Counters()
        prepared = await self._prepare(outbox_id, today, counters)
        if prepared is not None:
            await self._send(prepared, counters, today)
        return counters

    async def _prepare(self, outbox_id: int, today: date, counters: Counters) -> _Prepared | None:
        """Composes a claimed message from the state now; a message with nothing left to say is cancelled here."""
        now = self.clock.now()
        async with transaction(self.sessions) as session:
            message = await outbox.get(session, outbox_id)
            if message is None or message.state != OutboxState.PENDING:
                return None
            composed = await compose.compose(session, message, today=today, now=now,
                                             default_locale=self.settings.default_locale)
            await outbox.drop_items(session, outbox_id, composed.dropped)
            account = await self._account(session, message.member_id)
            if composed.outgoing is None:
                await outbox.mark_final(session, outbox_id, state=OutboxState.CANCELLED, error=None, at=now)
                counters.cancelled += 1
                return None
            if account is None:
                await outbox.mark_final(session, outbox_id, state=OutboxState.FAILED, error="no channel account", at=now)
                counters.failed += 1
                METRICS.reminders_failed.labels("none", "no_account").inc()
                return None
            return _Prepared(outbox_id, message.member_id, message.attempts, message.lease_until, *account,
                             composed.outgoing)

    async def _send(self, prepared: _Prepared, counters: Counters, today: date) -> None:
        limiter = self.limiter_for(prepared.channel)
        await limiter.acquire(prepared.chat_id)
        margin = min(LEASE_MARGIN, timedelta(seconds=self.settings.outbox_lease_seconds / 4))
        if prepared.lease_until is not None and self.clock.now() >= prepared.lease_until - margin:
            return  # our lease is running out: another process may claim it; it stays pending for whoever does
        try:
            message_id = await self.senders[prepared.channel].send(prepared.chat_id, prepared.outgoing)
        except Unreachable as error:
            await self._unreachable(prepared.outbox_id, prepared.member_id, str(error), today)
            counters.failed += 1
            METRICS.reminders_failed.labels(prepared.channel, "unreachable").inc()
            return
        except TemporaryFailure as error:
            if error.retry_after is not None:  # Telegram's flood control is per bot: every send waits
                limiter.pause(error.retry_after)
            backoff = RETRY_BACKOFF[max(0, min(prepared.attempts, len(RETRY_BACKOFF)) - 1)]
            wait = max(backoff, timedelta(seconds=error.retry_after or 0))
            async with transaction(self.sessions) as session:
                await outbox.retry_later(session, prepared.outbox_id, at=self.clock.now() + wait, error=str(error))
            counters.retried += 1
            METRICS.reminders_failed.labels(prepared.channel, "temporary").inc()
            return
        async with transaction(self.sessions) as session:
            await outbox.mark_sent(session, prepared.outbox_id, channel=prepared.channel, chat_id=prepared.chat_id,
                                   message_id=message_id, at=self.clock.now())
            if prepared.outgoing.task_id is not None:
                await conversations.remember_sent(session, channel=prepared.channel, chat_id=prepared.chat_id,
                                                  message_id=message_id, task_id=prepared.outgoing.task_id)
        counters.sent += 1
        METRICS.reminders_sent.labels(prepared.channel).inc()

    async def _account(self, session, member_id: int) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
        """The member's chat on their preferred channel, else on the first linked one we can send to."""
        rows = (await session.exec(
            select(ChannelAccount.channel, ChannelAccount.chat_id, Member.preferred_channel)
            .join(Member, Member.id == ChannelAccount.member_id)
            .where(ChannelAccount.member_id == member_id).order_by(ChannelAccount.id)
        )).all()
        channel = reminder_channel(rows[0][2] if rows else None, [row[0] for row in rows], self.senders)
        return next(((row[0], row[1]) for row in rows if row[0] == channel), None)

    async def _unreachable(self, outbox_id: int, member_id: int, error: str, today: date) -> None:
        """The member blocked the bot: stop planning for them and tell each chief once."""
        now = self.clock.now()
        async with transaction(self.sessions) as session:
            await outbox.mark_final(session, outbox_id, state=OutboxState.FAILED, error=error, at=now)
            result = await session.exec(
                update(Member).where(Member.id == member_id, Member.unreachable_at.is_(None)).values(unreachable_at=now)  # type: ignore[union-attr]
            )
            if not result.rowcount:
                return  # already known: the chiefs were told
            chiefs = (await session.exec(
                select(Member.id).where(Member.role == Role.CHIEF, Member.active.is_(True), Member.id != member_id)  # type: ignore[attr-defined]
            )).scalars().all()
            await outbox.enqueue(session, [
                outbox.Planned(key=f"{chief}:unreachable:{member_id}:{now.isoformat()}", member_id=chief, day=today,
                               send_after=now, notice={"kind": "unreachable", "member_id": member_id})
                for chief in chiefs
            ])
        log.warning("member %s is unreachable (%s); their reminders stop until they write again", member_id, error)

    async def tick(self) -> Counters:
        counters = await self.plan()
        counters.add(await self.deliver())
        return counters
