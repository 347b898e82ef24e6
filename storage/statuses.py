"""Status history (append-only) and extension requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.batching import defer, when_committed
from storage.models import ExtensionRequest, StatusReport, TaskUnit

_INSERT_STATUS = insert(StatusReport.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NewStatus:
    """A status just recorded. Its row may still wait for a batched commit (storage.batching), so it has no id."""

    task_id: int
    unit_id: int
    member_id: int | None
    status: str
    channel: str
    created_at: datetime
    percent: int | None = None
    expected_on: date | None = None
    note: str | None = None
    original_text: str | None = None


async def add_status(
    session: AsyncSession,
    *,
    task_id: int,
    unit_id: int,
    member_id: int | None,
    status: str,
    channel: str,
    at: datetime,
    percent: int | None = None,
    expected_on: date | None = None,
    note: str | None = None,
    original_text: str | None = None,
    on_commit: Callable[[], None] | None = None,
) -> NewStatus:
    """Appends a status report. Runs for every status reply, so it is one cached Core insert (possibly batched
    with other events' rows), not an ORM object and a flush. `on_commit` runs once the row is committed."""
    report = NewStatus(task_id=task_id, unit_id=unit_id, member_id=member_id, status=status, channel=channel,
                       created_at=at, percent=percent, expected_on=expected_on, note=note, original_text=original_text)
    deferred = await defer(session, _INSERT_STATUS, dict(vars(report)), on_commit)
    if not deferred and on_commit is not None:
        when_committed(session, on_commit)
    return report


async def latest_statuses(
    session: AsyncSession, *, unit_id: int | None = None, task_id: int | None = None
) -> dict[tuple[int, int], StatusReport]:
    """The current status of each (task, unit) pair: its latest report, which its task_unit row points to."""
    query = select(StatusReport).join(TaskUnit, col(TaskUnit.latest_report_id) == StatusReport.id)
    if unit_id is not None:
        query = query.where(TaskUnit.unit_id == unit_id)
    if task_id is not None:
        query = query.where(TaskUnit.task_id == task_id)
    rows = await session.exec(query)
    return {(row.task_id, row.unit_id): row for row in rows.all()}


async def status_history(session: AsyncSession, *, task_id: int, limit: int = 20) -> list[StatusReport]:
    """Newest first."""
    rows = await session.exec(
        select(StatusReport).where(StatusReport.task_id == task_id).order_by(col(StatusReport.id).desc()).limit(limit)
    )
    return list(rows.all())


async def add_extension_request(
    session: AsyncSession,
    *,
    task_id: int,
    unit_id: int,
    member_id: int | None,
    requested_due: date | None,
    reason: str | None,
    original_text: str | None,
    channel: str,
    at: datetime,
) -> ExtensionRequest:
    request = ExtensionRequest(
        task_id=task_id,
        unit_id=unit_id,
        member_id=member_id,
        requested_due=requested_due,
        reason=reason,
        original_text=original_text,
        channel=channel,
        created_at=at,
    )
    session.add(request)
    await session.flush()
    return request


async def extension_requests(session: AsyncSession, *, task_id: int | None = None) -> list[ExtensionRequest]:
    query = select(ExtensionRequest)
    if task_id is not None:
        query = query.where(ExtensionRequest.task_id == task_id)
    return list((await session.exec(query.order_by(col(ExtensionRequest.id)))).all())
