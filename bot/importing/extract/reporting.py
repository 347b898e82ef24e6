"""The organisation section (TỔ CHỨC THỰC HIỆN): who follows the plan up, and the reporting regime.

Per-unit duty bullets there ("Phòng Kế hoạch - Tài chính: hướng dẫn lập dự toán …") are not tasks: they restate
roles without a deliverable or a date. A sentence that has units report to the follow-up office ("báo cáo … về
Văn phòng Sở trước ngày 20/10/2023", "Định kỳ hàng quý, 6 tháng, năm … báo cáo … về Văn phòng") is a task for
every unit, one per distinct regime: each hard date, and each period kind of a list ("hàng quý, 6 tháng, năm"
gives a quarterly, a semiannual and an annual report). "Đột xuất" (on request) gives no task.
"""

from __future__ import annotations

import re

from bot.importing.draft import ALL_UNITS, DraftTask
from bot.importing.extract.outline import Entry, FieldBlock
from bot.importing.extract.prose import Positioned
from bot.importing.extract.text import key, sentence_case, sentences
from bot.importing.extract.units import looks_like_unit_heading, same_unit, split_units

_STRONG = re.compile(r"\b(la )?co quan (thuong truc|tham muu|dau moi)|\bla dau moi\b")
_FOLLOW = re.compile(r"\btheo doi don doc\b|\bdon doc\b")
_HARD_DATE = re.compile(
    r"(?:trước|chậm nhất|không quá|trước hoặc trong)\s+(?:ngày\s+)?\d{1,2}/\d{1,2}(?:/\d{2,4})?",
    re.IGNORECASE,
)
_PERIOD_WORDS = {"hang", "thang", "quy", "nam", "6", "sau", "va", "hoac", "dot", "xuat", "moi", "tung"}
PERIOD_PHRASES = {
    "monthly": "Định kỳ hàng tháng",
    "quarterly": "Định kỳ hàng quý",
    "semiannual": "Định kỳ 6 tháng",
    "annual": "Định kỳ hàng năm",
}


def _unit_heading(entry: Entry) -> str | None:
    """The unit an organisation entry is about: its item's heading, or "Văn phòng Sở: …" at its start."""
    if entry.item_heading:
        return entry.item_heading
    match = re.match(r"^([^:]{3,80}):", entry.title)
    return match.group(1).strip() if match and looks_like_unit_heading(match.group(1)) else None


def follow_up_office(nodes: list[Entry | FieldBlock], issuer: str | None) -> str | None:
    """The unit the organisation section makes the follow-up office, else the issuer's office."""
    best: tuple[int, str] | None = None
    for node in nodes:
        heading = _unit_heading(node) if isinstance(node, Entry) else None
        if node.section_kind != "organisation" or not heading or not looks_like_unit_heading(heading):
            continue
        names = split_units(heading)
        if len(names) != 1 or names[0] == ALL_UNITS or key(heading).startswith("cac "):
            continue
        folded = key(node.title)
        score = 3 if _STRONG.search(folded) else 2 if _FOLLOW.search(folded) else 0
        if score and (best is None or score > best[0]):
            best = (score, heading)
    if best:
        return best[1]
    if issuer and key(issuer).startswith("so "):
        return "Văn phòng Sở"
    return f"Văn phòng {issuer}" if issuer else None


def periods(text: str) -> list[str]:
    """Period kinds a regime names: "Định kỳ hàng quý, 6 tháng, năm" → quarterly, semiannual, annual."""
    words = key(text).split()
    found: set[str] = set()
    for index, word in enumerate(words):
        if word == "hang" and index + 1 < len(words) and words[index + 1] in ("thang", "quy", "nam"):
            found.add({"thang": "monthly", "quy": "quarterly", "nam": "annual"}[words[index + 1]])
        if word == "dinh" and words[index + 1 : index + 2] == ["ky"]:
            for position in range(index + 2, min(index + 10, len(words))):
                token, before = words[position], words[position - 1]
                if token not in _PERIOD_WORDS:
                    break
                if token == "quy":
                    found.add("quarterly")
                elif token == "nam":
                    found.add("annual")
                elif token == "thang":
                    found.add("semiannual" if before in ("6", "sau") else "monthly")
    return [kind for kind in PERIOD_PHRASES if kind in found]


def _regime(text: str, follow_up: str | None) -> str | None:
    """The sentences from the one that has units report to the follow-up office."""
    targets = "van phong" + (f"|{re.escape(key(follow_up))}" if follow_up else "")
    direction = re.compile(rf"\b(ve|qua|gui|cho|toi|len)\s+({targets})\b")
    parts = sentences(text)
    for index, sentence in enumerate(parts):
        folded = key(sentence)
        if "bao cao" in folded and direction.search(folded):
            return " ".join(parts[index:])
    return None


def reporting_tasks(nodes: list[Entry | FieldBlock], follow_up: str | None) -> list[Positioned]:
    """One task per distinct reporting regime of the organisation section, led by every unit."""
    tasks: list[Positioned] = []
    for order, node in enumerate(nodes):
        if not isinstance(node, Entry) or node.section_kind != "organisation":
            continue
        if follow_up and node.item_heading and same_unit(node.item_heading, follow_up):
            continue  # the follow-up office's own duties: it compiles the reports, it does not owe them
        regime = _regime(node.title, follow_up)
        if not regime:
            continue
        phrases = [match.group(0) for match in _HARD_DATE.finditer(regime)]
        phrases += [PERIOD_PHRASES[kind] for kind in periods(regime)]
        for number, phrase in enumerate(phrases, start=1):
            task = DraftTask(
                code=node.code if len(phrases) == 1 else f"{node.code}.{number}",
                title=regime,
                lead=[ALL_UNITS],
                deadline_text=phrase,
                area=sentence_case(node.section_heading) or None,
                source=node.source,
            )
            tasks.append(((node.position, order), task))
    return tasks
