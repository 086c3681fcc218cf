"""Compare forces, the coverage matrix and "cite this view" in a real browser."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from tests import dataset_facts as facts
from tests.conftest import choose_option, dropdown_choice, ready, wait_until

pytestmark = pytest.mark.browser
TIMEOUT = 20


def comparison_headers(page) -> list[str]:
    return page.locator("#comparison thead th").all_inner_texts()[1:]


def test_cmpb001_compare_two_forces_via_the_url(watched, live_server):
    page = watched.page
    ready(page, f"{live_server.base_url}?compare=E23000021,E23000037&view=compare")
    wait_until(page, "document.querySelectorAll('#comparison thead th').length === 3", timeout=TIMEOUT)
    assert comparison_headers(page) == ["Leicestershire Police", "Gloucestershire Constabulary"]
    table = page.locator("#comparison").inner_text()
    assert "East Midlands" in table and "South West" in table and "1,093,200" in table
    assert "Leicestershire mental health triage car" in table and "Section 136 detentions: a fall of 81%" in table


# Each place where a line of the element's text breaks between two letters of one word (a word broken anywhere):
# a break at a space, or where the page allows one (<wbr>, between two text nodes), is not one.
MID_WORD_BREAKS = """(element) => {
  const found = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    let lastTop = null;
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      if (lastTop !== null && rect.top > lastTop + 2 && /\\w/.test(node.data[i - 1]) && /\\w/.test(node.data[i])) {
        found.push(node.data.slice(0, i) + '|' + node.data.slice(i));
      }
      lastTop = rect.top;
    }
  }
  return found;
}"""


def test_cmpb001b_on_a_phone_a_force_name_breaks_between_words_not_inside_one(watched, live_server):
    # Trial 20 (low): at 375 px the column's heading read "Gloucestershi / re Constabulary".
    page = watched.page
    page.set_viewport_size({"width": 375, "height": 740})
    ready(page, f"{live_server.base_url}?compare=E23000037,E23000021&view=compare")
    wait_until(page, "document.querySelectorAll('#comparison thead th').length === 3", timeout=TIMEOUT)
    assert comparison_headers(page) == ["Gloucestershire Constabulary", "Leicestershire Police"]  # whole when read
    heads = page.locator("#comparison thead th")
    for index in range(1, 3):
        assert heads.nth(index).evaluate(MID_WORD_BREAKS) == [], heads.nth(index).inner_text()


def test_cmpb002_compare_via_controls_and_similar_forces_link(watched, live_server):
    page = watched.page
    ready(page, f"{live_server.base_url}?force=E23000021&view=compare")
    page.locator("#add-to-compare").click()
    wait_until(page, "location.search.includes('compare=E23000021')", timeout=TIMEOUT)
    link = page.get_by_role("link", name="Compare with Derbyshire Constabulary")
    link.click()
    wait_until(page, "document.querySelectorAll('#comparison thead th').length === 3", timeout=TIMEOUT)
    assert comparison_headers(page) == ["Leicestershire Police", "Derbyshire Constabulary"]
    assert "compare=E23000021%2CE23000018" in page.url
    assert "no initiative in the 2016 paper" in page.locator("#comparison").inner_text()


def test_cmpb003_matrix_sorts_links_and_exports_what_is_shown(watched, live_server, tmp_path):
    page = watched.page
    ready(page, f"{live_server.base_url}?themes=mental-health&view=matrix")
    page.locator("#coverage-matrix-toggle").click()
    page.wait_for_selector(".matrix-table", timeout=TIMEOUT * 1000)
    first_rows = page.locator(".matrix-table tbody th").all_inner_texts()
    # A row for each English force area, and one for the work off the map.
    assert first_rows[0] == "Avon and Somerset Constabulary" and len(first_rows) == len(facts.english_force_ids()) + 1
    choose_option(page, "matrix-sort", "Mental", "Mental health (most first)")
    # 3.0.0: Gloucestershire's "first words" training is a possibility, so Leicestershire and Norfolk have 1 each.
    wait_until(
        page,
        "document.querySelector('.matrix-table tbody th')?.textContent === 'Leicestershire Police'",
        timeout=TIMEOUT,
    )
    shown = page.locator(".matrix-table tbody th").all_inner_texts()
    with page.expect_download() as info:
        page.locator("#matrix-export").click()
    with zipfile.ZipFile(info.value.path()) as archive:
        archive.extractall(tmp_path)
    table = pd.read_csv(tmp_path / "coverage-matrix.csv")
    assert list(table["force"]) == [*shown, "All rows (each initiative once)"]  # the totals row last
    assert str(table["Mental health"].dtype) == "int64" and table["Mental health"].iloc[0] == 1
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8-sig")
    assert "Public Health England (2016)" in readme and "themes=mental-health" in readme
    # a count links to that force and theme
    page.locator(".matrix-table tbody tr").first.get_by_role("link").first.click()
    wait_until(page, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'", timeout=TIMEOUT)


def test_cmpb004_copy_citation(browser, live_server):
    from tests.conftest import open_watched_page

    origin = "/".join(live_server.base_url.split("/")[:3])
    watched = open_watched_page(browser, origin)
    page = watched.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    ready(page, f"{live_server.base_url}?force=E23000021&view=cite")
    wait_until(
        page, "document.querySelector('#citation-text')?.textContent.includes('force=E23000021')", timeout=TIMEOUT
    )
    # A real button, reached and pressed with the keyboard.
    page.locator("#citation-copy").focus()
    page.keyboard.press("Enter")
    wait_until(
        page, "document.querySelector('#citation-copy-status')?.textContent.startsWith('Copied')", timeout=TIMEOUT
    )
    copied = wait_until(page, "navigator.clipboard.readText()", timeout=TIMEOUT)
    assert "Public Health England (2016)" in copied and "force=E23000021" in copied
    assert "Office for National Statistics" in copied and "accessed 20" in copied
    assert watched.foreign_requests == [] and watched.console_errors == []
    page.context.close()


def test_cmpb005_a_fifth_force_chosen_is_said_beside_the_picker(watched, live_server):
    """Trial 12 (medium): with four forces compared, choosing a fifth in the picker did nothing, and said nothing."""
    page = watched.page
    four = "E23000037,E23000023,E23000001,E23000021"
    ready(page, f"{live_server.base_url}?compare={four}&view=compare")
    wait_until(page, "document.querySelectorAll('#comparison thead th').length === 5", timeout=TIMEOUT)
    # Chosen as a reader does (choose_option expects the choice to be kept; this one is let go).
    page.locator("#compare-select").click()
    page.keyboard.type("Wiltshire")
    dropdown_choice(page, "Wiltshire Police").click()
    page.keyboard.press("Escape")
    status = page.locator("#add-to-compare-status")
    wait_until(
        page,
        "document.querySelector('#add-to-compare-status')?.textContent.startsWith('At most 4 forces can be compared')",
        timeout=TIMEOUT,
    )
    page.wait_for_timeout(1000)  # the state keeps the first four; the message stays
    assert status.inner_text().startswith("At most 4 forces can be compared") and status.is_visible()
    assert "Wiltshire Police" not in comparison_headers(page) and len(comparison_headers(page)) == 4


def test_cmpb006_download_on_the_compare_tab_holds_the_compared_forces(watched, live_server, tmp_path):
    # Trial 16 (medium): "Download this view" on the Compare tab gave the selected force's initiatives alone.
    page = watched.page
    forces = [facts.LEICESTERSHIRE, facts.GLOUCESTERSHIRE]
    ready(page, f"{live_server.base_url}?force={forces[0]}&compare={','.join(forces)}&view=compare")
    wait_until(page, "document.querySelectorAll('#comparison thead th').length === 3", timeout=TIMEOUT)
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    assert info.value.suggested_filename == (
        "police-public-health-compared-leicestershire-police-gloucestershire-constabulary.zip"
    )
    with zipfile.ZipFile(info.value.path()) as archive:
        archive.extractall(tmp_path)
    initiatives = pd.read_csv(tmp_path / "initiatives.csv")
    assert len(initiatives) == sum(facts.in_force(f) for f in forces)
    for force in forces:
        assert initiatives["force_ids"].str.contains(force).sum() == facts.in_force(force)
    assert "view=compare" in (tmp_path / "README.txt").read_text(encoding="utf-8-sig")
