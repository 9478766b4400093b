import numpy as np
import pytest
import torch
from PIL import Image

from paretonas.data import load_task
from paretonas.errors import ParetonasError


def test_mnist1d_is_generated_offline_with_its_own_test_split():
    task = load_task("mnist1d")
    assert task.input_shape == (1, 40) and task.num_classes == 10
    assert (len(task.y_train), len(task.y_val), len(task.y_test)) == (3200, 800, 1000)
    again = load_task("mnist1d")
    assert torch.equal(task.x_val, again.x_val)  # deterministic


def test_digits_are_images():
    task = load_task("digits")
    assert task.input_shape == (1, 8, 8)
    assert len(task.y_train) + len(task.y_val) + len(task.y_test) == 1797


def _make_images(root, classes=("cat", "dog"), per_class=6, size=10):
    for c, name in enumerate(classes):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            pixels = np.full((size, size, 3), 40 + 150 * c + i, dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{i}.png")


def test_image_folder_single_root_is_split(tmp_path):
    _make_images(tmp_path)
    task = load_task("imagefolder", path=str(tmp_path), image_size=8)
    assert task.input_shape == (3, 8, 8)
    assert task.class_names == ["cat", "dog"]
    assert len(task.y_train) + len(task.y_val) + len(task.y_test) == 12
    assert set(task.y_test.tolist()) == {0, 1}  # stratified


def test_image_folder_with_train_and_test_folders(tmp_path):
    _make_images(tmp_path / "train")
    _make_images(tmp_path / "test", per_class=2)
    task = load_task("imagefolder", path=str(tmp_path), image_size=6, channels=1)
    assert task.input_shape == (1, 6, 6)
    assert len(task.y_test) == 4


def test_image_folder_errors_name_the_path(tmp_path):
    with pytest.raises(ParetonasError, match="does not exist"):
        load_task("imagefolder", path=str(tmp_path / "missing"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(ParetonasError, match="no images"):
        load_task("imagefolder", path=str(tmp_path))


def test_csv_features_and_label_column(tmp_path):
    rows = ["f1,f2,species"] + [f"{i},{i % 3 * 2.5},{'ab'[i % 2]}" for i in range(30)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    task = load_task("csv", path=str(tmp_path / "data.csv"), label_column="species")
    assert task.input_shape == (2,) and task.class_names == ["a", "b"]
    assert len(task.y_train) + len(task.y_val) + len(task.y_test) == 30
    assert abs(float(task.x_train.mean())) < 1e-5  # scaled by train statistics


def test_csv_errors_name_column_and_line(tmp_path):
    (tmp_path / "d.csv").write_text("x,y\n1,a\n2,b\n")
    with pytest.raises(ParetonasError, match="no column 'label'"):
        load_task("csv", path=str(tmp_path / "d.csv"))
    (tmp_path / "e.csv").write_text("x,label\n1,a\nfoo,b\n")
    with pytest.raises(ParetonasError, match="line 3"):
        load_task("csv", path=str(tmp_path / "e.csv"))
    with pytest.raises(ParetonasError, match="unknown dataset 'mnist'"):
        load_task("mnist")
