from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch


@dataclass
class Task:
    """A classification task as in-memory tensors (inputs float32, labels int64)."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    class_names: list[str] = field(default_factory=list)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def split(self, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        if name not in ("train", "val", "test"):
            raise ValueError(f"no split {name!r}; use train, val or test")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")

    def summary(self) -> str:
        return (f"{self.name}: {len(self.y_train)} train / {len(self.y_val)} val / {len(self.y_test)} test, "
                f"inputs {self.input_shape}, {self.num_classes} classes")


def split_indices(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split: about ``fraction`` of each class goes to the second part."""
    rng = np.random.default_rng(seed)
    first, second = [], []
    for label in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == label))
        n = int(round(len(idx) * fraction))
        if fraction > 0 and len(idx) > 1:
            n = min(max(n, 1), len(idx) - 1)
        second.append(idx[:n])
        first.append(idx[n:])
    return np.sort(np.concatenate(first)), np.sort(np.concatenate(second))


def standardize(train: np.ndarray, *others: np.ndarray, per_channel_axis: int | None = None):
    """Scale by train-split statistics only (per channel for images), so no test leakage."""
    if per_channel_axis is None:
        mean, std = train.mean(), train.std()
    else:
        axes = tuple(a for a in range(train.ndim) if a != per_channel_axis)
        mean = train.mean(axis=axes, keepdims=True)
        std = train.std(axis=axes, keepdims=True)
    std = np.where(std > 0, std, 1.0)
    return [((a - mean) / std).astype(np.float32) for a in (train, *others)]
