"""Supernet training: checkpoints without pickle, and a resume that loses nothing."""

import json

import pytest
import torch

from paretonas.data import Task
from paretonas.errors import ParetonasError
from paretonas.models import create_supernet
from paretonas.train import TrainSettings, load_supernet, train_supernet


def tiny_task(n=96, length=16, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % classes
    x = torch.randn(n, 1, length, generator=g) + y[:, None, None].float()
    return Task("tiny", x[:64], y[:64], x[64:80], y[64:80], x[80:], y[80:], ["a", "b", "c"])


def tiny_supernet():
    torch.manual_seed(0)
    return create_supernet("cnn1d", input_shape=(1, 16), num_classes=3, stem_widths=(4, 8),
                           stage_widths=((4, 8), (8, 16)), depths=(1, 2), kernels=(3, 5))


SETTINGS = TrainSettings(epochs=3, batch_size=16, lr=0.01, random_subnets=1, seed=3)


class Interrupt(Exception):
    pass


def test_resume_continues_exactly_where_it_stopped(tmp_path):
    task = tiny_task()
    straight = tiny_supernet()
    history = train_supernet(straight, task, SETTINGS, tmp_path / "a")
    assert [h["epoch"] for h in history] == [1, 2, 3]

    def stop_after_two(epoch, total, record):
        if epoch == 2:
            raise Interrupt

    interrupted = tiny_supernet()
    with pytest.raises(Interrupt):
        train_supernet(interrupted, task, SETTINGS, tmp_path / "b", on_epoch=stop_after_two)
    assert json.loads((tmp_path / "b" / "supernet.json").read_text())["epoch"] == 2
    resumed = tiny_supernet()  # a fresh process: weights come from the checkpoint only
    history_resumed = train_supernet(resumed, task, SETTINGS, tmp_path / "b")
    assert [h["epoch"] for h in history_resumed] == [1, 2, 3]  # nothing lost, nothing duplicated
    for (name, a), (_, b) in zip(straight.state_dict().items(), resumed.state_dict().items()):
        assert torch.equal(a, b), name
    assert history_resumed == history


def test_checkpoint_loads_without_pickle_and_rebuilds_the_supernet(tmp_path):
    task = tiny_task()
    net = tiny_supernet()
    train_supernet(net, task, TrainSettings(epochs=1, batch_size=32), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["supernet.json", "supernet.safetensors"]
    loaded, meta = load_supernet(tmp_path)
    assert meta["epoch"] == 1 and meta["spec"] == net.spec
    for (name, a), (_, b) in zip(net.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), name


def test_resume_refuses_other_settings_or_another_supernet(tmp_path):
    task = tiny_task()
    train_supernet(tiny_supernet(), task, TrainSettings(epochs=1, batch_size=32), tmp_path)
    with pytest.raises(ParetonasError, match="other settings"):
        train_supernet(tiny_supernet(), task, TrainSettings(epochs=1, batch_size=16), tmp_path)
    other = create_supernet("mlp", input_shape=(1, 16), num_classes=3)
    with pytest.raises(ParetonasError, match="another supernet"):
        train_supernet(other, task, TrainSettings(epochs=1, batch_size=32), tmp_path)


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(ParetonasError, match="no supernet checkpoint"):
        load_supernet(tmp_path / "nothing")


def test_sandwich_training_learns(tmp_path):
    task = tiny_task(n=96)
    net = tiny_supernet()
    history = train_supernet(net, task, TrainSettings(epochs=4, batch_size=16, lr=0.01))
    assert history[-1]["loss"] < history[0]["loss"]
    assert history[-1]["val_accuracy_largest"] > 1 / 3 + 0.2  # well above chance on separable data
