"""Assessments and intakes for the report tests: hand-built ones (no assess/ or plan/ code involved) and
examples/ intakes assessed by the real engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from footchain.engine import assess
from footchain.types import Assessment, Health, Intake

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

DISCLAIMER = (
    "footchain gives general information, not a diagnosis. It does not replace an examination by a "
    "doctor, podiatrist or physiotherapist."
)

UNKNOWN_FOOT: dict[str, Any] = {"arch_type": "unknown", "posture": "unknown", "basis": []}

ALL_REGIONS = [
    "lower_back", "pelvis", "hip", "buttock", "thigh", "knee", "shin", "calf", "ankle", "heel", "back_of_heel",
    "arch", "forefoot", "toes",
]  # fmt: skip
SCREENED: dict[str, Any] = {
    "complete": True,
    "unanswered": [],
    "held_back_regions": [],
    "held_back_because": [],
}
"""Every warning-sign question answered, nothing held back."""

NO_INSOLE_SIZE: dict[str, Any] = {
    "status": "deferred",
    "arch_height": None,
    "size": None,
    "why": ["An urgent medical problem has to be ruled out before any insole advice."],
    "fitting": [],
    "expected_benefit": "None until a clinician has seen you.",
}


def emergency() -> tuple[Assessment, Intake]:
    """Back pain with saddle numbness and a bladder change: suspected cauda equina, go now."""
    intake = Intake.model_validate(
        {
            "schema_version": 1,
            "pain": [
                {"region": "lower_back", "side": "midline", "intensity": 8, "duration_weeks": 1},
                {"region": "thigh", "side": "both", "intensity": 5},
            ],
            "health": {"saddle_numbness": True, "new_bladder_or_bowel_problem": True},
        }
    )
    assessment = Assessment.model_validate(
        {
            "referral": {
                "urgency": "emergency",
                "to": "emergency_department",
                "reasons": [
                    {
                        "id": "suspected_cauda_equina",
                        "text": "Back pain with numbness between the legs and a new bladder problem can mean "
                        "the nerves at the bottom of the spine are squeezed (cauda equina syndrome).",
                    }
                ],
            },
            "screening": {
                **SCREENED,
                "held_back_regions": ALL_REGIONS,
                "held_back_because": ["suspected_cauda_equina"],
            },
            "feet": {"left": UNKNOWN_FOOT, "right": UNKNOWN_FOOT},
            "conditions": [],
            "chain": [],
            "unexplained": [
                {
                    "region": "lower_back",
                    "text": "no foot finding explains this pain; the feet are unlikely to be the main driver",
                }
            ],
            "insole": NO_INSOLE_SIZE,
            "care_plan": [],
            "limits": ["Foot posture was not assessed: an emergency comes first."],
            "disclaimer": DISCLAIMER,
        }
    )
    return assessment, intake


def chain_both_sides() -> tuple[Assessment, Intake]:
    """A pronated flat left foot and a high-arched right foot, links of every grade, lower back unexplained.

    Some free text carries markup so the report's escaping is exercised.
    """
    intake = Intake.model_validate(
        {
            "schema_version": 1,
            "person": {"age_years": 41, "sex": "female"},
            "pain": [
                {
                    "region": "shin",
                    "side": "left",
                    "intensity": 6,
                    "duration_weeks": 6,
                    "worst_with": ["running"],
                },
                {"region": "knee", "side": "left", "intensity": 4, "worst_with": ["stairs"]},
                {"region": "knee", "side": "right", "intensity": 3},
                {"region": "heel", "side": "left", "intensity": 7, "worst_with": ["first_steps_morning"]},
                {"region": "hip", "side": "left", "intensity": 2},
                {"region": "lower_back", "intensity": 5, "duration_weeks": 20, "worst_with": ["sitting"]},
            ],
            "feet": {"fpi6": {"left": [2, 2, 1, 2, 1, 1], "right": [-1, -1, -1, 0, -1, -1]}},
        }
    )
    assessment = Assessment.model_validate(
        {
            "referral": {"urgency": "none", "to": None, "reasons": []},
            "screening": SCREENED,
            "feet": {
                "left": {
                    "arch_type": "flat",
                    "posture": "highly_pronated",
                    "basis": ["FPI-6 total +9", "self-reported arch: flat"],
                },
                "right": {"arch_type": "high", "posture": "supinated", "basis": ["FPI-6 total -5"]},
            },
            "conditions": [
                {
                    "id": "overpronation",
                    "side": "left",
                    "confidence": "high",
                    "because": ["FPI-6 total +9 (highly pronated)", "<b>arch drops</b> & flattens"],
                },
                {"id": "high_arch", "side": "right", "confidence": "moderate", "because": ["FPI-6 total -5"]},
                {
                    "id": "plantar_fasciitis",
                    "side": "left",
                    "confidence": "low",
                    "because": ["heel pain worst with the first steps in the morning"],
                },
            ],
            "chain": [
                {
                    "condition": "overpronation",
                    "region": "shin",
                    "side": "left",
                    "path": ["foot", "ankle", "shin"],
                    "evidence": "strong",
                    "explanation": "A foot that rolls in twists the shin bone inwards with every step, which "
                    "loads the inner edge of the shin.",
                    "sources": ["Neal et al. 2014, J Foot Ankle Res 7:55"],
                },
                {
                    "condition": "overpronation",
                    "region": "knee",
                    "side": "left",
                    "path": ["foot", "ankle", "shin", "knee"],
                    "evidence": "very_limited",
                    "explanation": "The inward twist can carry on up to the knee cap.",
                    "sources": ["Neal et al. 2014, J Foot Ankle Res 7:55"],
                },
                {
                    "condition": "high_arch",
                    "region": "knee",
                    "side": "right",
                    "path": ["foot", "ankle", "shin", "knee"],
                    "evidence": "limited",
                    "explanation": "A high arch absorbs less shock, so more of each step's jolt reaches the knee.",
                    "sources": ["textbook"],
                },
                {
                    "condition": "plantar_fasciitis",
                    "region": "hip",
                    "side": "left",
                    "path": ["foot", "ankle", "shin", "knee", "thigh", "hip"],
                    "evidence": "theoretical",
                    "explanation": "Limping to spare a sore heel changes how the hip is loaded.",
                    "sources": ["expert opinion"],
                },
            ],
            "unexplained": [
                {
                    "region": "lower_back",
                    "text": "no foot finding explains this pain; the feet are unlikely to be the main driver",
                }
            ],
            "insole": {
                "status": "recommended",
                "arch_height": "medium",
                "size": {
                    "foot_length_mm": 245,
                    "us_men": 7.5,
                    "us_women": 9,
                    "uk": 6.5,
                    "eu": 40,
                    "mondopoint": 245,
                },
                "why": ["Your left foot rolls in a lot; a medium arch support limits that a little."],
                "fitting": [
                    "Take the shoe's own insole out and lay it on the new insole, heels together.",
                    "Trim the new insole's toe end along the old insole's outline.",
                    "Wear it for an hour the first day and add an hour a day.",
                ],
                "expected_benefit": "Shin: may ease within 4–6 weeks. Knees and back: small or no change.",
            },
            "care_plan": [
                {
                    "id": "calf_stretch",
                    "text": "Stretch your calves against a wall, back knee straight.",
                    "dose": "3 × 30 seconds per leg, twice a day",
                    "for_": ["plantar_fasciitis", "overpronation"],
                    "cautions": ["Stop if the stretch causes sharp pain."],
                },
                {
                    "id": "load_management",
                    "text": "Cut your running distance by a third for two weeks.",
                    "dose": "2 weeks, then add 10% a week",
                    "for_": ["medial_tibial_stress"],
                },
            ],
            "limits": [
                "No footprint: a wet-footprint photo on the calibration sheet would measure the arches.",
                "Gait not recorded: walking asymmetry could not be judged.",
            ],
            "disclaimer": DISCLAIMER,
        }
    )
    return assessment, intake


def no_pain() -> tuple[Assessment, Intake]:
    """No pain reported, diabetes with lost sensation: routine podiatry, no off-the-shelf insole."""
    intake = Intake.model_validate(
        {"schema_version": 1, "health": {"diabetes": True, "loss_of_foot_sensation": True}}
    )
    assessment = Assessment.model_validate(
        {
            "referral": {
                "urgency": "routine",
                "to": "podiatrist",
                "reasons": [
                    {
                        "id": "diabetes_lost_sensation",
                        "text": "With diabetes and lost feeling in the feet, shoes and insoles should be "
                        "fitted by a professional.",
                    }
                ],
            },
            "screening": SCREENED,
            "feet": {
                "left": {"arch_type": "normal", "posture": "normal", "basis": ["self-reported arch: normal"]},
                "right": {
                    "arch_type": "normal",
                    "posture": "normal",
                    "basis": ["self-reported arch: normal"],
                },
            },
            "conditions": [],
            "chain": [],
            "unexplained": [],
            "insole": {
                "status": "not_recommended",
                "arch_height": None,
                "size": None,
                "why": ["Feet without feeling can be hurt by a poorly fitting insole without you noticing."],
                "fitting": [],
                "expected_benefit": "",
            },
            "care_plan": [
                {
                    "id": "daily_foot_check",
                    "text": "Look at both feet every day, including between the toes, with a mirror if needed.",
                    "dose": "Once a day",
                    "for_": ["diabetes"],
                }
            ],
            "limits": [],
            "disclaimer": DISCLAIMER,
        }
    )
    return assessment, intake


def _example(name: str, *, screened: bool) -> tuple[Assessment, Intake]:
    """An intake of examples/ assessed by the real engine; ``screened`` answers every warning-sign
    question it leaves open with "no", as a person who went through the whole wizard would."""
    data = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    if screened:
        data["health"] = {name: False for name in Health.model_fields} | data.get("health", {})
    intake = Intake.model_validate(data)
    return assess(intake), intake


def runner_screened() -> tuple[Assessment, Intake]:
    """The runner with flat feet and knee and shin pain, every warning-sign question answered."""
    return _example("runner_flat_feet_knee", screened=True)


def runner_shipped() -> tuple[Assessment, Intake]:
    """The runner exactly as examples/ ships it: many warning-sign questions left unanswered."""
    return _example("runner_flat_feet_knee", screened=False)


def nurse_shipped() -> tuple[Assessment, Intake]:
    """The nurse with heel pain and diabetes as examples/ ships it: a routine diabetic foot review."""
    return _example("nurse_heel_pain", screened=False)


def emergency_example() -> tuple[Assessment, Intake]:
    """Back pain with saddle numbness as in examples/: an emergency, some questions still open."""
    return _example("back_pain_numb_saddle", screened=False)


CASES = {"emergency": emergency, "chain": chain_both_sides, "no-pain": no_pain}
