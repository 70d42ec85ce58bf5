"""Generated scans for the OCR tests and benchmark: text drawn into page images, as a scanner or a
phone camera would give them, and wrapped as PDFs with no text layer (or with one on some pages)."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter, ImageFont

PAGE = (1700, 2200)  # an A4-ish page at 200 dpi


def page_image(lines: list[str], angle: float = 0.0, blur: float = 0.0, size: tuple[int, int] = PAGE) -> Image.Image:
    """A white page with `lines` typed on it, turned by `angle` degrees and blurred like a photo."""
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=38)  # Pillow's own font: no system fonts needed
    y = 160
    for line in lines:
        draw.text((140, y), line, fill=0, font=font)
        y += 62
    if angle:
        page = page.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=235)
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(blur))
    return page


def image_bytes(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, fmt)
    return out.getvalue()


def scanned_pdf(pages: list[list[str]]) -> bytes:
    """A PDF of page images only, as a scanner makes it: no text layer at all."""
    images = [page_image(lines).convert("RGB") for lines in pages]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=200)
    return out.getvalue()


def mixed_pdf(text_page: list[str], scanned_page: list[str]) -> bytes:
    """A PDF whose first page has a text layer and whose second is a scanned image."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(612, 792))
    y = 720
    for line in text_page:
        pdf.drawString(72, y, line)
        y -= 16
    pdf.showPage()
    pdf.drawImage(ImageReader(page_image(scanned_page)), 0, 0, width=612, height=792)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
