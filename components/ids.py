"""Every component id, in one place, so layout and callbacks share one vocabulary."""

from enum import StrEnum


class Ids(StrEnum):
    ROOT = "app-root"
    URL = "url"
    STATE = "view-state"
    FILTERS = "filter-state"
    NOTICE = "notice"
    FORCE_SELECT = "force-select"
    CLEAR = "clear-force"
    CLEAR_ALL = "clear-all"  # a link to the view with every filter cleared; the chosen force stays
    FILTERS_TOGGLE = "filters-toggle"  # the filters' disclosure: shut on a phone, always open on wider screens
    FILTERS_SUMMARY = "filters-summary"  # "Filters (2 active)"
    THEMES = "theme-filter"
    EVALUATION = "evaluation-filter"
    SEARCH = "search-text"
    WALES = "show-wales"
    RESULTS_COUNT = "results-count"
    MAP = "force-map"
    MAP_SHAPES = "force-map-shapes"
    MAP_COLOURS = "force-map-colours"
    MAP_CLICK = "force-map-click"  # set by assets/force-map.js when a force is clicked
    FORCE_CHOSEN = (
        "force-chosen"  # the force a reader chose in the Force list, so the page brings its profile into view
    )
    MAP_DRAWN = "force-map-drawn"
    MAP_HINT = "force-map-keys"  # the visible hint naming the map's keys
    MAP_LEGEND = "force-map-legend"
    MAP_TITLE = "force-map-title"
    MAP_MEASURE = "force-map-colour-by"  # the group of buttons, one per measure (map_measure_button)
    FORCE_TABLE = "force-table"
    FORCE_TABLE_SORT = "force-table-sort"
    FORCE_TABLE_TOGGLE = "force-table-toggle"
    FORCE_TABLE_BODY = "force-table-body"
    VIEW_TITLE = "view-title"
    PROFILE_INITIATIVES = "case-studies"  # the id predates the name: tests and benchmarks find it so
    PROFILE_COVERING = "profile-covering"  # regional and national work covering the force's area
    THEME_CHART = "theme-chart"
    OUTCOME_CHARTS = "outcome-charts"
    OUTCOME_TABLE = "outcome-table"
    OFF_MAP = "off-map-work"
    OVERVIEW = "outcomes-overview"
    OVERVIEW_SEEN = "outcomes-overview-seen"  # set by assets/lazy-overview.js once the charts' place is near view
    OVERVIEW_SAVE = "overview-save"  # not "…save-charts": tests find callbacks by id fragments
    OVERVIEW_IMAGES = "overview-images"  # plotly figures of the overview's charts, sent only to be saved
    OVERVIEW_SAVED = "overview-saved"  # what saving them did, in words beside the button
    EXPORT_BUTTON = "export-csv"
    DOWNLOAD = "download-csv"
    COMPARE = "compare-select"
    ADD_TO_COMPARE = "add-to-compare"
    ADD_TO_COMPARE_STATUS = "add-to-compare-status"  # why the button could not act ("Select a force … first")
    COMPARISON = "comparison"
    SIMILAR = "similar-forces"
    MATRIX = "coverage-matrix"
    MATRIX_TOGGLE = "coverage-matrix-toggle"
    MATRIX_BODY = "coverage-matrix-body"
    MATRIX_SORT = "matrix-sort"
    MATRIX_EXPORT = "matrix-export"
    MATRIX_DOWNLOAD = "matrix-download"
    CITATION = "citation-text"
    PRINT_DATE = "print-date"
    PRINT_CITATION = "print-citation"
    CITATION_COPY = "citation-copy"
    COPY_STATUS = "citation-copy-status"
    PRINT_FILTERS = "print-filters"
    RESULTS = "results"
    OPEN_FULL = "open-full-dashboard"
    SAVE_CHARTS = "save-charts"
    CHART_IMAGES = "chart-images"  # plotly figures of the profile's charts, sent only to be saved as images
    CHARTS_SAVED = "charts-saved"  # what saving them did, in words beside the button
    PROFILE_COUNTS = "profile-counts"
    PROFILE_FIGURES = "profile-figures"
    VIEW_TABS = "view-tabs"
    PANELS_BUILT = "view-panels-built"  # the lazy tabs whose panels have been built (components/shell.py)
    SOURCE = "source-filter"
    PROFILE_MORE = "profile-more"
    OFF_MAP_FOR = "off-map-work-for"
    PROFILE_FOR = "profile-for"
    BACKGROUND = "background-figures"
    BACKGROUND_FOR = "background-figures-for"


def map_measure_button(measure: str) -> str:
    """The id of the button that colours the map by `measure` (domain.state.COLOUR_MEASURES)."""
    return f"force-map-colour-{measure}"


def view_tab(view: str) -> str:
    """The id of a secondary view's tab button."""
    return f"view-tab-{view}"


def view_panel(view: str) -> str:
    """The id of a secondary view's panel."""
    return f"view-{view}"


def shown_state_id(view: str) -> str:
    """The id of the store through which a tab's panel sees the view state (components/view_state.py)."""
    return f"view-{view}-state"
