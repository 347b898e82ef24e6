"""What handlers and jobs are given: built once by the composition root (bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.importing.drafts import DraftCache
from bot.services.evidence_store import EvidenceStore
from scheduler.clock import Clock, SystemClock
from storage.db import Sessions

if TYPE_CHECKING:
    from bot.services.links import Links


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessions: Sessions
    evidence: EvidenceStore
    drafts: DraftCache = field(default_factory=DraftCache)
    clock: Clock = field(default_factory=SystemClock)  # simulated in tests of reminders and snoozes
    links: Links | None = None  # upload/download/photo links; None without PUBLIC_BASE_URL
