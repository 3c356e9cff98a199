"""2. Named queries of `datasets/access.py`: cold (caches cleared; and the
warehouse opened by a new process) and warm (cached)."""
from __future__ import annotations

import os

from bench.common import PY, Config, Section, Stats, run_json, timeit, verdict

TARGET_WARM_S = 0.010
COMMUNE = "62119"


def calls(access) -> list[tuple[str, callable]]:
    """Every public query with realistic arguments (Béthune, its EPCI, the territory)."""
    com = access.territoire(COMMUNE, "commune") or access.territoire(access.communes()["code"].iloc[0], "commune")
    code, epci = com["code"], com["epci"]
    terr = access.territoires("territoire")["code"].iloc[0]
    cles = access.catalogue()
    key = "population" if "population" in set(cles["indicateur"]) else cles["indicateur"].iloc[0]
    theme = cles["theme"].iloc[0]
    src = access.sources()["source_id"].iloc[0]
    three = tuple(cles["indicateur"].head(3))
    pairs = (("commune", code), ("epci", epci), ("territoire", terr))
    return [
        ("build_info()", access.build_info),
        ("territoires()", lambda: access.territoires()),
        ("territoires('commune')", lambda: access.territoires("commune")),
        (f"territoire('{code}')", lambda: access.territoire(code)),
        ("selectable()", access.selectable),
        ("communes()", lambda: access.communes()),
        ("communes('epci', …)", lambda: access.communes("epci", epci)),
        ("search_communes('bethu')", lambda: access.search_communes("bethu")),
        ("search_communes('622')", lambda: access.search_communes("622")),
        (f"references('commune', '{code}')", lambda: access.references("commune", code)),
        ("catalogue()", lambda: access.catalogue()),
        (f"catalogue('{theme}')", lambda: access.catalogue(theme)),
        (f"indicateur('{key}')", lambda: access.indicateur(key)),
        (f"serie('{key}', commune)", lambda: access.serie(key, "commune", code)),
        ("valeurs(3 indicators × 3 territories)", lambda: access.valeurs(three, pairs)),
        ("chiffres_cles(commune)", lambda: access.chiffres_cles("commune", code)),
        ("chiffres_cles(territoire)", lambda: access.chiffres_cles("territoire", terr)),
        (f"carte('{key}')", lambda: access.carte(key)),
        (f"classement('{key}')", lambda: access.classement(key)),
        ("sources()", access.sources),
        ("source(…)", lambda: access.source(src)),
        ("programme()", access.programme),
        ("agence()", access.agence),
        ("programme_notes()", access.programme_notes),
        ("geojson()", access.geojson),
    ]


def open_job() -> dict:
    """In a new process: import, open the warehouse (checksums + load), then one query."""
    import time

    t0 = time.perf_counter()
    from datasets import access
    t1 = time.perf_counter()
    access.check_warehouse()
    t2 = time.perf_counter()
    access.chiffres_cles("commune", COMMUNE)
    t3 = time.perf_counter()
    return {"import_s": t1 - t0, "open_s": t2 - t1, "first_query_s": t3 - t2}


def run(cfg: Config, warehouse: str | None = None, title: str = "2. Named queries (datasets/access.py)") -> Section:
    env = {"CHIFFRES_CLEFS_WAREHOUSE": warehouse} if warehouse else None
    s = Section(title, ["query", "cold median ms", "cold p95 ms", "warm median ms", "warm p95 ms", "target (warm)"])
    opens = [run_json([PY, "-c", "import json; from bench.queries import open_job; print(json.dumps(open_job()))"], env=env)
             for _ in range(cfg.qr)]
    for k, label in (("import_s", "new process: import access (duckdb, pandas)"),
                     ("open_s", "new process: open warehouse (checksums + load Parquet into DuckDB)"),
                     ("first_query_s", "new process: first chiffres_cles(commune)")):
        med, p95 = Stats([o[k] for o in opens]).ms()
        s.add(label, med, p95, "", "", "", kind="process", median_s=Stats([o[k] for o in opens]).median)
    old = os.environ.get("CHIFFRES_CLEFS_WAREHOUSE")
    if warehouse:
        os.environ["CHIFFRES_CLEFS_WAREHOUSE"] = warehouse
    try:
        from datasets import access

        access.check_warehouse()
        for label, fn in calls(access):
            cold = timeit(lambda: (access._clear_caches(), fn()), cfg.r)
            warm = timeit(fn, cfg.r * 3, warmup=1)
            s.add(label, *cold.ms(), *warm.ms(), verdict(warm.median, TARGET_WARM_S),
                  kind="query", cold_s=cold.median, warm_s=warm.median, warm_p95_s=warm.p95)
    finally:
        if warehouse:
            if old is None:
                os.environ.pop("CHIFFRES_CLEFS_WAREHOUSE", None)
            else:
                os.environ["CHIFFRES_CLEFS_WAREHOUSE"] = old
    s.notes.append("cold = `access._clear_caches()` then the call (connection kept open; nested cached "
                   "queries are cold too); warm = the lru-cached call (returns a copy).")
    return s
