"""Load and fault benchmark on loopback against gunicorn (workers = cores), bounded in time.

Measures throughput and p50/p95/p99 latency of the page, an asset, the geometry, the
drill-down callback and a trivial Dash callback in the same run; then kills one worker during
a load run and counts failed requests; then memory per worker and start-up time to first 200.

    .venv/bin/python benchmarks/load_test.py [--seconds 8] [--clients 4]
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
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import free_port  # noqa: E402


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
        "drill-down callback": payload("..view-title.children", {"view-state": {"query": "?force=E23000021", "notices": []}}),
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


def run_load(port: int, method: str, path: str, body: bytes | None, seconds: float, clients: int,
             during=None) -> dict:
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=client_loop, args=(port, method, path, body, seconds, queue))
             for _ in range(clients)]
    for p in procs:
        p.start()
    if during:
        during()
    results = [queue.get(timeout=seconds + 30) for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(l for r in results for l in r[0])
    errors = sum(r[1] for r in results)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / seconds,
            "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99)}


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def memory_kb(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    pss = int(re.search(r"Pss:\s+(\d+)", rollup).group(1))
    return rss, pss


def start_server(port: int, workers: int) -> tuple[subprocess.Popen, float]:
    env = {**os.environ, "PPH_BIND": f"127.0.0.1:{port}", "PPH_WORKERS": str(workers), "PPH_LOG_LEVEL": "warning"}
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                "--access-logfile", "/dev/null", "benchmarks.bench_app:server"],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, time.monotonic() - started
        except OSError:
            time.sleep(0.02)
        if time.monotonic() - started > 60:
            process.kill()
            raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
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
            print(f"{name:24} {r['requests']:9d} {r['errors']:7d} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f}")
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

        r = run_load(port, "POST", "/_dash-update-component", payloads["drill-down callback"], args.seconds,
                     args.clients, during=kill_one_worker)
        time.sleep(1.0)
        after = worker_pids(process.pid)
        print(f"kill one worker (SIGKILL pid {before[0]}) during a drill-down run: {r['requests']} ok, "
              f"{r['errors']} failed (at most {args.clients} can be in flight on it); "
              f"workers before {len(before)}, after {len(after)}, replaced: {before[0] not in after and len(after) == len(before)}")
    finally:
        process.terminate()
        process.wait(timeout=20)


if __name__ == "__main__":
    main()
