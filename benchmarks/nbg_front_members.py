"""Which of the exact front's networks a strategy measures, and what each one it misses costs.

``nbg_deficit.py`` splits the missing hypervolume by latency. This script names the
networks: for every member of a dataset's exact front it reports its cell, latency and
validation accuracy, the share of runs that measured it within ``--budget``
evaluations, and the mean HV ratio a run would gain if that one network were added to
what it measured. A member that is measured in every run costs nothing. A member that
is never measured and would add a lot is where the next idea should look. Several
``--runs`` files (seed blocks of one strategy) are pooled.

    python benchmarks/nbg_front_members.py --dataset cora --runs benchmarks/results/nbg_targets_30seeds.json \\
        benchmarks/results/nbg_targets_seeds30to59.json benchmarks/results/nbg_targets_seeds60to89.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from nbg_deficit import read_runs
from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.errors import ParetonasError


def front_members(dataset: str, runs: list[list], budget: int) -> list[dict]:
    """One row per exact-front network, cheapest first."""
    bench = NasBenchGraph(dataset)
    reference = bench.reference(DEFAULT_OBJECTIVES)
    measured = [[int(k) for k in keys[:budget]] for keys in runs]
    matrices = [bench.objective_matrix(keys, DEFAULT_OBJECTIVES) for keys in measured]
    base = np.array([reference.hv_ratio(F) for F in matrices])
    rows = []
    for key in reference.front_keys:
        point = bench.objective_matrix([key], DEFAULT_OBJECTIVES)
        gain = np.array([reference.hv_ratio(np.vstack([F, point])) for F in matrices]) - base
        metrics = bench.metrics_of_key(key)
        rows.append({
            "key": int(key),
            "cell": bench.config_of_key(key),
            "latency_ms": metrics["latency_ms"],
            "val_accuracy": metrics["val_accuracy"],
            "share_of_runs_measured": float(np.mean([key in keys for keys in measured])),
            "mean_hv_ratio_gain_if_added": float(gain.mean()),
        })
    return sorted(rows, key=lambda row: row["latency_ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--runs", nargs="+", required=True, help="JSON files written by nbg_targets.py, nbg_variants.py or paretonas bench")
    parser.add_argument("--strategy", default="default", help="which strategy's runs, for a paretonas bench JSON")
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    try:
        runs = [keys for path in args.runs for keys in read_runs(path, args.strategy, [args.dataset])[args.dataset].values()]
        rows = front_members(args.dataset, runs, args.budget)
    except (ParetonasError, OSError, json.JSONDecodeError) as error:
        sys.exit(f"error: {error}")
    print(f"{args.dataset}: {len(runs)} runs at {args.budget} evaluations")
    print(f"{'key':>6} {'cell':<28} {'latency ms':>10} {'val acc':>8} {'measured':>8} {'gain if added':>13}")
    for row in rows:
        cell = row["cell"]
        text = f"{cell['link']} " + " ".join(cell[f"op{i}"] for i in range(1, 5))
        print(f"{row['key']:>6} {text:<28} {row['latency_ms']:10.2f} {row['val_accuracy']:8.4f} "
              f"{row['share_of_runs_measured']:8.0%} {row['mean_hv_ratio_gain_if_added']:13.4f}")
    if args.out:
        Path(args.out).write_text(json.dumps({"command": " ".join([Path(sys.executable).name, *sys.argv]),
                                              "dataset": args.dataset, "budget": args.budget, "runs": args.runs,
                                              "members": rows}, indent=1))


if __name__ == "__main__":
    main()
