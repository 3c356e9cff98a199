"""The PDF fiche on A4 portrait for every territory level, on the real warehouse: rendered
page by page (`pdftoppm`) and checked with `pdftotext -bbox` (poppler): no word outside the
printable area, no word printed over another, nothing clipped (every value of the key
figures table is in the text), charts labelled.

The images of the pages are written to $FICHE_PAGES_DIR when it is set, to look at them."""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from components import format as fmt
from components.exports import image

import pdf_layout as L

pytestmark = [pytest.mark.skipif(not image.images_disponibles(), reason="chromium absent: PDF untestable"),
              pytest.mark.skipif(not L.POPPLER, reason="poppler-utils absent: pdftotext/pdftoppm")]

LEVELS = {"62498": "commune", "200072460": "epci", "PMA": "groupement", "AULA": "territoire"}
A4 = (595.92, 842.88)  # points
MARGIN_X, MARGIN_Y = 12 / 25.4 * 72, 11 / 25.4 * 72  # @page margins of the fiche


def _norm(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("&apos;", "'").replace("&amp;", "&")


@pytest.fixture(scope="module", params=list(LEVELS))
def printed(request, tmp_path_factory):
    from components.exports import fiche

    code = request.param
    f = fiche.collect(code)
    pdf = fiche.print_pdf(fiche.render_html(f))
    folder = Path(os.environ.get("FICHE_PAGES_DIR") or tmp_path_factory.mktemp("fiche"))
    return code, f, pdf, L.render_pages(pdf, folder, f"fiche_{code}")


def test_a4_portrait_pages_all_rendered(printed):
    code, f, pdf, pngs = printed
    pages, words = L.words(pdf)
    assert 1 <= len(pages) <= 3 and len(pngs) == len(pages)
    for w, h in pages:
        assert w == pytest.approx(A4[0], abs=2) and h == pytest.approx(A4[1], abs=2)  # portrait
    for png in pngs:
        img = Image.open(png).convert("L")
        assert img.width < img.height
        assert img.getextrema()[0] < 100  # something is printed on every page


def test_no_word_outside_the_printable_area(printed):
    code, f, pdf, _ = printed
    pages, words = L.words(pdf)
    # font boxes may stick out of the text box by about a point
    bad = [w for w in words if w.x0 < MARGIN_X - 2 or w.x1 > pages[w.page - 1][0] - MARGIN_X + 2
           or w.y0 < MARGIN_Y - 2 or w.y1 > pages[w.page - 1][1] - MARGIN_Y + 2]
    assert not bad, [(w.page, w.text, round(w.x0), round(w.x1), round(w.y0), round(w.y1)) for w in bad[:10]]


def test_no_word_printed_over_another(printed):
    code, f, pdf, _ = printed
    _, words = L.words(pdf)
    bad = L.overlaps(words)
    assert not bad, [(a.page, a.text, b.text) for a, b in bad[:10]]


def test_nothing_clipped_every_key_figure_is_in_the_text(printed):
    """A clipped cell loses its last words (« non disponible pour ce nivea »): every word of
    every value, evolution and reference value of the table must be printed."""
    code, f, pdf, _ = printed
    _, words = L.words(pdf)
    printed_words = Counter(_norm(w.text) for w in words)
    comp = {(r.indicateur, r.code): (r.valeur, r.statut) for r in f.comparaison.itertuples()}
    expected = []
    for r in f.chiffres.itertuples():
        unite = r.unite if r.unite == "%" else ""
        expected.append(fmt.valeur(r.valeur, unite, int(r.decimales), r.statut))
        expected.append(str(r.libelle))
        for ref in f.references:
            v, s = comp.get((r.indicateur, ref["code"]), (None, None))
            expected.append(fmt.valeur(v, unite, int(r.decimales), s))
    needed = Counter(w for text in expected for w in _norm(text).split())
    missing = {w: n for w, n in needed.items() if printed_words[w] < n}  # a word clipped off even once
    assert not missing, sorted(missing.items())[:20]


def test_charts_titled_with_readable_axes(printed):
    """The population chart's tick labels are whole numbers (not cut to « 0 »), its unit is in
    the title, not printed over them; every chart title is on a page."""
    code, f, pdf, _ = printed
    _, words = L.words(pdf)
    text = " ".join(_norm(w.text) for w in words)
    for c in f.charts:
        assert _norm(c.meta.titre) in text
    pop = next(c for c in f.charts if c.meta.indicateur == "population")
    ymin, ymax = pd.Series([v for t in pop.fig.data for v in t.y if v is not None]).agg(["min", "max"])
    numbers = []
    for w in L.joined(words):  # "32" "000" -> "32 000" (thousands separated by a no-break space)
        digits = _norm(w.text).replace(" ", "")
        if digits.isdigit() and ymin * 0.9 <= int(digits) <= ymax * 1.1:
            numbers.append(int(digits))
    assert len(set(numbers)) >= 3, f"population axis labels missing or cut: {numbers}"
    assert "(habitants)" in text
