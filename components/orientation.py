"""What a visitor who just arrived needs: the agency and its territory in figures (from the
warehouse), what the site offers, how to pick a territory, the acronyms spelled out (the
`[glossaire]` table of `datasets/territory.toml`), why a département from outside the main
one appears among the comparison levels."""
from __future__ import annotations

import functools
import os
import re
import tomllib
from pathlib import Path

import pandas as pd
import streamlit as st

from components import format as fmt
from datasets import access

TERRITORY_FILE = Path(__file__).resolve().parents[1] / "datasets" / "territory.toml"


def _territory_file() -> Path:
    env = os.environ.get("CHIFFRES_CLEFS_TERRITORY")
    return Path(env) if env else TERRITORY_FILE


@functools.lru_cache(maxsize=4)
def _glossaire_for(path: str, mtime: float) -> dict[str, str]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    table = data.get("glossaire") or {}
    return {str(k): str(v) for k, v in table.items() if isinstance(v, str) and v.strip()}


def glossaire() -> dict[str, str]:
    """{"CALL": "Communauté d'agglomération de Lens-Liévin", ...} (empty when absent)."""
    path = _territory_file()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    return _glossaire_for(str(path), mtime)


def glossaire_table() -> pd.DataFrame:
    g = glossaire()
    return pd.DataFrame({"Sigle": list(g), "Signification": list(g.values())}).sort_values(
        "Sigle", key=lambda s: s.str.casefold()).reset_index(drop=True)


def developper(sigle: str) -> str:
    """"CALL (Communauté d'agglomération de Lens-Liévin)" — or the acronym alone when unknown."""
    sens = glossaire().get(sigle)
    return f"{sigle} ({sens.split(' : ')[0]})" if sens else sigle


def developper_texte(texte: str, deja: set[str] | None = None) -> str:
    """Spell out each known acronym at its first use in `texte` (and not again)."""
    deja = set() if deja is None else deja
    g = glossaire()
    if not g:
        return texte

    def repl(m: re.Match) -> str:
        s = m.group(0)
        if s in deja:
            return s
        deja.add(s)
        return developper(s)

    motif = r"\b(" + "|".join(re.escape(k) for k in sorted(g, key=len, reverse=True) if " " not in k) + r")\b"
    return re.sub(motif, repl, texte)


def departements_hors(communes: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The départements other than the main one, each with its communes of the territory."""
    if communes.empty or "departement" not in communes:
        return []
    comptes = communes["departement"].value_counts()
    principal = comptes.index[0]
    out = []
    for dep in comptes.index[1:]:
        out.append((str(dep), communes.loc[communes["departement"] == dep, "nom"].astype(str).tolist()))
    return out


def _nom_departement(code: str) -> str:
    row = access.territoire(code, "departement") or {}
    return str(row.get("nom") or code)


def note_departements() -> str:
    """Why a département from outside the main one appears (or "" when there is none)."""
    hors = departements_hors(access.communes())
    if not hors:
        return ""
    comptes = access.communes()["departement"].value_counts()
    principal = _nom_departement(str(comptes.index[0]))
    phrases = []
    for dep, noms in hors:
        liste = ", ".join(noms[:5]) + ("…" if len(noms) > 5 else "")
        un = "Une commune" if len(noms) == 1 else f"{len(noms)} communes"
        est = "est" if len(noms) == 1 else "sont"
        phrases.append(f"{un} du territoire ({liste}) {est} dans le département {_nom_departement(dep)}")
    return (" ; ".join(phrases) + f" : c'est pourquoi ce département apparaît parmi les niveaux de comparaison, "
            f"à côté du {principal}.")


def intro_accueil() -> str:
    """One short paragraph: agency, territory in figures, what the site offers, how to choose."""
    info = access.build_info() or {}
    terr = info.get("territory") or {}
    agence, sigle = str(terr.get("agence") or ""), str(terr.get("sigle") or "")
    communes = access.communes()
    epci = access.territoires("epci")
    groupements = access.territoires("groupement")
    code_terr = str(terr.get("code") or "")
    pop = access.valeurs(("population",), (("territoire", code_terr),)) if code_terr else pd.DataFrame()
    pop_txt = ""
    if len(pop) and pd.notna(pop["valeur"].iloc[0]):
        arrondi = round(float(pop["valeur"].iloc[0]), -3)
        pop_txt = f" et environ {fmt.nombre(arrondi, 0)} habitants ({int(pop['millesime'].iloc[0])})"
    sigles_grp = [developper(str(g)) for g in groupements["code"]]
    qui = f"L'**{agence}** ({sigle})" if agence else "L'agence d'urbanisme"
    texte = (
        f"{qui} observe un territoire de **{fmt.nombre(len(communes), 0)} communes**{pop_txt}, réunies en "
        f"**{len(epci)} intercommunalités** (EPCI, établissements publics de coopération intercommunale)"
        + (f", elles-mêmes regroupées en {' et en '.join(sigles_grp)}" if sigles_grp else "")
        + ". Ce site en donne les **chiffres clés** — démographie, logement, économie, revenus — comparés au "
        "département, à la région et à la France, une carte des communes et le programme de travail de l'agence. "
        "**Pour choisir une commune**, tapez son nom ou son code postal dans la recherche "
        "(menu latéral, ou en haut de la page sur un téléphone) ou touchez-la sur la carte."
    )
    return texte


def sigles_epci() -> str:
    """"Intercommunalités : CABBALR = CA de Béthune-Bruay, Artois-Lys Romane ; CALL = …"."""
    epci = access.territoires("epci")
    parts = [f"{c} = {n}" for c, n in zip(epci["nom_court"], epci["nom"]) if isinstance(c, str) and c != n]
    return ("Intercommunalités : " + " ; ".join(parts) + ". Tous les sigles sont expliqués dans "
            "« Sources et définitions ».") if parts else ""


def afficher_intro() -> None:
    st.markdown(intro_accueil())
    sigles = sigles_epci()
    if sigles:
        st.caption(sigles)
    note = note_departements()
    if note:
        st.caption(note)


def portee_demo(df: pd.DataFrame, libelle: str = "libelle"):
    """What the page's demonstration notice covers: False (nothing), the few demo figures, or
    « toutes les valeurs sauf … » when most are demo figures."""
    if df.empty or "demo" not in df:
        return False
    demo = df["demo"].fillna(False).astype(bool)
    if not demo.any():
        return False
    oui = list(dict.fromkeys(df.loc[demo, libelle].astype(str)))
    non = list(dict.fromkeys(df.loc[~demo, libelle].astype(str)))
    if len(oui) <= 4:
        return "pour " + ", ".join(oui)
    if not non:
        return "pour toutes les valeurs de cette page"
    if len(non) <= 3:
        return "pour toutes les valeurs sauf " + " et ".join(non)
    return True


def presentation_programme(territoires: pd.DataFrame) -> str:
    """One sentence saying whom the work programme serves, from the territory's own partners
    (short names of its EPCI and groupings): no territory written into the code."""
    partenaires = territoires[territoires["niveau"].isin(["epci", "groupement"])]
    noms = [str(n) for n in partenaires["nom_court"].fillna(partenaires["nom"])]
    liste = ", ".join(noms[:-1]) + f" et {noms[-1]}" if len(noms) > 1 else "".join(noms)
    return (f"Le programme de travail partenarial de l'Agence : les dossiers menés pour {liste}"
            f"{',' if liste else ''} et pour tout le territoire, comptés en jours de travail.")
