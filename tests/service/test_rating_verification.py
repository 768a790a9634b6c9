"""`greenrate ratings verify`: an issued rating re-derived from its record byte for byte, or why not."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import update

from rating_model.engine import ENGINE_VERSION
from rating_model.factors import load_factor_set
from rating_model.operating_data import SCHEMA_VERSION
from service.cli import main
from service.ratings.verification import Verification
from service.ratings.verification import verify_rating as verify_with_key
from service.records.tables import ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.tampering import app_key, guard_lifted, re_sign

FACTOR_SET = load_factor_set().version


def _issued(make_app: AppFactory) -> tuple[Flask, str]:
    app = make_app()
    body = payload(external_id="loan-7")
    body["previous_year"] = {"energy": {"electricity_kwh": 50_000}}
    body["loan"] = {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                    "borrower_equity_plus_debt": 2_000_000}
    issued = app.test_client().post("/v1/ratings", json=body, headers=bearer(create_key(app)))
    assert issued.status_code == 201
    return app, issued.json["id"]


def _set(app: Flask, rating_id: str, **values: str) -> None:
    """Change a rating and sign it again, as a release that issued it so would have: these tests are about
    the re-derivation (tests/service/test_rating_signatures.py is about changes made after signing)."""
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(update(ratings).where(ratings.c.id == rating_id).values(**values))
        re_sign(conn, app_key(app))


def verify_rating(app: Flask, rating_id: str) -> Verification | None:
    return verify_with_key(services_of(app).db, rating_id, app_key(app))


def test_an_issued_rating_is_re_derived_byte_for_byte(make_app: AppFactory) -> None:
    app, rating_id = _issued(make_app)
    outcome = verify_rating(app, rating_id)
    assert outcome is not None and outcome.identical and outcome.differences == [] and outcome.notes == []
    assert outcome.tenant == "bank-a" and outcome.versions["engine"] == ENGINE_VERSION
    assert outcome.signature == "valid" and outcome.tampered == [] and outcome.proven
    assert verify_rating(app, "rt_" + "0" * 32) is None


def test_a_stored_answer_its_input_does_not_give_is_shown_field_by_field(make_app: AppFactory) -> None:
    app, rating_id = _issued(make_app)
    db = services_of(app).db
    with db.connect() as conn:
        text = conn.execute(ratings.select().where(ratings.c.id == rating_id)).one().result_json
    _set(app, rating_id, result_json=text.replace('"grade":"', '"grade":"x', 1))
    outcome = verify_rating(app, rating_id)
    assert outcome is not None and not outcome.identical and outcome.differences == ["grade"]
    _set(app, rating_id, engine_version="1.3")  # as if issued by the earlier engine
    outcome = verify_rating(app, rating_id)
    assert outcome is not None
    assert f"issued by engine 1.3, re-derived by engine {ENGINE_VERSION}" in outcome.notes[0]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("model_version", "sc-000000000000", "model sc-000000000000 is not in the registry"),
        ("standard_version", "greenrate-sme@0.9.0", "standard greenrate-sme@0.9.0 is not published"),
        ("factor_set_version", "cn-2023.1", "computed with factor set cn-2023.1"),
    ],
)
def test_what_this_release_cannot_re_derive_is_said(
    make_app: AppFactory, column: str, value: str, reason: str
) -> None:
    app, rating_id = _issued(make_app)
    _set(app, rating_id, **{column: value})
    outcome = verify_rating(app, rating_id)
    assert outcome is not None and outcome.cannot_verify is not None and reason in outcome.cannot_verify
    assert not outcome.identical and not outcome.proven


def test_the_command_exits_0_only_for_a_rating_re_derived_byte_for_byte(make_app: AppFactory) -> None:
    app, rating_id = _issued(make_app)
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).db.url)}
    runner = CliRunner()
    same = runner.invoke(main, ["ratings", "verify", rating_id], env=env)
    assert same.exit_code == 0 and "re-derived byte for byte" in same.output
    assert f"engine {ENGINE_VERSION}" in same.output
    missing = runner.invoke(main, ["ratings", "verify", "rt_" + "1" * 32], env=env)
    assert missing.exit_code == 1 and "no rating" in missing.output
    _set(app, rating_id, model_version="sc-000000000000")
    gone = runner.invoke(main, ["ratings", "verify", rating_id], env=env)
    assert gone.exit_code == 1 and "cannot be re-derived here: model sc-000000000000" in gone.output


def test_a_rating_of_a_registered_model_is_re_derived_under_that_model(make_app: AppFactory) -> None:
    """The recorded model is read from the registry (here a variant the packaged default is not)."""
    from rating_model.artifact import ScorecardArtifact
    from service.records.registry import register
    from tests.service.model_fixtures import variant_document

    app, rating_id = _issued(make_app)
    db = services_of(app).db
    variant = ScorecardArtifact.from_dict(variant_document("audit"))
    register(db, variant, source="test", actor="test", reason="a variant for the audit test")
    _set(app, rating_id, model_version=variant.version)
    outcome = verify_rating(app, rating_id)
    assert outcome is not None and outcome.versions["model"] == variant.version
    assert outcome.differences == ["versions.model"]  # same points, the version it was re-derived under


def test_an_input_this_release_refuses_is_said_and_long_lists_say_how_many_more(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.ratings import verification

    app, rating_id = _issued(make_app)
    db = services_of(app).db
    with db.connect() as conn:
        row = conn.execute(ratings.select().where(ratings.c.id == rating_id)).one()
    _set(app, rating_id, result_json=row.result_json.replace('"grade":"', '"grade":"x', 1).replace(
        '"score":', '"score":1', 1))
    monkeypatch.setattr(verification, "MAX_DIFFERENCES", 1)
    outcome = verify_rating(app, rating_id)
    assert outcome is not None and outcome.differences[-1] == "(and 1 more)" and len(outcome.differences) == 2
    _set(app, rating_id, input_json='{"company": {"name": "x"}}')  # as if an older schema had taken it
    outcome = verify_rating(app, rating_id)
    assert outcome is not None and outcome.cannot_verify is not None
    assert outcome.cannot_verify.startswith("this release refuses it: InvalidInputError")


def test_a_sample_builds_each_recorded_models_engine_once(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading a model and building its engine cost some twenty times the re-derivation itself, and
    ``--sample N`` did it for each of its N ratings: one engine per recorded model now serves them all."""
    from typing import Any

    from rating_model.artifact import ScorecardArtifact
    from service.ratings import verification
    from service.records.registry import register
    from tests.service.model_fixtures import variant_document

    app, first = _issued(make_app)
    client, key = app.test_client(), create_key(app)
    others = [client.post("/v1/ratings", json=payload(name=f"Cafe {i}"), headers=bearer(key)).json["id"]
              for i in range(3)]
    variant = ScorecardArtifact.from_dict(variant_document("sample"))
    register(services_of(app).db, variant, source="test", actor="test", reason="a variant for the sample")
    with services_of(app).db.connect() as conn:
        row = conn.execute(ratings.select().where(ratings.c.id == others[0])).one()
    default = row.model_version
    # rated under the variant (same points): its record says so, body and column
    _set(app, others[0], model_version=variant.version,
         result_json=row.result_json.replace(default, variant.version))
    built: list[str] = []

    real = verification.RatingEngine

    def counted(*args: Any, **kwargs: Any) -> Any:
        # a function, not a subclass: the compiled Engine (CI builds it) refuses interpreted subclasses
        engine = real(*args, **kwargs)
        built.append(engine.artifact.version)
        return engine

    monkeypatch.setattr(verification, "RatingEngine", counted)
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).db.url)}
    sample = CliRunner().invoke(main, ["ratings", "verify", "--sample", "10"], env=env)
    assert sample.exit_code == 0, sample.output
    assert "4 rating(s) checked: 4 identical, signature valid" in sample.output
    assert sorted(built) == sorted([default, variant.version])  # not once for each of the 4 ratings


def test_a_sample_of_ratings_is_verified_and_counted_by_outcome(make_app: AppFactory) -> None:
    """After a restore, one rating at a time was all the command did (operations review). A rating of an
    earlier release is counted apart, also when it needs that release (diff review: it failed the check);
    a database with no rating fails it (diff review: it passed)."""
    import json

    from service.records import migrate

    app, first = _issued(make_app)
    client, key = app.test_client(), create_key(app)
    others = [client.post("/v1/ratings", json=payload(name=f"Cafe {i}"), headers=bearer(key)).json["id"]
              for i in range(4)]
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).db.url)}
    runner = CliRunner()
    clean = runner.invoke(main, ["ratings", "verify", "--sample", "10"], env=env)
    assert clean.exit_code == 0 and "5 rating(s) checked: 5 identical, signature valid" in clean.output, \
        clean.output
    assert "fewer than the 10 asked for" in clean.output
    with services_of(app).db.connect() as conn:
        body = json.loads(conn.execute(ratings.select().where(ratings.c.id == others[0])).one().result_json)
    body["versions"]["engine"] = "1.3"
    body["score"] = body["score"] - 1  # what that engine computed
    earlier = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    _set(app, others[0], engine_version="1.3", result_json=earlier, score=body["score"])
    _set(app, others[1], schema_version="1.2", factor_set_version="cn-2024.1")  # needs its own release
    older = runner.invoke(main, ["ratings", "verify", "--sample", "10"], env=env)
    assert older.exit_code == 1, older.output  # others[1]'s columns are not its body's: tampered
    assert "1 tampered; 1 differ (earlier release), signature valid; 3 identical" in older.output
    _set(app, others[1], schema_version=SCHEMA_VERSION, factor_set_version=FACTOR_SET)
    body["versions"]["factor_set"], body["versions"]["schema"] = "cn-2024.1", "1.2"
    earlier = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    _set(app, others[0], schema_version="1.2", factor_set_version="cn-2024.1", result_json=earlier)
    needs = runner.invoke(main, ["ratings", "verify", "--sample", "10"], env=env)
    assert needs.exit_code == 0, needs.output
    assert "1 cannot be re-derived (earlier release), signature valid; 4 identical" in needs.output
    with services_of(app).db.connect() as conn:
        text = conn.execute(ratings.select().where(ratings.c.id == others[2])).one().result_json
    _set(app, others[2], result_json=text.replace('"points":', '"points":1', 1))  # under this release
    _set(app, others[3], factor_set_version="cn-2024.1")
    failed = runner.invoke(main, ["ratings", "verify", "--sample", "10"], env=env)
    assert failed.exit_code == 1 and f"{others[2]}: differ, signature valid at" in failed.output
    assert f"{others[3]}: tampered: versions.factor_set: column 'cn-2024.1', body" in failed.output
    assert runner.invoke(main, ["ratings", "verify"], env=env).exit_code == 2  # one or the other
    assert runner.invoke(main, ["ratings", "verify", first, "--sample", "2"], env=env).exit_code == 2
    empty = make_app()
    migrate.upgrade(services_of(empty).db)
    nothing = runner.invoke(main, ["ratings", "verify", "--sample", "10"],
                            env={"GREENRATE_DATABASE_URL": str(services_of(empty).db.url)})
    assert nothing.exit_code == 1 and "no rating is recorded" in nothing.output


def test_a_rating_of_another_factor_set_under_this_engine_is_counted_as_an_earlier_releases(
    make_app: AppFactory,
) -> None:
    """A release may ship a new default factor set under unchanged engine and schema versions (cn-2024.4
    came with engine 2.6 unchanged: CHANGES.md). The ratings issued before it name the earlier set, which
    this release does not compute with, and ``--sample`` counted each as a rating of this release that
    cannot be re-derived and failed (exit 1) after every such upgrade, as for a broken record: a rating is
    this release's only when its factor set is too."""
    import json

    from rating_model.factors import available_factor_sets

    app, rating_id = _issued(make_app)
    earlier_set = next(v for v in reversed(available_factor_sets()) if v != FACTOR_SET)
    with services_of(app).db.connect() as conn:
        body = json.loads(conn.execute(ratings.select().where(ratings.c.id == rating_id)).one().result_json)
    body["versions"]["factor_set"] = earlier_set  # as the release whose default it was issued it
    _set(app, rating_id, factor_set_version=earlier_set,
         result_json=json.dumps(body, separators=(",", ":"), ensure_ascii=False))
    outcome = verify_rating(app, rating_id)
    assert outcome is not None and outcome.tampered == [] and outcome.signature == "valid"
    assert outcome.cannot_verify is not None and f"factor set {earlier_set}" in outcome.cannot_verify
    assert not outcome.current_release and not outcome.proven
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).db.url)}
    sample = CliRunner().invoke(main, ["ratings", "verify", "--sample", "5"], env=env)
    assert sample.exit_code == 0, sample.output
    assert "1 rating(s) checked: 1 cannot be re-derived (earlier release), signature valid" in sample.output


def test_a_verification_leaves_a_trace_of_who_checked_which_rating_and_what_it_found(
    make_app: AppFactory,
) -> None:
    """``greenrate ratings verify`` reproduces a loan's rating from its record and left no trace: an auditor
    asking who had checked which rating, and what it found, had nothing to read, where an erasure and a
    subject-access export each log who made them. Each run logs who ran it and the outcome (WARNING, as
    those do, so that it survives ``GREENRATE_LOG_LEVEL=WARNING``); a merchant page rating's id, its link,
    is never logged."""
    import json

    from click.testing import Result

    def traces(result: Result, event: str) -> list[dict[str, object]]:
        return [json.loads(x) for x in result.stderr.splitlines() if f'"{event}"' in x]

    app, rating_id = _issued(make_app)
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).db.url), "GREENRATE_LOG_LEVEL": "WARNING"}
    runner = CliRunner()
    same = runner.invoke(main, ["ratings", "verify", rating_id], env=env)
    assert same.exit_code == 0, same.output
    (line,) = traces(same, "rating_verified")
    assert line["rating_id"] == rating_id and line["tenant"] == "bank-a" and line["level"] == "warning"
    assert str(line["actor"]).startswith("cli/")
    assert line["outcome"] == "identical, signature valid" and line["passed"] is True
    never = "rt_" + "1" * 32
    missing = runner.invoke(main, ["ratings", "verify", never], env=env)
    (line,) = traces(missing, "rating_verified")
    assert line["rating_id"] == never and line["outcome"] == "not recorded" and line["passed"] is False
    sample = runner.invoke(main, ["ratings", "verify", "--sample", "3"], env=env)
    (line,) = traces(sample, "ratings_sample_verified")
    assert line["checked"] == 1 and line["outcomes"] == {"identical, signature valid": 1}
    assert line["passed"] is True and str(line["actor"]).startswith("cli/")
    assert rating_id not in json.dumps(line)
    _set(app, rating_id, tenant="_public")  # a merchant page rating: its id opens its result
    page = runner.invoke(main, ["ratings", "verify", rating_id], env=env)
    (line,) = traces(page, "rating_verified")
    assert line["rating_id"] is None and line["tenant"] == "_public" and rating_id not in page.stderr
