import numpy as np
import pytest

from sim.core.tallies import add_at


@pytest.mark.parametrize("amount", [2.0, 3, np.int64(4), np.float32(1.5), np.array(2.5),
                                    np.array([0.1, 0.2, 0.7, 1e16, -1e16])])
def test_compiled_add_at_adds_as_numpy_does_in_the_same_order(amount):
    index = np.array([0, 2, 2, 2, 2], dtype=np.int8)  # repeated indices: the order of additions shows in the bits
    ours, numpy = np.full(4, 0.3), np.full(4, 0.3)
    add_at(ours, index, amount)
    np.add.at(numpy, index, amount)
    assert ours.tobytes() == numpy.tobytes()
