"""Who may see and change what — the only place these rules live."""

from __future__ import annotations

from collections.abc import Iterable

from bot.errors import NotAllowed
from storage.models import Member, Role, TaskUnit

SEE_EVERYTHING = frozenset({Role.CHIEF, Role.LEADERSHIP, Role.ADMIN})
MAY_REPORT = frozenset({Role.OFFICER, Role.UNIT_HEAD, Role.CHIEF, Role.ADMIN})
MAY_SUMMARISE = frozenset({Role.CHIEF, Role.LEADERSHIP, Role.ADMIN, Role.UNIT_HEAD})


def sees_everything(member: Member) -> bool:
    return member.role in SEE_EVERYTHING


def can_view_task(member: Member, links: Iterable[TaskUnit]) -> bool:
    return sees_everything(member) or any(link.unit_id == member.unit_id for link in links)


def require_view(member: Member, links: Iterable[TaskUnit]) -> None:
    if not can_view_task(member, links):
        raise NotAllowed()


def acting_link(member: Member, links: Iterable[TaskUnit]) -> TaskUnit:
    """The assignment a member reports on: their own unit's. Leadership is read-only."""
    if member.role not in MAY_REPORT or member.unit_id is None:
        raise NotAllowed()
    for link in links:
        if link.unit_id == member.unit_id:
            return link
    raise NotAllowed()


def summary_scope(member: Member) -> int | None:
    """None for the whole plan; a unit id when the member may only see their unit's part."""
    if member.role not in MAY_SUMMARISE:
        raise NotAllowed("summary")
    if member.role == Role.UNIT_HEAD:
        if member.unit_id is None:
            raise NotAllowed("summary")
        return member.unit_id
    return None
