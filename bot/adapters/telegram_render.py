"""Outgoing text as Telegram HTML, split under the 4096-character limit without breaking tags or entities."""

from __future__ import annotations

import html

from bot.messaging import BOLD_CLOSE, BOLD_OPEN

TELEGRAM_TEXT_LIMIT = 4096


def to_html(text: str) -> str:
    """Escapes everything, then turns our bold marks into <b> tags (balanced even if a mark is missing)."""
    out: list[str] = []
    open_bold = False
    for piece in _pieces(text):
        if piece == BOLD_OPEN and not open_bold:
            out.append("<b>")
            open_bold = True
        elif piece == BOLD_CLOSE and open_bold:
            out.append("</b>")
            open_bold = False
        elif piece not in (BOLD_OPEN, BOLD_CLOSE):
            out.append(html.escape(piece, quote=False))
    if open_bold:
        out.append("</b>")
    return "".join(out)


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    current = []
    for char in text:
        if char in (BOLD_OPEN, BOLD_CLOSE):
            pieces.append("".join(current))
            pieces.append(char)
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def _visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text without our marks."""
    stripped = text.replace(BOLD_OPEN, "").replace(BOLD_CLOSE, "")
    return len(stripped.encode("utf-16-le")) // 2


def split_for_telegram(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Chunks of plain-marked text, each within `limit` once rendered; cut at blank lines, then lines, then words."""
    chunks: list[str] = []
    current = ""
    for block in _units(text, limit):
        candidate = f"{current}\n{block}" if current else block
        if _visible_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = block
    if current:
        chunks.append(current)
    return [_rebalance(chunk) for chunk in chunks] or [""]


def _units(text: str, limit: int) -> list[str]:
    units: list[str] = []
    for line in text.split("\n"):
        while _visible_length(line) > limit:
            cut = line.rfind(" ", 0, limit // 2) if " " in line[: limit // 2] else limit // 2
            cut = cut if cut > 0 else limit // 2
            units.append(line[:cut])
            line = line[cut:].lstrip()
        units.append(line)
    return units


def _rebalance(chunk: str) -> str:
    """A chunk cut inside a bold run gets the marks it needs on its own."""
    if chunk.rfind(BOLD_OPEN) > chunk.rfind(BOLD_CLOSE):
        chunk += BOLD_CLOSE
    first_close, first_open = chunk.find(BOLD_CLOSE), chunk.find(BOLD_OPEN)
    if first_close != -1 and (first_open == -1 or first_close < first_open):
        chunk = BOLD_OPEN + chunk
    return chunk
