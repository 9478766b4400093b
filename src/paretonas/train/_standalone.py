"""Training one fixed architecture from scratch: the control that weight sharing is judged against."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from paretonas.train._sandwich import TrainSettings, epoch_batches


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
    for epoch in range(settings.epochs):
        model.train()
        for batch in epoch_batches(settings, optimizer, len(x), epoch):
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
    return model.eval()
