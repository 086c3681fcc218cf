"""Figure builders: take aggregated data, return plotly figures. No Dash, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from domain.aggregation import ForceCount, ThemeShare, format_value
from domain.schema import Initiative, Outcome

NO_CASE_STUDY_COLOUR = "#e8e6e1"
NO_CASE_STUDY_LABEL = "No case study in the 2016 paper"
SELECTED_OUTLINE = "#111111"
# A sequential single-hue blue scale: readable with the common colour-vision deficiencies.
COUNT_COLOURSCALE = [[0.0, "#c6dbef"], [0.5, "#4292c6"], [1.0, "#08306b"]]
UNIT_GROUPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("percent", ("percent",), "Percent"),
    ("points", ("percentage points",), "Percentage points"),
    ("count", ("count",), "Count"),
    ("money", ("GBP",), "Pounds (£)"),
    ("duration", ("days", "weeks"), "Duration"),
)


@dataclass(frozen=True)
class MapTraces:
    """Per-trace values of the map; the same values build the figure and patch it."""

    counted_ids: tuple[str, ...]
    counted_z: tuple[int, ...]
    counted_custom: tuple[tuple[str, int, str], ...]
    empty_ids: tuple[str, ...]
    empty_custom: tuple[tuple[str, int, str], ...]
    selected_ids: tuple[str, ...]
    zmax: int


def map_traces(counts: Sequence[ForceCount], selected: str | None) -> MapTraces:
    counted = [c for c in counts if c.count]
    empty = [c for c in counts if not c.count]

    def custom(c: ForceCount) -> tuple[str, int, str]:
        return (c.name, c.count, ", ".join(c.main_themes) or "—")

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


def build_force_map(geojson: str | dict, traces: MapTraces) -> go.Figure:
    """Choropleth of forces; `geojson` may be a URL so the browser fetches the shapes once."""
    counted = go.Choropleth(
        geojson=geojson, featureidkey="properties.id",
        locations=list(traces.counted_ids), z=list(traces.counted_z), customdata=list(traces.counted_custom),
        zmin=1, zmax=max(traces.zmax, 2), colorscale=COUNT_COLOURSCALE,
        marker_line_color="#ffffff", marker_line_width=0.6,
        colorbar=dict(title=dict(text="Case studies"), thickness=12, len=0.6, dtick=1),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} matching case studies"
                      "<br>Main themes: %{customdata[2]}<extra></extra>",
        name="Case studies",
    )
    empty = go.Choropleth(
        geojson=geojson, featureidkey="properties.id",
        locations=list(traces.empty_ids), z=[0] * len(traces.empty_ids), customdata=list(traces.empty_custom),
        colorscale=[[0, NO_CASE_STUDY_COLOUR], [1, NO_CASE_STUDY_COLOUR]], showscale=False,
        marker_line_color="#9a968c", marker_line_width=0.6,
        hovertemplate="<b>%{customdata[0]}</b><br>" + NO_CASE_STUDY_LABEL + "<extra></extra>",
        name=NO_CASE_STUDY_LABEL,
    )
    selected = go.Choropleth(
        geojson=geojson, featureidkey="properties.id",
        locations=list(traces.selected_ids), z=[1] * len(traces.selected_ids),
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
        marker_line_color=SELECTED_OUTLINE, marker_line_width=3, hoverinfo="skip", name="Selected force",
    )
    figure = go.Figure([counted, empty, selected])
    figure.update_geos(
        # Transverse Mercator centred on Britain, like the Ordnance Survey's grid: no east-west stretch.
        projection=dict(type="transverse mercator", rotation=dict(lon=-2, lat=0)),
        fitbounds="locations", resolution=50, scope="europe",
        showland=True, landcolor="#f7f7f5", showcountries=False, showcoastlines=False,
        showocean=False, showlakes=False, showframe=False, bgcolor="rgba(0,0,0,0)",
    )
    figure.update_layout(
        margin=dict(l=0, r=0, t=0, b=0), height=560, clickmode="event", dragmode=False,
        paper_bgcolor="rgba(0,0,0,0)", uirevision="map",
    )
    return figure


def build_theme_chart(shares: Sequence[ThemeShare], view_label: str) -> go.Figure:
    """Share of the view's initiatives by theme, beside the England-wide share."""
    ordered = sorted(shares, key=lambda s: (s.kind, -s.share, s.label))
    labels = [s.label for s in ordered]
    figure = go.Figure([
        go.Bar(y=labels, x=[s.share for s in ordered], orientation="h", name=view_label,
               marker_color="#08519c", customdata=[s.count for s in ordered],
               hovertemplate="%{y}: %{x}% (%{customdata} case studies)<extra>" + view_label + "</extra>"),
        go.Bar(y=labels, x=[s.england_share for s in ordered], orientation="h", name="All matching case studies",
               marker_color="#bdbdbd", marker_pattern_shape="/",
               hovertemplate="%{y}: %{x}%<extra>All matching</extra>"),
    ])
    figure.update_layout(
        barmode="group", height=max(260, 28 * len(labels) + 80), margin=dict(l=10, r=10, t=30, b=40),
        xaxis=dict(title="Share of case studies (%)", ticksuffix="%", rangemode="tozero"),
        yaxis=dict(autorange="reversed"), legend=dict(orientation="h", y=-0.15),
        title=dict(text=f"Themes: {view_label}", font=dict(size=14)),
    )
    return figure


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_outcome_charts(outcomes: Sequence[Outcome], initiatives_by_id: dict[str, Initiative]) -> list[tuple[str, go.Figure]]:
    """One bar chart per unit group, so percentages, counts and money never share an axis."""
    charts = []
    for key, units, axis_title in UNIT_GROUPS:
        group = [o for o in outcomes if o.unit in units]
        if not group:
            continue
        labels = [f"{_short(o.measure)} ({o.id})" for o in group]
        colours = {"reduction": "#2171b5", "increase": "#6a51a3", "level": "#737373"}
        figure = go.Figure(go.Bar(
            y=labels, x=[o.value for o in group], orientation="h",
            marker_color=[colours[o.direction] for o in group],
            text=[format_value(o) for o in group], textposition="auto",
            customdata=[(o.direction, initiatives_by_id[o.initiative_id].title if o.initiative_id else "context",
                         ", ".join(o.references) or "none") for o in group],
            hovertemplate="%{y}<br>%{text} (%{customdata[0]})<br>%{customdata[1]}<br>Ref. %{customdata[2]}<extra></extra>",
        ))
        figure.update_layout(
            height=max(180, 34 * len(group) + 70), margin=dict(l=10, r=10, t=30, b=40),
            xaxis=dict(title=axis_title, rangemode="tozero",
                       ticksuffix="%" if key == "percent" else "", tickprefix="£" if key == "money" else ""),
            yaxis=dict(autorange="reversed"), title=dict(text=axis_title, font=dict(size=13)),
        )
        charts.append((key, figure))
    return charts


def build_outcomes_overview(outcomes: Iterable[Outcome], initiatives_by_id: dict[str, Initiative],
                            theme_labels: dict[str, str]) -> go.Figure:
    """Reported percentage reductions, one dot per figure, grouped by the initiative's first theme."""
    points = [o for o in outcomes if o.unit == "percent" and o.direction == "reduction" and o.initiative_id]
    themes = [theme_labels[initiatives_by_id[o.initiative_id].themes[0]] for o in points]
    figure = go.Figure(go.Scatter(
        x=[o.value for o in points], y=themes, mode="markers",
        marker=dict(size=12, color="#08519c", symbol="diamond"),
        text=[f"{initiatives_by_id[o.initiative_id].title}: {o.measure} — {format_value(o)} "
              f"(ref. {', '.join(o.references) or 'none'})" for o in points],
        hovertemplate="%{text}<extra></extra>",
    ))
    figure.update_layout(
        height=max(200, 50 * len(set(themes)) + 90), margin=dict(l=10, r=10, t=30, b=40),
        xaxis=dict(title="Reported reduction (%)", range=[0, 100], ticksuffix="%"),
        title=dict(text="Reported percentage reductions by theme", font=dict(size=13)),
    )
    return figure
