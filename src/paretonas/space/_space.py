"""A search space of named categorical dimensions.

Every search dimension in paretonas (a link pattern, an op, a width, a kernel size,
a bit-width, a keep-ratio) is a finite list of choices. Strategies work on integer
encodings (the index of the chosen value in each dimension), predictors on features
derived from them, and the study stores the decoded values. This module is the one
place where those three representations are converted into one another.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

from paretonas.errors import SpaceError, repeated_names

Config = dict[str, Any]


@dataclass(frozen=True)
class Choice:
    """One named dimension with a finite, ordered list of allowed values.

    Values must be JSON scalars (str, int, float, bool) so that configs can be stored
    in any Optuna storage and hashed stably.
    """

    name: str
    choices: tuple

    def __init__(self, name: str, choices: Sequence[Any]):
        if not isinstance(name, str) or not name:
            raise SpaceError(f"dimension name must be a non-empty string, got {name!r}")
        choices = tuple(choices)
        if not choices:
            raise SpaceError(f"dimension {name!r} has no choices: give it at least one value")
        for value in choices:
            if not isinstance(value, (str, int, float, bool)):
                raise SpaceError(
                    f"dimension {name!r} has choice {value!r} of type {type(value).__name__}; "
                    "choices must be str, int, float or bool"
                )
        seen = set()
        for value in choices:
            marker = (type(value).__name__, value)
            if marker in seen:
                raise SpaceError(f"dimension {name!r} lists the value {value!r} twice")
            seen.add(marker)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "choices", choices)

    def __len__(self) -> int:
        return len(self.choices)

    def index(self, value: Any) -> int:
        for i, choice in enumerate(self.choices):
            if choice == value and type(choice) is type(value):
                return i
        # Accept ints for floats (YAML writes 1.0 as 1) but never bool for int.
        for i, choice in enumerate(self.choices):
            if not isinstance(value, bool) and not isinstance(choice, bool) and choice == value:
                return i
        raise SpaceError(
            f"dimension {self.name!r} has no value {value!r}; allowed values are {list(self.choices)}"
        )


class Space:
    """An ordered collection of :class:`Choice` dimensions.

    ``canonicalize`` lets a space declare that different configs are the same
    network (isomorphic cells, a skipped layer whose width cannot matter). It maps a
    config to its canonical representative, or to ``None`` when the config is not a
    valid network at all. Strategies use it so that they never propose, and the
    evaluation cache never pays for, the same network twice.

    ``structure`` names the dimension that sets a network's topology (NAS-Bench-Graph:
    the link pattern). Networks that share it sit close together in every objective, so
    the ``spread`` strategy (``PredictorGuidedSampler(spread_structure=True)``) spreads
    each batch over its values instead of spending a batch inside one small corner of
    the space. The default strategy ignores it.
    """

    def __init__(
        self,
        dimensions: Sequence[Choice],
        canonicalize: Callable[[Config], Config | None] | None = None,
        structure: str | None = None,
    ):
        dimensions = list(dimensions)
        if not dimensions:
            raise SpaceError("a search space needs at least one dimension")
        duplicates = repeated_names(d.name for d in dimensions)
        if duplicates:
            raise SpaceError(f"dimension names must be unique; repeated: {duplicates}")
        self.dimensions: tuple[Choice, ...] = tuple(dimensions)
        self._by_name = {d.name: d for d in dimensions}
        self._canonicalize = canonicalize
        if structure is not None and structure not in self._by_name:
            raise SpaceError(f"structure must name a dimension; {structure!r} is not one of {self.names}")
        self.structure = structure
        self.cardinalities = np.array([len(d) for d in dimensions], dtype=np.int64)
        self._onehot_offsets = np.concatenate([[0], np.cumsum(self.cardinalities)[:-1]])
        self._count_groups = _shared_choice_groups(dimensions)

    # ----- basic facts ------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    @property
    def size(self) -> int:
        """Number of distinct encodings (before canonicalisation)."""
        return int(np.prod([int(c) for c in self.cardinalities], dtype=object))

    def __len__(self) -> int:
        return len(self.dimensions)

    def __getitem__(self, name: str) -> Choice:
        return self._by_name[name]

    def __repr__(self) -> str:
        dims = ", ".join(f"{d.name}[{len(d)}]" for d in self.dimensions)
        return f"Space({dims})"

    # ----- encode / decode --------------------------------------------------------

    def validate(self, config: Mapping[str, Any]) -> None:
        """Raise :class:`SpaceError` naming the first key or value that does not fit."""
        if not isinstance(config, Mapping):
            raise SpaceError(f"a config must be a mapping of dimension names to values, got {config!r}")
        unknown = [k for k in config if k not in self._by_name]
        if unknown:
            raise SpaceError(f"config has unknown dimension(s) {unknown}; the space has {self.names}")
        missing = [n for n in self.names if n not in config]
        if missing:
            raise SpaceError(f"config is missing dimension(s) {missing}")
        for dim in self.dimensions:
            dim.index(config[dim.name])

    def encode(self, config: Mapping[str, Any]) -> np.ndarray:
        self.validate(config)
        return np.array([d.index(config[d.name]) for d in self.dimensions], dtype=np.int64)

    def decode(self, vector: Sequence[int]) -> Config:
        vector = np.asarray(vector)
        if vector.shape != (len(self.dimensions),):
            raise SpaceError(
                f"an encoding must have {len(self.dimensions)} entries, got shape {vector.shape}"
            )
        config = {}
        for dim, raw in zip(self.dimensions, vector):
            i = int(raw)
            if not 0 <= i < len(dim):
                raise SpaceError(f"dimension {dim.name!r} has no index {i}; valid: 0..{len(dim) - 1}")
            config[dim.name] = dim.choices[i]
        return config

    # ----- identity -----------------------------------------------------------------

    def config_hash(self, config: Mapping[str, Any]) -> str:
        """A stable hash of the config as given (not canonicalised)."""
        self.validate(config)
        payload = json.dumps({n: config[n] for n in self.names}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha1(payload.encode()).hexdigest()[:16]

    def canonical(self, config: Mapping[str, Any]) -> Config | None:
        """The canonical representative of ``config``, or ``None`` if it is invalid."""
        self.validate(config)
        if self._canonicalize is None:
            return dict(config)
        result = self._canonicalize(dict(config))
        if result is not None:
            self.validate(result)
        return result

    def key(self, config: Mapping[str, Any]) -> str | None:
        """Identity of the network a config describes: equal for equivalent configs.

        This is the evaluation-cache key. ``None`` means the config is not a network.
        """
        canonical = self.canonical(config)
        return None if canonical is None else self.config_hash(canonical)

    def restrict(self, allowed: Mapping[str, Sequence[Any]]) -> "Space":
        """A sub-space where some dimensions keep only the listed choices (in this space's order).

        Canonicalisation stays the same network identity: a value this space's
        canonicaliser would give that the sub-space lacks (a skipped layer's setting)
        becomes the sub-space's first choice, which is just as irrelevant.
        """
        if not allowed:
            return self
        for name, values in allowed.items():
            if name not in self._by_name:
                raise SpaceError(f"cannot restrict unknown dimension {name!r}; the space has {self.names}")
            if not isinstance(values, (list, tuple)) or not values:
                raise SpaceError(f"dimension {name!r} must be restricted to a non-empty list of its choices")
            for value in values:
                self._by_name[name].index(value)
        dims = []
        for d in self.dimensions:
            if d.name in allowed:
                keep = {d.index(v) for v in allowed[d.name]}
                d = Choice(d.name, [c for i, c in enumerate(d.choices) if i in keep])
            dims.append(d)
        sub_choices = {d.name: d.choices for d in dims}
        parent = self

        def canonicalize(config: Config) -> Config | None:
            result = parent.canonical(config)
            if result is None:
                return None
            return {k: (v if v in sub_choices[k] else sub_choices[k][0]) for k, v in result.items()}

        return Space(dims, canonicalize=canonicalize, structure=self.structure)

    # ----- sampling and variation ---------------------------------------------------

    def sample(self, rng: np.random.Generator, n: int = 1) -> np.ndarray:
        """``n`` uniformly random encodings, shape ``(n, len(space))``."""
        return rng.integers(0, self.cardinalities, size=(n, len(self.dimensions)))

    def mutate(self, vector: np.ndarray, rng: np.random.Generator, rate: float | None = None) -> np.ndarray:
        """Resample each dimension with probability ``rate`` (default 1/len); change at least one."""
        vector = np.array(vector, dtype=np.int64, copy=True)
        rate = 1.0 / len(self.dimensions) if rate is None else rate
        mutable = np.flatnonzero(self.cardinalities > 1)
        if len(mutable) == 0:
            return vector
        flips = mutable[rng.random(len(mutable)) < rate]
        if len(flips) == 0:
            flips = rng.choice(mutable, 1)
        for j in flips:
            # draw a different value than the current one
            offset = rng.integers(1, self.cardinalities[j])
            vector[j] = (vector[j] + offset) % self.cardinalities[j]
        return vector

    def crossover(self, a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Uniform crossover: each dimension taken from either parent with equal odds."""
        a, b = np.asarray(a), np.asarray(b)
        take_a = rng.random(len(self.dimensions)) < 0.5
        return np.where(take_a, a, b).astype(np.int64)

    def enumerate(self) -> Iterator[np.ndarray]:
        """All encodings in lexicographic order; only sensible for small spaces."""
        for combo in itertools.product(*(range(int(c)) for c in self.cardinalities)):
            yield np.array(combo, dtype=np.int64)

    def all_encodings(self) -> np.ndarray:
        """All encodings as one array, shape ``(size, len(space))``."""
        grids = np.meshgrid(*(np.arange(int(c)) for c in self.cardinalities), indexing="ij")
        return np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)

    # ----- features ----------------------------------------------------------------

    def onehot(self, vectors: np.ndarray) -> np.ndarray:
        """One-hot features, one block per dimension, shape ``(n, sum(cardinalities))``."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.int64))
        out = np.zeros((len(vectors), int(self.cardinalities.sum())))
        rows = np.arange(len(vectors))
        for j, offset in enumerate(self._onehot_offsets):
            out[rows, offset + vectors[:, j]] = 1.0
        return out

    def count_feature_columns(self) -> np.ndarray:
        """Indices, in :meth:`features`' columns, of the value counts (they follow the one-hot blocks).

        A cost model that charges each value once per dimension taking it, wherever
        that dimension sits, reads these columns only
        (:class:`paretonas.predict.AdditiveCostModel`).
        """
        start = int(self.cardinalities.sum())
        return np.arange(start, start + sum(n_values for _, n_values in self._count_groups))

    def features(self, vectors: np.ndarray) -> np.ndarray:
        """Predictor features: one-hot blocks plus value counts over shared-choice groups.

        Dimensions that share one list of choices (the op of each cell node, the
        bit-width of each layer) are often exchangeable: what matters is how many
        layers take a value, not only which. Count features let a predictor learn that
        from few samples instead of once per position.
        """
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.int64))
        blocks = [self.onehot(vectors)]
        for columns, n_values in self._count_groups:
            counts = np.zeros((len(vectors), n_values))
            for j in columns:
                counts[np.arange(len(vectors)), vectors[:, j]] += 1.0
            blocks.append(counts / len(columns))
        return np.hstack(blocks)


def _shared_choice_groups(dimensions: Sequence[Choice]) -> list[tuple[list[int], int]]:
    groups: dict[tuple, list[int]] = {}
    for j, dim in enumerate(dimensions):
        groups.setdefault(tuple((type(c).__name__, c) for c in dim.choices), []).append(j)
    return [(cols, len(dims)) for dims, cols in groups.items() if len(cols) > 1 and len(dims) > 1]

