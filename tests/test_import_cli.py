"""`dondoc import FILE`, run as an admin runs it: the preview as JSON, saving with --yes, a second import that
changes nothing, and files that are not plans refused with a message in the user's language and nothing saved."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import run_cli
from tests.import_files import MB, not_plans

SAMPLE = Path("/work/shared/samples/kh-435-svhtt-hanoi-2023.docx")
TTHC_GROUP = "Các phòng, đơn vị có TTHC"

# What the user reads on stderr, after "Không nhập được kế hoạch từ NAME: " / "Cannot import NAME as a plan: ".
WHY = {
    "vi": {  # "no_header" is a new message: its translation is checked once the catalog has it (tests/test_i18n.py)
        "empty": "văn bản trống.",
        "no_tasks": "không tìm thấy bảng hoặc danh sách nhiệm vụ trong văn bản.",
        "corrupt": "tệp bị hỏng hoặc không đúng định dạng như tên tệp.",
        "too_big": "tệp quá lớn.",
        "encrypted": "tệp có mật khẩu bảo vệ; đề nghị gửi bản không đặt mật khẩu.",
        "scanned": "đây là bản scan, không có chữ; đề nghị gửi bản Word hoặc bản có chữ.",
    },
    "en": {
        "empty": "the document is empty.",
        "no_tasks": "no task table or task list was found in it.",
        "corrupt": "the file is damaged or not the format its name says.",
        "no_header": "no header row of a task table (TT, Nhiệm vụ, Chủ trì, Thời gian…) was found in it.",
        "too_big": "the file is too large.",
        "encrypted": "the file is password-protected; please send an unprotected copy.",
        "scanned": "it is a scanned document with no text; please send a Word or text version.",
    },
}
HEAD = {"vi": ("Không nhập được kế hoạch từ {name}: ", "Chưa có gì được lưu."),
        "en": ("Cannot import {name} as a plan: ", "Nothing was saved.")}


@pytest.fixture
def env(env: Path) -> Path:
    """The CLI environment, migrated."""
    assert main(["db", "upgrade"]) == 0
    return env


def rows(env: Path) -> dict[str, int]:
    with sqlite3.connect(env / "cli.sqlite3") as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
                for table in ("plan", "task", "task_unit", "unit", "audit_log")}


needs_sample = pytest.mark.skipif(not SAMPLE.is_file(), reason=f"sample plan {SAMPLE} not available")


@needs_sample
def test_dry_run_json_previews_and_yes_saves_then_the_same_file_changes_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = rows(env)
    code, out, err = run_cli(capsys, "import", str(SAMPLE), "--dry-run", "--json")
    assert (code, err) == (0, "")
    preview = json.loads(out)
    assert preview["plan"] == {"number": "435/KH-SVHTT", "title": preview["plan"]["title"], "issued_on": "2023-06-14",
                               "issuer": "Sở Văn hóa và Thể thao Hà Nội", "year": 2023}
    assert len(preview["tasks"]) == 21
    ii2 = next(task for task in preview["tasks"] if task["code"] == "II.2")
    assert ii2["lead"] is None and ii2["unit_groups"] == [{"name": TTHC_GROUP, "role": "lead", "units": []}]
    assert "unit_group" in ii2["flags"] and TTHC_GROUP not in ii2["units"]
    assert (ii2["start"], ii2["due"], ii2["recurrence"]) == ("2023-01-01", "2023-12-31", "none")
    assert preview["unit_groups"] == [TTHC_GROUP, "Các phòng, ban, đơn vị có thủ tục hành chính"]
    assert preview["new_units"] == ["Văn phòng Sở", "Phòng QLVH", "KHTC", "Phòng Tổ chức - Pháp chế", "Thanh tra Sở",
                                    "Trung tâm Thông tin triển lãm"]  # "TCPC" is the same unit: one proposal
    assert rows(env) == empty  # a dry run saves nothing

    code, out, _ = run_cli(capsys, "import", str(SAMPLE), "--yes")
    assert code == 0 and "Groups of units to choose" in out and "  ? Các phòng, đơn vị có TTHC" in out
    assert "Saved plan 435/KH-SVHTT." in out
    saved = rows(env)
    assert (saved["plan"], saved["task"], saved["unit"]) == (1, 21, 6)
    with sqlite3.connect(env / "cli.sqlite3") as db:
        names = [name for (name,) in db.execute("SELECT name FROM unit")]
    assert not any(name.startswith("Các ") for name in names)

    code, out, _ = run_cli(capsys, "import", str(SAMPLE), "--yes")
    assert code == 0 and "Nothing changed: the plan is already loaded as it is (21 tasks)." in out
    assert rows(env) == saved


@pytest.mark.parametrize("language", ["vi", "en"])
def test_files_that_are_not_plans_are_refused_on_stderr_and_nothing_is_saved(
    env: Path, capsys: pytest.CaptureFixture[str], language: str
) -> None:
    """Exit status 2, the reason in the user's language (the office's default, or --lang), no traceback, and the
    database as it was, for every kind of file that is not a plan, a 30 MB one included."""
    empty = rows(env)
    cases = [(name, content, reason) for name, content, _, reason in not_plans()]
    cases.append(("ke-hoach-lon.docx", None, "too_big"))
    opening, nothing_saved = HEAD[language]
    for name, content, reason in cases:
        path = env / name
        if content is None:
            with path.open("wb") as handle:  # 30 MB (sparse): refused by its size, never read
                handle.truncate(30 * MB)
        else:
            path.write_bytes(content)
        options = ["--lang", "en"] if language == "en" else []
        code, out, err = run_cli(capsys, "import", str(path), "--yes", *options)
        assert code == 2 and out == "", (name, out)
        lines = err.rstrip("\n").split("\n")
        assert lines[0].startswith(opening.format(name=name)), (name, err)
        if reason in WHY[language]:
            assert lines[0] == opening.format(name=name) + WHY[language][reason], (name, err)
        assert lines[1:] == [nothing_saved] and "Traceback" not in err, (name, err)
    assert rows(env) == empty


def test_the_real_command_exits_2_with_the_message_and_no_traceback(env: Path) -> None:
    broken = env / "hong.docx"
    broken.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    result = subprocess.run([sys.executable, "-m", "bot.cli", "import", str(broken), "--yes"], capture_output=True,
                            text=True, cwd=env, env={**os.environ}, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ("Không nhập được kế hoạch từ hong.docx: tệp bị hỏng hoặc không đúng định dạng như tên "
                             "tệp.\nChưa có gì được lưu.\n")
    assert rows(env)["plan"] == 0


def test_a_missing_file_and_a_plan_without_a_number_are_refused(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "import", str(env / "khong-co.docx"), "--lang", "en")
    assert (code, out) == (2, "") and err == f"No such file: {env / 'khong-co.docx'}\n"
    plan = env / "ke-hoach.txt"
    plan.write_text("KẾ HOẠCH\nTT\tNhiệm vụ\tChủ trì\tThời gian\n1\tNiêm yết TTHC\tVăn phòng Sở\tQuý III/2023\n",
                    encoding="utf-8")
    code, out, err = run_cli(capsys, "import", str(plan), "--lang", "en")
    assert (code, out) == (2, "")
    assert err == "The document ke-hoach.txt does not show the plan's number; give it with --plan-number.\n"
    code, out, _ = run_cli(capsys, "import", str(plan), "--plan-number", "12/KH-VP", "--yes")
    assert code == 0 and "Saved plan 12/KH-VP." in out and rows(env)["task"] == 1
