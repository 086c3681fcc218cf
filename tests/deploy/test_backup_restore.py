"""Deployment tier: the backup and restore commands of docs/deployment.md ("## Database"), run as written.

On SQLite (the sqlite3 command-line tool's online `.backup`, taken while the app holds the database
open) and on PostgreSQL (`pg_dump -Fc`, `createdb`, `pg_restore` from the test cluster's binaries), a
register with published, updated, withdrawn, returned and pending work is backed up and restored into
a fresh database; the app started on the copy serves the same register.
"""

from __future__ import annotations

import json

import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from components.orientation import RECENT
from components.app_factory import create_app
from domain.register import User
from services.register import RegisterService
from storage import register_store
from storage.database import connect, migrate
from tests.conftest import REPO
from tests.register_requests import (
    CONTRIBUTOR,
    REVIEWER,
    overview_request,
    paper,
    post_callback,
    reference,
    register_settings,
    valid_payload,
)

# The deploy tier's marker: these tests run the database's own tools on real databases.
pytestmark = [pytest.mark.database]

# The commands as docs/deployment.md gives them; test_bak003 checks the doc still says exactly these.
SQLITE_BACKUP = ["""sqlite3 var/register.sqlite3 ".backup 'backup.sqlite3'\""""]
SQLITE_RESTORE = ["rm -f var/register.sqlite3-wal var/register.sqlite3-shm", "cp backup.sqlite3 var/register.sqlite3"]
POSTGRESQL_BACKUP = ["pg_dump -Fc -d pph_register -f register.dump"]
POSTGRESQL_RESTORE = [
    "createdb pph_register_restored",
    "pg_restore --no-owner --single-transaction -d pph_register_restored register.dump",
]
SOURCE_DATABASE, RESTORED_DATABASE, DUMP = "pph_register", "pph_register_restored", "register.dump"

ANN, BOB = User(CONTRIBUTOR, False), User("bob", False)
RITA = User(REVIEWER, True)
TITLES = {
    "kept": "Street triage kept through the backup",
    "updated": "Liaison and diversion, first version",
    "updated again": "Liaison and diversion, as updated",
    "withdrawn": "Knife crime clinic later withdrawn",
    "returned": "Proposal returned for more detail",
    "pending": "Proposal still waiting for review",
}


@dataclass(frozen=True)
class Register:
    """Everything the register stores, read back through the storage layer."""

    published: list[register_store.PublishedRecord]
    records: list[register_store.PublishedRecord]  # withdrawn ones included
    submissions: list[register_store.Submission]
    history: list[register_store.HistoryEntry]
    revision: int


def read_register(engine: Engine) -> Register:
    history = register_store.history(engine)
    record_ids = sorted({h.record_id for h in history if h.record_id})
    submission_ids = sorted({h.submission_id for h in history if h.submission_id})
    return Register(
        published=register_store.published_records(engine),
        records=[register_store.get_record(engine, r) for r in record_ids],
        submissions=[register_store.get_submission(engine, s) for s in submission_ids],
        history=history,
        revision=register_store.published_revision(engine),
    )


def fill(engine: Engine) -> None:
    """A register's life: a record published, one published then updated, one withdrawn, a paper
    initiative's note, a proposal returned and one left pending."""
    service = RegisterService(engine, "PHE", submissions_per_hour=100)
    ref = reference()

    def published(user: User, title: str) -> register_store.PublishedRecord:
        sent = service.propose(user, "new initiative", valid_payload(title=title), ref)
        return service.publish(RITA, sent.id, ref)

    published(ANN, TITLES["kept"])
    updated = published(BOB, TITLES["updated"])
    update = service.propose(
        BOB, "update", valid_payload(title=TITLES["updated again"]), ref, record_id=updated.record_id
    )
    service.publish(RITA, update.id, ref)
    withdrawn = published(ANN, TITLES["withdrawn"])
    service.withdraw(RITA, withdrawn.record_id, "The clinic closed")
    note = service.propose(
        ANN,
        "note",
        {
            "about_id": paper().initiatives[0].id,
            "note_kind": "follow-up",
            "text": "The scheme now covers the whole county.",
            "source": "https://example.org/follow-up",
        },
        ref,
    )
    service.publish(RITA, note.id, ref)
    returned = service.propose(BOB, "new initiative", valid_payload(title=TITLES["returned"]), ref)
    service.return_to_contributor(RITA, returned.id, "Which forces took part?")
    service.propose(ANN, "new initiative", valid_payload(title=TITLES["pending"]), ref, idempotency_key="form-1")


def served_layout(database_url: str) -> str:
    """What an anonymous reader loads from an app started on this database: the page, and the outcomes
    overview's charts it asks for when they come into view (they name the charted initiatives)."""
    app = create_app(register_settings(Path("/nonexistent"), database_url=database_url), paper())
    try:
        client = app.server.test_client()
        page = client.get("/_dash-layout")
        charts = post_callback(client, overview_request(app), user=None)
    finally:
        # No request of this app may check a database the test is about to drop.
        app.server.extensions["pph.source"].stop()
    assert page.status_code == 200 and charts.status_code == 200
    return page.get_data(as_text=True) + "\n" + charts.get_data(as_text=True)


def assert_same_register(original: Register, original_layout: str, restored_url: str) -> None:
    engine = connect(restored_url)
    try:
        restored = read_register(engine)
        assert restored == original
        restored_layout = served_layout(restored_url)
        # The restored database can go on: its ids continue (PostgreSQL's sequences came over) and the
        # history is still append-only (the triggers came over).
        sent = RegisterService(engine, "PHE", 100).propose(
            ANN, "new initiative", valid_payload(title="After"), reference()
        )
        assert sent.id == max(s.id for s in original.submissions) + 1
        with pytest.raises(IntegrityError, match="append-only"), engine.begin() as connection:
            connection.execute(text("UPDATE history SET actor = 'mallory'"))
    finally:
        engine.dispose()

    # What was filled in is really there, so the equality above compares a register, not two empty ones.
    assert len(original.published) == 3 and len(original.records) == 4
    assert {h.action for h in original.history} == {"submitted", "published", "returned", "withdrawn"}
    assert sorted(s.status for s in original.submissions) == [
        "pending",
        "published",
        "published",
        "published",
        "published",
        "published",
        "returned",
    ]
    # The same page: the same records shown, the same text about them.
    assert restored_layout == original_layout
    for shown in ("kept", "updated again"):
        assert TITLES[shown] in restored_layout
    # "Recently added or corrected" names what was withdrawn or updated, as it should: the records shown on
    # the map and in the profiles are everything else.
    records_shown = without_component(restored_layout, RECENT)
    for hidden in ("updated", "withdrawn", "returned", "pending"):
        assert TITLES[hidden] not in records_shown


def without_component(layout: str, component_id: str) -> str:
    """The served answers (JSON documents, one a line) less the component with this id and its content."""

    def drop(node: object) -> object:
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == component_id:
                return None
            return {key: drop(value) for key, value in node.items()}
        if isinstance(node, list):
            return [drop(item) for item in node]
        return node

    return "\n".join(json.dumps(drop(json.loads(document))) for document in layout.split("\n"))


def run(command: str, cwd: Path) -> None:
    """A documented command, word for word, without a shell (the doc's quoting is shell quoting)."""
    result = subprocess.run(shlex.split(command), cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{command}: {result.stderr}"


def test_bak001_sqlite_online_backup_and_restore(tmp_path):
    assert shutil.which("sqlite3"), "the sqlite3 command-line tool is missing: run scripts/setup.sh --dev"
    live, restored = tmp_path / "live", tmp_path / "restored"
    url = f"sqlite:///{live / 'var' / 'register.sqlite3'}"
    engine = connect(url)
    try:
        # The app runs while the backup is taken: its engine and the writer's hold the database open,
        # and the latest writes are still in the write-ahead log, not in the database file.
        migrate(engine)
        fill(engine)
        original_layout = served_layout(url)
        original = read_register(engine)
        assert (live / "var" / "register.sqlite3-wal").stat().st_size > 0
        for command in SQLITE_BACKUP:
            run(command, cwd=live)
    finally:
        engine.dispose()

    (restored / "var").mkdir(parents=True)
    shutil.move(live / "backup.sqlite3", restored / "backup.sqlite3")
    # A stale log beside the file being replaced, as a stopped app may leave: the restore removes it.
    (restored / "var" / "register.sqlite3-wal").write_bytes(b"not this database's log")
    for command in SQLITE_RESTORE:
        run(command, cwd=restored)
    assert_same_register(original, original_layout, f"sqlite:///{restored / 'var' / 'register.sqlite3'}")


@pytest.fixture
def postgres_databases(postgres) -> Iterator[tuple[Any, str]]:
    """The documented source database, filled, and no restored one yet; both dropped afterwards."""
    url = postgres.new_database(SOURCE_DATABASE)
    postgres.psql("postgres", f'DROP DATABASE IF EXISTS "{RESTORED_DATABASE}" WITH (FORCE)')
    try:
        yield postgres, url
    finally:
        for name in (SOURCE_DATABASE, RESTORED_DATABASE):
            postgres.psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        (postgres.folder / DUMP).unlink(missing_ok=True)


def test_bak002_postgresql_dump_and_restore(postgres_databases, monkeypatch):
    postgres, url = postgres_databases
    engine = connect(url)
    try:
        migrate(engine)
        fill(engine)
        original = read_register(engine)
    finally:
        engine.dispose()
    original_layout = served_layout(url)

    # The documented commands take the server from libpq's variables, as psql does.
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(postgres.port))
    monkeypatch.setenv("PGUSER", "postgres")
    for command in POSTGRESQL_BACKUP + POSTGRESQL_RESTORE:
        program, *arguments = shlex.split(command)
        # As the cluster's own user, in its folder (the dump is written there); the programs from its bin/.
        result = postgres._run(program, *arguments, check=False)
        assert result.returncode == 0, f"{command}: {result.stderr}"
    assert_same_register(original, original_layout, postgres.url(RESTORED_DATABASE))


def database_section() -> str:
    doc = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    match = re.search(r"^## Database\n(.*?)(?=^## )", doc, re.MULTILINE | re.DOTALL)
    assert match, "docs/deployment.md has no '## Database' section"
    return match.group(1)


def test_bak003_the_docs_give_the_commands_these_tests_run():
    # Indented code lines of the section, as a reader copies them.
    documented = [line.strip() for line in database_section().splitlines() if line.startswith("    ")]
    for command in SQLITE_BACKUP + SQLITE_RESTORE + POSTGRESQL_BACKUP + POSTGRESQL_RESTORE:
        assert command in documented, f"docs/deployment.md no longer says {command!r}"
    register_doc = (REPO / "docs" / "register.md").read_text(encoding="utf-8")
    assert "(deployment.md#database)" in register_doc
