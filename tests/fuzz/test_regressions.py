"""Every failure the fuzzer found, kept as a test (``benchmarks/fuzz.py``; issue 16).

1. The footscan ``.xls`` reader let the spreadsheet library's own exceptions out (KeyError,
   AssertionError, IndexError from xlrd reading a damaged workbook's sheet) and xlrd printed
   "WARNING *** file size ... not 512 + multiple of sector size" to the terminal.
2. Damaged photos made OpenCV's codecs print "libpng error: IDAT: CRC error", "Corrupt JPEG data: ...
   extraneous bytes" and libtiff warnings to the terminal; Pillow warned "Tag data larger than file".
3. A malformed multipart upload made python-multipart log "Found invalid character ... in header" to
   the server's terminal.
4. Inputs kept in ``found/``: a TIFF whose header claims 174 samples per pixel made Pillow log "More
   samples per pixel than can be decoded", printed to the terminal; a deflate-compressed TIFF with a
   damaged stream made libtiff print "ZIPDecode: Decoding error at scanline 0, incorrect header check.".
5. A pedar export with a sensor value near 1e308 made NumPy print "RuntimeWarning: overflow encountered
   in multiply" while turning pressures into forces; such values are now refused as a damaged export.
6. An XSENSOR export whose first sensor lost its sensel height stopped with a TypeError while naming the
   two sensors' different sensel sizes (sorting a size that was not stated).
"""

from __future__ import annotations

import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from footchain.errors import FootprintError
from footchain.measure.footprint.image_io import read_image
from footchain.measure.footprint.pressure import read_pressure_frame
from footchain.measure.gait import load_recording
from footchain.measure.gait.errors import RecordingError
from tests.fuzz.harness import BOUNDARY, UploadClient, multipart_body, mutate, targets
from tests.shared import DATA


def _footscan_damage() -> list[bytes]:
    """Truncations at sector boundaries and in the middle, and bytes flipped in the allocation tables."""
    original = (DATA / "pressure" / "footscan_test.xls").read_bytes()
    damaged = [original[:n] for n in (600, 1024, 4096, len(original) // 2, len(original) - 100)]
    rng = random.Random(16)
    damaged += [mutate(original, rng) for _ in range(60)]
    for offset in (0x4C, 0x200, 0x400, 0x1000):  # header's DIFAT, first sectors
        flipped = bytearray(original)
        flipped[offset : offset + 16] = rng.randbytes(16)
        damaged.append(bytes(flipped))
    return damaged


@pytest.mark.parametrize("n", range(len(_footscan_damage())))
def test_damaged_footscan_workbook_gets_footchains_message_and_prints_nothing(
    n: int, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "walk.xls"
    path.write_bytes(_footscan_damage()[n])
    try:
        read_pressure_frame(path)
    except FootprintError as exc:
        assert "walk.xls" in str(exc)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def _png_with_bad_crc() -> bytes:
    png = targets()["image"].seeds()[0]
    at = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[at - 8 : at - 4])[0]
    crc_at = at + length
    return png[:crc_at] + struct.pack(">I", zlib.crc32(b"wrong") & 0xFFFFFFFF) + png[crc_at + 4 :]


def _jpeg_with_extraneous_bytes() -> bytes:
    jpeg = targets()["image"].seeds()[1]
    at = jpeg.index(b"\xff\xda")  # start of scan: junk before a marker
    return jpeg[:at] + b"\x00\x01\x02" + jpeg[at:]


def _tiff_with_tag_beyond_the_file() -> bytes:
    tiff = bytearray(targets()["image"].seeds()[2])
    offset = struct.unpack("<I", tiff[4:8])[0]
    count = struct.unpack("<H", tiff[offset : offset + 2])[0]
    for i in range(count):  # make every long value point past the end of the file
        entry = offset + 2 + 12 * i
        tag_type = struct.unpack("<H", tiff[entry + 2 : entry + 4])[0]
        if tag_type == 5:  # RATIONAL (resolution): its value lives at an offset
            tiff[entry + 8 : entry + 12] = struct.pack("<I", len(tiff) + 1000)
    return bytes(tiff)


@pytest.mark.parametrize(
    "damaged", [_png_with_bad_crc, _jpeg_with_extraneous_bytes, _tiff_with_tag_beyond_the_file]
)
def test_damaged_image_prints_nothing(damaged: object, capfd: pytest.CaptureFixture[str]) -> None:
    data = damaged()  # type: ignore[operator]
    try:
        image = read_image(data)
        assert image.gray.size > 0
    except FootprintError:
        pass
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_malformed_multipart_is_400_and_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    body = multipart_body([("file", "print.csv", b"1,2\n3,4\n")]).replace(
        b"Content-Disposition", b"Content,Disposition"
    )
    response = UploadClient.post("/api/v1/footprints", body, BOUNDARY)
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()
    assert [r for r in caplog.records if r.name.startswith("python_multipart")] == []


FOUND = Path(__file__).with_name("found")


@pytest.mark.parametrize("name", ["tiff-samples-per-pixel.bin", "tiff-deflate-bad-header.bin"])
def test_inputs_the_fuzzer_found_get_footchains_message_and_print_nothing(name: str, tmp_path: Path) -> None:
    """4. Inputs the long fuzz runs found (module docstring). Run in a fresh interpreter: pytest's own log
    capture would hide a logging print, and the first decode of a process is the one that printed."""
    script = (
        "import sys\n"
        "from footchain.errors import FootprintError\n"
        "from footchain.measure.footprint.image_io import read_image\n"
        "try:\n"
        "    read_image(open(sys.argv[1], 'rb').read())\n"
        "except FootprintError as exc:\n"
        "    open(sys.argv[2], 'w').write(str(exc))\n"
    )
    message = tmp_path / "message.txt"
    run = subprocess.run(
        [sys.executable, "-c", script, str(FOUND / name), str(message)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert (run.stdout, run.stderr) == ("", "")
    assert "TIFF" in message.read_text()


def test_a_pedar_export_with_an_impossible_pressure_is_refused_quietly(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """5. A sensor value no insole can measure is a damaged export, named by row and column."""
    lines = (DATA / "pressure" / "pedar_example.asc").read_text(encoding="latin-1").splitlines()
    first_data = next(i for i, line in enumerate(lines) if line.strip()[:1].isdigit() and "\t" in line)
    fields = lines[first_data].split("\t")
    fields[5] = "9.9e307"
    lines[first_data] = "\t".join(fields)
    damaged = tmp_path / "damaged.asc"
    damaged.write_text("\n".join(lines) + "\n", encoding="latin-1")
    with pytest.raises(RecordingError, match="beyond what a pedar insole measures"):
        load_recording(damaged)
    with pytest.raises(FootprintError, match="beyond what a pedar insole measures"):
        read_pressure_frame(damaged)  # the footprint path names the same damage
    assert capfd.readouterr() == ("", "")


def test_an_xsensor_export_with_a_sensel_size_missing_names_the_sizes(tmp_path: Path) -> None:
    """6. One sensor's sensel height is blank: the message names each sensor's size, 'not stated' included."""
    text = (DATA / "pressure" / "xsensor_data.csv").read_text(encoding="utf-8-sig")
    damaged = tmp_path / "damaged.csv"
    damaged.write_text(text.replace("Sensel Height (cm),0.86,", "Sensel Height (cm),,", 1), encoding="utf-8")
    with pytest.raises(RecordingError, match=r"different sensel sizes \(.*not stated × 8.6 mm"):
        load_recording(damaged)
