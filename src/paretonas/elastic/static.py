"""Plain PyTorch modules that extracted subnets are made of.

Nothing here is elastic: every shape is fixed at construction, so an extracted
subnet is an ordinary model that ``torch.onnx.export`` and TorchScript handle like
any other.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int) -> torch.Tensor:
    """Multi-head attention on (batch, tokens, heads*dim) tensors.

    Written out rather than ``scaled_dot_product_attention`` so the supernet, the
    extracted model and every ONNX exporter compute exactly the same operations.
    """
    b, n, width = q.shape
    d = width // heads

    def split(t: torch.Tensor) -> torch.Tensor:
        return t.reshape(b, n, heads, d).transpose(1, 2)

    scores = split(q) @ split(k).transpose(-2, -1) / math.sqrt(d)
    out = scores.softmax(dim=-1) @ split(v)
    return out.transpose(1, 2).reshape(b, n, width)


class BasicBlock(nn.Module):
    """ResNet basic block: two convolutions and a shortcut (projected when shapes change)."""

    conv_bn_pairs = (("conv1", "bn1"), ("conv2", "bn2"))  # folded before quantization

    def __init__(self, conv1: nn.Module, bn1: nn.Module, conv2: nn.Module, bn2: nn.Module,
                 shortcut: nn.Module | None):
        super().__init__()
        self.conv1, self.bn1, self.conv2, self.bn2 = conv1, bn1, conv2, bn2
        self.shortcut = shortcut if shortcut is not None else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class InvertedResidual(nn.Module):
    """MBConv: 1x1 expansion, depthwise convolution, 1x1 projection, residual if shapes allow."""

    def __init__(self, expand: nn.Module, depthwise: nn.Module, project: nn.Module, residual: bool):
        super().__init__()
        self.expand, self.depthwise, self.project, self.residual = expand, depthwise, project, residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.project(self.depthwise(self.expand(x)))
        return out + x if self.residual else out

    def extra_repr(self) -> str:
        return f"residual={self.residual}"


class SelfAttention(nn.Module):
    def __init__(self, embed: int, heads: int, head_dim: int):
        super().__init__()
        self.heads = heads
        inner = heads * head_dim
        self.q, self.k, self.v = nn.Linear(embed, inner), nn.Linear(embed, inner), nn.Linear(embed, inner)
        self.out = nn.Linear(inner, embed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(attention(self.q(x), self.k(x), self.v(x), self.heads))

    def extra_repr(self) -> str:
        return f"heads={self.heads}"


class TransformerLayer(nn.Module):
    """Pre-norm encoder layer: x + attn(ln(x)), then x + ffn(ln(x))."""

    def __init__(self, norm1: nn.Module, attn: nn.Module, norm2: nn.Module, fc1: nn.Module, fc2: nn.Module):
        super().__init__()
        self.norm1, self.attn, self.norm2, self.fc1, self.fc2 = norm1, attn, norm2, fc1, fc2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class GlobalPool(nn.Module):
    """Average over every axis after the channel axis: (B, C, ...) -> (B, C)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(2).mean(dim=2)


class TokenEmbedding(nn.Module):
    """Integer token ids (B, N) to (B, N, embed) vectors."""

    def __init__(self, embedding: nn.Embedding):
        super().__init__()
        self.embedding = embedding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embedding(x.long())


class AddPosition(nn.Module):
    """Add a learned position embedding for the first ``tokens`` positions."""

    def __init__(self, position: torch.Tensor):
        super().__init__()
        self.position = nn.Parameter(position.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.position[: x.shape[1]]


class MeanTokens(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=1)


class Patchify(nn.Module):
    """(B, C, L) signals to (B, L / patch, C * patch) flat patches."""

    def __init__(self, patch: int):
        super().__init__()
        self.patch = patch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, length = x.shape
        return x.reshape(b, c, length // self.patch, self.patch).permute(0, 2, 1, 3).flatten(2)

    def extra_repr(self) -> str:
        return f"patch={self.patch}"
