"""Measure `paretonas demo` against issue 3's and issue 4's targets.

- wall time of the whole demo (data, training, search + random baseline, test
  accuracy of the front, exports, report) on this machine;
- the knee target: a front model within 1 accuracy point of the largest subnet at
  1/3 or less of its latency, checked on validation *and* test accuracy, with the
  latencies of `export/knee.onnx` and `reference/full_fp32.onnx` re-measured here
  independently (ONNX Runtime, 1 thread, batch 1, 2000 runs, interleaved);
- evaluation throughput (subnets measured per minute).

    python benchmarks/demo_targets.py --out benchmarks/results/demo_targets.json
    python benchmarks/demo_targets.py --pruning structured --run-dir paretonas-out/bench-demo-pruned \
        --out benchmarks/results/demo_targets_structured.json
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort


def remeasure(paths: list[Path], runs: int = 2000) -> dict[str, float]:
    """Median latency (ms) of each file, runs interleaved so drift hits all alike."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    sessions = {p: ort.InferenceSession(str(p), options, providers=["CPUExecutionProvider"]) for p in paths}
    feeds = {p: {s.get_inputs()[0].name: np.random.default_rng(0).standard_normal((1, 1, 40)).astype(np.float32)}
             for p, s in sessions.items()}
    times = {p: [] for p in paths}
    for _ in range(50):
        for p, s in sessions.items():
            s.run(None, feeds[p])
    for _ in range(runs):
        for p, s in sessions.items():
            start = time.perf_counter_ns()
            s.run(None, feeds[p])
            times[p].append((time.perf_counter_ns() - start) / 1e6)
    return {str(p): float(np.median(t)) for p, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", default="paretonas-out/bench-demo")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/demo_targets.json")
    parser.add_argument("--pruning", action="append", default=[], help="passed to `paretonas demo --pruning`")
    args = parser.parse_args()

    command = [sys.executable, "-m", "paretonas.cli", "demo", "--out", args.run_dir, "--seed", str(args.seed)]
    for kind in args.pruning:
        command += ["--pruning", kind]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - started

    run = Path(args.run_dir)
    front = json.loads((run / "front.json").read_text())
    largest = front["reference"]["largest"]["metrics"]
    candidates = []
    for entry in front["front"]:
        m = entry["metrics"]
        candidates.append({
            "trial": entry["trial"], "val_accuracy": m["val_accuracy"], "test_accuracy": m["test_accuracy"],
            "latency_ms": m["latency_ms"], "latency_ratio": m["latency_ms"] / largest["latency_ms"],
            "val_within_1pt": m["val_accuracy"] >= largest["val_accuracy"] - 0.01,
            "test_within_1pt": m["test_accuracy"] >= largest["test_accuracy"] - 0.01,
        })
    meeting = [c for c in candidates if c["val_within_1pt"] and c["test_within_1pt"] and c["latency_ratio"] <= 1 / 3]
    knee_file, full_file = run / "export" / "knee.onnx", run / "reference" / "full_fp32.onnx"
    int8_file = run / "reference" / "full_int8.onnx"
    pruned_file = run / "reference" / "full_pruned_uniform.onnx"
    independent = remeasure([knee_file, full_file] + [p for p in (int8_file, pruned_file) if p.exists()])
    knee = front["knee"]["metrics"]
    report = {
        "command": " ".join(shlex.quote(a) for a in sys.argv),
        "demo_command": " ".join(shlex.quote(a) for a in command),
        "seed": args.seed,
        "demo_wall_seconds": wall,
        "timing": front.get("timing", {}),
        "largest": {k: largest[k] for k in ("val_accuracy", "test_accuracy", "latency_ms")},
        "knee": {"trial": front["knee"]["trial"], **{k: knee[k] for k in ("val_accuracy", "test_accuracy", "latency_ms")},
                 "latency_ratio_recorded": knee["latency_ms"] / largest["latency_ms"],
                 "latency_ms_remeasured": independent[str(knee_file)],
                 "largest_latency_ms_remeasured": independent[str(full_file)],
                 "latency_ratio_remeasured": independent[str(knee_file)] / independent[str(full_file)]},
        "front": candidates,
        "joint": None if not int8_file.exists() else {
            "knee_int8_layers": knee.get("int8_layers", 0),
            "largest_int8": {k: front["reference"]["largest_int8"]["metrics"][k]
                             for k in ("val_accuracy", "test_accuracy", "latency_ms")},
            "largest_int8_latency_ms_remeasured": independent[str(int8_file)],
            "knee_speedup_over_full_fp32": independent[str(full_file)] / independent[str(knee_file)],
            "knee_speedup_over_full_int8": independent[str(int8_file)] / independent[str(knee_file)],
            "knee_test_accuracy_minus_full_fp32_points": 100 * (knee["test_accuracy"] - largest["test_accuracy"]),
            "knee_fake_quant_minus_int8_file_test_points": 100 * (knee["test_accuracy_pytorch"] - knee["test_accuracy"]),
            "front_fake_quant_minus_int8_file_test_points": [
                100 * (e["metrics"]["test_accuracy_pytorch"] - e["metrics"]["test_accuracy"]) for e in front["front"]],
            "knee_policy": {k: v for k, v in front["knee"]["config"].items() if k.startswith(("q_", "p_", "s_"))},
        },
        "pruned_uniform": None if not pruned_file.exists() else {
            **{k: front["reference"]["largest_pruned_uniform"]["metrics"][k]
               for k in ("val_accuracy", "test_accuracy", "latency_ms", "macs")},
            "keep_ratio": front["reference"]["largest_pruned_uniform"]["config"]["uniform_keep_ratio"],
            "knee_macs": knee["macs"],
            "latency_ms_remeasured": independent[str(pruned_file)],
        },
        "models_meeting_target": meeting,
        "target_met": {"demo_under_10_minutes": wall <= 600, "knee_within_1pt_at_third_latency": bool(meeting)},
    }
    if report["joint"]:
        joint = report["joint"]
        report["target_met"].update({
            "issue4_knee_within_1pt_of_full_fp32_test": joint["knee_test_accuracy_minus_full_fp32_points"] >= -1.0,
            "issue4_knee_4x_faster_than_full_fp32": joint["knee_speedup_over_full_fp32"] >= 4.0,
            "issue4_knee_2x_faster_than_full_int8": joint["knee_speedup_over_full_int8"] >= 2.0,
            "issue4_fake_quant_within_half_point_on_front": all(
                abs(d) <= 0.5 for d in joint["front_fake_quant_minus_int8_file_test_points"]),
        })
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(json.dumps({k: report[k] for k in ("demo_wall_seconds", "largest", "knee", "joint", "pruned_uniform",
                                             "target_met")}, indent=1))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
