"""Accuracy of the foot-IMU heel strikes and toe offs against the IPOL reference events.

For every trial in ``../shared/data/imu_ipol`` (Voisard et al. 2023, IPOL article 497, AGPL-3.0;
CyrilVoisard/ipol_dataset_1) the trial is read from its ``_lf`` file, events are detected with
:func:`footchain.measure.gait.imu_events.detect_imu_events`, and each reference event of the trial's
JSON (``LeftFootEvents`` / ``RightFootEvents`` = [foot-off, foot-strike] sample indices on the
PacketCounter clock, following the file names) is matched to the nearest detected event of the same
kind and foot. Printed per trial and overall: % found within 150 ms, median and 95th-percentile
absolute error (ms) of the found ones, and false positives: detected events inside the reference's
trial boundaries, outside its U-turn, that no reference event claimed (one-to-one matching).
The per-subject table is leave-subject-out: the two offsets that move the features onto the
reference's event definitions are fitted on the other seven subjects. It also counts the
reference events inside the spans the detector marks unreliable (turns, long stretches without a
swing) and the found share outside them.

Run: ``.venv/bin/python benchmarks/gait_events_accuracy.py [DATA_DIR]``
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from _data import recordings
from footchain.measure.gait.imu_events import detect_imu_events
from footchain.measure.gait.readers.imu_ipol import read_ipol_imu

TOLERANCE_S = 0.150
SWAPPED = {"4-1", "4-2"}


@dataclass
class Match:
    """Errors of matched reference events and the count of references and false positives."""

    errors_s: list[float]
    n_reference: int
    false_positives: int


def nearest_pairs(reference_s: np.ndarray, detected_s: np.ndarray) -> dict[int, int]:
    """One-to-one nearest matching within :data:`TOLERANCE_S`, closest pairs first: reference index
    to detected index."""
    candidates = sorted(
        (abs(d - r), i, j)
        for i, r in enumerate(reference_s)
        for j, d in enumerate(detected_s)
        if abs(d - r) <= TOLERANCE_S
    )
    pairs: dict[int, int] = {}
    used_det: set[int] = set()
    for _, i, j in candidates:
        if i in pairs or j in used_det:
            continue
        pairs[i] = j
        used_det.add(j)
    return pairs


def match_events(
    reference_s: np.ndarray, detected_s: np.ndarray, walk: tuple[float, float, float, float]
) -> Match:
    """One-to-one nearest matching within :data:`TOLERANCE_S` (:func:`nearest_pairs`)."""
    pairs = nearest_pairs(reference_s, detected_s)
    errors = [abs(float(detected_s[j] - reference_s[i])) for i, j in pairs.items()]
    used_det = set(pairs.values())
    t0, t1, u0, u1 = walk
    fp = sum(
        1
        for j, d in enumerate(detected_s)
        if j not in used_det and t0 - TOLERANCE_S <= d <= t1 + TOLERANCE_S and not (u0 < d < u1)
    )
    return Match(errors, len(reference_s), fp)


@dataclass
class Trial:
    """One trial's reference and (uncorrected) detected events, in seconds, per kind and foot."""

    name: str
    subject: int
    reference: dict[tuple[str, str], np.ndarray]
    detected: dict[tuple[str, str], np.ndarray]
    walk: tuple[float, float, float, float]
    unreliable: list[tuple[float, float]]

    def n_in_unreliable(self, kind: str) -> int:
        """Reference events of one kind (both feet) inside the spans the detector marked unreliable."""
        return sum(
            1
            for side in ("left", "right")
            for r in self.reference[kind, side]
            if any(a <= r <= b for a, b in self.unreliable)
        )


KINDS = (("heel strike", 1), ("toe off", 0))


def load_trial(json_path: Path) -> Trial:
    """Read a trial from its ``_lf`` file and detect its events with zero offsets."""
    meta = json.loads(json_path.read_text())
    recording = read_ipol_imu(json_path.with_name(f"{json_path.stem}_lf.txt"))
    fs = recording.sampling_rate_hz
    events = detect_imu_events(recording, heel_strike_offset_s=0.0, toe_off_offset_s=0.0)
    t0, t1 = (b / fs for b in meta["TrialBoundaries"])
    u0, u1 = (b / fs for b in meta["UTurnBoundaries"])
    reference, detected = {}, {}
    for kind, column in KINDS:
        for side, key in (("left", "LeftFootEvents"), ("right", "RightFootEvents")):
            reference[kind, side] = np.array([pair[column] for pair in meta[key]], dtype=float) / fs
            detected[kind, side] = events.heel_strikes_s[side] if column == 1 else events.toe_offs_s[side]
    spans = [(a, b) for a, b, _ in events.unreliable_spans]
    return Trial(json_path.stem, int(meta["Subject"]), reference, detected, (t0, t1, u0, u1), spans)


def signed_errors(trial: Trial, kind: str) -> list[float]:
    """Detected minus reference (s) of the matched events of one kind (for calibration)."""
    out: list[float] = []
    for side in ("left", "right"):
        ref, det = trial.reference[kind, side], trial.detected[kind, side]
        for r in ref:
            if det.size:
                d = det[np.argmin(np.abs(det - r))]
                if abs(d - r) <= TOLERANCE_S:
                    out.append(float(d - r))
    return out


def evaluate(trial: Trial, offsets: dict[str, float]) -> dict[str, Match]:
    """Matches per kind (both feet pooled) after adding ``offsets[kind]`` to the detections."""
    out: dict[str, Match] = {}
    for kind, _ in KINDS:
        total = Match([], 0, 0)
        for side in ("left", "right"):
            m = match_events(
                trial.reference[kind, side], trial.detected[kind, side] + offsets[kind], trial.walk
            )
            total = Match(
                total.errors_s + m.errors_s,
                total.n_reference + m.n_reference,
                total.false_positives + m.false_positives,
            )
        out[kind] = total
    return out


def _row(name: str, kind: str, m: Match) -> str:
    errors_ms = np.array(m.errors_s) * 1000.0
    found = 100.0 * len(errors_ms) / m.n_reference if m.n_reference else float("nan")
    median = float(np.median(errors_ms)) if errors_ms.size else float("nan")
    p95 = float(np.percentile(errors_ms, 95)) if errors_ms.size else float("nan")
    return f"{name:<10} {kind:<12} {m.n_reference:>5} {found:>8.1f} {median:>9.1f} {p95:>8.1f} {m.false_positives:>5}"


def _add(a: Match, b: Match) -> Match:
    return Match(
        a.errors_s + b.errors_s, a.n_reference + b.n_reference, a.false_positives + b.false_positives
    )


def table(trials: list[Trial], offsets_for: dict[str, dict[str, float]], title: str) -> None:
    """Print the per-trial and pooled table for given per-trial offsets."""
    print(f"\n## {title}")
    print(f"{'trial':<10} {'event':<12} {'refs':>5} {'%≤150ms':>8} {'median ms':>9} {'p95 ms':>8} {'FP':>5}")
    pooled: dict[str, dict[str, Match]] = {"all": {}, "4-1/4-2": {}, "others": {}}
    for trial in trials:
        result = evaluate(trial, offsets_for[trial.name])
        for kind, m in result.items():
            print(_row(trial.name, kind, m))
            for group in ("all", "4-1/4-2" if trial.name in SWAPPED else "others"):
                pooled[group][kind] = _add(pooled[group].get(kind, Match([], 0, 0)), m)
    print()
    for group, kinds in pooled.items():
        for kind, m in kinds.items():
            print(_row(group, kind, m))
        both = Match([], 0, 0)
        for m in kinds.values():
            both = _add(both, m)
        print(_row(group, "both", both))


def loso_offsets(trials: list[Trial]) -> dict[str, dict[str, float]]:
    """Per trial, the offsets that move the features onto the reference, fitted on the OTHER subjects."""
    out: dict[str, dict[str, float]] = {}
    for trial in trials:
        others = [t for t in trials if t.subject != trial.subject]
        out[trial.name] = {
            kind: -float(np.median([e for t in others for e in signed_errors(t, kind)])) for kind, _ in KINDS
        }
    return out


@dataclass
class SubjectRow:
    """Leave-subject-out result of one subject (both trials, both feet, both kinds)."""

    subject: int
    n_reference: int
    n_found: int
    n_in_unreliable: int
    n_missed_in_unreliable: int
    errors_s: list[float]

    @property
    def percent_found(self) -> float:
        return 100.0 * self.n_found / self.n_reference


def subject_rows(trials: list[Trial], offsets_for: dict[str, dict[str, float]]) -> list[SubjectRow]:
    """One row per subject, and the pooled row (subject 0), for the given per-trial offsets."""
    rows: dict[int, SubjectRow] = {}
    for trial in trials:
        row = rows.setdefault(trial.subject, SubjectRow(trial.subject, 0, 0, 0, 0, []))
        for kind, m in evaluate(trial, offsets_for[trial.name]).items():
            row.n_reference += m.n_reference
            row.n_found += len(m.errors_s)
            row.errors_s += m.errors_s
            row.n_in_unreliable += trial.n_in_unreliable(kind)
            for side in ("left", "right"):
                det = trial.detected[kind, side] + offsets_for[trial.name][kind]
                for r in trial.reference[kind, side]:
                    missed = not det.size or np.min(np.abs(det - r)) > TOLERANCE_S
                    if missed and any(a <= r <= b for a, b in trial.unreliable):
                        row.n_missed_in_unreliable += 1
    ordered = [rows[k] for k in sorted(rows)]
    pooled = SubjectRow(0, 0, 0, 0, 0, [])
    for row in ordered:
        pooled.n_reference += row.n_reference
        pooled.n_found += row.n_found
        pooled.n_in_unreliable += row.n_in_unreliable
        pooled.n_missed_in_unreliable += row.n_missed_in_unreliable
        pooled.errors_s += row.errors_s
    return [*ordered, pooled]


def subject_table(rows: list[SubjectRow]) -> None:
    """Print the leave-subject-out table: found within 150 ms, and where the misses lie."""
    print("\n## leave-subject-out, per subject (offsets fitted on the other 7 subjects)")
    print(
        f"{'subject':<8} {'refs':>5} {'found':>6} {'%≤150ms':>8} {'median ms':>9} {'p95 ms':>7} "
        f"{'in unreliable':>13} {'missed there':>12} {'% outside':>9}"
    )
    for row in rows:
        errors_ms = np.array(row.errors_s) * 1000.0
        outside = row.n_reference - row.n_in_unreliable
        missed_outside = row.n_reference - row.n_found - row.n_missed_in_unreliable
        name = "all" if row.subject == 0 else str(row.subject)
        print(
            f"{name:<8} {row.n_reference:>5} {row.n_found:>6} {row.percent_found:>8.1f} "
            f"{np.median(errors_ms):>9.1f} {np.percentile(errors_ms, 95):>7.1f} {row.n_in_unreliable:>13} "
            f"{row.n_missed_in_unreliable:>12} {100.0 * (outside - missed_outside) / outside:>9.1f}"
        )


def load_trials(folder: Path | None = None) -> list[Trial]:
    """Every IPOL trial in ``folder`` (by default the registered recordings) with its reference and
    detected events."""
    folder = folder or recordings("imu_ipol") / "imu_ipol"
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise SystemExit(f"no IPOL trials (*.json) in {folder}")
    return [load_trial(path) for path in paths]


def main(folder: Path | None = None) -> None:
    """Print the tables: raw published features, leave-one-subject-out calibrated offsets per trial
    and per subject."""
    trials = load_trials(folder)
    zero = {t.name: {kind: 0.0 for kind, _ in KINDS} for t in trials}
    table(trials, zero, "raw features (offsets 0)")
    loso = loso_offsets(trials)
    table(trials, loso, "leave-one-subject-out offsets (median bias of the other 7 subjects)")
    subject_table(subject_rows(trials, loso))
    print(
        "\n'in unreliable': reference events inside the spans the detector itself marks unreliable "
        "(turns, long stretches without a swing); '% outside': found share of the events outside them."
    )
    every = {
        kind: -float(np.median([e for t in trials for e in signed_errors(t, kind)])) for kind, _ in KINDS
    }
    print(
        "\noffsets fitted on all subjects (the library defaults): "
        + ", ".join(f"{kind} {1000 * v:+.0f} ms" for kind, v in every.items())
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
