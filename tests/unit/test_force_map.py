"""The map's shapes and colours (domain/force_map.py) and the profile's HTML charts (domain/lollipop.py,
components/charts.py) -- no browser; tests/browser/test_dashboard.py draws and clicks them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from components.charts import lollipop, source_lines
from domain.aggregation import filter_initiatives, force_counts
from domain.compare import chart_citation
from domain.figures import MARKER_COLOURS
from domain.aggregation import ForceCount
from domain.force_map import (
    MEASURES,
    NO_INITIATIVE_COLOUR,
    NO_RESULT_COLOUR,
    bin_colour,
    legend_entries,
    map_colours,
    map_shapes,
    project,
)
from domain.state import COLOUR_MEASURES
from domain.joining import join_initiatives
from domain.loading import load_dataset
from domain.lollipop import nice_ticks, outcome_charts
from domain.state import ViewState
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py
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
    bad = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"id": "E1"}, "geometry": {"type": "Point", "coordinates": [0, 51]}}
            ],
        }
    )
    with pytest.raises(ValueError, match=r"boundary file: feature 1 \(E1\): geometry type 'Point'"):
        map_shapes(bad.encode())
    with pytest.raises(ValueError, match="feature 1 has no 'id'"):
        map_shapes(json.dumps({"features": [{"properties": {}, "geometry": None}]}).encode())


def force(force_id: str, count: int, themes: int = 0, results: int = 0) -> ForceCount:
    """A force's counts, built in code: the bins' rule must hold for any data, not today's."""
    return ForceCount(
        force_id, f"Force {force_id}", count, tuple((f"Theme {n}", 1) for n in range(themes)), results=results
    )


def test_map006_bins_are_fixed_and_darken_with_the_value():
    assert bin_colour(0, "initiatives") == NO_INITIATIVE_COLOUR
    for measure in COLOUR_MEASURES:
        colours = [bin_colour(v, measure) for v in range(1, 12)]
        darkness = [sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours]
        assert darkness == sorted(darkness, reverse=True)  # never lighter for more
    # The same count has the same colour whatever else is on the map: screenshots can be compared.
    alone = map_colours([force("a", 2), force("b", 0)])
    beside_more = map_colours([force("a", 2), force("b", 8)])
    assert alone.fills["a"] == beside_more.fills["a"] == bin_colour(2, "initiatives")


def test_map007_the_key_names_only_values_the_map_has():
    """Before: the key read '1 \u25ac 2' under a filter where no force had 2, and again with nothing matching."""
    entries = legend_entries([1, 1, 0, 0, 0], "initiatives", filtered=True)
    assert [(e.label, e.forces) for e in entries] == [("1 initiative", 2), ("No initiative matches your filters", 3)]
    assert not any("2" in e.label for e in entries)
    nothing = legend_entries([0, 0, 0], "initiatives", filtered=True)
    assert [(e.label, e.forces, e.colour) for e in nothing] == [
        ("No initiative matches your filters", 3, NO_INITIATIVE_COLOUR)
    ]
    unfiltered = legend_entries([8, 3, 4, 1, 0], "initiatives", filtered=False)
    assert [e.label for e in unfiltered] == [
        "1 initiative",
        "3\u20134 initiatives",
        "5 or more initiatives",
        "No initiative in the 2016 paper",
    ]
    assert [e.forces for e in unfiltered] == [1, 2, 1, 1]


@pytest.mark.parametrize("values", [[], [0], [1], [2, 2], [1, 5, 9], [3, 0, 7, 12], list(range(15))])
@pytest.mark.parametrize("measure", COLOUR_MEASURES)
def test_map008_every_key_entry_holds_a_force_and_every_force_an_entry(values, measure):
    entries = legend_entries(values, measure, filtered=False)
    assert all(e.forces > 0 for e in entries) and sum(e.forces for e in entries) == len(values)
    colours = {bin_colour(v, measure) for v in values}
    assert {e.colour for e in entries} == colours


def test_map009_colour_by_themes_or_results_has_its_own_key_and_tooltip():
    counts = [force("a", 3, themes=5, results=0), force("b", 1, themes=1, results=2), force("c", 0)]
    themes = map_colours(counts, "themes")
    assert themes.fills["a"] == bin_colour(5, "themes") and themes.labels["a"][2] == "5 themes covered"
    assert [e.label for e in themes.legend] == ["1\u20132 themes", "5\u20136 themes", "No initiative in the 2016 paper"]
    results = map_colours(counts, "results", filtered=True)
    # Trial 18 (medium): initiatives but no result among them were the grey of an area with none at all.
    assert results.fills["a"] == NO_RESULT_COLOUR and results.fills["c"] == NO_INITIATIVE_COLOUR
    assert NO_RESULT_COLOUR not in (NO_INITIATIVE_COLOUR, *(b.colour for b in MEASURES["results"].bins))
    assert results.labels["a"][2] == "No result matches your filters" and results.labels["b"][2] == "2 results reported"
    assert [(e.label, e.forces) for e in results.legend] == [
        ("2\u20133 results", 1),
        ("Matching initiatives, no result among them", 1),
        ("No initiative matches your filters", 1),
    ]
    unfiltered = map_colours(counts, "results", filtered=False)
    assert unfiltered.legend[1].label == "Initiatives, no result in the 2016 paper"
    assert results.counts == {"a": 3, "b": 1, "c": 0}  # what the page's data-count says: initiatives, always
    assert set(MEASURES) == set(COLOUR_MEASURES)


def test_map010_a_grey_force_says_none_matches_under_filters_and_none_in_the_paper_without():
    """Before: 'No initiative in the 2016 paper' in the tooltip of a force whose initiatives the filters hid."""
    assert map_colours([force("a", 0)], filtered=True).labels["a"][1] == "No initiative matches your filters"
    assert map_colours([force("a", 0)], filtered=False).labels["a"][1] == "No initiative in the 2016 paper"


def test_map011_the_real_map_colours_each_force_by_its_bin(dataset):
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    counts = force_counts(dataset, join, filter_initiatives(dataset, ViewState()), True)
    colours = map_colours(counts)
    top = max(counts, key=lambda c: c.count)
    assert colours.fills[top.force_id] == bin_colour(top.count, "initiatives")
    assert len(colours.fills) == 43  # with Wales shown, its forces are drawn as forces too


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (115, (0, 50, 100)),
        (1_100_250, (0, 500_000, 1_000_000)),
        (3.4, (0, 1, 2, 3)),
        (12, (0, 5, 10)),
        (0.35, (0, 0.1, 0.2, 0.3)),
        (0, (0.0,)),
    ],
)
def test_chart001_nice_ticks_are_round_start_at_zero_and_stay_on_the_axis(top, ticks):
    assert nice_ticks(top) == ticks and len(ticks) <= 6


def test_chart002_results_charts_in_html_one_item_per_figure_with_direction_and_source(dataset):
    outcomes = [o for o in dataset.outcomes if o.initiative_id == "leicestershire-triage-car"]
    # A fall in a rate and a fall in a number of events: each on a percent axis of its own.
    charts = outcome_charts(outcomes, dict(dataset.initiatives_by_id))
    assert [c.key for c in charts] == ["falls-rate", "falls-number"] and {c.axis_max for c in charts} == {115}
    chart = charts[1]
    drawn = lollipop(chart, chart_citation(dataset))
    items, caption = drawn.children[0].children, drawn.children[1].children
    assert [item.children for item in items] == [row.label for row in chart.rows]  # "2019/20" is never broken
    values = [getattr(item, "data-value") for item in items]
    assert values == [f"{row.value_text} (fall)" for row in chart.rows]  # the direction in words, not shape alone
    assert {getattr(item, "data-marker") for item in items} == {"◀"}
    assert all(0 < float(item.style["--at"]) < 1 for item in items)
    # Each figure's reading, initiative and reference mark on hover.
    assert all(item.title.splitlines()[-1].startswith(("Ref. ", "No reference mark")) for item in items)
    assert all(item.title.splitlines()[0].startswith("a fall of ") for item in items)
    assert caption.splitlines() == ["Fall in a number of events (%)", *source_lines(chart_citation(dataset))]
    assert "&amp;" not in caption and "<br>" not in caption  # the chart markup of the citation is undone


def test_chart003_html_and_image_charts_give_each_direction_one_colour():
    """A chart read on the page and the same chart saved as an image mark a fall, a rise and a level alike."""
    css = (Path(__file__).resolve().parents[2] / "assets" / "style.css").read_text(encoding="utf-8")
    base = re.search(r"\.lollipop-row::after \{[^}]*?[; ]color: (#[0-9a-f]{6})", css).group(1)
    drawn = {
        marker: re.search(rf"\.lollipop-{marker}::after {{ color: (#[0-9a-f]{{6}}); }}", css).group(1)
        for marker in ("reduction", "increase", "level")
    }
    assert {"count": base, **drawn} == MARKER_COLOURS
