"""``python -m benchmarks.compare``: run the scorecard comparison, write ``docs/scorecard-comparison.md``.

Needs the ``compare`` extra (optbinning, interpret-core, scorecardpy)::

    python3.11 -m venv .venv-compare
    .venv-compare/bin/pip install -c constraints.txt -e ".[test,compare]"
    .venv-compare/bin/python -m benchmarks.compare --out docs/scorecard-comparison.md

The numbers are written together with the command, the package versions and the date, so a reader can
reproduce them or see that they are stale.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from benchmarks.comparison import (
    Dataset,
    ModelFactory,
    Summary,
    breast_cancer,
    cross_validate,
    ebm,
    german_credit,
    greenrate_scorecard,
    logistic_pipeline,
    optbinning_scorecard,
    summarise,
    time_bulk_scoring,
)

OURS = "greenrate Scorecard (defaults)"
#: Variants of our card that were tried; all are reported, the defaults stay the headline, because
#: picking the best variant on the same folds would flatter it.
VARIANTS: dict[str, ModelFactory] = {
    OURS: greenrate_scorecard(),
    "greenrate Scorecard (max_bins=8, min_bin_share=0.03)": greenrate_scorecard(
        max_bins=8, min_bin_share=0.03
    ),
    "greenrate Scorecard (C=0.1)": greenrate_scorecard(C=0.1),
    "greenrate Scorecard (max_bins=4)": greenrate_scorecard(max_bins=4),
}
EBM = "interpret ExplainableBoostingClassifier"
PEERS: dict[str, ModelFactory] = {
    "optbinning Scorecard (BinningProcess + LogisticRegression)": optbinning_scorecard,
    EBM: ebm,
    "LogisticRegression (one-hot + scaling)": logistic_pipeline,
}
POINTS_TABLE = {
    OURS: "yes",
    "optbinning": "yes",
    "interpret": "no (shape functions + pairs)",
    "LogisticRegression": "no (coefficients on scaled/one-hot inputs)",
}
#: Models left out of a data set by default, with the observed reason (``--ebm-everywhere`` overrides).
NOT_RUN = {
    "Breast cancer": {
        EBM: "not run by default: on this nearly separable data its default early stopping (100 rounds, "
        "tolerance 1e-5) does not trigger; in the first full run one fold was still boosting bag 2 of 14 "
        "after 2.7 million boosting steps (over 20 minutes on this 2-CPU machine). "
        "`--ebm-everywhere` runs it anyway.",
    },
}
PACKAGES = ("numpy", "pandas", "scikit-learn", "optbinning", "ortools", "interpret-core", "scorecardpy")


def _points_table(model: str) -> str:
    if model.startswith("greenrate"):
        return "yes"
    return next((v for k, v in POINTS_TABLE.items() if model.startswith(k)), "?")


def render_table(rows: Sequence[Summary]) -> list[str]:
    """One markdown table: AUC mean ± SD, Gini, KS, Brier, mean fit time, and whether it is a points table."""
    lines = [
        "| model | AUC (mean ± sd) | Gini | KS | Brier | fit s/fold | points table |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.model} | {r.auc_mean:.4f} ± {r.auc_sd:.4f} | {r.gini:.4f} | {r.ks:.4f} | "
            f"{r.brier:.4f} | {r.fit_seconds:.2f} | {_points_table(r.model)} |"
        )
    return lines


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def render(
    results: Mapping[str, list[Summary]],
    skipped_models: Mapping[str, Mapping[str, str]],
    timings: Sequence[tuple[str, float]],
    *,
    command: str,
    folds: int,
    seed: int,
    timing_rows: int,
    data: Sequence[Dataset],
) -> str:
    """The whole report as markdown."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    versions = ", ".join(f"{p} {_version(p)}" for p in PACKAGES)
    out = [
        "# Scorecard comparison on public data",
        "",
        f"Generated {today} by `{command}` (Python {platform.python_version()}, {os.cpu_count()} CPUs).",
        f"Versions: {versions}.",
        "",
        "Reproduce (the comparison libraries live in their own virtualenv, outside the service's):",
        "",
        "```",
        "python3.11 -m venv .venv-compare",
        '.venv-compare/bin/pip install -c constraints.txt -e ".[test,compare]"',
        f".venv-compare/bin/{command}",
        "```",
        "",
        f"Protocol: stratified {folds}-fold cross-validation, shuffled with seed {seed}; every model is "
        "created fresh per fold and fitted on the training fold only (binning, encoding and scaling "
        "included), then scored on the held-out fold. AUC and its sample SD over folds; Gini = 2·AUC − 1; "
        "KS and Brier are fold means; fit time is the mean wall time of one fit on this machine.",
        "",
        "Data (shipped inside packages, no download): "
        + "; ".join(
            f"**{d.name}**: {d.source}, {len(d.y)} rows, {d.X.shape[1]} features, event rate {d.y.mean():.3f}"
            for d in data
        )
        + ".",
        "",
        "Our card uses directions declared before fitting (credit-risk priors for German credit, "
        '"larger/more irregular nuclei → malignant" for breast cancer; see `benchmarks/comparison.py`). '
        'optbinning runs with its defaults (monotonic trend "auto", detected per fold); EBM and the '
        "logistic regression with theirs.",
        "",
    ]
    for name, rows in results.items():
        out += [f"## {name}", "", *render_table(rows), ""]
        skipped = skipped_models.get(name, {})
        out += [f"- {model}: {reason}" for model, reason in skipped.items()] + ([""] if skipped else [])
    if timings:
        out += [
            "## Bulk and single-row scoring speed",
            "",
            f"{timing_rows:,} rows resampled from German credit; models fitted on all 1,000 rows.",
            "",
            "| what | seconds |",
            "|---|---|",
        ]
        out += [f"| {what} | {seconds:.6f} |" for what, seconds in timings]
        out.append("")
    out += [
        "## Reading the numbers",
        "",
        "- The variants of our card are every setting that was tried; the defaults are the headline because "
        "choosing the best variant on these same folds would be optimistic.",
        "- Differences smaller than the fold SD are noise at these sample sizes (1,000 and 569 rows).",
        "- Only the two scorecards are a points table a credit officer can add up; ours additionally holds "
        "a declared direction per feature, an explicit missing bin and an unseen-category rule, and is "
        "scored from a hashed JSON artifact with numpy alone.",
        "",
    ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the comparison and write the markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/scorecard-comparison.md"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timing-rows", type=int, default=1_000_000, help="0 skips the speed section")
    parser.add_argument("--skip-ebm", action="store_true", help="EBM is by far the slowest model to fit")
    parser.add_argument("--datasets", default="german,breast_cancer", help="comma-separated subset")
    parser.add_argument("--ebm-everywhere", action="store_true", help="also run EBM where NOT_RUN skips it")
    args = parser.parse_args(argv)
    peers = {k: v for k, v in PEERS.items() if not (args.skip_ebm and "Explainable" in k)}
    models = {**VARIANTS, **peers}
    loaders = {"german": german_credit, "breast_cancer": breast_cancer}
    data = [loaders[name.strip()]() for name in args.datasets.split(",")]
    results, skipped = {}, {}
    for d in data:
        print(f"cross-validating on {d.name} ...", file=sys.stderr, flush=True)
        skipped[d.name] = {} if args.ebm_everywhere else dict(NOT_RUN.get(d.name, {}))
        run = {k: v for k, v in models.items() if k not in skipped[d.name]}
        results[d.name] = summarise(cross_validate(run, d, n_splits=args.folds, seed=args.seed))
    timings = []
    if args.timing_rows:
        print("timing bulk scoring ...", file=sys.stderr, flush=True)
        timed = {OURS: VARIANTS[OURS], **peers}
        timings = time_bulk_scoring(german_credit(), timed, args.timing_rows, args.seed)
    command = "python -m benchmarks.compare " + shlex.join(sys.argv[1:] if argv is None else list(argv))
    report = render(
        results,
        skipped,
        timings,
        command=command.strip(),
        folds=args.folds,
        seed=args.seed,
        timing_rows=args.timing_rows,
        data=data,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
