"""The data behind a chart as files a French office opens without fuss: CSV for a French
Excel (`;`, UTF-8 with BOM, decimal comma) and XLSX (number formats, a "Sources" sheet)."""
from __future__ import annotations

import io
import re
import unicodedata

import pandas as pd

from components.chart_meta import ChartMeta
from components.format import STATUTS

DEMO_COLONNE = "Données de démonstration"
# Readable French headers for the warehouse's column names; other columns keep their name.
ENTETES = {
    "indicateur": "Indicateur", "libelle": "Libellé", "niveau": "Niveau", "code": "Code",
    "nom": "Territoire", "millesime": "Millésime", "valeur": "Valeur", "unite": "Unité",
    "statut": "Statut", "epci": "EPCI", "rang": "Rang", "source_id": "Source",
}
INTEGER_COLUMNS = {"millesime", "rang"}  # years and ranks: no thousands separator


def slug(text: str) -> str:
    """"Béthune-Bruay, Artois Lys Romane" -> "bethune-bruay-artois-lys-romane"."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "sans-nom"


def file_name(meta: ChartMeta, ext: str) -> str:
    """chiffres-clefs_<territoire>_<indicateur>_<millesime>.<ext>"""
    millesime = str(meta.millesime) if meta.millesime else "tous-millesimes"
    return f"chiffres-clefs_{slug(meta.territoire_nom)}_{slug(meta.indicateur)}_{millesime}.{ext}"


def table(data: pd.DataFrame, meta: ChartMeta) -> pd.DataFrame:
    """The exported table: French headers, statut in words, a visible demonstration column."""
    out = data.copy()
    for col in out.select_dtypes("float").columns:
        out[col] = out[col].round(6)  # no "0,30000000000000004" in a note
    if "statut" in out.columns:
        out["statut"] = out["statut"].map(lambda s: STATUTS.get(s, "") if isinstance(s, str) else "")
    demo = out.pop("demo").fillna(False).astype(bool) if "demo" in out.columns else pd.Series(meta.demo, index=out.index)
    out[DEMO_COLONNE] = demo.map({True: "oui", False: "non"})
    return out.rename(columns=ENTETES)


def csv_bytes(data: pd.DataFrame, meta: ChartMeta) -> bytes:
    text = table(data, meta).to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _number_format(name: str, series: pd.Series) -> str | None:
    if name in INTEGER_COLUMNS:
        return "0"
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    values = series.dropna()
    if len(values) and (values == values.round()).all():
        return "#,##0"
    return "#,##0.0##"


def _cell(value):
    """openpyxl wants plain Python values; missing values become empty cells."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _data_sheet(ws, data: pd.DataFrame, meta: ChartMeta) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    formats = {col: _number_format(col, data[col]) for col in data.columns}
    out = table(data, meta)
    ws.append(list(out.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in out.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for j, (original, header) in enumerate(zip(list(data.columns) + [None], out.columns), start=1):
        fmt = formats.get(original) if original else None
        letter = get_column_letter(j)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
        ws.column_dimensions[letter].width = max(12, min(45, len(str(header)) + 4))
    ws.freeze_panes = "A2"


def _sources_sheet(ws, meta: ChartMeta) -> None:
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    rows = [("Titre", meta.titre), ("Territoire", f"{meta.territoire_nom} ({meta.territoire_code})"),
            ("Millésime", meta.millesime), ("Source", meta.source)]
    if meta.agence:
        rows.append(("Réalisation", meta.agence))
    for label, value in rows:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = bold
    if meta.demo:
        ws.append([DEMO_COLONNE, "oui : ces valeurs ne sont pas des données officielles"])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True, color="7A2E00")
            cell.fill = PatternFill("solid", fgColor="FFE9CC")
    ws.append([])
    header = ["Indicateur", "Libellé", "Unité", "Définition", "Source", "Millésime", "Licence", DEMO_COLONNE]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for f in meta.indicateurs:
        ws.append([f.indicateur, f.libelle, f.unite, f.definition, f.source, f.millesime, f.licence,
                   "oui" if f.demo else "non"])
    for letter, width in zip("ABCDEFGH", (22, 40, 14, 70, 50, 11, 40, 14)):
        ws.column_dimensions[letter].width = width


def xlsx_bytes(data: pd.DataFrame, meta: ChartMeta) -> bytes:
    # openpyxl (≈ 6 MB resident once imported) is only needed when a visitor clicks "XLSX":
    # imported here, not when every page renders its download buttons
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Données"
    _data_sheet(ws, data, meta)
    _sources_sheet(wb.create_sheet("Sources"), meta)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
