import numpy as np
import pytest
import torch
from torch import nn

from paretonas.errors import ParetonasError
from paretonas.measure import (
    LatencySettings,
    LatencyTable,
    count_macs,
    count_params,
    export_onnx,
    measure_latency,
    model_bytes,
    onnx_predictions,
    predictions,
)
from paretonas.models import create_supernet


def test_macs_params_bytes_are_counted_not_guessed():
    assert count_macs(nn.Linear(10, 5), torch.randn(1, 10)) == 50
    conv = nn.Conv1d(2, 4, 3, padding=1, bias=False)
    assert count_macs(conv, torch.randn(1, 2, 8)) == 4 * 2 * 3 * 8
    assert count_params(nn.Linear(10, 5)) == 55
    assert model_bytes(nn.Linear(10, 5)) == 55 * 4


@pytest.mark.parametrize("runtime", ["onnxruntime", "pytorch"])
def test_latency_records_its_setting(runtime):
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    result = measure_latency(model, torch.randn(1, 8), LatencySettings(runtime, threads=1, batch_size=4, warmup=2, repeats=7))
    assert 0 < result.p10_ms <= result.median_ms <= result.p90_ms
    assert (result.runtime, result.threads, result.batch_size, result.repeats) == (runtime, 1, 4, 7)


def test_bad_latency_settings_are_named():
    with pytest.raises(ParetonasError, match="unknown runtime 'tensorrt'"):
        LatencySettings("tensorrt")
    with pytest.raises(ParetonasError, match="measure.repeats"):
        LatencySettings(repeats=0)


def test_onnx_export_predicts_like_pytorch():
    net = create_supernet("cnn1d", input_shape=(1, 40), num_classes=10)
    model = net.extract(net.sample_config(np.random.default_rng(1)))
    x = torch.randn(64, 1, 40)
    data = export_onnx(model, x[:1])
    assert torch.equal(onnx_predictions(data, x, batch_size=16), predictions(model, x))
    assert export_onnx(model, x[:1]) == data  # deterministic: the same model gives the same file


def test_latency_table_predicts_and_round_trips(tmp_path):
    net = create_supernet("mlp", input_shape=(1, 20), num_classes=4)
    settings = LatencySettings(warmup=2, repeats=5)
    rng = np.random.default_rng(0)
    x = net.example_input(1)
    table = LatencyTable(settings).fit([net.extract(net.sample_config(rng)) for _ in range(4)], x)
    assert len(table.entries) >= 4 and all(v >= 0 for v in table.entries.values())
    assert table.call_overhead_ms > 0
    model = net.extract(net.sample_config(rng))
    predicted = table.predict(model, x)
    assert np.isfinite(predicted)
    table.save(tmp_path / "lut.json")
    again = LatencyTable.load(tmp_path / "lut.json")
    n_entries = len(table.entries)
    assert again.predict(model, x) == pytest.approx(predicted)
    assert len(again.entries) == n_entries  # nothing re-measured
