"""Cutting the note (reason, remark) out of a reply, in the user's own words.

The reader marks what it has understood (task reference, status words, percent, date); what is left is
the note. Each left-over stretch is trimmed of joining words at its edges ("vì", "do", ":", "ạ", "nhé")
and dropped if it holds nothing but courtesy and fillers ("em báo cáo", "dạ", "ok ạ").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .normalize import typed_as

__all__ = ["clean_piece", "residue"]


def _words(spec: str) -> dict[str, tuple[str, ...]]:
    """``"vi:vì do boi:bởi"`` → ``{"vi": ("vì",), "do": (), "boi": ("bởi",)}`` (folded word: accented forms)."""
    table: dict[str, tuple[str, ...]] = {}
    for item in spec.split():
        word, _, forms = item.partition(":")
        table[word] = tuple(f for f in forms.split("/") if f)
    return table


# Joining words trimmed from the start of a stretch, with the accented spellings they may have (a plain
# spelling always may): "độ" is not "do", "tôi" is not "tới".
_LEADING = _words(
    "vi:vì do boi:bởi tai:tại la:là o:ở nen:nên nhung:nhưng va:và ma:mà thi:thì ly:lý li:lí den:đến toi:tới "
    "truoc:trước vao:vào luc:lúc khoang:khoảng because of since due to as but and so by until before on at "
    "reason with is"
)
# Particles and joining words trimmed from the end of a stretch.
_TRAILING = _words(
    "a:ạ/à nhe:nhé nha:nha/nhá nhen ne:nè roi:rồi r ak ah nhi:nhỉ oi:ơi vay:vậy luon:luôn nen:nên ma:mà va:và "
    "nhung:nhưng vi:vì do den:đến toi:tới truoc:trước vao:vào luc:lúc la:là thi:thì khoang:khoảng by until "
    "before to and but so because on at sir please pls thanks"
)
# A stretch made only of these words (any spelling) says nothing worth keeping.
_FILLERS = (
    set(_LEADING)
    | set(_TRAILING)
    | set(
        _words(
            "da vang u uh um uhm ok oke okie okay okela em e anh chi c sep ad admin bot thua kinh gui bao cao bc "
            "tui minh nv nhiem vu viec task cong xin de nghi plz i we it its am are the my this that hien van con "
            "duoc dc dat tien ngay hom nay cung len hi hello alo yes yeah sure noted phan ca het nua gi also still "
            "now yet already currently need needs can could would will like want ask request you us me our an "
            "some more time them phong don ben"
        )
    )
)

_TOKEN = re.compile(r"\w+|[^\w\s]")
# Between two stretches, anything but plain words (punctuation, digits, a masked date) starts a new part.
_CLAUSE_GAP = re.compile(r"[^\w\s]|\d")
_OPENERS = {")": "(", "]": "[", '"': '"', "'": "'"}


def _trim(tokens: list[tuple[int, int, str]], original: str) -> list[tuple[int, int, str]]:
    """``tokens`` without leading/trailing punctuation and joining words."""

    def joining(tok: tuple[int, int, str], table: dict[str, tuple[str, ...]]) -> bool:
        start, end, word = tok
        return word in table and typed_as(original[start:end], *table[word])

    while tokens and (not tokens[0][2].isalnum() or joining(tokens[0], _LEADING)):
        tokens = tokens[1:]
    while tokens:
        word = tokens[-1][2]
        if word in _OPENERS and any(t[2] == _OPENERS[word] for t in tokens[:-1]):
            break  # a closing bracket or quote whose opening is kept
        if word.isalnum() and not joining(tokens[-1], _TRAILING):
            break
        tokens = tokens[:-1]
    return tokens


def _clean(original: str, folded: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the meaningful words of ``original[start:end]`` are, once trimmed; None if there are none."""
    tokens = [(start + m.start(), start + m.end(), m.group()) for m in _TOKEN.finditer(folded[start:end])]
    tokens = _trim(tokens, original)
    words = [t[2] for t in tokens if t[2].isalnum()]
    if not words or all(w in _FILLERS for w in words):
        return None
    return tokens[0][0], tokens[-1][1]


def _text(original: str, start: int, end: int) -> str:
    return re.sub(r"\s+", " ", original[start:end]).strip()


def clean_piece(original: str, folded: str, start: int, end: int) -> str | None:
    """The meaningful words of ``original[start:end]`` (trimmed, spaces collapsed), or None."""
    found = _clean(original, folded, start, end)
    return _text(original, *found) if found else None


def residue(
    original: str, folded: str, masked: Sequence[bool], start: int = 0, end: int | None = None
) -> str | None:
    """The note made of the unmasked stretches of ``original[start:end]``, or None.

    Stretches are joined with ", ", except that two stretches of one clause (nothing but words between
    them: "Đơn vị *đang* tổng hợp số liệu") are kept together with the words between.
    """
    end = len(original) if end is None else end
    pieces: list[tuple[int, int]] = []
    i = start
    while i < end:
        if masked[i]:
            i += 1
            continue
        j = i
        while j < end and not masked[j]:
            j += 1
        found = _clean(original, folded, i, j)
        if found:
            if pieces and not _CLAUSE_GAP.search(folded[pieces[-1][1] : found[0]]):
                pieces[-1] = (pieces[-1][0], found[1])
            else:
                pieces.append(found)
        i = j
    return ", ".join(_text(original, a, b) for a, b in pieces) if pieces else None
