"""1D and 2D convolutional supernets with ResNet or MBConv stages (Once-for-All style)."""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from paretonas.elastic import (
    ElasticBasicBlock,
    ElasticBatchNorm,
    ElasticConv,
    ElasticInvertedResidual,
    ElasticLinear,
    ElasticStage,
)
from paretonas.elastic.static import GlobalPool
from paretonas.errors import SpaceError
from paretonas.models._base import Supernet, check_choices, inactive_to_first
from paretonas.space import Choice, Config, Space


class ConvSupernet(Supernet):
    """Stem, stages of elastic blocks, global pooling, linear head.

    Dimensions: ``stem_width``; per stage ``s{i}_depth`` and ``s{i}_width``; per block
    ``s{i}_b{j}_kernel`` (and ``s{i}_b{j}_expand`` for MBConv). Blocks past a stage's
    depth do not run, so their kernel/expand are canonicalised away.
    """

    def __init__(
        self,
        ndim: int,
        input_shape: Sequence[int],
        num_classes: int,
        block: str = "resnet",
        stem_widths: Sequence[int] = (16, 24, 32),
        stage_widths: Sequence[Sequence[int]] = ((16, 24, 32), (32, 48, 64), (64, 96, 128)),
        depths: Sequence[int] = (1, 2, 3),
        kernels: Sequence[int] = (3, 5, 7),
        expands: Sequence[float] = (2, 3, 4),
        strides: Sequence[int] | None = None,
        name: str | None = None,
    ):
        input_shape = tuple(int(v) for v in input_shape)
        stage_widths = [list(w) for w in stage_widths]
        strides = list(strides) if strides is not None else [1] + [2] * (len(stage_widths) - 1)
        super().__init__(dict(
            name=name or f"cnn{ndim}d", input_shape=list(input_shape), num_classes=num_classes, block=block,
            stem_widths=list(stem_widths), stage_widths=stage_widths, depths=list(depths),
            kernels=list(kernels), expands=list(expands), strides=strides,
        ))
        if len(input_shape) != ndim + 1:
            raise SpaceError(
                f"{self.spec['name']} takes inputs shaped (channels, {'length' if ndim == 1 else 'height, width'}); "
                f"this task's inputs are {input_shape}: use a model for that shape (for flat features: mlp)"
            )
        if block not in ("resnet", "mbconv"):
            raise SpaceError(f"block must be 'resnet' or 'mbconv', got {block!r}")
        if len(strides) != len(stage_widths):
            raise SpaceError(f"strides has {len(strides)} entries but there are {len(stage_widths)} stages")
        stem_widths = check_choices("stem_widths", stem_widths)
        depths = check_choices("depths", depths)
        kernels = check_choices("kernels", kernels)
        if any(k % 2 == 0 for k in kernels):
            raise SpaceError(f"kernels must be odd (centre-cropped), got {list(kernels)}")
        expands = check_choices("expands", expands) if block == "mbconv" else ()
        self.ndim, self.block, self.input_shape, self.num_classes = ndim, block, input_shape, num_classes
        self.n_stages, self.max_depth = len(stage_widths), depths[-1]

        dims = [Choice("stem_width", stem_widths)]
        depth_of = {}
        for i, widths in enumerate(stage_widths):
            dims += [Choice(f"s{i}_depth", depths), Choice(f"s{i}_width", check_choices(f"stage_widths[{i}]", widths))]
            for j in range(self.max_depth):
                dims.append(Choice(f"s{i}_b{j}_kernel", kernels))
                depth_of[f"s{i}_b{j}_kernel"] = (f"s{i}_depth", j)
                if block == "mbconv":
                    dims.append(Choice(f"s{i}_b{j}_expand", expands))
                    depth_of[f"s{i}_b{j}_expand"] = (f"s{i}_depth", j)
        choices = {d.name: d.choices for d in dims}
        self.space = Space(dims, canonicalize=inactive_to_first(choices, depth_of))

        self.stem_conv = ElasticConv(ndim, input_shape[0], stem_widths[-1], 3)
        self.stem_bn = ElasticBatchNorm(ndim, stem_widths[-1])
        stages, max_in = [], stem_widths[-1]
        for i, widths in enumerate(stage_widths):
            blocks = []
            for j in range(self.max_depth):
                stride = strides[i] if j == 0 else 1
                if block == "resnet":
                    blocks.append(ElasticBasicBlock(ndim, max_in, widths[-1], kernels[-1], stride, projection=j == 0))
                else:
                    blocks.append(ElasticInvertedResidual(ndim, max_in, widths[-1], kernels[-1], expands[-1], stride,
                                                          residual=j > 0))
                max_in = widths[-1]
            stages.append(ElasticStage(blocks))
        self.stages = nn.ModuleList(stages)
        self.head = ElasticLinear(max_in, num_classes)
        self.activate(self.largest_config())

    def _apply(self, config: Config) -> None:
        width = config["stem_width"]
        self.stem_conv.set_active(self.input_shape[0], width)
        self.stem_bn.set_active(width)
        for i, stage in enumerate(self.stages):
            stage.set_depth(config[f"s{i}_depth"])
            out = config[f"s{i}_width"]
            for j, block in enumerate(stage.blocks[: config[f"s{i}_depth"]]):
                if self.block == "resnet":
                    block.set_active(width, out, config[f"s{i}_b{j}_kernel"])
                else:
                    block.set_active(width, out, config[f"s{i}_b{j}_kernel"], config[f"s{i}_b{j}_expand"])
                width = out
        self.head.set_active(width, self.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem_bn(self.stem_conv(x)))
        for stage in self.stages:
            x = stage(x)
        return self.head(x.flatten(2).mean(dim=2))

    def layer_groups(self):
        groups = [("stem", None)]
        for i in range(self.n_stages):
            groups += [(f"s{i}_b{j}", (f"s{i}_depth", j)) for j in range(self.max_depth)]
        return groups + [("head", None)]

    def group_paths(self, config: Config) -> dict[str, list[str]]:
        # _static: stem conv 0, bn 1, relu 2, stages 3.., pool, head
        paths = {"stem": ["0"], "head": [str(4 + self.n_stages)]}
        for i in range(self.n_stages):
            for j in range(config[f"s{i}_depth"]):
                paths[f"s{i}_b{j}"] = [f"{3 + i}.{j}"]
        return paths

    def _static(self) -> nn.Module:
        return nn.Sequential(
            self.stem_conv.to_static(), self.stem_bn.to_static(), nn.ReLU(),
            *(stage.to_static() for stage in self.stages),
            GlobalPool(), self.head.to_static(),
        )
