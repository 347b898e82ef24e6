"""Members, their channel accounts, and invite codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.batching import read_cache
from storage.cache import MISSING
from storage.conversations import PENDING_OF_CHAT, TASK_OF_MESSAGE, decode_pending
from storage.models import ChannelAccount, Invite, Member

# No 0/O, 1/I/L: codes are read off paper and typed on phones.
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 8


async def create_member(
    session: AsyncSession, *, full_name: str, role: str, unit_id: int | None, locale: str | None = None
) -> Member:
    member = Member(full_name=full_name.strip(), role=role, unit_id=unit_id, locale=locale)
    session.add(member)
    await session.flush()
    return member


async def get_member(session: AsyncSession, *, member_id: int) -> Member | None:
    return await session.get(Member, member_id)


async def list_members(session: AsyncSession) -> list[Member]:
    return list((await session.exec(select(Member).order_by(col(Member.id)))).all())


async def find_member_by_account(session: AsyncSession, *, channel: str, external_id: str) -> Member | None:
    """The active member behind a channel identity, or None for a stranger."""
    row = await session.exec(
        select(Member)
        .join(ChannelAccount, col(ChannelAccount.member_id) == col(Member.id))
        .where(ChannelAccount.channel == channel, ChannelAccount.external_id == external_id, col(Member.active))
    )
    return row.first()


@dataclass(frozen=True)
class Sender:
    """What every inbound event needs first: who sent it, what their chat is waiting for, and which task the
    bot message they answered is about."""

    member: Member | None
    pending: dict[str, Any] | None
    replied_task: int | None


# One round trip instead of three. Built once, so SQLAlchemy compiles it once.
_SENDER = (
    select(  # type: ignore[call-overload]
        Member,
        PENDING_OF_CHAT.scalar_subquery().label("pending"),
        TASK_OF_MESSAGE.scalar_subquery().label("replied_task"),
    )
    .join(ChannelAccount, col(ChannelAccount.member_id) == col(Member.id))
    .where(
        col(ChannelAccount.channel) == bindparam("channel"),
        col(ChannelAccount.external_id) == bindparam("external_id"),
        col(Member.active),
    )
)


async def find_sender(
    session: AsyncSession, *, channel: str, external_id: str, chat_id: str, reply_to_message_id: str | None
) -> Sender | None:
    """The active member behind a channel identity with their chat's state; None for a stranger.

    A read-only session (storage.batching) takes what it can from the ReadCache and asks the database only
    for the rest, in one query."""
    cache = read_cache(session)
    if cache is not None:
        member = cache.members.get((channel, external_id))
        pending = cache.pending.get((channel, chat_id))
        replied = cache.sent.get((channel, chat_id, reply_to_message_id)) if reply_to_message_id else None
        if member is not MISSING and pending is not MISSING and replied is not MISSING:
            return Sender(member, decode_pending(pending), replied)
    params = {"channel": channel, "external_id": external_id, "chat_id": chat_id, "message_id": reply_to_message_id}
    row = (await session.exec(_SENDER, params=params)).first()
    if row is None:
        return None
    member, pending, replied_task = row
    if cache is not None:
        cache.members.put((channel, external_id), member)
        cache.pending.put((channel, chat_id), pending)
        if replied_task is not None and reply_to_message_id:
            cache.sent.put((channel, chat_id, reply_to_message_id), replied_task)
    return Sender(member, decode_pending(pending), replied_task)


async def link_account(
    session: AsyncSession, *, member_id: int, channel: str, external_id: str, chat_id: str
) -> ChannelAccount:
    """Links (or re-links) a channel identity to a member."""
    existing = (
        await session.exec(
            select(ChannelAccount).where(ChannelAccount.channel == channel, ChannelAccount.external_id == external_id)
        )
    ).first()
    if existing is not None:
        existing.member_id, existing.chat_id = member_id, chat_id
        session.add(existing)
        await session.flush()
        return existing
    account = ChannelAccount(member_id=member_id, channel=channel, external_id=external_id, chat_id=chat_id)
    session.add(account)
    await session.flush()
    return account


async def accounts_of(session: AsyncSession, *, member_id: int) -> list[ChannelAccount]:
    rows = await session.exec(select(ChannelAccount).where(ChannelAccount.member_id == member_id))
    return list(rows.all())


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


async def create_invite(
    session: AsyncSession,
    *,
    role: str,
    unit_id: int | None,
    expires_at: datetime,
    member_id: int | None = None,
    code: str | None = None,
) -> Invite:
    invite = Invite(code=code or new_invite_code(), role=role, unit_id=unit_id, member_id=member_id, expires_at=expires_at)
    session.add(invite)
    await session.flush()
    return invite


async def get_invite(session: AsyncSession, *, code: str) -> Invite | None:
    return (await session.exec(select(Invite).where(Invite.code == code.strip().upper()))).first()


async def list_invites(session: AsyncSession) -> list[Invite]:
    return list((await session.exec(select(Invite).order_by(col(Invite.id)))).all())


async def claim_invite(session: AsyncSession, *, invite_id: int, member_id: int, now: datetime) -> bool:
    """Marks the invite used by `member_id`; False when someone else used it first (checked in the UPDATE)."""
    result = await session.exec(  # type: ignore[call-overload]
        update(Invite)
        .where(col(Invite.id) == invite_id, col(Invite.used_at).is_(None))
        .values(used_at=now, used_by_member_id=member_id)
    )
    return bool(result.rowcount == 1)


async def find_member_by_chat(session: AsyncSession, *, channel: str, chat_id: str) -> Member | None:
    """The active member whose account on `channel` talks in `chat_id` (a private chat)."""
    rows = await session.exec(
        select(Member)
        .join(ChannelAccount, col(ChannelAccount.member_id) == col(Member.id))
        .where(ChannelAccount.channel == channel, ChannelAccount.chat_id == chat_id, col(Member.active))
    )
    return rows.first()
