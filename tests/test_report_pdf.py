"""The .docx opens in LibreOffice (headless) and its PDF shows the right figures and the document's frame.

LibreOffice is a system package: without `soffice` the test is skipped with the reason shown, except in CI
(`DONDOC_REQUIRE_LIBREOFFICE=1`, set by .ci/run, which installs it), where it must run."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pdfplumber
import pytest

from bot.app import open_deps
from bot.reports.letterhead import letterhead_for
from bot.reports.periods import parse_period
from bot.reports.service import find_plan, make_report
from storage.db import transaction
from tests.conftest import make_settings
from tests.report_expect import LABELS, expected_report, percent
from tests.report_seed import AS_OF, PERIOD, seed_report_plan

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def soffice() -> str:
    if SOFFICE is None:
        reason = "LibreOffice (soffice) is not installed: apt-get install --no-install-recommends libreoffice-writer"
        if os.environ.get("DONDOC_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(reason + " (DONDOC_REQUIRE_LIBREOFFICE=1)")
        pytest.skip(reason)
    return SOFFICE


def to_pdf(soffice: str, source: Path) -> Path:
    profile = source.parent / "lo-profile"  # a private profile: runs in parallel with a user's LibreOffice
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(source.parent), str(source)], check=True, capture_output=True, timeout=120)
    return source.with_suffix(".pdf")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.timeout(180)
async def test_the_report_renders_to_pdf_with_the_right_figures(
    soffice: str, sqlite_url: str, tmp_path: Path
) -> None:
    async with open_deps(make_settings(sqlite_url, tmp_path)) as deps:
        await seed_report_plan(deps)
        async with transaction(deps.sessions) as session:
            plan = await find_plan(session, None)
            head = letterhead_for(plan, issued_on=date(2023, 10, 5), signer="Vũ Đức Thắng")
            files = await make_report(session, plan=plan, period=parse_period(PERIOD), today=date(2026, 1, 5),
                                      zone=deps.settings.zone, head=head)
            expected = await expected_report(session, start=date(2023, 7, 1), end=AS_OF)
    assert files.docx is not None
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(files.docx)
    pdf = to_pdf(soffice, source)
    with pdfplumber.open(io.BytesIO(pdf.read_bytes())) as document:
        pages = [page.extract_text() or "" for page in document.pages]
        first = document.pages[0]
        assert (round(first.width), round(first.height)) == (595, 842)  # A4 portrait, in points
        last = document.pages[-1]
        assert last.width > last.height  # the appendix is landscape
    text = flat("\n".join(pages))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Hà Nội, ngày 05 tháng 10 năm 2023" in text and "/BC-SVHTT" in text and "Nơi nhận:" in text
    total = len(expected.leads)
    assert f"(tính theo từng đơn vị chủ trì): {total};" in text
    for category, label in LABELS.items():
        n = expected.count(category)
        assert f"{label}: {n} nhiệm vụ ({percent(n, total)}%)" in text, label
    assert "TL. GIÁM ĐỐC" in text and "Vũ Đức Thắng" in text
    assert "2" in pages[1].split("\n")[0]  # page numbers from the second page, at the top
