"""Small text helpers shared by the extractors: folding, cleaning, markers, labels."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.importing.blocks import MERGED_FROM_ABOVE, MERGED_FROM_LEFT
from bot.understanding.normalize import fold as fold_chars

_HTML_TAG = re.compile(r"<[^>]{1,200}>")
_EMPHASIS = re.compile(r"(\*{1,2}|__)(?=\S)(.+?)(?<=\S)\1")
_STRAY_STARS = re.compile(r"\*{2,}")
_FOOTNOTE_MARKS = re.compile(r"(?<=\S)[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_SPACES = re.compile(r"[ \t\u00a0]+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_ROMAN = re.compile(r"[IVXL]{1,5}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ])")

MERGED = (MERGED_FROM_ABOVE, MERGED_FROM_LEFT)


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lowercase, without diacritics (đ → d); punctuation kept. Cached: headers and labels repeat a lot."""
    return fold_chars(text)


@lru_cache(maxsize=8192)
def key(text: str) -> str:
    """`fold` with punctuation collapsed to single spaces: "Chủ trì, tổng hợp" → "chu tri tong hop"."""
    return _NON_WORD.sub(" ", fold(text)).strip()


@lru_cache(maxsize=8192)
def clean(text: str) -> str:
    """NFC text without HTML tags, markdown emphasis, footnote marks or doubled spaces; lines kept."""
    if text in MERGED:
        return text
    text = unicodedata.normalize("NFC", text)
    text = _HTML_TAG.sub(" ", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _STRAY_STARS.sub("", text)
    text = _FOOTNOTE_MARKS.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def one_line(text: str) -> str:
    """The cell or paragraph text on a single line."""
    return " ".join(part for part in clean(text).split("\n") if part)


def is_roman(label: str) -> bool:
    return bool(_ROMAN.fullmatch(label))


def roman_value(label: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    for index, char in enumerate(label):
        value = values[char]
        following = values[label[index + 1]] if index + 1 < len(label) else 0
        total += -value if value < following else value
    return total


def is_letter(label: str) -> bool:
    return len(label) == 1 and label.isalpha() and label.islower()


def letter(index: int) -> str:
    """0 → "a", 25 → "z", 26 → "aa"; stable labels for bullets."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def sentence_case(text: str) -> str:
    """ "TỔ CHỨC THỰC HIỆN" → "Tổ chức thực hiện"; mixed-case text is left alone."""
    if text != text.upper():
        return text
    lower = text.lower()
    return lower[:1].upper() + lower[1:]


def strip_heading(text: str) -> str:
    """A heading without its trailing colon or full stop."""
    return text.strip().rstrip(":.").strip()
