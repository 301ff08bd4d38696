"""Validation section: gait events and stride statistics against reference events.

* Foot IMUs: the 16 IPOL trials (Voisard et al. 2023, IPOL article 497, AGPL-3.0), leave-subject-out:
  the two offsets that move the detector's features onto the reference definitions are fitted on the
  other seven subjects (``benchmarks/gait_events_accuracy.py``). Events within 150 ms of a reference
  event count as found; bias and limits of agreement are of the found events' signed errors. Stride
  and stance times are compared where both of their reference events were found.
* Pressure insoles: the Moticon OpenGo test recordings (moticon-rego/moticon-opengo, Apache-2.0)
  against the vendor software's gait report and manually set events
  (``benchmarks/gait_moticon_accuracy.py``), with the insole toe-off rule the analysis applies.
"""

from __future__ import annotations

import numpy as np
from agreement import Agreement, bland_altman_figure, table

from _data import recordings
from footchain.measure.gait import load_recording
from footchain.measure.gait.events import insole_toe_off_share
from gait_events_accuracy import (
    KINDS,
    TOLERANCE_S,
    Trial,
    load_trials,
    loso_offsets,
    nearest_pairs,
    subject_rows,
)
from gait_moticon_accuracy import (
    detected_events,
    manual_events,
    pair,
    vendor_report_events,
)

SIDES = ("left", "right")
STRIDE_TOLERANCE_MS = 20.0
"""Stride and stance times: the share within two samples of the 100 Hz clock is reported."""


def _signed_ms(trial: Trial, offsets: dict[str, float], kind: str) -> list[float]:
    out: list[float] = []
    for side in SIDES:
        ref = trial.reference[kind, side]
        det = trial.detected[kind, side] + offsets[kind]
        out += [1000.0 * float(det[j] - ref[i]) for i, j in nearest_pairs(ref, det).items()]
    return out


def _strides(
    trial: Trial, offsets: dict[str, float]
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(reference, footchain) stride and stance times (ms) outside the U-turn, where both ends were found."""
    _, _, u0, u1 = trial.walk
    strides: list[tuple[float, float]] = []
    stances: list[tuple[float, float]] = []
    for side in SIDES:
        ref_hs, ref_to = trial.reference["heel strike", side], trial.reference["toe off", side]
        det_hs = trial.detected["heel strike", side] + offsets["heel strike"]
        det_to = trial.detected["toe off", side] + offsets["toe off"]
        hs_pairs, to_pairs = nearest_pairs(ref_hs, det_hs), nearest_pairs(ref_to, det_to)
        for i in range(ref_hs.size - 1):
            a, b = ref_hs[i], ref_hs[i + 1]
            if b - a > 2.5 or (a < u1 and b > u0):
                continue  # a pause, or a stride through the U-turn
            if i in hs_pairs and i + 1 in hs_pairs:
                strides.append((1000 * (b - a), 1000 * float(det_hs[hs_pairs[i + 1]] - det_hs[hs_pairs[i]])))
            after = np.flatnonzero(ref_to > a)
            if after.size and ref_to[after[0]] < b and i in hs_pairs and int(after[0]) in to_pairs:
                k = int(after[0])
                stances.append(
                    (1000 * (ref_to[k] - a), 1000 * float(det_to[to_pairs[k]] - det_hs[hs_pairs[i]]))
                )
    return strides, stances


def imu_part() -> str:
    trials = load_trials()
    offsets = loso_offsets(trials)
    rows = subject_rows(trials, offsets)
    by_subject: dict[int, list[Trial]] = {}
    for trial in trials:
        by_subject.setdefault(trial.subject, []).append(trial)
    cells = []
    for row in rows:
        group = trials if row.subject == 0 else by_subject[row.subject]
        signed = [e for t in group for kind, _ in KINDS for e in _signed_ms(t, offsets[t.name], kind)]
        stats = Agreement.of(signed)
        outside = row.n_reference - row.n_in_unreliable
        found_outside = outside - (row.n_reference - row.n_found - row.n_missed_in_unreliable)
        cells.append(
            [
                "all" if row.subject == 0 else str(row.subject),
                str(row.n_reference),
                f"{row.percent_found:.1f} %",
                *stats.cells()[1:3],
                str(row.n_in_unreliable),
                f"{100.0 * found_outside / outside:.1f} %",
            ]
        )
    events = table(
        [
            "subject",
            "reference events",
            "found ≤ 150 ms",
            "bias (ms)",
            "95 % limits (ms)",
            "in unreliable spans",
            "found outside them",
        ],
        cells,
    )
    per_kind = []
    for kind, _ in KINDS:
        signed = [e for t in trials for e in _signed_ms(t, offsets[t.name], kind)]
        n_ref = sum(t.reference[kind, s].size for t in trials for s in SIDES)
        stats = Agreement.of(signed)
        per_kind.append([kind, str(n_ref), f"{100.0 * stats.n / n_ref:.1f} %", *stats.cells()[1:3]])
    kinds = table(["event", "reference events", "found ≤ 150 ms", "bias (ms)", "95 % limits (ms)"], per_kind)
    strides: list[tuple[float, float]] = []
    stances: list[tuple[float, float]] = []
    for trial in trials:
        s, st = _strides(trial, offsets[trial.name])
        strides += s
        stances += st
    stride_rows = []
    for name, pairs in (("stride time", strides), ("stance time", stances)):
        ref = np.array([p[0] for p in pairs])
        ours = np.array([p[1] for p in pairs])
        stats = Agreement.of(ours - ref, tolerance=STRIDE_TOLERANCE_MS)
        stride_rows.append([name, f"{np.mean(ref):.0f}", *stats.cells()])
    stride_table = table(
        [
            "measure",
            "reference mean (ms)",
            "n",
            "bias (ms)",
            "95 % limits (ms)",
            f"within ±{STRIDE_TOLERANCE_MS:.0f} ms",
        ],
        stride_rows,
    )
    ref = np.array([p[0] for p in strides])
    ours = np.array([p[1] for p in strides])
    figure = bland_altman_figure(
        "imu_stride_time_bland_altman",
        (ref + ours) / 2,
        ours - ref,
        title="IMU stride time vs IPOL reference",
        unit="ms",
    )
    return f"""## Foot IMUs against the IPOL reference events

16 walking trials of 8 healthy adults (Voisard et al., IPOL 2023, article 497), one IMU on each foot;
the reference foot-off and foot-strike indices were found by validated algorithms and checked by hand.
Each walk starts from standing, goes about 10 m, turns (U-turn) and comes back. An event counts as
found when a detected event of the same kind and foot lies within {1000 * TOLERANCE_S:.0f} ms of it (one-to-one).
**Leave-subject-out**: the two offsets that move the detector's gyroscope features onto the
reference's event definitions are fitted on the other seven subjects; nothing else is fitted per
subject. Bias and limits of agreement are of the found events (footchain − reference).

{events}

By kind (all subjects):

{kinds}

The detector marks **unreliable spans** in its output (`unreliable_spans`): every turn, and every
stretch where one foot shows no swing for longer than 1.7 of its usual strides (pauses, weak steps,
dropped packets). The column "found outside them" is the share of the reference events outside
those spans that were found. Where the remaining misses lie: steps inside the U-turn whose rotation
is mostly about the vertical axis, the last steps of a walk, and one subject's trial whose end has
hundreds of dropped packets (5-2); one first toe off from standing (trial 1-2, two small shuffles
before the first step) is missed. The thresholds of the turning-step detector (60 deg/s, 0.2–1.2 s)
were chosen on plots of these trials, not leave-subject-out; between 45 and 80 deg/s the overall
share found stays at 98.0–98.1 %.

Stride and stance times of the straight walking (strides through the U-turn left out), where both of
their reference events were found:

{stride_table}

{figure}
"""


def insole_part() -> str:
    moticon = recordings("moticon") / "moticon"
    sources = [
        (
            "vendor report",
            moticon / "230927_102114.txt",
            moticon / "gait_report_230927_10_21_14.xlsx",
            vendor_report_events,
        ),
        ("manual events", moticon / "walk_with_events.txt", moticon / "walk_with_events.txt", manual_events),
    ]
    rows = []
    for name, recording_path, reference_path, read_reference in sources:
        reference = read_reference(reference_path)
        recording = load_recording(recording_path)
        detected = detected_events(recording, insole_toe_off_share(recording.format))
        for kind, _ in KINDS:
            refs = [reference[kind, side] for side in SIDES if (kind, side) in reference]
            if not refs:
                continue
            errors = [
                pair(reference[kind, side], detected[kind, side])
                for side in SIDES
                if (kind, side) in reference
            ]
            signed_ms = 1000.0 * np.concatenate([e.signed_s for e in errors])
            n_ref = sum(e.n_reference for e in errors)
            stats = Agreement.of(signed_ms, tolerance=1000 * TOLERANCE_S)
            found = float(np.sum(np.abs(signed_ms) <= 1000 * TOLERANCE_S)) / n_ref
            rows.append([f"{name}, {kind}", str(n_ref), *stats.cells()[1:3], f"{100 * found:.1f} %"])
    insoles = table(
        ["reference, event", "reference events", "bias (ms)", "95 % limits (ms)", "found ≤ 150 ms"], rows
    )
    return f"""## Pressure insoles against the vendor's report and manual events

The Moticon OpenGo test recording with the vendor software's own gait report, and a walk with
manually set heel strikes (moticon-rego/moticon-opengo, Apache-2.0). footchain detects the events
from the insole force with the rule the analysis applies to insoles (heel strike 20 N over the
unloaded level; toe off where the force falls below 10 % of the stance's peak, Blades et al. 2023).
The sample is small (two recordings): read the numbers as a check, not as a stated accuracy.

{insoles}
"""


def section() -> str:
    """The gait section of the validation page (Markdown)."""
    return imu_part() + "\n" + insole_part()
