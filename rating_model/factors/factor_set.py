"""An indexed factor set and the rules that pick a factor for a country, region and reporting year.

Grid factors differ far more between places (Yunnan 0.107 vs Hebei 0.725 kgCO2/kWh in 2022) than between
adjacent years (about 1-4 % a year), so selection is *geography first*: the most specific level that has any
factor (province, then regional grid, then national), and within it the exact year, else the nearest earlier
year, else the nearest later one. Every departure from "exact year, exact place" is returned as a sentence,
because a bank reading the rating must see which factor stood in for which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rating_model.exceptions import FactorNotFoundError
from rating_model.factors.records import FactorRecord, Manifest

GRID = "electricity.grid"
GRID_RESIDUAL = "electricity.grid_residual"


@dataclass(frozen=True, slots=True)
class Selection:
    """A chosen factor and, when it is not the exact year and place asked for, why it was still chosen."""

    record: FactorRecord
    fallback: str | None = None
    note: str | None = None


def _pick_year(years: dict[int, FactorRecord], year: int) -> FactorRecord:
    if year in years:
        return years[year]
    earlier = [y for y in years if y < year]
    return years[max(earlier)] if earlier else years[min(years)]


class FactorSet:
    """A validated factor set with lookup tables built once, so per-request selection is dictionary access.

    Parameters
    ----------
    manifest:
        The set's manifest.
    records:
        Every factor record of the set.
    grid_regions:
        The province-to-grid table (``members``, ``names``, ``uncertain``, ``not_covered``, ``aliases``).
    """

    def __init__(
        self, manifest: Manifest, records: tuple[FactorRecord, ...], grid_regions: dict[str, Any]
    ) -> None:
        self.manifest = manifest
        self.version = manifest.version
        self.records = records
        self.grid_regions = grid_regions
        #: ids of the records no primary source confirms (quality ``unverified``): a rating says so
        self.unverified = frozenset(r.id for r in records if r.quality == "unverified")
        self._single: dict[str, FactorRecord] = {}
        self._series: dict[tuple[str, str], dict[int, FactorRecord]] = {}
        for record in records:
            if record.activity in (GRID, GRID_RESIDUAL) or record.activity.startswith("electricity."):
                if record.year is None:
                    continue
                self._series.setdefault((record.activity, record.region), {})[record.year] = record
            else:
                self._single[record.activity] = record
        self._members: dict[str, str] = grid_regions.get("members", {})
        self._names: dict[str, str] = grid_regions.get("names", {})
        self._uncertain: dict[str, str] = grid_regions.get("uncertain", {})
        self._not_covered: dict[str, str] = grid_regions.get("not_covered", {})
        self._aliases: dict[str, str] = grid_regions.get("aliases", {})
        self._grid_cache: dict[tuple[str, str | None, int], Selection] = {}
        self._residual_cache: dict[tuple[str, int, str | None], Selection | None] = {}

    @property
    def singles(self) -> dict[str, FactorRecord]:
        """Non-grid factors by activity (read-only by convention; the inventory reads it directly)."""
        return self._single

    def covers(self, country: str) -> bool:
        """Whether the set has grid factors for ``country`` (ISO 3166-1 alpha-2)."""
        return country in self.manifest.countries

    def get(self, activity: str, *, field: str | None = None) -> FactorRecord:
        """The single factor of a non-grid activity (``fuel.diesel``, ``travel.rail`` ...).

        A missing factor raises :class:`FactorNotFoundError` naming ``field``.
        """
        record = self._single.get(activity)
        if record is None:
            raise FactorNotFoundError(
                f"factor set {self.version} has no factor for {activity!r}", field=field
            )
        return record

    def canonical_region(self, region: str) -> str:
        """An ISO 3166-2 code in its current letter form (``CN-33`` -> ``CN-ZJ``)."""
        return self._aliases.get(region, region)

    def grid(self, country: str, region: str | None, year: int) -> Selection:
        """The location-based grid factor for a place and reporting year (cached per combination).

        Raises
        ------
        FactorNotFoundError
            The set has no grid factors for ``country`` (``field="company.country"``).
        """
        key = (country, region, year)
        found = self._grid_cache.get(key)
        if found is None:
            found = self._grid_cache[key] = self._select_grid(country, region, year)
        return found

    def outside_grid(self, region: str | None) -> bool:
        """Whether ``region`` is a place of a covered country whose grid the set does not cover (CN-HK)."""
        return region is not None and self.canonical_region(region) in self._not_covered

    def residual(self, country: str, year: int, region: str | None = None) -> Selection | None:
        """The residual-mix factor for market-based Scope 2, or ``None`` when the country publishes none.

        The residual factor (grid average excluding market-traded non-fossil power) is published for the
        whole country only, so a business that gives its province gets the national value, and that
        departure from its place is stated like a departure from its year.
        """
        key = (country, year, region)
        if key not in self._residual_cache:
            years = self._series.get((GRID_RESIDUAL, country))
            if not years:
                self._residual_cache[key] = None
            else:
                record = _pick_year(years, year)
                departures = []
                if region:
                    departures.append(
                        f"asked for {region}; no residual factor is published for {region} or its regional "
                        "grid (national only)"
                    )
                if record.year != year:
                    departures.append(
                        f"no {year} residual factor (grid average excluding market-traded non-fossil "
                        f"power) for {country}"
                    )
                fallback = None
                if departures:
                    fallback = (
                        f"market-based Scope 2: {'; '.join(departures)}, used the national "
                        f"residual factor {record.year} ({record.value:g} {record.unit})"
                    )
                self._residual_cache[key] = Selection(record, fallback)
        return self._residual_cache[key]

    def _label(self, level: str) -> str:
        if level.startswith("CN:grid:"):
            return self._names.get(level.rsplit(":", 1)[1], level)
        if level == "CN" or len(level) == 2:
            return "national average"
        return f"{level} provincial factor"

    def _select_grid(self, country: str, region: str | None, year: int) -> Selection:
        if not self.covers(country):
            raise FactorNotFoundError(
                f"no grid emission factors for country {country!r} in factor set {self.version} "
                f"(covers {', '.join(self.manifest.countries)}); give energy.grid_factor with its source",
                field="company.country",
            )
        levels: list[str] = []
        note = None
        if region:
            code = self.canonical_region(region)
            # A code the set does not know, or a place outside the grid it covers, is refused, not priced
            # at the national average: a typo (CN-YM for Yunnan) changed the factor with only a fallback note.
            if code in self._not_covered:
                raise FactorNotFoundError(
                    f"{region}: {self._not_covered[code]} Factor set {self.version} does not cover its grid: "
                    "give energy.grid_factor with its source",
                    field="company.region",
                )
            if code not in self._members:
                raise FactorNotFoundError(
                    f"{region} is not a province-level code of {country} that factor set {self.version} "
                    f"knows (ISO 3166-2: {', '.join(sorted(self._members))})",
                    field="company.region",
                )
            levels = [code, f"{country}:grid:{self._members[code]}"]
            if code in self._uncertain:
                note = f"grid region of {region}: {self._uncertain[code]}"
        levels.append(country)
        for level in levels:
            years = self._series.get((GRID, level))
            if not years:
                continue
            record = _pick_year(years, year)
            fallback = self._fallback(region, year, level, record, national=level == country)
            return Selection(record, fallback, note if ":grid:" in level else None)
        raise FactorNotFoundError(
            f"factor set {self.version} has no grid factor for {country}", field="company.country"
        )

    def _fallback(
        self,
        region: str | None,
        year: int,
        level: str,
        record: FactorRecord,
        national: bool,
    ) -> str | None:
        used = f"{self._label(level)} {record.year} ({record.value:g} {record.unit})"
        if region is None:
            missing = "" if record.year == year else f"; no {year} factor, nearest year used"
            return f"grid factor: no company.region given, used the {used}{missing}"
        if national:
            return f"grid factor: no factor for {region} or its regional grid, used the {used}"
        if ":grid:" in level:
            # The province publishes no factor of its own, so its regional grid's stands in: that is the
            # practice (domain.md s.6), but still a different place from the one asked for.
            other_year = "" if record.year == year else f"; no {year} factor for {region}"
            return (
                f"grid factor: asked for {region} {year}; no provincial factor is published for {region}"
                f"{other_year}, used the {used}"
            )
        if record.year != year:
            return f"grid factor: no {year} factor for {region}, used the {used}"
        return None

    def to_dict(self) -> dict[str, Any]:
        """The whole set with provenance, as served by ``GET /v1/emission-factors``."""
        m = self.manifest
        return {
            "version": m.version,
            "released": m.released,
            "description": m.description,
            "gwp_basis": m.gwp_basis,
            "countries": list(m.countries),
            "region_scheme": m.region_scheme,
            "year_scheme": m.year_scheme,
            "not_available": [dict(item) for item in m.not_available],
            "grid_regions": self.grid_regions,
            "records": [r.to_dict() for r in self.records],
        }
