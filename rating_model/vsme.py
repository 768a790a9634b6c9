"""The rating's data keyed by the EFRAG VSME Basic Module (Dec 2024), disclosures B1 to B11.

Banks increasingly ask small businesses for VSME datapoints instead of their own questionnaires, so a
merchant's data is exported under those keys. Every datapoint is present and says ``disclosed`` (with its
value), ``not_applicable`` or ``not_available``: greenrate never fills a VSME item it does not hold (such
as pollution, biodiversity, workforce or corruption data), it says so. Built only from the stored rating and
its stored canonical input, like :mod:`rating_model.disclosure`.
Source of the datapoint list: https://xbrl.efrag.org/e-esrs/2024-12-17-efrag-vsme.xhtml
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rating_model.disclosure import data_quality_statement
from rating_model.issb_basis import ELECTRICITY, HEAT, SCOPE1_GAP_WORDS
from rating_model.operating_data import vintage_counts

Item = dict[str, Any]
VSME_VERSION = "EFRAG VSME, 17 December 2024 (Basic Module)"
_PRACTICES = (
    "e_invoicing",
    "digital_ordering",
    "energy_efficient_equipment",
    "led_lighting",
    "waste_sorting",
    "water_saving_equipment",
    "green_packaging",
    "energy_audit",
    "iso14001",
)
# ``climate_responsible_person`` is not listed: a person responsible for climate matters is governance
# (IFRS S2 para 6, the summary's ``governance.oversight``), not a B2 practice for the transition (energy and
# GHG reduction, pollution, circularity, working conditions...; domain brief section 2). VSME asks for the
# accountable senior level only with the Comprehensive Module's C2, which greenrate does not export.
_POLICIES = ("environmental_policy", "green_procurement_policy")
_NOT_HELD = "greenrate does not collect this datapoint; the business reports it directly if applicable."
#: VSME B1 takes employees as a headcount or in full-time equivalents, and says which: greenrate's
#: ``company.employees`` asks for neither, so the export's "headcount" is an assumption, and said so
_HEADCOUNT = (
    "company.employees as the business gave it, assumed a headcount: greenrate does not ask whether it is a "
    "headcount or full-time equivalents (VSME B1 takes either, saying which)."
)


def _disclosed(value: Any, unit: str | None = None, note: str | None = None) -> Item:
    item: Item = {"status": "disclosed", "value": value}
    if unit:
        item["unit"] = unit
    if note:
        item["note"] = note
    return item


def _not_available(note: str = _NOT_HELD) -> Item:
    return {"status": "not_available", "note": note}


def _not_applicable(note: str) -> Item:
    return {"status": "not_applicable", "note": note}


def _maybe(value: Any, unit: str | None = None, note: str | None = None) -> Item:
    return _not_available("Not reported by the business.") if value is None else _disclosed(value, unit, note)


def _answered(practices: Mapping[str, Any], keys: tuple[str, ...], what: str) -> Item:
    """The yes/no practices ``keys`` as one datapoint: those answered yes are disclosed, the note naming
    the others answered no and those not answered at all; all of them answered no is disclosed as none
    (the business said so: it had read "No policy was reported", as if it had not been asked); otherwise
    it is not available, naming what was answered no and what not at all."""
    yes = [k for k in keys if practices.get(k)]
    no = [k for k in keys if practices.get(k) is False]
    unanswered = [k for k in keys if practices.get(k) is None]
    if yes:
        # the rest said apart: a shop with LED lighting and nothing else answered had the list read as its
        # only practice, the others as a no that it never gave
        rest = ([f"answered no: {', '.join(no)}"] if no else []) + (
            [f"not answered (unknown, not a no): {', '.join(unanswered)}"] if unanswered else [])
        return _disclosed(yes, note=f"Of the others asked, {'; '.join(rest)}." if rest else None)
    if len(no) == len(keys):
        return _disclosed([], note=f"None: the business answered no to each {what} asked ({', '.join(no)}).")
    detail = f"answered no: {', '.join(no)}; not answered: " if no else "not answered: "
    return _not_available(f"No {what} was reported as in place ({detail}{', '.join(unanswered)}).")


def _engine_at_least(rating: Mapping[str, Any], version: tuple[int, ...]) -> bool:
    """Whether the engine that issued ``rating`` is ``version`` or later (an unreadable version is not)."""
    engine = str(rating.get("versions", {}).get("engine", "unrecorded"))
    parts = engine.split(".")
    return all(p.isdigit() for p in parts) and tuple(int(p) for p in parts) >= version


def _balance_sheet_currency(rating: Mapping[str, Any], op: Mapping[str, Any]) -> str | None:
    """The currency the rating read the loan's balance sheet in: the company's from engine 1.9 (the
    borrower's statement, like its turnover, converted at ``company.fx_to_cny`` before the attribution
    divides by it), the loan's before (an export of an earlier rating says what that rating divided by).
    B1 had kept the loan's after 1.9, labelling a EUR company's total assets as CNY beside a CNY loan."""
    if _engine_at_least(rating, (1, 9)):
        currency: str | None = op.get("company", {}).get("currency")
        return currency
    return (op.get("loan") or {}).get("currency")


def _b1(rating: Mapping[str, Any], op: Mapping[str, Any]) -> dict[str, Item]:
    c = op.get("company", {})
    # Balance-sheet figures come with the loan (for the PCAF attribution), in the company's currency.
    loan = op.get("loan") or {}
    iso14001 = op.get("practices", {}).get("iso14001")
    certifications = ["ISO 14001"] if iso14001 else []
    return {
        "reporting_option": _disclosed("A", note="Basic Module only."),
        "omitted_disclosures": _not_applicable(
            "No datapoint is omitted as classified or sensitive: each one greenrate does not hold is listed "
            "as not available."
        ),
        # the IFRS S2 summary's reporting entity says the same: assumed, since nothing asks for it
        "basis": _disclosed(
            "individual",
            note="Assumed by greenrate: the operating data carries no subsidiaries or consolidation, so the "
            "business's own activities are reported alone.",
        ),
        # Required B1 datapoints that the operating data has no field for: said so, never guessed.
        "subsidiaries": _not_available("The operating data does not carry the business's subsidiaries."),
        "legal_form": _not_available("The operating data does not carry the business's legal form."),
        "industry_code": _disclosed(
            c.get("industry_code"),
            note="ISIC Rev.4 class; NACE Rev.2 agrees with ISIC Rev.4 at division (two-digit) level.",
        ),
        "turnover": _disclosed(c.get("annual_revenue"), c.get("currency")),
        "employees": _disclosed(c.get("employees"), "headcount", _HEADCOUNT),
        "country": _disclosed(c.get("country")),
        "site_geolocation": _maybe(
            c.get("region"), note="Region (ISO 3166-2) only; no site coordinates held."
        ),
        "balance_sheet_total": _maybe(loan.get("borrower_total_assets"), _balance_sheet_currency(rating, op)),
        "certifications": _disclosed(certifications)
        if certifications
        # greenrate asks about ISO 14001 only: a "no" to it says nothing of other labels
        else _not_available(
            "Not ISO 14001 certified (answered no); greenrate asks about no other certification or label."
            if iso14001 is False
            else "No sustainability certification or label was reported."
        ),
    }


#: What the operating data may say of a target beyond its scopes, years and cut (schema 1.14), by field,
#: as the IFRS S2 summary's targets note says it: the targets had been exported bare, and an accountant could
#: not tell an intensity target from an absolute one, nor which gases it covers or whether anyone validated it
_TARGET_ASKED = (
    ("kind", "whether each is an absolute or an intensity target", "absolute or intensity"),
    ("gases", "which greenhouse gases it covers", "the greenhouse gases covered"),
    ("net_of_credits", "whether it is gross or net of carbon credits", "gross or net of carbon credits"),
    ("validated_by", "whether a third party validated it", "the third party that validated it"),
)


def _targets_note(targets: list[Mapping[str, Any]]) -> str:
    """What B2's targets hold and what the business did not state of them: each of the four fields of
    schema 1.14 is said as not reported unless every target states it ("not stated for every target" when
    only some do); a target net of credits adds the planned use of credits, which greenrate does not hold."""
    stated = [words for name, _, words in _TARGET_ASKED if any(t.get(name) is not None for t in targets)]
    missing = []
    for name, words, _ in _TARGET_ASKED:
        count = len([t for t in targets if t.get(name) is not None])
        if count < len(targets):
            missing.append(words + (" (not stated for every target)" if count else ""))
    missing.append("its base-year emissions (VSME C3 asks the base-year and target values in tCO2e)")
    if any(t.get("net_of_credits") is True for t in targets):
        missing.append("the carbon credits planned to meet a net target")
    head = ("GHG reduction targets as the business gave them: the scopes covered, base and target years and "
            "the reduction in percent")
    if stated:
        head += ", and as the business stated them " + ", ".join(stated)
    return head + ". Not reported: " + ", ".join(missing[:-1]) + ", and " + missing[-1] + "."


def _b2(op: Mapping[str, Any]) -> dict[str, Item]:
    p = op.get("practices", {})
    targets = op.get("targets", [])
    return {
        "practices": _answered(p, _PRACTICES, "practice"),
        "policies": _answered(p, _POLICIES, "policy"),
        "future_initiatives_and_targets": _disclosed(targets, note=_targets_note(targets))
        if targets
        else _not_available("No reduction target was reported (a list left out and [] read alike)."),
    }


def _energy_note(rating: Mapping[str, Any]) -> str:
    """What the rating's energy total holds: engine 1.6 added vehicle fuel given as a quantity, and an
    export of an earlier rating (served as issued) must describe the total that rating computed."""
    if _engine_at_least(rating, (1, 6)):
        return (
            "Electricity (purchased and on-site renewable), fuels burned on site, purchased heat and vehicle "
            "fuel given as a quantity; vehicles given as km or a count (their energy is not known) and EV "
            "charging off the premises are in Scope 1 and 2 but not in this total."
        )
    return (
        "Electricity (purchased and on-site renewable), fuels burned on site and purchased heat; vehicle "
        "fuel, and charging off the premises (EVs given as km or vehicles), are in Scope 1 and 2 but not "
        "in this total (a rating of an engine before 1.6)."
    )


def _scope1_gaps(em: Mapping[str, Any]) -> str:
    """What Scope 1 leaves out because the business did not report it, in words ("" when nothing)."""
    gaps = [words for path, words in SCOPE1_GAP_WORDS.items() if path in em.get("missing", [])]
    if not gaps:
        return ""
    return (
        "excludes " + " and ".join(gaps) + ": the business did not say whether it has any "
        "(not reported, so not counted; not a measured zero)."
    )


#: What location-based Scope 2 leaves out when an input is unreported, as the IFRS S2 Scope 2 note and its
#: exclusions say it (heat "may": the business did not say whether it buys any)
_SCOPE2_GAPS = {
    "energy.electricity_kwh": f"excludes {ELECTRICITY[0]}: none was reported",
    "energy.purchased_heat_gj": f"may exclude {HEAT[0]}: the business gave no amount and did not say "
    "whether it buys any",
}


def _scope2_gaps(em: Mapping[str, Any]) -> str:
    """What location-based Scope 2 leaves out because the business did not report it ("" when nothing): the
    IFRS S2 summary's Scope 2 said "Excludes purchased heat, not reported" where this export had a plain
    figure (0.0 for a Beijing business with no electricity and no heat answer)."""
    gaps = [words for path, words in _SCOPE2_GAPS.items() if path in em.get("missing", [])]
    if not gaps:
        return ""
    return "; ".join(gaps) + " (not reported, so not counted; not a measured zero)."


#: What an energy figure leaves out when an input is unreported, by input: the IFRS S2 summary's energy item
#: said "Excludes company vehicles and purchased heat, not reported" where B3's energy beside it was a plain
#: total. Vehicles count in the total only as a fuel quantity, so a fleet never answered is left out of it.
_ENERGY_GAPS = {
    "energy.electricity_kwh": f"excludes {ELECTRICITY[0]}: none was reported",
    "energy.fuels": "excludes fuels burnt on site: the business did not say whether it burns any",
    "energy.purchased_heat_gj": _SCOPE2_GAPS["energy.purchased_heat_gj"],
    "transport.fleet": "excludes the fuel of company vehicles: the business did not say whether it runs any",
}


def _energy_gaps(em: Mapping[str, Any], *paths: str) -> str:
    """What an energy figure made of the inputs ``paths`` leaves out because the business did not report
    them, as a sentence ("" when nothing)."""
    gaps = [_ENERGY_GAPS[p] for p in paths if p in em.get("missing", [])]
    if not gaps:
        return ""
    said = "; ".join(gaps)
    return f"{said[0].upper()}{said[1:]} (not reported, so not counted; not a measured zero)."


def _with_gaps(note: str | None, gaps: str) -> str | None:
    return f"{note} {gaps}" if note and gaps else (note or gaps or None)


#: The Scope 3 categories greenrate computes, by the input each needs, as the IFRS S2 exclusions name them
_SCOPE3_GAPS = {
    "resources.water_m3": "purchased water (category 1) and its wastewater (category 5): no water use was "
    "reported",
    "resources.waste_t": "waste (category 5): no amount of waste was reported",
    # left out only: "business_travel": [] is a reported zero (schema 1.14)
    "transport.business_travel": "business travel (category 6): the business did not report whether it had "
    "any",
}


def _scope3_gaps(rating: Mapping[str, Any], op: Mapping[str, Any]) -> str:
    """The categories a disclosed Scope 3 leaves out for want of their input ("" when none): a travel
    agent's "Categories: cat6_business_travel" read as a complete Scope 3, while the IFRS S2 exclusions
    beside it listed water and waste as not reported. Business travel left out is among them from engine
    2.13 (``"business_travel": []`` says there was none, a reported zero); an earlier rating read the two
    alike, so its export says travel none of which was given as not reported, as it did."""
    em = rating.get("emissions", {})
    gaps = [words for path, words in _SCOPE3_GAPS.items() if path in em.get("missing", [])]
    if not _engine_at_least(rating, (2, 13)) and not (op.get("transport") or {}).get("business_travel"):
        gaps.append("business travel (category 6): none was reported (a list left out and [] read alike)")
    return ". Not reported, so not counted (not a measured zero): " + "; ".join(gaps) + "." if gaps else "."


def _scope1_note(em: Mapping[str, Any]) -> str:
    """Gross Scope 1, and what it leaves out because the business did not report it: a fleet left out had
    been exported as a plain ``disclosed 0.0`` for a road-freight firm."""
    gaps = _scope1_gaps(em)
    return f"Gross; {gaps}" if gaps else "Gross."


def _partial(em: Mapping[str, Any]) -> str:
    """The intensities' note on a partial Scope 1 or 2 (a diff review: the B3 intensity of a freight firm
    without its fleet was a plain 0.0 while Scope 1 beside it said what it excluded)."""
    scope1, scope2 = _scope1_gaps(em), _scope2_gaps(em)
    return (f" Its Scope 1 {scope1}" if scope1 else "") + (f" Its Scope 2 {scope2}" if scope2 else "")


#: The unit of every intensity exported: VSME states B3's intensity per euro of turnover, and greenrate holds
#: no euro rate (it would have to invent one), so the turnover is in CNY million, converted at the
#: company's own ``fx_to_cny`` when it reports in another currency.
INTENSITY_UNIT = "tCO2e per CNY million turnover"
_INTENSITY_BASIS = (
    " Per CNY million of turnover, not per euro as VSME states it: greenrate holds no euro rate (turnover in "
    "another currency is converted to CNY at company.fx_to_cny)."
)


def _intensity_basis(op: Mapping[str, Any]) -> str:
    """The intensities' unit in words, with the rate a turnover in another currency was converted at: the
    note had named ``company.fx_to_cny`` but not its value, so a bank reading a USD business's figure per
    CNY million could not tell what rate it rests on."""
    c = op.get("company", {})
    currency, fx = c.get("currency"), c.get("fx_to_cny")
    if currency in (None, "CNY") or not isinstance(fx, int | float):
        return _INTENSITY_BASIS
    # the rate as given (its shortest exact form, as the operating data's JSON holds it): ``:g`` had cut it
    # to six figures, so 7.1234567 was said to be 7.12346, "the rate given"
    return (
        " Per CNY million of turnover, not per euro as VSME states it: greenrate holds no euro rate (the "
        f"turnover in {currency} is converted to CNY at company.fx_to_cny, {fx!r} CNY per {currency}, the "
        "rate given with the operating data)."
    )


def _estimated(item: Item, inputs: list[str]) -> Item:
    """Mark a disclosed figure as resting on estimated inputs (``estimated`` true, and a note naming them),
    or as not (``estimated`` false): a one-click shop's sector-default 25.5 MWh had been plainly disclosed.
    """
    if item["status"] != "disclosed":
        return item
    # a field and its items are one input (energy.fuels, filled, and its line energy.fuels.0)
    inputs = [p for p in dict.fromkeys(inputs) if not any(p.startswith(q + ".") for q in inputs)]
    item["estimated"] = bool(inputs)
    if inputs:
        said = f"Estimated: rests on estimated input(s) {', '.join(inputs)} (see data_quality)."
        item["note"] = f"{item['note']} {said}" if item.get("note") else said
    return item


def _resting_on(paths: list[str], *prefixes: str) -> list[str]:
    """The estimated input paths under any of ``prefixes`` (``energy.fuels`` covers ``energy.fuels.0``)."""
    return [p for p in paths if any(p == f or p.startswith(f + ".") for f in prefixes)]


def _scope_estimated(em: Mapping[str, Any], scope: int, basis: str = "location") -> list[str]:
    """The input paths of the estimated lines of a scope (Scope 2 on ``basis``: its own lines and those
    counted on both bases)."""
    other = "market" if basis == "location" else "location"
    return list(dict.fromkeys(
        str(line.get("path"))
        for line in em.get("line_items", [])
        if line.get("scope") == scope
        and line.get("quality") == "estimated"
        and line.get("scope2_basis") != other
    ))


def _turnover_cny_million(op: Mapping[str, Any]) -> float | None:
    """The turnover in CNY million from the stored input, as the engine converts it (``to_cny``)."""
    c = op.get("company", {})
    revenue, currency = c.get("annual_revenue"), c.get("currency")
    fx = 1.0 if currency == "CNY" else c.get("fx_to_cny")
    if not isinstance(revenue, int | float) or not isinstance(fx, int | float) or revenue * fx <= 0:
        return None
    return float(revenue) * float(fx) / 1e6


def _b3_intensity(em: Mapping[str, Any], op: Mapping[str, Any]) -> float | None:
    """Scope 1 + location-based Scope 2 per CNY million: the rating's own figure (engine 1.8 on), or for an
    earlier rating the same quotient of its stored figures (its tCO2e to 4 decimals)."""
    issued = em.get("intensities", {}).get("scope12_location_per_cny_million_revenue")
    if issued is not None:
        return float(issued)
    turnover = _turnover_cny_million(op)
    if turnover is None:
        return None
    return round((float(em["scope1"]) + float(em["scope2_location"])) / turnover, 6)


def _renewable_mwh(em: Mapping[str, Any], op: Mapping[str, Any]) -> Item:
    """Green-contracted + on-site renewable electricity, from the kWh given: the share times electricity
    had read 49.9999 MWh for 20 MWh under a PPA and 30 MWh on site (the share is rounded to 6 decimals).
    Electricity answered as 0 kWh has no share (``renewable_electricity_share`` is null) but is no unknown:
    none of it is renewable (green and on-site kWh are part of it), where B3 had said "not derivable"."""
    unanswered = "energy.electricity_kwh" in em.get("missing", [])
    if em.get("electricity_mwh") is None or (em.get("renewable_electricity_share") is None and unanswered):
        return _not_available("Not derivable.")
    energy = op.get("energy", {})
    # instruments of another year than the reporting year's are not counted, as in the inventory
    counted = vintage_counts(energy.get("green_electricity_vintage"), int(op["company"]["reporting_year"]))
    green = float(energy.get("green_electricity_kwh") or 0.0) if counted else 0.0
    kwh = green + float(energy.get("onsite_renewable_kwh") or 0.0)
    return _disclosed(round(kwh / 1000.0, 4), "MWh", "Green-contracted and on-site renewable electricity.")


def _energy_split(em: Mapping[str, Any], renewable: Item, paths: list[str]) -> dict[str, Item]:
    """The renewable / non-renewable split of B3's energy (VSME asks it where it can be obtained), beside
    the electricity / fuels split: the export gave renewable electricity alone, so an accountant filling in
    B3's table derived the other cells by hand. greenrate collects no renewable fuel or heat, so fuels and
    purchased heat are non-renewable, and grid electricity without a contractual instrument counted for the
    reporting year is non-renewable (no supplier mix is held)."""
    energy, electricity = em.get("energy_mwh"), em.get("electricity_mwh")
    if renewable["status"] != "disclosed" or energy is None or electricity is None:
        said = "Not derivable, as renewable_electricity_mwh is not."
        return {key: _not_available(said) for key in
                ("non_renewable_electricity_mwh", "renewable_energy_mwh", "non_renewable_energy_mwh")}
    green = float(renewable["value"])
    return {
        "non_renewable_electricity_mwh": _estimated(
            _disclosed(
                round(float(electricity) - green, 4), "MWh",
                _with_gaps("Electricity less renewable_electricity_mwh: grid electricity without a "
                           "contractual instrument counted for the reporting year, non-renewable (no "
                           "supplier mix is held).", _energy_gaps(em, "energy.electricity_kwh")),
            ),
            _resting_on(paths, "energy.electricity_kwh"),
        ),
        "renewable_energy_mwh": _estimated(
            _disclosed(green, "MWh", "Renewable electricity (renewable_electricity_mwh) only: greenrate "
                       "collects no renewable fuel or heat, so fuels and purchased heat are non-renewable."),
            [],
        ),
        "non_renewable_energy_mwh": _estimated(
            _disclosed(
                round(float(energy) - green, 4), "MWh",
                _with_gaps("Total energy less renewable_energy_mwh: non-renewable electricity, fuels and "
                           "purchased heat.", _energy_gaps(em, *_ENERGY_GAPS)),
            ),
            _resting_on(paths, "energy"),
        ),
    }


def _scope2_market(em: Mapping[str, Any]) -> Item:
    """Market-based Scope 2, beside the location-based figure B3 requires: an accountant reporting both
    (the GHG Protocol's dual reporting, where contractual instruments exist) had only the location-based
    one in the export."""
    rest = ("the residual factor (emissions.residual_factor)" if em.get("residual_factor")
            else "the grid factor (no residual factor is held)")
    note = (f"Market-based, beside the location-based figure B3 requires (scope2_location_tco2e): "
            f"electricity under contractual instruments counted for the reporting year (of that year's "
            f"vintage, or of none stated) at zero, the rest at {rest}.")
    gaps = _scope2_gaps(em)
    return _disclosed(em["scope2_market"], "tCO2e", f"{note} {gaps[0].upper()}{gaps[1:]}" if gaps else note)


#: the B3 items a business's own reported inventory (schema 1.11) gives a figure for, by its key there
_REPORTED_KEYS = {"scope1_tco2e": "scope1_tco2e", "scope2_location_tco2e": "scope2_location_tco2e",
                  "scope2_market_tco2e": "scope2_market_tco2e", "scope3_tco2e": "scope3_tco2e"}


def _with_reported(item: Item, op: Mapping[str, Any], key: str) -> Item:
    """Say beside a computed scope the figure the business's own inventory gives for it (engine 2.8): the
    export disclosed greenrate's 11.24 tCO2e of Scope 1 as B3's with no word of the business's verified
    12.0, which its loans attribute instead (a PCAF analyst's review). The figure disclosed stays the
    computed one: B3 here is what greenrate rates, and the rating's ``reported_emissions`` compares the two.
    """
    reported = op.get("reported_emissions")
    own = reported.get(_REPORTED_KEYS[key]) if isinstance(reported, Mapping) else None
    if not isinstance(own, int | float) or isinstance(own, bool):
        return item
    assert isinstance(reported, Mapping)
    whose = (f"verified by {reported.get('verifier')}" if reported.get("verified") is True else "unverified")
    if item["status"] == "disclosed":
        said = (f"Computed by greenrate from the activity data; the business's own inventory reports {own} "
                f"tCO2e ({whose}), which a loan's financed emissions attribute instead (the rating's "
                "reported_emissions compares the two).")
    else:  # Scope 3 without activity data: the business's own figure is still what a loan attributes
        said = (f"The business's own inventory reports {own} tCO2e ({whose}), which a loan's financed "
                "emissions attribute; greenrate computed none from the activity data.")
    item["note"] = f"{item['note']} {said}" if item.get("note") else said
    return item


def _b3(rating: Mapping[str, Any], op: Mapping[str, Any]) -> dict[str, Item]:
    em = rating["emissions"]
    energy = em.get("energy_mwh")
    electricity = em.get("electricity_mwh")
    scope3 = em.get("scope3") or {}
    paths = list(dict.fromkeys([*rating.get("data_quality", {}).get("estimated_fields", []),
                                *em.get("estimated", [])]))
    scope1, scope2 = _scope_estimated(em, 1), _scope_estimated(em, 2)
    included = scope3.get("categories_included", [])
    intensity = _b3_intensity(em, op)
    renewable = _renewable_mwh(em, op)
    out: dict[str, Item] = {
        "total_energy_mwh": _estimated(
            _maybe(energy, "MWh", _with_gaps(_energy_note(rating), _energy_gaps(em, *_ENERGY_GAPS))),
            _resting_on(paths, "energy"),
        ),
        "electricity_mwh": _estimated(
            _maybe(electricity, "MWh", _with_gaps(None, _energy_gaps(em, "energy.electricity_kwh"))),
            _resting_on(paths, "energy.electricity_kwh"),
        ),
        "renewable_electricity_mwh": _estimated(renewable, []),
        "fuels_and_heat_mwh": _estimated(
            _disclosed(
                round(energy - electricity, 4),
                "MWh",
                _with_gaps(
                    "Fuels (on site, and from engine 1.6 vehicle fuel given as a quantity) and purchased "
                    "heat, treated as non-renewable.",
                    _energy_gaps(em, "energy.fuels", "energy.purchased_heat_gj", "transport.fleet"),
                ),
            )
            if energy is not None and electricity is not None
            else _not_available("Not derivable."),
            _resting_on(paths, "energy.fuels", "energy.purchased_heat_gj"),
        ),
        **_energy_split(em, renewable, paths),
        "scope1_tco2e": _estimated(_disclosed(em["scope1"], "tCO2e", _scope1_note(em)), scope1),
        "scope2_location_tco2e": _estimated(
            _disclosed(em["scope2_location"], "tCO2e",
                       f"Location-based; {_scope2_gaps(em)}" if _scope2_gaps(em) else None),
            scope2,
        ),
        "scope2_market_tco2e": _estimated(_scope2_market(em), _scope_estimated(em, 2, "market")),
        "ghg_intensity": _estimated(
            _disclosed(
                intensity,
                INTENSITY_UNIT,
                "Gross Scope 1 + location-based Scope 2 over turnover: the gross emissions B3 requires "
                "(Scope 3 is only encouraged, so it is left out and optional Scope 3 data does not move "
                "the figure)."
                + _intensity_basis(op)
                + _partial(em),
            )
            if intensity is not None
            else _not_available("Not derivable: no turnover in CNY."),
            list(dict.fromkeys([*scope1, *scope2])),
        ),
        "ghg_intensity_scope1_2_3": _estimated(
            _maybe(
                em.get("intensities", {}).get("per_cny_million_revenue"),
                INTENSITY_UNIT,
                "Not the B3 intensity (ghg_intensity): gross Scope 1, location-based Scope 2 and "
                + ("the Scope 3 categories with data (" + ", ".join(included) + ")" if included
                   else "no Scope 3 (no category had data)")
                + " over turnover; it moves with the optional Scope 3 data."
                + _intensity_basis(op)
                + _partial(em),
            ),
            list(dict.fromkeys([*scope1, *scope2, *_scope_estimated(em, 3)])),
        ),
    }
    scope3_note = "Categories: " + ", ".join(included) + _scope3_gaps(rating, op)
    out["scope3_tco2e"] = _estimated(
        _disclosed(scope3.get("total"), "tCO2e", scope3_note)
        if included
        else _not_available("No Scope 3 activity data (encouraged, not required, in the Basic Module)."),
        _scope_estimated(em, 3),
    )
    for key in _REPORTED_KEYS:
        out[key] = _with_reported(out[key], op, key)
    return out


def _b6(op: Mapping[str, Any]) -> dict[str, Item]:
    r = op.get("resources", {})
    return {
        "water_withdrawal_m3": _maybe(r.get("water_m3"), "m3"),
        "withdrawal_in_high_water_stress_areas_m3": _not_available(
            "No site-level water-stress data is held."
        ),
        "water_consumption_m3": _not_available("Discharge is not reported, so consumption is not derivable."),
    }


#: ISIC divisions VSME B7 asks material mass flows of: manufacturing (10-33, packaging among them) and
#: construction (41-43)
_MASS_FLOW_DIVISIONS = frozenset(range(10, 34)) | {41, 42, 43}


def _mass_flows(op: Mapping[str, Any]) -> Item:
    code = str(op.get("company", {}).get("industry_code") or "")
    if code[:2].isascii() and code[:2].isdigit() and int(code[:2]) not in _MASS_FLOW_DIVISIONS:
        return _not_applicable(
            "VSME B7 asks for material mass flows in manufacturing, construction and packaging only."
        )
    return _not_available()


def _b7(op: Mapping[str, Any]) -> dict[str, Item]:
    r = op.get("resources", {})
    p = op.get("practices", {})
    hazardous = r.get("hazardous_waste_t")
    total = r.get("waste_t")
    return {
        "circular_economy_principles": _answered(p, ("waste_sorting", "green_packaging"),
                                                 "circular-economy practice"),
        "total_waste_t": _maybe(total, "t"),
        "hazardous_waste_t": _maybe(hazardous, "t"),
        "non_hazardous_waste_t": _disclosed(round(total - hazardous, 4), "t")
        if total is not None and hazardous is not None
        else _not_available("Not derivable."),
        "waste_diverted_to_recycling_t": _maybe(r.get("waste_recycled_t"), "t"),
        "material_mass_flows": _mass_flows(op),
    }


def vsme_export(rating: Mapping[str, Any], operating: Mapping[str, Any]) -> dict[str, Any]:
    """The VSME Basic Module datapoints B1-B11 of one issued rating.

    Parameters
    ----------
    rating:
        The stored rating JSON.
    operating:
        The stored canonical operating data the rating was computed from.

    Returns
    -------
    dict
        ``standard``, ``rating_id``, ``data_quality`` (the PCAF score, completeness, data source, the
        estimated input fields and assumed figures, and a statement: as the IFRS S2 disclosure gives it)
        and ``datapoints`` keyed ``B1`` ... ``B11``, each a mapping of datapoint name to
        ``{status, value?, unit?, note?, estimated?}``; every disclosed B3 figure says whether it rests on
        an estimated input (``estimated``) and names those inputs in its note.
    """
    employees = operating.get("company", {}).get("employees", 0)
    datapoints: dict[str, dict[str, Item]] = {
        "B1": _b1(rating, operating),
        "B2": _b2(operating),
        "B3": _b3(rating, operating),
        "B4": {
            "pollutant_emissions": _not_available(
                "Required only where the law or an environmental management system already demands it."
            )
        },
        "B5": {"sites_in_biodiversity_sensitive_areas": _not_available()},
        "B6": _b6(operating),
        "B7": _b7(operating),
        "B8": {
            "employees_headcount": _disclosed(employees, "headcount", _HEADCOUNT),
            "employees_by_contract_gender_country": _not_available(),
            "employee_turnover_rate": _not_available()
            if employees >= 50
            else _not_applicable("Required only from 50 employees."),
        },
        "B9": {"recordable_work_accidents": _not_available(), "fatalities": _not_available()},
        "B10": {
            "minimum_wage": _not_available(),
            "gender_pay_gap": _not_available()
            if employees >= 150
            else _not_applicable("May be omitted below 150 employees."),
            "collective_bargaining_coverage": _not_available(),
            "training_hours_per_employee": _not_available(),
        },
        "B11": {"corruption_convictions_and_fines": _not_available()},
    }
    return {
        "standard": VSME_VERSION,
        "rating_id": rating.get("id"),
        "data_quality": data_quality_statement(rating, operating),
        "datapoints": datapoints,
    }
