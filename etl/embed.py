"""`python -m etl embed --raw DIR`: derived real extracts for the embedded default.

The national INSEE files are never committed. From them this writes, under
`datasets/embedded/`, one small CSV per source holding only what the default
territory needs:

- the rows of the territory's communes, and of the old communes merged into
  them (the build harmonises them as it does the national file);
- the rows of every reference level of the territory (département(s),
  région(s), France): counts summed over ALL the communes of France in the file,
  with the build's own rules (`values._reference_levels`: coverage, the few
  tolerated empty cells, communes with no value at all left out); published
  values (Filosofi EPCI, DEP, REG, METRO rows) as INSEE published them, never
  re-derived;
- the published Filosofi rows of the territory's EPCI.

Layout of `<source_id>.csv` (UTF-8, `;`, decimal point): columns `niveau`,
`code`, then one column per `<generic variable>_<vintage>` (`P_LOG_2021`,
`MED_2019`); a cell is a number written with full precision, or, when the value
is missing, the name of its statut (`secret`, `non_disponible`,
`non_applicable`, `manquant`, `secret_ou_non_disponible`, `incomplet`); an
empty cell means the source has no such row (a median is never summed).
`sources.csv` describes each extract (the original file, its SHA-256, the
territory it was made for); README.md gives the attribution and the command.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from etl import catalogue as catalogue_mod
from etl import paths, territory as territory_mod, values
from etl.reference import data as reference_data
from etl.errors import BuildError, InputError
from etl.readers.common import ReadResult
from etl.territories import build_territoires

EMBEDDED = paths.DATASETS / "embedded"
MANIFEST = "sources.csv"
MANIFEST_COLUMNS = ["source_id", "famille", "titre", "fichier_origine", "sha256_origine", "geographie", "millesimes",
                    "url", "licence", "producteur", "territoire", "extrait", "notes"]
# Families the default takes from the national files (the legal populations are
# already real in datasets/reference/populations.csv).
FAMILIES = ("comparateur", "filosofi", "logement", "evol_struct_pop", "emploi_pop_active", "serie_historique")
COMMAND = "python -m etl embed --raw DOSSIER_DES_FICHIERS_INSEE"


def _number(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def extract(result: ReadResult, territoires: pd.DataFrame, ref: reference_data.Reference,
            variables: pd.DataFrame, agregation: dict[str, str]) -> pd.DataFrame:
    """The long rows (niveau, code, variable, millesime, valeur, statut) of one
    source that the default territory needs."""
    fam = variables[variables["famille"] == result.info.famille]
    used = set(fam["variable"])
    d = result.data[result.data["variable"].isin(used)]
    # summable variables: every indicator they feed is a sum
    summable = {v for v, g in fam.groupby("variable") if all(agregation.get(i) == "somme" for i in g["indicateur"])}
    terr_com = set(territoires.loc[territoires["niveau"] == "commune", "code"])
    merged = set(ref.fusions.loc[ref.fusions["code"].isin(terr_com), "ancien_code"])
    keys = set(zip(territoires["niveau"], territoires["code"]))
    com = d[d["niveau"] == "commune"]
    parts = [com[com["code"].isin(terr_com | merged)]]
    published = d[d["niveau"] != "commune"]
    published = published[np.array([k in keys for k in zip(published["niveau"], published["code"])], dtype=bool)]
    parts.append(published)
    ref_levels = territoires[territoires["niveau"].isin(["departement", "region", "pays"])]
    sums = com[com["variable"].isin(summable)]
    if not sums.empty and not ref_levels.empty:
        work = sums.rename(columns={"variable": "indicateur"})
        ids = work[["indicateur", "millesime"]].drop_duplicates()
        agg = values._reference_levels(work, ref_levels[["niveau", "code"]], ref.departements, ids)
        agg = agg.rename(columns={"indicateur": "variable"})
        # a level INSEE publishes in the file (Filosofi DEP, REG) keeps its published row
        have = set(zip(published["niveau"], published["code"], published["variable"], published["millesime"]))
        agg = agg[np.array([k not in have for k in zip(agg["niveau"], agg["code"], agg["variable"], agg["millesime"])],
                           dtype=bool)]
        agg = agg[agg["statut"] != "hors_source"]
        parts.append(agg[["niveau", "code", "variable", "millesime", "valeur", "statut"]])
    out = pd.concat(parts, ignore_index=True)
    out["statut"] = out["statut"].astype(object).where(out["statut"].notna(), None)
    return out


def to_wide(long: pd.DataFrame) -> pd.DataFrame:
    cell = [(_number(v) if s is None and not np.isnan(v) else (s or "manquant"))
            for v, s in zip(long["valeur"], long["statut"])]
    w = long.assign(colonne=long["variable"] + "_" + long["millesime"].astype(str), cellule=cell)
    wide = w.pivot(index=["niveau", "code"], columns="colonne", values="cellule").reset_index()
    order = {"commune": 0, "epci": 1, "departement": 2, "region": 3, "pays": 4}
    wide = wide.sort_values(["niveau", "code"], key=lambda s: s.map(order) if s.name == "niveau" else s)
    cols = ["niveau", "code"] + sorted(c for c in wide.columns if c not in ("niveau", "code"))
    return wide[cols].fillna("")  # empty: no such row in the source (e.g. no computed median)


def embed(raw_dir: Path, out: Path | None = None, territory_path: Path | None = None, log=print) -> list[Path]:
    from etl.build import _check_anomalies
    from etl.readers import registry

    out = Path(out) if out else EMBEDDED
    terr = territory_mod.load(territory_path)
    ref = reference_data.load(terr)
    cat = catalogue_mod.load_catalogue()
    variables = catalogue_mod.load_variables(cat)
    agregation = dict(zip(cat["indicateur"], cat["agregation"]))
    territoires = build_territoires(terr, ref)
    results = []
    for path, reader, reason in registry.scan(raw_dir):
        if reader is None:
            log(f"  ignoré   {path.name} : {reason}")
            continue
        result = reader.read(path, variables=set(variables["variable"]), lenient=True)
        if result.info.famille not in FAMILIES:
            log(f"  ignoré   {path.name} : {result.info.famille} (déjà réel dans datasets/reference/)")
            continue
        log(f"  reconnu  {path.name} : {result.info.titre}")
        results.append((path, result))
    if not results:
        raise BuildError(f"{raw_dir} : aucun fichier Insee utilisable pour les extraits embarqués")
    _check_anomalies([r for _, r in results], territoires, ref.fusions, log)
    out.mkdir(parents=True, exist_ok=True)
    written, manifest = [], []
    for path, r in results:
        long = extract(r, territoires, ref, variables, agregation)
        if long.empty:
            log(f"  (aucune variable du catalogue dans {path.name})")
            continue
        name = f"{r.info.source_id}.csv"
        target = out / name
        to_wide(long).to_csv(target, sep=";", index=False, encoding="utf-8", lineterminator="\n")
        written.append(target)
        manifest.append(dict(
            source_id=r.info.source_id, famille=r.info.famille, titre=r.info.titre, fichier_origine=r.info.fichier,
            sha256_origine=r.info.sha256, geographie=r.info.geographie or "",
            millesimes=",".join(str(m) for m in sorted(long["millesime"].unique())), url=r.info.url or "",
            licence=r.info.licence, producteur=r.info.producteur, territoire=terr.code, extrait=name,
            notes=" ; ".join(r.info.notes)))
        log(f"  écrit    {target} ({target.stat().st_size // 1024} Ko, {long['code'].nunique()} territoires)")
    pd.DataFrame(manifest, columns=MANIFEST_COLUMNS).to_csv(out / MANIFEST, sep=";", index=False, encoding="utf-8",
                                                            lineterminator="\n")
    (out / "README.md").write_text(_readme(manifest, terr), encoding="utf-8")
    for stale in out.glob("*.csv"):
        if stale.name != MANIFEST and stale not in written:
            stale.unlink()
            log(f"  supprimé {stale} (source absente de {raw_dir})")
    return written


def _readme(manifest: list[dict], terr) -> str:
    lines = [
        "# datasets/embedded/ — extraits réels embarqués",
        "",
        "Extraits **dérivés** des fichiers nationaux de l'Insee, pour le territoire "
        f"« {terr.nom} » ({terr.code}) et ses niveaux de référence. La construction les lit "
        "à chaque fois, comme des sources réelles (pas de démonstration), même sans aucun "
        "fichier dans `datasets/raw/`. Les fichiers nationaux ne sont jamais versionnés.",
        "",
        "## Sources et licence",
        "",
        "Producteur : **Insee**. Licence : **Licence Ouverte / Open Licence 2.0 (Etalab)** — "
        "réutilisation libre, y compris commerciale, sous réserve de mentionner la source "
        "(« Source : Insee ») et la date de mise à jour.",
        "",
        "| extrait | source (fichier tel que téléchargé) | millésimes | géographie | SHA-256 du fichier d'origine |",
        "|---|---|---|---|---|",
    ]
    for m in manifest:
        lines.append(f"| `{m['extrait']}` | {m['titre']} — `{m['fichier_origine']}` | {m['millesimes']} "
                     f"| {m['geographie']} | `{m['sha256_origine'][:16]}…` |")
    lines += [
        "",
        "## Contenu",
        "",
        "- les lignes des communes du territoire, et des anciennes communes fusionnées dans "
        "l'une d'elles (la construction les harmonise comme elle le fait du fichier national) ;",
        "- les lignes de chaque niveau de référence (départements, régions, France) : effectifs "
        "**additionnés sur toutes les communes de France du fichier** avec les règles de la "
        "construction (`etl/values._reference_levels`), valeurs **publiées** par l'Insee telles "
        "quelles (lignes EPCI, DEP, REG, METRO de Filosofi) — une médiane n'est jamais recalculée ;",
        "- seules les variables que le catalogue utilise (`datasets/variables.csv`).",
        "",
        "## Format",
        "",
        "Un CSV par source (`;`, UTF-8, point décimal) : colonnes `niveau`, `code`, puis une colonne "
        "par `<variable générique>_<millésime>` (`P_LOG_2021`, `MED_2019`). Une cellule est un nombre "
        "en pleine précision, ou le nom du statut d'une valeur manquante (`secret`, `non_disponible`, "
        "`non_applicable`, `manquant`, `secret_ou_non_disponible`, `incomplet`) ; une cellule vide "
        "signifie que la source n'a pas cette ligne (par exemple une médiane au niveau département "
        "dans le comparateur). `sources.csv` décrit chaque extrait (fichier d'origine, empreinte, "
        "territoire pour lequel il a été fait).",
        "",
        "## Reconstruire",
        "",
        "Télécharger les fichiers officiels (base du comparateur de territoires "
        "`base_cc_comparateur_csv.zip`, Filosofi `base-cc-filosofi-2019_CSV.zip`, base chiffres clés "
        "logement 2021…) dans un dossier, puis :",
        "",
        "```",
        "python -m etl embed --raw DOSSIER_DES_FICHIERS_INSEE",
        "```",
        "",
        "La commande réécrit ce dossier (ce fichier compris) ; `tests/test_real_comparateur_filosofi.py` "
        "vérifie que les extraits versionnés sont, octet pour octet, ceux qu'elle écrit. Après un "
        "changement de `territory.toml`, relancer la commande : un extrait fait pour un autre "
        "territoire est ignoré par la construction, avec un message.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl embed",
                                     description="écrire les extraits réels embarqués (datasets/embedded/) "
                                                 "à partir des fichiers nationaux de l'Insee")
    parser.add_argument("--raw", type=Path, required=True, help="dossier des fichiers Insee tels que téléchargés")
    parser.add_argument("--out", type=Path, default=None, help="dossier des extraits (défaut : datasets/embedded/)")
    parser.add_argument("--territory", type=Path, default=None, help="fichier de territoire")
    args = parser.parse_args(argv)
    try:
        embed(args.raw, args.out, args.territory)
    except (InputError, BuildError) as exc:
        print(f"ERREUR : {exc}\nLes extraits existants sont conservés.", file=sys.stderr)
        return 2
    return 0

