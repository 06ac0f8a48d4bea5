"""``glassnet plot ...`` writes the pictures it is asked for."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from glassnet.cli import main


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A small moons model saved by ``glassnet train``, and its --json output."""
    d = tmp_path_factory.mktemp("cli")
    path, out = d / "m.npz", d / "train.json"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert (
            main(
                [
                    "train",
                    "--data",
                    "moons",
                    "--hidden",
                    "4",
                    "--epochs",
                    "3",
                    "--save",
                    str(path),
                    "--json",
                    "--quiet",
                ]
            )
            == 0
        )
    out.write_text(buf.getvalue())
    return path, out


def test_every_kind_writes_its_file(model, tmp_path, capsys, image_array, assert_has_content):
    m, history = model
    runs = {
        "network.png": ["network", "--model", str(m)],
        "two.png": ["network", "--two-node"],
        "trace.svg": ["trace"],
        "trace_model.png": ["trace", "--model", str(m), "--x", "0.5,-0.5", "--target", "1"],
        "history.png": ["history", "--history", str(history)],
        "boundary.png": ["boundary", "--model", str(m), "--data", "moons"],
        "confusion.png": ["confusion", "--model", str(m), "--data", "moons"],
    }
    for name, argv in runs.items():
        out = tmp_path / name
        assert main(["plot", *argv, "-o", str(out), "--dpi", "40"]) == 0, name
        assert f"wrote {out}" in capsys.readouterr().out
        if name.endswith(".svg"):
            svg = out.read_text()
            assert ET.fromstring(svg).tag.endswith("svg") and "-0.0706" in svg
        else:
            assert_has_content(image_array(out))


def test_history_accepts_history_to_dict(tmp_path, capsys):
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"history": {"loss": [1.0, 0.5]}, "epochs": [0, 1]}))
    assert main(["plot", "history", "--history", str(path), "-o", str(tmp_path / "h.png")]) == 0


def test_user_errors_exit_2(tmp_path, capsys):
    assert main(["plot", "network", "-o", str(tmp_path / "n.png")]) == 2
    assert "--model FILE or --two-node" in capsys.readouterr().err
    assert main(["plot", "history", "--history", str(tmp_path / "none.json")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["plot", "trace", "-o", str(tmp_path / "t.txt")]) == 2
    assert "must end in one of" in capsys.readouterr().err


def test_trace_loss_names_are_canonicalised(model, capsys, monkeypatch):
    """--loss cross-entropy and CE mean cross_entropy: the target is read as a class label."""
    import glassnet.plot

    m, _ = model
    drawn = []
    monkeypatch.setattr(glassnet.plot, "save_figure", lambda fig, path, dpi: drawn.append(fig))
    argv = ["plot", "trace", "--model", str(m), "--x", "0.5,-0.5", "--target", "1"]
    for name in ("cross_entropy", "cross-entropy", "CE"):
        assert main([*argv, "--loss", name]) == 0, capsys.readouterr().err
    texts = [sorted(t.get_text() for a in fig.axes for t in a.texts) for fig in drawn]
    assert texts[0] == texts[1] == texts[2]
    assert "target class = 1\n(cross_entropy)" in texts[0]
