"""Derive the standard's indicators from operating data, its inventory and its sector benchmark.

Each indicator of the standard has exactly one derivation here, keyed by its id; the engine refuses a
standard that names an indicator this module cannot derive. A derivation returns ``None`` for "no data"
(the scorecard's missing bin), never a guessed number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter

from rating_model.estimation import fuels_left_out
from rating_model.exceptions import StandardError
from rating_model.factors import load_factor_set
from rating_model.inventory import Inventory
from rating_model.operating_data import Company, OperatingData, Practices, revenue_cny_million
from rating_model.sector_benchmarks import Benchmark, SectorDefaults, sector_of, sectors
from rating_model.standard import MaterialInput, Standard
from rating_model.values import fast_init

# Low-carbon weight of a vehicle by fuel: electric vehicles emit nothing at the tailpipe, hybrids roughly
# a quarter less than petrol cars per km in DEFRA 2025 (0.12825 vs 0.16272 kg/km), counted as half.
_FLEET_WEIGHT = {"electric": 1.0, "hybrid": 0.5}


@dataclass(frozen=True, slots=True, init=False)
class IndicatorContext:
    """What the derivations read: upstream results only, never recomputed here."""

    data: OperatingData
    inventory: Inventory
    benchmark: Benchmark
    defaults: SectorDefaults
    pcaf_score: int
    #: the fields filled from sector defaults: the standard's ``missing_when_sector_default`` indicators of
    #: each fall in their missing bin (standard 1.3.0)
    sector_default_fields: frozenset[str]

    def __init__(
        self, data: OperatingData, inventory: Inventory, benchmark: Benchmark, defaults: SectorDefaults,
        pcaf_score: int, sector_default_fields: frozenset[str],
    ) -> None:
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "inventory", inventory)
        object.__setattr__(self, "benchmark", benchmark)
        object.__setattr__(self, "defaults", defaults)
        object.__setattr__(self, "pcaf_score", pcaf_score)
        object.__setattr__(self, "sector_default_fields", sector_default_fields)


def _carbon_intensity(ctx: IndicatorContext) -> float | None:
    return ctx.inventory.scope12_market_tco2e / revenue_cny_million(ctx.data.company)


def _energy_efficiency_ratio(ctx: IndicatorContext) -> float | None:
    return ctx.benchmark.efficiency_ratio


def _renewable_electricity_share(ctx: IndicatorContext) -> float | None:
    return ctx.inventory.renewable_electricity_share


def _emissions_change(ctx: IndicatorContext) -> float | None:
    return ctx.inventory.neutrality.change_pct


def _target_ambition(ctx: IndicatorContext) -> float | None:
    best = 0.0
    for target in ctx.data.targets:
        if 1 in target.scopes or 2 in target.scopes:
            best = max(best, target.reduction_pct / (target.target_year - target.base_year))
    return best


def _runs_no_vehicles(data: OperatingData) -> bool:
    """Whether the business answered that it runs no vehicles: ``"fleet": []``, or items counting none."""
    fleet = data.transport.fleet
    return fleet is not None and not any(item.vehicles is None or item.vehicles > 0 for item in fleet)


def _low_carbon_fleet_share(ctx: IndicatorContext) -> float | None:
    total = 0.0
    low = 0.0
    for item in ctx.data.transport.vehicles:
        count = float(item.vehicles) if item.vehicles is not None else 1.0
        total += count
        low += count * _FLEET_WEIGHT.get(item.fuel, 0.0)
    return low / total if total > 0 else None


def _waste_share(ctx: IndicatorContext, part: float | None) -> float | None:
    waste = ctx.data.resources.waste_t
    if waste is None or waste <= 0:
        return None
    return (part or 0.0) / waste


def _waste_recycling_rate(ctx: IndicatorContext) -> float | None:
    return _waste_share(ctx, ctx.data.resources.waste_recycled_t)


def _hazardous_waste_share(ctx: IndicatorContext) -> float | None:
    return _waste_share(ctx, ctx.data.resources.hazardous_waste_t)


def _water_efficiency_ratio(ctx: IndicatorContext) -> float | None:
    water = ctx.data.resources.water_m3
    expected = ctx.defaults.water_m3_per_employee * ctx.data.company.employees
    if water is None or expected <= 0:
        return None
    return water / expected


def _practice_share(answers: tuple[bool | None, ...]) -> float | None:
    if answers.count(None) == len(answers):
        return None
    return len([a for a in answers if a]) / len(answers)


def _answers(names: tuple[str, ...]) -> Callable[[Practices], tuple[bool | None, ...]]:
    """The answers to the practices ``names`` as one tuple, read in one C call per rating."""
    if len(names) > 1:
        return attrgetter(*names)
    # attrgetter of a single name returns the bare value, not a 1-tuple
    return lambda practices: tuple(getattr(practices, name) for name in names)


def _green_products_share(ctx: IndicatorContext) -> float | None:
    return ctx.data.practices.green_products_share


def _measurement_quality(ctx: IndicatorContext) -> float | None:
    return float(ctx.pcaf_score)


Derivation = Callable[[IndicatorContext], float | None]

DERIVATIONS: Mapping[str, Derivation] = {
    "carbon_intensity": _carbon_intensity,
    "energy_efficiency_ratio": _energy_efficiency_ratio,
    "renewable_electricity_share": _renewable_electricity_share,
    "emissions_change": _emissions_change,
    "target_ambition": _target_ambition,
    "low_carbon_fleet_share": _low_carbon_fleet_share,
    "waste_recycling_rate": _waste_recycling_rate,
    "water_efficiency_ratio": _water_efficiency_ratio,
    "hazardous_waste_share": _hazardous_waste_share,
    "green_products_share": _green_products_share,
    "measurement_quality": _measurement_quality,
}
# Practice-share indicators take their practice list from the standard document.
PRACTICE_INDICATORS = ("green_operations", "environmental_management")
#: The indicators whose derivations read the business's answers (``data.practices``, ``data.targets``);
#: no other derivation reads them. A derivation added that reads them must be listed, or a change of answers
#: alone would keep its old value (:meth:`IndicatorSet.derive_after`).
ANSWER_READERS = frozenset({*PRACTICE_INDICATORS, "target_ambition", "green_products_share"})
#: Per indicator of :data:`rating_model.standard.NONE_ANSWERABLE`: whether a business answered "none" of
#: what it measures (the standard's ``when_none`` then gives its value).
ANSWERED_NONE: Mapping[str, Callable[[OperatingData], bool]] = {"low_carbon_fleet_share": _runs_no_vehicles}


def answered_none(data: OperatingData) -> frozenset[str]:
    """The indicators whose measured thing the business answered it has none of (``"fleet": []``), whatever
    the standard does with the answer: the reasons say what was answered either way."""
    return frozenset(name for name, answered in ANSWERED_NONE.items() if answered(data))


def _fleet_unreported(ctx: IndicatorContext) -> bool:
    """Whether the fleet's activity is not reported: the fleet left out, or a combustion item counting
    vehicles without a distance or fuel above 0. A count alone is priced at a car's seed distance, and a
    distance of 0 beside six diesel trucks priced them at nothing: both scored a freight firm's carbon
    intensity on its depot's electricity, as leaving the fleet out had (a review of standard 1.6.0).
    An answer of no vehicles (``"fleet": []``) is reported."""
    fleet = ctx.data.transport.fleet
    if fleet is None:
        return True
    return any(
        item.fuel != "electric" and item.vehicles != 0 and not (item.km or item.fuel_quantity)
        for item in fleet
    )


def _fuels_unreported(ctx: IndicatorContext) -> bool:
    """Whether the site fuels are left out (:func:`~rating_model.estimation.fuels_left_out`): the sector's
    default gas in their place scored carbon intensity and the energy ratio as an average burner's, so a
    restaurant burning twice its sector's gas, or a workshop's coal boiler, scored better by leaving its
    fuels out (a review of standard 1.7.0: 53 % of the synthetic businesses reporting fuels)."""
    return fuels_left_out(ctx.data.energy.fuels, "energy.fuels" in ctx.sector_default_fields)


def _heat_unreported(ctx: IndicatorContext) -> bool:
    """Whether purchased heat is left out: it has no sector estimate, so heat left out lowered the energy
    ratio and the Scope 2 as if none were bought, and 215 of 276 synthetic heat buyers scored higher
    leaving it out, by up to 10.4 points (standard 1.8.0). ``0`` is the answer none."""
    return ctx.data.energy.purchased_heat_gj is None


def canonical_region(region: str | None) -> str | None:
    """``region`` as the default factor set (the one the inventory prices with) names it: GB/T 2260's
    numeric codes (``CN-11``) are Beijing's ``CN-BJ`` there, and a rule listing regions compares the letter
    codes (a review of standard 1.9.0: a Beijing shop writing ``CN-11`` escaped the heat rule while priced
    on Beijing's grid)."""
    return None if region is None else load_factor_set().canonical_region(region)


#: Per input a standard may name in ``missing_when_not_reported``: whether a business left it (or its
#: activity) unreported this year.
UNREPORTED: Mapping[str, Callable[[IndicatorContext], bool]] = {
    "transport.fleet": _fleet_unreported,
    "energy.fuels": _fuels_unreported,
    "energy.purchased_heat_gj": _heat_unreported,
}
#: The indicators read from each figure a standard may count as not given at 0
#: (``data_quality.completeness_given.zero_is_blank``, 1.6.0 on): a 0 left out of completeness as a
#: placeholder must not score either (water 0 had scored the best water ratio).
ZERO_IS_BLANK_READERS: Mapping[str, tuple[str, ...]] = {
    "resources.water_m3": ("water_efficiency_ratio",),
    "resources.waste_t": ("waste_recycling_rate", "hazardous_waste_share"),
}
#: Indicators that compare two years: a rule's input must be among the fields the comparison compared
#: (``Neutrality.compared_fields``), reported in both years, not only in this one (a freight firm that left
#: out last year's fleet had its change from the depot's electricity alone).
YEAR_ON_YEAR = frozenset({"emissions_change"})


def _when_none(derive: Derivation, answered: Callable[[OperatingData], bool], value: float) -> Derivation:
    """``derive``, but the standard's ``when_none`` value for a business that answered none."""

    def derived(ctx: IndicatorContext) -> float | None:
        return value if answered(ctx.data) else derive(ctx)

    return derived


class IndicatorSet:
    """The standard's indicators bound to their derivations, built once per standard.

    An answer of "none" takes the standard's ``when_none`` value; training fits the bins without those
    answers (:func:`rating_model.train.train` masks the cells :meth:`answered_none` names).
    """

    def __init__(self, standard: Standard) -> None:
        self._echoes = tuple(standard.missing_when_sector_default.items())
        #: the indicators the standard gives a ``when_none`` value
        self.answerable = frozenset(i.id for i in standard.indicators.values() if i.when_none is not None)
        plan: list[tuple[str, Derivation]] = []
        for indicator in standard.indicators.values():
            if indicator.id in PRACTICE_INDICATORS:
                answers = _answers(indicator.practices)

                def derive(
                    ctx: IndicatorContext, answers: Callable[[Practices], tuple[bool | None, ...]] = answers
                ) -> float | None:
                    return _practice_share(answers(ctx.data.practices))

                plan.append((indicator.id, derive))
            elif indicator.id in DERIVATIONS and indicator.when_none is not None:
                plan.append((indicator.id, _when_none(
                    DERIVATIONS[indicator.id], ANSWERED_NONE[indicator.id], indicator.when_none
                )))
            elif indicator.id in DERIVATIONS:
                plan.append((indicator.id, DERIVATIONS[indicator.id]))
            else:
                raise StandardError(f"indicator {indicator.id}: no derivation is implemented for it")
        self._plan = tuple(plan)
        self._derivations = dict(plan)
        zero_is_blank: list[tuple[str, str, tuple[str, ...]]] = []
        for path in standard.completeness_zero_is_blank:
            section, _, field = path.partition(".")
            readers = tuple(n for n in ZERO_IS_BLANK_READERS.get(path, ()) if n in self._derivations)
            zero_is_blank.append((section, field, readers))
        self._zero_is_blank = tuple(zero_is_blank)
        self.ids = tuple(name for name, _ in plan)
        self._material = tuple((UNREPORTED[rule.field], rule) for rule in _checked_material(standard))
        #: which of the rules apply, and the inputs they ask, by (country, region, ISIC division): the same
        #: few hundred combinations recur across a book, and working them out cost a batch row about 1 µs
        #: (filled as met, within a bound; a dict's get and set are atomic, and a value never changes)
        self._applicable: dict[tuple[str, str | None, str], tuple[tuple[bool, ...], frozenset[str]]] = {}
        self._year_on_year = _checked_year_on_year(standard)
        # The indicators that answers alone move, derived again by derive_after; none when a rule of the
        # standard (unassessed, zero is blank, sector defaults) could leave one missing, since those rules
        # read more than the answers.
        ruled = {name for _, rule in self._material for name in rule.indicators}
        ruled.update(self._year_on_year.indicators if self._year_on_year is not None else ())
        ruled.update(name for _, _, readers in self._zero_is_blank for name in readers)
        ruled.update(name for _, names in self._echoes for name in names)
        of_answers = tuple((name, fn) for name, fn in plan if name in ANSWER_READERS)
        self._answer_plan: tuple[tuple[str, Derivation], ...] | None = (
            of_answers if ruled.isdisjoint(name for name, _ in of_answers) else None
        )
        self._answer_names = tuple(name for name, _ in of_answers)

    def asked(self, company: Company) -> frozenset[str]:
        """The inputs the standard's ``missing_when_not_reported`` rules ask of this business (its sector,
        and its province as the default factor set names it). The inventory reads no standard, so it is
        told: heat left out where it is asked (1.9.0) is then an unreported Scope 2 input
        (``Inventory.missing``), named in the IFRS S2 exclusions, and no zero Scope 2 is taken for
        neutrality (a review of 1.9.0: a Beijing tea shop with its heat left out was "operationally
        neutral")."""
        return self._applicable_to(company)[1]

    def _applicable_to(self, company: Company) -> tuple[tuple[bool, ...], frozenset[str]]:
        """Per rule of ``_material``, whether it applies to ``company`` (:meth:`MaterialInput.applies_to`,
        the one test the indicators and the inventory share), and the fields of those that do."""
        key = (company.country, company.region, company.isic_division)
        found = self._applicable.get(key)
        if found is None:
            region = canonical_region(company.region)
            sector = sector_of(company.isic_division)
            applies = tuple(rule.applies_to(company.country, region, sector) for _, rule in self._material)
            rules = (rule for _, rule in self._material)
            found = applies, frozenset(rule.field for rule, yes in zip(rules, applies, strict=True) if yes)
            if len(self._applicable) < 4096:
                self._applicable[key] = found
        return found

    def answered_none(self, data: OperatingData) -> frozenset[str]:
        """The indicators ``data`` answered "none" of, among those the standard gives a ``when_none``."""
        return answered_none(data) & self.answerable if self.answerable else frozenset()

    def unassessed(
        self, ctx: IndicatorContext, values: Mapping[str, float | None] | None = None
    ) -> dict[str, tuple[MaterialInput, ...]]:
        """The indicators left in their missing bin only because the business did not report an input its
        sector must (``missing_when_not_reported``), or gave last year's figures for less than this year
        reports (``year_on_year``, 1.8.0), each with the standard's rules that left it there (a freight
        firm's change may wait on its fleet and its fuels): their reasons say what to report. An indicator
        missing anyway (no previous year, electricity from sector defaults) is not listed, since reporting
        the input would not assess it. ``values``: the derivations' values, before any rule left them
        missing (computed here when not given)."""
        out: dict[str, tuple[MaterialInput, ...]] = {}
        neutrality = ctx.inventory.neutrality
        yoy = self._year_on_year
        applies = self._applicable_to(ctx.data.company)[0]
        for (unreported, rule), applicable in zip(self._material, applies, strict=True):
            if not applicable:
                continue
            this_year = unreported(ctx)
            for name in rule.indicators:
                if name not in YEAR_ON_YEAR:
                    left_out = False
                elif yoy is None:  # before 1.8.0: the input must be compared, even at 0
                    left_out = rule.field not in neutrality.compared_fields
                else:  # 1.8.0 on: an input with emissions the comparison left out
                    left_out = rule.field in neutrality.uncompared_fields
                value = values[name] if values is not None else self._derivations[name](ctx)
                listed = out.get(name, ())
                # one rule per input: the fleet's rule for every sector beside the transport sector's own
                if (this_year or left_out) and value is not None and not self._echoed(ctx, name) and all(
                        r.field != rule.field for r in listed):
                    out[name] = (*listed, rule)
        if yoy is not None and neutrality.uncompared_fields:
            for name in yoy.indicators:
                value = values[name] if values is not None else self._derivations[name](ctx)
                # said once: an input's own rule already asks for last year's figure
                if value is not None and name not in out and not self._echoed(ctx, name):
                    out[name] = (yoy,)
        return out

    def _echoed(self, ctx: IndicatorContext, name: str) -> bool:
        """Whether ``name`` is left missing because a field it reads came from sector defaults."""
        return any(path in ctx.sector_default_fields and name in names for path, names in self._echoes)

    def derive(self, ctx: IndicatorContext) -> dict[str, float | None]:
        """Every indicator's value for one business, in the standard's order.

        An indicator the standard leaves missing when a field came from sector defaults is ``None`` then: a
        value computed from the default only echoes the sector's expected use, and would score a business
        that left its electricity out above one that reported high use.
        """
        return self.derive_with_unassessed(ctx)[0]

    def derive_after(
        self, ctx: IndicatorContext, before: IndicatorContext, values: Mapping[str, float | None]
    ) -> dict[str, float | None]:
        """:meth:`derive_changed`'s values alone."""
        return self.derive_changed(ctx, before, values)[0]

    def derive_changed(
        self, ctx: IndicatorContext, before: IndicatorContext, values: Mapping[str, float | None]
    ) -> tuple[dict[str, float | None], tuple[str, ...] | None]:
        """:meth:`derive` of ``ctx``, given the derived ``values`` of ``before``: the same values, in the same
        order, but only the indicators that read the answers are derived again when ``ctx`` differs from
        ``before`` in its answers alone (practices, targets). Most re-ratings of the improvement plan are
        such, and deriving every indicator and its rules again was about a fifth of what each cost.

        Everything else a derivation or a rule reads must be the same: the inventory, the benchmark, the
        sector defaults, the PCAF score, the fields filled from sector defaults and every other section of
        the operating data (compared by identity, as actions replace only the sections they change).
        Otherwise, and under a standard whose rules read an indicator of the answers, all are derived.

        Also the indicators derived again (``None``: all of them): no other value can differ from
        ``values``', so the score need only re-bin those (:meth:`ScorecardArtifact.score_after`).
        """
        plan, data, old = self._answer_plan, ctx.data, before.data
        if (
            plan is None
            or ctx.inventory is not before.inventory
            or ctx.benchmark is not before.benchmark
            or ctx.defaults is not before.defaults
            or ctx.pcaf_score != before.pcaf_score
            or ctx.sector_default_fields != before.sector_default_fields
            or not _same_but_answers(data, old)
        ):
            return self.derive(ctx), None
        out = dict(values)
        for name, derive in plan:
            out[name] = derive(ctx)
        return out, self._answer_names

    def derive_with_unassessed(
        self, ctx: IndicatorContext
    ) -> tuple[dict[str, float | None], dict[str, tuple[MaterialInput, ...]]]:
        """:meth:`derive`, with the :meth:`unassessed` it found on the way: a rating's reasons need both,
        and looking them up again after derive repeated the derivations (a review of engine 2.1)."""
        values = {name: fn(ctx) for name, fn in self._plan}
        # a sector's main source left unreported: its Scope 1 + 2 would be the rest alone (1.6.0); an input
        # with emissions left out of the year-on-year comparison (1.8.0)
        unassessed = self.unassessed(ctx, values) if self._material or self._year_on_year else {}
        for name in unassessed:
            values[name] = None
        for section, field, readers in self._zero_is_blank:
            if getattr(getattr(ctx.data, section), field) == 0:
                for name in readers:
                    values[name] = None
        if ctx.sector_default_fields:
            for path, names in self._echoes:
                if path in ctx.sector_default_fields:
                    for name in names:
                        values[name] = None
        return values, unassessed


def _same_but_answers(data: OperatingData, other: OperatingData) -> bool:
    """Whether ``data`` and ``other`` share every section but their answers (practices, targets)."""
    return (
        data.company is other.company
        and data.energy is other.energy
        and data.transport is other.transport
        and data.resources is other.resources
        and data.compliance is other.compliance
        and data.offsets is other.offsets
        and data.previous_year is other.previous_year
        and data.data_source == other.data_source
        and data.loan is other.loan
    )


def _checked_year_on_year(standard: Standard) -> MaterialInput | None:
    """The standard's ``score.year_on_year`` rule, refused when it names an indicator that does not compare
    two years (the comparison's inputs mean nothing to it)."""
    rule = standard.year_on_year
    if rule is not None and not set(rule.indicators) <= YEAR_ON_YEAR:
        raise StandardError(f"score.year_on_year: indicators must be among {sorted(YEAR_ON_YEAR)} "
                            f"(got {list(rule.indicators)})")
    return rule


def _checked_material(standard: Standard) -> tuple[MaterialInput, ...]:
    """The standard's ``missing_when_not_reported`` rules, refused when they name an input this module
    cannot tell unreported or a sector the benchmarks do not know."""
    known = set(sectors())
    for rule in standard.missing_when_not_reported:
        unknown = sorted(set(rule.sectors) - known)
        if rule.field not in UNREPORTED or unknown:
            raise StandardError(
                f"score.missing_when_not_reported: the field must be one of {sorted(UNREPORTED)} (got "
                f"{rule.field}) and the sectors known to the benchmarks (unknown: {unknown})"
            )
    return standard.missing_when_not_reported


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (IndicatorContext,):
    fast_init(_value_class)
