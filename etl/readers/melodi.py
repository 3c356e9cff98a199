"""INSEE's long format (Melodi catalogue, `DS_<DATASET>_data.csv`, alone or in
the zip as downloaded, e.g. `base-cc-filosofi-2021-geo2025_csv.zip`): one row
per observation

    GEO;GEO_OBJECT;<X>_MEASURE;UNIT_MEASURE;UNIT_MULT;CONF_STATUS;OBS_STATUS;TIME_PERIOD;OBS_VALUE

with a `DS_<DATASET>_metadata.csv` dictionary (COD_VAR;LIB_VAR;COD_MOD;LIB_MOD).
`GEO_OBJECT` gives the level (COM, ARM, EPCI, DEP, REG, FRANCE with GEO `F`
France entière or `FM` France métropolitaine, and zonings the warehouse does not
use); `CONF_STATUS` `C` is a confidential (secret) value, `F` a free one;
`OBS_STATUS` `A` a normal value, `O` a missing one. Measures are renamed to the
generic variables of the wide files (`MED_SL` -> `MED`), so that
datasets/variables.csv maps both layouts to the same indicators."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.errors import InputError
from etl.readers import files, wide
from etl.readers.common import ReadResult

DATA = re.compile(r"DS_([A-Z0-9_]+?)(?:_\d{4})?_data\.csv$", re.IGNORECASE)
META = re.compile(r"DS_([A-Z0-9_]+?)(?:_\d{4})?_metadata\.csv$", re.IGNORECASE)
REQUIRED = ("GEO", "GEO_OBJECT", "TIME_PERIOD", "OBS_VALUE")
# dataset -> (famille, {measure: generic variable of the wide files})
DATASETS = {
    "FILOSOFI_CC": ("filosofi", {
        "MED_SL": "MED", "PR_MD60": "TP60", "D1_SL": "D1", "D9_SL": "D9", "IR_D9_D1_SL": "RD", "S_HH_TAX": "PIMP",
    }),
}
NIVEAUX = {"COM": "commune", "EPCI": "epci", "DEP": "departement", "REG": "region", "FRANCE": "pays"}
FRANCE = {"F": "France entière", "FM": "France métropolitaine"}


def _data_member(path: Path) -> str | None:
    for name in wide.names_in(path):
        if DATA.search(name):
            return name
    return None


def _header(path: Path) -> list[str]:
    path = Path(path)
    try:
        member = files.open_members(path, lambda n: DATA.search(n) is not None)[0]
        with member.open() as fh:
            head = fh.read(65536)
    except (InputError, OSError):
        return []
    line = files.decode(member.name, head).split("\n", 1)[0].rstrip("\r")
    return [c.strip().strip('"') for c in line.split(";")]


def recognise(path) -> bool:
    path = Path(path)
    if _data_member(path) is None:
        return False
    header = _header(path)
    return all(c in header for c in REQUIRED) and any(c.endswith("_MEASURE") for c in header)


def _libelles(path: Path, measures: dict[str, str]) -> dict[str, str]:
    """Generic variable -> label of its measure, from the metadata file."""
    path = Path(path)
    raw = None
    if path.suffix.lower() == ".zip":
        import zipfile
        metas = [n for n in files.zip_members(path) if META.search(files.basename(n))]
        if metas:
            with zipfile.ZipFile(path) as zf:
                raw = zf.read(metas[0])
    else:
        for p in path.parent.iterdir():
            if META.search(p.name):
                raw = p.read_bytes()
                break
    if raw is None:
        return {}
    try:
        table = files.parse_table("metadata", raw)
    except InputError:
        return {}
    if not {"COD_VAR", "COD_MOD", "LIB_MOD"} <= set(table.column_names):
        return {}
    df = table.to_pandas()
    df = df[df["COD_VAR"].str.endswith("_MEASURE")]
    return {measures[m]: lib for m, lib in zip(df["COD_MOD"], df["LIB_MOD"]) if m in measures}


def read(path, *, url: str | None = None, variables: set[str] | None = None, lenient: bool = False) -> ReadResult:
    """`variables`: generic variables to keep (None: all)."""
    path = Path(path)
    if not recognise(path):
        raise InputError(path, "fichier non reconnu au format long de l'Insee (DS_…_data.csv avec GEO, GEO_OBJECT, "
                               "…_MEASURE, TIME_PERIOD, OBS_VALUE)")
    member = files.open_members(path, lambda n: DATA.search(n) is not None)[0]
    dataset = DATA.search(member.name).group(1).upper()
    if dataset not in DATASETS:
        raise InputError(member.name, f"jeu de données {dataset} non pris en charge (pris en charge : "
                                      + ", ".join(DATASETS) + ")")
    famille, measures = DATASETS[dataset]
    columns, encoding = files.sniff(member)
    measure_col = next(c for c in columns if c.endswith("_MEASURE"))
    table = pa.concat_tables(list(files.batches(member, columns, encoding)))
    if table.num_rows == 0:
        raise InputError(member.name, "aucune ligne de données après l'en-tête (fichier tronqué ?)", line=2)
    df = pd.DataFrame({c: table.column(c).to_numpy(zero_copy_only=False) for c in
                       ["GEO", "GEO_OBJECT", measure_col, "TIME_PERIOD", "OBS_VALUE"]
                       + [c for c in ("CONF_STATUS", "OBS_STATUS") if c in columns]})
    df["_line"] = np.arange(len(df)) + 2
    info = wide.new_info(path, source_id=f"melodi-{dataset.lower().replace('_', '-')}", famille=famille,
                         geographie=files.geography_in_name(path.name), url=url, titre="")
    # levels: kept, or recognised and ignored with a note
    objet = df["GEO_OBJECT"].str.strip().str.upper()
    ignored = sorted(set(objet) - set(NIVEAUX))
    if ignored:
        info.notes.append("niveaux ignorés (sans place dans l'entrepôt) : " + ", ".join(ignored)
                          + ("" if "ARM" not in ignored else " (arrondissements municipaux : la commune est publiée)"))
    geo = df["GEO"].str.strip()
    france = objet == "FRANCE"
    unknown_fr = france & ~geo.isin(FRANCE)
    if unknown_fr.any():
        i = int(np.flatnonzero(unknown_fr.to_numpy())[0])
        raise InputError(member.name, f"code France inconnu « {geo.iloc[i]} » (F ou FM attendus)", line=i + 2,
                         column="GEO")
    # France entière when published, else France métropolitaine (said in the notes)
    if (france & (geo == "F")).any():
        keep_fr = france & (geo == "F")
        info.notes.append("niveau France : valeurs publiées pour la France entière (GEO F)")
    else:
        keep_fr = france & (geo == "FM")
        if keep_fr.any():
            info.notes.append("niveau France : valeurs publiées par l'Insee pour la France métropolitaine (GEO FM), "
                              "le fichier ne publie pas de valeur France entière")
    keep = objet.isin(set(NIVEAUX) - {"FRANCE"}) | keep_fr
    measure = df[measure_col].str.strip()
    skipped = sorted(set(measure[keep]) - set(measures))
    if skipped:
        info.notes.append("mesures sans indicateur du catalogue ignorées : " + ", ".join(skipped[:12])
                          + (" …" if len(skipped) > 12 else ""))
    keep &= measure.isin(measures)
    df, objet, geo, measure = df[keep], objet[keep], geo[keep], measure[keep]
    variable = measure.map(measures)
    if variables is not None:
        sel = variable.isin(variables)
        df, objet, geo, variable = df[sel], objet[sel], geo[sel], variable[sel]
    period = df["TIME_PERIOD"].str.strip()
    bad_period = ~period.str.fullmatch(r"\d{4}")
    if bad_period.any():
        i = int(np.flatnonzero(bad_period.to_numpy())[0])
        raise InputError(member.name, f"période « {period.iloc[i]} » : une année (AAAA) attendue",
                         line=int(df["_line"].iloc[i]), column="TIME_PERIOD")
    bad: list[files.BadCell] | None = [] if lenient else None
    frames = []
    for obj, niveau in NIVEAUX.items():
        rows = (objet == obj).to_numpy()
        if not rows.any():
            continue
        sub = df[rows]
        codes = geo[rows].to_numpy(dtype=object)
        codes = (np.full(len(codes), "FR", dtype=object) if niveau == "pays"
                 else files.repair_codes(member.name, codes, niveau, info.notes, column="GEO"))
        values, statut = _convert(member.name, sub, bad)
        frames.append(pd.DataFrame({
            "niveau": niveau, "code": codes, "variable": variable[rows].to_numpy(dtype=object),
            "millesime": period[rows].astype("int64").to_numpy(), "valeur": values,
            "statut": pd.Series(statut, dtype=object), "_line": sub["_line"].to_numpy(),
        }))
        for cell in bad or []:
            cell_line = int(sub["_line"].iloc[cell.row])
            info.anomalies.append({"fichier": member.name, "ligne": cell_line, "colonne": "OBS_VALUE",
                                   "niveau": niveau, "code": codes[cell.row], "texte": cell.text,
                                   "message": cell.message})
        if bad:
            bad.clear()
    data = pd.concat(frames, ignore_index=True) if frames else files.empty_frame().assign(_line=0)
    dup = data.duplicated(["niveau", "code", "variable", "millesime"])
    if dup.any():
        r = data[dup].iloc[0]
        raise InputError(member.name, f"observation en double : {r['code']} {r['variable']} {r['millesime']}",
                         line=int(r["_line"]))
    if "commune" in set(data["niveau"]):
        info.notes.append("communes : valeurs publiées (une médiane ne s'additionne pas)")
    years = sorted({int(y) for y in data["millesime"]})
    info.millesimes = years
    info.source_id = f"{famille}-{max(years)}" if years else info.source_id
    info.geographie = info.geographie or (max(years) + 4 if years else None)
    info.fichier = member.name
    info.titre = (f"Filosofi {max(years) if years else ''} — revenus, pauvreté et niveau de vie (format long Melodi)"
                  if famille == "filosofi" else dataset)
    info.libelles = _libelles(path, measures)
    return ReadResult(info=info, data=files.finish(data.drop(columns=["_line"])))


def _convert(name: str, sub: pd.DataFrame, bad) -> tuple[np.ndarray, np.ndarray]:
    """OBS_VALUE -> (values, statut): confidential (`CONF_STATUS` C) is secret,
    a missing observation (`OBS_STATUS` O, or an empty value) is `manquant`,
    INSEE's markers as in the wide files; line numbers are the file's."""
    raw = sub["OBS_VALUE"].astype(str).str.strip()
    conf = sub["CONF_STATUS"].str.strip().eq("C") if "CONF_STATUS" in sub else pd.Series(False, index=sub.index)
    missing = sub["OBS_STATUS"].str.strip().eq("O") if "OBS_STATUS" in sub else pd.Series(False, index=sub.index)
    cells = raw.where(~(conf | missing), "")
    values = np.full(len(sub), np.nan)
    statut = np.full(len(sub), None, dtype=object)
    # line numbers: convert row by row position, then report the file's line
    lines = sub["_line"].to_numpy()
    local: list[files.BadCell] | None = [] if bad is not None else None
    try:
        v, s = files.convert_column(name, pa.array(cells.tolist(), type=pa.string()), "OBS_VALUE",
                                    allow_negative=True, bad=local)
    except InputError as exc:
        exc.line = int(lines[exc.line - 2]) if exc.line is not None else None
        exc.args = (str(exc),)
        raise
    values[:] = v
    statut[:] = s
    statut[conf.to_numpy()] = "secret"
    statut[(missing & ~conf).to_numpy()] = "manquant"
    if local is not None:
        bad.extend(local)
    return values, statut
