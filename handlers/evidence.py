"""Evidence files: received with a caption #12, as a reply to a task message, or after "Send evidence"."""

from __future__ import annotations

import logging
from typing import Any

from bot import callbacks
from bot.channels import capabilities
from bot.errors import EvidenceRejected
from bot.messaging import AttachmentTooBig, Button, Outgoing, Response, bold, plain
from bot.services import access
from bot.services.evidence_store import accepted_type, sanitise_file_name
from bot.services.tasks import load_task, open_tasks, task_detail
from bot.understanding import read_reply
from handlers import pending
from handlers.context import Context
from handlers.render import short, task_heading
from handlers.status import CHOICES_SHOWN, apply, referenced_task
from handlers.tasks import parse_task_id
from storage import evidence as evidence_rows
from storage.audit import record_change

log = logging.getLogger(__name__)


def _fallback_name(ctx: Context, kind: str) -> str:
    stamp = ctx.incoming.received_at.astimezone(ctx.deps.settings.zone).strftime("%Y%m%d-%H%M%S")
    return f"photo-{stamp}.jpg" if kind == "photo" else f"file-{stamp}"


async def receive_file(ctx: Context) -> Response:
    """Validates, stores once by content, and links the file to the task it is about (asking when unclear)."""
    attachment = ctx.incoming.attachment
    assert attachment is not None
    limit = ctx.deps.settings.evidence_max_bytes
    file_name = sanitise_file_name(attachment.file_name, fallback=_fallback_name(ctx, attachment.kind))
    mime_type = "image/jpeg" if attachment.kind == "photo" else accepted_type(file_name, attachment.mime_type)
    if mime_type is None:
        raise EvidenceRejected("type")
    if attachment.size is not None and attachment.size > limit:
        raise EvidenceRejected("too_big")
    caption = read_reply(ctx.incoming.text, today=ctx.today) if ctx.incoming.text else None
    state = await pending.load(ctx)
    task_id = await referenced_task(ctx, caption.task if caption else None, state)
    if task_id is not None:
        _, links = await load_task(ctx.session, task_id=task_id)
        access.acting_link(ctx.registered(), links)  # refuse before downloading anything
    try:
        content = await attachment.fetch()
    except AttachmentTooBig as error:
        raise EvidenceRejected("too_big") from error
    if not content:
        raise EvidenceRejected("empty")
    if len(content) > limit:
        raise EvidenceRejected("too_big")
    try:
        stored = await ctx.deps.evidence.save(content)
    except OSError as error:
        log.error("evidence store could not keep a file from %s:%s: %r", ctx.channel, ctx.incoming.sender_id, error)
        if task_id is not None and caption is not None and caption.intent in ("status", "extension"):
            # The words still count: the status is recorded, only the file must be sent again.
            recorded = await apply(ctx, task_id, caption, ctx.incoming.text)
            lost = ctx.t._("The file could not be saved right now (a storage problem on our side); please send the "
                           "file again later. Your update below was recorded.")
            return Response([Outgoing(lost, task_id=task_id), *recorded.messages])
        raise EvidenceRejected("storage") from error
    file = {"sha256": stored.sha256, "size": stored.size, "name": file_name, "mime": mime_type}
    if task_id is None:
        return await _ask_which_task(ctx, file)
    response = await attach_stored(ctx, task_id, file)
    if caption is not None and caption.intent in ("status", "extension"):
        extra = await apply(ctx, task_id, caption, ctx.incoming.text)
        return Response([*response.messages, *extra.messages])
    return response


async def _ask_which_task(ctx: Context, file: dict[str, Any]) -> Response:
    lines = await open_tasks(ctx.session, member=ctx.registered(), today=ctx.today)
    await pending.save(ctx, "choose_file", file=file)
    buttons = [
        [Button(f"#{line.task.id} {short(line.task.title, 28)}", callbacks.encode("choose_task", line.task.id or 0))]
        for line in lines[:CHOICES_SHOWN]
    ]
    text = ctx.t._("File {name} received. Which task is it evidence for? Tap one, or reply with #12.", name=plain(file["name"]))
    return Response([Outgoing(text, buttons=buttons)])


async def attach_stored(ctx: Context, task_id: int, file: dict[str, Any]) -> Response:
    """Links an already stored file to a task for the member's unit."""
    member = ctx.registered()
    task, links = await load_task(ctx.session, task_id=task_id)
    link = access.acting_link(member, links)
    row = await evidence_rows.add_evidence(
        ctx.session, task_id=task_id, unit_id=link.unit_id, member_id=member.id, file_name=file["name"],
        mime_type=file["mime"], size=file["size"], sha256=file["sha256"], channel=ctx.channel,
        at=ctx.incoming.received_at,
    )
    await record_change(
        ctx.session, actor=f"{ctx.channel}:member:{member.id}", member_id=member.id, action="evidence.added",
        entity="task", entity_id=task_id, detail={"evidence_id": row.id, "sha256": row.sha256, "size": row.size},
    )
    await pending.save(ctx, "focus", task=task_id)
    size = ctx.t._("{kb} KB", kb=ctx.t.number(max(1, round(row.size / 1024))))
    text = ctx.t._("Evidence saved for {task}: {name} ({size}).", task=f"#{task.id}", name=plain(row.file_name), size=size)
    return Response([Outgoing(f"{task_heading(task)}\n{text}", task_id=task.id)])


async def ask_for_file(ctx: Context, task_id: int) -> Response:
    _, links = await load_task(ctx.session, task_id=task_id)
    link = access.acting_link(ctx.registered(), links)
    await pending.save(ctx, "evidence", task=task_id)
    if not capabilities(ctx.channel).receives_documents:
        return await _upload_link(ctx, task_id, link.unit_id)
    text = ctx.t._(
        "Send the evidence file for #{id} now (PDF, Word, Excel, PowerPoint, image or ZIP, up to {mb} MB).",
        id=task_id, mb=ctx.t.number(ctx.deps.settings.evidence_max_bytes // (1024 * 1024)),
    )
    return Response([Outgoing(text, task_id=task_id)])


async def _upload_link(ctx: Context, task_id: int, unit_id: int) -> Response:
    """On a channel that cannot hand the bot a document: photos still come in the chat; a document goes through
    a personal, one-time upload page (bot/web), when the web server is reachable."""
    t = ctx.t
    photos = t._("A photo of the evidence can be sent here in the chat, for #{id}.", id=task_id)
    if ctx.deps.links is None:
        unavailable = t._("Documents (PDF, Word, Excel…) cannot be received on this channel, and upload links are "
                          "not set up on this server: please send the file on Telegram, or ask the office.")
        return Response([Outgoing(f"{photos}\n{unavailable}", task_id=task_id)])
    url = await ctx.deps.links.upload_url(member_id=ctx.registered().id or 0, task_id=task_id, unit_id=unit_id)
    hours = ctx.deps.settings.upload_link_hours
    document = t._("For a document (PDF, Word, Excel, PowerPoint or ZIP, up to {mb} MB), open this personal link "
                   "on your phone, choose the file and send it. The link works once, for {hours} hours:",
                   mb=t.number(ctx.deps.settings.evidence_max_bytes // (1024 * 1024)), hours=t.number(hours))
    return Response([Outgoing(f"{photos}\n{document}\n{url}", task_id=task_id)])


async def unsupported(ctx: Context, kind: str) -> Response:
    """Something the channel could not hand over (Zalo: a sticker, a voice note, or a document)."""
    if kind != "file":
        return Response([Outgoing(ctx.t._(
            "Sorry, I can only read text messages and photos here. Please write your update in a few words, "
            "e.g. \"#12 xong\"."))])
    state = await pending.load(ctx)
    task_id = await referenced_task(ctx, None, state)
    if task_id is not None:
        return await ask_for_file(ctx, task_id)
    lines = await open_tasks(ctx.session, member=ctx.registered(), today=ctx.today)
    if not lines:
        return Response([Outgoing(ctx.t._("Your unit has no open tasks."))])
    buttons = [[Button(f"#{line.task.id} {short(line.task.title, 40)}",
                       callbacks.encode("send_evidence", line.task.id or 0))] for line in lines[:CHOICES_SHOWN]]
    return Response([Outgoing(ctx.t._("Documents cannot be received in this chat. Which task is the file for? "
                                      "I will send you a link to upload it."), buttons=buttons)])


async def list_evidence(ctx: Context, task_id: int) -> Response:
    detail = await task_detail(ctx.session, member=ctx.registered(), task_id=task_id)
    t = ctx.t
    if not detail.evidence:
        return Response([Outgoing(t._("No evidence yet for #{id}.", id=task_id), task_id=task_id)])
    zone = ctx.deps.settings.zone
    lines = [task_heading(detail.task), bold(t._("Evidence ({n})", n=t.number(len(detail.evidence))))]
    for row in detail.evidence:
        when = t.date(row.created_at.astimezone(zone).date())
        lines.append(f"• {plain(row.file_name)} · {t._('{kb} KB', kb=t.number(max(1, round(row.size / 1024))))} · {when}")
    return Response([Outgoing("\n".join(lines), task_id=task_id)])


async def evidence_command(ctx: Context, args: str) -> Response:
    task_id = parse_task_id(args)
    if task_id is None:
        return Response([Outgoing(ctx.t._("Usage: /minhchung 12 (the task number)"))])
    return await list_evidence(ctx, task_id)
