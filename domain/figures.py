"""Figure builders: take aggregated data, return plotly figures as plain figure dicts.

Plain dicts, not graph_objects: building and validating go.Figure objects cost ~25 ms per
drill-down, most of the callback's time. The tests load every builder's output into go.Figure,
which validates each property name and value.

Every string from the data passes through `plain_text` on its way into a figure, so plotly.js shows
it literally (tests/unit/test_chart_text.py); only markup written here (`<br>`, `<b>`) is markup.
Data never goes into a template: a template refers to it through customdata, `text` or an axis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.aggregation import ForceCount, ThemeShare, format_value, reading_of
from domain.chart_text import plain_text
from domain.schema import Initiative, Outcome

NO_CASE_STUDY_COLOUR = "#e8e6e1"
NO_CASE_STUDY_LABEL = "No initiative in the 2016 paper"
SELECTED_OUTLINE = "#111111"
# A sequential single-hue blue scale: readable with the common colour-vision deficiencies.
COUNT_COLOURSCALE = [[0.0, "#c6dbef"], [0.5, "#4292c6"], [1.0, "#08306b"]]
UNIT_GROUPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("percent", ("percent",), "Percent"),
    ("points", ("percentage points",), "Percentage points"),
    ("count", ("count",), "Count"),
    ("money", ("GBP",), "Pounds (£)"),
    # One axis per unit of time: days and weeks are never drawn on one scale as if they were one unit.
    ("hours", ("hours",), "Hours"),
    ("days", ("days",), "Days"),
    ("weeks", ("weeks",), "Weeks"),
    ("months", ("months",), "Months"),
    ("years", ("years",), "Years"),
)
RESULTS_ONLY_NOTE = "Results only: activity, funding, targets and background figures are listed in the tables."


FigureSpec = dict[str, Any]  # {"data": [...], "layout": {...}}, as plotly.js takes it


def with_source(figure: FigureSpec, source: str) -> FigureSpec:
    """Print the citation under the chart, so an image saved from the modebar carries it too.

    `source` is chart markup (see domain.compare.chart_source), its data already escaped."""
    if not source:
        return figure
    layout = figure["layout"]
    margin = {**layout.get("margin", {})}
    # Below the axis title, with room for every line of the source, so none is cut off or overlaps.
    extra = 34 + 14 * source.count("<br>")
    base = margin.get("b", 40)  # what the axis and its title take below the plot
    margin["b"] = base + extra
    annotation = {"text": source, "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xanchor": "left",
                  "yanchor": "top", "yshift": -(base + 14), "showarrow": False,
                  "font": {"size": 9, "color": "#5a5a55"}, "align": "left"}
    return {**figure, "layout": {**layout, "margin": margin, "height": layout.get("height", 300) + extra,
                                 "annotations": [*layout.get("annotations", []), annotation]}}


@dataclass(frozen=True)
class MapTraces:
    """Per-trace values of the map; the same values build the figure and patch it."""

    counted_ids: tuple[str, ...]
    counted_z: tuple[int, ...]
    counted_custom: tuple[tuple[str, str, str], ...]
    empty_ids: tuple[str, ...]
    empty_custom: tuple[tuple[str, str, str], ...]
    selected_ids: tuple[str, ...]
    zmax: int


def map_traces(counts: Sequence[ForceCount], selected: str | None) -> MapTraces:
    counted = [c for c in counts if c.count]
    empty = [c for c in counts if not c.count]

    def custom(c: ForceCount) -> tuple[str, str, str]:
        return (plain_text(c.name), plain_text(c.count_text), plain_text(c.themes_text))

    shown = {c.force_id for c in counts}
    return MapTraces(
        counted_ids=tuple(c.force_id for c in counted),
        counted_z=tuple(c.count for c in counted),
        counted_custom=tuple(custom(c) for c in counted),
        empty_ids=tuple(c.force_id for c in empty),
        empty_custom=tuple(custom(c) for c in empty),
        selected_ids=(selected,) if selected in shown else (),
        zmax=max([c.count for c in counted], default=1),
    )


def build_force_map(geojson: str | dict, traces: MapTraces) -> FigureSpec:
    """Choropleth of forces; `geojson` may be a URL so the browser fetches the shapes once."""
    common = {"type": "choropleth", "geojson": geojson, "featureidkey": "properties.id"}
    counted = {
        **common, "name": "Initiatives",
        "locations": list(traces.counted_ids), "z": list(traces.counted_z),
        "customdata": [list(c) for c in traces.counted_custom],
        "zmin": 1, "zmax": max(traces.zmax, 2), "colorscale": COUNT_COLOURSCALE,
        "marker": {"line": {"color": "#ffffff", "width": 0.6}},
        "colorbar": {"title": {"text": "Initiatives"}, "thickness": 12, "len": 0.6, "dtick": 1},
        "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
    }
    empty = {
        **common, "name": NO_CASE_STUDY_LABEL,
        "locations": list(traces.empty_ids), "z": [0] * len(traces.empty_ids),
        "customdata": [list(c) for c in traces.empty_custom],
        "colorscale": [[0, NO_CASE_STUDY_COLOUR], [1, NO_CASE_STUDY_COLOUR]], "showscale": False,
        "marker": {"line": {"color": "#9a968c", "width": 0.6}},
        "hovertemplate": "<b>%{customdata[0]}</b><br>" + NO_CASE_STUDY_LABEL + "<extra></extra>",
    }
    selected = {
        **common, "name": "Selected force",
        "locations": list(traces.selected_ids), "z": [1] * len(traces.selected_ids),
        "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "showscale": False,
        "marker": {"line": {"color": SELECTED_OUTLINE, "width": 3}}, "hoverinfo": "skip",
    }
    layout = {
        "geo": {
            # Transverse Mercator centred on Britain, like the Ordnance Survey grid: no east-west stretch.
            "projection": {"type": "transverse mercator", "rotation": {"lon": -2, "lat": 0}},
            "fitbounds": "locations", "resolution": 50, "scope": "europe",
            "showland": True, "landcolor": "#f7f7f5", "showcountries": False, "showcoastlines": False,
            "showocean": False, "showlakes": False, "showframe": False, "bgcolor": "rgba(0,0,0,0)",
        },
        # No fixed height: the page sets it (responsive), so the map fits beside the profile.
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "clickmode": "event", "dragmode": False,
        "paper_bgcolor": "rgba(0,0,0,0)", "uirevision": "map",
    }
    return {"data": [counted, empty, selected], "layout": layout}


def _stems(xs_from: Sequence[float], xs_to: Sequence[float], ys: Sequence[str], colour: str) -> dict[str, Any]:
    """Horizontal line segments drawn as one scatter trace (segments split by None)."""
    x: list[float | None] = []
    y: list[str | None] = []
    for start, stop, label in zip(xs_from, xs_to, ys, strict=True):
        x += [start, stop, None]
        y += [label, label, None]
    return {"type": "scatter", "mode": "lines", "x": x, "y": y, "line": {"color": colour, "width": 2},
            "hoverinfo": "skip", "showlegend": False}


def wrap_label(text: str, width: int = 26) -> str:
    """A long axis label on several lines (plotly's <br>), so a 375 px screen keeps room for the plot.

    `text` is plain data: it is wrapped as the reader sees it, then each line is escaped."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plain_text(line) for line in lines)


def build_theme_chart(shares: Sequence[ThemeShare], view_label: str) -> FigureSpec:
    """How many of the view's initiatives carry each theme, as counts a reader reads directly.

    The comparison with all matching initiatives comes second, in the hover text. A dot plot
    (scatter only), so the app can ship a small plotly.js bundle without bar traces.
    """
    ordered = sorted(shares, key=lambda s: (-s.count, s.label))
    labels = [wrap_label(s.label) for s in ordered]
    counts = [s.count for s in ordered]
    top = max(counts, default=1)
    dots = {
        "type": "scatter", "mode": "markers+text", "name": plain_text(view_label), "y": labels, "x": counts,
        "text": [str(c) for c in counts], "textposition": "middle right", "cliponaxis": False,
        "marker": {"color": "#08519c", "size": 11, "symbol": "circle"},
        "customdata": [[s.view_total, s.share, s.england_count, s.england_total, s.england_share] for s in ordered],
        "hovertemplate": ("%{y}: %{x} of %{customdata[0]} initiatives here (%{customdata[1]}%)<br>"
                          "%{customdata[2]} of %{customdata[3]} across all matching (%{customdata[4]}%)<extra></extra>"),
        "showlegend": False,
    }
    stems = _stems([0.0] * len(ordered), [float(c) for c in counts], labels, "#9ecae1")
    layout = {
        "height": max(180, 34 * len(labels) + 70),
        "margin": {"l": 10, "r": 24, "t": 10, "b": 44},
        "xaxis": {"title": {"text": "Initiatives"}, "range": [0, top + max(1, top * 0.15)],
                  **({"dtick": 1} if top <= 10 else {})},
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
    }
    return {"data": [stems, dots], "layout": layout}


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def figure_labels(outcomes: Sequence[Outcome], initiatives_by_id: Mapping[str, Initiative]) -> list[str]:
    """Axis labels in plain words, unique as a category axis needs: a repeated measure is told apart by
    its initiative, never by an internal id."""
    labels = [_short(o.measure) for o in outcomes]
    for index, (label, outcome) in enumerate(zip(labels, outcomes, strict=True)):
        if labels.count(label) > 1 and outcome.initiative_id:
            labels[index] = f"{label} — {_short(initiatives_by_id[outcome.initiative_id].title, 30)}"
    seen: dict[str, int] = {}
    for index, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[index] = f"{label} ({seen[label]})"
    return labels


def build_outcome_charts(outcomes: Sequence[Outcome], initiatives_by_id: Mapping[str, Initiative]) -> list[tuple[str, FigureSpec]]:
    """One lollipop chart per unit group of the *results* among `outcomes`, so percentages, counts and
    money never share an axis, and activity, funding, targets and background are never drawn as results."""
    colours = {"reduction": "#2171b5", "increase": "#6a51a3", "level": "#525252"}
    symbols = {"reduction": "triangle-left", "increase": "triangle-right", "level": "circle"}
    results = [o for o in outcomes if o.is_result]
    charts = []
    for key, units, axis_title in UNIT_GROUPS:
        group = [o for o in results if o.unit in units]
        if not group:
            continue
        labels = [wrap_label(label, 30) for label in figure_labels(group, initiatives_by_id)]
        values = [o.value for o in group]
        heads = {
            "type": "scatter", "mode": "markers+text", "y": labels, "x": values, "showlegend": False,
            "cliponaxis": False,  # a marker at the axis' end is drawn whole, not cut in half
            # Direction is shown by the marker's shape and the label, not by colour alone.
            "marker": {"color": [colours[o.direction] for o in group],
                       "symbol": [symbols[o.direction] for o in group], "size": 12},
            "text": [plain_text(format_value(o)) for o in group], "textposition": "middle right",
            "customdata": [[plain_text(reading_of(o)),
                            plain_text(initiatives_by_id[o.initiative_id].title) if o.initiative_id else "",
                            plain_text(f"Ref. {', '.join(o.references)}") if o.references else "No reference mark"]
                           for o in group],
            "hovertemplate": "%{y}<br>%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        }
        stems = _stems([0.0] * len(group), values, labels, "#9e9e9e")
        top = max(values)
        layout = {
            "height": max(150, sum(20 + 14 * label.count("<br>") for label in labels) + 16 * len(group) + 60),
            "margin": {"l": 10, "r": 30, "t": 12, "b": 44},
            "xaxis": {"title": {"text": axis_title}, "range": [0, 115 if key == "percent" else top * 1.35],
                      **({"tickvals": [0, 20, 40, 60, 80, 100]} if key == "percent" else {}),
                      "ticksuffix": "%" if key == "percent" else "", "tickprefix": "£" if key == "money" else "",
                      "separatethousands": True},
            "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
        }
        charts.append((key, {"data": [heads, stems], "layout": layout}))
    return charts


def build_outcomes_overview(outcomes: Iterable[Outcome], initiatives_by_id: Mapping[str, Initiative],
                            theme_labels: Mapping[str, str]) -> FigureSpec:
    """Reported percentage reductions among the results, one dot per figure, grouped by the initiative's first theme."""
    points = [o for o in outcomes if o.is_result and o.unit == "percent" and o.direction == "reduction"]
    themes = [plain_text(theme_labels[initiatives_by_id[o.initiative_id].themes[0]]) for o in points]
    dots = {
        "type": "scatter", "mode": "markers", "x": [o.value for o in points], "y": themes,
        "marker": {"size": 12, "color": "#08519c", "symbol": "diamond"},
        "text": [plain_text(f"{initiatives_by_id[o.initiative_id].title}: {o.measure} — {reading_of(o)} "
                            f"({'ref. ' + ', '.join(o.references) if o.references else 'no reference mark'})")
                 for o in points],
        "hovertemplate": "%{text}<extra></extra>",
    }
    layout = {
        "height": max(200, 50 * len(set(themes)) + 90), "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
        "xaxis": {"title": {"text": "Reported reduction (%)"}, "range": [0, 100], "ticksuffix": "%"},
        "yaxis": {"automargin": True},
        "title": {"text": "Reported percentage reductions by theme (results only)", "font": {"size": 13}},
    }
    return {"data": [dots], "layout": layout}
