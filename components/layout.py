"""UI layer: the page layout. Built once per app from the dataset; callbacks fill the panels."""

from __future__ import annotations

from dash import dcc, html

from components.ids import Ids
from components.panels import GRAPH_CONFIG, outcome_table
from domain.aggregation import force_counts
from domain.figures import NO_CASE_STUDY_COLOUR, NO_CASE_STUDY_LABEL, build_force_map, map_traces
from domain.joining import ForceJoin
from domain.loading import Dataset
from domain.state import EVALUATIONS

PAPER = ("Public Health England (2016). Police and Public Health: Innovation in practice – "
         "an overview of collaboration across England.")


# Said beside the map, so nobody reads the colour as "case studies" or as the amount of work done.
MAP_COUNTS = ("The map counts initiatives: one initiative is one named piece of work the paper places in that "
              "force area. A case study of the paper may hold several. Regional and national work, and work cited "
              "as evidence from elsewhere, is not counted on the map.")


def _theme_options(dataset: Dataset) -> list[dict]:
    return [{"label": f"{t.label} ({t.kind})", "value": t.id} for t in dataset.themes]


def _force_options(dataset: Dataset) -> list[dict]:
    territorial = sorted((f for f in dataset.forces if f.kind == "territorial"), key=lambda f: f.name)
    return [{"label": f"{f.name}{' (Wales)' if f.country == 'Wales' else ''}", "value": f.id} for f in territorial]


def about_section(dataset: Dataset) -> html.Section:
    boundaries = dataset.boundaries
    return html.Section([
        html.H2("About the data"),
        html.P(["Source: ", html.Cite(PAPER), " Summaries are this project's own words; every figure "
                "carries the paper's section, and its reference mark where the paper places one."]),
        html.P(f"Dataset version {dataset.version}, {dataset.version_date}: {len(dataset.initiatives)} "
               f"initiatives, {len(dataset.outcomes)} figures."),
        html.P(MAP_COUNTS, className="about-counts"),
        html.P(f"Boundaries: {boundaries.attribution if boundaries else ''}"),
        html.P("A force with no initiative in the paper is shaded grey: the paper is a snapshot, so absence from it "
               "does not mean absence of work."),
    ], className="about", id="about")


SEARCH_PAUSE_SECONDS = 0.4


def embed_panel(url_prefix: str) -> html.Section:
    """Shown only in embed mode (?embed=1): the selected force's summary beside the map, a one-line
    source and a link to the same view in the full dashboard."""
    return html.Section([
        html.Div(id=Ids.EMBED_SUMMARY, **{"aria-live": "polite"}),
        html.P(["Source: PHE (2016) Police and Public Health: Innovation in practice. ",
                html.A("Open the full dashboard", id=Ids.OPEN_FULL, href=url_prefix, target="_blank",
                       rel="noopener")], className="embed-source"),
    ], className="embed-panel", **{"aria-label": "Selected force"})


def on_demand(noun: str, toggle_id: str, body_id: str, content_id: str, controls: list,
              class_name: str) -> list:
    """A button that shows a large section, built by a callback only when opened (Dash renders
    each component in JavaScript, so hundreds of cells would slow every first paint)."""
    return [
        html.Button(f"Show {noun}", id=toggle_id, n_clicks=0, className="button",
                    **{"aria-expanded": "false", "aria-controls": body_id}),
        html.Div([html.Div(controls, className="control section-controls"), html.Div(id=content_id)],
                 id=body_id, className=class_name, hidden=True),
    ]


def build_layout(dataset: Dataset, join: ForceJoin, url_prefix: str) -> html.Div:
    initial = build_force_map(f"{url_prefix}geo/police_force_areas.geojson",
                              map_traces(force_counts(dataset, join, dataset.initiatives, False), None))
    map_config = {**GRAPH_CONFIG, "topojsonURL": f"{url_prefix}topojson/", "scrollZoom": False}
    return html.Div([
        html.A("Skip to the results", href=f"#{Ids.RESULTS}", className="skip-link"),
        dcc.Location(id=Ids.URL, refresh=False),
        dcc.Store(id=Ids.STATE),
        dcc.Store(id=Ids.FILTERS),
        dcc.Download(id=Ids.DOWNLOAD),
        html.Header([
            html.H1("Police and public health: where they work together"),
            html.P("Case studies and outcome figures from Public Health England's 2016 paper, by police force area."),
        ], className="site-header"),
        html.Div(id=Ids.NOTICE, role="status", className="notice"),
        html.Main([
            html.Section([
                html.Div([
                    html.Label("Force", htmlFor=Ids.FORCE_SELECT),
                    dcc.Dropdown(id=Ids.FORCE_SELECT, options=_force_options(dataset), searchable=True,
                                 clearable=True, placeholder="All of England — type to find a force"),
                    html.Button("Clear selection", id=Ids.CLEAR, n_clicks=0, className="button"),
                ], className="control"),
                html.Div([
                    html.Label("Themes", htmlFor=Ids.THEMES),
                    dcc.Dropdown(id=Ids.THEMES, options=_theme_options(dataset), multi=True,
                                 placeholder="Any theme"),
                ], className="control"),
                html.Div([
                    html.Label("Evaluation", htmlFor=Ids.EVALUATION),
                    dcc.Dropdown(id=Ids.EVALUATION, options=[{"label": e, "value": e} for e in EVALUATIONS],
                                 multi=True, placeholder="Any evaluation status"),
                ], className="control"),
                html.Div([
                    html.Label("Search titles, summaries, places and partners (results update as you type)",
                               htmlFor=Ids.SEARCH),
                    # Results follow the typing once the user pauses; no Enter needed.
                    dcc.Input(id=Ids.SEARCH, type="search", debounce=SEARCH_PAUSE_SECONDS, maxLength=120, value=""),
                ], className="control"),
                html.Button("Show the 4 Welsh forces", id=Ids.WALES, n_clicks=0, className="button toggle",
                            **{"aria-pressed": "false"}),
                html.Div([
                    html.Label("Compare forces (2 to 4)", htmlFor=Ids.COMPARE),
                    dcc.Dropdown(id=Ids.COMPARE, options=_force_options(dataset), multi=True, searchable=True,
                                 placeholder="Choose forces to compare"),
                    html.Button("Add selected force to comparison", id=Ids.ADD_TO_COMPARE, n_clicks=0,
                                className="button"),
                ], className="control"),
                html.P(id=Ids.RESULTS_COUNT, className="results-count", **{"aria-live": "polite"}),
                html.Button("Download this view (CSV files and a README, zipped)", id=Ids.EXPORT_BUTTON, n_clicks=0,
                            className="button"),
            ], className="filters", **{"aria-label": "Filters"}),
            html.Section([
                dcc.Graph(id=Ids.MAP, figure=initial, config=map_config, className="map"),
                html.P([html.Span(className="swatch", style={"background": NO_CASE_STUDY_COLOUR}),
                        NO_CASE_STUDY_LABEL, html.Span(" · darker blue: more initiatives", className="legend-more")],
                       className="legend-note"),
                html.P(MAP_COUNTS, className="legend-note legend-counts"),
                *on_demand("the map as a table", Ids.FORCE_TABLE_TOGGLE, Ids.FORCE_TABLE_BODY, Ids.FORCE_TABLE, [
                    html.Label("Sort the table by", htmlFor=Ids.FORCE_TABLE_SORT),
                    dcc.Dropdown(id=Ids.FORCE_TABLE_SORT, value="force", clearable=False, options=[
                        {"label": "Force (A to Z)", "value": "force"},
                        {"label": "Region", "value": "region"},
                        {"label": "Initiatives (most first)", "value": "count"},
                    ]),
                ], "map-table"),
            ], className="map-panel", **{"aria-label": "Map of police force areas"}),
            embed_panel(url_prefix),
            html.Section([
                html.H2(id=Ids.VIEW_TITLE),
                html.Div([
                    html.Div([html.H3("Initiatives"), html.Div(id=Ids.CASE_STUDIES),
                              html.Button("Show all initiatives", id=Ids.SHOW_ALL_CARDS, n_clicks=0,
                                          className="button", hidden=True)], className="panel"),
                    html.Div([html.H3("Themes"), dcc.Graph(id=Ids.THEME_CHART, config=GRAPH_CONFIG)], className="panel"),
                    html.Div([html.H3("Outcome figures"), html.Div(id=Ids.OUTCOME_CHARTS),
                              html.Button("Save these charts as images", id=Ids.SAVE_CHARTS, n_clicks=0,
                                          className="button chart-options"),
                              html.Div(id=Ids.OUTCOME_TABLE)], className="panel outcomes"),
                ], className="panels", **{"aria-live": "polite"}),
            ], className="drilldown", id=Ids.RESULTS, tabIndex="-1"),
            html.Section([
                html.H2("Compare forces"),
                html.Div(id=Ids.COMPARISON, **{"aria-live": "polite"}),
                html.Div(id=Ids.SIMILAR, className="similar"),
            ], className="compare", id="compare"),
            html.Section([
                html.H2("Coverage matrix: themes by force"),
                html.P("How many initiatives the 2016 paper records for each force and theme under the current "
                       "filters. A number links to those initiatives. An empty cell means the paper has no case "
                       "study there, not that no work happens."),
                *on_demand("the coverage matrix", Ids.MATRIX_TOGGLE, Ids.MATRIX_BODY, Ids.MATRIX, [
                    html.Label("Sort rows by", htmlFor=Ids.MATRIX_SORT),
                    dcc.Dropdown(id=Ids.MATRIX_SORT, value="force", clearable=False, options=[
                        {"label": "Force (A to Z)", "value": "force"},
                        {"label": "Region", "value": "region"},
                        *[{"label": f"{t.label} (most first)", "value": t.id} for t in dataset.themes],
                    ]),
                    html.Button("Download the matrix (CSV and a README, zipped)", id=Ids.MATRIX_EXPORT, n_clicks=0,
                                className="button"),
                    dcc.Download(id=Ids.MATRIX_DOWNLOAD),
                ], "matrix-body"),
            ], className="matrix", id="matrix"),
            html.Section([
                html.H2("National, regional, British Transport Police and Welsh work"),
                html.P("Work that has no English force area to sit in is listed here, never dropped."),
                html.Div(id=Ids.OFF_MAP),
            ], className="off-map", id="national-work"),
            html.Section([
                html.H2("Outcomes overview"),
                html.P("Every result the paper reports for the matching initiatives: percentage falls by theme, "
                       "and every other result on an axis of its own unit. Activity, funding, targets and "
                       "background figures are not results; they are in the tables and the download."),
                html.Div(id=Ids.OVERVIEW),
            ], className="overview"),
            html.Section([
                html.H2("Background figures"),
                html.P("Cited research and wider statistics the paper gives as background. They describe "
                       "the setting of the work, not what any initiative achieved."),
                outcome_table([o for o in dataset.outcomes if o.is_background], dataset),
            ], className="context-figures"),
            html.Section([
                html.H2("Cite this view"),
                html.P("Link and citation for what you see now."),
                html.Pre(id=Ids.CITATION, className="citation-text"),
                html.Button("Copy link and citation", id=Ids.CITATION_COPY, n_clicks=0, className="button copy-button"),
                html.Span(id=Ids.COPY_STATUS, role="status", className="copy-status"),
                html.P(id=Ids.PRINT_FILTERS, className="print-only"),
                html.P(id=Ids.PRINT_DATE, className="print-only"),
            ], className="cite", id="cite"),
            about_section(dataset),
        ]),
    ], className="app", id=Ids.ROOT)
