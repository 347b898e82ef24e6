"""The chief decides extension requests: approve (the requested date or another), or reject.

An approved request moves that unit's due date (reminders and summaries follow it); the task keeps the plan's
own date, so both are always known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import DomainError, NotAllowed
from storage import audit, extensions
from storage.models import ExtensionRequest, Member, Role, Task

MAY_DECIDE = frozenset({Role.CHIEF, Role.ADMIN})


class ExtensionProblem(DomainError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "decided" | "no_date" | "date_not_later"


def may_decide(member: Member) -> bool:
    return member.role in MAY_DECIDE


@dataclass(frozen=True)
class Decision:
    request: ExtensionRequest
    task: Task
    approved: bool
    new_due: date | None


async def decide(
    session: AsyncSession, *, member: Member, request_id: int, approve: bool, new_due: date | None, at: datetime,
    channel: str,
) -> Decision:
    if not may_decide(member):
        raise NotAllowed("extension")
    request = await extensions.get_request(session, request_id)
    task = await session.get(Task, request.task_id) if request is not None else None
    if request is None or task is None:
        raise ExtensionProblem("unknown")
    if approve:
        new_due = new_due or request.requested_due
        if new_due is None:
            raise ExtensionProblem("no_date")
        if task.due is not None and new_due <= task.due:
            raise ExtensionProblem("date_not_later")
    if not await extensions.decide(session, request_id, approve=approve, approved_due=new_due, member_id=member.id,
                                   at=at):
        raise ExtensionProblem("decided")
    await audit.record_change(session, actor=f"{channel}:{member.id}", member_id=member.id,
                              action="extension.approved" if approve else "extension.rejected", entity="task",
                              entity_id=task.id, detail={"request_id": request_id,
                                                          "approved_due": new_due.isoformat() if approve and new_due else None})
    await session.refresh(request)
    return Decision(request, task, approve, new_due if approve else None)
