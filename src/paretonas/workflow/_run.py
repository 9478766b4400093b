"""`paretonas search`: task -> supernet (trained or loaded) -> search + random baseline
-> front with test accuracy -> knee -> report and exported models."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
import torch
from optuna.trial import TrialState

from paretonas.compress import joint_space, uncompressed
from paretonas.data import Task, load_task
from paretonas.errors import ParetonasError
from paretonas.models import create_supernet
from paretonas.search import (
    create_sampler,
    default_storage,
    open_storage,
    parse_constraints,
    parse_objectives,
    pareto_mask,
    run_search,
)
from paretonas.search._attrs import CACHE_HIT_ATTR, METRICS_ATTR
from paretonas.search.objectives import violations
from paretonas.train import TrainSettings, load_supernet, train_supernet
from paretonas.workflow._config import KneeConfig, RunConfig
from paretonas.workflow._evaluator import evaluator_for
from paretonas.workflow._progress import ProgressSink
from paretonas.workflow._sidecar import measurement_record, sidecar_path

RUN_ATTR = "paretonas_run"  # study attr: what export needs to rebuild a trial's model
TEST_ATTR = "paretonas_test_metrics"  # study attr: {trial number: test metrics} for reported models
SEARCHABLE_METRICS = ("val_accuracy", "latency_ms", "latency_p10_ms", "latency_p90_ms", "macs", "params", "model_bytes",
                      "compressed_bytes", "weight_sparsity")
UNIFORM_PRUNED = "largest_pruned_uniform"  # the reference pruned uniformly to the knee's MACs


@dataclass
class RunResult:
    out: Path
    storage: str
    study: str
    objectives: list[str]
    front: list[dict]
    reference: dict
    knee: dict | None
    references: dict
    baseline_study: str | None
    files: dict[str, Path] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)  # seconds per phase, and subnets per minute


def task_options(config: RunConfig) -> dict[str, Any]:
    return config.task.model_dump(exclude={"dataset"})


def load_run_task(config: RunConfig) -> Task:
    return load_task(config.task.dataset, **task_options(config))


def obtain_supernet(config: RunConfig, task: Task, out: Path, progress: ProgressSink):
    """The trained supernet: loaded from ``supernet.checkpoint``, or trained (resumably) in ``out/supernet``."""
    if config.supernet.checkpoint:
        supernet, meta = load_supernet(config.supernet.checkpoint)
        spec = supernet.spec
        if tuple(spec["input_shape"]) != task.input_shape or spec["num_classes"] != task.num_classes:
            raise ParetonasError(
                f"supernet.checkpoint {config.supernet.checkpoint!r} takes inputs {tuple(spec['input_shape'])} with "
                f"{spec['num_classes']} classes; the task has {task.input_shape} with {task.num_classes}"
            )
        return supernet, Path(config.supernet.checkpoint).resolve()
    supernet = _build_supernet(config, task)
    checkpoint = (out / "supernet").resolve()
    settings = TrainSettings(**config.train.model_dump())
    steps = max(1, len(task.x_train) // settings.batch_size)
    progress.start("train", settings.epochs * steps)
    done = [0]

    def on_step():
        done[0] += 1
        progress.update("train", done[0])

    def on_epoch(epoch, total, record):
        done[0] = epoch * steps
        progress.update("train", done[0], f"epoch {epoch}/{total}: largest {record['val_accuracy_largest']:.3f}, "
                                          f"smallest {record['val_accuracy_smallest']:.3f}")

    history_before = _epochs_done(checkpoint)
    done[0] = history_before * steps
    train_supernet(supernet, task, settings, checkpoint, on_epoch=on_epoch, on_step=on_step)
    progress.finish("train")
    return supernet, checkpoint


def _search_space(config: RunConfig, supernet):
    space = joint_space(supernet, config.search.quantization, tuple(config.search.pruning))
    return space.restrict(config.search.space)


def reference_configs(supernet, space, quantization: bool) -> dict[str, dict]:
    """The largest subnet uncompressed in fp32 and, in a space with quantization, all in int8."""
    arch = supernet.largest_config()
    references = {"largest": uncompressed(space, arch)}
    if quantization:
        references["largest_int8"] = uncompressed(space, arch, precision="int8")
    return references


def uniformly_pruned_reference(evaluator, knee: dict) -> tuple[dict, bytes]:
    """The largest subnet with every channel set pruned to one keep-ratio, as few MACs as the knee."""
    ratio, candidate = evaluator.uniformly_pruned_to_macs(knee["metrics"]["macs"])
    metrics = {**evaluator.measure(candidate), **evaluator.test(candidate)}
    return {"config": {"uniform_keep_ratio": ratio, "macs_target": knee["metrics"]["macs"]},
            "metrics": metrics}, candidate.onnx()


def _build_supernet(config: RunConfig, task: Task):
    torch.manual_seed(config.train.seed)  # the initial weights are part of a reproducible run
    try:
        return create_supernet(config.supernet.name, input_shape=task.input_shape, num_classes=task.num_classes,
                               **config.supernet.options)
    except (TypeError, ValueError) as error:
        raise ParetonasError(f"supernet.options do not fit {config.supernet.name!r}: {error}") from None


def _epochs_done(checkpoint: Path) -> int:
    meta = checkpoint / "supernet.json"
    return int(json.loads(meta.read_text()).get("epoch", 0)) if meta.exists() else 0


def unique_completed(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """Measured networks of a study: completed, not cache hits, in trial order."""
    return [t for t in sorted(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)), key=lambda t: t.number)
            if not t.user_attrs.get(CACHE_HIT_ATTR)]


def front_trials(study: optuna.Study, objectives, constraints) -> list[optuna.trial.FrozenTrial]:
    import numpy as np

    trials = [t for t in unique_completed(study)
              if all(v <= 0 for v in violations(constraints, t.user_attrs[METRICS_ATTR]))]
    if not trials:
        return []
    F = np.array([[o.sign * t.user_attrs[METRICS_ATTR][o.name] for o in objectives] for t in trials])
    mask = pareto_mask(F)
    front = [t for t, keep in zip(trials, mask) if keep]
    return sorted(front, key=lambda t: t.user_attrs[METRICS_ATTR][objectives[-1].name])


def select_knee(front: list[dict], reference: dict, rule: KneeConfig) -> dict | None:
    """The cheapest front member whose accuracy is within ``within_points`` of the largest subnet's."""
    if not front:
        return None
    for entry in front:
        if rule.accuracy not in entry["metrics"] or rule.cost not in entry["metrics"]:
            raise ParetonasError(f"knee rule uses {rule.accuracy!r} and {rule.cost!r}; front metrics are "
                                 f"{sorted(entry['metrics'])}")
    floor = reference["metrics"][rule.accuracy] - rule.within_points / 100.0
    close = [e for e in front if e["metrics"][rule.accuracy] >= floor]
    if close:
        return min(close, key=lambda e: e["metrics"][rule.cost])
    return max(front, key=lambda e: e["metrics"][rule.accuracy])


def run_job(config: RunConfig, progress: ProgressSink | None = None) -> RunResult:
    from paretonas.report import write_reports

    progress = progress or ProgressSink()
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    objectives = parse_objectives(config.search.objectives, allowed=SEARCHABLE_METRICS)
    constraints = parse_constraints(config.search.constraints, allowed=SEARCHABLE_METRICS)
    progress.stage("loading data")
    task = load_run_task(config)
    progress.stage(task.summary())
    if not config.supernet.checkpoint:  # catch a space that does not fit before training, not after
        _search_space(config, _build_supernet(config, task))
    clock = time.perf_counter()
    supernet, checkpoint = obtain_supernet(config, task, out, progress)
    timing = {"train_seconds": time.perf_counter() - clock}
    space = _search_space(config, supernet)
    evaluator = evaluator_for(config, supernet, task, space)
    latency = evaluator.latency
    storage_url = config.search.storage or default_storage(out)
    storage = open_storage(storage_url)
    baseline_budget = config.search.budget if config.search.baseline_budget is None else config.search.baseline_budget
    runs = [(config.search.study, config.search.strategy, config.search.budget)]
    if baseline_budget > 0 and config.search.strategy != "random":
        runs.append((f"{config.search.study}-random", "random", baseline_budget))
    run_record = {"config": config.model_dump(), "checkpoint": str(checkpoint)}
    studies = {}
    for name, strategy, budget in runs:
        sampler = create_sampler(strategy, space, objectives, constraints, seed=config.search.seed)
        progress.start(name, budget)
        clock = time.perf_counter()
        result = run_search(space=space, evaluate=evaluator, objectives=objectives, constraints=constraints,
                            sampler=sampler, storage=storage, study_name=name, budget=budget,
                            progress=lambda done, total, name=name: progress.update(name, done))
        progress.finish(name)
        timing[f"{name}_seconds"] = time.perf_counter() - clock
        timing[f"{name}_evaluate_seconds"] = result.evaluate_seconds
        timing[f"{name}_strategy_seconds"] = result.ask_seconds
        if result.evaluate_seconds > 0:
            # subnets measured per minute of evaluation (recalibrate, accuracy, export, latency, MACs)
            measured_now = result.trials - result.cache_hits - result.failures
            timing[f"{name}_subnets_per_minute"] = 60 * measured_now / result.evaluate_seconds
        result.study.set_user_attr(RUN_ATTR, dict(run_record, strategy=strategy))
        studies[name] = result.study
    study = studies[config.search.study]

    progress.stage("measuring test accuracy of the front and the largest subnet")
    references = {name: {"config": cfg, "metrics": {**evaluator(cfg), **evaluator.test_metrics(cfg)}}
                  for name, cfg in reference_configs(supernet, space, config.search.quantization).items()}
    reference = references["largest"]
    recorded_tests = dict(study.user_attrs.get(TEST_ATTR, {}))
    front = []
    for trial in front_trials(study, objectives, constraints):
        config_values = {n: trial.params[n] for n in space.names}
        tests = recorded_tests.get(str(trial.number)) or evaluator.test_metrics(config_values)
        recorded_tests[str(trial.number)] = tests
        front.append({"trial": trial.number, "config": config_values,
                      "metrics": {**trial.user_attrs[METRICS_ATTR], **tests}})
    study.set_user_attr(TEST_ATTR, recorded_tests)
    knee = select_knee(front, reference, config.knee)
    files: dict[str, Path] = {}
    # label -> (file, its bytes, what its sidecar records); `paretonas verify` reads the sidecars
    model_files: dict[str, tuple[Path, bytes, dict]] = {}
    if knee is not None:
        progress.stage("pruning the largest subnet uniformly to the knee's MACs")
        references[UNIFORM_PRUNED], pruned_file = uniformly_pruned_reference(evaluator, knee)
        model_files[f"reference_{UNIFORM_PRUNED}"] = (out / "reference" / "full_pruned_uniform.onnx", pruned_file,
                                                      references[UNIFORM_PRUNED])
        model_files["knee"] = (out / "export" / "knee.onnx", evaluator.deployable_bytes(knee["config"]), {
            **knee, "study": config.search.study, "storage": storage_url, "rule": config.knee.model_dump()})
    progress.stage("exporting the knee and the references")
    for name, filename in (("largest", "full_fp32.onnx"), ("largest_int8", "full_int8.onnx")):
        if name in references:
            model_files[f"reference_{name}"] = (out / "reference" / filename,
                                                evaluator.deployable_bytes(references[name]["config"]),
                                                references[name])
    record = measurement_record(config, latency, task)
    for label, (path, data, entry) in model_files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        # the knee's sidecar keeps the name the demo layout promises: export/knee.json
        sidecar = path.with_suffix(".json") if label == "knee" else sidecar_path(path)
        sidecar.write_text(json.dumps({**entry, **record}, indent=1))
        files[f"{label}_onnx" if label == "knee" else label] = path
        files[f"{label}_json"] = sidecar

    result = RunResult(out=out, storage=storage_url, study=config.search.study,
                       objectives=[str(o) for o in objectives], front=front, reference=reference, knee=knee,
                       references=references,
                       baseline_study=runs[1][0] if len(runs) > 1 else None, files=files, timing=timing)
    progress.stage("writing the report")
    files.update(write_reports(result, studies, space, objectives, constraints, latency))
    return result
