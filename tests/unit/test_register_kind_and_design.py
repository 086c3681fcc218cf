"""The register in dataset 3.0.0's terms: an initiative gives its kind of work and its stage (a payload stored
with the older status word is read by mapping it), and a result says how it was obtained (design, caveat);
through the domain rules, the reviewer's diff, and the CSV export and import."""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from domain.loading import load_dataset
from domain.register import (
    Reference,
    RegisterRecord,
    SubmissionInvalid,
    User,
    payload_of,
    review_diff,
    sentence,
    validate_initiative,
    with_register,
)
from pipelines.register import HEADERS_BEFORE_3, export, main
from services.register import RegisterService, cleaned_payload
from settings import Settings
from storage import register_store
from storage.database import connect, migrate
from tests.dataset_facts import data_dir

DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
CONTRIBUTOR, REVIEWER = User("carla", False), User("rita", True)
DESIGN = "before and after, no comparison group; the trust's own records"
CAVEAT = "people on the scheme were chosen for it, so not like with like"


@pytest.fixture(scope="module")
def paper():
    return load_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def reference(paper):
    return Reference.of(paper)


@pytest.fixture
def engine(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'register.sqlite3'}")
    migrate(engine)
    yield engine
    engine.dispose()


def figure(**changes) -> dict:
    return {
        "measure": "Section 136 detentions",
        "value": "30",
        "unit": "percent",
        "qualifier": "",
        "direction": "reduction",
        "period": "2019",
        "comparator": "2018",
        "kind": "result",
        "design": DESIGN,
        "caveat": CAVEAT,
        "source": "Annual report, p. 4",
        **changes,
    }


def proposal(**changes) -> dict:
    payload = {
        "title": "Street triage in Ashford",
        "force_ids": ["Kent"],
        "place": "Ashford",
        "lead_organisations": "Kent Police | Kent and Medway NHS Trust",
        "partners": "",
        "themes": ["mental-health"],
        "kind_of_work": "service",
        "stage": "running",
        "evaluation": "none reported",
        "start_year": "2019",
        "end_year": "",
        "summary": "Mental health nurses ride with officers on weekend nights.",
        "source": "https://example.org/report",
        "figures": [figure()],
    }
    payload.update(changes)
    return payload


def problems_of(payload: dict, reference: Reference, incoming: bool = True) -> dict[str, list[str]]:
    with pytest.raises(SubmissionInvalid) as caught:
        validate_initiative(payload, "reg-0001", reference, incoming=incoming)
    return caught.value.by_field()


def test_rk001_a_proposal_is_stored_with_its_kind_of_work_stage_design_and_caveat(reference):
    initiative, [result] = validate_initiative(proposal(), "reg-0001", reference)
    assert (initiative.kind_of_work, initiative.stage) == ("service", "running")
    assert (result.design, result.caveat) == (DESIGN, CAVEAT)
    stored = cleaned_payload("new initiative", proposal(), reference)
    assert (stored["kind_of_work"], stored["stage"]) == ("service", "running") and "status" not in stored
    assert (stored["figures"][0]["design"], stored["figures"][0]["caveat"]) == (DESIGN, CAVEAT)
    assert payload_of(initiative, [result]) == {**stored, "figures": [{**stored["figures"][0]}]}


def test_rk002_a_result_without_its_design_is_refused_beside_the_figures_design(reference):
    problems = problems_of(proposal(figures=[figure(), figure(design="", caveat="")]), reference)
    assert list(problems) == ["figures.1.design"]
    [message] = problems["figures.1.design"]
    assert message.startswith("Say how this result was obtained") and message.endswith(".")
    # Only a result needs one: an activity figure, or a result with a design and no caveat, is accepted.
    validate_initiative(
        proposal(figures=[figure(kind="activity or parameter", direction="level", design="", caveat="")]),
        "reg-0001",
        reference,
    )
    validate_initiative(proposal(figures=[figure(caveat="")]), "reg-0001", reference)


def test_rk003_the_kind_of_work_and_stage_are_required_and_not_stated_is_not_a_choice(reference):
    problems = problems_of(proposal(kind_of_work="", stage=""), reference)
    assert sentence_of(problems, "kind_of_work") == "Choose what kind of work this is."
    assert sentence_of(problems, "stage") == "Choose the stage the work is at."
    assert "not stated" in problems_of(proposal(kind_of_work="not stated"), reference)["kind_of_work"][0]
    # The old word for "running, kind unknown" does not say what kind of work it is either.
    legacy = proposal(status="established")
    del legacy["kind_of_work"], legacy["stage"]
    assert "does not say what kind of work" in problems_of(legacy, reference)["kind_of_work"][0]
    assert "'rumoured' is not allowed" in problems_of(proposal(stage="rumoured"), reference)["stage"][0]


def sentence_of(problems: dict[str, list[str]], field: str) -> str:
    from domain.register import FieldProblem

    return sentence(FieldProblem(field, problems[field][0]))


def test_rk004_a_payload_stored_with_a_status_word_is_read_by_mapping_it_and_stays_on_the_map(paper, reference):
    old = proposal(status="established", figures=[figure(design="", caveat="")])
    del old["kind_of_work"], old["stage"]
    record = RegisterRecord("reg-0001", "initiative", old, NOW, "Kent PCC office")
    dataset = with_register(paper, [record])
    assert dataset.register_problems == ()
    [initiative] = [i for i in dataset.initiatives if i.id == "reg-0001"]
    assert (initiative.kind_of_work, initiative.stage) == ("not stated", "running")
    # A word sent as new input still works where it says the kind: stored as a kind and a stage.
    sent = proposal(status="one-off operation")
    del sent["kind_of_work"], sent["stage"]
    stored = cleaned_payload("new initiative", sent, reference)
    assert (stored["kind_of_work"], stored["stage"], "status" in stored) == ("operation", "completed", False)


def test_rk005_the_reviewer_reads_kind_of_work_stage_and_each_figures_design():
    before = proposal(figures=[figure(caveat="")])
    after = proposal(kind_of_work="pilot", stage="completed", figures=[figure()])
    diff = review_diff(before, after, {}, {})
    assert [(f.label, f.before, f.after) for f in diff.fields] == [
        ("Kind of work", "service", "pilot"),
        ("Stage", "running", "completed"),
    ]
    [change] = diff.figures
    assert f"design: {DESIGN}" in change.before and f"caveat: {CAVEAT}" in change.after
    assert "caveat" not in change.before


def publish(engine, reference, payload) -> None:
    service = RegisterService(engine, "Kent PCC office", 20, clock=lambda: NOW)
    sent = service.propose(CONTRIBUTOR, "new initiative", payload, reference)
    service.publish(REVIEWER, sent.id, reference)


def test_rk006_the_export_writes_kind_of_work_stage_design_and_caveat(engine, reference, tmp_path):
    publish(
        engine,
        reference,
        proposal(
            figures=[
                figure(),
                figure(
                    measure="Patients seen",
                    kind="activity or parameter",
                    direction="level",
                    unit="count",
                    value="120",
                    design="",
                    caveat="",
                ),
            ]
        ),
    )
    export(engine, Settings(), tmp_path / "out")

    initiatives = pd.read_csv(tmp_path / "out" / "initiatives.csv", dtype=str, keep_default_na=False)
    figures = pd.read_csv(tmp_path / "out" / "outcomes.csv", dtype=str, keep_default_na=False)
    assert "status" not in initiatives.columns
    assert initiatives.loc[0, ["kind_of_work", "stage"]].tolist() == ["service", "running"]
    assert figures[["kind", "design", "caveat"]].values.tolist() == [
        ["result", DESIGN, CAVEAT],
        ["activity or parameter", "", ""],
    ]


def write_before_3(folder: Path, status: str, figure_kind: str) -> Path:
    """initiatives.csv and outcomes.csv as the register exported them before dataset 3.0.0."""
    folder.mkdir()
    initiative = {
        "id": "reg-0001",
        "title": "Street triage in Ashford",
        "case_study": "register",
        "scope": "force",
        "force_ids": "E23000032",
        "place": "Ashford",
        "lead_organisations": "Kent Police",
        "partners": "",
        "themes": "mental-health",
        "status": status,
        "evaluation": "none reported",
        "start_year": "2019",
        "end_year": "",
        "summary": "Mental health nurses ride with officers on weekend nights.",
        "section": "https://example.org/report",
        "references": "",
    }
    level = figure_kind != "result"
    outcome = {
        "id": "reg-0001-fig-1",
        "initiative_id": "reg-0001",
        "case_study": "register",
        "measure": "Section 136 detentions",
        "value": "30",
        "unit": "percent",
        "qualifier": "",
        "direction": "level" if level else "reduction",
        "period": "2019",
        "comparator": "",
        "kind": figure_kind,
        "section": "Annual report, p. 4",
        "references": "",
    }
    for name, row in (("initiatives.csv", initiative), ("outcomes.csv", outcome)):
        with open(folder / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADERS_BEFORE_3[name], lineterminator="\n")
            writer.writeheader()
            writer.writerow(row)
    return folder


def test_rk007_the_import_reads_a_file_exported_before_3_0_0_and_says_so(tmp_path, capsys):
    folder = write_before_3(tmp_path / "old", "pilot", "target or coverage")
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"

    assert main(["--url", url, "import", str(folder)]) == 0

    out = capsys.readouterr().out
    assert (
        "read: old/initiatives.csv was exported before dataset 3.0.0: its status column was read as kind_of_work "
        "and stage (pilot → pilot, running)"
    ) in out
    assert "read: old/outcomes.csv was exported before dataset 3.0.0: it has no design or caveat columns" in out
    engine = connect(url)
    try:
        [record] = register_store.published_records(engine)
    finally:
        engine.dispose()
    assert (record.payload["kind_of_work"], record.payload["stage"]) == ("pilot", "running")
    assert "status" not in record.payload
    assert (record.payload["figures"][0]["design"], record.payload["figures"][0]["caveat"]) == ("", "")


def test_rk008_a_result_without_its_design_is_refused_naming_file_row_and_column(tmp_path, capsys):
    folder = write_before_3(tmp_path / "old", "campaign", "result")
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"

    assert main(["--url", url, "import", str(folder)]) == 1

    error = capsys.readouterr().err
    assert "1 problem(s); nothing was imported" in error
    assert "old/outcomes.csv:2:design: Say how this result was obtained" in error
    assert "read: old/outcomes.csv was exported before dataset 3.0.0" in error  # why the column is missing
    engine = connect(url)
    try:
        assert register_store.published_records(engine) == []
    finally:
        engine.dispose()
