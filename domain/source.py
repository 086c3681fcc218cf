"""Domain layer: where the app's data comes from at any moment.

Every callback and the page layout ask a `SnapshotProvider` for its `current()` snapshot instead of holding
a dataset captured at start-up, so a register can publish a record without a restart. A snapshot is
immutable: a request that started with one sees it to the end, whatever is published meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from domain.compare import chart_citation
from domain.joining import ForceJoin, join_initiatives
from domain.loading import Dataset

if TYPE_CHECKING:
    from domain.feed import Change


@dataclass(frozen=True)
class Snapshot:
    """The data as of one moment: the dataset, its join to the map, and the source line under charts."""

    dataset: Dataset
    join: ForceJoin
    chart_citation: str
    # Changes whenever anything shown changes: the dataset version, plus the register's revision.
    version: str
    register_on: bool = False
    # The register's latest changes to what is published, newest first (domain.feed): read with the records.
    changes: tuple[Change, ...] = ()


def snapshot_of(dataset: Dataset, register_revision: int | None = None, changes: tuple[Change, ...] = ()) -> Snapshot:
    """Join a dataset to the map once, for every request that reads this snapshot."""
    if dataset.boundaries is None:
        raise ValueError("a snapshot needs the dataset's boundaries")
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    version = dataset.version if register_revision is None else f"{dataset.version}+register.{register_revision}"
    return Snapshot(dataset, join, chart_citation(dataset), version, register_revision is not None, changes)


class SnapshotProvider(Protocol):
    def current(self) -> Snapshot:
        """The latest snapshot; cheap enough to call at the start of every callback."""
        ...


@dataclass(frozen=True)
class StaticSource:
    """The read-only dashboard's source: the curated files, fixed for the life of the process."""

    snapshot: Snapshot

    def current(self) -> Snapshot:
        return self.snapshot
