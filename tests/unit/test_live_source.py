"""The register's live source in each worker: fresh from a worker's first request with no poller thread,
never held up long by a database that is down, folded records cached on what they were folded from, and
an instance that starts while the database is unreachable serving the paper until it returns."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import datetime, timezone

import pytest

import services.live_source as live
from components import freshness
from components.app_factory import create_app
from domain.register import RegisterRecord
from domain.register import User
from services.live_source import RegisterSource
from services.register import RegisterService
from settings import Settings
from storage.database import connect, migrate
from tests.register_requests import (
    CONTRIBUTOR,
    REVIEWER,
    paper,
    reference,
    register_app,
    register_count_note,
    simple_request,
    valid_payload,
)

TITLE = "Street triage published while the page was open"


@pytest.fixture
def engine(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    migrate(engine)
    yield engine
    engine.dispose()


def publish(engine, title: str = TITLE):
    service = RegisterService(engine, "Kent PCC office", 100)
    sent = service.propose(User(CONTRIBUTOR, False), "new initiative", valid_payload(title=title), reference())
    return service.publish(User(REVIEWER, True), sent.id, reference())


def titles(source: RegisterSource) -> set[str]:
    return {i.title for i in source.current().dataset.initiatives}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def checking_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("register-")]


def test_live001_a_request_after_the_poll_period_sees_a_publication_and_no_thread_stays(engine):
    clock = Clock()
    source = RegisterSource(paper(), engine, poll_seconds=5, clock=clock)
    publish(engine)
    clock.now += 4
    assert TITLE not in titles(source)  # checked 4 s ago: the snapshot in hand is served
    clock.now += 1
    assert TITLE in titles(source)  # the request that finds the check 5 s old checks, and waits for it
    for thread in checking_threads():
        thread.join(5)
    assert checking_threads() == []  # nothing polls in the background


def test_live002_a_forked_worker_serves_the_current_publication_on_its_first_request(engine):
    # As under gunicorn's preload_app: the master reads the register, a publication follows, then a worker
    # forks. Its poll period (an hour) has not run out, and no thread of the master survives the fork.
    source = RegisterSource(paper(), engine, poll_seconds=3600)
    record = publish(engine)
    assert record.record_id not in source.current().dataset.initiatives_by_id
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: its first request
        try:
            shown = record.record_id in source.current().dataset.initiatives_by_id
            os.write(writing, b"shown" if shown else b"stale")
        finally:
            os._exit(0)
    os.close(writing)
    answer = os.read(reading, 16)
    os.close(reading)
    os.waitpid(child, 0)
    assert answer == b"shown"


def test_live003_a_hanging_database_holds_a_request_up_only_briefly(engine, monkeypatch):
    clock = Clock()
    source = RegisterSource(paper(), engine, poll_seconds=2, clock=clock)
    before = source.current()
    released = threading.Event()
    monkeypatch.setattr(live, "CHECK_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(live.register_store, "published_revision", lambda _engine: released.wait(30) and 0)
    clock.now += 2
    started = time.perf_counter()
    assert source.current() is before
    assert time.perf_counter() - started < 1.0
    # While that check still hangs, later requests do not wait on it at all.
    clock.now += 2
    started = time.perf_counter()
    assert source.current() is before
    assert time.perf_counter() - started < 0.1
    released.set()


def record(title: str, published_at: datetime) -> RegisterRecord:
    payload = valid_payload(title=title)
    payload["figures"] = []
    return RegisterRecord("reg-0001", "initiative", payload, published_at, "Kent PCC office", 2)


def test_live004_a_record_stored_again_under_the_same_revision_is_folded_again(engine, monkeypatch):
    # Two publications raced to revision 2 of reg-0001, or a backup was restored: the same (id, revision)
    # with other content. The cache must not keep showing the first.
    stored = {"revision": 1, "records": [record("First of the two", datetime(2026, 1, 1, tzinfo=timezone.utc))]}

    class Row:
        def __init__(self, r: RegisterRecord):
            self.record_id, self.kind, self.payload, self.published_at = r.record_id, r.kind, r.payload, r.published_at
            self.organisation, self.revision = r.organisation, r.revision
            self.published_by, self.self_published = r.published_by, r.self_published

    monkeypatch.setattr(live.register_store, "published_revision", lambda _engine: stored["revision"])
    monkeypatch.setattr(live.register_store, "published_records", lambda _engine: [Row(r) for r in stored["records"]])
    source = RegisterSource(paper(), engine, poll_seconds=3600)
    assert source.current().dataset.initiatives_by_id["reg-0001"].title == "First of the two"
    stored.update(revision=2, records=[record("Second of the two", datetime(2026, 1, 1, 0, 0, 1, tzinfo=timezone.utc))])
    assert source.refresh() is True
    assert source.current().dataset.initiatives_by_id["reg-0001"].title == "Second of the two"


def test_live005_an_instance_started_while_the_database_is_unreachable_serves_the_paper_then_joins(tmp_path):
    database = tmp_path / "register" / "r.sqlite3"
    database.mkdir(parents=True)  # a folder where the file should be: SQLite cannot open it, as if the disk were gone
    settings = Settings(
        register=True,
        database_url=f"sqlite:///{database}",
        user_header="X-Remote-User",
        reviewers=frozenset({REVIEWER}),
        register_poll_seconds=1,
    )
    app = create_app(settings, paper())  # starts: no StartupError
    client = app.server.test_client()
    page = client.get("/_dash-layout")
    assert page.status_code == 200 and freshness.UNREACHABLE_TEXT in page.get_data(as_text=True)
    assert _store_data(page.get_json(), freshness.SHOWN) == -1

    database.rmdir()  # the database is back: the next check after the poll period migrates it and reads it
    engine = connect(f"sqlite:///{database}")
    migrate(engine)
    publish(engine)
    engine.dispose()
    # Waits for the positive signal, the notice gone, rather than a fixed spell past the 1 s poll period.
    deadline = time.monotonic() + 10
    while freshness.UNREACHABLE_TEXT in (layout := client.get("/_dash-layout").get_data(as_text=True)):
        assert time.monotonic() < deadline, "the app did not join the register within 10 s of its return"
        time.sleep(0.1)
    assert TITLE in layout or register_count_note(1) in layout


def test_live006_an_open_page_is_told_of_a_later_revision(tmp_path):
    app = register_app(tmp_path, register_poll_seconds=1)
    source = app.server.extensions["pph.source"]
    key = next(k for k in app.callback_map if freshness.NOTICE in k)
    client = app.server.test_client()
    page = client.get("/_dash-layout").get_json()
    shown = _store_data(page, freshness.SHOWN)
    assert shown == 0

    def ask(shown_revision: int):
        request = simple_request(app, key, {freshness.SHOWN: shown_revision, "url": "?force=E23000032"})
        request["changedPropIds"] = [f"{freshness.CHECK}.n_intervals"]
        return client.post("/_dash-update-component", json=request)

    assert ask(shown).status_code == 204  # nothing new: nothing sent back
    engine = connect(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    publish(engine)
    engine.dispose()
    source.refresh()
    answer = ask(shown)
    assert answer.status_code == 200
    outputs = answer.get_json()["response"]
    assert freshness.RELOAD_TEXT in json.dumps(outputs[freshness.NOTICE]) and "?force=E23000032" in json.dumps(outputs)
    assert outputs[freshness.CHECK]["disabled"] is True
    # A worker that has not yet seen what the page's worker saw says nothing.
    assert ask(shown + 5).status_code == 204


def test_live007_the_read_only_dashboard_has_no_freshness_part(tmp_path):
    app = create_app(Settings(), paper())
    assert not any(freshness.NOTICE in k for k in app.callback_map)
    layout = app.server.test_client().get("/_dash-layout").get_data(as_text=True)
    assert "freshness" not in layout


def _store_data(tree, component_id):
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props, dict) and props.get("id") == component_id:
                return props.get("data")
            stack.extend(props.values() if isinstance(props, dict) else [])
    raise AssertionError(f"{component_id} is not in the page")


def test_live008_register_apps_leave_no_thread_running(tmp_path):
    app = register_app(tmp_path, register_poll_seconds=1)
    client = app.server.test_client()
    for _ in range(3):
        assert client.get("/_dash-layout").status_code == 200
        time.sleep(0.5)
    for thread in checking_threads():
        thread.join(5)
    assert checking_threads() == []
