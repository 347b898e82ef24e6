"""Small pieces of text shared by several handlers: statuses, roles, deadlines, task lines."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from bot.i18n import Translator
from bot.messaging import bold, plain
from bot.services.deadlines import days_left
from storage.models import Task


class StatusLike(Protocol):
    """A stored status report, or one just recorded (storage.statuses.NewStatus)."""

    @property
    def status(self) -> str: ...
    @property
    def percent(self) -> int | None: ...
    @property
    def note(self) -> str | None: ...

TITLE_PREVIEW = 90


def short(text: str, limit: int = TITLE_PREVIEW) -> str:
    text = " ".join(plain(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def status_label(t: Translator, report: StatusLike | None) -> str:
    if report is None:
        return t._("No report yet")
    labels = {
        "done": t._("Done"),
        "in_progress": t._("In progress"),
        "blocked": t._("Blocked"),
        "not_started": t._("Not started"),
    }
    label = labels.get(report.status, report.status)
    if report.status == "in_progress" and report.percent is not None:
        label = t._("{status} {percent}%", status=label, percent=t.number(report.percent))
    if report.status == "blocked" and report.note:
        label = t._("{status}: {reason}", status=label, reason=short(report.note, 60))
    return label


def role_label(t: Translator, role: str | None) -> str:
    return {
        "lead": t._("Lead"),
        "coordinate": t._("Coordinating"),
        "supervise": t._("Supervising"),
    }.get(role or "", "")


def deadline_label(t: Translator, task: Task, today: date) -> str:
    """'Due 20/10/2023 · 5 days left' / '… · 3 days overdue' / the phrase itself when there is no date."""
    left = days_left(task.due, today)
    if task.due is None or left is None:
        return plain(task.deadline_text) if task.deadline_text else t._("No fixed deadline")
    due = t.date(task.due)
    if left > 0:
        return t.ngettext("Due {date} · {n} day left", "Due {date} · {n} days left", left, date=due)
    if left == 0:
        return t._("Due today ({date})", date=due)
    return t.ngettext("Due {date} · {n} day overdue", "Due {date} · {n} days overdue", -left, date=due)


def task_heading(task: Task) -> str:
    return bold(f"#{task.id} · {short(task.title)}")
