"""Silent wrong answers turned into errors: complex inputs, fractional widths."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.utils.validation import as_2d_array, check_not_complex


def test_fit_on_complex_inputs_is_a_type_error_not_a_dropped_imaginary_part():
    net = gn.mlp("2,1", seed=0)
    before = net.layers[0].params["W"].copy()
    X = np.array([[1 + 1j, 2], [3, 4j]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's ComplexWarning would be the only sign today
        with pytest.raises(TypeError, match=r"X holds complex numbers \(dtype complex128\)"):
            net.fit(X, np.array([[0.0], [1.0]]), epochs=1, verbose=0)
        with pytest.raises(TypeError, match=r"X\.real"):
            net.predict(X)
        with pytest.raises(TypeError, match="complex"):
            net.fit([[1j, 0.0]], [[1.0]], epochs=1, verbose=0)  # a list too
    np.testing.assert_array_equal(net.layers[0].params["W"], before)
    assert as_2d_array(np.array([[1.0, 2.0]]), "X").dtype == np.float64  # reals pass


def test_a_data_frame_with_a_complex_column_is_refused_without_converting_it():
    class Frame:  # what check_not_complex reads of a pandas DataFrame: its columns' dtypes
        dtypes = [np.dtype("float64"), np.dtype("complex64")]

        def __array__(self, dtype=None, copy=None):  # pragma: no cover - must not be called
            raise AssertionError("converted")

    with pytest.raises(TypeError, match=r"X holds complex numbers \(dtype complex64\)"):
        check_not_complex(Frame(), "X")
    Frame.dtypes = [np.dtype("float64")]
    check_not_complex(Frame(), "X")


@pytest.mark.parametrize("widths", [[3, 4.7, 2], (3, 0.5, 2), np.array([3.0, 4.7, 2.0])])
def test_mlp_refuses_fractional_widths_instead_of_truncating(widths):
    """mlp([3, 4.7, 2]) built a hidden layer of 4 units."""
    with pytest.raises(
        ValueError, match=r"layers must hold whole numbers of units; got (4.7|0.5) at position 1"
    ):
        gn.mlp(widths)


def test_mlp_accepts_whole_widths_in_any_numeric_type():
    net = gn.mlp([np.int64(3), 4.0, "2"], seed=0)
    assert [layer.out_features for layer in net.layers if hasattr(layer, "out_features")] == [4, 2]
    with pytest.raises(TypeError, match=r"layers must hold whole numbers; got True \(bool\)"):
        gn.mlp([3, True, 2])
    with pytest.raises(TypeError, match=r"got None \(NoneType\) at position 1"):
        gn.mlp([3, None, 2])
