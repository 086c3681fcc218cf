"""The register's data source: the paper's dataset plus what the register has published.

Each process (gunicorn worker) polls the database's cheap `published_revision` in a background thread
and swaps in a new immutable snapshot when it changes. Callbacks only read the current snapshot, so no
request waits on the database, and when the database is down the last published data stays on show.
"""

from __future__ import annotations

import logging
import os
import threading

from sqlalchemy import Engine

from domain.loading import Dataset
from domain.register import PublishedRecord as DomainRecord
from domain.register import FoldedRecord, Reference, assemble, fold_record
from domain.source import Snapshot, snapshot_of
from storage import register_store
from storage.errors import RegisterUnavailable

log = logging.getLogger(__name__)


class RegisterSource:
    def __init__(self, paper: Dataset, engine: Engine, poll_seconds: float):
        self._paper = paper
        self._engine = engine
        self._poll_seconds = poll_seconds
        self._revision = -1
        self._reference = Reference.of(paper)
        self._folded: dict[tuple[str, int], FoldedRecord] = {}
        self._snapshot = snapshot_of(paper, 0)
        self._poller_pid: int | None = None
        self._pool_pid = os.getpid()
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self.refresh()

    def current(self) -> Snapshot:
        return self._snapshot

    def refresh(self) -> bool:
        """Load the register if what is published changed; True when a new snapshot was swapped in."""
        try:
            revision = register_store.published_revision(self._engine)
            if revision == self._revision:
                return False
            records = [DomainRecord(r.record_id, r.kind, r.payload, r.published_at, r.organisation, r.revision,
                                    published_by=r.published_by, self_published=r.self_published)
                       for r in register_store.published_records(self._engine)]
        except RegisterUnavailable as exc:
            log.warning("register unavailable, still serving revision %s: %s", self._revision, exc)
            return False
        # Only records new or changed since the last refresh are checked again: with thousands
        # published, one publication must not cost every worker a full re-validation.
        folded = {}
        for record in records:
            key = (record.record_id, record.revision)
            folded[key] = self._folded.get(key) or fold_record(record, self._reference)
        self._folded = folded
        dataset = assemble(self._paper, folded.values())
        for problem in dataset.register_problems:
            log.error("%s", problem)
        self._snapshot = snapshot_of(dataset, revision)  # one assignment: readers see the old or the new
        self._revision = revision
        return True

    def stop(self) -> None:
        self._stop.set()

    def ensure_polling(self) -> None:
        """Start this process's poller if it has none. Called on each request, so it runs in the serving
        processes only: a thread started in gunicorn's master would not survive the fork."""
        if self._poller_pid == os.getpid():
            return
        with self._start_lock:
            if self._poller_pid == os.getpid():
                return
            if self._pool_pid != os.getpid():
                # Connections inherited from the parent process must not be shared with it.
                self._engine.dispose(close=False)
                self._pool_pid = os.getpid()
            self._poller_pid = os.getpid()
            threading.Thread(target=self._poll, name="register-poller", daemon=True).start()

    def _poll(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - the poller must outlive any one bad read; it is logged
                log.exception("register refresh failed")
