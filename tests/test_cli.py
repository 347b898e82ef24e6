"""The admin CLI and the console channel, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli


def test_set_up_an_office_by_hand(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "db", "upgrade")[0] == 0
    assert run_cli(capsys, "unit", "add", "Phòng Tổ chức - Pháp chế", "--short", "TCPC", "--alias", "Phòng TCPC")[0] == 0
    assert run_cli(capsys, "unit", "add", "Văn phòng Sở", "--short", "VP")[0] == 0
    assert "already names" in run_cli(capsys, "unit", "alias", "tcpc", "Phòng Tổ chức Pháp chế")[1]
    assert "now names" in run_cli(capsys, "unit", "alias", "tcpc", "P. TC-PC")[1]
    code, out, _ = run_cli(capsys, "unit", "list")
    assert "TCPC\tPhòng Tổ chức - Pháp chế" in out and "P. TC-PC" in out
    assert run_cli(capsys, "member", "add", "Trần Văn Minh", "--role", "officer", "--unit", "phong to chuc phap che")[0] == 0
    code, _, err = run_cli(capsys, "member", "add", "Ai đó", "--role", "officer")
    assert code == 2 and "need a unit" in err
    code, out, _ = run_cli(capsys, "invite", "create", "--unit", "TCPC", "--role", "officer", "--days", "3")
    code_text = out.split("invite code: ")[1].split()[0]
    assert code == 0 and len(code_text) == 8 and f"/start {code_text}" in out
    assert run_cli(capsys, "plan", "add", "--number", "435/KH-SVHTT", "--title", "Kế hoạch PAPI 2023", "--issued-on", "2023-06-14")[0] == 0
    code, out, _ = run_cli(capsys, "task", "add", "--plan", "435/KH-SVHTT", "--code", "II.3.a", "--title", "Lồng ghép kiểm tra",
                       "--lead", "TCPC", "--coordinate", "*", "--due", "2023-10-20", "--deadline-text", "trước ngày 20/10/2023")
    assert code == 0 and out.startswith("task #1:")
    code, _, err = run_cli(capsys, "task", "add", "--plan", "435/KH-SVHTT", "--code", "X", "--title", "Y", "--lead", "Phòng")
    assert code == 2 and "matches several units" in err
    code, out, _ = run_cli(capsys, "task", "list", "--unit", "VP")
    assert "II.3.a\t2023-10-20\ttrước ngày 20/10/2023" in out  # VP coordinates through "*"
    code, out, _ = run_cli(capsys, "invite", "list")
    assert f"{code_text}\tofficer" in out and "valid" in out


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("#12 đang làm 50%", "2023-05-17", {"intent": "status", "task": 12, "status": "in_progress", "percent": 50}),
        ("xin gia hạn đến 15/6", "2023-05-17", {"intent": "extension", "date": "2023-06-15"}),
        ("da xong", "2023-05-17", {"intent": "status", "status": "done"}),
        ("cảm ơn", "2023-05-17", {"intent": "unknown", "status": None}),
    ],
)
def test_understand_prints_json(env: Path, capsys: pytest.CaptureFixture[str], text: str, today: str, expected: dict) -> None:
    code, out, _ = run_cli(capsys, "understand", text, "--today", today, "--json")
    reading = json.loads(out)
    assert code == 0 and set(reading) == {"intent", "task", "status", "percent", "date", "note"}
    assert {key: reading[key] for key in expected} == expected


def test_scripted_demo_shell(tmp_path: Path) -> None:
    """`printf '/viec\\nxong\\n' | dondoc shell --demo` as a newcomer types it, in a real process."""
    script = "/viec\n1\n1\n/nv 9999\n"
    environment = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_TOKEN", "ZALO_TOKEN", "DATABASE_URL")}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "shell", "--demo"], input=script, capture_output=True,
                            text=True, cwd=tmp_path, env=environment, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Nhiệm vụ chưa hoàn thành" in result.stdout
    assert "[1] ✅ Hoàn thành" in result.stdout  # typing 1 opened the first task; its buttons are numbered
    assert "Đã ghi nhận: Đã hoàn thành" in result.stdout  # typing 1 again pressed "Hoàn thành"
    assert "Không có nhiệm vụ #9999" in result.stdout
    assert not (tmp_path / "data").exists()  # the demo database is throwaway, outside the working directory


def test_shell_as_a_named_member(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "unit", "add", "Thanh tra Sở", "--short", "TTra")
    run_cli(capsys, "member", "add", "Phạm Quốc Hùng", "--role", "officer", "--unit", "TTra")
    result = subprocess.run([sys.executable, "-m", "bot.cli", "shell", "--as", "quoc hung"], input="/viec\n",
                            capture_output=True, text=True, cwd=env, env={**os.environ}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Đơn vị không còn nhiệm vụ chưa hoàn thành" in result.stdout
    result = subprocess.run([sys.executable, "-m", "bot.cli", "shell", "--as", "nobody"], input="",
                            capture_output=True, text=True, cwd=env, env={**os.environ}, timeout=60)
    assert result.returncode == 2 and "0 members match" in result.stderr


def test_run_without_a_token_falls_back_to_the_demo_console(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_TOKEN", "ZALO_TOKEN", "DATABASE_URL")}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], input="/viec\n", capture_output=True,
                            text=True, cwd=tmp_path, env=environment, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Neither TELEGRAM_TOKEN nor ZALO_TOKEN" in result.stderr and "Nhiệm vụ chưa hoàn thành" in result.stdout
