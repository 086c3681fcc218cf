"""The register's migrations, tested as code on SQLite and PostgreSQL: from an empty database, from the
previous revision with data in it, through the documented command, with two instances starting at once,
and against the ORM models they must agree with."""

from __future__ import annotations

import ast
import functools
import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from storage.database import alembic_config, connect, current_revision, head_revision, migrate, shown_url
from storage.migrate import main
from storage.models import Base
from tests.at_once import at_once, own_engines

REPO = Path(__file__).resolve().parents[2]
TABLES = {"submissions", "records", "history"}
HEAD = "0005"
# TRUNCATE fires no row trigger on PostgreSQL, so it has a third; SQLite has no TRUNCATE.
TRIGGERS = {
    "sqlite": {"history_refuse_update", "history_refuse_delete"},
    "postgresql": {"history_refuse_update", "history_refuse_delete", "history_refuse_truncate"},
}
_database_numbers = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new empty database on each backend; a PostgreSQL one is dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'register.sqlite3'}"
        return
    postgres = request.getfixturevalue("postgres")
    name = f"migrations_{next(_database_numbers)}"
    url = postgres.new_database(name)
    try:
        yield url
    finally:
        postgres.psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = connect(database_url)
    yield engine
    engine.dispose()


def triggers(engine: Engine) -> set[str]:
    query = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
        # pg_trigger rather than information_schema.triggers, which leaves TRUNCATE triggers out.
        "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
    }[engine.dialect.name]
    with engine.connect() as connection:
        return set(connection.scalars(text(query)))


def schema(engine: Engine) -> list[tuple]:
    """Everything the migrations create, as the database itself describes it."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return [
                tuple(row)
                for row in connection.execute(text("SELECT type, name, sql FROM sqlite_master ORDER BY name"))
            ]
        return [
            tuple(row)
            for row in connection.execute(
                text(
                    "SELECT 'column', table_name || '.' || column_name, data_type || ' ' || is_nullable || ' ' "
                    "|| coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' "
                    "UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                    "UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE connamespace = 'public'::regnamespace "
                    "UNION ALL SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
                    "UNION ALL SELECT 'function', proname, prosrc FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
                    "ORDER BY 1, 2"
                )
            )
        ]


def insert_0001_data(engine: Engine) -> None:
    """Rows as revision 0001's tables hold them, written in SQL: the models may have moved on."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO submissions (id, kind, payload, submitted_by, submitted_at, status) "
                "VALUES (1, 'new initiative', :payload, 'ann', '2025-01-02 09:00:00.000000', 'published')"
            ),
            {"payload": json.dumps({"title": "Street triage"})},
        )
        connection.execute(
            text(
                "INSERT INTO records (record_id, kind, payload, state, published_at, published_by, organisation, "
                "revision, submission_id) VALUES ('reg-0001', 'initiative', :payload, 'published', "
                "'2025-01-03 10:00:00.000000', 'rev', 'PHE', 1, 1)"
            ),
            {"payload": json.dumps({"title": "Street triage"})},
        )
        connection.execute(
            text(
                "INSERT INTO history (at, actor, action, submission_id, record_id, detail) "
                "VALUES ('2025-01-03 10:00:00.000000', 'rev', 'published', 1, 'reg-0001', '{}')"
            )
        )


def test_mig001_upgrade_from_empty_creates_tables_triggers_and_index(engine):
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == head_revision() == HEAD
    inspector = inspect(engine)
    assert TABLES <= set(inspector.get_table_names())
    assert triggers(engine) == TRIGGERS[engine.dialect.name]
    indexes = {index["name"]: index["column_names"] for index in inspector.get_indexes("submissions")}
    assert indexes["ix_submissions_submitted_by_submitted_at"] == ["submitted_by", "submitted_at"]
    assert {c["name"] for c in inspector.get_unique_constraints("submissions")} == {"uq_submissions_idempotency_key"}
    # 0003: the revision an update was proposed against, self-publication, and amended notes in history.
    assert "base_revision" in {c["name"] for c in inspector.get_columns("submissions")}
    assert "self_published" in {c["name"] for c in inspector.get_columns("records")}
    insert_0001_data(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO history (at, actor, action, record_id, detail) "
                "VALUES ('2025-01-05 09:00:00', 'rev', 'amended', 'reg-0001', '{}')"
            )
        )
        assert connection.scalar(text("SELECT self_published FROM records")) in (False, 0)


def test_mig002_upgrade_from_0001_keeps_data_and_makes_history_append_only(engine):
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    assert triggers(engine) == set()
    insert_0001_data(engine)

    migrate(engine, "0002")

    assert current_revision(engine) == "0002"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT record_id, revision FROM records")).all() == [("reg-0001", 1)]
        assert connection.scalar(text("SELECT count(*) FROM history")) == 1
        assert connection.scalar(text("SELECT submitted_by FROM submissions WHERE id = 1")) == "ann"
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE history SET actor = 'someone else'"))
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM history"))


def insert_0002_data(engine: Engine) -> None:
    """On top of 0001's rows, as 0002's tables hold them: an update waiting for review, proposed against
    reg-0001's revision 1, and one returned."""
    insert_0001_data(engine)
    with engine.begin() as connection:
        for submission_id, status in ((2, "pending"), (3, "returned")):
            connection.execute(
                text(
                    "INSERT INTO submissions (id, kind, record_id, payload, submitted_by, submitted_at, status) "
                    "VALUES (:id, 'update', 'reg-0001', :payload, 'bob', '2025-01-04 09:00:00.000000', :status)"
                ),
                {"id": submission_id, "status": status, "payload": json.dumps({"title": "Street triage, Kent"})},
            )
        connection.execute(
            text(
                "INSERT INTO history (at, actor, action, submission_id, record_id, detail) "
                "VALUES ('2025-01-04 09:00:00.000000', 'bob', 'submitted', 2, 'reg-0001', '{}')"
            )
        )


def test_mig002b_upgrade_from_0002_keeps_data_and_adds_locking_and_self_publication(engine):
    migrate(engine, "0002")
    insert_0002_data(engine)
    with pytest.raises(IntegrityError), engine.begin() as connection:  # 0002 knows no "amended"
        connection.execute(
            text(
                "INSERT INTO history (at, actor, action, record_id, detail) "
                "VALUES ('2025-01-05 09:00:00', 'rev', 'amended', 'reg-0001', '{}')"
            )
        )

    migrate(engine, "0003")

    assert current_revision(engine) == "0003"
    with engine.connect() as connection:
        # The pending update was made against the record as it is (there was no lock before): revision 1.
        assert connection.execute(text("SELECT id, base_revision FROM submissions ORDER BY id")).all() == [
            (1, None),
            (2, 1),
            (3, None),
        ]
        assert connection.execute(text("SELECT record_id, revision, self_published FROM records")).all() == [
            ("reg-0001", 1, False)
        ]
        assert connection.execute(text("SELECT action, actor FROM history ORDER BY id")).all() == [
            ("published", "rev"),
            ("submitted", "bob"),
        ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO history (at, actor, action, record_id, detail) "
                "VALUES ('2025-01-05 09:00:00', 'rev', 'amended', 'reg-0001', '{}')"
            )
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO history (at, actor, action, record_id, detail) "
                "VALUES ('2025-01-05 09:00:00', 'rev', 'edited', 'reg-0001', '{}')"
            )
        )
    # History is still append-only once SQLite has rebuilt it.
    assert triggers(engine) == TRIGGERS[engine.dialect.name]
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE history SET actor = 'someone else'"))
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM history"))
    indexes = {index["name"] for index in inspect(engine).get_indexes("history")}
    assert {"ix_history_record_id", "ix_history_submission_id"} <= indexes


FIGURE = {
    "measure": "Detentions",
    "value": 30,
    "unit": "percent",
    "direction": "reduction",
    "kind": "result",
    "source": "Annual report",
}


def initiative_payload(**words) -> dict:
    """An initiative's payload as the form stored it: before 0004 with a status word, after with a kind and stage."""
    return {
        "title": "Street triage",
        "force_ids": ["E23000032"],
        "themes": ["mental-health"],
        **words,
        "evaluation": "none reported",
        "summary": "Nurses ride with officers at weekends.",
        "figures": [FIGURE],
    }


def insert_0003_data(engine: Engine) -> None:
    """On top of 0002's rows, initiatives and proposals as 0003's register stored them, each with its status
    word; a note (no status); a word no mapping knows; and the history of a publication that changed the
    status, which must stay as it was written."""
    insert_0002_data(engine)
    with engine.begin() as connection:
        for number, (word, state) in enumerate(
            (
                ("established", "published"),
                ("one-off operation", "withdrawn"),
                ("rumoured", "published"),
                ("published", "published"),
            ),
            start=10,
        ):
            connection.execute(
                text(
                    "INSERT INTO records (record_id, kind, payload, state, published_at, published_by, organisation, "
                    "revision) VALUES (:id, 'initiative', :payload, :state, '2025-02-01 10:00:00', 'rev', 'PHE', 1)"
                ),
                {"id": f"reg-00{number}", "payload": json.dumps(initiative_payload(status=word)), "state": state},
            )
        connection.execute(
            text(
                "INSERT INTO records (record_id, kind, about_id, payload, state, published_at, published_by, "
                "organisation, revision) VALUES ('reg-0020', 'note', 'leicestershire-triage-car', :payload, "
                "'published', '2025-02-01 10:00:00', 'rev', 'PHE', 1)"
            ),
            {
                "payload": json.dumps(
                    {
                        "about_id": "leicestershire-triage-car",
                        "note_kind": "erratum",
                        "text": "The status of the service changed.",
                        "source": "x",
                    }
                )
            },
        )
        for number, kind, word, status in (
            (30, "new initiative", "pilot", "pending"),
            (31, "update", "campaign", "pending"),
            (32, "new initiative", "planned", "returned"),
        ):
            connection.execute(
                text(
                    "INSERT INTO submissions (id, kind, record_id, payload, submitted_by, submitted_at, status) "
                    "VALUES (:id, :kind, :record, :payload, 'ann', '2025-02-02 09:00:00', :status)"
                ),
                {
                    "id": number,
                    "kind": kind,
                    "record": "reg-0010" if kind == "update" else None,
                    "status": status,
                    "payload": json.dumps(initiative_payload(status=word)),
                },
            )
        connection.execute(
            text(
                "INSERT INTO history (at, actor, action, record_id, detail) "
                "VALUES ('2025-02-03 09:00:00', 'rev', 'published', 'reg-0010', :detail)"
            ),
            {"detail": json.dumps({"changed": {"status": ["pilot", "established"]}, "revision": [1, 2]})},
        )


def stored(engine: Engine, query: str) -> dict:
    """{key: payload} for a query of (key, JSON) rows: SQLite gives the JSON as text, PostgreSQL parsed."""
    with engine.connect() as connection:
        return {
            key: json.loads(value) if isinstance(value, str) else value
            for key, value in connection.execute(text(query))
        }


RECORDS = "SELECT record_id, payload FROM records ORDER BY record_id"
SUBMISSIONS = "SELECT id, payload FROM submissions ORDER BY id"
HISTORY = "SELECT id, detail FROM history ORDER BY id"


def test_mig011_upgrade_from_0003_splits_each_stored_status_into_kind_of_work_and_stage(engine):
    migrate(engine, "0003")
    insert_0003_data(engine)
    history_before, returned_before = stored(engine, HISTORY), stored(engine, SUBMISSIONS)[32]

    migrate(engine)

    assert current_revision(engine) == HEAD
    records = stored(engine, RECORDS)
    assert records["reg-0010"] == initiative_payload(kind_of_work="not stated", stage="running")
    assert records["reg-0011"] == initiative_payload(kind_of_work="operation", stage="completed")  # withdrawn too
    assert records["reg-0013"] == initiative_payload(kind_of_work="product", stage="completed")
    # In the status word's place, so a reviewer reads the fields in the form's order.
    assert list(records["reg-0010"])[3:5] == ["kind_of_work", "stage"]
    # A word no mapping knows is left for the app to report against its record; a note has no status.
    assert records["reg-0012"] == initiative_payload(status="rumoured")
    assert "kind_of_work" not in records["reg-0020"] and records["reg-0020"]["note_kind"] == "erratum"
    assert records["reg-0001"] == {"title": "Street triage"}
    submissions = stored(engine, SUBMISSIONS)
    assert submissions[30] == initiative_payload(kind_of_work="pilot", stage="running")
    assert submissions[31] == initiative_payload(kind_of_work="campaign", stage="running")
    # What was sent and already decided is kept as it was sent, as history is.
    assert submissions[32] == returned_before == initiative_payload(status="planned")
    assert stored(engine, HISTORY) == history_before


def test_mig012_downgrade_to_0003_gives_each_pair_its_status_word_back(engine):
    migrate(engine, "0003")
    insert_0003_data(engine)
    before = stored(engine, RECORDS), stored(engine, SUBMISSIONS)
    migrate(engine)
    with engine.begin() as connection:  # sent after the upgrade: a pair no status word came from
        connection.execute(
            text(
                "INSERT INTO records (record_id, kind, payload, state, published_at, published_by, organisation, "
                "revision) VALUES ('reg-0014', 'initiative', :payload, 'published', '2025-03-01 10:00:00', 'rev', "
                "'PHE', 1)"
            ),
            {"payload": json.dumps(initiative_payload(kind_of_work="service", stage="running"))},
        )

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0003")

    records, submissions = stored(engine, RECORDS), stored(engine, SUBMISSIONS)
    assert records.pop("reg-0014") == initiative_payload(status="established")  # the nearest word
    assert (records, submissions) == before


def test_mig003_downgrade_to_base_and_up_again(engine):
    migrate(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0003")
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    assert triggers(engine) == TRIGGERS[engine.dialect.name]  # 0003 rebuilt history on SQLite: made again
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")
    assert triggers(engine) == set()
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate(engine)
    assert current_revision(engine) == HEAD


def test_mig004_documented_command_migrates_and_reports_the_revision(engine, database_url):
    result = subprocess.run(
        [sys.executable, "-m", "storage.migrate", "--url", database_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"register database at {shown_url(database_url)} is at revision {HEAD} (head)"
    assert current_revision(engine) == HEAD


def test_mig005_migrating_twice_is_a_no_op(engine, database_url, capsys):
    url = database_url
    assert main(["--url", url]) == 0
    before = schema(engine)
    assert main(["--url", url]) == 0
    assert schema(engine) == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [(HEAD,)]
    assert capsys.readouterr().out.count(f"is at revision {HEAD} (head)") == 2


def test_mig006_url_comes_from_the_environment_then_the_default(engine, database_url, tmp_path, capsys):
    assert main([], environ={"PPH_DATABASE_URL": database_url}) == 0
    assert shown_url(database_url) in capsys.readouterr().out
    assert current_revision(engine) == HEAD
    # Without the variable: the SQLite file under var/ of the repository given.
    assert main([], environ={}, repo_root=tmp_path / "checkout") == 0
    assert (tmp_path / "checkout" / "var" / "register.sqlite3").is_file()


def test_mig007_unreachable_database_fails_with_the_password_hidden(capsys):
    code = main(["--url", "postgresql+psycopg://reviewer:s3cret@127.0.0.1:1/register?connect_timeout=2"])
    assert code == 1
    error = capsys.readouterr().err
    assert "cannot migrate the register database at postgresql+psycopg://reviewer:***@127.0.0.1:1/register" in error
    assert "s3cret" not in error


def test_mig008_models_agree_with_the_migrated_schema(engine):
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_mig009_migrations_do_not_import_the_models():
    # A migration must keep the shape of its own revision; the models have the shape of the latest.
    for migration in (REPO / "storage" / "migrations").rglob("*.py"):
        imported = imported_modules(migration.read_text(encoding="utf-8"))
        assert not {name for name in imported if name.startswith("storage")}, migration


def test_mig010_two_instances_migrating_an_empty_database_at_once_both_start(engine, database_url):
    # Several instances share one PostgreSQL: started together, each migrates at start-up. The second
    # must wait for the first and then find nothing to do, not fail creating tables that now exist.
    with own_engines(database_url, 3) as engines:
        outcomes = at_once([functools.partial(migrate, e) for e in engines], timeout=90)

    assert outcomes == [None, None, None]
    assert current_revision(engine) == HEAD
    assert triggers(engine) == TRIGGERS[engine.dialect.name]
