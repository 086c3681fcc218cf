"""UI feature: the themes x forces coverage matrix, sortable, each count a link, and its download.
Layout and callbacks side by side; the table builder is in components.compare_panels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from components.compare_panels import matrix_table
from components.ids import Ids
from components.panels import nothing_matches, on_demand
from components.view_state import is_open, page_view_url, state_from_store, toggle_outputs
from domain.aggregation import filter_initiatives, filters_narrow
from domain.compare import MatrixRow, citation_line, coverage_matrix, matrix_totals, sort_matrix
from domain.exports import matrix_zip
from domain.loading import Dataset
from domain.provenance import CountedSources
from domain.source import SnapshotProvider, Snapshot
from domain.state import ViewState, active_filters_words


BASIC_SORTS = [
    {"label": "Force (A to Z)", "value": "force"},
    {"label": "Region", "value": "region"},
    {"label": "All themes (most first)", "value": "total"},
]


def sort_options(dataset: Dataset) -> list[dict]:
    return [*BASIC_SORTS, *[{"label": f"{t.label} (most first)", "value": t.id} for t in dataset.themes]]


def panel(dataset: Dataset) -> list:
    sources = CountedSources.of(len(dataset.provenance))
    show, body = on_demand(
        "the coverage matrix",
        Ids.MATRIX_TOGGLE,
        Ids.MATRIX_BODY,
        Ids.MATRIX,
        [
            html.Label("Sort rows by", htmlFor=Ids.MATRIX_SORT),
            # The themes join the options when the matrix is opened: a dropdown indexes every option for
            # search as it is drawn, and this one is hidden on most visits.
            dcc.Dropdown(id=Ids.MATRIX_SORT, value="force", clearable=False, options=BASIC_SORTS),
        ],
        "matrix-body",
    )
    return [
        html.H2("Coverage matrix: themes by force"),
        html.P(
            f"How many initiatives {sources.words()} record{sources.verb_s} for each force and theme under the "
            "current filters, themes grouped as the paper groups them. A number opens those initiatives, setting "
            "the Themes filter to its theme for the whole page (Clear all filters undoes it). The "
            f"darker its cell, the more there are. A dash (–) means none: none matches your filters, or "
            f"{sources.words('or')} describes none there, not that no work happens. The last column and row count "
            "each initiative once, however many themes or force areas it spans."
        ),
        # Beside "Show the coverage matrix", not inside it: the download needs no matrix drawn on the page.
        html.Div(
            [
                show,
                html.Button(
                    "Download the matrix (CSV and a README, zipped)",
                    id=Ids.MATRIX_EXPORT,
                    n_clicks=0,
                    className="button",
                ),
            ],
            className="button-row",
        ),
        dcc.Download(id=Ids.MATRIX_DOWNLOAD),
        body,
    ]


def sorted_matrix(snapshot: Snapshot, state: ViewState, sort_column: object) -> tuple[MatrixRow, ...]:
    """The matrix's rows under the state's filters, sorted by `sort_column` as the browser sent it (by force
    when it is not one the matrix offers); a theme's column sorts the most first."""
    dataset = snapshot.dataset
    column = (
        sort_column
        if isinstance(sort_column, str) and sort_column in {"force", "region", "total", *dataset.themes_by_id}
        else "force"
    )
    rows = coverage_matrix(dataset, snapshot.join, filter_initiatives(dataset, state), state.show_wales)
    return sort_matrix(rows, column, descending=column not in {"force", "region"})


def totals_of(snapshot: Snapshot, state: ViewState) -> MatrixRow:
    return matrix_totals(snapshot.dataset, snapshot.join, filter_initiatives(snapshot.dataset, state), state.show_wales)


def register(app: Dash, source: SnapshotProvider, url_prefix: str, today: Callable[[], date] = date.today) -> None:
    @app.callback(
        Output(Ids.MATRIX, "children"),
        Output(Ids.MATRIX_BODY, "hidden"),
        Output(Ids.MATRIX_TOGGLE, "children"),
        Output(Ids.MATRIX_TOGGLE, "aria-expanded"),
        Output(Ids.MATRIX_SORT, "options"),
        Input(Ids.FILTERS, "data"),
        Input(Ids.MATRIX_SORT, "value"),
        Input(Ids.MATRIX_TOGGLE, "n_clicks"),
        prevent_initial_call=True,  # closed until asked for
    )
    def show_matrix(filters_data, sort_column, toggles):
        if not is_open(toggles):
            return [], *toggle_outputs(False, "the coverage matrix"), no_update
        snapshot = source.current()
        state = state_from_store(filters_data, snapshot.dataset)
        totals = totals_of(snapshot, state)
        table = matrix_table(sorted_matrix(snapshot, state, sort_column), snapshot.dataset, state, url_prefix, totals)
        shown: list[Component] = [table]
        if filters_narrow(state) and not totals.total:  # every cell a dash: the way out above them
            # The filters' store holds no tab: the way out keeps the reader on this one.
            shown.insert(
                0,
                nothing_matches(
                    "No initiative matches your filters, so every cell is a dash.",
                    url_prefix,
                    replace(state, view="matrix"),
                ),
            )
        return shown, *toggle_outputs(True, "the coverage matrix"), sort_options(snapshot.dataset)

    @app.callback(
        Output(Ids.MATRIX_DOWNLOAD, "data"),
        Input(Ids.MATRIX_EXPORT, "n_clicks"),
        State(Ids.STATE, "data"),
        State(Ids.MATRIX_SORT, "value"),
        State(Ids.URL, "href"),
        prevent_initial_call=True,
    )
    def download_matrix(n_clicks, state_data, sort_column, href):
        if not n_clicks:
            raise PreventUpdate
        snapshot = source.current()
        dataset = snapshot.dataset
        state = state_from_store(state_data, dataset)
        shown = filter_initiatives(dataset, state)
        url = page_view_url(href, state, url_prefix)
        citation = citation_line(dataset, url, today(), shown, active_filters_words(state, dataset))
        return dcc.send_bytes(
            matrix_zip(
                sorted_matrix(snapshot, state, sort_column),
                dataset,
                citation,
                totals_of(snapshot, state),
                filtered=filters_narrow(state),
                source=state.source,
            ),
            filename=f"police-public-health-coverage-matrix{'-filtered' if filters_narrow(state) else ''}.zip",
        )
