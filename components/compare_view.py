"""UI feature: comparing two to four forces side by side, with one-click "similar forces".
Layout and callback side by side; the table builders are in components.compare_panels."""

from __future__ import annotations

from collections.abc import Sequence

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from components.panels import nothing_matches
from components.compare_panels import comparison_table, similar_links
from components.ids import Ids, shown_state_id
from components.view_state import pass_state_while_shown, shown_state_store, state_from_store
from components.attributes import attributes, data
from domain.aggregation import filter_initiatives, filters_narrow, force_search_text, searchable_places
from domain.compare import COMPARED_AT_MOST, SELECT_A_FORCE_FIRST, compare_forces, similar_forces
from domain.loading import Dataset
from domain.source import SnapshotProvider
from domain.state import MAX_COMPARED

VIEW = "compare"


def force_options(dataset: Dataset) -> list[dict]:
    territorial = sorted((f for f in dataset.forces if f.kind == "territorial"), key=lambda f: f.name)
    places = searchable_places(dataset.forces, dataset.places)
    # "search": what typing finds besides the label (Dash's dropdown indexes it): common names and aliases,
    # "and" for "&" ("the Met", "Devon and Cornwall"), and the area's districts ("Bristol").
    return [
        {
            "label": f"{f.name}{' (Wales)' if f.country == 'Wales' else ''}",
            "value": f.id,
            "search": force_search_text(f, places[f.id]),
        }
        for f in territorial
    ]


def force_list_options(dataset: Dataset) -> list[dict]:
    """The Force list's options: the forces on the map, then those with no area on it (British Transport Police),
    which open the tab that lists their work (domain/state.py) rather than a profile. Readers look for them here."""
    off_map = sorted((f for f in dataset.forces if f.kind != "territorial"), key=lambda f: f.name)
    return [
        *force_options(dataset),
        *(
            {
                "label": f"{f.name} (no area on the map: opens its work)",
                "value": f.id,
                "search": force_search_text(f),  # no area, so no districts
            }
            for f in off_map
        ),
    ]


def panel(dataset: Dataset, compared: Sequence[str] = ()) -> list:
    return [
        html.H2("Compare forces"),
        html.Div(
            [
                html.Label("Compare forces (2 to 4)", htmlFor=Ids.COMPARE),
                # Every option from the start: Dash 4's dropdown drops a value it has no option for, and the
                # address callback can set this one before the tab is ever shown.
                dcc.Dropdown(
                    id=Ids.COMPARE,
                    options=force_options(dataset),
                    multi=True,
                    searchable=True,
                    placeholder="Choose forces to compare",
                    value=list(compared),
                ),
                html.Button(
                    "Add selected force to comparison",
                    id=Ids.ADD_TO_COMPARE,
                    n_clicks=0,
                    className="button",
                    # What the button says when it cannot add (assets/clientside.js addToCompareStatus).
                    **data(
                        limit=str(MAX_COMPARED),
                        full=f"{COMPARED_AT_MOST}: remove one first.",
                        none=SELECT_A_FORCE_FIRST,
                    ),
                ),
                html.P(id=Ids.ADD_TO_COMPARE_STATUS, className="compare-status", role="status"),
            ],
            className="control section-controls",
        ),
        html.Div(comparison_table((), dataset), id=Ids.COMPARISON, **attributes({"aria-live": "polite"})),
        html.Div(id=Ids.SIMILAR, className="similar"),
        shown_state_store(VIEW),
    ]


def register(app: Dash, source: SnapshotProvider, url_prefix: str) -> None:
    pass_state_while_shown(app, VIEW)
    # Said in the browser, only when pressed: no request, and nothing on the default path.
    app.clientside_callback(
        ClientsideFunction("pph", "addToCompareStatus"),
        Output(Ids.ADD_TO_COMPARE_STATUS, "children"),
        Input(Ids.ADD_TO_COMPARE, "n_clicks"),
        State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(Ids.COMPARISON, "children"),
        Output(Ids.SIMILAR, "children"),
        Input(shown_state_id(VIEW), "data"),
        prevent_initial_call=True,  # nothing to compare in the default view
    )
    def show_comparison(state_data):
        snapshot = source.current()
        dataset, join = snapshot.dataset, snapshot.join
        state = state_from_store(state_data, dataset)
        matching = filter_initiatives(dataset, state)
        anchor = state.force or (state.compare[0] if state.compare else None)
        similar = similar_forces(dataset, anchor) if anchor else ()
        compared = compare_forces(dataset, join, matching, state.compare)
        table = comparison_table(compared, dataset, filters_narrow(state))
        if filters_narrow(state) and len(compared) > 1 and not any(c.initiatives for c in compared):
            # None of the forces has a matching initiative: the way out comes first, above the empty rows.
            table = html.Div(
                [
                    nothing_matches(
                        "None of these forces has an initiative that matches your filters.", url_prefix, state
                    ),
                    table,
                ]
            )
        return (table, similar_links(similar, anchor, state, url_prefix, dataset))
