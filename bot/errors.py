"""Typed domain errors. Each carries what the user should be told; the router renders it in their language."""

from __future__ import annotations


class DomainError(Exception):
    """An expected refusal, shown to the user politely. Never a bug."""


class NotRegistered(DomainError):
    pass


class NotAllowed(DomainError):
    """The member may not see or change this. `what` says which kind of thing: "task" or "summary"."""

    def __init__(self, what: str = "task") -> None:
        super().__init__(what)
        self.what = what


class TaskNotFound(DomainError):
    def __init__(self, task_id: int) -> None:
        super().__init__(task_id)
        self.task_id = task_id


class InviteProblem(DomainError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "expired" | "used" | "already_member" | "linked_elsewhere"


class EvidenceRejected(DomainError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "too_big" | "type" | "empty" | "storage"
