"""Every SVG glassnet writes keeps its text as <text> elements, not as glyph outlines.

With matplotlib's default ``svg.fonttype = "path"`` each letter is a ``<path id="DejaVuSans-..">``
in ``<defs>`` placed by ``<use>``: the numbers look right but cannot be searched, copied or read by
a screen reader (the string survives only as an XML comment). These tests parse the SVG with
xml.etree, collect the content of every ``<text>`` element and look for the numbers each picture
is meant to show; they also refuse any glyph definition. The PNG side is guarded by the reference
pictures (test_plot_reference.py), which the same save path writes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from glassnet.cli import main
from glassnet.explain.render import fmt

SVG = "{http://www.w3.org/2000/svg}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
GENERIC = ("sans-serif", "serif", "monospace")


def svg_root(svg: str | Path) -> ET.Element:
    """The parsed <svg> element of a file's or a string's SVG."""
    text = Path(svg).read_text() if isinstance(svg, Path) else svg
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return root


def texts_of(svg: str | Path) -> list[str]:
    """The content of every <text> element (its <tspan>s joined), in document order."""
    return ["".join(t.itertext()) for t in svg_root(svg).iter(f"{SVG}text")]


def glyph_paths(svg: str | Path) -> list[str]:
    """The ids of glyph outlines: matplotlib names them ``<font>-<glyph index in hex>``
    (``DejaVuSans-13``), its markers and clip paths ``m<hash>`` / ``p<hash>`` (no dash)."""
    root = svg_root(svg)
    return [
        p.get("id", "")
        for defs in root.iter(f"{SVG}defs")
        for p in defs.iter(f"{SVG}path")
        if "-" in p.get("id", "")
    ]


def font_families(svg: str | Path) -> set[str]:
    """Every font-family list the SVG's <text> and <tspan> elements name."""
    found = set()
    for e in svg_root(svg).iter():
        for part in e.get("style", "").split(";"):
            key, _, value = part.partition(":")
            if key.strip() == "font-family":
                found.add(value.strip())
    return found


def assert_text_kept(svg: str | Path, *expected: str) -> list[str]:
    """Each expected string is one <text> element's content; no letter is a glyph path; runs of
    spaces are rendered as written (``xml:space="preserve"``); every font list ends in a generic
    family, so any viewer draws the text."""
    texts = texts_of(svg)
    glyphs = glyph_paths(svg)
    assert not glyphs, f"text written as glyph paths: {glyphs[:5]} ... ({len(glyphs)})"
    spaced = [t.get(XML_SPACE) for t in svg_root(svg).iter(f"{SVG}text")]
    assert spaced == ["preserve"] * len(texts), "runs of spaces would collapse"
    families = font_families(svg)
    assert families, "no font named"
    unsafe = [f for f in families if f.rsplit(",", 1)[-1].strip() not in GENERIC]
    assert not unsafe, f"font lists without a generic family: {unsafe}"
    missing = [e for e in expected if e not in texts]
    assert not missing, f"{missing} not among the SVG's <text> elements {texts}"
    return texts


# ------------------------------------------------------------------ the helpers themselves


def test_the_helpers_see_glyph_paths_and_text():
    """The checks can fail: a figure saved with matplotlib's defaults has glyphs and no text."""
    import io

    from glassnet.plot._base import new_figure

    fig = new_figure(1, 1)
    fig.text(0.5, 0.5, "0.6457")
    buf = io.StringIO()
    fig.savefig(buf, format="svg")  # matplotlib's own default: svg.fonttype "path"
    assert texts_of(buf.getvalue()) == []
    glyphs = glyph_paths(buf.getvalue())
    assert len(glyphs) == len(set("0.6457")) and all(g.startswith("DejaVuSans-") for g in glyphs)
    with pytest.raises(AssertionError, match="glyph paths"):
        assert_text_kept(buf.getvalue())


# ------------------------------------------------------------------ glassnet explain --plot


def test_explain_plot_svg_keeps_the_steps_numbers(tmp_path, capsys):
    out = tmp_path / "step.svg"
    assert main(["explain", "two-node", "--plot", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    # Worked by hand: z = 0.5*1 + 0.1 = 0.6; Y = 1/(1+e^-0.6) = 0.645656; E = (Y-0.8)^2 = 0.023822;
    # dE/dw = 2(Y-0.8) * Y(1-Y) * x = -0.070623; w_new = 0.5 - 1*(-0.070623) = 0.570623.
    texts = assert_text_kept(
        out,
        "Y = 0.6457",
        "E = 0.0238",
        "dE/dw = -0.0706",
        "w = 0.5000",
        "b = 0.1000",
        "z = 0.6000",
        "dY/dz = 0.2288",
    )
    update = "update  w <- w - lr*dE/dw = 0.5000 - 1*(-0.0706) = 0.5706"
    assert any(t.startswith(update) for t in texts), texts


def test_explain_plot_svg_follows_the_flags(tmp_path, capsys):
    """Other weights, other numbers: the text is the step's, not a fixed picture."""
    out = tmp_path / "step.svg"
    argv = ["explain", "two-node", "--w", "-1", "--b", "0.3", "--x", "2", "--target", "0.1"]
    assert main([*argv, "--lr", "0.5", "--plot", str(out)]) == 0
    capsys.readouterr()
    y = 1 / (1 + np.exp(-(-1.0 * 2.0 + 0.3)))
    dw = 2 * (y - 0.1) * y * (1 - y) * 2.0
    joined = "\n".join(assert_text_kept(out, f"Y = {fmt(y)}", f"dE/dw = {fmt(dw)}"))
    assert f"= {fmt(-1.0 - 0.5 * dw)}" in joined and "0.6457" not in joined


def test_explain_plot_checks_the_suffix_as_plot_does(tmp_path, capsys):
    """explain --plot writes through save_figure: a name without a picture suffix is refused
    (matplotlib alone would have written step.png and the command announced "wrote step")."""
    assert main(["explain", "two-node", "--plot", str(tmp_path / "step")]) == 2
    assert "must end in one of" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ glassnet plot ... -o x.svg


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A 2-3-1 tanh/sigmoid model file and a history JSON (train --json's "history" key)."""
    from glassnet import mlp

    d = tmp_path_factory.mktemp("svg")
    net = mlp("2,3,1", activation="tanh", output_activation="sigmoid", seed=3)
    net.save(d / "m.npz")
    history = d / "h.json"
    history.write_text(
        json.dumps({"history": {"loss": [0.9, 0.4], "accuracy": [0.55, 0.85]}, "epochs": [0, 1]})
    )
    return d / "m.npz", history, net


def _plot(tmp_path, capsys, *argv: str) -> Path:
    out = tmp_path / "x.svg"
    assert main(["plot", *argv, "--output", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    return out


def test_plot_network_two_node_svg(tmp_path, capsys):
    out = _plot(tmp_path, capsys, "network", "--two-node")
    assert_text_kept(out, "w = 0.5000", "b = 0.1000", "x", "Y", "input", "output", "sigmoid")


def test_plot_network_model_svg_names_nodes_and_writes_every_weight(saved, tmp_path, capsys):
    path, _, net = saved
    out = _plot(tmp_path, capsys, "network", "--model", str(path))
    W1, b1 = net.layers[0].params["W"], net.layers[0].params["b"]  # (2, 3), (3,)
    W2, b2 = net.layers[2].params["W"], net.layers[2].params["b"]  # (3, 1), (1,)
    weights = [fmt(w) for w in np.concatenate([W1.ravel(), W2.ravel()])]
    biases = [f"b = {fmt(b)}" for b in np.concatenate([b1, b2])]
    assert len(weights) == 9 and len(biases) == 4
    texts = assert_text_kept(out, "x1", "x2", "a1[1]", "a1[2]", "a1[3]", "Y", "tanh", "sigmoid")
    assert sorted(t for t in texts if t in weights) == sorted(weights)
    assert sorted(t for t in texts if t.startswith("b = ")) == sorted(biases)


def test_plot_trace_svg(tmp_path, capsys):
    out = _plot(tmp_path, capsys, "trace")
    texts = assert_text_kept(out, "Y = 0.6457", "dE/dw = -0.0706", "dE/db = -0.0706")
    assert any("= 0.5000 - 1*(-0.0706) = 0.5706" in t for t in texts), texts


def test_plot_history_svg(saved, tmp_path, capsys):
    _, history, _ = saved
    out = _plot(tmp_path, capsys, "history", "--history", str(history))
    texts = assert_text_kept(
        out, "loss", "epoch", "accuracy", "loss per epoch", "accuracy per epoch", "training loss"
    )
    assert texts.count("epoch") == 2  # one x label under each panel


def test_plot_boundary_svg(saved, tmp_path, capsys):
    path, _, _ = saved
    out = _plot(tmp_path, capsys, "boundary", "--model", str(path), "--data", "moons")
    assert_text_kept(out, "decision boundary", "x1", "x2")


def test_plot_confusion_svg_writes_its_counts(saved, tmp_path, capsys):
    from glassnet.cli._common import load_data

    path, _, net = saved
    out = _plot(tmp_path, capsys, "confusion", "--model", str(path), "--data", "moons")
    data = load_data("moons", None, 0, 0.2)  # what the command reads: moons, seed 0, 20% test
    labels = np.asarray(data.y_test).astype(int)  # (N,)
    pred = net.predict_classes(data.X_test)  # (N,)
    acc = float((labels == pred).mean())
    title = f"confusion matrix: {labels.size} samples, accuracy {acc:.1%}"
    texts = assert_text_kept(out, "predicted class", "true class", title)
    for t in (0, 1):
        for p in (0, 1):
            assert str(int(((labels == t) & (pred == p)).sum())) in texts


def test_svg_text_names_a_font_family_every_viewer_has(tmp_path, capsys):
    """The font that laid the text out comes first, and the list ends in the generic
    sans-serif, so a viewer without DejaVu Sans still draws the text in a sans-serif face."""
    out = _plot(tmp_path, capsys, "network", "--two-node")
    families = font_families(out)
    assert families
    for family in families:
        names = [n.strip() for n in family.split(",")]
        assert names[0] == "'DejaVu Sans'" and names[-1] == "sans-serif", family


def test_math_text_reads_as_text_with_a_generic_family(tmp_path):
    """A log axis labels its ticks with math text ($10^{-3}$): one <tspan> a character, each
    naming only its font; the SVG adds the generic family and reads "10−3" without gaps."""
    from glassnet.plot import plot_lr_find, save_figure
    from glassnet.train.lr_finder import LRFinderResult

    lrs = np.geomspace(1e-3, 1.0, 12).tolist()
    found = LRFinderResult(lrs=lrs, losses=[1.0] * 12, smoothed=[1.0] * 12, stopped="end")
    path = save_figure(plot_lr_find(found), tmp_path / "lr.svg")
    assert_text_kept(path, "10−3", "10−2", "10−1", "100", "learning rate")
    styles = [span.get("style", "") for span in svg_root(path).iter(f"{SVG}tspan")]
    assert styles and all(s.endswith("font-family: 'DejaVu Sans', sans-serif") for s in styles)


# ------------------------------------------------------------------ the gallery and the API


def _kinds(moons_net, two_node_step):
    """Every kind of picture the gallery and ``glassnet train --plot-dir`` draw."""
    from glassnet import mlp, plot
    from glassnet.callbacks import History
    from glassnet.train.lr_finder import LRFinderResult

    net, data, history = moons_net
    recorder = plot.WeightRecorder()
    mlp("2,4,1", seed=0).fit(
        data.X_train, data.y_train[:, None], epochs=2, verbose=0, callbacks=[recorder], seed=0
    )
    lrs = np.geomspace(1e-3, 1.0, 12)
    found = LRFinderResult(
        lrs=lrs.tolist(),
        losses=(1.0 - 0.05 * np.arange(12)).tolist(),
        smoothed=(1.0 - 0.05 * np.arange(12)).tolist(),
        suggestion=0.01,
        steepest=0.1,
        stopped="end",
    )
    h = History()
    h.append(0, {"loss": 1.0})
    h.append(1, {"loss": 0.5})
    return {
        "trace": plot.plot_trace(two_node_step),
        "network": plot.plot_network(net),
        "boundary": plot.plot_decision_boundary(net, data.X_test, data.y_test, resolution=20),
        "neurons": plot.plot_neuron_maps(net, data.X_test, data.y_test, resolution=10),
        "history": plot.plot_history(history),
        "histograms": plot.plot_histograms(recorder),
        "confusion": plot.plot_confusion_matrix(data.y_test, net.predict_classes(data.X_test)),
        "weights": plot.plot_weight_matrix(net, 0),
        "lr_find": plot.plot_lr_find(found),
        "small history": plot.plot_history(h),
    }


def _written_strings(fig) -> set[str]:
    """Each line of every text the figure draws besides its tick labels (titles, axis labels,
    legends, the numbers on nodes, edges and cells)."""
    from matplotlib.text import Text

    ticks = {
        id(label)
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis)
        for tick in axis.get_major_ticks() + axis.get_minor_ticks()
        for label in (tick.label1, tick.label2)
    }
    return {
        line
        for t in fig.findobj(Text)
        if id(t) not in ticks and t.get_visible()
        for line in t.get_text().split("\n")
        if line.strip()
    }


def test_every_picture_saved_as_svg_keeps_every_string_it_draws(moons_net, two_node_step, tmp_path):
    """The gallery's pictures (and train --plot-dir's) through save_figure as .svg: every string
    the figure draws, except tick labels, is a <text> element."""
    from glassnet.plot import save_figure

    for name, fig in _kinds(moons_net, two_node_step).items():
        path = save_figure(fig, tmp_path / f"{name.replace(' ', '_')}.svg")
        strings = _written_strings(fig)
        assert strings, name
        texts = assert_text_kept(path)
        missing = strings - set(texts)
        assert not missing, f"{name}: {sorted(missing)} not written as <text>"
        assert any(re.search(r"\d", t) for t in texts), f"{name}: no number written as text"


def test_svgz_keeps_text_too(tmp_path):
    import gzip

    from glassnet.cli.explain_cmd import two_node_network
    from glassnet.plot import plot_network, save_figure

    path = save_figure(plot_network(two_node_network(0.5, 0.1)), tmp_path / "n.svgz")
    assert_text_kept(gzip.decompress(path.read_bytes()).decode(), "w = 0.5000", "b = 0.1000")


def test_users_matplotlib_settings_are_left_alone(tmp_path):
    """The text-keeping settings hold only while glassnet saves: rcParams are as before."""
    import matplotlib

    from glassnet.cli.explain_cmd import two_node_network
    from glassnet.plot import network_svg, plot_network, save_figure

    before = dict(matplotlib.rcParams)
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        save_figure(plot_network(two_node_network(0.5, 0.1)), tmp_path / "n.svg")
        network_svg(two_node_network(0.5, 0.1))
        assert matplotlib.rcParams["svg.fonttype"] == "path"
    assert dict(matplotlib.rcParams) == before
    assert_text_kept(tmp_path / "n.svg", "w = 0.5000")


# ------------------------------------------------------------------ the notebook's SVG


def test_notebook_svgs_keep_text(two_node_step):
    from glassnet.callbacks import History
    from glassnet.cli.explain_cmd import two_node_network
    from glassnet.plot import history_svg, network_svg, trace_svg

    assert_text_kept(trace_svg(two_node_step), "Y = 0.6457", "dE/dw = -0.0706")
    assert_text_kept(two_node_step._repr_svg_(), "Y = 0.6457")
    assert_text_kept(network_svg(two_node_network(0.5, 0.1)), "w = 0.5000", "b = 0.1000")
    h = History()
    h.append(0, {"loss": 1.0})
    h.append(1, {"loss": 0.5})
    assert_text_kept(history_svg(h), "loss", "epoch", "loss per epoch")
    assert_text_kept(h._repr_svg_(), "loss", "epoch")
