"""The evaluator: one subnet config in, its measured metrics out.

activate -> recalibrate batch norm -> extract a plain model -> (pruning policy: remove
channels, zero weights, re-estimate batch norm) -> (int8 policy: fake-quant scores
accuracy, ONNX Runtime QDQ int8 is timed) -> accuracy on the validation split, latency on
the runtime, MACs, parameters, bytes, compressed bytes. Test accuracy is measured
separately (``test_metrics``), from the deployable file, and only for the models a
report shows, so the search never sees it.
"""

from __future__ import annotations

import copy
import json
import math
import zlib
from dataclasses import dataclass
from typing import Mapping

import torch

from paretonas.compress import (
    fake_quantize,
    group_layers,
    int8_layers,
    prune_groups,
    prune_uniform,
    quantizable_layers,
    quantize_onnx,
    sparsify,
    split_config,
    zero_fraction,
)
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

    def _recalibrate(self, model: torch.nn.Module) -> None:
        recalibrate_batchnorm(model, self.calibration, batches=math.ceil(
            len(self.calibration) / self.calibration_batch_size), batch_size=self.calibration_batch_size)

    def model(self, config: Mapping) -> torch.nn.Module:
        """The plain fp32 model of ``config``'s architecture, with its own batch-norm statistics."""
        arch, _ = split_config(self.supernet, config)
        self.supernet.activate(arch)
        self._recalibrate(self.supernet)
        return self.supernet.extract()

    def _candidate(self, model: torch.nn.Module, int8: list[str], method: str,
                   layers: list[str] | None = None) -> "_Candidate":
        if int8 and self.latency.runtime != "onnxruntime":
            raise ParetonasError("int8 policies deploy on ONNX Runtime: set measure.runtime to onnxruntime")
        layers = layers if layers is not None else quantizable_layers(model, self.example)
        return _Candidate(model, layers, int8, method, self.calibration[:QUANT_CALIBRATION_SAMPLES], self.example)

    def _compressed(self, config: Mapping) -> "_Candidate":
        arch, policy = split_config(self.supernet, config)
        model = self.model(config)
        if policy.keep:
            prune_groups(model, self.supernet.group_paths(arch), policy.keep)
        layers = quantizable_layers(model, self.example)
        for group, sparsity in policy.sparsity.items():
            sparsify(model, group_layers(self.supernet, arch, {group: sparsity}, layers), sparsity)
        if policy.prunes:  # the kept channels' statistics shift once others are gone
            self._recalibrate(model)
        int8 = int8_layers(self.supernet, arch, policy.precision, layers)
        return self._candidate(model, int8, policy.calibration, layers)

    def uniformly_pruned_to_macs(self, target_macs: float, steps: int = 12) -> tuple[float, "_Candidate"]:
        """The largest subnet in fp32 with every channel set, residual ones included, pruned
        to the largest single keep-ratio (bisection) that leaves at most ``target_macs``:
        the baseline a joint search has to beat. Returns (keep-ratio, candidate)."""
        base = self.model(self.supernet.largest_config())

        def pruned(ratio: float) -> torch.nn.Module:
            model = copy.deepcopy(base)
            prune_uniform(model, ratio)
            return model

        low, high = 0.0, 1.0
        for _ in range(steps):
            middle = (low + high) / 2
            if count_macs(pruned(middle), self.example) <= target_macs:
                low = middle
            else:
                high = middle
        ratio = max(low, 1e-3)
        model = pruned(ratio)
        self._recalibrate(model)
        return ratio, self._candidate(model, [], "minmax")

    def compressed_model(self, config: Mapping) -> torch.nn.Module:
        """The fp32 PyTorch model of ``config`` after its pruning policy (int8 deploys as ONNX only)."""
        return self._compressed(config).model

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
        metrics = self.measure(self._compressed(config))
        self._memo[key] = metrics
        return dict(metrics)

    def measure(self, candidate: "_Candidate") -> dict:
        """Validation accuracy (fake-quant where int8), latency of the deployable model, costs."""
        model, int8 = candidate.model, candidate.int8
        metrics = {"val_accuracy": accuracy(candidate.scored(), self.task.x_val, self.task.y_val)}
        deployable = candidate.onnx() if self.latency.runtime == "onnxruntime" else None
        metrics.update(measure_latency(deployable or model, self.example, self.latency).as_metrics())
        modules = dict(model.named_modules())
        int8_weights = sum(modules[name].weight.numel() for name in int8)
        file_bytes = deployable if deployable is not None else export_onnx(model, self.example)
        metrics.update(macs=count_macs(model, self.example), params=count_params(model),
                       model_bytes=model_bytes(model) - 3 * int8_weights, int8_layers=len(int8),
                       compressed_bytes=len(zlib.compress(file_bytes, 6)),
                       weight_sparsity=zero_fraction(model, candidate.layers))
        return metrics

    def test_metrics(self, config: Mapping) -> dict:
        """Test accuracy of the deployable file on ONNX Runtime (re-measuring the exported file
        gives exactly this number), and of the PyTorch model that scored it."""
        return self.test(self._compressed(config))

    def test(self, candidate: "_Candidate") -> dict:
        x, y = self.task.x_test, self.task.y_test
        eager = accuracy(candidate.scored(), x, y)
        if self.latency.runtime == "onnxruntime":
            deployed = float((onnx_predictions(candidate.onnx(), x) == y).double().mean())
        else:
            deployed = eager
        return {"test_accuracy": deployed, "test_accuracy_pytorch": eager}
