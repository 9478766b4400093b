"""Compression: per-layer int8 quantization, scored by fake-quant in PyTorch and deployed as
real int8 (QDQ) ONNX Runtime models; structured channel pruning (a smaller dense model) and
unstructured magnitude sparsity (a smaller compressed file only)."""

from paretonas.compress._fake_quant import CALIBRATIONS, calibrate_ranges, fake_quantize, quantizable_layers
from paretonas.compress._fold import fold_batchnorm
from paretonas.compress._int8_onnx import onnx_layer_nodes, quantize_onnx
from paretonas.compress._policy import (
    CALIBRATION_DIM,
    KEEP_RATIOS,
    PRECISIONS,
    PRUNING_KINDS,
    SPARSITIES,
    Policy,
    group_layers,
    int8_layers,
    joint_space,
    prunable_groups,
    split_config,
    uncompressed,
    uniform_policy,
    with_quantization,
)
from paretonas.compress._prune import (
    ChannelSet,
    channel_sets,
    prune_channel_set,
    prune_groups,
    prune_uniform,
    sets_by_group,
    sparsify,
    zero_fraction,
)

__all__ = [
    "CALIBRATIONS",
    "KEEP_RATIOS",
    "PRUNING_KINDS",
    "SPARSITIES",
    "ChannelSet",
    "Policy",
    "channel_sets",
    "group_layers",
    "joint_space",
    "prunable_groups",
    "prune_channel_set",
    "prune_groups",
    "prune_uniform",
    "sets_by_group",
    "sparsify",
    "uncompressed",
    "zero_fraction",
    "CALIBRATION_DIM",
    "PRECISIONS",
    "int8_layers",
    "split_config",
    "uniform_policy",
    "with_quantization",
    "calibrate_ranges",
    "fake_quantize",
    "fold_batchnorm",
    "onnx_layer_nodes",
    "quantizable_layers",
    "quantize_onnx",
]
