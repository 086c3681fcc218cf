"""Loading layer: reads the CSV files and boundaries, validates them, returns an immutable Dataset.

This is the only runtime module that touches the filesystem. Every problem is collected and
reported at once as `file:row:column: what is wrong and what is allowed`; nothing is dropped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from domain.rules import (
    resolve_force_refs,
    territorial_forces_in_non_territorial,
    unknown_force_message,
    unknown_theme_message,
    unknown_themes,
)
from domain.schema import (
    DERIVED_KIND,
    HEADERS,
    PAPER,
    CaseStudy,
    Force,
    Initiative,
    InventoryEntry,
    Note,
    Outcome,
    Provenance,
    Theme,
)

DATA_FILES = ("forces.csv", "themes.csv", "case_studies.csv", "initiatives.csv", "outcomes.csv", "inventory.csv")
GEOJSON_NAME = "geo/police_force_areas.geojson"
MANIFEST_NAME = "geo/police_force_areas.manifest.json"
DATASET_META_NAME = "dataset.json"
# The project's copy of the ONS district -> police force area lookup (pipelines/boundaries.py builds the map from
# it): read here for the districts' names, which the Force lists' search also finds a force by ("Bristol", "Leeds").
DISTRICTS_NAME = "geo/district_to_force.csv"
DISTRICT_COLUMNS = (
    "district_code_2011",
    "district_code_2017",
    "district_name",
    "lsoa_name_prefix",
    "force_code",
    "force_name",
    "country",
)

RecordT = TypeVar("RecordT", bound=BaseModel)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class DataValidationError(Exception):
    """The data files are invalid; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(sorted(problems))
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{len(self.problems)} problem(s) in the data files:"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class BoundaryFile:
    """The force polygons as served to the browser, plus what the app needs to know of them."""

    geojson_bytes: bytes
    force_ids: frozenset[str]
    attribution: str
    sha256: str

    @property
    def credit(self) -> str:
        """The attribution as it reads after "Boundaries: ": the manifest's text opens with a "Source: " of its own."""
        return re.sub(r"^\s*source:\s*", "", self.attribution, flags=re.IGNORECASE)


@dataclass(frozen=True)
class Dataset:
    forces: tuple[Force, ...]
    themes: tuple[Theme, ...]
    initiatives: tuple[Initiative, ...]
    outcomes: tuple[Outcome, ...]
    version: str
    version_date: str
    boundaries: BoundaryFile | None = None
    case_studies: tuple[CaseStudy, ...] = ()
    inventory: tuple[InventoryEntry, ...] = ()
    # Register records folded in at run time (domain.register): their source, and notes on paper records.
    provenance: Mapping[str, Provenance] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[Note, ...] = ()
    # Published register records that no longer validate: named here and logged, never silently lost.
    register_problems: tuple[str, ...] = ()
    # Each force area's local authority districts by name (load_places): what else its name is searched by.
    places: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    forces_by_id: Mapping[str, Force] = field(init=False, repr=False, compare=False)
    themes_by_id: Mapping[str, Theme] = field(init=False, repr=False, compare=False)
    case_studies_by_id: Mapping[str, CaseStudy] = field(init=False, repr=False, compare=False)
    initiatives_by_id: Mapping[str, Initiative] = field(init=False, repr=False, compare=False)
    force_aliases: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "forces_by_id", MappingProxyType({f.id: f for f in self.forces}))
        object.__setattr__(self, "themes_by_id", MappingProxyType({t.id: t for t in self.themes}))
        object.__setattr__(self, "case_studies_by_id", MappingProxyType({c.id: c for c in self.case_studies}))
        object.__setattr__(self, "initiatives_by_id", MappingProxyType({i.id: i for i in self.initiatives}))
        object.__setattr__(self, "force_aliases", MappingProxyType(force_alias_index(self.forces)))

    def provenance_of(self, initiative_id: str) -> Provenance:
        return self.provenance.get(initiative_id, PAPER)

    def notes_on(self, initiative_id: str) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.about_id == initiative_id)


@dataclass(frozen=True)
class RawRow:
    line: int
    values: dict[str, str]


def _decode(path: Path, raw: bytes, label: str, problems: list[Problem]) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column_index = before[line_start:].count(b",")
        header = HEADERS.get(path.name, ())
        column = header[column_index] if column_index < len(header) else f"column {column_index + 1}"
        problems.append(
            Problem(label, line, column, f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")
        )
        return None


def read_csv(path: Path, label: str, problems: list[Problem], expected: tuple[str, ...] | None = None) -> list[RawRow]:
    """Rows of a CSV file as dicts keyed by the expected header (the file's own in HEADERS unless `expected`
    names an older one, as the register's import reads), or [] after recording problems."""
    if not path.is_file():
        problems.append(Problem(label, 0, "-", "file is missing"))
        return []
    text = _decode(path, path.read_bytes(), label, problems)
    if text is None:
        return []
    expected = expected or HEADERS[path.name]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(label, 1, "-", f"file is empty; expected the header {','.join(expected)}"))
        return []
    except csv.Error as exc:
        problems.append(Problem(label, 1, "-", f"cannot parse the header: {exc}"))
        return []
    header = [h.strip() for h in header]
    if tuple(header) != expected:
        missing = [c for c in expected if c not in header]
        unexpected = [c for c in header if c not in expected]
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if unexpected:
            detail.append(f"unexpected {', '.join(repr(c) for c in unexpected)}")
        if not detail:
            detail.append("columns are out of order")
        problems.append(
            Problem(label, 1, "header", f"wrong header ({'; '.join(detail)}); expected {','.join(expected)}")
        )
        return []
    rows: list[RawRow] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(label, start, "-", f"cannot parse the row: {exc}"))
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # a blank line holds no data
        if len(cells) != len(expected):
            problems.append(Problem(label, start, "-", f"row has {len(cells)} fields, the header has {len(expected)}"))
            continue
        rows.append(RawRow(start, dict(zip(expected, cells, strict=True))))
    return rows


def _describe(error: Mapping[str, Any]) -> tuple[str, str]:
    loc = error.get("loc") or ()
    ctx = error.get("ctx") or {}
    column = str(loc[0]) if loc else str(ctx.get("column", "-"))
    message = error["msg"]
    if error["type"] == "literal_error":
        message = f"{error['input']!r} is not allowed; {message[0].lower()}{message[1:]}"
    elif error["type"] in {"float_parsing", "int_parsing"}:
        message = f"{error['input']!r} is not a number"
    elif error["type"] == "string_too_short" and not error.get("input"):
        message = "is required"
    return column, message


def validate_rows(
    rows: list[RawRow], model: type[RecordT], label: str, problems: list[Problem]
) -> list[tuple[RawRow, RecordT]]:
    valid: list[tuple[RawRow, RecordT]] = []
    for row in rows:
        try:
            valid.append((row, model.model_validate(row.values)))
        except ValidationError as exc:
            for error in exc.errors():
                column, message = _describe(error)
                problems.append(Problem(label, row.line, column, message))
    return valid


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


class _LinksInitiative(Protocol):
    @property
    def initiative_id(self) -> str | None: ...


class _InCaseStudy(Protocol):
    @property
    def case_study(self) -> str: ...


class _CitesSection(_InCaseStudy, Protocol):
    @property
    def section(self) -> str: ...


def _check_unique_ids(pairs: Sequence[tuple[RawRow, _HasId]], label: str, problems: list[Problem]) -> None:
    first_line: dict[str, int] = {}
    for row, record in pairs:
        rid = record.id
        if rid in first_line:
            problems.append(
                Problem(label, row.line, "id", f"duplicate id {rid!r}; first used on row {first_line[rid]}")
            )
        else:
            first_line[rid] = row.line


def force_alias_index(forces: Iterable[Force]) -> dict[str, str]:
    """Lower-cased id, name, short name and aliases -> force id."""
    index: dict[str, str] = {}
    for force in forces:
        for key in (force.id, force.name, force.short_name, *force.aliases):
            index.setdefault(key.casefold(), force.id)
    return index


def _raw_alias_index(rows: list[RawRow]) -> dict[str, str]:
    """Like force_alias_index, from raw rows: a force row with another problem still names a force,
    so initiatives that cite it are not reported a second time."""
    index: dict[str, str] = {}
    for row in rows:
        names = [row.values["id"], row.values["name"], row.values["short_name"], *row.values["aliases"].split("|")]
        for name in names:
            if name.strip():
                index.setdefault(name.strip().casefold(), row.values["id"].strip())
    return index


def _raw_ids(rows: list[RawRow]) -> set[str]:
    return {row.values["id"].strip() for row in rows}


def _check_alias_clashes(pairs: list[tuple[RawRow, Force]], label: str, problems: list[Problem]) -> None:
    owner: dict[str, str] = {}
    for row, force in pairs:
        for alias in {a.casefold() for a in (force.name, force.short_name, *force.aliases)}:
            if owner.setdefault(alias, force.id) != force.id:
                problems.append(
                    Problem(
                        label,
                        row.line,
                        "aliases",
                        f"alias {alias!r} also names force {owner[alias]}; aliases must be unique",
                    )
                )


def _resolve_forces(
    pairs: list[tuple[RawRow, Initiative]],
    aliases: Mapping[str, str],
    forces_by_id: Mapping[str, Force],
    label: str,
    problems: list[Problem],
    forces_complete: bool,
) -> list[Initiative]:
    resolved: list[Initiative] = []
    for row, initiative in pairs:
        ids, unknown = resolve_force_refs(initiative.force_ids, aliases)
        if forces_complete:
            problems.extend(Problem(label, row.line, "force_ids", unknown_force_message(ref)) for ref in unknown)
        territorial = territorial_forces_in_non_territorial(initiative.scope, ids, forces_by_id)
        if territorial:
            problems.append(
                Problem(
                    label,
                    row.line,
                    "force_ids",
                    f"scope 'non-territorial' lists territorial force(s) {', '.join(territorial)}",
                )
            )
        resolved.append(initiative.model_copy(update={"force_ids": ids}))
    return resolved


def _check_themes(
    pairs: list[tuple[RawRow, Initiative]], theme_ids: set[str], label: str, problems: list[Problem]
) -> None:
    for row, initiative in pairs:
        for theme in unknown_themes(initiative.themes, theme_ids):
            problems.append(Problem(label, row.line, "themes", unknown_theme_message(theme, theme_ids)))


def _check_initiative_links(
    pairs: Sequence[tuple[RawRow, _LinksInitiative]],
    initiative_ids: set[str],
    label: str,
    problems: list[Problem],
    advice: str,
) -> None:
    """Every `initiative_id` a record gives names a row of initiatives.csv."""
    for row, record in pairs:
        initiative_id = record.initiative_id
        if initiative_id is not None and initiative_id not in initiative_ids:
            problems.append(
                Problem(label, row.line, "initiative_id", f"no initiative has id {initiative_id!r}; {advice}")
            )


def _check_case_study_links(
    pairs: Sequence[tuple[RawRow, _InCaseStudy]], case_study_ids: set[str], label: str, problems: list[Problem]
) -> None:
    for row, record in pairs:
        case_study = record.case_study
        if case_study not in case_study_ids:
            problems.append(
                Problem(
                    label,
                    row.line,
                    "case_study",
                    f"no case study or national section has id {case_study!r}; use an id from case_studies.csv",
                )
            )


def _check_outcome_case_studies(
    pairs: list[tuple[RawRow, Outcome]],
    initiative_rows: list[RawRow],
    case_study_ids: set[str],
    label: str,
    problems: list[Problem],
) -> None:
    """A figure sits in the same case study as the initiative it measures. An initiative whose own
    case study is unknown is reported once, on its own row, not again on each of its figures."""
    case_study_of = {r.values["id"].strip(): r.values["case_study"].strip() for r in initiative_rows}
    for row, outcome in pairs:
        expected = case_study_of.get(outcome.initiative_id or "")
        if expected and expected in case_study_ids and expected != outcome.case_study:
            problems.append(
                Problem(
                    label,
                    row.line,
                    "case_study",
                    f"{outcome.case_study!r} differs from {expected!r}, the case study of initiative {outcome.initiative_id!r}",
                )
            )


def _check_results_say_how_obtained(pairs: list[tuple[RawRow, Outcome]], label: str, problems: list[Problem]) -> None:
    """Every result says how it was obtained, as far as the paper says: a chart of results without it
    reads as evidence of an effect that nobody measured."""
    for row, outcome in pairs:
        if outcome.is_result and not outcome.design:
            problems.append(
                Problem(
                    label,
                    row.line,
                    "design",
                    "a result needs its design: how the paper says it was obtained, e.g. 'before and "
                    "after, no comparison group' or 'the service's own figures'",
                )
            )


def _check_derived_figures_have_their_result(
    pairs: list[tuple[RawRow, Outcome]], label: str, problems: list[Problem]
) -> None:
    """A figure derived from a result restates it (fig-033 from fig-032), so the result must be there too.
    Checked last, and only when nothing else is wrong in the figures file: one mistake is reported once."""
    if any(p.file == label for p in problems):
        return
    with_results = {o.initiative_id for _, o in pairs if o.is_result}
    for row, outcome in pairs:
        if outcome.kind == DERIVED_KIND and outcome.initiative_id not in with_results:
            problems.append(
                Problem(
                    label,
                    row.line,
                    "kind",
                    f"a figure derived from a result needs that result: initiative "
                    f"{outcome.initiative_id!r} has no figure of kind 'result'",
                )
            )


def _check_unit_of_record(pairs: list[tuple[RawRow, Initiative]], label: str, problems: list[Problem]) -> None:
    """A curated row is a piece of work the paper describes, with the kind it is (docs/data-dictionary.md):
    a possibility the paper only raises belongs in inventory.csv (rule 'possibility'), never in a row."""
    for row, initiative in pairs:
        if initiative.stage == "proposed":
            problems.append(
                Problem(
                    label,
                    row.line,
                    "stage",
                    "'proposed' is a possibility, not a row of the paper's work; record it in "
                    "inventory.csv with rule 'possibility'",
                )
            )
        if initiative.kind_of_work == "not stated":
            problems.append(
                Problem(
                    label,
                    row.line,
                    "kind_of_work",
                    "say what kind of work the paper describes; 'not stated' is only for register "
                    "records sent before 3.0.0",
                )
            )


def _check_sections(
    pairs: Sequence[tuple[RawRow, _CitesSection]], sections: Mapping[str, str], label: str, problems: list[Problem]
) -> None:
    """A record cites the heading of its own case study or section, exactly as case_studies.csv has it."""
    for row, record in pairs:
        expected = sections.get(record.case_study)
        if expected is not None and record.section != expected:
            problems.append(
                Problem(
                    label,
                    row.line,
                    "section",
                    f"{record.section!r} is not the heading of its case study {record.case_study!r}: {expected!r}",
                )
            )


def _dataset_meta(data_dir: Path, problems: list[Problem], label: str) -> tuple[str, str]:
    path = data_dir / DATASET_META_NAME
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        return str(meta["version"]), str(meta["date"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.append(Problem(label, 1, "-", f"needs a JSON object with 'version' and 'date' ({exc})"))
        return "", ""


def load_boundaries(data_dir: Path, problems: list[Problem]) -> BoundaryFile | None:
    geo_label, manifest_label = f"{data_dir.name}/{GEOJSON_NAME}", f"{data_dir.name}/{MANIFEST_NAME}"
    try:
        payload = (data_dir / GEOJSON_NAME).read_bytes()
        manifest = json.loads((data_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        features = json.loads(payload)["features"]
        ids = frozenset(f["properties"]["id"] for f in features)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.append(
            Problem(
                geo_label, 0, "-", f"cannot read the boundaries ({exc}); rebuild with python -m pipelines.boundaries"
            )
        )
        return None
    digest = hashlib.sha256(payload).hexdigest()
    if digest != manifest.get("output", {}).get("sha256"):
        problems.append(
            Problem(
                manifest_label,
                0,
                "output.sha256",
                "does not match the geojson file; rebuild with python -m pipelines.boundaries",
            )
        )
    return BoundaryFile(payload, ids, manifest.get("attribution", ""), digest)


def load_places(data_dir: Path, force_ids: Collection[str], problems: list[Problem]) -> Mapping[str, tuple[str, ...]]:
    """Each force area's districts by their names ("Bristol", from the ONS "Bristol, City of"). A data folder
    without the lookup has none (the test datasets); one with it must name a known force on every row."""
    path = data_dir / DISTRICTS_NAME
    if not path.is_file():
        return MappingProxyType({})
    label = f"{data_dir.name}/{DISTRICTS_NAME}"
    places: dict[str, list[str]] = {}
    for row in read_csv(path, label, problems, DISTRICT_COLUMNS):
        name, force = row.values["district_name"].strip(), row.values["force_code"].strip()
        if not name:
            problems.append(Problem(label, row.line, "district_name", "is empty: every district has a name"))
        elif force not in force_ids:
            problems.append(Problem(label, row.line, "force_code", f"{force!r} is not a force of forces.csv"))
        else:
            places.setdefault(force, []).append(name.split(",")[0].strip())
    return MappingProxyType({force: tuple(names) for force, names in places.items()})


def load_dataset(data_dir: Path) -> Dataset:
    """Read and validate every data file; raise DataValidationError listing all problems."""
    problems: list[Problem] = []
    labels = {name: f"{data_dir.name}/{name}" for name in DATA_FILES}
    raw = {name: read_csv(data_dir / name, labels[name], problems) for name in DATA_FILES}

    force_pairs = validate_rows(raw["forces.csv"], Force, labels["forces.csv"], problems)
    theme_pairs = validate_rows(raw["themes.csv"], Theme, labels["themes.csv"], problems)
    case_study_pairs = validate_rows(raw["case_studies.csv"], CaseStudy, labels["case_studies.csv"], problems)
    initiative_pairs = validate_rows(raw["initiatives.csv"], Initiative, labels["initiatives.csv"], problems)
    outcome_pairs = validate_rows(raw["outcomes.csv"], Outcome, labels["outcomes.csv"], problems)
    inventory_pairs = validate_rows(raw["inventory.csv"], InventoryEntry, labels["inventory.csv"], problems)
    for pairs, name in (
        (force_pairs, "forces.csv"),
        (theme_pairs, "themes.csv"),
        (case_study_pairs, "case_studies.csv"),
        (initiative_pairs, "initiatives.csv"),
        (outcome_pairs, "outcomes.csv"),
    ):
        _check_unique_ids(pairs, labels[name], problems)
    _check_alias_clashes(force_pairs, labels["forces.csv"], problems)
    _check_results_say_how_obtained(outcome_pairs, labels["outcomes.csv"], problems)
    _check_unit_of_record(initiative_pairs, labels["initiatives.csv"], problems)

    forces = tuple(f for _, f in force_pairs)
    forces_by_id = {f.id: f for f in forces}
    # Cross-file checks run against every row the other file has, valid or not, and are skipped
    # when that file could not be read at all: one mistake is reported once, where it is.
    initiatives = _resolve_forces(
        initiative_pairs,
        _raw_alias_index(raw["forces.csv"]),
        forces_by_id,
        labels["initiatives.csv"],
        problems,
        forces_complete=bool(raw["forces.csv"]),
    )
    if raw["themes.csv"]:
        _check_themes(initiative_pairs, _raw_ids(raw["themes.csv"]), labels["initiatives.csv"], problems)
    case_study_ids = _raw_ids(raw["case_studies.csv"])
    if raw["case_studies.csv"]:
        for linked, name in (
            (initiative_pairs, "initiatives.csv"),
            (outcome_pairs, "outcomes.csv"),
            (inventory_pairs, "inventory.csv"),
        ):
            _check_case_study_links(linked, case_study_ids, labels[name], problems)
    if raw["initiatives.csv"]:
        initiative_ids = _raw_ids(raw["initiatives.csv"])
        _check_initiative_links(
            outcome_pairs,
            initiative_ids,
            labels["outcomes.csv"],
            problems,
            "use an id from initiatives.csv, or leave it blank for a background figure",
        )
        _check_outcome_case_studies(
            outcome_pairs, raw["initiatives.csv"], case_study_ids, labels["outcomes.csv"], problems
        )
        _check_initiative_links(
            inventory_pairs,
            initiative_ids,
            labels["inventory.csv"],
            problems,
            "every entry resolves to a row of initiatives.csv or gives a reason",
        )
    # After the case-study checks: a row whose case study is already reported wrong is not reported again.
    sections = {c.id: c.section for _, c in case_study_pairs}
    reported = {(p.file, p.row) for p in problems}
    for cited, name in ((initiative_pairs, "initiatives.csv"), (outcome_pairs, "outcomes.csv")):
        _check_sections(
            [(row, record) for row, record in cited if (labels[name], row.line) not in reported],
            sections,
            labels[name],
            problems,
        )
    _check_derived_figures_have_their_result(outcome_pairs, labels["outcomes.csv"], problems)
    version, version_date = _dataset_meta(data_dir, problems, f"{data_dir.name}/{DATASET_META_NAME}")

    boundaries = load_boundaries(data_dir, problems)
    # Known by forces.csv's rows, valid or not: a force row with a bad cell is reported once, not again on each of
    # its districts.
    places = load_places(data_dir, {r.values["id"].strip() for r in raw["forces.csv"]}, problems)
    if boundaries is not None and raw["forces.csv"]:
        territorial = {r.values["id"].strip() for r in raw["forces.csv"] if r.values["kind"].strip() == "territorial"}
        for missing in sorted(territorial - boundaries.force_ids):
            problems.append(
                Problem(labels["forces.csv"], 0, "id", f"territorial force {missing} has no polygon in {GEOJSON_NAME}")
            )
        for extra in sorted(boundaries.force_ids - territorial):
            problems.append(
                Problem(
                    f"{data_dir.name}/{GEOJSON_NAME}",
                    0,
                    "id",
                    f"polygon {extra} is not a territorial force in forces.csv",
                )
            )

    if problems:
        raise DataValidationError(problems)
    return Dataset(
        forces=forces,
        themes=tuple(t for _, t in theme_pairs),
        initiatives=tuple(initiatives),
        outcomes=tuple(o for _, o in outcome_pairs),
        version=version,
        version_date=version_date,
        boundaries=boundaries,
        case_studies=tuple(c for _, c in case_study_pairs),
        inventory=tuple(e for _, e in inventory_pairs),
        places=places,
    )
