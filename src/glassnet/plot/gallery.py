"""The README's pictures, made deterministically (fixed seeds) by ``make gallery``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

GALLERY_DPI = 90


def write_gallery(directory: Any, quick: bool = False) -> list[Path]:
    """Draw the gallery into ``directory`` and return the paths written.

    two_node_step.png (the article's step, forward and backward), moons_network.png,
    moons_boundary.png, moons_neurons.png, moons_history.png, moons_histograms.png
    (a 2-8-8-1 tanh network trained on moons), moons_training.gif (the boundary as it learns)
    digits_confusion.png (a 64-32-10 network on the UCI digits) and digits_lr_find.png (the
    learning-rate range test of that network with SGD).

    Parameters
    ----------
    directory : str or Path
        Created if missing.
    quick : bool
        Few epochs and a coarse grid (for tests); the pictures are the same kinds.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_gallery(tempfile.mkdtemp(), quick=True)
    >>> [p.name for p in paths][:2]
    ['two_node_step.png', 'moons_network.png']
    """
    from glassnet.cli.explain_cmd import two_node_network
    from glassnet.datasets import Standardizer, load
    from glassnet.explain.explanation import explain
    from glassnet.model.build import mlp
    from glassnet.plot._base import save_figure
    from glassnet.plot.animation import BoundaryAnimation
    from glassnet.plot.boundary import plot_decision_boundary, plot_neuron_maps
    from glassnet.plot.curves import plot_history
    from glassnet.plot.heatmaps import plot_confusion_matrix
    from glassnet.plot.histograms import WeightRecorder, plot_histograms
    from glassnet.plot.lr_find import plot_lr_find
    from glassnet.plot.network_diagram import plot_network
    from glassnet.plot.step_diagram import plot_trace
    from glassnet.train.lr_finder import lr_find

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, fig: Any) -> None:
        written.append(save_figure(fig, out / name, dpi=GALLERY_DPI))

    step = explain(two_node_network(0.5, 0.1), [1.0], [0.8], lr=1.0)
    put("two_node_step.png", plot_trace(step))

    moons = load("moons", n_samples=300, noise=0.15, seed=0)
    epochs = 6 if quick else 60
    net = mlp("2,8,8,1", activation="tanh", output_activation="sigmoid", seed=0)
    recorder = WeightRecorder(every=max(1, epochs // 6))
    film = BoundaryAnimation(
        moons.X_test,
        moons.y_test,
        out / "moons_training.gif",
        every=max(1, epochs // 12),
        fps=4,
        resolution=20 if quick else 60,
        dpi=50,
    )
    history = net.fit(
        moons.X_train,
        moons.y_train[:, None].astype("float32"),
        loss="binary_cross_entropy",
        optimizer="adam",
        lr=0.02,
        epochs=epochs,
        batch_size=16,
        validation_data=(moons.X_test, moons.y_test[:, None].astype("float32")),
        seed=0,
        verbose=0,
        callbacks=[recorder, film],
    )
    res = 30 if quick else 150
    put("moons_network.png", plot_network(net))
    put(
        "moons_boundary.png",
        plot_decision_boundary(net, moons.X_test, moons.y_test, resolution=res),
    )
    put("moons_neurons.png", plot_neuron_maps(net, moons.X_test, moons.y_test, resolution=res // 3))
    put("moons_history.png", plot_history(history))
    put("moons_histograms.png", plot_histograms(recorder))

    digits = load("digits", seed=0)
    scaler = Standardizer().fit(digits.X_train)
    clf = mlp("64,32,10", activation="relu", seed=0)
    clf.fit(
        scaler.transform(digits.X_train),
        digits.y_train,
        loss="cross_entropy",
        optimizer="adam",
        lr=0.003,
        epochs=2 if quick else 15,
        batch_size=32,
        seed=0,
        verbose=0,
    )
    pred = clf.predict_classes(scaler.transform(digits.X_test))
    put("digits_confusion.png", plot_confusion_matrix(digits.y_test, pred, digits.class_names))
    found = lr_find(
        mlp("64,32,10", activation="relu", seed=0),
        scaler.transform(digits.X_train),
        digits.y_train,
        loss="cross_entropy",
        optimizer="sgd",
        end_lr=100.0,
        steps=30 if quick else 100,
    )
    put("digits_lr_find.png", plot_lr_find(found))
    written.append(film.path)
    return written
