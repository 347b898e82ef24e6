"""`dondoc reminders …` and `dondoc calendar …`, run as an admin runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


def _office(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ("unit", "add", "Phòng Tổ chức - Pháp chế", "--short", "TCPC"),
        ("unit", "add", "Thanh tra Sở", "--short", "TTra"),
        ("plan", "add", "--number", "435/KH-SVHTT", "--title", "PAPI 2023"),
        ("task", "add", "--plan", "435/KH-SVHTT", "--code", "II.3.a", "--title", "Lồng ghép kiểm tra", "--lead", "TCPC",
         "--due", "2023-10-20"),
        ("task", "add", "--plan", "435/KH-SVHTT", "--code", "PL.2.2", "--title", "Tiếp công dân", "--lead", "TTra",
         "--recurrence", "continuous"),
        ("member", "add", "Trần Văn Minh", "--role", "officer", "--unit", "TCPC"),
    ):
        assert run_cli(capsys, *argv)[0] == 0, argv


def _join(env: Path) -> None:
    """Minh links a Telegram account (as `/start CODE` would)."""
    import asyncio

    from bot.app import open_deps
    from bot.config import Settings
    from storage import members
    from storage.db import transaction

    async def link() -> None:
        async with open_deps(Settings(_env_file=None)) as deps, transaction(deps.sessions) as session:  # type: ignore[call-arg]
            await members.link_account(session, member_id=1, channel="telegram", external_id="1002", chat_id="1002")

    asyncio.run(link())


def test_preview_lists_each_reminder_and_flags_units_nobody_joined(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _office(capsys)
    code, out, _ = run_cli(capsys, "reminders", "preview", "--from", "2023-10-09", "--to", "2023-10-24", "--json")
    assert code == 0
    rows = json.loads(out)
    assert all(row["member"] is None for row in rows)  # Minh has not joined yet: nobody would be reminded
    _join(env)
    code, out, _ = run_cli(capsys, "reminders", "preview", "--from", "2023-10-09", "--to", "2023-10-24", "--json")
    assert json.loads(out) == [
        {"date": "2023-10-11", "time": "08:00", "unit": "TCPC", "member": "Trần Văn Minh", "tasks": [1], "kind": "before"},
        {"date": "2023-10-17", "time": "08:00", "unit": "TCPC", "member": "Trần Văn Minh", "tasks": [1], "kind": "before"},
        {"date": "2023-10-17", "time": None, "unit": "TTra", "member": None, "tasks": [2], "kind": "period"},
        {"date": "2023-10-19", "time": "08:00", "unit": "TCPC", "member": "Trần Văn Minh", "tasks": [1], "kind": "before"},
        {"date": "2023-10-20", "time": "08:00", "unit": "TCPC", "member": "Trần Văn Minh", "tasks": [1], "kind": "due"},
        {"date": "2023-10-20", "time": None, "unit": "TTra", "member": None, "tasks": [2], "kind": "period"},
        {"date": "2023-10-23", "time": "08:00", "unit": "TCPC", "member": "Trần Văn Minh", "tasks": [1], "kind": "overdue"},
    ]
    code, out, _ = run_cli(capsys, "reminders", "preview", "--from", "2023-10-09", "--to", "2023-10-24")
    assert "2023-10-11 08:00  before      TCPC        Trần Văn Minh: #1" in out
    assert "Units with no registered member (reminders reach no one): TTra" in out


def test_policy_member_time_and_calendar_change_the_preview(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _office(capsys)
    _join(env)
    code, out, _ = run_cli(capsys, "reminders", "policy", "--plan", "435/KH-SVHTT", "--before", "2", "--due-day", "no")
    assert code == 0 and "before due 2 working days; on the due day: no" in out
    assert run_cli(capsys, "reminders", "time", "1", "07:30")[0] == 0
    code, _, err = run_cli(capsys, "reminders", "time", "1", "23:00")
    assert code == 2 and "quiet hours" in err
    # The office gives Wednesday 18/10/2023 off: "2 working days before 20/10" moves from 18/10 to 17/10.
    assert run_cli(capsys, "calendar", "off", "2023-10-18", "--note", "Nghỉ bù")[0] == 0
    code, out, _ = run_cli(capsys, "reminders", "preview", "--from", "2023-10-09", "--to", "2023-10-20", "--json")
    assert [(row["date"], row["time"], row["kind"]) for row in json.loads(out) if row["member"]] == [
        ("2023-10-17", "07:30", "before")]
    code, out, _ = run_cli(capsys, "calendar", "show", "--year", "2023")
    assert "2023-10-18 Wed  off      Nghỉ bù  (office override)" in out
    assert "2023-01-23 Mon  off      Second Day of Lunar New Year" in out
    assert run_cli(capsys, "calendar", "clear", "2023-10-18")[0] == 0
    code, out, _ = run_cli(capsys, "reminders", "preview", "--from", "2023-10-09", "--to", "2023-10-20", "--json")
    assert [row["date"] for row in json.loads(out) if row["member"]] == ["2023-10-18"]


def test_bad_input_gets_a_clear_error(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _office(capsys)
    code, _, err = run_cli(capsys, "reminders", "preview", "--from", "2023-10-20", "--to", "2023-10-01")
    assert code == 2 and "--to is before --from" in err
    code, _, err = run_cli(capsys, "reminders", "preview", "--from", "2023-10-01", "--to", "2023-10-20", "--plan", "9/KH")
    assert code == 2 and "no plan numbered '9/KH'" in err
    code, _, err = run_cli(capsys, "reminders", "policy", "--reporting-day", "40")
    assert code == 2 and "between 1 and 31" in err
    code, out, _ = run_cli(capsys, "reminders", "log")
    assert code == 0 and "No reminders logged." in out
