"""The register end to end in chromium: a contributor proposes, a reviewer in another browser context
publishes, and every worker shows the record on the map and in the profile, marked by its source."""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import axe_violations
from tests.conftest import (
    choose_option,
    click_force,
    open_watched_page,
    start_gunicorn,
    stop,
    wait_for_map,
    wait_for_outline,
    wait_until,
)
from tests import dataset_facts as facts

pytestmark = pytest.mark.browser
TIMEOUT = 30
KENT = "E23000032"
TITLE = 'Street triage in Ashford <b>nights</b> & "weekends"'
DESIGN = "before and after, no comparison group; the trust's own records"
CAVEAT = "the nights chosen were the busiest, so not like with like"


@pytest.fixture(scope="module")
def register_server(tmp_path_factory):
    database = tmp_path_factory.mktemp("register") / "register.sqlite3"
    # Two workers: the publication must reach the worker that did not handle it.
    server = start_gunicorn(
        workers=2,
        extra_env={
            "PPH_REGISTER": "1",
            "PPH_DATABASE_URL": f"sqlite:///{database}",
            "PPH_USER_HEADER": "X-Remote-User",
            "PPH_REVIEWERS": "rita",
            "PPH_ORGANISATION": "Kent PCC office",
            "PPH_REGISTER_POLL_SECONDS": "1",
        },
    )
    yield server
    stop(server)


def origin_of(server) -> str:
    return "/".join(server.base_url.split("/")[:3])


def page_for(browser, server, user: str | None):
    return open_watched_page(
        browser,
        origin_of(server),
        viewport={"width": 1280, "height": 900},
        extra_headers={"X-Remote-User": user} if user else None,
    )


def click_force_in_view(page, force_id: str) -> None:
    """Click a force on the map as a user would, scrolling it into view first: with the register's way in and the
    orientation lines above it, the south-east's forces sit below a 900 px window's fold."""
    page.wait_for_selector(f'#force-map path.force-area[data-force="{force_id}"]')
    page.evaluate(
        '(id) => document.querySelector(`#force-map path.force-area[data-force="${id}"]`)'
        ".scrollIntoView({block: 'center'})",
        force_id,
    )
    click_force(page, force_id)


def fill_proposal(page) -> None:
    page.fill("#register-title", TITLE)
    page.fill("#register-place", "Ashford")
    page.fill("#register-lead_organisations", "Kent Police\nKent and Medway NHS Trust")
    choose_option(page, "register-themes", "Mental", "Mental health")
    choose_option(page, "register-kind_of_work", "pilot", "pilot")
    choose_option(page, "register-stage", "running", "running")
    choose_option(page, "register-evaluation", "none reported", "none reported")
    page.fill("#register-start_year", "2019")
    page.fill("#register-summary", "Mental health nurses ride with officers on weekend nights in Ashford.")
    page.fill("#register-source", "https://example.org/ashford-triage-report")
    page.fill("#register-figure-0-measure", "Section 136 detentions")
    page.fill("#register-figure-0-value", "30")
    choose_option(page, "register-figure-0-unit", "percent", "percent")
    choose_option(page, "register-figure-0-direction", "fall", "A fall (reduction)")
    choose_option(page, "register-figure-0-kind", "result", "result")
    page.fill("#register-figure-0-design", DESIGN)
    page.fill("#register-figure-0-caveat", CAVEAT)
    page.fill("#register-figure-0-source", "Annual report 2019, p. 4")
    page.locator("#register-figure-0-source").press("Tab")  # inputs commit their value on blur


def test_reg_brw001_contribute_review_publish_then_seen_on_the_map_and_profile(browser, register_server):
    reader = page_for(browser, register_server, None)
    contributor = page_for(browser, register_server, "carla")
    reviewer = page_for(browser, register_server, "rita")
    try:
        # A reader with no user from the proxy sees no write views.
        reader.page.goto(register_server.base_url)
        wait_for_map(reader.page)
        assert reader.page.locator("#register-section").count() == 0
        # Nothing is published yet: the heading names the paper alone, as the map's title does (trial 20, low).
        assert (
            reader.page.locator("h1").inner_text()
            == "Police and public health: the initiatives of PHE's 2016 paper, by force area"
        )

        page = contributor.page
        page.goto(register_server.base_url)
        wait_for_map(page)
        assert "Signed in as carla (contributor)" in page.locator("#register-section").inner_text()
        assert page.locator("#register-queue").count() == 0  # reviewing is for reviewers only

        # Every problem is shown beside its field, and nothing is sent.
        page.click("#register-submit")
        wait_until(
            page,
            "document.querySelector('#register-submit-status')?.textContent.startsWith('Not sent')",
            timeout=TIMEOUT,
        )
        assert page.locator(".register-field:has(#register-title) .field-error").inner_text() == (
            "Give the initiative a title."
        )
        assert page.locator(".register-field:has(#register-kind_of_work) .field-error").inner_text() == (
            "Choose what kind of work this is."
        )
        assert page.locator(".register-field:has(#register-stage) .field-error").inner_text() == (
            "Choose the stage the work is at."
        )
        # "Not stated" is kept for records sent before the form asked: never a choice.
        page.locator("#register-kind_of_work").click()
        assert page.get_by_role("radio", name="not stated").count() == 0
        assert page.get_by_role("radio", name="service").count() == 1
        page.keyboard.press("Escape")
        page.set_viewport_size({"width": 375, "height": 800})
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        page.set_viewport_size({"width": 1280, "height": 900})

        fill_proposal(page)
        # A draft survives a reload.
        page.reload()
        wait_for_map(page)
        wait_until(
            page,
            "document.querySelector('#register-title')?.value.startsWith('Street triage in Ashford')",
            timeout=TIMEOUT,
        )
        assert page.locator("#register-figure-0-measure").input_value() == "Section 136 detentions"

        # Pressed with no force selected, the button says what to do (trial 14, medium), beside itself.
        page.click("#register-add-selected-force")
        wait_until(
            page,
            "document.querySelector('#register-add-selected-force-status')?.textContent === "
            "'Select a force on the map (or in the Force list) first.'",
            timeout=TIMEOUT,
        )
        # Force areas picked on the map.
        click_force_in_view(page, KENT)
        wait_until(page, "document.querySelector('#view-title')?.textContent === 'Kent Police'", timeout=TIMEOUT)
        # The title is written in the browser at once; the button reads the view state the server answers with.
        wait_for_outline(page, KENT, timeout=TIMEOUT)
        page.click("#register-add-selected-force")
        wait_until(
            page, "document.querySelector('#register-force_ids')?.textContent.includes('Kent Police')", timeout=TIMEOUT
        )
        assert page.locator("#register-add-selected-force-status").inner_text() == ""
        page.click("#register-add-selected-force")
        wait_until(
            page,
            "document.querySelector('#register-add-selected-force-status')?.textContent === "
            "'Kent Police is already in Force areas.'",
            timeout=TIMEOUT,
        )
        page.click("#register-submit")
        wait_until(
            page,
            "document.querySelector('#register-submit-status')?.textContent.startsWith('Sent for review')",
            timeout=TIMEOUT,
        )
        wait_until(page, "document.querySelector('#register-mine')?.textContent.includes('pending')", timeout=TIMEOUT)
        # Once stored, the form starts afresh, and a reload brings back no stale draft.
        wait_until(page, "document.querySelector('#register-title')?.value === ''", timeout=TIMEOUT)
        page.reload()
        wait_for_map(page)
        page.wait_for_selector("#register-title", timeout=TIMEOUT * 1000)
        assert page.locator("#register-title").input_value() == ""
        assert page.locator("#register-figure-0-measure").input_value() == ""

        # The reviewer, in another browser context, sees the proposal against the published record.
        review = reviewer.page
        review.goto(register_server.base_url)
        wait_for_map(review)
        wait_until(
            review, "document.querySelector('#register-queue')?.textContent.includes('Ashford')", timeout=TIMEOUT
        )
        # The write views pass axe like the rest of the page: the reviewer's at 1280 px, a contributor's
        # at 375 px with errors showing.
        assert axe_violations(review) == []
        diff = review.locator(".register-diff").first.inner_text()
        # Fields by their labels, forces by their names, figures as rows.
        assert "Title" in diff and "Kent Police" in diff and "Figure added" in diff and "Section 136 detentions" in diff
        assert "Section 136 detentions: a fall of 30%; result" in diff  # as the dashboard reads it (trial 10, low)
        # A new initiative: what is proposed, with no column of "—" for what is there now.
        assert "Kind of work\tpilot" in diff and "Stage\trunning" in diff and "Now" not in diff
        assert f"design: {DESIGN}" in diff and f"caveat: {CAVEAT}" in diff
        review.locator(".register-item button", has_text="Publish").first.click()
        wait_until(
            review,
            "document.querySelector('#register-review-status')?.textContent.startsWith('Published')",
            timeout=TIMEOUT,
        )
        # Trial 10: the card went and the focus with it, to the page's top; the status line takes it, in view.
        wait_until(review, "document.activeElement?.id === 'register-review-status'", timeout=TIMEOUT)
        assert review.evaluate(
            "(() => { const r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()"
        )

        # Every page loaded from now on, on either worker, shows it in Kent, marked as the register's.
        wait_until(
            reader.page,
            f"""async () => {{
            const r = await fetch('{register_server.base_url}_dash-layout');
            return (await r.text()).includes('Counts include 1 initiative added through the register');
        }}""",
            timeout=TIMEOUT,
        )
        # Each worker picks the publication up within PPH_REGISTER_POLL_SECONDS; a load may reach either.
        for _attempt in range(TIMEOUT):
            reader.page.goto(register_server.base_url)
            wait_for_map(reader.page)
            if f" of {facts.total() + 1} " in reader.page.locator("#results-count").inner_text():
                break
            reader.page.wait_for_timeout(1000)
        assert f" of {facts.total() + 1} " in reader.page.locator("#results-count").inner_text()
        # With the register on, the page's words name it wherever they name the paper as the source (issue 22).
        words = reader.page
        assert "and a reviewed register" in words.locator("h1").inner_text()
        assert "published through this dashboard's register" in words.locator(".site-header > p").first.inner_text()
        assert words.locator("#force-map-title").inner_text() == (
            "Initiatives the 2016 paper and the register name in each force area"
        )
        key = words.locator("#force-map-legend li").all_inner_texts()
        assert key[-1].startswith("No initiative in the 2016 paper or the register")
        assert "reviewed register" in words.locator("meta[name=description]").get_attribute("content")
        click_force_in_view(reader.page, KENT)
        wait_until(reader.page, "document.querySelector('#view-title')?.textContent === 'Kent Police'", timeout=TIMEOUT)
        wait_until(
            reader.page,
            "document.querySelector('#case-studies')?.textContent.includes('Street triage in Ashford')",
            timeout=TIMEOUT,
        )
        card = reader.page.locator("details.initiative", has_text="Street triage in Ashford")
        card.locator("summary").click()
        text = card.inner_text()
        assert TITLE in text  # stored text is shown as text, never as markup
        assert card.locator("b").count() == 0
        assert "Record source: Register, reviewed 20" in text and "by Kent PCC office" in text
        assert "Kind of work: pilot" in text and "Stage: running" in text
        # The result says how it was obtained, with its caveat, under its row of the profile's figures.
        obtained = reader.page.locator(".figure-design", has_text=DESIGN)
        obtained.first.wait_for(state="attached", timeout=TIMEOUT * 1000)
        assert f"How obtained: {DESIGN}. Caveat: {CAVEAT}" in obtained.first.text_content()
        # The contributor sees the new status of what they sent.
        page.click("#register-mine-refresh")
        wait_until(page, "document.querySelector('#register-mine')?.textContent.includes('published')", timeout=TIMEOUT)
    finally:
        for watched in (reader, contributor, reviewer):
            watched.page.context.close()
    for watched in (reader, contributor, reviewer):
        assert watched.foreign_requests == [], "requests left the app's origin"
        assert watched.console_errors == [], "the browser console logged errors"


# --- issue 20: an update keeps what it does not change; drafts keep their key and their user -----------------


@pytest.fixture(scope="module")
def update_server(tmp_path_factory):
    database = tmp_path_factory.mktemp("register-update") / "register.sqlite3"
    server = start_gunicorn(
        workers=1,
        extra_env={
            "PPH_REGISTER": "1",
            "PPH_DATABASE_URL": f"sqlite:///{database}",
            "PPH_USER_HEADER": "X-Remote-User",
            "PPH_REVIEWERS": "rita",
            "PPH_ORGANISATION": "Kent PCC office",
            "PPH_REGISTER_POLL_SECONDS": "1",
        },
    )
    server.database = database
    yield server
    stop(server)


def register_engine(server):
    from storage.database import connect

    return connect(f"sqlite:///{server.database}")


def published_record_with_two_figures(server, title: str = "Night-time triage in the town centre") -> str:
    """A record as the register holds it after an earlier publication, made through the service directly."""
    from domain.register import User
    from services.register import RegisterService
    from tests.register_requests import VALID_FIGURE, reference, valid_payload

    engine = register_engine(server)
    try:
        service = RegisterService(engine, "Kent PCC office", 100)
        second = {
            **VALID_FIGURE,
            "measure": "Hours officers spent in A&E",
            "value": "1250.5",
            "unit": "hours",
            "qualifier": "around",
            "source": "Annual report, p. 4",
        }
        submission = service.propose(
            User("carla", False),
            "new initiative",
            valid_payload(title=title, figures=[dict(VALID_FIGURE), second]),
            reference(),
        )
        return service.publish(User("rita", True), submission.id, reference()).record_id
    finally:
        engine.dispose()


def test_reg_brw002_an_update_of_the_title_alone_keeps_every_figure(browser, update_server):
    from storage import register_store

    record_id = published_record_with_two_figures(update_server)
    engine = register_engine(update_server)
    before = register_store.get_record(engine, record_id).payload["figures"]
    contributor = page_for(browser, update_server, "carla")
    reviewer = page_for(browser, update_server, "rita")
    try:
        page = contributor.page
        page.goto(update_server.base_url)
        wait_for_map(page)
        choose_option(page, "register-update-of", "Night-time", "Night-time triage in the town centre")
        # Every field and both figures are loaded into the form.
        wait_until(
            page,
            "document.querySelector('#register-figure-1-measure')?.value === 'Hours officers spent in A&E'",
            timeout=TIMEOUT,
        )
        assert page.locator("#register-figure-0-value").input_value() == "30"
        assert page.locator("#register-figure-1-value").input_value() == "1250.5"
        page.locator("#register-figure-1").wait_for(
            state="visible", timeout=TIMEOUT * 1000
        )  # shown once the count arrives
        assert page.locator("#register-title").input_value() == "Night-time triage in the town centre"
        page.fill("#register-title", "Night-time street triage in the town centre")
        page.locator("#register-title").press("Tab")
        page.click("#register-submit")
        wait_until(
            page,
            "document.querySelector('#register-submit-status')?.textContent.startsWith('Sent for review')",
            timeout=TIMEOUT,
        )

        review = reviewer.page
        review.goto(update_server.base_url)
        wait_for_map(review)
        wait_until(
            review,
            "document.querySelector('#register-queue')?.textContent.includes('Night-time street')",
            timeout=TIMEOUT,
        )
        diff = review.locator(".register-diff").first.inner_text()
        assert "Title" in diff and "Figure" not in diff  # only the title changes
        assert review.locator(".register-warning").count() == 0
        review.locator(".register-item button", has_text="Publish").first.click()
        wait_until(
            review,
            "document.querySelector('#register-review-status')?.textContent.startsWith('Published')",
            timeout=TIMEOUT,
        )
        # The reviewer's own pickers know the new title without a reload.
        wait_until(review, "document.querySelector('#register-withdraw-record') !== null", timeout=TIMEOUT)

        record = register_store.get_record(engine, record_id)
        assert record.revision == 2 and record.payload["title"] == "Night-time street triage in the town centre"
        assert record.payload["figures"] == before
        # And on the page: the record's card in its force's profile, under its new title, with both figures.
        for _attempt in range(TIMEOUT):  # the worker picks the publication up within a poll
            page.goto(update_server.base_url)
            wait_for_map(page)
            click_force_in_view(page, "E23000001")
            wait_until(
                page, "document.querySelector('#view-title')?.textContent.includes('Metropolitan')", timeout=TIMEOUT
            )
            wait_until(
                page,
                "document.querySelector('#case-studies')?.textContent.includes('triage in the town')",
                timeout=TIMEOUT,
            )
            if "Night-time street triage" in page.locator("#case-studies").inner_text():
                break
        # The profile's table of figures names each with its initiative.
        rows = [
            r
            for r in page.locator(".outcome-table tr").all_text_contents()
            if "Night-time street triage in the town centre" in r
        ]
        assert len(rows) == 2, rows
        assert any("Detentions under section 136" in r for r in rows)
        assert any("Hours officers spent in A&E" in r for r in rows)
    finally:
        engine.dispose()
        for watched in (contributor, reviewer):
            watched.page.context.close()
    for watched in (contributor, reviewer):
        assert watched.console_errors == [], "the browser console logged errors"


def test_reg_brw003_a_draft_keeps_its_key_across_a_reload_and_is_kept_per_user(browser, update_server):
    # The server side of the key (the same draft resent is stored once, an edited one anew) is
    # tests/unit/test_register_form.py::test_reg_form004; here, the browser keeps the draft's key with the draft.
    contributor = page_for(browser, update_server, "cleo")
    page = contributor.page
    draft_key = "JSON.parse(localStorage.getItem('register-initiative-key'))"
    try:
        page.goto(update_server.base_url)
        wait_for_map(page)
        fill_proposal(page)
        key = page.evaluate(draft_key)
        assert key
        # A second user of the same browser profile does not see the first one's draft ...
        page.context.set_extra_http_headers({"X-Remote-User": "olga"})
        page.reload()
        wait_for_map(page)
        page.wait_for_selector("#register-title", timeout=TIMEOUT * 1000)
        assert "Signed in as olga" in page.locator("#register-section").inner_text()
        assert page.locator("#register-title").input_value() == ""
        assert page.locator("#register-figure-0-measure").input_value() == ""
        # ... and the first one finds theirs again, under the same key: a resend after a lost answer is the same.
        page.context.set_extra_http_headers({"X-Remote-User": "cleo"})
        page.reload()
        wait_for_map(page)
        wait_until(
            page,
            "document.querySelector('#register-title')?.value.startsWith('Street triage in Ashford')",
            timeout=TIMEOUT,
        )
        assert page.evaluate(draft_key) == key
        # Force areas: chosen by the names the Force filter knows (an empty box is never national work).
        choose_option(page, "register-force_ids", "Kent", "Kent Police")
        page.click("#register-submit")
        wait_until(
            page,
            "document.querySelector('#register-submit-status')?.textContent.startsWith('Sent for review')",
            timeout=TIMEOUT,
        )
        # Once stored, the next draft has a key of its own.
        wait_until(page, f"{draft_key} !== {key!r}", timeout=TIMEOUT)
    finally:
        page.context.close()


def test_reg_brw004_an_update_draft_survives_a_reload_and_a_restart_and_publishes_as_edited(browser, update_server):
    from storage import register_store

    record_id = published_record_with_two_figures(update_server, "Evening triage at the station")
    engine = register_engine(update_server)
    before = register_store.get_record(engine, record_id).payload["figures"]
    contributor = page_for(browser, update_server, "dora")
    reviewer = page_for(browser, update_server, "rita")
    kept = "JSON.parse(localStorage.getItem('register-update-draft-of:dora'))"
    contexts = [contributor.page.context, reviewer.page.context]
    try:
        page = contributor.page
        page.goto(update_server.base_url)
        wait_for_map(page)
        # The overview above the register draws as it comes into view; drawn first, it moves nothing later.
        page.locator("#outcomes-overview").scroll_into_view_if_needed()
        wait_until(page, "document.querySelectorAll('#outcomes-overview figure.lollipop').length > 0", timeout=TIMEOUT)
        choose_option(page, "register-update-of", "Evening", "Evening triage at the station")
        wait_until(
            page,
            "document.querySelector('#register-figure-1-measure')?.value === 'Hours officers spent in A&E'",
            timeout=TIMEOUT,
        )
        page.fill("#register-title", "Evening street triage at the station")
        page.locator("#register-title").press("Tab")
        page.fill("#register-figure-0-value", "35")
        page.locator("#register-figure-0-value").press("Tab")
        wait_until(page, f"{kept}?.values['register-figure-0-value'] === '35'", timeout=TIMEOUT)

        def edits_are_back(page) -> None:
            wait_until(
                page,
                "document.querySelector('#register-title')?.value === 'Evening street triage at the station'",
                timeout=TIMEOUT,
            )
            assert page.locator("#register-figure-0-value").input_value() == "35"
            assert page.locator("#register-figure-0-measure").input_value() == "Detentions under section 136"
            assert page.locator("#register-figure-1-measure").input_value() == "Hours officers spent in A&E"
            assert page.locator("#register-figure-1-value").input_value() == "1250.5"
            page.locator("#register-figure-1").wait_for(
                state="visible", timeout=TIMEOUT * 1000
            )  # shown once the count arrives
            assert "Evening triage at the station" in page.locator("#register-update-of").inner_text()
            wait_until(
                page,
                "document.querySelector('#register-submit-status')?.innerText.includes('as you left them')",
                timeout=TIMEOUT,
            )

        page.reload()
        wait_for_map(page)
        edits_are_back(page)
        # Another user of this browser profile starts with no update, and does not touch dora's draft.
        page.context.set_extra_http_headers({"X-Remote-User": "olga"})
        page.reload()
        wait_for_map(page)
        page.wait_for_selector("#register-title", timeout=TIMEOUT * 1000)
        assert page.locator("#register-title").input_value() == ""
        assert "A new initiative" in page.locator("#register-update-of").inner_text()
        # The browser restarts: a new context with what the old one had stored.
        stored = page.context.storage_state()
        page.context.close()
        restarted = browser.new_context(
            viewport={"width": 1280, "height": 900}, storage_state=stored, extra_http_headers={"X-Remote-User": "dora"}
        )
        contexts.append(restarted)
        page = restarted.new_page()
        page.goto(update_server.base_url)
        wait_for_map(page)
        edits_are_back(page)

        page.click("#register-submit")
        wait_until(
            page,
            "document.querySelector('#register-submit-status')?.textContent.startsWith('Sent for review')",
            timeout=TIMEOUT,
        )
        # Once sent, the draft is gone: the form starts afresh, after a reload too.
        wait_until(page, f"{kept} === null", timeout=TIMEOUT)
        page.reload()
        wait_for_map(page)
        page.wait_for_selector("#register-title", timeout=TIMEOUT * 1000)
        assert page.locator("#register-title").input_value() == ""

        review = reviewer.page
        review.goto(update_server.base_url)
        wait_for_map(review)
        item = review.locator(".register-item", has_text="Evening street triage at the station")
        item.wait_for(timeout=TIMEOUT * 1000)
        diff = item.locator(".register-diff").inner_text()
        assert "Title" in diff and "Figure changed: Value" in diff and "Hours officers" not in diff
        item.locator("button", has_text="Publish").click()
        wait_until(
            review,
            "document.querySelector('#register-review-status')?.textContent.startsWith('Published')",
            timeout=TIMEOUT,
        )
        record = register_store.get_record(engine, record_id)
        assert record.revision == 2 and record.payload["title"] == "Evening street triage at the station"
        assert record.payload["figures"][0] == {**before[0], "value": 35.0}
        assert record.payload["figures"][1] == before[1]
        assert len(record.payload["figures"]) == 2
    finally:
        engine.dispose()
        for context in contexts:
            context.close()
    for watched in (contributor, reviewer):
        assert watched.console_errors == [], "the browser console logged errors"


def test_reg_brw005_a_draft_of_a_record_withdrawn_since_is_kept_and_said_so(browser, update_server):
    from domain.register import User
    from services.register import RegisterService

    record_id = published_record_with_two_figures(update_server, "Morning triage in the market square")
    contributor = page_for(browser, update_server, "edna")
    kept = "JSON.parse(localStorage.getItem('register-update-draft-of:edna'))"
    try:
        page = contributor.page
        page.goto(update_server.base_url)
        wait_for_map(page)
        page.locator("#outcomes-overview").scroll_into_view_if_needed()
        wait_until(page, "document.querySelectorAll('#outcomes-overview figure.lollipop').length > 0", timeout=TIMEOUT)
        choose_option(page, "register-update-of", "Morning", "Morning triage in the market square")
        wait_until(
            page,
            "document.querySelector('#register-figure-1-measure')?.value === 'Hours officers spent in A&E'",
            timeout=TIMEOUT,
        )
        page.fill("#register-summary", "Nurses and officers meet traders at the Saturday market.")
        page.locator("#register-summary").press("Tab")
        wait_until(page, f"{kept}?.values['register-summary']?.startsWith('Nurses and officers')", timeout=TIMEOUT)
        engine = register_engine(update_server)
        try:
            RegisterService(engine, "Kent PCC office", 100).withdraw(User("rita", True), record_id, "A duplicate.")
        finally:
            engine.dispose()
        page.wait_for_timeout(1500)  # the worker learns of the withdrawal within a poll
        page.reload()
        wait_for_map(page)
        wait_until(
            page,
            "document.querySelector('#register-summary')?.value.startsWith('Nurses and officers')",
            timeout=TIMEOUT,
        )
        assert page.locator("#register-figure-1-value").input_value() == "1250.5"
        wait_until(
            page,
            f"document.querySelector('#register-update-note')?.textContent.startsWith('{record_id} is no "
            "longer published')",
            timeout=TIMEOUT,
        )
        # Sent as it is, it is refused beside the picker, and the draft stays.
        page.click("#register-submit")
        wait_until(
            page,
            "document.querySelector('#register-submit-status')?.textContent.startsWith('Not sent')",
            timeout=TIMEOUT,
        )
        assert (
            "Only a published register initiative can be updated."
            in page.locator(".register-field:has(#register-update-of) .field-error").inner_text()
        )
        assert page.evaluate(f"{kept}?.record_id") == record_id
        # Discarded, there is no record to go back to: the form starts afresh, and so does a reload.
        page.click("#register-discard")
        wait_until(page, "document.querySelector('#register-summary')?.value === ''", timeout=TIMEOUT)
        wait_until(page, f"{kept} === null", timeout=TIMEOUT)
        page.reload()
        wait_for_map(page)
        page.wait_for_selector("#register-summary", timeout=TIMEOUT * 1000)
        assert page.locator("#register-summary").input_value() == ""
    finally:
        contributor.page.context.close()
    assert contributor.console_errors == [], "the browser console logged errors"


# --- issue 22: the register's own screens, read as a user reads them ----------------------------------------


def in_view(page, selector: str) -> bool:
    """Whether the element is shown and its top is within the window, as a user would see it."""
    return page.evaluate(
        """(selector) => {
        const el = document.querySelector(selector);
        if (!el || !el.offsetParent) return false;
        const r = el.getBoundingClientRect();
        return r.height > 0 && r.top >= -1 && r.top < window.innerHeight;
    }""",
        selector,
    )


def focused_id(page) -> str:
    return page.evaluate("document.activeElement?.id || ''")


def axe_all_impacts(page) -> list[dict]:
    """axe-core on the register's screens (its section and its way in): WCAG 2.2 AA and axe's best-practice rules,
    every impact counted, as tests/browser/test_accessibility.py's a11y001 runs them on every other view."""
    axe_violations(page)  # loads axe-core into the page
    return page.evaluate("""async () => {
        const r = await axe.run({include: [['#register-section'], ['#register-way-in']]}, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")


@pytest.mark.parametrize("width,height", [(1280, 720), (375, 740)])
def test_reg_brw006_a_way_in_from_the_top_of_the_page_scrolls_to_and_focuses_the_register(
    browser, update_server, width, height
):
    for user, words in (("rita", "Propose or review an initiative"), ("cleo", "Propose an initiative or a note")):
        watched = page_for(browser, update_server, user)
        page = watched.page
        try:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(update_server.base_url)
            wait_for_map(page)
            link = page.get_by_role("link", name=words, exact=True)
            link.wait_for(state="visible", timeout=TIMEOUT * 1000)
            assert in_view(page, "#register-way-in a"), "the way in is not on the first screen"
            assert not in_view(page, "#register-heading"), "the register is already in view: nothing to prove"
            address = page.url
            link.click()
            wait_until(page, "document.activeElement?.id === 'register-heading'", timeout=TIMEOUT)
            wait_until(
                page,
                """(() => { const r = document.querySelector('#register-heading').getBoundingClientRect();
                                         return r.top >= 0 && r.top < window.innerHeight; })()""",
                timeout=TIMEOUT,
            )
            assert page.locator("#register-heading").inner_text() == "The register: work the paper does not record"
            assert page.url == address  # the address holds the view: the link adds nothing to it
            # By keyboard too: the way in is reached early, and Enter takes the user there.
            page.evaluate("window.scrollTo(0, 0); document.activeElement.blur()")
            page.locator("#register-way-in a").first.focus()
            page.keyboard.press("Enter")
            wait_until(page, "document.activeElement?.id === 'register-heading'", timeout=TIMEOUT)
            # A reviewer goes to the queue, at the section's foot below the forms, in one step.
            queue = page.get_by_role("link", name="Go to the review queue", exact=True)
            assert queue.count() == (1 if user == "rita" else 0)
            if user == "rita":
                page.evaluate("window.scrollTo(0, 0)")
                queue.click()
                wait_until(page, "document.activeElement?.id === 'register-review-heading'", timeout=TIMEOUT)
                assert in_view(page, "#register-review-heading")
        finally:
            page.context.close()
        assert watched.console_errors == [], "the browser console logged errors"


def test_reg_brw006b_no_way_in_without_a_signed_in_user_or_without_the_register(browser, update_server, live_server):
    for base, headers in ((update_server.base_url, None), (live_server.base_url, {"X-Remote-User": "rita"})):
        watched = open_watched_page(
            browser, "/".join(base.split("/")[:3]), viewport={"width": 1280, "height": 720}, extra_headers=headers
        )
        page = watched.page
        try:
            page.goto(base)
            wait_for_map(page)
            assert page.locator("#register-way-in").count() == 0
            assert page.get_by_text("Propose or review").count() == 0
            assert page.get_by_text("Propose an initiative").count() == 0
        finally:
            page.context.close()


def test_reg_brw007_lists_are_one_per_line_or_chips_and_an_old_draft_still_sends_a_list(browser, update_server):
    from storage import register_store

    watched = page_for(browser, update_server, "lena")
    page = watched.page
    engine = register_engine(update_server)
    try:
        # A draft kept before the form asked for one organisation per line: its organisations between "|".
        page.goto(update_server.base_url)
        page.evaluate("""() => localStorage.setItem('_dash_persistence.register-lead_organisations.value."draft-of:lena"',
                         JSON.stringify(['Kent Police | Kent and Medway NHS Trust', '']))""")
        page.set_viewport_size({"width": 375, "height": 740})
        page.reload()
        wait_for_map(page)
        lead = page.locator(".register-field:has(#register-lead_organisations)")
        lead.scroll_into_view_if_needed()
        assert page.locator("#register-lead_organisations").evaluate("e => e.tagName") == "TEXTAREA"
        assert "One organisation per line." in lead.inner_text()
        assert "|" not in page.locator("#register-section").inner_text()  # no hint asks for "|" any more
        wait_until(
            page,
            "document.querySelector('#register-lead_organisations')?.value.startsWith('Kent Police |')",
            timeout=TIMEOUT,
        )
        page.fill("#register-partners", "Ashford Borough Council\n\nKent Fire and Rescue Service\n")

        # Themes chosen are shown as chips, each in words and whole, even on a phone.
        themes = ("Mental health", "Dementia", "Violence prevention", "Drugs and alcohol")
        for theme in themes:
            choose_option(page, "register-themes", theme.split()[0], theme)
        chips = page.locator("#register-themes .dash-dropdown-value-item")
        assert chips.all_inner_texts() == list(themes)
        for index in range(len(themes)):
            whole = chips.nth(index).evaluate("""chip => {
                const r = chip.getBoundingClientRect(), box = chip.closest('button').getBoundingClientRect();
                const style = getComputedStyle(chip, '::before');
                return r.width > 0 && r.left >= box.left && r.right <= box.right && r.bottom <= box.bottom
                       && chip.scrollWidth <= chip.clientWidth + 1 && (style.content === 'none' || style.content === 'normal');
            }""")
            assert whole, f"the chip {themes[index]!r} is cut off or run together with the others"
        # Force areas are chips the same way.
        choose_option(page, "register-force_ids", "Kent", "Kent Police")
        choose_option(page, "register-force_ids", "Essex", "Essex Police")
        assert page.locator("#register-force_ids .dash-dropdown-value-item").all_inner_texts() == [
            "Kent Police",
            "Essex Police",
        ]

        page.fill("#register-title", "Weekend patrols with the outreach team")
        page.fill("#register-place", "Ashford")
        choose_option(page, "register-kind_of_work", "pilot", "pilot")
        choose_option(page, "register-stage", "running", "running")
        choose_option(page, "register-evaluation", "none reported", "none reported")
        page.fill("#register-summary", "Officers and outreach workers walk the town centre together on weekends.")
        page.fill("#register-source", "https://example.org/ashford-patrols")
        page.locator("#register-source").press("Tab")
        page.click("#register-submit")
        wait_until(
            page,
            "document.querySelector('#register-submit-status')?.textContent.startsWith('Sent for review')",
            timeout=TIMEOUT,
        )
        sent = register_store.submissions_by(engine, "lena")[-1]
        # Stored as lists, as before: the old draft's "|" and the new lines alike.
        assert sent.payload["lead_organisations"] == ["Kent Police", "Kent and Medway NHS Trust"]
        assert sent.payload["partners"] == ["Ashford Borough Council", "Kent Fire and Rescue Service"]
        assert sorted(sent.payload["themes"]) == sorted(
            ["mental-health", "dementia", "violence-prevention", "drugs-alcohol"]
        )
    finally:
        engine.dispose()
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


def test_reg_brw008_a_failed_send_is_summarised_at_the_top_with_links_that_focus_each_field(browser, update_server):
    watched = page_for(browser, update_server, "milo")
    page = watched.page
    try:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.goto(update_server.base_url)
        wait_for_map(page)
        page.fill("#register-figure-0-value", "3")
        page.locator("#register-figure-0-value").press("Tab")
        page.click("#register-submit")
        summary = page.locator("#register-initiative-summary")
        summary.wait_for(state="visible", timeout=TIMEOUT * 1000)
        # Focus moves to the summary, far above the button, and it is in view.
        wait_until(page, "document.activeElement?.id === 'register-initiative-summary'", timeout=TIMEOUT)
        assert in_view(page, "#register-initiative-summary")
        heading = summary.locator(".register-summary-heading").inner_text()
        count = summary.locator("li").count()
        assert heading.startswith(f"{count} fields need attention: Title, Force areas, Place, Lead organisations,"), (
            heading
        )
        assert "Figure 1 what was measured" in heading and heading.endswith(".")
        # Each field named in words with its problem as a sentence, and a link that focuses it.
        assert "Title: Give the initiative a title." in summary.inner_text()
        for name, control in (
            ("Title", "register-title"),
            ("Force areas", "register-force_ids"),
            ("Figure 1 unit", "register-figure-0-unit"),
            ("Lead organisations", "register-lead_organisations"),
        ):
            summary.get_by_role("link", name=name, exact=True).click()
            wait_until(page, f"document.activeElement?.id === {control!r}", timeout=TIMEOUT)
            assert in_view(page, f"#{control}")
            page.locator("#register-initiative-summary").focus()
        assert page.locator("#register-submit-status").inner_text().startswith("Not sent: ")
        # The note's form the same way.
        page.click("#register-note-submit")
        note_summary = page.locator("#register-note-summary")
        note_summary.wait_for(state="visible", timeout=TIMEOUT * 1000)
        wait_until(page, "document.activeElement?.id === 'register-note-summary'", timeout=TIMEOUT)
        assert (
            note_summary.locator(".register-summary-heading")
            .inner_text()
            .startswith("4 fields need attention: Initiative, Kind of note, Note and Source.")
        )
        note_summary.get_by_role("link", name="Kind of note", exact=True).click()
        wait_until(page, "document.activeElement?.id === 'register-note-note_kind'", timeout=TIMEOUT)
        # Every message on the register's screens is a whole sentence: a capital first, a full stop last.
        messages = [
            m.strip()
            for m in page.locator(
                "#register-section .field-error, #register-section .register-status"
            ).all_inner_texts()
            if m.strip()
        ]
        assert messages
        fragments = [m for m in messages if not (m[:1].isupper() or m[:1] == "#") or not m.endswith(".")]
        assert fragments == []
        assert not any(m.lower().startswith(("is required", "must ")) or " is required" in m for m in messages), (
            messages
        )
    finally:
        page.context.close()
    assert watched.console_errors == [], "the browser console logged errors"


def test_reg_brw009_axe_finds_no_violation_of_any_impact_on_the_register_screens(browser, update_server):
    from domain.register import User
    from services.register import RegisterService
    from tests.register_requests import reference, valid_payload

    engine = register_engine(update_server)
    try:  # something in the reviewer's queue, with its diff and buttons
        RegisterService(engine, "Kent PCC office", 100).propose(
            User("nina", False), "new initiative", valid_payload(title="Night buses with street pastors"), reference()
        )
    finally:
        engine.dispose()
    for user in ("nina", "rita"):  # a contributor's screens, then a reviewer's
        watched = page_for(browser, update_server, user)
        page = watched.page
        try:
            page.goto(update_server.base_url)
            wait_for_map(page)
            if user == "rita":
                page.locator(".register-item").first.wait_for(timeout=TIMEOUT * 1000)
            page.click("#register-submit")  # with the errors and their summary showing
            page.locator("#register-initiative-summary li").first.wait_for(timeout=TIMEOUT * 1000)
            page.click("#register-note-submit")
            page.locator("#register-note-summary li").first.wait_for(timeout=TIMEOUT * 1000)
            for width in (375, 768, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_timeout(200)
                assert axe_all_impacts(page) == [], f"{user} at {width} px"
        finally:
            page.context.close()
        assert watched.console_errors == [], "the browser console logged errors"


@pytest.mark.parametrize("width,height", [(1280, 720), (375, 740)])
def test_reg_brw010_a_recently_added_record_opens_its_forces_profile_with_the_focus_there(
    browser, update_server, width, height
):
    # Trial 14 (medium): at 1280, Enter on "Added: …" in "Recently added or corrected" loaded a new page at its top,
    # the focus nowhere, so the next Tab went to "Skip to the results".
    title = f"Weekend outreach at the bus station {width}"
    published_record_with_two_figures(update_server, title)
    watched = page_for(browser, update_server, None)
    page = watched.page
    try:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(update_server.base_url)
        wait_for_map(page)
        page.locator("#recent-changes summary").click()
        link = page.locator("#recent-changes-list a", has_text=title)
        link.focus()
        page.keyboard.press("Enter")
        wait_until(page, "document.activeElement?.id === 'view-title'", timeout=TIMEOUT)
        assert page.locator("#view-title").inner_text() == "Metropolitan Police Service"  # the sample proposal's force
        assert in_view(page, "#view-title")
        wait_until(
            page, "(t) => document.querySelector('#case-studies')?.textContent.includes(t)", title, timeout=TIMEOUT
        )
    finally:
        page.context.close()
    assert watched.console_errors == []
