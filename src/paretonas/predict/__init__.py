"""Objective predictors (scikit-learn) with uncertainty and model selection, and the
fp32-to-quantized accuracy predictor transfer."""

from paretonas.predict._additive_cost import AdditiveCostModel, fit_additive_cost, prefer_additive_cost
from paretonas.predict._models import MODEL_FACTORIES, FittedPredictor, OutputWarp, cross_validated_tau, fit_predictor, kendall_tau
from paretonas.predict._transfer import AccuracyPredictor

__all__ = ["MODEL_FACTORIES", "AccuracyPredictor", "AdditiveCostModel", "FittedPredictor", "OutputWarp", "cross_validated_tau",
           "fit_additive_cost", "fit_predictor", "kendall_tau", "prefer_additive_cost"]
