"""UI feature: the profile beside the map. For a selected force: its name and counts, its initiatives
(each title opens to the full card), its themes and its figures. With nothing selected: England —
what the map shows and leaves off, and the paper's own case studies (no ranking of forces).

The heading answers a map click at once in the browser (assets/clientside.js); the rest follows
from the server in one callback.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any
from collections.abc import Collection, Sequence

from dash import ClientsideFunction, Dash, Input, Output, Patch, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from plotly.utils import PlotlyJSONEncoder

from components.charts import details_list, lollipop, source_lines
from components.ids import Ids
from components.memo import BoundedMemo
from components.panels import (
    BACKGROUND_ROW,
    capped_results,
    clear_all_link,
    embed_figures,
    figure_tables,
    initiative_card,
    initiative_summary,
    left_out,
    outcome_chart_figures,
)
from components.view_state import state_from_store
from components.attributes import aria, attributes
from domain.aggregation import (
    background_of,
    filter_initiatives,
    filters_narrow,
    force_counts,
    initiatives_in_view,
    off_map_initiatives,
    outcomes_of,
    theme_shares,
    work_covering,
)
from domain.compare import region_of_place
from domain.exports import slug
from domain.figures import build_outcome_charts, with_source, with_title
from domain.lollipop import outcome_charts, theme_chart
from domain.joining import ForceJoin
from domain.loading import Dataset
from domain.provenance import PAPER_ONLY, CountedSources, figure_marks
from domain.register import REGISTER_CASE_STUDY
from domain.schema import Initiative, Outcome
from domain.source import SnapshotProvider, Snapshot
from domain.state import DEFAULT_STATE, ViewState, area_name, filters_phrase

THEME_COMPARISON = "Each theme here against all matching initiatives"
NO_THEMES = "No initiative here, so no themes to show."
NO_MATCHING_THEMES = "No initiative here matches your filters, so no themes to show."
# Titles sent at a time: a force with hundreds of register records gets them page by page, on request.
PAGE = 10
# Profiles kept built per worker: every force, with and without Wales, under a few filter sets.
PROFILES_KEPT = 256


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def counts_line(
    initiatives: Sequence[Initiative], outcomes: Sequence[Outcome], register_ids: Collection[str] = ()
) -> str:
    """'8 initiatives in the 2016 paper, from 1 of its case studies and sections · 2 figures, none of them results';
    with register records among them, each source counted apart."""
    added = sum(1 for i in initiatives if i.id in register_ids)
    paper = [i for i in initiatives if i.id not in register_ids]
    groups = len({i.case_study for i in paper})
    parts = []
    if paper or not added:
        parts.append(
            f"{_plural(len(paper), 'initiative')} in the 2016 paper, from {groups} of its case studies and sections"
        )
    if added:
        # With none of the paper's, the register's count stands alone rather than after "0 initiatives".
        parts.append(
            f"{_plural(added, 'initiative')} added through the register"
            if not paper
            else f"{added} added through the register"
        )
    return " · ".join(parts) + figures_part(outcomes)


def figures_part(outcomes: Sequence[Outcome]) -> str:
    """' · 2 figures, none of them results', or '' with no figures."""
    if not outcomes:
        return ""
    results = sum(1 for o in outcomes if o.is_result)
    if len(outcomes) == 1:
        return f" · 1 figure, {'a result' if results else 'not a result'}"
    return f" · {_plural(len(outcomes), 'figure')}, {results_phrase(results)}"


def results_phrase(results: int) -> str:
    """How many of several figures are results: 'none of them results', '1 of them a result', '2 of them results'."""
    return "1 of them a result" if results == 1 else f"{results or 'none'} of them results"


def matching_line(owner: str | None, shown: int, total: int, filters: str) -> str:
    """How many of a force's (or, with no owner, all) initiatives the filters leave, naming the filters:
    '1 of Gloucestershire Constabulary's 8 initiatives matches your filters (theme: Dementia)'."""
    whose = f"{owner}'s" if owner else "the"
    if total == 1:
        line = f"{whose.capitalize() if not owner else whose} only initiative " + (
            "matches your filters" if shown else "does not match your filters"
        )
    else:
        amount = f"{shown} of" if shown else "None of"
        line = f"{amount} {whose} {total} initiatives {'matches' if shown <= 1 else 'match'} your filters"
    return f"{line} ({filters})" if filters else line


def empty_text(owner: str | None, total: int, filters: str, sources: CountedSources = PAPER_ONLY) -> str:
    """What an empty list of initiatives means: none under these filters is not none in the paper."""
    if total and filters:
        where = "this force area's" if owner else "the"
        return (
            f"None of {where} {_plural(total, 'initiative')} matches your filters ({filters}). "
            "Change or clear the filters to see them."
        )
    census = "Neither is a census" if sources.paper and sources.register else "The paper gives examples, not a census"
    return (
        f"No initiative in {sources.words('or')} is placed in this force area. {census}: absence here does not "
        "mean absence of work."
    )


def initiative_list(
    initiatives: Sequence[Initiative], dataset: Dataset, focus_force: str | None, nothing: str = "", way_out: Any = None
) -> list:
    """Each initiative as its title, which opens to the full card; `nothing` says why there are none, and
    `way_out` (a link) follows it."""
    if not initiatives:
        words = nothing or empty_text(focus_force, 0, "")
        return [html.P([words, " ", way_out] if way_out is not None else words, className="empty")]
    return [
        html.Details([initiative_summary(i, dataset), initiative_card(i, dataset, focus_force)], className="initiative")
        for i in initiatives
    ]


def more_button(shown: int, total: int) -> tuple[list, bool]:
    """(children, hidden) of the button that sends the next page of titles. Paper has no button: there it reads
    as a line saying how many initiatives are not printed, and where they are."""
    left = total - shown
    if left <= 0:
        return [], True  # not "Show 0 more of the 0 not shown", even hidden (trial 18, low)
    return [
        html.Span(f"Show {min(PAGE, left)} more of the {left} not shown", className="screen-only"),
        html.Span(
            f"… and {_plural(left, 'more initiative')} not printed here: see the dashboard.", className="print-only"
        ),
    ], False


def examples_of(sources: CountedSources) -> str:
    """Whose examples the counts are: the paper's choice, the register's additions, or both."""
    chosen = "the paper chose to describe"
    if sources.paper and sources.register:
        return f"{chosen} and those the register has added"
    return "the register has added" if sources.register else chosen


def england_summary(
    dataset: Dataset, join: ForceJoin, matching: Sequence[Initiative], url_prefix: str, state: ViewState
) -> list:
    """With no force selected: what the map shows and what it leaves off, and the paper's case studies.
    No ranking of forces: the counts are of the examples the paper chose, not of how much work each does."""
    filtered = filters_narrow(state)
    areas = sum(1 for c in force_counts(dataset, join, matching, state.show_wales) if c.count)
    off_map = off_map_initiatives(join, matching, state.show_wales)
    groups = Counter(i.case_study for i in matching if i.case_study in dataset.case_studies_by_id)
    national = replace(state, view="national", notices=()).to_query()
    # The register's additions are a group of their own, listed last and named in the heading.
    added = REGISTER_CASE_STUDY.id in groups
    case_studies = [
        html.Li(f"{dataset.case_studies_by_id[g].title} ({_plural(n, 'initiative')})")
        for g, n in sorted(
            groups.items(), key=lambda kv: (kv[0] == REGISTER_CASE_STUDY.id, dataset.case_studies_by_id[kv[0]].title)
        )
    ]
    return [
        html.P(on_map_line(len(matching) - len(off_map), areas, filtered, state.show_wales)),
        html.P([off_map_line(len(off_map), state.show_wales), *national_link(len(off_map), url_prefix, national)]),
        html.P(
            f"The counts are of the examples {examples_of(CountedSources.of(len(dataset.provenance), state.source))}. "
            "They do not rank how much forces work with public health.",
            className="note",
        ),
        html.H3("The paper's case studies and sections" + (", and the register's additions" if added else "")),
        html.Ul(case_studies, className="case-study-list")
        if case_studies
        else html.P(["None matches your filters. ", clear_all_link(url_prefix, state)], className="empty"),
        html.P(
            [
                "Select a force on the map",
                html.Span(", or in the force list,", className="not-in-embed"),
                " to see its initiatives and figures.",
            ],
            className="note",
        ),
    ]


def on_map_line(on_map: int, areas: int, filtered: bool, show_wales: bool) -> str:
    """'The map shows 30 initiatives in 14 force areas': what is drawn, counted as the map counts it."""
    noun = "matching initiative" if filtered else "initiative"
    where = "English and Welsh force areas" if show_wales else "English force areas"
    return f"The map shows {_plural(on_map, noun)} in {areas} of its {where}."


def national_link(off_map: int, url_prefix: str, query: str) -> list:
    """The link "See national and regional work" after what the map leaves off; nothing where the filters leave nothing
    off it, as the tab would list nothing. "opens-view": assets/clientside.js scrolls to the tab's panel and moves
    the focus there. The embedded widget has no tabs, so it is not offered there ("not-in-embed")."""
    if not off_map:
        return []
    link = dcc.Link("See national and regional work", href=f"{url_prefix}{query}", className="opens-view")
    return [html.Span([" ", link, "."], className="not-in-embed")]


def off_map_line(off_map: int, show_wales: bool) -> str:
    """What the map leaves off, in words that follow the Welsh forces' toggle."""
    kinds = (
        "national, regional or British Transport Police work"
        if show_wales
        else "national, regional, British Transport Police or Welsh work (the map shows England's forces)"
    )
    if not off_map:
        return f"No {kinds.split(' (')[0]} is left off the map."
    return f"{_plural(off_map, 'more piece')} of {kinds} {'is' if off_map == 1 else 'are'} not on the map."


def force_counts_line(
    name: str,
    in_view: Sequence[Initiative],
    outcomes: Sequence[Outcome],
    total: int,
    filters: str,
    register_ids: Collection[str] = (),
) -> str:
    """A force's counts line: all its initiatives, or how many of them the filters leave, and its figures."""
    if not total:
        return f"No initiative in {CountedSources.of(len(register_ids)).words('or')}"
    if not filters:
        return counts_line(in_view, outcomes, register_ids)
    line = matching_line(name, len(in_view), total, filters)
    return line + figures_part(outcomes)


def background_pointer(count: int, name: str, href: str) -> html.P | None:
    """Where the case study's background figures are, said as not being this force's."""
    if not count:
        return None
    return html.P(
        [
            f"The paper's case study also cites {_plural(count, 'background figure')} from research or "
            f"places elsewhere. {'It is' if count == 1 else 'They are'} not about {name}'s work: ",
            dcc.Link("see the background figures", href=href, className="opens-view"),
            ".",
        ],
        className="note background-pointer not-in-embed",
    )


@dataclass(frozen=True)
class ProfileContent:
    """Every part of the profile for one view state."""

    title: str
    counts: str
    body: list
    themes: Any  # the theme chart (with, for a force, its comparison with all matching initiatives), or NO_THEMES
    charts: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    figures_hidden: bool = True
    charted: bool = False  # any results chart, which the reader may save as images
    listed: int = 0  # initiatives the body lists; the rest follow page by page
    total: int = 0
    covering: list = field(default_factory=list)  # regional and national work that covers the force's area


def in_view_of(
    dataset: Dataset, join: ForceJoin, state: ViewState
) -> tuple[tuple[Initiative, ...], tuple[Initiative, ...]]:
    """(initiatives matching the filters, those of them in the state's force, or all on the map for England)."""
    matching = filter_initiatives(dataset, state)
    return matching, tuple(initiatives_in_view(join, matching, state.force))


def one_initiative_themes(initiative: Initiative, dataset: Dataset) -> html.P:
    """A force with one initiative: its themes in a sentence, not a chart of 1s."""
    labels = [dataset.themes_by_id[t].label for t in initiative.themes]
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
    return html.P(f"Its one initiative covers {_plural(len(labels), 'theme')}: {listed}.", className="themes-sentence")


def profile_themes(
    dataset: Dataset, state: ViewState, matching: Sequence[Initiative], in_view: Sequence[Initiative]
) -> Any:
    """The profile's themes: a chart, a sentence for a force's one initiative, or a note that there are none."""
    chart = theme_chart(theme_shares(dataset, in_view, matching))
    # The source is said once, under the profile's figures (components.panels.outcome_chart_figures), not under
    # every chart. For England the comparison would set the matching initiatives against themselves.
    return (
        html.P(NO_MATCHING_THEMES if filters_narrow(state) else NO_THEMES, className="empty")
        if not chart.rows
        else one_initiative_themes(in_view[0], dataset)
        if state.force and len(in_view) == 1
        else [lollipop(chart, "", break_after_slash=True), details_list(chart, THEME_COMPARISON)]
        if state.force
        else lollipop(chart, "", break_after_slash=True)
    )


def profile_content(
    dataset: Dataset, join: ForceJoin, state: ViewState, url_prefix: str, source: str
) -> ProfileContent:
    """Every part of the profile for a state, as the callback and the initial layout both need it."""
    matching, in_view = in_view_of(dataset, join, state)
    themes = profile_themes(dataset, state, matching, in_view)
    filters = filters_phrase(state, dataset) if filters_narrow(state) else ""
    if not state.force:
        counts = (
            matching_line(None, len(matching), len(dataset.initiatives), filters)
            if filters
            else counts_line(matching, (), dataset.provenance)
        )
        return ProfileContent(
            area_name(state.show_wales), counts, england_summary(dataset, join, matching, url_prefix, state), themes
        )
    name = dataset.forces_by_id[state.force].name
    outcomes = outcomes_of(dataset, in_view)
    background = background_of(dataset, in_view)
    charted, uncharted = capped_results(outcomes)
    total = len(initiatives_in_view(join, dataset.initiatives, state.force))
    return ProfileContent(
        title=name,
        counts=force_counts_line(name, in_view, outcomes, total, filters, dataset.provenance),
        body=initiative_list(
            in_view[:PAGE],
            dataset,
            state.force,
            empty_text(name, total, filters, CountedSources.of(len(dataset.provenance))),
            clear_all_link(url_prefix, state) if total and filters else None,
        ),
        themes=themes,
        # With no figure at all, the table's one sentence says so: no second one about results above it.
        charts=[
            *outcome_chart_figures(
                outcome_charts(charted, dict(dataset.initiatives_by_id), figure_marks(dataset, charted)), ""
            ),
            left_out(uncharted, "results (the smaller ones)"),
        ]
        if outcomes
        else [],
        # Background figures of the case study are cited from research or places elsewhere (the Dorset Horse
        # Course's in Gloucestershire's): not shown here, where they read as the force's own, but pointed to.
        tables=[
            *figure_tables(outcomes, (), dataset, f"{name}'s"),
            background_pointer(
                len(background),
                name,
                # The force stays chosen; the tab opens at its case study's first background figure.
                f"{url_prefix}{replace(state, view='background', notices=()).to_query()}"
                + (f"#{BACKGROUND_ROW}{background[0].id}" if background else ""),
            ),
            embed_figures(outcomes, dataset),
        ],
        figures_hidden=False,
        charted=bool(charted),
        listed=min(PAGE, len(in_view)),
        total=len(in_view),
        covering=covering_work(dataset, join, matching, state, url_prefix),
    )


def covering_work(
    dataset: Dataset, join: ForceJoin, matching: Sequence[Initiative], state: ViewState, url_prefix: str
) -> list:
    """ "Regional and national work that covers this area": the matching work the map places in no force but
    whose region is the force's (Durham and the North East's alcohol work), each a link that opens the National
    and regional tab at that item; and how much national work applies everywhere in England."""
    if not state.force:
        return []
    regional, national = work_covering(dataset, join, matching, state.force, region_of_place)
    if not regional and not national:
        return []
    tab = f"{url_prefix}{replace(state, view='national', notices=()).to_query()}"
    region = dataset.forces_by_id[state.force].region
    parts: list = [html.H3("Regional and national work that covers this area")]
    if regional:
        parts += [
            html.P(
                f"The paper describes {_plural(len(regional), 'piece')} of work across the {region} region, "
                "naming no single force:"
            ),
            html.Ul([html.Li(dcc.Link(i.title, href=f"{tab}#work-{i.id}", className="opens-view")) for i in regional]),
        ]
    if national:
        parts.append(
            html.P(
                [
                    f"{_plural(len(national), 'piece')} of national work {'applies' if len(national) == 1 else 'apply'} "
                    "across England: ",
                    dcc.Link("see national and regional work", href=tab, className="opens-view"),
                    ".",
                ]
            )
        )
    return parts


def profile_key(snapshot: Snapshot, state: ViewState) -> str:
    """What the profile depends on: the data, the force and the filters; not the tab or the comparison."""
    return (
        snapshot.version
        + replace(
            state, view=ViewState().view, compare=(), embed=False, colour=ViewState().colour, notices=()
        ).to_query()
    )


def layout(snapshot: Snapshot, url_prefix: str, state: ViewState = DEFAULT_STATE) -> html.Section:
    """The profile of `state`'s force (or England), as the page first shows it."""
    initial = profile_content(snapshot.dataset, snapshot.join, state, url_prefix, snapshot.chart_citation)
    return html.Section(
        [
            # tabIndex -1: the skip link and a click on a narrow screen can move the focus here.
            # The name and the counts are announced when they change, not the whole profile: a screen reader
            # reading every initiative and figure after each click leaves its user waiting to move on.
            html.H2(initial.title, id=Ids.VIEW_TITLE, tabIndex="-1", **aria(live="polite")),
            dcc.Store(id=Ids.PROFILE_FOR, data=profile_key(snapshot, state)),
            html.P(initial.counts, id=Ids.PROFILE_COUNTS, className="profile-counts", **aria(live="polite")),
            html.Div(initial.body, id=Ids.PROFILE_INITIATIVES, className="profile-body"),
            html.Button(
                more_button(initial.listed, initial.total)[0],
                id=Ids.PROFILE_MORE,
                n_clicks=0,
                className="button more-titles",
                hidden=more_button(initial.listed, initial.total)[1],
            ),
            html.Div(initial.covering, id=Ids.PROFILE_COVERING, className="profile-covering"),
            html.Div([html.H3("Themes"), html.Div(initial.themes, id=Ids.THEME_CHART)], className="profile-themes"),
            html.Div(
                [
                    html.H3("Figures"),
                    html.Div(initial.charts, id=Ids.OUTCOME_CHARTS),
                    html.Button(
                        "Save these charts as images",
                        id=Ids.SAVE_CHARTS,
                        n_clicks=0,
                        className="button chart-options",
                        hidden=not initial.charted,
                    ),
                    html.Span(id=Ids.CHARTS_SAVED, role="status", className="save-status"),
                    dcc.Store(id=Ids.CHART_IMAGES),
                    html.Div(initial.tables, id=Ids.OUTCOME_TABLE),
                ],
                id=Ids.PROFILE_FIGURES,
                className="profile-figures",
                hidden=initial.figures_hidden,
            ),
            # The charts' source, once for the whole profile rather than under each chart.
            html.P("\n".join(source_lines(snapshot.chart_citation)), className="chart-source"),
            html.P(
                [
                    embed_source(snapshot.dataset),
                    html.A(
                        "Open the full dashboard", id=Ids.OPEN_FULL, href=url_prefix, target="_blank", rel="noopener"
                    ),
                ],
                className="embed-source",
            ),
        ],
        id=Ids.RESULTS,
        className="profile",
        tabIndex="-1",
        # Which force the page's own profile is of: a link to a force keeps an England profile out of sight.
        **attributes({"aria-label": "Profile", "data-force": state.force or ""}),
    )


def embed_source(dataset: Dataset) -> str:
    """The embedded widget's one line of source: the paper, and the register once it has added records
    (each of which says so beside its title)."""
    register = (
        ', and records added through this dashboard\'s register, each marked "Register"' if dataset.provenance else ""
    )
    return f"Source: PHE (2016) Police and Public Health: Innovation in practice{register}. "


def as_sent(content: ProfileContent) -> ProfileContent:
    """The same profile with its components and figures as the JSON data Dash sends for them. A kept
    profile is then encoded by the json module's C encoder on each request, instead of being walked
    component by component in Python (about half the cost of answering a click)."""

    def sent(value: Any) -> Any:
        return json.loads(json.dumps(value, cls=PlotlyJSONEncoder))

    return replace(
        content,
        body=sent(content.body),
        themes=sent(content.themes),
        charts=sent(content.charts),
        tables=sent(content.tables),
        covering=sent(content.covering),
    )


def profile_outputs(content: ProfileContent, key: str, pages_shown: object) -> dict:
    """`show_profile`'s outputs for `content`, the profile of the state `key` names."""
    more_text, more_hidden = more_button(content.listed, content.total)
    return dict(
        title=content.title,
        counts=content.counts,
        body=content.body,
        themes=content.themes,
        charts=content.charts,
        tables=content.tables,
        figures_hidden=content.figures_hidden,
        save_hidden=not content.charted,
        saved="",  # "Saved 2 chart images" was of the profile shown before
        more_text=more_text,
        more_hidden=more_hidden,
        covering=content.covering,
        # Reset only when more pages were shown: writing it fires the "more" callback, a request for nothing.
        pages_shown=0 if pages_shown else no_update,
        shown_for=key,
    )


def selected_force_on_click(
    source: SnapshotProvider, clicks: object, state_data: object
) -> tuple[Snapshot, ViewState, tuple[Initiative, ...]]:
    """(snapshot, state, the force's initiatives in view) for a button pressed in a force's profile;
    nothing to do (PreventUpdate) before any press or with no force selected."""
    if not isinstance(clicks, int) or clicks < 1:
        raise PreventUpdate
    snapshot = source.current()
    state = state_from_store(state_data, snapshot.dataset)
    if not state.force:
        raise PreventUpdate
    return snapshot, state, in_view_of(snapshot.dataset, snapshot.join, state)[1]


def next_titles(snapshot: Snapshot, state: ViewState, in_view: Sequence[Initiative], pages: int) -> tuple:
    """(the titles of page `pages` appended to those shown, the "more" button's text and hidden); nothing to
    do (PreventUpdate) past the last page."""
    start, end = pages * PAGE, (pages + 1) * PAGE
    if start >= len(in_view):
        raise PreventUpdate
    listed = Patch()
    listed.extend(initiative_list(in_view[start:end], snapshot.dataset, state.force))  # never empty here
    return (listed, *more_button(min(end, len(in_view)), len(in_view)))


def chart_images_of(snapshot: Snapshot, in_view: Sequence[Initiative], force_name: str = "") -> list:
    """The results charts of a force's profile as plotly figures, each titled with the force and with the
    citation, to be saved as images: an image read away from the page says whose results it shows."""
    charted, _ = capped_results(outcomes_of(snapshot.dataset, in_view))
    figures = build_outcome_charts(
        charted, dict(snapshot.dataset.initiatives_by_id), figure_marks(snapshot.dataset, charted)
    )
    title = f"{force_name}: results" if force_name else "Results"
    return [with_source(with_title(figure, title), snapshot.chart_citation) for _, figure in figures]


def shown_profile(
    source: SnapshotProvider,
    built: BoundedMemo[ProfileContent],
    url_prefix: str,
    state_data: Any,
    shown_for: Any,
    pages_shown: Any,
) -> dict:
    """The profile's outputs for the state in the store; nothing to do (PreventUpdate) when that profile is shown."""
    snapshot = source.current()
    state = state_from_store(state_data, snapshot.dataset)
    # A tab or a comparison changes the state but not the profile: re-sending it made the browser
    # redraw every card and chart for nothing.
    key = profile_key(snapshot, state)
    if key == shown_for:
        raise PreventUpdate
    content = built.get(
        key,
        lambda: as_sent(profile_content(snapshot.dataset, snapshot.join, state, url_prefix, snapshot.chart_citation)),
    )
    return profile_outputs(content, key, pages_shown)


def chart_images_on_click(source: SnapshotProvider, clicks: Any, state_data: Any) -> dict:
    """The profile's results charts, with the citation, for the browser to save as images."""
    snapshot, state, in_view = selected_force_on_click(source, clicks, state_data)
    name = snapshot.dataset.forces_by_id[state.force].name if state.force else ""
    # Named after the force, so they do not overwrite the overview's or another force's saved before.
    files = f"police-public-health-{slug(name or area_name(state.show_wales))}-chart"
    return {"clicks": clicks, "figures": chart_images_of(snapshot, in_view, name), "name": files}


def register_profile_callback(app: Dash, source: SnapshotProvider, url_prefix: str) -> None:
    """The server callback that sends the selected force's profile when the view state changes."""
    # Most visits ask for the same few forces: each profile is built once per snapshot and filter set.
    built = BoundedMemo[ProfileContent](PROFILES_KEPT)

    @app.callback(
        output=dict(
            title=Output(Ids.VIEW_TITLE, "children"),
            counts=Output(Ids.PROFILE_COUNTS, "children"),
            body=Output(Ids.PROFILE_INITIATIVES, "children"),
            themes=Output(Ids.THEME_CHART, "children"),
            charts=Output(Ids.OUTCOME_CHARTS, "children"),
            tables=Output(Ids.OUTCOME_TABLE, "children"),
            figures_hidden=Output(Ids.PROFILE_FIGURES, "hidden"),
            save_hidden=Output(Ids.SAVE_CHARTS, "hidden"),
            saved=Output(Ids.CHARTS_SAVED, "children", allow_duplicate=True),
            more_text=Output(Ids.PROFILE_MORE, "children"),
            more_hidden=Output(Ids.PROFILE_MORE, "hidden"),
            pages_shown=Output(Ids.PROFILE_MORE, "n_clicks"),
            shown_for=Output(Ids.PROFILE_FOR, "data"),
            covering=Output(Ids.PROFILE_COVERING, "children"),
        ),
        inputs=dict(state_data=Input(Ids.STATE, "data")),
        state=dict(shown_for=State(Ids.PROFILE_FOR, "data"), pages_shown=State(Ids.PROFILE_MORE, "n_clicks")),
        prevent_initial_call=True,  # the layout already holds the England profile
    )
    def show_profile(state_data, shown_for, pages_shown):
        return shown_profile(source, built, url_prefix, state_data, shown_for, pages_shown)


def register_on_click_callbacks(app: Dash, source: SnapshotProvider) -> None:
    """The server callbacks of the profile's buttons: more titles, and the charts saved as images."""

    @app.callback(
        Output(Ids.PROFILE_INITIATIVES, "children", allow_duplicate=True),
        Output(Ids.PROFILE_MORE, "children", allow_duplicate=True),
        Output(Ids.PROFILE_MORE, "hidden", allow_duplicate=True),
        Input(Ids.PROFILE_MORE, "n_clicks"),
        State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def show_more_titles(pages, state_data):
        """The next page of the selected force's titles, appended to those shown."""
        return next_titles(*selected_force_on_click(source, pages, state_data), pages)

    @app.callback(
        Output(Ids.CHART_IMAGES, "data"),
        Input(Ids.SAVE_CHARTS, "n_clicks"),
        State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def chart_images(clicks, state_data):
        """The profile's results charts, with the citation, for the browser to save as images: only when
        asked, so no click on the map carries them."""
        return chart_images_on_click(source, clicks, state_data)


def register(app: Dash, source: SnapshotProvider, url_prefix: str) -> None:
    register_profile_callback(app, source, url_prefix)
    register_on_click_callbacks(app, source)

    app.clientside_callback(
        ClientsideFunction("pph", "profileShown"),
        Output(Ids.PROFILE_COUNTS, "title"),
        Input(Ids.PROFILE_COUNTS, "children"),
        prevent_initial_call=True,
    )

    # The force's name in the heading at once, before the server answers, and the profile brought
    # into view on a narrow screen.
    app.clientside_callback(
        ClientsideFunction("pph", "headingForClick"),
        Output(Ids.VIEW_TITLE, "children", allow_duplicate=True),
        Input(Ids.MAP_CLICK, "data"),
        State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
    # The same for a force chosen in the Force list (components/shell.py, synced_view's `chosen`).
    app.clientside_callback(
        ClientsideFunction("pph", "profileForChoice"),
        Output(Ids.VIEW_TITLE, "children", allow_duplicate=True),
        Input(Ids.FORCE_CHOSEN, "data"),
        prevent_initial_call=True,
    )
