"""Elastic building blocks: residual blocks, inverted residuals, stages, encoder layers.

A block is told its active shape with ``set_active`` and becomes a plain module from
:mod:`paretonas.elastic.static` with ``to_static``. Whether a block has a projection
shortcut depends only on its *maximal* shape and stride, never on the active one, so
the supernet and every extracted subnet agree on the graph.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from paretonas.elastic import static
from paretonas.elastic._layers import (
    ElasticBatchNorm,
    ElasticConv,
    ElasticLayerNorm,
    ElasticLinear,
    ElasticModule,
    ElasticSelfAttention,
)


class ElasticBasicBlock(ElasticModule):
    def __init__(self, ndim: int, max_in: int, max_out: int, max_kernel: int, stride: int = 1,
                 projection: bool | None = None):
        super().__init__()
        self.conv1 = ElasticConv(ndim, max_in, max_out, max_kernel, stride=stride)
        self.bn1 = ElasticBatchNorm(ndim, max_out)
        self.conv2 = ElasticConv(ndim, max_out, max_out, max_kernel)
        self.bn2 = ElasticBatchNorm(ndim, max_out)
        # A stage's first block always projects: its active input width may differ
        # from its output width even when the maximal widths agree.
        self.projection = max_in != max_out or stride != 1 if projection is None else projection
        if self.projection:
            self.shortcut_conv = ElasticConv(ndim, max_in, max_out, 1, stride=stride)
            self.shortcut_bn = ElasticBatchNorm(ndim, max_out)

    def set_active(self, in_channels: int, out_channels: int, kernel: int) -> None:
        self.conv1.set_active(in_channels, out_channels, kernel)
        self.conv2.set_active(out_channels, out_channels, kernel)
        self.bn1.set_active(out_channels)
        self.bn2.set_active(out_channels)
        if self.projection:
            self.shortcut_conv.set_active(in_channels, out_channels)
            self.shortcut_bn.set_active(out_channels)
        elif in_channels != out_channels:
            raise ValueError(f"identity shortcut needs equal widths, got {in_channels} -> {out_channels}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = self.shortcut_bn(self.shortcut_conv(x)) if self.projection else x
        return F.relu(out + shortcut)

    def to_static(self) -> nn.Module:
        shortcut = (
            nn.Sequential(self.shortcut_conv.to_static(), self.shortcut_bn.to_static()) if self.projection else None
        )
        return static.BasicBlock(
            self.conv1.to_static(), self.bn1.to_static(), self.conv2.to_static(), self.bn2.to_static(), shortcut
        )


class ElasticInvertedResidual(ElasticModule):
    """MBConv with elastic expand ratio, kernel and widths (hidden = round(in * expand))."""

    def __init__(self, ndim: int, max_in: int, max_out: int, max_kernel: int, max_expand: float, stride: int = 1,
                 residual: bool | None = None):
        super().__init__()
        self.max_hidden = int(round(max_in * max_expand))
        self.expand_conv = ElasticConv(ndim, max_in, self.max_hidden, 1)
        self.expand_bn = ElasticBatchNorm(ndim, self.max_hidden)
        self.depthwise_conv = ElasticConv(ndim, self.max_hidden, self.max_hidden, max_kernel, stride=stride,
                                          depthwise=True)
        self.depthwise_bn = ElasticBatchNorm(ndim, self.max_hidden)
        self.project_conv = ElasticConv(ndim, self.max_hidden, max_out, 1)
        self.project_bn = ElasticBatchNorm(ndim, max_out)
        self.residual_allowed = max_in == max_out and stride == 1 if residual is None else residual

    def set_active(self, in_channels: int, out_channels: int, kernel: int, expand: float) -> None:
        hidden = max(1, int(round(in_channels * expand)))
        self.expand_conv.set_active(in_channels, hidden)
        self.expand_bn.set_active(hidden)
        self.depthwise_conv.set_active(hidden, hidden, kernel)
        self.depthwise_bn.set_active(hidden)
        self.project_conv.set_active(hidden, out_channels)
        self.project_bn.set_active(out_channels)
        if self.residual_allowed and in_channels != out_channels:
            raise ValueError(f"residual block needs equal widths, got {in_channels} -> {out_channels}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu6(self.expand_bn(self.expand_conv(x)))
        out = F.relu6(self.depthwise_bn(self.depthwise_conv(out)))
        out = self.project_bn(self.project_conv(out))
        return out + x if self.residual_allowed else out

    def to_static(self) -> nn.Module:
        return static.InvertedResidual(
            nn.Sequential(self.expand_conv.to_static(), self.expand_bn.to_static(), nn.ReLU6()),
            nn.Sequential(self.depthwise_conv.to_static(), self.depthwise_bn.to_static(), nn.ReLU6()),
            nn.Sequential(self.project_conv.to_static(), self.project_bn.to_static()),
            self.residual_allowed,
        )


class ElasticStage(ElasticModule):
    """A sequence of blocks of which the first ``depth`` run (elastic depth)."""

    def __init__(self, blocks: list[nn.Module]):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.active_depth = len(blocks)

    def set_depth(self, depth: int) -> None:
        if not 1 <= depth <= len(self.blocks):
            raise ValueError(f"depth={depth} is outside 1..{len(self.blocks)}")
        self.active_depth = int(depth)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks[: self.active_depth]:
            x = block(x)
        return x

    def to_static(self) -> nn.Module:
        return nn.Sequential(*(block.to_static() for block in self.blocks[: self.active_depth]))


class ElasticTransformerLayer(ElasticModule):
    """Pre-norm encoder layer with elastic embedding width, heads, head width and FFN width."""

    def __init__(self, max_embed: int, max_heads: int, max_head_dim: int, max_ffn: int):
        super().__init__()
        self.norm1 = ElasticLayerNorm(max_embed)
        self.attn = ElasticSelfAttention(max_embed, max_heads, max_head_dim)
        self.norm2 = ElasticLayerNorm(max_embed)
        self.fc1 = ElasticLinear(max_embed, max_ffn)
        self.fc2 = ElasticLinear(max_ffn, max_embed)

    def set_active(self, embed: int, heads: int, head_dim: int, ffn: int) -> None:
        self.norm1.set_active(embed)
        self.norm2.set_active(embed)
        self.attn.set_active(embed, heads, head_dim)
        self.fc1.set_active(embed, ffn)
        self.fc2.set_active(ffn, embed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))

    def to_static(self) -> nn.Module:
        return static.TransformerLayer(
            self.norm1.to_static(), self.attn.to_static(), self.norm2.to_static(),
            self.fc1.to_static(), self.fc2.to_static(),
        )
