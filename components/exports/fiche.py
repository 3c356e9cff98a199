"""Fiche territoire: a printable A4 summary (two pages) for an elected official.

Route: an HTML page with the charts as inline SVG (vector, from the same kaleido
renderer as the image exports), printed to PDF by the same Chromium binary in headless
mode (`--print-to-pdf`). One browser stack for images and PDF, CSS print layout (@page A4,
page breaks), text that stays selectable and searchable. A subprocess rather than
Playwright: Streamlit runs each session in its own thread, and Playwright's sync API is
bound to the thread (and asyncio loop) that started it; a short-lived subprocess has no
such ties and costs about a second."""
from __future__ import annotations

import datetime as dt
import html
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from components import format as fmt
from components.layout import niveau_label
from components.exports import image
from components.exports.tables import slug
from components.exports.territory_charts import (TerritoryChart, agence_nom, references, source_text,
                                                 territory_charts)
from datasets import access

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-pdf-header-footer"]
PAGE1_CHARTS = ("carte-localisation", "population")  # beside the key figures; the rest on page 2


def _niveau(niveau: str) -> str:
    """The level's name as the pages show it ("Intercommunalité (EPCI)")."""
    label = niveau_label(niveau)
    return label[:1].upper() + label[1:]


@dataclass
class Fiche:
    niveau: str
    code: str
    nom: str
    agence: str
    chiffres: pd.DataFrame  # access.chiffres_cles
    references: list[dict]
    comparaison: pd.DataFrame  # access.valeurs of the key indicators at the reference levels
    charts: list[TerritoryChart] = field(default_factory=list)
    produite_le: dt.date = field(default_factory=dt.date.today)


def collect(code: str) -> Fiche:
    """Everything the fiche prints, from the warehouse."""
    terr = access.territoire(code)
    if terr is None:
        raise ValueError(f"Territoire inconnu : {code}")
    chiffres = access.chiffres_cles(terr["niveau"], terr["code"])
    refs = references(terr["niveau"], terr["code"])
    comparaison = access.valeurs(tuple(chiffres["indicateur"]), tuple((r["niveau"], r["code"]) for r in refs))
    return Fiche(terr["niveau"], terr["code"], terr["nom"], agence_nom(), chiffres, refs, comparaison,
                 territory_charts(code))


def _e(text) -> str:
    return html.escape(str(text))


def _ref_value(comp: dict, indicateur: str, code: str, unite: str, dec: int) -> str:
    valeur, statut = comp.get((indicateur, code), (None, None))
    return fmt.valeur(valeur, unite, dec, statut)


def _source_lines(texts) -> list[str]:
    """"Source : a ; b" texts -> the distinct sources, once each."""
    lines: dict[str, None] = {}
    for text in texts:
        for part in str(text).split(" : ", 1)[-1].split(" ; "):
            if part.strip():
                lines[part.strip()] = None
    return list(lines)


def _key_figures_table(f: Fiche) -> str:
    comp = {(r.indicateur, r.code): (r.valeur, r.statut) for r in f.comparaison.itertuples()}
    head = "".join(f"<th>{_e(r['nom'])}</th>" for r in f.references)
    rows = []
    for r in f.chiffres.itertuples():
        unite, dec = r.unite, int(r.decimales)
        value = fmt.valeur(r.valeur, unite, dec, r.statut)
        evo = fmt.evolution(r.valeur_precedente, r.valeur, unite) if r.statut is None or pd.isna(r.statut) else ""
        evo = f"{evo} depuis {int(r.millesime_precedent)}" if evo else "–"
        demo = " <span class='demo'>démo</span>" if bool(r.demo) else ""
        refs = "".join(f"<td class='num'>{_e(_ref_value(comp, r.indicateur, ref['code'], unite, dec))}</td>"
                       for ref in f.references)
        rows.append(f"<tr><td>{_e(r.libelle)}{demo}</td><td class='num strong'>{_e(value)}</td>"
                    f"<td class='num'>{int(r.millesime)}</td><td class='num'>{_e(evo)}</td>{refs}</tr>")
    return (f"<table class='kf'><thead><tr><th>Indicateur</th><th>{_e(f.nom)}</th><th>Millésime</th>"
            f"<th>Évolution</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _figure(chart: TerritoryChart, width: int, height: int) -> str:
    fig = image.legend_on_top(go.Figure(chart.fig)).update_layout(title={"text": ""}, margin={"t": 40, "b": 55})
    svg = image.render(fig, "svg", width, height).decode("utf-8")
    m = chart.meta
    demo = " <span class='demo'>Données de démonstration</span>" if m.demo else ""
    vintage = f" · millésime {m.millesime}" if m.millesime else ""
    return (f"<figure><figcaption class='title'>{_e(m.titre)}{demo}</figcaption>{svg}"
            f"<figcaption class='src'>{_e(m.source)}{vintage}</figcaption></figure>")


CSS = """
@page { size: A4; margin: 11mm 12mm; }
body { font-family: 'Source Sans Pro', Arial, sans-serif; color: #111; font-size: 9.5pt; margin: 0; }
header { border-bottom: 2px solid #111; margin-bottom: 3mm; display: flex; justify-content: space-between; align-items: end; }
h1 { font-size: 20pt; margin: 0; } .niveau { font-size: 10pt; color: #333; }
.agence { text-align: right; font-size: 8.5pt; color: #333; }
table.kf { border-collapse: collapse; width: 100%; margin-bottom: 3mm; }
table.kf th, table.kf td { border-bottom: 0.4pt solid #888; padding: 1.1mm 1.5mm; text-align: left; }
table.kf th { border-bottom: 1pt solid #111; font-size: 8.5pt; }
td.num { text-align: right; white-space: nowrap; } td.strong { font-weight: bold; }
table.kf td:first-child { width: 30%; }
.demo { border: 0.8pt solid #7a2e00; color: #7a2e00; font-size: 7pt; padding: 0 1mm; font-weight: bold; white-space: nowrap; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm 5mm; }
figure { margin: 0; break-inside: avoid; } figure svg { width: 100%; height: auto; display: block; }
figcaption.title { font-weight: bold; font-size: 10pt; } figcaption.src { font-size: 7.5pt; color: #333; }
.page2 { break-before: page; } .wide { grid-column: 1 / span 2; }
footer { margin-top: 3mm; font-size: 7.5pt; color: #333; border-top: 0.6pt solid #888; padding-top: 1.5mm; }
"""


def render_html(f: Fiche) -> str:
    page1 = [c for c in f.charts if c.meta.indicateur in PAGE1_CHARTS]
    page2 = [c for c in f.charts if c.meta.indicateur not in PAGE1_CHARTS]
    sources = _source_lines([*[c.meta.source for c in f.charts],
                             source_text(dict.fromkeys(f.chiffres["source_id"].dropna()))])
    demo = bool(f.chiffres["demo"].fillna(False).any()) or any(c.meta.demo for c in f.charts)
    demo_note = ("<p><span class='demo'>Données de démonstration</span> Les valeurs marquées « démo » sont des "
                 "données de démonstration, pas des données officielles.</p>") if demo else ""
    date = f.produite_le.strftime("%d/%m/%Y")
    fig1 = "".join(_figure(c, 560, 420) for c in page1)
    # Two charts side by side, then the last (long category labels) across the page.
    fig2 = "".join(_figure(c, 560, 420) if i < len(page2) - 1 else f"<div class='wide'>{_figure(c, 1100, 440)}</div>"
                   for i, c in enumerate(page2))
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Fiche territoire – {_e(f.nom)}</title><style>{CSS}</style></head><body>
<header><div><div class="niveau">Fiche territoire · {_e(_niveau(f.niveau))} ({_e(f.code)})</div>
<h1>{_e(f.nom)}</h1></div><div class="agence">Réalisation : {_e(f.agence)}<br>Produite le {date}</div></header>
<section><h2 style="font-size:12pt;margin:0 0 1.5mm">Chiffres clés</h2>{_key_figures_table(f)}</section>
{demo_note}<div class="grid">{fig1}</div>
<div class="page2"><div class="grid">{fig2}</div>
<footer><b>Sources :</b> {' ; '.join(_e(s) for s in sources)}.<br>
Chiffres clés : {_e(f.nom)} comparé à {_e(', '.join(r['nom'] for r in f.references))}.
Réalisation : {_e(f.agence)} – fiche produite le {date}.</footer></div>
</body></html>"""


def print_pdf(page: str, timeout: float = 60) -> bytes:
    """HTML -> PDF with headless Chromium (A4 and margins come from the page's @page rule)."""
    browser = image.chromium_path()
    if browser is None:
        raise image.ImagesIndisponibles()
    with tempfile.TemporaryDirectory(prefix="fiche-") as tmp:
        src, out = Path(tmp) / "fiche.html", Path(tmp) / "fiche.pdf"
        src.write_text(page, encoding="utf-8")
        cmd = [str(browser), *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}",
               src.as_uri()]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
        return out.read_bytes()


def file_name(nom: str) -> str:
    return f"chiffres-clefs_{slug(nom)}_fiche-territoire.pdf"


def fiche_pdf(code: str) -> bytes:
    return print_pdf(render_html(collect(code)))
