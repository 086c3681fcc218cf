"""Performance against the physical limits, side by side in one run (headless chromium, loopback).

- navigation to the map painted: the app, and a static HTML export of the same map (the same 39 shapes
  in the same colours) as a plotly.js choropleth with the full bundle (written here, served from
  loopback); goal app <= 0.8x static
- bytes transferred on first load, compressed (goal <= 1.0 MB)
- click to the force's heading visible in the viewport, p50 over 20 clicks (goal <= 100 ms, stretch 50 ms)
- click to the profile filled in from the server (its counts line), p50 over 20 clicks
- server time of each callback, p50/p95 over replays of the requests a browser session sent
  (goal p95 <= 20 ms), start-up time to first 200, memory per worker

    .venv/bin/python benchmarks/perf_benchmark.py
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: the imports below are of this repository

import plotly

from benchmarks.load_test import memory_kb, start_server, worker_pids
from domain.aggregation import force_counts
from domain.force_map import COUNT_COLOURSCALE, NO_INITIATIVE_COLOUR
from domain.joining import join_initiatives
from domain.loading import load_dataset
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, FORCE_POINT_JS, MAP_FORCES, free_port, wait_until

RUNS = 5
CLICKS = 20
# Each inside the first view at 1280 x 720 (Wiltshire, E23000038, fell below it when the map gained its title
# and "Colour by" above it).
FORCES = ["E23000021", "E23000037", "E23000022", "E23000024", "E23000029"]

# Started just before a click: a requestAnimationFrame loop, on the page's own clock, notes when the
# heading shows the force in view and when the server's answer replaces what `filled` showed before the click
# (`before`: England's counts line by default).
CLICK_TIMER_JS = """([name, before, filled = '#profile-counts']) => { window.__t = {}; const t0 = performance.now(); window.__t0 = t0;
    const tick = () => { const h = document.querySelector('#view-title'); const r = h.getBoundingClientRect();
        if (!window.__t.heading && h.textContent === name && r.top >= 0 && r.bottom <= innerHeight)
            window.__t.heading = performance.now() - t0;
        const c = document.querySelector(filled).textContent;
        if (!window.__t.panel && c !== before) window.__t.panel = performance.now() - t0;
        if (!(window.__t.heading && window.__t.panel)) requestAnimationFrame(tick); };
    requestAnimationFrame(tick); }"""


STATIC_MAP = "#force-map .choroplethlocation"


def reference_map(geojson: dict, counts) -> dict:
    """The app's map as a plotly.js choropleth (what the app drew before its own SVG): the same shapes and
    colour scale, no base map. The yardstick of the paint goal."""
    counted = [c for c in counts if c.count]
    empty = [c for c in counts if not c.count]
    common = {
        "type": "choropleth",
        "geojson": geojson,
        "featureidkey": "properties.id",
        "hovertemplate": "%{customdata}<extra></extra>",
    }
    return {
        "data": [
            {
                **common,
                "locations": [c.force_id for c in counted],
                "z": [c.count for c in counted],
                "customdata": [c.name for c in counted],
                "zmin": 1,
                "zmax": max(c.count for c in counted),
                "colorscale": [list(stop) for stop in COUNT_COLOURSCALE],
                "marker": {"line": {"color": "#fff", "width": 0.6}},
            },
            {
                **common,
                "locations": [c.force_id for c in empty],
                "z": [0] * len(empty),
                "customdata": [c.name for c in empty],
                "colorscale": [[0, NO_INITIATIVE_COLOUR], [1, NO_INITIATIVE_COLOUR]],
                "showscale": False,
            },
        ],
        "layout": {
            "geo": {
                "projection": {"type": "transverse mercator", "rotation": {"lon": -2}},
                "fitbounds": "locations",
                "visible": False,  # no base map, so plotly.js fetches no topojson
                "showland": False,
                "showcoastlines": False,
                "showframe": False,
                "bgcolor": "rgba(0,0,0,0)",
            },
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        },
    }


def write_static_export(folder: Path) -> None:
    """The reference map, geometry inline, in a page with the full plotly.js bundle."""
    dataset = load_dataset(REPO / "data")
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    figure = reference_map(
        json.loads(dataset.boundaries.geojson_bytes), force_counts(dataset, join, dataset.initiatives, False)
    )
    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    (folder / "plotly.min.js").write_bytes(bundle.read_bytes())
    # plotly.js fetches a base map before drawing any geo trace, even with the base map hidden: an empty
    # one is served from loopback, so the page draws with the network unplugged.
    (folder / "topojson").mkdir()
    empty = {"type": "GeometryCollection", "geometries": []}
    (folder / "topojson" / "world_110m.json").write_text(
        json.dumps(
            {
                "type": "Topology",
                "arcs": [],
                "objects": {
                    name: empty for name in ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
                },
            }
        )
    )
    (folder / "index.html").write_text(
        f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<script src="plotly.min.js"></script></head><body><div id="force-map" style="width:800px;height:560px"></div>
<script>Plotly.newPlot('force-map', {json.dumps(figure["data"])}, {json.dumps(figure["layout"])},
  {{displaylogo: false, topojsonURL: 'topojson/'}});</script></body></html>""",
        encoding="utf-8",
    )


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped like the app's responses, so bytes and times compare fairly."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
            import gzip

            body = gzip.compress(path.read_bytes(), compresslevel=6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io

            return io.BytesIO(body)
        return super().send_head()

    def log_message(self, *args):
        pass


def paint_and_bytes(browser, url: str, shapes: str, timeout: float = 30.0) -> tuple[float, int]:
    """(navigation to 39 shapes drawn, in ms; bytes transferred) for the map page at `url`."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    transferred: list[int] = []
    cdp.on("Network.loadingFinished", lambda e: transferred.append(e["encodedDataLength"]))
    page.goto(url, timeout=timeout * 1000)
    page.wait_for_selector(shapes, timeout=timeout * 1000)
    wait_until(page, "(s) => document.querySelectorAll(s).length >= 39", arg=shapes, timeout=timeout)
    painted = page.evaluate("performance.now()")
    # Then every request the page makes, until none has started for half a second. (Playwright's
    # "networkidle" never fired on some loads of the plotly.js export, with every request finished.)
    seen, quiet_since, deadline = -1, time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 0.5:
        started = page.evaluate("performance.getEntriesByType('resource').length")
        if started != seen:
            seen, quiet_since = started, time.monotonic()
        page.wait_for_timeout(50)
    context.close()
    return painted, sum(transferred)


def click_to_panel(
    browser, base_url: str, recorded: list[str], names: dict[str, str], total: int
) -> tuple[list[float], list[float]]:
    """(click to heading visible, click to profile filled) for each of CLICKS clicks at 1280 x 720."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.on("request", lambda r: recorded.append(r.post_data) if r.method == "POST" and r.post_data else None)
    page.goto(base_url)
    page.wait_for_selector(MAP_FORCES, timeout=30_000)
    # The page is ready when its count shows every initiative of the data ("N of N", N from the data served).
    wait_until(
        page, f"document.querySelector('#results-count')?.textContent.includes('{total} of {total}')", timeout=30
    )
    england = page.evaluate("document.querySelector('#profile-counts').textContent")
    headings, panels = [], []
    for n in range(CLICKS):
        force = FORCES[n % len(FORCES)]
        # The map reaches below the fold at 720 (Wiltshire's point is at y ~ 800): scrolled just enough to click
        # it, the heading still in view. A click outside the viewport lands nowhere.
        box = wait_until(page, FORCE_POINT_JS, arg=force, timeout=10)
        if box["y"] > 700:
            page.evaluate("(dy) => window.scrollBy(0, dy)", box["y"] - 700)
            box = wait_until(page, FORCE_POINT_JS, arg=force, timeout=10)
        # The profile is filled when its list of initiatives changes from the one shown before the click (two
        # forces' counts lines can read the same).
        shown = page.evaluate("document.querySelector('#case-studies').textContent")
        page.evaluate(CLICK_TIMER_JS, [names[force], shown, "#case-studies"])
        page.mouse.click(box["x"], box["y"])
        timings = wait_until(page, "window.__t.heading && window.__t.panel && window.__t", timeout=10)
        headings.append(timings["heading"])
        panels.append(timings["panel"])
        page.locator("#clear-force").click()
        wait_until(
            page,
            "(e) => document.querySelector('#view-title')?.textContent === 'England' && "
            "document.querySelector('#profile-counts')?.textContent === e",
            arg=england,
            timeout=10,
        )
    # a filter change too, so its callbacks are replayed below
    page.goto(f"{base_url}?themes=mental-health&compare=E23000021,E23000037")
    page.wait_for_selector(MAP_FORCES, timeout=30_000)
    page.locator("#force-table-toggle").click()  # so the replays include the opened table and matrix
    page.wait_for_selector(".force-table", timeout=30_000)
    page.locator("#view-tab-matrix").click()
    page.locator("#coverage-matrix-toggle").click()
    page.wait_for_selector(".matrix-table", timeout=30_000)
    context.close()
    return headings, panels


def callback_server_times(bodies: list[str]) -> dict[str, tuple[float, float, int]]:
    """Replay each distinct callback request in-process: the server's own time, no network."""
    from components.app_factory import create_app
    from settings import Settings

    client = create_app(Settings()).server.test_client()
    by_callback: dict[str, list[float]] = {}
    for body in bodies:
        payload = json.loads(body)
        outputs = [o.rsplit(".", 1) for o in payload["output"].strip(".").split("...")]
        name = "+".join(f"{i}.{p.split('@')[0]}" for i, p in outputs[:2]) + ("+…" if len(outputs) > 2 else "")
        for _ in range(20):
            start = time.perf_counter()
            response = client.post(
                "/_dash-update-component",
                data=body,
                content_type="application/json",
                headers={"Accept-Encoding": "gzip"},
            )
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code in (200, 204):
                by_callback.setdefault(name, []).append(elapsed)
    result = {}
    for name, times in by_callback.items():
        times.sort()
        result[name] = (statistics.median(times), times[int(0.95 * (len(times) - 1))], len(times))
    return result


def main() -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server, startup = start_server(port, os.cpu_count() or 2)
    static_dir = Path(tempfile.mkdtemp())
    write_static_export(static_dir)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(static_dir)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    static_url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    app_url = f"http://127.0.0.1:{port}/"
    recorded: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            app_runs, static_runs = [], []
            for _ in range(RUNS):  # interleaved so both see the same machine load
                app_runs.append(paint_and_bytes(browser, app_url, MAP_FORCES))
                static_runs.append(paint_and_bytes(browser, static_url, STATIC_MAP))
            dataset = load_dataset(REPO / "data")
            names = {f.id: f.name for f in dataset.forces}
            headings, panels = click_to_panel(browser, app_url, recorded, names, len(dataset.initiatives))
            browser.close()
        memories = [memory_kb(pid) for pid in worker_pids(server.pid)]
    finally:
        server.terminate()
        server.wait(timeout=20)
        httpd.shutdown()

    app_paint = statistics.median(r[0] for r in app_runs)
    static_paint = statistics.median(r[0] for r in static_runs)
    app_bytes = statistics.median(r[1] for r in app_runs)
    static_bytes = statistics.median(r[1] for r in static_runs)

    rows = [
        ("navigation to map painted: app", f"{app_paint:.0f} ms", ""),
        ("navigation to map painted: static export", f"{static_paint:.0f} ms", ""),
        ("app / static export", f"{app_paint / static_paint:.2f}x", "goal <= 0.80x"),
        ("first-load bytes (compressed): app", f"{app_bytes / 1024:.0f} KB", "goal <= 1024 KB"),
        ("first-load bytes (compressed): static export", f"{static_bytes / 1024:.0f} KB", ""),
        (
            f"click to heading visible, p50 of {CLICKS}",
            f"{statistics.median(headings):.0f} ms",
            "goal <= 100 ms (stretch 50 ms)",
        ),
        (f"click to profile filled, p50 of {CLICKS}", f"{statistics.median(panels):.0f} ms", ""),
        ("start-up to first 200", f"{startup:.2f} s", ""),
    ]
    rows += [
        (f"memory worker {i} (RSS / PSS)", f"{rss / 1024:.0f} / {pss / 1024:.0f} MB", "")
        for i, (rss, pss) in enumerate(memories)
    ]
    distinct = list(dict.fromkeys(recorded))
    for name, (p50, p95, n) in sorted(callback_server_times(distinct).items()):
        rows.append((f"callback {name}: server p50 / p95 (n={n})", f"{p50:.1f} / {p95:.1f} ms", "goal p95 <= 20 ms"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':{width}}  {'value':>16}  goal")
    for label, value, goal in rows:
        print(f"{label:{width}}  {value:>16}  {goal}")


if __name__ == "__main__":
    main()
