"""Accessibility (axe-core, keyboard only), responsive widths and print, in a real browser."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest

from tests import dataset_facts as facts
from tests.conftest import REPO, choose_option, click_force, ready, wait_for_outline, wait_until

pytestmark = pytest.mark.browser
TIMEOUT = 20
AXE = REPO / "vendor" / "axe-core" / "axe.min.js"


WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, best_practice: bool = False) -> list[dict]:
    """axe-core's violations of WCAG 2.2 AA on the page; with `best_practice`, of axe's best-practice rules too
    (empty table headers, landmarks with the same name), as issue 22 asks of every view."""
    # Evaluated through the DevTools protocol, so the page's CSP (rightly) does not block it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    tags = WCAG + (["best-practice"] if best_practice else [])
    result = page.evaluate(
        """async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""",
        tags,
    )
    # Every impact counts, minor and moderate too: the README claims WCAG 2.2 AA, not "nothing serious".
    return result


@pytest.mark.parametrize("width", [375, 768, 1280])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?force=E23000021",
        "?themes=mental-health,dementia&evaluation=none%20reported",
        "?embed=1&force=E23000037",
        "?embed=1",
        "?q=zzzz",
        "?view=compare&compare=E23000021,E23000037",
        "?force=E23000037&view=background",
    ],
    ids=["default", "selected-force", "filtered", "embed", "embed-england", "no-result", "compare", "background"],
)
def test_a11y001_no_axe_violation_of_any_impact(watched, live_server, query, width):
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    ready(page, f"{live_server.base_url}{query}")
    if "view=compare" in query:
        wait_until(page, "document.querySelectorAll('#comparison thead th').length === 3", timeout=TIMEOUT)
    if "view=background" in query:
        wait_until(page, "!!document.querySelector('#background-figures .outcome-table')", timeout=TIMEOUT)
    page.wait_for_timeout(500)  # let the charts finish drawing
    # Best practice too: every impact and every rule the trial of issue 22 ran.
    assert axe_violations(page, best_practice=True) == []


def tab_to(page, element_id: str, limit: int = 15) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; return e ? `${e.tagName}#${e.id}.${e.className}` : 'none'; })()"
        )
        visited.append(focused)
        if page.evaluate("document.activeElement?.id") == element_id:
            return
    raise AssertionError(f"#{element_id} not reached with {limit} presses of Tab; focus went to {visited}")


def choose_with_keyboard(page, typed: str, option_starts_with: str) -> None:
    """Open the focused dropdown with Enter, search, and pick the first match with the arrows."""
    page.keyboard.press("Enter")
    # Type only once the dropdown's search box has the focus.
    wait_until(
        page,
        "document.activeElement?.tagName === 'INPUT' && document.activeElement.id !== 'search-text'",
        timeout=TIMEOUT,
    )
    page.keyboard.type(typed)
    # Wait until the list is filtered to the search, not merely until the option exists: it is in
    # the unfiltered list too, and an arrow key pressed before filtering picks another option.
    wait_until(
        page,
        """([typed, wanted]) => {
        const options = Array.from(document.querySelectorAll('.dash-options-list-option'));
        return options.length > 0 && options[0].textContent.startsWith(wanted)
            && options.every(o => o.textContent.toLowerCase().includes(typed.toLowerCase()));
    }""",
        arg=[typed, option_starts_with],
        timeout=TIMEOUT,
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def test_a11y002_keyboard_only_journey(watched, live_server):
    page = watched.page
    ready(page, live_server.base_url)
    tab_to(page, "force-select")
    choose_with_keyboard(page, "Leicester", "Leicestershire Police")
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'", timeout=TIMEOUT)
    tab_to(page, "theme-filter")
    choose_with_keyboard(page, "Mental health", "Mental health")
    wait_until(page, "location.search.includes('themes=mental-health')", timeout=TIMEOUT)
    # The case studies and figures are there to be read.
    assert "Leicestershire mental health triage car" in page.locator("#case-studies").inner_text()
    assert "81%" in page.locator("#outcome-table").inner_text()
    # Export with the keyboard.
    page.locator("#export-csv").focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    with zipfile.ZipFile(info.value.path()) as archive:
        assert b"leicestershire-triage-car" in archive.read("initiatives.csv")


def test_a11y003_table_alternative_in_sync_with_filters(watched, live_server):
    page = watched.page
    ready(page, f"{live_server.base_url}?themes=dementia")
    page.locator("#force-table-toggle").click()
    wait_until(
        page,
        """Array.from(document.querySelectorAll('#force-table tbody tr'))
                       .some(r => r.textContent.startsWith('Thames Valley Police') && r.textContent.includes('2'))""",
        timeout=TIMEOUT,
    )
    choose_option(page, "force-table-sort", "most", "Initiatives (most first)")
    wait_until(
        page, "document.querySelector('#force-table tbody th')?.textContent === 'Thames Valley Police'", timeout=TIMEOUT
    )
    assert page.locator("#force-table-toggle").get_attribute("aria-expanded") == "true"
    assert axe_violations(page) == []
    page.locator("#force-table").get_by_role("link", name="Thames Valley Police").click()
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Thames Valley Police'", timeout=TIMEOUT)
    assert "themes=dementia" in page.url


def test_a11y003b_the_table_follows_the_maps_colouring_by_results(watched, live_server):
    # Trial 14 (medium): coloured by "Results reported", the map's key named results, but its table had no results
    # column and could not be sorted by them, so a screen-reader user could not find the forces the colour picks out.
    page = watched.page
    ready(page, f"{live_server.base_url}?colour=results")
    page.locator("#force-table-toggle").click()
    page.wait_for_selector("#force-table thead th")
    headers = page.locator("#force-table thead th").all_inner_texts()
    assert headers == ["Force", "Region", "Matching initiatives", "Results reported", "Themes"]
    assert "results reported the map is coloured by" in page.locator("#force-table caption").inner_text()
    choose_option(page, "force-table-sort", "Results", "Results reported (most first)")
    expected = sorted(facts.results_by_force().items(), key=lambda kv: (-kv[1], kv[0]))
    wait_until(page, "(n) => document.querySelector('#force-table tbody th')?.textContent === n", expected[0][0])
    shown = page.evaluate(
        "[...document.querySelectorAll('#force-table tbody tr')].map(r => [r.children[0].textContent,"
        " r.children[3].textContent])"
    )
    assert shown == [[name, str(n) if n else "none"] for name, n in expected]
    # Back to the initiatives, the column goes; the sort chosen stays offered, never an empty choice.
    page.get_by_role("button", name="Initiatives", exact=True).click()
    wait_until(page, "document.querySelectorAll('#force-table thead th').length === 4")
    assert page.locator("#force-table-sort").inner_text().startswith("Results reported (most first)")
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [375, 768, 1280])
def test_a11y004_nothing_overflows_horizontally(watched, live_server, width, tmp_path):
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    ready(page, f"{live_server.base_url}?force=E23000037")
    page.wait_for_timeout(500)
    page.screenshot(path=str(tmp_path / f"width-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_a11y005_print_a_force_as_one_page(watched, live_server, tmp_path):
    page = watched.page
    ready(page, f"{live_server.base_url}?force=E23000021&themes=mental-health")
    wait_until(
        page, "document.querySelector('#print-filters')?.textContent.startsWith('Filters: themes')", timeout=TIMEOUT
    )
    wait_until(page, "document.querySelector('#outcome-table')?.textContent.includes('a fall of 81%')", timeout=TIMEOUT)
    pdf = tmp_path / "leicestershire.pdf"
    page.emulate_media(media="print")
    assert not page.locator("#theme-filter").is_visible()  # controls are not printed
    # A term's dotted underline (explained on hover) is not printed (trial 16, low).
    underlined = page.evaluate(
        "[...document.querySelectorAll('#results a.term')].filter(a => getComputedStyle(a).textDecorationLine !== 'none').length"
    )
    assert page.locator("#results a.term").count() and underlined == 0
    page.pdf(path=str(pdf), format="A4", print_background=False)  # a browser's default: no background graphics
    data = pdf.read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) == 1
    # pdftotext is Debian's poppler-utils, installed by scripts/setup.sh --dev.
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for expected in (
        "Leicestershire mental health triage car",
        "Section 136 detentions",
        f"Dataset version {facts.served().version}",
        "Printed on",
        "Office for National Statistics",
        "Filters: themes Mental health.",
    ):
        assert expected in flat, expected
    # Every figure of the force is on the page, whole: the table stands in for the charts on paper.
    for value in ("a fall of 33%", "a fall of 81%", "3 months", "8 hours", "16 hours", "4"):
        assert value in flat, value


def test_a11y005b_a_force_printed_from_another_tab_cites_what_is_on_paper(watched, live_server, tmp_path):
    # Trial 14 and 15 (medium): printed from the Compare tab, the page held the Met's profile, but its citation
    # named the comparison ("…&compare=…&view=compare"), a view the paper did not show.
    page = watched.page
    ready(page, f"{live_server.base_url}?force=E23000001&view=compare&compare=E23000001,E23000037")
    wait_until(page, "document.querySelector('#print-citation')?.textContent.includes('force=E23000001')")
    assert "view=compare" in page.locator("#citation-text").text_content()  # on screen, the view on screen
    pdf = tmp_path / "met.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())) == 1
    flat = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "Metropolitan Police Service" in flat and "force=E23000001" in flat
    assert "compare=" not in flat and "view=compare" not in flat


def focused(page) -> dict:
    """The focused element and its focus ring: its outline, or for a force on the map the dashed shape
    drawn over it (its width on the screen)."""
    return page.evaluate("""(() => { const e = document.activeElement; const s = getComputedStyle(e);
        const ring = e.classList?.contains('force-area') && document.querySelector('#force-map .map-focus');
        const onForce = ring && ring.getAttribute('d') === e.getAttribute('d');
        const r = onForce && getComputedStyle(ring);
        return {id: e.id, force: e.dataset?.force, text: (e.textContent || '').trim(),
                outline: onForce ? parseFloat(r.strokeWidth) * (r.vectorEffect === 'non-scaling-stroke'
                                                                 ? 1 : ring.getScreenCTM().a)
                                 : parseFloat(s.outlineWidth) || 0,
                style: onForce ? 'dashed' : s.outlineStyle}; })()""")


def test_a11y006_tab_order_focus_rings_skip_link_and_no_toolbar_stops(watched, live_server):
    page = watched.page
    ready(page, f"{live_server.base_url}?force=E23000021")
    wait_until(page, "document.querySelectorAll('#outcome-charts .lollipop').length > 0", timeout=TIMEOUT)
    stops = []
    for _ in range(26):  # the whole page: the header's links, filters, the map's colouring, map, profile, the tabs
        page.keyboard.press("Tab")
        stops.append(focused(page))
    assert [s["id"] or (s["force"] and f"map: {s['force']}") or s["text"][:40] for s in stops] == [
        "Skip to the results",
        "The source paper: Police and Public Heal",
        "How to read this",
        "Recently added or corrected",
        "force-select",
        "clear-force",
        "What these mean (themes)",
        "theme-filter",
        "What these mean (evaluation)",
        "evaluation-filter",
        "search-text",
        "show-wales",  # no "Clear all filters": a chosen force is not a filter, and none is set
        "export-csv",
        "force-map-colour-initiatives",
        "force-map-colour-themes",
        "force-map-colour-results",
        "map: E23000021",
        "force-table-toggle",
        "Leicestershire mental health triage car",
        "see national and regional work",  # the national work that covers the area
        "save-charts",  # a force with one initiative: its themes are a sentence, with no chart to open
        "FigureKindInitiative or case studyValueP",
        # Each term of the figures table links to the glossary once: later rows give it as a title only.
        "result",
        "no reference mark",
        "activity or parameter",
        "view-tab-overview",  # the tabs are one stop, the open tab's; the arrow keys move between them
    ]
    # Every stop shows a focus ring at least 2 px wide.
    assert all(s["outline"] >= 2 and s["style"] != "none" for s in stops), stops
    # The overview's charts, drawn once scrolled to, are HTML lists: no plotly toolbar adds tab stops.
    page.locator("#outcomes-overview").scroll_into_view_if_needed()
    wait_until(page, "document.querySelectorAll('#outcomes-overview figure.lollipop').length > 0", timeout=TIMEOUT)
    assert page.evaluate("document.querySelectorAll('.modebar-btn').length") == 0
    # Every <a> is a link a crawler can follow, or says it is a button (the dropdown's clear control).
    assert (
        page.evaluate(
            "Array.from(document.querySelectorAll('a'))"
            ".filter(a => !a.getAttribute('href') && a.getAttribute('role') !== 'button')"
            ".map(a => a.outerHTML.slice(0, 80))"
        )
        == []
    )
    # The skip link, first, takes the keyboard straight to the results.
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement?.id === 'results'", timeout=TIMEOUT)


MAP_FOCUS_JS = """(() => { const e = document.activeElement;
    return e?.classList?.contains('force-area') ? {force: e.dataset.force, label: e.getAttribute('aria-label'),
        centre: (b => [b.x + b.width / 2, b.y + b.height / 2])(e.getBBox()),
        ring: document.querySelector('#force-map .map-focus').getAttribute('d') === e.getAttribute('d'),
        pressed: e.getAttribute('aria-pressed'),
        tip: document.querySelector('#force-map .map-tooltip:not([hidden])')?.textContent || ''} : null; })()"""


def test_a11y007_the_map_is_one_tab_stop_its_arrows_move_between_forces_and_enter_selects(watched, live_server):
    page = watched.page
    ready(page, f"{live_server.base_url}?force=E23000032")
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Kent Police'", timeout=TIMEOUT)
    tab_to(page, "force-map-colour-results", limit=20)  # the buttons that choose what the map is coloured by come first
    page.keyboard.press("Tab")
    # The map's one stop is the selected force, named with its count as the tooltip shows it.
    kent = page.evaluate(MAP_FOCUS_JS)
    assert kent["force"] == "E23000032" and kent["label"].startswith("Kent Police. ") and kent["ring"]
    assert kent["tip"].startswith("Kent Police") and kent["pressed"] == "true"  # the selected one
    assert page.evaluate("document.querySelectorAll('#force-map [tabindex=\"0\"]').length") == 1
    # An arrow goes to a neighbour on that side; the stop goes with it.
    page.keyboard.press("ArrowLeft")
    west = page.evaluate(MAP_FOCUS_JS)
    assert west["force"] != kent["force"] and west["centre"][0] < kent["centre"][0] and west["ring"]
    assert west["pressed"] == "false"
    page.keyboard.press("ArrowUp")
    north = page.evaluate(MAP_FOCUS_JS)
    assert north["centre"][1] < west["centre"][1]
    assert page.evaluate(
        "Array.from(document.querySelectorAll('#force-map [tabindex=\"0\"]'), e => e.dataset.force)"
    ) == [north["force"]]
    # Tooltip and ring follow the focus.
    assert north["ring"] and north["tip"].startswith(north["label"].split(". ")[0])
    # Escape hides the tooltip, which covers neighbouring forces (trial 15, medium; WCAG 1.4.13); the focus stays.
    page.keyboard.press("Escape")
    hidden = page.evaluate(MAP_FOCUS_JS)
    assert hidden["force"] == north["force"] and hidden["tip"] == "" and hidden["ring"]
    # The arrows move on the map, not the page: a press down from the top would scroll it.
    assert page.evaluate("document.documentElement.scrollHeight > innerHeight + 100 && scrollY === 0")
    page.keyboard.press("ArrowDown")
    south = page.evaluate(MAP_FOCUS_JS)
    assert page.evaluate("scrollY") == 0 and south["centre"][1] > north["centre"][1]
    # Alt+Left is the browser's (Back), not the map's.
    page.keyboard.press("Alt+ArrowLeft")
    assert page.evaluate(MAP_FOCUS_JS)["force"] == south["force"]
    # Enter selects it as a click does, and the focus stays on the map, on the force now pressed.
    page.keyboard.press("Enter")
    name = south["label"].split(". ")[0]
    wait_until(page, "(name) => document.querySelector('#view-title')?.textContent === name", arg=name, timeout=TIMEOUT)
    wait_for_outline(page, south["force"], timeout=TIMEOUT)  # drawn from the view state the server answered
    chosen = page.evaluate(MAP_FOCUS_JS)
    assert chosen["force"] == south["force"] and chosen["pressed"] == "true"
    # One stop: Tab leaves the map for what follows it.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "force-table-toggle"
    assert page.evaluate("document.querySelector('#force-map .map-focus').getAttribute('d')") == ""
    assert axe_violations(page) == []
    # A click focuses a force too, but the dashed ring is the keyboard's: a click shows the selection alone.
    click_force(page, "E23000032")
    wait_for_outline(page, "E23000032", timeout=TIMEOUT)
    assert page.evaluate("document.activeElement.dataset.force") == "E23000032"
    assert page.evaluate("document.querySelector('#force-map .map-focus').getAttribute('d')") == ""


def test_a11y008_a_click_announces_the_forces_name_and_counts_not_its_whole_profile(watched, live_server):
    # Trial 13 (low): the whole profile was one polite live region, so a screen reader read every initiative and
    # figure after each click, and England's long profile after Clear selection.
    page = watched.page
    ready(page, live_server.base_url)
    click_force(page, "E23000021")
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'")
    live = page.evaluate(
        "Array.from(document.querySelectorAll('[aria-live]')).filter(e => e.closest('#results'))"
        ".map(e => [e.id, e.textContent.length])"
    )
    assert [name for name, _ in live] == ["view-title", "profile-counts"]
    assert all(length < 200 for _, length in live), live  # a sentence or two, not the profile
    assert page.locator("#results").get_attribute("aria-live") is None
