"""Search strategies, all of them Optuna samplers.

``create_sampler(name, ...)`` is the registry the CLI and configs use; users who
write Python can also pass any Optuna sampler to :func:`paretonas.search.run_search`.
"""

from __future__ import annotations

from typing import Callable, Sequence

import optuna

from paretonas.errors import ParetonasError
from paretonas.search.objectives import Constraint, Objective
from paretonas.search.samplers._predictor_guided import PredictorGuidedSampler
from paretonas.space import Space



def _random(space, objectives, constraints, seed):
    return optuna.samplers.RandomSampler(seed=seed)


def _nsga2(space, objectives, constraints, seed):
    return optuna.samplers.NSGAIISampler(seed=seed)


def _tpe(space, objectives, constraints, seed):
    return optuna.samplers.TPESampler(seed=seed)


def _default(space, objectives, constraints, seed):
    return PredictorGuidedSampler(space, objectives, constraints, seed=seed)


def _hypervolume(space, objectives, constraints, seed):
    return PredictorGuidedSampler(space, objectives, constraints, seed=seed, local_picks=0, cheap_end_picks=0)


def _spread(space, objectives, constraints, seed):
    return PredictorGuidedSampler(space, objectives, constraints, seed=seed, spread_structure=True)


STRATEGIES: dict[str, Callable] = {
    "default": _default,
    "hypervolume": _hypervolume,
    "spread": _spread,
    "random": _random,
    "nsga2": _nsga2,
    "tpe": _tpe,
}
STRATEGY_HELP = {
    "default": "paretonas' predictor-guided search (GP predictors, optimistic hypervolume gain, small batches, "
    "one pick per batch next to the most accurate networks measured)",
    "hypervolume": "the default search without its local pick: every pick by optimistic hypervolume gain "
    "(the default until session 22; its best network found is less accurate)",
    "spread": "the default search with each batch's hypervolume picks spread over the space's structure "
    "dimension (NAS-Bench-Graph: its link pattern); better on pubmed, worse on cs",
    "random": "uniform random sampling (Optuna RandomSampler): the baseline every report shows",
    "nsga2": "Optuna's NSGA-II sampler as it ships",
    "tpe": "Optuna's multi-objective TPE sampler as it ships",
}


def create_sampler(
    name: str,
    space: Space,
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint] = (),
    seed: int | None = None,
) -> optuna.samplers.BaseSampler:
    if name not in STRATEGIES:
        raise ParetonasError(f"unknown strategy {name!r}; choose one of: {', '.join(STRATEGIES)}")
    return STRATEGIES[name](space, list(objectives), list(constraints), seed)


__all__ = ["PredictorGuidedSampler", "STRATEGIES", "create_sampler"]
