"""The standard document loads, is internally consistent, and refuses documents that contradict themselves."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rating_model.actions import known_operations
from rating_model.estimation import Filled, fill_missing
from rating_model.exceptions import StandardError
from rating_model.grading import applicable_knock_outs, cap, grade
from rating_model.indicators import IndicatorSet
from rating_model.operating_data_reader import parse_operating_data
from rating_model.standard import (
    GRADES,
    STANDARD_DIR,
    Standard,
    check_model_compatibility,
    load_standard,
    parse_standard,
)

STANDARD = load_standard()


def doc() -> dict[str, Any]:
    return copy.deepcopy(dict(STANDARD.document))


def test_default_standard_loads_with_every_indicator_derivable() -> None:
    assert STANDARD.label == "greenrate-sme@1.12.0"
    assert len(STANDARD.indicators) == 13
    assert IndicatorSet(STANDARD).ids == tuple(STANDARD.indicators)
    pillars = {"energy_climate", "resources_circularity", "practices_governance"}
    assert {p.id for p in STANDARD.pillars} == pillars


def test_every_action_uses_known_operations_and_belongs_to_an_indicator() -> None:
    listed = {a for i in STANDARD.indicators.values() for a in i.actions}
    assert listed == set(STANDARD.actions)
    for action in STANDARD.actions.values():
        assert set(action.change) <= known_operations()


@pytest.mark.parametrize(("score", "expected"), [(100, "dark_green"), (75, "dark_green"), (74.99, "green"),
                                                 (60, "green"), (45, "light_green"), (44.9, "not_green"),
                                                 (0, "not_green")])
def test_grade_cutoffs_are_absolute(score: float, expected: str) -> None:
    assert STANDARD.grade_for(score) == expected


def _company(**overrides: Any) -> dict[str, Any]:
    """A business that answers its fuels (none), so that only the knock-out under test applies."""
    company = {"name": "x", "country": "CN", "industry_code": "5610", "employees": 5,
               "annual_revenue": 1e6, "currency": "CNY", "reporting_year": 2023}
    company.update(overrides)
    return {"company": company, "energy": {"fuels": []}}


def _filled(payload: dict[str, Any]) -> Filled:
    return fill_missing(parse_operating_data(payload), STANDARD)


def test_penalty_caps_grade_and_repeated_penalties_mean_not_green() -> None:
    one = _filled({**_company(), "compliance": {"environmental_penalties_3y": 1}})
    three = _filled({**_company(), "compliance": {"environmental_penalties_3y": 3}})
    hits = applicable_knock_outs(one, 1.0, STANDARD, energy_ratio=None, energy_use_ratio=None)
    assert [k.id for k in hits] == ["environmental_penalty"]
    assert grade(90, hits, STANDARD).grade == "light_green"
    assert grade(90, hits, STANDARD).score_grade == "dark_green"
    assert grade(30, hits, STANDARD).grade == "not_green"  # a cap never raises a grade
    tripled = applicable_knock_outs(three, 1.0, STANDARD, energy_ratio=None, energy_use_ratio=None)
    assert grade(90, tripled, STANDARD).grade == "not_green"


def test_excluded_activity_is_never_green() -> None:
    coal = _filled(_company(industry_code="0510"))
    hits = applicable_knock_outs(coal, 1.0, STANDARD, energy_ratio=None, energy_use_ratio=None)
    assert "excluded_activity" in [k.id for k in hits]
    assert cap("dark_green", hits, STANDARD) == "not_green"


@pytest.mark.parametrize(
    ("code", "knock_out"),
    [
        ("4730", "fossil_fuel_distribution"),  # a petrol station, by its class
        ("473", "fossil_fuel_distribution"),  # or by the group that holds it alone
        ("4661", "fossil_fuel_distribution"), ("3520", "fossil_fuel_distribution"),
        ("352", "fossil_fuel_distribution"),
        ("0910", "excluded_activity"), ("091", "excluded_activity"),  # oilfield services: extraction
        ("466", None),  # other specialised wholesale: far more than fuels
        ("46", None), ("09", None),  # a division that spans other activities too
        ("0990", None),  # support to all mining, metal ores included: the code cannot tell
        ("4711", None), ("4520", None),  # a shop; vehicle repair
        ("05", "excluded_activity"), ("052", "excluded_activity"), ("0520", "excluded_activity"),
        ("19", "excluded_activity"), ("1920", "excluded_activity"),  # 1.0.0's divisions
    ],
)
def test_fossil_fuel_extraction_and_distribution_are_never_green(code: str, knock_out: str | None) -> None:
    """1.12.0 follows the fossil-fuel exclusions of the EU Paris-aligned benchmarks by ISIC class: under
    1.11.0 a petrol station (4730) or a fuel wholesaler (4661) could be dark green. A code given at a
    coarser level is caught only when every class under it is. Distribution caps the grade and leaves
    green-category loans open; extraction (oilfield services with the 1.0.0 divisions) denies them."""
    filled = _filled(_company(industry_code=code))

    def activity_caps(standard: Standard) -> set[str]:
        hits = applicable_knock_outs(filled, 1.0, standard, energy_ratio=None, energy_use_ratio=None)
        return {k.id for k in hits} & {"excluded_activity", "fossil_fuel_distribution"}

    assert activity_caps(STANDARD) == ({knock_out} if knock_out else set())
    if knock_out:
        rule = next(k for k in STANDARD.knock_outs if k.id == knock_out)
        assert rule.cap_grade == "not_green"
        assert rule.blocks_green_loan is (knock_out == "excluded_activity")
    earlier = load_standard(STANDARD_DIR / "greenrate-sme-1.11.yaml")
    assert activity_caps(earlier) == ({"excluded_activity"} if code[:2] in {"05", "06", "19"} else set())


@pytest.mark.parametrize(
    ("key", "codes"),
    [("isic_classes", ["473"]), ("isic_classes", ["4735"]), ("isic_divisions", ["0510"]),
     ("isic_divisions", ["00"]), ("isic_classes", "4730")],
)
def test_excluded_codes_must_be_listed_isic_codes_of_their_level(key: str, codes: Any) -> None:
    """A mistyped code would leave an activity silently unexcluded: the document is refused."""
    document = doc()
    document["knock_outs"][0][key] = codes
    with pytest.raises(StandardError, match=f"{key} must be a list of [24]-digit codes of ISIC Rev.4"):
        parse_standard(document)


def test_mostly_estimated_data_cannot_reach_the_top_grade() -> None:
    hits = applicable_knock_outs(_filled(_company()), 0.2, STANDARD, energy_ratio=None, energy_use_ratio=None)
    assert [k.id for k in hits] == ["insufficient_data"]
    assert cap("dark_green", hits, STANDARD) == "green"


@pytest.mark.parametrize(
    ("energy", "unreported"),
    [
        (None, True),  # the fuels left out: estimated as the sector's gas
        ({"electricity_kwh": 1000}, True),
        ({"fuels": []}, False),  # none burned on site: an answer
        ({"fuels": [{"fuel": "coal", "quantity": 0, "unit": "t"},  # every column of a wide export at 0
                    {"fuel": "natural_gas", "quantity": 0, "unit": "m3"}]}, True),
        ({"fuels": [{"fuel": "natural_gas", "quantity": 800, "unit": "m3"}]}, False),
    ],
)
def test_fuels_left_out_cap_the_grade_as_coal_does(energy: dict[str, Any] | None, unreported: bool) -> None:
    """Standard 1.7.0: fuels left out are estimated as gas, which hid a coal boiler from the coal cap; left
    out, they are capped as coal is, so that leaving them out never pays."""
    payload = {"company": _company()["company"]} | ({"energy": energy} if energy is not None else {})
    filled = _filled(payload)
    # estimated: left out, and (engine 2.1) a list of zeros, which is no answer either
    assert ("energy.fuels" in filled.paths) == unreported
    hits = [k.id for k in applicable_knock_outs(filled, 1.0, STANDARD, energy_ratio=None,
                                                energy_use_ratio=None)]
    assert hits == (["fuels_not_reported"] if unreported else [])
    coal = next(k for k in STANDARD.knock_outs if k.id == "coal_burned_on_site")
    left_out = next(k for k in STANDARD.knock_outs if k.id == "fuels_not_reported")
    assert left_out.cap_grade == coal.cap_grade == "light_green"
    assert not left_out.blocks_green_loan
    if "energy.fuels" in filled.paths:  # the estimate is not the business's: reported, it lifts the cap
        assert applicable_knock_outs(Filled(filled.data, ()), 1.0, STANDARD, energy_ratio=None,
                                     energy_use_ratio=None) == ()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["pillars"][0]["indicators"][0].update(direction="sideways"), "direction"),
        (lambda d: d["grades"]["cutoffs"].reverse(), "best first"),
        (lambda d: d["grades"]["cutoffs"][1].update(min_score=80), "strictly decrease"),
        (lambda d: d["knock_outs"][0].update(cap_grade="platinum"), "cap_grade"),
        (lambda d: d["pillars"][0]["indicators"][0].update(actions=["teleport"]), "unknown actions"),
        (lambda d: d["pillars"][2]["indicators"][0].update(practices=["telepathy"]), "unknown practices"),
        (lambda d: d["pillars"][1]["indicators"].append(d["pillars"][0]["indicators"][0]), "defined twice"),
        (lambda d: d["data_quality"]["pcaf_by_data_source"].update(estimated=9), "pcaf_by_data_source"),
        (lambda d: d.pop("pillars"), "pillars"),
        (lambda d: d["knock_outs"][3].update(blocks_green_loan="no"), "must be true or false"),
        (lambda d: d.update(models_trained_for="greenrate-sme@1.0.0"), "models_trained_for must be a list"),
        (lambda d: d["knock_outs"][4].update(unreported=["energy.purchased_heat_gj"]), "unreported must be"),
        (lambda d: d["knock_outs"][4].update(unreported="energy.fuels"), "unreported must be a list"),
        # the contract's 0-100, which artifacts are held to where no standard is at hand
        (lambda d: d["score"].update(range=[0, 130]), r"score.range must be \[0.0, 100.0\]"),
    ],
)
def test_inconsistent_documents_are_refused(mutate: Any, message: str) -> None:
    document = doc()
    mutate(document)
    with pytest.raises(StandardError, match=message):
        parse_standard(document)


def test_an_indicator_without_derivation_is_refused_by_the_engine() -> None:
    document = doc()
    document["pillars"][0]["indicators"][0]["id"] = "vibes"
    # they name the indicator renamed here
    document["estimation"].pop("missing_when_sector_default")
    document["score"].pop("missing_when_not_reported")
    with pytest.raises(StandardError, match="no derivation"):
        IndicatorSet(parse_standard(document))


@pytest.mark.parametrize(("change", "match"), [
    ({"field": "energy.water_colour"}, "must be one of"),
    ({"sectors": ["space_mining"]}, "unknown: \\['space_mining'\\]"),
    ({"field": "energy.fuels", "sectors": ["space_mining"]}, "unknown: \\['space_mining'\\]"),
    ({"indicators": ["vibes"]}, "unknown: \\['vibes'\\]"),
    ({"sectors": []}, "sectors if any are named"),
])
def test_a_material_input_rule_must_name_what_exists(change: dict[str, Any], match: str) -> None:
    """Standard 1.6.0's ``missing_when_not_reported``: an input the engine cannot tell unreported, a sector
    the benchmarks do not know or an unknown indicator is refused, never silently matched by nothing."""
    document = doc()
    document["score"]["missing_when_not_reported"][0].update(change)
    with pytest.raises(StandardError, match=match):
        IndicatorSet(parse_standard(document))


@pytest.mark.parametrize("change", [
    {"regions": ["Beijing"]},
    {"regions": []},
    {"regions": ["CN-BJ", "CN-BJ"]},
    {"regions": "CN-BJ"},
    {"source": ""},
    {"source_url": None},
])
def test_a_rule_naming_regions_lists_iso_codes_with_its_source(change: dict[str, Any]) -> None:
    """Standard 1.9.0's heat rule holds where heat is sold: the list is a domain fact and cites its source,
    and a province's name or an empty list is refused rather than matching nothing."""
    document = doc()
    heat = next(r for r in document["score"]["missing_when_not_reported"]
                if r["field"] == "energy.purchased_heat_gj")
    heat.update(change)
    with pytest.raises(StandardError, match="ISO 3166-2"):
        parse_standard(document)


def test_a_rule_naming_regions_applies_there_and_where_no_region_is_named_in_their_country() -> None:
    heat = next(r for r in STANDARD.missing_when_not_reported
                if r.field == "energy.purchased_heat_gj" and r.regions)
    assert heat.source_url.startswith("http://www.stats.gov.cn/") and "2009" in heat.source
    assert heat.applies_to("CN", "CN-BJ", "food_service") and heat.applies_to("CN", "CN-ZJ", "retail")
    assert not heat.applies_to("CN", "CN-GD", "retail") and not heat.applies_to("CN", "CN-SH", "office")
    assert heat.applies_to("CN", None, "retail")  # nothing shows the business is outside them
    assert not heat.applies_to("KE", None, "retail")
    steam = next(r for r in STANDARD.missing_when_not_reported
                 if r.field == "energy.purchased_heat_gj" and r.sectors)
    assert steam.applies_to("CN", "CN-GD", "manufacturing") and not steam.applies_to("CN", "CN-GD", "retail")
    fuels = next(r for r in STANDARD.missing_when_not_reported if r.field == "energy.fuels")
    assert fuels.regions == () and fuels.applies_to("KE", None, "retail")


def test_sha256_changes_with_the_document() -> None:
    document = doc()
    document["grades"]["cutoffs"][0]["min_score"] = 76
    assert parse_standard(document).sha256 != STANDARD.sha256
    assert parse_standard(doc()).sha256 == STANDARD.sha256


def test_grades_constant_matches_document_order() -> None:
    assert tuple(c.grade for c in STANDARD.cutoffs) == GRADES


def test_unknown_change_operation_is_refused() -> None:
    document = doc()
    document["improvement_actions"][0]["change"] = {"wave_wand": 1}
    with pytest.raises(StandardError, match="unknown change operations"):
        parse_standard(document)


def test_the_released_standard_is_kept_and_its_knock_outs_all_block_green_loans() -> None:
    """1.0.0 stays published as released (ratings cite it); its rule was "with no knock-out"."""
    released = load_standard(STANDARD_DIR / "greenrate-sme-1.0.yaml")
    assert released.label == "greenrate-sme@1.0.0" and released.models_trained_for == ()
    assert all(k.blocks_green_loan for k in released.knock_outs)
    blocking = {k.id: k.blocks_green_loan for k in STANDARD.knock_outs}
    assert blocking == {"excluded_activity": True, "fossil_fuel_distribution": False,
                        "environmental_penalty": True,
                        "repeated_environmental_penalties": True, "coal_burned_on_site": False,
                        "energy_far_above_sector": False, "energy_implausibly_low": False,
                        "fuels_not_reported": False,
                        "insufficient_data": False}
    kept = load_standard(STANDARD_DIR / "greenrate-sme-1.1.yaml")  # 1.1.0 too, without 1.2.0's coal rule
    assert kept.label == "greenrate-sme@1.1.0"
    assert "coal_burned_on_site" not in {k.id for k in kept.knock_outs}


def test_models_of_an_earlier_version_rate_only_where_nothing_that_scores_changed() -> None:
    """The claim in ``models_trained_for`` is checked against the published earlier document."""
    earlier = load_standard(STANDARD_DIR / "greenrate-sme-1.2.yaml")
    assert earlier.models_trained_for == ("greenrate-sme@1.0.0", "greenrate-sme@1.1.0")
    check_model_compatibility(earlier)  # what the loader does
    assert earlier.rates_models_for("greenrate-sme@1.0.0") and earlier.rates_models_for(earlier.label)
    assert earlier.rates_models_for("greenrate-sme@1.1.0")
    assert not earlier.rates_models_for("greenrate-sme@0.9.0") and not earlier.rates_models_for(None)
    # 1.3.0 changed what scores (missing bins for echoes of a default): it accepts only its own models
    third = load_standard(STANDARD_DIR / "greenrate-sme-1.3.yaml")
    assert third.models_trained_for == () and not third.rates_models_for("greenrate-sme@1.2.0")
    # 1.4.0 changed only what knock-outs say (their remedies): 1.3.0's models rate under it, no earlier one
    fourth = load_standard(STANDARD_DIR / "greenrate-sme-1.4.yaml")
    assert fourth.models_trained_for == ("greenrate-sme@1.3.0",)
    assert not fourth.rates_models_for("greenrate-sme@1.2.0")
    # 1.5.0 scores "no vehicles" (when_none): it accepts only its own models; so does 1.6.0 (the fleet rule)
    fifth, sixth = (load_standard(STANDARD_DIR / f"greenrate-sme-1.{v}.yaml") for v in (5, 6))
    assert fifth.models_trained_for == () and not fifth.rates_models_for("greenrate-sme@1.4.0")
    assert sixth.models_trained_for == () and not sixth.rates_models_for("greenrate-sme@1.5.0")
    # 1.7.0 adds a knock-out (fuels left out), which scores nothing: 1.6.0's models rate under it
    seventh = load_standard(STANDARD_DIR / "greenrate-sme-1.7.yaml")
    assert seventh.models_trained_for == ("greenrate-sme@1.6.0",)
    check_model_compatibility(seventh)
    assert not seventh.rates_models_for("greenrate-sme@1.5.0")
    # 1.8.0 leaves the indicators reading the fuels missing when they are left out: only its own models; so
    # do 1.9.0 (purchased heat) and 1.10.0 (an action listed under two indicators)
    for version in (8, 9, 10):
        own = load_standard(STANDARD_DIR / f"greenrate-sme-1.{version}.yaml")
        assert own.models_trained_for == () and not own.rates_models_for(f"greenrate-sme@1.{version - 1}.0")
    # 1.11.0 adds a knock-out (energy implausibly low), which scores nothing: 1.10.0's models rate under it
    eleventh = load_standard(STANDARD_DIR / "greenrate-sme-1.11.yaml")
    assert eleventh.models_trained_for == ("greenrate-sme@1.10.0",)
    check_model_compatibility(eleventh)
    # 1.12.0 excludes more activities (a knock-out) and rewords an action: 1.10.0's and 1.11.0's models
    assert STANDARD.models_trained_for == ("greenrate-sme@1.10.0", "greenrate-sme@1.11.0")
    check_model_compatibility(STANDARD)
    assert not STANDARD.rates_models_for("greenrate-sme@1.9.0")
    assert not STANDARD.rates_models_for("greenrate-sme@1.6.0")
    assert STANDARD.indicators["low_carbon_fleet_share"].when_none == 1.0
    assert fourth.indicators["low_carbon_fleet_share"].when_none is None
    for section, mutate in (
        ("grades", lambda d: d["grades"]["cutoffs"][1].update(min_score=61)),
        ("pillars", lambda d: d["pillars"][0]["indicators"][0].update(unit="other")),
        ("estimation", lambda d: d["estimation"]["rules"][0].update(tariff_cny_per_kwh=0.7)),
        ("data_quality", lambda d: d["data_quality"]["pcaf_by_data_source"].update(energy_bills=3)),
    ):
        document = copy.deepcopy(dict(earlier.document))
        mutate(document)
        with pytest.raises(StandardError, match=f"its {section} differ"):
            check_model_compatibility(parse_standard(document))
    unknown = doc()
    unknown["models_trained_for"] = ["greenrate-sme@0.1.0"]
    with pytest.raises(StandardError, match="not a published standard here"):
        check_model_compatibility(parse_standard(unknown))


def test_a_fuel_knock_out_names_fuels_the_standard_knows() -> None:
    """1.2.0's coal knock-out reads energy.fuels; a fuel no business can report could never trigger it."""
    document = doc()
    coal = next(k for k in document["knock_outs"] if k["id"] == "coal_burned_on_site")
    assert coal["fuels"] == ["coal"] and coal["cap_grade"] == "light_green" and not coal["blocks_green_loan"]
    coal["fuels"] = ["peat"]
    with pytest.raises(StandardError, match="fuels must be among"):
        parse_standard(document)


def test_a_model_of_an_earlier_standard_rates_under_the_newest_that_accepts_it() -> None:
    """A bank's registry keeps its approved model active after an upgrade to standard 1.3.0, which accepts
    no earlier model: that model rates under 1.2.0, the newest that does, until a new one is promoted."""
    from rating_model.standard import standard_for_model

    assert standard_for_model(STANDARD.label, STANDARD) is STANDARD
    earlier = standard_for_model("greenrate-sme@1.0.0", STANDARD)
    assert earlier is not None and earlier.label == "greenrate-sme@1.2.0"
    assert standard_for_model("greenrate-sme@1.1.0", earlier) is earlier
    assert standard_for_model("greenrate-sme@0.9.0", STANDARD) is None
    assert standard_for_model(None, STANDARD) is None


@pytest.mark.parametrize(("indicator", "value"), [
    ("carbon_intensity", 1), ("low_carbon_fleet_share", "all"), ("low_carbon_fleet_share", True),
    ("low_carbon_fleet_share", float("nan")),
])
def test_only_an_indicator_answerable_with_none_may_say_what_it_scores(indicator: str, value: object) -> None:
    """``when_none`` is for a list the business can answer empty (the fleet): on another indicator, or not a
    finite number, the document is refused instead of silently scoring nothing."""
    document = doc()
    for pillar in document["pillars"]:
        for item in pillar["indicators"]:
            if item["id"] == indicator:
                item["when_none"] = value
    with pytest.raises(StandardError, match="when_none"):
        parse_standard(document)
