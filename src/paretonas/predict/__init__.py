"""Objective predictors (scikit-learn) with uncertainty and model selection, and the
fp32-to-quantized accuracy predictor transfer."""

from paretonas.predict._models import MODEL_FACTORIES, FittedPredictor, OutputWarp, cross_validated_tau, fit_predictor, kendall_tau
from paretonas.predict._transfer import AccuracyPredictor

__all__ = ["MODEL_FACTORIES", "AccuracyPredictor", "FittedPredictor", "OutputWarp", "cross_validated_tau",
           "fit_predictor", "kendall_tau"]
