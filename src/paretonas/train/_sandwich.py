"""The sandwich rule with in-place distillation (BigNAS / Once-for-All).

Each step trains the largest subnet on the labels, then the smallest and ``n``
random subnets on the largest one's soft predictions. Training the two extremes
every step keeps both ends of the front good; distilling from the largest gives the
small subnets a smoother target than the labels alone.

Every random choice of an epoch (data order, subnets) is drawn from generators
seeded by (seed, epoch), so a run resumed from the checkpoint of epoch *e* continues
exactly as the uninterrupted run would have.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from paretonas.errors import ParetonasError
from paretonas.train._checkpoint import load_checkpoint, model_state, optimizer_state, save_checkpoint

EpochCallback = Callable[[int, int, dict], None]


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 40
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    random_subnets: int = 2
    distill: bool = True
    label_weight: float = 0.5  # with distill: subnets' loss = (1 - w) * KD + w * CE on the labels
    grad_clip: float = 1.0  # max gradient norm per step; 0: no clipping
    warmup_epochs: int = 1
    seed: int = 0

    def __post_init__(self):
        if self.epochs < 1 or self.batch_size < 1 or self.random_subnets < 0:
            raise ParetonasError("train.epochs and train.batch_size must be at least 1, random_subnets at least 0")


def _lr_at(settings: TrainSettings, step: int, steps_per_epoch: int) -> float:
    total = settings.epochs * steps_per_epoch
    warm = settings.warmup_epochs * steps_per_epoch
    if step < warm:
        return settings.lr * (step + 1) / warm
    return settings.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))


def epoch_batches(settings: TrainSettings, optimizer: torch.optim.Optimizer, n: int, epoch: int):
    """Index batches of one epoch, in an order seeded by (seed, epoch), with the learning
    rate set for each step. Supernet and standalone training share it, so a comparison
    between them sees the same data in the same order under the same schedule."""
    steps = max(1, n // settings.batch_size)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(settings.seed * 100003 + epoch))
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = _lr_at(settings, epoch * steps + step, steps)
        yield order[step * settings.batch_size : (step + 1) * settings.batch_size]


def _distill_loss(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    return F.kl_div(F.log_softmax(student, dim=1), F.softmax(teacher, dim=1), reduction="batchmean")


def train_supernet(supernet, task, settings: TrainSettings, checkpoint_dir: str | Path | None = None,
                   on_epoch: EpochCallback | None = None, on_step: Callable[[], None] | None = None) -> list[dict]:
    """Train ``supernet`` on ``task``; resume from ``checkpoint_dir`` if it holds a checkpoint.

    Returns the per-epoch history (loss, validation accuracy of the largest and the
    smallest subnet). A checkpoint is written at the end of every epoch.
    """
    from paretonas.measure import accuracy, recalibrate_batchnorm

    optimizer = torch.optim.AdamW(supernet.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    history: list[dict] = []
    start_epoch = 0
    if checkpoint_dir is not None and (Path(checkpoint_dir) / "supernet.json").exists():
        tensors, meta = load_checkpoint(checkpoint_dir)
        if meta.get("spec") != supernet.spec:
            raise ParetonasError(
                f"the checkpoint in {str(checkpoint_dir)!r} is for another supernet ({meta.get('spec')}); "
                "use another output folder or delete it"
            )
        if meta.get("train") != asdict(settings):
            raise ParetonasError(
                f"the checkpoint in {str(checkpoint_dir)!r} was trained with other settings ({meta.get('train')}); "
                "use another output folder, the same train settings, or delete it"
            )
        supernet.load_state_dict(model_state(tensors))
        if meta.get("optimizer_groups"):
            optimizer.load_state_dict(optimizer_state(tensors, meta["optimizer_groups"]))
        start_epoch, history = int(meta["epoch"]), list(meta.get("history", []))

    x, y = task.x_train, task.y_train
    steps_per_epoch = max(1, len(x) // settings.batch_size)
    largest, smallest = supernet.largest_config(), supernet.smallest_config()
    for epoch in range(start_epoch, settings.epochs):
        supernet.train()
        rng = np.random.default_rng([settings.seed, epoch])
        total_loss = 0.0
        for batch in epoch_batches(settings, optimizer, len(x), epoch):
            xb, yb = x[batch], y[batch]
            optimizer.zero_grad(set_to_none=True)
            supernet.activate(largest)
            teacher = supernet(xb)
            loss = F.cross_entropy(teacher, yb)
            loss.backward()
            total_loss += float(loss.detach())
            soft = teacher.detach()
            for config in [smallest] + [supernet.sample_config(rng) for _ in range(settings.random_subnets)]:
                supernet.activate(config)
                out = supernet(xb)
                if settings.distill:
                    sub_loss = _distill_loss(out, soft)
                    if settings.label_weight > 0:
                        sub_loss = (1 - settings.label_weight) * sub_loss + settings.label_weight * F.cross_entropy(out, yb)
                else:
                    sub_loss = F.cross_entropy(out, yb)
                sub_loss.backward()
            if settings.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(supernet.parameters(), settings.grad_clip)
            optimizer.step()
            if on_step:
                on_step()
        record = {"epoch": epoch + 1, "loss": total_loss / steps_per_epoch}
        for label, config in (("largest", largest), ("smallest", smallest)):
            supernet.activate(config)
            recalibrate_batchnorm(supernet, x, batches=4)
            record[f"val_accuracy_{label}"] = accuracy(supernet, task.x_val, task.y_val)
        history.append(record)
        if checkpoint_dir is not None:
            save_checkpoint(checkpoint_dir, supernet, optimizer,
                            {"epoch": epoch + 1, "train": asdict(settings), "history": history, "task": task.name})
        if on_epoch:
            on_epoch(epoch + 1, settings.epochs, record)
    supernet.activate(largest)
    return history
