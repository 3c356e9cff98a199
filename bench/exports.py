"""5. Exports: PNG and SVG per chart (the warm renderer browser), CSV/XLSX, the PDF fiche and
the full ZIP, for the whole territory and for a commune (components/exports)."""
from __future__ import annotations

from bench.common import PY, Config, Section, Stats, fmt_ms, load, run_json, verdict

TARGET_IMAGE_S = 0.5
TARGET_PDF_S = 5.0  # issue 12: the fiche PDF and the ZIP of a commune within 5 s
TARGET_ZIP_S = 5.0
COMMUNE = "62498"  # Lens, the commune of the journey


def run(cfg: Config) -> Section:
    from components.exports import renderer
    from datasets import access

    terr = access.territoires("territoire")["code"].iloc[0]
    s = Section("5. Exports", ["territory", "export", "n", "median ms", "p95 ms", "target"])
    for code in ((COMMUNE,) if cfg.smoke else (terr, COMMUNE)):
        r = run_json([PY, "-m", "bench.exports_job", code, str(cfg.r), str(cfg.qr)] + (["--smoke"] if cfg.smoke else []),
                     timeout=1800)
        label = "whole territory" if code == terr else f"commune {code}"
        s.notes.append(f"{label}: load average (1 min) after its exports: {load()}")
        s.add(label, "build the fiche's charts (territory_charts)", 1, fmt_ms(r["charts_build_s"]), "", "")
        if not r["images"]:
            s.notes.append("Chromium not found: image and PDF exports not measured")
        else:
            s.add(label, "first PNG of the process (starts the renderer's Chromium)", 1, fmt_ms(r["first_image_s"]), "", "")
        for c in r["charts"]:
            for fmt in ("png", "svg", "csv", "xlsx"):
                if fmt in c:
                    st = Stats(c[fmt])
                    s.add(label, f"{fmt.upper()} {c['chart']}", len(c[fmt]), *st.ms(),
                          verdict(st.median, TARGET_IMAGE_S) if fmt in ("png", "svg") else "",
                          median_s=st.median, fmt=fmt)
        if r["images"]:
            st = Stats(r["pdf"])
            s.add(label, "PDF fiche (collect + HTML + Chromium print)", len(r["pdf"]), *st.ms(),
                  verdict(st.median, TARGET_PDF_S), median_s=st.median, fmt="pdf")
            st2 = Stats(r["pdf_print"])
            s.add(label, f"  of which Chromium print-to-pdf (HTML ready in {fmt_ms(r['pdf_html_s'])} ms)",
                  len(r["pdf_print"]), *st2.ms(), "")
        if r["zip"]:
            st = Stats(r["zip"])
            s.add(label, "ZIP 'Tout télécharger' (every theme chart: PNG, SVG, CSV, XLSX; fiche; LISEZMOI)", len(r["zip"]), *st.ms(),
                  verdict(st.median, TARGET_ZIP_S), median_s=st.median, fmt="zip")
            if r.get("zip_reuse"):
                st3 = Stats(r["zip_reuse"])
                s.add(label, "  ZIP when the fiche PDF was built before (the page reuses it)", len(r["zip_reuse"]),
                      *st3.ms(), verdict(st3.median, TARGET_ZIP_S))
        else:
            s.notes.append("smoke run: first chart only, ZIP not built")
    s.notes.append("PNG = 2000×1200 px (scale 2), drawn by the process's warm browser (renderer.py, "
                   f"{renderer.PAGES} pages side by side); one image at a time here; the ZIP sends all of its "
                   "images at once. Times are the uncached render (the app also caches bytes per figure).")
    return s
