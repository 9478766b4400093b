"""The search config file (YAML), validated by pydantic with errors that name the key.

Every section has defaults, so the smallest useful config is::

    task: {dataset: mnist1d}
    supernet: {name: cnn1d}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from paretonas.errors import ParetonasError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskConfig(_Section):
    dataset: Literal["mnist1d", "digits", "imagefolder", "csv"] = "mnist1d"
    path: Optional[str] = None
    label_column: str = "label"
    image_size: int = Field(32, ge=4)
    channels: Literal[1, 3] = 3
    val_fraction: float = Field(0.2, gt=0, lt=1)
    test_fraction: float = Field(0.2, gt=0, lt=1)
    seed: int = 0


class SupernetConfig(_Section):
    name: str = "cnn1d"
    options: dict[str, Any] = Field(default_factory=dict)
    checkpoint: Optional[str] = None  # a folder with supernet.safetensors/.json: skip training


class TrainConfig(_Section):
    epochs: int = Field(40, ge=1)
    batch_size: int = Field(128, ge=1)
    lr: float = Field(3e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    random_subnets: int = Field(2, ge=0)
    distill: bool = True
    label_weight: float = Field(0.5, ge=0, le=1)
    grad_clip: float = Field(1.0, ge=0)
    warmup_epochs: int = Field(1, ge=0)
    seed: int = 0


class MeasureConfig(_Section):
    runtime: Literal["onnxruntime", "pytorch"] = "onnxruntime"
    threads: int = Field(1, ge=1)
    batch_size: int = Field(1, ge=1)
    warmup: int = Field(10, ge=0)
    repeats: int = Field(50, ge=1)
    calibration_batches: int = Field(8, ge=1)
    calibration_batch_size: int = Field(256, ge=2)


class SearchConfig(_Section):
    objectives: list[str] = Field(default_factory=lambda: ["val_accuracy:max", "latency_ms:min"])
    constraints: list[str] = Field(default_factory=list)
    strategy: str = "default"
    budget: int = Field(60, ge=1)
    baseline_budget: Optional[int] = Field(None, ge=0)  # random search beside it; None: same as budget
    seed: int = 0
    storage: Optional[str] = None
    study: str = "search"
    space: dict[str, list[Any]] = Field(default_factory=dict)  # restrict a dimension to some of its choices
    quantization: bool = False  # add a per-layer-group fp32/int8 policy to the search space
    # add per-layer-group pruning: channel keep-ratios (structured) and/or magnitude sparsity (unstructured)
    pruning: list[Literal["structured", "unstructured"]] = Field(default_factory=list)


class KneeConfig(_Section):
    accuracy: str = "val_accuracy"
    cost: str = "latency_ms"
    within_points: float = Field(1.0, ge=0)  # accuracy points (1.0 = 0.01) below the largest subnet


class RunConfig(_Section):
    task: TaskConfig = Field(default_factory=TaskConfig)
    supernet: SupernetConfig = Field(default_factory=SupernetConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    measure: MeasureConfig = Field(default_factory=MeasureConfig)
    search: SearchConfig = Field(default_factory=SearchConfig)
    knee: KneeConfig = Field(default_factory=KneeConfig)
    out: str = "paretonas-out/search"


def _check_consistent(config: RunConfig, source: str) -> None:
    """Settings that are valid alone but not together."""
    if config.search.quantization and config.measure.runtime != "onnxruntime":
        raise ParetonasError(
            f"{source}: search.quantization is true but measure.runtime is {config.measure.runtime!r}; "
            "int8 models deploy and are timed on ONNX Runtime: set measure.runtime to onnxruntime"
        )


def _describe(error: dict) -> str:
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {where!r}"
    return f"key {where!r}: {error['msg']} (got {error.get('input')!r})"


def parse_config(data: Any, source: str = "config") -> RunConfig:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParetonasError(f"{source}: the top level must be a mapping of sections, got {type(data).__name__}")
    try:
        config = RunConfig.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(_describe(e) for e in error.errors())
        raise ParetonasError(f"{source}: {problems}") from None
    _check_consistent(config, source)
    return config


def load_config(path: str | Path) -> RunConfig:
    path = Path(path)
    if not path.is_file():
        raise ParetonasError(f"config file {str(path)!r} does not exist")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ParetonasError(f"{path}: not valid YAML: {error}") from None
    config = parse_config(data, str(path))
    # Relative data and checkpoint paths are relative to the config file.
    for section, key in (("task", "path"), ("supernet", "checkpoint")):
        value = getattr(getattr(config, section), key)
        if value and not Path(value).expanduser().is_absolute():
            setattr(getattr(config, section), key, str((path.parent / value).resolve()))
    return config
