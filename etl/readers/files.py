"""Shared plumbing of the readers: open a file as downloaded (zip or bare CSV),
decode it, parse the `;` table as strings, convert values, repair codes.

Everything INSEE files do wrong in the wild is handled here once, so that each
family reader only knows its own column names.
"""
from __future__ import annotations

import codecs
import io
import os
import re
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, Iterator

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

# An INSEE commune code once the lost leading zero is restored.
COMMUNE_CODE = r"\d{5}|2[AB]\d{3}"

# A number as INSEE writes it, after the decimal comma became a point.
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


@dataclass
class Member:
    """One table to read: its display name, and how to open it as a stream
    (a 300 MB file is never held in memory)."""

    name: str  # display name: "file.csv" or "archive.zip!member.CSV"
    opener: Callable[[], BinaryIO]

    @property
    def data(self) -> bytes:
        """The whole table as bytes (small files only)."""
        with self.open() as fh:
            return fh.read()

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The stream; a damaged zip member becomes an InputError."""
        try:
            with self.opener() as fh:
                yield fh
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise InputError(self.name, f"archive zip endommagée, membre illisible ({exc})") from None


def bytes_member(name: str, data: bytes) -> Member:
    return Member(name, lambda: io.BytesIO(data))


@contextmanager
def _zip_member(path: Path, member: str) -> Iterator[BinaryIO]:
    with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
        yield fh


class UnsafeArchiveError(InputError):
    """A zip refused whatever its name: a member that would escape a folder,
    or one that would expand beyond the limits below (a zip bomb)."""


# Limits on a zip member, read from its header (zipfile never inflates a member
# past the size its header declares, so the declared size is a true bound).
# INSEE's zips measured in /work/shared/data: largest ratio 14:1 (a meta_
# dictionary), data members 2–8:1, members up to ~100 MB (BENCHMARKS.md).
ZIP_MAX_MEMBER_BYTES = int(os.environ.get("ETL_ZIP_MAX_MEMBER_BYTES", 2 * 1024 ** 3))
ZIP_MAX_RATIO = float(os.environ.get("ETL_ZIP_MAX_RATIO", 100))
ZIP_RATIO_FROM_BYTES = 16 * 1024 ** 2  # below this size a high ratio is harmless (a header, an empty table)


def _check_member_name(path: Path, name: str) -> None:
    """Refuse zip members that would escape a folder if extracted."""
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or re.match(r"^[A-Za-z]:", name):
        raise UnsafeArchiveError(path, f"archive refusée : le membre « {name} » a un chemin dangereux (absolu ou avec « .. »)")


def _check_member_size(path: Path, info: zipfile.ZipInfo) -> None:
    """Refuse, before inflating anything, a member larger than ZIP_MAX_MEMBER_BYTES
    or that expands more than ZIP_MAX_RATIO times (INSEE's files stay under 15:1)."""
    size, packed = info.file_size, max(info.compress_size, 1)
    if size > ZIP_MAX_MEMBER_BYTES:
        raise UnsafeArchiveError(
            path, f"archive refusée : le membre « {info.filename} » ferait {_octets(size)} une fois décompressé, "
                  f"au-delà de la limite de {_octets(ZIP_MAX_MEMBER_BYTES)} (ETL_ZIP_MAX_MEMBER_BYTES)")
    if ZIP_MAX_RATIO > 0 and size >= ZIP_RATIO_FROM_BYTES and size / packed > ZIP_MAX_RATIO:
        raise UnsafeArchiveError(
            path, f"archive refusée : le membre « {info.filename} » passerait de {_octets(packed)} à {_octets(size)} "
                  f"une fois décompressé (taux {size / packed:.0f}:1, les fichiers Insee restent sous 15:1 ; "
                  f"limite {ZIP_MAX_RATIO:g}:1, ETL_ZIP_MAX_RATIO) : bombe de décompression ou fichier qui n'est pas de l'Insee")


def _octets(n: float) -> str:
    for unit in ("o", "Ko", "Mo", "Go"):
        if n < 1024 or unit == "Go":
            return (f"{n:.0f} {unit}" if unit == "o" else f"{n:.1f} {unit}").replace(".", ",")
        n /= 1024
    return ""  # pragma: no cover


def zip_members(path: Path) -> list[str]:
    """Names of the files inside a zip, all checked for path traversal and
    for their expanded size before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
    except zipfile.BadZipFile:
        raise InputError(path, "archive zip illisible ou incomplète (téléchargement interrompu ?)") from None
    for i in infos:
        _check_member_name(path, i.filename)
        _check_member_size(path, i)
    return [i.filename for i in infos]


def basename(member: str) -> str:
    return PurePosixPath(member.replace("\\", "/")).name


def is_meta(name: str) -> bool:
    return basename(name).lower().startswith("meta_")


def open_members(path: Path, want: Callable[[str], bool]) -> list[Member]:
    """The data tables of `path`: the members of a zip accepted by `want`
    (meta_ members excluded), or the file itself."""
    path = Path(path)
    if path.suffix.lower() != ".zip":
        return [Member(path.name, lambda: open(path, "rb"))]
    names = zip_members(path)
    chosen = [n for n in names if not is_meta(n) and want(basename(n))]
    if not chosen:
        raise InputError(path, "aucun fichier de données reconnu dans l'archive (membres : " + ", ".join(names) + ")")
    return [Member(f"{path.name}!{n}", lambda n=n: _zip_member(path, n)) for n in sorted(chosen)]


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


_SNIFF = 1 << 16
# Bytes parsed at a time (Arrow's peak memory grows fast with larger blocks),
# and bytes of parsed strings handed over at a time (fewer, larger conversions).
BLOCK_SIZE = 1 << 20
GROUP_BYTES = 1 << 23
_WIDE_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16",
}


def sniff(member: Member, *, whole: bool = True, encoding: str | None = None) -> tuple[list[str], str]:
    """(column names, encoding for Arrow) of a `;` table, checked before any
    parsing: empty file, UTF-16/32 or binary content, wrong separator,
    duplicated columns. UTF-8 is validated over the whole stream (chunk by
    chunk); anything else is Latin-1, which INSEE also used and which decodes
    every byte, so only NUL bytes can tell a wrong encoding.

    `whole=False`: only the first 64 KiB are validated, so "utf8" is a guess
    the caller checks while it parses (`Utf8Check`): a national zip is not
    decompressed twice. `encoding`: the encoding already known (no check)."""
    name = member.name
    with member.open() as fh:
        head = fh.read(_SNIFF)
        if not head.strip():
            raise InputError(name, "fichier vide (téléchargement interrompu ?)")
        for bom, label in _WIDE_BOMS.items():
            if head.startswith(bom):
                raise InputError(name, f"encodage {label} non pris en charge : ré-enregistrez le fichier en UTF-8 (ou Latin-1)")
        if b"\x00" in head:
            line = head[: head.index(b"\x00")].count(b"\n") + 1
            raise InputError(
                name, "octets nuls : fichier binaire (classeur renommé en .csv ?) ou encodé en UTF-16/UTF-32, "
                "non pris en charge ; enregistrez-le en CSV UTF-8 séparé par des points-virgules", line=line)
        if encoding is None:
            decoder = codecs.getincrementaldecoder("utf-8")()
            encoding = "utf8"
            chunk = head
            try:
                while chunk:
                    decoder.decode(chunk)
                    chunk = fh.read(1 << 20) if whole else b""
                if whole:
                    decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = "latin-1"
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    first = head.split(b"\n", 1)[0].decode("utf-8" if encoding == "utf8" else "latin-1", errors="replace").rstrip("\r")
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
    return columns, encoding


class Utf8Check:
    """Whether a whole stream is UTF-8, found while it is read for parsing
    (`batches(check=…)`), as `sniff` finds it in a pass of its own."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.valid = True
        self.eof = False

    def wrap(self, fh: BinaryIO) -> "_CheckedStream":
        return _CheckedStream(fh, self)

    def feed(self, data: bytes, final: bool) -> None:
        if self.valid:
            try:
                self._decoder.decode(data, final=final)
            except UnicodeDecodeError:
                self.valid = False
        self.eof = self.eof or final

    def whole_stream_valid(self, member: Member) -> bool:
        """The verdict; when the stream was not read to its end (an error
        stopped the parsing), the rest is read to know it."""
        if self.eof or not self.valid:
            return self.valid
        decoder = codecs.getincrementaldecoder("utf-8")()
        with member.open() as fh:
            try:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return False
        return True


class _CheckedStream:
    """A binary stream passed through to Arrow, every byte fed to a Utf8Check."""

    def __init__(self, fh: BinaryIO, check: Utf8Check) -> None:
        self._fh, self._check = fh, check

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._check.feed(data, final=not data and size != 0)
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def close(self) -> None:
        pass  # the underlying stream is closed by its owner


def batches(member: Member, columns: list[str], encoding: str, include: list[str] | None = None,
            check: Utf8Check | None = None) -> Iterator[pa.Table]:
    """The rows of the table, a few MB at a time (every column a non-null
    string), so memory stays bounded whatever the file's size. A row with the
    wrong number of cells (a file cut mid-line) is an error naming its line.
    `check`: fed with every byte of the stream (see `sniff(whole=False)`)."""
    bad_rows = []

    def on_invalid(row) -> str:
        bad_rows.append(row)
        return "error"

    # use_threads=False: no read-ahead thread reading the Python stream behind our back.
    # With one, an error raised mid-file (a truncated line) could leave that thread alive
    # while the stream was closed, and the CLI then aborted at exit ("terminate called
    # without an active exception", seen once in CI). It costs ~10 % of a national read.
    reader = None
    with member.open() as raw:
        fh = check.wrap(raw) if check is not None else raw
        try:
            reader = pacsv.open_csv(
                fh,
                read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1, block_size=BLOCK_SIZE,
                                               encoding=encoding, use_threads=False),
                parse_options=pacsv.ParseOptions(delimiter=";", invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in columns},
                    include_columns=include,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            group, size = [], 0
            for batch in reader:
                group.append(batch)
                size += batch.nbytes
                if size >= GROUP_BYTES:
                    yield pa.Table.from_batches(group)
                    group, size = [], 0
            if group:
                yield pa.Table.from_batches(group)
        except pa.ArrowInvalid as exc:
            if bad_rows:
                row = bad_rows[0]
                raise InputError(
                    member.name,
                    f"ligne incomplète ou trop longue : {row.actual_columns} cellule(s) au lieu de {row.expected_columns} "
                    "(fichier tronqué, téléchargement interrompu ?)",
                    line=row.number if row.number is not None else _first_ragged_line(member, len(columns)),
                ) from None
            if "straddling" in str(exc) or "block size" in str(exc):
                # Arrow's "straddling object straddles two block boundaries (try to increase block size?)"
                raise InputError(
                    member.name,
                    f"ligne de plus de {_octets(BLOCK_SIZE)} (fins de ligne manquantes ou fichier qui n'est pas un tableau ?) : "
                    "ce n'est pas un tableau Insee lisible",
                    line=_first_long_line(member, BLOCK_SIZE),
                ) from None
            raise InputError(member.name, f"tableau illisible : {exc}") from None
        finally:
            if reader is not None:
                reader.close()  # before the stream it reads is closed


def _first_long_line(member: Member, limit: int) -> int | None:
    """Line of the first row longer than `limit` bytes (what makes Arrow say
    "straddling object"), found by a second pass on error only."""
    number, length = 1, 0
    with member.open() as fh:
        while block := fh.read(1 << 16):
            i = 0
            while True:
                j = block.find(b"\n", i)
                length += (len(block) if j < 0 else j) - i
                if length > limit:
                    return number
                if j < 0:
                    break
                number, length, i = number + 1, 0, j + 1
    return None


def _first_ragged_line(member: Member, expected: int) -> int | None:
    """Line of the first row whose cell count is not `expected` (Arrow's
    streaming reader does not tell), found by a second pass on error only."""
    with member.open() as fh:
        for number, raw in enumerate(fh, start=1):
            if number > 1 and raw.strip(b"\r\n") and raw.count(b";") + 1 != expected:
                return number
    return None


def parse_table(name: str, data: bytes) -> pa.Table:
    """Parse a whole `;` table held in memory, every column as a non-null string."""
    member = bytes_member(name, data)
    columns, encoding = sniff(member)
    schema = pa.schema([(c, pa.string()) for c in columns])
    tables = list(batches(member, columns, encoding))
    return pa.concat_tables(tables) if tables else schema.empty_table()


def column_codes(name: str, table: pa.Table, column: str) -> np.ndarray:
    if column not in table.column_names:
        raise InputError(name, f"colonne « {column} » absente (colonnes : {', '.join(table.column_names[:8])}…)", line=1)
    return np.asarray(pc.utf8_trim_whitespace(table[column]).to_pylist(), dtype=object)


def repair_codes(name: str, codes: np.ndarray, niveau: str, notes: list[str], column: str = "CODGEO") -> np.ndarray:
    """Restore the leading zero lost by spreadsheets (`1001` -> `01001`), then
    refuse commune codes that are still not INSEE codes (`ABCDE`, `123456`)."""
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
    if niveau == "commune":
        wrong = ~s.str.fullmatch(COMMUNE_CODE)
        if wrong.any():
            i = int(np.flatnonzero(wrong.to_numpy())[0])
            raise InputError(
                name, f"« {codes[i]} » n'est pas un code commune Insee (5 chiffres, ou 2A/2B et 3 chiffres)", line=i + 2, column=column
            )
    return s.to_numpy(dtype=object)


class CodeTracker:
    """Duplicate codes found while rows stream, batch by batch, on integer
    keys: memory follows the number of distinct codes (the territories of
    France), not the rows of the file. A code and the same code without its
    leading zero (`01001`, `1001`) are the same key, as `repair_codes` would
    make them. The first duplicate stops the read with its line."""

    def __init__(self, name: str, column: str = "CODGEO", niveau: str | None = None) -> None:
        self.name, self.column = name, column
        self.width = {"commune": 5, "departement": 2, "region": 2, "epci": 9}.get(niveau or "")
        self.seen = np.empty(0, dtype=np.int64)  # sorted keys
        self.lines = np.empty(0, dtype=np.int64)  # line of each key's first row
        self.other: dict[str, int] = {}  # codes that are not all digits (2A004, FRANCE…) -> negative keys

    def keys(self, codes: np.ndarray) -> np.ndarray:
        s = pd.Series(codes, dtype=object).astype(str)
        digits = s.str.fullmatch(r"\d{1,18}").to_numpy(dtype=bool)
        out = np.empty(len(s), dtype=np.int64)
        if digits.any():
            out[digits] = s[digits].astype("int64").to_numpy()
        for i in np.flatnonzero(~digits):
            out[i] = self.other.setdefault(s.iat[i], -1 - len(self.other))
        return out

    def add(self, codes: np.ndarray, first_row: int) -> None:
        """`codes`: one batch; `first_row`: rows of the file before it (line = row + 2)."""
        if len(codes) == 0:
            return
        keys = self.keys(codes)
        lines = np.arange(first_row + 2, first_row + 2 + len(keys), dtype=np.int64)
        inside = pd.Series(keys).duplicated().to_numpy()
        before = np.isin(keys, self.seen)
        dup = inside | before
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            if before[i]:
                first = int(self.lines[np.searchsorted(self.seen, keys[i])])
            else:
                first = int(lines[int(np.flatnonzero(keys == keys[i])[0])])
            code = str(codes[i]).strip()
            if self.width and code.isdigit() and len(code) == self.width - 1:
                code = code.zfill(self.width)  # as repair_codes shows it
            raise InputError(self.name, f"code « {code} » présent deux fois (déjà ligne {first})", line=int(lines[i]),
                             column=self.column)
        merged = np.concatenate([self.seen, keys])
        order = np.argsort(merged, kind="stable")
        self.seen, self.lines = merged[order], np.concatenate([self.lines, lines])[order]


def check_duplicates(name: str, codes: np.ndarray, column: str = "CODGEO") -> None:
    s = pd.Series(codes)
    dup = s.duplicated(keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(name, f"code « {codes[i]} » présent deux fois", line=i + 2, column=column)


def format_int(n: int) -> str:
    """French thousands separator (narrow no-break space)."""
    return f"{n:,}".replace(",", "\u202f")


#: INSEE's missing-value markers -> statut (an empty cell is `manquant`, or
#: what the family reader says: the comparateur leaves secret cells empty)
MARKERS = {"s": "secret", "nd": "non_disponible", "NA": "non_applicable", "N/A": "non_applicable"}


@dataclass
class BadCell:
    """A cell that is neither a number nor an INSEE marker, kept aside instead of
    stopping the read (`convert_column(bad=…)`): the build decides (docs/robustness.md)."""

    row: int  # 0-based data row of the table (line = row + 2)
    column: str
    text: str
    message: str  # French, as the InputError would say it


def _markers(col) -> tuple[object, list[tuple[str, object]]]:
    """(blank mask: empty or a marker, [(statut, mask)]) of a string column."""
    empty = pc.equal(col, "")
    blank = empty
    masks = [("manquant", empty)]
    for marker, statut in MARKERS.items():
        m = pc.equal(col, marker)
        blank = pc.or_(blank, m)
        masks.append((statut, m))
    return blank, masks


def convert_column(
    name: str, col: pa.ChunkedArray | pa.Array, column: str, *, allow_negative: bool = False, first_row: int = 0,
    empty_statut: str = "manquant", bad: list[BadCell] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Strings -> (float64 values, statut). INSEE's markers (`s`, `nd`, `NA`,
    `N/A`) and empty cells are missing values with their statut (`empty_statut`
    for an empty cell), decimal commas accepted; anything else that is not a
    number (or a negative count) is an error naming the line and column, or,
    when `bad` is a list, a missing value with statut `invalide` recorded there."""
    col = pc.utf8_trim_whitespace(col)
    blank, masks = _markers(col)
    dotted = pc.replace_substring(col, ",", ".")
    blank_np = np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)
    ok = np.asarray(pc.or_(blank, pc.match_substring_regex(dotted, _NUMBER)).to_numpy(zero_copy_only=False), dtype=bool)
    numeric = pc.if_else(pa.array(ok & ~blank_np), dotted, pa.scalar(None, pa.string()))
    try:
        values = np.array(pc.cast(numeric, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # "+3", "1." …: Python reads them
        values = np.array([np.nan if x is None else float(x) for x in numeric.to_pylist()], dtype="float64")
    ok &= blank_np | np.isfinite(values)
    invalid = np.zeros(len(values), dtype=bool)
    if not ok.all():
        for i in np.flatnonzero(~ok):
            text = col[int(i)].as_py()
            if bad is None:
                raise InputError(name, f"valeur non numérique « {text} »", line=first_row + int(i) + 2, column=column)
            bad.append(BadCell(first_row + int(i), column, text, f"valeur non numérique « {text} »"))
        invalid |= ~ok
        values[~ok] = np.nan
    if not allow_negative:
        neg = values < 0
        if neg.any():
            for i in np.flatnonzero(neg):
                text = col[int(i)].as_py()
                if bad is None:
                    raise InputError(name, f"valeur négative « {text} » pour un effectif", line=first_row + int(i) + 2,
                                     column=column)
                bad.append(BadCell(first_row + int(i), column, text, f"valeur négative « {text} » pour un effectif"))
            invalid |= neg
            values[neg] = np.nan
    statut = np.full(len(values), None, dtype=object)
    for st, mask in masks:
        statut[np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)] = empty_statut if st == "manquant" else st
    statut[invalid] = "invalide"
    return values, statut


def convert_block(
    name: str,
    table: pa.Table,
    columns: list[str],
    allow_negative: list[bool],
    keep: list[int],
    *,
    first_row: int = 0,
    empty_statut: str = "manquant",
    bad: list[BadCell] | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """`convert_column` on every column of `columns` (each checked the same way),
    returning (values, statut) for the columns at the positions `keep` only.

    A national file is ~240 columns per batch: they are converted as one
    column-after-column array in a few Arrow calls instead of ~10 calls per
    column (BENCHMARKS.md, ETL). Cells written as Arrow reads numbers (no
    spaces, no decimal comma) are converted directly; anything else, and any
    problem, goes through `convert_column` column by column, which gives the
    same values and raises the same error at the same cell."""
    rows = table.num_rows

    def one_by_one() -> list[tuple[np.ndarray, np.ndarray]]:
        out = {}
        for i, column in enumerate(columns):
            converted = convert_column(name, table.column(column), column, allow_negative=allow_negative[i],
                                       first_row=first_row, empty_statut=empty_statut, bad=bad)
            if i in keep:
                out[i] = converted
        return [out[i] for i in keep]

    if not columns or rows == 0:
        return one_by_one()
    cells = pa.chunked_array([chunk for c in columns for chunk in table.column(c).chunks], type=pa.string())
    blank, masks = _markers(cells)
    try:
        values = pc.cast(pc.if_else(blank, pa.scalar(None, pa.string()), cells), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return one_by_one()  # spaces, decimal commas, or a value that is not a number
    values = np.asarray(values.to_numpy(zero_copy_only=False), dtype="float64").reshape(len(columns), rows)
    blank_np = blank.to_numpy(zero_copy_only=False).reshape(len(columns), rows)
    if not np.isfinite(values[~blank_np]).all():
        return one_by_one()
    no_negative = ~np.asarray(allow_negative, dtype=bool)
    if (values[no_negative] < 0).any():
        return one_by_one()
    masks_np = [(st, np.asarray(m.to_numpy(zero_copy_only=False), dtype=bool).reshape(len(columns), rows))
                for st, m in masks if pc.any(m).as_py()]
    out = []
    for i in keep:
        statut = np.full(rows, None, dtype=object)
        for st, m in masks_np:
            statut[m[i]] = empty_statut if st == "manquant" else st
        out.append((values[i].copy(), statut))
    return out


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
