"""Every picture runs headless on small data, writes a valid file, and has content."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from glassnet import plot
from glassnet.callbacks import History


def _history(acc=True):
    h = History()
    for e in range(5):
        logs = {"loss": 1.0 / (e + 1), "val_loss": 1.2 / (e + 1)}
        if acc:
            logs |= {"accuracy": 0.5 + 0.1 * e, "val_accuracy": 0.45 + 0.1 * e}
        h.append(e, logs)
    return h


def test_history_two_panels_and_curves_match(tmp_path, image_array, assert_has_content):
    fig = plot.plot_history(_history())
    loss_ax, acc_ax = fig.axes
    lines = {ln.get_label(): ln.get_ydata() for ln in loss_ax.lines}
    np.testing.assert_allclose(lines["training loss"], [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert list(loss_ax.lines[0].get_xdata()) == [1, 2, 3, 4, 5]
    assert {ln.get_label() for ln in acc_ax.lines} == {"training accuracy", "validation accuracy"}
    path = plot.save_figure(fig, tmp_path / "h.png", dpi=40)
    assert image_array(path).shape[:2] == (round(3.6 * 40), round(10.0 * 40))
    assert_has_content(image_array(path))
    assert len(plot.plot_history(_history(acc=False)).axes) == 1


def test_history_shows_the_learning_rate_when_a_schedule_changed_it(
    tmp_path, image_array, assert_has_content
):
    import glassnet as gn
    from glassnet.datasets import moons

    X, y = moons(60, seed=0)
    net = gn.mlp([2, 4, 2], "tanh", seed=0)
    h = net.fit(X, y, loss="cross_entropy", lr=0.2, epochs=6, batch_size=20, verbose=0,
                seed=0, callbacks=[gn.StepLR(2, 0.5)])  # fmt: skip
    assert h.history["lr"] == [0.2, 0.2, 0.1, 0.1, 0.05, 0.05]
    fig = plot.plot_history(h)
    assert [a.get_ylabel() for a in fig.axes] == ["loss", "accuracy", "learning rate"]
    lr_ax = fig.axes[2]
    assert lr_ax.get_title() == "learning rate per epoch"
    np.testing.assert_allclose(lr_ax.lines[0].get_ydata(), h.history["lr"])
    assert list(lr_ax.lines[0].get_xdata()) == [1, 2, 3, 4, 5, 6]
    path = plot.save_figure(fig, tmp_path / "lr.png", dpi=40)
    assert image_array(path).shape[:2] == (round(3.6 * 40), round(15.0 * 40))
    assert_has_content(image_array(path))
    constant = net.fit(X, y, loss="cross_entropy", lr=0.2, epochs=2, verbose=0, seed=0)
    assert len(set(constant.history["lr"])) == 1
    assert [a.get_ylabel() for a in plot.plot_history(constant).axes] == ["loss", "accuracy"]


def test_history_from_json_forms(tmp_path):
    d = _history().to_dict()
    for form in (d, {"history": d, "test": {}}, json.loads(json.dumps(d))):
        assert len(plot.plot_history(form).axes) == 2
    with pytest.raises(ValueError, match="no 'loss'"):
        plot.plot_history({"history": {}})
    with pytest.raises(TypeError, match="History"):
        plot.plot_history([1.0])


def test_decision_boundary_separates_the_classes(
    moons_net, tmp_path, image_array, assert_has_content
):
    net, data, _ = moons_net
    fig = plot.plot_decision_boundary(net, data.X_test, data.y_test, resolution=30)
    ax = fig.axes[0]
    z = ax.images[0].get_array()  # (30, 30) network output
    assert z.shape == (30, 30) and 0 <= z.min() < 0.2 and 0.8 < z.max() <= 1
    path = plot.save_figure(fig, tmp_path / "b.png", dpi=40)
    assert_has_content(image_array(path))
    svg = tmp_path / "b.svg"
    plot.save_figure(fig, svg)
    assert ET.parse(svg).getroot().tag.endswith("svg")
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        plot.plot_decision_boundary(net, np.zeros((3, 3)), [0, 1, 0])
    with pytest.raises(ValueError, match="y has 2 values"):
        plot.plot_decision_boundary(net, np.zeros((3, 2)), [0, 1])


def test_multiclass_boundary_and_neuron_maps(moons_net, tmp_path, image_array, assert_has_content):
    from glassnet import mlp

    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.arange(30) % 3
    fig = plot.plot_decision_boundary(mlp("2,4,3", seed=0), X, y, resolution=20)
    assert fig.axes[0].images[0].get_array().shape == (20, 20, 3)
    net, data, _ = moons_net
    maps = plot.plot_neuron_maps(net, data.X_test, data.y_test, resolution=12)
    titles = [a.get_title() for a in maps.axes]
    assert titles == [f"a1[{j}] (tanh)" for j in range(1, 7)] + ["Y (sigmoid)"]
    assert_has_content(image_array(plot.save_figure(maps, tmp_path / "n.png", dpi=40)))


def test_confusion_matrix_counts_in_cells():
    fig = plot.plot_confusion_matrix(
        [0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], class_names=["a", "b", "c"]
    )
    ax = fig.axes[0]
    cells = [int(t.get_text()) for t in ax.texts]  # row by row: true a, b, c
    assert cells == [1, 1, 0, 0, 1, 0, 1, 0, 2]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert "accuracy 66.7%" in ax.get_title()
    fig2 = plot.plot_confusion_matrix(np.array([[3, 1], [0, 4]]))
    assert [t.get_text() for t in fig2.axes[0].texts] == ["3", "1", "0", "4"]
    with pytest.raises(ValueError, match="square"):
        plot.plot_confusion_matrix(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="one per class"):
        plot.plot_confusion_matrix([0, 1], [0, 1], class_names=["a"])


def test_weight_matrix(moons_net):
    net, _, _ = moons_net
    ax = plot.plot_weight_matrix(net, 0).axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), net.layers[0].params["W"])
    assert len(ax.texts) == 12
    with pytest.raises(ValueError, match=r"Dense layer, one of \[0, 2\]"):
        plot.plot_weight_matrix(net, 1)


def test_weight_recorder_and_histograms(tmp_path, image_array, assert_has_content):
    from glassnet import mlp

    net = mlp("2,4,1", seed=0)
    rec = plot.WeightRecorder(every=1)
    X = np.random.default_rng(0).normal(size=(16, 2))
    net.fit(X, X[:, :1] * 2, epochs=3, batch_size=8, lr=0.1, callbacks=[rec], verbose=0, seed=0)
    assert rec.epochs == [0, 1, 2]
    np.testing.assert_array_equal(rec.weights[-1]["layer 2 W"], net.layers[2].params["W"])
    assert (
        rec.grads[-1]["layer 0 W"].shape == (2, 4) and np.abs(rec.grads[-1]["layer 0 W"]).sum() > 0
    )
    assert not np.array_equal(rec.weights[0]["layer 0 W"], rec.weights[2]["layer 0 W"])
    fig = plot.plot_histograms(rec)
    assert len(fig.axes) == 4
    assert_has_content(image_array(plot.save_figure(fig, tmp_path / "w.png", dpi=40)))
    with pytest.raises(ValueError, match="positive integer"):
        plot.WeightRecorder(every=0)
    with pytest.raises(ValueError, match="no snapshots"):
        plot.plot_histograms(plot.WeightRecorder())


def test_standard_plots(moons_net, tmp_path, image_array, assert_has_content):
    net, data, history = moons_net
    paths = plot.save_standard_plots(
        net, history, data.X_test, data.y_test, tmp_path, "classification"
    )
    assert [p.name for p in paths] == [
        "network.png",
        "history.png",
        "confusion.png",
        "boundary.png",
        "weights.png",
    ]
    for p in paths:
        assert_has_content(image_array(p))
    with pytest.raises(ValueError, match="task must be"):
        plot.save_standard_plots(net, None, data.X_test, data.y_test, tmp_path, "ranking")


def test_save_figure_rejects_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match="must end in one of"):
        plot.save_figure(plot.plot_history(_history()), tmp_path / "h.txt")
    assert plot.history_svg(_history()).count("<svg") == 1


def test_history_epoch_numbers_are_read_from_every_form():
    """Epochs 10..12 (a resumed run) are drawn at 11..13 (1-based), whatever the form."""
    h = History()
    for e, loss in zip((10, 11, 12), (0.9, 0.6, 0.4), strict=True):
        h.append(e, {"loss": loss})
    d = h.to_dict()
    for form in (h, d, json.loads(json.dumps(d)), {"history": d, "test": {"loss": 0.5}}):
        line = plot.plot_history(form).axes[0].lines[0]
        assert list(line.get_xdata()) == [11, 12, 13]
        np.testing.assert_allclose(line.get_ydata(), [0.9, 0.6, 0.4])
