"""The API reference (``make docs``): built offline from the docstrings by docs/build_api.py,
each public object on its module's page with its docstring, nothing loaded from the internet."""

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import glassnet
import glassnet.saving.onnx_export
import glassnet.sklearn

ROOT = Path(__file__).resolve().parents[1]
# pages pdoc writes: a module's page holds every name it exports
EXPECTED = [
    ("glassnet.html", "Sequential", glassnet.Sequential),
    ("glassnet.html", "Dense", glassnet.Dense),
    ("glassnet.html", "explain", glassnet.explain),
    ("glassnet/sklearn.html", "MLPClassifier", glassnet.sklearn.MLPClassifier),
    ("glassnet/saving/onnx_export.html", "to_onnx", glassnet.saving.onnx_export.to_onnx),
]
# what would make a browser fetch something: src="...", <link href="...">, CSS url(...) and
# @import, with an http(s) or protocol-relative (//host) address
REMOTE = re.compile(
    r"""(?:\bsrc\s*=\s*["']?|<link\b[^>]*\bhref\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)"""
    r"""(?:https?:)?//""",
    re.I,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("api")
    env = dict(os.environ)
    src = str(Path(glassnet.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "build_api.py"), str(out)],
        env=env, capture_output=True, text=True, timeout=280,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"open {out / 'index.html'}" in done.stdout
    return out


def _text(page: str) -> str:
    """A page's visible text: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _first_line(obj) -> str:
    line = obj.__doc__.strip().splitlines()[0]
    return " ".join(line.replace("``", "").split())


@pytest.mark.slow
@pytest.mark.parametrize(("page", "name", "obj"), EXPECTED, ids=[e[1] for e in EXPECTED])
def test_each_object_has_its_section_with_its_docstring(site, page, name, obj):
    path = site / page
    assert path.is_file(), sorted(p.name for p in site.rglob("*.html"))[:40]
    text = path.read_text(encoding="utf-8")
    start = text.index(f'id="{name}"')  # the object's anchor
    section = _text(text[start : start + 20000])
    assert _first_line(obj) in section


@pytest.mark.slow
def test_numpydoc_sections_are_rendered_not_shown_raw(site):
    page = (site / "glassnet.html").read_text(encoding="utf-8")
    section = page[page.index('id="Sequential"') :][:20000]
    assert "----------" not in _text(section)  # numpydoc's underlines became headings
    assert "Parameters" in _text(section) and "Examples" in _text(section)


@pytest.mark.slow
def test_no_page_loads_anything_from_the_internet(site):
    files = [p for p in site.rglob("*") if p.suffix in (".html", ".js", ".css")]
    assert len(files) > 50  # every module got a page
    for path in files:
        found = REMOTE.findall(path.read_text(encoding="utf-8"))
        assert found == [], f"{path.relative_to(site)} loads {found[:3]}"
    assert "mathjax" not in (site / "glassnet.html").read_text(encoding="utf-8").lower()


@pytest.mark.slow
def test_private_modules_get_no_page(site):
    assert not [p for p in site.rglob("_*.html")]
    assert (site / "glassnet" / "cli" / "train_cmd.html").is_file()


def test_the_remote_pattern_catches_what_a_browser_would_fetch():
    fetches = [
        '<script src="https://cdn.example/x.js">',
        "<link rel=stylesheet href='//cdn.example/a.css'>",
        "body { background: url(http://x/y.png) }",
        '@import "https://fonts.example/f.css";',
    ]
    assert all(REMOTE.search(s) for s in fetches)
    assert not REMOTE.search('<a href="https://pdoc.dev">pdoc</a>')  # a link fetches nothing
    assert not REMOTE.search('<script src="search.js">')


@pytest.mark.slow
def test_the_index_lists_every_module_page(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"index.html"}
    linked = set(re.findall(r'<li><a href="([^"]+\.html)"', index))
    assert "glassnet/layers.html" in pages and "glassnet/sklearn.html" in pages
    assert linked == pages
