"""footchain's knowledge: every cut-off, rule, chain link and care item, as data with its source.

The TOML files beside this module are read once (``load_knowledge``) and checked against the models
below, so a missing source, an unknown urgency or a misspelt key fails at load time, not mid-assessment.
"""

from __future__ import annotations

import tomllib
from functools import cache, cached_property
from importlib import resources
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from footchain.types import (
    ChainLink,
    Evidence,
    InsoleArch,
    Posture,
    Reason,
    ReferTo,
    Region,
    SizeSystem,
    Urgency,
)

MM_PER_INCH = 25.4
Grade = Literal["V", "M"]
Source = str  # a citation a reader can look up; never empty
NonEmpty = Field(min_length=1)


class Knowledge_(BaseModel):
    # defer_build: the parts are checked as part of the whole Knowledge when the files are loaded, so no
    # part needs a validator of its own at import (footchain assess starts with 8 % fewer instructions).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Sourced(Knowledge_):
    source: Source = NonEmpty


class Band(Knowledge_):
    upto: float | None = None
    inclusive: bool = True
    label: str


class Classification(Sourced):
    """An ordered table of bands: the first band whose bound holds the value gives the label."""

    measure: str
    input_kind: str
    bands: list[Band] = NonEmpty
    arch_type: dict[str, str]
    healthy_adult_mean: float | None = None
    grade: Grade

    @model_validator(mode="after")
    def _bands_ordered(self) -> Classification:
        bounds = [b.upto for b in self.bands[:-1]]
        if None in bounds or self.bands[-1].upto is not None:
            raise ValueError(f"{self.measure}: only the last band may be open-ended")
        if bounds != sorted(b for b in bounds if b is not None):
            raise ValueError(f"{self.measure}: band bounds must rise")
        missing = {b.label for b in self.bands} - set(self.arch_type)
        if missing:
            raise ValueError(f"{self.measure}: no arch type for {sorted(missing)}")
        return self

    def label(self, value: float) -> str:
        """The band label holding ``value``."""
        for band in self.bands:
            if band.upto is None or value < band.upto or (band.inclusive and value == band.upto):
                return band.label
        raise AssertionError("the last band is open-ended")


class NavicularDrop(Sourced):
    excessive_above_mm: float
    healthy_mean_range_mm: tuple[float, float]
    grade: Grade


class Range(Sourced):
    adult_range: tuple[float, float]
    children_flat_above: tuple[float, float]
    grade: Grade


class FootprintValidity(Sourced):
    auroc_vs_radiograph: tuple[float, float]
    grade: Grade


class SelfReport(Sourced):
    arch_type: dict[str, Literal["flat", "normal", "high", "unknown"]]
    grade: Grade


ConfidenceLevel = Literal["high", "moderate", "low"]


class ConfidencePolicy(Sourced):
    footprint: ConfidenceLevel
    fpi6: ConfidenceLevel
    fpi6_extreme: ConfidenceLevel
    navicular_drop: ConfidenceLevel
    flattening_test: ConfidenceLevel
    self_report: ConfidenceLevel
    shoe_wear: Literal["low"]
    pain_pattern: ConfidenceLevel
    gait_recording: ConfidenceLevel
    grade: Grade


class PainThresholds(Sourced):
    persistent_over_weeks: float
    severe_at_least: int
    new_within_weeks: float
    grade: Grade


class InflammatoryBackPain(Sourced):
    onset_age_below: float
    early_onset_age_below: float
    duration_over_weeks: float
    grade: Grade


AgeSpan = tuple[int, int]


class Screening(Sourced):
    """Ages and region groups read by the red-flag rules' derived facts (domain.md §6, §6a, §6b)."""

    child_below: int
    sufe_ages: AgeSpan
    perthes_ages: AgeSpan
    limp_urgent_below: int
    severs_ages: AgeSpan
    hip_fracture_fall_age_at_least: int
    fragility_age_at_least: int
    pregnancy_possible_ages: AgeSpan
    pain_for_weeks_at_least: float
    back_regions: frozenset[Region]
    hip_or_thigh_regions: frozenset[Region]
    hip_thigh_or_knee_regions: frozenset[Region]
    back_pelvis_hip_or_thigh_regions: frozenset[Region]
    shin_or_calf_regions: frozenset[Region]
    heel_regions: frozenset[Region]
    tendon_regions: frozenset[Region]
    bone_stress_high_risk_regions: frozenset[Region]
    running_sports: list[str] = NonEmpty
    grade: Grade

    @cached_property
    def region_facts(self) -> tuple[tuple[str, frozenset[Region]], ...]:
        """Each "pain in this group of regions" fact the rules read, with its regions."""
        return (
            ("back_pain", self.back_regions),
            ("heel_pain", self.heel_regions),
            ("hip_or_thigh_pain", self.hip_or_thigh_regions),
            ("hip_thigh_or_knee_pain", self.hip_thigh_or_knee_regions),
            ("back_pelvis_hip_or_thigh_pain", self.back_pelvis_hip_or_thigh_regions),
            ("shin_or_calf_pain", self.shin_or_calf_regions),
            ("tendon_region_pain", self.tendon_regions),
            ("bone_stress_high_risk_site", self.bone_stress_high_risk_regions),
        )


class Osteoarthritis(Sourced):
    age_at_least: int
    grade: Grade


class ActivityThresholds(Sourced):
    long_standing_hours_at_least: float
    grade: Grade


class GaitThresholds(Sourced):
    heel_contact_force_threshold_n: float
    heel_contact_force_threshold_range_n: tuple[float, float]
    toe_off_force_threshold_n: float
    insole_toe_off_share_of_peak: float = Field(gt=0, lt=1)
    insole_stance_overestimate_below_percent: float
    stance_percent_normal: tuple[float, float]
    swing_percent_normal: tuple[float, float]
    double_support_percent_normal: tuple[float, float]
    stride_time_s_normal: tuple[float, float]
    symmetric_below_percent: float
    stride_cv_healthy_young_percent: float
    strides_at_least: int
    grade: Grade


class StrideVariability(Sourced):
    """When stride-time variability counts as high (Hausdorff 1999; cut-off footchain policy)."""

    high_cv_at_least_percent: float = Field(gt=0)
    healthy_young_cv_percent: float = Field(gt=0)
    strides_at_least: int = Field(ge=2)
    grade: Grade

    @model_validator(mode="after")
    def _above_healthy(self) -> StrideVariability:
        if self.high_cv_at_least_percent <= self.healthy_young_cv_percent:
            raise ValueError("stride_variability: the 'high' cut-off must lie above the healthy value")
        return self


class GaitNorms(Sourced):
    """How far from a normative mean (in SD) a gait measure counts as below or above the norm."""

    z_limit: float = Field(gt=0)
    grade: Grade


class Cpei(Sourced):
    measure_at_percent_of_foot_length: float = Field(gt=0, lt=100)
    grade: Grade
    caveat: str = NonEmpty


class Outcomes(Sourced):
    """Meaningful change of follow-up scores (domain.md §7): pain (NPRS) and the PSFS mean."""

    nprs_meaningful_change_points: float = Field(gt=0)
    nprs_meaningful_change_percent: float = Field(gt=0, le=100)
    nprs_source: Source = NonEmpty
    nprs_grade: Grade
    psfs_meaningful_change_points: float = Field(gt=0)
    psfs_source: Source = NonEmpty
    psfs_grade: Grade
    grade: Grade


class Thresholds(Knowledge_):
    classification: dict[str, Classification]
    navicular_drop: NavicularDrop
    staheli: Range
    footprint_validity: FootprintValidity
    self_report: SelfReport
    confidence: ConfidencePolicy
    pain: PainThresholds
    inflammatory_back_pain: InflammatoryBackPain
    screening: Screening
    osteoarthritis: Osteoarthritis
    activity: ActivityThresholds
    gait: GaitThresholds
    stride_variability: StrideVariability
    gait_norms: GaitNorms
    cpei: Cpei
    outcomes: Outcomes

    @model_validator(mode="after")
    def _fpi_postures(self) -> Thresholds:
        known = set(get_args(Posture))
        unknown = {b.label for b in self.classification["fpi6"].bands} - known
        if unknown:
            raise ValueError(f"fpi6 bands name unknown postures {sorted(unknown)}")
        return self


class AtLeast(Knowledge_):
    n: int = Field(ge=1)
    of: list[str] = NonEmpty


def _groups(value: Any) -> Any:
    """``any = ["a", "b"]`` is one group; ``any = [["a", "b"], ["c"]]`` is several."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return [value]
    return value


class RedFlagRule(Sourced):
    """A referral rule: fires when all of ``all``, one of each ``any`` group and ``at_least`` hold."""

    id: str
    urgency: Urgency
    to: ReferTo | Literal["by_region"]
    call: bool = False
    all: list[str] = []
    any: Annotated[list[list[str]], BeforeValidator(_groups)] = []
    at_least: AtLeast | None = None
    concerns: list[Region | Literal["all"]]
    text: str = NonEmpty
    clinician_text: str = NonEmpty
    """``text`` said to a clinician about their patient (the same urgency, destination, numbers and time
    frames), for the clinic's visit report."""
    grade: Grade

    @model_validator(mode="after")
    def _has_condition(self) -> RedFlagRule:
        if not (self.all or self.any or self.at_least):
            raise ValueError(f"rule {self.id} has no condition")
        if any(not group for group in self.any):
            raise ValueError(f"rule {self.id} has an empty 'any' group")
        if self.call and self.urgency != "emergency":
            raise ValueError(f"rule {self.id}: only an emergency calls emergency services")
        return self

    @cached_property
    def reason(self) -> Reason:
        """The referral reason this rule gives when it fires (made once: it never changes)."""
        return Reason(id=self.id, text=self.text)

    def names(self) -> list[str]:
        """Every answer or fact this rule reads."""
        grouped = [name for group in self.any for name in group]
        return [*self.all, *grouped, *(self.at_least.of if self.at_least else [])]


class RedFlags(Knowledge_):
    """The red-flag rules, listed most urgent first: the first rule that leaves a question open gives
    the question's level, and the fired rules come out in referral order."""

    rule: list[RedFlagRule] = NonEmpty

    @model_validator(mode="after")
    def _most_urgent_first(self) -> RedFlags:
        order = get_args(Urgency)
        for earlier, later in zip(self.rule, self.rule[1:], strict=False):
            if order.index(later.urgency) < order.index(earlier.urgency):
                raise ValueError(
                    f"redflags.toml: rule {later.id} ({later.urgency}) comes after {earlier.id} "
                    f"({earlier.urgency}); list the rules most urgent first"
                )
        return self

    @cached_property
    def quick_checks(self) -> tuple[tuple[frozenset[str], tuple[frozenset[str], ...], RedFlagRule], ...]:
        """Each rule with its ``all`` names and ``any`` groups as sets, to rule most rules out at once."""
        return tuple(
            (frozenset(rule.all), tuple(frozenset(group) for group in rule.any), rule) for rule in self.rule
        )


class Link(Knowledge_):
    id: str
    conditions: list[str] = NonEmpty
    regions: list[Region] = NonEmpty
    requires_sex: Literal["female", "male"] | None = None
    evidence: Evidence
    explanation: str = NonEmpty
    sources: list[Source] = NonEmpty


class RegionLink(Sourced):
    model_config = ConfigDict(extra="allow", frozen=True)

    def link_of(self, region: Region) -> ChainLink:
        value: ChainLink = getattr(self, region)
        return value


class InsoleEffect(Sourced):
    rearfoot_eversion_change_deg: float
    tibial_rotation_change_deg: float
    text: str


class Chain(Knowledge_):
    chain_order: list[ChainLink]
    region_link: RegionLink
    link: list[Link]
    insole_effect: InsoleEffect

    @model_validator(mode="after")
    def _every_region_placed(self) -> Chain:
        missing = set(get_args(Region)) - set(self.region_link.model_extra or {})
        if missing:
            raise ValueError(f"chain.toml: region_link lacks {sorted(missing)}")
        return self

    @cached_property
    def links_by_region(self) -> dict[Region, tuple[Link, ...]]:
        """The links that reach each region, in the order of chain.toml."""
        return {
            region: tuple(link for link in self.link if region in link.regions) for region in get_args(Region)
        }

    @cached_property
    def paths(self) -> dict[Region, tuple[ChainLink, ...]]:
        """The chain from the foot to each region (made once: the chain never changes)."""
        return {region: tuple(self.path_to(region)) for region in get_args(Region)}

    def path_to(self, region: Region) -> list[ChainLink]:
        """The chain from the foot up to (or down to) the link where ``region`` sits."""
        target = self.region_link.link_of(region)
        start = self.chain_order.index("foot")
        end = self.chain_order.index(target)
        if end >= start:
            return self.chain_order[start : end + 1]
        return self.chain_order[end : start + 1][::-1]


class CareItemRule(Sourced):
    """One self-care item: what triggers it, its dose, and the contraindications that rule it out."""

    id: str
    safety: bool = False
    text: str = NonEmpty
    dose: str = NonEmpty
    for_conditions: list[str] = []
    for_regions: list[Region] = []
    when: list[str] = []
    with_flags: list[str] = []
    avoid_if: list[str] = []
    caution: str
    evidence: str = NonEmpty
    grade: Evidence
    """How strong the research behind the item is; "What to do now" ranks by it after the pain served."""
    clinician_text: str = NonEmpty
    """The advice written for the clinician ("the patient", not "you"), for the clinic's visit report."""
    clinician_dose: str = ""
    clinician_caution: str = ""

    @cached_property
    def triggers(self) -> frozenset[str]:
        """Every condition, region, fact or red flag that can call for this item."""
        return frozenset([*self.for_conditions, *self.for_regions, *self.when, *self.with_flags])


class ConditionRegions(Sourced):
    model_config = ConfigDict(extra="allow", frozen=True)

    @cached_property
    def by_condition(self) -> dict[str, list[Region]]:
        return dict(self.model_extra or {})

    def of(self, condition: str) -> list[Region]:
        """The painful regions a condition's care is for (none known: an empty list)."""
        return self.by_condition.get(condition, [])


class Care(Knowledge_):
    condition_regions: ConditionRegions
    item: list[CareItemRule] = NonEmpty

    @model_validator(mode="after")
    def _flags_and_regions_known(self) -> Care:
        known = set(get_args(Region))
        for condition, regions in (self.condition_regions.model_extra or {}).items():
            if not isinstance(regions, list) or set(regions) - known:
                raise ValueError(f"care.toml: [condition_regions] {condition} names unknown regions")
        return self

    @cached_property
    def trigger_facts(self) -> tuple[str, ...]:
        """Every fact some item's ``when`` reads (the plan looks up only these, not every fact)."""
        return tuple(dict.fromkeys(name for item in self.item for name in item.when))


class ArchHeight(Sourced):
    flat: InsoleArch
    normal: InsoleArch
    high: InsoleArch
    very_high: InsoleArch
    rigid_flat: InsoleArch
    text: str


class VeryHighArch(Sourced):
    arch_index_below: float
    chippaux_smirak_at_most: float


class Sizing(Sourced):
    uk_per_inch: float
    uk_offset: float
    us_men_over_uk: float
    us_women_over_us_men: float
    eu_factor: float
    eu_offset: float
    round_up_to: float
    children_scale_offset: float
    us_children_over_uk_children: float
    shoe_size_mismatch_sizes: float
    grade: Grade

    @property
    def size_step_mm(self) -> float:
        """Foot length between two neighbouring UK sizes."""
        return MM_PER_INCH / self.uk_per_inch


class Fitting(Sourced):
    steps: list[str] = NonEmpty
    high_arch_cushioning: str
    top_cover: str
    replace_when: str
    top_cover_months: float


class Benefit(Sourced):
    lower_back: str
    heel: str
    knee: str
    buttock_pelvis: str
    other: str
    regions: dict[Region, Literal["lower_back", "buttock_pelvis", "heel", "knee"]]

    def for_region(self, region: Region) -> str:
        key = self.regions.get(region)
        return str(getattr(self, key)) if key else self.other


class Shop(Sourced):
    """Choosing among catalogue insoles: who needs firm support or cushioning, cost horizon, trim target."""

    firm_support_for: list[str]
    firm_support_arches: list[InsoleArch]
    cushioning_for: list[str]
    cushioning_arches: list[InsoleArch]
    horizon_months: float = Field(gt=0)
    insole_months: float = Field(gt=0)
    toe_allowance_mm: float = Field(ge=0)
    grade: Grade


class NeverCut(Sourced):
    """The parts of an insole never to trim, as fractions of its length from the heel."""

    heel_cup_end: float = Field(gt=0, lt=1)
    arch_end: float = Field(gt=0, lt=1)
    grade: Grade

    @model_validator(mode="after")
    def _arch_after_heel_cup(self) -> NeverCut:
        if self.arch_end <= self.heel_cup_end:
            raise ValueError("arch_end must lie beyond heel_cup_end")
        return self


class Gear(Sourced):
    """Reminder intervals for shoes (the insole and top cover ones live in [shop] and [fitting])."""

    shoe_wear_check_months: float = Field(gt=0)
    due_soon_days: int = Field(ge=0)
    grade: Grade


class Insole(Knowledge_):
    arch_height: ArchHeight
    very_high_arch: VeryHighArch
    sizing: Sizing
    fitting: Fitting
    benefit: Benefit
    shop: Shop
    never_cut: NeverCut
    gear: Gear


class EvidenceWords(Knowledge_):
    name: str = NonEmpty
    meaning: str = NonEmpty


class ShopText(Knowledge_):
    """Wording of the insole offer; ``{name}`` placeholders are filled by ``footchain.shop.matching``."""

    system: dict[SizeSystem, str]
    offered: str
    none_fit: str
    not_recommended: str
    deferred: str
    needs_arch: str
    needs_size: str
    arch_match: str
    arch_mismatch: str
    band_holds: str
    band_misses: str
    too_short: str
    trim: str
    no_trim: str
    firm_good: str
    firm_medium: str
    firm_soft: str
    support_plain: str
    cushion_plain: str
    cushion_good: str
    cushion_medium: str
    cushion_low: str
    warranty: str
    no_warranty: str
    money_back: str
    no_money_back: str
    cost_covers: str
    cost_no_covers: str
    look_for: str
    push_test: str
    comfort: str

    @model_validator(mode="after")
    def _every_system_worded(self) -> ShopText:
        missing = set(get_args(SizeSystem)) - set(self.system)
        if missing:
            raise ValueError(f"text.toml: [shop] system lacks wording for {sorted(missing)}")
        return self


class Fpi6Item(Knowledge_):
    """One Foot Posture Index item in our own words: what to look at, and what -2 ... +2 mean."""

    id: str
    name: str = NonEmpty
    look: str = NonEmpty
    scores: list[str] = Field(min_length=5, max_length=5)  # the meaning of -2, -1, 0, +1, +2


class Fpi6Text(Sourced):
    """The six FPI-6 items (Redmond et al. 2006, Clin Biomech 21:89), in the order of the intake's lists."""

    item: list[Fpi6Item] = Field(min_length=6, max_length=6)


class Text(Knowledge_):
    disclaimer: str
    disclaimer_clinician: str  # the clinic's copy: about the patient, for the clinician reading it
    question: dict[str, str]
    question_short: dict[str, str]
    """The yes/no screening questions as short phrases for the report's compact box of open questions."""
    insole: dict[str, str]
    region: dict[Region, str]
    condition: dict[str, str]
    evidence: dict[Evidence, EvidenceWords]
    shop: ShopText
    fpi6: Fpi6Text

    @model_validator(mode="after")
    def _every_grade_worded(self) -> Text:
        missing = set(get_args(Evidence)) - set(self.evidence)
        if missing:
            raise ValueError(f"text.toml: no wording for evidence grades {sorted(missing)}")
        return self


class Knowledge(Knowledge_):
    """Everything footchain knows, loaded once from the TOML files of this package."""

    thresholds: Thresholds
    redflags: RedFlags
    chain: Chain
    care: Care
    insole: Insole
    text: Text


KNOWLEDGE_FILES = ("thresholds", "redflags", "chain", "care", "insole", "text")


def read_toml(name: str) -> dict[str, Any]:
    """The raw contents of one knowledge file (``name`` without ``.toml``)."""
    data = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(data)


@cache
def load_knowledge() -> Knowledge:
    """Read and check every knowledge file once per process."""
    return Knowledge.model_validate({name: read_toml(name) for name in KNOWLEDGE_FILES})
