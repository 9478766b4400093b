"""What every supernet offers: a space, ``activate``, ``extract`` and its own rebuild recipe."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch
from torch import nn

from paretonas.errors import SpaceError
from paretonas.space import Config, Space


class Supernet(nn.Module):
    """An elastic model and the space of subnets it contains.

    Subclasses build ``self.space`` (choices ordered small to large) and implement
    ``_apply(config)`` (set every elastic layer) and ``_static()`` (plain modules of
    the active subnet). ``spec`` is the registry name plus keyword arguments, stored
    beside checkpoints so a trained supernet is rebuilt without pickle.
    """

    space: Space
    input_shape: tuple[int, ...]
    num_classes: int

    def __init__(self, spec: Mapping[str, Any]):
        super().__init__()
        self.spec = dict(spec)
        self.active_config: Config | None = None

    # ----- subnets ----------------------------------------------------------------------

    def activate(self, config: Mapping[str, Any]) -> "Supernet":
        """Run the supernet as the subnet ``config`` from now on."""
        self.space.validate(config)
        config = {name: config[name] for name in self.space.names}
        self._apply(config)
        self.active_config = config
        return self

    def extract(self, config: Mapping[str, Any] | None = None) -> nn.Module:
        """A plain ``nn.Module`` with the active (or given) subnet's weights copied in.

        Batch-norm statistics are copied as they are now: recalibrate them for the
        subnet first (:func:`paretonas.measure.recalibrate_batchnorm`).
        """
        if config is not None:
            self.activate(config)
        if self.active_config is None:
            self.activate(self.largest_config())
        with torch.no_grad():
            model = self._static()
        return model.eval()

    def largest_config(self) -> Config:
        return {d.name: d.choices[-1] for d in self.space.dimensions}

    def smallest_config(self) -> Config:
        return self.space.canonical({d.name: d.choices[0] for d in self.space.dimensions})

    def sample_config(self, rng: np.random.Generator) -> Config:
        return self.space.canonical(self.space.decode(self.space.sample(rng, 1)[0]))

    def example_input(self, batch: int = 1) -> torch.Tensor:
        return torch.randn(batch, *self.input_shape)

    # ----- layer groups (per-layer compression policies) ---------------------------------

    def layer_groups(self) -> list[tuple[str, tuple[str, int] | None]]:
        """Groups of layers a compression policy sets together: (name, depth gate).

        A gate ``(depth_dimension, index)`` means the group exists only when that
        stage is deeper than ``index``.
        """
        raise NotImplementedError(f"{type(self).__name__} defines no layer groups")

    def group_paths(self, config: Config) -> dict[str, list[str]]:
        """Module-path prefixes, in ``extract(config)``'s model, of each active group."""
        raise NotImplementedError(f"{type(self).__name__} defines no layer groups")

    # ----- for subclasses ---------------------------------------------------------------

    def _apply(self, config: Config) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _static(self) -> nn.Module:  # pragma: no cover - abstract
        raise NotImplementedError


def inactive_to_first(space_dims: Mapping[str, tuple], depth_of: Mapping[str, tuple[str, int]]):
    """A canonicalizer: a dimension of a layer beyond its stage's depth takes its first choice.

    ``depth_of`` maps a dimension name to (depth dimension name, layer index). Two
    configs that differ only in layers that do not run are one network, so they
    share one cache entry and are never measured twice.
    """

    def canonicalize(config: Config) -> Config:
        out = dict(config)
        for name, (depth_name, index) in depth_of.items():
            if index >= config[depth_name]:
                out[name] = space_dims[name][0]
        return out

    return canonicalize


def check_choices(name: str, values, minimum: int = 1) -> tuple:
    """Choice lists in supernet kwargs must be non-empty, ascending, positive."""
    values = tuple(values)
    if not values:
        raise SpaceError(f"{name} needs at least one choice")
    if list(values) != sorted(values) or len(set(values)) != len(values):
        raise SpaceError(f"{name} must list distinct choices from small to large, got {list(values)}")
    if values[0] < minimum:
        raise SpaceError(f"{name} choices must be at least {minimum}, got {list(values)}")
    return values
