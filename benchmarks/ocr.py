"""OCR speed and accuracy on generated pages of known text, and the cost of language detection.

    python benchmarks/ocr.py              # 8 pages per variant, 500 stories for language detection
    python benchmarks/ocr.py --pages 20

Pages are Reuters-21578 stories (read from ../shared at run time, never copied; fictional text when
absent) typed onto a page image with Pillow's font, as a scan (straight, 200 dpi) and as a phone
photo (turned 3 degrees, blurred, JPEG), then read by `analysis.loaders.load_bytes` exactly as an
upload is: the scan wrapped in an image-only PDF (rendered again at 300 dpi by pypdfium2), the photo
as a .jpg (straightened first). Character accuracy is 1 - edit distance / length of the known text,
both with whitespace folded. Language detection is timed per document on Reuters stories.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, without installing

from analysis.extract.languages import detect_language  # noqa: E402
from analysis.loaders import load_bytes  # noqa: E402
from analysis.loaders.ocr import unavailable  # noqa: E402
from analysis.model import RawDocument  # noqa: E402
from tests.fictional import ALL  # noqa: E402
from tests.scans import image_bytes, page_image, scanned_pdf  # noqa: E402

REUTERS = ROOT.parent / "shared" / "corpus" / "reuters21578.jsonl"
LINES_PER_PAGE, CHARS_PER_LINE = 26, 64


def stories(limit: int) -> list[str]:
    if not REUTERS.exists():
        return list(ALL.values()) * (limit // len(ALL) + 1)
    texts = []
    with REUTERS.open(encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line).get("text", "")
            if len(text) > 1200:
                texts.append(text)
            if len(texts) >= limit:
                break
    return texts


def page_lines(text: str) -> list[str]:
    words = " ".join(text.split())
    return textwrap.wrap(words, CHARS_PER_LINE)[:LINES_PER_PAGE]


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(known: str, read: str) -> float:
    known, read = folded(known), folded(read)
    return 1 - edit_distance(known, read) / max(1, len(known))


def run_variant(name: str, pages: list[list[str]], make: callable) -> None:
    scores, wall, cpu = [], 0.0, 0.0
    for lines in pages:
        file_name, data = make(lines)
        w, c = time.perf_counter(), time.process_time()
        (doc,) = list(load_bytes(file_name, data))
        wall += time.perf_counter() - w
        cpu += time.process_time() - c
        assert isinstance(doc, RawDocument), doc
        scores.append(accuracy("\n".join(lines), doc.text))
    scores.sort()
    print(f"{name:<34} {len(pages) / wall:6.2f} pages/s (wall)  mean char accuracy {sum(scores) / len(scores):.4f}"
          f"  worst {scores[0]:.4f}  ({len(pages)} pages, {wall:.1f} s wall; Tesseract runs in a subprocess,"
          f" this process's CPU {cpu:.1f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--stories", type=int, default=500, help="stories for language detection")
    args = parser.parse_args()
    if reason := unavailable():
        print(f"skipped: {reason}")
        return 0
    pages = [page_lines(text) for text in stories(args.pages)]
    print(f"OCR on {len(pages)} generated pages of {LINES_PER_PAGE} lines"
          f" ({sum(len(' '.join(p)) for p in pages) / len(pages):.0f} characters a page)")
    run_variant("scanned PDF (200 dpi image)", pages, lambda lines: ("scan.pdf", scanned_pdf([lines])))
    run_variant("phone photo (3 deg, blur, JPEG)", pages,
                lambda lines: ("photo.jpg", image_bytes(page_image(lines, angle=3, blur=1.2), "JPEG")))
    texts = stories(args.stories)
    detect_language(texts[0])  # load the model outside the timing
    start = time.perf_counter()
    found = [detect_language(text) for text in texts]
    per_doc = (time.perf_counter() - start) / len(texts)
    print(f"language detection: {per_doc * 1000:.2f} ms per document over {len(texts)} stories"
          f" (first {3000} characters each); {found.count('en')} en, {found.count(None)} undetermined,"
          f" {len(found) - found.count('en') - found.count(None)} other")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
