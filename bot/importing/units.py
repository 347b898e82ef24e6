"""Matching the unit names a plan writes ("P. TCPC", "Phòng Tổ chức Pháp chế", "VP Sở") to the office's units.

A name that matches nothing is proposed as a new unit in the preview; it is never created or dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.keys import name_key

# Words that only say what kind of unit it is; they are ignored when comparing and when taking initials.
_KIND_PREFIXES = ("phong", "p", "ban", "trung tam", "tt")
_TRAILING = (" thuoc so", " so")


@dataclass(frozen=True)
class KnownUnit:
    id: int
    name: str
    keys: frozenset[str]  # folded name, short name and aliases


def core_key(text: str) -> str:
    """The folded name without its kind prefix and a trailing "Sở": "Phòng Tổ chức - Pháp chế" → "to chuc phap che"."""
    key = name_key(text)
    for prefix in _KIND_PREFIXES:
        if key.startswith(prefix + " ") and len(key) - len(prefix) - 1 >= 2:
            key = key[len(prefix) + 1 :]
            break
    for suffix in _TRAILING:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            key = key[: -len(suffix)]
            break
    return key


def initials(text: str) -> str:
    """"Tổ chức - Pháp chế" → "tcpc"; "Kế hoạch Tài chính" → "khtc"."""
    return "".join(word[0] for word in core_key(text).split())


def _acronym_of(written: str, unit: KnownUnit) -> bool:
    candidate = core_key(written).replace(" ", "")
    if not re.fullmatch(r"[a-z]{2,8}", candidate) or " " in core_key(written):
        return False
    return candidate == initials(unit.name) or any(candidate == key.replace(" ", "") for key in unit.keys)


def match_unit(written: str, units: list[KnownUnit]) -> KnownUnit | None:
    """The one unit `written` means, or None (unknown, or too vague to choose)."""
    key = name_key(written)
    if not key:
        return None
    for step in (
        lambda unit: key in unit.keys,
        lambda unit: core_key(written) in {core_key(k) for k in unit.keys},
        lambda unit: _acronym_of(written, unit),
    ):
        found = [unit for unit in units if step(unit)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None
    core = core_key(written)
    if len(core.split()) >= 2:
        found = [unit for unit in units if any(core in core_key(k) for k in unit.keys)]
        if len(found) == 1:
            return found[0]
    return None
