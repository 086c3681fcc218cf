"""Deployment tier: the register on PostgreSQL under real gunicorn, and PostgreSQL going away mid-load.

Readers (the page, `/_dash-layout`, the drill-down callback) keep being served the last published data
with no 5xx; a submission during the outage is answered "unavailable, your draft is kept"; once the
database is back, the same gunicorn (no restart) stores a submission and its publication reaches readers.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from dash import Dash

from components.register import UNAVAILABLE, UNAVAILABLE_NOW
from domain.register import User
from services.register import RegisterService
from storage import register_store
from storage.database import connect, migrate
from storage.errors import RegisterUnavailable
from tests.conftest import LiveServer, start_gunicorn, stop
from tests.register_requests import (
    CONTRIBUTOR,
    REVIEWER,
    USER_HEADER,
    VALID_FIELDS,
    VALID_FIGURE,
    engine_for,
    initiative_request,
    overview_request,
    page_token,
    post_callback,
    reference,
    register_app,
    register_count_note,
    response_values,
    review_request,
    simple_request,
    valid_payload,
)
from tests.register_requests import pending as stored_pending

# The deploy tier's marker: these tests start real servers (gunicorn and PostgreSQL) rather than a test client.
pytestmark = [pytest.mark.database]

BEFORE = "Night-time street triage published before the outage"
AFTER = "Custody liaison sent after the outage"
FORCE = VALID_FIELDS["force_ids"][0]  # the force both records work in, so its drill-down shows them
POLL_SECONDS = 1
TIMEOUT = 20.0


@dataclass
class Answer:
    status: int
    body: str
    headers: Mapping[str, str]


@dataclass
class Reads:
    """Every read the load made: (when it ended, what was asked, its status, whether it showed BEFORE)."""

    done: list[tuple[float, str, int, bool]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # refused or broken connections, and 5xx bodies
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One keep-alive connection to gunicorn, as a browser tab holds; reconnects if the server closed it."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.origin = f"http://{self.host}:{self.port}"
        self.cookies: dict[str, str] = {}
        self._connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)

    def request(self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None) -> Answer:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self._connection.request(method, path, body=data, headers=sent)
                response = self._connection.getresponse()
                text = response.read().decode("utf-8", errors="replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closes an idle keep-alive connection after its keepalive seconds: open a new one.
                self._connection.close()
                self._connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return Answer(response.status, text, dict(response.headers))

    def close(self) -> None:
        self._connection.close()


def register_callback(client: Client, payload: dict, user: str) -> Answer:
    """A register callback as the page sends it: same origin, the CSRF cookie echoed, the proxy's user header."""
    if "_csrf_token" not in client.cookies:
        assert client.request("GET", "/").status == 200
    return client.request(
        "POST",
        "/_dash-update-component",
        payload,
        {
            "Origin": client.origin,
            "Sec-Fetch-Site": "same-origin",
            "X-CSRFToken": client.cookies["_csrf_token"],
            USER_HEADER: user,
        },
    )


def status_text(answer: Answer, component: str) -> str:
    assert answer.status == 200, (answer.status, answer.body[:500])
    return str(json.loads(answer.body)["response"].get(component, {}).get("children", ""))


def send_initiative(client: Client, app: Dash, title: str) -> str:
    """Click "Send for review" with a valid form titled `title`; the status line the page then shows."""
    payload = initiative_request(app, {**VALID_FIELDS, "title": title}, [VALID_FIGURE], key=uuid.uuid4().hex)
    return status_text(register_callback(client, payload, CONTRIBUTOR), "register-submit-status")


@pytest.fixture(scope="module")
def request_builder(tmp_path_factory) -> Dash:
    """An app in this process whose callback map and reviewer's page the request bodies are built from;
    gunicorn's app declares the same callbacks (its database plays no part in building them)."""
    return register_app(tmp_path_factory.mktemp("request-builder"))


@pytest.fixture
def register_on_postgres(postgres, tmp_path: Path) -> Iterator[tuple[LiveServer, str, Path]]:
    """gunicorn (two workers) with the register on a PostgreSQL database that already has BEFORE published."""
    url = postgres.new_database("faults")
    engine = connect(url)
    try:
        migrate(engine)
        service = RegisterService(engine, "PHE", submissions_per_hour=100)
        sent = service.propose(User(CONTRIBUTOR, False), "new initiative", valid_payload(title=BEFORE), reference())
        service.publish(User(REVIEWER, True), sent.id, reference())
    finally:
        engine.dispose()
    log = tmp_path / "gunicorn.log"
    server = start_gunicorn(
        workers=2,
        log_path=log,
        extra_env={
            "PPH_REGISTER": "1",
            "PPH_DATABASE_URL": url,
            "PPH_USER_HEADER": USER_HEADER,
            "PPH_REVIEWERS": REVIEWER,
            "PPH_REGISTER_POLL_SECONDS": str(POLL_SECONDS),
        },
    )
    try:
        yield server, url, log
    finally:
        stop(server)


def shows_before(path: str, body: str) -> bool:
    """Whether an answer shows BEFORE: the page's map legend counts it; the callbacks name it."""
    return register_count_note(1) in body if path == "/_dash-layout" else BEFORE in body


def read_load(base_url: str, drill_down: dict, overview: dict, reads: Reads, stopping: threading.Event) -> None:
    """What anonymous readers ask for, round and round, until told to stop: the page, its layout, a force's
    profile and the outcomes overview's charts."""
    client = Client(base_url)
    asks = [
        ("GET", "/", None),
        ("GET", "/_dash-layout", None),
        ("POST", "/_dash-update-component", drill_down),
        ("POST", "/_dash-update-component", overview),
    ]
    try:
        while not stopping.is_set():
            for method, path, body in asks:
                try:
                    answer = client.request(method, path, body)
                except OSError as error:
                    with reads.lock:
                        reads.failures.append(f"{method} {path}: {error!r}")
                    continue
                with reads.lock:
                    reads.done.append((time.monotonic(), path, answer.status, shows_before(path, answer.body)))
                    if answer.status >= 500 or "Traceback" in answer.body:
                        reads.failures.append(f"{method} {path}: {answer.status} {answer.body[:300]}")
    finally:
        client.close()


def wait_for_overview_with(client: Client, overview: dict, text: str) -> float:
    """Seconds until the outcomes overview an anonymous reader gets shows `text` (each worker checks on its own)."""
    started = time.monotonic()
    while time.monotonic() - started < TIMEOUT:
        if text in client.request("POST", "/_dash-update-component", overview).body:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not reach the outcomes overview within {TIMEOUT}s")


def test_db001_postgresql_outage_under_read_load(postgres, register_on_postgres, request_builder):
    server, url, log = register_on_postgres
    app = request_builder
    # The drill-down: the callback that fills a force's profile (another one only updates its title).
    drill_down_key = next(k for k in app.callback_map if k.startswith("..view-title.children..."))
    drill_down = simple_request(app, drill_down_key, {"view-state": {"query": f"?force={FORCE}", "notices": []}})
    # What the load asks for shows the record published before the outage, before anything is stopped.
    overview = overview_request(app)
    assert BEFORE in Client(server.base_url).request("POST", "/_dash-update-component", drill_down).body
    assert BEFORE in Client(server.base_url).request("POST", "/_dash-update-component", overview).body
    assert register_count_note(1) in Client(server.base_url).request("GET", "/_dash-layout").body

    reads, stopping = Reads(), threading.Event()
    readers = [
        threading.Thread(target=read_load, args=(server.base_url, drill_down, overview, reads, stopping))
        for _ in range(2)
    ]
    writer, reviewer = Client(server.base_url), Client(server.base_url)
    for reader in readers:
        reader.start()
    try:
        time.sleep(2)
        outage_started = time.monotonic()
        postgres.stop()
        try:
            assert not postgres.is_running()
            time.sleep(3 * POLL_SECONDS)  # the readers' requests have made every worker's check fail meanwhile

            # A submission during the outage: answered, not a 5xx, saying the draft is kept.
            answer = send_initiative(writer, app, "Sent while the database is down")
            assert answer == UNAVAILABLE
            assert "unavailable" in answer and "draft is kept" in answer
            queue = register_callback(reviewer, review_request(app, [], 0, action="queue-refresh"), REVIEWER)
            assert status_text(queue, "register-review-status") == UNAVAILABLE_NOW
            mine = register_callback(writer, simple_request(app, "register-mine.children"), CONTRIBUTOR)
            assert UNAVAILABLE_NOW in json.dumps(json.loads(mine.body)["response"]["register-mine"])
            time.sleep(POLL_SECONDS)
        finally:
            postgres.start()
            outage_ended = time.monotonic()

        # The same gunicorn, never restarted: the first write after the outage is stored.
        sent = send_initiative(writer, app, AFTER)
        number = re.fullmatch(r"Sent for review as #(\d+)\. Its status is under Your submissions\.", sent)
        assert number, sent
        submission_id = int(number.group(1))
        published = register_callback(reviewer, review_request(app, [submission_id], submission_id), REVIEWER)
        assert status_text(published, "register-review-status").startswith(f"Published #{submission_id} as reg-")
        wait_for_overview_with(Client(server.base_url), overview, AFTER)
        # Both workers have it: several anonymous loads in a row (either worker may answer each) all show it.
        time.sleep(2 * POLL_SECONDS)
        checker = Client(server.base_url)
        assert all(AFTER in checker.request("POST", "/_dash-update-component", overview).body for _ in range(10))
        assert all(register_count_note(2) in checker.request("GET", "/_dash-layout").body for _ in range(10))
    finally:
        stopping.set()
        for reader in readers:
            reader.join(timeout=30)

    assert reads.failures == []
    assert max(status for _, _, status, _ in reads.done) < 500
    during = [(path, status, shown) for at, path, status, shown in reads.done if outage_started <= at <= outage_ended]
    assert len(during) >= 20, f"only {len(during)} reads overlapped the outage"
    assert {path for path, _, _ in during} == {"/", "/_dash-layout", "/_dash-update-component"}
    # The last published data stayed on show: every layout, drill-down and overview answer held the record.
    assert all(status == 200 for _, status, _ in during)
    assert all(shown for path, _, shown in during if path != "/")
    assert server.process.poll() is None
    log_text = log.read_text(errors="replace")
    assert log_text.count("Booting worker") == 2, "a worker was restarted"
    assert "register unavailable, still serving" in log_text

    # What is stored: the record from before, the one sent after; nothing from the refused attempt.
    engine = connect(url)
    try:
        titles = sorted(s.payload["title"] for s in register_store.submissions_by(engine, CONTRIBUTOR))
        assert titles == sorted([BEFORE, AFTER])
        assert sorted(r.payload["title"] for r in register_store.published_records(engine)) == sorted([BEFORE, AFTER])
    finally:
        engine.dispose()


def test_db002_database_gone_between_a_write_and_the_list_that_follows_it(tmp_path, monkeypatch):
    # The write commits, then the database goes away before the page's list is re-read: a moment too
    # short to hit with a real outage, so the re-read is made to fail as an outage makes it fail. The
    # user is told what was stored (no 5xx, no "unavailable" about a write that succeeded).
    app = register_app(tmp_path)
    client = app.server.test_client()
    token = page_token(client)

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise RegisterUnavailable("the register's database is unavailable: connection refused")

    monkeypatch.setattr(register_store, "submissions_by", unavailable)
    sent = post_callback(client, initiative_request(app, figures=[VALID_FIGURE]), token=token)
    assert sent.status_code == 200
    assert response_values(sent)["register-submit-status"]["children"].startswith("Sent for review as #1.")
    assert "register-mine" not in response_values(sent)  # left as shown
    assert [s.id for s in stored_pending(tmp_path)] == [1]

    monkeypatch.setattr(register_store, "pending", unavailable)
    published = post_callback(client, review_request(app, [1], 1), user=REVIEWER, token=token)
    assert published.status_code == 200
    message = response_values(published)["register-review-status"]["children"]
    assert message.startswith("Published #1 as reg-0001.") and "could not be reloaded" in message
    assert "register-queue" not in response_values(published)
    with engine_for(tmp_path) as engine:
        assert [r.record_id for r in register_store.published_records(engine)] == ["reg-0001"]


def publish_one(url: str, title: str) -> None:
    engine = connect(url)
    try:
        migrate(engine)
        service = RegisterService(engine, "PHE", submissions_per_hour=100)
        sent = service.propose(User(CONTRIBUTOR, False), "new initiative", valid_payload(title=title), reference())
        service.publish(User(REVIEWER, True), sent.id, reference())
    finally:
        engine.dispose()


def test_db003_a_worker_started_by_hup_after_a_publication_shows_it_on_its_first_request(tmp_path):
    # An hour between checks: only a check made by the new worker itself can show the publication.
    import os
    import signal

    from tests.deploy.fleet import poll, workers_of

    url = f"sqlite:///{tmp_path / 'register.sqlite3'}"
    server = start_gunicorn(
        workers=2,
        log_path=tmp_path / "gunicorn.log",
        extra_env={
            "PPH_REGISTER": "1",
            "PPH_DATABASE_URL": url,
            "PPH_USER_HEADER": USER_HEADER,
            "PPH_REVIEWERS": REVIEWER,
            "PPH_REGISTER_POLL_SECONDS": "3600",
        },
    )
    try:
        client = Client(server.base_url)
        assert register_count_note(1) not in client.request("GET", "/_dash-layout").body
        publish_one(url, BEFORE)
        before = set(workers_of(server.process.pid))
        os.kill(server.process.pid, signal.SIGHUP)
        poll(
            lambda: not before & set(now := workers_of(server.process.pid)) and len(now) == 2,
            "both workers were replaced after HUP",
            timeout=60,
        )
        # Every answer of the new workers, the first included (a fresh connection each, either worker).
        for _ in range(6):
            fresh = Client(server.base_url)
            assert register_count_note(1) in fresh.request("GET", "/_dash-layout").body
            fresh.close()
    finally:
        stop(server)


def test_db004_an_instance_started_during_an_outage_serves_the_paper_then_joins_the_register(postgres, tmp_path):
    from components.freshness import UNREACHABLE_TEXT

    url = postgres.new_database("start_in_outage")
    publish_one(url, BEFORE)
    postgres.stop()
    server = None
    try:
        # Starts, no refusal: the read-only dashboard does not go down with the register's database.
        server = start_gunicorn(
            workers=2,
            log_path=tmp_path / "gunicorn.log",
            extra_env={
                "PPH_REGISTER": "1",
                "PPH_DATABASE_URL": url,
                "PPH_USER_HEADER": USER_HEADER,
                "PPH_REVIEWERS": REVIEWER,
                "PPH_REGISTER_POLL_SECONDS": str(POLL_SECONDS),
            },
        )
        client = Client(server.base_url)
        for _ in range(4):
            layout = client.request("GET", "/_dash-layout")
            assert layout.status == 200 and UNREACHABLE_TEXT in layout.body
            assert register_count_note(1) not in layout.body  # the paper's data only
        assert client.request("GET", "/").status == 200
    finally:
        postgres.start()
    try:
        # Joined once the database is back: the notice gone and the published record counted, by both workers.
        deadline = time.monotonic() + TIMEOUT
        while True:
            bodies = [Client(server.base_url).request("GET", "/_dash-layout").body for _ in range(6)]
            if all(register_count_note(1) in b and UNREACHABLE_TEXT not in b for b in bodies):
                break
            assert time.monotonic() < deadline, "the instance did not join the register after the outage"
            time.sleep(0.5)
        assert "cannot be reached" in (tmp_path / "gunicorn.log").read_text(errors="replace")
    finally:
        stop(server)
