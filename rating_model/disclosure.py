"""The climate disclosure of one issued rating, shaped after IFRS S2, for the owner to hand to any bank.

It is built only from what was recorded when the rating was issued (the rating's JSON and the canonical
operating data it was computed from), never by rating again: a disclosure printed years later shows exactly
the figures of the rating it cites. The same dictionary feeds the JSON answer, the HTML page and the PDF, so
the three cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rating_model.disclosure_reported import reported_inventory
from rating_model.estimation import bill_rule
from rating_model.green_loan import COMPUTED_BEST_PCAF_SCORE
from rating_model.standard import load_standard, published_standard_path

#: The version of the disclosure document's shape (the JSON; the page and the PDF print the same dictionary).
#: A field added bumps the minor (a client that ignores fields it does not know reads on), a field removed,
#: renamed or given another meaning the major. The disclosure is rebuilt from the stored rating whenever it
#: is served, so a rating issued long ago is disclosed in the current version; what each version changed is
#: in README.md (Versions and deprecation).
DISCLOSURE_VERSION = "1.3"
IFRS_S2_SECTIONS = (
    "governance",
    "strategy",
    "risk_management",
    "metrics_and_targets",
    "basis_of_preparation",
)


def _company(operating: Mapping[str, Any]) -> dict[str, Any]:
    company = operating.get("company", {})
    keys = (
        "name",
        "country",
        "region",
        "industry_code",
        "employees",
        "annual_revenue",
        "currency",
        "reporting_year",
        "floor_area_m2",
    )
    return {k: company.get(k) for k in keys}


#: inventory key -> the rating's ``issb_summary.metrics_and_targets`` item that discloses (or not) that scope
_SCOPE_METRICS = {
    "scope1": "scope1_tco2e",
    "scope2_location": "scope2_location_tco2e",
    "scope2_market": "scope2_market_tco2e",
    "scope3": "scope3_tco2e",
}


def _scope_statuses(rating: Mapping[str, Any]) -> dict[str, str]:
    """Each scope's status as the rating's IFRS S2 metrics state it.

    The inventory table sits beside those metrics, so it must not print a measured figure where they say
    ``not_available``: a Scope 3 with no activity data is unknown, not zero. Without a summary, Scope 3
    counts as disclosed only when some category was included, as the summary decides it.
    """
    metrics = (rating.get("issb_summary") or {}).get("metrics_and_targets") or {}
    scope3 = rating["emissions"].get("scope3") or {}
    fallback = {key: "disclosed" for key in _SCOPE_METRICS}
    fallback["scope3"] = "disclosed" if scope3.get("categories_included") else "not_available"
    return {
        key: (metrics.get(metric) or {}).get("status", fallback[key])
        for key, metric in _SCOPE_METRICS.items()
    }


def inventory(rating: Mapping[str, Any]) -> dict[str, Any]:
    """The GHG inventory of the rating, in tCO2e, gross (carbon credits are never deducted).

    A scope the rating does not disclose (``status`` other than ``disclosed``) has the value ``None``,
    never 0: a zero reads as measured.

    From disclosure 1.3 it carries its workings, as the rating issued them: ``line_items`` (each figure's
    input path, activity, quantity and unit, factor id, tCO2e, quality and Scope 2 basis; the factors
    are in ``factor_sources``). An accountant tying a scope total to the bills, or an auditor re-performing
    it, had the totals and the factors but not which activity each factor priced. And ``missing``, the
    inputs neither given nor estimated (``emissions.missing``): the figures they feed are partial, which the
    JSON said only in the notes' words, so a program reading ``energy_mwh`` took it as complete.

    Parameters
    ----------
    rating:
        The rating's JSON as issued (``Rating.to_dict`` plus the service's id and dates).
    """
    em = rating["emissions"]
    scope3 = em.get("scope3") or {}
    status = _scope_statuses(rating)
    figures = {
        "scope1": em["scope1"],
        "scope2_location": em["scope2_location"],
        "scope2_market": em["scope2_market"],
        "scope3": scope3.get("total"),
    }
    shown = {key: value if status[key] == "disclosed" else None for key, value in figures.items()}
    return {
        "unit": em.get("unit", "tCO2e"),
        **shown,
        "status": status,
        "scope3_categories": scope3.get("categories", {}),
        "scope3_categories_included": scope3.get("categories_included", []),
        "total": em["total"],
        "energy_mwh": em.get("energy_mwh"),
        "electricity_mwh": em.get("electricity_mwh"),
        "renewable_share": em.get("renewable_share"),
        "renewable_electricity_share": em.get("renewable_electricity_share"),
        "intensities": em.get("intensities", {}),
        "estimated": em.get("estimated", []),
        "line_items": list(em.get("line_items", [])),
        "missing": list(em.get("missing", [])),
    }


def factor_sources(rating: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every emission factor the inventory used, with its value, unit, source and year, deduplicated by id."""
    seen: dict[str, dict[str, Any]] = {}
    for f in rating["emissions"].get("factors", []):
        seen.setdefault(
            str(f.get("id")), {k: f.get(k) for k in ("id", "value", "unit", "source", "year", "source_url")}
        )
    return list(seen.values())


def assumed_figures(rating: Mapping[str, Any]) -> list[str]:
    """The inventory figures of a rating that rest on greenrate's own assumptions (a vehicle without km at
    the seed's 12,000 km) rather than on an input the standard's sector defaults filled in: estimates too,
    though no input field was estimated for them, so a reader must be told of them apart."""
    estimated = list(rating["data_quality"].get("estimated_fields", []))
    return [
        p
        for p in dict.fromkeys(rating.get("emissions", {}).get("estimated", []))
        if not _under(p, estimated)
    ]


#: The input fields the standards' estimation rules fill (from sector defaults, or electricity from a bill's
#: amount); any other estimated field rests on greenrate's own assumptions (a vehicle at the seed distance,
#: among ``estimated_fields`` since engine 1.6, had been called a sector default)
RULE_FIELDS = ("energy.electricity_kwh", "energy.fuels")


def _under(path: str, fields: tuple[str, ...] | list[str]) -> bool:
    return any(path == f or path.startswith(f + ".") for f in fields)


@lru_cache(maxsize=16)
def assumed_tariff(standard_label: str) -> tuple[float | None, str | None]:
    """The electricity tariff the standard ``standard_label`` (``id@version``, a rating's
    ``versions.standard``) assumes to turn a bill's amount into kWh, with the standard's own words on where
    it comes from; ``(None, None)`` when that standard is not published here or has no such rule.

    The rule is the engine's (:func:`rating_model.estimation.bill_rule`, which made the estimate); its
    source is read from the standard's document, where the parsed rule does not carry it.
    """
    path = published_standard_path(standard_label)
    if path is None:
        return None, None
    standard = load_standard(path)
    rule = bill_rule(standard)
    if rule is None or rule.tariff_cny_per_kwh is None:
        return None, None
    # the parsed rules are the document's, one for one and in its order
    raw = next(r for parsed, r in zip(standard.estimation, standard.document["estimation"]["rules"],
                                      strict=True) if parsed is rule)
    source = raw.get("tariff_source")
    words = None if source is None else " ".join(str(source).split())
    return float(rule.tariff_cny_per_kwh), words


def bill_conversions(rating: Mapping[str, Any], operating: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The estimated inputs that were converted from a bill's amount rather than taken from sector defaults:
    electricity from ``electricity_spend`` at the standard's assumed tariff. The two had been described
    alike ("estimated from the standard's sector defaults"), though a bill is the business's own figure.

    Read from the stored input (spend given, kWh not) and the standard the rating names, so it holds for a
    rating of any engine version.
    """
    estimated = rating.get("data_quality", {}).get("estimated_fields", [])
    energy = operating.get("energy", {})
    if (
        "energy.electricity_kwh" not in estimated
        or energy.get("electricity_spend") is None
        or energy.get("electricity_kwh") is not None
    ):
        return []
    label = str(rating.get("versions", {}).get("standard", ""))
    tariff, source = assumed_tariff(label)
    return [
        {
            "field": "energy.electricity_kwh",
            "from_field": "energy.electricity_spend",
            "tariff_cny_per_kwh": tariff,
            "standard": label,
            "tariff_source": source,
        }
    ]


def _converted_words(conversion: Mapping[str, Any]) -> str:
    tariff = conversion["tariff_cny_per_kwh"]
    at = f"{tariff:g} CNY/kWh" if tariff is not None else "its tariff"
    return (
        f"{conversion['field']} was converted from the bill's amount ({conversion['from_field']}) at the "
        f"standard's assumed tariff of {at} ({conversion['standard']}, estimation rules)"
    )


#: said beside a data-quality score better than PCAF's option 2a (under the packaged standard, a
#: ``verified_report``'s 1): the inventory disclosed is greenrate's computation, which PCAF scores 2 at best;
#: score 1 is PCAF's for the business's own verified reported emissions (option 1a, engine 2.8), and the
#: statement had printed "PCAF data-quality score 1 of 5" beside greenrate's figures (a PCAF analyst's review)
SOURCE_SCORE_NOTE = (
    "That score is the one the standard gives the data source; the inventory disclosed here is greenrate's "
    "computation from the activity data, which PCAF scores 2 at best (option 2a): score 1 is for a "
    "business's own verified reported emissions (option 1a)."
)


def data_quality_statement(
    rating: Mapping[str, Any], operating: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The data-quality figures and a plain statement of how much of the inventory was estimated.

    The PCAF score (1 best, 5 worst) and the completeness come from the rating; the statement names every
    estimated figure so a reader can tell measured data from the sector defaults that filled the gaps, and
    from a bill's amount converted at the standard's assumed tariff (``bill_conversions``; read from
    ``operating``, the stored input, when given).
    """
    dq = rating["data_quality"]
    estimated = list(dq.get("estimated_fields", []))
    seeded = [f for f in estimated if not _under(f, RULE_FIELDS)]  # a vehicle at the seed distance
    assumed = list(dict.fromkeys([*seeded, *assumed_figures(rating)]))
    conversions = [] if operating is None else bill_conversions(rating, operating)
    converted = {c["field"] for c in conversions}
    sector_default = [f for f in estimated if f not in converted and _under(f, RULE_FIELDS)]
    scores = (
        f"PCAF data-quality score {dq['pcaf_score']} of 5 (1 is best), completeness {dq['completeness']:.0%}."
    )
    parts = [_converted_words(c) for c in conversions]
    if sector_default:
        parts.append(
            f"{len(sector_default)} input figure(s) were estimated from the standard's sector defaults "
            f"({', '.join(sector_default)})"
        )
    if assumed:
        parts.append(
            f"{len(assumed)} inventory figure(s) rest on greenrate's assumptions ({', '.join(assumed)})"
        )
    text = ("; ".join(parts) if parts else "No figure was estimated") + "; " + scores
    if dq["pcaf_score"] < COMPUTED_BEST_PCAF_SCORE:
        text += " " + SOURCE_SCORE_NOTE
    return {
        "pcaf_score": dq["pcaf_score"],
        "completeness": dq["completeness"],
        "data_source": dq.get("data_source"),
        "estimated_fields": estimated,
        "sector_default_fields": sector_default,
        "bill_conversions": conversions,
        "assumed_figures": assumed,
        "statement": text,
    }


@lru_cache(maxsize=16)
def _standard_remedies(standard_label: str) -> Mapping[str, tuple[str, str]]:
    """Each knock-out's remedy, in English and Chinese, in the standard ``standard_label`` (a rating's
    ``versions.standard``) as published here; empty when it is not."""
    path = published_standard_path(standard_label)
    if path is None:
        return {}
    return {k.id: (k.remedy, k.remedy_zh) for k in load_standard(path).knock_outs}


def _after_first(sentence: str, cap: str, stop: str) -> str | None:
    """``sentence`` after its first ``stop`` when that first sentence states the cap (holds ``cap``): a
    held-back message is "<name>: the grade is capped at <grade>. <remedy>" ("<name_zh>：评级上限为<grade>。
    <remedy>"), whose first sentence the disclosure says in its own rows. Told by its wording, not by the
    name: a rating before schema 1.7 has no ``name_zh`` for a knock-out, though its Chinese message opens
    with it (schema 1.6), and its Chinese remedy had kept the cap's sentence."""
    head, found, rest = sentence.partition(stop)
    if found and cap in head:
        return rest.strip() or None
    return sentence.strip() or None


#: What set a knock-out off, in the rationale's sentence on it: "Knock-out <id> (<name>) applies (<facts>):
#: ..." and "...“<name_zh>”适用（<facts>）：..." (a rule the engine had no facts for has no brackets)
_FACTS = re.compile(r" applies \((?P<facts>.*)\): ")
_FACTS_ZH = re.compile(r"适用（(?P<facts>.*)）：")


def _facts(rationale: list[str], rationale_zh: list[str], knock_out: str) -> tuple[str | None, str | None]:
    """What set ``knock_out`` off, as the rating's green-loan rationale says it, in English and Chinese
    (the Chinese sentence is the English one's, sentence for sentence, when the rating has it)."""
    for i, sentence in enumerate(rationale):
        if not sentence.startswith(f"Knock-out {knock_out} "):
            continue
        found = _FACTS.search(sentence)
        if found is None:
            return None, None
        zh = rationale_zh[i] if len(rationale_zh) == len(rationale) else ""
        found_zh = _FACTS_ZH.search(zh)
        return found.group("facts"), None if found_zh is None else found_zh.group("facts")
    return None, None


def grade_caps(rating: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Every knock-out that applies to the rating, as the disclosure says it beside the grade; ``None`` for a
    rating issued before schema 1.4, which did not record them (``[]``: none applies).

    A loan officer reading "light green 63.3" could not tell that standard 1.11.0's
    ``energy_implausibly_low`` had capped a green score, nor that the salon's energy figures were doubted.
    Each cap gives its name (``name_zh`` from schema 1.7), the grade it caps at, whether it denies green-loan
    treatment (``blocks_green_loan``), what set it off (``trigger``: the facts the green-loan rationale
    names, ``None`` where it names none) and what lifts it (``remedy``). All of it is read from the stored
    rating: the remedy from ``path_to_next_grade.held_back_by``, where the cap holds the next grade back,
    else from the standard the rating names (``versions.standard``, kept in the package for every published
    version), since a cap below the score's grade is not held back and so has no message in the rating.
    """
    applied = rating.get("knock_outs")
    if applied is None:
        return None
    loan = rating.get("green_loan") or {}
    rationale = [str(s) for s in loan.get("rationale") or []]
    rationale_zh = [str(s) for s in loan.get("rationale_zh") or []]
    held = {
        str(h.get("knock_out")): h
        for h in (rating.get("path_to_next_grade") or {}).get("held_back_by") or []
        if h.get("reason") == "knock_out"
    }
    caps = []
    for k in applied:
        ko_id = str(k["id"])
        name, name_zh = str(k.get("name") or ko_id), k.get("name_zh")
        trigger, trigger_zh = _facts(rationale, rationale_zh, ko_id)
        if ko_id in held:
            said = held[ko_id]
            remedy = _after_first(str(said.get("message") or ""), ": the grade is capped at ", ". ")
            message_zh = said.get("message_zh")
            remedy_zh = None if not message_zh else _after_first(str(message_zh), "：评级上限为", "。")
        else:
            label = str((rating.get("versions") or {}).get("standard", ""))
            remedy, remedy_zh = _standard_remedies(label).get(ko_id, ("", ""))
        caps.append({
            "id": ko_id,
            "name": name,
            "name_zh": name_zh,
            "cap_grade": k.get("cap_grade"),
            "blocks_green_loan": bool(k.get("blocks_green_loan")),
            "trigger": trigger,
            "trigger_zh": trigger_zh,
            "remedy": remedy or None,
            "remedy_zh": remedy_zh or None,
        })
    return caps


def build_disclosure(rating: Mapping[str, Any], operating: Mapping[str, Any]) -> dict[str, Any]:
    """The IFRS S2-shaped disclosure of one issued rating.

    Parameters
    ----------
    rating:
        The stored rating JSON (with ``id``, ``issued_at`` and ``valid_until``).
    operating:
        The stored canonical operating data the rating was computed from.

    Returns
    -------
    dict
        ``rating`` (id, dates, score, grade, the grade the score alone earns, the knock-outs that cap it,
        pillars, versions), ``company``, the five IFRS S2 sections
        (each item ``disclosed``, ``not_applicable`` or ``not_available``), ``inventory``,
        ``reported_emissions`` (the business's own inventory beside it, or ``not_reported``: from
        disclosure 1.2, :func:`rating_model.disclosure_reported.reported_inventory`), ``factor_sources``
        and ``data_quality``.
    """
    summary = rating.get("issb_summary", {})
    doc: dict[str, Any] = {
        "disclosure_version": DISCLOSURE_VERSION,
        "framework": "IFRS S2 Climate-related Disclosures (June 2023), proportionate to a small business",
        "rating": {
            "id": rating.get("id"),
            "issued_at": rating.get("issued_at"),
            "valid_until": rating.get("valid_until"),
            "score": rating["score"],
            "grade": rating["grade"],
            "score_grade": rating.get("score_grade", rating["grade"]),
            "knock_outs": grade_caps(rating),
            "pillars": rating.get("pillars", []),
            "versions": rating.get("versions", {}),
        },
        "company": _company(operating),
    }
    for section in IFRS_S2_SECTIONS:
        doc[section] = summary.get(section, {})
    doc["inventory"] = inventory(rating)
    doc["reported_emissions"] = reported_inventory(rating)
    doc["factor_sources"] = factor_sources(rating)
    doc["data_quality"] = data_quality_statement(rating, operating)
    doc["carbon_credits_note"] = rating.get("neutrality", {}).get("note")
    return doc
