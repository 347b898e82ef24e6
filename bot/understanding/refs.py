"""Task references in a reply: "#12", "NV12", "nv số 12", "nhiệm vụ 12", "task 12", "12: xong".

A number is a reference only when something marks it as one: a marker word or "#", or its place at the
very start of the reply followed by a separator ("12:", "12.", "12 -", "12)") or a status word
("12 xong"), or being the whole reply. "50%", "30/5", "3 ngày" are never references.
"""

from __future__ import annotations

import re

__all__ = ["find_task_ref"]

# After the number: not a percent, not part of a date or a decimal, not an amount of time.
_NOT_AFTER = r"(?![\d%]|[/.\-]\d|\s*%|\s*(?:ngay|tuan|thang|phan\s*tram|days?|weeks?|months?)\b)"

_MARKED = re.compile(
    r"(?:#\s*(?:nv\s*[-.:]?\s*)?"
    r"|\b(?:nv|nhiem\s*vu|task|item|stt|viec|cong\s*viec)\s*(?:so|thu|no\.?|number|#)?\s*[-.:#]?\s*)"
    rf"(?P<n>\d{{1,5}}){_NOT_AFTER}"
)
_LEADING = re.compile(r"^\s*(?P<n>\d{1,3})\s*(?::|\)|\.(?!\d)|-(?!\d))")
_LEADING_BEFORE_STATUS = re.compile(
    r"^\s*(?P<n>\d{1,3})\s+(?=(?:da|dang|dg|chua|xong|xog|ht|hoan|vuong|kho|bi|gap|du|done|finished|"
    r"in|blocked|stuck|not|xin|gia|de|lui|working|completed?)\b)"
)
_ALONE = re.compile(r"^\s*(?P<n>\d{1,5})\s*[.!?]*\s*$")


def find_task_ref(folded: str) -> tuple[int, tuple[int, int]] | None:
    """The first task reference in ``folded`` (folded text) as ``(number, (start, end))``, or None."""
    marked = _MARKED.search(folded)
    if marked:
        return int(marked.group("n")), marked.span()
    for pattern in (_ALONE, _LEADING, _LEADING_BEFORE_STATUS):
        match = pattern.search(folded)
        if match:
            return int(match.group("n")), match.span()
    return None
