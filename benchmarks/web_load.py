"""How the web app holds up under load: many people posting intakes at once, and ``/healthz`` alongside.

Run: ``.venv/bin/python benchmarks/web_load.py [--seconds 30] [--clients 16] [--database URL]``.

It starts the real ``footchain serve`` (a subprocess, on a free loopback port, on a fresh temporary
SQLite file unless ``--database`` names another, e.g. ``postgresql://postgres@127.0.0.1:5432/test``),
warms it up, and then runs three phases:

1. ``--clients`` clients post intakes (the example intakes and ~200 random variations) to
   ``POST /api/v1/assessments`` for ``--seconds``, recording each latency and status;
2. every returned id is read back with ``GET /api/v1/assessments/{id}`` and compared with what the POST
   answered;
3. the same clients hit ``GET /healthz`` for the same time, the server's floor.

It prints one table: requests, errors, p50/p95/p99 latency and throughput for both loads, the ratio of
assessment to healthz throughput, ids read back intact, and the targets (p95 < 150 ms, ratio >= 0.3,
zero errors). A benchmark reports; it never fails the build: the exit code is 0 unless the server could
not start.

Client design: the clients are threads, each with its own keep-alive ``httpx.Client`` sending
pre-encoded bodies, so that a request costs the client process little (a fraction of a millisecond of
CPU, much of it with the GIL released in socket calls). On a 2-core machine client and server share the
cores; the client's share is reported (its CPU seconds per request) so that its cost can be judged.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assess_speed import example_intakes, varied_intake  # the sibling benchmark's intakes

FOOTCHAIN = Path(sys.executable).with_name("footchain")
P95_TARGET_MS = 150.0
RATIO_TARGET = 0.3
VARIATIONS = 200
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass
class Phase:
    """What the clients of one phase saw: each request's latency (seconds) and status."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # transport errors, first few kept
    client_cpu_s: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.statuses)

    @property
    def errors(self) -> int:
        return sum(1 for status in self.statuses if status >= 400 or status == 0)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=1000, method="inclusive")[round(q * 10) - 1] * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(database: str, port: int) -> subprocess.Popen[bytes]:
    """``footchain serve`` on ``port``; waits until ``/healthz`` answers."""
    server = subprocess.Popen(
        [str(FOOTCHAIN), "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            message = server.stderr.read().decode(errors="replace") if server.stderr else ""
            sys.exit(f"footchain serve stopped at start (exit {server.returncode}):\n{message}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    sys.exit("footchain serve did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def intake_bodies(seed: int = 5) -> list[bytes]:
    """The example intakes and random variations of them, encoded once before the clock starts."""
    rng = random.Random(seed)
    documents = example_intakes() + [varied_intake(rng) for _ in range(VARIATIONS)]
    return [json.dumps(document).encode() for document in documents]


def run_phase(
    name: str,
    clients: int,
    seconds: float,
    request: Callable[[httpx.Client, int], httpx.Response],
    on_answer: Callable[[httpx.Response], None] | None = None,
    base: str = "",
) -> Phase:
    """``clients`` threads, each calling ``request(client, n)`` in a loop until ``seconds`` pass."""
    phase = Phase(name)
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(index: int) -> None:
        latencies: list[float] = []
        statuses: list[int] = []
        with httpx.Client(base_url=base, timeout=60) as client:
            start_line.wait()
            n = index
            while time.perf_counter() < stop_at[0]:
                began = time.perf_counter()
                try:
                    response = request(client, n)
                    status = response.status_code
                except httpx.HTTPError as exc:
                    status = 0
                    with lock:
                        if len(phase.failures) < 5:
                            phase.failures.append(f"{type(exc).__name__}: {exc}")
                else:
                    if on_answer is not None and status < 400:
                        on_answer(response)
                latencies.append(time.perf_counter() - began)
                statuses.append(status)
                n += clients
        with lock:
            phase.latencies.extend(latencies)
            phase.statuses.extend(statuses)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    phase.client_cpu_s = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    return phase


def read_back(base: str, answers: dict[str, dict[str, Any]], clients: int) -> tuple[int, int]:
    """GET every id the POSTs returned; (ids whose stored answer equals the POST's answer, ids tried)."""
    ids = list(answers)
    good = [0]
    lock = threading.Lock()

    def worker(part: list[str]) -> None:
        ok = 0
        with httpx.Client(base_url=base, timeout=60) as client:
            for assessment_id in part:
                response = client.get(f"/api/v1/assessments/{assessment_id}")
                ok += response.status_code == 200 and response.json() == answers[assessment_id]
        with lock:
            good[0] += ok

    threads = [threading.Thread(target=worker, args=(ids[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return good[0], len(ids)


def where_the_time_goes(database: str, bodies: list[bytes], count: int = 400) -> dict[str, float]:
    """Mean milliseconds per stage of one ``POST /api/v1/assessments``, measured in this process on the
    same database, one request at a time: what the server spends its time on, without HTTP."""
    from footchain.engine import assess_measured
    from footchain.intake import parse_intake
    from footchain.store import repository
    from footchain.store.database import open_database
    from footchain.web.assessments import measured_intake

    sessions = open_database(database)
    totals = dict.fromkeys(["JSON decode", "intake validation", "engine", "contract to JSON", "DB insert (flush)",
                            "DB commit"], 0.0)  # fmt: skip
    for n in range(count):
        with sessions() as session:
            t0 = time.perf_counter()
            data = json.loads(bodies[n % len(bodies)])
            t1 = time.perf_counter()
            intake = parse_intake(data)
            t2 = time.perf_counter()
            measured, upload_ids = measured_intake(session, intake)
            assessment = assess_measured(measured)
            t3 = time.perf_counter()
            result = assessment.to_json_dict()
            stored = measured.intake.model_dump(mode="json", exclude_none=True)
            t4 = time.perf_counter()
            repository.save_assessment(session, stored, result, upload_ids=upload_ids)
            t5 = time.perf_counter()
            session.commit()
            t6 = time.perf_counter()
        for key, (a, b) in zip(
            totals, [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6)], strict=True
        ):
            totals[key] += b - a
    sessions.kw["bind"].dispose()
    return {key: value / count * 1000 for key, value in totals.items()}


def verdict(ok: bool) -> str:
    return "[green]pass[/]" if ok else "[red]MISSED[/]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each load phase (default 30)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="warm-up seconds before measuring (default 3)"
    )
    parser.add_argument("--database", help="database URL (default: a fresh temporary SQLite file)")
    args = parser.parse_args()

    console = Console(width=max(Console().width, 110))
    bodies = intake_bodies()
    with tempfile.TemporaryDirectory(prefix="footchain-load-") as tmp:
        database = args.database or f"sqlite:///{Path(tmp) / 'load.db'}"
        shown_db = "temporary SQLite file" if not args.database else database.split("@")[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(database, port)
        try:
            answers: dict[str, dict[str, Any]] = {}
            answers_lock = threading.Lock()

            def post(client: httpx.Client, n: int) -> httpx.Response:
                return client.post(
                    "/api/v1/assessments", content=bodies[n % len(bodies)], headers=JSON_HEADERS
                )

            def keep(response: httpx.Response) -> None:
                body = response.json()
                with answers_lock:
                    answers[body["id"]] = body

            console.print(
                f"footchain serve on {base} ({shown_db}); {args.clients} clients, {args.seconds:.0f} s per phase, "
                f"{len(bodies)} distinct intakes; {os.cpu_count()} CPU cores shared by server and clients"
            )
            run_phase("warm-up", args.clients, args.warmup, post, base=base)
            answers.clear()
            assessments = run_phase(
                "POST /api/v1/assessments", args.clients, args.seconds, post, keep, base=base
            )
            read_ok, read_tried = read_back(base, answers, args.clients)
            health = run_phase(
                "GET /healthz",
                args.clients,
                args.seconds,
                lambda client, _n: client.get("/healthz"),
                base=base,
            )
        finally:
            stop_server(server)
        stages = where_the_time_goes(database, bodies)

    table = Table(title=f"footchain web load ({shown_db})")
    table.add_column("measure")
    for phase in (assessments, health):
        table.add_column(phase.name, justify="right")
    table.add_column("target", justify="right")
    table.add_column("", justify="center")
    rows = [
        ("requests", lambda p: f"{p.requests:,}", "", None),
        (
            "errors (4xx/5xx/transport)",
            lambda p: f"{p.errors:,}",
            "0",
            assessments.errors + health.errors == 0,
        ),
        ("p50 latency (ms)", lambda p: f"{p.percentile_ms(50):.1f}", "", None),
        (
            "p95 latency (ms)",
            lambda p: f"{p.percentile_ms(95):.1f}",
            f"< {P95_TARGET_MS:.0f} (assessments)",
            assessments.percentile_ms(95) < P95_TARGET_MS,
        ),
        ("p99 latency (ms)", lambda p: f"{p.percentile_ms(99):.1f}", "", None),
        ("throughput (req/s)", lambda p: f"{p.throughput:.1f}", "", None),
        (
            "client CPU per request (ms)",
            lambda p: f"{p.client_cpu_s / max(p.requests, 1) * 1000:.2f}",
            "",
            None,
        ),
    ]
    for label, show, target, ok in rows:
        table.add_row(label, show(assessments), show(health), target, "" if ok is None else verdict(ok))
    ratio = assessments.throughput / health.throughput if health.throughput else 0.0
    table.add_row(
        "assessments / healthz throughput",
        f"{ratio:.2f}",
        "",
        f">= {RATIO_TARGET}",
        verdict(ratio >= RATIO_TARGET),
    )
    table.add_row(
        "ids read back intact",
        f"{read_ok:,} of {read_tried:,}",
        "",
        "all",
        verdict(read_ok == read_tried > 0),
    )
    console.print(table)
    for phase in (assessments, health):
        for failure in phase.failures:
            console.print(f"{phase.name}: {failure}", markup=False)

    breakdown = Table(
        title="Where one assessment's server time goes (in-process, one at a time, same database)"
    )
    breakdown.add_column("stage")
    breakdown.add_column("mean ms", justify="right")
    for stage, ms in stages.items():
        breakdown.add_row(stage, f"{ms:.2f}")
    breakdown.add_row("total (without HTTP, threads, waiting)", f"{sum(stages.values()):.2f}")
    console.print(breakdown)


if __name__ == "__main__":
    main()
