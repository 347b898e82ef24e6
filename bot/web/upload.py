"""GET and POST /u/{token}: the page where an officer picks an evidence file on the phone, and its upload."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response

from bot.deps import Deps
from bot.errors import NotAllowed, TaskNotFound
from bot.i18n import Translator
from bot.services import access
from bot.services.links import UPLOAD, LinkRefused, Links
from bot.services.tasks import load_task
from bot.web import pages
from bot.web.receive import UploadRefused, receiving_file
from storage import members, units
from storage.models import Member, Task, Unit, WebLink

log = logging.getLogger(__name__)

FIELD = "file"
SPOOL = ".uploads"  # temporary upload files, beside the link files: on the evidence volume, not in a small /tmp
# Multipart framing around the file (boundaries, part headers) that a Content-Length may add to the limit.
FRAMING_BYTES = 64 * 1024
STATUS = {
    "too_big": 413, "type": 415, "empty": 400, "no_file": 400, "malformed": 400, "storage": 503,
    "expired": 410, "used": 410, "unknown": 404, "not_allowed": 403,
}


@dataclass(frozen=True)
class _Target:
    """What an upload link points at, read once per request."""

    link: WebLink
    member: Member
    task: Task
    unit: Unit
    t: Translator

    @property
    def task_ref(self) -> str:
        return f"#{self.task.id} · {self.task.code}"


class UploadPages:
    def __init__(self, deps: Deps, links: Links) -> None:
        self.deps = deps
        self.links = links
        self.max_bytes = deps.settings.evidence_max_bytes

    def _problem(self, t: Translator, kind: str) -> HTMLResponse:
        html = pages.problem(t, kind, max_bytes=self.max_bytes)
        headers = {"Connection": "close"} if kind in ("too_big", "type") else None
        return HTMLResponse(html.text, status_code=STATUS[kind], headers=headers)

    async def _target(self, token: str) -> _Target | HTMLResponse:
        """The link's member, task and unit, or the page saying why the link cannot be used."""
        default = Translator(self.deps.settings.default_locale)
        link = await self.links.open(UPLOAD, token)
        if link is None or link.member_id is None or link.task_id is None or link.unit_id is None:
            return self._problem(default, "unknown")
        async with self.deps.sessions() as session:
            member = await members.get_member(session, member_id=link.member_id)
            unit = await units.get_unit(session, unit_id=link.unit_id)
            try:
                task, assignments = await load_task(session, task_id=link.task_id)
            except TaskNotFound:
                return self._problem(default, "unknown")
        if member is None or unit is None:
            return self._problem(default, "unknown")
        t = Translator(member.locale or self.deps.settings.default_locale)
        state = self.links.state(link)
        if state != "ok":
            return self._problem(t, state)
        try:
            allowed = member.active and access.acting_link(member, assignments).unit_id == link.unit_id
        except NotAllowed:
            allowed = False
        if not allowed:
            return self._problem(t, "not_allowed")
        return _Target(link=link, member=member, task=task, unit=unit, t=t)

    async def show(self, request: Request) -> Response:
        target = await self._target(request.path_params["token"])
        if isinstance(target, Response):
            return target
        nonce = secrets.token_urlsafe(16)
        html = pages.upload_form(
            target.t, task_ref=target.task_ref, task_title=target.task.title, unit_name=target.unit.name,
            member_name=target.member.full_name, max_bytes=self.max_bytes, expires_at=target.link.expires_at,
            zone=self.deps.settings.zone, nonce=nonce,
        )
        return HTMLResponse(html.text, headers={"Content-Security-Policy": _csp(nonce)})

    async def receive(self, request: Request) -> Response:
        target = await self._target(request.path_params["token"])
        if isinstance(target, Response):
            return target
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes + FRAMING_BYTES:
            return self._problem(target.t, "too_big")  # refused before reading a byte of it
        try:
            return await self._store(request, target)
        except UploadRefused as refusal:
            log.info("upload through web link %s refused: %s", target.link.id, refusal.reason)
            return self._problem(target.t, refusal.reason)
        except LinkRefused as refusal:
            return self._problem(target.t, refusal.reason)
        except NotAllowed:
            return self._problem(target.t, "not_allowed")
        except ClientDisconnect:
            log.info("upload through web link %s abandoned by the client", target.link.id)
            return Response(status_code=400)

    async def _store(self, request: Request, target: _Target) -> Response:
        stamp = self.links.clock.now().astimezone(self.deps.settings.zone).strftime("%Y%m%d-%H%M%S")
        async with receiving_file(
            request.stream(), content_type=request.headers.get("content-type"), field_name=FIELD,
            max_bytes=self.max_bytes, fallback_name=f"file-{stamp}", spool_dir=self.links.files_dir / SPOOL,
        ) as received:
            try:
                redeemed = await self.links.redeem_upload(
                    target.link, received=received.path, file_name=received.file_name, mime_type=received.mime_type,
                )
            except OSError as error:
                log.warning("evidence store failed for web link %s: %s", target.link.id, error)
                return self._problem(target.t, "storage")
        html = pages.upload_done(
            target.t, task_ref=target.task_ref, task_title=target.task.title, unit_name=target.unit.name,
            file_name=redeemed.evidence.file_name, size=redeemed.evidence.size,
        )
        return HTMLResponse(html.text)


def _csp(nonce: str) -> str:
    return (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
