"""Data quality of a rating: completeness of the operating data and the PCAF data-quality score.

Banks aggregate the PCAF score over their loan book (outstanding-weighted), so it must follow PCAF's
options exactly: the declared data source sets the score and any estimate can only make it worse.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from rating_model.estimation import Filled
from rating_model.operating_data import OperatingData, Practices
from rating_model.standard import Standard

_PRACTICE_NAMES = tuple(f.name for f in fields(Practices))


@dataclass(frozen=True, slots=True)
class DataQuality:
    pcaf_score: int
    completeness: float
    estimated_fields: tuple[str, ...]
    data_source: str

    def to_dict(self) -> dict[str, object]:
        return {
            "pcaf_score": self.pcaf_score,
            "completeness": self.completeness,
            "estimated_fields": list(self.estimated_fields),
            "data_source": self.data_source,
        }


def _given(data: OperatingData, path: str, estimated: frozenset[str]) -> float:
    """How fully one completeness item was given by the business (0-1); estimates count as absent."""
    if path in estimated:
        return 0.0
    if path == "practices":
        answered = sum(getattr(data.practices, name) is not None for name in _PRACTICE_NAMES)
        return answered / len(_PRACTICE_NAMES)
    if path == "previous_year":
        return 1.0 if data.previous_year is not None else 0.0
    if path == "energy.fuels":
        # No fuels and nothing estimated means the sector uses none by default: an honest empty answer.
        return 1.0
    section, _, name = path.partition(".")
    return 1.0 if getattr(getattr(data, section), name) is not None else 0.0


def assess(data: OperatingData, filled: Filled, standard: Standard) -> DataQuality:
    """Completeness over the standard's items and the PCAF score with the estimation floors applied."""
    estimated = filled.paths
    items = standard.completeness_fields
    completeness = round(sum(_given(data, path, estimated) for path in items) / len(items), 4)
    pcaf = standard.pcaf_by_data_source[data.data_source]
    floor = filled.pcaf_floor
    if floor is not None:
        pcaf = max(pcaf, floor)
    return DataQuality(pcaf, completeness, tuple(sorted(estimated)), data.data_source)
