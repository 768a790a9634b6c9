"""An IFRS S2-shaped climate summary of one rating: governance, strategy, risk management, metrics and
targets, basis of preparation.

A small business cannot write an ISSB report, but a bank that lends to it must disclose under IFRS S2 and
PCAF. This summary reads only what the rating already decided (inventory, data quality, practices) and says
for every item whether it is disclosed, not applicable or not available, so nothing is implied that the
data does not show. Paragraph numbers refer to IFRS S2 (June 2023).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from rating_model.data_quality import DataQuality
from rating_model.estimation import Estimate
from rating_model.inventory import Inventory
from rating_model.line_items import ESTIMATED
from rating_model.operating_data import OperatingData
from rating_model.rounding import round_float, round_tco2e

Item = dict[str, Any]
# VSME names NACE sections A-H and L as high climate impact; ISIC Rev.4 divisions of those sections:
_HIGH_IMPACT_DIVISIONS = frozenset(f"{d:02d}" for d in (*range(1, 54), 68))


def _disclosed(value: Any, note: str | None = None) -> Item:
    item: Item = {"status": "disclosed", "value": value}
    if note:
        item["note"] = note
    return item


def _not_available(note: str) -> Item:
    return {"status": "not_available", "note": note}


def _not_applicable(note: str) -> Item:
    return {"status": "not_applicable", "note": note}


def _flag(value: bool | None, yes: str, no: str, missing: str) -> Item:
    """A yes/no practice as an item: a "no" the business gave is disclosed as no; only a question it left
    unanswered is ``not_available`` (an explicit no had read "No ... was reported", as if never asked)."""
    if value is None:
        return _not_available(missing)
    return _disclosed(yes if value else no)


def _governance(data: OperatingData) -> dict[str, Item]:
    p = data.practices
    return {
        "oversight": _flag(
            p.climate_responsible_person,
            "A named person is responsible for climate and energy.",
            "No: the business reported that no named person is responsible for climate-related matters "
            "(para 6).",
            "Not reported whether a person is responsible for climate-related matters (para 6).",
        ),
        "policy": _flag(
            p.environmental_policy,
            "The business has an environmental policy.",
            "No: the business reported that it has no environmental policy.",
            "Not reported whether the business has an environmental policy.",
        ),
    }


def _strategy(data: OperatingData) -> dict[str, Item]:
    high = data.company.isic_division in _HIGH_IMPACT_DIVISIONS
    targets = _target_rows(data)
    share = data.practices.green_products_share
    return {
        "transition_risks": _disclosed(
            "The business operates in a high-climate-impact sector (VSME: NACE A-H, L): exposed to "
            "energy-price and carbon-policy changes." if high else
            "The business operates outside the high-climate-impact sectors; its main transition exposure is "
            "the cost of purchased energy.",
            "Derived by greenrate from the industry code and the inventory (para 10).",
        ),
        "physical_risks": _not_available("No site-level hazard data is held (para 10)."),
        # 0 is a reported share (no green products), not a missing answer: only None is "not reported".
        "opportunities": _disclosed(f"{share:.0%} of sales from green products.") if share is not None
        else _not_available("No share of sales from green products was reported (para 10)."),
        "transition_plan": _disclosed(
            targets, "Reduction targets set by the business, not a full transition plan (para 14(a)(iv))."
        )
        if targets
        else _not_available("No transition plan or reduction target was reported (para 14)."),
        "resilience": _not_available(
            "No climate scenario analysis; proportionate to a small business (para 22)."
        ),
    }


def _risk_management(data: OperatingData) -> dict[str, Item]:
    """The risk process (para 25) from the two practices greenrate asks that would be one: either "yes" is
    disclosed; two answered "no" are disclosed as such (the business said it has neither, which is not the
    same as not saying); otherwise it is not available."""
    p = data.practices
    if p.iso14001:
        process = _disclosed("Environmental risks are managed in an ISO 14001 certified management system.")
    elif p.energy_audit:
        process = _disclosed("An energy audit identifies energy and emissions risks.")
    elif p.iso14001 is False and p.energy_audit is False:
        process = _disclosed(
            "No: the business reported neither an ISO 14001 management system nor an energy audit, the "
            "processes greenrate asks about (para 25)."
        )
    else:
        process = _not_available(
            "Not reported whether the business has an ISO 14001 management system or an energy audit, the "
            "processes greenrate asks about (para 25)."
        )
    return {"process": process}


def _capital_deployment(data: OperatingData, green_uses: Collection[str]) -> Item:
    """IFRS S2 29(e): only a loan whose proceeds finance a green category is climate capital deployment.

    A general-purpose loan funds whatever the business needs; counting it would report capital deployed
    towards climate-related opportunities that nothing shows was deployed so. Which uses are green is the
    standard's decision (its Green Loan Principles categories), as for green-loan eligibility.
    """
    loan = data.loan
    if loan is None:
        return _not_available("No capital deployment was reported (29(e)).")
    if loan.use_of_proceeds not in green_uses:
        return _not_available(
            f"The loan's use of proceeds '{loan.use_of_proceeds}' is not a green category of the standard, "
            "so it is not counted as capital deployed towards climate-related risks and opportunities; "
            "no other climate capital deployment was reported (29(e))."
        )
    return _disclosed(
        {"amount": loan.amount, "currency": loan.currency, "use_of_proceeds": loan.use_of_proceeds},
        "This loan, whose use of proceeds is a green category (Green Loan Principles) (29(e)).",
    )


#: What the inventory never covers, because greenrate asks for no data on it: said in every summary, so
#: that no reader takes the absence of a figure for a zero (a GHG-accounting review found "Nothing reported
#: was left out" beside a restaurant whose refrigerant leaks and purchased food were never asked for).
NOT_COLLECTED = (
    "not collected by greenrate, so not in the inventory: fugitive emissions (refrigerant leaks from air "
    "conditioning and refrigeration, Scope 1) and process emissions; Scope 3 purchased goods and services "
    "other than water (category 1 covers purchased water only) and categories 2-4 and 7-15"
)


#: The Scope 1 and 2 inputs a business can leave unanswered, as the exclusions name them. A fleet left out
#: is the common one (the one-click form never asks it), so it is said for every business: greenrate cannot
#: tell from a sector which businesses run no vehicle (a shop's delivery van, a restaurant's), and a default
#: fleet would be invented. Only an answer, ``"fleet": []``, says there are none.
_UNREPORTED = {
    "energy.electricity_kwh": "Scope 2 leaves out purchased electricity: none was reported.",
    "energy.fuels": "Scope 1 leaves out fuels burnt on the premises: the business did not say whether it "
    "burns any (the fuels question was not answered; \"fuels\": [] would say none).",
    "transport.fleet": "Scope 1 leaves out company vehicles: the business did not say whether it runs any "
    "(the fleet question was not answered; \"fleet\": [] would say none). Their fuel would be Scope 1, an "
    "electric vehicle's charging Scope 2.",
}
#: ISIC divisions whose business is moving goods or people (land, water and air transport, warehousing,
#: postal and courier): vehicles are then the activity itself, not a side line
_TRANSPORT_DIVISIONS = frozenset({"49", "50", "51", "52", "53"})


def _unreported(data: OperatingData, inv: Inventory) -> list[str]:
    """The Scope 1 and 2 inputs not reported (neither given nor estimated), in words: the scopes are
    disclosed as partial, never as a measured zero (a road-freight firm without its fleet had disclosed
    Scope 1 0.0 with "no figure was estimated" and nothing excluded)."""
    out = [_UNREPORTED[path] for path in inv.missing if path in _UNREPORTED]
    if "transport.fleet" in inv.missing and data.company.isic_division in _TRANSPORT_DIVISIONS:
        out.append(
            f"The business's industry (ISIC {data.company.industry_code}) is transport or logistics (ISIC "
            "divisions 49-53), whose activity is running vehicles: its Scope 1 without them is unlikely to "
            "be complete."
        )
    return out


#: The Scope 1 inputs a business can leave unreported, in the words the scope notes (IFRS S2 here, VSME B3
#: in :mod:`rating_model.vsme`) name what Scope 1 then leaves out.
SCOPE1_GAP_WORDS = {"energy.fuels": "fuels burnt on the premises", "transport.fleet": "company vehicles"}


def _scope_gaps(inv: Inventory) -> dict[int, str]:
    """A note for each scope an unreported input leaves partial."""
    notes: dict[int, str] = {}
    fleet_or_fuels = [p for p in SCOPE1_GAP_WORDS if p in inv.missing]
    if fleet_or_fuels:
        notes[1] = (
            " Excludes " + " and ".join(SCOPE1_GAP_WORDS[p] for p in fleet_or_fuels)
            + ", not reported (basis_of_preparation.exclusions)."
        )
    if "energy.electricity_kwh" in inv.missing:
        notes[2] = " Excludes purchased electricity, not reported (basis_of_preparation.exclusions)."
    return notes


def _metrics(
    data: OperatingData, inv: Inventory, dq: DataQuality, green_uses: Collection[str]
) -> dict[str, Item]:
    offsets = [{"standard": o.standard, "tco2e": o.tco2e, "type": o.type, "vintage": o.vintage}
               for o in data.offsets]
    scope3 = (
        _disclosed(
            round_tco2e(inv.scope3_tco2e),
            "Categories included: " + ", ".join(inv.scope3_categories_included)
            + " (partial: see basis_of_preparation.exclusions for what is not collected).",
        )
        if inv.scope3_categories_included
        else _not_available(
            "No Scope 3 activity data. " + _FIRST_PERIOD_ONLY.format(relief="Omitting Scope 3 (relief C4(b))")
        )
    )
    # Every figure is rounded as the rating's emissions section rounds it (tCO2e and MWh to 4 decimals,
    # intensities to 6), so the summary and the inventory beside it never show two numbers for one quantity.
    estimated = _estimated_scopes(inv)
    gaps = _scope_gaps(inv)
    return {
        "scope1_tco2e": _disclosed(
            round_tco2e(inv.scope1_tco2e),
            "Gross, GHG Protocol (para 29(a)(i))." + estimated.get(1, "") + gaps.get(1, ""),
        ),
        "scope2_location_tco2e": _disclosed(
            round_tco2e(inv.scope2_location_tco2e),
            "Location-based (para 29(a)(v))." + estimated.get(2, "") + gaps.get(2, ""),
        ),
        "scope2_market_tco2e": _disclosed(
            round_tco2e(inv.scope2_market_tco2e), _instruments(data) + estimated.get(2, "") + gaps.get(2, "")
        ),
        "scope3_tco2e": scope3,
        "energy_mwh": _disclosed(
            round_float(inv.energy_mwh, 4),
            f"Renewable share {inv.renewable_share:.1%} (VSME B3). Electricity, fuels burnt on site, "
            "purchased heat and vehicle fuel given as a quantity; vehicles given as km or a count (their "
            "energy is not known) and EV charging off the premises are in Scope 1 and 2 but not in this "
            "total.",
        ),
        "ghg_intensity_per_cny_million": _disclosed(
            round_float(inv.intensities.per_cny_million_revenue, 6),
            "Gross Scope 1 + Scope 2 (location-based) + "
            + (
                "Scope 3 (" + ", ".join(inv.scope3_categories_included) + ")"
                if inv.scope3_categories_included
                else "no Scope 3 (no category had data)"
            )
            + ", in tCO2e per CNY million of revenue.",
        ),
        "scope12_comparative": _comparatives(data, inv),
        "transition_risk_exposure": _not_available(
            "Assets vulnerable to transition risk are not assessed (29(b))."
        ),
        "physical_risk_exposure": _not_available(
            "Assets vulnerable to physical risk are not assessed (29(c))."
        ),
        "climate_opportunities": _disclosed(data.practices.green_products_share, "Share of sales (29(d)).")
        if data.practices.green_products_share is not None
        else _not_available("Not reported (29(d))."),
        "capital_deployment": _capital_deployment(data, green_uses),
        "internal_carbon_price": _not_available("Not collected: greenrate does not ask for it (29(f))."),
        "remuneration": _not_available("Not collected: greenrate does not ask for it (29(g))."),
        "targets": _targets(data),
        "carbon_credits": _disclosed(
            offsets,
            "Credits the business reports, listed apart and never netted from gross emissions; IFRS S2 "
            "36(e) asks how credits are planned to be used toward a net target.",
        )
        if offsets
        # The operating data keeps no difference between "offsets" left out and "offsets": [] (both parse to
        # no credits, and the canonical input drops the empty list), so neither says "none were used".
        else _not_available(
            "No carbon credits were reported (the operating data does not tell \"none\" from a list left "
            "out; IFRS S2 36(e) asks about credits planned toward a net target)."
        ),
        "data_quality": _disclosed(dq.to_dict()),
    }


#: IFRS S2's transition reliefs (Appendix C; domain.md section 3 cites C3, no comparatives, and C4(b),
#: no Scope 3) are for the first annual reporting period in which an entity applies the standard, which
#: greenrate cannot know: every summary had claimed them, even beside a previous year's figures.
_FIRST_PERIOD_ONLY = (
    "{relief} is available under IFRS S2 only if this is the entity's first annual reporting period under "
    "the standard; greenrate cannot tell whether it is."
)


def _reliefs(inv: Inventory) -> list[str]:
    """The reliefs the summary may rest on, each with its condition: a transition relief is never claimed
    as applying, and never for a metric whose comparative is disclosed."""
    reliefs = [
        "Proportionality: reasonable and supportable information available without undue cost or effort."
    ]
    if inv.neutrality.compared_previous_tco2e is None:
        reliefs.append(
            "No comparative information. "
            + _FIRST_PERIOD_ONLY.format(relief="Omitting comparatives (relief C3)")
        )
    else:
        reliefs.append(
            "Comparative information is disclosed for Scope 1 and 2 (location-based) only "
            "(metrics_and_targets.scope12_comparative), so no relief is claimed for it; none for the other "
            "metrics. " + _FIRST_PERIOD_ONLY.format(relief="Omitting them (relief C3)")
        )
    if not inv.scope3_categories_included:
        reliefs.append(
            "Scope 3 not disclosed. " + _FIRST_PERIOD_ONLY.format(relief="Omitting Scope 3 (relief C4(b))")
        )
    return reliefs


_ESTIMATE_WORDS = {"energy.electricity_kwh": "electricity", "energy.fuels": "fuels burnt on the premises"}


def _estimates_note(estimates: Sequence[Estimate]) -> str:
    """How each input was estimated, in the standard's own terms: electricity converted from the bill at
    the standard's assumed tariff is not a sector default (the note had called every estimate one)."""
    # in words, not paths: the note is printed on the owner's page (data_quality names the fields)
    methods = "; ".join(f"{_ESTIMATE_WORDS.get(e.field, e.field)}: {e.method}" for e in estimates)
    filled = "Inventory"
    if methods:
        filled = f"Inputs filled by the standard's estimation rules ({methods}), and inventory"
    return (
        filled + " figures resting on greenrate's assumptions (such as a vehicle without km at 12,000 km a "
        "year); each is flagged in emissions.estimated or data_quality.estimated_fields."
    )


def _basis(
    data: OperatingData, inv: Inventory, dq: DataQuality, estimates: Sequence[Estimate]
) -> dict[str, Item]:
    reliefs = _reliefs(inv)
    return {
        "standard": _disclosed("GHG Protocol Corporate Standard (2004); Scope 3 Standard (2011) categories."),
        "reporting_period": _disclosed(data.company.reporting_year),
        "entity": _disclosed("Single entity, operational control."),
        "emission_factors": _disclosed(
            inv.factor_set, "Factor set version; each factor is cited in emissions.factors."
        ),
        "estimates": _disclosed(
            [*dq.estimated_fields, *_beyond(inv.estimated, dq.estimated_fields)],
            _estimates_note(estimates),
        )
        if dq.estimated_fields or inv.estimated
        else _not_applicable(
            "No figure was estimated."
            + (" Inputs not reported are not estimated either: see exclusions." if inv.missing else "")
        ),
        "assumptions": _disclosed(list(inv.assumptions), "Measurement assumptions (para 29(a)(iii)).")
        if inv.assumptions
        else _not_applicable("No measurement assumption was needed."),
        "exclusions": _disclosed(
            [*_unreported(data, inv), *inv.not_available, NOT_COLLECTED],
            "Activities left out of the inventory: Scope 1 and 2 sources the business did not report, "
            "reported ones no known factor prices, and the sources greenrate does not collect.",
        ),
        "fallbacks": (
            _disclosed(list(inv.fallbacks)) if inv.fallbacks else _not_applicable("No factor fallback.")
        ),
        "reliefs": _disclosed(reliefs),
        "gross_emissions": _disclosed("All emissions are gross; carbon credits are not deducted."),
        "greenhouse_gases": _greenhouse_gases(inv),
    }


def _comparatives(data: OperatingData, inv: Inventory) -> Item:
    """The previous year's Scope 1+2 beside this year's, as the reduction compares them: the comparative
    information a first-year reporter may omit (relief C3) and greenrate has for these figures only.

    Only what ``previous_year`` reports can be compared (its energy and fleet), and only like for like:
    the activities reported in both years, both at this year's factors, so a cleaner grid or a line left
    out of one year does not pass for the business's own change. The note says all of that, since the
    figures are a restated subset, not the previous year's inventory.
    """
    n = inv.neutrality
    if data.previous_year is None:
        return _not_available("No previous_year data was reported.")
    if n.compared_previous_tco2e is None or n.compared_current_tco2e is None:
        return _not_available("previous_year has no Scope 1/2 activity in common with this year.")
    value = {
        "previous_year_tco2e": round_tco2e(n.compared_previous_tco2e),
        "reporting_year_tco2e": round_tco2e(n.compared_current_tco2e),
        "change_pct": None if n.change_pct is None else round_float(n.change_pct, 2),
    }
    return _disclosed(
        value,
        "Scope 1 and 2 (location-based) only, the previous year restated rather than as it was reported: "
        + n.reduction_basis
        + ".",
    )


_GWP_WORDS = {
    "CO2 only": "CO2 only (CH4 and N2O of combustion not included)",
    "AR5": "CO2e on IPCC AR5 GWP100 values",
    "AR6": "CO2e on IPCC AR6 GWP100 values",
    "n/a": "not stated (caller-supplied factors and physical parameters)",
}
GWP_NOTE = (
    "Each factor covers the gases its publisher states (emissions.factors[].gwp_basis), summed as tCO2e "
    "without restatement; IFRS S2 B21 asks for CO2e on the latest IPCC GWP100 values (AR6)."
)


def _greenhouse_gases(inv: Inventory) -> Item:
    """Which gases, on which warming potentials, the figures stand on: the factor sets mix CO2-only national
    factors with CO2e proxies, and a reader of the totals must be told (IFRS S2 B21-B22)."""
    groups: dict[str, list[str]] = {}
    for ref in inv.factors:
        groups.setdefault(ref.gwp_basis, []).append(ref.id)
    return _disclosed(
        [f"{_GWP_WORDS.get(basis, basis)}: {', '.join(ids)}" for basis, ids in groups.items()], GWP_NOTE
    )


def _beyond(paths: Iterable[str], fields: Sequence[str]) -> list[str]:
    """``paths`` not already said by ``fields`` (``energy.fuels.0`` is part of a filled ``energy.fuels``)."""
    return [p for p in dict.fromkeys(paths) if not any(p == f or p.startswith(f + ".") for f in fields)]


def _target_rows(data: OperatingData) -> list[dict[str, Any]]:
    return [
        {"scopes": list(t.scopes), "base_year": t.base_year, "target_year": t.target_year,
         "reduction_pct": t.reduction_pct}
        for t in data.targets
    ]


def _targets(data: OperatingData) -> Item:
    """GHG targets as paras 33-36 ask for them: what the business gives, and what it does not."""
    if not data.targets:
        return _not_available("No greenhouse gas target was reported (paras 33-36).")
    return _disclosed(
        _target_rows(data),
        "Greenhouse gas targets set by the business: scopes, base and target years, reduction (paras 33-36). "
        "Not reported: whether each is gross or net of credits (36(c)), its base-year emissions and progress "
        "against it (35).",
    )


def _estimated_scopes(inv: Inventory) -> dict[int, str]:
    """A note for each scope some of whose lines rest on estimated inputs: "disclosed" is not "measured"."""
    scopes = sorted({line.scope for line in inv.line_items if line.quality == ESTIMATED})
    return {scope: " Includes estimated figures (emissions.estimated)." for scope in scopes}


_INSTRUMENT_WORDS = {
    "green_certificate": "green certificates",
    "green_power_trade": "green power trading",
    "ppa": "a power purchase agreement",
    "mixed": "a mix of instruments",
}


def _instruments(data: OperatingData) -> str:
    """The contractual instruments behind market-based Scope 2 (para 29(a)(v)), or that there were none."""
    green = data.energy.green_electricity_kwh or 0.0
    if green <= 0:
        return (
            "Market-based: no contractual instrument reported, so all purchased electricity at the residual "
            "grid factor (para 29(a)(v))."
        )
    named = data.energy.green_electricity_instrument or ""
    instrument = _INSTRUMENT_WORDS.get(named, "an unnamed instrument")
    return (
        f"Market-based: {green / 1000:g} MWh covered by {instrument} at zero, the rest at the residual grid "
        "factor (para 29(a)(v))."
    )


def issb_summary(
    data: OperatingData,
    inventory: Inventory,
    quality: DataQuality,
    green_uses: Collection[str],
    estimates: Sequence[Estimate] = (),
) -> dict[str, dict[str, Item]]:
    """The five-part IFRS S2 summary of one rating.

    Parameters
    ----------
    green_uses:
        The rating standard's green use-of-proceeds categories (``Standard.green_uses``): only a loan for
        one of them counts as climate capital deployment (29(e)). Required, so that no summary judges a
        loan by another standard than the one that rated it.
    estimates:
        The inputs the standard's rules filled (``Filled.estimates``), whose methods the basis of
        preparation states: a bill converted at the assumed tariff, or a sector default.
    """
    return {
        "governance": _governance(data),
        "strategy": _strategy(data),
        "risk_management": _risk_management(data),
        "metrics_and_targets": _metrics(data, inventory, quality, green_uses),
        "basis_of_preparation": _basis(data, inventory, quality, estimates),
    }
