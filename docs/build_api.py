"""Build glassnet's API reference, HTML pages from the numpydoc docstrings, with pdoc; offline.

Usage: ``python docs/build_api.py [OUTPUT_DIR]`` (``make docs`` writes build/docs). Open
OUTPUT_DIR/index.html. Every page is self-contained: pdoc inlines its CSS and its search
index, and math rendering (MathJax, which pdoc would load from a CDN) is off, so formulas
show as their LaTeX source. Nothing is fetched from the internet, at build or view time.

Every package and module of glassnet gets a page, except private ones (a leading underscore)
and ``__main__``; a package's page lists the names it exports (its ``__all__``), and
index.html lists every page (the template in docs/api_templates).
"""

from __future__ import annotations

import pkgutil
import sys
import warnings
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "build" / "docs"
#: index.html as a list of every module's page (pdoc's would redirect to glassnet.html)
TEMPLATES = Path(__file__).resolve().parent / "api_templates"


def module_names() -> list[str]:
    """glassnet and each of its public subpackages and modules, by import name."""
    import glassnet

    names = ["glassnet"]
    for info in pkgutil.walk_packages(glassnet.__path__, "glassnet."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts):
            continue
        names.append(info.name)
    return names


def build(output: Path) -> Path:
    """Write the HTML pages into ``output``; return the path of index.html."""
    import pdoc
    import pdoc.render

    from glassnet import __version__

    pdoc.render.configure(
        docformat="numpy",
        math=False,  # MathJax would come from a CDN
        mermaid=False,  # likewise mermaid
        search=True,  # a local index (search.js), no network
        show_source=False,  # the docstrings are the reference; the source is on disk
        footer_text=f"glassnet {__version__}",
        template_directory=TEMPLATES,
    )
    with warnings.catch_warnings():
        # pdoc cannot evaluate a few string annotations (names imported for type checking
        # only); it shows them as written, which is what a reader needs
        warnings.simplefilter("ignore", UserWarning)
        # pdoc walks each package's submodules itself; the "!" pattern drops private ones
        pdoc.pdoc(*module_names(), r"!(.*\.)?_", output_directory=output)
    return output / "index.html"


def main(argv: list[str]) -> int:
    """Build into argv[0] (default build/docs) and print where the pages are."""
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    index = build(output)
    print(f"wrote the API reference to {output}; open {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
