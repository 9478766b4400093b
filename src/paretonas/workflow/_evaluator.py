"""The evaluator: one subnet config in, its measured metrics out.

activate -> recalibrate batch norm -> extract a plain model -> accuracy on the
validation split, latency on the runtime, MACs, parameters, bytes. Test accuracy
is measured separately (``test_metrics``) and only for the models a report shows,
so the search never sees it.
"""

from __future__ import annotations

import math
from typing import Mapping

import torch

from paretonas.data import Task
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
from paretonas.space import Config


class SubnetEvaluator:
    def __init__(self, supernet, task: Task, latency: LatencySettings, calibration_batches: int = 8,
                 calibration_batch_size: int = 256, seed: int = 0):
        self.supernet, self.task, self.latency = supernet, task, latency
        order = torch.randperm(len(task.x_train), generator=torch.Generator().manual_seed(seed))
        self.calibration = task.x_train[order[: calibration_batches * calibration_batch_size]]
        self.calibration_batch_size = calibration_batch_size
        self.example = task.x_val[:1]
        self._memo: dict[str, dict] = {}

    def model(self, config: Mapping) -> torch.nn.Module:
        """The deployable plain model of ``config``, with its own batch-norm statistics."""
        self.supernet.activate(config)
        recalibrate_batchnorm(self.supernet, self.calibration, batches=math.ceil(
            len(self.calibration) / self.calibration_batch_size), batch_size=self.calibration_batch_size)
        return self.supernet.extract()

    def __call__(self, config: Config) -> dict:
        key = self.supernet.space.config_hash(self.supernet.space.canonical(config))
        if key in self._memo:  # the random baseline often meets the same subnets
            return dict(self._memo[key])
        model = self.model(config)
        metrics = {"val_accuracy": accuracy(model, self.task.x_val, self.task.y_val)}
        onnx = export_onnx(model, self.example) if self.latency.runtime == "onnxruntime" else None
        latency = measure_latency(onnx if onnx is not None else model, self.example, self.latency)
        metrics.update(latency.as_metrics())
        metrics.update(macs=count_macs(model, self.example), params=count_params(model),
                       model_bytes=model_bytes(model))
        self._memo[key] = metrics
        return dict(metrics)

    def test_metrics(self, config: Mapping) -> dict:
        """Test accuracy on the deployment runtime (from the exported ONNX bytes when that is
        the runtime, so re-measuring the exported file gives exactly this number) and in PyTorch."""
        model = self.model(config)
        x, y = self.task.x_test, self.task.y_test
        eager = accuracy(model, x, y)
        if self.latency.runtime == "onnxruntime":
            deployed = float((onnx_predictions(export_onnx(model, self.example), x) == y).double().mean())
        else:
            deployed = eager
        return {"test_accuracy": deployed, "test_accuracy_pytorch": eager}
