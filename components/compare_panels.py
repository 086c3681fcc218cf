"""UI layer: the comparison table, "similar forces" links and the coverage matrix, as HTML. The citation is
built in domain/compare.py and shown by components/cite_view.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from dash import dcc, html

from components.attributes import aria
from components.charts import breakable, breakable_name
from domain.aggregation import filters_narrow, reading_of
from domain.compare import (
    OFF_MAP_ROW_ID,
    ComparedForce,
    MatrixRow,
    OffMapGroup,
    SimilarForce,
    compared_with,
    how_obtained,
    none_text,
    off_map_group_anchor,
)
from domain.loading import Dataset
from domain.provenance import CountedSources, figure_line, provenance_line
from domain.schema import DERIVED_KIND, Initiative, Note, Outcome
from domain.state import ViewState


def comparison_table(compared: Sequence[ComparedForce], dataset: Dataset, filtered: bool = False) -> html.Div | html.P:
    """Forces side by side: their initiatives, the results with how each was obtained, and, apart, the
    activity, funding and target figures that are not results. `filtered`: the filters narrow the
    initiatives, so an empty cell says none matches rather than none in the paper."""
    if len(compared) < 2:
        return html.P("Choose two to four forces to compare them side by side.", className="empty")
    facts = _comparison_facts(compared, dataset, filtered)
    lists = _comparison_lists(compared, dataset, filtered)
    # Said where the table is wider than a screen (the stylesheet shows it by the forces' count and the width):
    # a column cut at the screen's edge read as cut off, not as more to the side.
    hint = html.P(
        f"The table is wider than the screen: scroll it sideways to see all {len(compared)} forces.",
        className=f"scroll-hint scroll-hint-{len(compared)}",
    )
    table = html.Div(
        html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th("What is compared", scope="col"),
                            *[html.Th(breakable_name(c.name), scope="col") for c in compared],
                        ]
                    )
                ),
                html.Tbody(
                    # A theme's name may break after its slash ("individuals/ communities"), not inside a word.
                    [
                        html.Tr(
                            [html.Th(breakable(label), scope="row"), *[html.Td(v) for v in values]],
                            className="list-row" if n >= len(facts) else "",
                        )
                        for n, (label, values) in enumerate([*facts, *lists])
                    ]
                ),
            ],
            className="comparison-table",
        ),
        className="table-scroll",
        tabIndex="0",
        role="region",
        **aria(label="Comparison, scrolls sideways"),
    )
    return html.Div([hint, table, _comparison_by_force(compared, lists)])


def _comparison_by_force(compared: Sequence[ComparedForce], lists: Sequence[tuple[str, list]]) -> html.Div:
    """On a phone the rows of lists (initiatives, figures) are read force by force under the table, a screen wide:
    in the table's columns, two to a screen, they ran a word or two a line (the stylesheet shows one or the other)."""
    return html.Div(
        [
            html.Section(
                [
                    html.H3(c.name),
                    *(
                        part
                        for label, values in lists
                        for part in (html.H4(label), html.P(values[n]) if isinstance(values[n], str) else values[n])
                    ),
                ],
                className="comparison-force",
            )
            for n, c in enumerate(compared)
        ],
        className="comparison-by-force",
    )


def _number(value: float | int | None, unit: str = "") -> str:
    return f"{value:,.0f}{unit}" if value is not None else "—"


def _figure_lines(dataset: Dataset, outcomes: Iterable[Outcome], how: bool) -> list[str]:
    """Each figure with its reading, (if `how`) how it was obtained, where it comes from, and its notes."""
    return [
        _with_notes(
            f"{o.measure}: {reading_of(o)} (" + (f"{how_obtained(o)}; " if how else "") + f"{figure_line(dataset, o)})",
            [n for n in dataset.notes if n.figure_id == o.id],
        )
        for o in outcomes
    ]


def _items(lines: Sequence[str], empty: str) -> html.Ul | str:
    """A cell of several initiatives or figures as a list, each apart from the next: run together as lines of one
    paragraph, a narrow column on a phone read as one block (trial 11)."""
    return html.Ul([html.Li(line) for line in lines], className="cell-items") if lines else empty


def _comparison_facts(
    compared: Sequence[ComparedForce], dataset: Dataset, filtered: bool
) -> list[tuple[str, list[str]]]:
    """The comparison's first rows: region, area, population, how many initiatives, and each theme's count."""
    nothing = none_text(filtered, CountedSources.of(len(dataset.provenance)))
    themes = [t for t in dataset.themes if any(c.theme_counts.get(t.id) for c in compared)]
    return [
        ("Region", [c.region for c in compared]),
        ("Area", [_number(c.area_km2, " km²") for c in compared]),
        ("Population (mid-2018)", [_number(c.population) for c in compared]),
        (
            "Number of initiatives" + (" matching your filters" if filtered else ""),
            [str(len(c.initiatives)) if c.initiatives else nothing for c in compared],
        ),
        *[
            (t.label, [str(c.theme_counts[t.id]) if c.theme_counts.get(t.id) else "none" for c in compared])
            for t in themes
        ],
    ]


def _comparison_lists(compared: Sequence[ComparedForce], dataset: Dataset, filtered: bool) -> list[tuple[str, list]]:
    """The comparison's rows of lists, each a label and a value per force: the initiatives, the results, the rest."""
    nothing = none_text(filtered, CountedSources.of(len(dataset.provenance)))
    return [
        # Each title and figure with where it comes from: the paper's section and marks, or the register's review.
        (
            "Initiatives",
            [
                _items(
                    [
                        _with_notes(f"{i.title} ({provenance_line(dataset, i.id)})", dataset.notes_on(i.id))
                        for i in c.initiatives
                    ],
                    nothing,
                )
                for c in compared
            ],
        ),
        # A figure the paper derives from a result (a saving worked out from a fall) sits with it, its caveat
        # saying it is the same finding; it is never counted as a result of its own.
        (
            "Results (with how they were obtained)",
            [
                _items(
                    _figure_lines(dataset, (o for o in c.outcomes if o.is_result or o.kind == DERIVED_KIND), how=True),
                    "none reported",
                )
                for c in compared
            ],
        ),
        # Activity, funding and targets say what was done or spent, not what it achieved: a row of their own.
        (
            "Activity, funding and target figures (not results)",
            [
                _items(
                    _figure_lines(
                        dataset, (o for o in c.outcomes if not o.is_result and o.kind != DERIVED_KIND), how=False
                    ),
                    "none",
                )
                for c in compared
            ],
        ),
    ]


def _with_notes(line: str, notes: Iterable[Note]) -> str:
    return line + "".join(f" [{n.marker}: {n.text}]" for n in notes)


def similar_links(
    similar: Sequence[SimilarForce], anchor: str | None, state: ViewState, url_prefix: str, dataset: Dataset
) -> list:
    if not anchor or not similar:
        return []
    base = list(state.compare) or [anchor]
    links = []
    for force in similar:
        if force.force_id in base:
            continue
        compare, dropped = compared_with(base, anchor, force.force_id)
        target = replace(state, compare=compare, notices=())
        # A full comparison says which force the new one takes the place of, never dropping one silently.
        words = f"Compare with {force.name}"
        if dropped is not None and dropped in dataset.forces_by_id:
            words += f" in place of {dataset.forces_by_id[dropped].name}"
        links.append(html.Li([dcc.Link(words, href=f"{url_prefix}{target.to_query()}"), f" — {force.reason}"]))
    # Said how they are alike, so nobody reads them as neighbours on the map or as forces doing similar work.
    heading = f"Forces like {dataset.forces_by_id[anchor].name} by region or population:"
    return [html.P(heading), html.Ul(links)] if links else []


THEME_GROUP_LABELS = {"core topic": "Core topics", "further topic": "Further topics", "broader theme": "Broader themes"}
NO_COUNT = "–"


def shade(count: int) -> str:
    """A count's shading class: the more initiatives, the darker (with the number always written)."""
    return "count shade-1" if count == 1 else "count shade-2" if count == 2 else "count shade-3"


MATRIX_KEY = "matrix-key"


def matrix_table(
    rows: Sequence[MatrixRow], dataset: Dataset, state: ViewState, url_prefix: str, totals: MatrixRow | None = None
) -> html.Div:
    """The themes x forces table: themes under their groups, each count shaded and a link to the force's view
    filtered to that theme, a dash where there is none, each row's total, and a totals row."""
    # Once the register has added records, each row says how many of its initiatives are the register's.
    added = bool(dataset.provenance)
    # What a dash means here, in words, once: none matches the filters, or none in the paper at all.
    # A dash is of one theme in one row: a force with work on other themes has dashes too.
    nothing = none_text(filters_narrow(state), CountedSources.of(len(dataset.provenance)))
    key = f"{NO_COUNT} {nothing} on that theme there; the darker a number's cell, the more initiatives."
    parts: list = [
        html.Thead(_matrix_header(dataset, added)),
        html.Tbody([_matrix_row(row, dataset, state, url_prefix, added) for row in rows]),
    ]
    if totals is not None:
        parts.append(html.Tfoot(_matrix_row(totals, dataset, state, url_prefix, added, total_row=True)))
    # The key above the scrolling box, not its caption: a caption is as wide as the table, so on a phone it was
    # cut off at the box's edge mid-sentence.
    return html.Div(
        [
            html.P(key, id=MATRIX_KEY, className="matrix-key"),
            # Its themes are wider than any screen (trial 18, low: on a phone nothing said there was more).
            html.P(
                "Scroll the table sideways for every theme and down for every force: the force names and the "
                "theme headings stay in place.",
                className="matrix-key matrix-hint",
            ),
            html.Div(
                html.Table(parts, className="matrix-table", **aria(describedby=MATRIX_KEY)),
                className="table-scroll matrix-scroll",
                tabIndex="0",
                role="region",
                **aria(label="Coverage matrix, scrolls sideways and down"),
            ),
        ]
    )


def _matrix_cell(row: MatrixRow, theme_id: str, state: ViewState, url_prefix: str, theme: str = "") -> html.Td:
    """A count, shaded and linked to the force's view filtered to the theme; a dash where there is none. The link
    says, on hover and to assistive technology, that it sets the Themes filter for the whole page."""
    count = row.counts.get(theme_id)
    if not count:
        return html.Td(NO_COUNT, className="none")
    force = None if row.row_id == OFF_MAP_ROW_ID else row.row_id
    # Work with no force area is listed in the national view; a force's shows in the profile.
    target = replace(
        state,
        force=force,
        themes=(theme_id,),
        compare=(),
        notices=(),
        view="national" if force is None else "matrix",
    )
    # The off-map row's count opens another tab: "opens-view" brings it into view, focused (assets/clientside.js).
    opens = "the National and regional work tab" if force is None else f"{row.label}'s profile"
    noun = f"{'initiative' if count == 1 else 'initiatives'} ({theme})"
    link = dcc.Link(
        # Named by what it counts and where, as a list of links read out of the table says it: not a bare "1".
        [str(count), html.Span(f" {noun}, {row.label}", className="visually-hidden")],
        href=f"{url_prefix}{target.to_query()}",
        className="opens-view" if force is None else "",
        title=f"{count} {noun}: opens {opens} with the Themes filter set to {theme}, for the whole page (Clear all "
        "filters undoes it)",
    )
    return html.Td(link, className=shade(count))


def _theme_groups(dataset: Dataset) -> list[tuple[str, int]]:
    """(group label, how many consecutive themes it heads), in the themes' order."""
    groups: list[tuple[str, int]] = []
    for theme in dataset.themes:
        label = THEME_GROUP_LABELS.get(theme.kind, theme.kind)
        if groups and groups[-1][0] == label:
            groups[-1] = (label, groups[-1][1] + 1)
        else:
            groups.append((label, 1))
    return groups


def _spanning(text: str, class_name: str | None = None) -> html.Th:
    return html.Th(text, rowSpan=2, scope="col", className=class_name)


def _matrix_header(dataset: Dataset, added: bool) -> list[html.Tr]:
    """Two header rows: the theme groups (with the columns spanning both), then each theme."""
    return [
        html.Tr(
            [
                _spanning("Force"),
                _spanning("Region", "region"),
                *[
                    html.Th(
                        html.Span(label, className="theme-group-label"),
                        colSpan=n,
                        scope="colgroup",
                        className="theme-group",
                    )
                    for label, n in _theme_groups(dataset)
                ],
                _spanning("All themes (each initiative once)", "total"),
                *([_spanning("Added through the register")] if added else []),
            ]
        ),
        html.Tr([html.Th(t.label, scope="col", title=t.description) for t in dataset.themes]),
    ]


def _matrix_row(
    row: MatrixRow, dataset: Dataset, state: ViewState, url_prefix: str, added: bool, total_row: bool = False
) -> html.Tr:
    """A force's row (or the totals row: its counts plain, not linked)."""
    total = html.Td(str(row.total) if row.total else NO_COUNT, className="total" + (" none" if not row.total else ""))
    return html.Tr(
        [
            html.Th(row.label, scope="row"),
            html.Td(row.region, className="region"),
            *[
                (
                    html.Td(
                        str(row.counts[t.id]) if row.counts.get(t.id) else NO_COUNT,
                        className="total" + ("" if row.counts.get(t.id) else " none"),
                    )
                    if total_row
                    else _matrix_cell(row, t.id, state, url_prefix, t.label)
                )
                for t in dataset.themes
            ],
            total,
            *([html.Td(str(row.added), className="count register-count")] if added else []),
        ],
        className="totals-row" if total_row else None,
    )


OFF_MAP_LISTED = 60  # items shown in the National and regional tab before "n more … download this view"


def off_map_groups(groups: Sequence[OffMapGroup], dataset: Dataset, way_out: html.P | None = None) -> list:
    """The National and regional tab: a heading per scope (and region), each item with its themes, evaluation,
    kind and stage, its summary, its figures and where it comes from. `way_out`: what to show when nothing
    matches (a message with "Clear all filters")."""
    if not any(g.initiatives for g in groups):
        return [
            way_out
            or html.P(
                "No national, regional, British Transport Police or Welsh work matches the filters.", className="empty"
            )
        ]
    by_initiative: dict[str, list[Outcome]] = {}
    for outcome in dataset.outcomes:
        if outcome.initiative_id:
            by_initiative.setdefault(outcome.initiative_id, []).append(outcome)
    shown = 0
    sections: list = []
    for group in groups:
        items = group.initiatives[: max(0, OFF_MAP_LISTED - shown)]
        shown += len(items)
        if not items:
            break
        sections.append(
            html.Section(
                [
                    html.H3(f"{group.heading} ({len(group.initiatives)})", id=off_map_group_anchor(group.heading)),
                    html.Ul(
                        [_off_map_item(i, dataset, by_initiative.get(i.id, [])) for i in items],
                        className="off-map-items",
                    ),
                ],
                className="off-map-group",
            )
        )
    total = sum(len(g.initiatives) for g in groups)
    if total > shown:
        sections.append(
            html.P(
                f"{total - shown} more pieces of work not shown here: narrow the filters, or download "
                "this view for every one.",
                className="note",
            )
        )
    return sections


def _off_map_item(initiative: Initiative, dataset: Dataset, outcomes: Sequence[Outcome]) -> html.Li:
    themes = ", ".join(dataset.themes_by_id[t].label for t in initiative.themes)
    flags = "".join(f" [{n.marker}: {n.text}]" for n in dataset.notes_on(initiative.id))
    facts = (
        f"Themes: {themes} · Evaluation: {initiative.evaluation} · {initiative.kind_of_work.capitalize()}, "
        f"{initiative.stage} · Where: {initiative.place}"
    )
    figures = [f"{o.measure}: {reading_of(o)} ({'result' if o.is_result else o.kind})" for o in outcomes]
    # id: a force's profile links to the item ("Regional and national work that covers this area").
    return html.Li(
        [
            html.Strong(initiative.title + flags),
            html.P(facts, className="off-map-facts"),
            html.P(initiative.summary),
            html.Ul([html.Li(f) for f in figures], className="off-map-figures", **aria(label="Figures"))
            if figures
            else html.P("No figure is given for it.", className="off-map-facts"),
            html.P(f"Source: {provenance_line(dataset, initiative.id)}", className="off-map-source"),
        ],
        id=f"work-{initiative.id}",
    )
