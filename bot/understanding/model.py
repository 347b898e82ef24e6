"""What a reply means: :class:`Understanding` and its value sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

__all__ = ["INTENTS", "STATUSES", "Intent", "Status", "Understanding"]

Intent = Literal["status", "extension", "list", "overdue", "help", "unknown"]
Status = Literal["done", "in_progress", "blocked", "not_started"]

INTENTS: tuple[Intent, ...] = get_args(Intent)
STATUSES: tuple[Status, ...] = get_args(Status)


@dataclass(frozen=True, slots=True)
class Understanding:
    """How a short reply is meant.

    * ``intent``: a status report, a request for a later due date (``extension``), a question for the
      task list / the overdue list / help, or ``unknown`` (thanks, "ok", chit-chat: nothing to record).
    * ``task``: the task number the reply names, if any.
    * ``status``: set only when ``intent == "status"``.
    * ``percent``: 0..100, only when the reply states a number.
    * ``date``: the expected completion date (``in_progress``) or the requested due date (``extension``).
    * ``note``: the reason or remark in the user's own words (diacritics kept), None if there is none.
    """

    intent: Intent
    task: int | None = None
    status: Status | None = None
    percent: int | None = None
    date: date | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.intent not in INTENTS:
            raise ValueError(f"unknown intent {self.intent!r}")
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.status is not None and self.intent != "status":
            raise ValueError("a status is only given with intent 'status'")
        if self.percent is not None and not 0 <= self.percent <= 100:
            raise ValueError(f"percent out of range: {self.percent}")

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``intent, task, status, percent, date`` (ISO or None) ``, note``."""
        return {
            "intent": self.intent,
            "task": self.task,
            "status": self.status,
            "percent": self.percent,
            "date": self.date.isoformat() if self.date else None,
            "note": self.note,
        }
