"""How an accuracy model fitted on a real run's first networks ranks the table's most accurate ones.

Cross-validated Kendall tau over measured networks says how well a model ranks what
the search has already seen. What the search needs is the rank it gives to the
networks it has not seen, the most accurate ones above all. This script takes the
first ``--measured`` networks of each saved run (the biased sample a search really
holds: the space-filling start, then its picks), fits each model on their accuracy,
predicts the whole table and reports, averaged over runs:

* tau between predicted and true accuracy over the unmeasured networks (every 10th);
* the median predicted rank of the table's 50 most accurate networks (of about
  26,000; a model that knows nothing puts them near 13,000);
* the mean table-normalised accuracy of the 50 unmeasured networks it believes best.

Models: ``default`` is the default strategy's accuracy model on warped outputs (GP or
Bayesian ridge, chosen by cross-validated tau); ``extra_trees`` is scikit-learn's
extremely randomised trees. ``--message-passing-count`` adds, for both, three features
that NAS-Bench-Graph's collapse suggests (no message-passing layer, one, and their
number: every op but fc and skip passes messages).

    python benchmarks/nbg_top_belief.py --dataset cora --runs benchmarks/results/nbg_targets_30seeds.json --measured 60 --limit 10
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau, rankdata
from sklearn.ensemble import ExtraTreesRegressor

from nbg_deficit import add_run_arguments, read_runs, table_features
from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.errors import ParetonasError
from paretonas.predict import OutputWarp, fit_predictor

TOP = 50
NOT_MESSAGE_PASSING = ("fc", "skip")


def default_model(X: np.ndarray, y: np.ndarray, query: np.ndarray) -> np.ndarray:
    warp = OutputWarp(y, True)
    return fit_predictor(X, warp.forward(y)).predict(query)[0]


def extra_trees(X: np.ndarray, y: np.ndarray, query: np.ndarray) -> np.ndarray:
    return ExtraTreesRegressor(300, min_samples_leaf=2, random_state=0).fit(X, y).predict(query)


MODELS = {"default": default_model, "extra_trees": extra_trees}


def message_passing_features(bench: NasBenchGraph) -> np.ndarray:
    cells = [bench.config_of_key(key) for key in bench.keys]
    count = np.array([sum(cell[f"op{i}"] not in NOT_MESSAGE_PASSING for i in range(1, 5)) for cell in cells])
    return np.column_stack([count == 0, count == 1, count / 4]).astype(float)


def measure(dataset: str, runs: list[list], measured: int, message_passing_count: bool) -> dict:
    bench = NasBenchGraph(dataset)
    features = table_features(bench)
    if message_passing_count:
        features = np.hstack([features, message_passing_features(bench)])
    accuracy = -bench.objective_matrix(bench.keys, DEFAULT_OBJECTIVES)[:, 0]
    normalised = (accuracy - accuracy.min()) / np.ptp(accuracy)
    row_of = {int(key): i for i, key in enumerate(bench.keys)}
    top = np.argsort(-accuracy)[:TOP]
    out = {}
    for name, model in MODELS.items():
        taus, top_ranks, believed_best = [], [], []
        for keys in runs:
            rows = [row_of[int(k)] for k in keys[:measured]]
            predicted = model(features[rows], -accuracy[rows], features)  # minimisation: lower is better
            unmeasured = np.ones(len(accuracy), dtype=bool)
            unmeasured[rows] = False
            taus.append(kendalltau(predicted[unmeasured][::10], -accuracy[unmeasured][::10]).statistic)
            top_ranks.append(float(np.median(rankdata(predicted)[top])))
            best = np.flatnonzero(unmeasured)[np.argsort(predicted[unmeasured])[:TOP]]
            believed_best.append(float(normalised[best].mean()))
        out[name] = {"tau_unmeasured": float(np.mean(taus)), "median_rank_of_top50": float(np.mean(top_ranks)),
                     "accuracy_of_believed_best50": float(np.mean(believed_best))}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    add_run_arguments(parser)
    parser.add_argument("--measured", type=int, default=60, help="fit on each run's first this many networks")
    parser.add_argument("--limit", type=int, default=10, help="use at most this many runs (each fit predicts the whole table)")
    parser.add_argument("--message-passing-count", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    try:
        runs = list(read_runs(args.runs, args.strategy, [args.dataset])[args.dataset].values())
        runs = runs[: args.limit]
        result = measure(args.dataset, runs, args.measured, args.message_passing_count)
    except (ParetonasError, OSError, json.JSONDecodeError) as error:
        sys.exit(f"error: {error}")
    print(f"{args.dataset}: {len(runs)} runs, fitted on the first {args.measured} networks of each"
          f"{' (plus message-passing count features)' if args.message_passing_count else ''}")
    for name, r in result.items():
        print(f"  {name:<12} tau {r['tau_unmeasured']:.3f} | median predicted rank of the top {TOP}: "
              f"{r['median_rank_of_top50']:.0f} | accuracy of the believed best {TOP}: {r['accuracy_of_believed_best50']:.4f}")
    if args.out:
        Path(args.out).write_text(json.dumps({"command": " ".join([Path(sys.executable).name, *sys.argv]),
                                              "dataset": args.dataset, "measured": args.measured, "runs": args.runs,
                                              "limit": args.limit, "models": result}, indent=1))


if __name__ == "__main__":
    main()
