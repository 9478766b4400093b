"""`paretonas demo`: the whole product on MNIST-1D, offline, in a few minutes."""

from __future__ import annotations

from paretonas.workflow._config import RunConfig, parse_config


def demo_config(out: str = "paretonas-out/demo", epochs: int = 25, budget: int = 50, seed: int = 0) -> RunConfig:
    """MNIST-1D (generated), the 1D CNN supernet with a per-layer int8/fp32 policy, accuracy
    against ONNX Runtime latency at batch 1."""
    return parse_config({
        "task": {"dataset": "mnist1d", "seed": seed},
        "supernet": {"name": "cnn1d"},
        "train": {"epochs": epochs, "seed": seed},
        "measure": {"runtime": "onnxruntime", "threads": 1, "batch_size": 1},
        "search": {"objectives": ["val_accuracy:max", "latency_ms:min"], "strategy": "default", "budget": budget,
                   "seed": seed, "study": "demo", "quantization": True},
        "out": out,
    }, "demo")
