"""The release: one version everywhere, and the built wheel works in a fresh virtual environment.

The wheel is built from this checkout (``python -m build --wheel --no-isolation``, so no download)
and installed with ``--no-deps`` into a new virtual environment. Its dependencies are not downloaded
again: a ``.pth`` file appends this environment's site-packages *after* the new environment's own,
so ``footchain`` is imported from the wheel (the check below proves it) while numpy, FastAPI and the
rest come from here. Set ``FOOTCHAIN_WHEEL_FULL=1`` to install the dependencies from the package
index instead (minutes, needs the network). CI also runs ``make dist`` (an isolated
``python -m build`` and ``twine check``).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import footchain
from tests.shared import REPO


def test_the_version_is_written_once_and_named_by_the_changelog_and_citation() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "footchain.__version__"}
    citation = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{footchain.__version__}"' in citation
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    heading = re.search(
        rf"^## \[{re.escape(footchain.__version__)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$", changelog, re.M
    )
    assert heading, f"CHANGELOG.md has no section for {footchain.__version__}"
    assert f'date-released: "{heading.group(1)}"' in citation
    assert "## [Unreleased]" in changelog


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new virtual environment with the wheel built from this checkout installed in it."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(root / "dist"),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((root / "dist").glob("footchain-*.whl"))
    assert wheel.name.startswith(f"footchain-{footchain.__version__}-")
    env_dir = root / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    if os.environ.get("FOOTCHAIN_WHEEL_FULL") == "1":
        subprocess.run([python, "-m", "pip", "install", "-q", f"{wheel}[web]"], check=True)
    else:
        site = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        # A bare path line in a .pth is appended to sys.path; the .pth files inside it (this
        # checkout's editable install among them) are not run, so footchain comes from the wheel.
        Path(site, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        subprocess.run(
            [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
            check=True,
        )
    yield env_dir


def _run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(env_dir / "bin" / "footchain"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_wheel_is_what_runs_in_the_fresh_environment(fresh_env: Path, tmp_path: Path) -> None:
    found = subprocess.run(
        [str(fresh_env / "bin" / "python"), "-c", "import footchain, sys; print(footchain.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(found).is_relative_to(fresh_env), found
    assert _run(fresh_env, "--version", cwd=tmp_path).stdout.strip() == f"footchain {footchain.__version__}"
    assert "assess" in _run(fresh_env, "--help", cwd=tmp_path).stdout  # the stored help is in the wheel


def test_the_installed_wheel_assesses_an_example(fresh_env: Path, tmp_path: Path) -> None:
    example = tmp_path / "intake.json"
    example.write_bytes((REPO / "examples" / "runner_flat_feet_knee.json").read_bytes())
    result = _run(fresh_env, "assess", str(example), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assessment = json.loads(result.stdout)
    assert assessment["schema_version"] == 1 and assessment["referral"]["urgency"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_installed_wheel_serves_up_to_healthz(fresh_env: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "FOOTCHAIN_DATABASE_URL"}
    }
    server = subprocess.Popen(
        [
            str(fresh_env / "bin" / "footchain"),
            "serve",
            "--port",
            str(port),
            "--database",
            f"sqlite:///{tmp_path / 'footchain.db'}",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        server.stderr.read().decode() if server.stderr else "no answer"
                    ) from None
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
