"""What drives the default strategy's picks: optimism about accuracy, or about latency.

Most model-driven picks are the candidate whose optimistic prediction (accuracy and
latency both at their optimistic bounds) adds the most hypervolume to the measured
front (the rest, local picks, exploit believed accuracy and are left out here). This
script replays the default strategy on a NAS-Bench-Graph dataset with pick recording
on and splits every pick's gain in two: the hypervolume it would add with only its
accuracy optimistic (latency at the believed mean), and with only its latency
optimistic. It also reports the optimistic, believed and true latency of the
picks, in the units the strategy scores in (0 = the fastest network measured so far,
1 = the slowest), separately for the fast band (true table-normalised latency below
``--band``) and the rest.

On physics this showed why three picks in four went to mediocre fast networks: the
optimistic latency of a fast network lay a tenth of the measured span below the
fastest network measured, and that alone outbid every accuracy gain. Compare
``--cost-optimism-floor none`` (no limit) with the default.

    python benchmarks/nbg_pick_drivers.py --dataset physics --seeds 5 --out benchmarks/results/nbg_pick_drivers_physics.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import optuna

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.errors import ParetonasError
from paretonas.search import PredictorGuidedSampler, run_search
from paretonas.search.pareto import hypervolume_improvement_2d, normalize

REFERENCE = np.full(2, PredictorGuidedSampler.REFERENCE_POINT)  # the strategy's own, in its normalisation


def replay(bench: NasBenchGraph, reference, seed: int, budget: int, cost_optimism_floor: float | None) -> list[dict]:
    """Run the default strategy once; one row per model-driven pick with its gain split.

    ``reference`` is the table's exact reference (``bench.reference``), for the
    table-normalised latency that decides whether a pick is in the fast band.
    """
    sampler = PredictorGuidedSampler(
        bench.space, DEFAULT_OBJECTIVES, seed=seed, cost_optimism_floor=cost_optimism_floor, record_picks=True
    )
    run_search(space=bench.space, evaluate=bench.evaluate, objectives=DEFAULT_OBJECTIVES, sampler=sampler,
               storage=optuna.storages.InMemoryStorage(), study_name="drivers", budget=budget)
    rows = []
    for pick in sampler.pick_log:
        if pick["kind"] != "hypervolume":
            continue  # local picks exploit believed accuracy: no optimistic gain to split
        key = bench.table_key(bench.space.decode(np.array(pick["identity"])))
        true = bench.objective_matrix([key], DEFAULT_OBJECTIVES)[0]
        optimistic, believed, front = pick["optimistic"], pick["believed"], pick["front"]
        accuracy_only = np.array([[optimistic[0], believed[1]]])
        latency_only = np.array([[believed[0], optimistic[1]]])
        rows.append(
            {
                "seed": seed,
                "gain": float(pick["gain"]),
                "gain_accuracy_optimism_only": float(hypervolume_improvement_2d(accuracy_only, front, REFERENCE)[0]),
                "gain_latency_optimism_only": float(hypervolume_improvement_2d(latency_only, front, REFERENCE)[0]),
                "latency_optimistic": float(optimistic[1]),
                "latency_believed": float(believed[1]),
                "latency_true": float((true[1] - pick["lower"][1]) / pick["span"][1]),
                "table_latency": float(normalize(true[None, :], reference.lower, reference.upper)[0, 1]),
            }
        )
    return rows


def summarise(rows: list[dict], band: float) -> dict:
    fields = ["gain", "gain_accuracy_optimism_only", "gain_latency_optimism_only",
              "latency_optimistic", "latency_believed", "latency_true"]
    out = {}
    for name, selected in (("fast_band", [r for r in rows if r["table_latency"] < band]),
                           ("rest", [r for r in rows if r["table_latency"] >= band])):
        out[name] = {"picks": len(selected)}
        if selected:
            out[name].update({f"median_{f}": float(np.median([r[f] for r in selected])) for f in fields})
            out[name]["share_driven_by_latency"] = float(
                np.mean([r["gain_latency_optimism_only"] > r["gain_accuracy_optimism_only"] for r in selected]))
    out["share_of_picks_in_fast_band"] = out["fast_band"]["picks"] / max(1, len(rows))
    return out


def parse_floor(text: str) -> float | None:
    if text.lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"takes a number >= 0 or 'none', got {text!r}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="physics")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--band", type=float, default=0.03, help="table-normalised latency below which a pick is 'fast'")
    parser.add_argument("--cost-optimism-floor", type=parse_floor, default=0.05,
                        help="the strategy's setting (default: its default, 0.05); 'none' for no limit")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    try:
        bench = NasBenchGraph(args.dataset)
        reference = bench.reference(DEFAULT_OBJECTIVES)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        rows = [row for seed in range(args.seeds)
                for row in replay(bench, reference, seed, args.budget, args.cost_optimism_floor)]
    except ParetonasError as error:
        sys.exit(f"error: {error}")
    report = {
        "dataset": args.dataset,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "seeds": list(range(args.seeds)),
        "budget": args.budget,
        "band": args.band,
        "cost_optimism_floor": args.cost_optimism_floor,
        "summary": summarise(rows, args.band),
        "picks": rows,
    }
    summary = report["summary"]
    print(f"{args.dataset}, cost_optimism_floor={args.cost_optimism_floor}: "
          f"{summary['share_of_picks_in_fast_band']:.0%} of {len(rows)} model-driven picks in the fast band")
    for name in ("fast_band", "rest"):
        s = summary[name]
        if s["picks"]:
            print(f"  {name:<9} {s['picks']:>4} picks | median gain {s['median_gain']:.4f}: accuracy optimism alone "
                  f"{s['median_gain_accuracy_optimism_only']:.4f}, latency optimism alone "
                  f"{s['median_gain_latency_optimism_only']:.4f} ({s['share_driven_by_latency']:.0%} latency-driven) | "
                  f"latency optimistic {s['median_latency_optimistic']:+.3f}, believed {s['median_latency_believed']:+.3f}, "
                  f"true {s['median_latency_true']:+.3f}")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
