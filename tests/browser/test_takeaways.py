"""What users carry away, checked the way they would: the citation after a click, the downloads
opened with pandas, the widget inside an intranet page, and links the app cannot honour."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from tests.conftest import (
    MAP_FORCES,
    choose_option,
    click_force,
    ready,
    wait_until,
)
from tests import dataset_facts as facts

pytestmark = pytest.mark.browser
TIMEOUT = 20


def unzip(download, folder):
    with zipfile.ZipFile(download.path()) as archive:
        archive.extractall(folder)


def test_take001_citation_and_downloads_follow_the_view_on_screen(watched, live_server, tmp_path):
    page = watched.page
    ready(page, live_server.base_url)
    choose_option(page, "theme-filter", "Mental health", "Mental health (core topic)")
    wait_until(page, facts.results_count_is("?themes=mental-health"), timeout=TIMEOUT)
    click_force(page, "E23000021")
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'", timeout=TIMEOUT)
    citation = wait_until(
        page,
        """(() => { const t = document.querySelector('#citation-text')?.textContent || '';
                                     return t.includes('force=E23000021') && t; })()""",
        timeout=TIMEOUT,
    )
    assert "themes=mental-health" in citation and "embed" not in citation
    assert citation.split("View: ")[1].startswith(live_server.base_url + "?")
    # The force by name, not only as a code in the link (trial 21, medium).
    assert "(Leicestershire Police; filters: themes Mental health; accessed " in citation

    with page.expect_download() as info:
        page.locator("#export-csv").click()
    # Named after the view, and saying a filter leaves some of it out (trial 10, low).
    assert info.value.suggested_filename == "police-public-health-leicestershire-police-filtered.zip"
    unzip(info.value, tmp_path / "view")
    assert list(pd.read_csv(tmp_path / "view" / "initiatives.csv")["id"]) == ["leicestershire-triage-car"]
    readme = (tmp_path / "view" / "README.txt").read_text(encoding="utf-8-sig")
    assert "force=E23000021" in readme and "themes=mental-health" in readme

    page.locator("#view-tab-matrix").click()
    page.locator("#coverage-matrix-toggle").click()
    page.wait_for_selector(".matrix-table", timeout=TIMEOUT * 1000)
    with page.expect_download() as info:
        page.locator("#matrix-export").click()
    unzip(info.value, tmp_path / "matrix")
    matrix = pd.read_csv(tmp_path / "matrix" / "coverage-matrix.csv")
    # A row for each English force area and one for the work off the map, then the totals.
    assert matrix.columns[0] == "force" and len(matrix) == len(facts.english_force_ids()) + 2
    # Each force row carries its ONS code, to join with other data by area; the off-map and totals rows none.
    assert sorted(matrix["force_code"].dropna()) == sorted(facts.english_force_ids())
    totals = matrix.iloc[-1]
    assert totals["force"] == "All rows (each initiative once)" and totals["total_initiatives"] == 9
    assert totals["Mental health"] == 9 and str(matrix["total_initiatives"].dtype) == "int64"
    assert "force=E23000021" in (tmp_path / "matrix" / "README.txt").read_text(encoding="utf-8-sig")


def test_take002_embedded_widget_answers_a_click_in_view_at_600_by_600(framed_widget):
    watched = framed_widget({"width": 1280, "height": 800})
    page = watched.page
    frame_element = page.locator("#dashboard")
    assert frame_element.bounding_box()["width"] == pytest.approx(602, abs=2)
    assert frame_element.bounding_box()["height"] == pytest.approx(602, abs=2)
    frame = next(f for f in page.frames if f is not page.main_frame)
    wait_until(frame, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'", timeout=TIMEOUT)
    click_force(page, "E23000037", frame=frame)
    wait_until(frame, facts.profile_counts_is(facts.GLOUCESTERSHIRE), timeout=TIMEOUT)
    assert frame.locator("#view-title").inner_text() == "Gloucestershire Constabulary"
    # The answer is in view inside the 600 x 600 frame, with no scrolling.
    box = frame.evaluate("""(() => { const r = document.querySelector('#view-title').getBoundingClientRect();
                              return {top: r.top, left: r.left, right: r.right, scroll: window.scrollY}; })()""")
    assert 0 <= box["top"] < 300 and box["right"] <= 600 and box["left"] > 200 and box["scroll"] == 0
    assert frame.locator("#case-studies details").count() == facts.in_force(facts.GLOUCESTERSHIRE)
    assert frame.evaluate("document.documentElement.scrollWidth") <= 600
    link = frame.locator("#open-full-dashboard")
    assert link.is_visible() and link.get_attribute("target") == "_blank"
    wait_until(
        frame, "document.querySelector('#open-full-dashboard')?.href.includes('force=E23000037')", timeout=TIMEOUT
    )
    assert "embed" not in link.get_attribute("href")
    assert "Source: PHE (2016)" in frame.locator(".embed-source").inner_text()
    assert watched.console_errors == []


def test_take003_a_link_too_long_gets_a_notice_not_an_error(watched, live_server):
    page = watched.page
    responses: list[int] = []
    page.on("response", lambda r: responses.append(r.status) if "_dash-update-component" in r.url else None)
    page.goto(f"{live_server.base_url}?q={'a' * 5000}")
    page.wait_for_selector(MAP_FORCES, timeout=TIMEOUT * 1000)
    page.locator("#notice").get_by_text("The link was too long").wait_for(timeout=TIMEOUT * 1000)
    # 204 is a callback's "nothing to change" (a closed tab's content is built only when opened).
    assert responses and all(status in (200, 204) for status in responses), responses
    # the watched fixture also fails the test on any console error


def test_take004_a_non_territorial_force_in_a_link_is_explained(watched, live_server):
    page = watched.page
    page.goto(f"{live_server.base_url}?force=British%20Transport%20Police")
    page.wait_for_selector(MAP_FORCES, timeout=TIMEOUT * 1000)
    page.locator("#notice").get_by_text("British Transport Police has no force area on the map").wait_for(
        timeout=TIMEOUT * 1000
    )


def test_take005_hiding_wales_lets_a_welsh_force_go_and_says_so(watched, live_server):
    page = watched.page
    page.goto(f"{live_server.base_url}?force=W15000003")
    page.locator("#notice").get_by_text(
        "Showing the Welsh forces, because the link selects South Wales Police"
    ).wait_for(timeout=TIMEOUT * 1000)
    wait_until(page, "document.querySelector('#show-wales')?.textContent === 'Hide the Welsh forces'", timeout=TIMEOUT)
    page.locator("#show-wales").click()
    page.locator("#notice").get_by_text("South Wales Police is one of the Welsh forces now hidden").wait_for(
        timeout=TIMEOUT * 1000
    )
    wait_until(page, "!location.search.includes('force=') && !location.search.includes('wales=')", timeout=TIMEOUT)
    wait_until(page, "document.querySelector('#view-title')?.textContent.startsWith('England')", timeout=TIMEOUT)
    assert page.locator("#show-wales").get_attribute("aria-pressed") == "false"


def test_take006_search_runs_as_you_type(watched, live_server):
    page = watched.page
    ready(page, live_server.base_url)
    page.locator("#search-text").click()
    page.keyboard.type("blackpool", delay=30)  # no Enter, no leaving the box
    wait_until(page, facts.results_count_is("?q=blackpool"), timeout=TIMEOUT)
    assert page.evaluate("document.activeElement.id") == "search-text"
    assert page.locator("#search-text").input_value() == "blackpool"
