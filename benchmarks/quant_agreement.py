"""Fake-quant score against the real int8 ONNX Runtime file, and what int8 buys in latency.

For random subnets of a trained supernet (default: the demo's), random per-layer
int8/fp32 policies and both calibrations: test accuracy of the PyTorch fake-quant
model and of the QDQ int8 ONNX file, their disagreement, and ORT latency (1 thread,
batch 1) of fp32 against int8.

    python benchmarks/quant_agreement.py --checkpoint paretonas-out/bench-demo/supernet
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import numpy as np

from paretonas.compress import fake_quantize, quantizable_layers, quantize_onnx
from paretonas.data import load_task
from paretonas.measure import LatencySettings, accuracy, export_onnx, measure_latency, onnx_predictions
from paretonas.train import load_supernet
from paretonas.workflow import SubnetEvaluator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default="paretonas-out/bench-demo/supernet")
    parser.add_argument("--subnets", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/quant_agreement.json")
    args = parser.parse_args()

    supernet, _ = load_supernet(args.checkpoint)
    task = load_task("mnist1d")
    evaluator = SubnetEvaluator(supernet, task, LatencySettings())
    calibration = evaluator.calibration[:512]
    latency = LatencySettings("onnxruntime", threads=1, batch_size=1, warmup=20, repeats=300)
    rng = np.random.default_rng(args.seed)
    configs = [supernet.largest_config(), supernet.smallest_config()]
    configs += [supernet.sample_config(rng) for _ in range(args.subnets - 2)]
    rows = []
    for index, config in enumerate(configs):
        model = evaluator.model(config)
        example = task.x_val[:1]
        layers = quantizable_layers(model, example)
        fp32 = export_onnx(model, example)
        fp32_accuracy = accuracy(model, task.x_test, task.y_test)
        fp32_ms = measure_latency(fp32, example, latency).median_ms
        policies = {"all_int8": layers, "mixed": [l for l in layers if rng.random() < 0.5] or layers[:1]}
        for policy, int8 in policies.items():
            for method in ("minmax", "percentile"):
                fake = accuracy(fake_quantize(model, int8, calibration, method), task.x_test, task.y_test)
                real_bytes = quantize_onnx(fp32, layers, int8, calibration, method)
                real = float((onnx_predictions(real_bytes, task.x_test) == task.y_test).double().mean())
                rows.append({
                    "subnet": index, "policy": policy, "int8_layers": len(int8), "layers": len(layers),
                    "calibration": method, "fp32_test_accuracy": fp32_accuracy, "fake_quant_test_accuracy": fake,
                    "int8_file_test_accuracy": real, "disagreement_points": 100 * abs(fake - real),
                    "fp32_ms": fp32_ms, "int8_ms": measure_latency(real_bytes, example, latency).median_ms,
                })
                print(json.dumps({k: rows[-1][k] for k in ("subnet", "policy", "calibration", "fake_quant_test_accuracy",
                                                           "int8_file_test_accuracy", "fp32_ms", "int8_ms")}), flush=True)
    gaps = np.array([r["disagreement_points"] for r in rows])
    report = {
        "command": " ".join(shlex.quote(a) for a in sys.argv), "seed": args.seed, "checkpoint": args.checkpoint,
        "latency_settings": latency.__dict__, "candidates": len(rows),
        "disagreement_points": {"mean": float(gaps.mean()), "median": float(np.median(gaps)),
                                "p90": float(np.percentile(gaps, 90)), "max": float(gaps.max())},
        "within_half_point": float((gaps <= 0.5).mean()),
        "rows": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k != "rows"}, indent=1))


if __name__ == "__main__":
    main()
