"""How much must a model know for a NAS-Bench-Graph target? A greedy search whose beliefs cost nothing.

A search that picks networks from a model's beliefs is limited by how much those
beliefs know. This script gives every network of the table a believed accuracy and
latency from a random forest on the space's features, fitted either on
``--train-size`` random networks or, by default, out of fold on the rest of the table
(``--folds`` folds: about 21,000 training networks of 26,206, where a search has at
most a hundred). A greedy search then knows those beliefs from its first pick, never
pays to learn them, and measures, one network at a time, the one whose believed
point adds the most hypervolume to the front measured so far (true values once
measured). When no believed point adds any, it takes the network closest to adding
some (smallest additive epsilon).

``--latency exact`` gives the oracle the table's latency itself (a cost that could be
measured without training). ``--optimism K`` scores believed accuracy plus K
out-of-fold residual standard deviations, for a search that hunts the noise at the top
instead of the expectation.

The greedy search neither learns nor explores, so it is a yardstick, not a proof:
comparing the training sizes at which it reaches a target with what a search learns
from its own measurements tells whether a target needs a better way of choosing or
knowledge of the table that the budget cannot buy.

    python benchmarks/nbg_oracle_bound.py --datasets cora,citeseer,pubmed,physics --fold-seeds 3 \\
        --out benchmarks/results/nbg_oracle_bound.json
    python benchmarks/nbg_oracle_bound.py --datasets cora,citeseer,pubmed,physics --fold-seeds 3 --train-size 3000 \\
        --out benchmarks/results/nbg_oracle_bound_train3000.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import KFold

from paretonas.bench.nasbench_graph import DATASETS, DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.errors import ParetonasError
from paretonas.predict import kendall_tau
from paretonas.search.pareto import hypervolume_improvement_2d, normalize, pareto_mask

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import table_features  # noqa: E402


def forest(trees: int, seed: int) -> RandomForestRegressor:
    """The belief model: cora's best top-ranker at 100 samples among the model families the README compares."""
    return RandomForestRegressor(n_estimators=trees, min_samples_leaf=2, n_jobs=2, random_state=seed)


def out_of_fold(features: np.ndarray, target: np.ndarray, folds: int, seed: int, trees: int) -> np.ndarray:
    """Each network's prediction from a random forest fitted on the folds that do not hold it."""
    predicted = np.empty(len(target))
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(features):
        predicted[test] = forest(trees, seed).fit(features[train], target[train]).predict(features[test])
    return predicted


def dominated_by(points: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Additive epsilon by which each point is dominated by ``front`` (how far it is from adding anything)."""
    return np.max(np.min(points[:, None, :] - front[None, :, :], axis=2), axis=1)


def greedy(believed: np.ndarray, truth: np.ndarray, budget: int) -> list[int]:
    """Rows measured, in order: each time the one whose believed point adds the most to the measured front."""
    reference = np.ones(2)
    measured: list[int] = []
    free = np.ones(len(truth), dtype=bool)
    front = np.empty((0, 2))
    for _ in range(budget):
        if len(front):
            gain = hypervolume_improvement_2d(believed, front, reference)
            score = np.where(gain > 0, gain, -dominated_by(believed, front))
        else:
            score = -(believed[:, 0] + believed[:, 1])  # nothing measured: the believed ideal-most point
        score = np.where(free, score, -np.inf)
        pick = int(np.argmax(score))
        measured.append(pick)
        free[pick] = False
        front = np.vstack([front, truth[pick]])
        front = front[pareto_mask(front)]
    return measured


def measure(dataset: str, budget: int, folds: int, fold_seeds: int, trees: int, latency: str, optimism: float,
            train_size: int = 0) -> dict:
    bench = NasBenchGraph(dataset)
    reference = bench.reference(DEFAULT_OBJECTIVES)
    keys = list(bench.keys)
    if not 0 <= train_size < len(keys):
        raise ParetonasError(f"--train-size {train_size} must be between 0 (out of fold) and {len(keys) - 1} on {dataset}")
    features = table_features(bench)
    truth = normalize(bench.objective_matrix(keys, DEFAULT_OBJECTIVES), reference.lower, reference.upper)
    top5 = np.argsort(truth[:, 0])[: len(keys) // 20]
    per_seed = []
    for seed in range(fold_seeds):
        started = time.perf_counter()
        unseen = np.ones(len(keys), dtype=bool)  # where the beliefs' Kendall tau is scored
        if train_size:
            train = np.random.default_rng(seed).choice(len(keys), train_size, replace=False)
            unseen[train] = False
            believed = np.column_stack([forest(trees, seed).fit(features[train], truth[train, j]).predict(features)
                                        for j in range(2)])
        else:
            believed = np.column_stack([out_of_fold(features, truth[:, j], folds, seed, trees) for j in range(2)])
        residual_std = float(np.std(truth[:, 0] - believed[:, 0]))
        scored = believed.copy()
        scored[:, 0] -= optimism * residual_std  # minimisation space: optimism lowers the believed value
        if latency == "exact":
            scored[:, 1] = truth[:, 1]
        order = greedy(scored, truth, budget)
        ratios = {str(n): reference.hv_ratio(bench.objective_matrix([keys[i] for i in order[:n]], DEFAULT_OBJECTIVES))
                  for n in (25, 50, budget) if n <= budget}
        per_seed.append(
            {
                "fold_seed": seed,
                "hv_ratio_at": ratios,
                "accuracy_tau_unseen": kendall_tau(truth[unseen, 0], believed[unseen, 0]),
                "latency_tau_unseen": kendall_tau(truth[unseen, 1], believed[unseen, 1]),
                "accuracy_residual_std": residual_std,
                "top5pct_in_measured": int(np.isin(order, top5).sum()),
                "evaluated": [keys[i] for i in order],
                "seconds": time.perf_counter() - started,
            }
        )
        print(f"{dataset} {'draw' if train_size else 'fold seed'} {seed}: HV ratio at {budget} {ratios[str(budget)]:.4f}, "
              f"accuracy tau {per_seed[-1]['accuracy_tau_unseen']:.3f}, "
              f"top 5% measured {per_seed[-1]['top5pct_in_measured']}", file=sys.stderr, flush=True)
    return {
        "dataset": dataset,
        "networks": len(keys),
        "hv_ratio_mean_at": {n: float(np.mean([s["hv_ratio_at"][n] for s in per_seed])) for n in per_seed[0]["hv_ratio_at"]},
        "top5pct_in_measured_mean": float(np.mean([s["top5pct_in_measured"] for s in per_seed])),
        "per_seed": per_seed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="cora,citeseer,pubmed")
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--fold-seeds", type=int, default=3, help="how many fold splits or training draws (the search is otherwise deterministic)")
    parser.add_argument("--train-size", type=int, default=0,
                        help="fit the beliefs on this many random networks instead of out-of-fold on the whole table")
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--latency", choices=("believed", "exact"), default="believed")
    parser.add_argument("--optimism", type=float, default=0.0, help="residual standard deviations added to believed accuracy")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    datasets = [d for d in args.datasets.split(",") if d]
    try:
        unknown = [d for d in datasets if d not in DATASETS]
        if unknown:
            raise ParetonasError(f"unknown dataset(s) {', '.join(unknown)} in --datasets; choose from: {', '.join(DATASETS)}")
        for name, value, least in (("--folds", args.folds, 2), ("--fold-seeds", args.fold_seeds, 1), ("--budget", args.budget, 1),
                                   ("--trees", args.trees, 1)):
            if value < least:
                raise ParetonasError(f"{name} must be at least {least}, got {value}")
        results = {d: measure(d, args.budget, args.folds, args.fold_seeds, args.trees, args.latency, args.optimism,
                                  args.train_size) for d in datasets}
    except ParetonasError as error:
        sys.exit(f"error: {error}")
    print(f"{'dataset':10s} " + " ".join(f"@{n:>6s}" for n in results[datasets[0]]["hv_ratio_mean_at"]) + "  top5%")
    for d, r in results.items():
        print(f"{d:10s} " + " ".join(f"{v:7.4f}" for v in r["hv_ratio_mean_at"].values()) + f"  {r['top5pct_in_measured_mean']:.1f}")
    if args.out:
        record = {"command": " ".join(sys.argv), "budget": args.budget, "folds": args.folds, "fold_seeds": args.fold_seeds,
                  "trees": args.trees, "train_size": args.train_size, "latency": args.latency, "optimism": args.optimism, "datasets": results}
        with open(args.out, "w") as handle:
            json.dump(record, handle, indent=1)


if __name__ == "__main__":
    main()
