"""UI layer: HTML builders for the drill-down panels. Text from the CSVs is passed as Dash
children, which React renders as text: nothing from the data is ever interpreted as HTML."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

from components.attributes import aria, attributes
from components.charts import lollipop, obtained_list
from components.orientation import EVALUATION_HELP
from domain.aggregation import ForceCount, largest_per_unit, reading_of
from domain.force_map import DEFAULT_MEASURE, MEASURE_COLUMNS, NO_INITIATIVE_LABEL, value_of
from domain.loading import Dataset
from domain.lollipop import LollipopChart
from domain.provenance import figure_marks, is_register, note_line, provenance_line, source_badge
from domain.schema import Initiative, Note, Outcome
from domain.state import ViewState, cleared


def clear_all_link(url_prefix: str, state: ViewState) -> dcc.Link:
    """The way out of a view the filters leave empty: the same view with every filter and the force cleared."""
    return dcc.Link("Clear all filters", href=f"{url_prefix}{cleared(state).to_query()}", className="button clear-all")


def nothing_matches(words: str, url_prefix: str, state: ViewState) -> html.P:
    """A zero-result message with its way out beside it."""
    return html.P([words, " ", clear_all_link(url_prefix, state)], className="empty")


# What each kind of figure, and "no reference mark", means, in a line: the short form of the glossary in "How to
# read this" (components/orientation.py), which each term links to.
TERM_HELP: dict[str, str] = {
    "result": "Measures what the initiative achieved; says how it was obtained.",
    "activity or parameter": "What the work does or is (hours, staff): not a result.",
    "derived from a result": "The same finding as a result, worked out in other terms: not a second result.",
    "funding": "Money spent or given: not a result.",
    "target": "An aim, not something achieved.",
    "coverage": "How many people or places the work reaches: not a result.",
    "background": "Research or statistics from elsewhere that the paper cites: not a result of this work.",
    "no reference mark": "The paper states this without one of its numbered references.",
}
GLOSSARY_HREF = "#how-to-read"


def term(text: str, help_text: str | None = None, seen: set[str] | None = None) -> html.A | html.Span | str:
    """A term of the paper's, explained where it appears: a link to the glossary in "How to read this", which
    opens it (assets/clientside.js), with the short meaning as its title for a pointer. Where `seen` already holds
    the term (a table's later rows), it keeps its title but is no second link: one keyboard stop per term a table."""
    meaning = help_text or TERM_HELP.get(text)
    if not meaning:
        return text
    if seen is not None:
        if text in seen:
            return html.Span(text, title=meaning, className="term-seen")
        seen.add(text)
    return html.A(text, href=GLOSSARY_HREF, title=meaning, className="term", **attributes({"data-term": text}))


def with_terms(text: str, seen: set[str] | None = None) -> list | str:
    """`text` with "no reference mark" in it made a term."""
    phrase = "no reference mark"
    if phrase not in text:
        return text
    before, after = text.split(phrase, 1)
    return [before, term(phrase, seen=seen), after]


def _badge(text: str, kind: str) -> html.Span:
    return html.Span(text, className=f"badge badge-{kind}")


def part_of(initiative: Initiative, dataset: Dataset) -> str | None:
    """'Part of the Gloucestershire, health and wellbeing case study': the paper's own grouping. A register
    record is part of nothing in the paper, so it has none."""
    if is_register(dataset, initiative.id):
        return None
    group = dataset.case_studies_by_id[initiative.case_study]
    # The paper's topic sections hold local work too (Avon and Somerset's campaign, South Wales's project),
    # so they are called sections, not "national".
    noun = "case study" if group.kind == "case study" else "section"
    return f"Part of the paper's {noun}: {group.title}"


def initiative_summary(initiative: Initiative, dataset: Dataset) -> html.Summary:
    """A collapsed title with its source in words beside it, and the published notes on it flagged: a
    register record never looks like the paper's, and an erratum is seen before the card is opened.
    With the paper alone, every record is the paper's and the title stands by itself."""
    notes = dataset.notes_on(initiative.id)
    flags = [_badge(note.marker, "note") for note in notes]
    if not dataset.provenance:
        return html.Summary([initiative.title, *flags] if flags else initiative.title)
    badge = source_badge(dataset, initiative.id)
    return html.Summary([initiative.title, _badge(badge, "register" if badge == "Register" else "paper"), *flags])


def years_text(initiative: Initiative) -> str:
    """'2017–2019'; 'from 2022' for work running with no last year (not "since": a paper record is running as of
    2016, not now); '2014' for anything else with one year (a one-off event, or work whose end is not given)."""
    start, end = initiative.start_year, initiative.end_year
    if start and not end and initiative.stage == "running":
        return f"from {start}"
    return "–".join(str(y) for y in (start, end) if y)


def initiative_card(initiative: Initiative, dataset: Dataset, focus_force: str | None) -> html.Article:
    forces = [dataset.forces_by_id[f].name for f in initiative.force_ids]
    others = [dataset.forces_by_id[f].name for f in initiative.force_ids if f != focus_force]
    years = years_text(initiative)
    facts = [
        f"Where: {initiative.place}" + (f" ({years})" if years else ""),
        f"Led by: {'; '.join(initiative.lead_organisations)}",
    ]
    if initiative.partners:
        facts.append(f"Partners: {'; '.join(initiative.partners)}")
    if focus_force and others:
        facts.append(f"Also covers: {'; '.join(others)}")
    elif not focus_force and forces:
        facts.append(f"Forces: {'; '.join(forces)}")
    # The title is the summary of the <details> that holds the card (components.profile).
    group = part_of(initiative, dataset)
    rows: list[Component | None] = [
        html.P(group, className="part-of") if group else None,
        html.P("\n".join(facts), className="facts"),
    ]
    rows += [
        html.Div([_badge(dataset.themes_by_id[t].label, "theme") for t in initiative.themes], className="tags"),
        html.Div(
            [
                _badge(f"Kind of work: {initiative.kind_of_work}", "status"),
                _badge(f"Stage: {initiative.stage}", "status"),
                html.Span(
                    ["Evaluation: ", term(initiative.evaluation, EVALUATION_HELP.get(initiative.evaluation))],
                    className="badge badge-evaluation",
                ),
            ],
            className="tags",
        ),
        html.P(initiative.summary, className="summary"),
        # One line says where the record comes from: the paper's section and marks, or the register's review.
        html.P(f"Record source: {provenance_line(dataset, initiative.id)}", className="citation provenance"),
        *[record_note(note, dataset) for note in dataset.notes_on(initiative.id)],
    ]
    return html.Article(rows, className="card")


def record_note(note: Note, dataset: Dataset) -> html.Aside:
    """An erratum or follow-up beside the paper's record: shown as text, and never changing the record."""
    figure = next((o for o in dataset.outcomes if o.id == note.figure_id), None) if note.figure_id else None
    return html.Aside(
        [
            html.Strong(
                f"{note.marker} added through the register"
                + (f', on the figure "{figure.measure}" ({reading_of(figure)})' if figure else "")
            ),
            html.P(note.text),
            html.P(note_line(note), className="citation"),
        ],
        className="record-note",
    )


# The most a chart or list on the page carries; the rest is in the download, and the page says so.
CHARTED_PER_UNIT = 40
LISTED_ROWS = 60
PROFILE_ROWS = 20  # beside the map: the most any force of the paper has is well under this


def left_out(count: int, what: str) -> html.P | None:
    if count <= 0:
        return None
    return html.P(
        f"{count} more {what} not shown here: narrow the filters, or download this view for every one.",
        className="note left-out",
    )


# The Background figures tab's rows: a force's profile links to its case study's first (components/profile.py).
BACKGROUND_ROW = "background-figure-"


def outcome_table(
    outcomes: Sequence[Outcome], dataset: Dataset, label: str = "Figures, in a table", row_ids: str = ""
) -> html.Div | html.P:
    """Figures with what kind each is (result, activity, funding, target, background) and its citation. `label` names
    the table's scrolling region, uniquely on the page (the profile's table and the Background tab's can show at once).
    With `row_ids`, each figure's row has the id `row_ids` + its id, for a link to land on (once on the page)."""
    if not outcomes:
        return html.P("No figure is given for the initiatives in this view.", className="empty")
    marks = figure_marks(dataset, outcomes)
    header = ["Figure", "Kind", "Initiative or case study", "Value", "Period", "Compared with", "Source"]
    body: list = []
    seen: set[str] = set()  # terms already linked to the glossary in this table
    for o in outcomes:
        # data-label: where the profile is too narrow for the columns, each row stacks as a card and every cell
        # but the figure's name says what it is ("Source: …" under the figure, not a clipped column).
        cells = [
            # A published erratum or follow-up on the figure is said beside it, in words, with its text.
            html.Td(
                [o.measure, *[html.Span(flag, className="figure-note") for flag in marks.flags(o.id)]]
                if marks.notes.get(o.id)
                else o.measure,
                className="figure-name",
            ),
            html.Td(term(o.kind, seen=seen), **attributes({"data-label": "Kind"})),
            html.Td(
                dataset.initiatives_by_id[o.initiative_id].title
                if o.initiative_id
                else dataset.case_studies_by_id[o.case_study].title,
                **attributes({"data-label": "Initiative or case study"}),
            ),
            html.Td(reading_of(o), className="num", **attributes({"data-label": "Value"})),
            html.Td(o.period or "—", **attributes({"data-label": "Period"})),
            html.Td(o.comparator or "—", **attributes({"data-label": "Compared with"})),
            html.Td(
                with_terms(marks.sources[o.id], seen),
                className="figure-source",
                **attributes({"data-label": "Source"}),
            ),
        ]
        body.append(html.Tr(cells, id=f"{row_ids}{o.id}") if row_ids else html.Tr(cells))
        # How a result was obtained, and any caveat, on a full-width line under the figure's row: read with
        # it on screen and in print, without narrowing the columns (a force's figures print on one sheet).
        obtained = _obtained_text(o)
        if obtained:
            body.append(html.Tr(html.Td(obtained, colSpan=len(header), className="figure-design")))
    # On a narrow screen the table scrolls sideways: a focusable region, so the keyboard can scroll it too.
    return html.Div(
        html.Table(
            [html.Thead(html.Tr([html.Th(h, scope="col") for h in header])), html.Tbody(body)],
            className="outcome-table",
        ),
        className="table-scroll",
        tabIndex="0",
        role="region",
        **aria(label=label),
    )


def _obtained_text(outcome: Outcome) -> str:
    """'How obtained: before and after, no comparison group. Caveat: …', or '' when there is neither."""
    parts = [
        f"How obtained: {outcome.design}" if outcome.design else "",
        f"Caveat: {outcome.caveat}" if outcome.caveat else "",
    ]
    return ". ".join(p for p in parts if p)


def figure_tables(
    own: Sequence[Outcome], background: Sequence[Outcome], dataset: Dataset, whose: str = "This view's"
) -> list:
    """The view's own figures (`whose`: "Leicestershire Police's"), then the background its case studies cite, in a
    table of its own."""
    tables: list = [
        outcome_table(own[:PROFILE_ROWS], dataset, f"{whose} figures, in a table"),
        left_out(len(own) - PROFILE_ROWS, "figures"),
    ]
    if background:
        tables += [
            html.H4("Background cited in these case studies"),
            html.P("Cited research and wider statistics: not results of the work above.", className="note"),
            outcome_table(background, dataset, "Background cited in these case studies, in a table"),
        ]
    return tables


def embed_figures(outcomes: Sequence[Outcome], dataset: Dataset) -> html.Div | None:
    """The figures the profile's counts line counts, for the embedded widget, which has room for neither the
    charts nor the table: one line a result with its value and how it was obtained, then one line for each other
    figure. Hidden by the stylesheet everywhere but in embed mode; None with no figures."""
    if not outcomes:
        return None
    results = [o for o in outcomes if o.is_result][:PROFILE_ROWS]
    others = [o for o in outcomes if not o.is_result][:PROFILE_ROWS]

    def line(o: Outcome) -> str:
        # A result's design, and any figure's caveat (a figure derived from a result says from which), go with it.
        obtained = f" How obtained: {o.design.rstrip('.')}." if o.is_result and o.design else ""
        caveat = f" Caveat: {o.caveat.rstrip('.')}." if o.caveat else ""
        return f"{o.measure}: {reading_of(o)}.{obtained}{caveat}"

    parts: list = []
    if results:
        parts += [html.H3("Results"), html.Ul([html.Li(line(o)) for o in results])]
    if others:
        parts += [
            html.H3("Other figures (not results: activities, parameters, and figures derived from a result)"),
            html.Ul([html.Li(line(o)) for o in others]),
        ]
    return html.Div(parts, className="embed-figures")


def capped_results(outcomes: Sequence[Outcome]) -> tuple[tuple[Outcome, ...], int]:
    """The results a profile charts: the largest of each unit, and how many more there are."""
    return largest_per_unit([o for o in outcomes if o.is_result], CHARTED_PER_UNIT)


def outcome_chart_figures(charts: Sequence[LollipopChart], source: str = "") -> list:
    """The profile's results charts, drawn as HTML (components/charts.py)."""
    if not charts:
        return [
            html.P(
                "No result (evaluation or monitoring of effect) is reported for the initiatives in this view; "
                "any other figures they have are listed below.",
                className="empty",
            )
        ]
    # Each chart is followed by how its results were obtained: a result is never shown without it. The profile
    # says the source once, at its foot (components.profile.layout), not under each chart (four lines a chart
    # on a phone).
    return [part for chart in charts for part in (lollipop(chart, source), obtained_list(chart)) if part is not None]


def on_demand(noun: str, toggle_id: str, body_id: str, content_id: str, controls: list, class_name: str) -> list:
    """A button that shows a large section, built by a callback only when opened (Dash renders
    each component in JavaScript, so hundreds of cells would slow every first paint)."""
    return [
        html.Button(
            f"Show {noun}", id=toggle_id, n_clicks=0, className="button", **aria(expanded="false", controls=body_id)
        ),
        html.Div(
            [html.Div(controls, className="control section-controls"), html.Div(id=content_id)],
            id=body_id,
            className=class_name,
            hidden=True,
        ),
    ]


def off_map_list(items: Sequence[tuple[Initiative, str]], dataset: Dataset) -> list:
    if not items:
        return [
            html.P(
                "No national, regional, British Transport Police or Welsh work matches the filters.", className="empty"
            )
        ]

    # Two components per item: Dash's renderer costs time per component on the first paint. The notes'
    # markers and the record's source are words in the item's text.
    def text(i: Initiative, reason: str) -> str:
        flags = "".join(f" [{n.marker}: {n.text}]" for n in dataset.notes_on(i.id))
        return f"{flags} — {reason}. {i.summary} Record source: {provenance_line(dataset, i.id)}."

    return [
        html.Ul([html.Li([html.Strong(i.title), text(i, reason)]) for i, reason in items[:LISTED_ROWS]]),
        left_out(len(items) - LISTED_ROWS, "pieces of work"),
    ]


def _most_first(measure: str, count: ForceCount) -> tuple[int, str]:
    return -value_of(count, measure), count.name


def force_table(
    counts: Sequence[ForceCount],
    dataset: Dataset,
    sort_by: str,
    link_for: Callable[[str], str],
    none_text: str = NO_INITIATIVE_LABEL,
    measure: str = DEFAULT_MEASURE,
) -> html.Div:
    """The map's text alternative: every force drawn, its count and main themes, and the number the map is
    coloured by (`measure`) when that is another; a name selects it. `none_text` says what a count of none means:
    none in the paper, or none matching the filters."""
    regions = {f.id: f.region for f in dataset.forces}
    keys: dict[str, Callable[[ForceCount], tuple[Any, ...]]] = {
        "region": lambda c: (regions[c.force_id], c.name),
        "count": lambda c: (-c.count, c.name),
        **{key: partial(_most_first, key) for key in MEASURE_COLUMNS},
    }
    ordered = sorted(counts, key=keys.get(sort_by, lambda c: (c.name,)))
    coloured_by = MEASURE_COLUMNS.get(measure)

    def measure_cell(count: ForceCount) -> list[html.Td]:
        if coloured_by is None:
            return []
        value = value_of(count, measure)
        return [html.Td(str(value) if value else "none", className="num" if value else "none")]

    rows = [
        html.Tr(
            [
                html.Th(dcc.Link(c.name, href=link_for(c.force_id)), scope="row"),
                html.Td(regions[c.force_id]),
                html.Td(str(c.count) if c.count else none_text.lower(), className="num" if c.count else "none"),
                *measure_cell(c),
                html.Td(c.themes_text),
            ]
        )
        for c in ordered
    ]
    columns = ("Force", "Region", "Matching initiatives", *([coloured_by] if coloured_by else []), "Themes")
    header = html.Tr([html.Th(h, scope="col") for h in columns])
    caption = "Police force areas on the map, with the initiatives that match the filters" + (
        f" and the {coloured_by.lower()} the map is coloured by" if coloured_by else ""
    )
    return html.Div(
        html.Table(
            [
                html.Caption(caption),
                html.Thead(header),
                html.Tbody(rows),
            ],
            className="force-table",
        ),
        className="table-scroll",
        tabIndex="0",
        role="region",
        **aria(label="Map as a table"),
    )
