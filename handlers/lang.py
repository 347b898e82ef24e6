"""/lang en|vi: a member's language."""

from __future__ import annotations

from bot.i18n import SUPPORTED, Translator
from bot.messaging import Outgoing, Response
from handlers.context import Context
from storage.audit import record_change


async def set_language(ctx: Context, args: str) -> Response:
    member = ctx.registered()
    choice = args.strip().lower()
    if choice not in SUPPORTED:
        return Response([Outgoing(ctx.t._("Usage: /lang vi or /lang en"))])
    member.locale = choice
    ctx.session.add(member)
    await record_change(
        ctx.session, actor=f"{ctx.channel}:member:{member.id}", member_id=member.id,
        action="member.language", entity="member", entity_id=member.id, detail={"locale": choice},
    )
    ctx.t = Translator(choice)
    return Response([Outgoing(ctx.t._("Language set to English."))])
