"""Joining (/start CODE), the help text, and what strangers are told."""

from __future__ import annotations

from bot.i18n import Translator
from bot.messaging import Outgoing, Response, bold, plain
from bot.services.joining import join_with_code
from handlers.channels import channel_label
from handlers.context import Context
from storage.models import Role


def how_to_join(ctx: Context) -> Response:
    return Response(
        [
            Outgoing(
                ctx.t._(
                    "Hello! This bot follows up the tasks of the office's plans, for registered members only.\n"
                    "To join, ask the office (Văn phòng Sở) for an invite code, then send: /start CODE"
                )
            )
        ]
    )


async def start(ctx: Context, args: str) -> Response:
    code = args.strip().split()[0] if args.strip() else ""
    if ctx.member is not None and not code:
        return help_text(ctx)
    if not code:
        return how_to_join(ctx)
    joined = await join_with_code(
        ctx.session,
        code=code,
        channel=ctx.channel,
        external_id=ctx.incoming.sender_id,
        chat_id=ctx.chat_id,
        display_name=ctx.incoming.sender_name,
        locale=ctx.incoming.language_hint if ctx.incoming.language_hint in ("vi", "en") else None,
        now=ctx.incoming.received_at,
    )
    member = ctx.member = joined.member
    if joined.other_channels:  # the same person on one more channel (a /lienket code or a bound invite)
        t = ctx.t = Translator(member.locale) if member.locale else ctx.t
        here = channel_label(t, ctx.channel)
        linked = t._("Linked: this {channel} account now belongs to {name}.", channel=here,
                     name=bold(plain(member.full_name)))
        where = t._("Reminders will go to {channel}; change this with /kenh.", channel=here)
        return Response([Outgoing(linked + "\n" + where)])
    welcome = ctx.t._("Welcome, {name}! You are now registered.", name=bold(plain(member.full_name)))
    return Response([Outgoing(welcome + "\n\n" + _commands(ctx))])


_OVERSEERS = frozenset({Role.CHIEF, Role.LEADERSHIP, Role.ADMIN, Role.UNIT_HEAD})


def _commands(ctx: Context) -> str:
    t = ctx.t
    lines = [
        t._("/viec: your unit's open tasks"),
        t._("/quahan: overdue tasks"),
        t._("/nv 12: one task, its history and evidence"),
        t._("/tonghop: plan summary (chief of office, leadership)"),
    ]
    if ctx.member is not None and ctx.member.role in _OVERSEERS:
        lines += [
            t._("/nhatky [unit]: the follow-up log (reminders sent, answered or not)"),
            t._("/giahan: extension requests waiting for a decision"),
            t._("/baocao [plan] [2023-Q3]: the periodic report (.docx and .xlsx)"),
        ]
    lines += [
        t._("/lienket: link your account on another channel (Zalo or Telegram)"),
        t._("/kenh: choose the channel reminders go to"),
        t._("/lang en|vi: change language"),
        "",
        t._(
            "To report, reply in a few words, e.g. \"#12 xong\", \"đang làm 50%\", "
            "\"vướng: thiếu kinh phí\", \"xin gia hạn đến 15/6\". "
            "Send a file with the caption #12 to attach evidence."
        ),
        t._("To be reminded later, tap a button under a reminder or reply \"nhắc lại mai\"."),
    ]
    return "\n".join(lines)


def help_text(ctx: Context) -> Response:
    return Response([Outgoing(bold(ctx.t._("How to use the bot")) + "\n" + _commands(ctx))])


async def help_command(ctx: Context, args: str) -> Response:
    return help_text(ctx) if ctx.member is not None else how_to_join(ctx)
