"""/baocao [plan] [period]: the periodic report as documents in the chat.

The chief of office, leadership and admins get the .docx report and the .xlsx appendix; a unit head gets the
appendix with their unit's rows only (the signed report is the office's document); officers are told who may.
The evidence pack (.zip) can be large: it is made by `dondoc report` only.
"""

from __future__ import annotations

from bot.messaging import Outgoing, OutgoingFile, Response, bold, plain
from bot.reports.letterhead import letterhead_for
from bot.reports.periods import BadPeriod, looks_like_period, parse_period, period_containing
from bot.reports.service import DOCX_MIME, XLSX_MIME, ReportProblem, find_plan, make_report, report_scope
from bot.services.plan_status import Category
from handlers.context import Context
from storage import units

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # Telegram's limit for a file a bot sends


def _usage(ctx: Context) -> str:
    return ctx.t._("Usage: /baocao [plan number] [period], e.g. /baocao 435/KH-SVHTT 2023-Q3")


def bad_period_text(ctx: Context, text: str) -> str:
    return ctx.t._("“{text}” is not a period. Use 2023-Q3 (a quarter), 2023-H1 (a half-year), 2023-05 (a month) "
                   "or 2023 (a year).", text=plain(text))


async def report_command(ctx: Context, args: str) -> Response:
    t = ctx.t
    member = ctx.registered()
    scope = report_scope(member)
    if scope is None:
        return Response([Outgoing(t._("Sorry, the periodic report is for the chief of office, leadership and unit "
                                      "heads."))])
    words = args.split()
    periods = [word for word in words if looks_like_period(word)]
    number = " ".join(word for word in words if not looks_like_period(word))
    if len(periods) > 1:
        return Response([Outgoing(_usage(ctx))])
    try:
        period = parse_period(periods[0]) if periods else period_containing(ctx.today)
    except BadPeriod as error:
        return Response([Outgoing(bad_period_text(ctx, error.text) + "\n" + _usage(ctx))])
    try:
        plan = await find_plan(ctx.session, number or None)
    except ReportProblem as problem:
        text = t._("No plan numbered {number}.", number=plain(problem.number)) if problem.number \
            else t._("No plan has been added yet.")
        return Response([Outgoing(text)])
    unit = await units.get_unit(ctx.session, unit_id=scope.unit_id) if scope.unit_id is not None else None
    head = letterhead_for(plan, issued_on=ctx.today, signer=member.full_name) if scope.full else None
    files = await make_report(ctx.session, plan=plan, period=period, today=ctx.today, zone=ctx.deps.settings.zone,
                              head=head, unit=unit)
    attached = [OutgoingFile(f"PhuLuc_{files.stem}.xlsx", XLSX_MIME, files.xlsx)]
    if files.docx is not None:
        attached.insert(0, OutgoingFile(f"BaoCao_{files.stem}.docx", DOCX_MIME, files.docx))
    if any(len(item.content) > MAX_UPLOAD_BYTES for item in attached):
        return Response([Outgoing(t._("The report is too large to send in the chat. Please export it with: "
                                      "dondoc report --plan {number} --period {period} --out FILE",
                                      number=plain(plan.number), period=period.key))])
    data = files.data
    leads = data.leads
    overdue = sum(1 for state in leads if state.category == Category.OPEN_OVERDUE)
    done = sum(1 for state in leads if state.category in (Category.DONE_ON_TIME, Category.DONE_LATE))
    lines = [
        bold(t._("Report of plan {number}, {period}", number=plain(plan.number), period=period.key)),
        t._("Figures as of {date}: {total} tasks led by units · {done} done · {overdue} overdue.",
            date=t.date(data.as_of), total=t.number(len(leads)), done=t.number(done), overdue=t.number(overdue)),
    ]
    if unit is not None:
        lines.append(t._("The appendix lists only the rows of {unit}; the full report is for the chief of office "
                         "and leadership.", unit=plain(unit.name)))
    else:
        lines.append(t._("The .docx follows the government format (Decree 30/2020): add the number, check, then sign."))
    return Response([Outgoing("\n".join(lines), files=tuple(attached))])
