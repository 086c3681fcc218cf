"""Domain layer: the view state (selected force, filters) and its URL query form.

Unknown or hostile query values are dropped and described in `notices`; the notices quote the
value only after shortening it, and the UI renders them as text, never as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import get_args
from urllib.parse import parse_qs, urlencode

from domain.loading import Dataset
from domain.schema import SOURCES, Evaluation

MAX_SEARCH_LENGTH = 120
MAX_COMPARED = 4
MAX_QUERY_LENGTH = 4000
EVALUATIONS: tuple[str, ...] = get_args(Evaluation)
# Each evaluation level and each kind of theme in a few words, said where the term appears (the filters, the
# cards): from docs/data-dictionary.md.
EVALUATION_HELP: dict[str, str] = {
    "evaluation reported": "the paper gives findings of a named evaluation",
    "monitoring or early findings reported": "the work's own figures or early findings, with no named evaluation",
    "debrief reported": "lessons from a debrief after the work, with no figures",
    "evaluation under way": "an evaluation had begun but not reported when the paper was written",
    "none reported": "the paper reports no evaluation",
}
THEME_KIND_HELP: dict[str, str] = {
    "core topic": "one of the 8 topics the paper treats at length",
    "further topic": "a topic the paper treats beyond its 8 core topics",
    "broader theme": "one of the 7 themes that run across the paper's work",
}
# The secondary views below the map and profile, each reachable by URL (?view=matrix); the first is the default.
VIEWS: tuple[str, ...] = ("overview", "national", "compare", "matrix", "background", "cite", "about")
DEFAULT_VIEW = VIEWS[0]
OFF_MAP_VIEW = "national"  # the tab that lists work with no force area on the map
# What the map can be coloured by (domain/force_map.py words and bins each); the first is the default.
COLOUR_MEASURES: tuple[str, ...] = ("initiatives", "themes", "results")
DEFAULT_COLOUR = COLOUR_MEASURES[0]


@dataclass(frozen=True)
class ViewState:
    force: str | None = None
    themes: tuple[str, ...] = ()
    evaluations: tuple[str, ...] = ()
    search: str = ""
    show_wales: bool = False
    embed: bool = False  # compact view without site chrome, for intranet iframes
    compare: tuple[str, ...] = ()  # 2 to 4 force ids shown side by side
    view: str = DEFAULT_VIEW  # the secondary view shown below the map and profile
    source: str = ""  # "paper" or "register" to show one source's records only; "" for both
    colour: str = DEFAULT_COLOUR  # what the map is coloured by: one of COLOUR_MEASURES
    notices: tuple[str, ...] = field(default=(), compare=False)

    def filters_only(self) -> ViewState:
        """Just what filters the initiatives and colours the map: no force, comparison or view."""
        return replace(self, force=None, compare=(), view=DEFAULT_VIEW, notices=())

    def to_query(self) -> str:
        """The query string ('?force=…') that restores this state; '' for the default view."""
        pairs: list[tuple[str, str]] = []
        if self.force:
            pairs.append(("force", self.force))
        if self.themes:
            pairs.append(("themes", ",".join(self.themes)))
        if self.evaluations:
            pairs.append(("evaluation", ",".join(self.evaluations)))
        if self.search:
            pairs.append(("q", self.search))
        if self.show_wales:
            pairs.append(("wales", "1"))
        if self.compare:
            pairs.append(("compare", ",".join(self.compare)))
        if self.source:
            pairs.append(("source", self.source))
        if self.colour != DEFAULT_COLOUR:
            pairs.append(("colour", self.colour))
        if self.view != DEFAULT_VIEW:
            pairs.append(("view", self.view))
        if self.embed:
            pairs.append(("embed", "1"))
        return f"?{urlencode(pairs)}" if pairs else ""


# Parameters a person typing a link by hand is likely to write for one the page reads.
LIKELY_MEANT = {
    "theme": "themes",
    "evaluations": "evaluation",
    "search": "q",
    "query": "q",
    "tab": "view",
    "color": "colour",
    "forces": "force",
    "compared": "compare",
}


def active_filters_words(state: ViewState, dataset: Dataset) -> str:
    """The active filters in words ("themes Dementia or Mental health; Welsh forces shown"), or '' when there are
    none. Several choices in one filter are joined by "or", since an initiative matches with any one of them."""
    parts = []
    if state.themes:
        parts.append("themes " + " or ".join(dataset.themes_by_id[t].label for t in state.themes))
    if state.evaluations:
        parts.append("evaluation " + " or ".join(state.evaluations))
    if state.search:
        parts.append(f"search '{state.search}'")
    if state.show_wales:
        parts.append("Welsh forces shown")
    if state.source:
        parts.append("the 2016 paper's records only" if state.source == "paper" else "register records only")
    return "; ".join(parts)


def view_subject(state: ViewState, dataset: Dataset) -> str:
    """What a view is of, by name, for its citation: the forces compared on the Compare tab ("Leicestershire Police
    compared with Gloucestershire Constabulary"), else the selected force; '' for England's map. A code in a link
    tells a reader on paper nothing (trial 21)."""
    names = [
        dataset.forces_by_id[f].name
        for f in (state.compare if state.view == "compare" else ())
        if f in dataset.forces_by_id
    ]
    if len(names) > 1:
        return f"{', '.join(names[:-1])} compared with {names[-1]}"
    force = dataset.forces_by_id.get(state.force or "")
    return names[0] if names else force.name if force else ""


def filters_text(state: ViewState, dataset: Dataset) -> str:
    """The active filters in words, for a printed page: what a reader needs to know the view is partial."""
    return "Filters: " + (active_filters_words(state, dataset) or "none (all initiatives)") + "."


def filters_phrase(state: ViewState, dataset: Dataset) -> str:
    """The filters that leave initiatives out, in a few words ("theme: Dementia; search: 'horse'"), or ''."""
    parts = []
    if state.themes:
        parts.append(
            f"theme{'' if len(state.themes) == 1 else 's'}: "
            + ", ".join(dataset.themes_by_id[t].label for t in state.themes)
        )
    if state.evaluations:
        parts.append("evaluation: " + ", ".join(state.evaluations))
    if state.search:
        parts.append(f"search: '{state.search}'")
    if state.source:
        parts.append("source: " + ("the 2016 paper" if state.source == "paper" else "the register"))
    return "; ".join(parts)


def _shorten(value: str, limit: int = 40) -> str:
    printable = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in value)
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


def resolve_force(value: str, dataset: Dataset) -> str | None:
    """An ONS code, slug, name or alias -> the force id, if the dataset knows it."""
    return dataset.force_aliases.get(value.strip().casefold())


def view_url(href: str, state: ViewState) -> str:
    """The address of the view on screen: the page's address (as loaded) with the state's query.

    Dash does not update `dcc.Location.href` when a callback sets `search`, so the href is used only
    for its scheme, host and path. The embed flag is dropped: a citation or a link to the full
    dashboard names the view, not the widget it was seen in.
    """
    base = href.split("#", 1)[0].split("?", 1)[0]
    return base + replace(state, embed=False, notices=()).to_query()


# The default view (all of England, no filters), for defaults of functions that take a state.
DEFAULT_STATE = ViewState()


def cleared(state: ViewState) -> ViewState:
    """The state once "Clear all filters" is pressed: no theme, evaluation, search or source; the chosen force,
    the tab, the colouring, the Welsh forces and the comparison stay as they were. A reader undoing filters on
    their own force's profile expects to stay on it ("Clear selection" is the force's own undo)."""
    return replace(state, themes=(), evaluations=(), search="", source="", notices=())


def active_filters(state: ViewState) -> int:
    """How many filters leave initiatives out: each theme and evaluation chosen, the search and the source
    ("Filters (3 active)")."""
    return len(state.themes) + len(state.evaluations) + bool(state.search) + bool(state.source)


def state_from_query(query: str | None, dataset: Dataset, restoring: bool = True) -> ViewState:
    """The state a query string describes, with a notice for everything it could not honour.

    `restoring` is True for a link (page load, back button) and False for the page's own controls:
    only a link that selects a Welsh force turns the Welsh forces on; when the controls hide them,
    a selected Welsh force is let go instead. Either way a notice says so.
    """
    # The address comes from the browser: anything but text reads as no query at all.
    query = (query if isinstance(query, str) else "").lstrip("?")
    notices: list[str] = []
    if len(query) > MAX_QUERY_LENGTH:
        notices.append(f"The link was too long ({len(query)} characters) and was ignored.")
        return ViewState(notices=tuple(notices))
    params: Mapping[str, list[str]] = parse_qs(query, keep_blank_values=False)
    known = {"force", "themes", "evaluation", "q", "wales", "embed", "compare", "view", "source", "colour"}
    for key in sorted(set(params) - known):
        meant = LIKELY_MEANT.get(key.lower())
        hint = f": did you mean '{meant}'?" if meant else "."
        notices.append(f"Ignored unknown link parameter '{_shorten(key)}'{hint}")

    force = None
    off_map_force = None  # a force with no area on the map (British Transport Police): its work's tab is opened
    if "force" in params:
        raw = params["force"][-1]
        force = resolve_force(raw, dataset)
        if force is None:
            notices.append(f"Ignored unknown force '{_shorten(raw)}'.")
        elif dataset.forces_by_id[force].kind != "territorial":
            off_map_force = force
            force = None

    def vocabulary_list(key: str, allowed: list[str] | tuple[str, ...], label: str) -> tuple[str, ...]:
        chosen: list[str] = []
        for raw in ",".join(params.get(key, [])).split(","):
            value = raw.strip()
            if not value:
                continue
            if value in allowed and value not in chosen:
                chosen.append(value)
            elif value not in allowed:
                notices.append(f"Ignored unknown {label} '{_shorten(value)}'.")
        return tuple(chosen)

    themes = vocabulary_list("themes", [t.id for t in dataset.themes], "theme")
    evaluations = vocabulary_list("evaluation", EVALUATIONS, "evaluation status")

    search = params.get("q", [""])[-1].strip()
    if len(search) > MAX_SEARCH_LENGTH:
        notices.append(f"The search text was shortened to {MAX_SEARCH_LENGTH} characters.")
        search = search[:MAX_SEARCH_LENGTH]

    wales_raw = params.get("wales", ["0"])[-1]
    if wales_raw not in {"0", "1"}:
        notices.append(f"Ignored wales='{_shorten(wales_raw)}'; use wales=1 to show Welsh forces.")
    show_wales = wales_raw == "1"
    if force and not show_wales and dataset.forces_by_id[force].country == "Wales":
        name = dataset.forces_by_id[force].name
        if restoring:
            show_wales = True  # a link asked for a Welsh force: show it rather than hide it
            notices.append(f"Showing the Welsh forces, because the link selects {name}.")
        else:
            notices.append(f"{name} is one of the Welsh forces now hidden, so it is no longer selected.")
            force = None

    embed = params.get("embed", ["0"])[-1] == "1"
    compare: list[str] = []
    for raw in ",".join(params.get("compare", [])).split(","):
        if not raw.strip():
            continue
        resolved = resolve_force(raw, dataset)
        if resolved is None or dataset.forces_by_id[resolved].kind != "territorial":
            notices.append(f"Ignored unknown force '{_shorten(raw)}' in the comparison.")
        elif resolved not in compare:
            compare.append(resolved)
    if len(compare) > MAX_COMPARED:
        notices.append(f"Only {MAX_COMPARED} forces can be compared; kept the first {MAX_COMPARED}.")
        compare = compare[:MAX_COMPARED]
    view = params.get("view", [DEFAULT_VIEW])[-1]
    if view not in VIEWS:
        notices.append(f"Ignored unknown view '{_shorten(view)}'; showing the {DEFAULT_VIEW}.")
        view = DEFAULT_VIEW
    if off_map_force:
        name = dataset.forces_by_id[off_map_force].name
        if embed:  # the embedded widget has no tabs to open
            notices.append(f"{name} has no force area on the map; the full dashboard lists its work.")
        else:
            view = OFF_MAP_VIEW
            notices.append(
                f"{name} has no force area on the map, so its work is shown in the National and regional work tab, "
                f"under '{name}'."
            )
    source = params.get("source", [""])[-1]
    if source and source not in SOURCES:
        notices.append(f"Ignored unknown source '{_shorten(source)}'; showing every source.")
        source = ""
    colour = params.get("colour", [DEFAULT_COLOUR])[-1]
    if colour not in COLOUR_MEASURES:
        notices.append(f"Ignored unknown map colouring '{_shorten(colour)}'; colouring by {DEFAULT_COLOUR}.")
        colour = DEFAULT_COLOUR
    return ViewState(
        force, themes, evaluations, search, show_wales, embed, tuple(compare), view, source, colour, tuple(notices)
    )


def _text(value: object) -> str:
    # Text that is not valid Unicode (a lone surrogate) cannot go into a link; its bad characters become '?'.
    return value.encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else ""


def _texts(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def state_from_controls(
    force: object,
    themes: object,
    evaluations: object,
    search: object,
    wales: object,
    dataset: Dataset,
    embed: bool = False,
    compare: object = None,
    view: str = DEFAULT_VIEW,
    source: object = "",
    colour: object = DEFAULT_COLOUR,
) -> ViewState:
    """The state the controls show, cleaned the same way as a link. The values come from the
    browser, so anything of the wrong type is treated as empty rather than trusted."""
    query = ViewState(
        force=_text(force) or None,
        themes=_texts(themes),
        evaluations=_texts(evaluations),
        search=_text(search).strip()[: MAX_SEARCH_LENGTH + 1],
        show_wales=bool(_texts(wales)),
        embed=embed,
        compare=_texts(compare),
        view=view,
        source=_text(source),
        colour=_text(colour) or DEFAULT_COLOUR,
    ).to_query()
    return state_from_query(query, dataset, restoring=False)


def area_name(show_wales: bool) -> str:
    """The map's area, named where no force is selected (the profile's heading, the browser's title): Wales is in
    it once its forces are shown."""
    return "England and Wales" if show_wales else "England"
