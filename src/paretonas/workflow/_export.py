"""`paretonas export`: a study's trial as a plain ONNX or TorchScript file, verified.

The model is rebuilt from what the study recorded (config, supernet checkpoint),
written to disk, and its test accuracy re-measured *from the file*. For a model the
report showed, that number must equal the recorded ``test_accuracy``; a mismatch
means the file is not the model that was measured, and the export fails.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import optuna
import torch
from optuna.trial import TrialState

from paretonas.errors import ParetonasError
from paretonas.measure import onnx_predictions, torchscript_predictions
from paretonas.search import open_storage
from paretonas.search._attrs import METRICS_ATTR
from paretonas.train import load_supernet
from paretonas.workflow._config import RunConfig
from paretonas.workflow._evaluator import evaluator_for
from paretonas.workflow._run import RUN_ATTR, TEST_ATTR, load_run_task
from paretonas.workflow._sidecar import measurement_record, write_sidecar

FORMATS = {"onnx": ".onnx", "torchscript": ".pt"}


def load_run_study(storage_url: str, study_name: str) -> optuna.Study:
    storage = open_storage(storage_url)
    names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
    if study_name not in names:
        raise ParetonasError(f"no study {study_name!r} in {storage_url}; studies there: {names or 'none'}")
    study = optuna.load_study(study_name=study_name, storage=storage)
    if RUN_ATTR not in study.user_attrs:
        raise ParetonasError(f"study {study_name!r} was not written by `paretonas search`; nothing to rebuild from")
    return study


def export_trial(storage_url: str, study_name: str, trial_number: int, fmt: str, out_dir: str | Path) -> dict:
    if fmt not in FORMATS:
        raise ParetonasError(f"unknown format {fmt!r}; use one of {list(FORMATS)}")
    study = load_run_study(storage_url, study_name)
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    if trial_number not in trials:
        raise ParetonasError(f"study {study_name!r} has no trial {trial_number} (trials 0..{len(trials) - 1})")
    trial = trials[trial_number]
    if trial.state != TrialState.COMPLETE:
        raise ParetonasError(f"trial {trial_number} of {study_name!r} is {trial.state.name}, not a measured model")
    run = study.user_attrs[RUN_ATTR]
    config = RunConfig.model_validate(run["config"])
    task = load_run_task(config)
    supernet, _ = load_supernet(run["checkpoint"])
    evaluator = evaluator_for(config, supernet, task)
    latency = evaluator.latency
    config_values = dict(trial.params)
    is_int8 = any(v == "int8" for k, v in config_values.items() if k.startswith("q_"))
    if is_int8 and fmt != "onnx":
        raise ParetonasError(f"trial {trial_number} has int8 layers, which deploy as ONNX (QDQ) only: use --format onnx")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{study_name}-trial{trial_number}{FORMATS[fmt]}"
    example = task.x_val[:1]
    if fmt == "onnx":
        path.write_bytes(evaluator.deployable_bytes(config_values))
        predicted = onnx_predictions(path, task.x_test)
    else:
        model = evaluator.compressed_model(config_values)  # pruned where the policy says so
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.jit.trace(model, example).save(str(path))
        predicted = torchscript_predictions(path, task.x_test)
    measured = float((predicted == task.y_test).double().mean())
    recorded_tests = study.user_attrs.get(TEST_ATTR, {}).get(str(trial_number))
    # ONNX files are compared with the number measured on ONNX Runtime, TorchScript with PyTorch's.
    recorded_key = "test_accuracy" if fmt == "onnx" and latency.runtime == "onnxruntime" else "test_accuracy_pytorch"
    recorded = None if recorded_tests is None else recorded_tests.get(recorded_key)
    info = {
        "file": str(path), "format": fmt, "study": study_name, "trial": trial_number, "config": dict(trial.params),
        "metrics": dict(trial.user_attrs.get(METRICS_ATTR, {})), "test_accuracy_from_file": measured,
        "recorded_test_accuracy": recorded, "verified": None if recorded is None else measured == recorded,
        **measurement_record(config, latency, task),
    }
    write_sidecar(path, info)
    return info
