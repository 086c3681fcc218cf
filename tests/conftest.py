"""Shared test support: a real gunicorn serving the app, and Debian's chromium through Playwright.

Every test fails on a console error and on any request that leaves the app's origin: all
requests are routed through a handler that records and aborts foreign ones.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import dataset_facts
from tests.postgres_cluster import PostgresCluster

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@dataclass
class LiveServer:
    base_url: str
    process: subprocess.Popen


def start_gunicorn(
    prefix: str = "/",
    workers: int = 1,
    extra_env: dict | None = None,
    log_path: Path | None = None,
    port: int | None = None,
) -> LiveServer:
    """Start the app as production does: gunicorn with the repo's config file."""
    port = port or free_port()
    env = {
        **os.environ,
        "PPH_URL_PREFIX": prefix,
        "PPH_BIND": f"127.0.0.1:{port}",
        "PPH_WORKERS": str(workers),
        **(extra_env or {}),
    }
    # Logged to a file, never a pipe: a pipe nobody reads fills up and stalls the server mid-test.
    log_path = log_path or Path(tempfile.mkdtemp(prefix="pph-gunicorn-")) / "gunicorn.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=log,
    )
    routes_prefix = "/" if env.get("PPH_PROXY_STRIPS_PREFIX") == "1" else prefix
    base = f"http://127.0.0.1:{port}{routes_prefix}"
    try:
        wait_for(f"{base}healthz")
    except RuntimeError:
        process.kill()
        raise RuntimeError(log_path.read_text(errors="replace")[-4000:] or "gunicorn failed") from None
    return LiveServer(base, process)


def stop(server: LiveServer) -> None:
    server.process.terminate()
    server.process.wait(timeout=15)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    # Two workers, as production runs: a test that asserts an output it did not wait for fails here.
    server = start_gunicorn(workers=2)
    yield server
    stop(server)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Watched:
    page: object
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


def open_watched_page(browser, origin: str, viewport: dict | None = None, extra_headers: dict | None = None) -> Watched:
    """A page whose console errors and foreign requests are recorded; `extra_headers` stand in for what an
    intranet's proxy adds to every request (the register's user header)."""
    context = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 1000},
        accept_downloads=True,
        extra_http_headers=extra_headers or {},
    )
    page = context.new_page()
    watched = Watched(page)

    def route(r):
        if r.request.url.startswith(origin):
            r.continue_()
        else:
            watched.foreign_requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: watched.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watched.console_errors.append(str(e)))
    page.on("dialog", lambda d: (watched.console_errors.append(f"unexpected dialog: {d.message}"), d.dismiss()))
    return watched


@pytest.fixture
def watched(browser, live_server) -> Iterator[Watched]:
    origin = live_server.base_url.split("/", 3)
    watched = open_watched_page(browser, "/".join(origin[:3]))
    yield watched
    watched.page.context.close()
    assert watched.foreign_requests == [], "requests left the app's origin"
    assert watched.console_errors == [], "the browser console logged errors"


@pytest.fixture
def intranet_page(tmp_path):
    """Serve the example intranet page, framing the dashboard, from another origin."""
    servers: list = []

    def serve(dashboard_url: str, port: int) -> str:
        html = (REPO / "deploy" / "example-intranet.html").read_text().replace("DASHBOARD_URL/", dashboard_url)
        (tmp_path / "index.html").write_text(html)
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{port}/index.html"

    yield serve
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def framed_widget(browser, intranet_page):
    """The example intranet page, served from another origin, framing the widget (`?embed=1`) of a gunicorn-served
    app that lets that origin frame it: a function of the browser window's size that gives the watched page."""
    apps: list = []
    pages: list = []

    def open_framed(viewport: dict) -> Watched:
        parent_port = free_port()
        apps.append(
            start_gunicorn("/", workers=2, extra_env={"PPH_FRAME_ANCESTORS": f"http://127.0.0.1:{parent_port}"})
        )
        watched = open_watched_page(browser, "http://127.0.0.1", viewport=viewport)
        pages.append(watched)
        watched.page.goto(intranet_page(apps[-1].base_url, parent_port))
        return watched

    yield open_framed
    for watched in pages:
        watched.page.context.close()
    for app in apps:
        stop(app)


def wait_until(page, expression: str, arg=None, timeout: float = 20.0, interval: float = 0.05):
    """Poll a JavaScript expression until it is truthy and return its value.

    Playwright's wait_for_function evaluates its predicate with eval inside the page, which the
    app's Content-Security-Policy (no 'unsafe-eval') rightly refuses; page.evaluate goes through
    the DevTools protocol and is not subject to the page's CSP.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for: {expression}")
        time.sleep(interval)


# The map's forces as the page draws them (assets/force-map.js): one path per force shown, with its id
# and its number of matching initiatives; Wales, while hidden, is drawn as plain land.
MAP_FORCES = "#force-map path.force-area"
# A point inside a force's shape, in the page's coordinates: the centre of its box if that is inside the
# shape, else the nearest point of a grid over the box that is (a box's centre can be outside a shape).
FORCE_POINT_JS = """(id) => {
  const path = document.querySelector(`#force-map path.force-area[data-force="${id}"]`);
  if (!path) return null;
  const box = path.getBBox(), toPage = path.getScreenCTM(), grid = [];
  for (let i = 0; i <= 10; i++) for (let j = 0; j <= 10; j++) grid.push([i / 10, j / 10]);
  grid.sort((a, b) => Math.hypot(a[0] - .5, a[1] - .5) - Math.hypot(b[0] - .5, b[1] - .5));
  for (const [fx, fy] of grid) {
    const inside = new DOMPoint(box.x + fx * box.width, box.y + fy * box.height);
    if (path.isPointInFill(inside)) { const at = inside.matrixTransform(toPage); return {x: at.x, y: at.y}; }
  }
  return null;
}"""


def forces_drawn(page, which: str = "all") -> list[str]:
    """The force ids the map draws: "all", "counted" (with matching initiatives) or "empty"."""
    selector = {
        "all": MAP_FORCES,
        "counted": f"{MAP_FORCES}:not([data-count='0'])",
        "empty": f"{MAP_FORCES}[data-count='0']",
    }[which]
    return page.evaluate("(s) => Array.from(document.querySelectorAll(s)).map(p => p.dataset.force)", selector)


# The force the selection outline is drawn around, or null.
OUTLINED_FORCE_JS = """() => { const outline = document.querySelector('#force-map .map-selected')?.getAttribute('d');
    if (!outline) return null;
    return Array.from(document.querySelectorAll('#force-map path.force-area'))
      .find(p => p.getAttribute('d') === outline)?.dataset.force ?? null; }"""


def wait_for_outline(page, force_id: str | None, timeout: float = 20.0) -> None:
    """Wait until the selection outline is around `force_id` (None: no outline). The outline is drawn by its
    own clientside callback, so it may follow the profile by a frame."""
    wait_until(page, f"(id) => ({OUTLINED_FORCE_JS})() === id", arg=force_id, timeout=timeout)


def wait_for_map(page, timeout: float = 20.0) -> None:
    page.wait_for_selector(MAP_FORCES, timeout=timeout * 1000)


def ready(page, url: str, timeout: float = 20.0) -> None:
    """Open a view and wait until the map is drawn and the filters have been applied."""
    page.goto(url)
    wait_for_map(page, timeout)
    total = dataset_facts.total()  # every initiative of the data the server reads
    wait_until(page, f"document.querySelector('#results-count')?.textContent.includes(' of {total} ')", timeout=timeout)


def click_force(page, force_id: str, frame=None, timeout: float = 20.0) -> None:
    """Click a force on the map, at a point inside its shape, as a user would.

    With `frame`, the map is inside that iframe and the click is made in the page's coordinates.
    """
    target = frame or page
    if frame is None:
        # A user scrolls to a force before clicking it: after a click lower down the page (a download, the
        # overview), the map may be above the window.
        target.wait_for_selector(f'#force-map path.force-area[data-force="{force_id}"]', timeout=timeout * 1000)
        target.evaluate(
            '(id) => document.querySelector(`#force-map path.force-area[data-force="${id}"]`)'
            ".scrollIntoView({block: 'nearest'})",
            force_id,
        )
    box = wait_until(target, FORCE_POINT_JS, arg=force_id, timeout=timeout)
    if frame is not None:
        origin = page.locator("#dashboard").bounding_box()
        box = {"x": box["x"] + origin["x"], "y": box["y"] + origin["y"]}
    page.mouse.click(box["x"], box["y"])


def dropdown_choice(scope, name: str):
    """An option of an open dcc.Dropdown as assistive technology finds it: a checkbox, or a radio button where one
    choice is allowed, named by its label (assets/a11y-fixes.js); its label is what a pointer clicks."""
    inner = getattr(scope, "page", scope)  # `has` is matched inside each label: built from the page, not `scope`
    control = inner.get_by_role("checkbox", name=name, exact=True).or_(
        inner.get_by_role("radio", name=name, exact=True)
    )
    return scope.locator("label.dash-options-list-option").filter(has=control)


def choose_option(page, control_id: str, typed: str, option: str) -> None:
    """Pick an option of a Dash dropdown as a user does with the mouse: open it, search, click the option.

    Each step waits for the dropdown's own state (its trigger's aria-expanded and the listbox it
    controls), not for time: on a busy machine the previous dropdown may still be closing when this
    one is clicked, and a click then is not always taken as an open."""
    from playwright.sync_api import expect

    trigger = page.locator(f"#{control_id}")
    expect(trigger).to_have_attribute("aria-expanded", "false")
    # In the middle of the window, as a reader has a field they are about to use: a trigger clicked at the window's
    # foot opens its list below the fold, and the lazily drawn overview above the register may still move it.
    trigger.evaluate("el => el.scrollIntoView({block: 'center'})")
    # Then still, as a reader waits for the page to settle: the overview above the register draws itself when
    # it comes near view (assets/lazy-overview.js), and moves what is below it.
    page.wait_for_function(
        """() => { const o = document.getElementById('outcomes-overview'); if (!o) return true;
                   const r = o.getBoundingClientRect();
                   return !(r.top < innerHeight * 1.5 && r.bottom > -innerHeight) || o.children.length > 0; }""",
        timeout=20_000,
    )
    settled, last = 0, None
    for _ in range(40):
        box = trigger.bounding_box()
        settled = settled + 1 if box == last else 0
        if settled >= 3:
            break
        last = box
        page.wait_for_timeout(150)
    trigger.evaluate("el => el.scrollIntoView({block: 'center'})")
    for _ in range(3):
        trigger.click()
        try:
            expect(trigger).to_have_attribute("aria-expanded", "true", timeout=5_000)
            break
        except AssertionError:
            continue
    else:
        raise AssertionError(f"#{control_id} did not open after three clicks")
    listbox = page.locator(f"[id='{trigger.get_attribute('aria-controls')}']")  # radix ids hold colons
    listbox.locator("input.dash-dropdown-search").fill(typed)
    dropdown_choice(listbox, option).first.click()
    if trigger.get_attribute("aria-expanded") == "true":  # a multi-choice list stays open
        page.keyboard.press("Escape")
    expect(trigger).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"#{control_id}-value")).to_contain_text(option)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throw-away PostgreSQL cluster for the whole run (tests/postgres_cluster.py); each test that
    needs a database asks it for a new one with `postgres.new_database(name)`. Its folder is outside
    pytest's temporary tree, which another pytest run on the machine may prune while this one runs."""
    cluster = PostgresCluster.create(Path(tempfile.mkdtemp(prefix="pph-postgres-")))
    try:
        yield cluster
    finally:
        cluster.destroy()
