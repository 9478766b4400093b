"""Which single networks decide a NAS-Bench-Graph target: the HV ratio one more network would add.

A mean HV ratio short of its target could be a front short everywhere, or a few
networks that the runs miss. This script reads the ``evaluated`` lists of a run set
and, per dataset, adds each candidate network in turn to every run's first
``--budget`` evaluations: the mean HV ratio gain is what measuring that one network
(besides everything else) is worth. Candidates are the exact front plus the
``--candidates`` most accurate and fastest networks of the table. For the networks of
largest gain it prints their place in the table, in how many runs they were found,
and in how many runs of the ``--compare`` run sets (a peer at its own budget).

A target that one network closes, found by neither search in most runs, is decided
by a lottery over a flat region of the table, not by a front short everywhere.

    python benchmarks/nbg_single_network.py --runs benchmarks/results/nbg_targets_seeds30to59_before_additive_cost.json --datasets cora,physics \\
        --compare cora=benchmarks/results/nbg_linas_cora_30seeds.json:linas_dynast:200 \\
        --compare physics=benchmarks/results/nbg_linas_physics_30seeds.json:linas_dynast:200 \\
        --out benchmarks/results/nbg_single_network.json
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
from paretonas.search.pareto import normalize  # noqa: E402


def parse_compare(text: str) -> tuple[str, str, str, int]:
    """``DATASET=FILE[:STRATEGY[:BUDGET]]`` -> (dataset, file, strategy, budget)."""
    dataset, sep, rest = text.partition("=")
    if not sep or not dataset or not rest:
        raise ParetonasError(f"--compare {text!r}: expected DATASET=FILE[:STRATEGY[:BUDGET]]")
    parts = rest.split(":")
    if len(parts) > 3:
        raise ParetonasError(f"--compare {text!r}: expected DATASET=FILE[:STRATEGY[:BUDGET]]")
    strategy = parts[1] if len(parts) > 1 and parts[1] else "default"
    try:
        budget = int(parts[2]) if len(parts) > 2 else 200
    except ValueError:
        raise ParetonasError(f"--compare {text!r}: budget {parts[2]!r} is not a whole number") from None
    return dataset, parts[0], strategy, budget


def found_in(runs: dict[str, list], key: int, budget: int) -> int:
    """In how many runs ``key`` is among the first ``budget`` evaluations."""
    return sum(key in keys[:budget] for keys in runs.values())


def measure(dataset: str, runs: dict[str, list], budget: int, candidates: int, target: float | None,
            compare: list[tuple[str, dict, int]]) -> dict:
    bench = NasBenchGraph(dataset)
    reference = bench.reference(DEFAULT_OBJECTIVES)
    table = normalize(bench.objective_matrix(bench.keys, DEFAULT_OBJECTIVES), reference.lower, reference.upper)
    accuracy_rank = np.argsort(np.argsort(table[:, 0], kind="stable"), kind="stable")
    row_of = {key: i for i, key in enumerate(bench.keys)}
    pool = set(reference.front_keys)
    pool |= {bench.keys[i] for i in np.argsort(table[:, 0], kind="stable")[:candidates]}
    pool |= {bench.keys[i] for i in np.argsort(table[:, 1], kind="stable")[:candidates]}

    found = [bench.objective_matrix(keys[:budget], DEFAULT_OBJECTIVES) for keys in runs.values()]
    base = np.array([reference.hv_ratio(rows) for rows in found])
    gains = []
    for key in sorted(pool):
        extra = bench.objective_matrix([key], DEFAULT_OBJECTIVES)
        with_it = np.array([reference.hv_ratio(np.vstack([rows, extra])) for rows in found])
        gains.append((float((with_it - base).mean()), key, with_it))
    gains.sort(key=lambda item: -item[0])

    networks = []
    for gain, key, with_it in gains:
        i = row_of[key]
        networks.append(
            {
                "key": key,
                "config": bench.config_of_key(key),
                "accuracy_normalised": float(table[i, 0]),
                "latency_normalised": float(table[i, 1]),
                "accuracy_rank": int(accuracy_rank[i]) + 1,
                "on_exact_front": key in reference.front_keys,
                "mean_gain": gain,
                "hv_ratio_with_it": float(with_it.mean()),
                "found_in": found_in(runs, key, budget),
                "found_in_compare": {label: found_in(other, key, other_budget) for label, other, other_budget in compare},
            }
        )
    return {
        "dataset": dataset,
        "runs": len(runs),
        "hv_ratio": float(base.mean()),
        "target": target,
        "gain_needed": None if target is None else max(0.0, target - float(base.mean())),
        "candidates_scored": len(pool),
        "networks": networks,  # every candidate scored, largest gain first; the printout shows --top
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_arguments(parser)
    parser.add_argument("--datasets", default=None, help="comma-separated subset of the file's datasets")
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=30,
                        help="besides the exact front, score this many of the most accurate and of the fastest networks")
    parser.add_argument("--top", type=int, default=8, help="print this many networks of largest gain (the JSON has all)")
    parser.add_argument("--compare", action="append", default=[], metavar="DATASET=FILE[:STRATEGY[:BUDGET]]",
                        help="another run set (a peer) whose hit counts are reported beside ours; repeatable")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    try:
        runs = read_runs(args.runs, args.strategy, args.datasets.split(",") if args.datasets else None)
        compares: dict[str, list[tuple[str, dict, int]]] = {d: [] for d in runs}
        for text in args.compare:
            dataset, path, strategy, budget = parse_compare(text)
            if dataset in compares:
                compares[dataset].append((f"{strategy}@{budget}", read_runs(path, strategy, [dataset])[dataset], budget))
        document = json.loads(Path(args.runs[0]).read_text())  # the target: the first file's
        targets = {d: e.get("best_peer_at_200") for d, e in document.get("datasets", {}).items()}
        results = [measure(d, runs[d], args.budget, args.candidates, targets.get(d), compares[d]) for d in runs]
    except (ParetonasError, OSError, json.JSONDecodeError) as error:
        sys.exit(f"error: {error}")
    for r in results:
        needed = "" if r["gain_needed"] is None else f", target {r['target']:.4f} needs +{r['gain_needed']:.4f}"
        print(f"\n{r['dataset']}: mean HV ratio {r['hv_ratio']:.4f} over {r['runs']} runs{needed}")
        labels = [(label, len(other)) for label, other, _ in compares[r["dataset"]]]
        print(f"  {'network':38} {'acc rank':>8} {'latency':>7} {'gain':>7} {'found':>6} " + " ".join(f"{label:>16}" for label, _ in labels))
        for n in r["networks"][: args.top]:
            c = n["config"]
            name = f"{c['link']} {c['op1']} {c['op2']} {c['op3']} {c['op4']}" + (" (front)" if n["on_exact_front"] else "")
            print(f"  {name:38} {n['accuracy_rank']:8d} {n['latency_normalised']:7.4f} {n['mean_gain']:+7.4f} "
                  f"{n['found_in']:3d}/{r['runs']:<2d} " + " ".join(f"{n['found_in_compare'][label]:13d}/{count:<2d}" for label, count in labels))
    if args.out:
        Path(args.out).write_text(json.dumps({"command": " ".join([Path(sys.executable).name, *sys.argv]), "budget": args.budget,
                                              "runs": args.runs, "datasets": results}, indent=1))


if __name__ == "__main__":
    main()
