"""Predictor transfer (APQ): a quantized-accuracy predictor that starts from the fp32 one.

Full-precision accuracies are cheap to collect from a weight-sharing supernet and there
are many of them; quantized accuracies need a calibration pass per candidate and start
scarce. APQ (Wang et al., 2020) pre-trains the accuracy predictor on the fp32 pairs and
fine-tunes it on the few quantized ones, so what it learnt about the architecture
carries over and only the effect of the precision policy remains to be learnt.

Both kinds of sample are encoded in the *joint* space: an fp32 sample is its
architecture with the all-fp32 policy, which it is. The network is scikit-learn's
``MLPRegressor``; ``warm_start`` makes the second ``fit`` continue from the first's
weights.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor


def _network(seed: int, max_iter: int) -> MLPRegressor:
    return MLPRegressor(hidden_layer_sizes=(128, 64), alpha=1e-3, learning_rate_init=1e-3, max_iter=max_iter,
                        random_state=seed, warm_start=True)


class AccuracyPredictor:
    """An MLP on joint-space features, with targets standardised by the data it first saw."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.network: MLPRegressor | None = None
        self._mean = self._scale = None

    def _fit(self, X: np.ndarray, y: np.ndarray, max_iter: int) -> "AccuracyPredictor":
        X, y = np.asarray(X, float), np.asarray(y, float)
        if self.network is None:
            self._mean, self._scale = float(y.mean()), float(y.std()) or 1.0
            self.network = _network(self.seed, max_iter)
        else:
            self.network.set_params(max_iter=max_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.network.fit(X, (y - self._mean) / self._scale)
        return self

    def fit(self, X: np.ndarray, y: np.ndarray, max_iter: int = 400) -> "AccuracyPredictor":
        """Train from scratch (or, after :meth:`pretrained_on`, continue training)."""
        return self._fit(X, y, max_iter)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.network.predict(np.asarray(X, float)) * self._scale + self._mean

    @classmethod
    def pretrained_on(cls, X_fp32: np.ndarray, y_fp32: np.ndarray, seed: int = 0,
                      max_iter: int = 400) -> "AccuracyPredictor":
        """The fp32 predictor, ready to be fine-tuned (on a copy) with :meth:`fine_tuned`."""
        return cls(seed)._fit(X_fp32, y_fp32, max_iter)

    def fine_tuned(self, X: np.ndarray, y: np.ndarray, max_iter: int = 150) -> "AccuracyPredictor":
        """A copy trained further on quantized samples; this predictor stays as it was.

        Training stops early once the loss on the new samples stops improving. Where
        quantization barely moves accuracy (the demo's 7-bit int8), that happens almost at
        once, and the fp32 knowledge is kept intact. Forcing all ``max_iter`` epochs on a
        few noisy samples was measured to lower Kendall tau (benchmarks/predictor_transfer.py).
        """
        return copy.deepcopy(self)._fit(X, y, max_iter)
