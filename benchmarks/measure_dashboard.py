"""Measure the dashboard as a user's browser sees it, on loopback:

- time from navigation to the map painted (all 39 English forces drawn),
- click-to-panel time (a map click until the drill-down shows the force), p50 over N clicks,
- bytes transferred on first load (compressed bytes on the wire, from the DevTools protocol).

    .venv/bin/python benchmarks/measure_dashboard.py [--clicks 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1])
)  # run as a script: the imports below are of this repository

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, FORCE_POINT_JS, MAP_FORCES, start_gunicorn, wait_until

# Forces clicked in turn, each at a point inside its shape (tests.conftest.FORCE_POINT_JS).
FORCES = ["E23000021", "E23000037", "E23000038", "E23000024", "E23000029"]


def measure(clicks: int, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    server = start_gunicorn(workers=2)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            paint_ms, first_load_bytes = [], []
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1280, "height": 1000})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                transferred = []
                cdp.on("Network.loadingFinished", lambda e, sink=transferred: sink.append(e["encodedDataLength"]))
                page.goto(server.base_url)
                wait_until(page, f"document.querySelectorAll('{MAP_FORCES}').length >= 39", timeout=30)
                paint_ms.append(page.evaluate("performance.now()"))
                page.wait_for_load_state("networkidle")
                first_load_bytes.append(sum(transferred))
                context.close()

            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            page = context.new_page()
            page.goto(server.base_url)
            wait_until(
                page,
                "/^(\\d+) of \\1\\b/.test(document.querySelector('#results-count')?.textContent || '')",
                timeout=30,
            )
            click_ms = []
            for n in range(clicks):
                force = FORCES[n % len(FORCES)]
                # The map redraws after each clear; wait until the force's path is back.
                box = wait_until(page, FORCE_POINT_JS, arg=force, timeout=10)
                page.evaluate("window.__t0 = performance.now()")
                page.mouse.click(box["x"], box["y"])
                wait_until(
                    page,
                    "() => !(document.querySelector('#view-title')?.textContent ?? 'England').startsWith('England') && "
                    "document.querySelector('#case-studies details') !== null",
                    timeout=10,
                )
                click_ms.append(page.evaluate("performance.now() - window.__t0"))
                page.locator("#clear-force").click()
                wait_until(page, "document.querySelector('#view-title')?.textContent.startsWith('England')")
            context.close()
            browser.close()
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)

    print(f"{'measure':45} {'value':>12}")
    print(f"{'navigation to map painted, median of ' + str(runs):45} {statistics.median(paint_ms):10.0f} ms")
    print(f"{'click to panel, p50 of ' + str(clicks):45} {statistics.median(click_ms):10.0f} ms")
    print(f"{'click to panel, max':45} {max(click_ms):10.0f} ms")
    print(f"{'bytes transferred on first load (wire)':45} {statistics.median(first_load_bytes) / 1024:10.0f} KB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    measure(args.clicks, args.runs)
