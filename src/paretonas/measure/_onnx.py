"""ONNX and TorchScript export, and predictions read back from the exported files."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

ONNX_OPSET = 17


def export_onnx(model: nn.Module, example: torch.Tensor, path: str | Path | None = None) -> bytes:
    """Export with a dynamic batch axis; returns the file's bytes (and writes them if ``path``).

    The TorchScript-based exporter is used because it is deterministic and fast
    (about 10 ms for our models), so the same subnet always gives the same file.
    """
    model.eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (example,), buffer, dynamo=False, opset_version=ONNX_OPSET,
            input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        )
    data = buffer.getvalue()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)
    return data


def onnx_session(model: bytes | str | Path, threads: int = 1):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    source = str(model) if isinstance(model, Path) else model
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def onnx_logits(model: bytes | str | Path, x: torch.Tensor, batch_size: int = 500, threads: int = 1) -> np.ndarray:
    """The exported file's outputs for ``x``, run in batches."""
    session = onnx_session(model, threads)
    name = session.get_inputs()[0].name
    x = x.numpy().astype(np.float32) if x.is_floating_point() else x.numpy()
    return np.concatenate([session.run(None, {name: x[i : i + batch_size]})[0] for i in range(0, len(x), batch_size)])


def onnx_predictions(model: bytes | str | Path, x: torch.Tensor, batch_size: int = 500, threads: int = 1) -> torch.Tensor:
    return torch.as_tensor(onnx_logits(model, x, batch_size, threads).argmax(axis=1))


def torchscript_predictions(path: str | Path, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    module = torch.jit.load(str(path), map_location="cpu").eval()
    with torch.inference_mode():
        return torch.cat([module(x[i : i + batch_size]).argmax(dim=1) for i in range(0, len(x), batch_size)])
