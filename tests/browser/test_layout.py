"""The layout answers a click in view: the profile beside the map (below it on a phone), the other
views as tabs reachable by URL, and the whole page clean for axe at desktop and phone widths."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from domain.state import VIEWS
from tests.browser.test_accessibility import axe_violations, choose_with_keyboard, tab_to
from tests.conftest import click_force, ready, wait_until
from tests import dataset_facts as facts

pytestmark = pytest.mark.browser
TIMEOUT = 20
OVERVIEW_CHARTS = "document.querySelectorAll('#outcomes-overview figure.lollipop').length"


def heading_in_view(page) -> bool:
    return page.evaluate("""(() => { const r = document.querySelector('#view-title').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; })()""")


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 720}, {"width": 1440, "height": 900}], ids=["1280x720", "1440x900"]
)
def test_lay001_on_a_desktop_the_profile_is_beside_the_map_and_answers_a_click_in_view(watched, live_server, viewport):
    page = watched.page
    page.set_viewport_size(viewport)
    ready(page, live_server.base_url)
    assert heading_in_view(page)  # England's profile, in the first viewport
    map_box = page.locator("#force-map").bounding_box()
    profile_box = page.locator("#results").bounding_box()
    assert profile_box["x"] >= map_box["x"] + map_box["width"] - 1  # side by side
    assert map_box["y"] < viewport["height"] and profile_box["y"] < viewport["height"]
    click_force(page, "E23000037")
    wait_until(
        page, "document.querySelector('#view-title')?.textContent === 'Gloucestershire Constabulary'", timeout=TIMEOUT
    )
    wait_until(page, facts.profile_counts_is(facts.GLOUCESTERSHIRE), timeout=TIMEOUT)
    assert heading_in_view(page) and page.evaluate("window.scrollY") == 0  # nothing to scroll to
    # Each title opens to the full card.
    first = page.locator("#case-studies details").first
    first.locator("summary").click()
    assert first.get_attribute("open") is not None
    assert "Part of the paper's case study: Gloucestershire, health and wellbeing" in first.inner_text()


def test_lay002_on_a_phone_the_profile_follows_the_map_and_a_click_brings_it_into_view(watched, live_server):
    page = watched.page
    page.set_viewport_size({"width": 375, "height": 740})
    ready(page, live_server.base_url)
    map_box = page.locator("#force-map").bounding_box()
    assert page.locator("#results").bounding_box()["y"] >= map_box["y"] + map_box["height"] - 1  # below the map
    page.locator("#force-map").scroll_into_view_if_needed()  # below the filters, as a phone user scrolls to it
    click_force(page, "E23000021")
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'", timeout=TIMEOUT)
    wait_until(
        page,
        """(() => { const r = document.querySelector('#view-title').getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; })()""",
        timeout=TIMEOUT,
    )
    # Keyboard and screen-reader users follow: the focus is on the heading.
    assert page.evaluate("document.activeElement.id") == "view-title"
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


@pytest.mark.parametrize("view", VIEWS)
def test_lay003_every_view_has_a_deep_link(watched, live_server, view):
    page = watched.page
    ready(page, f"{live_server.base_url}?view={view}")
    wait_until(page, "(v) => !document.querySelector('#view-' + v)?.hidden", arg=view, timeout=TIMEOUT)
    hidden = page.evaluate("Array.from(document.querySelectorAll('.view-panel')).filter(p => !p.hidden).map(p => p.id)")
    assert hidden == [f"view-{view}"]
    assert page.locator(f"#view-tab-{view}").get_attribute("aria-selected") == "true"


def test_lay004_tabs_write_the_url_and_the_back_button_returns(watched, live_server):
    page = watched.page
    ready(page, f"{live_server.base_url}?force=E23000021")
    page.locator("#view-tab-matrix").click()
    wait_until(
        page, "location.search.includes('view=matrix') && location.search.includes('force=E23000021')", timeout=TIMEOUT
    )
    wait_until(page, "!document.querySelector('#view-matrix').hidden", timeout=TIMEOUT)
    page.locator("#view-tab-background").click()
    wait_until(page, "location.search.includes('view=background')", timeout=TIMEOUT)
    page.go_back()
    wait_until(
        page,
        "!document.querySelector('#view-matrix').hidden && document.querySelector('#view-background').hidden",
        timeout=TIMEOUT,
    )


def tab_until(page, expression: str, limit: int) -> None:
    """Press Tab until `expression` holds for the focused element, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(expression):
            return
    raise AssertionError(f"{expression} not reached with {limit} presses of Tab")


def test_lay005_keyboard_journey_through_the_layout(watched, live_server):
    page = watched.page
    ready(page, live_server.base_url)
    tab_to(page, "force-select")
    choose_with_keyboard(page, "Glouc", "Gloucestershire Constabulary")
    wait_until(page, facts.profile_counts_is(facts.GLOUCESTERSHIRE), timeout=TIMEOUT)
    # On to the first initiative in the profile: Enter opens its card.
    tab_until(page, "document.activeElement.tagName === 'SUMMARY'", limit=12)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open") is True
    # The themes' comparison with all matching initiatives, which the chart shows on hover, opens from the keys.
    tab_until(page, "document.activeElement.parentElement.classList.contains('lollipop-details')", limit=30)
    page.keyboard.press("Enter")
    expect(page.locator("#theme-chart .lollipop-details-text")).to_be_visible()
    assert "across all matching" in page.locator("#theme-chart .lollipop-details-text").inner_text()
    tab_to(page, "view-tab-overview", limit=20)  # the tabs' one Tab stop, the open tab
    for _ in VIEWS[: VIEWS.index("matrix")]:
        page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "view-tab-matrix"
    page.keyboard.press("Enter")
    wait_until(
        page,
        "location.search.includes('view=matrix') && !document.querySelector('#view-matrix').hidden",
        timeout=TIMEOUT,
    )
    # The matrix tab's panel is built on first show, by a request of its own: wait for its button.
    page.locator("#coverage-matrix-toggle").wait_for(state="visible", timeout=TIMEOUT * 1000)
    tab_to(page, "coverage-matrix-toggle", limit=10)
    page.keyboard.press("Enter")
    page.wait_for_selector(".matrix-table", timeout=TIMEOUT * 1000)


@pytest.mark.parametrize("width", [1280, 768, 375])
@pytest.mark.parametrize("view", VIEWS)
def test_lay006_axe_finds_no_violation_of_any_impact_in_any_view_at_desktop_tablet_and_phone_widths(
    watched, live_server, view, width
):
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    ready(page, f"{live_server.base_url}?force=E23000021&compare=E23000021,E23000037&view={view}")
    wait_until(page, "(v) => !document.querySelector('#view-' + v)?.hidden", arg=view, timeout=TIMEOUT)
    wait_until(page, facts.profile_counts_is(facts.LEICESTERSHIRE), timeout=TIMEOUT)
    if view == "matrix":
        page.locator("#coverage-matrix-toggle").click()
        page.wait_for_selector(".matrix-table", timeout=TIMEOUT * 1000)
    if view == "overview":  # its charts are drawn once in view: check them too
        page.locator("#outcomes-overview").scroll_into_view_if_needed()
        wait_until(page, OVERVIEW_CHARTS + " === 3", timeout=TIMEOUT)
    # Each view's own content comes from callbacks of its own: axe reads the view filled, not half-built.
    filled = {"national": "#off-map-work li", "compare": "#comparison th", "background": "#background-figures td"}
    if view in filled:
        page.wait_for_selector(f"#view-{view} {filled[view]}", timeout=TIMEOUT * 1000)
    page.wait_for_timeout(300)  # let the charts finish drawing
    assert axe_violations(page) == []


FIRST_TITLE_JS = """window.__titles = []; new MutationObserver(() => {
    const title = document.getElementById('view-title')?.textContent;
    if (title && window.__titles[window.__titles.length - 1] !== title) window.__titles.push(title);
}).observe(document, {childList: true, subtree: true, characterData: true});"""


def test_lay007_a_deep_link_opens_on_the_force_itself_with_nothing_redrawn_after_load(watched, live_server):
    page = watched.page
    answered: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: (
            answered.append((json.loads(r.request.post_data)["output"], r.status))
            if "_dash-update-component" in r.url
            else None
        ),
    )
    page.add_init_script(FIRST_TITLE_JS)
    page.goto(f"{live_server.base_url}?force=E23000021")
    wait_until(page, facts.profile_counts_is(facts.LEICESTERSHIRE), timeout=TIMEOUT)
    wait_until(
        page, "!document.documentElement.classList.contains('profile-pending')", timeout=2
    )  # not the 5 s fallback
    # Wait for the two answers the load brings, then for a quiet spell in which nothing else may follow.
    deadline = time.monotonic() + TIMEOUT
    while not (
        {output.split("...")[0] for output, _ in answered} >= {"..citation-text.children"}
        and any(output.startswith("..url.search") for output, _ in answered)
    ):
        assert time.monotonic() < deadline, answered
        page.wait_for_timeout(50)
    page.wait_for_timeout(700)
    assert page.evaluate("window.__titles") == ["Leicestershire Police"]  # England never showed
    # The address callback finds the page already showing its address: it changes nothing (204), so no
    # profile, map or filter callback follows; only the citation, which needs the page's full address.
    assert [status for output, status in answered if output.startswith("..url.search")] == [204]
    assert [output.split("...")[0] for output, _ in answered if not output.startswith("..url.search")] == [
        "..citation-text.children"
    ]


def test_lay007b_a_proxy_that_strips_referer_changes_nothing_the_page_names_its_view_in_a_cookie(watched, live_server):
    """The layout request carries the page's query in the `pph_view` cookie (assets/view-cookie.js), so with
    no Referer the page still opens on its own view, with no callback redrawing it."""
    page = watched.page
    seen: list[dict] = []

    def without_referer(route):
        seen.append(route.request.headers)
        headers = {k: v for k, v in route.request.headers.items() if k.lower() != "referer"}
        route.fulfill(response=page.context.request.get(route.request.url, headers=headers))

    page.route("**/_dash-layout", without_referer)
    page.goto(f"{live_server.base_url}?force=E23000021&view=compare&compare=E23000021,E23000037")
    wait_until(page, facts.profile_counts_is(facts.LEICESTERSHIRE), timeout=TIMEOUT)
    assert page.evaluate("document.getElementById('results').dataset.force") == "E23000021"  # built for the link
    assert any("pph_view=" in h.get("cookie", "") for h in seen), seen


def test_lay007c_with_neither_cookie_nor_referer_links_still_open_on_their_view(watched, live_server):
    """Without the cookie (cookies off, a cross-site iframe) and the Referer the page is England's; the
    callbacks then fill in the view: the England profile is kept out of sight meanwhile, and a comparison in
    the link survives (the dropdown keeps its values)."""
    import urllib.request

    page = watched.page

    def bare(route):
        # Fetched outside the browser: no Referer, no cookie.
        with urllib.request.urlopen(
            urllib.request.Request(route.request.url, headers={"Accept-Encoding": "identity"})
        ) as r:
            route.fulfill(status=r.status, body=r.read(), content_type="application/json")

    page.route("**/_dash-layout", bare)
    page.add_init_script(FIRST_TITLE_JS)
    page.goto(f"{live_server.base_url}?force=E23000021&view=compare&compare=E23000021,E23000037")
    wait_until(page, facts.profile_counts_is(facts.LEICESTERSHIRE), timeout=TIMEOUT)
    assert page.evaluate("document.getElementById('results').dataset.force") == ""  # England's page, refilled
    wait_until(page, "!document.documentElement.classList.contains('profile-pending')", timeout=TIMEOUT)
    assert page.evaluate("window.__titles")[-1] == "Leicestershire Police"
    wait_until(
        page,
        "document.querySelector('#comparison')?.textContent.includes('Gloucestershire Constabulary')",
        timeout=TIMEOUT,
    )
    assert "compare=E23000021%2CE23000037" in page.url or "compare=E23000021,E23000037" in page.url


def test_lay008_the_outcomes_overview_is_drawn_when_it_comes_into_view_and_then_follows_the_filters(
    watched, live_server
):
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 720})
    ready(page, live_server.base_url)
    page.wait_for_timeout(1000)  # time enough for any request the page would send at load
    assert page.evaluate(OVERVIEW_CHARTS) == 0  # below the fold: nothing drawn yet
    assert "drawn as this part of the page comes into view" in page.locator("#outcomes-overview").inner_text()

    page.locator("#outcomes-overview").scroll_into_view_if_needed()
    # falls in a rate, falls in a number of events, percent, money: 3.0.0 charts no count result
    wait_until(page, OVERVIEW_CHARTS + " === 3", timeout=TIMEOUT)
    everything = page.locator("#outcomes-overview .note").first.inner_text()

    # Once drawn, the overview follows a filter chosen on the page, like every other panel.
    page.locator("#theme-filter").focus()
    choose_with_keyboard(page, "Mental health", "Mental health")
    wait_until(page, "location.search.includes('themes=mental-health')", timeout=TIMEOUT)
    wait_until(
        page,
        "(before) => document.querySelector('#outcomes-overview .note')?.textContent !== before",
        arg=everything,
        timeout=TIMEOUT,
    )
    filtered = page.locator("#outcomes-overview .note").first.inner_text()
    assert int(filtered.split()[0]) < int(everything.split()[0]), (filtered, everything)
