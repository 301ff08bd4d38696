"""Processes a fault test may kill or stop: ``footchain serve`` and a throwaway PostgreSQL server.

The throwaway PostgreSQL is a cluster of its own (Debian's ``initdb``/``pg_ctl`` under
``/usr/lib/postgresql/*/bin``) in a temporary folder on a free port, so a test can stop and restart it
without touching the PostgreSQL server other tests and people use. As root it runs as the ``postgres``
user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.live import free_port

START_S = 60.0


@contextmanager
def footchain_server(
    database_url: str, port: int | None = None, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``footchain serve`` in a process of its own; yields (process, base URL) once /healthz answers."""
    port = port or free_port()
    process = start_server(database_url, port, env=env)
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_server(
    database_url: str, port: int, *, wait: bool = True, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``footchain serve`` on ``port`` (with ``env`` added to the environment), waited for unless told."""
    command = [
        sys.executable,
        "-m",
        "footchain._launch",
        "serve",
        "--port",
        str(port),
        "--database",
        database_url,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
    )
    if wait:
        wait_healthy(process, f"http://127.0.0.1:{port}")
    return process


def wait_healthy(process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"footchain serve ended with exit code {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"footchain serve did not answer within {START_S:.0f} s")


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """kill -9: no clean-up of any kind in the server."""
    process.send_signal(signal.SIGKILL)
    process.wait()


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError(
            "no PostgreSQL binaries under /usr/lib/postgresql/*/bin: apt-get install postgresql"
        )
    return Path(found[-1]).parent


@dataclass
class ThrowawayPostgres:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(_postgres_bin() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "-t", "60", "stop")


@contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL cluster of its own in a new temporary folder on a free port, started; removed after.

    The folder is made directly under the temporary directory: the ``postgres`` user must be able to
    reach it (pytest's own temporary folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="footchain-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = ThrowawayPostgres(folder, free_port())
    server._run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by the test
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
