"""Load and fault benchmark on loopback against gunicorn (workers = cores), bounded in time.

Measures throughput and p50/p95/p99 latency of the page, an asset, the geometry, the
drill-down callback and a trivial Dash callback in the same run; then kills one worker during
a load run and counts failed requests; then memory per worker and start-up time to first 200.

    .venv/bin/python benchmarks/load_test.py [--seconds 8] [--clients 4]

With --register, instead: the same read load (page, layout, geometry, drill-down callback) against
gunicorns side by side, one with the register off and one with it on (PPH_REGISTER=1, a temporary SQLite
register of a few dozen published records, anonymous readers), and the throughput ratio on/off (goal
>= 0.9); a third with an empty register tells the register's own cost from that of the records it adds.

    .venv/bin/python benchmarks/load_test.py --register [--seconds 8] [--clients 4] [--rounds 4] [--postgres]

--postgres adds a fourth gunicorn, the register "on" with the same records in PostgreSQL (a throw-away
cluster, tests/postgres_cluster.py), and its ratio to off.

With --writers: 8 contributors and 2 reviewers for --seconds (default 60) against gunicorn on a throw-away
PostgreSQL register: contributors submit (each proposal with its own idempotency key, resent with the
same key until acknowledged), reviewers publish from the queue; then the acknowledged writes are
reconciled with the submissions and history tables (lost and duplicated: goal 0) and write latency printed.

    .venv/bin/python benchmarks/load_test.py --writers [--seconds 60]

With --faults: real nginx (deploy/nginx-site.conf) in front of two instances on one PostgreSQL register;
readers and a contributor through nginx while a worker is killed, a whole instance is killed (and
restarted), and both instances are reloaded in turn (HUP): failed reads, failed/lost/duplicated writes.

    .venv/bin/python benchmarks/load_test.py --faults
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: the imports below are of this repository

from tests.conftest import free_port
from tests.deploy.register_client import Endpoint, Forms

REGISTER_RECORDS = 40  # about one per English force, so the drill-down's force shows a register record
REGISTER_GOAL = 0.9  # read throughput with the register on, as a share of off
CONTROL_TARGET = "geometry"  # served alike in every mode: its ratio is the run's noise
WARM_UP_SECONDS = 1.0


def callback_payloads(port: int) -> dict[str, bytes]:
    """Build the two callback requests from the server's own dependency list."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/_dash-dependencies")
    deps = json.loads(conn.getresponse().read())
    conn.close()

    def payload(output_prefix: str, values: dict) -> bytes:
        dep = next(d for d in deps if d["output"].startswith(output_prefix))
        outputs = [o.rsplit(".", 1) for o in dep["output"].strip(".").split("...")]
        described = [{"id": i, "property": p.split("@")[0]} for i, p in outputs]
        body = {
            "output": dep["output"],
            # Dash sends a list for multi-output callbacks and a single object otherwise.
            "outputs": described if dep["output"].startswith("..") else described[0],
            "inputs": [{**d, "value": values[d["id"]]} for d in dep["inputs"]],
            "state": [{**d, "value": None} for d in dep["state"]],
            "changedPropIds": [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
        }
        return json.dumps(body).encode()

    return {
        "drill-down callback": payload(
            "..view-title.children", {"view-state": {"query": "?force=E23000021", "notices": []}}
        ),
        "trivial callback": payload("bench-echo.children", {"bench-ping": "x"}),
    }


def client_loop(port: int, method: str, path: str, body: bytes | None, seconds: float, queue) -> None:
    latencies, errors = [], 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"} if body else {"Accept-Encoding": "gzip"}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        latencies.append(time.perf_counter() - start)
    conn.close()
    queue.put((latencies, errors))


def run_load(port: int, method: str, path: str, body: bytes | None, seconds: float, clients: int, during=None) -> dict:
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=client_loop, args=(port, method, path, body, seconds, queue))
        for _ in range(clients)
    ]
    for p in procs:
        p.start()
    if during:
        during()
    results = [queue.get(timeout=seconds + 30) for _ in procs]
    for p in procs:
        p.join()
    latencies = [l for r in results for l in r[0]]
    errors = sum(r[1] for r in results)
    return summarise(latencies, errors, seconds)


def summarise(latencies: list[float], errors: int, seconds: float) -> dict:
    latencies = sorted(latencies)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / seconds,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "latencies": latencies,
    }


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def memory_kb(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    pss = int(re.search(r"Pss:\s+(\d+)", rollup).group(1))
    return rss, pss


def start_server(
    port: int,
    workers: int,
    extra_env: dict[str, str] | None = None,
    target: str = "benchmarks.bench_app:server",
    timeout: float = 60.0,
) -> tuple[subprocess.Popen, float]:
    """gunicorn with the repo's config, and its start-up time to the first 200 (polled every 20 ms)."""
    env = {
        **os.environ,
        "PPH_BIND": f"127.0.0.1:{port}",
        "PPH_WORKERS": str(workers),
        "PPH_LOG_LEVEL": "warning",
        **(extra_env or {}),
    }
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", target],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, time.monotonic() - started
        except OSError:
            time.sleep(0.02)
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode} before answering")
        if time.monotonic() - started > timeout:
            process.kill()
            raise RuntimeError("gunicorn did not start")


def read_targets(port: int) -> list[tuple[str, str, str, bytes | None]]:
    """What an anonymous reader asks for: the page, its layout, the geometry, a force's drill-down."""
    return [
        ("page", "GET", "/", None),
        ("layout", "GET", "/_dash-layout", None),
        (CONTROL_TARGET, "GET", "/geo/police_force_areas.geojson", None),
        ("drill-down callback", "POST", "/_dash-update-component", callback_payloads(port)["drill-down callback"]),
    ]


def postgres_register(folder: Path, count: int):
    """A throw-away PostgreSQL cluster under `folder` whose database holds the same `count` synthetic
    published initiatives as benchmarks/synthetic_register.write_register's SQLite file; (cluster, URL)."""
    from benchmarks.synthetic_register import synthetic_payloads
    from domain.loading import load_dataset
    from storage import register_store
    from storage.database import connect, migrate
    from tests.postgres_cluster import PostgresCluster

    cluster = PostgresCluster.create(folder / "postgres")
    try:
        url = cluster.new_database("register")
        engine = connect(url)
        migrate(engine)
        records = synthetic_payloads(load_dataset(REPO / "data"), count)
        if records:
            register_store.import_records(
                engine, user="benchmark", records=records, organisation="benchmark", now=datetime.now(timezone.utc)
            )
        engine.dispose()
    except BaseException:
        cluster.destroy()
        raise
    return cluster, url


def compare_register(seconds: float, clients: int, rounds: int, postgres: bool = False) -> None:
    """Read throughput with the register off and on, one gunicorn each, loaded in turn: `rounds` short
    palindromes (off-empty-on-on-empty-off), so that a busier or quieter spell of a shared machine
    weighs on each mode alike. Each mode gets 2 x `seconds` per target in all.

    "empty" has the register's machinery and no record: the gap between it and "on" is the cost of
    what the records add to the page, not of the register being switched on."""
    from benchmarks.synthetic_register import write_register

    workers = os.cpu_count() or 2
    with tempfile.TemporaryDirectory(prefix="load-test-register-") as folder:
        url, _ = write_register(Path(folder), REGISTER_RECORDS)
        empty_url, _ = write_register(Path(folder), 0)
        # No PPH_DEV_USER and no identity header: every reader is anonymous, as on the public dashboard.
        anonymous = {"PPH_REGISTER": "1", "PPH_DEV_USER": "", "PPH_USER_HEADER": ""}
        modes = {
            "off": {"PPH_REGISTER": "0"},
            "empty": {**anonymous, "PPH_DATABASE_URL": empty_url},
            "on": {**anonymous, "PPH_DATABASE_URL": url},
        }
        cluster = None
        if postgres:
            cluster, pg_url = postgres_register(Path(folder), REGISTER_RECORDS)
            modes["pg"] = {**anonymous, "PPH_DATABASE_URL": pg_url}
        order = [*modes, *reversed(modes)]
        slice_seconds = seconds / rounds
        servers: dict[str, tuple[subprocess.Popen, float, int]] = {}
        try:
            for mode, extra_env in modes.items():
                port = free_port()
                process, startup = start_server(port, workers, extra_env)
                servers[mode] = (process, startup, port)
            targets = {mode: read_targets(port) for mode, (_, _, port) in servers.items()}
            print(
                f"register off vs on ({REGISTER_RECORDS} published records) and on with an empty register; anonymous "
                f"reader; gunicorn {workers} workers each; {clients} client processes; 2 x {seconds:g} s per target "
                f"and mode, as {rounds} rounds of {'-'.join(order)} ({slice_seconds:g} s each)"
            )
            if postgres:
                print("pg: the register on, the same records in PostgreSQL instead of SQLite")
            pg_columns = f" {'pg req/s':>8} {'pg/off':>6} {'pg p50':>6}" if postgres else ""
            print(
                f"{'target':20} {'off req/s':>9} {'empty req/s':>11} {'on req/s':>9} {'empty/off':>9} {'on/off':>7} "
                f"{'off p50':>8} {'on p50':>7} {'off p95':>8} {'on p95':>7} {'errors':>7}{pg_columns}"
            )
            pg_ratios = {}
            ratios = {}
            for index, (name, method, path, _) in enumerate(targets["off"]):
                for mode in modes:  # every worker past its first request (lazy imports, caches)
                    run_load(servers[mode][2], method, path, targets[mode][index][3], WARM_UP_SECONDS, clients)
                runs: dict[str, list[dict]] = {mode: [] for mode in modes}
                for mode in order * rounds:
                    body = targets[mode][index][3]
                    runs[mode].append(run_load(servers[mode][2], method, path, body, slice_seconds, clients))
                merged = {
                    mode: summarise(
                        [l for r in rs for l in r["latencies"]], sum(r["errors"] for r in rs), slice_seconds * len(rs)
                    )
                    for mode, rs in runs.items()
                }
                off, empty, on = merged["off"], merged["empty"], merged["on"]
                ratios[name] = on["rps"] / off["rps"]
                errors = sum(m["errors"] for m in merged.values())
                pg_columns = ""
                if postgres:
                    pg = merged["pg"]
                    pg_ratios[name] = pg["rps"] / off["rps"]
                    pg_columns = f" {pg['rps']:8.0f} {pg_ratios[name]:6.2f} {pg['p50']:6.1f}"
                print(
                    f"{name:20} {off['rps']:9.0f} {empty['rps']:11.0f} {on['rps']:9.0f} "
                    f"{empty['rps'] / off['rps']:9.2f} {ratios[name]:7.2f} {off['p50']:8.1f} {on['p50']:7.1f} "
                    f"{off['p95']:8.1f} {on['p95']:7.1f} {errors:7d}{pg_columns}"
                )

            # The geometry is the same bytes, served by the same code, in every mode: it is the run's control,
            # and its ratio says how far this machine's noise alone moves a ratio. The goal is on the others.
            def verdict(label: str, by_target: dict[str, float]) -> None:
                judged = {name: ratio for name, ratio in by_target.items() if name != CONTROL_TARGET}
                worst = min(judged, key=judged.get)
                met = "met" if judged[worst] >= REGISTER_GOAL else "NOT met"
                print(
                    f"goal {label} >= {REGISTER_GOAL:g}x off for the page, layout and drill-down: {met} (lowest: "
                    f"{worst}, {judged[worst]:.2f}x); control ({CONTROL_TARGET}, the same bytes in every mode): "
                    f"{by_target[CONTROL_TARGET]:.2f}x"
                )

            verdict("on", ratios)
            if postgres:
                verdict("on (PostgreSQL)", pg_ratios)
            for mode, (process, startup, _) in servers.items():
                memories = [memory_kb(pid) for pid in worker_pids(process.pid)]
                print(
                    f"register {mode}: start-up to first 200 {startup:.2f} s; worker RSS "
                    f"{', '.join(f'{rss / 1024:.0f}' for rss, _ in memories)} MB, PSS "
                    f"{', '.join(f'{pss / 1024:.0f}' for _, pss in memories)} MB"
                )
        finally:
            for process, _, _ in servers.values():
                process.terminate()
                process.wait(timeout=20)
            if cluster is not None:
                cluster.destroy()


def percentile_ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


@dataclass
class Reviewer:
    """A reviewer working the queue: refresh it, publish one of the oldest, again. Two reviewers take
    different items (the first and the second oldest) so they seldom race; when they do, exactly one
    publishes and the other is told (a conflict, not an error)."""

    endpoint: Endpoint
    forms: Forms
    user: str
    slot: int
    published: list[int] = field(default_factory=list)
    conflicts: int = 0
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        from tests.deploy.register_client import PUBLISHED, BrowserSession, Unanswered, queued_ids

        session = BrowserSession(self.endpoint, {"X-Remote-User": self.user})
        while not self.stop.is_set():
            try:
                queue = queued_ids(session.callback(self.forms.review([], None)))
                if not queue:
                    time.sleep(0.2)
                    continue
                chosen = queue[min(self.slot, len(queue) - 1)]
                started = time.perf_counter()
                answer = session.callback(self.forms.review(queue, chosen))
                status = str(answer.outputs().get("register-review-status", {}).get("children", ""))
            except (Unanswered, ValueError) as exc:
                self.failures.append(str(exc))
                continue
            match = PUBLISHED.search(status)
            if match:
                self.published.append(int(match.group(1)))
                self.latencies.append(time.perf_counter() - started)
            else:
                # The other reviewer published or returned it first: the register refused the second.
                self.conflicts += 1


def writers(seconds: float, contributors: int = 8, reviewers: int = 2) -> None:
    """Contributors and reviewers at work on one gunicorn over PostgreSQL; every write reconciled."""
    from tests.deploy.fleet import Writer, instance_env, reconcile
    from tests.postgres_cluster import PostgresCluster

    workers = os.cpu_count() or 2
    with tempfile.TemporaryDirectory(prefix="load-test-writers-") as folder:
        cluster = PostgresCluster.create(Path(folder) / "postgres")
        process = None
        try:
            url = cluster.new_database("register")
            reviewer_names = [f"reviewer{i + 1}" for i in range(reviewers)]
            port = free_port()
            process, startup = start_server(
                port, workers, instance_env(url, " ".join(reviewer_names)), target="app:server"
            )
            endpoint = Endpoint(f"http://127.0.0.1:{port}/")
            forms = Forms.fetch(endpoint, {"X-Remote-User": reviewer_names[0]})
            users = [f"contributor{i + 1}" for i in range(contributors)]
            crowd = [Writer(endpoint, forms, user=u, label="bench", identity_header="X-Remote-User") for u in users]
            team = [Reviewer(endpoint, forms, name, slot) for slot, name in enumerate(reviewer_names)]
            threads = [threading.Thread(target=r.run, daemon=True) for r in team]
            print(
                f"writers: {contributors} contributors and {reviewers} reviewers for {seconds:g} s; gunicorn {workers} "
                f"workers (start-up {startup:.1f} s); PostgreSQL {cluster.bin_dir.parent.name} on loopback"
            )
            for w in crowd:
                w.start()
            for t in threads:
                t.start()
            time.sleep(seconds)
            for r in team:
                r.stop.set()
            for w in crowd:
                w.stop()
            for t in threads:
                t.join(timeout=120)
            acknowledged = [a for w in crowd for a in w.acknowledged]
            result = reconcile(url, acknowledged, users)
            write_latencies = [a.latency for a in acknowledged]
            publish_latencies = [x for r in team for x in r.latencies]
            published_acks = sum(len(r.published) for r in team)
            print(
                f"submissions acknowledged {result.acknowledged} ({result.acknowledged / seconds:.1f}/s), "
                f"stored {result.stored}, published {result.published} (reviewers acknowledged {published_acks}, "
                f"conflicts between reviewers {sum(r.conflicts for r in team)}), lost {len(result.lost)}, "
                f"duplicated {len(result.duplicated)}, stored but never acknowledged {len(result.unacknowledged)}"
            )
            print(
                f"submit p50 {percentile_ms(write_latencies, 0.5):.0f} ms, p95 {percentile_ms(write_latencies, 0.95):.0f} ms "
                f"(first attempt to acknowledgement); publish p50 {percentile_ms(publish_latencies, 0.5):.0f} ms, "
                f"p95 {percentile_ms(publish_latencies, 0.95):.0f} ms; failed attempts resent "
                f"{sum(len(w.failed_attempts) for w in crowd)}, reviewer request failures "
                f"{sum(len(r.failures) for r in team)}, writers that gave up {sum(w.gave_up is not None for w in crowd)}"
            )
            verdict = "met" if not result.lost and not result.duplicated else "NOT met"
            print(f"goal lost 0 and duplicated 0 (reconciled against the submissions and history tables): {verdict}")
            for line in (result.lost + result.duplicated)[:10]:
                print(f"  {line}")
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
            cluster.destroy()


def faults(settle: float = 4.0) -> None:
    """Reads and writes through nginx over two instances on PostgreSQL, fault by fault."""
    from tests.deploy.fleet import CONTRIBUTOR, REVIEWER, SSO_STAND_IN, Fleet, Reads, Writer, reconcile
    from tests.postgres_cluster import PostgresCluster

    with tempfile.TemporaryDirectory(prefix="load-test-faults-") as folder:
        cluster = PostgresCluster.create(Path(folder) / "postgres")
        fleet = None
        try:
            url = cluster.new_database("register")
            fleet = Fleet.start(Path(folder), url)
            a, b = fleet.instances
            forms = Forms.fetch(fleet.nginx.endpoint, {SSO_STAND_IN: REVIEWER})
            reads = Reads(fleet.nginx.endpoint, forms).start()
            writer = Writer(fleet.nginx.endpoint, forms, label="faults").start()
            print(
                "faults: nginx (deploy/nginx-site.conf) over 2 gunicorn instances x 2 workers on one PostgreSQL "
                "register; 3 reader threads (page, layout, drill-down POST) and 1 contributor through nginx; "
                f"{settle:g} s of load around each fault"
            )
            print(f"{'phase':34} {'reads ok':>8} {'failed':>6} {'cut':>4} {'writes acked':>12} {'attempts resent':>15}")

            def snapshot() -> tuple[int, int, int, int, int]:
                return (
                    reads.ok,
                    len(reads.failures),
                    len(reads.truncated),
                    len(writer.acknowledged),
                    len(writer.failed_attempts),
                )

            def phase(name: str, action) -> None:
                before = snapshot()
                time.sleep(settle / 2)
                action()
                time.sleep(settle / 2)
                after = snapshot()
                ok, failed, cut, acked, resent = (x - y for x, y in zip(after, before, strict=True))
                print(f"{name:34} {ok:8d} {failed:6d} {cut:4d} {acked:12d} {resent:15d}")

            def kill_and_restart_b() -> None:
                b.kill()
                time.sleep(settle / 2)
                b.start()

            phase("no fault", lambda: None)
            phase("SIGKILL one worker of a", a.kill_worker)
            phase("SIGKILL instance b, then start it", kill_and_restart_b)
            phase("rolling restart: HUP a", a.reload)
            phase("rolling restart: HUP b", b.reload)
            writer.stop()
            reads.stop()
            result = reconcile(url, writer.acknowledged, [CONTRIBUTOR])
            print(
                f"reads: {reads.ok} ok, {len(reads.failures)} failed, {len(reads.truncated)} cut short mid-body; "
                f"read p50 {percentile_ms(reads.latencies, 0.5):.0f} ms, p95 {percentile_ms(reads.latencies, 0.95):.0f} ms"
            )
            print(
                f"writes: {result.acknowledged} acknowledged, {result.stored} stored, {len(writer.failed_attempts)} "
                f"attempts failed and were resent with the same key, lost {len(result.lost)}, duplicated "
                f"{len(result.duplicated)}, stored but never acknowledged {len(result.unacknowledged)}"
            )
            for line in (reads.failures + reads.truncated + result.lost + result.duplicated)[:10]:
                print(f"  {line}")
        finally:
            if fleet is not None:
                fleet.stop()
            cluster.destroy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--register",
        action="store_true",
        help="read throughput with the register off and on, side by side, instead of the default run",
    )
    parser.add_argument("--rounds", type=int, default=4, help="with --register: interleaved rounds per target")
    parser.add_argument(
        "--postgres", action="store_true", help="with --register: add the register on with its records in PostgreSQL"
    )
    parser.add_argument(
        "--writers",
        action="store_true",
        help="8 contributors and 2 reviewers on PostgreSQL for --seconds (default 60), reconciled",
    )
    parser.add_argument(
        "--faults",
        action="store_true",
        help="worker kill, instance kill and rolling restart through nginx over two instances",
    )
    args = parser.parse_args()
    args.seconds_given = args.seconds is not None
    if args.seconds is None:
        args.seconds = 8.0
    if args.register:
        compare_register(args.seconds, args.clients, args.rounds, args.postgres)
        return
    if args.writers:
        writers(args.seconds if args.seconds_given else 60.0)
        return
    if args.faults:
        faults()
        return
    workers = os.cpu_count() or 2
    port = free_port()
    process, startup = start_server(port, workers)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/")
        page = conn.getresponse().read().decode()
        asset = re.search(r'src="(/_dash-component-suites/dash/dash-renderer/[^"]+)"', page).group(1)
        payloads = callback_payloads(port)
        targets = [
            ("page", "GET", "/", None),
            ("asset (dash renderer)", "GET", asset, None),
            ("geometry", "GET", "/geo/police_force_areas.geojson", None),
            ("drill-down callback", "POST", "/_dash-update-component", payloads["drill-down callback"]),
            ("trivial callback", "POST", "/_dash-update-component", payloads["trivial callback"]),
        ]
        print(f"gunicorn: {workers} workers; {args.clients} client processes; {args.seconds:g} s per target")
        print(f"{'target':24} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        results = {}
        for name, method, path, body in targets:
            r = run_load(port, method, path, body, args.seconds, args.clients)
            results[name] = r
            print(
                f"{name:24} {r['requests']:9d} {r['errors']:7d} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f}"
            )
        ratio = results["drill-down callback"]["rps"] / results["trivial callback"]["rps"]
        print(f"drill-down / trivial callback throughput: {ratio:.2f} (aim >= 0.5)")

        memories = [memory_kb(pid) for pid in worker_pids(process.pid)]
        for i, (rss, pss) in enumerate(memories):
            print(f"worker {i}: RSS {rss / 1024:.0f} MB, PSS {pss / 1024:.0f} MB (after warm-up and load)")
        print(f"start-up to first 200: {startup:.2f} s")

        before = worker_pids(process.pid)

        def kill_one_worker() -> None:
            time.sleep(args.seconds / 3)
            os.kill(before[0], signal.SIGKILL)

        r = run_load(
            port,
            "POST",
            "/_dash-update-component",
            payloads["drill-down callback"],
            args.seconds,
            args.clients,
            during=kill_one_worker,
        )
        time.sleep(1.0)
        after = worker_pids(process.pid)
        print(
            f"kill one worker (SIGKILL pid {before[0]}) during a drill-down run: {r['requests']} ok, "
            f"{r['errors']} failed (at most {args.clients} can be in flight on it); "
            f"workers before {len(before)}, after {len(after)}, replaced: {before[0] not in after and len(after) == len(before)}"
        )
    finally:
        process.terminate()
        process.wait(timeout=20)


if __name__ == "__main__":
    main()
