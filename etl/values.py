"""From what the readers read to the long `valeurs` table.

map variables -> indicators, harmonise commune codes to the current geography,
aggregate counts to every level, take published values where they cannot be
aggregated, then recompute every ratio from its summed numerator and denominator.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.readers.common import ReadResult

KEY = ["indicateur", "niveau", "code", "millesime"]
VALUE_COLUMNS = KEY + ["valeur", "statut", "demo", "source_id"]
# When several cells make one value, the most telling reason wins.
_STATUT_RANK = {None: 0, "manquant": 1, "incomplet": 2, "secret": 3, "non_calculable": 4, "hors_source": 5}
_RANK_STATUT = {v: k for k, v in _STATUT_RANK.items()}
COVERAGE = 0.95  # share of a département's communes a file must hold to aggregate it
# INSEE leaves a few cells empty at national scale (communes created after the
# census): up to this many empty (not secret) cells are left out of a
# département, région or France total instead of voiding it.
TOLERATED_EMPTY = 5


def departement_of(code: pd.Series) -> pd.Series:
    return code.where(~code.str.startswith("97"), code.str[:3]).where(code.str.startswith("97"), code.str[:2])


def _statut_rank(statut: pd.Series) -> np.ndarray:
    """Rank of each statut: None 0, a known statut its rank, anything else
    (NaN, unknown text) 1. Vectorised: a Python call per cell took seconds on a
    national file (bench/, BENCHMARKS.md)."""
    arr = statut.to_numpy(dtype=object)
    rank = np.ones(len(arr), dtype="int64")
    rank[np.equal(arr, None)] = 0
    for name, r in _STATUT_RANK.items():
        if name is not None:
            rank[np.equal(arr, name)] = r
    return rank


def _sum_strict(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum `valeur` by group; any missing member makes the group missing, with
    the highest-ranked statut of its members (or `incomplet` when asked)."""
    work = df.assign(_nan=df["valeur"].isna().astype("int64"), _rank=_statut_rank(df["statut"]))
    g = work.groupby(by, sort=False, dropna=False)
    out = g.agg(valeur=("valeur", "sum"), _nan=("_nan", "sum"), _rank=("_rank", "max"), _n=("valeur", "size")).reset_index()
    out.loc[out["_nan"] > 0, "valeur"] = np.nan
    out["statut"] = [None if n == 0 else _RANK_STATUT.get(r) or "manquant" for n, r in zip(out["_nan"], out["_rank"])]
    return out.drop(columns=["_nan", "_rank"])


def map_variables(result: ReadResult, variables: pd.DataFrame) -> pd.DataFrame:
    """Generic INSEE variables -> indicators (several variables of one family
    feeding one indicator are summed)."""
    mapping = variables.loc[variables["famille"] == result.info.famille, ["variable", "indicateur"]]
    data = result.data.merge(mapping, on="variable", how="inner")
    if data.empty:
        return pd.DataFrame(columns=["niveau", "code", "indicateur", "millesime", "valeur", "statut", "_n"])
    # an indicator fed by several variables needs all of them in the file
    needed = mapping.groupby("indicateur").size()
    out = _sum_strict(data, ["niveau", "code", "indicateur", "millesime"])
    return out[out["_n"] >= out["indicateur"].map(needed)]


def harmonise(values: pd.DataFrame, fusions: pd.DataFrame, agregation: dict[str, str]) -> pd.DataFrame:
    """Old commune codes -> current ones; absorbed communes are added to their
    current commune. A published value (median…) cannot be added: if several old
    communes make a current one, it becomes `non_calculable`."""
    mapping = dict(zip(fusions["ancien_code"], fusions["code"]))
    com = values[values["niveau"] == "commune"].copy()
    other = values[values["niveau"] != "commune"]
    current = com["code"].map(mapping)  # vectorised lookup; codes without a merger stay as they are
    com["code"] = current.where(current.notna(), com["code"])
    summed = _sum_strict(com.drop(columns=["_n"], errors="ignore"), ["niveau", "code", "indicateur", "millesime"])
    publie = summed["indicateur"].map(agregation).eq("publie") & (summed["_n"] > 1)
    summed.loc[publie, "valeur"] = np.nan
    summed.loc[publie, "statut"] = "non_calculable"
    return pd.concat([summed.drop(columns=["_n"]), other.drop(columns=["_n"], errors="ignore")], ignore_index=True)


def aggregate(values: pd.DataFrame, territoires: pd.DataFrame, departements: pd.DataFrame,
              agregation: dict[str, str]) -> pd.DataFrame:
    """Values of one source at every level of the warehouse."""
    com_all = values[values["niveau"] == "commune"]
    direct = values[values["niveau"] != "commune"]
    terr_com = territoires[territoires["niveau"] == "commune"]
    codes = terr_com["code"]
    indic_years = values[["indicateur", "millesime"]].drop_duplicates()
    out = []

    # communes of the territory: every one gets a row (missing when absent from the file)
    if not com_all.empty:
        grid = indic_years.merge(pd.DataFrame({"code": codes}), how="cross").assign(niveau="commune")
        com = grid.merge(com_all, on=["niveau", "code", "indicateur", "millesime"], how="left")
        com.loc[com["valeur"].isna() & com["statut"].isna(), "statut"] = "manquant"
        out.append(com)

        # territory levels from their member communes
        members = []
        for niveau, col in (("epci", "epci"), ("groupement", "groupement")):
            m = terr_com[["code", col]].dropna().rename(columns={col: "parent"})
            members.append(m.assign(niveau=niveau))
        terr_code = territoires.loc[territoires["niveau"] == "territoire", "code"].iloc[0]
        members.append(pd.DataFrame({"code": codes, "parent": terr_code, "niveau": "territoire"}))
        members = pd.concat(members, ignore_index=True)
        joined = com.drop(columns=["niveau"]).merge(members, on="code")
        agg = _sum_strict(joined, ["niveau", "parent", "indicateur", "millesime"]).rename(columns={"parent": "code"})
        agg.loc[agg["statut"].isin(["manquant", "secret"]), "statut"] = "incomplet"
        out.append(agg.drop(columns=["_n"]))

        # reference levels from all the file's communes, where the file covers them
        ref_levels = territoires[territoires["niveau"].isin(["departement", "region", "pays"])]
        if not ref_levels.empty:
            deps = departements.set_index("code")
            nat = com_all.assign(departement=departement_of(com_all["code"]))
            count = nat.groupby("departement")["code"].nunique()
            expected = pd.to_numeric(deps["nb_communes"])
            covered = {d for d in expected.index if count.get(d, 0) >= COVERAGE * expected[d]}
            region_of = deps["region"].to_dict()
            nat = nat[nat["departement"].isin(covered)]
            empty = nat["statut"].eq("manquant")
            few = nat[empty].groupby(["indicateur", "millesime"])["code"].transform("size") <= TOLERATED_EMPTY
            nat = nat.drop(index=few[few].index)
            parts = []
            for niveau, code in ref_levels[["niveau", "code"]].itertuples(index=False):
                if niveau == "departement":
                    ok, sel = code in covered, nat["departement"] == code
                elif niveau == "region":
                    reg_deps = {d for d, r in region_of.items() if r == code}
                    ok, sel = reg_deps <= covered, nat["departement"].map(region_of) == code
                else:
                    ok = count.sum() >= COVERAGE * expected.sum()
                    sel = pd.Series(True, index=nat.index)
                if ok:
                    s = _sum_strict(nat[sel], ["indicateur", "millesime"]).assign(niveau=niveau, code=code)
                    s.loc[s["statut"].isin(["manquant", "secret"]), "statut"] = "incomplet"
                else:
                    s = indic_years.assign(niveau=niveau, code=code, valeur=np.nan, statut="hors_source")
                parts.append(s.drop(columns=["_n"], errors="ignore"))
            out.append(pd.concat(parts, ignore_index=True))

    # published values (Filosofi EPCI/département files, reference totals) win over computed ones
    if not direct.empty:
        out.append(direct.assign(_direct=True))
    res = pd.concat(out, ignore_index=True)
    res["_direct"] = res.get("_direct", pd.Series(False, index=res.index)).fillna(False).astype(bool)
    # a median cannot come from adding communes
    publie = res["indicateur"].map(agregation).eq("publie") & (res["niveau"] != "commune") & ~res["_direct"]
    res.loc[publie & (res["statut"] != "hors_source"), ["valeur", "statut"]] = [np.nan, "non_calculable"]
    res = res.sort_values("_direct", ascending=False).drop_duplicates(["niveau", "code", "indicateur", "millesime"])
    keep = res["code"].isin(set(territoires["code"])) | (res["niveau"] == "commune")
    res = res[keep & res.set_index(["niveau", "code"]).index.isin(territoires.set_index(["niveau", "code"]).index)]
    return res.drop(columns=["_direct", "_n"], errors="ignore")


def choose_sources(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One value per key: a present value beats a missing one, real beats
    demonstration, a more recent geography beats an older one."""
    allv = pd.concat(frames, ignore_index=True)
    allv = allv.assign(_missing=allv["valeur"].isna(), _geo=-allv["geographie"].fillna(0))
    allv = allv.sort_values(["_missing", "demo", "_geo"], kind="stable")
    return allv.drop_duplicates(KEY).drop(columns=["_missing", "_geo"])


def ratios(values: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Every ratio recomputed at every level from its numerator and denominator.
    A denominator with a single vintage (the area) serves every vintage."""
    out = [values]
    for row in catalogue[catalogue["agregation"] == "ratio"].itertuples(index=False):
        num = values[values["indicateur"] == row.numerateur]
        den = values[values["indicateur"] == row.denominateur]
        if num.empty or den.empty:
            continue
        on = ["niveau", "code", "millesime"]
        if den["millesime"].nunique() == 1:
            den = den.drop(columns=["millesime"])
            on = ["niveau", "code"]
        m = num.merge(den, on=on, suffixes=("", "_d"))
        with np.errstate(divide="ignore", invalid="ignore"):
            val = m["valeur"] / m["valeur_d"] * row.facteur
        bad_den = m["valeur_d"].eq(0)
        statut = m["statut"].where(m["statut"].notna(), m["statut_d"])
        statut = statut.where(~(statut.isna() & bad_den), "manquant")
        out.append(pd.DataFrame({
            "indicateur": row.indicateur, "niveau": m["niveau"], "code": m["code"],
            "millesime": m["millesime"], "valeur": val.where(~bad_den & m["valeur_d"].notna()),
            "statut": statut, "demo": m["demo"] | m["demo_d"], "source_id": m["source_id"],
            "geographie": m["geographie"],
        }))
    return pd.concat(out, ignore_index=True)
