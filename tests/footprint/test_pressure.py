"""Plantar-pressure frames: every vendor sample loads with plausible values or the documented error.

Real files are read in place from ``../shared/data`` (never copied into the repository):
the vendor examples of the R package pressuRe (Telfer et al., MIT) in ``pressure/`` and the MUN104
templates (Pataky, Bosch & Rosenbaum 2011, MIT) in ``footprint_templates/``. Broken copies are made in
``tmp_path``.
"""

from __future__ import annotations

import shutil
import struct
from importlib.resources import files
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footchain.errors import FootprintError
from footchain.measure.footprint.analyze import analyze_footprint
from footchain.measure.footprint.pressure import (
    SUPPORTED_FORMATS,
    PressureFrame,
    read_pressure_frame,
    sniff_pressure_format,
)
from footchain.measure.footprint.pressure._common import resample_square
from tests.shared import DATA

PRESSURE = DATA / "pressure"
TEMPLATES = DATA / "footprint_templates"
EMED = PRESSURE / "emed_test.lst"
FOOTSCAN = PRESSURE / "footscan_test.xls"
FSCAN = PRESSURE / "fscan_testL.asf"
ISCAN = PRESSURE / "iscan_test.csv"
PEDAR = PRESSURE / "pedar_example.asc"
PLIANCE = PRESSURE / "pliance_test.asc"
STAPPONE = PRESSURE / "stappone_example.csv"
XSENSOR = PRESSURE / "xsensor_data.csv"
MUN104 = [TEMPLATES / "MUN104L.csv", TEMPLATES / "MUN104R.csv"]

MMHG_TO_KPA = 0.133322
Array = npt.NDArray[np.float64]

# sample → (format, unit, frame); pressure range is checked in kPa
EXPECTED: dict[str, tuple[str, str, str]] = {
    "emed_test.lst": ("emed", "kPa", "peak"),
    "footscan_test.xls": ("footscan", "kPa", "peak"),
    "fscan_testL.asf": ("fscan", "kPa", "peak"),
    "pliance_test.asc": ("pliance", "kPa", "peak"),
    "xsensor_data.csv": ("xsensor", "mmHg", "peak"),
    "iscan_test.csv": ("iscan", "raw", "peak"),
}
REFUSED = {"pedar_example.asc": "pedar", "stappone_example.csv": "stappone"}


def _feet(values: Array) -> list[Array]:
    """Split a picture at runs of empty columns into the separate prints (one or two feet)."""
    used = (values > 0).any(axis=0)
    parts: list[Array] = []
    start: int | None = None
    gap = 0
    for c, u in enumerate(used):
        if u:
            if start is None:
                start = c
            gap = 0
        elif start is not None:
            gap += 1
            if gap >= 3:
                parts.append(values[:, start : c - gap + 1])
                start, gap = None, 0
    if start is not None:
        parts.append(values[:, start:])
    return parts


def _length_mm(values: Array, mm_per_px: float) -> float:
    """Extent of the contact along its principal axis (the print's length), in mm."""
    rows, cols = np.nonzero(values > 0)
    pts = np.column_stack([rows, cols]).astype(float)
    pts -= pts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts, full_matrices=False)
    along = pts @ vt[0]
    return float((along.max() - along.min() + 1) * mm_per_px)


def _all_samples() -> list[Path]:
    return sorted(p for p in PRESSURE.iterdir() if p.is_file()) if PRESSURE.is_dir() else []


# --------------------------------------------------------------------------------------------- samples


@pytest.mark.parametrize("path", _all_samples(), ids=lambda p: p.name)
def test_every_sample_loads_plausibly_or_gives_the_documented_error(path: Path) -> None:
    if path.name in REFUSED:
        with pytest.raises(FootprintError) as info:
            read_pressure_frame(path)
        message = str(info.value)
        assert "insole" in message and "a photo or a scan" in message  # why, and what to use instead
        assert sniff_pressure_format(path) == REFUSED[path.name]
        return
    frame = read_pressure_frame(path)
    assert isinstance(frame, PressureFrame)
    assert frame.values.ndim == 2 and frame.values.dtype == np.float64
    assert frame.format in SUPPORTED_FORMATS
    assert np.isfinite(frame.values).all() and (frame.values >= 0).all()
    if path.name not in EXPECTED:  # a sample added later: loading cleanly is what is checked
        return
    fmt, unit, which = EXPECTED[path.name]
    assert (frame.format, frame.unit, frame.frame) == (fmt, unit, which)
    assert frame.mm_per_px is not None
    assert any("peak pressure picture" in w for w in frame.warnings)
    if fmt == "iscan":  # the I-Scan sample is a 36 mm finger-contact sensor, not a foot
        assert any("too small for an adult foot" in w for w in frame.warnings)
        return
    peak_kpa = frame.values.max() * (MMHG_TO_KPA if unit == "mmHg" else 1.0)
    assert 100 <= peak_kpa <= 1500, peak_kpa
    feet = _feet(frame.values)
    for foot in feet:
        area_cm2 = np.count_nonzero(foot) * frame.mm_per_px**2 / 100
        assert 80 <= area_cm2 <= 350, (path.name, area_cm2)
    if fmt == "xsensor":  # insoles: the peak covers only part of each stance; the insole has foot length
        assert len(feet) == 2
        assert 150 <= frame.values.shape[0] * frame.mm_per_px <= 320
    else:
        assert len(feet) == 1
        assert 150 <= _length_mm(feet[0], frame.mm_per_px) <= 320


def test_known_facts_of_the_vendor_samples() -> None:
    emed = read_pressure_frame(EMED)
    assert emed.mm_per_px == pytest.approx(5.0) and emed.values.shape == (54, 22)
    footscan = read_pressure_frame(FOOTSCAN)
    # 38 × 20 sensors of 7.62 × 5.08 mm → 57 × 20 square pixels of 5.08 mm
    assert footscan.values.shape == (57, 20) and footscan.mm_per_px == pytest.approx(5.08)
    assert any("force on each sensor" in w for w in footscan.warnings)
    assert any("resampled" in w for w in footscan.warnings)
    fscan = read_pressure_frame(FSCAN)
    assert fscan.values.shape == (60, 21) and fscan.mm_per_px == pytest.approx(5.08)
    pliance = read_pressure_frame(PLIANCE)
    assert pliance.mm_per_px == pytest.approx(5.28) and pliance.values.shape == (56, 28)
    xsensor = read_pressure_frame(XSENSOR)
    assert xsensor.mm_per_px == pytest.approx(8.6) and xsensor.values.shape == (31, 11 + 4 + 11)
    iscan = read_pressure_frame(ISCAN)
    assert iscan.mm_per_px == pytest.approx(1.27) and iscan.values.shape == (28, 28)


def test_pedar_is_recognised_and_refused_with_what_to_do() -> None:
    with pytest.raises(FootprintError) as info:
        read_pressure_frame(PEDAR)
    message = str(info.value)
    assert "pedar" in message and "Arch Index" in message and "footchain gait" in message
    assert "99 sensors" in message
    # the insole's size is in the export, so the gait command has its layout: say what it gives
    assert "the insole's size is known" in message and "CPEI" in message


def test_stappone_is_recognised_and_refused() -> None:
    with pytest.raises(FootprintError, match="12 pressure sensors"):
        read_pressure_frame(STAPPONE)


@pytest.mark.parametrize("path", MUN104, ids=lambda p: p.name)
def test_mun104_templates_load_as_frames(path: Path) -> None:
    frame = read_pressure_frame(path)
    assert (frame.format, frame.frame, frame.values.shape) == ("csv", "static", (63, 27))
    assert frame.mm_per_px is None and frame.contact_area_cm2 is None
    assert any("--mm-per-px" in w for w in frame.warnings)
    scaled = read_pressure_frame(path, mm_per_px=5.0)
    assert scaled.mm_per_px == 5.0 and not scaled.warnings
    np.testing.assert_array_equal(scaled.values, frame.values)
    assert scaled.contact_area_cm2 is not None and 80 <= scaled.contact_area_cm2 <= 350
    assert 150 <= _length_mm(scaled.values, 5.0) <= 320


def test_file_pitch_wins_over_the_flag_with_a_warning() -> None:
    frame = read_pressure_frame(EMED, mm_per_px=7.0)
    assert frame.mm_per_px == pytest.approx(5.0)
    assert any("--mm-per-px 7 was not used" in w for w in frame.warnings)


# ------------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("source", "wrong_name"),
    [
        (EMED, "frame.csv"),
        (FOOTSCAN, "frame.txt"),
        (FSCAN, "frame.lst"),
        (XSENSOR, "frame.asc"),
        (PLIANCE, "frame.npy"),
        (MUN104[0], "frame.xls"),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_format_is_judged_from_content_not_the_extension(
    source: Path, wrong_name: str, tmp_path: Path
) -> None:
    copy = tmp_path / wrong_name
    shutil.copyfile(source, copy)
    original = read_pressure_frame(source, mm_per_px=5.0)
    moved = read_pressure_frame(copy, mm_per_px=5.0)
    assert moved.format == original.format
    np.testing.assert_array_equal(moved.values, original.values)


def test_unknown_content_lists_the_supported_formats(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("patient,age\nanna,forty\n", encoding="utf-8")
    with pytest.raises(FootprintError) as info:
        read_pressure_frame(path)
    for name in ("emed", "footscan", "pedar", "xsensor", "csv", "npy"):
        assert name in str(info.value)


def test_unknown_format_hint_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("0,1\n2,3\n", encoding="utf-8")
    with pytest.raises(FootprintError, match="unknown pressure format 'matscan'"):
        read_pressure_frame(path, format_hint="matscan")


# ----------------------------------------------------------------------------------- text variants


def test_vendor_text_survives_crlf_and_trailing_blank_lines(tmp_path: Path) -> None:
    for source in (EMED, FSCAN, XSENSOR, PLIANCE):
        data = source.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + b"\r\n\r\n\r\n"
        copy = tmp_path / source.name
        copy.write_bytes(data)
        np.testing.assert_array_equal(read_pressure_frame(copy).values, read_pressure_frame(source).values)


def test_emed_with_decimal_commas(tmp_path: Path) -> None:
    text = EMED.read_bytes().decode("cp1252")
    lines = []
    for line in text.split("\n"):
        cells = line.split("\t")
        if cells and cells[0].strip().isdigit():
            line = "\t".join([cells[0]] + [c.replace(".", ",") for c in cells[1:]])
        lines.append(line)
    copy = tmp_path / "komma.lst"
    copy.write_bytes("\n".join(lines).encode("cp1252"))
    np.testing.assert_array_equal(read_pressure_frame(copy).values, read_pressure_frame(EMED).values)


def test_csv_header_row_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("c1;c2;c3\n0;1,5;0\n2;3;0,25\n", encoding="utf-8")
    frame = read_pressure_frame(path, mm_per_px=5)
    np.testing.assert_array_equal(frame.values, [[0, 1.5, 0], [2, 3, 0.25]])
    assert any("names, not numbers" in w for w in frame.warnings)


def test_negative_cells_are_zeroed_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "m.tsv"
    path.write_text("0\t-1\t0\n2\t3\t4\n", encoding="utf-8")
    frame = read_pressure_frame(path)
    assert frame.values.min() == 0 and any("negative" in w for w in frame.warnings)


def test_npy_round_trip(tmp_path: Path) -> None:
    values = np.zeros((40, 20))
    values[5:35, 4:16] = 120.0
    path = tmp_path / "frame.npy"
    np.save(path, values)
    frame = read_pressure_frame(path, mm_per_px=5.0)
    assert (frame.format, frame.frame, frame.mm_per_px) == ("npy", "static", 5.0)
    np.testing.assert_array_equal(frame.values, values)
    assert frame.contact_area_cm2 == pytest.approx(30 * 12 * 0.25)


def test_resampling_to_square_pixels_keeps_the_contact_area() -> None:
    values = np.zeros((38, 20))
    values[3:33, 4:15] = 1.0
    square, mm = resample_square(values, 7.62, 5.08)
    assert mm == pytest.approx(5.08) and square.shape == (57, 20)
    assert np.count_nonzero(square) * mm**2 == pytest.approx(np.count_nonzero(values) * 7.62 * 5.08, rel=0.03)


# ------------------------------------------------------------------------------------- bad input


def _expect_error(path: Path, *words: str, **kwargs: float) -> str:
    with pytest.raises(FootprintError) as info:
        read_pressure_frame(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    for word in words:
        assert word in message, message
    return message


@pytest.mark.parametrize("source", [EMED, FSCAN, XSENSOR, PLIANCE, MUN104[0]], ids=lambda p: p.name)
def test_truncated_text_exports_are_refused(source: Path, tmp_path: Path) -> None:
    data = source.read_bytes()
    cut = data[: int(len(data) * 0.6)]
    if source == XSENSOR:  # stop inside a sensor grid, not in the region statistics
        cut = data[: data.index(b"SENSELS", data.rindex(b"SENSOR,", 0, len(cut)))]
        cut = data[: len(cut) + 40]
    cut = cut[: cut.rfind(b"\n") + 8]  # stop a few characters into a line
    copy = tmp_path / source.name
    copy.write_bytes(cut)
    _expect_error(copy, "truncated")


def test_truncated_excel_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "cut.xls"
    copy.write_bytes(FOOTSCAN.read_bytes()[:300_000])
    _expect_error(copy, "cannot be read")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    _expect_error(path, "empty")
    path.write_bytes(b"\n\n  \r\n")
    _expect_error(path, "empty")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    _expect_error(tmp_path / "nope.lst", "no such file")
    _expect_error(tmp_path, "folder")


def test_junk_bytes(tmp_path: Path) -> None:
    path = tmp_path / "junk.lst"
    path.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)))
    _expect_error(path, "binary")


def test_png_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "frame.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + b"\x00" * 40)
    _expect_error(path, "PNG image", "not a pressure export")


def test_all_zeros(tmp_path: Path) -> None:
    path = tmp_path / "zeros.csv"
    path.write_text("\n".join(",".join("0" for _ in range(10)) for _ in range(20)), encoding="utf-8")
    _expect_error(path, "no cell has any pressure")


def test_nan_and_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "nan.csv"
    path.write_text("0,1,2\n3,nan,4\n5,6,7\n", encoding="utf-8")
    _expect_error(path, "line 2, column 2", "empty, missing or infinite")
    path.write_text("0,1,2\n3,,4\n5,6,7\n", encoding="utf-8")
    _expect_error(path, "line 2, column 2")
    npy = tmp_path / "nan.npy"
    np.save(npy, np.array([[0.0, 1.0], [np.nan, 2.0]]))
    _expect_error(npy, "missing or infinite", "row 2, column 1")


def test_non_numeric_cell(tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    path.write_text("0,1,2\n3,4,5\n5,six,7\n", encoding="utf-8")
    _expect_error(path, "line 3, column 2", "'six' is not a number")


def test_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("0,1,2\n3,4\n5,6,7\n", encoding="utf-8")
    _expect_error(path, "line 2", "2 values")
    path.write_text("0,1,2\n3,4,5\n5,6", encoding="utf-8")
    _expect_error(path, "truncated", "last line (3)")


def test_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("5\n", encoding="utf-8")
    _expect_error(path, "1 × 1")
    npy = tmp_path / "one.npy"
    np.save(npy, np.array([[5.0]]))
    _expect_error(npy, "1 × 1")


def test_absurdly_large_matrices_are_refused_before_loading(tmp_path: Path) -> None:
    path = tmp_path / "tall.csv"
    path.write_text("1,0\n" * 10_001, encoding="utf-8")
    _expect_error(path, "far larger than any pressure sensor")
    # a .npy header that claims 20,000 × 20,000 doubles (3.2 GB) with no data behind it
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 1)))  # type: ignore[no-untyped-call]
    header["shape"] = (20_000, 20_000)
    npy = tmp_path / "bomb.npy"
    with npy.open("wb") as fh:
        np.lib.format.write_array_header_1_0(fh, header)  # type: ignore[no-untyped-call]
    _expect_error(npy, "far larger than any pressure sensor")


def test_npy_pickles_and_wrong_shapes_are_refused(tmp_path: Path) -> None:
    obj = tmp_path / "obj.npy"
    np.save(obj, np.array([[{"a": 1}, 2], [3, 4]], dtype=object), allow_pickle=True)
    _expect_error(obj, "pickle")
    cube = tmp_path / "cube.npy"
    np.save(cube, np.ones((3, 4, 5)))
    _expect_error(cube, "2-D", "max(axis=0)")
    good = tmp_path / "cut.npy"
    np.save(good, np.ones((50, 40)))
    good.write_bytes(good.read_bytes()[:-100])
    _expect_error(good, "truncated")


def test_bad_mm_per_px(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("0,1\n2,3\n", encoding="utf-8")
    _expect_error(path, "positive", mm_per_px=0.0)
    _expect_error(path, "positive", mm_per_px=-5.0)


# ------------------------------------------------------------------------------------- property


@st.composite
def _matrices(draw: st.DrawFn) -> Array:
    rows = draw(st.integers(2, 8))
    cols = draw(st.integers(2, 8))
    cells = draw(
        st.lists(
            st.one_of(st.just(0.0), st.floats(0.001, 5000, allow_nan=False, allow_infinity=False)),
            min_size=rows * cols,
            max_size=rows * cols,
        )
    )
    values: Array = np.round(np.array(cells, dtype=np.float64).reshape(rows, cols), 3)
    if not (values > 0).any():
        values[0, 0] = 1.0
    return values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=_matrices(),
    delimiter=st.sampled_from([",", ";", "\t", " ", ", ", " ; "]),
    decimal_comma=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
    trailing_blank=st.integers(0, 3),
    trailing_delimiter=st.booleans(),
)
def test_text_matrix_round_trips(
    tmp_path: Path,
    values: Array,
    delimiter: str,
    decimal_comma: bool,
    newline: str,
    trailing_blank: int,
    trailing_delimiter: bool,
) -> None:
    use_comma = decimal_comma and "," not in delimiter
    lines = []
    for row in values:
        cells = [repr(float(v)) for v in row]
        if use_comma:
            cells = [c.replace(".", ",") for c in cells]
        line = delimiter.join(cells)
        if trailing_delimiter and delimiter.strip():
            line += delimiter.strip()
        lines.append(line)
    path = tmp_path / "m.txt"
    path.write_bytes((newline.join(lines) + newline * trailing_blank).encode("utf-8"))
    frame = read_pressure_frame(path, mm_per_px=2.0)
    assert frame.format == "csv"
    np.testing.assert_array_equal(frame.values, values)


# ------------------------------------------------------------------------------- format variants


def _foot_rows(n_rows: int, n_cols: int, fmt: str, sep: str) -> list[str]:
    """A crude foot-shaped block of pressures, rendered with a number format and separator."""
    rows = []
    for r in range(n_rows):
        cells = []
        for c in range(n_cols):
            inside = 1 <= c < n_cols - 1 and 1 <= r < n_rows - 1
            cells.append(fmt.format(12.5 + r + c if inside else 0.0))
        rows.append(sep.join(cells))
    return rows


def test_xsensor_colon_variant_with_space_separated_sensels(tmp_path: Path) -> None:
    lines = [
        "File: trial.xsn",
        "Units: N/cm2",
        "",
        "Frame: 1",
        'Sensor: "LX100:36.36.02 S0240"',
        "Rows: 36",
        "Columns: 12",
        "Sensel Width (cm): 1.27",
        "Sensel Height (cm): 1.27",
        "Sensels:",
        *_foot_rows(36, 12, "{:.2f}", " "),
        "",
    ]
    path = tmp_path / "x.txt"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    frame = read_pressure_frame(path)
    assert (frame.format, frame.unit, frame.frame) == ("xsensor", "N/cm2", "static")
    assert frame.values.shape == (36, 12) and frame.mm_per_px == pytest.approx(12.7)


def test_tekscan_semicolons_decimal_commas_single_frame(tmp_path: Path) -> None:
    header = [
        "DATA_TYPE FRAME",
        "SENSOR_TYPE 3150",
        "ROWS 44",
        "COLS 20",
        "ROW_SPACING 0.84 centimeters",
        "COL_SPACING 0.84 centimeters",
        "UNITS KPa",
        "ASCII_DATA @@",
        "",
        "Frame 1",
    ]
    path = tmp_path / "mat.asf"
    path.write_text(
        "\n".join([*header, *_foot_rows(44, 20, "{:.1f}", ";"), "", "@@", ""])
        .replace(".", ",")
        .replace("0,84", "0.84"),
        encoding="utf-8",
    )
    frame = read_pressure_frame(path)
    assert (frame.format, frame.unit, frame.frame) == ("iscan", "kPa", "static")
    assert frame.mm_per_px == pytest.approx(8.4) and frame.values[5, 5] == pytest.approx(22.5)


def test_pliance_without_sensor_geometry_is_refused(tmp_path: Path) -> None:
    text = PLIANCE.read_text(encoding="cp1252")
    copy = tmp_path / "nogeo.asc"
    copy.write_text(text[: text.index("\nsensor ")], encoding="cp1252")
    _expect_error(copy, "no sensor geometry")


@pytest.mark.parametrize("name", ["pedar_sensor_areas.csv", "pedar_insole_grid.csv"])
def test_a_table_of_other_values_is_not_measured_as_a_footprint(name: str) -> None:
    """pressuRe's pedar geometry tables are numbers in rows and columns, like a matrix export, but every
    cell is "loaded": there is no mat around a foot, so no outline and no Arch Index may come of it."""
    table = Path(str(files("footchain.measure.gait") / "data" / name))  # the copy footchain ships
    with pytest.raises(FootprintError, match="not a table of other values"):
        analyze_footprint(table)
