"""What the register refuses in its input (issue 20, item 8), what an update sends back (item 1), and how
a reviewer reads the change: pure functions of domain/register.py, shared by the form and the import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.register import (
    FieldProblem,
    SubmissionInvalid,
    figures_sourced,
    merge_figures,
    review_diff,
    sentence,
    text_problems,
    validate_initiative,
    validate_note,
)
from components.register.review import figure_change_label
from domain.loading import DataValidationError, load_dataset
from tests.fixtures_data import small_records, write_data_dir
from tests.register_requests import VALID_FIGURE, reference, valid_payload

VALID_NOTE = {
    "about_id": "aston-project",
    "note_kind": "erratum",
    "text": "The paper gives the wrong year for the pilot's start.",
    "source": "https://example.org/erratum",
}


def problems_of(payload: dict, note: bool = False) -> dict[str, list[str]]:
    try:
        validate_note(payload, reference()) if note else validate_initiative(payload, "new", reference())
    except SubmissionInvalid as exc:
        return exc.by_field()
    return {}


# --- item 8: input the register refuses ------------------------------------------------------------------

REFUSED = [
    # (field, value, words the message must hold)
    ("title", "Street\x00triage", "control character"),
    ("title", "Street\x07triage", "control character"),
    ("place", "Ashford\x1b[31m", "control character"),
    ("title", "Street triage\nin Ashford", "control character"),  # a one-line field
    ("title", "Street \u202etriage", "reverses the direction"),
    ("summary", "Nurses ride \u2066with\u2069 officers on weekend nights.", "reverses the direction"),
    ("place", "\u200b\u200b", "only invisible characters"),
    ("title", "\u200b\ufeff\u2060", "only invisible characters"),
    ("title", '=HYPERLINK("https://evil.example", "x")', "formula"),
    ("title", "+44 street triage", "formula"),
    ("title", "-3 detentions", "formula"),
    ("title", "@SUM(A1)", "formula"),
    ("summary", "\tA tab first, which a spreadsheet reads as a formula start.", "formula"),
    ("source", "=cmd|' /C calc'!A0", "formula"),
    ("lead_organisations", 'Kent Police | =HYPERLINK("x")', "formula"),
    ("partners", "@Council", "formula"),
]


@pytest.mark.parametrize(
    ("field", "value", "words"), REFUSED, ids=[f"{f}-{w}-{i}" for i, (f, _, w) in enumerate(REFUSED)]
)
def test_reg_in001_refused_text_is_named_on_its_field_in_a_sentence(field, value, words):
    problems = problems_of(valid_payload(**{field: value}))
    assert field in problems, problems
    messages = " ".join(problems[field])
    assert words in messages
    assert any(m[:1].isupper() and m.endswith(".") for m in problems[field])


FIGURE_REFUSED = [
    ("measure", "=1+1", "formula"),
    ("period", "\x00", "control character"),
    ("comparator", "\u202ethe year before", "reverses the direction"),
    ("source", "@evil", "formula"),
    ("measure", "\u200b", "only invisible characters"),
]


@pytest.mark.parametrize(("field", "value", "words"), FIGURE_REFUSED)
def test_reg_in002_refused_text_in_a_figure_is_named_on_the_figures_field(field, value, words):
    problems = problems_of(valid_payload(figures=[{**VALID_FIGURE, field: value}]))
    assert words in " ".join(problems[f"figures.0.{field}"])


@pytest.mark.parametrize("field", ["text", "source"])
@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("=1+1 is the erratum's whole text here.", "formula"),
        ("An erratum with a NUL \x00 inside it, refused.", "control character"),
        ("An erratum \u202ewith a direction override inside.", "reverses"),
    ],
)
def test_reg_in003_a_note_refuses_the_same_text(field, value, words):
    problems = problems_of({**VALID_NOTE, field: value}, note=True)
    assert words in " ".join(problems[field])


def test_reg_in004_a_required_title_of_invisible_characters_is_empty():
    problems = problems_of(valid_payload(title="\u200b\u200c\u200d"))
    assert "Give the initiative a title." in [sentence(FieldProblem("title", m)) for m in problems["title"]]


@pytest.mark.parametrize("unit", ["hours", "months", "years", "percentage points", "count", "days"])
def test_reg_in005_a_negative_value_is_refused_for_every_unit(unit):
    figure = {**VALID_FIGURE, "unit": unit, "value": "-3"}
    problems = problems_of(valid_payload(figures=[figure]))
    assert (
        "Give the size of the change as a positive number; “Direction” says whether it went up or down."
        in problems["figures.0.value"]
    )


ACCEPTED = [
    ("title", "Street triage – Ashford’s “nights”"),
    ("title", "Triage in Ashford = less detention"),
    ("place", "Bradford (بريدفورد)"),
    ("summary", "Two lines:\nnurses ride with officers.\tA tab inside is fine."),
    ("summary", "Persian joins letters with a zero\u200cwidth non-joiner: می\u200cخواهم."),
    ("lead_organisations", "Kent Police | NHS-Kent"),
    ("title", "3 nights a week"),
]


@pytest.mark.parametrize(("field", "value"), ACCEPTED)
def test_reg_in006_ordinary_text_is_accepted(field, value):
    assert problems_of(valid_payload(**{field: value})) == {}


def test_reg_in007_a_zero_or_positive_value_is_accepted():
    for value in ("0", "3", "+3", "0.5"):
        assert problems_of(valid_payload(figures=[{**VALID_FIGURE, "value": value}])) == {}, value


def test_reg_in008_the_checks_are_one_function_for_the_import_too():
    assert text_problems("title", "fine text") == []
    assert [p.field for p in text_problems("figures.2.measure", "=x")] == ["figures.2.measure"]


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        (FieldProblem("title", "is required"), "Give the initiative a title."),
        (FieldProblem("themes", "choose at least one theme"), "Choose at least one theme."),
        (FieldProblem("title", "is longer than 200 characters"), "Title is longer than 200 characters."),
        (FieldProblem("figures.0.unit", "is required: choose one of the options"), "Choose the figure's unit."),
        (FieldProblem("figures.0.value", "'x' is not a number"), "'x' is not a number."),
        (
            FieldProblem("source", "is required: a link to the evidence, or a citation"),
            "Give a source: a link to the evidence, or a citation.",
        ),
        (FieldProblem("title", "This holds only invisible characters."), "This holds only invisible characters."),
    ],
)
def test_reg_in009_every_problem_reads_as_a_whole_sentence(problem, expected):
    assert sentence(problem) == expected


def test_reg_in010_a_summary_too_short_says_how_long_in_the_forms_words():
    """Trial 11 (medium): a short summary gave the validator's own words, "String should have at least 20
    characters", and nothing on the form had said so beforehand (its hint now does)."""
    problems = problems_of(valid_payload(summary="Nurses ride along."))
    assert [sentence(FieldProblem("summary", m)) for m in problems["summary"]] == [
        "Summary needs at least 20 characters; this has 18."
    ]
    formula = problems_of(valid_payload(summary='=HYPERLINK("x")'))["summary"]
    assert not any("String" in m for m in formula), formula


# --- item 1: an update changes only what it changes ----------------------------------------------------------

STORED = [
    {
        "measure": "Detentions under section 136",
        "value": 40.0,
        "unit": "percent",
        "qualifier": "",
        "direction": "reduction",
        "period": "first year",
        "comparator": "the year before",
        "kind": "result",
        "source": "https://example.org/a",
    },
    {
        "measure": "Hours saved",
        "value": 1250.5,
        "unit": "hours",
        "qualifier": "around",
        "direction": "reduction",
        "period": "2019",
        "comparator": "",
        "kind": "result",
        "source": "Annual report, p. 4",
    },
]


def as_form_rows(figures, rows=5):
    """What the form's rows hold once a record is loaded: text, numbers without a needless .0, the rest empty;
    a dropdown left empty is None."""
    loaded = [
        {
            k: (f"{v:g}" if isinstance(v, float) else (v if v != "" else None) if k == "qualifier" else v)
            for k, v in f.items()
        }
        for f in figures
    ]
    return loaded + [
        {k: ("" if k in ("measure", "value", "period", "comparator", "source") else None) for k in VALID_FIGURE}
        for _ in range(rows - len(figures))
    ]


def test_reg_merge001_rows_left_untouched_are_the_stored_figures_exactly():
    merged = merge_figures(STORED, as_form_rows(STORED))
    assert merged == STORED
    assert [type(f["value"]) for f in merged] == [float, float]


def test_reg_merge002_a_changed_row_replaces_only_its_figure():
    rows = as_form_rows(STORED)
    rows[1] = {**rows[1], "value": "1300"}
    merged = merge_figures(STORED, rows)
    assert merged[0] == STORED[0] and merged[0]["value"] == 40.0
    assert merged[1]["value"] == "1300" and merged[1]["measure"] == "Hours saved"


def test_reg_merge003_an_emptied_row_removes_its_figure_and_a_new_row_adds_one():
    rows = as_form_rows(STORED)
    rows[0] = {k: "" for k in rows[0]}
    rows[2] = {**VALID_FIGURE}
    assert merge_figures(STORED, rows) == [STORED[1], VALID_FIGURE]


def test_reg_merge004_figures_the_form_has_no_row_for_are_kept():
    many = [dict(STORED[0], measure=f"Measure {i}") for i in range(7)]
    assert merge_figures(many, as_form_rows(many[:5])) == many


def test_reg_merge005_a_figure_with_no_source_of_its_own_takes_the_initiatives():
    # Trial 13: a contributor had to type the report's citation again for each figure.
    own = {**VALID_FIGURE, "source": "Annual report, p. 4"}
    blank = {**VALID_FIGURE, "source": "  "}
    sourced = figures_sourced([own, blank, {**VALID_FIGURE, "source": None}], "https://example.org/report")
    assert [f["source"] for f in sourced] == ["Annual report, p. 4", *["https://example.org/report"] * 2]
    assert sourced[1] == {**VALID_FIGURE, "source": "https://example.org/report"}  # nothing else touched
    # With no initiative source either, the figure stays without one, and validation says so beside it.
    with pytest.raises(SubmissionInvalid) as refused:
        validate_initiative(valid_payload(source="", figures=figures_sourced([blank], "")), "new", reference())
    assert set(refused.value.by_field()) >= {"source", "figures.0.source"}


# --- item 1: the review diff in words -----------------------------------------------------------------------

FORCES = {"E23000032": "Kent Police", "E23000001": "Metropolitan Police Service"}
THEMES = {"mental-health": "Mental health", "alcohol": "Alcohol"}


def test_reg_diff001_fields_by_their_labels_with_names_and_plain_numbers():
    old = {
        "title": "Triage",
        "force_ids": ["E23000032"],
        "themes": ["mental-health"],
        "lead_organisations": ["Kent Police"],
        "start_year": 2019,
        "figures": STORED,
    }
    new = {
        **old,
        "title": "Street triage",
        "force_ids": ["E23000032", "E23000001"],
        "themes": ["alcohol"],
        "lead_organisations": ["Kent Police", "NHS trust"],
        "start_year": "2019",
        "figures": list(STORED),
    }
    diff = review_diff(old, new, FORCES, THEMES)
    assert [(c.label, c.before, c.after) for c in diff.fields] == [
        ("Title", "Triage", "Street triage"),
        ("Force areas", "Kent Police", "Kent Police; Metropolitan Police Service"),
        ("Lead organisations", "Kent Police", "Kent Police; NHS trust"),
        ("Themes", "Mental health", "Alcohol"),
    ]
    assert diff.figures == () and diff.warning == ""


def test_reg_diff002_figures_as_rows_added_removed_changed_and_a_warning_before_removal():
    changed = {**STORED[0], "value": 45.0}
    diff = review_diff({"figures": STORED}, {"figures": [changed, VALID_FIGURE]}, FORCES, THEMES)
    # Unmatched figures pair up in order: the first stored with the first new, and so on.
    assert [c.change for c in diff.figures] == ["changed", "changed"]
    assert "45%" in diff.figures[0].after
    # Trial 12 (low): a changed figure was two long lines to compare; it names what changed.
    assert diff.figures[0].fields == ("Value",)
    assert figure_change_label(diff.figures[0]) == "Figure changed: Value"
    diff = review_diff({"figures": STORED}, {"figures": [STORED[1]]}, FORCES, THEMES)
    assert figure_change_label(diff.figures[0]) == "Figure removed"
    assert [c.change for c in diff.figures] == ["removed"]
    assert "40%" in diff.figures[0].before and "40.0" not in diff.figures[0].before
    assert diff.warning.startswith("This update removes 1 of the record's 2 figures: “Detentions under section 136”")
    diff = review_diff({"figures": STORED}, {"figures": []}, FORCES, THEMES)
    assert diff.warning.startswith("This update removes 2 of the record's 2 figures")


def test_reg_in011_a_count_is_a_whole_number():
    """Trial 11 (low): the register took 12.5 as a count."""
    figure = {**VALID_FIGURE, "unit": "count", "value": "12.5", "direction": "level"}
    problems = problems_of(valid_payload(figures=[figure]))
    said = [sentence(FieldProblem(field, m)) for field, messages in problems.items() for m in messages]
    assert said == [
        "Value 12.5 is a count, so it must be a whole number; for a rate or an average, choose another Unit or say "
        "it in the measure."
    ], problems
    assert problems_of(valid_payload(figures=[{**figure, "value": "12"}])) == {}
    # A record published before this was asked stays on the map: the check is for new input only.
    _, figures = validate_initiative(valid_payload(figures=[figure]), "reg-1", reference(), incoming=False)
    assert [o.value for o in figures] == [12.5]


def test_reg_diff002b_a_figure_reads_as_the_dashboard_reads_it():
    """Trial 10 (low): the review diff read "level, 120 count". It reads as the dashboard does: "120"."""
    from domain.register import describe_figure

    level = {"measure": "People seen", "direction": "level", "value": 120.0, "unit": "count", "kind": "result"}
    assert describe_figure(level).startswith("People seen: 120; result; source:")
    fall = {**level, "direction": "reduction", "value": 30, "unit": "percent", "qualifier": "around"}
    assert describe_figure(fall).startswith("People seen: a fall of around 30%; result")
    odd = {**level, "direction": "sideways", "unit": "furlongs"}  # a submission outside the vocabulary, as sent
    assert describe_figure(odd).startswith("People seen: sideways, 120 furlongs; result")
    assert describe_figure({**level, "unit": "weeks", "value": ""}).startswith("People seen: (no value) weeks;")


def test_reg_diff003_an_unchanged_update_lists_nothing():
    old = {"title": "Triage", "start_year": 2019, "figures": STORED}
    assert review_diff(old, dict(old), FORCES, THEMES) == review_diff({}, {}, FORCES, THEMES)


def test_reg_in010_a_record_published_before_these_rules_stays_on_the_map():
    # Refusing such text at the door must not take an accepted record off the map when the next snapshot
    # folds it: the rules are for new input; the export neutralises old text for spreadsheets instead.
    from datetime import datetime, timezone

    from domain.register import RegisterRecord, fold_record

    old = valid_payload(
        title="=Street triage before the rules",
        summary="-3 detentions a month, said the pilot.",
        figures=[{**VALID_FIGURE, "unit": "hours", "value": -3}],
    )
    assert "title" in problems_of(old)  # refused as new input
    folded = fold_record(
        RegisterRecord("reg-0001", "initiative", old, datetime(2026, 1, 1, tzinfo=timezone.utc), "Kent PCC office"),
        reference(),
    )
    assert folded.problem == ""
    assert folded.initiative is not None and folded.initiative.title == "=Street triage before the rules"
    assert [o.value for o in folded.outcomes] == [-3]


# --- issue 22: a problem in the form's words, one reason each; the curated files keep their columns ---------

# What a fresh trial typed (First year 2019, Last year 2017, a fall of -30 percent), and more a form can send.
TRIAL = valid_payload(start_year="2019", end_year="2017", figures=[{**VALID_FIGURE, "value": "-30", "unit": "percent"}])
FORM_WORDS = [
    # (what the form sends, its field, the sentence shown, word for word)
    (
        TRIAL,
        "end_year",
        "Last year (2017) is before First year (2019): give the year the work ended, or leave Last year empty.",
    ),
    (
        TRIAL,
        "figures.0.value",
        "Give the size of the change as a positive number; “Direction” says whether it went up or down.",
    ),
    (
        valid_payload(figures=[{**VALID_FIGURE, "value": "194"}]),
        "figures.0.value",
        "Value 194 is more than 100, the most a value in percent can be here. If it is a change between two "
        "percentages (from 12% to 9%, say), give the difference and choose “percentage points” as the Unit.",
    ),
    (
        valid_payload(figures=[{**VALID_FIGURE, "value": "150", "unit": "percentage points"}]),
        "figures.0.value",
        "Value 150 is more than 100 percentage points, the most two percentages can differ by.",
    ),
    (
        valid_payload(figures=[{**VALID_FIGURE, "kind": "target or coverage", "direction": "increase"}]),
        "figures.0.direction",
        "A figure whose Kind of figure is “target or coverage” is a level, never a change: choose “level” as its "
        "Direction.",
    ),
    (
        valid_payload(figures=[{**VALID_FIGURE, "unit": "GBP", "value": "5000"}]),
        "figures.0.direction",
        "An amount of money (saved, spent or awarded) is a level, never a change: choose “level” as its "
        "Direction, and say “saving” in What was measured if it is one.",
    ),
    (
        valid_payload(start_year="19x9"),
        "start_year",
        "First year must be a year in figures, such as 2019; “19x9” is not.",
    ),
    (valid_payload(start_year="1700", end_year=""), "start_year", "First year must be 1800 or later."),
    (
        valid_payload(figures=[{**VALID_FIGURE, "value": "thirty"}]),
        "figures.0.value",
        "Value must be a number, such as 30; “thirty” is not.",
    ),
    # Trial 21 (low): the sentence did not say whether the sign or the decimal comma was wrong.
    (
        valid_payload(figures=[{**VALID_FIGURE, "value": "-12,5"}]),
        "figures.0.value",
        "Value must be a number, such as 30; “-12,5” is not. To fix it, write a decimal with a point (12.5) and "
        "leave out the minus sign: Direction says whether it went up or down.",
    ),
    (
        valid_payload(figures=[{**VALID_FIGURE, "value": "12,5"}]),
        "figures.0.value",
        "Value must be a number, such as 30; “12,5” is not. To fix it, write a decimal with a point (12.5).",
    ),
    (
        valid_payload(start_year="20,19"),
        "start_year",
        "First year must be a year in figures, such as 2019; “20,19” is not.",
    ),
]


@pytest.mark.parametrize(
    ("payload", "field", "expected"), FORM_WORDS, ids=[f"{i}-{f}" for i, (_, f, _) in enumerate(FORM_WORDS)]
)
def test_reg_in011_each_problem_is_one_sentence_in_the_forms_labels(payload, field, expected):
    problems = problems_of(payload)
    # One reason per field: the trial's -30 percent was told both to give a positive number and, in the next
    # sentence, to use percentage points, which contradicted it (the paper's own falls are stored in percent).
    assert [sentence(FieldProblem(field, m)) for m in problems[field]] == [expected]
    for messages in problems.values():
        for message in messages:
            assert not re.search(r"\b(start|end)_year\b|'percentage points'|unit '", message), message


def test_reg_in013_the_years_order_is_named_with_the_other_problems_not_after_they_are_fixed():
    # Before: with a title missing, "Last year is before First year" appeared only once the title was given.
    year_order = "Last year (2017) is before First year (2019): give the year the work ended, or leave Last year empty."
    with_others = problems_of(valid_payload(title="", place="", start_year="2019", end_year="2017"))
    assert {"title", "place"} <= set(with_others)
    assert with_others["end_year"] == [year_order]
    alone = problems_of(valid_payload(start_year="2019", end_year="2017"))
    assert alone == {"end_year": [year_order]}  # the schema's own rule and this one: one sentence, not two
    for start, end in (("2017", "2019"), ("2019", "2019"), ("2019", ""), ("19x9", "2017")):
        assert "end_year" not in problems_of(valid_payload(title="", start_year=start, end_year=end)), (start, end)


def test_reg_in012_the_curated_files_keep_their_column_names_file_row_and_column(tmp_path):
    """The rules the form words anew are the curated loader's too: there, a problem still names the file, the
    row and the column, in the columns' own names."""
    records = small_records()
    first = records["initiatives.csv"][0]
    figure = next(o for o in records["outcomes.csv"] if o.unit == "percent")
    records["initiatives.csv"] = (
        first.model_copy(update={"start_year": 2019, "end_year": 2017}),
        *records["initiatives.csv"][1:],
    )
    records["outcomes.csv"] = tuple(
        o.model_copy(update={"value": -30.0}) if o is figure else o for o in records["outcomes.csv"]
    )
    folder = write_data_dir(tmp_path / "data", records)
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder)
    figure_row = 2 + records["outcomes.csv"].index(next(o for o in records["outcomes.csv"] if o.id == figure.id))
    assert sorted(str(p).split("/", 1)[1] for p in info.value.problems) == [
        "initiatives.csv:2:end_year: end_year 2017 is before start_year 2019",
        f"outcomes.csv:{figure_row}:value: value -30 is a percent outside 0-100; use unit 'percentage points' "
        "for changes",
    ]


def test_reg_in014_a_link_may_be_followed_by_where_in_it_the_evidence_is():
    # Before: "https://example.org/hub-report-2022 p.4" was refused, though the field asks for a link or citation.
    assert "source" not in problems_of(valid_payload(source="https://example.org/hub-report-2022 p.4"))
    refused = problems_of(valid_payload(source="ftp://example.org/report p.4"))
    assert refused["source"] == [
        "A link must start with http:// or https://; put anything after it (a page, say) after a space."
    ]


def test_reg_in015_a_notes_kind_left_unchosen_is_asked_for_as_the_other_fields_are():
    # Before: "Kind of note must be one of erratum, follow-up.", where every other field says "Choose …".
    problems = problems_of({**VALID_NOTE, "note_kind": ""}, note=True)
    assert [sentence(FieldProblem("note_kind", m)) for m in problems["note_kind"]] == [
        "Choose the kind of note: erratum or follow-up."
    ]


def test_reg_diff004_a_note_is_named_by_what_it_is_about():
    """Trial 12 (medium): the queue and Your submissions named a note's initiative and figure by their ids
    ("Initiative — leicestershire-triage-car", "Figure — fig-043")."""
    from components.register.review import about_words
    from components.register.submissions import submission_item
    from domain.register import record_names
    from tests.unit.test_provenance import text_of

    dataset = load_dataset(Path(__file__).resolve().parents[2] / "data")
    names = record_names(dataset)
    figure = next(o for o in dataset.outcomes if o.initiative_id == "leicestershire-triage-car")
    note = {"about_id": "leicestershire-triage-car", "figure_id": figure.id, "note_kind": "erratum", "text": "x" * 30}
    diff = review_diff({}, note, {}, {}, names)
    said = {c.label: c.after for c in diff.fields}
    title = dataset.initiatives_by_id["leicestershire-triage-car"].title
    assert said["Initiative"] == f"{title} (leicestershire-triage-car)"
    assert said["Figure"] == f"{figure.measure}, of {title} ({figure.id})"
    assert about_words(note, names).startswith(f"{figure.measure}, of {title}")

    class Sent:  # a submission as the service lists it
        id, kind, status, payload = 4, "note", "pending", note
        submitted_at = __import__("datetime").datetime(2026, 12, 7, 9, 0)
        review_comment = withdrawn_reason = ""
        resent_as = None

    assert f"About\n{figure.measure}, of {title}" in text_of(submission_item(Sent(), names))
