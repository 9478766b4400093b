"""Is weight sharing sound? Inherited accuracy of small/medium/large subnets against
the same architectures trained alone for the same epochs.

Uses the demo's task and supernet settings. The supernet is trained here (or loaded
with --checkpoint); each of three subnets (smallest, a medium one, largest) is
scored with its inherited weights after BN recalibration, then re-initialised and
trained alone with the same optimiser, schedule, batch order and epochs.

    python benchmarks/weight_sharing.py --out benchmarks/results/weight_sharing.json
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from paretonas.data import load_task
from paretonas.measure import accuracy, count_params
from paretonas.train import TrainSettings, load_supernet, reinitialize, train_standalone, train_supernet
from paretonas.workflow import SubnetEvaluator, demo_config
from paretonas.measure import LatencySettings
from paretonas.models import create_supernet


def medium_config(supernet) -> dict:
    """The middle choice of every dimension."""
    return supernet.space.canonical({d.name: d.choices[len(d.choices) // 2] for d in supernet.space.dimensions})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", help="a trained supernet folder (default: train one here)")
    parser.add_argument("--epochs", type=int, default=demo_config().train.epochs)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="benchmarks/results/weight_sharing.json")
    args = parser.parse_args()

    task = load_task("mnist1d", seed=args.seed)
    settings = TrainSettings(**dict(demo_config().train.model_dump(), epochs=args.epochs, seed=args.seed))
    started = time.perf_counter()
    if args.checkpoint:
        supernet, meta = load_supernet(args.checkpoint)
        settings = TrainSettings(**meta["train"])
    else:
        supernet = create_supernet("cnn1d", input_shape=task.input_shape, num_classes=task.num_classes)
        train_supernet(supernet, task, settings)
    supernet_seconds = time.perf_counter() - started
    evaluator = SubnetEvaluator(supernet, task, LatencySettings())
    rows = []
    for label, config in (("small", supernet.smallest_config()), ("medium", medium_config(supernet)),
                          ("large", supernet.largest_config())):
        inherited = evaluator.model(config)
        clock = time.perf_counter()
        alone = train_standalone(reinitialize(evaluator.model(config), seed=args.seed), task, settings)
        rows.append({
            "subnet": label, "config": config, "params": count_params(inherited),
            "inherited_val_accuracy": accuracy(inherited, task.x_val, task.y_val),
            "inherited_test_accuracy": accuracy(inherited, task.x_test, task.y_test),
            "standalone_val_accuracy": accuracy(alone, task.x_val, task.y_val),
            "standalone_test_accuracy": accuracy(alone, task.x_test, task.y_test),
            "standalone_seconds": time.perf_counter() - clock,
        })
        rows[-1]["test_gap_points"] = 100 * (rows[-1]["standalone_test_accuracy"] - rows[-1]["inherited_test_accuracy"])
        print(json.dumps(rows[-1]), flush=True)
    report = {
        "command": " ".join(shlex.quote(a) for a in sys.argv), "seed": args.seed, "train": settings.__dict__,
        "supernet_seconds": supernet_seconds, "subnets": rows,
        "target_met": all(r["test_gap_points"] <= 2.0 for r in rows),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(f"target (inherited within 2 points of standalone, test accuracy) met: {report['target_met']}")


if __name__ == "__main__":
    main()
