"""Orientation and readable views, read as a user reads them: the header's paper link and data line, "How to
read this", "Recently added or corrected" (following the Source filter with the register on), the Atom feed
parsed as XML, the browser tab's title, the coverage matrix, the National and regional tab, and the citation."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from tests import dataset_facts as facts
from tests.conftest import choose_option, click_force, open_watched_page, ready, start_gunicorn, stop, wait_until

pytestmark = pytest.mark.browser
TIMEOUT = 20
ATOM = "{http://www.w3.org/2005/Atom}"


def test_orib001_header_names_the_paper_the_data_and_the_terms(watched, live_server):
    page = watched.page
    ready(page, live_server.base_url)
    paper = page.locator(".paper-link")
    assert paper.is_visible() and paper.get_attribute("href").startswith("https://www.gov.uk/")
    assert "source paper" in paper.inner_text()
    data = page.locator("#orientation-data").inner_text()
    assert (
        data.startswith(f"Data: dataset {facts.served().version} (paper 2016") and "register" not in data
    )  # the register is off
    page.locator("#how-to-read summary").click()
    glossary = page.locator("#how-to-read .glossary").inner_text()
    for term in (
        "Result",
        "Activity or parameter",
        "Derived from a result",
        "debrief reported",
        "Kind of work and stage",
        "Case studies and sections",
        "no reference mark",
        "Core topic",
    ):
        assert term in glossary, term
    page.locator("#recent-changes summary").click()
    recent = page.locator("#recent-changes-list").inner_text()
    from tests.dataset_facts import served

    dataset = served()
    assert (
        f"Dataset version {dataset.version}, compiled from the 2016 paper and released {dataset.version_date}" in recent
    )
    assert "changelog" not in recent and "source code" not in recent  # nothing a reader cannot open
    from tests.browser.test_accessibility import axe_violations

    assert axe_violations(page) == []  # both disclosures open
    assert watched.console_errors == []


def test_orib002_tab_title_names_the_view(watched, live_server):
    page = watched.page
    ready(page, live_server.base_url)
    wait_until(page, "document.title === 'England — police and public health'", timeout=TIMEOUT)
    click_force(page, "E23000021")
    wait_until(page, "document.title === 'Leicestershire Police — police and public health'", timeout=TIMEOUT)
    ready(page, f"{live_server.base_url}?view=matrix")
    wait_until(page, "document.title === 'Coverage matrix — police and public health'", timeout=TIMEOUT)


def test_orib003_feed_is_atom_served_by_the_app(watched, live_server):
    response = watched.page.request.get(f"{live_server.base_url}feed.atom")
    assert response.status == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.body())
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}updated").text.endswith("Z")
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text and entry.find(f"{ATOM}updated").text
    assert entry.find(f"{ATOM}link").get("href") == live_server.base_url


def test_orib004_matrix_reads_as_counts_with_groups_shading_sticky_header_and_totals(watched, live_server):
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 720})
    ready(page, f"{live_server.base_url}?view=matrix")
    page.locator("#coverage-matrix-toggle").click()
    page.wait_for_selector(".matrix-table tfoot", timeout=TIMEOUT * 1000)
    groups = page.locator(".matrix-table thead th.theme-group").all_inner_texts()
    assert groups == ["Core topics", "Further topics", "Broader themes"]
    cells = page.locator(".matrix-table tbody td.none").all_inner_texts()
    assert cells and set(cells) == {"–"}  # a dash, never words
    assert "no initiative" not in page.locator(".matrix-table tbody").inner_text()
    shaded = page.evaluate("""[...document.querySelectorAll('.matrix-table tbody td.count')]
                               .map(td => getComputedStyle(td).backgroundColor)""")
    assert shaded and all(colour not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)") for colour in shaded)
    totals = page.locator(".matrix-table tfoot tr").inner_text()
    # Its last cell counts every initiative once, however many themes each has.
    assert totals.startswith("All rows (each initiative once)") and totals.split("\t")[-1] == str(facts.total())
    # Scrolled down and across, the header and the force column stay in view.
    box = page.evaluate("""(() => { const s = document.querySelector('.matrix-scroll'); s.scrollTop = 600;
        s.scrollLeft = 600; const top = s.getBoundingClientRect();
        const head = document.querySelector('.matrix-table thead th.theme-group').getBoundingClientRect();
        const first = document.querySelectorAll('.matrix-table tbody th')[20].getBoundingClientRect();
        return {scrolled: s.scrollTop, headTop: head.top - top.top, firstLeft: first.left - top.left}; })()""")
    assert box["scrolled"] > 0 and abs(box["headTop"]) <= 2 and abs(box["firstLeft"]) <= 2


def test_orib005_national_tab_grouped_with_themes_evaluation_and_figures(watched, live_server):
    page = watched.page
    ready(page, f"{live_server.base_url}?view=national")
    page.wait_for_selector("#off-map-work h3", timeout=TIMEOUT * 1000)
    headings = page.locator("#off-map-work h3").all_inner_texts()
    assert headings[0].startswith("National work") and any(h.startswith("Regional work: North East") for h in headings)
    assert any(h.startswith("British Transport Police") for h in headings)
    text = page.locator("#off-map-work").inner_text()
    assert "the paper names no single force" not in text  # the boilerplate, once per item, is gone
    items = page.locator("#off-map-work .off-map-items > li")
    assert items.count() == facts.off_map()
    assert all("Themes:" in t and "Evaluation:" in t for t in items.all_inner_texts())
    assert page.locator("#off-map-work .off-map-figures li").count() >= 5


def test_orib006_citation_opens_the_map_and_copies_link_and_citation_apart(browser, live_server):
    origin = "/".join(live_server.base_url.split("/")[:3])
    watched = open_watched_page(browser, origin)
    page = watched.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    ready(page, f"{live_server.base_url}?force=E23000021&view=cite")
    link = wait_until(page, "document.querySelector('#cite-link')?.getAttribute('href')", timeout=TIMEOUT)
    assert (
        link == f"{live_server.base_url}?force=E23000021"
        and "view=cite" not in page.locator("#citation-text").inner_text()
    )
    page.get_by_role("button", name="Copy link", exact=True).click()
    wait_until(
        page, "document.querySelector('#cite-link-copy-status')?.textContent === 'Copied the link.'", timeout=TIMEOUT
    )
    assert wait_until(page, "navigator.clipboard.readText()", timeout=TIMEOUT) == link
    page.get_by_role("button", name="Copy citation", exact=True).click()
    wait_until(
        page, "document.querySelector('#citation-copy-status')?.textContent === 'Copied the citation.'", timeout=TIMEOUT
    )
    assert wait_until(page, "navigator.clipboard.readText()", timeout=TIMEOUT).startswith(
        "Public Health England (2016)"
    )
    # Trial 14 (low): both said "Copied" at once; only the latest copy is on the clipboard, and only it says so.
    assert page.locator("#cite-link-copy-status").inner_text() == ""
    page.get_by_role("button", name="Copy link", exact=True).click()
    wait_until(
        page, "document.querySelector('#cite-link-copy-status')?.textContent === 'Copied the link.'", timeout=TIMEOUT
    )
    assert page.locator("#citation-copy-status").inner_text() == ""
    page.context.close()


def test_orib007_register_on_recent_list_follows_the_source_filter(browser, tmp_path):
    app = start_gunicorn(
        extra_env={
            "PPH_REGISTER": "1",
            "PPH_DATABASE_URL": f"sqlite:///{tmp_path}/r.sqlite3",
            "PPH_DEV_USER": "alice",
            "PPH_REVIEWERS": "alice",
        }
    )
    try:
        watched = open_watched_page(browser, "http://127.0.0.1")
        page = watched.page
        ready(page, app.base_url)
        assert "register: nothing published yet" in page.locator("#orientation-data").inner_text()
        page.locator("#recent-changes summary").click()
        register_item = page.locator("#recent-changes-list .recent-register")
        paper_item = page.locator("#recent-changes-list .recent-paper")
        assert register_item.inner_text() == "The register has published nothing yet." and paper_item.is_visible()
        choose_option(page, "source-filter", "paper", "The 2016 paper")
        wait_until(
            page,
            "getComputedStyle(document.querySelector('#recent-changes-list .recent-register')).display === 'none'",
            timeout=TIMEOUT,
        )
        assert paper_item.is_visible()
        page.context.close()
    finally:
        stop(app)
