"""Reading photos and scans: formats by content, EXIF orientation, DPI, fast JPEG reduction, bad files."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from footchain.errors import FootprintError
from footchain.measure.footprint.image_io import jpeg_is_complete, read_image

REPO = Path(__file__).resolve().parents[2]


def _picture(height: int = 300, width: int = 400, seed: int = 0) -> np.ndarray:
    """A smooth random picture with a dark block in its top-left corner (so orientation is visible)."""
    rng = np.random.default_rng(seed)
    image = cv2.GaussianBlur((rng.random((height, width)) * 255).astype(np.uint8), (0, 0), 3)
    image = cv2.normalize(image, None, 60, 250, cv2.NORM_MINMAX)
    image[: height // 4, : width // 3] = 10
    return np.asarray(image, dtype=np.uint8)


def _encode(array: np.ndarray, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt, **options)
    return buffer.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def write_png_bomb(path: Path, side: int) -> None:
    """A valid ``side`` × ``side`` black 8-bit grey PNG, compressed row block by row block (tiny file)."""
    compressor = zlib.compressobj(1)
    rows_per_block = max(1, 4_000_000 // (side + 1))
    block = bytes(rows_per_block * (side + 1))  # filter byte 0 + black pixels, per row
    data = bytearray()
    done = 0
    while done < side:
        n = min(rows_per_block, side - done)
        data += compressor.compress(block[: n * (side + 1)])
        done += n
    data += compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", bytes(data))
        + _png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("fmt", "options", "dpi"),
    [
        ("JPEG", {"quality": 95, "dpi": (300, 300)}, 300.0),
        ("PNG", {"dpi": (600, 600)}, 600.0),
        ("TIFF", {"compression": "tiff_lzw", "dpi": (400, 400)}, 400.0),
        ("BMP", {}, None),
        ("WEBP", {"lossless": True}, None),
    ],
)
def test_each_supported_format_reads_with_its_resolution(
    tmp_path: Path, fmt: str, options: dict[str, object], dpi: float | None
) -> None:
    picture = _picture()
    path = tmp_path / "scan.bin"  # the name says nothing: the type comes from the content
    path.write_bytes(_encode(picture, fmt, **options))
    loaded = read_image(path)
    assert loaded.format == fmt
    assert loaded.gray.shape == picture.shape and loaded.gray.dtype == np.uint8
    assert loaded.reduction == 1 and loaded.orientation == 1
    assert np.abs(loaded.gray.astype(int) - picture).mean() < (2.0 if fmt == "JPEG" else 0.01)
    if dpi is None:
        assert loaded.dpi is None or loaded.dpi > 0  # BMP may carry a resolution; WebP has none
    else:
        assert loaded.dpi == pytest.approx(dpi, abs=0.5)
        assert loaded.mm_per_px == pytest.approx(25.4 / dpi, rel=1e-3)


def test_a_png_named_jpg_is_read_as_png(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(_encode(_picture(), "PNG"))
    assert read_image(path).format == "PNG"


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    picture = (_picture().astype(np.uint16) * 257).astype(np.uint16)
    ok, encoded = cv2.imencode(".png", picture)
    assert ok
    loaded = read_image(encoded.tobytes())
    assert np.abs(loaded.gray.astype(int) - _picture()).max() <= 1


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_exif_orientation_is_applied(orientation: int, fmt: str) -> None:
    image = Image.fromarray(_picture(200, 320))
    exif = image.getexif()
    exif[0x0112] = orientation
    data = _encode(np.asarray(image), fmt, exif=exif.tobytes(), **({"quality": 95} if fmt == "JPEG" else {}))
    loaded = read_image(data)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("L"), dtype=int)
    assert loaded.orientation == orientation
    assert loaded.gray.shape == expected.shape
    assert np.abs(loaded.gray.astype(int) - expected).mean() < 1.0


def test_large_jpeg_is_decoded_at_half_size_and_dpi_stays_full_size(tmp_path: Path) -> None:
    picture = _picture(2448, 3264, seed=3)  # 8 MP
    image = Image.fromarray(picture)
    exif = image.getexif()
    exif[0x0112] = 6  # the phone was held upright: turn 90° clockwise
    path = tmp_path / "phone.jpg"
    path.write_bytes(_encode(picture, "JPEG", quality=92, dpi=(600, 300), exif=exif.tobytes()))
    loaded = read_image(path)
    assert loaded.reduction == 2
    assert loaded.full_size_px == (2448, 3264)
    assert loaded.gray.shape == (1632, 1224)  # upright, halved
    # after a quarter turn the stored vertical resolution becomes the horizontal one
    assert loaded.dpi == pytest.approx(300)
    assert loaded.pixel_dpi == pytest.approx(150)
    assert loaded.mm_per_px == pytest.approx(25.4 * 2 / 300)
    assert any("different horizontal and vertical" in w for w in loaded.warnings)
    full = read_image(path, reduce_large_jpeg=False)
    assert full.reduction == 1 and full.gray.shape == (3264, 2448)
    halved = cv2.resize(full.gray, (1224, 1632), interpolation=cv2.INTER_AREA)
    assert np.abs(loaded.gray.astype(int) - halved).mean() < 2.0


def test_jpeg_end_marker_check_handles_progressive_and_appended_data() -> None:
    picture = _picture(600, 800)
    baseline = _encode(picture, "JPEG", quality=90)
    progressive = _encode(picture, "JPEG", quality=90, progressive=True)
    for data in (baseline, progressive):
        assert jpeg_is_complete(data) is True
        assert jpeg_is_complete(data + b"\x00\x00\x00\x18ftypmp42" + bytes(500)) is True  # motion photo
        assert jpeg_is_complete(data[:-2]) is False
        assert jpeg_is_complete(data[: len(data) // 2]) is False
    assert read_image(progressive + b"trailing bytes").gray.shape == picture.shape


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"Dear clinic,\nhere is my footprint photo.\n" * 3, "text file"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF document"),
        (b"GIF89a\x10\x00\x10\x00" + bytes(40), "GIF"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(40), "HEIC"),
        (b"PK\x03\x04" + bytes(40), "ZIP"),
        (bytes(range(256)) * 4, "not an image"),
    ],
)
def test_files_that_are_not_images_are_named_and_the_formats_listed(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "footprint.jpg"
    path.write_bytes(content)
    with pytest.raises(FootprintError) as error:
        read_image(path)
    assert message in str(error.value)
    assert "JPEG, PNG, TIFF, BMP and WebP" in str(error.value)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP"])
def test_truncated_files_are_refused(tmp_path: Path, fmt: str) -> None:
    data = _encode(_picture(600, 800), fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    path = tmp_path / "cut.img"
    path.write_bytes(data[: int(len(data) * 0.7)])
    with pytest.raises(FootprintError, match=r"truncated|damaged"):
        read_image(path)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_truncated_files_are_refused_after_weasyprint_loosened_pillow(tmp_path: Path, fmt: str) -> None:
    """WeasyPrint turns on Pillow's tolerant decoding process-wide when imported (the web server has it)."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    data = _encode(_picture(600, 800), fmt)
    with pytest.raises(FootprintError, match=r"truncated|damaged"):
        read_image(data[: int(len(data) * 0.7)])
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # left as the other library wants it


def test_truncated_jpeg_says_so_and_what_to_do(tmp_path: Path) -> None:
    data = _encode(_picture(600, 800), "JPEG", quality=90)
    for cut in (len(data) // 2, len(data) - 2):
        with pytest.raises(FootprintError, match=r"truncated .*Copy or send the original photo again"):
            read_image(data[:cut])


def test_tiny_image_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(_encode(np.zeros((1, 1), np.uint8), "PNG"))
    with pytest.raises(FootprintError, match=r"only 1 × 1 pixels.*at least 64"):
        read_image(path)
    with pytest.raises(FootprintError, match=r"only 63 × 500 pixels"):
        read_image(_encode(np.zeros((500, 63), np.uint8), "PNG"))


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FootprintError, match="cannot be read"):
        read_image(tmp_path / "nowhere.jpg")
    with pytest.raises(FootprintError, match="is not a file"):
        read_image(tmp_path)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    paths = {}
    for side in (10_000, 30_000):
        paths[side] = folder / f"bomb{side}.png"
        write_png_bomb(paths[side], side)
    return paths


CHILD = """
import json, resource, sys
from footchain.errors import FootprintError
from footchain.measure.footprint.image_io import read_image
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_image(sys.argv[1])
    message = None
except FootprintError as exc:
    message = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"message": message, "before_kb": before, "after_kb": after}))
"""


@pytest.mark.parametrize(("side", "says"), [(30_000, "900 megapixels"), (10_000, "10,000 × 10,000 pixels")])
def test_decompression_bomb_is_refused_without_decoding(bombs: dict[int, Path], side: int, says: str) -> None:
    path = bombs[side]
    assert path.stat().st_size < 5_000_000  # a small file that would decode to side² bytes
    data = path.read_bytes()  # a real, complete PNG of that size (header read by hand: Pillow refuses it)
    assert struct.unpack(">II", data[16:24]) == (side, side) and data.endswith(_png_chunk(b"IEND", b""))
    assert zlib.decompressobj().decompress(data[41:-12], 1_000_000) == bytes(1_000_000)  # image data inflate
    # Measure the peak memory of a fresh process reading it: decoding would need side² bytes.
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=120,
    )
    result = json.loads(child.stdout)
    assert result["message"] is not None and says in result["message"]
    assert "not decoded" in result["message"] or "did not decode it" in result["message"]
    grown_mb = (result["after_kb"] - result["before_kb"]) / 1024
    print(
        f"\n{side} × {side} PNG ({path.stat().st_size / 1e3:.0f} kB): peak memory grew by {grown_mb:.1f} MB"
    )
    assert grown_mb < 40, "the bomb must be refused from its header, not decoded"


def test_transparent_pixels_read_as_the_paper_not_black(tmp_path: Path) -> None:
    """A photo with the table cut away: editors leave black under the transparent pixels."""
    rgba = np.zeros((200, 300, 4), np.uint8)
    rgba[40:160, 60:240] = (235, 230, 225, 255)  # the sheet, opaque
    rgba[90:110, 100:140, :3] = 30  # some ink on it
    path = tmp_path / "cut.png"
    Image.fromarray(rgba, "RGBA").save(path)
    loaded = read_image(path, colour=True)
    assert loaded.colour is not None and loaded.colour.shape == (200, 300, 3)
    assert abs(int(loaded.gray[5, 5]) - int(loaded.gray[50, 70])) <= 2  # outside reads as the paper
    assert loaded.gray[100, 120] < 60  # the ink stays dark
    assert tuple(int(v) for v in loaded.colour[5, 5]) == (225, 230, 235)  # BGR of the paper
    assert read_image(path).colour is None and abs(int(read_image(path).gray[5, 5]) - 230) <= 3


def test_transparent_pixels_continue_the_sheet_beside_them(tmp_path: Path) -> None:
    """A sheet darker on one side (uneven light): what was cut away beside each side takes that side's tone."""
    rgba = np.zeros((200, 300, 4), np.uint8)
    shade = np.linspace(140, 240, 180).astype(np.uint8)  # dark on the left, light on the right
    rgba[40:160, 60:240, :3] = shade[None, :, None]
    rgba[40:160, 60:240, 3] = 255
    path = tmp_path / "cut.png"
    Image.fromarray(rgba, "RGBA").save(path)
    gray = read_image(path).gray.astype(int)
    assert abs(gray[100, 20] - gray[100, 65]) <= 8  # left of the sheet: as dark as its left side
    assert abs(gray[100, 280] - gray[100, 235]) <= 8  # right of it: as light as its right side
