"""The joint space: a supernet's architecture plus a per-layer-group precision policy.

Each layer group (the stem, each block, the head) gets a dimension ``q_<group>`` in
{fp32, int8}, and ``q_calibration`` picks how activation ranges are calibrated.
A group of a block that does not run, and the calibration when nothing is int8, are
canonicalised away, so equivalent configs are one network.
"""

from __future__ import annotations

from typing import Mapping

from paretonas.compress._fake_quant import CALIBRATIONS
from paretonas.space import Choice, Config, Space

PRECISIONS = ("fp32", "int8")
CALIBRATION_DIM = "q_calibration"


def with_quantization(supernet) -> Space:
    groups = supernet.layer_groups()
    dims = list(supernet.space.dimensions)
    dims += [Choice(f"q_{name}", PRECISIONS) for name, _ in groups] + [Choice(CALIBRATION_DIM, CALIBRATIONS)]
    arch_names = supernet.space.names

    def canonicalize(config: Config) -> Config | None:
        arch = supernet.space.canonical({n: config[n] for n in arch_names})
        if arch is None:
            return None
        out = dict(config, **arch)
        for name, gate in groups:
            if gate is not None and gate[1] >= config[gate[0]]:
                out[f"q_{name}"] = PRECISIONS[0]
        if all(out[f"q_{name}"] == "fp32" for name, _ in groups):
            out[CALIBRATION_DIM] = CALIBRATIONS[0]
        return out

    return Space(dims, canonicalize=canonicalize)


def split_config(supernet, config: Mapping) -> tuple[Config, dict[str, str], str]:
    """(architecture config, {group: precision}, calibration) of a joint config.

    A plain architecture config is all fp32.
    """
    arch = {n: config[n] for n in supernet.space.names}
    policy = {k[2:]: v for k, v in config.items() if k.startswith("q_") and k != CALIBRATION_DIM}
    return arch, policy, config.get(CALIBRATION_DIM, CALIBRATIONS[0])


def int8_layers(supernet, arch: Config, policy: Mapping[str, str], layers: list[str]) -> list[str]:
    """The model's Conv/Linear paths that the policy puts in int8."""
    prefixes = [p for group, paths in supernet.group_paths(arch).items() if policy.get(group) == "int8"
                for p in paths]
    return [layer for layer in layers if any(layer == p or layer.startswith(p + ".") for p in prefixes)]


def uniform_policy(supernet, precision: str) -> dict[str, str]:
    return {name: precision for name, _ in supernet.layer_groups()}
