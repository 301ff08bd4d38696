"""Broken copies of the real recordings: a RecordingError with a message a person can act on, never a crash.

Copies are made in tmp_path from the files in ../shared/data (see gait_data.py for credits).
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footchain.measure.gait import RecordingError, analyze_gait, load_recording
from tests.measure.gait_data import C3D, C3D_FILES, GAITPDB_ALL, GAITPDB_CONTROLS, MOTICON_FILES, PEDAR

TEXT_FILES = [*GAITPDB_ALL, *MOTICON_FILES, PEDAR]
ALL_FILES = [*TEXT_FILES, *C3D_FILES]


def _copy(tmp_path: Path, source: Path, data: bytes, prefix: str) -> Path:
    target = tmp_path / f"{prefix}_{source.name}"
    target.write_bytes(data)
    return target


@pytest.mark.parametrize("source", ALL_FILES, ids=lambda p: p.name)
def test_truncated_to_half_says_truncated(tmp_path: Path, source: Path) -> None:
    data = source.read_bytes()
    path = _copy(tmp_path, source, data[: len(data) // 2], "half")
    with pytest.raises(RecordingError, match=r"truncated|damaged") as err:
        load_recording(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("source", ALL_FILES, ids=lambda p: p.name)
def test_empty_file_says_empty(tmp_path: Path, source: Path) -> None:
    path = _copy(tmp_path, source, b"", "empty")
    with pytest.raises(RecordingError, match="is empty"):
        load_recording(path)
    blank = _copy(tmp_path, source, b"\r\n  \n\t\n", "blank")
    with pytest.raises(RecordingError, match="is empty"):
        load_recording(blank)


@pytest.mark.parametrize("source", ALL_FILES, ids=lambda p: p.name)
def test_binary_junk_is_refused_with_the_supported_formats(tmp_path: Path, source: Path) -> None:
    junk = bytes(random.Random(source.name).randrange(256) for _ in range(4096))
    path = _copy(tmp_path, source, junk, "junk")
    with pytest.raises(RecordingError, match="Supported"):
        load_recording(path)


@pytest.mark.parametrize("source", C3D_FILES, ids=lambda p: p.name)
def test_c3d_with_a_junk_parameter_section_does_not_crash(tmp_path: Path, source: Path) -> None:
    data = bytearray(source.read_bytes())
    start = (data[0] - 1) * 512
    rng = random.Random(0)
    for trial in range(5):
        damaged = bytearray(data)
        damaged[start + 4 : start + 2000] = bytes(rng.randrange(256) for _ in range(1996))
        path = _copy(tmp_path, source, bytes(damaged), f"params{trial}")
        with pytest.raises(RecordingError, match=r"damaged|truncated|force plates"):
            load_recording(path)


@pytest.mark.parametrize("source", TEXT_FILES, ids=lambda p: p.name)
def test_junk_after_a_valid_head_is_an_error(tmp_path: Path, source: Path) -> None:
    data = source.read_bytes()
    path = _copy(tmp_path, source, data[:3000] + os.urandom(3000), "junkhead")
    with pytest.raises(RecordingError):
        load_recording(path)


def test_non_numeric_cell_names_line_and_column(tmp_path: Path) -> None:
    lines = GAITPDB_CONTROLS[0].read_text().splitlines()
    fields = lines[99].split("\t")
    fields[5] = "12,5oops"
    lines[99] = "\t".join(fields)
    path = tmp_path / "text.txt"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match=r"line 100.*column 6.*not a number|line 100: \d+ values"):
        load_recording(path)
    fields[5] = "abc"
    lines[99] = "\t".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match=r"line 100, column 6: 'abc' is not a number"):
        load_recording(path)


def test_a_nan_run_is_reported_and_splits_the_analysis(tmp_path: Path) -> None:
    lines = GAITPDB_CONTROLS[0].read_text().splitlines()
    for i in range(3000, 3300):  # 3 s of missing samples at 30–33 s
        fields = lines[i].split("\t")
        lines[i] = "\t".join([fields[0]] + ["NaN"] * 18)
    path = tmp_path / "gap.txt"
    path.write_text("\n".join(lines) + "\n")
    rec = load_recording(path)
    assert any("missing samples" in w and "30.00–32.99 s" in w for w in rec.warnings)
    result = analyze_gait(rec)
    for side in ("left", "right"):
        for event in result["feet"][side]["events"]:
            assert not 30.0 <= event["heel_strike_s"] < 33.0
        spanning = [s for s in result["feet"][side]["strides"] if s["start_s"] < 30.0 < s["end_s"]]
        assert all(s["excluded"] for s in spanning)
        included = [s for s in result["feet"][side]["strides"] if not s["excluded"]]
        assert all(not (s["start_s"] < 33.0 and s["end_s"] > 30.0) for s in included)
        assert 0.9 < result["feet"][side]["summary"]["stride_time_s"]["mean"] < 1.4


def test_nan_run_in_one_foot_only(tmp_path: Path) -> None:
    lines = GAITPDB_CONTROLS[0].read_text().splitlines()
    for i in range(5000, 5100):
        fields = lines[i].split("\t")
        fields[17] = "nan"
        lines[i] = "\t".join(fields)
    path = tmp_path / "gap.txt"
    path.write_text("\n".join(lines) + "\n")
    rec = load_recording(path)
    assert any(w.startswith("left foot: 100 missing samples") for w in rec.warnings)
    assert not any(w.startswith("right foot") for w in rec.warnings)


@pytest.mark.parametrize("source", [*GAITPDB_ALL[:1], *MOTICON_FILES[:1]], ids=lambda p: p.name)
def test_all_zero_force_is_an_error(tmp_path: Path, source: Path) -> None:
    rec = load_recording(source)
    text = source.read_text(encoding="utf-8")
    if rec.format == "gaitpdb":
        zeroed = "\n".join(
            "\t".join([line.split("\t")[0]] + ["0"] * 18) for line in text.splitlines() if line.strip()
        )
    else:
        out = []
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                out.append(line)
                continue
            fields = line.split("\t")
            out.append("\t".join([fields[0]] + [("0" if f.strip() else f) for f in fields[1:]]))
        zeroed = "\n".join(out)
    path = tmp_path / f"zero_{source.name}"
    path.write_text(zeroed + "\n", encoding="utf-8")
    with pytest.raises(RecordingError, match=r"zero .*throughout"):
        load_recording(path)


def test_one_silent_insole_is_a_warning_not_an_error(tmp_path: Path) -> None:
    lines = GAITPDB_CONTROLS[0].read_text().splitlines()
    out = []
    for line in lines:
        f = line.split("\t")
        out.append("\t".join([*f[:9], *(["0"] * 8), f[17], "0"]))
    path = tmp_path / "right_off.txt"
    path.write_text("\n".join(out) + "\n")
    rec = load_recording(path)
    assert any("right foot: the force is zero throughout" in w for w in rec.warnings)
    result = analyze_gait(rec)
    assert result["feet"]["right"]["events"] == []
    assert result["feet"]["left"]["summary"]["strides"] > 20
    assert result["summary"]["symmetry_index_percent"]["stride_time"] is None


@pytest.mark.parametrize("source", [GAITPDB_CONTROLS[0], MOTICON_FILES[0], PEDAR], ids=lambda p: p.name)
def test_wrong_sampling_rate_is_refused(source: Path) -> None:
    with pytest.raises(RecordingError, match="sampling rate given \\(50 Hz\\) does not match"):
        load_recording(source, sampling_rate_hz=50)
    assert load_recording(source, sampling_rate_hz=100).sampling_rate_hz == 100


def test_a_row_out_of_order_is_dropped_with_a_warning(tmp_path: Path) -> None:
    lines = GAITPDB_CONTROLS[0].read_text().splitlines()
    lines[500], lines[501] = lines[501], lines[500]
    path = tmp_path / "swapped.txt"
    path.write_text("\n".join(lines) + "\n")
    original = load_recording(GAITPDB_CONTROLS[0])
    recording = load_recording(path)
    assert recording.time_s.shape[0] == original.time_s.shape[0] - 1
    assert (np.diff(recording.time_s) > 0).all()
    assert any("repeats or goes back at 1 row(s), first at data row 502" in w for w in recording.warnings)


def test_a_repeated_row_is_dropped_with_a_warning(tmp_path: Path) -> None:
    lines = GAITPDB_CONTROLS[0].read_text().splitlines()
    path = tmp_path / "repeated.txt"
    path.write_text("\n".join([*lines[:300], lines[299], *lines[300:]]) + "\n")
    recording = load_recording(path)
    original = load_recording(GAITPDB_CONTROLS[0])
    np.testing.assert_array_equal(recording.time_s, original.time_s)
    assert recording.sampling_rate_hz == original.sampling_rate_hz
    assert any("repeats or goes back at 1 row(s)" in w for w in recording.warnings)


def test_two_recordings_joined_are_refused(tmp_path: Path) -> None:
    lines = GAITPDB_CONTROLS[0].read_text().splitlines()
    path = tmp_path / "joined.txt"
    path.write_text("\n".join(lines + lines[:2000]) + "\n")
    with pytest.raises(RecordingError, match="two recordings were joined"):
        load_recording(path)


def test_gaitpdb_with_wrong_column_count(tmp_path: Path) -> None:
    lines = GAITPDB_CONTROLS[0].read_text().splitlines()
    path = tmp_path / "short.txt"
    path.write_text("\n".join("\t".join(line.split("\t")[:17]) for line in lines) + "\n")
    with pytest.raises(RecordingError, match="17 columns; gaitpdb files have 19"):
        load_recording(path, format_hint="gaitpdb")
    with pytest.raises(RecordingError, match="not a recording format footchain recognises"):
        load_recording(path)


def test_c3d_hint_on_a_text_file() -> None:
    with pytest.raises(RecordingError, match="not a C3D file"):
        load_recording(GAITPDB_CONTROLS[0], format_hint="c3d")


def test_c3d_truncated_inside_the_parameters(tmp_path: Path) -> None:
    data = (C3D / "BTS.c3d").read_bytes()
    path = _copy(tmp_path, C3D / "BTS.c3d", data[:700], "cut")
    with pytest.raises(RecordingError, match=r"damaged|truncated"):
        load_recording(path)


# A short gaitpdb snippet (4 s) read from the real file at test time; never copied into the repo.
_SNIPPET = (
    [line.split("\t") for line in GAITPDB_CONTROLS[0].read_text().splitlines()[:400]]
    if GAITPDB_CONTROLS
    else []
)

_separators = st.sampled_from(["\t", " ", "  ", "\t ", " \t", "\t\t", ",", ", ", " , "])
_line_ends = st.sampled_from(["\n", "\r\n", "\r"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    separator=_separators,
    line_end=_line_ends,
    leading=st.sampled_from(["", " ", "\t"]),
    trailing=st.sampled_from(["", " ", "\t", " \t"]),
    blank_lines_at_end=st.integers(min_value=0, max_value=3),
    header=st.booleans(),
)
def test_whitespace_and_line_end_variants_parse_identically(
    tmp_path: Path,
    separator: str,
    line_end: str,
    leading: str,
    trailing: str,
    blank_lines_at_end: int,
    header: bool,
) -> None:
    assert _SNIPPET, "gaitpdb data missing from ../shared/data"
    names = ["Time", *[f"L{i}" for i in range(1, 9)], *[f"R{i}" for i in range(1, 9)], "Total_L", "Total_R"]
    rows = [leading + separator.join(fields) + trailing for fields in _SNIPPET]
    if header:
        rows.insert(0, ",".join(names) if "," in separator else "\t".join(names))
    text = line_end.join(rows) + line_end + line_end * blank_lines_at_end
    path = tmp_path / "variant.dat"
    path.write_bytes(text.encode())
    rec = load_recording(path)
    expected = np.array(_SNIPPET, dtype=float)
    assert rec.format == "gaitpdb"
    np.testing.assert_array_equal(rec.time_s, expected[:, 0])
    assert rec.left_force is not None and rec.right_force is not None
    np.testing.assert_array_equal(rec.left_force, expected[:, 17])
    np.testing.assert_array_equal(rec.right_force, expected[:, 18])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_text_never_raises_another_error_type(tmp_path: Path, data: st.DataObject) -> None:
    """Cut, splice or overwrite parts of a real text recording: a Recording or a RecordingError, nothing else."""
    source = data.draw(st.sampled_from(TEXT_FILES), label="source")
    raw = bytearray(source.read_bytes()[:20000])
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        where = data.draw(st.integers(0, len(raw) - 1), label="where")
        kind = data.draw(st.sampled_from(["cut", "overwrite", "insert", "truncate"]), label="kind")
        chunk = data.draw(st.binary(min_size=1, max_size=40), label="chunk")
        if kind == "cut":
            del raw[where : where + len(chunk)]
        elif kind == "overwrite":
            raw[where : where + len(chunk)] = chunk
        elif kind == "insert":
            raw[where:where] = chunk
        else:
            del raw[where:]
        if not raw:
            raw = bytearray(b" ")
    path = tmp_path / "damaged.txt"
    path.write_bytes(bytes(raw))
    try:
        rec = load_recording(path)
    except RecordingError as err:
        message = str(err)
        assert message and not re.search(r"Traceback|Error\(", message)
        return
    analyze_gait(rec)  # whatever loads must also analyse without crashing


def test_pedar_header_rate_that_contradicts_its_time_column(tmp_path: Path) -> None:
    text = PEDAR.read_text()
    edited = re.sub(r"scanning rate \[Hz\]:\s*100", "scanning rate [Hz]:   50", text)
    edited = edited.replace("time per frame [secs]:  0.01000", "time per frame [secs]:  0.02000")
    assert edited != text
    path = tmp_path / "rate.asc"
    path.write_text(edited)
    with pytest.raises(RecordingError, match=r"the header's scanning rate \(50 Hz\) does not match"):
        load_recording(path)


def test_pedar_without_a_mask_assumes_left_first_and_says_so(tmp_path: Path) -> None:
    lines = PEDAR.read_text().splitlines()
    kept = [line for line in lines if not re.match(r"\s*(left|right) insole:", line)]
    path = tmp_path / "nomask.asc"
    path.write_text("\n".join(kept) + "\n")
    rec = load_recording(path)
    assert any("left insole first" in w for w in rec.warnings)


@pytest.mark.parametrize("name", ["BTS.c3d", "FP_Type1.c3d", "FP_Type3.c3d"])
def test_damaged_c3d_never_crashes_the_interpreter(tmp_path: Path, name: str) -> None:
    """ezc3d is native code: a damaged file must be refused before it can kill the process.

    Each damaged copy is read in a forked child; the child must exit normally (with a Recording or
    a RecordingError), never by a signal such as a segmentation fault.
    """
    source = C3D / name
    original = source.read_bytes()
    start = (original[0] - 1) * 512
    n_blocks = max(original[start + 2], 1)
    rng = random.Random(name)
    for trial in range(12):
        damaged = bytearray(original)
        for _ in range(rng.randrange(1, 8)):
            where = rng.randrange(start, min(len(damaged), start + 512 * n_blocks))
            damaged[where] = rng.randrange(256)
        if trial % 3 == 0:
            damaged[2 : 2 + 20] = bytes(rng.randrange(256) for _ in range(20))  # header counts
        path = tmp_path / f"damaged{trial}.c3d"
        path.write_bytes(bytes(damaged))
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 0
            try:
                analyze_gait(load_recording(path))
            except RecordingError:
                pass
            except BaseException:
                code = 3
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert not os.WIFSIGNALED(status), f"trial {trial}: killed by signal {os.WTERMSIG(status)}"
        assert os.WEXITSTATUS(status) == 0, f"trial {trial}: an exception other than RecordingError"
