from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def count_macs(model: nn.Module, example: torch.Tensor) -> int:
    """Multiply-accumulates of one forward pass on ``example`` (torch's FLOP counter / 2)."""
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(example)
    return int(counter.get_total_flops() // 2)


def count_params(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def model_bytes(model: nn.Module) -> int:
    """Bytes of the weights and buffers as stored (float32 here: 4 per value)."""
    tensors = list(model.parameters()) + [b for b in model.buffers() if b.is_floating_point()]
    return int(sum(t.numel() * t.element_size() for t in tensors))
