"""Base chiffres clés of the census: evol-struct-pop, logement,
emploi-pop-active (`base-cc-<theme>-<year>`). Columns `{P|C}{yy}_{NAME}`; each
file holds three vintages: N, N-6, N-11 (logement-2021: P21/P15/P10)."""
from __future__ import annotations

import re
from pathlib import Path

from etl.errors import InputError
from etl.readers import files, wide
from etl.readers.common import ReadResult

THEMES = {
    "evol-struct-pop": ("evol_struct_pop", "Évolution et structure de la population"),
    "logement": ("logement", "Logement"),
    "emploi-pop-active": ("emploi_pop_active", "Emploi – population active"),
}
NAME = re.compile(r"base[-_]cc[-_](evol[-_]struct[-_]pop|logement|emploi[-_]pop[-_]active)[-_](\d{4})", re.IGNORECASE)
COLUMN = re.compile(r"^([PC])(\d{2})_(.+)$")
# Header fallback for renamed files: a column only one theme has.
HEADER_HINTS = {
    "logement": re.compile(r";P\d{2}_LOG;|;P\d{2}_RSECOCC[;\r\n]"),
    "evol_struct_pop": re.compile(r";P\d{2}_POP0014[;\r\n]"),
    "emploi_pop_active": re.compile(r";P\d{2}_ACT1564[;\r\n]"),
}


def _theme(path: Path) -> tuple[str, int | None] | None:
    """(famille, vintage) from the file or member names, else from the header."""
    for name in wide.names_in(path):
        if files.is_meta(name):
            continue
        m = NAME.search(name)
        if m:
            key = m.group(1).lower().replace("_", "-")
            return THEMES[key][0], int(m.group(2))
    if Path(path).suffix.lower() == ".csv" and not files.is_meta(Path(path).name):
        header = wide.first_line(path) + ";"
        if header.startswith("CODGEO;"):
            for famille, pattern in HEADER_HINTS.items():
                if pattern.search(header):
                    return famille, None
    return None


def recognise(path) -> bool:
    return _theme(Path(path)) is not None


def classify(column: str) -> tuple[str, int] | None:
    m = COLUMN.match(column)
    if not m:
        return None
    return f"{m.group(1)}_{m.group(3)}", files.century(m.group(2))


def read(path, *, url: str | None = None, variables: set[str] | None = None, lenient: bool = False) -> ReadResult:
    """`variables`: generic variables to keep (None: all), see wide.read_members."""
    path = Path(path)
    found = _theme(path)
    if found is None:
        raise InputError(path, "fichier non reconnu comme base chiffres clés du recensement")
    famille, year = found
    dash = famille.replace("_", "-")
    label = next(t[1] for t in THEMES.values() if t[0] == famille)

    def check_vintages(name: str, vintages: set[int]) -> None:
        if year is not None:
            expected = {year, year - 6, year - 11}
            extra = sorted(vintages - expected)
            if extra:
                raise InputError(
                    name,
                    "préfixes de millésime incohérents : "
                    + ", ".join(str(v) for v in extra)
                    + f" dans un fichier {year} (attendus {year}, {year - 6}, {year - 11})",
                    line=1,
                )
        elif len(vintages) > 3:
            raise InputError(
                name, "préfixes de millésime incohérents : plus de trois millésimes (" + ", ".join(map(str, sorted(vintages))) + ")", line=1
            )
        elif vintages:
            # a renamed file follows the same rule as INSEE's names: its newest vintage N, then N-6, N-11
            top = max(vintages)
            extra = sorted(vintages - {top, top - 6, top - 11})
            if extra:
                raise InputError(
                    name,
                    "préfixes de millésime incohérents : " + ", ".join(str(v) for v in extra)
                    + f" avec {top} (un fichier Insee porte les millésimes {top}, {top - 6}, {top - 11})",
                    line=1,
                )

    def want(member: str) -> bool:
        return member.lower().endswith(".csv") and (NAME.search(member) is not None)

    info = wide.new_info(
        path,
        source_id=f"base-cc-{dash}-{year}" if year else f"base-cc-{dash}-{path.stem}",
        famille=famille,
        geographie=files.geography_in_name(path.name) or (year + 3 if year else None),
        url=url,
        titre=f"Base chiffres clés {label} {year or ''}".strip(),
    )
    result = wide.read_members(
        path,
        want=want if path.suffix.lower() == ".zip" else (lambda m: True),
        classify=classify,
        niveau_of=lambda m: "commune",
        info=info,
        check_vintages=check_vintages,
        variables=variables,
        lenient=lenient,
    )
    if year is None and result.info.millesimes:
        y = max(result.info.millesimes)
        result.info.source_id = f"base-cc-{dash}-{y}"
        result.info.titre = f"Base chiffres clés {label} {y}"
        result.info.geographie = result.info.geographie or y + 3
    return result
