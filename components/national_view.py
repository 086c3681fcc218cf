"""UI feature: national, regional, British Transport Police and Welsh work, which has no English force
area on the map and is listed here instead, never dropped. Layout and callback side by side.

The list is built when its tab is open, and again only when the filters change: a hidden list would
cost every other update on the page (Dash's renderer revisits every component on each one).
"""

from __future__ import annotations

from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from components.ids import Ids, shown_state_id
from components.compare_panels import off_map_groups
from components.panels import nothing_matches
from components.view_state import pass_state_while_shown, shown_state_store, state_from_store
from domain.aggregation import filter_initiatives, filters_narrow, off_map_initiatives
from domain.compare import group_off_map
from domain.source import SnapshotProvider

VIEW = "national"


def national_intro(show_wales: bool) -> str:
    """What the list holds, as the Welsh forces' toggle has the map: Welsh work is on the map while shown."""
    if show_wales:
        return (
            "The Welsh forces are shown on the map, so their work is there, not here. Listed: national, "
            "regional and British Transport Police work, which has no force area on the map, grouped by scope "
            "and region: the paper names no single force for it."
        )
    return (
        "Listed: national, regional and British Transport Police work, which has no force area on the map, "
        "and Welsh work while the Welsh forces are hidden, grouped by scope and region."
    )


def national_panel() -> list:
    return [
        html.H2("National, regional, British Transport Police and Welsh work"),
        html.P("Work that has no English force area to sit in is listed here, never dropped."),
        html.Div(id=Ids.OFF_MAP),
        dcc.Store(id=Ids.OFF_MAP_FOR),
        shown_state_store(VIEW),
    ]


def register(app: Dash, source: SnapshotProvider, url_prefix: str = "/") -> None:
    pass_state_while_shown(app, VIEW)

    @app.callback(
        Output(Ids.OFF_MAP, "children"),
        Output(Ids.OFF_MAP_FOR, "data"),
        Input(shown_state_id(VIEW), "data"),
        State(Ids.OFF_MAP_FOR, "data"),
        prevent_initial_call=True,  # filled when its tab is first shown
    )
    def show_national_work(state_data, shown_for):
        snapshot = source.current()
        dataset = snapshot.dataset
        state = state_from_store(state_data, dataset)
        if state.view != VIEW:
            raise PreventUpdate
        # What the list depends on: the filters and the data. A force click changes neither.
        key = f"{snapshot.version}{state.filters_only().to_query()}"
        if key == shown_for:
            raise PreventUpdate
        matching = filter_initiatives(dataset, state)
        return [
            html.P(national_intro(state.show_wales), className="note"),
            *off_map_groups(
                group_off_map(snapshot.join, off_map_initiatives(snapshot.join, matching, state.show_wales)),
                dataset,
                None
                if not filters_narrow(state)
                else nothing_matches(
                    "No national, regional, British Transport Police or Welsh work matches your filters.",
                    url_prefix,
                    state,
                ),
            ),
        ], key
