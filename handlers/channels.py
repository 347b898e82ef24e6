"""One person, two channels: /lienket gives a code to link another channel's account to this member; /kenh shows the
linked channels and chooses the one reminders go to (the rule is in bot.services.linking)."""

from __future__ import annotations

from bot import callbacks
from bot.i18n import Translator
from bot.messaging import Button, Outgoing, Response, bold
from bot.services.linking import (
    CHANNELS,
    LINK_CODE_TTL,
    create_link_code,
    linked_channels,
    reminder_channel,
    set_preferred_channel,
)
from handlers.context import Context

# What a member may type after /kenh for each channel (folded: lower case, no diacritics needed).
_NAMES = {"telegram": "telegram", "tele": "telegram", "tg": "telegram", "zalo": "zalo"}


def channel_label(t: Translator, channel: str) -> str:
    """A channel's name as users know it (the console and test channels keep their own)."""
    if channel == "console":
        return t._("Console")
    return {"telegram": "Telegram", "zalo": "Zalo"}.get(channel, channel)  # names, the same in every language


def _other_channels(channel: str) -> list[str]:
    return [other for other in CHANNELS if other != channel]


async def link_command(ctx: Context, args: str) -> Response:
    """/lienket: a one-time code (LINK_CODE_TTL) that links the member's account on another channel."""
    member = ctx.registered()
    t = ctx.t
    invite = await create_link_code(ctx.session, member=member, now=ctx.incoming.received_at)
    minutes = int(LINK_CODE_TTL.total_seconds() // 60)
    lines = [
        t._("Your link code: {code}", code=bold(invite.code)),
        t._("It works once, within {minutes} minutes.", minutes=t.number(minutes)),
    ]
    for other in _other_channels(ctx.channel):
        lines.append(t._("On {channel}, send to this bot: /start {code}", channel=channel_label(t, other),
                         code=invite.code))
        username = ctx.deps.settings.telegram_bot_username
        if other == "telegram" and username:
            lines.append(t._("or open: {link}", link=f"https://t.me/{username.lstrip('@')}?start={invite.code}"))
    lines.append(t._("Do not share this code: whoever uses it acts in your name."))
    return Response([Outgoing("\n".join(lines))])


async def channel_command(ctx: Context, args: str) -> Response:
    """/kenh: the linked channels and where reminders go, with a choice; /kenh zalo|telegram chooses."""
    choice = args.strip().lower()
    if not choice:
        return await _show(ctx)
    channel = _NAMES.get(choice)
    if channel is None:
        return Response([Outgoing(ctx.t._("Usage: /kenh zalo or /kenh telegram"))])
    return await _choose(ctx, channel)


async def press(ctx: Context, index: int) -> Response:
    """The button of one channel under /kenh (its index in CHANNELS)."""
    if not 0 <= index < len(CHANNELS):
        return Response(notice=ctx.t._("This button is no longer valid."))
    return await _choose(ctx, CHANNELS[index])


async def _show(ctx: Context) -> Response:
    member = ctx.registered()
    assert member.id is not None
    t = ctx.t
    linked = await linked_channels(ctx.session, member_id=member.id)
    current = reminder_channel(member.preferred_channel, linked)
    names = ", ".join(channel_label(t, channel) for channel in linked)
    lines = [t._("Your linked channels: {channels}", channels=names)]
    if current is not None:
        lines.append(t._("Reminders go to: {channel}", channel=bold(channel_label(t, current))))
    choosable = [channel for channel in CHANNELS if channel in linked]
    buttons: list[list[Button]] = []
    if len(choosable) > 1:
        lines.append(t._("Choose where reminders go:"))
        buttons = [[Button(("✓ " if channel == current else "") + channel_label(t, channel),
                           callbacks.encode("set_channel", CHANNELS.index(channel))) for channel in choosable]]
    missing = [channel for channel in CHANNELS if channel not in linked]
    if missing:
        lines.append(t._("To use {channel} too, send /lienket and follow the steps.",
                         channel=channel_label(t, missing[0])))
    return Response([Outgoing("\n".join(lines), buttons=buttons)])


async def _choose(ctx: Context, channel: str) -> Response:
    member = ctx.registered()
    assert member.id is not None
    t = ctx.t
    if channel not in await linked_channels(ctx.session, member_id=member.id):
        text = t._("{channel} is not linked to your account yet. Send /lienket to get a link code.",
                   channel=channel_label(t, channel))
    else:
        if member.preferred_channel != channel:
            await set_preferred_channel(ctx.session, member=member, channel=channel,
                                        actor=f"{ctx.channel}:member:{member.id}")
        text = t._("Done: reminders will go to {channel}.", channel=channel_label(t, channel))
    return Response([Outgoing(text)])
