"""Where a search's NAS-Bench-Graph front falls short of the exact one, and where its picks went.

A hypervolume ratio says how much is missing, not where. This script reads the
``evaluated`` lists a benchmark run wrote (``paretonas bench nasbench-graph --json`` or
``benchmarks/nbg_targets.py --out``) and, at ``--budget`` evaluations, reports per
dataset:

* the hypervolume deficit (exact front's HV minus the found front's, in the protocol's
  normalisation, reference point (1, 1)) split by normalised latency: the attainment
  curve "best accuracy at latency <= l" of the found front against the exact one,
  integrated over each latency bin. A deficit that grows with latency is a missing
  *top accuracy*; one confined to the first bin is a missing fast network;
* the most accurate network found: its normalised accuracy gap to the table's best
  and its rank in the table (random search's expected rank is about N / (budget + 1));
* the share of picks in the fast band (normalised latency below ``--band``), in the
  table's top 5% and top 1% by accuracy, and *near the exact front* (additive epsilon
  distance below ``NEAR_FRONT``: a pick that a shift of 0.02 in both normalised
  objectives would put on the front), counted from pick ``--picks-from`` on, so the
  initial design can be left out. Near-front picks complete the front's middle; top
  picks raise its accurate end: a strategy can be good at one and poor at the other;
* the *ceiling* its best network allows: the HV ratio of the whole table with every
  network more accurate than the best found taken out, i.e. what the run would score
  if the rest of its front were exact. Ceiling minus HV ratio is what the rest of the
  front costs; one minus the ceiling is what the top accuracy alone costs.

    python benchmarks/nbg_deficit.py --runs benchmarks/results/nbg_targets_30seeds_before_additive_cost.json --out benchmarks/results/nbg_deficit_30seeds.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.errors import ParetonasError
from paretonas.search.pareto import hypervolume, normalize
from paretonas.space import Space

LATENCY_BINS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0)
NEAR_FRONT = 0.02
GRID = np.linspace(0.0, 1.0, 2001)


def table_features(bench: NasBenchGraph, space: Space | None = None) -> np.ndarray:
    """Features of every network of ``bench``'s table, in ``bench.keys`` order (``space``: another feature space of it)."""
    space = space or bench.space
    return space.features(np.array([space.encode(bench.config_of_key(key)) for key in bench.keys]))


def evaluated_lists(runs: dict, strategy: str) -> dict[str, dict[str, list]]:
    """``{dataset: {seed: keys}}`` from either JSON layout the benchmarks write."""
    if "datasets" in runs:  # benchmarks/nbg_targets.py
        return {ds: {str(s): keys for s, keys in entry["per_seed_evaluated"].items()} for ds, entry in runs["datasets"].items()}
    if "results" in runs:  # paretonas bench nasbench-graph --json
        if strategy not in runs["results"]:
            raise ParetonasError(f"strategy {strategy!r} has no runs there; pass --strategy one of: {', '.join(runs['results'])}")
        return {runs["dataset"]: {str(r["seed"]): r["evaluated"] for r in runs["results"][strategy]["per_seed"]}}
    raise ParetonasError("it has neither 'datasets' (written by nbg_targets.py) nor 'results' (written by paretonas bench --json)")


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """``--runs`` and ``--strategy``: the evaluated lists a script reads (every script that reads runs takes both)."""
    parser.add_argument("--runs", required=True, nargs="+",
                        help="JSON written by paretonas bench nasbench-graph, nbg_targets.py or nbg_variants.py; "
                             "several files (seed blocks of one strategy) are pooled")
    parser.add_argument("--strategy", default="default", help="which strategy's runs, for a paretonas bench JSON")


def read_runs(paths: str | list[str], strategy: str, datasets: list[str] | None = None) -> dict[str, dict[str, list]]:
    """``{dataset: {seed: keys}}`` of ``datasets`` (all the first file has when None), pooled over ``paths``.

    Errors name the file and what it lacks; a seed held by two files is an error, not
    a silent overwrite, so pooled blocks never count a seed twice.
    """
    pooled: dict[str, dict[str, list]] = {}
    for path in [paths] if isinstance(paths, str) else paths:
        try:
            runs = evaluated_lists(json.loads(Path(path).read_text()), strategy)
        except ParetonasError as error:
            raise ParetonasError(f"{path}: {error}") from None
        except json.JSONDecodeError as error:
            raise ParetonasError(f"{path} is not valid JSON ({error}); pass a file written by paretonas bench, "
                                 "nbg_targets.py or nbg_variants.py") from None
        wanted = datasets or list(pooled or runs)
        missing = [d for d in wanted if d not in runs]
        if missing:
            raise ParetonasError(f"dataset(s) {', '.join(missing)} not in {path}; pass datasets from: {', '.join(runs)}")
        for dataset in wanted:
            seeds = pooled.setdefault(dataset, {})
            repeated = sorted(set(seeds) & set(runs[dataset]), key=int)
            if repeated:
                raise ParetonasError(f"{path}: {dataset} seed(s) {', '.join(repeated)} are also in an earlier --runs file")
            seeds.update(runs[dataset])
    return pooled


def attainment(points: np.ndarray) -> np.ndarray:
    """Best normalised (minimised) accuracy among points with latency <= each grid value, capped at 1."""
    best = np.ones(len(GRID))
    for accuracy, latency in points:
        reach = GRID >= latency
        best[reach] = np.minimum(best[reach], accuracy)
    return np.minimum(best, 1.0)


def distance_to_front(points: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Additive epsilon distance of each point to ``front`` (minimisation): how far it must move to be weakly dominated by none."""
    return np.min(np.max(points[:, None, :] - front[None, :, :], axis=2), axis=1)


def deficit_by_bin(found: np.ndarray, exact_curve: np.ndarray) -> list[float]:
    gap = attainment(found) - exact_curve
    step = GRID[1] - GRID[0]
    return [float(gap[(GRID >= lo) & (GRID < hi)].sum() * step) for lo, hi in zip(LATENCY_BINS, LATENCY_BINS[1:])]


def deficit_share(deficits: np.ndarray, low: float, high: float) -> float:
    """The fraction of the total deficit that lies in the bins between latencies ``low`` and ``high``."""
    edges = np.array(LATENCY_BINS)
    inside = (edges[:-1] >= low) & (edges[1:] <= high)
    return float(deficits[inside].sum() / deficits.sum())


def measure(dataset: str, runs: dict[str, list], budget: int, band: float, allow_fewer: bool = False,
            picks_from: int = 0) -> dict:
    bench = NasBenchGraph(dataset)
    reference = bench.reference(DEFAULT_OBJECTIVES)

    def normalised(keys) -> np.ndarray:
        return normalize(bench.objective_matrix(keys, DEFAULT_OBJECTIVES), reference.lower, reference.upper)

    table = normalised(bench.keys)
    accuracy_sorted = np.sort(table[:, 0])
    top5, top1 = np.quantile(table[:, 0], 0.05), np.quantile(table[:, 0], 0.01)
    exact_front = normalised(reference.front_keys)
    exact_curve = attainment(exact_front)
    exact_hypervolume = hypervolume(table, np.ones(2))  # pymoo's indicator keeps only the front itself
    per_seed = []
    for seed, keys in runs.items():
        if len(keys) < budget and not allow_fewer:
            raise ParetonasError(f"{dataset} seed {seed} has {len(keys)} evaluations, fewer than --budget {budget}; pass a smaller --budget, or --allow-fewer for a search that stops early")
        raw = bench.objective_matrix(keys[:budget], DEFAULT_OBJECTIVES)
        found = normalize(raw, reference.lower, reference.upper)
        best = float(found[:, 0].min())
        picks = found[picks_from:]
        per_seed.append(
            {
                "seed": int(seed),
                "evaluations": min(len(keys), budget),
                "hv_ratio": reference.hv_ratio(raw),
                "deficit_by_latency_bin": deficit_by_bin(found, exact_curve),
                "best_accuracy_gap": best - float(accuracy_sorted[0]),
                "best_accuracy_rank": int(np.searchsorted(accuracy_sorted, best)) + 1,
                "share_fast_band": float((picks[:, 1] < band).mean()),
                "share_top5_accuracy": float((picks[:, 0] <= top5).mean()),
                "share_top1_accuracy": float((picks[:, 0] <= top1).mean()),
                "share_near_front": float((distance_to_front(picks, exact_front) < NEAR_FRONT).mean()),
                "hv_ratio_ceiling": hypervolume(table[table[:, 0] >= best], np.ones(2)) / exact_hypervolume,
            }
        )
    deficits = np.array([s["deficit_by_latency_bin"] for s in per_seed]).mean(axis=0)
    return {
        "dataset": dataset,
        "networks": len(table),
        "random_expected_best_rank": len(table) / (budget + 1),
        "evaluations_mean": float(np.mean([s["evaluations"] for s in per_seed])),
        "hv_ratio": float(np.mean([s["hv_ratio"] for s in per_seed])),
        "hv_ratio_ceiling": float(np.mean([s["hv_ratio_ceiling"] for s in per_seed])),
        "deficit_total": float(deficits.sum()),
        "deficit_by_latency_bin": {f"{lo}-{hi}": float(v) for lo, hi, v in zip(LATENCY_BINS, LATENCY_BINS[1:], deficits)},
        "deficit_share_latency_below_0.1": deficit_share(deficits, 0.0, 0.1),
        "deficit_share_latency_from_0.4": deficit_share(deficits, 0.4, 1.0),
        "best_accuracy_gap": float(np.mean([s["best_accuracy_gap"] for s in per_seed])),
        "best_accuracy_rank_median": float(np.median([s["best_accuracy_rank"] for s in per_seed])),
        "share_fast_band": float(np.mean([s["share_fast_band"] for s in per_seed])),
        "share_top5_accuracy": float(np.mean([s["share_top5_accuracy"] for s in per_seed])),
        "share_top1_accuracy": float(np.mean([s["share_top1_accuracy"] for s in per_seed])),
        "share_near_front": float(np.mean([s["share_near_front"] for s in per_seed])),
        "per_seed": per_seed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_arguments(parser)
    parser.add_argument("--datasets", default=None, help="comma-separated subset of the file's datasets")
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument(
        "--allow-fewer",
        action="store_true",
        help="score a run with fewer evaluations than --budget on all it has (a peer that stops early, as LINAS "
        "does when its population repeats measured networks), instead of stopping with an error",
    )
    parser.add_argument("--band", type=float, default=0.03, help="normalised latency below which a network is 'fast'")
    parser.add_argument("--picks-from", type=int, default=0,
                        help="count the pick shares from this evaluation on (10: leave out the initial design)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    try:
        runs = read_runs(args.runs, args.strategy, args.datasets.split(",") if args.datasets else None)
        if not 0 <= args.picks_from < args.budget:
            raise ParetonasError(f"--picks-from {args.picks_from} must be between 0 and --budget {args.budget} - 1")
        results = [measure(d, runs[d], args.budget, args.band, args.allow_fewer, args.picks_from) for d in runs]
    except (ParetonasError, OSError, json.JSONDecodeError) as error:
        sys.exit(f"error: {error}")
    print(f"{'dataset':10} {'evals':>6} {'HV ratio':>8} {'deficit':>8} {'share in lat<0.1':>16} {'share in lat>=0.4':>17} {'best-acc rank':>13} "
          f"{'random rank':>11} {'picks fast':>10} {'picks top5%':>11} {'picks top1%':>11} {'near front':>10} {'ceiling':>8}")
    for r in results:
        early, late = r["deficit_share_latency_below_0.1"], r["deficit_share_latency_from_0.4"]
        print(f"{r['dataset']:10} {r['evaluations_mean']:6.1f} {r['hv_ratio']:8.4f} {r['deficit_total']:8.4f} {early:16.2f} {late:17.2f} "
              f"{r['best_accuracy_rank_median']:13.0f} {r['random_expected_best_rank']:11.0f} {r['share_fast_band']:10.2f} {r['share_top5_accuracy']:11.2f} {r['share_top1_accuracy']:11.3f} {r['share_near_front']:10.3f} {r['hv_ratio_ceiling']:8.4f}")
    if args.out:
        Path(args.out).write_text(json.dumps({"command": " ".join([Path(sys.executable).name, *sys.argv]), "budget": args.budget, "band": args.band,
                                              "picks_from": args.picks_from, "allow_fewer": args.allow_fewer, "runs": args.runs, "datasets": results}, indent=1))


if __name__ == "__main__":
    main()
