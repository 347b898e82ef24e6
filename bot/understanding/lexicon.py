"""The words of a reply: status cues, extension requests, list/overdue/help questions, courtesies.

All patterns run on folded text (see :mod:`.normalize`). A cue may name groups whose original spelling
must be checked (:func:`.normalize.typed_as`), because folding merges words: "vướng" (stuck) and
"vuông" (square), "dời" (move) and "đợi" (wait), "đang" (-ing) and "đăng" (to post).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .normalize import typed_as

__all__ = [
    "COMMANDS",
    "COURTESY",
    "CUES",
    "EXTENSION",
    "LOOSE_QUERIES",
    "PERCENT",
    "QUERIES",
    "REASON",
    "Cue",
    "CueKind",
    "iter_matches",
    "query_form",
]

CueKind = Literal[
    "neutral",  # words that look like a cue but are negated ("không vướng gì"): consumed, mean nothing
    "question",  # "xong chưa?": somebody asks, nobody reports
    "blocked",  # "vướng", "khó khăn", "chưa làm được": the reason follows
    "blocked_weak",  # "thiếu kinh phí": blocked only if nothing else is said; the words are the reason
    "not_done",  # "chưa xong", "dự kiến xong", "sắp xong": in progress, whatever a done word says
    "not_started",  # "chưa làm", "chưa thực hiện"
    "done",  # "xong", "đã hoàn thành", "done"
    "progress",  # "đang làm", "đang triển khai", "in progress"
    "progress_weak",  # a bare "đang …": in progress unless a done word says otherwise
    "expect",  # a bare "dự kiến" (+ date): in progress unless something else is said
]


@dataclass(frozen=True, slots=True)
class Cue:
    """A pattern of one kind; ``checks`` pairs a named group with the accented spellings it may have."""

    kind: CueKind
    pattern: re.Pattern[str]
    checks: tuple[tuple[str, tuple[str, ...]], ...] = ()


def iter_matches(
    pattern: re.Pattern[str],
    view: str,
    original: str,
    checks: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` in ``view`` whose checked groups were typed as one of their spellings."""
    for match in pattern.finditer(view):
        ok = True
        for group, forms in checks:
            if match.group(group) is not None and not typed_as(
                original[match.start(group) : match.end(group)], *forms
            ):
                ok = False
                break
        if ok:
            yield match


def _c(kind: CueKind, pattern: str, *checks: tuple[str, tuple[str, ...]]) -> Cue:
    return Cue(kind, re.compile(pattern), tuple(checks))


_NEG = r"(?:khong|ko|k|kh|khg|hok|hong|hem|khum|kg|chang|cha|chua|het|no|not|without|never)"
_CHUA = r"(?:chua|chx|cha)"
_DANG = r"(?P<dang>dang|dg)"
_DO = r"(?:lam|lm|thuc\s*hien|trien\s*khai|xu\s*ly|tien\s*hanh)"
_DONE = r"(?:xo+n*g+|hoan\s*thanh|hoan\s*tat|ht)"
_VUONG = ("vướng",)

CUES: tuple[Cue, ...] = (
    # -- neutral: negated obstacles and negated extension requests
    _c(
        "neutral",
        rf"\b{_NEG}\s+(?:(?:co|gap|bi|con|thay|phai)\s+)*(?P<v>vuong)(?:\s*mac)?(?:\s+gi)?(?:\s+(?:ca|het|nua))?\b",
        ("v", _VUONG),
    ),
    _c(
        "neutral",
        rf"\b{_NEG}\s+(?:(?:co|gap|bi|con|thay|phai|any)\s+)*(?:kho\s*khan|van\s*de|truc\s*trac|blockers?|problems?|issues?)"
        r"(?:\s+gi)?(?:\s+(?:ca|het|nua))?\b",
    ),
    _c("neutral", r"\bnot\s+(?:blocked|stuck)\b"),
    _c(
        "neutral",
        rf"\b{_NEG}\s+(?:(?:can|phai|xin|need\s+to|need)\s+)*(?:gia\s*han|extend|extension|more\s+time)\b",
    ),
    # -- questions, not reports
    _c(
        "question",
        rf"\b(?:da\s+)?(?:{_DONE}|lam|thuc\s*hien|bao\s*cao)\s+chua(?:\W|\b(?:a|vay|the|ha|nhi|em|anh|chi|ban)\b)*$",
    ),
    _c(
        "question",
        r"\b(?:is\s+it|are\s+you|is\s+this)\s+(?:done|finished)\b|\bany\s+(?:blockers?|problems?|issues?)\b",
    ),
    _c(
        "question",
        r"\bco\s+(?:gi\s+)?(?:(?P<v>vuong)(?:\s*mac)?|kho\s*khan|van\s*de)(?:\s+gi)?\s+(?:khong|ko|k|hok|hong)\b",
        ("v", _VUONG),
    ),
    # -- blocked
    _c("blocked", rf"\b(?:{_CHUA}|khong|ko|k)\s+(?:the\s+)?(?:{_DO}|hoan\s*thanh)\s*(?:duoc|dc)\b"),
    _c("blocked", rf"\b(?:{_CHUA}|khong|ko|k)\s+the\s+(?:{_DO}|hoan\s*thanh)\b"),
    _c(
        "blocked",  # "chưa ký được vì …": could not, and says why
        rf"\b(?:{_CHUA}|khong|ko|k)\s+(?:[a-z]+\s+){{1,3}}?(?:duoc|dc)\b(?=\s*[,:]?\s*(?:vi|do|boi|tai\s+vi|because)\b)",
    ),
    _c("blocked", r"\b(?:(?:dang|van|con)\s+)?(?:(?:bi|gap|co)\s+)?(?P<v>vuong)(?:\s*mac)?\b", ("v", _VUONG)),
    _c(
        "blocked",
        r"\b(?:(?:dang|van|con)\s+)?(?:(?:bi|gap|co)\s+)?(?:kho\s*khan|tro\s*ngai|(?P<ac>ach)\s*tac|tac\s*nghen)\b",
        ("ac", ("ách",)),
    ),
    _c("blocked", r"\b(?:(?:dang|van|con)\s+)?gap\s+(?:van\s*de|truc\s*trac|su\s*co)\b|\btruc\s*trac\b"),
    _c("blocked", r"\b(?:dang\s+)?bi\s+(?:ket|tac|dung|treo)\b|\btam\s*(?:dung|hoan|ngung)\b"),
    _c(
        "blocked",
        r"\b(?:blocked|blocker|stuck|on\s+hold|impeded|cannot\s+(?:proceed|continue)|can'?t\s+(?:proceed|continue))\b"
        r"|\b(?:problem|issue)s?\s*:",
    ),
    _c(
        "blocked_weak",
        r"\b(?P<t>thieu)\b|\bkhong\s+co\s+(?:kinh\s*phi|nguoi|nhan\s*luc|du\s*lieu|so\s*lieu|kinh\s*phi)\b"
        r"|\b(?:lack|lacking|no)\s+(?:budget|funds?|funding|staff|data)\b",
        ("t", ("thiếu",)),
    ),
    # -- in progress, whatever a done word says
    _c("not_done", rf"\b{_CHUA}\s+(?:(?:{_DO})\s+)?{_DONE}\b|\bchx\b"),
    _c("not_done", rf"\b(?:sap|gan|se|sap\s*sua)\s+(?:(?:{_DO})\s+)?{_DONE}\b"),
    _c("not_done", rf"\b(?:du\s*kien|du\s*tinh|dk)\s+(?:se\s+)?{_DONE}\b"),
    _c("not_done", rf"\b{_DONE}\s+(?:mot|1|vai|1\s*vai)\s*(?:phan|it|ti|chut)\b|\b(?:khong|ko|k)\s+kip\b"),
    _c(
        "not_done",
        r"\bnot\s+(?:yet\s+)?(?:done|finished|completed?)(?:\s+yet)?\b|\bnot\s+yet\s+(?:done|finished)\b"
        r"|\bwill\s+(?:be\s+)?(?:finish(?:ed)?|done|complete[d]?)\b|\b(?:almost|nearly)\s+(?:done|finished|complete[d]?)\b"
        r"|\bexpected\s+to\s+(?:finish|complete|be\s+done)\b",
    ),
    # -- not started
    _c(
        "not_started",
        rf"\b{_CHUA}\s+(?:(?:bat\s*dau|duoc)\s+)?(?:{_DO}|bat\s*dau|co\s*gi)\b(?!\s*(?:duoc|dc|xong)\b)",
    ),
    _c(
        "not_started",
        r"\bnot\s+(?:yet\s+)?(?:started|begun)\b|\bha(?:ve|s)n'?t\s+(?:started|begun)\b"
        r"|\bha(?:ve|s)\s+not\s+(?:yet\s+)?(?:started|begun)\b",
    ),
    # -- done
    _c(
        "done",
        rf"\b(?:(?P<past>da|d|dc|duoc|vua|moi|vua\s+moi|da\s+lam)\s+)?(?:(?:{_DO})\s+)?{_DONE}"
        r"(?:\s+xuoi)?(?:\s+(?P<past2>roi|r|xong|het))?\b",
        ("past", ("đã", "đ", "đc", "được", "vừa", "mới", "vừa mới", "đã làm")),
    ),
    _c(
        "done",
        r"\b(?P<past>da)\s+(?:thuc\s*hien|lam)(?:\s+roi)?\b(?!\s*(?:duoc|dc|\d|\W*\d))",
        ("past", ("đã",)),
    ),
    _c(
        "done",
        r"\b(?P<past>all\s+done|already\s+done|completed|finished|closed|resolved)\b|\b(?:done|complete|finish)\b",
    ),
    # -- in progress
    _c(
        "progress",
        rf"\b(?:(?:van|con|hien)\s+)?{_DANG}\s+(?:(?:tiep\s*tuc|tich\s*cuc|khan\s*truong|gap\s*rut)\s+)?"
        r"(?:lam|lm|thuc\s*hien|th|trien\s*khai|tk|xu\s*ly|xl|tien\s*hanh|thuc\s*thi)\b",
        ("dang", ("đang", "đg")),
    ),
    _c(  # "đang tổng hợp số liệu": "đang" is the status word, the activity is the remark
        "progress",
        rf"\b(?:(?:van|con|hien)\s+)?{_DANG}(?=\s+(?:hoan\s*thien|soan|xay\s*dung|tong\s*hop|chuan\s*bi|ra\s*soat"
        r"|lay\s*y\s*kien|xin\s*y\s*kien|trinh|tham\s*dinh|thu\s*thap|cap\s*nhat|du\s*thao|to\s*chuc|kiem\s*tra)\b)",
        ("dang", ("đang", "đg")),
    ),
    _c(
        "progress",
        r"\b(?:in\s*progress|on\s*going|ongoing|working\s+on(?:\s+it)?|wip|underway|under\s+way|in\s+process"
        r"|processing|doing\s+it|still\s+working)\b|\btiep\s*tuc\s+(?:thuc\s*hien|lam|trien\s*khai)\b|\bda\s+trien\s*khai(?:\s+thuc\s*hien)?\b",
    ),
    _c("progress_weak", rf"\b(?:(?:van|con|hien)\s+)?{_DANG}\b", ("dang", ("đang", "đg"))),
    _c("expect", r"\b(?:du\s*kien|du\s*tinh|expected|eta)\b"),
)

#: Percent with its lead-in words ("được 70%", "đã làm được 50%", "tiến độ 40%").
PERCENT = re.compile(
    r"(?:\b(?:da\s+)?(?:(?:lam|lm|thuc\s*hien|trien\s*khai)\s+)?(?:duoc|dc|dat|len|khoang|tam|tien\s*do|muc|kl"
    r"|khoi\s*luong|about|around|at)\s*[:~]?\s*)?~?\s*(?<![\d.,/])(?P<p>\d{1,3})(?:[.,]\d+)?\s*(?:%|phan\s*tram|percent|pct)"
    r"(?:\s*(?:khoi\s*luong|cong\s*viec|phan\s*viec|ke\s*hoach|tien\s*do|done|complete))?"
)

#: A request for a later due date.
_ASKING = (
    r"(?:(?:xin|de\s*nghi|de\s*xuat|kien\s*nghi|mong|muon|can|request(?:ing)?|please|pls|em|toi|duoc|cho"
    r"|phep|them)\s+)*"
)
EXTENSION: tuple[Cue, ...] = (
    _c(
        "neutral",
        rf"\b{_ASKING}(?:gia\s*han|gia\s*hang|them\s+thoi\s*gian|extend(?:ed|ing)?|extension"
        r"|postpone|more\s+time|push\s+(?:it\s+)?(?:back|to)|delay\s+(?:it\s+)?(?:to|until))\b",
    ),
    _c(
        "neutral",
        rf"\b{_ASKING}(?P<v>lui|doi|hoan|dich)\s*(?:han|lai|den|sang|toi|thoi\s*han|tien\s*do|ngay)\b",
        ("v", ("lùi", "dời", "hoãn", "dịch")),
    ),
    _c("neutral", r"\bxin\s+(?P<v>lui|them)\b", ("v", ("lùi", "thêm"))),
)

#: Where a reason starts: "vì", "do", "bởi vì", "because", "lý do:".
REASON = Cue(
    "neutral",
    re.compile(
        r"\b(?:(?:boi|tai)\s+vi|(?P<vi>vi)|(?P<do>do)|(?P<boi>boi)|because(?:\s+of)?|since|due\s+to|as|ly\s*do|li\s*do"
        r"|reason)\b\s*:?"
    ),
    (("vi", ("vì",)), ("do", ("do",)), ("boi", ("bởi",))),
)

#: Thanks, greetings to the bot, @mentions: never part of a note.
COURTESY = re.compile(
    r"\b(?:xin\s+)?(?:cam\s*on|cmon|thanks?|thank\s+you|tks|thx)\b(?:\s+(?:anh|chi|em|sep|a|c|ad|nhieu|so\s+much|you))*"
    r"|@\w+|\b(?:em\s+)?(?:kinh\s+)?(?:xin\s+)?bao\s*cao(?:\s+(?:anh|chi|sep|lanh\s*dao|a|c))?\s*:"
)

# ---- questions to the bot (matched on query_form(text))

_ASK = (
    r"(?:(?:cho|xin|gui|hay|vui\s+long|please|pls|show|xem|liet\s+ke|kiem\s+tra|check|tra\s+cuu|bot|oi|em|anh|chi"
    r"|toi|minh|muon|can|me|my|the|all|tat\s+ca|cac|nhung|nao|co|get|list|see|what|are)\s+)*"
)
_TAIL = (
    r"(?:\s+(?:a|nhe|nha|voi|di|nao|khong|ko|k|vay|the|gi|ha|oi|bot|please|pls|cua\s+(?:toi|em|minh|anh|chi|tao)"
    r"|hien\s+tai|hom\s+nay|con\s+lai|chua\s+xong|chua\s+hoan\s+thanh|dang\s+lam|can\s+lam|phai\s+lam|duoc\s+giao"
    r"|of\s+mine|for\s+me|now|today))*(?:\s*\?+)?"
)
_TASKS = r"(?:viec|cong\s+viec|nhiem\s+vu|nv|tasks?|todos?|to\s+do)"

QUERIES: tuple[tuple[Literal["list", "overdue", "help"], re.Pattern[str]], ...] = (
    (
        "overdue",
        re.compile(
            rf"{_ASK}(?:(?:danh\s+sach|ds)\s+)?(?:{_TASKS}\s+)?(?:nao\s+)?(?:(?:bi|da|dang)\s+)?"
            rf"(?:qua\s+han|tre\s+han|cham\s+tien\s+do|tre|overdue|late|past\s+due){_TAIL}"
            rf"|{_ASK}(?:overdue|late)\s+{_TASKS}{_TAIL}"
        ),
    ),
    (
        "list",
        re.compile(
            rf"{_ASK}(?:(?:danh\s+sach|ds)(?:\s+{_TASKS})?|{_TASKS}|list|todo\s+list|my\s+list){_TAIL}"
        ),
    ),
    (
        "help",
        re.compile(
            rf"{_ASK}(?:help|giup(?:\s+do)?|tro\s+giup|huong\s+dan(?:\s+su\s+dung)?|cach\s+(?:dung|su\s+dung|bao\s+cao)"
            rf"|su\s+dung\s+the\s+nao|lam\s+(?:sao|the\s+nao)(?:\s+de)?(?:\s+(?:bao\s+cao|dung|su\s+dung|cap\s+nhat))?|menu|cac\s+lenh|lenh|commands?|how\s+to\s+use|\?+){_TAIL}"
        ),
    ),
)

#: Loose forms, used only when a reply has no status and no task reference.
LOOSE_QUERIES: tuple[tuple[Literal["list", "overdue"], re.Pattern[str]], ...] = (
    ("overdue", re.compile(r"\b(?:qua\s+han|tre\s+han|overdue)\b")),
    (
        "list",
        re.compile(
            rf"\b(?:danh\s+sach|ds)\s+{_TASKS}\b|\b{_TASKS}\s+cua\s+(?:toi|em|minh|tao)\b|\bmy\s+tasks\b"
        ),
    ),
)

#: Slash commands ("/viec", "/quahan@DonDocBot").
COMMANDS: dict[str, Literal["list", "overdue", "help"]] = {
    "viec": "list",
    "list": "list",
    "tasks": "list",
    "danhsach": "list",
    "ds": "list",
    "nhiemvu": "list",
    "quahan": "overdue",
    "overdue": "overdue",
    "trehan": "overdue",
    "help": "help",
    "huongdan": "help",
    "giup": "help",
    "trogiup": "help",
}


def query_form(folded: str) -> str:
    """``folded`` with punctuation (but "?") turned into spaces and spaces collapsed, for :data:`QUERIES`."""
    text = re.sub(r"[^\w?]+|_", " ", folded.replace("\x00", " "))
    text = re.sub(r"\s*\?[\s?]*", " ?", text)
    return re.sub(r"\s+", " ", text).strip()
