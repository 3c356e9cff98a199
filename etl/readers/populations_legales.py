"""Populations légales (`donnees_communes.csv` of `ensemble.zip`, and the older
`.xls` with a *Communes* sheet). The layout changes between vintages:

- PL2019  `REG;DEP;COM;PMUN;PCAP;PTOT`                     COM = 5-char code
- PL2020  `CODREG;REG;CODDEP;CODARR;CODCAN;CODCOM;COM;PMUN…` CODCOM = 3 digits, COM = name
- PL2021+ `REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;Commune;PMUN…` COM = 5-char code
- PL2016 `.xls`, sheet *Communes*, header on row 8 ("Code département", "Code commune",
  "Population municipale").

The file carries no vintage: it comes from the file name (`PL2021`,
`populations-legales-2021`), or for the `.xls` from its banner.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from etl.errors import InputError
from etl.readers import files, wide
from etl.readers.common import ReadResult

VINTAGE = re.compile(r"(?:PL|populations?[-_ ]l[ée]gales?[-_ ])(\d{4})", re.IGNORECASE)
CSV_NAME = re.compile(r"donnees_communes", re.IGNORECASE)
XLS_NAME = re.compile(r"ensemble.*\.xlsx?$|populations?[-_]l[ée]gales?.*\.xlsx?$", re.IGNORECASE)
CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def recognise(path) -> bool:
    path = Path(path)
    for name in wide.names_in(path):
        if files.is_meta(name):
            continue
        if CSV_NAME.search(name) and name.lower().endswith(".csv"):
            return True
        if XLS_NAME.search(name) and VINTAGE.search(name):
            return True
    if path.suffix.lower() == ".csv":
        header = wide.first_line(path).split(";")
        return "PMUN" in header and ("COM" in header or "CODCOM" in header)
    return False


def _vintage_from_names(path: Path) -> int | None:
    for name in [path.name, path.parent.name] + wide.names_in(path)[1:]:
        m = VINTAGE.search(name)
        if m:
            return int(m.group(1))
    return None


def _codes_csv(name: str, table: pa.Table) -> np.ndarray:
    """5-char commune codes whatever the vintage's layout."""
    cols = table.column_names
    if "COM" in cols:
        com = files.column_codes(name, table, "COM")
        sample = [c for c in com[:200] if c]
        if sample and sum(bool(CODE.match(c)) or (len(c) == 4 and c.isdigit()) for c in sample) > len(sample) / 2:
            return com
    dep_col = "CODDEP" if "CODDEP" in cols else "DEP"
    if "CODCOM" in cols and dep_col in cols:
        dep = files.column_codes(name, table, dep_col)
        com = files.column_codes(name, table, "CODCOM")
        return np.array([d.zfill(2)[:2] + c.zfill(3) for d, c in zip(dep, com)], dtype=object)
    raise InputError(name, "colonnes du code commune introuvables (COM, ou CODDEP/DEP + CODCOM attendues)", line=1)


def _read_csv(member: files.Member) -> tuple[np.ndarray, pa.ChunkedArray]:
    table = files.parse_table(member.name, member.data)
    if "PMUN" not in table.column_names:
        raise InputError(member.name, "colonne PMUN (population municipale) absente", line=1)
    return _codes_csv(member.name, table), table["PMUN"]


def _read_xls(member: files.Member) -> tuple[np.ndarray, pa.Array, int | None, int | None, int]:
    """(codes, PMUN strings, vintage, geography, header row index) from the *Communes* sheet."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=member.data)
        sheet = book.sheet_by_name("Communes")
    except xlrd.biffh.XLRDError as exc:
        raise InputError(member.name, f"classeur illisible ou sans feuille « Communes » ({exc})") from None
    header_row = None
    banner = []
    for i in range(min(sheet.nrows, 20)):
        row = [str(v).strip() for v in sheet.row_values(i)]
        if "Code commune" in row:
            header_row = i
            break
        banner.append(" ".join(row))
    if header_row is None:
        raise InputError(member.name, "ligne d'en-tête « Code commune » introuvable dans la feuille Communes")
    header = [str(v).strip() for v in sheet.row_values(header_row)]
    try:
        i_dep, i_com, i_pmun = header.index("Code département"), header.index("Code commune"), header.index("Population municipale")
    except ValueError as exc:
        raise InputError(member.name, f"colonne attendue absente de la feuille Communes : {exc}", line=header_row + 1) from None
    codes, pmun = [], []
    for i in range(header_row + 1, sheet.nrows):
        row = sheet.row_values(i)
        dep, com = str(row[i_dep]).strip(), str(row[i_com]).strip()
        if not dep and not com:
            continue
        codes.append(dep.zfill(2)[:2] + com.zfill(3))
        v = row[i_pmun]
        pmun.append(repr(float(v)) if isinstance(v, float) else str(v))
    text = " ".join(banner)
    vintage = re.search(r"référence statistique\s*:\s*1er janvier (\d{4})", text)
    geo = re.search(r"limites territoriales en vigueur au 1er janvier (\d{4})", text)
    return (
        np.array(codes, dtype=object),
        pa.array(pmun, type=pa.string()),
        int(vintage.group(1)) if vintage else None,
        int(geo.group(1)) if geo else None,
        header_row,
    )


def read(path, *, url: str | None = None, variables: set[str] | None = None, lenient: bool = False) -> ReadResult:
    """`variables` is accepted for a uniform reader interface; the file holds one variable.
    `lenient`: bad PMUN cells become `invalide` and are listed in `info.anomalies`."""
    path = Path(path)

    def want(member: str) -> bool:
        return bool(CSV_NAME.search(member) and member.lower().endswith(".csv")) or bool(XLS_NAME.search(member))

    members = files.open_members(path, want)
    member = next((m for m in members if CSV_NAME.search(m.name)), members[0])
    vintage = _vintage_from_names(path)
    geo = files.geography_in_name(path.name) or files.geography_in_name(member.name)
    notes: list[str] = []
    header_row = 0
    if member.name.lower().endswith((".xls", ".xlsx")):
        codes, pmun, v2, g2, header_row = _read_xls(member)
        vintage = vintage or v2
        geo = geo or g2
    else:
        codes, pmun = _read_csv(member)
    if vintage is None:
        raise InputError(
            member.name,
            "millésime des populations légales inconnu : renommez le fichier avec son millésime "
            "(ex. donnees_communes_PL2021.csv ou populations-legales-2021_ensemble.zip)",
        )
    codes = files.repair_codes(member.name, codes, "commune", notes, column="COM")
    # xls lines: data start after the header row (1-based line = index + header_row + 2)
    try:
        files.check_duplicates(member.name, codes, column="COM")
        bad: list[files.BadCell] | None = [] if lenient else None
        values, statut = files.convert_column(member.name, pmun, "PMUN", bad=bad)
    except InputError as exc:
        if header_row and exc.line is not None:
            exc.line += header_row
            exc.args = (str(exc),)
        raise
    anomalies = [{"fichier": member.name, "ligne": c.row + 2 + header_row, "colonne": c.column, "niveau": "commune",
                  "code": codes[c.row], "texte": c.text, "message": c.message} for c in bad or []]
    codes, parts = files.fold_plm(codes, [("PMUN", vintage, values, statut)], notes)
    df = files.long_frame("commune", codes, parts)
    info = wide.new_info(
        path,
        source_id=f"populations-legales-{vintage}",
        famille="populations_legales",
        geographie=geo or vintage + 2,
        url=url,
        titre=f"Populations légales {vintage} (Insee, recensement de la population)",
    )
    info.fichier = member.name
    info.millesimes = [vintage]
    info.notes = notes
    info.anomalies = anomalies
    return ReadResult(info=info, data=files.finish(df))


def national_total(result: ReadResult) -> float:
    """Sum of PMUN over every commune (a sanity figure for tests and logs)."""
    d = result.data
    return float(pd.to_numeric(d.loc[d["variable"] == "PMUN", "valeur"]).sum())
