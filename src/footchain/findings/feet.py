"""Arch type, posture and foot conditions per side, from the inputs in order of trust.

Arch type: measured footprint (Arch Index, then Chippaux-Smirak, then Clarke's angle; Cavanagh &
Rodgers 1987, J Biomech 20:547), then FPI-6 (Redmond et al. 2006, Clin Biomech 21:89), then self-report
(domain.md §2). Posture: FPI-6 total, else navicular drop (Mueller et al. 1993). When inputs disagree
the basis says so. Shoe wear only ever adds low-confidence support (Vernon, Parry & Potter 2004,
JAPMA 94:261).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from footchain.knowledge import Knowledge
from footchain.types import (
    ArchType,
    Condition,
    Confidence,
    FeetFindings,
    FootFinding,
    FootprintMetrics,
    FootSide,
    Intake,
    Posture,
)

SIDES: tuple[FootSide, FootSide] = ("left", "right")
FOOTPRINT_MEASURES = ("arch_index", "chippaux_smirak_index", "clarke_angle_deg")
CLASSIFICATION_OF = {
    "arch_index": "arch_index_footprint",
    "chippaux_smirak_index": "chippaux_smirak",
    "clarke_angle_deg": "clarke_angle",
}
MEASURE_NAME = {
    "arch_index": "Arch Index",
    "chippaux_smirak_index": "Chippaux-Smirak index",
    "clarke_angle_deg": "Clarke's angle",
}
CONFIDENCE_ORDER: dict[Confidence, int] = {"low": 0, "moderate": 1, "high": 2}
PRONATED = ("pronated", "highly_pronated")
SUPINATED = ("supinated", "highly_supinated")
MEDIAL_WEAR = frozenset({"medial_heel", "medial_forefoot"})
LATERAL_WEAR = frozenset({"lateral_forefoot"})
# Normal wear never counts as inner wear or as a left-right difference (domain.md §5): the back-outer
# heel, the big toe (push-off) and the toe tip.
NORMAL_WEAR = frozenset({"lateral_heel", "big_toe", "toe_tip", "even"})


def _fmt(value: float) -> str:
    return f"{value:g}"


@dataclass(slots=True)
class SideReading:
    """What the inputs say about one foot, before it becomes a FootFinding."""

    arch_type: ArchType = "unknown"
    arch_from: str | None = None
    posture: Posture = "unknown"
    posture_from: str | None = None
    fpi_total: int | None = None
    navicular_drop_mm: float | None = None
    basis: list[str] = field(default_factory=list)


def _footprint_arch(metrics: FootprintMetrics, knowledge: Knowledge) -> tuple[ArchType, str] | None:
    for measure in FOOTPRINT_MEASURES:
        value = getattr(metrics, measure)
        if value is None:
            continue
        table = knowledge.thresholds.classification[CLASSIFICATION_OF[measure]]
        label = table.label(value)
        arch: ArchType = table.arch_type[label]  # type: ignore[assignment]
        detail = f" ({label.replace('_', ' ')})" if label != arch else ""
        return arch, f"measured footprint: {MEASURE_NAME[measure]} {_fmt(value)} → {arch} arch{detail}"
    return None


def read_side(intake: Intake, side: FootSide, knowledge: Knowledge) -> SideReading:
    """Combine footprint, FPI-6, navicular drop and self-report for one foot."""
    feet = intake.feet
    reading = SideReading()
    candidates: list[tuple[str, ArchType, str]] = []
    metrics = getattr(feet.footprint, side) if feet.footprint else None
    if metrics is not None and (found := _footprint_arch(metrics, knowledge)):
        candidates.append(("footprint", *found))
    items = getattr(feet.fpi6, side) if feet.fpi6 else None
    if items is not None:
        table = knowledge.thresholds.classification["fpi6"]
        reading.fpi_total = sum(items)
        reading.posture = table.label(reading.fpi_total)  # type: ignore[assignment]
        reading.posture_from = "fpi6"
        implied: ArchType = table.arch_type[reading.posture]  # type: ignore[assignment]
        reading.basis.append(f"FPI-6 total {reading.fpi_total:+d} → {reading.posture.replace('_', ' ')}")
        candidates.append(("fpi6", implied, f"FPI-6 suggests a {implied} arch"))
    drop = getattr(feet.navicular_drop_mm, side) if feet.navicular_drop_mm else None
    if drop is not None:
        reading.navicular_drop_mm = drop
        excessive = drop > knowledge.thresholds.navicular_drop.excessive_above_mm
        words = "excessive, the arch drops a lot" if excessive else "within the usual range"
        reading.basis.append(f"navicular drop {_fmt(drop)} mm ({words})")
        if reading.posture_from is None:
            reading.posture = "pronated" if excessive else "normal"
            reading.posture_from = "navicular_drop"
    if feet.self_reported_arch not in (None, "unknown"):
        arch = knowledge.thresholds.self_report.arch_type[feet.self_reported_arch]
        candidates.append(("self_report", arch, f"self-reported {feet.self_reported_arch} arch"))
    if candidates:
        source, reading.arch_type, text = candidates[0]
        reading.arch_from = source
        reading.basis.insert(0, text if source != "fpi6" else f"{text} (no footprint measured)")
        for _, other_arch, other_text in candidates[1:]:
            if other_arch != reading.arch_type:
                reading.basis.append(f"{other_text}, but we go by the {source.replace('_', ' ')}")
    return reading


def _side_of(sides: list[FootSide]) -> str | None:
    return "both" if len(sides) == 2 else sides[0] if sides else None


def _strongest(levels: list[Confidence]) -> Confidence:
    return max(levels, key=CONFIDENCE_ORDER.__getitem__)


@dataclass
class ConditionBuilder:
    """Collects, per condition, the sides, confidence levels and reasons found for it."""

    sides: dict[str, list[FootSide]] = field(default_factory=dict)
    levels: dict[str, list[Confidence]] = field(default_factory=dict)
    because: dict[str, list[str]] = field(default_factory=dict)
    support: dict[str, list[str]] = field(default_factory=dict)
    support_sides: dict[str, list[FootSide]] = field(default_factory=dict)

    def add(self, cid: str, side: FootSide | None, level: Confidence, reason: str) -> None:
        sides = self.sides.setdefault(cid, [])
        if side and side not in sides:
            sides.append(side)
        self.levels.setdefault(cid, []).append(level)
        self.because.setdefault(cid, []).append(reason)

    def supports(self, cid: str, sides: tuple[FootSide, ...], reason: str) -> None:
        """Low-confidence support (shoe wear) that never raises a condition's confidence."""
        self.support.setdefault(cid, []).append(reason)
        known = self.support_sides.setdefault(cid, [])
        known += [side for side in sides if side not in known]

    def build(self, shoe_wear_level: Confidence) -> list[Condition]:
        conditions = [
            Condition(
                id=cid,
                side=_side_of(sorted(self.sides[cid])),
                confidence=_strongest(self.levels[cid]),
                because=list(dict.fromkeys(self.because[cid] + self.support.get(cid, []))),
            )
            for cid in self.levels
        ]
        for cid, reasons in self.support.items():
            if cid not in self.levels:
                conditions.append(
                    Condition(
                        id=cid,
                        side=_side_of(sorted(self.support_sides[cid])),
                        confidence=shoe_wear_level,
                        because=list(dict.fromkeys(reasons)),
                    )
                )
        return conditions


def _add_arch_conditions(
    builder: ConditionBuilder, readings: dict[FootSide, SideReading], intake: Intake, knowledge: Knowledge
) -> None:
    policy = knowledge.thresholds.confidence
    level_of: dict[str, Confidence] = {
        "footprint": policy.footprint,
        "fpi6": policy.fpi6,
        "self_report": policy.self_report,
    }
    for side, reading in readings.items():
        if reading.arch_type in ("flat", "high") and reading.arch_from:
            cid = "flat_foot" if reading.arch_type == "flat" else "high_arch"
            builder.add(cid, side, level_of[reading.arch_from], f"{side}: {reading.basis[0]}")
    flattens = intake.feet.arch_flattens_when_standing
    flat_sides = [s for s, r in readings.items() if r.arch_type == "flat"]
    if flat_sides and flattens is False:
        for side in flat_sides:
            builder.add(
                "rigid_flat_foot",
                side,
                policy.self_report,
                f"{side}: the arch does not come back when sitting or on tiptoe",
            )
    if flattens:
        for side in SIDES:
            builder.add(
                "overpronation",
                side,
                policy.flattening_test,
                "the arch is visible sitting but flattens when standing (flexible flat foot)",
            )


def _add_posture_conditions(
    builder: ConditionBuilder, readings: dict[FootSide, SideReading], knowledge: Knowledge
) -> None:
    policy = knowledge.thresholds.confidence
    for side, reading in readings.items():
        if reading.posture == "unknown" or reading.posture == "normal":
            continue
        cid = "overpronation" if reading.posture in PRONATED else "supination"
        if reading.posture_from == "fpi6":
            extreme = reading.posture.startswith("highly")
            level = policy.fpi6_extreme if extreme else policy.fpi6
            builder.add(
                cid,
                side,
                level,
                f"{side}: FPI-6 total {reading.fpi_total:+d} ({reading.posture.replace('_', ' ')})",
            )
        else:
            builder.add(
                cid,
                side,
                policy.navicular_drop,
                f"{side}: navicular drop {_fmt(reading.navicular_drop_mm or 0)} mm",
            )


def _add_wear_support(builder: ConditionBuilder, intake: Intake) -> None:
    wear = intake.shoe_wear
    if wear.left is None and wear.right is None and wear.heel_counter_tilt is None:
        return
    zones: dict[FootSide, set[str]] = {"left": set(wear.left or []), "right": set(wear.right or [])}
    for side, worn in zones.items():
        if worn & MEDIAL_WEAR:
            where = ", ".join(sorted(z.replace("_", " ") for z in worn & MEDIAL_WEAR))
            builder.supports(
                "overpronation",
                (side,),
                f"{side} shoe worn on the inner side ({where}): consistent with, not proof of, rolling in",
            )
        if worn & LATERAL_WEAR:
            builder.supports(
                "supination",
                (side,),
                f"{side} shoe worn on the outer forefoot: consistent with, not proof of, rolling out",
            )
    if wear.heel_counter_tilt == "medial":
        builder.supports(
            "overpronation",
            SIDES,
            "shoe heel counter leans inwards: consistent with, not proof of, rolling in",
        )
    elif wear.heel_counter_tilt == "lateral":
        builder.supports(
            "supination",
            SIDES,
            "shoe heel counter leans outwards: consistent with, not proof of, rolling out",
        )
    unusual = {side: worn - NORMAL_WEAR for side, worn in zones.items()}
    if wear.left is not None and wear.right is not None and unusual["left"] != unusual["right"]:
        builder.supports(
            "gait_asymmetry",
            (),
            "the left and right shoes wear differently: consistent with, not proof of, an uneven gait",
        )


def _finding(reading: SideReading) -> FootFinding:
    return FootFinding(
        arch_type=reading.arch_type, posture=reading.posture, basis=reading.basis or ["no information"]
    )


def assess_feet(intake: Intake, knowledge: Knowledge) -> tuple[FeetFindings, list[Condition], list[str]]:
    """Per-side findings, the conditions they support, and what could not be judged."""
    readings = {side: read_side(intake, side, knowledge) for side in SIDES}
    findings = FeetFindings(left=_finding(readings["left"]), right=_finding(readings["right"]))
    builder = ConditionBuilder()
    _add_arch_conditions(builder, readings, intake, knowledge)
    _add_posture_conditions(builder, readings, knowledge)
    _add_wear_support(builder, intake)
    if intake.health.leg_length_difference:
        builder.supports(
            "gait_asymmetry",
            (),
            "a clinician found one leg shorter than the other: consistent with, not proof of, uneven loading",
        )
    limits = _limits(readings, intake)
    conditions, disagreements = _disagreements(builder.build(knowledge.thresholds.confidence.shoe_wear))
    return findings, conditions, disagreements + limits


def _disagreements(conditions: list[Condition]) -> tuple[list[Condition], list[str]]:
    """A foot cannot both roll in and roll out (domain.md §6c): where the inputs say both, each is kept
    at low confidence with the disagreement in its reasons, and a limit says so."""
    by_id = {c.id: c for c in conditions}
    inward, outward = by_id.get("overpronation"), by_id.get("supination")
    if inward is None or outward is None:
        return conditions, []
    shared = _sides_of(inward.side) & _sides_of(outward.side)
    if not shared:
        return conditions, []
    where = " and ".join(sorted(shared))
    note = f"the inputs disagree: the {where} foot looks both rolled in and rolled out"
    lowered = [
        c.model_copy(update={"confidence": "low", "because": [*c.because, note]})
        if c.id in ("overpronation", "supination")
        else c
        for c in conditions
    ]
    limit = (
        f"The inputs disagree about the {where} foot: some point to rolling in, others to rolling out. "
        "A clinician's Foot Posture Index (FPI-6) would settle it; until then neither is trusted."
    )
    return lowered, [limit]


def _sides_of(side: str | None) -> set[str]:
    return set(SIDES) if side == "both" else {side} if side else set(SIDES)


def _limits(readings: dict[FootSide, SideReading], intake: Intake) -> list[str]:
    limits: list[str] = []
    unknown = [side for side, r in readings.items() if r.arch_type == "unknown"]
    if unknown:
        limits.append(
            f"Arch type of the {' and '.join(unknown)} foot unknown: a wet footprint on paper or a photo on "
            "the footchain calibration sheet would settle it."
        )
    elif not all(r.arch_from == "footprint" for r in readings.values()):
        limits.append(
            "Arch type not measured: a footprint (wet print or photo on the calibration sheet) is more reliable than a description."
        )
    if all(r.posture == "unknown" for r in readings.values()):
        limits.append(
            "Foot posture not examined: a clinician's Foot Posture Index (FPI-6) would show whether the feet roll in or out."
        )
    if not intake.files.gait_recordings:
        limits.append(
            "No gait recording: how the feet move while walking (and any left-right difference) was not measured."
        )
    return limits
