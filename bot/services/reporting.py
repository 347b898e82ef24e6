"""Recording what units report: statuses (history, never overwritten) and extension requests."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.metrics import METRICS
from bot.services import access
from bot.services.tasks import load_task
from storage import statuses
from storage.batching import defer
from storage.models import AuditEntry, ExtensionRequest, Member, Status, Task
from storage.statuses import NewStatus
from storage.types import utcnow


async def record_status(
    session: AsyncSession,
    *,
    member: Member,
    task_id: int,
    status: str,
    channel: str,
    at: datetime,
    percent: int | None = None,
    expected_on: date | None = None,
    note: str | None = None,
    original_text: str | None = None,
) -> tuple[Task, NewStatus]:
    """Appends a status for the member's unit on the task (refused for tasks of other units)."""
    task, links = await load_task(session, task_id=task_id)
    link = access.acting_link(member, links)
    if status == Status.DONE and percent is None:
        percent = 100
    report = await statuses.add_status(
        session,
        task_id=task_id,
        unit_id=link.unit_id,
        member_id=member.id,
        status=status,
        percent=percent,
        expected_on=expected_on,
        note=note,
        original_text=original_text,
        channel=channel,
        at=at,
        on_commit=METRICS.status_reports.labels(channel).inc,
    )
    await _audit(session, member, channel, "status.reported", task_id,
                 {"unit_id": link.unit_id, "status": status, "percent": percent})
    return task, report


async def record_extension(
    session: AsyncSession,
    *,
    member: Member,
    task_id: int,
    requested_due: date | None,
    reason: str | None,
    original_text: str | None,
    channel: str,
    at: datetime,
) -> tuple[Task, ExtensionRequest]:
    """Records a request for a later due date for the chief to decide; the due date is not changed."""
    task, links = await load_task(session, task_id=task_id)
    link = access.acting_link(member, links)
    request = await statuses.add_extension_request(
        session,
        task_id=task_id,
        unit_id=link.unit_id,
        member_id=member.id,
        requested_due=requested_due,
        reason=reason,
        original_text=original_text,
        channel=channel,
        at=at,
    )
    await _audit(session, member, channel, "extension.requested", task_id,
                 {"unit_id": link.unit_id, "requested_due": requested_due, "request_id": request.id})
    return task, request


# The audit row as one cached Core insert (what storage.audit.record_change writes, without an ORM flush), so a
# status reply's rows can be written in a batch with other events' (storage.batching).
_INSERT_AUDIT = insert(AuditEntry.__table__)  # type: ignore[attr-defined]


async def _audit(
    session: AsyncSession, member: Member, channel: str, action: str, task_id: int, detail: dict[str, Any]
) -> None:
    await defer(session, _INSERT_AUDIT, {
        "at": utcnow(), "member_id": member.id, "actor": f"{channel}:member:{member.id}", "action": action,
        "entity": "task", "entity_id": task_id, "detail": json.dumps(detail, ensure_ascii=False, default=str),
    })
