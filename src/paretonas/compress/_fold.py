"""Fold batch norm into the convolution before it, as every ONNX exporter does in eval mode.

Quantization must see the weights that will really be quantized: after export a
Conv followed by BatchNorm is one Conv with rescaled weights, so fake-quant scores
the folded weights too.
"""

from __future__ import annotations

import copy

from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

_CONVS = (nn.Conv1d, nn.Conv2d)
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """A copy of ``model`` (eval mode) with each Conv->BatchNorm pair fused into one Conv.

    Pairs are siblings: adjacent in an ``nn.Sequential``, or attributes a block lists
    in ``conv_bn_pairs`` (e.g. ``BasicBlock``: conv1/bn1, conv2/bn2).
    """
    model = copy.deepcopy(model).eval()
    for module in model.modules():
        if isinstance(module, nn.Sequential):
            children = list(module)
            for i in range(len(children) - 1):
                if isinstance(children[i], _CONVS) and isinstance(children[i + 1], _NORMS):
                    module[i] = fuse_conv_bn_eval(children[i], children[i + 1])
                    module[i + 1] = nn.Identity()
        for conv_name, norm_name in getattr(module, "conv_bn_pairs", ()):
            conv, norm = getattr(module, conv_name), getattr(module, norm_name)
            if isinstance(conv, _CONVS) and isinstance(norm, _NORMS):
                setattr(module, conv_name, fuse_conv_bn_eval(conv, norm))
                setattr(module, norm_name, nn.Identity())
    return model
