"""The register's screens as a fresh trial read them (issue 22): the filter bar with the register on, "Your
submissions" on a phone, and the form's problems after bad values. Each read as a user reads the page: what
is shown, where, and in which words."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_accessibility import axe_violations
from tests.browser.test_register_flow import axe_all_impacts, fill_proposal, in_view
from tests.conftest import open_watched_page, start_gunicorn, stop, wait_for_map, wait_until

pytestmark = pytest.mark.browser
TIMEOUT = 30
TITLE = "Plymouth street triage car"
UPDATED_TITLE = "Plymouth and Torbay street triage car"
LONG_SUMMARY = "A mental health nurse rides with officers " * 12
NEW_TITLE = "Exeter night-time economy hub"


@pytest.fixture(scope="module")
def screens_server(tmp_path_factory):
    """The register on, holding one published proposal of "pia"'s, as the trial had."""
    from domain.register import User
    from services.register import RegisterService
    from storage.database import connect, migrate
    from tests.register_requests import reference, valid_payload

    url = f"sqlite:///{tmp_path_factory.mktemp('screens') / 'register.sqlite3'}"
    engine = connect(url)
    try:
        migrate(engine)
        service = RegisterService(engine, "Devon and Cornwall PCC office", 100)
        sent = service.propose(User("pia", False), "new initiative", valid_payload(title=TITLE), reference())
        record = service.publish(User("rita", True), sent.id, reference())
        # Waiting for rita: a change to it with words as long as a contributor may type, and an address.
        service.propose(
            User("tom", False),
            "update",
            valid_payload(title=UPDATED_TITLE, summary=LONG_SUMMARY, place="https://www.example.org/" + "a" * 60),
            reference(),
            record_id=record.record_id,
        )
        # And a new initiative, every field of it proposed.
        service.propose(User("tom", False), "new initiative", valid_payload(title=NEW_TITLE), reference())
    finally:
        engine.dispose()
    server = start_gunicorn(
        workers=1,
        extra_env={
            "PPH_REGISTER": "1",
            "PPH_DATABASE_URL": url,
            "PPH_USER_HEADER": "X-Remote-User",
            "PPH_REVIEWERS": "rita",
            "PPH_REGISTER_POLL_SECONDS": "1",
        },
    )
    yield server
    stop(server)


def open_as(browser, server, user: str | None, width: int, height: int = 900):
    return open_watched_page(
        browser,
        "/".join(server.base_url.split("/")[:3]),
        viewport={"width": width, "height": height},
        extra_headers={"X-Remote-User": user} if user else None,
    )


# Every shown control of the filter bar: its label's words, its box, and the boxes of its head's children (the
# label and, for themes and evaluation, the "What these mean" link).
FILTER_BAR = """() => [...document.querySelectorAll('.filter-controls .control')]
    .filter(c => c.offsetParent && c.querySelector('.control-head'))
    .map(c => {
        const box = r => { const b = r.getBoundingClientRect();
                           return {left: b.left, right: b.right, top: b.top, bottom: b.bottom}; };
        return {name: c.querySelector('.control-head label').innerText.trim(), box: box(c),
                parts: [...c.querySelector('.control-head').children].map(k => ({words: k.innerText.trim(), ...box(k)}))};
    })"""


def overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def running_into(controls: list[dict]) -> list[str]:
    """Each label or help link that leaves its own control or runs into another control, in words."""
    found = []
    for control in controls:
        for part in control["parts"]:
            if part["right"] > control["box"]["right"] + 0.5 or part["left"] < control["box"]["left"] - 0.5:
                found.append(f"{control['name']}: “{part['words']}” leaves its control")
            for other in controls:
                if other is not control and (
                    overlaps(part, other["box"]) or any(overlaps(part, p) for p in other["parts"])
                ):
                    found.append(f"{control['name']}: “{part['words']}” runs into {other['name']}")
    return found


def rows_of(controls: list[dict]) -> list[list[str]]:
    """The controls' labels, row by row, as a user reads the bar."""
    rows: dict[int, list[str]] = {}
    for control in controls:
        rows.setdefault(round(control["box"]["top"]), []).append(control["name"])
    return [rows[top] for top in sorted(rows)]


WIDTHS = (768, 1024, 1280, 1366)


def test_regscr001_filter_labels_and_their_help_links_never_run_into_the_next_control(browser, screens_server):
    # Before: at 1024 and 1280 the evaluation filter's "What these mean" ran into "Source" ("What these meanSource").
    watched = open_as(browser, screens_server, "pia", 1280)
    page = watched.page
    try:
        page.goto(screens_server.base_url)
        wait_for_map(page)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            wait_until(page, f"window.innerWidth === {width}")
            controls = page.evaluate(FILTER_BAR)
            assert [c["name"] for c in controls] == [
                "Force",
                "Themes",
                "Evaluation",
                "Source",
                "Search the initiatives",
            ]
            assert running_into(controls) == [], f"at {width} px"
            for name in ("Themes", "Evaluation"):
                link = page.locator(".control-head", has_text=name).get_by_text("What these mean")
                assert link.is_visible(), f"{name}'s help at {width} px"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


# The text of a chosen value that its box cuts short (an ellipsis), for each named control of the filter bar.
CUT_VALUES = """(names) => Object.fromEntries(names.map(name => {
  const control = [...document.querySelectorAll('.filter-controls .control')]
    .find(c => c.querySelector('.control-head label')?.textContent === name);
  const cut = [...control.querySelectorAll('*')].filter(e => getComputedStyle(e).textOverflow === 'ellipsis'
    && e.textContent.trim() && e.scrollWidth > e.clientWidth);
  return [name, cut.map(e => e.textContent)];
}))"""


def test_regscr001c_a_chosen_force_and_source_read_whole_on_one_row_at_1280(browser, screens_server):
    # Trial 12 and 13 (low): with the register's fifth control, "Leicestershire …" was cut in the bar at 1280.
    watched = open_as(browser, screens_server, "pia", 1280)
    page = watched.page
    try:
        page.goto(f"{screens_server.base_url}?force=E23000021&source=paper")
        wait_for_map(page)
        for width in (1280, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            wait_until(page, f"window.innerWidth === {width}")
            controls = settled_bar(page)
            assert rows_of(controls) == [["Force", "Themes", "Evaluation", "Source", "Search the initiatives"]]
            assert page.locator(".control-force").inner_text().count("Leicestershire Police") == 1
            assert page.evaluate(CUT_VALUES, ["Force", "Source"]) == {"Force": [], "Source": []}, f"at {width} px"
            # Trial 15 (low): "Any evaluation stat…".
            assert page.evaluate(CUT_VALUES, ["Evaluation"]) == {"Evaluation": []}, f"at {width} px"
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


# The read-only bar as it was before this change, row by row: it never ran into itself, and must not move.
READ_ONLY_ROWS = {
    # A tablet: the force on a row of its own, so a chosen name reads whole (test_ease017).
    768: [["Force"], ["Themes", "Evaluation"], ["Search the initiatives"]],
    1024: [["Force", "Themes", "Evaluation"], ["Search the initiatives"]],
    1280: [["Force", "Themes", "Evaluation", "Search the initiatives"]],
    1366: [["Force", "Themes", "Evaluation", "Search the initiatives"]],
}


def settled_bar(page) -> list[dict]:
    """The filter bar once its dropdowns have settled their size after a resize (they measure themselves as
    they render): the same boxes in two readings 200 ms apart, or the last reading after 5 s."""
    controls = page.evaluate(FILTER_BAR)
    for _ in range(25):
        page.wait_for_timeout(200)
        again = page.evaluate(FILTER_BAR)
        if again == controls:
            break
        controls = again
    return controls


def test_regscr001b_the_read_only_filter_bar_stays_as_it_was(browser, live_server):
    watched = open_as(browser, live_server, None, 1280)
    page = watched.page
    try:
        page.goto(live_server.base_url)
        wait_for_map(page)
        for width, rows in READ_ONLY_ROWS.items():
            page.set_viewport_size({"width": width, "height": 900})
            wait_until(page, f"window.innerWidth === {width}")
            controls = settled_bar(page)
            assert rows_of(controls) == rows, f"at {width} px"
            assert running_into(controls) == [], f"at {width} px"
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


def test_regscr002_your_submissions_read_whole_on_a_phone_with_no_sideways_scroll(browser, screens_server):
    # Before: at 375 px a table of six columns made the page 542 px wide, and the status read "pub…".
    watched = open_as(browser, screens_server, "pia", 375, 740)
    page = watched.page
    try:
        page.goto(screens_server.base_url)
        wait_for_map(page)
        mine = page.locator("#register-mine")
        mine.get_by_text(TITLE).wait_for(timeout=TIMEOUT * 1000)
        mine.scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways"
        words = mine.inner_text()
        assert re.search(r"#\d+", words) and "new initiative" in words and TITLE in words
        status = mine.get_by_text("published", exact=True)
        status.scroll_into_view_if_needed()
        assert status.is_visible()
        whole = status.evaluate("""el => {
            const r = el.getBoundingClientRect();
            return r.left >= 0 && r.right <= window.innerWidth && el.scrollWidth <= el.clientWidth + 1;
        }""")
        assert whole, "the status is cut off or outside the window"
        # Each fact is named, in words, next to what it says.
        for name in ("Status", "Sent (UTC)", "Reviewer's comment"):
            assert mine.get_by_text(name, exact=True).is_visible(), name
        for width in (375, 768, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            wait_until(page, f"window.innerWidth === {width}")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"at {width} px"
            assert axe_all_impacts(page) == [], f"at {width} px"
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


def sent_with_mistakes(page, server, mistakes: dict[str, str]):
    """A proposal filled as it should be (first year 2019), then `mistakes` typed over it and sent: the form's
    summary of its problems, once shown."""
    page.goto(server.base_url)
    wait_for_map(page)
    fill_proposal(page)
    for selector, value in mistakes.items():
        page.fill(selector, value)
        page.locator(selector).press("Tab")  # inputs commit their value on blur
    page.click("#register-submit")
    summary = page.locator("#register-initiative-summary")
    summary.wait_for(state="visible", timeout=TIMEOUT * 1000)
    return summary


def test_regscr003_the_trials_bad_values_read_as_one_sentence_each_with_one_count(browser, screens_server):
    # Before: "End_year 2017 is before start_year 2019.", a value told two contradicting things, and the summary's
    # "4 fields need attention" beside the status line's "5 problems to fix".
    watched = open_as(browser, screens_server, "quin", 1280)
    page = watched.page
    try:
        # Every field filled as it should be (a fall of 30 percent, first year 2019), then the trial's two mistakes.
        summary = sent_with_mistakes(
            page, screens_server, {"#register-end_year": "2017", "#register-figure-0-value": "-30"}
        )

        last_year = page.locator(".register-field:has(#register-end_year) .field-error")
        assert last_year.inner_text() == (
            "Last year (2017) is before First year (2019): give the year the work ended, or leave Last year empty."
        )
        value = page.locator(".register-field:has(#register-figure-0-value) .field-error")
        assert (
            value.inner_text()
            == "Give the size of the change as a positive number; “Direction” says whether it went up or down."
        )

        heading = summary.locator(".register-summary-heading").inner_text()
        status = page.locator("#register-submit-status").inner_text()
        counted = re.match(r"(\d+) fields need attention: ", heading)
        assert counted, heading
        assert int(counted.group(1)) == summary.locator("li").count()
        assert status.startswith(f"Not sent: {counted.group(1)} fields need attention, "), status
        assert "Last year: Last year (2017) is before First year (2019)" in summary.inner_text()

        shown = page.locator("#register-section").inner_text()
        assert not re.search(r"(?i)\b(start|end)_year\b|outside 0-100", shown), "internal names or a second reason"
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


def test_regscr003b_a_word_for_a_year_is_kept_as_typed_and_named_and_no_textarea_is_classed_undefined(
    browser, screens_server
):
    # Trial 12 (low): "twenty" in First year was cut to "twen" as it was typed; the summary's box had the class
    # "undefined".
    watched = open_as(browser, screens_server, "quin", 1280)
    page = watched.page
    try:
        sent_with_mistakes(page, screens_server, {"#register-start_year": "twenty"})
        assert page.locator("#register-start_year").input_value() == "twenty"
        first_year = page.locator(".register-field:has(#register-start_year) .field-error").inner_text()
        assert "First year" in first_year and "a year in figures, such as 2019" in first_year, first_year
        assert page.evaluate("document.querySelectorAll('.undefined, [class~=undefined]').length") == 0
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


def test_regscr004_the_reviewers_diff_reads_whole_on_a_phone_with_no_sideways_scroll(browser, screens_server):
    # Before: at 375 px the queue's table of Field, Now and Proposed was 450 px wide and the page scrolled sideways.
    watched = open_as(browser, screens_server, "rita", 375, 740)
    page = watched.page
    try:
        page.goto(screens_server.base_url)
        wait_for_map(page)
        diff = page.locator(".register-diff").first
        diff.wait_for(timeout=TIMEOUT * 1000)
        diff.scroll_into_view_if_needed()
        for width in (375, 768, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            wait_until(page, f"window.innerWidth === {width}")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"the page scrolls at {width} px"
            box = diff.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, f"the diff leaves the window at {width}"
            # Nothing in a cell is cut off or hidden: each cell holds its whole text inside its own box.
            cut = diff.evaluate(
                "t => [...t.querySelectorAll('tbody th, tbody td')].filter(c => c.scrollWidth > c.clientWidth + 1)"
                ".map(c => c.innerText.slice(0, 40))"
            )
            assert cut == [], f"cut off at {width} px: {cut}"
        words = " ".join(diff.inner_text().split())
        assert UPDATED_TITLE in words and LONG_SUMMARY.split()[0] in words
        assert "Field Now Proposed" in words  # the columns named in words
        # On a phone each field is a block, its name across the width and "Now" above "Proposed" (three columns of
        # 100 px broke words mid-way).
        page.set_viewport_size({"width": 375, "height": 740})
        wait_until(page, "window.innerWidth === 375")
        stacked = diff.evaluate("""t => [...t.querySelectorAll('tbody tr')].map(r => {
            const [name, now, proposed] = [...r.children].map(c => c.getBoundingClientRect());
            return {wide: name.width >= t.getBoundingClientRect().width * 0.9, below: proposed.top >= now.bottom - 1,
                    label: getComputedStyle(r.children[2], '::before').content};
        })""")
        assert stacked and all(r["wide"] and r["below"] and r["label"] == '"Proposed: "' for r in stacked), stacked
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


def test_regscr004b_a_new_initiative_reads_field_by_field_on_a_phone_with_a_way_to_the_decision(
    browser, screens_server
):
    # Trial 17 (medium): at 375 px a new initiative's review read "Now: —" above every proposed value, and Publish
    # and Return came some 1,600 px below its title.
    watched = open_as(browser, screens_server, "rita", 375, 740)
    page = watched.page
    try:
        page.goto(screens_server.base_url)
        wait_for_map(page)
        item = page.locator(".register-item", has_text=NEW_TITLE)
        item.wait_for(timeout=TIMEOUT * 1000)
        diff = item.locator(".register-diff")
        assert " ".join(diff.locator("thead").inner_text().split()) == "Field Proposed"  # nothing is there "now"
        rows = diff.evaluate("""t => [...t.querySelectorAll('tbody tr')].map(r => {
            const [name, value] = [...r.children].map(c => c.getBoundingClientRect());
            return {words: r.innerText.replace(/\\s+/g, ' ').trim(),
                    beside: value.left >= name.right - 1 && value.top < name.bottom};
        })""")
        assert [r["words"] for r in rows][:2] == [f"Title {NEW_TITLE}", "Force areas Metropolitan Police Service"]
        assert all(r["beside"] for r in rows), rows  # each field's value on its label's line
        assert "—" not in diff.inner_text()
        heading, publish = item.locator("h4"), item.locator("button", has_text="Publish")
        assert publish.bounding_box()["y"] - heading.bounding_box()["y"] < 1100  # was 1,614 px
        # Under the title, a way to the decision: it scrolls there and focuses it, and Tab goes on into the comment.
        item.locator("a", has_text=re.compile(r"^Go to the decision on #\d+$")).click()
        decision = item.locator(".register-decision")
        wait_until(page, "document.activeElement?.classList.contains('register-decision')", timeout=TIMEOUT)
        assert decision.get_attribute("aria-label").startswith("Decision on #")
        box = publish.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= 740, "Publish is not in view"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


GLOSSARY_BOXES = """() => [...document.querySelectorAll('details.term-help')].map(d => {
    const box = d.querySelector('dl').getBoundingClientRect();
    return {open: d.open, left: box.left, right: box.right, shown: d.open && box.width > 0};
})"""


@pytest.mark.parametrize("width", [1024, 768, 1280, 375])
def test_regscr005_a_glossary_opens_inside_the_window_and_one_at_a_time(browser, screens_server, width):
    # Before: at 1024 x 720, with the register on, the Evaluation filter's "What these mean" ran off the page
    # (1,170 px wide), and with both open, Evaluation's covered Themes'.
    watched = open_as(browser, screens_server, None, width, 720)
    page = watched.page
    try:
        page.goto(screens_server.base_url)
        wait_for_map(page)
        if width < 641:
            page.locator(".filters-summary").click()  # the filters fold away on a phone
        helps = page.locator("details.term-help > summary")
        assert helps.count() == 2
        for index in (0, 1):
            # The first by the pointer, the second from the keyboard: on a phone the first, open, covers it.
            if index == 0:
                helps.nth(index).click()
            else:
                helps.nth(index).focus()
                page.keyboard.press("Enter")
            wait_until(page, f"document.querySelectorAll('details.term-help')[{index}].open")
            page.wait_for_timeout(50)  # the glossary is placed on its toggle event
            boxes = page.evaluate(GLOSSARY_BOXES)
            assert [b["open"] for b in boxes] == [index == 0, index == 1], "one glossary open at a time"
            shown = boxes[index]
            assert shown["shown"] and shown["left"] >= 0 and shown["right"] <= width, (width, shown)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        page.keyboard.press("Escape")
        assert [b["open"] for b in page.evaluate(GLOSSARY_BOXES)] == [False, False]
        assert page.evaluate("document.activeElement.textContent").startswith("What these mean")
        # A click elsewhere on the page closes an open glossary, as it closes any pop-up.
        helps.nth(0).click()
        page.locator(".site-header h1").click()
        assert [b["open"] for b in page.evaluate(GLOSSARY_BOXES)] == [False, False]
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


def test_regscr006_the_years_order_is_named_with_the_other_problems_at_once(browser, screens_server):
    # Before: with the title left empty, "Last year is before First year" was said only after the title was given.
    watched = open_as(browser, screens_server, "quin", 1280)
    page = watched.page
    try:
        summary = sent_with_mistakes(page, screens_server, {"#register-title": "", "#register-end_year": "2017"})
        items = summary.locator("li").all_inner_texts()
        assert any(i.startswith("Title:") for i in items), items
        assert any(i.startswith("Last year: Last year (2017) is before First year (2019)") for i in items), items
        assert page.locator(".register-field:has(#register-end_year) .field-error").is_visible()
        # The field is marked by its border too, not by the sentence alone; a field with no problem is not.
        border = "el => getComputedStyle(el).borderTopColor"
        assert page.locator("#register-end_year").evaluate(border) == "rgb(164, 0, 15)"
        assert page.locator("#register-start_year").evaluate(border) != "rgb(164, 0, 15)"
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


def send_proposal(page, server, title: str, force_typed: str, force: str) -> None:
    """A whole proposal sent from the form: the flow's usual fields, with `title` and the force found by typing."""
    from tests.conftest import choose_option

    page.goto(server.base_url)
    wait_for_map(page)
    fill_proposal(page)
    page.fill("#register-title", title)
    page.locator("#register-title").press("Tab")
    choose_option(page, "register-force_ids", force_typed, force)
    page.click("#register-submit")
    wait_until(page, "document.querySelector('#register-submit-status')?.textContent.startsWith('Sent for review')")


def test_regscr007_force_areas_find_aliases_and_a_returned_proposal_is_edited_and_sent_again(browser, screens_server):
    # Before: "the Met" found nothing in Force areas (the Force filter finds it), an unknown force left the box
    # empty and went as national work, and a returned proposal could only be typed again from the start.

    contributor = open_as(browser, screens_server, "vic", 1280)
    reviewer = open_as(browser, screens_server, "rita", 1280)
    page, review = contributor.page, reviewer.page
    title = "Camden night-time economy triage"
    try:
        send_proposal(page, screens_server, title, "the Met", "Metropolitan Police Service")

        review.goto(screens_server.base_url)
        wait_for_map(review)
        item = review.locator(".register-item", has_text=title)
        item.wait_for(timeout=TIMEOUT * 1000)
        assert "Metropolitan Police Service" in item.locator(".register-diff").inner_text()
        # Trial 11 (medium): Return with no comment said "Not returned" under the queue, a screen away, and took
        # the focus there. It says so beside the box, which takes the focus.
        review.set_viewport_size({"width": 375, "height": 740})
        item.locator("button", has_text="Return with comment").click()
        problem = item.get_by_text("Write a comment first: say what the contributor should change.")
        problem.wait_for(timeout=TIMEOUT * 1000)
        wait_until(review, "document.activeElement?.tagName === 'TEXTAREA'")
        assert item.locator("textarea").evaluate("t => t === document.activeElement")
        box = item.locator("textarea").bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= 740 and problem.is_visible()
        review.wait_for_timeout(1500)  # the server's refusal comes too, and leaves the focus where it is
        assert item.locator("textarea").evaluate("t => t === document.activeElement")
        review.set_viewport_size({"width": 1280, "height": 900})
        item.locator("textarea").fill("Please name the evaluation report in Source.")
        item.locator("button", has_text="Return with comment").click()
        wait_until(review, "document.querySelector('#register-review-status')?.textContent.length > 0")

        page.click("#register-mine-refresh")
        card = page.locator(".register-submission", has_text=title)
        card.get_by_text("returned", exact=True).wait_for(timeout=TIMEOUT * 1000)
        assert "Please name the evaluation report in Source." in card.inner_text()
        card.get_by_role("button", name="Edit and send again").click()
        # The form, far above, comes into view holding the proposal as it was sent, the focus on its first field.
        wait_until(page, f"document.querySelector('#register-title')?.value === {title!r}")
        wait_until(page, "document.activeElement?.id === 'register-update-of'")
        assert page.locator("#register-force_ids").inner_text().startswith("Metropolitan Police Service")
        assert page.locator("#register-figure-0-measure").input_value() == "Section 136 detentions"
        status = page.locator("#register-submit-status").inner_text()
        assert status.startswith("#") and "is in the form as you sent it" in status
        top = page.evaluate("document.querySelector('#register-update-of').getBoundingClientRect().top")
        assert 0 <= top < 900
        # Trial 17 (low): what the reviewer asked was said only in "Your submissions", far below: it is said in view,
        # above the fields to change.
        note = page.locator("#register-returned-note")
        assert note.is_visible() and in_view(page, "#register-returned-note")
        assert note.inner_text().endswith(
            "returned by rita with the comment: “Please name the evaluation report in Source.”"
        )
        page.fill("#register-source", "https://example.org/camden-triage-evaluation")
        page.locator("#register-source").press("Tab")
        page.click("#register-submit")
        wait_until(page, "document.querySelector('#register-submit-status')?.textContent.startsWith('Sent for review')")
        wait_until(page, "!document.querySelector('#register-returned-note').checkVisibility()")  # sent: said no more
        review.reload()
        wait_for_map(review)
        again = review.locator(".register-item", has_text=title)
        again.wait_for(timeout=TIMEOUT * 1000)
        assert "camden-triage-evaluation" in again.inner_text()
        # Read against the comment it answers.
        assert "was returned with the comment: “Please name the evaluation report in Source.”" in again.inner_text()
    finally:
        page.context.close()
        review.context.close()
    assert contributor.console_errors == [] and reviewer.console_errors == []


def test_regscr007b_work_proposed_again_is_named_to_its_contributor_and_its_reviewer(browser, screens_server):
    # Trial 20 (medium): the same work proposed again read as new in the queue; published, it would be counted twice.

    contributor = open_as(browser, screens_server, "sam", 1280)
    reviewer = open_as(browser, screens_server, "rita", 1280)
    page, review = contributor.page, reviewer.page
    again = "Plymouth Street-Triage car"  # the published record's title, typed another way
    try:
        send_proposal(page, screens_server, again, "Devon", "Devon & Cornwall Police")
        status = page.locator("#register-submit-status").inner_text()
        assert re.search(rf"already shows work like it \(reg-\d+ “{TITLE}”\): the reviewer will check", status), status

        review.goto(screens_server.base_url)
        wait_for_map(review)
        item = review.locator(".register-item", has_text=again)
        item.wait_for(timeout=TIMEOUT * 1000)
        warning = item.locator(".register-same-work")
        assert warning.is_visible()
        words = warning.inner_text()
        assert re.search(rf"Possibly the same work as reg-\d+ “{TITLE}” \([^)]*published from the register\)", words)
        assert "count the work twice" in words
        # Said before the buttons that decide it.
        above = warning.evaluate(
            "(w, d) => !!(w.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_FOLLOWING)",
            item.locator(".register-decision").element_handle(),
        )
        assert above
        # A proposal with a title of its own is not flagged.
        assert review.locator(".register-item", has_text=NEW_TITLE).locator(".register-same-work").count() == 0
    finally:
        page.context.close()
        review.context.close()
    assert contributor.console_errors == [] and reviewer.console_errors == []


@pytest.mark.parametrize("width", [375, 1280])
def test_regscr008_an_empty_list_opened_is_still_a_named_dialog(browser, screens_server, width):
    """Trial 11 (high): in a new register, with no note published yet, the open "Note" list of "Amend a published
    note" was a dialog with no name (axe: aria-dialog-name)."""
    watched = open_as(browser, screens_server, "rita", width, 900)
    page = watched.page
    try:
        page.goto(screens_server.base_url)
        wait_for_map(page)
        picker = page.locator("#register-amend-record")
        picker.scroll_into_view_if_needed()
        picker.click()
        wait_until(page, "document.querySelector('#register-amend-record').getAttribute('aria-expanded') === 'true'")
        assert page.get_by_role("dialog", name="Note: choices").is_visible()
        assert axe_violations(page) == []  # the whole page: the open list is drawn outside the register's section
    finally:
        page.context.close()


def test_regscr009_a_reviewers_own_proposal_shows_in_the_queue_on_the_same_page(browser, screens_server):
    """Trial 13 (medium): a reviewer who sent a proposal read "Sent for review as #N" above a queue that still said
    "Nothing is waiting for review" until "Refresh the queue" was pressed."""
    from tests.conftest import choose_option

    title = "Reviewer's own triage proposal"
    watched = open_as(browser, screens_server, "rita", 1280, 900)
    page = watched.page
    try:
        page.goto(screens_server.base_url)
        wait_for_map(page)
        queue_before = page.locator("#register-queue").inner_text()
        fill_proposal(page)
        page.fill("#register-title", title)
        page.locator("#register-title").press("Tab")
        choose_option(page, "register-force_ids", "Kent", "Kent Police")
        page.click("#register-submit")
        wait_until(page, "document.querySelector('#register-submit-status')?.textContent.startsWith('Sent for review')")
        assert title not in queue_before
        page.locator("#register-queue .register-item", has_text=title).wait_for(timeout=TIMEOUT * 1000)
        assert page.evaluate("document.activeElement.id") != "register-queue-refresh"  # pressed for them, not focused
    finally:
        page.context.close()
