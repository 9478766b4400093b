import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def cora():
    from paretonas.bench.nasbench_graph import NasBenchGraph

    return NasBenchGraph("cora")


@pytest.fixture
def cell_space():
    """A small cell space: a link pattern and four op positions sharing one op list."""
    from paretonas.space import Choice, Space

    ops = ["skip", "fc", "gin", "gat"]
    return Space([Choice("link", ["chain", "parallel", "mixed"])] + [Choice(f"op{i}", ops) for i in range(1, 5)])


@pytest.fixture
def additive_latency():
    """Latency = 0.3 ms + a cost per op wherever it sits (GAT costs 100 times FC), with optional multiplicative noise."""
    import numpy as np

    cost = {"skip": 0.0, "fc": 0.2, "gin": 0.5, "gat": 20.0}

    def latency_of(space, encodings, noise=0.0, rng=None):
        latency = np.array([0.3 + sum(cost[space.decode(e)[f"op{i}"]] for i in range(1, 5)) for e in encodings])
        return latency * (1 + noise * rng.normal(size=len(latency))) if noise else latency

    return latency_of


@pytest.fixture
def cli_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def paretonas_cmd():
    return [sys.executable, "-m", "paretonas.cli"]
