"""NAS-Bench-Graph as a paretonas search problem.

The benchmark (Qin et al., 2022) tabulates 26,206 distinct GNN architectures per
dataset (2,021 for proteins, which has its own op list): a cell is a link pattern
(which earlier node feeds each of four nodes) plus one op per node. Many
(link, ops) pairs describe the same network; the package's ``Arch.valid_hash``
reduces each to its table key. We expose that reduction as the space's canonical
form, so the search never pays twice for one network.

The tables are pickles inside the installed ``nas_bench_graph`` package; they are
read with the package's own ``light_read`` (trusted, shipped data, never a user file).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

import numpy as np

from paretonas.errors import ParetonasError
from paretonas.search.objectives import Objective
from paretonas.search.pareto import hypervolume, normalize, pareto_mask
from paretonas.space import Choice, Config, Space

DATASETS = ("arxiv", "citeseer", "computers", "cora", "cs", "photo", "physics", "proteins", "pubmed")
METRICS = ("val_accuracy", "test_accuracy", "latency_ms", "params_m")
DEFAULT_OBJECTIVES = (Objective("val_accuracy", "maximize"), Objective("latency_ms", "minimize"))
_N_NODES = 4


def _nbg():
    import nas_bench_graph
    from nas_bench_graph import architecture

    return nas_bench_graph, architecture


def _link_name(link) -> str:
    return "".join(str(i) for i in link)


@dataclass
class NasBenchGraph:
    """One dataset's table: the space, canonical keys, and metric lookups."""

    dataset: str

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ParetonasError(
                f"unknown NAS-Bench-Graph dataset {self.dataset!r}; choose one of: {', '.join(DATASETS)}"
            )
        nbg, arch = _nbg()
        self._Arch = nbg.Arch
        self._links = [list(link) for link in arch.link_list]
        self._hash_ops = list(arch.gnn_list)  # valid_hash encodes ops by this list, on every dataset
        self.ops = list(arch.gnn_list_proteins if self.dataset == "proteins" else arch.gnn_list)
        self.table: dict = nbg.light_read(self.dataset)
        self.space = Space(
            [Choice("link", [_link_name(link) for link in self._links])]
            + [Choice(f"op{i}", self.ops) for i in range(1, _N_NODES + 1)],
            canonicalize=self.canonical,
            structure="link",
        )

    # ----- architecture identity ---------------------------------------------------

    def table_key(self, config: Mapping) -> int | None:
        """The table's key for a config (``Arch(link, ops).valid_hash()``), None if invalid."""
        ops = [config[f"op{i}"] for i in range(1, _N_NODES + 1)]
        if all(op == "skip" for op in ops):
            return None  # no trainable op: not a network, and not in the table
        link = [int(c) for c in config["link"]]
        return self._Arch(link, ops).valid_hash()

    def config_of_key(self, key: int) -> Config:
        """Invert ``valid_hash``: the canonical (link, ops) that the key encodes."""
        base = len(self._hash_ops) + 1
        digits = []
        rest = int(key)
        for _ in range(_N_NODES):
            rest, digit = divmod(rest, base)
            digits.append(digit)
        ops = [self._hash_ops[d] for d in reversed(digits)]
        config = {"link": _link_name(self._links[rest])}
        config.update({f"op{i}": op for i, op in enumerate(ops, start=1)})
        return config

    def canonical(self, config: Config) -> Config | None:
        """The first config, in encoding order, that describes the same network.

        Any fixed representative would identify networks; the first in encoding order
        keeps similar networks similar in one-hot features (skips stay where the user
        put them), which measurably helps predictors.
        """
        key = self.table_key(config)
        return None if key is None else dict(self._representatives[key])

    @cached_property
    def _representatives(self) -> dict[int, Config]:
        representatives: dict[int, Config] = {}
        links = self.space["link"].choices
        for link in links:
            for ops in itertools.product(self.ops, repeat=_N_NODES):
                config = {"link": link} | {f"op{i}": op for i, op in enumerate(ops, start=1)}
                key = self.table_key(config)
                if key is not None and key not in representatives:
                    representatives[key] = config
        return representatives

    # ----- metrics -------------------------------------------------------------------

    def metrics_of_key(self, key: int) -> dict[str, float]:
        row = self.table[key]
        return {
            "val_accuracy": float(row["valid_perf"]),
            "test_accuracy": float(row["perf"]),
            "latency_ms": float(row["latency"]) * 1000.0,
            "params_m": float(row["para"]),
        }

    def evaluate(self, config: Config) -> dict[str, float]:
        key = self.table_key(config)
        if key is None:
            raise ParetonasError(f"config {config} has only skip ops: it is not a network")
        return self.metrics_of_key(key)

    # ----- the exact answer ------------------------------------------------------------

    @cached_property
    def keys(self) -> list[int]:
        return list(self.table)

    def objective_matrix(self, keys, objectives) -> np.ndarray:
        """Rows of minimisation-space objective values for table keys."""
        rows = [self.metrics_of_key(k) for k in keys]
        return np.array([[o.sign * r[o.name] for o in objectives] for r in rows], dtype=float).reshape(
            len(rows), len(objectives)
        )

    def feasible(self, keys, constraints) -> np.ndarray:
        rows = [self.metrics_of_key(k) for k in keys]
        return np.array([all(c.violation(r[c.name]) <= 0 for c in constraints) for r in rows], dtype=bool)

    def reference(self, objectives, constraints=()) -> "ExactReference":
        """Exact front of the feasible table rows; normalisation over the whole table."""
        F = self.objective_matrix(self.keys, objectives)
        lower, upper = F.min(axis=0), F.max(axis=0)
        ok = self.feasible(self.keys, constraints)
        if not ok.any():
            raise ParetonasError(
                f"no architecture of {self.dataset} satisfies {', '.join(map(str, constraints))}; loosen the constraint"
            )
        Fn = normalize(F[ok], lower, upper)
        front = pareto_mask(Fn)
        keys = [k for k, keep in zip(self.keys, ok) if keep]
        return ExactReference(
            lower=lower,
            upper=upper,
            true_hv=hypervolume(Fn[front], np.ones(len(objectives))),
            front_keys=[k for k, f in zip(keys, front) if f],
        )


@dataclass
class ExactReference:
    """The protocol's yardstick: normalisation bounds and the exact front's hypervolume."""

    lower: np.ndarray
    upper: np.ndarray
    true_hv: float
    front_keys: list

    def hv_ratio(self, F_min: np.ndarray) -> float:
        if len(F_min) == 0:
            return 0.0
        F_min = np.asarray(F_min, dtype=float)
        F_min = F_min[np.all(np.isfinite(F_min), axis=1)]
        Fn = normalize(F_min, self.lower, self.upper)
        return hypervolume(Fn, np.ones(Fn.shape[1])) / self.true_hv
