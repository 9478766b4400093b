"""Whether the default's accuracy GP is calibrated where the front is decided: at the top of what it has measured.

The optimistic bound (mean - beta std) trusts the GP's deviations. Their fit is judged
on the whole sample, so a GP can be calibrated on average and too wide or too narrow
among the most accurate networks. This script replays a saved run of the default
(its ``evaluated`` order), fits the accuracy predictor the default fits (model
selection between a GP and Bayesian ridge, Yeo-Johnson-warped target) on the first
``n`` networks for each ``--at`` value and reports, over the runs where the GP won:

* ``loo_scale``: the root mean square of the leave-one-out z-scores (closed form under
  the fitted kernel) over all ``n`` networks (1 is calibrated);
* ``top_scale``: the same over the most accurate quarter of them;
* ``next_scale`` and ``next_mean``: the z-scores of the next ``--next`` networks the
  run measured, under the same fit: whether ``top_scale`` says how wrong the
  deviations are about the networks the search goes on to choose.

    python benchmarks/nbg_top_calibration.py --datasets cora,pubmed --runs benchmarks/results/nbg_targets_30seeds.json \
        --out benchmarks/results/nbg_top_calibration_tuning.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.errors import ParetonasError
from paretonas.predict import OutputWarp, fit_predictor

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import add_run_arguments, read_runs  # noqa: E402
from nbg_variants import best_share, leave_one_out_z, root_mean_square  # noqa: E402

TOP_SHARE = 0.25


def replay(bench: NasBenchGraph, keys: list, at: int, following: int) -> dict | None:
    """The calibration figures of one run's accuracy fit at ``at`` measured; None where Bayesian ridge won."""
    space = bench.space
    features = space.features(np.array([space.encode(bench.config_of_key(key)) for key in keys[: at + following]]))
    accuracy = bench.objective_matrix(keys[: at + following], DEFAULT_OBJECTIVES)[:, 0]  # minimisation space
    warp = OutputWarp(accuracy[:at])
    fitted = fit_predictor(features[:at], warp.forward(accuracy[:at]), seed=0)
    z = leave_one_out_z(fitted)
    if z is None:
        return None
    mean, std = fitted.predict(features[at:])
    next_z = (warp.forward(accuracy[at:]) - mean) / std
    return {
        "loo_scale": root_mean_square(z),
        "top_scale": root_mean_square(z[best_share(accuracy[:at], TOP_SHARE)]),
        "next_scale": root_mean_square(next_z),
        "next_mean": float(np.mean(next_z)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", required=True, help="comma-separated NAS-Bench-Graph datasets present in --runs")
    add_run_arguments(parser)
    parser.add_argument("--at", default="40,70", help="comma-separated numbers of measured networks to fit on")
    parser.add_argument("--next", type=int, default=30, help="how many of the run's following networks to score")
    parser.add_argument("--max-runs", type=int, default=12, help="runs per dataset (the first ones in the file)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    datasets = args.datasets.split(",")
    try:
        fit_sizes = [int(at) for at in args.at.split(",")]
    except ValueError:
        sys.exit(f"error: --at {args.at!r}: expected comma-separated whole numbers, e.g. 40,70")
    try:
        runs = read_runs(args.runs, args.strategy, datasets)
        for dataset in datasets:
            shortest = min(len(keys) for keys in runs[dataset].values())
            if not all(2 <= at < shortest for at in fit_sizes):
                raise ParetonasError(f"--at {args.at}: every value must be between 2 and {shortest - 1} "
                                     f"({dataset}'s shortest run has {shortest} evaluations)")
    except (ParetonasError, OSError, json.JSONDecodeError) as error:
        sys.exit(f"error: {error}")
    report = {"command": " ".join(sys.argv), "top_share": TOP_SHARE, "datasets": {}}
    for dataset in datasets:
        bench = NasBenchGraph(dataset)
        seeds = list(runs[dataset])[: args.max_runs]
        for at in fit_sizes:
            rows = [replay(bench, runs[dataset][seed], at, args.next) for seed in seeds]
            gp_rows = [row for row in rows if row is not None]
            summary = {key: float(np.mean([row[key] for row in gp_rows])) for key in gp_rows[0]} if gp_rows else {}
            report["datasets"].setdefault(dataset, {})[str(at)] = {"runs": len(rows), "gp_runs": len(gp_rows), **summary}
            print(f"{dataset:9s} at {at:3d}: GP in {len(gp_rows)}/{len(rows)} runs  "
                  + "  ".join(f"{key} {value:+.2f}" if key == "next_mean" else f"{key} {value:.2f}" for key, value in summary.items()))
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
