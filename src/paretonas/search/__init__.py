"""Studies on Optuna storage: objectives, constraints, strategies, the search loop, fronts."""

from paretonas.search.loop import SearchResult, default_storage, evaluated_keys, open_storage, run_search
from paretonas.search.objectives import (
    Constraint,
    Objective,
    parse_constraint,
    parse_constraints,
    parse_objective,
    parse_objectives,
)
from paretonas.search.pareto import hypervolume, hypervolume_improvement_2d, normalize, pareto_front, pareto_mask
from paretonas.search.samplers import STRATEGIES, PredictorGuidedSampler, create_sampler

__all__ = [
    "Constraint",
    "Objective",
    "PredictorGuidedSampler",
    "STRATEGIES",
    "SearchResult",
    "create_sampler",
    "default_storage",
    "evaluated_keys",
    "hypervolume",
    "hypervolume_improvement_2d",
    "normalize",
    "open_storage",
    "parse_constraint",
    "parse_constraints",
    "parse_objective",
    "parse_objectives",
    "pareto_front",
    "pareto_mask",
    "run_search",
]
