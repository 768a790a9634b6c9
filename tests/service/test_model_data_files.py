"""``greenrate model`` file commands on bad files and an unmigrated database: a reason, never a traceback.

Every case runs with ``catch_exceptions=False``, so a traceback fails the test instead of passing as exit 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from rating_model.engine import DEFAULT_MODEL
from rating_model.standard import load_standard
from rating_model.synthetic import generate_frame
from rating_model.train import MAX_SEED
from service.batch.flat_files import write_frame
from service.cli import main
from service.model_data_cli import SEED

FRAME = generate_frame(300, 3)
MODEL = str(DEFAULT_MODEL)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3"}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _with_labels(labels: Any) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame = FRAME.copy()
        frame["label"] = labels(frame)
        frame.to_csv(path, index=False)
    return write


def _with_column(name: str, cells: Callable[[int], list[Any]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        # joined, not inserted: the flat layout's 100-odd typed columns are a block each, and pandas warns on
        # an insert into a frame of more than 100 blocks (a PerformanceWarning, an error under the suite)
        extra = pd.DataFrame({name: cells(len(FRAME))}, index=FRAME.index)
        write_frame(pd.concat([FRAME.drop(columns=[name], errors="ignore"), extra], axis=1), path)
    return write


def _write_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


#: file name, how to write it, what the refusal says
BAD_FILES: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "yes": ("d.csv", _with_labels(lambda f: f["label"].astype(object).where(f.index != 5, "yes")),
            "label: must be 0 or 1 on every row: row 6 has 'yes'"),  # named by its row, as validate-data does
    "blank": ("d.csv", _with_labels(lambda f: f["label"].astype("Int64").where(f.index != 3, pd.NA)),
              "label: must be 0 or 1 on every row: row 4 is blank"),
    "one-class": ("d.csv", _with_labels(lambda f: 1), "every row is labelled 1"),
    "labels-0-2": ("d.csv", _with_labels(lambda f: f["label"] * 2), "must be 0 or 1 on every row"),
    "empty": ("d.csv", _write_bytes(b""), "cannot read d.csv"),
    "header-only": ("d.csv", lambda path: FRAME.iloc[:0].to_csv(path, index=False), "no data rows"),
    "garbage-parquet": ("d.parquet", _write_bytes(b"not parquet at all"), "cannot read d.parquet"),
    "txt": ("d.txt", lambda path: FRAME.to_csv(path, index=False), "unknown flat-file type"),
    # a spreadsheet's CSV where the comma is the decimal mark: refused as "Expected 1 fields in line 2"
    "semicolons": ("d.csv", lambda path: FRAME.to_csv(path, index=False, sep=";", decimal=","),
                   "this file's cells are separated by semicolons"),
    # nested Parquet columns: evaluate and compare crashed hashing the rows (unhashable ndarray or dict),
    # and a list in a text column of the format was read as its repr ("['a' 'b']") and trained on
    "list-parquet": ("d.parquet", _with_column("tags", lambda n: [["a", "b"]] * n),
                     "cannot read d.parquet: tags: holds list<"),
    "struct-parquet": ("d.parquet", _with_column("meta", lambda n: [{"k": 1}] * n),
                       "cannot read d.parquet: meta: holds struct<"),
    "list-in-a-known-column": ("d.parquet", _with_column("company__name", lambda n: [["a", "b"]] * n),
                               "cannot read d.parquet: company__name: holds list<"),
}


def _bad_file(tmp_path: Path, case: str) -> tuple[Path, str]:
    name, write, reason = BAD_FILES[case]
    path = tmp_path / name
    write(path)
    return path, reason


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_train_evaluate_and_compare_refuse_a_bad_file_with_the_reason(env: dict[str, str], tmp_path: Path,
                                                                      case: str) -> None:
    data, reason = _bad_file(tmp_path, case)
    out = tmp_path / "m.json"
    for args in (("train", "--data", str(data), "--out", str(out)),
                 ("evaluate", MODEL, "--data", str(data), "--json", str(tmp_path / "e.json")),
                 ("compare", MODEL, MODEL, "--data", str(data), "--samples", "20")):
        result = run(env, "model", *args, "--workers", "1")
        assert result.exit_code == 1, (args, result.output)
        assert reason in result.output, (args, result.output)
    assert not out.exists() and not (tmp_path / "e.json").exists()


@pytest.mark.parametrize(("case", "reason"), [("one-class", "file, label: every row is labelled 1"),
                                              ("header-only", "file, label: there are no data rows"),
                                              ("txt", "unknown flat-file type"),
                                              ("garbage-parquet", "cannot read d.parquet"),
                                              ("empty", "cannot read d.csv"),
                                              ("semicolons", "separated by semicolons"),
                                              ("list-parquet", "cannot read d.parquet: tags: holds list<"),
                                              ("list-in-a-known-column", "company__name: holds list<")])
def test_validate_data_refuses_what_training_refuses(env: dict[str, str], tmp_path: Path, case: str,
                                                     reason: str) -> None:
    """'No problems' promised training with no skipped rows; a one-class or empty file then crashed it."""
    data, _ = _bad_file(tmp_path, case)
    result = run(env, "model", "validate-data", str(data))
    assert result.exit_code == 1 and reason in result.output, result.output
    assert "no problems" not in result.output


@pytest.mark.parametrize("command", ["train", "generate-data"])
@pytest.mark.parametrize("seed", ["-1", str(MAX_SEED + 1)])
def test_a_seed_outside_what_numpy_and_scikit_learn_take_is_a_usage_error(
        env: dict[str, str], tmp_path: Path, command: str, seed: str) -> None:
    data = tmp_path / "d.csv"
    write_frame(FRAME, data)
    args = ["--data", str(data)] if command == "train" else ["--rows", "10"]
    result = run(env, "model", command, *args, "--seed", seed, "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and "--seed" in result.output, result.output
    assert (SEED.min, SEED.max) == (0, MAX_SEED)


def test_the_largest_seed_trains(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    write_frame(FRAME, data)
    result = run(env, "model", "train", "--data", str(data), "--seed", str(MAX_SEED), "--out",
                 str(tmp_path / "m.json"), "--workers", "1")
    assert result.exit_code == 0, result.output


def test_a_good_file_validates_trains_and_evaluates_to_strict_json(env: dict[str, str],
                                                                   tmp_path: Path) -> None:
    data = tmp_path / "d.parquet"
    write_frame(FRAME, data)
    assert run(env, "model", "validate-data", str(data)).exit_code == 0
    model, report = tmp_path / "m.json", tmp_path / "e.json"
    trained = run(env, "model", "train", "--data", str(data), "--out", str(model), "--workers", "1")
    assert trained.exit_code == 0, trained.output
    evaluated = run(env, "model", "evaluate", str(model), "--data", str(data), "--json", str(report),
                    "--workers", "1")
    assert "is the data" in evaluated.output and "was trained on" in evaluated.output  # in-sample: warned
    other = tmp_path / "other.parquet"
    write_frame(FRAME.iloc[1:], other)
    unseen = run(env, "model", "evaluate", str(model), "--data", str(other), "--workers", "1")
    assert unseen.exit_code == 0 and "was trained on" not in unseen.output

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the evaluation JSON")

    metrics = json.loads(report.read_text(), parse_constant=refuse)["metrics"]
    assert 0.5 < metrics["auc"] <= 1


@pytest.mark.parametrize("args", [("evaluate", "active", "--data", "{data}"),
                                  ("compare", "active", MODEL, "--data", "{data}"),
                                  ("report", "active", "--data", "{data}", "--out", "{tmp}/r.html")])
def test_an_unmigrated_registry_is_named_not_a_traceback(env: dict[str, str], tmp_path: Path,
                                                         args: tuple[str, ...]) -> None:
    data = tmp_path / "d.csv"
    write_frame(FRAME, data)
    result = run(env, "model", *(a.format(data=data, tmp=tmp_path) for a in args))
    assert result.exit_code == 1, result.output
    expected = "cannot read the model registry: OperationalError (has `greenrate db upgrade` run?)"
    assert expected in result.output


def test_each_model_is_judged_under_the_standard_it_rates_under(env: dict[str, str], tmp_path: Path) -> None:
    """Diff review: `compare` and `evaluate` derived every model's indicators under the release's standard,
    so a bank's model approved under 1.2.0 (which keeps rating under 1.2.0 after the 1.3.0 upgrade) was
    judged on indicators it never rates with. The JSON names each model's standard."""
    import json

    from tests.service.model_fixtures import default_document, rehash

    earlier = default_document()
    earlier["metadata"]["standard"] = "greenrate-sme@1.2.0"  # as a model trained for 1.2.0 names it
    earlier_path = tmp_path / "earlier.json"
    earlier_path.write_text(json.dumps(rehash(earlier)), encoding="utf-8")
    data = tmp_path / "holdout.parquet"
    write_frame(FRAME, data)
    out = tmp_path / "compare.json"
    result = run(env, "model", "compare", str(earlier_path), MODEL, "--data", str(data), "--samples", "20",
                 "--json", str(out))
    assert result.exit_code == 0, result.output
    current = load_standard().label  # the packaged model is trained for the release's standard
    assert f"champion under greenrate-sme@1.2.0, challenger under {current}" in result.output
    recorded = json.loads(out.read_text(encoding="utf-8"))["data"]
    assert (recorded["standard"], recorded["challenger_standard"]) == ("greenrate-sme@1.2.0", current)
    evaluated = tmp_path / "evaluate.json"
    assert run(env, "model", "evaluate", str(earlier_path), "--data", str(data), "--json",
               str(evaluated)).exit_code == 0


def test_a_report_judges_the_model_and_its_champion_each_under_its_own_standard(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Diff review: `model report` derived the indicators under the release's standard (1.5.0, which scores
    "no vehicles"), so a bank's champion for 1.3.0, which keeps rating under 1.4.0, was shown with 1,164 of
    3,000 scores it never gives. The report names the standard each model is judged under."""
    import json

    from tests.service.model_fixtures import default_document, rehash

    earlier = default_document()
    earlier["metadata"]["standard"] = "greenrate-sme@1.3.0"  # as the previous packaged model names it
    earlier_path = tmp_path / "earlier.json"
    earlier_path.write_text(json.dumps(rehash(earlier)), encoding="utf-8")
    data = tmp_path / "holdout.parquet"
    write_frame(FRAME, data)
    alone = tmp_path / "alone.html"
    result = run(env, "model", "report", str(earlier_path), "--data", str(data), "--out", str(alone))
    assert result.exit_code == 0, result.output
    assert "standard greenrate-sme@1.4.0" in alone.read_text(encoding="utf-8")
    against = tmp_path / "against.html"
    result = run(env, "model", "report", MODEL, "--data", str(data), "--champion", str(earlier_path),
                 "--out", str(against))
    assert result.exit_code == 0, result.output
    assert f"standard {load_standard().label}" in against.read_text(encoding="utf-8")


def test_validate_data_warns_of_repeated_rows_as_evaluate_does(env: dict[str, str], tmp_path: Path) -> None:
    """A file of exact duplicate rows passed validate-data silently, while compare (and evaluate, report)
    warned that each copy counts as a business of its own: validate-data says it too, in the same words,
    and still passes the file (a repeat is a warning, not a problem)."""
    data = tmp_path / "d.csv"
    write_frame(pd.concat([FRAME, FRAME.iloc[[4, 4, 17]]], ignore_index=True), data)
    consequence = ("repeat another row in every cell: each copy counts as a business of its own in the "
                   "metrics and their intervals, which are narrower than the distinct rows support")
    validated = run(env, "model", "validate-data", str(data))
    assert validated.exit_code == 0, validated.output
    said = " ".join(validated.output.split())
    assert f"warning: 3 row(s) of d.csv {consequence}" in said
    assert "d.csv: 303 rows, no problems" in said
    evaluated = run(env, "model", "evaluate", MODEL, "--data", str(data), "--workers", "1")
    assert f"warning: 3 rated row(s) of d.csv {consequence}" in " ".join(evaluated.output.split())
    write_frame(FRAME, data)  # distinct rows: nothing said
    assert "repeat another row" not in run(env, "model", "validate-data", str(data)).output


def test_compare_counts_the_knock_out_overrides_the_engine_makes(env: dict[str, str], tmp_path: Path) -> None:
    """A model validator's review (SR 11-7): `compare` showed grade migration and the green rate by grade
    from the score alone, and never how often a knock-out caps the grade the score earns. Its overrides are
    the engine's own: each row rated by the engine, whose final grade differs from the score's."""
    from rating_model.engine import Engine
    from rating_model.estimation import fill_missing
    from rating_model.exceptions import RatingModelError
    from rating_model.flat import EXTRA_COLUMNS, checked, payloads_from_frame

    engine = Engine.load()
    standard = engine.standard
    overridden, by_rule = 0, dict.fromkeys((k.id for k in standard.knock_outs), 0)
    for payload in payloads_from_frame(FRAME.drop(columns=list(EXTRA_COLUMNS), errors="ignore")):
        try:
            grading = engine.evaluate(fill_missing(engine.parse(checked(payload)), standard)).grading
        except RatingModelError:
            continue
        overridden += grading.grade != grading.score_grade
        for rule in grading.knock_outs:
            by_rule[rule.id] += standard.rank(rule.cap_grade) > standard.rank(grading.score_grade)
    assert overridden, "the sample has no override to count"
    data = tmp_path / "holdout.parquet"
    write_frame(FRAME, data)
    out = tmp_path / "compare.json"
    result = run(env, "model", "compare", MODEL, MODEL, "--data", str(data), "--samples", "20",
                 "--json", str(out))
    assert result.exit_code == 0, result.output
    found = json.loads(out.read_text(encoding="utf-8"))["overrides"]
    for role in ("champion", "challenger"):
        assert found[role]["overridden"] == overridden
        assert found[role]["share"] == pytest.approx(overridden / found[role]["rows"])
        assert {k["id"]: k["overrides"] for k in found[role]["knock_outs"]} == by_rule
    assert f"knock-out overrides (score grade capped), champion | challenger: {overridden} " in result.output
    for rule_id, count in by_rule.items():
        if count:
            assert rule_id in result.output
