"""Uploaded footprint images and gait recordings: type sniffed from the content, then measured.

The bytes are written to a private temporary folder under a cleaned-up version of the uploaded name
(some formats, like a foot-IMU trial's ``_lf/_rf/_lb`` files, are told apart by name), measured by
the same functions as ``footchain footprint`` and ``footchain gait``, and the folder is removed.
Messages name the uploaded file, never the server's folder. Measuring is CPU work: routes call these
functions from a worker thread so the server keeps answering.
"""

from __future__ import annotations

import functools
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request

from footchain.errors import FootchainError
from footchain.web.errors import HttpError

if TYPE_CHECKING:
    from footchain.measure.footprint.analyze import FirstRow
    from footchain.measure.footprint.result import InputKind

T = TypeVar("T")
ANALYSIS_CONCURRENCY = 2  # measurements at once per app server; more wait their turn (2-core machines)

# Images are recognised by the footprint reader's own ``sniff_format``; these are the other kinds.
# (magic bytes at offset 0, media type, what a person calls it)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "application/pdf", "a PDF document"),
    (b"PK\x03\x04", "application/zip", "a ZIP archive (or an .xlsx/.docx file)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-excel", "an Excel 97 (.xls) workbook"),
    (b"\x93NUMPY", "application/x-npy", "a NumPy array (.npy)"),
    (b"GIF8", "image/gif", "a GIF image"),
)
IMAGE_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
    "WEBP": "image/webp",
}
FOOTPRINT_TYPES = frozenset(IMAGE_TYPES.values()) | {
    "application/vnd.ms-excel",
    "application/x-npy",
    "text/plain",
}
# a footscan "Dynamic Roll off" .xls is a walk on a pressure plate (gait format pressure_walk)
GAIT_TYPES = frozenset({"text/plain", "application/x-c3d", "application/vnd.ms-excel"})
GAIT_WANTED = "a gait recording (a text export, a footscan Excel export or a C3D file)"
DESCRIPTIONS = {media: words for _magic, media, words in SIGNATURES} | {
    "image/jpeg": "a JPEG image",
    "image/png": "a PNG image",
    "image/tiff": "a TIFF image",
    "image/bmp": "a BMP image",
    "image/webp": "a WebP image",
    "image/heic": "a HEIC photo",
    "application/x-c3d": "a C3D motion file",
    "text/plain": "a text table",
    "application/octet-stream": "a binary file of unknown type",
}
HEIC_ADVICE = "set the phone camera to 'Most compatible' (JPEG), or share the photo as JPEG, and upload again"


def sniff(content: bytes) -> str:
    """The media type of ``content`` from its first bytes (never from the file name)."""
    from footchain.measure.footprint.image_io import sniff_format
    from footchain.measure.gait.readers.c3d import is_c3d

    image = sniff_format(content[:32])
    if image is not None:
        return IMAGE_TYPES[image]
    for magic, media, _words in SIGNATURES:
        if content.startswith(magic):
            return media
    if content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return "image/heic"
    if len(content) > 512 and is_c3d(content):
        return "application/x-c3d"
    head = content[:65536]
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:  # a multi-byte character cut at the end is fine
                try:
                    head.decode("latin-1")
                except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte
                    return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"


def safe_name(filename: str, fallback: str) -> str:
    """The last part of an uploaded name with only letters, digits, ``._-`` kept (never a path)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename.replace("\\", "/")).name).lstrip(".")
    return name[:120] or fallback


def _refuse_empty(files: Sequence[tuple[str, bytes]]) -> None:
    for filename, content in files:
        if not content:
            raise HttpError(
                422, f"{filename} is empty (0 bytes): choose the file again; the copy may have failed."
            )


def refuse_non_photo(filename: str, content: bytes) -> None:
    """Refuse, in two plain sentences, a file given as a footprint photo that is no photo at all (a text
    file named .jpg, a PDF, a spreadsheet): a person at home gets what to do, not the pressure-mat
    formats a clinic's export could be read as."""
    media = sniff(content)
    if media == "image/heic":
        raise _refuse(filename, media, "a photo")
    if media not in IMAGE_TYPES.values():
        found = DESCRIPTIONS.get(media, "a file of unknown type")
        raise HttpError(
            415,
            f"{filename} is not a photo: it is {found}. Choose the JPEG or PNG photo of your footprint on the "
            "printed sheet, or press “Continue without a photo”.",
        )


def _refuse(filename: str, media: str, wanted: str) -> HttpError:
    if media == "image/heic":
        return HttpError(415, f"{filename} is a HEIC photo, which footchain cannot read: {HEIC_ADVICE}.")
    found = DESCRIPTIONS.get(media, media)
    return HttpError(415, f"{filename} is {found}, not {wanted}. Its type was judged from its content.")


async def run_analysis(request: Request, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``func(*args, **kwargs)`` (a measurement: CPU work) in a worker thread, at most
    ``ANALYSIS_CONCURRENCY`` at once per app, so the event loop keeps answering other requests
    (``/healthz``, pages, the API) while a 12-megapixel photo is measured."""
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "analysis_limiter", None)
    if limiter is None:  # created lazily, inside the server's event loop
        limiter = state.analysis_limiter = anyio.CapacityLimiter(ANALYSIS_CONCURRENCY)
    return await anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs), limiter=limiter)


@dataclass(frozen=True)
class AnalysedUpload:
    """What a measured upload gives: its sniffed type, the measurement contract and its pictures."""

    media_type: str
    result: dict[str, Any]
    overlay_png: bytes | None = None
    figures: dict[str, str] = field(default_factory=dict)


def _clear_message(exc: FootchainError, folder: Path, names: dict[str, str]) -> HttpError:
    message = str(exc)
    for stored, original in names.items():
        message = message.replace(str(folder / stored), original)
    return HttpError(422, message.replace(str(folder), "the upload"))


def analyze_footprint_upload(
    filename: str,
    content: bytes,
    *,
    kind: InputKind | None = None,
    dpi: float | None = None,
    mm_per_px: float | None = None,
    first_row: FirstRow = "bottom",
) -> AnalysedUpload:
    """Measure an uploaded footprint photo, scan or pressure export (``footchain footprint``).

    ``kind``, ``dpi``, ``mm_per_px`` and ``first_row`` are the command's ``--kind``, ``--dpi``,
    ``--mm-per-px`` and ``--first-row``.
    """
    from footchain.measure.footprint.analyze import analyze_footprint

    _refuse_empty([(filename, content)])
    media = sniff(content)
    if media not in FOOTPRINT_TYPES:
        raise _refuse(filename, media, "a footprint photo, scan or pressure export")
    name = safe_name(filename, "footprint")
    with tempfile.TemporaryDirectory(prefix="footchain-") as tmp:
        folder = Path(tmp)
        (folder / name).write_bytes(content)
        try:
            result = analyze_footprint(
                folder / name,
                kind=kind,
                dpi=dpi,
                mm_per_px=mm_per_px,
                overlay=folder / "overlay.png",
                first_row=first_row,
            )
        except FootchainError as exc:
            raise _clear_message(exc, folder, {name: filename}) from None
        overlay = folder / "overlay.png"
        png = overlay.read_bytes() if overlay.is_file() else None
    contract = result.contract()
    contract["source"] = {**result.source.model_dump(mode="json"), "path": filename}
    contract["overlay"] = None
    return AnalysedUpload(media_type=media, result=contract, overlay_png=png)


UNKNOWN_RECORDING = (
    "{name} is not a walking recording footchain can read. Export it from the insoles, force plate or "
    "sensors as described above, or press “Continue without a recording”."
)
"""What a person at home is told about a file in no known recording format (the API lists the formats)."""


def analyze_gait_upload(files: Sequence[tuple[str, bytes]], *, plain: bool = False) -> AnalysedUpload:
    """Measure an uploaded gait recording (``footchain gait``); the first file is the recording and
    the others travel with it (a foot-IMU trial's ``_lf/_rf/_lb`` files). ``plain``: a file in no known
    format is refused in two plain sentences (``UNKNOWN_RECORDING``) instead of the list of formats."""
    from footchain.measure.gait import analyze_gait, load_recording
    from footchain.measure.gait.errors import UnknownFormatError
    from footchain.measure.gait.figures import draw_figures

    if not files:
        raise HttpError(422, "No recording was uploaded; attach the file as 'file'.")
    _refuse_empty(files)
    medias = [sniff(content) for _name, content in files]
    for (filename, _content), media in zip(files, medias, strict=True):
        if media not in GAIT_TYPES:
            raise _refuse(filename, media, GAIT_WANTED)
    with tempfile.TemporaryDirectory(prefix="footchain-") as tmp:
        folder = Path(tmp)
        names: dict[str, str] = {}
        for index, (filename, content) in enumerate(files):
            name = safe_name(filename, f"recording-{index}")
            (folder / name).write_bytes(content)
            names[name] = filename
        first = folder / next(iter(names))
        try:
            recording = load_recording(first)
            result = analyze_gait(recording)
        except UnknownFormatError as exc:
            if plain:
                raise HttpError(415, UNKNOWN_RECORDING.format(name=files[0][0])) from None
            raise _clear_message(exc, folder, names) from None
        except FootchainError as exc:
            raise _clear_message(exc, folder, names) from None
        # A figure the data cannot show (a C3D trial without strides) is left out, not an error.
        drawn = draw_figures(recording, result, folder, prefix="figure-")
        svgs = {key: path.read_text(encoding="utf-8") for key, path in drawn.items()}
    result = dict(result)
    result["source"] = {**result["source"], "path": files[0][0]}
    return AnalysedUpload(media_type=medias[0], result=result, figures=svgs)
