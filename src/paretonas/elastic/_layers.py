"""Elastic layers: one set of maximal weights, run at any smaller shape.

Every layer keeps the weights of its largest form and, when a subnet is active,
slices them: the first ``out`` channels, the centre ``k`` taps of the kernel (as in
Once-for-All), the first ``h`` heads with their first ``d`` dims. Slicing by prefix is
what makes weight sharing work: small subnets train the weights that every larger
subnet also uses, so they learn to be useful on their own.

Each layer also knows how to become a plain PyTorch module of its active shape
(``to_static``) with the sliced weights copied in, so that an extracted subnet has
no elastic code left in it and exports to ONNX or TorchScript like any model.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from paretonas.elastic.static import SelfAttention, attention


class ElasticModule(nn.Module):
    """Marker base: a module whose shape follows the active subnet."""

    def to_static(self) -> nn.Module:  # pragma: no cover - abstract
        raise NotImplementedError


def _check_active(name: str, value: int, maximum: int) -> int:
    if not 1 <= value <= maximum:
        raise ValueError(f"{name}={value} is outside 1..{maximum}")
    return int(value)


def _filled(static: nn.Module, weight: torch.Tensor, bias: torch.Tensor | None) -> nn.Module:
    """``static`` with the sliced weights copied in (copies, so the supernet can go on training)."""
    with torch.no_grad():
        static.weight.copy_(weight)
        if bias is not None:
            static.bias.copy_(bias)
    return static


class ElasticLinear(ElasticModule):
    """``nn.Linear`` whose input and output widths are prefixes of the maximal ones."""

    def __init__(self, max_in: int, max_out: int, bias: bool = True):
        super().__init__()
        reference = nn.Linear(max_in, max_out, bias=bias)
        self.weight = reference.weight
        self.bias = reference.bias
        self.max_in, self.max_out = max_in, max_out
        self.active_in, self.active_out = max_in, max_out

    def set_active(self, in_features: int | None = None, out_features: int | None = None) -> None:
        if in_features is not None:
            self.active_in = _check_active("in_features", in_features, self.max_in)
        if out_features is not None:
            self.active_out = _check_active("out_features", out_features, self.max_out)

    def active_weight(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        weight = self.weight[: self.active_out, : self.active_in]
        bias = None if self.bias is None else self.bias[: self.active_out]
        return weight, bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, *self.active_weight())

    def to_static(self) -> nn.Linear:
        weight, bias = self.active_weight()
        return _filled(nn.Linear(self.active_in, self.active_out, bias=bias is not None), weight, bias)


class ElasticConv(ElasticModule):
    """Conv1d/Conv2d with elastic in/out channels and elastic kernel size.

    A smaller kernel is the centre crop of the largest one and padding keeps the
    output length ("same" padding), so every kernel choice yields the same shapes.
    ``depthwise`` convolutions have one filter per channel: in = out = groups.
    """

    def __init__(self, ndim: int, max_in: int, max_out: int, max_kernel: int, stride: int = 1,
                 depthwise: bool = False, bias: bool = False):
        super().__init__()
        if max_kernel % 2 != 1:
            raise ValueError(f"kernel sizes must be odd for centre cropping, got {max_kernel}")
        if depthwise and max_in != max_out:
            raise ValueError("a depthwise convolution has as many outputs as inputs")
        self.ndim, self.stride, self.depthwise = ndim, stride, depthwise
        self.max_in, self.max_out, self.max_kernel = max_in, max_out, max_kernel
        conv = (nn.Conv1d if ndim == 1 else nn.Conv2d)(
            max_in, max_out, max_kernel, stride=stride, padding=max_kernel // 2,
            groups=max_in if depthwise else 1, bias=bias,
        )
        self.weight, self.bias = conv.weight, conv.bias
        self.active_in, self.active_out, self.active_kernel = max_in, max_out, max_kernel

    def set_active(self, in_channels: int | None = None, out_channels: int | None = None,
                   kernel: int | None = None) -> None:
        if self.depthwise:
            channels = out_channels if out_channels is not None else in_channels
            if channels is not None:
                self.active_in = self.active_out = _check_active("channels", channels, self.max_out)
        else:
            if in_channels is not None:
                self.active_in = _check_active("in_channels", in_channels, self.max_in)
            if out_channels is not None:
                self.active_out = _check_active("out_channels", out_channels, self.max_out)
        if kernel is not None:
            if kernel % 2 != 1 or not 1 <= kernel <= self.max_kernel:
                raise ValueError(f"kernel={kernel} must be odd and at most {self.max_kernel}")
            self.active_kernel = int(kernel)

    def active_weight(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        start = (self.max_kernel - self.active_kernel) // 2
        stop = start + self.active_kernel
        weight = self.weight[: self.active_out, : (1 if self.depthwise else self.active_in)]
        weight = weight[..., start:stop] if self.ndim == 1 else weight[..., start:stop, start:stop]
        bias = None if self.bias is None else self.bias[: self.active_out]
        return weight, bias

    def _conv_kwargs(self) -> dict:
        return dict(stride=self.stride, padding=self.active_kernel // 2,
                    groups=self.active_out if self.depthwise else 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        conv = F.conv1d if self.ndim == 1 else F.conv2d
        return conv(x, *self.active_weight(), **self._conv_kwargs())

    def to_static(self) -> nn.Module:
        weight, bias = self.active_weight()
        static = (nn.Conv1d if self.ndim == 1 else nn.Conv2d)(
            self.active_in, self.active_out, self.active_kernel, bias=bias is not None, **self._conv_kwargs()
        )
        return _filled(static, weight, bias)


class ElasticBatchNorm(ElasticModule):
    """BatchNorm over the first ``c`` channels of the maximal statistics.

    Statistics gathered while training the supernet mix many subnets and fit none of
    them; :func:`paretonas.measure.recalibrate_batchnorm` re-estimates them for the
    active subnet (``momentum=None`` gives the exact average over calibration batches).
    """

    def __init__(self, ndim: int, max_features: int, eps: float = 1e-5, momentum: float | None = 0.1):
        super().__init__()
        self.ndim, self.max_features, self.eps, self.momentum = ndim, max_features, eps, momentum
        self.weight = nn.Parameter(torch.ones(max_features))
        self.bias = nn.Parameter(torch.zeros(max_features))
        self.register_buffer("running_mean", torch.zeros(max_features))
        self.register_buffer("running_var", torch.ones(max_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        self.active_features = max_features

    def reset_running_stats(self) -> None:
        self.running_mean.zero_()
        self.running_var.fill_(1.0)
        self.num_batches_tracked.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        factor = 0.0
        if self.training:
            self.num_batches_tracked.add_(1)
            factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        # Slices are views: a training step updates the shared statistics in place.
        return F.batch_norm(
            x, self.running_mean[:c], self.running_var[:c], self.weight[:c], self.bias[:c],
            self.training, factor, self.eps,
        )

    def to_static(self) -> nn.Module:
        c = self.active_features
        static = (nn.BatchNorm1d if self.ndim == 1 else nn.BatchNorm2d)(c, eps=self.eps)
        with torch.no_grad():
            static.weight.copy_(self.weight[:c])
            static.bias.copy_(self.bias[:c])
            static.running_mean.copy_(self.running_mean[:c])
            static.running_var.copy_(self.running_var[:c])
        return static.eval()

    def set_active(self, features: int) -> None:
        self.active_features = _check_active("features", features, self.max_features)


class ElasticLayerNorm(ElasticModule):
    """LayerNorm over the first ``c`` features (elastic embedding width)."""

    def __init__(self, max_features: int, eps: float = 1e-5):
        super().__init__()
        self.max_features, self.eps = max_features, eps
        self.weight = nn.Parameter(torch.ones(max_features))
        self.bias = nn.Parameter(torch.zeros(max_features))
        self.active_features = max_features

    def set_active(self, features: int) -> None:
        self.active_features = _check_active("features", features, self.max_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[-1]
        return F.layer_norm(x, (c,), self.weight[:c], self.bias[:c], self.eps)

    def to_static(self) -> nn.LayerNorm:
        c = self.active_features
        static = nn.LayerNorm(c, eps=self.eps)
        with torch.no_grad():
            static.weight.copy_(self.weight[:c])
            static.bias.copy_(self.bias[:c])
        return static


def head_rows(heads: int, head_dim: int, max_head_dim: int) -> torch.Tensor:
    """Rows of a (max_heads * max_head_dim)-row projection used by the first heads/dims."""
    return (torch.arange(heads)[:, None] * max_head_dim + torch.arange(head_dim)[None, :]).reshape(-1)


class ElasticSelfAttention(ElasticModule):
    """Multi-head self-attention with elastic heads, head width and embedding width."""

    def __init__(self, max_embed: int, max_heads: int, max_head_dim: int):
        super().__init__()
        self.max_embed, self.max_heads, self.max_head_dim = max_embed, max_heads, max_head_dim
        inner = max_heads * max_head_dim
        self.q, self.k, self.v = (nn.Linear(max_embed, inner) for _ in range(3))
        self.out = nn.Linear(inner, max_embed)
        self.active_embed, self.active_heads, self.active_head_dim = max_embed, max_heads, max_head_dim

    def set_active(self, embed: int | None = None, heads: int | None = None, head_dim: int | None = None) -> None:
        if embed is not None:
            self.active_embed = _check_active("embed", embed, self.max_embed)
        if heads is not None:
            self.active_heads = _check_active("heads", heads, self.max_heads)
        if head_dim is not None:
            self.active_head_dim = _check_active("head_dim", head_dim, self.max_head_dim)

    def _sliced(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        rows = head_rows(self.active_heads, self.active_head_dim, self.max_head_dim).to(self.q.weight.device)
        e = self.active_embed
        sliced = {name: (getattr(self, name).weight[rows, :e], getattr(self, name).bias[rows]) for name in "qkv"}
        sliced["out"] = (self.out.weight[:e, rows], self.out.bias[:e])
        return sliced

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self._sliced()
        q, k, v = (F.linear(x, *w[name]) for name in "qkv")
        return F.linear(attention(q, k, v, self.active_heads), *w["out"])

    def to_static(self) -> nn.Module:
        static = SelfAttention(self.active_embed, self.active_heads, self.active_head_dim)
        with torch.no_grad():
            for name, (weight, bias) in self._sliced().items():
                getattr(static, name).weight.copy_(weight)
                getattr(static, name).bias.copy_(bias)
        return static
