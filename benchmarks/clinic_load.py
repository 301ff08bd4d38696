"""Clinic mode under load: 20 clinicians of two clinics working at once, and nothing lost or crossed.

Run: ``.venv/bin/python benchmarks/clinic_load.py [--seconds 30] [--backend sqlite|postgresql|both]``
(or ``--database URL`` for a database of your own).

For each backend it starts the real ``footchain serve`` (a subprocess on a free loopback port) on a
fresh database: a temporary SQLite file, or a new PostgreSQL database on ``--postgres-server``
(default ``postgresql://postgres@127.0.0.1:5432/postgres``) that is dropped afterwards. Then:

1. ``footchain users create`` makes an admin for each of two clinics; each admin creates
   ``--clinicians`` clinicians through ``POST /api/v1/users``; every clinician signs in for a token.
2. All clinicians work at once for ``--seconds``, each with its own keep-alive client: register
   patients, record visits with intakes (assessed on the spot), upload a footprint pressure matrix
   (``shared/data/footprint_templates/MUN104L.csv``) to some visits, read patients, visits,
   timelines and the patient list. Every request's status and latency are kept.
3. Afterwards: every created record is read back by its own clinic (same content, else *crossed*)
   and requested by a clinician of the other clinic (anything but 404 is *crossed*); each patient's
   timeline must hold exactly the visits made for it; the database's counts per clinic must equal
   what the clients created (else *lost*); the analysis queue must drain (every file ``done``).

It prints one table per backend: per operation requests, errors, p50/p95 latency, throughput; then
records created, verified, lost and crossed, and the queue. The targets are zero errors, zero lost,
zero crossed, every file analysed. A benchmark reports; the exit code is 0 unless a server could not
start or a target was missed (1), so it can gate a release if wanted.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.shared import DATA  # noqa: E402  (the shared data folder, as the tests find it)

FOOTCHAIN = Path(sys.executable).with_name("footchain")
FOOTPRINT = DATA / "footprint_templates" / "MUN104L.csv"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "load benchmark password"
CLINICS = ("Load Clinic North", "Load Clinic South")
QUEUE_WAIT_S = 300.0
OPERATIONS = (
    "create patient",
    "create visit",
    "upload footprint",
    "read patient",
    "read visit",
    "read timeline",
    "list patients",
)
EXPECTED = {"create patient": 201, "create visit": 201, "upload footprint": 202}
REGIONS = ("knee", "lower_back", "hip", "heel", "arch", "shin")
console = Console()


# --- Server and accounts -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_cli(*args: str) -> None:
    done = subprocess.run([str(FOOTCHAIN), *args], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        sys.exit(f"footchain {args[0]} {args[1]} failed: {done.stderr.strip()}")


@contextmanager
def served(database: str, log: Path) -> Iterator[str]:
    """``footchain serve`` on ``database``, its output in ``log``; yields the base URL."""
    port = free_port()
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [str(FOOTCHAIN), "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                sys.exit(f"footchain serve stopped at start:\n{log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                sys.exit("footchain serve did not answer /healthz within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass(frozen=True)
class Clinician:
    clinic: int  # index into CLINICS
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_in(base: str, email: str) -> str:
    answer = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=60)
    if answer.status_code != 200:
        sys.exit(f"signing in {email} failed: {answer.status_code} {answer.text}")
    token: str = answer.json()["access_token"]
    return token


def make_accounts(base: str, database: str, per_clinic: int, folder: Path) -> list[Clinician]:
    """An admin per clinic (the CLI), then ``per_clinic`` clinicians each (the users API)."""
    secret = folder / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    clinicians = []
    for index, clinic in enumerate(CLINICS):
        admin = f"admin{index}@load.example"
        run_cli(
            "users", "create", "--database", database, "--clinic", clinic, "--email", admin,
            "--role", "admin", "--password-file", str(secret),
        )  # fmt: skip
        headers = {"Authorization": f"Bearer {sign_in(base, admin)}"}
        for n in range(per_clinic):
            email = f"clinician{index}-{n}@load.example"
            body = {"email": email, "password": PASSWORD, "role": "clinician"}
            made = httpx.post(f"{base}/api/v1/users", json=body, headers=headers, timeout=60)
            if made.status_code != 201:
                sys.exit(f"creating {email} failed: {made.status_code} {made.text}")
            clinicians.append(Clinician(index, email, sign_in(base, email)))
    return clinicians


# --- The load -------------------------------------------------------------------------------------------


@dataclass
class Created:
    """What one clinic's clients made: patient id → name, visit id → patient id, file id → visit id."""

    patients: dict[str, str] = field(default_factory=dict)
    visits: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    problems: list[str] = field(default_factory=list)  # unexpected answers, first few kept
    crossed_reads: int = 0  # a read during the load that answered with another record


def intake(rng: random.Random) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "person": {"age_years": rng.randint(18, 85), "sex": rng.choice(["female", "male"])},
        "pain": [
            {
                "region": rng.choice(REGIONS),
                "side": "left",
                "intensity": rng.randint(1, 9),
                "duration_weeks": 8,
            }
        ],
        "feet": {
            "self_reported_arch": rng.choice(["flat", "low", "normal", "high"]),
            "fpi6": {side: [rng.randint(-2, 2) for _ in range(6)] for side in ("left", "right")},
        },
    }


def work(
    base: str,
    me: Clinician,
    worker: int,
    stop_at: float,
    created: Created,
    results: Results,
    lock: threading.Lock,
) -> None:
    """One clinician's loop: register, record, upload and read, until ``stop_at``."""
    rng = random.Random(worker)
    footprint = FOOTPRINT.read_bytes()
    mine: dict[str, list[str]] = {}  # my patient id → my visit ids
    names: dict[str, str] = {}
    visit_of: dict[str, str] = {}
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, list[int]] = defaultdict(list)
    problems: list[str] = []
    crossed = 0
    files: dict[str, str] = {}

    def call(op: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            answer = client.request(method, path, headers=me.headers, **kwargs)
        except httpx.HTTPError as exc:
            latencies[op].append(time.perf_counter() - started)
            statuses[op].append(0)
            problems.append(f"{op}: {type(exc).__name__}")
            return None
        latencies[op].append(time.perf_counter() - started)
        statuses[op].append(answer.status_code)
        if answer.status_code != EXPECTED.get(op, 200):
            problems.append(f"{op}: {answer.status_code} {answer.text[:160]}")
            return None
        return answer

    with httpx.Client(base_url=base, timeout=120) as client:
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            if not mine or n % 4 == 1:
                name = f"Load patient {me.clinic}-{worker}-{n}"
                answer = call(
                    "create patient",
                    "POST",
                    "/api/v1/patients",
                    json={"name": name, "birth_year": 1950 + n % 60},
                )
                if answer is not None:
                    mine[answer.json()["id"]] = []
                    names[answer.json()["id"]] = name
                continue
            patient = rng.choice(list(mine))
            step = n % 4
            if step == 2:
                body = {"visited_on": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}", "kind": "assessment",
                        "intake": intake(rng), "pain_score": rng.randint(0, 10)}  # fmt: skip
                answer = call("create visit", "POST", f"/api/v1/patients/{patient}/visits", json=body)
                if answer is not None:
                    visit = answer.json()["id"]
                    mine[patient].append(visit)
                    visit_of[visit] = patient
                    if rng.random() < 0.4:
                        sent = call(
                            "upload footprint", "POST", f"/api/v1/visits/{visit}/files",
                            data={"kind": "footprint"}, files={"file": ("MUN104L.csv", footprint, "text/csv")},
                        )  # fmt: skip
                        if sent is not None:
                            files[sent.json()["id"]] = visit
                continue
            # step 3 and 0: reads
            got = call("read patient", "GET", f"/api/v1/patients/{patient}")
            if got is not None and got.json().get("name") != names[patient]:
                crossed += 1
            timeline = call("read timeline", "GET", f"/api/v1/patients/{patient}/visits")
            if timeline is not None and {v["id"] for v in timeline.json()["visits"]} != set(mine[patient]):
                crossed += 1  # only this client records visits for its patients: the timeline is exact
            if mine[patient]:
                visit = rng.choice(mine[patient])
                seen = call("read visit", "GET", f"/api/v1/visits/{visit}")
                if seen is not None and seen.json().get("patient_id") != patient:
                    crossed += 1
            if step == 0:
                call("list patients", "GET", "/api/v1/patients", params={"q": f"{me.clinic}-{worker}-"})

    with lock:
        for op in latencies:
            results.latencies[op].extend(latencies[op])
            results.statuses[op].extend(statuses[op])
        results.problems.extend(problems[:5])
        results.crossed_reads += crossed
        created.patients.update(names)
        created.visits.update(visit_of)
        created.files.update(files)


# --- Checking afterwards ----------------------------------------------------------------------------


@dataclass
class Check:
    verified: int = 0
    lost: int = 0
    crossed: int = 0
    notes: list[str] = field(default_factory=list)


def in_parallel(items: list[Any], task: Callable[[Any], None], threads: int = 20) -> None:
    chunks = [items[i::threads] for i in range(threads)]
    runners = [threading.Thread(target=lambda c=chunk: [task(x) for x in c]) for chunk in chunks]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()


def verify(base: str, clinicians: list[Clinician], created: list[Created]) -> Check:
    """Every record readable by its clinic with its content, 404 to the other clinic; timelines exact."""
    check = Check()
    lock = threading.Lock()
    own = {c.clinic: c for c in clinicians}
    jobs: list[tuple[int, str, str, str]] = []  # clinic, kind, id, expected
    for clinic, made in enumerate(created):
        jobs += [(clinic, "patient", pid, name) for pid, name in made.patients.items()]
        jobs += [(clinic, "visit", vid, pid) for vid, pid in made.visits.items()]
        jobs += [(clinic, "file", fid, vid) for fid, vid in made.files.items()]
    timelines = {
        (clinic, pid): sorted(v for v, p in made.visits.items() if p == pid)
        for clinic, made in enumerate(created)
        for pid in made.patients
    }
    local = threading.local()

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, timeout=120)
        found: httpx.Client = local.client
        return found

    def path(kind: str, record: str, expected: str) -> str:
        return {
            "patient": f"/api/v1/patients/{record}",
            "visit": f"/api/v1/visits/{record}",
            "file": f"/api/v1/visits/{expected}/files/{record}",
        }[kind]

    def one(job: tuple[int, str, str, str]) -> None:
        clinic, kind, record, expected = job
        mine, theirs = own[clinic], own[1 - clinic]
        answer = client().get(path(kind, record, expected), headers=mine.headers)
        other = client().get(path(kind, record, expected), headers=theirs.headers)
        field_name = {"patient": "name", "visit": "patient_id", "file": "visit_id"}[kind]
        with lock:
            if answer.status_code == 404:
                check.lost += 1
                check.notes.append(f"lost {kind}")
            elif answer.status_code != 200 or answer.json().get(field_name) != expected:
                check.crossed += 1
                check.notes.append(f"{kind} read back as something else ({answer.status_code})")
            else:
                check.verified += 1
            if other.status_code != 404:
                check.crossed += 1
                check.notes.append(
                    f"{kind} of clinic {clinic} answered {other.status_code} to the other clinic"
                )

    def timeline(item: tuple[tuple[int, str], list[str]]) -> None:
        (clinic, patient), visits = item
        answer = client().get(f"/api/v1/patients/{patient}/visits", headers=own[clinic].headers)
        with lock:
            listed = sorted(v["id"] for v in answer.json()["visits"]) if answer.status_code == 200 else None
            if listed != visits:
                check.crossed += 1
                check.notes.append(f"a timeline holds {listed and len(listed)} visits, not {len(visits)}")

    in_parallel(jobs, one)
    in_parallel(list(timelines.items()), timeline)
    return check


def database_counts(database: str) -> dict[str, dict[str, int]]:
    """Rows per clinic name and table, read from the database itself."""
    from sqlalchemy import func, select

    from footchain.store.database import database_url, open_database
    from footchain.store.models import ClinicRow, PatientRow, VisitFileRow, VisitRow

    factory = open_database(database_url(database))
    counts: dict[str, dict[str, int]] = {}
    with factory() as session:
        names = dict(session.execute(select(ClinicRow.id, ClinicRow.name)).all())
        for label, table in (("patients", PatientRow), ("visits", VisitRow), ("files", VisitFileRow)):
            query = select(table.clinic_id, func.count()).group_by(table.clinic_id)
            for clinic_id, count in session.execute(query).all():
                counts.setdefault(names[clinic_id], {})[label] = count
    factory.kw["bind"].dispose()
    return counts


def drain(database: str) -> tuple[dict[str, int], float]:
    """Wait for the analysis queue to empty; (files per status, seconds waited)."""
    from sqlalchemy import func, select

    from footchain.store.database import database_url, open_database
    from footchain.store.models import VisitFileRow

    factory = open_database(database_url(database))
    started = time.monotonic()
    try:
        while True:
            with factory() as session:
                query = select(VisitFileRow.status, func.count()).group_by(VisitFileRow.status)
                states = dict(session.execute(query).all())
            if not states.get("queued") and not states.get("running"):
                return states, time.monotonic() - started
            if time.monotonic() - started > QUEUE_WAIT_S:
                return states, time.monotonic() - started
            time.sleep(0.5)
    finally:
        factory.kw["bind"].dispose()


# --- One run ----------------------------------------------------------------------------------------


def percentile_ms(values: list[float], q: float) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def run(database: str, label: str, seconds: float, per_clinic: int, folder: Path) -> bool:
    log = folder / f"server-{label}.log"
    with served(database, log) as base:
        console.print(f"[bold]{label}[/]: server up; making 2 clinics with {per_clinic} clinicians each")
        clinicians = make_accounts(base, database, per_clinic, folder)
        created = [Created(), Created()]
        results = Results()
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds
        started = time.monotonic()
        threads = [
            threading.Thread(target=work, args=(base, c, i, stop_at, created[c.clinic], results, lock))
            for i, c in enumerate(clinicians)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        console.print(f"{label}: load done in {elapsed:.1f} s; checking every record")
        states, waited = drain(database)
        check = verify(base, clinicians, created)
    counts = database_counts(database)
    lost = check.lost
    for index, clinic in enumerate(CLINICS):
        have = counts.get(clinic, {})
        made = created[index]
        for label_, expected in (
            ("patients", len(made.patients)),
            ("visits", len(made.visits)),
            ("files", len(made.files)),
        ):
            if have.get(label_, 0) != expected:
                check.notes.append(
                    f"{clinic}: {have.get(label_, 0)} {label_} in the database, {expected} created"
                )
                lost += abs(have.get(label_, 0) - expected)
    server_log = log.read_text(errors="replace")
    tracebacks = server_log.count("Traceback")

    table = Table(title=f"Clinic load: {len(clinicians)} clinicians for {seconds:.0f} s on {label}")
    for column in ("operation", "requests", "errors", "p50 ms", "p95 ms", "req/s"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    total_errors = 0
    for op in OPERATIONS:
        statuses = results.statuses.get(op, [])
        errors = sum(1 for s in statuses if s != EXPECTED.get(op, 200))
        total_errors += errors
        lat = results.latencies.get(op, [])
        table.add_row(op, str(len(statuses)), str(errors), f"{percentile_ms(lat, 50):.1f}",
                      f"{percentile_ms(lat, 95):.1f}", f"{len(statuses) / elapsed:.1f}")  # fmt: skip
    every = [x for op in OPERATIONS for x in results.latencies.get(op, [])]
    table.add_row("all", str(len(every)), str(total_errors), f"{percentile_ms(every, 50):.1f}",
                  f"{percentile_ms(every, 95):.1f}", f"{len(every) / elapsed:.1f}", style="bold")  # fmt: skip
    console.print(table)
    records = sum(len(c.patients) + len(c.visits) + len(c.files) for c in created)
    summary = Table(title=f"Records on {label}", show_header=False)
    summary.add_column()
    summary.add_column(justify="right")
    crossed = check.crossed + results.crossed_reads
    done = states.get("done", 0)
    rows = [
        ("patients / visits / files created", " / ".join(str(sum(len(getattr(c, k)) for c in created))
                                                         for k in ("patients", "visits", "files"))),
        ("records created", str(records)),
        ("records verified (own clinic, same content)", str(check.verified)),
        ("lost (unreadable, or database count differs)", str(lost)),
        ("crossed (wrong content, other clinic not 404, timelines)", str(crossed)),
        ("files analysed: done / failed / still queued", f"{done} / {states.get('failed', 0)} / "
                                                          f"{states.get('queued', 0) + states.get('running', 0)}"),
        ("queue drained after the load in", f"{waited:.1f} s"),
        ("server tracebacks", str(tracebacks)),
    ]  # fmt: skip
    for name, value in rows:
        summary.add_row(name, value)
    console.print(summary)
    for problem in (results.problems + check.notes)[:10]:
        console.print(f"  • {problem}", markup=False, highlight=False)
    if tracebacks:  # the first one's end says where it broke (the server logs no personal data)
        first = server_log[server_log.index("Traceback") :].splitlines()
        end = next(
            (i for i, line in enumerate(first) if line and not line.startswith((" ", "Traceback"))), 30
        )
        console.print("\n".join(first[max(0, end - 12) : end + 1]), markup=False, highlight=False)
    files_ok = done == sum(len(c.files) for c in created)
    ok = total_errors == 0 and lost == 0 and crossed == 0 and files_ok and tracebacks == 0
    console.print(f"{label}: [bold]{'all targets met' if ok else 'TARGETS MISSED'}[/]\n")
    return ok


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A fresh database on ``server`` for the run, dropped afterwards."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"footchain_load_{secrets.token_hex(5)}"
    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load (default 30)")
    parser.add_argument("--clinicians", type=int, default=10, help="clinicians per clinic (default 10)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--database", help="use this database URL instead of a fresh one")
    parser.add_argument("--postgres-server", default=DEFAULT_POSTGRES, help=f"default {DEFAULT_POSTGRES}")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="footchain-clinic-load-") as tmp:
        folder = Path(tmp)
        if args.database:
            results.append(
                run(args.database, args.database.split(":")[0], args.seconds, args.clinicians, folder)
            )
        else:
            if args.backend in ("sqlite", "both"):
                url = f"sqlite:///{folder / 'clinic-load.db'}"
                results.append(run(url, "SQLite", args.seconds, args.clinicians, folder))
            if args.backend in ("postgresql", "both"):
                with postgres_database(args.postgres_server) as url:
                    results.append(run(url, "PostgreSQL", args.seconds, args.clinicians, folder))
    print(json.dumps({"all_targets_met": all(results)}))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
