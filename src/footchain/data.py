"""The public recordings that footchain's tests, docs and benchmarks read, found or fetched by name.

Each file is listed in ``data_registry.toml`` beside this module with the address where it is
published and the SHA-256 of the copy footchain was tested against. :func:`fetch` looks for it, in
this order:

1. ``$FOOTCHAIN_DATA/<name>`` (a folder laid out like the registry's names, e.g. a copy of the
   project's shared data folder; this is how to work offline);
2. each folder the caller adds (the test suite adds ``../shared/data`` when it exists);
3. the download cache (``$FOOTCHAIN_CACHE``, else the user cache folder ``footchain/data``);
4. the network, through pooch: the download is kept only when its SHA-256 matches.

A few files are not published byte for byte as the tests use them; their entry names how each is
made from the published one (``made_by``, see :mod:`footchain.data_made`), and the made file is
checked against the registered SHA-256 the same way.

A file found in a folder of steps 1-2 is used in place. Downloads need the ``data`` extra (pooch).
Nothing here is needed to assess an intake or measure your own recordings.

Example::

    from footchain.data import fetch
    walk = fetch("gaitpdb/GaCo01_01.txt")  # a Path
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from footchain.errors import FootchainError

REGISTRY_FILE = Path(__file__).with_name("data_registry.toml")
OFFLINE_HINT = "set FOOTCHAIN_DATA to a folder that holds them (a copy of the project's shared/data folder)"


class DataUnavailable(FootchainError):
    """A registered recording is in none of the folders and could not be downloaded."""


class DataHashMismatch(DataUnavailable):
    """A downloaded file's SHA-256 differs from the registry's: it is refused and not kept."""


@dataclass(frozen=True)
class Recording:
    """One registered file: its name (relative path), where it is published and its SHA-256."""

    name: str
    source: str
    url: str
    sha256: str
    member: str | None = None  # the file inside a zip archive at ``url``
    made_by: str | None = None  # a maker of footchain.data_made: not published byte for byte
    made: str | None = None  # how, in words


@dataclass(frozen=True)
class Source:
    """A published data set: its title (authors, publication), licence and home page."""

    key: str
    title: str
    licence: str
    home: str


def _read_registry(path: Path) -> tuple[dict[str, Recording], dict[str, Source]]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    sources = {key: Source(key=key, **value) for key, value in raw.get("sources", {}).items()}
    files = {name: Recording(name=name, **value) for name, value in raw.get("files", {}).items()}
    return files, sources


@cache
def registry() -> dict[str, Recording]:
    """Every registered recording by name (``"gaitpdb/GaCo01_01.txt"``), in the registry's order."""
    return _read_registry(REGISTRY_FILE)[0]


@cache
def sources() -> dict[str, Source]:
    """The published data sets the recordings come from, with their licences."""
    return _read_registry(REGISTRY_FILE)[1]


def cache_dir() -> Path:
    """Where downloads are kept: ``$FOOTCHAIN_CACHE`` or the user cache folder ``footchain/data``."""
    configured = os.environ.get("FOOTCHAIN_CACHE")
    if configured:
        return Path(configured)
    try:
        import pooch
    except ImportError:  # pragma: no cover - pooch comes with the data and dev extras
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "footchain" / "data"
    return Path(pooch.os_cache("footchain")) / "data"


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, as lowercase hex."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def local_folders(extra: Iterable[Path | str] = ()) -> list[Path]:
    """The folders searched before the cache: ``$FOOTCHAIN_DATA`` first, then ``extra``."""
    folders = [Path(p) for p in os.environ.get("FOOTCHAIN_DATA", "").split(os.pathsep) if p]
    folders += [Path(p) for p in extra]
    return [f for f in folders if f.is_dir()]


def find_local(name: str, extra: Iterable[Path | str] = ()) -> Path | None:
    """The file ``name`` in the first local folder that holds it (no download, no hash check)."""
    for folder in local_folders(extra):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def fetch(
    name: str,
    *,
    extra: Iterable[Path | str] = (),
    cache: Path | None = None,
    registry_: dict[str, Recording] | None = None,
    timeout_s: float = 60.0,
) -> Path:
    """The path of the registered recording ``name``, downloading it once when it is nowhere local.

    Raises :class:`DataUnavailable` (one sentence saying what to set) when it cannot be had, and
    :class:`DataHashMismatch` when a download's SHA-256 differs from the registry's.
    """
    entries = registry() if registry_ is None else registry_
    if name not in entries:
        raise DataUnavailable(f"{name} is not a registered footchain recording")
    found = find_local(name, extra)
    if found is not None:
        return found
    entry = entries[name]
    target = (cache or cache_dir()) / name
    if target.is_file() and sha256_of(target) == entry.sha256:
        return target
    if entry.made_by is None:
        _download(entry, target, timeout_s=timeout_s)
    else:
        _make(entry, target, timeout_s=timeout_s)
    return target


def fetch_all(
    names: Sequence[str] | None = None,
    *,
    extra: Iterable[Path | str] = (),
    cache: Path | None = None,
) -> Path:
    """A folder holding every recording in ``names`` (all by default), laid out by name.

    A local folder (``$FOOTCHAIN_DATA``, then ``extra``) that already holds them all is returned as
    it is; otherwise the cache is filled, from the local folders first and the network for the rest.
    Raises :class:`DataUnavailable` naming what is missing when some cannot be had.
    """
    wanted = list(registry()) if names is None else list(names)
    extra = list(extra)
    for folder in local_folders(extra):
        if all((folder / n).is_file() for n in wanted):
            return folder
    target = cache or cache_dir()
    missing: list[str] = []
    failures: list[DataUnavailable] = []
    for name in wanted:
        local = find_local(name, extra)
        if local is not None:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            if not (target / name).is_file():
                shutil.copyfile(local, target / name)
            continue
        try:
            fetch(name, cache=target)
        except DataUnavailable as error:
            missing.append(name)
            failures.append(error)
    if missing:
        if all(not isinstance(f, DataHashMismatch) for f in failures):
            raise DataUnavailable(
                f"{len(missing)} of the {len(wanted)} footchain test recordings are neither here nor "
                f"downloadable (the first is {missing[0]}): {OFFLINE_HINT}"
            )
        raise failures[0]
    return target


def _download(entry: Recording, target: Path, *, timeout_s: float) -> None:
    try:
        import pooch
    except ImportError as error:  # pragma: no cover - pooch comes with the data and dev extras
        raise DataUnavailable(
            f"{entry.name} must be downloaded, which needs pooch (pip install 'footchain[data]'), "
            f"or {OFFLINE_HINT}"
        ) from error
    target.parent.mkdir(parents=True, exist_ok=True)
    pooch.get_logger().setLevel("WARNING")  # no "Downloading data from ..." line per file
    downloader = pooch.HTTPDownloader(progressbar=False, timeout=timeout_s)
    try:
        if entry.member is None:
            pooch.retrieve(
                entry.url,
                known_hash=f"sha256:{entry.sha256}" if entry.sha256 else None,
                fname=target.name,
                path=target.parent,
                downloader=downloader,
            )
            return
        # A file inside a published zip archive: the pin is on the file used, not on the archive.
        archives = target.parent / ".archives"
        extracted = pooch.retrieve(
            entry.url,
            known_hash=None,
            path=archives,
            downloader=downloader,
            processor=pooch.Unzip(members=[entry.member]),
        )
    except ValueError as error:
        if "hash" in str(error).lower():
            raise DataHashMismatch(
                f"{entry.name} downloaded from {entry.url} is not the registered file "
                f"(its SHA-256 differs from {entry.sha256}), so it was not kept"
            ) from error
        raise
    except OSError as error:  # requests' connection and HTTP errors are OSErrors too
        raise DataUnavailable(f"{entry.name} could not be downloaded: {OFFLINE_HINT}") from error
    member = next(Path(p) for p in extracted if Path(p).name == Path(entry.member).name)
    if sha256_of(member) != entry.sha256:
        raise DataHashMismatch(
            f"{entry.name} extracted from {entry.url} is not the registered file "
            f"(its SHA-256 differs from {entry.sha256}), so it was not kept"
        )
    shutil.copyfile(member, target)


def _make(entry: Recording, target: Path, *, timeout_s: float) -> None:
    """Make ``entry`` from its published file (or footchain's own copy) and keep it if its SHA-256 matches."""
    from footchain import data_made

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    published = target.parent / f".{target.name}.published"
    try:
        maker = data_made.MAKERS.get(entry.made_by or "")
        if maker is None:  # "packaged"
            partial.write_bytes(data_made.packaged_copy(entry.name))
        else:
            _download(replace(entry, sha256=""), published, timeout_s=timeout_s)
            maker(published, partial)
        if sha256_of(partial) != entry.sha256:
            raise DataHashMismatch(
                f"{entry.name} made ({entry.made}) from {entry.url} is not the registered file "
                f"(its SHA-256 differs from {entry.sha256}), so it was not kept"
            )
        partial.replace(target)
    except DataUnavailable:
        raise
    except Exception as error:  # a maker reading a published file unlike the one it was written for
        raise DataHashMismatch(
            f"{entry.name} could not be made ({entry.made}) from {entry.url}: the published file is not "
            f"what footchain expects ({error}), so nothing was kept"
        ) from error
    finally:
        partial.unlink(missing_ok=True)
        published.unlink(missing_ok=True)


def _main(argv: Sequence[str]) -> int:
    """``python -m footchain.data [NAME ...]``: print a folder holding the named recordings (all)."""
    if any(arg in ("-h", "--help") for arg in argv):
        print("usage: python -m footchain.data [NAME ...]   e.g. gaitpdb/GaCo01_01.txt")
        print("Prints a folder that holds the named recordings (all registered ones by default),")
        print("found in FOOTCHAIN_DATA or the download cache, or downloaded and checked by SHA-256.")
        return 0
    try:
        print(fetch_all(list(argv) or None))
    except DataUnavailable as error:
        print(f"footchain.data: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
