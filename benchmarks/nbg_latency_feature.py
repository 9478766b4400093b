"""Whether latency, as a feature, helps the accuracy model rank a NAS-Bench-Graph table.

Latency is measured with every network, and the additive cost model predicts it well
for the rest, so it could be handed to the accuracy model as one more feature: a
single number for "how much computation", which one-hot and count features spread
over many columns. This script replays the first ``--at`` networks of saved runs of
the default, fits the default's accuracy predictor (model selection between a GP and
Bayesian ridge on the Yeo-Johnson-warped target) with and without the standardised
log latency (times each ``--weights`` value: the GP's kernel is isotropic, so the
weight sets how much the feature counts), and reports over the whole table:

* ``tau``: Kendall tau of predicted against true validation accuracy;
* ``top_percentile``: the mean predicted percentile of the true top 1% (0 is the top,
  0.5 is chance).

It uses the *measured* latency of every network, an upper bound on what the cost
model's prediction would give.

    python benchmarks/nbg_latency_feature.py --datasets cora,pubmed --runs benchmarks/results/nbg_targets_30seeds.json \\
        --at 50 --max-runs 8 --out benchmarks/results/nbg_latency_feature.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.errors import ParetonasError
from paretonas.predict import OutputWarp, fit_predictor, kendall_tau

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import add_run_arguments, read_runs, table_features  # noqa: E402

TOP_SHARE = 0.01


def with_latency(features: np.ndarray, log_latency: np.ndarray, fitted_rows: np.ndarray, weight: float) -> np.ndarray:
    """``features`` plus a column of log latency standardised on the fitted rows and scaled by ``weight`` (none at 0)."""
    if weight == 0:
        return features
    scale = log_latency[fitted_rows].std() or 1.0
    return np.column_stack([features, weight * (log_latency - log_latency[fitted_rows].mean()) / scale])


def ranking_figures(predicted: np.ndarray, accuracy: np.ndarray, top_share: float = TOP_SHARE) -> dict[str, float]:
    """Kendall tau and the mean predicted percentile of the true top share (both in minimisation space: low is good)."""
    count = max(1, int(round(top_share * len(accuracy))))
    top = np.argsort(accuracy, kind="stable")[:count]
    percentile = np.argsort(np.argsort(predicted, kind="stable"), kind="stable") / len(predicted)
    return {"tau": kendall_tau(accuracy, predicted), "top_percentile": float(percentile[top].mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", required=True, help="comma-separated NAS-Bench-Graph datasets present in --runs")
    add_run_arguments(parser)
    parser.add_argument("--at", type=int, default=50, help="networks of each run to fit on")
    parser.add_argument("--max-runs", type=int, default=8, help="runs per dataset (the first ones in the file)")
    parser.add_argument("--weights", default="0,0.5,1,2", help="comma-separated weights of the latency column (0: without)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        weights = [float(w) for w in args.weights.split(",")]
    except ValueError:
        sys.exit(f"error: --weights {args.weights!r}: expected comma-separated numbers, e.g. 0,0.5,1")
    if args.at < 3 or args.max_runs < 1:
        sys.exit(f"error: --at {args.at} --max-runs {args.max_runs}: the predictor needs --at 3 or more "
                 "(cross-validated model selection), and --max-runs must be at least 1")
    datasets = args.datasets.split(",")
    try:
        runs = read_runs(args.runs, args.strategy, datasets)
    except ParetonasError as error:
        sys.exit(f"error: {error}")
    report = {"command": " ".join(["python"] + sys.argv), "at": args.at, "datasets": {}}
    for dataset in datasets:
        bench = NasBenchGraph(dataset)
        features = table_features(bench)
        objectives = bench.objective_matrix(bench.keys, DEFAULT_OBJECTIVES)
        accuracy, log_latency = objectives[:, 0], np.log(objectives[:, 1])
        row_of = {key: row for row, key in enumerate(bench.keys)}
        per_weight = {}
        for weight in weights:
            figures = []
            for keys in list(runs[dataset].values())[: args.max_runs]:
                if len(keys) < args.at:
                    sys.exit(f"error: a {dataset} run has {len(keys)} networks, fewer than --at {args.at}")
                rows = np.array([row_of[key] for key in keys[: args.at]])
                X = with_latency(features, log_latency, rows, weight)
                warp = OutputWarp(accuracy[rows])
                fitted = fit_predictor(X[rows], warp.forward(accuracy[rows]), seed=0)
                figures.append(ranking_figures(fitted.predict(X)[0], accuracy))
            per_weight[str(weight)] = {name: float(np.mean([f[name] for f in figures])) for name in figures[0]}
            print(f"{dataset:10s} weight {weight:<4g} tau {per_weight[str(weight)]['tau']:.3f}  "
                  f"top 1% at predicted percentile {per_weight[str(weight)]['top_percentile']:.3f}  "
                  f"({len(figures)} runs)", flush=True)
        report["datasets"][dataset] = per_weight
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
