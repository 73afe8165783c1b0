"""lk.Material: tensors as nested tuples, lists or numpy arrays; clear errors for wrong shapes."""

import numpy as np
import pytest
import ufl

import lkfem as lk

pytestmark = pytest.mark.serial  # pure Python: nothing to split over ranks

K2 = ((2.0, 0.5), (0.5, 1.0))


@pytest.mark.parametrize(
    "given",
    [
        [[2, 0.5], [0.5, 1]],
        ([2, 0.5], (0.5, 1)),
        np.array([[2.0, 0.5], [0.5, 1.0]]),
        np.array([[2, 1], [1, 1]], dtype=np.int64) * np.array([[1, 0.5], [0.5, 1]]),
    ],
)
def test_tensor_k_as_lists_or_arrays(given):
    material = lk.Material(k=given)
    assert material.k == K2
    assert all(type(e) in (int, float) for row in material.k for e in row)
    assert lk.Material(k=K2) == material  # the same material as the tuple form
    coeffs = material.landau({})
    assert ufl.shape(coeffs.K) == (2, 2)


def test_tensor_a_as_list_of_expressions():
    material = lk.Material(a=[["-1 + x", 0], [0, -1]], b=1.0, lam=0.1, Gamma=1.0)
    assert material.a == (("-1 + x", 0), (0, -1))
    arr = lk.Material(a=np.array([[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -2.0]]), b=1.0)
    assert arr.a[2][2] == -2.0 and isinstance(arr.a, tuple)


def test_numpy_scalars_are_numbers():
    material = lk.Material(k=np.float32(2.0), tau=np.int64(1), C=np.float64(3.0))
    assert material.tau == 1 and type(material.tau) is int
    assert type(material.k) is float and material.C == 3.0


@pytest.mark.parametrize(
    ("given", "shape"),
    [
        ([[2, 0.5, 0], [0.5, 1, 0]], "2×3"),
        (np.ones((3, 2)), "3×2"),
        ([[2, 0.5], [0.5, 1, 0]], "2 rows of 2, 3 entries"),
        ([1.0, 2.0, 3.0], "a vector of 3 entries"),
        ([[1.0, 0.0], 1.0], "a mix of numbers and rows"),
        (np.eye(4), "4×4"),
    ],
)
def test_wrong_tensor_shape_names_the_shape(given, shape):
    with pytest.raises(ValueError, match=f"k as a tensor must be 3×3 .*got {shape}:"):
        lk.Material(k=given)


def test_tensor_checks_still_apply_to_lists():
    with pytest.raises(ValueError, match="symmetric"):
        lk.Material(k=[[2, 0.5], [0.4, 1]])
    with pytest.raises(ValueError, match="positive definite"):
        lk.Material(k=np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="finite number"):
        lk.Material(k=[[1.0, float("nan")], [float("nan"), 1.0]])
    with pytest.raises(ValueError, match="isotropic k"):
        lk.Material(k=[[1.0, 0.0], [0.0, 1.0]], ell=0.1)


@pytest.mark.parametrize("name", ["tau", "C", "b", "ell"])
def test_scalar_fields_refuse_tensors(name):
    with pytest.raises(ValueError, match=f"^{name} must be a number .*not a tensor"):
        lk.Material(k=1.0, **{name: [[1.0, 0.0], [0.0, 1.0]]})
    with pytest.raises(ValueError, match="^lambda must be a number .*not a tensor"):
        lk.Material(a=-1.0, b=1.0, lam=np.array([0.1, 0.1]))
