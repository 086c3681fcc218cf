"""The register's service for issue 20, on a real migrated database (SQLite and the throw-away PostgreSQL
cluster): four eyes (PPH_REVIEW_OWN), a stale update told in the contract's words, notes withdrawn and
amended, "Your submissions" told what became of a record, the service's own text arguments refused with a
sentence when they hold a NUL, and the export → import → publish round trip of the CLI with its ids and
neutralised spreadsheet cells."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from components.app_factory import _register_source
from domain.loading import load_dataset
from domain.register import RegisterRecord
from domain.register import Reference, SubmissionInvalid, User
import services.live_source as live
from services.live_source import RegisterSource
from services.register import Forbidden, RegisterService
from settings import Settings, SettingsError
from storage import register_store
from storage.database import connect, migrate
from storage.errors import Conflict, StaleRecord
from tests.sample_proposal import VALID_FIELDS, VALID_FIGURE

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)
ANN, RITA, REX = User("ann", False), User("rita", True), User("rex", True)
_database_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference.of(load_dataset(REPO / "data"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'register.sqlite3'}"
    else:
        name = f"review_{next(_database_numbers)}"
        url = request.getfixturevalue("postgres").new_database(name)
    engine = connect(url)
    migrate(engine)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        request.getfixturevalue("postgres").psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def initiative(**changes) -> dict:
    return {**VALID_FIELDS, "figures": [dict(VALID_FIGURE)], **changes}


def note(paper_id: str, text: str = "The reduction was 30 percent, not 3 percent as printed.") -> dict:
    return {"about_id": paper_id, "note_kind": "erratum", "text": text, "source": "https://example.org/erratum"}


def service_on(engine: Engine, review_own: bool = False) -> RegisterService:
    return RegisterService(engine, "Kent PCC office", 100, clock=lambda: NOW, review_own=review_own)


# --- four eyes ------------------------------------------------------------------------------------------


def test_rev001_a_reviewer_cannot_publish_their_own_proposal_by_default(engine, reference):
    service = service_on(engine)
    own = service.propose(RITA, "new initiative", initiative(), reference)

    with pytest.raises(Forbidden) as refused:
        service.publish(RITA, own.id, reference)

    assert str(refused.value) == "You proposed this yourself, so another reviewer must publish it."
    assert register_store.get_submission(engine, own.id).status == "pending"
    record = service.publish(REX, own.id, reference)  # another reviewer's four eyes
    assert (record.published_by, record.self_published) == ("rex", False)


def test_rev002_with_review_own_on_self_publication_is_allowed_and_marked(
    engine, reference, paper_dataset, monkeypatch
):
    service = service_on(engine, review_own=True)
    record = service.publish(RITA, service.propose(RITA, "new initiative", initiative(), reference).id, reference)

    assert record.self_published is True and record.published_by == "rita"
    published = [e for e in service.history(record.record_id) if e.action == "published"]
    assert published[-1].detail["self_published"] is True
    # Workers see it: the live source hands the domain a record that says so.
    seen: list[RegisterRecord] = []
    real = live.fold_record
    monkeypatch.setattr(live, "fold_record", lambda r, ref: (seen.append(r), real(r, ref))[1])
    RegisterSource(paper_dataset, engine, poll_seconds=60).refresh()
    assert [(r.record_id, r.published_by, r.self_published) for r in seen] == [(record.record_id, "rita", True)]


@pytest.fixture(scope="module")
def paper_dataset():
    return load_dataset(REPO / "data")


def test_rev003_pph_review_own_is_a_flag_defaulting_to_off_and_reaches_the_service(tmp_path):
    assert Settings.from_env({}).review_own is False
    assert Settings.from_env({"PPH_REVIEW_OWN": "1"}).review_own is True
    assert Settings.from_env({"PPH_REVIEW_OWN": "0"}).review_own is False
    with pytest.raises(SettingsError, match="PPH_REVIEW_OWN must be 1 or 0"):
        Settings.from_env({"PPH_REVIEW_OWN": "sometimes"})
    for flag in (False, True):
        settings = Settings(register=True, database_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", review_own=flag)
        _source, service = _register_source(settings, load_dataset(REPO / "data"))
        assert service.review_own is flag
        service.engine.dispose()


# --- optimistic locking, through the service ---------------------------------------------------------------


def test_rev004_a_stale_update_is_refused_in_the_contracts_words(engine, reference):
    service = service_on(engine)
    record = service.publish(RITA, service.propose(ANN, "new initiative", initiative(), reference).id, reference)
    first = service.propose(
        ANN, "update", initiative(title="Street triage, extended"), reference, record_id=record.record_id
    )
    second = service.propose(
        ANN, "update", initiative(place="Whole county"), reference, record_id=record.record_id, base_revision=1
    )
    service.publish(RITA, first.id, reference)

    with pytest.raises(StaleRecord) as refused:
        service.publish(REX, second.id, reference)

    assert str(refused.value) == (
        f"Record {record.record_id} changed since this proposal was made (it was revision 1, it is now 2). The "
        "proposal stays pending: return it to its contributor to propose again against the current record."
    )
    assert [s.id for s in register_store.pending(engine)] == [second.id]
    with pytest.raises(SubmissionInvalid, match="base_revision"):
        service.propose(ANN, "update", initiative(), reference, record_id=record.record_id, base_revision=3)


# --- notes: withdrawn and amended ------------------------------------------------------------------------


def test_rev005_a_note_is_withdrawn_and_another_amended_with_a_reason(engine, reference, paper_dataset):
    service = service_on(engine)
    paper_id = paper_dataset.initiatives[0].id
    first = service.publish(RITA, service.propose(ANN, "note", note(paper_id), reference).id, reference)
    second = service.publish(RITA, service.propose(ANN, "note", note(paper_id), reference).id, reference)
    source = RegisterSource(paper_dataset, engine, poll_seconds=60)
    assert len(source.current().dataset.notes) == 2

    service.withdraw(RITA, first.record_id, "Filed against the wrong initiative")
    corrected = note(paper_id, "The reduction was 30 percent, not 3 percent as printed (table 4).")
    with pytest.raises(Forbidden):
        service.amend_note(ANN, second.record_id, corrected, "Named the table", reference)
    with pytest.raises(SubmissionInvalid, match="reason"):
        service.amend_note(RITA, second.record_id, corrected, "  ", reference)
    with pytest.raises(SubmissionInvalid, match="at least 20"):
        service.amend_note(RITA, second.record_id, note(paper_id, "too short"), "Shorter", reference)
    amended = service.amend_note(RITA, second.record_id, corrected, "Named the table", reference)

    assert (amended.revision, amended.payload["text"]) == (2, corrected["text"])
    assert [(e.action, e.detail.get("reason")) for e in service.history(second.record_id)][-1] == (
        "amended",
        "Named the table",
    )
    assert source.refresh() is True  # amended counts as a publication: every worker reloads
    assert [n.text for n in source.current().dataset.notes] == [corrected["text"]]
    with pytest.raises(Conflict, match="changed since you read it"):
        service.amend_note(REX, second.record_id, note(paper_id), "Back as it was", reference, revision=1)
    initiative_record = service.publish(
        RITA, service.propose(ANN, "new initiative", initiative(), reference).id, reference
    )
    with pytest.raises(SubmissionInvalid, match="not a note"):
        service.amend_note(RITA, initiative_record.record_id, corrected, "x", reference)


def test_rev006_your_submissions_say_when_and_why_a_record_was_withdrawn(engine, reference):
    service = service_on(engine)
    sent = service.propose(ANN, "new initiative", initiative(), reference)
    record = service.publish(RITA, sent.id, reference)
    [mine] = service.my_submissions(ANN)
    assert (mine.record_state, mine.withdrawn_at, mine.withdrawn_reason) == ("published", None, None)

    service.withdraw(RITA, record.record_id, "The service closed in 2024")

    [mine] = service.my_submissions(ANN)
    assert (mine.record_id, mine.record_state, mine.withdrawn_at, mine.withdrawn_reason) == (
        record.record_id,
        "withdrawn",
        NOW,
        "The service closed in 2024",
    )


# --- NUL: refused with a sentence, never a server error --------------------------------------------------


def test_rev007_a_nul_in_the_services_own_text_is_refused_by_field(engine, reference):
    service = service_on(engine)
    sent = service.propose(ANN, "new initiative", initiative(), reference)
    attempts = {
        "idempotency_key": lambda: service.propose(
            ANN, "new initiative", initiative(), reference, idempotency_key="draft-\x00-1"
        ),
        "record_id": lambda: service.propose(ANN, "update", initiative(), reference, record_id="reg-\x000001"),
        "comment": lambda: service.return_to_contributor(RITA, sent.id, "Which\x00 forces?"),
    }
    record = service.publish(RITA, service.propose(ANN, "new initiative", initiative(), reference).id, reference)
    attempts |= {
        "reason": lambda: service.withdraw(RITA, record.record_id, "Ended\x00"),
        "record_id ": lambda: service.withdraw(RITA, "reg-\x00", "Ended"),
    }
    for field, attempt in attempts.items():
        with pytest.raises(SubmissionInvalid) as refused:
            attempt()
        assert list(refused.value.by_field()) == [field.strip()]
        assert "NUL character" in refused.value.by_field()[field.strip()][0]
    assert register_store.get_submission(engine, sent.id).status == "pending"
    assert register_store.get_record(engine, record.record_id).state == "published"
    assert len(service.my_submissions(ANN)) == 2


# --- the CLI: export → import → publish ------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.register", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_rev008_export_import_round_trip_then_a_new_publication(tmp_path, reference):
    origin = connect(f"sqlite:///{tmp_path / 'origin.sqlite3'}")
    migrate(origin)
    service = service_on(origin)
    service.publish(RITA, service.propose(ANN, "new initiative", initiative(), reference).id, reference)
    out = tmp_path / "export"
    assert cli("--url", str(origin.url), "export", "--out", str(out)).returncode == 0
    origin.dispose()

    target_url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    imported = cli("--url", target_url, "import", str(out))

    assert imported.returncode == 0, imported.stderr
    assert "re-id: reg-0001 was imported as imp-0001" in imported.stdout
    target = connect(target_url)
    try:
        assert [r.record_id for r in register_store.published_records(target)] == ["imp-0001"]
        assert register_store.history(target, record_id="imp-0001")[-1].detail == {"original_id": "reg-0001"}
        # The target's first publication takes reg-0001, which the import left free.
        published = service_on(target).publish(
            RITA,
            service_on(target).propose(ANN, "new initiative", initiative(title="After the import"), reference).id,
            reference,
        )
        assert published.record_id == "reg-0001"
        assert [r.record_id for r in register_store.published_records(target)] == ["imp-0001", "reg-0001"]
        # The same files again: all refused, nothing stored twice.
        again = cli("--url", target_url, "import", str(out))
        assert again.returncode == 1 and "imp-0001 already exists; nothing was imported" in again.stderr
        assert len(register_store.published_records(target)) == 2
    finally:
        target.dispose()


def test_rev009_export_neutralises_cells_a_spreadsheet_would_run(tmp_path, reference):
    engine = connect(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    migrate(engine)
    hostile = {
        "title": '=HYPERLINK("https://evil.example","Click")',
        "place": "+44 Ashford",
        "partners": ["-1+2"],
        "summary": "@SUM(A1:A9) nurses ride with officers on weekend nights.",
    }
    # Stored as a record of before the form refused such text: the export must still not write it raw.
    submitted = register_store.submit(
        engine,
        user="ann",
        kind="new initiative",
        payload=initiative(**hostile, figures=[{**VALID_FIGURE, "period": "\tq1"}]),
        now=NOW,
    )
    register_store.publish(engine, submission_id=submitted.id, reviewer="rita", organisation="PHE", now=NOW)
    out = tmp_path / "export"
    run = cli("--url", str(engine.url), "export", "--out", str(out))
    engine.dispose()
    assert run.returncode == 0, run.stderr

    initiatives = pd.read_csv(out / "initiatives.csv", dtype=str, keep_default_na=False)
    figures = pd.read_csv(out / "outcomes.csv", dtype=str, keep_default_na=False)
    row = initiatives.iloc[0]
    assert row["title"] == "'" + hostile["title"]
    assert row["place"] == "'+44 Ashford"
    assert row["partners"] == "'-1+2"
    assert row["summary"].startswith("'@SUM")
    assert figures.iloc[0]["period"] in ("'\tq1", "'q1", "q1")
    cells = [str(v) for frame in (initiatives, figures) for v in frame.to_numpy().ravel()]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_rev010_an_import_file_repeating_an_id_is_refused_by_row_not_a_crash(tmp_path, reference):
    # Found by mypy: the duplicate's message was assigned over the dict of renamed ids, so the next renamed
    # row raised TypeError instead of the import naming the repeated row.
    origin = connect(f"sqlite:///{tmp_path / 'origin.sqlite3'}")
    migrate(origin)
    service = service_on(origin)
    for title in ("First of two", "Second of two"):
        service.publish(RITA, service.propose(ANN, "new initiative", initiative(title=title), reference).id, reference)
    out = tmp_path / "export"
    assert cli("--url", str(origin.url), "export", "--out", str(out)).returncode == 0
    origin.dispose()
    rows = (out / "initiatives.csv").read_text(encoding="utf-8-sig").splitlines()
    (out / "initiatives.csv").write_text("\n".join([rows[0], rows[1], rows[1], rows[2]]) + "\n", encoding="utf-8")

    imported = cli("--url", f"sqlite:///{tmp_path / 'target.sqlite3'}", "import", str(out))

    assert imported.returncode == 1 and "Traceback" not in imported.stderr
    assert "initiatives.csv:3:id: duplicate id 'imp-0001'" in imported.stderr
