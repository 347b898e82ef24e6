"""The report's figures computed independently from the raw rows (no code of bot/reports or plan_status is used)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from storage.models import Evidence, ExtensionRequest, Member, StatusReport, Task, TaskUnit, Unit

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
LABELS = {
    "done_on_time": "Đã hoàn thành đúng hạn",
    "done_late": "Đã hoàn thành quá hạn",
    "open_on_time": "Đang thực hiện trong hạn",
    "open_overdue": "Đang thực hiện quá hạn",
    "period_reported": "Đã báo cáo kỳ này",
    "period_pending": "Chưa báo cáo kỳ này",
    "no_deadline": "Không có thời hạn",
}
ROLES = {"lead": "Chủ trì", "coordinate": "Phối hợp", "supervise": "Giám sát"}


@dataclass
class Row:
    task: Task
    unit: Unit
    role: str
    due: date | None
    approved: date | None
    status: str | None
    percent: int | None
    note: str | None
    reported_at: datetime | None
    reporter: str | None
    evidence: int
    category: str


@dataclass
class Expected:
    rows: list[Row]
    updates: int  # status reports within the period
    evidence: list[tuple[Evidence, Task, Unit, str]]  # received by the end of the period

    @property
    def leads(self) -> list[Row]:
        return [row for row in self.rows if row.role == "lead"]

    def count(self, category: str) -> int:
        return sum(1 for row in self.leads if row.category == category)


async def expected_report(session, *, start: date, end: date) -> Expected:  # type: ignore[no-untyped-def]
    """Every (task, unit) as it stood at the end of `end` (office time), straight from the tables."""
    cut = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=ZONE).astimezone(UTC)
    begin = datetime.combine(start, datetime.min.time(), tzinfo=ZONE).astimezone(UTC)
    tasks = {task.id: task for task in (await session.exec(select(Task))).all()}
    units = {unit.id: unit for unit in (await session.exec(select(Unit))).all()}
    names = {member.id: member.full_name for member in (await session.exec(select(Member))).all()}
    reports = [r for r in (await session.exec(select(StatusReport))).all()]
    extensions = [e for e in (await session.exec(select(ExtensionRequest))).all()]
    evidence = [e for e in (await session.exec(select(Evidence))).all()]
    rows = []
    for link in sorted((await session.exec(select(TaskUnit))).all(), key=lambda link: (link.task_id, link.id)):
        task, unit = tasks[link.task_id], units[link.unit_id]
        mine = sorted((r for r in reports if (r.task_id, r.unit_id) == (task.id, unit.id) and r.created_at < cut),
                      key=lambda r: r.id)
        last = mine[-1] if mine else None
        granted = [e for e in extensions if (e.task_id, e.unit_id) == (task.id, unit.id) and e.state == "approved"
                   and e.decided_at is not None and e.decided_at < cut]
        approved = granted[-1].approved_due if granted else None
        due = approved or task.due
        reported_on = last.created_at.astimezone(ZONE).date() if last else None
        if task.recurrence != "none":  # monthly reporting for "continuous": the month of `end`
            category = "period_reported" if reported_on and reported_on >= end.replace(day=1) else "period_pending"
        elif last is not None and last.status == "done":
            category = "done_on_time" if due is None or reported_on <= due else "done_late"  # type: ignore[operator]
        elif due is None:
            category = "no_deadline"
        else:
            category = "open_overdue" if due < end else "open_on_time"
        count = sum(1 for e in evidence if (e.task_id, e.unit_id) == (task.id, unit.id) and e.created_at < cut)
        rows.append(Row(task, unit, link.role, task.due, approved, last.status if last else None,
                        last.percent if last else None, last.note if last else None,
                        last.created_at if last else None, names.get(last.member_id) if last else None, count,
                        category))
    updates = sum(1 for r in reports if begin <= r.created_at < cut)
    received = [(e, tasks[e.task_id], units[e.unit_id], names.get(e.member_id, "")) for e in evidence
                if e.created_at < cut]
    return Expected(rows=rows, updates=updates, evidence=received)


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",")
