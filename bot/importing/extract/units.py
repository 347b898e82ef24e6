"""Unit names as a plan writes them: splitting lists, spotting "every unit" and groups, comparing two spellings.

Names stay as written ("phòng QLVH", "Phòng Tổ chức - Pháp chế"); matching them to the office's units is done
later (`bot.importing.units`). Here we only need to cut "Văn phòng Sở, phòng QLVH, Trung tâm …" into names,
keep "Các phòng, ban, đơn vị thuộc Sở" or "Sở Lao động, Thương binh và Xã hội" whole, and tell that
"Phòng TCPC" and "Phòng Tổ chức Pháp chế" are the same unit.
"""

from __future__ import annotations

import re

from bot.importing.draft import ALL_UNITS
from bot.importing.extract.text import clean, key

# Words a unit name starts with (folded): "Phòng …", "Thanh tra Sở", "UBND …", "Các phòng, …".
_HEADS = (
    "van phong", "phong", "thanh tra", "trung tam", "cac", "tat ca", "ban", "so", "ubnd", "uy ban", "chi cuc",
    "cuc", "bo", "cong an", "vien", "bao tang", "thu vien", "nha hat", "doan", "dai", "bao", "truong",
    "kho bac", "lien doan", "hoi", "to", "bo phan", "don vi", "lanh dao", "hdnd", "mat tran", "thu truong",
)  # fmt: skip
_VERB_AFTER_HEAD = (
    "ban hanh", "ban bac", "so sanh", "so hoa", "to chuc", "bao cao", "bao dam", "doan ket", "truong hop",
    "cac nhiem vu", "bo sung", "vien chuc", "phong chong", "phong ngua", "hoi nghi", "dai hoi", "so luong",
)  # fmt: skip
_ALL_WORDS = {
    "phong", "ban", "nganh", "don", "vi", "co", "quan", "chuyen", "mon", "nghiep", "vu", "truc", "thuoc", "so",
    "va", "thanh", "pho", "tinh", "sau", "day", "trong",
}  # fmt: skip
_CORE_WORDS = {"phong", "don", "quan"}
_ACRONYM = re.compile(r"[A-ZĐ][A-ZĐ0-9&.]{1,9}")
_KIND_PREFIXES = ("phong ", "p ", "ban ", "trung tam ")
_LIST_DASH = re.compile(r"\s+[-–]\s+")


def starts_like_unit(text: str) -> bool:
    """Whether `text` begins the way unit names begin ("Phòng …", "Các phòng …", "KHTC")."""
    folded = key(text)
    if any(folded.startswith(verb) for verb in _VERB_AFTER_HEAD):
        return False
    first = text.split()[0] if text.split() else ""
    return any(folded == head or folded.startswith(head + " ") for head in _HEADS) or bool(
        _ACRONYM.fullmatch(first.rstrip(",;"))
    )


def is_all_units(name: str) -> bool:
    """ "Các phòng, ban, đơn vị thuộc Sở", "các phòng, đơn vị", "Các cơ quan, đơn vị" mean every unit."""
    words = key(name).split()
    if words[:2] == ["tat", "ca"]:
        words = words[2:]
    if not words or words[0] != "cac" or len(words) < 2:
        return False
    rest = set(words[1:])
    return rest <= _ALL_WORDS and bool(rest & _CORE_WORDS)


# What a group of units is made of: "Các phòng, đơn vị có TTHC", "Các đơn vị liên quan", "Các Sở, cơ quan …".
_GROUP_KINDS = ("phong", "ban", "don vi", "co quan", "so", "nganh", "trung tam", "chi cuc", "bo phan", "to chuc",
                "doan the", "dia phuong")  # fmt: skip


def is_unit_group(name: str) -> bool:
    """ "Các phòng, đơn vị có TTHC", "Các đơn vị liên quan", "Một số phòng": several units the plan does not name.

    Not one unit (never to be created as one) and not every unit: the chief chooses which units it means."""
    if name == ALL_UNITS or is_all_units(name):
        return False
    words = key(name).split()
    if words[:2] == ["tat", "ca"]:
        words = words[2:]
    elif words[:2] == ["mot", "so"]:
        words = ["cac", *words[2:]]
    if len(words) < 2 or words[0] not in ("cac", "nhung"):
        return False
    rest = " ".join(words[1:])
    return any(rest == kind or rest.startswith(kind + " ") for kind in _GROUP_KINDS)


def _is_acronym(piece: str) -> bool:
    return " " not in piece and bool(_ACRONYM.fullmatch(piece))


def _join_commas(pieces: list[str]) -> list[str]:
    """Re-join comma pieces that continue a name: collective lists and "Sở Lao động, Thương binh và Xã hội"."""
    names: list[str] = []
    for piece in pieces:
        if not names:
            names.append(piece)
            continue
        collective = "cac" in key(names[-1]).split()
        starts_new = starts_like_unit(piece) or _is_acronym(piece)
        if (collective and piece[:1].islower()) or not starts_new:
            names[-1] = f"{names[-1]}, {piece}"
        else:
            names.append(piece)
    return names


def _dash_parts(chunk: str) -> list[str]:
    """ "Văn phòng Sở - Các phòng, …" is two names; "Phòng Tổ chức - Pháp chế" is one."""
    parts: list[str] = []
    for part in _LIST_DASH.split(chunk):
        if parts and part and not starts_like_unit(part) and not _is_acronym(part):
            parts[-1] = f"{parts[-1]} - {part}"
        elif part:
            parts.append(part)
    return parts


def split_units(text: str) -> list[str]:
    """Unit names in a cell or after "Đơn vị chủ trì:"; every-unit phrases become `ALL_UNITS`."""
    names: list[str] = []
    for line in clean(text).split("\n"):
        for chunk in re.split(r"\s*;\s*", line.strip().lstrip("-–•+").strip()):
            for part in _dash_parts(chunk.strip().lstrip("-–•+").strip()):
                pieces = [p.strip(" .") for p in re.split(r"\s*,\s*", part) if p.strip(" .")]
                names.extend(_join_commas(pieces))
    result: list[str] = []
    for name in names:
        name = name.strip(" .;:")
        if not name:
            continue
        value = ALL_UNITS if is_all_units(name) else name
        if value not in result:
            result.append(value)
    return result


def _core(name: str) -> str:
    folded = key(name)
    for prefix in _KIND_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix) + 1:
            folded = folded[len(prefix) :]
            break
    if folded.endswith(" so") and len(folded) > 4:
        folded = folded[:-3]
    return folded


def same_unit(first: str, second: str) -> bool:
    """ "Phòng TCPC" ~ "Phòng Tổ chức Pháp chế"; "Thanh tra Sở" ~ "Thanh tra"; ALL_UNITS only equals itself."""
    if ALL_UNITS in (first, second):
        return first == second
    a, b = _core(first), _core(second)
    if a == b:
        return True
    for short, long in ((a, b), (b, a)):
        if " " not in short and " " in long and short == "".join(word[0] for word in long.split()):
            return True
    return False


def without(names: list[str], taken: list[str]) -> list[str]:
    """`names` minus those that are the same unit as one in `taken`."""
    return [name for name in names if not any(same_unit(name, other) for other in taken)]


def looks_like_unit_heading(text: str) -> bool:
    """A short heading that names units ("Văn phòng Sở", "b) UBND các quận, huyện thị xã")."""
    return len(text) <= 160 and not text.rstrip().endswith(".") and starts_like_unit(text)
