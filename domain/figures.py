"""Figure builders: take aggregated data, return plotly figures as plain figure dicts (what a reader saves
as an image), and the Outcomes overview's charts as lollipop charts (domain.lollipop), which the page
draws as HTML lists (components/charts.py) with no plotly.js.

Plain dicts, not graph_objects: building and validating go.Figure objects cost ~25 ms per
drill-down, most of the callback's time. The tests load every builder's output into go.Figure,
which validates each property name and value.

Every string from the data passes through `plain_text` on its way into a figure, so plotly.js shows
it literally (tests/unit/test_chart_text.py); only markup written here (`<br>`, `<b>`) is markup.
Data never goes into a template: a template refers to it through customdata, `text` or an axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from domain.chart_text import plain_text
from domain.lollipop import Lollipop, LollipopChart, outcome_charts, result_groups
from domain.provenance import FigureMarks
from domain.schema import Initiative, Outcome

RESULTS_ONLY_NOTE = "Results only: activity, funding, targets and background figures are listed in the tables."


FigureSpec = dict[str, Any]  # {"data": [...], "layout": {...}}, as plotly.js takes it


def _with_text_below(figure: FigureSpec, text: str, room: int, gap: int, font: dict[str, Any]) -> FigureSpec:
    """`text` (chart markup) written under the plot, left-aligned, `gap` px below whatever is already there (the
    axis and its title, or text written before), with `room` px more made for it so nothing is cut off."""
    layout = figure["layout"]
    margin = {**layout.get("margin", {})}
    base = margin.get("b", 40)  # what the axis, its title and earlier text take below the plot
    margin["b"] = base + room
    annotation = {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "xanchor": "left",
        "yanchor": "top",
        "yshift": -(base + gap),
        "showarrow": False,
        "font": font,
        "align": "left",
    }
    return {
        **figure,
        "layout": {
            **layout,
            "margin": margin,
            "height": layout.get("height", 300) + room,
            "annotations": [*layout.get("annotations", []), annotation],
        },
    }


def with_source(figure: FigureSpec, source: str) -> FigureSpec:
    """Print the citation under the chart, so an image saved of it carries the citation too.

    `source` is chart markup (see domain.compare.chart_citation), its data already escaped."""
    if not source:
        return figure
    # Below the axis title, with room for every line of the source, so none is cut off or overlaps.
    return _with_text_below(figure, source, 34 + 14 * source.count("<br>"), 14, {"size": 9, "color": "#5a5a55"})


CAVEAT_WRAP = 88  # characters a line under the plot holds in an 800 px image, left of the plot's own left edge


def with_caveats(figure: FigureSpec, caveats: Sequence[str]) -> FigureSpec:
    """Write each point's caveat under the plot ("Caveat: 81% (fall), Section 136 detentions: no baseline given"):
    on screen it is under the chart and in the tooltip, but an image saved of the chart has neither.

    `caveats` are plain text; they go above the citation (`with_source`, applied after this)."""
    if not caveats:
        return figure
    text = "<br>".join(wrap_label(f"Caveat: {caveat}", CAVEAT_WRAP) for caveat in caveats)
    room = 24 + 13 * (text.count("<br>") + 1)
    return _with_text_below(figure, text, room, 20, {"size": 10, "color": "#3a3a36"})


def with_title(figure: FigureSpec, title: str) -> FigureSpec:
    """A title above the chart (plain text, escaped here), with room made for it."""
    layout = figure["layout"]
    margin = {**layout.get("margin", {})}
    margin["t"] = margin.get("t", 12) + 30
    return {
        **figure,
        "layout": {
            **layout,
            "margin": margin,
            "height": layout.get("height", 300) + 30,
            # Clear of the image's left edge, which a viewer draws flush with its own frame.
            "title": {"text": plain_text(title), "x": 0, "xanchor": "left", "pad": {"l": 10}, "font": {"size": 14}},
        },
    }


def _stems(xs_to: Sequence[float], ys: Sequence[str], colour: str) -> dict[str, Any]:
    """Horizontal line segments from zero, drawn as one scatter trace (segments split by None)."""
    x: list[float | None] = []
    y: list[str | None] = []
    for x_to, label in zip(xs_to, ys, strict=True):
        x += [0.0, x_to, None]
        y += [label, label, None]
    return {
        "type": "scatter",
        "mode": "lines",
        "x": x,
        "y": y,
        "line": {"color": colour, "width": 2},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def wrap_label(text: str, width: int = 26) -> str:
    """A long axis label on several lines (plotly's <br>), so a narrow image keeps room for the plot.

    `text` is plain data: it is wrapped as the reader sees it, then each line is escaped."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plain_text(line) for line in lines)


MARKER_COLOURS = {"count": "#08519c", "reduction": "#2171b5", "increase": "#6a51a3", "level": "#525252"}
MARKER_SYMBOLS = {"count": "circle", "reduction": "triangle-left", "increase": "triangle-right", "level": "circle"}


def plotly_lollipop(chart: LollipopChart) -> FigureSpec:
    """A lollipop chart as a plotly figure: what a reader saves as an image of the chart they read."""
    # An image has no line under it to say a cut label whole (trial 10: "…who later …"): it says it whole, wrapped.
    labels = [wrap_label(row.label_in_words, 30) for row in chart.rows]
    heads = {
        "type": "scatter",
        "mode": "markers+text",
        "y": labels,
        "x": [row.value for row in chart.rows],
        "showlegend": False,
        "cliponaxis": False,  # a marker at the axis' end is drawn whole, not cut in half
        "marker": {
            "color": [MARKER_COLOURS[row.marker] for row in chart.rows],
            "symbol": [MARKER_SYMBOLS[row.marker] for row in chart.rows],
            "size": 12,
        },
        "text": [plain_text(row.value_words) for row in chart.rows],
        "textposition": "middle right",
        "customdata": [[plain_text(line) for line in row.hover_lines] for row in chart.rows],
        "hovertemplate": "%{y}"
        + "".join(
            f"<br>%{{customdata[{i}]}}" for i in range(max((len(row.hover_lines) for row in chart.rows), default=0))
        )
        + "<extra></extra>",
    }
    stems = _stems([row.value for row in chart.rows], labels, "#9ecae1" if chart.key == "themes" else "#9e9e9e")
    layout = {
        "height": max(150, sum(20 + 14 * label.count("<br>") for label in labels) + 16 * len(labels) + 60),
        "margin": {"l": 10, "r": 30, "t": 12, "b": 44},
        "xaxis": {
            "title": {"text": plain_text(chart.axis_title)},
            # A little room left of zero: a point at or near it (a 1% level) is drawn clear of its label.
            "range": [-chart.axis_max * 0.04, chart.axis_max],
            "tickvals": list(chart.ticks),
            "ticktext": [plain_text(chart.tick_text(t)) for t in chart.ticks],
        },
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
    }
    caveats = [f"{row.value_words}, {row.label_in_words}: {row.caveat}" for row in chart.rows if row.caveat]
    return with_caveats({"data": [heads, stems], "layout": layout}, caveats)


def build_outcome_charts(
    outcomes: Sequence[Outcome], initiatives_by_id: Mapping[str, Initiative], marks: FigureMarks | None = None
) -> list[tuple[str, FigureSpec]]:
    """The results among `outcomes` as plotly figures, one per unit group (domain.lollipop.outcome_charts)."""
    return [(chart.key, plotly_lollipop(chart)) for chart in outcome_charts(outcomes, initiatives_by_id, marks)]


def _hover_source(outcome: Outcome, marks: FigureMarks) -> str:
    """Where the figure comes from (domain.provenance), and the notes that name it."""
    source = marks.sources.get(outcome.id) or (
        f"ref. {', '.join(outcome.references)}" if outcome.references else "no reference mark"
    )
    return "; ".join((source, *marks.flags(outcome.id)))


def named_by_initiative(
    chart: LollipopChart, group: Sequence[Outcome], initiatives_by_id: Mapping[str, Initiative]
) -> LollipopChart:
    """The chart with each row named by its initiative first, "Initiative: measure": in the overview, results
    of every matching initiative stand side by side. (A measure repeated within a chart was told apart by its
    initiative's short title after a dash: the title now leads, so that suffix goes.)"""

    def label(row_label: str, title: str) -> str:
        short = title if len(title) <= 30 else title[:29] + "…"
        return f"{title}: {row_label.replace(f' — {short}', '', 1)}"

    def named(row: Lollipop, title: str) -> Lollipop:
        whole = label(row.whole_label, title) if row.whole_label else ""
        return replace(row, label=label(row.label, title), whole_label=whole)

    rows = tuple(
        named(row, initiatives_by_id[o.initiative_id].title) if o.initiative_id else row
        for row, o in zip(chart.rows, group, strict=True)
    )
    return replace(chart, rows=rows)


def overview_lollipops(
    falls: Sequence[Outcome],
    others: Sequence[Outcome],
    initiatives_by_id: Mapping[str, Initiative],
    marks: FigureMarks | None = None,
) -> list[LollipopChart]:
    """The Outcomes overview's charts: percentage falls in a rate and in a number of events, each on an axis of
    its own (never one axis), then every other result on an axis of its own unit (domain.lollipop). Each row is
    named by its initiative and measure, its value beside its marker."""
    results = [o for o in (*falls, *others) if o.is_result]
    charts = outcome_charts(results, initiatives_by_id, marks or FigureMarks())
    return [
        named_by_initiative(chart, group, initiatives_by_id)
        for chart, (_, _, group) in zip(charts, result_groups(results), strict=True)
    ]
