"""A plan's number, place and date, issuer and title, read from its header and preamble."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.importing.blocks import Document, Paragraph, Table
from bot.importing.extract.headers import find_header
from bot.importing.extract.text import MERGED, clean, key
from bot.importing.extract.units import starts_like_unit

_NUMBER = re.compile(r"^Số\s*[:.]?\s*(?P<value>[^\n]*?/\s*[^\s]+)", re.IGNORECASE)
_CAPTION_NUMBER = re.compile(
    r"Kèm theo Kế hoạch số\s*:?\s*(?P<value>\d[\d\s.…]*/\s*[A-ZĐ0-9-]+)", re.IGNORECASE
)
_DATE = re.compile(
    r"^(?P<place>[^,\d]{2,40}),\s*ngày[\s.…]*(?P<d>\d{1,2})?[\s.…]*tháng[\s.…]*(?P<m>\d{1,2})?[\s.…]*"
    r"năm\s*(?P<y>\d{4})",
    re.IGNORECASE,
)
_CAPTION_DATE = re.compile(
    r"Kèm theo Kế hoạch[^)]*?\bngày\s*(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})", re.IGNORECASE
)
_CAPTION_ISSUER = re.compile(r"Kèm theo Kế hoạch[^)]*?\bcủa\s+(?P<who>[^)]+)\)")
_VERB_ISSUER = re.compile(
    r"(?P<who>(?:Sở|UBND|Ủy ban nhân dân|Ủy ban|Ban|Bộ|Văn phòng|Trung tâm|Phòng|Chi cục|Cục)\s[^;:.]*?)"
    r"\s+(?:xây dựng|ban hành)\s+Kế hoạch"
)
_TITLE_STOP = ("can cu", "thuc hien", "ngay", "de", "theo", "nham", "tren co so", "kinh gui")
_NUMBERED = re.compile(r"^(\d{1,2}|[IVXL]{1,5}|[a-zđ])\s*[.)]\s|^[-–+•]")
_MOTTO = ("cong hoa xa hoi", "doc lap tu do")
_PROPER_AFTER = ("thanh pho", "tinh", "quan", "huyen", "thi xa")
_CAPITAL_AFTER = ("so", "phong", "ban", "trung tam", "van phong", "cuc", "chi cuc", "va", "bo")


@dataclass
class Metadata:
    number: str | None = None
    title: str | None = None
    issued_on: date | None = None
    place: str | None = None
    issuer: str | None = None
    year: int | None = None


def _lines(document: Document) -> list[str]:
    """Every line of paragraphs, of non-task tables (the header table) and of the title rows above a task table's
    header, in reading order."""
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            lines.extend(clean(block.text).split("\n"))
        elif isinstance(block, Table):
            header = find_header(block.rows)  # a task table: only its title rows (a spreadsheet's caption)
            for row in block.rows[: header[0] if header else 6]:
                for cell in row:
                    if cell not in MERGED:
                        lines.extend(clean(cell).split("\n"))
    return [line for line in lines if line]


def _number(lines: list[str]) -> str | None:
    for line in lines:
        match = _NUMBER.match(line)
        if match:
            value = re.sub(r"[\s.…]+(?=/)|\s+", "", match.group("value"))
            if re.match(r"\d", value):
                return value
            break
    for line in lines:
        match = _CAPTION_NUMBER.search(line)
        if match:
            return re.sub(r"[\s.…]+(?=/)|\s+", "", match.group("value"))
    return None


def _title(lines: list[str]) -> str | None:
    for index, line in enumerate(lines):
        folded = key(line)
        if folded == "ke hoach" or (folded.startswith("ke hoach ") and line[:8] == "KẾ HOẠCH"):
            parts = [line[8:].strip()] if folded != "ke hoach" else []
            for following in lines[index + 1 : index + 4]:
                stop = any((key(following) + " ").startswith(word + " ") for word in _TITLE_STOP)
                stop = stop or bool(_NUMBERED.match(following))
                if len(following) > 300 or (parts and (stop or following.endswith(":"))):
                    break
                parts.append(following)
                if following.endswith("."):
                    break
            title = " ".join(part for part in parts if part).strip()
            return title or None
    return None


def _agency_case(upper: str) -> str:
    """ "SỞ VĂN HÓA VÀ THỂ THAO" → "Sở Văn hóa và Thể thao"; "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" → "… thành phố Hà Nội"."""
    words = upper.lower().split()
    out: list[str] = []
    proper = False
    for index, word in enumerate(words):
        before = key(" ".join(words[max(0, index - 2) : index]))
        previous = key(words[index - 1]) if index else ""
        capital = index == 0 or proper or previous in _CAPITAL_AFTER or before in _CAPITAL_AFTER
        capital = capital and before != "uy ban"
        capital = capital or (bool(out) and out[-1].endswith(","))
        if before in _PROPER_AFTER or previous in _PROPER_AFTER:
            proper = capital = True
        out.append(word[:1].upper() + word[1:] if capital and word != "và" else word)
    return " ".join(out)


def _header_agency(lines: list[str]) -> str | None:
    head: list[str] = []
    for line in lines:
        if _NUMBER.match(line) or key(line) == "ke hoach" or _DATE.match(line):
            break
        if line == line.upper() and re.search(r"[A-ZĐ]", line) and not any(m in key(line) for m in _MOTTO):
            head.append(line)
    starts = [index for index, line in enumerate(head) if starts_like_unit(line)]
    return " ".join(head[starts[-1] :]) if starts else None


def _comparable(name: str) -> str:
    return key(name).replace("ubnd", "uy ban nhan dan")


def _issuer(lines: list[str]) -> str | None:
    header = _header_agency(lines)
    found: list[str] = []
    for line in lines:
        for pattern in (_CAPTION_ISSUER, _VERB_ISSUER):
            for match in pattern.finditer(line):
                who = match.group("who").strip(" ,")
                if "về việc" not in who and len(who) <= 120:
                    found.append(who)
    if not header:
        return found[0] if found else None
    for candidate in found:
        if _comparable(candidate).startswith(_comparable(header)):
            return candidate
    return _agency_case(header)


def _caption_date(lines: list[str]) -> date | None:
    for line in lines:
        match = _CAPTION_DATE.search(line)
        if match:
            try:
                return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
            except ValueError:
                return None
    return None


def read_metadata(document: Document) -> Metadata:
    """Whatever of number, title, date, place, issuer and year the document states."""
    lines = _lines(document)
    meta = Metadata(number=_number(lines), title=_title(lines), issuer=_issuer(lines))
    for line in lines:
        match = _DATE.match(line)
        if match:
            meta.place = match.group("place").strip()
            meta.year = int(match.group("y"))
            if match.group("d") and match.group("m"):
                try:
                    meta.issued_on = date(meta.year, int(match.group("m")), int(match.group("d")))
                except ValueError:
                    meta.issued_on = None
            break
    if meta.issued_on is None:  # an appendix sent alone: "(Kèm theo Kế hoạch số 88/KH-SVHTT ngày 15/01/2024 …)"
        meta.issued_on = _caption_date(lines)
        meta.year = meta.year or (meta.issued_on.year if meta.issued_on else None)
    if meta.year is None:
        found = re.search(r"năm (\d{4})", meta.title or "")
        meta.year = int(found.group(1)) if found else None
    return meta
