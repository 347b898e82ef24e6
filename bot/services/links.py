"""Signed, expiring links to the bot's web server, for channels that cannot carry files (Zalo).

An upload link lets one member attach one file to one task for their unit, once; a download link hands one member
a report for a few days; a photo link lets a platform's servers fetch a chart. A token is `<id>.<mac>`: a random id
stored in `web_link`, and an HMAC of the purpose and id under LINK_SECRET, which is never stored — so a forged,
truncated or re-purposed token is refused before the database is asked.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from bot.config import Settings
from bot.errors import DomainError, NotAllowed
from bot.messaging import OutgoingFile, Photo
from bot.services import access
from bot.services.evidence_store import EvidenceStore
from bot.services.tasks import load_task
from scheduler.clock import Clock
from storage import evidence as evidence_rows
from storage import members, web_links
from storage.audit import record_change
from storage.db import Sessions, transaction
from storage.models import Evidence, Task, WebLink

log = logging.getLogger(__name__)

Purpose = Literal["upload", "download", "photo"]
UPLOAD: Purpose = "upload"
DOWNLOAD: Purpose = "download"
PHOTO: Purpose = "photo"
# URL paths of the web server (bot/web/app.py) for each purpose.
PATHS: dict[Purpose, str] = {UPLOAD: "/u/{token}", DOWNLOAD: "/d/{token}", PHOTO: "/p/{token}.png"}
# Evidence received through an upload page is recorded with this channel: the file came through the web page,
# whichever chat channel handed out the link (the audit entry names the link).
WEB_CHANNEL = "web"
PHOTO_TTL = timedelta(hours=1)  # the platform fetches the chart when the message is sent
PURGE_EVERY = timedelta(hours=1)

_ID_BYTES = 16
_MAC_BYTES = 16
_PART = re.compile(r"[A-Za-z0-9_-]{22}")
LinkState = Literal["ok", "expired", "used"]


class LinkRefused(DomainError):
    """The link cannot be used: `reason` is "unknown", "expired" or "used"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class TokenSigner:
    """`<id>.<mac>` tokens; the MAC covers the purpose, so an upload token never opens a download."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the link key is too short")
        self._key = key

    def new_id(self) -> str:
        return _b64(secrets.token_bytes(_ID_BYTES))

    def _mac(self, purpose: str, token_id: str) -> str:
        digest = hmac.new(self._key, f"{purpose}:{token_id}".encode("ascii"), hashlib.sha256).digest()
        return _b64(digest[:_MAC_BYTES])

    def sign(self, purpose: str, token_id: str) -> str:
        return f"{token_id}.{self._mac(purpose, token_id)}"

    def verify(self, purpose: str, token: str) -> str | None:
        """The token's id when its MAC is right for `purpose`, else None."""
        token_id, dot, mac = token.partition(".")
        if not dot or not _PART.fullmatch(token_id) or not _PART.fullmatch(mac):
            return None
        if not hmac.compare_digest(mac.encode("ascii"), self._mac(purpose, token_id).encode("ascii")):
            return None
        return token_id


@dataclass(frozen=True)
class Redeemed:
    """What an upload link produced: the evidence row and its task."""

    evidence: Evidence
    task: Task


class Links:
    """Creates and redeems web links. Files of download and photo links live under `files_dir`, named by id."""

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: Sessions,
        evidence: EvidenceStore,
        files_dir: Path,
        clock: Clock,
        key: bytes,
    ) -> None:
        if settings.public_base_url is None:
            raise ValueError("links need PUBLIC_BASE_URL")
        self.settings = settings
        self.sessions = sessions
        self.evidence = evidence
        self.files_dir = files_dir
        self.clock = clock
        self.signer = TokenSigner(key)
        self._base = settings.public_base_url.rstrip("/")
        self._last_purge: datetime | None = None

    # --- creating links ------------------------------------------------------------------------------------------
    async def upload_url(self, *, member_id: int, task_id: int, unit_id: int) -> str:
        """A one-time page where the member picks a file that becomes evidence of the task for the unit."""
        ttl = timedelta(hours=self.settings.upload_link_hours)
        return await self._create(UPLOAD, ttl, member_id=member_id, task_id=task_id, unit_id=unit_id)

    async def download_url(self, *, member_id: int, file: OutgoingFile) -> str:
        """The file for this member to download as often as needed until the link expires."""
        await self._purge_now_and_then()
        ttl = timedelta(hours=self.settings.download_link_hours)
        return await self._create(DOWNLOAD, ttl, member_id=member_id, content=file.content, file_name=file.name,
                                  mime_type=file.mime_type)

    async def photo_url(self, photo: Photo) -> str:
        """A public capability URL for a PNG, for a platform that fetches images by URL (Zalo's sendPhoto)."""
        await self._purge_now_and_then()
        return await self._create(PHOTO, PHOTO_TTL, content=photo.content, file_name=photo.file_name,
                                  mime_type="image/png")

    async def _create(
        self,
        purpose: Purpose,
        ttl: timedelta,
        *,
        member_id: int | None = None,
        task_id: int | None = None,
        unit_id: int | None = None,
        content: bytes | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> str:
        now = self.clock.now()
        token_id = self.signer.new_id()
        file_path = None
        if content is not None:
            file_path = token_id
            await asyncio.to_thread(_write_atomically, self.files_dir / file_path, content)
        try:
            async with transaction(self.sessions) as session:
                await web_links.add_link(
                    session, token_id=token_id, purpose=purpose, expires_at=now + ttl, now=now, member_id=member_id,
                    task_id=task_id, unit_id=unit_id, file_path=file_path, file_name=file_name, mime_type=mime_type,
                )
        except BaseException:
            if file_path is not None:
                (self.files_dir / file_path).unlink(missing_ok=True)
            raise
        log.info("web link created: %s for member %s, task %s, unit %s", purpose, member_id, task_id, unit_id)
        return self._base + PATHS[purpose].format(token=self.signer.sign(purpose, token_id))

    # --- using links ---------------------------------------------------------------------------------------------
    async def open(self, purpose: Purpose, token: str) -> WebLink | None:
        """The link a token names, or None for a forged token (no database read) or an unknown id."""
        token_id = self.signer.verify(purpose, token)
        if token_id is None:
            return None
        async with self.sessions() as session:
            return await web_links.find_link(session, token_id=token_id, purpose=purpose)

    def state(self, link: WebLink) -> LinkState:
        if link.used_at is not None and link.purpose == UPLOAD:
            return "used"
        return "expired" if link.expires_at <= self.clock.now() else "ok"

    def file_of(self, link: WebLink) -> Path:
        assert link.file_path is not None
        return self.files_dir / link.file_path

    async def redeem_upload(self, link: WebLink, *, received: Path, file_name: str, mime_type: str) -> Redeemed:
        """Keeps a received (already checked) file in the evidence store and records it as evidence, exactly like a
        file sent in the chat, using up the link in the same transaction: of two uploads through one link, one is
        recorded and the other refused as "used". Raises OSError when the store cannot keep the file."""
        assert link.id is not None and link.member_id is not None and link.task_id is not None
        stored = await self.evidence.save_file(received)
        now = self.clock.now()
        async with transaction(self.sessions) as session:
            member = await members.get_member(session, member_id=link.member_id)
            task, assignments = await load_task(session, task_id=link.task_id)
            if member is None or not member.active or access.acting_link(member, assignments).unit_id != link.unit_id:
                raise NotAllowed()
            if not await web_links.use_link(session, link_id=link.id, now=now):
                current = await web_links.find_link(session, token_id=link.token_id, purpose=UPLOAD)
                raise LinkRefused("used" if current is None or current.used_at is not None else "expired")
            row = await evidence_rows.add_evidence(
                session, task_id=link.task_id, unit_id=link.unit_id or 0, member_id=member.id, file_name=file_name,
                mime_type=mime_type, size=stored.size, sha256=stored.sha256, channel=WEB_CHANNEL, at=now,
            )
            await record_change(
                session, actor=f"{WEB_CHANNEL}:member:{member.id}", member_id=member.id, action="evidence.added",
                entity="task", entity_id=link.task_id,
                detail={"evidence_id": row.id, "sha256": row.sha256, "size": row.size, "web_link_id": link.id},
            )
        log.info("evidence %s received through web link %s for task %s by member %s", row.id, link.id, task.id,
                 member.id)
        return Redeemed(evidence=row, task=task)

    # --- housekeeping --------------------------------------------------------------------------------------------
    async def purge_expired(self) -> int:
        """Deletes the files and rows of download and photo links that have expired; returns how many."""
        async with transaction(self.sessions) as session:
            expired = await web_links.expired_file_links(session, before=self.clock.now())
            for link in expired:
                await asyncio.to_thread(self.file_of(link).unlink, missing_ok=True)
            await web_links.delete_links(session, link_ids=[link.id for link in expired if link.id is not None])
        return len(expired)

    async def _purge_now_and_then(self) -> None:
        now = self.clock.now()
        if self._last_purge is not None and now - self._last_purge < PURGE_EVERY:
            return
        self._last_purge = now
        try:
            removed = await self.purge_expired()
        except OSError as error:  # a stuck file must not stop new links; the next purge retries
            log.warning("could not purge expired web link files: %s", error)
            return
        if removed:
            log.info("purged %s expired web link files", removed)


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def link_key(settings: Settings) -> bytes:
    """LINK_SECRET's bytes, or a random key for this process (with a warning) when it is not set."""
    if settings.link_secret is not None:
        return settings.link_secret.get_secret_value().encode("utf-8")
    log.warning("LINK_SECRET is not set: web links are signed with a random key of this process and stop working "
                "when it restarts (set LINK_SECRET for production)")
    return secrets.token_bytes(32)


def links_from_settings(
    settings: Settings, *, sessions: Sessions, evidence: EvidenceStore, clock: Clock
) -> Links | None:
    """The links service when PUBLIC_BASE_URL is set (else None: no channel can hand out links).

    Link files go beside the evidence (`EVIDENCE_DIR/links`), so processes sharing the evidence store share them.
    """
    if settings.public_base_url is None:
        return None
    return Links(settings=settings, sessions=sessions, evidence=evidence, files_dir=settings.evidence_dir / "links",
                 clock=clock, key=link_key(settings))
