"""Two gunicorn instances on one PostgreSQL register behind real nginx (deploy/nginx-site.conf), the
faults an operator meets (a worker killed, an instance killed, a rolling restart with HUP), and the
load that watches them: readers that count every failed read, and a contributor that retries each
submission with its idempotency key until it is acknowledged, reconciled afterwards with the database.

Shared by tests/deploy/test_scale_out.py and benchmarks/load_test.py (`--faults`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO, LiveServer, free_port, start_gunicorn, wait_for
from tests.deploy.nginx_conf import nginx_conf
from tests.deploy.register_client import BrowserSession, Endpoint, Forms, Unanswered, new_key, submission_id

PREFIX = "/collaboration/"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = REPO / "deploy" / "nginx-site.conf"
USER_HEADER = "X-Remote-User"
# Through nginx, the test's stand-in for single sign-on: the client names itself in this header and
# nginx passes the name on in X-Remote-User, as the site's auth_request part does in production.
SSO_STAND_IN = "X-Test-User"
REVIEWER = "rita"
CONTRIBUTOR = "cora"
# Generous for a noisy 2-core machine: start-up loads the data, a HUP waits for busy workers.
PATIENCE = 90.0


def instance_env(database_url: str, reviewers: str = REVIEWER) -> dict[str, str]:
    return {
        "PPH_REGISTER": "1",
        "PPH_DATABASE_URL": database_url,
        "PPH_USER_HEADER": USER_HEADER,
        "PPH_FORWARDED_ALLOW_IPS": "127.0.0.1",
        "PPH_REVIEWERS": reviewers,
        "PPH_REGISTER_POLL_SECONDS": "1",
        "PPH_DEV_USER": "",
        "PPH_LOG_LEVEL": "info",
        # The writers send hundreds of submissions an hour; the limit is not what is under test.
        "PPH_SUBMISSIONS_PER_HOUR": "1000000",
    }


def site_config(tmp: Path, port: int, upstreams: list[int]) -> str:
    """A whole nginx.conf around deploy/nginx-site.conf: its upstream and location as written, with
    this run's ports, plain HTTP instead of TLS, and the SSO stand-in in place of auth_request."""
    text = SITE.read_text()
    ports = iter(upstreams)
    text = re.sub(r"(^\s*server 127\.0\.0\.1:)\d+", lambda m: f"{m.group(1)}{next(ports)}", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*listen 443 ssl;", f"    listen 127.0.0.1:{port};", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*ssl_certificate.*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"# >>> single sign-on.*?# <<< single sign-on\n", "", text, flags=re.DOTALL)
    stand_in = f"set $sso_user $http_{SSO_STAND_IN.lower().replace('-', '_')};\n"
    text, swapped = re.subn(r"# >>> user.*?# <<< user\n", stand_in, text, flags=re.DOTALL)
    if swapped != 1 or "auth_request" in text:
        raise AssertionError("deploy/nginx-site.conf no longer has the marked single sign-on parts")
    return nginx_conf(tmp, text, error_level="info", connections=512)


def port_of(server: LiveServer) -> int:
    return int(server.base_url.split(":")[2].split("/")[0])


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def poll(condition: Callable[[], bool], what: str, timeout: float = PATIENCE, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting until {what}")
        time.sleep(interval)


@dataclass
class Instance:
    """One gunicorn master and its workers, restartable on the same port."""

    name: str
    env: dict[str, str]
    folder: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    server: LiveServer | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        self.server = start_gunicorn(
            PREFIX,
            workers=self.workers,
            extra_env=self.env,
            port=self.port,
            log_path=self.folder / f"gunicorn-{self.name}-{self.starts}.log",
        )
        poll(lambda: len(self.worker_pids()) == self.workers, f"{self.name} has {self.workers} workers")

    @property
    def master(self) -> int:
        assert self.server is not None
        return self.server.process.pid

    @property
    def endpoint(self) -> Endpoint:
        assert self.server is not None
        return Endpoint(self.server.base_url)

    def worker_pids(self) -> list[int]:
        return workers_of(self.master)

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.folder.glob(f"gunicorn-{self.name}-*.log")))

    def kill_worker(self) -> int:
        """SIGKILL one worker, as the kernel's OOM killer would; wait until the master replaced it."""
        before = self.worker_pids()
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        poll(
            lambda: victim not in (now := self.worker_pids()) and len(now) == self.workers,
            f"{self.name}'s master replaced worker {victim}",
        )
        return victim

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a crash of the whole machine's service would."""
        assert self.server is not None
        pids = [self.master, *self.worker_pids()]
        for pid in pids:  # the master first, so it cannot fork replacements for the workers
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.server.process.wait(timeout=30)
        poll(
            lambda: not any(Path(f"/proc/{p}").exists() and "zombie" not in _state(p) for p in pids),
            f"every process of {self.name} is gone",
        )

    def reload(self) -> None:
        """HUP: the master starts new workers and stops the old ones gracefully; wait until all are new."""
        before = set(self.worker_pids())
        os.kill(self.master, signal.SIGHUP)
        poll(
            lambda: not before & set(now := self.worker_pids()) and len(now) == self.workers,
            f"{self.name}'s workers were all replaced after HUP",
        )

    def stop(self) -> None:
        if self.server is not None and self.server.process.poll() is None:
            self.server.process.terminate()
            try:
                self.server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.process.kill()
                self.server.process.wait(timeout=30)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0]
    except (OSError, IndexError):
        return "zombie"


@dataclass
class Nginx:
    folder: Path
    port: int
    process: subprocess.Popen

    @classmethod
    def start(cls, folder: Path, upstreams: list[int]) -> Nginx:
        port = free_port()
        conf = folder / "nginx.conf"
        conf.write_text(site_config(folder, port, upstreams))
        process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf)], stderr=subprocess.PIPE)
        try:
            wait_for(f"http://127.0.0.1:{port}{PREFIX}healthz", timeout=60)
        except RuntimeError:
            process.kill()
            raise RuntimeError(process.stderr.read().decode()) from None
        return cls(folder, port, process)

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(f"http://127.0.0.1:{self.port}{PREFIX}")

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


@dataclass
class Fleet:
    """nginx in front of instances a and b, every one on the same register database."""

    instances: list[Instance]
    nginx: Nginx

    @classmethod
    def start(cls, folder: Path, database_url: str, workers: int = 2, reviewers: str = REVIEWER) -> Fleet:
        instances = [Instance(name, instance_env(database_url, reviewers), folder, workers) for name in ("a", "b")]
        started: list[Instance] = []
        try:
            for instance in instances:
                instance.start()
                started.append(instance)
            return cls(instances, Nginx.start(folder, [i.port for i in instances]))
        except BaseException:
            for instance in started:
                instance.stop()
            raise

    def stop(self) -> None:
        self.nginx.stop()
        for instance in self.instances:
            instance.stop()


# --- load -------------------------------------------------------------------------------------------


@dataclass
class Reads:
    """Reader threads through nginx, each looping over what a visitor's browser asks for: the page, its
    layout and a force's drill-down (a callback POST). Every non-200 answer or error is a failure;
    `truncated` keeps apart the answers cut off mid-body (see Unanswered.truncated)."""

    endpoint: Endpoint
    forms: Forms
    threads: int = 3
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _running: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Reads:
        drill = self.forms.drill_down()
        targets = [
            ("GET", "", None, {}),
            ("GET", "_dash-layout", None, {}),
            ("POST", "_dash-update-component", drill, {"Content-Type": "application/json"}),
        ]

        def loop() -> None:
            index = 0
            while not self._stop.is_set():
                method, path, body, headers = targets[index % len(targets)]
                index += 1
                started = time.perf_counter()
                try:
                    answer = self.endpoint.request(method, path, body, headers)
                    failure = None if answer.status == 200 else f"{method} /{path}: {answer.status}"
                except Unanswered as exc:
                    failure = str(exc)
                    if exc.truncated:
                        with self._lock:
                            self.truncated.append(failure)
                        continue
                with self._lock:
                    if failure:
                        self.failures.append(failure)
                    else:
                        self.ok += 1
                        self.latencies.append(time.perf_counter() - started)

        self._running = [threading.Thread(target=loop, daemon=True) for _ in range(self.threads)]
        for thread in self._running:
            thread.start()
        return self

    def count(self) -> int:
        with self._lock:
            return self.ok

    def stop(self) -> None:
        self._stop.set()
        for thread in self._running:
            thread.join(timeout=PATIENCE)


@dataclass
class Acknowledged:
    key: str
    title: str
    submission: int
    latency: float  # from the first attempt to the acknowledgement, retries included


@dataclass
class Writer:
    """A contributor sending one proposal after another, each with its own idempotency key; a failed or
    unanswered attempt (an error, a 5xx, an answer that is not "Sent for review") is sent again with the
    SAME key until acknowledged, as the page does when the user clicks Send again."""

    endpoint: Endpoint
    forms: Forms
    user: str = CONTRIBUTOR
    label: str = "scale-out"
    # SSO_STAND_IN through nginx; USER_HEADER straight to gunicorn (trusted from 127.0.0.1).
    identity_header: str = SSO_STAND_IN
    acknowledged: list[Acknowledged] = field(default_factory=list)
    failed_attempts: list[str] = field(default_factory=list)
    attempt_latencies: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    gave_up: str | None = None

    def start(self) -> Writer:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def run(self) -> None:
        session = BrowserSession(self.endpoint, {self.identity_header: self.user})
        number = 0
        while not self._stop.is_set():
            number += 1
            key = new_key()
            title = f"{self.label} {self.user} {number} {key[:8]}"
            first = time.perf_counter()
            deadline = time.monotonic() + PATIENCE
            while True:
                started = time.perf_counter()
                try:
                    answer = session.callback(self.forms.submit(title, key))
                    acked = submission_id(answer)
                    problem = None if acked else f"{answer.status} {answer.body[:200]!r}"
                except Unanswered as exc:
                    acked, problem = None, str(exc)
                if acked:
                    self.attempt_latencies.append(time.perf_counter() - started)
                    self.acknowledged.append(Acknowledged(key, title, acked, time.perf_counter() - first))
                    break
                self.failed_attempts.append(problem or "")
                if time.monotonic() > deadline:
                    self.gave_up = f"{title}: not acknowledged within {PATIENCE:g} s; last: {problem}"
                    return
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop after the proposal in hand is acknowledged (or given up on)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=PATIENCE * 2)


# --- reconciliation ---------------------------------------------------------------------------------


@dataclass
class Reconciliation:
    acknowledged: int
    stored: int
    lost: list[str]  # acknowledged but not stored as acknowledged
    duplicated: list[str]  # stored more than once, or more than one "submitted" history row
    unacknowledged: list[str]  # stored but never acknowledged to the writer
    published: int = 0


def reconcile(database_url: str, acknowledged: list[Acknowledged], users: list[str]) -> Reconciliation:
    """Every acknowledged write against what the database holds: the submissions table and the
    append-only history table."""
    from storage import register_store
    from storage.database import connect

    engine = connect(database_url)
    try:
        stored = [s for user in users for s in register_store.submissions_by(engine, user)]
        history = register_store.history(engine)
    finally:
        engine.dispose()
    submitted = Counter(h.submission_id for h in history if h.action == "submitted")
    published = {h.submission_id for h in history if h.action == "published"}
    # By the submission number each acknowledgement names: the key a page sends is its draft's, and the
    # stored idempotency key is derived from it and the draft's content (components/register_view.draft_key).
    by_id = {s.id: s for s in stored}
    titles = Counter(str(s.payload.get("title")) for s in stored)
    lost, duplicated = [], []
    for ack in acknowledged:
        row = by_id.get(ack.submission)
        if row is None or row.payload.get("title") != ack.title:
            lost.append(f"{ack.title} (#{ack.submission})")
        elif submitted[ack.submission] != 1:
            duplicated.append(f"{ack.title}: {submitted[ack.submission]} 'submitted' history rows")
    duplicated += [f"{title}: stored {n} times" for title, n in titles.items() if n > 1]
    acked_ids = {a.submission for a in acknowledged}
    unacknowledged = [str(s.payload.get("title")) for s in stored if s.id not in acked_ids]
    return Reconciliation(
        len(acknowledged),
        len(stored),
        lost,
        duplicated,
        unacknowledged,
        published=len(published & {s.id for s in stored}),
    )
