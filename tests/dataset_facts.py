"""What the real app should show, derived from the data it serves: for tests that run the real app on the real
data (the browser and deploy tiers, tests/conftest.py, the unit tests that build the app from `data/`).

A test asserts that the number on screen equals the number computed here from the same files, so a fix to
the curated data does not break it, and a page that counts wrong still does. The folder is the app's own
setting (`PPH_DATA_DIR`, `data/` by default), so the servers the tests start and these facts read the same
files. Behaviour tests that need no real app use the small dataset built in code (tests/fixtures_data.py);
data tests (tests/unit/test_dataset.py, test_data_truth.py, ...) read `data/` and pin its numbers on purpose.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from domain.aggregation import (
    filter_initiatives,
    force_counts,
    initiatives_in_view,
    off_map_initiatives,
    outcomes_of,
)
from domain.loading import Dataset, load_dataset
from domain.schema import Outcome
from domain.source import Snapshot, snapshot_of
from domain.state import state_from_query
from settings import Settings

# The forces the tiers name, by id: their counts are derived below, never written down.
LEICESTERSHIRE, GLOUCESTERSHIRE, KENT = "E23000021", "E23000037", "E23000032"


def data_dir() -> Path:
    """The folder the app reads, as the app reads it."""
    return Settings.from_env(os.environ).data_dir


@functools.cache
def _snapshot(folder: Path) -> Snapshot:
    return snapshot_of(load_dataset(folder))


def snapshot() -> Snapshot:
    return _snapshot(data_dir())


def served() -> Dataset:
    """The dataset the app serves (loaded once per folder)."""
    return snapshot().dataset


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def total() -> int:
    """Every initiative of the data: what '#results-count' counts against."""
    return len(served().initiatives)


def matching(query: str = "") -> int:
    """How many initiatives match the filters of a link's query ('?themes=dementia')."""
    dataset = served()
    return len(filter_initiatives(dataset, state_from_query(query, dataset)))


def results_count(query: str = "") -> str:
    """How '#results-count' starts for a link: '9 of 47'."""
    return f"{matching(query)} of {total()}"


def in_force(force_id: str, query: str = "") -> int:
    """A force's initiatives matching a link's filters (all of them without a query)."""
    dataset, join = served(), snapshot().join
    return len(initiatives_in_view(join, filter_initiatives(dataset, state_from_query(query, dataset)), force_id))


def profile_counts(force_id: str) -> str:
    """How an unfiltered force's '#profile-counts' starts: '5 initiatives in the 2016 paper'."""
    return f"{plural(in_force(force_id), 'initiative')} in the 2016 paper"


def force_name(force_id: str) -> str:
    return served().forces_by_id[force_id].name


def english_force_ids() -> tuple[str, ...]:
    """The force areas the map draws while Wales is hidden."""
    return tuple(f.id for f in served().forces if f.is_english)


def results_by_force() -> dict[str, int]:
    """Each force area on the map (Wales hidden) and how many results its initiatives report: the map's
    "Results reported" colouring, worked out from the data served."""
    served_data = snapshot()
    counts = force_counts(served_data.dataset, served_data.join, served_data.dataset.initiatives, False)
    return {c.name: c.results for c in counts}


def welsh_force_ids() -> tuple[str, ...]:
    return tuple(f.id for f in served().forces if f.kind == "territorial" and not f.is_english)


def counted_forces(query: str = "", show_wales: bool = False) -> tuple[str, ...]:
    """Force areas with at least one initiative matching a link's filters, in the map's order."""
    dataset = served()
    matching_ = filter_initiatives(dataset, state_from_query(query, dataset))
    return tuple(c.force_id for c in force_counts(dataset, snapshot().join, matching_, show_wales) if c.count)


def figures(force_id: str) -> tuple[Outcome, ...]:
    """The figures of a force's own initiatives, as its profile counts them."""
    dataset = served()
    return outcomes_of(dataset, initiatives_in_view(snapshot().join, dataset.initiatives, force_id))


def figures_line(force_id: str) -> str:
    """What '#profile-counts' says of a force's figures: '6 figures, 2 of them results'."""
    shown = figures(force_id)
    results = sum(1 for o in shown if o.is_result)
    if len(shown) == 1:
        return f"1 figure, {'a result' if results else 'not a result'}"
    if results == 1:
        return f"{plural(len(shown), 'figure')}, 1 of them a result"
    return f"{plural(len(shown), 'figure')}, {results or 'none'} of them results"


# Conditions for `wait_until` (tests/conftest.py): the page shows what the data says.
def results_count_is(query: str = "") -> str:
    """'#results-count' reads '<matching> of <total> …' for a link's filters."""
    return f"document.querySelector('#results-count')?.textContent.startsWith('{results_count(query)} ')"


def profile_counts_is(force_id: str) -> str:
    """An unfiltered force's '#profile-counts' starts with its number of initiatives."""
    return f"document.querySelector('#profile-counts')?.textContent.startsWith('{profile_counts(force_id)}')"


def off_map(query: str = "") -> int:
    """Matching work the map does not show while Wales is hidden: the national view's list."""
    dataset = served()
    matching_ = filter_initiatives(dataset, state_from_query(query, dataset))
    return len(off_map_initiatives(snapshot().join, matching_))


def titles_in_force(force_id: str, query: str = "") -> set[str]:
    """The titles of a force's initiatives matching a link's filters."""
    dataset, join = served(), snapshot().join
    matching_ = filter_initiatives(dataset, state_from_query(query, dataset))
    return {i.title for i in initiatives_in_view(join, matching_, force_id)}
