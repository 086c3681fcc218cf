"""UI feature: the outcomes overview (every result of the matching initiatives) and the background
figures (cited research and wider statistics, apart from results). Layout and callbacks side by side.

The overview's charts are HTML lists (components/charts.py), as in the profile: no plotly.js is loaded
to read them. "Save these charts as images" asks the server for the same charts as plotly figures and
loads plotly.js then (assets/plotly-on-demand.js)."""

from __future__ import annotations

from collections.abc import Sequence

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components.charts import details_list, lollipop, obtained_list, source_lines
from components.ids import Ids, shown_state_id
from components.panels import BACKGROUND_ROW, CHARTED_PER_UNIT, left_out, outcome_table
from components.view_state import pass_state_while_shown, shown_state_store, state_from_store
from domain.aggregation import filter_initiatives, largest_per_unit, outcomes_of
from domain.figures import (
    RESULTS_ONLY_NOTE,
    FigureSpec,
    overview_lollipops,
    plotly_lollipop,
    with_source,
    with_title,
)
from domain.loading import Dataset
from domain.state import active_filters_words
from domain.provenance import figure_marks
from domain.schema import Outcome
from domain.source import SnapshotProvider

BACKGROUND_VIEW = "background"


def overview_panel() -> list:
    """The charts are drawn when their place on the page comes near view (assets/lazy-overview.js): the
    panel sits below the map and the profile, and nothing a reader cannot see yet should hold the page's
    first answer to a click (drawn with plotly.js, they once took ~350 ms of it)."""
    return [
        html.H2("Outcomes overview"),
        html.P(
            [
                html.Strong("All of England, whichever force is selected: "),
                "every result reported for the initiatives matching your filters. A selected force's own "
                "results are in its profile above. Percentage falls in a rate and falls in a number of events are "
                "on separate axes; every other result is on an axis of its own unit, each point named by its "
                "initiative and value. Activity, funding, targets and background figures are not results; they "
                "are in the tables and the download.",
            ],
            className="overview-scope",
        ),
        html.Div(
            html.P("The charts are drawn as this part of the page comes into view.", className="note"),
            id=Ids.OVERVIEW,
            className="overview-charts",
        ),
        html.Button(
            "Save these charts as images",
            id=Ids.OVERVIEW_SAVE,
            n_clicks=0,
            className="button chart-options",
            type="button",
        ),
        html.Span(id=Ids.OVERVIEW_SAVED, role="status", className="save-status"),
        dcc.Store(id=Ids.OVERVIEW_SEEN, data=False),
        dcc.Store(id=Ids.OVERVIEW_IMAGES),
    ]


def charted_results(outcomes: Sequence[Outcome]) -> tuple[tuple[Outcome, ...], tuple[Outcome, ...], int]:
    """(percentage falls, every other result, how many results were left out): at most CHARTED_PER_UNIT per
    unit, the largest kept."""
    results = [o for o in outcomes if o.is_result]
    falls, falls_left = largest_per_unit(
        [o for o in results if o.unit == "percent" and o.direction == "reduction"], CHARTED_PER_UNIT
    )
    others, others_left = largest_per_unit(
        [o for o in results if not (o.unit == "percent" and o.direction == "reduction")], CHARTED_PER_UNIT
    )
    return falls, others, falls_left + others_left


OVERVIEW_DETAILS = "Each result in words: its initiative, how it was obtained and its source"


def overview_lists(dataset: Dataset, outcomes: Sequence[Outcome], source: str = "") -> list:
    """Every result among `outcomes`, each charted once as an HTML list: percentage falls in a rate and in a
    number of events apart, and every other result on an axis of its own unit. Nothing else is charted, and
    the note says so."""
    falls, others, left = charted_results(outcomes)
    if not falls and not others:
        return [
            html.P(
                "No result is reported for the matching initiatives; their other figures are in the tables "
                "and the download.",
                className="empty",
            )
        ]
    charted = len(falls) + len(others)
    charts = overview_lollipops(
        falls, others, dict(dataset.initiatives_by_id), figure_marks(dataset, [*falls, *others])
    )
    return [
        html.P(f"{charted} result{'' if charted == 1 else 's'} charted. {RESULTS_ONLY_NOTE}", className="note"),
        left_out(left, "results (the smaller ones)"),
        # Under each chart, what its points' tooltips say, for readers who cannot hover (touch, keyboard): each
        # result's reading, initiative, how it was obtained and its source, as the profile gives them.
        *(
            part
            for chart in charts
            for part in (lollipop(chart, ""), obtained_list(chart), details_list(chart, OVERVIEW_DETAILS))
            if part is not None
        ),
        # The source once for the charts, not under each of them.
        html.P("\n".join(source_lines(source)), className="chart-source") if charts else None,
    ]


def overview_figures(dataset: Dataset, outcomes: Sequence[Outcome], source: str, scope: str = "") -> list[FigureSpec]:
    """The charts on screen, one image each and in the same order (a fall in a rate, a fall in a number of events,
    then one per unit), as plotly figures with the citation, for the browser to save. Each is titled with `scope`
    and its axis ("All of England (filters: themes Dementia): results, Fall in a rate (%)"), so an image read away
    from the page says what it covers."""
    falls, others, _ = charted_results(outcomes)
    charts = overview_lollipops(
        falls, others, dict(dataset.initiatives_by_id), figure_marks(dataset, [*falls, *others])
    )
    figures = [
        with_title(plotly_lollipop(chart), f"{scope}: results, {chart.axis_title}") if scope else plotly_lollipop(chart)
        for chart in charts
    ]
    return [with_source(figure, source) for figure in figures]


def matching_outcomes(dataset: Dataset, filters_data: object) -> list[Outcome]:
    return list(outcomes_of(dataset, filter_initiatives(dataset, state_from_store(filters_data, dataset))))


def overview_charts(dataset: Dataset, filters_data: object, source: str) -> list:
    """The overview's charts for the filters in `filters_data` (the filter store's value)."""
    return overview_lists(dataset, matching_outcomes(dataset, filters_data), source)


def background_panel() -> list:
    """Filled when its tab is opened: a hidden table would slow every other update on the page."""
    return [
        html.H2("Background figures"),
        html.P(
            "Cited research and wider statistics the paper gives as background. They describe "
            "the setting of the work, not what any initiative achieved."
        ),
        html.Div(id=Ids.BACKGROUND),
        dcc.Store(id=Ids.BACKGROUND_FOR),
        shown_state_store(BACKGROUND_VIEW),
    ]


def register(app: Dash, source: SnapshotProvider) -> None:
    pass_state_while_shown(app, BACKGROUND_VIEW)

    @app.callback(
        Output(Ids.OVERVIEW, "children"),
        Input(Ids.FILTERS, "data"),
        Input(Ids.OVERVIEW_SEEN, "data"),
        prevent_initial_call=True,  # nothing is drawn until the charts' place comes near view
    )
    def show_overview(filters_data, seen):
        if seen is not True:
            raise PreventUpdate
        snapshot = source.current()
        return overview_charts(snapshot.dataset, filters_data, snapshot.chart_citation)

    @app.callback(
        Output(Ids.OVERVIEW_IMAGES, "data"),
        Input(Ids.OVERVIEW_SAVE, "n_clicks"),
        State(Ids.FILTERS, "data"),
        prevent_initial_call=True,  # only when asked, so no other update carries the figures
    )
    def overview_images(clicks, filters_data):
        if not isinstance(clicks, int) or clicks < 1:
            raise PreventUpdate
        snapshot = source.current()
        state = state_from_store(filters_data, snapshot.dataset)
        words = active_filters_words(state, snapshot.dataset)
        figures = overview_figures(
            snapshot.dataset,
            matching_outcomes(snapshot.dataset, filters_data),
            snapshot.chart_citation,
            f"All of England{f' (filters: {words})' if words else ''}",
        )
        return {"clicks": clicks, "figures": figures, "name": "police-public-health-overview-chart"}

    app.clientside_callback(
        ClientsideFunction("pph", "saveCharts"),
        Output(Ids.OVERVIEW_SAVED, "children"),
        Input(Ids.OVERVIEW_IMAGES, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(Ids.BACKGROUND, "children"),
        Output(Ids.BACKGROUND_FOR, "data"),
        Input(shown_state_id(BACKGROUND_VIEW), "data"),
        State(Ids.BACKGROUND_FOR, "data"),
        prevent_initial_call=True,  # filled when its tab is first shown
    )
    def show_background(state_data, shown_for):
        snapshot = source.current()
        if state_from_store(state_data, snapshot.dataset).view != BACKGROUND_VIEW or shown_for == snapshot.version:
            raise PreventUpdate
        return outcome_table(
            [o for o in snapshot.dataset.outcomes if o.is_background],
            snapshot.dataset,
            "Background figures the paper cites, in a table",
            row_ids=BACKGROUND_ROW,
        ), snapshot.version
