"""The register's attack list, run as an attacker would, and each attack's result: tried, held, broke.

Every attack is a test of the suite that makes the attack for real (forged callback requests against the
app, a browser-sent identity through each shipped nginx configuration, racing reviewers on the
throw-away PostgreSQL cluster, killed workers and instances): this script names which tests are which
attack, runs them once with pytest, and prints one line per attack. An attack "held" when every test of
it passed; "broke" when any failed; a skipped test counts as broke, since it tried nothing.

    .venv/bin/python scripts/attack_register.py            # everything, deploy faults included (~5 min)
    .venv/bin/python scripts/attack_register.py --quick    # without the nginx and fault tiers

It exits 1 when any attack broke, or when an attack's tests are missing (renamed or deleted).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Attack:
    name: str
    test_ids: tuple[str, ...]  # the short id in each test's name (test_<id>_...)
    slow: bool = False  # needs nginx, several gunicorns or a fault: left out by --quick


ATTACKS = (
    Attack(
        "forged reviewer actions (publish, return, withdraw, queue) as a contributor or nobody",
        ("reg_sec002", "reg_sec002b", "reg_sec005", "reg_sec005b"),
    ),
    Attack("lost updates: a stale proposal, two reviewers' updates of one record", ("rev004", "reg_form005")),
    Attack("a reviewer publishing their own proposal (four eyes)", ("rev001", "rev002", "rev003")),
    Attack(
        "spoofed identity: header from an untrusted address, odd names, dev user behind a proxy",
        ("reg_sec003", "reg_sec004", "sec010b"),
    ),
    Attack(
        "spoofed identity through every shipped nginx configuration",
        ("deploy002", "deploy003", "dep004", "scale002"),
        slow=True,
    ),
    Attack("cross-site requests: other origins, no token, form bodies", ("reg_sec006", "reg_sec006b", "reg_sec006c")),
    Attack(
        "oversized, malformed and out-of-range requests",
        ("reg_sec007", "reg_sec007b", "reg_sec007c", "reg_sec007d", "reg_sec011", "reg_sec012"),
    ),
    Attack(
        "stored markup and hostile text in every field",
        ("reg_sec009", "reg_sec010", "reg_fuzz003", "reg_fuzz003b", "reg_fuzz004", "rev007"),
    ),
    Attack(
        "hostile text refused at the door: control and bidi characters, invisible-only, formulas, negatives",
        ("reg_in001", "reg_in002", "reg_in003", "reg_in004", "reg_in005", "reg_in008"),
    ),
    Attack("spreadsheet formulas in the export", ("rev009",)),
    Attack("rate limit: past it, resent at it, racing it", ("reg_sec008", "sto034", "sto035", "sto036")),
    Attack(
        "idempotency keys: resent, another user's, racing first attempts, an edited draft under an old key",
        ("sto010", "sto011", "sto031", "reg_form004"),
    ),
    Attack("another user's draft in a shared browser profile", ("reg_brw003",), slow=True),
    Attack(
        "concurrency on PostgreSQL and SQLite: racing reviewers, updates, withdrawals, held rows",
        ("sto013", "sto033", "sto038", "sto039", "sto040", "sto041", "sto042", "sto043", "sto044", "sto045"),
    ),
    Attack("personal pages cached for another user", ("sec020",)),
    Attack(
        "faults: killed workers and instances, rolling restarts, database outages, start during one",
        ("scale003", "scale004", "scale005", "db001", "db002", "db003", "db004"),
        slow=True,
    ),
)


def short_id(test_name: str) -> str:
    """'test_reg_sec005b_a_contributor…[param]' -> 'reg_sec005b': the id up to the first word after it."""
    parts = test_name.removeprefix("test_").split("[")[0].split("_")
    for end in range(1, len(parts) + 1):
        if any(ch.isdigit() for ch in parts[end - 1]):
            return "_".join(parts[:end])
    return test_name


def run(attacks: tuple[Attack, ...]) -> int:
    wanted = {test_id for attack in attacks for test_id in attack.test_ids}
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "junit.xml"
        expression = " or ".join(f"test_{test_id}_" for test_id in sorted(wanted))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests",
                "-k",
                expression,
                f"--junitxml={report}",
            ],
            cwd=REPO,
            check=False,
        )
        cases = ET.parse(report).getroot().iter("testcase")
        outcomes: dict[str, list[str]] = {}
        for case in cases:
            test_id = short_id(case.get("name", ""))
            if test_id not in wanted:
                continue
            failed = case.find("failure") is not None or case.find("error") is not None
            skipped = case.find("skipped") is not None
            outcomes.setdefault(test_id, []).append("broke" if failed or skipped else "held")

    print()
    print(f"{'attack':<96} {'tests':>5} {'held':>5} {'broke':>5}")
    total_broke = attacks_broken = 0
    for attack in attacks:
        results = [result for test_id in attack.test_ids for result in outcomes.get(test_id, [])]
        missing = [test_id for test_id in attack.test_ids if test_id not in outcomes]
        broke = results.count("broke") + len(missing)
        total_broke += broke
        attacks_broken += broke > 0
        note = f"  missing tests: {', '.join(missing)}" if missing else ""
        print(f"{attack.name:<96} {len(results):>5} {results.count('held'):>5} {broke:>5}{note}")
    print(f"attacks tried {len(attacks)}, held {len(attacks) - attacks_broken}, broke {attacks_broken}")
    return 1 if total_broke else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the nginx and fault tiers")
    args = parser.parse_args()
    attacks = tuple(a for a in ATTACKS if not (args.quick and a.slow))
    return run(attacks)


if __name__ == "__main__":
    raise SystemExit(main())
