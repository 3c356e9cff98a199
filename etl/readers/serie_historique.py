"""Séries historiques du recensement (`base-cc-serie-historique-<year>`):
`P21_POP, P15_POP, P10_POP, D99_POP … D68_POP` and the same for the housing
counts, `SUPERF` (km²), births and deaths between censuses (`NAIS1521`)."""
from __future__ import annotations

import re
from pathlib import Path

from etl.errors import InputError
from etl.readers import files, wide
from etl.readers.common import ReadResult

NAME = re.compile(r"(?:base[-_]cc[-_])?serie[-_]histo(?:rique)?[-_](\d{4})", re.IGNORECASE)
COLUMN = re.compile(r"^([PCD])(\d{2})_(.+)$")
PERIOD = re.compile(r"^(NAIS|DECE)(\d{2})(\d{2})$")


def _year(path: Path) -> tuple[bool, int | None]:
    for name in wide.names_in(path):
        if files.is_meta(name):
            continue
        m = NAME.search(name)
        if m:
            return True, int(m.group(1))
    return False, None


def recognise(path) -> bool:
    return _year(Path(path))[0]


def read(path, *, url: str | None = None, variables: set[str] | None = None, lenient: bool = False) -> ReadResult:
    """`variables`: generic variables to keep (None: all), see wide.read_members."""
    path = Path(path)
    found, year = _year(path)
    if not found:
        raise InputError(path, "fichier non reconnu comme série historique du recensement")

    def classify(column: str) -> tuple[str, int] | None:
        m = COLUMN.match(column)
        if m:
            return f"{m.group(1)}_{m.group(3)}", files.century(m.group(2))
        m = PERIOD.match(column)
        if m:  # births/deaths between two censuses: dated by the end of the period
            return m.group(1), files.century(m.group(3))
        if column == "SUPERF" and year is not None:
            return "SUPERF", year
        return None

    info = wide.new_info(
        path,
        source_id=f"base-cc-serie-historique-{year}",
        famille="serie_historique",
        geographie=files.geography_in_name(path.name) or (year + 3 if year else None),
        url=url,
        titre=f"Séries historiques du recensement {year}",
    )
    return wide.read_members(
        path,
        want=lambda m: m.lower().endswith(".csv") and NAME.search(m) is not None,
        classify=classify,
        niveau_of=lambda m: "commune",
        info=info,
        variables=variables,
        lenient=lenient,
    )
