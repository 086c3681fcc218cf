"""Deployment tier: the register scaled out. Real nginx (deploy/nginx-site.conf) in front of two gunicorn
instances of two workers each, both on the same PostgreSQL database, users named by the proxy.

- a contribution sent through one instance is published through the other and then shown by both;
- readers through nginx see no failed request while a worker is killed, a whole instance is killed,
  and, separately, while both instances are reloaded one after the other (rolling HUP);
- a contributor retrying with the same idempotency key through all of it gets every acknowledged
  proposal stored exactly once, as the history table shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.deploy.fleet import (
    CONTRIBUTOR,
    REVIEWER,
    SSO_STAND_IN,
    USER_HEADER,
    Acknowledged,
    Fleet,
    Reads,
    Writer,
    poll,
    reconcile,
)
from tests.deploy.register_client import FORCE, BrowserSession, Endpoint, Forms, new_key, queued_ids, submission_id

pytestmark = [pytest.mark.proxy]

# Consecutive answers that must all show a publication before it counts as shown by an endpoint: each
# answer comes from whichever worker is free, so several in a row make it likely every worker has it.
IN_A_ROW = 8


@pytest.fixture(scope="module")
def database(postgres) -> str:
    return postgres.new_database("scale_out")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, database) -> Iterator[Fleet]:
    fleet = Fleet.start(tmp_path_factory.mktemp("scale-out"), database)
    yield fleet
    fleet.stop()


@pytest.fixture(scope="module")
def forms(fleet) -> Forms:
    return Forms.fetch(fleet.nginx.endpoint, {SSO_STAND_IN: REVIEWER})


def drill_down_shows(endpoint: Endpoint, forms: Forms, title: str) -> bool:
    answer = endpoint.request(
        "POST", "_dash-update-component", forms.drill_down(FORCE), {"Content-Type": "application/json"}
    )
    assert answer.status == 200, answer.body[:300]
    return title.encode() in answer.body


def shown_in_a_row(endpoint: Endpoint, forms: Forms, title: str) -> None:
    streak = 0

    def check() -> bool:
        nonlocal streak
        streak = streak + 1 if drill_down_shows(endpoint, forms, title) else 0
        return streak >= IN_A_ROW

    poll(check, f"{IN_A_ROW} answers in a row from {endpoint.base} show {title!r}", interval=0.1)


def test_scale001_contribution_through_one_instance_published_through_the_other(fleet, forms):
    a, b = fleet.instances
    title = f"Scale-out triage {new_key()[:8]}"
    # Straight to instance A, as the proxy would pass it: the user header from 127.0.0.1 is trusted.
    contributor = BrowserSession(a.endpoint, {USER_HEADER: CONTRIBUTOR})
    sent = submission_id(contributor.callback(forms.submit(title, new_key())))
    assert sent is not None
    assert not drill_down_shows(fleet.nginx.endpoint, forms, title), "a pending proposal is already on the map"

    # Instance B's reviewer finds it in the queue (the same database) and publishes it.
    reviewer = BrowserSession(b.endpoint, {USER_HEADER: REVIEWER})
    queue = reviewer.callback(forms.review([], None))
    assert queue.status == 200 and sent in queued_ids(queue), queue.body[:300]
    published = reviewer.callback(forms.review(queued_ids(queue), sent))
    status = str(published.outputs().get("register-review-status", {}).get("children", ""))
    assert status.startswith(f"Published #{sent} as "), status

    # Each worker of each instance checks the database when a request finds its last check a second old.
    for endpoint in (a.endpoint, b.endpoint, fleet.nginx.endpoint):
        shown_in_a_row(endpoint, forms, title)


def test_scale002_user_header_from_a_browser_is_replaced_by_nginx(fleet, forms):
    # A browser that claims to be the reviewer in X-Remote-User, past single sign-on, is anonymous:
    # nginx overwrites the header with the name sign-on vouched for (none here).
    claimed = BrowserSession(fleet.nginx.endpoint, {USER_HEADER: REVIEWER})
    assert claimed.callback(forms.review([], None)).status == 403
    # The same request with a name from sign-on is the reviewer's.
    vouched = BrowserSession(fleet.nginx.endpoint, {SSO_STAND_IN: REVIEWER})
    assert vouched.callback(forms.review([], None)).status == 200


def run_under_load(
    fleet: Fleet, forms: Forms, database: str, label: str, faults, killed: Callable[[], int]
) -> tuple[Reads, Writer]:
    """Readers and a contributor through nginx while `faults()` runs; both checked afterwards.

    No read may fail, with one exception nginx cannot cover: an answer whose headers a worker had
    already sent when it was SIGKILLed reaches the client cut short (gunicorn writes the headers and
    the body in two system calls; nginx passes headers on as they come, and cannot resend once it has
    answered). At most one such read per process `killed()` reports."""
    reads = Reads(fleet.nginx.endpoint, forms).start()
    writer = Writer(fleet.nginx.endpoint, forms, label=label).start()
    try:
        # Load flowing before the first fault: some reads and one acknowledged write.
        poll(lambda: reads.count() >= 10 and len(writer.acknowledged) >= 1, "reads and a write went through")
        faults(reads, writer)
        # And after the last one, with the fleet whole again.
        settled = reads.count()
        acked = len(writer.acknowledged)
        poll(
            lambda: reads.count() >= settled + 10 and len(writer.acknowledged) >= acked + 1,
            "reads and a write went through after the faults",
        )
    finally:
        writer.stop()
        reads.stop()
    assert reads.failures == [], f"{len(reads.failures)} failed reads of {reads.ok + len(reads.failures)}"
    assert len(reads.truncated) <= killed(), reads.truncated
    assert writer.gave_up is None, writer.gave_up
    result = reconcile(database, writer.acknowledged, [CONTRIBUTOR])
    assert result.lost == [], f"acknowledged but not stored: {result.lost}"
    assert result.duplicated == [], f"stored twice: {result.duplicated}"
    ours = [a for a in writer.acknowledged if a.title.startswith(label)]
    assert len(ours) >= 2 and len({a.submission for a in ours}) == len(ours)
    return reads, writer


def load_between(reads: Reads, writer: Writer, seconds: float = 2.0) -> None:
    """Let load run on for a while (at least some reads) so each fault meets requests in flight."""
    before = reads.count()
    time.sleep(seconds)
    poll(lambda: reads.count() > before + 3, "reads went on")


def test_scale003_worker_kill_and_instance_kill_fail_no_read_and_lose_no_write(fleet, forms, database):
    a, b = fleet.instances
    log_before = len(fleet.nginx.error_log())
    timeline: list[str] = []
    killed = 0

    def faults(reads: Reads, writer: Writer) -> None:
        nonlocal killed
        load_between(reads, writer)
        timeline.append(f"killed worker {a.kill_worker()} of a")
        killed += 1
        load_between(reads, writer)
        killed += 1 + b.workers
        b.kill()
        timeline.append("killed b")
        load_between(reads, writer, 3.0)  # nginx meets the dead instance: refused, next upstream
        b.start()
        timeline.append("restarted b")
        load_between(reads, writer)

    run_under_load(fleet, forms, database, "kills", faults, lambda: killed)
    # The kills were seen by nginx (and answered by the other instance, since no read failed).
    log = fleet.nginx.error_log()[log_before:]
    assert "connect() failed" in log or "upstream prematurely closed" in log, (timeline, log[-2000:])


def test_scale004_rolling_reload_fails_no_read_and_loses_no_write(fleet, forms, database):
    a, b = fleet.instances

    def faults(reads: Reads, writer: Writer) -> None:
        for instance in (a, b):
            load_between(reads, writer)
            instance.reload()
            load_between(reads, writer)

    # Graceful: old workers finish what they have started, so not even a cut-short answer.
    run_under_load(fleet, forms, database, "rolling", faults, lambda: 0)
    for instance in (a, b):
        assert "Handling signal: hup" in instance.log_text()


def test_scale005_retried_key_is_stored_once_across_instances(fleet, forms, database):
    # The same proposal sent to A, then (as nginx's resend would) to B: one submission, acknowledged twice.
    a, b = fleet.instances
    key, title = new_key(), f"retried {new_key()[:8]}"
    first = submission_id(BrowserSession(a.endpoint, {USER_HEADER: CONTRIBUTOR}).callback(forms.submit(title, key)))
    second = submission_id(BrowserSession(b.endpoint, {USER_HEADER: CONTRIBUTOR}).callback(forms.submit(title, key)))
    assert first is not None and first == second
    result = reconcile(database, [Acknowledged(key, title, first, 0.0)], [CONTRIBUTOR])
    assert result.lost == [] and result.duplicated == []
