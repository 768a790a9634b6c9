"""An artifact whose blank earns more than its worst reported bin is refused everywhere it can enter.

The standard caps a missing value at the points of the indicator's worst reported bin, so that withholding
data never pays. Such an artifact used to be registered, uploaded (201), activated and served.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from rating_model.artifact import ScorecardArtifact
from rating_model.exceptions import ArtifactError
from rating_model.standard import DEFAULT_STANDARD, load_standard
from service.cli import main
from service.model_watch import engine_for
from service.records import registry
from tests.conftest import bearer, create_key, services_of
from tests.rating_model.test_artifact import missing_above_worst


def test_register_refuses_it_naming_the_feature(tmp_path: Path) -> None:
    env = {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False).exit_code == 0
    path = tmp_path / "m.json"
    path.write_text(json.dumps(missing_above_worst()))
    result = runner.invoke(main, ["model", "register", str(path)], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert "artifact refused" in result.output and "'green_operations'" in result.output


def test_upload_refuses_it_with_422(app: Flask, client: FlaskClient) -> None:
    analyst = create_key(app, "bank-a", "analyst")
    doc = missing_above_worst()
    response = client.post("/v1/models", json=doc, headers=bearer(analyst))
    assert response.status_code == 422, response.json
    assert "green_operations" in response.json["message"]
    assert registry.get_model(services_of(app).db, doc["version"]) is None


def test_loading_refuses_it_before_any_engine_is_built() -> None:
    """The format's own check: the artifact never reaches the engine (whose check covers artifacts that
    name no standard; see tests/rating_model/test_artifact.py)."""
    with pytest.raises(ArtifactError, match="green_operations"):
        engine_for(load_standard(DEFAULT_STANDARD), ScorecardArtifact.from_dict(missing_above_worst()))
    with pytest.raises(ArtifactError, match="green_operations"):
        ScorecardArtifact.from_json(json.dumps(missing_above_worst()))
