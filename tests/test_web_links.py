"""Upload, download and photo links over HTTP against the real web server (uvicorn on 127.0.0.1), on SQLite and
PostgreSQL: signatures, expiry on a simulated clock, single use under concurrency, limits enforced while streaming."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.i18n import Translator
from bot.messaging import OutgoingFile, Photo
from bot.services.evidence_store import EvidenceStore
from bot.services.links import DOWNLOAD, PHOTO, UPLOAD, Links, TokenSigner, links_from_settings
from bot.web.files import content_disposition
from scheduler.clock import SimulatedClock
from storage import members
from storage.db import transaction
from tests.conftest import make_settings
from tests.web_harness import LINK_SECRET, MAX_BYTES, NOW, PDF, PUBLIC_BASE_URL, Web, running_office_web

VI = Translator("vi")
EN = Translator("en")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def web(database_url: str, tmp_path: Path) -> AsyncIterator[Web]:
    async with running_office_web(database_url, tmp_path) as value:
        yield value


def _files(name: str, content: bytes, mime: str = "application/octet-stream") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, content, mime)}


def _path(url: str) -> str:
    return urlsplit(url).path


# --- tokens --------------------------------------------------------------------------------------------------------
def test_tokens_are_signed_for_one_purpose() -> None:
    signer = TokenSigner(b"k" * 32)
    token_id = signer.new_id()
    token = signer.sign(UPLOAD, token_id)
    assert signer.verify(UPLOAD, token) == token_id
    assert signer.verify(DOWNLOAD, token) is None  # an upload token never opens a download
    assert signer.verify(UPLOAD, token[:-1]) is None  # truncated
    assert signer.verify(UPLOAD, token[:-1] + ("A" if token[-1] != "A" else "B")) is None  # forged MAC
    assert signer.verify(UPLOAD, token_id) is None  # the id alone
    assert signer.verify(UPLOAD, "") is None
    assert signer.verify(UPLOAD, "../../etc/passwd") is None
    assert TokenSigner(b"x" * 32).verify(UPLOAD, token) is None  # another key


class _NoDatabase:
    """Sessions that fail the test when asked for a session."""

    def __call__(self) -> object:
        raise AssertionError("the database was asked about a forged token")


async def test_forged_tokens_are_refused_without_a_database_read(tmp_path: Path) -> None:
    settings = make_settings("sqlite://", tmp_path, public_base_url=PUBLIC_BASE_URL, link_secret=LINK_SECRET)
    links = Links(settings=settings, sessions=_NoDatabase(), evidence=EvidenceStore(tmp_path),  # type: ignore[arg-type]
                  files_dir=tmp_path / "links", clock=SimulatedClock(NOW), key=LINK_SECRET.encode())
    forged = TokenSigner(b"not the secret, but long enough").sign(UPLOAD, links.signer.new_id())
    for token in (forged, forged[:30], "x", forged.replace(".", "")):
        assert await links.open(UPLOAD, token) is None


def test_settings_require_a_strong_secret_for_an_https_address(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ValidationError, match="LINK_SECRET is required"):
        make_settings("sqlite://", tmp_path, public_base_url="https://bot.example.gov.vn")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        make_settings("sqlite://", tmp_path, public_base_url="https://bot.example.gov.vn", link_secret="short")
    with pytest.raises(ValidationError, match="public_base_url"):
        make_settings("sqlite://", tmp_path, public_base_url="bot.example.gov.vn")
    # A local http address works without a secret: a random key per process, said in a warning (never printed).
    local = make_settings("sqlite://", tmp_path, public_base_url="http://127.0.0.1:8080/")
    assert local.public_base_url == "http://127.0.0.1:8080"
    with caplog.at_level(logging.WARNING):
        links = links_from_settings(local, sessions=_NoDatabase(), evidence=EvidenceStore(tmp_path),  # type: ignore[arg-type]
                                    clock=SimulatedClock(NOW))
    assert links is not None and "LINK_SECRET is not set" in caplog.text
    assert links_from_settings(make_settings("sqlite://", tmp_path), sessions=_NoDatabase(),  # type: ignore[arg-type]
                               evidence=EvidenceStore(tmp_path), clock=SimulatedClock(NOW)) is None


def test_content_disposition_keeps_vietnamese_names() -> None:
    header = content_disposition('Báo cáo quý III "đợt 1".docx')
    assert header.startswith('attachment; filename="Bao cao quy III _dot 1_.docx"; ')
    assert header.endswith("filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20qu%C3%BD%20III%20%22%C4%91%E1%BB%A3t%201%22.docx")


# --- the upload page -----------------------------------------------------------------------------------------------
async def test_upload_page_shows_the_task_the_unit_and_the_limits(web: Web) -> None:
    url = await web.upload_link()
    assert url.startswith(web.url + "/u/")
    response = await web.client.get(_path(url))
    assert response.status_code == 200
    page = response.text
    task = web.office.tasks["vp_june"]
    assert '<html lang="vi">' in page
    assert f"#{task.id} · {task.code}" in page
    assert "Thực hiện các quy định về công khai thông tin &lt;theo quy định&gt; &amp; *kịp thời*" in page  # escaped
    assert "Văn phòng Sở" in page
    assert '<label for="file">' in page and 'name="file" type="file"' in page
    assert VI._("Send file") in page and ".pdf" in page
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'nonce-" in response.headers["content-security-policy"]


async def test_upload_page_speaks_english_to_a_member_who_chose_english(web: Web) -> None:
    async with transaction(web.deps.sessions) as session:
        member = await members.get_member(session, member_id=web.office.people["lan"].id or 0)
        assert member is not None
        member.locale = "en"
        session.add(member)
    response = await web.client.get(_path(await web.upload_link()))
    assert '<html lang="en">' in response.text and "Send evidence" in response.text


async def test_an_upload_is_recorded_like_a_chat_file_and_uses_the_link_up(web: Web) -> None:
    url = await web.upload_link()
    response = await web.client.post(_path(url), files=_files("Biên bản họp.pdf", PDF, "application/pdf"))
    assert response.status_code == 200, response.text
    assert "Đã lưu minh chứng cho" in response.text or VI._("Evidence received") in response.text
    [row] = await web.evidence_rows()
    lan = web.office.people["lan"]
    assert (row.task_id, row.unit_id, row.member_id) == (web.office.tasks["vp_june"].id, lan.unit_id, lan.id)
    assert (row.file_name, row.mime_type, row.size) == ("Biên bản họp.pdf", "application/pdf", len(PDF))
    assert row.channel == "web"
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    assert web.deps.evidence.path_for(row.sha256).read_bytes() == PDF
    [entry] = await web.audit("evidence.added")
    assert entry.actor == f"web:member:{lan.id}" and entry.member_id == lan.id
    assert json.loads(entry.detail or "{}")["evidence_id"] == row.id
    assert web.spooled_files() == []

    again = await web.client.post(_path(url), files=_files("other.pdf", PDF, "application/pdf"))
    assert again.status_code == 410 and VI._("This link has already been used") in again.text
    assert (await web.client.get(_path(url))).status_code == 410
    assert len(await web.evidence_rows()) == 1


async def test_two_concurrent_uploads_through_one_link_record_exactly_one(web: Web) -> None:
    url = await web.upload_link()
    both_started = asyncio.Event()
    started = 0

    async def body(boundary: str, name: str, content: bytes) -> AsyncIterator[bytes]:
        nonlocal started
        yield (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
               "Content-Type: application/pdf\r\n\r\n").encode()
        yield content[:100]
        started += 1
        if started == 2:
            both_started.set()
        await asyncio.wait_for(both_started.wait(), 10)  # both requests are in the server, mid-file
        yield content[100:]
        yield f"\r\n--{boundary}--\r\n".encode()

    async def post(name: str, content: bytes) -> httpx.Response:
        boundary = f"b{name}"
        return await web.client.post(_path(url), content=body(boundary, name, content),
                                     headers={"content-type": f"multipart/form-data; boundary={boundary}"})

    first, second = await asyncio.gather(post("one.pdf", PDF), post("two.pdf", PDF + b"% two\n"))
    assert sorted([first.status_code, second.status_code]) == [200, 410]
    rows = await web.evidence_rows()
    assert len(rows) == 1
    assert len(await web.audit("evidence.added")) == 1
    assert web.spooled_files() == []


async def test_an_over_size_upload_is_cut_off_while_streaming_and_nothing_is_kept(web: Web) -> None:
    url = await web.upload_link()
    sent = 0
    total = 64 * MAX_BYTES  # far more than the limit: the server must stop reading long before the end
    boundary = "bbig"

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
        sent += len(head)
        yield head
        chunk = b"0" * 65536
        while sent < total:
            sent += len(chunk)
            yield chunk
            await asyncio.sleep(0)
        yield f"\r\n--{boundary}--\r\n".encode()

    try:  # no Content-Length: chunked, so only the streaming check can stop it
        response = await web.client.post(_path(url), content=body(),
                                         headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        response = None  # the server answered and closed while we were still sending: also a refusal
    if response is not None:
        assert response.status_code == 413
        assert VI._("The file is too large") in response.text
    assert sent < 16 * MAX_BYTES, f"the server read {sent} bytes before refusing"
    assert await web.evidence_rows() == []
    assert web.stored_files() == []
    assert web.spooled_files() == []
    # The link is still good for a file within the limit.
    ok = await web.client.post(_path(url), files=_files("small.pdf", PDF))
    assert ok.status_code == 200


async def test_a_declared_over_size_body_is_refused_before_reading_it(web: Web) -> None:
    """Raw HTTP: the headers announce 100 MB and only a few bytes follow; the answer comes without waiting."""
    url = await web.upload_link()
    host, port = urlsplit(web.url).hostname, urlsplit(web.url).port
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write((f"POST {_path(url)} HTTP/1.1\r\nHost: {host}\r\n"
                      "Content-Type: multipart/form-data; boundary=b\r\n"
                      f"Content-Length: {100 * MAX_BYTES}\r\n\r\n--b\r\n").encode())
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()
    assert status_line.startswith(b"HTTP/1.1 413 ")


@pytest.mark.parametrize(("name", "content", "status"), [
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200, 415),  # a type we do not keep
    ("report.pdf", b"MZ\x90\x00" + b"\x00" * 2000, 415),  # a program renamed .pdf: the first bytes say so
    ("bang.xlsx", b"just text, not a spreadsheet" * 10, 415),
    ("empty.pdf", b"", 400),
])
async def test_wrong_or_empty_files_are_refused(web: Web, name: str, content: bytes, status: int) -> None:
    url = await web.upload_link()
    response = await web.client.post(_path(url), files=_files(name, content))
    assert response.status_code == status
    assert await web.evidence_rows() == []
    assert web.stored_files() == [] and web.spooled_files() == []


async def test_a_form_sent_without_a_file_says_so(web: Web) -> None:
    url = await web.upload_link()
    response = await web.client.post(_path(url), files={"file": ("", b"", "application/octet-stream")})
    assert response.status_code == 400 and VI._("No file chosen") in response.text
    not_multipart = await web.client.post(_path(url), content=b"x", headers={"content-type": "text/plain"})
    assert not_multipart.status_code == 400


async def test_a_full_evidence_disk_is_explained_and_the_link_stays_usable(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def disk_full(source: Path) -> None:
        raise OSError(28, "No space left on device")

    url = await web.upload_link()
    with monkeypatch.context() as patch:
        patch.setattr(web.links.evidence, "save_file", disk_full)
        response = await web.client.post(_path(url), files=_files("a.pdf", PDF))
    assert response.status_code == 503 and VI._("The file could not be saved") in response.text
    assert await web.evidence_rows() == [] and web.spooled_files() == []
    assert (await web.client.post(_path(url), files=_files("a.pdf", PDF))).status_code == 200


async def test_links_expire_on_the_clock(web: Web) -> None:
    url = await web.upload_link()
    web.advance(23.9)
    assert (await web.client.get(_path(url))).status_code == 200
    web.advance(0.2)
    expired = await web.client.get(_path(url))
    assert expired.status_code == 410 and VI._("This link has expired") in expired.text
    posted = await web.client.post(_path(url), files=_files("late.pdf", PDF))
    assert posted.status_code == 410
    assert await web.evidence_rows() == []


async def test_unknown_forged_and_repurposed_links_are_not_found(web: Web) -> None:
    url = await web.upload_link()
    token = _path(url).removeprefix("/u/")
    assert (await web.client.get(f"/u/{token[:-2]}")).status_code == 404
    assert (await web.client.get(f"/d/{token}")).status_code == 404  # an upload token is not a download token
    unknown = await web.client.get("/u/" + web.links.signer.sign(UPLOAD, web.links.signer.new_id()))
    assert unknown.status_code == 404 and VI._("Link not found") in unknown.text


async def test_a_member_who_left_the_unit_may_not_use_the_link(web: Web) -> None:
    url = await web.upload_link()
    async with transaction(web.deps.sessions) as session:
        member = await members.get_member(session, member_id=web.office.people["lan"].id or 0)
        assert member is not None
        member.unit_id = web.office.people["minh"].unit_id
        session.add(member)
    assert (await web.client.get(_path(url))).status_code == 403
    assert (await web.client.post(_path(url), files=_files("x.pdf", PDF))).status_code == 403
    assert await web.evidence_rows() == []


# --- downloads and photos ------------------------------------------------------------------------------------------
async def test_a_download_link_serves_the_file_until_it_expires(web: Web) -> None:
    content = b"PK\x03\x04 report bytes"
    chief = web.office.people["chief"]
    assert chief.id is not None
    url = web.local(await web.links.download_url(
        member_id=chief.id, file=OutgoingFile(name="Báo cáo quý III.docx", mime_type=DOCX_MIME, content=content)))
    for _ in range(2):  # many uses within the time
        response = await web.client.get(_path(url))
        assert response.status_code == 200 and response.content == content
        assert response.headers["content-type"] == DOCX_MIME
        assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20qu%C3%BD%20III.docx" in response.headers["content-disposition"]
    token = _path(url).removeprefix("/d/")
    assert (await web.client.get(f"/d/{token[:-1]}")).status_code == 404
    assert (await web.client.get(f"/u/{token}")).status_code == 404

    web.advance(72.1)
    gone = await web.client.get(_path(url))
    assert gone.status_code == 410 and VI._("Ask the bot for the file again in the chat.") in gone.text
    file_path = next((web.links.files_dir).glob("*"))
    assert await web.links.purge_expired() == 1
    assert not file_path.exists()
    assert (await web.client.get(_path(url))).status_code == 404


async def test_a_photo_url_serves_a_png_for_a_short_time(web: Web) -> None:
    url = web.local(await web.links.photo_url(Photo(content=PNG, caption="chart")))
    assert _path(url).endswith(".png")
    response = await web.client.get(_path(url))
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"
    token = _path(url).removeprefix("/p/").removesuffix(".png")
    assert web.links.signer.verify(PHOTO, token) is not None
    assert (await web.client.get(f"/p/{token[:-1]}.png")).status_code == 404
    web.advance(1.1)
    assert (await web.client.get(_path(url))).status_code == 410


# --- health and webhooks -------------------------------------------------------------------------------------------
async def test_health_and_readiness(web: Web) -> None:
    health = await web.client.get("/healthz")
    assert (health.status_code, health.text) == (200, "ok")
    assert (await web.client.get("/readyz")).status_code == 200
    async with transaction(web.deps.sessions) as session:
        await session.exec(text("UPDATE alembic_version SET version_num = '0004'"))  # type: ignore[call-overload]
    behind = await web.client.get("/readyz")
    assert behind.status_code == 503 and "0004" in behind.text


async def test_readiness_fails_when_the_database_is_unreachable(tmp_path: Path) -> None:
    from bot.deps import Deps
    from bot.web.app import build_web_app
    from bot.web.server import running_web
    from storage.db import create_engine, session_factory

    engine = create_engine("postgresql://nobody@127.0.0.1:9/nothing")  # nothing listens on the discard port
    deps = Deps(settings=make_settings("sqlite://", tmp_path), sessions=session_factory(engine),
                evidence=EvidenceStore(tmp_path))
    try:
        async with running_web(build_web_app(deps), host="127.0.0.1", port=0) as server, \
                httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/readyz")).status_code == 503
            assert (await client.get("/u/anything")).status_code == 404  # no links without PUBLIC_BASE_URL
    finally:
        await engine.dispose()


async def test_webhooks_are_dispatched_by_name(database_url: str, tmp_path: Path) -> None:
    seen: list[bytes] = []

    async def zalo(request: Request) -> Response:
        seen.append(await request.body())
        return JSONResponse({"ok": True})

    async with running_office_web(database_url, tmp_path, webhooks={"zalo": zalo}) as web:
        response = await web.client.post("/webhook/zalo", content=b'{"event_name": "message.text.received"}')
        assert response.status_code == 200 and response.json() == {"ok": True}
        assert (await web.client.post("/webhook/telegram", content=b"{}")).status_code == 404
        assert (await web.client.get("/webhook/zalo")).status_code == 405
    assert seen == [b'{"event_name": "message.text.received"}']


async def test_dondoc_run_starts_the_web_server_only_with_a_public_address(tmp_path: Path) -> None:
    from bot.app import open_deps, running_web_server

    async with open_deps(make_settings(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path)) as deps, \
            running_web_server(deps) as server:
        assert server is None and deps.links is None
    settings = make_settings(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path, public_base_url=PUBLIC_BASE_URL,
                             link_secret=LINK_SECRET, web_port=0)
    async with open_deps(settings) as deps, running_web_server(deps) as server:
        assert server is not None and deps.links is not None
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/readyz")).status_code == 200
            url = await deps.links.photo_url(Photo(content=PNG))
            assert url.startswith(PUBLIC_BASE_URL + "/p/")
            assert (await client.get(_path(url))).content == PNG
