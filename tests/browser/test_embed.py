"""The embedded widget (?embed=1) as the intranet example frames it (deploy/example-intranet.html: 600 x 600, from
another origin), read as a user would: one scroll at most, its source line and "Open the full dashboard" in view for
any force, and no link in it that leads to something it hides."""

from __future__ import annotations

import pytest

from domain.aggregation import initiatives_in_view
from tests import dataset_facts as facts
from tests.conftest import click_force, ready, wait_until

pytestmark = pytest.mark.browser
TIMEOUT = 20


def most_to_show() -> str:
    """The force with the most for the widget to show with every initiative opened: the most initiatives and figures
    together, then the most initiatives (each opens into a card), from the data served."""
    join = facts.snapshot().join

    def size(force_id: str) -> tuple[int, int]:
        initiatives = len(initiatives_in_view(join, facts.served().initiatives, force_id))
        return initiatives + len(facts.figures(force_id)), initiatives

    return max(facts.english_force_ids(), key=size)


# What the reader of the frame can see and scroll: whether the page itself scrolls, the boxes that scroll inside it,
# and, for each selector, whether it is wholly inside the frame's window and on top where it is (not covered).
LAYOUT_JS = """(selectors) => {
  const page = document.scrollingElement;
  const scrolling = Array.from(document.querySelectorAll('body *')).filter(e => {
    const style = getComputedStyle(e);
    return /(auto|scroll)/.test(style.overflowY) && e.scrollHeight > e.clientHeight + 1 && e.offsetParent !== null;
  }).map(e => e.id || e.className);
  const seen = {};
  for (const s of selectors) {
    const e = document.querySelector(s), r = e.getBoundingClientRect();
    const top = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
    seen[s] = r.height > 0 && r.top >= 0 && r.bottom <= innerHeight + 0.5 && r.left >= 0 && r.right <= innerWidth + 0.5
              && !!top && (e === top || e.contains(top));
  }
  return {pageScrolls: page.scrollHeight > innerHeight + 1, scrolling, seen};
}"""
# The caution in a line too (trial 11, medium): read alone, the widget's grey would say "no work here".
IN_VIEW = ["#force-map-keys", ".embed-source", "#open-full-dashboard", ".embed-caution"]


def test_embed001_at_600_by_600_one_scroll_at_most_and_the_source_and_full_dashboard_link_in_view(framed_widget):
    watched = framed_widget({"width": 1280, "height": 800})
    page = watched.page
    # The example page frames Leicestershire, its own force.
    frame = next(f for f in page.frames if f is not page.main_frame)
    for force in (facts.LEICESTERSHIRE, most_to_show()):
        if force != facts.LEICESTERSHIRE:
            click_force(page, force, frame=frame)
        name = facts.force_name(force)
        wait_until(frame, "(n) => document.querySelector('#view-title')?.textContent === n", name, timeout=TIMEOUT)
        wait_until(frame, facts.profile_counts_is(force), timeout=TIMEOUT)
        for stage in ("as it opens", "every initiative opened"):
            if stage != "as it opens":
                for summary in frame.locator("#case-studies details.initiative > summary").all():
                    summary.click()
                assert frame.locator("#case-studies details[open]").count() == facts.in_force(force)
            layout = frame.evaluate(LAYOUT_JS, IN_VIEW)
            # The frame's page never scrolls; the profile may, alone.
            assert not layout["pageScrolls"], (name, stage)
            assert len(layout["scrolling"]) <= 1, (name, stage, layout["scrolling"])
            # The keyboard hint whole, the source line and the link to the full dashboard in view and uncovered.
            assert layout["seen"] == dict.fromkeys(IN_VIEW, True), (name, stage, layout["seen"])
        assert frame.locator(".embed-source").inner_text().startswith("Source: PHE (2016)")
        assert frame.locator(".embed-caution").inner_text().startswith("Examples, not a census: a pale or grey")
        assert frame.locator("#force-map-keys").inner_text().endswith("Leicestershire Police when none is selected.")
    assert watched.console_errors == [] and watched.foreign_requests == []


def test_embed002_every_link_in_the_embed_shows_something_or_opens_a_new_page(watched, live_server):
    page = watched.page
    page.set_viewport_size({"width": 600, "height": 600})
    ready(page, f"{live_server.base_url}?embed=1&force={facts.LEICESTERSHIRE}")
    wait_until(page, facts.profile_counts_is(facts.LEICESTERSHIRE), timeout=TIMEOUT)
    for summary in page.locator("#case-studies details.initiative > summary").all():
        summary.click()
    links = [a for a in page.locator("#app-root a[href]").all() if a.is_visible()]
    terms = [a for a in links if "term" in (a.get_attribute("class") or "")]
    assert terms, "the opened card names its evaluation level as a term"
    for link in links:
        words = link.inner_text()
        link.scroll_into_view_if_needed()
        link.hover()  # as a reader's pointer reaches it
        if link.get_attribute("target") == "_blank":
            with page.context.expect_page(timeout=TIMEOUT * 1000) as opened:
                link.click()
            new = opened.value
            new.wait_for_load_state()
            assert "embed=1" not in new.url, (words, new.url)
            assert f"force={facts.LEICESTERSHIRE}" in new.url, (words, new.url)
            if link in terms:
                # The full dashboard's glossary, open at the term's line, in view and focused.
                wait_until(
                    new,
                    "document.getElementById('how-to-read')?.open && document.activeElement?.tagName === 'DT'",
                    timeout=TIMEOUT,
                )
                at = new.evaluate("(r => [r.top, r.bottom])(document.activeElement.getBoundingClientRect())")
                assert 0 <= at[0] and at[1] <= new.viewport_size["height"], (words, at)
                assert "Evaluation" in new.evaluate("document.activeElement.textContent"), words
            new.close()
            continue
        before = page.url
        link.click()
        # A link that stays in the widget must lead to something the widget shows.
        target = page.evaluate("decodeURIComponent(location.hash.slice(1))")
        assert target and page.locator(f"[id='{target}']").is_visible(), (words, before, page.url)


# How strong the shadow along the profile's foot is: 0 for none or a transparent one.
SHADOW_JS = """(() => { const s = getComputedStyle(document.querySelector('.embed-source')).boxShadow;
    if (s === 'none') return 0; const parts = s.match(/rgba?\\(([^)]*)\\)/)[1].split(',');
    return parts.length > 3 ? parseFloat(parts[3]) : 1; })()"""


def test_embed003_a_profile_with_more_below_its_foot_shows_it_until_scrolled_to_the_end(watched, live_server):
    # Trial 8 (low): in the 600 x 600 widget the profile's box scrolled with nothing to show that it did.
    page = watched.page
    page.set_viewport_size({"width": 600, "height": 600})
    ready(page, f"{live_server.base_url}?embed=1&force={most_to_show()}")
    wait_until(
        page, "document.querySelector('#results').scrollHeight > document.querySelector('#results').clientHeight"
    )
    wait_until(page, f"{SHADOW_JS} > 0.3", timeout=TIMEOUT)
    page.evaluate("document.querySelector('#results').scrollTop = 1e6")
    wait_until(page, f"{SHADOW_JS} === 0", timeout=TIMEOUT)
    # A force whose profile fits has no cue.
    least = min(facts.english_force_ids(), key=lambda f: len(facts.figures(f)) + facts.in_force(f))
    ready(page, f"{live_server.base_url}?embed=1&force={least}")
    wait_until(
        page, "document.querySelector('#results').scrollHeight <= document.querySelector('#results').clientHeight"
    )
    assert page.evaluate(SHADOW_JS) == 0


# Whether an element of the frame's page is wholly inside the frame's window.
FRAME_IN_VIEW_JS = """(s) => { const r = document.querySelector(s).getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight + 0.5; }"""


def test_embed004_a_frame_narrower_than_420_px_opens_at_its_force_and_a_click_answers_in_view(framed_widget):
    # Trial 13 (medium): framed 375 px wide, the widget's profile is under its map, and a frame that names a force
    # opened on the map alone: its summary, source and "Open the full dashboard" were out of view.
    watched = framed_widget({"width": 375, "height": 740})
    page = watched.page
    # The intranet's page on a phone: the frame full width, under the page's heading.
    page.evaluate(
        "() => { const f = document.getElementById('dashboard'); document.body.prepend(f);"
        " f.style.cssText = 'display: block; width: 360px; height: 600px; margin: 0;'; f.src = f.src; }"
    )
    frame = page.locator("#dashboard").element_handle().content_frame()
    frame.wait_for_selector("#force-map path.force-area", timeout=TIMEOUT * 1000)
    wait_until(frame, "document.querySelector('#view-title')?.textContent === 'Leicestershire Police'")
    wait_until(frame, facts.profile_counts_is(facts.LEICESTERSHIRE), timeout=TIMEOUT)
    for selector in ("#view-title", ".embed-source", "#open-full-dashboard"):
        wait_until(frame, FRAME_IN_VIEW_JS, selector, timeout=TIMEOUT)
    # The frame's own page moved; the intranet page around it did not, and keeps its focus.
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("document.activeElement.id") != "dashboard"
    # Back at the map, a click on another force brings that force's profile into view.
    frame.evaluate("window.scrollTo(0, 0)")
    other = most_to_show() if most_to_show() != facts.LEICESTERSHIRE else facts.english_force_ids()[0]
    click_force(page, other, frame=frame)
    name = facts.force_name(other)
    wait_until(frame, "(n) => document.querySelector('#view-title')?.textContent === n", name, timeout=TIMEOUT)
    wait_until(frame, FRAME_IN_VIEW_JS, "#view-title", timeout=TIMEOUT)
    assert frame.evaluate("document.activeElement.id") == "view-title"
    assert watched.console_errors == [] and watched.foreign_requests == []


@pytest.mark.parametrize("embedded", [False, True])
def test_embed005_the_maps_spoken_name_names_only_controls_the_page_shows(watched, live_server, embedded):
    # Before: the widget's map told a screen-reader user of "the Force list above" and "the map as a table, below",
    # neither of which the widget has (trial 20, medium).
    page = watched.page
    page.set_viewport_size({"width": 600, "height": 600} if embedded else {"width": 1280, "height": 720})
    ready(page, f"{live_server.base_url}?{'embed=1&' if embedded else ''}force={facts.LEICESTERSHIRE}")
    wait_until(page, "document.querySelector('#force-map svg[aria-label]') !== null", timeout=TIMEOUT)
    name = page.locator("#force-map svg").get_attribute("aria-label")
    assert name.startswith("Map of the police force areas") and "arrow keys" in name
    said = {"Force list": "#force-select", "as a table": "#force-table-toggle"}
    for words, control in said.items():
        assert (words in name) == page.locator(control).is_visible(), (words, name)
    assert ("Force list" in name) is not embedded


@pytest.mark.parametrize(("width", "height", "embedded"), [(600, 600, True), (1280, 720, False)])
def test_embed006_the_focused_headings_ring_leaves_the_line_under_it_clear(
    watched, live_server, width, height, embedded
):
    # Trial 20 (low): in the widget, the ring round the focused force's name hid the top of the line under it.
    page = watched.page
    page.set_viewport_size({"width": width, "height": height})
    ready(page, f"{live_server.base_url}?{'embed=1&' if embedded else ''}force={facts.LEICESTERSHIRE}")
    page.keyboard.press("Tab")  # the keyboard's way: the ring is drawn
    page.evaluate("document.getElementById('view-title').focus()")
    ring = page.evaluate(
        """() => { const h = document.getElementById('view-title'), s = getComputedStyle(h);
        return {visible: h.matches(':focus-visible'), style: s.outlineStyle,
                bottom: h.getBoundingClientRect().bottom + parseFloat(s.outlineOffset) + parseFloat(s.outlineWidth),
                next: h.nextElementSibling.getBoundingClientRect().top, width: parseFloat(s.outlineWidth)}; }"""
    )
    assert ring["visible"] and ring["style"] == "solid" and ring["width"] >= 2, ring
    assert ring["bottom"] <= ring["next"], ring
