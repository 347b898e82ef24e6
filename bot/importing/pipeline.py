"""From a file's bytes to a preview, the one path the CLI and the chat both use."""

from __future__ import annotations

import asyncio

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.importing.draft import DraftPlan
from bot.importing.extract import extract_plan
from bot.importing.preview import ImportPreview, build_preview
from bot.importing.readers import read_document
from bot.importing.save import known_units


def read_plan(content: bytes, file_name: str, *, plan_number: str | None = None) -> DraftPlan:
    """The plan a document describes (CPU-bound: call it in a thread). Raises UnreadableDocument."""
    plan = extract_plan(read_document(content, file_name))
    if plan_number:
        plan.number = plan_number.strip()
    return plan


async def preview_file(
    session: AsyncSession, content: bytes, file_name: str, *, plan_number: str | None = None
) -> ImportPreview:
    plan = await asyncio.to_thread(read_plan, content, file_name, plan_number=plan_number)
    return build_preview(plan, await known_units(session))
