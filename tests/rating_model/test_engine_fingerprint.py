"""The default engine's ratings are pinned to its versions: changing any rating needs a new engine version.

A rating is reused for an identical input only under the same versions (model, standard, factor set, schema,
engine). A fix to the engine's code changes ratings without changing the first four, so without a new
``ENGINE_VERSION`` a bank sending the same company after the fix would get the rating the old code issued.
This test rates a fixed corpus (``tests/data/engine_corpus.jsonl``: 200 synthetic businesses written once,
so a change to the generator does not move it, then a dozen edge cases the reviews found, appended at
engine 2.1: fuels listed at 0 or left out, water and waste at 0, no vehicles, 0 vans, a bill's amount, a
freight firm's fleet and a coal workshop; a reproducibility audit found two rule changes made under
unchanged versions that the synthetic rows never reached; and five at engine 2.2, a Beijing restaurant's
purchased heat left out, none, given in both years, left out in Guangdong and with no province named; and
three at engine 2.3, a Hebei tea shop whose path changes its fleet, an office that gave its bill's amount,
a restaurant with no water figure; and one at engine 2.4, a noodle bar with three environmental penalties
that gave nothing else, whose unreachable grade no action lifts; and six at engine 2.12, a restaurant that
recharged R-410A and R-22, an office whose green certificates and credits make it operationally neutral with
refrigerants answered none and the same office with them left out, an office with green power of another
year, a freight firm keeping USD accounts with a verified inventory and its lorries' diesel, and a Vietnamese
bakery with its own grid factor; and three at engine 2.13, a noodle house that used no energy at all, whose
renewable share is none, not 0, a Shanghai bakery with two targets, one stating its kind, gases, netting
and validation (schema 1.14), the other its kind alone, and a Ningbo accounting office that said it had no
business travel (``"business_travel": []``), whose category 6 is a reported zero and whose
``emissions.missing`` is empty) and compares each rating's digest with the digests recorded in
``tests/data/engine_fingerprint.json`` under the versions that produced them.

After a deliberate change (``ENGINE_VERSION`` bumped, or a new default model, standard or factor set),
record the fingerprint again::

    .venv/bin/python -m tests.rating_model.test_engine_fingerprint

It refuses to record other ratings under the versions already recorded (bump ``ENGINE_VERSION``), unless
given ``--unreleased``: for versions introduced by the change at hand, which never reached main.

The digests hold on one platform with the pinned libraries (the engine's arithmetic is IEEE doubles, its
outputs rounded); on another CPU architecture a last-digit difference would show here first.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from rating_model.engine import ENGINE_VERSION, Engine

DATA = Path(__file__).parents[1] / "data"
CORPUS = DATA / "engine_corpus.jsonl"
FINGERPRINT = DATA / "engine_fingerprint.json"
RECORD = "`.venv/bin/python -m tests.rating_model.test_engine_fingerprint`"


def corpus() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


def digests(engine: Engine, payloads: list[dict[str, Any]]) -> list[str]:
    """One short digest per rating: sha256 of its canonical JSON (keys sorted), first 16 hex digits.

    The rating's ``versions`` are left out (they are compared on their own), so a digest changes only when
    what the engine computed does.
    """
    out = []
    for payload in payloads:
        rating = engine.rate(engine.parse(payload)).to_dict()
        del rating["versions"]
        text = json.dumps(rating, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        out.append(hashlib.sha256(text.encode()).hexdigest()[:16])
    return out


def record(engine: Engine) -> dict[str, Any]:
    return {"versions": engine.versions, "ratings": digests(engine, corpus())}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def test_ratings_match_the_fingerprint_of_their_versions(engine: Engine) -> None:
    recorded = json.loads(FINGERPRINT.read_text(encoding="utf-8"))
    versions = engine.versions
    if recorded["versions"] != versions:
        pytest.fail(
            f"the fingerprint was recorded under {recorded['versions']}, the engine now reports {versions}: "
            f"record it again with {RECORD}"
        )
    now = digests(engine, corpus())
    changed = [i for i, (a, b) in enumerate(zip(recorded["ratings"], now, strict=True)) if a != b]
    assert not changed, (
        f"{len(changed)} of {len(now)} corpus ratings (lines {[i + 1 for i in changed[:10]]}...) changed "
        f"under engine version {ENGINE_VERSION}: a rating issued before this change would still be reused "
        f"for the same input. Bump ENGINE_VERSION in rating_model/engine.py (say why in its comment), "
        f"then record the fingerprint again with {RECORD}"
    )


def refusal(previous: dict[str, Any] | None, new: dict[str, Any], *, unreleased: bool) -> str | None:
    """Why ``new`` may not replace ``previous``: other ratings under the very same versions.

    Re-recording had been free, so one engine version came to stand for several computations (a
    reproducibility review found three fingerprints recorded under engine 1.6 on main): a bank keeping a
    rating's versions could not tell which code issued it. Only versions that never left the developer's
    branch (``--unreleased``) may be re-recorded with other ratings.
    """
    if previous is None or previous["versions"] != new["versions"] or previous["ratings"] == new["ratings"]:
        return None
    if unreleased:
        return None
    return (
        f"the ratings changed under the versions already recorded ({new['versions']}): bump ENGINE_VERSION "
        "in rating_model/engine.py (say why in its comment) and record again; pass --unreleased only if "
        "these versions were never on main"
    )


def main(argv: list[str]) -> None:
    """Record the fingerprint. Its arguments had been searched for ``--unreleased`` alone, so ``--help``
    (or a misspelt ``--unreleased``) recorded it instead (a newcomer's review)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tests.rating_model.test_engine_fingerprint",
        description=f"Rate the fixed corpus and record its digests in {FINGERPRINT.name}, refusing other "
        "ratings under versions already recorded (bump ENGINE_VERSION).",
    )
    parser.add_argument("--unreleased", action="store_true",
                        help="the versions recorded were introduced by the change at hand and never reached "
                        "main: record other ratings under them")
    unreleased = parser.parse_args(argv).unreleased
    recorded_before = json.loads(FINGERPRINT.read_text(encoding="utf-8")) if FINGERPRINT.exists() else None
    fresh = record(Engine.load())
    problem = refusal(recorded_before, fresh, unreleased=unreleased)
    if problem is not None:
        raise SystemExit(f"not recorded: {problem}")
    FINGERPRINT.write_text(json.dumps(fresh, indent=1) + "\n", encoding="utf-8")
    print(f"recorded {FINGERPRINT}")


def test_the_recorder_reads_its_options_and_records_nothing_for_help_or_a_typo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m tests.rating_model.test_engine_fingerprint --help`` rated the corpus and recorded it."""
    target = tmp_path / "fingerprint.json"
    monkeypatch.setattr(sys.modules[__name__], "FINGERPRINT", target)
    for argv, status in ((["--help"], 0), (["--unreleasd"], 2)):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == status and not target.exists()


if __name__ == "__main__":
    main(sys.argv[1:])


def test_the_recorder_refuses_other_ratings_under_the_same_versions() -> None:
    before = {"versions": {"engine": "1.7"}, "ratings": ["a", "b"]}
    assert refusal(None, before, unreleased=False) is None
    assert refusal(before, before, unreleased=False) is None
    assert refusal(before, {"versions": {"engine": "1.8"}, "ratings": ["a", "c"]}, unreleased=False) is None
    changed = {"versions": {"engine": "1.7"}, "ratings": ["a", "c"]}
    problem = refusal(before, changed, unreleased=False)
    assert problem is not None and "bump ENGINE_VERSION" in problem
    assert refusal(before, changed, unreleased=True) is None

