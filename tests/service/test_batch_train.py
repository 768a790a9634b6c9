"""``python -m rating_model.train``, the command every model card cites, after its I/O moved to the service.

The command is :mod:`service.batch.train` (reading the file, the worker processes, writing the artifact);
``rating_model.train`` runs it when run as a script. Both modes give the artifact that training on the
same frame in this process gives, byte for byte.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rating_model.artifact import ScorecardArtifact
from rating_model.standard import DEFAULT_STANDARD, STANDARD_DIR, load_standard
from rating_model.synthetic import generate_frame
from rating_model.train import train
from service.batch import train as train_command
from service.batch.flat_files import read_frame, write_frame
from service.cli import main

ROOT = Path(__file__).parents[2]
ROWS, SEED = 1_500, 7


# the variables that choose a BLAS's kernels and threads: a training compared bit for bit with one made in
# this process must run on the same kernels (a machine whose environment sets OPENBLAS_CORETYPE=Haswell
# trained in here with Haswell's kernels and, without it, in the child with its own CPU's: the last digits
# of the coefficients differed, and so did the model's version)
_NUMERICS = ("OPENBLAS_", "GOTO", "OMP_", "MKL_", "NVPL_", "BLIS_")


def _child_env() -> dict[str, str]:
    """A bare environment for a command run as a process, with this process's BLAS settings."""
    numerics = {name: value for name, value in os.environ.items() if name.startswith(_NUMERICS)}
    return {**numerics, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "RATING_MODEL_NO_EXTENSIONS": "1"}


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          env=_child_env(), cwd=ROOT, timeout=300)


def _exit_status(*args: str) -> int:
    """The training command's exit status, run in this process (what it says is in ``capsys``).

    A new Python process imports pandas, scikit-learn and the engine first (seconds, each time). The two
    entry points' tests and the card's retraining run the command as a process: that is what they check;
    a refusal's status and words, or the training a card is then checked against, are the same in here.
    """
    try:
        train_command.main(list(args))
    except SystemExit as stopped:
        return stopped.code if isinstance(stopped.code, int) else 1
    return 0


@pytest.mark.parametrize("module", ["rating_model.train", "service.batch.train"])
def test_the_training_command_trains_on_a_labelled_file(tmp_path: Path, module: str) -> None:
    data, out = tmp_path / "labelled.csv", tmp_path / "model.json"
    write_frame(generate_frame(ROWS, SEED).drop(columns=["latent_greenness"]), data)
    done = _run(module, "--data", str(data), "--seed", str(SEED), "--out", str(out))
    assert done.returncode == 0, done.stderr
    source = {"synthetic": False, "file": data.name, "rows": ROWS}
    expected = ScorecardArtifact.from_dict(train(read_frame(data), seed=SEED, source=source).artifact)
    assert out.read_text(encoding="utf-8") == expected.to_json() + "\n"
    assert f"wrote {out} version={expected.version}" in done.stdout


def test_the_training_command_trains_on_the_synthetic_population(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    done = _run("rating_model.train", "--rows", str(ROWS), "--seed", str(SEED), "--out", str(out))
    assert done.returncode == 0, done.stderr
    card = ScorecardArtifact.from_json(out.read_bytes()).metadata["card"]
    assert card["trained_on"] == {"synthetic": True, "generator": "rating_model.synthetic", "rows": ROWS,
                                  "seed": SEED}


def test_a_refused_file_ends_the_command_with_its_reason(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "unlabelled.csv"
    write_frame(generate_frame(50, SEED).drop(columns=["label", "latent_greenness"]), data)
    assert _exit_status("--data", str(data), "--out", str(tmp_path / "m.json")) == 2
    assert "label" in capsys.readouterr().err.splitlines()[-1]


def test_a_nested_parquet_column_ends_the_command_with_its_name(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A list column had reached the rows' hashing (a TypeError traceback) or been read as its repr."""
    data = tmp_path / "labelled.parquet"
    frame = generate_frame(50, SEED)
    write_frame(frame.assign(company__name=[["a", "b"]] * len(frame)), data)
    status = _exit_status("--data", str(data), "--out", str(tmp_path / "m.json"))
    said = capsys.readouterr().err
    assert status == 2, said
    assert "cannot read labelled.parquet: company__name: holds list<" in said.splitlines()[-1]
    assert not (tmp_path / "m.json").exists()


def _retrained_by_its_card(model: Path, where: Path) -> bytes:
    """Run the command the model's card cites (``how_to_retrain``, up to its colon) in ``where``, as an
    operator would paste it, and return the artifact it writes."""
    card = ScorecardArtifact.from_json(model.read_bytes()).metadata["card"]
    command = shlex.split(card["how_to_retrain"].split(": ", 1)[0])
    assert command[:3] == ["python", "-m", "rating_model.train"], command
    out = Path(command[command.index("--out") + 1])
    done = subprocess.run([sys.executable, *command[1:]], capture_output=True, text=True, env=_child_env(),
                          cwd=where, timeout=300)
    assert done.returncode == 0, done.stderr
    return (where / out).read_bytes()


@pytest.mark.parametrize("how", ["real-labels", "synthetic-population", "greenrate-on-a-generated-file",
                                 "published-standard", "edited-standard"])
def test_the_command_a_card_cites_rebuilds_the_model_byte_for_byte(tmp_path: Path, how: str) -> None:
    """The card cited ``--data labelled.parquet --out model.json`` without the seed: the holdout draw and
    the fit differ by seed, so the cited command gave another model (and another version). A model of
    ``greenrate model train`` on a file of ``generate-data`` is cited by the same command, which must
    write the same card (synthetic labels, said so). A model trained under another standard than the
    packaged one (a published earlier version, or a bank's own file) was cited without it: the command had
    no ``--standard``, and retrained under the default."""
    trained, data = tmp_path / "trained.json", tmp_path / "labelled.csv"
    if how == "published-standard":
        write_frame(generate_frame(ROWS, 3), data)
        args = ["model", "train", "--data", str(data), "--seed", str(SEED), "--out", str(trained),
                "--workers", "1", "--standard", str(STANDARD_DIR / "greenrate-sme-1.8.yaml")]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    elif how == "edited-standard":
        write_frame(generate_frame(ROWS, 3).drop(columns=["latent_greenness"]), data)
        edited = tmp_path / "bank-standard.yaml"
        text = DEFAULT_STANDARD.read_text(encoding="utf-8")
        bank_copy = re.sub(r'^published: "[^"]*"$', 'published: "2027-01"', text, count=1, flags=re.M)
        assert bank_copy != text
        edited.write_text(bank_copy, encoding="utf-8")
        assert _exit_status("--data", str(data), "--seed", str(SEED), "--standard", str(edited),
                            "--out", str(trained)) == 0
    elif how == "synthetic-population":
        assert _exit_status("--rows", str(ROWS), "--seed", str(SEED), "--out", str(trained)) == 0
    elif how == "real-labels":
        write_frame(generate_frame(ROWS, 3).drop(columns=["latent_greenness"]), data)
        assert _exit_status("--data", str(data), "--seed", str(SEED), "--out", str(trained)) == 0
    else:
        write_frame(generate_frame(ROWS, 3), data)
        args = ["model", "train", "--data", str(data), "--seed", str(SEED), "--out", str(trained),
                "--workers", "1"]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert ScorecardArtifact.from_json(trained.read_bytes()).metadata["card"]["synthetic_data"] is True
    metadata = ScorecardArtifact.from_json(trained.read_bytes()).metadata
    cited = {"published-standard": " --standard greenrate-sme@1.8.0 ",
             "edited-standard": " --standard bank-standard.yaml "}.get(how)
    if cited is None:  # the packaged default's label too: the next release packages another standard
        cited = f" --standard {load_standard(DEFAULT_STANDARD).label} "
        assert metadata["standard_sha256"] == load_standard(DEFAULT_STANDARD).sha256
    else:
        assert metadata["standard_sha256"] != load_standard(DEFAULT_STANDARD).sha256
    assert cited in metadata["card"]["how_to_retrain"].split(": ", 1)[0] + " "
    assert _retrained_by_its_card(trained, tmp_path) == trained.read_bytes()


def test_the_standard_option_refuses_what_is_no_standard(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """``--standard`` names a published version or a file that is a valid standard, else the command ends
    with the reason (no traceback, no artifact)."""
    data, out = tmp_path / "labelled.csv", tmp_path / "m.json"
    write_frame(generate_frame(50, SEED), data)
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: greenrate-sme\n", encoding="utf-8")
    for value, said in (("greenrate-sme@0.1.0", "neither a standard published in this release nor a file"),
                        (str(tmp_path / "missing.yaml"), "cannot read standard"),
                        (str(broken), "missing 'score'")):
        status = _exit_status("--data", str(data), "--standard", value, "--out", str(out))
        stderr = capsys.readouterr().err
        assert status == 2, stderr
        assert "--standard: " in stderr and said in stderr, stderr
        assert not out.exists()
