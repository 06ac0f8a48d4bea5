"""The docs run: every >>> line of docs/tutorial.md with the output it shows, and the README's
Python blocks with the numbers their comments promise."""

import ast
import doctest
import re
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"


def test_tutorial_examples_run_and_print_what_the_page_shows():
    result = doctest.testfile(
        str(TUTORIAL), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE,
        verbose=False, report=True,
    )  # fmt: skip
    assert result.attempted >= 35  # the page's examples were found
    assert result.failed == 0, f"{result.failed} examples of {TUTORIAL.name} failed (above)"


def test_the_readme_links_the_tutorial():
    readme = (TUTORIAL.parents[1] / "README.md").read_text()
    assert "docs/tutorial.md" in readme


def _readme_blocks() -> list[str]:
    text = (TUTORIAL.parents[1] / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_the_readme_python_runs_and_prints_what_its_comment_says(capsys):
    blocks = _readme_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    last = capsys.readouterr().out.strip().splitlines()[-1]  # the five lines' evaluate()
    first = blocks[0]
    shown = dict(
        (k, float(v)) for k, v in re.findall(r"'(\w+)': ([0-9.]+)\.\.\.", first)
    )  # {'loss': 0.0771, 'accuracy': 0.9777}
    printed = ast.literal_eval(last)
    assert set(shown) == {"loss", "accuracy"}
    # the comment's digits, give or take another CPU's rounding (BLAS kernels sum differently)
    assert printed["loss"] == pytest.approx(shown["loss"], rel=0.02)
    assert abs(printed["accuracy"] - shown["accuracy"]) <= 1.01 / 360  # one digit of 360


def test_the_architecture_page_lists_every_module():
    page = (TUTORIAL.parent / "architecture.md").read_text()
    listed = set(re.findall(r"`([\w/]+\.py)`", page))
    src = TUTORIAL.parents[1] / "src" / "glassnet"
    modules = {p.relative_to(src).as_posix() for p in src.rglob("*.py")}
    assert modules - listed == set(), "modules missing from docs/architecture.md"
    assert listed - modules == set(), "docs/architecture.md lists modules that are gone"
