"""UI feature: national, regional, British Transport Police and Welsh work, which has no English force
area on the map and is listed here instead, never dropped. Layout and callback side by side."""

from __future__ import annotations

from dash import Dash, Input, Output, html

from components.ids import Ids
from components.panels import off_map_list
from components.view_state import state_from_store
from domain.aggregation import filter_initiatives, off_map_initiatives
from domain.joining import ForceJoin
from domain.loading import Dataset
from domain.source import DataSource


def national_panel(dataset: Dataset, join: ForceJoin) -> list:
    return [
        html.H2("National, regional, British Transport Police and Welsh work"),
        html.P("Work that has no English force area to sit in is listed here, never dropped."),
        html.Div(off_map_list(off_map_initiatives(join, dataset.initiatives), dataset), id=Ids.OFF_MAP),
    ]


def register(app: Dash, source: DataSource) -> None:
    @app.callback(
        Output(Ids.OFF_MAP, "children"),
        Input(Ids.FILTERS, "data"),
        prevent_initial_call=True,  # the layout holds the default view's list
    )
    def show_national_work(filters_data):
        snapshot = source.current()
        dataset = snapshot.dataset
        matching = filter_initiatives(dataset, state_from_store(filters_data, dataset))
        return off_map_list(off_map_initiatives(snapshot.join, matching), dataset)
