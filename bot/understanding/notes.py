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

_ANY: tuple[str, ...] = ()

# Joining words trimmed from the start of a stretch; value: accented spellings allowed (plain always is).
_LEADING: dict[str, tuple[str, ...]] = {
    "vi": ("vì",),
    "do": _ANY,
    "boi": ("bởi",),
    "tai": ("tại",),
    "la": ("là",),
    "o": ("ở",),
    "nen": ("nên",),
    "nhung": ("nhưng",),
    "va": ("và",),
    "ma": ("mà",),
    "thi": ("thì",),
    "ly": ("lý",),
    "li": ("lí",),
    "den": ("đến",),
    "toi": ("tới",),
    "truoc": ("trước",),
    "vao": ("vào",),
    "luc": ("lúc",),
    "khoang": ("khoảng",),
    "because": _ANY,
    "of": _ANY,
    "since": _ANY,
    "due": _ANY,
    "to": _ANY,
    "as": _ANY,
    "but": _ANY,
    "and": _ANY,
    "so": _ANY,
    "by": _ANY,
    "until": _ANY,
    "before": _ANY,
    "on": _ANY,
    "at": _ANY,
    "reason": _ANY,
    "with": _ANY,
    "is": _ANY,
}
# Particles and joining words trimmed from the end of a stretch.
_TRAILING: dict[str, tuple[str, ...]] = {
    "a": ("ạ", "à"),
    "nhe": ("nhé",),
    "nha": ("nha", "nhá"),
    "nhen": ("nhen",),
    "ne": ("nè",),
    "roi": ("rồi",),
    "r": _ANY,
    "ak": _ANY,
    "ah": _ANY,
    "nhi": ("nhỉ",),
    "oi": ("ơi",),
    "vay": ("vậy",),
    "luon": ("luôn",),
    "nen": ("nên",),
    "ma": ("mà",),
    "va": ("và",),
    "nhung": ("nhưng",),
    "vi": ("vì",),
    "do": _ANY,
    "den": ("đến",),
    "toi": ("tới",),
    "truoc": ("trước",),
    "vao": ("vào",),
    "luc": ("lúc",),
    "la": ("là",),
    "thi": ("thì",),
    "khoang": ("khoảng",),
    "by": _ANY,
    "until": _ANY,
    "before": _ANY,
    "to": _ANY,
    "and": _ANY,
    "but": _ANY,
    "so": _ANY,
    "because": _ANY,
    "on": _ANY,
    "at": _ANY,
    "sir": _ANY,
    "please": _ANY,
    "pls": _ANY,
    "thanks": _ANY,
}
# A stretch made only of these words says nothing worth keeping.
_FILLERS = (
    set(_LEADING)
    | set(_TRAILING)
    | {
        "da",
        "vang",
        "u",
        "uh",
        "um",
        "uhm",
        "ok",
        "oke",
        "okie",
        "okay",
        "okela",
        "em",
        "e",
        "anh",
        "chi",
        "c",
        "sep",
        "ad",
        "admin",
        "bot",
        "thua",
        "kinh",
        "gui",
        "bao",
        "cao",
        "bc",
        "tui",
        "minh",
        "nv",
        "nhiem",
        "vu",
        "viec",
        "task",
        "cong",
        "xin",
        "de",
        "nghi",
        "plz",
        "i",
        "we",
        "it",
        "its",
        "am",
        "are",
        "the",
        "my",
        "this",
        "that",
        "hien",
        "van",
        "con",
        "duoc",
        "dc",
        "dat",
        "tien",
        "ngay",
        "hom",
        "nay",
        "cung",
        "len",
        "hi",
        "hello",
        "alo",
        "yes",
        "yeah",
        "sure",
        "noted",
        "phan",
        "ca",
        "het",
        "nua",
        "gi",
        "also",
        "still",
        "now",
        "yet",
        "already",
        "currently",
        "need",
        "needs",
        "can",
        "could",
        "would",
        "will",
        "like",
        "want",
        "ask",
        "request",
        "you",
        "us",
        "me",
        "our",
        "an",
        "some",
        "more",
        "time",
    }
)

_TOKEN = re.compile(r"\w+|[^\w\s]")
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


def clean_piece(original: str, folded: str, start: int, end: int) -> str | None:
    """The meaningful words of ``original[start:end]`` (trimmed, spaces collapsed), or None."""
    tokens = [(start + m.start(), start + m.end(), m.group()) for m in _TOKEN.finditer(folded[start:end])]
    tokens = _trim(tokens, original)
    words = [t[2] for t in tokens if t[2].isalnum()]
    if not words or all(w in _FILLERS for w in words):
        return None
    text = re.sub(r"\s+", " ", original[tokens[0][0] : tokens[-1][1]]).strip()
    return text or None


def residue(
    original: str, folded: str, masked: Sequence[bool], start: int = 0, end: int | None = None
) -> str | None:
    """The note made of the unmasked stretches of ``original[start:end]``, joined with ", ", or None."""
    end = len(original) if end is None else end
    pieces: list[str] = []
    i = start
    while i < end:
        if masked[i]:
            i += 1
            continue
        j = i
        while j < end and not masked[j]:
            j += 1
        piece = clean_piece(original, folded, i, j)
        if piece:
            pieces.append(piece)
        i = j
    return ", ".join(pieces) if pieces else None
