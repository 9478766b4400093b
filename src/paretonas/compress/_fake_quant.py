"""Fake quantization in PyTorch: the cheap score of an int8 policy.

Weights: per output channel, symmetric int8 (7-bit range, see ``REDUCE_RANGE``).
Activations entering and leaving a quantized layer: per tensor, affine uint8, with
ranges calibrated on a few training batches by min-max or by percentile (clipping
rare outliers buys resolution for the rest). These are the conventions ONNX Runtime's static QDQ quantization uses, so the score
predicts the deployed file (``tests/test_compress.py`` and
``benchmarks/quant_agreement.py`` measure how well).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from paretonas.compress._fold import fold_batchnorm
from paretonas.errors import ParetonasError

CALIBRATIONS = ("minmax", "percentile")
PERCENTILE = 99.999
# Weights use 7 bits (ONNX Runtime's reduce_range). On CPUs without VNNI instructions
# (AVX2 only, like some of this project's machines) the u8 x s8 int8 kernels add products in
# pairs into int16 and saturate with 8-bit weights: measured here, a digits CNN lost
# 1.4 points in the int8 file while its fake-quant score lost none. With 7-bit weights
# the file and the score agree, on every CPU.
REDUCE_RANGE = True
WEIGHT_QMIN, WEIGHT_QMAX = (-64, 64) if REDUCE_RANGE else (-128, 127)
_LAYERS = (nn.Conv1d, nn.Conv2d, nn.Linear)


def quantizable_layers(model: nn.Module, example: torch.Tensor) -> list[str]:
    """Paths of the Conv/Linear layers a policy can put in int8, in the order a forward
    pass runs them (the order their nodes have in an exported ONNX graph)."""
    names = {module: name for name, module in model.named_modules()}
    order: list[str] = []
    hooks = [m.register_forward_pre_hook(lambda mod, args: order.append(names[mod]))
             for m in model.modules() if isinstance(m, _LAYERS)]
    try:
        with torch.no_grad():
            model.eval()(example)
    finally:
        for hook in hooks:
            hook.remove()
    return list(dict.fromkeys(order))


def _range(values: np.ndarray, method: str) -> tuple[float, float]:
    """A tensor's calibrated range, as ONNX Runtime's calibrator computes it.

    Its asymmetric percentile range cuts half of ``100 - PERCENTILE`` from *each* side
    (``onnxruntime.quantization.calibrate.HistogramCalibrater.compute_percentile``).
    Cutting all of it from each side, as this did before, left the fake-quant logits as
    far from the int8 file's as from fp32's.
    """
    if method == "minmax":
        low, high = float(values.min()), float(values.max())
    else:
        cut = (100 - PERCENTILE) / 2
        low, high = (float(v) for v in np.percentile(values, [cut, 100 - cut]))
    return min(low, 0.0), max(high, 0.0)


def calibrate_ranges(model: nn.Module, layers: list[str], x: torch.Tensor, method: str = "minmax",
                     batch_size: int = 256) -> dict[str, dict[str, tuple[float, float]]]:
    """Input and output range of each named layer over the calibration inputs (zero inside).

    Both are needed: ONNX Runtime's QDQ format quantizes what enters an int8 layer
    and also what leaves it, whatever consumes it next.
    """
    if method not in CALIBRATIONS:
        raise ParetonasError(f"unknown calibration {method!r}; use one of {list(CALIBRATIONS)}")
    modules = dict(model.named_modules())
    seen: dict[str, dict[str, list[torch.Tensor]]] = {name: {"input": [], "output": []} for name in layers}

    def record(name):
        def hook(module, args, output):
            seen[name]["input"].append(args[0].detach().flatten())
            seen[name]["output"].append(output.detach().flatten())
        return hook

    hooks = [modules[name].register_forward_hook(record(name)) for name in layers]
    try:
        with torch.no_grad():
            model.eval()
            for i in range(0, len(x), batch_size):
                model(x[i : i + batch_size])
    finally:
        for hook in hooks:
            hook.remove()
    return {name: {side: _range(torch.cat(chunks).numpy(), method) for side, chunks in sides.items()}
            for name, sides in seen.items()}


def _affine(low: float, high: float) -> tuple[float, int]:
    scale = max(high - low, 1e-8) / 255.0
    return scale, int(round(-low / scale))


class FakeQuantLayer(nn.Module):
    """A Conv/Linear whose input and output are fake-quantized (uint8, per tensor) and whose
    weights are fake-quantized (int8, symmetric, per output channel)."""

    def __init__(self, layer: nn.Module, ranges: dict[str, tuple[float, float]]):
        super().__init__()
        self.layer = layer
        self.scale, self.zero_point = _affine(*ranges["input"])
        self.out_scale, self.out_zero_point = _affine(*ranges["output"])
        weight = layer.weight.detach()
        absmax = weight.abs().flatten(1).max(dim=1).values.clamp_min(1e-8)
        w_scale = 2 * absmax / (WEIGHT_QMAX - WEIGHT_QMIN)
        self.quantized_weight = nn.Parameter(torch.fake_quantize_per_channel_affine(
            weight, w_scale, torch.zeros_like(w_scale, dtype=torch.int32), 0, WEIGHT_QMIN, WEIGHT_QMAX),
            requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.fake_quantize_per_tensor_affine(x, self.scale, self.zero_point, 0, 255)
        layer = self.layer
        if isinstance(layer, nn.Linear):
            out = nn.functional.linear(x, self.quantized_weight, layer.bias)
        else:
            conv = nn.functional.conv1d if isinstance(layer, nn.Conv1d) else nn.functional.conv2d
            out = conv(x, self.quantized_weight, layer.bias, layer.stride, layer.padding, layer.dilation,
                       layer.groups)
        return torch.fake_quantize_per_tensor_affine(out, self.out_scale, self.out_zero_point, 0, 255)


def fake_quantize(model: nn.Module, int8_layers: list[str], calibration: torch.Tensor,
                  method: str = "minmax") -> nn.Module:
    """A copy of ``model`` (batch norm folded) with the named layers fake-quantized to int8."""
    folded = fold_batchnorm(model)
    modules = dict(folded.named_modules())
    unknown = [name for name in int8_layers if not isinstance(modules.get(name), _LAYERS)]
    if unknown:
        raise ParetonasError(f"not quantizable layers of this model: {unknown}")
    ranges = calibrate_ranges(folded, list(int8_layers), calibration, method)
    for name in int8_layers:
        parent_name, _, attr = name.rpartition(".")
        parent = modules[parent_name] if parent_name else folded
        setattr(parent, attr, FakeQuantLayer(modules[name], ranges[name]))
    return folded.eval()
