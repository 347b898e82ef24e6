"""`dondoc import FILE`: preview a plan document, then save it (or show what a revision changes).

The preview is technical output for admins and scripts (English, or JSON). Why a file cannot be imported is told
in the user's language (`--lang`, else the office's default locale) on stderr, with the same sentences the chat
uses, and the exit status is 2; nothing is saved.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.i18n import SUPPORTED, Translator
from bot.importing.draft import UnreadableDocument
from bot.importing.preview import ImportPreview
from bot.importing.save import MissingPlanNumber, PlanDiff, compare, save_preview


def render_preview(preview: ImportPreview) -> str:
    plan = preview.plan
    lines = [
        f"Plan {plan.number or '(no number)'}: {plan.title or '(no title)'}",
        f"Issued {plan.issued_on or '-'} by {plan.issuer or '-'}; {len(preview.tasks)} tasks",
        "",
        "Tasks led per unit:",
    ]
    lines += [f"  {count:4d}  {name}" for name, count in preview.tasks_per_unit().items()]
    if preview.new_units:
        lines += ["", "Units not known yet (will be created):"] + [f"  + {name}" for name in preview.new_units]
    if preview.open_groups:
        lines += ["", "Groups of units to choose (never created as units; their rows are flagged unit_group):"]
        lines += [f"  ? {name}" for name in preview.open_groups]
    if preview.flagged:
        lines += ["", f"Rows to review ({len(preview.flagged)}):"]
        for task in preview.flagged:
            lines.append(f"  {task.draft.code:10s} [{', '.join(task.flags)}] {task.draft.title[:70]}"
                         f" | deadline: {task.draft.deadline_text or '-'}")
    return "\n".join(lines)


def render_diff(diff: PlanDiff) -> str:
    if diff.new_plan:
        return f"New plan: {len(diff.added)} tasks will be added."
    if diff.nothing_to_do:
        return f"Nothing changed: the plan is already loaded as it is ({diff.unchanged} tasks)."
    summary = (f"Revision: {len(diff.added)} added, {len(diff.changed)} changed, {len(diff.removed)} removed, "
               f"{diff.unchanged} unchanged (their statuses and evidence are kept).")
    lines = [summary]
    lines += [f"  + {code}" for code in diff.added]
    lines += [f"  ~ {code} ({', '.join(fields)})" for code, fields in diff.changed]
    lines += [f"  - {code}" for code in diff.removed]
    return "\n".join(lines)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes", "c", "co", "có")


def _refuse(t: Translator, name: str, reason: str) -> int:
    from handlers.import_render import unreadable

    print(unreadable(t, name, reason, evidence_hint=False), file=sys.stderr)
    return 2


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_deps
    from bot.importing.pipeline import preview_file
    from bot.importing.readers import MAX_DOCUMENT_BYTES
    from storage.db import transaction

    t = Translator(args.lang or settings.default_locale)
    path = Path(args.file)
    if not path.is_file():
        print(t._("No such file: {path}", path=str(path)), file=sys.stderr)
        return 2
    if path.stat().st_size > MAX_DOCUMENT_BYTES:  # refused before reading it into memory
        return _refuse(t, path.name, "too_big")
    async with open_deps(settings) as deps, transaction(deps.sessions) as session:
        try:
            preview = await preview_file(session, path.read_bytes(), path.name, plan_number=args.plan_number)
            diff = await compare(session, preview)
        except UnreadableDocument as error:
            await session.rollback()
            return _refuse(t, path.name, error.reason)
        except MissingPlanNumber:
            await session.rollback()
            print(t._("The document {name} does not show the plan's number; give it with --plan-number.",
                      name=path.name), file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(preview.to_json(), ensure_ascii=False, indent=2))
        else:
            print(render_preview(preview) + "\n\n" + render_diff(diff))
        if args.dry_run or diff.nothing_to_do:
            await session.rollback()
            return 0
        if not (args.yes or _confirm("Save this plan?")):
            await session.rollback()
            print("Not saved (use --yes to accept the preview without asking).", file=sys.stderr)
            return 1
        await save_preview(session, preview, actor="cli:import", now=datetime.now(UTC))
        print(f"Saved plan {preview.plan.number}.", file=sys.stderr if args.json else sys.stdout)
    return 0


def add_import_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("import", help="load a plan document (.docx, .xlsx, .csv, .txt, .md, .pdf)")
    parser.add_argument("file")
    parser.add_argument("--plan-number", help="the plan's number/symbol when the document does not show it")
    parser.add_argument("--dry-run", action="store_true", help="show the preview, save nothing")
    parser.add_argument("--json", action="store_true", help="print the preview as JSON")
    parser.add_argument("--yes", action="store_true", help="accept the preview (new units included) without asking")
    parser.add_argument("--lang", choices=SUPPORTED, help="language of the messages (default: DEFAULT_LOCALE)")
    parser.set_defaults(runner=cmd_import)
