import math

import optuna
import pytest

from paretonas.errors import ParetonasError
from paretonas.search import Objective, create_sampler, parse_constraints, run_search
from paretonas.search._attrs import CACHE_HIT_ATTR, FAILURE_ATTR, INTERRUPTED_ATTR
from paretonas.space import Choice, Space

OBJ = [Objective("score", "maximize"), Objective("cost", "minimize")]


def tiny_space():
    return Space([Choice("a", [0, 1]), Choice("b", ["x", "y"])])


def toy_metrics(config):
    a, b = config["a"], 1 if config["b"] == "y" else 0
    return {"score": a + 0.5 * b, "cost": 1.0 + a + b}


def completed(study):
    return [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]


def test_budget_counts_unique_networks_and_repeats_are_cache_hits():
    space = tiny_space()
    calls = []

    def evaluate(config):
        calls.append(dict(config))
        return toy_metrics(config)

    result = run_search(
        space=space, evaluate=evaluate, objectives=OBJ, sampler=optuna.samplers.RandomSampler(seed=0),
        storage=optuna.storages.InMemoryStorage(), study_name="t", budget=4,
    )
    assert len(calls) == 4 and len({tuple(c.values()) for c in calls}) == 4
    assert len(result.evaluated_keys) == len(set(result.evaluated_keys)) == 4
    hits = [t for t in completed(result.study) if t.user_attrs[CACHE_HIT_ATTR]]
    assert len(hits) == result.cache_hits
    for t in hits:  # a cache hit carries the values of the network's first measurement
        assert t.values == [toy_metrics(t.params)["score"], toy_metrics(t.params)["cost"]]


def test_failing_and_nan_evaluations_are_recorded_and_search_goes_on():
    space = Space([Choice("a", list(range(6))), Choice("b", ["x", "y"])])

    def evaluate(config):
        if config["a"] == 0:
            raise RuntimeError("out of memory in layer 3")
        if config["a"] == 1:
            return {"score": math.nan, "cost": 1.0}
        if config["a"] == 2:
            return {"score": 1.0}
        return toy_metrics({"a": 1, "b": config["b"]}) | {"score": config["a"]}

    result = run_search(
        space=space, evaluate=evaluate, objectives=OBJ, sampler=create_sampler("random", space, OBJ, seed=1),
        storage=optuna.storages.InMemoryStorage(), study_name="t", budget=6,
    )
    reasons = {}
    for t in result.study.trials:
        if t.state.name == "FAIL":
            reasons.setdefault(t.params["a"], t.user_attrs[FAILURE_ATTR])
    assert reasons[0] == "RuntimeError: out of memory in layer 3"
    assert reasons[1] == "evaluation returned score=nan, not a finite number"
    assert "returned no 'cost'" in reasons[2]
    assert len(result.evaluated_keys) == 6  # the 6 networks with a >= 3


def test_exhausted_space_stops():
    space = tiny_space()
    result = run_search(
        space=space, evaluate=toy_metrics, objectives=OBJ, sampler=create_sampler("default", space, OBJ, seed=0),
        storage=optuna.storages.InMemoryStorage(), study_name="t", budget=10, max_asks=40,
    )
    assert len(result.evaluated_keys) == 4


def test_reopening_a_study_with_other_objectives_is_an_error():
    space, storage = tiny_space(), optuna.storages.InMemoryStorage()
    run_search(space=space, evaluate=toy_metrics, objectives=OBJ, sampler=create_sampler("random", space, OBJ, seed=0),
               storage=storage, study_name="t", budget=2)
    other = [Objective("score", "maximize"), Objective("size", "minimize")]
    with pytest.raises(ParetonasError, match="study 't' already exists in this storage with different objectives"):
        run_search(space=space, evaluate=toy_metrics, objectives=other,
                   sampler=create_sampler("random", space, other, seed=0), storage=storage, study_name="t", budget=3)


def test_interrupted_trial_is_requeued_not_lost():
    space, storage = tiny_space(), optuna.storages.InMemoryStorage()
    study = optuna.create_study(storage=storage, study_name="t", directions=["maximize", "minimize"])
    dead = study.ask({d.name: optuna.distributions.CategoricalDistribution(list(d.choices)) for d in space.dimensions})
    dead_params = dict(dead.params)
    result = run_search(space=space, evaluate=toy_metrics, objectives=OBJ,
                        sampler=create_sampler("random", space, OBJ, seed=5), storage=storage, study_name="t", budget=1)
    trials = result.study.trials
    assert trials[0].state.name == "FAIL" and trials[0].user_attrs[INTERRUPTED_ATTR]
    assert trials[1].state.name == "COMPLETE" and trials[1].params == dead_params  # evaluated first, on resume


def test_resume_continues_to_budget_without_duplicates(tmp_path):
    space = Space([Choice("a", list(range(10))), Choice("b", list(range(10)))])
    url = f"sqlite:///{tmp_path / 's.db'}"

    def evaluate(config):
        return {"score": config["a"] - 0.1 * config["b"], "cost": config["a"] + config["b"]}

    first = run_search(space=space, evaluate=evaluate, objectives=OBJ, sampler=create_sampler("default", space, OBJ, seed=2),
                       storage=url, study_name="r", budget=15)
    again = run_search(space=space, evaluate=evaluate, objectives=OBJ, sampler=create_sampler("default", space, OBJ, seed=2),
                       storage=url, study_name="r", budget=30)
    assert again.evaluated_keys[:15] == first.evaluated_keys
    assert len(again.evaluated_keys) == len(set(again.evaluated_keys)) == 30


def test_constraints_are_recorded_for_optuna():
    space = Space([Choice("a", list(range(8))), Choice("b", ["x", "y"])])
    constraints = parse_constraints("cost<=3")
    result = run_search(space=space, evaluate=lambda c: {"score": c["a"], "cost": float(c["a"])}, objectives=OBJ,
                        constraints=constraints, sampler=create_sampler("default", space, OBJ, constraints, seed=0),
                        storage=optuna.storages.InMemoryStorage(), study_name="c", budget=16)
    best = result.study.best_trials  # Optuna's front honours our constraint records
    assert best and all(t.user_attrs["metrics"]["cost"] <= 3 for t in best)
    assert max(t.params["a"] for t in best) == 3
