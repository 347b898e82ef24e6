"""The digest's chart: horizontal stacked bars of each unit's tasks by category, drawn for a phone screen.

Matplotlib with the Agg backend (no display), one figure per call, closed at once; CPU-bound, so callers run it
in a worker thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

COLOURS = {  # colour-blind-friendly (Okabe–Ito), one per category, in stacking order
    "done_on_time": "#009E73",
    "done_late": "#F0E442",
    "open_on_time": "#56B4E9",
    "open_overdue": "#D55E00",
    "period_reported": "#0072B2",
    "period_pending": "#999999",
    "no_deadline": "#CC79A7",
}
MAX_BARS = 12  # more would be unreadable on a phone; the digest names the rest's worst in text


@dataclass(frozen=True)
class Bar:
    label: str
    counts: dict[str, int]  # category value -> count


def render_chart(title: str, bars: Sequence[Bar], legend: dict[str, str]) -> bytes:
    """A PNG of at most MAX_BARS bars (top to bottom as given); `legend` maps category values to their labels and
    fixes the stacking order. About 1000 px wide, so it stays sharp when a phone fits it to the screen."""
    bars = list(bars)[:MAX_BARS]
    height = 1.6 + 0.42 * max(len(bars), 1) + 0.35 * ((len(legend) + 1) // 2)
    figure = Figure(figsize=(6.4, height), dpi=160)
    axes = figure.add_subplot()
    labels = [bar.label for bar in bars][::-1]
    left = [0] * len(bars)
    for category, name in legend.items():
        values = [bar.counts.get(category, 0) for bar in bars][::-1]
        if not any(values):
            continue
        axes.barh(labels, values, left=left, color=COLOURS.get(category, "#444444"), label=name, height=0.7,
                  edgecolor="white", linewidth=0.5)
        for index, value in enumerate(values):
            if value:
                axes.text(left[index] + value / 2, index, str(value), ha="center", va="center", fontsize=8,
                          color="black" if category in ("done_late", "open_on_time", "period_pending") else "white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_title(title, fontsize=11, loc="left")
    axes.tick_params(axis="y", labelsize=9)
    axes.tick_params(axis="x", labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.get_major_locator().set_params(integer=True)
    if bars:
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
