"""Key-figure cards (« tuiles »; a « carte » is a map): value, evolution over the vintages,
reference levels, source."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from components import format as fmt
from components import layout
from components.context import Context
from components.orientation import portee_demo
from datasets import access, cache

UNITE_COURTE = 9  # longer units ("personnes par ménage") move to the label
ECART_MIN_RECENSEMENT = 5  # Insee: compare census vintages at least 5 years apart


@dataclass(frozen=True)
class Tuile:
    indicateur: str
    libelle: str
    valeur: str
    millesime: int | None
    evolution: str  # "+2,3 % depuis 2015", or why it cannot be given
    delta: str = ""  # "+2,3 %" (empty when no comparison can be made)
    depuis: str = ""  # "depuis 2015"
    unite_libelle: str = ""  # a long unit goes with the label so the value stays readable
    references: tuple[str, ...] = field(default_factory=tuple)  # "Pas-de-Calais : 12,3 %"
    source_id: str | None = None
    demo: bool = False


def _int(x) -> int | None:
    try:
        return None if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x) else int(x)
    except (TypeError, ValueError):
        return None


def _statut(x):
    return x if isinstance(x, str) and x else None


def tuile(row: dict, refs: pd.DataFrame | None = None) -> Tuile:
    """One card from a row of `access.chiffres_cles` and the `access.valeurs` rows of its references."""
    unite, dec = str(row.get("unite") or ""), _int(row.get("decimales")) or 0
    statut = _statut(row.get("statut"))
    millesime, precedent = _int(row.get("millesime")), _int(row.get("millesime_precedent"))
    unite_libelle = unite if len(unite) > UNITE_COURTE and not statut else ""
    texte = fmt.valeur(row.get("valeur"), "" if unite_libelle else unite, dec, statut)
    delta, depuis = "", ""
    if precedent is None or millesime is None:
        evolution = "Évolution : un seul millésime disponible"
    else:
        ev = "" if statut else fmt.evolution(row.get("valeur_precedente"), row.get("valeur"), unite, 1)
        if not ev:
            evolution = f"Évolution depuis {precedent} : non calculable"
        else:
            evolution = f"{ev} depuis {precedent}"
            delta, depuis = ev, f"depuis {precedent}"
            if millesime - precedent < ECART_MIN_RECENSEMENT:
                evolution += f" (moins de {ECART_MIN_RECENSEMENT} ans d'écart : à interpréter avec prudence)"
    lignes, hors = [], []
    if refs is not None and not refs.empty:
        for r in refs[refs["indicateur"] == row["indicateur"]].to_dict("records"):
            if _statut(r.get("statut")) == "hors_source":
                hors.append(str(r["nom"]))
                continue
            v = fmt.valeur(r.get("valeur"), unite, dec, _statut(r.get("statut")))
            m = _int(r.get("millesime"))
            suffixe = f" ({m})" if m is not None and m != millesime else ""
            lignes.append(f"{r['nom']} : {v}{suffixe}")
    if hors:
        lignes.append(f"Non disponible pour ce niveau : {', '.join(hors)}")
    return Tuile(
        indicateur=str(row["indicateur"]),
        libelle=str(row.get("libelle") or row["indicateur"]),
        valeur=texte, millesime=millesime, unite_libelle=unite_libelle,
        evolution=evolution, delta=delta, depuis=depuis,
        references=tuple(lignes),
        source_id=row.get("source_id") if isinstance(row.get("source_id"), str) else None,
        demo=bool(row.get("demo")),
    )


def tuiles(chiffres: pd.DataFrame, refs: pd.DataFrame | None = None) -> list[Tuile]:
    return [tuile(r, refs) for r in chiffres.to_dict("records")]


@dataclass(frozen=True)
class ChiffresCles:
    tuiles: tuple[Tuile, ...]
    demo: bool | str  # what the page's demonstration notice covers (orientation.portee_demo)


_TUILES = cache.Store("tuiles", 256)


def chiffres_cles(ctx: Context) -> ChiffresCles:
    """The key figures of the context's territory, each with its short references (built once
    per territory and warehouse build, shared: frozen)."""
    def build() -> ChiffresCles:
        chiffres = access.chiffres_cles(ctx.niveau, ctx.code)
        refs = access.valeurs(tuple(chiffres["indicateur"]), tuple((r.niveau, r.code) for r in ctx.references_courtes))
        return ChiffresCles(tuple(tuiles(chiffres, refs)), portee_demo(chiffres))

    return _TUILES.get(ctx.build_id, ctx.territoires_courts, build)


def afficher(liste: list[Tuile]) -> None:
    """The cards as one block of plain HTML (`html_tuiles`)."""
    if liste:
        st.html(html_tuiles(liste))


# Key-figure cards drawn as plain HTML (issue 13): six st.metric cards were about forty
# Streamlit elements (columns, bordered containers, metric, captions), each a websocket frame
# and a markdown render before the map could be drawn. Three cards a row on a wide screen,
# two on a tablet, one on a phone.
_STYLE_TUILES = (
    "<style>.cc-tuiles{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:1rem;margin:0 0 .5rem}"
    "@media (max-width:900px){.cc-tuiles{grid-template-columns:repeat(2,minmax(0,1fr))}}"
    "@media (max-width:640px){.cc-tuiles{grid-template-columns:minmax(0,1fr)}}"
    ".cc-tuile{border:1px solid rgba(49,51,63,.2);border-radius:.5rem;padding:1rem;min-width:0}"
    ".cc-tuile p{margin:0;overflow-wrap:anywhere}"
    ".cc-t-lib{font-size:.875rem;color:#31333f;margin-bottom:.25rem!important}"
    ".cc-t-val{font-size:2.25rem;line-height:1.25;color:#0e1117;font-weight:400;overflow-wrap:normal!important}"
    "@media (max-width:767px){.cc-t-val{font-size:1.75rem}}"
    ".cc-t-delta{display:inline-block;font-size:.875rem;color:#31333f;background:rgba(49,51,63,.08);"
    "border-radius:1rem;padding:.05rem .55rem;margin:.2rem 0 .1rem!important}"
    ".cc-t-note,.cc-t-ref,.cc-t-src{font-size:.875rem;color:#555867;margin-top:.35rem!important}</style>"
)
_FLECHE = {"+": "↑", "−": "↓"}


def html_tuile(c: Tuile) -> str:
    """One card: label (vintage), value, change since the previous vintage, long unit,
    cautions, the references and the source line (with the demonstration mention)."""
    lib = _esc(c.libelle) + (f' <span class="cc-t-mil">({c.millesime})</span>' if c.millesime else "")
    parts = [f'<p class="cc-t-lib">{lib}</p>', f'<p class="cc-t-val">{_esc(c.valeur)}</p>']
    if c.delta:
        fleche = _FLECHE.get(c.delta[:1], "")
        fleche = f'<span aria-hidden="true">{fleche}</span> ' if fleche else ""
        parts.append(f'<p class="cc-t-delta">{fleche}{_esc(c.delta)} {_esc(c.depuis)}</p>')
    if c.unite_libelle:
        parts.append(f'<p class="cc-t-note">{_esc(c.unite_libelle)}</p>')
    if not c.delta or "prudence" in c.evolution:
        parts.append(f'<p class="cc-t-note">{_esc(c.evolution)}</p>')
    if c.references:
        parts.append('<p class="cc-t-ref">' + "<br>".join(_esc(r) for r in c.references) + "</p>")
    src = layout.source_ligne([c.source_id] if c.source_id else [], c.demo)
    parts.append(f'<p class="cc-t-src">{_esc(src)}</p>')
    return f'<div class="cc-tuile" role="listitem">{"".join(parts)}</div>'


def html_tuiles(liste) -> str:
    return _STYLE_TUILES + '<div class="cc-tuiles" role="list">' + "".join(html_tuile(c) for c in liste) + "</div>"


def _esc(x) -> str:
    import html

    return html.escape("" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x))


PHONE_MAX_PX = 767
_STYLE_CARTES = (
    "<style>.cc-carte{border:1px solid #d0d3da;border-radius:.5rem;padding:.55rem .75rem;margin:0 0 .6rem}"
    ".cc-lib{font-size:.9rem;color:#31333f}.cc-mil{color:#555867}"
    ".cc-val{font-size:1.45rem;font-weight:600;color:#0e1117;margin:.1rem 0 .3rem;overflow-wrap:anywhere}"
    ".cc-ref{display:flex;justify-content:space-between;gap:.75rem;font-size:.85rem;color:#31333f;"
    "border-top:1px solid #eceef2;padding:.2rem 0}.cc-ref span:last-child{text-align:right;font-weight:600}"
    ".cc-nom{font-size:1rem;font-weight:600;color:#0e1117;margin:0 0 .2rem}</style>"
)


def html_lignes(table: pd.DataFrame) -> str:
    """Each row of a table (first column: the territory, the others: formatted values) as a
    card: the territory's name, then one line per column « label … value » (a phone shows
    every value, where a grid showed the first column and a few cut digits)."""
    if table.empty:
        return ""
    nom, *colonnes = list(table.columns)
    blocs = []
    for row in table.to_dict("records"):
        lignes = "".join(f"<div class='cc-ref'><span>{_esc(c)}</span><span>{_esc(row.get(c))}</span></div>"
                         for c in colonnes)
        blocs.append(f"<div class='cc-carte' role='group' aria-label='{_esc(row.get(nom))}'>"
                     f"<div class='cc-nom'>{_esc(row.get(nom))}</div>{lignes}</div>")
    return _STYLE_CARTES + "".join(blocs)


_STYLE_TABLE = (
    "<style>.cc-table{overflow-x:auto;max-width:100%;margin:0 0 .5rem}"
    ".cc-table table{border-collapse:collapse;font-size:.875rem;color:#31333f}"
    ".cc-table th,.cc-table td{border-bottom:1px solid #e6e8ec;padding:.3rem .5rem;text-align:right;"
    "white-space:nowrap;font-weight:400}"
    ".cc-table thead th{font-weight:600;border-bottom:2px solid #c4c7cf;vertical-align:bottom;white-space:normal;"
    "min-width:6rem}"
    ".cc-table th[scope=row],.cc-table thead th:first-child{text-align:left;white-space:normal;min-width:10rem}"
    ".cc-table:focus-visible{outline:2px solid #0068c9}</style>"
)


def html_table(table: pd.DataFrame) -> str:
    """A table of formatted values as an HTML table: the first column heads each row (the
    territory), the values are right-aligned; a wide table scrolls inside its own box, which
    the keyboard can reach. Plain HTML, readable by screen readers, and no data-grid script
    to load before the page's first screen (issue 13)."""
    if table.empty:
        return ""
    nom, *colonnes = list(table.columns)
    head = "".join(f"<th scope='col'>{_esc(c)}</th>" for c in [nom, *colonnes])
    rows = "".join(
        f"<tr><th scope='row'>{_esc(r.get(nom))}</th>" + "".join(f"<td>{_esc(r.get(c))}</td>" for c in colonnes)
        + "</tr>" for r in table.to_dict("records"))
    label = _esc(", ".join(map(str, colonnes[:3])) + ("…" if len(colonnes) > 3 else ""))
    return (f"{_STYLE_TABLE}<div class='cc-table' tabindex='0' role='region' aria-label='Tableau : {label}'>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


def afficher_table(table: pd.DataFrame, key: str | None = None) -> None:
    """A table of a theme page: an HTML table on a large screen, the same rows as stacked
    cards on a phone (both are sent, CSS displays one of them). Without `key`, one is derived
    from the table's columns and values (two identical tables on one page need their own keys)."""
    if key is None:
        import hashlib

        contenu = "\x1f".join(map(str, table.columns)) + "\x1e" + table.to_csv(index=False)
        key = hashlib.blake2b(contenu.encode(), digest_size=6).hexdigest()
    st.html(f"<style>@media (max-width: {PHONE_MAX_PX}px) {{ .st-key-tableau_grille_{key} {{ display: none; }} }}"
            f"@media (min-width: {PHONE_MAX_PX + 1}px) {{ .st-key-tableau_cartes_{key} {{ display: none; }} }}</style>")
    with st.container(key=f"tableau_cartes_{key}"):
        st.html(html_lignes(table))
    with st.container(key=f"tableau_grille_{key}"):
        st.html(html_table(table))


def html_empilees(table: pd.DataFrame, colonne: str, references: list[str]) -> str:
    """The rows of a values table (Indicateur, Unité, <commune>, <references…>, Millésime, Rang)
    as cards stacked one under the other, for a phone: the value first, then each reference
    level and the rank, each on its own line (no horizontal scrolling)."""
    blocs = []
    for row in table.to_dict("records"):
        mil = _esc(row.get("Millésime"))
        titre = _esc(row.get("Indicateur")) + (f" <span class='cc-mil'>({mil})</span>" if mil else "")
        lignes = "".join(
            f"<div class='cc-ref'><span>{_esc(r)}</span><span>{_esc(row.get(r))}</span></div>"
            for r in references if r in row)
        rang = _esc(row.get("Rang"))
        if rang:
            lignes += f"<div class='cc-ref'><span>Rang parmi les communes</span><span>{rang}</span></div>"
        blocs.append(f"<div class='cc-carte' role='group' aria-label='{_esc(row.get('Indicateur'))}'>"
                     f"<div class='cc-lib'>{titre}</div><div class='cc-val'>{_esc(row.get(colonne))}</div>"
                     f"{lignes}</div>")
    return _STYLE_CARTES + "".join(blocs)
