"""UI layer: the comparison table, "similar forces" links and the coverage matrix, as HTML. The citation is
built in domain/compare.py and shown by components/cite_view.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from dash import dcc, html

from domain.aggregation import filters_narrow, reading_of
from domain.compare import OFF_MAP_ROW_ID, ComparedForce, MatrixRow, SimilarForce, how_obtained, none_text
from domain.loading import Dataset
from domain.provenance import figure_line, provenance_line
from domain.schema import DERIVED_KIND, Note, Outcome
from domain.state import ViewState


def comparison_table(compared: Sequence[ComparedForce], dataset: Dataset, filtered: bool = False) -> html.Div | html.P:
    """Forces side by side: their initiatives, the results with how each was obtained, and, apart, the
    activity, funding and target figures that are not results. `filtered`: the filters narrow the
    initiatives, so an empty cell says none matches rather than none in the paper."""
    if len(compared) < 2:
        return html.P("Choose two to four forces to compare them side by side.", className="empty")

    def number(value: float | int | None, unit: str = "") -> str:
        return f"{value:,.0f}{unit}" if value is not None else "—"

    nothing = none_text(filtered)
    themes = [t for t in dataset.themes if any(c.theme_counts.get(t.id) for c in compared)]

    def figures(outcomes: Iterable[Outcome], how: bool) -> str:
        return "\n".join(_with_notes(f"{o.measure}: {reading_of(o)} ("
                                     + (f"{how_obtained(o)}; " if how else "") + f"{figure_line(dataset, o)})",
                                     [n for n in dataset.notes if n.figure_id == o.id]) for o in outcomes)

    rows = [
        ("Region", [c.region for c in compared]),
        ("Area", [number(c.area_km2, " km²") for c in compared]),
        ("Population (mid-2018)", [number(c.population) for c in compared]),
        ("Number of initiatives" + (" matching your filters" if filtered else ""),
         [str(len(c.initiatives)) if c.initiatives else nothing for c in compared]),
        *[(t.label, [str(c.theme_counts[t.id]) if c.theme_counts.get(t.id) else "none" for c in compared])
          for t in themes],
        # Each title and figure with where it comes from: the paper's section and marks, or the register's review.
        ("Initiatives", ["\n".join(_with_notes(f"{i.title} ({provenance_line(dataset, i.id)})",
                                               dataset.notes_on(i.id)) for i in c.initiatives)
                         or nothing for c in compared]),
        # A figure the paper derives from a result (a saving worked out from a fall) sits with it, its caveat
        # saying it is the same finding; it is never counted as a result of its own.
        ("Results (with how they were obtained)",
         [figures((o for o in c.outcomes if o.is_result or o.kind == DERIVED_KIND), how=True) or "none reported"
          for c in compared]),
        # Activity, funding and targets say what was done or spent, not what it achieved: a row of their own.
        ("Activity, funding and target figures (not results)",
         [figures((o for o in c.outcomes if not o.is_result and o.kind != DERIVED_KIND), how=False) or "none"
          for c in compared]),
    ]
    return html.Div(html.Table([
        html.Thead(html.Tr([html.Th("", scope="col"), *[html.Th(c.name, scope="col") for c in compared]])),
        html.Tbody([html.Tr([html.Th(label, scope="row"), *[html.Td(v) for v in values]]) for label, values in rows]),
    ], className="comparison-table"), className="table-scroll", tabIndex="0", role="region",
        **{"aria-label": "Comparison, scrolls sideways"})


def _with_notes(line: str, notes: Iterable[Note]) -> str:
    return line + "".join(f" [{n.marker}: {n.text}]" for n in notes)


def similar_links(similar: Sequence[SimilarForce], anchor: str | None, state: ViewState,
                  url_prefix: str, dataset: Dataset) -> list:
    if not anchor or not similar:
        return []
    base = list(state.compare) or [anchor]
    links = []
    for force in similar:
        if force.force_id in base:
            continue
        target = replace(state, compare=tuple((base + [force.force_id])[-4:]), notices=())
        links.append(html.Li([dcc.Link(f"Compare with {force.name}", href=f"{url_prefix}{target.to_query()}"),
                              f" — {force.reason}"]))
    return [html.P(f"Similar to {dataset.forces_by_id[anchor].name}:"), html.Ul(links)] if links else []


def matrix_table(rows: Sequence[MatrixRow], dataset: Dataset, state: ViewState, url_prefix: str) -> html.Div:
    """The themes x forces table; each count links to the force's view filtered to that theme."""
    nothing = none_text(filters_narrow(state))

    def cell(row: MatrixRow, theme_id: str) -> html.Td:
        count = row.counts.get(theme_id)
        if not count:
            return html.Td(nothing, className="none")
        force = None if row.row_id == OFF_MAP_ROW_ID else row.row_id
        # Work with no force area is listed in the national view; a force's shows in the profile.
        target = replace(state, force=force, themes=(theme_id,), compare=(), notices=(),
                         view="national" if force is None else "matrix")
        return html.Td(dcc.Link(str(count), href=f"{url_prefix}{target.to_query() or '?'}"), className="count")

    # Once the register has added records, each row says how many of its initiatives are the register's.
    added = bool(dataset.provenance)
    header = html.Tr([html.Th("Force", scope="col"), html.Th("Region", scope="col"),
                      *[html.Th(t.label, scope="col") for t in dataset.themes],
                      *([html.Th("Added through the register", scope="col")] if added else [])])
    body = [html.Tr([html.Th(row.label, scope="row"), html.Td(row.region),
                     *[cell(row, t.id) for t in dataset.themes],
                     *([html.Td(str(row.added), className="count register-count")] if added else [])])
            for row in rows]
    return html.Div(html.Table([html.Thead(header), html.Tbody(body)], className="matrix-table"),
                    className="table-scroll", tabIndex="0", role="region",
                    **{"aria-label": "Coverage matrix, scrolls sideways"})
