"""Readers on the real recordings in ../shared/data: every file loads with plausible numbers, or a clear error.

gaitpdb: PhysioNet "Gait in Parkinson's Disease", Hausdorff et al. (ODC-By 1.0). Moticon OpenGo test
data (Apache-2.0). pedar example of pressuRe, Telfer et al. (MIT). C3D: pyomeca/ezc3d-testFiles.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from footchain.errors import FootchainError
from footchain.measure.gait import RecordingError, analyze_gait, load_recording, sniff_format
from footchain.measure.gait.cop import heel_first_share
from footchain.measure.gait.events import default_thresholds, detect_contacts
from footchain.measure.gait.readers._text import whole_lines
from footchain.measure.gait.readers.pedar import read_pedar
from footchain.web.uploads import sniff
from tests.measure.gait_data import (
    C3D,
    C3D_FILES,
    DATA,
    GAITPDB,
    GAITPDB_ALL,
    GAITPDB_CONTROLS,
    MOTICON_FILES,
    PEDAR,
)


@pytest.mark.parametrize("path", GAITPDB_ALL, ids=lambda p: p.name)
def test_gaitpdb_loads_both_feet_at_100_hz(path: Path) -> None:
    rec = load_recording(path)
    assert rec.format == "gaitpdb"
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert rec.left_force is not None and rec.right_force is not None
    assert rec.left_sensors is not None and rec.left_sensors.shape == (rec.n_samples, 8)
    assert 100.0 < rec.duration_s < 130.0
    # the totals are the sums of the 8 sensors of the same foot
    np.testing.assert_allclose(rec.left_sensors.sum(axis=1), rec.left_force, atol=0.05)
    assert rec.right_sensors is not None
    np.testing.assert_allclose(rec.right_sensors.sum(axis=1), rec.right_force, atol=0.05)
    # body-weight-sized loads, none in swing
    for force in (rec.left_force, rec.right_force):
        assert 500.0 < np.percentile(force, 99) < 2000.0
        assert np.percentile(force, 5) < 20.0


@pytest.mark.parametrize("path", GAITPDB_CONTROLS, ids=lambda p: p.name)
def test_gaitpdb_controls_walk_normally_and_symmetrically(path: Path) -> None:
    result = analyze_gait(load_recording(path))
    left = result["feet"]["left"]["summary"]
    right = result["feet"]["right"]["summary"]
    mean_l = left["stride_time_s"]["mean"]
    mean_r = right["stride_time_s"]["mean"]
    assert 0.9 <= mean_l <= 1.4 and 0.9 <= mean_r <= 1.4
    assert abs(mean_l - mean_r) / (0.5 * (mean_l + mean_r)) < 0.02
    assert left["strides"] >= 20 and right["strides"] >= 20
    assert 55.0 < left["stance_percent"] < 75.0
    assert abs(result["summary"]["symmetry_index_percent"]["stride_time"]) < 2.0
    assert result["summary"]["double_support_percent"] > 10.0


@pytest.mark.parametrize("path", GAITPDB_ALL, ids=lambda p: p.name)
def test_gaitpdb_heel_sensor_loads_before_toe_sensor(path: Path) -> None:
    """The README's check of the sensor layout: in stance, sensor 1 (heel) loads before sensor 8 (toe)."""
    rec = load_recording(path)
    for side in ("left", "right"):
        force = rec.force(side)
        sensors = rec.sensors(side)
        positions = rec.sensor_positions(side)
        assert force is not None and sensors is not None and positions is not None
        assert int(np.argmin(positions[:, 1])) == 0 and int(np.argmax(positions[:, 1])) == 7
        contacts = detect_contacts(force, rec.time_s, rec.sampling_rate_hz, default_thresholds(force, True))
        heel_first, compared = heel_first_share(sensors, positions, rec.time_s, contacts)
        assert compared >= 50
        assert heel_first / compared >= 0.9, f"{side}: heel first in only {heel_first}/{compared} stances"


def test_gaitpdb_right_sensors_mirror_the_left() -> None:
    rec = load_recording(GAITPDB_CONTROLS[0])
    assert rec.left_sensor_positions is not None and rec.right_sensor_positions is not None
    np.testing.assert_array_equal(rec.right_sensor_positions[:, 0], -rec.left_sensor_positions[:, 0])
    assert (rec.left_sensor_positions[:, 0] < 0).all()


def test_gaitpdb_a_total_column_that_is_not_the_sum_of_its_sensors_is_named(tmp_path: Path) -> None:
    source = GAITPDB_CONTROLS[0]
    assert not any("differs from the sum" in w for w in load_recording(source).warnings)
    rows = [line.split("\t") for line in source.read_text().splitlines()]
    for row in rows[: len(rows) // 5]:  # 20% of the samples: the right total half again too large
        row[18] = f"{1.5 * float(row[18]):.2f}"
    changed = tmp_path / "GaXx01_01.txt"
    changed.write_text("\n".join("\t".join(r) for r in rows) + "\n")
    flagged = [w for w in load_recording(changed).warnings if "differs from the sum" in w]
    assert flagged == ["right total force differs from the sum of its 8 sensors; the total column is used"]


def test_gaitpdb_text_and_csv_variants_read_the_same(tmp_path: Path) -> None:
    source = GAITPDB_CONTROLS[0]
    rows = [line.split("\t") for line in source.read_text().splitlines()]
    header = "Time," + ",".join(f"L{i}" for i in range(1, 9)) + "," + ",".join(f"R{i}" for i in range(1, 9))
    csv_copy = tmp_path / "copy.csv"
    csv_copy.write_text(
        header + ",Total_Left,Total_Right\r\n" + "\r\n".join(",".join(r) for r in rows) + "\r\n"
    )
    a, b = load_recording(source), load_recording(csv_copy)
    assert b.format == "gaitpdb"
    assert a.left_force is not None and b.left_force is not None
    np.testing.assert_array_equal(a.left_force, b.left_force)
    np.testing.assert_array_equal(a.time_s, b.time_s)


def test_gaitpdb_header_names_place_the_totals(tmp_path: Path) -> None:
    """A header that names the totals in another order is followed, not the column position."""
    source = GAITPDB_CONTROLS[0]
    lines = source.read_text().splitlines()
    names = [
        "Time",
        *[f"L{i}" for i in range(1, 9)],
        *[f"R{i}" for i in range(1, 9)],
        "Total_Right",
        "Total_Left",
    ]
    swapped = tmp_path / "swapped.csv"
    body = []
    for line in lines:
        f = line.split("\t")
        body.append(",".join([*f[:17], f[18], f[17]]))
    swapped.write_text(",".join(names) + "\n" + "\n".join(body) + "\n")
    a, b = load_recording(source), load_recording(swapped)
    assert a.left_force is not None and b.left_force is not None
    np.testing.assert_array_equal(a.left_force, b.left_force)


def test_format_is_sniffed_from_content_not_name(tmp_path: Path) -> None:
    odd = tmp_path / "recording.c3d"
    shutil.copy(GAITPDB_CONTROLS[0], odd)
    assert sniff_format(odd) == "gaitpdb"
    moticon_as_csv = tmp_path / "walk.csv"
    shutil.copy(MOTICON_FILES[0], moticon_as_csv)
    assert sniff_format(moticon_as_csv) == "moticon"
    c3d_as_txt = tmp_path / "plates.txt"
    shutil.copy(C3D / "BTS.c3d", c3d_as_txt)
    assert sniff_format(c3d_as_txt) == "c3d"


@pytest.mark.parametrize("name", ["pressure/stappone_example.csv", "footprint_templates/MUN104L.csv"])
def test_unsupported_exports_get_a_list_of_formats(name: str) -> None:
    # the multi-frame pressure exports (emed, footscan, xsensor, ...) are gait recordings now
    # (tests/measure/test_gait_pressure_walk.py); a stappone insole and a static matrix are not
    path = DATA / name
    assert path.exists(), f"{name} missing from shared data"
    with pytest.raises(RecordingError) as err:
        load_recording(path)
    message = str(err.value)
    assert "Supported" in message and "gaitpdb" in message and "moticon" in message


def test_unknown_format_hint_lists_the_formats() -> None:
    with pytest.raises(RecordingError, match=r"unknown format 'xyz'.*gaitpdb.*pedar.*c3d"):
        load_recording(GAITPDB_CONTROLS[0], format_hint="xyz")


@pytest.mark.parametrize("path", MOTICON_FILES, ids=lambda p: p.name)
def test_moticon_loads_plausible_forces_and_cop(path: Path) -> None:
    rec = load_recording(path)
    assert rec.format == "moticon"
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert rec.force_unit == "N"
    for side in ("left", "right"):
        force = rec.force(side)
        sensors = rec.sensors(side)
        assert force is not None and sensors is not None
        assert sensors.shape[1] == 16
        assert 500.0 < np.nanmax(force) < 2000.0
    assert rec.left_cop is not None and rec.cop_unit is not None
    result = analyze_gait(rec)
    for side in ("left", "right"):
        summary = result["feet"][side]["summary"]
        assert summary["strides"] >= 3
        assert 0.8 < summary["stride_time_s"]["mean"] < 1.6
    cop = result["summary"]["cop"]
    assert cop is not None
    for side in ("left", "right"):
        assert cop[side]["progression_y_mean"] > 0.3  # heel to toe over most of the insole


def test_moticon_missing_samples_are_reported_as_gaps() -> None:
    path = next(p for p in MOTICON_FILES if p.name.startswith("230927"))
    rec = load_recording(path)
    assert rec.left_force is not None and np.isnan(rec.left_force[:10]).all()
    assert any("missing samples" in w and "left" in w for w in rec.warnings)
    result = analyze_gait(rec)
    for stride in result["feet"]["left"]["strides"] + result["feet"]["right"]["strides"]:
        if "gap" in (stride["why_excluded"] or ""):
            assert stride["excluded"]


def test_moticon_text_columns_such_as_event_labels_are_ignored() -> None:
    path = next(p for p in MOTICON_FILES if "events" in p.name)
    rec = load_recording(path)  # the file holds "Event" labels in its last columns
    assert rec.n_samples > 400


def test_pedar_reads_both_insoles_from_the_mask() -> None:
    rec = load_recording(PEDAR)
    assert rec.format == "pedar"
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert rec.left_sensors is not None and rec.left_sensors.shape[1] == 99
    assert rec.right_sensors is not None and rec.right_sensors.shape[1] == 99
    assert rec.force_in_newtons  # the sensor type line names insole size y: its areas are known
    assert any("insole size 'y'" in w for w in rec.warnings)
    result = analyze_gait(rec)
    for side in ("left", "right"):
        summary = result["feet"][side]["summary"]
        assert summary["strides"] >= 5
        assert 0.9 < summary["stride_time_s"]["mean"] < 1.6


def test_pedar_of_an_unknown_insole_size_sums_pressures(tmp_path: Path) -> None:
    path = tmp_path / "walk.asc"
    path.write_bytes(PEDAR.read_bytes().replace(b"sensor type:  y-1865l", b"sensor type:  q-1865l", 1))
    rec = load_recording(path)
    assert not rec.force_in_newtons and "kPa" in rec.force_unit
    assert rec.left_sensor_positions is None
    assert any("names no pedar insole size" in w for w in rec.warnings)
    assert analyze_gait(rec)["summary"]["cop"] is None


def test_pedar_insole_layout_puts_the_heel_first_and_the_hallux_medial() -> None:
    """The pressuRe layout on the pressuRe example: heel sensors load first, the most distal sensor
    lies medial (left insole: +x, right insole: −x), and the load per foot is about body weight."""
    rec = load_recording(PEDAR)
    result = analyze_gait(rec)
    for side, medial_sign in (("left", 1.0), ("right", -1.0)):
        positions = rec.sensor_positions(side)
        assert positions is not None
        tip = positions[int(np.argmax(positions[:, 1]))]
        assert medial_sign * (tip[0] - positions[:, 0].mean()) > 5.0
        cop = result["summary"]["cop"][side]
        assert cop["unit"] == "mm" and cop["heel_loads_first_percent"] >= 90.0
        assert cop["cpei_stances"] >= 5 and -30.0 < cop["cpei_percent"] < 40.0
        force = rec.force(side)
        assert force is not None and 400.0 < float(np.nanpercentile(force, 99)) < 2500.0


def test_pedar_with_sensor_areas_gives_newtons() -> None:
    areas = {"left": [2.0] * 99, "right": [2.0] * 99}
    rec = read_pedar(PEDAR, sensor_areas_cm2=areas)
    assert rec.force_in_newtons
    assert rec.left_force is not None
    # 2 cm² per sensor: peak load of a walking adult, in newtons
    assert 300.0 < np.nanmax(rec.left_force) < 3000.0


@pytest.mark.parametrize("path", C3D_FILES, ids=lambda p: p.name)
def test_every_c3d_file_loads_or_says_why_not(path: Path) -> None:
    try:
        rec = load_recording(path)
    except RecordingError as err:
        assert str(path) in str(err)
        assert "force plates" in str(err)
        return
    assert rec.format == "c3d" and rec.plates
    assert rec.sampling_rate_hz > 0
    result = analyze_gait(rec)
    assert [p["plate"] for p in result["plates"]] == [p.number for p in rec.plates]


def test_c3d_without_force_plates_is_a_clear_error() -> None:
    with pytest.raises(RecordingError, match="no force plates"):
        load_recording(C3D / "Vicon.c3d")


def test_c3d_plate_contacts_without_events_have_unknown_side() -> None:
    rec = load_recording(C3D / "BTS.c3d")
    assert rec.left_force is None and rec.right_force is None
    assert all(p.side == "unknown" for p in rec.plates)
    assert any("side 'unknown'" in w for w in rec.warnings)
    result = analyze_gait(rec)
    loaded = [p for p in result["plates"] if p["contacts"]]
    assert len(loaded) == 3
    for plate in loaded:
        (contact,) = plate["contacts"]
        assert 0.4 < contact["contact_time_s"] < 0.8  # one walking stance per plate
        assert 500.0 < contact["peak_force_n"] < 800.0


def test_c3d_rate_comes_from_analog_rate_parameter() -> None:
    rec = load_recording(C3D / "Kistler.c3d")  # its header's rates are 0; ANALOG:RATE is 600
    assert rec.sampling_rate_hz == pytest.approx(600.0)


def test_generic_csv_with_a_column_map(tmp_path: Path) -> None:
    source = GAITPDB_CONTROLS[0]
    table = np.loadtxt(source)
    path = tmp_path / "forces.csv"
    lines = ["t;FzR;FzL"] + [f"{t:.4f};{r:.2f};{left:.2f}" for t, left, r in table[:, [0, 17, 18]]]
    path.write_text("\n".join(lines) + "\n")
    rec = load_recording(path, columns={"time": "t", "left_force": "FzL", "right_force": "FzR"})
    assert rec.format == "csv"
    assert rec.left_force is not None
    np.testing.assert_allclose(rec.left_force, table[:, 17], atol=0.006)
    a = analyze_gait(load_recording(source))["feet"]["left"]["summary"]["stride_time_s"]["mean"]
    b = analyze_gait(rec)["feet"]["left"]["summary"]["stride_time_s"]["mean"]
    assert a == pytest.approx(b, abs=0.005)


def test_generic_csv_needs_time_or_rate(tmp_path: Path) -> None:
    path = tmp_path / "forces.csv"
    path.write_text("L,R\n" + "\n".join(f"{v},{v}" for v in [0, 100, 600, 100, 0] * 50) + "\n")
    with pytest.raises(RecordingError, match="sampling rate"):
        load_recording(path, columns={"left_force": "L", "right_force": "R"})
    rec = load_recording(path, columns={"left_force": "L", "right_force": "R"}, sampling_rate_hz=100)
    assert rec.sampling_rate_hz == 100 and rec.n_samples == 250


def test_generic_csv_unknown_column_lists_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "forces.csv"
    path.write_text("time,L,R\n0,1,2\n0.01,1,2\n")
    with pytest.raises(RecordingError, match=r"no column named 'Fz'.*'time', 'L', 'R'"):
        load_recording(path, columns={"time": "time", "left_force": "Fz", "right_force": "R"})


def test_recording_error_is_a_footchain_error() -> None:
    assert issubclass(RecordingError, FootchainError)


def test_missing_file_is_a_recording_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        load_recording(tmp_path / "nope.txt")
    with pytest.raises(RecordingError, match="folder"):
        load_recording(GAITPDB)


def test_c3d_foot_strike_events_tie_plates_to_feet(tmp_path: Path) -> None:
    """With 'Foot Strike' events (Left/Right) at the plate contacts, each plate gets its foot."""
    import ezc3d

    c3d = ezc3d.c3d(str(C3D / "BTS.c3d"))
    c3d.add_parameter("EVENT", "USED", [3])
    c3d.add_parameter("EVENT", "LABELS", ["Foot Strike", "Foot Strike", "Foot Strike"])
    c3d.add_parameter("EVENT", "CONTEXTS", ["Right", "Left", "Right"])
    c3d.add_parameter("EVENT", "TIMES", np.array([[0.0, 0.0, 0.0], [3.52, 4.0, 4.5]]))
    path = tmp_path / "with_events.c3d"
    c3d.write(str(path))
    rec = load_recording(path)
    sides = {p.number: p.side for p in rec.plates}
    assert sides[1] == "right" and sides[4] == "left" and sides[5] == "right"
    assert rec.left_force is not None and rec.right_force is not None
    result = analyze_gait(rec)
    assert len(result["feet"]["left"]["events"]) == 1
    assert len(result["feet"]["right"]["events"]) == 2
    assert not any("side 'unknown'" in w for w in result["warnings"])


def test_gaitpdb_header_names_with_spaces(tmp_path: Path) -> None:
    lines = GAITPDB_CONTROLS[0].read_text().splitlines()
    names = ["Time [s]", *[f"Left sensor {i} [N]" for i in range(1, 9)]]
    names += [f"Right sensor {i} [N]" for i in range(1, 9)] + [
        "Total force left [N]",
        "Total force right [N]",
    ]
    path = tmp_path / "named.tsv"
    path.write_text("\t".join(names) + "\n" + "\n".join(lines) + "\n")
    rec = load_recording(path)
    assert rec.format == "gaitpdb" and rec.warnings == ()
    assert rec.left_force is not None
    np.testing.assert_array_equal(rec.left_force, load_recording(GAITPDB_CONTROLS[0]).left_force)


def test_column_map_from_the_command_line() -> None:
    from footchain.measure.gait import parse_column_map

    assert parse_column_map("time=t, left_force=Fz L,right_force=3") == {
        "time": "t",
        "left_force": "Fz L",
        "right_force": 3,
    }
    for bad, message in (
        ("left=Fz", "unknown column key"),
        ("time", "KEY=COLUMN"),
        ("time=a,time=b", "twice"),
    ):
        with pytest.raises(RecordingError, match=message):
            parse_column_map(bad)


def test_moticon_with_one_insole(tmp_path: Path) -> None:
    """Columns are found by name: an export with only the left insole reads, and says so."""
    source = next(p for p in MOTICON_FILES if "events" in p.name)
    out = []
    keep: list[int] | None = None
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("# time"):
            names = line.split("\t")
            keep = [i for i, n in enumerate(names) if not n.lower().startswith("right")]
            out.append("\t".join(names[i] for i in keep))
        elif line.startswith("#") or keep is None:
            out.append(line)
        else:
            fields = line.split("\t")
            out.append("\t".join(fields[i] for i in keep))
    path = tmp_path / "left_only.txt"
    path.write_text("\r\n".join(out) + "\r\n", encoding="utf-8")
    rec = load_recording(path)
    assert rec.format == "moticon"
    assert rec.right_force is None and rec.left_force is not None
    assert any("no right insole" in w for w in rec.warnings)
    result = analyze_gait(rec)
    assert result["feet"]["left"]["summary"]["strides"] >= 3
    assert result["feet"]["right"]["events"] == []


def test_recording_is_frozen() -> None:
    import dataclasses

    rec = load_recording(GAITPDB_CONTROLS[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.sampling_rate_hz = 50.0  # type: ignore[misc]
    assert rec.left_force is not None
    with pytest.raises(ValueError, match="read-only"):
        rec.left_force[0] = 1.0


def test_a_text_table_whose_second_character_is_p_is_not_taken_for_c3d(tmp_path: Path) -> None:
    """C3D's key byte is 0x50 ("P"); a text header like "SPEED,..." must not be read as a C3D file."""
    table = tmp_path / "speeds.csv"
    table.write_text("SPEED,left,right\n" + "".join(f"{i},1,2\n" for i in range(200)), encoding="utf-8")
    with pytest.raises(RecordingError, match="not a recording format footchain recognises"):
        sniff_format(table)
    assert sniff(table.read_bytes()) == "text/plain"
    assert sniff_format(DATA / "c3d" / "Vicon.c3d") == "c3d"


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n", b"\r"])
def test_sniffing_decodes_whole_lines_only(line_end: bytes) -> None:
    data = ("Größe °C".encode() + line_end) * 5000
    head = whole_lines(data, 1001)
    assert len(head) <= 1001 and head.endswith(line_end[-1:])
    assert head.decode("utf-8").count("Größe") == len(head.split(line_end[-1:])) - 1
    assert whole_lines(data[:500], 1001) == data[:500]
    assert whole_lines(b"x" * 5000, 1001) == b"x" * 1001  # one long line: the bytes asked for
