"""From what the readers read to the long `valeurs` table.

map variables -> indicators, harmonise commune codes to the current geography,
aggregate counts to every level, take published values where they cannot be
aggregated, then recompute every ratio from its summed numerator and denominator.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.readers.common import ReadResult

KEY = ["indicateur", "niveau", "code", "millesime"]
VALUE_COLUMNS = KEY + ["valeur", "statut", "demo", "source_id"]
# When several cells make one value, the most telling reason wins.
_STATUT_RANK = {None: 0, "manquant": 1, "non_disponible": 2, "non_applicable": 3, "secret_ou_non_disponible": 4,
                "incomplet": 5, "secret": 6, "invalide": 7, "non_calculable": 8, "hors_source": 9}
_RANK_STATUT = {v: k for k, v in _STATUT_RANK.items()}
# A member cell with one of these makes a sum over communes `incomplet`.
CELL_STATUTS = ["manquant", "secret", "non_disponible", "non_applicable", "secret_ou_non_disponible", "invalide"]
# Statuts of a cell the file left empty (not secret, not a wrong value).
EMPTY_STATUTS = ["manquant", "non_disponible", "secret_ou_non_disponible"]
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
    national file (bench/, BENCHMARKS.md); present values (None) are most of
    the cells, so only the others are compared with each statut."""
    dtype = statut.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is np.nan:
        # `str` column (pandas 3 types a list of statuts so): a missing cell is
        # NaN, not None, hence rank 1; ranked once per distinct statut
        codes, uniques = pd.factorize(statut)
        return np.array([_STATUT_RANK.get(u, 1) for u in uniques] + [1], dtype="int64")[codes]
    arr = statut.to_numpy(dtype=object)
    rank = np.zeros(len(arr), dtype="int64")
    other = np.flatnonzero(~np.equal(arr, None))
    if other.size:
        sub = arr[other]
        sub_rank = np.ones(len(sub), dtype="int64")
        for name, r in _STATUT_RANK.items():
            if name is not None:
                sub_rank[np.equal(sub, name)] = r
        rank[other] = sub_rank
    return rank


def _group_ids(df: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, int]:
    """Group number of every row, groups numbered in order of first appearance,
    missing keys forming their own group: the groups of
    `df.groupby(by, sort=False, dropna=False)`, found from integer codes (one
    factorisation per column, then one of the combined key) instead of pandas
    hashing the string keys of a million rows together. A column holding one
    value only (`niveau` of commune rows) does not split any group."""
    key, card = np.zeros(len(df), dtype="int64"), 1
    for col in by:
        column = df[col]
        if len(column) and pd.notna(column.iloc[0]) and (column == column.iloc[0]).all():
            continue
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        n = max(len(uniques), 1)
        if card * n >= 2**62:  # keep the combined key within int64
            key, uniques_key = pd.factorize(key)
            card = max(len(uniques_key), 1)
        key = key * n + codes.astype("int64")
        card *= n
    ids, uniques = pd.factorize(key)
    return ids.astype("int64"), len(uniques)


def _first_rows(ids: np.ndarray) -> np.ndarray:
    """Position of the first row of each group, in group order (ids numbered in
    order of first appearance: a row starts a group when its id is new)."""
    if len(ids) == 0:
        return np.zeros(0, dtype="int64")
    seen = np.maximum.accumulate(ids)
    return np.flatnonzero(np.concatenate([[True], ids[1:] > seen[:-1]]))


def _strict_sums(ids: np.ndarray, ngroups: int, val: np.ndarray, rank: np.ndarray) -> pd.DataFrame:
    """Per group (ids numbered 0..ngroups-1 in order of first appearance, as
    pandas numbers the groups of `groupby(sort=False)`): `valeur` summed exactly
    as pandas sums it, NaN when a member is missing, `_n` members, `statut` the
    highest-ranked one of the members when missing.

    A national file is mostly one-row groups (a commune, an indicator, a
    vintage): when every group is one row, its sum is its value, bit for bit
    (pandas adds it to 0.0 or takes it as it is: the same number, -0.0 aside),
    and pandas is not called. Otherwise pandas sums the groups itself (it
    chooses between two summations from the layout of the rows and NaNs)."""
    nan = np.isnan(val)
    sizes = np.bincount(ids, minlength=ngroups)
    if ngroups == len(ids) and not (np.signbit(val) & (val == 0)).any():
        valeur, ranks = val.copy(), rank.copy()  # ids are 0, 1, 2… in row order
    else:
        valeur = np.array(pd.Series(val).groupby(ids, sort=True).sum().to_numpy(), dtype="float64")
        ranks = np.zeros(ngroups, dtype="int64")
        ranked = rank > 0
        np.maximum.at(ranks, ids[ranked], rank[ranked])
    nans = np.bincount(ids[nan], minlength=ngroups)
    missing = nans > 0
    valeur[missing] = np.nan
    statut = np.full(ngroups, None, dtype=object)
    statut[missing] = "manquant"  # rank 0 (None) or 1 (unknown)
    for name, r in _STATUT_RANK.items():
        if name is not None:
            statut[missing & (ranks == r)] = name
    out = pd.DataFrame({"valeur": valeur, "_n": sizes})
    out["statut"] = _statut_column(statut, bool(missing.any()))
    return out


def _statut_column(statut: np.ndarray, any_missing: bool) -> pd.Series:
    """The statut column typed as pandas types a list of them: object when all
    are None, else what it infers from strings (pandas 3: `str`, None -> NaN),
    built through Arrow (inferring a million cells costs ~0.1 s)."""
    if not any_missing:
        return pd.Series(statut, dtype=object)
    dtype = pd.Series([None, "manquant"]).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pd.Series(pd.array(pa.array(statut, type=pa.string(), from_pandas=True), dtype=dtype))
    return pd.Series(statut.tolist())


def _with_keys(keys: pd.DataFrame, sums: pd.DataFrame) -> pd.DataFrame:
    """The group keys (one row per group, in group order) then their sums."""
    keys = keys.reset_index(drop=True)
    statut = sums["statut"]
    return keys.assign(valeur=sums["valeur"].to_numpy(), _n=sums["_n"].to_numpy(),
                       statut=pd.Series(statut.array, dtype=statut.dtype, index=keys.index))


def _sum_strict(df: pd.DataFrame, by: list[str], groups: tuple[np.ndarray, int] | None = None) -> pd.DataFrame:
    """Sum `valeur` by group; any missing member makes the group missing, with
    the highest-ranked statut of its members (or `incomplet` when asked).

    The result of `df.groupby(by, sort=False, dropna=False)`, from integer
    group numbers (BENCHMARKS.md, ETL). `groups`: (ids, count) of the rows when
    already known, numbered in order of first appearance."""
    if df.empty or df["valeur"].dtype != "float64":
        return _sum_strict_pandas(df, by)
    ids, ngroups = groups if groups is not None else _group_ids(df, by)
    sums = _strict_sums(ids, ngroups, df["valeur"].to_numpy(dtype="float64"), _statut_rank(df["statut"]))
    keys = df[by] if ngroups == len(df) else df[by].iloc[_first_rows(ids)]
    return _with_keys(keys, sums)


def _sum_strict_pandas(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """`_sum_strict` with pandas' grouping alone (empty frames, where its
    output dtypes are the reference)."""
    work = df.assign(_nan=df["valeur"].isna().astype("int64"), _rank=_statut_rank(df["statut"]))
    g = work.groupby(by, sort=False, dropna=False)
    out = g.agg(valeur=("valeur", "sum"), _nan=("_nan", "sum"), _rank=("_rank", "max"), _n=("valeur", "size")).reset_index()
    out.loc[out["_nan"] > 0, "valeur"] = np.nan
    out["statut"] = [None if n == 0 else _RANK_STATUT.get(r) or "manquant" for n, r in zip(out["_nan"], out["_rank"])]
    return out.drop(columns=["_nan", "_rank"])


def _split_communes(values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(commune rows, other rows), without copying a national table that holds
    communes only."""
    is_com = (values["niveau"] == "commune").to_numpy(dtype=bool)
    if is_com.all():
        return values, values.iloc[:0]
    return values[is_com], values[~is_com]


def map_variables(result: ReadResult, variables: pd.DataFrame) -> pd.DataFrame:
    """Generic INSEE variables -> indicators (several variables of one family
    feeding one indicator are summed)."""
    mapping = variables.loc[variables["famille"] == result.info.famille, ["variable", "indicateur"]]
    if mapping["variable"].is_unique:
        # the inner merge on `variable`, from the file's few distinct variables
        # (a merge hashes a million strings)
        codes, uniques = pd.factorize(result.data["variable"])
        position = dict(zip(mapping["variable"], range(len(mapping))))
        where = np.array([position.get(u, -1) for u in uniques] + [-1], dtype="int64")[codes]
        keep = where >= 0
        data = result.data if keep.all() else result.data[keep]
        data = data.assign(indicateur=mapping["indicateur"].array.take(where[keep]))
    else:
        data = result.data.merge(mapping, on="variable", how="inner")
    if data.empty:
        return pd.DataFrame(columns=["niveau", "code", "indicateur", "millesime", "valeur", "statut", "_n"])
    # an indicator fed by several variables needs all of them in the file
    needed = mapping.groupby("indicateur").size()
    out = _sum_strict(data, ["niveau", "code", "indicateur", "millesime"])
    if needed.max() <= 1:  # every group has at least one row
        return out
    codes, uniques = pd.factorize(out["indicateur"])
    need = np.append(needed.reindex(uniques).to_numpy(dtype="float64"), np.nan)[codes]
    return out[out["_n"].to_numpy() >= need]


def harmonise(values: pd.DataFrame, fusions: pd.DataFrame, agregation: dict[str, str]) -> pd.DataFrame:
    """Old commune codes -> current ones; absorbed communes are added to their
    current commune. A published value (median…) cannot be added: if several old
    communes make a current one, it becomes `non_calculable`."""
    mapping = dict(zip(fusions["ancien_code"], fusions["code"]))
    com, other = _split_communes(values)
    # the lookup on the distinct codes (codes without a merger stay as they are),
    # then spread to the rows
    codes, uniques = pd.factorize(com["code"], use_na_sentinel=False)
    distinct = pd.Series(uniques)
    current = distinct.map(mapping)
    current = current.where(current.notna(), distinct)
    com = com.assign(code=pd.Series(current.array.take(codes), index=com.index))
    summed = _sum_strict(com.drop(columns=["_n"], errors="ignore"), ["niveau", "code", "indicateur", "millesime"])
    publie_ids = [k for k, a in agregation.items() if a == "publie"]
    publie = (summed["_n"] > 1) & summed["indicateur"].isin(publie_ids)
    summed.loc[publie, "valeur"] = np.nan
    summed.loc[publie, "statut"] = "non_calculable"
    return pd.concat([summed.drop(columns=["_n"]), other.drop(columns=["_n"], errors="ignore")], ignore_index=True)


def aggregate(values: pd.DataFrame, territoires: pd.DataFrame, departements: pd.DataFrame,
              agregation: dict[str, str]) -> pd.DataFrame:
    """Values of one source at every level of the warehouse."""
    com_all, direct = _split_communes(values)
    terr_com = territoires[territoires["niveau"] == "commune"]
    codes = terr_com["code"]
    ids, _ = _group_ids(values, ["indicateur", "millesime"])
    indic_years = values[["indicateur", "millesime"]].iloc[_first_rows(ids)]  # = drop_duplicates()
    out = []

    # communes of the territory: every one gets a row (missing when absent from the file)
    if not com_all.empty:
        grid = indic_years.merge(pd.DataFrame({"code": codes}), how="cross").assign(niveau="commune")
        own = com_all[com_all["code"].isin(codes).to_numpy(dtype=bool)]  # the only rows the grid can match
        com = grid.merge(own, on=["niveau", "code", "indicateur", "millesime"], how="left")
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
        agg.loc[agg["statut"].isin(CELL_STATUTS), "statut"] = "incomplet"
        out.append(agg.drop(columns=["_n"]))

        # reference levels from all the file's communes, where the file covers them
        ref_levels = territoires[territoires["niveau"].isin(["departement", "region", "pays"])]
        if not ref_levels.empty:
            out.append(_reference_levels(com_all, ref_levels, departements, indic_years))

    # published values (Filosofi EPCI/département files, reference totals) win over computed ones
    if not direct.empty:
        out.append(direct.assign(_direct=True))
    res = pd.concat(out, ignore_index=True)
    res["_direct"] = res.get("_direct", pd.Series(False, index=res.index)).fillna(False).astype(bool)
    # a median cannot come from adding communes
    publie = res["indicateur"].map(agregation).eq("publie") & (res["niveau"] != "commune") & ~res["_direct"]
    res.loc[publie & (res["statut"] != "hors_source"), ["valeur", "statut"]] = [np.nan, "non_calculable"]
    # a count summed from every commune (complete) beats INSEE's published count,
    # which can differ by a few units (Filosofi rounds its EPCI counts apart): the
    # levels then add up; a published count fills in when the sum is incomplete
    summed = res["indicateur"].map(agregation).eq("somme") & ~res["_direct"] & res["valeur"].notna()
    res = res.assign(_rank=np.where(summed, 0, np.where(res["_direct"], 1, 2)))
    res = res.sort_values("_rank", kind="stable").drop_duplicates(["niveau", "code", "indicateur", "millesime"])
    res = res.drop(columns=["_rank"])
    keep = res["code"].isin(set(territoires["code"])) | (res["niveau"] == "commune")
    res = res[keep & res.set_index(["niveau", "code"]).index.isin(territoires.set_index(["niveau", "code"]).index)]
    return res.drop(columns=["_direct", "_n"], errors="ignore")


def _reference_levels(com_all: pd.DataFrame, ref_levels: pd.DataFrame, departements: pd.DataFrame,
                      indic_years: pd.DataFrame) -> pd.DataFrame:
    """Département, région and France totals of every commune of the file, for
    the départements it covers. The département of a row comes from its code:
    worked out once per distinct code, not once per row; the totals are sums
    by (indicator, vintage) over the rows of each level."""
    deps = departements.set_index("code")
    code_ids, distinct = pd.factorize(com_all["code"])  # a missing code (-1) has no département
    dep_of = departement_of(pd.Series(distinct, dtype=com_all["code"].dtype))
    count = dep_of.value_counts()  # communes of the file per département
    expected = pd.to_numeric(deps["nb_communes"])
    covered = {d for d in expected.index if count.get(d, 0) >= COVERAGE * expected[d]}
    region_of = deps["region"].to_dict()

    def rows_where(per_code: pd.Series) -> np.ndarray:
        """A per-distinct-code condition, for every row."""
        return np.append(per_code.to_numpy(dtype=bool), False)[code_ids]

    in_covered = rows_where(dep_of.isin(covered))
    im_ids, n_im = _group_ids(com_all, ["indicateur", "millesime"])
    # an (indicator, vintage) left empty for a whole département is not in the
    # file for it (Mayotte in the comparateur: listed, births given, no census
    # value): the département has no total for it and France is summed without it
    dep_ids = np.append(pd.factorize(dep_of)[0], -1)[code_ids]
    counted = (com_all["valeur"].notna() | ~com_all["statut"].isin(EMPTY_STATUTS)).to_numpy(dtype=bool)
    g_ids, g_n = pd.factorize(im_ids * (len(distinct) + 2) + (dep_ids + 1))
    blank_row = (np.bincount(g_ids, weights=counted, minlength=len(g_n)) == 0)[g_ids]
    # a few empty cells (communes created after the census) are left out
    empty = in_covered & ~blank_row & com_all["statut"].isin(EMPTY_STATUTS).to_numpy(dtype=bool)
    empty &= ~(com_all["indicateur"].isna() | com_all["millesime"].isna()).to_numpy(dtype=bool)
    few = empty & (np.bincount(im_ids[empty], minlength=n_im)[im_ids] <= TOLERATED_EMPTY)
    if few.any() and not com_all.index.is_unique:  # rows are dropped by label
        few = in_covered & com_all.index.isin(com_all.index[few])
    nat = in_covered & ~few & ~blank_row
    keys = com_all[["indicateur", "millesime"]]
    val = com_all["valeur"].to_numpy(dtype="float64")
    rank = _statut_rank(com_all["statut"]) if com_all["valeur"].dtype == "float64" else None
    parts = []
    for niveau, code in ref_levels[["niveau", "code"]].itertuples(index=False):
        if niveau == "departement":
            ok, sel = code in covered, rows_where(dep_of == code)
        elif niveau == "region":
            reg_deps = {d for d, r in region_of.items() if r == code}
            ok, sel = reg_deps <= covered, rows_where(dep_of.map(region_of) == code)
        else:
            ok = count.sum() >= COVERAGE * expected.sum()
            sel = np.ones(len(com_all), dtype=bool)
        if ok:
            rows = np.flatnonzero(nat & sel)
            if len(rows) and rank is not None:
                ids, uniques = pd.factorize(im_ids[rows])  # renumbered in order of first appearance
                sums = _strict_sums(ids.astype("int64"), len(uniques), val[rows], rank[rows])
                s = _with_keys(keys.iloc[rows[_first_rows(ids)]], sums)
            else:
                s = _sum_strict_pandas(com_all.iloc[rows], ["indicateur", "millesime"])
            s = s.assign(niveau=niveau, code=code)
            s.loc[s["statut"].isin(CELL_STATUTS), "statut"] = "incomplet"
            absent = indic_years.merge(s[["indicateur", "millesime"]], how="left", indicator=True)
            absent = absent[absent["_merge"] == "left_only"].drop(columns=["_merge"])
            if not absent.empty:
                s = pd.concat([s, absent.assign(niveau=niveau, code=code, valeur=np.nan, statut="hors_source")],
                              ignore_index=True)
        else:
            s = indic_years.assign(niveau=niveau, code=code, valeur=np.nan, statut="hors_source")
        parts.append(s.drop(columns=["_n"], errors="ignore"))
    return pd.concat(parts, ignore_index=True)


def choose_sources(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One value per key: a present value beats a missing one, real beats
    demonstration, a more recent geography beats an older one."""
    allv = pd.concat(frames, ignore_index=True)
    allv = allv.assign(_missing=allv["valeur"].isna(), _geo=-allv["geographie"].fillna(0))
    allv = allv.sort_values(["_missing", "demo", "_geo"], kind="stable")
    return allv.drop_duplicates(KEY).drop(columns=["_missing", "_geo"])


def prefer_real(values: pd.DataFrame) -> pd.DataFrame:
    """Real beats demonstration at the indicator level: an indicator with a real
    value (any level, any vintage) keeps no demonstration row at all, so a page
    never shows a real 2018 next to a fictitious 2021. Demonstration data only
    fills indicators no real source covers (ratios included, computed before)."""
    real = set(values.loc[~values["demo"].astype(bool) & values["valeur"].notna(), "indicateur"])
    drop = values["demo"].astype(bool) & values["indicateur"].isin(real)
    return values[~drop.to_numpy()] if drop.any() else values


def ratios(values: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Every ratio recomputed at every level from its numerator and denominator.
    A denominator with a single vintage (the area) serves every vintage."""
    out = [values]
    for row in catalogue[catalogue["agregation"].isin(["ratio", "ecart"])].itertuples(index=False):
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
        if row.agregation == "ecart":  # a difference (births - deaths): any denominator will do
            val, bad_den = m["valeur"] - m["valeur_d"], pd.Series(False, index=m.index)
        statut = m["statut"].where(m["statut"].notna(), m["statut_d"])
        statut = statut.where(~(statut.isna() & bad_den), "manquant")
        out.append(pd.DataFrame({
            "indicateur": row.indicateur, "niveau": m["niveau"], "code": m["code"],
            "millesime": m["millesime"], "valeur": val.where(~bad_den & m["valeur_d"].notna()),
            "statut": statut, "demo": m["demo"] | m["demo_d"], "source_id": m["source_id"],
            "geographie": m["geographie"],
        }))
    return pd.concat(out, ignore_index=True)
