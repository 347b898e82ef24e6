"""The upload page in a real headless browser: Debian's Chromium driven by Playwright (no browser download).

Skipped, with the reason shown, when Chromium or Playwright is missing, unless DONDOC_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import Translator
from tests.web_harness import MAX_BYTES, PDF, Web, running_office_web

CHROMIUM = os.environ.get("DONDOC_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("DONDOC_REQUIRE_BROWSER") == "1"
VI = Translator("vi")


def _browser_problem() -> str | None:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    problem = _browser_problem()
    if problem:
        if REQUIRE_BROWSER:
            pytest.fail(problem + " (DONDOC_REQUIRE_BROWSER=1)")
        pytest.skip(problem)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def web(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Web]:
    async with running_office_web(sqlite_url, tmp_path) as value:
        yield value


async def _phone(browser: Any) -> Any:
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                        locale="vi-VN")
    return await context.new_page()


@pytest.mark.timeout(120)
async def test_an_officer_sends_a_file_from_the_phone_browser(browser: Any, web: Web, tmp_path: Path) -> None:
    page = await _phone(browser)
    url = await web.upload_link()
    opened = await page.goto(url)
    assert opened is not None and opened.status == 200
    assert await page.get_attribute("html", "lang") == "vi"
    task = web.office.tasks["vp_june"]
    assert f"#{task.id} · {task.code}" in await page.inner_text("main")

    document = tmp_path / "Biên bản kiểm tra công vụ.pdf"
    document.write_bytes(PDF)
    await page.get_by_label(VI._("Choose the evidence file")).set_input_files(document)
    await page.get_by_role("button", name=VI._("Send file")).click()
    confirmation = page.get_by_text("Đã lưu minh chứng cho")
    await confirmation.wait_for(timeout=15_000)
    assert "Biên bản kiểm tra công vụ.pdf" in await confirmation.inner_text()

    [row] = await web.evidence_rows()
    assert (row.task_id, row.member_id, row.channel) == (task.id, web.office.people["lan"].id, "web")
    assert row.file_name == "Biên bản kiểm tra công vụ.pdf"
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    assert hashlib.sha256(web.deps.evidence.path_for(row.sha256).read_bytes()).hexdigest() == row.sha256

    again = await page.goto(url)
    assert again is not None and again.status == 410
    await page.get_by_role("alert").filter(has_text=VI._("This link has already been used")).wait_for()
    assert len(await web.evidence_rows()) == 1


@pytest.mark.timeout(120)
async def test_an_expired_link_and_a_file_too_large_are_explained(browser: Any, web: Web, tmp_path: Path) -> None:
    page = await _phone(browser)
    url = await web.upload_link()
    await page.goto(url)
    big = tmp_path / "ảnh chụp lớn.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (MAX_BYTES + 1))
    await page.get_by_label(VI._("Choose the evidence file")).set_input_files(big)
    await page.get_by_role("button", name=VI._("Send file")).click()
    mb = VI.number(MAX_BYTES // (1024 * 1024))
    too_big = VI._("This file is too large: the limit is {mb} MB. Please send a smaller file or a compressed one.",
                   mb=mb)
    await page.get_by_role("status").filter(has_text=too_big).wait_for(timeout=5_000)  # told before uploading
    assert page.url == url and await web.evidence_rows() == []

    web.advance(24.5)
    expired = await page.goto(url)
    assert expired is not None and expired.status == 410
    await page.get_by_role("alert").filter(has_text=VI._("This link has expired")).wait_for()
    assert await web.evidence_rows() == []
