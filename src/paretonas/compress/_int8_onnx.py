"""Real int8: ONNX Runtime static quantization in QDQ format, layer by layer.

Layers the policy leaves in fp32 are excluded by node name, so they stay fp32 in the
file. Node names come from matching the graph's weighted Conv/Gemm/MatMul nodes, in
graph order, with the model's Conv/Linear layers in execution order.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch

from paretonas.compress._fake_quant import CALIBRATIONS, PERCENTILE, REDUCE_RANGE
from paretonas.errors import ParetonasError

_WEIGHTED_OPS = ("Conv", "Gemm", "MatMul")


def onnx_layer_nodes(model: onnx.ModelProto, layers: list[str]) -> dict[str, str]:
    """{layer path: ONNX node name} for the weighted nodes of an exported model."""
    initializers = {init.name for init in model.graph.initializer}
    nodes = [n.name for n in model.graph.node
             if n.op_type in _WEIGHTED_OPS and any(i in initializers for i in n.input[1:])]
    if len(nodes) != len(layers):
        raise ParetonasError(f"the ONNX graph has {len(nodes)} weighted nodes but the model {len(layers)} layers")
    return dict(zip(layers, nodes))


@contextlib.contextmanager
def _quiet_logging():
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


class _Batches:
    """ONNX Runtime's CalibrationDataReader protocol over a tensor."""

    def __init__(self, name: str, x: torch.Tensor, batch_size: int):
        self.items = iter([{name: x[i : i + batch_size].numpy().astype(np.float32)}
                           for i in range(0, len(x), batch_size)])

    def get_next(self):
        return next(self.items, None)


def quantize_onnx(fp32: bytes, layers: list[str], int8_layers: list[str], calibration: torch.Tensor,
                  method: str = "minmax", batch_size: int = 256) -> bytes:
    """Quantize the named layers of an exported fp32 model to int8 (QDQ); the rest stay fp32.

    ``layers`` are all Conv/Linear paths in execution order
    (:func:`paretonas.compress.quantizable_layers`).
    """
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    if method not in CALIBRATIONS:
        raise ParetonasError(f"unknown calibration {method!r}; use one of {list(CALIBRATIONS)}")
    model = onnx.load_from_string(fp32)
    mapping = onnx_layer_nodes(model, layers)
    if not int8_layers:
        return fp32
    # The quantizer prints its calibration progress; a search runs it hundreds of times.
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()), _quiet_logging():
        source, target = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        source.write_bytes(fp32)
        quantize_static(
            str(source), str(target), _Batches(model.graph.input[0].name, calibration, batch_size),
            quant_format=QuantFormat.QDQ, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
            per_channel=True, reduce_range=REDUCE_RANGE, op_types_to_quantize=list(_WEIGHTED_OPS),
            nodes_to_quantize=[mapping[name] for name in int8_layers],
            calibrate_method=CalibrationMethod.MinMax if method == "minmax" else CalibrationMethod.Percentile,
            extra_options={"CalibPercentile": PERCENTILE, "CalibTensorRangeSymmetric": False},
        )
        return target.read_bytes()
