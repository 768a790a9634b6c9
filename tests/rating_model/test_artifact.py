"""ScorecardArtifact: verification of tampered documents, round trips, one-row and column scoring, helpers."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rating_model.artifact import MISSING_BIN, UNSEEN_BIN, ScorecardArtifact
from rating_model.artifact_format import content_sha256, derive_version, verify_document
from rating_model.engine import DEFAULT_MODEL
from rating_model.exceptions import ArtifactError, InvalidInputError
from tests.rating_model.scorecard_data import fitted_card, row_values

METADATA = {"data_version": "synthetic-1", "code_version": "test"}


def _doc() -> dict[str, Any]:
    return fitted_card().to_artifact(METADATA)


def _feature(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in doc["features"] if f["name"] == name)


def _missing(doc: dict[str, Any], name: str) -> dict[str, Any]:
    missing: dict[str, Any] = _feature(doc, name)["stats"]["missing"]
    return missing


def _resign(doc: dict[str, Any]) -> dict[str, Any]:
    """Re-derive the version (of derived form) and the hash: a structural check has to catch the change."""
    if re.fullmatch(r"sc-[0-9a-f]{12}", doc["version"]):
        doc["version"] = derive_version(doc)
    doc["sha256"] = content_sha256(doc)
    return doc


def _bump_point(doc: dict[str, Any]) -> None:
    _feature(doc, "size")["points"][1] += 0.1


def _move_edge(doc: dict[str, Any]) -> None:
    _feature(doc, "size")["edges"][0] += 1.0


TAMPERING: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "changed point": (_bump_point, "sha256 does not match"),
    "changed edge": (_move_edge, "sha256 does not match"),
    "changed probability": (lambda d: d["probability"].update(slope=1.0), "sha256 does not match"),
    "changed metadata": (lambda d: d["metadata"].update(code_version="other"), "sha256 does not match"),
    "removed key": (lambda d: d.pop("probability"), "missing key"),
    "removed feature key": (lambda d: _feature(d, "debt").pop("missing_points"), "sha256 does not match"),
    "added key": (lambda d: d.update(pickle="gASVAAAA"), "unknown key"),
    "wrong sha": (lambda d: d.update(sha256="0" * 64), "sha256 does not match"),
    "malformed sha": (lambda d: d.update(sha256="xyz"), "64 lowercase hex"),
    "wrong format": (lambda d: d.update(format="optbinning"), "not a scorecard artifact"),
    "future version": (lambda d: d.update(format_version=2), "unsupported format_version"),
    # "\ud800" is valid JSON and parses to an unpaired surrogate: no UTF-8 bytes, so no hash (was a 500)
    "unpaired surrogate": (lambda d: d["metadata"].update(note="ok \ud800 go"), "unpaired surrogate"),
}

RESIGNED: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "non-monotone points": (lambda d: _feature(d, "size")["points"].reverse(), "not monotone"),
    "unsorted edges": (lambda d: _feature(d, "size")["edges"].reverse(), "strictly ascending"),
    "edge count": (lambda d: _feature(d, "size")["edges"].pop(), "edges for"),
    "NaN point": (lambda d: _feature(d, "size")["points"].__setitem__(0, "NaN"), "finite number"),
    "unrounded point": (lambda d: _feature(d, "size")["points"].__setitem__(0, 0.05), "not a multiple"),
    "category to no bin": (lambda d: _feature(d, "sector")["categories"].update(tech=99), "not a bin index"),
    "direction": (lambda d: _feature(d, "debt").update(direction="auto"), "direction must be"),
    "duplicate feature": (lambda d: d["features"].append(copy.deepcopy(d["features"][0])), "appears twice"),
    "negative slope": (lambda d: d["probability"].update(slope=-0.1), "slope must be >= 0"),
    "score outside range": (lambda d: d.update(score_range=[0, 50]), "leave score_range"),
    "removed feature key": (lambda d: _feature(d, "debt").pop("missing_points"), "missing key"),
    "binning convention": (lambda d: d.update(binning="upper-inclusive"), "binning convention"),
    "bool decimals": (lambda d: d.update(decimals=True), "decimals must be"),
    "version with a space": (lambda d: d.update(version="sc 1"), "version must be"),
    "version with NUL": (lambda d: d.update(version="sc-1\x00"), "version must be"),
    "version too long": (lambda d: d.update(version="v" * 81), "version must be"),
    # GET /v1/models/active and `model compare active` mean the active model: one so named was shadowed
    "version reserved": (lambda d: d.update(version="Active"), "is reserved"),
    # the missing bin's record: which WOE was fitted, which is served, and a rule that agrees with both
    "unknown missing rule": (lambda d: _missing(d, "debt").update(rule="guess"), "rule must be one of"),
    "capped above its fitted WOE": (
        lambda d: _missing(d, "debt").update(rule="capped", fitted_woe=_missing(d, "debt")["woe"] - 1.0),
        "must be below fitted_woe",
    ),
    "capped without its fitted WOE": (
        lambda d: (_missing(d, "debt").update(rule="capped"), _missing(d, "debt").pop("fitted_woe")),
        "records both",
    ),
    "own rule serving another WOE": (
        lambda d: _missing(d, "debt").update(rule="own", fitted_woe=_missing(d, "debt")["woe"] + 0.5),
        "only a capped missing bin",
    ),
    "missing stats not an object": (lambda d: _feature(d, "debt")["stats"].update(missing=[]), "must be an"),
    "NaN fitted WOE": (lambda d: _missing(d, "debt").update(fitted_woe="NaN"), "finite number"),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampered_artifacts_are_refused(name: str) -> None:
    change, reason = TAMPERING[name]
    doc = _doc()
    change(doc)
    with pytest.raises(ArtifactError, match=reason):
        ScorecardArtifact.from_dict(doc)


@pytest.mark.parametrize("name", list(RESIGNED))
def test_malformed_artifacts_are_refused_even_with_a_valid_hash(name: str) -> None:
    change, reason = RESIGNED[name]
    doc = _doc()
    change(doc)
    with pytest.raises(ArtifactError, match=reason):
        ScorecardArtifact.from_dict(_resign(doc))


def test_an_artifact_trained_for_the_standard_scores_on_its_0_to_100_scale() -> None:
    """A model-risk review's hand-made artifact (base points +30, score_range [0, 130], the probability
    intercept moved so that no metric changed) was promoted, and a live rating came back at 130, dark green,
    though ratings are 0-100. The range is the standard's, not whatever the artifact says."""
    uplifted = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    uplifted["base_points"] = round(uplifted["base_points"] + 30.0, 1)
    uplifted["score_range"] = [0.0, 130.0]
    uplifted["probability"]["intercept"] -= uplifted["probability"]["slope"] * 30.0
    uplifted["version"] = "bank-2026q4"
    uplifted["sha256"] = content_sha256(uplifted)
    with pytest.raises(ArtifactError, match=r"score_range \[0.0, 130.0\] is not the standard's score range "
                       r"\[0.0, 100.0\]: every rating under 'greenrate-sme@1.10.0'"):
        ScorecardArtifact.from_dict(uplifted)
    wider = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    wider["score_range"] = [0.0, 100.5]  # the points still fit inside: the range itself is the contract
    wider["version"] = "bank-wider"
    wider["sha256"] = content_sha256(wider)
    with pytest.raises(ArtifactError, match="is not the standard's score range"):
        ScorecardArtifact.from_dict(wider)
    # a generic scorecard (no standard in its metadata) keeps the range it was fitted for
    assert ScorecardArtifact.from_dict(fitted_card(score_range=(300, 850), decimals=0).to_artifact(METADATA))


def test_artifacts_that_do_not_record_the_fitted_woe_are_read_as_before() -> None:
    """Every greenrate-train/1 model in a registry, and the first of greenrate-train/2 (the packaged
    sc-0672f563c360, whose capped bins say rule "own"), record no ``fitted_woe``: they load unchanged."""
    doc = _doc()
    assert _missing(doc, "debt")["rule"] == "own" and "fitted_woe" in _missing(doc, "debt")
    for feature in doc["features"]:
        feature["stats"]["missing"].pop("fitted_woe")
    # as sc-0672f563c360 records a capped bin: the worst bin's WOE, and rule "own"
    _missing(doc, "debt")["woe"] = min(_feature(doc, "debt")["stats"]["woe"])
    ScorecardArtifact.from_dict(_resign(doc))
    packaged = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    assert ScorecardArtifact.from_dict(packaged).version == packaged["version"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"format": "greenrate.scorecard", "format": "x"}', "duplicate key"),
        ('{"a": NaN}', "NaN"),
    ],
)
def test_bad_json_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ArtifactError, match=reason):
        ScorecardArtifact.from_json(text)


def test_json_is_canonical_and_round_trips_byte_identically() -> None:
    artifact = ScorecardArtifact.from_dict(_doc())
    text = artifact.to_json()
    again = ScorecardArtifact.from_json(text.encode("utf-8"))
    assert again.to_json() == text
    assert ScorecardArtifact.from_dict(json.loads(text)).to_json() == text
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert artifact.metadata == METADATA and artifact.version.startswith("sc-")
    assert artifact.training["n_rows"] == 800
    to_dict = artifact.to_dict()
    to_dict["features"].clear()  # a copy: mutating it changes nothing
    assert len(artifact.feature_names) == 4


@settings(max_examples=150, deadline=None)
@given(row=row_values())
def test_round_trip_scores_identically(row: dict[str, Any]) -> None:
    original = fitted_card().table_
    reloaded = ScorecardArtifact.from_json(ScorecardArtifact.from_dict(original.to_dict()).to_json())
    assert reloaded.score_row(row) == original.score_row(row)
    columns = {k: np.asarray([v], dtype=object) for k, v in row.items()}
    scores, points = reloaded.score_columns(columns)
    assert scores[0] == original.score_row(row).score
    assert points[0].tolist() == [f.points for f in original.score_row(row).features]
    assert reloaded.probabilities(scores)[0] == original.score_row(row).probability


@settings(max_examples=150, deadline=None)
@given(before=row_values(), after=row_values(), keep=st.lists(st.booleans(), min_size=4, max_size=4))
def test_score_after_a_change_equals_scoring_afresh(
    before: dict[str, Any], after: dict[str, Any], keep: list[bool]
) -> None:
    """The counterfactuals' incremental score re-bins only changed features and is exactly a fresh score."""
    artifact = fitted_card().table_
    changed = dict(before)
    for (name, value), kept in zip(after.items(), keep, strict=False):
        if not kept:
            changed[name] = value
    score_before = artifact.score_row(before).score
    assert artifact.score_after(changed, before, score_before) == artifact.score_row(changed).score
    assert artifact.score_after(before, before, score_before) == score_before


def test_one_row_with_missing_and_unseen_values() -> None:
    artifact = ScorecardArtifact.from_dict(_doc())
    full = artifact.score_row({"size": 30.0, "debt": 0.1, "staff": 12, "sector": "tech"})
    gaps = artifact.score_row({"size": None, "debt": float("nan"), "sector": "space", "extra": "ignored"})
    by_name = {f.name: f for f in gaps.features}
    assert by_name["size"].bin == by_name["debt"].bin == by_name["staff"].bin == MISSING_BIN
    assert by_name["sector"].bin == UNSEEN_BIN and by_name["sector"].bin_label == "unseen"
    assert by_name["debt"].bin_label == "missing"
    # unseen_category="missing": an unknown sector scores exactly like a missing one
    assert by_name["sector"].points == artifact.score_row({"sector": None}).features[3].points
    assert 0.0 <= gaps.probability <= 1.0 and full.score > gaps.score
    assert all(f.points <= f.max_points for f in full.features)


def test_text_in_a_numeric_feature_is_invalid_input() -> None:
    artifact = ScorecardArtifact.from_dict(_doc())
    with pytest.raises(InvalidInputError, match="size"):
        artifact.score_row({"size": "30"})
    with pytest.raises(InvalidInputError, match="text"):
        artifact.score_columns({"size": np.array(["30", "40"])})


def test_column_scoring_treats_absent_columns_as_missing() -> None:
    artifact = ScorecardArtifact.from_dict(_doc())
    scores, points = artifact.score_columns({"size": np.array([30.0, np.nan, 1e9])})
    expected = [artifact.score_row({"size": v}).score for v in (30.0, None, 1e9)]
    assert scores.tolist() == expected and points.shape == (3, 4)
    empty_scores, _ = artifact.score_columns({}, n_rows=2)
    assert empty_scores.tolist() == [artifact.score_row({}).score] * 2
    with pytest.raises(InvalidInputError, match="same length"):
        artifact.score_columns({"size": np.zeros(2), "debt": np.zeros(3)})


def test_category_keys_match_across_numeric_types() -> None:
    card = fitted_card()
    doc = card.to_artifact({})
    sector = _feature(doc, "sector")
    sector["categories"]["3"] = 0
    artifact = ScorecardArtifact.from_dict(_resign(doc))
    assert [_bin(artifact, "sector", v) for v in (3, 3.0, np.int64(3), "3")] == [0, 0, 0, 0]


def _bin(artifact: ScorecardArtifact, name: str, value: Any) -> int:
    """The bin ``value`` falls in, as a rating scores it (one feature of a one-row score)."""
    return next(f.bin for f in artifact.score_row({name: value}).features if f.name == name)


def test_bins_and_their_bounds() -> None:
    artifact = ScorecardArtifact.from_dict(_doc())
    size = _feature(artifact.to_dict(), "size")
    assert _bin(artifact, "size", size["edges"][0]) == 1  # edges are lower-inclusive
    assert _bin(artifact, "size", np.nextafter(size["edges"][0], -np.inf)) == 0
    assert max(b.points for b in artifact.bins("size")) == max(size["points"] + [size["missing_points"]])
    bins = artifact.bins("sector")
    assert bins[-1].bin == UNSEEN_BIN and bins[-2].bin == MISSING_BIN
    with pytest.raises(KeyError, match="no feature"):
        artifact.bins("colour")


def test_points_table_rows_add_up_to_the_card() -> None:
    artifact = ScorecardArtifact.from_dict(_doc())
    rows = artifact.points_table()
    assert {r["feature"] for r in rows} == set(artifact.feature_names)
    counted = [r for r in rows if r["bin"] >= 0]
    assert (
        sum(r["count"] for r in counted if r["feature"] == "size")
        + next(r["count"] for r in rows if r["feature"] == "size" and r["bin"] == MISSING_BIN)
        == 800
    )


def test_serving_path_imports_neither_sklearn_nor_pandas() -> None:
    code = (
        "import sys, rating_model, rating_model.artifact; "
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'pandas', 'scipy'}); "
        "assert not bad, bad; assert 'rating_model.scorecard' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bulk_scores_equal_score_columns_and_score_row() -> None:
    """The scores-only bulk path gives exactly the totals of the full paths."""
    from rating_model.engine import Engine

    artifact = Engine.load().artifact
    rng = np.random.default_rng(3)
    names = [f.name for f in artifact.features]
    columns = {name: np.where(rng.random(500) < 0.2, np.nan, rng.gamma(1.0, 1.0, 500)) for name in names}
    scores = artifact.scores(columns)
    assert np.array_equal(scores, artifact.score_columns(columns)[0])
    for i in (0, 17, 499):
        assert scores[i] == artifact.score_row({n: columns[n][i] for n in names}).score


def missing_above_worst(name: str = "green_operations") -> dict[str, Any]:
    """The packaged model with one feature's blank worth its best bin (inside the score range), re-hashed."""
    from tests.service.model_fixtures import default_document, rehash

    doc = default_document()
    feature = _feature(doc, name)
    assert min(feature["points"]) < max(feature["points"])
    feature["missing_points"] = max(feature["points"])
    return rehash(doc)


def test_an_artifact_trained_for_a_standard_keeps_its_missing_data_rule() -> None:
    """The standard caps a blank at the worst reported bin: an artifact that pays for withholding data is
    refused at load, naming the feature, so register, upload and the engine all refuse it."""
    from rating_model.engine import Engine

    doc = missing_above_worst()
    top = max(_feature(doc, "green_operations")["points"])
    with pytest.raises(ArtifactError, match=rf"'green_operations' \(missing_points {top} > worst bin 0.0\)"):
        ScorecardArtifact.from_dict(doc)
    with pytest.raises(ArtifactError, match="green_operations"):
        ScorecardArtifact.from_json(json.dumps(doc))
    with pytest.raises(ArtifactError, match="withholding data never pays"):
        Engine.load(doc)
    _feature(doc, "green_operations")["missing_points"] = 0.0  # at the worst bin: allowed
    ScorecardArtifact.from_dict(_resign(doc))


def test_a_bare_estimator_table_may_give_a_blank_more() -> None:
    """A generic Scorecard (missing_cap=None) names no standard, so the standard's rule does not bind it."""
    doc = _doc()
    debt = _feature(doc, "debt")
    assert debt["missing_points"] > min(debt["points"])
    ScorecardArtifact.from_dict(doc)
    doc["metadata"]["standard"] = "greenrate-sme@1.0.0"
    with pytest.raises(ArtifactError, match="'debt'"):
        ScorecardArtifact.from_dict(_resign(doc))


def test_the_engine_holds_an_artifact_without_a_named_standard_to_the_missing_data_rule() -> None:
    """Without ``metadata.standard`` the format's own check does not apply; the engine's still does."""
    from rating_model.engine import Engine
    from rating_model.standard import load_standard
    from tests.service.model_fixtures import rehash

    doc = missing_above_worst()
    del doc["metadata"]["standard"]
    artifact = ScorecardArtifact.from_dict(rehash(doc))
    with pytest.raises(ArtifactError, match="missing data earns more .*green_operations"):
        Engine(load_standard(), artifact)
    # Engine.load, what the batch and Spark use, refuses a model that names no standard, as the service does
    with pytest.raises(ArtifactError, match="trained for standard None"):
        Engine.load(rehash(doc))


def test_a_version_of_the_derived_form_must_name_its_content() -> None:
    """An edited model cannot pass for a trained one by keeping (or forging) an ``sc-`` version."""
    doc = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    doc["training"]["metrics"] = {**doc["training"].get("metrics", {}), "auc": 0.95}
    doc["sha256"] = content_sha256(doc)  # intact, but no longer the content its version names
    with pytest.raises(ArtifactError, match="has the form of a content-derived version"):
        verify_document(doc)
    doc["version"] = "sc-0123456789ab"
    doc["sha256"] = content_sha256(doc)
    with pytest.raises(ArtifactError, match="has the form of a content-derived version"):
        verify_document(doc)
    doc["version"] = "bank-2026q3-edited"  # a name of another form says nothing about how it was made
    doc["sha256"] = content_sha256(doc)
    verify_document(doc)
