"""Domain layer: the register's records, as pure functions.

A contribution arrives as a plain dict (a form, or a CSV row being imported). It is checked with the
same row models as the curated CSV files (`domain.schema`) and the same cross-record rules
(`domain.rules`), against the reference data only: forces, themes and the paper's initiatives. What
is published is folded into the paper's dataset as a new snapshot, each record marked by its source.

Nothing here touches a database or Dash: `storage` keeps the records, `components` shows them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

from pydantic import ValidationError

from domain.loading import Dataset
from domain.rules import (
    resolve_force_refs,
    scope_for,
    territorial_forces_in_non_territorial,
    unknown_force_message,
    unknown_theme_message,
    unknown_themes,
)
from domain.schema import STATUS_AS_KIND_AND_STAGE, CaseStudy, Force, Initiative, Note, Outcome, Provenance

REGISTER_CASE_STUDY = CaseStudy(id="register", kind="register", title="Added through the register", section="Register")
NOTE_KINDS = ("erratum", "follow-up")

# Limits a form can show and a reviewer can read; far above any record of the paper.
MAX_TEXT = 200
MAX_SUMMARY = 2_000
MAX_SOURCE = 500
MAX_LIST_ITEMS = 20
MAX_FIGURES = 20
URL_PATTERN = re.compile(r"^https?://[^\s<>\"']+$")
# Bidirectional embeddings, overrides and isolates: they reorder what a reader sees ("evil" shown as "live").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that draw nothing, beyond the formatting (Cf) category: fillers that some fonts leave blank.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# What a spreadsheet reads as the start of a formula when it opens an exported cell (OWASP's CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Fields written over several lines, where a line break or a tab inside the text is ordinary.
MULTI_LINE_FIELDS = frozenset({"summary", "text"})
# Free text a person reads, and so a spreadsheet might run; ids, choices and numbers are checked otherwise.
FREE_TEXT_FIELDS = frozenset(
    {
        "title",
        "place",
        "lead_organisations",
        "partners",
        "summary",
        "source",
        "text",
        "measure",
        "period",
        "comparator",
        "design",
        "caveat",
    }
)

# The form's fields, in the order a contributor fills them in.
INITIATIVE_FIELDS = (
    "title",
    "force_ids",
    "place",
    "lead_organisations",
    "partners",
    "themes",
    "kind_of_work",
    "stage",
    "evaluation",
    "start_year",
    "end_year",
    "summary",
    "source",
    "figures",
)
# The single word of dataset 2.0.0 that kind_of_work and stage replace. A payload stored before that (or an
# import of a file exported then) still has it, and is read by mapping it (STATUS_AS_KIND_AND_STAGE).
LEGACY_STATUS = "status"
FIGURE_FIELDS = (
    "measure",
    "value",
    "unit",
    "qualifier",
    "direction",
    "period",
    "comparator",
    "kind",
    "design",
    "caveat",
    "source",
)
# Kept for the paper's records that do not say, and for register records sent as a bare 2.0.0 status word:
# never a choice for new input, which must say what kind of work it is.
UNSTATED_KIND = "not stated"
NOTE_FIELDS = ("about_id", "note_kind", "text", "source", "figure_id")


@dataclass(frozen=True, order=True)
class FieldProblem:
    """One thing wrong with a submission, on the field a contributor should fix ('figures.0.value')."""

    field: str
    message: str


class SubmissionInvalid(ValueError):
    def __init__(self, problems: Iterable[FieldProblem]):
        self.problems = tuple(sorted(set(problems)))
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))

    def by_field(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.field, []).append(problem.message)
        return grouped


@dataclass(frozen=True)
class Reference:
    """What a record is checked against, held apart from the records themselves."""

    forces_by_id: Mapping[str, Force]
    force_aliases: Mapping[str, str]
    theme_ids: frozenset[str]
    paper_initiative_ids: frozenset[str]
    # initiative id -> the ids of its figures: what a note's `figure_id` may name
    paper_figure_ids: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, dataset: Dataset) -> Reference:
        initiative_ids = frozenset(i.id for i in dataset.initiatives)
        figures: dict[str, set[str]] = {}
        for outcome in dataset.outcomes:
            if outcome.initiative_id in initiative_ids:
                figures.setdefault(outcome.initiative_id, set()).add(outcome.id)
        return cls(
            dataset.forces_by_id,
            dataset.force_aliases,
            frozenset(dataset.themes_by_id),
            initiative_ids,
            MappingProxyType({k: frozenset(v) for k, v in figures.items()}),
        )


@dataclass(frozen=True)
class User:
    """A person the intranet's proxy vouches for; reviewers may publish."""

    name: str
    is_reviewer: bool


@dataclass(frozen=True)
class RegisterRecord:
    """A record as the register publishes it: what `storage` returns, in domain terms."""

    record_id: str
    kind: Literal["initiative", "note"]
    payload: Mapping[str, Any]
    published_at: datetime
    organisation: str
    revision: int = 1  # rises with each published update: a record checked at one revision stays checked
    published_by: str = ""  # the reviewer who published this revision
    self_published: bool = False  # ...who had also proposed it (PPH_REVIEW_OWN=1)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return ""  # no field takes a number this long; read as missing, so the field reports it
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        return ""
    text = value.strip()
    # Text of only zero-width or other invisible characters is no text: a required field so filled is empty.
    return text if has_visible_text(text) else ""


def is_invisible(char: str) -> bool:
    return char.isspace() or char in INVISIBLE or unicodedata.category(char) in ("Cf", "Cc", "Mn", "Me")


def has_visible_text(text: str) -> bool:
    return any(not is_invisible(char) for char in text)


def _list(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split("|") if part.strip())
    if isinstance(value, (list, tuple)):
        return tuple(_text(v) for v in value if _text(v))
    return ()


LIST_FIELDS = ("force_ids", "lead_organisations", "partners", "themes")


def _check_shapes(
    payload: Mapping[str, Any], text_fields: Sequence[str], problems: list[FieldProblem], incoming: bool = True
) -> None:
    """Values of a type no form sends, and text that is not valid Unicode, are problems, never quietly dropped.
    Text the register refuses (`text_problems`) is checked only on `incoming` input: see `fold_record`."""
    for name, value in payload.items():
        if name in LIST_FIELDS and not isinstance(value, (str, list, tuple, type(None))):
            problems.append(FieldProblem(name, "must be a list of values"))
        elif name == "figures" and not isinstance(value, (list, tuple, type(None))):
            problems.append(FieldProblem(name, "must be a list of figures"))
        elif name in text_fields and not isinstance(value, (str, int, float, type(None))):
            problems.append(FieldProblem(name, "must be text"))
    for name, text in _strings(payload):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            problems.append(FieldProblem(name, "contains characters that are not valid text"))
            continue
        if incoming:
            problems.extend(text_problems(name, text))


def text_problems(field_name: str, text: str) -> list[FieldProblem]:
    """What the register refuses in any text, each as a whole sentence: control characters (a NUL breaks
    PostgreSQL), direction overrides that disguise text, text of invisible characters only, and text a
    spreadsheet would run as a formula when a maintainer opens the export. Used by the form and the import."""
    problems = []
    leaf = field_name.rsplit(".", 1)[-1]
    allowed = "\n\r\t" if leaf in MULTI_LINE_FIELDS else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in text):
        problems.append(
            FieldProblem(
                field_name,
                "This contains a control character (such as NUL or a line break "
                "in a one-line field), which the register does not store. "
                "Type the text again without it.",
            )
        )
    if any(c in BIDI_CONTROLS for c in text):
        problems.append(
            FieldProblem(
                field_name,
                "This contains an invisible character that reverses the direction "
                "of the text around it, so readers would see something other than "
                "what is stored. Type the text again without it.",
            )
        )
    if text and not has_visible_text(text):
        problems.append(
            FieldProblem(
                field_name,
                "This holds only invisible characters (such as zero-width spaces). "
                "Type it in visible characters, or leave it empty.",
            )
        )
    if leaf in FREE_TEXT_FIELDS:
        for item in text.split("|") if leaf in LIST_FIELDS else (text,):
            problems.extend(_formula_problem(field_name, item))
    return problems


def _formula_problem(field_name: str, text: str) -> list[FieldProblem]:
    if text.startswith(("\t", "\r")):
        start = "a tab" if text.startswith("\t") else "a carriage return"
    else:
        stripped = text.strip()
        if not stripped.startswith(FORMULA_STARTS):
            return []
        start = f"“{stripped[0]}”"
    return [
        FieldProblem(
            field_name,
            f"This starts with {start}, which a spreadsheet opening the register's export "
            "would run as a formula. Start with a word instead: write “minus 3” or "
            "“plus 3” for a number, “at” for @, and “equals” for =.",
        )
    ]


def _strings(value: object, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path or "-", value)]
    if isinstance(value, Mapping):
        return [s for k, v in value.items() for s in _strings(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, (list, tuple)):
        return [s for i, v in enumerate(value) for s in _strings(v, path if path != "figures" else f"figures.{i}")]
    return []


def _check_lengths(payload: Mapping[str, Any], problems: list[FieldProblem]) -> None:
    for name in ("title", "place"):
        if len(_text(payload.get(name))) > MAX_TEXT:
            problems.append(FieldProblem(name, f"is longer than {MAX_TEXT} characters"))
    if len(_text(payload.get("summary"))) > MAX_SUMMARY:
        problems.append(FieldProblem("summary", f"is longer than {MAX_SUMMARY} characters"))
    for name in ("force_ids", "lead_organisations", "partners", "themes"):
        items = _list(payload.get(name))
        if len(items) > MAX_LIST_ITEMS:
            problems.append(FieldProblem(name, f"lists more than {MAX_LIST_ITEMS} values"))
        if any(len(item) > MAX_TEXT for item in items):
            problems.append(FieldProblem(name, f"has a value longer than {MAX_TEXT} characters"))


def check_source(value: object, field_name: str) -> list[FieldProblem]:
    """A link (http or https only) or a citation in words; never empty."""
    text = _text(value)
    if not text:
        return [FieldProblem(field_name, "is required: a link to the evidence, or a citation")]
    if len(text) > MAX_SOURCE:
        return [FieldProblem(field_name, f"is longer than {MAX_SOURCE} characters")]
    # A link may be followed by words that place the evidence in it ("https://example.org/report p. 4"): the link
    # is checked, the words are the citation's.
    first = text.split()[0]
    if "://" in first and not URL_PATTERN.match(first):
        return [
            FieldProblem(
                field_name,
                "A link must start with http:// or https://; put anything after it (a page, say) after a space.",
            )
        ]
    return []


def _pydantic_problems(exc: ValidationError, prefix: str, renamed: Mapping[str, str]) -> list[FieldProblem]:
    problems = []
    for error in exc.errors():
        loc = error.get("loc") or ()
        ctx = error.get("ctx") or {}
        column = str(loc[0]) if loc else str(ctx.get("column", "-"))
        message = _form_sentence(error, FIELD_LABELS.get(column, column)) or error["msg"].removeprefix("Value error, ")
        if error["type"] == "literal_error" and error.get("input") in ("", None):
            message = "is required: choose one of the options"
        elif error["type"] == "literal_error":
            message = f"{error['input']!r} is not allowed; {message[0].lower()}{message[1:]}"
        elif column == "themes" and not error.get("input"):
            message = "choose at least one theme"
        elif error["type"] == "string_too_short" and not error.get("input"):
            message = "is required"
        problems.append(FieldProblem(f"{prefix}{renamed.get(column, column)}", message))
    return problems


NEGATIVE_VALUE = "Give the size of the change as a positive number; “Direction” says whether it went up or down."


def _form_sentence(error: Mapping[str, Any], label: str) -> str:
    """What a schema error says on the register's form: a whole sentence naming the fields by the form's labels,
    where the schema's own words name CSV columns (end_year) for the curated files' problems. '' for the rest."""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    later = "later" if label in YEAR_LABELS else "more"
    earlier = "earlier" if label in YEAR_LABELS else "less"
    if kind in {"float_parsing", "int_parsing"}:
        example = "a year in figures, such as 2019" if label in YEAR_LABELS else "a number, such as 30"
        hint = "" if label in YEAR_LABELS else _number_hint(error.get("input"))
        return f"{label} must be {example}; “{error.get('input')}” is not.{hint}"
    written = error.get("input")
    if kind == "string_too_short" and isinstance(written, str) and written.strip():
        return f"{label} needs at least {ctx.get('min_length')} characters; this has {len(written)}."
    if kind == "string_too_long" and isinstance(written, str):
        return f"{label} can have at most {ctx.get('max_length')} characters; this has {len(written)}."
    if kind == "greater_than_equal":
        return f"{label} must be {ctx.get('ge')} or {later}."
    if kind == "less_than_equal":
        return f"{label} must be {ctx.get('le')} or {earlier}."
    return _rule_sentence(ctx) if kind == "row_rule" else ""


YEAR_LABELS = frozenset({"First year", "Last year"})


def _number_hint(written: object) -> str:
    """What is wrong with a number as typed, where it is a habit the form does not read: a decimal comma ("12,5"),
    or a minus sign (the size of a change is given positive, and Direction says which way)."""
    text = str(written or "").strip()
    hints = []
    if re.fullmatch(r"[-−]?\d+,\d{1,2}", text):
        hints.append(f"write a decimal with a point ({text.lstrip('-−').replace(',', '.')})")
    if text[:1] in {"-", "−"}:
        hints.append("leave out the minus sign: Direction says whether it went up or down")
    return f" To fix it, {' and '.join(hints)}." if hints else ""


def _rule_sentence(ctx: Mapping[str, Any]) -> str:
    """A whole-row rule of `domain.schema` in the form's words: one reason, the one to act on."""
    rule, value = ctx.get("rule"), ctx.get("value")
    number = f"{value:g}" if isinstance(value, (int, float)) else str(value)
    if rule == "negative" or (rule in {"percent-range", "points-range"} and isinstance(value, float) and value < 0):
        return NEGATIVE_VALUE
    sentences = {
        "end-before-start": f"Last year ({ctx.get('end')}) is before First year ({ctx.get('start')}): "
        "give the year the work ended, or leave Last year empty.",
        "percent-range": f"Value {number} is more than 100, the most a value in percent can be here. If it is a "
        "change between two percentages (from 12% to 9%, say), give the difference and choose “percentage "
        "points” as the Unit.",
        "points-range": f"Value {number} is more than 100 percentage points, the most two percentages can differ by.",
        "level-only-kind": f"A figure whose Kind of figure is “{ctx.get('kind')}” is a level, never a change: "
        "choose “level” as its Direction.",
        "money-is-a-level": "An amount of money (saved, spent or awarded) is a level, never a change: choose "
        "“level” as its Direction, and say “saving” in What was measured if it is one.",
    }
    return sentences.get(str(rule), "")


def validate_figures(
    raw_figures: object, initiative_id: str, reference: Reference, incoming: bool = True
) -> tuple[Outcome, ...]:
    """The figures of a submitted initiative, checked with the curated files' figure model."""
    del reference  # figures link only to their own initiative, so no reference data is needed yet
    figures = raw_figures if isinstance(raw_figures, (list, tuple)) else []
    problems: list[FieldProblem] = []
    if len(figures) > MAX_FIGURES:
        raise SubmissionInvalid([FieldProblem("figures", f"at most {MAX_FIGURES} figures per initiative")])
    outcomes = []
    for index, figure in enumerate(figures):
        prefix = f"figures.{index}."
        if not isinstance(figure, Mapping):
            problems.append(FieldProblem(f"figures.{index}", "must be a figure with its fields"))
            continue
        source_problems = check_source(figure.get("source"), f"{prefix}source")
        problems.extend(source_problems)
        if len(_text(figure.get("measure"))) > MAX_TEXT:
            problems.append(FieldProblem(f"{prefix}measure", f"is longer than {MAX_TEXT} characters"))
        for name in ("design", "caveat"):
            if len(_text(figure.get(name))) > MAX_SOURCE:
                problems.append(FieldProblem(f"{prefix}{name}", f"is longer than {MAX_SOURCE} characters"))
        if incoming:
            problems.extend(_negative_value_problem(figure.get("value"), f"{prefix}value"))
            # Only on new input, as the design below: a figure published before this was asked stays on the map.
            problems.extend(_whole_count_problem(figure, f"{prefix}value"))
            # As the curated loader requires of outcomes.csv. Only on new input: a result published before the
            # register asked for a design stays on the map; an update of it must give one.
            if _text(figure.get("kind")) == "result" and not _text(figure.get("design")):
                problems.append(FieldProblem(f"{prefix}design", DESIGN_REQUIRED))
        row = {
            "id": f"{initiative_id}-fig-{index + 1}",
            "initiative_id": initiative_id,
            "case_study": REGISTER_CASE_STUDY.id,
            "measure": _text(figure.get("measure")),
            "value": _text(figure.get("value")),
            "unit": _text(figure.get("unit")),
            "qualifier": _text(figure.get("qualifier")),
            "direction": _text(figure.get("direction")),
            "period": _text(figure.get("period"))[:MAX_TEXT],
            "comparator": _text(figure.get("comparator"))[:MAX_TEXT],
            "kind": _text(figure.get("kind")),
            "design": _text(figure.get("design"))[:MAX_SOURCE],
            "caveat": _text(figure.get("caveat"))[:MAX_SOURCE],
            "section": _text(figure.get("source")) or "-",
            "references": "",
        }
        try:
            outcomes.append(Outcome.model_validate(row))
        except ValidationError as exc:
            # One reason per problem: a negative value is already told to give its size, which is all of it.
            problems.extend(p for p in _pydantic_problems(exc, prefix, {"section": "source"}) if p not in problems)
    if problems:
        raise SubmissionInvalid(problems)
    return tuple(outcomes)


DESIGN_REQUIRED = (
    "Say how this result was obtained, as the source describes it: for example “before and after, "
    "no comparison group”, “the service's own records” or “evaluation by a named university”."
)


def _kind_and_stage(payload: Mapping[str, Any], incoming: bool) -> tuple[dict[str, str], list[FieldProblem]]:
    """The kind of work and stage a payload gives, as the Initiative model takes them, and what is wrong.

    A payload with neither but with a 2.0.0 `status` word (stored before 3.0.0, or a file exported then) is
    read by handing the word to the model, which maps it. New input must say what kind of work it is."""
    kind, stage, status = (_text(payload.get(name)) for name in ("kind_of_work", "stage", LEGACY_STATUS))
    problems: list[FieldProblem] = []
    if status and not kind and not stage:
        if incoming and STATUS_AS_KIND_AND_STAGE.get(status, ("", ""))[0] == UNSTATED_KIND:
            problems.append(
                FieldProblem(
                    "kind_of_work",
                    f"The status “{status}” does not say what kind of work "
                    "this is: choose the kind of work and its stage.",
                )
            )
        return {LEGACY_STATUS: status}, problems
    if incoming and kind == UNSTATED_KIND:
        problems.append(
            FieldProblem(
                "kind_of_work",
                "Choose what kind of work this is; “not stated” is kept for "
                "records that were sent before the register asked.",
            )
        )
    return {"kind_of_work": kind, "stage": stage}, problems


WHOLE_COUNT = (
    "Value {number} is a count, so it must be a whole number; for a rate or an average, choose another Unit or say "
    "it in the measure."
)


def _whole_count_problem(figure: Mapping[str, Any], field_name: str) -> list[FieldProblem]:
    """A count is of whole things: 12.5 people is a rate or an average, said some other way."""
    try:
        number = float(_text(figure.get("value")))
    except ValueError:
        return []  # not a number at all: the figure model says so
    if _text(figure.get("unit")) != "count" or number.is_integer():
        return []
    return [FieldProblem(field_name, WHOLE_COUNT.format(number=f"{number:g}"))]


def _negative_value_problem(value: object, field_name: str) -> list[FieldProblem]:
    """A figure is a size and a direction: "a fall of -3 hours" reads as nothing, in words or on a chart."""
    try:
        number = float(_text(value))
    except ValueError:
        return []  # not a number at all: the figure model says so
    return [FieldProblem(field_name, NEGATIVE_VALUE)] if number < 0 else []


def _year_order_problem(payload: Mapping[str, Any]) -> list[FieldProblem]:
    """Last year before First year, where both are years in figures; nothing otherwise."""
    start, end = _text(payload.get("start_year")).strip(), _text(payload.get("end_year")).strip()
    if not (start.isdigit() and end.isdigit()) or int(end) >= int(start):
        return []
    return [
        FieldProblem("end_year", _rule_sentence({"rule": "end-before-start", "start": int(start), "end": int(end)}))
    ]


def validate_initiative(
    payload: Mapping[str, Any], record_id: str, reference: Reference, *, incoming: bool = True
) -> tuple[Initiative, tuple[Outcome, ...]]:
    """A submitted initiative and its figures as records, or SubmissionInvalid listing every problem.

    `incoming=False` checks a record already published: the schema and the reference data still apply,
    but not the input rules added since it was published (`text_problems`, negative values), so a record
    that was accepted then stays on the map, and the export neutralises its text for spreadsheets."""
    problems: list[FieldProblem] = []
    unexpected = sorted(set(payload) - {*INITIATIVE_FIELDS, LEGACY_STATUS})
    if unexpected:
        problems.append(FieldProblem("-", f"unexpected field(s) {', '.join(unexpected)}"))
    _check_shapes(
        payload,
        [f for f in (*INITIATIVE_FIELDS, LEGACY_STATUS) if f not in (*LIST_FIELDS, "figures")],
        problems,
        incoming,
    )
    kind_and_stage, kind_problems = _kind_and_stage(payload, incoming)
    problems.extend(kind_problems)
    _check_lengths(payload, problems)
    force_ids, unknown = resolve_force_refs(_list(payload.get("force_ids")), reference.force_aliases)
    problems.extend(FieldProblem("force_ids", unknown_force_message(ref)) for ref in unknown)
    themes = _list(payload.get("themes"))
    problems.extend(
        FieldProblem("themes", unknown_theme_message(t, reference.theme_ids))
        for t in unknown_themes(themes, reference.theme_ids)
    )
    problems.extend(check_source(payload.get("source"), "source"))
    scope = scope_for(force_ids, reference.forces_by_id)
    territorial = territorial_forces_in_non_territorial(scope, force_ids, reference.forces_by_id)
    if territorial:
        problems.append(FieldProblem("force_ids", "a non-territorial body's work names no territorial force"))
    row = {
        "id": record_id,
        "title": _text(payload.get("title")),
        "case_study": REGISTER_CASE_STUDY.id,
        "scope": scope,
        "force_ids": force_ids,
        "place": _text(payload.get("place")),
        "lead_organisations": _list(payload.get("lead_organisations")),
        "partners": _list(payload.get("partners")),
        "themes": themes,
        **kind_and_stage,
        "evaluation": _text(payload.get("evaluation")),
        "start_year": _text(payload.get("start_year")),
        "end_year": _text(payload.get("end_year")),
        "summary": _text(payload.get("summary")),
        "section": _text(payload.get("source")) or "-",
        "references": (),
    }
    initiative = None
    try:
        initiative = Initiative.model_validate(row)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, "", {"section": "source"}))
        # The schema checks the years' order only once every field is valid: said here too, so the form names it
        # with the other problems rather than after they are fixed. The same sentence, so never said twice.
        problems.extend(_year_order_problem(payload))
    outcomes: tuple[Outcome, ...] = ()
    try:
        outcomes = validate_figures(payload.get("figures", []), record_id, reference, incoming)
    except SubmissionInvalid as exc:
        problems.extend(exc.problems)
    if problems or initiative is None:
        raise SubmissionInvalid(problems)
    return initiative, outcomes


def validate_note(payload: Mapping[str, Any], reference: Reference, *, incoming: bool = True) -> dict[str, str]:
    """An erratum or follow-up on one of the paper's initiatives, cleaned, or SubmissionInvalid."""
    problems: list[FieldProblem] = []
    unexpected = sorted(set(payload) - set(NOTE_FIELDS))
    if unexpected:
        problems.append(FieldProblem("-", f"unexpected field(s) {', '.join(unexpected)}"))
    _check_shapes(payload, NOTE_FIELDS, problems, incoming)
    about = _text(payload.get("about_id"))
    if about not in reference.paper_initiative_ids:
        problems.append(FieldProblem("about_id", "choose one of the paper's initiatives"))
    kind = _text(payload.get("note_kind"))
    if kind not in NOTE_KINDS:
        problems.append(FieldProblem("note_kind", f"Choose the kind of note: {' or '.join(NOTE_KINDS)}."))
    text = _text(payload.get("text"))
    if len(text) < 20:
        problems.append(FieldProblem("text", "say what is wrong or what happened next (at least 20 characters)"))
    elif len(text) > MAX_SUMMARY:
        problems.append(FieldProblem("text", f"is longer than {MAX_SUMMARY} characters"))
    problems.extend(check_source(payload.get("source"), "source"))
    figure = _text(payload.get("figure_id"))
    if figure and figure not in reference.paper_figure_ids.get(about, frozenset()):
        problems.append(
            FieldProblem("figure_id", "choose one of the figures of the initiative the note is about, or none")
        )
    if problems:
        raise SubmissionInvalid(problems)
    # figure_id is "" for a note on the whole initiative (and for notes stored before a figure could be named).
    return {
        "about_id": about,
        "note_kind": kind,
        "text": text,
        "source": _text(payload.get("source")),
        "figure_id": figure,
    }


def diff_payloads(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Field -> (current, proposed), for every field a proposal changes: what a reviewer reads."""
    return {key: (old.get(key), new.get(key)) for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}


def payload_of(initiative: Initiative, outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """A record back as a form payload: the starting point of a proposed update, and of an import."""
    return {
        "title": initiative.title,
        "force_ids": list(initiative.force_ids),
        "place": initiative.place,
        "lead_organisations": list(initiative.lead_organisations),
        "partners": list(initiative.partners),
        "themes": list(initiative.themes),
        "kind_of_work": initiative.kind_of_work,
        "stage": initiative.stage,
        "evaluation": initiative.evaluation,
        "start_year": initiative.start_year,
        "end_year": initiative.end_year,
        "summary": initiative.summary,
        "source": initiative.section,
        "figures": [
            {
                "measure": o.measure,
                "value": o.value,
                "unit": o.unit,
                "qualifier": o.qualifier,
                "direction": o.direction,
                "period": o.period,
                "comparator": o.comparator,
                "kind": o.kind,
                "design": o.design,
                "caveat": o.caveat,
                "source": o.section,
            }
            for o in outcomes
            if o.initiative_id == initiative.id
        ],
    }


@dataclass(frozen=True)
class FoldedRecord:
    """One published record checked against the reference data: an initiative with its figures, a note,
    or the problem that keeps it off the map."""

    record_id: str
    provenance: Provenance
    initiative: Initiative | None = None
    outcomes: tuple[Outcome, ...] = ()
    note: Note | None = None
    problem: str = ""


def fold_record(record: RegisterRecord, reference: Reference) -> FoldedRecord:
    """A published record checked into the snapshot's terms (as published, not as new input)."""
    mark = Provenance("register", record.published_at.date().isoformat(), record.organisation, record.self_published)
    try:
        if record.kind == "note":
            note = validate_note(record.payload, reference, incoming=False)
            return FoldedRecord(
                record.record_id,
                mark,
                note=Note(
                    record.record_id,
                    note["about_id"],
                    note["note_kind"],
                    note["text"],
                    note["source"],
                    mark,
                    note.get("figure_id", ""),
                ),
            )
        initiative, figures = validate_initiative(record.payload, record.record_id, reference, incoming=False)
        return FoldedRecord(record.record_id, mark, initiative=initiative, outcomes=figures)
    except SubmissionInvalid as exc:
        return FoldedRecord(record.record_id, mark, problem=f"register record {record.record_id}: {exc}")


def assemble(paper: Dataset, folded: Iterable[FoldedRecord]) -> Dataset:
    """The paper's dataset with the register's checked records added, each marked by its source.

    A published record that no longer validates (say a theme was retired from the reference data) is
    left out of the map and named in `register_problems`, so it is logged and shown, never lost.
    """
    folded = list(folded)
    initiatives = tuple(f.initiative for f in folded if f.initiative is not None)
    if not folded:
        return paper
    return replace(
        paper,
        initiatives=paper.initiatives + initiatives,
        outcomes=paper.outcomes + tuple(o for f in folded for o in f.outcomes),
        case_studies=paper.case_studies + ((REGISTER_CASE_STUDY,) if initiatives else ()),
        provenance=MappingProxyType({f.record_id: f.provenance for f in folded if f.initiative is not None}),
        notes=tuple(f.note for f in folded if f.note is not None),
        register_problems=tuple(f.problem for f in folded if f.problem),
    )


def with_register(paper: Dataset, records: Iterable[RegisterRecord]) -> Dataset:
    """The paper plus published records, each checked afresh (`assemble` for records checked before)."""
    reference = Reference.of(paper)
    return assemble(paper, (fold_record(r, reference) for r in records))


def csv_row(record: Initiative | Outcome | CaseStudy) -> dict[str, str]:
    """A record as a row of its curated CSV file (data/initiatives.csv, outcomes.csv or case_studies.csv)."""
    row = {}
    for name, value in record.model_dump().items():
        if isinstance(value, tuple):
            row[name] = "|".join(value)
        elif value is None:
            row[name] = ""
        elif isinstance(value, float):
            row[name] = f"{value:g}"
        else:
            row[name] = str(value)
    return row


def register_records_of(dataset: Dataset) -> tuple[tuple[Initiative, ...], tuple[Outcome, ...]]:
    """The register's initiatives and their figures in a snapshot, apart from the paper's."""
    initiatives = tuple(i for i in dataset.initiatives if i.id in dataset.provenance)
    ids = {i.id for i in initiatives}
    return initiatives, tuple(o for o in dataset.outcomes if o.initiative_id in ids)


# ---- updates: what the form loads, what it sends back, what a reviewer reads ---------------------------

FIELD_LABELS = {
    "title": "Title",
    "force_ids": "Force areas",
    "place": "Place",
    "lead_organisations": "Lead organisations",
    "partners": "Partners",
    "themes": "Themes",
    "kind_of_work": "Kind of work",
    "stage": "Stage",
    "status": "Status (before 3.0.0)",
    "evaluation": "Evaluation",
    "start_year": "First year",
    "end_year": "Last year",
    "summary": "Summary",
    "source": "Source",
    "figures": "Figures",
    "about_id": "Initiative",
    "note_kind": "Kind of note",
    "text": "Note",
    "figure_id": "Figure",
    "measure": "What was measured",
    "value": "Value",
    "unit": "Unit",
    "qualifier": "Qualifier",
    "direction": "Direction",
    "period": "Period",
    "comparator": "Compared with",
    "kind": "Kind of figure",
    "design": "How it was obtained (design)",
    "caveat": "Caveat",
    "record_id": "What this proposal is",
}


def shown_value(value: object) -> str:
    """A stored value as a person reads it: 40 not 40.0, a list joined, nothing as a dash."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "; ".join(shown_value(v) for v in value) if value else "—"
    if value is None or value == "":
        return "—"
    return str(value)


def form_text(value: object) -> str:
    """A stored value as a form's field holds it: 40 not 40.0, nothing as empty text."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).strip()


def form_figure(figure: Mapping[str, Any]) -> dict[str, str]:
    """A stored figure as a row of the form shows it, every field as text."""
    return {name: form_text(figure.get(name)) for name in FIGURE_FIELDS}


def merge_figures(current: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The figures an update sends: the record's `current` figures, loaded into the form's `rows` in order.

    A row left as the form showed it is the record's figure exactly as stored (its number a number,
    nothing re-typed); a changed row is what the contributor wrote; an emptied row removes its figure; a
    row past the record's figures adds one; figures the form has no row for are kept as they are.
    """
    merged: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        typed = {name: form_text(row.get(name)) for name in FIGURE_FIELDS}
        stored = current[index] if index < len(current) else None
        if stored is not None and typed == form_figure(stored):
            merged.append(dict(stored))
        elif any(typed.values()):
            merged.append({name: row.get(name) for name in FIGURE_FIELDS})
    merged.extend(dict(figure) for figure in current[len(rows) :])
    return merged


def figures_sourced(figures: Sequence[Mapping[str, Any]], initiative_source: object) -> list[dict[str, Any]]:
    """Each figure with its own source, a blank one taking the initiative's: most figures come from the report
    the initiative cites, and a contributor should not have to type it again. The source is stored with the
    figure, so the figure keeps it if the initiative's source changes later."""
    fallback = _text(initiative_source)
    return [
        {**figure, "source": figure.get("source") if _text(figure.get("source")) else fallback} for figure in figures
    ]


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class FigureChange:
    change: Literal["added", "removed", "changed"]
    before: str
    after: str
    fields: tuple[str, ...] = ()  # a changed figure's changed fields, by the form's labels: what to compare


@dataclass(frozen=True)
class ReviewDiff:
    """What a proposal changes, in words: fields by their labels, figures as rows, and a warning in plain
    words when figures would be removed."""

    fields: tuple[FieldChange, ...]
    figures: tuple[FigureChange, ...]
    warning: str = ""


# How a figure's unit reads beside its number, as the dashboard shows it (domain.aggregation.format_value): a count is
# the number alone. A unit the form does not offer (a bad submission) is written after the number as sent.
UNIT_FORMS = {"percent": "{}%", "GBP": "£{}", "count": "{}"}


def figure_reading(figure: Mapping[str, Any]) -> str:
    """A submitted figure's amount as the dashboard reads it: 'a fall of around 30%', 'a rise of 5', '120' for a
    level; a direction or unit outside the vocabulary is written as sent."""
    value, unit = form_text(figure.get("value")) or "(no value)", form_text(figure.get("unit"))
    amount = UNIT_FORMS.get(unit, "{} " + unit if unit else "{}").format(value)
    if form_text(figure.get("qualifier")):
        amount = f"{form_text(figure.get('qualifier'))} {amount}"
    direction = form_text(figure.get("direction"))
    if direction in ("reduction", "increase"):
        return f"a {'fall' if direction == 'reduction' else 'rise'} of {amount}"
    return amount if direction in ("level", "") else f"{direction}, {amount}"


def describe_figure(figure: Mapping[str, Any]) -> str:
    """One figure in a line: 'Detentions: a fall of around 30% (first year, against 2018); result; design: …;
    source: …' (design and caveat only where given)."""
    context = ", ".join(
        p
        for p in (
            form_text(figure.get("period")),
            f"against {form_text(figure.get('comparator'))}" if figure.get("comparator") else "",
        )
        if p
    )
    line = f"{form_text(figure.get('measure')) or '(no measure)'}: {figure_reading(figure)}"
    if context:
        line += f" ({context})"
    line += f"; {form_text(figure.get('kind')) or '—'}"
    for name in ("design", "caveat"):
        if form_text(figure.get(name)):
            line += f"; {name}: {form_text(figure.get(name))}"
    return f"{line}; source: {form_text(figure.get('source')) or '—'}"


def _figures_of(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    figures = payload.get("figures")
    return [f for f in figures if isinstance(f, Mapping)] if isinstance(figures, (list, tuple)) else []


def _figure_changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[FigureChange]:
    """Figures in both are unchanged; of the rest, old and new pair up in order as changed, and what is left
    over was removed or added."""
    remaining_new = [form_figure(f) for f in new]
    removed_or_changed = []
    for figure in (form_figure(f) for f in old):
        if figure in remaining_new:
            remaining_new.remove(figure)
        else:
            removed_or_changed.append(figure)
    changes = [
        FigureChange(
            "changed",
            describe_figure(a),
            describe_figure(b),
            tuple(FIELD_LABELS[name] for name in FIGURE_FIELDS if a.get(name) != b.get(name)),
        )
        for a, b in zip(removed_or_changed, remaining_new, strict=False)
    ]
    paired = len(changes)
    changes += [FigureChange("removed", describe_figure(f), "—") for f in removed_or_changed[paired:]]
    changes += [FigureChange("added", "—", describe_figure(f)) for f in remaining_new[paired:]]
    return changes


def record_names(dataset: Dataset) -> dict[str, str]:
    """What a note is about, in words, by id: an initiative by its title, a figure by its measure and initiative
    ("Section 136 detentions, of Leicestershire mental health triage car"). Ids are for machines."""
    titles = {i.id: i.title for i in dataset.initiatives}
    figures = {
        o.id: f"{o.measure}, of {titles[o.initiative_id]}" if o.initiative_id in titles else o.measure
        for o in dataset.outcomes
    }
    return {**titles, **figures}


def named_record(names: Mapping[str, str], record_id: object) -> str:
    """A record's name with its id after it, "Leicestershire mental health triage car (leicestershire-triage-car)",
    or the id alone when it names nothing known."""
    text = shown_value(record_id)
    return f"{names[text]} ({text})" if text in names else text


def review_diff(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    force_names: Mapping[str, str],
    theme_names: Mapping[str, str],
    records: Mapping[str, str] = MappingProxyType({}),
) -> ReviewDiff:
    """What `new` changes of `old` (empty for a new record), as a reviewer reads it. `records`: initiatives' and
    figures' names by id (`record_names`), for what a note is about."""

    def words(field: str, value: object) -> str:
        if field in ("about_id", "figure_id") and value:
            return named_record(records, value)
        names = force_names if field == "force_ids" else theme_names if field == "themes" else None
        if field == "force_ids" and isinstance(value, (list, tuple)) and not value:
            return "none: national work"
        if names is not None and isinstance(value, (list, tuple)) and value:
            return "; ".join(names.get(v, str(v)) if isinstance(v, str) else shown_value(v) for v in value)
        return shown_value(value)

    present = {*old, *new} - {"figures"}
    in_form_order = [k for k in dict.fromkeys((*INITIATIVE_FIELDS, *NOTE_FIELDS)) if k in present]
    fields = tuple(
        FieldChange(FIELD_LABELS.get(key, key), words(key, old.get(key)), words(key, new.get(key)))
        for key in [*in_form_order, *sorted(present - set(in_form_order))]
        if words(key, old.get(key)) != words(key, new.get(key))
    )
    figures = tuple(_figure_changes(_figures_of(old), _figures_of(new)))
    removed = [f for f in figures if f.change == "removed"]
    warning = ""
    if removed:
        count = len(_figures_of(old))
        listed = "; ".join(f"“{f.before.split(':', 1)[0]}”" for f in removed)
        warning = (
            f"This update removes {len(removed)} of the record's {count} figure{'s' if count != 1 else ''}: "
            f"{listed}. Publish it only if the contributor meant to remove {'them' if len(removed) > 1 else 'it'}."
        )
    return ReviewDiff(fields, figures, warning)


# What the form says beside a field left empty that must be filled: a whole sentence saying what to do.
REQUIRED_SENTENCES = {
    "title": "Give the initiative a title.",
    "place": "Say where the work happens: a town, a county or a region.",
    "lead_organisations": "Name at least one lead organisation.",
    "themes": "Choose at least one theme.",
    "kind_of_work": "Choose what kind of work this is.",
    "stage": "Choose the stage the work is at.",
    "evaluation": "Choose how the initiative was evaluated.",
    "summary": "Describe the initiative in your own words.",
    "source": "Give a source: a link to the evidence, or a citation.",
    "measure": "Say what was measured.",
    "value": "Give the figure's value, as a number.",
    "unit": "Choose the figure's unit.",
    "direction": "Choose the figure's direction.",
    "kind": "Choose the kind of figure.",
    "about_id": "Choose the initiative the note is about.",
    "note_kind": "Choose the kind of note.",
    "record_id": "Choose the register record to update.",
}
_REQUIRED_MESSAGES = ("is required", "must list at least one value", "choose at least one theme")


def sentence(problem: FieldProblem) -> str:
    """A problem as a whole sentence for beside its field: "Give the initiative a title." for "is required",
    "Title is longer than 200 characters." for a fragment, and a message that is a sentence as it is."""
    message = problem.message.strip()
    if message[:1].isupper() and message.endswith("."):
        return message
    leaf = problem.field.rsplit(".", 1)[-1]
    if message.startswith(_REQUIRED_MESSAGES) and leaf in REQUIRED_SENTENCES:
        return REQUIRED_SENTENCES[leaf]
    first_word = message.split(" ", 1)[0]
    if first_word in ("is", "must", "has", "lists", "contains"):
        message = f"{FIELD_LABELS.get(leaf, 'This')} {message}"
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else f"{message}."
