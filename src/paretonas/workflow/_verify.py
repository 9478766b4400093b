"""`paretonas verify MODEL.onnx`: re-measure an exported file and compare with its sidecar.

Test accuracy is recomputed from the file on the task's test split (reloaded from the
sidecar's task section), and latency re-measured on ONNX Runtime at the sidecar's
threads and batch size with many more runs than the search used. Accuracy of the same
file on the same data is deterministic, so it must agree to a hair; latency agrees when
the re-measured median lies within a relative tolerance of the recorded one (timings
taken on another machine, or under load, will not).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from paretonas.data import load_task
from paretonas.errors import ParetonasError
from paretonas.measure import LatencySettings, measure_latency, onnx_predictions
from paretonas.workflow._sidecar import find_sidecar


@dataclass
class Check:
    metric: str
    recorded: float
    measured: float
    tolerance: str
    agrees: bool


def _recorded_test_accuracy(sidecar: dict) -> float | None:
    metrics = sidecar.get("metrics", {})
    for value in (metrics.get("test_accuracy"), sidecar.get("recorded_test_accuracy"),
                  sidecar.get("test_accuracy_from_file")):
        if value is not None:
            return float(value)
    return None


def verify_file(path: str | Path, repeats: int = 500, warmup: int = 50, accuracy_tolerance: float = 0.0,
                latency_tolerance: float = 0.25) -> dict:
    """Re-measure ``path`` and compare with its sidecar; ``accuracy_tolerance`` is in points."""
    path = Path(path)
    if not path.is_file():
        raise ParetonasError(f"model file {str(path)!r} does not exist")
    if path.suffix != ".onnx":
        raise ParetonasError(f"{path.name}: verify re-measures ONNX files (got {path.suffix or 'no suffix'})")
    sidecar_file = find_sidecar(path)
    if sidecar_file is None:
        raise ParetonasError(f"no sidecar for {path.name}: expected {path.name}.json or {path.stem}.json beside it")
    sidecar = json.loads(sidecar_file.read_text())
    missing = [k for k in ("task", "threads", "batch_size") if k not in sidecar]
    if missing:
        raise ParetonasError(f"{sidecar_file.name} lacks {missing}: it was written by an older paretonas; "
                             "export the model again")
    task_options = dict(sidecar["task"])
    task = load_task(task_options.pop("dataset"), **task_options)
    checks = []
    recorded_accuracy = _recorded_test_accuracy(sidecar)
    measured_accuracy = float((onnx_predictions(path, task.x_test) == task.y_test).double().mean())
    if recorded_accuracy is not None:
        checks.append(Check("test_accuracy", recorded_accuracy, measured_accuracy, f"±{accuracy_tolerance:g} points",
                            abs(measured_accuracy - recorded_accuracy) * 100 <= accuracy_tolerance + 1e-9))
    settings = LatencySettings(runtime="onnxruntime", threads=sidecar["threads"], batch_size=sidecar["batch_size"],
                               warmup=warmup, repeats=repeats)
    timing = measure_latency(path.read_bytes(), task.x_val[:1], settings).as_metrics()
    recorded_latency = sidecar.get("metrics", {}).get("latency_ms")
    if recorded_latency:
        ratio = timing["latency_ms"] / recorded_latency
        checks.append(Check("latency_ms", recorded_latency, timing["latency_ms"], f"±{100 * latency_tolerance:g} %",
                            abs(ratio - 1) <= latency_tolerance))
    return {
        "file": str(path), "sidecar": str(sidecar_file), "checks": [c.__dict__ for c in checks],
        "agrees": all(c.agrees for c in checks) and bool(checks),
        "latency": {**timing, "threads": settings.threads, "batch_size": settings.batch_size,
                    "warmup": warmup, "repeats": repeats},
        "recorded_on": sidecar.get("measured_on"),
    }
