"""Fiche territoire: a printable A4 summary (two pages) for an elected official.

Route: an HTML page with the charts as inline SVG (vector, drawn by plotly.js in the
process's warm browser, `components/exports/renderer.py`, the renderer of the image
exports), printed to PDF by the same browser. One browser stack for images and PDF, CSS
print layout (@page A4, page breaks), text that stays selectable and searchable. The
fiche's charts are all sent to the renderer before the first is waited for, so its pages
draw them side by side."""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from components import charts, format as fmt
from datasets.niveaux import libelle as niveau_label
from components.exports import image
from components.exports.tables import slug
from components.exports.territory_charts import (TerritoryChart, agence_nom, references, source_text,
                                                 territory_charts)
from datasets import access

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
    noms_courts: dict = field(default_factory=dict)  # code -> "CABBALR", for the narrow table headers

    def entete(self, code: str, nom: str) -> str:
        """A column header: the short name of a long name (the full one is in the title/footer)."""
        court = self.noms_courts.get(code)
        return court if court and len(nom) > 22 else nom


def collect(code: str) -> Fiche:
    """Everything the fiche prints, from the warehouse."""
    terr = access.territoire(code)
    if terr is None:
        raise ValueError(f"Territoire inconnu : {code}")
    chiffres = access.chiffres_cles(terr["niveau"], terr["code"])
    refs = references(terr["niveau"], terr["code"])
    comparaison = access.valeurs(tuple(chiffres["indicateur"]), tuple((r["niveau"], r["code"]) for r in refs))
    courts = {c: (access.territoire(c) or {}).get("nom_court") for c in [terr["code"], *(r["code"] for r in refs)]}
    return Fiche(terr["niveau"], terr["code"], terr["nom"], agence_nom(), chiffres, refs, comparaison,
                 territory_charts(code), noms_courts={c: n for c, n in courts.items() if isinstance(n, str) and n})


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


UNITES_DANS_LES_VALEURS = ("%",)  # other units are written once, after the label, not after every value


def _unite_dans_libelle(libelle: str, unite: str) -> bool:
    """"habitants", "€ par an", "emplois pour 100 actifs occupés" go after the label (the
    table's narrow columns then hold plain numbers); not when the label already says it
    ("Logements" in logements)."""
    if not unite or unite in UNITES_DANS_LES_VALEURS:
        return False
    return unite.lower() not in libelle.lower()


def _key_figures_table(f: Fiche) -> str:
    """Fixed column widths (the page width is shared out, nothing runs off it); a long unit
    is written once after the label rather than after each value."""
    comp = {(r.indicateur, r.code): (r.valeur, r.statut) for r in f.comparaison.itertuples()}
    head = "".join(f"<th class='num'>{_e(f.entete(r['code'], r['nom']))}</th>" for r in f.references)
    rows = []
    for r in f.chiffres.itertuples():
        unite, dec = str(r.unite or ""), int(r.decimales)
        longue = _unite_dans_libelle(str(r.libelle), unite)
        unite_valeur = unite if unite in UNITES_DANS_LES_VALEURS else ""
        value = fmt.valeur(r.valeur, unite_valeur, dec, r.statut)
        evo = fmt.evolution(r.valeur_precedente, r.valeur, unite) if r.statut is None or pd.isna(r.statut) else ""
        evo = f"{evo} depuis {int(r.millesime_precedent)}" if evo else "–"
        demo = " <span class='demo'>démo</span>" if bool(r.demo) else ""
        libelle = _e(r.libelle) + (f" <span class='unite'>({_e(unite)})</span>" if longue else "")
        refs = "".join(f"<td class='num'>{_e(_ref_value(comp, r.indicateur, ref['code'], unite_valeur, dec))}</td>"
                       for ref in f.references)
        rows.append(f"<tr><td>{libelle}{demo}</td><td class='num strong'>{_e(value)}</td>"
                    f"<td class='num'>{int(r.millesime)}</td><td class='num'>{_e(evo)}</td>{refs}</tr>")
    n_refs = len(f.references)
    ref_width = (100 - 27 - 13 - 10 - 16) / max(n_refs, 1)
    cols = ("<colgroup><col style='width:27%'><col style='width:13%'><col style='width:10%'><col style='width:16%'>"
            + "".join(f"<col style='width:{ref_width:.1f}%'>" for _ in f.references) + "</colgroup>")
    return (f"<table class='kf'>{cols}<thead><tr><th>Indicateur</th><th class='num'>{_e(f.entete(f.code, f.nom))}</th>"
            f"<th class='num'>Millésime</th><th class='num'>Évolution</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _legend_rows(spec: dict, width: int) -> int:
    """Rows a horizontal legend takes at `width` px (about 8 px a character at 14 px)."""
    if not image._has_legend(spec):
        return 0
    names = [str(t.get("name") or "") for t in spec["data"] if t.get("showlegend") is not False and t.get("name")]
    rows, line = 1, 0
    for n in names:
        w = len(n) * 8 + 45
        if line and line + w > width - 20:
            rows, line = rows + 1, 0
        line += w
    return rows


@dataclass
class _Drawing:
    """One chart of the fiche on its way: the figure sent to the renderer, what goes around it."""
    chart: TerritoryChart
    future: object  # concurrent.futures.Future of {"svg": bytes}
    note: str | None
    unite_y: str


def _draw(chart: TerritoryChart, width: int, height: int) -> _Drawing:
    """Start rendering one chart as SVG for the fiche: the unit of the y axis goes in the title
    rather than over the tick labels, the legend gets the rows it needs above the plot, and the
    note of missing rows is printed under the chart."""
    spec = image._spec(chart.fig)  # a copy (built valid: tests/test_charts.py)
    layout = spec["layout"]
    note = charts.retirer_note(spec)  # printed as HTML under the chart
    yaxis = layout.setdefault("yaxis", {})
    titre_y = yaxis.get("title")
    unite_y = (titre_y.get("text") if isinstance(titre_y, dict) else titre_y) or ""
    image.legend_on_top(spec)
    top = 14 + 26 * _legend_rows(spec, width)
    own_right = (layout.get("margin") or {}).get("r") or 0
    image._merge(layout, {"title": {"text": ""},
                          "margin": {"t": max(top, 16), "b": 45, "l": 10, "r": max(20, own_right)}})
    for axis in image.axes(layout, "x"):
        axis["automargin"] = True
    for axis in image.axes(layout, "y"):
        axis["automargin"] = True
        axis["title"] = {**(axis["title"] if isinstance(axis.get("title"), dict) else {}), "text": ""}
    return _Drawing(chart, image.submit_svg(spec, width, height), note, unite_y)


def _figure_html(d: _Drawing, svg: str) -> str:
    """The chart's SVG inline, its title and source as HTML around it."""
    m = d.chart.meta
    demo = " <span class='demo'>Données de démonstration</span>" if m.demo else ""
    unite = f" <span class='unite'>({_e(d.unite_y.replace('<br>', ' '))})</span>" if d.unite_y else ""
    vintage = f" · millésime {m.millesime}" if m.millesime else ""
    absent = f"<figcaption class='note'>{_e(d.note)}</figcaption>" if d.note else ""
    return (f"<figure><figcaption class='title'>{_e(m.titre)}{unite}{demo}</figcaption>{svg}{absent}"
            f"<figcaption class='src'>{_e(m.source)}{vintage}</figcaption></figure>")


CSS = """
@page { size: A4; margin: 11mm 12mm; }
body { font-family: 'Source Sans Pro', Arial, sans-serif; color: #111; font-size: 9.5pt; margin: 0; }
header { border-bottom: 2px solid #111; margin-bottom: 3mm; display: flex; justify-content: space-between; align-items: end; }
h1 { font-size: 20pt; margin: 0; } .niveau { font-size: 10pt; color: #333; }
.agence { text-align: right; font-size: 8.5pt; color: #333; }
table.kf { border-collapse: collapse; width: 100%; margin-bottom: 3mm; table-layout: fixed; font-size: 8.5pt; }
table.kf th, table.kf td { border-bottom: 0.4pt solid #888; padding: 0.7mm 1.2mm; text-align: left;
  overflow-wrap: break-word; hyphens: auto; vertical-align: top; }
table.kf th { border-bottom: 1pt solid #111; font-size: 8pt; vertical-align: bottom; }
table.kf tr { break-inside: avoid; } table.kf thead { display: table-header-group; }
.num { text-align: right; } td.strong { font-weight: bold; }
table.kf td.num { overflow-wrap: normal; hyphens: manual; }  /* a number is never cut between its digits */
.unite { font-weight: normal; color: #333; font-size: 0.92em; }
.demo { border: 0.8pt solid #7a2e00; color: #7a2e00; font-size: 7pt; padding: 0 1mm; font-weight: bold; white-space: nowrap; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm 5mm; }
figure { margin: 0 0 2.5mm; break-inside: avoid; } figure svg { width: 100%; height: auto; display: block; }
figcaption.title { font-weight: bold; font-size: 10pt; } figcaption.src { font-size: 7.5pt; color: #333; }
figcaption.note { font-size: 8pt; font-style: italic; margin: 0.5mm 0; }
.wide { grid-column: 1 / span 2; } .grid + .grid { margin-top: 3mm; }
footer { margin-top: 3mm; font-size: 7.5pt; color: #333; border-top: 0.6pt solid #888; padding-top: 1.5mm; }
"""


Progress = Callable[[float, str], None]


def _silent(fraction: float, text: str) -> None:
    pass


@dataclass
class Pending:
    """A fiche whose charts are being drawn (`start`), assembled by `finish`."""
    fiche: Fiche
    drawings: list[_Drawing]


def start(f: Fiche) -> Pending:
    """Send every chart of the fiche to the renderer (its pages draw them side by side) and
    return at once: a caller can prepare the next fiche meanwhile."""
    page1 = [c for c in f.charts if c.meta.indicateur in PAGE1_CHARTS]
    page2 = [c for c in f.charts if c.meta.indicateur not in PAGE1_CHARTS]
    # Two charts side by side, then the last (long category labels) across the page; sizes
    # in px of a page about 700 px wide, so that chart texts print at about 8 pt.
    drawings = [_draw(c, 480, 380) for c in page1]
    drawings += [_draw(c, 480, 420) if i < len(page2) - 1 else _draw(c, 960, 470) for i, c in enumerate(page2)]
    return Pending(f, drawings)


def render_html(f: Fiche, progress: Progress | None = None) -> str:
    """The fiche as one HTML page; `progress(fraction, text)` after each chart."""
    return finish(start(f), progress)


def finish(pending: Pending, progress: Progress | None = None) -> str:
    """The HTML page of a started fiche, once its charts are drawn."""
    progress = progress or _silent
    f, drawings = pending.fiche, pending.drawings
    page1 = [c for c in f.charts if c.meta.indicateur in PAGE1_CHARTS]
    page2 = [c for c in f.charts if c.meta.indicateur not in PAGE1_CHARTS]
    html_of: dict[int, str] = {}
    for i, d in enumerate(drawings, start=1):
        html_of[id(d.chart)] = _figure_html(d, d.future.result(image.TIMEOUT_S)["svg"].decode("utf-8"))
        progress(i / max(len(drawings), 1), f"Graphique de la fiche : {d.chart.meta.titre}")

    def fig(c: TerritoryChart) -> str:
        return html_of[id(c)]

    sources = _source_lines([*[c.meta.source for c in f.charts],
                             source_text(dict.fromkeys(f.chiffres["source_id"].dropna()))])
    demo = bool(f.chiffres["demo"].fillna(False).any()) or any(c.meta.demo for c in f.charts)
    demo_note = ("<p><span class='demo'>Données de démonstration</span> Les valeurs marquées « démo » sont des "
                 "données de démonstration, pas des données officielles.</p>") if demo else ""
    date = f.produite_le.strftime("%d/%m/%Y")
    fig1 = "".join(fig(c) for c in page1)
    fig2 = "".join(fig(c) if i < len(page2) - 1 else f"<div class='wide'>{fig(c)}</div>"
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
    """HTML -> PDF with the process's warm Chromium (A4 and margins come from the page's @page rule)."""
    from components.exports import renderer

    if image.chromium_path() is None:
        raise image.ImagesIndisponibles()
    return renderer.print_pdf(page, timeout)


def file_name(nom: str) -> str:
    return f"chiffres-clefs_{slug(nom)}_fiche-territoire.pdf"


def fiche_pdf(code: str, progress: Progress | None = None) -> bytes:
    """The fiche of a territory; `progress(fraction, text)`: charts up to 80 %, then printing."""
    progress = progress or _silent
    progress(0.02, "Chiffres clés et graphiques…")
    f = collect(code)
    page = render_html(f, lambda x, text: progress(0.05 + 0.75 * x, text))
    progress(0.85, "Impression du PDF…")
    pdf = print_pdf(page)
    progress(1.0, "Fiche prête")
    return pdf
