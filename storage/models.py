"""Tables. Times are aware UTC (`UTCDateTime`); calendar dates (due, start) are plain dates in the office's zone."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class Role(StrEnum):
    OFFICER = "officer"
    UNIT_HEAD = "unit_head"
    CHIEF = "chief"
    LEADERSHIP = "leadership"
    ADMIN = "admin"


class UnitRole(StrEnum):
    LEAD = "lead"
    COORDINATE = "coordinate"
    SUPERVISE = "supervise"


class Recurrence(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    CONTINUOUS = "continuous"


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"


class ExtensionState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def _created() -> datetime:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    short_name: str | None = Field(default=None, sa_column=Column(String(40), unique=True))
    created_at: datetime = _created()


class UnitAlias(SQLModel, table=True):
    """Another way a plan writes a unit's name; `key` is the folded form used for matching."""

    __tablename__ = "unit_alias"
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column=_fk("unit.id"))
    alias: str = Field(sa_column=Column(String(200), nullable=False))
    key: str = Field(sa_column=Column(String(200), nullable=False, unique=True))


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(sa_column=Column(String(20), nullable=False))
    unit_id: int | None = Field(default=None, sa_column=_fk("unit.id", nullable=True, ondelete="SET NULL"))
    locale: str | None = Field(default=None, sa_column=Column(String(8)))
    active: bool = True
    # Office-local time of day for this member's reminders; None means the office default.
    reminder_time: time | None = None
    # Set when a channel refused delivery (the member blocked the bot); cleared when they write again.
    unreachable_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The weekly digest: None follows the role (the chief of office gets it, leadership does not); True/False is
    # the member's own choice (/baocaotuan on|off, `dondoc member digest`).
    weekly_digest: bool | None = Field(default=None, sa_column=Column(Boolean))
    # The channel reminders go to when the member linked several (None: the first linked).
    preferred_channel: str | None = Field(default=None, sa_column=Column(String(20)))
    created_at: datetime = _created()


class ChannelAccount(SQLModel, table=True):
    """One member's identity on one channel (Telegram user id, Zalo user id, console name)."""

    __tablename__ = "channel_account"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=_fk("member.id"))
    channel: str = Field(sa_column=Column(String(20), nullable=False))
    external_id: str = Field(sa_column=Column(String(64), nullable=False))
    chat_id: str = Field(sa_column=Column(String(64), nullable=False))
    linked_at: datetime = _created()


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    role: str = Field(sa_column=Column(String(20), nullable=False))
    unit_id: int | None = Field(default=None, sa_column=_fk("unit.id", nullable=True))
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    used_by_member_id: int | None = Field(
        default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL")
    )
    created_at: datetime = _created()


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(sa_column=Column(String(60), nullable=False, unique=True))
    title: str = Field(sa_column=Column(Text, nullable=False))
    issued_on: date | None = None
    issuer: str | None = Field(default=None, sa_column=Column(String(200)))
    year: int | None = None
    created_at: datetime = _created()


class Task(SQLModel, table=True):
    """One task of a plan. Its `id` is the number officers type (`#12`, `NV12`)."""

    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("plan.id"))
    code: str = Field(sa_column=Column(String(40), nullable=False))
    title: str = Field(sa_column=Column(Text, nullable=False))
    expected_result: str | None = Field(default=None, sa_column=Column(Text))
    area: str | None = Field(default=None, sa_column=Column(String(200)))
    component: str | None = Field(default=None, sa_column=Column(String(300)))
    start: date | None = None
    due: date | None = Field(default=None, index=True)
    recurrence: str = Field(default=Recurrence.NONE, sa_column=Column(String(20), nullable=False))
    deadline_text: str | None = Field(default=None, sa_column=Column(String(200)))
    created_at: datetime = _created()
    # Set when a revised plan no longer has the task: it leaves lists and summaries, its history stays.
    removed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class TaskUnit(SQLModel, table=True):
    __tablename__ = "task_unit"
    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=_fk("task.id"))
    unit_id: int = Field(sa_column=_fk("unit.id"))
    role: str = Field(sa_column=Column(String(20), nullable=False))
    # The unit's latest status report for the task, kept by database triggers (migration 0007): never written
    # by the application. Summaries and the reminder planner read the current state here.
    latest_report_id: int | None = Field(default=None, sa_column=Column(Integer))
    latest_status: str | None = Field(default=None, sa_column=Column(String(20)))
    latest_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class StatusReport(SQLModel, table=True):
    """One status a unit reported for a task. Append-only: the latest row is the current status."""

    __tablename__ = "status_report"
    __table_args__ = (Index("ix_status_report_task_unit", "task_id", "unit_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=Column(Integer, ForeignKey("task.id", ondelete="CASCADE"), nullable=False))
    unit_id: int = Field(sa_column=_fk("unit.id"))
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    percent: int | None = None
    expected_on: date | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))
    original_text: str | None = Field(default=None, sa_column=Column(Text))
    channel: str = Field(sa_column=Column(String(20), nullable=False))
    created_at: datetime = _created()


class ExtensionRequest(SQLModel, table=True):
    """A unit asks for a later due date; the chief decides. Recorded, never applied by itself."""

    __tablename__ = "extension_request"
    __table_args__ = (Index("ix_extension_request_task_unit", "task_id", "unit_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=_fk("task.id"))
    unit_id: int = Field(sa_column=_fk("unit.id"))
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    requested_due: date | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text))
    original_text: str | None = Field(default=None, sa_column=Column(Text))
    channel: str = Field(sa_column=Column(String(20), nullable=False))
    state: str = Field(default=ExtensionState.PENDING, sa_column=Column(String(20), nullable=False))
    # The chief's decision; an approved request moves this unit's due date to `approved_due`, the task's stays.
    approved_due: date | None = None
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    decided_by_member_id: int | None = Field(
        default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL")
    )
    created_at: datetime = _created()


class Evidence(SQLModel, table=True):
    """A file linked to a task and unit. The bytes live on disk under their SHA-256, once per content."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=_fk("task.id"))
    unit_id: int = Field(sa_column=_fk("unit.id"))
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    file_name: str = Field(sa_column=Column(String(255), nullable=False))
    mime_type: str = Field(sa_column=Column(String(127), nullable=False))
    size: int
    sha256: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    channel: str = Field(sa_column=Column(String(20), nullable=False))
    created_at: datetime = _created()


class SentMessage(SQLModel, table=True):
    """Which task a bot message was about, so a reply to that message refers to the task."""

    __tablename__ = "sent_message"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "message_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_column=Column(String(20), nullable=False))
    chat_id: str = Field(sa_column=Column(String(64), nullable=False))
    message_id: str = Field(sa_column=Column(String(64), nullable=False))
    task_id: int = Field(sa_column=_fk("task.id"))
    created_at: datetime = _created()


class Conversation(SQLModel, table=True):
    """What the bot is waiting for in one chat (a file for a task, a choice among tasks)."""

    __table_args__ = (UniqueConstraint("channel", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_column=Column(String(20), nullable=False))
    chat_id: str = Field(sa_column=Column(String(64), nullable=False))
    pending: str | None = Field(default=None, sa_column=Column(Text))
    # Channels without buttons (Zalo): the actions of the numbered choices last shown, as a JSON list.
    choices: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime = _created()


class AuditEntry(SQLModel, table=True):
    """Every change, who made it, and from where."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    actor: str = Field(sa_column=Column(String(80), nullable=False))
    action: str = Field(sa_column=Column(String(60), nullable=False))
    entity: str = Field(sa_column=Column(String(40), nullable=False))
    entity_id: int | None = None
    detail: str | None = Field(default=None, sa_column=Column(Text))


class CalendarOverride(SQLModel, table=True):
    """The office's own exception to the public calendar: an extra day off, or a make-up working day."""

    __tablename__ = "calendar_override"
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(sa_column=Column(Date, nullable=False, unique=True))
    working: bool
    note: str | None = Field(default=None, sa_column=Column(String(200)))
    created_at: datetime = _created()


class ReminderPolicy(SQLModel, table=True):
    """When reminders go out for one plan; the row with no plan is the office-wide default."""

    __tablename__ = "reminder_policy"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("plan.id", ondelete="CASCADE"), unique=True))
    before_days: str = Field(default="7,3,1", sa_column=Column(String(60), nullable=False))
    on_due_day: bool = True
    overdue_every: int = 2
    escalate_head_after: int = 3
    escalate_chief_after: int = 7
    coordinate_lead_days: int = 3
    reporting_day: int = 20
    period_before_days: int = 3


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # the channel refused it for good (blocked bot, no account)
    EXPIRED = "expired"  # planned for a day that passed before it could be sent
    CANCELLED = "cancelled"  # nothing left to say (every task done before sending)


class OutboxMessage(SQLModel, table=True):
    """One planned message to one member: the unit of sending, claiming and the đôn đốc log.

    `key` makes planning idempotent across processes: `<member>:<day>:<slot>`.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_send_after", "state", "send_after"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    member_id: int = Field(sa_column=_fk("member.id"))
    day: date = Field(sa_column=Column(Date, nullable=False))
    send_after: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    state: str = Field(default=OutboxState.PENDING, sa_column=Column(String(20), nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0
    channel: str | None = Field(default=None, sa_column=Column(String(20)))
    chat_id: str | None = Field(default=None, sa_column=Column(String(64)))
    message_id: str | None = Field(default=None, sa_column=Column(String(64)))
    error: str | None = Field(default=None, sa_column=Column(String(300)))
    # A message about something other than tasks (e.g. "member X blocked the bot"), as JSON; None for reminders.
    notice: str | None = Field(default=None, sa_column=Column(Text))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = _created()


class ReminderItem(SQLModel, table=True):
    """One task in one outbox message, and why. Unique per member, task, unit, kind and period, so nothing repeats."""

    __tablename__ = "reminder_item"
    __table_args__ = (UniqueConstraint("member_id", "task_id", "unit_id", "kind", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(sa_column=_fk("outbox.id"))
    member_id: int = Field(sa_column=_fk("member.id"))
    task_id: int = Field(sa_column=_fk("task.id"))
    unit_id: int = Field(sa_column=_fk("unit.id"))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    period: str = Field(sa_column=Column(String(40), nullable=False))
    due: date | None = None
    overdue_days: int | None = None


class Snooze(SQLModel, table=True):
    """"Remind me later" for one task: no reminders about it to this member until `until`, then one."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=_fk("member.id"))
    task_id: int = Field(sa_column=_fk("task.id"))
    until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = _created()


class ProcessedUpdate(SQLModel, table=True):
    """An inbound platform update, claimed while it is handled and done once that committed (storage.updates)."""

    __tablename__ = "processed_update"
    __table_args__ = (UniqueConstraint("channel", "update_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_column=Column(String(20), nullable=False))
    update_id: str = Field(sa_column=Column(String(120), nullable=False))
    created_at: datetime = _created()
    # When a process took it on (again, if an earlier one died) and when its handling committed (None: not yet).
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class WebLink(SQLModel, table=True):
    """A signed, expiring link to the bot's web server (bot/web/): an upload form for one task and unit (used
    once), a report to download, or a chart for a platform to fetch. `token_id` is the random half of the token;
    its HMAC, never stored, is the other half."""

    __tablename__ = "web_link"
    id: int | None = Field(default=None, primary_key=True)
    token_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    purpose: str = Field(sa_column=Column(String(20), nullable=False))  # "upload" | "download" | "photo"
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True))
    task_id: int | None = Field(default=None, sa_column=_fk("task.id", nullable=True))
    unit_id: int | None = Field(default=None, sa_column=_fk("unit.id", nullable=True))
    file_path: str | None = Field(default=None, sa_column=Column(String(300)))  # relative to the links directory
    file_name: str | None = Field(default=None, sa_column=Column(String(255)))
    mime_type: str | None = Field(default=None, sa_column=Column(String(127)))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = _created()


class SendRate(SQLModel, table=True):
    """The send slots of one bot token, shared by every process (storage/send_rate.py): chat_id '' holds the
    token's next free slot and pause, other rows when a chat may next receive. `key` is the channel and a hash
    of the token, never the token. Times are seconds since the epoch on the database's clock."""

    __tablename__ = "send_rate"
    key: str = Field(sa_column=Column(String(80), primary_key=True))
    chat_id: str = Field(sa_column=Column(String(64), primary_key=True))
    next_at: float = Field(sa_column=Column(Float(), nullable=False))
    paused_until: float | None = Field(default=None, sa_column=Column(Float()))
