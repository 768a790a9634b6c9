"""Scope 3 lines an SME can report: business travel (cat. 6), water (cat. 1), waste and wastewater (cat. 5).

No China factors exist for these activities, so the UK DESNZ/DEFRA 2025 factors are used as declared proxies
(the inventory says so in its fallbacks). Hazardous waste has no known factor at all: it is listed as
"not available" and left out, never estimated.
"""

from __future__ import annotations

from rating_model.line_items import Context, LineItem
from rating_model.operating_data import TRAVEL_MODES, Resources, TravelItem

CAT1_WATER = "cat1_water_supply"
CAT5_WASTE = "cat5_waste"
CAT6_TRAVEL = "cat6_business_travel"
#: the GHG Protocol's names of the categories, as IFRS S2 29(a)(vi) asks them named (the English note had
#: given the inventory's keys, ``cat1_water_supply``; engine 2.8, an IFRS S2 reviewer)
CATEGORY_EN = {
    CAT1_WATER: "category 1 (purchased goods and services: water supply)",
    CAT5_WASTE: "category 5 (waste generated in operations, wastewater included)",
    CAT6_TRAVEL: "category 6 (business travel)",
}
#: each category as a Chinese reader names it (the IFRS S2 summary's notes, beside :data:`CATEGORY_EN`)
CATEGORY_ZH = {
    CAT1_WATER: "类别 1（外购商品：供水）",
    CAT5_WASTE: "类别 5（废弃物与污水处理）",
    CAT6_TRAVEL: "类别 6（商务差旅）",
}
_TRAVEL = {mode: ("travel." + mode, "business travel by " + mode.replace("_", " ")) for mode in TRAVEL_MODES}
_CAR_NOTE = (
    "business travel by car: the DEFRA factor is per vehicle-km; passenger_km is counted as vehicle-km "
    "(one traveller per car, conservative)",
    "商务差旅（乘车）：DEFRA 排放因子按车公里计；填报的人公里数按车公里计算（每车只算一名出行者，取保守值）",
)


def travel_lines(travel: tuple[TravelItem, ...], ctx: Context, out: list[LineItem]) -> None:
    """Business travel by mode: passenger-km x the mode's factor."""
    for index, trip in enumerate(travel):
        path = f"transport.business_travel.{index}"
        activity, text = _TRAVEL[trip.mode]
        record = ctx.factor(activity, path + ".mode")
        if trip.mode == "car":
            ctx.assume(*_CAR_NOTE)
        pkm = trip.passenger_km
        out.append(
            LineItem(
                path,
                text,
                3,
                CAT6_TRAVEL,
                pkm,
                record.activity_unit or "pkm",
                pkm * record.value / 1000.0,
                record.id,
                ctx.quality(path + ".passenger_km"),
            )
        )


def water_lines(resources: Resources, ctx: Context, out: list[LineItem]) -> None:
    """Water supplied (category 1) and the same volume treated as wastewater (category 5)."""
    m3 = resources.water_m3
    if m3 is None:
        return
    path = "resources.water_m3"
    quality = ctx.quality(path)
    supply = ctx.factor("water.supply", path)
    treatment = ctx.factor("water.treatment", path)
    out.append(
        LineItem(
            path, "water supply", 3, CAT1_WATER, m3, "m3", m3 * supply.value / 1000.0, supply.id, quality
        )
    )
    out.append(
        LineItem(
            path,
            "wastewater treatment (volume = water supplied)",
            3,
            CAT5_WASTE,
            m3,
            "m3",
            m3 * treatment.value / 1000.0,
            treatment.id,
            quality,
        )
    )
    ctx.assume("wastewater volume is taken to equal the water supplied", "废水量按供水量计")


def _waste_line(
    ctx: Context, out: list[LineItem], path: str, activity: str, text: str, tonnes: float
) -> None:
    """One category 5 line: ``tonnes`` of the waste stream at ``path`` times its factor per tonne."""
    factor = ctx.factor(activity, path)
    kg = tonnes * factor.value
    out.append(LineItem(path, text, 3, CAT5_WASTE, tonnes, "t", kg / 1000.0, factor.id, ctx.quality(path)))


def waste_lines(resources: Resources, ctx: Context, out: list[LineItem]) -> None:
    """Recycled waste at the recycling factor, hazardous waste excluded, food waste to landfill at its own
    factor, the rest at the landfill factor of mixed commercial waste."""
    total = resources.waste_t
    if total is None:
        return
    recycled = resources.waste_recycled_t or 0.0
    hazardous = resources.hazardous_waste_t or 0.0
    food = min(resources.food_waste_t or 0.0, max(total - recycled - hazardous, 0.0))
    rest = max(total - recycled - hazardous - food, 0.0)
    if food > 0:
        food_text = "food and drink waste to landfill"
        _waste_line(ctx, out, "resources.food_waste_t", "waste.food.landfill", food_text, food)
    other = " (other than food)" if food > 0 else ""
    _waste_line(ctx, out, "resources.waste_t", "waste.landfill",
                "non-recycled, non-hazardous waste to landfill" + other, rest)
    ctx.assume("non-recycled waste is taken to go to landfill (conservative where the route is unknown)",
               "未回收的废弃物按填埋处理计（处置去向未知时取保守值）")
    if recycled > 0:
        _waste_line(ctx, out, "resources.waste_recycled_t", "waste.recycling",
                    "recycled waste (transport to recycling only)", recycled)
    if hazardous > 0:
        ctx.exclude(
            f"resources.hazardous_waste_t: {hazardous:g} t reported, but no emission factor for hazardous "
            "waste is known; excluded from Scope 3 category 5",
            f"危险废物：已报告 {hazardous:g} 吨，但没有已知的危险废物排放因子；"
            "未计入范围三类别 5",
        )


def scope3_lines(travel: tuple[TravelItem, ...], resources: Resources, ctx: Context) -> list[LineItem]:
    """Every Scope 3 line of the reporting year."""
    out: list[LineItem] = []
    travel_lines(travel, ctx, out)
    water_lines(resources, ctx, out)
    waste_lines(resources, ctx, out)
    return out
