"""`paretonas demo`: the whole product on MNIST-1D, offline, in a few minutes."""

from __future__ import annotations

from paretonas.workflow._config import RunConfig, parse_config


def demo_config(out: str = "paretonas-out/demo", epochs: int = 25, budget: int = 50, seed: int = 0,
                pruning: tuple[str, ...] = ()) -> RunConfig:
    """MNIST-1D (generated), the 1D CNN supernet with a per-layer int8/fp32 policy, accuracy
    against ONNX Runtime latency at batch 1; the report still shows the uniformly pruned
    baseline.

    Pruning dimensions are off by default, because measured they did not pay here. The
    supernet's elastic widths already give *trained* narrow networks. L1 channel pruning
    without fine-tuning loses accuracy: pruned uniformly to the knee's MACs, test
    accuracy fell to 0.31. Adding ten keep-ratio dimensions to a 50-network search
    diluted it: the knee was 3.1x faster than full fp32, against 8.0x without them
    (benchmarks/results/demo_targets_structured.json). ``paretonas demo --pruning
    structured`` turns them on."""
    return parse_config({
        "task": {"dataset": "mnist1d", "seed": seed},
        "supernet": {"name": "cnn1d"},
        "train": {"epochs": epochs, "seed": seed},
        "measure": {"runtime": "onnxruntime", "threads": 1, "batch_size": 1},
        "search": {"objectives": ["val_accuracy:max", "latency_ms:min"], "strategy": "default", "budget": budget,
                   "seed": seed, "study": "demo", "quantization": True,
                   "pruning": list(pruning)},
        "out": out,
    }, "demo")
