"""`python -m etl fetch --melodi DATASET`: one dataset of INSEE's Melodi API
(`https://api.insee.fr/melodi`, open, no key, 30 requests per minute),
filtered to the territory's communes and its reference levels, saved as
`DS_<DATASET>_data.csv` in INSEE's long format:

    GEO;GEO_OBJECT;<other dimensions…>;TIME_PERIOD;OBS_VALUE;OBS_STATUS

(the layout of the CSV files of INSEE's catalogue, read by the long-format reader).

The API (as documented by INSEE and used by its R package `melodi`):
`GET /melodi/data/{DS}?GEO=COM-62119&GEO=EPCI-200072460&maxResult=N&page=P&totalCount=TRUE`
answers JSON `{"observations": [{"dimensions": {"GEO": "2025-COM-62119",
"TIME_PERIOD": "2021", …}, "measures": {"OBS_VALUE_NIVEAU": {"value": 1.0}},
"attributes": {"OBS_STATUS": "A"}}], "paging": {"count": N, "next": url}}`.

Requests go through a client-side rate limiter (at most 30 in any 60 s
window, clock injectable for tests); a 429 is retried after its Retry-After
(or an exponential back-off), like 5xx and network errors.
"""
from __future__ import annotations

import collections
import json
import math
import os
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Callable, Iterable

from etl import fetch

MELODI_URL = "https://api.insee.fr/melodi"
RATE_CALLS = 30
RATE_PERIOD = 60.0
PAGE_SIZE = 10_000
GEO_PER_REQUEST = 60  # keeps each URL well under 2 000 characters
MAX_PAGES = 500
MAX_JSON_BYTES = 256 << 20


class RateLimiter:
    """At most `calls` acquisitions in any window of `period` seconds."""

    def __init__(self, calls: int = RATE_CALLS, period: float = RATE_PERIOD,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.calls, self.period, self.clock, self.sleep = calls, period, clock, sleep
        self.stamps: collections.deque[float] = collections.deque()

    def acquire(self) -> float:
        """Wait (through `sleep`) until a request may go; the time waited."""
        waited = 0.0
        while True:
            now = self.clock()
            while self.stamps and now - self.stamps[0] >= self.period:
                self.stamps.popleft()
            if len(self.stamps) < self.calls:
                self.stamps.append(now)
                return waited
            delay = self.period - (now - self.stamps[0])
            self.sleep(delay)
            waited += delay


class MelodiClient:
    def __init__(self, base_url: str = MELODI_URL, *, allowed_hosts: tuple[str, ...] = fetch.DEFAULT_HOSTS,
                 limiter: RateLimiter | None = None, timeout: float = 60.0, retries: int = 5,
                 sleep: Callable[[float], None] = time.sleep, log: Callable[[str], None] | None = None) -> None:
        self.base = base_url.rstrip("/")
        self.allowed = allowed_hosts
        self.sleep = sleep
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.timeout, self.retries = timeout, retries
        self.log = log or (lambda m: print(m, file=sys.stderr))
        self.requests = 0

    def get_json(self, url: str) -> dict:
        where = f"Melodi ({url})"
        for attempt in range(1, self.retries + 2):
            self.limiter.acquire()
            self.requests += 1
            try:
                resp = fetch.open_url(url, allowed_hosts=self.allowed, timeout=self.timeout, where=where,
                                      headers={"Accept": "application/json"})
                with resp:
                    body = resp.read(MAX_JSON_BYTES + 1)
            except fetch._Retryable as exc:
                if attempt > self.retries:
                    raise fetch.FetchError(f"{exc} (abandon après {attempt} tentatives)") from None
                wait = min(fetch.BACKOFF * 2 ** (attempt - 1), fetch.BACKOFF_MAX)
                if exc.wait is not None:
                    if exc.wait > fetch.RETRY_AFTER_MAX:
                        raise fetch.FetchError(f"{exc} ; le serveur demande d'attendre {exc.wait:g} s : "
                                               "réessayez plus tard") from None
                    wait = max(wait, exc.wait)
                self.log(f"  {exc} ; nouvelle tentative dans {wait:g} s")
                self.sleep(wait)
                continue
            except (OSError, ValueError) as exc:
                raise fetch.FetchError(f"{where} : lecture interrompue ({exc})") from None
            if len(body) > MAX_JSON_BYTES:
                raise fetch.FetchError(f"{where} : réponse trop volumineuse (plus de {fetch._size(MAX_JSON_BYTES)})")
            if body.lstrip()[:1] == b"<":
                raise fetch.FetchError(f"{where} : le serveur a renvoyé une page HTML au lieu de données JSON")
            try:
                data = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise fetch.FetchError(f"{where} : réponse JSON illisible") from None
            if not isinstance(data, dict) or not isinstance(data.get("observations", []), list):
                raise fetch.FetchError(f"{where} : réponse inattendue (pas de liste « observations »)")
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    def observations(self, dataset: str, geos: list[str], filters: dict[str, str] | None = None,
                     page_size: int = PAGE_SIZE) -> Iterable[dict]:
        """Every observation of `dataset` for `geos` (`COM-62119`, `DEP-62`…), page by page."""
        groups = [geos[i:i + GEO_PER_REQUEST] for i in range(0, len(geos), GEO_PER_REQUEST)] or [[]]
        for group in groups:
            params = [("GEO", g) for g in group] + sorted((filters or {}).items())
            params += [("maxResult", str(page_size)), ("totalCount", "TRUE")]
            url = f"{self.base}/data/{urllib.parse.quote(dataset)}?{urllib.parse.urlencode(params)}"
            seen = {url}
            page = 1
            while True:
                data = self.get_json(url)
                obs = data.get("observations") or []
                yield from obs
                paging = data.get("paging") or {}
                nxt = paging.get("next")
                if nxt:
                    nxt = urllib.parse.urljoin(url, nxt)
                    if nxt in seen:
                        raise fetch.FetchError(f"Melodi : pagination en boucle ({nxt})")
                elif len(obs) >= page_size and (paging.get("count") is None or page * page_size < int(paging["count"])):
                    nxt = f"{self.base}/data/{urllib.parse.quote(dataset)}?" + urllib.parse.urlencode(
                        params + [("page", str(page + 1))])
                if not nxt or not obs:
                    break
                page += 1
                if page > MAX_PAGES:
                    raise fetch.FetchError(f"Melodi : plus de {MAX_PAGES} pages pour {dataset} ; filtrez la requête")
                seen.add(nxt)
                url = nxt


def split_geo(value: str) -> tuple[str, str]:
    """`2025-COM-62119` -> (`62119`, `COM`); `COM-62119` -> same; `FRANCE-F` -> (`F`, `FRANCE`)."""
    parts = str(value).split("-")
    if len(parts) >= 3 and parts[0].isdigit() and len(parts[0]) == 4:
        parts = parts[1:]
    if len(parts) >= 2:
        return "-".join(parts[1:]), parts[0]
    return str(value), ""


def _number(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, (int, float)):
        f = float(v)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    return str(v)


def rows(observations: Iterable[dict]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) in INSEE's long layout: GEO, GEO_OBJECT, the measure
    dimension(s) (`FILOSOFI_MEASURE`…) first, the other dimensions, the
    attributes (`CONF_STATUS`, `UNIT_MULT`…), then TIME_PERIOD, OBS_VALUE,
    OBS_STATUS, as in the CSV files of INSEE's catalogue."""
    out, dims, attrs = [], [], []
    for o in observations:
        d = dict(o.get("dimensions") or {})
        geo, obj = split_geo(d.pop("GEO", ""))
        period = d.pop("TIME_PERIOD", "")
        measures = o.get("measures") or {}
        value = None
        for m in measures.values():  # OBS_VALUE_NIVEAU, OBS_VALUE_INDICE…: the first one
            value = m.get("value") if isinstance(m, dict) else m
            break
        a = o.get("attributes") or {}
        a = dict(a) if isinstance(a, dict) else {}
        status = a.pop("OBS_STATUS", "")
        for k in d:
            if k not in dims:
                dims.append(k)
        for k in a:
            if k not in attrs:
                attrs.append(k)
        out.append((geo, obj, d, a, period, _number(value), "" if status is None else str(status)))
    measure_dims = [k for k in dims if k.endswith("_MEASURE") and k != "UNIT_MEASURE"]
    dims = measure_dims + [k for k in dims if k not in measure_dims]
    header = ["GEO", "GEO_OBJECT", *dims, *attrs, "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS"]

    def cell(v) -> str:
        return "" if v is None else str(v)

    table = [[g, obj, *[cell(d.get(k)) for k in dims], *[cell(a.get(k)) for k in attrs], str(p), v, s]
             for g, obj, d, a, p, v, s in out]
    table.sort(key=lambda r: tuple(r[:-2]))
    return header, table


def write_csv(path: Path, header: list[str], table: list[list[str]]) -> None:
    for r in [header, *table]:
        for cell in r:
            if ";" in cell or "\n" in cell or '"' in cell:
                raise fetch.FetchError(f"Melodi : valeur inattendue « {cell[:40]} » (contient ; ou un saut de ligne)")
    part = path.with_name(path.name + ".part")
    try:
        with open(part, "w", encoding="utf-8", newline="") as fh:
            fh.write(";".join(header) + "\n")
            for r in table:
                fh.write(";".join(r) + "\n")
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def territory_geos(territory_path: Path | None = None) -> list[str]:
    """The territory's communes and EPCI, its départements and régions, and France, as Melodi GEO filters."""
    from etl import territory as territory_mod
    from etl.reference import data as reference_data

    terr = territory_mod.load(territory_path)
    ref = reference_data.load(terr, None)
    communes = sorted(ref.communes["code"])
    deps = list(terr.departements) if terr.departements else sorted(set(ref.communes["departement"]))
    regs = list(terr.regions) if terr.regions else sorted(set(ref.communes["region"]))
    geos = [f"COM-{c}" for c in communes] + [f"EPCI-{e}" for e in terr.epci]
    geos += [f"DEP-{d}" for d in deps] + [f"REG-{r}" for r in regs]
    if terr.pays:
        geos += ["FRANCE-F", "FRANCE-FM"]
    return geos


def dataset_id(name: str) -> str:
    name = name.strip().upper()
    return name if name.startswith("DS_") else f"DS_{name}"


def fetch_dataset(dataset: str, dest: Path, *, client: MelodiClient, geos: list[str],
                  filters: dict[str, str] | None = None, page_size: int = PAGE_SIZE) -> tuple[Path, int]:
    ds = dataset_id(dataset)
    if not all(c.isalnum() or c == "_" for c in ds):
        raise fetch.FetchError(f"Melodi : identifiant de jeu de données invalide « {dataset} »")
    header, table = rows(client.observations(ds, geos, filters, page_size))
    if not table:
        raise fetch.FetchError(f"Melodi : aucune observation pour {ds} sur le territoire (identifiant ou filtres à vérifier)")
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{ds}_data.csv"
    write_csv(path, header, table)
    return path, len(table)


def main_fetch(args, cfg: "fetch.Sources", dest: Path) -> int:
    """`etl fetch --melodi X`: X is a [melodi.X] entry of sources.toml or a dataset id."""
    entry = cfg.melodi.get(args.melodi) or cfg.melodi.get(args.melodi.lower()) or {}
    dataset = str(entry.get("dataset", args.melodi))
    filters = {str(k): str(v) for k, v in (entry.get("filtres") or {}).items()}
    base = args.melodi_url or str(entry.get("url", "")) or MELODI_URL
    if fetch._host(base) not in cfg.allowed_hosts:
        print(f"ERREUR : l'hôte {fetch._host(base)} n'est pas dans allowed_hosts de datasets/sources.toml", file=sys.stderr)
        return 2
    client = MelodiClient(base, allowed_hosts=cfg.allowed_hosts, timeout=args.timeout, retries=max(0, args.retries))
    try:
        geos = territory_geos()
        print(f"Melodi : {dataset_id(dataset)} pour {len(geos)} territoires (30 requêtes par minute au plus)…",
              file=sys.stderr)
        path, n = fetch_dataset(dataset, dest, client=client, geos=geos, filters=filters)
    except fetch.FetchError as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 1
    print(f"Melodi : {n} observations écrites dans {path} ({client.requests} requêtes)", file=sys.stderr)
    return 0
