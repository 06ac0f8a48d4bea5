"""docs/gallery still matches what ``make gallery`` (glassnet.plot.gallery.write_gallery) draws.

The pictures are not compared byte for byte: anti-aliasing and the numbers of a training run can
move a few pixels between machines. What is compared is what a stale gallery gets wrong: the list
of files (a picture added to or removed from write_gallery), each picture's format, size in
pixels and number of frames (a figure resized, a dpi changed, an animation made longer), its
contents frame by frame (at most ``CHANGED`` of the pixels may differ by more than ``LEVELS``
of 255 in a channel: a new colour, a moved curve or another layout is far more), and the
README's links. The gallery is drawn here for real, in full (about 3 s). After a failure,
redraw it with ``make gallery``.
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
#: a pixel differs when a channel moves by more than LEVELS; a picture when CHANGED of them do
LEVELS, CHANGED = 40, 0.02


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


def changed_fraction(a: Path, b: Path) -> float:
    """The largest fraction, over the frames, of pixels whose colour differs by more than
    ``LEVELS`` in some channel between the pictures a and b (of one size and frame count)."""
    import numpy as np
    from PIL import Image, ImageSequence

    worst = 0.0
    with Image.open(a) as ia, Image.open(b) as ib:
        for fa, fb in zip(ImageSequence.Iterator(ia), ImageSequence.Iterator(ib), strict=True):
            pa = np.asarray(fa.convert("RGB"), dtype=np.int16)  # (H, W, 3)
            pb = np.asarray(fb.convert("RGB"), dtype=np.int16)
            worst = max(worst, float((np.abs(pa - pb).max(axis=2) > LEVELS).mean()))
    return worst


def test_gallery_pictures_show_what_write_gallery_draws(drawn: dict[str, Path]) -> None:
    changed = {
        name: round(changed_fraction(GALLERY / name, path), 4)
        for name, path in drawn.items()
        if (GALLERY / name).exists() and image_shape(GALLERY / name) == image_shape(path)
    }
    stale = {name: f for name, f in changed.items() if f > CHANGED}
    assert not stale, f"{REDRAW}; fraction of pixels changed (at most {CHANGED}): {stale}"


def test_the_content_check_sees_a_changed_picture(tmp_path: Path) -> None:
    """A picture with a patch of 5% of its area repainted counts as changed; itself does not."""
    from PIL import Image, ImageDraw

    original = GALLERY / "moons_boundary.png"
    with Image.open(original) as im:
        edited = im.convert("RGB")
    w, h = edited.size
    ImageDraw.Draw(edited).rectangle([0, 0, int(w * 0.25), int(h * 0.2)], fill=(255, 0, 255))
    edited.save(tmp_path / "edited.png")
    assert changed_fraction(original, original) == 0.0
    assert changed_fraction(original, tmp_path / "edited.png") > CHANGED


def test_readme_links_every_gallery_picture(drawn: dict[str, Path]) -> None:
    linked = set(re.findall(r"\(docs/gallery/([^)\s]+)\)", README.read_text()))
    broken = sorted(name for name in linked if not (GALLERY / name).is_file())
    assert not broken, f"README.md links pictures that docs/gallery lacks: {broken}"
    assert linked == set(drawn), (
        f"README.md's gallery links != the pictures write_gallery draws; "
        f"not linked: {sorted(set(drawn) - linked)}, linked but not drawn: "
        f"{sorted(linked - set(drawn))}"
    )
