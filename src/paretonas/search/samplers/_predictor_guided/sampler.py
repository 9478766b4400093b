"""paretonas' default strategy: predictor-guided batches chosen by optimistic hypervolume gain.

LINAS (DyNAS-T) and APQ fit predictors on measured subnets, run an evolutionary
search on the predictors, and measure the predicted front. Two things limit them on
spaces where accuracy is hard to predict (Kendall tau 0.2-0.3 at 100 samples): the
predicted front is an *exploitation-only* choice that ignores how unsure the
predictor is, and a large batch (a population of 50) spends most of the budget
before the predictor has learned anything. This sampler changes exactly that:

* predictors with uncertainty (a GP or a Bayesian linear model, picked per
  objective by cross-validated Kendall tau) on one-hot plus shared-choice count
  features;
* each candidate is scored by the hypervolume its *optimistic* prediction
  (mean minus ``beta`` standard deviations, in minimisation space) would add to the
  measured front: a UCB for Pareto fronts, so unexplored regions get measured;
* small batches (``batch_size``) chosen greedily, each pick added to the front at
  its predicted mean before the next ("kriging believer"), so one batch spreads
  along the front instead of piling onto one spot;
* an optimistic *cost* (a minimised objective: latency, size, MACs) may reach at
  most ``cost_optimism_floor`` of the measured span below the cheapest network
  measured. The space-filling initial design measures the structurally cheapest
  networks early, so a bound far below them is a model artefact, not a discovery;
  where cost is a threshold the models cannot fit (NAS-Bench-Graph physics:
  +40 ms once any GAT/GCN/Chebyshev layer is present), a bound below the fastest
  network measured claims a strip of hypervolume as tall as the whole accuracy
  range, outbids every accuracy gain, and sent three picks in four to mediocre
  fast networks;
* the last pick of each batch (``local_picks``) exploits instead of exploring:
  among the one-change neighbours of the most accurate networks measured, the
  unmeasured one with the best *believed* accuracy (a maximised objective). The
  predictors rank the top of a table barely better than chance (cora: a model fitted
  on half the table puts 14-26% of its top 100 in the true top 5%), but good networks
  have good neighbours and the predictor can choose among them. Before the additive
  cost model such picks were taken from the front's cheap end and the hypervolume did
  not move; with it, the cost model finds that end by itself, and one local pick per
  batch raised the mean hypervolume on all eight NAS-Bench-Graph datasets measured
  (30 or 60 seeds each), by 0.0002 to 0.0026, none beyond two standard errors alone
  (README: "Local picks become the default");
* optionally (``cheap_end_picks``, off by default), a pick after it exploits the front's other end: among the
  one-change neighbours of the cheapest networks measured (a minimised objective),
  the unmeasured one whose *believed* values add the most hypervolume to the measured
  front. The models, fitted on few cheap networks, believe the best of them slower
  and less accurate than they are (NAS-Bench-Graph cora: three skips then one GIN
  layer, one change from the table's cheapest cell, was never measured in 6 of 60
  runs, each losing about 0.01 of hypervolume), but like good networks, cheap good
  networks have cheap good neighbours. It raised the tuning datasets' mean a little
  and cost proteins 0.0066 ± 0.0026, so it is not the default (README: "A local pick
  at the cheap end");
* candidates are canonical networks never measured or pending: a repeat costs
  nothing because it is never proposed.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.samplers import BaseSampler, RandomSampler
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState

from paretonas.search.objectives import Constraint, Objective
from paretonas.search.pareto import hypervolume, hypervolume_improvement_2d, pareto_mask
from paretonas.search.samplers._predictor_guided._surrogate import Surrogate
from paretonas.search.samplers._predictor_guided._pool import (
    canonical_encodings,
    canonical_identity,
    evolve_candidates,
    neighbourhood,
    one_change_neighbours,
    whole_space_pool,
)
from paretonas.space import Space

from paretonas.search._attrs import METRICS_ATTR  # noqa: E402


class PredictorGuidedSampler(BaseSampler):
    """Optuna sampler for a :class:`~paretonas.space.Space`; see the module docstring.

    Args:
        space: the search space; trials must suggest exactly its dimensions.
        objectives: objectives in the study's order (names are read from each trial's
            ``metrics`` user attribute when present, else from its values).
        constraints: feasibility constraints on metrics; only feasible trials count
            for the front, and candidates predicted infeasible are deprioritised.
        seed: makes proposals reproducible for the same history.
        n_initial: unique networks sampled at random before the first model fit.
        batch_size: candidates proposed per model fit.
        beta: optimism, in predicted standard deviations.
        max_enumerate: spaces with at most this many encodings are scored exhaustively.
        cost_optimism_floor: how far, as a fraction of the measured span, an optimistic
            minimised objective may go below the best value measured (None: no limit).
        local_picks: picks per batch spent next to the most accurate networks measured
            (round-robin over the maximised objectives; 0 turns them off, the
            ``hypervolume`` strategy); ignored when every objective is minimised.
        cheap_end_picks: picks per batch spent next to the cheapest networks measured,
            after the local picks (round-robin over the minimised objectives; 0 turns
            them off); ignored when every objective is maximised.
        spread_structure: where the space declares a ``structure`` dimension (its
            topology), a batch's hypervolume picks take a different value of it each,
            while other values remain (NAS-Bench-Graph: one pick per link pattern). Off
            by default: it gains the tuning datasets but costs NAS-Bench-Graph cs, whose
            front lives in two link patterns (README, item 11 of the strategy).
        record_picks: keep, in ``pick_log``, every model-driven pick with the numbers it
            was chosen on (for diagnosis: ``benchmarks/nbg_pick_drivers.py``).
    """

    #: Hypervolume reference point in the sampler's normalisation (0 = best measured,
    #: 1 = worst measured): a little beyond the worst, so the front's extremes count.
    REFERENCE_POINT = 1.1
    #: Local picks search the neighbours of this many best networks measured (more when
    #: those neighbours are all measured already).
    LOCAL_PARENTS = 5

    def __init__(
        self,
        space: Space,
        objectives: Sequence[Objective],
        constraints: Sequence[Constraint] = (),
        seed: int | None = None,
        n_initial: int = 10,
        batch_size: int = 6,
        beta: float = 1.0,
        max_enumerate: int = 100_000,
        predictors: tuple[str, ...] = ("gp", "bayesian_ridge"),
        initial_design: str = "spread",
        warp_outputs: bool | str = "portfolio",
        cost_optimism_floor: float | None = 0.05,
        local_picks: int = 1,
        cheap_end_picks: int = 0,
        spread_structure: bool = False,
        record_picks: bool = False,
    ):
        self.space = space
        self.objectives = list(objectives)
        self.constraints = list(constraints)
        self.seed = 0 if seed is None else int(seed)
        self.n_initial = max(1, int(n_initial))
        self.batch_size = max(1, int(batch_size))
        self.beta = float(beta)
        self.max_enumerate = int(max_enumerate)
        self.predictors = tuple(predictors)
        if initial_design not in ("spread", "random"):
            raise ValueError(f"initial_design must be 'spread' or 'random', got {initial_design!r}")
        self.initial_design = initial_design
        if warp_outputs not in (True, False, "portfolio"):
            raise ValueError(f"warp_outputs must be True, False or 'portfolio', got {warp_outputs!r}")
        self.warp_outputs = warp_outputs
        if cost_optimism_floor is not None and not cost_optimism_floor >= 0:
            raise ValueError(f"cost_optimism_floor must be None or >= 0, got {cost_optimism_floor!r}")
        self.cost_optimism_floor = cost_optimism_floor
        # per objective, the lowest normalised optimistic value allowed: costs only
        self._optimism_floor = np.array(
            [-cost_optimism_floor if cost_optimism_floor is not None and o.sign > 0 else -np.inf for o in self.objectives]
        )
        if not 0 <= int(local_picks) <= self.batch_size:
            raise ValueError(f"local_picks must be between 0 and batch_size ({self.batch_size}), got {local_picks!r}")
        # maximised objectives (negated in minimisation space): what local picks exploit
        self._maximised_columns = [j for j, o in enumerate(self.objectives) if o.sign < 0]
        self.local_picks = int(local_picks) if self._maximised_columns else 0
        if int(cheap_end_picks) < 0 or self.local_picks + int(cheap_end_picks) > self.batch_size:
            raise ValueError(f"cheap_end_picks must be 0 or more, and local_picks + cheap_end_picks at most batch_size "
                             f"({self.batch_size}); got local_picks={self.local_picks}, cheap_end_picks={cheap_end_picks!r}")
        # minimised objectives (costs): the end cheap-end picks climb from
        self._minimised_columns = [j for j, o in enumerate(self.objectives) if o.sign > 0]
        self.cheap_end_picks = int(cheap_end_picks) if self._minimised_columns else 0
        # the identity position of the space's structure dimension: one hypervolume pick per value a batch
        self._structure_position = (space.names.index(space.structure)
                                    if spread_structure and space.structure is not None else None)
        self._neighbours: dict[tuple, list[tuple]] = {}
        self.record_picks = bool(record_picks)
        self.pick_log: list[dict[str, Any]] = []
        self._distributions = {d.name: CategoricalDistribution(list(d.choices)) for d in space.dimensions}
        self._fallback = RandomSampler(seed=seed)
        self._pool: np.ndarray | None = None
        self._pool_ids: list[tuple] | None = None
        self._pool_features: np.ndarray | None = None
        self._queue: list[tuple] = []
        self._identity_cache: dict[tuple, tuple | None] = {}
        self.last_fit: dict[str, Any] = {}

    # ----- Optuna's sampler interface -------------------------------------------------

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return dict(self._distributions)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        measured, pending = self._history(study, exclude=trial.number)
        taken = set(measured) | pending
        identity = self._next(measured, taken, n_completed=len(measured))
        if identity is None:
            return {}  # the space is exhausted; Optuna falls back to sample_independent
        return self.space.decode(np.array(identity))

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        return self._fallback.sample_independent(study, trial, param_name, param_distribution)

    def reseed_rng(self) -> None:
        self._fallback.reseed_rng()

    # ----- history ------------------------------------------------------------------

    def _identity(self, params: dict) -> tuple | None:
        try:
            raw = tuple(int(i) for i in self.space.encode(params))
        except Exception:
            return None
        if raw not in self._identity_cache:
            self._identity_cache[raw] = canonical_identity(self.space, np.array(raw))
        return self._identity_cache[raw]

    def _history(self, study: Study, exclude: int) -> tuple[dict[tuple, np.ndarray | None], set[tuple]]:
        """Measured networks (identity -> minimisation objectives, None if infeasible/failed) and pending ones."""
        measured: dict[tuple, np.ndarray | None] = {}
        pending: set[tuple] = set()
        for t in study.get_trials(deepcopy=False):
            if t.number == exclude:
                continue
            identity = self._identity(t.params)
            if identity is None:
                continue
            if t.state == TrialState.RUNNING or t.state == TrialState.WAITING:
                pending.add(identity)
            elif t.state == TrialState.COMPLETE and t.values is not None:
                if identity not in measured:
                    measured[identity] = self._row(t)
            elif t.state == TrialState.FAIL:
                measured.setdefault(identity, None)  # tried and failed: do not propose again
        return measured, pending

    def _row(self, trial: FrozenTrial) -> np.ndarray | None:
        """Minimisation-space objective values plus constraint metrics, or None."""
        metrics = trial.user_attrs.get(METRICS_ATTR) or {}
        values = []
        for i, objective in enumerate(self.objectives):
            value = metrics.get(objective.name, trial.values[i] if i < len(trial.values) else None)
            if value is None or not np.isfinite(value):
                return None
            values.append(objective.sign * float(value))
        for constraint in self.constraints:
            value = metrics.get(constraint.name)
            values.append(np.nan if value is None else float(value))
        return np.array(values, dtype=float)

    # ----- proposal -----------------------------------------------------------------

    def _rng(self, n_completed: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, n_completed, len(self._queue)])

    def _next(self, measured: dict, taken: set, n_completed: int) -> tuple | None:
        while self._queue:
            candidate = self._queue.pop(0)
            if candidate not in taken:
                return candidate
        usable = sum(1 for v in measured.values() if v is not None)
        rng = self._rng(n_completed)
        if usable < self.n_initial:
            if self.initial_design == "spread":
                return self._spread_untaken(taken, rng)
            return self._random_untaken(taken, rng)
        batch = self._propose_batch(measured, taken, rng)
        if not batch:
            return self._random_untaken(taken, rng)
        self._queue = batch[1:]
        return batch[0]

    def _enumerable(self) -> bool:
        return self.space.size <= self.max_enumerate

    def _ensure_pool(self) -> None:
        if self._pool is None and self._enumerable():
            self._pool, self._pool_ids = whole_space_pool(self.space)

    def _whole_pool_or_sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[tuple]]:
        """Every canonical network of a small space, else ``n`` random canonical ones."""
        if self._enumerable():
            self._ensure_pool()
            return self._pool, self._pool_ids
        return canonical_encodings(self.space, self.space.sample(rng, n))

    def _random_untaken(self, taken: set, rng: np.random.Generator) -> tuple | None:
        if self._enumerable():
            _, ids = self._whole_pool_or_sample(rng, 0)
            free = [i for i, ident in enumerate(ids) if ident not in taken]
            return ids[int(rng.choice(free))] if free else None
        for _ in range(1000):
            identity = canonical_identity(self.space, self.space.sample(rng, 1)[0])
            if identity is not None and identity not in taken:
                return identity
        return None

    def _spread_untaken(self, taken: set, rng: np.random.Generator) -> tuple | None:
        """The candidate farthest, in feature space, from everything measured (max-min design).

        Uniform sampling over networks rarely draws the structurally extreme ones (a
        cell with one op, every layer at one width) that end a Pareto front; a
        space-filling design reaches them in the first few evaluations.
        """
        encodings, ids = self._whole_pool_or_sample(rng, 2000)
        free = np.array([ident not in taken for ident in ids], dtype=bool)
        if not free.any():
            return None
        chosen = list(taken)  # measured and pending networks alike
        if not chosen:
            return ids[int(rng.choice(np.flatnonzero(free)))]
        features = self._features_of(encodings)
        centres = self.space.features(np.array(chosen, dtype=np.int64))
        # squared distances via |a|^2 + |b|^2 - 2ab, over all candidates at once
        d2 = (features**2).sum(1)[:, None] + (centres**2).sum(1)[None, :] - 2 * features @ centres.T
        nearest = np.where(free, d2.min(axis=1), -np.inf)
        best = np.flatnonzero(nearest >= nearest.max() - 1e-9)
        return ids[int(rng.choice(best))]

    def _features_of(self, encodings: np.ndarray) -> np.ndarray:
        if encodings is self._pool:
            if self._pool_features is None:
                self._pool_features = self.space.features(encodings)
            return self._pool_features
        return self.space.features(encodings)

    def _candidates(self, front_encodings: np.ndarray, score, taken: set, rng) -> tuple[np.ndarray, list[tuple]]:
        if self._enumerable():
            self._ensure_pool()
            encodings, ids = self._pool, self._pool_ids
        else:
            raw = np.vstack(
                [
                    evolve_candidates(self.space, score, front_encodings, rng),
                    neighbourhood(self.space, front_encodings, rng),
                    self.space.sample(rng, 200),
                ]
            )
            encodings, ids = canonical_encodings(self.space, raw)
        keep = [i for i, ident in enumerate(ids) if ident not in taken]
        return encodings[keep], [ids[i] for i in keep]

    def _surrogates(self, X: np.ndarray, Y: np.ndarray) -> list[Surrogate]:
        """The surrogates whose picks alternate within a batch.

        With ``warp_outputs="portfolio"`` there are two: one on warped outputs (sharp
        at the top of a skewed accuracy distribution) and one on raw outputs (better
        where the front's accuracy spread is wide). They fail on different problems,
        and alternating hedges between them at no extra measurement.
        """
        kinds = [True, False] if self.warp_outputs == "portfolio" else [bool(self.warp_outputs)]
        return [self._surrogate(X, Y, warp=w) for w in kinds]

    def _surrogate(self, X: np.ndarray, Y: np.ndarray, warp: bool) -> Surrogate:
        """One portfolio member; a variant with another model family overrides this and keeps the portfolio."""
        return Surrogate(X, Y, warp=warp, **self._surrogate_settings())

    def _surrogate_settings(self) -> dict[str, Any]:
        """What every surrogate of this sampler is built with; a variant that builds its own passes the same."""
        return {"beta": self.beta, "predictors": self.predictors, "seed": self.seed,
                "count_columns": self.space.count_feature_columns()}

    def _propose_batch(self, measured: dict, taken: set, rng: np.random.Generator) -> list[tuple]:
        ok = [(ident, row) for ident, row in measured.items() if row is not None]
        X = self.space.features(np.array([ident for ident, _ in ok]))
        Y = np.array([row for _, row in ok])
        n_obj = len(self.objectives)

        # Normalise on what has been measured: the strategy never sees the true range.
        lower, upper = Y[:, :n_obj].min(axis=0), Y[:, :n_obj].max(axis=0)
        span = np.where(upper > lower, upper - lower, 1.0)
        surrogates = self._surrogates(X, Y)
        self.last_fit = {"n": len(Y), "models": [s.describe() for s in surrogates]}

        def optimistic_objectives(encodings: np.ndarray) -> np.ndarray:
            return self._normalised_optimistic(surrogates[0].predict(self._features_of(encodings))[1], lower, span)

        feasible_measured = self._feasible(Y[:, n_obj:], Y[:, n_obj:])
        front_rows = Y[feasible_measured][:, :n_obj]
        front_mask = pareto_mask(front_rows) if len(front_rows) else np.zeros(0, bool)
        front_encodings = np.array([ok[i][0] for i in np.flatnonzero(feasible_measured)[front_mask]], dtype=np.int64)
        front = (front_rows[front_mask] - lower) / span

        encodings, ids = self._candidates(front_encodings.reshape(-1, len(self.space)), optimistic_objectives, taken, rng)
        if len(ids) == 0:
            return []
        features = self._features_of(encodings)

        def view_of(surrogate: Surrogate) -> dict[str, np.ndarray]:
            return self._view(surrogate, features, lower, span)

        views = [view_of(surrogate) for surrogate in surrogates]

        reference = np.full(n_obj, self.REFERENCE_POINT)
        chosen: list[int] = []
        taken_now = np.zeros(len(ids), dtype=bool)
        structure = (None if self._structure_position is None
                     else np.array([identity[self._structure_position] for identity in ids]))
        structure_taken = np.zeros(len(ids), dtype=bool)
        measured_front = front
        for pick in range(min(self.batch_size - self.local_picks - self.cheap_end_picks, len(ids))):
            view = views[pick % len(views)]
            available = view["feasible"] & ~taken_now
            if not available.any():
                available = ~taken_now  # nothing predicted feasible: learn where the boundary is
            gain = self._gain(view, front, reference)
            if structure_taken.any() and not structure_taken.all():
                gain[structure_taken] = -np.inf  # spread the batch over structures (Space's ``structure``)
            gain[~available] = -np.inf
            best = int(np.argmax(gain))
            if not np.isfinite(gain[best]) or gain[best] <= 0:
                u = np.where(available, view["uncertainty"], -np.inf)
                best = int(np.argmax(u))
                if not np.isfinite(u[best]):
                    break
            chosen.append(best)
            if structure is not None:
                structure_taken |= structure == structure[best]
            if self.record_picks:
                self._log_pick("hypervolume", ids[best], pick % len(views), float(gain[best]),
                               view["optimistic"][best], view["believed"][best], front, lower, span)
            taken_now[best] = True
            front = np.vstack([front, self._joined_value(view, best)])
            front = front[pareto_mask(front)]
            views = self._after_pick(surrogates, views, view_of, features[best], view["believed"][best])
        batch = [ids[i] for i in chosen]
        parents = [ok[i] for i in np.flatnonzero(feasible_measured)]
        for pick in range(self.local_picks):
            column = self._maximised_columns[pick % len(self._maximised_columns)]
            local = self._local_pick(parents, column, surrogates[0], taken | set(batch))
            if local is None:
                break
            identity, optimistic, believed = local
            batch.append(identity)
            if self.record_picks:
                self._log_pick("local", identity, 0, float("nan"), self._normalised_optimistic(optimistic[None], lower, span)[0],
                               (believed[:n_obj] - lower) / span, front, lower, span)
        for pick in range(self.cheap_end_picks):
            column = self._minimised_columns[pick % len(self._minimised_columns)]
            cheap = self._cheap_end_pick(parents, column, surrogates[0], taken | set(batch), measured_front, lower, span)
            if cheap is None:
                break
            identity, optimistic, believed, gain = cheap
            batch.append(identity)
            if self.record_picks:
                self._log_pick("cheap_end", identity, 0, gain, self._normalised_optimistic(optimistic[None], lower, span)[0],
                               (believed[:n_obj] - lower) / span, measured_front, lower, span)
        return batch

    def _normalised_optimistic(self, optimistic: np.ndarray, lower: np.ndarray, span: np.ndarray) -> np.ndarray:
        """Objective columns of ``optimistic`` (last axis) in the sampler's units, costs floored."""
        n_obj = len(self.objectives)
        return np.maximum((optimistic[..., :n_obj] - lower) / span, self._optimism_floor)

    def _view(self, surrogate: Surrogate, features: np.ndarray, lower: np.ndarray, span: np.ndarray) -> dict[str, np.ndarray]:
        """What one surrogate says about every candidate, in the sampler's normalised units.

        A method, not inline, so that a variant scoring candidates differently can add
        what its :meth:`_gain` needs (``benchmarks/nbg_variants.py``: expected gain).
        """
        n_obj = len(self.objectives)
        mean, optimistic, std = surrogate.predict(features)
        return {
            "optimistic": self._normalised_optimistic(optimistic, lower, span),
            "believed": (mean[:, :n_obj] - lower) / span,
            "feasible": self._feasible(mean[:, n_obj:], optimistic[:, n_obj:]),
            "uncertainty": std[:, :n_obj].sum(axis=1),
        }

    def _gain(self, view: dict[str, np.ndarray], front: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """Each candidate's score: the hypervolume its optimistic prediction adds to ``front`` (a UCB)."""
        return self._improvement(view["optimistic"], front, reference)

    def _joined_value(self, view: dict[str, np.ndarray], picked: int) -> np.ndarray:
        """Where a pick joins the front for the rest of its batch: its believed value (a kriging believer).

        A method so that a variant may join it elsewhere, e.g. at its optimistic bound,
        so that later picks avoid the gain it already claims (``benchmarks/nbg_variants.py``).
        """
        return view["believed"][picked]

    def _after_pick(self, surrogates: list[Surrogate], views: list[dict], view_of, picked_features: np.ndarray,
                    picked_believed: np.ndarray) -> list[dict]:
        """What the next pick of the batch sees once a candidate is picked: the same views here.

        The pick already joins the front at its believed value (``picked_believed``,
        normalised); a variant may also condition the surrogates on it or keep its own
        record of the batch (``benchmarks/nbg_variants.py``).
        """
        return views

    def _local_pick(self, measured: list, column: int, surrogate: Surrogate, taken: set):
        """The unmeasured neighbour of the best measured networks with the best believed ``column``.

        Returns (identity, optimistic row, believed row) in metric units, or None when
        every neighbour of every measured network is taken.
        """
        found = self._neighbours_of_best(measured, column, surrogate, taken)
        if found is None:
            return None
        candidates, mean, optimistic, feasible = found
        believed = np.where(feasible, mean[:, column], np.inf)
        best = int(np.argmin(believed))
        return candidates[best], optimistic[best], mean[best]

    def _cheap_end_pick(self, measured: list, column: int, surrogate: Surrogate, taken: set, front: np.ndarray,
                        lower: np.ndarray, span: np.ndarray):
        """The unmeasured neighbour of the cheapest measured networks (in ``column``) whose believed values add the most hypervolume.

        ``front`` is the measured front in the sampler's normalisation (``lower``,
        ``span``). When no neighbour is believed to add any, the one believed best in
        the first maximised objective (else in ``column``) is taken. Returns
        (identity, optimistic row, believed row, believed gain), or None when every
        neighbour of every measured network is taken.
        """
        found = self._neighbours_of_best(measured, column, surrogate, taken)
        if found is None:
            return None
        candidates, mean, optimistic, feasible = found
        n_obj = len(self.objectives)
        gain = self._improvement((mean[:, :n_obj] - lower) / span, front, np.full(n_obj, self.REFERENCE_POINT))
        gain = np.where(feasible, gain, -np.inf)
        if gain.max() > 0:
            best = int(np.argmax(gain))
        else:
            fallback = self._maximised_columns[0] if self._maximised_columns else column
            best = int(np.argmin(np.where(feasible, mean[:, fallback], np.inf)))
        return candidates[best], optimistic[best], mean[best], float(gain[best])

    def _neighbours_of_best(self, measured: list, column: int, surrogate: Surrogate, taken: set):
        """Untaken one-change neighbours of the ``LOCAL_PARENTS`` measured networks lowest in ``column``, with predictions.

        More parents are added while every neighbour is taken. Returns (candidates,
        believed, optimistic, feasible) with feasibility all True when the models
        believe none feasible, or None when no neighbour is left.
        """
        ranked = sorted(measured, key=lambda item: item[1][column])
        n_parents = self.LOCAL_PARENTS
        while True:
            candidates = sorted({n for identity, _ in ranked[:n_parents] for n in self._neighbours_of(identity)} - taken)
            if candidates or n_parents >= len(ranked):
                break
            n_parents += self.LOCAL_PARENTS
        if not candidates:
            return None
        n_obj = len(self.objectives)
        mean, optimistic, _ = surrogate.predict(self.space.features(np.array(candidates, dtype=np.int64)))
        feasible = self._feasible(mean[:, n_obj:], optimistic[:, n_obj:])
        return candidates, mean, optimistic, feasible if feasible.any() else np.ones(len(candidates), dtype=bool)

    def _neighbours_of(self, identity: tuple) -> list[tuple]:
        if identity not in self._neighbours:
            self._neighbours[identity] = one_change_neighbours(self.space, identity)
        return self._neighbours[identity]

    def _log_pick(self, kind, identity, surrogate, gain, optimistic, believed, front, lower, span) -> None:
        self.pick_log.append(
            {
                "kind": kind,
                "identity": identity,
                "surrogate": surrogate,
                "gain": gain,
                "optimistic": np.array(optimistic, dtype=float),
                "believed": np.array(believed, dtype=float),
                "front": front.copy(),
                "lower": lower.copy(),
                "span": span.copy(),
            }
        )

    def _feasible(self, mean: np.ndarray, optimistic_low: np.ndarray) -> np.ndarray:
        """Optimistically feasible rows: each constraint met at its optimistic bound.

        ``optimistic_low`` is the prediction at mean - beta std; for a ``>=`` constraint
        the optimistic side is the mirror image around the mean.
        """
        ok = np.ones(len(mean), dtype=bool)
        for j, constraint in enumerate(self.constraints):
            low = optimistic_low[:, j]
            value = low if constraint.op == "<=" else 2 * mean[:, j] - low
            value = np.where(np.isnan(value), np.inf if constraint.op == "<=" else -np.inf, value)
            ok &= (value <= constraint.bound) if constraint.op == "<=" else (value >= constraint.bound)
        return ok

    @staticmethod
    def _improvement(points: np.ndarray, front: np.ndarray, reference: np.ndarray) -> np.ndarray:
        if points.shape[1] == 2:
            return hypervolume_improvement_2d(points, front, reference)
        base = hypervolume(front, reference)
        gains = np.zeros(len(points))
        # Exact HVI in higher dimensions is costly: score the optimistic non-dominated layer only.
        shortlist = np.flatnonzero(pareto_mask(points))[:500]
        for i in shortlist:
            gains[i] = hypervolume(np.vstack([front, points[i]]), reference) - base
        return gains

