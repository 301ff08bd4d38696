"""Every ``sh`` and ``python`` example in docs/ runs as written.

Each page runs in a fresh folder, its blocks in order, like a reader following it: ``sh`` blocks with
``bash -euo pipefail`` (the virtual environment's ``footchain`` and ``python`` first on PATH),
``python`` blocks in one namespace per page. The folder holds links to the repository's ``examples/``
and ``contracts/``; ``FOOTCHAIN_DATA`` names the public recordings (tests/shared.py), and the home
tutorial's ``footprint.jpg`` is a synthetic photo of an inked print on the calibration sheet (the
same generator as the footprint tests), standing in for the reader's own photo.

A block may be preceded by a marker comment, with its reason in brackets:

- ``<!-- docs-test: skip (reason) -->``: not run (it installs, or waits for Ctrl+C); few are allowed;
- ``<!-- docs-test: background (reason) -->``: a ``footchain serve`` command, started on a free port
  (``--port 8000`` replaced) and waited for at /healthz; later blocks find it in ``FOOTCHAIN_URL``.

Other fenced blocks (``json``, ``text``, ``console``) are shown, not run.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.shared import REPO, data_dir

DOCS = REPO / "docs"
FENCE = re.compile(
    r"(?:^<!-- docs-test: (?P<mark>skip|background) \((?P<reason>[^)]+)\) -->\n)?"
    r"^```(?P<lang>[a-z]*)[^\n]*\n(?P<body>.*?)^```$",
    re.M | re.S,
)
MAX_SKIPPED = 5


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    body: str
    mark: str | None
    reason: str | None


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [
        Block(page, text.count("\n", 0, m.start()) + 1, m["lang"], m["body"], m["mark"], m["reason"])
        for m in FENCE.finditer(text)
        if m["lang"] in ("sh", "python")
    ]


PAGES = sorted(p for p in DOCS.rglob("*.md") if blocks(p))


def test_the_docs_have_examples_and_few_are_skipped() -> None:
    every = [b for page in PAGES for b in blocks(page)]
    skipped = [b for b in every if b.mark == "skip"]
    assert len(every) >= 20, "the docs show their commands and code"
    assert len(skipped) <= MAX_SKIPPED, [f"{b.page.name}:{b.line}" for b in skipped]
    assert all(b.reason and len(b.reason) > 10 for b in every if b.mark), "say why a block is not run as is"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def reader_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh working folder and environment, as a reader would have after installing footchain."""
    for name in ("examples", "contracts"):
        (tmp_path / name).symlink_to(REPO / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FOOTCHAIN_DATA", str(data_dir()))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("FOOTCHAIN_DATABASE_URL", raising=False)
    yield tmp_path


def _footprint_photo(folder: Path) -> None:
    from tests.footprint.photo_cases import sheet_photo_case

    (folder / "photo-case").mkdir()
    photo, _ = sheet_photo_case(7, folder / "photo-case", image_size=(2400, 1800))
    (folder / "footprint.jpg").write_bytes(photo.read_bytes())


def _start_server(block: Block, monkeypatch: pytest.MonkeyPatch) -> subprocess.Popen[bytes]:
    port = _free_port()
    command = block.body.replace("--port 8000", f"--port {port}")
    assert command != block.body, f"{block.page.name}:{block.line}: a background server names --port 8000"
    server = subprocess.Popen(["bash", "-c", f"exec {command.strip()}"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError(f"{block.page.name}:{block.line}: the server did not start")
        time.sleep(0.3)
    monkeypatch.setenv("FOOTCHAIN_URL", f"http://127.0.0.1:{port}")
    return server


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_example_on_the_page_runs(
    page: Path, reader_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if "footprint.jpg" in page.read_text(encoding="utf-8"):
        _footprint_photo(reader_folder)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for block in blocks(page):
            where = f"{page.relative_to(REPO)}:{block.line}"
            if block.mark == "skip":
                continue
            if block.mark == "background":
                servers.append(_start_server(block, monkeypatch))
                continue
            if block.lang == "sh":
                result = subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", block.body],
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                assert result.returncode == 0, f"{where} failed:\n{result.stdout}\n{result.stderr}"
            else:
                exec(compile(block.body, where, "exec"), namespace)
        capsys.readouterr()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
