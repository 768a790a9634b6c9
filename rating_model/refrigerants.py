"""Scope 1 fugitive emissions of refrigerants: the kg recharged in the year x the gas's GWP100.

The GHG Protocol's HFC guidance offers three ways to estimate refrigerant leaks: a screening method (charge x
an assumed leak rate by equipment type), a full mass balance (inventory change + purchases - disposals -
capacity added) and its simplified form for a business that only services its equipment, the "top-up": what
is charged into existing equipment in the year replaced what leaked from it. A small business knows its
service invoices (kg of R-410A topped up), not its inventory of gas, and no leak rate is invented here, so
the top-up is the method: ``refrigerants[].recharged_kg`` x the factor set's GWP100 of ``gas``.

The GWP100 values are the factor set's (``refrigerant.<gas>``, kgCO2e/kg, cited per record), on the same IPCC
report as its other CO2e records. A gas without a value in the set is refused, naming the field, never priced
at a guess. R-22 (HCFC-22) is a Montreal Protocol gas outside the seven the Corporate Standard counts in the
scopes: its CO2e is said beside the inventory (an exclusion of the IFRS S2 basis, ``emissions.not_available``)
and never added to Scope 1.
"""

from __future__ import annotations

from rating_model.exceptions import FactorNotFoundError
from rating_model.line_items import Context, LineItem
from rating_model.operating_data import RefrigerantUse

#: Refrigerants whose emissions the GHG Protocol keeps out of the scopes (not CO2, CH4, N2O, an HFC, a PFC,
#: SF6 or NF3): HCFC-22, controlled under the Montreal Protocol
OUTSIDE_SCOPES = frozenset({"R-22"})
CATEGORY = "fugitive_refrigerant"


def _refused(ctx: Context, gas: str, field: str) -> FactorNotFoundError:
    """The refusal of a gas the set has no GWP for, with the set's own reason when it gives one."""
    activity = "refrigerant." + gas
    version = ctx.factor_set.version
    reasons = ctx.factor_set.manifest.not_available
    reason = next((item["reason"] for item in reasons if activity in item.get("activity", "")), None)
    if reason is None and not any(a.startswith("refrigerant.") for a in ctx.singles):
        reason = "Refrigerants are priced from factor set cn-2024.6 on."
    return FactorNotFoundError(
        f"no GWP100 for refrigerant {gas!r} in factor set {version}. {reason or ''}".strip(), field=field
    )


#: The top-up method's assumption, as the basis of preparation lists it.
TOP_UP_NOTE = (
    "refrigerant recharged in the year is taken to equal what leaked (the GHG Protocol's simplified mass "
    "balance; the charge of equipment installed or disposed of is not counted)",
    "本年度补充的制冷剂量按泄漏量计（温室气体核算体系的简化质量平衡法；新装或报废设备的充注量不计入）",
)


def refrigerant_lines(items: tuple[RefrigerantUse, ...] | None, ctx: Context, out: list[LineItem]) -> None:
    """Append a Scope 1 line per refrigerant recharged (R-22's CO2e is said beside the scopes instead).

    Raises
    ------
    FactorNotFoundError
        A gas with more than 0 kg recharged that the factor set has no GWP100 for (``refrigerants.<i>.gas``).
    """
    for index, use in enumerate(items or ()):
        if not use.recharged_kg:
            continue  # nothing leaked: no line, and no value needed (a wide export writes zeros)
        path = f"refrigerants.{index}"
        record = ctx.singles.get("refrigerant." + use.gas)
        if record is None:
            raise _refused(ctx, use.gas, path + ".gas")
        assert record.kg_per_unit is not None
        tco2e = use.recharged_kg * record.kg_per_unit / 1000.0
        if use.gas in OUTSIDE_SCOPES:
            ctx.exclude(
                f"{use.gas} (HCFC-22) recharged, {use.recharged_kg:g} kg ({path}): {tco2e:.3f} tCO2e at its "
                f"GWP100 of {record.value:g} ({record.id}), reported here and not in Scope 1: an HCFC "
                "controlled under the Montreal Protocol is not among the gases the GHG Protocol counts in "
                "the scopes",
                f"补充的 {use.gas}（HCFC-22）制冷剂 {use.recharged_kg:g} 千克（{path}）：按其 GWP100 值 "
                f"{record.value:g}（{record.id}）折算为 {tco2e:.3f} 吨二氧化碳当量，"
                "在此单独列示、未计入范围一：HCFC 属《蒙特利尔议定书》管控物质，"
                "不在温室气体核算体系计入各范围的温室气体之列",
            )
            continue
        ctx.use(record)
        # the method's one assumption, said where IFRS S2 29(a)(iii) asks for assumptions: the summary had
        # said "No measurement assumption was needed." beside a Scope 1 resting on it
        ctx.assume(*TOP_UP_NOTE)
        out.append(
            LineItem(
                path,
                f"{use.gas} refrigerant recharged to replace leaks ({use.recharged_kg:g} kg x GWP100 "
                f"{record.value:g})",
                1,
                CATEGORY,
                use.recharged_kg,
                "kg",
                tco2e,
                record.id,
                ctx.quality(path + ".recharged_kg"),
            )
        )
