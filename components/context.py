"""The context of one rerun (or one export): the selected territory, its parents, its
reference levels and the warehouse build, looked up once and then only read.

Streamlit-free: the pages get it from `state.context()` (built once per rerun from the
URL), the exports and the command line from `build(code)`. Nothing else looks the
territory up again."""
from __future__ import annotations

from dataclasses import dataclass

from datasets import access, niveaux

MAX_REFERENCES_COURTES = 3


@dataclass(frozen=True)
class Territoire:
    niveau: str
    code: str
    nom: str

    def as_dict(self) -> dict:
        return {"niveau": self.niveau, "code": self.code, "nom": self.nom}


@dataclass(frozen=True)
class Context:
    """`niveau`, `code`, `nom` are the selection's (a Context reads like a selection)."""
    niveau: str
    code: str
    nom: str
    parents: tuple[Territoire, ...]  # EPCI, grouping, département, région: those that exist, nearest first
    references: tuple[Territoire, ...]  # every level to compare with, nearest first, France last
    references_courtes: tuple[Territoire, ...]  # the few of them compact displays show (cards, fiche, exports)
    build_id: str
    agence: str
    codes_postaux: str = ""

    @property
    def territoire(self) -> Territoire:
        return Territoire(self.niveau, self.code, self.nom)

    def parent(self, niveau: str) -> Territoire | None:
        return next((p for p in self.parents if p.niveau == niveau), None)

    @property
    def territoires(self) -> tuple[tuple[str, str], ...]:
        """(niveau, code) of the selection then its references, for `access.valeurs`."""
        return ((self.niveau, self.code),) + tuple((r.niveau, r.code) for r in self.references)

    @property
    def territoires_courts(self) -> tuple[tuple[str, str], ...]:
        return ((self.niveau, self.code),) + tuple((r.niveau, r.code) for r in self.references_courtes)

    @property
    def perimetre(self) -> tuple[str, str | None]:
        """The territory whose communes a map shows: the selection, or for a commune its
        nearest parent that holds communes (its EPCI), else the whole territory."""
        if niveaux.contient_des_communes(self.niveau):
            return self.niveau, self.code
        for n in niveaux.au_dessus(self.niveau):
            p = self.parent(n)
            if p is not None:
                return p.niveau, p.code
        return niveaux.ENSEMBLE, None

    @property
    def est_plus_fin(self) -> bool:
        return self.niveau == niveaux.PLUS_FIN


def references_courtes(references) -> tuple:
    """THE rule for compact displays: the nearest local level above the selection, the
    département(s), France; at most MAX_REFERENCES_COURTES, France always kept."""
    refs = list(references)
    locales = [r for r in refs if r.niveau in niveaux.LOCAUX][:1]
    departements = [r for r in refs if r.niveau == "departement"]
    pays = [r for r in refs if r.niveau == "pays"]
    return tuple((locales + departements)[:MAX_REFERENCES_COURTES - len(pays)] + pays)


def agence_nom(info: dict) -> str:
    t = info.get("territory") or {}
    """The agency name printed on exports ("Réalisation : ..."), from build.json."""
    return str(t.get("agence") or t.get("agency") or "") if isinstance(t, dict) else ""


def build(code: str) -> Context:
    """The context of a selectable territory code; ValueError for an unknown one."""
    info = access.build_info()
    row = access.territoire(code)
    if row is None:
        raise ValueError(f"Territoire inconnu : {code}")
    niveau = str(row["niveau"])
    parents = []
    for n in niveaux.PARENTS.get(niveau, ()):
        if row.get(n):
            p = access.territoire(str(row[n]), n)
            if p is not None:
                parents.append(Territoire(n, str(p["code"]), str(p["nom"])))
    refs = tuple(Territoire(r["niveau"], str(r["code"]), str(r["nom"])) for r in access.references(niveau, str(row["code"])))
    return Context(niveau=niveau, code=str(row["code"]), nom=str(row["nom"]), parents=tuple(parents),
                   references=refs, references_courtes=references_courtes(refs),
                   build_id=str(info.get("build_id", "")), agence=agence_nom(info),
                   codes_postaux=str(row.get("codes_postaux") or ""))
