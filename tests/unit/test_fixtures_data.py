"""The small dataset built in code (tests/fixtures_data.py) holds what its docstring says, and passes the loader."""

from __future__ import annotations

import pytest

from domain.aggregation import force_counts
from domain.loading import DataValidationError, load_dataset
from domain.source import snapshot_of
from tests import fixtures_data as fx


def test_fix001_the_small_dataset_holds_the_cases_behaviour_tests_need():
    dataset = fx.small_dataset()
    snapshot = snapshot_of(dataset)
    counts = {c.force_id: c.count for c in force_counts(dataset, snapshot.join, dataset.initiatives, True)}
    assert counts[fx.GLOUCESTERSHIRE] == 3 and counts[fx.LEICESTERSHIRE] == 1
    assert counts[fx.KENT] == counts[fx.DORSET] == counts[fx.METROPOLITAN] == 0
    assert counts[fx.DURHAM] == counts[fx.NORTHUMBRIA] == 1 and counts[fx.SOUTH_WALES] == 1
    assert {i.scope for i in dataset.initiatives} == {"force", "multi-force", "regional", "national", "non-territorial"}
    assert {o.kind for o in dataset.outcomes} >= {"result", "derived from a result", "background"}
    assert any(o.period == "" for o in dataset.outcomes)  # a figure with a blank year
    assert dataset.version == fx.VERSION


def test_fix002_a_broken_fixture_is_refused_by_the_loader_as_real_data_would_be(tmp_path):
    records = fx.small_records()
    orphan = fx.outcome(
        "fig-orphan", "no-such-initiative", 5, case_study="glos-study", section="Case study: Gloucestershire"
    )
    records["outcomes.csv"] = (*records["outcomes.csv"], orphan)
    with pytest.raises(DataValidationError, match="no-such-initiative"):
        load_dataset(fx.write_data_dir(tmp_path / "data", records))
