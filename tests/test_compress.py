"""Int8 quantization: folding is exact, the policy's fp32 layers stay fp32 in the file,
and fake-quant scores agree with the real int8 ONNX Runtime model."""

import numpy as np
import onnx
import pytest
import torch

from paretonas.compress import fake_quantize, fold_batchnorm, onnx_layer_nodes, quantizable_layers, quantize_onnx
from paretonas.data import load_task
from paretonas.errors import ParetonasError
from paretonas.measure import accuracy, export_onnx, onnx_logits, recalibrate_batchnorm
from paretonas.models import create_supernet
from paretonas.train import TrainSettings, train_supernet


@pytest.fixture(scope="module")
def trained():
    """A small cnn2d supernet trained briefly on digits: real weights, real ranges."""
    task = load_task("digits")
    torch.manual_seed(0)
    net = create_supernet("cnn2d", input_shape=task.input_shape, num_classes=10, stem_widths=(8, 16),
                          stage_widths=((8, 16), (16, 32)), depths=(1, 2), kernels=(3,))
    train_supernet(net, task, TrainSettings(epochs=3, batch_size=64, lr=0.01))
    return net, task


def _model(net, task, config):
    net.activate(config)
    recalibrate_batchnorm(net, task.x_train)
    return net.extract()


def test_folding_batchnorm_keeps_the_outputs(trained):
    net, task = trained
    model = _model(net, task, net.largest_config())
    folded = fold_batchnorm(model)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    with torch.no_grad():
        torch.testing.assert_close(folded(task.x_val[:50]), model(task.x_val[:50]), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name,kwargs", [
    ("cnn1d", dict(input_shape=(1, 40), num_classes=10, block="mbconv")),
    ("transformer", dict(input_shape=(1, 40), num_classes=10)),
])
def test_layers_map_onto_weighted_onnx_nodes(name, kwargs):
    net = create_supernet(name, **kwargs)
    model = net.extract(net.largest_config())
    x = net.example_input(1)
    layers = quantizable_layers(model, x)
    mapping = onnx_layer_nodes(onnx.load_from_string(export_onnx(model, x)), layers)
    assert list(mapping) == layers  # attention's activation-by-activation MatMuls are not layers
    kinds = {type(m).__name__ for n, m in model.named_modules() if n in layers}
    assert kinds <= {"Conv1d", "Linear"}


def test_fp32_layers_stay_fp32_in_the_int8_file(trained):
    net, task = trained
    model = _model(net, task, net.largest_config())
    x = task.x_val[:1]
    layers = quantizable_layers(model, x)
    int8 = layers[::2]
    fp32 = export_onnx(model, x)
    names = onnx_layer_nodes(onnx.load_from_string(fp32), layers)
    graph = onnx.load_from_string(quantize_onnx(fp32, layers, int8, task.x_train[:256])).graph
    produced_by = {out: node.op_type for node in graph.node for out in node.output}
    by_name = {n.name: n for n in graph.node}
    for layer in layers:
        node = by_name[names[layer]]
        weight_source = produced_by.get(node.input[1], "initializer")
        if layer in int8:
            assert weight_source == "DequantizeLinear", layer
            assert produced_by.get(node.input[0]) == "DequantizeLinear", layer
        else:
            assert weight_source == "initializer", layer
    assert any(init.data_type == onnx.TensorProto.INT8 for init in graph.initializer)


@pytest.mark.parametrize("method", ["minmax", "percentile"])
def test_fake_quant_agrees_with_real_int8(trained, method):
    net, task = trained
    rng = np.random.default_rng(0)
    for config in [net.largest_config(), net.smallest_config(), net.sample_config(rng)]:
        model = _model(net, task, config)
        x = task.x_val[:1]
        layers = quantizable_layers(model, x)
        for int8 in (layers, layers[1::2]):
            fake = fake_quantize(model, int8, task.x_train[:512], method)
            real = quantize_onnx(export_onnx(model, x), layers, int8, task.x_train[:512], method)
            real_logits = onnx_logits(real, task.x_test)
            fake_acc = accuracy(fake, task.x_test, task.y_test)
            real_acc = float((torch.as_tensor(real_logits.argmax(axis=1)) == task.y_test).double().mean())
            # Near-tied logits flip on the int8 kernels' rounding, which differs by CPU
            # (AVX2 against AVX-512 VNNI): up to three of the 359 test samples measured.
            assert abs(fake_acc - real_acc) <= 3.5 / len(task.y_test), (config, method, len(int8), fake_acc, real_acc)
            assert abs(real_acc - accuracy(model, task.x_test, task.y_test)) < 0.05  # int8 is close to fp32
            # The sharper check: the file's logits are nearer the fake-quant model's than
            # quantization moved them from fp32's. Measured: min-max 0.09-0.44, percentile
            # 0.63-0.79 (ONNX Runtime's histogram bins its percentile); a wrong convention
            # (8-bit weights in the fake model, or its outputs left unquantized) 0.88-1.72.
            # On an AMD EPYC with AVX2 only (no VNNI) percentile reaches 0.94, inside that
            # range, so min-max carries the convention check and percentile's bound is loose.
            with torch.no_grad():
                fake_logits, fp32_logits = fake.eval()(task.x_test).numpy(), model.eval()(task.x_test).numpy()
            ratio = np.abs(real_logits - fake_logits).mean() / np.abs(fp32_logits - fake_logits).mean()
            assert ratio <= (0.6 if method == "minmax" else 1.0), (config, method, len(int8), ratio)


def test_bad_policy_is_named(trained):
    net, task = trained
    model = _model(net, task, net.smallest_config())
    with pytest.raises(ParetonasError, match="unknown calibration 'entropy'"):
        fake_quantize(model, [], task.x_train[:64], "entropy")
    with pytest.raises(ParetonasError, match="not quantizable"):
        fake_quantize(model, ["head"], task.x_train[:64])


@pytest.mark.parametrize("name,kwargs", [
    ("cnn1d", dict(input_shape=(1, 40), num_classes=10)),
    ("cnn2d", dict(input_shape=(1, 8, 8), num_classes=10, block="mbconv")),
    ("mlp", dict(input_shape=(1, 40), num_classes=10)),
    ("transformer", dict(input_shape=(1, 40), num_classes=10)),
    ("transformer", dict(input_shape=(12,), num_classes=5, vocab_size=30)),
])
def test_layer_groups_cover_exactly_the_layers_of_every_subnet(name, kwargs):
    from paretonas.compress import int8_layers, split_config, uniform_policy, with_quantization

    net = create_supernet(name, **kwargs)
    space = with_quantization(net)
    rng = np.random.default_rng(0)
    for _ in range(15):
        arch, _ = split_config(net, space.canonical(space.decode(space.sample(rng, 1)[0])))
        layers = quantizable_layers(net.extract(arch), net.example_input(1))
        assert int8_layers(net, arch, uniform_policy(net, "int8"), layers) == layers
        assert int8_layers(net, arch, uniform_policy(net, "fp32"), layers) == []
        head_only = dict(uniform_policy(net, "fp32"), head="int8")
        assert int8_layers(net, arch, head_only, layers) == [layers[-1]]
