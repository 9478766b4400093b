"""Predictor transfer (APQ): how many quantized evaluations does starting the quantized-
accuracy predictor from the fp32 one save, for the same Kendall tau?

On a trained supernet (the demo's, by default):
1. measure validation accuracy of ``--fp32`` random architectures in fp32 (cheap);
2. measure fake-quant validation accuracy of ``--quantized`` random joint configs
   (architecture + per-layer fp32/int8 policy + calibration), the number the search
   scores quantized candidates by; ``--test`` more are held out;
3. for each number n of quantized samples and each seed, fit
   - *scratch*: the MLP on the n quantized samples only,
   - *scratch-gp*: our search's own predictor (GP / Bayesian ridge, model selection),
   - *transfer*: the MLP pre-trained on the fp32 samples, fine-tuned on the n;
   and take Kendall tau on the held-out set;
4. saved evaluations at n: the n' where scratch's tau curve (interpolated) reaches
   transfer's tau at n, minus n.

    python benchmarks/predictor_transfer.py --checkpoint paretonas-out/bench-demo/supernet
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from paretonas.compress import uncompressed, with_quantization
from paretonas.data import load_task
from paretonas.measure import LatencySettings, accuracy
from paretonas.predict import AccuracyPredictor, fit_predictor, kendall_tau
from paretonas.train import load_supernet
from paretonas.workflow import SubnetEvaluator


def _measure(evaluator, configs, label):
    scores, started = [], time.perf_counter()
    for i, config in enumerate(configs):
        candidate = evaluator._compressed(config)
        scores.append(accuracy(candidate.scored(), evaluator.task.x_val, evaluator.task.y_val))
        if (i + 1) % 50 == 0:
            print(f"  {label}: {i + 1}/{len(configs)} ({time.perf_counter() - started:.0f} s)", flush=True)
    return scores, time.perf_counter() - started


def collect(checkpoint: str, n_fp32: int, n_quantized: int, seed: int) -> dict:
    supernet, _ = load_supernet(checkpoint)
    task = load_task("mnist1d", seed=seed)
    space = with_quantization(supernet)
    evaluator = SubnetEvaluator(supernet, task, LatencySettings(), space=space)
    rng = np.random.default_rng(seed)
    seen, fp32, quantized = set(), [], []
    while len(fp32) < n_fp32:
        config = uncompressed(space, supernet.sample_config(rng))
        key = space.config_hash(space.canonical(config))
        if key not in seen:
            seen.add(key)
            fp32.append(space.canonical(config))
    while len(quantized) < n_quantized:
        config = space.canonical(space.decode(space.sample(rng, 1)[0]))
        key = space.config_hash(config)
        if key not in seen and any(v == "int8" for k, v in config.items() if k.startswith("q_")):
            seen.add(key)
            quantized.append(config)
    print(f"measuring {n_fp32} fp32 architectures and {n_quantized} quantized configs")
    fp32_scores, fp32_seconds = _measure(evaluator, fp32, "fp32")
    quantized_scores, quantized_seconds = _measure(evaluator, quantized, "quantized")
    return {"fp32": {"configs": fp32, "val_accuracy": fp32_scores, "seconds": fp32_seconds},
            "quantized": {"configs": quantized, "val_accuracy": quantized_scores, "seconds": quantized_seconds}}


def crossing(sizes: list[int], taus: list[float], target: float) -> float | None:
    """Smallest n (linear interpolation) at which the tau curve reaches ``target``."""
    if taus[0] >= target:
        return float(sizes[0])
    for (n0, t0), (n1, t1) in zip(zip(sizes, taus), zip(sizes[1:], taus[1:])):
        if t0 < target <= t1:
            return n0 + (target - t0) / (t1 - t0) * (n1 - n0)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default="paretonas-out/bench-demo/supernet")
    parser.add_argument("--fp32", type=int, default=300)
    parser.add_argument("--quantized", type=int, default=320, help="pool to draw training samples from")
    parser.add_argument("--test", type=int, default=150)
    parser.add_argument("--sizes", default="10,20,40,80,160,320")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default="benchmarks/results/predictor_transfer_data.json",
                        help="measured samples are cached here; delete it to re-measure")
    parser.add_argument("--out", default="benchmarks/results/predictor_transfer.json")
    args = parser.parse_args()

    supernet, _ = load_supernet(args.checkpoint)
    space = with_quantization(supernet)
    data_path = Path(args.data)
    if data_path.exists():
        data = json.loads(data_path.read_text())
    else:
        data = collect(args.checkpoint, args.fp32, args.quantized + args.test, args.seed)
        data_path.parent.mkdir(parents=True, exist_ok=True)
        data_path.write_text(json.dumps(data))

    def features(configs):
        return space.features(np.array([space.encode(c) for c in configs]))

    X_fp32, y_fp32 = features(data["fp32"]["configs"]), np.array(data["fp32"]["val_accuracy"])
    X_q, y_q = features(data["quantized"]["configs"]), np.array(data["quantized"]["val_accuracy"])
    X_pool, y_pool = X_q[: -args.test], y_q[: -args.test]
    X_test, y_test = X_q[-args.test:], y_q[-args.test:]
    sizes = [n for n in (int(s) for s in args.sizes.split(",")) if n <= len(y_pool)]
    taus = {"scratch": {n: [] for n in sizes}, "scratch_gp": {n: [] for n in sizes}, "transfer": {n: [] for n in sizes}}
    fp32_only = []
    for seed in range(args.seeds):
        pretrained = AccuracyPredictor.pretrained_on(X_fp32, y_fp32, seed=seed)
        fp32_only.append(kendall_tau(y_test, pretrained.predict(X_test)))
        order = np.random.default_rng(seed).permutation(len(y_pool))
        for n in sizes:
            X, y = X_pool[order[:n]], y_pool[order[:n]]
            taus["scratch"][n].append(kendall_tau(y_test, AccuracyPredictor(seed).fit(X, y).predict(X_test)))
            taus["scratch_gp"][n].append(kendall_tau(y_test, fit_predictor(X, y, seed=seed).predict(X_test)[0]))
            taus["transfer"][n].append(kendall_tau(y_test, pretrained.fine_tuned(X, y).predict(X_test)))
        print(f"seed {seed}: " + ", ".join(f"n={n} scratch {taus['scratch'][n][-1]:.3f} "
                                            f"gp {taus['scratch_gp'][n][-1]:.3f} transfer {taus['transfer'][n][-1]:.3f}"
                                            for n in sizes), flush=True)
    mean = {k: [float(np.mean(v[n])) for n in sizes] for k, v in taus.items()}
    best_scratch = [max(a, b) for a, b in zip(mean["scratch"], mean["scratch_gp"])]
    saved = {}
    for n, tau in zip(sizes, mean["transfer"]):
        needed = crossing(sizes, best_scratch, tau)
        saved[str(n)] = {"transfer_tau": tau, "scratch_needs": needed,
                         "saved_evaluations": None if needed is None else needed - n}
    report = {
        "command": " ".join(shlex.quote(a) for a in sys.argv),
        "checkpoint": args.checkpoint, "seed": args.seed, "seeds": args.seeds,
        "samples": {"fp32": len(y_fp32), "quantized_pool": len(y_pool), "quantized_test": len(y_test)},
        "measure_seconds_per_sample": {"fp32": data["fp32"]["seconds"] / len(y_fp32),
                                       "quantized": data["quantized"]["seconds"] / len(y_q)},
        "sizes": sizes,
        "kendall_tau_mean": mean,
        "kendall_tau_std": {k: [float(np.std(v[n])) for n in sizes] for k, v in taus.items()},
        "fp32_predictor_alone_tau_on_quantized": float(np.mean(fp32_only)),
        "best_scratch_tau": best_scratch,
        "saved_quantized_evaluations": saved,
        "note": "saved = n' - n, where n' is the number of quantized samples the better scratch predictor "
                "(MLP or our GP/ridge) needs, linearly interpolated, to reach the transfer predictor's tau at n; "
                "null when scratch never reaches it within the largest size.",
    }
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(json.dumps({k: report[k] for k in ("kendall_tau_mean", "fp32_predictor_alone_tau_on_quantized",
                                             "saved_quantized_evaluations")}, indent=1))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
