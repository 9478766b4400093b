"""What one pick is worth under different selection rules, on states taken from saved NAS-Bench-Graph runs.

A variant run (``nbg_variants.py``) says whether a rule helps over a whole search, but
at a cost of minutes per idea and with the noise of whole trajectories. This asks a
narrower, cheaper question first: given what a run had measured after N networks,
how much true hypervolume (HV ratio, the protocol's normalisation) would one more
network add if it were chosen by each rule? The states are the first N evaluations of
each seed of a saved run (``nbg_targets.py`` JSON); the models are fitted as the
default strategy fits them (its warped-output surrogate).

Rules:

* ``local``: the default's local pick (best believed accuracy among the untaken
  one-change neighbours of the five most accurate networks measured);
* ``local_random``: a uniformly random one of those neighbours (its expected gain:
  the mean over all of them, no draw);
* ``cheap_end``: the default's cheap-end pick (largest believed hypervolume gain among
  the neighbours of the five cheapest networks measured);
* ``front_neighbours``: largest believed gain among the neighbours of every network on
  the measured front (the ``front_local`` variant);
* ``optimistic``: the batch's first pick (largest optimistic gain over every untaken
  network, costs floored as the default floors them);
* ``believed``: largest believed gain over every untaken network.

One pick's gain is myopic: a rule that collects gains other picks would find a batch
later scores well here and adds nothing over a run (``front_local`` did just that), so
a rule must still pass ``nbg_variants.py``.

    python benchmarks/nbg_pick_rules.py --runs benchmarks/results/nbg_targets_30seeds.json \\
        --datasets cora,citeseer,pubmed --out benchmarks/results/nbg_pick_rules.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from multiprocessing import Pool
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one process per core: no BLAS oversubscription
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from nbg_deficit import read_runs  # noqa: E402

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES, NasBenchGraph  # noqa: E402
from paretonas.errors import ParetonasError  # noqa: E402
from paretonas.search.pareto import pareto_mask  # noqa: E402
from paretonas.search.samplers import PredictorGuidedSampler  # noqa: E402
from paretonas.search.samplers._predictor_guided._pool import canonical_identity  # noqa: E402
from paretonas.search.samplers._predictor_guided._surrogate import Surrogate  # noqa: E402

RULES = ("local", "local_random", "cheap_end", "front_neighbours", "optimistic", "believed")
_BENCHES: dict[str, tuple] = {}


def bench_of(dataset: str) -> tuple[NasBenchGraph, object, PredictorGuidedSampler]:
    """The table, its exact reference and a default sampler (for its rules), once per process."""
    if dataset not in _BENCHES:
        bench = NasBenchGraph(dataset)
        _BENCHES[dataset] = bench, bench.reference(DEFAULT_OBJECTIVES), PredictorGuidedSampler(bench.space, DEFAULT_OBJECTIVES)
    return _BENCHES[dataset]


def state_gains(dataset: str, keys: list[int]) -> dict[str, float]:
    """The true HV ratio each rule's pick would add to the networks ``keys``."""
    bench, reference, sampler = bench_of(dataset)
    space = bench.space
    identities = [canonical_identity(space, space.encode(bench.config_of_key(k))) for k in keys]
    Y = bench.objective_matrix(keys, DEFAULT_OBJECTIVES)
    surrogate = Surrogate(space.features(np.array(identities)), Y, warp=True, **sampler._surrogate_settings())
    taken = set(identities)
    base = reference.hv_ratio(Y)
    lower, span = Y.min(axis=0), np.ptp(Y, axis=0)
    front = (Y[pareto_mask(Y)] - lower) / span
    reference_point = np.full(2, sampler.REFERENCE_POINT)

    def gain(identity: tuple) -> float:
        added = bench.objective_matrix([bench.table_key(space.decode(np.array(identity)))], DEFAULT_OBJECTIVES)
        return reference.hv_ratio(np.vstack([Y, added])) - base

    def neighbours(parents) -> list[tuple]:
        return sorted({n for p in parents for n in sampler._neighbours_of(identities[p])} - taken)

    def best_believed_gain(candidates: list[tuple]) -> tuple:
        mean, _, _ = surrogate.predict(space.features(np.array(candidates)))
        return candidates[int(np.argmax(sampler._improvement((mean - lower) / span, front, reference_point)))]

    parents = list(zip(identities, Y))
    top = neighbours(np.argsort(Y[:, 0])[: sampler.LOCAL_PARENTS])
    sampler._ensure_pool()
    pool = [i for i, identity in enumerate(sampler._pool_ids) if identity not in taken]
    _, optimistic, _ = surrogate.predict(sampler._features_of(sampler._pool)[pool])
    optimistic_gain = sampler._improvement(sampler._normalised_optimistic(optimistic, lower, span), front, reference_point)
    return {
        "local": gain(sampler._local_pick(parents, 0, surrogate, taken)[0]),
        "local_random": float(np.mean([gain(c) for c in top])),
        "cheap_end": gain(sampler._cheap_end_pick(parents, 1, surrogate, taken, front, lower, span)[0]),
        "front_neighbours": gain(best_believed_gain(neighbours(np.flatnonzero(pareto_mask(Y))))),
        "optimistic": gain(sampler._pool_ids[pool[int(np.argmax(optimistic_gain))]]),
        "believed": gain(best_believed_gain([sampler._pool_ids[i] for i in pool])),
    }


def run_seed(job: tuple[str, str, list[int], tuple[int, ...]]) -> tuple[str, str, dict[int, dict[str, float]]]:
    dataset, seed, keys, states = job
    return dataset, seed, {n: state_gains(dataset, keys[:n]) for n in states}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", required=True, help="nbg_targets.py JSON whose runs give the states")
    parser.add_argument("--datasets", default="cora,citeseer,pubmed")
    parser.add_argument("--states", default="30,45,60,75,90", help="numbers of networks measured at which rules are compared")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    try:
        states = tuple(int(n) for n in args.states.split(","))
        if min(states) < 10:
            raise ParetonasError(f"--states {args.states}: every state needs at least 10 networks (the initial design)")
        runs = read_runs(args.runs, "default", args.datasets.split(","))
    except ValueError:
        sys.exit(f"error: --states {args.states!r} must be comma-separated whole numbers")
    except (ParetonasError, OSError, json.JSONDecodeError) as error:
        sys.exit(f"error: {error}")
    short = [(d, s) for d, seeds in runs.items() for s, keys in seeds.items() if len(keys) < max(states)]
    if short:
        sys.exit(f"error: {short[0][0]} seed {short[0][1]} has fewer than {max(states)} evaluations; pass smaller --states")
    jobs = [(d, s, keys, states) for d, seeds in runs.items() for s, keys in seeds.items()]
    gains: dict[str, dict[str, dict]] = {d: {} for d in runs}
    with Pool(args.workers) as pool:
        for done, (dataset, seed, by_state) in enumerate(pool.imap_unordered(run_seed, jobs), 1):
            gains[dataset][seed] = by_state
            print(f"\r{done}/{len(jobs)} seeds", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    summary = {}
    print(f"mean true HV ratio gain of one pick (x 1e-4) over {len(jobs)} seed(s) x states {args.states}")
    print(f"{'dataset':10} " + " ".join(f"{rule:>16}" for rule in RULES))
    for dataset, seeds in gains.items():
        table = np.array([[state[rule] for rule in RULES] for by_state in seeds.values() for state in by_state.values()])
        summary[dataset] = {rule: {"mean_gain": float(table[:, j].mean()), "share_positive": float((table[:, j] > 0).mean()),
                                   "mean_gain_by_state": {str(n): float(np.mean([seeds[s][n][rule] for s in seeds])) for n in states}}
                            for j, rule in enumerate(RULES)}
        print(f"{dataset:10} " + " ".join(f"{summary[dataset][rule]['mean_gain'] * 1e4:16.2f}" for rule in RULES))
    if args.out:
        Path(args.out).write_text(json.dumps({"command": " ".join([Path(sys.executable).name, *sys.argv]), "runs": args.runs,
                                              "states": list(states), "rules": list(RULES), "datasets": summary,
                                              "per_seed": gains}, indent=1))
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
