"""The instruction counter's workloads run as counted (without valgrind, which only watches them), and its
command line refuses what it does not know."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks import instructions


@pytest.mark.parametrize("workload", ["rate", "miss", "hit"])
def test_each_workload_runs_its_warm_up_and_a_measured_pass(workload: str, tmp_path: Path) -> None:
    env = instructions._environment(workload, tmp_path)
    # Every service request must answer 201 or the child fails: a hit pool that is not rated, a key the
    # service refuses, or a miss that collides with the warm-up would all stop it here.
    instructions._run(env, workload, 0, None)
    instructions._run(env, workload, 1, None)


def test_an_unknown_workload_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        instructions.main(["rate", "sprint"])
    assert stopped.value.code == 2
    assert "unknown workload sprint" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_a_count_is_the_measured_passes_alone() -> None:
    result = instructions.count("echo")
    assert result["items"] == instructions.PASSES * 50
    # a Flask echo of a 600-byte body executes some hundreds of thousands of instructions, not millions
    assert 100_000 < result["instructions_per_item"] < 3_000_000
