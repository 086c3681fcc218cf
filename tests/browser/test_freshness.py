"""An open page learns of a publication: a reader's page, open before a reviewer publishes, says "New
register records: reload", and the link reloads it with the record counted."""

from __future__ import annotations

import pytest

from components.freshness import RELOAD_TEXT
from domain.register import User
from services.register import RegisterService
from storage.database import connect, migrate
from tests.conftest import open_watched_page, start_gunicorn, stop, wait_for_map, wait_until
from tests.register_requests import CONTRIBUTOR, REVIEWER, reference, register_count_note, valid_payload

pytestmark = pytest.mark.browser
TIMEOUT = 40  # an open page asks every 10 s (components/freshness.py)
TITLE = "Night-time triage published while a page was open"


@pytest.fixture
def register_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'register.sqlite3'}"
    server = start_gunicorn(
        workers=2,
        log_path=tmp_path / "gunicorn.log",
        extra_env={
            "PPH_REGISTER": "1",
            "PPH_DATABASE_URL": url,
            "PPH_USER_HEADER": "X-Remote-User",
            "PPH_REVIEWERS": REVIEWER,
            "PPH_REGISTER_POLL_SECONDS": "1",
        },
    )
    yield server, url
    stop(server)


def test_fresh_brw001_an_open_page_says_new_records_and_reloads_to_them(browser, register_server):
    server, url = register_server
    watched = open_watched_page(browser, "/".join(server.base_url.split("/")[:3]))
    page = watched.page
    page.goto(f"{server.base_url}?force=E23000032")
    wait_for_map(page)
    assert page.locator("#freshness-notice").inner_text() == ""
    assert register_count_note(1) not in page.content()

    engine = connect(url)
    try:
        migrate(engine)
        service = RegisterService(engine, "Kent PCC office", 100)
        sent = service.propose(User(CONTRIBUTOR, False), "new initiative", valid_payload(title=TITLE), reference())
        service.publish(User(REVIEWER, True), sent.id, reference())
    finally:
        engine.dispose()

    wait_until(
        page,
        "(text) => document.querySelector('#freshness-notice')?.textContent === text",
        RELOAD_TEXT,
        timeout=TIMEOUT,
    )
    page.click("#freshness-notice a")
    wait_until(page, "(text) => document.body.textContent.includes(text)", register_count_note(1), timeout=TIMEOUT)
    assert "force=E23000032" in page.url  # the same view, reloaded
    assert page.locator("#freshness-notice").inner_text() == ""
    assert watched.console_errors == [] and watched.foreign_requests == []
    page.context.close()
