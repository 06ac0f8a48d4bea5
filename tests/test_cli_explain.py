"""The explain and gradcheck commands, through glassnet.cli.main and once as a real process."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from glassnet.cli import main

FIRST_LINES = [
    "forward   z = w*x + b = 0.5000*1.0000 + 0.1000 = 0.6000",
    "          Y = sigmoid(z) = sigmoid(0.6000) = 0.6457",
    "error     E = (Y - target)^2 = (0.6457 - 0.8000)^2 = 0.0238",
]
LAST_LINE = "          b <- b - lr*dE/db = 0.1000 - 1*(-0.0706) = 0.1706"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_explain_two_node_text(capsys):
    status, out, err = run(capsys, "explain", "two-node")
    lines = out.splitlines()
    assert status == 0 and err == ""
    assert lines[:3] == FIRST_LINES and lines[-1] == LAST_LINE and len(lines) == 10


def test_explain_two_node_as_a_process():
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.run(
        [sys.executable, "-m", "glassnet.cli", "explain", "two-node"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:3] == FIRST_LINES
    assert proc.stdout.splitlines()[-1] == LAST_LINE


def test_explain_json(capsys):
    status, out, _ = run(capsys, "explain", "two-node", "--format", "json")
    data = json.loads(out)
    assert status == 0
    assert round(data["dE_dw"], 4) == -0.0706 and round(data["w_new"], 4) == 0.5706
    assert all(isinstance(data[k], float) for k in ("x", "target", "w", "b", "error", "b_new"))


def test_explain_options_change_the_numbers(capsys):
    x, t, w, b, lr = 2.0, 0.1, -0.3, 0.4, 0.5
    argv = ["--x", "2", "--target", "0.1", "--w", "-0.3", "--b", "0.4", "--lr", "0.5"]
    status, out, _ = run(capsys, "explain", "two-node", "--format", "json", *argv)
    data = json.loads(out)
    y = 1 / (1 + math.exp(-(w * x + b)))
    dE_dw = 2 * (y - t) * y * (1 - y) * x
    assert status == 0
    assert (data["x"], data["target"], data["w"], data["b"], data["lr"]) == (x, t, w, b, lr)
    assert data["y"] == pytest.approx(y, rel=1e-12)
    assert data["w_new"] == pytest.approx(w - lr * dE_dw, rel=1e-12)
    _, text, _ = run(capsys, "explain", "two-node", *argv)
    assert "z = w*x + b = (-0.3000)*2.0000 + 0.4000 = -0.2000" in text
    assert "w <- w - lr*dE/dw = (-0.3000) - 0.5*" in text


def test_explain_steps_error_falls(capsys):
    status, out, _ = run(capsys, "explain", "two-node", "--steps", "5")
    table = out.split("\n\n")[1].splitlines()
    assert status == 0 and table[0].split()[:2] == ["step", "E"]
    errors = [float(row.split()[1]) for row in table[1:]]
    assert len(errors) == 5 and all(b < a for a, b in zip(errors, errors[1:], strict=False))
    assert errors[0] == pytest.approx(0.023822, abs=1e-6)
    _, out, _ = run(capsys, "explain", "two-node", "--steps", "5", "--format", "json")
    steps = json.loads(out)
    exact = [s["error"] for s in steps]
    assert len(steps) == 5 and all(b < a for a, b in zip(exact, exact[1:], strict=False))
    assert all(s["w"] == pytest.approx(p["w_new"]) for p, s in zip(steps, steps[1:], strict=False))


def test_explain_markdown_and_mlp(capsys):
    status, out, _ = run(capsys, "explain", "two-node", "--format", "markdown")
    assert status == 0 and r"\frac{\partial E}{\partial w}" in out
    status, out, _ = run(capsys, "explain", "mlp", "--layers", "2,2,2", "--x", "0.05,0.10",
                         "--target", "0.01,0.99", "--lr", "0.5")  # fmt: skip
    assert status == 0 and "E = ((Y[1] - t[1])^2 + (Y[2] - t[2])^2) / 2" in out
    assert "w2[2,2] <- w2[2,2] - lr*dE/dw2[2,2]" in out


def test_gradcheck_command_passes(capsys):
    status, out, _ = run(capsys, "gradcheck", "--layers", "3,5,2", "--activation", "tanh",
                         "--loss", "mse")  # fmt: skip
    assert status == 0
    assert "PASSED" in out and "FAIL" not in out.replace("FAILED", "")
    for name in ("0.W", "0.b", "2.W", "2.b", "input"):
        assert name in out


@pytest.mark.parametrize(
    "loss", ["cross_entropy", "binary_cross_entropy", "ce", "cross-entropy", "bce", "mae", "huber"]
)
def test_gradcheck_command_other_losses(capsys, loss):
    status, out, _ = run(capsys, "gradcheck", "--layers", "4,6,3", "--activation", "relu",
                         "--loss", loss)  # fmt: skip
    assert status == 0 and "PASSED" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", "two-node", "--steps", "0"], "--steps must be >= 1; got 0"),
        (["explain", "two-node", "--lr", "0"], "lr must be a finite number > 0; got 0.0"),
        (["explain", "two-node", "--activation", "mish"], "unknown activation 'mish'"),
        (
            ["explain", "mlp", "--layers", "2,3,2", "--x", "1,2,3"],
            "--x gives 3 values but the network has 2 inputs: give 2 comma-separated values",
        ),
        (
            ["explain", "mlp", "--layers", "2,3,2", "--target", "1,2,3"],
            "--target gives 3 values but the network has 2 outputs",
        ),
        (
            ["explain", "two-node", "--x", "1,oops"],
            "expected comma-separated numbers such as 0.5,1.0; got '1,oops'",
        ),
        (["explain", "missing-model.npz"], "no model file at 'missing-model.npz'"),
        (["explain", "mlp", "--layers", "30,20,2"], "explain writes out at most 300"),
        (["gradcheck", "--layers", "3,x"], "layers must be comma-separated integers"),
        (["gradcheck", "--loss", "hinge"], "unknown loss 'hinge'"),
        (["gradcheck", "--activation", "mish"], "unknown activation 'mish'"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert err.startswith(f"glassnet {argv[0]}: error: ") and message in err


def test_bad_option_value_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["explain", "two-node", "--lr", "fast"])
    assert exc.value.code == 2
    assert "argument --lr: invalid float value: 'fast'" in capsys.readouterr().err


def test_explain_mlp_spreads_one_x_and_target_over_every_node(capsys):
    status, out, _ = run(capsys, "explain", "mlp", "--layers", "2,2,2", "--activation", "elu",
                         "--x", "0.5", "--target", "0.3")  # fmt: skip
    assert status == 0
    assert "w1[1,1]*x1 + w1[2,1]*x2" in out and "*0.5000 + b1[1]" not in out
    assert out.count("*0.5000") >= 4  # x1 = x2 = 0.5 in both first-layer sums
    assert "(Y[1] - t[1])^2 + (Y[2] - t[2])^2" in out and "- 0.3000)^2" in out
    assert "elu(z1[1])" in out and "alpha*exp(z" in out


@pytest.mark.parametrize("loss", ["ce", "cross-entropy", "cross_entropy"])
def test_explain_mlp_knows_every_name_of_cross_entropy(capsys, loss):
    status, out, _ = run(capsys, "explain", "mlp", "--layers", "2,2,2", "--x", "0.5,0.2",
                         "--target", "1", "--loss", loss)  # fmt: skip
    assert status == 0
    assert "E = -log p[2] = -log(" in out  # the target is class 1, the second output
    assert "S = exp(Y[1]) + exp(Y[2]) = exp(" in out and "dE/dY[2] = p[2] - [2 = target]" in out
    assert "sigmoid(z2" not in out  # logits out: no output sigmoid before the softmax


def test_explain_with_several_samples_writes_the_batch_step(capsys):
    status, out, _ = run(capsys, "explain", "two-node", "--x", "1;2;-1", "--target", "0.8;0.3;0.5")
    assert status == 0
    assert out.splitlines()[0] == "sample 1   E = 0.0238   dE/dw = -0.0706"  # the article's
    assert "dE/dw = ((-0.0706) + 0.3375 + 0.0474) / 3 = 0.1048" in out
    assert "(the batch's own backward: 0.1048)" in out
    status, out, _ = run(capsys, "explain", "mlp", "--layers", "2,2,1", "--x", "1,0;0,1",
                         "--target", "0.5", "--weight", "0,1,1")  # fmt: skip
    assert status == 0 and out.count("dE/dw1[2,2] =") == 4  # two samples, the mean, the update
    status, _, err = run(capsys, "explain", "two-node", "--x", "1;2", "--target", "0.8;0.3;0.1")
    assert status == 2 and "--x gives 2 samples but --target 3" in err
