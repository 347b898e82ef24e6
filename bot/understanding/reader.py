"""Reading a short phone reply: :func:`read_reply`.

The reply is folded (lower case, no diacritics) one character per character, so every position found in
the folded text is a position in the original. Matchers run in a fixed order and *consume* what they
match (a consumed character can be matched by nothing after it):

1. a slash command ("/viec", "/quahan", "/help") answers at once;
2. the task reference ("#12", "NV12", "12:") is consumed;
3. a reply that is only a question for the bot ("việc của tôi", "quá hạn?", "?") is list/overdue/help;
4. courtesies, negated cues ("không vướng gì"), extension requests, status cues, the percent;
5. the intent and status are decided from the kinds found (see :func:`_decide`);
6. the date (the first usable one) and the note (what is left, in the user's words) are taken.

Nothing is guessed: a reply without a status word, a percent or a request is ``unknown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .dates import DateMatch, find_dates
from .lexicon import (
    COMMANDS,
    COURTESY,
    CUES,
    EXTENSION,
    LOOSE_QUERIES,
    PERCENT,
    QUERIES,
    REASON,
    Cue,
    iter_matches,
    query_form,
)
from .model import Status, Understanding
from .normalize import MASK, fold, prepare
from .notes import residue
from .refs import find_task_ref

__all__ = ["read_reply"]

_COMMAND = re.compile(r"\s*/(?P<cmd>[a-z]+)(?:@\w+)?(?!\w)")
_COMMAND_NUMBER = re.compile(r"\s+(?:#|nv\s*)?(?P<n>\d{1,5})(?![\d%/.\-])")
# Kinds that start a new clause after a blocked reason ("vướng kinh phí, đang làm 50%").
_CLAUSE_KINDS = {"not_done", "not_started", "done", "progress", "percent", "ext"}
_CANNOT = re.compile(r"(?:chua|chx|cha|khong|ko|k|cannot|can'?t)\b")
_STATUS_KINDS = {
    "blocked",
    "not_done",
    "not_started",
    "done",
    "progress",
    "progress_weak",
    "expect",
    "percent",
}
_CLAUSE_BREAK = re.compile(r"(?:[,;.!?\n]|\b(?:nhung|but)\b)[\s,;.!?\n]*$")


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    kind: str
    match: re.Match[str] | None = None


@dataclass(slots=True)
class _Work:
    """The reply being read: original (NFC) text, folded text and what has been consumed."""

    original: str
    folded: str
    spans: list[_Span] = field(default_factory=list)
    consumed: list[bool] = field(default_factory=list)
    # The masked texts, kept until the next `consume`: a reply is scanned for dozens of cues and most of them
    # consume nothing, so rebuilding the view for each was most of the reading's cost.
    _view: str | None = field(default=None, init=False, repr=False)
    _masked_original: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.consumed = [False] * len(self.original)

    def view(self) -> str:
        """The folded text with consumed characters masked."""
        if self._view is None:
            self._view = "".join(MASK if c else ch for ch, c in zip(self.folded, self.consumed, strict=True))
        return self._view

    def masked_original(self) -> str:
        """The original text with consumed characters masked (for matchers that check diacritics)."""
        if self._masked_original is None:
            self._masked_original = "".join(
                MASK if c else ch for ch, c in zip(self.original, self.consumed, strict=True))
        return self._masked_original

    def consume(self, start: int, end: int, kind: str, match: re.Match[str] | None = None) -> _Span:
        span = _Span(start, end, kind, match)
        self.spans.append(span)
        for i in range(start, end):
            self.consumed[i] = True
        self._view = self._masked_original = None
        return span

    def scan(self, cues: tuple[Cue, ...], kind: str | None = None) -> None:
        """Consume every match of ``cues`` (in order), recording each under its kind (or ``kind``)."""
        for cue in cues:
            for match in iter_matches(cue.pattern, self.view(), self.original, cue.checks):
                if match.end() > match.start() and not any(self.consumed[match.start() : match.end()]):
                    self.consume(match.start(), match.end(), kind or cue.kind, match)

    def kinds(self) -> set[str]:
        return {s.kind for s in self.spans}

    def first(self, kind: str) -> _Span | None:
        found = [s for s in self.spans if s.kind == kind]
        return min(found, key=lambda s: s.start) if found else None

    def mask(self, kinds: set[str], extra: list[_Span] | None = None) -> list[bool]:
        """A mask hiding the spans of ``kinds`` (plus ``extra``)."""
        masked = [False] * len(self.original)
        for span in [s for s in self.spans if s.kind in kinds] + (extra or []):
            for i in range(span.start, span.end):
                masked[i] = True
        return masked


def read_reply(text: str, *, today: date) -> Understanding:
    """Read how a short reply is meant (``today`` anchors relative dates such as "mai", "thứ 6")."""
    original = prepare(text or "")
    work = _Work(original, fold(original))
    if not work.folded.strip():
        return Understanding("unknown")

    task: int | None = None
    command = _COMMAND.match(work.folded)
    if command:
        intent = COMMANDS.get(command.group("cmd"))
        if intent is not None:
            return Understanding(intent)
        work.consume(command.start(), command.start("cmd"), "courtesy")  # "/xong 12": read the words
        number = _COMMAND_NUMBER.match(work.folded, command.end())
        if number:
            work.consume(number.start(), number.end(), "ref")
            task = int(number.group("n"))

    ref = find_task_ref(work.view()) if "ref" not in work.kinds() else None
    if ref is not None:
        task, (start, end) = ref
        work.consume(start, end, "ref")
    elif task is None:
        form = query_form(work.view())
        for intent, pattern in QUERIES:
            if pattern.fullmatch(form):
                return Understanding(intent)

    for match in COURTESY.finditer(work.view()):
        if match.end() > match.start():
            work.consume(match.start(), match.end(), "courtesy", match)
    work.scan(tuple(c for c in CUES if c.kind == "neutral"))
    work.scan(EXTENSION, kind="ext")
    work.scan(tuple(c for c in CUES if c.kind != "neutral"))
    percent = None
    for match in PERCENT.finditer(work.view()):
        value = int(match.group("p"))
        if value <= 100:
            work.consume(match.start(), match.end(), "percent", match)
            percent = value

    if "ext" in work.kinds():
        return _extension(work, task, today)

    status, percent, when = _decide(work, percent, today)
    if status is not None:
        return Understanding("status", task, status, percent, when, _status_note(work, status))

    if task is None:
        view = work.view()
        for intent, pattern in LOOSE_QUERIES:
            if pattern.search(view):
                return Understanding(intent)
    return Understanding("unknown", task)


def _dates(work: _Work, today: date, *, bare: bool = False) -> list[DateMatch]:
    return find_dates(work.masked_original(), today=today, allow_bare_amounts=bare)


def _decide(work: _Work, percent: int | None, today: date) -> tuple[Status | None, int | None, date | None]:
    """Status, percent and expected date from the kinds of cue found.

    Order: blocked > 100 % (unless "chưa xong"-like) > another percent or "đang làm" > "chưa làm" >
    "chưa xong"/"dự kiến xong" > done words > 0 % > a bare "đang"/"dự kiến" > "thiếu …" alone.
    A done word with a date from today on and no "đã"/"rồi"/"vừa" ("xong 30/5", "chiều nay xong",
    "hoàn thành trước thứ 6") is a promise: in progress, expected then.
    """
    kinds = work.kinds()
    status: Status
    if "blocked" in kinds:
        return "blocked", percent, None
    if percent == 100 and "not_done" not in kinds:
        return "done", percent, None
    if percent == 100:  # "chưa hoàn thành 100%": not done, and no figure given
        status, percent = "in_progress", None
    elif percent is not None and percent > 0 or "progress" in kinds:
        status = "in_progress"
    elif "not_started" in kinds:
        return "not_started", percent, None
    elif "not_done" in kinds:
        status = "in_progress"
    elif "done" in kinds:
        done = work.first("done")
        past = done is not None and _is_past(done)
        promised = [d for d in _dates(work, today) if d.date >= today]
        if past or not promised:
            return "done", percent, None
        status = "in_progress"
    elif percent == 0:
        return "not_started", percent, None
    elif kinds & {"progress_weak", "expect"}:
        status = "in_progress"
    elif "blocked_weak" in kinds:
        return "blocked", percent, None
    else:
        return None, percent, None
    usable = [d for d in _dates(work, today) if d.date >= today]
    if not usable:
        return status, percent, None
    chosen = usable[0]
    work.consume(chosen.start, chosen.end, "date")
    return status, percent, chosen.date


def _status_note(work: _Work, status: Status) -> str | None:
    """The remark beside a status, in the user's words (see module :mod:`.notes`)."""
    base = {"ref", "courtesy", "neutral", "question", "date"}
    if status == "blocked":
        return _blocked_note(work, base)
    agreeing = {
        "done": {"done", "percent"},
        "not_started": {"not_started", "percent"},
        "in_progress": {"not_done", "progress", "progress_weak", "expect", "percent"},
    }[status]
    extra = []
    if status == "in_progress":  # "xong 50%", "mai xong": the done word was read; "đã xong phần 1" stays
        percents = [s for s in work.spans if s.kind == "percent"]
        extra = [
            s
            for s in work.spans
            if s.kind == "done"
            and (
                not _is_past(s)
                or any(p.start >= s.end and not work.folded[s.end : p.start].strip() for p in percents)
            )
        ]
    return residue(work.original, work.folded, work.mask(base | agreeing, extra))


def _is_past(span: _Span) -> bool:
    """Whether a done cue says it is already done ("đã xong", "xong rồi", "vừa xong")."""
    return span.match is not None and any(span.match.groupdict().get(g) for g in ("past", "past2"))


def _blocked_note(work: _Work, base: set[str]) -> str | None:
    """The reason after the blocked words, up to a new clause; else the words before them."""
    cue = work.first("blocked")
    if cue is None:  # blocked only by "thiếu …": the whole remark is the reason
        return residue(work.original, work.folded, work.mask(base | {"percent"}))
    end = len(work.original)
    for span in sorted(work.spans, key=lambda s: s.start):
        if span.start >= cue.end and span.kind in _CLAUSE_KINDS:
            brk = _CLAUSE_BREAK.search(work.folded[cue.end : span.start])
            if brk:
                end = cue.end + brk.start()
                break
    start = cue.end
    if _CANNOT.match(work.folded, cue.start):  # "không thể hoàn thành đúng hạn do X": the reason is X
        reason = next(
            iter(iter_matches(REASON.pattern, work.view()[:end], work.original, REASON.checks)), None
        )
        if reason is not None and reason.start() >= cue.end:
            start = reason.end()
    after = residue(work.original, work.folded, work.mask(base), start, end)
    if after:
        return after
    return residue(work.original, work.folded, work.mask(base | _STATUS_KINDS), 0, cue.start)


def _extension(work: _Work, task: int | None, today: date) -> Understanding:
    """A request for a later due date: the date asked for and the reason given."""
    cue = work.first("ext")
    assert cue is not None
    dates = _dates(work, today, bare=True)
    chosen = next((d for d in dates if d.start >= cue.start), dates[0] if dates else None)
    if chosen is not None:
        work.consume(chosen.start, chosen.end, "date")
    base = {"ref", "courtesy", "neutral", "question", "date", "ext"}

    reason = next(iter(iter_matches(REASON.pattern, work.view(), work.original, REASON.checks)), None)
    note = None
    if reason is not None:
        stops = [s.start for s in work.spans if s.start >= reason.end() and s.kind in {"ext", "date", "ref"}]
        note = residue(
            work.original,
            work.folded,
            work.mask({"ref", "courtesy"}),
            reason.end(),
            min(stops, default=len(work.original)),
        )
    if note is None:
        note = residue(work.original, work.folded, work.mask(base | _STATUS_KINDS))
    return Understanding("extension", task, None, None, chosen.date if chosen else None, note)
