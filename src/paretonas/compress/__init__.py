"""Compression: per-layer int8 quantization, scored by fake-quant in PyTorch and deployed as
real int8 (QDQ) ONNX Runtime models. Pruning policies come next (issue 4)."""

from paretonas.compress._fake_quant import CALIBRATIONS, calibrate_ranges, fake_quantize, quantizable_layers
from paretonas.compress._fold import fold_batchnorm
from paretonas.compress._int8_onnx import onnx_layer_nodes, quantize_onnx
from paretonas.compress._policy import (
    CALIBRATION_DIM,
    PRECISIONS,
    int8_layers,
    split_config,
    uniform_policy,
    with_quantization,
)

__all__ = [
    "CALIBRATIONS",
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
