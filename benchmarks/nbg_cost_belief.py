"""Does the strategy's latency model know which networks are the fastest? Believed ranks of the exact front's fastest networks.

Before the additive cost model (``--without-additive``), no physics run of the
default strategy measured the table's fastest network (three skips and one fc
layer), and arxiv runs measured the fastest three in one or two of 30, although each
alone is worth +0.001 to +0.004 of HV ratio (``nbg_single_network.py``). This script
asks whether the latency model could have pointed at them: for each run it fits the
default strategy's latency predictor (model selection between a GP and Bayesian ridge
on the space's features, Yeo-Johnson-warped output, and the additive cost model where
it ranks better out of fold) on the run's first ``--fit-on`` networks and reports the
believed rank, among all 26,206 networks (1 = believed fastest), of the exact front's
``--fastest`` fastest networks, and the Kendall tau of belief against truth within
the fast band.
``--log`` fits log latency instead; ``--presence`` adds, per op, whether any node
takes it (a one-time cost per op type, as physics's +40 ms for any GAT, GCN or
Chebyshev layer, is a step in presence, not in counts).

    python benchmarks/nbg_cost_belief.py --runs benchmarks/results/nbg_targets_seeds30to59_before_additive_cost.json --dataset physics --out benchmarks/results/nbg_cost_belief_physics_additive.json

(add ``--without-additive`` for ``nbg_cost_belief_physics.json``, the model before it)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import add_run_arguments, read_runs, table_features  # noqa: E402
from nbg_variants import PresenceFeatureSpace  # noqa: E402

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph  # noqa: E402
from paretonas.errors import ParetonasError  # noqa: E402
from paretonas.predict import OutputWarp, fit_predictor, kendall_tau, prefer_additive_cost  # noqa: E402
from paretonas.search.pareto import normalize  # noqa: E402

LATENCY = 1  # column of DEFAULT_OBJECTIVES


def measure(bench: NasBenchGraph, runs: dict[str, list], fit_on: int, fastest: int, band: float, log: bool,
            presence: bool, additive_model: bool = True) -> dict:
    reference = bench.reference(DEFAULT_OBJECTIVES)
    keys = bench.keys
    latency = bench.objective_matrix(keys, DEFAULT_OBJECTIVES)[:, LATENCY]
    table_latency = normalize(bench.objective_matrix(keys, DEFAULT_OBJECTIVES), reference.lower, reference.upper)[:, LATENCY]
    space = PresenceFeatureSpace(bench.space.dimensions, bench.space._canonicalize) if presence else bench.space
    features = table_features(bench, space)
    row_of = {k: i for i, k in enumerate(keys)}
    front = sorted(reference.front_keys, key=lambda k: latency[row_of[k]])[:fastest]
    fast = table_latency < band
    target = np.log(latency) if log else latency
    per_run = []
    for seed, evaluated in runs.items():
        train = [row_of[k] for k in evaluated[:fit_on]]
        warp = OutputWarp(target[train])
        model = fit_predictor(features[train], warp.forward(target[train]), seed=0)
        if additive_model and not log:  # the strategy's selection (Surrogate)
            model = prefer_additive_cost(model, features[train], target[train], space.count_feature_columns(), seed=0)
        believed, _ = model.predict(features)  # the warp is monotone: ranks need no inverse
        order = np.argsort(np.argsort(believed, kind="stable"), kind="stable")
        per_run.append(
            {
                "seed": int(seed),
                "model": model.name,
                "believed_rank": {str(k): int(order[row_of[k]]) + 1 for k in front},
                "measured": {str(k): k in evaluated[:fit_on] for k in front},
                "fast_band_tau": kendall_tau(latency[fast], believed[fast]),
            }
        )
    return {
        "dataset": bench.dataset,
        "fit_on": fit_on,
        "log_latency": log,
        "presence_features": presence,
        "additive_cost_model": additive_model and not log,
        "fast_band": band,
        "fast_band_networks": int(fast.sum()),
        "fastest_front": [{"key": k, "config": bench.config_of_key(k), "latency_normalised": float(table_latency[row_of[k]]),
                           "believed_rank_median": float(np.median([r["believed_rank"][str(k)] for r in per_run]))}
                          for k in front],
        "fast_band_tau_mean": float(np.mean([r["fast_band_tau"] for r in per_run])),
        "per_run": per_run,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_arguments(parser)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--fit-on", type=int, default=40, help="fit on each run's first this many networks")
    parser.add_argument("--fastest", type=int, default=4, help="how many of the exact front's fastest networks to rank")
    parser.add_argument("--band", type=float, default=0.02, help="normalised latency below which a network is 'fast'")
    parser.add_argument("--log", action="store_true", help="fit log latency")
    parser.add_argument("--presence", action="store_true", help="add per-op presence features")
    parser.add_argument("--without-additive", action="store_true",
                        help="the latency model as it was before the additive cost model joined the selection")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    try:
        if args.fit_on < 5:
            raise ParetonasError(f"--fit-on {args.fit_on}: the latency model needs at least 5 networks to fit on")
        runs = read_runs(args.runs, args.strategy, [args.dataset])
        result = measure(NasBenchGraph(args.dataset), runs[args.dataset], args.fit_on, args.fastest, args.band, args.log,
                         args.presence, additive_model=not args.without_additive)
    except (ParetonasError, OSError, json.JSONDecodeError) as error:
        sys.exit(f"error: {error}")
    print(f"{result['dataset']}: latency model fitted on each run's first {args.fit_on} networks "
          f"({'log latency' if args.log else 'latency'}{', op presence features' if args.presence else ''}); "
          f"fast band (< {args.band}): {result['fast_band_networks']} networks, Kendall tau {result['fast_band_tau_mean']:.2f}")
    for f in result["fastest_front"]:
        c = f["config"]
        print(f"  {c['link']} {c['op1']} {c['op2']} {c['op3']} {c['op4']:6} latency {f['latency_normalised']:.4f}  "
              f"believed rank, median over {len(runs[args.dataset])} runs: {f['believed_rank_median']:.0f}")
    if args.out:
        Path(args.out).write_text(json.dumps({"command": " ".join([Path(sys.executable).name, *sys.argv]), "runs": args.runs,
                                              **result}, indent=1))


if __name__ == "__main__":
    main()
