"""Joining with an invite code: links a channel account to a member of a unit, with a role.

An invite bound to an existing member (an admin's, or a link code from /lienket) links the account to that
member instead: the same person on another channel. See bot.services.linking for which channel reminders go to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import InviteProblem
from storage import members
from storage.audit import record_change
from storage.models import Member


@dataclass(frozen=True)
class Joined:
    """Who the code registered, and the other channels that member already had (empty for a new member)."""

    member: Member
    other_channels: tuple[str, ...] = ()


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
) -> Joined:
    """The member the code makes (or links). Refuses unknown, expired and used codes, and accounts already
    registered: with "linked_elsewhere" when the code is bound to another member than the account's.

    Linking an account on a new channel to an existing member makes that channel the one reminders go to."""
    invite = await members.get_invite(session, code=code)
    existing = await members.find_member_by_account(session, channel=channel, external_id=external_id)
    if existing is not None:
        if invite is not None and invite.member_id is not None and invite.member_id != existing.id:
            raise InviteProblem("linked_elsewhere")
        raise InviteProblem("already_member")
    if invite is None:
        raise InviteProblem("unknown")
    if invite.used_at is not None:
        raise InviteProblem("used")
    if invite.expires_at <= now:
        raise InviteProblem("expired")
    member = None
    other_channels: tuple[str, ...] = ()
    if invite.member_id is not None:
        member = await members.get_member(session, member_id=invite.member_id)
    if member is not None:
        assert member.id is not None
        accounts = await members.accounts_of(session, member_id=member.id)
        other_channels = tuple(dict.fromkeys(a.channel for a in accounts if a.channel != channel))
    else:
        member = await members.create_member(
            session, full_name=display_name or code, role=invite.role, unit_id=invite.unit_id, locale=locale
        )
    assert invite.id is not None and member.id is not None
    if not await members.claim_invite(session, invite_id=invite.id, member_id=member.id, now=now):
        raise InviteProblem("used")
    await members.link_account(session, member_id=member.id, channel=channel, external_id=external_id, chat_id=chat_id)
    if other_channels:
        member.preferred_channel = channel
        session.add(member)
    await record_change(
        session,
        actor=f"{channel}:{external_id}",
        member_id=member.id,
        action="member.joined",
        entity="member",
        entity_id=member.id,
        detail={"invite_id": invite.id, "role": member.role, "unit_id": member.unit_id,
                "channel": channel, "other_channels": list(other_channels)},
    )
    return Joined(member, other_channels)
