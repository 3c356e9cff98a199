"""The theme pages as data: `datasets/themes.toml` read once, for the navigation, the generic
theme page, the exports, the tests and the benchmarks. Streamlit-free."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

FILE = Path(__file__).resolve().parent.parent / "datasets" / "themes.toml"
PARTS = ("chiffres", "structure", "comparaison", "evolution", "croissance", "carte")  # order on the page


@dataclass(frozen=True)
class Structure:
    id: str
    titre: str
    categories: tuple[str, ...]
    total: str
    empile: bool = True
    reste: str | None = None
    prefixe: str = ""
    libelles: tuple[tuple[str, str], ...] = ()
    fiche: bool = False

    @property
    def indicateurs(self) -> tuple[str, ...]:
        return (*self.categories, self.total)


@dataclass(frozen=True)
class Section:
    titre: str
    chiffres: tuple[str, ...] = ()
    structure: tuple[Structure, ...] = ()
    comparaison: tuple[str, ...] = ()
    evolution: tuple[str, ...] = ()
    croissance: tuple[str, ...] = ()
    carte: tuple[str, ...] = ()
    fiche: tuple[str, ...] = ()  # ids of this section's evolution charts printed in the fiche
    premier_ecran: int = 1  # charts shown with the section; the others when the visitor asks

    @property
    def indicateurs(self) -> tuple[str, ...]:
        ids = [*self.chiffres, *self.comparaison, *self.evolution, *self.croissance, *self.carte]
        for s in self.structure:
            ids += s.indicateurs
        return tuple(dict.fromkeys(ids))


@dataclass(frozen=True)
class Theme:
    id: str
    titre: str
    url: str
    icone: str
    description: str = ""
    note: str = ""
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def indicateurs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for s in self.sections for i in s.indicateurs))


def _structure(d: dict) -> Structure:
    return Structure(id=d["id"], titre=d["titre"], categories=tuple(d["categories"]), total=d["total"],
                     empile=bool(d.get("empile", True)), reste=d.get("reste"), prefixe=d.get("prefixe", ""),
                     libelles=tuple((d.get("libelles") or {}).items()), fiche=bool(d.get("fiche", False)))


def _section(d: dict) -> Section:
    unknown = set(d) - {"titre", "fiche", "premier_ecran", *PARTS}
    if unknown:
        raise ValueError(f"{FILE.name} : section « {d.get('titre')} » : clés inconnues {sorted(unknown)}")
    premier = d.get("premier_ecran", 1)
    if not isinstance(premier, int) or isinstance(premier, bool) or premier < 1:
        raise ValueError(f"{FILE.name} : section « {d.get('titre')} » : premier_ecran doit être un entier ≥ 1 "
                         f"(lu : {premier!r})")
    return Section(titre=d["titre"], structure=tuple(_structure(s) for s in d.get("structure", [])),
                   fiche=tuple(d.get("fiche", ())), premier_ecran=premier,
                   **{p: tuple(d.get(p, ())) for p in PARTS if p != "structure"})


def load(path: Path = FILE) -> tuple[Theme, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    themes = tuple(Theme(id=t["id"], titre=t["titre"], url=t["url"], icone=t.get("icone", ""),
                         description=t.get("description", ""), note=t.get("note", ""),
                         sections=tuple(_section(s) for s in t.get("section", [])))
                   for t in data["theme"])
    for t in themes:
        charts = [*(s.id for sec in t.sections for s in sec.structure),
                  *(i for sec in t.sections for i in sec.evolution)]
        double = sorted({c for c in charts if charts.count(c) > 1})
        if double:  # a structure id is a chart id, as is an evolution's indicator id
            raise ValueError(f"{path.name} : thème « {t.id} » : graphique en double {double}")
    ids = [t.id for t in themes] + [t.url for t in themes]
    if len(set(ids)) != len(ids) - sum(t.id == t.url for t in themes):
        raise ValueError(f"{path.name} : identifiant ou adresse de thème en double")
    return themes


THEMES: tuple[Theme, ...] = load()


def theme(theme_id: str) -> Theme:
    return next(t for t in THEMES if t.id == theme_id)


def titres() -> dict[str, str]:
    """Theme id -> French title, for every theme of the catalogue (pages and others)."""
    return {t.id: t.titre for t in THEMES}
