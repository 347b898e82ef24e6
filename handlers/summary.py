"""/tonghop: the plain summary of one plan for the chief of office and leadership (unit heads: their unit)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.messaging import Outgoing, Response, bold, plain
from bot.services import access
from bot.services.summary import Category, PlanSummary, summarise_plan
from handlers.context import Context
from storage import plans


def category_labels(t: Translator) -> dict[Category, str]:
    return {
        Category.DONE_ON_TIME: t._("Done on time"),
        Category.DONE_LATE: t._("Done late"),
        Category.OPEN_ON_TIME: t._("In progress, on time"),
        Category.OPEN_OVERDUE: t._("In progress, overdue"),
        Category.NO_DEADLINE: t._("Continuous / no fixed deadline"),
    }


def _percent(t: Translator, part: int, whole: int) -> str:
    return t._("{percent}%", percent=t.number(round(100 * part / whole) if whole else 0))


def render_summary(t: Translator, summary: PlanSummary) -> str:
    labels = category_labels(t)
    lines = [
        bold(t._("Summary of plan {number}", number=plain(summary.plan.number))),
        plain(summary.plan.title),
        t._("As of {date}: {n} tasks", date=t.date(summary.today), n=t.number(summary.total)),
        "",
    ]
    for category, label in labels.items():
        count = summary.counts.get(category, 0)
        lines.append(f"• {label}: {t.number(count)} ({_percent(t, count, summary.total)})")
    lines += ["", bold(t._("By lead unit"))]
    for row in summary.units:
        done = row.counts[Category.DONE_ON_TIME] + row.counts[Category.DONE_LATE]
        lines.append(
            t._(
                "{unit}: {total} tasks · {done} done · {overdue} overdue · {open} on time · {continuous} continuous",
                unit=plain(row.name), total=t.number(row.total), done=t.number(done),
                overdue=t.number(row.counts[Category.OPEN_OVERDUE]), open=t.number(row.counts[Category.OPEN_ON_TIME]),
                continuous=t.number(row.counts[Category.NO_DEADLINE]),
            )
        )
    return "\n".join(lines)


async def summary_command(ctx: Context, args: str) -> Response:
    scope = access.summary_scope(ctx.registered())
    number = args.strip()
    plan = await (plans.find_plan(ctx.session, number=number) if number else plans.current_plan(ctx.session))
    if plan is None:
        text = ctx.t._("No plan numbered {number}.", number=plain(number)) if number else ctx.t._("No plan has been added yet.")
        return Response([Outgoing(text)])
    summary = await summarise_plan(ctx.session, plan=plan, today=ctx.today, zone=ctx.deps.settings.zone, unit_id=scope)
    return Response([Outgoing(render_summary(ctx.t, summary))])
