"""Shared plumbing of the readers: open a file as downloaded (zip or bare CSV),
decode it, parse the `;` table as strings, convert values, repair codes.

Everything INSEE files do wrong in the wild is handled here once, so that each
family reader only knows its own column names.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl.errors import InputError
from etl.warehouse import sha256 as sha256_file  # noqa: F401  (one file-hash helper for the ETL)
from etl.readers.common import DATA_COLUMNS

# Municipal arrondissements of Paris, Lyon, Marseille -> their commune.
PLM = {
    "75056": [f"751{i:02d}" for i in range(1, 21)],
    "69123": [f"6938{i}" for i in range(1, 10)],
    "13055": [f"132{i:02d}" for i in range(1, 17)],
}
ARRONDISSEMENT_TO_COMMUNE = {arr: com for com, arrs in PLM.items() for arr in arrs}

# A number as INSEE writes it, after the decimal comma became a point.
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


@dataclass
class Member:
    """One table to read: its bytes, its display name, and the file it came from."""

    name: str  # display name: "file.csv" or "archive.zip!member.CSV"
    data: bytes


def _check_member_name(path: Path, name: str) -> None:
    """Refuse zip members that would escape a folder if extracted."""
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or re.match(r"^[A-Za-z]:", name):
        raise InputError(path, f"archive refusée : le membre « {name} » a un chemin dangereux (absolu ou avec « .. »)")


def zip_members(path: Path) -> list[str]:
    """Names of the files inside a zip, all checked for path traversal."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
    except zipfile.BadZipFile:
        raise InputError(path, "archive zip illisible ou incomplète (téléchargement interrompu ?)") from None
    for n in names:
        _check_member_name(path, n)
    return names


def basename(member: str) -> str:
    return PurePosixPath(member.replace("\\", "/")).name


def is_meta(name: str) -> bool:
    return basename(name).lower().startswith("meta_")


def open_members(path: Path, want: Callable[[str], bool]) -> list[Member]:
    """The data tables of `path`: the members of a zip accepted by `want`
    (meta_ members excluded), or the file itself."""
    path = Path(path)
    if path.suffix.lower() != ".zip":
        return [Member(path.name, path.read_bytes())]
    names = zip_members(path)
    chosen = [n for n in names if not is_meta(n) and want(basename(n))]
    if not chosen:
        raise InputError(path, "aucun fichier de données reconnu dans l'archive (membres : " + ", ".join(names) + ")")
    with zipfile.ZipFile(path) as zf:
        return [Member(f"{path.name}!{n}", zf.read(n)) for n in sorted(chosen)]


def read_meta_bytes(path: Path) -> tuple[str, bytes] | None:
    """The `meta_` dictionary that goes with `path`: a member of the zip, or a
    `meta_<stem>.csv` next to the file (case-insensitive, `_extract`-style
    suffixes tolerated)."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        metas = [n for n in zip_members(path) if is_meta(n)]
        if not metas:
            return None
        with zipfile.ZipFile(path) as zf:
            return f"{path.name}!{metas[0]}", zf.read(metas[0])
    stem = path.stem.lower()
    candidates = sorted(p for p in path.parent.iterdir() if p.is_file() and is_meta(p.name) and p.suffix.lower() == ".csv")
    best = None
    for p in candidates:
        meta_stem = p.stem.lower()[len("meta_"):]
        if stem == meta_stem:
            return p.name, p.read_bytes()
        if stem.startswith(meta_stem) and (best is None or len(meta_stem) > len(best.stem)):
            best = p
    if best is not None:
        return best.name, best.read_bytes()
    return None


def decode(name: str, data: bytes) -> str:
    """UTF-8 with or without BOM, else Latin-1 (INSEE used both)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def libelles_from_meta(raw: bytes, name: str = "meta") -> dict[str, str]:
    """COD_VAR -> label from an INSEE `meta_` dictionary. Rows that describe a
    modality (COD_MOD filled, e.g. every commune under CODGEO) are skipped."""
    text = decode(name, raw)
    lines = text.splitlines()
    if not lines:
        return {}
    header = lines[0].split(";")
    try:
        i_var = header.index("COD_VAR")
    except ValueError:
        return {}
    i_lib = header.index("LIB_VAR") if "LIB_VAR" in header else None
    i_long = header.index("LIB_VAR_LONG") if "LIB_VAR_LONG" in header else None
    out: dict[str, str] = {}
    for line in lines[1:]:
        cells = line.split(";")
        if len(cells) <= i_var:
            continue
        var = cells[i_var].strip()
        if not var or var in out:
            continue
        label = ""
        if i_long is not None and i_long < len(cells):
            label = cells[i_long].strip()
        if not label and i_lib is not None and i_lib < len(cells):
            label = cells[i_lib].strip()
        if label:
            out[var] = label
    return out


def parse_table(name: str, data: bytes) -> pa.Table:
    """Parse a `;` table, every column as a non-null string. UTF-8 bytes go
    to Arrow untouched (it validates them); Latin-1 is transcoded first."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first = decode(name, data[: data.find(b"\n") if b"\n" in data else len(data)]).rstrip("\r")
    if ";" not in first:
        for sep, label in ((",", "virgule"), ("\t", "tabulation")):
            if sep in first:
                raise InputError(
                    name,
                    f"séparateur « {label} » trouvé dans l'en-tête ; les fichiers Insee utilisent « ; ». "
                    "Ré-enregistrez le fichier avec le point-virgule comme séparateur.",
                    line=1,
                )
    columns = [c.strip().strip('"') for c in first.split(";")]
    seen = set()
    for c in columns:
        if c in seen:
            raise InputError(name, f"colonne « {c} » présente deux fois dans l'en-tête", line=1)
        seen.add(c)

    def read(raw: bytes) -> pa.Table:
        return pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=";"),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        try:
            return read(data)
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc).upper():
                raise
            return read(data.decode("latin-1").encode("utf-8"))
    except pa.ArrowInvalid as exc:
        raise InputError(name, f"tableau illisible : {exc}") from None


def column_codes(name: str, table: pa.Table, column: str) -> np.ndarray:
    if column not in table.column_names:
        raise InputError(name, f"colonne « {column} » absente (colonnes : {', '.join(table.column_names[:8])}…)", line=1)
    return np.asarray(pc.utf8_trim_whitespace(table[column]).to_pylist(), dtype=object)


def repair_codes(name: str, codes: np.ndarray, niveau: str, notes: list[str]) -> np.ndarray:
    """Restore the leading zero lost by spreadsheets (`1001` -> `01001`)."""
    width = {"commune": 5, "departement": 2, "region": 2, "epci": 9}.get(niveau)
    if width is None:
        return codes
    s = pd.Series(codes, dtype=object)
    short = s.str.fullmatch(r"\d+") & (s.str.len() == width - 1)
    n = int(short.sum())
    if n:
        s[short] = s[short].str.zfill(width)
        what = {"commune": "codes commune", "departement": "codes département", "region": "codes région", "epci": "codes EPCI"}[niveau]
        notes.append(f"{format_int(n)} {what} sans leur zéro initial réparés (ex. {codes[short.to_numpy()][0]} → {s[short].iloc[0]})")
    bad = s.isna() | (s == "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(name, "code géographique vide", line=i + 2)
    return s.to_numpy(dtype=object)


def check_duplicates(name: str, codes: np.ndarray, column: str = "CODGEO") -> None:
    s = pd.Series(codes)
    dup = s.duplicated(keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(name, f"code « {codes[i]} » présent deux fois", line=i + 2, column=column)


def format_int(n: int) -> str:
    """French thousands separator (narrow no-break space)."""
    return f"{n:,}".replace(",", "\u202f")


def convert_column(
    name: str, col: pa.ChunkedArray | pa.Array, column: str, *, allow_negative: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Strings -> (float64 values, statut). `s` is secret, empty is missing,
    decimal commas accepted; anything else that is not a number is an error
    naming the line and column."""
    col = pc.utf8_trim_whitespace(col)
    empty = pc.equal(col, "")
    secret = pc.equal(col, "s")
    blank = pc.or_(empty, secret)
    dotted = pc.replace_substring(col, ",", ".")
    numeric = pc.if_else(blank, pa.scalar(None, pa.string()), dotted)
    try:
        values = np.asarray(pc.cast(numeric, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
        parsed = True
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        parsed = False
    blank_np = blank.to_numpy(zero_copy_only=False)
    if not parsed or not np.isfinite(values[~blank_np]).all():
        ok = pc.or_(blank, pc.match_substring_regex(dotted, _NUMBER)).to_numpy(zero_copy_only=False)
        if parsed:
            ok &= blank_np | np.isfinite(values)
        bad = int(np.flatnonzero(~ok)[0])
        raise InputError(name, f"valeur non numérique « {col[bad].as_py()} »", line=bad + 2, column=column)
    if not allow_negative:
        neg = values < 0
        if neg.any():
            bad = int(np.flatnonzero(neg)[0])
            raise InputError(name, f"valeur négative « {col[bad].as_py()} » pour un effectif", line=bad + 2, column=column)
    statut = np.full(len(values), None, dtype=object)
    statut[secret.to_numpy(zero_copy_only=False)] = "secret"
    statut[empty.to_numpy(zero_copy_only=False)] = "manquant"
    return values, statut


def century(yy: str) -> int:
    """Two-digit census year -> year: 68..99 -> 19xx, else 20xx."""
    y = int(yy)
    return 1900 + y if y >= 50 else 2000 + y


def long_frame(
    niveau: str,
    codes: np.ndarray,
    parts: list[tuple[str, int, np.ndarray, np.ndarray]],
) -> pd.DataFrame:
    """Stack (variable, millesime, values, statut) column blocks into the long
    ReadResult table, through Arrow (much faster than pandas for millions of strings)."""
    n = len(codes)
    if not parts:
        return empty_frame()
    k = len(parts)
    code_arr = pa.array(list(codes), type=pa.string())
    table = pa.table(
        {
            # chunked arrays: one chunk per column block, no copy until pandas
            "niveau": pa.chunked_array([pa.repeat(pa.scalar(niveau, pa.string()), n * k)]),
            "code": pa.chunked_array([code_arr] * k, type=pa.string()),
            "variable": pa.chunked_array([pa.repeat(pa.scalar(p[0], pa.string()), n) for p in parts], type=pa.string()),
        }
    )
    df = table.to_pandas()
    df["millesime"] = np.repeat(np.array([p[1] for p in parts], dtype="int64"), n)
    df["valeur"] = np.concatenate([p[2] for p in parts]).astype("float64")
    # object dtype with None (pandas would otherwise infer `str` with NaN)
    df["statut"] = pd.Series(np.concatenate([p[3] for p in parts]), dtype=object, index=df.index)
    return df[DATA_COLUMNS]


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "niveau": pd.Series([], dtype=object),
            "code": pd.Series([], dtype=object),
            "variable": pd.Series([], dtype=object),
            "millesime": pd.Series([], dtype="int64"),
            "valeur": pd.Series([], dtype="float64"),
            "statut": pd.Series([], dtype=object),
        }
    )


def fold_plm(
    codes: np.ndarray, parts: list[tuple[str, int, np.ndarray, np.ndarray]], notes: list[str]
) -> tuple[np.ndarray, list[tuple[str, int, np.ndarray, np.ndarray]]]:
    """Municipal arrondissements of a commune table (before it is made long):
    dropped when their commune is in the file, else summed into it (NaN, with
    the arrondissement's statut, if any of them is missing). Never both."""
    codes = np.asarray(codes, dtype=object)
    series = pd.Series(codes, dtype=object)
    is_arr = series.isin(ARRONDISSEMENT_TO_COMMUNE.keys()).to_numpy()
    if not is_arr.any():
        return codes, parts
    present = set(series[series.isin(PLM.keys())])
    parents = series.map(ARRONDISSEMENT_TO_COMMUNE).fillna("").to_numpy(dtype=object)
    dropped = sorted(present & set(parents[is_arr]))
    if dropped:
        notes.append("arrondissements municipaux ignorés (commune déjà présente) : " + ", ".join(dropped))
    to_sum = sorted(set(parents[is_arr]) - present)
    keep = ~is_arr
    new_codes = np.concatenate([codes[keep], np.array(to_sum, dtype=object)])
    new_parts = []
    for variable, millesime, values, statut in parts:
        extra_v, extra_s = [], []
        for parent in to_sum:
            rows = np.flatnonzero(parents == parent)
            v = values[rows]
            nan = np.isnan(v)
            if nan.any():
                extra_v.append(np.nan)
                extra_s.append(statut[rows[np.flatnonzero(nan)[0]]])
            else:
                extra_v.append(float(v.sum()))
                extra_s.append(None)
        new_parts.append((
            variable, millesime,
            np.concatenate([values[keep], np.array(extra_v, dtype="float64")]),
            np.concatenate([statut[keep], np.array(extra_s, dtype=object)]),
        ))
    if to_sum:
        notes.append("arrondissements municipaux additionnés dans leur commune : " + ", ".join(to_sum))
    return new_codes, new_parts


def year_in_name(pattern: str, name: str) -> int | None:
    m = re.search(pattern, name, flags=re.IGNORECASE)
    return int(m.group(1)) if m else None


def geography_in_name(name: str) -> int | None:
    return year_in_name(r"geo(20\d{2})", name)


def convert_columns(
    name: str,
    table: pa.Table,
    specs: list[tuple[str, str, int]],
    allow_negative: Callable[[str], bool] = lambda variable: False,
) -> list[tuple[str, int, np.ndarray, np.ndarray]]:
    """Convert the columns listed as (column, generic variable, vintage)."""
    parts = []
    for column, variable, millesime in specs:
        values, statut = convert_column(name, table[column], column, allow_negative=allow_negative(variable))
        parts.append((variable, millesime, values, statut))
    return parts


def finish(df: pd.DataFrame) -> pd.DataFrame:
    """Uniform dtypes for every reader's output (long_frame already gives them)."""
    if list(df.columns) != DATA_COLUMNS:
        df = df[DATA_COLUMNS]
    if not isinstance(df.index, pd.RangeIndex) or df.index.start != 0:
        df = df.reset_index(drop=True)
    if df["millesime"].dtype != "int64":
        df["millesime"] = df["millesime"].astype("int64")
    if df["valeur"].dtype != "float64":
        df["valeur"] = df["valeur"].astype("float64")
    if df["statut"].dtype != object:
        df["statut"] = pd.Series([x if isinstance(x, str) else None for x in df["statut"]], dtype=object, index=df.index)
    return df
