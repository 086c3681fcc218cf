"""UI feature: the page around the panels: header, filter bar, the map beside the profile, and the
secondary views as tabs. It owns the view state: the URL is the single source of truth, the controls
write it and a link restores them (`sync_state`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import (
    cite_view,
    compare_view,
    map_panel,
    matrix_view,
    national_view,
    orientation,
    overview_view,
    profile,
)
from components.ids import Ids, map_measure_button, view_panel, view_tab
from components.view_state import clicked_force, state_from_store, store_of
from components.attributes import attributes
from domain.compare import COMPARED_AT_MOST, NON_TERRITORIAL_GROUP, off_map_group_anchor
from domain.loading import Dataset
from domain.source import SnapshotProvider, Snapshot
from domain.state import (
    COLOUR_MEASURES,
    DEFAULT_VIEW,
    MAX_COMPARED,
    OFF_MAP_VIEW,
    DEFAULT_STATE,
    EVALUATION_HELP,
    EVALUATIONS,
    THEME_KIND_HELP,
    VIEWS,
    ViewState,
    active_filters,
    area_name,
    cleared,
    state_from_controls,
    state_from_query,
)

SEARCH_PAUSE_SECONDS = 0.4
OPTIONS_HEIGHT = 420  # px of an open theme or evaluation list: about nine options at a time, not two
VIEW_LABELS = {
    "overview": "Outcomes overview",
    "national": "National and regional work",
    "compare": "Compare forces",
    "matrix": "Coverage matrix",
    "background": "Background figures",
    "cite": "Cite this view",
    "about": "About the data",
}


def _theme_options(dataset: Dataset) -> list[dict]:
    return [
        {"label": f"{t.label} ({t.kind})", "value": t.id, "title": f"{t.kind}: {THEME_KIND_HELP[t.kind]}"}
        for t in dataset.themes
    ]


def _evaluation_options() -> list[dict]:
    return [{"label": e, "value": e, "title": EVALUATION_HELP[e]} for e in EVALUATIONS]


# Said in the filters' help, since two ticks could as well mean "both": the count beside them then rises.
SEVERAL_CHOSEN = {"several ticked": "an initiative matches if it has any one of them"}


def term_help(what: str, terms: dict[str, str]) -> html.Details:
    """'What these mean': each term of a filter's options in a few words, opened beside its label."""
    return html.Details(
        [
            html.Summary(["What these mean", html.Span(f" ({what})", className="visually-hidden")]),
            html.Dl([part for term, words in terms.items() for part in (html.Dt(term), html.Dd(words))]),
        ],
        className="term-help",
    )


def clear_all_href(url_prefix: str, state: ViewState) -> str:
    return f"{url_prefix}{cleared(state).to_query()}"


def clear_all_class(state: ViewState) -> str:
    """The link's class: hidden while there is nothing to clear (dcc.Link has no `hidden`)."""
    nothing = cleared(state) == replace(state, notices=())
    return "button clear-all" + (" nothing-to-clear" if nothing else "")


def filters_summary(state: ViewState) -> str:
    """The filters' disclosure on a phone: 'Filters (2 active)'. The Force box stays outside it, above it: a reader
    looking for their own force does not think of it as a filter (and "Clear all filters" keeps it)."""
    return f"Filters ({active_filters(state)} active)"


SOURCE_OPTIONS = [
    {"label": "The 2016 paper", "value": "paper"},
    {"label": "The register (reviewed additions)", "value": "register"},
]


def wales_button(show_wales: bool) -> tuple[str, str]:
    """(aria-pressed, text) of the Welsh forces' toggle."""
    return ("true", "Hide the Welsh forces") if show_wales else ("false", "Show the 4 Welsh forces")


def _force_control(dataset: Dataset, state: ViewState) -> html.Div:
    """The force picker and its "Clear selection" button."""
    return html.Div(
        [
            html.Div(html.Label("Force", htmlFor=Ids.FORCE_SELECT), className="control-head"),
            html.Div(
                [
                    dcc.Dropdown(
                        id=Ids.FORCE_SELECT,
                        options=compare_view.force_list_options(dataset),
                        searchable=True,
                        clearable=True,
                        # With no force chosen, the area whose profile is shown, as its heading names it: a
                        # longer text ("All of England: type a force's name") was cut off at every width, and the
                        # open list has a search box of its own.
                        placeholder=area_name(state.show_wales),
                        value=state.force,
                        className="force-dropdown",
                    ),
                    html.Button("Clear selection", id=Ids.CLEAR, n_clicks=0, className="button"),
                    dcc.Store(id=Ids.FORCE_CHOSEN),
                ],
                className="control-row",
            ),
        ],
        className="control control-force",
    )


def _themes_control(dataset: Dataset, state: ViewState) -> html.Div:
    return html.Div(
        [
            html.Div(
                [html.Label("Themes", htmlFor=Ids.THEMES), term_help("themes", {**THEME_KIND_HELP, **SEVERAL_CHOSEN})],
                className="control-head",
            ),
            dcc.Dropdown(
                id=Ids.THEMES,
                options=_theme_options(dataset),
                multi=True,
                placeholder="Any theme",
                value=list(state.themes),
                maxHeight=OPTIONS_HEIGHT,
            ),
        ],
        className="control control-themes",
    )


def _evaluation_control(state: ViewState) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.Label("Evaluation", htmlFor=Ids.EVALUATION),
                    term_help("evaluation", {**EVALUATION_HELP, **SEVERAL_CHOSEN}),
                ],
                className="control-head",
            ),
            dcc.Dropdown(
                id=Ids.EVALUATION,
                options=_evaluation_options(),
                multi=True,
                placeholder="Any evaluation",  # whole in the register's five-control bar at 1280 px
                value=list(state.evaluations),
                maxHeight=OPTIONS_HEIGHT,
                # Few enough options to see at once: no search box, so a phone opens the list, not its keyboard.
                searchable=False,
            ),
        ],
        className="control control-evaluation",
    )


def _source_control(state: ViewState, register_on: bool) -> html.Div:
    """Present only with the register on: the read-only dashboard has one source."""
    return html.Div(
        [
            html.Div(html.Label("Source", htmlFor=Ids.SOURCE), className="control-head"),
            dcc.Dropdown(id=Ids.SOURCE, options=SOURCE_OPTIONS, placeholder="Every source", value=state.source or None),
        ],
        className="control control-source",
        hidden=not register_on,
    )


def _search_control(state: ViewState) -> html.Div:
    return html.Div(
        [
            html.Div(html.Label("Search the initiatives", htmlFor=Ids.SEARCH), className="control-head"),
            # Results follow the typing once the user pauses; no Enter needed.
            dcc.Input(
                id=Ids.SEARCH,
                type="search",
                debounce=SEARCH_PAUSE_SECONDS,
                maxLength=120,
                value=state.search,
                placeholder="Title, place or partner",
            ),
        ],
        className="control control-search",
    )


def _actions_control(dataset: Dataset, state: ViewState, url_prefix: str) -> html.Div:
    """The Welsh forces' toggle, the results count, "Clear all filters" and the download button."""
    pressed, wales_text = wales_button(state.show_wales)
    return html.Div(
        [
            html.Button(
                wales_text, id=Ids.WALES, n_clicks=0, className="button toggle", **attributes({"aria-pressed": pressed})
            ),
            html.P(
                map_panel.results_count_of(dataset, state),
                id=Ids.RESULTS_COUNT,
                className="results-count",
                **attributes({"aria-live": "polite"}),
            ),
            # A link to the cleared view, not a callback of its own: the address is the state.
            dcc.Link(
                "Clear all filters",
                id=Ids.CLEAR_ALL,
                href=clear_all_href(url_prefix, state),
                className=clear_all_class(state),
            ),
            html.Button(
                "Download this view (CSV files and a README, zipped)",
                id=Ids.EXPORT_BUTTON,
                n_clicks=0,
                className="button",
            ),
        ],
        className="control control-actions",
    )


def filter_bar(
    dataset: Dataset, register_on: bool = False, state: ViewState = DEFAULT_STATE, url_prefix: str = "/"
) -> html.Section:
    """The filters, set as `state` has them: one tidy row on a wide screen; on a phone the Force box, then the
    other filters folded behind "Filters (N active)", so the map comes first there."""
    folded = html.Details(
        [
            html.Summary(filters_summary(state), id=Ids.FILTERS_SUMMARY, className="filters-summary"),
            html.Div(
                [
                    _themes_control(dataset, state),
                    _evaluation_control(state),
                    _source_control(state, register_on),
                    _search_control(state),
                    _actions_control(dataset, state, url_prefix),
                ],
                className="filters-folded",
            ),
        ],
        id=Ids.FILTERS_TOGGLE,
        className="filters-toggle",
    )
    return html.Section(
        # On a wide screen the disclosure and its box take no room of their own (assets/style.css): every control
        # is an item of the one row, the Force first.
        html.Div([_force_control(dataset, state), folded], className="filter-controls"),
        className="filters",
        **attributes({"aria-label": "Filters"}),
    )


# Tabs whose panels are built only when first shown (shell.register's build_panels). Dash's renderer
# takes more than proportionally longer to draw a page the more components it holds, and these panels
# are hidden on most visits. The others stay: the overview is the default tab, the comparison's controls
# are inputs of the page's URL callback (which only runs with all its inputs present), and the
# citation is printed with the page.
LAZY_VIEWS: tuple[str, ...] = ("national", "matrix", "background", "about")


def panel_contents(
    snapshot: Snapshot, state: ViewState = DEFAULT_STATE, views: Collection[str] = VIEWS
) -> dict[str, list]:
    """The content of each of `views`' panels, as its tab first shows it."""
    dataset = snapshot.dataset
    builders: dict[str, Callable[[], list]] = {
        "overview": overview_view.overview_panel,
        "national": national_view.national_panel,
        "compare": lambda: compare_view.panel(dataset, state.compare),
        "matrix": lambda: matrix_view.panel(dataset),
        "background": overview_view.background_panel,
        "cite": cite_view.cite_panel,
        "about": lambda: cite_view.about_panel(dataset, map_panel.MAP_COUNTS),
    }
    return {view: builders[view]() for view in views}


def view_tabs(snapshot: Snapshot, state: ViewState = DEFAULT_STATE) -> list:
    """The secondary views as tabs, `state`'s view open; lazy tabs' panels are empty until first shown."""
    shown = state.view
    panels = panel_contents(snapshot, state, [v for v in VIEWS if v == shown or v not in LAZY_VIEWS])
    tabs = html.Div(
        [
            html.Button(
                VIEW_LABELS[v],
                id=view_tab(v),
                n_clicks=0,
                role="tab",
                # One Tab stop for the tabs, the open one; the arrow keys move between them (assets/clientside.js).
                tabIndex="0" if v == shown else "-1",
                className="view-tab",
                **attributes({"aria-selected": "true" if v == shown else "false", "aria-controls": view_panel(v)}),
            )
            for v in VIEWS
        ],
        role="tablist",
        id=Ids.VIEW_TABS,
        className="view-tabs",
        # The tab a page opens on when its address names none (assets/clientside.js, landWhereTheLinkPoints).
        **attributes({"aria-label": "More views", "data-default-view": DEFAULT_VIEW}),
    )
    return [
        tabs,
        dcc.Store(id=Ids.PANELS_BUILT, data=[shown] if shown in LAZY_VIEWS else []),
        *[
            html.Section(
                panels.get(v, []),
                id=view_panel(v),
                role="tabpanel",
                className=f"view-panel view-{v}",
                hidden=v != shown,
                **attributes({"aria-labelledby": view_tab(v)}),
            )
            for v in VIEWS
        ],
    ]


def build_layout(snapshot: Snapshot, url_prefix: str, state: ViewState = DEFAULT_STATE) -> html.Div:
    """The whole page for one snapshot of the data, showing `state` (the view its address asks for).

    The stores start as `state`, so the page's first callback (the address read into the state) finds
    nothing changed, and nothing is sent for or drawn twice after load."""
    dataset = snapshot.dataset
    return html.Div(
        [
            html.A("Skip to the results", href=f"#{Ids.RESULTS}", className="skip-link"),
            dcc.Location(id=Ids.URL, refresh=False),
            dcc.Store(id=Ids.STATE, data=store_of(state)),
            dcc.Store(id=Ids.FILTERS, data=store_of(state.filters_only())),
            dcc.Download(id=Ids.DOWNLOAD),
            html.Header(
                [
                    # The register named once it has published a record: until then every initiative shown is the
                    # paper's, as the map's title says (trial 20, low).
                    html.H1(site_title(snapshot.register_on and bool(dataset.provenance))),
                    html.P(site_summary(snapshot.register_on and bool(dataset.provenance))),
                    orientation.layout(snapshot, url_prefix),
                ],
                className="site-header",
            ),
            html.Div(notice_paragraphs(state, snapshot.register_on), id=Ids.NOTICE, role="status", className="notice"),
            html.Main(
                [
                    filter_bar(dataset, snapshot.register_on, state, url_prefix),
                    html.Div(
                        [
                            map_panel.layout(dataset, snapshot.join, state, url_prefix),
                            profile.layout(snapshot, url_prefix, state),
                        ],
                        className="master-detail",
                    ),
                    html.Div(view_tabs(snapshot, state), className="views"),
                ]
            ),
        ],
        className=root_class(state),
        id=Ids.ROOT,
    )


def root_class(state: ViewState) -> str:
    return "app embed" if state.embed else "app"


def site_title(register_shown: bool) -> str:
    """The page's heading: what it maps, and from where (once the register has published, not the paper alone)."""
    if register_shown:
        return "Police and public health: initiatives by force area, from PHE's 2016 paper and a reviewed register"
    return "Police and public health: the initiatives of PHE's 2016 paper, by force area"


def site_summary(register_shown: bool) -> str:
    added = ", and what reviewers have since published through this dashboard's register" if register_shown else ""
    return (
        "What Public Health England's 2016 paper describes of police and public health working together"
        f"{added}: examples and their figures, not a count of all such work."
    )


def source_notice(state: ViewState, register_on: bool) -> str | None:
    """Why a link showing register records only shows nothing, where the dashboard has no register (and so no
    Source control to change it): the filter is kept, as the link asked, and said out loud."""
    if state.source != "register" or register_on:
        return None
    return (
        "This link shows only initiatives added through the register, but this dashboard has no register, "
        "so none matches. "
    )


def notice_paragraphs(state: ViewState, register_on: bool = False) -> list:
    paragraphs = [html.P(n) for n in state.notices]
    source_words = source_notice(state, register_on)
    if source_words:
        # A link, not a hidden control: the only way back to every initiative must be seen.
        every = replace(state, source="", notices=()).to_query() or "?"
        paragraphs.append(
            html.P([source_words, dcc.Link("Show every initiative", href=every)], className="notice-source")
        )
    return paragraphs


# Which view or map measure a tab or a colour button names, by the id ctx.triggered_id reports.
VIEW_OF_TAB = {view_tab(v): v for v in VIEWS}
MEASURE_OF_BUTTON = {map_measure_button(m): m for m in COLOUR_MEASURES}


def state_after_control(trigger: object, query: object, controls: dict, dataset: Dataset) -> ViewState:
    """The view state once the control `trigger` (its id) has changed: the address's state (`query`), with the
    controls' values and the click applied."""
    shown = state_from_query(query if isinstance(query, str) else "", dataset)
    force, compare = controls["force"], controls["compare"]
    if trigger == Ids.MAP_CLICK:
        clicked = clicked_force(controls["map_click"])
        force = None if clicked == force else clicked  # a second click on the selected force clears it
    elif trigger == Ids.CLEAR:
        force = None
    elif trigger == Ids.ADD_TO_COMPARE and isinstance(force, str):
        compare = [*(compare if isinstance(compare, list) else []), force]
    wales = not shown.show_wales if trigger == Ids.WALES else shown.show_wales
    named = trigger if isinstance(trigger, str) else ""
    return state_from_controls(
        force,
        controls["themes"],
        controls["evaluations"],
        controls["search"],
        ["wales"] if wales else [],
        dataset,
        embed=shown.embed,
        compare=compare,
        view=VIEW_OF_TAB.get(named, shown.view),
        source=controls["source"],
        colour=MEASURE_OF_BUTTON.get(named, shown.colour),
    )


def force_chosen(state: ViewState, chosen: object, dataset: Dataset) -> object:
    """What the page brings into view once a force is chosen in the Force list (assets/clientside.js,
    profileForChoice): the force's profile, or for a force with no area on the map (British Transport Police),
    {"view": the tab the state opened for it, "work": the id of its group's heading there}."""
    if state.force:
        return state.force
    off_map = dataset.forces_by_id.get(chosen) if isinstance(chosen, str) else None
    if off_map is not None and off_map.kind != "territorial" and state.view == OFF_MAP_VIEW:
        return {"view": OFF_MAP_VIEW, "work": off_map_group_anchor(NON_TERRITORIAL_GROUP)}
    return no_update


COMPARE_LIMIT = f"{COMPARED_AT_MOST}, so only the first {MAX_COMPARED} chosen are kept: remove one to add another."


def compare_status(trigger: object, chosen: object) -> object:
    """Beside the comparison's picker: a fifth force chosen there (or "Select all") is let go by the view state,
    which keeps the first four, and says so where the choice was made, not only in the notice at the page's top.
    Cleared once fewer than four are chosen; left alone by every other control."""
    if trigger != Ids.COMPARE:
        return no_update
    count = len(chosen) if isinstance(chosen, list) else 0
    return COMPARE_LIMIT if count > MAX_COMPARED else "" if count < MAX_COMPARED else no_update


def synced_view(
    dataset: Dataset,
    trigger: object,
    query: str | None,
    controls: dict,
    current_filters: object,
    current_state: object,
    url_prefix: str = "/",
) -> dict:
    """`sync_state`'s outputs: the state the address (or, after a control changed, the controls) asks for,
    written to the address, the stores and the controls; only what changed is sent on."""
    from_address = trigger in (None, Ids.URL)
    state = state_from_query(query, dataset) if from_address else state_after_control(trigger, query, controls, dataset)
    stored = store_of(state)
    if from_address and stored == current_state:
        # The page already shows this state: it was built for the address it opened at
        # (components/page_cache.py), or the address was just written from it. Writing every control
        # again would redraw them for nothing.
        raise PreventUpdate
    filters = store_of(state.filters_only())
    wales_pressed, wales_text = wales_button(state.show_wales)
    return dict(
        url=no_update if from_address else state.to_query() or "?",
        # Only what changed is sent on: a force selection leaves the map colours and overview alone,
        # and a plain visit redraws nothing.
        state=no_update if stored == current_state else stored,
        filters=no_update if filters == current_filters else filters,
        # The root's class changes only with a link (embed mode): writing it on every click made React
        # walk the whole page before the panels' callbacks were sent (about 150 ms).
        root_class=root_class(state) if from_address else no_update,
        # A force the reader chose in the list (not one set there by a map click or a link): the page brings its
        # profile into view, as a click on the map does (assets/clientside.js, profileForChoice).
        chosen=force_chosen(state, controls["force"], dataset) if trigger == Ids.FORCE_SELECT else no_update,
        compare_status=compare_status(trigger, controls["compare"]),
        controls=dict(
            force=state.force,
            themes=list(state.themes),
            evaluations=list(state.evaluations),
            # The search box is not written back while it is the control being typed in: a reply that
            # arrives mid-word would overwrite what the user typed since.
            search=no_update if trigger == Ids.SEARCH else state.search,
            wales_pressed=wales_pressed,
            wales_text=wales_text,
            # Written only when Wales may have come or gone: a new placeholder redraws the list.
            force_placeholder=area_name(state.show_wales) if from_address or trigger == Ids.WALES else no_update,
            compare=list(state.compare),
            source=state.source or None,
        ),
        measures={m: map_panel.measure_pressed(state.colour, m) for m in COLOUR_MEASURES},
        clear_all=dict(
            href=clear_all_href(url_prefix, state),
            className=clear_all_class(state),
            summary=filters_summary(state),
        ),
    )


def tab_changes(view: str, hidden_now: dict) -> dict:
    """Each panel's `hidden`, and each tab's `aria-selected` and `tabIndex` (the open tab is the tabs' one Tab
    stop), for `view` shown, written only for the tabs that change: a panel's `hidden` is an input of callbacks
    (the lazy panels, the tabs' own state stores), and writing it fires them even with the same value."""
    changed = {v: (v != view) != hidden_now[v] for v in VIEWS}
    return dict(
        hidden={v: v != view if changed[v] else no_update for v in VIEWS},
        selected={v: ("true" if v == view else "false") if changed[v] else no_update for v in VIEWS},
        tab_stop={v: ("0" if v == view else "-1") if changed[v] else no_update for v in VIEWS},
    )


# "Clear all filters" (its address and whether it shows) and the phone's "Filters (N active)", as sync_state writes them.
CLEAR_ALL_OUTPUTS = dict(
    href=Output(Ids.CLEAR_ALL, "href"),
    className=Output(Ids.CLEAR_ALL, "className"),
    summary=Output(Ids.FILTERS_SUMMARY, "children"),
)


def register(app: Dash, source: SnapshotProvider, url_prefix: str = "/") -> None:
    _register_sync_state(app, source, url_prefix)
    _register_show_view(app, source)
    _register_build_panels(app, source)


def _register_sync_state(app: Dash, source: SnapshotProvider, url_prefix: str) -> None:
    @app.callback(
        output=dict(
            url=Output(Ids.URL, "search"),
            state=Output(Ids.STATE, "data"),
            filters=Output(Ids.FILTERS, "data"),
            root_class=Output(Ids.ROOT, "className"),
            chosen=Output(Ids.FORCE_CHOSEN, "data"),
            compare_status=Output(Ids.ADD_TO_COMPARE_STATUS, "children", allow_duplicate=True),
            controls=dict(
                force=Output(Ids.FORCE_SELECT, "value"),
                themes=Output(Ids.THEMES, "value"),
                evaluations=Output(Ids.EVALUATION, "value"),
                search=Output(Ids.SEARCH, "value"),
                wales_pressed=Output(Ids.WALES, "aria-pressed"),
                wales_text=Output(Ids.WALES, "children"),
                force_placeholder=Output(Ids.FORCE_SELECT, "placeholder"),
                compare=Output(Ids.COMPARE, "value"),
                source=Output(Ids.SOURCE, "value"),
            ),
            measures={m: Output(map_measure_button(m), "aria-pressed") for m in COLOUR_MEASURES},
            clear_all=CLEAR_ALL_OUTPUTS,
        ),
        inputs=dict(
            query=Input(Ids.URL, "search"),
            controls=dict(
                force=Input(Ids.FORCE_SELECT, "value"),
                themes=Input(Ids.THEMES, "value"),
                evaluations=Input(Ids.EVALUATION, "value"),
                search=Input(Ids.SEARCH, "value"),
                map_click=Input(Ids.MAP_CLICK, "data"),
                compare=Input(Ids.COMPARE, "value"),
                source=Input(Ids.SOURCE, "value"),
            ),
            # Buttons: only which one was pressed matters (ctx.triggered_id), not their counts.
            buttons=[
                Input(Ids.WALES, "n_clicks"),
                Input(Ids.CLEAR, "n_clicks"),
                Input(Ids.ADD_TO_COMPARE, "n_clicks"),
                *[Input(map_measure_button(m), "n_clicks") for m in COLOUR_MEASURES],
                *[Input(view_tab(v), "n_clicks") for v in VIEWS],
            ],
        ),
        state=dict(current_filters=State(Ids.FILTERS, "data"), current_state=State(Ids.STATE, "data")),
        # It runs as the page opens (the address's state), and shares the picker's status line (allow_duplicate).
        prevent_initial_call="initial_duplicate",
    )
    def sync_state(query, controls, buttons, current_filters, current_state):
        """The URL is the single source of truth: controls write it, and it restores them."""
        return synced_view(
            source.current().dataset, ctx.triggered_id, query, controls, current_filters, current_state, url_prefix
        )


def _register_show_view(app: Dash, source: SnapshotProvider) -> None:
    @app.callback(
        output=dict(
            notice=Output(Ids.NOTICE, "children"),
            hidden={v: Output(view_panel(v), "hidden") for v in VIEWS},
            selected={v: Output(view_tab(v), "aria-selected") for v in VIEWS},
            tab_stop={v: Output(view_tab(v), "tabIndex") for v in VIEWS},
        ),
        inputs=dict(state_data=Input(Ids.STATE, "data")),
        state=dict(hidden_now={v: State(view_panel(v), "hidden") for v in VIEWS}),
        prevent_initial_call=True,  # the layout shows the default view, with no notice
    )
    def show_view(state_data, hidden_now):
        snapshot = source.current()
        state = state_from_store(state_data, snapshot.dataset)
        return dict(notice=notice_paragraphs(state, snapshot.register_on), **tab_changes(state.view, hidden_now))


def _register_build_panels(app: Dash, source: SnapshotProvider) -> None:
    @app.callback(
        output=dict(
            panels={v: Output(view_panel(v), "children") for v in LAZY_VIEWS}, built=Output(Ids.PANELS_BUILT, "data")
        ),
        inputs=dict(hidden={v: Input(view_panel(v), "hidden") for v in LAZY_VIEWS}),
        state=dict(built=State(Ids.PANELS_BUILT, "data")),
        prevent_initial_call=True,  # the layout holds the panel of the view it opens on
    )
    def build_panels(hidden, built):
        """A lazy tab's panel, built the first time it is shown."""
        built = built if isinstance(built, list) else []
        new = [v for v in LAZY_VIEWS if hidden[v] is False and v not in built]
        if not new:
            raise PreventUpdate
        panels = panel_contents(source.current(), views=new)
        return dict(panels={v: panels.get(v, no_update) for v in LAZY_VIEWS}, built=[*built, *new])
