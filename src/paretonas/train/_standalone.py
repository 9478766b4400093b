"""Training one fixed architecture from scratch: the control that weight sharing is judged against."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from paretonas.train._sandwich import TrainSettings, _lr_at


def reinitialize(model: nn.Module, seed: int = 0) -> nn.Module:
    """Fresh weights for every layer that has them (the architecture is kept)."""
    torch.manual_seed(seed)
    for module in model.modules():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    return model


def train_standalone(model: nn.Module, task, settings: TrainSettings) -> nn.Module:
    """Same optimiser, schedule, batch order and epochs as supernet training, labels only."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    x, y = task.x_train, task.y_train
    steps = max(1, len(x) // settings.batch_size)
    for epoch in range(settings.epochs):
        model.train()
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(settings.seed * 100003 + epoch))
        for step in range(steps):
            for group in optimizer.param_groups:
                group["lr"] = _lr_at(settings, epoch * steps + step, steps)
            batch = order[step * settings.batch_size : (step + 1) * settings.batch_size]
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
    return model.eval()
