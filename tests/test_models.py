import pytest

from paretonas.errors import ParetonasError
from paretonas.models import SUPERNETS, create_supernet, supernet_from_spec


def test_registry_names_the_unknown_supernet_and_option():
    with pytest.raises(ParetonasError, match="unknown supernet 'resnet50'.*cnn1d"):
        create_supernet("resnet50", input_shape=(1, 40), num_classes=10)
    with pytest.raises(ParetonasError, match=r"no option\(s\) \['widthz'\]"):
        create_supernet("cnn1d", input_shape=(1, 40), num_classes=10, widthz=3)
    assert {"mlp", "cnn1d", "cnn2d", "transformer"} <= set(SUPERNETS)


def test_shape_mismatch_suggests_a_model_that_fits():
    with pytest.raises(ParetonasError, match="mlp"):
        create_supernet("cnn1d", input_shape=(13,), num_classes=3)
    with pytest.raises(ParetonasError, match="divisible by patch=4"):
        create_supernet("transformer", input_shape=(1, 42), num_classes=3)


def test_bad_choice_lists_are_named():
    with pytest.raises(ParetonasError, match="kernels must be odd"):
        create_supernet("cnn1d", input_shape=(1, 40), num_classes=3, kernels=(3, 4))
    with pytest.raises(ParetonasError, match="depths must list distinct choices from small to large"):
        create_supernet("mlp", input_shape=(4,), num_classes=3, depths=(3, 1))


def test_spec_rebuilds_the_same_architecture():
    net = create_supernet("cnn1d", input_shape=(1, 40), num_classes=10, block="mbconv", depths=(1, 2))
    twin = supernet_from_spec(net.spec)
    assert twin.space.names == net.space.names
    assert {k: v.shape for k, v in twin.state_dict().items()} == {k: v.shape for k, v in net.state_dict().items()}
