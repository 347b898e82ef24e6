"""The numbered choices a chat was last shown, for channels without buttons (Zalo): "1" presses the first.

Core statements like storage.conversations (one per message on the hot path). The upsert touches only the
`choices` column, so it never overwrites the chat's pending state (written by the handlers) and vice versa.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Table, bindparam, select, text
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChannelAccount, Conversation, Member
from storage.types import UTCDateTime, utcnow

_conversation: Table = Conversation.__table__  # type: ignore[attr-defined]
_account: Table = ChannelAccount.__table__  # type: ignore[attr-defined]
_member: Table = Member.__table__  # type: ignore[attr-defined]

CHOICES_OF_CHAT = select(_conversation.c.choices).where(
    _conversation.c.channel == bindparam("channel"), _conversation.c.chat_id == bindparam("chat_id")
)
LOCALE_OF_CHAT = (
    select(_member.c.locale)
    .select_from(_account.join(_member, _member.c.id == _account.c.member_id))
    .where(_account.c.channel == bindparam("channel"), _account.c.chat_id == bindparam("chat_id"))
    .order_by(_account.c.id)
    .limit(1)
)
SET_CHOICES = text(
    "INSERT INTO conversation (channel, chat_id, choices, updated_at) "
    "VALUES (:channel, :chat_id, :choices, :updated_at) "
    "ON CONFLICT (channel, chat_id) DO UPDATE SET choices = excluded.choices"
).bindparams(bindparam("updated_at", type_=UTCDateTime()))


def encode_choices(actions: Sequence[str]) -> str | None:
    """The column's value for `actions` (None clears the chat's choices)."""
    return json.dumps(list(actions), ensure_ascii=False) if actions else None


def decode_choices(encoded: str | None) -> list[str]:
    """The stored actions, or [] for none or anything that is not a JSON list of strings."""
    if not encoded:
        return []
    try:
        value = json.loads(encoded)
    except ValueError:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


async def get_choices(session: AsyncSession, *, channel: str, chat_id: str) -> list[str]:
    found = await session.exec(CHOICES_OF_CHAT, params={"channel": channel, "chat_id": chat_id})  # type: ignore[call-overload]
    return decode_choices(found.scalar())


async def chat_locale(session: AsyncSession, *, channel: str, chat_id: str) -> str | None:
    """The language of the member behind a chat (None: not registered, or no choice made)."""
    found = await session.exec(LOCALE_OF_CHAT, params={"channel": channel, "chat_id": chat_id})  # type: ignore[call-overload]
    value: str | None = found.scalar()
    return value


async def set_choices(session: AsyncSession, *, channel: str, chat_id: str, actions: Sequence[str]) -> None:
    """Replaces the chat's choices (an empty list clears them), in one upsert; the caller commits."""
    params = {"channel": channel, "chat_id": chat_id, "choices": encode_choices(actions), "updated_at": utcnow()}
    await session.exec(SET_CHOICES, params=params)  # type: ignore[call-overload]
