"""The JSON sidecar beside every model file paretonas writes.

It holds what a later reader needs to trust the file without the study: the config and
scored metrics, the test accuracy measured from the file, how latency was measured
(runtime, threads, batch) and on what, and the task section to reload the test split.
``paretonas verify`` reads it back.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from paretonas.data import Task


def sidecar_path(path: Path) -> Path:
    """``model.onnx`` -> ``model.onnx.json``: an ONNX and a TorchScript export never share one."""
    return path.with_name(path.name + ".json")


def find_sidecar(path: Path) -> Path | None:
    """``model.onnx.json``, or ``model.json`` (the name the knee's sidecar has always had)."""
    for candidate in (sidecar_path(path), path.with_suffix(".json")):
        if candidate.is_file():
            return candidate
    return None


def measurement_record(config, latency, task: Task) -> dict:
    """How and where a model was measured, and how to reload its data."""
    try:
        import onnxruntime

        ort_version = onnxruntime.__version__
    except ImportError:  # pragma: no cover - a dependency
        ort_version = None
    return {
        "runtime": latency.runtime, "threads": latency.threads, "batch_size": latency.batch_size,
        "input": {"name": "input", "shape": ["batch", *task.input_shape], "dtype": "float32"},
        "task": config.task.model_dump(),
        "measured_on": {"machine": platform.machine(), "processor": platform.processor() or platform.machine(),
                        "cpus": os.cpu_count(), "python": platform.python_version(), "onnxruntime": ort_version},
    }


def write_sidecar(path: Path, record: dict) -> Path:
    target = sidecar_path(path)
    target.write_text(json.dumps(record, indent=1))
    return target
