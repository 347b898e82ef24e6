"""Fault injection: the authorization matrix (issue 7). Every command of handlers/router.py and every button verb
of bot/callbacks.py (plus the words that write: a status, an extension request, "nhắc lại mai"), pressed or sent
by every role, on a task of the officer's own unit (#vp: Văn phòng Sở leads) and of another unit (#tcpc: Phòng
TCPC leads) → what the table below says, and nothing stored when refused.

The roles: a stranger (no account), an officer of another unit (Thanh tra Sở), an officer and the unit head of
Văn phòng Sở, the chief of office (of Văn phòng Sở), leadership and an administrator (no unit).

The table is written from README.md's "What each role can do in the chat" and bot/services/access.py:
* anyone: /start, /help; a stranger gets only how to join for everything else;
* viewing a task (/nv, /minhchung — its evidence list —, the buttons "open", "history", "evidence list"): the chief of office, leadership and admins
  see every task; officers and unit heads their unit's;
* reporting on a task (status words and buttons, evidence, extension requests, snoozing it): officers, unit heads,
  the chief of office and admins, on their own unit's assignment only (leadership is read-only; a member
  without a unit has no assignment to report on);
* summaries (/tonghop, /donvi, /nhatky, the summary buttons): the chief of office, leadership, admins, and unit
  heads for their own unit; the periodic report (/baocao) the same (officers are told who may);
* the weekly digest (/baocaotuan): the chief of office, leadership and admins;
* plan import (/nhapkh, the import buttons): the chief of office and admins;
* extension requests (/giahan): seen by the chief of office, leadership, admins and unit heads (their unit),
  decided (the buttons) by the chief of office and admins only;
* everyone registered: /viec, /quahan, /lang, /lienket, /kenh and its button, the list's page button;
* a snooze button works only for the member its reminder was sent to.

Outcomes: ALLOW (something other than a refusal), DENY (a "Xin lỗi, …" refusal), JOIN (how to join: not
registered), STALE (the button is no longer valid for this member: the reminder or import is not theirs).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot import admin, callbacks
from bot.app import conversation, open_deps
from bot.deps import Deps
from bot.i18n import Translator
from bot.messaging import Incoming, Response
from handlers.router import COMMANDS
from scheduler.planner import Kind
from storage import members
from storage.db import transaction
from storage.models import (
    AuditEntry,
    Evidence,
    ExtensionRequest,
    OutboxMessage,
    OutboxState,
    Plan,
    ReminderItem,
    Role,
    Snooze,
    StatusReport,
)
from tests.conftest import at, make_settings
from tests.factories import STRANGER_ID, USER_IDS, seed_office

NOW = at("2023-06-20 09:00")  # a Tuesday
ALLOW, DENY, JOIN, STALE = "allow", "deny", "join", "stale"
ROLES = ("stranger", "other_officer", "officer", "unit_head", "chief", "leadership", "admin")
SENDER = {"stranger": STRANGER_ID, "other_officer": USER_IDS["hung"], "officer": USER_IDS["lan"],
          "unit_head": 1006, "chief": USER_IDS["chief"], "leadership": USER_IDS["leader"], "admin": 1007}
TITLES = {"vp": "Chế độ thông tin, báo cáo định kỳ", "tcpc": "Lồng ghép nội dung cải thiện chỉ số PAPI"}
ROWS = (StatusReport, ExtensionRequest, Evidence, AuditEntry, Snooze)

# Who may do what: one column per role, in ROLES order.
#                stranger other  officer head   chief  leader admin
EVERYONE = (JOIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)  # public, but what a stranger sees is how to join
REGISTERED = (JOIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)
VIEW_OWN = (JOIN, DENY, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)  # a task Văn phòng Sở leads
VIEW_OTHER = (JOIN, DENY, DENY, DENY, ALLOW, ALLOW, ALLOW)  # a task Phòng TCPC leads
REPORT_OWN = (JOIN, DENY, ALLOW, ALLOW, ALLOW, DENY, DENY)
REPORT_OTHER = (JOIN, DENY, DENY, DENY, DENY, DENY, DENY)
SUMMARY = (JOIN, DENY, DENY, ALLOW, ALLOW, ALLOW, ALLOW)  # unit heads: their unit
SUMMARY_ALL = (JOIN, DENY, DENY, DENY, ALLOW, ALLOW, ALLOW)  # another unit's part: not for its unit head
DIGEST = (JOIN, DENY, DENY, DENY, ALLOW, ALLOW, ALLOW)
IMPORT_COMMAND = (JOIN, DENY, DENY, DENY, ALLOW, DENY, ALLOW)
IMPORT_BUTTON = (JOIN, DENY, DENY, DENY, STALE, DENY, STALE)  # no import is open: refused as stale, not denied
EXTENSIONS_LIST = (JOIN, DENY, DENY, ALLOW, ALLOW, ALLOW, ALLOW)
EXTENSION_DECIDE = (JOIN, DENY, DENY, DENY, ALLOW, DENY, ALLOW)
OWN_REMINDER = (JOIN, STALE, ALLOW, STALE, STALE, STALE, STALE)  # the officer's own reminder message
SOMEONE_ELSES_REMINDER = (JOIN, STALE, STALE, STALE, STALE, STALE, STALE)

# Which tables a permitted write must grow (refusals must leave every table of ROWS as it was).
WRITES = {"status": StatusReport, "extension": ExtensionRequest, "snooze": Snooze, "audit": AuditEntry}


@dataclass(frozen=True)
class Action:
    name: str
    expected: tuple[str, ...]
    text: str | None = None
    button: tuple[str, tuple[str | int, ...], str | None] | None = None  # verb, args (names resolved), status
    writes: str | None = None  # a key of WRITES, when allowed
    shows: str | None = None  # "vp" or "tcpc": when allowed, that task's title is shown


def _commands() -> list[Action]:
    """Every command of the router's table (by its first name) with the arguments that matter."""
    table = {
        "start": [("", EVERYONE)],
        "help": [("", EVERYONE)],
        "viec": [("", REGISTERED)],
        "quahan": [("", REGISTERED)],
        "nv": [("{vp}", VIEW_OWN), ("{tcpc}", VIEW_OTHER)],
        "minhchung": [("{vp}", VIEW_OWN), ("{tcpc}", VIEW_OTHER)],  # lists the evidence: a view
        "tonghop": [("", SUMMARY)],
        "baocao": [("", SUMMARY)],
        "donvi": [("VP", SUMMARY), ("TCPC", SUMMARY_ALL)],
        "baocaotuan": [("on", DIGEST)],
        "lang": [("en", REGISTERED)],
        "nhapkh": [("", IMPORT_COMMAND)],
        "nhatky": [("", SUMMARY), ("TCPC", SUMMARY_ALL)],
        "giahan": [("", EXTENSIONS_LIST)],
        "lienket": [("", REGISTERED)],
        "kenh": [("", REGISTERED)],
    }
    assert set(table) == {command.names[0] for command in COMMANDS}, "a command was added: extend the table"
    return [Action(f"/{name} {args}".strip(), expected, text=f"/{name} {args}".strip(),
                   writes="audit" if name == "baocaotuan" else None,
                   shows=args.strip("{}") if name == "nv" else None)
            for name, cases in table.items() for args, expected in cases]


def _button(verb: str, expected: tuple[str, ...], *args: str | int, status: str | None = None,
            writes: str | None = None, label: str = "", shows: str | None = None) -> Action:
    return Action(f"[{verb}{label}]", expected, button=(verb, args, status), writes=writes, shows=shows)


def _buttons() -> list[Action]:
    """Every verb of bot/callbacks.py, on the own unit's task and on another unit's where it names one."""
    actions = []
    for target, view, report in (("vp", VIEW_OWN, REPORT_OWN), ("tcpc", VIEW_OTHER, REPORT_OTHER)):
        actions += [
            _button("open_task", view, target, label=f" #{target}", shows=target),
            _button("history", view, target, label=f" #{target}"),
            _button("list_evidence", view, target, label=f" #{target}"),
            _button("choose_task", view, target, label=f" #{target}", shows=target),
            _button("set_status", report, target, status="done", writes="status", label=f" #{target}"),
            _button("send_evidence", report, target, label=f" #{target}"),
            _button("extension_approve", EXTENSION_DECIDE, f"request_{target}", writes="audit", label=f" #{target}"),
            _button("extension_reject", EXTENSION_DECIDE, f"request_{target}", writes="audit", label=f" #{target}"),
            _button("extension_other_date", EXTENSION_DECIDE, f"request_{target}", label=f" #{target}"),
            _button("summary_unit", SUMMARY if target == "vp" else SUMMARY_ALL, "plan", f"unit_{target}",
                    label=f" {target}"),
        ]
    actions += [
        _button("page", REGISTERED, 1),
        _button("snooze", OWN_REMINDER, "outbox_vp", 1, writes="snooze", label=" own"),
        _button("snooze", SOMEONE_ELSES_REMINDER, "outbox_tcpc", 1, label=" another's"),
        _button("set_channel", REGISTERED, 0),
        *(_button(verb, SUMMARY, "plan") for verb in ("summary_plan", "summary_overdue", "summary_blocked",
                                                      "summary_units", "summary_areas", "summary_extensions")),
        _button("summary_area", SUMMARY, "plan", 0),
    ]
    imports = {"import_save": (1,), "import_cancel": (1,), "import_back": (1,), "import_fix": (1,),
               "import_row": (1, 0), "import_units": (1, 0), "import_lead": (1, 0, "unit_vp"),
               "import_due": (1, 0), "import_group": (1, 0, 0), "import_pick": (1, 0, 0, "unit_vp", 0)}
    actions += [_button(verb, IMPORT_BUTTON, *args) for verb, args in imports.items()]
    covered = {action.button[0] for action in actions if action.button}
    assert covered == set(callbacks.VERBS.values()), f"not in the matrix: {set(callbacks.VERBS.values()) - covered}"
    return actions


def _words() -> list[Action]:
    """Texts that write: a status, an extension request, a snooze by words."""
    return [
        Action("#vp xong", REPORT_OWN, text="#{vp} xong", writes="status"),
        Action("#tcpc xong", REPORT_OTHER, text="#{tcpc} xong"),
        Action("#vp xin gia hạn", REPORT_OWN, text="#{vp} xin gia hạn đến 15/01/2024", writes="extension"),
        Action("#tcpc xin gia hạn", REPORT_OTHER, text="#{tcpc} xin gia hạn đến 15/01/2024"),
        Action("#vp nhắc lại mai", REPORT_OWN, text="#{vp} nhắc lại mai", writes="snooze"),
        Action("#tcpc nhắc lại mai", REPORT_OTHER, text="#{tcpc} nhắc lại mai"),
    ]


ACTIONS = [*_commands(), *_buttons(), *_words()]

# ------------------------------------------------------------------------------------------------ the office


@dataclass
class Template:
    path: Path
    ids: dict[str, int]
    titles: dict[str, str]


async def _seed(database: Path, tmp_path: Path) -> dict[str, int]:
    """The factory office plus a unit head of VP and an admin, a reminder for lan (vp) and for minh (tcpc), and
    an extension request on each task, made by its officer."""
    async with open_deps(make_settings(f"sqlite:///{database}", tmp_path)) as deps:
        office = await seed_office(deps, now=NOW)
        ids = {"vp": office.tasks["vp_year"].id or 0, "tcpc": office.tasks["tcpc_oct"].id or 0}
        async with transaction(deps.sessions) as session:
            for key, role, unit in (("unit_head", Role.UNIT_HEAD, "VP"), ("admin", Role.ADMIN, None)):
                member = await admin.add_member(session, full_name=f"Người {key}", role=role, unit=unit, locale=None)
                assert member.id is not None
                external = str(SENDER[key])
                await members.link_account(session, member_id=member.id, channel="test", external_id=external,
                                           chat_id=external)
            ids["plan"] = (await session.exec(select(Plan.id))).one() or 0
            for target, person, task in (("vp", "lan", "vp_year"), ("tcpc", "minh", "tcpc_oct")):
                member = office.people[person]
                outbox = OutboxMessage(key=f"matrix-{target}", member_id=member.id or 0, day=NOW.date(),
                                       send_after=NOW, state=OutboxState.SENT, channel="test",
                                       chat_id=str(USER_IDS[person]), message_id="1", sent_at=NOW)
                session.add(outbox)
                await session.flush()
                ids[f"outbox_{target}"] = outbox.id or 0
                ids[f"unit_{target}"] = member.unit_id or 0
                session.add(ReminderItem(outbox_id=outbox.id or 0, member_id=member.id or 0,
                                         task_id=office.tasks[task].id or 0, unit_id=member.unit_id or 0,
                                         kind=Kind.BEFORE, period="matrix", due=date(2023, 12, 31)))
        run = conversation(deps)
        for target, person in (("vp", "lan"), ("tcpc", "minh")):
            user = str(USER_IDS[person])
            await run(Incoming(channel="test", chat_id=user, sender_id=user, sender_name=person, received_at=NOW,
                               text=f"#{ids[target]} xin gia hạn đến 15/01/2024 vì thiếu kinh phí"))
        async with deps.sessions() as session:
            requests = (await session.exec(select(ExtensionRequest).order_by(col(ExtensionRequest.id)))).all()
        assert [r.task_id for r in requests] == [ids["vp"], ids["tcpc"]], "the extension requests were not made"
        ids["request_vp"], ids["request_tcpc"] = requests[0].id or 0, requests[1].id or 0
    return ids


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    import asyncio

    folder = tmp_path_factory.mktemp("matrix")
    path = folder / "office.sqlite3"
    ids = asyncio.run(_seed(path, folder))
    yield Template(path, ids, TITLES)


async def _counts(deps: Deps) -> dict[str, int]:
    async with deps.sessions() as session:
        return {model.__name__: (await session.exec(select(func.count()).select_from(model))).one()
                for model in ROWS}


# ------------------------------------------------------------------------------------------------ outcomes

T = Translator("vi")  # every member's language here (none chose one; the office default is Vietnamese)
REFUSALS = (
    T._("Sorry, summaries are for the chief of office, leadership and unit heads."),
    T._("Sorry, only the chief of office decides extension requests."),
    T._("Sorry, you do not have access to this task. You can act only on your unit's tasks."),
    T._("Sorry, only the chief of office or an administrator can import plans."),
    T._("Sorry, the periodic report is for the chief of office, leadership and unit heads."),
    T._("Sorry, the weekly digest is for the chief of office, leadership and administrators."),
)
STALES = (T._("This button is no longer valid."), T._("This import is no longer open. Send the plan document again."))
JOINING = T._("Hello! This bot follows up the tasks of the office's plans, for registered members only.\n"
              "To join, ask the office (Văn phòng Sở) for an invite code, then send: /start CODE")


def _shown(response: Response) -> str:
    return "\n".join([response.notice or "", *(message.text for message in response.messages)])


def outcome(response: Response) -> str:
    shown = _shown(response)
    if JOINING in shown:
        return JOIN
    if any(refusal in shown for refusal in REFUSALS):
        return DENY
    if any(stale in shown for stale in STALES):
        return STALE
    return ALLOW


def test_the_refusals_are_the_polite_vietnamese_sentences() -> None:
    assert all(text.startswith("Xin lỗi, ") for text in REFUSALS), REFUSALS


# ------------------------------------------------------------------------------------------------ the matrix


def _incoming(role: str, action: Action, ids: dict[str, int]) -> Incoming:
    user = str(SENDER[role])
    text = action.text.format(**ids) if action.text is not None else None
    data = None
    if action.button is not None:
        verb, args, status = action.button
        data = callbacks.encode(verb, *(ids[arg] if isinstance(arg, str) else arg for arg in args), status=status)
    return Incoming(channel="test", chat_id=user, sender_id=user, sender_name=role, received_at=NOW, text=text,
                    action=data)


@pytest.fixture
async def fresh(template: Template, tmp_path: Path) -> AsyncIterator[Callable[[], Awaitable[Deps]]]:
    """A copy of the seeded office per action (so that one action's writes never change another's outcome)."""
    async with AsyncExitStack() as stack:
        counter = iter(range(10**6))

        async def open_copy() -> Deps:
            path = tmp_path / f"office-{next(counter)}.sqlite3"
            shutil.copyfile(template.path, path)
            return await stack.enter_async_context(
                open_deps(make_settings(f"sqlite:///{path}", tmp_path), migrate=False))

        yield open_copy


@pytest.mark.parametrize("role", ROLES)
async def test_every_command_and_button_does_only_what_the_role_allows(
    role: str, template: Template, fresh: Callable[[], Awaitable[Deps]]
) -> None:
    wrong = []
    for action in ACTIONS:
        deps = await fresh()
        before = await _counts(deps)
        response = await conversation(deps)(_incoming(role, action, template.ids))
        after = await _counts(deps)
        expected = action.expected[ROLES.index(role)]
        got = outcome(response)
        if got != expected:
            wrong.append(f"{action.name}: expected {expected}, got {got}: {_shown(response).strip()[:160]!r}")
        elif got != ALLOW and any(title in _shown(response) for title in template.titles.values()):
            wrong.append(f"{action.name}: refused ({got}) but a task's title was shown")
        elif action.shows is not None and got == ALLOW and template.titles[action.shows] not in _shown(response):
            wrong.append(f"{action.name}: allowed but the task was not shown: {_shown(response).strip()[:160]!r}")
        elif got != ALLOW and after != before:
            wrong.append(f"{action.name}: refused ({got}) but stored {_changed(before, after)}")
        elif got == ALLOW and action.writes is not None:
            table = WRITES[action.writes].__name__
            if after[table] <= before[table]:
                wrong.append(f"{action.name}: allowed but no {table} stored")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def _changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in before if after[name] != before[name]}
