"""Domain layer: the force map as data for the page's own SVG drawing (assets/force-map.js), its shapes
and its colours.

The map used to be a plotly.js choropleth. Evaluating plotly.js (about 330 ms of one task) and laying
out its geo subplot on first load were most of the page's blocking time, for a picture of 43 fixed
shapes. The shapes are projected here once per boundary file; a filter sends only the colours.

Projection: spherical transverse Mercator on the meridian 2°W, like the Ordnance Survey grid, so
England is not stretched east to west. Coordinates are whole units of a 1000-unit-wide box, sent as
relative path steps: a shared border's vertices round to the same points on both sides, so
neighbouring forces still meet without gaps.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from domain.aggregation import ForceCount
from domain.provenance import PAPER_ONLY, CountedSources

CENTRAL_MERIDIAN = -2.0
BOX_WIDTH = 1000  # the drawing's width in its own units; the page scales it to fit
PADDING = 10
NO_INITIATIVE_COLOUR = "#e8e6e1"
NO_INITIATIVE_LABEL = "No initiative in the 2016 paper"
# Coloured by results, an area with initiatives but no result among them: not the grey of an area with none at all
# (trial 18: with Mental health chosen, Cambridgeshire's matching initiative was grey beside the profile's count).
# A pale sand, apart from the grey and from every blue.
NO_RESULT_COLOUR = "#f3e4bf"
# The former continuous scale, kept for the benchmark's plotly export of the same map.
COUNT_COLOURSCALE = ((0.0, "#c6dbef"), (0.5, "#4292c6"), (1.0, "#08306b"))

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class MapShapes:
    """Every force's outline as an SVG path in one box."""

    view_box: str
    paths: dict[str, str]  # force id -> path data

    def as_data(self) -> dict[str, Any]:
        return {"viewBox": self.view_box, "paths": self.paths}


def project(lon: float, lat: float) -> tuple[float, float]:
    """Spherical transverse Mercator (unit sphere); y grows northwards."""
    lam = math.radians(lon - CENTRAL_MERIDIAN)
    phi = math.radians(lat)
    b = math.cos(phi) * math.sin(lam)
    x = 0.5 * math.log((1 + b) / (1 - b))
    y = math.atan2(math.tan(phi), math.cos(lam))
    return x, y


def _rings(geometry: dict[str, Any], where: str) -> list[list[list[float]]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return list(geometry["coordinates"])
    if kind == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError(f"{where}: geometry type {kind!r} is not a Polygon or MultiPolygon")


def _path(rings: Iterable[Ring]) -> str:
    """Relative SVG path steps between whole-unit points; repeated points are dropped."""
    parts: list[str] = []
    for ring in rings:
        points: list[tuple[int, int]] = []
        for x, y in ring:
            point = (round(x), round(y))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) < 3:
            continue  # smaller than a unit of the drawing: nothing to see or click
        steps = [f"M{points[0][0]} {points[0][1]}"]
        steps += [f"l{x - px} {y - py}" for (px, py), (x, y) in zip(points, points[1:], strict=False)]
        parts.append("".join(steps) + "z")
    return "".join(parts)


def map_shapes(geojson_bytes: bytes, source_name: str = "the boundary file") -> MapShapes:
    """Project every feature of the served GeoJSON into one box (north up, y down as SVG draws it)."""
    collection = json.loads(geojson_bytes)
    projected: dict[str, list[Ring]] = {}
    for number, feature in enumerate(collection.get("features", []), start=1):
        properties = feature.get("properties") or {}
        force_id = properties.get("id")
        if not isinstance(force_id, str):
            raise ValueError(f"{source_name}: feature {number} has no 'id' property")
        rings = _rings(feature.get("geometry") or {}, f"{source_name}: feature {number} ({force_id})")
        projected[force_id] = [[project(lon, lat) for lon, lat, *_ in ring] for ring in rings]
    if not projected:
        raise ValueError(f"{source_name}: no features to draw")
    xs = [x for rings in projected.values() for ring in rings for x, _ in ring]
    ys = [y for rings in projected.values() for ring in rings for _, y in ring]
    scale = (BOX_WIDTH - 2 * PADDING) / (max(xs) - min(xs))
    left, top = min(xs), max(ys)
    height = round((top - min(ys)) * scale) + 2 * PADDING

    def to_box(ring: Ring) -> Ring:
        return [((x - left) * scale + PADDING, (top - y) * scale + PADDING) for x, y in ring]

    paths = {force_id: _path(to_box(ring) for ring in rings) for force_id, rings in projected.items()}
    return MapShapes(f"0 0 {BOX_WIDTH} {height}", paths)


@dataclass(frozen=True)
class Bin:
    """One fixed step of a colour key: the values from `low` to `high` (None: no upper end)."""

    low: int
    high: int | None
    colour: str

    def holds(self, value: int) -> bool:
        return value >= self.low and (self.high is None or value <= self.high)

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low} or more"
        return str(self.low) if self.high == self.low else f"{self.low}\u2013{self.high}"


@dataclass(frozen=True)
class Measure:
    """What the map can be coloured by: the words of its key and its fixed bins."""

    key: str
    singular: str  # "initiative"
    plural: str  # "initiatives"
    title: str  # the map's title while coloured by this measure: {sources} and a verb's {s} filled in
    bins: tuple[Bin, ...]


# Fixed bins, the same under every filter, so two screenshots of the map can be set side by side. Blues
# of one hue, lightest to darkest: readable with the common colour-vision deficiencies.
_BLUES = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "initiatives",
            "initiative",
            "initiatives",
            "Initiatives {sources} name{s} in each force area",
            (Bin(1, 1, _BLUES[0]), Bin(2, 2, _BLUES[1]), Bin(3, 4, _BLUES[2]), Bin(5, None, _BLUES[3])),
        ),
        Measure(
            "themes",
            "theme",
            "themes",
            "Themes covered by the initiatives {sources} name{s} in each force area",
            (Bin(1, 2, _BLUES[0]), Bin(3, 4, _BLUES[1]), Bin(5, 6, _BLUES[2]), Bin(7, None, _BLUES[3])),
        ),
        Measure(
            "results",
            "result",
            "results",
            "Results {sources} report{s} for the initiatives in each force area",
            (Bin(1, 1, _BLUES[0]), Bin(2, 3, _BLUES[2]), Bin(4, None, _BLUES[3])),
        ),
    )
}
DEFAULT_MEASURE = "initiatives"


def measure_title(measure: str, sources: CountedSources = PAPER_ONLY) -> str:
    """'Initiatives the 2016 paper names in each force area', naming the register too once it adds records."""
    return MEASURES[measure].title.format(sources=sources.words(), s=sources.verb_s)


def none_label(measure: str, filtered: bool, sources: CountedSources = PAPER_ONLY) -> str:
    """What a grey force area means: nothing under the filters is not the same as nothing in the paper."""
    noun = "result" if measure == "results" else "initiative"
    return f"No {noun} matches your filters" if filtered else f"No {noun} in {sources.words('or')}"


# The map's text alternative names the colouring's number in a column of its own, when it is not the initiatives.
MEASURE_COLUMNS = {"themes": "Themes covered", "results": "Results reported"}


def table_sort_options(measure: str, chosen: object = "") -> list[dict[str, str]]:
    """How the map as a table can be sorted: by name, region and initiatives, and by the map's colouring when
    that is another number, so the forces the colour picks out can be found in the table too. A sort `chosen`
    under an earlier colouring stays offered, so the list never shows an empty choice."""
    options = [
        {"label": "Force (A to Z)", "value": "force"},
        {"label": "Region", "value": "region"},
        {"label": "Initiatives (most first)", "value": "count"},
    ]
    options += [
        {"label": f"{label} (most first)", "value": key}
        for key, label in MEASURE_COLUMNS.items()
        if key in (measure, chosen)
    ]
    return options


def value_of(count: ForceCount, measure: str) -> int:
    """A force's number for the measure the map is coloured by."""
    return {"initiatives": count.count, "themes": len(count.themes), "results": count.results}[measure]


def bin_colour(value: int, measure: str) -> str:
    """The fixed colour of a value: grey for none, else the colour of the bin that holds it."""
    if value <= 0:
        return NO_INITIATIVE_COLOUR
    return next(b.colour for b in MEASURES[measure].bins if b.holds(value))


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str  # "3\u20134 initiatives", "No initiative matches your filters"
    forces: int  # force areas drawn in this colour


def no_result_label(filtered: bool, sources: CountedSources = PAPER_ONLY) -> str:
    """The key's words for an area with initiatives but no result among them."""
    return (
        "Matching initiatives, no result among them" if filtered else f"Initiatives, no result in {sources.words('or')}"
    )


def legend_entries(
    values: Sequence[int],
    measure: str,
    filtered: bool,
    sources: CountedSources = PAPER_ONLY,
    without_result: int = 0,
) -> tuple[LegendEntry, ...]:
    """The key of the map for these values (one per force area drawn): only the bins some force falls in,
    each with how many forces, then the grey of none. A bin no force falls in is never shown, so the key
    never names a value the map does not have; with nothing matching, only the grey remains.
    `without_result`: coloured by results, the areas of 0 that have initiatives, keyed apart from the grey."""
    chosen = MEASURES[measure]
    entries = []
    for step in chosen.bins:
        forces = sum(1 for v in values if v > 0 and step.holds(v))
        if forces:
            noun = chosen.singular if step.high == 1 else chosen.plural
            entries.append(LegendEntry(step.colour, f"{step.label} {noun}", forces))
    if without_result:
        entries.append(LegendEntry(NO_RESULT_COLOUR, no_result_label(filtered, sources), without_result))
    empty = sum(1 for v in values if v <= 0) - without_result
    if empty:
        noun = "initiatives" if without_result else measure
        entries.append(LegendEntry(NO_INITIATIVE_COLOUR, none_label(noun, filtered, sources), empty))
    return tuple(entries)


@dataclass(frozen=True)
class MapColours:
    """What a filter changes on the map: each shown force's fill and the lines its tooltip reads."""

    fills: dict[str, str]
    counts: dict[str, int]  # matching initiatives per force, whatever the map is coloured by
    labels: dict[str, tuple[str, ...]]  # name, count, (measure,) themes: set as text by the page, never as markup
    most: int
    legend: tuple[LegendEntry, ...] = ()
    measure: str = DEFAULT_MEASURE

    def as_data(self) -> dict[str, Any]:
        """What the page's map script reads; the legend is built on the server."""
        return {"fills": self.fills, "counts": self.counts, "labels": {k: list(v) for k, v in self.labels.items()}}


def tooltip_lines(
    count: ForceCount, measure: str, filtered: bool, sources: CountedSources = PAPER_ONLY
) -> tuple[str, ...]:
    """A force's name, its matching initiatives (or why there are none), what the map is coloured by when
    that is not the initiatives, and its themes."""
    if not count.count:
        return (count.name, none_label("initiatives", filtered, sources), "")
    lines = [count.name, count.count_words(filtered)]
    if measure == "themes":
        lines.append(f"{len(count.themes)} theme{'' if len(count.themes) == 1 else 's'} covered")
    elif measure == "results":
        lines.append(
            f"{count.results} result{'' if count.results == 1 else 's'} reported"
            if count.results
            else none_label("results", filtered, sources)
        )
    return (*lines, count.themes_text)


def map_colours(
    counts: Sequence[ForceCount],
    measure: str = DEFAULT_MEASURE,
    filtered: bool = False,
    sources: CountedSources = PAPER_ONLY,
) -> MapColours:
    """Colours, tooltips and key for the forces drawn; a force not in `counts` is not drawn as a force.
    `filtered`: some filter is narrowing the initiatives, so a grey area is "none matches", not "none"."""
    values = {c.force_id: value_of(c, measure) for c in counts}
    without_result = {c.force_id for c in counts if measure == "results" and c.count and not c.results}
    return MapColours(
        fills={
            force_id: NO_RESULT_COLOUR if force_id in without_result else bin_colour(value, measure)
            for force_id, value in values.items()
        },
        counts={c.force_id: c.count for c in counts},
        labels={c.force_id: tooltip_lines(c, measure, filtered, sources) for c in counts},
        most=max(values.values(), default=0),
        legend=legend_entries(list(values.values()), measure, filtered, sources, len(without_result)),
        measure=measure,
    )
