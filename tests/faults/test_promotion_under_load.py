"""A new model uploaded and promoted through the API while a client load runs: nothing fails, nothing mixes.

Real gunicorn (gunicorn.conf.py, two workers, ``GREENRATE_MODEL_POLL_SECONDS`` short) on the session's
PostgreSQL. Four client threads rate distinct companies; once 50 are answered, an analyst uploads a
challenger and activates it, and the load goes on until 20 ratings were sent after every worker must have
switched (a fixed-size load ended too soon on a busy host). The challenger is the default scorecard with
every point halved and three base points, so each bin of a rated indicator is worth different points
under the two versions and a rating computed with one model's table but labelled with the other's version
cannot go unnoticed.

Checked afterwards: every request answered 201; every rating (response and stored row alike) is explained
by exactly one version's published points table, the one its ``versions.model`` names (contribution
points per bin, the most points per indicator, base points, score and probability); ratings answered
before the activation was sent carry the old version; ratings sent once every worker must have looked
again (activation + poll interval) carry the new one.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from service.records import migrate
from service.records.database import database_url
from tests.conftest import insert_keys, payload
from tests.faults.test_worker_killed import workers_of
from tests.live_services import gunicorn_server
from tests.service.model_fixtures import default_document, rehash
from tests.service.test_gunicorn_workers import fetch

pytestmark = [pytest.mark.slow, pytest.mark.integration]
# The load runs until MIN_AFTER ratings were sent after the switch, however fast the host is; the cap only
# bounds a run in which the promotion never happens.
MAX_COMPANIES = 2000
THREADS = 4
PROMOTE_AFTER = 50  # answered ratings before the challenger is uploaded and activated
POLL_SECONDS = 0.25
MIN_AFTER = 20  # ratings that must be sent after every worker has switched, or the test proves nothing


def halved_document() -> dict[str, Any]:
    """A valid challenger: the default's bins with every point halved (rounding keeps them monotone)."""
    doc = default_document()
    for feature in doc["features"]:
        feature["points"] = [round(p / 2, 1) for p in feature["points"]]
        feature["missing_points"] = round(feature["missing_points"] / 2, 1)
        if feature.get("unseen_points") is not None:
            feature["unseen_points"] = round(feature["unseen_points"] / 2, 1)
    doc["base_points"] = 3.0
    doc["metadata"]["card"]["variant"] = "promotion under load: halved points, 3 base points"
    return rehash(doc)


@dataclass(frozen=True)
class Scorecard:
    """One version's published points table (``GET /v1/models/{version}``), to check a rating against."""

    version: str
    base_points: float
    intercept: float
    slope: float
    points: dict[tuple[str, str], float]  # (indicator, bin label) -> points
    max_points: dict[str, float]

    @classmethod
    def of(cls, document: dict[str, Any]) -> Scorecard:
        points = {(row["feature"], row["label"]): row["points"] for row in document["points_table"]}
        most: dict[str, float] = {}
        for (feature, _), value in points.items():
            most[feature] = max(most.get(feature, value), value)
        artifact = document["artifact"]
        return cls(
            document["version"],
            artifact["base_points"],
            artifact["probability"]["intercept"],
            artifact["probability"]["slope"],
            points,
            most,
        )

    def explains(self, rating: dict[str, Any]) -> bool:
        """The rating's base points, bin points, score and probability are this scorecard's."""
        contributions = rating["contributions"]
        if rating["base_points"] != self.base_points or len(contributions) != len(self.max_points):
            return False
        for c in contributions:
            if (
                self.points.get((c["indicator"], c["bin"])) != c["points"]
                or self.max_points[c["indicator"]] != c["max_points"]
            ):
                return False
        total = self.base_points + sum(c["points"] for c in contributions)
        probability = 1 / (1 + math.exp(-(self.intercept + self.slope * rating["score"])))
        return math.isclose(rating["score"], total, abs_tol=1e-9) and math.isclose(
            rating["probability_green"], probability, rel_tol=1e-9
        )


@dataclass(frozen=True)
class Answer:
    index: int
    sent: float  # time.monotonic(): the same clock as the server's workers on this machine
    received: float
    status: int
    body: bytes

    @property
    def rating(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]

    @property
    def model(self) -> str:
        return self.rating["versions"]["model"]  # type: ignore[no-any-return]


@pytest.fixture
def served(tmp_path: Path, postgres_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    db = create_engine(database_url(postgres_url))
    migrate.upgrade(db)
    keys = insert_keys(db, "bank-a", ("bank", "analyst"))
    # four eyes: another analyst than the uploader promotes
    keys["checker"] = insert_keys(db, "bank-a", ("analyst",))["analyst"]
    db.dispose()
    settings = {
        "GREENRATE_DATABASE_URL": postgres_url,
        "GREENRATE_RATE_LIMIT": "100000 per minute",
        "GREENRATE_MODEL_POLL_SECONDS": str(POLL_SECONDS),
        "GREENRATE_MODEL_REQUIRE_COMPARISON": "false",  # what is under test is the swap under load
    }
    with gunicorn_server(settings, tmp_path, ready=lambda p: len(workers_of(p.pid)) == 2) as (base, _):
        yield base, keys


def stored_rows(postgres_url: str) -> dict[str, tuple[str, float, str]]:
    db = create_engine(database_url(postgres_url))
    with db.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, model_version, score, result_json FROM ratings").all()
    db.dispose()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def test_a_promotion_during_load_fails_no_request_and_mixes_no_versions(
    served: tuple[str, dict[str, str]], postgres_url: str
) -> None:
    base, keys = served
    challenger = halved_document()
    answered = threading.Event()
    enough = threading.Event()  # MIN_AFTER ratings were sent after every worker must have switched
    done: list[int] = []
    sent_after: list[int] = []
    lock = threading.Lock()
    next_company = iter(range(MAX_COMPANIES))

    def rate(index: int) -> Answer:
        sent = time.monotonic()
        body = json.dumps(payload(employees=index + 1)).encode()
        status, _, body = fetch(base + "/v1/ratings", body, keys["bank"])
        answer = Answer(index, sent, time.monotonic(), status, body)
        with lock:
            done.append(index)
            if len(done) == PROMOTE_AFTER:
                answered.set()
        return answer

    promotion: dict[str, Any] = {}

    def promote() -> None:
        if not answered.wait(timeout=60):
            return
        promotion["upload"] = fetch(base + "/v1/models", json.dumps(challenger).encode(), keys["analyst"])
        promotion["sent"] = time.monotonic()
        champion = json.loads(fetch(base + "/v1/models", key=keys["analyst"])[2])["active"]
        reason = json.dumps({"reason": "promotion under load", "replacing": champion}).encode()
        promotion["activate"] = fetch(
            base + f"/v1/models/{challenger['version']}/activate", reason, keys["checker"]
        )
        promotion["activated"] = time.monotonic()

    promoter = threading.Thread(target=promote)
    promoter.start()

    def client() -> list[Answer]:
        """Distinct companies, one after another, until enough were sent after the switch (or the cap)."""
        mine: list[Answer] = []
        while not enough.is_set():
            with lock:
                index = next(next_company, None)
            if index is None:
                break
            answer = rate(index)
            mine.append(answer)
            activated = promotion.get("activated")
            if activated is not None and answer.sent > activated + POLL_SECONDS:
                with lock:
                    sent_after.append(index)
                    if len(sent_after) >= MIN_AFTER:
                        enough.set()
        return mine

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = sorted(
            (a for mine in pool.map(lambda _: client(), range(THREADS)) for a in mine), key=lambda a: a.index
        )
    promoter.join(timeout=60)

    assert promotion["upload"][0] == 201, promotion["upload"][2][:300]
    status, _, activation = promotion["activate"]
    assert status == 200, activation[:300]
    old = json.loads(activation)["previous_version"]
    new = challenger["version"]
    assert old != new
    failed = [(a.index, a.status, a.body[:200]) for a in answers if a.status != 201]
    assert not failed  # no request failed, during the promotion either

    cards = {}
    for version in (old, new):
        status, _, document = fetch(base + f"/v1/models/{version}", key=keys["bank"])
        assert status == 200
        cards[version] = Scorecard.of(json.loads(document))
    # Every rating is explained by the version it names and by no other: nothing mixes versions.
    mixed = [
        (a.index, a.model)
        for a in answers
        if {v for v, card in cards.items() if card.explains(a.rating)} != {a.model}
    ]
    assert not mixed
    stored = stored_rows(postgres_url)
    assert set(stored) == {a.rating["id"] for a in answers}  # one row per company
    for a in answers:
        model_version, score, result_json = stored[a.rating["id"]]
        assert (model_version, score, result_json.encode()) == (a.model, a.rating["score"], a.body)

    before = [a for a in answers if a.received < promotion["sent"]]
    assert len(before) >= PROMOTE_AFTER and {a.model for a in before} == {old}
    # A worker looks at the registry before a request once its poll interval has passed, so whatever
    # was sent later than activation + interval is rated by the new model in either worker.
    switched = promotion["activated"] + POLL_SECONDS
    after = [a for a in answers if a.sent > switched]
    assert len(after) >= MIN_AFTER, f"the load ended too soon after the promotion ({len(after)} ratings)"
    assert {a.model for a in after} == {new}
    between = [a.model for a in answers if promotion["sent"] <= a.received and a.sent <= switched]
    print(
        f"\n{len(before)} ratings by {old} before the promotion, {len(between)} during the switch "
        f"({between.count(new)} by {new}), {len(after)} by {new} afterwards"
    )
