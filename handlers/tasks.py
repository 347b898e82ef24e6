"""Task lists (/viec, /quahan, paging) and one task in detail (/nv, tapping a task)."""

from __future__ import annotations

from bot import callbacks
from bot.messaging import Button, Outgoing, Response, bold, plain
from bot.services.tasks import TaskDetail, TaskLine, open_tasks, task_detail
from handlers import pending
from handlers.channels import channel_label
from handlers.context import Context
from handlers.render import deadline_label, role_label, short, status_label, task_heading


def parse_task_id(text: str) -> int | None:
    digits = text.strip().lstrip("#").upper().removeprefix("NV").strip()
    return int(digits) if digits.isdigit() and len(digits) <= 9 else None


def _line(ctx: Context, line: TaskLine) -> str:
    t = ctx.t
    parts = [deadline_label(t, line.task, ctx.today)]
    if line.role:
        parts.append(role_label(t, line.role))
    parts.append(status_label(t, line.status))
    return f"{task_heading(line.task)}\n   " + " · ".join(parts)


async def list_tasks(ctx: Context, args: str = "", *, page: int = 1, overdue_only: bool = False, replace: bool = False) -> Response:
    """A page of the member's open tasks, most urgent first, with a button per task."""
    t = ctx.t
    lines = await open_tasks(ctx.session, member=ctx.registered(), today=ctx.today, overdue_only=overdue_only)
    if not lines:
        empty = t._("No overdue tasks. Well done!") if overdue_only else t._("Your unit has no open tasks.")
        return Response([Outgoing(empty, replace=replace)])
    size = ctx.deps.settings.page_size
    pages = (len(lines) + size - 1) // size
    page = min(max(page, 1), pages)
    shown = lines[(page - 1) * size : page * size]
    title = t._("Overdue tasks ({n})", n=t.number(len(lines))) if overdue_only else t._(
        "Open tasks ({n})", n=t.number(len(lines))
    )
    header = bold(title)
    if pages > 1:
        header += "  " + t._("page {page}/{pages}", page=t.number(page), pages=t.number(pages))
    body = "\n\n".join(_line(ctx, line) for line in shown)
    buttons: list[list[Button]] = [
        [Button(f"#{line.task.id} {short(line.task.title, 28)}", callbacks.encode("open_task", line.task.id or 0))]
        for line in shown
    ]
    nav: list[Button] = []
    if page > 1:
        nav.append(Button(t._("◀ Previous"), callbacks.encode("page", page - 1, int(overdue_only))))
    if page < pages:
        nav.append(Button(t._("Next ▶"), callbacks.encode("page", page + 1, int(overdue_only))))
    if nav:
        buttons.append(nav)
    footer = t._("Tap a task to report on it, or reply e.g. \"#12 xong\".")
    return Response([Outgoing(f"{header}\n\n{body}\n\n{footer}", buttons=buttons, replace=replace)])


async def list_overdue(ctx: Context, args: str = "") -> Response:
    return await list_tasks(ctx, args, overdue_only=True)


def task_buttons(ctx: Context, task_id: int, *, evidence_count: int) -> list[list[Button]]:
    t = ctx.t
    return [
        [
            Button(t._("✅ Done"), callbacks.encode("set_status", task_id, status="done")),
            Button(t._("⏳ In progress"), callbacks.encode("set_status", task_id, status="in_progress")),
        ],
        [
            Button(t._("⚠️ Blocked"), callbacks.encode("set_status", task_id, status="blocked")),
            Button(t._("📎 Send evidence"), callbacks.encode("send_evidence", task_id)),
        ],
        [Button(t._("Evidence ({n})", n=t.number(evidence_count)), callbacks.encode("list_evidence", task_id))],
    ]


def render_detail(ctx: Context, detail: TaskDetail) -> Outgoing:
    t = ctx.t
    task = detail.task
    lines = [bold(f"#{task.id} · {plain(task.code)}"), plain(task.title)]
    lines.append(t._("Plan: {number}", number=plain(detail.plan.number)))
    if task.area:
        lines.append(t._("Area: {area}", area=plain(task.area)))
    if task.expected_result:
        lines.append(t._("Expected result: {result}", result=plain(task.expected_result)))
    deadline = deadline_label(t, task, ctx.today)
    if task.due is not None and task.deadline_text:
        deadline += f" ({plain(task.deadline_text)})"
    lines.append(t._("Deadline: {deadline}", deadline=deadline))
    for row in detail.assignments:
        lines.append(f"• {plain(row.unit.short_name or row.unit.name)} ({role_label(t, row.role)}): {status_label(t, row.status)}")
    if detail.history:
        lines.append(bold(t._("Latest reports")))
        for report in detail.history[:3]:
            when = t.date(report.created_at.astimezone(ctx.deps.settings.zone).date())
            said = f" “{short(report.original_text, 60)}”" if report.original_text else ""
            lines.append(f"  {when} · {channel_label(t, report.channel)}: {status_label(t, report)}{said}")
    buttons = task_buttons(ctx, task.id or 0, evidence_count=len(detail.evidence)) if detail.may_report else []
    return Outgoing("\n".join(line for line in lines if line), buttons=buttons, task_id=task.id)


async def show_task(ctx: Context, task_id: int) -> Response:
    detail = await task_detail(ctx.session, member=ctx.registered(), task_id=task_id)
    if detail.may_report:
        await pending.save(ctx, "focus", task=task_id)
    return Response([render_detail(ctx, detail)])


async def task_command(ctx: Context, args: str) -> Response:
    task_id = parse_task_id(args)
    if task_id is None:
        return Response([Outgoing(ctx.t._("Usage: /nv 12 (the task number)"))])
    return await show_task(ctx, task_id)
