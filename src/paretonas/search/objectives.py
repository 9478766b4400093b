"""Objectives and constraints, parsed from the strings users type.

``accuracy:max latency_ms:min`` and ``latency_ms<=2.0`` are the forms the CLI and the
config files accept; everything downstream works on these small value objects.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from paretonas.errors import ParetonasError, repeated_names

_NAME = r"[A-Za-z_][A-Za-z0-9_.]*"
_DIRECTIONS = {"max": "maximize", "maximize": "maximize", "min": "minimize", "minimize": "minimize"}


@dataclass(frozen=True)
class Objective:
    name: str
    direction: str  # "maximize" or "minimize", as Optuna spells it

    @property
    def sign(self) -> float:
        """Multiply a value by this to turn the objective into one to minimise."""
        return -1.0 if self.direction == "maximize" else 1.0

    def __str__(self) -> str:
        return f"{self.name}:{'max' if self.direction == 'maximize' else 'min'}"


@dataclass(frozen=True)
class Constraint:
    """``metric <= bound`` or ``metric >= bound``; satisfied when :meth:`violation` <= 0."""

    name: str
    op: str
    bound: float

    def violation(self, value: float) -> float:
        """Optuna's convention: a value <= 0 means feasible."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return math.inf
        return value - self.bound if self.op == "<=" else self.bound - value

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.bound:g}"


def parse_objective(text: str, allowed: Iterable[str] | None = None) -> Objective:
    match = re.fullmatch(rf"\s*({_NAME})\s*:\s*([A-Za-z]+)\s*", text or "")
    if not match or match.group(2).lower() not in _DIRECTIONS:
        raise ParetonasError(
            f"objective {text!r} is malformed: write NAME:max or NAME:min, e.g. 'accuracy:max'"
        )
    name, direction = match.group(1), _DIRECTIONS[match.group(2).lower()]
    _check_known(name, allowed, "objective")
    return Objective(name, direction)


def parse_objectives(texts: Sequence[str] | str, allowed: Iterable[str] | None = None) -> list[Objective]:
    if isinstance(texts, str):
        texts = texts.replace(",", " ").split()
    objectives = [parse_objective(t, allowed) for t in texts]
    if not objectives:
        raise ParetonasError("at least one objective is needed, e.g. 'accuracy:max latency_ms:min'")
    repeated = repeated_names(o.name for o in objectives)
    if repeated:
        raise ParetonasError(f"objective(s) {repeated} given twice; name each objective once")
    return objectives


def parse_constraint(text: str, allowed: Iterable[str] | None = None) -> Constraint:
    match = re.fullmatch(rf"\s*({_NAME})\s*(<=|>=)\s*([-+0-9.eE]+)\s*", text or "")
    bound = None
    if match:
        try:
            bound = float(match.group(3))
        except ValueError:
            bound = None
    if bound is None or not math.isfinite(bound):
        raise ParetonasError(
            f"constraint {text!r} is malformed: write NAME<=NUMBER or NAME>=NUMBER, e.g. 'latency_ms<=2.0'"
        )
    _check_known(match.group(1), allowed, "constraint")
    return Constraint(match.group(1), match.group(2), bound)


def parse_constraints(texts: Sequence[str] | str | None, allowed: Iterable[str] | None = None) -> list[Constraint]:
    if not texts:
        return []
    if isinstance(texts, str):
        texts = texts.replace(",", " ").split()
    return [parse_constraint(t, allowed) for t in texts]


def violations(constraints: Sequence[Constraint], metrics: Mapping[str, float]) -> list[float]:
    return [c.violation(metrics.get(c.name)) for c in constraints]


def _check_known(name: str, allowed: Iterable[str] | None, what: str) -> None:
    if allowed is None:
        return
    allowed = list(allowed)
    if name not in allowed:
        raise ParetonasError(f"unknown {what} metric {name!r}; available metrics: {', '.join(allowed)}")
