"""The ask / evaluate / tell loop, on an Optuna study, with an evaluation cache and resume.

The budget counts *unique networks measured*. A strategy that proposes a network
already measured gets its values from the cache (a trial marked ``cache_hit``), at no
cost to the budget; a config that is not a network at all fails at no cost either.
Everything the loop needs to continue lives in the study's storage, so a search
killed at any point continues, with the same command, from its last finished trial.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import optuna
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState

from paretonas.errors import ParetonasError
from paretonas.search._attrs import (
    CACHE_HIT_ATTR,
    FAILURE_ATTR,
    INTERRUPTED_ATTR,
    KEY_ATTR,
    METRICS_ATTR,
    STUDY_SPEC_ATTR,
)
from paretonas.search.objectives import Constraint, Objective, violations
from paretonas.space import Config, Space

Evaluate = Callable[[Config], Mapping[str, float]]
Progress = Callable[[int, int], None]

optuna.logging.set_verbosity(optuna.logging.WARNING)


def default_storage(out_dir: str | Path) -> str:
    """The SQLite file a study lives in when the user names no storage."""
    path = Path(out_dir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'studies.db'}"


def open_storage(url: str) -> optuna.storages.BaseStorage:
    """An Optuna RDB storage for any SQLAlchemy URL, with errors a user can act on."""
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    try:
        return optuna.storages.RDBStorage(url, engine_kwargs=_engine_kwargs(url))
    except ImportError as error:
        raise ParetonasError(
            f"storage {url!r} needs a database driver that is not installed ({error}); "
            "for PostgreSQL run: pip install 'paretonas[postgres]'"
        ) from None
    except Exception as error:  # SQLAlchemy raises many kinds for a bad URL or server
        raise ParetonasError(f"cannot open storage {url!r}: {type(error).__name__}: {error}") from None


def _engine_kwargs(url: str) -> dict:
    # SQLite: wait for a lock rather than fail when two processes share a file.
    return {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}


@dataclass
class SearchResult:
    study: optuna.Study
    evaluated_keys: list[str]  # unique networks in the order they were measured
    trials: int
    cache_hits: int
    failures: int
    ask_seconds: float  # time spent inside the strategy (ask), evaluation excluded
    evaluate_seconds: float
    ask_durations: list[float] = field(default_factory=list)  # per proposal, in order


def study_spec(space: Space, objectives: Sequence[Objective], constraints: Sequence[Constraint]) -> dict:
    return {
        "objectives": [str(o) for o in objectives],
        "constraints": [str(c) for c in constraints],
        "space": {d.name: list(d.choices) for d in space.dimensions},
    }


def open_study(
    storage: str | optuna.storages.BaseStorage,
    study_name: str,
    space: Space,
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    sampler: optuna.samplers.BaseSampler,
) -> optuna.Study:
    """Create the study, or load it if it exists and was made for the same problem."""
    if isinstance(storage, str):
        storage = open_storage(storage)
    study = optuna.create_study(
        storage=storage,
        study_name=study_name,
        directions=[o.direction for o in objectives],
        sampler=sampler,
        load_if_exists=True,
    )
    spec = study_spec(space, objectives, constraints)
    stored = study.user_attrs.get(STUDY_SPEC_ATTR)
    if stored is None:
        study.set_user_attr(STUDY_SPEC_ATTR, spec)
    elif stored != spec:
        changed = [k for k in spec if stored.get(k) != spec[k]]
        raise ParetonasError(
            f"study {study_name!r} already exists in this storage with different {', '.join(changed)} "
            f"(stored: {', '.join(f'{k}={stored.get(k)}' for k in changed)}); "
            "use another --storage or study name, or the same settings as before"
        )
    return study


def recover_interrupted(study: optuna.Study) -> int:
    """Fail trials left RUNNING by a dead process and queue their configs again.

    One process drives a study at a time (parallel workers come with the scale-out
    work, on Optuna heartbeats); so at start-up a RUNNING trial can only be one whose
    process died. Its network was never recorded: re-queuing it loses nothing, and
    the failed record is kept only as an audit trail, never counted.
    """
    stale = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    for trial in stale:
        study._storage.set_trial_user_attr(trial._trial_id, INTERRUPTED_ATTR, True)
        study._storage.set_trial_user_attr(trial._trial_id, FAILURE_ATTR, "interrupted: its process stopped")
        study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
        study.enqueue_trial(dict(trial.params), skip_if_exists=False)
    return len(stale)


def evaluated_keys(study: optuna.Study) -> list[str]:
    """Unique networks measured, in trial order (cache hits and failures excluded)."""
    keys = []
    for trial in sorted(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)), key=lambda t: t.number):
        if not trial.user_attrs.get(CACHE_HIT_ATTR) and KEY_ATTR in trial.user_attrs:
            keys.append(trial.user_attrs[KEY_ATTR])
    return keys


def run_search(
    *,
    space: Space,
    evaluate: Evaluate,
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint] = (),
    sampler: optuna.samplers.BaseSampler,
    storage: str | optuna.storages.BaseStorage,
    study_name: str,
    budget: int,
    progress: Progress | None = None,
    max_asks: int | None = None,
) -> SearchResult:
    """Ask the sampler for configs until ``budget`` unique networks are measured.

    ``evaluate(config)`` returns a mapping of metric name to value that must include
    every objective. An exception or a NaN from it marks that trial FAILED with the
    reason, and the search goes on.
    """
    if budget < 1:
        raise ParetonasError(f"budget must be at least 1, got {budget}")
    objectives, constraints = list(objectives), list(constraints)
    study = open_study(storage, study_name, space, objectives, constraints, sampler)
    recover_interrupted(study)
    distributions = {d.name: CategoricalDistribution(list(d.choices)) for d in space.dimensions}

    cache: dict[str, dict] = {}
    failed_keys: dict[str, str] = {}
    for trial in study.get_trials(deepcopy=False):
        key = trial.user_attrs.get(KEY_ATTR)
        if key is None:
            continue
        if trial.state == TrialState.COMPLETE:
            cache.setdefault(key, trial.user_attrs.get(METRICS_ATTR, {}))
        elif trial.state == TrialState.FAIL and not trial.user_attrs.get(INTERRUPTED_ATTR):
            failed_keys.setdefault(key, trial.user_attrs.get(FAILURE_ATTR, "unknown reason"))
    unique = len(evaluated_keys(study))
    counts = {"trials": 0, "cache_hits": 0, "failures": 0}
    ask_seconds = evaluate_seconds = 0.0
    ask_durations: list[float] = []
    # A strategy that keeps proposing known networks must not loop forever.
    max_asks = max_asks if max_asks is not None else 50 * budget + 100
    asks = 0
    if progress:
        progress(unique, budget)
    while unique < budget and asks < max_asks:
        asks += 1
        started = time.perf_counter()
        trial = study.ask(distributions)
        ask_durations.append(time.perf_counter() - started)
        ask_seconds += ask_durations[-1]
        config = {name: trial.params[name] for name in space.names}
        counts["trials"] += 1
        key = space.key(config)
        if key is None:
            _fail(study, trial, "not a valid network in this space")
            counts["failures"] += 1
            continue
        trial.set_user_attr(KEY_ATTR, key)
        if key in cache:
            _complete(study, trial, cache[key], objectives, constraints, cache_hit=True)
            counts["cache_hits"] += 1
            continue
        if key in failed_keys:
            _fail(study, trial, f"this network failed before: {failed_keys[key]}")
            counts["failures"] += 1
            continue
        started = time.perf_counter()
        try:
            metrics = dict(evaluate(dict(config)))
            reason = _bad_metrics(metrics, objectives)
        except ParetonasError as error:
            metrics, reason = {}, str(error)
        except Exception as error:  # a user's model may raise anything; record it and go on
            metrics, reason = {}, f"{type(error).__name__}: {error}"
        evaluate_seconds += time.perf_counter() - started
        if reason:
            _fail(study, trial, reason)
            failed_keys[key] = reason
            counts["failures"] += 1
            continue
        _complete(study, trial, metrics, objectives, constraints, cache_hit=False)
        cache[key] = metrics
        unique += 1
        if progress:
            progress(unique, budget)
    return SearchResult(
        study=study,
        evaluated_keys=evaluated_keys(study),
        ask_seconds=ask_seconds,
        evaluate_seconds=evaluate_seconds,
        ask_durations=ask_durations,
        **counts,
    )


def _bad_metrics(metrics: Mapping[str, Any], objectives: Sequence[Objective]) -> str | None:
    for objective in objectives:
        if objective.name not in metrics:
            return f"evaluation returned no {objective.name!r} (got {sorted(metrics)})"
        value = metrics[objective.name]
        if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
            return f"evaluation returned {objective.name}={value!r}, not a finite number"
    return None


def _complete(study, trial, metrics, objectives, constraints, cache_hit: bool) -> None:
    trial.set_user_attr(METRICS_ATTR, {k: float(v) for k, v in metrics.items()})
    trial.set_user_attr(CACHE_HIT_ATTR, cache_hit)
    # Optuna's own constraint record, so its samplers and its Pareto front honour feasibility too.
    for constraint, violation in zip(constraints, violations(constraints, metrics)):
        trial.set_constraint(str(constraint), min(violation, 1e300))
    study.tell(trial, [float(metrics[o.name]) for o in objectives])


def _fail(study, trial, reason: str) -> None:
    trial.set_user_attr(FAILURE_ATTR, reason)
    study.tell(trial, state=TrialState.FAIL)
