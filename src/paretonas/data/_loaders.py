"""Dataset loaders: MNIST-1D (generated), scikit-learn digits, image folders, CSV files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from paretonas.data._task import Task, split_indices, standardize
from paretonas.errors import ParetonasError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def _as_task(name, x_train, y_train, x_val, y_val, x_test, y_test, class_names) -> Task:
    t = lambda a, dtype: torch.as_tensor(np.ascontiguousarray(a), dtype=dtype)  # noqa: E731
    return Task(name, t(x_train, torch.float32), t(y_train, torch.long), t(x_val, torch.float32),
                t(y_val, torch.long), t(x_test, torch.float32), t(y_test, torch.long), list(class_names))


def _train_val(x, y, val_fraction: float, seed: int):
    if not 0 < val_fraction < 1:
        raise ParetonasError(f"task.val_fraction must be between 0 and 1, got {val_fraction}")
    train, val = split_indices(y, val_fraction, seed)
    return x[train], y[train], x[val], y[val]


def load_mnist1d(seed: int = 0, val_fraction: float = 0.2, **_: Any) -> Task:
    """MNIST-1D generated with the package's default arguments; never downloaded.

    Its own test split is the test set; validation comes out of the training split.
    """
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())
    x, y = np.asarray(data["x"], dtype=np.float64), np.asarray(data["y"], dtype=np.int64)
    x_tr, y_tr, x_va, y_va = _train_val(x, y, val_fraction, seed)
    x_tr, x_va, x_te = standardize(x_tr, x_va, np.asarray(data["x_test"], dtype=np.float64))
    add_channel = lambda a: a[:, None, :]  # noqa: E731  (N, 40) -> (N, 1, 40)
    return _as_task("mnist1d", add_channel(x_tr), y_tr, add_channel(x_va), y_va, add_channel(x_te),
                    np.asarray(data["y_test"], dtype=np.int64), [str(i) for i in range(10)])


def load_digits(seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2, **_: Any) -> Task:
    """scikit-learn's bundled 8x8 digits as (1, 8, 8) images."""
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    x, y = bunch.images.astype(np.float64)[:, None] / 16.0, bunch.target.astype(np.int64)
    rest, test = split_indices(y, test_fraction, seed + 1)
    x_tr, y_tr, x_va, y_va = _train_val(x[rest], y[rest], val_fraction, seed)
    x_tr, x_va, x_te = standardize(x_tr, x_va, x[test])
    return _as_task("digits", x_tr, y_tr, x_va, y_va, x_te, y[test], [str(i) for i in range(10)])


def _existing(path: str | Path | None, what: str) -> Path:
    if path is None:
        raise ParetonasError(f"task.path is required for {what}")
    path = Path(path).expanduser()
    if not path.exists():
        raise ParetonasError(f"task.path {str(path)!r} does not exist (needed for {what})")
    return path


def _class_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _read_images(root: Path, classes: list[str], image_size: int, channels: int):
    from PIL import Image

    xs, ys = [], []
    for label, name in enumerate(classes):
        folder = root / name
        if not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*")):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            try:
                with Image.open(file) as image:
                    image = image.convert("L" if channels == 1 else "RGB").resize((image_size, image_size))
                    array = np.asarray(image, dtype=np.float64) / 255.0
            except OSError as error:
                raise ParetonasError(f"cannot read image {str(file)!r}: {error}") from None
            xs.append(array[None] if channels == 1 else array.transpose(2, 0, 1))
            ys.append(label)
    if not xs:
        raise ParetonasError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) found under {str(root)!r}")
    return np.stack(xs), np.asarray(ys, dtype=np.int64)


def load_image_folder(path: str | Path | None = None, image_size: int = 32, channels: int = 3, seed: int = 0,
                      val_fraction: float = 0.2, test_fraction: float = 0.2, **_: Any) -> Task:
    """An ImageFolder layout: ``root/<class>/<image>``, or ``root/{train,val,test}/<class>/<image>``.

    Missing ``val`` or ``test`` folders are split off ``train`` (stratified).
    """
    root = _existing(path, "an image folder")
    if channels not in (1, 3):
        raise ParetonasError(f"task.channels must be 1 (grey) or 3 (RGB), got {channels}")
    has_splits = (root / "train").is_dir()
    base = root / "train" if has_splits else root
    classes = [p.name for p in _class_dirs(base)]
    if len(classes) < 2:
        raise ParetonasError(f"{str(base)!r} must hold one folder per class (at least 2), found {classes}")
    x, y = _read_images(base, classes, image_size, channels)
    if has_splits and (root / "test").is_dir():
        x_te, y_te = _read_images(root / "test", classes, image_size, channels)
    else:
        rest, test = split_indices(y, test_fraction, seed + 1)
        x, y, x_te, y_te = x[rest], y[rest], x[test], y[test]
    if has_splits and (root / "val").is_dir():
        x_tr, y_tr = x, y
        x_va, y_va = _read_images(root / "val", classes, image_size, channels)
    else:
        x_tr, y_tr, x_va, y_va = _train_val(x, y, val_fraction, seed)
    x_tr, x_va, x_te = standardize(x_tr, x_va, x_te, per_channel_axis=1)
    return _as_task(f"images:{root.name}", x_tr, y_tr, x_va, y_va, x_te, y_te, classes)


def load_csv(path: str | Path | None = None, label_column: str = "label", seed: int = 0, val_fraction: float = 0.2,
             test_fraction: float = 0.2, **_: Any) -> Task:
    """A CSV with a header: numeric feature columns plus one label column (any values)."""
    file = _existing(path, "a CSV task")
    with open(file, newline="") as handle:
        rows = list(csv.reader(handle))
    if len(rows) < 2:
        raise ParetonasError(f"{str(file)!r} needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    if label_column not in header:
        raise ParetonasError(f"{str(file)!r} has no column {label_column!r} (task.label_column); columns: {header}")
    label_at = header.index(label_column)
    features, labels = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise ParetonasError(f"{str(file)!r} line {line} has {len(row)} fields, the header has {len(header)}")
        labels.append(row[label_at].strip())
        try:
            features.append([float(v) for i, v in enumerate(row) if i != label_at])
        except ValueError as error:
            raise ParetonasError(f"{str(file)!r} line {line}: a feature is not a number ({error})") from None
    classes = sorted(set(labels))
    y = np.asarray([classes.index(v) for v in labels], dtype=np.int64)
    x = np.asarray(features, dtype=np.float64)
    rest, test = split_indices(y, test_fraction, seed + 1)
    x_tr, y_tr, x_va, y_va = _train_val(x[rest], y[rest], val_fraction, seed)
    # per-feature scaling with train statistics
    x_tr, x_va, x_te = standardize(x_tr, x_va, x[test], per_channel_axis=1)
    return _as_task(f"csv:{file.stem}", x_tr, y_tr, x_va, y_va, x_te, y[test], classes)


DATASETS: dict[str, Callable[..., Task]] = {
    "mnist1d": load_mnist1d,
    "digits": load_digits,
    "imagefolder": load_image_folder,
    "csv": load_csv,
}


def load_task(dataset: str, **options: Any) -> Task:
    if dataset not in DATASETS:
        raise ParetonasError(f"unknown dataset {dataset!r} (task.dataset); available: {', '.join(DATASETS)}")
    return DATASETS[dataset](**options)
