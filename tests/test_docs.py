"""docs/tutorial.md runs: every >>> line in it, in order, with the output it shows."""

import doctest
from pathlib import Path

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
