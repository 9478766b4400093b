"""Measurement: accuracy (after per-subnet BN recalibration), latency on a real runtime,
MACs, parameters, bytes, and per-layer latency lookup tables. Knows nothing about search."""

from paretonas.measure._accuracy import accuracy, predictions, recalibrate_batchnorm
from paretonas.measure._cost import model_bytes, count_macs, count_params
from paretonas.measure._latency import RUNTIMES, LatencyResult, LatencySettings, measure_latency
from paretonas.measure._lut import LatencyTable
from paretonas.measure._onnx import export_onnx, onnx_logits, onnx_predictions, torchscript_predictions

__all__ = [
    "RUNTIMES",
    "LatencyResult",
    "LatencySettings",
    "LatencyTable",
    "accuracy",
    "count_macs",
    "count_params",
    "export_onnx",
    "measure_latency",
    "model_bytes",
    "onnx_logits",
    "onnx_predictions",
    "predictions",
    "recalibrate_batchnorm",
    "torchscript_predictions",
]
