"""Folded keys for matching names typed in many ways ("Phòng Tổ chức - Pháp chế" ~ "phong to chuc phap che")."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def name_key(text: str) -> str:
    """Lowercase, without diacritics (đ → d), punctuation collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub(" ", stripped).strip()
