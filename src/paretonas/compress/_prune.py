"""Pruning of extracted subnets: structured (channels removed, a smaller dense model) and
unstructured (weights zeroed, a smaller *compressed* file only).

Structured pruning has to know which channels belong together. A *channel set* is every
weight slice indexed by one tensor's channels: the layer that produces them, the norms
that scale them, a depthwise convolution that passes them through, and the layers that
consume them. Removing channel ``c`` removes it from every member at once, so the
pruned model is still consistent. Sets are found by walking the plain modules an
extracted subnet is made of (``paretonas.elastic.static``); residual additions join the
sets on both sides into one. A set touching the model's input or output (pixels,
logits) or indexed by attention heads is *fixed* and never pruned.

Channels are ranked by the L1 norm of their producers' weights (Li et al., 2017) and the
strongest are kept, in their original order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import torch
from torch import nn

from paretonas.elastic import static
from paretonas.errors import ParetonasError

PRODUCER_ROLES = ("out", "embedding")


@dataclass(eq=False)
class ChannelSet:
    """Weight slices indexed by one tensor's channels, as (module path, role) pairs."""

    members: list[tuple[str, str]] = field(default_factory=list)
    fixed: bool = False

    def add(self, path: str, role: str) -> "ChannelSet":
        self.members.append((path, role))
        return self

    @property
    def producers(self) -> list[str]:
        return [path for path, role in self.members if role in PRODUCER_ROLES]


class _Walker:
    """Follows the channel dimension through a static model, building its channel sets."""

    def __init__(self):
        self.sets: list[ChannelSet] = []
        self.current = self._new(fixed=True)  # the model input

    def _new(self, *members: tuple[str, str], fixed: bool = False) -> ChannelSet:
        channel_set = ChannelSet(list(members), fixed)
        self.sets.append(channel_set)
        return channel_set

    def _join(self, keep: ChannelSet, other: ChannelSet) -> ChannelSet:
        """A residual addition: both sides index the same channels."""
        if keep is not other:
            keep.members += other.members
            keep.fixed = keep.fixed or other.fixed
            self.sets.remove(other)
        return keep

    def walk(self, module: nn.Module, path: str) -> None:
        def sub(name: str) -> str:
            return f"{path}.{name}" if path else name

        if isinstance(module, (nn.Conv1d, nn.Conv2d)) and module.groups > 1:
            if module.groups != module.in_channels or module.groups != module.out_channels:
                raise ParetonasError(f"structured pruning: grouped convolution {path!r} is not depthwise")
            self.current.add(path, "depthwise")
        elif isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Linear)):
            self.current.add(path, "in")
            self.current = self._new((path, "out"))
        elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm)):
            self.current.add(path, "norm")
        elif isinstance(module, static.TokenEmbedding):
            self.current = self._new((sub("embedding"), "embedding"))
        elif isinstance(module, static.AddPosition):
            self.current.add(path, "position")
        elif isinstance(module, (nn.Flatten, static.Patchify)):
            self.current.fixed = True  # channels are mixed into other axes: leave them be
            self.current = self._new(fixed=True)
        elif isinstance(module, static.BasicBlock):
            self._basic_block(module, sub)
        elif isinstance(module, static.InvertedResidual):
            self._inverted_residual(module, sub)
        elif isinstance(module, static.TransformerLayer):
            self._transformer_layer(sub)
        elif isinstance(module, nn.Sequential):
            for name, child in module.named_children():
                self.walk(child, sub(name))
        elif any(True for _ in module.parameters(recurse=False)) or list(module.children()):
            raise ParetonasError(f"structured pruning does not know how channels flow through {path!r} "
                                 f"({type(module).__name__})")
        # parameter-free, channel-preserving modules (activations, pooling) pass through

    def _basic_block(self, block: static.BasicBlock, sub) -> None:
        entry = self.current.add(sub("conv1"), "in")
        self._new((sub("conv1"), "out"), (sub("bn1"), "norm"), (sub("conv2"), "in"))
        if isinstance(block.shortcut, nn.Identity):
            self.current = entry.add(sub("conv2"), "out").add(sub("bn2"), "norm")
        else:
            entry.add(sub("shortcut.0"), "in")
            self.current = self._new((sub("conv2"), "out"), (sub("bn2"), "norm"),
                                     (sub("shortcut.0"), "out"), (sub("shortcut.1"), "norm"))

    def _inverted_residual(self, block: static.InvertedResidual, sub) -> None:
        entry = self.current.add(sub("expand.0"), "in")
        self._new((sub("expand.0"), "out"), (sub("expand.1"), "norm"), (sub("depthwise.0"), "depthwise"),
                  (sub("depthwise.1"), "norm"), (sub("project.0"), "in"))
        produced = self._new((sub("project.0"), "out"), (sub("project.1"), "norm"))
        self.current = self._join(entry, produced) if block.residual else produced

    def _transformer_layer(self, sub) -> None:
        stream = self.current
        stream.add(sub("norm1"), "norm")
        for name in ("q", "k", "v"):
            stream.add(sub(f"attn.{name}"), "in")
        self._new(*((sub(f"attn.{name}"), "out") for name in ("q", "k", "v")), (sub("attn.out"), "in"),
                  fixed=True)  # indexed by heads: pruning would have to remove whole heads
        stream.add(sub("attn.out"), "out").add(sub("norm2"), "norm").add(sub("fc1"), "in")
        self._new((sub("fc1"), "out"), (sub("fc2"), "in"))
        stream.add(sub("fc2"), "out")


def channel_sets(model: nn.Module) -> list[ChannelSet]:
    """The prunable channel sets of an extracted subnet, in execution order."""
    walker = _Walker()
    walker.walk(model, "")
    walker.current.fixed = True  # the model output (logits)
    return [s for s in walker.sets if not s.fixed and s.producers]


def sets_by_group(sets: Iterable[ChannelSet], group_paths: Mapping[str, list[str]]) -> dict[str, list[ChannelSet]]:
    """The sets a per-group keep-ratio controls: those with a single producer, inside that group.

    Sets with several producers are joined by residual additions across groups; a
    per-group ratio cannot own them, so only uniform pruning touches them.
    """
    owned: dict[str, list[ChannelSet]] = {}
    for channel_set in sets:
        if len(channel_set.producers) != 1:
            continue
        producer = channel_set.producers[0]
        for group, prefixes in group_paths.items():
            if any(producer == p or producer.startswith(p + ".") for p in prefixes):
                owned.setdefault(group, []).append(channel_set)
                break
    return owned


def channel_scores(model: nn.Module, channel_set: ChannelSet) -> torch.Tensor:
    """L1 norm of each channel's producer weights, summed over the set's producers."""
    modules = dict(model.named_modules())
    score = None
    for path, role in channel_set.members:
        if role not in PRODUCER_ROLES:
            continue
        weight = modules[path].weight.detach()
        norms = weight.abs().flatten(1).sum(1) if role == "out" else weight.abs().sum(0)
        score = norms if score is None else score + norms
    return score


def prune_channel_set(model: nn.Module, channel_set: ChannelSet, keep_ratio: float) -> int:
    """Keep the ``keep_ratio`` strongest channels of the set (at least one), in place.

    Returns how many channels remain.
    """
    scores = channel_scores(model, channel_set)
    keep_count = max(1, int(round(keep_ratio * len(scores))))
    if keep_count >= len(scores):
        return len(scores)
    keep = torch.topk(scores, keep_count).indices.sort().values
    modules = dict(model.named_modules())
    for path, role in channel_set.members:
        _slice(modules[path], role, keep)
    return keep_count


def _param(tensor: torch.Tensor) -> nn.Parameter:
    return nn.Parameter(tensor.detach().clone())


def _slice(module: nn.Module, role: str, keep: torch.Tensor) -> None:
    k = len(keep)
    if role in ("out", "depthwise"):
        module.weight = _param(module.weight[keep])
        if module.bias is not None:
            module.bias = _param(module.bias[keep])
        if isinstance(module, nn.Linear):
            module.out_features = k
        else:
            module.out_channels = k
            if role == "depthwise":
                module.in_channels = module.groups = k
    elif role == "in":
        module.weight = _param(module.weight[:, keep])
        if isinstance(module, nn.Linear):
            module.in_features = k
        else:
            module.in_channels = k
    elif role == "norm":
        if module.weight is not None:
            module.weight = _param(module.weight[keep])
            module.bias = _param(module.bias[keep])
        if isinstance(module, nn.LayerNorm):
            module.normalized_shape = (k,)
        else:
            module.running_mean = module.running_mean[keep].clone()
            module.running_var = module.running_var[keep].clone()
            module.num_features = k
    elif role == "embedding":
        module.weight = _param(module.weight[:, keep])
        module.embedding_dim = k
    elif role == "position":
        module.position = _param(module.position[..., keep])
    else:  # pragma: no cover - the walker only emits the roles above
        raise ValueError(role)


def prune_groups(model: nn.Module, group_paths: Mapping[str, list[str]], keep_ratios: Mapping[str, float]) -> None:
    """Structured pruning by a per-group keep-ratio (1.0 leaves a group whole), in place."""
    owned = sets_by_group(channel_sets(model), group_paths)
    for group, ratio in keep_ratios.items():
        if ratio < 1.0:
            for channel_set in owned.get(group, []):
                prune_channel_set(model, channel_set, ratio)


def prune_uniform(model: nn.Module, keep_ratio: float) -> None:
    """Every prunable channel set, residual-coupled ones included, at one keep-ratio, in place."""
    for channel_set in channel_sets(model):
        prune_channel_set(model, channel_set, keep_ratio)


def sparsify(model: nn.Module, layers: Iterable[str], sparsity: float) -> None:
    """Zero the ``sparsity`` fraction of smallest-magnitude weights of each named layer, in place.

    The dense shapes stay: a dense runtime does exactly the same work, so this buys a
    smaller compressed file and nothing else.
    """
    if sparsity <= 0:
        return
    modules = dict(model.named_modules())
    with torch.no_grad():
        for path in layers:
            weight = modules[path].weight
            count = int(sparsity * weight.numel())
            if count == 0:
                continue
            threshold = weight.abs().flatten().kthvalue(count).values
            weight[weight.abs() <= threshold] = 0.0


def zero_fraction(model: nn.Module, layers: Iterable[str]) -> float:
    """Fraction of exact zeros among the named layers' weights."""
    modules = dict(model.named_modules())
    weights = [modules[path].weight.detach().flatten() for path in layers]
    total = sum(w.numel() for w in weights)
    return float(sum(int((w == 0).sum()) for w in weights) / total) if total else 0.0
