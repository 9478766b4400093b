"""How many evaluations a strategy needs to reach a peer's figure: sample efficiency as a ratio.

The issue's target is a point test (our mean at 100 against the best peer's at 200):
it says met or missed, not by how much. This script reads saved runs of ours and of a
peer (any JSON ``nbg_deficit.read_runs`` reads: ``nbg_targets.py``,
``nbg_variants.py``, ``nbg_peer_seeds.py``, ``paretonas bench --json``), computes
each one's mean HV ratio after every number of evaluations, and reports

* the first budget at which our mean curve reaches the peer's mean at
  ``--peer-budget`` (and at 100);
* the efficiency ratio: ``--peer-budget`` divided by that budget. The target asks for
  a ratio of 2; 1 means no better than the peer;
* the budget at which our curve reaches each of ``--levels`` (the issue's 5-seed
  targets, say: cora 0.9869).

A run shorter than a budget (a peer that stopped early, having proposed only repeats)
keeps its last HV ratio there, as the peers' own figures do.

    python benchmarks/nbg_budget_to_target.py --dataset cora --runs benchmarks/results/nbg_targets_budget200_30seeds.json \\
        --peer benchmarks/results/nbg_linas_cora_30seeds.json:linas_dynast --out benchmarks/results/nbg_budget_to_target_cora.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import add_run_arguments, read_runs  # noqa: E402

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph  # noqa: E402
from paretonas.errors import ParetonasError  # noqa: E402


def mean_curve(bench: NasBenchGraph, runs: dict[str, list], budget: int) -> np.ndarray:
    """Mean HV ratio over runs after 1..budget evaluations (index n-1 holds n)."""
    exact = bench.reference(DEFAULT_OBJECTIVES)
    curves = []
    for keys in runs.values():
        points = bench.objective_matrix(keys[:budget], DEFAULT_OBJECTIVES)
        curve = [exact.hv_ratio(points[:n]) for n in range(1, len(points) + 1)]
        curves.append(curve + [curve[-1]] * (budget - len(curve)))
    return np.mean(curves, axis=0)


def first_reaching(curve: np.ndarray, level: float) -> int | None:
    """The smallest budget whose mean HV ratio is at least ``level``; None if the curve never gets there."""
    reached = np.flatnonzero(curve >= level)
    return int(reached[0]) + 1 if len(reached) else None


def measure(dataset: str, ours: dict[str, list], peer: dict[str, list], budget: int, peer_budget: int,
            levels_asked: list[float]) -> dict:
    bench = NasBenchGraph(dataset)
    our_curve, peer_curve = mean_curve(bench, ours, budget), mean_curve(bench, peer, peer_budget)
    levels = {}
    for at in sorted({100, peer_budget}):
        if at > peer_budget:
            continue
        level = float(peer_curve[at - 1])
        needed = first_reaching(our_curve, level)
        levels[str(at)] = {"peer_hv_ratio": level, "our_budget_to_reach": needed,
                           "efficiency_ratio": None if needed is None else at / needed}
    return {"dataset": dataset, "our_runs": len(ours), "peer_runs": len(peer),
            "our_hv_ratio_at": {str(n): float(our_curve[n - 1]) for n in (25, 50, 100, 150, 200) if n <= budget},
            "peer_hv_ratio_at": {str(n): float(peer_curve[n - 1]) for n in (25, 50, 100, 150, 200) if n <= peer_budget},
            "peer_levels": levels,
            "levels": {f"{level:g}": first_reaching(our_curve, level) for level in levels_asked}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    add_run_arguments(parser)
    parser.add_argument("--peer", required=True, metavar="FILE[:STRATEGY]", help="the peer's runs (strategy default: default)")
    parser.add_argument("--budget", type=int, default=200, help="our curve's length")
    parser.add_argument("--peer-budget", type=int, default=200, help="the peer's budget whose figure we must reach")
    parser.add_argument("--levels", type=float, nargs="*", default=[], help="HV ratios whose budget to report (a target)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    path, _, strategy = args.peer.partition(":")
    try:
        if args.budget < 1 or args.peer_budget < 1:
            raise ParetonasError(f"--budget and --peer-budget must be at least 1, got {args.budget} and {args.peer_budget}")
        ours = read_runs(args.runs, args.strategy, [args.dataset])[args.dataset]
        peer = read_runs(path, strategy or "default", [args.dataset])[args.dataset]
        result = measure(args.dataset, ours, peer, args.budget, args.peer_budget, args.levels)
    except (ParetonasError, OSError, json.JSONDecodeError) as error:
        sys.exit(f"error: {error}")
    print(f"{args.dataset}: ours {result['our_runs']} runs, peer {result['peer_runs']} runs")
    print("  ours @" + " @".join(f"{n} {v:.4f}" for n, v in result["our_hv_ratio_at"].items()))
    print("  peer @" + " @".join(f"{n} {v:.4f}" for n, v in result["peer_hv_ratio_at"].items()))
    for at, level in result["peer_levels"].items():
        needed = level["our_budget_to_reach"]
        reach = f"ours reaches it at {needed} (efficiency {level['efficiency_ratio']:.2f}x)" if needed else \
            f"ours does not reach it within {args.budget}"
        print(f"  peer @{at} = {level['peer_hv_ratio']:.4f}: {reach}")
    for level, needed in result["levels"].items():
        print(f"  level {level}: " + (f"ours reaches it at {needed}" if needed else f"ours does not reach it within {args.budget}"))
    if args.out:
        Path(args.out).write_text(json.dumps({"command": " ".join([Path(sys.executable).name, *sys.argv]),
                                              "runs": args.runs, "peer": args.peer, **result}, indent=1))


if __name__ == "__main__":
    main()
