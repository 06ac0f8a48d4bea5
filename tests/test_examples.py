"""The examples run as scripts (``python examples/NAME.py``) and print what they promise."""

from __future__ import annotations

import ast
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["two_node", "xor", "digits", "mnist", "imbalanced", "counts", "outliers"]


def run(name: str, *args: str) -> str:
    """Run one example in a fresh Python, as a user would; return its stdout."""
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, f"{name}.py failed:\n{out.stderr[-2000:]}"
    return out.stdout


@pytest.mark.parametrize("name", NAMES)
def test_example_has_docstring_main_guard_and_public_imports_only(name):
    source = (EXAMPLES / f"{name}.py").read_text()
    tree = ast.parse(source)
    doc = ast.get_docstring(tree)
    assert doc and f"python examples/{name}.py" in doc  # says what it shows and how to run it
    assert any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)
    assert 'if __name__ == "__main__":\n    main()' in source
    dotted = [  # every imported name, spelt in full: "glassnet.metrics.scores.accuracy"
        f"{n.module}.{a.name}" if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in n.names
    ]
    private = [d for d in dotted if d.startswith("glassnet") and "._" in d]
    assert not private, private
    assert "glassnet" in source and "import glassnet as gn" in source  # the public package


def test_two_node_explains_a_step_then_the_error_falls():
    out = run("two_node")
    # The first step, node by node, with the article's numbers (w = 0.5, b = 0.1, x = 1).
    assert "z = w*x + b = 0.5000*1.0000 + 0.1000 = 0.6000" in out
    assert "dE/dw" in out and "dE/dw = dE/dY*dY/dz*dz/dw" in out
    assert "w <- w - lr*dE/dw = 0.5000 - 1*(-0.0706) = 0.5706" in out
    rows = re.findall(r"^\s*(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", out, re.M)
    assert [int(r[0]) for r in rows] == list(range(2, 22))  # 20 more steps
    errors = [float(r[4]) for r in rows]
    assert all(b < a for a, b in zip(errors, errors[1:], strict=False))  # falls every step
    assert float(rows[0][1]) == pytest.approx(0.5706, abs=1e-4)  # step 2 starts where 1 ended
    w, b = 0.5 + 0.0706228095, 0.1 + 0.0706228095  # after step 1 (dE/dw = dE/db = -0.0706)
    assert errors[0] == pytest.approx((1 / (1 + math.exp(-(w + b))) - 0.8) ** 2, abs=1e-6)
    assert errors[-1] < 1e-4 < 0.0238  # from the first step's E = 0.0238


def test_xor_prints_the_loss_curve_and_correct_predictions():
    out = run("xor")
    curve = [float(v) for v in re.findall(r"^\s*\d+\s+(\d\.\d{4})$", out, re.M)]
    assert len(curve) >= 10 and curve[-1] < 0.05 < curve[0]
    rows = re.findall(r"^\s*([01])\s+([01])\s+([01])\s+([\d.]+)\s+([01])$", out, re.M)
    assert len(rows) == 4
    for x1, x2, target, p, predicted in rows:
        assert int(target) == int(x1) ^ int(x2) == int(predicted)
        assert (float(p) > 0.9) if int(target) else (float(p) < 0.1)
    assert "4 of 4 correct" in out


def test_digits_reaches_95_percent_and_prints_a_confusion_matrix():
    out = run("digits", "--epochs", "10")
    acc = float(re.search(r"test accuracy: ([\d.]+)", out).group(1))
    assert acc >= 0.95
    rows = re.findall(r"^\s*(\d)((?:\s+\d+){10})$", out, re.M)
    cm = [[int(c) for c in cols.split()] for _, cols in rows]
    assert [int(d) for d, _ in rows] == list(range(10)) and sum(map(sum, cm)) == 360
    assert sum(cm[i][i] for i in range(10)) / 360 == pytest.approx(acc, abs=1e-4)


def test_mnist_runs_on_a_subset_and_prints_an_accuracy():
    out = run("mnist", "--limit", "5000", "--epochs", "1")
    assert "5000 training and 10000 test images" in out
    acc = float(re.search(r"test accuracy: ([\d.]+)", out).group(1))
    assert 0.8 < acc < 1.0  # one epoch on 5000 images: well above chance (0.1), below the full run
    assert len(re.findall(r"\d:\d\.\d{3}", out)) == 10  # recall of each digit


def test_imbalanced_trades_accuracy_for_the_rare_class():
    out = run("imbalanced")
    # 3000 training points, 1 in 20 rare: balanced weights N / (K N_c) = 3000 / (2 * 150) = 10
    assert "2850 of class 0, 150 of class 1" in out
    assert "class 0 0.526, class 1 10.000" in out
    rows = dict(re.findall(r"^(none|balanced)\s+([\d.]+\s+[\d.]+\s+[\d.]+)$", out, re.M))
    plain, weighted = ([float(v) for v in rows[k].split()] for k in ("none", "balanced"))
    assert plain[0] > 0.95  # accuracy: near the 95% of always answering "0"
    assert weighted[1] > plain[1] + 0.3  # recall of the rare class: found far more often
    assert weighted[2] < plain[2] and weighted[0] < plain[0]  # paid for with false alarms
    lrs = re.search(r"learning rate by epoch: (.*)$", out, re.M).group(1)
    assert lrs.startswith("0.0100, 0.0100, 0.0099") and lrs.endswith("0.0006, 0.0005")  # cosine


def test_counts_poisson_regression_finds_the_law_where_a_line_cannot():
    out = run("counts")
    rows = {
        (widths, loss): [float(v) for v in values.split()]
        for widths, loss, values in re.findall(
            r"^(1,1|1,16,16,1)\s+(poisson|mse)\s+([-\d.]+\s+[-\d.]+\s+[-\d.]+)$", out, re.M
        )
    }
    assert len(rows) == 4  # deviance, MAE of the rates, lowest prediction
    poisson, line = rows[("1,1", "poisson")], rows[("1,1", "mse")]
    assert poisson[1] < 0.1 and line[1] > 0.5  # the rates: right, and a straight line's misses
    assert poisson[0] < line[0] / 2  # the deviance too
    assert poisson[2] > 0 > line[2]  # exp(z) is never negative; the line is at the low end
    for loss in ("poisson", "mse"):
        assert rows[("1,16,16,1", loss)][1] < 0.2  # hidden layers bend the curve either way
    w, b = map(float, re.search(r"rate = exp\(([\d.]+) x \+ ([\d.]+)\)", out).groups())
    assert abs(w - 1) < 0.1 and abs(b - 0.5) < 0.1  # the law behind the data, exp(x + 0.5)


def test_outliers_pull_the_squared_error_and_not_the_absolute_one():
    out = run("outliers")
    rows = {
        name: [float(v) for v in values.split()]
        for name, values in re.findall(
            r"^(squared error|absolute error|Huber)\s+([-\d.]+\s+[-\d.]+\s+[-\d.]+)$", out, re.M
        )
    }
    mse, mae, huber = rows["squared error"], rows["absolute error"], rows["Huber"]
    assert mse[1] > 2.2  # b dragged up by about a tenth of the outliers' 15
    assert abs(mae[0] - 2) < 0.05 and abs(mae[1] - 1) < 0.05  # the clean line, y = 2x + 1
    assert abs(huber[1] - 1) < 0.2 and huber[2] < mse[2] / 5  # nearly, b up by share x delta
