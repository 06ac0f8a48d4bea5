"""The flags of ``glassnet train``: their defaults (``SPEC``, which a ``--config`` file also
follows), the help text and the argparse definition, grouped as ``--help`` shows them.
"""

from __future__ import annotations

import argparse
from typing import Any

from glassnet.cli._data import add_csv_flags, add_data_flag
from glassnet.datasets.csv import TASKS

#: --scale-target's values (None, its default, picks standard for mse, mae and huber)
SCALE_TARGET = ("standard", "none")

# name -> (default, kind); every flag defaults to None so the config file can fill it in.
SPEC: dict[str, tuple[Any, Any]] = {
    "data": (None, str),
    "target": (None, str),
    "delimiter": (None, str),
    "encoding": ("utf-8", str),
    "categorical": ("none", str),
    "impute": ("none", str),
    "weight_column": (None, str),
    "class_weight": (None, str),
    "task": (None, str),
    "test_size": (0.2, float),
    "layers": (None, "widths"),
    "hidden": (None, "widths"),
    "activation": ("relu", str),
    "output_activation": (None, str),
    "loss": (None, str),
    "optimizer": ("adam", str),
    "lr": (0.001, float),
    "lr_schedule": (None, str),
    "epochs": (20, int),
    "batch_size": (32, int),
    "seed": (0, int),
    "dtype": ("float32", str),
    "dropout": (None, float),
    "weight_decay": (None, float),
    "clip_norm": (None, float),
    "jit_compile": ("auto", str),
    "find_lr": (False, bool),
    "validation_split": (0.0, float),
    "early_stopping": (None, int),
    "standardize": (True, bool),
    "scale_target": (None, str),
    "checkpoint": (None, str),
    "resume": (False, bool),
    "save": (None, str),
    "force": (False, bool),
    "json": (False, bool),
    "quiet": (False, bool),
    "plot_dir": (None, str),
    "animate": (None, str),
    "animate_every": (1, int),
}

EPILOG = """\
The network: inputs and outputs come from the data, you choose the hidden layers.
  --hidden 128,64        two hidden layers (default: one of 64); 'none' for no hidden layer
  --layers auto,128,auto every width, inputs to outputs; 'auto' takes a width from the data
Classification uses cross_entropy (the last layer gives logits, the softmax is in the loss);
regression uses mse. Inputs are standardised with the training set's mean and standard
deviation, which are saved inside the model file so evaluate and predict scale the same way.
Regression targets (mse, mae, huber) are standardised too, and predict and evaluate give
numbers in the targets' own units; the training loss shown is on the standardised targets.
--weight-column W weighs each CSV row by its W (a number >= 0; W is not a feature): the loss
trained on, val_loss and a test loss are weighted means sum w l / sum w; the weights follow
their rows through the splits and a --resume.
--lr-schedule changes the learning rate between epochs, starting from --lr (the progress bar
and --json's history show each epoch's lr). A --resume keeps the checkpoint's schedule
(unless you type another) and the lr it had reached.

A CSV file's delimiter is detected (csv.Sniffer among , ; tab |; else ',') unless given with
--delimiter; it is read as UTF-8 unless --encoding says otherwise. Text columns need
--categorical auto and missing values --impute mean; both travel with the model file.
--save and --checkpoint are checked before training starts: they never replace a file that is
not a glassnet model (your data) without --force, nor a directory or device. Should saving
fail after training, the model is written beside the path asked for (or in the temporary
folder) and the message says where. Exit status: 0 done, 1 training failed (diverged) or the
model could not be saved where asked, 2 bad input, 130 interrupted.

Examples:
  glassnet train --data digits --hidden 128 --epochs 20 --save digits.npz
  glassnet train --data iris.csv --target species --epochs 200 --json
  glassnet train --data sales.csv --target churn --weight-column w   (sample weights)
  glassnet train --data sales.csv --target churn --class-weight balanced
  glassnet train --data houses.csv --target price --hidden 32 --epochs 100 --save m.npz
  glassnet train --config run.toml --epochs 5        (flags override the file)
  glassnet train --data digits --optimizer sgd --lr 0.1 --lr-schedule step:10:0.5
  glassnet train --data mnist --checkpoint ck.npz    then, after Ctrl-C: add --resume
"""


def add_flags(p: argparse.ArgumentParser) -> None:
    """Add every flag of ``glassnet train`` to its parser ``p``, in groups."""
    d = {name: default for name, (default, _) in SPEC.items()}
    g = p.add_argument_group("data")
    add_data_flag(
        g,
        "digits, iris, breast-cancer, mnist, fashion-mnist, xor, "
        "moons, circles, spirals, blobs, curve, or a path to a .csv file",
    )
    g.add_argument("--target", help="target column of a CSV file (name or index)")
    g.add_argument(
        "--weight-column",
        metavar="NAME",
        help="column of per-row sample weights of a CSV file (name or index; numbers >= 0): "
        "training, val_loss and a reported test loss are weighted",
    )
    g.add_argument(
        "--class-weight",
        metavar="WEIGHTS",
        help="weigh the training samples by class: balanced (rare classes count as much as "
        "common ones), or CLASS:WEIGHT pairs such as spam:5 or 0:1,1:10 (other classes keep 1); "
        "multiplies --weight-column's weights",
    )
    add_csv_flags(g)
    g.add_argument(
        "--categorical",
        choices=["none", "auto"],
        help="text in a CSV feature column: none (default) refuses it; auto one-hot encodes "
        "each such column (sorted categories, saved with the model: predict encodes new rows "
        "alike and refuses a category the model never saw)",
    )
    g.add_argument(
        "--impute",
        choices=["none", "mean"],
        help="missing CSV feature values (empty, NA, NaN, null, ...): none (default) refuses "
        "them naming the row and column; mean fills each with its training column's mean "
        "(saved with the model and used at predict)",
    )
    g.add_argument(
        "--task",
        choices=TASKS,
        help="how to read a CSV target (default: whole numbers with at most 20 values are "
        "classes, other numbers regression; --loss mse or poisson alone means regression)",
    )
    g.add_argument("--test-size", type=float, help=f"test fraction (default {d['test_size']})")
    g.add_argument(
        "--standardize",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="scale inputs to mean 0, std 1 with training statistics (default on)",
    )
    g.add_argument(
        "--scale-target",
        choices=SCALE_TARGET,
        help="standard (the default for regression with mse, mae or huber): train on the "
        "targets standardised with the training targets' mean and std, saved in the model "
        "file and undone by predict and evaluate, whose numbers stay in the targets' units; "
        "none: train on the raw targets (the default for poisson, whose targets are counts)",
    )
    g.add_argument(
        "--no-scale-target",
        dest="scale_target",
        action="store_const",
        const="none",
        help="the same as --scale-target none",
    )
    g = p.add_argument_group("network")
    g.add_argument("--hidden", metavar="WIDTHS", help="hidden widths, e.g. 128,64 (default 64)")
    g.add_argument("--layers", metavar="WIDTHS", help="all widths, e.g. auto,128,auto")
    g.add_argument(
        "--activation",
        help="hidden activation: relu (default), tanh, sigmoid, leaky_relu, elu, silu, gelu, "
        "softplus",
    )
    g.add_argument(
        "--output-activation",
        help="default: none for cross_entropy and mse, sigmoid for binary_cross_entropy",
    )
    g.add_argument("--dtype", choices=["float32", "float64"], help="default float32")
    g.add_argument(
        "--dropout",
        type=float,
        metavar="P",
        help="drop each hidden unit with probability P while training (default 0: none)",
    )
    g = p.add_argument_group("training")
    g.add_argument(
        "--loss",
        help="cross_entropy (default for classes), binary_cross_entropy, "
        "mse (default for regression), mae or huber (regression robust to outliers), "
        "poisson (counts: the network outputs log-rates and predicts their exp)",
    )
    g.add_argument("--optimizer", help="adam (default), adamw, sgd, momentum, nesterov, rmsprop")
    g.add_argument("--lr", type=float, help=f"learning rate (default {d['lr']})")
    g.add_argument(
        "--weight-decay",
        type=float,
        metavar="L",
        help="L2 penalty on every parameter, g + L W (adamw: decoupled, W(1 - lr L)); "
        "default 0 (adamw: 0.01)",
    )
    g.add_argument(
        "--find-lr",
        action="store_true",
        default=None,
        help="instead of training, run the learning-rate range test on this network and data "
        "(the lr grows from 1e-6 to 10 over 100 batches) and print the lr it suggests",
    )
    g.add_argument(
        "--clip-norm",
        type=float,
        metavar="N",
        help="scale each step's gradients down to a global norm of at most N (default: no "
        "clipping); a --resume keeps the checkpoint's unless you type another",
    )
    g.add_argument(
        "--jit-compile",
        choices=["auto", "on", "off"],
        help="run each training step as one compiled call (numba): auto (default) where the "
        "network is a plain MLP large enough to gain, on always (an error says why a network "
        "cannot), off never (the layers one by one); the weights are the same up to rounding",
    )
    g.add_argument(
        "--lr-schedule",
        metavar="SCHEDULE",
        help="change the learning rate as training goes (default: keep it constant): "
        "step:N[:GAMMA] multiplies it by GAMMA (default 0.1) every N epochs, e.g. step:10:0.5; "
        "exponential:GAMMA by GAMMA every epoch, e.g. exponential:0.95; cosine[:MIN_LR] "
        "lowers it along half a cosine from --lr to MIN_LR (default 0) over --epochs; "
        "plateau[:FACTOR[:PATIENCE]] multiplies it by FACTOR (default 0.1) once val_loss "
        "(loss without --validation-split) has not improved for more than PATIENCE epochs "
        "(default 10), e.g. plateau:0.5:5; none keeps it constant",
    )
    g.add_argument("--epochs", type=int, help=f"passes over the data (default {d['epochs']})")
    g.add_argument("--batch-size", type=int, help=f"default {d['batch_size']}")
    g.add_argument(
        "--seed",
        type=int,
        help="seeds the split, the weights and the shuffling "
        "(default 0); same seed, same result bit for bit",
    )
    g.add_argument(
        "--validation-split",
        type=float,
        help="fraction of the training set held out for val_loss (default 0)",
    )
    g.add_argument(
        "--early-stopping",
        type=int,
        metavar="PATIENCE",
        help="stop after PATIENCE epochs without improvement of val_loss "
        "(loss without --validation-split) and keep the best weights",
    )
    g = p.add_argument_group("files and output")
    g.add_argument("--config", metavar="FILE.toml", help="settings named like the flags")
    g.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="write model + optimiser state atomically after every epoch",
    )
    g.add_argument(
        "--resume",
        action="store_true",
        default=None,
        help="continue from --checkpoint (same final weights as an uninterrupted "
        "run); starts afresh if the file does not exist yet",
    )
    g.add_argument("--save", metavar="PATH", help="write the final model (.npz)")
    g.add_argument(
        "--force",
        action="store_true",
        default=None,
        help="let --save and --checkpoint replace a file that is not a glassnet model (never "
        "a directory or a device); without it such a file is refused before training starts",
    )
    g.add_argument(
        "--json",
        action="store_true",
        default=None,
        help="print one JSON object (metrics, history, settings) and nothing else",
    )
    g.add_argument("--quiet", action="store_true", default=None, help="no progress bar")
    g.add_argument(
        "--plot-dir",
        metavar="DIR",
        help="after training, save the standard "
        "pictures (curves, network, boundary) into DIR; needs glassnet[plot]",
    )
    g.add_argument(
        "--animate",
        metavar="OUT.gif",
        help="record the decision boundary while "
        "training into an animated GIF (2-D inputs); needs glassnet[plot]",
    )
    g.add_argument(
        "--animate-every", type=int, metavar="N", help="a GIF frame every N epochs (default 1)"
    )
