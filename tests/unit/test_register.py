"""The register's domain rules, workflow, live source and CSV round trip, without Dash or a browser."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from components.app_factory import create_app
from domain.aggregation import filter_initiatives
from domain.compare import chart_citation, citation_line
from domain.exports import initiative_rows
from domain.feed import change_of, detail_line
from domain.schema import register_words
from domain.loading import load_dataset
from domain.register import (
    RegisterRecord,
    Reference,
    SubmissionInvalid,
    User,
    validate_initiative,
    validate_note,
    with_register,
)
from domain.state import ViewState, state_from_query
from services.live_source import RegisterSource
from services.register import Forbidden, RateLimited, RegisterService
from settings import Settings
from storage import register_store
from storage.database import connect, migrate
from tests.dataset_facts import data_dir

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = data_dir()  # the folder the app serves (PPH_DATA_DIR): tests/dataset_facts.py
CONTRIBUTOR, REVIEWER = User("carla", False), User("rita", True)
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def paper():
    return load_dataset(DATA_DIR)


@pytest.fixture
def engine(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'register.sqlite3'}")
    migrate(engine)
    yield engine
    engine.dispose()


def proposal(**changes) -> dict:
    payload = {
        "title": "Street triage in Ashford",
        "force_ids": ["Kent"],
        "place": "Ashford",
        "lead_organisations": "Kent Police | Kent and Medway NHS Trust",
        "partners": "",
        "themes": ["mental-health"],
        "kind_of_work": "pilot",
        "stage": "running",
        "evaluation": "none reported",
        "start_year": "2019",
        "end_year": "",
        "summary": "Mental health nurses ride with officers on weekend nights.",
        "source": "https://example.org/report",
        "figures": [
            {
                "measure": "Section 136 detentions",
                "value": "30",
                "unit": "percent",
                "qualifier": "",
                "direction": "reduction",
                "period": "2019",
                "comparator": "2018",
                "kind": "result",
                "design": "the service's own records",
                "source": "Annual report, p. 4",
            }
        ],
    }
    payload.update(changes)
    return payload


def test_reg001_a_valid_proposal_becomes_records_of_the_curated_schema(paper):
    initiative, figures = validate_initiative(proposal(), "reg-0001", Reference.of(paper))
    assert initiative.force_ids == ("E23000032",)  # a force's name resolves to its ONS id, as in the CSV files
    assert initiative.scope == "force" and initiative.case_study == "register"
    assert initiative.lead_organisations == ("Kent Police", "Kent and Medway NHS Trust")
    assert initiative.start_year == 2019 and initiative.end_year is None
    assert figures[0].initiative_id == "reg-0001" and figures[0].value == 30 and figures[0].is_result


def test_reg002_every_problem_is_named_on_its_field(paper):
    bad = proposal(
        title="",
        force_ids=["Atlantis"],
        themes=["nope"],
        kind_of_work="rumoured",
        source="ftp://x y",
        figures=[
            {
                "measure": "Arrests",
                "value": "many",
                "unit": "GBP",
                "direction": "reduction",
                "kind": "result",
                "source": "",
            }
        ],
    )
    with pytest.raises(SubmissionInvalid) as caught:
        validate_initiative(bad, "new", Reference.of(paper))
    fields = caught.value.by_field()
    assert set(fields) >= {
        "title",
        "force_ids",
        "themes",
        "kind_of_work",
        "source",
        "figures.0.value",
        "figures.0.source",
    }
    assert "Atlantis" in fields["force_ids"][0] and "unknown theme 'nope'" in fields["themes"][0]


def test_reg002b_values_no_form_sends_are_problems_not_dropped(paper):
    reference = Reference.of(paper)
    with pytest.raises(SubmissionInvalid) as caught:
        validate_initiative(proposal(force_ids={"E23000032": 1}, figures="30%", summary=["a", "b"]), "new", reference)
    assert {"force_ids", "figures", "summary"} <= set(caught.value.by_field())
    with pytest.raises(SubmissionInvalid, match="not valid text"):
        validate_note(
            {
                "about_id": paper.initiatives[0].id,
                "note_kind": "erratum",
                "text": "broken \ud800 text here ok",
                "source": "x",
            },
            reference,
        )


def test_reg003_the_loader_rules_apply_to_one_record(paper):
    reference = Reference.of(paper)
    # A target is a level, never a change: the same rule the curated outcomes.csv obeys.
    target = proposal(
        figures=[
            {
                "measure": "Officers trained",
                "value": "200",
                "unit": "count",
                "direction": "increase",
                "kind": "target or coverage",
                "source": "Plan",
            }
        ]
    )
    with pytest.raises(SubmissionInvalid, match="figures.0.direction"):
        validate_initiative(target, "new", reference)
    with pytest.raises(SubmissionInvalid, match="end_year"):
        validate_initiative(proposal(start_year="2020", end_year="2018"), "new", reference)
    with pytest.raises(SubmissionInvalid, match="at least 20"):
        validate_note(
            {"about_id": paper.initiatives[0].id, "note_kind": "erratum", "text": "short", "source": "x"}, reference
        )
    with pytest.raises(SubmissionInvalid, match="about_id"):
        validate_note({"about_id": "reg-0001", "note_kind": "erratum", "text": "x" * 30, "source": "x"}, reference)


def test_reg004b_a_record_its_proposer_published_says_so_wherever_its_source_is_said(paper):
    """Trial 15 (medium): with PPH_REVIEW_OWN=1 a reviewer's own record read "Register, reviewed … by …" on its
    card, in the feed and in the download, like one a second person checked; only the database knew."""
    record = RegisterRecord(
        "reg-0001", "initiative", proposal(), NOW, "Kent PCC office", published_by="rita", self_published=True
    )
    dataset = with_register(paper, [record])
    said = "Register, published 2026-11-27 by Kent PCC office without a second review (its reviewer proposed it)"
    assert dataset.provenance_of("reg-0001").label == said
    rows = {r["id"]: r for r in initiative_rows(dataset, dataset.initiatives)}
    assert rows["reg-0001"]["record_source"].startswith(said + "; source: ")
    change = change_of(
        7,
        "published",
        NOW,
        "reg-0001",
        "initiative",
        proposal(),
        "Kent PCC office",
        {"created": True, "self_published": True},
        dataset,
    )
    assert change is not None and detail_line(change) == said + "."
    # Trial 16 (medium): with the default organisation the words read "this register's reviewers's reviewer".
    assert register_words("2026-11-27", "this register's reviewers", True) == (
        "Register, published 2026-11-27 by this register's reviewers without a second review (its reviewer proposed it)"
    )
    checked = change_of(8, "published", NOW, "reg-0001", "initiative", proposal(), "Kent PCC office", {}, dataset)
    assert checked is not None and detail_line(checked) == "Register, reviewed 2026-11-27 by Kent PCC office."


def test_reg004_published_records_join_the_paper_marked_by_source(paper):
    record = RegisterRecord("reg-0001", "initiative", proposal(), NOW, "Kent PCC office")
    note = RegisterRecord(
        "reg-0002",
        "note",
        {
            "about_id": paper.initiatives[0].id,
            "note_kind": "follow-up",
            "text": "Extended to the whole county in 2018.",
            "source": "Minutes",
        },
        NOW,
        "Kent PCC office",
    )
    dataset = with_register(paper, [record, note])
    assert len(dataset.initiatives) == len(paper.initiatives) + 1
    assert dataset.provenance_of("reg-0001").label == "Register, reviewed 2026-11-27 by Kent PCC office"
    assert dataset.provenance_of(paper.initiatives[0].id).label == "PHE 2016 paper"
    assert [n.text for n in dataset.notes_on(paper.initiatives[0].id)] == ["Extended to the whole county in 2018."]
    assert paper.initiatives[0] in dataset.initiatives  # the note never changes the paper's record
    register_only = filter_initiatives(dataset, state_from_query("?source=register", dataset))
    assert [i.id for i in register_only] == ["reg-0001"]
    assert len(filter_initiatives(dataset, ViewState(source="paper"))) == len(paper.initiatives)
    rows = {r["id"]: r for r in initiative_rows(dataset, dataset.initiatives)}
    assert rows["reg-0001"]["record_source"].startswith("Register, reviewed 2026-11-27")
    # Chart source lines and citations say the register added to the paper; the paper alone says nothing of it.
    assert "register" in chart_citation(dataset) and "register" not in chart_citation(paper)
    assert "With 1 initiative added through this dashboard's register" in citation_line(
        dataset, "http://x/", NOW.date()
    )
    assert "register" not in citation_line(paper, "http://x/", NOW.date())
    # A view names the register only where it holds some of the register's records: a force with none, printed
    # with the register on, is cited as the paper alone (its citation said "1 initiative(s) added" before).
    paper_only_view = [i for i in dataset.initiatives if i.id != "reg-0001"]
    assert "register" not in citation_line(dataset, "http://x/", NOW.date(), paper_only_view)
    assert "With 1 initiative added" in citation_line(dataset, "http://x/", NOW.date(), dataset.initiatives)


def test_reg005_a_record_that_no_longer_validates_is_named_not_dropped_silently(paper):
    stale = RegisterRecord("reg-0009", "initiative", proposal(themes=["retired-theme"]), NOW, "Kent PCC office")
    dataset = with_register(paper, [stale])
    assert "reg-0009" not in dataset.initiatives_by_id
    assert dataset.register_problems and "reg-0009" in dataset.register_problems[0]


def test_reg006_contribute_review_publish_and_history(paper, engine):
    service = RegisterService(engine, "Kent PCC office", 20, clock=lambda: NOW)
    reference = Reference.of(paper)
    sent = service.propose(CONTRIBUTOR, "new initiative", proposal(), reference, idempotency_key="draft-1")
    again = service.propose(CONTRIBUTOR, "new initiative", proposal(), reference, idempotency_key="draft-1")
    assert again.id == sent.id and len(service.my_submissions(CONTRIBUTOR)) == 1  # a double click stores once
    with pytest.raises(Forbidden):
        service.publish(CONTRIBUTOR, sent.id, reference)
    [item] = service.queue(REVIEWER)
    assert item.changes["title"] == (None, "Street triage in Ashford")
    record = service.publish(REVIEWER, sent.id, reference)
    update = service.propose(
        CONTRIBUTOR,
        "update",
        proposal(title="Street triage in Ashford and Dover"),
        reference,
        record_id=record.record_id,
    )
    [item] = service.queue(REVIEWER)
    assert item.changes == {"title": ("Street triage in Ashford", "Street triage in Ashford and Dover")}
    returned = service.return_to_contributor(REVIEWER, update.id, "Please cite the Dover evaluation.")
    assert returned.status == "returned" and returned.review_comment == "Please cite the Dover evaluation."
    service.withdraw(REVIEWER, record.record_id, "Duplicate of a paper record")
    assert service.published() == []
    assert register_store.get_record(engine, record.record_id).state == "withdrawn"  # hidden, kept
    actions = [(h.action, h.actor) for h in service.history()]
    assert actions == [
        ("submitted", "carla"),
        ("published", "rita"),
        ("submitted", "carla"),
        ("returned", "rita"),
        ("withdrawn", "rita"),
    ]


def test_reg007_nothing_invalid_is_stored_and_submissions_are_rate_limited(paper, engine):
    service = RegisterService(engine, "Kent PCC office", 2, clock=lambda: NOW)
    reference = Reference.of(paper)
    with pytest.raises(SubmissionInvalid):
        service.propose(CONTRIBUTOR, "new initiative", proposal(title=""), reference)
    assert service.my_submissions(CONTRIBUTOR) == []
    service.propose(CONTRIBUTOR, "new initiative", proposal(), reference)
    service.propose(CONTRIBUTOR, "new initiative", proposal(title="Second"), reference)
    with pytest.raises(RateLimited, match="draft is kept"):
        service.propose(CONTRIBUTOR, "new initiative", proposal(title="Third"), reference)
    assert len(service.my_submissions(CONTRIBUTOR)) == 2


def test_reg008_the_live_source_swaps_in_a_publication_without_a_restart(paper, engine):
    source = RegisterSource(paper, engine, poll_seconds=60)
    before = source.current()
    assert before.register_on and len(before.dataset.initiatives) == len(paper.initiatives)
    service = RegisterService(engine, "Kent PCC office", 20, clock=lambda: NOW)
    sent = service.propose(CONTRIBUTOR, "new initiative", proposal(), Reference.of(paper))
    assert source.refresh() is False  # a pending submission changes nothing shown
    record = service.publish(REVIEWER, sent.id, Reference.of(paper))
    assert source.refresh() is True
    after = source.current()
    assert after.version != before.version and record.record_id in after.dataset.initiatives_by_id
    assert record.record_id in after.join.by_force["E23000032"]  # on the map, in Kent
    assert len(before.dataset.initiatives) == len(paper.initiatives)  # a snapshot in use never changes


def test_reg008b_a_refresh_checks_only_records_new_or_changed(paper, engine, monkeypatch):
    import services.live_source as live

    checked: list[str] = []
    real = live.fold_record
    monkeypatch.setattr(
        live, "fold_record", lambda record, reference: (checked.append(record.record_id), real(record, reference))[1]
    )
    service = RegisterService(engine, "Kent PCC office", 20, clock=lambda: NOW)
    source = RegisterSource(paper, engine, poll_seconds=60)
    first = service.publish(
        REVIEWER,
        service.propose(CONTRIBUTOR, "new initiative", proposal(), Reference.of(paper)).id,
        Reference.of(paper),
    )
    second = service.publish(
        REVIEWER,
        service.propose(CONTRIBUTOR, "new initiative", proposal(title="Second one"), Reference.of(paper)).id,
        Reference.of(paper),
    )
    source.refresh()
    assert sorted(checked) == [first.record_id, second.record_id]
    checked.clear()
    update = service.propose(
        CONTRIBUTOR, "update", proposal(title="Second one, extended"), Reference.of(paper), record_id=second.record_id
    )
    service.publish(REVIEWER, update.id, Reference.of(paper))
    source.refresh()
    assert checked == [second.record_id]
    assert source.current().dataset.initiatives_by_id[second.record_id].title == "Second one, extended"


def test_reg009_the_app_serves_a_publication_in_its_next_layout(paper, tmp_path):
    settings = Settings(
        register=True,
        database_url=f"sqlite:///{tmp_path / 'r.sqlite3'}",
        dev_user="rita",
        reviewers=frozenset({"rita"}),
        organisation="Kent PCC office",
        register_poll_seconds=60,
    )
    app = create_app(settings, paper)
    client = app.server.test_client()
    assert "Street triage in Ashford" not in client.get("/_dash-layout").get_data(as_text=True)
    engine = connect(settings.database_url)
    service = RegisterService(engine, "Kent PCC office", 20)
    sent = service.propose(CONTRIBUTOR, "new initiative", proposal(), Reference.of(paper))
    service.publish(REVIEWER, sent.id, Reference.of(paper))
    # The worker's poller would do this within PPH_REGISTER_POLL_SECONDS; here it is asked directly.
    app.server.extensions["pph.source"].refresh()
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Street triage in Ashford" in layout and "Counts include 1 initiative added through the register" in layout
    engine.dispose()


def test_reg010_export_and_import_round_trip_through_the_cli(paper, engine, tmp_path):
    service = RegisterService(engine, "Kent PCC office", 20, clock=lambda: NOW)
    sent = service.propose(CONTRIBUTOR, "new initiative", proposal(), Reference.of(paper))
    service.publish(REVIEWER, sent.id, Reference.of(paper))
    url = str(engine.url)
    out = tmp_path / "export"
    run = subprocess.run(
        [sys.executable, "-m", "pipelines.register", "--url", url, "export", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    with open(out / "initiatives.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(DATA_DIR / "initiatives.csv", encoding="utf-8-sig", newline="") as handle:
        assert list(rows[0]) == next(csv.reader(handle))  # the curated file's own header
    assert rows[0]["title"] == "Street triage in Ashford" and rows[0]["force_ids"] == "E23000032"

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    run = subprocess.run(
        [sys.executable, "-m", "pipelines.register", "--url", fresh, "import", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    fresh_engine = connect(fresh)
    [imported] = register_store.published_records(fresh_engine)
    assert imported.payload["title"] == "Street triage in Ashford"

    # A file with one bad row stores nothing, and says where the problem is.
    rows[0]["themes"] = "no-such-theme"
    with open(out / "initiatives.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    run = subprocess.run(
        [sys.executable, "-m", "pipelines.register", "--url", empty, "import", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (
        run.returncode == 1 and "export/initiatives.csv:2:themes" in run.stderr and "nothing was imported" in run.stderr
    )
    empty_engine = connect(empty)
    assert register_store.published_records(empty_engine) == []
    fresh_engine.dispose()
    empty_engine.dispose()


def test_reg011_a_force_with_many_records_sends_its_titles_page_by_page(paper):
    from components.profile import PAGE, profile_content
    from domain.source import snapshot_of

    records = [
        RegisterRecord(f"reg-{n:04d}", "initiative", proposal(title=f"Kent work number {n:03d}"), NOW, "Kent PCC")
        for n in range(1, 71)
    ]
    snapshot = snapshot_of(with_register(paper, records), 1)
    content = profile_content(snapshot.dataset, snapshot.join, ViewState(force="E23000032"), "/", "")
    assert content.total == len(snapshot.join.by_force["E23000032"]) >= 70
    assert content.listed == PAGE == len(content.body)

    app = create_app(Settings(), source=_FixedSource(snapshot))
    client = app.server.test_client()
    key = next(k for k in app.callback_map if k.startswith("..case-studies.children@"))
    last_page = (content.total - 1) // PAGE
    # As the renderer sends it: each output as "id.property@hash", from the callback's own key.
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in key.strip(".").split("...")]
    body = {
        "output": key,
        "outputs": outputs,
        "inputs": [{"id": "profile-more", "property": "n_clicks", "value": last_page}],
        "state": [{"id": "view-state", "property": "data", "value": {"query": "?force=E23000032", "notices": []}}],
        "changedPropIds": ["profile-more.n_clicks"],
    }
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.data
    response = answer.get_json()["response"]
    appended = response["case-studies"]["children"]["operations"][0]["params"]["value"]
    assert len(appended) == content.total - last_page * PAGE  # the last page: only what is left
    assert response["profile-more"]["hidden"] is True


class _FixedSource:
    def __init__(self, snapshot):
        self.snapshot = snapshot

    def current(self):
        return self.snapshot


def test_reg012_every_register_callback_id_is_in_a_reviewers_page(paper, tmp_path):
    from components.register import validation_layout
    from components.shell import panel_contents
    from tests.unit.test_view import _layout_ids

    settings = Settings(
        register=True, database_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", reviewers=frozenset({"rita"})
    )
    app = create_app(settings, paper)
    snapshot = app.server.extensions["pph.source"].current()
    ids = _layout_ids(app.layout()) | _layout_ids(validation_layout(snapshot))
    for content in panel_contents(snapshot).values():  # the lazy tabs' panels, added when first shown
        for part in content:
            ids |= _layout_ids(part)
    patterns = set()
    for callback in app.callback_map.values():
        outputs = callback["output"] if isinstance(callback["output"], list) else [callback["output"]]
        for dep in [*callback["inputs"], *callback["state"], *[{"id": o.component_id} for o in outputs]]:
            if isinstance(dep["id"], dict) or str(dep["id"]).startswith("{"):
                patterns.add(str(dep["id"]))  # pattern-matching: matched by the components of the moment
            else:
                assert str(dep["id"]) in ids, dep
    assert patterns  # the register's forms use pattern-matching ids
