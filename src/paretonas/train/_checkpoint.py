"""Checkpoints as safetensors (weights, optimizer tensors) plus JSON (everything else).

No pickle anywhere: a checkpoint from an untrusted source can at worst hold wrong
numbers, never code. The JSON side carries the supernet's spec, so the model is
rebuilt from the registry before the weights are loaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from paretonas.errors import ParetonasError

CHECKPOINT_FILES = ("supernet.safetensors", "supernet.json")


def _paths(directory: str | Path) -> tuple[Path, Path]:
    directory = Path(directory)
    return directory / CHECKPOINT_FILES[0], directory / CHECKPOINT_FILES[1]


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def save_checkpoint(directory: str | Path, supernet, optimizer: torch.optim.Optimizer | None,
                    metadata: dict[str, Any]) -> None:
    """Write weights and optimizer state; the JSON is replaced last, so it always
    describes a complete weights file (a crash in between leaves the previous pair
    readable: the JSON names the epoch its weights hold)."""
    weights_path, meta_path = _paths(directory)
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {f"model.{k}": v.detach().contiguous() for k, v in supernet.state_dict().items()}
    groups = []
    if optimizer is not None:
        state = optimizer.state_dict()
        for index, values in state["state"].items():
            for name, value in values.items():
                tensor = value if torch.is_tensor(value) else torch.tensor(value)
                tensors[f"optim.{index}.{name}"] = tensor.detach().contiguous()
        groups = state["param_groups"]
    _atomic_write(weights_path, lambda p: save_file(tensors, str(p)))
    meta = dict(metadata, spec=supernet.spec, optimizer_groups=groups)
    _atomic_write(meta_path, lambda p: p.write_text(json.dumps(meta, indent=1)))


def load_checkpoint(directory: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    weights_path, meta_path = _paths(directory)
    if not weights_path.exists() or not meta_path.exists():
        raise ParetonasError(
            f"no supernet checkpoint in {str(directory)!r}: expected {CHECKPOINT_FILES[0]} and {CHECKPOINT_FILES[1]}"
        )
    try:
        meta = json.loads(meta_path.read_text())
        tensors = load_file(str(weights_path))
    except Exception as error:
        raise ParetonasError(f"cannot read the checkpoint in {str(directory)!r}: {error}") from None
    return tensors, meta


def model_state(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}


def optimizer_state(tensors: dict[str, torch.Tensor], groups: list) -> dict:
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    return {"state": state, "param_groups": groups}


def load_supernet(directory: str | Path):
    """The trained supernet in ``directory`` (rebuilt from its spec, weights loaded)."""
    from paretonas.models import supernet_from_spec

    tensors, meta = load_checkpoint(directory)
    supernet = supernet_from_spec(meta["spec"])
    try:
        supernet.load_state_dict(model_state(tensors))
    except RuntimeError as error:
        raise ParetonasError(f"checkpoint in {str(directory)!r} does not fit its supernet spec: {error}") from None
    return supernet, meta
