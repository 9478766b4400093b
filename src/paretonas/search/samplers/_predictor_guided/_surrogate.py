"""One surrogate of every objective and constraint metric: fitted predictors plus output warps."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from paretonas.predict import OutputWarp, fit_predictor, prefer_additive_cost


class Surrogate:
    """Predicts believed values (mean) and optimistic ones (mean - beta std) in metric units.

    Columns of ``Y`` are minimisation-space objectives followed by constraint metrics;
    NaN entries (a metric not recorded) are left out of that column's fit.

    A cost column (positive values: latency, MACs, size) may instead be predicted by
    :class:`paretonas.predict.AdditiveCostModel` on ``count_columns``, unwarped, where
    that model ranks the measured networks better out of fold than the column's own
    model selection does.
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray, *, warp: bool, beta: float, predictors: tuple[str, ...], seed: int,
                 count_columns: Sequence[int] = ()):
        self.beta = beta
        self.models, self.warps = [], []
        for column in Y.T:
            finite = np.isfinite(column)
            y = column[finite]
            warp_j = OutputWarp(y, enabled=warp)
            fitted = self.fit_column(len(self.models), X[finite], warp_j.forward(y), predictors, seed)
            model = prefer_additive_cost(fitted, X[finite], y, count_columns, seed=seed)
            if model is not fitted:
                warp_j = OutputWarp(y, enabled=False)  # the additive model predicts costs in their own units
            self.warps.append(warp_j)
            self.models.append(model)

    def fit_column(self, column: int, X: np.ndarray, y: np.ndarray, predictors: tuple[str, ...], seed: int):
        """The model of one column: model selection among ``predictors`` here; a variant may fit another family."""
        return fit_predictor(X, y, candidates=predictors, seed=seed)

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Believed values, optimistic values (both in metric units) and predictive standard deviations.

        The deviations are scikit-learn's ``return_std``: a new measurement's spread, the
        fitted observation noise included (optimism on the latent spread alone was
        measured and not adopted: benchmarks/NBG_EXPERIMENTS.md, session 35).
        """
        believed, optimistic, stds = [], [], []
        for column, (model, warp) in enumerate(zip(self.models, self.warps)):
            mean, std = model.predict(features)
            believed.append(warp.inverse(mean))
            optimistic.append(warp.inverse(mean - self.optimism(column) * std))
            stds.append(std)
        return np.column_stack(believed), np.column_stack(optimistic), np.column_stack(stds)

    def optimism(self, column: int) -> float:
        """Standard deviations of optimism for ``column``: one ``beta`` for all here; a variant may differ."""
        return self.beta

    def describe(self) -> list[tuple[str, float]]:
        return [(m.name, m.cv_tau) for m in self.models]
