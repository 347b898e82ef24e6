"""Domain words: PAPI dimensions, reform areas, timing phrases, kinds of plan sections."""

from __future__ import annotations

import re

from bot.importing.extract.text import key

# The eight PAPI dimensions (chỉ số nội dung) as DOMAIN.md names them, with the folded words that identify each.
PAPI_DIMENSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Tham gia của người dân ở cấp cơ sở", ("tham gia cua nguoi dan",)),
    ("Công khai, minh bạch", ("cong khai minh bach",)),
    ("Trách nhiệm giải trình với người dân", ("trach nhiem giai trinh",)),
    ("Kiểm soát tham nhũng trong khu vực công", ("kiem soat tham nhung",)),
    ("Thủ tục hành chính công", ("thu tuc hanh chinh",)),
    ("Cung ứng dịch vụ công", ("cung ung dich vu cong",)),
    ("Quản trị môi trường", ("quan tri moi truong",)),
    ("Quản trị điện tử", ("quan tri dien tu",)),
)

# Administrative-reform areas (CCHC / PAR Index), folded.
REFORM_AREAS: tuple[str, ...] = (
    "cai cach the che",
    "cai cach thu tuc hanh chinh",
    "cai cach to chuc bo may",
    "to chuc bo may",
    "che do cong vu",
    "cai cach tai chinh cong",
    "tai chinh cong",
    "chinh quyen dien tu",
    "chinh quyen so",
    "hien dai hoa hanh chinh",
)

_TIMING = re.compile(
    r"^(thuong xuyen|theo quy dinh|theo ke hoach|hang (thang|quy|nam|tuan)|dinh ky|trong (thang|quy|nam)"
    r"|nam \d{4}|quy [ivx1-4]+|tu (thang )?\d|truoc ngay|cham nhat|khi co yeu cau|dot xuat|\d{1,2} \d{4}"
    r"|6 thang|sau thang|thang \d{1,2} \d{4}|ngay \d{1,2} \d{1,2})"
)

_SKIPPED_SECTIONS = (
    "muc dich", "yeu cau", "muc tieu", "can cu", "ket qua", "danh gia", "tinh hinh", "thuc trang",
    "quan diem", "kinh phi", "nguon luc",
)  # fmt: skip
_ORGANISATION_SECTIONS = ("to chuc thuc hien", "trach nhiem thuc hien", "phan cong thuc hien")
_TARGET_HEADINGS = ("chi tieu", "muc tieu", "ket qua", "yeu cau", "muc dich")
_GENERIC_HEADINGS = ("nhiem vu", "giai phap", "noi dung", "nhiem vu giai phap", "nhiem vu va giai phap",
                     "nhiem vu cu the", "cac nhiem vu", "cac nhiem vu giai phap")  # fmt: skip


def papi_dimension(text: str) -> str | None:
    """The DOMAIN.md name of the PAPI dimension `text` names ("Thủ tục hành chính" → "Thủ tục hành chính công")."""
    folded = key(text)
    for name, words in PAPI_DIMENSIONS:
        if any(word in folded for word in words):
            return name
    return None


def names_area(text: str) -> bool:
    """Whether a heading names a PAPI dimension or an administrative-reform area."""
    folded = key(text)
    return papi_dimension(text) is not None or any(area in folded for area in REFORM_AREAS)


def is_timing_phrase(text: str) -> bool:
    """ "Thường xuyên", "Theo quy định", "Trong năm 2023", "Quý III/2023"… (not a result such as "100% …")."""
    return bool(text) and len(text) <= 80 and bool(_TIMING.match(key(text)))


def section_kind(heading: str) -> str:
    """ "tasks", "organisation" or "skip" for a roman-numbered section heading."""
    folded = key(heading)
    if any(word in folded for word in _ORGANISATION_SECTIONS):
        return "organisation"
    if "nhiem vu" in folded or "giai phap" in folded or "noi dung" in folded:
        return "tasks"
    if any(folded.startswith(word) or f" {word}" in folded for word in _SKIPPED_SECTIONS):
        return "skip"
    return "tasks"


def is_target_heading(text: str) -> bool:
    folded = key(text)
    return any(folded == word or folded.startswith(word + " ") for word in _TARGET_HEADINGS)


def is_generic_heading(text: str) -> bool:
    return key(text) in _GENERIC_HEADINGS
