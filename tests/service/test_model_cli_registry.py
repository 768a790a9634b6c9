"""``greenrate model`` promote, rollback, history: the registry's rules and errors as the CLI shows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine

from rating_model.artifact import ScorecardArtifact
from rating_model.artifact_format import content_sha256
from service.cli import main
from service.records import activation, registry
from tests.service.model_fixtures import (
    compressed_document,
    default_document,
    rehash,
    uplifted_document,
    variant_document,
)

DEFAULT_VERSION = default_document()["version"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """One account registers and promotes here: four eyes is off for the rules these tests are about,
    and on in the test of its own."""
    environment = {
        "GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
        "GREENRATE_MODEL_FOUR_EYES": "false",
        "GREENRATE_MODEL_REQUIRE_COMPARISON": "false",
    }
    assert run(environment, "db", "upgrade").exit_code == 0  # registers and activates the packaged default
    return environment


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _register(env: dict[str, str], tmp_path: Path, tag: str) -> str:
    doc = variant_document(tag)
    path = tmp_path / f"{tag}.json"
    path.write_text(json.dumps(doc))
    assert run(env, "model", "register", str(path)).exit_code == 0
    return str(doc["version"])


def _history(env: dict[str, str]) -> list[str]:
    result = run(env, "model", "history")
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_promoting_the_active_version_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    b = _register(env, tmp_path, "b")
    assert (
        run(env, "model", "promote", b, "--reason", "b is better", "--replacing", DEFAULT_VERSION).exit_code
        == 0
    )
    before = _history(env)
    again = run(env, "model", "promote", b, "--reason", "b once more", "--replacing", b)
    assert again.exit_code == 1 and "already the active one" in again.output
    assert _history(env) == before
    back = run(env, "model", "rollback", "--reason", "b misgrades", "--undoing", b)
    assert back.exit_code == 0 and f"active model: {DEFAULT_VERSION} (rolled back from {b})" in back.output


def test_rollbacks_walk_back_one_promotion_at_a_time(env: dict[str, str], tmp_path: Path) -> None:
    b, c = _register(env, tmp_path, "b"), _register(env, tmp_path, "c")
    for version, champion in ((b, DEFAULT_VERSION), (c, b)):
        promoted = run(
            env, "model", "promote", version, "--reason", f"promote {version}", "--replacing", champion
        )
        assert promoted.exit_code == 0
    first = run(env, "model", "rollback", "--reason", "c misgrades", "--undoing", c)
    assert first.exit_code == 0 and f"active model: {b} (rolled back from {c})" in first.output
    second = run(env, "model", "rollback", "--reason", "b misgrades too", "--undoing", b)
    assert second.exit_code == 0
    assert f"active model: {DEFAULT_VERSION} (rolled back from {b})" in second.output
    third = run(env, "model", "rollback", "--reason", "and once more", "--undoing", DEFAULT_VERSION)
    assert third.exit_code == 1 and "nothing to roll back to" in third.output
    assert f"* {DEFAULT_VERSION}" in run(env, "model", "list").output
    trail = _history(env)
    assert "by cli/" in trail[-1] and trail[-1].endswith("b misgrades too") and "rollback" in trail[-1]


def test_a_version_for_another_standard_is_not_promoted(env: dict[str, str]) -> None:
    doc = default_document()
    doc["metadata"]["standard"] = "greenrate-sme-0.9"
    artifact = ScorecardArtifact.from_dict(rehash(doc))
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    registry.register(db, artifact, source="cli", actor="old-release", reason="registered before 1.0")
    db.dispose()
    result = run(
        env, "model", "promote", artifact.version, "--reason", "the old one", "--replacing", DEFAULT_VERSION
    )
    assert result.exit_code == 1
    assert "cannot be activated" in result.output and "greenrate-sme-0.9" in result.output
    assert f"* {DEFAULT_VERSION}" in run(env, "model", "list").output


@pytest.mark.parametrize("reason", [".", "  ab ", ""])
def test_reasons_that_say_nothing_are_refused(env: dict[str, str], tmp_path: Path, reason: str) -> None:
    b = _register(env, tmp_path, "b")
    result = run(env, "model", "promote", b, "--reason", reason, "--replacing", DEFAULT_VERSION)
    assert result.exit_code == 1 and "reason refused" in result.output
    assert (
        run(env, "model", "promote", b, "--reason", "b is better", "--replacing", DEFAULT_VERSION).exit_code
        == 0
    )
    result = run(env, "model", "rollback", "--reason", reason, "--undoing", b)
    assert result.exit_code == 1 and "reason refused" in result.output


def test_rollback_requires_a_reason(env: dict[str, str], tmp_path: Path) -> None:
    b = _register(env, tmp_path, "b")
    assert (
        run(env, "model", "promote", b, "--reason", "b is better", "--replacing", DEFAULT_VERSION).exit_code
        == 0
    )
    result = run(env, "model", "rollback", "--undoing", b)
    assert result.exit_code == 2 and "Missing option '--reason'" in result.output
    assert f"* {b}" in run(env, "model", "list").output


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("register", "{artifact}"),
        ("promote", DEFAULT_VERSION, "--reason", "a good reason", "--replacing", "x"),
        ("rollback", "--reason", "a good reason", "--undoing", "x"),
        ("history",),
        ("history", "--version", DEFAULT_VERSION),
    ],
    ids=["list", "register", "promote", "rollback", "history", "history-version"],
)
def test_an_unmigrated_database_is_a_one_line_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    artifact = tmp_path / "b.json"
    artifact.write_text(json.dumps(variant_document("b")))
    env = {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/x/empty.sqlite"}
    result = run(env, "model", *(a.format(artifact=artifact) for a in args))  # a traceback would raise
    assert result.exit_code == 1
    assert "Error: database error: OperationalError (has `greenrate db upgrade` run?)" in result.output


def test_promote_and_rollback_take_the_version_they_expect(env: dict[str, str], tmp_path: Path) -> None:
    b, c = _register(env, tmp_path, "b"), _register(env, tmp_path, "c")
    first = run(env, "model", "promote", b, "--reason", "CR-1 b", "--replacing", DEFAULT_VERSION)
    assert first.exit_code == 0
    late = run(env, "model", "promote", c, "--reason", "CR-2 c", "--replacing", DEFAULT_VERSION)
    assert late.exit_code == 1 and f"the active model is '{b}'" in late.output
    wrong = run(env, "model", "rollback", "--reason", "undo c", "--undoing", c)
    assert wrong.exit_code == 1 and "nothing was changed" in wrong.output
    assert f"or '{c}' was never active" in wrong.output and "before rolling back" in wrong.output
    assert "before promoting" not in wrong.output  # a rollback's own advice
    undone = run(env, "model", "rollback", "--reason", "undo b", "--undoing", b)
    assert undone.exit_code == 0 and f"rolled back from {b}" in undone.output


def test_promote_and_rollback_say_what_they_replace(env: dict[str, str], tmp_path: Path) -> None:
    """Without the version it expects to replace, one analyst's promotion could silently override
    another's, and two rollbacks of one incident walked back two promotions."""
    b = _register(env, tmp_path, "b")
    unsaid = run(env, "model", "promote", b, "--reason", "CR-1 b")
    assert unsaid.exit_code == 2 and "Missing option '--replacing'" in unsaid.output
    assert (
        run(env, "model", "promote", b, "--reason", "CR-1 b", "--replacing", DEFAULT_VERSION).exit_code == 0
    )
    unsaid = run(env, "model", "rollback", "--reason", "INC-9 b misgrades")
    assert unsaid.exit_code == 2 and "Missing option '--undoing'" in unsaid.output


def test_four_eyes_the_account_that_registered_a_version_cannot_promote_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    four_eyes = {**env, "GREENRATE_MODEL_FOUR_EYES": "true", "USER": "head_of_model_risk"}
    b = _register(four_eyes, tmp_path, "b")
    refused = run(four_eyes, "model", "promote", b, "--reason", "CR-1 b", "--replacing", DEFAULT_VERSION)
    assert refused.exit_code == 1 and "a model's maker may not also promote it" in refused.output
    assert f"* {DEFAULT_VERSION}" in run(four_eyes, "model", "list").output
    # the account is the process's own, not $USER: the trail names who ran the command
    import os
    import pwd

    assert f"register  {b}  by cli/{pwd.getpwuid(os.getuid()).pw_name}:" in _history(four_eyes)[-1]
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    try:  # another analyst (through the API, say) may
        previous = activation.activate(
            db,
            b,
            actor="bank-a/gr_checker",
            reason="CR-1 reviewed",
            fits=lambda a: None,
            replacing=DEFAULT_VERSION,
            four_eyes=True,
        )
    finally:
        db.dispose()
    assert previous == DEFAULT_VERSION


def test_with_four_eyes_off_a_makers_own_promotion_says_so_in_the_trail(
    env: dict[str, str], tmp_path: Path
) -> None:
    b = _register(env, tmp_path, "b")
    assert (
        run(env, "model", "promote", b, "--reason", "CR-1 b", "--replacing", DEFAULT_VERSION).exit_code == 0
    )
    assert _history(env)[-1].endswith(
        "CR-1 b [promoted by its own maker: four eyes off] [no recorded comparison: "
        "GREENRATE_MODEL_REQUIRE_COMPARISON off]"
    )


def test_a_promotion_rests_on_a_recorded_comparison(env: dict[str, str], tmp_path: Path) -> None:
    """A 50-row model had been promoted on a reason of three letters: with the requirement on, a promotion
    needs `compare --record` of the challenger against the champion, and its audit event names the record."""
    gated = {**env, "GREENRATE_MODEL_REQUIRE_COMPARISON": "true"}
    data = tmp_path / "holdout.parquet"
    assert (
        run(gated, "model", "generate-data", "--rows", "1500", "--seed", "5", "--out", str(data)).exit_code
        == 0
    )
    challenger = tmp_path / "b.json"
    challenger.write_text(json.dumps(variant_document("b")))
    compare = ("model", "compare", "active", str(challenger), "--data", str(data), "--samples", "20")
    unregistered = run(gated, *compare, "--record")
    assert unregistered.exit_code == 1 and "not recorded" in unregistered.output
    assert "is not registered" in unregistered.output
    b = _register(gated, tmp_path, "b")
    unproven = run(gated, "model", "promote", b, "--reason", "CR-1 b", "--replacing", DEFAULT_VERSION)
    assert unproven.exit_code == 1 and f"model compare {DEFAULT_VERSION} {b} --data" in unproven.output
    recorded = run(gated, *compare, "--record", "--json", str(tmp_path / "cmp.json"))
    assert recorded.exit_code == 0 and "recorded comparison #1" in recorded.output, recorded.output
    data_info = json.loads((tmp_path / "cmp.json").read_text())["data"]
    assert data_info["file"] == "holdout.parquet" and data_info["rows_read"] == 1500
    assert len(data_info["rows_sha256"]) == 64 and data_info["trained_on_it"] == []
    import hashlib

    assert data_info["file_sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()  # as sha256sum prints it
    assert data_info["standard"].startswith("greenrate-sme@") and data_info["samples"] == 20
    promoted = run(gated, "model", "promote", b, "--reason", "CR-1 b", "--replacing", DEFAULT_VERSION)
    assert promoted.exit_code == 0, promoted.output
    expected = f"[comparison #1: {1500 - data_info['rows_left_out']} rows of holdout.parquet (sha256 "
    assert expected + data_info["file_sha256"][:12] in _history(gated)[-1]
    # a comparison on the challenger's own training file is no evidence
    trained = tmp_path / "c.json"
    assert (
        run(gated, "model", "train", "--data", str(data), "--out", str(trained), "--workers", "1").exit_code
        == 0
    )
    assert run(gated, "model", "register", str(trained)).exit_code == 0
    in_sample = run(
        gated, "model", "compare", "active", str(trained), "--data", str(data), "--samples", "20", "--record"
    )
    assert in_sample.exit_code == 1 and "was trained on holdout.parquet" in in_sample.output


def test_a_comparison_on_too_few_rows_is_no_evidence(env: dict[str, str], tmp_path: Path) -> None:
    """A 40-row file had been recorded, and as the newest record it was what the promotion rested on."""
    tiny = tmp_path / "tiny.parquet"
    assert (
        run(env, "model", "generate-data", "--rows", "300", "--seed", "6", "--out", str(tiny)).exit_code == 0
    )
    b = _register(env, tmp_path, "b")
    refused = run(env, "model", "compare", "active", b, "--data", str(tiny), "--samples", "20", "--record")
    assert (
        refused.exit_code == 1
        and "a promotion rests only on one of at least 1000 distinct rated rows" in refused.output
    )


def test_rows_repeated_to_pass_the_minimum_are_counted_once(env: dict[str, str], tmp_path: Path) -> None:
    """A 400-row holdout written out three times had been recorded as a comparison on 1,200 rows, its
    bootstrap intervals drawn from the copies as if they were businesses of their own."""
    import pandas as pd

    tiny, padded = tmp_path / "tiny.parquet", tmp_path / "padded.parquet"
    assert (
        run(env, "model", "generate-data", "--rows", "400", "--seed", "6", "--out", str(tiny)).exit_code == 0
    )
    pd.concat([pd.read_parquet(tiny)] * 3).to_parquet(padded, index=False)
    b = _register(env, tmp_path, "b")
    out = tmp_path / "c.json"
    refused = run(env, "model", "compare", "active", b, "--data", str(padded), "--samples", "20", "--record",
                  "--json", str(out))
    assert refused.exit_code == 1, refused.output
    said = " ".join(refused.output.split())
    assert "800 rated row(s) of padded.parquet repeat another row in every cell" in said
    assert "made on 1200 rows, 800 of them repeating another row" in said
    assert json.loads(out.read_text())["data"]["rows_repeated"] == 800


def test_a_copy_of_the_training_file_with_rows_dropped_is_still_its_training_data(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The whole-file hash told only the very same file: one row dropped (or shuffled, or sampled) passed
    as new data and was recorded as evidence (a model-risk review's reproduction)."""
    import pandas as pd

    data, model = tmp_path / "train.parquet", tmp_path / "m.json"
    assert (
        run(env, "model", "generate-data", "--rows", "3000", "--seed", "8", "--out", str(data)).exit_code == 0
    )
    assert (
        run(env, "model", "train", "--data", str(data), "--out", str(model), "--workers", "1").exit_code == 0
    )
    assert run(env, "model", "register", str(model)).exit_code == 0
    frame = pd.read_parquet(data)
    altered = {
        "dropped.parquet": frame.iloc[:-1],
        "shuffled.csv": frame.sample(frac=1.0, random_state=1),
        "sampled.parquet": frame.sample(n=1500, random_state=2),
    }
    for name, rows in altered.items():
        path = tmp_path / name
        rows.to_csv(path, index=False) if name.endswith(".csv") else rows.to_parquet(path, index=False)
        refused = run(
            env, "model", "compare", "active", str(model), "--data", str(path), "--samples", "20", "--record"
        )
        assert refused.exit_code == 1 and f"was trained on {name}" in refused.output, (name, refused.output)
    fresh = tmp_path / "fresh.parquet"
    assert (
        run(env, "model", "generate-data", "--rows", "1500", "--seed", "9", "--out", str(fresh)).exit_code
        == 0
    )
    kept = run(
        env, "model", "compare", "active", str(model), "--data", str(fresh), "--samples", "20", "--record"
    )
    assert kept.exit_code == 0 and "recorded comparison" in kept.output, kept.output


def _generated(env: dict[str, str], tmp_path: Path, rows: int) -> Path:
    """A labelled file of generated businesses neither model was trained on."""
    data = tmp_path / "holdout.parquet"
    made = run(env, "model", "generate-data", "--rows", str(rows), "--seed", "5", "--out", str(data))
    assert made.exit_code == 0, made.output
    return data


def _register_document(env: dict[str, str], tmp_path: Path, name: str, doc: dict[str, object]) -> Result:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))
    return run(env, "model", "register", str(path))


def test_a_model_that_moves_the_scores_needs_a_justification(env: dict[str, str], tmp_path: Path) -> None:
    """A review's hand-made artifact added 30 points to every score (0-130) with probabilities unchanged:
    AUC, Gini, KS and Brier deltas 0, score PSI 6.86, 47.7 % of the businesses up a grade, and it was
    promoted without a word. On 0-130 it is refused outright; rescaled within 0-100, the comparison the
    promotion reads shows the shift, and only a justification promotes it."""
    gated = {**env, "GREENRATE_MODEL_REQUIRE_COMPARISON": "true"}
    uplifted = _register_document(gated, tmp_path, "uplifted", uplifted_document())
    assert uplifted.exit_code == 1 and "is not the standard's score range [0.0, 100.0]" in uplifted.output
    data = _generated(gated, tmp_path, 1500)
    doc = compressed_document("halved")
    assert _register_document(gated, tmp_path, "halved", doc).exit_code == 0
    b = str(doc["version"])
    recorded = run(gated, "model", "compare", "active", b, "--data", str(data), "--samples", "20", "--record")
    assert recorded.exit_code == 0, recorded.output
    refused = run(gated, "model", "promote", b, "--reason", "CR-21 b", "--replacing", DEFAULT_VERSION)
    assert refused.exit_code == 1, refused.output
    assert "comparison #1 shows it moving score PSI" in refused.output
    assert "of the businesses changed grade" in refused.output and "above 20%" in refused.output
    listed = run(gated, "model", "comparisons", b)
    assert listed.exit_code == 0, listed.output
    assert "#1 " in listed.output and f"{b} (challenger) vs {DEFAULT_VERSION} (champion)" in listed.output
    assert "counted" in listed.output and "needs a justification: shows it moving score PSI" in listed.output
    # the record keeps each model's knock-out overrides, and the approver sees them (a validator's review)
    assert "knock-out overrides (score grade capped), champion | challenger: " in listed.output
    accepted = run(gated, "model", "promote", b, "--reason", "CR-21 b", "--replacing", DEFAULT_VERSION,
                   "--accept-worse", "RISK-21: rescaled on purpose, memo 7")
    assert accepted.exit_code == 0, accepted.output
    assert "accepted because: RISK-21" in _history(gated)[-1]


def test_a_comparison_under_another_standard_is_not_recorded(env: dict[str, str], tmp_path: Path) -> None:
    """`compare --standard greenrate-sme-1.8.yaml --record` was kept, and a promotion under 1.9.0 rested on
    it."""
    from rating_model.standard import published_standard_path

    older = published_standard_path("greenrate-sme@1.8.0")
    assert older is not None
    data = _generated(env, tmp_path, 1200)
    b = _register(env, tmp_path, "b")
    refused = run(env, "model", "compare", "active", b, "--data", str(data), "--standard", str(older),
                  "--samples", "20", "--record")
    assert refused.exit_code == 1, refused.output
    assert "not recorded: the champion was judged under 'greenrate-sme@1.8.0'" in refused.output
    assert "no comparison of" in run(env, "model", "comparisons", b).output


def test_a_challenger_without_a_training_fingerprint_is_not_recorded(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A review deleted `metadata.row_sketch` and `data_sha256` from an artifact, re-hashed it, and recorded
    a comparison on its own training file: nothing could tell it was."""
    doc = variant_document("blind")
    del doc["metadata"]["row_sketch"], doc["metadata"]["data_sha256"]
    doc = rehash(doc)
    assert _register_document(env, tmp_path, "blind", doc).exit_code == 0
    data = _generated(env, tmp_path, 1200)
    refused = run(env, "model", "compare", "active", str(doc["version"]), "--data", str(data),
                  "--samples", "20", "--record")
    assert refused.exit_code == 1, refused.output
    assert "carries no fingerprint of its training rows" in refused.output


def test_with_an_analyst_key_the_cli_is_the_same_person_as_the_api(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Four eyes compares names: a comparison recorded and a version registered as `cli/root`, and a
    promotion through the API by the same person's key, passed as two people. With GREENRATE_ANALYST_KEY the
    CLI acts as that key, named as the API names it; without, the trail says four eyes was not verifiable."""
    from service.auth import hash_key
    from service.records.api_keys import find_active_key
    from tests.conftest import insert_keys

    four_eyes = {**env, "GREENRATE_MODEL_FOUR_EYES": "true"}
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    try:
        keys = insert_keys(db, "bank-a", ("analyst", "bank"))
        found = find_active_key(db, hash_key(keys["analyst"]))
        assert found is not None
        ann = f"bank-a/{found.prefix}"  # how the API names her promotions (service.models.routes.actor_of)
        as_ann = {**four_eyes, "GREENRATE_ANALYST_KEY": keys["analyst"]}
        b = _register(as_ann, tmp_path, "b")
        assert f"register  {b}  by {ann}:" in _history(as_ann)[-1]
        with pytest.raises(activation.SameActor, match="a model's maker may not also promote it"):
            activation.activate(db, b, actor=ann, reason="CR-31 b", fits=lambda a: None,
                                replacing=DEFAULT_VERSION, four_eyes=True)
        refused = run(as_ann, "model", "promote", b, "--reason", "CR-31 b", "--replacing", DEFAULT_VERSION)
        assert refused.exit_code == 1 and "a model's maker may not also promote it" in refused.output
        wrong = run({**four_eyes, "GREENRATE_ANALYST_KEY": keys["bank"]}, "model", "promote", b, "--reason",
                    "CR-31 b", "--replacing", DEFAULT_VERSION)
        assert wrong.exit_code == 1 and "is not an active analyst key" in wrong.output
        # set but blank (a security review): it had acted as the account, silently
        blank = run({**four_eyes, "GREENRATE_ANALYST_KEY": "  "}, "model", "promote", b, "--reason",
                    "CR-31 b", "--replacing", DEFAULT_VERSION)
        assert blank.exit_code == 1 and "is set but empty" in blank.output
        # registered from an account, promoted by a key: allowed, and the trail says what was not checked
        c = _register(four_eyes, tmp_path, "c")
        activation.activate(db, c, actor=ann, reason="CR-32 c", fits=lambda a: None,
                            replacing=DEFAULT_VERSION, four_eyes=True)
    finally:
        db.dispose()
    assert "[four eyes not verifiable: made by cli/" in _history(four_eyes)[-1]
    assert f"promoted by {ann}: an operating-system account and an API key" in _history(four_eyes)[-1]


def test_a_comparison_past_its_validity_is_named_and_not_counted(env: dict[str, str], tmp_path: Path) -> None:
    """A validator's review: a comparison recorded months before still let a challenger through. The CLI
    reads GREENRATE_MODEL_COMPARISON_VALID_DAYS like the service: the listing and the refusal say why."""
    from tests.service.test_model_comparison_validity import aged

    gated = {**env, "GREENRATE_MODEL_REQUIRE_COMPARISON": "true"}
    b = _register(gated, tmp_path, "b")
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    try:
        aged(db, b, DEFAULT_VERSION, days=45)
    finally:
        db.dispose()
    listed = run(gated, "model", "comparisons", b)
    assert listed.exit_code == 0, listed.output
    assert "NOT COUNTED: it was recorded 45 days ago" in listed.output
    refused = run(gated, "model", "promote", b, "--reason", "CR-70 b", "--replacing", DEFAULT_VERSION)
    assert refused.exit_code == 1
    assert "comparison #1 not counted: it was recorded 45 days ago" in refused.output
    quarterly = {**gated, "GREENRATE_MODEL_COMPARISON_VALID_DAYS": "90"}
    assert "    counted (until " in run(quarterly, "model", "comparisons", b).output
    promoted = run(quarterly, "model", "promote", b, "--reason", "CR-70 b", "--replacing", DEFAULT_VERSION)
    assert promoted.exit_code == 0, promoted.output
    bad = run({**gated, "GREENRATE_MODEL_COMPARISON_VALID_DAYS": "0"}, "model", "comparisons", b)
    assert bad.exit_code == 1
    assert "GREENRATE_MODEL_COMPARISON_VALID_DAYS must be between 1 and 3660" in bad.output


def test_a_comparison_that_reads_the_registry_is_recorded_unless_told_not_to(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A validator's review: a comparison computed and never recorded is invisible to the promotion gate,
    and `--record` had to be asked for. One that names a registered version is now recorded by default;
    what it cannot record, it says, and leaving it out is an explicit `--no-record`."""
    data = _generated(env, tmp_path, 1200)
    b = _register(env, tmp_path, "b")
    compare = ("model", "compare", "active", b, "--data", str(data), "--samples", "20")
    kept = run(env, *compare)
    assert kept.exit_code == 0 and "recorded comparison #1: " in kept.output, kept.output
    left_out = run(env, *compare, "--no-record")
    assert left_out.exit_code == 0, left_out.output
    assert (f"not recorded (--no-record): a promotion of {b} replacing {DEFAULT_VERSION} does not see this "
            "comparison") in left_out.output
    tiny = tmp_path / "tiny.parquet"
    made = run(env, "model", "generate-data", "--rows", "300", "--seed", "6", "--out", str(tiny))
    assert made.exit_code == 0, made.output
    too_few = run(env, "model", "compare", "active", b, "--data", str(tiny), "--samples", "20")
    assert too_few.exit_code == 0, too_few.output  # the comparison itself stands; only the record is refused
    assert "not recorded: the comparison was made on" in too_few.output
    assert "does not see this comparison" in too_few.output
    files = tmp_path / "b.json"  # written by _register
    offline = run(env, "model", "compare", str(files), str(files), "--data", str(data), "--samples", "20")
    assert offline.exit_code == 0 and "not recorded: both models were given as files" in offline.output
    listed = run(env, "model", "comparisons", b)
    assert "#1 " in listed.output and "#2 " not in listed.output, listed.output


def test_registering_the_same_artifact_again_succeeds_once_audited(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A register run again (its connection lost as it committed, say) succeeds and says so; another
    artifact under the version still fails."""
    doc = variant_document("registered twice")
    path = tmp_path / "b.json"
    path.write_text(json.dumps(doc))
    assert run(env, "model", "register", str(path)).exit_code == 0
    again = run(env, "model", "register", str(path))
    assert again.exit_code == 0, again.output
    assert f"{doc['version']} was registered already, with this very artifact, by you" in again.output
    assert sum(f"register  {doc['version']}" in line for line in _history(env)) == 1
    named = variant_document("named")
    named["version"] = "bank-2026q4"
    named["sha256"] = content_sha256(named)
    path.write_text(json.dumps(named))
    assert run(env, "model", "register", str(path)).exit_code == 0
    named["metadata"]["card"]["variant"] = "another artifact under its name"
    named["sha256"] = content_sha256(named)
    path.write_text(json.dumps(named))
    refused = run(env, "model", "register", str(path))
    assert refused.exit_code == 1 and "already registered" in refused.output


def test_a_promotion_run_again_succeeds_once_audited(env: dict[str, str], tmp_path: Path) -> None:
    """The same promote run again (its connection lost as it committed, say) succeeds as it did; a
    promote of the active version with another reason is still refused."""
    b = _register(env, tmp_path, "b")
    args = ("model", "promote", b, "--reason", "b is better", "--replacing", DEFAULT_VERSION)
    assert run(env, *args).exit_code == 0
    again = run(env, *args)
    assert again.exit_code == 0 and f"active model: {b} (was {DEFAULT_VERSION})" in again.output
    assert "promoted already, with this very reason, by you: nothing was changed" in again.output
    assert sum(f"promote   {b}" in line for line in _history(env)) == 1
    other = run(env, "model", "promote", b, "--reason", "b is better still", "--replacing", DEFAULT_VERSION)
    assert other.exit_code == 1 and "already the active one" in other.output


def test_a_rollback_run_again_succeeds_once_audited(env: dict[str, str], tmp_path: Path) -> None:
    """The same rollback run again (its connection lost as it committed, say) succeeds as it did, where it
    answered "the active model is ..., not ...": a rollback of it with another reason is still refused."""
    b = _register(env, tmp_path, "b")
    promoted = run(env, "model", "promote", b, "--reason", "b is better", "--replacing", DEFAULT_VERSION)
    assert promoted.exit_code == 0
    args = ("model", "rollback", "--reason", "INC-1 b misgrades", "--undoing", b)
    assert run(env, *args).exit_code == 0
    again = run(env, *args)
    assert again.exit_code == 0, again.output
    assert f"active model: {DEFAULT_VERSION} (rolled back from {b})" in again.output
    assert f"{b} was rolled back already, with this very reason, by you: nothing was changed" in again.output
    assert sum(f"rollback  {DEFAULT_VERSION} (was {b})" in line for line in _history(env)) == 1
    other = run(env, "model", "rollback", "--reason", "INC-2 b misgrades", "--undoing", b)
    assert other.exit_code == 1 and "nothing was changed" in other.output


def test_a_comparison_recorded_with_its_answer_lost_is_recorded_once_when_run_again(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`compare --record` whose COMMIT was applied but whose answer was lost failed, and run again it
    recorded the same comparison a second time, both named by the promotion resting on them (concurrency
    review). Run again now, it says it was recorded already and records nothing more."""
    from sqlalchemy import Engine, event

    from tests.service.test_model_registry_retries import LostAnswer

    data = _generated(env, tmp_path, 1200)
    b = _register(env, tmp_path, "b")
    compare = ("model", "compare", "active", b, "--data", str(data), "--samples", "20", "--record")
    lost = LostAnswer(Engine, "INSERT INTO model_comparisons")  # type: ignore[arg-type]  # every engine
    try:
        failed = run(env, *compare)
    finally:
        event.remove(Engine, "before_cursor_execute", lost._seen)
        event.remove(Engine, "commit", lost._commit)
    assert lost.fired == 1 and failed.exit_code == 1, failed.output
    assert "cannot record" in failed.output and "may have been recorded all the same" in failed.output
    again = run(env, *compare)
    assert again.exit_code == 0, again.output
    assert "this very comparison was recorded already, by you" in again.output
    assert "recorded comparison #1: " in again.output
    listed = run(env, "model", "comparisons", b)
    assert "#1 " in listed.output and "#2 " not in listed.output, listed.output


def test_history_and_comparisons_page_through_the_registry(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DBA's scale review: `history` and `comparisons` read every event and comparison in one statement;
    they read a page at a time now (two here), and print all of them, oldest first, as before."""
    from sqlalchemy import Engine, event

    from service.records import registry
    from tests.service.model_fixtures import record_comparison
    from tests.service.test_model_comparison_validity import _earlier_release_recorded

    b, c = _register(env, tmp_path, "b"), _register(env, tmp_path, "c")
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    for _ in range(3):
        for challenger in (b, c):
            _earlier_release_recorded(db, challenger, DEFAULT_VERSION, 0.71)
    record_comparison(db, b, DEFAULT_VERSION)
    db.dispose()
    # raising=False: without paging there is no PAGE, and the asserts below say what is read instead
    monkeypatch.setattr(registry, "PAGE", 2, raising=False)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        trail = _history(env)
        listed = run(env, "model", "comparisons", DEFAULT_VERSION)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert [line.split()[2] for line in trail] == ["register", "promote", "register", "register"]
    assert listed.exit_code == 0, listed.output
    numbers = [line.split()[0] for line in listed.output.splitlines() if line.startswith("#")]
    assert numbers == [f"#{n}" for n in range(1, 8)]
    reads = [s for s in seen if s.lstrip().startswith("SELECT") and ("FROM model_events" in s
                                                                     or "FROM model_comparisons" in s)]
    assert reads and all("LIMIT" in s for s in reads), [s for s in reads if "LIMIT" not in s]
    assert sum("FROM model_events" in s and "ORDER BY model_events.id" in s for s in reads) == 2  # 4 events


def test_register_names_the_champion_and_the_comparison_a_promotion_needs(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`greenrate model register` said to promote with `--replacing CHAMPION` and left out the recorded
    comparison a promotion needs by default: a newcomer who did as it said was refused (newcomer review)."""
    doc = variant_document("b")
    path = tmp_path / "b.json"
    path.write_text(json.dumps(doc))
    gated = run({**env, "GREENRATE_MODEL_REQUIRE_COMPARISON": "true"}, "model", "register", str(path))
    assert gated.exit_code == 0, gated.output
    assert f"`greenrate model compare active {doc['version']} --data HOLDOUT --record`" in gated.output
    promote = f"`greenrate model promote {doc['version']} --replacing {DEFAULT_VERSION} --reason ...`"
    assert promote in gated.output and "CHAMPION" not in gated.output
    again = run(env, "model", "register", str(path))  # the requirement off (this file's env): no comparison
    assert again.exit_code == 0 and promote in again.output and "compare" not in again.output


def test_the_comparisons_an_approver_reads_show_calibration_and_green_rate_by_grade(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`compare` prints each model's calibration and each grade's observed green rate, but
    `greenrate model comparisons`, what the approver reads before promoting, showed only the metric deltas,
    PSI and migration of the record: the checker did not see what the maker saw (model-risk review)."""
    data = tmp_path / "holdout.parquet"
    generated = run(env, "model", "generate-data", "--rows", "1500", "--seed", "5", "--out", str(data))
    assert generated.exit_code == 0
    b = _register(env, tmp_path, "b")
    out = tmp_path / "cmp.json"
    compared = run(env, "model", "compare", "active", b, "--data", str(data), "--samples", "20", "--record",
                   "--json", str(out))
    assert compared.exit_code == 0, compared.output
    result = json.loads(out.read_text())
    listed = run(env, "model", "comparisons", b)
    assert listed.exit_code == 0, listed.output
    for role in ("champion", "challenger"):
        line = next(x for x in compared.output.splitlines() if x.startswith(f"  calibration: {role} "))
        assert f"  {line}" in listed.output  # indented under its record, as the other figures are
    rows = [f"    {g['grade']:<12} " for g in result["grades"]["champion"]]
    shown = [x for x in compared.output.splitlines() if "[" in x and x.startswith(tuple(rows))]
    assert len(shown) == len(rows)
    for line in shown:
        assert f"  {line}" in listed.output


def test_a_challenger_whose_probabilities_miss_the_observed_rate_needs_a_justification(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The gate read ranking (AUC, Gini, KS), Brier against the champion and the score scale, never whether
    the challenger's probabilities match the population it is promoted for: on a holdout whose green rate
    had risen by about 15 points, a challenger predicting the old rate had the champion's Brier, no shift,
    and was promoted without a word (model-risk review). A counted comparison whose challenger's mean
    predicted probability is more than 5 points off the observed rate, and outside its 95 % interval, now
    needs a justification like a worse metric."""
    import pandas as pd

    gated = {**env, "GREENRATE_MODEL_REQUIRE_COMPARISON": "true"}
    data = _generated(gated, tmp_path, 1500)
    frame = pd.read_parquet(data)
    # a quarter of the businesses not green in the file are green by now: the rate rises ~15 points
    later = frame.index[frame["label"] == 0][::4]
    frame.loc[later, "label"] = 1
    frame.to_parquet(data)
    b = _register(gated, tmp_path, "b")  # the default's probabilities under another version
    out = tmp_path / "cmp.json"
    recorded = run(gated, "model", "compare", "active", b, "--data", str(data), "--samples", "20", "--record",
                   "--json", str(out))
    assert recorded.exit_code == 0, recorded.output
    cal = json.loads(out.read_text())["calibration"]["challenger"]
    assert cal["observed"] - cal["predicted"] > 0.1
    refused = run(gated, "model", "promote", b, "--reason", "CR-31 b", "--replacing", DEFAULT_VERSION)
    assert refused.exit_code == 1, refused.output
    said = (f"shows its probabilities off the observed rate: mean predicted {cal['predicted']:.3f} against "
            f"{cal['observed']:.3f} observed")
    assert said in " ".join(refused.output.split())
    assert "worse on" not in refused.output and "moving" not in refused.output  # this finding alone
    accepted = run(gated, "model", "promote", b, "--reason", "CR-31 b", "--replacing", DEFAULT_VERSION,
                   "--accept-worse", "RISK-31: probabilities not used for pricing; recalibration due Q1")
    assert accepted.exit_code == 0, accepted.output
    assert "accepted because: RISK-31" in _history(gated)[-1]
