"""UI layer: callbacks. Each one unpacks inputs, calls domain functions, returns outputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from dash import ClientsideFunction, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components.compare_panels import comparison_table, matrix_table, similar_links
from components.ids import Ids
from domain.compare import chart_source, citation_line, compare_forces, coverage_matrix, similar_forces, sort_matrix
from components.panels import (FIRST_CARDS, case_study_cards, embed_summary, figure_tables, force_table, off_map_list,
                               outcome_chart_graphs, overview_graphs)
from domain.aggregation import (background_of, filter_initiatives, force_counts, initiatives_in_view,
                                off_map_initiatives, outcomes_of, shown_force_ids, theme_shares)
from domain.exports import matrix_zip, view_zip
from domain.figures import build_outcome_charts, build_theme_chart, map_traces, with_source
from domain.joining import ForceJoin
from domain.loading import Dataset
from domain.state import ViewState, filters_text, state_from_controls, state_from_query, view_url


def _clicked_force(click_data: dict | None) -> str | None:
    try:
        return str(click_data["points"][0]["location"])  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return None


def _is_open(toggles: object) -> bool:
    """An on-demand section is open after an odd number of clicks on its button."""
    return isinstance(toggles, int) and toggles % 2 == 1


def _toggle_outputs(is_open: bool, noun: str) -> tuple[bool, str, str]:
    """(body hidden, button text, aria-expanded) of an on-demand section."""
    return not is_open, f"{'Hide' if is_open else 'Show'} {noun}", "true" if is_open else "false"


def _store_of(state: ViewState) -> dict:
    return {"query": state.to_query(), "notices": list(state.notices)}


def _state_from_store(data: object, dataset: Dataset) -> ViewState:
    """Stores live in the browser: re-validate them like a link instead of trusting them."""
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return ViewState()
    notices = data.get("notices")
    kept = tuple(n[:200] for n in notices[:10] if isinstance(n, str)) if isinstance(notices, list) else ()
    return replace(state_from_query(data["query"], dataset), notices=kept)


def register_callbacks(app: Dash, dataset: Dataset, join: ForceJoin, url_prefix: str = "/",
                       today: Callable[[], date] = date.today) -> None:
    source = chart_source(dataset)

    @app.callback(
        Output(Ids.URL, "search"), Output(Ids.STATE, "data"), Output(Ids.FILTERS, "data"),
        Output(Ids.ROOT, "className"),
        Output(Ids.FORCE_SELECT, "value"), Output(Ids.THEMES, "value"), Output(Ids.EVALUATION, "value"),
        Output(Ids.SEARCH, "value"), Output(Ids.WALES, "aria-pressed"), Output(Ids.WALES, "children"),
        Output(Ids.COMPARE, "value"),
        Input(Ids.URL, "search"), Input(Ids.FORCE_SELECT, "value"), Input(Ids.THEMES, "value"),
        Input(Ids.EVALUATION, "value"), Input(Ids.SEARCH, "value"), Input(Ids.WALES, "n_clicks"),
        Input(Ids.MAP, "clickData"), Input(Ids.CLEAR, "n_clicks"),
        Input(Ids.COMPARE, "value"), Input(Ids.ADD_TO_COMPARE, "n_clicks"),
        State(Ids.FILTERS, "data"),
    )
    def sync_state(search_query, force, themes, evaluations, text, _wales_clicks, click_data, _clear,
                   compare, _add, current_filters):
        """The URL is the single source of truth: controls write it, and it restores them."""
        trigger = ctx.triggered_id
        if trigger in (None, Ids.URL):
            state = state_from_query(search_query, dataset)
            url_out = no_update
        else:
            shown = state_from_query(search_query if isinstance(search_query, str) else "", dataset)
            wales = not shown.show_wales if trigger == Ids.WALES else shown.show_wales
            if trigger == Ids.MAP:
                clicked = _clicked_force(click_data)
                force = None if clicked == force else clicked
            elif trigger == Ids.CLEAR:
                force = None
            elif trigger == Ids.ADD_TO_COMPARE and isinstance(force, str):
                compare = [*(compare if isinstance(compare, list) else []), force]
            state = state_from_controls(force, themes, evaluations, text, ["wales"] if wales else [], dataset,
                                        embed=shown.embed, compare=compare)
            url_out = state.to_query() or "?"
        filters = _store_of(state.without_force())
        # Selecting a force leaves the filters alone: the map colours and overview need no redraw.
        filters_out = no_update if filters == current_filters else filters
        # The search box is not written back while it is the control being typed in: a reply that
        # arrives mid-word would overwrite what the user typed since.
        search_out = no_update if trigger == Ids.SEARCH else state.search
        return (url_out, _store_of(state), filters_out, "app embed" if state.embed else "app", state.force,
                list(state.themes), list(state.evaluations), search_out, "true" if state.show_wales else "false",
                "Hide the Welsh forces" if state.show_wales else "Show the 4 Welsh forces", list(state.compare))

    @app.callback(
        Output(Ids.MAP, "figure"), Output(Ids.RESULTS_COUNT, "children"),
        Output(Ids.OFF_MAP, "children"), Output(Ids.OVERVIEW, "children"),
        Input(Ids.FILTERS, "data"),
    )
    def show_filtered(filters_data):
        state = _state_from_store(filters_data, dataset)
        matching = filter_initiatives(dataset, state)
        traces = map_traces(force_counts(dataset, join, matching, state.show_wales), None)
        # Only colours and hover data change: the geometry stays in the browser.
        patch = Patch()
        patch["data"][0]["locations"] = list(traces.counted_ids)
        patch["data"][0]["z"] = list(traces.counted_z)
        patch["data"][0]["customdata"] = [list(c) for c in traces.counted_custom]
        patch["data"][0]["zmax"] = max(traces.zmax, 2)
        patch["data"][1]["locations"] = list(traces.empty_ids)
        patch["data"][1]["z"] = [0] * len(traces.empty_ids)
        patch["data"][1]["customdata"] = [list(c) for c in traces.empty_custom]
        return (
            patch,
            f"{len(matching)} of {len(dataset.initiatives)} initiatives match",
            off_map_list(off_map_initiatives(join, matching), dataset),
            overview_graphs(dataset, outcomes_of(dataset, matching), source),
        )

    @app.callback(
        Output(Ids.MAP, "figure", allow_duplicate=True), Output(Ids.NOTICE, "children"),
        Output(Ids.VIEW_TITLE, "children"), Output(Ids.CASE_STUDIES, "children"),
        Output(Ids.SHOW_ALL_CARDS, "hidden"), Output(Ids.THEME_CHART, "figure"),
        Output(Ids.OUTCOME_CHARTS, "children"), Output(Ids.OUTCOME_TABLE, "children"),
        Output(Ids.EMBED_SUMMARY, "children"),
        Input(Ids.STATE, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def show_selection(state_data):
        state = _state_from_store(state_data, dataset)
        matching = filter_initiatives(dataset, state)
        selected = [state.force] if state.force in shown_force_ids(dataset, join, state.show_wales) else []
        outline = Patch()
        outline["data"][2]["locations"] = selected
        outline["data"][2]["z"] = [1] * len(selected)
        in_view = initiatives_in_view(join, matching, state.force)
        view_label = dataset.forces_by_id[state.force].name if state.force else "England and all listed work"
        outcomes = outcomes_of(dataset, in_view)
        return (
            outline,
            [html.P(n) for n in state.notices],
            view_label,
            case_study_cards(in_view, dataset, state.force, limit=None if state.force else FIRST_CARDS),
            bool(state.force) or len(in_view) <= FIRST_CARDS,
            with_source(build_theme_chart(theme_shares(dataset, in_view, matching), view_label), source),
            # England-wide, the outcomes overview below already charts every result.
            outcome_chart_graphs(build_outcome_charts(outcomes, dict(dataset.initiatives_by_id)), source)
            if state.force else [html.P("Select a force to chart its results; the outcomes overview below "
                                        "charts the results of every matching initiative.", className="empty")],
            figure_tables(outcomes, background_of(dataset, in_view), dataset) if state.force else html.P(
                "Select a force to list its figures with their citations; the outcomes overview below "
                "and the download cover every figure.", className="empty"),
            embed_summary(in_view, view_label, bool(state.force)) if state.embed else no_update,
        )

    @app.callback(
        Output(Ids.FORCE_TABLE, "children"), Output(Ids.FORCE_TABLE_BODY, "hidden"),
        Output(Ids.FORCE_TABLE_TOGGLE, "children"), Output(Ids.FORCE_TABLE_TOGGLE, "aria-expanded"),
        Input(Ids.FILTERS, "data"), Input(Ids.FORCE_TABLE_SORT, "value"), Input(Ids.FORCE_TABLE_TOGGLE, "n_clicks"),
    )
    def show_force_table(filters_data, sort_by, toggles):
        # Rebuilt on filter changes only, not on every selection.
        if not _is_open(toggles):
            return [], *_toggle_outputs(False, "the map as a table")
        state = _state_from_store(filters_data, dataset)
        counts = force_counts(dataset, join, filter_initiatives(dataset, state), state.show_wales)

        def link_for(force_id: str) -> str:
            return f"{url_prefix}{replace(state, force=force_id, notices=()).to_query()}"

        table = force_table(counts, dataset, sort_by if isinstance(sort_by, str) else "force", link_for)
        return table, *_toggle_outputs(True, "the map as a table")

    @app.callback(
        Output(Ids.COMPARISON, "children"), Output(Ids.SIMILAR, "children"),
        Input(Ids.STATE, "data"),
    )
    def show_comparison(state_data):
        state = _state_from_store(state_data, dataset)
        matching = filter_initiatives(dataset, state)
        anchor = state.force or (state.compare[0] if state.compare else None)
        similar = similar_forces(dataset, anchor) if anchor else ()
        return (comparison_table(compare_forces(dataset, join, matching, state.compare), dataset),
                similar_links(similar, anchor, state, url_prefix, dataset))

    @app.callback(
        Output(Ids.MATRIX, "children"), Output(Ids.MATRIX_BODY, "hidden"),
        Output(Ids.MATRIX_TOGGLE, "children"), Output(Ids.MATRIX_TOGGLE, "aria-expanded"),
        Input(Ids.FILTERS, "data"), Input(Ids.MATRIX_SORT, "value"), Input(Ids.MATRIX_TOGGLE, "n_clicks"),
    )
    def show_matrix(filters_data, sort_column, toggles):
        if not _is_open(toggles):
            return [], *_toggle_outputs(False, "the coverage matrix")
        state = _state_from_store(filters_data, dataset)
        table = matrix_table(_sorted_matrix(state, sort_column), dataset, state, url_prefix)
        return table, *_toggle_outputs(True, "the coverage matrix")

    @app.callback(
        Output(Ids.MATRIX_DOWNLOAD, "data"), Input(Ids.MATRIX_EXPORT, "n_clicks"),
        State(Ids.STATE, "data"), State(Ids.MATRIX_SORT, "value"), State(Ids.URL, "href"),
        prevent_initial_call=True,
    )
    def download_matrix(n_clicks, state_data, sort_column, href):
        if not n_clicks:
            raise PreventUpdate
        state = _state_from_store(state_data, dataset)
        citation = citation_line(dataset, _view_url(href, state), today())
        return dcc.send_bytes(matrix_zip(_sorted_matrix(state.without_force(), sort_column), dataset, citation),
                              filename="coverage-matrix.zip")

    @app.callback(
        Output(Ids.CITATION, "children"), Output(Ids.PRINT_DATE, "children"), Output(Ids.PRINT_FILTERS, "children"),
        Output(Ids.OPEN_FULL, "href"),
        Input(Ids.STATE, "data"), State(Ids.URL, "href"),
    )
    def show_citation(state_data, href):
        """The citation of the view on screen, rebuilt from the state on every change."""
        state = _state_from_store(state_data, dataset)
        now = today()
        url = _view_url(href, state)
        return (citation_line(dataset, url, now),
                f"Printed on {now.strftime('%d %B %Y')} from dataset version {dataset.version}.",
                filters_text(state, dataset), url)

    # In the browser: the clipboard and plotly's image export are the browser's, not the server's.
    app.clientside_callback(ClientsideFunction("pph", "copyCitation"), Output(Ids.COPY_STATUS, "children"),
                            Input(Ids.CITATION_COPY, "n_clicks"), State(Ids.CITATION, "children"),
                            prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("pph", "saveCharts"), Output(Ids.SAVE_CHARTS, "title"),
                            Input(Ids.SAVE_CHARTS, "n_clicks"), prevent_initial_call=True)

    def _view_url(href: object, state: ViewState) -> str:
        return view_url(href if isinstance(href, str) else url_prefix, state)

    def _sorted_matrix(state, sort_column):
        column = sort_column if sort_column in {"force", "region", *dataset.themes_by_id} else "force"
        rows = coverage_matrix(dataset, join, filter_initiatives(dataset, state), state.show_wales)
        return sort_matrix(rows, column, descending=column not in {"force", "region"})

    @app.callback(
        Output(Ids.CASE_STUDIES, "children", allow_duplicate=True),
        Output(Ids.SHOW_ALL_CARDS, "hidden", allow_duplicate=True),
        Input(Ids.SHOW_ALL_CARDS, "n_clicks"), State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def show_all_cards(n_clicks, state_data):
        if not n_clicks:
            raise PreventUpdate
        state = _state_from_store(state_data, dataset)
        in_view = initiatives_in_view(join, filter_initiatives(dataset, state), state.force)
        return case_study_cards(in_view, dataset, state.force), True

    @app.callback(
        Output(Ids.DOWNLOAD, "data"), Input(Ids.EXPORT_BUTTON, "n_clicks"), State(Ids.STATE, "data"),
        State(Ids.URL, "href"),
        prevent_initial_call=True,
    )
    def download_view(n_clicks, state_data, href):
        if not n_clicks:
            raise PreventUpdate
        state = _state_from_store(state_data, dataset)
        in_view = initiatives_in_view(join, filter_initiatives(dataset, state), state.force)
        citation = citation_line(dataset, _view_url(href, state), today())
        figures = outcomes_of(dataset, in_view) + background_of(dataset, in_view)
        return dcc.send_bytes(view_zip(dataset, in_view, figures, citation),
                              filename=f"police-public-health{'-' + state.force if state.force else ''}.zip")
