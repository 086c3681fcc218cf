"""UI feature: the outcomes overview (every result of the matching initiatives) and the background
figures (cited research and wider statistics, apart from results). Layout and callback side by side."""

from __future__ import annotations

from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components.ids import Ids, shown_state_id
from components.panels import outcome_table, overview_graphs
from components.view_state import pass_state_while_shown, shown_state_store, state_from_store
from domain.aggregation import filter_initiatives, outcomes_of
from domain.loading import Dataset
from domain.source import DataSource

BACKGROUND_VIEW = "background"


def overview_panel() -> list:
    """The charts are drawn when their place on the page comes near view (assets/lazy-overview.js): the
    panel sits below the map and the profile, and drawing its four charts at load took ~350 ms of the
    main thread before the page could answer a click."""
    return [
        html.H2("Outcomes overview"),
        html.P([html.Strong("All of England, whichever force is selected: "),
                "every result the paper reports for the initiatives matching your filters. A selected force's own "
                "results are in its profile above. Percentage falls in a rate and falls in a number of events are "
                "on separate axes; every other result is on an axis of its own unit, each point named by its "
                "initiative and value. Activity, funding, targets and background figures are not results; they "
                "are in the tables and the download."], className="overview-scope"),
        html.Div(html.P("The charts are drawn as this part of the page comes into view.", className="note"),
                 id=Ids.OVERVIEW, className="overview-charts"),
        dcc.Store(id=Ids.OVERVIEW_SEEN, data=False),
    ]


def overview_charts(dataset: Dataset, filters_data: object, source: str) -> list:
    """The overview's charts for the filters in `filters_data` (the filter store's value)."""
    matching = filter_initiatives(dataset, state_from_store(filters_data, dataset))
    return overview_graphs(dataset, outcomes_of(dataset, matching), source)


def background_panel() -> list:
    """Filled when its tab is opened: a hidden table would slow every other update on the page."""
    return [
        html.H2("Background figures"),
        html.P("Cited research and wider statistics the paper gives as background. They describe "
               "the setting of the work, not what any initiative achieved."),
        html.Div(id=Ids.BACKGROUND),
        dcc.Store(id=Ids.BACKGROUND_FOR),
        shown_state_store(BACKGROUND_VIEW),
    ]


def register(app: Dash, source: DataSource) -> None:
    pass_state_while_shown(app, BACKGROUND_VIEW)

    @app.callback(
        Output(Ids.OVERVIEW, "children"),
        Input(Ids.FILTERS, "data"), Input(Ids.OVERVIEW_SEEN, "data"),
        prevent_initial_call=True,  # nothing is drawn until the charts' place comes near view
    )
    def show_overview(filters_data, seen):
        if seen is not True:
            raise PreventUpdate
        snapshot = source.current()
        return overview_charts(snapshot.dataset, filters_data, snapshot.chart_source)

    @app.callback(
        Output(Ids.BACKGROUND, "children"), Output(Ids.BACKGROUND_FOR, "data"),
        Input(shown_state_id(BACKGROUND_VIEW), "data"), State(Ids.BACKGROUND_FOR, "data"),
        prevent_initial_call=True,  # filled when its tab is first shown
    )
    def show_background(state_data, shown_for):
        snapshot = source.current()
        if state_from_store(state_data, snapshot.dataset).view != BACKGROUND_VIEW or shown_for == snapshot.version:
            raise PreventUpdate
        return outcome_table([o for o in snapshot.dataset.outcomes if o.is_background], snapshot.dataset), snapshot.version
