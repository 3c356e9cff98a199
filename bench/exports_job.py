"""Exports of one territory in its own process (one warm renderer browser per process,
as in the server: components/exports/renderer.py). `python -m bench.exports_job CODE REPS SLOW_REPS [--smoke]` prints one JSON line."""
from __future__ import annotations

import json
import sys
import time


def _times(fn, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main(code: str, reps: int, slow_reps: int, smoke: bool = False) -> dict:
    from components.exports import bundle, fiche, image, tables
    from components.exports.territory_charts import territory_charts

    t0 = time.perf_counter()
    charts = territory_charts(code)
    with_zip = not smoke
    if smoke:
        charts = charts[:1]
    build_s = time.perf_counter() - t0
    out = {"code": code, "charts_build_s": build_s, "charts": [], "images": image.images_disponibles()}
    if out["images"]:
        t0 = time.perf_counter()
        image.png(charts[0].fig, charts[0].meta)
        out["first_image_s"] = time.perf_counter() - t0  # starts the renderer's browser
    for c in charts:
        row = {"chart": c.meta.indicateur, "titre": c.meta.titre,
               "csv": _times(lambda: tables.csv_bytes(c.data, c.meta), reps),
               "xlsx": _times(lambda: tables.xlsx_bytes(c.data, c.meta), reps)}
        if out["images"]:
            row["png"] = _times(lambda: image.png(c.fig, c.meta), reps)
            row["svg"] = _times(lambda: image.svg(c.fig, c.meta), reps)
        out["charts"].append(row)
    if out["images"]:
        out["pdf"] = _times(lambda: fiche.fiche_pdf(code), slow_reps)
        t0 = time.perf_counter()
        html = fiche.render_html(fiche.collect(code))
        out["pdf_html_s"] = time.perf_counter() - t0
        out["pdf_print"] = _times(lambda: fiche.print_pdf(html), slow_reps)
    out["zip"] = _times(lambda: bundle.bundle(code), slow_reps) if with_zip else []
    if with_zip and out["images"]:
        pdf = fiche.fiche_pdf(code)
        out["zip_reuse"] = _times(lambda: bundle.bundle(code, pdf=pdf), slow_reps)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), "--smoke" in sys.argv)))
