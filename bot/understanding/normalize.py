"""Folding Vietnamese text for matching, one character at a time.

Officers type with or without diacritics ("đã xong", "da xong", "ĐÃ XONG"), so every matcher in this
package works on a *folded* copy of the text: lower case, no diacritics, "đ" → "d". Folding is done per
character, so the folded string has exactly the length of its input and an index found in it is an index
into the original. That is how a note is cut from the user's own words, diacritics and all.

Callers should NFC-normalise first (:func:`prepare`); on NFC text every Vietnamese letter is one code point.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["MASK", "fold", "prepare", "typed_as"]

#: Stands for a character already consumed by a matcher; no pattern matches it and it is not a word char.
MASK = "\x00"

# Typographic look-alikes folded to their ASCII forms (each one character to one character).
_PUNCT = {
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\uff1a": ":",  # full-width colon
    "\uff05": "%",  # full-width percent
    "\u066a": "%",  # Arabic percent sign (some keyboards)
    "\uff0f": "/",  # full-width solidus
    "\u00a0": " ",  # no-break space
    "\u202f": " ",
    "\u2009": " ",
    "\u200b": " ",  # zero-width space
    "\ufe0f": " ",  # emoji variation selector
}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character folded to exactly one character."""
    if char in _PUNCT:
        return _PUNCT[char]
    if char in "đĐ":
        return "d"
    lower = char.lower()
    if len(lower) != 1:  # e.g. "İ" lowers to two code points: keep it as it is
        lower = char
    if lower.isascii():
        return lower
    base = "".join(c for c in unicodedata.normalize("NFD", lower) if not unicodedata.combining(c))
    if len(base) == 1:
        return base
    if not base:  # a lone combining mark left after NFC: a separator, not part of a word
        return " "
    return lower


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its diacritics (đ → d), keeping one output char per input char.

    >>> fold("Đã hoàn thành 100%")
    'da hoan thanh 100%'
    >>> len(fold("Vướng mắc")) == len("Vướng mắc")
    True
    """
    return "".join(_fold_char(c) for c in text)


def prepare(text: str) -> str:
    """NFC-normalise ``text`` so that each Vietnamese letter is a single code point."""
    return unicodedata.normalize("NFC", text)


def typed_as(original: str, *accented: str) -> bool:
    """Whether ``original`` (a matched word in the user's text) may be read as the given spellings.

    Folding merges words that differ only by their marks ("một" one / "mốt" the day after tomorrow,
    "do" because / "độ" degree). A word typed without any diacritics is accepted (the user simply did
    not type them); a word typed with diacritics must be one of ``accented`` (compared in lower case).

    >>> typed_as("mot", "mốt"), typed_as("mốt", "mốt"), typed_as("một", "mốt")
    (True, True, False)
    """
    low = original.lower()
    if low == fold(low):
        return True
    return low in {a.lower() for a in accented}
