"""OCR: text from page images with Tesseract (Debian's `tesseract-ocr`), through pytesseract.

Scanned PDFs (`pdf.py`) and photographs or scans saved as images (`load_image`) have no text
layer; Tesseract reads them page by page. Without Tesseract such a file is refused with the
command that installs it, and every other file of the batch is still read.
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator

import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from analysis.loaders._common import Budget, LoadFailure, Result, describe, document

INSTALL_COMMAND = "apt-get install -y tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra"
# Tesseract's language data to read with, in its own codes; those not installed are left out.
DEFAULT_LANGUAGES = "eng+fra+deu+spa"
# Tesseract reads best at about 300 dpi; PDF pages are rendered at this resolution.
RENDER_DPI = 300
# Images larger than this (in pixels) are scaled down first: a 50-megapixel phone photo takes
# Tesseract minutes and reads no better than its 12-megapixel version.
MAX_PIXELS = 12_000_000
# A page photographed or fed by hand is a few degrees off; Tesseract then runs lines together.
MAX_SKEW_DEGREES = 6.0
SKEW_STEP = 0.25


def unavailable() -> str | None:
    """Why OCR cannot run here (with the install command), or None when Tesseract answers."""
    import pytesseract

    try:
        pytesseract.get_tesseract_version()
    except (pytesseract.TesseractNotFoundError, OSError):
        return f"needs OCR, but Tesseract is not installed. Install it with: {INSTALL_COMMAND}"
    return None


def languages() -> str:
    """The Tesseract languages to read with: `NEWSROOM_LENS_OCR_LANGUAGES` (default
    eng+fra+deu+spa), less those whose data is not installed (English at the least)."""
    import pytesseract

    wanted = (os.environ.get("NEWSROOM_LENS_OCR_LANGUAGES") or DEFAULT_LANGUAGES).split("+")
    installed = set(pytesseract.get_languages(config=""))
    return "+".join(lang for lang in wanted if lang in installed) or "eng"


def read_images(images: Iterable[Image.Image], file_name: str, budget: Budget, total: int) -> Iterator[str]:
    """The text of each image, in order, reporting each page done to `budget.on_page`."""
    import pytesseract

    langs = languages()
    for number, image in enumerate(images, start=1):
        yield pytesseract.image_to_string(_prepared(image), lang=langs).strip()
        if budget.on_page is not None:
            budget.on_page(file_name, number, total)


def _prepared(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation of a phone photo, then straightened), grey and of a size
    Tesseract reads quickly."""
    image = ImageOps.exif_transpose(image).convert("L")
    pixels = image.width * image.height
    if pixels > MAX_PIXELS:
        scale = (MAX_PIXELS / pixels) ** 0.5
        image = image.resize((int(image.width * scale), int(image.height * scale)), Image.LANCZOS)
    angle = skew_angle(image)
    return image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255) if angle else image


def skew_angle(image: Image.Image) -> float:
    """The turn (degrees, counter-clockwise) that makes the text lines of a grey page level.

    Lines of text are level when the page's ink, summed along its rows, is most uneven (dense
    rows of letters, empty rows between): the classic projection profile, tried on a small copy
    for each angle within `MAX_SKEW_DEGREES`.
    """
    small = image.copy()
    small.thumbnail((800, 800))
    ink = small.point(lambda v: 255 if v < 128 else 0)  # dark pixels are ink

    def unevenness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.NEAREST, expand=True), dtype=np.float64).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    steps = int(MAX_SKEW_DEGREES / SKEW_STEP)
    best = max((i * SKEW_STEP for i in range(-steps, steps + 1)), key=lambda a: (unevenness(a), -abs(a)))
    return best


def load_image(file_name: str, data: bytes, budget: Budget) -> Iterator[Result]:
    """A photo or scan (.png, .jpg, .jpeg, .tif, .tiff; every frame of a multipage TIFF)."""
    try:
        image = Image.open(io.BytesIO(data))
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except UnidentifiedImageError as exc:
        raise LoadFailure("not a readable image: cannot identify image file") from exc
    except Image.DecompressionBombError as exc:
        raise LoadFailure(f"image refused: {describe(exc)}") from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ... on damaged files
        raise LoadFailure(f"corrupt image: {describe(exc)}") from exc
    if reason := unavailable():
        raise LoadFailure(reason)
    pages = list(read_images(frames, file_name, budget, len(frames)))
    yield document("\n\n".join(filter(None, pages)), file_name, "OCR found no text in the image",
                   ocr_pages=len(frames))
