"""Read and check a versioned emission-factor set from its JSON files, once per process.

A factor set is a directory ``rating_model/data/factors/<version>/`` with a ``manifest.json`` and the record
files it lists. Every record is checked when the set is loaded (types, required fields, positive values,
known units), because a wrong factor silently corrupts every rating made with it: a broken set must stop
the service at start-up (:class:`~rating_model.exceptions.ArtifactError`), never surface as odd numbers.
Only the standard library is used, and the parsed set is cached, so the serving path pays for it once.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from rating_model.exceptions import ArtifactError, FactorNotFoundError
from rating_model.factors.factor_set import FactorSet
from rating_model.factors.records import OPTIONAL_FIELDS, REQUIRED_FIELDS, FactorRecord, Manifest
from rating_model.published import verified_bytes
from rating_model.units import DIMENSIONS, EMISSION_FACTOR_UNITS, PARAMETER_UNITS

FACTORS_DIR = Path(__file__).resolve().parent.parent / "data" / "factors"
DEFAULT_FACTOR_SET = "cn-2024.6"

GWP_BASES = frozenset({"AR5", "AR6", "CO2 only", "n/a"})
QUALITIES = frozenset({"published", "derived", "unverified", "estimate"})
_REQUIRED = REQUIRED_FIELDS
_OPTIONAL = OPTIONAL_FIELDS
_FLOATS = ("value", "density_kg_per_l", "ncv_mj_per_unit")


def available_factor_sets() -> tuple[str, ...]:
    """Versions shipped with the package, sorted."""
    return tuple(sorted(p.name for p in FACTORS_DIR.iterdir() if (p / "manifest.json").is_file()))


def _fail(version: str, where: str, message: str) -> ArtifactError:
    return ArtifactError(f"factor set {version}: {where}: {message}")


def _read_json(version: str, path: Path) -> dict[str, Any]:
    try:
        data = json.loads(verified_bytes(path, lambda message: _fail(version, path.name, message)))
    except (OSError, ValueError) as exc:
        raise _fail(version, path.name, f"cannot be read as JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise _fail(version, path.name, "must hold a JSON object")
    return data


def _gwp_bases_of(unit: str) -> tuple[str, ...]:
    """The GWP bases a record of ``unit`` may declare: CO2 only for a factor in CO2 (``kgCO2/kWh``); for one
    in CO2e (``kgCO2e/km``) the IPCC report its publisher used, or ``n/a`` where the publisher states none
    (disclosed as "not stated"); ``n/a`` for a parameter (``kWh/km``)."""
    if unit in PARAMETER_UNITS:
        return ("n/a",)
    return ("AR5", "AR6", "n/a") if "CO2e/" in unit else ("CO2 only",)


def _check_record(version: str, where: str, raw: Any) -> FactorRecord:
    """Validate one raw record and build it; every rule here protects a number a bank will read."""
    if not isinstance(raw, dict):
        raise _fail(version, where, "must be an object")
    unknown = set(raw) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise _fail(version, where, f"unknown fields {sorted(unknown)}")
    for name in _REQUIRED:
        if name not in raw:
            raise _fail(version, where, f"missing field {name!r}")
    for name, types in (*_REQUIRED.items(), *_OPTIONAL.items()):
        value = raw.get(name)
        if name in raw and (not isinstance(value, types) or isinstance(value, bool)):
            raise _fail(version, where, f"{name} must be of type {'/'.join(t.__name__ for t in types)}")
    for name in ("id", "activity", "region", "source", "notes"):
        if not raw[name].strip():
            raise _fail(version, where, f"{name} must not be empty")
    for name in ("value", "density_kg_per_l", "ncv_mj_per_unit"):
        value = raw.get(name)
        if value is not None and (not math.isfinite(value) or value <= 0):
            raise _fail(version, where, f"{name} must be a finite number > 0")
    if raw["scope"] not in (1, 2, 3):
        raise _fail(version, where, "scope must be 1, 2 or 3")
    if raw["unit"] not in EMISSION_FACTOR_UNITS and raw["unit"] not in PARAMETER_UNITS:
        raise _fail(version, where, f"unknown unit {raw['unit']!r}")
    if raw["gwp_basis"] not in GWP_BASES:
        raise _fail(version, where, f"gwp_basis must be one of {sorted(GWP_BASES)}")
    if raw["quality"] not in QUALITIES:
        raise _fail(version, where, f"quality must be one of {sorted(QUALITIES)}")
    expected = _gwp_bases_of(raw["unit"])
    if raw["gwp_basis"] not in expected:
        # the IFRS S2 basis of preparation groups the factors by this label: a CO2-only guideline factor
        # labelled AR5 would be disclosed as covering all Kyoto gases
        raise _fail(
            version,
            where,
            f"gwp_basis {raw['gwp_basis']!r} does not match unit {raw['unit']!r} "
            f"(expected {' or '.join(expected)})",
        )
    url = raw["source_url"]
    if url is not None and not url.startswith(("http://", "https://")):
        raise _fail(version, where, "source_url must be an http(s) URL or null")
    if url is None and raw["quality"] != "unverified":
        # every factor names where it can be checked; one that cannot is 'unverified', which a rating says
        raise _fail(
            version, where, f"source_url is null: quality {raw['quality']!r} needs one, else 'unverified'"
        )
    for name in ("year", "year_released"):
        if raw[name] is not None and not 1990 <= raw[name] <= 2100:
            raise _fail(version, where, f"{name} must be between 1990 and 2100")
    liquid = raw.get("liquid_volume_units")
    if liquid is not None:
        if "density_kg_per_l" not in raw:
            raise _fail(version, where, "liquid_volume_units needs density_kg_per_l")
        if not liquid or any(unit not in DIMENSIONS["volume"] for unit in liquid):
            raise _fail(
                version, where, f"liquid_volume_units must list volume units of {list(DIMENSIONS['volume'])}"
            )
    activity_unit, kg = EMISSION_FACTOR_UNITS.get(raw["unit"], (None, None))
    gas = raw.get("gas_volume_units")
    if gas is not None:
        if activity_unit not in DIMENSIONS["volume"]:
            raise _fail(version, where, "gas_volume_units needs a factor per volume of the gas")
        if not gas or any(unit not in DIMENSIONS["volume"] for unit in gas):
            raise _fail(
                version, where, f"gas_volume_units must list volume units of {list(DIMENSIONS['volume'])}"
            )
    values: dict[str, Any] = {k: (float(v) if k in _FLOATS else v) for k, v in raw.items()}
    if liquid is not None:
        values["liquid_volume_units"] = tuple(liquid)
    if gas is not None:
        values["gas_volume_units"] = tuple(gas)
    return FactorRecord(
        **values,
        kg_per_unit=None if kg is None else float(raw["value"]) * kg,
        activity_unit=activity_unit,
    )


def _read_manifest(version: str, data: dict[str, Any]) -> Manifest:
    try:
        manifest = Manifest(
            version=data["version"],
            released=data["released"],
            description=data["description"],
            gwp_basis=data["gwp_basis"],
            countries=tuple(data["countries"]),
            region_scheme=data["region_scheme"],
            year_scheme=data["year_scheme"],
            not_available=tuple(data.get("not_available", ())),
        )
    except (KeyError, TypeError) as exc:
        raise _fail(version, "manifest.json", f"missing or malformed field ({exc})") from exc
    if manifest.version != version:
        raise _fail(
            version, "manifest.json", f"declares version {manifest.version!r}, directory is {version!r}"
        )
    return manifest


def read_factor_set_files(
    version: str,
) -> tuple[Manifest, tuple[FactorRecord, ...], dict[str, Any]]:
    """Read and validate a set's manifest, records and grid-region table (uncached; see ``load_factor_set``).

    Raises
    ------
    FactorNotFoundError
        ``version`` is not shipped.
    ArtifactError
        A file is unreadable or a record breaks a rule.
    """
    directory = FACTORS_DIR / version
    if not (directory / "manifest.json").is_file():
        raise FactorNotFoundError(
            f"unknown factor set {version!r}; available: {', '.join(available_factor_sets())}",
            field="factor_set_version",
        )
    raw_manifest = _read_json(version, directory / "manifest.json")
    manifest = _read_manifest(version, raw_manifest)
    records: list[FactorRecord] = []
    seen: set[str] = set()
    # what FactorSet selects a record by: an electricity factor by activity, region and year, any other
    # by its activity alone; a second record under the same key would silently replace the first
    selected_by: dict[tuple[str, str | None, int | None], str] = {}
    for name in raw_manifest.get("files", ()):
        rows = _read_json(version, directory / name).get("records")
        if not isinstance(rows, list) or not rows:
            raise _fail(version, name, "must hold a non-empty 'records' list")
        for index, raw in enumerate(rows):
            where = f"{name} record {index}"
            record = _check_record(version, where, raw)
            if record.id in seen:
                raise _fail(version, where, f"duplicate id {record.id!r}")
            seen.add(record.id)
            if record.activity.startswith("electricity."):
                if record.year is None:
                    raise _fail(version, where, f"{record.activity} needs the year its factor describes")
                key: tuple[str, str | None, int | None] = (record.activity, record.region, record.year)
            else:
                key = (record.activity, None, None)
            if key in selected_by:
                raise _fail(
                    version, where,
                    f"{record.id!r} would be selected for the same {'/'.join(str(k) for k in key if k)} as "
                    f"{selected_by[key]!r}; one would hide the other",
                )
            selected_by[key] = record.id
            records.append(record)
    regions = _read_json(version, directory / raw_manifest.get("grid_regions", "grid_regions.json"))
    return manifest, tuple(records), regions


def load_factor_set(version: str | None = None) -> FactorSet:
    """The validated, indexed factor set ``version`` (default :data:`DEFAULT_FACTOR_SET`), loaded once.

    Raises
    ------
    FactorNotFoundError
        Unknown version (``field="factor_set_version"``).
    ArtifactError
        The shipped data is broken.
    """
    return _load(version or DEFAULT_FACTOR_SET)


@lru_cache(maxsize=1)
def factor_sets_document() -> dict[str, Any]:
    """Every shipped factor set with its provenance, and the default version (``GET /v1/emission-factors``).

    Built once and shared: treat it as read-only.
    """
    return {
        "default": DEFAULT_FACTOR_SET,
        "factor_sets": [load_factor_set(version).to_dict() for version in available_factor_sets()],
    }


@lru_cache(maxsize=8)
def _load(version: str) -> FactorSet:
    """One FactorSet per version name, so the default and its explicit name share caches."""
    manifest, records, regions = read_factor_set_files(version)
    return FactorSet(manifest, records, regions)
