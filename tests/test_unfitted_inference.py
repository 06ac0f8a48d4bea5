"""predict_proba, predict_classes and evaluate on a network that was never fitted: they answer
where the network itself says what its outputs are, and otherwise raise a message naming the
fixes, instead of passing logits off as probabilities."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import BinaryCrossEntropy, Dense, Dropout, Identity, Sequential, Sigmoid, Softmax

# logits (1, 2) = [0, ln 3]: softmax (1/4, 3/4) worked out by hand
TWO = [[0.0, 0.0], [0.0, 0.0]]
LN3 = float(np.log(3.0))


def _logits_net() -> Sequential:
    return Sequential([Dense(2, 2, weights=TWO, bias=[0.0, LN3])], dtype="float64")


def test_predict_proba_of_an_unfitted_logits_network_raises_naming_the_fixes():
    net = _logits_net()
    with pytest.raises(ValueError) as err:
        net.predict_proba([[1.0, 2.0]])
    message = str(err.value)
    for fix in (
        "not been fitted",
        "Fit it first",
        "loss='cross_entropy'",
        "Softmax() or Sigmoid()",
    ):
        assert fix in message
    assert "last layer is Dense" in message


def test_predict_still_works_unfitted_it_is_the_forward_pass():
    net = _logits_net()
    np.testing.assert_allclose(net.predict([[1.0, 2.0]]), [[0.0, LN3]])


def test_predict_proba_with_the_loss_given_applies_its_softmax():
    p = _logits_net().predict_proba([[1.0, 2.0]], loss="cross_entropy")
    np.testing.assert_allclose(p, [[0.25, 0.75]], rtol=1e-12)


def test_predict_proba_with_a_logit_loss_applies_the_sigmoid():
    net = Sequential([Dense(1, 1, weights=[[0.0]], bias=[LN3])], dtype="float64")
    p = net.predict_proba([[5.0]], loss=BinaryCrossEntropy(from_logits=True))
    np.testing.assert_allclose(p, [[0.75]], rtol=1e-12)  # sigmoid(ln 3) = 3 / 4


@pytest.mark.parametrize("tail", [[Softmax()], [Softmax(), Dropout(0.5)], [Softmax(), Identity()]])
def test_an_unfitted_network_ending_in_softmax_gives_its_output(tail):
    net = Sequential([Dense(2, 2, weights=TWO, bias=[0.0, LN3]), *tail], dtype="float64")
    np.testing.assert_allclose(net.predict_proba([[1.0, 2.0]]), [[0.25, 0.75]], rtol=1e-12)


def test_an_unfitted_network_ending_in_sigmoid_gives_its_output():
    net = Sequential([Dense(1, 1, weights=[[0.0]], bias=[LN3]), Sigmoid()], dtype="float64")
    np.testing.assert_allclose(net.predict_proba([[0.0]]), [[0.75]], rtol=1e-12)
    assert net.predict_classes([[0.0]]).tolist() == [1]


def test_a_fitted_network_knows_its_loss():
    net = gn.mlp("2,2", seed=0, dtype="float64")
    net.fit([[0.0, 1.0], [1.0, 0.0]], [0, 1], loss="cross_entropy", epochs=1, verbose=0)
    out = net.predict([[0.3, 0.2]])
    e = np.exp(out - out.max())
    np.testing.assert_allclose(net.predict_proba([[0.3, 0.2]]), e / e.sum(), rtol=1e-12)


def test_predict_classes_of_several_outputs_is_the_argmax_fitted_or_not():
    # argmax of logits is argmax of their softmax: no loss needed
    assert _logits_net().predict_classes([[1.0, 2.0]]).tolist() == [1]


def test_predict_classes_of_one_unfitted_logit_raises():
    # an output of 0.3 is class 0 read as a probability (cut at 0.5) and class 1 read as a
    # logit (cut at 0): the two readings disagree, so without a loss it is refused
    net = Sequential([Dense(1, 1, weights=[[1.0]], bias=[0.0])], dtype="float64")
    with pytest.raises(ValueError, match="predict_classes cannot tell"):
        net.predict_classes([[0.3]])
    logit = BinaryCrossEntropy(from_logits=True)
    assert net.predict_classes([[0.3]], loss=logit).tolist() == [1]
    assert net.predict_classes([[0.3]], loss="binary_cross_entropy").tolist() == [0]


def test_evaluate_unfitted_without_a_loss_raises_naming_the_fixes():
    net = _logits_net()
    with pytest.raises(ValueError, match=r"fit it first, or pass the loss, e.g. evaluate\(X, T"):
        net.evaluate([[1.0, 2.0]], [1])
    assert net.evaluate([[1.0, 2.0]], [1], loss="cross_entropy")["accuracy"] == 1.0
