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
def cli_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def paretonas_cmd():
    return [sys.executable, "-m", "paretonas.cli"]
