"""The typed records of an emission-factor set: factors, their provenance and the set's manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: fields every stored record has, with the JSON types allowed for each
REQUIRED_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "activity": (str,),
    "scope": (int,),
    "region": (str,),
    "year": (int, type(None)),
    "year_released": (int, type(None)),
    "value": (int, float),
    "unit": (str,),
    "gwp_basis": (str,),
    "source": (str,),
    "source_url": (str, type(None)),
    "notes": (str,),
    "quality": (str,),
}
#: physical properties some fuel records carry (used by unit conversion and energy totals)
OPTIONAL_FIELDS: dict[str, tuple[type, ...]] = {
    "density_kg_per_l": (int, float),
    "ncv_mj_per_unit": (int, float),
    # the volume units the density is for, when a fuel is a gas at ambient conditions (LPG): a volume in
    # any other unit may be the gas, whose density the set does not hold, and is refused
    "liquid_volume_units": (list,),
    # the volume units a factor per volume of the gas takes (natural gas: m3): a litre may be of the
    # liquefied gas, some 600 times denser, and is refused (factor set cn-2024.4 on)
    "gas_volume_units": (list,),
}


@dataclass(frozen=True, slots=True)
class FactorRef:
    """The provenance of a factor as echoed with every result: enough to find and check the number."""

    id: str
    value: float
    unit: str
    source: str
    source_url: str | None
    year: int | None
    region: str
    gwp_basis: str  # which gases the value covers: "CO2 only", or CO2e on an IPCC report's GWP100


@dataclass(frozen=True, slots=True)
class FactorRecord:
    """One emission factor or physical parameter of a factor set, as stored in its JSON file.

    Attributes
    ----------
    kg_per_unit:
        ``value`` expressed as kg CO2(e) per ``activity_unit`` (``None`` for parameters such as kWh/km),
        precomputed so the inventory multiplies without parsing units per request.
    activity_unit:
        The activity unit the factor multiplies (``kWh``, ``m3``, ``kg``, ``km``, ``pkm``, ``t``, ``GJ``).
    """

    id: str
    activity: str
    scope: int
    region: str
    year: int | None
    year_released: int | None
    value: float
    unit: str
    gwp_basis: str
    source: str
    source_url: str | None
    notes: str
    quality: str
    density_kg_per_l: float | None = None
    ncv_mj_per_unit: float | None = None
    liquid_volume_units: tuple[str, ...] | None = None
    gas_volume_units: tuple[str, ...] | None = None
    kg_per_unit: float | None = field(default=None, compare=False)
    activity_unit: str | None = field(default=None, compare=False)
    ref: FactorRef = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "ref",
            FactorRef(
                self.id,
                self.value,
                self.unit,
                self.source,
                self.source_url,
                self.year,
                self.region,
                self.gwp_basis,
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """The record as stored (without derived attributes), for the public factor-set listing."""
        out = {name: getattr(self, name) for name in (*REQUIRED_FIELDS, *OPTIONAL_FIELDS)}
        return {k: v for k, v in out.items() if v is not None or k in REQUIRED_FIELDS}


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a factor set is: its version, release date, description, GWP basis and coverage."""

    version: str
    released: str
    description: str
    gwp_basis: str
    countries: tuple[str, ...]
    region_scheme: str
    year_scheme: str
    not_available: tuple[dict[str, str], ...]
