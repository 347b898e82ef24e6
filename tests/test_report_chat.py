"""/baocao through the real Telegram Application and the fake Bot API: the chief gets the .docx and the .xlsx as
documents, a unit head gets their unit's appendix only, an officer is refused politely; and the console writes
the files it is sent to disk."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
import openpyxl

from bot import admin
from bot.adapters.console import ConsoleChannel
from bot.app import open_deps
from bot.i18n import Translator
from bot.messaging import Outgoing, OutgoingFile, Response
from storage import members
from storage.db import transaction
from storage.models import Role
from tests.conftest import make_settings
from tests.factories import USER_IDS
from tests.report_expect import expected_report
from tests.report_seed import AS_OF, seed_report_plan
from tests.telegram_harness import running_bot

HEAD_ID = 1006
VI = Translator("vi")


async def _seed(url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    async with open_deps(make_settings(url, tmp_path)) as deps:
        seeded = await seed_report_plan(deps, channel="telegram")
        async with transaction(deps.sessions) as session:
            head = await admin.add_member(session, full_name="Lê Thu Hà", role=Role.UNIT_HEAD, unit="TCPC", locale=None)
            await members.link_account(session, member_id=head.id, channel="telegram", external_id=str(HEAD_ID),
                                       chat_id=str(HEAD_ID))
            expected = await expected_report(session, start=date(2023, 7, 1), end=AS_OF)
    return seeded, expected


def _document(fake, message: dict) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    document = message["document"]
    return document["file_name"], fake._files[document["file_id"]].content


async def test_the_chief_gets_the_report_and_the_appendix(sqlite_url: str, tmp_path: Path) -> None:
    seeded, expected = await _seed(sqlite_url, tmp_path)
    async with running_bot(sqlite_url, tmp_path, office=seeded.office) as bot:
        chief = USER_IDS["chief"]
        got = await bot.say(chief, "/baocao 435/KH-SVHTT 2023-Q3", expect=3)
        assert len(got) == 3
        overdue = expected.count("open_overdue")
        done = expected.count("done_on_time") + expected.count("done_late")
        assert got[0]["text"].startswith(VI._("Report of plan {number}, {period}", number="435/KH-SVHTT",
                                              period="2023-Q3"))
        assert VI._("Figures as of {date}: {total} tasks led by units · {done} done · {overdue} overdue.",
                    date="30/09/2023", total=str(len(expected.leads)), done=str(done),
                    overdue=str(overdue)) in got[0]["text"]
        (docx_name, docx_bytes), (xlsx_name, xlsx_bytes) = (_document(bot.fake, m) for m in got[1:])
        assert (docx_name, xlsx_name) == ("BaoCao_435-KH-SVHTT_2023-Q3.docx", "PhuLuc_435-KH-SVHTT_2023-Q3.xlsx")
        paragraphs = [p.text for p in docx.Document(io.BytesIO(docx_bytes)).paragraphs]
        assert f"- Đang thực hiện quá hạn: {overdue} nhiệm vụ (18,2%)." in paragraphs
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))["Phụ lục"]
        assert sheet.max_row == 1 + len(expected.rows)
        signature = docx.Document(io.BytesIO(docx_bytes)).tables[1].rows[0].cells[1].text
        assert signature.endswith("Vũ Đức Thắng")  # the chief who asked is the signer


async def test_a_unit_head_gets_their_units_appendix_and_an_officer_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    seeded, expected = await _seed(sqlite_url, tmp_path)
    async with running_bot(sqlite_url, tmp_path, office=seeded.office) as bot:
        got = await bot.say(HEAD_ID, "/baocao 2023-Q3", expect=2)
        assert len(got) == 2 and "document" in got[1]
        name, content = _document(bot.fake, got[1])
        assert name.endswith(".xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Phụ lục"]
        units = {row[4].value for row in sheet.iter_rows(min_row=2)}
        assert units == {"Phòng Tổ chức - Pháp chế"}
        assert sheet.max_row - 1 == sum(1 for row in expected.rows if row.unit.short_name == "TCPC")

        refusal = await bot.reply(USER_IDS["lan"], "/baocao 2023-Q3")
        assert refusal["text"] == VI._("Sorry, the periodic report is for the chief of office, leadership and unit "
                                       "heads.")
        assert "document" not in refusal

        wrong = await bot.reply(USER_IDS["chief"], "/baocao 2023-Q5")
        assert wrong["text"].startswith(VI._(
            "“{text}” is not a period. Use 2023-Q3 (a quarter), 2023-H1 (a half-year), 2023-05 (a month) "
            "or 2023 (a year).", text="2023-Q5"))
        unknown = await bot.reply(USER_IDS["chief"], "/baocao 1/KH-X 2023-Q3")
        assert unknown["text"] == VI._("No plan numbered {number}.", number="1/KH-X")


async def test_the_console_writes_sent_files_and_prints_their_paths(tmp_path: Path) -> None:
    out = io.StringIO()

    async def handle(_incoming):  # type: ignore[no-untyped-def]
        return Response([Outgoing("Báo cáo", files=(OutgoingFile("bc.docx", "application/x", b"hello"),))])

    console = ConsoleChannel(handle=handle, sender_id="1", sender_name="x", out=out, files_dir=tmp_path)
    await console.say("/baocao")
    assert out.getvalue() == f"Báo cáo\n📎 {tmp_path / 'bc.docx'}\n\n"
    assert (tmp_path / "bc.docx").read_bytes() == b"hello"
