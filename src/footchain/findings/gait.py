"""Gait findings from measured recordings: asymmetry, stride-time variability, pronated foot function.

Each recording is a ``footchain gait`` result (contracts/measurements.md). Rules, all cut-offs from
the knowledge files:

- ``gait_asymmetry`` when |SI| of stride or stance time reaches the symmetric cut-off
  (SI = (R − L) / (0.5 (R + L)) × 100, Robinson et al. 1987, J Manipulative Physiol Ther 10:172;
  |SI| < 10% symmetric, domain.md §4).
- ``high_stride_variability`` when a foot's stride-time CV reaches the "high" cut-off, judged only
  with enough strides (Hausdorff et al. 1999, J Appl Physiol 86:1040: healthy ≈ 1.3%, ≥ 20 strides).
- ``pronated_foot_function`` is never judged here. A dynamic pressure recording (platform or
  pressure insole) gives the centre of pressure excursion index (CPEI, Song et al. 1996, JAPMA 86:16):
  the limit then reports it per foot with its caveat (lower = the centre of pressure runs more
  medially, the foot rolls in more) and says that footchain has no validated cut-off, because
  absolute CPEI norms are uncertain (domain.md §4, grade M). Other recordings give no CPEI, and a
  limit says why.

A measured recording gives ``moderate`` confidence (more than shoe wear's ``low``). Gait findings
only add conditions and limits: referral and red flags are decided elsewhere and always win.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from footchain.knowledge import Knowledge
from footchain.types import Condition, Confidence, GaitInput

SIDES = ("left", "right")
CONFIDENCE_ORDER: dict[Confidence, int] = {"low": 0, "moderate": 1, "high": 2}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _foot_summary(result: Mapping[str, Any], side: str) -> Mapping[str, Any]:
    foot = (result.get("feet") or {}).get(side) or {}
    summary = foot.get("summary") or {}
    return summary if isinstance(summary, Mapping) else {}


def _asymmetry(gait: GaitInput, knowledge: Knowledge) -> tuple[list[str], list[str]]:
    """Reasons for gait_asymmetry, and limits."""
    cut = knowledge.thresholds.gait.symmetric_below_percent
    symmetry = (gait.result.get("summary") or {}).get("symmetry_index_percent") or {}
    reasons: list[str] = []
    judged = 0
    for key in ("stride_time", "stance_time"):
        si = _number(symmetry.get(key))
        if si is None:
            continue
        judged += 1
        if abs(si) >= cut:
            longer = "right" if si > 0 else "left"
            left = _number(_foot_summary(gait.result, "left").get(f"{key}_s", {}).get("mean"))
            right = _number(_foot_summary(gait.result, "right").get(f"{key}_s", {}).get("mean"))
            times = f" (left {left:.2f} s, right {right:.2f} s)" if left and right else ""
            reasons.append(
                f"{gait.name}: {key.replace('_', ' ')} differs between the feet{times}, symmetry index "
                f"{si:+.1f}% (|SI| ≥ {cut:g}% is asymmetric; Robinson 1987); longer on the {longer}"
            )
    limits = []
    if judged == 0:
        limits.append(
            f"{gait.name}: left-right symmetry could not be judged (stride and stance times of both feet are needed)."
        )
    return reasons, limits


def _recorded(result: Mapping[str, Any], side: str) -> bool:
    """Whether the recording holds this foot at all: events found, or a force it searched for them in.

    A foot without force (one insole, a single step on a platform) has neither.
    """
    foot = (result.get("feet") or {}).get(side) or {}
    return bool(foot.get("events")) or foot.get("detection") is not None


def _variability(gait: GaitInput, knowledge: Knowledge) -> tuple[list[tuple[str, str]], list[str]]:
    """(side, reason) pairs for high_stride_variability, and limits."""
    rule = knowledge.thresholds.stride_variability
    found: list[tuple[str, str]] = []
    limits: list[str] = []
    for side in SIDES:
        if not _recorded(gait.result, side):
            limits.append(f"{gait.name}: the {side} foot was not recorded, so its gait was not measured.")
            continue
        summary = _foot_summary(gait.result, side)
        strides = int(_number(summary.get("strides")) or 0)
        cv = _number((summary.get("stride_time_s") or {}).get("cv_percent"))
        if cv is None or strides < rule.strides_at_least:
            limits.append(
                f"{gait.name}: stride-time variability of the {side} foot not judged: {strides} usable "
                f"strides, at least {rule.strides_at_least} are needed (Hausdorff 1999). A longer "
                "straight walk would settle it."
            )
            continue
        if cv >= rule.high_cv_at_least_percent:
            found.append(
                (
                    side,
                    f"{gait.name}: {side} stride time varies by {cv:.1f}% from stride to stride "
                    f"(CV over {strides} strides; healthy young adults ≈ {rule.healthy_young_cv_percent:g}%, "
                    f"footchain flags ≥ {rule.high_cv_at_least_percent:g}%)",
                )
            )
    return found, limits


def _cpei_limit(gait: GaitInput, cop: Mapping[str, Any]) -> str | None:
    """The pronation limit when the recording carries CPEI: the values with their caveat, no verdict."""
    measured: list[str] = []
    missing: list[str] = []
    caveat = ""
    for side in SIDES:
        foot = cop.get(side)
        if not isinstance(foot, Mapping) or "cpei_stances" not in foot:
            continue
        caveat = str(foot.get("cpei_caveat") or caveat)
        value = _number(foot.get("cpei_percent"))
        stances = int(_number(foot.get("cpei_stances")) or 0)
        if value is None:
            missing.append(f"{side} foot: {foot.get('cpei_not_measured') or 'CPEI not measured'}")
            continue
        measured.append(f"{side} {value:.1f}% (mean of {stances} stance{'s' if stances != 1 else ''})")
    if not measured and not missing:
        return None
    text = f"{gait.name}: whether the foot rolls inwards while walking was not judged. "
    if measured:
        text += (
            f"Centre of pressure excursion index (CPEI, Song 1996): {', '.join(measured)}. A lower CPEI means "
            "the centre of pressure runs more medially under the foot (more rolling in). "
        )
    if missing:
        text += " ".join(f"{m}." for m in missing) + " "
    text += caveat or "Absolute CPEI norms are uncertain, so footchain does not call a foot pronated from it."
    return text


def _pronation_limit(gait: GaitInput) -> str:
    cop = (gait.result.get("summary") or {}).get("cop")
    if isinstance(cop, Mapping):
        with_cpei = _cpei_limit(gait, cop)
        if with_cpei is not None:
            return with_cpei
    if not cop:
        return (
            f"{gait.name}: whether the foot rolls inwards while walking could not be judged: the recording "
            "gives no centre-of-pressure path. A pressure-platform walk with the foot outline (CPEI, Song 1996) would."
        )
    return (
        f"{gait.name}: whether the foot rolls inwards while walking could not be judged: the centre-of-pressure "
        "path is known only on an uncalibrated sensor layout, without the foot's outline, so the centre of "
        "pressure excursion index (CPEI, Song 1996) cannot be computed, and no validated cut-off exists for a "
        "medial path on these sensors. A pressure-platform walk would settle it."
    )


def assess_gait(recordings: Sequence[GaitInput], knowledge: Knowledge) -> tuple[list[Condition], list[str]]:
    """Conditions and limits from measured gait recordings.

    Parameters
    ----------
    recordings : sequence of GaitInput
        Recordings measured with :func:`footchain.measure.gait.analyze_gait`.
    knowledge : Knowledge
        Cut-offs: ``thresholds.gait.symmetric_below_percent`` (Robinson 1987),
        ``thresholds.stride_variability`` (Hausdorff 1999; footchain policy), confidence
        ``thresholds.confidence.gait_recording``.

    Returns
    -------
    (conditions, limits)
        ``gait_asymmetry`` (side null) and ``high_stride_variability`` (per side) with their
        reasons; limits name what could not be judged and the recordings' own warnings.
    """
    level = knowledge.thresholds.confidence.gait_recording
    asym: list[str] = []
    variable: dict[str, list[str]] = {}
    limits: list[str] = []
    for gait in recordings:
        reasons, asym_limits = _asymmetry(gait, knowledge)
        asym += reasons
        found, var_limits = _variability(gait, knowledge)
        for side, reason in found:
            variable.setdefault(side, []).append(reason)
        limits += asym_limits + var_limits + [_pronation_limit(gait)]
        limits += [f"{gait.name}: {w}" for w in gait.result.get("warnings") or []]
    conditions: list[Condition] = []
    if asym:
        conditions.append(Condition(id="gait_asymmetry", side=None, confidence=level, because=asym))
    if variable:
        sides = sorted(variable)
        conditions.append(
            Condition(
                id="high_stride_variability",
                side="both" if len(sides) == 2 else sides[0],
                confidence=level,
                because=[r for side in sides for r in variable[side]],
            )
        )
    return conditions, list(dict.fromkeys(limits))


def merge_conditions(found: Sequence[Condition], measured: Sequence[Condition]) -> list[Condition]:
    """Foot conditions with the gait conditions added; one id appears once.

    When both name a condition (e.g. shoe wear's low-confidence ``gait_asymmetry``), the measured
    reasons come first, the strongest confidence holds, and the sides combine.
    """
    merged = {c.id: c for c in found}
    for condition in measured:
        old = merged.get(condition.id)
        if old is None:
            merged[condition.id] = condition
            continue
        sides = {s for c in (old, condition) for s in _sides(c.side)}
        level = max(old.confidence, condition.confidence, key=CONFIDENCE_ORDER.__getitem__)
        merged[condition.id] = Condition(
            id=condition.id,
            side=("both" if len(sides) == 2 else next(iter(sides))) if sides else None,
            confidence=level,
            because=list(dict.fromkeys([*condition.because, *old.because])),
        )
    return list(merged.values())


def _sides(side: str | None) -> set[str]:
    return {"left", "right"} if side == "both" else {side} if side else set()
