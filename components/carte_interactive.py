"""The pydeck map on a page: it never traps the page's scroll, opens on the whole perimeter
with a way back to it, outlines and names the selected commune and names the largest ones.

On a phone the map is a picture until the visitor taps « Explorer la carte » (a swipe over
it scrolls the page); on a wide screen it takes the mouse at once, but the wheel still
scrolls the page (zoom: + and − buttons, double click)."""
from __future__ import annotations

import math
import re

import pandas as pd
import streamlit as st

from components import maps
from datasets import access, cache

NOMS_MAX = 8  # names of the largest communes on the map
NOMS_CANDIDATS = 24  # the largest communes considered, so that names that collide can be left out
PHONE_MAX_PX = 767


_NOMS = cache.Store("noms_carte", 256)  # per build, perimeter and selection: shared by every session


def noms(niveau: str, code: str | None, selection_code: str | None, n: int = NOMS_CANDIDATS) -> pd.DataFrame:
    """nom, lon, lat, selection: the `n` most populous communes of the perimeter and the
    selected commune (always named), largest first; `afficher` keeps those that do not collide."""
    return _NOMS.get(access.build_id(), (niveau, code, selection_code, n),
                     lambda: _noms(niveau, code, selection_code, n))


def _noms(niveau: str, code: str | None, selection_code: str | None, n: int) -> pd.DataFrame:
    communes = access.communes(niveau, code) if code else access.communes()
    try:
        pop = access.classement("population")[["code", "valeur"]]
        communes = communes.merge(pop, on="code", how="left")
    except Exception:  # no population loaded: no names but the selection's
        communes = communes.assign(valeur=float("nan"))
    top = communes.sort_values("valeur", ascending=False, na_position="last").head(n)
    sel = communes[communes["code"] == selection_code]
    out = pd.concat([top[~top["code"].isin(sel["code"])], sel])
    return pd.DataFrame({"nom": out["nom"], "lon": out["label_lon"], "lat": out["label_lat"],
                         "selection": out["code"] == selection_code}).reset_index(drop=True)


_ZOOM = re.compile(r'"initialViewState":\{[^{}]*"zoom":(-?[0-9.eE+-]+)')


def zoom_initial(carte: maps.Carte) -> float | None:
    """The zoom of the map's first view, read from its serialised spec (keys are sorted:
    the view state comes before the layers, near the start of the text)."""
    m = _ZOOM.search(carte.spec, 0, 4000) or _ZOOM.search(carte.spec)
    return float(m.group(1)) if m else None


def _boite(nom: str, lon: float, lat: float, taille: float, zoom: float) -> tuple[float, float, float, float]:
    """The label's box in Web Mercator pixels at `zoom` (centred on its point, as the TextLayer
    draws it; a character of the semi-bold font is about 0.6 of its size, plus the padding)."""
    echelle = 512 / (2 * math.pi) * 2 ** zoom
    x = echelle * (math.radians(lon) + math.pi)
    y = echelle * (math.pi - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))
    w, h = 0.6 * taille * len(nom) + 8, 1.25 * taille + 4
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


def sans_chevauchement(etiquettes: pd.DataFrame, zoom: float | None, n: int = NOMS_MAX) -> pd.DataFrame:
    """At most `n` names that do not overlap on the first view: the selected commune first,
    then the others in their order (largest first); a name that would cover one already
    kept is left out (on a phone « Béthune » and « Beuvry » were drawn over each other)."""
    if etiquettes is None or etiquettes.empty or zoom is None:
        return etiquettes
    etiquettes = etiquettes.dropna(subset=["lon", "lat"])
    ordre = etiquettes.sort_values("selection", ascending=False, kind="stable") if "selection" in etiquettes else etiquettes
    gardees, boites = [], []
    for idx, row in ordre.iterrows():
        b = _boite(str(row["nom"]), float(row["lon"]), float(row["lat"]), 15 if row.get("selection") else 12, zoom)
        if any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in boites):
            continue
        gardees.append(idx)
        boites.append(b)
        if len(gardees) >= n:
            break
    return etiquettes.loc[gardees]


def afficher(carte: maps.Carte, key: str, alt: str, selection_code: str | None = None,
             etiquettes: pd.DataFrame | None = None, on_select="ignore", hauteur: int = 400):
    """Draw the map with its controls; returns the pydeck selection event."""
    geo = access.geojson()
    if etiquettes is not None:
        etiquettes = sans_chevauchement(etiquettes, zoom_initial(carte))
    overlay = [layer for layer in (maps.outline_layer(geo, selection_code),
                                   maps.label_layer(etiquettes) if etiquettes is not None else None) if layer]
    explorer_key, recadrer_key = f"{key}_explorer", f"{key}_recadrages"
    col_explorer, col_recadrer = st.columns([3, 2], vertical_alignment="center")
    with col_explorer, st.container(key=f"{key}_explorer_box"):  # phone only
        explorer = st.toggle("Explorer la carte", key=explorer_key)
        if not explorer:
            st.caption("Touchez « Explorer la carte » pour la déplacer et l'agrandir ; "
                       "en attendant, un glissé fait défiler la page.")
    with col_recadrer:
        if st.button("Recentrer la carte", key=f"{key}_recentrer", icon=":material/zoom_out_map:"):
            st.session_state[recadrer_key] = st.session_state.get(recadrer_key, 0) + 1
    box = f"{key}_box"
    css = f".st-key-{box} [data-testid='stDeckGlJsonChart'] {{ pointer-events: none; }}" if not explorer else ""
    st.html(
        "<style>"
        f"@media (min-width: {PHONE_MAX_PX + 1}px) {{ .st-key-{key}_explorer_box {{ display: none; }} }}"
        f"@media (max-width: {PHONE_MAX_PX}px) {{ {css} }}"
        "</style>"
    )
    with st.container(key=box):
        event = st.pydeck_chart(
            carte.deck(overlay),
            on_select=on_select,
            selection_mode="single-object",
            key=f"{key}_{st.session_state.get(recadrer_key, 0)}",  # a new key redraws the first view
            alt=alt,
            height=hauteur,
        )
    return event
