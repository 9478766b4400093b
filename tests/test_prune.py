"""Pruning: channel sets are complete (removing dead channels changes nothing), per-group
ratios touch only their group, uniform pruning reaches a MACs target, and unstructured
sparsity zeroes weights without changing shapes."""

import zlib

import pytest
import torch
from torch import nn

from paretonas.compress import (
    channel_sets,
    joint_space,
    prunable_groups,
    prune_channel_set,
    prune_groups,
    prune_uniform,
    sets_by_group,
    sparsify,
    split_config,
    uncompressed,
    zero_fraction,
)
from paretonas.measure import count_macs, count_params, export_onnx
from paretonas.models import create_supernet

VARIANTS = [
    ("cnn1d", dict(input_shape=(1, 40), num_classes=10)),
    ("cnn1d", dict(input_shape=(1, 40), num_classes=10, block="mbconv")),
    ("cnn2d", dict(input_shape=(3, 12, 12), num_classes=5, stem_widths=(8,), stage_widths=((8, 16), (16, 24)),
                   depths=(1, 2), kernels=(3,))),
    ("mlp", dict(input_shape=(1, 40), num_classes=10)),
    ("transformer", dict(input_shape=(1, 40), num_classes=10)),
    ("transformer", dict(input_shape=(12,), num_classes=4, vocab_size=30)),
]


def _extracted(name, kwargs, seed=0):
    torch.manual_seed(seed)
    net = create_supernet(name, **kwargs)
    model = net.extract(net.largest_config())
    with torch.no_grad():  # distinct statistics, so a slicing mistake in a norm shows
        for module in model.modules():
            if isinstance(module, nn.BatchNorm1d | nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
    return net, model


def _make_dead(model, channel_set, dropped):
    """Weaken the dropped channels' producers (so L1 ranks them last) and cut them from every
    consumer: they then influence nothing, and removing them must leave the outputs unchanged."""
    modules = dict(model.named_modules())
    with torch.no_grad():
        for path, role in channel_set.members:
            weight = modules[path].weight
            if role == "out":
                weight[dropped] *= 1e-3
            elif role == "embedding":
                weight[:, dropped] *= 1e-3
            elif role == "in":
                weight[:, dropped] = 0.0


@pytest.mark.parametrize("name,kwargs", VARIANTS, ids=lambda v: v if isinstance(v, str) else v.get("block", ""))
def test_removing_dead_channels_changes_no_output(name, kwargs):
    net, reference = _extracted(name, kwargs)
    x = net.example_input(6) if "vocab_size" not in kwargs else torch.randint(0, 30, (6, 12)).float()
    modules = dict(reference.named_modules())
    checked = 0
    for index in range(len(channel_sets(reference))):
        channel_set = channel_sets(reference)[index]
        if any(isinstance(modules[path], nn.LayerNorm) for path, _ in channel_set.members):
            continue  # a layer norm averages over channels: no channel is ever dead behind one
        model = _extracted(name, kwargs)[1]
        target = channel_sets(model)[index]
        producer = dict(model.named_modules())[target.producers[0]]
        size = producer.weight.shape[0] if dict(target.members)[target.producers[0]] == "out" \
            else producer.weight.shape[1]
        dropped = torch.arange(size)[torch.arange(size) % 2 == 1]
        _make_dead(model, target, dropped)
        with torch.no_grad():
            before = model(x)
            kept = prune_channel_set(model, target, 0.5)
            after = model(x)
        assert kept == size - len(dropped)
        torch.testing.assert_close(after, before, rtol=1e-5, atol=1e-5)
        checked += 1
    assert checked >= 3


def test_every_supernet_block_group_owns_a_prunable_set():
    net = create_supernet("cnn1d", input_shape=(1, 40), num_classes=10)
    groups = prunable_groups(net)
    assert "stem" in groups and "head" not in groups  # the head's outputs are the logits
    assert all(g in groups for g, _ in net.layer_groups() if g.startswith("s"))
    mlp = create_supernet("mlp", input_shape=(1, 40), num_classes=10)
    assert prunable_groups(mlp) == [g for g, _ in mlp.layer_groups() if g != "head"]


def test_group_ratio_prunes_only_that_groups_channels():
    net, model = _extracted("cnn1d", VARIANTS[0][1])
    config = net.largest_config()
    paths = net.group_paths(config)
    shapes = {n: m.weight.shape for n, m in model.named_modules() if isinstance(m, nn.Conv1d | nn.Linear)}
    prune_groups(model, paths, {"s1_b1": 0.5})
    changed = {n for n, m in model.named_modules() if isinstance(m, nn.Conv1d | nn.Linear)
               and m.weight.shape != shapes[n]}
    block = paths["s1_b1"][0]
    assert changed == {f"{block}.conv1", f"{block}.conv2"}  # conv1's outputs, conv2's inputs
    conv1 = dict(model.named_modules())[f"{block}.conv1"]
    assert conv1.out_channels == shapes[f"{block}.conv1"][0] // 2
    model(net.example_input(2))


def test_uniform_pruning_shrinks_macs_and_params_monotonically():
    net, model = _extracted("cnn1d", VARIANTS[0][1])
    x = net.example_input(1)
    figures = []
    for ratio in (1.0, 0.75, 0.5, 0.25):
        pruned = _extracted("cnn1d", VARIANTS[0][1])[1]
        prune_uniform(pruned, ratio)
        figures.append((count_macs(pruned, x), count_params(pruned)))
        assert pruned(x).shape == (1, 10)
    assert figures[0] == (count_macs(model, x), count_params(model))
    assert all(a[0] > b[0] and a[1] > b[1] for a, b in zip(figures, figures[1:]))
    residual = [s for s in channel_sets(model) if len(s.producers) > 1]
    assert residual and not any(s in residual for v in sets_by_group(channel_sets(model), net.group_paths(
        net.largest_config())).values() for s in v)


def test_sparsity_zeroes_weights_keeps_shapes_and_shrinks_the_compressed_file():
    net, model = _extracted("cnn1d", VARIANTS[0][1])
    x = net.example_input(1)
    layers = [n for n, m in model.named_modules() if isinstance(m, nn.Conv1d | nn.Linear)]
    shapes = [dict(model.named_modules())[n].weight.shape for n in layers]
    dense = len(zlib.compress(export_onnx(model, x), 6))
    sparsify(model, layers, 0.75)
    assert zero_fraction(model, layers) >= 0.75
    assert [dict(model.named_modules())[n].weight.shape for n in layers] == shapes
    assert len(zlib.compress(export_onnx(model, x), 6)) < 0.6 * dense


def test_joint_space_canonicalises_compression_of_blocks_that_do_not_run():
    net = create_supernet("cnn1d", input_shape=(1, 40), num_classes=10)
    space = joint_space(net, quantization=True, pruning=("structured", "unstructured"))
    config = uncompressed(space, net.smallest_config())
    shallow = dict(config, s0_depth=1, p_s0_b2=0.25, s_s0_b2=0.9, q_s0_b2="int8")
    canonical = space.canonical(shallow)
    assert canonical["p_s0_b2"] == 1.0 and canonical["s_s0_b2"] == 0.0 and canonical["q_s0_b2"] == "fp32"
    arch, policy = split_config(net, dict(config, p_stem=0.5, s_head=0.75))
    assert policy.keep["stem"] == 0.5 and policy.sparsity["head"] == 0.75 and policy.prunes
    with pytest.raises(ValueError, match="pruning kind"):
        joint_space(net, pruning=("channels",))


def test_evaluator_measures_what_each_pruning_kind_buys():
    from paretonas.data import load_task
    from paretonas.measure import LatencySettings
    from paretonas.workflow import SubnetEvaluator

    task = load_task("digits")
    torch.manual_seed(0)
    net = create_supernet("cnn2d", input_shape=task.input_shape, num_classes=10, stem_widths=(8,),
                          stage_widths=((8, 16), (16, 32)), depths=(1, 2), kernels=(3,))
    space = joint_space(net, quantization=False, pruning=("structured", "unstructured"))
    evaluator = SubnetEvaluator(net, task, LatencySettings(warmup=1, repeats=3), calibration_batches=1, space=space)
    whole = uncompressed(space, net.largest_config())
    dense = evaluator(whole)
    pruned = evaluator(dict(whole, **{f"p_{g}": 0.5 for g in prunable_groups(net)}))
    sparse = evaluator(dict(whole, **{name: 0.9 for name in space.names if name.startswith("s_")}))
    assert pruned["macs"] < 0.6 * dense["macs"] and pruned["params"] < dense["params"]
    assert sparse["macs"] == dense["macs"] and sparse["params"] == dense["params"]  # dense shapes: no MACs saved
    assert sparse["weight_sparsity"] >= 0.89 and dense["weight_sparsity"] < 0.01
    assert sparse["compressed_bytes"] < 0.5 * dense["compressed_bytes"]
