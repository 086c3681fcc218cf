"""What remained of issue 22, read in chromium as a user would (visible, in view, in words): the embedded
widget shows the figures it counts and names no control it lacks; every zero-result place offers a way out;
a force's profile points to the regional and national work that covers it; no chart where a sentence says it
better; the terms explained where they appear; and print."""

from __future__ import annotations

import pytest

from tests.browser.test_provenance import published_server  # noqa: F401 - a fixture: the register on, one record
from tests.conftest import REPO, open_watched_page, ready, wait_for_map, wait_until
from tests import dataset_facts as facts

pytestmark = pytest.mark.browser
TIMEOUT = 20
LEICESTERSHIRE = "E23000021"


def visible_text(page, selector: str) -> str:
    """What a reader sees of `selector`: its rendered text (nothing hidden by the stylesheet)."""
    return page.locator(selector).inner_text()


@pytest.mark.parametrize("width", [375, 600])
def test_ease101_the_embed_shows_each_figure_it_counts_and_how_each_result_was_obtained(watched, live_server, width):
    page = watched.page
    page.set_viewport_size({"width": width, "height": 600})
    ready(page, f"{live_server.base_url}?embed=1&force={LEICESTERSHIRE}")
    wait_until(
        page,
        f"document.querySelector('#profile-counts')?.textContent.includes('{facts.figures_line(LEICESTERSHIRE)}')",
        timeout=TIMEOUT,
    )
    figures = page.locator(".embed-figures")
    assert figures.is_visible()
    results = figures.get_by_role("heading", name="Results", exact=True).locator("xpath=following-sibling::ul[1]/li")
    others = figures.locator("h3", has_text="Other figures").locator("xpath=following-sibling::ul[1]/li")
    # The results, each with its value and how it was obtained; the other figures, each with its value.
    shown = facts.figures(LEICESTERSHIRE)
    results_shown = sum(1 for o in shown if o.is_result)
    assert results.count() == results_shown and others.count() == len(shown) - results_shown
    lines = results.all_inner_texts()
    assert any("Section 136 detentions: a fall of 81%. How obtained:" in line for line in lines), lines
    assert all("How obtained:" in line for line in lines), lines
    assert any(line.startswith("Length of the first pilot: 3 months") for line in others.all_inner_texts())
    # The widget has no charts or table of its own (the full dashboard, one link away, has both).
    assert not page.locator("#outcome-charts").is_visible() and not page.locator(".outcome-table").is_visible()


def test_ease102_the_embed_names_no_control_it_does_not_have(watched, live_server):
    page = watched.page
    page.set_viewport_size({"width": 600, "height": 600})
    ready(page, f"{live_server.base_url}?embed=1")
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'England'", timeout=TIMEOUT)
    words = page.locator("body").inner_text()
    for control in ("force list", "See national and regional work", "filters"):
        assert control not in words, control


def test_ease103_the_embed_in_register_mode_does_not_send_the_reader_to_filters(browser, published_server):  # noqa: F811 - the fixture imported above
    origin = "/".join(published_server.base_url.split("/")[:3])
    reader = open_watched_page(browser, origin, viewport={"width": 600, "height": 600})
    page = reader.page
    try:
        page.goto(f"{published_server.base_url}?embed=1")
        wait_for_map(page)
        assert "added through the register" in page.locator(".legend-source").inner_text()
        assert "filters" not in page.locator("body").inner_text()
        # The full page keeps the pointer: it has the Source filter.
        page.goto(published_server.base_url)
        wait_for_map(page)
        assert "choose a source in the filters" in page.locator(".legend-source").inner_text()
        assert reader.console_errors == []
    finally:
        page.context.close()


def test_ease104_the_embed_below_420_px_leaves_no_empty_box_under_the_profile(watched, live_server):
    page = watched.page
    page.set_viewport_size({"width": 375, "height": 600})
    ready(page, f"{live_server.base_url}?embed=1&force={LEICESTERSHIRE}")
    wait_until(page, "document.querySelector('#profile-counts')?.textContent.includes('6 figures')", timeout=TIMEOUT)
    empty = page.evaluate("""(() => { const p = document.getElementById('results');
        const last = Array.from(p.children).filter(c => c.offsetParent !== null).pop();
        return p.getBoundingClientRect().bottom - last.getBoundingClientRect().bottom; })()""")
    assert empty < 40, f"{empty:.0f} px of empty box under the profile's last line"
    # Nothing inside it scrolls on its own: the frame's one scroll reaches all of it.
    assert page.evaluate("(p => p.scrollHeight <= p.clientHeight + 1)(document.getElementById('results'))")


@pytest.mark.parametrize(
    "place,query,selector",
    [
        ("map key", "?q=zzzz", "#force-map-legend"),
        ("national list", "?q=zzzz&view=national", "#view-national"),
        ("comparison", "?q=zzzz&view=compare&compare=E23000021,E23000037", "#comparison"),
        ("matrix", "?q=zzzz&view=matrix", "#view-matrix"),
    ],
    ids=["map-key", "national", "compare", "matrix"],
)
def test_ease105_every_zero_result_place_offers_clear_all_filters(watched, live_server, place, query, selector):
    page = watched.page
    ready(page, f"{live_server.base_url}{query}")
    if place == "matrix":
        page.locator("#coverage-matrix-toggle").click()
    way_out = page.locator(selector).get_by_role("link", name="Clear all filters")
    way_out.wait_for(state="visible", timeout=TIMEOUT * 1000)
    way_out.scroll_into_view_if_needed()
    assert way_out.is_visible()
    way_out.click()
    wait_until(
        page,
        "!location.search.includes('q=') && " + facts.results_count_is(),
        timeout=TIMEOUT,
    )
    # The view the reader was on stays: only the filters are gone.
    if place != "map key":
        assert f"view={query.split('view=')[1].split('&')[0]}" in page.url
    page.locator(selector).get_by_role("link", name="Clear all filters").wait_for(
        state="hidden", timeout=TIMEOUT * 1000
    )


def test_ease106_one_initiative_gets_a_sentence_not_a_chart_and_the_source_is_said_once(watched, live_server):
    page = watched.page
    ready(page, f"{live_server.base_url}?force={LEICESTERSHIRE}")
    wait_until(page, facts.profile_counts_is(LEICESTERSHIRE), timeout=TIMEOUT)
    themes = page.locator("#theme-chart")
    assert themes.locator("figure").count() == 0
    sentence = themes.inner_text()
    assert sentence.startswith("Its one initiative covers") and "Mental health" in sentence, sentence
    # A force with several initiatives and results charts: the chart source is one note for the profile.
    ready(page, f"{live_server.base_url}?force=E23000037")
    wait_until(page, facts.profile_counts_is(facts.GLOUCESTERSHIRE), timeout=TIMEOUT)
    assert page.locator("#theme-chart figure.lollipop").is_visible()  # several initiatives: the chart stays
    assert page.locator("#results").inner_text().count("Source: PHE (2016) Police and Public Health") == 1


def test_ease107_a_force_profile_points_to_the_regional_work_covering_it_and_opens_the_national_tab_at_it(
    watched, live_server
):
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 800})
    ready(page, f"{live_server.base_url}?force=E23000008")  # Durham Constabulary, in the North East
    section = page.locator("#profile-covering")
    section.get_by_role("heading", name="Regional and national work that covers this area").wait_for(
        state="visible", timeout=TIMEOUT * 1000
    )
    assert "across the North East region" in section.inner_text()
    links = section.get_by_role("link")
    titles = links.all_inner_texts()
    assert len(titles) >= 3, titles  # the North East's three regional pieces, and the national work
    first = links.first
    first.scroll_into_view_if_needed()
    first.click()
    wait_until(
        page,
        "location.search.includes('view=national') && location.hash === '#work-north-east-have-a-word'",
        timeout=TIMEOUT,
    )
    item = page.locator("#work-north-east-have-a-word")
    wait_until(page, "document.activeElement?.id === 'work-north-east-have-a-word'", timeout=TIMEOUT)
    assert item.is_visible() and titles[0] in item.inner_text()
    box = item.bounding_box()
    assert 0 <= box["y"] < 800, box  # brought into view, not left below the fold
    # The force stays selected: back on its profile, nothing was lost.
    assert "force=E23000008" in page.url


def test_ease108_terms_are_explained_where_they_appear_and_reach_the_glossary_by_keyboard(watched, live_server):
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 800})
    ready(page, f"{live_server.base_url}?force={LEICESTERSHIRE}")
    wait_until(page, "document.querySelector('#outcome-table')?.textContent.includes('a fall of 81%')", timeout=TIMEOUT)
    # The figures table's Kind column: each kind a term with its meaning.
    kind = page.locator("#outcome-table a.term", has_text="activity or parameter").first
    assert kind.is_visible() and "not a result" in kind.get_attribute("title")
    result = page.locator("#outcome-table a.term", has_text="result").first
    assert "how it was obtained" in result.get_attribute("title")
    # "no reference mark" in a figure's source.
    mark = page.locator("#outcome-table a.term", has_text="no reference mark").first
    assert mark.is_visible() and "numbered references" in mark.get_attribute("title")
    # The evaluation badge on a card.
    page.locator("details.initiative > summary").first.click()
    evaluation = page.locator("details.initiative .badge-evaluation a.term")
    assert evaluation.is_visible() and evaluation.get_attribute("title")
    # From the keyboard: Enter on a term opens "How to read this" at its line, in view and focused.
    result.focus()
    page.keyboard.press("Enter")
    wait_until(
        page, "document.getElementById('how-to-read').open && document.activeElement.tagName === 'DT'", timeout=TIMEOUT
    )
    assert page.evaluate("document.activeElement.textContent") == "Result"
    box = page.evaluate("(r => [r.top, r.bottom])(document.activeElement.getBoundingClientRect())")
    assert 0 <= box[0] and box[1] <= 800, box
    assert "measures what an initiative achieved" in page.locator("#how-to-read").inner_text()


@pytest.mark.parametrize(
    "force,pages",
    [("E23000021", 1), ("E23000008", 1), ("E23000032", 1), ("E23000037", 2)],
    ids=["leicestershire", "durham", "kent", "gloucestershire"],
)
def test_ease109_a_force_prints_on_the_pages_the_readme_says_with_no_title_orphaned(
    watched, live_server, tmp_path, force, pages
):
    import re
    import subprocess

    page = watched.page
    ready(page, f"{live_server.base_url}?force={force}")
    wait_until(
        page, "document.querySelector('#print-filters')?.textContent.startsWith('Filters: none')", timeout=TIMEOUT
    )
    page.emulate_media(media="print")
    pdf = tmp_path / f"{force}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())) == pages
    # No initiative's title is the last line of a page: each page's text ends with the card it began, or the
    # figures, the citation or the print line.
    titles = page.locator("details.initiative > summary").all_inner_texts()
    for number in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        last = [line.strip() for line in text.splitlines() if line.strip()][-1]
        assert not any(last and t.startswith(last) for t in titles), f"page {number} ends on a title: {last}"
    # What the README says of it.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "one A4 page for most forces; a force with many initiatives" in " ".join(readme.split())
