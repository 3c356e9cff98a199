"""Load and validate `territory.toml`: the one place that says which territory
the product is built for."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl import paths


class TerritoryError(ValueError):
    pass


@dataclass(frozen=True)
class Groupement:
    code: str
    nom: str
    epci: tuple[str, ...]


@dataclass(frozen=True)
class Territory:
    agence_nom: str
    agence_sigle: str
    code: str
    nom: str
    epci: tuple[str, ...]
    epci_court: dict[str, str] = field(default_factory=dict)
    groupements: tuple[Groupement, ...] = ()
    departements: tuple[str, ...] | None = None  # None = auto (from the communes)
    regions: tuple[str, ...] | None = None
    pays: bool = True
    partenaires: dict[str, str] = field(default_factory=dict)  # programme, agence, notes -> path
    path: Path | None = None


def _codes(value, where: str) -> tuple[str, ...] | None:
    if value == "auto":
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TerritoryError(f"{where} : liste de codes (chaînes) ou \"auto\" attendue")
    return tuple(value)


def load(path: Path | None = None) -> Territory:
    path = Path(path) if path else paths.territory_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TerritoryError(f"{path} : fichier de territoire introuvable") from None
    except tomllib.TOMLDecodeError as exc:
        raise TerritoryError(f"{path} : TOML invalide ({exc})") from None
    try:
        agence = data["agence"]
        terr = data["territoire"]
        epcis = data["epci"]
    except KeyError as exc:
        raise TerritoryError(f"{path} : section [{exc.args[0]}] manquante") from None
    epci_codes = tuple(str(e["code"]) for e in epcis)
    if len(set(epci_codes)) != len(epci_codes):
        raise TerritoryError(f"{path} : un EPCI est listé deux fois")
    for code in epci_codes:
        if not (code.isdigit() and len(code) == 9):
            raise TerritoryError(f"{path} : code EPCI {code!r} invalide (SIREN à 9 chiffres attendu)")
    groupements = []
    for g in data.get("groupement", []):
        unknown = [c for c in g["epci"] if c not in epci_codes]
        if unknown:
            raise TerritoryError(
                f"{path} : le groupement {g['code']} cite des EPCI absents du territoire : {', '.join(unknown)}"
            )
        groupements.append(Groupement(str(g["code"]), str(g["nom"]), tuple(g["epci"])))
    refs = data.get("references", {})
    return Territory(
        agence_nom=str(agence["nom"]),
        agence_sigle=str(agence.get("sigle", "")),
        code=str(terr["code"]),
        nom=str(terr["nom"]),
        epci=epci_codes,
        epci_court={str(e["code"]): str(e.get("court", "")) for e in epcis},
        groupements=tuple(groupements),
        departements=_codes(refs.get("departements", "auto"), "references.departements"),
        regions=_codes(refs.get("regions", "auto"), "references.regions"),
        pays=bool(refs.get("pays", True)),
        partenaires={k: str(v) for k, v in data.get("partenaires", {}).items()},
        path=path,
    )
