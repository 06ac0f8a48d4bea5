"""docs/gallery still matches what ``make gallery`` (glassnet.plot.gallery.write_gallery) draws.

The pictures are not compared byte for byte: fonts and anti-aliasing differ between machines.
What is compared is what a stale gallery gets wrong: the list of files (a picture added to or
removed from write_gallery), each picture's format, size in pixels and number of frames (a
figure resized, a dpi changed, an animation made longer), and the README's links. The gallery
is drawn here for real, in full (about 3 s). After a failure, redraw it with ``make gallery``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from glassnet.plot.gallery import write_gallery

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "docs" / "gallery"
README = ROOT / "README.md"
REDRAW = "docs/gallery is stale: run `make gallery` and commit docs/gallery"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The gallery as the code draws it now, by name."""
    folder = tmp_path_factory.mktemp("gallery")
    paths = write_gallery(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths), (
        "write_gallery wrote files it does not return (or returned files it did not write)"
    )
    return {p.name: p for p in paths}


def image_shape(path: Path) -> tuple[str, tuple[int, int], int]:
    """(format, (width, height) in pixels, frames) from the file's header."""
    from PIL import Image

    with Image.open(path) as im:
        return im.format, im.size, getattr(im, "n_frames", 1)


def test_gallery_holds_exactly_the_pictures_write_gallery_draws(drawn: dict[str, Path]) -> None:
    committed = {p.name for p in GALLERY.iterdir()}
    missing, extra = sorted(set(drawn) - committed), sorted(committed - set(drawn))
    assert not missing and not extra, (
        f"{REDRAW}; drawn but not in docs/gallery: {missing}; "
        f"in docs/gallery but no longer drawn: {extra}"
    )


def test_gallery_pictures_have_the_sizes_write_gallery_draws(drawn: dict[str, Path]) -> None:
    stale = {
        name: {"docs/gallery": image_shape(GALLERY / name), "drawn now": image_shape(path)}
        for name, path in drawn.items()
        if (GALLERY / name).exists() and image_shape(GALLERY / name) != image_shape(path)
    }
    assert not stale, f"{REDRAW}; (format, pixels, frames) differ: {stale}"


def test_readme_links_every_gallery_picture(drawn: dict[str, Path]) -> None:
    linked = set(re.findall(r"\(docs/gallery/([^)\s]+)\)", README.read_text()))
    broken = sorted(name for name in linked if not (GALLERY / name).is_file())
    assert not broken, f"README.md links pictures that docs/gallery lacks: {broken}"
    assert linked == set(drawn), (
        f"README.md's gallery links != the pictures write_gallery draws; "
        f"not linked: {sorted(set(drawn) - linked)}, linked but not drawn: "
        f"{sorted(linked - set(drawn))}"
    )
