"""Supernet training: sandwich rule with in-place distillation, checkpoints, resume."""

from paretonas.train._checkpoint import CHECKPOINT_FILES, load_checkpoint, load_supernet, save_checkpoint
from paretonas.train._sandwich import TrainSettings, train_supernet
from paretonas.train._standalone import reinitialize, train_standalone

__all__ = ["CHECKPOINT_FILES", "TrainSettings", "load_checkpoint", "load_supernet", "reinitialize", "save_checkpoint",
           "train_standalone", "train_supernet"]
