"""The notes on how the rating's figures were obtained: what each scope counts (with the rating's
electricity and heat factors), electricity converted from the bill at the standard's tariff, the inputs not
reported, the figures estimated or assumed, and the PCAF score.

The tariff and the kWh are the engine's own (:func:`rating_model.estimation.bill_tariff` under the
standard the rating was made under, and the rating's inventory line), never worked out again here, so the
note and the disclosure agree. The estimated fields are named as an owner reads them
(:func:`estimated_fields`), on the disclosure page too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from rating_model import estimation
from rating_model.amounts import amount
from rating_model.disclosure import RULE_FIELDS, assumed_figures
from rating_model.inventory import SCOPE3_INPUTS
from rating_model.operating_data import vintage_counts
from rating_model.standard import Standard, load_standard, published_standard_path
from service.web.i18n import texts
from service.web.labels import field_labels, joined, unreported_labels
from service.web.view import business_word, grouped, standard_label


def scopes_note(rating: Mapping[str, Any], lang: str, operating: Mapping[str, Any] | None = None) -> str:
    """What each scope counts, with the two electricity factors of the rating: market-based Scope 2 prices
    the power not covered by green certificates at the national residual factor, which can be well above
    the province's grid average (a Chengdu noodle shop: 7.03 t market-based against 1.68 t location-based at
    Sichuan's hydro-heavy grid), while the note had read as if market-based could only be lower.

    Heat bought (district heating, a park's steam) is Scope 2 too, one factor on both bases: said after the
    electricity's, with its amount and emissions, where the rating counted any. The amount is written as the
    page writes every quantity (:func:`~service.web.i18n.amount`, as the kWh a bill came to): "1,188 GJ",
    not "1,188.0".

    Green electricity of another year than the one rated (``operating``'s, the rating's input) is said
    after the electricity's: the engine priced it as grid electricity (:func:`_green_of_another_year`)."""
    t = texts(lang)
    emissions = rating.get("emissions") or {}
    grid = (emissions.get("grid_factor") or {}).get("value")
    residual = (emissions.get("residual_factor") or {}).get("value")
    if grid is None or residual is None:
        note = t["scopes_explained"]
    else:
        note = t["scopes_explained_factors"].format(grid=f"{float(grid):g}", residual=f"{float(residual):g}")
    note += _green_of_another_year(operating or {}, lang)  # the electricity's, before the heat's
    lines = emissions.get("line_items") or ()
    heat = next((line for line in lines if line.get("path") == _HEAT), None)
    if heat is not None and heat.get("quantity"):
        gj = amount(float(heat["quantity"]), lang)
        note += t["heat_in_scope2"].format(gj=gj, t=grouped(heat.get("tco2e")))
    return note + _leaks_note(lines, lang)


def _green_of_another_year(operating: Mapping[str, Any], lang: str) -> str:
    """Green electricity whose certificates are of another year than the one rated, which the engine does
    not count (:func:`rating_model.operating_data.vintage_counts`, the GHG Protocol's Scope 2 Quality
    Criteria): said where the note says green electricity counts as zero, or an owner who gave 2024's
    certificates for 2025 read that they counted, beside a market figure that priced them at the
    residual factor. Nothing for a year not given, or the year rated."""
    energy = operating.get("energy") or {}
    green, vintage = energy.get("green_electricity_kwh"), energy.get("green_electricity_vintage")
    year = (operating.get("company") or {}).get("reporting_year")
    if not green or year is None or vintage_counts(vintage, int(year)):
        return ""
    return texts(lang)["green_vintage_not_counted"].format(
        kwh=amount(float(green), lang), vintage=vintage, year=year
    )


def _leaks_note(lines: Any, lang: str) -> str:
    """The refrigerant recharged that the rating counted, in Scope 1 (schema 1.13): its kg and tCO2e, said
    after the scopes, as the heat is, so that a restaurant owner who gave the cold room's top-up sees where
    it went; nothing without such a line (none recharged, not sure, or R-22, said beside the scopes)."""
    leaks = [line for line in lines if line.get("category") == _LEAKS and line.get("quantity")]
    if not leaks:
        return ""
    kg = amount(math.fsum(float(line["quantity"]) for line in leaks), lang)
    tco2e = math.fsum(float(line.get("tco2e") or 0.0) for line in leaks)
    return texts(lang)["refrigerant_in_scope1"].format(kg=kg, t=grouped(tco2e))


_HEAT = "energy.purchased_heat_gj"
_REFRIGERANTS = "refrigerants"  # the input left out by "not sure" (a key of labels.UNREPORTED_LABELS)
_REFRIGERANTS_ASKED = (1, 13)  # the schema that takes ``refrigerants``
_LEAKS = "fugitive_refrigerant"  # the category of a refrigerant line (rating_model.refrigerants.CATEGORY)


_ELECTRICITY = "energy.electricity_kwh"


def _standard_of(rating: Mapping[str, Any], held: Standard) -> Standard | None:
    """The standard the rating was made under: the one in use when it is the same, else its published
    file (every released version stays in the package); ``None`` if it is not here."""
    label = standard_label(rating)
    if not label or label == held.label:
        return held
    path = published_standard_path(label)
    return None if path is None else load_standard(path)


def bill_tariff(rating: Mapping[str, Any], standard: Standard) -> float | None:
    """The tariff (CNY per kWh) the rating's standard converts an electricity bill's amount at
    (:func:`rating_model.estimation.bill_tariff`, the engine's own); ``None`` when it has no such rule or is
    not here."""
    used = _standard_of(rating, standard)
    return None if used is None else estimation.bill_tariff(used)


def electricity_counted(rating: Mapping[str, Any]) -> float | None:
    """The purchased electricity (kWh) the rating's inventory counted: its location-based line, which
    prices all of it. For electricity converted from a bill this is the engine's own figure, the amount in
    CNY (converted at the company's rate) at the standard's tariff; ``None`` without such a line."""
    for line in (rating.get("emissions") or {}).get("line_items") or ():
        if line.get("path") == _ELECTRICITY and line.get("scope2_basis") == "location":
            return float(line["quantity"])
    return None


def data_notes(
    rating: Mapping[str, Any], operating: Mapping[str, Any], standard: Standard, lang: str
) -> list[str]:
    """The notes on how the figures were obtained: electricity converted from the bill's amount (its own
    line, with the standard's tariff: it had been listed among figures "not given, estimated from similar
    shops"), the figures estimated from the sector, those taken at a typical value, and the PCAF score.

    The kWh the bill came to is the rating's (:func:`electricity_counted`), not the amount divided here
    again: that skipped the engine's conversion to CNY (a code review).

    The inputs left out and not estimated (the inventory's ``missing``: heat "not sure", vehicles not
    answered) are named first, with the scope they are missing from: "nothing was estimated" alone read
    as complete data beside a Scope 2 without the heat bought (a review in Harbin). The refrigerant
    recharged answered "not sure" is among them (:func:`_refrigerants_unreported`; the inventory's
    ``missing`` does not name it): the disclosure said Scope 1 leaves the leaks out, and the page said
    nothing of it."""
    t = texts(lang)
    dq = rating.get("data_quality") or {}
    pcaf = dq.get("pcaf_score")
    estimated = [str(p) for p in dq.get("estimated_fields") or []]
    energy = operating.get("energy") or {}
    spend = energy.get("electricity_spend")
    tariff = bill_tariff(rating, standard)
    counted = electricity_counted(rating)
    notes = []
    billed = _ELECTRICITY in estimated and energy.get("electricity_kwh") is None
    if billed and spend is not None and tariff and counted is not None:
        estimated.remove(_ELECTRICITY)
        kwh = round(counted)
        notes.append(t["from_bill"].format(
            spend=amount(float(spend), lang), tariff=f"{tariff:g}", kwh=amount(kwh, lang),
            standard=standard_label(rating) or "-",
        ))
    # a vehicle at the seed distance is among ``estimated_fields`` (engine 1.6 on) but rests on greenrate's
    # typical distance, not on the sector's figures: "按同类店铺估算：车辆全年行驶里程（按每辆车常见里程
    # 估算）" said both of one figure. It is said with the assumed figures, as the disclosure says it.
    seeded = [p for p in estimated if not _rule_field(p)]
    estimated = [p for p in estimated if _rule_field(p)]
    assumed = list(dict.fromkeys([*seeded, *assumed_figures(rating)]))
    if estimated:  # with the PCAF score
        notes.append(t["estimated"].format(fields=estimated_fields(estimated, lang), pcaf=pcaf,
                                           business=business_word(operating, lang)))
    elif not assumed and not notes:  # with the PCAF score
        notes.append(t["nothing_estimated"].format(pcaf=pcaf))
    if assumed:
        notes.append(t["assumed"].format(fields=estimated_fields(assumed, lang)))
    if not estimated and (assumed or billed):  # the bill's line says no PCAF score
        notes.append(t["pcaf_only"].format(pcaf=pcaf))
    missing = [str(p) for p in (rating.get("emissions") or {}).get("missing") or []]
    if _refrigerants_unreported(rating, operating):
        scope3 = next((i for i, path in enumerate(missing) if path in SCOPE3_INPUTS), len(missing))
        missing.insert(scope3, _REFRIGERANTS)  # after the other inputs of Scopes 1 and 2
    if missing:
        notes.insert(0, t["not_reported"].format(fields=joined(unreported_labels(missing, lang), lang)))
    return notes


def _refrigerants_unreported(rating: Mapping[str, Any], operating: Mapping[str, Any]) -> bool:
    """Whether the rating leaves the refrigerant leaks out because the owner did not say what was recharged
    ("not sure": ``refrigerants`` left out of its input), under a schema that asks it (1.13 on). A rating
    under an earlier schema was never asked, and its disclosure says the leaks were not collected."""
    schema = str((rating.get("versions") or {}).get("schema") or "")
    try:
        asked = tuple(int(part) for part in schema.split(".")) >= _REFRIGERANTS_ASKED
    except ValueError:  # no schema recorded
        return False
    return asked and operating.get("refrigerants") is None


def _rule_field(path: str) -> bool:
    """Whether ``path`` is filled by the standard's estimation rules (sector defaults, or electricity from a
    bill), not by greenrate's own assumption."""
    return any(path == f or path.startswith(f + ".") for f in RULE_FIELDS)


def left_unanswered(operating: Mapping[str, Any]) -> bool:
    """Whether the owner left any of the form's optional questions blank, read off the input it sent: the
    fuel, heat or vehicles "not sure", the vehicles' litres or km, the green power of a kWh figure, and the
    "more details" (floor area, water, waste and what of it was recycled, last year's figures)."""
    company = operating.get("company") or {}
    energy = operating.get("energy") or {}
    resources = operating.get("resources") or {}
    fleet = (operating.get("transport") or {}).get("fleet")
    return (
        energy.get("fuels") is None
        or energy.get("purchased_heat_gj") is None
        or fleet is None
        or any(item.get("km") is None and item.get("fuel_quantity") is None for item in fleet)
        or (energy.get("electricity_kwh") is not None and energy.get("green_electricity_kwh") is None)
        or company.get("floor_area_m2") is None
        or resources.get("water_m3") is None
        or resources.get("waste_t") is None
        or resources.get("waste_recycled_t") is None
        or operating.get("previous_year") is None
    )


def unanswered_note(operating: Mapping[str, Any], lang: str) -> str | None:
    """The line that tells an owner who left optional questions blank what answering them does; ``None``
    when every one was answered.

    A rating from the minimum answers scored 0.0 with every pillar at 0, and nothing on the page said the
    blanks were the cause (a browser review). The standard scores a blank no better than the worst
    answer to its own question (docs/rating-engine.md: a blank earns at most the worst reported bin's
    points), but not every answer can only raise the score: a floor area moves the energy comparison with
    peers from per employee to per m², which can earn fewer points. The line says exactly that much.
    """
    return texts(lang)["unanswered"] if left_unanswered(operating) else None


def estimated_fields(paths: list[str], lang: str) -> str:
    """The rating's estimated fields as the owner reads them (``energy.fuels`` is not a word)."""
    return joined(field_labels(paths, lang), lang)
