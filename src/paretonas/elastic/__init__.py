"""Elastic PyTorch layers: maximal weights, run and extracted at any smaller shape."""

from paretonas.elastic._blocks import (
    ElasticBasicBlock,
    ElasticInvertedResidual,
    ElasticStage,
    ElasticTransformerLayer,
)
from paretonas.elastic._layers import (
    ElasticBatchNorm,
    ElasticConv,
    ElasticLayerNorm,
    ElasticLinear,
    ElasticModule,
    ElasticSelfAttention,
)

__all__ = [
    "ElasticBasicBlock",
    "ElasticBatchNorm",
    "ElasticConv",
    "ElasticInvertedResidual",
    "ElasticLayerNorm",
    "ElasticLinear",
    "ElasticModule",
    "ElasticSelfAttention",
    "ElasticStage",
    "ElasticTransformerLayer",
]
