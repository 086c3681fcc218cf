"""Dataset 3.0.0: the unit of record applied by one rule everywhere, the kind of work apart from its stage,
and every result saying how it was obtained.

The rule is written in data/inventory.csv: each thing the paper names carries the clause of the unit of
record that settles it (`rule`), and each clause gives one decision. These tests hold the real dataset to
it, and check the behaviour of the records on small fixtures built here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.loading import load_dataset
from domain.schema import RULE_DECISION, STATUS_AS_KIND_AND_STAGE, Initiative, InventoryEntry, Outcome, status_of

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA_DIR)


def _entries(dataset, rule: str):
    return [e for e in dataset.inventory if e.rule == rule]


def _on_map(dataset):
    """Rows a force area counts: those placed in a territorial force."""
    return [i for i in dataset.initiatives if any(dataset.forces_by_id[f].kind == "territorial" for f in i.force_ids)]


# --- the unit of record ------------------------------------------------------------------------


def test_unit001_every_entry_is_decided_by_its_clause_of_the_rule(dataset):
    assert {e.rule for e in dataset.inventory} <= set(RULE_DECISION)
    assert [e.name for e in dataset.inventory if e.decision != RULE_DECISION[e.rule]] == []


def test_unit002_no_possibility_or_area_for_partnership_is_a_row_or_counted_on_the_map(dataset):
    possibilities = _entries(dataset, "possibility")
    assert {e.initiative_id for e in possibilities} == {None}
    phrases = " ".join(e.paper_phrase.lower() for e in possibilities)
    assert "hot weather" in phrases and "training for first responders" in phrases
    # What 2.0.0 counted on the map although the paper only raised it, or it was an umbrella or a board strand.
    for gone in (
        "gloucestershire-first-words",
        "met-heat-intelligence-sharing",
        "gloucestershire-digital-intelligence",
        "avenger-task-force",
    ):
        assert gone not in dataset.initiatives_by_id
    assert [i.id for i in dataset.initiatives if i.stage == "proposed"] == []
    # Only work under way or done is counted where a force is coloured; a firm plan is a row, off the map here.
    assert {i.stage for i in _on_map(dataset)} <= {"running", "in development", "completed"}


def test_unit003_conferences_are_decided_alike_wherever_the_paper_names_them(dataset):
    conferences = [e for e in dataset.inventory if "conference" in e.name.lower() or "summit" in e.name.lower()]
    assert len(conferences) == 3
    # A single named event with its own date is a row; a body's standing habit of holding them is part of its row.
    for entry in conferences:
        if entry.rule == "one-off event":
            row = dataset.initiatives_by_id[entry.initiative_id]
            assert (row.kind_of_work, row.start_year is not None) == ("event", True), entry.name
        else:
            assert entry.rule == "step of a row" and "standing activity" in entry.reason, entry.name
    rows_of_events = {i.id for i in dataset.initiatives if i.kind_of_work == "event"}
    assert rows_of_events == {e.initiative_id for e in _entries(dataset, "one-off event")}


def test_unit004_follow_on_work_is_a_row_of_its_own_everywhere(dataset):
    follow_on = _entries(dataset, "follow-on work")
    assert {e.initiative_id for e in follow_on} == {"wiltshire-continuing-joint-work", "met-outbreak-advice"}
    for entry in follow_on:
        row = dataset.initiatives_by_id[entry.initiative_id]
        assert row.stage == "running"
        # The work it follows is over, and no longer carries the later work as if it were its own.
        before = [i for i in dataset.initiatives if i.case_study == row.case_study and i.id != row.id]
        assert [i.stage for i in before] == ["completed"]
    assert dataset.initiatives_by_id["wiltshire-modern-slavery-operation"].end_year is None
    parts = [e for e in dataset.inventory if "Wiltshire follow-on" in e.name]
    assert {e.initiative_id for e in parts} == {"wiltshire-continuing-joint-work"}


def test_unit005_the_named_cases_are_settled_with_a_reason(dataset):
    by_phrase = {e.paper_phrase.lower(): e for e in dataset.inventory}
    cse = by_phrase["to raise awareness of cse"]
    assert (cse.rule, cse.decision) == ("general statement", "not an initiative") and cse.reason
    nurses = by_phrase["in post to cover railways across england and wales"]
    assert (nurses.decision, nurses.initiative_id) == ("part of row", "btp-suicide-prevention")
    schools = by_phrase["uk approach to ace informed schools"]
    assert (schools.decision, schools.initiative_id) == ("own row", "wm-ace-informed-schools")
    assert dataset.initiatives_by_id["wm-ace-informed-schools"].stage == "planned"
    assert "adverse-childhood-experiences" not in dataset.initiatives_by_id["wm-mentors-in-violence-prevention"].themes
    planned_service = next(e for e in dataset.inventory if e.name.startswith("Proactive response service"))
    assert (planned_service.rule, planned_service.initiative_id) == ("step of a row", "leicestershire-triage-car")
    # The exclusion criterion is what the paper describes, not whether a public health body is named.
    ceop = next(e for e in dataset.inventory if "CEOP" in e.name)
    assert ceop.rule == "general statement" and "public health" not in ceop.reason
    for entry in dataset.inventory:
        if entry.rule in ("possibility", "umbrella", "general statement", "follow-on work", "one-off event"):
            assert len(entry.reason) >= 10, entry.name


def test_unit006_the_possible_btp_double_count_is_said_in_both_rows(dataset):
    for row in ("btp-mental-health-liaison", "btp-mental-health-triage"):
        assert "does not say whether" in dataset.initiatives_by_id[row].summary


# The six "key resources and interventions underway as part of the WMVPA" (paper L591-608), by the phrase
# each inventory entry quotes, and the row each belongs to.
ALLIANCE_LIST = {
    "west midlands police force strategic assessment 2016 17": "wm-violence-prevention-alliance",
    "west midlands injury surveillance system": "wm-violence-prevention-alliance",
    "preventative resilience building programmes": "wm-mentors-in-violence-prevention",
    "advocacy into the range of health partners": "wm-violence-prevention-alliance",
    "between west midlands police and": "wm-violence-prevention-alliance",
    "hosting conferences and seminars": "wm-violence-prevention-alliance",
}


def test_unit008_the_alliances_strands_are_decided_by_the_test_that_folds_gloucestershires(dataset):
    """Before: the shared posts and the injury surveillance system were rows of their own (West Midlands 4 on the
    map), though like Gloucestershire's digital intelligence they have no lead, place or period of their own."""
    by_phrase = {e.paper_phrase.lower(): e for e in dataset.inventory}
    decided = {phrase: (by_phrase[phrase].decision, by_phrase[phrase].initiative_id) for phrase in ALLIANCE_LIST}
    assert decided == {phrase: ("part of row", row) for phrase, row in ALLIANCE_LIST.items()}
    digital = by_phrase["sharing of cyber intelligence"]
    assert (digital.rule, digital.initiative_id) == ("step of a row", "gloucestershire-health-wellbeing-board")
    # Each strand says why, naming the test it shares with Gloucestershire's.
    for phrase in ("west midlands injury surveillance system", "between west midlands police and"):
        entry = by_phrase[phrase]
        assert entry.rule == "step of a row" and "digital intelligence" in entry.reason, phrase
        assert "no place or period of its own" in entry.reason or "no lead, place or period" in entry.reason, phrase
    for gone in ("wm-shared-posts", "wm-injury-surveillance"):
        assert gone not in dataset.initiatives_by_id
    # The two posts are the alliance's own figure now, and its summary says what the strands are.
    assert {o.initiative_id for o in dataset.outcomes if o.id == "fig-031"} == {"wm-violence-prevention-alliance"}
    alliance = dataset.initiatives_by_id["wm-violence-prevention-alliance"]
    assert "injury surveillance" in alliance.summary and "shared posts" in alliance.summary
    assert sum(1 for i in _on_map(dataset) if "E23000014" in i.force_ids) == 2


def test_unit009_work_led_by_another_rows_body_is_a_row_only_with_a_place_scope_or_period_of_its_own(dataset):
    """The rule, for every case study: a row whose lead is the body another row records (the alliance's MVP,
    IRIS and UK schools plan) must differ from that row in place, scope or years, or it is that row's strand."""
    for row in dataset.initiatives:
        for body in dataset.initiatives:
            if body.id != row.id and body.case_study == row.case_study and row.lead_organisations == (body.title,):
                own = (row.place, row.scope, row.start_year) != (body.place, body.scope, body.start_year)
                assert own, f"{row.id} is a strand of {body.id}: no place, scope or period of its own"


def test_unit007_a_clause_that_gives_another_decision_is_refused():
    entry = dict(
        name="A thing",
        kind="event",
        case_study="cs",
        paper_phrase="a thing",
        decision="own row",
        initiative_id="a",
        rule="possibility",
    )
    with pytest.raises(ValidationError, match="rule 'possibility' gives decision 'not an initiative'"):
        InventoryEntry.model_validate(entry)
    assert InventoryEntry.model_validate({**entry, "rule": "one-off event"}).decision == "own row"


# --- kind of work and stage --------------------------------------------------------------------

ROW = dict(
    id="a",
    title="A",
    case_study="cs",
    scope="national",
    place="England",
    lead_organisations="Lead",
    themes="t",
    evaluation="none reported",
    summary="A summary that is long enough.",
    section="S",
)


def test_split001_every_curated_row_says_its_kind_and_its_stage(dataset):
    assert all(i.kind_of_work != "not stated" for i in dataset.initiatives)
    pairs = {i.id: (i.kind_of_work, i.stage) for i in dataset.initiatives}
    # The cases 2.0.0's one word could not say: a conference, a pilot running for years, a charter under way.
    assert pairs["north-east-alcohol-harm-conference"] == ("event", "completed")
    assert pairs["btp-mental-health-triage"] == ("pilot", "running")
    assert pairs["workplace-wellbeing-charter"] == ("programme", "in development")
    assert pairs["avon-somerset-cse-campaign"] == ("campaign", "running")
    assert pairs["met-stay-well-this-winter"] == ("campaign", "in development")


def test_split002_a_register_status_word_becomes_a_kind_and_a_stage_and_comes_back_unchanged():
    for status, (kind, stage) in STATUS_AS_KIND_AND_STAGE.items():
        record = Initiative.model_validate({**ROW, "status": status})
        assert (record.kind_of_work, record.stage, record.status) == (kind, stage, status)
        assert status_of(kind, stage) == status
    assert "status" not in Initiative.model_validate({**ROW, "status": "pilot"}).model_dump()


def test_split003_a_curated_row_derives_the_status_word_the_register_still_shows():
    record = Initiative.model_validate({**ROW, "kind_of_work": "event", "stage": "completed"})
    assert record.status == "one-off operation"
    assert Initiative.model_validate({**ROW, "kind_of_work": "pilot", "stage": "running"}).status == "pilot"


def test_split004_an_unknown_or_empty_status_word_is_the_one_error_reported():
    for word in ("rumoured", ""):
        with pytest.raises(ValidationError) as info:
            Initiative.model_validate({**ROW, "status": word})
        assert [e["loc"] for e in info.value.errors()] == [("status",)], word


def test_split005_a_record_read_back_from_its_own_dump_is_the_same_record():
    for status in STATUS_AS_KIND_AND_STAGE:
        record = Initiative.model_validate({**ROW, "status": status})
        assert Initiative.model_validate(record.model_dump()) == record


# --- how each result was obtained ---------------------------------------------------------------


def test_design001_every_result_says_how_it_was_obtained(dataset):
    results = [o for o in dataset.outcomes if o.is_result]
    assert len(results) == 4
    assert [o.id for o in results if len(o.design) < 20] == []
    by_id = {o.id: o for o in dataset.outcomes}
    assert "not like with like" in by_id["fig-022"].caveat
    # The saving "equating to" the 94% fall is the same finding in pounds: derived, never counted as a result.
    assert by_id["fig-033"].kind == "derived from a result" and not by_id["fig-033"].is_result
    assert "derived from" in by_id["fig-033"].caveat and "fig-032" in by_id["fig-033"].caveat
    assert by_id["fig-043"].comparator == "baseline not stated" and by_id["fig-043"].caveat
    assert by_id["fig-024"].kind == "activity or parameter"
    # The early findings in the passage belong to the ambulance-data project and concern data, not effect: the
    # alliance's row, which now holds the surveillance strand and that project, reports no evaluation.
    assert dataset.initiatives_by_id["wm-violence-prevention-alliance"].evaluation == "none reported"
    ambulance = next(e for e in dataset.inventory if e.paper_phrase == "test the utility of ambulance data")
    assert ambulance.initiative_id == "wm-violence-prevention-alliance"


def test_design003_the_results_map_counts_one_finding_once(dataset):
    """Before: fig-033 was a result, so Lancashire read 2 results reported, as Leicestershire does with two
    separate findings; the saving is the 94% fall in pounds."""
    from domain.aggregation import force_counts
    from domain.joining import join_initiatives

    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    counts = {c.force_id: c.results for c in force_counts(dataset, join, dataset.initiatives, show_wales=False)}
    assert (counts["E23000003"], counts["E23000021"]) == (1, 2)  # Lancashire, Leicestershire
    assert sum(counts.values()) == 3  # the two forces' three results; BTP's 1% is off the map


def test_design004_a_derived_figure_names_its_initiative_and_what_it_derives_from():
    figure = dict(
        id="f",
        initiative_id="a",
        case_study="cs",
        measure="Saving",
        value=10,
        unit="GBP",
        direction="level",
        kind="derived from a result",
        design="an estimate",
        caveat="derived from the fall in offending",
        section="S",
    )
    assert not Outcome.model_validate(figure).is_result
    with pytest.raises(ValidationError, match="says in its caveat 'derived from' which result"):
        Outcome.model_validate({**figure, "caveat": ""})
    with pytest.raises(ValidationError, match="names its initiative"):
        Outcome.model_validate({**figure, "initiative_id": ""})


def test_design005_a_derived_figure_without_its_result_is_refused_with_file_row_and_column(tmp_path):
    """The loader names the row: a saving derived from a result that is not there restates nothing."""
    import shutil

    from domain.loading import DataValidationError

    shutil.copytree(DATA_DIR, tmp_path / "data")
    path = tmp_path / "data" / "outcomes.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if line.startswith("fig-032,"))
    lines[at] = lines[at].replace(",result,", ",activity or parameter,").replace(",reduction,", ",level,")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_dataset(tmp_path / "data")
    assert [str(p) for p in info.value.problems] == [
        f"data/outcomes.csv:{at + 2}:kind: a figure derived from a result needs that result: initiative "
        "'jobs-friends-houses' has no figure of kind 'result'"
    ]


def test_design002_a_figure_carries_its_design_and_caveat_as_given():
    figure = Outcome(
        id="f",
        initiative_id="a",
        case_study="cs",
        measure="M",
        value=1,
        unit="percent",
        direction="level",
        kind="result",
        design="the service's own records",
        caveat="not like with like",
        section="S",
    )
    assert (figure.design, figure.caveat) == ("the service's own records", "not like with like")
