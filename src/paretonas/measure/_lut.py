"""Per-layer latency lookup tables: measure each distinct layer once, predict whole nets.

Measuring every candidate end to end costs one export and a few hundred runs; a
table of per-unit latencies, built once for a device and runtime setting, predicts
a new subnet in microseconds. Units are the top-level layers and blocks of an
extracted (plain) model, keyed by their exact shape and input shape. Running one
unit alone adds a fixed per-call cost, so the prediction is ``a + b * sum(units)``
with ``a`` and ``b`` fitted on a few directly measured models; the error against
direct measurement on other models is what ``benchmarks/latency_lut.py`` reports.
Each unit's entry has the runtime's fixed per-call cost (measured on an identity
graph) taken off, so that nets with more units are not charged that cost per unit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable

import numpy as np
import torch
from torch import nn

from paretonas.measure._latency import LatencySettings, measure_latency

def _units(model: nn.Module, example: torch.Tensor) -> list[tuple[str, nn.Module, torch.Tensor]]:
    """(key, unit, input) for each unit, flattening nested Sequentials (stages)."""
    units: list[tuple[str, nn.Module, torch.Tensor]] = []

    def walk(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        if isinstance(module, nn.Sequential) and len(module) > 0:
            for child in module:
                x = walk(child, x)
            return x
        key = re.sub(r"\s+", " ", repr(module)) + f" @ {tuple(x.shape)}"
        units.append((key, module, x))
        return module(x)

    model.eval()
    with torch.no_grad():
        walk(model, example)
    return units


class LatencyTable:
    """Latency of each distinct unit on one runtime setting, plus a fitted linear correction."""

    def __init__(self, settings: LatencySettings, entries: dict[str, float] | None = None,
                 intercept_ms: float = 0.0, slope: float = 1.0, call_overhead_ms: float | None = None):
        self.settings = settings
        self.entries: dict[str, float] = dict(entries or {})
        self.intercept_ms, self.slope = intercept_ms, slope
        self.call_overhead_ms = call_overhead_ms

    def _overhead(self, x: torch.Tensor) -> float:
        if self.call_overhead_ms is None:
            self.call_overhead_ms = measure_latency(_Passthrough(), x, self.settings).median_ms
        return self.call_overhead_ms

    def unit_sum(self, model: nn.Module, example: torch.Tensor) -> float:
        """Sum of the table's unit latencies, measuring any unit not yet in the table."""
        total = 0.0
        for key, unit, x in _units(model, example[:1]):
            if key not in self.entries:
                self.entries[key] = max(0.0, measure_latency(unit, x, self.settings).median_ms - self._overhead(x))
            total += self.entries[key]
        return total

    def fit(self, models: Iterable[nn.Module], example: torch.Tensor) -> "LatencyTable":
        """Fit ``latency = a + b * unit_sum`` on models measured end to end."""
        sums, direct = [], []
        for model in models:
            sums.append(self.unit_sum(model, example))
            direct.append(measure_latency(model, example, self.settings).median_ms)
        if len(sums) >= 2 and np.ptp(sums) > 0:
            self.slope, self.intercept_ms = (float(v) for v in np.polyfit(sums, direct, 1))
        else:
            self.slope, self.intercept_ms = 1.0, float(np.mean(direct) - np.mean(sums)) if sums else 0.0
        return self

    def predict(self, model: nn.Module, example: torch.Tensor) -> float:
        return self.intercept_ms + self.slope * self.unit_sum(model, example)

    def to_json(self) -> dict:
        return {"settings": self.settings.__dict__, "intercept_ms": self.intercept_ms, "slope": self.slope,
                "call_overhead_ms": self.call_overhead_ms, "entries": self.entries}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1))

    @classmethod
    def load(cls, path: str | Path) -> "LatencyTable":
        data = json.loads(Path(path).read_text())
        return cls(LatencySettings(**data["settings"]), data["entries"], data["intercept_ms"], data["slope"],
                   data.get("call_overhead_ms"))


class _Passthrough(nn.Module):
    """The cheapest graph a runtime can run: its latency is the fixed cost of one call."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 1.0
