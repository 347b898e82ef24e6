"""Compact callback data for buttons (Telegram allows 64 bytes).

The format is `verb:arg:arg`, with integer arguments only. Nothing in it is trusted: the handler checks
the member may act on the task named before doing anything, so a forged or stale press is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64

VERBS = {
    "t": "open_task",
    "s": "set_status",
    "e": "send_evidence",
    "l": "list_evidence",
    "p": "page",
    "c": "choose_task",
    "h": "history",
    "z": "snooze",  # outbox message, option (0: 2 hours, 1: tomorrow, 2: Monday)
    "k": "set_channel",  # index in bot.services.linking.CHANNELS: reminders go there (/kenh)
    # Extension requests (handlers/extensions.py): the request's id.
    "xa": "extension_approve",
    "xr": "extension_reject",
    "xd": "extension_other_date",
    # Summaries (handlers/summary.py, /tonghop and the weekly digest): the plan's id first. Read-only views.
    "sp": "summary_plan",  # plan: the whole summary again
    "so": "summary_overdue",  # plan
    "sb": "summary_blocked",  # plan
    "sl": "summary_units",  # plan: every lead unit's row
    "sd": "summary_areas",  # plan: the dimensions to choose from
    "sa": "summary_area",  # plan index (in plan order, see bot.services.summary.area_keys)
    "su": "summary_unit",  # plan unit_id
    "sx": "summary_extensions",  # plan: pending extension requests
    # Plan import (handlers/importing.py). The first argument is the pending import's token (from its file's
    # hash), so a button of an earlier or another import is refused; `row` indexes the preview's tasks.
    "is": "import_save",  # token
    "ix": "import_cancel",  # token
    "ib": "import_back",  # token: the preview again
    "if": "import_fix",  # token [page]: the rows to review
    "ir": "import_row",  # token row: what to fix in one row
    "iu": "import_units",  # token row [page]: known units to choose the lead from
    "il": "import_lead",  # token row unit_id
    "id": "import_due",  # token row: the next text is the row's due date
    "ig": "import_group",  # token row group [page]: known units to choose for a group of units in the row
    "it": "import_pick",  # token row group unit_id page: select or clear one unit of that group
}
IMPORT_VERBS = frozenset(verb for verb in VERBS.values() if verb.startswith("import_"))
EXTENSION_VERBS = frozenset(verb for verb in VERBS.values() if verb.startswith("extension_"))
SUMMARY_VERBS = frozenset(verb for verb in VERBS.values() if verb.startswith("summary_"))
# How many integer arguments each verb takes (page: number and overdue flag).
ARITY = {
    "page": (1, 2),
    "snooze": (2, 2),
    "import_fix": (1, 2),
    "import_row": (2, 2),
    "import_units": (2, 3),
    "import_lead": (3, 3),
    "import_due": (2, 2),
    "import_group": (3, 4),
    "import_pick": (5, 5),
    "summary_area": (2, 2),
    "summary_unit": (2, 2),
}
DEFAULT_ARITY = (1, 1)
_ARG = re.compile(r"[0-9]{1,10}")
STATUS_CODES = {"d": "done", "i": "in_progress", "b": "blocked", "n": "not_started"}
STATUS_LETTERS = {value: key for key, value in STATUS_CODES.items()}


@dataclass(frozen=True)
class Callback:
    verb: str
    args: tuple[int, ...] = ()
    status: str | None = None


def encode(verb: str, *args: int, status: str | None = None) -> str:
    letter = next(key for key, value in VERBS.items() if value == verb)
    parts = [letter, *(str(int(arg)) for arg in args)]
    if status is not None:
        parts.append(STATUS_LETTERS[status])
    data = ":".join(parts)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    return data


def decode(data: str) -> Callback | None:
    """The callback, or None when the data is not one of ours (forged, truncated, from an old version)."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    letter, *rest = data.split(":")
    verb = VERBS.get(letter)
    if verb is None:
        return None
    status = None
    if verb == "set_status":
        if not rest or rest[-1] not in STATUS_CODES:
            return None
        status = STATUS_CODES[rest.pop()]
    low, high = ARITY.get(verb, DEFAULT_ARITY)
    if not low <= len(rest) <= high or not all(_ARG.fullmatch(part) for part in rest):
        return None
    return Callback(verb=verb, args=tuple(int(part) for part in rest), status=status)
