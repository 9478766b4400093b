"""Objective predictors with uncertainty, and model selection among them.

A predictor-guided search needs two things from a model: a ranking of candidates
(so rank correlation, not RMSE, is what we select on) and an uncertainty (so the
search can tell "probably good" from "unexplored"). Every model here therefore
answers ``predict(X, return_std=True)``; all of them are scikit-learn estimators.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.stats import kendalltau
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from sklearn.linear_model import BayesianRidge
from sklearn.model_selection import KFold


def gaussian_process(seed: int = 0) -> GaussianProcessRegressor:
    """A GP on binary/count features: Matern 5/2 plus a learned noise term.

    Tabular and weight-sharing accuracies are noisy; the white-noise kernel lets the GP
    treat near-identical architectures with different scores as noise, not structure.
    """
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(length_scale=3.0, length_scale_bounds=(1e-2, 1e3), nu=2.5) + WhiteKernel(
        0.1, (1e-6, 1e1)
    )
    return GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=0, random_state=seed)


def bayesian_ridge(seed: int = 0) -> BayesianRidge:
    """A linear model with a posterior: additive effects of each choice (latency, MACs)."""
    return BayesianRidge()


MODEL_FACTORIES: dict[str, Callable[[int], object]] = {
    "gp": gaussian_process,
    "bayesian_ridge": bayesian_ridge,
}


class OutputWarp:
    """An invertible Yeo-Johnson warp of a target, fitted on the measured values.

    Accuracies have a long tail of broken networks; a GP fitted on raw values spends
    itself on that tail and loses the fine ranking at the top, where the front is.
    Warping (as HEBO does) evens the spread; being invertible, a prediction and an
    optimistic bound in warped units map back to the metric's own units, beyond the
    measured range too. Lambda is kept in [0, 2], where the inverse is defined on the
    whole real line (outside it, an optimistic bound could have no preimage).
    """

    def __init__(self, y: np.ndarray, enabled: bool = True):
        from scipy.stats import yeojohnson_normmax

        y = np.asarray(y, float)
        self.enabled = bool(enabled) and len(y) >= 3 and np.ptp(y) > 0
        if self.enabled:
            self._center, self._scale = float(np.mean(y)), float(np.std(y))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.lmbda = float(np.clip(yeojohnson_normmax(self._standard(y)), 0.0, 2.0))
            t = self._yeojohnson(self._standard(y))
            self._t_mean, self._t_std = float(np.mean(t)), float(np.std(t)) or 1.0

    def _standard(self, y):
        return (np.asarray(y, float) - self._center) / self._scale

    def _yeojohnson(self, x: np.ndarray) -> np.ndarray:
        lam, out = self.lmbda, np.empty_like(x)
        pos = x >= 0
        out[pos] = np.log1p(x[pos]) if lam == 0 else ((x[pos] + 1) ** lam - 1) / lam
        out[~pos] = -np.log1p(-x[~pos]) if lam == 2 else -((1 - x[~pos]) ** (2 - lam) - 1) / (2 - lam)
        return out

    def _yeojohnson_inverse(self, t: np.ndarray) -> np.ndarray:
        lam, out = self.lmbda, np.empty_like(t)
        pos = t >= 0
        out[pos] = np.expm1(t[pos]) if lam == 0 else (lam * t[pos] + 1) ** (1 / lam) - 1
        out[~pos] = -np.expm1(-t[~pos]) if lam == 2 else 1 - (1 - (2 - lam) * t[~pos]) ** (1 / (2 - lam))
        return out

    def forward(self, y: np.ndarray) -> np.ndarray:
        if not self.enabled:
            return np.asarray(y, float)
        return (self._yeojohnson(self._standard(y)) - self._t_mean) / self._t_std

    def inverse(self, z: np.ndarray) -> np.ndarray:
        if not self.enabled:
            return np.asarray(z, float)
        t = np.asarray(z, float) * self._t_std + self._t_mean
        return self._yeojohnson_inverse(t) * self._scale + self._center


def kendall_tau(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    if len(y_true) < 2 or np.ptp(y_true) == 0 or np.ptp(y_pred) == 0:
        return 0.0
    tau = kendalltau(y_true, y_pred).statistic
    return 0.0 if np.isnan(tau) else float(tau)


@dataclass
class FittedPredictor:
    """A fitted model, which family won the selection, and its cross-validated tau."""

    name: str
    model: object
    cv_tau: float

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean, std = self.model.predict(X, return_std=True)
        return np.asarray(mean, float), np.maximum(np.asarray(std, float), 0.0)


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        return model.fit(X, y)


def cross_validated_tau(model, X: np.ndarray, y: np.ndarray, folds: int = 3, seed: int = 0) -> float:
    """Kendall tau of out-of-fold predictions pooled over ``folds`` folds."""
    folds = min(folds, len(y))
    if folds < 2:
        return 0.0
    predictions = np.empty(len(y))
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(X):
        fitted = _fit(clone(model), X[train], y[train])
        predictions[test] = fitted.predict(X[test])
    return kendall_tau(y, predictions)


def fit_predictor(
    X: np.ndarray,
    y: np.ndarray,
    candidates: tuple[str, ...] = ("gp", "bayesian_ridge"),
    folds: int = 3,
    seed: int = 0,
) -> FittedPredictor:
    """Fit each candidate family, keep the one with the best cross-validated Kendall tau."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    unknown = [c for c in candidates if c not in MODEL_FACTORIES]
    if unknown:
        raise ValueError(f"unknown predictor(s) {unknown}; available: {sorted(MODEL_FACTORIES)}")
    if len(candidates) == 1:
        name = candidates[0]
        tau = float("nan")
    else:
        scores = {c: cross_validated_tau(MODEL_FACTORIES[c](seed), X, y, folds, seed) for c in candidates}
        name = max(candidates, key=lambda c: scores[c])  # ties keep the earlier (preferred) family
        tau = scores[name]
    model = _fit(MODEL_FACTORIES[name](seed), X, y)
    return FittedPredictor(name, model, tau)
