"""What handlers and jobs are given: built once by the composition root (bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.services.evidence_store import EvidenceStore


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    evidence: EvidenceStore
