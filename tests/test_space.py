import numpy as np
import pytest

from paretonas.errors import SpaceError
from paretonas.space import Choice, Space


@pytest.fixture
def space():
    return Space([Choice("width", [16, 32, 64]), Choice("act", ["relu", "gelu"]), Choice("op1", ["a", "b", "c"]), Choice("op2", ["a", "b", "c"])])


def test_encode_decode_round_trip_over_whole_space(space):
    encodings = space.all_encodings()
    assert len(encodings) == space.size == 3 * 2 * 3 * 3
    assert len({tuple(e) for e in encodings}) == space.size
    for vector in encodings:
        config = space.decode(vector)
        assert np.array_equal(space.encode(config), vector)
        assert space.decode(space.encode(config)) == config


def test_enumerate_matches_all_encodings(space):
    assert np.array_equal(np.array(list(space.enumerate())), space.all_encodings())


def test_onehot_and_count_features(space):
    config = {"width": 32, "act": "gelu", "op1": "c", "op2": "c"}
    vector = space.encode(config)
    onehot = space.onehot(vector)[0]
    assert onehot.sum() == 4
    assert list(np.flatnonzero(onehot)) == [1, 3 + 1, 5 + 2, 8 + 2]
    features = space.features(vector)[0]
    # op1 and op2 share one choice list: one count block of 3 values, both on "c"
    assert features.shape == (11 + 3,)
    assert list(features[11:]) == [0.0, 0.0, 1.0]
    assert list(space.count_feature_columns()) == [11, 12, 13]
    assert Space([Choice("width", [16, 32]), Choice("act", ["relu", "gelu"])]).count_feature_columns().size == 0


def test_sampling_is_seeded_and_in_range(space):
    a = space.sample(np.random.default_rng(7), 50)
    b = space.sample(np.random.default_rng(7), 50)
    assert np.array_equal(a, b)
    assert (a >= 0).all() and (a < space.cardinalities).all()
    assert not np.array_equal(a, space.sample(np.random.default_rng(8), 50))


def test_mutation_changes_something_and_stays_valid(space):
    rng = np.random.default_rng(0)
    parent = space.encode({"width": 16, "act": "relu", "op1": "a", "op2": "b"})
    for _ in range(200):
        child = space.mutate(parent, rng)
        assert not np.array_equal(child, parent)
        space.decode(child)


def test_crossover_takes_each_gene_from_a_parent(space):
    rng = np.random.default_rng(0)
    a, b = np.array([0, 0, 0, 0]), np.array([2, 1, 2, 2])
    children = [space.crossover(a, b, rng) for _ in range(100)]
    for child in children:
        assert all(c in (x, y) for c, x, y in zip(child, a, b))
    assert any(np.array_equal(c, a) is False and np.array_equal(c, b) is False for c in children)


def test_hash_is_stable_and_order_independent(space):
    c1 = {"width": 16, "act": "relu", "op1": "a", "op2": "b"}
    c2 = {"op2": "b", "op1": "a", "act": "relu", "width": 16}
    assert space.config_hash(c1) == space.config_hash(c2)
    assert space.config_hash(c1) != space.config_hash({**c1, "op2": "c"})


def test_empty_choices_error_names_dimension():
    with pytest.raises(SpaceError, match="'depth' has no choices"):
        Choice("depth", [])


def test_duplicate_dimension_names_error():
    with pytest.raises(SpaceError, match=r"repeated: \['w'\]"):
        Space([Choice("w", [1, 2]), Choice("w", [3])])


def test_duplicate_value_error():
    with pytest.raises(SpaceError, match="'k' lists the value 3 twice"):
        Choice("k", [3, 5, 3])


def test_unknown_value_error_names_dimension_and_value(space):
    with pytest.raises(SpaceError, match=r"dimension 'width' has no value 48; allowed values are \[16, 32, 64\]"):
        space.encode({"width": 48, "act": "relu", "op1": "a", "op2": "a"})


def test_unknown_and_missing_keys(space):
    with pytest.raises(SpaceError, match=r"unknown dimension\(s\) \['depth'\]"):
        space.encode({"width": 16, "act": "relu", "op1": "a", "op2": "a", "depth": 2})
    with pytest.raises(SpaceError, match=r"missing dimension\(s\) \['op2'\]"):
        space.encode({"width": 16, "act": "relu", "op1": "a"})


def test_canonical_key_identifies_equivalent_configs():
    # a toy rule: when act is "none" the width does not matter
    def canonical(config):
        if config["act"] == "none":
            return {**config, "width": 16}
        return config

    space = Space([Choice("width", [16, 32]), Choice("act", ["relu", "none"])], canonicalize=canonical)
    assert space.key({"width": 32, "act": "none"}) == space.key({"width": 16, "act": "none"})
    assert space.key({"width": 32, "act": "relu"}) != space.key({"width": 16, "act": "relu"})


def test_nasbench_graph_canonical_form_matches_table_hash(cora):
    rng = np.random.default_rng(0)
    for vector in cora.space.sample(rng, 300):
        config = cora.space.decode(vector)
        key = cora.table_key(config)
        canonical = cora.space.canonical(config)
        if key is None:
            assert canonical is None
            continue
        assert cora.table_key(canonical) == key
        assert cora.table_key(cora.config_of_key(key)) == key
    # two orders of the same parallel branches are one network
    a = {"link": "0000", "op1": "gcn", "op2": "gat", "op3": "sage", "op4": "fc"}
    b = {"link": "0000", "op1": "fc", "op2": "sage", "op3": "gat", "op4": "gcn"}
    assert cora.space.key(a) == cora.space.key(b)
    assert cora.space.key({"link": "0123", "op1": "skip", "op2": "skip", "op3": "skip", "op4": "skip"}) is None


def test_structure_must_name_a_dimension_and_survives_restriction():
    dims = [Choice("link", ["a", "b"]), Choice("op", [1, 2, 3])]
    with pytest.raises(SpaceError, match=r"'topology' is not one of \['link', 'op'\]"):
        Space(dims, structure="topology")
    space = Space(dims, structure="link")
    assert space.structure == "link" and space.restrict({"op": [1, 2]}).structure == "link"
    assert Space(dims).structure is None
