"""Versioned emission-factor sets: validated JSON data, loaded once, with explicit selection fallbacks."""

from rating_model.factors.factor_set import GRID, GRID_RESIDUAL, FactorSet, Selection
from rating_model.factors.loader import (
    DEFAULT_FACTOR_SET,
    available_factor_sets,
    factor_sets_document,
    load_factor_set,
)
from rating_model.factors.records import FactorRecord, FactorRef, Manifest

__all__ = [
    "DEFAULT_FACTOR_SET",
    "GRID",
    "GRID_RESIDUAL",
    "FactorRecord",
    "FactorRef",
    "FactorSet",
    "Manifest",
    "Selection",
    "available_factor_sets",
    "factor_sets_document",
    "load_factor_set",
]
