"""The register's data source: the paper's dataset plus what the register has published.

Each process (gunicorn worker) serves an immutable snapshot and checks the database's cheap
`published_revision` when a request finds the last check older than PPH_REGISTER_POLL_SECONDS, swapping in
a new snapshot when it changed. No thread polls in the background: a worker that has just been forked
checks on its first request, so it serves the current publication from the start, whatever the master
loaded. The check runs beside the request, which waits for it at most CHECK_WAIT_SECONDS: a database that
is down or hanging costs a request that long at most, once per period, and the last snapshot stays on show.

An instance started while the database is down serves the paper's data alone (`register_unreachable`
says so of that snapshot, and the page says so to its readers) and joins the register at the first check
after the database returns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine

from domain.feed import RECENT_LIMIT, change_of
from domain.loading import Dataset
from domain.register import RegisterRecord
from domain.register import FoldedRecord, Reference, assemble, fold_record
from domain.source import Snapshot, snapshot_of
from storage import register_store
from storage.database import migrate
from storage.errors import RegisterUnavailable

log = logging.getLogger(__name__)

# How long a request waits for the check it started before going on with the snapshot it has. A check is a
# count on an indexed table (milliseconds), plus, after a publication, reading and folding what changed.
CHECK_WAIT_SECONDS = 2.0


def record_key(record: RegisterRecord) -> str:
    """What a folded record is cached under: a digest of every field it was folded from. (record_id,
    revision) alone could repeat with other content (two publications racing to one revision, a
    database restored from a backup), and a worker would then keep showing the wrong one."""
    fields = json.dumps(vars(record), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(fields.encode()).hexdigest()


class RegisterSource:
    def __init__(
        self,
        paper: Dataset,
        engine: Engine,
        poll_seconds: float,
        *,
        migrated: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`migrated=False`: the database could not be reached to migrate it at start-up; the first check
        that reaches it migrates it before reading."""
        self._paper = paper
        self._engine = engine
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._revision = -1  # -1: the register's records have never been read
        self._reference = Reference.of(paper)
        self._folded: dict[str, FoldedRecord] = {}
        # Until the register is first read, the paper alone, under a version of its own (pages and caches
        # keyed on versions never mix it up with the register's revision 0).
        self._unreachable = dataclasses.replace(snapshot_of(paper, 0), version=f"{paper.version}+register.unreachable")
        self._snapshot = self._unreachable
        self._needs_migration = not migrated
        self._stopped = False
        self._checked_at = float("-inf")
        self._pid = os.getpid()
        self._refresh_lock = threading.Lock()
        self._check_lock = threading.Lock()
        self._checking: threading.Thread | None = None
        self.refresh()

    def current(self) -> Snapshot:
        """The latest snapshot, checked against the database first when the last check is older than the
        poll period (or was made by another process: the gunicorn master, before this worker forked)."""
        if self._pid != os.getpid():
            self._after_fork()
        if not self._stopped and self._clock() - self._checked_at >= self._poll_seconds:
            self._check()
        return self._snapshot

    def register_unreachable(self, snapshot: Snapshot) -> bool:
        """Whether `snapshot` is the paper alone because the register has not been reached since start-up."""
        return snapshot.version == self._unreachable.version

    def refresh(self) -> bool:
        """Load the register if what is published changed; True when a new snapshot was swapped in."""
        with self._refresh_lock:
            return self._load()

    def _load(self) -> bool:
        self._checked_at = self._clock()
        try:
            if self._needs_migration:
                migrate(self._engine)
                self._needs_migration = False
            revision = register_store.published_revision(self._engine)
            if revision == self._revision:
                return False
            records = [
                RegisterRecord(
                    r.record_id,
                    r.kind,
                    r.payload,
                    r.published_at,
                    r.organisation,
                    r.revision,
                    published_by=r.published_by,
                    self_published=r.self_published,
                )
                for r in register_store.published_records(self._engine)
            ]
            recent = register_store.recent_changes(self._engine, RECENT_LIMIT)
        except RegisterUnavailable as exc:
            log.warning("register unavailable, still serving revision %s: %s", self._revision, exc)
            return False
        # Only records new or changed since the last refresh are checked again: with thousands
        # published, one publication must not cost every worker a full re-validation.
        folded = {}
        for record in records:
            key = record_key(record)
            folded[key] = self._folded.get(key) or fold_record(record, self._reference)
        self._folded = folded
        dataset = assemble(self._paper, folded.values())
        for problem in dataset.register_problems:
            log.error("%s", problem)
        # What readers are told changed, in their terms, read with the records (never inside a callback).
        changes = tuple(
            c
            for c in (
                change_of(e.id, e.action, e.at, r.record_id, r.kind, r.payload, r.organisation, e.detail, dataset)
                for e, r in recent
            )
            if c is not None
        )
        self._snapshot = snapshot_of(dataset, revision, changes)  # one assignment: readers see the old or the new
        self._revision = revision
        return True

    def stop(self) -> None:
        """Check no more (a test's app whose database is about to be dropped)."""
        self._stopped = True

    def _check(self) -> None:
        with self._check_lock:
            if self._clock() - self._checked_at < self._poll_seconds:
                return  # another request of this process has just checked
            if self._checking is not None and self._checking.is_alive():
                return  # a check is still waiting on the database: serve what we have, do not queue behind it
            self._checked_at = self._clock()
            self._checking = threading.Thread(target=self._refresh_logged, name="register-check", daemon=True)
            self._checking.start()
            started = self._checking
        started.join(CHECK_WAIT_SECONDS)

    def _refresh_logged(self) -> None:
        try:
            self.refresh()
        except Exception:  # broad on purpose: a bad read must not fail the request that asked; it is logged
            log.exception("register refresh failed")

    def _after_fork(self) -> None:
        """In a newly forked worker: connections and locks inherited from the parent are not this
        process's to use, and the snapshot is the parent's, so the next `current()` checks at once."""
        self._engine.dispose(close=False)
        self._refresh_lock = threading.Lock()
        self._check_lock = threading.Lock()
        self._checking = None
        self._checked_at = float("-inf")
        self._pid = os.getpid()
