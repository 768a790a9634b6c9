"""The one table of units the engine understands, and the only place quantities change unit.

Every quantity in operating data carries its unit explicitly (``energy.fuels[].unit``,
``transport.fleet[].unit``); a unit this module does not know, or one of the wrong dimension, is refused
with :class:`~rating_model.exceptions.UnknownUnitError` naming the input field, instead of being guessed.
Conversions between dimensions (litres of diesel to kilograms, gigajoules of gas to cubic metres) need a
physical property of the fuel, so they live in :func:`fuel_quantity` and take that property explicitly.
"""

from __future__ import annotations

from rating_model.exceptions import UnknownUnitError

#: canonical unit -> (dimension, size in the dimension's base unit). Bases: MJ, L, kg, km.
_UNITS: dict[str, tuple[str, float]] = {
    "kWh": ("energy", 3.6),
    "MWh": ("energy", 3600.0),
    "MJ": ("energy", 1.0),
    "GJ": ("energy", 1000.0),
    "TJ": ("energy", 1_000_000.0),
    "L": ("volume", 1.0),
    "m3": ("volume", 1000.0),
    "kg": ("mass", 1.0),
    "t": ("mass", 1000.0),
    "km": ("distance", 1.0),
}

#: accepted spellings (compared case-insensitively) -> canonical unit
_ALIASES: dict[str, str] = {
    "kwh": "kWh",
    "mwh": "MWh",
    "mj": "MJ",
    "gj": "GJ",
    "tj": "TJ",
    "l": "L",
    "litre": "L",
    "litres": "L",
    "liter": "L",
    "liters": "L",
    "m3": "m3",
    "m³": "m3",
    "kg": "kg",
    "t": "t",
    "tonne": "t",
    "tonnes": "t",
    "km": "km",
}

#: spellings exactly as the tables write them -> canonical unit: the lookup most inputs hit (no case folding)
_EXACT: dict[str, str] = {**{unit: unit for unit in _UNITS}, **_ALIASES}
#: every spelling accepted in input, for error messages and documentation
ACCEPTED_UNITS: tuple[str, ...] = tuple(sorted(_ALIASES, key=str.lower))
#: canonical units by dimension
DIMENSIONS: dict[str, tuple[str, ...]] = {
    dim: tuple(u for u, (d, _) in _UNITS.items() if d == dim)
    for dim in ("energy", "volume", "mass", "distance")
}

#: emission-factor units -> (the activity unit they multiply, kg of CO2(e) per factor unit)
EMISSION_FACTOR_UNITS: dict[str, tuple[str, float]] = {
    "kgCO2/kWh": ("kWh", 1.0),
    "kgCO2e/kWh": ("kWh", 1.0),
    "kgCO2/m3": ("m3", 1.0),
    "kgCO2/kg": ("kg", 1.0),
    "tCO2/GJ": ("GJ", 1000.0),
    "kgCO2e/km": ("km", 1.0),
    "kgCO2e/pkm": ("pkm", 1.0),
    "kgCO2e/m3": ("m3", 1.0),
    "kgCO2e/t": ("t", 1.0),
    "kgCO2e/kg": ("kg", 1.0),  # a refrigerant leaked: kg x GWP100 (factor set cn-2024.6 on)
}
#: units of the non-emission parameters a factor set may carry (efficiencies, distances)
PARAMETER_UNITS: frozenset[str] = frozenset({"kWh/km", "km/vehicle/yr"})


#: the canonical spellings, as error messages list them
CANONICAL_UNITS: tuple[str, ...] = tuple(_UNITS)


def known_unit(unit: str) -> bool:
    """Whether ``unit`` is a spelling this module knows (of any dimension)."""
    return unit in _EXACT or unit.strip().lower() in _ALIASES


def canonical(unit: str, *, field: str) -> str:
    """The canonical spelling of ``unit``; raise :class:`UnknownUnitError` naming ``field`` if unknown."""
    if not isinstance(unit, str):
        found = None
    else:
        found = _EXACT.get(unit) or _ALIASES.get(unit.strip().lower())
    if found is None:
        raise UnknownUnitError(field, f"unknown unit {unit!r}; use one of: {', '.join(_UNITS)}")
    return found


def convert(value: float, from_unit: str, to_unit: str, *, field: str) -> float:
    """Convert ``value`` between two units of the same dimension.

    Parameters
    ----------
    value:
        The quantity in ``from_unit``.
    from_unit, to_unit:
        Any accepted spelling (``"litre"``, ``"tonne"``, ``"MWh"`` ...).
    field:
        Input path the value came from; named by the error if a unit is unknown or of another dimension.

    Raises
    ------
    UnknownUnitError
        Unknown unit, or units of different dimensions (``kg`` to ``kWh`` needs a fuel property: use
        :func:`fuel_quantity`).
    """
    dim_from, size_from = _UNITS[canonical(from_unit, field=field)]
    dim_to, size_to = _UNITS[canonical(to_unit, field=field)]
    if dim_from != dim_to:
        raise UnknownUnitError(
            field, f"{from_unit!r} is a {dim_from} unit, expected {dim_to} ({', '.join(DIMENSIONS[dim_to])})"
        )
    if size_from == size_to:
        return value
    return value * size_from / size_to


def fuel_quantity(
    value: float,
    unit: str,
    target_unit: str,
    *,
    field: str,
    fuel: str,
    density_kg_per_l: float | None = None,
    ncv_mj_per_unit: float | None = None,
    liquid_volume_units: tuple[str, ...] | None = None,
    gas_volume_units: tuple[str, ...] | None = None,
) -> float:
    """Express an amount of fuel in ``target_unit`` (the unit its emission factor is per: ``kg`` or ``m3``).

    Same-dimension units convert directly. Volume to mass uses ``density_kg_per_l`` (an explicit, cited
    assumption stored with the factor); energy to mass or volume uses the net calorific value
    ``ncv_mj_per_unit`` (MJ per ``target_unit``). Anything else, for example cubic metres of coal or
    kilograms of natural gas, has no stated physical property and is refused rather than guessed. So is a
    volume outside ``liquid_volume_units`` when given: for a fuel that is a gas at ambient conditions
    (LPG), the density is the liquid's, and a cubic metre may well be of the gas (piped LPG is sold so),
    some 250 times lighter. And a volume outside ``gas_volume_units`` when given: for a fuel whose factor
    is per volume of the gas (natural gas, per m3 as meters and bills read it), a litre is more likely of
    the liquefied gas (LNG is sold by the litre or the tonne), some 600 times denser, than of the gas; read
    as litres of gas it counted a thousandth of the gas, or a six-hundredth of the LNG (adversarial review).

    Raises
    ------
    UnknownUnitError
        Unknown unit, or a conversion that needs a property this fuel does not have.
    """
    source = canonical(unit, field=field)
    target = canonical(target_unit, field=field)
    dim_source, size_source = _UNITS[source]
    dim_target, size_target = _UNITS[target]
    if dim_source == dim_target:
        if dim_source == "volume" and gas_volume_units is not None and source not in gas_volume_units:
            allowed = ", ".join(f"{u} (of the gas)" for u in gas_volume_units)
            if ncv_mj_per_unit:
                allowed += ", " + ", ".join(DIMENSIONS["energy"])
            raise UnknownUnitError(
                field,
                f"{fuel} cannot be given in {unit!r}: a volume in {unit!r} may be of the liquefied gas, some "
                f"600 times denser than the gas the factor is for; use one of: {allowed}",
            )
        return value if size_source == size_target else value * size_source / size_target
    if dim_source == "energy" and ncv_mj_per_unit:
        return value * size_source / ncv_mj_per_unit
    liquid = DIMENSIONS["volume"] if liquid_volume_units is None else liquid_volume_units
    if dim_source == "volume" and dim_target == "mass" and density_kg_per_l and source in liquid:
        return value * size_source * density_kg_per_l / size_target
    allowed = ", ".join(DIMENSIONS[dim_target] + (DIMENSIONS["energy"] if ncv_mj_per_unit else ()))
    if density_kg_per_l and dim_target == "mass":
        allowed += ", " + ", ".join(f"{u} (of the liquid)" if liquid_volume_units else u for u in liquid)
    if dim_source == "volume" and density_kg_per_l:
        raise UnknownUnitError(
            field,
            f"{fuel} cannot be given in {unit!r}: its density is known for the liquid only, and a volume in "
            f"{unit!r} may be of the gas, which has no density in the factor set; use one of: {allowed}",
        )
    raise UnknownUnitError(field, f"{fuel} cannot be given in {unit!r} ({dim_source}); use one of: {allowed}")
