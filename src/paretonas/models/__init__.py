"""Ready supernets behind a registry: ``create_supernet(name, input_shape=..., num_classes=..., **kwargs)``."""

from __future__ import annotations

import inspect
from typing import Any, Callable

from paretonas.errors import ParetonasError
from paretonas.models._base import Supernet
from paretonas.models._conv import ConvSupernet
from paretonas.models._mlp import MLPSupernet
from paretonas.models._transformer import TransformerSupernet

SUPERNETS: dict[str, Callable[..., Supernet]] = {}
SUPERNET_HELP: dict[str, str] = {}


def register_supernet(name: str, help: str):
    """Add a supernet factory to the registry (timm-style)."""

    def decorate(factory: Callable[..., Supernet]) -> Callable[..., Supernet]:
        SUPERNETS[name] = factory
        SUPERNET_HELP[name] = help
        return factory

    return decorate


@register_supernet("mlp", "multilayer perceptron: elastic depth and per-layer width; any input shape")
def _mlp(**kwargs) -> Supernet:
    return MLPSupernet(**kwargs)


@register_supernet("cnn1d", "1D CNN with ResNet (block='resnet') or MBConv (block='mbconv') stages; (channels, length)")
def _cnn1d(**kwargs) -> Supernet:
    return ConvSupernet(1, name="cnn1d", **kwargs)


@register_supernet("cnn2d", "2D CNN with ResNet or MBConv stages; (channels, height, width) images")
def _cnn2d(**kwargs) -> Supernet:
    kwargs.setdefault("stem_widths", (8, 12, 16))
    kwargs.setdefault("stage_widths", ((8, 12, 16), (16, 24, 32), (32, 48, 64)))
    kwargs.setdefault("kernels", (3, 5))
    return ConvSupernet(2, name="cnn2d", **kwargs)


@register_supernet("transformer", "Transformer encoder: depth, embed width, heads, head width, FFN ratio")
def _transformer(**kwargs) -> Supernet:
    return TransformerSupernet(**kwargs)


_FACTORY_CLASSES = {"mlp": MLPSupernet, "cnn1d": ConvSupernet, "cnn2d": ConvSupernet, "transformer": TransformerSupernet}


def create_supernet(name: str, **kwargs: Any) -> Supernet:
    """Build a registered supernet; unknown names and keyword arguments are named in the error."""
    if name not in SUPERNETS:
        raise ParetonasError(f"unknown supernet {name!r}; available: {', '.join(sorted(SUPERNETS))}")
    cls = _FACTORY_CLASSES.get(name)
    if cls is not None:
        accepted = set(inspect.signature(cls.__init__).parameters) - {"self", "ndim", "name"}
        unknown = sorted(set(kwargs) - accepted)
        if unknown:
            raise ParetonasError(
                f"supernet {name!r} has no option(s) {unknown}; its options are {sorted(accepted)}"
            )
    kwargs.pop("name", None)
    return SUPERNETS[name](**kwargs)


def supernet_from_spec(spec: dict) -> Supernet:
    """Rebuild a supernet from the ``spec`` stored beside its checkpoint."""
    spec = dict(spec)
    return create_supernet(spec.pop("name"), **spec)


__all__ = ["SUPERNETS", "Supernet", "create_supernet", "register_supernet", "supernet_from_spec"]
