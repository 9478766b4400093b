"""Error of the per-layer latency lookup table against direct measurement.

Builds a table for the demo's 1D CNN supernet on ONNX Runtime (1 thread, batch 1),
fits its correction on `--fit` random subnets, then predicts `--test` other random
subnets and compares with their directly measured latency.

    python benchmarks/latency_lut.py --out benchmarks/results/latency_lut.json
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

from paretonas.measure import LatencySettings, LatencyTable, measure_latency
from paretonas.models import create_supernet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supernet", default="cnn1d")
    parser.add_argument("--fit", type=int, default=10)
    parser.add_argument("--test", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/latency_lut.json")
    args = parser.parse_args()

    net = create_supernet(args.supernet, input_shape=(1, 40), num_classes=10)
    settings = LatencySettings("onnxruntime", threads=1, batch_size=1, warmup=20, repeats=200)
    rng = np.random.default_rng(args.seed)
    x = net.example_input(1)
    started = time.perf_counter()
    table = LatencyTable(settings).fit([net.extract(net.sample_config(rng)) for _ in range(args.fit)], x)
    build_seconds = time.perf_counter() - started
    predicted, measured, predict_seconds = [], [], []
    for _ in range(args.test):
        model = net.extract(net.sample_config(rng))
        clock = time.perf_counter()
        predicted.append(table.predict(model, x))
        predict_seconds.append(time.perf_counter() - clock)
        measured.append(measure_latency(model, x, settings).median_ms)
    predicted, measured = np.array(predicted), np.array(measured)
    relative = np.abs(predicted - measured) / measured
    report = {
        "command": " ".join(shlex.quote(a) for a in sys.argv), "seed": args.seed, "supernet": args.supernet,
        "settings": settings.__dict__, "fit_models": args.fit, "test_models": args.test,
        "table_entries": len(table.entries), "build_seconds": build_seconds,
        "mean_abs_relative_error": float(relative.mean()), "median_abs_relative_error": float(np.median(relative)),
        "max_abs_relative_error": float(relative.max()), "kendall_tau": float(kendalltau(predicted, measured)[0]),
        "measured_ms_range": [float(measured.min()), float(measured.max())],
        "intercept_ms": table.intercept_ms, "slope": table.slope,
        "pairs": [{"predicted_ms": float(p), "measured_ms": float(m)} for p, m in zip(predicted, measured)],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k != "pairs"}, indent=1))


if __name__ == "__main__":
    main()
