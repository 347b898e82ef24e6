"""Who issues the report and where: the agency header of the document, taken from the plan unless given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.reports import text_vi
from bot.reports.wording import symbol_of
from storage.models import Plan

# Centrally-run cities: their departments sit under "UBND THÀNH PHỐ …"; other places are provinces ("tỉnh …").
_CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế")


@dataclass(frozen=True)
class Letterhead:
    parent_agency: str  # cơ quan chủ quản, upper case: "UBND THÀNH PHỐ HÀ NỘI"
    agency: str  # cơ quan ban hành, upper case: "SỞ VĂN HÓA VÀ THỂ THAO"
    agency_name: str  # as the body names it: "Sở Văn hóa và Thể thao Hà Nội"
    symbol: str  # after "BC-" in the number line: "SVHTT"
    place: str  # "Hà Nội"
    issued_on: date
    signer: str | None = None


def letterhead_for(
    plan: Plan, *, issued_on: date, signer: str | None = None, parent_agency: str | None = None,
    agency: str | None = None, place: str | None = None,
) -> Letterhead:
    """The header a plan's report carries: derived from the plan's issuer, each part overridable."""
    issuer = re.sub(r"\s+", " ", plan.issuer or "").strip()
    derived_parent, derived_agency, derived_place = _split_issuer(issuer)
    return Letterhead(
        parent_agency=(parent_agency or derived_parent).upper(),
        agency=(agency or derived_agency).upper(),
        agency_name=issuer or agency or text_vi.BLANK,
        symbol=symbol_of(plan.number),
        place=place or derived_place,
        issued_on=issued_on,
        signer=signer,
    )


def _split_issuer(issuer: str) -> tuple[str, str, str]:
    for city in _CITIES:
        if issuer.lower().endswith(" " + city.lower()):
            head = issuer[: -len(city)].strip()
            head = re.sub(r"\s+(thành phố|tp\.?)$", "", head, flags=re.IGNORECASE)
            return f"UBND thành phố {city}", head, city
    match = re.match(r"(.+?)\s+tỉnh\s+(.+)$", issuer, flags=re.IGNORECASE)
    if match:
        return f"UBND tỉnh {match.group(2)}", match.group(1), match.group(2)
    return text_vi.BLANK, issuer or text_vi.BLANK, text_vi.BLANK
