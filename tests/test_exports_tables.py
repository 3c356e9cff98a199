"""CSV and XLSX ready for a note (issue 12): rounding as displayed, headers naming indicator
and unit, a description block, number formats by unit, fitted widths, the right unit.
On the real warehouse (tests/conftest.py builds it) for Lens."""
from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from components import format as fmt
from components.chart_meta import ChartMeta, IndicatorFacts
from components.exports import tables


@pytest.fixture(scope="module")
def lens():
    from components.exports.territory_charts import territory_charts

    return {c.meta.indicateur: c for c in territory_charts("62498")}


def _rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_shares_are_percentages_rounded_as_displayed(lens):
    c = lens["occupation"]
    rows = _rows(tables.csv_bytes(c.data, c.meta))
    blank = rows.index([])
    block = dict(r for r in rows[1:blank])
    assert rows[0] == ["Catégories de logements (2021)"]  # the title carries its vintage
    assert block["Valeurs"].startswith("Part (%)") and "1 décimale" in block["Valeurs"]
    assert block["Territoire"] == "Lens (62498)" and block["Millésime"] == "2021" and block["Source"]
    header = rows[blank + 1]
    assert header[:4] == ["Code", "Territoire", "Catégorie", "Part (%)"]  # no "categorie", no "Valeur"
    assert not any(h == h.lower() and "_" in h for h in header)  # no code-style names
    shown = {(r[1], r[2]): r[3] for r in rows[blank + 2:]}
    full = c.data.set_index(["nom", "categorie"])["valeur"]
    for (nom, cat), v in full.items():
        assert shown[(nom, cat)] == fmt.nombre(v, 1).replace("\u00a0", "")  # "94,6" as on the site, not 94,59027
    assert all(len(v.split(",")[1]) == 1 for v in shown.values() if v)


def test_xlsx_keeps_precision_formats_by_unit_and_says_the_unit(lens):
    c = lens["occupation"]
    wb = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(c.data, c.meta)))
    ws = wb["Données"]
    header = [x.value for x in ws[1]]
    col = header.index("Part (%)") + 1
    cells = [ws.cell(i, col) for i in range(2, ws.max_row + 1)]
    assert [x.value for x in cells] == pytest.approx(c.data["valeur"].round(6).tolist())  # full precision
    assert {x.number_format for x in cells} == {'#,##0.0" %"'}
    src = {r[0]: r[1] for r in wb["Sources"].iter_rows(values_only=True) if r[0]}
    assert src["Valeurs"].startswith("Part (%)")  # the unit of the values, not « logements »
    assert "Unité de l'indicateur" in [x.value for r in wb["Sources"].iter_rows() for x in r]
    assert "logements" not in header[col - 1]


def test_xlsx_widths_fit_the_content(lens):
    c = lens["ages"]
    wb = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(c.data, c.meta)))
    ws = wb["Données"]
    for j, head in enumerate(ws[1], start=1):
        letter = head.column_letter
        width = ws.column_dimensions[letter].width
        longest = max(len(str(ws.cell(i, j).value or "")) for i in range(1, ws.max_row + 1))
        assert width >= min(longest, 60), (head.value, width, longest)
        assert width <= max(longest, 6) + 6, (head.value, width, longest)  # fitted, not a fixed 45
    assert ws.column_dimensions["B"].width >= len("CA de Lens - Liévin")


def test_integer_and_euro_formats():
    facts = (IndicatorFacts("population", "Population municipale", "habitants", "", "Insee", 2023, decimales=0),)
    meta = ChartMeta("Population", "62498", "Lens", "population", 2023, "Source : Insee", indicateurs=facts)
    data = pd.DataFrame({"nom": ["Lens", "France"], "valeur": [32920.0, 68_000_000.0]})
    ws = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(data, meta)))["Données"]
    assert ws["B1"].value == "Population municipale (habitants)" and ws["B3"].number_format == "#,##0"
    assert _rows(tables.csv_bytes(data, meta))[-1] == ["France", "68000000", "non"]
    facts = (IndicatorFacts("revenu", "Médiane du niveau de vie", "€ par an", "", "Insee", 2021, decimales=0),)
    meta = ChartMeta("Revenu", "62498", "Lens", "revenu", 2021, "Source : Insee", indicateurs=facts)
    ws = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(data.assign(valeur=[17060.4, 23160.0]), meta)))["Données"]
    assert ws["B2"].number_format == '#,##0" €"' and ws["B2"].value == 17060.4
    assert ws.column_dimensions["B"].width >= len("Médiane du niveau de vie (€ par an)")


def test_growth_rates_and_programme_columns_get_french_headers():
    meta = ChartMeta("Croissance", "62498", "Lens", "croissance", 2021, "Source : Insee")
    taux = pd.DataFrame({"periode": ["2015–2021"], "debut": [2015], "fin": [2021], "valeur": [0.12345], "statut": [None]})
    rows = _rows(tables.csv_bytes(taux, meta))
    table = rows[rows.index([]) + 1:]
    assert table[0] == ["Période", "Début", "Fin", "Taux annuel moyen (% par an)", "Statut", "Données de démonstration"]
    assert table[1][:4] == ["2015–2021", "2015", "2021", "0,12"]
