"""Word's automatic list labels ("1.", "a)", "II.", "-"): they live in numbering.xml, not in the text.

Plans number their sections and the TT column with Word lists, so the labels are rendered and put back in
front of the paragraph text, counting as Word does (per abstract list, deeper levels restarting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from docx.oxml.ns import qn

_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓", "\uf02d": "-"}


@dataclass(frozen=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False


@dataclass
class _Num:
    abstract: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    levels: dict[int, Level] = field(default_factory=dict)  # lvlOverride/lvl
    used: bool = False


class ListLabels:
    """Renders the label of each numbered paragraph, in document order (it keeps the counters)."""

    def __init__(self, numbering_element: Any | None) -> None:
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.nums: dict[str, _Num] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if numbering_element is None:
            return
        for abstract in numbering_element.findall(qn("w:abstractNum")):
            self.abstracts[abstract.get(qn("w:abstractNumId"))] = _levels(abstract)
        for num in numbering_element.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            entry = _Num(abstract=_val(ref) or "")
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    entry.start_overrides[ilvl] = _int(_val(start), 1)
                entry.levels.update({ilvl: level for ilvl, level in _levels(override).items()})
            self.nums[num.get(qn("w:numId"))] = entry

    def label(self, num_id: str | None, ilvl: int) -> str:
        """The label of the next paragraph of list `num_id` at level `ilvl` ("" when none)."""
        num = self.nums.get(num_id or "")
        if num is None or num_id == "0":
            return ""
        levels = {**self.abstracts.get(num.abstract, {}), **num.levels}
        counters = self.counters.setdefault(num.abstract, {})
        if not num.used:
            num.used = True
            for level_index, start in num.start_overrides.items():
                counters[level_index] = start - 1
        level = levels.get(ilvl, Level())
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [index for index in counters if index > ilvl]:
            del counters[deeper]
        if level.fmt == "bullet":
            return _bullet(level.text)
        text = level.text
        for index in range(9):
            placeholder = f"%{index + 1}"
            if placeholder in text:
                other = levels.get(index, Level())
                value = counters.get(index, other.start)
                fmt = "decimal" if level.legal else other.fmt
                text = text.replace(placeholder, _format(value, fmt))
        return text.strip()


def _levels(parent: Any) -> dict[int, Level]:
    levels = {}
    for lvl in parent.findall(qn("w:lvl")):
        fmt = lvl.find(qn("w:numFmt"))
        text = lvl.find(qn("w:lvlText"))
        levels[int(lvl.get(qn("w:ilvl"), "0"))] = Level(
            start=_int(_val(lvl.find(qn("w:start"))), 1),
            fmt=_val(fmt) or "decimal",
            text=_val(text) or "",
            legal=lvl.find(qn("w:isLgl")) is not None,
        )
    return levels


def _bullet(text: str) -> str:
    """A bullet as text: symbol-font glyphs (private-use code points) become a plain bullet."""
    if text in _BULLETS:
        return _BULLETS[text]
    return text if text and all(" " < char < "\ue000" for char in text) else "•"


def _val(element: Any | None) -> str | None:
    return None if element is None else element.get(qn("w:val"))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _format(value: int, fmt: str) -> str:
    if fmt in ("none", ""):
        return ""
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        letters = "abcdefghijklmnopqrstuvwxyz"
        letter = letters[(value - 1) % 26] * ((value - 1) // 26 + 1) if value > 0 else str(value)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    return str(value)


def _roman(value: int) -> str:
    if value <= 0 or value >= 4000:
        return str(value)
    numerals = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    result = ""
    for number, numeral in numerals:
        while value >= number:
            result += numeral
            value -= number
    return result
