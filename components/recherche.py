"""Territory search on the server: as-you-type, tolerant of typos and missing accents
(rapidfuzz), postal codes, INSEE/SIREN codes, EPCI names and acronyms (CABBALR, CALL, PMA…).

The index holds every territory of the warehouse once per warehouse build (a few hundred
short strings); a query scores them in C and returns at most `limit` results, so what
reaches the browser never grows with the number of communes."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from datasets import access, cache

SELECTABLE = ("territoire", "groupement", "epci", "commune")
TOUS = (*SELECTABLE, "departement", "region", "pays")
MAX_TEXTE = 60
SEUIL_FLOU = 75  # rapidfuzz WRatio below this is not a suggestion ("lense" -> "lens" is 89)
_ORDRE_NIVEAU = {n: i for i, n in enumerate(TOUS)}
NIVEAU_TEXTE = {
    "territoire": "tout le territoire",
    "groupement": "groupement d'intercommunalités",
    "epci": "intercommunalité",
    "commune": "commune",
    "departement": "département",
    "region": "région",
    "pays": "pays",
}


@dataclass(frozen=True)
class Resultat:
    code: str
    niveau: str
    nom: str
    libelle: str  # what the suggestion shows: starts with the name
    score: float


def normalise(text: str) -> str:
    """"Hénin-Beaumont" -> "henin beaumont": no accents, case or punctuation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _texte(x) -> str:
    return x.strip() if isinstance(x, str) else ""


def libelle(row: dict) -> str:
    nom, niveau = str(row["nom"]), str(row["niveau"])
    court = _texte(row.get("nom_court"))
    if niveau == "commune":
        cps = _texte(row.get("codes_postaux")).split()
        cp = ", ".join(cps[:3]) + ("…" if len(cps) > 3 else "")
        return f"{nom} — {cp}" if cp else f"{nom} ({row['code']})"
    sigle = f" ({court})" if court and court != nom and normalise(court) not in normalise(nom) else ""
    return f"{nom}{sigle} — {NIVEAU_TEXTE.get(niveau, niveau)}"


@dataclass(frozen=True)
class _Index:
    rows: tuple[dict, ...]
    keys: tuple[str, ...]  # normalised names, short names and acronyms
    owner: tuple[int, ...]  # row of each key
    postaux: tuple[tuple[str, ...], ...]  # postal codes of each row
    population: tuple[float, ...]  # ties go to the largest commune


def _build_index() -> _Index:
    rows, keys, owner, postaux = [], [], [], []
    try:
        classement = access.classement("population")
        pop = dict(zip(classement["code"].astype(str), classement["valeur"]))
    except Exception:  # no population loaded: ties by name only
        pop = {}
    for row in access.territoires().to_dict("records"):
        i = len(rows)
        rows.append(row)
        for k in {normalise(str(row["nom"])), normalise(_texte(row.get("nom_court")))}:
            if k:
                keys.append(k)
                owner.append(i)
        postaux.append(tuple(_texte(row.get("codes_postaux")).split()))
    population = tuple(float(pop.get(str(r["code"])) or 0.0) if r["niveau"] == "commune" else 0.0 for r in rows)
    return _Index(tuple(rows), tuple(keys), tuple(owner), tuple(postaux), population)


_INDEX = cache.Store("recherche", 2)  # the search index: one per warehouse build, shared read-only


def _index() -> _Index:
    return _INDEX.get(access.build_id(), "index", _build_index)


def _score_texte(q: str, key: str) -> float:
    if key == q:
        return 100.0
    if key.startswith(q):
        return 97.0
    if f" {q}" in f" {key}":
        return 94.0
    if len(q) >= 3 and q in key:
        return 91.0
    return 0.0


def chercher(texte, niveaux=SELECTABLE, limit: int = 8) -> list[Resultat]:
    """The best territories for what the visitor typed, best first (never interpreted:
    the text is only compared with names and codes)."""
    if not isinstance(texte, str):
        return []
    q = normalise(texte[:MAX_TEXTE])
    if not q:
        return []
    idx = _index()
    wanted = set(niveaux)
    scores: dict[int, float] = {}
    compact = q.replace(" ", "")
    if compact.isdigit():
        for i, row in enumerate(idx.rows):
            cps, code = idx.postaux[i], str(row["code"])
            if compact in cps or code == compact:
                scores[i] = 100.0
            elif any(c.startswith(compact) for c in cps) or code.startswith(compact):
                scores[i] = 95.0
    else:
        for key, i in zip(idx.keys, idx.owner):
            s = _score_texte(q, key)
            if s > scores.get(i, 0.0):
                scores[i] = s
        if len(q) >= 3:  # typos: only where no exact part matched
            for _key, s, k in process.extract(q, idx.keys, scorer=fuzz.WRatio, processor=None,
                                              score_cutoff=SEUIL_FLOU, limit=4 * limit):
                i = idx.owner[k]
                s = min(float(s), 89.0)
                if s > scores.get(i, 0.0):
                    scores[i] = s
    ranked = sorted(
        (i for i in scores if idx.rows[i]["niveau"] in wanted),
        key=lambda i: (-scores[i], _ORDRE_NIVEAU.get(idx.rows[i]["niveau"], 9), -idx.population[i],
                       normalise(str(idx.rows[i]["nom"]))),
    )
    return [Resultat(str(idx.rows[i]["code"]), str(idx.rows[i]["niveau"]), str(idx.rows[i]["nom"]),
                     libelle(idx.rows[i]), scores[i]) for i in ranked[:limit]]


def territoire(code: str) -> dict | None:
    """The row of one code (any level), from the index."""
    for row in _index().rows:
        if str(row["code"]) == code:
            return row
    return None
