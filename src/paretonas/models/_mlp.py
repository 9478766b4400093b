"""A multilayer perceptron supernet: elastic depth and per-layer width."""

from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from paretonas.elastic import ElasticBatchNorm, ElasticLinear
from paretonas.models._base import Supernet, check_choices, inactive_to_first
from paretonas.space import Choice, Config, Space


class MLPSupernet(Supernet):
    """Flatten, then up to ``max(depths)`` Linear-BatchNorm-ReLU layers, then a linear head.

    Dimensions: ``depth`` and ``l{j}_width`` per layer.
    """

    def __init__(self, input_shape: Sequence[int], num_classes: int, depths: Sequence[int] = (1, 2, 3),
                 widths: Sequence[int] = (64, 128, 256), name: str = "mlp"):
        input_shape = tuple(int(v) for v in input_shape)
        super().__init__(dict(name=name, input_shape=list(input_shape), num_classes=num_classes,
                              depths=list(depths), widths=list(widths)))
        depths, widths = check_choices("depths", depths), check_choices("widths", widths)
        self.input_shape, self.num_classes = input_shape, num_classes
        self.in_features = math.prod(input_shape)
        dims = [Choice("depth", depths)] + [Choice(f"l{j}_width", widths) for j in range(depths[-1])]
        depth_of = {f"l{j}_width": ("depth", j) for j in range(depths[-1])}
        self.space = Space(dims, canonicalize=inactive_to_first({d.name: d.choices for d in dims}, depth_of))
        self.linears = nn.ModuleList()
        self.norms = nn.ModuleList()
        width = self.in_features
        for _ in range(depths[-1]):
            self.linears.append(ElasticLinear(width, widths[-1]))
            self.norms.append(ElasticBatchNorm(1, widths[-1]))
            width = widths[-1]
        self.head = ElasticLinear(width, num_classes)
        self.activate(self.largest_config())

    def _apply(self, config: Config) -> None:
        self.depth = config["depth"]
        width = self.in_features
        for j in range(self.depth):
            out = config[f"l{j}_width"]
            self.linears[j].set_active(width, out)
            self.norms[j].set_active(out)
            width = out
        self.head.set_active(width, self.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)
        for linear, norm in zip(self.linears[: self.depth], self.norms[: self.depth]):
            x = F.relu(norm(linear(x)))
        return self.head(x)

    def layer_groups(self):
        return [(f"l{j}", ("depth", j)) for j in range(len(self.linears))] + [("head", None)]

    def group_paths(self, config: Config) -> dict[str, list[str]]:
        # _static: flatten 0, then (linear, bn, relu) per layer, then head
        paths = {f"l{j}": [str(1 + 3 * j)] for j in range(config["depth"])}
        paths["head"] = [str(1 + 3 * config["depth"])]
        return paths

    def _static(self) -> nn.Module:
        layers: list[nn.Module] = [nn.Flatten()]
        for linear, norm in zip(self.linears[: self.depth], self.norms[: self.depth]):
            layers += [linear.to_static(), norm.to_static(), nn.ReLU()]
        return nn.Sequential(*layers, self.head.to_static())
