"""Base du comparateur de territoires (`base_cc_comparateur.CSV`, in
`base_cc_comparateur_csv.zip` as downloaded): one row per commune of France
(and the municipal arrondissements of Paris, Lyon, Marseille next to their
commune), a few variables of several sources: census (`P18_POP`, `P18_LOG`…,
weighted floats with a decimal point), births and deaths (`NAIS1318`,
`NAISD20`), Filosofi (`MED19`, `TP6019`: published commune values), active
establishments by sector (`ETTOT18`, `ETAZ18`…). CRLF line ends.

Its documentation says secret cells are left empty: an empty cell is
`secret_ou_non_disponible` (« secret ou non disponible »), never a zero.
Recognised by its name AND its columns."""
from __future__ import annotations

import re
from pathlib import Path

from etl.errors import InputError
from etl.readers import files, wide
from etl.readers.common import ReadResult

NAME = re.compile(r"base[-_]cc[-_]comparateur", re.IGNORECASE)
# columns only this file has together
SIGNATURE = ("CODGEO", "ETTOT", "NAISD", "MED")
CENSUS = re.compile(r"^P(\d{2})_(.+)$")
PERIOD = re.compile(r"^(NAIS|DECE)(\d{2})(\d{2})$")  # births/deaths between two censuses
# the vintage as a 2-digit suffix: NAISD20, MED19, TP6019 -> TP60, ETAZ18, ETTEF118 -> ETTEF1
SUFFIX = re.compile(r"^([A-Z][A-Z0-9_]*?)(\d{2})$")
EMPTY_MEANS = "secret_ou_non_disponible"


def _header(path: Path) -> str:
    """The header line of the data table (of the zip member for a zip)."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        try:
            members = files.open_members(path, lambda n: NAME.search(n) is not None and n.lower().endswith(".csv"))
        except InputError:
            return ""
        with members[0].open() as fh:
            head = fh.read(65536)
        return files.decode(members[0].name, head).split("\n", 1)[0].rstrip("\r")
    return wide.first_line(path)


def recognise(path) -> bool:
    path = Path(path)
    if not any(NAME.search(n) for n in wide.names_in(path) if not files.is_meta(n)):
        return False
    header = _header(path)
    return all(any(c.strip('"').startswith(s) for c in header.split(";")) for s in SIGNATURE)


def classify(column: str) -> tuple[str, int] | None:
    m = CENSUS.match(column)
    if m:
        return f"P_{m.group(2)}", files.century(m.group(1))
    m = PERIOD.match(column)
    if m:  # dated by the end of the period, as the séries historiques
        return m.group(1), files.century(m.group(3))
    m = SUFFIX.match(column)
    if m:
        return m.group(1), 2000 + int(m.group(2))
    return None  # SUPERF (no vintage) and text columns: skipped with a note


def read(path, *, url: str | None = None, variables: set[str] | None = None, lenient: bool = False) -> ReadResult:
    """`variables`: generic variables to keep (None: all), see wide.read_members."""
    path = Path(path)
    if not recognise(path):
        raise InputError(path, "fichier non reconnu comme base du comparateur de territoires "
                               "(nom base_cc_comparateur et colonnes CODGEO, ETTOT.., NAISD.., MED.. attendus)")
    info = wide.new_info(
        path,
        source_id="base-cc-comparateur",
        famille="comparateur",
        geographie=files.geography_in_name(path.name),
        url=url,
        titre="Base du comparateur de territoires (recensement 2018, état civil, Filosofi 2019, établissements 2018)",
    )
    result = wide.read_members(
        path,
        want=lambda m: NAME.search(m) is not None and m.lower().endswith(".csv"),
        classify=classify,
        niveau_of=lambda m: "commune",
        info=info,
        variables=variables,
        empty_statut=EMPTY_MEANS,
        lenient=lenient,
    )
    years = [y for y in result.info.millesimes if y <= 2030]
    if result.info.geographie is None and years:
        # the file carries the geography of the year after its latest vintage + 2
        # (census 2018, Filosofi 2019, births 2020: published in geography 2021)
        result.info.geographie = max(years) + 1
    result.info.notes.append("cellules vides : secret statistique ou non disponible (documentation du fichier) ; "
                             "statut « secret ou non disponible »")
    return result
