"""The `territoires` table: every territory of every level, with the links
(commune -> EPCI -> grouping) the aggregation and the app rely on."""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

from etl.reference.data import Reference
from etl.territory import Territory

COLUMNS = [
    "niveau", "code", "nom", "nom_court", "epci", "groupement", "departement", "region",
    "codes_postaux", "recherche", "superficie_km2", "label_lon", "label_lat", "ordre",
]


def search_key(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: 'Hénin-Beaumont' -> 'henin beaumont'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def reference_codes(territory: Territory, communes: pd.DataFrame) -> tuple[list[str], list[str]]:
    deps = list(territory.departements) if territory.departements else sorted(set(communes["departement"]))
    regs = list(territory.regions) if territory.regions else sorted(set(communes["region"]))
    return deps, regs


def build_territoires(territory: Territory, ref: Reference) -> pd.DataFrame:
    groupement_of = {e: g.code for g in territory.groupements for e in g.epci}
    props = pd.DataFrame([f["properties"] for f in ref.geojson["features"]])
    com = ref.communes.merge(
        props[["code", "superficie_km2", "label_lon", "label_lat"]], on="code", how="left"
    )
    com = com.sort_values("nom", key=lambda s: s.map(search_key)).reset_index(drop=True)
    com["niveau"] = "commune"
    com["nom_court"] = com["nom"]
    com["groupement"] = com["epci"].map(groupement_of)
    com["recherche"] = com["nom"].map(search_key)
    com["ordre"] = range(len(com))

    def mode(col: str, members: pd.DataFrame) -> str | None:
        return members[col].mode().iloc[0] if len(members) else None

    rows = []
    for i, code in enumerate(territory.epci):
        members = com[com["epci"] == code]
        nom = ref.epci.loc[ref.epci["code"] == code, "nom"].iloc[0]
        rows.append(dict(niveau="epci", code=code, nom=nom,
                         nom_court=territory.epci_court.get(code) or nom,
                         groupement=groupement_of.get(code),
                         departement=mode("departement", members), region=mode("region", members),
                         superficie_km2=members["superficie_km2"].sum(), ordre=i))
    for i, g in enumerate(territory.groupements):
        members = com[com["epci"].isin(g.epci)]
        rows.append(dict(niveau="groupement", code=g.code, nom=g.nom, nom_court=g.code,
                         departement=mode("departement", members), region=mode("region", members),
                         superficie_km2=members["superficie_km2"].sum(), ordre=i))
    rows.append(dict(niveau="territoire", code=territory.code, nom=territory.nom,
                     nom_court=territory.code, departement=mode("departement", com),
                     region=mode("region", com), superficie_km2=com["superficie_km2"].sum(), ordre=0))
    deps, regs = reference_codes(territory, ref.communes)
    dep_table = ref.departements.set_index("code")
    for i, d in enumerate(deps):
        rows.append(dict(niveau="departement", code=d, nom=dep_table.loc[d, "nom"], nom_court=dep_table.loc[d, "nom"],
                         region=dep_table.loc[d, "region"], ordre=i))
    reg_table = ref.regions.set_index("code")
    for i, r in enumerate(regs):
        rows.append(dict(niveau="region", code=r, nom=reg_table.loc[r, "nom"], nom_court=reg_table.loc[r, "nom"], ordre=i))
    if territory.pays:
        rows.append(dict(niveau="pays", code="FR", nom="France", nom_court="France", ordre=0))
    out = pd.concat([com, pd.DataFrame(rows)], ignore_index=True)
    for col in COLUMNS:
        if col not in out.columns:
            out[col] = None
    out = out[COLUMNS]
    for col in ("superficie_km2", "label_lon", "label_lat"):
        out[col] = pd.to_numeric(out[col]).astype("float64")
    out["ordre"] = out["ordre"].astype("int32")
    return out
