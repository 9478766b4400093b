"""How well the default strategy's accuracy predictor ranks the networks that decide the front.

On some NAS-Bench-Graph datasets (physics most of all) a band of fast networks draws
most of the search's picks (``nbg_deficit.py`` measures where they go), so how well the
predictor ranks accuracy *inside* that band decides what those picks are worth. A
predictor can rank the whole table well and still be blind inside such a band. This
script fits the accuracy predictor the default strategy fits (model selection between
a GP and Bayesian ridge on the space's features, Yeo-Johnson-warped target) on
``--samples`` random networks and reports, on the networks it did not see:

* Kendall tau over all of them, and over the band of networks whose normalised
  latency (0 = fastest in the table, 1 = slowest) is at most ``--band``;
* of the ``--top-predicted`` band networks it rates best, how many are in the band's
  true top 1% and top 5%, next to what picking at random would give.

``--models`` compares the strategy's predictor (``default``) with other model
families fitted on the same samples and target: whether a bigger regressor would
rank the top better (``--band 1`` scores the whole table). ``--features paths`` fits
them on richer features: the space's, plus each cell's input-to-output paths.

    python benchmarks/nbg_predictor_band.py --dataset physics --out benchmarks/results/nbg_predictor_band_physics.json
    python benchmarks/nbg_predictor_band.py --dataset cora --band 1 --seeds 10 \
        --models default,gp,bayesian_ridge,gbm,random_forest,mlp_ensemble --out benchmarks/results/nbg_predictor_families_cora.json
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.neural_network import MLPRegressor

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph
from paretonas.errors import ParetonasError
from paretonas.predict import OutputWarp, fit_predictor, kendall_tau
from paretonas.search.pareto import normalize

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import table_features  # noqa: E402
from nbg_variants import PathFeatureSpace  # noqa: E402


class MLPEnsemble:
    """Five small MLPs from different initialisations, averaged (a deep-ensemble regressor)."""

    def fit(self, X, y):
        self.members = [MLPRegressor(hidden_layer_sizes=(32, 32), alpha=1e-3, max_iter=500, random_state=i).fit(X, y) for i in range(5)]
        return self

    def predict(self, X):
        return np.mean([m.predict(X) for m in self.members], axis=0)


def gp_ard(X, y, seed):
    """The strategy's GP kernel with one length scale per feature (automatic relevance determination)."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(length_scale=np.full(X.shape[1], 3.0),
                                                       length_scale_bounds=(1e-1, 1e3), nu=2.5) + WhiteKernel(0.1, (1e-6, 1e1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # length scales at their bounds: irrelevant features, as intended
        return GaussianProcessRegressor(kernel, normalize_y=True, random_state=seed).fit(X, y)


class _first:
    """A paretonas predictor seen as a plain regressor: its mean only, and which family won."""

    def __init__(self, fitted):
        self.fitted, self.name = fitted, fitted.name

    def predict(self, X):
        return self.fitted.predict(X)[0]


#: name -> fit(features, target, seed) returning an object with predict(features) -> 1-D array
MODELS = {
    "default": lambda X, y, seed: _first(fit_predictor(X, y, seed=seed)),
    "gp": lambda X, y, seed: _first(fit_predictor(X, y, candidates=("gp",), seed=seed)),
    "bayesian_ridge": lambda X, y, seed: _first(fit_predictor(X, y, candidates=("bayesian_ridge",), seed=seed)),
    "gbm": lambda X, y, seed: GradientBoostingRegressor(n_estimators=200, max_depth=3, learning_rate=0.05,
                                                        subsample=0.8, random_state=seed).fit(X, y),
    "random_forest": lambda X, y, seed: RandomForestRegressor(n_estimators=300, min_samples_leaf=2, random_state=seed).fit(X, y),
    "mlp_ensemble": lambda X, y, seed: MLPEnsemble().fit(X, y),
    "gp_ard": gp_ard,
}


#: name -> the features of a benchmark's space that the models are fitted on
FEATURES = {
    "plain": lambda space: space,
    "paths": PathFeatureSpace,  # plus each cell's input-to-output paths (``nbg_variants.py``)
}


def measure(dataset: str, seeds: int, samples: int, band: float, top_predicted: int, models: list[str],
            features_name: str = "plain") -> dict:
    bench = NasBenchGraph(dataset)
    reference = bench.reference(DEFAULT_OBJECTIVES)
    keys = list(bench.keys)  # one entry per distinct network of the table
    space = FEATURES[features_name](bench.space)
    features = table_features(bench, space)
    objectives = bench.objective_matrix(keys, DEFAULT_OBJECTIVES)  # minimisation space: -accuracy, latency
    if not 0 < samples < len(keys):
        raise ParetonasError(f"--samples {samples} must be between 1 and {len(keys) - 1} (the table has {len(keys)} networks)")
    normalised = normalize(objectives, reference.lower, reference.upper)
    in_band = normalised[:, 1] <= band
    per_seed = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        train = rng.choice(len(keys), samples, replace=False)
        warp = OutputWarp(objectives[train, 0])
        unseen = np.setdiff1d(np.arange(len(keys)), train)
        band_unseen = unseen[in_band[unseen]]
        by_accuracy = band_unseen[np.argsort(objectives[band_unseen, 0])]
        true_top1, true_top5 = by_accuracy[: max(1, len(by_accuracy) // 100)], by_accuracy[: max(1, len(by_accuracy) // 20)]
        for name in models:
            model = MODELS[name](features[train], warp.forward(objectives[train, 0]), seed)
            predicted = np.asarray(model.predict(features), float)
            rated_best = band_unseen[np.argsort(predicted[band_unseen])[:top_predicted]]
            per_seed.append(
                {
                    "seed": seed,
                    "model": name,
                    "fitted": getattr(model, "name", name),
                    "tau_all": kendall_tau(objectives[unseen, 0], predicted[unseen]),
                    "tau_band": kendall_tau(objectives[band_unseen, 0], predicted[band_unseen]),
                    "true_top1pct_in_rated_best": int(np.isin(rated_best, true_top1).sum()),
                    "true_top5pct_in_rated_best": int(np.isin(rated_best, true_top5).sum()),
                }
            )
    summary = {}
    for name in models:
        rows = [r for r in per_seed if r["model"] == name]
        summary[name] = {key: float(np.mean([r[key] for r in rows])) for key in
                         ("tau_all", "tau_band", "true_top1pct_in_rated_best", "true_top5pct_in_rated_best")}
    return {
        "dataset": dataset,
        "networks": len(keys),
        "band_networks": int(in_band.sum()),
        "random_expectation_top1pct_in_rated_best": top_predicted * 0.01,
        "random_expectation_top5pct_in_rated_best": top_predicted * 0.05,
        "mean_by_model": summary,
        "per_seed": per_seed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="physics")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--band", type=float, default=0.03, help="the highest normalised latency in the band (1: the whole table)")
    parser.add_argument("--top-predicted", type=int, default=50)
    parser.add_argument("--models", default="default", help=f"comma-separated, from: {', '.join(MODELS)}")
    parser.add_argument("--features", default="plain", choices=sorted(FEATURES),
                        help="the space's predictor features, or those plus each cell's paths")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    models = args.models.split(",")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        sys.exit(f"error: unknown model(s) {', '.join(unknown)} in --models; choose from: {', '.join(MODELS)}")
    try:
        report = measure(args.dataset, args.seeds, args.samples, args.band, args.top_predicted, models, args.features)
    except ParetonasError as error:
        sys.exit(f"error: {error}")
    report.update(
        command=" ".join([Path(sys.executable).name, *sys.argv]),
        seeds=list(range(args.seeds)),
        samples=args.samples,
        band=args.band,
        top_predicted=args.top_predicted,
        features=args.features,
    )
    for row in report["per_seed"]:
        print(
            f"seed {row['seed']}: {row['model']:<15} ({row['fitted']}) tau all {row['tau_all']:.3f}  tau band "
            f"{row['tau_band']:.3f}  true top-1% / top-5% among the {args.top_predicted} rated best: "
            f"{row['true_top1pct_in_rated_best']} / {row['true_top5pct_in_rated_best']}"
        )
    print(f"{args.dataset}: {report['band_networks']} of {report['networks']} networks in the band (random picks: "
          f"{report['random_expectation_top1pct_in_rated_best']:.1f} / {report['random_expectation_top5pct_in_rated_best']:.1f})")
    for name, mean in report["mean_by_model"].items():
        print(f"  {name:<15} mean tau all {mean['tau_all']:.3f}, band {mean['tau_band']:.3f}; true top-1% / top-5% "
              f"among the rated best {mean['true_top1pct_in_rated_best']:.1f} / {mean['true_top5pct_in_rated_best']:.1f}")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
