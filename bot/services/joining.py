"""Joining with an invite code: links a channel account to a member of a unit, with a role."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import InviteProblem
from storage import members
from storage.audit import record_change
from storage.models import Member


async def join_with_code(
    session: AsyncSession,
    *,
    code: str,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str,
    locale: str | None,
    now: datetime,
) -> Member:
    """The member the code makes (or links). Refuses unknown, expired and used codes, and existing members."""
    if await members.find_member_by_account(session, channel=channel, external_id=external_id) is not None:
        raise InviteProblem("already_member")
    invite = await members.get_invite(session, code=code)
    if invite is None:
        raise InviteProblem("unknown")
    if invite.used_at is not None:
        raise InviteProblem("used")
    if invite.expires_at <= now:
        raise InviteProblem("expired")
    member = None
    if invite.member_id is not None:
        member = await members.get_member(session, member_id=invite.member_id)
    if member is None:
        member = await members.create_member(
            session, full_name=display_name or code, role=invite.role, unit_id=invite.unit_id, locale=locale
        )
    assert invite.id is not None and member.id is not None
    if not await members.claim_invite(session, invite_id=invite.id, member_id=member.id, now=now):
        raise InviteProblem("used")
    await members.link_account(session, member_id=member.id, channel=channel, external_id=external_id, chat_id=chat_id)
    await record_change(
        session,
        actor=f"{channel}:{external_id}",
        member_id=member.id,
        action="member.joined",
        entity="member",
        entity_id=member.id,
        detail={"invite_id": invite.id, "role": member.role, "unit_id": member.unit_id},
    )
    return member
