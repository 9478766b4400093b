"""Objective predictors (scikit-learn) with uncertainty and model selection."""

from paretonas.predict._models import MODEL_FACTORIES, FittedPredictor, OutputWarp, cross_validated_tau, fit_predictor, kendall_tau

__all__ = ["MODEL_FACTORIES", "FittedPredictor", "OutputWarp", "cross_validated_tau", "fit_predictor", "kendall_tau"]
