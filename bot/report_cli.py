"""`dondoc report`: the periodic report of a plan as files: FILE.docx, FILE.xlsx and FILE-minh-chung.zip.

Why no report can be made (unknown plan, a period that is not one, an output that cannot be written) is told in
the user's language (`--lang`, else the office's default locale) on stderr, and the exit status is 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime
from pathlib import Path

from bot.config import Settings
from bot.i18n import SUPPORTED, Translator
from bot.reports.periods import BadPeriod, ReportPeriod, parse_period
from bot.reports.wording import period_text


def output_paths(out: Path) -> tuple[Path, Path, Path]:
    """report.docx -> (report.docx, report.xlsx, report-minh-chung.zip); a name without .docx gets it."""
    docx = out if out.suffix.lower() == ".docx" else out.with_name(out.name + ".docx")
    stem = docx.with_suffix("")
    return docx, stem.with_name(stem.name + ".xlsx"), stem.with_name(stem.name + "-minh-chung.zip")


def _unwritable(t: Translator, paths: tuple[Path, ...]) -> tuple[Path, str] | None:
    """The first path that cannot be written, and why (checked before any work is done)."""
    for path in paths:
        if not path.parent.is_dir():
            return path, t._("the folder does not exist")
        if path.is_dir():
            return path, t._("it is a folder")
        try:
            with path.open("ab"):
                pass
        except OSError as error:
            return path, error.strerror or type(error).__name__
    return None


def _write(path: Path, content: bytes) -> None:
    path.write_bytes(content)


async def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_deps
    from bot.reports.evidence_pack import build_evidence_zip
    from bot.reports.letterhead import letterhead_for
    from bot.reports.service import ReportProblem, find_plan, make_report
    from storage.db import transaction

    t = Translator(args.lang or settings.default_locale)
    try:
        period: ReportPeriod = parse_period(args.period)
    except BadPeriod:
        print(t._("“{text}” is not a period. Use 2023-Q3 (a quarter), 2023-H1 (a half-year), 2023-05 (a month) "
                  "or 2023 (a year).", text=args.period), file=sys.stderr)
        return 2
    paths = output_paths(Path(args.out))
    wanted = paths if args.evidence else paths[:2]
    existed = {path for path in wanted if path.exists()}
    problem = _unwritable(t, wanted)
    for path in wanted:  # the check may have created empty files: leave nothing behind on refusal
        if path not in existed and path.is_file() and path.stat().st_size == 0:
            path.unlink()
    if problem is not None:
        print(t._("Cannot write {path}: {reason}.", path=str(problem[0]), reason=problem[1]), file=sys.stderr)
        return 2
    today = args.today or datetime.now(settings.zone).date()
    async with open_deps(settings) as deps, transaction(deps.sessions) as session:
        try:
            plan = await find_plan(session, args.plan)
        except ReportProblem as error:
            text = t._("No plan numbered {number}.", number=error.number) if error.number \
                else t._("No plan has been added yet.")
            print(text, file=sys.stderr)
            return 2
        head = letterhead_for(plan, issued_on=args.date or today, signer=args.signer,
                              parent_agency=args.parent_agency, agency=args.agency, place=args.place)
        files = await make_report(session, plan=plan, period=period, today=today, zone=settings.zone, head=head)
        pack = await asyncio.to_thread(build_evidence_zip, files.data, deps.evidence) if args.evidence else None
    assert files.docx is not None
    contents = [files.docx, files.xlsx] + ([pack] if pack is not None else [])
    for path, content in zip(wanted, contents, strict=True):
        try:
            await asyncio.to_thread(_write, path, content)
        except OSError as error:
            print(t._("Cannot write {path}: {reason}.", path=str(path), reason=error.strerror or type(error).__name__),
                  file=sys.stderr)
            return 2
        print(path)
    leads = files.data.leads
    print(f"plan {plan.number}, {period_text(period)} ({period.start} .. {period.end}), figures as of "
          f"{files.data.as_of}: {len(leads)} lead assignments, {len(files.data.states)} rows, "
          f"{len(files.data.evidence)} evidence files", file=sys.stderr)
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


def add_report_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("report", help="the periodic report of a plan: .docx, .xlsx appendix, evidence .zip")
    parser.add_argument("--plan", help="plan number, e.g. 435/KH-SVHTT (default: the most recently added plan)")
    parser.add_argument("--period", required=True, help="2023-Q3 (quarter), 2023-H1 (half-year), 2023-05, or 2023")
    parser.add_argument("--out", required=True, help="the .docx to write; the .xlsx and -minh-chung.zip go next to it")
    parser.add_argument("--no-evidence", dest="evidence", action="store_false", help="skip the evidence pack")
    parser.add_argument("--signer", help="name under the signature (default: left blank to sign by hand)")
    parser.add_argument("--agency", help="issuing agency in the header (default: from the plan's issuer)")
    parser.add_argument("--parent-agency", help="its parent agency in the header (default: from the plan's issuer)")
    parser.add_argument("--place", help="place in the date line (default: from the plan's issuer)")
    parser.add_argument("--date", type=_date, help="the document's date (default: today)")
    parser.add_argument("--today", type=_date, help="judge as of this day when the period is not over (default: today)")
    parser.add_argument("--lang", choices=SUPPORTED, help="language of the messages (default: DEFAULT_LOCALE)")
    parser.set_defaults(runner=cmd_report)
