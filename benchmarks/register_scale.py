"""How the dashboard scales with the register: the paper alone, then 1,000 and 10,000 published initiatives.

For each size a synthetic register (benchmarks.synthetic_register) is written to a temporary SQLite
file and gunicorn serves the app with PPH_REGISTER=1 (anonymous readers: no PPH_DEV_USER). Headless
chromium then measures, as perf_benchmark does: navigation to the map painted, click to the profile
filled (p50), and a scripted session (load, click forces, change the theme filter, open the coverage
matrix tab and its table, open the national tab). Every callback request the session sent is replayed
one at a time against the same gunicorn for its server time (p50/p95) and response size. Also:
start-up to first 200, the size of /_dash-layout, memory per worker, and, in-process, the time and
size of each part of the page as the layout builds it.

Goal (the register's issue): every measure within 2x of the paper alone at 1,000 initiatives.

    .venv/bin/python benchmarks/register_scale.py [--sizes 0 1000 10000] [--no-breakdown]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: the imports below are of this repository

from benchmarks.load_test import memory_kb, start_server, worker_pids
from benchmarks.perf_benchmark import CLICK_TIMER_JS, FORCES, paint_and_bytes
from benchmarks.synthetic_register import synthetic_payloads, write_register
from domain.loading import Dataset, load_dataset
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, MAP_FORCES, click_force, free_port, wait_until

GOAL_RATIO = 2.0  # at 1,000 initiatives, against the paper alone
UPDATE_PATH = "_dash-update-component"


@dataclass(frozen=True)
class Repetitions:
    paints: int
    clicks: int
    replays: int  # per distinct callback request
    layout_fetches: int


# Fewer than perf_benchmark's (5 paints, 20 clicks), and fewer again at 10,000, where each page load and
# each profile costs seconds: the whole run stays near 10 minutes on a two-core machine.
FULL = Repetitions(paints=3, clicks=8, replays=12, layout_fetches=10)
# One click only: at 10,000 the renderer takes minutes to apply one force's profile.
REDUCED = Repetitions(paints=1, clicks=1, replays=5, layout_fetches=5)
DISTINCT_BODIES_PER_CALLBACK = 8  # spread over the session: the forces clicked, England, the filtered views
STARTUP_TIMEOUT = 300.0
BROWSER_TIMEOUT = 900.0  # a step at 10,000 can take minutes; it is measured, not given up on


@dataclass(frozen=True)
class CallbackStats:
    """One callback over a session: how often the page fired it, the server's time when replayed, and its
    largest answer."""

    fired: int
    server_p50: float
    server_p95: float
    replays: int
    raw_bytes: int
    gzip_bytes: int
    components: int
    browser_ttfb_p95: float  # in the session, queueing behind the page's other callbacks included


@dataclass
class SizeResult:
    size: int
    reps: Repetitions
    import_seconds: float = 0.0
    startup: float = 0.0
    layout_raw: int = 0
    layout_gzip: int = 0
    layout_components: int = 0
    layout_ms: float = 0.0
    layout_parts: dict[str, int] = field(default_factory=dict)
    first_load_bytes: float = 0.0
    paint_ms: float = 0.0
    click_heading_ms: float = 0.0
    click_profile_ms: float = 0.0
    steps_ms: dict[str, float] = field(default_factory=dict)
    callbacks: dict[str, CallbackStats] = field(default_factory=dict)
    # callback name -> {output id.prop: raw bytes} for its largest response
    callback_parts: dict[str, dict[str, int]] = field(default_factory=dict)
    memory: list[tuple[int, int]] = field(default_factory=list)
    # the machine's 1-minute load average before and after: browser timings are only as quiet as the machine
    load: tuple[float, float] = (0.0, 0.0)


# --- what a response holds ---------------------------------------------------------------------


def component_count(value: object) -> int:
    """Dash components in a JSON value: the renderer's cost grows with these, not with bytes alone."""
    if isinstance(value, dict):
        own = 1 if {"type", "namespace", "props"} <= value.keys() else 0
        return own + sum(component_count(v) for v in value.values())
    if isinstance(value, list):
        return sum(component_count(v) for v in value)
    return 0


def json_size(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def id_text(component_id: object) -> str:
    return component_id if isinstance(component_id, str) else json.dumps(component_id, sort_keys=True)


def sized_subtrees(value: object, found: dict[str, int]) -> None:
    """Every component with an id, and the bytes of its whole subtree."""
    if isinstance(value, dict):
        props = value.get("props")
        if isinstance(props, dict) and "id" in props and "type" in value:
            found[id_text(props["id"])] = json_size(value)
        for child in value.values():
            sized_subtrees(child, found)
    elif isinstance(value, list):
        for child in value:
            sized_subtrees(child, found)


def callback_name(output: str) -> str:
    """'..a.children...b.figure..' -> 'a.children+b.figure+…', as perf_benchmark names callbacks."""
    outputs = [o.rsplit(".", 1) for o in output.strip(".").split("...")]
    return "+".join(f"{i}.{p.split('@')[0]}" for i, p in outputs[:2]) + ("+…" if len(outputs) > 2 else "")


# --- HTTP against the running gunicorn ------------------------------------------------------------


def fetch(
    port: int, method: str, path: str, body: bytes | None = None, compressed: bool = True
) -> tuple[int, bytes, float]:
    """(status, body as sent, seconds to the last byte), on a fresh loopback connection."""
    headers = {"Accept-Encoding": "gzip"} if compressed else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return response.status, data, elapsed


def unzipped(data: bytes) -> bytes:
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def measure_layout(port: int, result: SizeResult, fetches: int) -> None:
    _, compressed, _ = fetch(port, "GET", "/_dash-layout")
    raw = unzipped(compressed)
    result.layout_raw, result.layout_gzip = len(raw), len(compressed)
    layout = json.loads(raw)
    result.layout_components = component_count(layout)
    sized_subtrees(layout, result.layout_parts)
    times = [fetch(port, "GET", "/_dash-layout")[2] * 1000 for _ in range(fetches)]
    result.layout_ms = statistics.median(times)


def replay_callbacks(
    port: int, bodies: list[str], ttfb: dict[str, list[float]], replays: int, result: SizeResult
) -> None:
    """Each distinct request the browser sent, replayed one at a time: the server's time and its answer."""
    by_name: dict[str, list[str]] = {}
    for body in dict.fromkeys(bodies):
        by_name.setdefault(callback_name(json.loads(body)["output"]), []).append(body)
    for name, distinct in by_name.items():
        times: list[float] = []
        raw_max = gzip_max = components_max = 0
        step = max(1, len(distinct) / DISTINCT_BODIES_PER_CALLBACK)
        for body in [distinct[int(i * step)] for i in range(min(len(distinct), DISTINCT_BODIES_PER_CALLBACK))]:
            for _ in range(replays):
                status, data, elapsed = fetch(port, "POST", f"/{UPDATE_PATH}", body.encode())
                if status not in (200, 204):
                    raise RuntimeError(f"replaying {name} answered {status}: {data[:300]!r}")
                times.append(elapsed * 1000)
            raw = unzipped(data)
            if len(raw) > raw_max:
                raw_max, gzip_max = len(raw), len(data)
                answer = json.loads(raw) if raw else {}
                components_max = component_count(answer)
                result.callback_parts[name] = {
                    f"{cid}.{prop}": json_size(value)
                    for cid, props in answer.get("response", {}).items()
                    for prop, value in props.items()
                }
        times.sort()
        browser = sorted(ttfb.get(name, [0.0]))
        result.callbacks[name] = CallbackStats(
            fired=len(ttfb.get(name, [])),
            server_p50=statistics.median(times),
            server_p95=times[int(0.95 * (len(times) - 1))],
            replays=len(times),
            raw_bytes=raw_max,
            gzip_bytes=gzip_max,
            components=components_max,
            browser_ttfb_p95=browser[int(0.95 * (len(browser) - 1))],
        )


# --- the browser session --------------------------------------------------------------------------


class CallbackWatch:
    """The callback requests a page sends: their bodies, the browser's wait for the first byte, and
    how many are in flight, so a step can wait until the page's callbacks have settled."""

    def __init__(self, page):
        self.bodies: list[str] = []
        self.ttfb: dict[str, list[float]] = {}
        self.in_flight = 0
        page.on("request", self._sent)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)

    @staticmethod
    def _is_callback(request) -> bool:
        # Dash 4 appends a query (?endId=...) to the callback URL.
        return request.method == "POST" and urlsplit(request.url).path.endswith(UPDATE_PATH)

    def _sent(self, request) -> None:
        if self._is_callback(request):
            self.in_flight += 1
            self.bodies.append(request.post_data or "")

    def _finished(self, request) -> None:
        if self._is_callback(request):
            self.in_flight -= 1
            timing = request.timing
            name = callback_name(json.loads(request.post_data)["output"])
            self.ttfb.setdefault(name, []).append(timing["responseStart"] - timing["requestStart"])

    def _failed(self, request) -> None:
        if self._is_callback(request):
            self.in_flight -= 1

    def settle(self, page, quiet_ms: int = 250) -> None:
        """Until no callback has been in flight for `quiet_ms` (Dash chains callbacks back to back) and the
        page has painted a frame since, with no new callback sent meanwhile. The frame matters: the answer
        can be in while the renderer still spends seconds applying it."""
        deadline = time.monotonic() + BROWSER_TIMEOUT
        while time.monotonic() < deadline:
            sent = len(self.bodies)
            quiet_since = None
            while quiet_since is None or (time.monotonic() - quiet_since) * 1000 < quiet_ms:
                page.wait_for_timeout(20)  # lets Playwright deliver the page's events
                if self.in_flight:
                    quiet_since = None
                elif quiet_since is None:
                    quiet_since = time.monotonic()
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => done(true)))")
            if not self.in_flight and len(self.bodies) == sent:
                return
        raise TimeoutError("the page's callbacks did not settle")


def time_click(page, force: str, name: str, england: str) -> tuple[float, float]:
    """perf_benchmark's measure of one click on a force, timed in the page on its own clock: (the heading
    shows the force in view, the profile's counts line is replaced by the server's)."""
    page.evaluate(CLICK_TIMER_JS, [name, england])
    click_force(page, force)
    timings = wait_until(
        page, "window.__t.heading && window.__t.panel && window.__t", timeout=BROWSER_TIMEOUT, interval=0.2
    )
    return timings["heading"], timings["panel"]


def scripted_session(
    browser, base_url: str, total: int, names: dict[str, str], reps: Repetitions, result: SizeResult
) -> CallbackWatch:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(BROWSER_TIMEOUT * 1000)
    page = context.new_page()
    watch = CallbackWatch(page)
    steps: dict[str, float] = {}

    def step(label: str, action: Callable[[], None], done: str) -> None:
        start = time.perf_counter()
        action()
        wait_until(page, done, timeout=BROWSER_TIMEOUT, interval=0.2)
        watch.settle(page)
        steps[label] = (time.perf_counter() - start) * 1000

    step(
        "load",
        lambda: page.goto(base_url),
        f"document.querySelector('#results-count')?.textContent.includes(' of {total} ') && "
        f"document.querySelectorAll('{MAP_FORCES}').length >= 39",
    )
    england = page.evaluate("document.querySelector('#profile-counts').textContent")
    headings, panels = [], []
    for n in range(reps.clicks):  # each click from England; the last force stays selected for the steps after
        if n:
            page.locator("#clear-force").click()
            wait_until(
                page,
                "(e) => document.querySelector('#view-title')?.textContent === 'England' && "
                "document.querySelector('#profile-counts')?.textContent === e",
                arg=england,
                timeout=BROWSER_TIMEOUT,
                interval=0.2,
            )
            watch.settle(page)
        force = FORCES[n % len(FORCES)]
        start = time.perf_counter()
        heading, panel = time_click(page, force, names[force], england)
        watch.settle(page)
        steps["click a force"] = (time.perf_counter() - start) * 1000
        headings.append(heading)
        panels.append(panel)

    def choose_theme() -> None:
        page.locator("#theme-filter").click()
        page.keyboard.type("Mental health")
        page.locator("label.dash-options-list-option", has_text="Mental health (core topic)").click()
        page.keyboard.press("Escape")

    step(
        "change the theme filter",
        choose_theme,
        f"location.search.includes('themes=mental-health') && "
        f"!document.querySelector('#results-count')?.textContent.startsWith('{total} of')",
    )
    step(
        "open the matrix tab",
        lambda: page.locator("#view-tab-matrix").click(),
        "!document.querySelector('#view-matrix').hidden",
    )
    step(
        "show the coverage matrix",
        lambda: page.locator("#coverage-matrix-toggle").click(),
        "document.querySelector('.matrix-table') !== null",
    )
    step(
        "open the national tab",
        lambda: page.locator("#view-tab-national").click(),
        "!document.querySelector('#view-national').hidden",
    )
    context.close()
    result.click_heading_ms = statistics.median(headings)
    result.click_profile_ms = statistics.median(panels)
    result.steps_ms = steps
    return watch


# --- one size, end to end ---------------------------------------------------------------------------


def progress(size: int, what: str, since: float) -> None:
    print(f"  N={size:,}: {what} ({time.monotonic() - since:.0f} s)", file=sys.stderr, flush=True)


def measure_size(size: int, paper: Dataset, browser, folder: Path) -> SizeResult:
    reps = REDUCED if size >= 10_000 else FULL
    result = SizeResult(size, reps)
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    url, result.import_seconds = write_register(folder, size, paper)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    # tests.conftest.start_gunicorn gives up after 30 s, less than the start-up at 10,000; this is the
    # production app (app:server) all the same, polled every 20 ms for a finer start-up time.
    # PPH_DEV_USER and PPH_USER_HEADER empty: every reader is anonymous, as on the public dashboard.
    server, result.startup = start_server(
        port,
        os.cpu_count() or 2,
        target="app:server",
        timeout=STARTUP_TIMEOUT,
        extra_env={
            "PPH_REGISTER": "1",
            "PPH_DATABASE_URL": url,
            "PPH_DEV_USER": "",
            "PPH_USER_HEADER": "",
            "PPH_URL_PREFIX": "/",
        },
    )
    progress(size, "imported and started", began)
    try:
        measure_layout(port, result, reps.layout_fetches)
        paints = [paint_and_bytes(browser, base_url, timeout=BROWSER_TIMEOUT) for _ in range(reps.paints)]
        result.paint_ms = statistics.median(p[0] for p in paints)
        result.first_load_bytes = statistics.median(p[1] for p in paints)
        progress(size, "layout and paints", began)
        names = {f.id: f.name for f in paper.forces}
        watch = scripted_session(browser, base_url, len(paper.initiatives) + size, names, reps, result)
        progress(size, "browser session", began)
        replay_callbacks(port, watch.bodies, watch.ttfb, reps.replays, result)
        progress(size, "replays", began)
        result.memory = [memory_kb(pid) for pid in worker_pids(server.pid)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    result.load = (load_before, os.getloadavg()[0])
    return result


# --- in-process: what each part of the page costs to build ------------------------------------------


def layout_breakdown(paper: Dataset, size: int) -> dict[str, tuple[float, int]]:
    """Milliseconds and JSON bytes of each part of the page, built as create_app builds it."""
    from datetime import datetime, timezone

    import plotly

    from components import compare_view, map_panel, matrix_view, overview_view, profile, shell
    from components.panels import off_map_list, outcome_table
    from domain.aggregation import off_map_initiatives
    from domain.register import RegisterRecord, with_register
    from domain.source import snapshot_of

    now = datetime.now(timezone.utc)
    records = [
        RegisterRecord(record_id, "initiative", payload, now, "benchmark")
        for record_id, payload in synthetic_payloads(paper, size)
    ]
    parts: dict[str, tuple[float, int]] = {}

    def timed(label: str, build: Callable[[], object], serialised: bool = True) -> object:
        start = time.perf_counter()
        built = build()
        elapsed = (time.perf_counter() - start) * 1000
        parts[label] = (elapsed, len(json.dumps(built, cls=plotly.utils.PlotlyJSONEncoder)) if serialised else 0)
        return built

    dataset = timed("start-up: fold the register in (with_register)", lambda: with_register(paper, records), False)
    snapshot = timed("start-up: join to the map (snapshot_of)", lambda: snapshot_of(dataset, 1), False)
    timed("layout: filter bar (dropdown options)", lambda: shell.filter_bar(dataset, True))
    timed("layout: map panel", lambda: map_panel.layout(dataset, snapshot.join))
    timed("layout: profile (England)", lambda: profile.layout(snapshot, "/"))
    timed(
        "overview tab, when in view (the largest results charted)",
        lambda: overview_view.overview_charts(dataset, None, snapshot.chart_citation),
    )
    # Both tabs are filled when opened; what opening them builds is timed.
    timed(
        "national tab, when opened (off-map list)",
        lambda: off_map_list(off_map_initiatives(snapshot.join, dataset.initiatives), dataset),
    )
    timed(
        "background tab, when opened", lambda: outcome_table([o for o in dataset.outcomes if o.is_background], dataset)
    )
    timed("layout: compare tab", lambda: compare_view.panel(dataset))
    timed("layout: matrix tab (closed)", lambda: matrix_view.panel(dataset))
    return parts


# --- the report -----------------------------------------------------------------------------------------


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB" if n >= 1024 else f"{n:,.0f} B"


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(f"{h:<{widths[0]}}" if i == 0 else f"{h:>{widths[i]}}" for i, h in enumerate(header)).rstrip())
    for row in rows:
        print("  ".join(f"{c:<{widths[0]}}" if i == 0 else f"{c:>{widths[i]}}" for i, c in enumerate(row)).rstrip())


def report(results: list[SizeResult], breakdowns: dict[int, dict[str, tuple[float, int]]]) -> None:
    columns = [f"N={r.size:,}" + (" (paper only)" if r.size == 0 else "") for r in results]
    base = next((r for r in results if r.size == 0), None)
    at_1000 = next((r for r in results if r.size == 1000), None)

    def ratio_cells(value: Callable[[SizeResult], float]) -> list[str]:
        if base is None or at_1000 is None or not value(base):
            return ["", ""]
        ratio = value(at_1000) / value(base)
        return [f"{ratio:.2f}x", "ok" if ratio <= GOAL_RATIO else "OVER"]

    def row(label: str, value: Callable[[SizeResult], float], shown: Callable[[float], str]) -> list[str]:
        return [label, *[shown(value(r)) for r in results], *ratio_cells(value)]

    def worst_callback(r: SizeResult) -> tuple[str, CallbackStats]:
        return max(r.callbacks.items(), key=lambda kv: kv[1].server_p95)

    def largest_callback(r: SizeResult) -> tuple[str, CallbackStats]:
        return max(r.callbacks.items(), key=lambda kv: kv[1].raw_bytes)

    ms = lambda v: f"{v:,.0f} ms"
    rows = [
        row("start-up to first 200", lambda r: r.startup, lambda v: f"{v:.1f} s"),
        row("navigation to map painted, p50", lambda r: r.paint_ms, ms),
        row("first-load bytes (compressed), p50", lambda r: r.first_load_bytes, kb),
        row("click to heading visible, p50", lambda r: r.click_heading_ms, ms),
        row("click to profile filled, p50", lambda r: r.click_profile_ms, ms),
        row("/_dash-layout size (JSON)", lambda r: r.layout_raw, kb),
        row("/_dash-layout size (gzip)", lambda r: r.layout_gzip, kb),
        row("/_dash-layout components", lambda r: r.layout_components, lambda v: f"{v:,.0f}"),
        row("/_dash-layout server time, p50", lambda r: r.layout_ms, ms),
        row("worst callback server p95", lambda r: worst_callback(r)[1].server_p95, ms),
        row("largest callback response (JSON)", lambda r: largest_callback(r)[1].raw_bytes, kb),
        row("largest callback response (gzip)", lambda r: largest_callback(r)[1].gzip_bytes, kb),
        row("largest callback components", lambda r: largest_callback(r)[1].components, lambda v: f"{v:,.0f}"),
        row("memory per worker, max RSS", lambda r: max(m[0] for m in r.memory) * 1024, kb),
        row("memory per worker, max PSS", lambda r: max(m[1] for m in r.memory) * 1024, kb),
        *[
            row(f"session step: {step}", lambda r, s=step: r.steps_ms.get(s, float("nan")), ms)
            for step in results[0].steps_ms
        ],
    ]
    rows.append(["  worst callback is", *[worst_callback(r)[0] for r in results], "", ""])
    rows.append(["  largest callback is", *[largest_callback(r)[0] for r in results], "", ""])
    rows.append(
        [
            "(repetitions: paints / clicks / replays)",
            *[f"{r.reps.paints} / {r.reps.clicks} / {r.reps.replays}" for r in results],
            "",
            "",
        ]
    )
    rows.append(
        ["(machine load average, before / after)", *[f"{r.load[0]:.1f} / {r.load[1]:.1f}" for r in results], "", ""]
    )
    rows.append(["(import of the synthetic register)", *[f"{r.import_seconds:.1f} s" for r in results], "", ""])
    print_table(
        "Register scale: gunicorn with PPH_REGISTER=1, anonymous reader, headless chromium on loopback",
        ["measure", *columns, "1,000 / 0", f"goal <= {GOAL_RATIO:g}x"],
        rows,
    )

    def callback_cell(c: CallbackStats | None) -> str:
        if c is None:
            return "—"
        return (
            f"{c.fired}x · {c.server_p50:,.0f} / {c.server_p95:,.0f} ms · {c.browser_ttfb_p95:,.0f} ms · "
            f"{kb(c.raw_bytes)} · {c.components:,}"
        )

    names = sorted({n for r in results for n in r.callbacks})
    print_table(
        "Callbacks the session fired: times fired · server p50 / p95 (replayed one at a time) · browser "
        "TTFB p95 in the session (queueing included) · largest response (JSON) · its components",
        ["callback", *columns],
        [[name, *[callback_cell(r.callbacks.get(name)) for r in results]] for name in names],
    )

    largest = results[-1]
    parts = sorted({p for r in results for p in r.layout_parts}, key=lambda p: -largest.layout_parts.get(p, 0))
    print_table(
        f"/_dash-layout by component (JSON bytes of each id'd subtree; nested ids are included in their "
        f"parents; the 12 largest at N={largest.size:,})",
        ["component id", *columns],
        [[p, *[kb(r.layout_parts.get(p, 0)) for r in results]] for p in parts[:12]],
    )

    heavy = sorted(
        ((name, out) for name, outs in largest.callback_parts.items() for out in outs),
        key=lambda no: -largest.callback_parts[no[0]][no[1]],
    )
    print_table(
        f"Callback responses by output (JSON bytes in the largest response of each; the 12 largest at "
        f"N={largest.size:,})",
        ["callback → output", *columns],
        [
            [f"{name} → {out}", *[kb(r.callback_parts.get(name, {}).get(out, 0)) for r in results]]
            for name, out in heavy[:12]
        ],
    )

    if breakdowns:
        labels = list(next(iter(breakdowns.values())))
        print_table(
            "In-process: building the page for one snapshot (once per snapshot per process; time, JSON)",
            ["part", *[f"N={n:,}" for n in breakdowns]],
            [
                [
                    label,
                    *[
                        f"{b[label][0]:,.0f} ms" + (f" · {kb(b[label][1])}" if b[label][1] else "")
                        for b in breakdowns.values()
                    ],
                ]
                for label in labels
            ],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000, 10_000])
    parser.add_argument("--no-breakdown", action="store_true", help="skip the in-process build times of the page")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    began = time.monotonic()
    paper = load_dataset(REPO / "data")
    results = []
    with tempfile.TemporaryDirectory(prefix="register-scale-") as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in args.sizes:
            started = time.monotonic()
            results.append(measure_size(size, paper, browser, Path(folder)))
            print(f"N={size:,}: measured in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
        browser.close()
    breakdowns = {} if args.no_breakdown else {size: layout_breakdown(paper, size) for size in args.sizes}
    report(results, breakdowns)
    print(
        f"\ntotal run time {time.monotonic() - began:.0f} s; workers {os.cpu_count()}; "
        f"start-up includes gunicorn's preload of the register (validate, join, build the page)"
    )


if __name__ == "__main__":
    main()
