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
from dataclasses import dataclass
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


@dataclass
class _Candidate:
    """One config's fp32 model and precision policy: what is scored and what is deployed."""

    model: torch.nn.Module
    layers: list[str]  # every Conv/Linear path, in execution order
    int8: list[str]  # those the policy puts in int8
    method: str  # activation calibration
    calibration: torch.Tensor
    example: torch.Tensor

    def scored(self) -> torch.nn.Module:
        """The PyTorch model whose accuracy stands for the deployed file's (fake-quant if int8)."""
        return fake_quantize(self.model, self.int8, self.calibration, self.method) if self.int8 else self.model

    def onnx(self) -> bytes:
        fp32 = export_onnx(self.model, self.example)
        return quantize_onnx(fp32, self.layers, self.int8, self.calibration, self.method) if self.int8 else fp32


def evaluator_for(config, supernet, task: Task, space: Space | None = None) -> "SubnetEvaluator":
    """The evaluator a run config's ``measure`` section describes."""
    measure = config.measure
    latency = LatencySettings(**measure.model_dump(exclude={"calibration_batches", "calibration_batch_size"}))
    return SubnetEvaluator(supernet, task, latency, measure.calibration_batches, measure.calibration_batch_size,
                           space=space)


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

    def _compressed(self, config: Mapping) -> "_Candidate":
        arch, policy, method = split_config(self.supernet, config)
        model = self.model(config)
        layers = quantizable_layers(model, self.example)
        int8 = int8_layers(self.supernet, arch, policy, layers)
        if int8 and self.latency.runtime != "onnxruntime":
            raise ParetonasError("int8 policies deploy on ONNX Runtime: set measure.runtime to onnxruntime")
        return _Candidate(model, layers, int8, method, self.calibration[:QUANT_CALIBRATION_SAMPLES], self.example)

    def deployable_bytes(self, config: Mapping) -> bytes:
        """The ONNX file of ``config``: fp32, or int8 (QDQ) where its policy says so."""
        return self._compressed(config).onnx()

    def _key(self, config: Mapping) -> str:
        try:
            return self.space.config_hash(self.space.canonical(config))
        except ParetonasError:  # a reference outside a restricted space
            return json.dumps(dict(config), sort_keys=True)

    def __call__(self, config: Config) -> dict:
        key = self._key(config)
        if key in self._memo:  # the random baseline often meets the same subnets
            return dict(self._memo[key])
        candidate = self._compressed(config)
        model, int8 = candidate.model, candidate.int8
        metrics = {"val_accuracy": accuracy(candidate.scored(), self.task.x_val, self.task.y_val)}
        timed = candidate.onnx() if self.latency.runtime == "onnxruntime" else model
        metrics.update(measure_latency(timed, self.example, self.latency).as_metrics())
        modules = dict(model.named_modules())
        int8_weights = sum(modules[name].weight.numel() for name in int8)
        metrics.update(macs=count_macs(model, self.example), params=count_params(model),
                       model_bytes=model_bytes(model) - 3 * int8_weights, int8_layers=len(int8))
        self._memo[key] = metrics
        return dict(metrics)

    def test_metrics(self, config: Mapping) -> dict:
        """Test accuracy of the deployable file on ONNX Runtime (re-measuring the exported file
        gives exactly this number), and of the PyTorch model that scored it."""
        candidate = self._compressed(config)
        x, y = self.task.x_test, self.task.y_test
        eager = accuracy(candidate.scored(), x, y)
        if self.latency.runtime == "onnxruntime":
            deployed = float((onnx_predictions(candidate.onnx(), x) == y).double().mean())
        else:
            deployed = eager
        return {"test_accuracy": deployed, "test_accuracy_pytorch": eager}
