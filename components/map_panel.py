"""UI feature: the map of force areas, its legend and its text alternative (the map as a table).

Layout and callbacks side by side. The map is built once with the default view's colours; filter
changes send only a Patch of the colours, and a selection only a Patch of the outline.
"""

from __future__ import annotations

from dataclasses import replace

from dash import Dash, Input, Output, Patch, dcc, html

from components.ids import Ids
from components.static_compression import content_digest
from components.panels import GRAPH_CONFIG, force_table, on_demand
from components.view_state import is_open, state_from_store, toggle_outputs
from domain.aggregation import filter_initiatives, force_counts, shown_force_ids
from domain.figures import NO_CASE_STUDY_COLOUR, NO_CASE_STUDY_LABEL, build_force_map, map_traces
from domain.joining import ForceJoin
from domain.loading import Dataset
from domain.source import DataSource
from domain.state import ViewState

# Said beside the map, so nobody reads the colour as "case studies" or as the amount of work done.
MAP_COUNTS = ("The map counts initiatives: one initiative is one named piece of work the paper places in that "
              "force area. A case study of the paper may hold several. Regional and national work, and work cited "
              "as evidence from elsewhere, is not counted on the map.")


def register_legend(dataset: Dataset) -> str:
    """Which source the counts come from, once the register has added to the paper."""
    added = len(dataset.provenance)
    return (f"Counts include {added} initiative{'' if added == 1 else 's'} added through the register after "
            "review, besides the 2016 paper's; choose a source in the filters to see either alone.")


def results_count(matching: int, total: int) -> str:
    return f"{matching} of {total} initiative{'' if total == 1 else 's'} match{'es' if matching == 1 else ''}"


def topojson_dir_url(url_prefix: str, digest: str) -> str:
    """Where plotly.js finds the base map: it appends `<name>.json`, so the digest is a folder."""
    return f"{url_prefix}topojson/{digest}/"


def geojson_url(dataset: Dataset, url_prefix: str) -> str:
    """The force geometry's URL, named by the digest of the bytes the app serves for this dataset."""
    if dataset.boundaries is None:
        raise ValueError("the dataset has no boundaries to map")
    return f"{url_prefix}geo/police_force_areas.{content_digest(dataset.boundaries.geojson_bytes)}.geojson"


def layout(dataset: Dataset, join: ForceJoin, url_prefix: str, base_map_url: str) -> html.Section:
    """The map panel; `base_map_url` is the folder plotly.js fetches the outline of Europe from."""
    initial = build_force_map(geojson_url(dataset, url_prefix),
                              map_traces(force_counts(dataset, join, dataset.initiatives, False), None))
    config = {**GRAPH_CONFIG, "topojsonURL": base_map_url, "scrollZoom": False}
    return html.Section([
        dcc.Graph(id=Ids.MAP, figure=initial, config=config, className="map", responsive=True),
        html.P([html.Span(className="swatch", style={"background": NO_CASE_STUDY_COLOUR}),
                NO_CASE_STUDY_LABEL, html.Span(" · darker blue: more initiatives", className="legend-more")],
               className="legend-note"),
        html.P(MAP_COUNTS, className="legend-note legend-counts"),
        html.P(register_legend(dataset), className="legend-note legend-source", hidden=not dataset.provenance),
        *on_demand("the map as a table", Ids.FORCE_TABLE_TOGGLE, Ids.FORCE_TABLE_BODY, Ids.FORCE_TABLE, [
            html.Label("Sort the table by", htmlFor=Ids.FORCE_TABLE_SORT),
            dcc.Dropdown(id=Ids.FORCE_TABLE_SORT, value="force", clearable=False, options=[
                {"label": "Force (A to Z)", "value": "force"},
                {"label": "Region", "value": "region"},
                {"label": "Initiatives (most first)", "value": "count"},
            ]),
        ], "map-table"),
    ], className="map-panel", **{"aria-label": "Map of police force areas"})


def register(app: Dash, source: DataSource, url_prefix: str) -> None:
    @app.callback(
        Output(Ids.MAP, "figure"), Output(Ids.RESULTS_COUNT, "children"),
        Input(Ids.FILTERS, "data"),
        prevent_initial_call=True,  # the layout already draws the default view: never draw the map twice
    )
    def recolour_map(filters_data):
        snapshot = source.current()
        dataset = snapshot.dataset
        state = state_from_store(filters_data, dataset)
        matching = filter_initiatives(dataset, state)
        traces = map_traces(force_counts(dataset, snapshot.join, matching, state.show_wales), None)
        # Only colours and hover data change: the geometry stays in the browser.
        patch = Patch()
        patch["data"][0]["locations"] = list(traces.counted_ids)
        patch["data"][0]["z"] = list(traces.counted_z)
        patch["data"][0]["customdata"] = [list(c) for c in traces.counted_custom]
        patch["data"][0]["zmax"] = max(traces.zmax, 2)
        patch["data"][1]["locations"] = list(traces.empty_ids)
        patch["data"][1]["z"] = [0] * len(traces.empty_ids)
        patch["data"][1]["customdata"] = [list(c) for c in traces.empty_custom]
        return patch, results_count(len(matching), len(dataset.initiatives))

    @app.callback(
        Output(Ids.MAP, "figure", allow_duplicate=True),
        Input(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def outline_selected(state_data):
        snapshot = source.current()
        state = state_from_store(state_data, snapshot.dataset)
        selected = [state.force] if state.force in shown_force_ids(snapshot.dataset, snapshot.join, state.show_wales) else []
        outline = Patch()
        outline["data"][2]["locations"] = selected
        outline["data"][2]["z"] = [1] * len(selected)
        return outline

    @app.callback(
        Output(Ids.FORCE_TABLE, "children"), Output(Ids.FORCE_TABLE_BODY, "hidden"),
        Output(Ids.FORCE_TABLE_TOGGLE, "children"), Output(Ids.FORCE_TABLE_TOGGLE, "aria-expanded"),
        Input(Ids.FILTERS, "data"), Input(Ids.FORCE_TABLE_SORT, "value"), Input(Ids.FORCE_TABLE_TOGGLE, "n_clicks"),
        prevent_initial_call=True,  # closed until asked for
    )
    def show_force_table(filters_data, sort_by, toggles):
        if not is_open(toggles):
            return [], *toggle_outputs(False, "the map as a table")
        snapshot = source.current()
        dataset = snapshot.dataset
        state = state_from_store(filters_data, dataset)
        counts = force_counts(dataset, snapshot.join, filter_initiatives(dataset, state), state.show_wales)

        def link_for(force_id: str) -> str:
            return f"{url_prefix}{replace(state, force=force_id, notices=()).to_query()}"

        table = force_table(counts, dataset, sort_by if isinstance(sort_by, str) else "force", link_for)
        return table, *toggle_outputs(True, "the map as a table")


def initial_results_count(dataset: Dataset) -> str:
    return results_count(len(filter_initiatives(dataset, ViewState())), len(dataset.initiatives))
