"""Lighthouse 12 (desktop preset, Debian's chromium) on the default view and on a selected force.

Installs lighthouse@12.2.3 from npm into vendor/lighthouse on first use (13 needs Node 22), starts
the app under gunicorn on loopback, and prints each category's score with Total Blocking Time,
Cumulative Layout Shift and Largest Contentful Paint. A benchmark, not a test: quote its output.

    .venv/bin/python benchmarks/lighthouse.py [--runs 5]

Each page is audited several times and the median run (by performance score) is reported, with the
Total Blocking Time of every run: one audit on a shared machine varies by ±50 ms of TBT.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: the imports below are of this repository

from tests.conftest import CHROMIUM, free_port, start_gunicorn, stop

VERSION = "12.2.3"
FOLDER = REPO / "vendor" / "lighthouse"
CLI = FOLDER / "node_modules" / "lighthouse" / "cli" / "index.js"
PAGES = {"default view": "", "selected force": "?force=E23000021"}
# The flags the browser tier uses: headless, and no background calls to a network that is not there.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync --disable-quic"
)


def install() -> None:
    if CLI.is_file():
        return
    FOLDER.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "i", "-E", "--no-audit", "--no-fund", f"lighthouse@{VERSION}"], cwd=FOLDER, check=True)


def audit(url: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(
            [
                "node",
                str(CLI),
                url,
                "--preset=desktop",
                "--output=json",
                f"--output-path={report}",
                "--quiet",
                f"--chrome-flags={CHROME_FLAGS}",
            ],
            check=True,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
        )
        return json.loads(report.read_text())


def median_run(results: list[dict]) -> dict:
    """The run with the median performance score, as Lighthouse's own docs advise for a noisy machine."""
    ranked = sorted(results, key=lambda r: r["categories"]["performance"]["score"] or 0)
    return ranked[len(ranked) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="audits per page; the median run is reported (default 5)")
    args = parser.parse_args()
    install()
    server = start_gunicorn(workers=os.cpu_count() or 2, port=free_port())
    try:
        audit(server.base_url)  # a first visit warms the workers' page caches; not counted
        print(f"median of {args.runs} runs per page")
        print(
            f"{'page':16} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5} {'TBT ms':>7} {'CLS':>6} {'LCP ms':>7}  "
            "TBT of every run"
        )
        for label, query in PAGES.items():
            runs = [audit(server.base_url + query) for _ in range(args.runs)]
            result = median_run(runs)
            scores = {k: round(100 * (v["score"] or 0)) for k, v in result["categories"].items()}
            audits = result["audits"]
            every_tbt = sorted(round(r["audits"]["total-blocking-time"]["numericValue"]) for r in runs)
            print(
                f"{label:16} {scores['performance']:>5} {scores['accessibility']:>5} {scores['best-practices']:>5} "
                f"{scores['seo']:>5} {audits['total-blocking-time']['numericValue']:>7.0f} "
                f"{audits['cumulative-layout-shift']['numericValue']:>6.3f} "
                f"{audits['largest-contentful-paint']['numericValue']:>7.0f}  {every_tbt}"
            )
            failing = [
                a["title"]
                for a in audits.values()
                if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") == "binary"
            ]
            if failing:
                print(f"  failing audits: {'; '.join(failing[:8])}")
    finally:
        stop(server)
    print("goal: Performance >= 90, CLS < 0.1, TBT < 200 ms; Accessibility, Best Practices and SEO 100")


if __name__ == "__main__":
    main()
