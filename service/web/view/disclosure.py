"""The disclosure page's item values as text, with the text's language where it is not the page's.

The disclosure is rendered by :mod:`service.disclosure.render`, for the API as well as this page; the page
gives its templates :func:`disclosure_value`, so that numbers, the estimated fields and the data-quality
figures are said in the page's language and the engine's English prose is marked as English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rating_model.green_loan import COMPUTED_BEST_PCAF_SCORE
from service.disclosure.render import num, pct, percent_sign, show
from service.web.i18n import money, texts
from service.web.labels import data_source_label, use_of_proceeds_words
from service.web.view.notes import estimated_fields


def _sentences_zh(value_zh: Any) -> str:
    """An item's ``value_zh`` as running Chinese text: a list's sentences one after another, those without a
    full stop of their own ended by "；" (the English page joins them with "; ")."""
    if not isinstance(value_zh, list | tuple):
        return str(value_zh)
    said = [str(v) for v in value_zh]
    return "".join(s if s.endswith("。") else s + "；" for s in said).removesuffix("；") or "-"


#: A scope's number in words in Chinese (范围一), as the page's labels write it
_SCOPE_ZH = {1: "一", 2: "二", 3: "三"}


def _figure(value: Any) -> str:
    """A figure as recorded, without padding zeros: 40.0 is "40", 2.5 "2.5" (four decimals at most)."""
    return f"{float(value):.4f}".rstrip("0").rstrip(".")


def _scopes(scopes: Any, lang: str) -> str:
    t = texts(lang)
    said = [t["target_scope"].format(n=_SCOPE_ZH.get(s, s) if lang == "zh" else s) for s in scopes or ()]
    if len(said) < 2:
        return "".join(said)
    head = ("、" if lang == "zh" else ", ").join(said[:-1])
    return head + t["target_scopes_and"] + said[-1]


def _target(row: Mapping[str, Any], lang: str) -> str:
    """A GHG target (``metrics_and_targets.targets``, ``strategy.transition_plan``) in words:
    "Scope 1 and Scope 2: 40% below 2023 by 2030", then what the business stated of it (schema 1.14), in
    brackets: " (intensity target; gases CO2, CH4; gross of carbon credits; validated by SBTi)"."""
    t = texts(lang)
    item = t["target_item"].format(
        scopes=_scopes(row.get("scopes"), lang),
        reduction=_figure(row.get("reduction_pct")) + percent_sign(lang),
        base_year=row.get("base_year"),
        target_year=row.get("target_year"),
    )
    said = []
    kind = row.get("kind")
    if kind in ("absolute", "intensity"):
        said.append(t["target_" + kind])
    gases = row.get("gases")
    if isinstance(gases, list) and gases:
        said.append(t["target_gases"].format(gases=("、" if lang == "zh" else ", ").join(map(str, gases))))
    net = row.get("net_of_credits")
    if isinstance(net, bool):
        said.append(t["target_net" if net else "target_gross"])
    validator = row.get("validated_by")
    if validator:
        said.append(t["target_validated_by"].format(validator=validator))
    return item + t["target_stated"].format(parts=t["semicolon"].join(said)) if said else item


def _credit(row: Mapping[str, Any], lang: str) -> str:
    """A carbon credit the business reports (``metrics_and_targets.carbon_credits``) in words."""
    t = texts(lang)
    kind = str(row.get("type"))
    text = t["credit_item"].format(
        standard=row.get("standard"), tco2e=_figure(row.get("tco2e")), kind=t.get("credit_" + kind, kind)
    )
    vintage = row.get("vintage")
    return text if vintage is None else text + t["credit_vintage"].format(vintage=vintage)


def _records(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, Mapping) for v in value)


def disclosure_value(
    key: str, value: Any, lang: str, value_zh: Any = None, standard: str = ""
) -> dict[str, str | None]:
    """A disclosure item's value as text, and its language when that is not the page's (engine prose).

    Numbers and names (the factor set's version) need no language; the estimated fields and the data-quality
    figures are labelled here; a value the engine says in Chinese too (``value_zh``, engine 1.9) is shown so
    on the Chinese page; any other value is the engine's English (sentences, lists, records) and is marked
    ``lang="en"``. ``standard`` is the rating's ``versions.standard``, whose words name a loan's use of
    proceeds.
    """
    t = texts(lang)
    if lang == "zh" and value_zh is not None:
        return {"text": _sentences_zh(value_zh), "lang": None}
    # a 0-1 share (29(d)), as the strategy's own sentence says it: "0.1500" read as 0.15 %
    if key == "climate_opportunities" and isinstance(value, int | float) and not isinstance(value, bool):
        return {"text": pct(value, lang), "lang": None}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"text": show(value), "lang": None}
    if isinstance(value, str) and value and not any(c.isspace() for c in value):
        return {"text": value, "lang": None}
    if key == "estimates" and isinstance(value, list):
        return {"text": estimated_fields([str(v) for v in value], lang), "lang": None}
    if key == "data_quality" and isinstance(value, Mapping):
        pcaf = value.get("pcaf_score")
        better = isinstance(pcaf, int) and pcaf < COMPUTED_BEST_PCAF_SCORE  # beside computed emissions
        text = t["dq_item"].format(
            pcaf=f"{pcaf}{t['dq_item_source']}" if better else pcaf,
            completeness=f"{float(value.get('completeness') or 0):.0%}",
            fields=estimated_fields(list(value.get("estimated_fields") or []), lang),
            source=data_source_label(str(value.get("data_source")), lang),
        )
        return {"text": text, "lang": None}
    if key == "scope12_comparative" and isinstance(value, Mapping):
        change = value.get("change_pct")
        text = t["comparative_item"].format(
            previous=num(value.get("previous_year_tco2e")),
            current=num(value.get("reporting_year_tco2e")),
            change=t["not_computed"] if change is None else f"{float(change):+.1f}{percent_sign(lang)}",
        )
        return {"text": text, "lang": None}
    if key in ("targets", "transition_plan") and _records(value) and value:
        return {"text": t["semicolon"].join(_target(row, lang) for row in value), "lang": None}
    if key == "carbon_credits" and _records(value) and value:
        return {"text": t["semicolon"].join(_credit(row, lang) for row in value), "lang": None}
    if key == "capital_deployment" and isinstance(value, Mapping):
        text = t["capital_item"].format(
            amount=money(value.get("amount"), value.get("currency"), lang),
            use=use_of_proceeds_words(str(value.get("use_of_proceeds")), standard, lang),
        )
        return {"text": text, "lang": None}
    return {"text": show(value), "lang": None if lang == "en" else "en"}
