"""How well the default strategy's accuracy predictor ranks the networks that decide the front.

On some NAS-Bench-Graph datasets (physics most of all) a band of fast networks draws
most of the search's picks (``nbg_deficit.py`` measures where they go), so how well the
predictor ranks accuracy *inside* that band decides what those picks are worth. A
predictor can rank the whole table well and still be blind inside such a band. This
script fits the accuracy predictor the default strategy fits (model selection between
a GP and Bayesian ridge on the space's features, Yeo-Johnson-warped target) on
``--samples`` random networks and reports, on the networks it did not see:

* Kendall tau over all of them, and over the band of networks whose normalised
  latency (0 = fastest in the table, 1 = slowest) is below ``--band``;
* of the ``--top-predicted`` band networks it rates best, how many are in the band's
  true top 1%, next to what picking at random would give.

    python benchmarks/nbg_predictor_band.py --dataset physics --out benchmarks/results/nbg_predictor_band_physics.json
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
from paretonas.search.pareto import normalize


def measure(dataset: str, seeds: int, samples: int, band: float, top_predicted: int) -> dict:
    bench = NasBenchGraph(dataset)
    reference = bench.reference(DEFAULT_OBJECTIVES)
    keys = list(bench.keys)  # one entry per distinct network of the table
    features = bench.space.features(np.array([bench.space.encode(bench.config_of_key(key)) for key in keys]))
    objectives = bench.objective_matrix(keys, DEFAULT_OBJECTIVES)  # minimisation space: -accuracy, latency
    if not 0 < samples < len(keys):
        raise ParetonasError(f"--samples {samples} must be between 1 and {len(keys) - 1} (the table has {len(keys)} networks)")
    normalised = normalize(objectives, reference.lower, reference.upper)
    in_band = normalised[:, 1] < band
    per_seed = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        train = rng.choice(len(keys), samples, replace=False)
        warp = OutputWarp(objectives[train, 0])
        model = fit_predictor(features[train], warp.forward(objectives[train, 0]), seed=seed)
        predicted, _ = model.predict(features)
        unseen = np.setdiff1d(np.arange(len(keys)), train)
        band_unseen = unseen[in_band[unseen]]
        true_top = band_unseen[np.argsort(objectives[band_unseen, 0])[: max(1, len(band_unseen) // 100)]]
        rated_best = band_unseen[np.argsort(predicted[band_unseen])[:top_predicted]]
        per_seed.append(
            {
                "seed": seed,
                "model": model.name,
                "tau_all": kendall_tau(objectives[unseen, 0], predicted[unseen]),
                "tau_band": kendall_tau(objectives[band_unseen, 0], predicted[band_unseen]),
                "true_top1pct_in_rated_best": int(np.isin(rated_best, true_top).sum()),
            }
        )
    return {
        "dataset": dataset,
        "networks": len(keys),
        "band_networks": int(in_band.sum()),
        "random_expectation_top1pct_in_rated_best": top_predicted * 0.01,
        "mean_tau_all": float(np.mean([r["tau_all"] for r in per_seed])),
        "mean_tau_band": float(np.mean([r["tau_band"] for r in per_seed])),
        "mean_true_top1pct_in_rated_best": float(np.mean([r["true_top1pct_in_rated_best"] for r in per_seed])),
        "per_seed": per_seed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="physics")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--band", type=float, default=0.03, help="normalised latency below which a network is in the band")
    parser.add_argument("--top-predicted", type=int, default=50)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    try:
        report = measure(args.dataset, args.seeds, args.samples, args.band, args.top_predicted)
    except ParetonasError as error:
        sys.exit(f"error: {error}")
    report.update(
        command=" ".join([Path(sys.executable).name, *sys.argv]),
        seeds=list(range(args.seeds)),
        samples=args.samples,
        band=args.band,
        top_predicted=args.top_predicted,
    )
    for row in report["per_seed"]:
        print(
            f"seed {row['seed']}: {row['model']:<15} tau all {row['tau_all']:.3f}  tau band {row['tau_band']:.3f}  "
            f"true top-1% among the {args.top_predicted} rated best: {row['true_top1pct_in_rated_best']}"
        )
    print(
        f"{args.dataset}: {report['band_networks']} of {report['networks']} networks in the band; mean tau all "
        f"{report['mean_tau_all']:.3f}, band {report['mean_tau_band']:.3f}; true top-1% among the rated best "
        f"{report['mean_true_top1pct_in_rated_best']:.1f} (random: {report['random_expectation_top1pct_in_rated_best']:.1f})"
    )
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
