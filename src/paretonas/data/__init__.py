"""Tasks: a dataset split into train / validation / test tensors, offline.

Search uses validation accuracy only; the test split is for reporting the front,
never for choosing it. Every loader is deterministic for a given ``seed``.
"""

from paretonas.data._loaders import DATASETS, load_task
from paretonas.data._task import Task

__all__ = ["DATASETS", "Task", "load_task"]
