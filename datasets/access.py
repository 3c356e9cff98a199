"""The data-access module: the only code that queries the warehouse.

Named, parameterised DuckDB queries over the Parquet warehouse, through one
read-only connection per published build. Results are pandas DataFrames (or plain dicts);
they are cached per build in `datasets.cache`, which hands out copies (see its rules).

CONTRACT (implemented below; signatures are stable, pages/components rely on them):

warehouse_dir() -> Path
build_info() -> dict            build.json: built_at, territory{code,nom,agence}, ..., and build_id (cache key)
territoires(niveau=None) -> DataFrame[niveau, code, nom, nom_court, epci, groupement,
                                      departement, region, codes_postaux, ordre]
territoire(code, niveau=None) -> dict | None    one row of territoires as a dict
selectable() -> DataFrame       territoire, groupements, EPCI, communes (niveau, code, nom, nom_court)
communes(within_niveau=None, within_code=None) -> DataFrame[code, nom, epci, groupement,
        departement, region, codes_postaux, superficie_km2, label_lon, label_lat]
search_communes(text, limit=10) -> DataFrame[code, nom, codes_postaux, epci]
        accent/case-insensitive on the name, prefix on the postal code; text is never interpreted
references(niveau, code) -> list[dict(niveau, code, nom)]
        the chain to compare with: commune -> its epci, groupement, territoire, departement, region, pays;
        epci -> groupement, territoire, departement(s), region, pays; territoire -> departement(s), region(s), pays
catalogue(theme=None) -> DataFrame (indicateurs.parquet, ordered by `ordre`)
indicateur(indicateur) -> dict | None
serie(indicateur, niveau, code) -> DataFrame[millesime, valeur, statut, demo, source_id] by millesime
valeurs(indicateurs: tuple, territoires: tuple[tuple[niveau, code]], millesime=None)
        -> DataFrame[indicateur, niveau, code, nom, millesime, valeur, statut, demo, source_id]
        millesime None = latest vintage of each indicator
chiffres_cles(niveau, code) -> DataFrame[indicateur, libelle, theme, unite, decimales, millesime,
        valeur, statut, demo, source_id, millesime_precedent, valeur_precedente]  (cle indicators)
carte(indicateur, millesime=None, within_niveau="territoire", within_code=None)
        -> DataFrame[code, nom, epci, valeur, statut, demo, millesime] one row per commune
classement(indicateur, millesime=None) -> DataFrame[rang, code, nom, epci, valeur, statut, demo]
        all communes of the territory, best (highest) first, rang 1..n (ties: min rank), nulls last
sources() -> DataFrame (sources.parquet)
source(source_id) -> dict | None
programme() -> DataFrame (programme.parquet)
agence() -> DataFrame (agence.parquet)
programme_notes() -> str (markdown)
geojson() -> dict (communes.geojson)
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
import unicodedata
from pathlib import Path

import duckdb
import pandas as pd

from datasets import cache, niveaux

ROOT = Path(__file__).resolve().parent.parent
_TABLES = ("territoires", "valeurs", "indicateurs", "sources", "programme", "agence")
_CACHE = 256  # bounded caches: memory stays flat however many users


class WarehouseError(RuntimeError):
    """The warehouse is missing, incomplete or corrupt: the app must not show figures."""


def warehouse_dir() -> Path:
    value = os.environ.get("CHIFFRES_CLEFS_WAREHOUSE")
    return Path(value) if value else ROOT / "datasets" / "warehouse"


class _Build:
    """One published warehouse: its in-memory DuckDB copy and how many queries use it.

    Rebuild while serving: a query takes a build (`_acquire`), runs on that build's
    connection, and gives it back (`_release`); a build replaced by a newer one is closed
    when its last query is done, never under a running query."""

    def __init__(self, resolved: Path, con: duckdb.DuckDBPyConnection, info: dict):
        self.resolved, self.con, self.info = resolved, con, info
        self.id = f"{resolved.name}:{info.get('built_at', '')}"
        self.users = 0
        self.retired = False
        self.query_lock = threading.Lock()  # a DuckDB connection runs one query at a time


class _State:
    lock = threading.RLock()  # guards `current` and the users counts
    current: _Build | None = None
    pinned = threading.local()  # the build a cached computation reads from (one build per result)
    seen: tuple[tuple, Path] | None = None  # the last resolution of the warehouse link (`_resolved`)


def _resolved(link: Path) -> Path:
    """`link.resolve()`, remembered while the directory it leads to is the same one (device,
    inode and change time of one `stat`): a page run makes some sixty queries, and resolving
    walks every component of the path each time (70 µs against 12 µs). `etl build` publishes
    a new directory, which has another inode: the next query resolves the link again."""
    try:
        st = os.stat(link)
    except OSError:
        return link.resolve()
    key = (str(link), st.st_dev, st.st_ino, st.st_ctime_ns)
    seen = _State.seen
    if seen is not None and seen[0] == key:
        return seen[1]
    resolved = link.resolve()
    _State.seen = (key, resolved)
    return resolved


def _open(directory: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    import hashlib

    info_path = directory / "build.json"
    if not info_path.exists():
        raise WarehouseError(
            f"Aucun entrepôt de données dans {directory}. Lancez `make run` (ou `python -m etl build`)."
        )
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise WarehouseError("Entrepôt corrompu : build.json est illisible. Reconstruisez-le avec `python -m etl build`.") from None
    for name, digest in info.get("checksums", {}).items():
        path = directory / name
        if not path.exists():
            raise WarehouseError(f"Entrepôt incomplet : {name} manque. Reconstruisez-le avec `python -m etl build`.")
        h = hashlib.sha256(path.read_bytes()).hexdigest()
        if h != digest:
            raise WarehouseError(f"Entrepôt corrompu : {name} a été modifié. Reconstruisez-le avec `python -m etl build`.")
    # threads=1: the tables are small (< 1 MB of Parquet) and every query is serialised by
    # the build's query lock anyway; DuckDB's extra worker thread only cost memory (~5 MB RSS)
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false",
                                             "threads": 1})
    for table in _TABLES:
        con.execute(f"create table {table} as select * from read_parquet(?)", [str(directory / f"{table}.parquet")])
    con.execute("create index valeurs_key on valeurs (indicateur, niveau, code)")
    return con, info


def _acquire() -> _Build:
    """The current build, counted as in use until `_release`; (re)opened when `etl build`
    has published a new warehouse (the link then points elsewhere)."""
    resolved = _resolved(warehouse_dir())
    with _State.lock:
        cur = _State.current
        if cur is None or resolved != cur.resolved:
            con, info = _open(resolved)
            new = _Build(resolved, con, info)
            if cur is not None:
                cur.retired = True
                if cur.users == 0:
                    cur.con.close()
            _State.current = cur = new
            cache.drop_other_builds(new.id)
        cur.users += 1
        return cur


def _release(build: _Build) -> None:
    with _State.lock:
        build.users -= 1
        if build.retired and build.users == 0:
            build.con.close()


class _using:
    """`with _using() as build:` — the pinned build of this thread if a cached computation
    is running (its nested queries read the same build), else the current one."""

    def __enter__(self) -> _Build:
        pinned = getattr(_State.pinned, "build", None)
        self.build = pinned or _acquire()
        self.owner = pinned is None
        if self.owner:
            _State.pinned.build = self.build
        return self.build

    def __exit__(self, *exc) -> None:
        if self.owner:
            _State.pinned.build = None
            _release(self.build)


def build_id() -> str:
    """The id of the warehouse build queries read now (part of every cache key)."""
    pinned = getattr(_State.pinned, "build", None)
    if pinned is not None:
        return pinned.id
    b = _acquire()
    _release(b)
    return b.id


def _query(sql: str, params: list | None = None) -> pd.DataFrame:
    with _using() as build, build.query_lock:
        df = build.con.execute(sql, params or []).df()
    df.attrs["build_id"] = build.id
    return df


_STORE = cache.Store("access", _CACHE * 16)


def _cached(fn):
    """A query cached per warehouse build (bounded, shared: see datasets/cache.py for the copy rule)."""
    name = fn.__qualname__

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        args = tuple(_freeze(a) for a in args)
        kwargs = {k: _freeze(v) for k, v in kwargs.items()}
        with _using() as build:
            return _STORE.get(build.id, (name, args, tuple(sorted(kwargs.items()))), lambda: fn(*args, **kwargs))

    return wrapper


def _clear_caches() -> None:
    """Forget every cached result (benchmarks measure cold calls with it)."""
    cache.clear()


def _freeze(value):
    """Lists (of pairs) become tuples so that they can be cache keys."""
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def check_warehouse() -> dict:
    """Open the warehouse (verifying checksums) and return build.json (with its `build_id`);
    raises WarehouseError."""
    with _using() as build:
        return {**build.info, "build_id": build.id}


def build_info() -> dict:
    return check_warehouse()


# ---------------------------------------------------------------- territories
_TERR_COLS = "niveau, code, nom, nom_court, epci, groupement, departement, region, codes_postaux, ordre"


@_cached
def territoires(niveau: str | None = None) -> pd.DataFrame:
    if niveau is None:
        return _query(f"select {_TERR_COLS} from territoires order by niveau, ordre")
    return _query(f"select {_TERR_COLS} from territoires where niveau = ? order by ordre", [niveau])


@_cached
def territoire(code: str, niveau: str | None = None) -> dict | None:
    """A territory by code. Without `niveau`, selectable levels come first
    (a département code may equal a région code)."""
    if not isinstance(code, str) or len(code) > 20:
        return None
    df = _query(
        f"""select {_TERR_COLS} from territoires where code = ? and (? is null or niveau = ?)
        order by coalesce(list_position(?, niveau), 99) limit 1""",
        [code, niveau, niveau, list(niveaux.TOUS)])
    return None if df.empty else _clean(df.iloc[0].to_dict())


def _clean(d: dict) -> dict:
    return {k: (None if (isinstance(v, float) and pd.isna(v)) or v is pd.NA else v) for k, v in d.items()}


@_cached
def selectable() -> pd.DataFrame:
    """The selectable territories, the whole territory first and the finest level last."""
    return _query(
        f"""select {_TERR_COLS} from territoires where list_contains(?, niveau)
        order by list_position(?, niveau), ordre""",
        [list(niveaux.SELECTIONNABLES), list(reversed(niveaux.SELECTIONNABLES))])


@_cached
def communes(within_niveau: str | None = None, within_code: str | None = None) -> pd.DataFrame:
    """The finest-level units (communes) of a territory; the whole list for the territory and
    the administrative levels (the warehouse holds only the territory's communes)."""
    parents = [n for n in niveaux.PARENTS[niveaux.PLUS_FIN] if n not in niveaux.ADMINISTRATIFS]
    return _query(
        """select code, nom, epci, groupement, departement, region, codes_postaux, superficie_km2,
        label_lon, label_lat, recherche from territoires where niveau = ?
        and (? is null or (? = 'epci' and epci = ?) or (? = 'groupement' and groupement = ?)
             or (? = niveau and code = ?) or not list_contains(?, ?))
        order by ordre""",
        [niveaux.PLUS_FIN, within_niveau, within_niveau, within_code, within_niveau, within_code,
         within_niveau, within_code, [niveaux.PLUS_FIN, *parents], within_niveau])


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def search_communes(text: str, limit: int = 10) -> pd.DataFrame:
    """Communes whose name contains the text (accents, case and punctuation
    ignored; names starting with it first) or whose postal code starts with it.
    The text is compared as plain text, never interpreted."""
    cols = ["code", "nom", "codes_postaux", "epci"]
    if not isinstance(text, str):
        return pd.DataFrame(columns=cols)
    key = normalise(text[:100])
    if not key:
        return pd.DataFrame(columns=cols)
    df = communes()
    if key.isdigit():
        hit = df["codes_postaux"].fillna("").str.split().map(lambda cps: any(c.startswith(key) for c in cps)) | df["code"].str.startswith(key)
        res = df[hit]
    else:
        ranked = df.assign(_pos=df["recherche"].map(lambda s: s.find(key)), _len=df["recherche"].str.len())
        res = ranked[ranked["_pos"] >= 0].sort_values(["_pos", "_len", "recherche"])
    return res[cols].head(limit).reset_index(drop=True)


@_cached
def references(niveau: str, code: str) -> list[dict]:
    """The territories to compare with, from the closest to France: the local levels above
    (from the parent columns), then the administrative ones. Above the finest level a
    territory may span several départements or régions: all of them are listed."""
    t = territoire(code, niveau)
    if t is None:
        return []
    chain: list[tuple[str, str | None]] = []
    for n in niveaux.au_dessus(niveau):
        if n == niveaux.ENSEMBLE:
            chain += [(n, territoires(n)["code"].iloc[0])]
        elif n in niveaux.PARENTS.get(niveau, ()):
            chain += [(n, t.get(n))]
    for n in niveaux.ADMINISTRATIFS:
        if niveaux.rang(n) <= niveaux.rang(niveau):
            continue
        if n == "pays":
            chain += [(n, "FR")]
        elif n in niveaux.PARENTS.get(niveau, ()) and t.get(n):
            parent = territoire(t[n], n) if n == "departement" else None
            chain += [(n, t[n])]
            if parent and "region" in niveaux.PARENTS.get(niveau, ()):  # the région of the département
                t = {**t, "region": parent.get("region") or t.get("region")}
        elif niveau in niveaux.LOCAUX:  # a grouping or the whole territory: every one it spans
            codes = _spanned(niveau, code, n)
            chain += [(n, c) for c in codes]
    out = []
    for n, c in chain:
        if c is None:
            continue
        row = territoire(c, n)
        if row is not None:
            out.append({"niveau": n, "code": c, "nom": row["nom"]})
    return out


def _spanned(niveau: str, code: str, admin: str) -> list[str]:
    """The départements (or régions) the communes of a territory lie in, in their order."""
    com = communes(niveau, code)
    present = set(com[admin].dropna()) if admin in com else set()
    connus = list(territoires(admin).get("code", []))
    return [c for c in connus if c in present] or connus


# ---------------------------------------------------------------- catalogue
@_cached
def catalogue(theme: str | None = None) -> pd.DataFrame:
    return _query("select * from indicateurs where (? is null or theme = ?) order by ordre", [theme, theme])


@_cached
def indicateur(indicateur: str) -> dict | None:
    df = _query("select * from indicateurs where indicateur = ?", [indicateur])
    if df.empty:
        return None
    d = df.iloc[0].to_dict()
    d["millesimes"] = [int(x) for x in d["millesimes"]]
    d["source_ids"] = list(d["source_ids"])
    return _clean(d)


# ---------------------------------------------------------------- values
@_cached
def _tableau_valeurs() -> dict:
    """The whole `valeurs` table of the build, read once (≈ 55 000 rows, a few MB) and held as
    plain rows per territory and indicator, with the latest vintage of each indicator:
    `serie` and `valeurs` then select a few rows in memory instead of running a DuckDB query
    each (a page of a new commune made ~50 of them: a quarter of the server's CPU per action,
    BENCHMARKS.md). Plain tuples, not DataFrames: selecting from small frames cost more than
    the queries did."""
    df = _query(
        f"""select {", ".join("v." + c if c != "nom" else "t.nom" for c in _VALEURS_COLS)}
        from valeurs v join territoires t on t.niveau = v.niveau and t.code = v.code
        order by v.niveau, v.code, v.indicateur, v.millesime""")
    par_territoire: dict[tuple[str, str], dict[str, list[tuple]]] = {}
    colonnes = [df[c].tolist() for c in _VALEURS_COLS]
    for row in zip(*colonnes):
        par_territoire.setdefault((row[1], row[2]), {}).setdefault(row[0], []).append(row)
    latest = df[df["valeur"].notna()].groupby("indicateur")["millesime"].max()
    return {"territoires": par_territoire, "latest": {str(k): int(v) for k, v in latest.items()},
            "dtypes": {c: df[c].dtype for c in _VALEURS_COLS}, "build_id": df.attrs.get("build_id")}


_VALEURS_COLS = ["indicateur", "niveau", "code", "nom", "millesime", "valeur", "statut", "demo", "source_id"]


def _frame(rows: list[tuple], colonnes: list[str]) -> pd.DataFrame:
    """Rows of the `valeurs` table as a DataFrame with the table's column types."""
    tab = _tableau_valeurs()
    pos = [_VALEURS_COLS.index(c) for c in colonnes]
    df = pd.DataFrame({c: pd.array([r[i] for r in rows], dtype=tab["dtypes"][c]) for c, i in zip(colonnes, pos)})
    df.attrs["build_id"] = tab["build_id"]  # like every query result: the build it was read from
    return df


@_cached
def serie(indicateur: str, niveau: str, code: str) -> pd.DataFrame:
    rows = _tableau_valeurs()["territoires"].get((niveau, code), {}).get(indicateur, [])
    return _frame(rows, ["millesime", "valeur", "statut", "demo", "source_id"])


@_cached
def valeurs(indicateurs: tuple, territoires_: tuple, millesime: int | None = None) -> pd.DataFrame:
    """Values of several indicators for several territories ((niveau, code) pairs);
    `millesime` None = the latest vintage of each indicator (where it has a value).
    Rows ordered by indicator, then in the order of `territoires_`."""
    tab = _tableau_valeurs()
    paires = list(dict.fromkeys(tuple(p) for p in territoires_))
    rows = []
    for i in sorted(set(indicateurs)):
        m = tab["latest"].get(i) if millesime is None else int(millesime)
        if m is None:
            continue
        for pair in paires:
            rows += [r for r in tab["territoires"].get(pair, {}).get(i, ()) if r[4] == m]
    return _frame(rows, _VALEURS_COLS)


@_cached
def chiffres_cles(niveau: str, code: str) -> pd.DataFrame:
    """Key figures (`cle` in the catalogue): latest vintage with a value, and the
    previous one for the evolution."""
    return _query(
        """with v as (
             select v.*, row_number() over (partition by v.indicateur order by v.millesime desc) as rang
             from valeurs v join indicateurs i using (indicateur)
             where i.cle and v.niveau = ? and v.code = ? and (v.valeur is not null or v.statut is not null))
        select i.indicateur, i.libelle, i.theme, i.unite, i.decimales, a.millesime, a.valeur, a.statut, a.demo,
               a.source_id, b.millesime as millesime_precedent, b.valeur as valeur_precedente
        from indicateurs i join v a on a.indicateur = i.indicateur and a.rang = 1
        left join v b on b.indicateur = i.indicateur and b.rang = 2
        where i.cle order by i.ordre""", [niveau, code])


def _latest(indicateur_: str) -> int | None:
    info = indicateur(indicateur_)
    return max(info["millesimes"]) if info and info["millesimes"] else None


@_cached
def carte(indicateur: str, millesime: int | None = None, within_niveau: str = niveaux.ENSEMBLE,
          within_code: str | None = None) -> pd.DataFrame:
    m = millesime if millesime is not None else _latest(indicateur)
    com = communes(within_niveau, within_code)[["code", "nom", "epci"]]
    vals = _query(
        """select code, valeur, statut, demo, millesime from valeurs
        where indicateur = ? and niveau = ? and millesime = ?""", [indicateur, niveaux.PLUS_FIN, m])
    out = com.merge(vals, on="code", how="left")
    out["millesime"] = m
    out.loc[out["valeur"].isna() & out["statut"].isna(), "statut"] = "manquant"
    out["demo"] = out["demo"].fillna(False).astype(bool)
    return out


@_cached
def classement(indicateur: str, millesime: int | None = None) -> pd.DataFrame:
    df = carte(indicateur, millesime)
    df["rang"] = df["valeur"].rank(method="min", ascending=False).astype("Int64")
    df = df.sort_values(["rang", "nom"], na_position="last").reset_index(drop=True)
    return df[["rang", "code", "nom", "epci", "valeur", "statut", "demo", "millesime"]]


# ---------------------------------------------------------------- sources, partners, outlines
@_cached
def sources() -> pd.DataFrame:
    return _query("select * from sources order by demo, famille, source_id")


@_cached
def source(source_id: str) -> dict | None:
    df = _query("select * from sources where source_id = ?", [source_id])
    return None if df.empty else _clean(df.iloc[0].to_dict())


@_cached
def programme() -> pd.DataFrame:
    return _query("select * from programme")


@_cached
def agence() -> pd.DataFrame:
    return _query("select * from agence")


@_cached
def programme_notes() -> str:
    with _using() as build:
        return (build.resolved / "programme_notes.md").read_text(encoding="utf-8")


@_cached
def geojson() -> dict:
    with _using() as build:
        return json.loads((build.resolved / "communes.geojson").read_text(encoding="utf-8"))
