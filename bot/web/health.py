"""GET /healthz (the process answers) and GET /readyz (the database answers and its schema is the newest)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from storage.db import Sessions
from storage.migrate import current_revision, head_revision

log = logging.getLogger(__name__)
READY_TIMEOUT_SECONDS = 3.0


class Health:
    def __init__(self, sessions: Sessions) -> None:
        self.engine: AsyncEngine = sessions.kw["bind"]
        self.head = head_revision()  # the migrations shipped with this code, read once

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(self, request: Request) -> Response:
        try:
            revision = await asyncio.wait_for(current_revision(self.engine), READY_TIMEOUT_SECONDS)
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            log.warning("not ready: database unreachable (%s)", type(error).__name__)
            return PlainTextResponse("database unreachable", status_code=503)
        if revision != self.head:
            return PlainTextResponse(f"database at revision {revision}, code expects {self.head}", status_code=503)
        return PlainTextResponse("ready")

