"""GET /d/{token} (a report for one member) and GET /p/{token}.png (a chart a platform fetches)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from bot.deps import Deps
from bot.i18n import Translator
from bot.services.links import DOWNLOAD, PHOTO, Links
from bot.web import pages
from storage import members


def content_disposition(file_name: str) -> str:
    """`attachment` with an ASCII fallback name and the real (Vietnamese) name in RFC 5987 form."""
    folded = unicodedata.normalize("NFKD", file_name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in folded if not unicodedata.combining(c)).encode("ascii", "replace").decode("ascii")
    ascii_name = ascii_name.replace("?", "_").replace('"', "_").replace("\\", "_") or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


class FilePages:
    def __init__(self, deps: Deps, links: Links) -> None:
        self.deps = deps
        self.links = links

    async def download(self, request: Request) -> Response:
        link = await self.links.open(DOWNLOAD, request.path_params["token"])
        default = Translator(self.deps.settings.default_locale)
        if link is None or link.file_name is None:
            return HTMLResponse(pages.problem(default, "unknown").text, status_code=404)
        t = default
        if link.member_id is not None:
            async with self.deps.sessions() as session:
                member = await members.get_member(session, member_id=link.member_id)
            if member is not None and member.locale:
                t = Translator(member.locale)
        path = self.links.file_of(link)
        if self.links.state(link) != "ok" or not path.is_file():
            return HTMLResponse(pages.problem(t, "download_expired").text, status_code=410)
        return FileResponse(
            path, media_type=link.mime_type or "application/octet-stream",
            headers={"Content-Disposition": content_disposition(link.file_name)},
        )

    async def photo(self, request: Request) -> Response:
        link = await self.links.open(PHOTO, request.path_params["token"])
        if link is None:
            return PlainTextResponse("not found", status_code=404)
        path = self.links.file_of(link)
        if self.links.state(link) != "ok" or not path.is_file():
            return PlainTextResponse("gone", status_code=410)
        return FileResponse(path, media_type="image/png")
