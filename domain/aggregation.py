"""Domain layer: filtering and aggregation of initiatives and figures for a view state."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.joining import ForceJoin, InitiativePlacement
from domain.loading import Dataset
from domain.schema import Force, Initiative, Outcome
from domain.state import ViewState


def matches_text(initiative: Initiative, text: str) -> bool:
    needle = text.casefold()
    haystack = [
        initiative.title,
        initiative.summary,
        initiative.place,
        *initiative.partners,
        *initiative.lead_organisations,
    ]
    return any(needle in field.casefold() for field in haystack)


# The usual short forms of county names, as people in those forces write them: a search aid for the force list,
# not a name the data gives (the aliases in forces.csv also resolve links).
COUNTY_SHORT_FORMS = {
    "Bedfordshire": "Beds",
    "Cambridgeshire": "Cambs",
    "Derbyshire": "Derbys",
    "Gloucestershire": "Glos",
    "Hampshire": "Hants",
    "Hertfordshire": "Herts",
    "Lancashire": "Lancs",
    "Leicestershire": "Leics",
    "Lincolnshire": "Lincs",
    "Midlands": "Mids",
    "Northamptonshire": "Northants",
    "Nottinghamshire": "Notts",
    "Staffordshire": "Staffs",
    "Warwickshire": "Warks",
    "Wiltshire": "Wilts",
    "Yorkshire": "Yorks",
}


# Words that do not say which county a place is in ("North Lincolnshire" is Lincolnshire's name, and Humberside's area).
_NOT_COUNTY_WORDS = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "mid",
        "central",
        "city",
        "county",
        "and",
        "of",
        "the",
        "police",
        "constabulary",
        "valley",
    }
)


def _name_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _NOT_COUNTY_WORDS}


def searchable_places(forces: Sequence[Force], places: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Each force's district names for its search, less those that carry another force's county name: typing
    "Glouc" should not list Avon and Somerset (South Gloucestershire) first, nor "Lincolnshire" Humberside."""
    words_of = {f.id: _name_words(f"{f.name} {f.short_name}") for f in forces}
    return {
        f.id: tuple(
            place
            for place in places.get(f.id, ())
            if not any(_name_words(place) & words for other, words in words_of.items() if other != f.id)
        )
        for f in forces
    }


def force_search_text(force: Force, places: Sequence[str] = ()) -> str:
    """What the force list's search matches for `force`: its name, common name, aliases and region, with "and"
    for "&" and "&" for "and" ("Devon and Cornwall" finds "Devon & Cornwall Police"; "London" finds the Met),
    a county's usual short form for its name ("Hants", "West Mids"), and the `places` in its area (its
    districts: "Bristol" finds Avon and Somerset)."""
    names = [force.name, force.short_name, *force.aliases, force.region]
    spelled = [
        *names,
        *(n.replace("&", "and") for n in names if "&" in n),
        *(n.replace(" and ", " & ") for n in names if " and " in n),
        # Of the names, not the region: "West Mids" is West Midlands Police, not every force of the region.
        *(n.replace(word, short) for n in names[:-1] for word, short in COUNTY_SHORT_FORMS.items() if word in n),
        *places,
    ]
    return " ".join(dict.fromkeys(spelled))


def filter_initiatives(dataset: Dataset, state: ViewState) -> tuple[Initiative, ...]:
    """Initiatives matching the filters (any selected theme, any selected evaluation, the text)."""
    chosen_themes = set(state.themes)
    chosen_evaluations = set(state.evaluations)
    return tuple(
        i
        for i in dataset.initiatives
        if (not chosen_themes or chosen_themes & set(i.themes))
        and (not chosen_evaluations or i.evaluation in chosen_evaluations)
        and (not state.search or matches_text(i, state.search))
        and (not state.source or dataset.provenance_of(i.id).source == state.source)
    )


@dataclass(frozen=True)
class ForceCount:
    force_id: str
    name: str
    count: int
    themes: tuple[tuple[str, int], ...]  # (label, initiatives), most frequent first, then A to Z
    added: int = 0  # of `count`, those added through the register rather than taken from the paper
    results: int = 0  # result figures the source reports for these initiatives (not activity or background)

    def count_words(self, filtered: bool) -> str:
        """'1 initiative', '3 initiatives' ('matching' once a filter narrows them); with register records among
        them, '3 initiatives: 2 from the PHE 2016 paper, 1 from the register' (the map's tooltip names no record,
        so it says which source its count comes from)."""
        text = f"{self.count} {'matching ' if filtered else ''}initiative{'' if self.count == 1 else 's'}"
        if not self.added:
            return text
        if self.added == self.count:
            return f"{text}, from the register"
        return f"{text}: {self.count - self.added} from the PHE 2016 paper, {self.added} from the register"

    @property
    def themes_text(self) -> str:
        """Themes in plain words: the most common first with counts, or simply listed when each occurs once
        (then no order would mean anything, so none is implied)."""
        if not self.themes:
            return "—"
        shown = self.themes[:4]
        more = f", and {len(self.themes) - len(shown)} more" if len(self.themes) > len(shown) else ""
        if all(n == 1 for _, n in self.themes):
            return "Themes: " + ", ".join(label for label, _ in shown) + more
        return "Most common themes: " + ", ".join(f"{label} ({n})" for label, n in shown) + more


def force_counts(
    dataset: Dataset, join: ForceJoin, matching: Iterable[Initiative], show_wales: bool
) -> tuple[ForceCount, ...]:
    """One row per force drawn on the map: how many matching initiatives, and their main themes."""
    matching_by_id = {i.id: i for i in matching}
    rows = []
    for force in dataset.forces:
        if force.id not in join.by_force or not (force.is_english or show_wales):
            continue
        initiatives = [matching_by_id[i] for i in join.by_force[force.id] if i in matching_by_id]
        themes = Counter(t for i in initiatives for t in i.themes)
        ranked = sorted(themes.items(), key=lambda kv: (-kv[1], dataset.themes_by_id[kv[0]].label))
        ids = {i.id for i in initiatives}
        rows.append(
            ForceCount(
                force.id,
                force.name,
                len(initiatives),
                tuple((dataset.themes_by_id[t].label, n) for t, n in ranked),
                sum(1 for i in initiatives if i.id in dataset.provenance),
                sum(1 for o in dataset.outcomes if o.is_result and o.initiative_id in ids),
            )
        )
    return tuple(rows)


def initiatives_in_view(
    join: ForceJoin, matching: Iterable[Initiative], force_id: str | None
) -> tuple[Initiative, ...]:
    """The selected force's matching initiatives, or all matching ones when no force is selected."""
    if force_id is None:
        return tuple(matching)
    placed = set(join.by_force.get(force_id, ()))
    return tuple(i for i in matching if i.id in placed or force_id in i.force_ids)


def compared_in_view(state: ViewState) -> tuple[str, ...]:
    """The forces a view compares: those of the comparison when its tab is open, none on any other tab."""
    return state.compare if state.view == "compare" else ()


def initiatives_to_download(
    join: ForceJoin, matching: Iterable[Initiative], state: ViewState
) -> tuple[Initiative, ...]:
    """What "Download this view" carries: on the Compare tab, the matching initiatives of every force compared,
    each once, in the data's order; elsewhere the selected force's, or all matching ones."""
    compared = compared_in_view(state)
    if not compared:
        return initiatives_in_view(join, matching, state.force)
    matching = tuple(matching)
    wanted = {i.id for force in compared for i in initiatives_in_view(join, matching, force)}
    return tuple(i for i in matching if i.id in wanted)


def is_on_map(placement: InitiativePlacement, show_wales: bool) -> bool:
    """The one definition of "on the map": placed in an English force area, or in a Welsh one while the
    Welsh forces are shown. The map's colours, England's summary and the national list all use it."""
    return placement.placement == "english force" or (placement.placement == "welsh force" and show_wales)


def off_map_initiatives(
    join: ForceJoin, matching: Iterable[Initiative], show_wales: bool = False
) -> tuple[tuple[Initiative, str], ...]:
    """Matching work the map does not show (national, regional, non-territorial, and Welsh while the
    Welsh forces are hidden), with why it is off the map."""
    return tuple(
        (i, join.placements[i.id].reason) for i in matching if not is_on_map(join.placements[i.id], show_wales)
    )


def filters_narrow(state: ViewState) -> bool:
    """Whether any filter leaves initiatives out: then "none" means none matches, not none in the paper.
    The Welsh forces' toggle and the map's colouring leave every initiative in."""
    return bool(state.themes or state.evaluations or state.search or state.source)


@dataclass(frozen=True)
class ThemeShare:
    theme_id: str
    label: str
    kind: str
    count: int
    share: float  # percent of the view's initiatives that carry this theme
    all_matching_share: float  # the same over all matching initiatives
    all_matching_count: int  # matching initiatives with this theme
    view_total: int  # initiatives in the view
    all_matching_total: int  # matching initiatives


def theme_shares(
    dataset: Dataset, in_view: Iterable[Initiative], matching: Iterable[Initiative]
) -> tuple[ThemeShare, ...]:
    in_view, matching = tuple(in_view), tuple(matching)
    view_counts = Counter(t for i in in_view for t in i.themes)
    all_counts = Counter(t for i in matching for t in i.themes)
    return tuple(
        ThemeShare(
            theme.id,
            theme.label,
            theme.kind,
            view_counts[theme.id],
            round(100 * view_counts[theme.id] / len(in_view), 1) if in_view else 0.0,
            round(100 * all_counts[theme.id] / len(matching), 1) if matching else 0.0,
            all_counts[theme.id],
            len(in_view),
            len(matching),
        )
        for theme in dataset.themes
        if view_counts[theme.id]
    )


def outcomes_of(dataset: Dataset, initiatives: Iterable[Initiative]) -> tuple[Outcome, ...]:
    """The figures that belong to these initiatives (results, activity, funding, targets)."""
    ids = {i.id for i in initiatives}
    return tuple(o for o in dataset.outcomes if o.initiative_id in ids)


def background_of(dataset: Dataset, initiatives: Iterable[Initiative]) -> tuple[Outcome, ...]:
    """Background figures the paper cites in the case studies these initiatives belong to, tied to none of them."""
    case_studies = {i.case_study for i in initiatives}
    return tuple(
        o for o in dataset.outcomes if o.is_background and o.initiative_id is None and o.case_study in case_studies
    )


def figures_in_view(dataset: Dataset, state: ViewState, in_view: Iterable[Initiative]) -> tuple[Outcome, ...]:
    """The figures a view's download carries, in the dataset's order: its initiatives' figures and the background
    of their case studies; on the Background figures tab every background figure, as the tab lists them; and with
    no force and no filter, every figure, the paper's own background too (tied to no initiative or case study,
    it was in no download while About counted it)."""
    shown = list(in_view)
    wanted = {o.id for o in (*outcomes_of(dataset, shown), *background_of(dataset, shown))}
    if state.view == "background":
        wanted |= {o.id for o in dataset.outcomes if o.is_background}
    if state.force is None and not filters_narrow(state) and not compared_in_view(state):
        wanted = {o.id for o in dataset.outcomes}
    return tuple(o for o in dataset.outcomes if o.id in wanted)


def format_value(outcome: Outcome) -> str:
    """How a figure reads: '94%', '27 percentage points', '£815,000', '2,525'."""
    number = f"{outcome.value:,.0f}" if outcome.value == int(outcome.value) else f"{outcome.value:,}"
    text = {
        "percent": f"{number}%",
        "percentage points": f"{number} percentage points",
        "GBP": f"£{number}",
        "count": number,
        "hours": f"{number} hours",
        "days": f"{number} days",
        "weeks": f"{number} weeks",
        "months": f"{number} months",
        "years": f"{number} years",
    }[outcome.unit]
    return f"{outcome.qualifier} {text}" if outcome.qualifier else text


def reading_of(outcome: Outcome) -> str:
    """How a figure reads in a sentence: 'a fall of 94%', 'a rise of 5', or just '631' for a level."""
    value = format_value(outcome)
    return {"reduction": f"a fall of {value}", "increase": f"a rise of {value}"}.get(outcome.direction, value)


def largest_per_unit(outcomes: Sequence[Outcome], limit: int) -> tuple[tuple[Outcome, ...], int]:
    """At most `limit` figures of each unit, the largest values first kept, in their original order, and
    how many were left out. A chart of hundreds of bars is unreadable, and the page would carry them all."""
    by_unit: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_unit.setdefault(outcome.unit, []).append(outcome)
    kept = {id(o) for group in by_unit.values() for o in sorted(group, key=lambda o: -o.value)[:limit]}
    shown = tuple(o for o in outcomes if id(o) in kept)
    return shown, len(outcomes) - len(shown)


def work_covering(
    dataset: Dataset, join: ForceJoin, matching: Iterable[Initiative], force_id: str, region_of: Callable[[str], str]
) -> tuple[tuple[Initiative, ...], tuple[Initiative, ...]]:
    """(regional work whose place names the force's region, national work) among the matching initiatives that
    the map does not place in any force: the work that covers a force's area without naming it (Durham and the
    North East's alcohol work). National work is the paper's England-wide work, so only for English forces.
    `region_of` reads the region a regional initiative's place names (domain.compare.region_of_place)."""
    force = dataset.forces_by_id.get(force_id)
    if force is None or not force.region:
        return (), ()
    regional: list[Initiative] = []
    national: list[Initiative] = []
    for initiative in matching:
        if join.placements[initiative.id].mapped_force_ids:
            continue  # placed in forces: on the map, in their profiles
        if initiative.scope == "regional" and region_of(initiative.place) == force.region:
            regional.append(initiative)
        elif initiative.scope == "national" and force.country == "England":
            national.append(initiative)
    return tuple(regional), tuple(national)
