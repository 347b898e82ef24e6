"""The bot's web server for tests: a seeded office, a simulated clock, and uvicorn on 127.0.0.1 (a free port)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlmodel import col, select

from bot.app import open_deps
from bot.deps import Deps
from bot.services.links import Links
from bot.web.app import Endpoint, build_web_app
from bot.web.server import running_web
from scheduler.clock import SimulatedClock
from storage.models import AuditEntry, Evidence
from tests.conftest import at, make_settings
from tests.factories import Office, seed_office

NOW = at("2023-06-20 09:00")
PUBLIC_BASE_URL = "https://dondoc.example.gov.vn"
LINK_SECRET = "test-link-secret-0123456789-abcdefghij"
MAX_BYTES = 1024 * 1024  # a small limit, so over-size tests stay fast
PDF = b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 40 + b"%%EOF\n"


@dataclass
class Web:
    deps: Deps
    links: Links
    office: Office
    clock: SimulatedClock
    url: str  # where the server listens, e.g. http://127.0.0.1:41234
    client: httpx.AsyncClient
    tmp_path: Path

    def local(self, public_url: str) -> str:
        """A link as handed out (https://dondoc.example.gov.vn/u/…) rewritten to this test server."""
        assert public_url.startswith(PUBLIC_BASE_URL + "/"), public_url
        return self.url + urlsplit(public_url).path

    async def upload_link(self, who: str = "lan", task: str = "vp_june") -> str:
        member = self.office.people[who]
        assert member.id is not None and member.unit_id is not None
        task_id = self.office.tasks[task].id
        assert task_id is not None
        return self.local(await self.links.upload_url(member_id=member.id, task_id=task_id, unit_id=member.unit_id))

    def advance(self, hours: float) -> None:
        self.clock.advance(timedelta(hours=hours))

    async def evidence_rows(self) -> list[Evidence]:
        async with self.deps.sessions() as session:
            return list((await session.exec(select(Evidence).order_by(col(Evidence.id)))).all())

    async def audit(self, action: str) -> list[AuditEntry]:
        async with self.deps.sessions() as session:
            query = select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
            return list((await session.exec(query)).all())

    def stored_files(self) -> list[Path]:
        """Every file under the evidence directory except those of download/photo links."""
        root = self.deps.settings.evidence_dir
        if not root.exists():
            return []
        return [path for path in root.rglob("*") if path.is_file() and "links" not in path.relative_to(root).parts]

    def spooled_files(self) -> list[Path]:
        """Temporary upload files left behind (there must be none once a request ended)."""
        spool = self.links.files_dir / ".uploads"
        return [path for path in spool.iterdir()] if spool.exists() else []


@asynccontextmanager
async def running_office_web(
    database_url: str, tmp_path: Path, *, webhooks: dict[str, Endpoint] | None = None, **settings: object
) -> AsyncIterator[Web]:
    values: dict[str, object] = {"public_base_url": PUBLIC_BASE_URL, "link_secret": LINK_SECRET,
                                 "evidence_max_bytes": MAX_BYTES}
    values.update(settings)
    clock = SimulatedClock(NOW)
    async with open_deps(make_settings(database_url, tmp_path, **values), clock=clock) as deps:
        assert deps.links is not None
        office = await seed_office(deps, now=NOW)
        app = build_web_app(deps, webhooks=webhooks or {})
        async with running_web(app, host="127.0.0.1", port=0) as server, \
                httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            yield Web(deps=deps, links=deps.links, office=office, clock=clock, url=server.url, client=client,
                      tmp_path=tmp_path)
