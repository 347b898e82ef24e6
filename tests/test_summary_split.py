"""Long summaries on Telegram: the full unit table of a big office is split into several messages at line
boundaries (no row cut in two, every chunk within 4096 UTF-16 units), while /tonghop itself stays one message."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import text

from bot import admin
from storage.db import transaction
from tests.factories import PLAN, USER_IDS
from tests.fakes.telegram_api import utf16_len
from tests.telegram_harness import running_bot

CHIEF = USER_IDS["chief"]
EXTRA_UNITS = 160


async def test_the_full_unit_table_splits_cleanly_and_the_summary_fits_one_message(sqlite_url: str,
                                                                                   tmp_path: Path) -> None:
    async with running_bot(sqlite_url, tmp_path) as bot:
        async with transaction(bot.deps.sessions) as session:
            for i in range(EXTRA_UNITS):
                await admin.add_unit(session, name=f"Trung tâm Văn hóa Nghệ thuật số {i:03d}", short_name=None,
                                     aliases=[])
                await admin.add_task(session, plan_number=PLAN, code=f"X.{i}", title=f"Nhiệm vụ {i}",
                                     lead=[f"Trung tâm Văn hóa Nghệ thuật số {i:03d}"], due=date(2023, 12, 31))
            plan_id = (await session.exec(text("SELECT id FROM plan"))).scalar_one()
        bot.fake.user(CHIEF)
        summary = await bot.reply(CHIEF, "/tonghop")  # exactly one message: the table is cut at 15 units
        assert utf16_len(summary["text"]) <= 4096
        assert re.search(rf"…(?:and|và) {EXTRA_UNITS + 3 - 15} ", summary["text"]), summary["text"]
        _, parts = await bot.press(CHIEF, summary["message_id"], f"sl:{plan_id}", expect=2)
        assert len(parts) >= 2
        rows: list[str] = []
        for part in parts:
            assert utf16_len(part["text"]) <= 4096
            rows += part["text"].split("\n")
        table = rows[1:rows.index("")]  # then the silent units, the whole list
        names = [row.split(":", 1)[0] for row in table]
        assert len(names) == EXTRA_UNITS + 3 and len(set(names)) == EXTRA_UNITS + 3
        for line in table:  # every row whole: a unit, its tasks, on-time rate, overdue count and last reply
            assert re.fullmatch(r"[^:]+: \d+ (?:tasks?|nhiệm vụ) · [^·]+ · \d+ [^·]+ · [^·]+ —", line), line
        silent = rows[rows.index("") + 2:]
        assert len(silent) == EXTRA_UNITS + 3
        for line in silent:
            assert re.fullmatch(r"[^:]+: [^:]+ \(\d+ [^)]+\)", line), line
        assert bot.fake.buttons(parts[-1]) and not bot.fake.buttons(parts[0])  # the unit buttons under the last part
