"""Domain layer: comparing forces, the themes x forces coverage matrix, and citations."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.chart_text import plain_text
from domain.joining import ForceJoin
from domain.loading import Dataset
from domain.provenance import PAPER_ONLY, CountedSources
from domain.schema import Force, Initiative, Outcome
from domain.state import MAX_COMPARED

NO_INITIATIVE_IN_PAPER = f"no initiative in {PAPER_ONLY.words()}"
NONE_MATCHES = "none matches your filters"


def compared_with(compared: Sequence[str], anchor: str, added: str) -> tuple[tuple[str, ...], str | None]:
    """The forces compared once `added` joins them, and the one it takes the place of when the comparison is full:
    the last force that is not `anchor`, whose likes are being offered, so the comparison stays about it."""
    base = list(compared) or [anchor]
    if len(base) < MAX_COMPARED:
        return (*base, added), None
    dropped = next(f for f in reversed(base) if f != anchor)
    return tuple(added if f == dropped else f for f in base), dropped


# Said wherever the comparison refuses a fifth force: beside its picker (components.shell) and its Add button.
COMPARED_AT_MOST = f"At most {MAX_COMPARED} forces can be compared"
# Said by a button that acts on the force selected on the map, pressed with none selected.
SELECT_A_FORCE_FIRST = "Select a force on the map (or in the Force list) first."


def none_text(filtered: bool, sources: CountedSources = PAPER_ONLY) -> str:
    """An empty cell's words: with filters narrowing the initiatives, none may be in the paper all the same.
    Unfiltered, it names every source counted: 'no initiative in the 2016 paper or the register'."""
    return NONE_MATCHES if filtered else f"no initiative in {sources.words('or')}"


def how_obtained(outcome: Outcome) -> str:
    """How a result was obtained (its design) and any caution the paper's comparison needs (its caveat),
    in a few words; said plainly when the record does not say."""
    parts = [text for text in (outcome.design, outcome.caveat) if text]
    return "; ".join(parts) if parts else "how it was obtained is not recorded"


OFF_MAP_ROW_ID = "national-and-non-territorial"
PAPER_CITATION = (
    "Public Health England (2016). Police and Public Health: Innovation in practice – "
    "an overview of collaboration across England. London: PHE."
)


@dataclass(frozen=True)
class ComparedForce:
    force_id: str
    name: str
    region: str
    area_km2: float | None
    population: int | None
    initiatives: tuple[Initiative, ...]
    theme_counts: dict[str, int]
    outcomes: tuple[Outcome, ...]


def compare_forces(
    dataset: Dataset, join: ForceJoin, matching: Iterable[Initiative], force_ids: Sequence[str]
) -> tuple[ComparedForce, ...]:
    matching_ids = {i.id for i in matching}
    compared = []
    for force_id in force_ids[:MAX_COMPARED]:
        force = dataset.forces_by_id[force_id]
        initiatives = tuple(dataset.initiatives_by_id[i] for i in join.by_force.get(force_id, ()) if i in matching_ids)
        ids = {i.id for i in initiatives}
        compared.append(
            ComparedForce(
                force_id,
                force.name,
                force.region,
                force.area_km2,
                force.population_mid_2018,
                initiatives,
                dict(Counter(t for i in initiatives for t in i.themes)),
                tuple(o for o in dataset.outcomes if o.initiative_id in ids),
            )
        )
    return tuple(compared)


@dataclass(frozen=True)
class SimilarForce:
    force_id: str
    name: str
    reason: str


def similar_forces(dataset: Dataset, force_id: str, limit: int = 5) -> tuple[SimilarForce, ...]:
    """Forces of the same region, closest in population first, then forces of other regions closest in population:
    one click from a comparison."""
    anchor = dataset.forces_by_id[force_id]
    peers = [f for f in dataset.forces if f.kind == "territorial" and f.country == anchor.country and f.id != force_id]
    anchor_population = anchor.population_mid_2018

    def nearness(force: Force) -> tuple[int, str]:
        # Alphabetical where a population is not known, after those whose is.
        if anchor_population is None or force.population_mid_2018 is None:
            return (10**12, force.name)
        return (abs(force.population_mid_2018 - anchor_population), force.name)

    same_region = [
        SimilarForce(f.id, f.name, f"same region ({f.region})")
        for f in sorted(peers, key=nearness)
        if f.region == anchor.region
    ]
    if anchor_population is None:
        return tuple(same_region[:limit])
    by_population = sorted(
        (f for f in peers if f.region != anchor.region and f.population_mid_2018),
        key=lambda f: abs((f.population_mid_2018 or 0) - anchor_population),  # the filter above leaves no None
    )
    similar_size = [
        SimilarForce(f.id, f.name, f"similar population ({f.population_mid_2018:,})") for f in by_population[:3]
    ]
    return tuple((same_region[: max(0, limit - len(similar_size))] + similar_size)[:limit])


@dataclass(frozen=True)
class MatrixRow:
    row_id: str
    label: str
    region: str
    counts: dict[str, int]  # theme id -> initiatives; themes with none are absent
    added: int = 0  # of the row's matching initiatives, those added through the register (not the paper's)
    total: int = 0  # the row's matching initiatives, each once (an initiative counts under each of its themes)


TOTAL_ROW_ID = "total"
TOTAL_LABEL = "All rows (each initiative once)"


def coverage_matrix(
    dataset: Dataset, join: ForceJoin, matching: Iterable[Initiative], show_wales: bool
) -> tuple[MatrixRow, ...]:
    """One row per force on the map (and one for work with no force area), counts per theme."""
    matching = tuple(matching)
    matching_ids = {i.id for i in matching}
    rows = []
    for force in sorted(dataset.forces, key=lambda f: f.name):
        if force.id not in join.by_force or not (force.is_english or show_wales):
            continue
        initiatives = [dataset.initiatives_by_id[i] for i in join.by_force[force.id] if i in matching_ids]
        rows.append(_row(dataset, force.id, force.name, force.region, initiatives))
    off_map = [
        i
        for i in matching
        if join.placements[i.id].placement in {"no force named", "non-territorial force"}
        or (join.placements[i.id].placement == "welsh force" and not show_wales)
    ]
    # Named for what it holds: with the Welsh forces hidden, their work is in it too (as the national list says).
    label = "National, regional and non-territorial work" + ("" if show_wales else ", and Welsh work")
    rows.append(_row(dataset, OFF_MAP_ROW_ID, label, "", off_map))
    return tuple(rows)


def _row(dataset: Dataset, row_id: str, label: str, region: str, initiatives: Sequence[Initiative]) -> MatrixRow:
    return MatrixRow(
        row_id,
        label,
        region,
        dict(Counter(t for i in initiatives for t in i.themes)),
        _added(dataset, initiatives),
        len(initiatives),
    )


def matrix_totals(dataset: Dataset, join: ForceJoin, matching: Iterable[Initiative], show_wales: bool) -> MatrixRow:
    """The matrix's totals row: per theme, the matching initiatives in any of its rows, each counted once (a
    multi-force initiative sits in several force rows, so the column's sum would count it again)."""
    matching = tuple(matching)
    in_rows = {
        i.id
        for i in matching
        if join.placements[i.id].placement in {"no force named", "non-territorial force"}
        or (join.placements[i.id].placement == "welsh force" and not show_wales)
    }
    for force in dataset.forces:
        if force.id in join.by_force and (force.is_english or show_wales):
            in_rows.update(join.by_force[force.id])
    counted = [i for i in matching if i.id in in_rows]
    return _row(dataset, TOTAL_ROW_ID, TOTAL_LABEL, "", counted)


def _added(dataset: Dataset, initiatives: Iterable[Initiative]) -> int:
    return sum(1 for i in initiatives if i.id in dataset.provenance)


def sort_matrix(rows: Sequence[MatrixRow], column: str, descending: bool) -> tuple[MatrixRow, ...]:
    """Sort by 'force', 'region' or a theme id; the off-map row always stays last."""
    body = [r for r in rows if r.row_id != OFF_MAP_ROW_ID]
    tail = [r for r in rows if r.row_id == OFF_MAP_ROW_ID]
    if column == "force":
        key = lambda r: r.label
    elif column == "region":
        key = lambda r: (r.region, r.label)
    elif column == "total":
        body.sort(key=lambda r: r.label)
        key = lambda r: r.total
    else:
        # Ties keep alphabetical order whichever way the counts run.
        body.sort(key=lambda r: r.label)
        key = lambda r: r.counts.get(column, 0)
    return tuple(sorted(body, key=key, reverse=descending) + tail)


def citation_line(
    dataset: Dataset,
    view_url: str,
    accessed: date,
    shown: Iterable[Initiative] | None = None,
    filters: str = "",
    subject: str = "",
) -> str:
    """The citation of a view. `shown` is what the view holds: the register is named only when some of that came
    through it (all of the dataset when None). `subject` (the force, or the forces compared, by name) and
    `filters`, the active filters in words, are said beside the link, so a reader of the citation on paper knows
    what the view is of, and that it is partial, without opening it."""
    # The dataset's date is when this version was compiled from the 2016 paper, said so in words:
    # a bare date beside the dataset reads as if the data were that recent.
    added = len(dataset.provenance) if shown is None else _added(dataset, shown)
    register = ""
    if added:
        register = (
            f" With {added} initiative{'' if added == 1 else 's'} added through this dashboard's register, each "
            'marked "Register, reviewed <date> by <organisation>; source: <its source>" and not part of the paper.'
        )
    return (
        f"{PAPER_CITATION} Police and public health collaboration dataset, version {dataset.version}, "
        f"compiled {dataset.version_date} from that paper.{register} Boundaries: "
        f"{dataset.boundaries.credit if dataset.boundaries else 'ONS'}. "
        f"View: {view_url} ({''.join(f'{part}; ' for part in (subject, f'filters: {filters}' if filters else '') if part)}"
        f"accessed {accessed.isoformat()})."
    )


def chart_citation(dataset: Dataset) -> str:
    """The short citation printed under every chart, as chart markup: the data in it is escaped."""
    # Short lines, so the source fits under a chart on a 375 px screen instead of running off it.
    register = ", and reviewed additions<br>from this dashboard's register" if dataset.provenance else ""
    return (
        f"Source: PHE (2016) Police and Public Health{register};<br>dataset version {plain_text(dataset.version)}. "
        "Boundaries: ONS, OGL v3.0,<br>© Crown copyright and database right."
    )


# The National and regional tab's groups, in the order shown.
OFF_MAP_GROUPS = ("National work", "Regional work", "British Transport Police", "Welsh forces (hidden from the map)")
NON_TERRITORIAL_GROUP = OFF_MAP_GROUPS[2]


def off_map_group_anchor(heading: str) -> str:
    """The id of a group in the National and regional tab ("work-group-regional-work-north-east"): where the Force
    list's British Transport Police, which has no area on the map, takes the reader."""
    return "work-group-" + re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)


@dataclass(frozen=True)
class OffMapGroup:
    heading: str  # one of OFF_MAP_GROUPS, with the region for regional work ("Regional work: North East")
    initiatives: tuple[Initiative, ...]


def region_of_place(place: str) -> str:
    """The English region a regional initiative's place names ('' when it names none)."""
    return next((r for r in sorted(REGIONS, key=len, reverse=True) if r.lower() in place.lower()), "")


def group_off_map(join: ForceJoin, items: Iterable[tuple[Initiative, str]]) -> tuple[OffMapGroup, ...]:
    """Work off the map grouped by scope, and regional work by region: national, each region's, British
    Transport Police's, and the Welsh forces' while they are hidden."""
    grouped: dict[str, list[Initiative]] = {}
    for initiative, _reason in items:
        placement = join.placements[initiative.id].placement
        if placement == "welsh force":
            heading = OFF_MAP_GROUPS[3]
        elif placement == "non-territorial force":
            heading = NON_TERRITORIAL_GROUP
        elif initiative.scope == "regional":
            region = region_of_place(initiative.place)
            heading = f"{OFF_MAP_GROUPS[1]}: {region}" if region else OFF_MAP_GROUPS[1]
        else:
            heading = OFF_MAP_GROUPS[0]
        grouped.setdefault(heading, []).append(initiative)

    def order(heading: str) -> tuple[int, str]:
        return next(n for n, g in enumerate(OFF_MAP_GROUPS) if heading.startswith(g)), heading

    return tuple(OffMapGroup(h, tuple(grouped[h])) for h in sorted(grouped, key=order))
