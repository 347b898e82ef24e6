"""One person on several channels: link codes (/lienket) and the channel reminders go to (/kenh).

A link code is an ordinary invite bound to the member (same role and unit), short-lived; using it with
`/start CODE` on another channel links that account to the same member (bot.services.joining).

Which channel reminders go to: the member's `preferred_channel` when they have an account there, else the
channel they linked first. Linking a further channel (a link code, or an admin's invite bound to the member)
makes the new channel the preferred one, since someone who links Zalo after Telegram most likely wants to be
reminded there; the member is told so and can change it with /kenh.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import members
from storage.audit import record_change
from storage.models import ChannelAccount, Invite, Member

LINK_CODE_TTL = timedelta(minutes=30)
# The channels a member may link and choose, in the order they are shown and numbered in buttons.
CHANNELS = ("telegram", "zalo")


def reminder_channel(preferred: str | None, linked: Sequence[str], usable: Container[str] | None = None) -> str | None:
    """The channel reminders go to, among `linked` (in linking order) and, when given, only those `usable`
    (a sender is configured): the preferred one if possible, else the first linked; None when there is none."""
    candidates = [channel for channel in linked if usable is None or channel in usable]
    if preferred in candidates:
        return preferred
    return candidates[0] if candidates else None


async def create_link_code(session: AsyncSession, *, member: Member, now: datetime) -> Invite:
    """A one-time code, valid for LINK_CODE_TTL, that links another channel account to `member`."""
    assert member.id is not None
    invite = await members.create_invite(
        session, role=member.role, unit_id=member.unit_id, member_id=member.id, expires_at=now + LINK_CODE_TTL
    )
    await record_change(session, actor=f"member:{member.id}", member_id=member.id, action="invite.link_code",
                        entity="invite", entity_id=invite.id, detail={"expires_at": invite.expires_at})
    return invite


async def linked_channels(session: AsyncSession, *, member_id: int) -> list[str]:
    """The channels the member has an account on, in the order they were linked (each once)."""
    rows = await session.exec(
        select(ChannelAccount.channel).where(ChannelAccount.member_id == member_id).order_by(col(ChannelAccount.id))
    )
    return list(dict.fromkeys(rows.all()))


async def set_preferred_channel(session: AsyncSession, *, member: Member, channel: str, actor: str) -> None:
    """Reminders to `member` go to `channel` from now on (the caller checked it is linked)."""
    member.preferred_channel = channel
    session.add(member)
    await record_change(session, actor=actor, member_id=member.id, action="member.preferred_channel",
                        entity="member", entity_id=member.id, detail={"channel": channel})
