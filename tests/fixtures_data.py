"""A small dataset built in code, for behaviour tests: they test the rule, not today's curated content.

The records are the project's own types (domain.schema), written as the data files and read back with
`domain.loading.load_dataset`, so the fixture passes every check the real data must pass, cross-file rules
included, and a test can build an app from it (`create_app(Settings(), small_dataset())`) or serve the
folder (`small_data_dir()`). Data tests (tests/unit/test_dataset.py, test_data_truth.py, ...) read the real
`data/` instead: that is their point.

What the fixture holds, so a test can name it (the facts below are checked in tests/unit/test_fixtures_data.py):
- nine English force areas and one Welsh one, with real ids and names, and British Transport Police;
- Gloucestershire with three initiatives (several), Leicestershire with one, the Met, Cumbria, Kent, Devon &
  Cornwall and Dorset with none;
- work placed in two forces (Durham and Northumbria), regional work for the North East, national work,
  British Transport Police's work, and South Wales's work (off the map while Wales is hidden);
- figures: a fall in a rate and a fall in a number of events, a saving derived from the fall, a level in
  percent, an activity count with no period (a figure with a blank year), and a background figure.
"""

from __future__ import annotations

import atexit
import csv
import functools
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from domain.loading import Dataset, load_dataset
from domain.schema import HEADERS, LIST_SEPARATOR, CaseStudy, Force, Initiative, InventoryEntry, Outcome, Theme

VERSION, VERSION_DATE = "9.9.9", "2030-01-01"
ATTRIBUTION = "Test boundaries, drawn as boxes in code"

METROPOLITAN, CUMBRIA, NORTHUMBRIA, DURHAM = "E23000001", "E23000002", "E23000007", "E23000008"
LEICESTERSHIRE, KENT, GLOUCESTERSHIRE = "E23000021", "E23000032", "E23000037"
DEVON_AND_CORNWALL, DORSET = "E23000035", "E23000039"
SOUTH_WALES, BTP = "W15000003", "british-transport-police"
# (id, name, short name, region, column and row of its box on a small grid of the country, aliases)
FORCES = (
    (METROPOLITAN, "Metropolitan Police Service", "Metropolitan Police", "London", (3, 3), "the Met|Met|MPS"),
    (CUMBRIA, "Cumbria Constabulary", "Cumbria", "North West", (1, 0), "Cumbria Police"),
    (NORTHUMBRIA, "Northumbria Police", "Northumbria", "North East", (2, 0), ""),
    (DURHAM, "Durham Constabulary", "Durham", "North East", (2, 1), "Durham Police"),
    (LEICESTERSHIRE, "Leicestershire Police", "Leicestershire", "East Midlands", (2, 2), "Leicestershire Constabulary"),
    (KENT, "Kent Police", "Kent", "South East", (4, 3), "Kent Constabulary"),
    (
        GLOUCESTERSHIRE,
        "Gloucestershire Constabulary",
        "Gloucestershire",
        "South West",
        (1, 3),
        "Gloucestershire Police",
    ),
    (DEVON_AND_CORNWALL, "Devon & Cornwall Police", "Devon & Cornwall", "South West", (0, 4), "Devon and Cornwall"),
    (DORSET, "Dorset Police", "Dorset", "South West", (1, 4), "Dorset Constabulary"),
    (SOUTH_WALES, "South Wales Police", "South Wales", "Wales", (0, 3), "South Wales Constabulary"),
)

THEMES = (
    ("mental-health", "Mental health", "core topic"),
    ("dementia", "Dementia", "core topic"),
    ("drugs-alcohol", "Drugs and alcohol", "core topic"),
    ("early-intervention", "Early intervention/prevention", "broader theme"),
)

CASE_STUDIES = (
    ("glos-study", "case study", "Gloucestershire study", "Case study: Gloucestershire"),
    ("leics-study", "case study", "Leicestershire study", "Case study: Leicestershire"),
    ("north-east-study", "case study", "North East study", "Case study: North East"),
    ("national-work", "national section", "National work", "National work"),
    ("wales-study", "case study", "South Wales study", "Case study: South Wales"),
)

# (id, title, case study, scope, force ids, place, themes, evaluation, search words in the summary)
INITIATIVES = (
    (
        "glos-horses",
        "Horse course",
        "glos-study",
        "force",
        (GLOUCESTERSHIRE,),
        "Gloucester",
        ("mental-health", "early-intervention"),
        "evaluation reported",
        "riding for young people",
    ),
    (
        "glos-memory",
        "Memory cafe",
        "glos-study",
        "force",
        (GLOUCESTERSHIRE,),
        "Cheltenham",
        ("dementia", "early-intervention"),
        "none reported",
        "a cafe for people with dementia",
    ),
    (
        "glos-alcohol",
        "Night time alcohol work",
        "glos-study",
        "force",
        (GLOUCESTERSHIRE,),
        "Gloucester",
        ("drugs-alcohol",),
        "none reported",
        "licensing visits at night",
    ),
    (
        "leics-triage",
        "Triage car",
        "leics-study",
        "force",
        (LEICESTERSHIRE,),
        "Leicester",
        ("mental-health",),
        "none reported",
        "a triage car with a nurse on board",
    ),
    (
        "north-east-licensing",
        "Alcohol licensing",
        "north-east-study",
        "multi-force",
        (NORTHUMBRIA, DURHAM),
        "Northumbria and Durham",
        ("drugs-alcohol",),
        "none reported",
        "licensing work shared by two forces",
    ),
    (
        "north-east-training",
        "Brief advice training",
        "north-east-study",
        "regional",
        (),
        "North East (forces not named)",
        ("drugs-alcohol", "early-intervention"),
        "none reported",
        "training",
    ),
    (
        "national-liaison",
        "Liaison and diversion",
        "national-work",
        "national",
        (),
        "England",
        ("mental-health",),
        "monitoring or early findings reported",
        "liaison at custody suites",
    ),
    (
        "btp-suicide",
        "Suicide prevention on the railway",
        "national-work",
        "non-territorial",
        (BTP,),
        "Railway network",
        ("mental-health",),
        "none reported",
        "railway staff trained",
    ),
    (
        "wales-ace",
        "Childhood adversity work",
        "wales-study",
        "force",
        (SOUTH_WALES,),
        "Cardiff",
        ("early-intervention",),
        "none reported",
        "work on adverse childhood experiences",
    ),
)

# (id, initiative, case study, measure, value, unit, direction, kind, period, design or caveat)
OUTCOMES = (
    (
        "fig-rate",
        "glos-horses",
        "glos-study",
        "Reoffending rate",
        94,
        "percent",
        "reduction",
        "result",
        "2015",
        "before and after, no comparison group",
    ),
    (
        "fig-number",
        "glos-horses",
        "glos-study",
        "Arrests",
        33,
        "percent",
        "reduction",
        "result",
        "2015",
        "the service's own figures",
    ),
    (
        "fig-saving",
        "glos-horses",
        "glos-study",
        "Saving",
        815000,
        "GBP",
        "level",
        "derived from a result",
        "2015",
        "A saving derived from the fall in reoffending.",
    ),
    (
        "fig-level",
        "national-liaison",
        "national-work",
        "People seen who were referred",
        1,
        "percent",
        "level",
        "result",
        "2014",
        "the service's own figures",
    ),
    (
        "fig-activity",
        "leics-triage",
        "leics-study",
        "People seen",
        631,
        "count",
        "level",
        "activity or parameter",
        "",
        "",
    ),
    (
        "fig-background",
        None,
        "national-work",
        "People in custody with a mental illness",
        39,
        "percent",
        "level",
        "background",
        "2013",
        "",
    ),
)

QUALIFIERS = {"fig-saving": "more than"}


def force(id_: str, name: str, short_name: str, region: str, aliases: str = "", population: int | None = None) -> Force:
    """A territorial force; in Wales when its region is."""
    welsh = region == "Wales"
    return Force(
        id=id_,
        name=name,
        short_name=short_name,
        kind="territorial",
        country="Wales" if welsh else "England",
        region=region,
        area_km2=1000.0,
        population_mid_2018=population or 500_000 + 1000 * int(id_[-2:]),
        aliases=aliases,
    )


def initiative(
    id_: str,
    force_ids: Iterable[str] = (),
    themes: Iterable[str] = ("mental-health",),
    scope: str = "force",
    **fields: object,
) -> Initiative:
    """One initiative; any field can be given (title, case_study, place, evaluation, summary, ...)."""
    values: dict[str, object] = {
        "id": id_,
        "title": f"Initiative {id_}",
        "case_study": "cs",
        "scope": scope,
        "force_ids": tuple(force_ids),
        "place": "Somewhere",
        "lead_organisations": ("Lead",),
        "themes": tuple(themes),
        "kind_of_work": "programme",
        "stage": "running",
        "evaluation": "none reported",
        "summary": "A summary that is long enough.",
        "section": "S",
    }
    return Initiative.model_validate({**values, **fields})


def outcome(id_: str, initiative_id: str | None, value: float, **fields: object) -> Outcome:
    """One figure, a result in percent unless said otherwise."""
    values: dict[str, object] = {
        "id": id_,
        "initiative_id": initiative_id,
        "case_study": "cs",
        "measure": f"Measure {id_}",
        "value": value,
        "unit": "percent",
        "direction": "reduction",
        "kind": "result",
        "design": "before and after, no comparison group",
        "section": "S",
    }
    return Outcome.model_validate({**values, **fields})


def _section(case_study: str) -> str:
    return next(c[3] for c in CASE_STUDIES if c[0] == case_study)


def small_records() -> dict[str, tuple[BaseModel, ...]]:
    """The fixture's records by data file, built with the project's own record types."""
    btp = Force(
        id=BTP,
        name="British Transport Police",
        short_name="British Transport Police",
        kind="non-territorial",
        country="Great Britain",
        region="",
        aliases="BTP|Transport Police",
    )
    initiatives = tuple(
        initiative(
            id_,
            forces,
            themes,
            scope,
            title=title,
            case_study=study,
            place=place,
            evaluation=evaluation,
            summary=f"{title}: {words}, as the study describes it.",
            section=_section(study),
        )
        for id_, title, study, scope, forces, place, themes, evaluation, words in INITIATIVES
    )
    outcomes = tuple(
        outcome(
            id_,
            initiative_id,
            value,
            case_study=study,
            measure=measure,
            unit=unit,
            direction=direction,
            kind=kind,
            period=period,
            qualifier=QUALIFIERS.get(id_, ""),
            design=words if kind == "result" else "",
            caveat=words if kind == "derived from a result" else "",
            section=_section(study),
        )
        for id_, initiative_id, study, measure, value, unit, direction, kind, period, words in OUTCOMES
    )
    inventory = tuple(
        InventoryEntry(
            name=i.title,
            kind="programme",
            case_study=i.case_study,
            paper_phrase=i.title.lower(),
            decision="own row",
            initiative_id=i.id,
            rule="piece of work",
        )
        for i in initiatives
    )
    return {
        "forces.csv": (*(force(f[0], f[1], f[2], f[3], f[5]) for f in FORCES), btp),
        "themes.csv": tuple(
            Theme(id=t, label=label, kind=kind, description=f"About {label}.") for t, label, kind in THEMES
        ),
        "case_studies.csv": tuple(CaseStudy(id=c, kind=k, title=t, section=s) for c, k, t, s in CASE_STUDIES),
        "initiatives.csv": initiatives,
        "outcomes.csv": outcomes,
        "inventory.csv": inventory,
    }


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _box(column: int, row: int) -> dict:
    """A square force area on a grid over England: one degree wide, north up, its ring clockwise."""
    west, north = -5.0 + column, 55.0 - row
    ring = [[west, north], [west + 1, north], [west + 1, north - 1], [west, north - 1], [west, north]]
    return {"type": "Polygon", "coordinates": [ring]}


def write_data_dir(folder: Path, records: dict[str, tuple[BaseModel, ...]] | None = None) -> Path:
    """Write the records (by default the small fixture's) as a data folder the app can load."""
    records = small_records() if records is None else records
    (folder / "geo").mkdir(parents=True, exist_ok=True)
    for name, rows in records.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS[name])
            writer.writerows([_cell(getattr(r, column)) for column in HEADERS[name]] for r in rows)
    (folder / "dataset.json").write_text(json.dumps({"version": VERSION, "date": VERSION_DATE}), encoding="utf-8")
    features = [
        {"type": "Feature", "properties": {"id": id_, "name": name}, "geometry": _box(*cell)}
        for id_, name, _short, _region, cell, _aliases in FORCES
    ]
    geojson = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    (folder / "geo" / "police_force_areas.geojson").write_bytes(geojson)
    manifest = {"attribution": ATTRIBUTION, "output": {"sha256": hashlib.sha256(geojson).hexdigest()}}
    (folder / "geo" / "police_force_areas.manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@functools.cache
def small_data_dir() -> Path:
    """The small fixture as a data folder, written once per test session (a temporary folder)."""
    parent = Path(tempfile.mkdtemp(prefix="pph-small-data-"))
    atexit.register(shutil.rmtree, parent, ignore_errors=True)
    return write_data_dir(parent / "data")


@functools.cache
def small_dataset() -> Dataset:
    """The small fixture, validated by the loader the real data goes through."""
    return load_dataset(small_data_dir())
