import math

import pytest

from paretonas.errors import ParetonasError
from paretonas.search import parse_constraint, parse_constraints, parse_objectives


def test_parse_objectives():
    objectives = parse_objectives("accuracy:max latency_ms:min")
    assert [(o.name, o.direction, o.sign) for o in objectives] == [
        ("accuracy", "maximize", -1.0),
        ("latency_ms", "minimize", 1.0),
    ]
    assert [str(o) for o in objectives] == ["accuracy:max", "latency_ms:min"]


@pytest.mark.parametrize("text", ["accuracy", "accuracy:up", ":max", "acc uracy:max"])
def test_malformed_objective_names_the_text(text):
    with pytest.raises(ParetonasError, match="malformed|NAME:max"):
        parse_objectives([text])


def test_unknown_and_repeated_objectives():
    with pytest.raises(ParetonasError, match="unknown objective metric 'acc'; available metrics: accuracy, latency_ms"):
        parse_objectives("acc:max", allowed=["accuracy", "latency_ms"])
    with pytest.raises(ParetonasError, match=r"\['accuracy'\] given twice"):
        parse_objectives("accuracy:max accuracy:min")


def test_parse_constraint_and_violation():
    c = parse_constraint("latency_ms<=2.0")
    assert (c.name, c.op, c.bound) == ("latency_ms", "<=", 2.0)
    assert c.violation(1.5) == -0.5 and c.violation(3.0) == 1.0
    assert c.violation(float("nan")) == math.inf
    g = parse_constraint(" accuracy >= 0.9 ")
    assert g.violation(0.95) == pytest.approx(-0.05)
    assert parse_constraints(None) == []


@pytest.mark.parametrize("text", ["latency_ms<2", "latency_ms<=", "<=2", "latency_ms<=two", "latency_ms<=inf"])
def test_malformed_constraint(text):
    with pytest.raises(ParetonasError, match=f"constraint '{text}' is malformed"):
        parse_constraint(text)
