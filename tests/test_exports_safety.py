"""Formula injection (issue 14.1): hostile partner texts go out of every export path
(CSV, XLSX, ZIP, command line) as inert text; numbers stay numbers.

A cell is dangerous when a spreadsheet would read it as a formula: a CSV field starting
with = + - @, tab or CR, or an XLSX cell stored as a formula (`<f>` in the sheet XML)."""
from __future__ import annotations

import csv
import importlib.util
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from components.chart_meta import ChartMeta, IndicatorFacts
from components.exports import image, tables
from datasets import access

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
_spec = importlib.util.spec_from_file_location("fake_access_safety", FIXTURES / "fake_access.py")
fake_access = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake_access)

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
DANGER = ("=", "+", "-", "@", "\t", "\r")

META = ChartMeta(
    titre='=HYPERLINK("http://x","titre")', territoire_code="62119", territoire_nom="@Béthune",
    indicateur="programme", millesime=2018, source="Source : +partenaire", agence="-AULA",
    indicateurs=(IndicatorFacts("jours", "=Jours", "jours", "@définition", "+source", 2018, decimales=1),),
)
DATA = pd.DataFrame({
    "dossier": HOSTILE,
    "correspondant": ["=1+2", "Mme A", "+33 3 21 00 00 00", "-", "@b", "ok"],
    "valeur": [-2.5, 3.25, -0.04, 10.0, None, -1234.5],  # negative NUMBERS stay numbers
})


def _csv_rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


NUMBER = re.compile(r"-?\d+(,\d+)?")  # "-2,5": Excel reads a number, not a formula


def _assert_csv_inert(raw: bytes) -> None:
    for i, row in enumerate(_csv_rows(raw)):
        for j, field in enumerate(row):
            assert not field.startswith(DANGER) or NUMBER.fullmatch(field), f"line {i + 1}, column {j + 1}: {field!r}"


def _assert_xlsx_inert(raw: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode("utf-8")
                assert not re.search(r"<(\w+:)?f[ >]", xml), f"formula in {name}"
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate} {cell.value!r} is {cell.data_type}"
                    if cell.value.startswith(DANGER):
                        assert cell.quotePrefix, f"{ws.title}!{cell.coordinate} without quote prefix"


def test_formula_safe_is_the_owasp_rule():
    for text in HOSTILE:
        assert tables.formula_safe(text) == "'" + text
        assert tables.formula_safe(text, xlsx=True) == text  # written as a string cell instead
    for harmless in ("Béthune", "12,5", "'déjà", "", "a=b"):
        assert tables.formula_safe(harmless) == harmless
    for number in (-2, -2.5, 0, 3.0, None):
        assert tables.formula_safe(number) == number  # numbers and missing values unchanged


def test_csv_neutralises_hostile_texts_and_keeps_negative_numbers():
    raw = tables.csv_bytes(DATA, META)
    _assert_csv_inert(raw)
    rows = _csv_rows(raw)
    assert rows[0] == ["'" + META.titre]
    table = rows[rows.index([]) + 1:]
    assert table[0] == ["Dossier", "Correspondant", "'=Jours (jours)", "Données de démonstration"]
    assert [r[0] for r in table[1:]] == ["'" + t for t in HOSTILE]  # the text is kept, behind the apostrophe
    assert [r[2] for r in table[1:]] == ["-2,5", "3,2", "0,0", "10,0", "", "-1234,5"]  # 1 decimal, as displayed
    from components import format as fmt

    shown = [fmt.nombre(v, 1).replace("\u00a0", "") for v in DATA["valeur"].dropna()]
    assert [r[2] for r in table[1:] if r[2]] == shown  # the site's own rounding
    back = tables.read_csv(raw)
    assert pd.api.types.is_float_dtype(back.iloc[:, 2]) and back.iloc[0, 2] == -2.5


def test_xlsx_writes_hostile_texts_as_strings_never_formulas():
    raw = tables.xlsx_bytes(DATA, META)
    _assert_xlsx_inert(raw)
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    ws = wb["Données"]
    # unchanged text in string cells (XML reads a carriage return back as a line feed)
    assert [ws.cell(i, 1).value for i in range(2, 8)] == [t.replace("\r", "\n") for t in HOSTILE]
    values = [ws.cell(i, 3) for i in range(2, 8)]
    assert [c.value for c in values] == [-2.5, 3.25, -0.04, 10.0, None, -1234.5]  # full precision
    assert all(c.data_type == "n" for c in values if c.value is not None)
    assert wb["Sources"]["B1"].value == META.titre and wb["Sources"]["B1"].data_type == "s"


@pytest.fixture
def hostile_access(monkeypatch):
    """The fake warehouse with partner-edited names: a commune, the EPCI and the agency."""
    terr = [dict(t) for t in fake_access.TERRITOIRES]
    for t in terr:
        if t["code"] == "62160":
            t["nom"] = HOSTILE[0]
        if t["code"] == "200072460":
            t["nom"] = HOSTILE[2]
    monkeypatch.setattr(fake_access, "TERRITOIRES", terr)
    info = fake_access.build_info()
    info["territory"]["agence"] = HOSTILE[3]
    monkeypatch.setattr(fake_access, "build_info", lambda: info)
    fake_access.install(monkeypatch, access)
    return fake_access


def _assert_archive_inert(data: bytes) -> set[str]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    csvs = [n for n in names if n.endswith(".csv")]
    xlsxs = [n for n in names if n.endswith(".xlsx")]
    assert csvs and xlsxs
    for n in csvs:
        _assert_csv_inert(zf.read(n))
    for n in xlsxs:
        _assert_xlsx_inert(zf.read(n))
    carte = next(n for n in csvs if "carte-localisation" in n)
    assert ["62160", "'" + HOSTILE[0], "200072460", "non", "non"] in _csv_rows(zf.read(carte))  # it did go through
    return names


def test_zip_is_inert(hostile_access, monkeypatch):
    from components.exports import bundle

    monkeypatch.setattr(image, "chromium_path", lambda: None)  # tables only: fast, no browser needed
    _assert_archive_inert(bundle.bundle("62119")[1])


def test_cli_archive_is_inert(hostile_access, monkeypatch, tmp_path):
    from components.exports.__main__ import main

    monkeypatch.setattr(image, "chromium_path", lambda: None)
    assert main(["--territoire", "62119", "--out", str(tmp_path), "--extraire"]) == 0
    archive = next(tmp_path.glob("*.zip"))
    _assert_archive_inert(archive.read_bytes())
    for f in (tmp_path / archive.stem).iterdir():  # the extracted files too
        if f.suffix == ".csv":
            if "_ages_" in f.name:
                assert "'" + HOSTILE[2] in [r[1] for r in _csv_rows(f.read_bytes()) if len(r) > 1]
