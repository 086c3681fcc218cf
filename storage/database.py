"""Storage layer: opening the register's database and bringing its schema to the latest migration.

SQLite serves one machine (WAL, so readers never wait for the writer); PostgreSQL serves several
instances. Both are reached through an Engine that callers create once and pass around.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import StaticPool

from storage.errors import RegisterUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
# Seconds a PostgreSQL connection attempt may take before the register is reported unavailable.
POSTGRES_CONNECT_TIMEOUT_S = 5
# The PostgreSQL advisory lock that serializes migrations ("PPHREG" in ASCII): any constant that no other
# application sharing the database uses for its own advisory locks.
MIGRATION_LOCK_KEY = 0x505048524547
# How long an instance starting up waits for others' migrations of the same SQLite file.
MIGRATION_WAIT_SECONDS = 60
# Execution option naming a transaction that will write; see `for_writes`.
_WRITES = "register_writes"

T = TypeVar("T")


def connect(url: str) -> Engine:
    """Create the engine for a SQLite or PostgreSQL URL, configured as the register needs.

    No connection is opened here: a database that is down shows up as RegisterUnavailable on first use.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _connect_sqlite(parsed)
    if backend == "postgresql":
        return _connect_postgresql(parsed)
    raise ValueError(f"the register stores in SQLite or PostgreSQL, not {backend!r} ({shown_url(parsed)})")


def default_database_url(repo_root: Path) -> str:
    """The SQLite file used when no database URL is configured: `var/` is git-ignored."""
    return f"sqlite:///{repo_root / 'var' / 'register.sqlite3'}"


def shown_url(url: str | URL) -> str:
    """The URL as it may be printed or logged: the password hidden. A value that is no URL at all is not shown
    (it may hold a password in a form the parser cannot find)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(a value that is not a database URL)"


def for_writes(engine: Engine) -> Engine:
    """The same engine (same pool) marked so that its transactions are opened for writing.

    On SQLite a write transaction takes the write lock at BEGIN (BEGIN IMMEDIATE). Otherwise a
    transaction that reads first and writes later must upgrade its read snapshot, and SQLite fails
    that upgrade at once with "database is locked" when another writer committed meanwhile, instead
    of waiting busy_timeout. Writers queue; readers are never blocked (WAL). PostgreSQL ignores it.
    """
    return engine.execution_options(**{_WRITES: True})


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration built in code (no alembic.ini), optionally carrying the connection to use."""
    config = Config()
    # ConfigParser interpolates '%', so a path containing one must be escaped.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` (the latest by default) in one transaction; a no-op when already there.

    Instances that start together migrate one after another: on SQLite the write lock taken at BEGIN
    queues them, on PostgreSQL a transaction-scoped advisory lock does (without it, two instances both
    see an empty database and the second fails creating tables the first has just made).
    """

    def upgrade() -> None:
        with for_writes(engine).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            command.upgrade(alembic_config(connection), revision)

    # On SQLite a queued instance waits at most the busy timeout (5 s, sized for a request) for the lock; a
    # start-up can wait longer for the instances ahead of it to finish migrating.
    deadline = time.monotonic() + MIGRATION_WAIT_SECONDS
    while True:
        try:
            _unless_unavailable(upgrade)
            return
        except RegisterUnavailable as error:
            if engine.dialect.name != "sqlite" or "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, None when it has never been migrated."""

    def read() -> str | None:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    return _unless_unavailable(read)


def head_revision() -> str:
    """The latest migration this code ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


@contextmanager
def unavailable_as_register_error() -> Iterator[None]:
    """Turn "database down, unreachable or locked" into RegisterUnavailable with a readable message."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
        raise RegisterUnavailable(f"the register's database is unavailable: {reason}") from error
    except PoolTimeoutError as error:
        raise RegisterUnavailable("the register's database is unavailable: every connection is busy") from error


def _unless_unavailable(action: Callable[[], T]) -> T:
    with unavailable_as_register_error():
        return action()


def _connect_sqlite(url: URL) -> Engine:
    if url.database in (None, "", ":memory:"):
        # One connection shared by every checkout, or each checkout would see its own empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        _create_folder_of(Path(url.database))
        engine = create_engine(url)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _create_folder_of(database_file: Path) -> None:
    try:
        database_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RegisterUnavailable(f"cannot create the register's folder {database_file.parent}: {error}") from error


def _configure_sqlite_connection(dbapi_connection: Any, _connection_record: Any) -> None:
    # sqlite3 would otherwise BEGIN only before INSERT/UPDATE/DELETE, so reads and DDL ran outside the
    # transaction; SQLAlchemy emits BEGIN itself instead (`_begin_sqlite_transaction`).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first, so that switching to WAL waits for a concurrent connection instead of failing.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    mode = "IMMEDIATE" if connection.get_execution_options().get(_WRITES) else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def _connect_postgresql(url: URL) -> Engine:
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # the driver that is installed
    connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    # pre_ping: a connection the server closed (restart, failover) is replaced rather than failing a request.
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
