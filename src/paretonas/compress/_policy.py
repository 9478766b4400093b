"""The joint space: a supernet's architecture plus per-layer-group compression policies.

Each layer group (the stem, each block, the head) can get
- ``q_<group>`` in {fp32, int8}, with ``q_calibration`` for how activation ranges are
  calibrated (quantization);
- ``p_<group>``, the fraction of the group's own channels kept (structured pruning);
  only groups that own a channel set (see ``_prune.sets_by_group``) get one;
- ``s_<group>``, the fraction of its weights zeroed by magnitude (unstructured sparsity).

A group of a block that does not run is canonicalised to "no compression", and the
calibration to its first choice when nothing is int8, so equivalent configs are one network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from paretonas.compress._fake_quant import CALIBRATIONS
from paretonas.compress._prune import channel_sets, sets_by_group
from paretonas.space import Choice, Config, Space

PRECISIONS = ("fp32", "int8")
KEEP_RATIOS = (0.25, 0.5, 0.75, 1.0)
SPARSITIES = (0.0, 0.5, 0.75, 0.9)
CALIBRATION_DIM = "q_calibration"
PRUNING_KINDS = ("structured", "unstructured")
_UNCOMPRESSED = {"q_": PRECISIONS[0], "p_": 1.0, "s_": 0.0}


@dataclass
class Policy:
    """What a joint config does to its architecture's layer groups."""

    precision: dict[str, str] = field(default_factory=dict)
    calibration: str = CALIBRATIONS[0]
    keep: dict[str, float] = field(default_factory=dict)
    sparsity: dict[str, float] = field(default_factory=dict)

    @property
    def prunes(self) -> bool:
        return any(r < 1.0 for r in self.keep.values()) or any(s > 0 for s in self.sparsity.values())


def prunable_groups(supernet) -> list[str]:
    """Groups that own a channel set a keep-ratio can prune (in the largest subnet)."""
    largest = supernet.largest_config()
    owned = sets_by_group(channel_sets(supernet.extract(largest)), supernet.group_paths(largest))
    return [name for name, _ in supernet.layer_groups() if name in owned]


def joint_space(supernet, quantization: bool = False, pruning: tuple[str, ...] = ()) -> Space:
    """The supernet's space with the chosen compression dimensions added."""
    unknown = sorted(set(pruning) - set(PRUNING_KINDS))
    if unknown:
        raise ValueError(f"unknown pruning kind(s) {unknown}; choose from {list(PRUNING_KINDS)}")
    groups = supernet.layer_groups()
    dims = list(supernet.space.dimensions)
    if quantization:
        dims += [Choice(f"q_{name}", PRECISIONS) for name, _ in groups] + [Choice(CALIBRATION_DIM, CALIBRATIONS)]
    if "structured" in pruning:
        dims += [Choice(f"p_{name}", KEEP_RATIOS) for name in prunable_groups(supernet)]
    if "unstructured" in pruning:
        dims += [Choice(f"s_{name}", SPARSITIES) for name, _ in groups]
    names = {d.name for d in dims}
    arch_names = supernet.space.names

    def canonicalize(config: Config) -> Config | None:
        arch = supernet.space.canonical({n: config[n] for n in arch_names})
        if arch is None:
            return None
        out = dict(config, **arch)
        for name, gate in groups:
            if gate is not None and gate[1] >= config[gate[0]]:
                out.update({p + name: v for p, v in _UNCOMPRESSED.items() if p + name in names})
        if quantization and all(out[f"q_{name}"] == "fp32" for name, _ in groups):
            out[CALIBRATION_DIM] = CALIBRATIONS[0]
        return out

    return Space(dims, canonicalize=canonicalize)


def with_quantization(supernet) -> Space:
    return joint_space(supernet, quantization=True)


def split_config(supernet, config: Mapping) -> tuple[Config, Policy]:
    """(architecture config, compression policy) of a joint config; a plain architecture
    config is uncompressed fp32."""
    arch = {n: config[n] for n in supernet.space.names}
    policy = Policy(calibration=config.get(CALIBRATION_DIM, CALIBRATIONS[0]))
    for key, value in config.items():
        if key == CALIBRATION_DIM or key in arch:
            continue
        if key.startswith("q_"):
            policy.precision[key[2:]] = value
        elif key.startswith("p_"):
            policy.keep[key[2:]] = float(value)
        elif key.startswith("s_"):
            policy.sparsity[key[2:]] = float(value)
    return arch, policy


def uncompressed(space: Space, arch: Mapping, precision: str = "fp32") -> Config:
    """``arch`` in ``space`` with every compression dimension off, except precision."""
    config = dict(arch)
    for name in space.names:
        if name in config:
            continue
        if name == CALIBRATION_DIM:
            config[name] = CALIBRATIONS[0]
        else:
            config[name] = precision if name.startswith("q_") else _UNCOMPRESSED[name[:2]]
    return config


def group_layers(supernet, arch: Config, groups: Mapping[str, object], layers: list[str],
                 chosen=lambda value: True) -> list[str]:
    """The model's Conv/Linear paths inside the groups whose value ``chosen`` accepts."""
    prefixes = [p for group, paths in supernet.group_paths(arch).items()
                if group in groups and chosen(groups[group]) for p in paths]
    return [layer for layer in layers if any(layer == p or layer.startswith(p + ".") for p in prefixes)]


def int8_layers(supernet, arch: Config, precision: Mapping[str, str], layers: list[str]) -> list[str]:
    """The model's Conv/Linear paths that the policy puts in int8."""
    return group_layers(supernet, arch, precision, layers, lambda value: value == "int8")


def uniform_policy(supernet, precision: str) -> dict[str, str]:
    return {name: precision for name, _ in supernet.layer_groups()}
