from __future__ import annotations

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from paretonas.elastic import ElasticBatchNorm


def predictions(model: nn.Module, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Class predictions in eval mode, batch by batch."""
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        out = torch.cat([model(x[i : i + batch_size]).argmax(dim=1) for i in range(0, len(x), batch_size)])
    model.train(was_training)
    return out


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 500) -> float:
    """Fraction of correct predictions, in [0, 1]."""
    return float((predictions(model, x, batch_size) == y).double().mean())


def recalibrate_batchnorm(model: nn.Module, x: torch.Tensor, batches: int = 8, batch_size: int = 256) -> None:
    """Re-estimate every batch-norm layer's statistics for the active subnet.

    Statistics learnt while training a supernet are a blend over all subnets it
    sampled and are wrong for any one of them (Once-for-All, BigNAS); the exact
    average (``momentum=None``) over a fixed set of training batches is cheap and
    deterministic, so a subnet re-evaluated later gets exactly the same numbers.
    """
    norms = [m for m in model.modules() if isinstance(m, (ElasticBatchNorm, _BatchNorm))]
    if not norms:
        return
    saved = [(m, m.momentum) for m in norms]
    was_training = model.training
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        for i in range(batches):
            chunk = x[i * batch_size : (i + 1) * batch_size]
            if len(chunk) < 2:
                break
            model(chunk)
    for m, momentum in saved:
        m.momentum = momentum
    model.train(was_training)
