"""Data quality of a rating: completeness of the operating data and the PCAF data-quality score.

Banks aggregate the PCAF score over their loan book (outstanding-weighted), so it must follow PCAF's
options exactly: the declared data source sets the score and any estimate can only make it worse.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import lru_cache
from operator import attrgetter

from rating_model.estimation import Filled
from rating_model.operating_data import OperatingData, Practices
from rating_model.rounding import round_float
from rating_model.standard import Standard
from rating_model.values import fast_init

#: The PCAF score a rating can be no better than when a vehicle is counted without its fuel or distance
#: (priced at the seed's 12,000 km a year: ``emissions.estimated`` names ``transport.fleet.N.km``). A
#: vehicle count is physical activity data other than energy use, with a generic factor: PCAF option 2b,
#: score 3 (domain.md section 4). The standard's principle is that every estimated figure caps the PCAF
#: score; its estimation floors covered only the inputs its rules fill, so 90 % of an inventory could rest
#: on seed distances and still earn the score 2 of energy bills, or 1 (GHG-accounting review).
SEED_DISTANCE_PCAF_FLOOR = 3

_PRACTICE_NAMES = tuple(f.name for f in fields(Practices))
_PRACTICE_ANSWERS = attrgetter(*_PRACTICE_NAMES)


@dataclass(frozen=True, slots=True, init=False)
class DataQuality:
    pcaf_score: int
    completeness: float
    estimated_fields: tuple[str, ...]
    data_source: str

    def __init__(
        self, pcaf_score: int, completeness: float, estimated_fields: tuple[str, ...], data_source: str,
    ) -> None:
        object.__setattr__(self, "pcaf_score", pcaf_score)
        object.__setattr__(self, "completeness", completeness)
        object.__setattr__(self, "estimated_fields", estimated_fields)
        object.__setattr__(self, "data_source", data_source)

    def to_dict(self) -> dict[str, object]:
        return {
            "pcaf_score": self.pcaf_score,
            "completeness": self.completeness,
            "estimated_fields": list(self.estimated_fields),
            "data_source": self.data_source,
        }


def _practices_answered(data: OperatingData, compared: bool) -> float:
    answers = _PRACTICE_ANSWERS(data.practices)
    return (len(answers) - answers.count(None)) / len(_PRACTICE_NAMES)


def _previous_year_given(data: OperatingData, compared: bool) -> float:
    return 1.0 if data.previous_year is not None else 0.0


def _previous_year_compared(data: OperatingData, compared: bool) -> float:
    """Given when the year-on-year comparison compared something (a change in percent), under a standard
    that says so (1.6.0 on): a supervisor's review added ``previous_year: {energy: {purchased_heat_gj: 0}}``
    beside a year without heat, which compared nothing, and it lifted a shop over the completeness cap."""
    return 1.0 if compared else 0.0


def _fuels_given(data: OperatingData, compared: bool) -> float:
    # Fuels given, "none" ("fuels": []), or not given where the sector burns none by default (nothing to
    # estimate): each is a complete answer; an estimated list counts as absent (see _completeness).
    return 1.0


#: each completeness item's path with the function that reads how fully it was given (from the data, and
#: whether the year-on-year comparison compared something: ``Neutrality.change_pct`` is not ``None``)
Plan = tuple[tuple[str, Callable[[OperatingData, bool], float]], ...]


def presence_plan(standard: Standard) -> Plan:
    """Each completeness item of ``standard`` with the function that reads it."""
    return _presence_plan(
        standard.completeness_fields, standard.completeness_zero_is_blank, standard.previous_year_in_common
    )


@lru_cache(maxsize=8)
def _presence_plan(items: tuple[str, ...], zero_is_blank: tuple[str, ...], in_common: bool) -> Plan:
    """Each completeness item with the function that reads it (chosen once, not per rating).

    Keyed on the standard's completeness rules: immutable, and one entry per standard in use. A zero counts
    as not given for the items of ``zero_is_blank`` (1.6.0 on: a supervisor's review lifted a tea shop over
    the completeness cap to dark green with water 0 and waste 0, neither of which scores).
    """
    return tuple((path, _presence(path, path in zero_is_blank, in_common)) for path in items)


def _presence(path: str, zero_is_blank: bool, in_common: bool) -> Callable[[OperatingData, bool], float]:
    """How fully one completeness item was given by the business (0-1)."""
    if path == "practices":
        return _practices_answered
    if path == "energy.fuels":
        return _fuels_given
    if path == "previous_year":
        return _previous_year_compared if in_common else _previous_year_given
    section, _, name = path.partition(".")  # "energy.electricity_kwh", "resources.water_m3", ...

    def given(data: OperatingData, compared: bool) -> float:
        value = getattr(getattr(data, section), name)
        return 0.0 if value is None or (zero_is_blank and value == 0) else 1.0

    return given


def _completeness(data: OperatingData, estimated: frozenset[str], plan: Plan, compared: bool) -> float:
    """The share of the completeness items given (an estimated item counts as absent), to 4 decimals."""
    given = [0.0 if path in estimated else presence(data, compared) for path, presence in plan]
    return round_float(math.fsum(given) / len(plan), 4)


def assess(data: OperatingData, filled: Filled, standard: Standard, compared: bool) -> DataQuality:
    """Completeness over the standard's items and the PCAF score with the estimation floors applied
    (the standard's, and :data:`SEED_DISTANCE_PCAF_FLOOR` for vehicles counted at the seed distance).

    An item that was estimated counts as absent. ``compared``: the year-on-year comparison compared
    something (the inventory's ``neutrality.change_pct`` is not ``None``), which the previous year needs
    to count under a standard with ``previous_year_in_common``.
    """
    estimated = filled.paths
    completeness = _completeness(data, estimated, presence_plan(standard), compared)
    pcaf = standard.pcaf_by_data_source[data.data_source]
    floor = filled.pcaf_floor
    if floor is not None:
        pcaf = max(pcaf, floor)
    # A vehicle counted at the seed distance is an estimated input too, and named with the others (it had
    # capped the PCAF score while estimated_fields said nothing was estimated).
    seeded = [
        f"transport.fleet.{index}.km"
        for index, item in enumerate(data.transport.vehicles)
        if item.fuel_quantity is None and item.km is None and item.vehicles  # a count of 0 drives nothing
    ]
    if seeded:
        pcaf = max(pcaf, SEED_DISTANCE_PCAF_FLOOR)
    return DataQuality(pcaf, completeness, tuple(sorted([*estimated, *seeded])), data.data_source)


class Completeness:
    """The completeness of a changed business from that of the business before it, read again only if needed.

    Built once per standard (the engine holds one) for the improvement plan's counterfactuals. An action
    replaces only the sections of the data it changes, so identity tells what is untouched: completeness is
    read again only when a section its items read was replaced. Adopting a practice nobody had answered makes
    the data more complete (which can lift a completeness knock-out); adopting one answered "no" does not.
    """

    def __init__(self, standard: Standard) -> None:
        self.plan = presence_plan(standard)
        #: the sections of the data the completeness items read (previous_year is compared with this
        #: year's energy and fleet)
        read = [path.partition(".")[0] for path, _ in self.plan]
        if "previous_year" in read and standard.previous_year_in_common:
            read += ["energy", "transport"]  # what the comparison compares with the previous year
        self.sections = tuple(dict.fromkeys(read))

    def after(self, changed: Filled, before: Filled, quality: DataQuality, compared: bool) -> DataQuality:
        """What :func:`assess` gives for ``changed``, from ``quality``, what it gave for ``before``.

        Only for a change that keeps the data source, the estimates and whether a vehicle is counted at the
        seed distance (which the PCAF score reads; fleet electrification keeps it: a counted item's EVs
        are counted too):
        ``quality`` itself, the same object, when the completeness is the same.
        """
        data, old = changed.data, before.data
        for section in self.sections:
            if getattr(data, section) is not getattr(old, section):
                completeness = _completeness(data, changed.paths, self.plan, compared)
                if completeness == quality.completeness:
                    return quality
                return DataQuality(
                    quality.pcaf_score, completeness, quality.estimated_fields, quality.data_source
                )
        return quality


# a call, not a decorator, so that mypyc compiles these as native classes (see rating_model.values)
for _value_class in (DataQuality,):
    fast_init(_value_class)
