"""`dondoc report`, run as an admin runs it: three files next to --out, and clear refusals (exit 2, no traceback)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.app import open_deps
from bot.cli import main
from bot.i18n import Translator
from tests.conftest import make_settings
from tests.report_seed import seed_report_plan


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    monkeypatch.delenv("DEFAULT_LOCALE", raising=False)

    async def seed() -> None:
        async with open_deps(make_settings(url, tmp_path)) as deps:
            await seed_report_plan(deps)

    asyncio.run(seed())
    return tmp_path


def test_report_writes_the_docx_the_xlsx_and_the_evidence_pack(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", "--plan", "435/KH-SVHTT", "--period", "2023-Q3", "--out", str(env / "bc.docx"),
                 "--signer", "Vũ Đức Thắng", "--date", "2023-10-05"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.split() == [str(env / "bc.docx"), str(env / "bc.xlsx"), str(env / "bc-minh-chung.zip")]
    texts = [p.text for p in docx.Document(env / "bc.docx").paragraphs]
    assert "- Đang thực hiện quá hạn: 2 nhiệm vụ (18,2%)." in texts
    assert openpyxl.load_workbook(env / "bc.xlsx")["Phụ lục"].max_row == 1 + 12
    assert len(zipfile.ZipFile(env / "bc-minh-chung.zip").namelist()) == 1 + 4


def test_no_evidence_writes_two_files(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--period", "2023", "--out", str(env / "nam"), "--no-evidence"]) == 0
    assert capsys.readouterr().out.split() == [str(env / "nam.docx"), str(env / "nam.xlsx")]
    assert not (env / "nam-minh-chung.zip").exists()


def _run(env: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *argv], cwd=env, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})


VI = Translator("vi")
BAD_PERIOD = ("“{text}” is not a period. Use 2023-Q3 (a quarter), 2023-H1 (a half-year), 2023-05 (a month) "
              "or 2023 (a year).")


def _before(template: str, **values: str) -> str:
    """The Vietnamese message up to its system-given reason."""
    return VI._(template, **values, reason="\x00").split("\x00")[0]


@pytest.mark.parametrize(("argv", "message"), [
    (("--plan", "999/KH-XYZ", "--period", "2023-Q3"), VI._("No plan numbered {number}.", number="999/KH-XYZ")),
    (("--period", "2023-Q5"), VI._(BAD_PERIOD, text="2023-Q5")),
    (("--period", "Q3/2023"), VI._(BAD_PERIOD, text="Q3/2023")),
])
def test_refusals_are_clear_and_write_nothing(env: Path, argv: tuple[str, ...], message: str) -> None:
    result = _run(env, "report", *argv, "--out", str(env / "x.docx"))
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not list(env.glob("x*"))


def test_an_unwritable_output_is_refused_before_any_work(env: Path) -> None:
    result = _run(env, "report", "--period", "2023-Q3", "--out", str(env / "no-such-folder" / "x.docx"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == VI._("Cannot write {path}: {reason}.", path=str(env / "no-such-folder" / "x.docx"),
                                         reason=VI._("the folder does not exist"))
    locked = env / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions: use a path that is a folder instead
            (locked / "x.docx").mkdir()
        result = _run(env, "report", "--period", "2023-Q3", "--out", str(locked / "x.docx"))
    finally:
        locked.chmod(0o700)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(_before("Cannot write {path}: {reason}.", path=str(locked / "x.docx")))
    assert not list(env.glob("*.xlsx"))
