"""Domain layer: the typed, immutable records of the dataset and their controlled vocabularies.

Row models validate one CSV row each (pydantic); cross-file rules (known ids, duplicates) live in
`domain.loading`. Nothing here touches the filesystem or imports Dash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic_core import PydanticCustomError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

LIST_SEPARATOR = "|"

Scope = Literal["force", "multi-force", "regional", "national", "non-territorial"]
# What a piece of work is, and how far along it was when the paper was written: two questions, two columns.
KindOfWork = Literal[
    "programme",
    "service",
    "project",
    "pilot",
    "campaign",
    "training",
    "event",
    "operation",
    "product",
    "partnership",
    "not stated",
]
Stage = Literal["proposed", "planned", "in development", "running", "completed"]
# The single status word of dataset 2.0.0, which mixed the two. The register's form and its stored
# payloads still speak it, so it is read (and mapped to kind and stage) and derived back for them.
Status = Literal[
    "established",
    "pilot",
    "one-off operation",
    "campaign",
    "planned",
    "in development",
    "proposed",
    "published",
]
STATUS_AS_KIND_AND_STAGE: dict[str, tuple[str, str]] = {
    "established": ("not stated", "running"),
    "pilot": ("pilot", "running"),
    "one-off operation": ("operation", "completed"),
    "campaign": ("campaign", "running"),
    "planned": ("not stated", "planned"),
    "in development": ("not stated", "in development"),
    "proposed": ("not stated", "proposed"),
    "published": ("product", "completed"),
}


def status_of(kind_of_work: str, stage: str) -> str:
    """The 2.0.0 status word nearest to a kind and a stage; it maps back to the same pair for every pair
    that came from a status word (STATUS_AS_KIND_AND_STAGE)."""
    if stage in ("proposed", "planned", "in development"):
        return stage
    if stage == "running":
        return kind_of_work if kind_of_work in ("pilot", "campaign") else "established"
    if kind_of_work == "product":
        return "published"
    return "one-off operation" if kind_of_work in ("operation", "event", "project") else "established"


# What the paper shows of an initiative's evaluation: no label claims more than the paper reports.
Evaluation = Literal[
    "evaluation reported",
    "monitoring or early findings reported",
    "debrief reported",
    "evaluation under way",
    "none reported",
]
# "register": the one group of records added through the register rather than taken from the paper.
CaseStudyKind = Literal["case study", "national section", "front matter", "register"]
ThemeKind = Literal["core topic", "further topic", "broader theme"]
ForceKind = Literal["territorial", "non-territorial"]
Country = Literal["England", "Wales", "Great Britain"]
Region = Literal[
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
    "",
]
Unit = Literal["percent", "percentage points", "count", "GBP", "hours", "days", "weeks", "months", "years"]
DURATION_UNITS = ("hours", "days", "weeks", "months", "years")
Direction = Literal["reduction", "increase", "level"]
Qualifier = Literal["", "just under", "more than", "nearly", "around"]
# What a figure is. Only a `result` measures what an initiative achieved; `background` is cited
# research or wider statistics, and is tied to an initiative only where it describes that initiative.
FigureKind = Literal["result", "activity or parameter", "funding", "target or coverage", "background"]
# A number the paper works out from one of its results (fig-033: the 94% fall in offending "equating to" a
# saving in pounds): the same finding again, so never counted or charted as a second result. Curated files
# only: the register's form offers FigureKind, and a register figure has no caveat to say what it derives from.
DERIVED_KIND = "derived from a result"
CuratedFigureKind = Literal[FigureKind, "derived from a result"]
LEVEL_ONLY_KINDS = frozenset({"activity or parameter", "funding", "target or coverage"})
InventoryDecision = Literal["own row", "part of row", "not an initiative"]
# Which clause of the unit of record (docs/data-dictionary.md) settles an inventory entry, and the one
# decision each clause gives: so conferences, follow-on work and possibilities are decided alike everywhere.
UnitRule = Literal[
    "piece of work",
    "one-off event",
    "follow-on work",
    "step of a row",
    "possibility",
    "umbrella",
    "general statement",
    "context",
]
RULE_DECISION: dict[str, str] = {
    "piece of work": "own row",
    "one-off event": "own row",
    "follow-on work": "own row",
    "step of a row": "part of row",
    "possibility": "not an initiative",
    "umbrella": "not an initiative",
    "general statement": "not an initiative",
    "context": "not an initiative",
}
InventoryKind = Literal[
    "programme",
    "service",
    "project",
    "scheme",
    "campaign",
    "report",
    "strategy",
    "guidance",
    "toolkit",
    "fund",
    "pilot",
    "partnership",
    "event",
    "legislation",
    "research",
    "statistics",
    "training",
    "other",
]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
FORCE_ID_PATTERN = r"^([EW][0-9]{8}|[a-z0-9]+(-[a-z0-9]+)*)$"


def _rule_error(column: str, message: str, rule: str = "", **values: object) -> PydanticCustomError:
    """A whole-row rule's error, tagged with the column a person should fix. `message` names columns, as a CSV
    file's problems do; `rule` and `values` let the register's form say the same in its own labels."""
    return PydanticCustomError("row_rule", "{message}", {"column": column, "message": message, "rule": rule, **values})


def _split_list(value: object) -> object:
    """'a|b| c' -> ('a', 'b', 'c'); an empty cell is an empty tuple."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(LIST_SEPARATOR) if part.strip())
    return value


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


TextList = Annotated[tuple[str, ...], BeforeValidator(_split_list)]
OptionalYear = Annotated[Annotated[int, Field(ge=1800, le=2100)] | None, BeforeValidator(_blank_to_none)]
OptionalFloat = Annotated[float | None, BeforeValidator(_blank_to_none)]
OptionalInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
RequiredText = Annotated[str, Field(min_length=1)]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Force(Record):
    id: Annotated[str, Field(pattern=FORCE_ID_PATTERN)]
    name: RequiredText
    short_name: RequiredText
    kind: ForceKind
    country: Country
    region: Region
    area_km2: OptionalFloat = None
    population_mid_2018: OptionalInt = None
    aliases: TextList = ()

    @property
    def is_english(self) -> bool:
        return self.country == "England" and self.kind == "territorial"


class Theme(Record):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    label: RequiredText
    kind: ThemeKind
    description: RequiredText


class CaseStudy(Record):
    """A case study or national section of the paper: the paper's own grouping of its initiatives."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    kind: CaseStudyKind
    title: RequiredText
    section: RequiredText


class Initiative(Record):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: RequiredText
    case_study: Annotated[str, Field(pattern=ID_PATTERN)]
    scope: Scope
    force_ids: TextList = ()
    place: RequiredText
    lead_organisations: TextList
    partners: TextList = ()
    themes: TextList
    kind_of_work: KindOfWork
    stage: Stage
    evaluation: Evaluation
    start_year: OptionalYear = None
    end_year: OptionalYear = None
    summary: Annotated[str, Field(min_length=20)]
    section: RequiredText
    references: TextList = ()
    # The 2.0.0 status word: given by the register (its form and stored payloads), derived otherwise.
    # Never a column of the curated file and never dumped: kind_of_work and stage are the record.
    # An empty word is refused ("is required"), as the register's form has always required one.
    status: Annotated[Status | None, Field(exclude=True)] = None

    @model_validator(mode="before")
    @classmethod
    def _kind_and_stage_from_status(cls, data: object) -> object:
        """A record given as a 2.0.0 status word gets the kind and stage it implies; a record given as a
        kind and a stage gets the status word the register still shows. An unknown status word is left
        for the field's own error, with placeholders so that it is the one error reported."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        status = str(data.get("status") or "").strip()
        if status and not data.get("kind_of_work") and not data.get("stage"):
            data["kind_of_work"], data["stage"] = STATUS_AS_KIND_AND_STAGE.get(status, ("not stated", "running"))
        elif "status" in data and not status and not data.get("kind_of_work") and not data.get("stage"):
            data["kind_of_work"], data["stage"] = "not stated", "running"  # the empty status is reported
        elif not status and isinstance(data.get("kind_of_work"), str) and isinstance(data.get("stage"), str):
            data["status"] = status_of(data["kind_of_work"].strip(), data["stage"].strip())
        return data

    @field_validator("lead_organisations", "themes")
    @classmethod
    def _not_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError(f"must list at least one value, separated by '{LIST_SEPARATOR}'")
        return value

    @field_validator("references")
    @classmethod
    def _reference_numbers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not v.isdigit()]
        if bad:
            raise ValueError(f"reference marks must be whole numbers like 33, got {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _scope_matches_forces(self) -> Initiative:
        count = len(self.force_ids)
        if self.scope == "force" and count != 1:
            raise _rule_error("force_ids", f"scope 'force' needs exactly one force id, got {count}")
        if self.scope == "multi-force" and count < 2:
            raise _rule_error("force_ids", f"scope 'multi-force' needs two or more force ids, got {count}")
        if self.scope == "national" and count:
            raise _rule_error("force_ids", "scope 'national' takes no force ids; use 'multi-force' or 'regional'")
        if self.scope == "non-territorial" and count < 1:
            raise _rule_error("force_ids", "scope 'non-territorial' needs the non-territorial force's id")
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise _rule_error(
                "end_year",
                f"end_year {self.end_year} is before start_year {self.start_year}",
                "end-before-start",
                start=self.start_year,
                end=self.end_year,
            )
        return self


class Outcome(Record):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    initiative_id: Annotated[str | None, BeforeValidator(_blank_to_none)] = None
    case_study: Annotated[str, Field(pattern=ID_PATTERN)]
    measure: RequiredText
    value: float
    unit: Unit
    qualifier: Qualifier = ""
    direction: Direction
    period: str = ""
    comparator: str = ""
    kind: CuratedFigureKind
    # How a figure was obtained, as far as the paper says ("before and after, no comparison group",
    # "the service's own figures"): every curated result has one (domain.loading checks it).
    design: str = ""
    # Where the paper sets unlike things side by side, or a figure is derived from another, in our words.
    caveat: str = ""
    section: RequiredText
    references: TextList = ()

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("references")
    @classmethod
    def _reference_numbers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return Initiative._reference_numbers(value)

    @model_validator(mode="after")
    def _value_fits_unit(self) -> Outcome:
        if self.unit == "percent" and not 0 <= self.value <= 100:
            raise _rule_error(
                "value",
                f"value {self.value:g} is a percent outside 0-100; use unit 'percentage points' for changes",
                "percent-range",
                value=self.value,
            )
        if self.unit == "percentage points" and not -100 <= self.value <= 100:
            raise _rule_error(
                "value",
                f"value {self.value:g} percentage points is outside -100 to 100",
                "points-range",
                value=self.value,
            )
        if self.unit in {"count", "GBP", "days", "weeks"} and self.value < 0:
            raise _rule_error(
                "value",
                f"value {self.value:g} cannot be negative for unit '{self.unit}'; use direction 'reduction'",
                "negative",
                value=self.value,
            )
        if self.kind in LEVEL_ONLY_KINDS and self.direction != "level":
            raise _rule_error(
                "direction",
                f"a figure of kind '{self.kind}' is a level, never a change; use direction 'level'",
                "level-only-kind",
                kind=self.kind,
            )
        if self.unit == "GBP" and self.direction != "level":
            raise _rule_error(
                "direction",
                "money is a level (an amount saved, spent or awarded), not a change; "
                "use direction 'level' and say 'saving' in the measure",
                "money-is-a-level",
            )
        if self.kind == "result" and self.initiative_id is None:
            raise _rule_error("initiative_id", "a result measures an initiative; name it, or use kind 'background'")
        if self.kind == DERIVED_KIND and (self.initiative_id is None or "derived from" not in self.caveat):
            raise _rule_error(
                "caveat",
                "a figure derived from a result names its initiative and says in its caveat "
                "'derived from' which result",
            )
        return self

    @property
    def is_result(self) -> bool:
        """A figure measuring what an initiative achieved, as opposed to its activity, money, targets or background."""
        return self.kind == "result"

    @property
    def is_background(self) -> bool:
        """Cited research or wider statistics: shown apart from results, labelled as background."""
        return self.kind == "background"


class InventoryEntry(Record):
    """One thing the paper names, and what the dataset does with it."""

    name: RequiredText
    kind: InventoryKind
    case_study: Annotated[str, Field(pattern=ID_PATTERN)]
    paper_phrase: RequiredText
    references: TextList = ()
    decision: InventoryDecision
    initiative_id: Annotated[str | None, BeforeValidator(_blank_to_none)] = None
    rule: UnitRule
    reason: str = ""

    @field_validator("references")
    @classmethod
    def _reference_numbers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return Initiative._reference_numbers(value)

    @model_validator(mode="after")
    def _decision_is_resolved(self) -> InventoryEntry:
        if self.decision != RULE_DECISION[self.rule]:
            raise _rule_error(
                "decision", f"rule '{self.rule}' gives decision '{RULE_DECISION[self.rule]}', not '{self.decision}'"
            )
        if self.decision == "not an initiative":
            if self.initiative_id is not None:
                raise _rule_error("initiative_id", "a thing that is not an initiative names no initiative row")
            if len(self.reason) < 10:
                raise _rule_error("reason", "say why it is not a collaboration initiative (at least 10 characters)")
        elif self.initiative_id is None:
            raise _rule_error("initiative_id", f"decision '{self.decision}' needs the initiative row it resolves to")
        return self


PAPER_SOURCE = "PHE 2016 paper"
Source = Literal["paper", "register"]
SOURCES: tuple[str, ...] = ("paper", "register")


def register_words(reviewed_on: str, organisation: str, self_published: bool = False) -> str:
    """'Register, reviewed DATE by ORGANISATION': where a register record comes from, on every card, citation,
    export and feed entry. A reviewer who published their own proposal (PPH_REVIEW_OWN=1) is said to have: no
    second person checked it."""
    if self_published:
        return f"Register, published {reviewed_on} by {organisation} without a second review (its reviewer proposed it)"
    return f"Register, reviewed {reviewed_on} by {organisation}"


@dataclass(frozen=True)
class Provenance:
    """Where a record comes from, as every card, citation and export says it."""

    source: Source
    reviewed_on: str = ""  # ISO date of publication, for register records
    organisation: str = ""  # the organisation whose reviewer published it
    self_published: bool = False  # published by the reviewer who proposed it

    @property
    def label(self) -> str:
        if self.source == "paper":
            return PAPER_SOURCE
        return register_words(self.reviewed_on, self.organisation, self.self_published)


PAPER = Provenance("paper")


@dataclass(frozen=True)
class Note:
    """An erratum or follow-up on a paper record: shown beside it, never changing what the paper says."""

    record_id: str
    about_id: str
    kind: str
    text: str
    source: str
    provenance: Provenance
    figure_id: str = ""  # one figure of `about_id` the note is about, when it names one

    @property
    def marker(self) -> str:
        """The word that flags the record (and the figure) the note is about: 'Erratum' or 'Follow-up'."""
        return "Erratum" if self.kind == "erratum" else "Follow-up"


# Headers the files must have, in this order; the data dictionary documents each column.
def _columns(model: type[Record]) -> tuple[str, ...]:
    """A model's columns: its fields, less those kept only for older input (never written)."""
    return tuple(name for name, info in model.model_fields.items() if not info.exclude)


HEADERS: dict[str, tuple[str, ...]] = {
    "forces.csv": _columns(Force),
    "themes.csv": _columns(Theme),
    "case_studies.csv": _columns(CaseStudy),
    "inventory.csv": _columns(InventoryEntry),
    "initiatives.csv": _columns(Initiative),
    "outcomes.csv": _columns(Outcome),
}
