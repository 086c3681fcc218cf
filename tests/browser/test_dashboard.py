"""The dashboard in a real browser: map, click-through, filters, deep links, export."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from tests.conftest import (
    MAP_FORCES,
    choose_option,
    click_force,
    forces_drawn,
    wait_for_map,
    wait_for_outline,
    wait_until,
)
from tests import dataset_facts as facts

pytestmark = pytest.mark.browser

TIMEOUT = 20  # seconds


def open_england_view(page, base_url: str) -> None:
    page.goto(base_url)
    wait_for_map(page)
    wait_until(page, facts.results_count_is())


def test_brw001_map_renders_every_english_force(watched, live_server):
    page = watched.page
    open_england_view(page, live_server.base_url)
    drawn = forces_drawn(page)
    assert sorted(drawn) == sorted(facts.english_force_ids())
    assert all(code.startswith("E23") for code in drawn)
    counted = set(facts.counted_forces())
    assert set(forces_drawn(page, "counted")) == counted and set(forces_drawn(page, "empty")) == set(drawn) - counted
    # Wales is drawn as land beside them, not as forces; no plotly.js was needed to draw any of it.
    assert page.locator("#force-map path.map-land").count() == len(facts.welsh_force_ids())
    assert page.evaluate("typeof window.Plotly") == "undefined"
    # Hovering a force tells its name and count, as text.
    page.hover(f"{MAP_FORCES}[data-force='E23000037']")
    tip = page.locator("#force-map .map-tooltip")
    tip.wait_for(state="visible", timeout=TIMEOUT * 1000)
    assert tip.inner_text().splitlines()[:2] == [
        facts.force_name(facts.GLOUCESTERSHIRE),
        facts.plural(facts.in_force(facts.GLOUCESTERSHIRE), "initiative"),  # "matching" only under a filter
    ]


def test_brw002_clicking_leicestershire_shows_triage_car_and_section_136_figures(watched, live_server):
    page = watched.page
    open_england_view(page, live_server.base_url)
    click_force(page, "E23000021")
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'", timeout=TIMEOUT)
    # The heading answers at once in the browser; the profile's body follows from the server.
    wait_until(page, facts.profile_counts_is(facts.LEICESTERSHIRE), timeout=TIMEOUT)
    cards = page.locator("#case-studies article")
    assert cards.count() == facts.in_force(facts.LEICESTERSHIRE)
    # In the 3.0.0 data: "Leicestershire mental health triage car".
    titles = page.locator("#case-studies details summary").all_inner_texts()
    assert set(titles) == facts.titles_in_force(facts.LEICESTERSHIRE)
    table = page.locator("#outcome-table").inner_text()
    assert "Section 136 detentions" in table and "81%" in table and "33%" in table
    assert "force=E23000021" in page.url
    wait_for_outline(page, "E23000021")
    click_force(page, "E23000021")  # a second click deselects
    wait_until(page, "!location.search.includes('force=')", timeout=TIMEOUT)
    wait_for_outline(page, None)
    assert page.locator("#view-title").inner_text().startswith("England")


def test_brw003_theme_filter_recolours_map_and_narrows_cards(watched, live_server):
    page = watched.page
    open_england_view(page, live_server.base_url)
    choose_option(page, "theme-filter", "Dementia", "Dementia (core topic)")
    wait_until(page, facts.results_count_is("?themes=dementia"), timeout=TIMEOUT)
    counted = facts.counted_forces("?themes=dementia")
    wait_until(page, f"document.querySelectorAll(\"{MAP_FORCES}:not([data-count='0'])\").length === {len(counted)}")
    assert sorted(forces_drawn(page, "counted")) == sorted(counted)
    assert len(forces_drawn(page, "empty")) == len(facts.english_force_ids()) - len(counted)
    # The profile comes from another callback than the map: wait for it too.
    wait_until(
        page,
        "document.querySelector('#profile-counts')?.textContent.includes(' initiatives match your filters (theme: Dementia')",
        timeout=TIMEOUT,
    )
    assert "themes=dementia" in page.url


def test_brw004_deep_link_restores_view_and_back_button_steps_back(watched, live_server):
    page = watched.page
    page.goto(f"{live_server.base_url}?force=E23000037&themes=early-intervention")
    wait_for_map(page)
    wait_until(
        page, "document.querySelector('#view-title')?.textContent === 'Gloucestershire Constabulary'", timeout=TIMEOUT
    )
    titles = page.locator("#case-studies details summary").all_inner_texts()
    # In the 3.0.0 data: The Aston Project and Great Expectations (the task force is an umbrella, not a row).
    assert set(titles) == facts.titles_in_force(facts.GLOUCESTERSHIRE, "?themes=early-intervention")
    assert "Gloucestershire Constabulary" in page.locator("#force-select").inner_text()
    page.locator("#clear-force").click()
    wait_until(page, "document.querySelector('#view-title')?.textContent.startsWith('England')", timeout=TIMEOUT)
    page.go_back()
    wait_until(
        page, "document.querySelector('#view-title')?.textContent === 'Gloucestershire Constabulary'", timeout=TIMEOUT
    )


def test_brw005_hostile_link_shows_notice_as_text(watched, live_server):
    page = watched.page
    page.goto(f"{live_server.base_url}?force=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&themes=nope")
    wait_for_map(page)
    notice = page.locator("#notice")
    notice.get_by_text("Ignored unknown force").wait_for(timeout=TIMEOUT * 1000)
    assert "<img src=x onerror=alert(1)>" in notice.inner_text()
    assert page.locator("#notice img").count() == 0


def test_brw006_national_and_btp_work_is_listed_and_csv_downloads(watched, live_server, tmp_path):
    page = watched.page
    page.goto(live_server.base_url + "?force=E23000021")
    wait_for_map(page)
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'", timeout=TIMEOUT)
    page.locator("#view-tab-national").click()  # the list is built when its tab opens
    wait_until(
        page, "document.querySelector('#off-map-work')?.textContent.includes('National liaison')", timeout=TIMEOUT
    )
    off_map = page.locator("#off-map-work").inner_text()
    assert "British Transport Police suicide prevention programme" in off_map
    assert "National liaison and diversion programme" in off_map
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    assert info.value.suggested_filename == "police-public-health-leicestershire-police.zip"
    with zipfile.ZipFile(info.value.path()) as archive:
        archive.extractall(tmp_path)
    assert list(pd.read_csv(tmp_path / "initiatives.csv")["id"]) == ["leicestershire-triage-car"]
    assert "Section 136 detentions" in set(pd.read_csv(tmp_path / "figures.csv")["measure"])


def test_brw007_wales_switch_adds_the_four_welsh_forces(watched, live_server):
    page = watched.page
    open_england_view(page, live_server.base_url)
    page.locator("#show-wales").click()
    wait_until(page, "location.search.includes('wales=1')", timeout=TIMEOUT)
    every = len(facts.english_force_ids()) + len(facts.welsh_force_ids())
    wait_until(page, f"document.querySelectorAll('{MAP_FORCES}').length === {every}", timeout=TIMEOUT)
    assert "W15000003" in forces_drawn(page, "counted")  # South Wales has its ACE project
    assert page.locator("#show-wales").get_attribute("aria-pressed") == "true"
    page.go_back()
    english = len(facts.english_force_ids())
    wait_until(page, f"document.querySelectorAll('{MAP_FORCES}').length === {english}", timeout=TIMEOUT)


def test_brw008_the_outcomes_overview_reads_without_plotly_and_saves_its_charts_as_images(watched, live_server):
    """The overview's charts are HTML lists: every row named by its initiative and value, falls in a rate and in
    a number of events apart, for all of England whichever force is selected. plotly.js is loaded only when
    the reader saves the charts as images."""
    page = watched.page
    plotly_requests: list[str] = []
    page.on("request", lambda r: plotly_requests.append(r.url) if "/vendor/plotly" in r.url else None)
    page.goto(f"{live_server.base_url}?force=E23000021")
    wait_for_map(page)
    page.locator("#outcomes-overview").scroll_into_view_if_needed()
    wait_until(page, "document.querySelectorAll('#outcomes-overview figure.lollipop').length === 3", timeout=TIMEOUT)
    assert "All of England, whichever force is selected" in page.locator("#view-overview").inner_text()
    captions = page.locator("#outcomes-overview figure.lollipop figcaption").all_inner_texts()
    # No money chart: the £815,000 saving is derived from the 94% fall, not a result of its own (3.0.0).
    assert [c.splitlines()[0] for c in captions] == ["Fall in a rate (%)", "Fall in a number of events (%)", "Percent"]
    rows = page.evaluate("""Array.from(document.querySelectorAll('#outcomes-overview .lollipop-row'))
        .map(li => [li.textContent, li.dataset.value])""")
    assert ["Leicestershire mental health triage car: Section 136 detentions", "81% (fall)"] in rows
    assert all(": " in label and value for label, value in rows)
    assert page.evaluate("typeof window.Plotly") == "undefined" and plotly_requests == []

    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.locator("#overview-save").click()
    # One image for each chart on screen (trial 20, medium: three charts were saved as two images).
    wait_until(page, "document.querySelector('#overview-saved')?.textContent.startsWith('Saved 3 chart images')")
    page.wait_for_timeout(300)
    names = [d.suggested_filename for d in downloads]
    # Named after what it shows: the profile's and the overview's images do not overwrite each other (trial 12, low).
    assert len(set(names)) == 3 and all(n.startswith("police-public-health-overview-chart-") for n in names), names
    for saved in downloads:
        with open(saved.path(), "rb") as image:
            assert image.read(8) == b"\x89PNG\r\n\x1a\n", saved.suggested_filename
    assert len(plotly_requests) == 1 and "/vendor/plotly-basic." in plotly_requests[0]
    # Said beside the button, not only in its tooltip (trial 16, low).
    assert page.locator("#overview-saved").is_visible()
