"""UI feature: the page around the panels: header, filter bar, the map beside the profile, and the
secondary views as tabs. It owns the view state: the URL is the single source of truth, the controls
write it and a link restores them (`sync_state`).
"""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from components import cite_view, compare_view, map_panel, matrix_view, national_view, overview_view, profile
from components.ids import Ids, view_panel, view_tab
from components.view_state import clicked_force, state_from_store, store_of
from domain.loading import Dataset
from domain.source import DataSource, Snapshot
from domain.state import EVALUATIONS, VIEWS, ViewState, state_from_controls, state_from_query

SEARCH_PAUSE_SECONDS = 0.4
VIEW_LABELS = {
    "overview": "Outcomes overview", "national": "National and regional work", "compare": "Compare forces",
    "matrix": "Coverage matrix", "background": "Background figures", "cite": "Cite this view", "about": "About the data",
}


def _theme_options(dataset: Dataset) -> list[dict]:
    return [{"label": f"{t.label} ({t.kind})", "value": t.id} for t in dataset.themes]


SOURCE_OPTIONS = [{"label": "The 2016 paper", "value": "paper"},
                  {"label": "The register (reviewed additions)", "value": "register"}]


def filter_bar(dataset: Dataset, register_on: bool = False) -> html.Section:
    return html.Section([
        html.Div([
            html.Label("Force", htmlFor=Ids.FORCE_SELECT),
            dcc.Dropdown(id=Ids.FORCE_SELECT, options=compare_view.force_options(dataset), searchable=True,
                         clearable=True, placeholder="All of England — type to find a force"),
            html.Button("Clear selection", id=Ids.CLEAR, n_clicks=0, className="button"),
        ], className="control"),
        html.Div([
            html.Label("Themes", htmlFor=Ids.THEMES),
            dcc.Dropdown(id=Ids.THEMES, options=_theme_options(dataset), multi=True, placeholder="Any theme"),
        ], className="control"),
        html.Div([
            html.Label("Evaluation", htmlFor=Ids.EVALUATION),
            dcc.Dropdown(id=Ids.EVALUATION, options=[{"label": e, "value": e} for e in EVALUATIONS],
                         multi=True, placeholder="Any evaluation status"),
        ], className="control"),
        # Present only with the register on: the read-only dashboard has one source.
        html.Div([
            html.Label("Source", htmlFor=Ids.SOURCE),
            dcc.Dropdown(id=Ids.SOURCE, options=SOURCE_OPTIONS, placeholder="Every source"),
        ], className="control", hidden=not register_on),
        html.Div([
            html.Label("Search titles, summaries, places and partners (results update as you type)",
                       htmlFor=Ids.SEARCH),
            # Results follow the typing once the user pauses; no Enter needed.
            dcc.Input(id=Ids.SEARCH, type="search", debounce=SEARCH_PAUSE_SECONDS, maxLength=120, value=""),
        ], className="control control-search"),
        html.Div([
            html.Button("Show the 4 Welsh forces", id=Ids.WALES, n_clicks=0, className="button toggle",
                        **{"aria-pressed": "false"}),
            html.P(map_panel.initial_results_count(dataset), id=Ids.RESULTS_COUNT, className="results-count",
                   **{"aria-live": "polite"}),
            html.Button("Download this view (CSV files and a README, zipped)", id=Ids.EXPORT_BUTTON, n_clicks=0,
                        className="button"),
        ], className="control control-actions"),
    ], className="filters", **{"aria-label": "Filters"})


def view_tabs(snapshot: Snapshot) -> list:
    dataset = snapshot.dataset
    panels = {
        "overview": overview_view.overview_panel(),
        "national": national_view.national_panel(),
        "compare": compare_view.panel(dataset),
        "matrix": matrix_view.panel(dataset),
        "background": overview_view.background_panel(),
        "cite": cite_view.cite_panel(),
        "about": cite_view.about_panel(dataset, map_panel.MAP_COUNTS),
    }
    first = VIEWS[0]
    tabs = html.Div([
        html.Button(VIEW_LABELS[v], id=view_tab(v), n_clicks=0, role="tab", className="view-tab",
                    **{"aria-selected": "true" if v == first else "false", "aria-controls": view_panel(v)})
        for v in VIEWS
    ], role="tablist", id=Ids.VIEW_TABS, className="view-tabs", **{"aria-label": "More views"})
    return [tabs, *[
        html.Section(panels[v], id=view_panel(v), role="tabpanel", className=f"view-panel view-{v}",
                     hidden=v != first, **{"aria-labelledby": view_tab(v)})
        for v in VIEWS
    ]]


def build_layout(snapshot: Snapshot, url_prefix: str, base_map_url: str) -> html.Div:
    """The whole page for one snapshot of the data; `base_map_url` as map_panel.layout takes it."""
    dataset = snapshot.dataset
    default = ViewState()
    return html.Div([
        html.A("Skip to the results", href=f"#{Ids.RESULTS}", className="skip-link"),
        dcc.Location(id=Ids.URL, refresh=False),
        # The stores start as the default view, so a plain visit redraws nothing after load.
        dcc.Store(id=Ids.STATE, data=store_of(default)),
        dcc.Store(id=Ids.FILTERS, data=store_of(default.filters_only())),
        dcc.Download(id=Ids.DOWNLOAD),
        html.Header([
            html.H1("Police and public health: where they work together"),
            html.P("Initiatives and outcome figures from Public Health England's 2016 paper, by police force area."),
        ], className="site-header"),
        html.Div(id=Ids.NOTICE, role="status", className="notice"),
        html.Main([
            filter_bar(dataset, snapshot.register_on),
            html.Div([
                map_panel.layout(dataset, snapshot.join, url_prefix, base_map_url),
                profile.layout(snapshot, url_prefix),
            ], className="master-detail"),
            html.Div(view_tabs(snapshot), className="views"),
        ]),
    ], className="app", id=Ids.ROOT)


def register(app: Dash, source: DataSource) -> None:
    tab_inputs = [Input(view_tab(v), "n_clicks") for v in VIEWS]
    tab_ids = {view_tab(v): v for v in VIEWS}

    @app.callback(
        Output(Ids.URL, "search"), Output(Ids.STATE, "data"), Output(Ids.FILTERS, "data"),
        Output(Ids.ROOT, "className"),
        Output(Ids.FORCE_SELECT, "value"), Output(Ids.THEMES, "value"), Output(Ids.EVALUATION, "value"),
        Output(Ids.SEARCH, "value"), Output(Ids.WALES, "aria-pressed"), Output(Ids.WALES, "children"),
        Output(Ids.COMPARE, "value"), Output(Ids.SOURCE, "value"),
        Input(Ids.URL, "search"), Input(Ids.FORCE_SELECT, "value"), Input(Ids.THEMES, "value"),
        Input(Ids.EVALUATION, "value"), Input(Ids.SEARCH, "value"), Input(Ids.WALES, "n_clicks"),
        Input(Ids.MAP, "clickData"), Input(Ids.CLEAR, "n_clicks"),
        Input(Ids.COMPARE, "value"), Input(Ids.ADD_TO_COMPARE, "n_clicks"), Input(Ids.SOURCE, "value"), *tab_inputs,
        State(Ids.FILTERS, "data"), State(Ids.STATE, "data"),
    )
    def sync_state(search_query, force, themes, evaluations, text, _wales_clicks, click_data, _clear,
                   compare, _add, record_source, *rest):
        """The URL is the single source of truth: controls write it, and it restores them."""
        current_filters, current_state = rest[-2], rest[-1]
        dataset = source.current().dataset
        trigger = ctx.triggered_id
        if trigger in (None, Ids.URL):
            state = state_from_query(search_query, dataset)
            url_out = no_update
        else:
            shown = state_from_query(search_query if isinstance(search_query, str) else "", dataset)
            wales = not shown.show_wales if trigger == Ids.WALES else shown.show_wales
            if trigger == Ids.MAP:
                clicked = clicked_force(click_data)
                force = None if clicked == force else clicked
            elif trigger == Ids.CLEAR:
                force = None
            elif trigger == Ids.ADD_TO_COMPARE and isinstance(force, str):
                compare = [*(compare if isinstance(compare, list) else []), force]
            view = tab_ids.get(trigger, shown.view) if isinstance(trigger, str) else shown.view
            state = state_from_controls(force, themes, evaluations, text, ["wales"] if wales else [], dataset,
                                        embed=shown.embed, compare=compare, view=view, source=record_source)
            url_out = state.to_query() or "?"
        stored = store_of(state)
        filters = store_of(state.filters_only())
        # Only what changed is sent on: a force selection leaves the map colours and overview alone,
        # and a plain visit redraws nothing.
        state_out = no_update if stored == current_state else stored
        filters_out = no_update if filters == current_filters else filters
        # The search box is not written back while it is the control being typed in: a reply that
        # arrives mid-word would overwrite what the user typed since.
        search_out = no_update if trigger == Ids.SEARCH else state.search
        # The root's class changes only with a link (embed mode): writing it on every click made React
        # walk the whole page before the panels' callbacks were sent (about 150 ms).
        root_class = ("app embed" if state.embed else "app") if trigger in (None, Ids.URL) else no_update
        return (url_out, state_out, filters_out, root_class, state.force,
                list(state.themes), list(state.evaluations), search_out, "true" if state.show_wales else "false",
                "Hide the Welsh forces" if state.show_wales else "Show the 4 Welsh forces", list(state.compare),
                state.source or None)

    @app.callback(
        Output(Ids.NOTICE, "children"),
        *[Output(view_panel(v), "hidden") for v in VIEWS],
        *[Output(view_tab(v), "aria-selected") for v in VIEWS],
        Input(Ids.STATE, "data"),
        prevent_initial_call=True,  # the layout shows the default view, with no notice
    )
    def show_view(state_data):
        state = state_from_store(state_data, source.current().dataset)
        return ([html.P(n) for n in state.notices], *[v != state.view for v in VIEWS],
                *["true" if v == state.view else "false" for v in VIEWS])
