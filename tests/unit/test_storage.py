"""The register's storage on a real, migrated database, SQLite and PostgreSQL alike: every function's
behaviour, its transactions, the database's own guarantees (append-only history; on SQLite WAL and the
busy timeout) and its failure modes. PostgreSQL is the throw-away cluster of tests/postgres_cluster.py."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from storage import register_store as store
from storage.database import connect, default_database_url, for_writes, migrate
from storage.register_store import Conflict, NotFound, RegisterUnavailable
from tests.at_once import at_once, own_engines

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TRIAGE = {"title": "Street triage", "forces": ["E23000001"], "themes": ["mental health"]}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


BACKENDS = ["sqlite", "postgresql"]
_database_numbers = itertools.count(1)


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    return tmp_path / "var" / "register.sqlite3"


@contextmanager
def empty_database(backend: str, request: pytest.FixtureRequest, database_file: Path) -> Iterator[str]:
    """The URL of a new, empty database of `backend`. A PostgreSQL one is dropped afterwards, so the
    shared cluster does not collect a database per test."""
    if backend == "sqlite":
        yield f"sqlite:///{database_file}"
        return
    postgres = request.getfixturevalue("postgres")
    name = f"storage_{next(_database_numbers)}"
    url = postgres.new_database(name)
    try:
        yield url
    finally:
        postgres.psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated(url: str) -> Iterator[Engine]:
    engine = connect(url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, database_file: Path) -> Iterator[str]:
    """A new empty database on each backend the register supports."""
    with empty_database(request.param, request, database_file) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    with migrated(database_url) as engine:
        yield engine


@pytest.fixture
def sqlite_engine(request: pytest.FixtureRequest, database_file: Path) -> Iterator[Engine]:
    """For what only SQLite has: WAL and its pragmas, file folders, a single write lock."""
    with empty_database("sqlite", request, database_file) as url, migrated(url) as engine:
        yield engine


@pytest.fixture
def postgresql_engine(request: pytest.FixtureRequest, database_file: Path) -> Iterator[Engine]:
    """For what only PostgreSQL has: TRUNCATE, writers whose transactions truly overlap."""
    with empty_database("postgresql", request, database_file) as url, migrated(url) as engine:
        yield engine


def submit_new(engine: Engine, user: str = "ann", minutes: int = 0, **overrides) -> store.Submission:
    return store.submit(
        engine, user=user, kind="new initiative", payload=overrides.pop("payload", TRIAGE), now=at(minutes), **overrides
    )


def publish(engine: Engine, submission_id: int, minutes: int = 5) -> store.PublishedRecord:
    return store.publish(engine, submission_id=submission_id, reviewer="rev", organisation="PHE", now=at(minutes))


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.scalar(text(f"SELECT count(*) FROM {table}"))


# --- the submit -> review -> publish path ---------------------------------------------------------


def test_sto001_submit_publish_and_history_in_order(engine):
    submission = submit_new(engine)
    assert submission.status == "pending" and submission.submitted_by == "ann"
    assert store.pending(engine) == [submission]

    record = publish(engine, submission.id, minutes=5)

    assert record.record_id == "reg-0001" and record.revision == 1 and record.state == "published"
    assert (record.kind, record.payload, record.published_by, record.organisation) == (
        "initiative",
        TRIAGE,
        "rev",
        "PHE",
    )
    assert record.submission_id == submission.id
    assert store.pending(engine) == []
    assert store.published_records(engine) == [record]
    assert store.get_record(engine, "reg-0001") == record
    published = store.get_submission(engine, submission.id)
    assert (published.status, published.record_id, published.reviewed_by, published.reviewed_at) == (
        "published",
        "reg-0001",
        "rev",
        at(5),
    )
    entries = store.history(engine, submission_id=submission.id)
    assert [(e.action, e.actor, e.at) for e in entries] == [("submitted", "ann", at(0)), ("published", "rev", at(5))]
    assert entries[1].detail == {"created": "reg-0001"}
    assert store.history(engine, record_id="reg-0001") == entries[1:]


def test_sto002_a_note_is_published_as_a_note_about_its_initiative(engine):
    note = store.submit(
        engine, user="ann", kind="note", about_id="paper-12", payload={"text": "Now county-wide"}, now=at(0)
    )
    record = publish(engine, note.id)
    assert (record.kind, record.about_id, record.payload) == ("note", "paper-12", {"text": "Now county-wide"})


def test_sto003_return_stores_the_comment_and_leaves_nothing_published(engine):
    submission = submit_new(engine)
    returned = store.return_submission(
        engine, submission_id=submission.id, reviewer="rev", comment="Which forces?", now=at(3)
    )
    assert (returned.status, returned.review_comment, returned.reviewed_by, returned.reviewed_at) == (
        "returned",
        "Which forces?",
        "rev",
        at(3),
    )
    assert store.published_records(engine) == []
    last = store.history(engine, submission_id=submission.id)[-1]
    assert (last.action, last.actor, last.detail) == ("returned", "rev", {"comment": "Which forces?"})
    with pytest.raises(Conflict, match="already returned"):
        publish(engine, submission.id)


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_sto004_return_needs_a_comment(engine, comment):
    submission = submit_new(engine)
    with pytest.raises(ValueError, match="comment"):
        store.return_submission(engine, submission_id=submission.id, reviewer="rev", comment=comment, now=at(1))
    assert store.get_submission(engine, submission.id).status == "pending"


def test_sto005_update_replaces_the_payload_and_records_the_diff(engine):
    record = publish(engine, submit_new(engine).id)
    new_payload = {"title": "Street triage", "forces": ["E23000001", "E23000002"], "contact": "triage@example.org"}
    update = store.submit(
        engine, user="bob", kind="update", record_id=record.record_id, payload=new_payload, now=at(10)
    )

    updated = store.publish(engine, submission_id=update.id, reviewer="rev2", organisation="NPCC", now=at(20))

    assert (updated.record_id, updated.revision, updated.payload) == ("reg-0001", 2, new_payload)
    assert (updated.published_by, updated.organisation, updated.submission_id) == ("rev2", "NPCC", update.id)
    assert store.published_records(engine) == [updated]
    last = store.history(engine, record_id="reg-0001")[-1]
    assert (last.action, last.actor, last.submission_id) == ("published", "rev2", update.id)
    assert last.detail == {
        "changed": {
            "contact": [None, "triage@example.org"],
            "forces": [["E23000001"], ["E23000001", "E23000002"]],
            "themes": [["mental health"], None],
        },
        "revision": [1, 2],
    }


def test_sto006_an_update_must_name_an_existing_published_record(engine):
    with pytest.raises(NotFound, match="reg-0404"):
        store.submit(engine, user="ann", kind="update", record_id="reg-0404", payload=TRIAGE, now=at(0))
    assert count(engine, "submissions") == 0
    record = publish(engine, submit_new(engine).id)
    store.withdraw(engine, record_id=record.record_id, user="rev", reason="Ended", now=at(9))
    with pytest.raises(Conflict, match="withdrawn"):
        store.submit(engine, user="ann", kind="update", record_id=record.record_id, payload=TRIAGE, now=at(10))


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": "poem"}, "kind"),
        ({"kind": "update"}, "record_id"),
        ({"kind": "note"}, "about_id"),
        ({"kind": "new initiative", "record_id": "reg-0001"}, "record_id"),
    ],
)
def test_sto007_submission_shape_is_checked(engine, fields, message):
    with pytest.raises(ValueError, match=message):
        store.submit(engine, user="ann", payload=TRIAGE, now=at(0), **fields)
    assert count(engine, "submissions") == 0


def test_sto008_withdraw_keeps_the_row(engine):
    record = publish(engine, submit_new(engine).id)
    withdrawn = store.withdraw(engine, record_id=record.record_id, user="rev", reason="Funding ended", now=at(30))
    assert withdrawn.state == "withdrawn" and withdrawn.payload == TRIAGE
    assert store.published_records(engine) == []
    assert store.get_record(engine, record.record_id) == withdrawn
    last = store.history(engine, record_id=record.record_id)[-1]
    assert (last.action, last.actor, last.detail) == ("withdrawn", "rev", {"reason": "Funding ended", "revision": 1})
    with pytest.raises(Conflict, match="withdrawn"):
        store.withdraw(engine, record_id=record.record_id, user="rev", reason="again", now=at(31))
    with pytest.raises(ValueError, match="reason"):
        store.withdraw(engine, record_id=record.record_id, user="rev", reason=" ", now=at(31))


def test_sto009_lookups_of_unknown_ids_raise_not_found(engine):
    with pytest.raises(NotFound):
        store.get_submission(engine, 99)
    with pytest.raises(NotFound):
        store.get_record(engine, "reg-0099")
    with pytest.raises(NotFound):
        publish(engine, 99)
    with pytest.raises(NotFound):
        store.withdraw(engine, record_id="reg-0099", user="rev", reason="x", now=at(0))


# --- exactly once ---------------------------------------------------------------------------------


def test_sto010_an_idempotency_key_stores_once_and_returns_the_same_submission(engine):
    first = submit_new(engine, idempotency_key="form-7f3a")
    again = submit_new(engine, minutes=1, idempotency_key="form-7f3a")
    assert again == first
    assert count(engine, "submissions") == 1
    assert [e.action for e in store.history(engine)] == ["submitted"]
    assert submit_new(engine, idempotency_key="form-other").id != first.id


def test_sto011_another_users_idempotency_key_conflicts(engine):
    submit_new(engine, user="ann", idempotency_key="form-7f3a")
    with pytest.raises(Conflict, match="another user"):
        submit_new(engine, user="bob", idempotency_key="form-7f3a")
    assert count(engine, "submissions") == 1


def test_sto012_publishing_twice_conflicts(engine):
    submission = submit_new(engine)
    publish(engine, submission.id)
    with pytest.raises(Conflict, match="already published"):
        publish(engine, submission.id, minutes=6)
    with pytest.raises(Conflict, match="already published"):
        store.return_submission(engine, submission_id=submission.id, reviewer="rev", comment="late", now=at(7))
    assert count(engine, "records") == 1
    assert [e.action for e in store.history(engine)] == ["submitted", "published"]


def test_sto013_two_reviewers_racing_to_publish_exactly_one_wins(engine, database_url):
    submission = submit_new(engine)
    # Each reviewer has an engine of their own, as two workers or instances would: real concurrent connections.
    with own_engines(database_url, 2) as engines:
        outcomes = at_once(
            [
                functools.partial(
                    store.publish, e, submission_id=submission.id, reviewer=f"rev{i}", organisation="PHE", now=at(5)
                )
                for i, e in enumerate(engines)
            ]
        )

    winners = [o for o in outcomes if isinstance(o, store.PublishedRecord)]
    assert len(winners) == 1 and len([o for o in outcomes if isinstance(o, Conflict)]) == 1
    assert count(engine, "records") == 1
    assert [e.actor for e in store.history(engine) if e.action == "published"] == [winners[0].published_by]


# --- listings and counters ------------------------------------------------------------------------


def test_sto014_listing_orders(engine):
    ann_first = submit_new(engine, user="ann", minutes=0)
    bob = submit_new(engine, user="bob", minutes=1)
    ann_second = submit_new(engine, user="ann", minutes=2)
    assert [s.id for s in store.submissions_by(engine, "ann")] == [ann_second.id, ann_first.id]
    assert [s.id for s in store.pending(engine)] == [ann_first.id, bob.id, ann_second.id]
    assert store.submissions_by(engine, "nobody") == []


def test_sto015_the_limit_counts_one_users_submissions_since_an_instant_in_any_zone(engine):
    for minutes in (0, 10, 20):
        submit_new(engine, user="ann", minutes=minutes)
    submit_new(engine, user="bob", minutes=20)
    # Two of ann's are at or after minute 10, written here in another zone: a limit of 2 is reached, of 3 not.
    since = at(10).astimezone(timezone(timedelta(hours=2)))
    with pytest.raises(store.LimitReached):
        submit_new(engine, user="ann", minutes=30, limit=store.SubmissionLimit(2, since))
    submit_new(engine, user="ann", minutes=30, limit=store.SubmissionLimit(3, since))
    assert count(engine, "submissions") == 5


def test_sto016_published_revision_changes_only_with_what_is_published(engine):
    assert store.published_revision(engine) == 0
    first = submit_new(engine)
    assert store.published_revision(engine) == 0
    record = publish(engine, first.id)
    after_publish = store.published_revision(engine)
    assert after_publish > 0
    store.return_submission(engine, submission_id=submit_new(engine).id, reviewer="rev", comment="no", now=at(8))
    assert store.published_revision(engine) == after_publish
    store.withdraw(engine, record_id=record.record_id, user="rev", reason="ended", now=at(9))
    after_withdraw = store.published_revision(engine)
    assert after_withdraw > after_publish
    store.import_records(engine, user="admin", records=[("paper-1", TRIAGE)], organisation="PHE", now=at(10))
    assert store.published_revision(engine) > after_withdraw


def test_sto017_results_are_frozen_and_times_are_utc(engine):
    paris = timezone(timedelta(hours=1))
    submission = store.submit(engine, user="ann", kind="new initiative", payload=TRIAGE, now=at(0).astimezone(paris))
    stored = store.get_submission(engine, submission.id)
    assert stored.submitted_at == at(0) and stored.submitted_at.tzinfo == UTC
    assert store.history(engine)[0].at.tzinfo == UTC
    with pytest.raises(dataclasses.FrozenInstanceError):
        stored.status = "published"


def test_sto018_naive_times_are_refused(engine):
    with pytest.raises(ValueError, match="timezone-aware"):
        store.submit(engine, user="ann", kind="new initiative", payload=TRIAGE, now=datetime(2025, 3, 1, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        submit_new(engine, limit=store.SubmissionLimit(1, datetime(2025, 3, 1)))
    assert count(engine, "submissions") == 0


# --- import ---------------------------------------------------------------------------------------


def test_sto019_import_stores_published_initiatives_with_history(engine):
    imported = store.import_records(
        engine, user="admin", records=[("paper-2", {"title": "B"}), ("paper-1", TRIAGE)], organisation="PHE", now=at(0)
    )
    assert [r.record_id for r in imported] == ["paper-2", "paper-1"]
    assert [r.record_id for r in store.published_records(engine)] == ["paper-1", "paper-2"]
    record = store.get_record(engine, "paper-1")
    assert (record.kind, record.state, record.revision, record.submission_id) == ("initiative", "published", 1, None)
    assert [(e.action, e.actor, e.record_id) for e in store.history(engine)] == [
        ("imported", "admin", "paper-2"),
        ("imported", "admin", "paper-1"),
    ]


def test_sto020_import_is_all_or_nothing(engine):
    batch = [("paper-1", TRIAGE), ("paper-2", TRIAGE), ("paper-1", {"title": "again"})]
    with pytest.raises(Conflict, match="paper-1"):
        store.import_records(engine, user="admin", records=batch, organisation="PHE", now=at(0))
    assert count(engine, "records") == 0 and count(engine, "history") == 0

    store.import_records(engine, user="admin", records=[("paper-1", TRIAGE)], organisation="PHE", now=at(1))
    with pytest.raises(Conflict, match="paper-1"):
        store.import_records(
            engine, user="admin", records=[("paper-3", TRIAGE), ("paper-1", TRIAGE)], organisation="PHE", now=at(2)
        )
    assert [r.record_id for r in store.published_records(engine)] == ["paper-1"]


def test_sto021_import_refuses_ids_that_are_not_slugs(engine):
    with pytest.raises(ValueError, match="Paper 1"):
        store.import_records(
            engine, user="admin", records=[("paper-2", TRIAGE), ("Paper 1", TRIAGE)], organisation="PHE", now=at(0)
        )
    assert count(engine, "records") == 0


# --- what the database itself guarantees ----------------------------------------------------------


@pytest.mark.parametrize("statement", ["UPDATE history SET actor = 'mallory'", "DELETE FROM history"])
def test_sto022_the_database_refuses_to_change_history(engine, statement):
    submit_new(engine)
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    assert [(e.action, e.actor) for e in store.history(engine)] == [("submitted", "ann")]


def test_sto023_sqlite_runs_in_wal_with_a_busy_timeout_and_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sto024_a_change_and_its_history_row_are_one_transaction(engine, monkeypatch):
    pending_submission = submit_new(engine)

    def history_write_fails(*args, **kwargs):
        raise RuntimeError("history could not be written")

    # The history row fails after the change itself was written: neither may remain.
    monkeypatch.setattr("storage.register_store._record_history", history_write_fails)
    with pytest.raises(RuntimeError, match="history"):
        submit_new(engine, user="bob")
    with pytest.raises(RuntimeError, match="history"):
        publish(engine, pending_submission.id)
    assert [s.id for s in store.pending(engine)] == [pending_submission.id]
    assert count(engine, "submissions") == 1 and count(engine, "records") == 0


def test_sto025_memory_database_works_for_tests():
    engine = connect("sqlite:///:memory:")
    migrate(engine)
    record = publish(engine, submit_new(engine).id)
    assert store.published_records(engine) == [record]


def test_sto026_default_url_is_the_sqlite_file_under_var(tmp_path):
    assert default_database_url(tmp_path) == f"sqlite:///{tmp_path}/var/register.sqlite3"


def test_sto027_connect_creates_the_folder_of_the_sqlite_file(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'deep' / 'er' / 'register.sqlite3'}")
    migrate(engine)
    engine.dispose()
    assert (tmp_path / "deep" / "er" / "register.sqlite3").is_file()


# --- when the database is unavailable ---------------------------------------------------------------


def replace_folder_with_a_file(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.write_text("not a folder")


# Replaced by a file rather than made unreadable: the tests run as root, which reads any folder.
@pytest.mark.parametrize("break_folder", [replace_folder_with_a_file])
def test_sto028_unusable_sqlite_folder_raises_register_unavailable(tmp_path, break_folder):
    folder = tmp_path / "var"
    migrate_engine = connect(f"sqlite:///{folder / 'register.sqlite3'}")
    migrate(migrate_engine)
    migrate_engine.dispose()
    engine = connect(f"sqlite:///{folder / 'register.sqlite3'}")
    break_folder(folder)
    try:
        with pytest.raises(RegisterUnavailable, match="unavailable"):
            store.published_records(engine)
        with pytest.raises(RegisterUnavailable):
            submit_new(engine)
    finally:
        if folder.is_dir():
            folder.chmod(0o755)
        engine.dispose()


def test_sto029_closed_postgresql_port_raises_register_unavailable_quickly():
    engine = connect("postgresql+psycopg://u:p@127.0.0.1:1/x?connect_timeout=2")
    started = time.monotonic()
    with pytest.raises(RegisterUnavailable, match="unavailable") as raised:
        store.pending(engine)
    with pytest.raises(RegisterUnavailable):
        submit_new(engine)
    assert time.monotonic() - started < 5
    assert ":p@" not in str(raised.value)
    engine.dispose()


def test_sto030_a_database_locked_too_long_raises_register_unavailable(sqlite_engine, database_file, monkeypatch):
    # Another writer holds the lock longer than busy_timeout: this writer gives up, readably.
    monkeypatch.setattr("storage.database.SQLITE_BUSY_TIMEOUT_MS", 50)
    impatient = connect(f"sqlite:///{database_file}")
    try:
        with for_writes(sqlite_engine).begin():
            with pytest.raises(RegisterUnavailable, match="locked"):
                submit_new(impatient)
            assert store.pending(impatient) == []  # readers are not blocked meanwhile (WAL)
    finally:
        impatient.dispose()


# --- PostgreSQL: writers whose transactions overlap ---------------------------------------------------


def test_sto031_two_first_attempts_with_one_key_store_it_once(engine, database_url):
    # A double click whose two requests reach two workers at once: neither has seen the other's row.
    with own_engines(database_url, 2) as engines:
        outcomes = at_once([functools.partial(submit_new, e, idempotency_key="form-race") for e in engines])

    assert len(outcomes) == 2 and all(isinstance(o, store.Submission) for o in outcomes), outcomes
    assert outcomes[0] == outcomes[1]
    assert count(engine, "submissions") == 1
    assert [e.action for e in store.history(engine)] == ["submitted"]


@pytest.mark.parametrize("statement", ["TRUNCATE history", "TRUNCATE history CASCADE"])
def test_sto032_postgresql_refuses_to_truncate_history(postgresql_engine, statement):
    # TRUNCATE fires no row triggers: migration 0002 adds a statement trigger for it.
    submit_new(postgresql_engine)
    with pytest.raises(IntegrityError, match="append-only"), postgresql_engine.begin() as connection:
        connection.execute(text(statement))
    assert count(postgresql_engine, "history") == 1


def test_sto033_a_publication_committed_after_a_later_one_still_changes_the_revision(postgresql_engine):
    # PostgreSQL hands out history ids when rows are inserted, not when they commit: a slow import takes
    # an id, a quicker reviewer takes the next one and commits first. A reader that polled in between
    # must still see the revision change once the slow import commits, or the import never shows.
    engine = postgresql_engine
    slow = connect(engine.url.render_as_string(hide_password=False))
    try:
        with slow.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO records (record_id, kind, payload, state, published_at, published_by, organisation, "
                    "revision) VALUES ('paper-1', 'initiative', '{}', 'published', now(), 'admin', 'PHE', 1)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO history (at, actor, action, record_id, detail) "
                    "VALUES (now(), 'admin', 'imported', 'paper-1', '{}')"
                )
            )
            publish(engine, submit_new(engine).id)
            seen_between = store.published_revision(engine)
            assert [r.record_id for r in store.published_records(engine)] == ["reg-0001"]
    finally:
        slow.dispose()
    assert store.published_revision(engine) != seen_between
    assert [r.record_id for r in store.published_records(engine)] == ["paper-1", "reg-0001"]


# --- the per-user limit ------------------------------------------------------------------------------


def test_sto034_the_limit_refuses_the_submission_past_it_and_stores_nothing(engine):
    limit = store.SubmissionLimit(2, at(0))
    submit_new(engine, minutes=1, limit=limit)
    submit_new(engine, minutes=2, limit=limit)

    with pytest.raises(store.LimitReached):
        submit_new(engine, minutes=3, limit=limit)
    submit_new(engine, user="bob", minutes=3, limit=limit)  # another user's count is their own

    assert count(engine, "submissions") == 3
    assert [e.action for e in store.history(engine)] == ["submitted"] * 3
    # Submissions before `since` do not count.
    submit_new(engine, minutes=4, limit=store.SubmissionLimit(2, at(2)))


def test_sto035_a_resent_request_is_answered_with_its_submission_even_at_the_limit(engine):
    limit = store.SubmissionLimit(1, at(0))
    first = submit_new(engine, minutes=1, idempotency_key="form-1", limit=limit)

    resent = submit_new(engine, minutes=2, idempotency_key="form-1", limit=limit)

    assert resent == first and count(engine, "submissions") == 1


def test_sto036_racing_submissions_cannot_pass_the_limit_together(engine, database_url):
    # One user's requests reaching several workers at once: each must count the others' rows.
    senders = 4
    with own_engines(database_url, senders) as engines:
        outcomes = at_once(
            [
                functools.partial(
                    submit_new, e, minutes=1, idempotency_key=f"race-{n}", limit=store.SubmissionLimit(2, at(0))
                )
                for n, e in enumerate(engines)
            ]
        )

    stored = [o for o in outcomes if isinstance(o, store.Submission)]
    refused = [o for o in outcomes if isinstance(o, store.LimitReached)]
    assert (len(stored), len(refused)) == (2, senders - 2), outcomes
    assert count(engine, "submissions") == 2


def test_sto037_the_queue_can_be_read_a_page_at_a_time_and_counted(engine):
    sent = [submit_new(engine, minutes=m) for m in (3, 1, 2)]
    oldest_first = [sent[1].id, sent[2].id, sent[0].id]

    assert [s.id for s in store.pending(engine, 2)] == oldest_first[:2]
    assert [s.id for s in store.pending(engine)] == oldest_first
    assert store.pending_count(engine) == 3
    publish(engine, sent[1].id)
    assert store.pending_count(engine) == 2 and [s.id for s in store.pending(engine, 1)] == [sent[2].id]


# --- optimistic locking: an update publishes only over the revision it was proposed against ---------------


STREET = {"title": "Street triage, Kent", "forces": ["E23000032"]}
CUSTODY = {"title": "Custody nurses", "forces": ["E23000001"]}


def propose_update(
    engine: Engine,
    record_id: str,
    payload: dict,
    user: str = "bob",
    minutes: int = 10,
    base_revision: int | None = None,
) -> store.Submission:
    return store.submit(
        engine,
        user=user,
        kind="update",
        record_id=record_id,
        payload=payload,
        now=at(minutes),
        base_revision=base_revision,
    )


def stale_message(record_id: str, was: int, now: int) -> str:
    return (
        f"Record {record_id} changed since this proposal was made (it was revision {was}, it is now {now}). "
        "The proposal stays pending: return it to its contributor to propose again against the current record."
    )


def test_sto038_an_update_is_stored_with_the_revision_it_was_made_against(engine):
    record = publish(engine, submit_new(engine).id)
    assert propose_update(engine, record.record_id, STREET).base_revision == 1  # None: the revision now
    assert submit_new(engine).base_revision is None  # a new initiative updates nothing
    with pytest.raises(ValueError, match="no revision 2"):
        propose_update(engine, record.record_id, STREET, base_revision=2)
    first = store.history(engine, record_id=record.record_id)[-1]
    assert first.detail == {"kind": "update", "base_revision": 1}


def test_sto039_a_stale_update_is_refused_and_stays_pending(engine):
    record = publish(engine, submit_new(engine).id)
    first = propose_update(engine, record.record_id, STREET)
    second = propose_update(engine, record.record_id, CUSTODY, user="cy", minutes=11)
    publish(engine, first.id, minutes=20)
    history_before = store.history(engine)

    with pytest.raises(store.StaleRecord) as refused:
        publish(engine, second.id, minutes=21)

    assert str(refused.value) == stale_message("reg-0001", 1, 2)
    assert isinstance(refused.value, Conflict)
    assert store.get_submission(engine, second.id).status == "pending"  # the claim was rolled back
    assert [s.id for s in store.pending(engine)] == [second.id]
    current = store.get_record(engine, "reg-0001")
    assert (current.revision, current.payload, current.submission_id) == (2, STREET, first.id)
    assert store.history(engine) == history_before


def test_sto040_the_history_diffs_against_the_revision_actually_replaced(engine):
    record = publish(engine, submit_new(engine).id)
    publish(engine, propose_update(engine, record.record_id, STREET).id, minutes=20)
    again = propose_update(engine, record.record_id, CUSTODY, minutes=30)  # made against revision 2
    assert again.base_revision == 2

    updated = publish(engine, again.id, minutes=40)

    assert updated.revision == 3
    last = store.history(engine, record_id="reg-0001")[-1]
    assert last.detail == {
        "changed": {"forces": [["E23000032"], ["E23000001"]], "title": ["Street triage, Kent", "Custody nurses"]},
        "revision": [2, 3],
    }


def test_sto041_two_updates_of_one_record_published_at_once_exactly_one_wins(engine, database_url):
    # Several rounds, each on a record of its own, two reviewers on engines of their own.
    with own_engines(database_url, 2) as engines:
        for round_number in range(5):
            record = publish(engine, submit_new(engine, minutes=round_number).id)
            updates = [
                propose_update(engine, record.record_id, payload, user=user)
                for payload, user in ((STREET, "bob"), (CUSTODY, "cy"))
            ]
            outcomes = at_once(
                [
                    functools.partial(
                        store.publish, e, submission_id=u.id, reviewer=f"rev{i}", organisation="PHE", now=at(50)
                    )
                    for i, (e, u) in enumerate(zip(engines, updates, strict=True))
                ]
            )

            winners = [o for o in outcomes if isinstance(o, store.PublishedRecord)]
            stale = [o for o in outcomes if isinstance(o, store.StaleRecord)]
            assert (len(winners), len(stale)) == (1, 1), outcomes
            assert str(stale[0]) == stale_message(record.record_id, 1, 2)
            current = store.get_record(engine, record.record_id)
            assert current.revision == 2 and current.payload == winners[0].payload
            loser = updates[outcomes.index(stale[0])]
            assert store.get_submission(engine, loser.id).status == "pending"
            published = [e for e in store.history(engine, record_id=record.record_id) if e.action == "published"]
            assert [e.detail.get("revision") for e in published] == [None, [1, 2]]  # created, then one update


@contextmanager
def record_held(engine: Engine, statement: str) -> Iterator[None]:
    """Another writer's transaction that has changed the record and not yet committed: it holds the row (on
    SQLite, the write lock) until the block ends, then commits."""
    with for_writes(engine).begin() as connection:
        connection.execute(text(statement))
        yield


def while_held(engine: Engine, database_url: str, statement: str, action) -> object:
    """Start `action` on an engine of its own while the record is held, let it wait, then release the row;
    what `action` returned or raised."""
    with own_engines(database_url, 1) as [other], ThreadPoolExecutor(1) as pool:
        with record_held(engine, statement):
            outcome = pool.submit(lambda: _outcome(action, other))
            time.sleep(0.5)
            assert not outcome.done(), "the action did not wait for the held row"
        return outcome.result(timeout=30)


def _outcome(action, engine: Engine) -> object:
    try:
        return action(engine)
    except Exception as error:  # broad on purpose: the outcome the test asserts on
        return error


PUBLISHED_MEANWHILE = (
    "UPDATE records SET revision = revision + 1, payload = '{\"title\": \"Meanwhile\"}' WHERE record_id = 'reg-0001'"
)
WITHDRAWN_MEANWHILE = "UPDATE records SET state = 'withdrawn' WHERE record_id = 'reg-0001'"


def test_sto042_an_update_waiting_on_a_held_record_is_stale_once_it_commits(engine, database_url):
    record = publish(engine, submit_new(engine).id)
    waiting = propose_update(engine, record.record_id, STREET)

    outcome = while_held(
        engine,
        database_url,
        PUBLISHED_MEANWHILE,
        lambda other: store.publish(other, submission_id=waiting.id, reviewer="rev2", organisation="PHE", now=at(20)),
    )

    assert isinstance(outcome, store.StaleRecord) and str(outcome) == stale_message("reg-0001", 1, 2)
    current = store.get_record(engine, "reg-0001")
    assert (current.revision, current.payload) == (2, {"title": "Meanwhile"})  # not overwritten
    assert store.get_submission(engine, waiting.id).status == "pending"


def test_sto043_publishing_over_a_withdrawal_that_commits_first_is_refused(engine, database_url):
    record = publish(engine, submit_new(engine).id)
    waiting = propose_update(engine, record.record_id, STREET)

    outcome = while_held(
        engine,
        database_url,
        WITHDRAWN_MEANWHILE,
        lambda other: store.publish(other, submission_id=waiting.id, reviewer="rev2", organisation="PHE", now=at(20)),
    )

    assert type(outcome) is Conflict and "has been withdrawn since this proposal was made" in str(outcome)
    current = store.get_record(engine, "reg-0001")
    assert (current.state, current.revision, current.payload) == ("withdrawn", 1, TRIAGE)
    assert store.get_submission(engine, waiting.id).status == "pending"


def test_sto044_withdrawing_a_revision_that_a_publication_replaces_first_is_refused(engine, database_url):
    record = publish(engine, submit_new(engine).id)

    outcome = while_held(
        engine,
        database_url,
        PUBLISHED_MEANWHILE,
        lambda other: store.withdraw(
            other, record_id=record.record_id, user="rev2", reason="Ended", now=at(20), revision=1
        ),
    )

    assert type(outcome) is Conflict
    assert str(outcome) == (
        "Record reg-0001 changed since you read it (it was revision 1, it is now 2), so nothing "
        "was withdrawn. Read it again first."
    )
    assert store.get_record(engine, "reg-0001").state == "published"
    assert "withdrawn" not in [e.action for e in store.history(engine)]


def test_sto045_a_withdrawal_and_a_publication_at_once_exactly_one_wins(engine, database_url):
    with own_engines(database_url, 2) as (publisher, withdrawer):
        for round_number in range(5):
            record = publish(engine, submit_new(engine, minutes=round_number).id)
            update = propose_update(engine, record.record_id, STREET)
            outcomes = at_once(
                [
                    functools.partial(
                        store.publish,
                        publisher,
                        submission_id=update.id,
                        reviewer="rev1",
                        organisation="PHE",
                        now=at(50),
                    ),
                    functools.partial(
                        store.withdraw,
                        withdrawer,
                        record_id=record.record_id,
                        user="rev2",
                        reason="Ended",
                        now=at(50),
                        revision=1,
                    ),
                ]
            )

            winners = [o for o in outcomes if isinstance(o, store.PublishedRecord)]
            refused = [o for o in outcomes if isinstance(o, Conflict)]
            assert (len(winners), len(refused)) == (1, 1), outcomes
            current = store.get_record(engine, record.record_id)
            if isinstance(outcomes[0], store.PublishedRecord):  # the publication won
                assert (current.state, current.revision) == ("published", 2)
                assert "changed since you read it" in str(outcomes[1])
            else:
                assert (current.state, current.revision) == ("withdrawn", 1)
                assert "withdrawn since this proposal was made" in str(outcomes[0])
                assert store.get_submission(engine, update.id).status == "pending"


# --- four eyes: self-publication is recorded ---------------------------------------------------------------


def test_sto046_a_reviewer_publishing_their_own_proposal_is_recorded_as_such(engine):
    own = store.publish(
        engine, submission_id=submit_new(engine, user="rev").id, reviewer="rev", organisation="PHE", now=at(5)
    )
    other = publish(engine, submit_new(engine, user="ann").id)

    assert own.self_published is True and other.self_published is False
    assert store.get_record(engine, own.record_id).self_published is True
    assert store.history(engine, record_id=own.record_id)[-1].detail == {
        "created": own.record_id,
        "self_published": True,
    }
    assert "self_published" not in store.history(engine, record_id=other.record_id)[-1].detail
    update = store.publish(
        engine,
        submission_id=propose_update(engine, own.record_id, STREET, user="ann").id,
        reviewer="rev",
        organisation="PHE",
        now=at(30),
    )
    assert update.self_published is False  # this revision was another's proposal


# --- notes: withdrawn and amended --------------------------------------------------------------------------


NOTE = {"about_id": "paper-12", "note_kind": "erratum", "text": "The figure is 30 percent, not 3.", "source": "x"}


def test_sto047_a_note_is_amended_with_a_reason_as_its_next_revision(engine):
    note = publish(
        engine, store.submit(engine, user="ann", kind="note", about_id="paper-12", payload=NOTE, now=at(0)).id
    )
    before = store.published_revision(engine)
    corrected = {**NOTE, "text": "The figure is 30 percent, not 3 (table 2)."}

    amended = store.amend(
        engine,
        record_id=note.record_id,
        user="rev2",
        payload=corrected,
        reason="Named the table",
        organisation="NPCC",
        now=at(20),
    )

    assert (amended.revision, amended.payload, amended.published_by, amended.organisation) == (
        2,
        corrected,
        "rev2",
        "NPCC",
    )
    assert store.published_revision(engine) == before + 1  # every worker reloads
    last = store.history(engine, record_id=note.record_id)[-1]
    assert (last.action, last.actor) == ("amended", "rev2")
    assert last.detail == {
        "reason": "Named the table",
        "revision": [1, 2],
        "changed": {"text": [NOTE["text"], corrected["text"]]},
    }
    with pytest.raises(Conflict, match="it was revision 1, it is now 2"):
        store.amend(
            engine,
            record_id=note.record_id,
            user="rev",
            payload=NOTE,
            reason="back",
            organisation="PHE",
            now=at(21),
            revision=1,
        )
    with pytest.raises(ValueError, match="reason"):
        store.amend(
            engine, record_id=note.record_id, user="rev", payload=NOTE, reason=" ", organisation="PHE", now=at(21)
        )
    initiative = publish(engine, submit_new(engine).id)
    with pytest.raises(Conflict, match="only a note is amended"):
        store.amend(
            engine,
            record_id=initiative.record_id,
            user="rev",
            payload=TRIAGE,
            reason="x",
            organisation="PHE",
            now=at(22),
        )


def test_sto048_a_note_is_withdrawn_and_then_cannot_be_amended(engine):
    note = publish(
        engine, store.submit(engine, user="ann", kind="note", about_id="paper-12", payload=NOTE, now=at(0)).id
    )
    withdrawn = store.withdraw(engine, record_id=note.record_id, user="rev", reason="Wrong initiative", now=at(9))
    assert withdrawn.state == "withdrawn" and store.published_records(engine) == []
    with pytest.raises(Conflict, match="withdrawn"):
        store.amend(
            engine, record_id=note.record_id, user="rev", payload=NOTE, reason="x", organisation="PHE", now=at(10)
        )


# --- what became of a contributor's submissions ------------------------------------------------------------


def test_sto049_a_submission_says_what_became_of_its_record(engine):
    waiting = submit_new(engine, user="ann", minutes=0)
    created = submit_new(engine, user="ann", minutes=1)
    record = publish(engine, created.id)
    update = propose_update(engine, record.record_id, STREET, user="ann", minutes=2)
    assert (waiting.record_state, waiting.withdrawn_at, waiting.withdrawn_reason) == (None, None, None)
    assert update.record_state == "published"

    store.withdraw(engine, record_id=record.record_id, user="rev", reason="First try", now=at(3))
    by_id = {s.id: s for s in store.submissions_by(engine, "ann")}
    assert (by_id[created.id].record_state, by_id[created.id].withdrawn_at, by_id[created.id].withdrawn_reason) == (
        "withdrawn",
        at(3),
        "First try",
    )
    assert (by_id[update.id].record_state, by_id[update.id].withdrawn_reason) == ("withdrawn", "First try")
    assert (by_id[waiting.id].record_state, by_id[waiting.id].withdrawn_at) == (None, None)
    assert store.get_submission(engine, created.id) == by_id[created.id]
    assert store.pending(engine) == [by_id[waiting.id], by_id[update.id]]


# --- ids: reg- belongs to publications -------------------------------------------------------------------


def test_sto050_import_refuses_publication_ids_and_keeps_where_a_renamed_one_came_from(engine):
    with pytest.raises(ValueError, match="'reg-0001' starts with 'reg-'"):
        store.import_records(engine, user="admin", records=[("reg-0001", TRIAGE)], organisation="PHE", now=at(0))
    assert count(engine, "records") == 0
    store.import_records(
        engine,
        user="admin",
        records=[("imp-0001", TRIAGE)],
        organisation="PHE",
        now=at(0),
        original_ids={"imp-0001": "reg-0001"},
    )
    assert store.history(engine, record_id="imp-0001")[-1].detail == {"original_id": "reg-0001"}


def test_sto051_a_publication_never_takes_an_id_already_held(engine):
    # A reg- record imported before imports were refused them (as 0002's import command did).
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO records (record_id, kind, payload, state, published_at, published_by, organisation, "
                "revision) VALUES ('reg-0001', 'initiative', '{}', 'published', '2025-01-01 00:00:00', 'admin', 'PHE', 1)"
            )
        )
    record = publish(engine, submit_new(engine).id)
    assert record.record_id == "reg-0001-2"
    assert store.get_submission(engine, record.submission_id).record_id == "reg-0001-2"
    assert sorted(r.record_id for r in store.published_records(engine)) == ["reg-0001", "reg-0001-2"]
