"""The ETL's fast paths give exactly what the plain pandas/Arrow code gives:
the strict sums by integer group numbers (etl/values.py), a batch converted as
one array (files.convert_block), the UTF-8 check made while parsing
(sniff(whole=False) + Utf8Check). BENCHMARKS.md, ETL: a national file."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from etl import values
from etl.errors import InputError
from etl.readers import base_cc, files


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # bit for bit (signed zeros), and None kept apart from NaN in statut
    assert (a["valeur"].to_numpy().view("int64") == b["valeur"].to_numpy().view("int64")).all()
    for x, y in zip(a["statut"].to_numpy(dtype=object), b["statut"].to_numpy(dtype=object)):
        assert (x is None) == (y is None) and (x == y or (x is not None and x != x and y != y))


def _frame(rng: np.random.Generator, n: int, groups: int, with_nan: bool, contiguous: bool) -> pd.DataFrame:
    key = np.sort(rng.integers(0, groups, n)) if contiguous else rng.integers(0, groups, n)
    val = rng.lognormal(3, 2, n)
    val[rng.random(n) < 0.05] = -0.0
    statut = np.full(n, None, dtype=object)
    if with_nan:
        for name, share in (("secret", 0.03), ("manquant", 0.03), ("autre", 0.01)):
            pick = rng.random(n) < share
            val[pick], statut[pick] = np.nan, name
    return pd.DataFrame({
        "niveau": pd.Series(np.where(rng.random(n) < 0.9, "commune", "epci"), dtype="str"),
        "code": pd.Series([f"{k:05d}" for k in key], dtype="str"),
        "millesime": rng.choice([2010, 2015, 2021], n),
        "valeur": val,
        "statut": pd.Series(statut, dtype=object),
    })


@pytest.mark.parametrize("seed", range(6))
def test_strict_sum_is_pandas_groupby(seed):
    rng = np.random.default_rng(seed)
    for n, groups in ((1, 1), (50, 1_000_000), (400, 40), (2000, 5)):
        for with_nan in (False, True):
            for contiguous in (False, True):
                df = _frame(rng, n, groups, with_nan, contiguous)
                for by in (["niveau", "code", "millesime"], ["code"], ["millesime"], ["niveau", "millesime"]):
                    _same(values._sum_strict(df, by), values._sum_strict_pandas(df, by))


def test_strict_sum_of_single_rows_keeps_values_bit_for_bit():
    df = pd.DataFrame({"code": ["a", "b", "c", "d"], "valeur": [-0.0, 0.1, 5e-324, np.nan],
                       "statut": pd.Series([None, None, None, "secret"], dtype=object)})
    for frame in (df, df.iloc[:3]):  # with and without a missing cell
        _same(values._sum_strict(frame, ["code"]), values._sum_strict_pandas(frame, ["code"]))


CELLS = {
    "plain": ["12", "0", "", "s", "3.5", "1e3"],
    "spaces and commas": [" 12", "4,5", "", " s ", "7", "8"],
    "not a number": ["1", "2", "x3", "4", "5", "6"],
    "negative": ["1", "-2", "3", "", "5", "6"],
    "infinite": ["1", "2", "inf", "", "5", "6"],
}


@pytest.mark.parametrize("case", sorted(CELLS))
def test_convert_block_is_convert_column(case):
    cells = CELLS[case]
    table = pa.table({"A": cells, "B": list(reversed(cells)), "C": ["1"] * len(cells)})
    columns, allow, keep = ["A", "B", "C"], [False, True, False], [0, 2]

    def one_by_one():
        return [files.convert_column("f.csv", table.column(c), c, allow_negative=a, first_row=10)
                for c, a in zip(columns, allow)]

    try:
        expected = one_by_one()
    except InputError as exc:
        with pytest.raises(InputError) as got:
            files.convert_block("f.csv", table, columns, allow, keep, first_row=10)
        assert str(got.value) == str(exc)
        return
    got = files.convert_block("f.csv", table, columns, allow, keep, first_row=10)
    for (v, s), k in zip(got, keep):
        assert (v.view("int64") == expected[k][0].view("int64")).all() or np.array_equal(v, expected[k][0], equal_nan=True)
        assert list(s) == list(expected[k][1])


def _base_cc(path, accent_row: int | None, rows: int = 6000) -> None:
    """A base-cc logement CSV in Latin-1 (an accented commune name at
    `accent_row`, past the first 64 KiB when large) with codes missing their
    leading zero, so that the reader writes notes."""
    lines = ["CODGEO;LIBGEO;P21_LOG;P21_RP;P15_LOG"]
    for i in range(rows):
        name = "Évry" if i == accent_row else "Paris"
        lines.append(f"{1001 + i};{name};{i}.5;{i};{i * 2}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))


def test_latin1_met_late_reads_as_latin1_from_the_start(tmp_path):
    late, early = tmp_path / "late" / "base-cc-logement-2021.csv", tmp_path / "early" / "base-cc-logement-2021.csv"
    late.parent.mkdir()
    early.parent.mkdir()
    _base_cc(late, accent_row=5000)
    _base_cc(early, accent_row=0)
    assert late.stat().st_size > 65536
    assert files.sniff(files.open_members(late, lambda n: True)[0])[1] == "latin-1"
    a, b = base_cc.read(late), base_cc.read(early)
    pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
    assert a.info.notes == b.info.notes and len(a.info.notes) == len(set(a.info.notes)) == 1


def test_error_before_a_late_latin1_byte_quotes_the_cell_as_latin1(tmp_path):
    path = tmp_path / "base-cc-logement-2021.csv"
    _base_cc(path, accent_row=5000)
    data = path.read_bytes().replace(b"1001;Paris;0.5;", "1001;Paris;é;".encode("utf-8"), 1)
    path.write_bytes(data)
    with pytest.raises(InputError, match="« Ã© »"):
        base_cc.read(path)
