"""Plans already read from a document, by content hash, so each button press of a preview does not re-read the
file (a .docx takes a few hundred milliseconds). Keyed by the hash, an entry can never be stale."""

from __future__ import annotations

import copy
from collections import OrderedDict

from bot.importing.draft import DraftPlan

DraftKey = tuple[str, str, str | None]  # (sha256, file suffix, plan number given)


class DraftCache:
    """A small LRU; each caller gets its own copy to adjust."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._drafts: OrderedDict[DraftKey, DraftPlan] = OrderedDict()

    def get(self, key: DraftKey) -> DraftPlan | None:
        draft = self._drafts.get(key)
        if draft is None:
            return None
        self._drafts.move_to_end(key)
        return copy.deepcopy(draft)

    def put(self, key: DraftKey, draft: DraftPlan) -> DraftPlan:
        self._drafts[key] = copy.deepcopy(draft)
        while len(self._drafts) > self._size:
            self._drafts.popitem(last=False)
        return draft
