"""Domain objects shared by every stage: the intake a person gives and the assessment we return.

The intake models accept exactly what ``shared/contracts/intake.schema.json`` (v1) accepts: unknown
fields, explicit nulls, strings where numbers belong and booleans where numbers belong are refused.
Two deliberate exceptions, values no real intake carries: integers beyond the range of a float and
strings holding a lone surrogate escape are refused with a message naming the field.
The assessment models follow ``shared/contracts/assessment.md`` (v1) field for field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Side = Literal["left", "right", "both", "midline"]
FootSide = Literal["left", "right"]
Region = Literal[
    "lower_back",
    "pelvis",
    "hip",
    "buttock",
    "thigh",
    "knee",
    "shin",
    "calf",
    "ankle",
    "heel",
    "back_of_heel",
    "arch",
    "forefoot",
    "toes",
]
SelfReportedArch = Literal["flat", "low", "normal", "high", "unknown"]
WearZone = Literal[
    "lateral_heel", "medial_heel", "medial_forefoot", "lateral_forefoot", "big_toe", "toe_tip", "even"
]
PainTrigger = Literal[
    "first_steps_morning",
    "after_rest",
    "standing",
    "walking",
    "running",
    "stairs",
    "sitting",
    "night",
    "constant",
]
SizeSystem = Literal["us_men", "us_women", "uk", "eu", "mondopoint"]

ArchType = Literal["flat", "normal", "high", "unknown"]
Posture = Literal["highly_pronated", "pronated", "normal", "supinated", "highly_supinated", "unknown"]
Urgency = Literal["emergency", "urgent", "soon", "routine", "none"]
ReferTo = Literal["emergency_department", "doctor", "diabetic_foot_team", "podiatrist", "physiotherapist"]
Confidence = Literal["high", "moderate", "low"]
Evidence = Literal["strong", "moderate", "limited", "very_limited", "theoretical"]
ChainLink = Literal["toes", "foot", "ankle", "shin", "knee", "thigh", "hip", "pelvis", "lower_back"]
InsoleStatus = Literal["recommended", "not_recommended", "deferred"]
InsoleArch = Literal["low", "medium", "high", "extra_high"]


def _whole_number(value: Any) -> Any:
    """JSON Schema counts 3.0 as an integer; pydantic's strict int does not. Bridge that one case."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Integer = Annotated[int, BeforeValidator(_whole_number)]


def _broken_unicode(text: str) -> bool:
    """JSON may escape a lone surrogate (\\ud800); such a string cannot be stored or shown, so it is refused."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class IntakeModel(BaseModel):
    """Base of every intake object: strict types, no unknown fields, no explicit nulls."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
    _text_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._text_fields = frozenset(
            name for name, field in cls.model_fields.items() if "str" in str(field.annotation)
        )

    @model_validator(mode="before")
    @classmethod
    def _no_nulls_or_broken_text(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if None in data.values():
            key = next(key for key, value in data.items() if value is None)
            raise ValueError(f"'{key}' may not be null: leave the field out when it is not known")
        for key in cls._text_fields.intersection(data):
            value = data[key]
            texts = value if isinstance(value, list) else [value]
            if any(isinstance(t, str) and not t.isascii() and _broken_unicode(t) for t in texts):
                raise ValueError(f"'{key}' holds text that is not valid Unicode (a lone surrogate escape)")
        return data


# Real ranges of each shoe-size system (domain.md §6c: "shoe sizes inside each system's real range, e.g.
# EU 15–52"), widened to what the sizing formulas of domain.md §8 give for the longest plausible foot
# (350 mm: EU 55, UK 18.5, US men 19.5, US women 21). UK and US sizes on the children's scale run 0–13.5
# before the adult scale starts again at 1.
SHOE_SIZE_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("eu", "adult"): (15, 55),
    ("eu", "children"): (15, 55),
    ("mondopoint", "adult"): (100, 350),
    ("mondopoint", "children"): (100, 350),
    ("uk", "adult"): (1, 18.5),
    ("us_men", "adult"): (1, 19.5),
    ("us_women", "adult"): (2, 21),
    ("uk", "children"): (0, 13.5),
    ("us_men", "children"): (0, 13.5),
    ("us_women", "children"): (0, 13.5),
}
MAX_PAIN_WEEKS = 100 * 52.18  # domain.md §6c: durations up to 100 years
WEEKS_PER_YEAR = 52.18


class ShoeSize(IntakeModel):
    """A shoe size as the person knows it; ``scale`` says whether a UK or US size is a children's size."""

    system: SizeSystem
    value: float = Field(ge=0)
    scale: Literal["adult", "children"] | None = Field(
        default=None,
        description="UK and US sizes: 'children' for the children's scale (0-13.5); adult when left out",
    )

    @model_validator(mode="after")
    def _inside_the_system(self) -> ShoeSize:
        low, high = SHOE_SIZE_RANGES[(self.system, self.scale or "adult")]
        if not low <= self.value <= high:
            scale = " children's" if self.scale == "children" else ""
            raise ValueError(
                f"{self.system.replace('_', ' ').upper() if self.system != 'mondopoint' else 'Mondopoint'}"
                f"{scale} size {self.value:g} does not exist: sizes run from {low:g} to {high:g}"
            )
        return self


class Person(IntakeModel):
    age_years: Integer | None = Field(default=None, ge=0, le=120)
    sex: Literal["female", "male", "other"] | None = None
    height_cm: float | None = Field(default=None, ge=40, le=260)
    weight_kg: float | None = Field(default=None, ge=2, le=400)
    shoe_size: ShoeSize | None = None


class Pain(IntakeModel):
    region: Region
    side: Side | None = None
    intensity: Integer = Field(
        ge=0, le=10, description="Numeric pain rating, 0 = none, 10 = worst imaginable"
    )
    duration_weeks: float | None = Field(default=None, ge=0, le=MAX_PAIN_WEEKS)
    worst_with: list[PainTrigger] = Field(default_factory=list)


class Activity(IntakeModel):
    standing_hours_per_day: float | None = Field(default=None, ge=0, le=24)
    hard_surfaces: bool | None = None
    walking_km_per_week: float | None = Field(default=None, ge=0, le=700)  # 100 km a day
    running_km_per_week: float | None = Field(default=None, ge=0, le=400)  # above any elite runner's week
    sports: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list)
    recent_load_increase: bool | None = None


FpiItems = Annotated[list[Annotated[Integer, Field(ge=-2, le=2)]], Field(min_length=6, max_length=6)]


class Fpi6(IntakeModel):
    """Foot Posture Index item scores (Redmond et al. 2006), six items from -2 to +2 per foot."""

    left: FpiItems | None = None
    right: FpiItems | None = None


class PerSideMm(IntakeModel):
    left: float | None = Field(default=None, ge=0, le=40)
    right: float | None = Field(default=None, ge=0, le=40)


class FootprintMetrics(IntakeModel):
    arch_index: float | None = Field(default=None, ge=0, le=1)
    chippaux_smirak_index: float | None = Field(default=None, ge=0, le=200)
    staheli_index: float | None = Field(default=None, ge=0, le=5)
    clarke_angle_deg: float | None = Field(default=None, ge=-90, le=90)
    foot_length_mm: float | None = Field(default=None, ge=100, le=350)  # domain.md §6c
    foot_width_mm: float | None = Field(default=None, ge=30, le=150)


class Footprints(IntakeModel):
    left: FootprintMetrics | None = None
    right: FootprintMetrics | None = None


class Feet(IntakeModel):
    self_reported_arch: SelfReportedArch | None = None
    arch_flattens_when_standing: bool | None = None
    fpi6: Fpi6 | None = None
    navicular_drop_mm: PerSideMm | None = None
    footprint: Footprints | None = None


class ShoeWear(IntakeModel):
    left: list[WearZone] | None = None
    right: list[WearZone] | None = None
    heel_counter_tilt: Literal["none", "medial", "lateral"] | None = None


class Health(IntakeModel):
    """Screening answers: True = present, False = absent, None = not asked (never read as 'no').

    Each question asks about NEW or WORSENING symptoms (domain.md §6); the red-flag rules of
    ``knowledge/redflags.toml`` read them, each on its own.
    """

    saddle_numbness: bool | None = None
    new_bladder_or_bowel_problem: bool | None = None
    leg_weakness_or_numbness_both_legs: bool | None = None
    new_sexual_dysfunction: bool | None = None
    progressive_leg_weakness: bool | None = None
    foot_drop: bool | None = None
    sudden_one_sided_weakness: bool | None = None
    sudden_severe_back_or_loin_pain: bool | None = None
    breathless_or_chest_pain: bool | None = None
    signs_of_sepsis: bool | None = None
    fever_or_feeling_unwell: bool | None = None
    severe_pain_out_of_proportion: bool | None = None
    cold_pale_painful_leg: bool | None = None
    calf_swelling_one_leg: bool | None = None
    recent_immobility_or_surgery: bool | None = None
    sudden_snap_back_of_heel: bool | None = None
    visible_deformity_or_open_wound: bool | None = None
    recent_significant_trauma: bool | None = None
    minor_fall_or_strain: bool | None = None
    cannot_bear_weight: bool | None = None
    limp: bool | None = None
    unexplained_injuries: bool | None = None
    unexplained_weight_loss: bool | None = None
    history_of_cancer: bool | None = None
    unremitting_night_pain: bool | None = None
    focal_bone_pain: bool | None = None
    missed_periods_or_low_energy: bool | None = None
    immunosuppressed_or_iv_drug_use: bool | None = None
    long_term_steroids_or_osteoporosis: bool | None = None
    hot_swollen_joint: bool | None = None
    prosthetic_joint: bool | None = None
    swollen_small_joints: bool | None = None
    morning_stiffness_over_30_min: bool | None = None
    pain_better_with_movement_not_rest: bool | None = None
    psoriasis_or_family_spondyloarthritis: bool | None = None
    pain_radiates_down_leg: bool | None = None
    pregnant_or_postpartum: bool | None = None
    headache_or_visual_change: bool | None = None
    taking_fluoroquinolone: bool | None = None
    diabetes: bool | None = None
    loss_of_foot_sensation: bool | None = None
    poor_foot_circulation: bool | None = None
    rest_pain_foot: bool | None = None
    calf_pain_walking_eased_by_rest: bool | None = None
    foot_ulcer_or_open_wound: bool | None = None
    black_skin_on_foot: bool | None = None
    hot_red_swollen_foot: bool | None = None
    leg_length_difference: bool | None = None


class Files(IntakeModel):
    footprint_images: list[str] = Field(default_factory=list)
    gait_recordings: list[str] = Field(default_factory=list)


class Intake(IntakeModel):
    """What a person tells footchain (intake schema v1). Only ``schema_version`` is required."""

    schema_version: Literal[1]
    person: Person = Field(default_factory=Person)
    pain: list[Pain] = Field(default_factory=list)
    activity: Activity = Field(default_factory=Activity)
    feet: Feet = Field(default_factory=Feet)
    shoe_wear: ShoeWear = Field(default_factory=ShoeWear)
    health: Health = Field(default_factory=Health)
    files: Files = Field(default_factory=Files)

    @model_validator(mode="before")
    @classmethod
    def _version_as_integer(cls, data: Any) -> Any:
        if isinstance(data, dict) and "schema_version" in data:
            if isinstance(data["schema_version"], bool):
                raise ValueError("'schema_version' must be the number 1, not true or false")
            return {**data, "schema_version": _whole_number(data["schema_version"])}
        return data

    @model_validator(mode="after")
    def _pain_not_older_than_the_person(self) -> Intake:
        """A pain cannot have lasted longer than the person has lived (domain.md §6c)."""
        age = self.person.age_years
        if age is None:
            return self
        for index, pain in enumerate(self.pain):
            if pain.duration_weeks is not None and pain.duration_weeks > (age + 1) * WEEKS_PER_YEAR:
                raise ValueError(
                    f"pain[{index}].duration_weeks: {pain.duration_weeks:g} weeks is longer than the "
                    f"person's age ({age} years); give the duration in weeks"
                )
        return self


# ----------------------------------------------------------------------------------------------
# The assessment contract (assessment.md v1)


class OutputModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(OutputModel):
    id: str
    text: str


class Referral(OutputModel):
    urgency: Urgency
    to: ReferTo | None
    reasons: list[Reason]
    call_emergency_services: bool = False


class OpenQuestion(OutputModel):
    """A screening question left unanswered that could still change the referral."""

    id: str
    question: str
    could_mean: Urgency


class ScreeningStatus(OutputModel):
    """Whether the red-flag screening is complete, what it still waits for, and what it holds back.

    ``complete`` is true only when every emergency and urgent question that could matter was answered
    (domain.md §6): only then may a report say "No warning signs found".
    """

    complete: bool
    unanswered: list[OpenQuestion]
    held_back_regions: list[Region]
    held_back_because: list[str]


class FootFinding(OutputModel):
    arch_type: ArchType
    posture: Posture
    basis: list[str]


class FeetFindings(OutputModel):
    left: FootFinding
    right: FootFinding


class Condition(OutputModel):
    id: str
    side: Literal["left", "right", "both"] | None
    confidence: Confidence
    because: list[str]


class ChainEntry(OutputModel):
    condition: str
    region: Region
    side: Literal["left", "right", "both"] | None
    path: list[ChainLink]
    evidence: Evidence
    explanation: str
    sources: list[str]


class Unexplained(OutputModel):
    region: Region
    side: Literal["left", "right", "both"] | None = None
    text: str


class InsoleSize(OutputModel):
    """Sizes for a foot length; ``scale`` says whether the UK and US sizes are on the children's scale."""

    foot_length_mm: float
    us_men: float
    us_women: float
    uk: float
    eu: float
    mondopoint: float
    scale: Literal["adult", "children"] = "adult"


class InsolePlan(OutputModel):
    status: InsoleStatus
    arch_height: InsoleArch | None
    size: InsoleSize | None
    why: list[str]
    fitting: list[str]
    expected_benefit: str


class CareItem(OutputModel):
    id: str
    text: str
    dose: str
    for_: list[str] = Field(serialization_alias="for", validation_alias=AliasChoices("for_", "for"))
    cautions: list[str] = []
    evidence: str = ""


class Assessment(OutputModel):
    schema_version: Literal[1] = 1
    referral: Referral
    # Made by the engine; the default (an incomplete screening) is what an assessment built by hand
    # may safely say: it never lets a report claim "No warning signs found".
    screening: ScreeningStatus = ScreeningStatus(
        complete=False, unanswered=[], held_back_regions=[], held_back_because=[]
    )
    feet: FeetFindings
    conditions: list[Condition]
    chain: list[ChainEntry]
    unexplained: list[Unexplained]
    insole: InsolePlan
    care_plan: list[CareItem]
    limits: list[str]
    disclaimer: str

    def to_json_dict(self) -> dict[str, Any]:
        """The contract's JSON object (``for`` spelled as the contract spells it)."""
        return self.model_dump(mode="json", by_alias=True)


@dataclass(frozen=True)
class GaitInput:
    """One measured recording: a name to show and its ``footchain gait`` result.

    Made by measuring (``footchain.measure.intake_files``, the web worker) and judged by
    ``footchain.findings.gait``; it lives here so that measuring never imports judgement.
    """

    name: str
    result: Mapping[str, Any]
