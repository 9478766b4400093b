"""benchmarks/nbg_budget_to_target.py: the budget at which a mean HV curve reaches a level."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from nbg_budget_to_target import first_reaching, mean_curve  # noqa: E402

from paretonas.bench.nasbench_graph import DEFAULT_OBJECTIVES  # noqa: E402


def test_the_exact_front_reaches_one_at_its_size(cora):
    front = list(cora.reference(DEFAULT_OBJECTIVES).front_keys)
    others = [k for k in cora.keys[:5] if k not in front]
    curve = mean_curve(cora, {"0": others + front}, budget=len(others) + len(front) + 3)
    assert first_reaching(curve, 1.0 - 1e-12) == len(others) + len(front)
    assert np.all(np.diff(curve) >= -1e-12)  # a front only grows


def test_a_short_run_keeps_its_last_ratio(cora):
    front = list(cora.reference(DEFAULT_OBJECTIVES).front_keys)
    full, short = {"0": front}, {"0": front, "1": front[:2]}
    curve = mean_curve(cora, short, budget=len(front) + 5)
    two = mean_curve(cora, {"1": front[:2]}, budget=2)[-1]
    assert curve[-1] == pytest.approx((1.0 + two) / 2)
    assert first_reaching(curve, 1.0 - 1e-12) is None
    assert first_reaching(mean_curve(cora, full, budget=len(front)), 1.0 - 1e-12) == len(front)
