"""Match an insole catalogue to an assessment's insole plan: which products to offer, in what order, why.

The buying criteria are those of domain.md §8 (a product rule; the evidence that insoles help is small
and uncertain, so comfort decides in the end):

1. Nothing is offered when the plan does not recommend insoles, defers them until a clinician has
   seen the person (an urgent referral), or lacks the arch type or the size to choose by.
2. A product is offered only when its arch height is the plan's arch height ("the insole's arch should
   match the foot's arch"): a mismatch is excluded with a reason, not ranked lower. Its size band must
   hold the person's size (the band-edge rule of ``footchain.shop.sizes``), and it must be long enough
   to be trimmed down to the person's insole length.
3. Offered products are ranked by fit (firm support first for flat or inward-rolling feet, cushioning
   for high arches; the knowledge's ``[shop]`` table says which findings count), then durability
   (longer warranty, then longer money-back guarantee), then the three-year cost, then id.

Every product of the catalogue ends up either offered or excluded with a plain ``why``: the first rule
it fails, checked in the order arch height, size band, length.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from footchain.knowledge import Knowledge, Shop, ShopText, load_knowledge
from footchain.plan.insole import ARCH_ORDER
from footchain.shop.catalogue import Product
from footchain.shop.sizes import band_foot_lengths_mm, band_holds, size_in
from footchain.types import Assessment, InsoleArch, InsoleSize, SizeSystem

OfferStatus = Literal["offered", "none_fit", "not_recommended", "deferred", "needs_measurement"]
SUPPORT_ORDER = ("firm", "medium", "soft")
CUSHIONING_ORDER = ("high", "medium", "low")


@dataclass(frozen=True, slots=True)
class OfferedProduct:
    """A product offered to the person, with its rank (1 = best), trim and three-year cost."""

    product: Product
    rank: int
    trim_mm: int
    three_year_cost: float
    reasons: list[str]

    def to_json_dict(self) -> dict[str, Any]:
        p = self.product
        return {
            "id": p.id,
            "name": p.name,
            "rank": self.rank,
            "trim_mm": self.trim_mm,
            "three_year_cost": self.three_year_cost,
            "reasons": list(self.reasons),
            "arch_height": p.arch_height,
            "support": p.support,
            "cushioning": p.cushioning,
            "size_system": p.size_system,
            "size_min": p.size_min,
            "size_max": p.size_max,
            "price": p.price,
            "replaceable_top_cover": p.replaceable_top_cover,
            "top_cover_price": p.top_cover_price,
            "warranty_months": p.warranty_months,
            "money_back_days": p.money_back_days,
        }


@dataclass(frozen=True, slots=True)
class ExcludedProduct:
    """A catalogue product that is not offered, and why in plain words."""

    id: str
    name: str
    why: str


@dataclass(frozen=True, slots=True)
class InsoleOffer:
    """The answer to "which of these insoles should I buy?" for one assessment."""

    status: OfferStatus
    why: list[str]
    arch_height: InsoleArch | None
    size: InsoleSize | None
    products: list[OfferedProduct]
    excluded: list[ExcludedProduct]
    advice: list[str]
    expected_benefit: str
    nearest: ExcludedProduct | None = None
    """When nothing fits: the product with the plan's arch that misses the size by the fewest
    millimetres of foot, so a person has somewhere to start (it may still fit after trying it on)."""

    def to_json_dict(self) -> dict[str, Any]:
        """The offer as JSON-ready data; numbers carry no currency."""
        return {
            "status": self.status,
            "why": list(self.why),
            "arch_height": self.arch_height,
            "size": self.size.model_dump(mode="json") if self.size else None,
            "products": [p.to_json_dict() for p in self.products],
            "excluded": [{"id": e.id, "name": e.name, "why": e.why} for e in self.excluded],
            "advice": list(self.advice),
            "expected_benefit": self.expected_benefit,
            "nearest": None
            if self.nearest is None
            else {"id": self.nearest.id, "name": self.nearest.name, "why": self.nearest.why},
        }


@dataclass(frozen=True, slots=True)
class Replacements:
    """What a person buys over the cost horizon, first purchase included."""

    pairs: int
    covers: int


def _periods(span_months: float, every_months: float) -> int:
    return math.ceil(round(span_months / every_months, 6))


def replacements(replaceable_top_cover: bool, shop: Shop, top_cover_months: float) -> Replacements:
    """Pairs and top covers bought over ``shop.horizon_months`` (domain.md §8 durability [M]).

    The top cover wears through about every ``top_cover_months``; the shell's arch gives way every
    ``shop.insole_months``. With a replaceable cover a new pair is bought each shell life and a new
    cover at each wear-through in between; without one, the whole pair is bought again whenever either
    wears out. Example with 36, 12 and 6 months: 3 pairs and 3 covers, or 6 pairs.
    """
    horizon, shell = shop.horizon_months, shop.insole_months
    if not replaceable_top_cover:
        return Replacements(pairs=_periods(horizon, min(shell, top_cover_months)), covers=0)
    pairs = _periods(horizon, shell)
    covers = sum(
        _periods(min(shell, horizon - start * shell), top_cover_months) - 1 for start in range(pairs)
    )
    return Replacements(pairs=pairs, covers=covers)


def three_year_cost(product: Product, bought: Replacements) -> float:
    """Price of every pair and top cover bought over the horizon (per pair, no currency)."""
    return round(bought.pairs * product.price + bought.covers * (product.top_cover_price or 0.0), 2)


def target_length_mm(foot_length_mm: float, shop: Shop) -> float:
    """The insole length a foot needs: foot length plus the toe allowance of the knowledge [M]."""
    return foot_length_mm + shop.toe_allowance_mm


def trim_mm(product: Product, foot_length_mm: float, shop: Shop) -> int | None:
    """Millimetres to trim from the toe end: untrimmed length minus the target length, whole mm down.

    Rounding down means never cutting more than the sum says (domain.md §8: trim only the toe end, a
    little at a time, against the shoe's own liner). ``None`` when the product is too short.
    """
    spare = product.length_mm - target_length_mm(foot_length_mm, shop)
    return None if spare < 0 else math.floor(spare)


def _held_back(
    status: OfferStatus, why: list[str], assessment: Assessment, products: Sequence[Product]
) -> InsoleOffer:
    plan = assessment.insole
    return InsoleOffer(
        status=status,
        why=why,
        arch_height=plan.arch_height,
        size=plan.size,
        products=[],
        excluded=[ExcludedProduct(p.id, p.name, why[0]) for p in products],
        advice=[],
        expected_benefit=plan.expected_benefit,
    )


def match_catalogue(
    assessment: Assessment, products: Sequence[Product], knowledge: Knowledge | None = None
) -> InsoleOffer:
    """Offer the catalogue's products that fit the assessment's insole plan, best first (see module doc)."""
    knowledge = knowledge or load_knowledge()
    words = knowledge.text.shop
    shop = knowledge.insole.shop
    plan = assessment.insole
    if plan.status == "not_recommended":
        return _held_back("not_recommended", [words.not_recommended, *plan.why], assessment, products)
    if plan.status == "deferred":
        return _held_back("deferred", [words.deferred, *plan.why], assessment, products)
    missing = ([words.needs_arch] if plan.arch_height is None else []) + (
        [words.needs_size] if plan.size is None else []
    )
    if plan.arch_height is None or plan.size is None:
        return _held_back("needs_measurement", [*missing, *plan.why], assessment, products)

    arch, size = plan.arch_height, plan.size
    present = {c.id for c in assessment.conditions}
    needs_firm = arch in shop.firm_support_arches or bool(present & set(shop.firm_support_for))
    needs_cushion = arch in shop.cushioning_arches or bool(present & set(shop.cushioning_for))
    cover_months = knowledge.insole.fitting.top_cover_months
    bought = {flag: replacements(flag, shop, cover_months) for flag in (True, False)}
    arch_words = arch.replace("_", " ")
    foot_mm = size.foot_length_mm

    fitting: list[tuple[tuple[Any, ...], Product, int, float, list[str]]] = []
    excluded: list[ExcludedProduct] = []
    near: list[tuple[float, ExcludedProduct]] = []  # the plan's arch, size missed by this many mm
    feet_held: dict[tuple[SizeSystem, float, float], tuple[float, float]] = {}  # catalogues repeat bands
    arch_mismatch = {
        other: words.arch_mismatch.format(product_arch=other.replace("_", " "), arch=arch_words)
        for other in ARCH_ORDER
    }
    for product in products:
        if product.arch_height != arch:
            excluded.append(ExcludedProduct(product.id, product.name, arch_mismatch[product.arch_height]))
            continue
        person = size_in(size, product.size_system)
        band = {
            "system": words.system[product.size_system],
            "size_min": product.size_min,
            "size_max": product.size_max,
            "size": person,
        }
        if not band_holds(product.size_min, product.size_max, person):
            band_key = (product.size_system, product.size_min, product.size_max)
            if band_key not in feet_held:
                feet_held[band_key] = band_foot_lengths_mm(*band_key, knowledge.insole.sizing)
            low, high = feet_held[band_key]
            why = words.band_misses.format(**band, low_mm=low, high_mm=high, foot_mm=foot_mm)
            excluded.append(ExcludedProduct(product.id, product.name, why))
            near.append((min(abs(foot_mm - low), abs(foot_mm - high)), excluded[-1]))
            continue
        trim = trim_mm(product, foot_mm, shop)
        if trim is None:
            target = target_length_mm(foot_mm, shop)
            why = words.too_short.format(
                length_mm=product.length_mm,
                short_mm=target - product.length_mm,
                target_mm=target,
                foot_mm=foot_mm,
            )
            excluded.append(ExcludedProduct(product.id, product.name, why))
            near.append((target - product.length_mm, excluded[-1]))
            continue
        buys = bought[product.replaceable_top_cover]
        cost = three_year_cost(product, buys)
        reasons = [
            words.arch_match.format(arch=arch_words),
            _support_line(product, needs_firm, words),
            _cushion_line(product, needs_cushion, words),
            words.band_holds.format(**band),
            words.trim.format(trim_mm=trim) if trim > 0 else words.no_trim,
            words.warranty.format(months=product.warranty_months)
            if product.warranty_months
            else words.no_warranty,
            words.money_back.format(days=product.money_back_days)
            if product.money_back_days
            else words.no_money_back,
            _cost_reason(product, buys, cost, cover_months, words),
        ]
        key = (
            SUPPORT_ORDER.index(product.support) if needs_firm else 0,
            CUSHIONING_ORDER.index(product.cushioning) if needs_cushion else 0,
            -product.warranty_months,
            -product.money_back_days,
            cost,
            product.id,
        )
        fitting.append((key, product, trim, cost, reasons))

    fitting.sort(key=lambda entry: entry[0])
    offered = [
        OfferedProduct(product=p, rank=n, trim_mm=trim, three_year_cost=cost, reasons=reasons)
        for n, (_, p, trim, cost, reasons) in enumerate(fitting, start=1)
    ]
    headline = (
        words.offered.format(count=len(offered), total=len(products), arch=arch_words)
        if offered
        else words.none_fit.format(total=len(products), arch=arch_words)
    )
    return InsoleOffer(
        status="offered" if offered else "none_fit",
        why=[headline],
        arch_height=arch,
        size=size,
        products=offered,
        excluded=excluded,
        advice=[words.push_test, *plan.fitting, words.comfort]
        if offered
        else [words.look_for.format(arch=arch_words, size=_size_words(size)), words.push_test, words.comfort],
        expected_benefit=plan.expected_benefit,
        nearest=None if offered or not near else min(near, key=lambda pair: (pair[0], pair[1].id))[1],
    )


def _size_words(size: InsoleSize) -> str:
    return f"UK {size.uk:g} / EU {size.eu:g} / US women {size.us_women:g} / US men {size.us_men:g}"


def _support_line(product: Product, needs_firm: bool, words: ShopText) -> str:
    if not needs_firm:
        return words.support_plain.format(support=product.support)
    return {"firm": words.firm_good, "medium": words.firm_medium, "soft": words.firm_soft}[product.support]


def _cushion_line(product: Product, needs_cushion: bool, words: ShopText) -> str:
    if not needs_cushion:
        return words.cushion_plain.format(cushioning=product.cushioning)
    lines = {"high": words.cushion_good, "medium": words.cushion_medium, "low": words.cushion_low}
    return lines[product.cushioning]


def _cost_reason(
    product: Product, bought: Replacements, cost: float, cover_months: float, words: ShopText
) -> str:
    if product.replaceable_top_cover:
        return words.cost_covers.format(
            cost=cost,
            pairs=bought.pairs,
            price=product.price,
            covers=bought.covers,
            cover_price=product.top_cover_price or 0.0,
            cover_months=cover_months,
        )
    return words.cost_no_covers.format(
        cost=cost, pairs=bought.pairs, price=product.price, cover_months=cover_months
    )
