"""The data behind a chart as files a French office opens without fuss.

CSV, for a French Excel (`;`, UTF-8 with BOM, decimal comma), made to be pasted in a note:
a block of description lines first (title, territory, what the values are and their unit,
source, vintage, agency, demonstration flag), one empty line, then the table. Values are
rounded as the site displays them (catalogue `decimales`); the header names the indicator
and its unit. The block is on top, not in a companion file: one file that says what it is,
and that Excel opens as it is (two columns of text above the table). A program reading the
table skips the lines up to the first empty one (`CSV_BLOCK_END`).

XLSX keeps the full precision: sheet « Données » (the table, number formats by unit, widths
fitted to the content) and sheet « Sources » (title, unit of the values, source, vintage,
definitions and licences).

Every text cell of both goes through `formula_safe`: partner files are edited by hand, and
a cell starting like a spreadsheet formula must never run when a staff member opens an
export (OWASP « CSV injection »)."""
from __future__ import annotations

import io
import math
import re
import unicodedata

import pandas as pd

from components.chart_meta import ChartMeta
from components.format import STATUTS
from datasets import niveaux

DEMO_COLONNE = "Données de démonstration"
# Readable French headers for the warehouse's column names; other columns get theirs
# un-snake-cased ("nb_jours" -> "Nb jours"). "valeur" is named by `valeurs()`.
ENTETES = {
    "indicateur": "Indicateur", "libelle": "Libellé", "niveau": "Niveau", "code": "Code",
    "nom": "Territoire", "millesime": "Millésime", "unite": "Unité", "statut": "Statut", "epci": "EPCI",
    "rang": "Rang", "categorie": "Catégorie", "periode": "Période", "debut": "Début", "fin": "Fin",
    "selection": "Territoire sélectionné", "jours": "Jours", "axe": "Axe", "section": "Section",
    "dossier": "Dossier", "correspondant": "Correspondant", "territoires": "Territoires",
    "groupement": "Groupement", "departement": "Département", "id": "N°",
}
DROPPED = {"source_id"}  # internal ids: the source is written out in full in the block / sheet
INTEGER_COLUMNS = {"millesime", "rang", "debut", "fin", "axe", "id"}  # years and ranks: no thousands separator
# First characters a spreadsheet reads as the start of a formula (OWASP): = + - @, tab, CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_BLOCK_END = ""  # the empty line between the description block and the table


def formula_safe(value, xlsx: bool = False):
    """THE rule of every export path (page downloads, ZIP, command line) for a text cell.

    A text starting with = + - @, tab or carriage return is neutralised: for CSV it gets a
    leading apostrophe (OWASP's recommendation; Excel shows the text, runs nothing); for
    XLSX it is returned unchanged and `_put` writes it as a string cell (never a formula)
    with Excel's quote prefix. Numbers, dates and missing values pass unchanged: a negative
    number stays a number."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return value if xlsx else "'" + value
    return value


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def slug(text: str) -> str:
    """"Béthune-Bruay, Artois Lys Romane" -> "bethune-bruay-artois-lys-romane"."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "sans-nom"


def file_name(meta: ChartMeta, ext: str) -> str:
    """chiffres-clefs_<territoire>_<indicateur>_<millesime>.<ext>"""
    millesime = str(meta.millesime) if meta.millesime else "tous-millesimes"
    return f"chiffres-clefs_{slug(meta.territoire_nom)}_{slug(meta.indicateur)}_{millesime}.{ext}"


# ---------------------------------------------------------------- what the values are


def valeurs(data: pd.DataFrame, meta: ChartMeta) -> tuple[str, str, int | None]:
    """(label, unit, decimals) of the exported "valeur" column.

    The chart's own statement (`meta.unite`) first; then the shape of the data: shares of a
    total (`charts.parts`: a "categorie" column) are percentages with one decimal whatever
    the unit of the counts they come from (the counts' unit, « logements », is that of the
    catalogue indicators listed in the Sources sheet, not of these values); growth rates
    (`taux_annuels`, `taux_periode`) are % per year with two; otherwise the single
    indicator's catalogue unit and decimals."""
    facts = meta.indicateurs
    if meta.unite:
        label = facts[0].libelle if len(facts) == 1 else "Valeur"
        return label, meta.unite, meta.decimales
    cols = set(data.columns)
    if "categorie" in cols:
        return "Part", "%", 1
    if "periode" in cols or {"debut", "fin"} <= cols:
        return "Taux annuel moyen", "% par an", 2
    if len(facts) == 1:
        return facts[0].libelle, facts[0].unite, facts[0].decimales
    return "Valeur", "", None


def _header(label: str, unite: str) -> str:
    return f"{label} ({unite})" if unite else label


def _column_name(col: str, data: pd.DataFrame, meta: ChartMeta) -> str:
    if col == "valeur":
        label, unite, _ = valeurs(data, meta)
        return _header(label, unite)
    if col in ENTETES:
        return ENTETES[col]
    if re.fullmatch(r"[a-z0-9_]+", str(col)):  # a code-style name: "nb_jours" -> "Nb jours"
        return str(col).replace("_", " ").strip().capitalize() or str(col)
    return str(col)  # already a label ("Concerne la sélection", "EPCI")


def _niveau_text(niveau) -> str:
    return niveaux.libelle(niveau) if isinstance(niveau, str) else niveau


def table(data: pd.DataFrame, meta: ChartMeta) -> pd.DataFrame:
    """The exported table at full precision: French headers, statut in words, indicator and
    level names instead of ids, a visible demonstration column. Texts are NOT yet made
    formula-safe (each writer does it, with its own rule)."""
    out = data.drop(columns=[c for c in DROPPED if c in data.columns]).copy()
    for col in out.select_dtypes("float").columns:
        out[col] = out[col].round(6)  # no "0,30000000000000004" in a note
    if "statut" in out.columns:
        out["statut"] = out["statut"].map(lambda s: STATUTS.get(s, "") if isinstance(s, str) else "")
    if "indicateur" in out.columns:
        noms = {f.indicateur: f.libelle for f in meta.indicateurs}
        out["indicateur"] = out["indicateur"].map(lambda i: noms.get(i, i))
    if "niveau" in out.columns:
        out["niveau"] = out["niveau"].map(_niveau_text)
    demo = out.pop("demo").fillna(False).astype(bool) if "demo" in out.columns else pd.Series(meta.demo, index=out.index)
    out[DEMO_COLONNE] = demo.map({True: "oui", False: "non"})
    return out.rename(columns={c: _column_name(c, data, meta) for c in out.columns if c != DEMO_COLONNE})


# ---------------------------------------------------------------- CSV


def _present(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and not (not isinstance(v, str) and pd.isna(v))


def _csv_number(v, decimales: int | None) -> str:
    """A number as a French Excel reads it: decimal comma, no thousands separator (it would
    make Excel read text), `decimales` digits when known (rounded as displayed)."""
    if not _present(v):
        return ""
    if isinstance(v, (bool,)):
        return "oui" if v else "non"
    x = float(v)
    if decimales is not None:
        text = f"{x:.{decimales}f}"
        if text.startswith("-") and float(text) == 0:
            text = text[1:]  # no "-0,0"
    elif x == round(x) and abs(x) < 1e15:
        text = str(int(round(x)))
    else:
        text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def description(meta: ChartMeta, data: pd.DataFrame) -> list[tuple[str, str]]:
    """The description lines (label, text) shared by the CSV block and the Sources sheet."""
    label, unite, dec = valeurs(data, meta)
    what = _header(label, unite)
    if dec is not None:
        what += f" ; arrondi à {dec} décimale{'s' if dec > 1 else ''} dans le CSV comme sur le site" if dec else \
            " ; arrondi à l'unité dans le CSV comme sur le site"
    rows = [("Territoire", f"{meta.territoire_nom} ({meta.territoire_code})")]
    if "valeur" in data.columns:
        rows.append(("Valeurs", what))
    if meta.millesime:
        rows.append(("Millésime", str(meta.millesime)))
    rows.append(("Source", meta.source.removeprefix("Source : ")))
    if meta.agence:
        rows.append(("Réalisation", meta.agence))
    if meta.demo:
        rows.append((DEMO_COLONNE, "oui : ces valeurs ne sont pas des données officielles"))
    return rows


def csv_bytes(data: pd.DataFrame, meta: ChartMeta) -> bytes:
    """Description block, empty line, table; every text cell formula-safe."""
    import csv

    out = table(data, meta)
    _, _, dec = valeurs(data, meta)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([formula_safe(meta.titre)])
    for label, text in description(meta, data):
        writer.writerow([label, formula_safe(text)])
    buffer.write(CSV_BLOCK_END + "\r\n")  # a truly empty line (csv would write '""')
    writer.writerow([formula_safe(c) for c in out.columns])
    originals = [c for c in data.columns if c not in DROPPED and c != "demo"] + [None]
    numeric = {c: (c in data.columns and pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c]))
               for c in originals if c}
    for row in zip(*(out[c] for c in out.columns)):
        cells = []
        for original, v in zip(originals, row):
            if original and numeric.get(original):
                cells.append(_csv_number(v, dec if original == "valeur" else (0 if original in INTEGER_COLUMNS else None)))
            elif not _present(v):
                cells.append("")
            else:
                cells.append(formula_safe(v if isinstance(v, str) else str(v)))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")


def read_csv(raw: bytes, **kwargs) -> pd.DataFrame:
    """The table of an exported CSV (the description block skipped): for tests and scripts."""
    lines = raw.decode("utf-8-sig").split("\r\n")
    start = lines.index(CSV_BLOCK_END) + 1
    return pd.read_csv(io.StringIO("\r\n".join(lines[start:])), sep=";", decimal=",", **kwargs)


# ---------------------------------------------------------------- XLSX


def _unit_format(unite: str, decimales: int | None) -> str:
    """Number format of the value column: thousands separators, the catalogue's decimals,
    the unit written after % and € values (values are 12.3 for 12,3 %, not 0.123)."""
    base = "#,##0" + ("." + "0" * decimales if decimales else "") if decimales is not None else "#,##0.0##"
    u = (unite or "").strip()
    if u.startswith("%"):
        return base + '" %"'
    if u.startswith("€"):
        return base + '" €"'
    return base


def _number_format(name: str, series: pd.Series, unite: str, decimales: int | None) -> str | None:
    if name in INTEGER_COLUMNS:
        return "0"
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    if name == "valeur":
        return _unit_format(unite, decimales)
    values = series.dropna()
    if len(values) and (values == values.round()).all():
        return "#,##0"
    return "#,##0.0##"


def _cell(value):
    """openpyxl wants plain Python values; missing values become empty cells."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _put(ws, row: int, col: int, value):
    """Write one cell; a text is always a string cell, even "=HYPERLINK(…)" (never a formula)."""
    cell = ws.cell(row=row, column=col)
    value = _cell(value)
    if isinstance(value, str):
        value = formula_safe(value, xlsx=True)
        cell.value = value
        if cell.data_type != "s":  # openpyxl makes "=…" a formula: force a plain string
            cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    else:
        cell.value = value
    return cell


def _display_width(value, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = len(f"{abs(value):,.0f}") + (1 if value < 0 else 0)
        m = re.search(r"\.(0+)", number_format or "")
        extra = len(m.group(1)) + 1 if m else (4 if value != round(value) else 0)
        suffix = 2 if number_format and ('" %"' in number_format or '" €"' in number_format) else 0
        return digits + extra + suffix
    return max(len(line) for line in str(value).split("\n"))


def _fit_widths(ws, formats: dict[int, str | None], minimum: int = 6, maximum: int = 60) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            w = _display_width(cell.value, formats.get(cell.column) if cell.row > 1 else None)
            widths[cell.column] = max(widths.get(cell.column, 0), w)
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(minimum, min(maximum, w + 2))


def _data_sheet(ws, data: pd.DataFrame, meta: ChartMeta) -> None:
    from openpyxl.styles import Alignment, Font

    _, unite, dec = valeurs(data, meta)
    out = table(data, meta)
    originals = [c for c in data.columns if c not in DROPPED and c != "demo"] + [None]
    formats = {j: (_number_format(o, data[o], unite, dec) if o else None) for j, o in enumerate(originals, start=1)}
    for j, header in enumerate(out.columns, start=1):
        c = _put(ws, 1, j, header)
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=False)
    for i, row in enumerate(zip(*(out[c] for c in out.columns)), start=2):
        for j, v in enumerate(row, start=1):
            cell = _put(ws, i, j, v)
            if formats.get(j) and isinstance(cell.value, (int, float)):
                cell.number_format = formats[j]
    _fit_widths(ws, formats)
    ws.freeze_panes = "A2"


def _sources_sheet(ws, meta: ChartMeta, data: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    r = 1
    c = _put(ws, r, 1, "Titre")
    c.font = bold
    _put(ws, r, 2, meta.titre).font = Font(bold=True, size=12)
    for label, text in description(meta, data):
        r += 1
        _put(ws, r, 1, label).font = bold
        cell = _put(ws, r, 2, text.replace(" dans le CSV comme sur le site", " dans le CSV ; pleine précision ici")
                    if label == "Valeurs" else text)
        if label == DEMO_COLONNE:
            for cc in (ws.cell(r, 1), cell):
                cc.font = Font(bold=True, color="7A2E00")
                cc.fill = PatternFill("solid", fgColor="FFE9CC")
    r += 2
    _put(ws, r, 1, "Indicateurs du catalogue utilisés (unité propre à chaque indicateur)").font = bold
    r += 1
    header = ["Indicateur", "Libellé", "Unité de l'indicateur", "Définition", "Source", "Millésime", "Licence",
              DEMO_COLONNE]
    for j, h in enumerate(header, start=1):
        _put(ws, r, j, h).font = bold
    for f in meta.indicateurs:
        r += 1
        for j, v in enumerate([f.indicateur, f.libelle, f.unite, f.definition, f.source, f.millesime, f.licence,
                               "oui" if f.demo else "non"], start=1):
            cell = _put(ws, r, j, v)
            if j == 6 and isinstance(cell.value, int):
                cell.number_format = "0"
            if j in (4, 5, 7):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    _fit_widths(ws, {6: "0"}, maximum=70)
    # the long title/source texts of column B would widen it past the page: wrap them instead
    from openpyxl.utils import get_column_letter

    ws.column_dimensions["A"].width = max(14, min(30, ws.column_dimensions["A"].width))
    for row in ws.iter_rows(min_row=1, max_row=len(description(meta, data)) + 1, min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=False, vertical="top")
    for j in range(1, 9):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = min(ws.column_dimensions[letter].width, 70)


def xlsx_bytes(data: pd.DataFrame, meta: ChartMeta) -> bytes:
    # openpyxl (≈ 6 MB resident once imported) is only needed when a visitor clicks "XLSX":
    # imported here, not when every page renders its download buttons
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Données"
    _data_sheet(ws, data, meta)
    _sources_sheet(wb.create_sheet("Sources"), meta, data)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
