"""The curators' charts as PNG bytes, drawn with matplotlib's object API (no pyplot state is shared between calls)."""

from __future__ import annotations

import io
import logging
import threading
import warnings
from collections import Counter, defaultdict
from datetime import date, timedelta

from assistant.analytics.tables import REACTIONS, Aggregates, Table

TOP = 10  # bars per chart
LINES = 6  # topics drawn over time
# Chinese catalog topics need a CJK font; matplotlib falls back along this list glyph by glyph.
FONTS = ["DejaVu Sans", "WenQuanYi Zen Hei", "Noto Sans CJK SC"]
COLOURS = {"helpful": "#2a9d8f", "not_for_me": "#e76f51", "already_know": "#8d99ae", "completed": "#264653"}
CHARTS = ("demand", "unmet_demand", "learning_gaps", "reception_by_topic", "declined")
# matplotlib's style settings are process-wide: two pages drawn at once take turns.
_DRAWING = threading.Lock()


class _QuietWeights(logging.Filter):
    """The CJK font has only a medium weight; matplotlib would say so on every chart."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("findfont: Failed to find font weight")


logging.getLogger("matplotlib.font_manager").addFilter(_QuietWeights())


def _figure(height: float = 3.4):
    from matplotlib.figure import Figure

    return Figure(figsize=(7.5, height), dpi=80, layout="constrained")


def _png(figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _empty(axes, title: str) -> None:
    axes.set_title(title, loc="left", fontsize=11)
    axes.text(0.5, 0.5, "No data yet", ha="center", va="center", transform=axes.transAxes, color="#666")
    axes.set_axis_off()


def _short(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _bars(table: Table, label_of, value_of, title: str, xlabel: str) -> bytes:
    figure = _figure()
    axes = figure.add_subplot()
    rows = table.rows[:TOP]
    if not rows:
        _empty(axes, title)
        return _png(figure)
    labels = [_short(label_of(r)) for r in rows][::-1]
    axes.barh(labels, [value_of(r) for r in rows][::-1], color="#457b9d")
    axes.set_title(title, loc="left", fontsize=11)
    axes.set_xlabel(xlabel)
    axes.xaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def demand(table: Table) -> bytes:
    """Turns per day for the most asked-for topics, and those topics' turns by language."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    figure = _figure(3.8)
    over_time, by_language = figure.subplots(1, 2, width_ratios=[3, 2])
    totals = Counter()
    for _, _, topic, n in table.rows:
        totals[topic] += n
    if not totals:
        _empty(over_time, "Topics asked for over time")
        by_language.set_axis_off()
        return _png(figure)
    top = [t for t, _ in totals.most_common(LINES)]
    days = sorted({day for day, *_ in table.rows})
    when = [date.fromisoformat(d) for d in days]
    per_day: dict[str, Counter] = defaultdict(Counter)
    languages: dict[str, Counter] = defaultdict(Counter)
    for day, language, topic, n in table.rows:
        per_day[topic][day] += n
        languages[language][topic] += n
    for topic in top:
        over_time.plot(when, [per_day[topic][d] for d in days], marker="o", label=_short(topic, 24))
    over_time.set_title("Topics asked for over time", loc="left", fontsize=11)
    over_time.set_ylabel("turns per day")
    over_time.yaxis.get_major_locator().set_params(integer=True)
    # One day of data would otherwise be drawn across years of empty axis.
    over_time.set_xlim(when[0] - timedelta(days=3), when[-1] + timedelta(days=3))
    locator = AutoDateLocator(maxticks=6)
    over_time.xaxis.set_major_locator(locator)
    over_time.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    over_time.legend(fontsize=8)
    left = [0] * len(top)
    labels = [_short(t, 20) for t in top][::-1]
    for language, counts in sorted(languages.items()):
        values = [counts[t] for t in top][::-1]
        by_language.barh(labels, values, left=_stack(left, values), label=language)
    by_language.set_title("by language", loc="left", fontsize=11)
    by_language.xaxis.get_major_locator().set_params(integer=True)
    by_language.legend(fontsize=8)
    return _png(figure)


def _stack(left: list[int], values: list[int]) -> list[int]:
    """The bars' left edges, moving `left` on by `values` (both in drawing order)."""
    edges = list(left)
    for i, value in enumerate(values):
        left[i] += value
    return edges


def reception(table: Table) -> bytes:
    """Each reaction per recommendation for the most recommended topics."""
    figure = _figure(3.8)
    axes = figure.add_subplot()
    rows = [r for r in table.rows if r[1]][:TOP]
    if not rows:
        _empty(axes, "Reception by topic")
        return _png(figure)
    labels = [_short(r[0], 28) for r in rows][::-1]
    left = [0.0] * len(rows)
    for i, kind in enumerate(REACTIONS):
        values = [float(r[2 + len(REACTIONS) + i] or 0) for r in rows][::-1]
        axes.barh(labels, values, left=_stack(left, values), label=kind.replace("_", " "), color=COLOURS[kind])
    axes.set_title("Reception by topic (reactions per recommendation)", loc="left", fontsize=11)
    axes.legend(fontsize=8, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    return _png(figure)


def render(aggregates: Aggregates) -> dict[str, bytes]:
    """name -> PNG for the page, the CSV files' companions and `assistant analytics --out`."""
    from matplotlib import font_manager, rc_context

    tables = aggregates.tables
    installed = {f.name for f in font_manager.fontManager.ttflist}
    fonts = [f for f in FONTS if f in installed] or ["sans-serif"]
    # A glyph neither font has is drawn as a box: not worth a warning each.
    with _DRAWING, rc_context({"font.family": fonts, "font.size": 9}), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return {
            "demand": demand(tables["demand"]),
            "unmet_demand": _bars(tables["unmet_demand"], lambda r: f"{r[0]} · {r[1]} · {r[2]}", lambda r: r[3],
                                  "Unmet demand (topic · language · filter relaxed)", "turns"),
            "learning_gaps": _bars(tables["learning_gaps"], lambda r: f"{r[0]} → {r[1]}" if r[1] else r[0],
                                   lambda r: r[2], "Prerequisites most often missing (→ needed for)", "turns"),
            "reception_by_topic": reception(tables["reception_by_topic"]),
            "declined": _bars(tables["declined"], lambda r: r[1], lambda r: r[2],
                              "Most often declined (\"not for me\")", "learners' marks"),
        }
