"""A fix to the curated data breaks no behaviour test: the unit tier's behaviour tests pass on a copy of `data/`
with one initiative removed (the app's own `PPH_DATA_DIR` points them at it), because they run on the small
dataset built in code (tests/fixtures_data.py) or derive what they expect from the data served
(tests/dataset_facts.py). Data tests (test_dataset.py, test_data_truth.py, test_unit_of_record.py,
test_dataset_bad_input.py, test_docs.py's data claims) read `data/` itself and are not run here."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from domain.loading import load_dataset

REPO = Path(__file__).resolve().parents[2]

# Behaviour modules of the unit tier that build the app or its views from the data served or from the small
# dataset, about 20 s together. The rest of the tier, less the data tests, passes on such a copy too, but takes
# minutes: run it by hand with PPH_DATA_DIR as this test does.
BEHAVIOUR_MODULES = (
    "tests/unit/test_view.py",
    "tests/unit/test_first_view.py",
    "tests/unit/test_compare.py",
    "tests/unit/test_fixtures_data.py",
    "tests/unit/test_true_words.py",
    "tests/unit/test_force_map.py",
    "tests/unit/test_provenance.py",
    "tests/unit/test_exports.py",
    "tests/unit/test_orientation.py",
    "tests/unit/test_chart_text.py",
    "tests/unit/test_register_form.py",
    "tests/unit/test_page_cache.py",
    "tests/unit/test_static_urls.py",
    "tests/unit/test_callback_helpers.py",
    "tests/unit/test_result_design_shown.py",
    "tests/unit/test_register_kind_and_design.py",
    "tests/unit/test_http_security.py",
    "tests/unit/test_dash_couplings.py",
    "tests/unit/test_live_source.py",
)


def _rewrite(path: Path, keep) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, [r for r in reader if keep(r)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def data_with_one_initiative_removed(folder: Path) -> tuple[Path, str]:
    """A copy of `data/` less one initiative of the force with the most, one no figure measures (its inventory
    entries go with it, as a curator removing it would remove them): the kind of fix a data release makes."""
    shutil.copytree(REPO / "data", folder)
    real = load_dataset(folder)
    measured = {o.initiative_id for o in real.outcomes}
    by_force: dict[str, list[str]] = {}
    for initiative in real.initiatives:
        for force_id in initiative.force_ids:
            by_force.setdefault(force_id, []).append(initiative.id)
    busiest = max(by_force.values(), key=len)
    removed = next(i for i in reversed(busiest) if i not in measured)
    _rewrite(folder / "initiatives.csv", lambda row: row["id"] != removed)
    _rewrite(folder / "inventory.csv", lambda row: row["initiative_id"] != removed)
    return folder, removed


def test_fixproof001_behaviour_tests_pass_on_data_with_one_initiative_removed(tmp_path):
    changed, removed = data_with_one_initiative_removed(tmp_path / "data")
    real, fixed = load_dataset(REPO / "data"), load_dataset(changed)  # the changed copy is valid data
    assert len(fixed.initiatives) == len(real.initiatives) - 1 and removed not in fixed.initiatives_by_id
    env = {**os.environ, "PPH_DATA_DIR": str(changed)}
    seen = subprocess.run(
        [sys.executable, "-c", "from tests import dataset_facts; print(dataset_facts.total())"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(seen.stdout) == len(fixed.initiatives)  # the tests below read the changed copy
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *BEHAVIOUR_MODULES],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
