"""The common shape of INSEE "base chiffres clés" files: one row per territory
(`CODGEO`), one column per variable with its vintage in the name. The family
readers only say which member to read and how a column name maps to
(generic variable, vintage)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from etl.errors import InputError
from etl.readers import files
from etl.readers.common import ReadResult, SourceInfo

# Columns that describe the territory, never values.
TEXT_COLUMNS = {"CODGEO", "LIBGEO", "REG", "DEP", "ARR", "EPCI", "LIBEPCI", "LIBREG", "LIBDEP", "COM", "LIBCOM"}

# column name -> (generic variable, vintage) or None (not a value column)
Classifier = Callable[[str], "tuple[str, int] | None"]


def read_members(
    path: Path,
    *,
    want: Callable[[str], bool],
    classify: Classifier,
    niveau_of: Callable[[str], str],
    info: SourceInfo,
    allow_negative: Callable[[str], bool] = lambda v: False,
    check_vintages: Callable[[str, set[int]], None] | None = None,
    variables: set[str] | None = None,
    empty_statut: str = "manquant",
    lenient: bool = False,
) -> ReadResult:
    """Read every data member of `path` accepted by `want` into one ReadResult
    (Filosofi zips hold one member per level). Members are streamed batch by
    batch: every value column is checked, but only the generic `variables`
    asked for (all when None) are kept, so memory follows what the build
    needs, not the file's size. `lenient`: a cell that is neither a number
    nor an INSEE marker becomes a missing value with statut `invalide`, listed
    in `info.anomalies`, instead of stopping the read (the build decides)."""
    path = Path(path)
    opts = {"empty_statut": empty_statut, "lenient": lenient}
    members = files.open_members(path, want)
    frames = []
    vintages: set[int] = set()
    for m in members:
        # the encoding is checked while the member is parsed (one decompression
        # of a zip, not two); a member that turns out not to be UTF-8 is read
        # again as Latin-1, as if that had been known from the start
        notes, anomalies = len(info.notes), len(info.anomalies)
        try:
            frame, found = _read_member(m, None, classify, niveau_of, info, allow_negative, check_vintages, variables,
                                        **opts)
        except _NotUtf8:
            del info.notes[notes:]
            del info.anomalies[anomalies:]
            frame, found = _read_member(m, "latin-1", classify, niveau_of, info, allow_negative, check_vintages,
                                        variables, **opts)
        vintages |= found
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    info.millesimes = sorted(vintages)
    info.fichier = members[0].name if len(members) == 1 else path.name
    meta = files.read_meta_bytes(path)
    if meta is not None:
        info.libelles = files.libelles_from_meta(meta[1], meta[0])
    return ReadResult(info=info, data=files.finish(df))


class _NotUtf8(Exception):
    """The member is not UTF-8 after all (see `_read_member`)."""


def _read_member(
    m: files.Member,
    encoding: str | None,
    classify: Classifier,
    niveau_of: Callable[[str], str],
    info: SourceInfo,
    allow_negative: Callable[[str], bool],
    check_vintages: Callable[[str, set[int]], None] | None,
    variables: set[str] | None,
    empty_statut: str = "manquant",
    lenient: bool = False,
) -> tuple[pd.DataFrame, set[int]]:
    """One member as a long frame, and its vintages. `encoding` None: UTF-8
    when the first 64 KiB are, checked over the whole stream while parsing;
    `_NotUtf8` when it is not. Same result and same errors as checking the
    whole stream before parsing (`files.sniff`), without a second
    decompression of a national zip (BENCHMARKS.md, ETL)."""
    columns, encoding_used = files.sniff(m, whole=False, encoding=encoding)
    check = files.Utf8Check() if encoding is None and encoding_used == "utf8" else None
    try:
        result = _parse_member(m, columns, encoding_used, check, classify, niveau_of, info, allow_negative,
                               check_vintages, variables, empty_statut, lenient)
    except Exception:
        # what checking the whole stream first would have found: its own error
        # (a damaged zip…), Latin-1 (read again), or UTF-8 (this error stands)
        if check is not None and files.sniff(m)[1] != "utf8":
            raise _NotUtf8() from None
        raise
    if check is not None and not check.whole_stream_valid(m):
        raise _NotUtf8()
    return result


def _parse_member(m, columns, encoding, check, classify, niveau_of, info, allow_negative, check_vintages,
                  variables, empty_statut="manquant", lenient=False) -> tuple[pd.DataFrame, set[int]]:
    niveau = niveau_of(files.basename(m.name))
    if niveau is None:  # a level the reader recognises but does not use
        return files.empty_frame(), set()
    if "CODGEO" not in columns:
        raise InputError(m.name, f"colonne « CODGEO » absente (colonnes : {', '.join(columns[:8])}…)", line=1)
    specs, skipped = [], []
    for column in columns:
        if column in TEXT_COLUMNS:
            continue
        c = classify(column)
        if c is None:
            skipped.append(column)
            continue
        specs.append((column, c[0], c[1]))
    if not specs:
        raise InputError(m.name, "aucune colonne de valeurs reconnue", line=1)
    if check_vintages is not None:
        check_vintages(m.name, {s[2] for s in specs if s[0][:1] in "PC" and s[0][1:3].isdigit()})
    vintages = {s[2] for s in specs}
    if skipped:
        info.notes.append(f"{files.basename(m.name)} : colonnes ignorées (sans millésime) : " + ", ".join(skipped[:10]))
    kept = [i for i, s in enumerate(specs) if variables is None or s[1] in variables]
    negative = [allow_negative(s[1]) for s in specs]
    code_chunks: list[np.ndarray] = []
    seen = files.CodeTracker(m.name, niveau=niveau)  # duplicates stop the read at once, on integer keys
    value_chunks: list[list[np.ndarray]] = [[] for _ in kept]
    statut_chunks: list[list[np.ndarray]] = [[] for _ in kept]
    rows = 0
    bad: list[files.BadCell] | None = [] if lenient else None
    include = ["CODGEO"] + [s[0] for s in specs]
    for batch in files.batches(m, columns, encoding, include=include, check=check):
        code_chunks.append(files.column_codes(m.name, batch, "CODGEO"))
        seen.add(code_chunks[-1], first_row=rows)
        batch = batch.combine_chunks()
        converted = files.convert_block(m.name, batch, [s[0] for s in specs], negative, kept, first_row=rows,
                                        empty_statut=empty_statut, bad=bad)
        for k, (values, statut) in enumerate(converted):
            value_chunks[k].append(values)
            statut_chunks[k].append(statut)
        rows += batch.num_rows
    if rows == 0:
        raise InputError(m.name, "aucune ligne de données après l'en-tête (fichier tronqué ?)", line=2)
    codes = files.repair_codes(m.name, np.concatenate(code_chunks), niveau, info.notes)
    files.check_duplicates(m.name, codes)
    for cell in bad or []:
        info.anomalies.append({"fichier": m.name, "ligne": cell.row + 2, "colonne": cell.column, "niveau": niveau,
                               "code": codes[cell.row], "texte": cell.text, "message": cell.message})
    parts = [
        (specs[i][1], specs[i][2], np.concatenate(value_chunks[k]), np.concatenate(statut_chunks[k]))
        for k, i in enumerate(kept)
    ]
    if niveau == "commune":
        codes, parts = files.fold_plm(codes, parts, info.notes)
    return files.long_frame(niveau, codes, parts), vintages


def new_info(path: Path, *, source_id: str, famille: str, geographie: int | None, url: str | None, titre: str) -> SourceInfo:
    return SourceInfo(
        source_id=source_id,
        fichier=Path(path).name,
        famille=famille,
        millesimes=[],
        geographie=geographie,
        sha256=files.sha256_file(path),
        url=url,
        titre=titre,
    )


def first_line(path: Path) -> str:
    """Header line of a bare CSV (empty string if unreadable)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(65536)
    except OSError:
        return ""
    return files.decode(str(path), raw).split("\n", 1)[0].rstrip("\r")


def names_in(path: Path) -> list[str]:
    """The file name, and for a zip the names of its members."""
    path = Path(path)
    names = [path.name]
    if path.suffix.lower() == ".zip":
        try:
            names += [files.basename(n) for n in files.zip_members(path)]
        except InputError:
            pass
    return names
