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
    THEMES = "theme-filter"
    EVALUATION = "evaluation-filter"
    SEARCH = "search-text"
    WALES = "show-wales"
    RESULTS_COUNT = "results-count"
    MAP = "force-map"
    VIEW_TITLE = "view-title"
    CASE_STUDIES = "case-studies"
    SHOW_ALL_CARDS = "show-all-cards"
    THEME_CHART = "theme-chart"
    OUTCOME_CHARTS = "outcome-charts"
    OUTCOME_TABLE = "outcome-table"
    OFF_MAP = "off-map-work"
    OVERVIEW = "outcomes-overview"
    EXPORT_BUTTON = "export-csv"
    DOWNLOAD = "download-csv"
