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

CENTRAL_MERIDIAN = -2.0
BOX_WIDTH = 1000  # the drawing's width in its own units; the page scales it to fit
PADDING = 10
NO_CASE_STUDY_COLOUR = "#e8e6e1"
NO_CASE_STUDY_LABEL = "No initiative in the 2016 paper"
# A sequential single-hue blue scale: readable with the common colour-vision deficiencies.
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


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def count_colour(count: int, most: int) -> str:
    """The blue for a count: the scale runs from 1 (lightest) to the most any force has (darkest)."""
    if count <= 0:
        return NO_CASE_STUDY_COLOUR
    top = max(most, 2)
    where = min(max((count - 1) / (top - 1), 0.0), 1.0)
    for (low, low_colour), (high, high_colour) in zip(COUNT_COLOURSCALE, COUNT_COLOURSCALE[1:], strict=False):
        if where <= high:
            t = (where - low) / (high - low)
            mixed = (round(a + (b - a) * t) for a, b in zip(_hex(low_colour), _hex(high_colour), strict=True))
            return "#" + "".join(f"{channel:02x}" for channel in mixed)
    return COUNT_COLOURSCALE[-1][1]


@dataclass(frozen=True)
class MapColours:
    """What a filter changes on the map: each shown force's fill and the lines its tooltip reads."""

    fills: dict[str, str]
    counts: dict[str, int]
    labels: dict[str, tuple[str, str, str]]  # name, count, themes: set as text by the page, never as markup
    most: int

    def as_data(self) -> dict[str, Any]:
        """What the page's map script reads; `most` goes to the legend, built on the server."""
        return {"fills": self.fills, "counts": self.counts, "labels": {k: list(v) for k, v in self.labels.items()}}


def map_colours(counts: Sequence[ForceCount]) -> MapColours:
    """Colours and tooltips for the forces drawn; a force not in `counts` is not drawn as a force."""
    most = max((c.count for c in counts), default=0)
    return MapColours(
        fills={c.force_id: count_colour(c.count, most) for c in counts},
        counts={c.force_id: c.count for c in counts},
        labels={c.force_id: (c.name, c.count_text if c.count else NO_CASE_STUDY_LABEL, c.themes_text if c.count else "")
                for c in counts},
        most=most,
    )
