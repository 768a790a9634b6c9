"""``python -m rating_model.train``: train a scorecard on a labelled flat file, or on synthetic data.

The command the model cards cite (``how_to_retrain``) and docs/rating-engine.md rebuilds the shipped model
with; ``python -m service.batch.train`` is the same command. It reads the ``--data`` file
(:func:`service.batch.flat_files.read_frame`), derives the indicators on every core for a large frame
(:func:`service.batch.workers.training_workers`) and writes the artifact; the training itself is
:func:`rating_model.train.train`, on a frame. The governed path (validation, evaluation, registry) is
``greenrate model``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow

from rating_model import train as training
from rating_model.artifact import ScorecardArtifact
from rating_model.exceptions import InvalidInputError, StandardError
from rating_model.flat import LATENT_COLUMN
from rating_model.standard import Standard, load_standard, published_standard_path
from rating_model.synthetic import generate_frame
from service.batch.flat_files import read_frame
from service.batch.workers import training_workers

if TYPE_CHECKING:
    import pandas as pd


def training_source(frame: pd.DataFrame, name: str) -> dict[str, Any]:
    """What a model card says a file it was trained on was (``trained_on``): its name and rows, and
    whether its labels are synthetic.

    A file of ``greenrate model generate-data`` carries the generator's latent greenness: its labels are
    synthetic and the card says so (it had said "labelled data supplied by the operator"). This command
    and ``greenrate model train`` say it alike, so that the command a card cites (``how_to_retrain``)
    writes the same card, and so the same artifact, as the one that trained the model.
    """
    source: dict[str, Any] = {"synthetic": LATENT_COLUMN in frame.columns, "file": name, "rows": len(frame)}
    if source["synthetic"]:
        source["generator"] = "rating_model.synthetic (greenrate model generate-data)"
    return source


def read_standard(value: str) -> Standard:
    """``--standard``: a published version by its label (``greenrate-sme@1.8.0``, the form a model card
    cites, read from the package wherever it is installed), else a standard YAML file.

    :raises StandardError: neither, or a file that is no valid standard (its own reason).
    """
    path = published_standard_path(value) if "@" in value else None
    if path is None and "@" in value and not Path(value).exists():
        raise StandardError(f"{value} is neither a standard published in this release nor a file")
    return load_standard(path or Path(value))


def main(argv: list[str] | None = None) -> None:
    """Train on a labelled flat file, or on the synthetic population when no file is given, and write it."""
    parser = argparse.ArgumentParser(description=training.__doc__)
    parser.add_argument("--data", type=Path, help="CSV or Parquet: flat operating-data columns + label")
    parser.add_argument("--rows", type=int, default=training.DEFAULT_ROWS,
                        help="synthetic rows (without --data)")
    parser.add_argument("--seed", type=int, default=training.DEFAULT_SEED)
    parser.add_argument("--standard", help="the standard to train under: a YAML file, or a published "
                        "version by its label (greenrate-sme@1.8.0); default: the packaged one")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    standard, standard_file = None, None
    if args.standard is not None:
        standard_file = Path(args.standard).name  # cited by name, as the --data file is
        try:
            standard = read_standard(args.standard)
        except StandardError as exc:
            parser.error(f"--standard: {exc}")
    if args.data is not None:
        try:
            frame = read_frame(args.data)
        except (OSError, ValueError, pyarrow.ArrowException) as exc:  # the reader's own reason, no traceback
            parser.error(f"cannot read {args.data.name}: {exc}")
        source = training_source(frame, args.data.name)
    else:
        frame = generate_frame(args.rows, args.seed)
        source = {
            "synthetic": True, "generator": "rating_model.synthetic", "rows": args.rows, "seed": args.seed
        }
    try:
        with training_workers(len(frame)) as parallel:
            result = training.train(frame, standard=standard, seed=args.seed, source=source,
                                    parallel=parallel, standard_file=standard_file)
    except InvalidInputError as exc:
        parser.error(f"{exc.field}: {exc.message}")
    artifact = ScorecardArtifact.from_dict(result.artifact)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(artifact.to_json() + "\n", encoding="utf-8")
    print(
        f"wrote {args.out} version={artifact.version} metrics={result.metrics} skipped={result.skipped_rows}"
    )


if __name__ == "__main__":
    main()
