"""A cost model that charges each choice value a fixed cost, wherever it is taken.

The cost of a network (latency, MACs, parameters) is close to the sum of what each of
its layers costs, and a layer's cost depends far more on *what* it is than on where
it sits: on every NAS-Bench-Graph dataset a least-squares fit of latency on the op
counts alone ranks the table better than a Gaussian process or a ridge on one-hot
positions fitted on the same 40 networks (physics: Kendall tau 0.66 against 0.51;
within its fastest 2,898 networks, 0.65 against 0.05). One parameter per value,
instead of one per (position, value), is what 40 measurements can pin down.

Costs also span orders of magnitude (physics: 0.7 ms to 70 ms). An absolute-error
fit spends itself on the slow networks' noise and leaves the fast end, where the
cheap half of a Pareto front lies, flat; the fit here minimises *relative* error
(multiplicative noise), so sub-millisecond differences among fast networks count as
much as tens of milliseconds among slow ones.

Whether a space's costs are additive in this sense is not assumed: the surrogate uses
this model for a cost only where it ranks the measured networks better out of fold
than the default families do.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from paretonas.predict._models import FittedPredictor, cross_validated_tau


class AdditiveCostModel(RegressorMixin, BaseEstimator):
    """Least squares in relative error of ``cost = c0 + sum_j c_j * X[:, columns[j]]``.

    ``columns`` are count features (:meth:`paretonas.space.Space.count_feature_columns`).
    The predictive standard deviation combines the coefficients' uncertainty with the
    fitted relative noise at the predicted cost.
    """

    def __init__(self, columns=()):
        self.columns = columns

    def _design(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, float)
        return np.hstack([X[:, np.asarray(self.columns, dtype=np.int64)], np.ones((len(X), 1))])

    def fit(self, X: np.ndarray, y: np.ndarray) -> "AdditiveCostModel":
        y = np.asarray(y, float)
        if len(y) == 0 or not (y > 0).all():
            raise ValueError("AdditiveCostModel fits positive costs only (it weighs each error by 1 / cost)")
        design = self._design(X)
        weighted = design / y[:, None]  # rows scaled by 1 / y: residuals become relative errors
        self.coef_ = np.linalg.pinv(weighted) @ np.ones(len(y))
        relative_residual = (y - design @ self.coef_) / y
        dof = max(len(y) - np.linalg.matrix_rank(weighted), 1)
        self.relative_noise_var_ = float(relative_residual @ relative_residual / dof)
        self.coef_cov_ = self.relative_noise_var_ * np.linalg.pinv(weighted.T @ weighted)
        return self

    def predict(self, X: np.ndarray, return_std: bool = False):
        design = self._design(X)
        mean = design @ self.coef_
        if not return_std:
            return mean
        var = np.einsum("ij,jk,ik->i", design, self.coef_cov_, design) + self.relative_noise_var_ * np.maximum(mean, 0.0) ** 2
        return mean, np.sqrt(np.maximum(var, 0.0))


def fit_additive_cost(X: np.ndarray, y: np.ndarray, columns, folds: int = 3, seed: int = 0) -> FittedPredictor | None:
    """The additive cost model with its cross-validated Kendall tau, or None where it does not apply.

    It applies to a positive target (a cost) in a space with count features, measured
    on at least ``folds`` networks.
    """
    y = np.asarray(y, float)
    if len(columns) == 0 or len(y) < max(folds, 2) or not (y > 0).all():
        return None
    model = AdditiveCostModel(tuple(int(c) for c in columns))
    tau = cross_validated_tau(model, X, y, folds, seed)
    return FittedPredictor("additive_cost", model.fit(X, y), tau)


def prefer_additive_cost(incumbent: FittedPredictor, X: np.ndarray, y: np.ndarray, columns, seed: int = 0) -> FittedPredictor:
    """``incumbent``, or the additive cost model where it applies to ``y`` and ranks it better out of fold.

    Kendall tau ignores monotone warps, so an incumbent fitted on warped ``y`` compares
    with the additive model fitted on ``y`` itself; whoever is returned predicts in the
    units it was fitted in (the caller unwarps when the additive model wins).
    """
    additive = fit_additive_cost(X, y, columns, seed=seed)
    if additive is not None and (np.isnan(incumbent.cv_tau) or additive.cv_tau > incumbent.cv_tau):
        return additive
    return incumbent
