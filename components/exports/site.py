"""Static public fiches: one HTML page per territory, an index with a search, no server.

    python -m components.exports site --out public/
    python -m components.exports site --out public/ --app-url https://chiffres.example.org --processus 2

Each page is the HTML the PDF fiche is printed from (`fiche.collect` + `fiche.render_html`:
key figures, comparison with the reference territories, charts as inline SVG), with a
viewport for phones, a screen layout and links to the index and into the interactive app.
The index lists every territory (readable without JavaScript, and by search engines) and a
small script searches `index.json` (accents and case ignored).

Speed: each build process has its own warm browser (`components/exports/renderer.py`,
plotly.js loaded once, the figures drawn by `Plotly.toImage`, the call kaleido made);
a process starts the fiches of a few territories before finishing the first, so the
browser draws while Python gathers the next figures. The fiches are built by a pool of
processes; the folder is written next to `--out` and swapped in at the end, so a failed
build leaves the previous site untouched."""
from __future__ import annotations

import argparse
import html
import json
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

MARKER = ".chiffres-clefs-site"  # a folder with this file is a site this module may replace
LEVELS = {"territoire": "Territoire de l'Agence", "groupement": "Groupements", "epci": "Intercommunalités (EPCI)",
          "commune": "Communes"}
DEFAULT_APP_URL = "/"  # the app served next to the fiches (deploy/nginx.conf.template)
CHUNK = 6  # territories per task: one plotly.js batch each
COUNTED = {"territoire": ("territoire de l'Agence", "territoires"), "groupement": ("groupement", "groupements"),
           "epci": ("intercommunalité (EPCI)", "intercommunalités (EPCI)"), "commune": ("commune", "communes")}


def app_link(app_url: str, niveau: str, code: str) -> str:
    """Where the interactive app shows this territory (the Commune page for a commune)."""
    base = app_url.rstrip("/")
    page = "commune" if niveau == "commune" else ""
    return f"{base}/{page}?territoire={code}"


def fiche_path(niveau: str, code: str) -> str:
    """The page of a territory, relative to the site's root."""
    return f"{niveau}/{code}.html"


def fold(text: str) -> str:
    """Lower case without accents, as the index's search compares names (same rule as recherche.js)."""
    return "".join(c for c in unicodedata.normalize("NFD", str(text).lower()) if unicodedata.category(c) != "Mn")


# --- the fiches (worker processes) ----------------------------------------------------------

def _worker_init(pages: int) -> None:
    """Each build process gets its own warm browser with `pages` pages (processes × pages ≈ cores)."""
    os.environ["CHIFFRES_CLEFS_RENDER_PAGES"] = str(pages)
    from components.exports import renderer

    renderer.PAGES = pages


def _build_chunk(job: tuple[list[dict], str, str]) -> list[dict]:
    """Write the fiches of some territories into `out`; what was written, per territory.

    Every fiche of the chunk is started before the first is finished: the browser draws the
    charts of one while Python gathers the figures of the next."""
    terrs, out, app_url = job
    from components.exports import fiche

    pending = [fiche.start(fiche.collect(t["code"])) for t in terrs]
    done = []
    for t, p in zip(terrs, pending):
        page = publish(fiche.finish(p), t, app_url)
        target = Path(out) / fiche_path(t["niveau"], t["code"])
        target.parent.mkdir(parents=True, exist_ok=True)
        data = page.encode("utf-8")
        target.write_bytes(data)
        done.append({**t, "bytes": len(data)})
    return done


SCREEN_CSS = """
@media screen {
  body { max-width: 1100px; margin: 0 auto; padding: 10px 16px 24px; font-size: 15px; line-height: 1.35; }
  nav.site { display: flex; flex-wrap: wrap; gap: 4px 18px; margin-bottom: 10px; font-size: 15px; }
  nav.site a { color: #0057a0; }
  h1 { font-size: 30px; } .niveau, .agence { font-size: 14px; }
  table.kf { font-size: 14px; } table.kf th { font-size: 13px; }
  figcaption.title { font-size: 15px; } figcaption.src, footer { font-size: 12px; }
  .page2 { margin-top: 18px; } figure { margin-bottom: 14px; }
}
@media screen and (max-width: 720px) {
  body { padding: 8px 10px 20px; }
  header { display: block; } .agence { text-align: left; margin-top: 4px; }
  h1 { font-size: 25px; }
  .grid { display: block; } .wide { grid-column: auto; }
  table.kf { display: block; overflow-x: auto; font-size: 13px; }
  table.kf td:first-child { min-width: 9em; }
}
"""


def publish(page: str, t: dict, app_url: str) -> str:
    """The printable fiche as a web page: viewport, description, screen CSS, navigation."""
    nom = html.escape(t["nom"])
    head = ('<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="Chiffres clés de {nom} ({html.escape(t["label"])}) : population, '
            'logement, emploi, comparés aux territoires de référence.">'
            f"<style>{SCREEN_CSS}</style>")
    nav = (f'<nav class="site" aria-label="Navigation"><a href="../index.html">← Toutes les fiches</a>'
           f'<a href="{html.escape(app_link(app_url, t["niveau"], t["code"]))}">Explorer {nom} dans '
           "l'application interactive</a></nav>")
    page = page.replace("</head>", head + "</head>", 1)
    return page.replace("<body>", "<body>" + nav, 1)


# --- the index (main process) ---------------------------------------------------------------

SEARCH_JS = r"""// Search over index.json: accents and case ignored, words in any order.
(function () {
  var input = document.getElementById('q'), list = document.getElementById('resultats'),
      all = document.getElementById('tout'), status = document.getElementById('statut'), items = null;
  function fold(s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }
  function show() {
    var words = fold(input.value).split(/[\s'’-]+/).filter(Boolean);
    list.textContent = '';
    if (!words.length) { all.hidden = false; status.textContent = ''; return; }
    all.hidden = true;
    var found = items.filter(function (t) {
      return words.every(function (w) { return t.k.indexOf(w) >= 0; }); });
    // names that start with the first word first (Béthune before « CA de Béthune-Bruay »)
    found.sort(function (a, b) { return (b.k.indexOf(words[0]) === 0) - (a.k.indexOf(words[0]) === 0) || a.i - b.i; });
    found.slice(0, 50).forEach(function (t) {
      var li = document.createElement('li'), a = document.createElement('a');
      a.href = t.u; a.textContent = t.n; li.appendChild(a);
      var s = document.createElement('span'); s.className = 'lvl'; s.textContent = ' · ' + t.l + ' (' + t.c + ')';
      li.appendChild(s); list.appendChild(li); });
    status.textContent = found.length === 0 ? 'Aucun territoire ne correspond.'
      : found.length + (found.length > 1 ? ' territoires trouvés' : ' territoire trouvé')
        + (found.length > 50 ? ' (50 premiers affichés)' : '') + '.';
  }
  fetch('index.json').then(function (r) { return r.json(); }).then(function (data) {
    items = data.map(function (t, i) { t.k = fold(t.n + ' ' + t.c); t.i = i; return t; });
    input.disabled = false; input.addEventListener('input', show); if (input.value) show();
  });
})();
"""

INDEX_CSS = """body { font-family: 'Source Sans Pro', Arial, sans-serif; color: #111; max-width: 900px; margin: 0 auto;
  padding: 10px 16px 30px; font-size: 16px; line-height: 1.4; }
h1 { font-size: 28px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 22px 0 6px; }
a { color: #0057a0; } label { font-weight: bold; display: block; margin: 14px 0 4px; }
input[type=search] { width: 100%; box-sizing: border-box; font-size: 17px; padding: 8px 10px; border: 1px solid #666;
  border-radius: 4px; }
ul { padding-left: 0; list-style: none; margin: 6px 0; } li { padding: 3px 0; }
ul.cols { columns: 3 14em; column-gap: 24px; } .lvl { color: #444; font-size: 14px; }
#statut { color: #333; min-height: 1.4em; margin: 6px 0; } footer { margin-top: 28px; font-size: 13px; color: #333; }
"""


def index_html(entries: list[dict], app_url: str, agence: str, date: str) -> str:
    e = html.escape
    groups = []
    for niveau, title in LEVELS.items():
        rows = [t for t in entries if t["niveau"] == niveau]
        if rows:
            items = "".join(f'<li><a href="{e(fiche_path(t["niveau"], t["code"]))}">{e(t["nom"])}</a></li>'
                            for t in rows)
            cls = " class='cols'" if len(rows) > 8 else ""
            groups.append(f"<h2>{e(title)} ({len(rows)})</h2><ul{cls}>{items}</ul>")
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fiches territoires – Chiffres clés</title>
<meta name="description" content="Chiffres clés des {len(entries)} territoires suivis par {e(agence)} : une fiche par commune, intercommunalité et groupement.">
<style>{INDEX_CSS}</style></head><body>
<h1>Fiches territoires</h1>
<p>Les chiffres clés de chaque commune, intercommunalité et groupement suivis par {e(agence)}, comparés aux
territoires de référence. Pour explorer les données : <a href="{e(app_url)}">l'application interactive</a>.</p>
<form role="search" onsubmit="return false"><label for="q">Rechercher un territoire (nom ou code)</label>
<input id="q" type="search" autocomplete="off" placeholder="Ex. : Béthune, 62119, Lens…" disabled></form>
<p id="statut" aria-live="polite"></p><ul id="resultats"></ul>
<div id="tout">{''.join(groups)}</div>
<footer>Réalisation : {e(agence)} – fiches produites le {e(date)}.</footer>
<script src="recherche.js" defer></script>
</body></html>"""


# --- the build ------------------------------------------------------------------------------

def _territories(codes: list[str] | None) -> list[dict]:
    from datasets import access
    from datasets.niveaux import libelle as niveau_label

    rows = []
    if codes:
        for code in codes:
            t = access.territoire(code)
            if t is None or t["niveau"] not in LEVELS:
                raise ValueError(f"Territoire inconnu : {code}")
            rows.append(t)
    else:
        df = access.territoires()
        rows = [r for r in df.to_dict("records") if r["niveau"] in LEVELS]
        order = list(LEVELS)
        rows.sort(key=lambda r: order.index(r["niveau"]))
    return [{"niveau": r["niveau"], "code": str(r["code"]), "nom": str(r["nom"]),
             "label": niveau_label(r["niveau"])} for r in rows]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build(out: Path, app_url: str = DEFAULT_APP_URL, processes: int | None = None,
          codes: list[str] | None = None, log=print) -> dict:
    """Write the site into `out` (replaced at the end if it is a previous site). Returns what was written."""
    import datetime as dt

    from components.exports.territory_charts import agence_nom

    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise ValueError(f"{out} existe et n'est pas un site de fiches : choisissez un dossier vide ou nouveau.")
    t0 = time.perf_counter()
    terrs = _territories(codes)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        n = max(1, min(processes or len(os.sched_getaffinity(0)), len(terrs)))
        chunks = [terrs[i:i + CHUNK] for i in range(0, len(terrs), CHUNK)]
        jobs = [(c, str(tmp), app_url) for c in chunks]
        written: list[dict] = []
        if n == 1:
            for job in jobs:
                written += _build_chunk(job)
        else:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["components.exports.fiche", "plotly.io", "playwright.async_api"])
            cores = len(os.sched_getaffinity(0))
            with ctx.Pool(n, initializer=_worker_init, initargs=(max(1, cores // n),)) as pool:
                for part in pool.imap_unordered(_build_chunk, jobs):
                    written += part
                    if len(written) % 60 < CHUNK:
                        log(f"  {len(written)}/{len(terrs)} fiches…")
        order = {(t["niveau"], t["code"]): i for i, t in enumerate(terrs)}
        written.sort(key=lambda t: order[(t["niveau"], t["code"])])
        agence = agence_nom()
        date = dt.date.today().strftime("%d/%m/%Y")
        entries = [{"n": t["nom"], "c": t["code"], "l": t["label"], "u": fiche_path(t["niveau"], t["code"])}
                   for t in written]
        (tmp / "index.json").write_text(json.dumps(entries, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        (tmp / "recherche.js").write_text(SEARCH_JS, encoding="utf-8")
        (tmp / "index.html").write_text(index_html(written, app_url, agence, date), encoding="utf-8")
        (tmp / MARKER).write_text("site statique des fiches territoires (python -m components.exports site)\n",
                                  encoding="utf-8")
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; nginx's workers must read it
        if out.exists():
            old = out.with_name(f".{out.name}-ancien-{os.getpid()}")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    counts = {niveau: sum(t["niveau"] == niveau for t in written) for niveau in LEVELS}
    return {"dossier": str(out), "fiches": len(written), "par_niveau": counts, "octets": _size(out),
            "octets_fiches": sum(t["bytes"] for t in written), "secondes": round(time.perf_counter() - t0, 1),
            "processus": n}


def _mo(n: int) -> str:
    return f"{n / 1e6:.1f}".replace(".", ",") + " Mo"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m components.exports site",
                                description="Écrit les fiches territoires en pages HTML statiques, avec un index "
                                            "et une recherche.")
    p.add_argument("--out", required=True, type=Path, metavar="DOSSIER",
                   help="dossier du site (créé ; un site précédent y est remplacé)")
    p.add_argument("--app-url", default=DEFAULT_APP_URL, metavar="URL",
                   help="adresse de l'application interactive vers laquelle pointent les liens (défaut « / »)")
    p.add_argument("--processus", type=int, default=None, metavar="N",
                   help="processus de fabrication (défaut : un par cœur)")
    p.add_argument("--territoire", action="append", metavar="CODE",
                   help="ne fabriquer que ce territoire (répétable ; par défaut tous)")
    a = p.parse_args(argv)
    if a.processus is not None and not 1 <= a.processus <= 16:
        p.error("--processus doit être entre 1 et 16")
    try:
        r = build(a.out, a.app_url, a.processus, a.territoire, log=lambda m: print(m, file=sys.stderr))
    except (ValueError, OSError) as e:
        print(f"Erreur : {e}", file=sys.stderr)
        return 2
    levels = ", ".join(f"{n} {COUNTED[k][n > 1]}" for k, n in r["par_niveau"].items() if n)
    print(f"{r['fiches']} fiches écrites dans {r['dossier']} ({levels}) + index.html, index.json, recherche.js ; "
          f"{_mo(r['octets'])} au total (fiches {_mo(r['octets_fiches'])}) ; {r['secondes']:.0f} s avec "
          f"{r['processus']} processus.".replace(".0 s", " s"))
    return 0
