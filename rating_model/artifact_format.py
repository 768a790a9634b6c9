"""The scorecard artifact's JSON format: canonical serialisation, content hash and structural verification.

The artifact is the source of truth of a scorecard (never a pickle): a reviewer can read it, a bank can
archive it, and the service refuses any document that does not verify. Every check raises
:class:`~rating_model.exceptions.ArtifactError` with the reason, so a tampered or hand-broken file is
rejected at load time instead of scoring wrongly. Imports only the standard library.

A feature may carry ``stats``, the training statistics behind its points; they never change a score, but
a validator reads them, so their missing-bin record is checked too (:func:`_verify_missing_stats`):
``stats.missing`` holds the bin's ``count`` and ``event_rate``, its ``woe`` (the WOE its points were
scaled from), its ``rule`` (``"own"``: its own WOE; ``"lowest"``: too few rows for one, the feature's
lowest; ``"capped"``: its own WOE was above the worst value bin's and the standard's cap lowered it to that)
and ``fitted_woe``, the WOE the logistic regression was fitted on (the own WOE where the rule is
``"capped"``, else ``woe``). Artifacts written before ``fitted_woe`` was recorded (every
``greenrate-train/1`` model, and ``sc-0672f563c360``, the first of ``greenrate-train/2``) lack it and are
read as before: under ``greenrate-train/1`` the regression was fitted on ``woe`` itself, capped or not; the
first ``greenrate-train/2`` model fitted on the own WOE but recorded ``rule: "own"`` beside the capped one.

An artifact that names the standard it was trained for (``metadata.standard``) is also held to that
standard's missing-data rule here, at load, so that every way in (``greenrate model register``, the upload
API, the engine, a batch run) refuses it the same way; see :func:`missing_data_violations`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from rating_model.exceptions import ArtifactError

FORMAT = "greenrate.scorecard"
FORMAT_VERSION = 1
#: Written into every artifact and required verbatim on load, so a document binned under another
#: convention can never be scored under this one.
BINNING_CONVENTION = (
    "numeric: edges are inner cut points, ascending and lower-inclusive: "
    "bin i holds edges[i-1] <= x < edges[i] "
    "(edges[-1] = -inf, edges[len(edges)] = +inf); NaN or null is missing and scores missing_points. "
    "categorical: a value is matched by its key (str; integral numbers without a decimal point); "
    "null/NaN scores missing_points, a key not in categories scores unseen_points. "
    "score = base_points + sum of the features' points; logit = intercept + slope * score."
)
MAX_DECIMALS = 4
#: The score scale of every rating: the standard's ``score.range`` (every published version says [0, 100],
#: and :func:`rating_model.standard.parse_standard` refuses one that does not) and the API contract's
#: ``score`` (0-100). An artifact trained for a standard must span exactly this range: the review of a
#: hand-made artifact with base points +30 and ``score_range`` [0, 130] (probabilities unchanged, so AUC,
#: Gini, KS and Brier unchanged) had it promoted, and a live rating came back at 130, dark green.
STANDARD_SCORE_RANGE = (0.0, 100.0)
TOP_LEVEL_KEYS = frozenset(
    {
        "format",
        "format_version",
        "version",
        "binning",
        "features",
        "base_points",
        "score_range",
        "decimals",
        "probability",
        "training",
        "metadata",
        "sha256",
    }
)
_FEATURE_KEYS = {
    "numeric": frozenset(
        {"name", "type", "direction", "edges", "labels", "points", "missing_points", "stats"}
    ),
    "categorical": frozenset(
        {
            "name",
            "type",
            "direction",
            "labels",
            "points",
            "missing_points",
            "unseen_points",
            "categories",
            "stats",
        }
    ),
}
_OPTIONAL_FEATURE_KEYS = frozenset({"stats"})
#: ``stats.missing.rule``: the missing bin's own WOE, the feature's lowest (too few missing rows), or its
#: own WOE capped at the worst value bin's (the standard's missing-data rule); see ``rating_model.woe``.
MISSING_RULES = frozenset({"own", "lowest", "capped"})
_SHA = re.compile(r"[0-9a-f]{64}")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: A model version names files, URLs (``/v1/models/{version}``) and database keys.
VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
#: Names the API and the CLI give a meaning of their own (``GET /v1/models/active``, ``compare active``):
#: a model so named was shadowed by whatever model was active (a reproducibility review uploaded one).
RESERVED_VERSIONS = frozenset({"active", "default", "latest", "current"})
#: The form of a version derived from the content (:func:`derive_version`): reserved for such versions.
_DERIVED = re.compile(r"sc-[0-9a-f]{12}")


def canonical_json(doc: Any) -> str:
    """Sorted keys, no whitespace, no NaN: the same content always gives the same bytes."""
    try:
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ArtifactError(f"artifact is not plain finite JSON: {exc}") from exc
    if _SURROGATE.search(text):  # JSON's "\ud800" escape parses to one; it has no UTF-8 bytes to hash
        raise ArtifactError("artifact holds text with an unpaired surrogate, which is not Unicode text")
    return text


def content_sha256(doc: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of everything except the ``sha256`` field itself."""
    body = {k: v for k, v in doc.items() if k != "sha256"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def derive_version(doc: Mapping[str, Any]) -> str:
    """A content-derived version (``sc-`` + 12 hex digits) for artifacts the caller did not name."""
    body = {k: v for k, v in doc.items() if k not in ("sha256", "version")}
    return "sc-" + hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()[:12]


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ArtifactError(f"duplicate key {key!r} in artifact JSON")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ArtifactError(f"artifact JSON contains {name}; only finite numbers are allowed")


def parse_json(text: str | bytes) -> Any:
    """Strict JSON: duplicate keys (a way to smuggle a second value past a reviewer) and NaN are refused."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"artifact is not valid JSON: {exc}") from exc


def _fail(where: str, message: str) -> ArtifactError:
    return ArtifactError(f"{where}: {message}" if where else message)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, f"must be a finite number, got {value!r}")
    return float(value)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, "must be a list")
    return value


def _units(value: Any, where: str, scale: int) -> int:
    """Points as integer units of ``10**-decimals``; anything in between is refused."""
    number = _number(value, where)
    units = round(number * scale)
    if units / scale != number:
        raise _fail(where, f"{number!r} is not a multiple of 1/{scale} (decimals)")
    return units


def _check_keys(
    doc: Mapping[str, Any], required: frozenset[str], optional: frozenset[str], where: str
) -> None:
    missing = sorted(required - optional - doc.keys())
    unknown = sorted(doc.keys() - required)
    if missing:
        raise _fail(where, f"missing key(s) {missing}")
    if unknown:
        raise _fail(where, f"unknown key(s) {unknown}")


def _verify_feature(feature: Any, index: int, scale: int) -> tuple[list[int], int, int | None]:
    """Check one feature; returns its bin units, missing units and unseen units."""
    where = f"features[{index}]"
    if not isinstance(feature, dict):
        raise _fail(where, "must be an object")
    kind = feature.get("type")
    if kind not in _FEATURE_KEYS:
        raise _fail(where, f"type must be 'numeric' or 'categorical', got {kind!r}")
    _check_keys(feature, _FEATURE_KEYS[kind], _OPTIONAL_FEATURE_KEYS, where)
    name = feature["name"]
    if not isinstance(name, str) or not name:
        raise _fail(where, "name must be a non-empty string")
    where = f"feature {name!r}"
    points = [_units(p, f"{where} points", scale) for p in _list(feature["points"], f"{where} points")]
    labels = _list(feature["labels"], f"{where} labels")
    if not points:
        raise _fail(where, "must have at least one bin")
    if len(labels) != len(points) or not all(isinstance(lb, str) for lb in labels):
        raise _fail(where, "labels must be one string per bin")
    missing = _units(feature["missing_points"], f"{where} missing_points", scale)
    unseen = None
    if kind == "numeric":
        if feature["direction"] not in ("increasing", "decreasing"):
            raise _fail(
                where, f"direction must be 'increasing' or 'decreasing', got {feature['direction']!r}"
            )
        edges = [_number(e, f"{where} edges") for e in _list(feature["edges"], f"{where} edges")]
        if len(edges) != len(points) - 1:
            raise _fail(where, f"{len(edges)} edges for {len(points)} bins (need bins - 1)")
        if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
            raise _fail(where, "edges must be strictly ascending")
        ordered = points if feature["direction"] == "increasing" else points[::-1]
        if any(b < a for a, b in zip(ordered, ordered[1:], strict=False)):
            raise _fail(where, f"points are not monotone in the declared direction {feature['direction']!r}")
    else:
        if feature["direction"] is not None:
            raise _fail(where, "a categorical feature has no direction (null)")
        unseen = _units(feature["unseen_points"], f"{where} unseen_points", scale)
        categories = feature["categories"]
        if not isinstance(categories, dict):
            raise _fail(where, "categories must be an object")
        for key, bin_index in categories.items():
            if (
                isinstance(bin_index, bool)
                or not isinstance(bin_index, int)
                or not 0 <= bin_index < len(points)
            ):
                raise _fail(where, f"category {key!r} points at bin {bin_index!r}, not a bin index")
    if "stats" in feature:
        if not isinstance(feature["stats"], dict):
            raise _fail(where, "stats must be an object")
        if "missing" in feature["stats"]:
            _verify_missing_stats(feature["stats"]["missing"], f"{where} stats.missing")
    return points, missing, unseen


def _verify_missing_stats(stats: Any, where: str) -> None:
    """The missing bin's record says which WOE was fitted and which served, and they agree with its rule.

    Every key is optional (older artifacts lack ``fitted_woe``), but what is there must be consistent: a
    ``"capped"`` bin names the WOE it was fitted on, above the one it serves; any other rule serves the
    WOE it was fitted on. A capped WOE recorded as the bin's own misled a model validator.
    """
    if not isinstance(stats, dict):
        raise _fail(where, "must be an object")
    rule = stats.get("rule")
    if "rule" in stats and rule not in MISSING_RULES:
        raise _fail(where, f"rule must be one of {sorted(MISSING_RULES)}, got {rule!r}")
    woe = _number(stats["woe"], f"{where}.woe") if "woe" in stats else None
    fitted = _number(stats["fitted_woe"], f"{where}.fitted_woe") if "fitted_woe" in stats else None
    if rule == "capped":
        if woe is None or fitted is None:
            raise _fail(where, "a capped missing bin records both its woe (served) and fitted_woe")
        if not woe < fitted:
            raise _fail(where, f"capped woe {woe!r} must be below fitted_woe {fitted!r} (before the cap)")
    elif fitted is not None and woe is not None and fitted != woe:
        raise _fail(
            where,
            f"woe {woe!r} differs from fitted_woe {fitted!r} but the rule is {rule!r}: only a capped "
            "missing bin serves another WOE than it was fitted on",
        )


def missing_data_violations(features: list[tuple[str, list[int], int]], scale: int) -> list[str]:
    """The features whose missing bin earns more than their worst reported bin, each with its numbers.

    The standard's missing-data rule caps a blank at the points of the indicator's worst reported bin, so
    that no business raises its grade by withholding data. Training honours it (``missing_cap="lowest"``);
    this check keeps a hand-edited and re-hashed artifact from breaking it. ``features`` holds each
    feature's name, bin units and missing units (integers of ``1/scale``, so the comparison is exact).
    """
    return [
        f"{name!r} (missing_points {missing / scale} > worst bin {min(points) / scale})"
        for name, points, missing in features
        if missing > min(points)
    ]


def verify_document(doc: Any) -> None:
    """Refuse anything that is not a complete, untampered artifact of this format version."""
    if not isinstance(doc, dict):
        raise ArtifactError("artifact must be a JSON object")
    if doc.get("format") != FORMAT:
        raise ArtifactError(f"not a scorecard artifact: format is {doc.get('format')!r}, expected {FORMAT!r}")
    if doc.get("format_version") != FORMAT_VERSION or isinstance(doc.get("format_version"), bool):
        raise ArtifactError(
            f"unsupported format_version {doc.get('format_version')!r} (this code reads {FORMAT_VERSION})"
        )
    _check_keys(doc, TOP_LEVEL_KEYS, frozenset(), "")
    if not isinstance(doc["sha256"], str) or not _SHA.fullmatch(doc["sha256"]):
        raise ArtifactError("sha256 must be 64 lowercase hex digits")
    if not hmac.compare_digest(doc["sha256"], content_sha256(doc)):
        raise ArtifactError(
            "sha256 does not match the content: the artifact was modified after it was written"
        )
    if doc["binning"] != BINNING_CONVENTION:
        raise ArtifactError("binning convention differs from the one this code implements")
    if not isinstance(doc["version"], str) or not VERSION_PATTERN.fullmatch(doc["version"]):
        raise ArtifactError("version must be 1 to 80 letters, digits and . _ - (first a letter or digit)")
    if doc["version"].lower() in RESERVED_VERSIONS:
        raise ArtifactError(
            f"version {doc['version']!r} is reserved (it names a model by its role: "
            f"{', '.join(sorted(RESERVED_VERSIONS))}); choose another"
        )
    decimals = doc["decimals"]
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        raise ArtifactError(f"decimals must be an integer in [0, {MAX_DECIMALS}], got {decimals!r}")
    scale = 10**decimals
    score_range = _list(doc["score_range"], "score_range")
    low, high = (_number(v, "score_range") for v in score_range) if len(score_range) == 2 else (1.0, 0.0)
    if not low < high:
        raise ArtifactError(f"score_range must be [low, high] with low < high, got {score_range!r}")
    base = _units(doc["base_points"], "base_points", scale)
    probability = doc["probability"]
    if not isinstance(probability, dict) or set(probability) != {"intercept", "slope"}:
        raise ArtifactError("probability must be an object with exactly 'intercept' and 'slope'")
    _number(probability["intercept"], "probability.intercept")
    if _number(probability["slope"], "probability.slope") < 0:
        raise ArtifactError(
            "probability.slope must be >= 0: a higher score may never mean a lower probability"
        )
    for key in ("training", "metadata"):
        if not isinstance(doc[key], dict):
            raise ArtifactError(f"{key} must be an object")
    names: set[str] = set()
    lowest = highest = base
    tables: list[tuple[str, list[int], int]] = []
    for index, feature in enumerate(_list(doc["features"], "features")):
        points, missing, unseen = _verify_feature(feature, index, scale)
        if feature["name"] in names:
            raise ArtifactError(f"feature {feature['name']!r} appears twice")
        names.add(feature["name"])
        tables.append((feature["name"], points, missing))
        every = [*points, missing] + ([] if unseen is None else [unseen])
        lowest, highest = lowest + min(every), highest + max(every)
    if lowest < round(low * scale) or highest > round(high * scale):
        raise ArtifactError(
            f"possible scores [{lowest / scale}, {highest / scale}] leave score_range {low, high}"
        )
    # Only an artifact trained for a standard is bound by the standard's rules: the bare points table of
    # a generic Scorecard (fitted with missing_cap=None or another score range, metadata without a
    # standard) may give a blank more, and the service never serves one (it requires metadata.standard).
    if "standard" in doc["metadata"] and (low, high) != STANDARD_SCORE_RANGE:
        raise ArtifactError(
            f"score_range {[low, high]} is not the standard's score range {list(STANDARD_SCORE_RANGE)}: "
            f"every rating under {doc['metadata']['standard']!r} is scored on that scale, and its grade "
            "cut-offs assume it"
        )
    violations = missing_data_violations(tables, scale) if "standard" in doc["metadata"] else []
    if violations:
        raise ArtifactError(
            f"missing data earns more than the worst reported value for {', '.join(violations)}: the "
            f"standard {doc['metadata']['standard']!r} caps a blank at the worst reported bin, so that "
            "withholding data never pays"
        )
    # Last, so that a structural fault is named as such: a version of the derived form must be derived.
    if _DERIVED.fullmatch(doc["version"]) and doc["version"] != derive_version(doc):
        raise ArtifactError(
            f"version {doc['version']!r} has the form of a content-derived version (sc- and 12 hex digits) "
            f"but this content derives {derive_version(doc)!r}: a version of that form always names its "
            "content; give an edited model a name of another form (or let training derive it)"
        )


def build_document(
    *,
    features: list[dict[str, Any]],
    base_points: float,
    score_range: tuple[float, float],
    decimals: int,
    intercept: float,
    slope: float,
    training: Mapping[str, Any],
    metadata: Mapping[str, Any],
    version: str | None = None,
) -> dict[str, Any]:
    """Assemble a complete artifact: format header, content, version (derived when not given) and hash.

    The version is derived from the content (not from a clock or a counter), so retraining on the same
    data with the same seed reproduces the same version and the same bytes.
    """
    doc: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "binning": BINNING_CONVENTION,
        "features": features,
        "base_points": base_points,
        "score_range": [score_range[0], score_range[1]],
        "decimals": decimals,
        "probability": {"intercept": intercept, "slope": slope},
        "training": dict(training),
        "metadata": dict(metadata),
    }
    doc["version"] = version if version is not None else derive_version(doc)
    doc["sha256"] = content_sha256(doc)
    return doc
