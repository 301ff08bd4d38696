"""Reading footprint photos and scans safely: type from content, size checked before decoding.

``read_image`` accepts JPEG, PNG, TIFF, BMP and WebP, recognised from the first bytes of the file (never
from its name). It reads the pixel size from the header first and refuses images too small to measure or
so large that decoding them would exhaust memory (decompression bombs), so memory stays bounded whatever
the file claims. Truncated files are refused with a message instead of being decoded half grey.

Large JPEGs (phone photos) are decoded at half size inside the JPEG decoder (Pillow's ``draft`` scales
the DCT blocks, several times faster than a full decode followed by a resize); the result says so in
``reduction``, and ``dpi`` always refers to the full-size image as stored in the file.

Pillow decodes every format: its codecs report damage as exceptions and print nothing, whereas
OpenCV's (libpng, libjpeg, libtiff) write warnings such as "libpng error: IDAT: CRC error" or "Corrupt
JPEG data" straight to the terminal (found by ``benchmarks/fuzz.py --parser image``).
"""

from __future__ import annotations

import ctypes
import io
import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFile, UnidentifiedImageError

from footchain.errors import FootprintError

# Pillow logs what it finds wrong in a damaged file ("More samples per pixel than can be decoded") at
# ERROR; with no logging set up, Python prints such records to the terminal. footchain judges the
# damage itself and says what to do, so Pillow's records go nowhere unless an application configures
# logging (then they reach its log like any library's).
logging.getLogger("PIL").addHandler(logging.NullHandler())


def _quiet_libtiff() -> None:
    """Switch off the terminal output of the libtiff that Pillow loaded for compressed TIFFs.

    libtiff's default handlers print every error and warning ("ZIPDecode: Decoding error at scanline
    0, incorrect header check.") to the terminal; Pillow also reports the failure as an exception,
    which :func:`read_image` turns into a message a person can act on. Clearing the handlers
    (``TIFFSetErrorHandler(NULL)``, ``TIFFSetWarningHandler(NULL)``) keeps the exception and drops the
    print. The library is found among the files this process has mapped (Linux); elsewhere nothing
    changes.
    """
    from PIL import _imaging  # noqa: F401  (loads Pillow's codecs, libtiff among them)

    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "/libtiff" in line}
    except OSError:
        return
    for path in paths:
        try:
            library = ctypes.CDLL(path)
            library.TIFFSetErrorHandler(None)
            library.TIFFSetWarningHandler(None)
        except (OSError, AttributeError):
            continue


_quiet_libtiff()

ImageFormat = Literal["JPEG", "PNG", "TIFF", "BMP", "WEBP"]
GrayImage = NDArray[np.uint8]
ColourImage = NDArray[np.uint8]  # (height, width, 3), BGR
SUPPORTED = "footchain reads JPEG, PNG, TIFF, BMP and WebP images"
MIN_SIDE_PX = 64
MAX_FILE_BYTES = 300_000_000
REDUCE_JPEG_ABOVE_PIXELS = 6_000_000
EXIF_ORIENTATION = 0x0112

# A marker in JPEG entropy-coded data: 0xFF followed by anything but stuffing (00), restart (D0-D7) or fill (FF).
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")


@dataclass(frozen=True, eq=False)
class LoadedImage:
    """A decoded image, turned upright by its EXIF orientation.

    Attributes
    ----------
    gray
        ``uint8`` grey pixels, shape (height, width), possibly reduced (see ``reduction``).
    dpi
        Horizontal resolution stored in the file, in dots per inch of the *full-size* image (the upright
        image's horizontal axis), or ``None`` when the file has none. Many cameras write 72 or 96 here
        without meaning it.
    reduction
        How many full-size pixels one pixel of ``gray`` spans along each axis (1, or 2 for large JPEGs).
        The scale of ``gray`` is ``dpi / reduction`` dots per inch.
    format
        ``"JPEG"``, ``"PNG"``, ``"TIFF"``, ``"BMP"`` or ``"WEBP"``, from the file's content.
    full_size_px
        (width, height) of the full-size upright image.
    orientation
        The EXIF orientation that was applied (1 = none).
    warnings
        Things worth telling the person (e.g. unequal horizontal and vertical resolution).
    colour
        The same pixels in colour (BGR), when asked for with ``read_image(..., colour=True)``.
    """

    gray: GrayImage
    dpi: float | None
    reduction: int
    format: ImageFormat
    full_size_px: tuple[int, int]
    orientation: int = 1
    warnings: tuple[str, ...] = ()
    colour: ColourImage | None = None

    @property
    def pixel_dpi(self) -> float | None:
        """Dots per inch of ``gray`` itself (``dpi / reduction``), or ``None``."""
        return None if self.dpi is None else self.dpi / self.reduction

    @property
    def mm_per_px(self) -> float | None:
        """Millimetres per pixel of ``gray`` from the file's resolution, or ``None``."""
        return None if self.dpi is None else 25.4 * self.reduction / self.dpi


def sniff_format(head: bytes) -> ImageFormat | None:
    """The image format from the first bytes of a file (``None`` when it is not one footchain reads)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if head.startswith(b"BM") and len(head) >= 26:
        return "BMP"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _describe(head: bytes) -> str:
    """What a file that is not a supported image seems to be, in words."""
    if not head:
        return "is empty (0 bytes)"
    if head.startswith(b"%PDF"):
        return "is a PDF document, not an image: export the page or photo as JPEG or PNG first"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "is a GIF image, which footchain does not read: save it as PNG or JPEG"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return (
            "is a HEIC/HEIF/AVIF photo, which footchain does not read: export it as JPEG "
            "(on an iPhone: Settings › Camera › Formats › Most Compatible)"
        )
    if head.startswith(b"PK\x03\x04"):
        return "is a ZIP archive (or an office document), not an image"
    if head.startswith(b"\xff\xd8"):
        return "starts like a JPEG but its header is damaged"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and sum(c.isprintable() or c.isspace() for c in text) >= 0.95 * len(text):
        return "is a text file, not an image"
    return "is not an image in a format footchain recognises"


def jpeg_is_complete(data: bytes) -> bool | None:
    """Whether a JPEG stream runs from its start marker to its end marker (EOI).

    Walks the marker segments, skipping entropy-coded scan data, so progressive JPEGs and data appended
    after the end marker (motion photos) are handled. Returns ``None`` when the structure is not
    understood, so the caller can fall back on the decoder's verdict.
    """
    n = len(data)
    pos = 2
    while pos + 2 <= n:
        if data[pos] != 0xFF:
            return None
        while pos + 1 < n and data[pos + 1] == 0xFF:
            pos += 1
        if pos + 1 >= n:
            return False
        marker = data[pos + 1]
        if marker == 0xD9:
            return True
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > n:
            return False
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if end > n:
            return False
        if marker == 0xDA:
            found = _JPEG_MARKER.search(data, end)
            if found is None:
                return False
            pos = found.start()
            continue
        pos = end
    return False


def _read_bytes(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "The image"
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FootprintError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if not path.is_file():
        raise FootprintError(f"{path}: is not a file.")
    if size > MAX_FILE_BYTES:
        raise FootprintError(
            f"{path}: the file has {size / 1e6:.0f} MB, more than any photo or scan footchain reads "
            f"({MAX_FILE_BYTES / 1e6:.0f} MB). Save a smaller JPEG or PNG."
        )
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise FootprintError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


def _header(data: bytes, fmt: ImageFormat, name: str) -> Image.Image:
    """Open the image lazily (header only); Pillow's own bomb check turns into a FootprintError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError as exc:
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        count = f"{int(pixels.group(1)) / 1e6:,.0f} megapixels" if pixels else "far too many pixels"
        raise FootprintError(
            f"{name}: the {fmt} claims {count}, far more than any photo or scan needs; it was not decoded "
            "(it may be a decompression bomb). Use the original photo or save it at a normal size."
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise FootprintError(f"{name}: looks like a {fmt} file but its header is damaged ({exc}).") from None


def _orientation(image: Image.Image, fmt: ImageFormat) -> int:
    try:
        if fmt == "PNG":  # PNG keeps EXIF in info only when it comes before the pixels; never decode for it
            raw = image.info.get("exif")
            if not isinstance(raw, bytes):
                return 1
            exif = Image.Exif()
            exif.load(raw)
        else:
            exif = image.getexif()
        value = int(exif.get(EXIF_ORIENTATION, 1))
    except Exception:  # damaged EXIF must not stop the measurement; the picture stays as stored
        return 1
    return value if 1 <= value <= 8 else 1


def _dpi(image: Image.Image) -> tuple[float, float] | None:
    raw = image.info.get("dpi")
    if not isinstance(raw, tuple) or len(raw) != 2:
        return None
    try:
        x, y = float(raw[0]), float(raw[1])
    except (TypeError, ValueError):
        return None
    if not (1.0 <= x <= 100_000 and 1.0 <= y <= 100_000):
        return None
    return x, y


def _upright(gray: GrayImage, orientation: int) -> GrayImage:
    """Apply an EXIF orientation (1–8) so the image shows as the camera meant it."""
    if orientation == 2:
        out = cv2.flip(gray, 1)
    elif orientation == 3:
        out = cv2.rotate(gray, cv2.ROTATE_180)
    elif orientation == 4:
        out = cv2.flip(gray, 0)
    elif orientation == 5:
        out = cv2.transpose(gray)
    elif orientation == 6:
        out = cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE)
    elif orientation == 7:
        out = cv2.rotate(cv2.transpose(gray), cv2.ROTATE_180)
    elif orientation == 8:
        out = cv2.rotate(gray, cv2.ROTATE_90_COUNTERCLOCKWISE)
    else:
        return gray
    return np.asarray(out, dtype=np.uint8)


@contextmanager
def _strict_pillow() -> Iterator[None]:
    """Pillow refuses truncated files inside the block, whatever another library set process-wide.

    WeasyPrint (the PDF reports) sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` when imported, which
    would make Pillow fill a cut-off photo with grey instead of saying it is truncated.
    """
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _pillow_pixels(image: Image.Image, name: str, fmt: ImageFormat, colour: bool) -> NDArray[np.uint8]:
    """Decode with Pillow; 16-bit and float data are scaled to 8 bits.

    Grey, or with ``colour`` BGR (BGRA when the image has transparency)."""
    try:
        with _strict_pillow():
            image.load()
    except Exception as exc:
        if "truncated" in str(exc):
            raise FootprintError(
                f"{name}: the {fmt} file is truncated (cut off before its end), probably by an unfinished "
                "download or copy. Copy or send the original photo again."
            ) from None
        raise FootprintError(f"{name}: the {fmt} file is damaged and cannot be decoded ({exc}).") from None
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(values.max()), 1.0)
        return np.clip(values * (255.0 / top), 0, 255).astype(np.uint8)
    if not colour:
        return np.asarray(image.convert("L"), dtype=np.uint8)
    if _has_alpha(image):
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint8)
        return np.ascontiguousarray(rgba[..., [2, 1, 0, 3]])
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8)[..., ::-1])


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _on_paper(pixels: NDArray[np.uint8]) -> ColourImage:
    """A decoded image with an alpha channel, laid on its own paper.

    Transparent parts (a photo with the table cut away) take the colour of the nearest opaque pixel, so
    the sheet goes on beyond its cut edge with its own light and shadows: neither black (what editors
    leave under transparent pixels) nor one flat colour, which would be brighter than a shaded corner of
    the sheet and make the paper next to it look inked. Found on a coarse grid (about 250 000 samples)
    and smoothed, since the paper's light changes slowly.
    """
    if pixels.ndim == 2:
        return np.asarray(cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if pixels.shape[2] == 3:
        return pixels
    if pixels.shape[2] == 2:  # grey + alpha
        bgr, alpha = cv2.cvtColor(pixels[..., 0], cv2.COLOR_GRAY2BGR), pixels[..., 1]
    else:
        bgr, alpha = pixels[..., :3], pixels[..., 3]
    if not (alpha < 255).any():
        return np.ascontiguousarray(bgr)
    step = max(1, int(np.sqrt(alpha.size / 250_000)))
    small = bgr[::step, ::step]
    # the cut edge itself is left out: its pixels are often mixed with what was cut away
    solid = alpha[::step, ::step] > 250
    opaque = cv2.erode(solid.view(np.uint8), np.ones((3, 3), np.uint8)).view(bool)
    opaque = opaque if opaque.any() else solid
    if opaque.any():
        _, nearest = cv2.distanceTransformWithLabels(
            (~opaque).view(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
        )
        spread = cv2.GaussianBlur(small[opaque][np.asarray(nearest) - 1].astype(np.float32), (0, 0), 4.0)
        behind = np.asarray(
            cv2.resize(spread, (bgr.shape[1], bgr.shape[0]), interpolation=cv2.INTER_LINEAR), np.float32
        )
    else:
        behind = np.full(bgr.shape, 255.0, np.float32)
    a = alpha.astype(np.float32)[..., None] / 255.0
    laid = bgr.astype(np.float32) * a + np.asarray(behind, np.float32) * (1.0 - a) + 0.5
    return np.asarray(laid, dtype=np.uint8)


def _decode(
    header: Image.Image, fmt: ImageFormat, name: str, reduction: int, colour: bool
) -> tuple[GrayImage, ColourImage | None]:
    """Decode with Pillow (OpenCV's codecs print libpng, libjpeg and libtiff complaints about damaged files
    straight to the terminal); a large JPEG at ``1/reduction`` size inside the JPEG decoder (``draft``);
    transparent pixels are laid on the paper."""
    width, height = header.size
    alpha = _has_alpha(header)
    if reduction > 1:
        header.draft("RGB" if colour else "L", (-(-width // reduction), -(-height // reduction)))
    pixels = _pillow_pixels(header, name, fmt, colour or alpha)
    header.close()
    expected = (-(-height // reduction), -(-width // reduction))
    if pixels.shape[:2] != expected:  # draft could not scale this JPEG: take every second pixel instead
        pixels = np.asarray(pixels[::reduction, ::reduction], dtype=np.uint8)
    if alpha or (colour and pixels.ndim == 2):
        pixels = _on_paper(pixels)
    if pixels.ndim == 3:
        gray = np.asarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        return gray, (pixels if colour else None)
    return pixels, None


def read_image(
    source: str | os.PathLike[str] | bytes,
    *,
    max_pixels: int = 60_000_000,
    reduce_large_jpeg: bool = True,
    colour: bool = False,
) -> LoadedImage:
    """Read a photo or scan as upright 8-bit grey pixels, refusing anything unsafe or unusable.

    Parameters
    ----------
    source
        A path, or the file's bytes.
    max_pixels
        Refuse images with more pixels than this (checked from the header, before decoding).
    reduce_large_jpeg
        Decode JPEGs above 6 megapixels at half size in the DCT domain (``reduction == 2``).
    colour
        Also keep the colour pixels (``LoadedImage.colour``). Transparent pixels (a PNG with alpha)
        are laid on the paper's colour either way.

    Returns
    -------
    LoadedImage
        Grey pixels, the file's DPI (full-size), the reduction used and the format.

    Raises
    ------
    FootprintError
        Empty, not an image, unsupported format, damaged or truncated, smaller than 64 pixels on a side,
        or more than ``max_pixels`` pixels.
    """
    with warnings.catch_warnings():
        # Pillow warns about damaged tags ("Tag data larger than file"); the damage is judged here
        # and reported as a FootprintError, never printed.
        warnings.simplefilter("ignore", UserWarning)
        return _read_image(source, max_pixels=max_pixels, reduce_large_jpeg=reduce_large_jpeg, colour=colour)


def _read_image(
    source: str | os.PathLike[str] | bytes, *, max_pixels: int, reduce_large_jpeg: bool, colour: bool
) -> LoadedImage:
    data, name = _read_bytes(source)
    fmt = sniff_format(data[:32])
    if fmt is None:
        raise FootprintError(f"{name}: {_describe(data[:64])}. {SUPPORTED}.")
    if fmt == "JPEG" and jpeg_is_complete(data) is False:
        raise FootprintError(
            f"{name}: the JPEG file is truncated (its end is missing), probably by an unfinished download "
            "or copy. Copy or send the original photo again."
        )
    header = _header(data, fmt, name)
    width, height = header.size
    if width * height > max_pixels:
        raise FootprintError(
            f"{name}: the image is {width:,} × {height:,} pixels ({width * height / 1e6:,.0f} megapixels); "
            f"footchain reads up to {max_pixels / 1e6:,.0f} megapixels and did not decode it. A phone photo "
            "at its normal setting (12–50 megapixels) works; otherwise save a smaller copy."
        )
    if min(width, height) < MIN_SIDE_PX:
        raise FootprintError(
            f"{name}: the image is only {width} × {height} pixels; a footprint photo or scan needs at least "
            f"{MIN_SIDE_PX} pixels on each side (a phone photo has thousands)."
        )
    orientation = _orientation(header, fmt)
    dpi_xy = _dpi(header)
    reduction = 2 if fmt == "JPEG" and reduce_large_jpeg and width * height > REDUCE_JPEG_ABOVE_PIXELS else 1
    gray, bgr = _decode(header, fmt, name, reduction, colour)
    gray = _upright(gray, orientation)
    bgr = None if bgr is None else np.ascontiguousarray(_upright(bgr, orientation))
    swapped = orientation >= 5
    notes: list[str] = []
    dpi: float | None = None
    if dpi_xy is not None:
        dpi_x, dpi_y = (dpi_xy[1], dpi_xy[0]) if swapped else dpi_xy
        dpi = dpi_x
        if abs(dpi_x - dpi_y) > 0.01 * max(dpi_x, dpi_y):
            notes.append(
                f"The file gives different horizontal and vertical resolutions ({dpi_x:g} and {dpi_y:g} dpi); "
                "the horizontal one is used."
            )
    full = (height, width) if swapped else (width, height)
    return LoadedImage(
        gray=np.ascontiguousarray(gray),
        dpi=dpi,
        reduction=reduction,
        format=fmt,
        full_size_px=full,
        orientation=orientation,
        warnings=tuple(notes),
        colour=bgr,
    )
