"""What a column (or a "Label: value" line) means, read from its label by meaning, not by position.

Labels are folded (no diacritics, no case, punctuation as spaces) and matched whole, after dropping a
parenthesised remark: "Thời gian hoàn thành (dự kiến)" → deadline, "Chủ trì, tổng hợp" → lead.
"""

from __future__ import annotations

import re

from bot.importing.extract.text import MERGED, key

TT = "tt"
TASK = "task"
LEAD = "lead"
COORDINATE = "coordinate"
SUPERVISE = "supervise"
EXECUTORS = "executors"  # "Đơn vị thực hiện": the lead first (unless a lead column exists), then coordinators
DEADLINE = "deadline"
RESULT = "result"
AREA = "area"
COMPONENT = "component"
NOTE = "note"

_UNIT = r"(?:don vi |co quan |phong |bo phan )?"
_ROLES: tuple[tuple[str, str], ...] = (
    (TT, r"s?tt|so tt|thu tu|so thu tu"),
    (AREA, r"chi so noi dung|linh vuc( cai cach)?|nhom nhiem vu|noi dung cai cach|nhom chi so|chi so"),
    (COMPONENT, r"noi dung thanh phan|chi so thanh phan|tieu chi thanh phan|tieu chi"),
    (LEAD, _UNIT + r"chu tri( thuc hien| tham muu( thuc hien)?| tong hop| theo doi)?|dau moi( thuc hien)?"),
    (COORDINATE, _UNIT + r"phoi hop( thuc hien)?"),
    (SUPERVISE, _UNIT + r"giam sat"),
    (DEADLINE, r"(thoi gian|tien do|thoi han|moc thoi gian)( thuc hien| hoan thanh| trien khai)?( du kien)?"),
    (EXECUTORS, _UNIT + r"(thuc hien|trien khai|trach nhiem( thuc hien)?)|don vi|co quan|phan cong"),
    (RESULT, r"(ket qua|san pham)( du kien| dau ra| can dat)?|ket qua san pham|san pham ket qua"),
    (
        TASK,
        (
            r"(ten |cac )?(nhiem vu|noi dung|cong viec|hoat dong|giai phap)( cong viec| nhiem vu| cu the"
            r"| thuc hien| hoat dong| giai phap| trong tam)?|nhiem vu va giai phap|noi dung nhiem vu giai phap"
        ),
    ),
    (NOTE, r"ghi chu"),
)
_COMPILED = tuple((role, re.compile(pattern)) for role, pattern in _ROLES)
_REMARK = re.compile(r"\([^)]*\)")


def role_of(label: str) -> str | None:
    """The meaning of a column label or line label, or None."""
    if not label or label in MERGED or len(label) > 60:
        return None
    folded = key(_REMARK.sub(" ", label))
    for role, pattern in _COMPILED:
        if pattern.fullmatch(folded):
            return role
    return None


def header_roles(row: list[str]) -> dict[int, str] | None:
    """Column index → role when `row` is a task table's header row, else None."""
    roles: dict[int, str] = {}
    for index, cell in enumerate(row):
        role = role_of(cell.replace("\n", " "))
        if role and role not in roles.values():
            roles[index] = role
    found = set(roles.values()) - {TT, NOTE}
    if len(found) >= 2 and found & {TASK, COMPONENT} and found & {LEAD, EXECUTORS, DEADLINE, COORDINATE}:
        return roles
    return None


def find_header(rows: list[list[str]], look: int = 6) -> tuple[int, dict[int, str]] | None:
    """The header row among the first rows (title rows above it are skipped) and its roles."""
    for index, row in enumerate(rows[:look]):
        roles = header_roles(row)
        if roles:
            return index, roles
    return None
