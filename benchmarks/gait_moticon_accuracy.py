"""Accuracy of the insole heel strikes and toe offs against Moticon's own events, old vs new toe off.

References (Moticon OpenGo test data, moticon-rego/moticon-opengo, Apache-2.0), in
``../shared/data/moticon``:

* ``gait_report_230927_10_21_14.xlsx``: the vendor software's gait report for ``230927_102114.txt``;
  its sheets ``Left Steps`` and ``Right Steps`` give ``Initial contact (s)`` and ``Toe off (s)`` of
  every step it used, on the recording's own clock.
* ``walk_with_events.txt``: manually set events in the columns ``Left Events[]`` / ``Right Events[]``.
  Event ``1`` sits at the rise of the force (heel strike); event ``2`` sits at the force minimum of
  mid-stance (the trough between the two peaks), not at toe off, so it is not compared.

Detection: :func:`footchain.measure.gait.events.detect_contacts` per foot with the domain's
thresholds (20 N / 10 N over the unloaded level, Tirosh & Sparrow 2003). "old" ends every stance at
the absolute 10 N; "new" ends an insole stance where the force falls below 10% of that stance's own
peak over the unloaded level (Blades et al. 2023, Sensors 23:2736), the rule the analysis applies to
insole formats. Every reference event is paired one-to-one with the nearest detected event of the
same kind and foot (closest pairs first, within 0.5 s). Printed per source, event and foot: the
number of reference events, % found within 150 ms, median and 95th-percentile absolute error (ms)
and the median signed error (ms, positive = detected late). A second table gives the stance % of
the gaitpdb recordings (PhysioNet gaitpdb, Hausdorff et al., ODC-By 1.0) by both rules: normal is
60–62% (domain.md §4).

Run: ``.venv/bin/python benchmarks/gait_moticon_accuracy.py [DATA_DIR]`` (needs ``openpyxl``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl

from _data import recordings
from footchain.measure.gait import Recording, load_recording
from footchain.measure.gait.events import default_thresholds, detect_contacts, insole_toe_off_share
from footchain.measure.gait.strides import strides_from_contacts, summarize_strides

TOLERANCE_S = 0.150
PAIRING_S = 0.5
SIDES = ("left", "right")
KINDS = ("heel strike", "toe off")
Events = dict[tuple[str, str], np.ndarray]


def vendor_report_events(path: Path) -> Events:
    """Heel strikes and toe offs (s) per foot from the ``Left Steps`` / ``Right Steps`` sheets."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out: Events = {}
    for side in SIDES:
        rows = list(book[f"{side.capitalize()} Steps"].iter_rows(values_only=True))
        header = [str(h).strip() for h in rows[0]]
        strike, off = header.index("Initial contact (s)"), header.index("Toe off (s)")
        steps = [r for r in rows[1:] if r[strike] is not None]
        out["heel strike", side] = np.array([float(r[strike]) for r in steps])  # type: ignore[arg-type]
        out["toe off", side] = np.array([float(r[off]) for r in steps if r[off] is not None])  # type: ignore[arg-type]
    book.close()
    return out


def manual_events(path: Path) -> Events:
    """Event ``1`` (heel strike) per foot from a Moticon export's ``Left/Right Events[]`` columns."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("# time"))[2:].split("\t")
    column = {name: i for i, name in enumerate(header)}
    out: Events = {}
    for side in SIDES:
        at = column[f"{side.capitalize()} Events[]"]
        times = [
            float(cells[0])
            for cells in (line.split("\t") for line in lines if line and not line.startswith("#"))
            if len(cells) > at and cells[at].strip() and float(cells[at]) == 1.0
        ]
        out["heel strike", side] = np.array(times)
    return out


def detected_events(recording: Recording, share: float | None) -> Events:
    """Heel strikes and toe offs (s) per foot; ``share`` None is the absolute 10 N toe off."""
    out: Events = {}
    for side in SIDES:
        force = recording.force(side)
        assert force is not None
        thresholds = default_thresholds(force, recording.force_in_newtons, toe_off_share_of_peak=share)
        contacts = detect_contacts(force, recording.time_s, recording.sampling_rate_hz, thresholds)
        out["heel strike", side] = np.array([c.start_s for c in contacts if c.heel_strike_seen])
        out["toe off", side] = np.array([c.end_s for c in contacts if c.toe_off_seen])
    return out


@dataclass
class Errors:
    """Signed errors (s) of the paired reference events and how many references there were."""

    signed_s: np.ndarray
    n_reference: int

    def row(self) -> str:
        """``%≤150 ms  median  p95  bias`` as table cells."""
        if self.n_reference == 0:
            return f"{'–':>6} {'–':>6} {'–':>6} {'–':>6}"
        within = 100.0 * np.sum(np.abs(self.signed_s) <= TOLERANCE_S) / self.n_reference
        if self.signed_s.size == 0:
            return f"{within:6.0f} {'–':>6} {'–':>6} {'–':>6}"
        abs_ms = 1000 * np.abs(self.signed_s)
        return (
            f"{within:6.0f} {np.median(abs_ms):6.0f} {np.percentile(abs_ms, 95):6.0f} "
            f"{1000 * np.median(self.signed_s):+6.0f}"
        )


def pair(reference: np.ndarray, detected: np.ndarray) -> Errors:
    """One-to-one nearest pairing within :data:`PAIRING_S`, closest pairs first."""
    pairs = sorted(
        (abs(d - r), i, j)
        for i, r in enumerate(reference)
        for j, d in enumerate(detected)
        if abs(d - r) <= PAIRING_S
    )
    used_ref: set[int] = set()
    used_det: set[int] = set()
    signed = []
    for _, i, j in pairs:
        if i in used_ref or j in used_det:
            continue
        used_ref.add(i)
        used_det.add(j)
        signed.append(detected[j] - reference[i])
    return Errors(np.array(signed), len(reference))


def accuracy_table(data: Path) -> list[str]:
    """Rows of the old-vs-new error table for both Moticon references."""
    moticon = data / "moticon"
    sources = [
        ("vendor report", moticon / "230927_102114.txt", vendor_report_events),
        ("manual events", moticon / "walk_with_events.txt", manual_events),
    ]
    head = f"{'reference':14} {'event':11} {'foot':5} {'n':>3} │ {'old: %≤150 med p95 bias':>27} │ {'new: %≤150 med p95 bias':>27}"
    lines = [head, "─" * len(head)]
    pooled: dict[tuple[str, str], list[Errors]] = {}
    for name, recording_path, read_reference in sources:
        reference_path = (
            moticon / "gait_report_230927_10_21_14.xlsx" if name == "vendor report" else recording_path
        )
        if not recording_path.is_file() or not reference_path.is_file():
            lines.append(f"{name}: {recording_path.name} not found, skipped")
            continue
        reference = read_reference(reference_path)
        recording = load_recording(recording_path)
        old = detected_events(recording, None)
        new = detected_events(recording, insole_toe_off_share(recording.format))
        for kind in KINDS:
            for side in SIDES:
                ref = reference.get((kind, side))
                if ref is None:
                    continue
                e_old, e_new = pair(ref, old[kind, side]), pair(ref, new[kind, side])
                pooled.setdefault((kind, "old"), []).append(e_old)
                pooled.setdefault((kind, "new"), []).append(e_new)
                lines.append(
                    f"{name:14} {kind:11} {side:5} {ref.size:3d} │ {e_old.row():>27} │ {e_new.row():>27}"
                )
    lines.append("─" * len(head))
    for kind in KINDS:
        both = [pooled.get((kind, rule), []) for rule in ("old", "new")]
        if not both[0]:
            continue
        merged = [
            Errors(np.concatenate([e.signed_s for e in es]), sum(e.n_reference for e in es)) for es in both
        ]
        n = merged[0].n_reference
        lines.append(
            f"{'all':14} {kind:11} {'both':5} {n:3d} │ {merged[0].row():>27} │ {merged[1].row():>27}"
        )
    return lines


def stance_table(data: Path) -> list[str]:
    """Stance % per foot of every gaitpdb recording and the pedar example, old vs new toe off."""
    files = [*sorted((data / "gaitpdb").glob("Ga*_*.*")), data / "pressure" / "pedar_example.asc"]
    lines = [f"{'recording':22} {'old L':>6} {'old R':>6} │ {'new L':>6} {'new R':>6}   (normal 60–62%)"]
    for path in files:
        if not path.is_file():
            continue
        recording = load_recording(path)
        cells = []
        for share in (None, insole_toe_off_share(recording.format)):
            for side in SIDES:
                force = recording.force(side)
                assert force is not None
                thresholds = default_thresholds(
                    force, recording.force_in_newtons, toe_off_share_of_peak=share
                )
                contacts = detect_contacts(force, recording.time_s, recording.sampling_rate_hz, thresholds)
                value = summarize_strides(strides_from_contacts(contacts))["stance_percent"]
                cells.append(f"{value:6.1f}" if isinstance(value, float) else f"{'–':>6}")
        lines.append(f"{path.name:22} {cells[0]} {cells[1]} │ {cells[2]} {cells[3]}")
    return lines


def main(argv: list[str]) -> int:
    """Print both tables; the data folder defaults to the registered recordings (``benchmarks/_data.py``)."""
    data = Path(argv[1]) if len(argv) > 1 else recordings("moticon")
    print("Moticon events: detected vs reference (errors in ms; bias > 0 = detected late)")
    print("old = toe off below 10 N (Tirosh & Sparrow 2003); new = below 10% of the stance peak (insoles)")
    print("\n".join(accuracy_table(data)))
    print()
    print("Stance % of the stride (mean of kept strides)")
    print("\n".join(stance_table(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
