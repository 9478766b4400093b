"""Ready supernets behind a registry: ``create_supernet(name, input_shape=..., num_classes=..., **kwargs)``."""

from __future__ import annotations

import inspect
from typing import Any

from paretonas.errors import ParetonasError
from paretonas.models._base import Supernet
from paretonas.models._conv import ConvSupernet
from paretonas.models._mlp import MLPSupernet
from paretonas.models._transformer import TransformerSupernet

SUPERNETS: dict[str, tuple[type[Supernet], dict[str, Any]]] = {}
SUPERNET_HELP: dict[str, str] = {}
_FIXED = {"self", "ndim", "name"}  # set by the registry, not by users


def register_supernet(name: str, help: str, cls: type[Supernet], **defaults: Any) -> None:
    """Add a supernet class, with the keyword arguments that make this entry, to the registry (timm-style)."""
    SUPERNETS[name] = (cls, defaults)
    SUPERNET_HELP[name] = help


register_supernet("mlp", "multilayer perceptron: elastic depth and per-layer width; any input shape", MLPSupernet)
register_supernet("cnn1d", "1D CNN with ResNet (block='resnet') or MBConv (block='mbconv') stages; (channels, length)",
                  ConvSupernet, ndim=1)
register_supernet("cnn2d", "2D CNN with ResNet or MBConv stages; (channels, height, width) images", ConvSupernet,
                  ndim=2, stem_widths=(8, 12, 16), stage_widths=((8, 12, 16), (16, 24, 32), (32, 48, 64)),
                  kernels=(3, 5))
register_supernet("transformer", "Transformer encoder: depth, embed width, heads, head width, FFN ratio",
                  TransformerSupernet)


def create_supernet(name: str, **kwargs: Any) -> Supernet:
    """Build a registered supernet; unknown names and keyword arguments are named in the error."""
    if name not in SUPERNETS:
        raise ParetonasError(f"unknown supernet {name!r}; available: {', '.join(sorted(SUPERNETS))}")
    cls, defaults = SUPERNETS[name]
    accepted = set(inspect.signature(cls.__init__).parameters) - _FIXED
    unknown = sorted(set(kwargs) - accepted - {"name"})
    if unknown:
        raise ParetonasError(f"supernet {name!r} has no option(s) {unknown}; its options are {sorted(accepted)}")
    kwargs.pop("name", None)
    return cls(**{**defaults, **kwargs, "name": name})  # the spec records the registry name


def supernet_from_spec(spec: dict) -> Supernet:
    """Rebuild a supernet from the ``spec`` stored beside its checkpoint."""
    spec = dict(spec)
    return create_supernet(spec.pop("name"), **spec)


__all__ = ["SUPERNETS", "Supernet", "create_supernet", "register_supernet", "supernet_from_spec"]
