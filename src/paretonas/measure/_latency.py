"""Latency measured on a runtime: warm-up, repeats, median and spread."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from paretonas.errors import ParetonasError
from paretonas.measure._onnx import export_onnx, onnx_session

RUNTIMES = ("onnxruntime", "pytorch")


@dataclass(frozen=True)
class LatencySettings:
    runtime: str = "onnxruntime"
    threads: int = 1
    batch_size: int = 1
    warmup: int = 10
    repeats: int = 50

    def __post_init__(self):
        if self.runtime not in RUNTIMES:
            raise ParetonasError(f"unknown runtime {self.runtime!r} (measure.runtime); use one of {list(RUNTIMES)}")
        for name in ("threads", "batch_size", "repeats"):
            if getattr(self, name) < 1:
                raise ParetonasError(f"measure.{name} must be at least 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class LatencyResult:
    median_ms: float
    p10_ms: float
    p90_ms: float
    runtime: str
    threads: int
    batch_size: int
    repeats: int

    def as_metrics(self) -> dict:
        return {"latency_ms": self.median_ms, "latency_p10_ms": self.p10_ms, "latency_p90_ms": self.p90_ms}

    def as_dict(self) -> dict:
        return asdict(self)


def _timed(run, warmup: int, repeats: int) -> np.ndarray:
    for _ in range(warmup):
        run()
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter_ns()
        run()
        times[i] = (time.perf_counter_ns() - start) / 1e6
    return times


def measure_latency(model: nn.Module | bytes, example: torch.Tensor, settings: LatencySettings) -> LatencyResult:
    """Time ``model`` on ``settings.runtime`` with inputs shaped like ``example`` at the set batch.

    ``model`` may be ONNX bytes already exported (onnxruntime only), which saves an
    export when the caller has one.
    """
    batch = example[:1].expand(settings.batch_size, *example.shape[1:]).contiguous()
    if settings.runtime == "onnxruntime":
        data = model if isinstance(model, bytes) else export_onnx(model, batch)
        session = onnx_session(data, settings.threads)
        feed = {session.get_inputs()[0].name: batch.numpy()}
        times = _timed(lambda: session.run(None, feed), settings.warmup, settings.repeats)
    else:
        if isinstance(model, bytes):
            raise ParetonasError("the pytorch runtime times a torch module, not ONNX bytes")
        previous = torch.get_num_threads()
        torch.set_num_threads(settings.threads)
        model.eval()
        try:
            with torch.inference_mode():
                times = _timed(lambda: model(batch), settings.warmup, settings.repeats)
        finally:
            torch.set_num_threads(previous)
    p10, median, p90 = np.percentile(times, [10, 50, 90])
    return LatencyResult(float(median), float(p10), float(p90), settings.runtime, settings.threads,
                         settings.batch_size, settings.repeats)
