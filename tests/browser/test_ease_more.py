"""What remained of issue 22, read in chromium as a user would (visible, in view, in words): the embedded
widget shows the figures it counts and names no control it lacks; every zero-result place offers a way out;
a force's profile points to the regional and national work that covers it; no chart where a sentence says it
better; the terms explained where they appear; and print."""

from __future__ import annotations

import pytest

from tests.browser.test_provenance import published_server  # noqa: F401 - a fixture: the register on, one record
from tests.conftest import OUTLINED_FORCE_JS, REPO, open_watched_page, ready, wait_for_map, wait_until
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
    # Trial 15 (low): framed with a theme in its link, the widget said "matching your filters" to a reader who set
    # none.
    ready(page, f"{live_server.base_url}?embed=1&themes=mental-health")
    wait_until(page, "document.querySelector('#force-map-title')?.textContent.includes('matching')", timeout=TIMEOUT)
    title = page.locator("#force-map-title").inner_text()
    assert title.endswith("matching the filters in this widget's link") and "your filters" not in title


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


def printed(page, path, scale: float = 1) -> list[str]:
    """Print the page on A4 as a reader's browser does, at the print dialog's scale, and read it back (Debian's
    pdftotext): each page's text."""
    import re
    import subprocess

    page.emulate_media(media="print")
    # As a reader's browser prints by default: "Background graphics" off (a trial's key printed as empty boxes).
    page.pdf(path=str(path), format="A4", print_background=False, scale=scale)
    count = len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for n in range(1, count + 1)
    ]


def words_with_boxes(path) -> list[tuple[str, float, float, float, float]]:
    """Page 1's words with their boxes in points (pdftotext -bbox): (word, x_min, y_min, x_max, y_max)."""
    import html as html_lib
    import re
    import subprocess

    out = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [
        (html_lib.unescape(w), float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, out)
    ]


def colour_at(path, points: list[tuple[float, float]], dpi: int = 144) -> list[tuple[int, int, int]]:
    """The colour page 1 prints at each point (x, y in points from the top left), read from Debian's pdftoppm."""
    import subprocess

    ppm = subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), str(path)], capture_output=True, check=True
    ).stdout
    # A binary PPM: "P6", width, height, maxval, each after whitespace, then width * height RGB triples.
    fields, at = [], 0
    while len(fields) < 4:
        while ppm[at : at + 1].isspace():
            at += 1
        start = at
        while not ppm[at : at + 1].isspace():
            at += 1
        fields.append(ppm[start:at])
    width, pixels = int(fields[1]), ppm[at + 1 :]
    scale = dpi / 72
    colours = []
    for x, y in points:
        offset = 3 * (round(y * scale) * width + round(x * scale))
        colours.append(tuple(pixels[offset : offset + 3]))
    return colours


def print_cases() -> tuple[str, list[tuple[str, str, tuple, tuple]]]:
    """What to print, from the data: every force the paper places an initiative in (id, name, its initiatives and
    their figures), one force it places none in, and England (no force); and the dataset's version."""
    from domain.aggregation import initiatives_in_view, outcomes_of
    from domain.joining import join_initiatives
    from domain.loading import load_dataset

    dataset = load_dataset(REPO / "data")
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    cases, empty = [], []
    for force in (f for f in dataset.forces if f.kind == "territorial"):
        in_view = initiatives_in_view(join, dataset.initiatives, force.id)
        (cases if in_view else empty).append((force.id, force.name, in_view, outcomes_of(dataset, in_view)))
    return dataset.version, [*cases, empty[0], ("", "England", (), ())]


def test_ease109_every_force_prints_on_one_a4_page_with_all_the_print_promises(watched, live_server, tmp_path):
    page = watched.page
    version, cases = print_cases()
    assert max(len(c[2]) for c in cases) >= 5 and max(len(c[3]) for c in cases) >= 6  # the biggest are among them
    problems = []
    for force, name, initiatives, figures in cases:
        ready(page, f"{live_server.base_url}?force={force}" if force else live_server.base_url)
        wait_until(
            page, "document.querySelector('#print-filters')?.textContent.startsWith('Filters:')", timeout=TIMEOUT
        )
        wait_until(page, "(n) => document.querySelector('#view-title')?.textContent === n", name, timeout=TIMEOUT)
        pages = printed(page, tmp_path / f"{force or 'england'}.pdf")
        # The map inset is on the paper, drawn, with the selected force outlined.
        inset = page.locator("#force-map svg").bounding_box()
        outlined = page.evaluate(OUTLINED_FORCE_JS) == (force or None)
        values = page.locator("#outcome-table td.num").all_inner_texts()
        filters = page.locator("#print-filters").inner_text()
        page.emulate_media(media="screen")
        # pdftotext joins a word broken at its hyphen at a line's end ("early-" "warning": "earlywarning").
        flat = " ".join(" ".join(pages).replace("-", "").split())
        promised = [
            name,
            "in the 2016 paper",  # the summary's counts
            "Initiatives the 2016 paper names in each force area",  # the map's title and key
            *(i.title for i in initiatives),
            *values,
            filters,
            "Public Health England (2016). Police and Public Health",  # the citation, naming the view
            f"?force={force}" if force else "View: http",
            f"({name}; " if force else "(accessed",  # the citation names the force, not only its code
            f"Dataset version {version}",
            "Printed on",
            "Page 1 of 1",  # the page's foot says how many pages the copy has
        ]
        # A table's cells come back from the PDF interleaved line by line: each figure's words, then, not its phrase.
        words = set(flat.split())
        missing = [p for p in promised if p.replace("-", "") not in flat] + [
            o.measure for o in figures if not set(o.measure.replace("-", "").split()) <= words
        ]
        record_sources = flat.count("Record source: PHE 2016 paper, section")
        if len(pages) != 1 or missing or record_sources != len(initiatives) or not inset or inset["height"] < 60:
            problems.append((force or "England", len(pages), missing, record_sources, inset))
        if not outlined:
            problems.append((force, "the map inset does not outline the force"))
    assert problems == [], problems
    # What the README says of it.
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "on one A4 page for every force and for England" in readme


def test_ease109_printed_larger_than_one_page_each_page_counts_the_pages_and_none_ends_on_a_heading(
    watched, live_server, tmp_path
):
    # The biggest force, from the data, printed at the print dialog's 180%: it cannot fit, so the copy must say so
    # on every page, and the break rules must keep each heading with what follows it.
    force, name, initiatives, _ = max(print_cases()[1], key=lambda c: (len(c[2]), len(c[3])))
    page = watched.page
    ready(page, f"{live_server.base_url}?force={force}")
    wait_until(page, "(n) => document.querySelector('#view-title')?.textContent === n", name, timeout=TIMEOUT)
    headings = page.locator(
        "details.initiative > summary, #results h2, #results h3, .map-title, .view-cite h2"
    ).all_inner_texts()
    pages = printed(page, tmp_path / "large.pdf", scale=1.8)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[-1] == f"Page {number} of {len(pages)}", lines[-1]
        last = lines[-2]
        assert not any(h.strip().startswith(last) for h in headings if h.strip()), f"page {number} ends on: {last}"
    flat = " ".join(" ".join(pages).split())
    assert all(i.title in flat for i in initiatives)


def test_ease109_with_the_register_on_a_printed_force_keeps_its_notes_and_sources_on_one_page(
    browser,
    published_server,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    # The register's fixture: an erratum on a Leicestershire figure, and a register initiative with a figure in Kent.
    origin = "/".join(published_server.base_url.split("/")[:3])
    biggest, name, _, _ = max(print_cases()[1], key=lambda c: (len(c[2]), len(c[3])))
    reader = open_watched_page(browser, origin)
    page = reader.page
    try:
        for force, expected in (
            # The flag beside the title, the note in the card, the note under the figure in the table.
            (
                LEICESTERSHIRE,
                ["triage car PHE 2016 paper Erratum", "Erratum added through the register, on the figure", "Erratum: "],
            ),
            (
                "E23000032",
                [
                    "Street triage in Ashford",
                    "Register",
                    "Record source: Register, reviewed 2026-11-27",
                    "With 1 initiative added through this dashboard's register",  # the citation, its one
                ],
            ),
            # The force the paper says most of, which holds no register record: its citation is the paper's alone
            # (the trial's Gloucestershire went onto a second page for a citation naming the register's records).
            (biggest, [name]),
        ):
            page.goto(f"{published_server.base_url}?force={force}")
            wait_for_map(page)
            wait_until(page, "document.querySelector('#print-filters')?.textContent.startsWith('Filters:')")
            pages = printed(page, tmp_path / f"{force}.pdf")
            flat = " ".join(" ".join(pages).split())
            assert len(pages) == 1 and "Page 1 of 1" in flat, (force, len(pages), pages[-1], pages[0][-1500:])
            assert [e for e in expected if e not in flat] == []
            assert ("added through this dashboard's register" in flat) == (force == "E23000032"), force
            # The key says where the counts come from, but sends nobody to filters paper does not have.
            assert "added through the register" in flat and "choose a source in the filters" not in flat
            page.emulate_media(media="screen")
        assert reader.console_errors == [] and reader.foreign_requests == []
    finally:
        page.context.close()


def test_ease109_a_force_with_more_initiatives_than_the_profile_lists_says_on_paper_how_many_are_not_printed(
    browser, tmp_path
):
    # A code-built data folder (tests/fixtures_data.py): the small fixture with PAGE + 2 more initiatives in one force,
    # so its profile lists PAGE of them behind "Show more", as no force of the real data needs yet.
    from components.profile import PAGE
    from domain.aggregation import initiatives_in_view
    from domain.joining import join_initiatives
    from domain.loading import load_dataset
    from domain.schema import InventoryEntry
    from tests.conftest import start_gunicorn, stop
    from tests.fixtures_data import CASE_STUDIES, METROPOLITAN, initiative, small_records, write_data_dir

    records = small_records()
    study = CASE_STUDIES[0]
    extra = tuple(
        initiative(
            f"many-{n:02d}", (METROPOLITAN,), title=f"Extra work number {n:02d}", case_study=study[0], section=study[3]
        )
        for n in range(PAGE + 2)
    )
    records["initiatives.csv"] += extra
    records["inventory.csv"] += tuple(
        InventoryEntry(
            name=i.title,
            kind="programme",
            case_study=i.case_study,
            paper_phrase=i.title.lower(),
            decision="own row",
            initiative_id=i.id,
            rule="piece of work",
        )
        for i in extra
    )
    folder = write_data_dir(tmp_path / "data", records)
    dataset = load_dataset(folder)
    join = join_initiatives(dataset.initiatives, dataset.forces_by_id, dataset.boundaries.force_ids)
    left = len(initiatives_in_view(join, dataset.initiatives, METROPOLITAN)) - PAGE
    app = start_gunicorn(workers=1, extra_env={"PPH_DATA_DIR": str(folder)})
    try:
        reader = open_watched_page(browser, "/".join(app.base_url.split("/")[:3]))
        page = reader.page
        page.goto(f"{app.base_url}?force={METROPOLITAN}")
        wait_for_map(page)
        more = page.locator("#profile-more")
        more.wait_for(state="visible", timeout=TIMEOUT * 1000)
        assert more.inner_text() == f"Show {min(PAGE, left)} more of the {left} not shown"
        assert page.locator("#case-studies details.initiative").count() == PAGE
        wait_until(page, "document.querySelector('#print-filters')?.textContent.startsWith('Filters:')")
        flat = " ".join(" ".join(printed(page, tmp_path / "many.pdf")).split())
        assert f"and {left} more initiatives not printed here: see the dashboard." in flat
        assert "Show" not in flat and "Colour by" not in flat
        page.emulate_media(media="screen")
        # Shown on screen, all of them print: no line about the rest.
        more.click()
        more.wait_for(state="hidden", timeout=TIMEOUT * 1000)
        flat = " ".join(" ".join(printed(page, tmp_path / "all.pdf")).split())
        assert "not printed here" not in flat and all(i.title in flat for i in extra)
        assert reader.console_errors == [] and reader.foreign_requests == []
        page.context.close()
    finally:
        stop(app)


def test_ease110_an_empty_profile_says_once_under_figures_that_there_are_none(watched, live_server):
    # A force the paper places no initiative in, from the data: under "Figures", one sentence, not two that overlap.
    empty = next(f for f in facts.english_force_ids() if f not in facts.counted_forces())
    page = watched.page
    ready(page, f"{live_server.base_url}?force={empty}")
    wait_until(page, "(n) => document.querySelector('#view-title')?.textContent === n", facts.force_name(empty))
    figures = page.locator("#profile-figures")
    assert figures.is_visible()
    sentences = [t for t in figures.locator("p").all_inner_texts() if t.strip()]
    assert sentences == ["No figure is given for the initiatives in this view."], sentences


@pytest.mark.parametrize("query", ["?force=E23000030", ""], ids=["hampshire-selected", "keyboard-start"])
def test_ease111_on_a_phone_the_keyboards_tooltip_leaves_the_focused_force_in_sight(watched, live_server, query):
    # Hampshire, low on the map at 375 px, where the trial saw the tooltip cover it; and the stated start.
    page = watched.page
    page.set_viewport_size({"width": 375, "height": 740})
    ready(page, f"{live_server.base_url}{query}")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.matches('#force-map path.force-area')"):
            break
    focused = page.evaluate("document.activeElement.dataset.force")
    assert focused == (query.split("=")[1] if query else facts.LEICESTERSHIRE)
    tip = page.locator("#force-map .map-tooltip")
    tip.wait_for(state="visible", timeout=TIMEOUT * 1000)
    assert tip.inner_text().startswith(facts.force_name(focused))
    force = page.evaluate(
        "(r => ({x: r.x, y: r.y, width: r.width, height: r.height}))(document.activeElement.getBoundingClientRect())"
    )
    box = tip.bounding_box()
    apart = (
        box["x"] >= force["x"] + force["width"]
        or box["x"] + box["width"] <= force["x"]
        or box["y"] >= force["y"] + force["height"]
        or box["y"] + box["height"] <= force["y"]
    )
    assert apart, (box, force)


def test_ease109_the_printed_key_has_its_colours_with_background_graphics_off(watched, live_server, tmp_path):
    # Before: the key's swatches are background colours, which a browser leaves out of print by default, so the
    # coloured inset map went on paper with a key of empty boxes.
    page = watched.page
    ready(page, f"{live_server.base_url}?force=E23000037")
    wait_until(page, "document.querySelector('#print-filters')?.textContent.startsWith('Filters:')", timeout=TIMEOUT)
    entries = page.evaluate("""[...document.querySelectorAll('#force-map-legend li')].map(li => ({
        words: li.innerText.trim(), colour: getComputedStyle(li.querySelector('.swatch')).backgroundColor}))""")
    assert len(entries) >= 3
    path = tmp_path / "key.pdf"
    pages = printed(page, path)
    assert len(pages) == 1
    words = words_with_boxes(path)
    points, expected = [], []
    for entry in entries:
        first = entry["words"].split()
        # The entry's first two words on one line of the PDF; its swatch is just left of the first.
        at = next(
            i
            for i in range(len(words) - 1)
            if words[i][0] == first[0] and words[i + 1][0] == first[1] and words[i][2] > 0
        )
        _, x_min, y_min, _, y_max = words[at]
        points.append((x_min - 7, (y_min + y_max) / 2))
        expected.append(tuple(int(v) for v in entry["colour"][entry["colour"].index("(") + 1 : -1].split(",")[:3]))
    printed_colours = colour_at(path, points)
    for entry, want, got in zip(entries, expected, printed_colours, strict=True):
        assert all(abs(w - g) <= 16 for w, g in zip(want, got, strict=True)), (entry["words"], want, got)


def test_ease109b_a_filtered_forces_print_has_no_control_words(watched, live_server, tmp_path):
    """Trial 10 (low): a filtered force printed "Clear all filters", a link that does nothing on paper. The print
    says which filters it holds instead (#print-filters)."""
    page = watched.page
    ready(page, f"{live_server.base_url}?force=E23000037&themes=mental-health")
    wait_until(
        page, "document.querySelector('#view-title')?.textContent.startsWith('Gloucestershire')", timeout=TIMEOUT
    )
    assert page.get_by_text("Clear all filters").first.is_visible()  # on screen it is there to use
    flat = " ".join(" ".join(printed(page, tmp_path / "filtered.pdf")).split())
    assert "Mental health" in page.locator("#print-filters").inner_text()
    assert page.locator("#print-filters").inner_text() in flat, flat
    assert "Clear all" not in flat and "Clear selection" not in flat


def test_ease111b_at_1280_by_720_the_keyboards_force_and_its_name_are_in_view_together(watched, live_server):
    """Trial 11 (low): arrowing south on the map at 1280 x 720, the focused force sat at the window's foot with its
    name below the fold, so only a dashed outline said where the keyboard was."""
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 720})
    ready(page, live_server.base_url)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.matches('#force-map path.force-area')"):
            break
    tip = page.locator("#force-map .map-tooltip")
    for _ in range(6):  # down to the south coast
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(150)
        focused = page.evaluate("document.activeElement.dataset.force")
        tip.wait_for(state="visible", timeout=TIMEOUT * 1000)
        assert tip.inner_text().startswith(facts.force_name(focused))
        shape = page.evaluate("(r => [r.top, r.bottom])(document.activeElement.getBoundingClientRect())")
        named = tip.bounding_box()
        assert shape[0] >= 0 and shape[1] <= 720 and named["y"] >= 0 and named["y"] + named["height"] <= 720, (
            focused,
            shape,
            named,
        )
