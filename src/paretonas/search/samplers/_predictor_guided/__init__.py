from paretonas.search.samplers._predictor_guided.sampler import PredictorGuidedSampler

__all__ = ["PredictorGuidedSampler"]
