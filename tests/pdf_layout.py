"""Layout checks of a printed PDF with poppler: every word box inside the page, no two
word boxes overlapping (`pdftotext -bbox`), every page rendered (`pdftoppm`)."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def words(pdf: bytes) -> tuple[list[tuple[float, float]], list[Word]]:
    """(page sizes, words) of a PDF."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "f.pdf"
        src.write_bytes(pdf)
        html = subprocess.run(["pdftotext", "-bbox", str(src), "-"], check=True, capture_output=True,
                              text=True).stdout
    pages: list[tuple[float, float]] = []
    out: list[Word] = []
    for block in re.split(r"<page ", html)[1:]:
        w, h = (float(v) for v in re.match(r'width="([\d.]+)" height="([\d.]+)"', block).groups())
        pages.append((w, h))
        for m in re.finditer(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                             block):
            x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
            out.append(Word(len(pages), m.group(5), x0, y0, x1, y1))
    return pages, out


def outside(pages, ws: list[Word], margin: float = 0.0) -> list[Word]:
    """Words whose box extends past the page (minus `margin` points)."""
    bad = []
    for w in ws:
        pw, ph = pages[w.page - 1]
        if w.x0 < margin or w.y0 < margin or w.x1 > pw - margin or w.y1 > ph - margin:
            bad.append(w)
    return bad


def overlaps(ws: list[Word], tolerance: float = 0.2) -> list[tuple[Word, Word]]:
    """Pairs of words on a page whose boxes overlap by more than `tolerance` of the smaller
    box (font boxes of consecutive lines touch; text printed over text covers far more)."""
    bad = []
    by_page: dict[int, list[Word]] = {}
    for w in ws:
        by_page.setdefault(w.page, []).append(w)
    for page_words in by_page.values():
        page_words.sort(key=lambda w: w.y0)
        for i, a in enumerate(page_words):
            for b in page_words[i + 1:]:
                if b.y0 >= a.y1:
                    break
                dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                if dx <= 0 or dy <= 0:
                    continue
                smaller = min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0)) or 1e-9
                if dx * dy / smaller > tolerance:
                    bad.append((a, b))
    return bad


def joined(ws: list[Word], gap: float = 3.5) -> list[Word]:
    """Words of one line closer than `gap` points merged ("32" "000" -> "32 000")."""
    out: list[Word] = []
    for w in sorted(ws, key=lambda w: (w.page, round(w.y0, 0), w.x0)):
        last = out[-1] if out else None
        if last and last.page == w.page and abs(last.y0 - w.y0) < 0.6 and 0 <= w.x0 - last.x1 < gap:
            out[-1] = Word(w.page, f"{last.text} {w.text}", last.x0, min(last.y0, w.y0), w.x1, max(last.y1, w.y1))
        else:
            out.append(w)
    return out


def render_pages(pdf: bytes, folder: Path, prefix: str, dpi: int = 50) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / f"{prefix}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), str(folder / prefix)], check=True)
    return sorted(folder.glob(f"{prefix}-*.png"))
