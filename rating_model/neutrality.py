"""Reduction, substitution and offsets (the three levers of an operational neutrality claim), and equivalents.

Credits are never netted from gross emissions: IFRS S2 reports gross Scope 1-3 and asks only for disclosure
of the planned use of credits for net targets (para 36(e)); PCAF reports clients' credits separately. The
net figure here is a separate, labelled claim.

Reduction is measured like for like: the previous year's Scope 1+2 (location based) is recomputed with the
*current* year's factors, and only over the input fields given in both years (each field as a whole, so a
fuel switch counts), so grid decarbonisation, a field left out this year or a figure estimated in either
year is not credited to the firm as its own reduction.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, NamedTuple

from rating_model.factors import FactorSet
from rating_model.line_items import ESTIMATED, Context, LineItem
from rating_model.operating_data import Energy, OperatingData, counted_green_kwh
from rating_model.rounding import round_float, round_tco2e
from rating_model.scope12 import scope12_lines

CREDITS_NOTE = (
    "Carbon credits are reported separately and never netted from gross emissions (IFRS S2 para 29(a)(i) "
    "asks for gross emissions; PCAF Standard Part A). net_scope12_after_credits is a separate "
    "operational-neutrality claim; IFRS S2 para 36(e) asks how credits are planned to be used toward a net "
    "target."
)
#: The note before engine 2.8, which cited para 36(e) for the gross rule (it is 29(a)(i)): ratings stored
#: with it are served as issued, and the disclosure page still translates it
CREDITS_NOTE_2_7 = (
    "Carbon credits are reported separately and never netted from gross emissions (IFRS S2 para 36(e); "
    "PCAF Standard Part A). The net figure is a separate operational-neutrality claim."
)


_TCO2E_FIELDS = (
    "reduction",
    "substitution",
    "offsets_tco2e",
    "net_scope12_after_credits",
    "surplus_credits_tco2e",
    "compared_previous_tco2e",
    "compared_current_tco2e",
)


class Neutrality(NamedTuple):
    """The reduction / substitution / offset picture of a year, next to (never inside) the gross inventory.

    Attributes
    ----------
    reduction:
        tCO2e. Previous-year Scope 1+2 (location, current factors) minus this year's, like for like,
        floored at 0; ``None`` without comparable previous-year data.
    substitution:
        tCO2e. Renewable electricity (green-contracted + on-site) x the location grid factor: emissions the
        renewable power displaced.
    offsets_tco2e, offsets_by_type, offsets_by_standard:
        Retired credits in total, by avoidance/removal and by standard (CCER, VCS, GS, other).
    net_scope12_after_credits:
        Market-based Scope 1+2 minus offsets, floored at 0: credits beyond the emissions they cover are
        ``surplus_credits_tco2e``, never a negative net (a "net negative" business from unbundled
        certificates and avoidance credits is a claim no standard supports; credit review).
    surplus_credits_tco2e:
        Credits retired beyond market-based Scope 1+2 (0 when they do not cover it).
    change_pct:
        Signed like-for-like change of Scope 1+2 on the previous year in percent (negative is a cut);
        ``None`` without comparable previous-year data. The standard's ``emissions_change`` indicator.
    compared_previous_tco2e, compared_current_tco2e:
        The two sides of that comparison: Scope 1+2 (location-based) of the activities reported in both
        years, the previous year's at this year's factors. ``None`` without comparable previous-year data.
        They are the comparative figures the IFRS S2 summary discloses.
    operationally_neutral:
        Market-based Scope 1+2 is zero or covered by the credits retired, on complete data: electricity,
        site fuels and the fleet (and heat where the standard asks for it) each answered or estimated, and
        the refrigerant recharged answered (``[]`` for none; engine 2.12): fugitive emissions are Scope 1,
        and a claim beside a disclosure saying Scope 1 leaves out refrigerant leaks is no claim. A
        zero with one of them not answered is a zero by omission (a road-freight firm without its fleet
        had been "neutral"), and credits covering only the part reported are no better: a neutrality
        claim covers the whole Scope 1+2 boundary (ISO 14068-1, PAS 2060), so 40 t of credits against the
        electricity of a freight firm that left its fleet out had been "neutral" (GHG-accounting audit).
    """

    # The public contract's names (api-v1.md, binding): ``reduction`` and ``substitution``, both in tCO2e.
    reduction: float | None
    substitution: float
    offsets_tco2e: float
    offsets_by_type: dict[str, float]
    offsets_by_standard: dict[str, float]
    net_scope12_after_credits: float
    operationally_neutral: bool
    reduction_basis: str
    change_pct: float | None = None
    compared_previous_tco2e: float | None = None
    compared_current_tco2e: float | None = None
    surplus_credits_tco2e: float = 0.0
    note: str = CREDITS_NOTE
    #: ``reduction_basis`` in Chinese, for the IFRS S2 comparative's ``note_zh``; not in ``to_dict``: the
    #: rating's neutrality section states its basis in English
    reduction_basis_zh: str = ""
    #: the input fields the comparison compared (``energy.electricity_kwh``, ``transport.fleet``, ...): what
    #: the change rests on, read by the standard's rules (not published: ``reduction_basis`` names them)
    compared_fields: tuple[str, ...] = ()
    #: the input fields with emissions that the comparison left out: given in one year only, or estimated
    #: in either (standard 1.8.0's ``score.year_on_year``: the change then compares the rest alone, and
    #: leaving last year's electricity out had turned +13 % into -17 %); a field given as none or 0 in one
    #: year is not among them, since comparing it could only lower the change
    uncompared_fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-able copy, tCO2e figures rounded like the inventory's (:func:`round_tco2e`) and the change
        to 0.01 %: they had read 429.81831999999997 beside an inventory of 4 decimals."""
        out = self._asdict()
        del out["reduction_basis_zh"]
        del out["compared_fields"]
        del out["uncompared_fields"]
        for name in _TCO2E_FIELDS:
            value = out[name]
            out[name] = None if value is None else round_tco2e(value)
        out["offsets_by_type"] = {k: round_tco2e(v) for k, v in self.offsets_by_type.items()}
        out["offsets_by_standard"] = {k: round_tco2e(v) for k, v in self.offsets_by_standard.items()}
        if self.change_pct is not None:
            out["change_pct"] = round_float(self.change_pct, 2) + 0.0  # + 0.0: no "-0.0" for no change
        return out


class Equivalents(NamedTuple):
    """Plain-language equivalents of the total; each states its own basis."""

    cars_off_road_per_year: float
    basis: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (cars to two decimals: 15.36536633004926 cars was noise, not precision)."""
        return {"cars_off_road_per_year": round_float(self.cars_off_road_per_year, 2), "basis": self.basis}


#: A Scope 1/2 line's category -> the input field it comes from, which is what is compared across years.
#: Fuels and vehicles are compared as a whole: a switch from coal to gas, or from diesel vans to EVs, is
#: the reduction a business makes, not an activity to leave out.
_FIELD_OF_CATEGORY = {
    "purchased_electricity": "energy.electricity_kwh",
    "purchased_heat": "energy.purchased_heat_gj",
    "stationary_combustion": "energy.fuels",
    "mobile_combustion": "transport.fleet",
    "ev_charging": "transport.fleet",
}
#: How the comparison's basis names each field, in English and in Chinese.
_FIELD_LABEL = {
    "energy.electricity_kwh": ("purchased electricity", "外购电力"),
    "energy.purchased_heat_gj": ("purchased heat", "外购热力"),
    "energy.fuels": ("stationary fuels", "固定燃烧燃料"),
    "transport.fleet": ("fleet", "车队"),
}


def _labels(fields: list[str]) -> tuple[str, str]:
    """``fields`` named as a list in running text, in English and in Chinese."""
    return ", ".join(_FIELD_LABEL[f][0] for f in fields), "、".join(_FIELD_LABEL[f][1] for f in fields)


def _location_by_field(
    lines: list[LineItem], energy: Energy, fleet_answered: bool
) -> tuple[dict[str, float], set[str]]:
    """Location-based Scope 1/2 of a year by input field (see :data:`_FIELD_OF_CATEGORY`), and the fields
    with an estimated line (a sector default, a vehicle priced at the seed's distance).

    ``"fuels": []`` (no fuel burned on site), ``"fleet": []`` (no vehicles) and 0 GJ of heat (which has no
    line) are answers, compared as 0; a list or a figure left out is not. A fleet given is compared even
    without a priced line (EVs charged on the premises are in the electricity). Market-based lines and
    on-site renewables (no emissions) are not compared.
    """
    totals: dict[str, float] = {}
    if energy.fuels is not None:
        totals["energy.fuels"] = 0.0
    if energy.purchased_heat_gj is not None:
        totals["energy.purchased_heat_gj"] = 0.0
    if fleet_answered:
        totals["transport.fleet"] = 0.0
    estimated: set[str] = set()
    for line in lines:
        if line.scope in (1, 2) and line.scope2_basis != "market":
            field = _FIELD_OF_CATEGORY.get(line.category)
            if field is not None:
                totals[field] = totals.get(field, 0.0) + line.tco2e
                if line.quality == ESTIMATED:
                    estimated.add(field)
    return totals, estimated


class _Comparison(NamedTuple):
    """Scope 1+2 of this year against the previous year's, like for like (see :func:`_reduction`)."""

    reduction: float | None
    change_pct: float | None
    basis: str
    basis_zh: str
    previous: float | None = None
    current: float | None = None
    fields: tuple[str, ...] = ()
    uncompared: tuple[str, ...] = ()


def _filled(field: str, estimated: frozenset[str]) -> bool:
    """Whether ``field`` or a part of it (``energy.fuels.0``) was filled from the standard's defaults."""
    return field in estimated or any(path.startswith(field + ".") for path in estimated)


def _factors_named(compared: list[LineItem], ctx: Context) -> tuple[str, str]:
    """Which factors both years were priced at, named truly: this year's factor set, and the grid factor
    with its own year where a compared line used it (cn-2024.2 prices 2024 at the 2023 grid; the basis had
    said "both years at 2024 factors"). Only location-based figures are compared, so no residual factor.
    In English and in Chinese."""
    version = ctx.factor_set.version
    text = f"both years at this year's factors (factor set {version}"
    zh = f"两个年度均按本年度排放因子计算（排放因子集 {version}"
    grid = ctx.grid
    if any(line.factor_id == grid.id for line in compared):
        has_year = grid.year is not None
        text += f"; electricity at {grid.id}" + (f", the {grid.year} grid factor" if has_year else "")
        zh += f"；电力按 {grid.id}" + (f"，即 {grid.year} 年电网排放因子" if has_year else "")
    return text + ")", zh + "）"


def _reduction(data: OperatingData, current: list[LineItem], ctx: Context) -> _Comparison:
    """The reduction (floored at 0), the signed change in percent, its basis and both sides, like for like.

    Like for like means: the previous year priced at this year's factors (grid decarbonisation is not the
    firm's own reduction), over the input fields given in both years (electricity, purchased heat, site
    fuels, the fleet), each compared as a whole. A field given in one year only, or with an estimated
    figure in either year (filled from the standard's sector defaults, or vehicles at the seed's
    distance), is left out and named: an estimate is not a measured change.
    """
    previous = data.previous_year
    if previous is None:
        return _Comparison(None, None, "no previous_year data", "无上一年度数据")
    own = ctx.apart()  # the previous year's factors and notes are not this year's inventory's
    lines, _, _, _ = scope12_lines(previous.energy, previous.transport.vehicles, own, prefix="previous_year.")
    before, guessed_before = _location_by_field(lines, previous.energy, previous.transport.fleet is not None)
    now, guessed_now = _location_by_field(current, data.energy, data.transport.fleet is not None)
    for field in [f for f in now if f not in before and _filled(f, ctx.estimated)]:
        del now[field]  # not reported in either year (filled from sector defaults): nothing to say
    both = [f for f in _FIELD_LABEL if f in before and f in now]
    estimated = [f for f in both if f in guessed_before or f in guessed_now]
    common = [f for f in both if f not in estimated]
    guessed = ("", "")
    if estimated:
        names = _labels(estimated)
        guessed = (f"; left out (estimated, this year or last): {names[0]}",
                   f"；未纳入（本年度或上一年度为估算数据）：{names[1]}")
    if not common:
        return _Comparison(
            None, None, "previous_year has no Scope 1/2 activity in common with this year" + guessed[0],
            "上一年度与本年度没有共同的范围一/范围二活动" + guessed[1],
        )
    # left out of the comparison with emissions in a year it was given: what a comparison of the rest hides
    # (a field at 0 in the one year it was given could only lower the change: never listed)
    uncompared = tuple(f for f in _FIELD_LABEL if (f in estimated or (f in before) != (f in now))
                       and max(before.get(f, 0.0), now.get(f, 0.0)) > 0)
    total_before = math.fsum([before[f] for f in common])
    total_now = math.fsum([now[f] for f in common])
    change = total_before - total_now
    # + 0.0: no change is 0.0, not -0.0 (-(0.0) / x), which the emissions_change indicator showed as "-0.0"
    change_pct = -change / total_before * 100.0 + 0.0 if total_before > 0 else None
    if change_pct is not None and not math.isfinite(change_pct):
        change_pct = None  # a vanishing previous year (e.g. 1e-311 kWh) has no meaningful percentage
    compared_lines = [
        line
        for line in (*lines, *current)
        if line.scope2_basis != "market" and _FIELD_OF_CATEGORY.get(line.category) in common
    ]
    fields, factors = _labels(common), _factors_named(compared_lines, ctx)
    basis = f"like for like over {fields[0]}, {factors[0]}"
    basis_zh = f"按可比口径比较{fields[1]}，{factors[1]}"
    one_year = [f for f in _FIELD_LABEL if (f in before) != (f in now)]
    if one_year:
        names = _labels(one_year)
        basis += f"; left out (reported in one year only): {names[0]}"
        basis_zh += f"；未纳入（仅一个年度有报告）：{names[1]}"
    basis += guessed[0]
    basis_zh += guessed[1]
    # Factors that priced the compared part of the previous year only (say, its fleet given in km, this
    # year's in litres) are named here, not among the inventory's factors.
    compared = {
        line.factor_id
        for line in lines
        if line.scope2_basis != "market" and _FIELD_OF_CATEGORY.get(line.category) in common
    }
    only_before = [ref_id for ref_id in own.refs if ref_id in compared and ref_id not in ctx.refs]
    if only_before:
        basis += f"; previous_year also priced with {', '.join(only_before)}"
        basis_zh += f"；上一年度另使用了 {'、'.join(only_before)}"
        proxies = [ref_id for ref_id in own.proxies if ref_id in only_before]
        if proxies:
            basis += f" (UK DESNZ/DEFRA 2025 proxies: {', '.join(proxies)})"
            basis_zh += f"（英国 DESNZ/DEFRA 2025 年替代因子：{'、'.join(proxies)}）"
    return _Comparison(
        max(change, 0.0), change_pct, basis, basis_zh, total_before, total_now, tuple(common), uncompared
    )


def neutrality(
    data: OperatingData,
    scope12_lines_now: list[LineItem],
    scope12_market: float,
    scope12_unreported: bool,
    ctx: Context,
) -> Neutrality:
    """Neutrality figures for the year; ``scope12_lines_now`` are this year's Scope 1/2 lines.

    ``scope12_unreported``: some Scope 1 or 2 input (electricity, site fuels, the fleet, the refrigerant
    recharged) was neither given nor estimated, so market-based Scope 1+2 is partial: neither its zero nor
    credits covering it are evidence of neutrality.
    """
    compared = _reduction(data, scope12_lines_now, ctx)
    energy = data.energy
    renewable_kwh = (counted_green_kwh(energy, data.company.reporting_year)
                     + (energy.onsite_renewable_kwh or 0.0))
    substitution = renewable_kwh * ctx.grid.value / 1000.0
    by_type: dict[str, float] = {}
    by_standard: dict[str, float] = {}
    total = 0.0
    for offset in data.offsets:
        total += offset.tco2e
        by_type[offset.type] = by_type.get(offset.type, 0.0) + offset.tco2e
        by_standard[offset.standard] = by_standard.get(offset.standard, 0.0) + offset.tco2e
    net = scope12_market - total
    # decided on the figures as shown (to 0.1 kg): never "net 0.0" beside "not neutral"; and on complete
    # data only, with credits as without: credits cover the Scope 1+2 reported, not what was left out
    covered = (total > 0 and round_tco2e(net) <= 0) or scope12_market == 0
    neutral = covered and not scope12_unreported
    return Neutrality(
        compared.reduction,
        substitution,
        total,
        by_type,
        by_standard,
        max(net, 0.0),
        neutral,
        compared.basis,
        compared.change_pct,
        compared.previous,
        compared.current,
        max(-net, 0.0) + 0.0,  # + 0.0: credits exactly covering it leave 0.0 surplus, not -0.0
        CREDITS_NOTE,
        compared.basis_zh,
        compared.fields,
        compared.uncompared,
    )


@lru_cache(maxsize=8)
def _per_car(fs: FactorSet) -> tuple[float, str]:
    km = fs.get("road.car.seed_annual_km").value
    per_km = fs.get("road.car.seed_average").value
    per_car = km * per_km / 1000.0
    return per_car, (
        f"one car = {km:g} km/yr x {per_km:g} kgCO2e/km = {per_car:g} tCO2e/yr "
        "(Ant Group 2022 assumption)"
    )


def equivalents(total_tco2e: float, ctx: Context) -> Equivalents:
    """Cars off the road for a year, at the seed's 12,000 km x 0.203 kgCO2e/km (= 2.436 t per car)."""
    per_car, basis = _per_car(ctx.factor_set)
    return Equivalents(total_tco2e / per_car, basis)
