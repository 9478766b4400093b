"""The evaluator: one subnet config in, its measured metrics out.

activate -> recalibrate batch norm -> extract a plain model -> (int8 policy: fake-quant
scores accuracy, ONNX Runtime QDQ int8 is timed) -> accuracy on the validation split,
latency on the runtime, MACs, parameters, bytes. Test accuracy is measured
separately (``test_metrics``), from the deployable file, and only for the models a
report shows, so the search never sees it.
"""

from __future__ import annotations

import json
import math
from typing import Mapping

import torch

from paretonas.compress import fake_quantize, int8_layers, quantizable_layers, quantize_onnx, split_config
from paretonas.data import Task
from paretonas.errors import ParetonasError
from paretonas.measure import (
    LatencySettings,
    accuracy,
    count_macs,
    count_params,
    export_onnx,
    measure_latency,
    model_bytes,
    onnx_predictions,
    recalibrate_batchnorm,
)
from paretonas.space import Config, Space

QUANT_CALIBRATION_SAMPLES = 512


class SubnetEvaluator:
    def __init__(self, supernet, task: Task, latency: LatencySettings, calibration_batches: int = 8,
                 calibration_batch_size: int = 256, seed: int = 0, space: Space | None = None):
        self.supernet, self.task, self.latency = supernet, task, latency
        self.space = space or supernet.space
        order = torch.randperm(len(task.x_train), generator=torch.Generator().manual_seed(seed))
        self.calibration = task.x_train[order[: calibration_batches * calibration_batch_size]]
        self.calibration_batch_size = calibration_batch_size
        self.example = task.x_val[:1]
        self._memo: dict[str, dict] = {}

    def model(self, config: Mapping) -> torch.nn.Module:
        """The plain fp32 model of ``config``'s architecture, with its own batch-norm statistics."""
        arch, _, _ = split_config(self.supernet, config)
        self.supernet.activate(arch)
        recalibrate_batchnorm(self.supernet, self.calibration, batches=math.ceil(
            len(self.calibration) / self.calibration_batch_size), batch_size=self.calibration_batch_size)
        return self.supernet.extract()

    def _compressed(self, config: Mapping):
        """(fp32 model, int8 layer paths, calibration method, all layer paths)."""
        arch, policy, method = split_config(self.supernet, config)
        model = self.model(config)
        layers = quantizable_layers(model, self.example)
        int8 = int8_layers(self.supernet, arch, policy, layers)
        if int8 and self.latency.runtime != "onnxruntime":
            raise ParetonasError("int8 policies deploy on ONNX Runtime: set measure.runtime to onnxruntime")
        return model, int8, method, layers

    def deployable_bytes(self, config: Mapping) -> bytes:
        """The ONNX file of ``config``: fp32, or int8 (QDQ) where its policy says so."""
        model, int8, method, layers = self._compressed(config)
        fp32 = export_onnx(model, self.example)
        if not int8:
            return fp32
        return quantize_onnx(fp32, layers, int8, self.calibration[:QUANT_CALIBRATION_SAMPLES], method)

    def _key(self, config: Mapping) -> str:
        try:
            return self.space.config_hash(self.space.canonical(config))
        except ParetonasError:  # a reference outside a restricted space
            return json.dumps(dict(config), sort_keys=True)

    def __call__(self, config: Config) -> dict:
        key = self._key(config)
        if key in self._memo:  # the random baseline often meets the same subnets
            return dict(self._memo[key])
        model, int8, method, layers = self._compressed(config)
        calibration = self.calibration[:QUANT_CALIBRATION_SAMPLES]
        scored = fake_quantize(model, int8, calibration, method) if int8 else model
        metrics = {"val_accuracy": accuracy(scored, self.task.x_val, self.task.y_val)}
        onnx = None
        if self.latency.runtime == "onnxruntime":
            onnx = export_onnx(model, self.example)
            if int8:
                onnx = quantize_onnx(onnx, layers, int8, calibration, method)
        latency = measure_latency(onnx if onnx is not None else model, self.example, self.latency)
        metrics.update(latency.as_metrics())
        modules = dict(model.named_modules())
        int8_weights = sum(modules[name].weight.numel() for name in int8)
        metrics.update(macs=count_macs(model, self.example), params=count_params(model),
                       model_bytes=model_bytes(model) - 3 * int8_weights, int8_layers=len(int8))
        self._memo[key] = metrics
        return dict(metrics)

    def test_metrics(self, config: Mapping) -> dict:
        """Test accuracy of the deployable file on ONNX Runtime (re-measuring the exported file
        gives exactly this number), and of the PyTorch model that scored it."""
        model, int8, method, _ = self._compressed(config)
        x, y = self.task.x_test, self.task.y_test
        scored = fake_quantize(model, int8, self.calibration[:QUANT_CALIBRATION_SAMPLES], method) if int8 else model
        eager = accuracy(scored, x, y)
        if self.latency.runtime == "onnxruntime":
            deployed = float((onnx_predictions(self.deployable_bytes(config), x) == y).double().mean())
        else:
            deployed = eager
        return {"test_accuracy": deployed, "test_accuracy_pytorch": eager}
