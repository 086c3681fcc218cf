"""UI feature: the map of force areas, its legend and its text alternative (the map as a table).

Layout and callbacks side by side. The page draws the map itself (assets/force-map.js) from two
stores: the shapes, sent once with the page, and the colours, which a filter change replaces. The
selected force's outline follows the view state in the browser, with no request at all.
"""

from __future__ import annotations

from dataclasses import replace
from collections.abc import Sequence
from functools import lru_cache, partial

from dash import ClientsideFunction, Dash, Input, Output, dcc, html
from dash.development.base_component import Component

from components.ids import Ids, map_measure_button
from components.panels import clear_all_link, force_table, on_demand
from components.view_state import is_open, state_from_store, toggle_outputs
from components.attributes import attributes
from domain.aggregation import filter_initiatives, filters_narrow, force_counts
from domain.force_map import (
    DEFAULT_MEASURE,
    LegendEntry,
    MapColours,
    MapShapes,
    map_colours,
    map_shapes,
    measure_title,
    none_label,
    table_sort_options,
)
from domain.provenance import PAPER_ONLY, CountedSources
from domain.joining import ForceJoin
from domain.loading import Dataset
from domain.source import SnapshotProvider
from domain.state import DEFAULT_STATE, ViewState

# Said beside the map, so nobody reads the colour as "case studies" or as the amount of work done.
MAP_COUNTS = (
    "The map counts initiatives: one initiative is one named piece of work placed in that force area. "
    "A case study of the paper may hold several. Regional and national work, and work cited "
    "as evidence from elsewhere, is not counted on the map. Wales is left white, as land, and its four forces "
    "are not counted until \u201cShow the 4 Welsh forces\u201d is pressed: the paper is of England."
)
# The paper's own caution (its introduction), in the project's words, beside the map rather than only in About.
PAPER_CAUTION = (
    "The paper gives examples, not a census: it says it cannot capture all the work going on, and "
    "that showing one area's work on a topic does not mean others lack it. A pale or grey area may "
    "simply be one the paper did not describe."
)
REGISTER_CAUTION = (
    "The paper gives examples, not a census: it says it cannot capture all the work going on, and "
    "that showing one area's work on a topic does not mean others lack it. The register adds only what "
    "someone has sent and a reviewer published, so a pale or grey area may simply be one neither describes."
)


def map_caution(dataset: Dataset) -> str:
    """The caution under the key: the paper's limits, and the register's too once it has added a record."""
    return REGISTER_CAUTION if dataset.provenance else PAPER_CAUTION


def embed_caution(dataset: Dataset) -> str:
    """The caution in a line, for the embedded widget, whose 600 x 600 has no room for the whole of it."""
    described = "neither the paper nor the register describes" if dataset.provenance else "the paper did not describe"
    return f"Examples, not a census: a pale or grey area may simply be one {described}."


MAP_LABEL = (
    "Map of the police force areas, each coloured by what the key above it says. The arrow keys "
    "move between forces and Enter selects one; the Force list above does the same, and the map as a "
    "table, below, lists the same counts."
)
# The embedded widget has neither the Force list nor the table: its map names only what it has.
EMBED_MAP_LABEL = (
    "Map of the police force areas, each coloured by what the key above it says. The arrow keys "
    "move between forces and Enter selects one."
)
# Where the keyboard starts on the map when no force is selected: one stated force near the middle of England, so
# the arrows reach any other in a few presses (the selected force, when there is one, is the start instead).
KEYBOARD_START = "E23000021"  # Leicestershire Police


def map_hint(dataset: Dataset) -> str:
    """The visible hint naming the map's keys and where the keyboard starts."""
    start = dataset.forces_by_id.get(KEYBOARD_START)
    # Said as a condition, so it stays true whichever force is selected (an "else on Leicestershire" read as
    # wrong beside another selected force).
    where = f", or on {start.name} when none is selected" if start else ""
    return (
        f"Keyboard: Tab to the map, then arrow keys move between forces; Enter selects. It starts on the selected "
        f"force{where}."
    )


COLOUR_OPTIONS = [
    {"label": "Initiatives", "value": "initiatives"},
    {"label": "Themes covered", "value": "themes"},
    {"label": "Results reported", "value": "results"},
]


def measure_pressed(chosen: str, measure: str) -> str:
    """aria-pressed of the button that colours the map by `measure`."""
    return "true" if chosen == measure else "false"


def map_title(measure: str, filtered: bool, sources: CountedSources = PAPER_ONLY, embedded: bool = False) -> str:
    """The map's title: what its colour counts and where from, and that filters narrow it when they do. In the
    embedded widget the reader set none: the filters are the ones its link was made with."""
    title = measure_title(measure, sources)
    if not filtered:
        return title
    return f"{title}, matching the filters in this widget's link" if embedded else f"{title}, matching your filters"


def counted_sources(dataset: Dataset, state: ViewState) -> CountedSources:
    """Where the initiatives the map counts come from under `state`'s source filter."""
    return CountedSources.of(len(dataset.provenance), state.source)


def title_of(dataset: Dataset, state: ViewState) -> str:
    return map_title(state.colour, filters_narrow(state), counted_sources(dataset, state), state.embed)


def register_legend(dataset: Dataset) -> list:
    """Which source the counts come from, once the register has added to the paper. The pointer to the filters
    is a part of its own, which the embedded widget (no filters) does not show."""
    added = len(dataset.provenance)
    return [
        f"Counts include {added} initiative{'' if added == 1 else 's'} added through the register after "
        "review, besides the 2016 paper's",
        html.Span("; choose a source in the filters to see either alone", className="not-in-embed"),
        ".",
    ]


def results_count(matching: int, total: int) -> str:
    return f"{matching} of {total} initiative{'' if total == 1 else 's'} match{'es' if matching == 1 else ''}"


@lru_cache(maxsize=4)
def _shapes_of(geojson_bytes: bytes) -> MapShapes:
    return map_shapes(geojson_bytes)


def shapes(dataset: Dataset) -> MapShapes:
    """The projected outlines, made once per boundary file (about 80 ms), not once per page."""
    if dataset.boundaries is None:
        raise ValueError("the dataset has no boundaries to map")
    return _shapes_of(dataset.boundaries.geojson_bytes)


def legend(entries: Sequence[LegendEntry], url_prefix: str = "/", state: ViewState = DEFAULT_STATE) -> list:
    """The key: one swatch per colour the map uses now, with what it means and how many force areas have it.
    Few components on purpose: the page's first drawing costs more than in proportion to their number. When
    the filters leave every force area grey, the key's one entry carries the way out ("Clear all filters")."""
    way_out = filters_narrow(state) and len(entries) == 1 and entries[0].label.startswith("No ")
    tail: list[str | Component] = [" ", clear_all_link(url_prefix, state)] if way_out else []
    return [
        html.Li(
            [
                html.Span(className="swatch", style={"background": e.colour}),
                f"{e.label} ({e.forces} force area{'' if e.forces == 1 else 's'})",
                *tail,
            ]
        )
        for e in entries
    ]


def colours_for(dataset: Dataset, join: ForceJoin, state: ViewState) -> MapColours:
    """The map's fills, tooltips and key for `state`'s filters and colouring."""
    counts = force_counts(dataset, join, filter_initiatives(dataset, state), state.show_wales)
    return map_colours(counts, state.colour, filters_narrow(state), counted_sources(dataset, state))


def colour_by_buttons(state: ViewState) -> html.Div:
    """The "Colour by" toggle buttons, one for each measure the map can show."""
    # Plain toggle buttons, not Dash's RadioItems: that draws a listbox of options holding radio inputs,
    # which axe rejects (nested controls, a nameless listbox).
    return html.Div(
        [
            html.Span("Colour by", id=f"{Ids.MAP_MEASURE}-label", className="map-measure-label"),
            *[
                html.Button(
                    option["label"],
                    id=map_measure_button(option["value"]),
                    n_clicks=0,
                    className="button toggle map-measure",
                    **attributes({"aria-pressed": measure_pressed(state.colour, option["value"])}),
                )
                for option in COLOUR_OPTIONS
            ],
        ],
        id=Ids.MAP_MEASURE,
        role="group",
        className="map-controls",
        **attributes({"aria-labelledby": f"{Ids.MAP_MEASURE}-label"}),
    )


def map_canvas(dataset: Dataset, colours: MapColours, embedded: bool = False) -> list[Component]:
    """The map's element, its hint and the stores the browser draws it from."""
    return [
        # Filled by assets/force-map.js; React renders no children into it, so it never redraws over the map.
        html.Div(
            id=Ids.MAP,
            className="map",
            **attributes(
                {
                    "data-label": EMBED_MAP_LABEL if embedded else MAP_LABEL,
                    "data-start-force": KEYBOARD_START,
                    "aria-describedby": Ids.MAP_HINT,
                }
            ),
        ),
        html.P(map_hint(dataset), id=Ids.MAP_HINT, className="map-hint"),
        dcc.Store(id=Ids.MAP_SHAPES, data=shapes(dataset).as_data()),
        dcc.Store(id=Ids.MAP_COLOURS, data=colours.as_data()),
        dcc.Store(id=Ids.MAP_CLICK),
        dcc.Store(id=Ids.MAP_DRAWN),
    ]


def map_table_section() -> list[Component]:
    """The map as a table, shown on demand, with its sort control."""
    return on_demand(
        "the map as a table",
        Ids.FORCE_TABLE_TOGGLE,
        Ids.FORCE_TABLE_BODY,
        Ids.FORCE_TABLE,
        [
            html.Label("Sort the table by", htmlFor=Ids.FORCE_TABLE_SORT),
            dcc.Dropdown(
                id=Ids.FORCE_TABLE_SORT, value="force", clearable=False, options=table_sort_options(DEFAULT_MEASURE)
            ),
        ],
        "map-table",
    )


def layout(dataset: Dataset, join: ForceJoin, state: ViewState = DEFAULT_STATE, url_prefix: str = "/") -> html.Section:
    """The map coloured for `state`'s filters; the selected force's outline is drawn in the browser."""
    colours = colours_for(dataset, join, state)
    return html.Section(
        [
            # What the colour counts, its key and the paper's caution come before the map: at 1280 x 720 they are
            # in the first view, with the map.
            html.H2(title_of(dataset, state), id=Ids.MAP_TITLE, className="map-title"),
            colour_by_buttons(state),
            html.Ul(
                legend(colours.legend, url_prefix, state),
                id=Ids.MAP_LEGEND,
                className="map-legend",
                **attributes({"aria-label": "Key"}),
            ),
            html.P(map_caution(dataset), className="legend-note map-caution"),
            html.P(embed_caution(dataset), className="legend-note embed-caution"),
            *map_canvas(dataset, colours, state.embed),
            html.P(MAP_COUNTS, className="legend-note legend-counts"),
            html.P(register_legend(dataset), className="legend-note legend-source", hidden=not dataset.provenance),
            *map_table_section(),
        ],
        className="map-panel",
        **attributes({"aria-label": "Map of police force areas"}),
    )


def register(app: Dash, source: SnapshotProvider, url_prefix: str) -> None:
    @app.callback(
        Output(Ids.MAP_COLOURS, "data"),
        Output(Ids.MAP_LEGEND, "children"),
        Output(Ids.MAP_TITLE, "children"),
        Output(Ids.RESULTS_COUNT, "children"),
        Input(Ids.FILTERS, "data"),
        prevent_initial_call=True,  # the layout already holds the default view's colours: never draw the map twice
    )
    def recolour_map(filters_data):
        snapshot = source.current()
        dataset = snapshot.dataset
        state = state_from_store(filters_data, dataset)
        colours = colours_for(dataset, snapshot.join, state)
        return (
            colours.as_data(),
            legend(colours.legend, url_prefix, state),
            title_of(dataset, state),
            results_count_of(dataset, state),
        )

    # Drawn in the browser: the shapes once, then colours and the selected force's outline as they change.
    app.clientside_callback(
        ClientsideFunction("forceMap", "draw"),
        Output(Ids.MAP_DRAWN, "data"),
        Input(Ids.MAP_SHAPES, "data"),
        Input(Ids.MAP_COLOURS, "data"),
        Input(Ids.STATE, "data"),
    )

    @app.callback(
        Output(Ids.FORCE_TABLE, "children"),
        Output(Ids.FORCE_TABLE_BODY, "hidden"),
        Output(Ids.FORCE_TABLE_TOGGLE, "children"),
        Output(Ids.FORCE_TABLE_TOGGLE, "aria-expanded"),
        Output(Ids.FORCE_TABLE_SORT, "options"),
        Input(Ids.FILTERS, "data"),
        Input(Ids.FORCE_TABLE_SORT, "value"),
        Input(Ids.FORCE_TABLE_TOGGLE, "n_clicks"),
        prevent_initial_call=True,  # closed until asked for
    )
    def show_force_table(filters_data, sort_by, toggles):
        if not is_open(toggles):
            return [], *toggle_outputs(False, "the map as a table"), table_sort_options(DEFAULT_MEASURE, sort_by)
        snapshot = source.current()
        dataset = snapshot.dataset
        state = state_from_store(filters_data, dataset)
        counts = force_counts(dataset, snapshot.join, filter_initiatives(dataset, state), state.show_wales)
        table = force_table(
            counts,
            dataset,
            sort_by if isinstance(sort_by, str) else "force",
            partial(force_link, url_prefix, state),
            none_label("initiatives", filters_narrow(state), counted_sources(dataset, state)),
            state.colour,
        )
        return table, *toggle_outputs(True, "the map as a table"), table_sort_options(state.colour, sort_by)


def force_link(url_prefix: str, state: ViewState, force_id: str) -> str:
    """The address of `force_id`'s profile, under the same filters."""
    return f"{url_prefix}{replace(state, force=force_id, notices=()).to_query()}"


def results_count_of(dataset: Dataset, state: ViewState) -> str:
    return results_count(len(filter_initiatives(dataset, state)), len(dataset.initiatives))
