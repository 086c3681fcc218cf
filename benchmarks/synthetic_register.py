"""Benchmark support: a synthetic register of N published initiatives in a throw-away SQLite file.

Deterministic (seeded), spread over the 39 English forces and every theme, each with 0-2 figures;
every payload is checked with `domain.register.validate_initiative` before it is stored, then all
are stored in one `storage.register_store.import_records` call, as `python -m pipelines.register
import` would. Nothing here is written outside the folder the caller gives.

    .venv/bin/python -m benchmarks.synthetic_register 1000 /tmp/somewhere
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: the imports below are of this repository

from domain.loading import Dataset, load_dataset
from domain.register import Reference, validate_initiative
from storage import register_store
from storage.database import connect, migrate

SEED = 2016
# How the work spreads: most on one force area, some shared by two, a few national (no force),
# so the profile, the map counts and the national list all see register records.
SHARE_TWO_FORCES = 0.10
SHARE_NATIONAL = 0.05
# (kind of work, stage) pairs a contributor may choose: "not stated" is not offered for new input.
KINDS_AND_STAGES = (
    ("service", "running"),
    ("pilot", "running"),
    ("operation", "completed"),
    ("campaign", "running"),
    ("programme", "planned"),
    ("project", "in development"),
)
EVALUATIONS = (
    "evaluation reported",
    "monitoring or early findings reported",
    "debrief reported",
    "evaluation under way",
    "none reported",
)
# Figures as (kind, unit, direction, value range): each combination passes the Outcome model's rules.
FIGURE_SHAPES = (
    ("result", "percent", "reduction", (5, 60)),
    ("result", "percent", "increase", (5, 40)),
    ("result", "count", "reduction", (10, 900)),
    ("activity or parameter", "count", "level", (3, 2_000)),
    ("funding", "GBP", "level", (10_000, 900_000)),
    ("target or coverage", "percent", "level", (20, 95)),
)
PLACES = ("town centre", "custody suite", "A&E department", "schools", "night-time economy", "county-wide")
LEADS = (
    "the force",
    "the local authority public health team",
    "the clinical commissioning group",
    "the Police and Crime Commissioner",
    "a local charity",
    "the ambulance trust",
)


def english_force_ids(dataset: Dataset) -> list[str]:
    return [f.id for f in dataset.forces if f.is_english]


def synthetic_payloads(dataset: Dataset, count: int, seed: int = SEED) -> list[tuple[str, dict[str, Any]]]:
    """`count` (record id, payload) pairs shaped like `domain.register.payload_of` returns them."""
    rng = random.Random(seed)
    forces = english_force_ids(dataset)
    names = {f.id: f.short_name for f in dataset.forces}
    themes = [t.id for t in dataset.themes]
    records = []
    for n in range(count):
        roll = rng.random()
        if roll < SHARE_NATIONAL:
            force_ids: list[str] = []
        elif roll < SHARE_NATIONAL + SHARE_TWO_FORCES:
            force_ids = rng.sample(forces, 2)
        else:
            force_ids = [forces[n % len(forces)]]  # round robin: every force gets its share
        area = " and ".join(names[f] for f in force_ids) or "England"
        chosen_themes = rng.sample(themes, rng.randint(1, 3))
        start = rng.randint(2010, 2023)
        figures = []
        for _ in range(rng.randint(0, 2)):
            kind, unit, direction, (low, high) = rng.choice(FIGURE_SHAPES)
            figures.append(
                {
                    "measure": f"Synthetic measure {rng.randint(1, 99)} ({kind})",
                    "value": rng.randint(low, high),
                    "unit": unit,
                    "qualifier": "",
                    "direction": direction,
                    "period": f"{start}/{(start + 1) % 100:02d}",
                    "comparator": "the year before" if direction != "level" else "",
                    "kind": kind,
                    "design": "before and after, no comparison group" if kind == "result" else "",
                    "source": f"https://example.org/register/{n}/figures",
                }
            )
        records.append(
            (
                f"syn-{n:05d}",
                {
                    "title": f"Synthetic initiative {n} in {area}",
                    "force_ids": force_ids,
                    "place": f"{area}, {rng.choice(PLACES)}",
                    "lead_organisations": [rng.choice(LEADS)],
                    "partners": rng.sample(LEADS, rng.randint(0, 2)),
                    "themes": chosen_themes,
                    **dict(zip(("kind_of_work", "stage"), rng.choice(KINDS_AND_STAGES), strict=True)),
                    "evaluation": rng.choice(EVALUATIONS),
                    "start_year": start,
                    "end_year": start + rng.randint(0, 3) if rng.random() < 0.5 else None,
                    "summary": (
                        f"A synthetic register record for benchmarks: {area} works with health partners on "
                        f"{', '.join(chosen_themes)}. Generated, not real."
                    ),
                    "source": f"https://example.org/register/{n}",
                    "figures": figures,
                },
            )
        )
    return records


def write_register(folder: Path, count: int, dataset: Dataset | None = None) -> tuple[str, float]:
    """A migrated SQLite register under `folder` holding `count` published synthetic initiatives.

    Returns its database URL and the seconds the import took."""
    paper = dataset or load_dataset(REPO / "data")
    reference = Reference.of(paper)
    records = synthetic_payloads(paper, count)
    for record_id, payload in records:
        validate_initiative(payload, record_id, reference)  # raises SubmissionInvalid, naming every problem
    url = f"sqlite:///{folder / f'register-{count}.sqlite3'}"
    engine = connect(url)
    migrate(engine)
    started = time.perf_counter()
    if records:
        register_store.import_records(
            engine, user="benchmark", records=records, organisation="benchmark", now=datetime.now(timezone.utc)
        )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return url, elapsed


if __name__ == "__main__":
    url, seconds = write_register(Path(sys.argv[2]), int(sys.argv[1]))
    print(f"{url}: imported in {seconds:.1f} s")
