"""Where a record comes from, read in chromium: a published register record's force is clicked, and its
collapsed title and its card say "Register" and the register's citation, never the paper's; an erratum
on one of the paper's figures flags the title, the chart row and the table, on screen and on paper."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from domain.loading import load_dataset
from domain.register import Reference, User
from services.register import RegisterService
from storage.database import connect, migrate
from tests.conftest import click_force, open_watched_page, start_gunicorn, stop, wait_for_map, wait_until

pytestmark = pytest.mark.browser
TIMEOUT = 30
KENT, LEICESTERSHIRE = "E23000032", "E23000021"
PUBLISHED = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)
ERRATUM = "The paper's 81% counts only weekday shifts, as the trust's 2017 report says."


def publish_fixture_records(url: str) -> None:
    """One register initiative in Kent and one erratum on a paper figure, proposed by one user and
    published by another, as the service does for the forms."""
    engine = connect(url)
    try:
        migrate(engine)
        service = RegisterService(engine, "Kent PCC office", 20, clock=lambda: PUBLISHED)
        reference = Reference.of(load_dataset(Path(__file__).resolve().parents[2] / "data"))
        contributor, reviewer = User("carla", False), User("rita", True)
        initiative = service.propose(
            contributor,
            "new initiative",
            {
                "title": "Street triage in Ashford",
                "force_ids": ["Kent"],
                "place": "Ashford",
                "lead_organisations": "Kent Police",
                "partners": "",
                "themes": ["mental-health"],
                "kind_of_work": "pilot",
                "stage": "running",
                "evaluation": "none reported",
                "start_year": "2019",
                "end_year": "",
                "summary": "Mental health nurses ride with officers on weekend nights.",
                "source": "https://example.org/ashford-report",
                "figures": [
                    {
                        "measure": "Section 136 detentions in Ashford",
                        "value": "30",
                        "unit": "percent",
                        "qualifier": "",
                        "direction": "reduction",
                        "period": "2019",
                        "comparator": "2018",
                        "kind": "result",
                        "design": "before and after, no comparison group",
                        "source": "Annual report, p. 4",
                    }
                ],
            },
            reference,
        )
        note = service.propose(
            contributor,
            "note",
            {
                "about_id": "leicestershire-triage-car",
                "note_kind": "erratum",
                "text": ERRATUM,
                "source": "Trust report 2017",
                "figure_id": "fig-043",
            },
            reference,
        )
        service.publish(reviewer, initiative.id, reference)
        service.publish(reviewer, note.id, reference)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def published_server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('provenance') / 'register.sqlite3'}"
    publish_fixture_records(url)
    server = start_gunicorn(
        workers=1,
        extra_env={
            "PPH_REGISTER": "1",
            "PPH_DATABASE_URL": url,
            "PPH_USER_HEADER": "X-Remote-User",
            "PPH_REVIEWERS": "rita",
            "PPH_ORGANISATION": "Kent PCC office",
            "PPH_REGISTER_POLL_SECONDS": "1",
        },
    )
    yield server
    stop(server)


def test_prov_brw001_a_register_records_title_and_citation_say_register_after_a_click(browser, published_server):
    origin = "/".join(published_server.base_url.split("/")[:3])
    reader = open_watched_page(browser, origin, viewport={"width": 1280, "height": 900})
    page = reader.page
    try:
        page.goto(published_server.base_url)
        wait_for_map(page)
        click_force(page, KENT)
        wait_until(
            page,
            "document.querySelector('#case-studies')?.textContent.includes('Street triage in Ashford')",
            timeout=TIMEOUT,
        )
        item = page.locator("details.initiative", has_text="Street triage in Ashford")
        # Collapsed: the source is a word beside the title, visible without opening the card.
        badge = item.locator("summary .badge-register")
        assert badge.is_visible() and badge.inner_text() == "Register"
        assert "PHE 2016" not in item.locator("summary").inner_text()
        item.locator("summary").click()
        citation = item.locator(".card .provenance")
        citation.wait_for(state="visible", timeout=TIMEOUT * 1000)
        assert citation.inner_text() == (
            "Record source: Register, reviewed 2026-11-27 by Kent PCC office; "
            "source: https://example.org/ashford-report"
        )
        card = item.locator(".card").inner_text()
        assert "PHE 2016" not in card and "no reference mark" not in card and "Part of the paper's" not in card
        # The figure's citation in the table is the register's too.
        wait_until(
            page,
            "document.querySelector('#outcome-table')?.textContent.includes('Section 136 detentions in Ashford')",
            timeout=TIMEOUT,
        )
        row = page.locator("#outcome-table tr", has_text="Section 136 detentions in Ashford")
        assert "Register, reviewed 2026-11-27 by Kent PCC office; source: Annual report, p. 4" in row.inner_text()
        # The map's tooltip names the count's source.
        assert "from the register" in page.locator(f'#force-map path[data-force="{KENT}"]').get_attribute("aria-label")

        # An erratum on one of the paper's figures: the title, the chart row and the table row say so.
        click_force(page, LEICESTERSHIRE)
        wait_until(page, "document.querySelector('#outcome-table')?.textContent.includes('Erratum: ')", timeout=TIMEOUT)
        flagged = page.locator("details.initiative", has_text="Leicestershire mental health triage car")
        assert flagged.locator("summary .badge-note").inner_text() == "Erratum"
        assert flagged.locator("summary .badge-paper").inner_text() == "PHE 2016 paper"
        assert page.locator("#outcome-charts li", has_text="— Erratum").count() == 1
        assert page.locator("#outcome-table .figure-note").inner_text() == f"Erratum: {ERRATUM}"
        # On paper the charts give way to the table; the flags and the source stay.
        page.emulate_media(media="print")
        assert page.locator("#outcome-table .figure-note").is_visible()
        assert flagged.locator("summary .badge-note").is_visible()
        assert flagged.locator(".card .provenance").is_visible()
    finally:
        page.context.close()
    assert reader.foreign_requests == [], "requests left the app's origin"
    assert reader.console_errors == [], "the browser console logged errors"
