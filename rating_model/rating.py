"""The rating: one immutable value holding everything the engine decided for one business.

``to_dict`` is the response body of the public contract (``shared/docs/api-v1.md``, "The rating"), without
the service's own fields (id, issued_at, valid_until); the service stores exactly this JSON, so a rating
fetched years later is the rating that was issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rating_model.data_quality import DataQuality
from rating_model.green_loan import FinancedEmissions, GreenLoan
from rating_model.improvements import Improvement
from rating_model.reasons import Contribution
from rating_model.values import fast_init


@fast_init
@dataclass(frozen=True, slots=True)
class Rating:
    score: float
    grade: str
    score_grade: str
    #: the knock-out rules that apply, each with the grade it caps at and whether it denies green loans
    knock_outs: tuple[dict[str, Any], ...]
    probability_green: float
    base_points: float
    pillars: tuple[dict[str, Any], ...]
    contributions: tuple[Contribution, ...]
    reason_codes: tuple[dict[str, Any], ...]
    improvements: tuple[Improvement, ...]
    path_to_next_grade: dict[str, Any]
    emissions: dict[str, Any]
    neutrality: dict[str, Any]
    equivalents: dict[str, Any]
    data_quality: DataQuality
    green_loan: GreenLoan
    financed_emissions: FinancedEmissions | None
    #: the business's own inventory beside the computed one (schema 1.11; :mod:`rating_model.reported`)
    reported_emissions: dict[str, Any] | None
    issb_summary: dict[str, Any]
    versions: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able body; key order is fixed so stored and served bytes stay identical."""
        return {
            "score": self.score,
            "grade": self.grade,
            "score_grade": self.score_grade,
            "knock_outs": list(self.knock_outs),
            "probability_green": self.probability_green,
            "base_points": self.base_points,
            "pillars": list(self.pillars),
            "contributions": [c.to_dict() for c in self.contributions],
            "reason_codes": list(self.reason_codes),
            "improvements": [i.to_dict() for i in self.improvements],
            "path_to_next_grade": self.path_to_next_grade,
            "emissions": self.emissions,
            "neutrality": self.neutrality,
            "equivalents": self.equivalents,
            "data_quality": self.data_quality.to_dict(),
            "green_loan": self.green_loan.to_dict(),
            "financed_emissions": (
                None if self.financed_emissions is None else self.financed_emissions.to_dict()
            ),
            "reported_emissions": self.reported_emissions,
            "issb_summary": self.issb_summary,
            "versions": dict(self.versions),
        }
