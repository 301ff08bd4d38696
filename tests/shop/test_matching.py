"""Matching a catalogue to an assessment: who is offered what, in which order, and why not the rest."""

from __future__ import annotations

import json

import pytest

from footchain.engine import assess
from footchain.knowledge import load_knowledge
from footchain.shop.catalogue import read_catalogue
from footchain.shop.matching import InsoleOffer, match_catalogue, replacements, three_year_cost
from footchain.types import Assessment
from tests.shop.helpers import CATALOGUE, EXAMPLES, example, product

KNOWLEDGE = load_knowledge()


@pytest.fixture(scope="module")
def runner() -> Assessment:
    """Flat, inward-rolling feet: a low arch, 253 mm (US men 8, EU 40.5)."""
    return example("runner_flat_feet_knee")


@pytest.fixture(scope="module")
def nurse() -> Assessment:
    """High arches: a high arch, 245.5 mm (US men 7)."""
    return example("nurse_heel_pain")


def ranked(offer: InsoleOffer) -> list[str]:
    return [p.product.id for p in offer.products]


def why(offer: InsoleOffer, product_id: str) -> str:
    return next(e.why for e in offer.excluded if e.id == product_id)


def test_the_example_catalogue_for_the_runner(runner: Assessment) -> None:
    products = read_catalogue(CATALOGUE)
    offer = match_catalogue(runner, products)
    assert offer.status == "offered"
    assert ranked(offer) == ["low-firm-sport", "low-firm-basic", "low-medium-everyday", "low-soft-comfort"]
    assert [p.rank for p in offer.products] == [1, 2, 3, 4]
    assert sorted(ranked(offer) + [e.id for e in offer.excluded]) == sorted(p.id for p in products)
    assert all(p.product.arch_height == "low" for p in offer.products)


def test_arch_mismatch_is_excluded_not_ranked(runner: Assessment) -> None:
    offer = match_catalogue(runner, [product(id="high", arch_height="high"), product(id="low")])
    assert ranked(offer) == ["low"]
    assert why(offer, "high") == "Its arch is high; your plan calls for a low arch."


def test_size_band_that_misses_is_excluded_with_the_band_and_the_foot(runner: Assessment) -> None:
    offer = match_catalogue(runner, [product(id="big", size_min=9, size_max=11)])
    assert offer.status == "none_fit" and not offer.products
    text = why(offer, "big")
    assert "US men 9–11 band does not hold your US men 8" in text
    assert "yours is 253 mm" in text


def test_when_nothing_fits_the_nearest_same_arch_product_and_what_to_look_for(runner: Assessment) -> None:
    """No product fits: the same-arch product whose band misses the foot by the fewest millimetres is
    named, never one of another arch, and the advice says what to look for in a shop (issue 15)."""
    offer = match_catalogue(
        runner,
        [
            product(id="far", size_min=11, size_max=13),
            product(id="near", size_min=8.5, size_max=10),
            product(id="other-arch", arch_height="high"),
        ],
    )
    assert offer.status == "none_fit"
    assert offer.nearest is not None and offer.nearest.id == "near"
    assert offer.advice[0].startswith("In a shop, look for an insole with a low arch")
    assert "EU 40.5" in offer.advice[0]
    assert match_catalogue(runner, [product(id="other-arch", arch_height="high")]).nearest is None
    assert match_catalogue(runner, [product(id="low")]).nearest is None


def test_band_edges_hold_the_person(runner: Assessment) -> None:
    # US men 8 is the runner's size: bands ending or starting at 8 hold it, 8.5–10 does not.
    offer = match_catalogue(
        runner,
        [
            product(id="ends", size_min=6, size_max=8),
            product(id="starts", size_min=8, size_max=10, length_mm=290),
            product(id="above", size_min=8.5, size_max=10, length_mm=290),
        ],
    )
    assert set(ranked(offer)) == {"ends", "starts"}
    assert "band does not hold" in why(offer, "above")


def test_trim_is_untrimmed_length_minus_foot_plus_allowance(runner: Assessment) -> None:
    allowance = KNOWLEDGE.insole.shop.toe_allowance_mm
    target = 253 + allowance
    offer = match_catalogue(
        runner,
        [
            product(id="long", length_mm=target + 17.6),
            product(id="exact", length_mm=target + 0.4),
            product(id="short", length_mm=target - 3),
        ],
    )
    trims = {p.product.id: p.trim_mm for p in offer.products}
    assert trims == {"long": 17, "exact": 0}
    exact = next(p for p in offer.products if p.product.id == "exact")
    assert any("about the right length already" in r for r in exact.reasons)
    long = next(p for p in offer.products if p.product.id == "long")
    assert any("Trim about 17 mm from the toe end" in r for r in long.reasons)
    assert "3 mm shorter than the 263 mm insole your 253 mm foot needs" in why(offer, "short")


def test_firm_support_ranks_first_for_flat_inward_rolling_feet(runner: Assessment) -> None:
    offer = match_catalogue(
        runner,
        [
            product(id="soft", support="soft", warranty_months=60, price=1),
            product(id="medium", support="medium", warranty_months=36),
            product(id="firm", support="firm", warranty_months=0, money_back_days=0),
        ],
    )
    assert ranked(offer) == ["firm", "medium", "soft"]
    soft = offer.products[2]
    assert any("push test" in r for r in soft.reasons)


def test_cushioning_ranks_first_for_high_arches(nurse: Assessment) -> None:
    offer = match_catalogue(
        nurse,
        [
            product(
                id="thin", arch_height="high", cushioning="low", size_min=6, size_max=8, warranty_months=60
            ),
            product(id="soft", arch_height="high", cushioning="high", support="soft", size_min=6, size_max=8),
            product(id="mid", arch_height="high", cushioning="medium", size_min=6, size_max=8),
        ],
    )
    assert ranked(offer) == ["soft", "mid", "thin"]
    assert any("high arches need" in r for r in offer.products[0].reasons)


def test_then_warranty_then_money_back_then_three_year_cost(runner: Assessment) -> None:
    offer = match_catalogue(
        runner,
        [
            product(id="cheap-short-warranty", warranty_months=6, price=10),
            product(id="no-refund", warranty_months=24, money_back_days=0),
            product(id="refund-dear", warranty_months=24, money_back_days=60, price=60),
            product(id="refund-cheap", warranty_months=24, money_back_days=60, price=30),
        ],
    )
    assert ranked(offer) == ["refund-cheap", "refund-dear", "no-refund", "cheap-short-warranty"]


def test_no_firmness_or_cushion_preference_for_a_normal_arch(runner: Assessment) -> None:
    plain = runner.model_copy(
        update={"conditions": [], "insole": runner.insole.model_copy(update={"arch_height": "medium"})}
    )
    offer = match_catalogue(
        plain,
        [
            product(id="firm", arch_height="medium", support="firm", warranty_months=6),
            product(id="soft", arch_height="medium", support="soft", cushioning="low", warranty_months=12),
        ],
    )
    assert ranked(offer) == ["soft", "firm"]
    assert "Support: soft." in offer.products[0].reasons


def test_three_year_cost_with_and_without_replaceable_covers() -> None:
    shop, months = KNOWLEDGE.insole.shop, KNOWLEDGE.insole.fitting.top_cover_months
    assert (shop.horizon_months, shop.insole_months, months) == (36, 12, 6)
    with_covers = replacements(True, shop, months)
    without = replacements(False, shop, months)
    assert (with_covers.pairs, with_covers.covers) == (3, 3)
    assert (without.pairs, without.covers) == (6, 0)
    assert three_year_cost(product(price=40, top_cover_price=10), with_covers) == 150
    assert (
        three_year_cost(product(price=40, replaceable_top_cover=False, top_cover_price=None), without) == 240
    )
    long_covers = replacements(True, shop, 12)
    assert (long_covers.pairs, long_covers.covers) == (3, 0)
    odd = replacements(True, shop.model_copy(update={"insole_months": 18}), 5)
    assert (odd.pairs, odd.covers) == (2, 6)


def test_the_cost_reason_says_how_it_was_counted(runner: Assessment) -> None:
    offer = match_catalogue(runner, [product(replaceable_top_cover=False, top_cover_price=None, price=25)])
    (offered,) = offer.products
    assert offered.three_year_cost == 150
    assert any("6 pair(s) at 25.00, because the top cover cannot be replaced" in r for r in offered.reasons)


def test_urgent_referral_defers_every_product() -> None:
    deferred = example("back_pain_numb_saddle")
    products = read_catalogue(CATALOGUE)
    offer = match_catalogue(deferred, products)
    assert offer.status == "deferred" and not offer.products and not offer.advice
    assert offer.why[0].startswith("No products are offered yet")
    assert len(offer.excluded) == len(products)
    assert all(e.why == offer.why[0] for e in offer.excluded)


def test_feet_without_feeling_get_no_insoles() -> None:
    intake = json.loads((EXAMPLES / "runner_flat_feet_knee.json").read_text(encoding="utf-8"))
    intake["health"]["loss_of_foot_sensation"] = True
    offer = match_catalogue(assess(intake), [product()])
    assert offer.status == "not_recommended" and not offer.products
    assert "does not recommend insoles" in offer.why[0]
    assert any("not safe for feet with lost feeling" in line for line in offer.why)


def test_unknown_arch_or_size_asks_for_a_measurement(runner: Assessment) -> None:
    no_arch = runner.model_copy(update={"insole": runner.insole.model_copy(update={"arch_height": None})})
    offer = match_catalogue(no_arch, [product()])
    assert offer.status == "needs_measurement" and "arch type" in offer.why[0]
    no_size = runner.model_copy(update={"insole": runner.insole.model_copy(update={"size": None})})
    offer = match_catalogue(no_size, [product()])
    assert offer.status == "needs_measurement" and "foot length or shoe size" in offer.why[0]
    assert [e.id for e in offer.excluded] == ["p1"]


def test_json_shape_and_advice(runner: Assessment) -> None:
    data = match_catalogue(runner, read_catalogue(CATALOGUE)).to_json_dict()
    json.dumps(data)
    assert {"status", "products", "excluded", "advice"} <= set(data)
    for item in data["products"]:
        assert {"id", "name", "rank", "trim_mm", "three_year_cost", "reasons"} <= set(item)
        assert isinstance(item["three_year_cost"], float) and item["trim_mm"] >= 0
    assert all(set(e) >= {"id", "why"} and e["why"] for e in data["excluded"])
    assert any(line.startswith("Push test") for line in data["advice"])
    assert any(line.startswith("Comfort decides") for line in data["advice"])
    assert "insoles" in data["expected_benefit"].lower()
