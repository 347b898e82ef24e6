"""A member picks the task an earlier ambiguous message (a status text or a file) was about."""

from __future__ import annotations

from bot.messaging import Response
from handlers import pending
from handlers.context import Context
from handlers.evidence import attach_stored
from handlers.status import apply, reading_from_dict
from handlers.tasks import show_task


async def choose_task(ctx: Context, task_id: int) -> Response:
    state = await pending.load(ctx)
    if state is not None and state.get("kind") == "choose_status":
        return await apply(ctx, task_id, reading_from_dict(state["reading"]), state.get("text"))
    if state is not None and state.get("kind") == "choose_file":
        return await attach_stored(ctx, task_id, state["file"])
    return await show_task(ctx, task_id)
