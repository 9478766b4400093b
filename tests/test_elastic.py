"""Elastic layers and supernets: an extracted subnet computes exactly what the supernet
computes with that subnet active, and contains no elastic code."""

import numpy as np
import pytest
import torch
from torch import nn

from paretonas.elastic import ElasticBatchNorm, ElasticConv, ElasticModule, ElasticStage
from paretonas.measure import recalibrate_batchnorm
from paretonas.models import create_supernet

SUPERNETS = [
    ("cnn1d", dict(input_shape=(1, 40), num_classes=10)),
    ("cnn1d", dict(input_shape=(2, 24), num_classes=3, block="mbconv")),
    ("cnn2d", dict(input_shape=(1, 8, 8), num_classes=10)),
    ("cnn2d", dict(input_shape=(3, 12, 12), num_classes=4, block="mbconv")),
    ("mlp", dict(input_shape=(1, 40), num_classes=10)),
    ("transformer", dict(input_shape=(1, 40), num_classes=10)),
    ("transformer", dict(input_shape=(12,), num_classes=5, vocab_size=30)),
]


def _scramble_batchnorm(net: nn.Module, generator: torch.Generator) -> None:
    # Non-trivial statistics and affine weights, so slicing mistakes change outputs.
    for module in net.modules():
        if isinstance(module, ElasticBatchNorm):
            n = module.max_features
            module.running_mean.copy_(torch.randn(n, generator=generator))
            module.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
            module.weight.data.copy_(torch.randn(n, generator=generator))
            module.bias.data.copy_(torch.randn(n, generator=generator))


@pytest.mark.parametrize("name,kwargs", SUPERNETS, ids=lambda v: str(v) if isinstance(v, str) else "")
def test_extracted_subnet_equals_active_supernet(name, kwargs):
    torch.manual_seed(0)
    net = create_supernet(name, **kwargs)
    _scramble_batchnorm(net, torch.Generator().manual_seed(1))
    rng = np.random.default_rng(0)
    configs = [net.largest_config(), net.smallest_config()] + [net.sample_config(rng) for _ in range(25)]
    x = net.example_input(5)
    for config in configs:
        net.activate(config).eval()
        with torch.no_grad():
            expected = net(x)
            model = net.extract()
            got = model(x)
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
        assert not any(isinstance(m, ElasticModule) for m in model.modules())
        assert not any("paretonas.elastic._" in type(m).__module__ for m in model.modules())
    # Different subnets really are different networks.
    small = net.extract(net.smallest_config())
    large = net.extract(net.largest_config())
    assert sum(p.numel() for p in small.parameters()) < sum(p.numel() for p in large.parameters())


def test_extracted_shapes_follow_the_config():
    net = create_supernet("cnn1d", input_shape=(1, 40), num_classes=10)
    config = dict(net.smallest_config(), stem_width=24, s0_depth=2, s0_width=32, s0_b1_kernel=5)
    model = net.extract(config)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv1d)]
    assert convs[0].out_channels == 24
    assert convs[1].in_channels == 24 and convs[1].out_channels == 32
    assert [c.kernel_size[0] for c in convs[:6]] == [3, 3, 3, 1, 5, 5]  # stem, block0 (+proj), block1


def test_kernel_is_the_centre_crop_of_the_largest():
    conv = ElasticConv(1, 2, 3, 7)
    conv.set_active(2, 3, kernel=3)
    x = torch.randn(1, 2, 20)
    expected = nn.functional.conv1d(x, conv.weight[:, :, 2:5], padding=1)
    torch.testing.assert_close(conv(x), expected)


def test_depth_runs_the_first_blocks():
    blocks = [nn.Linear(4, 4) for _ in range(3)]
    stage = ElasticStage(blocks)
    stage.set_depth(2)
    x = torch.randn(2, 4)
    torch.testing.assert_close(stage(x), blocks[1](blocks[0](x)))
    with pytest.raises(ValueError, match="depth=4"):
        stage.set_depth(4)


def test_batchnorm_recalibration_is_the_exact_average_over_calibration_batches():
    net = create_supernet("mlp", input_shape=(6,), num_classes=2, depths=(1,), widths=(4, 8))
    net.activate({"depth": 1, "l0_width": 4})
    x = torch.randn(64, 6)
    recalibrate_batchnorm(net, x, batches=4, batch_size=16)
    with torch.no_grad():
        hidden = net.linears[0](x)
    torch.testing.assert_close(net.norms[0].running_mean[:4], hidden.mean(dim=0), rtol=1e-5, atol=1e-6)
    # Unused channels keep the reset values; momentum is restored afterwards.
    assert torch.all(net.norms[0].running_mean[4:] == 0)
    assert net.norms[0].momentum == 0.1


def test_inactive_layers_are_canonicalised_away():
    net = create_supernet("cnn1d", input_shape=(1, 40), num_classes=10)
    a = dict(net.largest_config(), s1_depth=1, s1_b2_kernel=3)
    b = dict(a, s1_b2_kernel=7, s1_b1_kernel=5)
    assert net.space.key(a) == net.space.key(b)
    assert net.space.key(a) != net.space.key(dict(a, s1_b0_kernel=3))


def test_restricted_space_keeps_only_listed_choices():
    net = create_supernet("cnn1d", input_shape=(1, 40), num_classes=10)
    sub = net.space.restrict({"s0_depth": [3, 2], "s0_b0_kernel": [7]})
    assert sub["s0_depth"].choices == (2, 3)
    config = sub.canonical(dict(net.largest_config(), s0_depth=2, s0_b0_kernel=7))
    assert config["s0_b2_kernel"] in sub["s0_b2_kernel"].choices
    with pytest.raises(Exception, match="'s0_depth' has no value 9"):
        net.space.restrict({"s0_depth": [9]})
    with pytest.raises(Exception, match="unknown dimension 'depthh'"):
        net.space.restrict({"depthh": [1]})
