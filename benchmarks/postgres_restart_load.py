"""A load run across a PostgreSQL restart: what clients see while the database is away and after.

Run: ``.venv/bin/python benchmarks/postgres_restart_load.py [--seconds 30] [--clients 8] [--down-at 10]
[--down-for 5]``.

It starts a throwaway PostgreSQL cluster of its own (Debian's ``initdb``/``pg_ctl``, on a free port, in
a temporary folder: the machine's shared server is never touched) and the real ``footchain serve`` on
it. ``--clients`` clients post intakes to ``POST /api/v1/assessments`` for ``--seconds``; at
``--down-at`` the PostgreSQL server is stopped (``pg_ctl stop -m fast``: connections are cut) and
started again ``--down-for`` seconds later. The same server process keeps running throughout.

The table has one row per second: requests answered 201, 503 with ``Retry-After``, any other status
(500 would be a failure), transport errors (a hang or a dropped connection), and the slowest answer.
Then: every id answered 201 is read back after the run and compared. A benchmark reports; it never fails
the build.
"""

from __future__ import annotations

import argparse
import collections
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.servers import footchain_server, throwaway_postgres
from tests.shared import CONTRACTS

INTAKES = [path.read_bytes() for path in sorted((CONTRACTS / "examples").glob("*.json"))]
JSON = {"content-type": "application/json"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--down-at", type=float, default=10.0, help="seconds into the run PostgreSQL stops")
    parser.add_argument("--down-for", type=float, default=5.0, help="seconds PostgreSQL stays down")
    args = parser.parse_args()
    events: list[tuple[float, str, float]] = []  # (seconds into the run, outcome, latency)
    created: dict[str, dict[str, object]] = {}
    lock = threading.Lock()
    with throwaway_postgres() as postgres, footchain_server(postgres.url) as (process, base):
        started = time.monotonic()
        stop_at = started + args.seconds

        def client_loop(index: int) -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                n = index
                while time.monotonic() < stop_at:
                    began = time.monotonic()
                    try:
                        response = client.post(
                            "/api/v1/assessments", content=INTAKES[n % len(INTAKES)], headers=JSON
                        )
                        outcome = str(response.status_code)
                        if response.status_code == 503 and response.headers.get("retry-after"):
                            outcome = "503+Retry-After"
                        if response.status_code == 201:
                            with lock:
                                created[response.json()["id"]] = response.json()
                    except httpx.HTTPError as exc:
                        outcome = f"transport ({type(exc).__name__})"
                    with lock:
                        events.append((began - started, outcome, time.monotonic() - began))
                    n += args.clients

        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, started + args.down_at - time.monotonic()))
        stopped_at = time.monotonic() - started
        postgres.stop("fast")
        time.sleep(args.down_for)
        postgres.start()
        back_at = time.monotonic() - started
        for thread in threads:
            thread.join()
        same_process = process.poll() is None
        with httpx.Client(base_url=base, timeout=30) as client:
            intact = sum(client.get(f"/api/v1/assessments/{i}").json() == body for i, body in created.items())

    outcomes = sorted({outcome for _, outcome, _ in events})
    per_second: dict[int, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    slowest: dict[int, float] = collections.defaultdict(float)
    for at, outcome, latency in events:
        per_second[int(at)][outcome] += 1
        slowest[int(at)] = max(slowest[int(at)], latency)
    print(
        f"PostgreSQL stopped at {stopped_at:.1f} s, running again at {back_at:.1f} s; {args.clients} clients"
    )
    header = f"{'second':>6} " + " ".join(f"{o:>16}" for o in outcomes) + f" {'slowest s':>10}"
    print(header)
    print("-" * len(header))
    for second in sorted(per_second):
        marker = " <- database down" if stopped_at <= second + 1 and second < back_at else ""
        counts = " ".join(f"{per_second[second][o]:>16}" for o in outcomes)
        print(f"{second:>6} {counts} {slowest[second]:>10.2f}{marker}")
    totals = collections.Counter(outcome for _, outcome, _ in events)
    print("\ntotal: " + ", ".join(f"{o}: {totals[o]}" for o in outcomes))
    print(f"server process survived the restart: {same_process}")
    print(f"assessments answered 201 and read back intact: {intact} of {len(created)}")
    print(f"slowest answer: {max((lat for _, _, lat in events), default=0.0):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
