"""`dondoc shell`: the console channel wired to the same conversation logic, as one member."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.adapters.console import CHANNEL, ConsoleChannel, run_console
from bot.app import conversation, open_deps
from bot.config import Settings
from bot.demo import load_demo
from storage import members, units
from storage.db import transaction
from storage.keys import name_key
from storage.models import Member


class NoSuchMember(Exception):
    pass


async def pick_member(session: AsyncSession, speaker: str | None, fallback: Member | None) -> Member:
    """The member named by id or (part of) a name, or the fallback."""
    if speaker is None:
        if fallback is None:
            raise NoSuchMember("say who you are with --as MEMBER (id or name); see `dondoc member list`")
        return fallback
    if speaker.isdigit():
        member = await members.get_member(session, member_id=int(speaker))
        if member is not None:
            return member
    wanted = name_key(speaker)
    found = [member for member in await members.list_members(session) if wanted in name_key(member.full_name)]
    if len(found) != 1:
        raise NoSuchMember(f"{len(found)} members match {speaker!r}; use the id from `dondoc member list`")
    return found[0]


async def run_shell(settings: Settings, *, speaker: str | None, demo: bool) -> int:
    async with open_deps(settings) as deps:
        async with transaction(deps.sessions) as session:
            fallback = None
            if demo:
                now = datetime.now(UTC)
                people = await load_demo(session, today=now.astimezone(settings.zone).date(), now=now)
                fallback = people[0]
            try:
                member = await pick_member(session, speaker, fallback)
            except NoSuchMember as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            assert member.id is not None
            await members.link_account(session, member_id=member.id, channel=CHANNEL, external_id=str(member.id),
                                       chat_id=str(member.id))
            unit = await units.get_unit(session, unit_id=member.unit_id) if member.unit_id else None
        where = f", {unit.name}" if unit else ""
        interactive = sys.stdin.isatty()
        if interactive:
            print(f"Đôn Đốc console: you are {member.full_name} ({member.role}{where}). "
                  "Type /help, a number to press a button, /quit to leave.\n")
        channel = ConsoleChannel(handle=conversation(deps), sender_id=str(member.id), sender_name=member.full_name,
                                 styled=sys.stdout.isatty())
        await run_console(channel, sys.stdin, prompt="> ")
    return 0
