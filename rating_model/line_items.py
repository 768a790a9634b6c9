"""One line of a GHG inventory, and the per-request bookkeeping shared by the scope calculators.

Each line says which input field it came from, which factor it used and how good the figure is, so that
every tonne in a rating can be traced back to a number the company gave and a factor with a source.
"""

from __future__ import annotations

from typing import NamedTuple

from rating_model.exceptions import FactorNotFoundError
from rating_model.factors import FactorRecord, FactorRef, FactorSet

MEASURED = "measured"
CALCULATED = "calculated"
ESTIMATED = "estimated"
#: The qualities a line can have, and the Scope 2 bases a line counts in (the contract's closed sets).
LINE_QUALITIES = (MEASURED, CALCULATED, ESTIMATED)
SCOPE2_BASES = ("location", "market", "both")


class LineItem(NamedTuple):
    """One activity of the inventory (an immutable named tuple: cheap to build, an inventory has dozens).

    Attributes
    ----------
    path:
        Input field the activity came from (``energy.fuels.0``, ``previous_year.energy.electricity_kwh``).
    activity:
        Plain description, including any unit conversion that was applied.
    scope, category:
        GHG Protocol scope (1, 2, 3) and category (Scope 3 keys carry their number: ``cat6_business_travel``).
    quantity, unit:
        The activity amount in the unit the factor multiplies, so ``quantity x factor = tco2e`` checks.
    factor_id:
        The factor used (``None`` when none was needed, e.g. on-site solar).
    quality:
        ``measured`` (straight from the input, no factor), ``calculated`` (factor x given activity) or
        ``estimated`` (an estimated input or a seed assumption was involved).
    scope2_basis:
        ``location``, ``market`` or ``both`` for Scope 2 lines, ``None`` otherwise; Scope 2 totals sum
        the lines of their basis plus ``both``.
    """

    path: str
    activity: str
    scope: int
    category: str
    quantity: float
    unit: str
    tco2e: float
    factor_id: str | None
    quality: str
    scope2_basis: str | None = None


class Context:
    """Factors chosen for one request and the notes gathered while computing it.

    The grid and residual factors are chosen once per request (by the inventory) and reused by every
    electricity-consuming activity, so the office meter and the fleet's EVs are priced consistently.
    """

    __slots__ = (
        "factor_set",
        "singles",
        "country",
        "year",
        "grid",
        "residual",
        "estimated",
        "estimated_parents",
        "refs",
        "fallbacks",
        "fallbacks_zh",
        "assumptions",
        "assumptions_zh",
        "proxies",
        "china_proxies",
        "not_available",
        "not_available_zh",
    )

    def __init__(
        self,
        factor_set: FactorSet,
        country: str,
        year: int,
        grid: FactorRecord,
        residual: FactorRecord,
        estimated: frozenset[str],
        fallbacks: list[str],
        fallbacks_zh: list[str],
    ) -> None:
        self.factor_set = factor_set
        self.singles = factor_set.singles
        self.country = country
        self.year = year
        self.grid = grid
        self.residual = residual
        self.estimated = estimated
        # "energy.fuels." for "energy.fuels": a path under an estimated one starts with one of these
        self.estimated_parents = tuple(path + "." for path in estimated)
        self.refs: dict[str, FactorRef] = {grid.id: grid.ref, residual.id: residual.ref}
        self.fallbacks = fallbacks
        # in Chinese too, item for item (the IFRS S2 summary's value_zh)
        self.fallbacks_zh = fallbacks_zh
        self.assumptions: list[str] = []
        # each in Chinese too, in the same order: the IFRS S2 summary discloses them in both languages
        self.assumptions_zh: list[str] = []
        self.proxies: list[str] = []
        #: China's factors priced for a business elsewhere, fuels apart (a fuel's factor is a physical
        #: property of the fuel, as the grid fallback says); engine 2.8: a Singapore firm's purchased heat
        #: and seed vehicles were priced with them unsaid, the heat flagged only as unverified
        self.china_proxies: list[str] = []
        self.not_available: list[str] = []
        self.not_available_zh: list[str] = []

    def apart(self) -> Context:
        """A context with this one's factor choice and its own notes: for figures that are not this year's
        inventory (the previous year recomputed for the reduction), whose factors, proxies and assumptions
        must not be reported as the inventory's."""
        return Context(
            self.factor_set, self.country, self.year, self.grid, self.residual, self.estimated, [], []
        )

    def factor(self, activity: str, field: str) -> FactorRecord:
        """The set's factor for a non-grid activity, recorded as used; a missing one names ``field``."""
        record = self.singles.get(activity)
        if record is None:
            raise FactorNotFoundError(
                f"factor set {self.factor_set.version} has no factor for {activity!r}", field=field
            )
        if record.id not in self.refs:
            self.use(record)
        return record

    def burns_nothing_unpriced(self, activity: str, quantity: float) -> bool:
        """Whether a fuel line is a quantity of 0 of a fuel the set has no factor for (``fuel_oil``).

        Such a line emits nothing, so it needs no factor: a wide export (flat CSV, Parquet) fills every fuel
        column, zeros too, and refusing its ``fuel_oil`` of 0 refused the whole business. The line stays in
        the operating data (a list of zeros still answers nothing, :func:`rating_model.grading.unreported`);
        the inventory only leaves it out. A positive quantity is still refused by :meth:`fuel_factor`.
        """
        return quantity == 0 and activity not in self.singles

    def fuel_factor(self, activity: str, fuel: str, field: str) -> FactorRecord:
        """A fuel's factor; a fuel the set declares unavailable (``fuel_oil``) is refused with the reason."""
        record = self.singles.get(activity)
        if record is None:
            reasons = self.factor_set.manifest.not_available
            reason = next((item["reason"] for item in reasons if item.get("activity") == activity), "")
            raise FactorNotFoundError(
                f"no emission factor for {fuel!r} in factor set {self.factor_set.version}. {reason}".strip(),
                field=field,
            )
        return self.use(record)

    def use(self, record: FactorRecord) -> FactorRecord:
        """Record that a factor was used (for the result's provenance list) and return it."""
        if record.id not in self.refs:
            self.refs[record.id] = record.ref
            if record.region != self.country and record.region == "GB":
                self.proxies.append(record.id)
            elif (self.country != "CN" and record.region.startswith("CN")
                  and not record.activity.startswith("fuel.")):  # a fuel's factor is its physics
                self.china_proxies.append(record.id)
        return record

    def assume(self, text: str, text_zh: str) -> None:
        """Add an assumption (``text``, in Chinese ``text_zh``) once, however many lines rely on it."""
        if text not in self.assumptions:
            self.assumptions.append(text)
            self.assumptions_zh.append(text_zh)

    def exclude(self, text: str, text_zh: str) -> None:
        """Say that reported data was left out of the inventory for want of a factor (and in Chinese)."""
        self.not_available.append(text)
        self.not_available_zh.append(text_zh)

    def quality(self, path: str, default: str = CALCULATED) -> str:
        """``estimated`` if ``path`` or any parent path was filled by an earlier estimation step."""
        if not self.estimated:
            return default
        if path in self.estimated or path.startswith(self.estimated_parents):
            return ESTIMATED
        return default


def conversion_note(quantity: float, unit: str, base: float, record: FactorRecord) -> str:
    """`` (1000 L = 845 kg at 0.845 kg/L)`` when a quantity was converted to the factor unit, else ``""``."""
    if unit == record.activity_unit:
        return ""
    if record.density_kg_per_l and unit.lower() in ("l", "litre", "litres", "liter", "liters", "m3", "m³"):
        return f" ({quantity:g} {unit} = {base:g} {record.activity_unit} at {record.density_kg_per_l:g} kg/L)"
    return f" ({quantity:g} {unit} = {base:g} {record.activity_unit})"
