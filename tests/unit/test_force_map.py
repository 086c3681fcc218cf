"""The map's shapes and colours (domain/force_map.py) and the profile's HTML charts (domain/lollipop.py,
components/charts.py) -- no browser; tests/browser/test_dashboard.py draws and clicks them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from components.charts import lollipop, source_lines
from domain.aggregation import filter_initiatives, force_counts
from domain.compare import chart_source
from domain.figures import MARKER_COLOURS
from domain.force_map import (COUNT_COLOURSCALE, NO_CASE_STUDY_COLOUR, count_colour, map_colours, map_shapes,
                              project)
from domain.joining import join_initiatives
from domain.loading import load_dataset
from domain.lollipop import nice_ticks, outcome_charts
from domain.state import ViewState

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
STEP = re.compile(r"([Mlz])(-?\d+)? ?(-?\d+)?")


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def shapes(dataset):
    return map_shapes(dataset.boundaries.geojson_bytes)


def absolute_points(path: str) -> list[tuple[int, int]]:
    """Every vertex of an SVG path made of `M x y`, relative `l dx dy` and `z` steps."""
    points, x, y = [], 0, 0
    for step, a, b in STEP.findall(path):
        if step == "M":
            x, y = int(a), int(b)
        elif step == "l":
            x, y = x + int(a), y + int(b)
        else:
            continue
        points.append((x, y))
    return points


def centre(path: str) -> tuple[float, float]:
    points = absolute_points(path)
    return sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)


def test_map001_every_force_of_the_boundary_file_is_drawn_in_one_box(dataset, shapes):
    assert set(shapes.paths) == set(dataset.boundaries.force_ids) and len(shapes.paths) == 43
    _, _, width, height = map(int, shapes.view_box.split())
    for force_id, path in shapes.paths.items():
        assert path.startswith("M") and path.endswith("z"), force_id
        assert "".join(s for s, _, _ in STEP.findall(path)) and not re.sub(r"[Mlz0-9 -]", "", path), force_id
        assert all(0 <= x <= width and 0 <= y <= height for x, y in absolute_points(path)), force_id


def test_map002_north_is_up_and_east_is_right(shapes):
    northumbria, devon = centre(shapes.paths["E23000007"]), centre(shapes.paths["E23000035"])
    kent, dyfed = centre(shapes.paths["E23000032"]), centre(shapes.paths["W15000004"])
    assert northumbria[1] < devon[1]  # SVG's y grows downwards: the north is drawn higher
    assert kent[0] > dyfed[0]
    # Transverse Mercator on 2°W: a degree of longitude at 52.5°N is about 0.61 of a degree of latitude.
    (x0, y0), (x1, _), (_, y2) = project(-2, 52), project(-1, 52), project(-2, 53)
    assert abs((x1 - x0) / (y2 - y0) - 0.61) < 0.02


def test_map003_neighbours_share_their_border_vertices_so_no_gap_opens(shapes):
    """Both sides of a shared border round to the same points: the Met and the City of London meet."""
    met, city = set(absolute_points(shapes.paths["E23000001"])), set(absolute_points(shapes.paths["E23000034"]))
    assert len(met & city) >= 3


def rings(path: str) -> list[list[tuple[int, int]]]:
    return [absolute_points(part + "z") for part in path.split("z") if part]


def winding(point: tuple[float, float], ring: list[tuple[int, int]]) -> int:
    """How many times `ring` winds around `point`: SVG's non-zero rule fills where the sum over rings is not 0."""
    x, y = point
    total = 0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0)
        if y0 <= y < y1 and cross > 0:
            total += 1
        elif y1 <= y < y0 and cross < 0:
            total -= 1
    return total


def test_map003b_holes_wind_against_their_exterior_so_the_force_inside_shows_and_takes_clicks(shapes):
    """SVG's non-zero fill leaves a hole open only if it winds the other way: the City of London sits in the
    Met's area, and the Met's path must not cover it (or a click there would select the Met)."""
    city = rings(shapes.paths["E23000034"])[0]
    inside = centre(shapes.paths["E23000034"])
    assert winding(inside, city) != 0
    assert sum(winding(inside, ring) for ring in rings(shapes.paths["E23000001"])) == 0


def test_map004_shapes_are_small_enough_to_travel_in_the_page(shapes):
    assert len(json.dumps(shapes.as_data())) < 120_000


def test_map005_bad_boundary_file_names_the_feature_and_the_problem():
    bad = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "E1"}, "geometry": {"type": "Point", "coordinates": [0, 51]}}]})
    with pytest.raises(ValueError, match=r"boundary file: feature 1 \(E1\): geometry type 'Point'"):
        map_shapes(bad.encode())
    with pytest.raises(ValueError, match="feature 1 has no 'id'"):
        map_shapes(json.dumps({"features": [{"properties": {}, "geometry": None}]}).encode())


def test_map006_colours_run_from_lightest_at_one_to_darkest_at_the_most(dataset):
    assert count_colour(0, 8) == NO_CASE_STUDY_COLOUR
    assert count_colour(1, 8) == COUNT_COLOURSCALE[0][1] and count_colour(8, 8) == COUNT_COLOURSCALE[-1][1]
    darkness = [sum(int(count_colour(n, 8)[i:i + 2], 16) for i in (1, 3, 5)) for n in range(1, 9)]
    assert darkness == sorted(darkness, reverse=True) and len(set(darkness)) == 8
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    colours = map_colours(force_counts(dataset, join, filter_initiatives(dataset, ViewState()), True))
    assert colours.most == 5 and colours.fills["E23000037"] == COUNT_COLOURSCALE[-1][1]
    assert len(colours.fills) == 43  # with Wales shown, its forces are drawn as forces too


@pytest.mark.parametrize(("top", "ticks"), [
    (115, (0, 50, 100)), (1_100_250, (0, 500_000, 1_000_000)), (3.4, (0, 1, 2, 3)), (12, (0, 5, 10)),
    (0.35, (0, 0.1, 0.2, 0.3)), (0, (0.0,)),
])
def test_chart001_nice_ticks_are_round_start_at_zero_and_stay_on_the_axis(top, ticks):
    assert nice_ticks(top) == ticks and len(ticks) <= 6


def test_chart002_results_charts_in_html_one_item_per_figure_with_direction_and_source(dataset):
    outcomes = [o for o in dataset.outcomes if o.initiative_id == "leicestershire-triage-car"]
    [chart] = outcome_charts(outcomes, dict(dataset.initiatives_by_id))
    assert chart.key == "percent" and chart.axis_max == 115
    drawn = lollipop(chart, chart_source(dataset))
    items, caption = drawn.children[0].children, drawn.children[1].children
    assert [item.children for item in items] == [row.label for row in chart.rows]  # "2019/20" is never broken
    values = [getattr(item, "data-value") for item in items]
    assert values == [f"{row.value_text} (fall)" for row in chart.rows]  # the direction in words, not shape alone
    assert {getattr(item, "data-marker") for item in items} == {"◀"}
    assert all(0 < float(item.style["--at"]) < 1 for item in items)
    # Each figure's reading, initiative and reference mark on hover.
    assert all(item.title.splitlines()[-1].startswith(("Ref. ", "No reference mark")) for item in items)
    assert all(item.title.splitlines()[0].startswith("a fall of ") for item in items)
    assert caption.splitlines() == ["Percent", *source_lines(chart_source(dataset))]
    assert "&amp;" not in caption and "<br>" not in caption  # the chart markup of the citation is undone


def test_chart003_html_and_image_charts_give_each_direction_one_colour():
    """A chart read on the page and the same chart saved as an image mark a fall, a rise and a level alike."""
    css = (DATA_DIR.parent / "assets" / "style.css").read_text(encoding="utf-8")
    base = re.search(r"\.lollipop-row::after \{[^}]*?[; ]color: (#[0-9a-f]{6})", css).group(1)
    drawn = {marker: re.search(rf"\.lollipop-{marker}::after {{ color: (#[0-9a-f]{{6}}); }}", css).group(1)
             for marker in ("reduction", "increase", "level")}
    assert {"count": base, **drawn} == MARKER_COLOURS
